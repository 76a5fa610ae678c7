"""A603 (every case-management duty needs the training, judged on the day of the duty) and A605
(conflict of interest by organization, legal forms aside): a passing case, a failing case and the
situations a caseload produces (revisions, drafts, guardians, transfers, re-enrollment), each with the exact
position of the finding."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import DANNY_PLAN, ELENA_ASSESSMENT, ELENA_PLAN, found, where
from pcplan.rules import RULES
from pcplan.rules.staff import organization_key
from test_lifecycle import ABDI_MEMBER, ELENA_REVISION, reenroll_abdi, revision

STAFF = "staff.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"
ELENA_NOTES = ("members/M-000123/notes/2026-10-01.yaml", "members/M-000123/notes/2026-10-29.yaml",
               "members/M-000123/notes/2026-11-18.yaml")
TRAINED = ("person-centered-support-planning, disability-and-cultural-competency, "
           "hcbs-settings-and-rights-modifications")


def new_staff(repo, member_rights_on: str | None = "2026-11-10") -> None:
    """cm-new: hired 2026-06-01, every module done by 2026-07-01 except member-rights (done on
    ``member_rights_on``, or never)."""
    rights = f"      - {{module: member-rights, completed_on: {member_rights_on}}}\n" if member_rights_on else ""
    repo.write(STAFF, repo.read(STAFF) + (
        "  - id: cm-new\n    name: Kim Tran\n    role: case_manager\n    hire_date: 2026-06-01\n    trainings:\n"
        "      - {module: person-centered-support-planning, completed_on: 2026-06-20}\n"
        "      - {module: disability-and-cultural-competency, completed_on: 2026-06-25}\n"
        "      - {module: hcbs-settings-and-rights-modifications, completed_on: 2026-07-01}\n" + rights))


def test_reference_members_have_none_of_these_findings(repo):
    assert found(repo, "A603", "A605") == []
    assert found(repo, "A603", "A605", today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("code", ["A603", "A605"])
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


# ---------------------------------------------------------------- A603: note authors

def test_notes_by_an_untrained_author_are_one_finding_at_the_first_saying_how_many(repo):
    new_staff(repo)
    for note in ELENA_NOTES:
        repo.edit(note, "staff: cm-jlee", "staff: cm-new")
    first = ELENA_NOTES[0]
    # the note of 2026-11-18 came after member-rights was completed (2026-11-10): it does not count
    assert found(repo, "A603") == [("A603",) + where(repo, first, "cm-new") + (
        "`cm-new` wrote this note on 2026-10-01 without the required training: member-rights (completed "
        "2026-11-10); this is the first of 2 notes they wrote in this member's record before their training was "
        "complete; have a trained staff member carry the contacts, or record the training in staff.yaml",)]
    # the note file alone (an editor, a pre-commit hook) reports it too
    assert [f.code for f in repo.check(first, select=("A603",))] == ["A603"]


def test_a_single_untrained_note_says_no_count_and_training_on_the_day_of_the_note_counts(repo):
    new_staff(repo, member_rights_on="2026-10-29")
    for note in ELENA_NOTES:
        repo.edit(note, "staff: cm-jlee", "staff: cm-new")
    assert found(repo, "A603") == [("A603",) + where(repo, ELENA_NOTES[0], "cm-new") + (
        "`cm-new` wrote this note on 2026-10-01 without the required training: member-rights (completed "
        "2026-10-29); have a trained staff member carry the contacts, or record the training in staff.yaml",)]
    new_staff_trained = repo.read(STAFF).replace("completed_on: 2026-10-29", "completed_on: 2026-10-01")
    repo.write(STAFF, new_staff_trained)
    assert found(repo, "A603") == []


def test_each_untrained_person_and_each_member_is_its_own_finding(repo):
    new_staff(repo, member_rights_on=None)
    repo.edit(ELENA_NOTES[0], "staff: cm-jlee", "staff: cm-new")
    danny_note = "members/M-000207/notes/2026-06-18.yaml"
    repo.edit(danny_note, "staff: cm-obello", "staff: cm-new")
    assert [(p, line, col) for _, p, line, col, _ in found(repo, "A603")] == [
        where(repo, ELENA_NOTES[0], "cm-new"), where(repo, danny_note, "cm-new")]


# ---------------------------------------------------------------- A603: the plan's monitor

def test_the_monitor_is_judged_on_the_plans_consent_date(repo):
    new_staff(repo, member_rights_on="2026-09-15")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee", "  responsible: cm-new")
    assert found(repo, "A603") == [("A603",) + where(repo, ELENA_PLAN, "responsible: cm-new", 13) + (
        "`cm-new`, named to monitor plan P1 (`monitoring.responsible`), had not completed the required training "
        "when the plan was consented on 2026-09-03: member-rights (completed 2026-09-15); name a trained staff "
        "member to monitor the plan or record the training in staff.yaml",)]
    # Elena signed later than the plan's date, after the training: the monitor was trained at consent
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}",
              "  - {role: member, name: Elena, signed_on: 2026-09-16, method: wet}")
    assert found(repo, "A603") == []


def test_with_a_guardian_the_monitor_is_judged_on_the_guardians_signature(repo):
    # Danny signed on 2026-05-20, his guardian on 2026-05-26: the plan was consented on 2026-05-26
    repo.edit(DANNY_PLAN, "name: Grace Kim, signed_on: 2026-05-20", "name: Grace Kim, signed_on: 2026-05-26")
    repo.edit(STAFF, "{module: member-rights, completed_on: 2025-11-17}",
              "{module: member-rights, completed_on: 2026-05-25}")
    kinds = [(p, message.split(" ")[1]) for _, p, _, _, message in found(repo, "A603")]
    # the assignment (2026-04-01) and the assessment (2026-05-06) came before the training; the monitor did not
    assert kinds == [("members/M-000207/assessment-2026-05-06.yaml", "assessed"), (DANNY_MEMBER, "manager")]
    repo.edit(STAFF, "completed_on: 2026-05-25}", "completed_on: 2026-05-27}")
    monitor = [f for f in found(repo, "A603") if f[1] == DANNY_PLAN]
    assert monitor == [("A603",) + where(repo, DANNY_PLAN, "responsible: cm-obello", 13) + (
        "`cm-obello`, named to monitor plan P1 (`monitoring.responsible`), had not completed the required training "
        "when the plan was consented on 2026-05-26: member-rights (completed 2026-05-27); name a trained staff "
        "member to monitor the plan or record the training in staff.yaml",)]


def test_a_draft_revisions_monitor_is_judged_on_the_plans_date(repo):
    new_staff(repo, member_rights_on="2027-02-01")
    revision(repo)  # a draft P2 dated 2027-01-20
    repo.edit(ELENA_REVISION, "  responsible: cm-jlee", "  responsible: cm-new")
    today = date(2027, 2, 10)
    assert found(repo, "A603", today=today) == [("A603",) + where(repo, ELENA_REVISION, "responsible: cm-new", 13) + (
        "`cm-new`, named to monitor plan P2 (`monitoring.responsible`), had not completed the required training "
        "by the plan's date, 2027-01-20 (it is not yet consented): member-rights (completed 2027-02-01); name a "
        "trained staff member to monitor the plan or record the training in staff.yaml",)]


def test_a_superseded_plan_still_counts_and_an_abandoned_old_draft_does_not(repo):
    new_staff(repo, member_rights_on="2026-12-01")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee", "  responsible: cm-new")
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    repo.edit(ELENA_REVISION, "  responsible: cm-new", "  responsible: cm-jlee")
    today = date(2027, 2, 10)  # P1 is superseded by P2; its monitor was untrained when it was consented
    assert [at_ for _, *at_, _ in found(repo, "A603", today=today)] == [
        list(where(repo, ELENA_PLAN, "responsible: cm-new", 13))]
    # an older draft that was never signed: nobody monitored it
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    assert found(repo, "A603", today=today) == []


# ---------------------------------------------------------------- A603: facilitator and assessor

def test_a_staff_facilitator_is_judged_on_the_meeting_date_and_the_member_never(repo):
    new_staff(repo)
    repo.edit(ELENA_PLAN, "  facilitator: cm-jlee", "  facilitator: cm-new")
    assert found(repo, "A603") == [("A603",) + where(repo, ELENA_PLAN, "facilitator: cm-new", 13) + (
        "`cm-new` facilitated the planning meeting of plan P1 on 2026-09-03 without the required training: "
        "member-rights (completed 2026-11-10); have a trained staff member (or the member) facilitate, or record "
        "the training in staff.yaml",)]
    repo.edit(ELENA_PLAN, "  facilitator: cm-new", "  facilitator: member")
    assert found(repo, "A603") == []


def test_the_assessor_is_judged_on_the_assessment_date(repo):
    new_staff(repo)
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-new")
    assert found(repo, "A603") == [("A603",) + where(repo, ELENA_ASSESSMENT, "cm-new") + (
        "`cm-new` assessed the member on 2026-08-20 without the required training: member-rights (completed "
        "2026-11-10); have a trained staff member assess, or record the training in staff.yaml",)]


# ---------------------------------------------------------------- A603: assignments, transfers, re-enrollment

def test_a_transfer_to_an_untrained_case_manager_is_reported_at_the_new_assignment(repo):
    new_staff(repo)
    repo.edit(DANNY_MEMBER, "  - staff: cm-obello\n    from: 2026-04-01\n",
              "  - staff: cm-new\n    from: 2026-10-01\n")
    assert found(repo, "A603", paths=(DANNY_MEMBER,)) == [("A603",) + where(repo, DANNY_MEMBER, "cm-new") + (
        "case manager `cm-new` had not completed the required training before this assignment began on "
        "2026-10-01: member-rights (completed 2026-11-10); assign a trained case manager or record the training in "
        "staff.yaml",)]


def test_a_reenrolled_member_is_judged_on_the_new_assignment_only(repo):
    new_staff(repo)
    reenroll_abdi(repo, on="2026-11-02")
    repo.edit(ABDI_MEMBER, "status: active", "  - staff: cm-new\n    from: 2026-11-02\n    assigned_by: sup-amartin\n"
              "    reason: Abdi came back after his move fell through.\nstatus: active")
    assert [tuple(f[1:4]) for f in found(repo, "A603")] == [where(repo, ABDI_MEMBER, "cm-new")]
    repo.edit(ABDI_MEMBER, "    from: 2026-11-02\n", "    from: 2026-11-12\n")  # after member-rights (2026-11-10)
    assert found(repo, "A603") == []


def test_nothing_is_judged_without_required_trainings_or_for_an_unknown_id(repo):
    new_staff(repo)
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-nobody")  # A602's finding, not A603's
    assert found(repo, "A603") == []
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-nobody", "assessor: cm-new")
    text = repo.read("pcplan.toml")
    repo.write("pcplan.toml", text[:text.index("required_trainings")] + text[text.index("plain_language_grade"):])
    assert found(repo, "A603") == []


# ---------------------------------------------------------------- A605: organizations

@pytest.mark.parametrize("a, b, same", [
    ("Riverside Supports, Inc.", "riverside supports", True),
    ("Riverside Supports L.L.C.", "Riverside  Supports", True),
    ("RIVERSIDE SUPPORTS CORP.", "Riverside Supports Corporation", True),
    ("Riverside Supports Co., Ltd.", "Riverside Supports PLLC", True),
    ("The Riverside Supports", "Riverside Supports LLC", True),
    ("Smith & Sons Home Care", "Smith and Sons Home Care, Inc.", True),
    ("Riverside Supports", "Riverside Supported Living", False),
    ("Riverside Supports Inc", "Riverside Supports West", False),
])
def test_organization_names_are_compared_without_legal_forms_or_punctuation(a, b, same):
    assert (organization_key(a) == organization_key(b)) is same


def test_a_provider_that_is_the_case_managers_organization_with_another_legal_form_conflicts(repo):
    repo.edit(STAFF, "    hire_date: 2025-09-02\n", "    hire_date: 2025-09-02\n    organization: Pathways Supported "
              "Employment, Inc.\n")
    repo.edit(DANNY_PLAN, "    provider: Pathways Supported Employment\n",
              "    provider: pathways supported employment llc\n")
    assert found(repo, "A605") == [("A605",) + where(repo, DANNY_PLAN, "pathways supported employment llc") + (
        "the provider of paid support `SP2` is the organization of the responsible case manager (`cm-obello`); "
        "case management must be free of conflicts of interest: choose another provider with the member or "
        "document an exception",)]


def test_a_similar_name_is_another_organization(repo):
    repo.edit(STAFF, "    hire_date: 2025-09-02\n", "    hire_date: 2025-09-02\n    organization: Pathways Supports\n")
    assert found(repo, "A605") == []  # Danny's provider is Pathways Supported Employment


def test_the_agency_is_found_in_staff_yaml_else_in_pcplan_toml(repo):
    repo.edit(ELENA_PLAN, "    provider: Sunrise Home Care\n", "    provider: Riverside Case Management Agency, Inc.\n")
    expected = [("A605",) + where(repo, ELENA_PLAN, "Riverside Case Management Agency, Inc.") + (
        "the provider of paid support `SP2` is the case management agency itself; case management must be free "
        "of conflicts of interest: choose another provider with the member or document an exception",)]
    assert found(repo, "A605") == expected
    repo.edit(STAFF, "organization: Riverside Case Management Agency\n", "")
    assert found(repo, "A605") == expected  # pcplan.toml's `agency`
    repo.edit("pcplan.toml", 'agency = "Riverside Case Management Agency"\n', "")
    assert found(repo, "A605") == []


def test_a_consented_revision_in_effect_is_judged_and_a_draft_is_not(repo):
    repo.edit(STAFF, "    hire_date: 2024-05-01\n",
              "    hire_date: 2024-05-01\n    organization: Sunrise Home Care Co.\n")
    revision(repo)  # a draft P2 still carrying Sunrise Home Care: P1 is in effect, and it has the same provider
    today = date(2027, 2, 10)
    assert [f[1] for f in found(repo, "A605", today=today)] == [ELENA_PLAN]
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25, method: wet}\n")
    assert [tuple(f[1:4]) for f in found(repo, "A605", today=today)] == [
        where(repo, ELENA_REVISION, "Sunrise Home Care\n")]
