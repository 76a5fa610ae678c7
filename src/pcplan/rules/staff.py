"""A-rules: who the member's case manager is, and whether staff may carry a caseload.

They read the member's `case_managers` assignments and the repository's
staff.yaml (its staff ids, hire dates and trainings) together with the
agency's required training modules from pcplan.toml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial

from ..dates import parse_iso, plus_days
from ..facts.lifecycle import CASE_MANAGER, CONSENTED, DRAFT, IN_EFFECT, PlanRecord, monitor_named, staff_left_on
from ..facts.lifecycle import assignments as dated_assignments
from ..findings import Hit
from ..model import Case, Document, Repository, items, shown_id, text
from .context import CaseContext, RepositoryContext
from .registry import rule

ASSIGNMENTS = "case_managers"


_STAFF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def assignment_label(index: int, entry: dict) -> str:
    """How messages name an assignment: case-manager assignment 2 (`cm-jlee`)."""
    staff = entry.get("staff")
    who = f" ({shown_id(staff)})" if isinstance(staff, str) and staff.strip() else ""
    return f"case-manager assignment {index + 1}{who}"


def _current(member: Document | None, staff_by_id: dict, today: date) -> tuple[list[tuple[int, dict]], bool]:
    """The assignments current today, and whether some assignment's dates could not be read (the schema
    reports the date; nothing is guessed). An assignment ends at its `to`, or on the day its staff member
    left (staff.yaml `left_on`), whichever is first (DESIGN.md, "Transfers and departures")."""
    found, unreadable = dated_assignments(member, staff_by_id)
    entries = dict(member.items(ASSIGNMENTS)) if member is not None else {}
    return [(a.index, entries[a.index]) for a in found if a.covers(today)], unreadable


@rule("A601", "no-case-manager", "error", source="CMHPSM 13.003")
def no_case_manager(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """An active member has exactly one current case-manager assignment.

    Why it matters: the supervisor makes and documents the assignment of a
    case manager, who is then primarily responsible for the member's services.
    An active member with no current case manager has nobody accountable for
    the plan; one with two does not know whom to call, and each may assume the
    other is doing the work.

    How to fix: add the current assignment (staff id, `from`, `assigned_by`),
    or, when the case manager changed, end the earlier assignment with `to:`.
    An assignment is current when its `from` is on or before today and its
    `to` is absent or on or after today. An assignment whose staff member has
    left the agency (staff.yaml `left_on`) ends that day, `to` or not: when
    nobody follows, the member has no case manager and the finding points at
    the departed case manager's assignment; add the new assignment with the
    `reason` for the change. Members who are referred, on hold or closed are
    not checked.

    Example:
        case_managers:
          - staff: cm-jlee
            from: 2025-12-15
            to: 2026-03-31          # ended: the member asked for a change
            reason: Initial assignment.
          - staff: cm-obello
            from: 2026-04-01        # the one current assignment
            reason: Danny asked for a change at his quarterly review.
    """
    member = case.member
    if member is None or member.get("status") != "active":
        return
    staff_by_id = ctx.repository.staff_by_id
    current, unreadable = _current(member, staff_by_id, ctx.today)
    if not current:
        if unreadable:
            return
        dated, _ = dated_assignments(member, staff_by_id)
        ended = [a for a in dated if a.end is not None and a.end < ctx.today]
        last = max(ended, key=lambda a: (a.end, a.start, a.index)) if ended else None
        end = last.end if last is not None else None  # never None for an ended assignment
        if last is not None and end is not None and last.ended_by_departure and not any(a.start > end for a in dated):
            entry = dict(member.items(ASSIGNMENTS))[last.index]
            yield Hit(member, (ASSIGNMENTS, last.index),
                      f"{assignment_label(last.index, entry)} ended on {end.isoformat()}, when "
                      f"{shown_id(last.staff)} left the agency (staff.yaml `left_on`), and no assignment follows: "
                      f"the member is active but has no case manager on {ctx.today.isoformat()}; add the new "
                      "assignment under `case_managers` (staff, from, reason)")
            return
        where = (ASSIGNMENTS,) if ASSIGNMENTS in member.data else ()
        yield Hit(member, where, f"the member is active but has no case-manager assignment current on "
                  f"{ctx.today.isoformat()}; add one under `case_managers` (staff, from)", at="key")
    elif len(current) > 1:
        index, entry = current[1]
        others = ", ".join(assignment_label(i, e) for i, e in current[:1])
        yield Hit(member, (ASSIGNMENTS, index),
                  f"{assignment_label(index, entry)} is current at the same time as {others}; "
                  "an active member has one case manager: end the earlier assignment with `to:`")


StaffReference = tuple[Document, tuple, object]  # (document, data path, the value where a staff id belongs)


def _staff_references(case: Case) -> Iterator[StaffReference]:
    """(document, data path, value) for every staff id a member folder refers to."""
    if case.member is not None:
        yield from _member_references(case.member)
    for assessment in case.assessments:
        if "assessor" in assessment.data:
            yield assessment, ("assessor",), assessment.data["assessor"]
        for index, person in assessment.items("participants"):
            if "staff" in person:
                yield assessment, ("participants", index, "staff"), person["staff"]
    for plan in case.plans:
        yield from _plan_references(plan)
    for note in case.notes:
        if "staff" in note.data:
            yield note, ("staff",), note.data["staff"]


def _member_references(member: Document) -> Iterator[StaffReference]:
    """member.yaml's staff ids: case-manager assignments and who made them, who determined eligibility (when
    written as an id), who recorded each hold."""
    for index, entry in member.items(ASSIGNMENTS):
        for key in ("staff", "assigned_by"):
            if key in entry:
                yield member, (ASSIGNMENTS, index, key), entry[key]
    for index, program in member.items("programs"):
        eligibility = program.get("eligibility")
        value = eligibility.get("determined_by") if isinstance(eligibility, dict) else None
        # determined_by may name an outside body ("Weld County"); only an id-like value is a staff id
        if isinstance(value, str) and _STAFF_ID.match(value):
            yield member, ("programs", index, "eligibility", "determined_by"), value
    for index, hold in member.items("holds"):
        if "recorded_by" in hold:
            yield member, ("holds", index, "recorded_by"), hold["recorded_by"]


def _plan_references(plan: Document) -> Iterator[StaffReference]:
    """A plan's staff ids: the meeting's facilitator and staff participants, the monitor, who held reviews,
    signed, witnessed an agreement or documented an exception."""
    meeting = plan.get("meeting")
    if isinstance(meeting, dict):
        facilitator = meeting.get("facilitator")
        if facilitator is not None and facilitator != "member":
            yield plan, ("meeting", "facilitator"), facilitator
        for index, person in items(meeting, "participants"):
            if "staff" in person:
                yield plan, ("meeting", "participants", index, "staff"), person["staff"]
    monitoring = plan.get("monitoring")
    # `case_manager` is not a staff id: it means whoever is assigned (DESIGN.md, "Transfers and departures")
    if isinstance(monitoring, dict) and "responsible" in monitoring and monitor_named(plan) != CASE_MANAGER:
        yield plan, ("monitoring", "responsible"), monitoring["responsible"]
    for key, field in (("reviews", "by"), ("signatures", "staff"), ("signatures", "witnessed_by"),
                       ("exceptions", "documented_by")):
        for index, entry in plan.items(key):
            if field in entry:
                yield plan, (key, index, field), entry[field]


@rule("A602", "unknown-staff", "error")
def unknown_staff(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every staff id a case file names exists in staff.yaml.

    Why it matters: a staff id is how a case file says who is accountable: who
    assessed, who monitors, who signed. An id that matches nobody breaks the
    record (reports per case manager, training checks, conflict-of-interest
    checks) and usually hides a typo or a staff member missing from the list.

    How to fix: correct the id to the one in staff.yaml, or add the staff
    member to staff.yaml (with hire date and trainings). Every file of the
    member folder is checked, old plans too: case-manager assignments and who
    made them, who determined eligibility (when written as a staff id rather
    than an outside body such as the county), who recorded each hold,
    assessors and assessment participants, the meeting's facilitator (unless
    `member`) and participants, who monitors the plan (unless `case_manager`,
    which means whoever is assigned), who held reviews, staff signatures, who
    witnessed an agreement recorded without a signature (`witnessed_by`), who
    documented exceptions, and who wrote each note.

    Example:
        # staff.yaml lists cm-jlee
        monitoring:
          responsible: cm-jle     # wrong: a typo
          responsible: cm-jlee    # right
    """
    repo = ctx.repository
    if repo.staff is not None and repo.staff.kind != "staff":
        return  # staff.yaml did not load; its own finding says why, and every id would look unknown
    known = repo.staff_by_id
    for doc, path, value in _staff_references(case):
        if not isinstance(value, str) or not value.strip():
            continue  # the schema's finding
        if repo.staff is None:
            yield Hit(doc, path, f"staff id {shown_id(value)} cannot be checked: there is no staff.yaml at the "
                      "repository root; add one listing the agency's staff")
        elif value not in known:
            yield Hit(doc, path, f"staff id {shown_id(value)} is not in staff.yaml; correct the id or add the "
                      "staff member to staff.yaml")


def training_completions(repository: Repository) -> dict[str, dict[str, date]]:
    """staff id → module → the first day that staff member completed it: A603 asks for every duty of every member,
    so staff.yaml's trainings are read once per repository (``ctx.index``)."""
    return {staff_id: _first_completions(person) for staff_id, person in repository.staff_by_id.items()}


def _first_completions(person: dict) -> dict[str, date]:
    """module → the first day a staff member completed it."""
    completed: dict[str, date] = {}
    for _, training in items(person, "trainings"):
        module, done = training.get("module"), parse_iso(training.get("completed_on"))
        if isinstance(module, str) and done is not None:
            completed[module] = min(done, completed.get(module, done))
    return completed


def _training_gaps(completed: dict[str, date], required: tuple[str, ...], by: date) -> list[str]:
    """Required modules not completed on or before ``by`` (``completed``: module → first completion), each with
    its completion date if later."""
    gaps = []
    for module in required:
        done = completed.get(module)
        if done is None:
            gaps.append(f"{module} (not completed)")
        elif done > by:
            gaps.append(f"{module} (completed {done.isoformat()})")
    return gaps


# Case-management duties A603 judges (DESIGN.md: case managers finish training before any independent
# caseload): kind → (the duties in plural as "the first of 3 …" says them, what the person did, the fix).
_DUTIES = {
    "assignment": ("assignments of theirs",
                   "case manager {who} had not completed the required training before this assignment began on "
                   "{day}", "assign a trained case manager or record the training in staff.yaml"),
    "monitor": ("plans they were named to monitor",
                "{who}, named to monitor {plan} (`monitoring.responsible`), had not completed the required "
                "training {when}", "name a trained staff member to monitor the plan or record the training in "
                "staff.yaml"),
    "facilitator": ("planning meetings they facilitated",
                    "{who} facilitated the planning meeting of {plan} on {day} without the required training",
                    "have a trained staff member (or the member) facilitate, or record the training in staff.yaml"),
    "assessor": ("assessments they made",
                 "{who} assessed the member on {day} without the required training",
                 "have a trained staff member assess, or record the training in staff.yaml"),
    "note": ("notes they wrote", "{who} wrote this note on {day} without the required training",
             "have a trained staff member carry the contacts, or record the training in staff.yaml"),
}


def _duties(case: Case, ctx: CaseContext) -> Iterator[tuple[str, object, date | None, Document, tuple,
                                                            Callable[[], dict]]]:
    """(kind, staff id, date of the duty, document, data path of the staff reference, message fields) for
    every case-management duty a member folder records. The message fields are a function, called only for
    the few duties reported (labels cost more than the check itself)."""
    member = case.member
    if member is not None:
        for index, entry in member.items(ASSIGNMENTS):
            yield "assignment", entry.get("staff"), parse_iso(entry.get("from")), member, \
                (ASSIGNMENTS, index, "staff"), dict
    life = ctx.lifecycle
    checked = {id(plan) for plan in life.plans_to_check()}
    for record in life.plans:
        plan = record.plan
        consented = life.consented(record)
        if not consented and id(plan) not in checked:
            continue  # an old draft never signed: nobody monitored it, its meeting led to nothing in force
        monitoring, meeting = plan.get("monitoring"), plan.get("meeting")
        if isinstance(monitoring, dict):
            day = record.consent_on if consented else plan.date
            yield "monitor", monitoring.get("responsible"), day, plan, ("monitoring", "responsible"), \
                partial(_monitor_fields, record, consented, day)
        if isinstance(meeting, dict) and meeting.get("facilitator") != "member":
            day = parse_iso(meeting.get("date")) or plan.date
            yield "facilitator", meeting.get("facilitator"), day, plan, ("meeting", "facilitator"), \
                partial(_plan_fields, record)
    for assessment in case.assessments:
        yield "assessor", assessment.get("assessor"), assessment.date, assessment, ("assessor",), dict
    for note in case.notes:
        yield "note", note.get("staff"), note.date, note, ("staff",), dict


def _plan_fields(record: PlanRecord) -> dict:
    return {"plan": record.label}


def _monitor_fields(record: PlanRecord, consented: bool, day: date | None) -> dict:
    when = (f"when the plan was consented on {day.isoformat()}" if consented
            else f"by the plan's date, {day.isoformat()} (it is not yet consented)") if day else ""
    return {"plan": record.label, "when": when}


@rule("A603", "untrained-assignment", "error", source="Weld County CMA policy", settings=("required_trainings",))
def untrained_assignment(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Everyone with a case-management duty in the record had completed every required training on
    the day of that duty: the case manager when the assignment began, the plan's monitor when the plan
    was consented, the staff facilitator on the meeting day, the assessor on the assessment day, and
    each note's author on the note's day.

    Why it matters: initial training is a prerequisite to being assigned
    independent case management responsibilities (Weld CMA: case managers
    finish it before any independent caseload). A staff member who has not
    yet learned person-centered planning, rights modifications and member
    rights should not be the one accountable for a member's plan, nor lead
    its meeting, assess the member or carry the contacts alone.

    How to fix: give the duty to a staff member who has finished the
    required training, or, if the training was done, record it with its date
    in staff.yaml. The required modules are `settings.required_trainings` in
    pcplan.toml (none by default, and then nothing is checked); each needs a
    `trainings` entry with `completed_on` on or before the day of the duty:
    an assignment's `from`; a plan's consent date for its
    `monitoring.responsible` (the plan's `date` while it is a draft; a plan
    monitored by `case_manager` is judged through the assignments); the
    meeting's `date` for a staff `meeting.facilitator`; an assessment's
    `date` for its `assessor`; a note's `date` for its `staff`. One finding
    is reported per person and kind of duty in a member's record, at the
    first untrained one, saying how many there were (ten untrained notes are
    one finding, not ten). Superseded plans and old notes count too: they
    were case management when they were done.

    Example:
        # staff.yaml: cm-obello completed member-rights on 2025-11-17
        case_managers:
          - staff: cm-obello
            from: 2025-10-01    # wrong: before the training was completed
            from: 2026-04-01    # right
        # a note, assessment or plan dated before 2025-11-17 naming cm-obello is reported the same way
    """
    required = tuple(ctx.settings.required_trainings)
    if not required:
        return
    known = ctx.repository.staff_by_id
    completions = ctx.index(training_completions)
    untrained: dict[tuple[str, str], list] = {}
    for order, (kind, staff_id, day, doc, path, fields) in enumerate(_duties(case, ctx)):
        if not isinstance(staff_id, str) or staff_id not in known or day is None:
            continue  # an unknown id is A602's finding; an unreadable date the schema's
        gaps = _training_gaps(completions[staff_id], required, day)
        if gaps:
            untrained.setdefault((staff_id, kind), []).append((day, order, gaps, doc, path, fields))
    for (staff_id, kind), duties in sorted(untrained.items(), key=lambda item: min(item[1])[:2]):
        day, _, gaps, doc, path, fields = min(duties, key=lambda duty: duty[:2])
        many, did, fix = _DUTIES[kind]
        message = did.format(who=shown_id(staff_id), day=day.isoformat(), **fields()) + ": " + ", ".join(gaps)
        if len(duties) > 1:
            message += (f"; this is the first of {len(duties)} {many} in this member's record before their "
                        "training was complete")
        yield Hit(doc, path, f"{message}; {fix}")


@rule("A604", "training-overdue", "error", source="Weld County CMA policy",
      scope="repository", settings=("required_trainings", "training_deadline_days"))
def training_overdue(repo: Repository, ctx: RepositoryContext) -> Iterator[Hit]:
    """No staff member is, today, past the training deadline with a required training still missing.

    Why it matters: all case management staff must receive their initial
    training within 120 calendar days of their hire date. Missing the deadline
    means members are served by staff who have not learned how to plan with
    them, and the agency is out of compliance with its contract.

    How to fix: have the staff member complete the missing modules and record
    each with its `completed_on` date in staff.yaml. The deadline is the hire
    date plus `settings.training_deadline_days` (120 calendar days by
    default); the modules are `settings.required_trainings`; staff who have
    left (`left_on` on or before today) are not checked.

    Example:
        staff:
          - id: cm-new
            hire_date: 2026-06-01     # deadline 2026-09-29
            trainings:
              - {module: person-centered-support-planning, completed_on: 2026-07-10}
              - {module: member-rights, completed_on: 2026-09-15}   # add each module when done
    """
    required = tuple(ctx.settings.required_trainings)
    staff_doc = repo.staff
    if not required or staff_doc is None:
        return
    for index, person in staff_doc.items("staff"):
        left = parse_iso(person.get("left_on"))
        hired = parse_iso(person.get("hire_date"))
        if (left is not None and left <= ctx.today) or hired is None:
            continue
        deadline = plus_days(hired, ctx.settings.training_deadline_days)  # None: past the calendar's end
        if deadline is None or ctx.today <= deadline:
            continue
        missing = _training_gaps(_first_completions(person), required, ctx.today)
        if missing:
            modules = ", ".join(m.split(" ")[0] for m in missing)
            who = person.get("id")
            who = f"staff member {shown_id(who)}" if isinstance(who, str) and who.strip() else "this staff member"
            yield Hit(staff_doc, ("staff", index),
                      f"{who} was hired on {hired.isoformat()} and is past the "
                      f"{ctx.settings.training_deadline_days}-day training deadline ({deadline.isoformat()}) "
                      f"without the required training: {modules}; complete it and record `completed_on`",
                      due=deadline)


# Words that make a legal form, not a different organization ("Riverside Supports, Inc." is Riverside Supports).
_LEGAL_FORMS = frozenset(("inc", "incorporated", "llc", "lc", "pllc", "corp", "corporation", "co", "company",
                          "ltd", "limited", "lp", "llp", "lllp", "plc", "pc", "pa"))


def organization_key(value: object) -> str | None:
    """An organization's (or a person's) name for comparison: case, punctuation and spacing aside, "&" read
    as "and", a leading "The" and trailing legal forms (Inc., LLC, L.L.C., Corp., Co., Ltd., PLLC, …)
    left out. None when not a name."""
    if not isinstance(value, str):
        return None
    folded = re.sub(r"[.'’`]", "", value.casefold().replace("&", " and "))  # L.L.C. → llc
    words = re.sub(r"[\W_]+", " ", folded).split()
    trimmed = False
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
        trimmed = True
    if trimmed and len(words) > 1 and words[-1] == "and":  # "Bello & Co." → bello
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words) or None


@rule("A605", "conflict-of-interest", "error", source="42 CFR 441.301(c)(1); Weld County CMA policy")
def conflict_of_interest(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The case manager (or their organization) is not a paid provider in the same plan.

    Why it matters: the federal rule requires conflict-free case management:
    whoever develops the person-centered plan must not also be paid to provide
    its services, or the plan may be shaped by what the planner sells rather
    than by what the member wants. Members have the right to services free
    from conflicts of interest with their case management.

    How to fix: choose another provider for the support with the member, or
    move planning to a case manager outside the provider's organization. Where
    no other provider exists (a rural area), document the exception and the
    safeguards the agency uses. The responsible case manager is the plan's
    `monitoring.responsible`, else (or when it says `case_manager`) the
    current assignment; a paid support's
    `provider` conflicts when it names that staff member (`name` in
    staff.yaml), their organization (their `organization` in staff.yaml), or
    the case management agency itself (staff.yaml's top-level `organization`,
    and `agency` in pcplan.toml). Names are compared as organizations:
    case, punctuation, spacing, "&" for "and", a leading "The" and legal
    forms such as Inc., LLC, L.L.C., Corp., Corporation, Co., Ltd. or PLLC
    do not count, so "Riverside Supports, Inc." is "riverside supports", but
    "Riverside Supported Living" is another organization. The plan in effect
    is checked.

    Example:
        # staff.yaml: the responsible case manager has organization: Sunrise Home Care, LLC
        supports:
          - id: SP2
            paid: true
            provider: Sunrise Home Care Inc.   # wrong: the case manager's own organization
            provider: Evergreen Home Care      # right: a provider the member chose elsewhere
    """
    plan = ctx.lifecycle.plan_in_effect
    if plan is None:
        return
    known = ctx.repository.staff_by_id
    responsible = monitor_named(plan)
    if (responsible is None or responsible == CASE_MANAGER) and case.member is not None:
        current, _ = _current(case.member, known, ctx.today)
        staff_ids = [e.get("staff") for _, e in current if isinstance(e.get("staff"), str)]
        responsible = staff_ids[0] if staff_ids else None
    person = known.get(responsible) if isinstance(responsible, str) else None
    if person is None:
        return  # unknown id: A602's finding
    who = shown_id(responsible)
    conflicts: dict[str, str] = {}
    for name, what in (
            (person.get("name"), f"is the responsible case manager ({who})"),
            (person.get("organization"), f"is the organization of the responsible case manager ({who})"),
            (ctx.repository.staff.get("organization") if ctx.repository.staff is not None else None,
             "is the case management agency itself"),
            (ctx.config.agency, "is the case management agency itself")):
        key = organization_key(name)
        if key is not None:
            conflicts.setdefault(key, what)
    for index, support in plan.items("supports"):
        if support.get("paid") is not True:
            continue
        provider = organization_key(support.get("provider"))
        conflict = conflicts.get(provider) if provider is not None else None
        if conflict is None:
            continue
        label = f"paid support {shown_id(support['id'])}" if isinstance(support.get("id"), str) \
            else "a paid support"
        yield Hit(plan, ("supports", index, "provider"),
                  f"the provider of {label} {conflict}; case management must be free of "
                  "conflicts of interest: choose another provider with the member or document an "
                  "exception")


@rule("A606", "change-undocumented", "error", source="CMHPSM 13.003")
def change_undocumented(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every change of case manager records a reason, and the assignment it ends has a `to` date.

    Why it matters: the member has the right to ask for a different case
    manager, and transfers must be fair, timely, explained and well
    documented. A change with no reason leaves no record of whether the member
    asked for it, agreed to it, or was simply moved; an assignment with no end
    date leaves it unclear who was responsible when.

    How to fix: add `reason:` to the new assignment (who asked for the change
    and why, how it was discussed with the member) and `to:` to the one it
    replaced. Every assignment after the first (in list order) needs a
    `reason`; every assignment followed by another needs its `to`, unless
    its staff member left the agency (staff.yaml `left_on`) on or before the
    next one began: an assignment ends the day its staff member leaves.

    Example:
        case_managers:
          - staff: cm-jlee
            from: 2025-12-15
            to: 2026-03-31                  # the end of the earlier assignment
            reason: Initial assignment.
          - staff: cm-obello
            from: 2026-04-01
            reason: Danny asked for a change at his quarterly review.
    """
    member = case.member
    if member is None:
        return
    assignments = member.items(ASSIGNMENTS)
    for position, (index, entry) in enumerate(assignments):
        later = position + 1 < len(assignments)
        left = staff_left_on(ctx.repository.staff_by_id, entry.get("staff"))
        following = parse_iso(assignments[position + 1][1].get("from")) if later else None
        if left is not None and following is not None and left <= following:
            later = False  # ended when its staff member left the agency (staff.yaml `left_on`)
        if later and entry.get("to") in (None, ""):
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{assignment_label(index, entry)} ends without a `to` date although a later assignment "
                      "exists; add the date it ended")
        if position > 0 and text(entry, "reason") is None:
            where = (ASSIGNMENTS, index, "reason") if entry.get("reason") is not None else (ASSIGNMENTS, index)
            yield Hit(member, where, f"{assignment_label(index, entry)} changes the case manager without a "
                      "reason; record why (`reason`), for example that the member asked for a change")


ELIGIBILITY = (("determined_on", "when eligibility was determined (`determined_on`)"),
               ("determined_by", "who determined it (`determined_by`: a staff id or the outside body)"),
               ("basis", "on what basis (`basis`)"))


@rule("A607", "eligibility-undocumented", "error", source="CMHPSM 13.003; ISED")
def eligibility_undocumented(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every program the member is enrolled in records how eligibility was determined: on, by and basis.

    Why it matters: engagement begins with an eligibility determination, and an
    enrollment is only as sound as the record of who decided the member
    qualifies, when, and why. Without it an auditor cannot tell whether the
    member was eligible on the day services began, and a redetermination has
    nothing to start from.

    How to fix: add an `eligibility` mapping to the program entry with
    `determined_on`, `determined_by` (a staff id, or the outside body such as
    the county) and `basis`. Every program entry with an `enrolled_on` is
    checked, ended ones and closed cases too; each enrollment is its own
    entry, so a member enrolled again after a closure needs the new
    determination on the new entry. An entry without `enrolled_on` (a referral
    still waiting for a decision) is not checked until its eligibility is
    recorded.

    Example:
        programs:
          - program: HCBS-EBD
            eligibility:
              determined_on: 2026-07-28
              determined_by: cm-jlee
              basis: Nursing-facility level of care met on the functional screen.
            enrolled_on: 2026-08-03
    """
    member = case.member
    if member is None:
        return
    for index, program in member.items("programs"):
        eligibility = program.get("eligibility")
        if program.get("enrolled_on") is None and eligibility is None:
            continue  # a pending referral: nothing has been decided yet
        name = program.get("program")
        # a program written as free text rather than a code is not repeated (privacy)
        which = f"program {shown_id(name)}" if shown_id(name).startswith("`") else "this program"
        if eligibility is not None and not isinstance(eligibility, dict):
            continue  # the schema's finding
        where = ("programs", index, "eligibility") if eligibility is not None else ("programs", index)
        for key, what in ELIGIBILITY:
            value = eligibility.get(key) if eligibility is not None else None
            if value is None or (isinstance(value, str) and not value.strip()):
                yield Hit(member, where, f"the enrollment in {which} (programs entry {index + 1}) does not "
                          f"record {what}", at="key" if eligibility is not None else "value")


@rule("A608", "monitor-not-assigned", "warning", source="42 CFR 441.301(c)(2)(xi); CMHPSM 13.003")
def monitor_not_assigned(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan in effect's monitor is `case_manager` or the member's current case manager.

    Why it matters: the federal rule asks that the plan name who monitors
    it, and CMHPSM makes the assigned case manager the one primarily
    responsible for the member's services. After a transfer, a plan that
    still names the previous case manager tells the member, the providers
    and a printed copy to call someone who no longer has the case, while the
    case manager who does is named nowhere in it.

    How to fix: write `monitoring.responsible: case_manager` (the
    recommended form: it means whoever is assigned that day, so a transfer
    needs no new plan), or the staff id of the member's current case
    manager. Only the plan in effect today is checked, against the
    assignments current today (`case_managers`, an assignment ending at its
    `to` or on the day its staff member left). A monitor who has left the
    agency is A609's finding; a member with no current case manager is
    A601's; an id missing from staff.yaml is A602's.

    Example:
        # member.yaml: cm-jlee until 2026-03-31, cm-obello from 2026-04-01
        monitoring:
          responsible: cm-jlee         # wrong: no longer Danny's case manager
          responsible: case_manager    # right: whoever is assigned (cm-obello today)
          responsible: cm-obello       # also right
    """
    record = ctx.lifecycle.in_effect()
    if record is None or case.member is None:
        return
    named = monitor_named(record.plan)
    staff_by_id = ctx.repository.staff_by_id
    if named is None or named == CASE_MANAGER or named not in staff_by_id:
        return  # T209 (none named), the recommended form, or A602 (unknown id)
    left = staff_left_on(staff_by_id, named)
    if left is not None and left < ctx.today:
        return  # A609: the monitor has left the agency
    current, _ = _current(case.member, staff_by_id, ctx.today)
    assigned = sorted({e["staff"] for _, e in current if isinstance(e.get("staff"), str)})
    if not assigned or named in assigned:
        return  # nobody is assigned today (A601), or the monitor is the case manager
    who = " and ".join(shown_id(s) for s in assigned)
    yield Hit(record.plan, ("monitoring", "responsible"),
              f"{record.label}, in effect, names {shown_id(named)} to monitor it, but the member's case manager "
              f"on {ctx.today.isoformat()} is {who}; write `responsible: case_manager` (whoever is assigned) or "
              "the current case manager's staff id")


# What each staff reference A609 judges says about its staff member, for a message.
_DEPARTED_ACTS = {
    "assignment": "was assigned to the member as case manager from {day}",
    "eligibility": "determined the member's eligibility on {day}",
    "assessor": "assessed the member on {day}",
    "assessment participant": "took part as staff in the assessment of {day}",
    "facilitator": "facilitated the planning meeting of {day}",
    "meeting participant": "took part as staff in the planning meeting of {day}",
    "signature": "signed the plan on {day}",
    "witness": "witnessed an agreement to the plan without a signature on {day}",
    "review": "held the review of {day}",
    "exception": "documented the exception on {day}",
    "note": "wrote this note of {day}",
}


def _staff_acts(case: Case) -> Iterator[tuple[str, object, tuple, object, date | None]]:
    """(kind of act, document, data path of the staff reference, staff id, the day of the act) for every
    record a member folder attributes to a staff member on a day."""
    member = case.member
    if member is not None:
        for index, entry in member.items(ASSIGNMENTS):
            yield "assignment", member, (ASSIGNMENTS, index, "staff"), entry.get("staff"), parse_iso(entry.get("from"))
        for index, program in member.items("programs"):
            eligibility = program.get("eligibility")
            if isinstance(eligibility, dict):
                yield "eligibility", member, ("programs", index, "eligibility", "determined_by"), \
                    eligibility.get("determined_by"), parse_iso(eligibility.get("determined_on"))
    for assessment in case.assessments:
        yield "assessor", assessment, ("assessor",), assessment.get("assessor"), assessment.date
        for index, person in assessment.items("participants"):
            yield "assessment participant", assessment, ("participants", index, "staff"), person.get("staff"), \
                assessment.date
    for plan in case.plans:
        meeting = plan.get("meeting")
        if isinstance(meeting, dict):
            day = parse_iso(meeting.get("date")) or plan.date
            yield "facilitator", plan, ("meeting", "facilitator"), meeting.get("facilitator"), day
            for index, person in items(meeting, "participants"):
                yield "meeting participant", plan, ("meeting", "participants", index, "staff"), \
                    person.get("staff"), day
        for index, signature in plan.items("signatures"):
            yield "signature", plan, ("signatures", index, "staff"), signature.get("staff"), \
                parse_iso(signature.get("signed_on"))
            yield "witness", plan, ("signatures", index, "witnessed_by"), signature.get("witnessed_by"), \
                parse_iso(signature.get("declined_on")) or parse_iso(signature.get("signed_on"))
        for index, review in plan.items("reviews"):
            yield "review", plan, ("reviews", index, "by"), review.get("by"), parse_iso(review.get("date"))
        for index, entry in plan.items("exceptions"):
            yield "exception", plan, ("exceptions", index, "documented_by"), entry.get("documented_by"), \
                parse_iso(entry.get("on"))
    for note in case.notes:
        yield "note", note, ("staff",), note.get("staff"), note.date


@rule("A609", "staff-departed", "error", source="CMHPSM 13.003")
def staff_departed(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """No record is authored, signed or monitored by a staff member after their `left_on`.

    Why it matters: a staff member who has left the agency cannot visit the
    member, assess them, sign or review their plan, or watch over it. A
    record that says otherwise is wrong about who did the work: usually a
    copied note or plan that kept the old case manager's id, sometimes work
    nobody did. After a departure the member needs a new case manager, and
    the record must name who really acts for them.

    How to fix: correct the staff id to the person who did it, or, if
    `left_on` in staff.yaml is wrong, correct that date. The day they left
    is their last day: a record of that day is theirs to make. Checked in
    every file of the member folder, old plans too: an assignment beginning
    after they left, an eligibility determination (`determined_by` with
    `determined_on`), an assessment's `assessor` and staff participants, a
    planning meeting's `facilitator` and staff participants (on the meeting
    date), a signature's `staff` (on `signed_on`), the witness of an
    agreement recorded without a signature (`witnessed_by`, on
    `declined_on`), a review's `by`, an
    exception's `documented_by` (on `on`), and a note's `staff`. A plan in
    effect today, or being prepared, whose `monitoring.responsible` names
    someone who has left is reported at it: write `case_manager` (whoever is
    assigned) or the new case manager's id.

    Example:
        # staff.yaml: cm-jlee left_on: 2026-11-01
        # notes/2026-11-10.yaml
        staff: cm-jlee      # wrong: she had left; the visit was made by cm-obello
        staff: cm-obello    # right
    """
    staff_by_id = ctx.repository.staff_by_id
    if not staff_by_id:
        return
    for kind, doc, path, staff_id, day in _staff_acts(case):
        left = staff_left_on(staff_by_id, staff_id)
        if left is None or day is None or day <= left:
            continue
        act = _DEPARTED_ACTS[kind].format(day=day.isoformat())
        yield Hit(doc, path, f"{shown_id(staff_id)} {act}, after leaving the agency on {left.isoformat()} "
                  "(staff.yaml `left_on`); correct the staff id to who did it, or `left_on` if it is wrong")
    life = ctx.lifecycle
    if life.closed:
        return
    for record in life.plans:
        if record.episode is not life.current_episode or life.state(record) not in (IN_EFFECT, DRAFT, CONSENTED):
            continue
        named = monitor_named(record.plan)
        left = staff_left_on(staff_by_id, named) if named != CASE_MANAGER else None
        if left is None or ctx.today <= left:
            continue
        when = "in effect" if life.state(record) == IN_EFFECT else "being prepared"
        yield Hit(record.plan, ("monitoring", "responsible"),
                  f"{record.label}, {when}, names {shown_id(named)} to monitor it, who left the agency on "
                  f"{left.isoformat()} (staff.yaml `left_on`); write `responsible: case_manager` (whoever is "
                  "assigned) or the new case manager's staff id")
