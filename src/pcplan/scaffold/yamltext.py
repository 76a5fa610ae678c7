"""Writing case files people will edit: block-style YAML with comments where they fill something in.

PyYAML writes the data (so any text a person typed is quoted exactly as YAML
needs), and :class:`Text` puts the comments around it. Dates are written plain
(`2026-11-22`), as in the hand-written case files; any other text that pcplan's
reader, or a YAML 1.1 tool, would take for a number, a boolean or null
(`012`, `1e3`, `no`, `on`, `~`) is quoted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# pcplan reads YAML 1.2 numbers (pcplan.load); these must stay text when they are text.
_NUMBER = re.compile(r"[-+]?(0|[1-9][0-9]*|\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_SPECIAL = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
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


def _represent_str(dumper: _Dumper, value: str):
    style = None
    if value in _SPECIAL or _NUMBER.match(value):
        style = '"'
    elif "\n" in value.rstrip("\n"):
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """``data`` as block-style YAML text, ending with a newline."""
    text = yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=WIDTH, indent=2)
    return text[:-4] if text.endswith("\n...\n") else text


def scalar(value: Any) -> str:
    """One value as it is written after ``key: `` (quoted when it must be)."""
    return dump(value).rstrip("\n")


class Text:
    """A YAML file assembled field by field, with comments."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def comment(self, *lines: str, indent: int = 0) -> "Text":
        pad = " " * indent
        for line in lines:
            body, _, note = _INLINE_NOTE.partition(line) if _INLINE_NOTE.search(line) else (line, "", "")
            text = f"{pad}# {body}".rstrip()
            self._parts.append((_with_note(text, note) if note else text) + "\n")
        return self

    def field(self, key: str, value: Any, note: str | None = None, indent: int = 0) -> "Text":
        """``key: value`` (a scalar, an empty list, or a block), with ``note`` as a trailing comment."""
        pad = " " * indent
        lines = [pad + line for line in dump({key: value}).splitlines()]
        if note:
            lines[0] = _with_note(lines[0], note)
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


def _with_note(line: str, note: str, column: int = NOTE_COLUMN) -> str:
    return f"{line.ljust(column - 1)} # {note}" if len(line) < column - 1 else f"{line}  # {note}"
