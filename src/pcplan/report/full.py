"""The terminal format: each finding with the offending line, a caret and a hint, then a summary.

    error[L101] goal G2 cites no assessed need; add `needs: [N…]` from the assessment
      --> members/M-000999/plan-2026-03-05.yaml:44:5
       |
    44 |   - id: G2
       |     ^
       = hint: Add the ids of the needs this goal addresses, from the assessment the plan is based on.

Source lines are cropped, never wrapped, so the caret stays under its column in
a narrow terminal; colour follows the terminal and ``NO_COLOR``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..load import MAX_FILE_BYTES
from ..output import terminal_safe
from ..rules.registry import RULES
from . import ReportOptions, statistics, summary_counts

_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(\s|$)")


def write(result, stream: TextIO, options: ReportOptions) -> None:
    console = Console(file=stream, highlight=False, soft_wrap=False, width=options.width,
                      no_color=None if options.color is None else not options.color,
                      force_terminal=options.color, emoji=False)
    if options.statistics:
        _statistics(result, console)
        return
    lines_cache: dict[Path, list[str] | None] = {}
    for finding in result.findings:
        _finding(finding, console, options, lines_cache)
    _summary(result, console, options.baselined)


def _finding(f, console: Console, options: ReportOptions, cache: dict) -> None:
    head = Text()
    head.append(f"{f.severity}[{f.code}]", style=_STYLE[f.severity])
    if f.excepted:
        head.append(" (excepted)", style="dim")
    head.append(f" {f.message}", style="bold")
    console.print(head)
    gutter = len(str(f.line)) + 1
    # soft_wrap: the terminal wraps the location if it must, so the path stays whole for copying.
    console.print(Text(" " * (gutter - 1) + "--> ", style="blue") + Text(f"{f.path}:{f.line}:{f.column}"),
                  soft_wrap=True)
    source = _source_line(f, cache) if options.show_source else None
    if source is not None:
        bar = Text(" " * gutter + "|", style="blue")
        console.print(bar)
        numbered = Text(f"{f.line}".rjust(gutter - 1) + " | ", style="blue")
        numbered.append(source.expandtabs(1))
        console.print(numbered, overflow="ellipsis", no_wrap=True, crop=True)
        console.print(bar + Text(" " * f.column + "^", style=_STYLE[f.severity]), no_wrap=True, crop=True)
    rule = RULES.get(f.code)
    if rule is not None:
        hint = _FIRST_SENTENCE.match(rule.fix)
        grid = Table.grid()
        grid.add_column(no_wrap=True)
        grid.add_column()  # wraps with a hanging indent in a narrow terminal
        grid.add_row(Text(" " * gutter + "= ", style="blue") + Text("hint: ", style="bold"),
                     Text(hint.group(1) if hint else rule.fix))
        console.print(grid)
    console.print()


def _source_line(f, cache: dict) -> str | None:
    """The finding's line as the loader counts lines (LF, CRLF or CR), safe to print in a terminal."""
    if f.file is None:
        return None
    if f.file not in cache:
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
    return terminal_safe(lines[f.line - 1])


def _summary(result, console: Console, baselined: int) -> None:
    counts = summary_counts(result, baselined)
    scope = f"{result.files} file{'s' if result.files != 1 else ''}" + (
        f" in {result.members} member folder{'s' if result.members != 1 else ''}" if result.members else "")
    if counts["findings"] == 0:
        line = Text("All clear: ", style="bold green") + Text(f"no findings in {scope}.")
    else:
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                 for s in ("error", "warning", "info") if counts[s]]
        line = Text(f"Found {counts['findings']} finding{'s' if counts['findings'] != 1 else ''} ",
                    style="bold") + Text(f"({', '.join(parts)}) in {scope}.")
    if counts["excepted"]:
        line.append(f" {counts['excepted']} more covered by documented exceptions.", style="dim")
    if baselined:
        line.append(f" {baselined} more in the baseline, not shown.", style="dim")
    console.print(line)
    if counts["findings"]:
        codes = sorted({f.code for f in result.findings if not f.excepted})
        console.print(Text(f"Explain a rule: pcplan rule {codes[0]}", style="dim"))


def _statistics(result, console: Console) -> None:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column, justify in (("count", "right"), ("code", "left"), ("name", "left"),
                            ("severity", "left"), ("excepted", "right")):
        table.add_column(column, justify=justify)
    for row in statistics(result):
        table.add_row(str(row["count"]), row["code"], row["name"],
                      Text(row["severity"], style=_STYLE[row["severity"]]), str(row["excepted"] or ""))
    console.print(table)
