"""Bytes → YAML nodes with positions → plain data, refusing YAML's traps.

libyaml (PyYAML's C parser) composes the node tree; we turn nodes into plain
data ourselves so that:

* only ``true``/``false`` are booleans (``no``, ``on``, ``yes`` stay text);
* integers and floats follow YAML 1.2 (``012`` stays text);
* dates stay ISO strings, so ``2026-02-30`` is a schema finding, not a crash;
* a repeated key is reported with both lines (PyYAML silently keeps the last);
* aliases of mappings and sequences are refused (alias bombs), and tags that
  would build objects are refused;
* every node keeps its position, looked up by data path when a finding needs it
  (a mapping's keys are indexed on its first lookup, so 100,000 findings in one
  mapping cost 100,000 lookups, not 100,000 scans of it);
* a file lists at most ``MAX_PER_CODE`` problems of one code, the first in the
  file, and one more finding counting the rest;
* a file held for the whole run (staff.yaml, ``compact=True``) is read straight
  from libyaml's events into its data and a compact index of positions, with no
  node tree at all; a file with any problem is composed as usual instead.

Size and nesting depth are pcplan's limits, checked *before* libyaml builds
anything: older libyaml overflows the C stack on input nested ~25,000 deep,
which would kill a CI run, and libyaml 0.2.6 (PyYAML 6.0.3+) stops at a depth of
its own. Whatever the installed release, a limit libyaml enforces is reported
as pcplan's E005 with pcplan's message and position, never as a syntax error.
Only regular files are read, and never more than the size limit: a case file
that is a symlink to ``/dev/zero`` or a named pipe must not hang the run.

Lines are counted as editors count them: a line ends at LF, CRLF or a lone CR.
libyaml also ends lines at NEL, U+2028 and U+2029 (text pasted from Word or a
web page), which editors show inside a line; in the rare file holding one,
marks are converted from libyaml's character index, so positions stay exact.
"""

from __future__ import annotations

import hashlib
import operator
import os
import re
import stat
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml import MappingNode, MarkedYAMLError, Node, ScalarNode, SequenceNode, YAMLError
from yaml._yaml import CParser, get_version
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.reader import ReaderError

from .dates import MAX_INT_DIGITS  # Python's own limit for reading a whole number from text (4,300 digits)

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
# Findings of one code listed per file (E001/E002/E005 here, E004 in pcplan.schema); the rest are
# counted in one more finding. A file with 100,000 repeated keys has one cause, not 100,000.
MAX_PER_CODE = 100

# YAML 1.2 core schema, restricted as DESIGN.md asks.
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_NUMBER_STARTS = "-+.0123456789"  # the first character of every int and float (_INT, _FLOAT)
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = {"", "~", "null", "Null", "NULL"}
_SPECIAL = _NULLS | set(_BOOLS)  # plain scalars that are not text
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.M)
_INDENTED_MARKER = re.compile(r"^[ \t]*(<{7}|={7}|>{7})(?: |$)", re.M)


def _indented_conflict(text: str) -> int | None:
    """Where markers moved off the margin (inside a block scalar, a list, by an editor's re-indent) make a
    conflict as git writes one: `<<<<<<<`, then `=======`, then `>>>>>>>`, in that order; the offset of the
    `<<<<<<<` line, or None. A line of equals signs alone is text. One pass over the markers (linear)."""
    opened = None
    middle = False
    for marker in _INDENTED_MARKER.finditer(text):
        kind = marker.group(1)[0]
        if kind == "<":
            opened, middle = marker.start(), False
        elif kind == "=" and opened is not None:
            middle = True
        elif kind == ">" and middle:
            return opened
    return None
def _deep_prefix(length: int) -> re.Pattern:
    """A line starting with at least ``length`` characters of indentation or block indicators."""
    return _DEEP_PREFIXES.get(length) or _DEEP_PREFIXES.setdefault(length, re.compile(rf"^[ \t?:-]{{{length},}}", re.M))


_DEEP_PREFIXES: dict[int, re.Pattern] = {}

# Characters YAML does not allow in a stream (libyaml refuses them without saying where).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\ufeff")
# Line breaks libyaml counts that editors do not (NEL, LS, PS); and the ones both count.
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
_LINE_END = re.compile("\r\n|\r|\n")

_DEPTH_MESSAGE = f"nesting is deeper than {MAX_DEPTH} levels; a case file never needs that"
# libyaml 0.2.6 stops at a nesting depth of its own, so composing first is safe and the depth is measured on
# the composed tree as it is built (no pass over the text); older releases are scanned before composing.
_LIBYAML_STOPS_DEEP = get_version() >= (0, 2, 6)

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,39}$")

_T = "tag:yaml.org,2002:"
_IMPLICIT = "?"  # the tag our resolver gives every untagged scalar
_SAFE_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null", _T + "map", _T + "seq",
              _T + "timestamp", "!"}

Path_ = tuple  # a data path: keys (str) and indices (int) from the document root


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a file found while loading it (E001, E002, E005)."""

    code: str
    line: int | None  # 1-based; None: resolve from data_path when reported
    column: int | None
    message: str
    data_path: tuple = ()
    at: str = "value"  # with data_path: the node itself, or the mapping "key" naming it
    hint: str | None = None  # advice for this problem; None: the rule's own "How to fix"


@dataclass(slots=True)
class LoadedFile:
    """One YAML file: its plain data, its node tree (for positions) and any problems."""

    path: Path
    data: Any = None
    root: Node | None = None
    problems: list[Problem] = field(default_factory=list)
    newlines: list[int] | None = None  # where each line ends, only when libyaml counts lines differently
    keys: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)  # id → (mapping, index)
    # The text of every `id` below the top level (and of any under a repeated key), noted while building the
    # data so E007 need not walk every file again; None when not built here.
    ids: list[str] | None = field(default=None, repr=False, compare=False)
    # What the content-keyed cache (pcplan.cache) records: the bytes' digest and the file's
    # (size, mtime_ns, ctime_ns, inode) taken before reading; None when the file was not read whole.
    digest: bytes | None = field(default=None, repr=False, compare=False)
    stat: tuple | None = field(default=None, repr=False, compare=False)
    # The positions of every node once the tree is let go (``compact``): a file held all run, staff.yaml.
    spans: _Spans | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return (self.root is not None or self.spans is not None) \
            and not any(p.code in ("E001", "E005") for p in self.problems)

    def compact(self) -> None:
        """Keep every node's position in a compact index and let the node tree go.

        For a file held for the whole run (staff.yaml grows with the caseload: its tree is several times its
        data). Positions answer exactly as before; a file with a loading problem (a repeated key, an alias, a
        refused tag) keeps its tree, since its data no longer mirrors its nodes one to one.
        """
        if self.root is None or self.problems:
            return
        self.spans = _Spans(self.root, _Lines(self.newlines))
        self.root, self.newlines = None, None
        self.keys.clear()

    def position(self, data_path: tuple, at: str = "value") -> tuple[int, int]:
        """The 1-based (line, column) of the node at ``data_path``.

        ``at="key"`` gives the position of the mapping key rather than its value.
        A path that no longer exists resolves to its deepest existing ancestor.
        """
        return self.span(data_path, at)[:2]

    def span(self, data_path: tuple, at: str = "value") -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of the node at ``data_path``, 1-based, end exclusive."""
        node, key_node = self.root, None
        if node is None:
            return self.spans.span(self.data, data_path, at) if self.spans is not None else (1, 1, 1, 1)
        for step in data_path:
            child = _child(node, step, self.keys)
            if child is None:
                break
            key_node, node = child
        target = key_node if at == "key" and key_node is not None else node
        return _node_span(target, _Lines(self.newlines))


def _node_span(node: Node, lines: _Lines) -> tuple[int, int, int, int]:
    (line, column), (end_line, end_column) = lines.mark(node.start_mark), lines.mark(node.end_mark)
    if isinstance(node, (MappingNode, SequenceNode)) and end_line > line:
        # A block collection ends where the next thing begins; stop at its first line instead.
        end_line, end_column = line, column + 1
    return (line, column, end_line, end_column)


class _Spans:
    """Every node's span, in document order (pre-order), without the nodes: four ints per node for the node,
    four for the key it hangs from (zeros under a list or at the root) and one for its subtree's size.

    A data path is followed through the plain data, which mirrors the tree one to one in a file loaded
    without problems (``LoadedFile.compact``): a mapping's n-th key is its n-th child, a list's n-th item its
    n-th child; the subtree sizes skip to it."""

    __slots__ = ("values", "keys", "sizes")

    def __init__(self, root: Node, lines: _Lines) -> None:
        self.values, self.keys, self.sizes = array("i"), array("i"), array("i")
        self._add(root, None, lines)

    def _add(self, node: Node, key: Node | None, lines: _Lines) -> int:
        """Record ``node`` and its subtree; the subtree's size."""
        at = len(self.sizes)
        self.values.extend(_node_span(node, lines))
        self.keys.extend(_node_span(key, lines) if key is not None else (0, 0, 0, 0))
        self.sizes.append(1)
        size = 1
        if type(node) is SequenceNode:
            for item in node.value:
                size += self._add(item, None, lines)
        elif type(node) is MappingNode:
            for key_node, value_node in node.value:
                size += self._add(value_node, key_node, lines)
        self.sizes[at] = size
        return size

    def span(self, data: Any, data_path: tuple, at: str) -> tuple[int, int, int, int]:
        """As ``LoadedFile.span`` answers from the tree: the deepest node of the path that exists."""
        sizes, node, value, keyed = self.sizes, 0, data, False
        for step in data_path:
            if type(value) is dict and isinstance(step, str) and step in value:
                count = next(n for n, name in enumerate(value) if name == step)
            elif type(value) is list and isinstance(step, int) and 0 <= step < len(value):
                count = step
            else:
                break
            child = node + 1
            for _ in range(count):
                child += sizes[child]
            node, value, keyed = child, value[step], type(value) is dict
        source = self.keys if at == "key" and keyed else self.values
        return (source[4 * node], source[4 * node + 1], source[4 * node + 2], source[4 * node + 3])


class _Lines:
    """Converts libyaml marks to positions; libyaml's own line and column when its lines are git's."""

    __slots__ = ("newlines",)

    def __init__(self, newlines: list[int] | None) -> None:
        self.newlines = newlines

    def mark(self, mark: Any) -> tuple[int, int]:  # yaml.error.Mark, or libyaml's (yaml._yaml.Mark)
        if self.newlines is None:
            return mark.line + 1, mark.column + 1
        return self.index(mark.index)

    def index(self, index: int) -> tuple[int, int]:
        newlines = self.newlines
        assert newlines is not None, "only a mark has its position where libyaml's lines are git's"
        line = bisect_left(newlines, index)  # the number of line ends before the index
        start = newlines[line - 1] + 1 if line else 0
        return line + 1, index - start + 1


def line_ends(text: str) -> list[int]:
    """The index of the last character of each line end (LF, CRLF or CR), as editors count lines."""
    return [m.end() - 1 for m in _LINE_END.finditer(text)]


def text_position(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character index, lines ending at LF, CRLF or CR."""
    return _Lines(line_ends(text[:index])).index(index)


class _Composer(CParser):
    """libyaml's composer with a resolver that leaves every scalar to us."""

    # libyaml's signature: the value and whether its tag was implicit are not needed.
    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:  # noqa: ARG002
        return _IMPLICIT if kind is ScalarNode else (_T + "map" if kind is MappingNode else _T + "seq")

    # libyaml calls these for every node and we need neither. C functions that accept the same arguments
    # and do nothing that matters save about a fifth of the composing time over Python methods that pass.
    descend_resolver = staticmethod(operator.is_)  # (current_node, current_index)
    ascend_resolver = staticmethod(tuple)  # ()


def shown_key(key: str) -> str:
    """A mapping key as a message may show it: text typed where a field name belongs is not repeated."""
    return f"`{key}`" if _FIELD_NAME.match(key) else "(a key that is not a field name)"


# Text an editor holds for a file, read instead of the file's bytes while an ``overlay`` is active: the
# language server (`pcplan lsp`) checks a case file's unsaved text against the rest of its member folder,
# the staff file and the configuration as they are on disk. A context variable, so a check in another
# thread never sees it.
_OVERLAY: ContextVar[dict[Path, str] | None] = ContextVar("pcplan_overlay", default=None)


@contextmanager
def overlay(texts: Mapping[Path, str]) -> Iterator[None]:
    """While active, ``load_file`` reads each path of ``texts`` (absolute, resolved) from its text, not the disk.

    Nothing is written anywhere. A content cache must not be used while one is active (``overlaid()``):
    what it keeps describes the files on disk.
    """
    token = _OVERLAY.set({Path(path): text for path, text in texts.items()})
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def overlaid() -> bool:
    """Whether an ``overlay`` is active, so some file is read from an editor's text rather than the disk."""
    return bool(_OVERLAY.get())


def load_file(path: Path, max_bytes: int = MAX_FILE_BYTES, *, compact: bool = False) -> LoadedFile:
    """Read and parse one file. Never raises for bad content: problems are recorded.

    ``compact``: the file is held for the whole run (staff.yaml), so it is loaded as ``LoadedFile.compact``
    leaves it (its data and a compact index of positions, no node tree) without composing a tree at all.
    """
    result = LoadedFile(path=path)
    texts = _OVERLAY.get()
    if texts and path in texts:  # an editor's unsaved text (no stat: the disk does not hold it)
        raw = texts[path].encode("utf-8", "surrogatepass")
        result.digest = content_digest(raw)
        return load_bytes(raw, result, max_bytes, compact=compact)
    try:
        raw, info = read_regular(path, max_bytes)
    except NotRead as exc:
        return _refuse(result, str(exc))
    result.digest = content_digest(raw)
    result.stat = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return load_bytes(raw, result, max_bytes, compact=compact)


class NotRead(ValueError):
    """Why ``read_regular`` did not read a file (the message an E005 finding gives)."""


def read_regular(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file (at most ``max_bytes`` + 1, so a caller sees it grew past the limit) and
    its status: the one rule by which pcplan reads a file it was pointed at (``load_file``, the language
    server). A pipe, socket, device or folder is refused without waiting or reading, and so is a file over
    the limit; raises NotRead with the reason."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise NotRead(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise NotRead(f"not a regular file ({kind}); a case file is a plain text file")
        if info.st_size > max_bytes:
            raise NotRead(f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit for a case file")
        chunks, size = [], 0
        while size <= max_bytes:  # never more than the limit, even if the file grows while we read
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise NotRead(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return b"".join(chunks), info


def content_digest(raw: bytes) -> bytes:
    """The digest the cache keys a file's content on (pcplan.cache hashes files it did not load the same way)."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def load_text(text: str, path: Path | str = "<string>") -> LoadedFile:
    """Parse text already in memory (tests, scaffolding)."""
    return load_bytes(text.encode("utf-8"), LoadedFile(path=Path(path)))


def load_bytes(raw: bytes, result: LoadedFile, max_bytes: int = MAX_FILE_BYTES, *,
               compact: bool = False) -> LoadedFile:
    if len(raw) > max_bytes:
        return _refuse(result, f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit for a case file")
    text = _decode(raw, result)
    if text is None:
        return result
    conflict = _merge_conflict(text)
    if conflict is not None:
        result.problems.append(conflict)
        return result
    if _ODD_BREAK.search(text):
        result.newlines = line_ends(text)
    lines = _Lines(result.newlines)
    if _settled_without_tree(text, lines, result, compact):
        return result
    try:
        root = _Composer(text).get_single_node()
    except (YAMLError, RecursionError, ValueError) as exc:
        # Too deep is said before any other error, as when the text was scanned first.
        if _LIBYAML_STOPS_DEEP and _refused_deep(text, lines, result):
            return result
        return _compose_error(text, lines, result, exc)
    if root is None:  # an empty file or only comments
        result.problems.append(
            Problem("E001", 1, 1, "the file is empty; a case file starts with `kind:` and `version: 1`"))
        return result
    builder = _Builder(text, lines)
    try:
        data = builder.build(root, ())
    except _TooDeep as deep:
        # A subtree the builder skipped (a complex key, a refused tag) may hold an earlier deep node: the text
        # says where then.
        if not (builder.problems and _refused_deep(text, lines, result)):
            _refuse(result, _DEPTH_MESSAGE, line=lines.mark(deep.node.start_mark)[0])
        return result
    if builder.problems and _LIBYAML_STOPS_DEEP and _refused_deep(text, lines, result):
        return result  # the builder skipped a subtree (a complex key, a refused tag) that is too deep
    result.root = root
    result.data = data
    result.ids = builder.ids
    result.problems.extend(builder.problems)
    if builder.aliased:
        _place_aliases(text, result, lines)
    if len(result.problems) > MAX_PER_CODE:
        result.problems = _capped(result.problems)
    return result


class _NotPlain(Exception):
    """The event stream holds something only the composing path reports (``_stream_compact`` gives up)."""


def _stream_compact(text: str, lines: _Lines) -> tuple[Any, _Spans, list[str]] | None:
    """A file's plain data, the positions ``LoadedFile.compact`` would keep and the ids ``_Builder`` notes,
    read from libyaml's event stream without composing a node tree (a 1.8 MB staff file's tree is ~70 MiB).

    Only for a file without a problem: at the first thing the composing path would report or treat
    specially (an alias, a tag, a repeated or merge key, a key that is not text, a number too long to read,
    nesting past the limit, no document or several, a syntax error), None, and the caller loads the file
    the usual way. Otherwise the answer equals that path's, followed by ``compact``.
    """
    spans = _Spans.__new__(_Spans)
    spans.values, spans.keys, spans.sizes = array("i"), array("i"), array("i")
    ids: list[str] = []
    try:
        data = _StreamBuilder(spans, lines, ids).run(CParser(text))
    except (_NotPlain, YAMLError, RecursionError, ValueError):
        return None
    return data, spans, ids


def _settled_without_tree(text: str, lines: _Lines, result: LoadedFile, compact: bool) -> bool:
    """Whether the file needs no node tree: refused as too deep before composing (libyaml before 0.2.6), or,
    with ``compact``, loaded from its events (``_stream_compact``) into ``result``; a file with a problem is
    left to the usual path, which reports it."""
    if not _LIBYAML_STOPS_DEEP and _refused_deep(text, lines, result):
        return True
    streamed = _stream_compact(text, lines) if compact else None
    if streamed is None:
        return False
    result.data, result.spans, result.ids = streamed
    return True


_NO_KEY = object()  # a mapping's frame waiting for its next key
_ZERO_SPAN = (0, 0, 0, 0)


class _StreamBuilder:
    """Builds plain data and a ``_Spans`` index from events, as ``_Builder`` and ``_Spans`` do from nodes.

    Equal texts are kept once (a staff file repeats its field names, training modules and roles thousands of
    times: a third of its data's memory)."""

    __slots__ = ("spans", "lines", "ids", "texts")

    def __init__(self, spans: _Spans, lines: _Lines, ids: list[str]) -> None:
        self.spans, self.lines, self.ids = spans, lines, ids
        self.texts: dict[str, str] = {}

    def run(self, parser: CParser) -> Any:
        if type(parser.get_event()) is not StreamStartEvent or type(parser.get_event()) is not DocumentStartEvent:
            raise _NotPlain  # no document (an empty file): the usual path words it
        root: list[Any] = []
        # Frames of the open collections: [container, its index in the spans, the key awaiting a value (or
        # _NO_KEY in a mapping, None in a list), that key's span, its start mark].
        stack: list[list] = [[root, -1, None, _ZERO_SPAN, None]]
        while True:
            event: Any = parser.get_event()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                self._close(stack.pop(), event)
                if len(stack) == 1:
                    break
                continue
            if kind is not ScalarEvent and kind is not MappingStartEvent and kind is not SequenceStartEvent:
                raise _NotPlain  # an alias (or anything unforeseen)
            if event.tag is not None:
                raise _NotPlain  # a tag: refused or resolved by the usual path
            frame = stack[-1]
            if frame[2] is _NO_KEY:  # a mapping's key
                self._key(frame, event, kind)
                continue
            self._value(stack, frame, event, kind)
            if len(stack) == 1:
                break
        if type(parser.get_event()) is not DocumentEndEvent or type(parser.get_event()) is not StreamEndEvent:
            raise _NotPlain  # a second document: the usual path words it
        return root[0]

    def _key(self, frame: list, event: Any, kind: type) -> None:
        if kind is not ScalarEvent:
            raise _NotPlain  # a key that is a list or mapping (E001)
        key = self.texts.setdefault(event.value, event.value)
        if key in frame[0] or (key == "<<" and not event.style):
            raise _NotPlain  # a repeated key (E002) or a merge key (E005)
        frame[2], frame[3] = key, self._span(event.start_mark, event.end_mark, False)

    def _value(self, stack: list[list], frame: list, event: Any, kind: type) -> None:
        spans, key, key_span = self.spans, frame[2], frame[3]
        at = len(spans.sizes)
        spans.keys.extend(key_span)
        spans.sizes.append(1)
        if kind is ScalarEvent:
            spans.values.extend(self._span(event.start_mark, event.end_mark, False))
            value = _plain_value(event.value, event.style)
            if type(value) is str:
                value = self.texts.setdefault(value, value)
            if key == "id" and len(stack) > 2 and type(value) is str:  # below the top level, as _Builder
                self.ids.append(value)
        else:
            if len(stack) > MAX_DEPTH:  # as deep as the usual path refuses (E005)
                raise _NotPlain
            spans.values.extend(_ZERO_SPAN)  # filled in when the collection ends
            value = {} if kind is MappingStartEvent else []
            stack.append([value, at, _NO_KEY if kind is MappingStartEvent else None, _ZERO_SPAN,
                          event.start_mark])
        container = frame[0]
        if type(container) is list:
            container.append(value)
        else:
            container[key] = value
            frame[2] = _NO_KEY

    def _close(self, frame: list, event: Any) -> None:
        spans, at = self.spans, frame[1]
        spans.sizes[at] = len(spans.sizes) - at
        spans.values[4 * at:4 * at + 4] = array("i", self._span(frame[4], event.end_mark, True))

    def _span(self, start: Any, end: Any, collection: bool) -> tuple[int, int, int, int]:
        (line, column), (end_line, end_column) = self.lines.mark(start), self.lines.mark(end)
        if collection and end_line > line:  # as _node_span
            end_line, end_column = line, column + 1
        return (line, column, end_line, end_column)


def _plain_value(value: str, style: str | None) -> Any:
    """An untagged scalar as ``_Builder`` reads it (``_scalar``); a whole number too long to read is refused."""
    if style:  # quoted or block: always text
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if value[:1] not in _NUMBER_STARTS:
        return value
    if _INT.match(value):
        if len(value.lstrip("+-")) > MAX_INT_DIGITS:
            raise _NotPlain  # E004, worded by the usual path
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def _refused_deep(text: str, lines: _Lines, result: LoadedFile) -> bool:
    """Whether the text nests deeper than MAX_DEPTH, refused (E005) if so."""
    depth, depth_line = _nesting_bound(text, lines)
    if depth > MAX_DEPTH:
        _refuse(result, _DEPTH_MESSAGE, line=depth_line)
        return True
    return False


def _compose_error(text: str, lines: _Lines, result: LoadedFile, exc: Exception) -> LoadedFile:
    """The problem of a text libyaml did not compose."""
    if isinstance(exc, MarkedYAMLError):
        if _is_limit_error(exc):
            return _refuse(result, _DEPTH_MESSAGE, line=_deep_flow_line(text, lines, exc))
        result.problems.append(_syntax_problem(text, lines, exc))
    elif isinstance(exc, ReaderError):
        result.problems.append(_unreadable_character(text))
    else:
        result.problems.append(Problem("E001", 1, 1, f"cannot parse as YAML: {exc}"))
    return result


def _merge_conflict(text: str) -> Problem | None:
    """E001 at the first marker of an unresolved git merge conflict, at the margin or indented; None if none."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return None
    margin = _CONFLICT.search(text)
    start = margin.start() if margin else _indented_conflict(text)
    if start is None:
        return None
    line = text.count("\n", 0, start) + 1
    rest = text[start:]
    return Problem(
        "E001", line, len(rest) - len(rest.lstrip(" \t")) + 1,  # at the marker, after any indentation
        "unresolved git merge conflict: remove the <<<<<<<, ======= and >>>>>>> lines "
        "and keep the right version")


def _syntax_problem(text: str, lines: _Lines, exc: MarkedYAMLError) -> Problem:
    """E001 for a YAML syntax error, at its cause where libyaml's mark points elsewhere."""
    # An unclosed [ or { is noticed lines later; point at the bracket itself.
    in_flow = exc.context_mark is not None and "flow" in (exc.context or "")
    mark = exc.context_mark if in_flow else (exc.problem_mark or exc.context_mark)
    line, column = lines.mark(mark) if mark else (1, 1)
    culprit = _invisible_culprit(text, exc)
    tab = None if in_flow else _indenting_tab(text, exc)
    hint = None
    if culprit is not None:  # what the user cannot see is what broke the file: point at it
        line, column, message = culprit
    elif tab is not None:  # libyaml's wording ("violates indentation") hides the cause; name it, at the tab
        (line, column), message, hint = text_position(text, tab), _TAB_MESSAGE, _TAB_HINT
    else:
        message = _yaml_message(exc)
    return Problem("E001", line, column, message, hint=hint)


def _unreadable_character(text: str) -> Problem:
    """E001 at the first character YAML does not allow."""
    # libyaml names a byte offset in its own buffer; find the character ourselves.
    bad = _NOT_PRINTABLE.search(text)
    index = bad.start() if bad else 0
    char = text[index] if bad else ""
    what = ("a byte-order mark (U+FEFF) in the middle of the file (were two files pasted together?)"
            if char == "\ufeff" else
            f"the character U+{ord(char):04X}, which YAML does not allow (the file may be binary, or hold "
            "text pasted from a terminal or another program)" if char else "a character YAML does not allow")
    line, column = text_position(text, index)
    return Problem("E001", line, column, f"{what}; delete it")


_MORE_OF = {"E001": "keys that are not plain text", "E002": "duplicate keys",
            "E005": "aliases, merge keys or tags"}


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most ``MAX_PER_CODE`` problems of each code, the first in the file, and a count of the rest."""
    by_code: dict[str, list[Problem]] = {}
    for problem in problems:
        by_code.setdefault(problem.code, []).append(problem)
    out: list[Problem] = []
    for code, found in by_code.items():
        if len(found) <= MAX_PER_CODE:
            out.extend(found)
            continue
        found.sort(key=lambda p: (p.line or 0, p.column or 0))
        out.extend(found[:MAX_PER_CODE])
        out.append(more_problems(code, len(found) - MAX_PER_CODE, _MORE_OF.get(code, "problems"),
                                 found[MAX_PER_CODE]))
    return out


def more_problems(code: str, hidden: int, what: str, first_hidden: Problem) -> Problem:
    """The finding that stands for ``hidden`` more problems of ``code`` in a file, at the first of them."""
    return Problem(
        code, first_hidden.line, first_hidden.column,
        f"{hidden:,} more {what} in this file, from here on, are not listed (pcplan lists the first "
        f"{MAX_PER_CODE} of a file)",
        first_hidden.data_path, first_hidden.at,
        hint=(f"So many {what} usually have one cause (text pasted from a spreadsheet or another program, or a "
              "file of another kind): fix that cause, then check again to see any that remain."))


_INVISIBLE = {
    "\ufeff": "a byte-order mark (U+FEFF) in the middle of the file (were two files pasted together?); delete it",
    "\x85": "a NEL character (U+0085), which YAML reads as the end of a line; replace it with a space or a "
            "line break, or put the text in quotes",
    "\u2028": "a line separator (U+2028, often pasted from a web page or a word processor), which YAML reads as "
              "the end of a line; replace it with a space or a line break, or put the text in quotes",
    "\u2029": "a paragraph separator (U+2029, often pasted from a web page or a word processor), which YAML reads "
              "as the end of a line; replace it with a space or a line break, or put the text in quotes",
}


_TAB_MESSAGE = "tabs are not allowed for indentation; use spaces"
_TAB_HINT = ("Replace the tab with spaces, as many as the lines around it use (most editors can be set to "
             "insert spaces when you press Tab).")
# A line's indentation: spaces, tabs and the block indicators that start a nested item (`- `, `? `, `: `).
_INDENTATION = re.compile(r"(?:[ \t]|[-?:](?=[ \t]))*")


def _indenting_tab(text: str, exc: MarkedYAMLError) -> int | None:
    """The index of the tab in the indentation of the line where libyaml gave up, when a tab is why.

    YAML forbids tabs for indentation; libyaml says so in words that depend on its
    release ("found a tab character that violates indentation", or "found character
    that cannot start any token" at the tab), so both its wording and the character
    it stopped at are checked.
    """
    mark = exc.problem_mark
    if mark is None:
        return None
    index = min(mark.index, len(text))
    at_tab = index < len(text) and text[index] == "\t"
    if not at_tab and "tab" not in (exc.problem or ""):
        return None
    start = max(text.rfind(end, 0, index) for end in "\n\r\x85\u2028\u2029") + 1
    indentation = _INDENTATION.match(text, start)  # always matches, if only the empty string
    tab = text.find("\t", start, indentation.end() if indentation else start)
    return tab if tab >= 0 else None


def _invisible_culprit(text: str, exc: MarkedYAMLError) -> tuple[int, int, str] | None:
    """A character the user cannot see (a stray BOM, U+2028…) just before where libyaml gave up.

    libyaml reports such an error at the start of what it took for a new line or token,
    which looks fine in an editor; the invisible character is what to fix.
    """
    for mark in (exc.context_mark, exc.problem_mark):
        index = mark.index - 1 if mark is not None else -1
        if 0 <= index < len(text) and text[index] in _INVISIBLE:
            line, column = text_position(text, index)
            return line, column, _INVISIBLE[text[index]]
    return None


def _refuse(result: LoadedFile, message: str, line: int = 1) -> LoadedFile:
    result.problems.append(Problem("E005", line, 1, message))
    return result


def _decode(raw: bytes, result: LoadedFile) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0 or raw[1] == 0)):
        _refuse(result, "file is UTF-16 or UTF-32 encoded; save it as UTF-8")
        return None
    nul = raw.find(b"\x00")
    if nul >= 0:
        _refuse(result, "file contains NUL bytes; it looks binary, not a YAML case file",
                line=raw.count(b"\n", 0, nul) + 1)
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        _refuse(result, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line=line)
        return None
    return text[1:] if text.startswith("\ufeff") else text


def _nesting_bound(text: str, lines: _Lines) -> tuple[int, int]:
    """The nesting depth of the text (or a bound below the limit) and where it peaks.

    Block nesting needs one more column of indentation or one more ``- `` per
    level, so it is bounded by the longest run of indentation and indicators at
    the start of a line; flow nesting by the number of brackets. Both are cheap
    string operations. Only when that bound is too high do we walk libyaml's
    event stream, whose parser keeps an explicit stack (it is the composer that
    recurses and would overflow), stopping as soon as the limit is passed.
    """
    flow = text.count("[") + text.count("{")
    if flow < MAX_DEPTH - 1 and _deep_prefix(MAX_DEPTH - 1 - flow).search(text) is None:
        return (flow + 1, 1)  # no line starts with that much indentation: the bound holds
    parser = CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return (depth, 1)
            name = type(event).__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    return (depth, lines.mark(event.start_mark)[0])
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name == "StreamEndEvent":
                return (depth, 1)
    except MarkedYAMLError as exc:
        if _is_limit_error(exc):  # libyaml's own limit (newer releases) is far past ours
            return (MAX_DEPTH + 1, _deep_flow_line(text, lines, exc))
        return (0, 1)  # a syntax error: the composer reports it with its position
    except YAMLError:
        return (0, 1)


def _is_limit_error(exc: YAMLError) -> bool:
    """libyaml refused the text for one of its own limits (nesting depth in 0.2.6 and later)."""
    words = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''} {exc}".lower()
    return "nesting" in words or "depth" in words or "limit" in words


def _deep_flow_line(text: str, lines: _Lines, exc: MarkedYAMLError) -> int:
    """The line where flow nesting first passes our limit, else where libyaml gave up.

    libyaml's scanner reads a whole run of brackets before the parser emits an
    event, so its error points at its own (much deeper) limit; we point at ours.
    Quoted text and comments are skipped; a rough scan is enough to find a line.
    """
    first = re.search(r"[^\s#]", re.sub(r"#[^\n]*", "", text[:4096]))
    depth = 0 if first and first.group() in "[{" else 1  # a block root is a level of its own
    quote, comment = "", False
    for index, char in enumerate(text):
        if comment:
            comment = char not in "\r\n"
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text_position(text, index)[0]
        elif char in "]}":
            depth = max(depth - 1, 0)
    mark = exc.problem_mark or exc.context_mark
    return lines.mark(mark)[0] if mark else 1


def _yaml_message(exc: MarkedYAMLError) -> str:
    problem = exc.problem or "cannot parse as YAML"
    if exc.context and "another document" in (exc.problem or ""):
        return "the file holds more than one YAML document (`---`); a case file is one document"
    if exc.context:
        return f"{problem} ({exc.context})"
    return problem


class _TooDeep(Exception):
    """Raised by the builder at the first collection nested deeper than MAX_DEPTH."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _Builder:
    """Turns a node tree into plain data, recording duplicate keys, aliases and unsafe tags."""

    __slots__ = ("text", "lines", "problems", "seen", "aliased", "ids")

    def __init__(self, text: str, lines: _Lines) -> None:
        self.text = text
        self.lines = lines
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.aliased = False
        self.ids: list[str] = []

    def build(self, node: Node, path: tuple) -> Any:
        tag = node.tag
        if tag != _IMPLICIT and tag not in _SAFE_TAGS:
            # The tag is not repeated: its text is whatever the file says (privacy, terminal safety).
            self._problem("E005", node, "the tag before this value is not allowed in a case file; remove it", path)
            return None
        if type(node) is ScalarNode:  # libyaml makes nodes of exactly these three classes
            value = node.value
            if len(value) > MAX_INT_DIGITS and _too_long(node):
                self._problem("E004", node, _too_long_message(node, path), path)
                return None
            if tag == _IMPLICIT and not node.style and value not in _SPECIAL and value[:1] not in _NUMBER_STARTS:
                return value  # plain text, the usual scalar, without the call below
            return _scalar(node, tag)
        if id(node) in self.seen:
            # libyaml hands back the anchored node itself for an alias; a collection
            # met twice is an alias of a mapping or sequence, which we refuse.
            self.aliased = True
            return None
        if len(path) >= MAX_DEPTH:  # the path has a step per enclosing collection: this one is one too deep
            raise _TooDeep(node)
        self.seen.add(id(node))
        if type(node) is SequenceNode:
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        data: dict[str, Any] = {}
        first_key: dict[str, Node] = {}  # its line is worked out only for a repeated key
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                self._problem("E001", key_node, "a key must be plain text, not a list or mapping", path)
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                self._problem("E005", key_node, "merge keys (`<<:`) are not allowed; write the fields out", path)
                continue
            if key in first_key:
                first_line = self.lines.mark(first_key[key].start_mark)[0]
                self._problem(
                    "E002", key_node,
                    f"duplicate key {shown_key(key)} (first at line {first_line}); keep one: pcplan reads "
                    f"the first, other YAML tools silently keep the last",
                    path + (key,))
                self.build(value_node, path + (key,))  # still walked, so an alias inside is caught
                continue
            first_key[key] = key_node
            if type(value_node) is ScalarNode and value_node.tag == _IMPLICIT and not value_node.style \
                    and (value := value_node.value) not in _SPECIAL and value[:1] not in _NUMBER_STARTS \
                    and len(value) <= MAX_INT_DIGITS:
                pass  # plain text, most values of a case file: as build() would read it, without the call
            else:
                value = self.build(value_node, path + (key,))
                if value is None and _too_long(value_node):
                    continue  # a number too long to read is left out (E004)
            data[key] = value
            if key == "id" and path and type(value) is str:
                self.ids.append(value)
        return data

    def _problem(self, code: str, node: Node, message: str, path: tuple) -> None:
        line, column = self.lines.mark(node.start_mark)
        self.problems.append(Problem(code, line, column, message, path))


def _too_long(node: Node) -> bool:
    """A whole number written with more digits than Python reads (``int()`` refuses it)."""
    value = node.value if isinstance(node, ScalarNode) and not node.style else ""
    return len(value) > MAX_INT_DIGITS and node.tag in (_IMPLICIT, _T + "int") \
        and len(value.lstrip("+-")) > MAX_INT_DIGITS and _INT.match(value) is not None


def _too_long_message(node: ScalarNode, path: tuple) -> str:
    field = next((f"`{step}`" for step in reversed(path) if isinstance(step, str) and _FIELD_NAME.match(step)),
                 "this value")
    return (f"{field} is a whole number of {len(node.value.lstrip('+-')):,} digits, more than pcplan reads "
            f"(at most {MAX_INT_DIGITS:,}); write the number the record means")


def _scalar(node: ScalarNode, tag: str) -> Any:
    value = node.value
    if node.style:  # quoted or block scalar: always text
        return value
    if tag == _IMPLICIT:
        if value in _NULLS:
            return None
        if value in _BOOLS:
            return _BOOLS[value]
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        return value
    if tag == _T + "null" and value in _NULLS:
        return None
    if tag == _T + "bool" and value in _BOOLS:
        return _BOOLS[value]
    if tag == _T + "int" and _INT.match(value):
        return int(value)
    if tag == _T + "float" and (_FLOAT.match(value) or _INT.match(value)):
        return float(value)
    return value  # !!str, !!timestamp and the rest stay text


def _place_aliases(text: str, result: LoadedFile, lines: _Lines) -> None:
    """Report each alias of a mapping or sequence at the alias itself.

    Runs only for the rare file that has one: the event stream knows where the
    ``*name`` is, the composed tree does not.
    """
    import yaml

    collections: set[str] = set()
    anchors_seen: dict[str, int] = {}
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            name = type(event).__name__
            anchor = getattr(event, "anchor", None)
            if name in ("MappingStartEvent", "SequenceStartEvent") and anchor:
                collections.add(anchor)
                anchors_seen[anchor] = lines.mark(event.start_mark)[0]
            elif name == "ScalarEvent" and anchor:
                collections.discard(anchor)
            elif name == "AliasEvent" and anchor in collections:
                collections.discard(anchor)  # one finding per anchor is enough
                line, column = lines.mark(event.start_mark)
                result.problems.append(Problem(
                    "E005", line, column,
                    # The anchor's name is not repeated: it is typed by a person, like a tag (privacy).
                    f"this alias repeats a mapping or list (anchored at line {anchors_seen[anchor]}); "
                    "aliases can hide huge expansions, so write it out"))
    except YAMLError:  # the composer already accepted this text; be safe anyway
        result.problems.append(Problem("E005", 1, 1, "aliases of mappings or lists are not allowed"))


def _child(node: Node, step: Any, keys: dict[int, tuple]) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(step, str):
        # Each finding looks its node up: scanning a mapping of 100,000 keys once per finding
        # was quadratic (minutes). A mapping's index is built once, on its first lookup; the
        # first occurrence of a repeated key wins, as in the data.
        cached = keys.get(id(node))
        if cached is None or cached[0] is not node:
            index: dict[str, tuple[Node, Node]] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value not in index:
                    index[key_node.value] = (key_node, value_node)
            cached = keys[id(node)] = (node, index)
        return cached[1].get(step)
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None
