"""`pcplan due`: every dated obligation of a caseload, overdue first, as a table, JSON, CSV or iCalendar.

The obligations come from :mod:`pcplan.facts.obligations` (the same dates
the rules enforce, turned into a calendar). What leaves pcplan here is ids,
dates, kinds of task, staff ids and file names: never the words of a member's
record, so a JSON file, a spreadsheet or a calendar feed carries no health
information. The terminal table adds the case managers' names from staff.yaml.

Output is reproducible: the same files and ``--today`` give byte-identical
JSON, CSV and iCalendar (the calendar's DTSTAMP is ``--today``, not the clock).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from ..dates import LAST_DAY, clamped_plus_days, plus_days, plus_months
from ..facts.obligations import KINDS, Obligation, staff_obligations
from ..facts.summary import MemberSummary
from ..output import plural, terminal_safe
from ..shown import shown_path
from . import Caseload, in_one_repository

if TYPE_CHECKING:
    from ..result import MemberWork

FORMATS = ("table", "json", "csv", "ics")
FIELDS = ("due", "overdue", "days", "kind", "description", "member", "case_manager", "path", "data_path")
DEFAULT_WINDOW = "30d"

# A bare number is days (`--within 3`), as people say "in 3 days"; d, w and m name the unit.
_WINDOW = re.compile(r"^\s*([0-9]{1,4})\s*([dwm]?)\s*$", re.IGNORECASE)
WINDOW_FORMS = "a number of days (`3`), days, weeks or calendar months (`3d`, `2w`, `3m`), or `all`"


class DueError(ValueError):
    """A usage error (bad window, unknown case manager); the CLI exits with 2."""


@dataclass(frozen=True)
class DueOptions:
    today: date
    within: str = DEFAULT_WINDOW  # "30" (days), "30d", "2w", "3m" or "all"
    case_manager: str | None = None


@dataclass
class DueReport:
    today: date
    within_days: int | None  # None: every date (`--within all`)
    obligations: list[Obligation]
    staff_names: dict[str, str]  # staff id -> name, for the table's headings
    # Places the walk could not read, (display path, why): their members are missing from this list, so it says so.
    unread: list[tuple[str, str]] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for o in self.obligations if o.overdue(self.today))

    @property
    def horizon(self) -> date | None:
        return None if self.within_days is None else clamped_plus_days(self.today, self.within_days)


def parse_window(text: str, today: date) -> int | None:
    """``"30"``/``"30d"``/``"4w"``/``"3m"`` → days from today (months are calendar months); ``"all"`` → None.

    A window reaching past the calendar's end (``--today 9999-12-31``) ends on its last day."""
    if text.strip().lower() == "all":
        return None
    match = _WINDOW.match(text)
    if not match:
        raise DueError(f"--within takes {WINDOW_FORMS}; got {text!r}")
    count, unit = int(match.group(1)), match.group(2).lower()
    if unit in ("", "d"):
        return count
    if unit == "w":
        return count * 7
    return ((plus_months(today, count) or LAST_DAY) - today).days


def collect(path: Path, options: DueOptions, cwd: Path | None = None, cache: bool = False, jobs: int = 1,
            notices: list[str] | None = None, progress: Callable[[], None] | None = None) -> DueReport:
    """The obligations under ``path`` (the repository root adds staff training deadlines), filtered and sorted.

    The member folders are read by the check's one pass (pcplan.engine, ``Options.caseload``), so a folder
    the cache already holds is not read again. Raises UsageError (no such path), ConfigError, or DueError.
    """
    today = options.today
    within_days = parse_window(options.within, today)
    horizon = clamped_plus_days(today, within_days) if within_days is not None else None
    cwd = (cwd or Path.cwd()).resolve()
    return in_one_repository(path, "due", cwd, lambda caseload: _collect(caseload, options, within_days, horizon,
                                                                        cache, jobs, notices, progress))


def _collect(caseload: Caseload, options: DueOptions, within_days: int | None, horizon: date | None, cache: bool,
             jobs: int, notices: list[str] | None,
             progress: Callable[[], None] | None = None) -> tuple[DueReport, list[str]]:
    """The due report of ``caseload`` and the repositories the check found case files in."""
    from ..engine import Options, check

    today = options.today
    settings = caseload.config.settings
    managers: set[str] = set()
    per_member: list[tuple[int, list[Obligation]]] = []

    def take(work: MemberWork) -> None:
        summary = cast(MemberSummary, work.summary)  # the check was asked for summaries (Options.caseload)
        managers.update(summary.case_managers())
        # overdue ones are always before the horizon
        per_member.append((work.order, summary.due_by(horizon)))

    checked = check([caseload.scope], Options(today=today, jobs=jobs, cache=cache, caseload=True, keep_findings=False,
                                              one_repository=True), cwd=caseload.cwd, on_member=take,
                    notices=notices, progress=progress)
    roots = checked.roots
    per_member.sort(key=lambda item: item[0])  # the walk's order, as workers finish in any order
    found: list[Obligation] = [o for _, obligations in per_member for o in obligations]
    per_member.clear()
    if caseload.scope == caseload.root.resolve():
        staff = staff_obligations(caseload.repo, settings, today)
        managers.update(o.case_manager for o in staff if o.case_manager)
        found.extend(o for o in staff if horizon is None or o.due <= horizon)
    names = {sid: person["name"] for sid, person in caseload.repo.staff_by_id.items()
             if isinstance(person.get("name"), str) and person["name"].strip()}
    if options.case_manager is not None:
        known = set(caseload.repo.staff_by_id) | managers
        if options.case_manager not in known:
            listed = ", ".join(sorted(known)) or "none (no staff.yaml and no assignment)"
            raise DueError(f"--case-manager {options.case_manager!r} is not a known staff id; known ids: {listed}")
        found = [o for o in found if o.case_manager == options.case_manager]
    found.sort(key=lambda o: o.sort_key)
    return DueReport(today, within_days, found, names, list(checked.unread)), roots


# ---------------------------------------------------------------- records shared by json, csv and ics

def _dotted(data_path: tuple) -> str:
    out = ""
    for step in data_path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def record(o: Obligation, today: date) -> dict:
    """One obligation as the machine formats carry it (ids, dates, kinds, paths; no record text)."""
    return {
        "due": o.due.isoformat(),
        "overdue": o.overdue(today),
        "days": o.days_left(today),  # negative when overdue
        "kind": o.kind,
        "description": o.description,
        "member": o.member,
        "case_manager": o.case_manager,
        "path": shown_path(o.path),
        "data_path": _dotted(o.data_path),
    }


def days_text(days: int) -> str:
    if days == 0:
        return "today"
    return f"in {plural(days, 'day')}" if days > 0 else f"{plural(-days, 'day')} overdue"


# ---------------------------------------------------------------- writers

def write(report: DueReport, fmt: str, stream: TextIO, color: bool | None = None, width: int | None = None) -> None:
    """Write ``report`` in ``fmt`` (one of FORMATS); ``color``/``width`` only affect the table."""
    if fmt == "table":
        write_table(report, stream, color=color, width=width)
    elif fmt == "json":
        write_json(report, stream)
    elif fmt == "csv":
        write_csv(report, stream)
    elif fmt == "ics":
        stream.write(ics_text(report))
    else:
        raise ValueError(fmt)


def write_json(report: DueReport, stream: TextIO) -> None:
    document = {
        "version": 1,
        "today": report.today.isoformat(),
        "within_days": report.within_days,
        "obligations": [record(o, report.today) for o in report.obligations],
        "unread": [{"path": shown_path(path), "reason": reason} for path, reason in report.unread],
    }
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with ' (days stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)


def write_csv(report: DueReport, stream: TextIO) -> None:
    """RFC 4180: a header row, then one row per obligation, CRLF line ends."""
    out = csv.writer(stream, lineterminator="\r\n")
    out.writerow(FIELDS)
    for o in report.obligations:
        row = record(o, report.today)
        out.writerow([str(row["days"]) if name == "days" else _cell(row[name]) for name in FIELDS])


def uid(o: Obligation) -> str:
    """A stable UID: the same obligation (member, kind, subject, due date) keeps it from run to run."""
    key = "\x1f".join((o.member or "", o.kind, o.subject, o.due.isoformat()))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@pcplan"


def ics_text(report: DueReport) -> str:
    """An iCalendar feed: one all-day VEVENT per obligation, DTSTAMP fixed at ``today`` (reproducible). An
    overdue obligation is on ``today`` (what a subscribed calendar shows as today), its due date in its
    summary; its UID stays the one it had before it was overdue, so a calendar moves the event, never
    doubles it."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//pcplan//due//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "pcplan: obligations")
    seen: dict[str, int] = {}
    for o in report.obligations:
        ident = uid(o)
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:  # the same obligation twice (a duplicated id): keep UIDs unique, still stable
            ident = ident.replace("@", f"-{seen[ident]}@", 1)
        calendar.add_component(_event(o, ident, report.today))
    return fold_ics(calendar.to_ical().decode("utf-8"))


def _event(o: Obligation, ident: str, today: date) -> Any:
    """One obligation's all-day VEVENT: on its due date, or on ``today`` when overdue."""
    from icalendar import Event

    late = o.overdue(today)
    who = o.member or o.case_manager or "staff"
    summary = f"{who}: {KINDS[o.kind]}"
    due = o.due.isoformat()
    lines = [f"Member: {o.member}" if o.member else "Staff obligation (no member)",
             f"Obligation: {o.description}",
             f"Due: {due}" + (f" (overdue; shown on {today.isoformat()}, the day of this calendar, until it is "
                              "done)" if late else ""),
             f"Case manager: {o.case_manager or 'none assigned'}",
             f"File: {shown_path(o.path)}"]
    day = today if late else o.due
    event = Event()
    event.add("uid", ident)
    event.add("dtstamp", datetime(today.year, today.month, today.day, tzinfo=UTC))
    if late:  # moved each day it stays overdue: a later SEQUENCE tells a calendar this version replaces the last
        event.add("sequence", (today - o.due).days)
    event.add("dtstart", day)
    end = plus_days(day, 1)
    if end is not None:
        event.add("dtend", end)
    else:  # on the calendar's last day (9999-12-31): a one-day event says its length instead
        event.add("duration", timedelta(days=1))
    event.add("summary", (f"OVERDUE (due {due}): " if late else "") + summary)
    event.add("description", "\n".join(lines))
    event.add("categories", [o.kind])
    event.add("transp", "TRANSPARENT")
    return event


def fold_ics(text: str) -> str:
    """Fold content lines at 75 octets (RFC 5545, 3.1), never right after a blank.

    icalendar folds at a fixed width, so a folded line can end in the space
    of ``Due: …``; that space is content, so the fold moves before it (the
    next line starts with the folding space and then the content's own).
    """
    out = []
    for unfolded in text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n"):
        line, first = unfolded, True
        while len(line.encode("utf-8")) > (75 if first else 74):
            cut = _fold_point(line, 75 if first else 74)
            out.append(("" if first else " ") + line[:cut])
            line, first = line[cut:], False
        out.append(("" if first else " ") + line)
    return "\r\n".join(out)


def _fold_point(line: str, limit: int) -> int:
    """Where to cut ``line``: within ``limit`` octets, on a character boundary, not after a space or tab."""
    cut, size = 0, 0
    for char in line:
        size += len(char.encode("utf-8"))
        if size > limit:
            break
        cut += 1
    while cut > 1 and line[cut - 1] in " \t":
        cut -= 1
    return cut


_HEADERS = ("Due", "Days", "Member", "What", "File")
_MIN_WHAT = 24  # below this the table would fold every description: use blocks instead


def write_table(report: DueReport, stream: TextIO, color: bool | None = None, width: int | None = None) -> None:
    """Grouped by case manager (no case manager last); overdue rows say so in words, and in red where colour is on.

    Where the five columns fit the terminal they form one aligned table; a
    narrower terminal gets each obligation as a short block (date, days and
    member on one line, what and file below), which stays readable at 40
    columns instead of folding every cell.
    """
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    probe = Console(file=stream, width=width, no_color=None if color is None else not color, force_terminal=color)
    buffer = io.StringIO()  # rendered here first, so that no line ends in the padding of a table cell
    console = Console(file=buffer, width=probe.width, force_terminal=probe.is_terminal,
                      color_system=cast(Any, probe.color_system),  # the name the probe chose, one rich takes
                      no_color=probe.no_color,
                      highlight=False, soft_wrap=False, emoji=False)
    # Ids, names and file names come from case files: no control character reaches the terminal.
    cells = [(o.due.isoformat(), days_text(o.days_left(report.today)), terminal_safe(o.member or "(staff)"),
              terminal_safe(o.description), shown_path(o.path)) for o in report.obligations]
    widths = [max([cell_len(h)] + [cell_len(row[i]) for row in cells]) for i, h in enumerate(_HEADERS)]
    flex = _HEADERS.index("What")
    room = console.width - (sum(widths) - widths[flex]) - 3 * (len(widths) - 1)  # what is left for "What"
    # The table only where "What" keeps its longest word whole; else blocks, which wrap between words.
    longest = max((cell_len(word) for row in cells for word in row[flex].split()), default=0)
    wide = room >= max(min(widths[flex], _MIN_WHAT), longest)
    widths[flex] = min(widths[flex], max(room, 0))
    groups: dict[str | None, list[tuple[Obligation, tuple]]] = {}
    for o, row in zip(report.obligations, cells, strict=True):
        groups.setdefault(o.case_manager, []).append((o, row))
    for manager in sorted(groups, key=lambda m: (m is None, m or "")):
        rows = groups[manager]
        late = sum(1 for o, _ in rows if o.overdue(report.today))
        if manager is None:
            heading = "No case manager"
        elif manager in report.staff_names:
            heading = terminal_safe(f"{report.staff_names[manager]} ({manager})")
        else:
            heading = terminal_safe(f"{manager} (not in staff.yaml)")
        counts = plural(len(rows), "obligation") + (f", {late} overdue" if late else "")
        console.print(Text.assemble((heading, "bold"), f" — {counts}"), overflow="fold")
        if wide:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for index, (header, size) in enumerate(zip(_HEADERS, widths, strict=True)):
                if index == flex:  # the one column that wraps (at spaces) when the terminal is narrow
                    table.add_column(header, width=size, overflow="fold")
                else:
                    table.add_column(header, min_width=size, no_wrap=True)
            for o, (due, days, member, what, where) in rows:
                overdue = o.overdue(report.today)
                table.add_row(due, Text(days, style=_days_style(o, report.today)), member, what, where,
                              style="red" if overdue else None)
            console.print(table)
        else:
            for o, (due, days, member, what, where) in rows:
                console.print(Text.assemble("  ", due, "  ", (days, _days_style(o, report.today)), "  ", member,
                                            style="red" if o.overdue(report.today) else ""), overflow="fold")
                console.print(Text(f"    {what}"), overflow="fold")
                console.print(Text(f"    {where}", style="dim"), overflow="fold")
        console.print()
    console.print(_summary(report), overflow="fold")
    stream.write("\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n")))


def _days_style(o: Obligation, today: date) -> str:
    days = o.days_left(today)
    return "bold red" if days < 0 else ("bold" if days == 0 else "")


def _summary(report: DueReport) -> str:
    n, late = len(report.obligations), report.overdue
    window = "all dates" if report.horizon is None else f"due by {report.horizon.isoformat()}"
    return f"{plural(n, 'obligation')}, {late} overdue (today {report.today.isoformat()}, {window})"
