"""What `due` and `report` need of one member folder, as plain data the check computes once.

`pcplan check` loads each member folder once; when asked (``Options.caseload``,
or whenever the cache is on, so that one entry serves every command) it also
reduces the case to a :class:`MemberSummary`: its open obligations (`due`), and
the few facts `report` counts (status, the state of the case, the current case
manager, programs). The summary is ids, codes, dates and paths only, so the
cache may keep it (pcplan.cache; the entry's format: pcplan.cache_codec) and
`due` and `report` never load a member folder a check has already judged.
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
    # Obligation objects; or, from the cache, the obligations as its entry holds them, decoded only when asked
    # for (cache_codec.StoredObligations: a caseload of 100,000 members holds over a million obligations, and
    # `due` shows the few within its window)
    obligations: tuple

    def due_by(self, last: date | None = None, strictly: bool = False) -> list[Obligation]:
        """The obligations due on or before ``last`` (before it, ``strictly``); every one when None."""
        if not isinstance(self.obligations, tuple):
            return self.obligations.due_by(last, strictly)
        if last is None:
            return list(self.obligations)
        return [o for o in self.obligations if (o.due < last if strictly else o.due <= last)]

    def case_managers(self) -> set[str]:
        """The case managers the obligations name."""
        if not isinstance(self.obligations, tuple):
            return self.obligations.case_managers()
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
