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
from .obligations import Obligation, case_manager_of, case_obligations


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
    obligations: tuple[Obligation, ...]


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
    if not all(p is None or isinstance(p, str) for p in summary.programs):
        return None
    return [summary.status, summary.closed, summary.on_hold, summary.in_effect, summary.drafts, summary.manager,
            list(summary.programs), summary.member_id, obligations]


def from_plain(data: list, displays: list[str]) -> MemberSummary:
    status, closed, on_hold, in_effect, drafts, manager, programs, member_id, obligations = data
    return MemberSummary(
        status, closed, on_hold, in_effect, drafts, manager, tuple(programs), member_id,
        tuple(Obligation(date.fromisoformat(due), kind, member, cm, subject, "" if where == -1 else displays[where],
                         tuple(path), date.fromisoformat(since) if since is not None else None)
              for due, kind, member, cm, subject, where, path, since in obligations))


def _plain_path(path) -> bool:
    return isinstance(path, tuple) and all(type(step) in (str, int) for step in path)
