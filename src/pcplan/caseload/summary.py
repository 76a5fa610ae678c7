"""What `due` and `report` need of one member folder, as plain data the check computes once.

`pcplan check` loads each member folder once; when asked (``Options.caseload``,
or whenever the cache is on, so that one entry serves every command) it also
reduces the case to a :class:`MemberSummary`: its open obligations (`due`), and
the few facts `report` counts (status, the state of the case, the current case
manager, programs). The summary is ids, codes, dates and paths only, so the
cache may keep it (pcplan.cache) and `due` and `report` never load a member
folder a check has already judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import Settings
from ..lifecycle import lifecycle
from ..model import Case
from .obligations import KINDS, Obligation, case_manager_of, case_obligations


@dataclass(frozen=True)
class MemberSummary:
    status: str  # report's STATUSES: active, on_hold, referred, closed or unknown
    closed: bool
    on_hold: bool  # a recorded hold covers today (not closed)
    in_effect: bool  # a consented plan is in effect today (not closed)
    drafts: int  # drafts awaiting signature (not closed)
    manager: str | None  # the current case manager's staff id
    programs: tuple  # distinct program names, or (None,)
    member_id: str | None  # the member's id (None: missing, or text typed where the id belongs)
    # Obligation objects; or, from the cache, plain lists decoded only when asked for (a caseload of 100,000
    # members holds over a million obligations, and `due` shows the few within its window)
    obligations: tuple
    displays: tuple = ()  # the folder's files as shown, which plain obligations name by index

    def due_by(self, last: date | None = None, strictly: bool = False) -> list[Obligation]:
        """The obligations due on or before ``last`` (before it, ``strictly``); every one when None."""
        if self.obligations and not isinstance(self.obligations[0], Obligation):
            if last is None:
                chosen = self.obligations
            else:
                bound = last.isoformat()  # ISO dates (four-digit years) sort as the dates do
                chosen = [o for o in self.obligations
                          if isinstance(o[0], str) and (o[0] < bound if strictly else o[0] <= bound)]
            return [found for found in (_obligation(o, self.displays) for o in chosen) if found is not None]
        if last is None:
            return list(self.obligations)
        return [o for o in self.obligations if (o.due < last if strictly else o.due <= last)]

    def case_managers(self) -> set[str]:
        """The case managers the obligations name."""
        if self.obligations and not isinstance(self.obligations[0], Obligation):
            return {o[3] for o in self.obligations if isinstance(o[3], str) and o[3]}
        return {o.case_manager for o in self.obligations if o.case_manager}


def summarize(case: Case, settings: Settings, today: date) -> MemberSummary:
    from .report import _programs, _status

    life = lifecycle(case, today)
    closed = bool(life.closed)
    return MemberSummary(
        status=_status(case, life), closed=closed,
        on_hold=not closed and bool(life.on_hold(today)),
        in_effect=not closed and life.in_effect() is not None,
        drafts=0 if closed else len(life.drafts()),
        manager=case_manager_of(case, today), programs=tuple(_programs(case)), member_id=case.member_id,
        obligations=tuple(case_obligations(case, settings, today)))


def to_plain(summary: MemberSummary, place: dict[str, int]) -> list | None:
    """The summary as JSON-able lists; obligations name their file by its place in the folder (``place``:
    display path → index). None when something in it cannot be written that way (it is then not cached)."""
    obligations = []
    for o in summary.obligations:
        where = -1 if o.path == "" else place.get(o.path)
        if where is None or not _plain_path(o.data_path) or not isinstance(o.due, date) \
                or not (o.since is None or isinstance(o.since, date)):
            return None
        obligations.append([o.due.isoformat(), o.kind, o.member, o.case_manager, o.subject, where,
                            list(o.data_path), o.since.isoformat() if o.since is not None else None])
    if not all(_storable_program(p) for p in summary.programs):
        return None  # a program name typed as words: never written to the cache (the folder is checked again)
    return [summary.status, summary.closed, summary.on_hold, summary.in_effect, summary.drafts, summary.manager,
            list(summary.programs), summary.member_id, obligations]


def from_plain(data: list, displays: list[str]) -> MemberSummary:
    status, closed, on_hold, in_effect, drafts, manager, programs, member_id, obligations = data
    from .report import STATUSES

    if status not in STATUSES or not all(type(x) is bool for x in (closed, on_hold, in_effect)) \
            or type(drafts) is not int or not all(x is None or isinstance(x, str) for x in (manager, member_id)) \
            or type(programs) is not list or not all(_storable_program(p) for p in programs) \
            or type(obligations) is not list or not all(_plain_obligation(o, len(displays)) for o in obligations):
        raise ValueError("not a summary pcplan wrote")
    return MemberSummary(status, closed, on_hold, in_effect, drafts, manager, tuple(programs), member_id,
                         tuple(obligations), tuple(displays))


def _obligation(plain: list, displays: tuple) -> Obligation | None:
    """One obligation as the cache holds it, decoded; None for one no check could have written (the entry's
    checksum was right, so it was planted, not damaged: it is left out, and nothing else is believed less)."""
    due, kind, member, cm, subject, where, path, since = plain
    try:
        return Obligation(date.fromisoformat(due), kind, member, cm, subject,
                          "" if where == -1 else displays[where], tuple(path),
                          date.fromisoformat(since) if since is not None else None)
    except (TypeError, ValueError, IndexError):
        return None


def _plain_obligation(plain, files: int) -> bool:
    """Whether ``plain`` is an obligation as to_plain writes it (an entry holding any other is a miss, and the
    member folder is checked again: never a count that differs from an uncached run)."""
    if type(plain) is not list or len(plain) != 8:
        return False
    due, kind, member, cm, subject, where, path, since = plain
    try:
        date.fromisoformat(due)
        if since is not None:
            date.fromisoformat(since)
    except (TypeError, ValueError):
        return False
    return type(kind) is str and kind in KINDS and (member is None or type(member) is str) \
        and (cm is None or type(cm) is str) and type(subject) is str and type(where) is int \
        and -1 <= where < files and type(path) is list and all(type(step) in (str, int) for step in path)


def _storable_program(name) -> bool:
    """What the cache may hold of a program: an id-shaped name (agency vocabulary, `HCBS-EBD`), None (no
    program), or what private mode shows in place of words (`(not an id)`); never a name typed as words, which
    only a run outside CI shows and only from the case file itself."""
    from ..shown import looks_like_id, plain_id

    return name is None or looks_like_id(name) or name == plain_id(None)


def _plain_path(path) -> bool:
    return isinstance(path, tuple) and all(type(step) in (str, int) for step in path)
