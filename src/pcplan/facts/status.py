"""Who the member is to the agency today: their status, their programs and their case manager.

Facts of the case, as the member folder records them: nothing here hides anything. What output may
show of them (a program typed as words is `(not an id)` in CI) is decided where output is made
(pcplan.caseload.report), so a summary the cache keeps never depends on who is looking.
"""

from __future__ import annotations

from datetime import date

from ..dates import parse_iso
from ..model import Case, get_in
from ..shown import plain_id
from .acting import SPEAKS_FOR, acts_on
from .lifecycle import Lifecycle

STATUSES = ("active", "on_hold", "referred", "closed", "unknown")  # "unknown": missing or unreadable


def status_of(case: Case, life: Lifecycle) -> str:
    """The member's status (one of STATUSES): closed when the current episode is, else member.yaml's."""
    if life.closed:  # a re-enrolled member's old closure closes nothing
        return "closed"
    status = case.member.get("status") if case.member is not None else None
    return status if status in STATUSES and status != "unknown" else "unknown"


def programs_of(case: Case) -> list[str | None]:
    """The member's distinct programs as typed (a member in two programs counts in both), or [None]."""
    found: list[str] = []
    if case.member is not None:
        for _, entry in case.member.items("programs"):
            name = entry.get("program")  # agency vocabulary (`HCBS-EBD`), or words typed in its place
            if isinstance(name, str) and name.strip() and name.strip() not in found:
                found.append(name.strip())
    ordered: list[str | None] = [*sorted(found)]
    return ordered or [None]


def case_manager_of(case: Case, today: date, life: Lifecycle | None = None) -> str | None:
    """The staff id of the member's current case-manager assignment, else the responsible of the plan
    that speaks for the current episode (the one in effect, else the newest consented one, else the newest
    draft). Text typed where a staff id belongs is never repeated: `(not an id)`."""
    if case.member is not None:
        for _, assignment in case.member.items("case_managers"):
            start, end = parse_iso(assignment.get("from")), parse_iso(assignment.get("to"))
            if start and start <= today and (end is None or end >= today) and isinstance(assignment.get("staff"), str):
                return plain_id(assignment["staff"])
    record = acts_on(case, today, prefer=SPEAKS_FOR, life=life)
    responsible = get_in(record.plan.data, "monitoring", "responsible") if record is not None else None
    # `case_manager` names nobody: whoever is assigned, and nobody is
    return plain_id(responsible) if isinstance(responsible, str) and responsible != "case_manager" else None
