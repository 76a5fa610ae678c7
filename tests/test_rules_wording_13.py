"""Issue 13, items 5–7 and H503: P402 finds names, not words; P406 grades in the plan's language; P407 finds
every form of a listed term in every text staff write; H503 finds restrictions no rights modification covers.

Each rule has a passing case, a failing case with the exact position and message, and the situations a
caseload produces: revisions and drafts, a guardian, a closed case, plans written in Spanish.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, found, where
from pcplan.rules import RULES
from pcplan.rules.readability import fh_grade, fh_minimum_score, grade, primary, spanish_syllables
from pcplan.rules.wording import term_body, terms
from test_lifecycle import ELENA_REVISION, revision

ABDI_CLOSURE = "members/M-000301/closure.yaml"
CODES = ("P402", "P406", "P407", "H503")
HARD = ("The participant's comprehensive medication reconciliation necessitates coordinated pharmacological "
        "interventions to mitigate polypharmacy-associated adverse outcomes.")
SPANISH_HARD = ("Se coordinará la implementación de estrategias de intervención psicoeducativa orientadas a la "
                "optimización de la adherencia terapéutica.")
SPANISH_PLAIN = "Una enfermera prepara el pastillero cada semana y le enseña a usar la insulina."
SP2 = "description: A personal care aide helps with bathing and housework."
SP4 = "description: Rosa drives Elena to Mass and Sunday dinner."
NAME_MESSAGE = " calls the member by their legal first name; use the name they go by (`name.preferred` in member.yaml)"
DEFICIT = " uses deficit language ({}); describe the person and what happened in respectful, person-first words"
RESTRICTION = (" describes a restriction ({}) that no rights modification of this plan documents; document the limit "
               "under `rights_modifications` and name its id here, or say it in other words if no right is limited")


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


# ---------------------------------------------------------------- H503: restrictions need a modification

def test_h503_a_restriction_the_plan_does_not_document(repo):
    repo.edit(ELENA_PLAN, SP2, "description: A personal care aide helps with bathing and keeps the back door locked.")
    assert found(repo, "H503") == [("H503",) + where(repo, ELENA_PLAN, "A personal care aide") + (
        "the `description` of support SP2" + RESTRICTION.format("`locked`"),)]


def test_h503_a_modification_covers_its_own_restriction_wherever_the_plan_mentions_it(repo):
    # the reference: "Food is stored in a locked pantry (see RM1)", and RM1 locks the pantry
    assert found(repo, "H503") == []
    repo.edit(DANNY_PLAN, "locked pantry (see RM1);", "locked pantry;")  # RM1's own text says "locked"
    assert found(repo, "H503") == []


def test_h503_a_restriction_that_no_modification_is_about(repo):
    repo.edit(DANNY_PLAN, "description: Job coach to negotiate more hours and learn new tasks.",
              "description: Job coach to negotiate more hours; a curfew applies on work nights.")
    assert found(repo, "H503") == [("H503",) + where(repo, DANNY_PLAN, "Job coach") + (
        "the `description` of support SP2" + RESTRICTION.format("`curfew`"),)]
    repo.edit(DANNY_PLAN, "a curfew applies", "a curfew applies (see RM2)")  # no such modification
    assert [m for *_, m in found(repo, "H503")] == ["the `description` of support SP2" + RESTRICTION.format("`curfew`")]
    # citing RM1 (the locked pantry) covers only what RM1 describes: the curfew is still undocumented
    repo.edit(DANNY_PLAN, "(see RM2)", "(see RM1)")
    assert found(repo, "H503") == [("H503",) + where(repo, DANNY_PLAN, "Job coach") + (
        "the `description` of support SP2 describes a restriction (`curfew`) that no rights modification of this "
        "plan documents (it cites `RM1`, whose `right` and `condition` do not name it: citing a modification covers "
        "only what it describes); document the limit under `rights_modifications` and name its id here, or say "
        "it in other words if no right is limited",)]


def test_h503_without_its_modification_the_text_is_undocumented(repo):
    text = repo.read(DANNY_PLAN)
    start, end = text.index("rights_modifications:\n"), text.index("monitoring:\n")
    repo.write(DANNY_PLAN, text[:start] + "rights_modifications: []\n" + text[end:])
    assert found(repo, "H503") == [("H503",) + where(repo, DANNY_PLAN, "Food is stored") + (
        "the `mitigation` for risk R1" + RESTRICTION.format("`locked`"),)]


def test_h503_reads_review_summaries_and_deferral_reasons_and_terms_come_from_configuration(repo):
    add_reviews(repo, "{date: 2026-10-29, by: cm-jlee, outcome: continue, summary: Rosa set a 9 pm curfew., "
                      "member_view: Fine.}")
    repo.edit(ELENA_PLAN, "deferred_needs: []", "deferred_needs:\n  - need: N4\n"
              "    reason: Visits are supervised visits for now.")
    assert found(repo, "H503") == [
        ("H503",) + where(repo, ELENA_PLAN, "Visits are") + (
            "the `reason` for deferring need `N4`" + RESTRICTION.format("`supervised visit`"),),
        ("H503",) + where(repo, ELENA_PLAN, "Rosa set") + (
            "the `summary` of the review of 2026-10-29" + RESTRICTION.format("`curfew`"),),
    ]
    repo.edit("pcplan.toml", "plain_language_grade = 8\n",
              'plain_language_grade = 8\nrestriction_terms = ["time-out room"]\n')
    repo.edit(ELENA_PLAN, "Visits are supervised visits for now.", "Two time out rooms are used.")
    assert [m for *_, m in found(repo, "H503")] == [
        "the `reason` for deferring need `N4`" + RESTRICTION.format("`time-out room`")]
    repo.edit("pcplan.toml", 'restriction_terms = ["time-out room"]', "restriction_terms = []")
    assert found(repo, "H503") == []


def test_h503_judges_a_draft_revision_not_the_plan_in_effect_for_it(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, SP2, "description: The aide helps with bathing; the bathroom stays locked.")
    assert found(repo, "H503", today=date(2027, 2, 10)) == [
        ("H503",) + where(repo, ELENA_REVISION, "The aide helps") + (
            "the `description` of support SP2" + RESTRICTION.format("`locked`"),)]
