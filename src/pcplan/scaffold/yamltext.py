r"""Writing case files people will edit: block-style YAML with comments where they fill something in.

PyYAML writes the data (so any text a person typed is quoted exactly as YAML
needs), and :class:`Text` puts the comments around it. Dates are written plain
(`2026-11-22`), as in the hand-written case files: a ``date``, or a YYYY-MM-DD
value of a field the schemas define as a date (``enrolled_on``, ``from``,
``target_date``…). Any other text that pcplan's reader, a YAML 1.1 tool or a
YAML 1.2 one (an editor's schema check) would take for something else is
quoted: a date (`--legal-name 2026-01-01` stays a name), a number (`012`,
`1e3`, `0o17`, `1:20`), a boolean (`no`, `on`, `y`), null (`~`).

Text holding a character a reader could take for the end of a line (NEL, U+2028,
U+2029: YAML 1.1 readers, libyaml among them, end lines there), another control
or format character, or a byte-order mark is written double-quoted, with the
character escaped (``\L``, ``\x1B``): it reads back exactly as typed, and no
editor shows the line broken. Comments never carry such characters.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

# pcplan reads YAML 1.2 numbers (pcplan.load); these must stay text when they are text.
_NUMBER = re.compile(r"[-+]?(0|[1-9][0-9]*|\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_SPECIAL = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
            "y", "Y", "n", "N"}  # YAML 1.1's one-letter booleans, which PyYAML itself does not resolve
_YAML12_INT = re.compile(r"0o[0-7]+\Z")  # YAML 1.2's octal (0x… is an integer in YAML 1.1 too: quoted by PyYAML)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
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

    def search(self, line: str) -> re.Match[str] | None:
        return self._rx.search(line)

    def partition(self, line: str) -> tuple[str, str, str]:
        found = self._rx.search(line)
        if found is None:  # as str.partition (asked only after search found a note)
            return line, "", ""
        return line[:found.start()], "# ", line[found.end():]


_INLINE_NOTE = _Split()


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, dates plain and text that looks like one quoted.

    PyYAML's YAML 1.1 resolvers are kept whole, the timestamp's included: text PyYAML would read as a date
    is quoted, and a ``date`` is written plain (a date field's YYYY-MM-DD text becomes one: _represent_dict).
    """

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        return super().increase_indent(flow, False)


class _InlineDumper(_Dumper):
    """For a value written on its key's line by hand (``scalar``): never a block scalar."""


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = None
    if value in _SPECIAL or _NUMBER.match(value) or _YAML12_INT.match(value) or _ESCAPE.search(value):
        style = '"'
    elif "\n" in value.rstrip("\n"):
        style = '"' if isinstance(dumper, _InlineDumper) else "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_dict(dumper: _Dumper, value: dict) -> yaml.MappingNode:
    """A mapping, with the YYYY-MM-DD text of a date field (one the schemas define as a date, such as a plan
    carried forward holds) written as the date it is, plain; the same text under any other key stays text."""
    dates = date_fields()
    return dumper.represent_mapping("tag:yaml.org,2002:map",
                                    {key: _as_date(item) if key in dates else item for key, item in value.items()})


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # 2026-02-30 is text, and quoted as text
    return value


@lru_cache(maxsize=1)
def date_fields() -> frozenset:
    """The field names that are a date wherever the schemas use them (``to`` is a date in one place and a
    person in another: not one of them)."""
    from ..schema import KINDS, schema_for

    dates: set = set()
    words: set = set()

    def visit(node: Any, name: Any = None) -> None:
        if isinstance(node, dict):
            if isinstance(name, str):
                if node.get("format") == "date" or str(node.get("$ref", "")).endswith("/date"):
                    dates.add(name)
                elif node.get("type") == "string" or "string" in (node.get("type") or ()):
                    words.add(name)
            for key, item in node.items():
                if key == "properties" and isinstance(item, dict):
                    for field_name, field_schema in item.items():
                        visit(field_schema, field_name)
                elif key in ("items", "anyOf", "oneOf", "allOf"):
                    visit(item, name)
                elif isinstance(item, (dict, list)) and key not in ("properties",):
                    visit(item)
        elif isinstance(node, list):
            for item in node:
                visit(item, name)

    for kind in KINDS:
        visit(schema_for(kind))
    return frozenset(dates - words)


_Dumper.add_representer(str, _represent_str)
_InlineDumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_InlineDumper.add_representer(dict, _represent_dict)


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

    def comment(self, *lines: str, indent: int = 0) -> Text:
        pad = " " * indent
        for line in map(comment_safe, lines):
            body, _, note = _INLINE_NOTE.partition(line) if _INLINE_NOTE.search(line) else (line, "", "")
            text = f"{pad}# {body}".rstrip()
            self._parts.append((_with_note(text, note) if note else text) + "\n")
        return self

    def field(self, key: str, value: Any, note: str | None = None, indent: int = 0) -> Text:
        """``key: value`` (a scalar, an empty list, or a block), with ``note`` as a trailing comment."""
        pad = " " * indent
        lines = [pad + line for line in dump({key: value}).split("\n")[:-1]]
        if note and (len(lines) == 1 or _OPENS_BLOCK.search(lines[0])):
            lines[0] = _with_note(lines[0], comment_safe(note))
        elif note:  # a long quoted value folded over lines: a note after its first line would be inside it
            lines.insert(0, f"{pad}# {comment_safe(note)}")
        self._parts.extend(line + "\n" for line in lines)
        return self

    def raw(self, text: str) -> Text:
        self._parts.append(text if text.endswith("\n") else text + "\n")
        return self

    def blank(self) -> Text:
        self._parts.append("\n")
        return self

    def __str__(self) -> str:
        return "".join(self._parts)


# A first line after which a comment may follow: ``key:`` (a nested block) or ``key: |-`` (a block scalar).
_OPENS_BLOCK = re.compile(r":(?: [|>][-+0-9]*)?\Z")


def _with_note(line: str, note: str, column: int = NOTE_COLUMN) -> str:
    return f"{line.ljust(column - 1)} # {note}" if len(line) < column - 1 else f"{line}  # {note}"
