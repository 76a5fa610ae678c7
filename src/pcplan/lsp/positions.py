"""Positions: pcplan's 1-based lines and columns (columns count characters) ↔ LSP's 0-based positions.

An LSP position's ``character`` counts code units of the encoding agreed at
initialization: UTF-16 unless the client offers UTF-32 or UTF-8. A Spanish
line with accents is the same in characters and UTF-16 units, but an emoji is
one character and two UTF-16 units, so every column is converted on the line
it belongs to. Lines end at LF, CRLF or a lone CR, as both pcplan and LSP count them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types

_LINE_END = re.compile(r"\r\n|\r|\n")

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line ends (a text ending in a line end has an empty last line)."""
    return _LINE_END.split(text)


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def index_of(line: str, character: int, encoding: str = UTF16) -> int:
    """The character index in ``line`` of an LSP ``character`` offset (clamped to the line)."""
    if encoding == UTF32:
        return max(0, min(character, len(line)))
    count = 0
    for index, ch in enumerate(line):
        if count >= character:
            return index
        count += units(ch, encoding)
    return len(line)


@dataclass
class Text:
    """A document's text split into lines, converting positions both ways."""

    text: str
    encoding: str = UTF16

    def __post_init__(self) -> None:
        self.lines = split_lines(self.text)
        # pcplan drops a leading byte-order mark before parsing: its columns on line 1 start after it.
        self.bom = self.text.startswith("\ufeff")

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of pcplan's 1-based ``line`` and ``column`` (clamped into the text)."""
        row = min(max(line - 1, 0), len(self.lines) - 1)
        if line - 1 >= len(self.lines):
            return types.Position(line=row, character=units(self.lines[row], self.encoding))
        text = self.lines[row]
        index = max(column - 1, 0) + (1 if self.bom and row == 0 else 0)
        return types.Position(line=row, character=units(text[:index], self.encoding))

    def range(self, line: int, column: int, end_line: int | None, end_column: int | None) -> types.Range:
        """The LSP range of a finding: its node, else one character (never empty, never backwards)."""
        start = self.position(line, column)
        if end_line is None or end_column is None or (end_line, end_column) <= (line, column):
            end_line, end_column = line, column + 1
        end = self.position(end_line, end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start  # past the end of a line: an empty range there (editors mark the nearest word)
        return types.Range(start=start, end=end)

    def index(self, position: types.Position) -> tuple[int, int]:
        """The 0-based (line, character index) of an LSP position in this text."""
        row = min(max(position.line, 0), len(self.lines) - 1)
        if position.line >= len(self.lines):
            return row, len(self.lines[row])
        return row, index_of(self.lines[row], position.character, self.encoding)

    def line(self, row: int) -> str:
        return self.lines[row] if 0 <= row < len(self.lines) else ""

    def end(self) -> types.Position:
        """The position just after the last character of the text."""
        return types.Position(line=len(self.lines) - 1, character=units(self.lines[-1], self.encoding))

    def lsp(self, row: int, index: int) -> types.Position:
        """The LSP position of a 0-based line and character index."""
        return types.Position(line=row, character=units(self.line(row)[:index], self.encoding))


def encoding_of(kind: types.PositionEncodingKind | str | None) -> str:
    """pcplan's name for a negotiated ``PositionEncodingKind`` (UTF-16 when none was agreed)."""
    value = getattr(kind, "value", kind)
    return {"utf-8": UTF8, "utf-32": UTF32}.get(str(value).lower() if value else "", UTF16)
