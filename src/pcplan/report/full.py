"""The terminal format: each finding with the offending line, a caret and a hint, then a summary.

    error[L101] goal G2 cites no assessed need; add `needs: [N…]` from the assessment
      --> members/M-000999/plan-2026-03-05.yaml:44:5
       |
    44 |   - id: G2
       |     ^
       = hint: Add the ids of the needs this goal addresses, from the assessment the plan is based on.

A finding about a second place too (the assessed need a plan leaves out) shows
it on a second ``-->`` line, ``path:line:col: what is there``, marked with ``-``.

Source lines are never wrapped, so the caret stays under its column in a narrow
terminal: a line too long for it is shown as a window around the column, with
``…`` where it is cut. Colour follows the terminal and ``NO_COLOR``; no line
ends in a blank.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Related
from ..layout import buffered_console, flush, print_table
from ..load import MAX_FILE_BYTES
from ..rules.registry import RULES
from ..shown import visible
from ..walk import HIDDEN, OUTSIDE
from .common import CheckResult, Hook, ReportOptions, blocking, said, shown_codes, statistics, summary
from .common import place as shown_place

_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(\s|$)")
_FILES_KEPT = 32  # files whose lines are kept for excerpts: a few, not every file with a finding in the repository


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    # Rendered a finding at a time into a buffer, passed on without the blanks rich pads lines with.
    console = buffered_console(stream, options.width, options.color)
    if options.statistics:
        _statistics(result, console)
    else:
        lines_cache: dict[Path, list[str] | None] = {}
        for finding in result.findings:
            _finding(finding, console, options, lines_cache)
            flush(console, stream)
    _summary(result, console, options.baselined, options.hide_names, options.hook)
    flush(console, stream)


def _finding(f: Finding, console: Console, options: ReportOptions, cache: dict) -> None:
    head = Text()
    head.append(f"{f.severity}[{f.code}]", style=_STYLE[f.severity])
    if f.excepted:
        head.append(" (excepted)", style="dim")
    elif not blocking(f, options):
        head.append(" (not blocking)", style="dim")
    head.append(f" {said(f.message)}", style="bold")
    console.print(head)
    places: tuple[Finding | Related, ...] = (f, *f.related)
    gutter = max(len(str(place.line)) for place in places) + 1
    _location(f, f"{shown_place(f.path, options)}:{f.line}:{f.column}", "^", _STYLE[f.severity], gutter, console,
              options, cache)
    for related in f.related:
        # Where else the finding shows (the assessed need a plan leaves out): a second `-->`, its line marked `-`,
        # then what it is, wrapped like the hint (a long path and a label on one line overflow a narrow terminal).
        _location(related, f"{shown_place(related.path, options)}:{related.line}:{related.column}", "-", "blue",
                  gutter, console, options, cache)
        _labelled("related", said(related.message), gutter, console)
    hint = _hint(f)
    if hint:
        _labelled("hint", said(hint), gutter, console)
    console.print()


def _labelled(label: str, text: str, gutter: int, console: Console) -> None:
    """``= label: text`` under the gutter, wrapping with a hanging indent in a narrow terminal."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(" " * gutter + "= ", style="blue") + Text(f"{label}: ", style="bold"), Text(text))
    console.print(grid)


def _location(place: Finding | Related, where: str, mark: str, style: str, gutter: int, console: Console,
              options: ReportOptions, cache: dict) -> None:
    """``--> path:line:col`` and, unless the source is left out, the line with ``mark`` under the column."""
    # soft_wrap: the terminal wraps the location if it must, so the path stays whole for copying.
    console.print(Text(" " * (gutter - 1) + "--> ", style="blue") + Text(where), soft_wrap=True)
    source = _source_line(place, cache) if options.show_source else None
    if source is not None:
        bar = Text(" " * gutter + "|", style="blue")
        console.print(bar)
        numbered = Text(f"{place.line}".rjust(gutter - 1) + " | ", style="blue")
        # A tab is one column to the loader: shown as one space, the caret stays under its character. Any
        # other character that could act on the terminal is shown escaped (``\x1b``), and the caret moves
        # with what is shown.
        units = [visible(char) for char in source.expandtabs(1)]
        shown, caret = excerpt(units, place.column, console.width - len(numbered))
        numbered.append(shown)
        console.print(numbered, no_wrap=True, crop=True)
        console.print(bar + Text(" " * (caret + 1) + mark, style=style), no_wrap=True, crop=True)


def _hint(f: Finding) -> str | None:
    """The finding's own hint (one E005 cause, one E004 field), else the first sentence of its rule's fix."""
    if f.hint:
        return f.hint
    rule = RULES.get(f.code)
    if rule is None:
        return None
    first = _FIRST_SENTENCE.match(rule.fix)
    return first.group(1) if first else rule.fix


def _source_line(f: Finding | Related, cache: dict) -> str | None:
    """The finding's line as the loader counts lines (LF, CRLF or CR), as it is in the file (not yet safe to
    print: the caller escapes it)."""
    if f.file is None or (getattr(f, "code", None) == "E005" and f.message in (OUTSIDE, HIDDEN)):
        return None  # a link pcplan refused to read: none of its lines are shown
    if f.file not in cache:
        if len(cache) >= _FILES_KEPT:  # the oldest first: findings come sorted by file
            del cache[next(iter(cache))]
        cache[f.file] = None
        try:
            # Only a plain file within the size limit (never a pipe or /dev/zero behind a symlink).
            if f.file.is_file() and f.file.stat().st_size <= MAX_FILE_BYTES:
                text = f.file.read_bytes().decode("utf-8")
                cache[f.file] = re.split("\r\n|\r|\n", text.removeprefix("\ufeff"))
        except (OSError, UnicodeDecodeError):
            pass
    lines = cache[f.file]
    if not lines or not 1 <= f.line <= len(lines):
        return None
    return lines[f.line - 1]


def excerpt(line: str | list[str], column: int, room: int) -> tuple[str, int]:
    """The part of ``line`` to show in ``room`` cells so that ``column`` (1-based) is in view.

    Returns the text and the cell under which the caret goes. A line that fits
    is shown whole; a longer one is cut where it must be, with ``…`` on each
    cut side, around the column: from the start when the column is near it,
    to the end when the column is near that, else centred on the column. A
    column past the end of the line puts the caret just after its last
    character (there is nothing further to point at; the location line gives
    the column). Wide characters take two cells and combining marks none, as
    in the terminal. ``line`` may be a list of what each character is shown
    as (an escaped control character takes as many cells as its escape).
    """
    room = max(room, 3)
    widths = [cell_len(char) for char in line]
    total = sum(widths)
    caret = sum(widths[:max(column - 1, 0)])
    end = max(total, caret + 1)  # what must be reachable: the line, and the caret's cell after it
    if end <= room:
        return "".join(line), caret
    if caret < room - 1:  # near the start: cut only on the right
        return _cells(line, widths, 0, room - 1) + "…", caret
    start = caret - (room - 2) // 2  # centred between two ellipses
    if start + room - 1 >= end:  # near the end: cut only on the left
        start = end - (room - 1)
        return "…" + _cells(line, widths, start, end), caret - start + 1
    return "…" + _cells(line, widths, start, start + room - 2) + "…", caret - start + 1


def _cells(line: str | list[str], widths: list[int], start: int, stop: int) -> str:
    """The characters of ``line`` within cells [start, stop), padded to that many cells.

    A wide character cut by an edge becomes a blank; a combining mark goes with its character.
    """
    out, position, kept = [], 0, False
    for char, width in zip(line, widths, strict=True):
        if width == 0:
            if kept:
                out.append(char)
            continue
        kept = start <= position and position + width <= stop
        if kept:
            out.append(char)
        elif position < stop and position + width > start:
            out.append(" " * (min(position + width, stop) - max(position, start)))
        position += width
    text = "".join(out)
    return text + " " * (stop - start - cell_len(text))


def _summary(result: CheckResult, console: Console, baselined: int, hide_names: bool | None = None,
             hook: Hook | None = None) -> None:
    line = summary(result, baselined, members=True, hide_names=hide_names, hook=hook)
    text = Text(line.head, style="bold green" if line.passed else "bold") + Text(line.body)
    text.append(line.note, style="dim")
    console.print(text)
    if not line.passed:
        codes = shown_codes(result)
        console.print(Text(f"Explain a rule: pcplan rule {codes[0]}", style="dim"))


def _statistics(result: CheckResult, console: Console) -> None:
    table = Table(box=None, pad_edge=False, show_edge=False)
    columns: tuple[tuple[str, Literal["left", "right"]], ...] = (
        ("count", "right"), ("code", "left"), ("name", "left"), ("severity", "left"), ("excepted", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for row in statistics(result):
        table.add_row(str(row["count"]), row["code"], row["name"],
                      Text(row["severity"], style=_STYLE[row["severity"]]), str(row["excepted"] or ""))
    print_table(console, table, heading=2)
