"""`pcplan report`: the supervisor's aggregate review of a caseload.

ISED's sixth stage asks a supervisor for "aggregate reviews of client services":
are appropriate assessments, plans, referrals and monitoring occurring with all
cases? This module answers with counts, never with a member's words:

* members by program and status, and by the state of their case (open, on
  hold, closed; a consented plan in effect or not; drafts awaiting signature),
  as ``pcplan.facts.lifecycle`` decides it;
* findings per rule and per case manager (``pcplan check``'s findings, each
  attributed to the member's current case manager, ``case_manager_of``);
* the share of active members whose case is fully compliant;
* the rules most often broken;
* overdue obligations per case manager (``pcplan due``'s dates).

**Fully compliant** (the definition docs/report.md documents): an *active* member
(``status: active`` and the current episode not closed) whose member folder has no error-level
finding that a documented exception does not cover. Warnings, info findings and
excepted findings do not count against it; an agency's severity overrides do.

The check runs once over the scope; its findings are reduced to counts per
member folder, then the member folders are streamed one at a time, so memory
holds counts (and the ids of the members that are not compliant), never the
repository. The same counts feed three formats: a terminal table, JSON and a
self-contained HTML page whose charts are inline SVG drawn here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from ..engine import Options, UsageError, check
from ..facts.obligations import KINDS, Obligation, staff_obligations
from ..facts.status import STATUSES
from ..facts.summary import MemberSummary
from ..findings import Finding
from ..output import plural, terminal_safe
from ..result import MemberWork
from ..rules import RULES
from ..shown import looks_like_id, plain_id, private, shown_path
from ..walk import enclosing_member_folder
from . import Caseload, in_one_repository
from .measures import DEFAULT_MONTHS, Quality, html_allowance, html_context, measure_tables, quality_data, write_csv
from .worklists import Worklist, horizon, report_fields, write_report_worklists

if TYPE_CHECKING:
    from rich.table import Table

FORMATS = ("table", "json", "html", "csv")
SEVERITIES = ("error", "warning", "info")
TOP_RULES = 10
HTML_TEMPLATE = "report.html.j2"

_STATUS_LABEL = {"active": "active", "on_hold": "on hold", "referred": "referred", "closed": "closed",
                 "unknown": "unknown"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


# ---------------------------------------------------------------------------------------------------------------
# Counting


@dataclass
class _Tally:
    """Findings counted by severity (not excepted) and excepted apart."""

    error: int = 0
    warning: int = 0
    info: int = 0
    excepted: int = 0

    def add(self, severity: str, excepted: bool) -> None:
        if excepted:
            self.excepted += 1
        else:
            setattr(self, severity, getattr(self, severity) + 1)

    def merge(self, other: _Tally) -> None:
        for name in (*SEVERITIES, "excepted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def findings(self) -> int:
        return self.error + self.warning + self.info


@dataclass
class _Manager:
    """One case manager's counts (``None`` stands for members without a current case manager)."""

    members: int = 0
    active: int = 0
    compliant: int = 0
    tally: _Tally = field(default_factory=_Tally)
    overdue: dict[str, int] = field(default_factory=dict)  # kind -> count
    overdue_members: set[str] = field(default_factory=set)
    oldest_due: date | None = None
    worklist: Worklist = field(default_factory=Worklist)  # overdue and due soon, item by item (worklists.py)


@dataclass
class _Group:
    total: int = 0
    status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    active: int = 0
    compliant: int = 0


# Members by the state of their case (DESIGN.md, "The life of a case"): open + on_hold + closed is every member;
# with + without a plan in effect is every member not closed.
LIFECYCLE = ("open", "on_hold", "closed", "with_plan_in_effect", "without_plan_in_effect",
             "drafts_awaiting_signature", "members_with_drafts")
LIFECYCLE_LABEL = {"open": "open", "on_hold": "on hold (a recorded hold covers today)", "closed": "closed",
                   "with_plan_in_effect": "not closed, with a consented plan in effect",
                   "without_plan_in_effect": "not closed, with no plan in effect",
                   "drafts_awaiting_signature": "drafts awaiting signature (plans)",
                   "members_with_drafts": "members with a draft awaiting signature"}


def _count_summary(counts: dict[str, int], summary: MemberSummary) -> None:
    """One member in ``LIFECYCLE`` counts, from its facts.summary.MemberSummary."""
    if summary.closed:
        counts["closed"] += 1
        return
    counts["on_hold" if summary.on_hold else "open"] += 1
    counts["with_plan_in_effect" if summary.in_effect else "without_plan_in_effect"] += 1
    counts["drafts_awaiting_signature"] += summary.drafts
    counts["members_with_drafts"] += summary.drafts > 0


@dataclass
class Report:
    """The report's counts (``data``, exactly what JSON carries) and what only people see (staff names)."""

    data: dict
    staff_names: dict[str, str]
    agency: str
    paper: str
    template_dirs: list[Path]


def build_report(path: Path, today: date, cwd: Path | None = None, cache: bool = False, jobs: int = 1,
                 notices: list[str] | None = None, case_manager: str | None = None,
                 progress: Callable[[], None] | None = None, months: int = DEFAULT_MONTHS) -> Report:
    """Check the scope in one pass and count. UsageError/ConfigError for bad paths or config.

    Each member folder is read once, by the check (pcplan.engine, ``Options.caseload``): its findings and
    its summary (status, lifecycle, case manager, programs, obligations) are counted as it is done, and a
    folder the cache holds is not read at all. With ``case_manager``, only that case manager's members (and
    their own training deadlines) are counted (pcplan.engine.assigned); ``progress`` hears of each member folder.
    """
    cwd = (cwd or Path.cwd()).resolve()
    return in_one_repository(path, "report", cwd, lambda caseload: _build(
        caseload, today, cwd, Options(today=today, jobs=jobs, cache=cache, caseload=True, keep_findings=False,
                                      one_repository=True, case_manager=case_manager), notices, progress,
        months=months))


def _build(caseload: Caseload, today: date, cwd: Path, options: Options, notices: list[str] | None,
           progress: Callable[[], None] | None, months: int = DEFAULT_MONTHS) -> tuple[Report, list[str]]:
    """The report of ``caseload`` and the repositories the check found case files in."""
    root = caseload.root
    scope = enclosing_member_folder(caseload.scope, root) or caseload.scope
    counts = _Counts(root, today)
    # One pass: member folders are counted as they are checked, their findings reduced to counts per rule there
    # and then (nothing kept per finding; per folder, only the few ids and counts an E007 across member folders,
    # known once the walk is done, may change: _Counted).
    result = check([scope], options, cwd=cwd, on_member=counts.member, notices=notices, progress=progress)
    roots = result.roots
    unread = list(result.unread)
    for finding in result.findings:  # staff.yaml, files outside member folders, and E007 across member folders
        counts.finding(finding)
    del result
    counts.counted.clear()  # the walk is done: no E007 changes a folder's counts any more
    if scope == root and caseload.repo.staff is not None:
        for obligation in staff_obligations(caseload.repo, caseload.config.settings, today):
            if obligation.due <= counts.horizon and options.case_manager in (None, obligation.case_manager):
                _obligation(counts.manager(obligation.case_manager), obligation, today)
    data = _report_data(counts, today, _relative(scope, root), unread)
    # The quality measures as of today and each of the last ``months`` month-ends, and timeliness (.measures)
    data.update(quality_data(counts.quality, today, months, caseload.config.measures, counts.hide))
    names = _staff_names(caseload, counts.managers)
    dirs = _template_dirs(caseload)
    return Report(data, names, caseload.config.agency, caseload.config.paper, dirs), roots


class _Counts:
    """What the report counts, as member folders are checked and then from the findings outside them."""

    def __init__(self, root: Path, today: date) -> None:
        self.root = root
        self.today = today
        self.members = _Group()
        self.states = dict.fromkeys(LIFECYCLE, 0)
        self.programs: dict[str | None, _Group] = {}
        self.managers: dict[str | None, _Manager] = {}
        self.not_compliant: list[dict] = []
        self.outside = _Tally()
        self.counted: dict[str, _Counted] = {}  # member folder -> how it was counted (E007 across folders moves it)
        self.rules: dict[str, dict] = {}
        self.rule_members: dict[str, int] = {}  # member folders with a finding of the rule (excepted ones aside)
        self.repeated: dict[str, int] = {}  # member id -> member folders using it (E007 across folders)
        self.clashes = 0  # member folders whose path is an earlier one's but for letter case or Unicode form
        self.hide = private()  # CI: what the report shows of a program typed as words (_shown_programs)
        self.quality = Quality(root)  # each member's measure facts and dated obligations (.measures)
        self.horizon = horizon(today)  # the worklists' "due soon" ends here

    def manager(self, staff_id: str | None) -> _Manager:
        return self.managers.setdefault(staff_id, _Manager())

    def member(self, work: MemberWork) -> None:
        """One member folder: its findings (all of them are in the scope) and its summary."""
        tally = _Tally()
        for finding in work.findings:
            tally.add(finding.severity, finding.excepted)
            _count_rule(self.rules, finding)
        for code in {f.code for f in work.findings if not f.excepted}:
            self.rule_members[code] = self.rule_members.get(code, 0) + 1
        summary = cast(MemberSummary, work.summary)  # the check was asked for summaries (Options.caseload)
        status = summary.status
        _count_summary(self.states, summary)
        manager = summary.manager
        compliant = status == "active" and tally.error == 0
        who = self.manager(manager)
        who.members += 1
        who.tally.merge(tally)
        shown = _shown_programs(summary.programs, self.hide)
        self.quality.add(work, summary, manager, shown)
        for group in (self.members, *(self.programs.setdefault(p, _Group()) for p in shown)):
            group.total += 1
            group.status[status] += 1
            group.active += status == "active"
            group.compliant += compliant
        row = None
        if status == "active":
            who.active += 1
            who.compliant += compliant
            if not compliant:
                label = summary.member_id if looks_like_id(summary.member_id) \
                    else shown_path(_relative(work.folder, self.root))
                row = {"member": label, "case_manager": manager, "errors": tally.error}
                self.not_compliant.append(row)
        self.counted[str(work.folder)] = _Counted(manager, shown, status == "active", row,
                                                  any(f.code == "E007" and not f.excepted for f in work.findings))
        for obligation in summary.due_by(self.horizon):  # overdue, and due soon (the worklists)
            _obligation(self.manager(obligation.case_manager), obligation, self.today)

    def finding(self, finding: Finding) -> None:
        """A finding outside the member folders' own: staff.yaml's, a file's outside member folders, or an E007
        across member folders (known once the walk is done)."""
        _count_rule(self.rules, finding)
        folder = self.counted.get(str(finding.file.parent)) if finding.file is not None else None
        if finding.code != "E007" or folder is None or finding.file is None:
            self.outside.add(finding.severity, finding.excepted)
            return
        # The later of two member folders with one member id (or one folder name): its folder is counted
        # as it is (one member each: which of the two records is right is for a person to say), with this
        # error added, and the duplicate is listed.
        if finding.data_path == ("id",) and finding.member is not None:
            self.repeated[finding.member] = self.repeated.get(finding.member, 1) + 1
        else:
            self.clashes += 1
        _count_repeated(folder, finding, self.managers, self.members, self.programs, self.not_compliant,
                        self.rule_members, shown_path(_relative(finding.file.parent, self.root)))


def _report_data(counts: _Counts, today: date, scope: str, unread: list[tuple[str, str]]) -> dict:
    """The report, as JSON carries it."""
    rules, managers, members, programs = counts.rules, counts.managers, counts.members, counts.programs
    by_rule = []
    for code in sorted(rules):
        row = rules[code]
        by_rule.append({**row, "name": RULES[code].name if code in RULES else row["name"],
                        "members": counts.rule_members.get(code, 0)})
    top = sorted((r for r in by_rule if r["count"]), key=lambda r: (-r["count"], r["code"]))[:TOP_RULES]
    order = sorted(managers, key=lambda m: (m is None, m or ""))
    total = _Tally()
    for who in managers.values():
        total.merge(who.tally)
    total.merge(counts.outside)
    by_program = sorted(programs.items(), key=lambda i: (i[0] is None, i[0] or ""))
    return {
        "version": 1,
        "today": today.isoformat(),
        "scope": scope,
        # Places the walk could not read: their members are not counted, and the report says so.
        "unread": [{"path": shown_path(path), "reason": reason} for path, reason in unread],
        "members": {
            "total": members.total,
            "by_status": members.status,
            "by_program": [{"program": p, "total": g.total, "by_status": g.status} for p, g in by_program],
            "by_lifecycle": counts.states,
            # Member ids used by more than one member folder, each counted as a member (`check` reports the later
            # folders as E007), and folders whose names differ only in letter case or Unicode form.
            "repeated_ids": [{"member": m, "folders": n} for m, n in sorted(counts.repeated.items())],
            "folder_name_clashes": counts.clashes,
        },
        "compliance": {
            "active_members": members.active,
            "compliant_members": members.compliant,
            "share": _share(members.compliant, members.active),
            "by_program": [{"program": p, "active_members": g.active, "compliant_members": g.compliant,
                            "share": _share(g.compliant, g.active)}
                           for p, g in by_program if g.active],
            "by_case_manager": [{"case_manager": m, "active_members": managers[m].active,
                                 "compliant_members": managers[m].compliant,
                                 "share": _share(managers[m].compliant, managers[m].active)}
                                for m in order if managers[m].active],
            "not_compliant": sorted(counts.not_compliant, key=lambda r: r["member"]),
        },
        "findings": {"total": total.findings, "error": total.error, "warning": total.warning, "info": total.info,
                     "excepted": total.excepted, "outside_member_folders": counts.outside.findings},
        "findings_by_rule": by_rule,
        "findings_by_case_manager": [
            {"case_manager": m, "members": managers[m].members, "active_members": managers[m].active,
             "findings": managers[m].tally.findings, "error": managers[m].tally.error,
             "warning": managers[m].tally.warning, "info": managers[m].tally.info,
             "excepted": managers[m].tally.excepted}
            for m in order if managers[m].members],
        "top_rules": [{"rank": rank, "code": r["code"], "name": r["name"], "severity": r["severity"],
                       "count": r["count"], "members": r["members"]} for rank, r in enumerate(top, 1)],
        "overdue_by_case_manager": [_overdue_row(m, managers[m], today) for m in order],
    }


def _overdue_row(staff_id: str | None, who: _Manager, today: date) -> dict:
    return {"case_manager": staff_id, "overdue": sum(who.overdue.values()), "members": len(who.overdue_members),
            "by_kind": {k: who.overdue[k] for k in KINDS if k in who.overdue},
            "oldest_due": who.oldest_due.isoformat() if who.oldest_due else None,
            **report_fields(who.worklist, today)}


def _staff_names(caseload: Caseload, managers: dict[str | None, _Manager]) -> dict[str, str]:
    """The names of the case managers the report counts, as staff.yaml gives them (only people see them)."""
    names = {}
    for staff_id, person in caseload.repo.staff_by_id.items():
        name = person.get("name")
        if staff_id in managers and isinstance(name, str) and name.strip():
            names[staff_id] = " ".join(name.split())
    return names


def _template_dirs(caseload: Caseload) -> list[Path]:
    from ..render.templating import TemplateFailure, agency_folder
    from ..resources import templates_dir

    try:  # the same confinement as render: pcplan.toml may only name a folder inside the repository
        dirs = [agency_folder(caseload.root, caseload.config.templates)] if caseload.config.templates else []
    except TemplateFailure as exc:
        raise UsageError(str(exc)) from None
    return [*dirs, templates_dir()]


@dataclass(slots=True)
class _Counted:
    """How one member folder was counted: what an E007 across member folders, found after the walk, changes."""

    manager: str | None
    programs: tuple
    active: bool
    row: dict | None  # its row of `not_compliant`, when it is there
    e007: bool  # it already counts in E007's members


def _count_repeated(folder: _Counted, finding: Finding, managers: dict, members: _Group, programs: dict,
                    not_compliant: list[dict], rule_members: dict[str, int], shown: str) -> None:
    """An E007 about a member folder found after its counts were made (a member id or folder name an earlier
    folder has): counted as that folder's finding, and an error makes the folder no longer fully compliant."""
    who = managers.setdefault(folder.manager, _Manager())
    who.tally.add(finding.severity, finding.excepted)
    if not folder.e007:
        rule_members["E007"] = rule_members.get("E007", 0) + 1
        folder.e007 = True
    if finding.severity != "error" or finding.excepted or not folder.active:
        return
    label = f"{finding.member} ({shown})" if finding.member else shown  # the id alone would name two folders
    if folder.row is None:  # it was fully compliant
        for group in (members, *(programs[p] for p in folder.programs)):
            group.compliant -= 1
        who.compliant -= 1
        folder.row = {"member": label, "case_manager": folder.manager, "errors": 0}
        not_compliant.append(folder.row)
    folder.row["member"] = label
    folder.row["errors"] += 1


def _count_rule(rules: dict[str, dict], finding: Finding) -> None:
    row = rules.setdefault(finding.code, {"code": finding.code, "name": finding.name,
                                          "severity": finding.severity, "count": 0, "excepted": 0})
    row["excepted" if finding.excepted else "count"] += 1


def _shown_programs(programs: tuple, hide: bool) -> tuple:
    """A member's programs as the report shows them: agency vocabulary (`HCBS-EBD`) as typed, escaped where
    it is written; in CI (``hide``, shown.private) a name typed as words is `(not an id)`. Hidden here, where
    the report is made from the summaries, never in a summary (the cache keeps those); per member, before
    counting, so a member with two such programs counts once under `(not an id)`."""
    if not hide:
        return programs
    shown: list[str] = []
    for name in programs:
        if name is None:
            return programs  # (None,): no program, nothing to hide
        if plain_id(name) not in shown:
            shown.append(plain_id(name))
    return tuple(sorted(shown))


def _obligation(who: _Manager, obligation: Obligation, today: date) -> None:
    """An obligation due by the worklists' horizon: counted as overdue when it is, and put on the worklist."""
    if obligation.overdue(today):
        _overdue(who, obligation)
    who.worklist.add(obligation, today)


def _overdue(who: _Manager, obligation: Obligation) -> None:
    who.overdue[obligation.kind] = who.overdue.get(obligation.kind, 0) + 1
    if obligation.member:
        who.overdue_members.add(obligation.member)
    if who.oldest_due is None or obligation.due < who.oldest_due:
        who.oldest_due = obligation.due


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _relative(path: Path, root: Path) -> str:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return relative or "."


# ---------------------------------------------------------------------------------------------------------------
# Output


def write_report(report: Report, fmt: str, stream: IO, terminal: bool = False) -> None:
    if fmt == "json":
        json.dump(report.data, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    elif fmt == "html":
        stream.write(render_html(report))
    elif fmt == "table":
        write_table(report, stream, terminal)
    elif fmt == "csv":
        write_csv(report.data, stream)
    else:
        raise ValueError(fmt)


def percent(share: float | None) -> str:
    """``0.6667`` → ``"66.7%"``, ``1.0`` → ``"100%"``, None → ``"—"``."""
    if share is None:
        return "—"
    value = round(share * 100, 1)
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def manager_label(staff_id: str | None) -> str:
    return staff_id if staff_id is not None else "(no case manager)"


def program_label(program: str | None) -> str:
    return program if program is not None else "(no program)"


# -- terminal --------------------------------------------------------------------------------------------------


def write_table(report: Report, stream: IO, terminal: bool, width: int | None = None) -> None:
    """Rich tables in a terminal; plain ASCII (no colour, 100 columns unless ``width``) anywhere else.

    A table too wide for the terminal narrows its text columns down to their
    longest word, and past that is shown one record per row: words are never
    cut across lines.
    """
    import io

    from ..layout import strip_line_ends

    buffer = io.StringIO()
    tables = _Tables(report, buffer, terminal, width)
    tables.members()
    tables.compliance()
    measure_tables(tables, percent)
    tables.findings()
    tables.overdue()
    # No padding after the last character of a line (rich pads table titles and cells).
    stream.write(strip_line_ends(buffer.getvalue()))


class _Tables:
    """The report's sections as tables on one console (write_table)."""

    def __init__(self, report: Report, buffer: IO, terminal: bool, width: int | None) -> None:
        from rich import box
        from rich.console import Console
        from rich.text import Text

        self.report = report
        self.terminal = terminal
        self.console = Console(file=buffer, highlight=False, markup=False, emoji=False, soft_wrap=False,
                               force_terminal=terminal, no_color=None if terminal else True,
                               width=width if width is not None else (None if terminal else 100))
        self.style = box.ROUNDED if terminal else box.ASCII
        d = report.data
        scope = "" if d["scope"] == "." else f" for {d['scope']}"
        header = f"Caseload report{scope} as of {d['today']}"
        self.console.print(Text(terminal_safe(f"{report.agency}: {header}") if report.agency else header,
                                style="bold" if terminal else ""))
        self.console.print()

    # Names, ids and program names come from case files: no control character reaches the terminal.
    def manager(self, staff_id: str | None) -> str:
        name = self.report.staff_names.get(staff_id) if staff_id else None
        return terminal_safe(f"{name} ({staff_id})" if name else manager_label(staff_id))

    def table(self, title: str, *columns: str) -> Table:
        """Columns named ``>name`` hold numbers (right-aligned, never wrapped); text wraps between words."""
        from rich.table import Table

        t = Table(title=title, title_justify="left", box=self.style, title_style="bold" if self.terminal else "")
        for column in columns:
            number = column.startswith(">")
            t.add_column(column.lstrip(">"), justify="right" if number else "left", no_wrap=number,
                         overflow="fold")  # fold: only a word wider than the whole column
        return t

    def show(self, t: Table, heading: int = 1) -> None:
        from ..layout import print_table

        print_table(self.console, t, heading=heading)
        self.console.print()

    def members(self) -> None:
        d, console = self.report.data, self.console
        statuses = [s for s in STATUSES if s != "unknown" or d["members"]["by_status"]["unknown"]]
        t = self.table("Members by program and status", "program", *(">" + _STATUS_LABEL[s] for s in statuses),
                       ">total")
        for row in d["members"]["by_program"]:
            t.add_row(terminal_safe(program_label(row["program"])), *(str(row["by_status"][s]) for s in statuses),
                      str(row["total"]))
        t.add_section()
        t.add_row("all members", *(str(d["members"]["by_status"][s]) for s in statuses), str(d["members"]["total"]))
        self.show(t)
        repeated, clashes = d["members"]["repeated_ids"], d["members"]["folder_name_clashes"]
        if repeated or clashes:
            # Never silently: a member id in two folders is counted twice above (once per folder).
            said = [f"{sum(r['folders'] for r in repeated)} member folders share {plural(len(repeated), 'member id')} "
                    f"({', '.join(terminal_safe(r['member']) for r in repeated)}) and are counted once each"] \
                if repeated else []
            if clashes:
                said.append(f"{plural(clashes, 'member folder')} {'has' if clashes == 1 else 'have'} a name that "
                            "differs from another's only in letter case or accents")
            console.print(f"{'; '.join(said)}: `pcplan check` reports each as E007.")
            console.print()
        t = self.table("Members by the state of their case", "state", ">count")
        for key in LIFECYCLE:
            t.add_row(LIFECYCLE_LABEL[key], str(d["members"]["by_lifecycle"][key]))
        self.show(t)

    def compliance(self) -> None:
        c = self.report.data["compliance"]
        self.console.print(f"Fully compliant: {c['compliant_members']} of "
                           f"{plural(c['active_members'], 'active member')} ({percent(c['share'])}) have no open "
                           "error-level finding.")
        self.console.print()
        if c["by_case_manager"]:
            t = self.table("Compliance per case manager", "case manager", ">active", ">compliant", ">share")
            for row in c["by_case_manager"]:
                t.add_row(self.manager(row["case_manager"]), str(row["active_members"]),
                          str(row["compliant_members"]), percent(row["share"]))
            self.show(t)
        if c["not_compliant"]:
            t = self.table("Active members with open errors", "member", "case manager", ">errors")
            for row in c["not_compliant"]:
                t.add_row(terminal_safe(row["member"]), self.manager(row["case_manager"]), str(row["errors"]))
            self.show(t)

    def findings(self) -> None:
        d = self.report.data
        f = d["findings"]
        self.console.print(f"Findings: {f['total']} ({plural(f['error'], 'error')}, {plural(f['warning'], 'warning')}, "
                           f"{f['info']} info); "
                           f"{f['excepted']} excepted; {f['outside_member_folders']} outside member folders.")
        self.console.print()
        if d["top_rules"]:
            t = self.table(f"Rules most often broken (top {TOP_RULES})", ">#", "code", "name", "severity",
                           ">findings", ">members")
            for row in d["top_rules"]:
                t.add_row(str(row["rank"]), row["code"], row["name"], row["severity"], str(row["count"]),
                          str(row["members"]))
            self.show(t, heading=3)
        if d["findings_by_rule"]:
            t = self.table("Findings per rule", "code", "name", "severity", ">findings", ">excepted", ">members")
            for row in d["findings_by_rule"]:
                t.add_row(row["code"], row["name"], row["severity"], str(row["count"]), str(row["excepted"]),
                          str(row["members"]))
            self.show(t, heading=2)
        if d["findings_by_case_manager"]:
            t = self.table("Findings per case manager", "case manager", ">members", ">error", ">warning", ">info",
                           ">excepted", ">findings")
            for row in d["findings_by_case_manager"]:
                t.add_row(self.manager(row["case_manager"]), str(row["members"]), str(row["error"]),
                          str(row["warning"]), str(row["info"]), str(row["excepted"]), str(row["findings"]))
            self.show(t)

    def overdue(self) -> None:
        rows = self.report.data["overdue_by_case_manager"]
        if not rows:
            return
        t = self.table("Overdue obligations per case manager", "case manager", ">overdue", ">members",
                       "oldest due", "kinds")
        for row in rows:
            kinds = ", ".join(f"{kind} {count}" for kind, count in row["by_kind"].items())
            t.add_row(self.manager(row["case_manager"]), str(row["overdue"]), str(row["members"]),
                      row["oldest_due"] or "-", kinds or "-")
        self.show(t)
        write_report_worklists(self, rows)  # then, per case manager, who is overdue on what and what is due next


# -- charts (inline SVG, drawn from these numbers; the template only writes them out) -------------------------

CHART_WIDTH = 760
LABEL_WIDTH = 250
VALUE_WIDTH = 110
PLOT_WIDTH = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8
AXIS_HEIGHT = 26
COLOURS = {"error": "#b42318", "warning": "#c2680a", "info": "#1d4ed8", "compliant": "#1e7b34",
           "overdue": "#7a2e8e", "track": "#e4e9ef", "grid": "#c9d2dc", "ink": "#1a1a1a", "muted": "#4a4a4a"}


@dataclass(frozen=True)
class Segment:
    css: str  # a class name: the severity, "compliant", "overdue"
    x: str
    width: str
    value: int
    fill: str
    title: str


@dataclass(frozen=True)
class Row:
    label: str
    title: str  # the label in full (the chart may shorten it)
    y: str
    text_y: str
    segments: tuple[Segment, ...]
    track: bool  # a full-width background bar (the compliance scale)
    value: str  # written after the bar
    value_x: str


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    axis_y: str
    legend: tuple[tuple[str, str], ...]  # (colour, label)

    @property
    def plot_left(self) -> int:
        return LABEL_WIDTH


def _n(value: float) -> str:
    """A coordinate, written the same way on every run."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _shorten(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _scale(largest: int) -> tuple[int, int]:
    """A round top of the scale (≥ largest) and its tick step: 1, 2 or 5 times a power of ten."""
    largest = max(largest, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if largest <= step * factor * 5:
                s = step * factor
                return -(-largest // s) * s, s
        step *= 10


def bar_chart(chart_id: str, title: str, rows: Iterable[tuple[str, list[tuple[str, int, str]]]],
              legend: tuple[tuple[str, str], ...] = ()) -> Chart:
    """Horizontal bars, one per row, stacked by segment: ``(label, [(css, value, title), ...])``."""
    rows = list(rows)
    top, step = _scale(max((sum(v for _, v, _ in parts) for _, parts in rows), default=0))
    unit = PLOT_WIDTH / top
    drawn = []
    for index, (label, parts) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x, segments = float(LABEL_WIDTH), []
        for css, value, part_title in parts:
            if value <= 0:
                continue
            segments.append(Segment(css, _n(x), _n(value * unit), value, COLOURS[css], part_title))
            x += value * unit
        total = sum(v for _, v, _ in parts)
        drawn.append(Row(_shorten(label), label, _n(y), _n(y + BAR_HEIGHT - 3.5), tuple(segments), False,
                         str(total), _n(x + 6)))
    ticks = tuple(Tick(_n(LABEL_WIDTH + value * unit), str(value)) for value in range(0, top + 1, step))
    height = TOP + len(rows) * ROW_HEIGHT + AXIS_HEIGHT
    description = "; ".join(f"{label}: {sum(v for _, v, _ in parts)}" for label, parts in rows) + "."
    return Chart(chart_id, title, description, CHART_WIDTH, height, tuple(drawn), ticks,
                 _n(TOP + len(rows) * ROW_HEIGHT), legend)


def share_chart(chart_id: str, title: str, rows: Iterable[tuple[str, int, int]]) -> Chart:
    """Bars on a 0–100 % scale: ``(label, compliant, active)``; each on a grey track of the whole."""
    rows = list(rows)
    drawn = []
    for index, (label, part, whole) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        share = part / whole if whole else 0.0
        segments = (Segment("compliant", _n(LABEL_WIDTH), _n(share * PLOT_WIDTH), part, COLOURS["compliant"],
                            f"{label}: {part} of {whole} compliant"),) if part else ()
        drawn.append(Row(_shorten(label), label, _n(y), _n(y + BAR_HEIGHT - 3.5), segments, True,
                         f"{percent(_share(part, whole))} ({part} of {whole})", _n(LABEL_WIDTH + PLOT_WIDTH + 6)))
    ticks = tuple(Tick(_n(LABEL_WIDTH + PLOT_WIDTH * p / 100), f"{p}%") for p in (0, 25, 50, 75, 100))
    height = TOP + len(rows) * ROW_HEIGHT + AXIS_HEIGHT
    description = "; ".join(f"{label}: {percent(_share(part, whole))}, {part} of {plural(whole, 'active member')} "
                            "fully compliant" for label, part, whole in rows) + "."
    return Chart(chart_id, title, description, CHART_WIDTH, height, tuple(drawn), ticks,
                 _n(TOP + len(rows) * ROW_HEIGHT), ((COLOURS["compliant"], "fully compliant"),
                                                    (COLOURS["track"], "not compliant")))


def charts(report: Report) -> dict[str, Chart | None]:
    d = report.data
    severity_legend = tuple((COLOURS[s], s) for s in SEVERITIES)
    rules = sorted((r for r in d["findings_by_rule"] if r["count"]), key=lambda r: (-r["count"], r["code"]))
    by_rule = bar_chart("chart-findings-by-rule", "Findings per rule",
                        [(f"{r['code']} {r['name']}", [(r["severity"], r["count"], f"{r['code']}: {r['count']}")])
                         for r in rules],
                        tuple(item for item in severity_legend if any(r["severity"] == item[1] for r in rules)))
    managers = d["findings_by_case_manager"]
    by_manager = bar_chart("chart-findings-by-case-manager", "Findings per case manager",
                           [(manager_label(m["case_manager"]),
                             [(s, m[s], f"{manager_label(m['case_manager'])}: {m[s]} {s}") for s in SEVERITIES])
                            for m in managers], severity_legend)
    c = d["compliance"]
    compliance = share_chart("chart-compliance", "Fully compliant active members",
                             [("all active members", c["compliant_members"], c["active_members"]),
                              *((manager_label(m["case_manager"]), m["compliant_members"], m["active_members"])
                                for m in c["by_case_manager"])]) if c["active_members"] else None
    overdue = bar_chart("chart-overdue-by-case-manager", "Overdue obligations per case manager",
                        [(manager_label(m["case_manager"]),
                          [("overdue", m["overdue"], f"{manager_label(m['case_manager'])}: {m['overdue']} overdue")])
                         for m in d["overdue_by_case_manager"]], ((COLOURS["overdue"], "overdue"),))
    return {"findings_by_rule": by_rule if rules else None,
            "findings_by_case_manager": by_manager if any(m["findings"] for m in managers) else None,
            "compliance": compliance,
            "overdue": overdue if any(m["overdue"] for m in d["overdue_by_case_manager"]) else None}


# -- HTML -----------------------------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    from .. import __version__
    from ..render import refuse_linked_stylesheets
    from ..render.bounds import MAX_CHARS, Stopped, isolated, template_file
    from ..render.templating import TemplateFailure, render_safely, sandboxed_environment

    # The same sandbox as render: an agency template never reaches Python's internals.
    env = sandboxed_environment(report.template_dirs, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True)
    env.filters["percent"] = percent
    env.filters["plural"] = plural  # {{ n|plural("member folder") }}: "1 member folder", "2 member folders"
    env.filters["long_date"] = long_date
    env.filters["manager"] = manager_label
    env.filters["program"] = program_label
    env.globals["status_label"] = _STATUS_LABEL
    env.globals["kind_label"] = KINDS
    env.globals["lifecycle_keys"] = LIFECYCLE
    env.globals["lifecycle_label"] = LIFECYCLE_LABEL
    d = report.data
    kinds = [k for k in KINDS if any(k in row["by_kind"] for row in d["overdue_by_case_manager"])]
    context = dict(
        report=d, agency=report.agency, paper=report.paper, staff_names=report.staff_names,
        charts=charts(report), statuses=[s for s in STATUSES if s != "unknown" or d["members"]["by_status"][s]],
        overdue_kinds=kinds, top_limit=TOP_RULES, version=__version__, colours=COLOURS)
    from .report_rules import rule_notes

    context["rule_notes"] = rule_notes(d)  # every rule code shown links to its note at the end (report_rules)
    # A row per member not compliant: the page may be as long as the caseload, and no longer.
    longest = MAX_CHARS + 4096 * len(d["compliance"]["not_compliant"]) + html_allowance(d)
    context.update(html_context(d))  # the quality measures' section (report_measures.html.j2)

    def make() -> str:  # bounded like a plan's render (pcplan.render.bounds): in a child process where it can be
        page = render_safely(env, report.template_dirs, HTML_TEMPLATE, context, longest)
        refuse_linked_stylesheets(page, report.template_dirs, HTML_TEMPLATE)
        return page

    try:
        return isolated(make)
    except Stopped as exc:
        raise TemplateFailure(str(exc), template_file(report.template_dirs, HTML_TEMPLATE)) from None
