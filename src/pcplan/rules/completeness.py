"""L-rules on what each plan item must say: a backup plan for every high risk, measurable goals.

Like the rest of the L family they judge the plans ``lifecycle().plans_to_check()``
returns (the governing plan and any newer draft or revision); superseded plans
are history. Findings land in the plan, where the fix is made.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..dates import parse_iso
from ..findings import Hit
from ..lifecycle import lifecycle
from ..model import is_active_goal, items, label, shown_id, text
from ..placeholders import is_placeholder
from .registry import rule

_SPACE = re.compile(r"\s+")


def _plain(value) -> str:
    """An id as messages show it in running text; text typed where an id belongs is not repeated."""
    return value if shown_id(value) != "(not an id)" else "(not an id)"


def _placeholder(value: str) -> bool:
    """A stand-in that says nothing about what happens to *this* person (the one definition, pcplan.placeholders)."""
    return is_placeholder(value)


@rule("L111", "backup-plan-missing", "error", source="42 CFR 441.301(c)(2)")
def backup_plan_missing(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
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
                yield Hit(plan, where, f"risk {_plain(risk_id)}, rated high in assessment {_plain(assessment.id)}, {what}; "
                          "say who steps in and what they do when the usual support fails", related=related)
            else:
                where, at = ((("risk_mitigations",), "key") if "risk_mitigations" in plan.data
                             else (("assessment",), "value"))
                yield Hit(plan, where, f"risk {_plain(risk_id)}, rated high in assessment {_plain(assessment.id)}, has no "
                          "`risk_mitigations` entry with a backup plan; add one (`risk`, `mitigation`, "
                          "`backup_plan`)", at=at, related=related)


def _individual_backup(entry: dict) -> bool:
    backup = text(entry, "backup_plan")
    if backup is None or _placeholder(backup):
        return False
    mitigation = text(entry, "mitigation")
    return mitigation is None or _SPACE.sub(" ", mitigation).strip().casefold() != \
        _SPACE.sub(" ", backup).strip().casefold()


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@rule("L112", "goal-not-measurable", "warning", source="ISED")
def goal_not_measurable(case, ctx) -> Iterator[Hit]:
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
    life = lifecycle(case, ctx.today)
    for plan in life.plans_to_check():
        record = life.record(plan)
        for index, goal in plan.items("goals"):
            if not is_active_goal(goal):
                continue
            yield from _objective_targets(plan, index, goal, record.start, record.end)
            if _missing(goal.get("target_date")):
                yield Hit(plan, ("goals", index), f"active {label(goal, 'goal')} has no target date "
                          "(`target_date`); say by when it should be reached")
            for position, objective in items(goal, "objectives"):
                if not is_active_goal(objective):
                    continue
                name = f"{label(objective, 'objective')} of {label(goal, 'goal')}"
                where = ("goals", index, "objectives", position)
                if _missing(objective.get("measure")):
                    yield Hit(plan, where, f"{name} does not say how progress is measured (`measure`)")
                if _missing(objective.get("target_date")):
                    yield Hit(plan, where, f"{name} has no target date (`target_date`)")


def _objective_targets(plan, index: int, goal: dict, start, end) -> Iterator[Hit]:
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
