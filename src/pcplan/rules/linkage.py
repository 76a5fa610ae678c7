"""L-rules: the plan answers the assessment: needs → goals → supports, risks → mitigations.

They check the plan in effect (and any newer draft) against the assessment it
names; superseded plans are history and are not re-judged. L111 and L112 ask
what each plan item must say: a backup plan for every high risk, measurable
goals; their findings land in the plan, where the fix is made.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from datetime import date
from typing import Any

from ..dates import parse_iso, shown_number
from ..facts.lifecycle import Lifecycle, PlanRecord
from ..findings import Hit
from ..model import (
    Case,
    Document,
    Repository,
    ids,
    is_active_goal,
    items,
    label,
    named,
    plain_id,
    plan_name,
    shown_id,
    shown_name,
    str_list,
    text,
)
from ..placeholders import is_placeholder
from .context import CaseContext
from .registry import rule


def _plans_with_assessment(case: Case, ctx: CaseContext) -> Iterator[tuple[Document, Document]]:
    """(plan, assessment) for each plan to check whose assessment exists."""
    for plan in ctx.lifecycle.plans_to_check():
        assessment = case.assessment_for(plan)
        if assessment is not None:
            yield plan, assessment


def _plain(value: object) -> str:
    """An id as messages show it in running text (``N4``); text typed where an id belongs is not repeated."""
    return plain_id(value)


def _missing_entry(plan: Document, key: str) -> tuple[tuple, str]:
    """Where a plan's finding about an entry it lacks goes: its ``key`` list, else its `assessment:` reference."""
    return (((key,), "key") if key in plan.data else (("assessment",), "value"))


def _assessed(assessment: Document, key: str, index: int, kind: str, item_id: object) -> tuple:
    """The related location of an assessed item: ``need N4 in assessment A1`` (ids only)."""
    return (assessment, (key, index), f"{kind} {_plain(item_id)} in assessment {_plain(assessment.id)}")


@rule("L101", "goal-without-need", "error", source="ISED; 42 CFR 441.301(c)(2)")
def goal_without_need(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every goal cites at least one assessed need (`needs: [N…]`).

    Why it matters: the plan's numbers must correspond to the assessment's, so
    anyone can see which need each goal answers; a goal tied to no need is
    either a need the assessment missed or a goal the member did not ask for.

    How to fix: add the ids of the needs this goal addresses, from the
    assessment the plan is based on. If the need is new, update the assessment
    first.

    Example:
        goals:
          - id: G2
            own_words: I want to work three days a week.
            needs: [N2]        # the assessed need this goal answers
    """
    for plan in ctx.lifecycle.plans_to_check():
        for index, goal in plan.items("goals"):
            if not str_list(goal, "needs"):
                where = ("goals", index, "needs") if "needs" in goal else ("goals", index)
                yield Hit(plan, where, f"{label(goal, 'goal')} cites no assessed need; "
                          "add `needs: [N…]` from the assessment")


@rule("L102", "unknown-reference", "error", source="ISED")
def unknown_reference(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every referenced id (need, strength, barrier, goal, risk, assessment, provider, program) exists.

    Why it matters: a reference to an id that does not exist is a broken link
    in the chain from assessment to plan to notes; the goal, support or note
    looks connected but is not. A support's provider and funding are what a
    claim is judged against: a provider id that matches nobody, or funding by
    a program the member is not enrolled in, cannot be paid or checked.

    How to fix: correct the id (look it up in the assessment or plan named in
    the message), or add the missing item where it belongs. Staff ids are
    checked by A602. An entry of a plan's or review's `unmet_needs` names a
    goal of the plan and a note by its date (`raised_on`, and `item` when the
    note raised several): that note must exist and raise that many. A
    support's `provider_id` is a provider of providers.yaml at the repository
    root; its authorization's `funding` is a program of member.yaml
    `programs` (its `program`), or state_plan, state_funds, private or natural.

    Example:
        # the assessment has needs N1-N3
        needs: [N4]   # wrong: there is no N4
        needs: [N3]   # right
    """
    yield from _barrier_references(case)
    for plan in ctx.lifecycle.plans_to_check():
        yield from _plan_references(case, plan)
        yield from _support_references(case, plan, ctx.repository)
    for plan in ctx.lifecycle.plans_to_check():
        yield from _unmet_need_references(case, plan)
    for note in case.notes:
        in_effect = ctx.lifecycle.plan_on(note.date)
        if in_effect is None:
            continue
        goals = ids(in_effect.data, "goals")
        for index, entry in note.items("progress"):
            value = entry.get("goal")
            if isinstance(value, str) and value not in goals:
                yield Hit(note, ("progress", index, "goal"),
                          f"goal {shown_id(value)} is not in {plan_name(in_effect)}, in effect on this date")


def _barrier_references(case: Case) -> Iterator[Hit]:
    """L102 in the assessments: the needs each barrier names."""
    for assessment in case.assessments:
        need_ids = ids(assessment.data, "needs")
        for index, barrier in assessment.items("barriers"):
            yield from _missing(assessment, ("barriers", index, "needs"), barrier, "needs", need_ids,
                                "need", "this assessment")


def _plan_references(case: Case, plan: Document) -> Iterator[Hit]:
    """L102 in a plan to check: the assessment it names, and the needs, strengths, barriers and risks of that
    assessment and the goals of the plan its items name."""
    wanted = plan.get("assessment")
    if isinstance(wanted, str) and wanted not in {a.id for a in case.assessments if a.id}:
        yield Hit(plan, ("assessment",), f"assessment {shown_id(wanted)} is not in this member's folder")
        return
    assessment = case.assessment_for(plan)
    if assessment is None:
        return
    source = named("assessment", assessment.id)
    needs, strengths = ids(assessment.data, "needs"), ids(assessment.data, "strengths")
    barriers, risks = ids(assessment.data, "barriers"), ids(assessment.data, "risks")
    goals = ids(plan.data, "goals")
    for index, goal in plan.items("goals"):
        yield from _missing(plan, ("goals", index, "needs"), goal, "needs", needs, "need", source)
        yield from _missing(plan, ("goals", index, "strengths"), goal, "strengths", strengths,
                            "strength", source)
    for index, support in plan.items("supports"):
        yield from _missing(plan, ("supports", index, "goals"), support, "goals", goals, "goal", "this plan")
    for key, field, known, kind in (("deferred_needs", "need", needs, "need"),
                                    ("strategies", "barrier", barriers, "barrier"),
                                    ("risk_mitigations", "risk", risks, "risk")):
        for index, entry in plan.items(key):
            value = entry.get(field)
            if isinstance(value, str) and value not in known:
                yield Hit(plan, (key, index, field), f"{kind} {shown_id(value)} is not in {source}")


FUNDING = ("state_plan", "state_funds", "private", "natural")  # an authorization's funding other than a program
PROVIDER_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # providers.schema.json's form of a provider id


def _support_references(case: Case, plan: Document, repo: Repository) -> Iterator[Hit]:
    """L102 in a plan's supports: the provider each names (providers.yaml) and the program that funds it (the
    member's `programs`)."""
    member = case.member
    programs = {p["program"] for _, p in member.items("programs") if isinstance(p.get("program"), str)} \
        if member is not None else set()
    for index, support in plan.items("supports"):
        value = support.get("provider_id")
        if isinstance(value, str) and PROVIDER_ID.fullmatch(value):  # an id of another form: the schema's finding
            yield from _unknown_provider(plan, ("supports", index, "provider_id"), value, repo)
        authorization = support.get("authorization")
        funding = authorization.get("funding") if isinstance(authorization, dict) else None
        if isinstance(funding, str) and funding and funding not in FUNDING and funding not in programs:
            yield Hit(plan, ("supports", index, "authorization", "funding"),
                      f"funding {shown_id(funding)} is not a program the member is enrolled in (member.yaml "
                      f"`programs`) nor one of {', '.join(FUNDING)}")


def _unknown_provider(plan: Document, path: tuple, value: str, repo: Repository) -> Iterator[Hit]:
    if repo.providers is None:
        yield Hit(plan, path, f"provider id {shown_id(value)} cannot be checked: there is no providers.yaml at the "
                  "repository root; add one listing the providers")
    elif repo.providers.kind == "providers" and value not in repo.providers_by_id:
        # providers.yaml that did not load has its own finding; every id would look unknown
        yield Hit(plan, path, f"provider id {shown_id(value)} is not in providers.yaml; correct the id or add the "
                  "provider to providers.yaml")


def _unmet_need_references(case: Case, plan: Document) -> Iterator[Hit]:
    """L102 in the `unmet_needs` entries of a plan and its reviews: the goal of the plan, and the note (by its
    date, and `item` when it raised several) that raised the need."""
    goals = ids(plan.data, "goals")
    for where, entry in _unmet_entries(plan):
        value = entry.get("goal")
        if isinstance(value, str) and value not in goals:
            yield Hit(plan, where + ("goal",), f"goal {shown_id(value)} is not in this plan")
        day = parse_iso(entry.get("raised_on"))
        if day is None:
            continue
        raised = max((index + 1 for n in case.notes if n.date == day for index in _unmet_needs(n)), default=0)
        item = entry.get("item")
        if not raised:
            yield Hit(plan, where + ("raised_on",), f"no note dated {day.isoformat()} raises an unmet need "
                      "(`unmet_needs`)")
        elif isinstance(item, int) and not isinstance(item, bool) and item > raised:
            yield Hit(plan, where + ("item",), f"the note of {day.isoformat()} raises {raised} unmet "
                      f"need{'s' if raised > 1 else ''}; there is no item {shown_number(item)}")


def _missing(doc: Document, path: tuple, item: dict, key: str, known: Container[str], kind: str,
             source: str) -> Iterator[Hit]:
    value = item.get(key)
    if not isinstance(value, list):
        return
    for position, ref in enumerate(value):
        if isinstance(ref, str) and ref not in known:
            yield Hit(doc, path + (position,), f"{kind} {shown_id(ref)} is not in {source}")


@rule("L103", "need-unaddressed", "error", source="CMHPSM 13.003; ISED")
def need_unaddressed(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every assessed need is addressed by a goal of the plan, or deferred with a reason.

    Why it matters: an assessed need that the plan neither addresses nor
    explains is an unmet need nobody is working on. Policy asks that unmet
    needs be documented with a plan.

    How to fix: add the need's id to the `needs` of the goal that addresses it,
    or list it under `deferred_needs` with the reason (the member's choice, a
    waiting list, another agency handles it). The finding is in the plan, where
    the fix is made: at its `goals` (at its `assessment:` reference when it has
    no goals), with the need in the assessment as a related location.

    Example:
        deferred_needs:
          - need: N4
            reason: Elena wants to wait until after her surgery.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        addressed = {n for _, goal in plan.items("goals") for n in str_list(goal, "needs")}
        assessed = {need["id"]: index for index, need in assessment.items("needs") if isinstance(need.get("id"), str)}
        deferred = {}
        for index, entry in plan.items("deferred_needs"):
            if isinstance(entry.get("need"), str):
                deferred[entry["need"]] = index
                if text(entry, "reason") is None:
                    need = entry["need"]
                    related = (_assessed(assessment, "needs", assessed[need], "need", need),) \
                        if need in assessed else ()
                    yield Hit(plan, ("deferred_needs", index),
                              f"need {shown_id(need)} is deferred without a reason; say why", related=related)
        where, at = _missing_entry(plan, "goals")
        for need_id, index in assessed.items():
            if need_id not in addressed and need_id not in deferred:
                yield Hit(plan, where, f"need {_plain(need_id)} of assessment {_plain(assessment.id)} is not "
                          "addressed by any goal of this plan nor deferred with a reason; add it to a goal's "
                          "`needs`, or to `deferred_needs` with the reason", at=at,
                          related=(_assessed(assessment, "needs", index, "need", need_id),))


@rule("L104", "support-without-goal", "error", source="42 CFR 441.301(c)(2)")
def support_without_goal(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every support serves at least one goal (`goals: [G…]`).

    Why it matters: services in a person-centered plan exist to reach the
    person's goals; a support tied to no goal cannot be judged as working or
    not, and may be a service the member did not choose.

    How to fix: add the ids of the goals the support serves, or remove the
    support if it no longer serves any.

    Example:
        supports:
          - id: SP3
            description: Rosa drives Elena to Mass.
            goals: [G3]
    """
    for plan in ctx.lifecycle.plans_to_check():
        for index, support in plan.items("supports"):
            if not str_list(support, "goals"):
                where = ("supports", index, "goals") if "goals" in support else ("supports", index)
                yield Hit(plan, where, f"{label(support, 'support')} serves no goal; add `goals: [G…]`")


@rule("L105", "goal-without-support", "warning", source="ISED")
def goal_without_support(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every active goal has at least one support (paid or unpaid) working toward it that has not ended.

    Why it matters: a goal nobody is helping with is a wish, not a plan. The
    plan must say who does what to reach it, even when that is the member
    with a friend's help. A support whose `end` has passed helps no more: a
    goal whose supports have all ended has no support.

    How to fix: add a support whose `goals` lists this goal, extend the `end`
    of one that still helps, or mark the goal `status: on_hold` (or achieved,
    discontinued) if no one is working on it for now. Supports are judged on
    today while the plan's effective period runs, else over that period (a
    revision not yet started, a plan whose period is over): a support that
    ends before then does not count, one that starts later in the period does.
    A goal whose supports ran until its target date, now past, is T204's
    finding (say whether it was reached), not this one. A support whose
    `end` is before its `start` counts as working toward its goals: the
    dates contradict each other (T206's finding, an error), and which one
    is wrong is not known.

    Example:
        supports:
          - id: SP5
            description: Weekly walk with her neighbour.
            paid: false
            goals: [G4]
            start: 2026-09-07
            end: 2027-09-02
    """
    life = ctx.lifecycle
    for plan in life.plans_to_check():
        first, last, now = _support_window(life.record(plan), ctx.today)
        served: set[str] = set()
        ended: dict[str, date] = {}  # goal → the latest `end` of its supports that ended before `first`
        not_begun: set[str] = set()  # goals with a support that begins only after `last`
        for _, support in plan.items("supports"):
            start, end = parse_iso(support.get("start")), parse_iso(support.get("end"))
            if start is not None and end is not None and end < start:
                start = end = None  # ends before it starts: T206's finding; which date is wrong is not known
            over = end if end is not None and first is not None and end < first else None  # ended before `first`
            late = start is not None and last is not None and start > last
            for supported in str_list(support, "goals"):
                if late:
                    not_begun.add(supported)
                elif over is not None:
                    ended[supported] = max(ended.get(supported, over), over)
                else:
                    served.add(supported)
        for index, goal in plan.items("goals"):
            goal_id = goal.get("id")
            if not is_active_goal(goal) or not isinstance(goal_id, str) or goal_id in served:
                continue
            shown = _plain(goal_id)
            all_ended = goal_id in ended and goal_id not in not_begun
            target = parse_iso(goal.get("target_date"))
            if now and all_ended and target is not None and target <= ended[goal_id]:
                continue  # its supports ran to its target date, now past: T204's finding (update the goal)
            if goal_id not in ended and goal_id not in not_begun:
                message = f"active goal {shown} has no support working toward it"
            elif now and all_ended:
                message = f"active goal {shown}'s supports all ended by {ended[goal_id].isoformat()}; none works " \
                    "toward it now"
            elif now:
                assert last is not None  # (in not_begun: a support begins after `last`, so there is one)
                message = f"active goal {shown} has no support running before the plan ends ({last.isoformat()})"
            else:
                period = " to ".join(d.isoformat() for d in (first, last) if d is not None)
                message = f"active goal {shown} has no support running in the plan's period ({period})" + (
                    f": its supports all end by {ended[goal_id].isoformat()}" if all_ended else "")
            yield Hit(plan, ("goals", index), message)


def _support_window(record: PlanRecord, today: date) -> tuple[date | None, date | None, bool]:
    """(first, last, today?) days a support must reach to count: from today while the plan's period runs,
    else the whole period (a revision not yet started, a plan whose period is over)."""
    start, end = record.start, record.end
    if (start is None or start <= today) and (end is None or today <= end):
        return today, end, True
    return start, end, False


@rule("L106", "risk-unmitigated", "error", source="42 CFR 441.301(c)(2)")
def risk_unmitigated(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every assessed risk has a mitigation in the plan.

    Why it matters: the federal rule asks the plan to name the risk factors and
    the measures in place to minimize them, including backup plans; a risk the
    assessment found and the plan ignores is a harm waiting to happen.

    How to fix: add a `risk_mitigations` entry for the risk with what is done
    to reduce it (and a backup plan for when it fails). The finding is in the
    plan, where the fix is made: at its `risk_mitigations` (at its
    `assessment:` reference when it has none), with the risk in the assessment
    as a related location.

    Example:
        risk_mitigations:
          - risk: R1
            mitigation: Grab bars and a shower chair; the aide is present during bathing.
            backup_plan: If the aide cannot come, Rosa helps.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        assessed = {risk["id"]: index for index, risk in assessment.items("risks") if isinstance(risk.get("id"), str)}
        listed = set()
        for index, entry in plan.items("risk_mitigations"):
            if isinstance(entry.get("risk"), str):
                risk = entry["risk"]
                listed.add(risk)
                if text(entry, "mitigation") is None:
                    related = (_assessed(assessment, "risks", assessed[risk], "risk", risk),) \
                        if risk in assessed else ()
                    yield Hit(plan, ("risk_mitigations", index),
                              f"the entry for risk {shown_id(risk)} does not say how the risk is reduced "
                              "(`mitigation:`)", related=related)
        where, at = _missing_entry(plan, "risk_mitigations")
        for risk_id, index in assessed.items():
            if risk_id not in listed:
                yield Hit(plan, where, f"risk {_plain(risk_id)} of assessment {_plain(assessment.id)} has no "
                          "mitigation in this plan; add a `risk_mitigations` entry for it", at=at,
                          related=(_assessed(assessment, "risks", index, "risk", risk_id),))


@rule("L107", "barrier-without-strategy", "warning", source="ISED")
def barrier_without_strategy(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every assessed barrier has a strategy in the plan.

    Why it matters: barriers are what stands between the member and their
    goals; a plan that names no way around a barrier leaves the member to meet
    it alone.

    How to fix: add a `strategies` entry naming the barrier and what will be
    done about it (`text`). The finding is in the plan, where the fix is made:
    at the barrier's entry when it says nothing, else at `strategies` (at the
    plan's `assessment:` reference when it has none), with the barrier in the
    assessment as a related location.

    Example:
        strategies:
          - barrier: B1
            text: The case manager asks the pharmacy for labels in Spanish.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        covered = {e["barrier"] for _, e in plan.items("strategies")
                   if isinstance(e.get("barrier"), str) and text(e, "text")}
        empty: dict[str, int] = {}  # barrier → the first entry naming it without saying what is done
        for index, entry in plan.items("strategies"):
            if isinstance(entry.get("barrier"), str) and entry["barrier"] not in covered:
                empty.setdefault(entry["barrier"], index)
        where, at = _missing_entry(plan, "strategies")
        for index, barrier in assessment.items("barriers"):
            barrier_id = barrier.get("id")
            if not isinstance(barrier_id, str) or barrier_id in covered:
                continue
            related = (_assessed(assessment, "barriers", index, "barrier", barrier_id),)
            if barrier_id in empty:
                yield Hit(plan, ("strategies", empty[barrier_id]),
                          f"the strategy for barrier {_plain(barrier_id)} of assessment {_plain(assessment.id)} "
                          "does not say what will be done (`text`)", related=related)
            else:
                yield Hit(plan, where, f"barrier {_plain(barrier_id)} of assessment {_plain(assessment.id)} has "
                          "no strategy in this plan; add a `strategies` entry for it", at=at, related=related)


@rule("L108", "strengths-unused", "warning", source="ISED; Love Focus ECM toolkit")
def strengths_unused(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan draws on at least one of the member's assessed strengths.

    Why it matters: person-centered planning builds on what the person does
    well and who is on their side; a plan that uses none of their strengths
    treats them as a list of problems.

    How to fix: name, in the goals they help with, the strengths from the
    assessment that the member will use (`strengths: [S…]`).

    Example:
        goals:
          - id: G1
            own_words: I want to cook for my family again.
            strengths: [S2]    # a skilled cook who enjoys planning meals
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        assessed = ids(assessment.data, "strengths")
        if not assessed:
            continue  # no strengths recorded: P403's finding, not this one
        used = {s for _, goal in plan.items("goals") for s in str_list(goal, "strengths")}
        if not used & set(assessed):
            where = ("goals",) if "goals" in plan.data else ()
            yield Hit(plan, where, f"no goal draws on the strengths in {named('assessment', assessment.id)} "
                      f"({', '.join(plain_id(s) for s in assessed)}); add `strengths: [S…]` to the goals they help",
                      at="key")


QUANTITIES = (("amount", "how much (`amount`)"), ("unit", "the unit of the amount (`unit`)"),
              ("frequency", "how often (`frequency`)"), ("start", "when it starts (`start`)"),
              ("end", "when it ends (`end`)"))
# A support's quantity as its authorization states it (DESIGN.md "Identity and services"): units per period.
AUTHORIZED_AS = {"amount": "units", "unit": "unit", "frequency": "per"}


@rule("L109", "support-unquantified", "error", source="Love Focus ECM toolkit; 42 CFR 441.301(c)(2)")
def support_unquantified(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every support states its amount (with unit), frequency and duration (start and end).

    Why it matters: "help with bathing" is not a service anyone can deliver,
    authorize or check; supports are recorded with type, scope, amount,
    duration and frequency so the member knows what to expect and can say when
    it is not happening.

    How to fix: add the missing fields to the support: `amount` and `unit`,
    `frequency`, `start` and `end`. A support with an `authorization` is
    quantified by it too: its `units` count as the amount, its `unit` as the
    unit and its `per` as the frequency (`start` and `end` are still the
    support's own).

    Example:
        - id: SP2
          description: A personal care aide helps with bathing and housework.
          amount: 6
          unit: hours
          frequency: weekly
          start: 2026-09-07
          end: 2027-09-02
        # or, as authorized:
          authorization: {units: 24, per: week, unit: 15_minutes, funding: HCBS-EBD}
    """
    for plan in ctx.lifecycle.plans_to_check():
        for index, support in plan.items("supports"):
            authorization = support.get("authorization")
            authorized = authorization if isinstance(authorization, dict) else {}
            for key, what in QUANTITIES:
                if support.get(key) in (None, "") and authorized.get(AUTHORIZED_AS.get(key, "")) in (None, ""):
                    yield Hit(plan, ("supports", index),
                              f"{label(support, 'support')} does not say {what}")


REPLANS = ("revision", "annual")  # plan types that re-plan an episode (an initial plan answers the intake assessment)


@rule("L110", "unmet-need-unplanned", "warning", source="CMHPSM 13.003")
def unmet_need_unplanned(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """An unmet need raised in a note is taken up (a goal, a referral, or a deferral with a reason) by the
    next review or revision.

    Why it matters: policy asks the case manager to document unmet needs and
    develop plans to address them, and the periodic review is where the plan
    is checked against what the member needs now. A need the member raised in
    a contact that no review or revision answers is lost between notes.

    How to fix: in the review (its `unmet_needs`) or the revision (the plan's
    `unmet_needs`) held after the note, add an entry naming the note by its
    date (`raised_on`; `item` when it raised several, counting from 1) and how
    the need is taken up: a `goal` of the plan, a `referral`, or the reason it
    is `deferred`. Each unmet need of a note of the current episode is judged
    at the first periodic review (`reviews`, dated on or after the note) or
    revision or annual plan (dated on or after the note) that follows it;
    until then it is not due. An entry in that review or revision, or in any
    later one (a draft's included), takes the need up. When that review or a
    consented revision missed it, the finding is at the note's entry, with
    the review or revision that should have taken it up as a related
    location. A revision or annual plan still awaiting signature counts too:
    a draft revision is where an unmet need is taken up, so the finding is in
    the draft (at its `unmet_needs`, else its `date`), with the note's entry
    as a related location, while adding the entry costs no signature (after
    signing, a change to the plan's content asks for new signatures, C305).

    Example:
        # notes/2026-10-29.yaml
        unmet_needs:
          - Would like a Spanish-speaking senior group on weekdays.
        # plan-2026-09-03.yaml
        reviews:
          - date: 2027-03-01
            by: cm-jlee
            outcome: continue
            unmet_needs:
              - raised_on: 2026-10-29
                referral: Spanish-language senior lunch at Our Lady of Peace, Wednesdays.
    """
    life = ctx.lifecycle
    due_at, answers = _occasions(life, ctx.today)
    if not due_at:
        return
    for note in case.notes:
        raised = _unmet_needs(note)
        day = note.date
        if not raised or day is None or day > ctx.today or not life.in_current_episode(note):
            continue
        occasion = next((o for o in due_at if o[0] >= day), None)
        if occasion is None:
            continue  # no review or revision since the note: not due yet
        taken: set = set()
        for when, entry in answers:
            if when >= day and parse_iso(entry.get("raised_on")) == day and _takes_up(entry):
                item = entry.get("item")
                taken.add(item if isinstance(item, int) and not isinstance(item, bool) else "all")
        if "all" in taken:
            continue
        day_due, order, what, related, draft = occasion
        place = "its" if order else "that review's"
        for index in raised:
            if index + 1 in taken:
                continue
            if draft is not None:
                yield _in_draft(draft, what, note, day, index, len(raised) > 1 or index > 0)
                continue
            need = f"unmet need {index + 1} of this note" if len(raised) > 1 or index \
                else "the unmet need raised in this note"
            yield Hit(note, ("unmet_needs", index),
                      f"{need} ({day.isoformat()}) is not taken up by the next {what} "
                      f"({day_due.isoformat()}) nor since; add to {place} `unmet_needs` an entry with "
                      f"`raised_on: {day.isoformat()}` and a `goal`, a `referral` or the reason it is `deferred`",
                      related=(related,))


def _occasions(life: Lifecycle, today: date) -> tuple[list[tuple], list[tuple]]:
    """L110: the occasions of the current episode that take unmet needs up, and what they say.

    (the reviews held by today and the revisions and annual plans, consented or awaiting signature, each as
    (day, order, what, related location, the draft or None), in date order; the `unmet_needs` entries of
    those reviews and plans, as (day, entry))."""
    due_at: list[tuple] = []  # (day, order, what, related location, draft): what makes a need raised by then due
    answers: list[tuple] = []  # (day, entry) from reviews and plans that may take a need up
    drafts = {id(r) for r in life.drafts()}
    for record in life.plans:
        if record.episode is not life.current_episode:
            continue
        plan = record.plan
        for day, index in life.reviews_held(record):
            if day <= today:
                due_at.append((day, 0, "review", (plan, ("reviews", index), f"the review of {day.isoformat()} "
                                                  f"in {record.label}"), None))
            answers += [(day, entry) for entry in _entries_of(plan, ("reviews", index))]
        consented = life.consented(record)
        if plan.date is None or not (consented or id(record) in drafts):
            continue
        answers += [(plan.date, entry) for entry in _entries_of(plan, ())]
        if plan.get("type") in REPLANS:  # a draft revision too: reported in it, while a fix costs no signature
            what = "revision" if plan.get("type") == "revision" else "annual plan"
            due_at.append((plan.date, 1, what, (plan, ("date",), f"the {plan.get('type')} {record.label} of "
                                                f"{plan.date.isoformat()}"), None if consented else plan))
    due_at.sort(key=lambda entry: entry[:2])
    return due_at, answers


def _in_draft(draft: Document, what: str, note: Document, day: date, index: int, numbered: bool) -> Hit:
    """L110 in a draft revision that does not take up an unmet need raised before it: the finding is in the
    draft, where the entry is added while that costs no signature, with the note's need as related."""
    where: tuple
    if "unmet_needs" in draft.data:
        where, at = ("unmet_needs",), "key"
    else:
        where, at = (("date",), "value") if "date" in draft.data else ((), "value")
    need = f"unmet need {index + 1} of the note of {day.isoformat()}" if numbered \
        else f"the unmet need raised in the note of {day.isoformat()}"
    item = f", `item: {index + 1}`" if numbered else ""
    return Hit(draft, where, f"{need} ({shown_name(note.path.name)}) is not taken up by this {what}, which "
               f"awaits signature; add to its `unmet_needs` an entry with `raised_on: {day.isoformat()}`{item} and "
               "a `goal`, a `referral` or the reason it is `deferred`, before it is signed", at=at,
               related=((note, ("unmet_needs", index), need),))


def _unmet_needs(note: Document) -> list[int]:
    """Positions in a note's `unmet_needs` of the needs it raises (blank entries raise nothing)."""
    value = note.get("unmet_needs")
    if not isinstance(value, list):
        return []
    return [index for index, need in enumerate(value)
            if need is not None and not (isinstance(need, str) and not need.strip())]


def _entries_of(plan: Document, where: tuple) -> list[dict]:
    """The `unmet_needs` entries of a plan (``where`` = ()) or of one of its reviews (``("reviews", i)``)."""
    return [entry for _, entry in _items_at(plan, where + ("unmet_needs",))]


def _items_at(plan: Document, path: tuple) -> list[tuple[int, dict]]:
    """``(index, item)`` for the mappings of the list at a data path that may pass through list positions."""
    node: Any = plan.data
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
    return [(i, e) for i, e in enumerate(node) if isinstance(e, dict)] if isinstance(node, list) else []


def _unmet_entries(plan: Document) -> Iterator[tuple[tuple, dict]]:
    """(data path, entry) of every `unmet_needs` entry of a plan: its own and its reviews'."""
    for index, entry in plan.items("unmet_needs"):
        yield ("unmet_needs", index), entry
    for position, _ in plan.items("reviews"):
        for index, entry in _items_at(plan, ("reviews", position, "unmet_needs")):
            yield ("reviews", position, "unmet_needs", index), entry


def _takes_up(entry: dict) -> bool:
    """Whether an entry says how the need is taken up: a goal, a referral, or a deferral with its reason."""
    return bool(text(entry, "goal") or text(entry, "referral") or text(entry, "deferred"))


# ---------------------------------------------------------------- L111, L112: what each plan item says

_SPACE = re.compile(r"\s+")


def _placeholder(value: str) -> bool:
    """A stand-in that says nothing about what happens to *this* person (the one definition, pcplan.placeholders)."""
    return is_placeholder(value)


@rule("L111", "backup-plan-missing", "error", source="42 CFR 441.301(c)(2)")
def backup_plan_missing(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every risk the plan's assessment rates high has an individualized backup plan in the plan.

    Why it matters: the federal rule asks the plan to name the risk factors and
    the measures in place to minimize them, including individualized backup
    plans. For a high risk the question that matters is what happens on the day
    the usual support does not come: who steps in, and how the member gets help.

    How to fix: give the risk's `risk_mitigations` entry a `backup_plan` that
    says, for this member, who steps in and what they do when the mitigation
    fails. Risks rated high (`level: high` in the assessment the plan names)
    are checked; a placeholder ("N/A", "none", "TBD", "see above", "per
    policy") or a backup plan that only repeats the mitigation is not a backup
    plan. A high risk with no entry at all is also L106's finding. The finding
    is in the plan, with the risk in the assessment as a related location.

    Example:
        risk_mitigations:
          - risk: R1                  # rated high in the assessment
            mitigation: Grab bars and a shower chair; the aide is present during bathing.
            backup_plan: If the aide cannot come, Rosa helps; Elena wears a medical alert pendant.
    """
    for plan in ctx.lifecycle.plans_to_check():
        assessment = case.assessment_for(plan)
        if assessment is None:
            continue  # no assessment to read levels from: L102's finding
        entries: dict[str, list[tuple[int, dict]]] = {}
        for index, entry in plan.items("risk_mitigations"):
            if isinstance(entry.get("risk"), str):
                entries.setdefault(entry["risk"], []).append((index, entry))
        for position, risk in assessment.items("risks"):
            risk_id = risk.get("id")
            if risk.get("level") != "high" or not isinstance(risk_id, str):
                continue
            mine = entries.get(risk_id, [])
            if any(_individual_backup(entry) for _, entry in mine):
                continue
            related = ((assessment, ("risks", position), f"risk {_plain(risk_id)}, rated high, in assessment "
                        f"{_plain(assessment.id)}"),)
            if mine:
                index, entry = mine[0]
                backup = text(entry, "backup_plan")
                what = ("has no backup plan (`backup_plan`)" if backup is None else
                        "has a backup plan that says nothing about this member (a placeholder, or the "
                        "mitigation repeated)")
                where = ("risk_mitigations", index) + (("backup_plan",) if backup is not None else ())
                yield Hit(plan, where, f"risk {_plain(risk_id)}, rated high in assessment {_plain(assessment.id)}, "
                          f"{what}; "
                          "say who steps in and what they do when the usual support fails", related=related)
            else:
                where, at = ((("risk_mitigations",), "key") if "risk_mitigations" in plan.data
                             else (("assessment",), "value"))
                yield Hit(plan, where, f"risk {_plain(risk_id)}, rated high in assessment {_plain(assessment.id)}, "
                          "has no "
                          "`risk_mitigations` entry with a backup plan; add one (`risk`, `mitigation`, "
                          "`backup_plan`)", at=at, related=related)


def _individual_backup(entry: dict) -> bool:
    backup = text(entry, "backup_plan")
    if backup is None or _placeholder(backup):
        return False
    mitigation = text(entry, "mitigation")
    return mitigation is None or _SPACE.sub(" ", mitigation).strip().casefold() != \
        _SPACE.sub(" ", backup).strip().casefold()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@rule("L112", "goal-not-measurable", "warning", source="ISED")
def goal_not_measurable(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every active goal has a target date, and every objective has a measure and a target date; an
    objective's target is on or before its goal's and within the plan's effective period.

    Why it matters: a plan states what is expected to change and by when, so
    the member and the case manager can tell at each review whether it is
    working. A goal with no date is never late and never reached; an objective
    with no measure cannot be judged at all.

    How to fix: add `target_date` to the goal, and `measure` (how progress is
    counted or observed, and by whom) and `target_date` to each objective.
    Active goals (no `status`, or `status: active`) and their active
    objectives are checked; achieved, discontinued and on-hold ones are not.
    A goal need not have objectives, but each objective it has is measurable.
    An objective is a step toward its goal within this plan: its
    `target_date` is on or before its goal's `target_date` and within the
    plan's effective period (`effective.start`, else the plan's `date`, to
    `effective.end`); each is its own finding, at the objective's
    `target_date`. A goal may reach beyond the plan year (a two-year goal is
    carried into the next plan); its objectives are this plan's steps, and
    the next plan sets the next ones.

    Example:
        goals:
          - id: G1
            own_words: I want to take my medicines right so I don't go back to the hospital.
            target_date: 2027-03-31
            objectives:
              - id: G1.1
                text: Elena takes her medicines on at least 6 of 7 days each week.
                measure: Weekly pill-organizer check by the home care aide.
                target_date: 2026-12-31
    """
    life = ctx.lifecycle
    for plan in life.plans_to_check():
        record = life.record(plan)
        for index, goal in plan.items("goals"):
            if not is_active_goal(goal):
                continue
            yield from _objective_targets(plan, index, goal, record.start, record.end)
            if _blank(goal.get("target_date")):
                yield Hit(plan, ("goals", index), f"active {label(goal, 'goal')} has no target date "
                          "(`target_date`); say by when it should be reached")
            for position, objective in items(goal, "objectives"):
                if not is_active_goal(objective):
                    continue
                name = f"{label(objective, 'objective')} of {label(goal, 'goal')}"
                where = ("goals", index, "objectives", position)
                if _blank(objective.get("measure")):
                    yield Hit(plan, where, f"{name} does not say how progress is measured (`measure`)")
                if _blank(objective.get("target_date")):
                    yield Hit(plan, where, f"{name} has no target date (`target_date`)")


def _objective_targets(plan: Document, index: int, goal: dict, start: date | None,
                       end: date | None) -> Iterator[Hit]:
    """L112: each active objective's target on or before its goal's and within the plan's effective period."""
    goal_target = parse_iso(goal.get("target_date"))
    for position, objective in items(goal, "objectives"):
        target = parse_iso(objective.get("target_date"))
        if target is None or not is_active_goal(objective):
            continue
        name = f"{label(objective, 'objective')} of {label(goal, 'goal')}"
        where = ("goals", index, "objectives", position, "target_date")
        if goal_target is not None and target > goal_target:
            yield Hit(plan, where, f"{name} is due {target.isoformat()}, after its goal's target date "
                      f"({goal_target.isoformat()}); an objective is a step toward its goal: set it on or before "
                      "the goal's date, or move the goal's")
        if (start is not None and target < start) or (end is not None and target > end):
            period = f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
            yield Hit(plan, where, f"{name} is due {target.isoformat()}, outside the plan's effective period "
                      f"({period}); an objective is a step of this plan: set its date within the period (a "
                      "goal may reach beyond it)")
