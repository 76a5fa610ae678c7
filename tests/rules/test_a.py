"""Tests of the A codes, the rules of staff: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import (
    ABDI_MEMBER,
    DANNY_MEMBER,
    DANNY_PLAN,
    ELENA_ASSESSMENT,
    ELENA_MEMBER,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    NEW_STAFF,
    REFERRED,
    STAFF,
    TODAY,
    at,
    case_of,
    codes_of,
    found,
    only,
    reenroll_abdi,
    referral,
    revision,
    where,
)
from pcplan.facts.lifecycle import case_manager_on, lifecycle, monitor_on
from pcplan.model import Document
from pcplan.rules import RULES
from pcplan.rules.staff import organization_key

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



def test_reference_repository_has_none_of_these_findings(repo):
    findings = repo.check()
    assert [f for f in findings if f.code[0] in "HAXN"] == []


# A601 no-case-manager

def test_a601_no_current_assignment(repo):
    repo.edit(DANNY_MEMBER, "    from: 2026-04-01\n", "    from: 2026-04-01\n    to: 2026-10-31\n")
    finding = only(repo.check(), "A601")
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "case_managers:"))


def test_a601_assignment_not_yet_begun_is_not_current(repo):
    repo.edit(ELENA_MEMBER, "    from: 2026-08-03\n", "    from: 2026-12-01\n")
    finding = only(repo.check(), "A601")
    assert at(finding) == (ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "case_managers:"))


def test_a601_no_case_managers_at_all_points_at_the_root(repo):
    text = repo.read(ELENA_MEMBER)
    repo.write(ELENA_MEMBER, text[:text.index("case_managers:")] + "status: active\n")
    assert at(only(repo.check(), "A601")) == (ELENA_MEMBER, 1, 1)


def test_a601_two_current_assignments(repo):
    repo.edit(DANNY_MEMBER, "    to: 2026-03-31\n", "")
    findings = repo.check()
    finding = only(findings, "A601")
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "staff: cm-obello"))
    assert "cm-jlee" in finding.message and "cm-obello" in finding.message
    # the earlier assignment now ends without `to` although a later one exists
    a606 = only(findings, "A606")
    assert at(a606) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "staff: cm-jlee"))
    assert "`to`" in a606.message


def test_a601_member_on_hold_is_not_checked(repo):
    repo.edit(DANNY_MEMBER, "    from: 2026-04-01\n", "    from: 2026-04-01\n    to: 2026-10-31\n")
    repo.edit(DANNY_MEMBER, "status: active\n", "status: on_hold\n")
    assert codes_of(repo.check(), "A601") == []


# A602 unknown-staff

def test_a602_unknown_staff_in_a_note(repo):
    repo.edit(ELENA_NOTE, "staff: cm-jlee\n", "staff: cm-jlle\n")
    finding = only(repo.check(), "A602")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "cm-jlle"))
    assert "`cm-jlle`" in finding.message and "staff.yaml" in finding.message


def test_a602_unknown_staff_in_monitoring_responsible(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-bello\n")
    finding = only(repo.check(), "A602")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "cm-bello"))


def test_a602_every_kind_of_reference(repo):
    repo.edit(DANNY_MEMBER, "    assigned_by: sup-amartin\n    chosen_by_member: true\n",
              "    assigned_by: sup-martin\n    chosen_by_member: true\n")
    repo.edit(DANNY_MEMBER, "      determined_by: cm-jlee\n", "      determined_by: cm-lee\n")
    repo.edit(DANNY_PLAN, "{date: 2026-08-13, by: cm-obello,", "{date: 2026-08-13, by: cm-obelo,")
    repo.edit(DANNY_PLAN, "staff: cm-obello, signed_on", "staff: cm-olu, signed_on")
    repo.edit(DANNY_PLAN, "role: supports coordinator, staff: cm-obello", "role: supports coordinator, staff: cm-ob")
    repo.edit(ELENA_PLAN, "  facilitator: cm-jlee\n", "  facilitator: cm-jl\n")
    assessment = "members/M-000207/assessment-2026-05-06.yaml"
    repo.edit(assessment, "assessor: cm-obello\n", "assessor: cm-x\n")
    found = sorted(at(f) for f in repo.check() if f.code == "A602")
    assert found == sorted([
        (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "sup-martin")),
        (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "cm-lee")),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "cm-obelo")),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "cm-olu")),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "cm-ob,")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "cm-jl\n")),
        (assessment, *repo.locate(assessment, "cm-x")),
    ])


def test_a602_outside_bodies_and_member_facilitator_are_not_staff_ids(repo):
    repo.edit(DANNY_MEMBER, "      determined_by: cm-jlee\n", "      determined_by: Weld County DHS\n")
    assert codes_of(repo.check(), "A602") == []  # Danny's plan already has `facilitator: member`


def test_a602_checks_superseded_plans_too(repo):
    old = repo.read(ELENA_PLAN).replace("date: 2026-09-03\ntype: initial", "date: 2026-08-25\ntype: initial")
    old = old.replace("id: P1\n", "id: P0\n").replace("  responsible: cm-jlee\n", "  responsible: cm-gone\n")
    older = "members/M-000123/plan-2026-08-25.yaml"
    repo.write(older, old)
    finding = only(repo.check(), "A602")
    assert at(finding) == (older, *repo.locate(older, "cm-gone"))


def test_a602_without_staff_yaml_reports_each_reference(repo):
    repo.path(STAFF).unlink()
    findings = codes_of(repo.check(), "A602")
    assert (ELENA_NOTE, *repo.locate(ELENA_NOTE, "cm-jlee")) in {at(f) for f in findings}
    assert len(findings) > 10
    assert all("no staff.yaml" in f.message for f in findings)


# A603 untrained-assignment

def test_a603_assignment_before_training_completed(repo):
    repo.edit(DANNY_MEMBER, "    from: 2026-04-01\n", "    from: 2025-10-01\n")
    finding = only(repo.check(), "A603")
    # reported at the staff reference of the assignment (the other duties are tested further down this module)
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "cm-obello"))
    assert "`cm-obello`" in finding.message and "2025-10-01" in finding.message
    assert "member-rights (completed 2025-11-17)" in finding.message


def test_a603_training_never_completed(repo):
    repo.edit(STAFF, "      - {module: member-rights, completed_on: 2025-11-17}\n", "")
    findings = codes_of(repo.check(), "A603")
    # every duty of cm-obello in Danny's record: the assignment, the assessment, the plan monitored, the notes
    assessment, note = "members/M-000207/assessment-2026-05-06.yaml", "members/M-000207/notes/2026-06-18.yaml"
    assert [at(f) for f in findings] == [
        (assessment, *repo.locate(assessment, "cm-obello")), (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "cm-obello")),
        (note, *repo.locate(note, "cm-obello")), (DANNY_PLAN, *repo.locate(DANNY_PLAN, "responsible: cm-obello", 13))]
    assert all("member-rights (not completed)" in f.message for f in findings)


def test_a603_needs_required_trainings_configured(repo):
    text = repo.read("pcplan.toml")
    start = text.index("required_trainings")
    repo.write("pcplan.toml", text[:start] + text[text.index("plain_language_grade"):])
    repo.edit(DANNY_MEMBER, "    from: 2026-04-01\n", "    from: 2025-10-01\n")
    assert codes_of(repo.check(), "A603") == []


def test_a604_past_the_deadline_with_a_module_missing(repo):
    repo.write(STAFF, repo.read(STAFF) + NEW_STAFF)
    findings = repo.check()
    finding = only(findings, "A604")  # cm-new (hired 2026-10-01) is still within 120 days
    assert at(finding) == (STAFF, *repo.locate(STAFF, "id: cm-late"))
    assert finding.member is None
    assert "`cm-late`" in finding.message and "2026-09-29" in finding.message
    assert "member-rights" in finding.message and "hcbs" not in finding.message


def test_a604_staff_who_left_are_not_checked(repo):
    repo.write(STAFF, repo.read(STAFF) + NEW_STAFF.replace("    hire_date: 2026-06-01\n",
                                                          "    hire_date: 2026-06-01\n    left_on: 2026-09-01\n"))
    assert codes_of(repo.check(), "A604") == []


def test_a604_within_the_deadline(repo):
    repo.write(STAFF, repo.read(STAFF) + NEW_STAFF)
    assert codes_of(repo.check(today=date(2026, 9, 29)), "A604") == []


# A605 conflict-of-interest

def test_a605_provider_is_the_responsible_case_manager(repo):
    repo.edit(DANNY_PLAN, "    provider: Pathways Supported Employment\n", "    provider: olu  Bello\n")
    finding = only(repo.check(), "A605")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "olu  Bello"))
    assert "SP2" in finding.message and "`cm-obello`" in finding.message and "Bello" not in finding.message


def test_a605_provider_is_the_case_managers_organization(repo):
    repo.edit(STAFF, "    hire_date: 2025-09-02\n",
              "    hire_date: 2025-09-02\n    organization: Pathways Supported Employment\n")
    finding = only(repo.check(), "A605")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "Pathways Supported Employment\n"))
    assert "organization" in finding.message


def test_a605_provider_is_the_agency_itself(repo):
    repo.edit(ELENA_PLAN, "    provider: Sunrise Home Care\n", "    provider: Riverside Case Management Agency\n")
    finding = only(repo.check(), "A605")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "Riverside Case Management Agency"))
    assert "agency" in finding.message


def test_a605_responsible_from_the_current_assignment(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "")
    repo.edit(DANNY_PLAN, "    provider: Pathways Supported Employment\n", "    provider: Olu Bello\n")
    assert at(only(repo.check(), "A605")) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "Olu Bello\n"))


def test_a605_unpaid_support_is_no_conflict(repo):
    repo.edit(DANNY_PLAN, "    provider: Grace Kim (mother)\n", "    provider: Olu Bello\n")
    assert codes_of(repo.check(), "A605") == []


# A606 change-undocumented

def test_a606_change_without_reason(repo):
    repo.edit(DANNY_MEMBER, "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n", "")
    finding = only(repo.check(), "A606")
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "staff: cm-obello"))
    assert "`cm-obello`" in finding.message and "reason" in finding.message


def test_a606_blank_reason_points_at_it(repo):
    repo.edit(DANNY_MEMBER, "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n", "    reason: \" \"\n")
    finding = only(repo.check(), "A606")
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "reason: \" \"", offset=8))


def test_a606_first_assignment_needs_no_reason(repo):
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\n", "")
    assert codes_of(repo.check(), "A606") == []


ELENA_NOTES = ("members/M-000123/notes/2026-10-01.yaml", "members/M-000123/notes/2026-10-29.yaml",
               "members/M-000123/notes/2026-11-18.yaml")


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


ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"


def test_the_witness_is_a_staff_id_a602_knows(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: true, "
              "declined_reason: Signs nothing., witnessed_by: cm-nobody}\n")
    assert [f[1:4] for f in found(repo, "A602")] == [where(repo, ELENA_PLAN, "cm-nobody")]




def hold(repo, entry: str, status: str = "on_hold", member: str = ELENA_MEMBER) -> None:
    """member.yaml records one hold (a flow mapping's inside) and ``status``."""
    repo.edit(member, "status: active", f"holds:\n  - {{{entry}}}\nstatus: {status}")


def test_a602_checks_who_recorded_a_hold(repo):
    hold(repo, "start: 2026-11-10, kind: travel, reason: Away., recorded_by: cm-nobody")
    assert [f[1:4] for f in found(repo, "A602")] == [where(repo, ELENA_MEMBER, "cm-nobody")]


# ---------------------------------------------------------------- a member who is only referred

def test_a_member_only_referred_is_judged_by_the_schema_and_a607_only(repo):
    referral(repo)
    codes = [f.code for f in repo.check(REFERRED)]
    assert codes == ["A607"]  # eligibility has no basis yet; nothing else is asked of a referral
    (finding,) = repo.check(REFERRED)
    assert (finding.path, finding.line, finding.column) == where(repo, f"{REFERRED}/member.yaml", "eligibility")


def test_once_enrolled_every_rule_judges_the_member(repo):
    referral(repo, status="active", enrolled="    enrolled_on: 2026-11-14\n")
    codes = {f.code for f in repo.check(REFERRED)}
    assert {"A607", "C306", "C307", "A601", "P403"} <= codes


def test_a_schema_error_of_a_referral_is_still_reported(repo):
    referral(repo)
    repo.edit(f"{REFERRED}/member.yaml", "status: referred", "status: referred\nfavourite_colour: blue")
    assert sorted(f.code for f in repo.check(REFERRED)) == ["A607", "E004"]


ELENA_NOTE_NOV18 = "members/M-000123/notes/2026-11-18.yaml"

HIRED = {"sup-amartin": "2019-08-12", "cm-jlee": "2024-05-01", "cm-obello": "2025-09-02"}


def left(repo, staff_id: str, day: str) -> None:
    """staff.yaml: ``staff_id`` left the agency on ``day``."""
    hired = f"    hire_date: {HIRED[staff_id]}\n"
    repo.edit(STAFF, hired, hired + f"    left_on: {day}\n")


def transfer_elena(repo, to: str = "cm-obello", on: str = "2026-11-02", extra: str = "") -> None:
    """Elena's case moves from cm-jlee (ended the day before ``on``) to ``to``."""
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              f"    reason: Initial assignment.\n    to: {day_before(on)}\n  - staff: {to}\n    from: {on}\n"
              f"    assigned_by: sup-amartin\n    reason: Jordan Lee left the agency.\n{extra}status: active")


def day_before(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() - 1).isoformat()


def staff_by_id(repo) -> dict:
    """staff.yaml as pcplan reads it (dates kept as text)."""
    staff = Document.load(repo.path(STAFF), STAFF)
    return {person["id"]: person for _, person in staff.items("staff")}


# ---------------------------------------------------------------- the reference records

def test_reference_members_have_none_of_these_findings_staff_transfers(repo):
    assert found(repo, "A601", "A602", "A606", "A608", "A609", "C309", "T209") == []


@pytest.mark.parametrize("code", ["A608", "A609"])
def test_documentation_states_the_rule_and_its_example_parses(code):
    rule = RULES[code]
    assert rule.why and rule.fix and yaml.safe_load(rule.example)
    assert rule.source.startswith({"A608": "42 CFR 441.301(c)(2)(xi)", "A609": "CMHPSM"}[code])
    assert rule.severity == {"A608": "warning", "A609": "error"}[code]


def test_case_manager_means_whoever_is_assigned_that_day(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    transfer_elena(repo)
    case = case_of(repo, "members/M-000123")
    plan = lifecycle(case, TODAY).plan_in_effect
    assert monitor_on(plan, case.member, {}, date(2026, 10, 1)) == "cm-jlee"
    assert monitor_on(plan, case.member, {}, date(2026, 11, 2)) == "cm-obello"
    assert monitor_on(plan, case.member, {}, date(2026, 8, 2)) is None  # before any assignment


def test_a605_reads_case_manager_as_the_current_assignment(repo):
    repo.edit(STAFF, "    name: Jordan Lee\n", "    name: Jordan Lee\n    organization: Sunrise Home Care\n")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    provider = where(repo, ELENA_PLAN, "Sunrise Home Care", occurrence=1)
    assert [f[:4] for f in found(repo, "A605")] == [("A605",) + provider]
    transfer_elena(repo)  # cm-obello, with no such organization, is the case manager today
    assert found(repo, "A605") == []


# ---------------------------------------------------------------- A608 monitor-not-assigned

def test_a608_a_plan_naming_the_previous_case_manager_after_a_transfer(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")
    assert found(repo, "A608") == [("A608",) + where(repo, DANNY_PLAN, "cm-jlee", occurrence=1) + (
        "plan P1, in effect, names `cm-jlee` to monitor it, but the member's case manager on 2026-11-22 is "
        "`cm-obello`; write `responsible: case_manager` (whoever is assigned) or the current case manager's "
        "staff id",)]
    repo.edit(DANNY_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    assert found(repo, "A608") == []


def test_a608_elena_transferred_with_the_plan_unchanged(repo):
    transfer_elena(repo)
    assert [f[1:4] for f in found(repo, "A608")] == [where(repo, ELENA_PLAN, "responsible: cm-jlee", 13)]
    # before the transfer took effect, the named monitor was the case manager
    assert found(repo, "A608", today=date(2026, 11, 1)) == []


def test_a608_leaves_a_member_with_no_current_case_manager_to_a601(repo):
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\n", "    reason: Initial assignment.\n    to: 2026-11-01\n")
    assert found(repo, "A608") == []
    assert [f[0] for f in found(repo, "A601")] == ["A601"]


def test_a608_judges_only_the_plan_in_effect(repo):
    # a draft revision naming the previous case manager is not in effect: A608 waits for its consent
    text = repo.read(DANNY_PLAN).replace("id: P1", "id: P2").replace("responsible: cm-obello", "responsible: cm-jlee")
    head, _, tail = text.partition("signatures:\n")
    repo.write("members/M-000207/plan-2026-11-20.yaml",
               head.replace("date: 2026-05-20\ntype: initial", "date: 2026-11-20\ntype: revision")
               + "signatures: []\n" + tail[tail.index("distribution:"):])
    assert found(repo, "A608") == []


def test_a608_an_unknown_or_wrongly_typed_monitor_is_not_its_finding(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-nobody\n")
    assert found(repo, "A608") == [] and [f[0] for f in found(repo, "A602")] == ["A602"]
    repo.edit(DANNY_PLAN, "  responsible: cm-nobody\n", "  responsible: [cm-jlee]\n")
    assert found(repo, "A608", "A609", "E000") == []


# ---------------------------------------------------------------- departures: A601, A606

def test_a601_an_assignment_ends_the_day_its_case_manager_left(repo):
    left(repo, "cm-jlee", "2026-11-01")  # three weeks ago; nobody took over
    assert found(repo, "A601", paths=("members/M-000123",)) == [("A601",) + where(repo, ELENA_MEMBER, "staff: cm-jlee") + (
        "case-manager assignment 1 (`cm-jlee`) ended on 2026-11-01, when `cm-jlee` left the agency (staff.yaml "
        "`left_on`), and no assignment follows: the member is active but has no case manager on 2026-11-22; add "
        "the new assignment under `case_managers` (staff, from, reason)",)]
    # on the day she left she was still the case manager
    assert found(repo, "A601", today=date(2026, 11, 1), paths=("members/M-000123",)) == []


def test_a601_a_departure_followed_by_a_new_assignment_is_clean_and_needs_no_to(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              "    reason: Initial assignment.\n  - staff: cm-obello\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    chosen_by_member: true\n"
              "    preference_unmet_reason: No Spanish-speaking case manager has an opening; an interpreter joins.\n"
              "    reason: Jordan Lee left the agency.\nstatus: active")
    assert found(repo, "A601", "A606", "C309", paths=("members/M-000123",)) == []


def test_a601_two_current_when_the_departure_comes_after_the_new_assignment(repo):
    left(repo, "cm-jlee", "2026-12-15")
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              "    reason: Initial assignment.\n  - staff: cm-obello\n    from: 2026-11-02\n"
              "    reason: Jordan Lee is leaving.\nstatus: active")
    assert [f[1:4] for f in found(repo, "A601", paths=("members/M-000123",))] == \
        [where(repo, ELENA_MEMBER, "staff: cm-obello")]
    assert [f[1:4] for f in found(repo, "A606", paths=("members/M-000123",))] == \
        [where(repo, ELENA_MEMBER, "staff: cm-jlee")]  # she left after cm-obello began: end her assignment
    assert found(repo, "A601", today=date(2026, 12, 16), paths=("members/M-000123",)) == []


def test_an_unreadable_left_on_is_the_schemas_finding_only(repo):
    repo.edit(STAFF, "    hire_date: 2024-05-01\n", "    hire_date: 2024-05-01\n    left_on: soon\n")
    codes = {f[0] for f in found(repo, "A601", "A608", "A609", "E000", "E004")}
    assert codes == {"E004"}


# ---------------------------------------------------------------- A609 staff-departed

def test_a609_notes_written_after_she_left(repo):
    left(repo, "cm-jlee", "2026-11-01")
    findings = found(repo, "A609", paths=("members/M-000123",))
    assert (("A609",) + where(repo, ELENA_NOTE_NOV18, "cm-jlee") + (
        "`cm-jlee` wrote this note of 2026-11-18, after leaving the agency on 2026-11-01 (staff.yaml `left_on`); "
        "correct the staff id to who did it, or `left_on` if it is wrong",)) in findings
    # the plan in effect still names her to monitor it
    assert (("A609",) + where(repo, ELENA_PLAN, "cm-jlee", occurrence=2) + (
        "plan P1, in effect, names `cm-jlee` to monitor it, who left the agency on 2026-11-01 (staff.yaml "
        "`left_on`); write `responsible: case_manager` (whoever is assigned) or the new case manager's staff id",
    )) in findings
    assert len(findings) == 2  # her notes of 2026-10-01 and 2026-10-29 were hers to write


def test_a609_the_day_she_left_is_her_last_day(repo):
    left(repo, "cm-jlee", "2026-11-18")
    assert found(repo, "A609", today=date(2026, 11, 18), paths=("members/M-000123",)) == []


def test_a609_a_monitor_written_as_case_manager_follows_the_transfer(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    repo.edit(ELENA_NOTE_NOV18, "staff: cm-jlee", "staff: cm-obello")
    transfer_elena(repo)
    assert found(repo, "A609", "A608", paths=("members/M-000123",)) == []


@pytest.mark.parametrize("path, old, new, snippet, offset, act, day", [
    (ELENA_ASSESSMENT, None, None, "assessor: cm-jlee", 10, "assessed the member on", "2026-08-20"),
    (ELENA_PLAN, None, None, "facilitator: cm-jlee", 13, "facilitated the planning meeting of", "2026-09-03"),
    (ELENA_PLAN, None, None, "staff: cm-jlee, signed_on", 7, "signed the plan on", "2026-09-03"),
    (ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue}", "by: cm-jlee", 4,
     "held the review of", "2026-11-20"),
    (ELENA_PLAN, "exceptions: []", "exceptions:\n  - {rule: T207, reason: Late., documented_by: cm-jlee, "
     "on: 2026-11-20}", "documented_by: cm-jlee", 15, "documented the exception on", "2026-11-20"),
    (ELENA_PLAN, "    - {name: Elena, role: member}\n", "    - {name: Elena, role: member}\n"
     "    - {name: Jordan Lee, role: case manager, staff: cm-jlee}\n", "case manager, staff: cm-jlee", 21,
     "took part as staff in the planning meeting of", "2026-09-03"),
    (ELENA_MEMBER, None, None, "determined_by: cm-jlee", 15, "determined the member's eligibility on", "2026-07-28"),
    (ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n",
     "  - {role: member, name: Elena, declined_to_sign: true, declined_reason: Signs nothing., "
     "witnessed_by: cm-jlee, declined_on: 2026-09-03}\n", "witnessed_by: cm-jlee", 14,
     "witnessed an agreement to the plan without a signature on", "2026-09-03"),
])
def test_a609_every_kind_of_record_after_the_departure(repo, path, old, new, snippet, offset, act, day):
    """Each act dated after `left_on` is reported at its staff reference; the same act on the last day is not."""
    if old is not None:
        repo.edit(path, old, new)

    def hits():
        return [f for f in found(repo, "A609", paths=("members/M-000123",)) if f[1] == path and act in f[4]]

    left(repo, "cm-jlee", day)
    assert hits() == []
    repo.edit(STAFF, f"    left_on: {day}\n", f"    left_on: {day_before(day)}\n")
    assert hits() == [("A609",) + where(repo, path, snippet, offset) + (
        f"`cm-jlee` {act} {day}, after leaving the agency on {day_before(day)} (staff.yaml `left_on`); correct the "
        "staff id to who did it, or `left_on` if it is wrong",)]


def test_a609_an_assignment_beginning_after_she_left(repo):
    left(repo, "cm-obello", "2026-10-31")
    transfer_elena(repo, to="cm-obello", on="2026-11-02",
                   extra="    chosen_by_member: true\n    preference_unmet_reason: None had an opening.\n")
    assert [f[:4] for f in found(repo, "A609", paths=("members/M-000123",))] == [
        ("A609",) + where(repo, ELENA_MEMBER, "cm-obello", occurrence=1)]


def test_a609_a_closed_case_keeps_its_records_judged_but_not_its_monitor(repo):
    left(repo, "cm-jlee", "2026-09-01")  # Abdi's case closed on 2026-10-15; his plan named cm-jlee to monitor it
    note = "members/M-000301/notes/2026-09-28.yaml"
    assert [f[:4] for f in found(repo, "A609", paths=("members/M-000301",))] == [
        ("A609",) + where(repo, note, "cm-jlee")]


def test_a609_wrong_types_never_crash(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_NOTE_NOV18, "staff: cm-jlee", "staff: [cm-jlee]")
    repo.edit(ELENA_PLAN, "reviews: []", "reviews: not a list")
    repo.edit(ELENA_MEMBER, "      determined_by: cm-jlee", "      determined_by: {id: cm-jlee}")
    assert found(repo, "E000") == []
    assert [f[1] for f in found(repo, "A609", paths=("members/M-000123",))] == [ELENA_PLAN]  # the monitor only


# ---------------------------------------------------------------- who a printed plan shows

def test_the_case_manager_on_a_day_follows_assignments_and_departures(repo):
    left(repo, "cm-obello", "2026-11-15")
    case = case_of(repo, "members/M-000207")
    by_id = staff_by_id(repo)
    assert case_manager_on(case.member, by_id, date(2026, 3, 31)) == "cm-jlee"
    assert case_manager_on(case.member, by_id, date(2026, 4, 1)) == "cm-obello"
    assert case_manager_on(case.member, by_id, date(2026, 11, 15)) == "cm-obello"
    assert case_manager_on(case.member, by_id, date(2026, 11, 16)) is None


def _view(repo, member: str, today: date):
    """What `pcplan render` prints of the member's governing plan, as of ``today``."""
    from pcplan.render.view import build_view

    life = lifecycle(case_of(repo, member), today)
    return build_view(life, life.governing, staff_by_id(repo), "Riverside")


def test_render_prints_the_case_manager_assigned_on_the_day_of_printing(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")  # a stale monitor
    view = _view(repo, "members/M-000207", TODAY)
    assert view.case_manager.name == "Olu Bello"
    assert [line.name for line in view.signature_lines if line.role == "case_manager"] == ["Olu Bello"]


def test_render_gives_no_departed_case_manager_the_signature_line(repo):
    left(repo, "cm-jlee", "2026-11-01")
    view = _view(repo, "members/M-000123", TODAY)
    assert view.case_manager is None  # nobody is assigned today (A601 says so)
    lines = [(line.name, line.role, line.signed is not None) for line in view.signature_lines]
    assert ("Jordan Lee", "case_manager", True) in lines  # her recorded signature is kept, not a line to sign
    transfer_elena(repo)
    view = _view(repo, "members/M-000123", TODAY)
    assert view.case_manager.name == "Olu Bello"
    assert [(line.name, line.signed is None) for line in view.signature_lines if line.role == "case_manager"] == [
        ("Olu Bello", True), ("Jordan Lee", False)]


def test_render_end_to_end_after_a_transfer_names_the_new_case_manager(repo, monkeypatch):
    """`pcplan render` of Danny's plan, whose monitor still says cm-jlee: the page names Olu Bello, who is his
    case manager on the day of printing, and never Jordan Lee."""
    from typer.testing import CliRunner

    from pcplan.cli import app

    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(app, ["render", "members/M-000207", "--today", "2026-11-22", "--lang", "en",
                                      "-f", "md", "-o", "danny.md"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = repo.read("danny.md")
    assert "Olu Bello" in page and "Jordan Lee" not in page


def test_an_editor_offers_case_manager_as_the_monitor():
    from types import SimpleNamespace

    from lsprotocol import types

    from pcplan.lsp.completion import complete

    class Text:
        def lsp(self, row: int, column: int) -> types.Position:
            return types.Position(line=row, character=column)

    lines = ["kind: plan", "monitoring:", "  responsible: "]
    offered = complete("plan", lines, 2, len(lines[2]), SimpleNamespace(doc=None, case=None, staff=None), Text(), True)
    assert [item.label for item in offered] == ["case_manager"]
    facilitator = ["kind: plan", "meeting:", "  facilitator: "]
    assert "case_manager" not in [item.label for item in complete(
        "plan", facilitator, 2, len(facilitator[2]), SimpleNamespace(doc=None, case=None, staff=None), Text(), True)]
