"""Worklists: per case manager, who is overdue on what, and what falls due next.

A supervisor's first question after the counts is *which case manager is behind on what*. A worklist
answers it for one case manager: how many obligations are overdue and how many fall due soon, and the
items themselves (member id, kind of task, due date, days overdue or left), the most overdue first.

* ``pcplan report`` keeps one :class:`Worklist` per case manager (in its ``_Manager``) as member folders
  are counted: the counts are exact, the items are the first ``REPORT_LIMIT`` of each list (overdue;
  due within ``WINDOW_DAYS``), so memory stays bounded however large the caseload. The table, JSON and
  HTML formats show them (in HTML, one printed page per case manager: report_worklists.html.j2).
* ``pcplan due --summary`` groups ``pcplan due``'s list the same way: one short block per case manager,
  counts and the first ``SUMMARY_LIMIT`` items (overdue first), then "and N more".

Like ``pcplan due``, only ids, dates and kinds of task are shown: never the words of a member's record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol, TextIO

from ..dates import clamped_plus_days
from ..facts.obligations import Obligation
from ..output import plural, terminal_safe
from ..shown import looks_like_id, shown_path
from .due import DueReport, days_text, record

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

WINDOW_DAYS = 30  # the report's "due soon": from today to today + 30 days, as `pcplan due` lists by default
REPORT_LIMIT = 10  # items the report shows per list (overdue; due soon) and case manager: one printed page
SUMMARY_LIMIT = 10  # items `pcplan due --summary` shows per case manager (overdue first)


def horizon(today: date, days: int = WINDOW_DAYS) -> date:
    """The last day counted as due soon (a window past the calendar's end stops at its last day)."""
    return clamped_plus_days(today, days)


@dataclass
class Worklist:
    """One case manager's obligations: exact counts, and the first ``limit`` items of each list.

    Overdue items are kept most overdue first, the ones due soon soonest first (ties by member, kind and
    subject, so the same files give the same items whatever order the member folders were checked in)."""

    limit: int = REPORT_LIMIT
    overdue: int = 0
    due_soon: int = 0
    _late: list[Obligation] = field(default_factory=list)
    _soon: list[Obligation] = field(default_factory=list)

    def add(self, obligation: Obligation, today: date) -> None:
        """One obligation due by the horizon (the caller decides the horizon)."""
        if obligation.overdue(today):
            self.overdue += 1
            _keep(self._late, obligation, self.limit)
        else:
            self.due_soon += 1
            _keep(self._soon, obligation, self.limit)

    def overdue_items(self) -> list[Obligation]:
        return sorted(self._late, key=_order)[:self.limit]

    def due_soon_items(self) -> list[Obligation]:
        return sorted(self._soon, key=_order)[:self.limit]


def _order(obligation: Obligation) -> tuple:
    return obligation.sort_key


def _keep(items: list[Obligation], obligation: Obligation, limit: int) -> None:
    """Add, and once twice ``limit`` are held, keep only the first ``limit`` (sorting now and then, not always)."""
    items.append(obligation)
    if len(items) >= 2 * limit:
        items.sort(key=_order)
        del items[limit:]


# ---------------------------------------------------------------------------------------------------------------
# pcplan report: a worklist per row of `overdue_by_case_manager`


def report_fields(worklist: Worklist, today: date) -> dict:
    """What a row of the report's ``overdue_by_case_manager`` adds: ids, kinds, dates and counts only."""
    return {
        "due_soon": worklist.due_soon,
        "due_soon_until": horizon(today).isoformat(),
        "overdue_items": [{"member": o.member, "kind": o.kind, "due": o.due.isoformat(),
                           "days_overdue": -o.days_left(today)} for o in worklist.overdue_items()],
        "due_soon_items": [{"member": o.member, "kind": o.kind, "due": o.due.isoformat(),
                            "days_left": o.days_left(today)} for o in worklist.due_soon_items()],
    }


def headline(overdue: int, due_soon: int, window: str) -> str:
    """``1 overdue, 5 due within 30 days``: the counts at the top of a worklist (``window``: how the ones not
    overdue are said, ``due within 30 days``)."""
    return f"{overdue} overdue, {due_soon} {window}"


class _ReportTables(Protocol):
    """What the report's terminal writer (caseload.report._Tables) lends a worklist."""

    console: Console
    terminal: bool

    def manager(self, staff_id: str | None) -> str: ...

    def table(self, title: str, *columns: str) -> Table: ...

    def show(self, t: Table, heading: int = 1) -> None: ...


def write_report_worklists(tables: _ReportTables, rows: list[dict]) -> None:
    """``pcplan report``'s terminal worklists: per case manager, its counts, then the two lists as tables."""
    from rich.text import Text

    soon = f"due within {plural(WINDOW_DAYS, 'day')}"
    for row in rows:
        counts = headline(row["overdue"], row["due_soon"], soon)
        tables.console.print(Text(f"Worklist of {tables.manager(row['case_manager'])}: {counts}",
                                  style="bold" if tables.terminal else ""))
        tables.console.print()
        if not row["overdue"] and not row["due_soon"]:
            tables.console.print(f"Nothing overdue and nothing due by {row['due_soon_until']}.")
            tables.console.print()
            continue
        _report_list(tables, row, "overdue", "Overdue, most overdue first", "days_overdue")
        _report_list(tables, row, "due_soon", f"{soon.capitalize()} (by {row['due_soon_until']})", "days_left")


def _report_list(tables: _ReportTables, row: dict, key: str, title: str, days: str) -> None:
    """One of a worklist's two lists (``key``: overdue, due_soon) as a table, and how many it leaves out."""
    items = row[f"{key}_items"]
    if not items:
        return
    t = tables.table(title, "member", "kind", "due", ">" + days.replace("_", " "))
    for item in items:
        t.add_row(terminal_safe(item["member"] or "(staff)"), item["kind"], item["due"], str(item[days]))
    tables.show(t)
    if row[key] > len(items):
        tables.console.print(f"and {row[key] - len(items)} more: {_full_list(row['case_manager'])}")
        tables.console.print()


def _full_list(staff_id: str | None) -> str:
    """The command that lists them all."""
    if staff_id is None or not looks_like_id(staff_id):  # none, or text typed where a staff id belongs
        return "`pcplan due` lists every one"
    return f"`pcplan due --case-manager {terminal_safe(staff_id)}` lists every one"


# ---------------------------------------------------------------------------------------------------------------
# pcplan due --summary


@dataclass
class _Block:
    case_manager: str | None
    overdue: int = 0
    due_soon: int = 0
    items: list[Obligation] = field(default_factory=list)  # every one, in `due`'s order (overdue first)


def _blocks(report: DueReport) -> list[_Block]:
    """``due``'s obligations per case manager (staff ids in order, no case manager last)."""
    blocks: dict[str | None, _Block] = {}
    for o in report.obligations:  # sorted by due date: overdue ones first
        block = blocks.setdefault(o.case_manager, _Block(o.case_manager))
        block.items.append(o)
        if o.overdue(report.today):
            block.overdue += 1
        else:
            block.due_soon += 1
    return [blocks[m] for m in sorted(blocks, key=lambda m: (m is None, m or ""))]


def window_words(report: DueReport) -> str:
    """``due within 30 days`` (the ``--within`` window), or ``not yet due`` with ``--within all``."""
    return "not yet due" if report.within_days is None else f"due within {plural(report.within_days, 'day')}"


SUMMARY_FORMATS = ("table", "json")  # a CSV or calendar file lists every obligation by nature


def write_summary(report: DueReport, fmt: str, stream: TextIO, color: bool | None = None,
                  width: int | None = None) -> None:
    """``pcplan due --summary`` in ``fmt`` (one of SUMMARY_FORMATS); ``color``/``width`` only affect the table."""
    if fmt == "json":
        write_summary_json(report, stream)
    elif fmt == "table":
        write_summary_table(report, stream, color=color, width=width)
    else:
        raise ValueError(fmt)


def write_summary_json(report: DueReport, stream: TextIO) -> None:
    """Per case manager: the counts and the first SUMMARY_LIMIT obligations, as ``due``'s JSON writes each."""
    blocks = _blocks(report)
    document = {
        "version": 1,
        "today": report.today.isoformat(),
        "within_days": report.within_days,
        "due_by": None if report.horizon is None else report.horizon.isoformat(),
        "limit": SUMMARY_LIMIT,
        "overdue": sum(b.overdue for b in blocks),
        "due_soon": sum(b.due_soon for b in blocks),
        "case_managers": [{"case_manager": b.case_manager, "overdue": b.overdue, "due_soon": b.due_soon,
                           "obligations": [record(o, report.today) for o in b.items[:SUMMARY_LIMIT]],
                           "more": max(len(b.items) - SUMMARY_LIMIT, 0)} for b in blocks],
        "unread": [{"path": path, "reason": reason} for path, reason in _unread(report)],
    }
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def _unread(report: DueReport) -> Iterable[tuple[str, str]]:
    return ((shown_path(path), reason) for path, reason in report.unread)


def write_summary_table(report: DueReport, stream: TextIO, color: bool | None = None,
                        width: int | None = None) -> None:
    """One short block per case manager: a heading with the counts, the first items, "and N more"."""
    from ..layout import buffered_console, flush

    console = buffered_console(stream, width=width, color=color)
    blocks = _blocks(report)
    window = window_words(report)
    for block in blocks:
        _write_block(console, report, block, window)
    late, soon = sum(b.overdue for b in blocks), sum(b.due_soon for b in blocks)
    until = "all dates" if report.horizon is None else f"due by {report.horizon.isoformat()}"
    if not blocks:
        console.print(f"Nothing is overdue or {window} (today {report.today.isoformat()}, {until}).")
        flush(console, stream)
        return
    console.print(f"{plural(len(blocks), 'case manager')}: {headline(late, soon, window)} (today "
                  f"{report.today.isoformat()}, {until})")
    flush(console, stream)


def _heading(report: DueReport, staff_id: str | None) -> str:
    if staff_id is None:
        return "No case manager"
    name = report.staff_names.get(staff_id)
    return terminal_safe(f"{name} ({staff_id})" if name else f"{staff_id} (not in staff.yaml)")


_MIN_WHAT = 30  # below this, the description would fold on most lines: each item is a two-line block instead


def _write_block(console: Console, report: DueReport, block: _Block, window: str) -> None:
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    today = report.today
    console.print(Text.assemble((_heading(report, block.case_manager), "bold"), " — ",
                                headline(block.overdue, block.due_soon, window)))
    rows = [(o.due.isoformat(), Text(days_text(o.days_left(today)), style="bold red" if o.overdue(today) else ""),
             terminal_safe(o.member or "(staff)"), terminal_safe(o.description)) for o in block.items[:SUMMARY_LIMIT]]
    fixed = sum(max(cell_len(str(row[i])) for row in rows) + 2 for i in range(3)) + 2  # three columns, padded
    what = max(cell_len(row[3]) for row in rows)
    if console.width - fixed >= min(what, _MIN_WHAT):  # one line per item, the description wrapping if need be
        t = Table(box=None, show_header=False, padding=(0, 1), pad_edge=True)
        for _ in range(3):
            t.add_column(no_wrap=True)
        t.add_column(overflow="fold")  # only a word wider than the whole column is cut
        for row in rows:
            t.add_row(*row)
        console.print(t)
    else:  # a narrow terminal: date, days and member on one line, what below it
        days_width = max(cell_len(str(row[1])) for row in rows)
        for due, days, member, description in rows:
            days.pad_right(days_width - cell_len(str(days)))
            console.print(Text.assemble(" ", due, "  ", days, "  ", member), overflow="fold")
            console.print(Text(f"    {description}"), overflow="fold")
    more = len(block.items) - len(rows)
    if more:
        console.print(f" and {plural(more, 'more obligation')} (without --summary, `pcplan due` lists every one)")
    console.print()
