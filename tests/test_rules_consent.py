"""C301–C307: each rule fires at the exact node on a one-edit copy of the reference, and not on the clean one."""

from __future__ import annotations

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, at, only

from pcplan.fingerprint import fingerprint
from pcplan.load import load_file

DANNY_MEMBER = "members/M-000207/member.yaml"
ABDI_MEMBER = "members/M-000301/member.yaml"

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


# wrong shapes are the schema's findings; the consent rules must not crash on them

def test_wrong_shapes_do_not_crash(repo):
    repo.edit(DANNY_MEMBER, "language:\n  preferred: en\n  interpreter_needed: false\n", "language: en\n")
    repo.edit(DANNY_MEMBER, "document_format: print\n", "document_format: [print]\n")
    cut(repo, DANNY_MEMBER, "representatives:\n", "programs:\n")
    repo.edit(DANNY_MEMBER, "programs:\n", "representatives: [Grace, {authority: legal_guardian, name: 7}]\nprograms:\n")
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2025-12-15\n", "rights_explained_on: [2025-12-15]\n")
    cut(repo, DANNY_PLAN, "signatures:\n", "exceptions:")
    repo.edit(DANNY_PLAN, "exceptions:", "signatures: [1, {role: member, name: 3, refused: yes, fingerprint: 12}]\n"
              "distribution:\n  - [x]\n  - {role: member, copy_given: true, given_on: 5, format: 7, language: 8}\n"
              "exceptions:")
    repo.edit(DANNY_PLAN, "    paid: true\n    provider: Lydia Park Host Home\n", "    paid: true\n    provider: [x]\n")
    codes = repo.codes()
    assert "E000" not in codes
    # the plan has no consent: a draft, whose copies wait (no C303); its undated member entry is C301's
    assert {"C301", "C306", "T213"} <= set(codes) and "C303" not in codes
