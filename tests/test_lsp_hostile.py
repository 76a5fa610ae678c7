"""`pcplan lsp` against a hostile connection, hostile settings and a hostile repository (issue 27: 5, 16, 20).

Each end-to-end test starts the real server (``python -m pcplan lsp``) on real pipes and writes the bytes an
attacker would: frames with absurd or malformed headers, bodies that are not JSON-RPC, parameters that do not
deserialize, a ``ruleUrl`` format meant to make every diagnostic 100 MB, URIs of files outside the workspace,
``/dev/zero``, a named pipe and links out of the repository. Every wait is bounded: the pipes are read and
written with ``select`` against a deadline, so a test ends within DEADLINE seconds or fails, and the server
runs with its address space capped, so a regression that reads without bound fails its test, not the machine.
After each attack the server must still answer a valid request (where the protocol allows recovery) and end
cleanly on ``shutdown``/``exit``, with no traceback in its log.
"""

from __future__ import annotations

import io
import json
import os
import resource
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from pygls.uris import from_fs_path

from conftest import ELENA_ASSESSMENT, ELENA_PLAN, CaseRepo, slow_except
from pcplan.lsp.diagnostics import DEFAULT_RULE_URL, MAX_RULE_URL, rule_template_problem, rule_url
from pcplan.lsp.options import read_options
from pcplan.lsp.transport import MAX_MESSAGE_BYTES, Broken, FrameReader
from pcplan.lsp.workspace import read_text
from pcplan.walk import OUTSIDE

DEADLINE = 10.0  # seconds a whole test may take, server start included
QUICK = 3.0  # seconds an answer that reads nothing may take
MEMORY_CAP = 2 * 1024 ** 3  # the server's address space: far above its needs, far below the machine's
MAX_ANSWER = 4 * 1024 * 1024  # no answer in these tests is near this; a larger one fails the test unread
TODAY = "2026-11-22"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


class Wire:
    """A `pcplan lsp` process and raw access to its pipes, every wait bounded by one deadline."""

    def __init__(self, cwd: Path) -> None:
        self.log = tempfile.TemporaryFile()
        env = {**os.environ, "PCPLAN_TODAY": TODAY}
        self.proc = subprocess.Popen([sys.executable, "-m", "pcplan", "lsp"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     preexec_fn=_cap_memory)  # noqa: PLW1509 - setrlimit only, no lock taken
        self.deadline = time.monotonic() + DEADLINE
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.buffer = b""
        self.ids = iter(range(1, 10_000))
        self.seen: list[dict] = []  # every message the server sent, in order

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        assert remaining > 0, "the server did not answer within the test's deadline (blocked?)"
        return remaining

    # --- writing ---------------------------------------------------------------------------------

    def raw(self, data: bytes) -> None:
        """Write bytes to the server's stdin, never blocking past the deadline."""
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            _, ready, _ = select.select([], [fd], [], min(self.left(), 0.5))
            if ready:
                try:
                    view = view[os.write(fd, view[:65536]):]
                except BlockingIOError:
                    continue

    def frame(self, body: bytes) -> bytes:
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def send(self, message: dict) -> None:
        self.raw(self.frame(json.dumps(message).encode("utf-8")))

    def request(self, method: str, params: Any = None) -> int:
        msg_id = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    # --- reading ---------------------------------------------------------------------------------

    def _more(self, until: float) -> None:
        fd = self.proc.stdout.fileno()
        wait = min(self.left(), until - time.monotonic())
        if wait <= 0:
            return
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 1 << 20)
            assert chunk, "the server closed its output (it ended)"
            self.buffer += chunk

    def message(self, within: float | None = None) -> dict | None:
        """The server's next message; None when none comes ``within`` seconds (at most the deadline)."""
        until = time.monotonic() + (within if within is not None else DEADLINE)
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if sep:
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                assert length <= MAX_ANSWER, f"an answer of {length:,} bytes"
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    message = json.loads(rest[:length])
                    self.seen.append(message)
                    return message
            assert len(self.buffer) <= MAX_ANSWER + 1024, "an answer too large"
            if time.monotonic() >= until:
                return None
            self._more(until)

    def answer(self, msg_id: int | None) -> dict:
        """The response to ``msg_id`` (None: an error response with id null), other messages kept in seen."""
        while True:
            message = self.message(self.left())
            assert message is not None, f"no answer to {msg_id}"
            if "method" in message and "id" in message:  # a request of the server's: answered, as a client does
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            if "method" not in message and message.get("id", "absent") == msg_id:
                return message

    def notifications(self, method: str) -> list[dict]:
        return [m for m in self.seen if m.get("method") == method]

    def diagnostics(self, uri: str) -> list[dict]:
        """The next diagnostics published for ``uri``."""
        while True:
            message = self.message(self.left())
            assert message is not None
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    # --- the protocol's steps --------------------------------------------------------------------

    def initialize(self, root: Path | None = None, options: Any = None, encodings: list[str] | None = None) -> dict:
        capabilities: dict = {"textDocument": {"hover": {"contentFormat": ["markdown"]}}}
        if encodings:
            capabilities["general"] = {"positionEncodings": encodings}
        params = {"processId": None, "rootUri": from_fs_path(str(root)) if root else None,
                  "capabilities": capabilities}
        if options is not None:
            params["initializationOptions"] = options
        answer = self.answer(self.request("initialize", params))
        assert "capabilities" in answer["result"], answer
        return answer["result"]

    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path))
        text = path.read_text(encoding="utf-8") if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                              "text": text}})
        return uri

    def at(self, method: str, uri: str, line: int, character: int) -> dict:
        """A hover, definition or completion request, answered within QUICK seconds."""
        started = time.monotonic()
        answer = self.answer(self.request(method, {"textDocument": {"uri": uri},
                                                   "position": {"line": line, "character": character}}))
        assert time.monotonic() - started < QUICK, f"{method} took {time.monotonic() - started:.1f} s"
        return answer

    def still_answers(self) -> None:
        """A valid request after the attack is answered; then the server ends cleanly on shutdown and exit."""
        answer = self.answer(self.request("pcplan/rule", {"code": "L101"}))
        assert answer["result"]["code"] == "L101", answer
        assert self.answer(self.request("shutdown")) == {"jsonrpc": "2.0", "id": answer["id"] + 1, "result": None}
        self.notify("exit")
        self.wait_end()

    def wait_end(self) -> None:
        try:
            self.proc.wait(timeout=self.left())
        except subprocess.TimeoutExpired:
            raise AssertionError("the server did not end") from None
        assert self.proc.returncode == 0, self.stderr()
        assert "Traceback" not in self.stderr(), self.stderr()

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.log.close()


@pytest.fixture
def wire(repo: CaseRepo):
    server = Wire(repo.root)
    yield server
    server.close()


def error_of(answer: dict) -> int:
    assert "error" in answer and "result" not in answer, answer
    return answer["error"]["code"]


def where(text: str, snippet: str, offset: int = 0) -> tuple[int, int]:
    """(line, character) of ``snippet`` in ASCII text, 0-based, as LSP counts."""
    index = text.index(snippet) + offset
    return text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)


# === 20: frames ==================================================================================

VALID = b'{"jsonrpc":"2.0","id":99,"method":"pcplan/rule","params":{"code":"L101"}}'


@pytest.mark.parametrize("header", slow_except([
    pytest.param(b"Content-Length: 99999999999\r\n\r\n", id="93-GiB"),  # a MemoryError that ended the server
    pytest.param(b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n", id="5000-digits"),  # past Python's 4,300: ValueError
    pytest.param(b"Content-Length: %d\r\n\r\n" % (MAX_MESSAGE_BYTES + 1), id="limit+1"),  # one byte over the limit
], "93-GiB"))
def test_a_length_over_the_limit_is_refused_with_invalid_request_and_the_next_request_is_answered(wire, header):
    wire.raw(header + VALID)  # the body the attacker declared so large follows; pcplan does not wait for the rest
    assert error_of(wire.answer(None)) == -32600
    answer = wire.answer(wire.request("pcplan/rule", {"code": "C305"}))
    assert answer["result"]["code"] == "C305"
    wire.still_answers()


@pytest.mark.parametrize("header", slow_except([
    pytest.param(b"Content-Length: abc\r\n\r\n", id="letters"),
    pytest.param(b"Content-Length: -5\r\n\r\n", id="negative"),
    pytest.param(b"Content-Lenght: 75\r\n\r\n", id="misspelt"),
    pytest.param(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n", id="no-length"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", id="http"),
    pytest.param(b"Content-Length: 75\x00\r\n\r\n", id="nul"),
], "letters"))
def test_a_malformed_header_is_a_parse_error_and_the_server_keeps_answering(wire, header):
    wire.raw(header + VALID)
    assert error_of(wire.answer(None)) == -32700
    wire.still_answers()  # pygls read every later body as a header: nothing was ever answered again


def test_a_header_line_of_a_mebibyte_is_skipped_and_the_message_after_it_answered(wire):
    wire.raw(b"X-Padding: " + b"A" * (1 << 20) + b"\r\n" + wire.frame(VALID))
    assert wire.answer(99)["result"]["code"] == "L101"
    wire.raw(b"B" * (1 << 20) + b"\r\n\r\n" + wire.frame(VALID))  # junk, then a blank line: one parse error
    assert error_of(wire.answer(None)) == -32700
    assert wire.answer(99)["result"]["code"] == "L101"
    wire.still_answers()


NOT_JSON = {
    "not-json": b"{not json",
    "not-utf8": b'{"jsonrpc":"2.0","id":1,"method":"pcplan/rule","params":{"code":"\xff\xfe"}}',
    "nested-200000": b"[" * 200_000,  # a RecursionError in the parser
    "empty": b"",
    "5000-digit-id": b'{"jsonrpc":"2.0","id":1' + b"1" * 5000 + b',"method":"shutdown"}',
}


def test_a_body_that_is_not_json_is_a_parse_error(wire):
    for name, body in NOT_JSON.items():  # one server, one attack after another: each answered, each survived
        wire.raw(wire.frame(body) + wire.frame(VALID))
        assert error_of(wire.answer(None)) == -32700, name
        assert wire.answer(99)["result"]["code"] == "L101", name
    wire.still_answers()


NOT_A_REQUEST = [  # (body, the id the error answers: null when the message's own cannot be used)
    (b"[]", None),
    (b"42", None),
    (b'"initialize"', None),
    (b'[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]', None),  # a batch: not part of LSP
    (b'{"id":7,"method":"shutdown"}', 7),  # no "jsonrpc"
    (b'{"jsonrpc":"1.0","id":7,"method":"shutdown"}', 7),
    (b'{"jsonrpc":"2.0","id":7,"method":5}', 7),
    (b'{"jsonrpc":"2.0","id":[7],"method":"shutdown"}', None),
    (b'{"jsonrpc":"2.0","id":true,"method":"shutdown"}', None),
    (b'{"jsonrpc":"2.0","id":7}', None),  # neither a request nor a response
    (b'{"jsonrpc":"2.0","id":7,"result":1,"error":{"code":1,"message":"x"}}', None),
]


def test_json_that_is_not_a_request_is_an_invalid_request(wire):
    for body, msg_id in NOT_A_REQUEST:
        wire.raw(wire.frame(body) + wire.frame(VALID))
        assert error_of(wire.answer(msg_id)) == -32600, body
        assert wire.answer(99)["result"]["code"] == "L101", body
    wire.still_answers()  # and `shutdown` in a batch, or without "jsonrpc", did not shut the server down


def test_a_request_whose_parameters_do_not_deserialize_gets_invalid_params(wire, repo):
    # initialize with a process id that is text, or without capabilities: answered -32602 (pygls answered
    # nothing, and the editor waited for ever), and a valid initialize after it works.
    for params in ({"processId": "not a process", "rootUri": None, "capabilities": {}},
                   {"processId": None, "rootUri": None},
                   {"processId": None, "rootUri": None, "capabilities": {"general": {"positionEncodings": 5}}}):
        assert error_of(wire.answer(wire.request("initialize", params))) == -32602
    wire.initialize(repo.root)
    for params in ({"textDocument": 5, "position": {"line": 0, "character": 0}},
                   {"textDocument": {"uri": "file:///x.yaml"}, "position": {"line": -1, "character": 0}},
                   {"textDocument": {"uri": "file:///x.yaml"}, "position": {"line": 2 ** 80, "character": 0}},
                   None):
        assert error_of(wire.answer(wire.request("textDocument/hover", params))) == -32602
    # A notification like it gets no answer (notifications never do) and costs nothing else.
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": 5, "text": ["no"]}})
    wire.still_answers()
    assert not any("id" in m and m["id"] is None for m in wire.seen)


def test_a_body_shorter_than_its_length_takes_the_next_message_then_the_server_reads_on(wire):
    # 100 bytes: "{}", the whole next frame (98 bytes) and the first 2 bytes of the one after, which is lost
    # with it, as the framing says; one parse error, then the message after those is answered.
    wire.raw(b"Content-Length: 100\r\n\r\n{}" + wire.frame(VALID) + wire.frame(VALID.replace(b"99", b"98"))
             + wire.frame(VALID.replace(b"99", b"97")))
    assert error_of(wire.answer(None)) == -32700
    assert wire.answer(97)["result"]["code"] == "L101"
    wire.still_answers()
    assert [m["id"] for m in wire.seen if "error" in m] == [None]


def test_the_input_ending_inside_a_message_ends_the_server_cleanly(wire):
    wire.raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":")
    wire.proc.stdin.close()
    wire.wait_end()


def test_frame_reader_skips_without_holding_what_it_skips():
    """Bounded in memory as well as in length: 32 MiB of junk without a line break, then a message, read with
    the reader's peak allocation under a mebibyte."""
    junk = [b"J" * 65536] * 512
    stream = iter([b"Content-Length: 99999999999\r\n\r\n", *junk, b"Content-Length: 2\r\n\r\n{}"])
    pending = bytearray()

    def read(n: int) -> bytes:
        nonlocal pending
        if not pending:
            pending = bytearray(next(stream, b""))
        chunk, pending = bytes(pending[:n]), pending[n:]
        return chunk

    reader = FrameReader(read)
    tracemalloc.start()
    try:
        first, second, third = reader.next(), reader.next(), reader.next()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert first == Broken(-32600, first.message) and "99,999,999,999 bytes" in first.message
    assert second == b"{}" and third is None
    assert peak < 1024 * 1024


def test_frame_reader_limits_and_recovery_with_a_small_limit():
    frames = (b"Content-Length: 11\r\n\r\n" + b'{"a":"bcd"}'  # over a limit of 10
              + b"\r\n\r\n\n"  # blank lines inside what is skipped: no second error
              + b"content-length:4\n\n" + b"null"  # any case, bare LF, no spaces
              + b"Content-Length: 010\r\nContent-Type: x\r\n\r\n" + b'"abcdefgh"'  # leading zero: 10 bytes
              + b"no header at all\r\n\r\n" + b"orphan body" + b"Content-Length: 2\r\n\r\n[]")
    reader = FrameReader(io.BytesIO(frames).read, max_bytes=10, max_line=64)
    got = [reader.next() for _ in range(6)]
    assert [g.code if isinstance(g, Broken) else g for g in got] == \
        [-32600, b"null", b'"abcdefgh"', -32700, b"[]", None]


# === 16: ruleUrl =================================================================================

def test_a_rule_url_format_meant_to_make_diagnostics_huge_is_refused_once_and_links_stay_pcplans(wire, repo):
    """`.vscode/settings.json` sets `pcplan.ruleUrl` to `{code:>100000000}`: with str.format every diagnostic
    was 100 MB and the editor received none, so a file with errors looked clean."""
    wire.initialize(repo.root, {"ruleUrl": "{code:>100000000}", "debounceMs": 0})
    (shown,) = wire.notifications("window/showMessage")
    assert shown["params"]["type"] == 2  # a warning
    assert "ruleUrl is not used" in shown["params"]["message"] and "100000000" not in shown["params"]["message"]
    plan = repo.path(ELENA_PLAN)
    uri = wire.open(plan, plan.read_text(encoding="utf-8").replace("needs: [N3, N4]", "needs: [N3]"))
    (l103,) = wire.diagnostics(uri)
    assert l103["code"] == "L103" and l103["codeDescription"]["href"] == "pcplan://rule/L103"
    # The related location in the assessment was read from disk (by check's rules) and converted.
    (related,) = l103["relatedInformation"]
    assert related["location"]["uri"] == from_fs_path(str(repo.path(ELENA_ASSESSMENT)))
    assert related["location"]["range"]["start"] == dict(zip(("line", "character"), where(
        repo.read(ELENA_ASSESSMENT), "id: N4")))
    wire.still_answers()
    assert len(wire.notifications("window/showMessage")) == 1


def test_a_valid_rule_url_template_links_each_code_to_its_heading(wire, repo):
    wire.initialize(repo.root, {"ruleUrl": "  https://intranet.example.org/pcplan/rules.html#{anchor}  "})
    plan = repo.path(ELENA_PLAN)
    uri = wire.open(plan, plan.read_text(encoding="utf-8").replace("needs: [N3, N4]", "needs: [N3]"))
    (l103,) = wire.diagnostics(uri)
    assert l103["codeDescription"]["href"] == \
        "https://intranet.example.org/pcplan/rules.html#l103-need-unaddressed"
    assert wire.notifications("window/showMessage") == []
    wire.still_answers()


@pytest.mark.parametrize("template", [
    "{code:>100000000}",
    "https://docs.example.org/{code:>100000000}",
    "https://docs.example.org/{code.__class__.__mro__}",
    "https://docs.example.org/{0}",
    "https://docs.example.org/{{code}}",
    "https://docs.example.org/{code!r}",
    "https://docs.example.org/{nope}",
    "javascript:alert(1)//{code}",
    "file:///etc/passwd#{code}",
    "data:text/html,{code}",
    "command:workbench.action.terminal.new?{code}",
    "https:///rules/{code}",
    "{code}https://docs.example.org/",
    "https://docs.example.org/ {code}",
    "https://docs.example.org/\n{code}",
    "https://docs.example.org/\u202e{code}",
    "https://docs.example.org/" + "a" * MAX_RULE_URL + "{code}",
], ids=lambda t: repr(t)[:40])
def test_rule_url_refuses_every_template_that_is_not_a_bounded_http_address_with_known_placeholders(template):
    assert rule_template_problem(template) is not None
    assert rule_url("L101", template) == "pcplan://rule/L101"


def test_rule_url_replaces_only_the_literal_placeholders():
    assert rule_template_problem(DEFAULT_RULE_URL) is None
    assert rule_url("L101", "http://intranet/rules#{anchor}?c={code}&again={code}") == \
        "http://intranet/rules#l101-goal-without-need?c=L101&again=L101"
    assert rule_url("L101", "HTTPS://{code}.rules.example.org/") == "HTTPS://L101.rules.example.org/"
    longest = "https://docs.example.org/" + "a" * (MAX_RULE_URL - len("https://docs.example.org/{code}")) + "{code}"
    assert len(longest) == MAX_RULE_URL and rule_url("L101", longest).endswith("aL101")


def test_options_of_the_wrong_type_or_range_are_named_once_and_the_others_kept():
    chosen = read_options({"debounceMs": "fast", "ruleUrl": ["https://x.org/{code}"], "today": "tomorrow",
                           "unknown": {"deep": 1}})
    assert (chosen.debounce, chosen.rule_template, chosen.today) == (None, None, None)
    assert [p.split(" ")[0] for p in chosen.problems] == ["debounceMs", "ruleUrl", "today"]
    for debounce in (-1, 10_001, float("inf"), float("nan"), True, None):
        assert read_options({"debounceMs": debounce}).debounce is None
    assert read_options({"debounceMs": 0, "today": " 2026-11-22 ", "ruleUrl": ""}).today.isoformat() == TODAY
    assert read_options({"debounceMs": 250}).debounce == 0.25
    assert read_options({"debounceMs": None, "ruleUrl": None, "today": None}).problems == []  # unset settings
    assert read_options("debounceMs=0").problems == ["the initialization options are not an object of named options"]
    assert read_options({"today": "2026-11-22" + " " * 10_000}).problems  # bounded before it is parsed


def test_an_invalid_option_leaves_the_negotiated_positions_and_the_others_in_force(wire, repo):
    """A `today` that is not a date stopped initialize half-way: positions stayed UTF-16 with a UTF-8 client."""
    result = wire.initialize(repo.root, {"today": "not a date", "debounceMs": 0}, encodings=["utf-8"])
    assert result["capabilities"]["positionEncoding"] == "utf-8"
    (shown,) = wire.notifications("window/showMessage")
    assert "today must be a date" in shown["params"]["message"]
    plan = repo.path(ELENA_PLAN)
    text = plan.read_text(encoding="utf-8") + "# \U0001f642 L101\n"
    uri = wire.open(plan, text)
    assert wire.diagnostics(uri) == []
    line = text.count("\n") - 1
    hover = wire.at("textDocument/hover", uri, line, 8)  # "# " 2 bytes, the emoji 4, a space: L101 at byte 7
    assert hover["result"]["range"]["start"] == {"line": line, "character": 7}
    wire.still_answers()


# === 5: what the server reads ====================================================================

@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository: another agency's repository, or a user's private files."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_staff_yaml_linked_from_outside_is_not_read_for_hover_or_definition(wire, repo, outside):
    secret = repo.read("staff.yaml").replace("Jordan Lee", "Quentin Outsider")
    (outside / "staff.yaml").write_text(secret, encoding="utf-8")
    repo.path("staff.yaml").unlink()
    repo.path("staff.yaml").symlink_to(outside / "staff.yaml")
    wire.initialize(repo.root, {"debounceMs": 0})
    plan = repo.path(ELENA_PLAN)
    text = plan.read_text(encoding="utf-8")
    uri = wire.open(plan, text)
    wire.diagnostics(uri)
    line, character = where(text, "facilitator: cm-jlee", len("facilitator: "))
    hover = wire.at("textDocument/hover", uri, line, character)["result"]
    assert hover is not None and "Outsider" not in json.dumps(hover)
    assert "No staff member `cm\\-jlee` in this member's record." in hover["contents"]["value"]
    assert wire.at("textDocument/definition", uri, line, character)["result"] is None
    wire.still_answers()
    assert "Outsider" not in json.dumps(wire.seen) and "Outsider" not in wire.stderr()


def test_a_file_of_another_repository_is_not_read_named_or_opened(wire, repo, outside):
    other = outside / "other-agency"
    shutil.copytree(repo.root, other)
    other.joinpath("staff.yaml").write_text(repo.read("staff.yaml").replace("Jordan Lee", "Quentin Outsider"),
                                            encoding="utf-8")
    wire.initialize(repo.root, {"debounceMs": 0})
    plan = other / ELENA_PLAN
    text = plan.read_text(encoding="utf-8")
    line, character = where(text, "facilitator: cm-jlee", len("facilitator: "))
    uri = from_fs_path(str(plan))
    # Named only (never opened): pygls read the file from disk, and pcplan its member folder and staff.yaml.
    assert wire.at("textDocument/hover", uri, line, character)["result"] is None
    assert wire.at("textDocument/definition", uri, line, character)["result"] is None
    assert wire.at("textDocument/completion", uri, line, character)["result"] is None
    # Opened: the editor sent its text, but the repository around it is not the workspace's: nothing is read.
    wire.open(plan, text.replace("needs: [N3, N4]", "needs: [N3]"))
    assert wire.diagnostics(uri) == []
    assert wire.at("textDocument/hover", uri, line, character)["result"] is None
    wire.still_answers()
    assert "Outsider" not in json.dumps(wire.seen)


def test_dev_zero_is_never_read(wire, repo):
    """pygls read a URI it was only named until memory ran out (here, until the address-space cap)."""
    wire.initialize(repo.root)
    link = repo.path("members/M-000123/zero.yaml")
    link.symlink_to("/dev/zero")
    for method in ("textDocument/hover", "textDocument/definition", "textDocument/completion"):
        for uri in ("file:///dev/zero", "file:///dev/zero?x.yaml", "file:///dev/urandom", from_fs_path(str(link))):
            assert wire.at(method, uri, 0, 0)["result"] is None, (method, uri)
    wire.still_answers()


def test_a_named_pipe_in_the_workspace_blocks_nothing(wire, repo):
    fifo = repo.path("members/M-000123/pipe.yaml")
    os.mkfifo(fifo)
    wire.initialize(repo.root, {"debounceMs": 0})
    fifo_uri = from_fs_path(str(fifo))
    assert wire.at("textDocument/hover", fifo_uri, 0, 0)["result"] is None  # pygls opened it and waited
    assert wire.at("textDocument/definition", fifo_uri, 0, 0)["result"] is None
    # A plan of the member folder holding the pipe: checked, the pipe refused (as `check` refuses it).
    plan = repo.path(ELENA_PLAN)
    text = plan.read_text(encoding="utf-8")
    uri = wire.open(plan, text)
    assert wire.diagnostics(uri) == []
    line, character = where(text, "facilitator: cm-jlee", len("facilitator: "))
    assert "Jordan Lee" in wire.at("textDocument/hover", uri, line, character)["result"]["contents"]["value"]
    # The pipe opened in the editor: the editor's text is checked; nothing waits on the pipe.
    wire.open(fifo, "kind: note\nversion: 1\n")
    assert isinstance(wire.diagnostics(fifo_uri), list)
    wire.still_answers()


def test_a_case_file_linked_from_outside_is_e005_and_nothing_around_it_is_read(wire, repo, outside):
    target = outside / "plan.yaml"
    shutil.copy(repo.path(ELENA_PLAN), target)
    link = repo.path("members/M-000123/plan-2026-12-01.yaml")
    link.symlink_to(target)
    wire.initialize(repo.root, {"debounceMs": 0})
    text = target.read_text(encoding="utf-8")
    uri = wire.open(link, text)
    (refused,) = wire.diagnostics(uri)
    assert (refused["code"], refused["message"], refused["range"]["start"]) == \
        ("E005", OUTSIDE, {"line": 0, "character": 0})
    line, character = where(text, "facilitator: cm-jlee", len("facilitator: "))
    assert wire.at("textDocument/hover", uri, line, character)["result"] is None
    wire.still_answers()


def test_without_a_workspace_only_opened_documents_are_answered(wire, repo):
    """An editor that names no folder (a file opened on its own): each opened file is checked in its own
    repository, as `pcplan check FILE` would; a URI it only names is still never read."""
    wire.initialize(None, {"debounceMs": 0})
    plan = repo.path(ELENA_PLAN)
    text = plan.read_text(encoding="utf-8")
    line, character = where(text, "facilitator: cm-jlee", len("facilitator: "))
    uri = from_fs_path(str(plan))
    assert wire.at("textDocument/hover", uri, line, character)["result"] is None
    wire.open(plan, text.replace("needs: [N3, N4]", "needs: [N3]"))
    assert [d["code"] for d in wire.diagnostics(uri)] == ["L103"]
    assert "Jordan Lee" in wire.at("textDocument/hover", uri, line, character)["result"]["contents"]["value"]
    wire.still_answers()


def test_read_text_reads_by_checks_rules(repo, outside):
    root = repo.root
    assert read_text(repo.path(ELENA_PLAN), root) == repo.read(ELENA_PLAN)
    fifo = repo.path("members/M-000123/pipe.yaml")
    os.mkfifo(fifo)
    started = time.monotonic()
    assert read_text(fifo, root) is None and time.monotonic() - started < QUICK
    zero = repo.path("members/M-000123/zero.yaml")
    zero.symlink_to("/dev/zero")
    assert read_text(zero, root) is None
    (outside / "secret.yaml").write_text("kind: note\n", encoding="utf-8")
    out = repo.path("members/M-000123/out.yaml")
    out.symlink_to(outside / "secret.yaml")
    assert read_text(out, root) is None and read_text(outside / "secret.yaml", root) is None
    git = repo.path(".git")
    git.mkdir()
    (git / "config.yaml").write_text("x: 1\n", encoding="utf-8")
    repo.path("members/M-000123/git.yaml").symlink_to(git / "config.yaml")
    assert read_text(repo.path("members/M-000123/git.yaml"), root) is None
    big = repo.path("members/M-000123/big.yaml")
    with big.open("wb") as handle:
        handle.truncate(4 * 1024 * 1024 + 1)
    assert read_text(big, root) is None
    repo.path("members/M-000123/latin1.yaml").write_bytes(b"name: Jos\xe9\n")
    assert read_text(repo.path("members/M-000123/latin1.yaml"), root) is None
    assert read_text(repo.path("members/M-000123/latin1.yaml"), root, errors="replace") == "name: Jos\ufffd\n"
