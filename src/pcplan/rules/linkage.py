"""L-rules: the plan answers the assessment: needs → goals → supports, risks → mitigations.

They check the plan in effect (and any newer draft) against the assessment it
names; superseded plans are history and are not re-judged.
"""

from __future__ import annotations

from typing import Iterator

from ..findings import Hit
from ..model import ids, is_active_goal, label, shown_id, str_list, text
from ..lifecycle import lifecycle
from .registry import rule


def _plans_with_assessment(case, ctx):
    """(plan, assessment) for each plan to check whose assessment exists."""
    for plan in lifecycle(case, ctx.today).plans_to_check():
        assessment = case.assessment_for(plan)
        if assessment is not None:
            yield plan, assessment



@rule("L101", "goal-without-need", "error", source="ISED; 42 CFR 441.301(c)(2)")
def goal_without_need(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for index, goal in plan.items("goals"):
            if not str_list(goal, "needs"):
                where = ("goals", index, "needs") if "needs" in goal else ("goals", index)
                yield Hit(plan, where, f"{label(goal, 'goal')} cites no assessed need; "
                          "add `needs: [N…]` from the assessment")


@rule("L102", "unknown-reference", "error", source="ISED")
def unknown_reference(case, ctx) -> Iterator[Hit]:
    """Every referenced id (need, strength, barrier, goal, risk, assessment) exists.

    Why it matters: a reference to an id that does not exist is a broken link
    in the chain from assessment to plan to notes; the goal, support or note
    looks connected but is not.

    How to fix: correct the id (look it up in the assessment or plan named in
    the message), or add the missing item where it belongs. Staff ids are
    checked by A602.

    Example:
        # the assessment has needs N1-N3
        needs: [N4]   # wrong: there is no N4
        needs: [N3]   # right
    """
    assessment_ids = {a.id for a in case.assessments if a.id}
    for assessment in case.assessments:
        need_ids = ids(assessment.data, "needs")
        for index, barrier in assessment.items("barriers"):
            yield from _missing(assessment, ("barriers", index, "needs"), barrier, "needs", need_ids,
                                "need", "this assessment")
    for plan in lifecycle(case, ctx.today).plans_to_check():
        wanted = plan.get("assessment")
        if isinstance(wanted, str) and wanted not in assessment_ids:
            yield Hit(plan, ("assessment",), f"assessment {shown_id(wanted)} is not in this member's folder")
            continue
        assessment = case.assessment_for(plan)
        if assessment is None:
            continue
        source = f"assessment {assessment.id}"
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
    for note in case.notes:
        plan = lifecycle(case, ctx.today).plan_on(note.date)
        if plan is None:
            continue
        goals = ids(plan.data, "goals")
        for index, entry in note.items("progress"):
            value = entry.get("goal")
            if isinstance(value, str) and value not in goals:
                yield Hit(note, ("progress", index, "goal"),
                          f"goal {shown_id(value)} is not in plan {plan.id or plan.path.name}, in effect on this date")


def _missing(doc, path, item, key, known, kind, source) -> Iterator[Hit]:
    value = item.get(key)
    if not isinstance(value, list):
        return
    for position, ref in enumerate(value):
        if isinstance(ref, str) and ref not in known:
            yield Hit(doc, path + (position,), f"{kind} {shown_id(ref)} is not in {source}")


@rule("L103", "need-unaddressed", "error", source="CMHPSM 13.003; ISED")
def need_unaddressed(case, ctx) -> Iterator[Hit]:
    """Every assessed need is addressed by a goal of the plan, or deferred with a reason.

    Why it matters: an assessed need that the plan neither addresses nor
    explains is an unmet need nobody is working on. Policy asks that unmet
    needs be documented with a plan.

    How to fix: add the need's id to the `needs` of the goal that addresses it,
    or list it under `deferred_needs` with the reason (the member's choice, a
    waiting list, another agency handles it).

    Example:
        deferred_needs:
          - need: N4
            reason: Elena wants to wait until after her surgery.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        addressed = {n for _, goal in plan.items("goals") for n in str_list(goal, "needs")}
        deferred = {}
        for index, entry in plan.items("deferred_needs"):
            if isinstance(entry.get("need"), str):
                deferred[entry["need"]] = index
                if text(entry, "reason") is None:
                    yield Hit(plan, ("deferred_needs", index),
                              f"need {shown_id(entry['need'])} is deferred without a reason; say why")
        for index, need in assessment.items("needs"):
            need_id = need.get("id")
            if isinstance(need_id, str) and need_id not in addressed and need_id not in deferred:
                yield Hit(assessment, ("needs", index),
                          f"need {need_id} is not addressed by any goal of plan {plan.id or plan.path.name} "
                          f"({plan.path.name}) nor deferred with a reason")


@rule("L104", "support-without-goal", "error", source="42 CFR 441.301(c)(2)")
def support_without_goal(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for index, support in plan.items("supports"):
            if not str_list(support, "goals"):
                where = ("supports", index, "goals") if "goals" in support else ("supports", index)
                yield Hit(plan, where, f"{label(support, 'support')} serves no goal; add `goals: [G…]`")


@rule("L105", "goal-without-support", "warning", source="ISED")
def goal_without_support(case, ctx) -> Iterator[Hit]:
    """Every active goal has at least one support (paid or unpaid) working toward it.

    Why it matters: a goal nobody is helping with is a wish, not a plan. The
    plan must say who does what to reach it, even when that is the member
    with a friend's help.

    How to fix: add a support whose `goals` lists this goal, or mark the goal
    `status: on_hold` (or achieved, discontinued) if no one is working on it
    for now.

    Example:
        supports:
          - id: SP5
            description: Weekly walk with her neighbour.
            paid: false
            goals: [G4]
    """
    for plan in lifecycle(case, ctx.today).plans_to_check():
        served = {g for _, support in plan.items("supports") for g in str_list(support, "goals")}
        for index, goal in plan.items("goals"):
            if is_active_goal(goal) and isinstance(goal.get("id"), str) and goal["id"] not in served:
                yield Hit(plan, ("goals", index), f"active goal {goal['id']} has no support working toward it")


@rule("L106", "risk-unmitigated", "error", source="42 CFR 441.301(c)(2)")
def risk_unmitigated(case, ctx) -> Iterator[Hit]:
    """Every assessed risk has a mitigation in the plan.

    Why it matters: the federal rule asks the plan to name the risk factors and
    the measures in place to minimize them, including backup plans; a risk the
    assessment found and the plan ignores is a harm waiting to happen.

    How to fix: add a `risk_mitigations` entry for the risk with what is done
    to reduce it (and a backup plan for when it fails).

    Example:
        risk_mitigations:
          - risk: R1
            mitigation: Grab bars and a shower chair; the aide is present during bathing.
            backup_plan: If the aide cannot come, Rosa helps.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        listed = set()
        for index, entry in plan.items("risk_mitigations"):
            if isinstance(entry.get("risk"), str):
                listed.add(entry["risk"])
                if text(entry, "mitigation") is None:
                    yield Hit(plan, ("risk_mitigations", index),
                              f"the entry for risk {shown_id(entry['risk'])} does not say how the risk is reduced "
                              "(`mitigation:`)")
        for index, risk in assessment.items("risks"):
            risk_id = risk.get("id")
            if isinstance(risk_id, str) and risk_id not in listed:
                yield Hit(assessment, ("risks", index),
                          f"risk {risk_id} has no mitigation in plan {plan.id or plan.path.name} ({plan.path.name})")


@rule("L107", "barrier-without-strategy", "warning", source="ISED")
def barrier_without_strategy(case, ctx) -> Iterator[Hit]:
    """Every assessed barrier has a strategy in the plan.

    Why it matters: barriers are what stands between the member and their
    goals; a plan that names no way around a barrier leaves the member to meet
    it alone.

    How to fix: add a `strategies` entry naming the barrier and what will be
    done about it.

    Example:
        strategies:
          - barrier: B1
            text: The case manager asks the pharmacy for labels in Spanish.
    """
    for plan, assessment in _plans_with_assessment(case, ctx):
        covered = {e["barrier"] for _, e in plan.items("strategies")
                   if isinstance(e.get("barrier"), str) and text(e, "text")}
        for index, barrier in assessment.items("barriers"):
            barrier_id = barrier.get("id")
            if isinstance(barrier_id, str) and barrier_id not in covered:
                yield Hit(assessment, ("barriers", index),
                          f"barrier {barrier_id} has no strategy in plan {plan.id or plan.path.name} "
                          f"({plan.path.name})")


@rule("L108", "strengths-unused", "warning", source="ISED; Love Focus ECM toolkit")
def strengths_unused(case, ctx) -> Iterator[Hit]:
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
            yield Hit(plan, where, f"no goal draws on the strengths in assessment {assessment.id} "
                      f"({', '.join(assessed)}); add `strengths: [S…]` to the goals they help", at="key")


QUANTITIES = (("amount", "how much (`amount`)"), ("unit", "the unit of the amount (`unit`)"),
              ("frequency", "how often (`frequency`)"), ("start", "when it starts (`start`)"),
              ("end", "when it ends (`end`)"))


@rule("L109", "support-unquantified", "error", source="Love Focus ECM toolkit; 42 CFR 441.301(c)(2)")
def support_unquantified(case, ctx) -> Iterator[Hit]:
    """Every support states its amount (with unit), frequency and duration (start and end).

    Why it matters: "help with bathing" is not a service anyone can deliver,
    authorize or check; supports are recorded with type, scope, amount,
    duration and frequency so the member knows what to expect and can say when
    it is not happening.

    How to fix: add the missing fields to the support: `amount` and `unit`,
    `frequency`, `start` and `end`.

    Example:
        - id: SP2
          description: A personal care aide helps with bathing and housework.
          amount: 6
          unit: hours
          frequency: weekly
          start: 2026-09-07
          end: 2027-09-02
    """
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for index, support in plan.items("supports"):
            for key, what in QUANTITIES:
                if support.get(key) in (None, ""):
                    yield Hit(plan, ("supports", index),
                              f"{label(support, 'support')} does not say {what}")
