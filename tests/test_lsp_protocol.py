"""`pcplan lsp` answers every request, whatever its parameters, and its log is plain words (issue 22, item 6).

A request whose parameters are missing a field, have the wrong type or name a document the editor never
opened gets an answer within QUICK seconds: the JSON-RPC error the protocol defines (-32602 invalid params,
-32601 for a method pcplan does not serve, or a notification sent as a request) or an empty result, never
silence, and the server keeps serving. What the server logs on stderr never shows a placeholder (`%s`, `%r`)
where pygls' withheld argument was, and never a case file's words.
"""

from __future__ import annotations

import re
import time

import pytest
from test_lsp_hostile import QUICK, Wire, where

from conftest import ELENA_PLAN, CaseRepo
from pcplan.lsp.server import withheld

ELSEWHERE = {"uri": "file:///nowhere/members/M-000001/plan.yaml"}  # never opened
ZERO = {"line": 0, "character": 0}
SPAN = {"start": ZERO, "end": ZERO}
INVALID_PARAMS, METHOD_NOT_FOUND = -32602, -32601


def _cases(uri: str, at: dict) -> list[tuple[str, object, tuple]]:
    """(method, params, expected answer): ("error", code) or ("result", value)."""
    doc = {"uri": uri}
    return [
        # hover, definition, completion: a field missing, of the wrong type, or a document never opened
        ("textDocument/hover", {"textDocument": doc}, ("error", INVALID_PARAMS)),
        ("textDocument/hover", {"textDocument": doc, "position": {"line": "three", "character": 0}},
         ("error", INVALID_PARAMS)),
        ("textDocument/hover", {"textDocument": ELSEWHERE, "position": at}, ("result", None)),
        ("textDocument/hover", {"textDocument": doc, "position": {"line": 99_999, "character": 99_999}},
         ("result", None)),
        ("textDocument/hover", [1, 2], ("error", INVALID_PARAMS)),
        ("textDocument/definition", {"textDocument": doc, "position": None}, ("error", INVALID_PARAMS)),
        ("textDocument/definition", {"textDocument": ELSEWHERE, "position": at}, ("result", None)),
        ("textDocument/definition", {"textDocument": {"uri": 5}, "position": at},  # read as "5": never opened
         ("result", None)),
        ("textDocument/completion", {"textDocument": doc}, ("error", INVALID_PARAMS)),
        ("textDocument/completion", {"textDocument": doc, "position": at, "context": "x"}, ("error", INVALID_PARAMS)),
        ("textDocument/completion", {"textDocument": doc, "position": at, "context": {"triggerKind": 99}},
         ("error", INVALID_PARAMS)),
        ("textDocument/completion", {"textDocument": ELSEWHERE, "position": at}, ("result", None)),
        # code actions: no context, diagnostics that are not a list, a finding number past any, a range past
        # the end, a document never opened
        ("textDocument/codeAction", {"textDocument": doc, "range": SPAN}, ("error", INVALID_PARAMS)),
        ("textDocument/codeAction", {"textDocument": doc, "range": SPAN, "context": {"diagnostics": "no"}},
         ("error", INVALID_PARAMS)),
        ("textDocument/codeAction", {"textDocument": doc, "range": SPAN, "context": {"diagnostics": [
            {"range": SPAN, "message": "x", "code": "C305", "source": "pcplan", "data": {"finding": 10 ** 30}}]}},
         ("result", [])),
        ("textDocument/codeAction", {"textDocument": doc, "range": {"start": {"line": 10 ** 6, "character": 0},
                                                                    "end": ZERO}, "context": {"diagnostics": []}},
         ("result", [])),
        ("textDocument/codeAction", {"textDocument": ELSEWHERE, "range": SPAN, "context": {"diagnostics": []}},
         ("result", [])),
        # what pcplan does not serve: references, symbols, formatting, a resolve, an unknown command
        ("textDocument/references", {"textDocument": doc, "position": at, "context": {"includeDeclaration": True}},
         ("error", METHOD_NOT_FOUND)),
        ("textDocument/references", {"textDocument": doc}, ("error", INVALID_PARAMS)),
        ("textDocument/documentSymbol", {"textDocument": doc}, ("error", METHOD_NOT_FOUND)),
        ("completionItem/resolve", {"label": "G1"}, ("error", METHOD_NOT_FOUND)),
        ("completionItem/resolve", {}, ("error", INVALID_PARAMS)),
        ("workspace/executeCommand", {"command": "pcplan.nothing"}, ("error", INVALID_PARAMS)),
        ("workspace/executeCommand", {}, ("error", INVALID_PARAMS)),
        ("workspace/executeCommand", None, ("error", INVALID_PARAMS)),
        # pcplan's own request: an answer of null for anything but a rule code
        ("pcplan/rule", {}, ("result", None)),
        ("pcplan/rule", [1, 2], ("result", None)),
        ("pcplan/rule", {"code": 5}, ("result", None)),
        # notifications sent as requests (with an id): pygls took them as the notification and never answered
        ("$/cancelRequest", {"id": 1}, ("error", METHOD_NOT_FOUND)),
        ("$/setTrace", {"value": "off"}, ("error", METHOD_NOT_FOUND)),
        ("$/progress", {"token": 1, "value": {}}, ("error", METHOD_NOT_FOUND)),
        ("initialized", {}, ("error", METHOD_NOT_FOUND)),
        ("textDocument/didSave", {"textDocument": doc}, ("error", METHOD_NOT_FOUND)),
    ]


def _expect(answer: dict, expected: tuple) -> None:
    kind, value = expected
    if kind == "error":
        assert "result" not in answer and answer["error"]["code"] == value, answer
    else:
        assert "error" not in answer and answer["result"] == value, answer


@pytest.fixture
def session(repo: CaseRepo):
    wire = Wire(repo.root)
    wire.deadline += 20  # many requests in one test: each must still come within QUICK seconds
    wire.initialize(repo.root)
    wire.notify("initialized", {})
    path = repo.path(ELENA_PLAN)
    uri = wire.open(path)
    assert wire.diagnostics(uri) == []
    line, character = where(repo.read(ELENA_PLAN), "needs: [N1]", len("needs: ["))
    yield wire, uri, {"line": line, "character": character}
    wire.close()


def test_every_request_with_invalid_parameters_is_answered_and_the_server_goes_on(session):
    wire, uri, at = session
    for method, params, expected in _cases(uri, at):
        started = time.monotonic()
        answer = wire.answer(wire.request(method, params))
        assert time.monotonic() - started < QUICK, f"{method} took {time.monotonic() - started:.1f} s"
        _expect(answer, expected)
        # and the next valid request is answered as it should be
        hover = wire.at("textDocument/hover", uri, at["line"], at["character"])["result"]
        assert hover["contents"]["value"].startswith("**need N1** · assessment A1"), method
    wire.still_answers()


def test_a_notification_sent_as_a_request_is_not_acted_on(session):
    # didClose with an id: refused, so the file stays open and keeps its diagnostics (none published for it).
    wire, uri, at = session
    _expect(wire.answer(wire.request("textDocument/didClose", {"textDocument": {"uri": uri}})),
            ("error", METHOD_NOT_FOUND))
    assert wire.at("textDocument/hover", uri, at["line"], at["character"])["result"] is not None  # still open
    published = [m["params"] for m in wire.seen if m.get("method") == "textDocument/publishDiagnostics"]
    assert published == [{"uri": uri, "version": 1, "diagnostics": []}]  # the open's, and no empty one since
    wire.still_answers()


PLACEHOLDER = re.compile(r"%[-#0 +]*[0-9]*(?:\.[0-9]+)?[sdrifxa(]")


def test_the_log_of_a_session_with_bad_input_shows_no_placeholder_and_no_member_text(session):
    wire, uri, at = session
    for method, params, _ in _cases(uri, at):
        wire.answer(wire.request(method, params))
    for method in ("textDocument/hover", "shutdown", "$/unknown", "unknown/notification"):  # as notifications
        wire.notify(method, {"textDocument": {"uri": uri}, "position": "x"})
    wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 10 ** 6, "character": 0}, "end": {"line": 10 ** 6 + 1, "character": 0}},
         "text": "Elena"}]})
    wire.still_answers()
    log = wire.stderr()
    # pygls' own lines are kept, their arguments withheld: "Unable to deserialize message\n%s" printed a literal
    # %s on a line of its own, and "Failed to handle request %r, unknown method %r" two %r.
    assert "pygls.protocol.json_rpc: ERROR: Unable to deserialize message … (details withheld)" in log
    assert "pygls.protocol.json_rpc: WARNING: Failed to handle request …, unknown method … (details withheld)" in log
    assert PLACEHOLDER.findall(log) == []
    for words in ("Elena", "medicines", "Jordan Lee"):
        assert words not in log
    assert all(line.startswith(("pygls.", "pcplan.")) for line in log.splitlines()), log


@pytest.mark.parametrize("message, shown", [
    ("Unable to deserialize message\n%s", "Unable to deserialize message …"),
    ("Failed to handle request %r, unknown method %r", "Failed to handle request …, unknown method …"),
    ("%(name)s took %5.2f s, %d%% done", "… took … s, …% done"),
    ("no placeholder: 50%", "no placeholder: 50%"),
])
def test_a_log_message_is_shown_with_its_placeholders_withheld(message, shown):
    assert withheld(message) == shown
