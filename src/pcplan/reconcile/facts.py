"""The case side of a reconciliation as rows, built once from the case files (never per delivery row).

Every date question is answered by pcplan.facts.lifecycle (the one place "the life of a case" is read): which
plan is in effect on each day is asked only at the days it can change (a plan's consent or start, its end, an
enrollment, a closure), giving each member a few periods with one plan (or none) in effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ..caseload import open_caseload
from ..config import ReconcileSettings
from ..dates import parse_iso
from ..facts.lifecycle import Lifecycle, contact_parties, member_names, records_contact
from ..model import Case, Document

CASE_MANAGER_ROLES = frozenset({"case_manager", "supervisor"})


@dataclass(frozen=True)
class SupportPlace:
    """Where a plan's support is (a finding's related location) and what it is called in messages."""

    path: str
    line: int
    column: int
    support_id: str
    plan_date: str
    file: Path | None = None


@dataclass
class CaseFacts:
    """The tables the engine loads into DuckDB, each a list of tuples (ids, codes, dates and numbers only)."""

    members: list[tuple] = field(default_factory=list)  # (member_id,)
    identifiers: list[tuple] = field(default_factory=list)  # (system, value, member_id)
    providers: list[tuple] = field(default_factory=list)  # (provider_id, npi, medicaid_id)
    episodes: list[tuple] = field(default_factory=list)  # (member_id, enrolled_on, closed_on)
    periods: list[tuple] = field(default_factory=list)  # (member_id, from, to, plan_no): a plan in effect
    supports: list[tuple] = field(default_factory=list)  # see SUPPORT_COLUMNS
    holds: list[tuple] = field(default_factory=list)  # (member_id, start, end, kind, institutional)
    notes: list[tuple] = field(default_factory=list)  # (member_id, day, by_case_manager, with_member, minutes)
    note_supports: list[tuple] = field(default_factory=list)  # (member_id, day, sup_no): a note naming a support
    places: list[SupportPlace] = field(default_factory=list)  # by sup_no
    # The repository's `[reconcile]` settings, read with the rest of it (pcplan.toml is not read twice).
    settings: ReconcileSettings = field(default_factory=ReconcileSettings)
    roots: list[str] = field(default_factory=list)
    plan_count: int = 0


SUPPORT_COLUMNS = ("sup_no", "plan_no", "member_id", "support_id", "code", "mods", "provider_id", "auth_units",
                   "per", "unit", "sup_start", "sup_end")


def modifiers_key(value: object) -> str:
    """Modifiers as a set, written one way: upper case, sorted, space-separated ("" for none)."""
    if isinstance(value, list):
        parts = [str(v) for v in value]
    elif isinstance(value, str):
        parts = re.split(r"[\s,]+", value)
    else:
        parts = []
    return " ".join(sorted({p.strip().upper() for p in parts if p and p.strip()}))


def case_facts(path: Path, today: date, cwd: Path) -> CaseFacts:
    """Every member folder under ``path`` (a repository or a folder in one) as rows."""
    caseload = open_caseload(path, cwd)
    facts = CaseFacts(roots=[caseload.root.as_posix()], settings=caseload.config.reconcile)
    for provider_id, provider in caseload.repo.providers_by_id.items():
        facts.providers.append((provider_id, _text(provider.get("npi")), _text(provider.get("medicaid_id"))))
    staff = caseload.repo.staff_by_id
    for case in caseload.cases():
        _add_case(facts, case, today, staff)
    return facts


def _text(value: object) -> str | None:
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _add_case(facts: CaseFacts, case: Case, today: date, staff: dict) -> None:
    member_id = case.member_id
    if member_id is None:
        return
    facts.members.append((member_id,))
    member = case.member
    for _, entry in member.items("identifiers") if member is not None else []:
        system, value = _text(entry.get("system")), _text(entry.get("value"))
        if system and value:
            facts.identifiers.append((system.lower(), value, member_id))
    life = Lifecycle(case, today)
    for episode in life.episodes:
        if episode.enrolled_on is not None:
            facts.episodes.append((member_id, episode.enrolled_on, episode.closed_on if episode.closed else None))
    for hold in life.holds:
        facts.holds.append((member_id, hold.start, hold.end, hold.kind, hold.institutional))
    plan_numbers = _periods(facts, life, member_id)
    supports_by_goal = _supports(facts, life, member_id, plan_numbers)
    names = member_names(member)
    for note in case.notes:
        _add_note(facts, note, member_id, names, staff, supports_by_goal)


def _periods(facts: CaseFacts, life: Lifecycle, member_id: str) -> dict[int, int]:
    """The member's periods with one plan in effect; returns id(plan document) -> plan_no."""
    days: set[date] = set()
    for record in life.plans:
        if record.effective_from is not None:
            days.add(record.effective_from)
        if record.end is not None and record.end < date.max:
            days.add(record.end + timedelta(days=1))
    for episode in life.episodes:
        if episode.enrolled_on is not None:
            days.add(episode.enrolled_on)
        for day in (episode.begins_after, episode.closed_on):
            if day is not None and day < date.max:
                days.add(day + timedelta(days=1))
    numbers: dict[int, int] = {}
    ordered = sorted(days)
    for n, start in enumerate(ordered):
        found = life.in_effect(start)
        if found is None:
            continue
        end = ordered[n + 1] - timedelta(days=1) if n + 1 < len(ordered) else None
        key = id(found.plan)
        if key not in numbers:
            numbers[key] = facts.plan_count
            facts.plan_count += 1
        facts.periods.append((member_id, start, end, numbers[key]))
    return numbers


def _supports(facts: CaseFacts, life: Lifecycle, member_id: str, numbers: dict[int, int]) -> dict[str, set[int]]:
    """The supports of the member's plans that were ever in effect; returns goal id -> sup_nos serving it."""
    by_goal: dict[str, set[int]] = {}
    for record in life.plans:
        plan_no = numbers.get(id(record.plan))
        if plan_no is None:
            continue
        plan = record.plan
        for index, support in plan.items("supports"):
            service = support.get("service")
            if not isinstance(service, dict):
                continue
            code = _text(service.get("code"))
            if not code:
                continue
            auth = support.get("authorization")
            auth = auth if isinstance(auth, dict) else {}
            units = auth.get("units")
            units = float(units) if isinstance(units, (int, float)) and not isinstance(units, bool) else None
            sup_no = len(facts.places)
            line, column = plan.position(("supports", index))
            given = support.get("id")
            support_id = given if isinstance(given, str) else f"supports[{index}]"
            facts.places.append(SupportPlace(plan.display_path, line, column, support_id,
                                             plan.date.isoformat() if plan.date else "", plan.path))
            facts.supports.append((
                sup_no, plan_no, member_id, support_id, code.upper(), modifiers_key(service.get("modifiers")),
                _text(support.get("provider_id")), units, _text(auth.get("per")), _text(auth.get("unit")),
                parse_iso(support.get("start")), parse_iso(support.get("end"))))
            goals = support.get("goals")
            for goal in goals if isinstance(goals, list) else []:
                if isinstance(goal, str):
                    by_goal.setdefault(goal, set()).add(sup_no)
            by_goal.setdefault(f"#{support_id}", set()).add(sup_no)
    return by_goal


def _add_note(facts: CaseFacts, note: Document, member_id: str, names: frozenset[str], staff: dict,
              supports_by_goal: dict[str, set[int]]) -> None:
    day = note.date
    if day is None or not records_contact(note):
        return
    author = staff.get(note.get("staff")) if isinstance(note.get("staff"), str) else None
    by_case_manager = isinstance(author, dict) and author.get("role") in CASE_MANAGER_ROLES
    with_member, _ = contact_parties(note, names)
    minutes = note.get("minutes")
    minutes = float(minutes) if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) else None
    facts.notes.append((member_id, day, by_case_manager, with_member, minutes))
    named: set[int] = set()
    progress = note.get("progress")
    for entry in progress if isinstance(progress, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("goal"), str):
            named |= supports_by_goal.get(entry["goal"], set())
    text = note.get("text")
    if isinstance(text, str):  # the support's id written in the note ("SP5"): read here, never shown
        for word in set(re.findall(r"\b[A-Za-z]+[0-9]+\b", text)):
            named |= supports_by_goal.get(f"#{word}", set())
    facts.note_supports.extend((member_id, day, sup_no) for sup_no in sorted(named))
