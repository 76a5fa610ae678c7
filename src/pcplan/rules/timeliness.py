"""T-rules: things happen on time and in order: reviews, reassessments, contacts, copies.

Every date is measured from ``ctx.today`` (``--today``, ``PCPLAN_TODAY``, or the
real date), never read from the clock here, so a CI run is reproducible.
Month arithmetic is calendar arithmetic: a month from January 31 is the last
day of February. Which plan is in effect, and what a draft is, come from
``pcplan.lifecycle``: rules about what is *due* (T201, T204, T205, T208)
follow the plan in effect, never a draft, and stop when the case is closed;
copies (T207, and T206's copy dates) are judged from each consented plan's
consent, never a draft's; rules about what a plan *says* (T202, T203, T206)
check the plan in effect and any newer draft.
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
    """Notes show contacts of each type at least as often as the plan's `monitoring.contacts` agree, with the member taking part (collateral: with others on their behalf); an open gap is an error, a closed one (the contact came late) a warning.

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
    life = lifecycle(case, ctx.today)
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
    return f", {len(judged)} due date{'s' if len(judged) != 1 else ''} missed{within} (the latest {judged[-1].isoformat()})"


def _empty_notes(miss) -> str:
    """The notes of the gap that would have met the requirement but record nothing (dates only)."""
    days = miss.empty
    if not days:
        return ""
    shown = ", ".join(day.isoformat() for day in days[:3]) + (f" and {len(days) - 3} more" if len(days) > 3 else "")
    one = len(days) == 1
    return (f"; the note{'' if one else 's'} of {shown} record{'s' if one else ''} nothing of what happened "
            f"(N802), so {'it does' if one else 'they do'} not count")


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
    "plan": (("signatures", "*", "signed_on"), ("signatures", "*", "refused_on"), ("signatures", "*", "declined_on"),
             ("distribution", "*", "given_on"), ("reviews", "*", "date"),
             ("rights_modifications", "*", "consent", "on"), ("exceptions", "*", "on"),
             *(("choices", choice, "on") for choice in ("setting", "services", "providers", "self_direction"))),
    "note": (("date",),),
    "closure": (("date",), ("exit_interview", "held_on"), ("referrals", "*", "on"), ("attempts", "*", "on")),
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
    """Dates are in order (assessment ≤ meeting ≤ signatures; copies given on or after consent; every start/end pair); no note or plan before enrollment; nothing recorded as done after today.

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
    a choice offered (`choices`), a documented exception, a closure, its exit interview, referrals and attempts to reach the member, and
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
    life = lifecycle(case, ctx.today)
    for plan in life.plans_to_check():
        yield from _plan_order(case, plan, life.record(plan))
        for day, index in life.stray_reviews(life.record(plan)):
            yield Hit(plan, ("reviews", index, "date"), f"this review is dated {day.isoformat()}, before this "
                      f"plan's own date ({plan.date.isoformat()}); it belongs to an older plan and does not count "
                      "for this one: record it in that plan, or correct the date")
    yield from _before_enrollment(case)
    yield from _start_end_pairs(case)
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
    """Whether anyone has signed the plan, refused to sign it or declined to sign it, on a readable date."""
    return any(parse_iso(s.get("signed_on")) or parse_iso(s.get("refused_on")) or parse_iso(s.get("declined_on"))
               for _, s in plan.items("signatures"))


def _plan_order(case, plan, record) -> Iterator[Hit]:
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
    # a signature, or an agreement recorded without one (`declined_on`), comes at or after the meeting
    signed = [(day, index, key) for index, s in plan.items("signatures") for key in ("signed_on", "declined_on")
              if (day := parse_iso(s.get(key))) is not None]
    for day, index, key in signed:
        if earlier is not None and day < earlier[0]:
            yield Hit(plan, ("signatures", index, key),
                      f"this signature is dated {day.isoformat()}, before {earlier[1]}, "
                      f"{earlier[0].isoformat()}; a plan is signed at or after the "
                      f"{'meeting that made it' if meeting is not None else 'assessment it is based on'}")
    yield from _copies_before_consent(plan, record)


def _consent_where(record) -> str:
    """Where the plan's consent is recorded, for a message: `signatures[0]`."""
    if not record.consent_path:
        return "the plan's consent"
    return "`" + "".join(f"[{k}]" if isinstance(k, int) else k for k in record.consent_path) + "`"


def _copies_before_consent(plan, record) -> Iterator[Hit]:
    """Copies are judged from consent (DESIGN.md, "Copies"): none is given before it. Whoever signs later (a
    provider) does not matter, and a draft's copies wait for its consent."""
    consent = record.consent_on if record is not None else None
    if consent is None:
        return
    for index, entry in plan.items("distribution"):
        day = parse_iso(entry.get("given_on"))
        if day is not None and day < consent:
            yield Hit(plan, ("distribution", index, "given_on"),
                      f"this copy is dated {day.isoformat()}, before the plan's consent ({consent.isoformat()}, "
                      f"{_consent_where(record)}); the copy given is the plan the member or their legal "
                      "representative agreed to: correct the date, or give the consented plan and record that day")


# Every start/end pair of a record (DESIGN.md, "Dates in order"): kind → (list, start key, end key, what it is).
_PAIRS = {
    "plan": ((None, ("effective", "start"), ("effective", "end"), "the plan's effective period"),
             ("supports", ("start",), ("end",), "a support"),
             ("exceptions", ("from",), ("until",), "an exception's period")),
    "member": (("holds", ("start",), ("end",), "a hold"),
               ("case_managers", ("from",), ("to",), "a case-manager assignment"),
               ("representatives", ("authority_from",), ("authority_until",), "a representative's authority"),
               ("programs", ("enrolled_on",), ("ended_on",), "an enrollment")),
}


def _start_end_pairs(case) -> Iterator[Hit]:
    """T206: every start/end pair ends on or after the day it starts; reported at the end, naming the start."""
    for doc in case.documents:
        for listed, start_key, end_key, what in _PAIRS.get(doc.kind, ()):
            entries = [((), doc.data)] if listed is None else [((listed, index), item)
                                                               for index, item in doc.items(listed)]
            for base, item in entries:
                start, end = _date_at(item, *start_key), _date_at(item, *end_key)
                if start is None or end is None or end >= start:
                    continue
                end_path, start_path = base + end_key, base + start_key
                owner = f" of {label(item, 'support')}" if listed == "supports" else ""
                yield Hit(doc, end_path, f"{_field(end_path)}{owner} is {end.isoformat()}, before "
                          f"{_field(start_path)} {start.isoformat()}: {what} ends on or after the day it "
                          "starts; correct the date that is wrong")


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
    """The member's (and legal representatives') copy was given within 15 days (configurable) of consent: the member's or legal representative's signature, not a provider's late one.

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
    life = lifecycle(case, ctx.today)
    limit = ctx.settings.copy_deadline_days
    for plan in life.plans_to_check():
        record = life.record(plan)
        if life.consented(record):
            yield from _late_copies(record, limit)


def _late_copies(record, limit: int) -> Iterator[Hit]:
    """T207 for one consented plan: each member's or representative's copy given more than ``limit`` days
    after its consent."""
    plan, consent, where = record.plan, record.consent_on, _consent_where(record)
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

