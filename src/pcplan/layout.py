"""Terminal text that reads right: tables that keep words whole, lines without trailing blanks.

Rich shrinks a table that is too wide by narrowing its widest wrapping columns,
and when that is not enough it cuts words in the middle (``case-manag`` /
``er``). :func:`print_table` decides the widths itself instead: every column is
at least as wide as its longest word, and a table that cannot be laid out that
way is printed in a narrower form (the caller's, or one record per row).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TextIO, cast

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Column, Table
from rich.text import Text

# Blanks at the end of a line, with any colour codes among them (kept: they close a style).
_LINE_END = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$", re.MULTILINE)
_CODE = re.compile(r"\x1b\[[0-9;]*m")


def strip_line_ends(text: str) -> str:
    """``text`` with no space or tab before any line end (rich pads cells and wrapped lines)."""
    return _LINE_END.sub(lambda m: "".join(_CODE.findall(m.group(0))), text)


def buffered_console(stream: TextIO, width: int | None = None, color: bool | None = None) -> Console:
    """A console that renders into a buffer, for :func:`flush` to pass on to ``stream`` without trailing blanks.

    Width, colour and terminal-ness are decided for ``stream`` (``color`` None:
    from the stream and ``NO_COLOR``; ``width`` None: the terminal's, else
    ``COLUMNS``, else 80).
    """
    probe = Console(file=stream, width=width, no_color=None if color is None else not color, force_terminal=color)
    return Console(file=io.StringIO(), width=probe.width, force_terminal=probe.is_terminal,
                   # rich's color_system property gives back one of the names its constructor takes
                   color_system=probe.color_system,  # type: ignore[arg-type]
                   no_color=probe.no_color,
                   highlight=False, markup=False, soft_wrap=False, emoji=False)


def flush(console: Console, stream: TextIO) -> None:
    """Write what ``console`` (from :func:`buffered_console`) has rendered so far to ``stream``."""
    buffer = cast(io.StringIO, console.file)  # buffered_console made it
    stream.write(strip_line_ends(buffer.getvalue()))
    buffer.seek(0)
    buffer.truncate()


def print_table(console: Console, table: Table, *narrower: Table, heading: int = 1) -> None:
    """Print the first of ``table`` and ``narrower`` that fits the console with every word whole.

    When none fits, ``table`` is printed as records: each row's first ``heading``
    cells, then ``header  value`` lines (which fit all but the narrowest terminals).
    """
    for candidate in (table, *narrower):
        if fit_columns(console, candidate):
            console.print(candidate)
            return
    console.print(records(table, heading))


def fit_columns(console: Console, table: Table) -> bool:
    """Set column widths so that the table fits ``console.width`` and no word is cut; False when impossible.

    A table that fits as it is keeps rich's own widths. Otherwise wrapping
    columns give up room, widest first, down to their longest word.
    """
    width = table.width or console.width
    columns = table.columns
    if not columns:
        return True
    pad = _padding(table)
    extra = (len(columns) - 1 + (2 if table.show_edge else 0)) if table.box else 0
    ranges = [_measure(console, column, width, table.show_header) for column in columns]
    room = width - extra - sum(pad)
    if sum(r.maximum for r in ranges) <= room:
        return True
    if sum(r.minimum for r in ranges) > room:
        return False
    widths = [r.maximum for r in ranges]
    excess = sum(widths) - room
    while excess > 0:  # take one cell at a time from the column with most room to give, widest first
        index = max(range(len(columns)), key=lambda i: (widths[i] - ranges[i].minimum, widths[i]))
        widths[index] -= 1
        excess -= 1
    for column, size, measured in zip(columns, widths, ranges, strict=True):
        if size < measured.maximum:
            column.width = size
    return True


def records(table: Table, heading: int = 1) -> Group:
    """The table as one block per row: the first ``heading`` cells, then each other column as ``header  value``."""
    columns = table.columns
    rows = list(zip(*(list(column.cells) for column in columns), strict=False))
    label = max((len(str(column.header)) for column in columns[heading:]), default=0)
    parts: list = []
    if table.title:
        title = table.title
        parts.append(title if isinstance(title, Text) else Text(str(title), style=table.title_style or ""))
    for row in rows:
        parts.append(Padding(Text("  ").join(_text(cell, "bold") for cell in row[:heading]), (0, 0, 0, 2)))
        grid = Table.grid(padding=(0, 2, 0, 0))
        grid.add_column(no_wrap=True, min_width=label, style="dim")
        grid.add_column(overflow="fold")
        for column, cell in zip(columns[heading:], row[heading:], strict=True):
            if str(cell).strip():  # an empty cell says nothing on a line of its own
                grid.add_row(str(column.header), cell)
        parts.append(Padding(grid, (0, 0, 0, 4)))
    return Group(*parts)


def _text(cell: RenderableType, style: str) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    text.stylize(style)
    return text


def _padding(table: Table) -> list[int]:
    """Left plus right padding of each column, as rich lays the table out."""
    _, right, _, left = Padding.unpack(table.padding)
    count = len(table.columns)
    pads = []
    for index in range(count):
        first, last = index == 0, index == count - 1
        pads.append((0 if first and not table.pad_edge else left) + (0 if last and not table.pad_edge else right))
    return pads


def _measure(console: Console, column: Column, width: int, show_header: bool) -> Measurement:
    """(longest word, longest line) over the header and cells; both the longest line when the column never wraps."""
    options = console.options.update_width(max(width, 1))
    if column.width is not None:
        return Measurement(column.width, column.width)
    cells: Iterable = [column.header, *column.cells] if show_header else column.cells
    found = [Measurement.get(console, options, cell if not isinstance(cell, str) else Text(cell)) for cell in cells]
    if not found:
        return Measurement(0, 0)
    low, high = max(m.minimum for m in found), max(m.maximum for m in found)
    if column.no_wrap:
        low = high
    if column.min_width is not None:
        low, high = max(low, column.min_width), max(high, column.min_width)
    if column.max_width is not None:
        high = max(low, min(high, column.max_width))
    return Measurement(low, high)
