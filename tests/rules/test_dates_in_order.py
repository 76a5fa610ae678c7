"""Dates in order (DESIGN.md, "The life of a case"; issue item 13).

T206: every start/end pair ends on or after the day it starts (a support, a hold, the effective period, an
assignment, a representative's authority, an enrollment, an exception's period), reported at the end with
the start named. L112: an objective's target falls on or before its goal's and within the plan's effective
period; a goal may reach beyond the plan year. L105 leaves a support whose dates contradict each other to
T206. Each case: the reference members edited once, the exact position asserted, and the clean case beside it.
"""

from __future__ import annotations

from datetime import date

import pytest

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, found, where

DANNY_MEMBER = "members/M-000207/member.yaml"
SP2_DATES = "    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3"


def message(end_field: str, end: str, start_field: str, start: str, what: str, owner: str = "") -> str:
    return (f"`{end_field}`{owner} is {end}, before `{start_field}` {start}: {what} ends on or after the day it "
            "starts; correct the date that is wrong")


# ---------------------------------------------------------------- T206: every start/end pair

def test_the_reference_members_have_every_pair_in_order(repo):
    assert found(repo, "T206", "L112") == []


def test_t206_a_support_ending_before_it_starts(repo):
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-01\n  - id: SP3")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_PLAN, "2026-09-01\n  - id: SP3") + (
        message("supports[1].end", "2026-09-01", "supports[1].start", "2026-09-07", "a support",
                " of support SP2"),)]


def test_t206_a_support_of_one_day_is_in_order(repo):
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-07\n  - id: SP3")
    assert found(repo, "T206") == []


def test_l105_leaves_a_support_ending_before_it_starts_to_t206(repo):
    # SP2 is G2's only support: with its dates reversed it is T206's error, not "no support" for G2 as well
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-01\n  - id: SP3")
    assert [code for code, *_ in found(repo, "T206", "L105")] == ["T206"]


def test_t206_the_effective_period_ending_before_it_starts(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02\n", "  start: 2026-09-03\n  end: 2025-09-02\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_PLAN, "2025-09-02") + (
        message("effective.end", "2025-09-02", "effective.start", "2026-09-03", "the plan's effective period"),)]


def test_t206_an_exceptions_period_ending_before_it_starts(repo):
    repo.edit(DANNY_PLAN, "exceptions: []", "exceptions:\n  - {rule: T201, reason: The member moved., "
              "documented_by: cm-obello, on: 2026-11-20, from: 2026-11-20, until: 2026-11-01}")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_PLAN, "2026-11-01}") + (
        message("exceptions[0].until", "2026-11-01", "exceptions[0].from", "2026-11-20", "an exception's period"),)]


def test_t206_a_hold_ending_before_it_starts(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "holds:\n  - {start: 2026-10-10, end: 2026-10-01, reason: Hospital "
              "stay., recorded_by: cm-jlee}\nstatus: active\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_MEMBER, "2026-10-01, reason") + (
        message("holds[0].end", "2026-10-01", "holds[0].start", "2026-10-10", "a hold"),)]
    repo.edit(ELENA_MEMBER, "end: 2026-10-01", "end: 2026-10-10")  # a one-day hold
    assert found(repo, "T206") == []


def test_t206_an_assignment_ending_before_it_starts(repo):
    repo.edit(DANNY_MEMBER, "    to: 2026-03-31\n", "    to: 2025-12-01\n")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_MEMBER, "to: 2025-12-01", offset=4) + (
        message("case_managers[0].to", "2025-12-01", "case_managers[0].from", "2025-12-15",
                "a case-manager assignment"),)]


def test_t206_a_representatives_authority_ending_before_it_starts(repo):
    repo.edit(DANNY_MEMBER, "    authority: legal_guardian\n", "    authority: legal_guardian\n"
              "    authority_from: 2025-01-01\n    authority_until: 2024-12-31\n")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_MEMBER, "2024-12-31") + (
        message("representatives[0].authority_until", "2024-12-31", "representatives[0].authority_from",
                "2025-01-01", "a representative's authority"),)]


def test_t206_an_enrollment_ending_before_it_starts(repo):
    repo.edit(ELENA_MEMBER, "    enrolled_on: 2026-08-03\n", "    enrolled_on: 2026-08-03\n    ended_on: 2026-07-01\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_MEMBER, "2026-07-01") + (
        message("programs[0].ended_on", "2026-07-01", "programs[0].enrolled_on", "2026-08-03", "an enrollment"),)]


def test_t206_checks_the_pairs_of_a_superseded_plan_too(repo):
    # an impossible date stays impossible once a later plan is in force: Abdi's only plan, his case closed
    plan = "members/M-000301/plan-2026-02-02.yaml"
    text = repo.read(plan)
    start = text.index("  - id: SP1\n")
    end_at = text.index("    end: ", start)
    line_end = text.index("\n", end_at)
    repo.write(plan, text[:end_at] + "    end: 2001-01-01" + text[line_end:])
    (finding,) = found(repo, "T206")
    assert finding[1:4] == where(repo, plan, "2001-01-01")
    assert finding[4].startswith("`supports[0].end` of support SP1 is 2001-01-01, before `supports[0].start` ")


@pytest.mark.parametrize("old, new", [
    ("    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3", "    start: [2026-09-07]\n    end: 2026-01-01\n  - id: SP3"),
    ("    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3", "    start: 2026-09-07\n    end: {d: 1}\n  - id: SP3"),
    ("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective: [2026-09-03, 2025-01-01]\n"),
    ("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective:\n  start: 2026-02-30\n  end: 2026-01-01\n"),
    ("supports:\n  - id: SP1", "supports:\n  - 7\n  - id: SP1"),
])
def test_t206_pairs_of_the_wrong_shape_are_the_schemas_and_never_a_crash(repo, old, new):
    repo.edit(ELENA_PLAN, old, new)
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "T206" and "ends on or after the day it starts" in f.message]


def test_t206_member_pairs_of_the_wrong_shape_never_crash(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "holds: [3, {start: x, end: 2026-01-01}, {start: 2026-10-10, end: "
              "[2026-10-01]}]\nstatus: active\n")
    repo.edit(DANNY_MEMBER, "    to: 2026-03-31\n", "    to: {date: 2025-12-01}\n")
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "T206" and "ends on or after the day it starts" in f.message]


# ---------------------------------------------------------------- L112: an objective within its goal and plan

OBJECTIVE_G1 = "        target_date: 2026-12-31\n  - id: G2"


def test_l112_an_objective_due_after_its_goal(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-04-15\n  - id: G2")
    assert found(repo, "L112") == [("L112",) + where(repo, ELENA_PLAN, "2027-04-15") + (
        "objective G1.1 of goal G1 is due 2027-04-15, after its goal's target date (2027-03-31); an objective is a "
        "step toward its goal: set it on or before the goal's date, or move the goal's",)]


def test_l112_an_objective_on_its_goals_date_and_the_plans_last_day_is_in_order(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-03-31\n  - id: G2")
    assert found(repo, "L112") == []
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2027-09-02\n    status: active\n    objectives:\n      - id: G2.1")
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2027-09-02\n  - id: G3")
    assert found(repo, "L112") == []


def test_l112_an_objective_due_after_its_goal_and_after_the_plans_end_is_two_findings(repo):
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2027-09-30\n  - id: G3")
    at = where(repo, ELENA_PLAN, "2027-09-30")
    assert found(repo, "L112") == [
        ("L112",) + at + ("objective G2.1 of goal G2 is due 2027-09-30, after its goal's target date (2027-08-31); "
                          "an objective is a step toward its goal: set it on or before the goal's date, or move the "
                          "goal's",),
        ("L112",) + at + ("objective G2.1 of goal G2 is due 2027-09-30, outside the plan's effective period "
                          "(2026-09-03 to 2027-09-02); an objective is a step of this plan: set its date within the "
                          "period (a goal may reach beyond it)",)]


def test_l112_an_objective_due_before_the_plan_starts(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2026-08-31\n  - id: G2")
    (finding,) = found(repo, "L112")
    assert finding[1:4] == where(repo, ELENA_PLAN, "2026-08-31")
    assert "outside the plan's effective period (2026-09-03 to 2027-09-02)" in finding[4]


def test_l112_a_goal_may_reach_beyond_the_plan_year(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G3.1",
              "    target_date: 2028-06-30\n    status: active\n    objectives:\n      - id: G3.1")
    assert found(repo, "L112", "T206", "T202") == []


def test_l112_an_objective_already_achieved_or_of_a_goal_on_hold_is_not_judged(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-04-15\n        status: achieved\n  - id: G2")
    assert found(repo, "L112") == []
    repo.edit(ELENA_PLAN, "        status: achieved\n", "")
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n",
              "    target_date: 2027-03-31\n    status: on_hold\n")
    assert found(repo, "L112") == []


def test_l112_without_an_effective_end_only_the_start_bounds_an_objective(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02\n", "  start: 2026-09-03\n")
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2028-08-31\n    status: active\n    objectives:\n      - id: G2.1")
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2028-02-28\n  - id: G3")
    assert found(repo, "L112") == []


def test_l112_a_revision_judges_objectives_against_its_own_period(repo):
    # a draft revision starting 2027-01-20: G1.1 (2026-12-31) is before it starts, carried forward unchanged
    revision = "members/M-000123/plan-2027-01-20.yaml"
    text = repo.read(ELENA_PLAN).replace("id: P1", "id: P2")
    text = text.replace("date: 2026-09-03\ntype: initial", "date: 2027-01-20\ntype: revision")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", "  start: 2027-01-20\n  end: 2028-01-19")
    repo.write(revision, text)
    assert [(f[1],) + f[2:4] for f in found(repo, "L112", today=date(2027, 1, 10))] == [
        where(repo, revision, "2026-12-31")]


@pytest.mark.parametrize("new", ["        target_date: [2027-04-15]\n  - id: G2",
                                 "        target_date: 2027-02-30\n  - id: G2",
                                 "        target_date: 20270415\n  - id: G2"])
def test_l112_a_target_of_the_wrong_shape_is_the_schemas_and_never_a_crash(repo, new):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, new)
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "L112" and "is due" in f.message]
