"""T-rules: things happen on time and in order: reviews, reassessments, contacts, copies, and the plan's
life from intake to consent (T209–T214).

Every date is measured from ``ctx.today`` (``--today``, ``PCPLAN_TODAY``, or the
real date), never read from the clock here, so a CI run is reproducible.
Month arithmetic is calendar arithmetic: a month from January 31 is the last
day of February. Which plan is in effect, what a draft is and which episode is
current come from ``pcplan.facts.lifecycle`` (``ctx.lifecycle``; DESIGN.md, "The life
of a case"): rules about what is *due* (T201, T204, T205, T208) follow the plan
in effect, never a draft, and stop when the case is closed; copies (T207, and
T206's copy dates) are judged from each consented plan's consent, never a
draft's; rules about what a plan *says* (T202, T203, T206) check the plan in
effect and any newer draft. T209–T214 compare the lifecycle's answers with the
agency's deadlines: monitoring defined, an assessment and a consented plan in
time after enrollment, significant changes (and discharges) followed up, drafts
signed, holds kept in touch with. T206's date checks are in chronology.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..dates import CONTACT_RANK, add_period, frequency_text, parse_frequency, parse_iso, plus_days, plus_months
from ..facts.lifecycle import ContactMiss, Hold, PlanRecord, records_contact, refusal_text
from ..findings import Hit
from ..model import Case, Document, get_in, is_active_goal, items, label, named, plan_name, shown_id
from ..output import plural
from .chronology import before_enrollment, consent_where, date_at, plan_order, recorded_after, start_end_pairs
from .context import CaseContext
from .registry import rule

COPY_ROLES = ("member", "representative")


# ---------------------------------------------------------------- helpers

_freq_text = frequency_text  # "3 months"; a count of absurd size by its size, never its thousands of digits


def _plan_label(plan: Document) -> str:
    return plan_name(plan)


def _latest(dated: list[tuple[date, int]]) -> tuple[date, int] | None:
    """The latest (date, index); on a tie, the later entry."""
    return max(dated, key=lambda pair: (pair[0], pair[1])) if dated else None


# ---------------------------------------------------------------- T201
@rule("T201", "review-overdue", "error", source="42 CFR 441.301(c)(3); CMHPSM 13.003",
      settings=("review_interval_months",))
def review_overdue(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Today is not past the next review of the plan in effect (last review, or the plan date, + `review_every`).

    Why it matters: the federal rule asks that the plan be reviewed at least
    every 12 months, and policy asks for periodic reviews at the frequency the
    plan names. A plan nobody has looked at since it was signed may no longer
    match the member's life: goals met, needs changed, a support that stopped
    coming.

    How to fix: hold the review with the member and record it under
    `reviews:` (date, by, outcome). The next review is due at the later of
    the last review held under the plan in effect and the plan's consent (the
    member's or legal representative's signature; the plan's `date` when they
    are the same day), plus `monitoring.review_every`; when that is missing
    or unreadable, the agency's review interval (`review_interval_months`, 12
    by default) is used. A review dated before the plan's own date belongs to
    an older plan and does not count (T206 reports it). Only the plan in
    effect is judged: an unsigned draft never moves the date, and a plan
    whose `effective.end` has passed is T211's finding. Members whose case is
    closed are not checked.

    Example:
        # plan dated 2026-09-03, today 2027-06-01: due 2027-03-03, overdue
        monitoring:
          review_every: 6 months
        reviews: []
        # right: the review is recorded
        reviews:
          - {date: 2027-02-25, by: cm-jlee, outcome: continue}
    """
    life = ctx.lifecycle
    record = life.in_effect()
    if record is None or life.closed:
        return
    schedule = life.review_schedule(record, ctx.settings.review_interval_months)
    if schedule is not None and ctx.today > schedule.due:
        how = (", the agency's review interval, as `monitoring.review_every` is missing or unreadable"
               if schedule.default_frequency else "")
        yield Hit(record.plan, schedule.data_path, f"the next review was due on {schedule.due.isoformat()} "
                  f"({schedule.since} "
                  f"{schedule.base.isoformat()} + {_freq_text(schedule.frequency)}{how}); hold the review "
                  "with the member and record it under `reviews`", due=schedule.due)


# ---------------------------------------------------------------- T202
_NO_DATE = date(2001, 1, 1)  # a reference day for comparing a frequency when the plan date is unreadable


@rule("T202", "review-interval-too-long", "error", source="42 CFR 441.301(c)(3)", settings=("review_interval_months",))
def review_interval_too_long(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """`monitoring.review_every` and the plan's effective period are at most 12 months (configurable).

    Why it matters: the federal rule asks that a person-centered plan be
    reviewed, and revised as needed, at least every 12 months. A plan that
    promises reviews less often, or stays in effect longer, sets the member up
    for a year or more without anyone asking whether it still fits.

    How to fix: set `review_every` to 12 months or less, and end the
    effective period no later than 12 months after it starts (a plan starting
    2026-09-03 may end on 2027-09-02 or 2027-09-03). The limit is the
    agency's `review_interval_months` in pcplan.toml.

    Example:
        # wrong
        effective: {start: 2026-09-03, end: 2028-09-02}
        monitoring:
          review_every: 18 months
        # right
        effective: {start: 2026-09-03, end: 2027-09-02}
        monitoring:
          review_every: 6 months
    """
    limit = ctx.settings.review_interval_months
    for plan in ctx.lifecycle.plans_to_check():
        frequency = parse_frequency(get_in(plan.data, "monitoring", "review_every"))
        if frequency is not None:
            base = plan.date or _NO_DATE
            reach, allowed = add_period(base, frequency), plus_months(base, limit)
            if reach is None or allowed is None:  # past the calendar's end from the plan's date: compare from
                reach, allowed = add_period(_NO_DATE, frequency), plus_months(_NO_DATE, limit)  # a day inside it
            if allowed is not None and (reach is None or reach > allowed):
                yield Hit(plan, ("monitoring", "review_every"),
                          f"`monitoring.review_every` is {_freq_text(frequency)}, longer than the "
                          f"{plural(limit, 'month')} allowed between reviews; review at least every "
                          f"{plural(limit, 'month')}")
        start = date_at(plan.data, "effective", "start")
        end = date_at(plan.data, "effective", "end")
        latest = plus_months(start, limit) if start is not None else None  # None: past the calendar's end
        if start is not None and latest is not None and end is not None and latest < end:
            yield Hit(plan, ("effective", "end"),
                      f"the effective period {start.isoformat()} to {end.isoformat()} is longer than "
                      f"{plural(limit, 'month')}; end it on {latest.isoformat()} at the latest and review the plan "
                      "before then")


# ---------------------------------------------------------------- T203
@rule("T203", "assessment-stale", "warning", source="CMSA standards of practice", settings=("assessment_max_age_days",))
def assessment_stale(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan's assessment is at most 90 days (configurable) older than the plan.

    Why it matters: case management is iterative: screening, assessing and
    planning follow each other. A plan written from an assessment months old
    answers needs the member may no longer have and misses the ones that came
    since.

    How to fix: reassess (or update the assessment with the member) and base
    the plan on the new one with `assessment:`, or write the plan sooner after
    the assessment. The limit is `assessment_max_age_days` in pcplan.toml.
    Initial and annual plans, and a revision based on a new assessment, are
    judged this way. A revision (`type: revision`) that keeps the assessment
    of the plan it replaces (the newest consented plan of the episode before
    it) is not: it changes the plan between assessments, and the assessment
    was judged with that plan; how old the latest assessment may get is
    T208's rule.

    Example:
        # assessment A1 dated 2026-01-20, plan dated 2026-09-03: 226 days
        assessment: A1
        # right: a fresh assessment A2 dated 2026-08-20
        assessment: A2
        # also right: a revision of a plan based on A2, dated 2027-01-20, keeping A2
        type: revision
        assessment: A2
    """
    limit = ctx.settings.assessment_max_age_days
    life = ctx.lifecycle
    for plan in life.plans_to_check():
        assessment = case.assessment_for(plan)
        if assessment is None or plan.date is None or assessment.date is None:
            continue
        if plan.get("type") == "revision":
            replaced = life.replaces(life.record(plan))
            if replaced is not None and replaced.plan.get("assessment") == plan.get("assessment"):
                continue  # the assessment of the plan it revises: judged with that plan
        age = (plan.date - assessment.date).days
        if age > limit:
            yield Hit(plan, ("assessment",),
                      f"{named('assessment', assessment.id)} is dated {assessment.date.isoformat()}, "
                      f"{plural(age, 'day')} before this plan (at most {limit}); reassess with the member before "
                      "planning, or base the "
                      "plan on a newer assessment")


# ---------------------------------------------------------------- T204
@rule("T204", "target-date-passed", "warning", source="ISED")
def target_date_passed(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """No active goal, and no active objective of an active goal, is past its target date.

    Why it matters: a plan is time-referenced: each goal and objective has a
    timeline so the member and the team can see whether it is working. A date
    that has passed without a decision means nobody has asked the member
    whether the goal was reached, is still wanted, or needs more time.

    How to fix: talk with the member, then either mark the goal or objective
    `status: achieved` (or `discontinued`, `on_hold`), or set a new
    `target_date` (a plan revision). Only the plan in effect of a member whose
    case is open is checked.

    Example:
        # today 2027-01-10
        - id: G1
          target_date: 2026-12-31     # wrong: passed, still active
          status: active
        - id: G1
          target_date: 2026-12-31
          status: achieved            # right: the outcome is recorded
    """
    life = ctx.lifecycle
    plan = life.plan_in_effect
    if plan is None or life.closed:
        return
    today = ctx.today.isoformat()
    for index, goal in plan.items("goals"):
        if not is_active_goal(goal):
            continue
        target = parse_iso(goal.get("target_date"))
        if target is not None and target < ctx.today:
            yield Hit(plan, ("goals", index, "target_date"),
                      f"{label(goal, 'goal')}'s target date {target.isoformat()} has passed (today is {today}) "
                      "and the goal is still active; review it with the member and record the outcome or a "
                      "new target date")
        for position, objective in items(goal, "objectives"):
            if not is_active_goal(objective):
                continue
            target = parse_iso(objective.get("target_date"))
            if target is not None and target < ctx.today:
                yield Hit(plan, ("goals", index, "objectives", position, "target_date"),
                          f"{label(objective, 'objective')}'s target date {target.isoformat()} has passed "
                          f"(today is {today}); record whether it was met, or set a new target date")


# ---------------------------------------------------------------- T205
@rule("T205", "contact-frequency-missed", "error", source="CMHPSM 13.003", settings=("history_months",))
def contact_frequency_missed(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Notes show contacts of each type at least as often as the plan's `monitoring.contacts` agree, with the member
    taking part (collateral: with others on their behalf); an open gap is an error, a closed one (the contact came
    late) a warning.

    Why it matters: policy asks the case manager to provide face-to-face and
    collateral contacts at the frequency agreed in the person-centered plan.
    A missed visit is a month in which nobody saw whether the supports were
    arriving or whether the member's situation had changed. A contact that
    came late is history: it stays on record as a warning, but recording the
    catch-up visit is never what a check blocks.

    How to fix: record each contact as a note (`contact:` face_to_face, video,
    phone, collateral or written), say who took part under `with`, and write
    what happened under `text`: a note with no narrative, or only a
    template's placeholder, counts as no contact (N802), and a finding names
    such notes of the gap by date. A requirement of a contact with the member
    (face_to_face, video, phone, written) is met only by a contact the member
    took part in: `with` names them by their legal or preferred name as
    member.yaml spells it (case and spacing aside, a role in brackets
    allowed: `Elena (member)`) or says `member`; a contact of a higher rank
    counts for a lower one (face_to_face > video > phone > written). A
    contact with others only (a guardian, family, a provider, a school), in
    any channel, is a collateral contact: it meets a `collateral` requirement
    and never a member-contact one. A contact with the member alone never
    meets a collateral requirement; a contact with the member and others
    meets both. An interpreter (`Hodan Ali (interpreter)`) is neither the
    member nor a collateral contact; a `contact: collateral` note without
    `with` counts as collateral. A finding names, by date, the contacts of the
    gap that did not count because of who took part. The clock starts when a
    consented plan asking for the contact takes effect: the first contact is
    due by then plus `every`, each next one by the previous contact plus
    `every` (calendar months: a month after January 31 is the end of
    February); a contact on the due date is on time. Schedules carry across
    revisions: a revision changes the frequency from its start (due from the
    last contact, but not before its start) and never forgives a contact
    already missed; an unsigned draft changes nothing. Days on a recorded
    hold (member.yaml `holds`) do not count, and nothing is due while a hold
    is open. A *gap* runs from the first due date it missed to the contact
    that ended it, and is one finding, always at a plan's `monitoring.contacts`
    entry, never at a note. An *open* gap (no contact since) is an error at
    the plan in effect's entry, up to today (or the closure date of a closed
    case); one that ended when a revision stopped asking for the contact is
    an error at the older plan's entry. A *closed* gap (the contact came,
    late) is a warning at the entry of the plan the first missed due date
    was due under, with the late contact's note as a related location: there
    is nothing left to edit. Each due date a gap misses (the first, then one
    every `every` as if each had been met on its due date) is an occurrence:
    a documented exception (`rule: T205` with `from`/`until`) covers the gap
    only when its period covers every due date the gap missed, and otherwise
    the finding names the first due date it does not cover, so a contact
    missed after the period, or after `on` when there is no `until`, is
    reported even in a gap that opened earlier. Due dates more than
    `history_months` (12) ago are no longer judged: a gap is reported while
    one of its due dates is within them. A member marked closed without a
    readable closure date is checked only between recorded contacts.
    Severity: an agency's `severity` for T205 in pcplan.toml sets the open
    gaps' severity and is the highest a closed gap gets (`T205 = "warning"`
    makes both warnings, `"info"` both info; a closed gap stays a warning
    under `"error"`). If the agreed frequency no longer fits, change it with
    the member in a plan revision.

    Example:
        # plan dated 2026-09-03
        monitoring:
          contacts:
            - {type: phone, every: 1 month}
            - {type: collateral, every: 3 months}
        # open gap (error, at the phone entry): the last call 2026-10-01, none since, today 2026-11-22
        # closed gap (warning, at the phone entry, the note as related location): the next call 2026-11-20
        # wrong: a call with her sister only meets the collateral contact, not the phone one
        contact: phone
        with: [Rosa Ruiz]
        # right: a visit with Elena and her sister meets both
        contact: face_to_face
        with: [Elena, Rosa Ruiz]
        text: Visited at home with Rosa; the aide comes as planned.
    """
    life = ctx.lifecycle
    misses, _ = life.contact_schedule()
    oldest = plus_months(ctx.today, -ctx.settings.history_months)  # None: before the calendar, all is history
    for miss in misses:
        judged = life.missed_dates(miss, since=oldest)
        if not judged:
            continue  # every due date it missed is older than `history_months`: history no longer judged
        every, due, under = _freq_text(miss.every), miss.due.isoformat(), miss.under.label
        since = (f"the last {miss.since_contact} contact on {miss.since.isoformat()}" if miss.since_contact
                 else f"{under} took effect on {miss.since.isoformat()}")
        count = _missed_count(judged, miss.due < judged[0], ctx.settings.history_months)
        absent = _not_counted(miss) + _empty_notes(miss)
        if miss.closed:
            came = miss.gap_end.isoformat()
            yield Hit(miss.under.plan, ("monitoring", "contacts", miss.requirement),
                      f"the {miss.kind} contact due by {due} under {under} (every {every} since {since}) came "
                      f"late, on {came}{count}{absent}; a closed gap, kept as history", due=judged[0],
                      occurrences=tuple(judged), severity="warning",
                      related=((miss.late_note, ("date",), f"the late {miss.kind} contact, on {came}"),),
                      hint="Nothing to edit: the late contact is recorded and closed the gap. If contacts could "
                           "not be made as agreed, document why (an exception with `rule: T205` and "
                           "`from`/`until`); if the frequency no longer fits, change it with the member in a "
                           "plan revision.")
        elif miss.current is not None:
            gap_to = "today" if miss.gap_end == ctx.today else "the closure"
            yield Hit(miss.current.plan, ("monitoring", "contacts", miss.current_requirement),
                      f"no {miss.kind} contact since {since}; one was due by {due} under {under} (every {every}) "
                      f"and none is recorded up to {gap_to} ({miss.gap_end.isoformat()}){count}{absent}; make the "
                      "contact and record it in a note", due=judged[0], occurrences=tuple(judged))
        else:
            yield Hit(miss.under.plan, ("monitoring", "contacts", miss.requirement),
                      f"no {miss.kind} contact since {since}; one was due by {due} under {under} (every {every}) "
                      f"and none was recorded before that plan stopped asking for it "
                      f"({miss.gap_end.isoformat()}){count}{absent}", due=judged[0], occurrences=tuple(judged))


def _missed_count(judged: list, older: bool, months: int) -> str:
    """How many due dates the gap missed, when more than one (or some are older than `history_months`)."""
    if len(judged) == 1 and not older:
        return ""
    within = f" in the last {months} month{'s' if months != 1 else ''}" if older else ""
    return (f", {len(judged)} due date{'s' if len(judged) != 1 else ''} missed{within} "
            f"(the latest {judged[-1].isoformat()})")


def _empty_notes(miss: ContactMiss) -> str:
    """The notes of the gap that would have met the requirement but record nothing (dates only)."""
    days = miss.empty
    if not days:
        return ""
    shown = ", ".join(day.isoformat() for day in days[:3]) + (f" and {len(days) - 3} more" if len(days) > 3 else "")
    one = len(days) == 1
    return (f"; the note{'' if one else 's'} of {shown} record{'s' if one else ''} nothing of what happened "
            f"(N802), so {'it does' if one else 'they do'} not count")


def _not_counted(miss: ContactMiss) -> str:
    """Why contacts of the gap did not count: who took part in them (dates only, never names)."""
    days = miss.not_counted
    if not days:
        return ""
    shown = ", ".join(day.isoformat() for day in days[:3]) + (f" and {len(days) - 3} more" if len(days) > 3 else "")
    one = len(days) == 1
    if miss.kind == "collateral":
        why = ("`with` names no one but the member (an interpreter aside), and a collateral contact is with "
               "someone else on the member's behalf")
    else:
        why = "`with` does not name the member, and a contact with others only is collateral"
    return f"; the contact{'' if one else 's'} on {shown} {'does' if one else 'do'} not count: {why}"


# ---------------------------------------------------------------- T206

@rule("T206", "chronology", "error", source="ISED")
def chronology(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Dates are in order (assessment ≤ meeting ≤ signatures; copies given on or after consent; every start/end pair);
    no note or plan before enrollment; nothing recorded as done after today.

    Why it matters: the case record is a chronological account of what
    happened: eligibility, enrollment, assessment, plan, services, progress.
    A plan signed before the meeting that made it, a note from before the
    member was enrolled, or a visit dated next week cannot all be true, and a
    record that contradicts itself cannot show that the member took part in
    each step.

    How to fix: correct the date that is wrong (often a typo in the year or
    month). For each plan checked: the assessment's `date` ≤ `meeting.date` ≤
    every `signatures[].signed_on` (and `declined_on`); every
    `distribution[].given_on` is on or after the plan's consent (the
    signature of the member or legal representative that consented, C301: a
    provider who signs later does not matter, and a copy handed over at the
    signing meeting, the same day, is in order; a draft's copies wait for
    its consent). The finding is at the later date, and names the earlier
    one. No note or plan
    is dated before the member's earliest `programs[].enrolled_on`, and no
    review is dated before its own plan's `date` (it belongs to an older
    plan and does not count for this one). A record of something that
    happened is never dated after today: an assessment, a note, a
    signature or refusal, a copy given, a review, a modification's consent,
    a choice offered (`choices`), a documented exception, a closure, its exit interview, referrals and attempts to
    reach the member, and
    the member's birth, rights, choice, eligibility and enrollment dates; a
    plan's `date` and `meeting.date` too, once anyone has signed it (a draft
    may be prepared for a meeting still to come). Planned dates are not
    records and may be in the future: a case-manager assignment's `from`
    (a planned transfer) and `to`, `effective.start` and `.end`, target
    dates, a support's `start` and `end`, a modification's `review_by`, an
    exception's `from` and `until`, holds. Every start/end pair ends on or
    after the day it starts (the same day is a one-day period), in every
    plan and in member.yaml: a support's `start`/`end`, the plan's
    `effective.start`/`.end`, an exception's `from`/`until`, a hold's
    `start`/`end`, a case-manager assignment's `from`/`to`, a
    representative's `authority_from`/`authority_until`, a program's
    `enrolled_on`/`ended_on`; the finding is at the end, naming the start.

    Example:
        meeting:
          date: 2026-09-03
        signatures:
          - {role: member, signed_on: 2026-08-30}   # wrong: before the meeting
          - {role: member, signed_on: 2026-09-03}   # right
          - {role: provider, signed_on: 2026-09-05} # a provider's later signature does not move the copies
        distribution:
          - {role: member, copy_given: true, given_on: 2026-09-02}   # wrong: before consent (2026-09-03)
          - {role: member, copy_given: true, given_on: 2026-09-03}   # right: handed over when she signed
        # member.yaml, today 2026-11-22
        case_managers:
          - {staff: cm-obello, from: 2027-01-01}    # right: a planned transfer is no record yet
    """
    life = ctx.lifecycle
    for plan in life.plans_to_check():
        yield from plan_order(case, plan, life.record(plan))
        for day, index in life.stray_reviews(life.record(plan)):
            assert plan.date is not None  # a review is stray only before the plan's own date
            yield Hit(plan, ("reviews", index, "date"), f"this review is dated {day.isoformat()}, before this "
                      f"plan's own date ({plan.date.isoformat()}); it belongs to an older plan and does not count "
                      "for this one: record it in that plan, or correct the date")
    yield from before_enrollment(case)
    yield from start_end_pairs(case)
    yield from recorded_after(case, ctx.today)


# ---------------------------------------------------------------- T207
@rule("T207", "copy-late", "warning", source="Weld County CMA 8.7201.K", settings=("copy_deadline_days",))
def copy_late(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The member's (and legal representatives') copy was given within 15 days (configurable) of consent: the member's
    or legal representative's signature, not a provider's late one.

    Why it matters: the member and their legal representative take part in
    and approve the plan and are given a copy of it. A copy that arrives weeks
    after they signed leaves the member without the document that says what
    help to expect, from whom, and when, just as the services start.

    How to fix: give the copy promptly after the member (or legal
    representative) signs, in the member's language and format, and record
    `given_on`. The limit is `copy_deadline_days` in pcplan.toml, counted from
    the plan's consent date as C301 defines it: the signature of the member
    or of a legal representative holding authority that day (the guardian's,
    when a guardian holds authority), or their documented agreement without
    a signature (`declined_to_sign`). A refusal is not consent, so a refused
    plan has no copy deadline: it is a draft, and a draft's copies wait for
    consent (T213 judges its wait). A provider who signs late does not move
    the deadline: the member's copy need not wait for the providers. A copy
    handed over at the signing meeting (0 days) is on time; one dated before
    consent is T206's finding; a copy not given at all, once the deadline
    has passed, is C303's. Every consented plan checked is judged: the plan
    in effect and a consented revision that has not started yet.

    Example:
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03}
          - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-30}
        distribution:
          - {role: member, copy_given: true, given_on: 2026-10-01}   # wrong: 28 days after consent
          - {role: member, copy_given: true, given_on: 2026-09-12}   # right
    """
    life = ctx.lifecycle
    limit = ctx.settings.copy_deadline_days
    for plan in life.plans_to_check():
        record = life.record(plan)
        if life.consented(record):
            yield from _late_copies(record, limit)


def _late_copies(record: PlanRecord, limit: int) -> Iterator[Hit]:
    """T207 for one consented plan: each member's or representative's copy given more than ``limit`` days
    after its consent."""
    plan, consent, where = record.plan, record.consent_on, consent_where(record)
    assert consent is not None  # called for a consented plan only
    for index, entry in plan.items("distribution"):
        if entry.get("role") not in COPY_ROLES or entry.get("copy_given") is not True:
            continue
        given = parse_iso(entry.get("given_on"))
        if given is None:
            continue
        days = (given - consent).days
        if days > limit:
            whose = "member's" if entry["role"] == "member" else "representative's"
            yield Hit(plan, ("distribution", index, "given_on"),
                      f"the {whose} copy was given on {given.isoformat()}, {plural(days, 'day')} after consent "
                      f"({consent.isoformat()}, {where}); copies are due within {plural(limit, 'day')}",
                      due=plus_days(consent, limit))


# ---------------------------------------------------------------- T208
@rule("T208", "reassessment-due", "error", source="42 CFR 441.301(c)(3)", settings=("reassessment_interval_months",))
def reassessment_due(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The latest assessment of an open case is at most 12 months (configurable) old.

    Why it matters: the plan must be revised at least every 12 months and
    when the person's circumstances or needs change, and a revision is only as
    good as the assessment under it. A year-old assessment no longer shows
    what the member needs, what they are good at, or what puts them at risk.

    How to fix: hold a reassessment with the member (`type: annual`) and
    base the next plan on it. The interval is `reassessment_interval_months`
    in pcplan.toml. Only assessments of the current episode count (after a
    re-enrollment, the new episode's first assessment is T210's business).
    Closed cases are not checked; a member with no assessment at all is
    reported by T210.

    Example:
        # today 2026-11-22
        kind: assessment
        date: 2025-10-01     # wrong: reassessment was due by 2026-10-01
        # right: add assessment-2026-09-24.yaml
        kind: assessment
        date: 2026-09-24
        type: annual
    """
    life = ctx.lifecycle
    if life.closed:
        return
    dated = [(a.date, position) for position, a in enumerate(case.assessments)
             if a.date is not None and life.in_current_episode(a)]  # an earlier episode's are T210's business
    latest = _latest(dated)
    if latest is None:
        return
    assessment = case.assessments[latest[1]]
    months = ctx.settings.reassessment_interval_months
    due = plus_months(latest[0], months)
    if due is not None and due < ctx.today:  # None: due past the calendar's end, never
        name = named("assessment", assessment.id) if assessment.id else "the latest assessment"
        yield Hit(assessment, ("date",),
                  f"{name}, dated {latest[0].isoformat()}, is the latest and more than {plural(months, 'month')} old; "
                  f"a reassessment was due by {due.isoformat()}; reassess with the member", due=due)


def _section(doc: Document, *keys: str) -> tuple[tuple, str]:
    """Where to report something missing under ``keys``: the deepest key present, else the root."""
    present: tuple = ()
    node = doc.data
    for key in keys:
        if isinstance(node, dict) and key in node:
            present += (key,)
            node = node[key]
        else:
            break
    return (present, "key") if present else ((), "value")


# ---------------------------------------------------------------- T209
@rule("T209", "monitoring-undefined", "error", source="42 CFR 441.301(c)(2); CMHPSM 13.003")
def monitoring_undefined(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan names who monitors it (`case_manager` or a staff id), how often it is reviewed, and at least one
    contact frequency.

    Why it matters: the federal rule asks that the plan name the person
    responsible for monitoring it, and policy asks for contacts and periodic
    reviews at the frequency the plan agrees. A plan that leaves these out
    cannot be followed up: nobody is named to notice when a support stops
    coming, and no date tells anyone when to look again.

    How to fix: fill in `monitoring`: `responsible` (`case_manager`, the
    recommended form, meaning whoever is the member's case manager that day,
    so a transfer needs no new plan; or the staff id of who monitors it),
    `review_every` (for example `6 months`) and at least one entry under
    `contacts` (`type` and `every`). Each missing element is its own finding.
    Drafts are checked too, so a revision is complete before it is signed. A
    named staff id who is no longer the member's case manager is A608's
    finding, one who has left the agency A609's.

    Example:
        # wrong: nobody named, no contact frequency
        monitoring:
          review_every: 6 months
        # right
        monitoring:
          responsible: case_manager    # whoever is assigned; or a staff id such as cm-jlee
          contacts:
            - {type: face_to_face, every: 3 months}
          review_every: 6 months
    """
    for plan in ctx.lifecycle.plans_to_check():
        monitoring = plan.get("monitoring")
        monitoring = monitoring if isinstance(monitoring, dict) else {}
        if not isinstance(monitoring.get("responsible"), str) or not monitoring["responsible"].strip():
            where, at = _section(plan, "monitoring", "responsible")
            yield Hit(plan, where, "the plan does not name who monitors it; add `monitoring.responsible: "
                      "case_manager` (whoever is assigned) or a staff id", at=at)
        if monitoring.get("review_every") is None:
            where, at = _section(plan, "monitoring")
            yield Hit(plan, where, "the plan does not say how often it is reviewed; add "
                      "`monitoring.review_every` (for example `6 months`)", at=at)
        contacts = monitoring.get("contacts")
        if not isinstance(contacts, list) or not contacts:
            where, at = _section(plan, "monitoring", "contacts")
            yield Hit(plan, where, "the plan agrees no contact frequency; add at least one entry under "
                      "`monitoring.contacts` (`type` and `every`)", at=at)


# ---------------------------------------------------------------- T210
@rule("T210", "assessment-missing", "error", source="CMHPSM 13.003 (determination of need at intake); ISED",
      settings=("assessment_due_days", "plan_due_days"))
def assessment_missing(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Once `assessment_due_days` have passed since the current episode's enrollment, the episode has an assessment.

    Why it matters: need is determined at intake, and everything after it
    (goals, supports, risks) answers the assessment. A member enrolled weeks
    ago with no assessment on record is receiving services nobody has shown
    they need, or waiting for services nobody has started to plan.

    How to fix: assess the member with them (`pcplan new assessment`), dated
    when it was done. The deadline is `assessment_due_days` in pcplan.toml
    (30 by default, a placeholder for your state's intake deadline), counted
    from the enrollment that opened the current episode (the latest
    `programs[].enrolled_on` after any closure). The rule judges today's
    state: a record that begins mid-history (a migrated case) is not faulted
    for an old assessment it does not hold, only for having none.

    Example:
        # member.yaml, today 2026-11-22
        programs:
          - program: HCBS-EBD
            enrolled_on: 2026-09-01     # wrong: 82 days, and no assessment in the folder
        # right: add assessment-2026-09-20.yaml
        kind: assessment
        date: 2026-09-20
        type: initial
    """
    life = ctx.lifecycle
    deadline, _ = life.intake_deadlines(ctx.settings.assessment_due_days, ctx.settings.plan_due_days)
    if deadline is None or ctx.today <= deadline:
        return
    episode = life.current_episode
    enrolled, where = episode.enrolled_on, episode.enrollment_path
    assert enrolled is not None and where is not None  # a deadline is counted from a recorded enrollment only
    yield Hit(case.member, where, f"the member was enrolled on {enrolled.isoformat()} and no assessment of "
              f"this episode is on record; one was due by {deadline.isoformat()} "
              f"({plural(ctx.settings.assessment_due_days, 'day')} after enrollment); assess the member and record it",
              due=deadline)


# ---------------------------------------------------------------- T211
@rule("T211", "no-plan-in-effect", "error", source="42 CFR 441.301(c)(3); CMHPSM 13.003",
      settings=("assessment_due_days", "plan_due_days"))
def no_plan_in_effect(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Once `plan_due_days` have passed since the current episode's enrollment, an open case has a consented plan in
    effect today.

    Why it matters: services are delivered under a person-centered plan the
    member agreed to. A member with only an unsigned draft, or whose plan's
    effective period has ended, is receiving services under no plan at all:
    nothing they consented to says what help they get, from whom, how often.

    How to fix: finish the plan with the member and record their signature
    (or a legal representative's, or their agreement recorded with
    `declined_to_sign`; a refusal is not consent); when the plan's
    `effective.end` has passed, write the next plan (`pcplan new plan
    --from-previous`) and have it signed. The deadline is `plan_due_days` in
    pcplan.toml (60 by default, a placeholder for your state's deadline),
    counted from the enrollment that opened the current episode. A plan is in
    effect from the later of its consent and `effective.start` until
    `effective.end`.

    Example:
        # enrolled 2026-08-03, today 2026-11-22
        # plan-2026-09-03.yaml: signatures: []          # wrong: a draft is not in effect
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}   # right
    """
    life = ctx.lifecycle
    _, deadline = life.intake_deadlines(ctx.settings.assessment_due_days, ctx.settings.plan_due_days)
    if deadline is None or ctx.today <= deadline:
        return
    episode = life.current_episode
    enrolled, where = episode.enrolled_on, episode.enrollment_path
    assert enrolled is not None and where is not None  # a deadline is counted from a recorded enrollment only
    governing = life.governing
    drafts = life.drafts()
    if governing is not None and governing.end is not None and governing.end < ctx.today:
        ended = governing.end
        yield Hit(governing.plan, ("effective", "end"),
                  f"{governing.label} ended on {ended.isoformat()} (`effective.end`) and no consented plan "
                  "has replaced it, so the member has no plan in effect; write the next plan with the member "
                  "and record their consent", due=max(deadline, plus_days(ended, 1) or ended))
    elif drafts:
        draft = drafts[-1]
        place, at = _section(draft.plan, "signatures")
        yield Hit(draft.plan, place, f"the member has no consented plan in effect: {draft.label} has no "
                  "signature of the member or a legal representative (a refusal is not consent); a plan "
                  f"was due in effect by {deadline.isoformat()} ({plural(ctx.settings.plan_due_days, 'day')} after "
                  f"enrollment on {enrolled.isoformat()})", at=at, due=deadline)
    elif governing is not None:
        start = governing.effective_from
        yield Hit(governing.plan, ("effective", "start") if get_in(governing.plan.data, "effective", "start")
                  else ("date",), f"{governing.label} takes effect on {start.isoformat() if start else '?'}, "
                  f"so no plan is in effect today; one was due by {deadline.isoformat()}", due=deadline)
    else:
        yield Hit(case.member, where, f"the member was enrolled on {enrolled.isoformat()} and has no plan; a "
                  f"consented plan was due in effect by {deadline.isoformat()} "
                  f"({plural(ctx.settings.plan_due_days, 'day')} after enrollment); plan with the member",
                  due=deadline)


# ---------------------------------------------------------------- T212
@rule("T212", "change-not-reviewed", "error", source="42 CFR 441.301(c)(3)", settings=("change_review_days",))
def change_not_reviewed(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A significant change (a change-in-condition or member-request assessment, or the end of an institutional hold)
    is followed by a review or a consented revision within `change_review_days`.

    Why it matters: the federal rule asks that the plan be revised when the
    person's circumstances or needs change significantly, or at their
    request. An assessment that records the change, with no review or revision
    after it, leaves the member living under a plan everyone knows no longer
    fits. Coming home from a hospital, a nursing facility or jail is such a
    change: the supports that fit before the stay rarely fit after it, and
    the weeks after a discharge are when a member is most likely to go back.

    How to fix: within `change_review_days` (30 by default) of the
    assessment, or of the discharge (the `end` of a hold of `kind` hospital,
    nursing_facility or incarceration, once that day has come), review the
    plan with the member and record it under the plan in effect's `reviews`
    (dated on or after the change), or write a revision and have it
    consented. Only changes dated after the consent of the plan then in
    effect count as a change to it. A hold without a `kind`, or of another
    kind (travel, member_request, other), is not a discharge. A change found
    late is reported at the assessment's `type`, or at the hold's `end`.

    Example:
        # assessment-2026-10-01.yaml
        type: change_in_condition      # after a fall; today 2026-11-22
        # member.yaml: home from the hospital
        holds:
          - {start: 2026-09-14, end: 2026-10-12, kind: hospital, reason: Pneumonia.}
        # wrong: no review or revision since; right: in the plan in effect
        reviews:
          - {date: 2026-10-20, by: cm-jlee, outcome: revise}
    """
    life = ctx.lifecycle
    if life.closed:
        return
    limit = ctx.settings.change_review_days
    for change in life.significant_changes(limit):
        deadline, first, changed = change.deadline, change.answered_on, change.changed_on
        doc: Document | None
        where: tuple
        if change.hold is not None:
            kind = change.hold.kind.replace("_", " ") if change.hold.kind else "institutional"
            doc, where = case.member, ("holds", change.hold.index, "end")
            name, what = f"hold {change.hold.index + 1}", f"a discharge (the end of a {kind} stay)"
        else:
            assessment = change.assessment
            assert assessment is not None  # a change that is no discharge is an assessment
            doc, where = assessment, ("type",)
            what = "a change in condition" if assessment.get("type") == "change_in_condition" \
                else "the member's request"
            name = f"assessment {assessment.id}" if shown_id(assessment.id) != "(not an id)" else "this assessment"
        if first is None and ctx.today > deadline:
            yield Hit(doc, where, f"{name} ({changed.isoformat()}) records {what}, and the plan has "
                      f"not been reviewed or revised since; a review or consented revision was due by "
                      f"{deadline.isoformat()} ({plural(limit, 'day')})", due=deadline)
        elif first is not None and first > deadline:
            yield Hit(doc, where, f"{name} ({changed.isoformat()}) records {what}; the plan was "
                      f"reviewed or revised only on {first.isoformat()}, after {deadline.isoformat()} "
                      f"({plural(limit, 'day')})", due=deadline)


# ---------------------------------------------------------------- T213
@rule("T213", "plan-unsigned", "warning", source="42 CFR 441.301(c)(2); Weld County CMA 8.7201.K",
      settings=("signature_due_days",))
def plan_unsigned(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A plan dated more than `signature_due_days` ago has the consent of the member or their legal representative.

    Why it matters: a plan becomes the member's plan when they agree to it.
    A draft that stays unsigned for weeks never takes effect: the plan in
    effect stays the old one, and the changes the member asked for do not
    happen.

    How to fix: meet with the member (and legal representative) to go over
    the draft (`pcplan render` prints it for signature, with signature lines
    and the plan's fingerprint) and record their signature, or their refusal
    to sign with `refused: true`, `refusal_reason` and `refused_on`. If the
    draft was abandoned, delete it or mark the revision as never consented by
    removing the file. The limit is `signature_due_days` (30 by default).
    Until then a draft waits: signatures and copies (C301–C304, C310, T207)
    are not judged before consent, and T213 alone says a draft has waited
    too long. A refusal (`refused: true`) is recorded but is not consent: a
    refused plan stays a draft, the previous plan stays in effect, and once
    the limit has passed T213 says who refused and when, so the plan is
    revised with the member or the draft is removed.

    Example:
        # plan-2026-10-01.yaml, today 2026-11-22: 52 days unsigned
        signatures:
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-10-01}
        # right: the member's signature
          - {role: member, name: Elena, signed_on: 2026-10-08, method: wet}
    """
    life = ctx.lifecycle
    if life.closed:
        return
    limit = ctx.settings.signature_due_days
    for draft in life.drafts():
        dated = draft.plan.date
        if dated is None:
            continue
        deadline = plus_days(dated, limit)  # None: past the calendar's end, never late
        if deadline is not None and ctx.today > deadline:
            place, at = _section(draft.plan, "signatures")
            if draft.refused:
                assert draft.refusal_path is not None  # a refused draft has its refusal's place
                stays = "the previous plan stays in effect" if life.in_effect() is not None else \
                    "no plan is in effect"
                yield Hit(draft.plan, draft.refusal_path, f"{draft.label}, dated {dated.isoformat()}, was "
                          f"{refusal_text(draft, case.member)} and has no consent "
                          f"{plural((ctx.today - dated).days, 'day')} later (at most {limit}); a refusal is not "
                          f"consent, so it stays a draft and {stays}: "
                          "revise the plan with the member, or remove the draft", due=deadline)
                continue
            yield Hit(draft.plan, place, f"{draft.label}, dated {dated.isoformat()}, has been awaiting the "
                      "signature of the member or a legal representative for "
                      f"{plural((ctx.today - dated).days, 'day')} (at most {limit}); until it is signed the older "
                      "plan stays in effect", at=at,
                      due=deadline)


# ---------------------------------------------------------------- T214
@rule("T214", "hold-unmonitored", "warning", source="42 CFR 441.301(c)(3); CMHPSM 13.003",
      settings=("hold_contact_days", "max_hold_days", "history_months"))
def hold_unmonitored(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """While a hold is open, some contact (collateral counts) at least every `hold_contact_days`; a hold open longer
    than `max_hold_days` is ended, reviewed or closed.

    Why it matters: a hold pauses the contacts the plan agrees, not the case
    manager's responsibility for the member. A member in a hospital, a
    nursing facility or jail, or away for months, is exactly the member who
    can be lost: the discharge nobody planned, the supports that lapse, the
    person who never comes back into services. A hold is not a way to lose
    someone: somebody keeps in touch, and after a while somebody decides
    whether the plan still fits, the hold ends, or the case closes.

    How to fix: while the hold lasts, keep in contact at least every
    `hold_contact_days` (30 by default), counted from the hold's start and
    from each contact: with the member in any channel, or with someone on
    their behalf (family, the hospital's discharge planner, a facility's
    social worker: `contact: collateral`), each recorded in a note with what
    happened (a note without a narrative counts as no contact). A hold open
    longer than `max_hold_days` (90 by default), counted from its start or
    from the latest review of the plan (or consent of a revision) since, is
    ended (`end:` on the hold, the day it ended), reviewed with the member
    (a review under the plan in effect), or the case is closed. A hold is
    open from its `start` until its `end` (a planned end still ahead leaves it
    open). A gap that a contact closed late, or that ran to the hold's end,
    stays as history for `history_months`; holds of an earlier episode and
    closed cases are not checked.

    Example:
        # member.yaml, today 2026-11-22
        holds:
          - {start: 2026-09-14, kind: hospital, reason: Pneumonia, then rehab., recorded_by: cm-obello}
        # wrong: the last note is of 2026-10-21; a contact was due by 2026-11-20
        # right: notes/2026-11-18.yaml
        kind: note
        contact: collateral
        with: [Daniel Whitaker (son)]
        text: Hal is walking with a walker; discharge planned for early December.
    """
    life = ctx.lifecycle
    if life.closed or case.member is None:
        return
    today, every, longest = ctx.today, ctx.settings.hold_contact_days, ctx.settings.max_hold_days
    oldest = plus_months(today, -ctx.settings.history_months) or date.min
    episode = life.current_episode
    contacts = sorted({(note.date, note.display_path): note for note in case.notes
                       if note.date is not None and note.date <= today and episode.holds(note.date)
                       and isinstance(note.get("contact"), str) and note.get("contact") in CONTACT_RANK
                       and records_contact(note)}.items())
    for hold in life.holds_of_current_episode():
        where = ("holds", hold.index)
        open_now = hold.open_on(today)
        last = today if open_now else hold.end
        assert last is not None  # a hold begun by today and not open now has ended
        since, since_note = hold.start, None
        for (day, _), note in contacts:
            if not hold.start <= day <= last:
                continue
            due = plus_days(since, every)
            if due is not None and day > due:
                yield from _hold_gap(case.member, hold, where, since, since_note, due, every, oldest, day, note)
            since, since_note = day, note
        due = plus_days(since, every)
        if due is not None and due < last:
            yield from _hold_gap(case.member, hold, where, since, since_note, due, every, oldest,
                                 last if open_now else None, None, still_open=open_now)
        if not open_now:
            continue
        decided = [day for record in life.plans if record.episode is episode
                   for day, _ in life.reviews_held(record) if hold.start <= day <= today]
        decided += [r.consent_on for r in life.plans if r.episode is episode and r.consent_on is not None
                    and hold.start <= r.consent_on <= today]
        base = max([hold.start, *decided])
        deadline = plus_days(base, longest)
        if deadline is not None and today > deadline:
            counted = "since its start" if base == hold.start else f"since the review of {base.isoformat()}"
            yield Hit(case.member, where + ("start",),
                      f"hold {hold.index + 1} has been open since {hold.start.isoformat()}, "
                      f"{plural((today - base).days, 'day')} {counted} (at most {longest}); end it (`end:`), "
                      "review the plan with the member, or close the case", due=deadline)


def _hold_gap(member: Document, hold: Hold, where: tuple, since: date, since_note: Document | None, due: date,
              every: int, oldest: date, came: date | None, note: Document | None,
              still_open: bool = False) -> Iterator[Hit]:
    """A stretch of a hold longer than `hold_contact_days` without a contact (T214): closed by a late contact
    (``note``), still running (``still_open``), or run to the hold's end. Each due date it missed is an
    occurrence; those more than `history_months` old (before ``oldest``) are history no longer judged, and a
    gap with none left is not reported (as T205 does)."""
    after = f"the contact of {since.isoformat()}" if since_note is not None else \
        f"the start of hold {hold.index + 1} ({since.isoformat()})"
    last = came or hold.end
    assert last is not None  # no ``came`` only for a gap run to the hold's end
    skipped = max(0, -(-(oldest - due).days // every))  # due dates before ``oldest``, skipped in one step
    occurrences, step = [], plus_days(due, skipped * every)
    while step is not None and step < last:
        occurrences.append(step)
        step = plus_days(step, every)
    if not occurrences:
        return
    first = occurrences[0]
    if note is not None:
        assert came is not None  # the late contact's day
        yield Hit(member, where, f"no contact while on hold from {after} until {came.isoformat()}; one "
                  f"was due by {due.isoformat()} (every {plural(every, 'day')} while a hold is open); a closed gap, "
                  "kept as history", due=first, occurrences=tuple(occurrences),
                  related=((note, ("date",), f"the late contact, on {came.isoformat()}"),))
    elif still_open:
        yield Hit(member, where, f"no contact since {after} while the member is on hold; one was due by "
                  f"{due.isoformat()} (every {plural(every, 'day')} while a hold is open, collateral contacts count); "
                  "contact the member or someone on their behalf and record it in a note",
                  due=first, occurrences=tuple(occurrences))
    else:
        assert hold.end is not None  # neither closed by a contact nor still open: the hold ended
        yield Hit(member, where, f"no contact from {after} to the end of hold {hold.index + 1} "
                  f"({hold.end.isoformat()}); one was due by {due.isoformat()} (every {plural(every, 'day')} "
                  "while a hold is open); a closed gap, kept as history", due=first, occurrences=tuple(occurrences))
