"""L101–L109: each rule fires at the exact node on a one-edit copy of the reference, and not on the clean one."""

from __future__ import annotations

from conftest import ELENA_ASSESSMENT, ELENA_NOTE, ELENA_PLAN, at, only


def test_reference_repository_is_clean(repo):
    assert repo.check() == []


# L101 goal-without-need

def test_l101_empty_needs_points_at_the_list(repo):
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "    needs: []\n")
    finding = only(repo.check(), "L101")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "needs: []", offset=7))
    assert "G2" in finding.message


def test_l101_missing_needs_points_at_the_goal(repo):
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "")
    findings = repo.check()
    assert at(only(findings, "L101")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G2"))


# L102 unknown-reference

def test_l102_goal_need_that_is_not_assessed(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3, N9]\n")
    findings = repo.check()
    finding = only(findings, "L102")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "N9"))
    assert "N9" in finding.message and "assessment A1" in finding.message


def test_l102_every_kind_of_reference(repo):
    repo.edit(ELENA_PLAN, "    strengths: [S1, S3]\n", "    strengths: [S1, S7]\n")
    repo.edit(ELENA_PLAN, "    goals: [G3]\n    amount: 4\n", "    goals: [G8]\n    amount: 4\n")
    repo.edit(ELENA_PLAN, "  - barrier: B1\n", "  - barrier: B4\n")
    repo.edit(ELENA_PLAN, "  - risk: R1\n", "  - risk: R5\n")
    repo.edit(ELENA_NOTE, "  - goal: G3\n", "  - goal: G6\n")
    repo.edit(ELENA_ASSESSMENT, "    needs: [N1]\n", "    needs: [N8]\n")
    l102 = sorted(at(f) for f in repo.check() if f.code == "L102")
    expected = sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "S7")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "G8")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "B4")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "R5")),
        (ELENA_NOTE, *repo.locate(ELENA_NOTE, "G6")),
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "N8")),
    ])
    assert l102 == expected


def test_l102_plan_names_an_assessment_that_does_not_exist(repo):
    repo.edit(ELENA_PLAN, "assessment: A1\n", "assessment: A2\n")
    finding = only(repo.check(), "L102")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "A2"))


# L103 need-unaddressed

def test_l103_need_no_goal_addresses(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    finding = only(repo.check(), "L103")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n"))  # in the plan, where the fix is made
    assert finding.message == ("need N4 of assessment A1 is not addressed by any goal of this plan nor deferred "
                               "with a reason; add it to a goal's `needs`, or to `deferred_needs` with the reason")
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: N4"), "need N4 in assessment A1")]


def test_l103_deferred_need_with_reason_is_addressed(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    repo.edit(ELENA_PLAN, "deferred_needs: []\n",
              "deferred_needs:\n  - need: N4\n    reason: Elena wants to wait until spring.\n")
    assert repo.check() == []


def test_l103_deferred_need_without_reason(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    repo.edit(ELENA_PLAN, "deferred_needs: []\n", "deferred_needs:\n  - need: N4\n")
    finding = only(repo.check(), "L103")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "need: N4"))


# L104 support-without-goal

def test_l104_support_with_no_goals(repo):
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")
    findings = repo.check()
    assert at(only(findings, "L104")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals: []", offset=7))


# L105 goal-without-support

def test_l105_active_goal_without_support(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    finding = only(repo.check(), "L105")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G2"))


def test_l105_achieved_goal_needs_no_support(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2027-08-31\n    status: achieved\n    objectives:\n      - id: G2.1")
    assert "L105" not in repo.codes()


# L106 risk-unmitigated

def test_l106_assessed_risk_without_mitigation(repo):
    text = repo.read(ELENA_PLAN)
    start = text.index("risk_mitigations:")
    end = text.index("rights_modifications:")
    repo.write(ELENA_PLAN, text[:start] + "risk_mitigations: []\n" + text[end:])
    finding = only(repo.check(), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "risk_mitigations: []"))
    assert finding.message == "risk R1 of assessment A1 has no mitigation in this plan; add a `risk_mitigations` " \
        "entry for it"
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: R1"), "risk R1 in assessment A1")]


def test_l106_entry_without_mitigation_text(repo):
    repo.edit(ELENA_PLAN, "    mitigation: Grab bars and a shower chair are installed; the aide is present during bathing.\n", "")
    finding = only(repo.check(), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "risk: R1"))


# L107 barrier-without-strategy

def test_l107_barrier_without_strategy(repo):
    repo.edit(ELENA_PLAN, "strategies:\n  - barrier: B1\n    text: The case manager asks the pharmacy for labels and instructions in Spanish.\n",
              "strategies: []\n")
    finding = only(repo.check(), "L107")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "strategies: []"))
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: B1"), "barrier B1 in assessment A1")]


# L108 strengths-unused

def test_l108_no_goal_draws_on_a_strength(repo):
    for old in ("    strengths: [S1]\n", "    strengths: [S2]\n", "    strengths: [S1, S3]\n"):
        repo.edit(ELENA_PLAN, old, "")
    finding = only(repo.check(), "L108")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n"))


# L109 support-unquantified

def test_l109_each_missing_quantity_is_its_own_finding(repo):
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-03-31\n",
              "    start: 2026-09-07\n")
    findings = [f for f in repo.check() if f.code == "L109"]
    assert len(findings) == 2
    position = (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: SP1"))
    assert {at(f) for f in findings} == {position}
    assert sorted(f.message for f in findings) == [
        "support SP1 does not say how often (`frequency`)",
        "support SP1 does not say when it ends (`end`)",
    ]


def test_linkage_rules_ignore_superseded_plans(repo):
    """An older plan is history: only the plan in effect (and newer drafts) is judged."""
    old = repo.read(ELENA_PLAN).replace("date: 2026-09-03\ntype: initial", "date: 2026-08-25\ntype: initial")
    old = old.replace("id: P1\n", "id: P0\n").replace("    needs: [N2]\n", "    needs: []\n")
    repo.write("members/M-000123/plan-2026-08-25.yaml", old)
    assert "L101" not in repo.codes()


def test_l102_never_repeats_free_text_typed_where_an_id_belongs(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3, N4, Elena's loneliness on weekdays]\n")
    messages = [f.message for f in repo.check() if f.code == "L102"]
    assert messages == ["need (not an id) is not in assessment A1"]
