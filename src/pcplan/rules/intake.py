"""T209–T214: the plan's life from intake to consent: monitoring defined, an assessment and a consented
plan in time after enrollment, significant changes (and discharges) followed up, drafts signed, holds
kept in touch with.

Which plan is in effect, what a draft is and which episode is current come
from ``pcplan.lifecycle`` (DESIGN.md, "The life of a case"); these rules only
compare its answers with the agency's deadlines.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from ..dates import CONTACT_RANK, plus_days, plus_months
from ..findings import Hit
from ..lifecycle import lifecycle, records_contact
from ..lifecycle import refusal_text  # T213 tells a refused draft apart
from ..model import get_in, shown_id
from .registry import rule

def _section(doc, *keys: str) -> tuple[tuple, str]:
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
def monitoring_undefined(case, ctx) -> Iterator[Hit]:
    """The plan names who monitors it (`case_manager` or a staff id), how often it is reviewed, and at least one contact frequency.

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
    for plan in lifecycle(case, ctx.today).plans_to_check():
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

@rule("T210", "assessment-missing", "error", source="CMHPSM 13.003 (determination of need at intake); ISED")
def assessment_missing(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
    deadline, _ = life.intake_deadlines(ctx.settings.assessment_due_days, ctx.settings.plan_due_days)
    if deadline is None or ctx.today <= deadline:
        return
    episode = life.current_episode
    enrolled, where = episode.enrolled_on, episode.enrollment_path
    yield Hit(case.member, where, f"the member was enrolled on {enrolled.isoformat()} and no assessment of "
              f"this episode is on record; one was due by {deadline.isoformat()} "
              f"({ctx.settings.assessment_due_days} days after enrollment); assess the member and record it",
              due=deadline)


# ---------------------------------------------------------------- T211

@rule("T211", "no-plan-in-effect", "error", source="42 CFR 441.301(c)(3); CMHPSM 13.003")
def no_plan_in_effect(case, ctx) -> Iterator[Hit]:
    """Once `plan_due_days` have passed since the current episode's enrollment, an open case has a consented plan in effect today.

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
    life = lifecycle(case, ctx.today)
    _, deadline = life.intake_deadlines(ctx.settings.assessment_due_days, ctx.settings.plan_due_days)
    if deadline is None or ctx.today <= deadline:
        return
    episode = life.current_episode
    enrolled, where = episode.enrolled_on, episode.enrollment_path
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
                  f"was due in effect by {deadline.isoformat()} ({ctx.settings.plan_due_days} days after "
                  f"enrollment on {enrolled.isoformat()})", at=at, due=deadline)
    elif governing is not None:
        start = governing.effective_from
        yield Hit(governing.plan, ("effective", "start") if get_in(governing.plan.data, "effective", "start")
                  else ("date",), f"{governing.label} takes effect on {start.isoformat() if start else '?'}, "
                  f"so no plan is in effect today; one was due by {deadline.isoformat()}", due=deadline)
    else:
        yield Hit(case.member, where, f"the member was enrolled on {enrolled.isoformat()} and has no plan; a "
                  f"consented plan was due in effect by {deadline.isoformat()} "
                  f"({ctx.settings.plan_due_days} days after enrollment); plan with the member",
                  due=deadline)


# ---------------------------------------------------------------- T212

@rule("T212", "change-not-reviewed", "error", source="42 CFR 441.301(c)(3)")
def change_not_reviewed(case, ctx) -> Iterator[Hit]:
    """A significant change (a change-in-condition or member-request assessment, or the end of an institutional hold) is followed by a review or a consented revision within `change_review_days`.

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
    life = lifecycle(case, ctx.today)
    if life.closed:
        return
    limit = ctx.settings.change_review_days
    for change in life.significant_changes(limit):
        deadline, first, changed = change.deadline, change.answered_on, change.changed_on
        if change.hold is not None:
            kind = change.hold.kind.replace("_", " ") if change.hold.kind else "institutional"
            doc, where = case.member, ("holds", change.hold.index, "end")
            name, what = f"hold {change.hold.index + 1}", f"a discharge (the end of a {kind} stay)"
        else:
            assessment = change.assessment
            doc, where = assessment, ("type",)
            what = "a change in condition" if assessment.get("type") == "change_in_condition" \
                else "the member's request"
            name = f"assessment {assessment.id}" if shown_id(assessment.id) != "(not an id)" else "this assessment"
        if first is None and ctx.today > deadline:
            yield Hit(doc, where, f"{name} ({changed.isoformat()}) records {what}, and the plan has "
                      f"not been reviewed or revised since; a review or consented revision was due by "
                      f"{deadline.isoformat()} ({limit} days)", due=deadline)
        elif first is not None and first > deadline:
            yield Hit(doc, where, f"{name} ({changed.isoformat()}) records {what}; the plan was "
                      f"reviewed or revised only on {first.isoformat()}, after {deadline.isoformat()} "
                      f"({limit} days)", due=deadline)


# ---------------------------------------------------------------- T213

@rule("T213", "plan-unsigned", "warning", source="42 CFR 441.301(c)(2); Weld County CMA 8.7201.K")
def plan_unsigned(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
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
                stays = "the previous plan stays in effect" if life.in_effect() is not None else \
                    "no plan is in effect"
                yield Hit(draft.plan, draft.refusal_path, f"{draft.label}, dated {dated.isoformat()}, was "
                          f"{refusal_text(draft, case.member)} and has no consent {(ctx.today - dated).days} days "
                          f"later (at most {limit}); a refusal is not consent, so it stays a draft and {stays}: "
                          "revise the plan with the member, or remove the draft", due=deadline)
                continue
            yield Hit(draft.plan, place, f"{draft.label}, dated {dated.isoformat()}, has been awaiting the "
                      f"signature of the member or a legal representative for {(ctx.today - dated).days} days "
                      f"(at most {limit}); until it is signed the older plan stays in effect", at=at,
                      due=deadline)


# ---------------------------------------------------------------- T214

@rule("T214", "hold-unmonitored", "warning", source="42 CFR 441.301(c)(3); CMHPSM 13.003")
def hold_unmonitored(case, ctx) -> Iterator[Hit]:
    """While a hold is open, some contact (collateral counts) at least every `hold_contact_days`; a hold open longer than `max_hold_days` is ended, reviewed or closed.

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
    life = lifecycle(case, ctx.today)
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
                      f"{(today - base).days} days {counted} (at most {longest}); end it (`end:`), review the plan "
                      "with the member, or close the case", due=deadline)


def _hold_gap(member, hold, where: tuple, since: date, since_note, due: date, every: int, oldest: date,
              came: date | None, note, still_open: bool = False) -> Iterator[Hit]:
    """A stretch of a hold longer than `hold_contact_days` without a contact (T214): closed by a late contact
    (``note``), still running (``still_open``), or run to the hold's end. Each due date it missed is an
    occurrence; those more than `history_months` old (before ``oldest``) are history no longer judged, and a
    gap with none left is not reported (as T205 does)."""
    after = f"the contact of {since.isoformat()}" if since_note is not None else \
        f"the start of hold {hold.index + 1} ({since.isoformat()})"
    last = came or hold.end
    skipped = max(0, -(-(oldest - due).days // every))  # due dates before ``oldest``, skipped in one step
    occurrences, step = [], plus_days(due, skipped * every)
    while step is not None and step < last:
        occurrences.append(step)
        step = plus_days(step, every)
    if not occurrences:
        return
    first = occurrences[0]
    if note is not None:
        yield Hit(member, where, f"no contact while on hold from {after} until {came.isoformat()}; one "
                  f"was due by {due.isoformat()} (every {every} days while a hold is open); a closed gap, kept as "
                  "history", due=first, occurrences=tuple(occurrences),
                  related=((note, ("date",), f"the late contact, on {came.isoformat()}"),))
    elif still_open:
        yield Hit(member, where, f"no contact since {after} while the member is on hold; one was due by "
                  f"{due.isoformat()} (every {every} days while a hold is open, collateral contacts count); "
                  "contact the member or someone on their behalf and record it in a note",
                  due=first, occurrences=tuple(occurrences))
    else:
        yield Hit(member, where, f"no contact from {after} to the end of hold {hold.index + 1} "
                  f"({hold.end.isoformat()}); one was due by {due.isoformat()} (every {every} days while a hold "
                  "is open); a closed gap, kept as history", due=first, occurrences=tuple(occurrences))
