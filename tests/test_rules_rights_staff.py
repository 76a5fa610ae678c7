"""H501–H502, A601–A606: each rule fires at the exact node on a one-edit copy, and not on the clean one."""

from __future__ import annotations

from datetime import date

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, at, only

DANNY_MEMBER = "members/M-000207/member.yaml"
STAFF = "staff.yaml"
RM1 = "  - id: RM1\n"


def codes_of(findings, code):
    return [f for f in findings if f.code == code]


def test_reference_repository_has_none_of_these_findings(repo):
    findings = repo.check()
    assert [f for f in findings if f.code[0] in "HAXN"] == []


# H501 modification-incomplete

def test_h501_one_missing_element_is_one_finding_naming_it(repo):
    repo.edit(DANNY_PLAN, "    less_intrusive_methods: A kitchen timer and verbal reminders were tried for three "
              "months and did not reduce food seeking.\n", "")
    finding = only(repo.check(), "H501")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "id: RM1"))
    assert finding.message == ("rights modification RM1 does not document the less intrusive methods tried "
                               "(`less_intrusive_methods`)")


def test_h501_two_missing_elements_are_two_findings(repo):
    repo.edit(DANNY_PLAN, "    data_collection: The host home records food-seeking episodes daily; the coordinator "
              "reviews the log monthly.\n", "")
    text = repo.read(DANNY_PLAN)
    start = text.index("    no_harm_assurance:")
    repo.write(DANNY_PLAN, text[:start] + text[text.index("monitoring:"):])
    findings = codes_of(repo.check(), "H501")
    assert len(findings) == 2
    assert {at(f) for f in findings} == {(DANNY_PLAN, *repo.locate(DANNY_PLAN, "id: RM1"))}
    messages = " ".join(f.message for f in findings)
    assert "`data_collection`" in messages and "`no_harm_assurance`" in messages


def test_h501_blank_element_points_at_the_field(repo):
    repo.edit(DANNY_PLAN, "    condition: The pantry and refrigerator are locked between scheduled meals and "
              "snacks; Danny holds a key to his own snack box.\n", "    condition: \"  \"\n")
    finding = only(repo.check(), "H501")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "condition: \"", offset=11))
    assert "`condition`" in finding.message


def test_h501_review_by_alone_is_a_time_limit(repo):
    repo.edit(DANNY_PLAN, "    review_every: 3 months\n    review_by:", "    review_by:")
    findings = repo.check()
    assert codes_of(findings, "H501") == [] and codes_of(findings, "H502") == []


def test_h501_review_every_alone_is_a_time_limit(repo):
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20\n", "")
    assert codes_of(repo.check(), "H501") == []


def test_h501_no_time_limit(repo):
    repo.edit(DANNY_PLAN, "    review_every: 3 months\n    review_by: 2027-02-20\n", "")
    finding = only(repo.check(), "H501")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "id: RM1"))
    assert "time limit" in finding.message and "`review_by`" in finding.message


def test_h501_consent_without_date_points_at_consent(repo):
    repo.edit(DANNY_PLAN, "      on: 2026-05-20\n", "")
    finding = only(repo.check(), "H501")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "given_by: Danny"))
    assert "`consent.on`" in finding.message


def test_h501_no_consent_at_all_is_one_finding(repo):
    repo.edit(DANNY_PLAN, "    consent:\n      given_by: Danny and Grace Kim (guardian)\n      on: 2026-05-20\n", "")
    finding = only(repo.check(), "H501")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "id: RM1"))
    assert "informed consent" in finding.message


# H502 modification-review-overdue

def test_h502_review_by_passed(repo):
    finding = only(repo.check(today=date(2027, 3, 1)), "H502")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2027-02-20"))
    assert "RM1" in finding.message and "2027-02-20" in finding.message


def test_h502_not_due_on_the_review_date(repo):
    assert codes_of(repo.check(today=date(2027, 2, 20)), "H502") == []


def test_h502_without_review_by_counts_from_consent(repo):
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20\n", "")
    finding = only(repo.check(), "H502")  # consent 2026-05-20 + 3 months = 2026-08-20
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "3 months", occurrence=1))
    assert "2026-08-20" in finding.message


def test_h502_without_consent_date_counts_from_the_plan(repo):
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20\n", "")
    repo.edit(DANNY_PLAN, "    review_every: 3 months\n", "    review_every: 6 months\n")
    repo.edit(DANNY_PLAN, "      on: 2026-05-20\n", "")
    assert codes_of(repo.check(today=date(2026, 11, 20)), "H502") == []  # 2026-05-20 + 6 months
    finding = only(repo.check(), "H502")
    assert "2026-11-20" in finding.message


def test_h502_closed_member_is_not_checked(repo):
    repo.edit(DANNY_MEMBER, "status: active\n", "status: closed\n")
    assert codes_of(repo.check(today=date(2027, 3, 1)), "H502") == []


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
    # reported at the staff reference of the assignment (tests/test_rules_staff_13.py has the other duties)
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


# A604 training-overdue

NEW_STAFF = """  - id: cm-late
    name: Sam Ortiz
    role: case_manager
    hire_date: 2026-06-01
    trainings:
      - {module: person-centered-support-planning, completed_on: 2026-07-01}
      - {module: disability-and-cultural-competency, completed_on: 2026-07-15}
      - {module: hcbs-settings-and-rights-modifications, completed_on: 2026-08-10}
  - id: cm-new
    name: Kim Tran
    role: case_manager
    hire_date: 2026-10-01
"""


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
