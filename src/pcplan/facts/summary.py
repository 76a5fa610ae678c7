"""What `due` and `report` need of one member folder, as plain data the check computes once.

`pcplan check` loads each member folder once; when asked (``Options.caseload``,
or whenever the cache is on, so that one entry serves every command) it also
reduces the case to a :class:`MemberSummary`: its open obligations (`due`), and
the few facts `report` counts (status, the state of the case, the current case
manager, programs, what the quality measures and the timeliness counts need:
facts.measures, facts.timely). The summary holds the case's facts as recorded, whoever is
looking: what output may show of them (in CI, a program typed as words is
`(not an id)`) is decided where output is made. It is ids, codes, dates, paths
and program names; the cache (pcplan.cache; the entry's format:
pcplan.cache_codec) keeps it when every program is id-shaped, so `due` and
`report` never load a member folder a check has already judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ..config import Settings
from ..model import Case
from .lifecycle import Lifecycle, lifecycle
from .measures import MemberFacts, measure_facts
from .obligations import Obligation, case_obligations
from .status import case_manager_of, programs_of, status_of
from .timely import Timely, timely_events


class ObligationRows(Protocol):
    """Obligations as a store keeps them, decoded only when asked for (cache_codec.StoredObligations)."""

    def due_by(self, last: date | None = None, strictly: bool = False) -> list[Obligation]: ...

    def case_managers(self) -> set[str]: ...


@dataclass(frozen=True)
class MemberSummary:
    status: str  # facts.status.STATUSES: active, on_hold, referred, closed or unknown
    closed: bool
    on_hold: bool  # a recorded hold covers today (not closed)
    in_effect: bool  # a consented plan is in effect today (not closed)
    drafts: int  # drafts awaiting signature (not closed)
    manager: str | None  # the current case manager's staff id
    programs: tuple  # distinct program names as typed, or (None,)
    member_id: str | None  # the member's id (None: missing, or text typed where the id belongs)
    # Obligation objects; or, from the cache, the obligations as its entry holds them, decoded only when asked
    # for (cache_codec.StoredObligations: a caseload of 100,000 members holds over a million obligations, and
    # `due` shows the few within its window)
    obligations: tuple[Obligation, ...] | ObligationRows
    # What the LTSS quality measures need of the member (facts.measures, judged as of any day by `report`),
    # and the contacts, reviews and copies with their due dates and the day each was met (facts.timely):
    # ids, codes and dates, taken in the check's one pass so that `report` reads no file again.
    measures: MemberFacts | None = None
    timely: tuple[Timely, ...] = ()

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


def summarize(case: Case, settings: Settings, today: date, life: Lifecycle | None = None) -> MemberSummary:
    """The member's summary as of ``today``; ``life``: the case's lifecycle when the caller (the engine)
    has already built it, so it is computed once per member."""
    life = life if life is not None else lifecycle(case, today)
    closed = bool(life.closed)
    return MemberSummary(
        status=status_of(case, life), closed=closed,
        on_hold=not closed and bool(life.on_hold(today)),
        in_effect=not closed and life.in_effect() is not None,
        drafts=0 if closed else len(life.drafts()),
        manager=case_manager_of(case, today, life), programs=tuple(programs_of(case)), member_id=case.member_id,
        obligations=tuple(case_obligations(case, settings, today, life)),
        measures=measure_facts(case, today, life), timely=timely_events(case, settings, life))
