"""Consent, drafts and copies (DESIGN.md, "The life of a case": Consent, Draft, Copies).

A true record checks clean and a false one never does:
- consent is the member's signature, or a legal representative's who held authority that day (the guardian's
  when a guardian holds it), or an agreement recorded without a signature (`declined_to_sign`); a refusal is
  recorded but is never consent, and a guardian appointed later does not undo an earlier consent;
- a draft waits for signatures and copies (C301–C304, C310, T207 say nothing; T213 alone tells the wait),
  while L110 is reported on a draft revision, where the fix costs no signature;
- copies are judged from consent: not before it (T206), within `copy_deadline_days` of it (T207, C303),
  whoever signs later.

Each case is one or two edits of the reference members, with the exact file:line:column asserted.
"""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, found, where
from pcplan.cli import app
from pcplan.lifecycle import lifecycle
from pcplan.model import Case, Document

ELENA, DANNY = "members/M-000123", "members/M-000207"
DANNY_MEMBER = "members/M-000207/member.yaml"
ELENA_REVISION = "members/M-000123/plan-2026-11-12.yaml"
ELENA_RAISED = "members/M-000123/notes/2026-10-29.yaml"  # raised an unmet need (a senior group)

ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"
DANNY_SIGNATURE = "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n"
GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"
ELENA_COPY = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}"
ROSA = "    authority: supporter "
SIGNING_CODES = ("C301", "C302", "C303", "C304", "C310", "T207")
NOV22 = date(2026, 11, 22)
runner = CliRunner()


def life(repo, member: str, today: date = NOV22):
    folder = repo.path(member)
    docs = [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
    return lifecycle(Case(folder, docs), today)


def codes(repo, *wanted: str, today: date = NOV22) -> list[str]:
    return [f[0] for f in found(repo, *wanted, today=today)]


def elena_revision(repo, signatures: str, distribution: str = "", date_: str = "2026-11-12",
                   unmet: str = "") -> str:
    """Elena's plan as a revision P2 dated ``date_`` (meeting that day, starting then), with ``signatures``
    and ``distribution`` (each a block of list items, or nothing) and, with ``unmet``, plan-level
    `unmet_needs`."""
    text = repo.read(ELENA_PLAN)
    text = text.replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial", f"date: {date_}\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", f"  date: {date_}\n  place")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", f"  start: {date_}\n  end: 2027-09-02")
    if unmet:
        text = text.replace("deferred_needs: []\n", f"deferred_needs: []\nunmet_needs:\n{unmet}")
    text = text.partition("signatures:\n")[0]
    text += "signatures:\n" + signatures if signatures else "signatures: []\n"
    text += "distribution:\n" + distribution if distribution else "distribution: []\n"
    repo.write(ELENA_REVISION, text + "exceptions: []\n")
    return ELENA_REVISION


def guardian_rosa(repo, authority: str = "legal_guardian", since: str = "", until: str = "") -> None:
    """Elena's sister Rosa made her legal representative in member.yaml, with the authority dates given."""
    dates = (f"\n    authority_from: {since}" if since else "") + (f"\n    authority_until: {until}" if until else "")
    repo.edit(ELENA_MEMBER, ROSA, f"    authority: {authority}{dates} ")


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


def test_the_witness_is_a_staff_id_a602_knows(repo):
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: true, "
              "declined_reason: Signs nothing., witnessed_by: cm-nobody}\n")
    assert [f[1:4] for f in found(repo, "A602")] == [where(repo, ELENA_PLAN, "cm-nobody")]


def test_a_guardian_appointed_after_the_member_signed_does_not_undo_her_consent(repo):
    # issue: the plan lost consent retroactively (T211 fired, a missed contact disappeared)
    later = date(2027, 2, 10)  # Elena's contacts are overdue by then
    before = found(repo, "T205", "T211", today=later)
    assert {f[0] for f in before} == {"T205"}
    guardian_rosa(repo, since="2026-10-01")
    elena = life(repo, ELENA)
    assert elena.plans[0].consent_on == date(2026, 9, 3) and elena.in_effect() is elena.plans[0]
    assert repo.check() == []
    # the missed contacts stay on record, and the plan is still in effect (no T211)
    assert found(repo, "T205", "T211", today=later) == before


def test_a_guardian_holding_authority_when_the_member_signed_is_required(repo):
    guardian_rosa(repo, since="2026-06-01")
    assert life(repo, ELENA).plans[0].consent_on is None
    # a draft waiting for the guardian: T213 tells it; no C301 (her signature is a true record)
    assert found(repo, "C301", "T213") == [("T213",) + where(repo, ELENA_PLAN, "signatures:") + (
        "plan P1, dated 2026-09-03, has been awaiting the signature of the member or a legal representative for "
        "80 days (at most 30); until it is signed the older plan stays in effect",)]
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, ELENA_SIGNATURE + "  - {role: representative, name: Rosa Ruiz, "
              "signed_on: 2026-09-05, method: wet}\n")
    assert life(repo, ELENA).plans[0].consent_on == date(2026, 9, 5)
    # the guardian who held authority at consent is owed a copy as a legal representative
    assert [f[:4] for f in found(repo, "C301", "T213", "T211", "T206", "T207", "C303")] == [
        ("C303",) + where(repo, ELENA_PLAN, "distribution:")]
    repo.edit(ELENA_PLAN, "{to: Rosa Ruiz, role: supporter,", "{to: Rosa Ruiz, role: representative,")
    assert found(repo, "C301", "T213", "T211", "T206", "T207", "C303") == []


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
        ("C301",) + where(repo, ELENA_REVISION, "{role: representative, name: Rosa")]


# ---------------------------------------------------------------- refusal is not consent

def test_a_refused_revision_stays_a_draft_and_the_previous_plan_stays_in_effect(repo):
    elena_revision(repo, "  - {role: member, name: Elena, refused: true, refused_on: 2026-11-12, "
                         "refusal_reason: Wants her Saturday aide hours kept.}\n", date_="2026-10-01")
    elena = life(repo, ELENA)
    first, refused = elena.plans
    assert refused.consent_on is None and refused.refused and refused.refused_on == date(2026, 11, 12)
    assert elena.in_effect() is first
    # within signature_due_days of its date nothing is said; after, T213 tells who refused and when
    assert found(repo, *SIGNING_CODES, "T211", "T213", today=date(2026, 10, 25)) == []
    assert found(repo, *SIGNING_CODES, "T211", "T213") == [("T213",) + where(
        repo, ELENA_REVISION, "{role: member, name: Elena, refused") + (
        "plan P2, dated 2026-10-01, was refused by the member on 2026-11-12 (`signatures[0]`) and has no consent "
        "52 days later (at most 30); a refusal is not consent, so it stays a draft and the previous plan stays in "
        "effect: revise the plan with the member, or remove the draft",)]


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


def test_a_refusal_that_was_later_replaced_by_a_signature_is_history(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, refused: true, "
              "refused_on: 2026-05-18, refusal_reason: Wanted the dietitian there.}\n" + GRACE_SIGNATURE)
    record = life(repo, DANNY).plans[0]
    assert record.consent_on == date(2026, 5, 20) and not record.refused
    assert repo.check() == []


def test_a_draft_awaiting_signature_is_judged_on_what_its_modification_records(repo):
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "")  # the guardian has not signed yet: no refusal
    assert found(repo, "H501") == []


# ---------------------------------------------------------------- drafts wait for consent

def test_a_12_day_old_draft_has_no_signature_or_copy_findings(repo):
    # issue: C301/C303 errors and a C302/C310 warning per provider, although T213 gives 30 days
    elena_revision(repo, "  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-11-10}\n",
                   date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, *SIGNING_CODES, "T206", "T213") == []
    assert repo.check() == []


def test_after_signature_due_days_t213_alone_tells_the_wait(repo):
    elena_revision(repo, "  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-11-10}\n",
                   date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert [f[:4] for f in found(repo, *SIGNING_CODES, "T213", today=date(2026, 12, 15))] == [
        ("T213",) + where(repo, ELENA_REVISION, "signatures:")]


def test_once_consented_its_signatures_and_copies_are_judged(repo):
    """After consent a provider's copy is owed within `copy_deadline_days` (C310, as the member's, C303) and a
    provider's signature within `signature_due_days` (C302, as a draft's, T213): pending until then, not missing."""
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-12}\n",
                   unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "C302", "C310", today=date(2026, 11, 27)) == []  # consent + 15 days: still pending
    providers = ("Sunrise Home Health", "Sunrise Home Care", "Weld Transit")
    assert [f[:4] for f in found(repo, "C302", "C310", today=date(2026, 11, 28))] == [
        ("C310",) + where(repo, ELENA_REVISION, f"provider: {name}", 10) for name in providers]
    assert [f[:4] for f in found(repo, "C302", "C310", today=date(2026, 12, 12))] == [
        ("C310",) + where(repo, ELENA_REVISION, f"provider: {name}", 10) for name in providers]  # + 30 days
    assert [f[:4] for f in found(repo, *SIGNING_CODES, today=date(2026, 12, 13))] == [
        (code,) + where(repo, ELENA_REVISION, f"provider: {name}", 10) for name in providers
        for code in ("C302", "C310")] + [("C303",) + where(repo, ELENA_REVISION, "distribution:")]


def test_due_lists_a_draft_as_awaiting_signature_since_its_date(repo, monkeypatch):
    elena_revision(repo, "", date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    monkeypatch.chdir(repo.root)
    result = runner.invoke(app, ["due", ELENA, "--today", "2026-11-22", "--within", "all", "-f", "json"])
    assert result.exit_code == 0, result.output
    lines = [(o["due"], o["kind"], o["description"], o["path"]) for o in json.loads(result.stdout)["obligations"]
             if o["kind"] in ("signature", "copy", "representative-copy")]
    assert lines == [("2026-12-10", "signature", "awaiting signature since 2026-11-10: plan P2", ELENA_REVISION)]


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


# ---------------------------------------------------------------- L110 on the draft revision

def test_a_draft_revision_reports_the_unmet_need_it_does_not_take_up(repo):
    elena_revision(repo, "", date_="2026-11-10", unmet="  - {raised_on: 2026-09-30, goal: G3}\n")
    assert [(f[:4], f[4]) for f in found(repo, "L110")] == [(
        ("L110",) + where(repo, ELENA_REVISION, "unmet_needs:"),
        "the unmet need raised in the note of 2026-10-29 (2026-10-29.yaml) is not taken up by this revision, "
        "which awaits signature; add to its `unmet_needs` an entry with `raised_on: 2026-10-29` and a `goal`, a "
        "`referral` or the reason it is `deferred`, before it is signed")]
    (finding,) = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert [(r.path, r.line, r.column, r.message) for r in finding.related] == [
        where(repo, ELENA_RAISED, "- Would like", 2) + ("the unmet need raised in the note of 2026-10-29",)]
    repo.edit(ELENA_REVISION, "raised_on: 2026-09-30", "raised_on: 2026-10-29")
    assert found(repo, "L110") == []


def test_a_draft_without_unmet_needs_is_told_at_its_date(repo):
    elena_revision(repo, "", date_="2026-11-10")
    assert [f[:4] for f in found(repo, "L110")] == [("L110",) + where(repo, ELENA_REVISION, "2026-11-10")]


def test_a_review_before_the_draft_keeps_the_finding_at_the_note(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-05, by: cm-jlee, outcome: revise, "
              "member_view: She wants a Spanish group.}")
    elena_revision(repo, "", date_="2026-11-10")
    assert [f[:4] for f in found(repo, "L110")] == [("L110",) + where(repo, ELENA_RAISED, "- Would like", 2)]


def test_an_initial_draft_is_no_occasion(repo):
    elena_revision(repo, "", date_="2026-11-10")
    repo.edit(ELENA_REVISION, "type: revision", "type: initial")
    assert found(repo, "L110") == []


# ---------------------------------------------------------------- copies judged from consent

def test_a_copy_the_day_she_signed_before_a_later_provider_signature_is_in_order(repo):
    # issue: member signed 2026-11-12 and got her copy that day; a provider signed two days later
    providers = "".join(f"  - {{role: provider, name: {p}, signed_on: 2026-11-14}}\n" for p in (
        "Sunrise Home Health", "Sunrise Home Care", "Weld Transit Non-Medical Transportation"))
    copies = "".join(f"  - {{to: {p}, role: provider, copy_given: true, given_on: 2026-11-14}}\n" for p in (
        "Sunrise Home Health", "Sunrise Home Care", "Weld Transit Non-Medical Transportation"))
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-12}\n" + providers,
                   "  - {to: Elena, role: member, copy_given: true, given_on: 2026-11-12, format: large_print, "
                   "language: es}\n" + copies, unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "T206", "T207", *SIGNING_CODES, today=date(2027, 1, 5)) == []


def test_a_provider_signing_more_than_15_days_later_leaves_a_truthful_copy_date(repo):
    # issue: no copy date passed both T206 (after the latest signature) and T207 (15 days from consent)
    repo.edit(ELENA_PLAN, "{role: provider, name: Weld Transit Non-Medical Transportation, signed_on: 2026-09-10",
              "{role: provider, name: Weld Transit Non-Medical Transportation, signed_on: 2026-09-25")
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-03"))
    assert found(repo, "T206", "T207") == []
    repo.edit(ELENA_PLAN, "given_on: 2026-09-03, format: large_print", "given_on: 2026-09-19, format: large_print")
    assert found(repo, "T206", "T207") == [("T207",) + where(repo, ELENA_PLAN, "2026-09-19") + (
        "the member's copy was given on 2026-09-19, 16 days after consent (2026-09-03, `signatures[0]`); copies "
        "are due within 15 days",)]


def test_t207_judges_a_consented_revision_that_has_not_started_yet(repo):
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-01}\n",
                   "  - {to: Elena, role: member, copy_given: true, given_on: 2026-11-20, format: large_print, "
                   "language: es}\n", date_="2026-11-01", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    repo.edit(ELENA_REVISION, "  start: 2026-11-01", "  start: 2027-01-01")
    elena = life(repo, ELENA)
    assert elena.in_effect() is elena.plans[0]  # P1 is still in effect; P2 is consented and waits for its start
    assert found(repo, "T207") == [("T207",) + where(repo, ELENA_REVISION, "2026-11-20") + (
        "the member's copy was given on 2026-11-20, 19 days after consent (2026-11-01, `signatures[0]`); copies "
        "are due within 15 days",)]


def test_a_copy_before_consent_is_t206(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-01"))
    assert found(repo, "T206", "T207") == [("T206",) + where(repo, ELENA_PLAN, "2026-09-01") + (
        "this copy is dated 2026-09-01, before the plan's consent (2026-09-03, `signatures[0]`); the copy given "
        "is the plan the member or their legal representative agreed to: correct the date, or give the "
        "consented plan and record that day",)]


def test_copies_count_from_the_guardians_consent(repo):
    # Danny signed 2026-05-20, his guardian 2026-06-10 (consent): a copy on 2026-06-01 predates consent
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, GRACE_SIGNATURE.replace("2026-05-20", "2026-06-10"))
    repo.edit(DANNY_PLAN, "given_on: 2026-05-28, format: print, language: en}\n  - {to: Grace",
              "given_on: 2026-06-01, format: print, language: en}\n  - {to: Grace")
    # every copy before the guardian's signature predates consent, whoever it went to
    assert [f[:4] for f in found(repo, "T206")] == [("T206",) + where(repo, DANNY_PLAN, "given_on: 2026-06-01", 10)] + [
        ("T206",) + where(repo, DANNY_PLAN, "given_on: 2026-05-28", 10, occurrence=n) for n in (1, 2, 3, 4)]


def test_the_members_copy_is_pending_until_the_deadline_then_c303(repo):
    elena_revision(repo, "  - {role: member, name: Elena, signed_on: 2026-11-12}\n",
                   unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "C303", today=date(2026, 11, 27)) == []  # 15 days: due that day, pending
    assert found(repo, "C303", today=date(2026, 11, 28)) == [("C303",) + where(repo, ELENA_REVISION, "distribution:")
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


# ---------------------------------------------------------------- bad input never tracebacks

def test_wrong_types_in_the_new_fields_are_schema_findings_never_a_crash(repo):
    repo.edit(ELENA_MEMBER, ROSA, "    authority: legal_guardian\n    authority_from: [2026]\n"
              "    authority_until: {d: 1} ")
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: yes, "
              "declined_reason: [x], witnessed_by: 7, declined_on: 2026-13-01, refused: 1}\n"
              "  - {role: representative, name: [Rosa], refused: true, refused_on: {x: 1}}\n"
              "  - 12\n")
    repo.edit(DANNY_PLAN, "rights_modifications:\n", "rights_modifications:\n  - 5\n")
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, refused: true}\n")
    findings = repo.check()
    assert "E000" not in {f.code for f in findings}
    schema = {(f.path, f.line, f.column) for f in findings if f.code == "E004"}
    assert where(repo, ELENA_MEMBER, "[2026]") in schema and where(repo, ELENA_PLAN, "2026-13-01") in schema


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
