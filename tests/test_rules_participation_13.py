"""P410 (an interpreter when the member needs one) and P411 (the member's own view at every review): a passing
case, a failing case with the exact position and message, and the situations a caseload produces (bilingual
staff, a member-led meeting, a closed case, a draft revision, a guardian, a collateral contact)."""

from __future__ import annotations

from datetime import date

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_PLAN, found, where
from test_lifecycle import ELENA_REVISION, revision

ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"
ABDI_NOTE = "members/M-000301/notes/2026-08-03.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"
DANNY_NOTE = "members/M-000207/notes/2026-11-05.yaml"
STAFF = "staff.yaml"
HOW = ("record who interpreted (`interpreter:` with `name` or `agency`, and `language`; or a participant with "
       "`role: interpreter`), or the member's choice to go without (`interpreter:` with `declined: true` and "
       "`declined_reason`)")
ELENA_NEEDS = "the member needs one in `es` (member.yaml `language`)"
VIEW = (" does not record the member's own view of how the plan is working; add `member_view:` with what they "
        "said, or record `satisfaction` in the note of that day's contact with them")


def test_reference_members_have_no_findings(repo):
    # Elena (Spanish, interpreter needed): her assessor and facilitator speak Spanish; Abdi (Somali): an
    # interpreter took part in both; Danny needs none. Danny's two reviews have notes of the day with his view.
    assert found(repo, "P410", "P411") == []


# ---------------------------------------------------------------- P410

def test_p410_an_assessment_led_by_staff_who_do_not_speak_the_language(repo):
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-obello")
    assert found(repo, "P410") == [("P410", ELENA_ASSESSMENT, 1, 1, (
        f"assessment A1 records no interpreter, and {ELENA_NEEDS}; `cm-obello`, who led it, does not speak `es` "
        f"(staff.yaml `languages`): {HOW}"))]


def test_p410_an_interpreter_recorded_either_way_meets_the_need(repo):
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-obello")
    repo.edit(ELENA_ASSESSMENT, "  - {name: Rosa Ruiz, role: sister}\n",
              "  - {name: Rosa Ruiz, role: sister}\n  - {name: Marisol Vega, role: Spanish Interpreter}\n")
    assert found(repo, "P410") == []
    repo.edit(ELENA_ASSESSMENT, "  - {name: Marisol Vega, role: Spanish Interpreter}\n", "")
    repo.edit(ELENA_ASSESSMENT, "participants:\n", "interpreter: {agency: Front Range Language Line, language: es}\n"
              "participants:\n")
    assert found(repo, "P410") == []


def test_p410_an_interpreter_for_another_language(repo):
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee",
              "assessor: cm-obello\ninterpreter: {name: Hodan Ali, language: so}")
    assert found(repo, "P410") == [("P410",) + where(repo, ELENA_ASSESSMENT, "so}") + (
        "assessment A1 records an interpreter for `so`, but the member needs one in `es` (member.yaml `language`); "
        "record the interpreter who spoke with the member in their language",)]


def test_p410_going_without_is_the_members_choice_on_record(repo):
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-obello\ninterpreter:\n  declined: true")
    assert found(repo, "P410") == [("P410",) + where(repo, ELENA_ASSESSMENT, "true") + (
        "assessment A1 records that the member went without an interpreter but not why; add `declined_reason` "
        "with the member's reason",)]
    repo.edit(ELENA_ASSESSMENT, "  declined: true", "  declined: true\n  declined_reason: Rosa interprets; Elena "
              "asked for her.")
    assert found(repo, "P410") == []


def test_p410_staff_language_is_matched_on_the_language_not_the_region(repo):
    repo.edit(ELENA_ASSESSMENT, "assessor: cm-jlee", "assessor: cm-obello")
    repo.edit(STAFF, "    languages: [en]\n    specialties: [developmental disabilities",
              "    languages: [en, es-MX]\n    specialties: [developmental disabilities")
    assert found(repo, "P410") == []


def test_p410_the_meeting_is_judged_by_its_facilitator(repo):
    repo.edit(ELENA_PLAN, "  facilitator: cm-jlee\n", "  facilitator: cm-obello\n")
    assert found(repo, "P410") == [("P410",) + where(repo, ELENA_PLAN, "meeting:") + (
        f"the planning meeting of plan P1 records no interpreter, and {ELENA_NEEDS}; `cm-obello`, who led it, does "
        f"not speak `es` (staff.yaml `languages`): {HOW}",)]
    repo.edit(ELENA_PLAN, "  facilitator: cm-obello\n", "  facilitator: cm-obello\n"
              "  interpreter: {name: Marisol Vega, language: es}\n")
    assert found(repo, "P410") == []


def test_p410_a_meeting_the_member_led_counts_their_case_manager_of_that_day(repo):
    repo.edit(ELENA_PLAN, "  facilitator: cm-jlee\n", "  facilitator: member\n")
    assert found(repo, "P410") == []  # cm-jlee, her case manager since 2026-08-03, speaks Spanish
    repo.edit(ELENA_MEMBER, "  - staff: cm-jlee\n", "  - staff: cm-obello\n")
    assert [(c, p, line, col) for c, p, line, col, _ in found(repo, "P410")] == [
        ("P410",) + where(repo, ELENA_PLAN, "meeting:")]
    assert "`cm-obello`, who led it" in found(repo, "P410")[0][4]


def test_p410_a_closed_case_keeps_its_record_judged(repo):
    # Abdi's case is closed; the interpreter took part in his planning meeting, and the place saying so is not a record
    repo.edit(ABDI_PLAN, "    - {name: Hodan Ali, role: interpreter, invited_by_member: true}\n", "")
    assert found(repo, "P410") == [("P410",) + where(repo, ABDI_PLAN, "meeting:") + (
        "the planning meeting of plan P1 records no interpreter, and the member needs one in `so` (member.yaml "
        f"`language`); `cm-jlee`, who led it, does not speak `so` (staff.yaml `languages`): {HOW}",)]


def test_p410_only_when_member_yaml_says_an_interpreter_is_needed(repo):
    repo.edit(ABDI_PLAN, "    - {name: Hodan Ali, role: interpreter, invited_by_member: true}\n", "")
    repo.edit("members/M-000301/member.yaml", "  interpreter_needed: true", "  interpreter_needed: false")
    assert found(repo, "P410") == []
    repo.edit(DANNY_MEMBER, "  interpreter_needed: false", "  interpreter_needed: true")
    assert found(repo, "P410") == []  # Danny's language is English and Olu Bello speaks it


def test_p410_a_draft_revision_is_judged_and_the_messages_hold_no_member_text(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "  facilitator: cm-jlee\n", "  facilitator: cm-obello\n")
    findings = found(repo, "P410", today=date(2027, 2, 10))
    assert [(c, p, line, col) for c, p, line, col, _ in findings] == [
        ("P410",) + where(repo, ELENA_REVISION, "meeting:")]
    repo.edit(ELENA_MEMBER, "  preferred: es\n", "  preferred: Spanish, please\n")
    assert all("Spanish" not in m for *_, m in found(repo, "P410", today=date(2027, 2, 10)))


# ---------------------------------------------------------------- P411

DANNY_SATISFACTION = "satisfaction: Danny says he likes his job coach.\n"


def test_p411_a_review_without_the_members_view(repo):
    repo.edit(DANNY_NOTE, DANNY_SATISFACTION, "")
    assert found(repo, "P411") == [("P411",) + where(repo, DANNY_PLAN, "{date: 2026-11-05") + (
        "the review of 2026-11-05" + VIEW,)]


def test_p411_the_view_in_the_review_or_on_a_goal_in_the_note(repo):
    repo.edit(DANNY_NOTE, DANNY_SATISFACTION, "")
    repo.edit(DANNY_PLAN, "summary: Weight down 6 pounds; Danny wants to keep the plan as it is.}",
              "summary: Weight down 6 pounds., member_view: Danny wants to keep the plan as it is.}")
    assert found(repo, "P411") == []
    repo.edit(DANNY_PLAN, ", member_view: Danny wants to keep the plan as it is.}", "}")
    repo.edit(DANNY_NOTE, "    text: Working with the job coach toward a third day at the garden center.\n",
              "    text: Working with the job coach toward a third day at the garden center.\n"
              "    satisfaction: He likes the job coach.\n")
    assert found(repo, "P411") == []


def test_p411_a_collateral_contact_with_the_guardian_is_not_the_members_view(repo):
    repo.edit(DANNY_NOTE, "contact: face_to_face\nwith: [Danny]", "contact: collateral\nwith: [Grace Kim]")
    repo.edit(DANNY_NOTE, DANNY_SATISFACTION, "satisfaction: Grace says the plan is working.\n")
    assert [(c, p, line, col) for c, p, line, col, _ in found(repo, "P411")] == [
        ("P411",) + where(repo, DANNY_PLAN, "{date: 2026-11-05")]


def test_p411_only_a_note_of_the_same_day_counts(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - date: 2026-10-29\n    by: cm-jlee\n    outcome: continue\n"
              "  - date: 2026-11-10\n    by: cm-jlee\n    outcome: continue\n")
    assert found(repo, "P411") == [("P411",) + where(repo, ELENA_PLAN, "date: 2026-11-10") + (
        "the review of 2026-11-10" + VIEW,)]  # 2026-10-29 has a note with Elena's view; 2026-11-10 has none


def test_p411_a_review_without_a_date_needs_its_own_member_view(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - by: cm-jlee\n    outcome: continue\n")
    assert found(repo, "P411") == [("P411",) + where(repo, ELENA_PLAN, "by: cm-jlee\n    outcome") + (
        "this review" + VIEW,)]


def test_p411_a_closed_case_and_a_draft_revision(repo):
    repo.edit(ABDI_NOTE, "satisfaction: Abdi says the supports are helping.\n", "")
    assert found(repo, "P411") == [("P411",) + where(repo, ABDI_PLAN, "{date: 2026-08-03") + (
        "the review of 2026-08-03" + VIEW,)]
    revision(repo)
    repo.edit(ELENA_REVISION, "reviews: []", "reviews:\n  - {date: 2027-02-01, by: cm-jlee, outcome: continue}")
    assert [p for _, p, *_ in found(repo, "P411", today=date(2027, 2, 10))] == [ELENA_REVISION, ABDI_PLAN]
