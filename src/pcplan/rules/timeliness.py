"""T-rules: things happen on time and in order: reviews, reassessments, contacts, copies.

Every date is measured from ``ctx.today`` (``--today``, ``PCPLAN_TODAY``, or the
real date), never read from the clock here, so a CI run is reproducible.
Month arithmetic is calendar arithmetic: a month from January 31 is the last
day of February. Which plan is in effect, and what a draft is, come from
``pcplan.lifecycle``: rules about what is *due* (T201, T204, T205, T207, T208)
follow the plan in effect, never a draft, and stop when the case is closed;
rules about what a plan *says* (T202, T203, T206) check the plan in effect
and any newer draft.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from ..dates import add_period, frequency_text, parse_frequency, parse_iso, plus_days, plus_months
from ..findings import Hit
from ..lifecycle import lifecycle
from ..model import get_in, is_active_goal, items, label, named, plan_name, shown_name
from .registry import rule

COPY_ROLES = ("member", "representative")


# ---------------------------------------------------------------- helpers



def _date_at(data, *keys) -> date | None:
    return parse_iso(get_in(data, *keys))


_freq_text = frequency_text  # "3 months"; a count of absurd size by its size, never its thousands of digits


def _plan_label(plan) -> str:
    return plan_name(plan)



def _latest(dated: list[tuple[date, int]]) -> tuple[date, int] | None:
    """The latest (date, index); on a tie, the later entry."""
    return max(dated, key=lambda pair: (pair[0], pair[1])) if dated else None


# ---------------------------------------------------------------- T201

@rule("T201", "review-overdue", "error", source="42 CFR 441.301(c)(3); CMHPSM 13.003")
def review_overdue(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
    record = life.in_effect()
    if record is None or life.closed:
        return
    schedule = life.review_schedule(record, ctx.settings.review_interval_months)
    if schedule is not None and ctx.today > schedule.due:
        how = (", the agency's review interval, as `monitoring.review_every` is missing or unreadable"
               if schedule.default_frequency else "")
        yield Hit(record.plan, schedule.data_path, f"the next review was due on {schedule.due.isoformat()} ({schedule.since} "
                  f"{schedule.base.isoformat()} + {_freq_text(schedule.frequency)}{how}); hold the review "
                  "with the member and record it under `reviews`", due=schedule.due)


# ---------------------------------------------------------------- T202

_NO_DATE = date(2001, 1, 1)  # a reference day for comparing a frequency when the plan date is unreadable


@rule("T202", "review-interval-too-long", "error", source="42 CFR 441.301(c)(3)")
def review_interval_too_long(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
        frequency = parse_frequency(get_in(plan.data, "monitoring", "review_every"))
        if frequency is not None:
            base = plan.date or _NO_DATE
            reach, allowed = add_period(base, frequency), plus_months(base, limit)
            if reach is None or allowed is None:  # past the calendar's end from the plan's date: compare from
                reach, allowed = add_period(_NO_DATE, frequency), plus_months(_NO_DATE, limit)  # a day inside it
            if allowed is not None and (reach is None or reach > allowed):
                yield Hit(plan, ("monitoring", "review_every"),
                          f"`monitoring.review_every` is {_freq_text(frequency)}, longer than the "
                          f"{limit} months allowed between reviews; review at least every {limit} months")
        start = _date_at(plan.data, "effective", "start")
        end = _date_at(plan.data, "effective", "end")
        latest = plus_months(start, limit) if start is not None else None  # None: past the calendar's end
        if latest is not None and end is not None and latest < end:
            yield Hit(plan, ("effective", "end"),
                      f"the effective period {start.isoformat()} to {end.isoformat()} is longer than "
                      f"{limit} months; end it on {latest.isoformat()} at the latest and review the plan "
                      "before then")


# ---------------------------------------------------------------- T203

@rule("T203", "assessment-stale", "warning", source="CMSA standards of practice")
def assessment_stale(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
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
                      f"{named('assessment', assessment.id)} is dated {assessment.date.isoformat()}, {age} days before "
                      f"this plan (at most {limit}); reassess with the member before planning, or base the "
                      "plan on a newer assessment")


# ---------------------------------------------------------------- T204

@rule("T204", "target-date-passed", "warning", source="ISED")
def target_date_passed(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
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

@rule("T205", "contact-frequency-missed", "error", source="CMHPSM 13.003")
def contact_frequency_missed(case, ctx) -> Iterator[Hit]:
    """Notes show contacts of each type at least as often as the plan's `monitoring.contacts` agree, with the member taking part (collateral: with others on their behalf).

    Why it matters: policy asks the case manager to provide face-to-face and
    collateral contacts at the frequency agreed in the person-centered plan.
    A missed visit is a month in which nobody saw whether the supports were
    arriving or whether the member's situation had changed.

    How to fix: record each contact as a note (`contact:` face_to_face, video,
    phone, collateral or written) and say who took part under `with`. A
    requirement of a contact with the member (face_to_face, video, phone,
    written) is met only by a contact the member took part in: `with` names
    them by their legal or preferred name as member.yaml spells it (case and
    spacing aside, a role in brackets allowed: `Elena (member)`) or says
    `member`; a contact of a higher rank counts for a lower one (face_to_face >
    video > phone > written). A contact with others only (a guardian, family,
    a provider, a school), in any channel, is a collateral contact: it meets a
    `collateral` requirement and never a member-contact one. A contact with
    the member alone never meets a collateral requirement; a contact with the
    member and others meets both. An interpreter (`Hodan Ali (interpreter)`)
    is neither the member nor a collateral contact; a `contact: collateral`
    note without `with` counts as collateral. A finding names, by date, the
    contacts of the gap that did not count because of who took part. The
    clock starts when a consented plan asking for the contact takes effect: the
    first contact is due by then plus `every`, each next one by the previous
    contact plus `every` (calendar months: a month after January 31 is the
    end of February); a contact on the due date is on time. Schedules carry
    across revisions: a revision changes the frequency from its start (due
    from the last contact, but not before its start) and never forgives a
    contact already missed; an unsigned draft changes nothing. Days on a
    recorded hold (member.yaml `holds`) do not count, and nothing is due
    while a hold is open. A late contact is reported at its note, naming the
    plan it was due under; a gap still open at the plan in effect's
    `monitoring.contacts` entry (up to today, or the closure date of a closed
    case); a gap that ended when a revision stopped asking for the contact at
    the older plan's entry. Misses due more than `history_months` (12) ago
    are no longer reported; a documented exception with a period covers an
    older one. A member marked closed without a readable closure date is
    checked only between recorded contacts. If the agreed frequency no longer
    fits, change it with the member in a plan revision.

    Example:
        # plan dated 2026-09-03
        monitoring:
          contacts:
            - {type: phone, every: 1 month}
            - {type: collateral, every: 3 months}
        # wrong: phone notes on 2026-10-01 and 2026-11-20 (the second was due by 2026-11-01)
        # wrong: a call with her sister only meets the collateral contact, not the phone one
        contact: phone
        with: [Rosa Ruiz]
        # right: a visit with Elena and her sister meets both
        contact: face_to_face
        with: [Elena, Rosa Ruiz]
    """
    life = lifecycle(case, ctx.today)
    misses, _ = life.contact_schedule()
    oldest = plus_months(ctx.today, -ctx.settings.history_months)  # None: before the calendar, all is history
    for miss in misses:
        if oldest is not None and miss.due < oldest:
            continue  # older than `history_months`: history no longer judged
        every, due, under = _freq_text(miss.every), miss.due.isoformat(), miss.under.label
        since = (f"the last {miss.since_contact} contact on {miss.since.isoformat()}" if miss.since_contact
                 else f"{under} took effect on {miss.since.isoformat()}")
        absent = _not_counted(miss)
        if miss.late_note is not None:
            yield Hit(miss.late_note, ("date",),
                      f"this contact came {miss.gap_end.isoformat()}, after the {miss.kind} contact due by {due} "
                      f"under {under} (every {every} since {since}, as the plan's monitoring agrees){absent}",
                      due=miss.due)
        elif miss.current is not None:
            gap_to = "today" if miss.gap_end == ctx.today else "the closure"
            yield Hit(miss.current.plan, ("monitoring", "contacts", miss.current_requirement),
                      f"no {miss.kind} contact since {since}; one was due by {due} under {under} (every {every}) "
                      f"and none is recorded up to {gap_to} ({miss.gap_end.isoformat()}){absent}; make the "
                      "contact and record it in a note", due=miss.due)
        else:
            yield Hit(miss.under.plan, ("monitoring", "contacts", miss.requirement),
                      f"no {miss.kind} contact since {since}; one was due by {due} under {under} (every {every}) "
                      f"and none was recorded before that plan stopped asking for it "
                      f"({miss.gap_end.isoformat()}){absent}", due=miss.due)


def _not_counted(miss) -> str:
    """Why contacts of the gap did not count: who took part in them (dates only, never names)."""
    days = miss.not_counted
    if not days:
        return ""
    shown = ", ".join(day.isoformat() for day in days[:3]) + (f" and {len(days) - 3} more" if len(days) > 3 else "")
    one = len(days) == 1
    why = ("`with` names no one but the member (an interpreter aside), and a collateral contact is with "
           "someone else on the member's behalf") if miss.kind == "collateral" else ("`with` does not name the member, and a contact with "
                                                        "others only is collateral")
    return f"; the contact{'' if one else 's'} on {shown} {'does' if one else 'do'} not count: {why}"


# ---------------------------------------------------------------- T206

# Fields that record something that has already happened. Planned dates are
# legitimately in the future and are not listed: a case-manager assignment's
# `from` and `to` (a planned transfer), `effective.start` and `.end`, goal and
# objective target dates, support `start` and `end`, a modification's
# `review_by`, an exception's `from` and `until`, a program's `ended_on`, holds.
_EVENT_FIELDS = {
    "assessment": (("date",),),
    "plan": (("signatures", "*", "signed_on"), ("signatures", "*", "refused_on"),
             ("distribution", "*", "given_on"), ("reviews", "*", "date"),
             ("rights_modifications", "*", "consent", "on"), ("exceptions", "*", "on")),
    "note": (("date",),),
    "closure": (("date",), ("exit_interview", "held_on"), ("referrals", "*", "on")),
    "member": (("birth_date",), ("rights_explained_on",), ("choice_of_case_manager_offered_on",),
               ("programs", "*", "enrolled_on"), ("programs", "*", "eligibility", "determined_on")),
}
# A plan's own date and its meeting's: a record once anyone has signed (or refused to sign) the plan;
# before that, the meeting may be one still to come, with the draft prepared for it.
_PLAN_MADE = (("date",), ("meeting", "date"))


def _dates_at(data, pattern: tuple) -> Iterator[tuple[tuple, date]]:
    """(data path, date) for each readable date matching ``pattern`` (``"*"``: every list item)."""
    if not pattern:
        day = parse_iso(data)
        if day is not None:
            yield (), day
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                for path, day in _dates_at(item, rest):
                    yield (index, *path), day
    elif isinstance(data, dict) and step in data:
        for path, day in _dates_at(data[step], rest):
            yield (step, *path), day


def _field(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return f"`{out}`"


@rule("T206", "chronology", "error", source="ISED")
def chronology(case, ctx) -> Iterator[Hit]:
    """Dates are in order (assessment ≤ meeting ≤ signatures ≤ copies given); no note or plan before enrollment; nothing recorded as done after today.

    Why it matters: the case record is a chronological account of what
    happened: eligibility, enrollment, assessment, plan, services, progress.
    A plan signed before the meeting that made it, a note from before the
    member was enrolled, or a visit dated next week cannot all be true, and a
    record that contradicts itself cannot show that the member took part in
    each step.

    How to fix: correct the date that is wrong (often a typo in the year or
    month). For each plan checked: the assessment's `date` ≤ `meeting.date` ≤
    every `signatures[].signed_on` ≤ every `distribution[].given_on`; the
    finding is at the later date, and names the earlier one. No note or plan
    is dated before the member's earliest `programs[].enrolled_on`, and no
    review is dated before its own plan's `date` (it belongs to an older
    plan and does not count for this one). A record of something that
    happened is never dated after today: an assessment, a note, a
    signature or refusal, a copy given, a review, a modification's consent,
    a documented exception, a closure, its exit interview and referrals, and
    the member's birth, rights, choice, eligibility and enrollment dates; a
    plan's `date` and `meeting.date` too, once anyone has signed it (a draft
    may be prepared for a meeting still to come). Planned dates are not
    records and may be in the future: a case-manager assignment's `from`
    (a planned transfer) and `to`, `effective.start` and `.end`, target
    dates, a support's `start` and `end`, a modification's `review_by`, an
    exception's `from` and `until`, holds.

    Example:
        meeting:
          date: 2026-09-03
        signatures:
          - {role: member, signed_on: 2026-08-30}   # wrong: before the meeting
          - {role: member, signed_on: 2026-09-03}   # right
        # member.yaml, today 2026-11-22
        case_managers:
          - {staff: cm-obello, from: 2027-01-01}    # right: a planned transfer is no record yet
    """
    life = lifecycle(case, ctx.today)
    for plan in life.plans_to_check():
        yield from _plan_order(case, plan)
        for day, index in life.stray_reviews(life.record(plan)):
            yield Hit(plan, ("reviews", index, "date"), f"this review is dated {day.isoformat()}, before this "
                      f"plan's own date ({plan.date.isoformat()}); it belongs to an older plan and does not count "
                      "for this one: record it in that plan, or correct the date")
    yield from _before_enrollment(case)
    today = ctx.today
    for doc in case.documents:
        patterns = _EVENT_FIELDS.get(doc.kind, ())
        if doc.kind == "plan" and _signed(doc):
            patterns = _PLAN_MADE + patterns
        for pattern in patterns:
            for path, day in _dates_at(doc.data, pattern):
                if day > today:
                    yield Hit(doc, path, f"{_field(path)} is {day.isoformat()}, after today "
                              f"({today.isoformat()}); an event is recorded when it has happened, "
                              "with the date it happened")


def _signed(plan) -> bool:
    """Whether anyone has signed the plan, or refused to sign it, on a readable date."""
    return any(parse_iso(s.get("signed_on")) or parse_iso(s.get("refused_on")) for _, s in plan.items("signatures"))


def _plan_order(case, plan) -> Iterator[Hit]:
    assessment = case.assessment_for(plan)
    earlier: tuple[date, str] | None = None  # the date the next stage must not precede, and its description
    if assessment is not None and assessment.date is not None:
        earlier = (assessment.date, f"the `date` of {named('assessment', assessment.id)} "
                                    f"({shown_name(assessment.path.name)})")
    meeting = _date_at(plan.data, "meeting", "date")
    if meeting is not None:
        if earlier is not None and meeting < earlier[0]:
            yield Hit(plan, ("meeting", "date"), f"`meeting.date` {meeting.isoformat()} is before "
                      f"{earlier[1]}, {earlier[0].isoformat()}; the plan is made after the assessment")
        earlier = (meeting, "`meeting.date`")
    signed = [(day, index) for index, s in plan.items("signatures")
              if (day := parse_iso(s.get("signed_on"))) is not None]
    for day, index in signed:
        if earlier is not None and day < earlier[0]:
            yield Hit(plan, ("signatures", index, "signed_on"),
                      f"this signature is dated {day.isoformat()}, before {earlier[1]}, "
                      f"{earlier[0].isoformat()}; a plan is signed at or after the "
                      f"{'meeting that made it' if meeting is not None else 'assessment it is based on'}")
    last = _latest(signed)
    if last is not None:
        earlier = (last[0], f"the latest signature (`signatures[{last[1]}].signed_on`)")
    for index, entry in plan.items("distribution"):
        day = parse_iso(entry.get("given_on"))
        if day is not None and earlier is not None and day < earlier[0]:
            yield Hit(plan, ("distribution", index, "given_on"),
                      f"this copy is dated {day.isoformat()}, before {earlier[1]}, {earlier[0].isoformat()}; "
                      "the copy given is the signed plan")


def _before_enrollment(case) -> Iterator[Hit]:
    if case.member is None:
        return
    enrolled = [(day, index) for index, program in case.member.items("programs")
                if (day := parse_iso(program.get("enrolled_on"))) is not None]
    if not enrolled:
        return
    first, index = min(enrolled)
    since = f"the member's enrollment on {first.isoformat()} (`programs[{index}].enrolled_on`)"
    for doc in (*case.plans, *case.notes):
        if doc.date is not None and doc.date < first:
            yield Hit(doc, ("date",), f"this {doc.kind} is dated {doc.date.isoformat()}, before {since}; "
                      "correct the date, or the enrollment date")


# ---------------------------------------------------------------- T207

@rule("T207", "copy-late", "warning", source="Weld County CMA 8.7201.K")
def copy_late(case, ctx) -> Iterator[Hit]:
    """The member's (and representative's) copy was given within 15 days (configurable) of consent: the member's or legal representative's signature, not a provider's late one.

    Why it matters: the member and their legal representative take part in
    and approve the plan and are given a copy of it. A copy that arrives weeks
    after they signed leaves the member without the document that says what
    help to expect, from whom, and when, just as the services start.

    How to fix: give the copy promptly after the member (or legal
    representative) signs, in the member's language and format, and record
    `given_on`. The limit is `copy_deadline_days` in pcplan.toml, counted from
    the plan's consent: the signature of the member or of a legal
    representative named in member.yaml (the guardian's, when one is named),
    or their documented refusal, as C301 defines it. A provider who signs late
    does not move the deadline: the member's copy need not wait for the
    providers. A copy not given at all is C303's finding.

    Example:
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03}
          - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-30}
        distribution:
          - {role: member, copy_given: true, given_on: 2026-10-01}   # wrong: 28 days after consent
          - {role: member, copy_given: true, given_on: 2026-09-12}   # right
    """
    record = lifecycle(case, ctx.today).in_effect()
    if record is None or record.consent_on is None:
        return
    plan, consent = record.plan, record.consent_on
    where = "`" + "".join(f"[{k}]" if isinstance(k, int) else k for k in record.consent_path) + "`" \
        if record.consent_path else "the plan's consent"
    limit = ctx.settings.copy_deadline_days
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
                      f"the {whose} copy was given on {given.isoformat()}, {days} days after consent "
                      f"({consent.isoformat()}, {where}); copies are due within {limit} days",
                      due=plus_days(consent, limit))


# ---------------------------------------------------------------- T208

@rule("T208", "reassessment-due", "error", source="42 CFR 441.301(c)(3)")
def reassessment_due(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
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
                  f"{name}, dated {latest[0].isoformat()}, is the latest and more than {months} months old; "
                  f"a reassessment was due by {due.isoformat()}; reassess with the member", due=due)

