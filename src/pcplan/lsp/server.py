"""The language server: pygls wiring, debounced checks, and a guard around every request.

Diagnostics are published on open and on save at once, and on change after the
case manager pauses for ``debounce`` seconds (DEFAULT_DEBOUNCE, or the
``debounceMs`` initialization option), always for the text the check read
(with its version). A save, or a change on disk to a file of the member folder,
staff.yaml or pcplan.toml, re-checks the open files it can affect.

Safety: the server never writes a file (fixes are WorkspaceEdits the editor
applies); its log lines hold codes, counts, paths and exception type names,
never a case file's text; and any error while handling a message is caught, so
a broken file or a bug in pcplan costs one answer, never the server. It answers
only for documents the editor opened and sent (never a URI it was merely
named), inside the repositories of the editor's workspace folders, and reads
the files around one by ``pcplan check``'s rules (``workspace``). Messages are
read with every length bounded and malformed ones answered (``transport``);
initialization options are checked, and an invalid one is named to the user
once and not used (``options``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..config import find_root
from ..facts.lifecycle import lifecycle
from ..findings import Finding
from ..output import plural
from . import transport
from .actions import exception_action, fingerprint_action, quantities_action, signature_actions
from .completion import TRIGGERS, complete
from .diagnostics import DEFAULT_RULE_URL, Converter, check_text
from .hover import hover_markdown, rule_text, to_hover
from .options import message as options_message
from .options import read_options
from .positions import UTF16, Text, encoding_of
from .references import field_target, find
from .syntax import declared_kind, key_path, word_at
from .workspace import Files, Place, Record, inside, link_refusal, place_of, read_text, scopes_of

# Typing runs at 3 to 8 keys a second: a pause of 150 ms is the end of a burst, not the space between two
# keys, and it leaves half of the 300 ms budget to the check (about 15 ms for a reference plan, 20 ms at the
# 90th percentile: benchmarks/lsp_latency.py, docs/editors.md).
DEFAULT_DEBOUNCE = 0.15
RELATED_DELAY = 0.05  # a save or a change on disk: others are re-checked once the burst (a git checkout) ends

log = logging.getLogger("pcplan.lsp")


@dataclass
class Published:
    """What was last published for an open file: the text checked, its version and findings."""

    version: int | None
    text: Text
    place: Place | None
    findings: list[Finding] = field(default_factory=list)


class PcplanServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("pcplan", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.files = Files()
        self.pending: dict[str, asyncio.Task] = {}
        self.published: dict[str, Published] = {}
        self.debounce = DEFAULT_DEBOUNCE
        self.rule_template = DEFAULT_RULE_URL
        self.encoding = UTF16
        self.markdown = True
        self.today_override: date | None = None
        self._scopes: tuple[tuple[str, ...], tuple[Path, ...] | None] | None = None

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """pygls' stdio server, reading with pcplan's bounded reader (``transport``) instead of pygls' own."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(transport.run(self, stdin or sys.stdin.buffer))
        except BrokenPipeError:
            log.warning("pcplan lsp: the editor closed the connection; stopping")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    # --- reporting, without member text ----------------------------------------------------------

    def note(self, message: str) -> None:
        """A log line for the editor's output panel (codes, counts, paths only)."""
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=message))
        except Exception:  # noqa: BLE001 - no client to tell: nothing else to do
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls would show str(error), which can quote a message's content: the type only.
        self.note(f"pcplan lsp: internal error ({type(error).__name__})")

    # --- the document and its record -------------------------------------------------------------

    def opened(self, uri: str) -> Any:
        """The document the editor opened at ``uri`` (its text as sent), or None. Never the file on disk:
        pygls would read a URI it was only named (a pipe, ``/dev/zero``, another repository's file)."""
        try:
            documents = self.workspace.text_documents
        except Exception:  # noqa: BLE001 - before initialize: no workspace
            return None
        return documents.get(unquote(uri)) or documents.get(uri) if isinstance(uri, str) else None

    def text_of(self, uri: str) -> str | None:
        document = self.opened(uri)
        return document.source if document is not None else None

    def scopes(self) -> tuple[Path, ...] | None:
        """The repositories of the editor's workspace folders (its root when it names no folder), the only
        places the server reads; None when it named neither (each file is read in its own repository)."""
        try:
            workspace = self.workspace
            named = [f.uri for f in workspace.folders.values()] + ([workspace.root_uri] if workspace.root_uri else [])
        except Exception:  # noqa: BLE001 - before initialize
            named = []
        key = tuple(sorted(u for u in named if isinstance(u, str)))
        if self._scopes is None or self._scopes[0] != key:
            folders = [Path(p) for p in (to_fs_path(u) if u.startswith("file:") else None for u in key) if p]
            self._scopes = (key, scopes_of(folders) if key else None)
            if key and not self._scopes[1]:
                self._scopes = (key, ())  # folders named, none a local folder: nothing is read
        return self._scopes[1]

    def text_at(self, path: Path) -> str | None:
        """A file's text as the editor has it (open, maybe unsaved), else as on disk by check's rules:
        inside the workspace's repositories, a regular file, not through a link check refuses."""
        for uri in self.published:
            mine = _path(uri)
            if mine is not None and Path(os.path.realpath(mine)) == path:
                text = self.text_of(uri)
                if text is not None:
                    return text
        root = find_root(Path(os.path.realpath(path)).parent)
        scopes = self.scopes()
        if scopes is not None and not any(inside(root, scope) for scope in scopes):
            return None
        return read_text(path, root)

    def place(self, uri: str, text: str) -> Place | None:
        path = _path(uri)
        return place_of(path, text, self.scopes()) if path is not None else None

    def today(self) -> date:
        if self.today_override is not None:
            return self.today_override
        from ..dates import DateError, resolve_today

        try:
            return resolve_today(None)
        except DateError:
            return date.today()

    def record(self, place: Place, text: str) -> Record:
        return self.files.record(place, text)

    # --- checking --------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        old = self.pending.pop(uri, None)
        if old is not None and not old.done():
            old.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._later(uri, delay))

    async def _later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            self.check_now(uri)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in pcplan must not stop the server
            self.note(f"pcplan lsp: internal error while checking {_shown(uri)} ({type(exc).__name__})")
            log.debug("internal error while checking", exc_info=True)
            self._internal_error(uri, exc)

    def _internal_error(self, uri: str, exc: Exception) -> None:
        """Say so in the file (as `pcplan check` reports E000), rather than leave old diagnostics standing."""
        try:
            version = self.opened(uri).version
            self.publish(uri, [types.Diagnostic(
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                message=f"internal error in pcplan while checking this file ({type(exc).__name__}); please report "
                        "it (the other files are still checked)",
                severity=types.DiagnosticSeverity.Error, code="E000", source="pcplan")], version)
        except Exception:  # noqa: BLE001
            pass

    def check_now(self, uri: str) -> None:
        document = self.opened(uri)
        if document is None:
            return  # closed meanwhile
        source, version = document.source, document.version
        text = Text(source, self.encoding)
        place = self.place(uri, source)
        if place is None:
            self.published[uri] = Published(version, text, None)
            self.publish(uri, self._refused(uri), version)
            return
        outcome = check_text(place, source, self.today())
        convert = Converter(place, text, self.rule_template)
        diagnostics = [convert.diagnostic(f, n) for n, f in enumerate(outcome.findings)]
        if outcome.problem:
            diagnostics.insert(0, convert.problem(outcome.problem))
        self.published[uri] = Published(version, text, place, outcome.findings)
        self.publish(uri, diagnostics, version)
        codes = sorted({f.code for f in outcome.findings})
        self.note(f"checked {place.path} in {outcome.seconds * 1000:.0f} ms: {plural(len(outcome.findings), 'finding')}"
                  + (f" ({', '.join(codes)})" if codes else ""))

    def _refused(self, uri: str) -> list[types.Diagnostic]:
        """A case file opened through a symlink `pcplan check` does not follow: its E005, as check reports it
        (nothing around it is read). Any other file pcplan does not check gets nothing."""
        path = _path(uri)
        if path is None or not str(path).endswith((".yaml", ".yml")):
            return []
        reason = link_refusal(path)
        if reason is None:
            return []
        scopes = self.scopes()
        if scopes is not None and not any(inside(Path(os.path.realpath(path.parent)), s) for s in scopes):
            return []  # outside the workspace: not pcplan's to judge
        return [types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                                   end=types.Position(line=0, character=0)),
                                 message=reason, severity=types.DiagnosticSeverity.Error, code="E005",
                                 source="pcplan")]

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def recheck_others(self, changed: Path, skip: str | None = None) -> None:
        """Re-check the open files a change to ``changed`` (on disk) can affect."""
        self.files.forget(changed)
        config_or_staff = changed.name in ("pcplan.toml", "staff.yaml", "staff.yml")
        for uri, seen in list(self.published.items()):
            if uri == skip or seen.place is None:
                continue
            place = seen.place
            affected = (config_or_staff and changed.parent == place.root) or \
                (place.folder is not None and place.folder in changed.parents)
            if affected:
                self.schedule(uri, RELATED_DELAY)


def _path(uri: str) -> Path | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(path) if path else None


def _shown(uri: str) -> str:
    path = _path(uri)
    return str(path) if path is not None else "a document"


def guarded(default: Any = None) -> Callable:
    """Catch everything a handler raises: one answer is lost (``default``), never the server."""

    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(ls: PcplanServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:  # noqa: BLE001
                ls.note(f"pcplan lsp: internal error in {handler.__name__} ({type(exc).__name__})")
                log.debug("internal error", exc_info=True)
                return default() if callable(default) else default

        return run

    return wrap


server = PcplanServer()


@server.feature(types.INITIALIZE)
@guarded()
def initialize(ls: PcplanServer, params: types.InitializeParams) -> None:
    ls.encoding = encoding_of(ls.workspace.position_encoding)
    # debounceMs, ruleUrl, today (docs/editors.md), each checked (pcplan.lsp.options): the options can come
    # from a repository's own .vscode/settings.json. Not used when invalid; the user is told once.
    chosen = read_options(params.initialization_options)
    if chosen.debounce is not None:
        ls.debounce = chosen.debounce
    if chosen.rule_template is not None:
        ls.rule_template = chosen.rule_template
    if chosen.today is not None:
        ls.today_override = chosen.today
    if chosen.problems:
        ls.note(options_message(chosen.problems))
        try:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                           message=options_message(chosen.problems)))
        except Exception:  # noqa: BLE001 - no client to tell
            pass
    hover = params.capabilities.text_document.hover if params.capabilities.text_document else None
    formats = hover.content_format if hover is not None else None
    ls.markdown = formats is None or types.MarkupKind.Markdown in formats


@server.feature(types.INITIALIZED)
@guarded()
def initialized(ls: PcplanServer, params: types.InitializedParams) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is not None and watched.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/*.yaml", "**/*.yml", "**/pcplan.toml")]
        ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id="pcplan-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
    ls.note(f"pcplan {__version__} language server; debounce {ls.debounce * 1000:.0f} ms, "
            f"positions in {ls.encoding}")
    _warm_up()


def _warm_up() -> None:
    """Load what the first check would (rules' dictionaries, schema validators), then freeze it for the collector.

    Every check ends with a full cycle collection (pcplan.engine), which walks every object alive: with
    the pronouncing dictionary P406 reads (over 100,000 entries) and the server's own modules, that walk
    took 40 ms, most of a check. Objects alive now live as long as the server; ``gc.freeze`` moves them out
    of the collector's sight (reference counting still frees them), so a check walks only its own objects.
    """
    import gc

    from ..rules import RULES
    from ..schema import KINDS, _fast_validator, _validator

    for rule in RULES.values():
        warm = getattr(rule.check, "warm_up", None)
        if warm is not None:
            try:
                warm()
            except Exception:  # noqa: BLE001 - the check will report it, if it matters
                pass
    for kind in KINDS:
        try:
            _fast_validator(kind)
            _validator(kind)
        except Exception:  # noqa: BLE001
            pass
    gc.collect()
    gc.freeze()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded()
def did_open(ls: PcplanServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.published.setdefault(params.text_document.uri, Published(None, Text(""), None))
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded()
def did_change(ls: PcplanServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded()
def did_save(ls: PcplanServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.schedule(uri, 0)
    path = _path(uri)
    if path is not None:
        ls.recheck_others(Path(os.path.realpath(path)), skip=uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(ls: PcplanServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.published.pop(uri, None)
    ls.publish(uri, [], None)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@guarded()
def did_change_watched_files(ls: PcplanServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = _path(change.uri)
        if path is not None:
            ls.recheck_others(Path(os.path.realpath(path)))


# --- requests ------------------------------------------------------------------------------------

def _context(ls: PcplanServer, uri: str) -> tuple[Text, Place | None] | tuple[None, None]:
    """(text, place) of an open case file; (text, None) for any other file."""
    source = ls.text_of(uri)
    if source is None:
        return None, None
    return Text(source, ls.encoding), ls.place(uri, source)


def _diagnostic_codes(ls: PcplanServer, uri: str, row: int, index: int) -> list[str]:
    seen = ls.published.get(uri)
    if seen is None:
        return []
    codes = []
    for finding in seen.findings:
        start, end = (finding.line - 1, finding.column - 1), ((finding.end_line or finding.line) - 1,
                                                               (finding.end_column or finding.column + 1) - 1)
        if start <= (row, index) <= end:
            codes.append(finding.code)
    return codes


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded()
def hover(ls: PcplanServer, params: types.HoverParams) -> types.Hover | None:
    text, place = _context(ls, params.text_document.uri)
    if text is None or place is None:
        return None
    row, index = text.index(params.position)
    kind = declared_kind(text.text)
    found = hover_markdown(text.lines, row, index, kind, lambda: ls.record(place, text.text),
                           _diagnostic_codes(ls, params.text_document.uri, row, index))
    if found is None:
        return None
    markdown, span = found
    return to_hover(markdown, span, row, text, ls.markdown)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded()
def definition(ls: PcplanServer, params: types.DefinitionParams) -> list[types.Location] | None:
    text, place = _context(ls, params.text_document.uri)
    if text is None or place is None:
        return None
    row, index = text.index(params.position)
    word = word_at(text.line(row), index)
    if word is None:
        return None
    target_kind = field_target(declared_kind(text.text), key_path(text.lines, row, word.start))
    if target_kind is None or target_kind == "rule":
        return None
    record = ls.record(place, text.text)
    target = find(target_kind, word.text, record.doc, record.case, record.staff)
    if target is None:
        return None
    path = target.doc.path
    raw = text.text if path == place.path else ls.text_at(path)
    if raw is None:
        return None
    line, column, end_line, end_column = target.doc.loaded.span(target.data_path + ("id",))
    target_text = Text(raw, ls.encoding)
    return [types.Location(uri=from_fs_path(str(path)),
                           range=target_text.range(line, column, end_line, end_column))]


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
@guarded()
def completion(ls: PcplanServer, params: types.CompletionParams) -> types.CompletionList | None:
    text, place = _context(ls, params.text_document.uri)
    if text is None or place is None:
        return None
    row, index = text.index(params.position)
    items = complete(declared_kind(text.text), text.lines, row, index, lambda: ls.record(place, text.text), text,
                     ls.markdown)
    return types.CompletionList(is_incomplete=False, items=items) if items else None


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]))
@guarded(default=list)
def code_action(ls: PcplanServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    seen = ls.published.get(uri)
    source = ls.text_of(uri)
    if seen is None or seen.place is None or source is None:
        return []
    text = Text(source, ls.encoding)
    if source != seen.text.text:
        return []  # edited since the last check: its findings' positions no longer hold (new ones follow)
    record = ls.record(seen.place, source)
    findings = _findings_for(seen, params.context.diagnostics)
    actions: list[types.CodeAction] = []
    today = ls.today()
    # The member's lifecycle, once for every finding asked about (the plan an exception would go in).
    life = lifecycle(record.case, today) if findings and record.case is not None else None
    for finding in findings:
        for action in (quantities_action(finding, record.doc, text),
                       fingerprint_action(finding, record.doc, text, today),
                       exception_action(finding, record.doc, record.case, today, ls.text_at, life)):
            if action is not None and all(a.title != action.title for a in actions):
                action.diagnostics = [d for d in params.context.diagnostics if d.code == finding.code]
                actions.append(action)
    actions += signature_actions(record.doc, text, params.range.start.line)
    return actions


def _findings_for(seen: Published, diagnostics: Sequence[types.Diagnostic]) -> list[Finding]:
    """The findings behind the diagnostics the editor sends back (by their ``data``, else by code and range)."""
    out: list[Finding] = []
    for diagnostic in diagnostics:
        if diagnostic.source not in (None, "pcplan"):
            continue
        number = diagnostic.data.get("finding") if isinstance(diagnostic.data, dict) else None
        finding: Finding | None
        if isinstance(number, int) and 0 <= number < len(seen.findings) and \
                seen.findings[number].code == diagnostic.code:
            finding = seen.findings[number]
        else:
            finding = next((f for f in seen.findings if f.code == diagnostic.code and seen.text.range(
                f.line, f.column, f.end_line, f.end_column) == diagnostic.range), None)
        if finding is not None and finding not in out:
            out.append(finding)
    return out


@server.feature("pcplan/rule")
@guarded()
def rule_request(ls: PcplanServer, params: Any) -> dict | None:
    """`pcplan rule CODE` as Markdown, for the editor to show (the VS Code extension opens pcplan://rule/CODE)."""
    code = getattr(params, "code", None)
    if code is None and isinstance(params, dict):
        code = params.get("code")
    if not isinstance(code, str):
        return None
    markdown = rule_text(code.strip().upper())
    return {"code": code.strip().upper(), "markdown": markdown} if markdown else None


# A %-style placeholder of a log message (``%s``, ``%r``, ``%(name)s``, ``%5.2f``), or a literal ``%%``.
_PLACEHOLDER = re.compile(r"%(?:%|(?:\([^)]*\))?[-#0 +]*(?:\*|[0-9]+)?(?:\.(?:\*|[0-9]+))?[hlL]?[diouxXeEfFgGcrsa])")


def withheld(message: object) -> str:
    """A log message with each placeholder shown as ``…``: its argument is withheld, and no literal ``%s``
    reaches the log (pygls logs some messages with placeholders and no arguments)."""
    text = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else "…", str(message))
    return " ".join(text.split())


def _quiet_pygls() -> None:
    """pygls' own log lines keep their wording but drop their arguments and tracebacks (a message's
    content could be a member's words); they go to stderr, which editors show as the server's log."""

    class NoContent(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if record.args or not record.name.startswith("pcplan"):
                record.msg = withheld(record.msg) + (" (details withheld)" if record.args else "")
                record.args = ()
            if record.exc_info:
                record.msg = f"{record.msg} ({record.exc_info[0].__name__})" if record.exc_info[0] else record.msg
                record.exc_info = None
                record.exc_text = None
            return True

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    handler.addFilter(NoContent())
    for name in ("pygls", "pcplan"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.WARNING)


def serve() -> None:
    """Run the server on stdin and stdout until the editor ends it."""
    _quiet_pygls()
    protocol = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries the protocol alone: a stray print goes to the log instead
    server.start_io(sys.stdin.buffer, protocol)
