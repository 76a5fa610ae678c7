"""Tests of the H codes, the rules of rights: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import (
    DANNY,
    DANNY_MEMBER,
    DANNY_PLAN,
    ELENA_PLAN,
    ELENA_REVISION,
    at,
    codes_of,
    found,
    only,
    revision,
    where,
)
from pcplan.facts.lifecycle import lifecycle
from pcplan.model import Case, Document

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


SP2 = "description: A personal care aide helps with bathing and housework."

RESTRICTION = (" describes a restriction ({}) that no rights modification of this plan documents; document the limit "
               "under `rights_modifications` and name its id here, or say it in other words if no right is limited")


def add_reviews(repo, *entries):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n" + "".join(f"  - {entry}\n" for entry in entries))


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


GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"

NOV22 = date(2026, 11, 22)


def life(repo, member: str, today: date = NOV22):
    folder = repo.path(member)
    docs = [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
    return lifecycle(Case(folder, docs), today)


def codes(repo, *wanted: str, today: date = NOV22) -> list[str]:
    return [f[0] for f in found(repo, *wanted, today=today)]


def test_a_guardian_refusing_a_rights_modification_gives_it_no_informed_consent(repo):
    # issue: a guardian's refusal put the plan in effect, and the restriction with it
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, refused: true, "
              "refused_on: 2026-05-20, refusal_reason: Wants the dietitian there.}\n")
    danny = life(repo, DANNY)
    assert danny.plans[0].refused and danny.in_effect() is None
    assert found(repo, "H501") == [("H501",) + where(repo, DANNY_PLAN, "given_by: Danny") + (
        "rights modification RM1 has no informed consent: the plan was refused by the legal guardian "
        "(representatives[0]) on 2026-05-20 (`signatures[1]`), and a refusal is not consent, whatever `consent` "
        "records; do not apply the restriction: revise the plan with the member (and guardian) and record "
        "their consent",)]
    assert codes(repo, "T211", "T213") == ["T211", "T213"]


def test_a_draft_awaiting_signature_is_judged_on_what_its_modification_records(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")  # the guardian has not signed yet: no refusal
    assert found(repo, "H501") == []


# ---------------------------------------------------------------- H503: a citation covers what it describes

MITIGATION = "mitigation: Food is stored in a locked pantry (see RM1); meals follow the dietitian's plan."


def test_h503_a_door_alarm_in_a_sentence_citing_the_food_modification_is_undocumented(repo):
    repo.edit(DANNY_PLAN, MITIGATION, "mitigation: Food is stored in a locked pantry and a door alarm sounds at "
              "night (see RM1).")
    assert found(repo, "H503") == [("H503",) + where(repo, DANNY_PLAN, "Food is stored") + (
        "the `mitigation` for risk R1 describes a restriction (`door alarm`) that no rights modification of this "
        "plan documents (it cites `RM1`, whose `right` and `condition` do not name it: citing a modification covers "
        "only what it describes); document the limit under `rights_modifications` and name its id here, or say "
        "it in other words if no right is limited",)]


def test_h503_a_modification_whose_condition_names_it_covers_it(repo):
    repo.edit(DANNY_PLAN, MITIGATION, "mitigation: Food is stored in a locked pantry and a door alarm sounds at "
              "night (see RM1).")
    repo.edit(DANNY_PLAN, "between scheduled meals and snacks; Danny holds",
              "between scheduled meals and snacks, and a door alarm on the kitchen sounds at night; Danny holds")
    assert found(repo, "H503") == []


def test_h503_a_restriction_a_modification_only_tried_before_is_not_documented_by_it(repo):
    # RM1 says a door alarm was tried and given up: that is not a door alarm in place, with consent
    repo.edit(DANNY_PLAN, "less_intrusive_methods: A kitchen timer",
              "less_intrusive_methods: A door alarm on the kitchen and a kitchen timer")
    repo.edit(DANNY_PLAN, MITIGATION, "mitigation: Food is stored in a locked pantry; a door alarm sounds at night.")
    (finding,) = found(repo, "H503")
    assert finding[1:4] == where(repo, DANNY_PLAN, "Food is stored")
    assert "(`door alarm`) that no rights modification of this plan documents; document" in finding[4]


def test_h503_never_reads_the_members_own_words(repo):
    repo.edit(DANNY_PLAN, "summary: Weight down 6 pounds; Danny wants to keep the plan as it is.}",
              "summary: Weight down 6 pounds., member_view: I hate the curfew and the door alarm.}")
    text = repo.read(DANNY_PLAN)
    own = re.search(r"    own_words: (.*)\n", text).group(1)
    repo.edit(DANNY_PLAN, f"    own_words: {own}\n", "    own_words: I want the kitchen not locked.\n")
    assert found(repo, "H503") == []


@pytest.mark.parametrize("written", ["cur\u200bfew", "\u0441urfew", "CUR\u00adFEW", "\uff43\uff55\uff52\uff46\uff45\uff57"])
def test_h503_finds_a_disguised_restriction(repo, written):
    repo.edit(ELENA_PLAN, SP2, f"description: A personal care aide helps with bathing; a {written} at 9 pm.")
    (finding,) = found(repo, "H503")
    assert finding[:4] == ("H503",) + where(repo, ELENA_PLAN, "A personal care aide")
    assert "(`curfew`)" in finding[4] and written not in finding[4]
