"""Every dated obligation a caseload carries: what is due, for whom, by when.

The same dates the rules enforce (T201 review, T208 reassessment, T205
contacts, H502 modification reviews, T207/C303 copies, T210/T211 intake,
T212 significant change, T213 signature, A604 training), turned around into a
calendar. An obligation names the member id, the case manager and the kind of
task; it never carries health details, so it can go into a calendar feed. A date
that would fall past the calendar's end (9999-12-31) is never due, and not listed.

Which plan is in effect, what is a draft and which episode is current come from
``pcplan.facts.lifecycle`` (DESIGN.md, "The life of a case"): the plan in effect
decides what is due, so starting a revision hides nothing; a draft adds only
its own "awaiting signature" line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Settings
from ..dates import add_period, parse_frequency, parse_iso, plus_days, plus_months
from ..model import Case, Document, Repository, get_in, is_active_goal, items, normalized_name, text
from ..shown import looks_like_id, shown_name
from .lifecycle import CONSENTED, Lifecycle, PlanRecord, legal_representatives, lifecycle
from .status import case_manager_of

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
    "representative-copy": "legal representative's copy of the plan",
    "signature": "awaiting signature",
    "intake-assessment": "assessment after enrollment",
    "intake-plan": "consented plan in effect after enrollment",
    "change-review": "review after a significant change",
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
    since: date | None = None  # a draft's own date: "awaiting signature since DATE"

    def overdue(self, today: date) -> bool:
        return self.due < today

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    @property
    def description(self) -> str:
        if self.kind == "signature" and self.since is not None:
            return f"{KINDS[self.kind]} since {self.since.isoformat()}: {self.subject}"
        return f"{KINDS[self.kind]}: {self.subject}"

    @property
    def sort_key(self) -> tuple:
        return (self.due, self.member or "", self.kind, self.subject)


NOT_AN_ID = "(not an id)"  # a case manager named by text typed where a staff id belongs: never repeated


def _id(value: Any, fallback: str) -> str:
    """An id as an obligation may carry it: text typed where an id belongs is never repeated (privacy)."""
    return value if looks_like_id(value) else fallback


def case_obligations(case: Case, settings: Settings, today: date,
                     life: Lifecycle | None = None) -> list[Obligation]:
    """The open obligations of one member in the current episode (none once the case is closed). ``life``:
    the case's lifecycle when the caller has it."""
    life = life if life is not None else lifecycle(case, today)
    member_file = case.member
    if life.closed or member_file is None or case.member_id is None:  # (no member.yaml: no member_id)
        return []
    manager = case_manager_of(case, today, life)
    member = case.member_id
    found = list(_plan_obligations(life, settings, member, manager))
    found.extend(_drafts(life, settings, member, manager))
    found.extend(_intake(case, life, settings, member, manager))
    for change in life.significant_changes(settings.change_review_days):
        if change.answered_on is None and change.hold is not None:  # a discharge (T212): the hold's end
            found.append(Obligation(change.deadline, "change-review", member, manager,
                                    f"discharge (hold {change.hold.index + 1})", member_file.display_path,
                                    ("holds", change.hold.index, "end")))
        elif change.answered_on is None:  # answered late is T212's finding, no longer a date to meet
            assessment = change.assessment
            assert assessment is not None  # a change that is no discharge is an assessment
            found.append(Obligation(change.deadline, "change-review", member, manager,
                                    f"assessment {_id(assessment.id, shown_name(assessment.path.name))}",
                                    assessment.display_path, ("type",)))
    mine = [a for a in case.assessments if life.in_current_episode(a)]  # an old episode's assessment is history
    if mine:
        latest = mine[-1]
        assert latest.date is not None  # in the current episode: dated
        reassess = plus_months(latest.date, settings.reassessment_interval_months)
        if reassess is not None:
            found.append(Obligation(reassess, "reassessment",
                                    member, manager, f"assessment {_id(latest.id, shown_name(latest.path.name))}",
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
        deadline = plus_days(hired, settings.training_deadline_days)
        for module in settings.required_trainings:
            if module not in done and deadline is not None:
                shown = _id(staff_id, NOT_AN_ID)
                found.append(Obligation(deadline, "training",
                                        None, shown, f"{shown}: module {_id(module, NOT_AN_ID)}",
                                        repo.staff.display_path, ("staff", index)))
    return found


def _label(plan: Document) -> str:
    return f"plan {_id(plan.id, shown_name(plan.path.name))}"


def _plan_obligations(life: Lifecycle, settings: Settings, member: str, manager: str | None) -> Iterator[Obligation]:
    """What the plan in effect asks for. Drafts ask nothing here (they have their own line), so starting
    a revision never moves a date; a plan whose period has ended leaves only its renewal, overdue."""
    record = life.in_effect()
    if record is None:
        ended = life.governing
        if ended is not None and ended.end is not None and ended.end < life.today:
            yield Obligation(ended.end, "plan-renewal", member, manager, _label(ended.plan),
                             ended.plan.display_path, ("effective", "end"))
        return
    plan = record.plan
    where, label = plan.display_path, _label(plan)
    schedule = life.review_schedule(record, settings.review_interval_months)
    if schedule is not None:
        yield Obligation(schedule.due, "plan-review", member, manager, label, where, schedule.data_path)
    if record.end is not None:
        yield Obligation(record.end, "plan-renewal", member, manager, label, where, ("effective", "end"))
    elif plan.date is not None and (renewal := plus_months(plan.date, settings.review_interval_months)):
        yield Obligation(renewal, "plan-renewal", member, manager, label, where, ("date",))
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
    # The next contact of each type, judged across revisions and paused by holds (none during an open hold).
    for upcoming in life.contact_schedule()[1]:
        yield Obligation(upcoming.due, "contact", member, manager, upcoming.kind, upcoming.under.plan.display_path,
                         ("monitoring", "contacts", upcoming.requirement))
    # Copies: of the plan in effect and of any consented revision waiting for its start.
    for consented in [record] + [r for r in life.plans if r.episode is record.episode and r.order > record.order
                                 and life.state(r) == CONSENTED]:
        yield from _copies(life, consented, settings, member, manager)


def _modification_reviews(plan: Document, member: str, manager: str | None) -> Iterator[Obligation]:
    for index, modification in plan.items("rights_modifications"):
        due = parse_iso(modification.get("review_by"))
        if due is None:
            frequency = parse_frequency(modification.get("review_every"))
            start = parse_iso(get_in(modification, "consent", "on")) or plan.date
            due = add_period(start, frequency) if frequency and start else None
        if due is not None:
            name = _id(modification.get("id"), f"#{index + 1}")
            yield Obligation(due, "modification-review", member, manager, f"rights modification {name}",
                             plan.display_path, ("rights_modifications", index))


def _copy_recorded(entry: dict) -> bool:
    """A copy given on a date, or declined with the reason recorded (as C303 reads it)."""
    return (entry.get("copy_given") is True and parse_iso(entry.get("given_on")) is not None) \
        or (entry.get("declined") is True and text(entry, "declined_reason") is not None)


def _copies(life: Lifecycle, record: PlanRecord, settings: Settings, member: str,
            manager: str | None) -> Iterator[Obligation]:
    """The member's copy and each legal representative's (member.yaml), due from the plan's consent."""
    due = plus_days(record.consent_on, settings.copy_deadline_days) if record.consent_on is not None else None
    if due is None:
        return
    plan, label = record.plan, _label(record.plan)
    entries = [entry for _, entry in plan.items("distribution")]
    if not any(e.get("role") == "member" and _copy_recorded(e) for e in entries):
        yield Obligation(due, "copy", member, manager, label, plan.display_path, ("distribution",))
    for index, rep in legal_representatives(life.case.member, on=record.consent_on):  # who held authority then
        name = normalized_name(rep.get("name"))
        if name is not None and any(e.get("role") == "representative" and normalized_name(e.get("to")) == name
                                    and _copy_recorded(e) for e in entries):
            continue
        # Named by its place in member.yaml, never by name (privacy).
        yield Obligation(due, "representative-copy", member, manager, f"{label} (representatives[{index}])",
                         plan.display_path, ("distribution",))


def _drafts(life: Lifecycle, settings: Settings, member: str, manager: str | None) -> Iterator[Obligation]:
    """Each draft newer than the governing plan, "awaiting signature since" its date (T213's deadline)."""
    for draft in life.drafts():
        dated = draft.plan.date
        deadline = plus_days(dated, settings.signature_due_days) if dated is not None else None
        if deadline is not None:
            yield Obligation(deadline, "signature", member, manager,
                             _label(draft.plan), draft.plan.display_path, ("signatures",), since=dated)


def _intake(case: Case, life: Lifecycle, settings: Settings, member: str,
            manager: str | None) -> Iterator[Obligation]:
    """T210/T211 as dates to meet, counted from the enrollment that opened the current episode."""
    assessment_due, plan_due = life.intake_deadlines(settings.assessment_due_days, settings.plan_due_days)
    if assessment_due is None and plan_due is None:
        return
    episode, where = life.current_episode, case.member.display_path if case.member is not None else ""
    path = episode.enrollment_path
    assert path is not None  # a deadline is counted from a recorded enrollment only
    subject = f"enrolled {episode.enrolled_on.isoformat()}" if episode.enrolled_on is not None else ""
    if assessment_due is not None:
        yield Obligation(assessment_due, "intake-assessment", member, manager, subject, where, path)
    if plan_due is not None:
        ended = life.governing
        if ended is not None and ended.end is not None and ended.end < life.today:
            return  # the ended plan's renewal line says it (T211 names that plan too)
        yield Obligation(plan_due, "intake-plan", member, manager, subject, where, path)


