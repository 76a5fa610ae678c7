r"""Writing case files people will edit: block-style YAML with comments where they fill something in.

PyYAML writes the data (so any text a person typed is quoted exactly as YAML
needs), and :class:`Text` puts the comments around it. Dates are written plain
(`2026-11-22`), as in the hand-written case files; any other text that pcplan's
reader, or a YAML 1.1 tool, would take for a number, a boolean or null
(`012`, `1e3`, `no`, `on`, `~`) is quoted.

Text holding a character a reader could take for the end of a line (NEL, U+2028,
U+2029: YAML 1.1 readers, libyaml among them, end lines there), another control
or format character, or a byte-order mark is written double-quoted, with the
character escaped (``\L``, ``\x1B``): it reads back exactly as typed, and no
editor shows the line broken. Comments never carry such characters.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# pcplan reads YAML 1.2 numbers (pcplan.load); these must stay text when they are text.
_NUMBER = re.compile(r"[-+]?(0|[1-9][0-9]*|\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_SPECIAL = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# What must be escaped in a double-quoted scalar: C0 and C1 controls but LF, DEL, the line and paragraph
# separators, the byte-order mark and anything that is not a character (lone surrogates, U+FFFE, U+FFFF).
_ESCAPE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
# In a comment, also LF: a comment is one line.
_NOT_IN_COMMENT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
NOTE_COLUMN = 33  # where trailing comments start, when the line is short enough
WIDTH = 4096  # never fold a long line of text: one sentence stays one line, diffs stay readable


class _Split:
    """Splits ``"key: value    # note"`` at the note, so notes in commented examples line up too."""

    _rx = re.compile(r"\s{2,}# ")

    def search(self, line: str):
        return self._rx.search(line)

    def partition(self, line: str) -> tuple[str, str, str]:
        found = self._rx.search(line)
        return line[:found.start()], "# ", line[found.end():]


_INLINE_NOTE = _Split()


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, dates plain."""

    # Without the YAML 1.1 timestamp resolver, `2026-11-22` is written plain, not '2026-11-22'.
    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }

    def increase_indent(self, flow: bool = False, indentless: bool = False):  # noqa: ARG002
        return super().increase_indent(flow, False)


class _InlineDumper(_Dumper):
    """For a value written on its key's line by hand (``scalar``): never a block scalar."""


def _represent_str(dumper: _Dumper, value: str):
    style = None
    if value in _SPECIAL or _NUMBER.match(value) or _ESCAPE.search(value):
        style = '"'
    elif "\n" in value.rstrip("\n"):
        style = '"' if isinstance(dumper, _InlineDumper) else "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_InlineDumper.add_representer(str, _represent_str)


def dump(data: Any, dumper: type = _Dumper) -> str:
    """``data`` as block-style YAML text, ending with a newline."""
    text = yaml.dump(data, Dumper=dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=WIDTH, indent=2)
    return text[:-4] if text.endswith("\n...\n") else text


def scalar(value: Any) -> str:
    """One value as it is written after ``key: `` on the same line (quoted when it must be)."""
    return dump(value, _InlineDumper).rstrip("\n")


def comment_safe(text: str) -> str:
    """``text`` fit for a comment: one line, with no character a reader could take for a line end."""
    return _NOT_IN_COMMENT.sub(" ", text)


class Text:
    """A YAML file assembled field by field, with comments."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def comment(self, *lines: str, indent: int = 0) -> "Text":
        pad = " " * indent
        for line in map(comment_safe, lines):
            body, _, note = _INLINE_NOTE.partition(line) if _INLINE_NOTE.search(line) else (line, "", "")
            text = f"{pad}# {body}".rstrip()
            self._parts.append((_with_note(text, note) if note else text) + "\n")
        return self

    def field(self, key: str, value: Any, note: str | None = None, indent: int = 0) -> "Text":
        """``key: value`` (a scalar, an empty list, or a block), with ``note`` as a trailing comment."""
        pad = " " * indent
        lines = [pad + line for line in dump({key: value}).split("\n")[:-1]]
        if note and (len(lines) == 1 or _OPENS_BLOCK.search(lines[0])):
            lines[0] = _with_note(lines[0], comment_safe(note))
        elif note:  # a long quoted value folded over lines: a note after its first line would be inside it
            lines.insert(0, f"{pad}# {comment_safe(note)}")
        self._parts.extend(line + "\n" for line in lines)
        return self

    def raw(self, text: str) -> "Text":
        self._parts.append(text if text.endswith("\n") else text + "\n")
        return self

    def blank(self) -> "Text":
        self._parts.append("\n")
        return self

    def __str__(self) -> str:
        return "".join(self._parts)


# A first line after which a comment may follow: ``key:`` (a nested block) or ``key: |-`` (a block scalar).
_OPENS_BLOCK = re.compile(r":(?: [|>][-+0-9]*)?\Z")


def _with_note(line: str, note: str, column: int = NOTE_COLUMN) -> str:
    return f"{line.ljust(column - 1)} # {note}" if len(line) < column - 1 else f"{line}  # {note}"
