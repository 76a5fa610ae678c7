"""Every dated obligation a caseload carries: what is due, for whom, by when.

The same dates the rules enforce (T201 review, T208 reassessment, T205
contacts, H502 modification reviews, T207/C303 copies, A604 training), turned
around into a calendar. An obligation names the member id, the case manager and
the kind of task; it never carries health details, so it can go into a
calendar feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from ..config import Settings
from ..dates import CONTACT_RANK, add_frequency, add_months, parse_frequency, parse_iso
from ..model import Case, Document, Repository, get_in, is_active_goal, items, review_schedule, text

_ID_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")

# Kinds of obligation, in the words the table and the calendar use.
KINDS = {
    "plan-review": "periodic plan review",
    "plan-renewal": "plan renewal (the plan's effective period ends)",
    "reassessment": "reassessment",
    "goal-target": "goal target date",
    "objective-target": "objective target date",
    "modification-review": "rights modification review",
    "contact": "contact due",
    "copy": "member's copy of the plan",
    "training": "staff training deadline",
}


@dataclass(frozen=True)
class Obligation:
    due: date
    kind: str  # a key of KINDS
    member: str | None  # None for staff obligations
    case_manager: str | None  # staff id
    subject: str  # what exactly, by id: "plan P1", "goal G2", "face_to_face", "module member-rights"
    path: str  # the file it comes from, as findings show paths
    data_path: tuple = ()

    def overdue(self, today: date) -> bool:
        return self.due < today

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    @property
    def description(self) -> str:
        return f"{KINDS[self.kind]}: {self.subject}"

    @property
    def sort_key(self) -> tuple:
        return (self.due, self.member or "", self.kind, self.subject)


NOT_AN_ID = "(not an id)"  # a case manager named by text typed where a staff id belongs: never repeated


def _id(value, fallback: str) -> str:
    """An id as an obligation may carry it: text typed where an id belongs is never repeated (privacy)."""
    return value if isinstance(value, str) and _ID_LIKE.match(value) else fallback


def case_manager_of(case: Case, today: date) -> str | None:
    """The staff id of the member's current case-manager assignment, else the plan's responsible."""
    if case.member is not None:
        for _, assignment in case.member.items("case_managers"):
            start, end = parse_iso(assignment.get("from")), parse_iso(assignment.get("to"))
            if start and start <= today and (end is None or end >= today) and isinstance(assignment.get("staff"), str):
                return _id(assignment["staff"], NOT_AN_ID)
    plan = case.plan_in_effect(today)
    responsible = get_in(plan.data, "monitoring", "responsible") if plan else None
    return _id(responsible, NOT_AN_ID) if isinstance(responsible, str) else None


def case_obligations(case: Case, settings: Settings, today: date) -> list[Obligation]:
    """The open obligations of one member (none once the case is closed)."""
    if case.closed or case.member_id is None:
        return []
    manager = case_manager_of(case, today)
    found = list(_plan_obligations(case, settings, today, manager))
    latest = case.assessments[-1] if case.assessments else None
    if latest is not None and latest.date is not None:
        found.append(Obligation(add_months(latest.date, settings.reassessment_interval_months), "reassessment",
                                case.member_id, manager, f"assessment {_id(latest.id, latest.path.name)}",
                                latest.display_path, ("date",)))
    return sorted(found, key=lambda o: o.sort_key)


def staff_obligations(repo: Repository, settings: Settings, today: date) -> list[Obligation]:
    """Required training not yet completed, due hire date + the training deadline."""
    if repo.staff is None or not settings.required_trainings:
        return []
    found = []
    for index, person in repo.staff.items("staff"):
        staff_id, hired = person.get("id"), parse_iso(person.get("hire_date"))
        left = parse_iso(person.get("left_on"))
        if not isinstance(staff_id, str) or hired is None or (left is not None and left <= today):
            continue
        done = {t.get("module") for _, t in items(person, "trainings")
                if isinstance(t.get("module"), str) and (on := parse_iso(t.get("completed_on"))) and on <= today}
        for module in settings.required_trainings:
            if module not in done:
                found.append(Obligation(hired + timedelta(days=settings.training_deadline_days), "training",
                                        None, staff_id, f"{staff_id}: module {module}",
                                        repo.staff.display_path, ("staff", index)))
    return found


def _plan_obligations(case: Case, settings: Settings, today: date, manager: str | None) -> Iterator[Obligation]:
    plan = case.plan_in_effect(today)
    if plan is None:
        return
    member, where = case.member_id, plan.display_path
    label = f"plan {_id(plan.id, plan.path.name)}"
    schedule = review_schedule(plan, settings.review_interval_months)
    if schedule is not None:
        at = ("reviews", schedule.last_review_index, "date") if schedule.last_review_index is not None else ("date",)
        yield Obligation(schedule.due, "plan-review", member, manager, label, where, at)
    end = parse_iso(get_in(plan.data, "effective", "end"))
    if end is not None:
        yield Obligation(end, "plan-renewal", member, manager, label, where, ("effective", "end"))
    elif plan.date is not None:
        yield Obligation(add_months(plan.date, settings.review_interval_months), "plan-renewal", member, manager,
                         label, where, ("date",))
    for index, goal in plan.items("goals"):
        if not is_active_goal(goal):
            continue
        target = parse_iso(goal.get("target_date"))
        if target is not None and isinstance(goal.get("id"), str):
            yield Obligation(target, "goal-target", member, manager, f"goal {_id(goal['id'], f'#{index + 1}')}",
                             where, ("goals", index, "target_date"))
        for sub, objective in items(goal, "objectives"):
            target = parse_iso(objective.get("target_date"))
            if target is not None and objective.get("status") in (None, "active") \
                    and isinstance(objective.get("id"), str):
                name = _id(objective["id"], f"#{index + 1}.{sub + 1}")
                yield Obligation(target, "objective-target", member, manager, f"objective {name}",
                                 where, ("goals", index, "objectives", sub, "target_date"))
    yield from _modification_reviews(plan, member, manager)
    yield from _contacts(case, plan, today, member, manager)
    copy = _copy_due(plan, settings)
    if copy is not None:
        yield Obligation(copy, "copy", member, manager, label, where, ("distribution",))


def _modification_reviews(plan: Document, member: str, manager: str | None) -> Iterator[Obligation]:
    for index, modification in plan.items("rights_modifications"):
        due = parse_iso(modification.get("review_by"))
        if due is None:
            frequency = parse_frequency(modification.get("review_every"))
            start = parse_iso(get_in(modification, "consent", "on")) or plan.date
            due = add_frequency(start, frequency) if frequency and start else None
        if due is not None:
            name = _id(modification.get("id"), f"#{index + 1}")
            yield Obligation(due, "modification-review", member, manager, f"rights modification {name}",
                             plan.display_path, ("rights_modifications", index))


def _contacts(case: Case, plan: Document, today: date, member: str, manager: str | None) -> Iterator[Obligation]:
    """The next contact of each type the plan's monitoring asks for (the clock starts at the plan date)."""
    for index, wanted in plan.items("monitoring", "contacts"):
        kind, frequency = wanted.get("type"), parse_frequency(wanted.get("every"))
        if not isinstance(kind, str) or kind not in CONTACT_RANK or frequency is None or plan.date is None:
            continue
        last = plan.date
        for note in case.notes:
            contact = note.get("contact")
            if note.date and plan.date <= note.date <= today and isinstance(contact, str) \
                    and contact in CONTACT_RANK and CONTACT_RANK[contact] >= CONTACT_RANK[kind]:
                last = max(last, note.date)
        yield Obligation(add_frequency(last, frequency), "contact", member, manager, kind, plan.display_path,
                         ("monitoring", "contacts", index))


def _copy_due(plan: Document, settings: Settings) -> date | None:
    """When the member's copy is due, if it has not been given (or declined, documented)."""
    for _, entry in plan.items("distribution"):
        if entry.get("role") == "member" and (
                (entry.get("copy_given") is True and parse_iso(entry.get("given_on")))
                or (entry.get("declined") is True and text(entry, "declined_reason"))):
            return None
    signed = [d for _, s in plan.items("signatures") if (d := parse_iso(s.get("signed_on")))]
    start = max(signed) if signed else plan.date
    return start + timedelta(days=settings.copy_deadline_days) if start else None
