"""Consent and copies as a real caseload produces them (issue 13: items 3, 4, 10 and C310).

C301 asks the lifecycle whether a plan is consented (one definition of consent) and says why not;
T207 counts from that consent; C304 is satisfied by one right copy; C310 wants every paid provider
on the distribution. Each on a one-edit copy of the reference members, positions asserted.
"""

from __future__ import annotations

from datetime import date

import pytest

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, SHARED, at, only
from pcplan.engine import Options, check
from pcplan.lifecycle import lifecycle
from test_lifecycle import ELENA, ELENA_REVISION, case_of, revision

ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"
DANNY_SIGNATURE = "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n"
GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"
ELENA_COPY = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}"
DANNY_COPY = "{to: Danny, role: member, copy_given: true, given_on: 2026-05-28, format: print, language: en}"
TRANSIT_SIGNATURE = "{role: provider, name: Weld Transit Non-Medical Transportation, signed_on: 2026-09-10"
CARE_COPY = ("  - {to: Sunrise Home Care, role: provider, copy_given: true, given_on: 2026-09-10, format: electronic, "
             "language: en}\n")
FEB10 = date(2027, 2, 10)


def codes(findings, code: str) -> list:
    return [f for f in findings if f.code == code]


# ---------------------------------------------------------------- C301: who may consent

@pytest.mark.parametrize("signature, consented, reported", [
    ("{role: member, name: Elena, signed_on: 2026-09-03}", True, False),
    ("{role: representative, name: Sunrise Home Care, signed_on: 2026-09-03}", False, True),
    ("{role: representative, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}", False, True),
    ("{role: representative, name: Rosa Ruiz, signed_on: 2026-09-03}", False, True),
    # a documented refusal is recorded, not consent, and not a wrong record: the draft waits (T213)
    ("{role: member, name: Elena, refused: true, refusal_reason: Wants to read it with Rosa first.}", False, False),
    ("{role: member, name: Elena, refused: true}", False, True),
    ("{role: member, name: Elena, signed_on: 2026-09-31}", False, True),
])
def test_c301_reports_a_record_meant_as_consent_that_is_not(repo, signature, consented, reported):
    # C301 follows the lifecycle's one definition of consent, and on a draft reports only what is wrong in
    # the record (DESIGN.md "Draft": signature rules wait for consent, T213 alone tells the wait)
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, f"  - {signature}\n")
    record = lifecycle(case_of(repo, ELENA), date(2026, 11, 22)).plans[0]
    assert (record.consent_on is not None) is consented
    fired = codes(repo.check(ELENA_PLAN.rsplit("/", 1)[0]), "C301")
    assert bool(fired) is reported


def test_c301_a_provider_signing_as_representative_is_told_why_it_does_not_count(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE,
              "  - {role: representative, name: Sunrise Home Care, signed_on: 2026-09-03, method: wet}\n")
    finding = only(repo.check(), "C301")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: representative, name: Sunrise"))
    assert finding.message.startswith("this `role: representative` signature is by a provider of this plan; "
                                      "a provider's signature is never consent for the member")
    assert "Sunrise" not in finding.message


@pytest.mark.parametrize("signer", ["name: Jordan Lee, staff: cm-jlee", "name: jordan  LEE"])
def test_c301_a_case_manager_signing_as_representative_is_told_why(repo, signer):
    # by `staff:`, or by a name staff.yaml lists (case and spacing aside)
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, f"  - {{role: representative, {signer}, signed_on: 2026-09-03}}\n")
    finding = only(repo.check(), "C301")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: representative, name: "))
    assert "by agency staff (a case manager); a case manager's signature is never consent" in finding.message


def test_c301_a_power_of_attorney_named_in_member_yaml_consents_by_name(repo):
    repo.edit(ELENA_MEMBER, "authority: supporter", "authority: power_of_attorney")
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: representative, name: rosa  RUIZ, signed_on: 2026-09-03}\n")
    assert codes(repo.check(), "C301") == []


def test_c301_guardian_named_guardian_signature_alone_passes(repo):
    repo.edit(DANNY_PLAN, DANNY_SIGNATURE, "")
    assert codes(repo.check(), "C301") == []


def test_c301_guardian_named_member_signature_alone_is_a_draft_waiting_for_the_guardian(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")
    assert lifecycle(case_of(repo, "members/M-000207"), date(2026, 11, 22)).plans[0].consent_on is None
    findings = repo.check()
    assert codes(findings, "C301") == []
    finding = only(findings, "T213")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "signatures:"))
    assert "Grace" not in finding.message


def test_c301_guardian_documented_refusal_passes_and_undocumented_one_is_named(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE,
              "  - {role: representative, name: Grace Kim, refused: true, "
              "refusal_reason: Wants the dietitian there.}\n")
    assert codes(repo.check(), "C301") == []
    repo.edit(DANNY_PLAN, "refused: true, refusal_reason: Wants the dietitian there.}", "refused: true}")
    finding = only(repo.check(), "C301")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{role: representative, name: Grace Kim"))
    assert finding.message.startswith("refusal recorded without a reason: the legal guardian refused to sign")


def test_c301_guardian_signature_without_a_date(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, method: wet}\n")
    finding = only(repo.check(), "C301")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{role: representative, name: Grace Kim"))
    assert finding.message.startswith("the legal guardian's signature has no valid `signed_on` date")


def test_c301_a_draft_revision_waits_and_t213_tells_when_it_waited_too_long(repo):
    revision(repo)  # signed by the case manager only
    assert codes(repo.check(today=FEB10), "C301") == []  # 21 days: within signature_due_days
    findings = repo.check(today=date(2027, 3, 1))
    assert codes(findings, "C301") == []
    assert at(only(findings, "T213")) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "signatures:"))


def test_c301_a_revision_signed_by_a_provider_as_representative(repo):
    revision(repo, signatures="  - {role: representative, name: Sunrise Home Health, signed_on: 2027-01-25}\n")
    finding = only(repo.check(today=FEB10), "C301")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "{role: representative, name: Sunrise"))
    assert "a provider of this plan" in finding.message


def test_c301_a_consented_revision_passes(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25}\n")
    assert codes(repo.check(today=FEB10), "C301") == []


# ---------------------------------------------------------------- T207: from consent

def test_t207_a_late_provider_signature_does_not_move_the_deadline(repo):
    repo.edit(ELENA_PLAN, TRANSIT_SIGNATURE, TRANSIT_SIGNATURE.replace("2026-09-10", "2026-10-20"))
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-10-21"))
    finding = only(repo.check(), "T207")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-10-21"))
    assert finding.message == ("the member's copy was given on 2026-10-21, 48 days after consent "
                               "(2026-09-03, `signatures[0]`); copies are due within 15 days")
    assert finding.due == date(2026, 9, 18)


def test_t207_a_copy_within_15_days_of_consent_passes_whoever_signs_later(repo):
    repo.edit(ELENA_PLAN, TRANSIT_SIGNATURE, TRANSIT_SIGNATURE.replace("2026-09-10", "2026-10-20"))
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-18"))
    assert codes(repo.check(), "T207") == []


def test_t207_with_a_guardian_counts_from_the_guardians_signature(repo):
    # Danny signed 2026-05-20; his guardian 2026-06-10 (consent); a provider 2026-07-15
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, GRACE_SIGNATURE.replace("2026-05-20", "2026-06-10"))
    repo.edit(DANNY_PLAN, "{role: provider, name: North Range Behavioral Health, signed_on: 2026-05-28",
              "{role: provider, name: North Range Behavioral Health, signed_on: 2026-07-15")
    repo.edit(DANNY_PLAN, DANNY_COPY, DANNY_COPY.replace("2026-05-28", "2026-06-20"))
    assert codes(repo.check(), "T207") == []  # 10 days after the guardian's signature
    repo.edit(DANNY_PLAN, "given_on: 2026-06-20", "given_on: 2026-07-16")
    finding = only(repo.check(), "T207")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-07-16"))
    assert "36 days after consent (2026-06-10, `signatures[1]`)" in finding.message


def test_t207_judges_the_consented_revision_in_effect(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25}\n", start="2027-02-01")
    repo.edit(ELENA_REVISION, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2027-03-01"))
    finding = only(repo.check(today=date(2027, 3, 10)), "T207")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "2027-03-01"))
    assert finding.due == date(2027, 2, 9)


# ---------------------------------------------------------------- C304: one right copy is enough

def test_c304_an_extra_english_copy_next_to_the_spanish_large_print_one_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY + "\n  - " + ELENA_COPY.replace("large_print, language: es",
                                                                                 "print, language: en"))
    assert codes(repo.check(), "C304") == []


def test_c304_an_extra_electronic_spanish_copy_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY + "\n  - " + ELENA_COPY.replace("large_print", "electronic"))
    assert codes(repo.check(), "C304") == []


def test_c304_no_copy_right_in_both_points_at_the_spanish_one_and_its_format(repo):
    english_large = ELENA_COPY.replace("language: es", "language: en")
    spanish_print = ELENA_COPY.replace("format: large_print", "format: print")
    repo.edit(ELENA_PLAN, ELENA_COPY, english_large + "\n  - " + spanish_print)
    finding = only(repo.check(), "C304")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "format: print, language: es}", offset=8))
    assert "`large_print`" in finding.message


def test_c304_a_copy_not_given_does_not_count(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("copy_given: true, given_on: 2026-09-10",
                                                         "copy_given: false")
              + "\n  - " + ELENA_COPY.replace("large_print, language: es", "large_print, language: en"))
    finding = only(repo.check(), "C304")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "language: en}", offset=10, occurrence=1))


def test_c304_somali_member_with_only_an_english_copy(repo):
    repo.edit(ABDI_PLAN, "format: print, language: so}", "format: print, language: en}")
    finding = only(repo.check(), "C304")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "format: print, language: en}", offset=25))


def test_c304_waits_for_a_draft_revisions_consent_then_judges_it(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, ELENA_COPY, ELENA_COPY.replace("language: es", "language: en"))
    assert codes(repo.check(today=FEB10), "C304") == []  # a draft: copies wait for consent
    repo.edit(ELENA_REVISION, "  - {role: case_manager,", "  - {role: member, name: Elena, signed_on: 2027-01-25}\n"
              "  - {role: case_manager,")
    finding = only(repo.check(today=FEB10), "C304")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "language: en}", offset=10))


# ---------------------------------------------------------------- C310: every paid provider gets the plan

def test_c310_the_reference_repository_lists_every_paid_provider(repo):
    reference = SHARED / "examples" / "riverside"
    # the reference's members are copied into sample_cases (a test keeps them identical), so this
    # runs in a lone clone too; the shared original is checked as well when it is there
    assert [f for f in repo.check() if f.code == "C310"] == []
    if reference.is_dir():
        assert check([reference], Options(today=date(2026, 11, 22)), cwd=reference).findings == []


def test_c310_a_paid_provider_missing_from_the_distribution(repo):
    repo.edit(ELENA_PLAN, CARE_COPY, "")
    finding = only(repo.check(), "C310")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))
    assert (finding.severity, finding.name) == ("warning", "copy-to-providers")
    assert finding.message == ("the provider of support SP2 (a paid support) is not on the plan's distribution; add "
                               "a `distribution` entry with `to:` its name, `role: provider`, `copy_given: true` "
                               "and `given_on`")


def test_c310_names_compared_case_and_spacing_aside(repo):
    repo.edit(ELENA_PLAN, "{to: Sunrise Home Care, role: provider", "{to: sunrise  HOME care, role: provider")
    assert codes(repo.check(), "C310") == []


def test_c310_unpaid_supports_need_no_copy(repo):
    repo.edit(ELENA_PLAN, "  - {to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10, format: print, "
              "language: es}\n", "")
    assert codes(repo.check(), "C310") == []


def test_c310_one_finding_per_provider(repo):
    repo.edit(ELENA_PLAN, "    provider: Weld Transit Non-Medical Transportation\n",
              "    provider: Sunrise Home Care\n")
    repo.edit(ELENA_PLAN, CARE_COPY, "")
    finding = only(repo.check(), "C310")  # SP2 and SP3 share the provider: reported once, at SP2
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))


def test_c310_checks_a_consented_revision_not_only_the_plan_in_effect_and_never_a_draft(repo):
    revision(repo, start="2027-03-01")
    repo.edit(ELENA_REVISION, CARE_COPY, "")
    assert codes(repo.check(today=FEB10), "C310") == []  # a draft: its distribution is still to be made
    repo.edit(ELENA_REVISION, "  - {role: case_manager,", "  - {role: member, name: Elena, signed_on: 2027-01-25}\n"
              "  - {role: case_manager,")
    finding = only(repo.check(today=FEB10), "C310")  # consented, not started yet: judged all the same
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "provider: Sunrise Home Care", offset=10))


def test_c310_a_superseded_plan_is_history(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25}\n", start="2027-02-01")
    repo.edit(ELENA_PLAN, CARE_COPY, "")
    assert codes(repo.check(today=FEB10), "C310") == []
