"""L111 (backup plan for every high risk), L112 (measurable goals) and A607 (eligibility recorded): a passing
case, a failing case and the situations a caseload produces (drafts, revisions, a closed case, a member
enrolled twice), each with the exact position of the finding."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import ABDI_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_PLAN, at, found, where
from pcplan.rules import RULES
from test_lifecycle import ELENA_REVISION, reenroll_abdi, revision

ABDI_MEMBER = "members/M-000301/member.yaml"
ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"
CODES = ("L111", "L112", "A607")
ELENA_BACKUP = "    backup_plan: If the aide cannot come, Rosa helps; Elena wears a medical alert pendant.\n"


def test_reference_members_have_none_of_the_new_findings(repo):
    assert found(repo, *CODES) == []
    assert found(repo, *CODES, today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("code", CODES)
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


# ---------------------------------------------------------------- L111

def test_high_risk_without_backup_plan_is_reported_at_its_mitigation_entry(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")
    assert found(repo, "L111") == [
        ("L111",) + where(repo, ELENA_PLAN, "- risk: R1", 2) +
        ("risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who steps in and what "
         "they do when the usual support fails",)]
    # the plan file alone (an editor, a pre-commit hook) reports it
    assert [f.code for f in repo.check(ELENA_PLAN, select=("L111",))] == ["L111"]


@pytest.mark.parametrize("backup", ["N/A", "none.", "'  TBD '", "See above",
                                    "Grab bars and a shower chair are installed; the aide is present during bathing."])
def test_placeholder_or_repeated_mitigation_is_not_an_individualized_backup_plan(repo, backup):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, f"    backup_plan: {backup}\n")
    (finding,) = [f for f in repo.check(select=("L111",)) if f.code == "L111"]
    assert at(finding) == where(repo, ELENA_PLAN, "backup_plan:", 13)
    assert "placeholder, or the mitigation repeated" in finding.message
    assert backup.strip() not in finding.message  # machine outputs carry no member text


def test_high_risk_with_no_entry_points_at_risk_mitigations_or_the_assessment_reference(repo):
    text = repo.read(ELENA_PLAN)
    start = text.index("  - risk: R1\n")
    repo.write(ELENA_PLAN, text[:start].replace("risk_mitigations:\n", "risk_mitigations: []\n")
               + text[text.index("rights_modifications:"):])
    message = ("risk R1, rated high in assessment A1, has no `risk_mitigations` entry with a backup plan; "
               "add one (`risk`, `mitigation`, `backup_plan`)")
    assert found(repo, "L111") == [("L111",) + where(repo, ELENA_PLAN, "risk_mitigations: []") + (message,)]
    assert "L106" in [f.code for f in repo.check()]  # the missing mitigation stays L106's finding
    repo.edit(ELENA_PLAN, "risk_mitigations: []\n", "")
    assert found(repo, "L111") == [("L111",) + where(repo, ELENA_PLAN, "assessment: A1", 12) + (message,)]


def test_only_risks_rated_high_need_a_backup_plan(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")
    repo.edit(ELENA_ASSESSMENT, "    level: high\n", "    level: medium\n")
    assert found(repo, "L111") == []


def test_a_second_entry_for_the_same_risk_may_carry_the_backup_plan(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "  - risk: R1\n    mitigation: A medical alert pendant.\n"
              "    backup_plan: If the aide cannot come, Rosa helps.\n")
    assert found(repo, "L111") == []


def test_a_draft_revision_is_judged_and_the_plan_in_effect_is_not_blamed_for_it(repo):
    revision(repo)  # an unsigned draft P2 dated 2027-01-20
    repo.edit(ELENA_REVISION, ELENA_BACKUP, "")
    assert [(c, p) for c, p, *_ in found(repo, "L111", today=date(2027, 2, 10))] == [("L111", ELENA_REVISION)]


def test_a_superseded_plan_is_history_and_not_rejudged(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")  # the old plan lacked it; the consented revision fixed it
    revision(repo, signatures="  - {role: member, name: Elena Martinez, signed_on: 2027-01-20, method: wet}\n")
    repo.edit(ELENA_REVISION, "    mitigation: Grab bars and a shower chair are installed; the aide is present "
              "during bathing.\n", "    mitigation: Grab bars and a shower chair are installed; the aide is "
              "present during bathing.\n" + ELENA_BACKUP)
    assert found(repo, "L111", today=date(2027, 2, 10)) == []
    assert [p for _, p, *_ in found(repo, "L111", today=date(2026, 11, 22))] == [ELENA_PLAN]


def test_a_closed_case_keeps_its_last_plan_judged_until_a_new_episode_begins(repo):
    repo.edit(ABDI_ASSESSMENT, "risks: []\n", "risks:\n  - id: R1\n    text: Works on cars alone at night.\n"
              "    level: high\n")
    repo.edit(ABDI_PLAN, "risk_mitigations: []\n",
              "risk_mitigations:\n  - risk: R1\n    mitigation: He works with a partner.\n")
    assert found(repo, "L111") == [("L111",) + where(repo, ABDI_PLAN, "- risk: R1", 2) + (
        "risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who steps in and what "
        "they do when the usual support fails",)]
    reenroll_abdi(repo)  # the old episode's plan is history in the new episode
    assert found(repo, "L111") == []


# ---------------------------------------------------------------- L112

def test_active_goal_without_target_date(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n", "")
    assert found(repo, "L112") == [("L112",) + where(repo, ELENA_PLAN, "- id: G1\n", 2) + (
        "active goal G1 has no target date (`target_date`); say by when it should be reached",)]


def test_objective_without_measure_or_target_date_one_finding_each(repo):
    repo.edit(ELENA_PLAN, "        measure: Weekly pill-organizer check by the home care aide.\n"
              "        target_date: 2026-12-31\n", "")
    position = where(repo, ELENA_PLAN, "- id: G1.1", 2)
    assert found(repo, "L112") == [
        ("L112",) + position + ("objective G1.1 of goal G1 does not say how progress is measured (`measure`)",),
        ("L112",) + position + ("objective G1.1 of goal G1 has no target date (`target_date`)",)]


def test_a_blank_measure_is_no_measure(repo):
    repo.edit(ELENA_PLAN, "        measure: Weekly pill-organizer check by the home care aide.\n",
              "        measure: '  '\n")
    assert [m for *_, m in found(repo, "L112")] == [
        "objective G1.1 of goal G1 does not say how progress is measured (`measure`)"]


def test_goals_and_objectives_no_longer_active_are_not_judged(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "    status: achieved\n")
    repo.edit(ELENA_PLAN, "        measure: Aide visit log and monthly call with Elena.\n"
              "        target_date: 2027-02-28\n", "        status: achieved\n")
    assert found(repo, "L112") == []


def test_a_goal_without_status_is_active_and_may_have_no_objectives(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "")
    text = repo.read(ELENA_PLAN)
    repo.write(ELENA_PLAN, text[:text.index("    objectives:\n      - id: G1.1")]
               + text[text.index("  - id: G2\n"):])
    assert [m for *_, m in found(repo, "L112")] == [
        "active goal G1 has no target date (`target_date`); say by when it should be reached"]


def test_l112_judges_a_draft_revision_and_a_closed_case_plan(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "        measure: Ride log and Elena's own report.\n", "")
    assert [(p, m) for _, p, *_, m in found(repo, "L112", today=date(2027, 2, 10))] == [
        # the revision (from 2027-01-20) carries G1.1 forward with its old date: outside its period (DESIGN L112)
        (ELENA_REVISION, "objective G1.1 of goal G1 is due 2026-12-31, outside the plan's effective period "
                         "(2027-01-20 to 2028-01-19); an objective is a step of this plan: set its date within the "
                         "period (a goal may reach beyond it)"),
        (ELENA_REVISION, "objective G3.1 of goal G3 does not say how progress is measured (`measure`)")]
    repo.edit(ABDI_PLAN, "    status: achieved\n", "    status: active\n", count=2)
    repo.edit(ABDI_PLAN, "    target_date: 2026-12-31\n", "")
    assert found(repo, "L112", paths=(ABDI_PLAN,)) == [("L112",) + where(repo, ABDI_PLAN, "- id: G2\n", 2) + (
        "active goal G2 has no target date (`target_date`); say by when it should be reached",)]


# ---------------------------------------------------------------- A607

ELENA_BASIS = ("      basis: Nursing-facility level of care met on the functional screen; county confirmed financial "
               "eligibility.\n")


def test_missing_element_is_reported_at_the_eligibility_mapping(repo):
    repo.edit(ELENA_MEMBER, ELENA_BASIS, "")
    assert found(repo, "A607") == [("A607",) + where(repo, ELENA_MEMBER, "eligibility:") + (
        "the enrollment in program `HCBS-EBD` (programs entry 1) does not record on what basis (`basis`)",)]


def test_no_eligibility_mapping_gives_one_finding_per_element_at_the_program(repo):
    text = repo.read(ELENA_MEMBER)
    repo.write(ELENA_MEMBER, text[:text.index("    eligibility:\n")] + text[text.index("    enrolled_on:"):])
    position = where(repo, ELENA_MEMBER, "- program: HCBS-EBD", 2)
    program = "the enrollment in program `HCBS-EBD` (programs entry 1) does not record "
    assert found(repo, "A607") == sorted([  # findings at one position are ordered by message
        ("A607",) + position + (program + "when eligibility was determined (`determined_on`)",),
        ("A607",) + position + (program + "who determined it (`determined_by`: a staff id or the outside body)",),
        ("A607",) + position + (program + "on what basis (`basis`)",)])


def test_a_member_enrolled_again_needs_the_new_determination_on_the_new_entry(repo):
    reenroll_abdi(repo)  # a second RSS-CM entry, enrolled 2026-11-02, with no eligibility
    findings = found(repo, "A607")
    assert {f[1:4] for f in findings} == {where(repo, ABDI_MEMBER, "- program: RSS-CM", 2, occurrence=2)}
    assert [f[4].split(" does not record ")[0] for f in findings] == [
        "the enrollment in program `RSS-CM` (programs entry 2)"] * 3
    repo.edit(ABDI_MEMBER, "  - program: RSS-CM\n    enrolled_on: 2026-11-02\n",
              "  - program: RSS-CM\n    eligibility:\n      determined_on: 2026-10-30\n"
              "      determined_by: Weld County Department of Human Services\n"
              "      basis: Still within five years of arrival.\n    enrolled_on: 2026-11-02\n")
    assert found(repo, "A607") == []


def test_a_closed_case_and_an_ended_program_are_still_judged(repo):
    repo.edit(ABDI_MEMBER, "      determined_by: cm-jlee\n", "")
    assert found(repo, "A607") == [("A607",) + where(repo, ABDI_MEMBER, "eligibility:") + (
        "the enrollment in program `RSS-CM` (programs entry 1) does not record who determined it "
        "(`determined_by`: a staff id or the outside body)",)]


def test_a_referral_awaiting_a_decision_is_not_judged(repo):
    repo.edit(ELENA_MEMBER, "rights_explained_on:", "  - program: HCBS-EBD-PENDING\n"
              "    referral_source: Her daughter\nrights_explained_on:")
    assert found(repo, "A607") == []


def test_a_program_written_as_free_text_is_not_repeated_in_the_message(repo):
    repo.edit(ELENA_MEMBER, "  - program: HCBS-EBD\n", "  - program: Elena's waiver for the elderly\n")
    repo.edit(ELENA_MEMBER, ELENA_BASIS, "")
    assert [m for *_, m in found(repo, "A607")] == [
        "the enrollment in this program (programs entry 1) does not record on what basis (`basis`)"]
