"""Tests of the C codes, the rules of consent: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import yaml
from typer.testing import CliRunner

from conftest import (
    ABDI,
    ABDI_MEMBER,
    ABDI_PLAN,
    DANNY,
    DANNY_MEMBER,
    DANNY_PLAN,
    ELENA,
    ELENA_MEMBER,
    ELENA_PLAN,
    ELENA_REVISION,
    ELENA_REVISION_CONSENT_DRAFTS_COPIES,
    SHARED,
    STAFF,
    at,
    case_of,
    codes_of,
    elena_revision,
    found,
    guardian_rosa,
    life,
    only,
    reenroll_abdi,
    revision,
    run,
    where,
)
from pcplan.cli import app
from pcplan.engine import Options, check
from pcplan.facts.lifecycle import lifecycle
from pcplan.fingerprint import fingerprint
from pcplan.load import load_file
from pcplan.rules import RULES

ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"

DANNY_SIGNATURE = "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n"

GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"

ELENA_COPY = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}"

GRACE_COPY = ("  - {to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28, format: print, "
              "language: en}\n")


def c3(findings) -> list:
    return [f for f in findings if f.code.startswith("C3")]


def cut(repo, relative: str, start: str, end: str) -> None:
    """Remove the text from ``start`` up to (not including) ``end``."""
    text = repo.read(relative)
    begin = text.index(start)
    repo.write(relative, text[:begin] + text[text.index(end, begin):])


def test_reference_repository_is_clean(repo):
    assert repo.check() == []


def test_reference_has_no_consent_findings_on_any_date(repo):
    from datetime import date
    assert c3(repo.check(today=date(2026, 6, 1))) == []


# C301 member-signature-missing

def test_c301_no_member_signature_is_a_wait_that_t213_tells_at_the_signatures_key(repo):
    # DESIGN.md "Draft": signature rules wait for consent; T213 alone says the draft waited too long
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "")
    findings = repo.check()
    assert [f for f in findings if f.code == "C301"] == []
    finding = only(findings, "T213")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "signatures:"))
    assert "Elena" not in finding.message


def test_c301_no_signatures_at_all_is_t213s_at_the_root(repo):
    cut(repo, ELENA_PLAN, "signatures:\n", "distribution:\n")
    findings = repo.check()
    assert [f for f in findings if f.code == "C301"] == []
    assert at(only(findings, "T213")) == (ELENA_PLAN, 1, 1)


def test_c301_guardian_signature_alone_suffices(repo):
    repo.edit(DANNY_PLAN, DANNY_SIGNATURE, "")
    assert c3(repo.check()) == []


def test_c301_member_signature_alone_does_not_suffice_with_a_guardian(repo):
    # DESIGN.md §3 C301: when a legal guardian holds authority, the guardian's signature is required; until
    # the guardian signs the plan is a draft waiting (T213's), not a wrong record (C301's)
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")
    findings = repo.check()
    assert [f for f in findings if f.code in ("C301", "C302", "C303", "C304", "C310")] == []
    assert at(only(findings, "T213")) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "signatures:"))
    assert at(only(findings, "T211")) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "signatures:"))


def test_c301_neither_member_nor_guardian_signed(repo):
    repo.edit(DANNY_PLAN, DANNY_SIGNATURE + GRACE_SIGNATURE, "")
    findings = repo.check()
    assert [f for f in findings if f.code == "C301"] == []
    assert at(only(findings, "T213")) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "signatures:"))


def test_c301_supporter_signing_as_representative_does_not_count(repo):
    # Rosa is Elena's sister and an informal supporter, not a legal representative.
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE,
              "  - {role: representative, name: Rosa Ruiz, signed_on: 2026-09-03, method: wet}\n")
    finding = only(repo.check(), "C301")  # at Rosa's signature, saying why it is not consent
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: representative, name: Rosa Ruiz"))
    assert "does not name as a legal representative" in finding.message and "Rosa" not in finding.message


def test_c301_documented_refusal_is_no_c3_finding_but_is_no_consent(repo):
    # a refusal is recorded, never consent: the plan stays a draft (T213 tells the wait, at the refusal)
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE,
              "  - {role: member, name: Elena, refused: true, refusal_reason: Wants to read it with Rosa first.}\n")
    findings = repo.check()
    assert c3(findings) == []
    assert at(only(findings, "T213")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: member, name: Elena, refused"))


def test_c301_refusal_without_reason_points_at_the_signature(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, refused: true}\n")
    finding = only(repo.check(), "C301")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: member, name: Elena, refused"))
    assert finding.message.startswith("refusal recorded without a reason: the member refused to sign")


def test_c301_member_signature_without_a_date(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, method: wet}\n")
    finding = only(repo.check(), "C301")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: member, name: Elena, method"))
    assert "signed_on" in finding.message


# C302 provider-signature-missing

def test_c302_paid_provider_did_not_sign(repo):
    repo.edit(ELENA_PLAN, "  - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-08, method: electronic}\n",
              "")
    finding = only(repo.check(), "C302")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))
    assert finding.severity == "warning"
    assert "SP2" in finding.message and "Sunrise" not in finding.message


def test_c302_unpaid_support_provider_need_not_sign(repo):
    # SP4 (Rosa, unpaid) has no provider signature in the reference; make SP3 unpaid too and drop its signature.
    repo.edit(ELENA_PLAN, "    paid: true\n    provider: Weld Transit", "    paid: false\n    provider: Weld Transit")
    repo.edit(ELENA_PLAN, "  - {role: provider, name: Weld Transit Non-Medical Transportation, signed_on: 2026-09-10, "
              "method: electronic}\n", "")
    assert c3(repo.check()) == []


def test_c302_provider_name_compared_case_and_space_insensitively(repo):
    repo.edit(ELENA_PLAN, "{role: provider, name: Sunrise Home Care,", "{role: provider, name: sunrise  HOME care,")
    assert c3(repo.check()) == []


def test_c302_signature_without_date_does_not_count(repo):
    repo.edit(ELENA_PLAN, "{role: provider, name: Sunrise Home Care, signed_on: 2026-09-08, method: electronic}",
              "{role: provider, name: Sunrise Home Care, method: electronic}")
    finding = only(repo.check(), "C302")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))


def test_c302_one_finding_per_provider(repo):
    repo.edit(ELENA_PLAN, "    provider: Weld Transit Non-Medical Transportation\n",
              "    provider: Sunrise Home Care\n")
    repo.edit(ELENA_PLAN, "  - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-08, method: electronic}\n",
              "")
    finding = only(repo.check(), "C302")  # SP2 and SP3 share the provider: reported once, at SP2
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))


# C303 copy-not-given

def test_c303_member_copy_not_given_points_at_copy_given(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, "{to: Elena, role: member, copy_given: false, format: large_print, language: es}")
    finding = only(repo.check(), "C303")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "copy_given: false", offset=12))
    assert finding.severity == "error"


def test_c303_no_member_entry_points_at_the_distribution_key(repo):
    repo.edit(ELENA_PLAN, "  - " + ELENA_COPY + "\n", "")
    finding = only(repo.check(), "C303")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "distribution:"))


def test_c303_no_distribution_points_at_the_root(repo):
    cut(repo, ELENA_PLAN, "distribution:\n", "exceptions:")
    assert at(only(repo.check(), "C303")) == (ELENA_PLAN, 1, 1)


def test_c303_declined_with_reason_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY,
              "{to: Elena, role: member, declined: true, declined_reason: She keeps the draft and wants no paper.}")
    assert c3(repo.check()) == []


def test_c303_declined_without_reason(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, "{to: Elena, role: member, declined: true}")
    finding = only(repo.check(), "C303")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{to: Elena, role: member, declined"))


def test_c303_copy_given_without_date(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, "{to: Elena, role: member, copy_given: true, format: large_print, language: es}")
    finding = only(repo.check(), "C303")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{to: Elena, role: member, copy_given"))
    assert "given_on" in finding.message


def test_c303_guardian_copy_missing(repo):
    repo.edit(DANNY_PLAN, GRACE_COPY, "")
    finding = only(repo.check(), "C303")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "distribution:"))
    assert "the legal representative" in finding.message
    assert "Grace" not in finding.message and "Kim" not in finding.message


def test_c303_guardian_copy_not_given(repo):
    repo.edit(DANNY_PLAN, GRACE_COPY, GRACE_COPY.replace("copy_given: true, given_on: 2026-05-28",
                                                         "copy_given: false"))
    finding = only(repo.check(), "C303")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "copy_given: false", offset=12))


def test_c303_guardian_name_compared_case_insensitively(repo):
    repo.edit(DANNY_PLAN, "{to: Grace Kim, role: representative", "{to: grace kim, role: representative")
    assert c3(repo.check()) == []


def test_c303_supporter_needs_no_copy(repo):
    repo.edit(ELENA_PLAN, "  - {to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10, format: print, "
              "language: es}\n", "")
    assert c3(repo.check()) == []


# C304 copy-language

def test_c304_regional_variant_matches_the_language(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("language: es", "language: es-MX"))
    assert c3(repo.check()) == []


def test_c304_copy_in_the_wrong_language(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("language: es", "language: en"))
    finding = only(repo.check(), "C304")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "language: en}", offset=10))
    assert finding.severity == "warning"
    assert "`es`" in finding.message and "`en`" in finding.message


def test_c304_copy_in_the_wrong_format(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("format: large_print", "format: print"))
    finding = only(repo.check(), "C304")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "format: print, language: es}", offset=8))
    assert "large_print" in finding.message


def test_c304_copy_without_language_points_at_the_entry(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace(", language: es", ""))
    finding = only(repo.check(), "C304")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{to: Elena, role: member"))


def test_c304_somali_copy_passes_and_english_does_not(repo):
    repo.edit(ABDI_PLAN, "format: print, language: so}", "format: print, language: en}")
    finding = only(repo.check(), "C304")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "language: en}", offset=10))


def test_c304_format_defaults_to_print(repo):
    repo.edit(ABDI_MEMBER, "document_format: print\n", "")
    assert c3(repo.check()) == []
    repo.edit(ABDI_PLAN, "format: print, language: so}", "format: braille, language: so}")
    finding = only(repo.check(), "C304")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "format: braille", offset=8))


# C305 changed-after-signature

def sign_with_fingerprint(repo) -> str:
    value = fingerprint(load_file(repo.path(ELENA_PLAN)).data)
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE,
              f'  - {{role: member, name: Elena, signed_on: 2026-09-03, method: wet, fingerprint: "{value}"}}\n')
    return value


def test_c305_matching_fingerprint_passes(repo):
    sign_with_fingerprint(repo)
    assert repo.check() == []


def test_c305_goal_edited_after_signature(repo):
    recorded = sign_with_fingerprint(repo)
    repo.edit(ELENA_PLAN, "I want to bathe safely", "I want to shower safely")
    finding = only(repo.check(), "C305")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, f'"{recorded}"'))
    now = fingerprint(load_file(repo.path(ELENA_PLAN)).data)
    assert now != recorded
    assert recorded in finding.message and now in finding.message
    assert finding.severity == "error"


def test_c305_formatting_and_key_order_do_not_count(repo):
    sign_with_fingerprint(repo)
    repo.edit(ELENA_PLAN, "    needs: [N2]\n    strengths: [S2]\n", "    strengths:\n      - S2\n    needs: [N2]\n")
    repo.edit(ELENA_PLAN, "what_matters: I want to stay in my own home, keep cooking for my family, and see my friends "
              "at church.\n", "what_matters: >-\n  I want to stay in my own home,\n  keep cooking for my family,"
              "   and see my friends at church.\n")
    repo.edit(ELENA_PLAN, "    amount: 6\n", "    amount: 6.0\n")
    # what the plan records about itself (copies, reviews) is not its content
    repo.edit(ELENA_PLAN, "given_on: 2026-09-10, format: print", "given_on: 2026-09-11, format: print")
    assert c3(repo.check()) == []


def test_c305_signature_without_fingerprint_is_not_checked(repo):
    repo.edit(ELENA_PLAN, "I want to bathe safely", "I want to shower safely")
    assert c3(repo.check()) == []


def test_c305_prefix_of_the_full_digest_matches(repo):
    full = fingerprint(load_file(repo.path(ELENA_PLAN)).data)
    from pcplan.fingerprint import _digest  # the 64-digit form a signing tool may record
    longer = "sha256:" + _digest(load_file(repo.path(ELENA_PLAN)).data)[:32]
    assert longer.startswith(full)
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE,
              f'  - {{role: member, name: Elena, signed_on: 2026-09-03, method: wet, fingerprint: "{longer}"}}\n')
    assert repo.check() == []


# C306 rights-not-explained

def test_c306_missing_points_at_the_member_root(repo):
    repo.edit(ELENA_MEMBER, "rights_explained_on: 2026-08-03 ", "")
    finding = only(repo.check(), "C306")
    assert at(finding) == (ELENA_MEMBER, 1, 1)
    assert finding.severity == "error" and "rights_explained_on" in finding.message


def test_c306_invalid_date_points_at_the_value(repo):
    repo.edit(ELENA_MEMBER, "rights_explained_on: 2026-08-03 ", "rights_explained_on: 2026-02-30 ")
    finding = only(repo.check(), "C306")
    assert at(finding) == (ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "2026-02-30"))


def test_c306_applies_to_a_closed_member(repo):
    repo.edit(ABDI_MEMBER, "rights_explained_on: 2026-01-14\n", "")
    assert at(only(repo.check(), "C306")) == (ABDI_MEMBER, 1, 1)


# C307 choice-not-offered

def test_c307_missing_points_at_the_member_root(repo):
    repo.edit(DANNY_MEMBER, "choice_of_case_manager_offered_on: 2025-12-15\n", "")
    finding = only(repo.check(), "C307")
    assert at(finding) == (DANNY_MEMBER, 1, 1)
    assert finding.severity == "error" and "choice_of_case_manager_offered_on" in finding.message


def test_c307_empty_value_points_at_the_value(repo):
    repo.edit(DANNY_MEMBER, "choice_of_case_manager_offered_on: 2025-12-15\n",
              "choice_of_case_manager_offered_on: \"\"\n")
    finding = only(repo.check(), "C307")
    assert at(finding) == (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, 'offered_on: ""', offset=12))


def test_c307_applies_to_a_closed_member(repo):
    repo.edit(ABDI_MEMBER, "choice_of_case_manager_offered_on: 2026-01-14\n", "")
    assert at(only(repo.check(), "C307")) == (ABDI_MEMBER, 1, 1)


CODES = ("C306", "C308", "C309")

ABDI_NEW_PLAN = "members/M-000301/plan-2026-11-10.yaml"

SIGNED = "  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n"

AFTER = date(2027, 2, 10)  # a day the revision of 2027-01-20 is in effect

SP2_AMOUNT = "    amount: 6\n    unit: hours\n    frequency: weekly\n"

SP3_AMOUNT = "    amount: 4\n    unit: trips\n    frequency: monthly\n"


def notices(repo, *entries: str, target: str = ELENA_REVISION) -> None:
    repo.edit(target, "exceptions: []", "notices:\n" + "".join(f"  - {e}\n" for e in entries) + "exceptions: []")


def test_reference_members_have_none_of_the_new_findings(repo):
    assert found(repo, *CODES) == []
    assert found(repo, *CODES, today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("code", CODES)
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


# ---------------------------------------------------------------- C306

RIGHTS = "rights_explained_on: 2026-08-03 "


def test_c306_rights_explained_after_the_first_consent_is_reported_at_the_date(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-09-10 ")
    assert found(repo, "C306") == [("C306",) + where(repo, ELENA_MEMBER, "2026-09-10") + (
        "`rights_explained_on` is 2026-09-10, after the member agreed to the first plan (plan P1, consented on "
        "2026-09-03); rights and responsibilities must be explained on or before that consent: correct the date "
        "if they were explained earlier, or document an exception",)]
    repo.edit(ELENA_MEMBER, "rights_explained_on: 2026-09-10 ", "rights_explained_on: 2026-09-03 ")
    assert found(repo, "C306") == []  # on the day of consent is in time


def test_c306_a_draft_is_no_consent_yet(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-09-10 ")
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    assert found(repo, "C306") == []


def test_c306_a_later_revision_does_not_move_the_deadline(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-10-01 ")
    revision(repo, signatures=SIGNED)
    assert [f[1:4] for f in found(repo, "C306", today=AFTER)] == [where(repo, ELENA_MEMBER, "2026-10-01")]


def test_c306_with_a_guardian_the_guardians_signature_is_the_consent(repo):
    # Danny signed on 2026-05-20, his guardian on 2026-05-26: rights explained on 2026-05-24 are in time
    repo.edit(DANNY_PLAN, "name: Grace Kim, signed_on: 2026-05-20", "name: Grace Kim, signed_on: 2026-05-26")
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2025-12-15", "rights_explained_on: 2026-05-24")
    assert found(repo, "C306") == []
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2026-05-24", "rights_explained_on: 2026-05-27")
    (finding,) = found(repo, "C306")
    assert finding[1:4] == where(repo, DANNY_MEMBER, "2026-05-27") and "consented on 2026-05-26" in finding[4]


def abdi_second_plan(repo, kind: str = "initial") -> None:
    """A consented plan of Abdi's second episode (enrolled again on 2026-11-02), dated 2026-11-10."""
    text = repo.read(ABDI_PLAN).replace("2026-02-02", "2026-11-10").replace("2027-02-01", "2027-11-09")
    repo.write(ABDI_NEW_PLAN, text.replace("type: initial", f"type: {kind}"))


def test_c306_a_reenrolled_member_has_rights_explained_again(repo):
    reenroll_abdi(repo, on="2026-11-02")
    assert found(repo, "C306") == []  # no plan agreed to yet in the new episode: not late
    abdi_second_plan(repo)
    assert found(repo, "C306") == [("C306",) + where(repo, ABDI_MEMBER, "rights_explained_on: 2026-01-14", 21) + (
        "`rights_explained_on` is 2026-01-14, in an earlier episode (the case closed on 2026-10-15); the member "
        "was enrolled again and agreed to plan P1 on 2026-11-10: explain the rights again and record the new date",)]
    repo.edit(ABDI_MEMBER, "rights_explained_on: 2026-01-14", "rights_explained_on: 2026-11-02")
    assert found(repo, "C306") == []


# ---------------------------------------------------------------- C308

def reduce_sp2(repo, to: str = "    amount: 4\n    unit: hours\n    frequency: weekly\n") -> None:
    repo.edit(ELENA_REVISION, SP2_AMOUNT, to)


SP2_REDUCED = ("plan P2 reduces paid support `SP2` of plan P1 on 2027-01-20: a lower amount (6 → 4, `weekly`); ")


def test_c308_a_reduced_support_without_notice_is_reported_at_the_revisions_support(repo):
    revision(repo, signatures=SIGNED)
    assert found(repo, "C308", today=AFTER) == []  # the same supports: nothing changed
    reduce_sp2(repo)
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "id: SP2") + (
        SP2_REDUCED + "no notice to the member is recorded, and it was due by 2027-01-10 (10 days before the "
        "change): record it under `notices` (`support: SP2`, `given_on`, `method`), or `requested_by_member: "
        "true` if the member asked for the change",)]


def test_c308_notice_on_the_last_day_is_in_time_and_a_day_late_is_reported_at_its_date(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-10, method: mail}")
    assert found(repo, "C308", today=AFTER) == []
    repo.edit(ELENA_REVISION, "given_on: 2027-01-10, method: mail", "given_on: 2027-01-11, method: mail")
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "2027-01-11, method") + (
        SP2_REDUCED + "the member's notice was given on 2027-01-11, 9 days before the change, but at least 10 days "
        "are required (by 2027-01-10): give notice again and move the change date, or record "
        "`requested_by_member: true` if the member asked for it",)]


def test_c308_a_notice_after_the_change_says_so(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-25, method: phone}", "{support: SP2, given_on: 2027-01-21}")
    (finding,) = found(repo, "C308", today=AFTER)
    # the earliest notice is judged
    assert finding[1:4] == where(repo, ELENA_REVISION, "2027-01-21}")
    assert "the member's notice was given on 2027-01-21, after the change, but at least 10 days" in finding[4]


def test_c308_a_change_the_member_asked_for_needs_no_notice(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, requested_by_member: true}")
    assert found(repo, "C308", today=AFTER) == []


def test_c308_notice_days_is_the_agencys_setting(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-10, method: in_person}")
    repo.edit("pcplan.toml", "[settings]\n", "[settings]\nnotice_days = 14\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert "at least 14 days are required (by 2027-01-06)" in finding[4]


def test_c308_an_ended_support_is_reported_at_the_supports_key_and_an_unpaid_one_is_not_judged(repo):
    revision(repo, signatures=SIGNED)
    text = repo.read(ELENA_REVISION)
    sp3, sp4 = text.index("  - id: SP3\n"), text.index("  - id: SP4\n")
    repo.write(ELENA_REVISION, text[:sp3] + text[sp4:text.index("strategies:")] + text[text.index("strategies:"):])
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "supports:") + (
        "plan P2 ends paid support `SP3` of plan P1 on 2027-01-20 (not continued in this plan: no support has its "
        "id or service code); no notice to the member "
        "is recorded, and it was due by 2027-01-10 (10 days before the change): record it under `notices` "
        "(`support: SP3`, `given_on`, `method`), or `requested_by_member: true` if the member asked for the "
        "change",)]
    text = repo.read(ELENA_REVISION)
    start = text.index("  - id: SP4\n")
    repo.write(ELENA_REVISION, text[:start] + text[text.index("strategies:"):])  # SP4 is unpaid
    assert len(found(repo, "C308", today=AFTER)) == 1


def test_c308_a_support_no_longer_paid_is_ended(repo):
    revision(repo, signatures=SIGNED)
    text = repo.read(ELENA_REVISION)
    at_sp3 = text.index("  - id: SP3\n")
    repo.write(ELENA_REVISION, text[:at_sp3] + text[at_sp3:].replace("    paid: true\n", "    paid: false\n", 1))
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP3")
    assert finding[4].startswith("plan P2 ends paid support `SP3` of plan P1 on 2027-01-20 (no longer paid); ")


@pytest.mark.parametrize("new, how", [
    ("    amount: 4\n    unit: trips\n    frequency: quarterly\n", None),
    ("    amount: 1\n    unit: trips\n    frequency: biweekly\n",
     "a lower amount for the time (4 `monthly` → 1 `biweekly`)"),
    ("    amount: 1\n    unit: trips\n    frequency: weekly\n", None),  # about 4.3 a month: more, not less
    ("    amount: 3\n    unit: Trip\n    frequency: monthly\n", "a lower amount (4 → 3, `monthly`)"),
    ("    amount: 4\n    unit: rides\n    frequency: quarterly\n", "given less often (`monthly` → `quarterly`)"),
    ("    amount: 4\n    unit: trips\n    frequency: as_needed\n",
     "no longer on a schedule (`monthly` → `as_needed`)"),
    ("    amount: 2\n    unit: trips\n    frequency: biweekly\n", None),  # about 4.3 a month: more, not less
    ("    amount: 5\n    unit: rides\n    frequency: monthly\n", None),  # another unit: amounts not comparable
])
def test_c308_what_reduces_a_support(repo, new, how):
    revision(repo, signatures=SIGNED)
    repo.edit(ELENA_REVISION, SP3_AMOUNT, new)
    if how is None and "quarterly" in new:
        how = "a lower amount for the time (4 `monthly` → 4 `quarterly`)"
    messages = [m for *_, m in found(repo, "C308", today=AFTER)]
    assert messages == ([f"plan P2 reduces paid support `SP3` of plan P1 on 2027-01-20: {how}; no notice to the "
                         "member is recorded, and it was due by 2027-01-10 (10 days before the change): record it "
                         "under `notices` (`support: SP3`, `given_on`, `method`), or `requested_by_member: true` if "
                         "the member asked for the change"] if how else [])


def test_c308_an_earlier_end_is_a_reduction_dated_by_the_earlier_of_start_and_end(repo):
    revision(repo, signatures=SIGNED)
    repo.edit(ELENA_REVISION, "    start: 2026-09-07\n    end: 2027-03-31\n",
              "    start: 2026-09-07\n    end: 2027-03-01\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP1")
    assert "on 2027-01-20: it ends earlier (2027-03-01, was 2027-03-31)" in finding[4]
    repo.edit(ELENA_REVISION, "    end: 2027-03-01\n", "    end: 2027-01-15\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert "on 2027-01-15: it ends earlier (2027-01-15, was 2027-03-31)" in finding[4]
    assert "due by 2027-01-05" in finding[4]


def test_c308_a_support_that_had_already_ended_was_not_taken_away(repo):
    # SP1 of plan P1 ended on 2027-03-31; a revision starting 2027-04-10 without it ends nothing
    revision(repo, date_="2027-04-10", signatures=SIGNED.replace("2027-01-20", "2027-04-10"))
    text = repo.read(ELENA_REVISION)
    repo.write(ELENA_REVISION, text[:text.index("  - id: SP1\n")] + text[text.index("  - id: SP2\n"):])
    assert found(repo, "C308", today=date(2027, 4, 20)) == []


def test_c308_a_draft_is_judged_once_the_notice_is_due(repo):
    revision(repo)  # a draft dated and starting 2027-01-20
    reduce_sp2(repo)
    assert found(repo, "C308", today=date(2027, 1, 10)) == []  # notice can still be given today
    (finding,) = found(repo, "C308", today=date(2027, 1, 11))
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP2") and finding[4].startswith(SP2_REDUCED)


def test_c308_an_annual_renewal_is_compared_with_the_plan_it_follows_like_a_revision(repo):
    # DESIGN.md C308: "a plan (revision or annual renewal)"; whatever its `type`, the same finding
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP2") and finding[4].startswith(SP2_REDUCED)


def test_c308_a_reenrolled_members_first_plan_replaces_nothing(repo):
    reenroll_abdi(repo, on="2026-11-02")
    abdi_second_plan(repo, kind="revision")
    text = repo.read(ABDI_NEW_PLAN)
    repo.write(ABDI_NEW_PLAN, text[:text.index("supports:")] + "supports: []\n" + text[text.index("strategies:"):])
    assert found(repo, "C308") == []  # the old episode's plan is not the plan it replaces


# ---------------------------------------------------------------- C309

def test_c309_a_change_of_case_manager_without_the_members_choice_recorded(repo):
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) changes the case manager but does not record whether the member "
        "chose the new one; add `chosen_by_member: true`, or `false` with the `reason`",)]
    # the first assignment is the initial one, not a change
    repo.edit(DANNY_MEMBER, "    chosen_by_member: false\n", "")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, DANNY_MEMBER, "staff: cm-obello")]


def test_c309_a_preference_not_met_needs_its_reason(repo):
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) was not the member's choice and does not say whether it meets the "
        "preferences the member voiced; add `preferences_met: true`, or `preference_unmet_reason` saying why they "
        "could not be met",)]
    repo.edit(DANNY_MEMBER, "    chosen_by_member: false\n    preferences:",
              "    chosen_by_member: false\n    preferences_met: true\n    preferences:")
    assert found(repo, "C309") == []
    repo.edit(DANNY_MEMBER, "    preferences_met: true\n", "    preferences_met: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) does not meet the preferences the member voiced "
        "(`preferences_met: false`) and does not say why; add `preference_unmet_reason`",)]
    repo.edit(DANNY_MEMBER, "    preferences_met: false\n", "    preferences_met: false\n"
              "    preference_unmet_reason: Nobody with both specialties had an opening.\n")
    assert found(repo, "C309") == []


def test_c309_the_members_choice_or_no_preference_needs_nothing_more(repo):
    repo.edit(DANNY_MEMBER, "    preferences: Wanted a supports coordinator experienced with both developmental "
              "disability and mental health.\n", "")
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n")
    assert found(repo, "C309") == []  # no preference voiced: nothing could go unmet


def test_c309_changes_are_taken_in_order_of_their_start(repo):
    text = repo.read(DANNY_MEMBER)
    first, second = text.index("  - staff: cm-jlee\n"), text.index("  - staff: cm-obello\n")
    end = text.index("status:")
    repo.write(DANNY_MEMBER, text[:first] + text[second:end] + text[first:second] + text[end:])  # newest first
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, DANNY_MEMBER, "staff: cm-obello")]
    assert "assignment 1 (`cm-obello`)" in found(repo, "C309")[0][4]


def test_c309_the_first_assignment_after_reenrollment_is_not_a_change_but_a_later_one_is(repo):
    reenroll_abdi(repo, on="2026-11-02")
    repo.edit(ABDI_MEMBER, "status: active", "  - staff: cm-obello\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    reason: Abdi came back after his move fell through.\nstatus: active")
    assert found(repo, "C309") == []
    repo.edit(ABDI_MEMBER, "status: active", "  - staff: cm-jlee\n    from: 2026-11-16\n    assigned_by: sup-amartin\n"
              "    reason: Abdi asked for Jordan Lee again.\nstatus: active")
    repo.edit(ABDI_MEMBER, "    reason: Abdi came back after his move fell through.\n",
              "    reason: Abdi came back after his move fell through.\n    to: 2026-11-15\n")
    # the change records no choice; and Abdi needs a Somali interpreter, which cm-jlee does not speak, with no
    # reason recorded (DESIGN.md: a standing preference stands at every later transfer)
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, ABDI_MEMBER, "staff: cm-jlee", occurrence=2),
                                                     where(repo, ABDI_MEMBER, "cm-jlee", occurrence=3)]


CARE_COPY = ("  - {to: Sunrise Home Care, role: provider, copy_given: true, given_on: 2026-09-10, format: electronic, "
             "language: en}\n")

FEB10 = date(2027, 2, 10)



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
    fired = codes_of(repo.check(ELENA_PLAN.rsplit("/", 1)[0]), "C301")
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
    assert codes_of(repo.check(), "C301") == []


def test_c301_guardian_named_guardian_signature_alone_passes(repo):
    repo.edit(DANNY_PLAN, DANNY_SIGNATURE, "")
    assert codes_of(repo.check(), "C301") == []


def test_c301_guardian_named_member_signature_alone_is_a_draft_waiting_for_the_guardian(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")
    assert lifecycle(case_of(repo, "members/M-000207"), date(2026, 11, 22)).plans[0].consent_on is None
    findings = repo.check()
    assert codes_of(findings, "C301") == []
    finding = only(findings, "T213")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "signatures:"))
    assert "Grace" not in finding.message


def test_c301_guardian_documented_refusal_passes_and_undocumented_one_is_named(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE,
              "  - {role: representative, name: Grace Kim, refused: true, "
              "refusal_reason: Wants the dietitian there.}\n")
    assert codes_of(repo.check(), "C301") == []
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
    assert codes_of(repo.check(today=FEB10), "C301") == []  # 21 days: within signature_due_days
    findings = repo.check(today=date(2027, 3, 1))
    assert codes_of(findings, "C301") == []
    assert at(only(findings, "T213")) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "signatures:"))


def test_c301_a_revision_signed_by_a_provider_as_representative(repo):
    revision(repo, signatures="  - {role: representative, name: Sunrise Home Health, signed_on: 2027-01-25}\n")
    finding = only(repo.check(today=FEB10), "C301")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "{role: representative, name: Sunrise"))
    assert "a provider of this plan" in finding.message


def test_c301_a_consented_revision_passes(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25}\n")
    assert codes_of(repo.check(today=FEB10), "C301") == []


# ---------------------------------------------------------------- C304: one right copy is enough

def test_c304_an_extra_english_copy_next_to_the_spanish_large_print_one_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY + "\n  - " + ELENA_COPY.replace("large_print, language: es",
                                                                                 "print, language: en"))
    assert codes_of(repo.check(), "C304") == []


def test_c304_an_extra_electronic_spanish_copy_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY + "\n  - " + ELENA_COPY.replace("large_print", "electronic"))
    assert codes_of(repo.check(), "C304") == []


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
    assert codes_of(repo.check(today=FEB10), "C304") == []  # a draft: copies wait for consent
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
    assert codes_of(repo.check(), "C310") == []


def test_c310_unpaid_supports_need_no_copy(repo):
    repo.edit(ELENA_PLAN, "  - {to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10, format: print, "
              "language: es}\n", "")
    assert codes_of(repo.check(), "C310") == []


def test_c310_one_finding_per_provider(repo):
    repo.edit(ELENA_PLAN, "    provider: Weld Transit Non-Medical Transportation\n",
              "    provider: Sunrise Home Care\n")
    repo.edit(ELENA_PLAN, CARE_COPY, "")
    finding = only(repo.check(), "C310")  # SP2 and SP3 share the provider: reported once, at SP2
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "provider: Sunrise Home Care", offset=10))


def test_c310_checks_a_consented_revision_not_only_the_plan_in_effect_and_never_a_draft(repo):
    revision(repo, start="2027-03-01")
    repo.edit(ELENA_REVISION, CARE_COPY, "")
    assert codes_of(repo.check(today=FEB10), "C310") == []  # a draft: its distribution is still to be made
    repo.edit(ELENA_REVISION, "  - {role: case_manager,", "  - {role: member, name: Elena, signed_on: 2027-01-25}\n"
              "  - {role: case_manager,")
    finding = only(repo.check(today=FEB10), "C310")  # consented, not started yet: judged all the same
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "provider: Sunrise Home Care", offset=10))


def test_c310_a_superseded_plan_is_history(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25}\n", start="2027-02-01")
    repo.edit(ELENA_PLAN, CARE_COPY, "")
    assert codes_of(repo.check(today=FEB10), "C310") == []




SIGNING_CODES = ("C301", "C302", "C303", "C304", "C310", "T207")


runner = CliRunner()








# ---------------------------------------------------------------- consent: who, and on which day

def test_the_reference_is_clean_and_consented_on_the_members_signature(repo):
    assert repo.check() == []
    record = life(repo, ELENA).plans[0]
    assert (record.consent_on, record.consent_path, record.refused) == (date(2026, 9, 3), ("signatures", 0), False)


def test_agreeing_without_signing_documented_is_consent_from_its_day(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: true, declined_on: "
              "2026-09-04, declined_reason: Signs nothing since a scam; agreed aloud., witnessed_by: cm-jlee}\n")
    record = life(repo, ELENA).plans[0]
    assert (record.consent_on, record.consent_path) == (date(2026, 9, 4), ("signatures", 0))
    assert repo.check() == []  # in effect, copies counted from 2026-09-04: all in order


def test_agreeing_without_signing_without_a_date_counts_from_the_meeting(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: true, "
              "declined_reason: Signs nothing since a scam., witnessed_by: cm-jlee}\n")
    assert life(repo, ELENA).plans[0].consent_on == date(2026, 9, 3)
    assert repo.check() == []


def test_agreeing_without_signing_needs_its_reason_and_witness(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: true, "
              "declined_on: 2026-09-03}\n")
    assert life(repo, ELENA).plans[0].consent_on is None
    assert found(repo, "C301") == [("C301",) + where(repo, ELENA_PLAN, "{role: member, name: Elena, declined") + (
        "the member agreed to the plan and declined to sign, but the record has no `declined_reason` and no "
        "`witnessed_by`; record why (`declined_reason`) and the staff id of who witnessed the agreement "
        "(`witnessed_by`): until then it is not consent",)]


def test_a_guardianship_that_ended_before_the_signature_leaves_it_to_the_member(repo):
    guardian_rosa(repo, since="2025-01-01", until="2026-08-31")
    assert life(repo, ELENA).plans[0].consent_on == date(2026, 9, 3)
    assert repo.check() == []  # no copy is due to a guardian who no longer held authority at consent


def test_a_representative_signing_outside_their_authority_is_told_at_once(repo):
    guardian_rosa(repo, authority="power_of_attorney", since="2026-10-01")
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: representative, name: Rosa Ruiz, signed_on: 2026-09-03}\n")
    assert life(repo, ELENA).plans[0].consent_on is None
    assert found(repo, "C301") == [("C301",) + where(repo, ELENA_PLAN, "2026-09-03}") + (
        "the legal representative (representatives[0] in member.yaml) signed on 2026-09-03, outside their "
        "authority (`authority_from: 2026-10-01`); a representative's signature is consent only while they hold "
        "authority: correct the date or the authority dates if one is wrong, or have the member or a "
        "representative holding authority that day sign",)]
    repo.edit(ELENA_MEMBER, "authority_from: 2026-10-01", "authority_from: 2026-08-01")
    assert life(repo, ELENA).plans[0].consent_on == date(2026, 9, 3)
    assert found(repo, "C301") == []


def test_a_supporter_signing_as_representative_on_a_draft_is_told_at_once(repo):
    elena_revision(repo, "  - {role: representative, name: Rosa Ruiz, signed_on: 2026-11-12}\n")
    assert [f[:4] for f in found(repo, "C301", "T213")] == [
        ("C301",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "{role: representative, name: Rosa")]


def test_a_refusal_that_was_later_replaced_by_a_signature_is_history(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, refused: true, "
              "refused_on: 2026-05-18, refusal_reason: Wanted the dietitian there.}\n" + GRACE_SIGNATURE)
    record = life(repo, DANNY).plans[0]
    assert record.consent_on == date(2026, 5, 20) and not record.refused
    assert repo.check() == []


# ---------------------------------------------------------------- drafts wait for consent

def test_a_12_day_old_draft_has_no_signature_or_copy_findings(repo):
    # issue: C301/C303 errors and a C302/C310 warning per provider, although T213 gives 30 days
    elena_revision(repo, "  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-11-10}\n",
                   date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, *SIGNING_CODES, "T206", "T213") == []
    assert repo.check() == []


def test_once_consented_its_signatures_and_copies_are_judged(repo):
    """After consent a provider's copy is owed within `copy_deadline_days` (C310, as the member's, C303) and a
    provider's signature within `signature_due_days` (C302, as a draft's, T213): pending until then, not missing."""
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-12}\n",
                   unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "C302", "C310", today=date(2026, 11, 27)) == []  # consent + 15 days: still pending
    providers = ("Sunrise Home Health", "Sunrise Home Care", "Weld Transit")
    assert [f[:4] for f in found(repo, "C302", "C310", today=date(2026, 11, 28))] == [
        ("C310",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, f"provider: {name}", 10) for name in providers]
    assert [f[:4] for f in found(repo, "C302", "C310", today=date(2026, 12, 12))] == [
        ("C310",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, f"provider: {name}", 10) for name in providers]  # + 30 days
    assert [f[:4] for f in found(repo, *SIGNING_CODES, today=date(2026, 12, 13))] == [
        (code,) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, f"provider: {name}", 10) for name in providers
        for code in ("C302", "C310")] + [("C303",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "distribution:")]


def test_due_lists_a_draft_as_awaiting_signature_since_its_date(repo, monkeypatch):
    elena_revision(repo, "", date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["due", ELENA, "--today", "2026-11-22", "--within", "all", "-f", "json"])
    assert result.exit_code == 0, result.output
    lines = [(o["due"], o["kind"], o["description"], o["path"]) for o in json.loads(result.stdout)["obligations"]
             if o["kind"] in ("signature", "copy", "representative-copy")]
    assert lines == [("2026-12-10", "signature", "awaiting signature since 2026-11-10: plan P2", ELENA_REVISION_CONSENT_DRAFTS_COPIES)]


def test_render_prints_a_refused_draft_for_signature(repo, tmp_path):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, refused: true, refused_on: 2026-09-03, "
              "refusal_reason: Wants fewer aide hours.}\n")
    out = tmp_path / "elena.md"
    result = runner.invoke(app, ["render", str(repo.path(ELENA)), "--today", "2026-11-22", "--lang", "en",
                                 "-f", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "**For signature:**" in page and "Elena (You): Did not sign" in page


def test_a_c301_record_error_on_a_draft_never_blocks_printing_it_for_signature(repo, tmp_path):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, method: wet}\n")
    assert [f[:4] for f in found(repo, "C301")] == [("C301",) + where(repo, ELENA_PLAN, "{role: member, name: Elena")]
    out = tmp_path / "elena.md"
    result = runner.invoke(app, ["render", str(repo.path(ELENA)), "--today", "2026-11-22", "--lang", "en",
                                 "-f", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "**For signature:**" in out.read_text(encoding="utf-8")


def test_the_members_copy_is_pending_until_the_deadline_then_c303(repo):
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-12}\n",
                   unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "C303", today=date(2026, 11, 27)) == []  # 15 days: due that day, pending
    assert found(repo, "C303", today=date(2026, 11, 28)) == [("C303",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "distribution:")
                                                             + ("no copy of the plan is recorded as given to the "
                                                                "member; add a `distribution` entry with `role: "
                                                                "member`, `copy_given: true` and `given_on`",)]


def test_a_guardians_copy_is_due_only_from_one_holding_authority_at_consent(repo):
    repo.edit(DANNY_PLAN, "  - {to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28, "
              "format: print, language: en}\n", "")
    assert [f[:4] for f in found(repo, "C303")] == [("C303",) + where(repo, DANNY_PLAN, "distribution:")]
    # Grace appointed after Danny signed alone: his consent stands and her copy is no C303 of this plan
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")
    repo.edit(DANNY_MEMBER, "    authority: legal_guardian\n", "    authority: legal_guardian\n"
              "    authority_from: 2026-06-01\n")
    assert life(repo, DANNY).plans[0].consent_on == date(2026, 5, 20)
    assert found(repo, "C303", "C301", "T211") == []


def test_a_supporters_objection_is_no_refusal_of_the_plan(repo):
    # Rosa, an informal supporter, does not agree; Elena signed: consented, in effect, clean
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, ELENA_SIGNATURE + "  - {role: other, name: Rosa Ruiz, refused: true, "
              "refused_on: 2026-09-03, refusal_reason: Thinks the aide hours are too few.}\n")
    record = life(repo, ELENA).plans[0]
    assert record.consent_on == date(2026, 9, 3) and not record.refused and record.refusal_path is None
    assert repo.check() == []


def test_rule_c301_explains_the_decisions(repo):
    result = runner.invoke(app, ["rule", "C301"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for words in ("declined_to_sign: true", "A refusal (`refused: true`) is recorded", "authority_from",
                  "T213 alone says when it has waited longer", "a guardian appointed after the consent day"):
        assert words in text, words


# ---------------------------------------------------------------- episodes: C306, C307

def reenroll_abdi_holds_episodes(repo, on: str = "2026-11-02") -> None:
    repo.edit(ABDI_MEMBER, "    referral_source: Resettlement agency reception and placement team\n",
              "    referral_source: Resettlement agency reception and placement team\n"
              f"  - program: RSS-CM\n    eligibility:\n      determined_on: {on}\n      determined_by: cm-jlee\n"
              f"      basis: Still eligible.\n    enrolled_on: {on}\n")
    repo.edit(ABDI_MEMBER, "status: closed", "  - staff: cm-jlee\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    reason: Abdi came back.\nstatus: active")


def abdi_second_plan_holds_episodes(repo) -> None:
    """A consented plan of Abdi's second episode, dated 2026-11-10."""
    text = repo.read(ABDI_PLAN).replace("2026-02-02", "2026-11-10").replace("2027-02-01", "2027-11-09")
    repo.write(ABDI_NEW_PLAN, text)


def test_c307_the_choice_offered_in_the_closed_episode_does_not_carry_over(repo):
    reenroll_abdi_holds_episodes(repo)
    assert found(repo, "C307") == []  # no plan agreed to yet in the new episode: not late
    abdi_second_plan_holds_episodes(repo)
    assert found(repo, "C307") == [("C307",) + where(repo, ABDI_MEMBER, "2026-01-14", occurrence=3) + (
        "`choice_of_case_manager_offered_on` is 2026-01-14, in an earlier episode (the case closed on 2026-10-15); "
        "the member was enrolled again and agreed to plan P1 on 2026-11-10: offer the choice again and record the "
        "new date",)]
    repo.edit(ABDI_MEMBER, "choice_of_case_manager_offered_on: 2026-01-14",
              "choice_of_case_manager_offered_on: 2026-11-02")
    assert found(repo, "C307") == []


@pytest.mark.parametrize("key, code", [("choice_of_case_manager_offered_on", "C307"), ("rights_explained_on", "C306")])
def test_c306_c307_on_or_after_the_enrollment(repo, key, code):
    repo.edit(ELENA_MEMBER, f"{key}: 2026-08-03", f"{key}: 2026-07-28")
    what = {"C307": "the member was offered a choice of case manager",
            "C306": "the member's rights and responsibilities were explained"}[code]
    assert found(repo, code) == [(code,) + where(repo, ELENA_MEMBER, "2026-07-28", occurrence=2) + (
        f"`{key}` is 2026-07-28, before the enrollment that opened this episode (2026-08-03); record when {what} "
        "on or after the enrollment",)]


def test_c307_by_the_first_plans_consent(repo):
    repo.edit(ELENA_MEMBER, "choice_of_case_manager_offered_on: 2026-08-03",
              "choice_of_case_manager_offered_on: 2026-09-10")
    assert found(repo, "C307") == [("C307",) + where(repo, ELENA_MEMBER, "2026-09-10") + (
        "`choice_of_case_manager_offered_on` is 2026-09-10, after the member agreed to the first plan (plan P1, "
        "consented on 2026-09-03); the choice of case manager must be offered on or before that consent: correct "
        "the date if it was offered earlier, or document an exception",)]
    repo.edit(ELENA_MEMBER, "choice_of_case_manager_offered_on: 2026-09-10",
              "choice_of_case_manager_offered_on: 2026-09-03")  # the day of consent is in time
    assert found(repo, "C307") == []


def test_c307_a_missing_or_wrongly_typed_date_is_reported_at_once(repo):
    repo.edit(ELENA_MEMBER, "choice_of_case_manager_offered_on: 2026-08-03\n", "choice_of_case_manager_offered_on: [1]\n")
    assert [f[1:4] for f in found(repo, "C307")] == [where(repo, ELENA_MEMBER, "[1]")]
    assert found(repo, "E000") == []


# ---------------------------------------------------------------- episodes: `new` proposes `initial`



def new_file(repo, *args: str) -> dict:
    result = run(repo.root, "new", *args, "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    return yaml.safe_load(repo.read(result.stdout.strip().splitlines()[-1]))


def test_new_assessment_and_plan_after_reenrollment_are_initial(repo):
    reenroll_abdi_holds_episodes(repo)
    assessment = new_file(repo, "assessment", ABDI)
    assert (assessment["id"], assessment["type"]) == ("A2", "initial")
    plan = new_file(repo, "plan", ABDI)
    assert (plan["assessment"], plan["type"]) == ("A2", "initial")


RENEWAL = f"{ELENA}/plan-2027-09-03.yaml"

AFTER_RENEWAL = date(2027, 9, 20)  # the annual plan of 2027-09-03 is in effect

SP2_HOURS = "    amount: 6\n    unit: hours\n    frequency: weekly\n"


def renewal(repo, *, kind: str = "annual", day: str = "2027-09-03", end: str = "2028-09-02") -> None:
    """Elena's plan P1 renewed as P2 (``kind``), starting the day after P1 ends, signed by Elena that day.
    The supports that ran to P1's end run to P2's; SP1, which ended 2027-03-31 as planned, is left as it was."""
    text = repo.read(ELENA_PLAN)
    text = text.replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial", f"date: {day}\ntype: {kind}")
    text = text.replace("  date: 2026-09-03\n  place", f"  date: {day}\n  place")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", f"  start: {day}\n  end: {end}")
    text = text.replace("    end: 2027-09-02\n", f"    end: {end}\n")
    head, _, tail = text.partition("signatures:\n")
    text = head + f"signatures:\n  - {{role: member, name: Elena, signed_on: {day}, method: wet}}\n" + \
        tail[tail.index("distribution:"):]
    repo.write(RENEWAL, text)


def drop_support(repo, path: str, support: str) -> None:
    text = repo.read(path)
    start = text.index(f"  - id: {support}\n")
    following = re.search(r"\n  - id: SP|\nstrategies:", text[start + 1:])
    repo.write(path, text[:start] + text[start + 1 + following.start() + 1:])


def in_support(repo, path: str, support: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` within one support's entry only."""
    text = repo.read(path)
    start = text.index(f"  - id: {support}\n")
    end = start + 1 + re.search(r"\n  - id: SP|\nstrategies:", text[start + 1:]).start()
    assert text[start:end].count(old) == 1, (support, old)
    repo.write(path, text[:start] + text[start:end].replace(old, new) + text[end:])


def notices_plan_content(repo, *entries: str) -> None:
    repo.edit(RENEWAL, "exceptions: []", "notices:\n" + "".join(f"  - {e}\n" for e in entries) + "exceptions: []")


def c308(repo, today: date = AFTER_RENEWAL) -> list[tuple]:
    return found(repo, "C308", today=today)


NO_NOTICE = ("no notice to the member is recorded, and it was due by 2027-08-24 (10 days before the change): "
             "record it under `notices` (`support: {}`, `given_on`, `method`), or `requested_by_member: true` if "
             "the member asked for the change")


# ---------------------------------------------------------------- C308 at renewals

def test_c308_an_annual_renewal_that_continues_every_support_as_it_was_needs_no_notice(repo):
    renewal(repo)
    assert c308(repo) == []


def test_c308_an_annual_renewal_that_cuts_a_supports_hours_is_a_reduction(repo):
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", SP2_HOURS, "    amount: 4\n    unit: hours\n    frequency: weekly\n")
    assert c308(repo) == [("C308",) + where(repo, RENEWAL, "id: SP2") + (
        "plan P2 reduces paid support `SP2` of plan P1 on 2027-09-03: a lower amount (6 → 4, `weekly`); "
        + NO_NOTICE.format("SP2"),)]
    notices_plan_content(repo, "{support: SP2, given_on: 2027-08-24, method: mail}")  # 10 days before: in time
    assert c308(repo) == []


def test_c308_a_support_that_ran_to_the_old_plans_end_and_is_not_continued_is_ended(repo):
    # SP3 ran to P1's last day (2027-09-02); the renewal drops it: the member loses the rides
    renewal(repo)
    drop_support(repo, RENEWAL, "SP3")
    assert c308(repo) == [("C308",) + where(repo, RENEWAL, "supports:") + (
        "plan P2 ends paid support `SP3` of plan P1 on 2027-09-03 (not continued in this plan: no support has its "
        "id or service code); " + NO_NOTICE.format("SP3"),)]
    notices_plan_content(repo, "{support: SP3, requested_by_member: true}")
    assert c308(repo) == []


def test_c308_a_support_that_ended_as_planned_before_the_old_plans_end_is_not_taken_away(repo):
    # SP1 (the nurse) ended 2027-03-31, months before P1 ended: a time-limited support, not a termination
    renewal(repo)
    drop_support(repo, RENEWAL, "SP1")
    assert c308(repo) == []


def test_c308_a_support_given_once_is_not_taken_away_by_not_being_carried_forward(repo):
    in_support(repo, ELENA_PLAN, "SP3", "    frequency: monthly\n", "    frequency: once\n")
    renewal(repo)
    drop_support(repo, RENEWAL, "SP3")
    assert c308(repo) == []


def test_c308_a_support_without_an_end_ran_to_the_old_plans_end(repo):
    in_support(repo, ELENA_PLAN, "SP1", "\n    end: 2027-03-31", "")
    renewal(repo)
    drop_support(repo, RENEWAL, "SP1")
    (finding,) = c308(repo)
    assert finding[1:4] == where(repo, RENEWAL, "supports:")
    assert finding[4].startswith("plan P2 ends paid support `SP1` of plan P1 on 2027-09-03 (not continued")


def test_c308_a_renewal_dated_later_still_compares_with_the_plan_it_follows(repo):
    # a gap between the plans (P1 ended 2027-09-02, the renewal starts 2027-10-01): SP2 ran to P1's end
    renewal(repo, day="2027-10-01", end="2028-09-30")
    in_support(repo, RENEWAL, "SP2", SP2_HOURS, "    amount: 5\n    unit: hours\n    frequency: weekly\n")
    (finding,) = c308(repo, today=date(2027, 10, 20))
    assert finding[1:4] == where(repo, RENEWAL, "id: SP2")
    assert "reduces paid support `SP2` of plan P1 on 2027-10-01: a lower amount (6 → 5, `weekly`)" in finding[4]


def test_c308_a_support_renamed_is_followed_by_its_service_code(repo):
    in_support(repo, ELENA_PLAN, "SP2", "    paid: true\n", "    paid: true\n    service: {code: T1019}\n")
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", "  - id: SP2\n", "  - id: SP7\n")
    assert c308(repo) == []  # the same service, as much of it: continued
    in_support(repo, RENEWAL, "SP7", SP2_HOURS, "    amount: 4\n    unit: hours\n    frequency: weekly\n")
    assert c308(repo) == [("C308",) + where(repo, RENEWAL, "id: SP7") + (
        "plan P2 reduces paid support `SP2` of plan P1 on 2027-09-03: a lower amount (6 → 4, `weekly`); continued "
        "by service code as `SP7`; " + NO_NOTICE.format("SP2"),)]
    notices_plan_content(repo, "{support: SP7, given_on: 2027-08-20, method: mail}")  # the notice may name the new id
    assert c308(repo) == []


def test_c308_a_service_code_matches_whatever_its_case_and_modifiers_and_system_defaults_to_hcpcs(repo):
    in_support(repo, ELENA_PLAN, "SP2", "    paid: true\n",
               "    paid: true\n    service: {system: hcpcs, code: T1019, modifiers: [U1]}\n")
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", "  - id: SP2\n    description",
               "  - id: SP7\n    service: {code: t1019, modifiers: [U2]}\n    description")
    assert c308(repo) == []
    # another code system is another service: SP2 is not continued
    in_support(repo, RENEWAL, "SP7", "{code: t1019,", "{system: 'https://hcpf.colorado.gov/codes', code: t1019,")
    (finding,) = c308(repo)
    assert finding[1:4] == where(repo, RENEWAL, "supports:") and "ends paid support `SP2`" in finding[4]


def test_c308_a_renamed_support_without_a_service_code_is_ended(repo):
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", "  - id: SP2\n", "  - id: SP7\n")
    (finding,) = c308(repo)
    assert finding[1:4] == where(repo, RENEWAL, "supports:")
    assert finding[4].startswith("plan P2 ends paid support `SP2` of plan P1 on 2027-09-03 (not continued in this "
                                 "plan: no support has its id or service code)")


def test_c308_a_support_split_in_two_is_compared_in_total(repo):
    in_support(repo, ELENA_PLAN, "SP2", "    paid: true\n", "    paid: true\n    service: {code: T1019}\n")
    renewal(repo)
    split = ("  - id: SP7\n    description: Aide for bathing.\n    paid: true\n    service: {code: T1019}\n"
             "    provider: Sunrise Home Care\n    goals: [G2]\n    amount: 3\n    unit: hours\n"
             "    frequency: weekly\n    start: 2027-09-03\n    end: 2028-09-02\n"
             "  - id: SP8\n    description: Aide for housework.\n    paid: true\n    service: {code: T1019}\n"
             "    provider: Sunrise Home Care\n    goals: [G2]\n    amount: {hours}\n    unit: hours\n"
             "    frequency: weekly\n    start: 2027-09-03\n    end: 2028-09-02\n")
    drop_support(repo, RENEWAL, "SP2")
    text = repo.read(RENEWAL)
    at = text.index("  - id: SP3\n")
    repo.write(RENEWAL, text[:at] + split.replace("{hours}", "3") + text[at:])
    assert c308(repo) == []  # 3 + 3 hours a week: as much as before
    repo.edit(RENEWAL, "    amount: 3\n    unit: hours\n    frequency: weekly\n    start: 2027-09-03\n"
              "    end: 2028-09-02\n  - id: SP3", "    amount: 2\n    unit: hours\n    frequency: weekly\n"
              "    start: 2027-09-03\n    end: 2028-09-02\n  - id: SP3")
    assert c308(repo) == [("C308",) + where(repo, RENEWAL, "id: SP7") + (
        "plan P2 reduces paid support `SP2` of plan P1 on 2027-09-03: a lower amount for the time in total (6 → 5 "
        "a week, across the supports of its service code); continued by service code as `SP7`, `SP8`; "
        + NO_NOTICE.format("SP2"),)]


@pytest.mark.parametrize("old, new, how", [
    ("3 times a week", "twice a week", "a lower amount for the time (2 `3 times a week` → 2 `twice a week`)"),
    ("twice a week", "every 2 weeks", "a lower amount for the time (2 `twice a week` → 2 `every 2 weeks`)"),
    ("weekly", "3 times a week", None),  # more often: more
    ("daily", "7 times a week", None),  # the same, said another way
    ("twice a month", "every 2 weeks", None),  # about 26 a year, not 24: more
])
def test_c308_reads_a_supports_frequency_as_people_say_it(repo, old, new, how):
    in_support(repo, ELENA_PLAN, "SP2", SP2_HOURS, f"    amount: 2\n    unit: hours\n    frequency: {old}\n")
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", f"    frequency: {old}\n", f"    frequency: {new}\n")
    messages = [m for *_, m in c308(repo)]
    assert messages == ([f"plan P2 reduces paid support `SP2` of plan P1 on 2027-09-03: {how}; "
                         + NO_NOTICE.format("SP2")] if how else [])


@pytest.mark.parametrize("service, followed", [
    ("T1019", False), ("{code: 5}", False), ("{code: [T1019]}", False), ("{modifiers: 3}", False),
    ("[1, 2]", False),
    ("{system: 7, code: T1019}", True),  # an unreadable system is the default one, on both sides
])
def test_c308_a_service_of_the_wrong_shape_is_a_schema_finding_and_never_a_crash(repo, service, followed):
    in_support(repo, ELENA_PLAN, "SP2", "    paid: true\n", f"    paid: true\n    service: {service}\n")
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", "  - id: SP2\n", f"  - id: SP7\n    service: {service}\n")
    findings = repo.check(today=AFTER_RENEWAL)
    codes = [f.code for f in findings]
    assert "E000" not in codes and "E004" in codes
    ended = [f for f in findings if f.code == "C308" and "ends paid support `SP2`" in f.message]
    assert len(ended) == (0 if followed else 1)


@pytest.mark.parametrize("old, new", [
    ("  - id: SP7\n", "  - id: [SP7]\n"),
    ("    frequency: weekly\n", "    frequency: [weekly]\n"),
    ("    amount: 6\n", "    amount: [6]\n"),
    ("    paid: true\n", "    paid: [true]\n"),
    ("    end: 2028-09-02", "    end: {d: 1}"),
])
def test_c308_a_later_plans_support_of_the_wrong_shape_never_crashes(repo, old, new):
    in_support(repo, ELENA_PLAN, "SP2", "    paid: true\n", "    paid: true\n    service: {code: T1019}\n")
    renewal(repo)
    in_support(repo, RENEWAL, "SP2", "  - id: SP2\n", "  - id: SP7\n")
    in_support(repo, RENEWAL, "SP7", old, new)
    findings = repo.check(today=AFTER_RENEWAL)
    assert "E000" not in [f.code for f in findings] and "E004" in [f.code for f in findings]


def transfer_elena(repo, to: str = "cm-obello", on: str = "2026-11-02", extra: str = "") -> None:
    """Elena's case moves from cm-jlee (ended the day before ``on``) to ``to``."""
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              f"    reason: Initial assignment.\n    to: {day_before(on)}\n  - staff: {to}\n    from: {on}\n"
              f"    assigned_by: sup-amartin\n    reason: Jordan Lee left the agency.\n{extra}status: active")


def day_before(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() - 1).isoformat()


# ---------------------------------------------------------------- C309 standing preferences

def test_c309_a_spanish_speaker_moved_to_an_english_only_case_manager(repo):
    """The issue's case: the preference was voiced at the first assignment and is not typed again."""
    transfer_elena(repo, extra="    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, ELENA_MEMBER, "cm-obello") + (
        "the member needs an interpreter and prefers `es`, but the new case manager of case-manager assignment 2 "
        "(`cm-obello`) does not speak it (staff.yaml `languages`); add `preference_unmet_reason` saying why, or "
        "assign a case manager who speaks the member's language",)]


def test_c309_the_language_stands_even_when_the_member_chose(repo):
    transfer_elena(repo, extra="    chosen_by_member: true\n    preferences_met: true\n")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, ELENA_MEMBER, "cm-obello")]
    repo.edit(ELENA_MEMBER, "    preferences_met: true\n",
              "    preference_unmet_reason: Elena chose Olu; an interpreter joins every visit.\n")
    assert found(repo, "C309") == []


def test_c309_a_case_manager_who_speaks_the_language_meets_it(repo):
    repo.edit(STAFF, "    languages: [en]\n    specialties: [developmental", "    languages: [en, es-MX]\n"
              "    specialties: [developmental")
    transfer_elena(repo, extra="    chosen_by_member: true\n")
    assert found(repo, "C309") == []


def test_c309_an_earlier_preference_stands_without_an_interpreter(repo):
    # Elena no longer needs an interpreter, but asked for a Spanish speaker at her first assignment
    repo.edit(ELENA_MEMBER, "  interpreter_needed: true", "  interpreter_needed: false")
    transfer_elena(repo, extra="    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, ELENA_MEMBER, "- staff: cm-obello", 2) + (
        "case-manager assignment 2 (`cm-obello`) was not the member's choice and does not say whether it meets "
        "the preferences the member voiced at case-manager assignment 1; add `preferences_met: true`, or "
        "`preference_unmet_reason` saying why they could not be met",)]
    repo.edit(ELENA_MEMBER, "    chosen_by_member: false\n", "    chosen_by_member: false\n    preferences_met: true\n")
    assert found(repo, "C309") == []


def test_c309_wrong_types_never_crash(repo):
    repo.edit(ELENA_MEMBER, "  interpreter_needed: true", "  interpreter_needed: [yes]")
    transfer_elena(repo, extra="    chosen_by_member: maybe\n    preferences: [Spanish]\n")
    repo.edit(STAFF, "    languages: [en]\n    specialties: [developmental", "    languages: en\n"
              "    specialties: [developmental")
    assert found(repo, "E000") == []
    assert found(repo, "C309") == []  # nothing it can read says a preference is unmet
