"""Tests of the T codes, the rules of time: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

import json
import os
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
    ELENA_ASSESSMENT,
    ELENA_MEMBER,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    ELENA_REVISION_CONSENT_DRAFTS_COPIES,
    TODAY,
    at,
    change_assessment,
    codes_of,
    elena_revision,
    found,
    guardian_rosa,
    life,
    new_member,
    only,
    reenroll_abdi,
    revision,
    run,
    where,
)
from pcplan.baseline import key
from pcplan.cli import app
from pcplan.config import ConfigError, Settings, load_config
from pcplan.rules import RULES

GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"

ELENA_COPY = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}"

DANNY_COPY = "{to: Danny, role: member, copy_given: true, given_on: 2026-05-28, format: print, language: en}"

TRANSIT_SIGNATURE = "{role: provider, name: Weld Transit Non-Medical Transportation, signed_on: 2026-09-10"



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
    assert codes_of(repo.check(), "T207") == []


def test_t207_with_a_guardian_counts_from_the_guardians_signature(repo):
    # Danny signed 2026-05-20; his guardian 2026-06-10 (consent); a provider 2026-07-15
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, GRACE_SIGNATURE.replace("2026-05-20", "2026-06-10"))
    repo.edit(DANNY_PLAN, "{role: provider, name: North Range Behavioral Health, signed_on: 2026-05-28",
              "{role: provider, name: North Range Behavioral Health, signed_on: 2026-07-15")
    repo.edit(DANNY_PLAN, DANNY_COPY, DANNY_COPY.replace("2026-05-28", "2026-06-20"))
    assert codes_of(repo.check(), "T207") == []  # 10 days after the guardian's signature
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


NEW_CODES = ("T209", "T210", "T211", "T212", "T213", "X702", "X703")


def found_intake(repo, *codes, today=date(2026, 11, 22), paths=()):
    return [f for f in repo.check(*paths, today=today, select=codes) if f.code in codes]


def test_reference_has_none_of_the_lifecycle_findings(repo):
    assert found_intake(repo, *NEW_CODES) == []
    assert found_intake(repo, *NEW_CODES, today=date(2027, 2, 10)) == []


# ---------------------------------------------------------------- T209

@pytest.mark.parametrize("old, new, snippet, message", [
    ("  responsible: cm-jlee\n", "", "monitoring:", "does not name who monitors it"),
    ("  review_every: 6 months\n", "", "monitoring:", "how often it is reviewed"),
    ("    - {type: face_to_face, every: 3 months}\n    - {type: phone, every: 1 month}\n", "", "contacts:",
     "no contact frequency"),
])
def test_t209_each_missing_monitoring_element(repo, old, new, snippet, message):
    repo.edit(ELENA_PLAN, old, new)
    if snippet == "contacts:":
        repo.edit(ELENA_PLAN, "  contacts:\n", "  contacts: []\n")
    finding = only(found_intake(repo, "T209"), "T209")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, snippet.rstrip(":")))
    assert message in finding.message


def test_t209_checks_a_draft_revision_too(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "  responsible: cm-jlee\n", "")
    finding = only(found_intake(repo, "T209", today=date(2027, 1, 25)), "T209")
    assert finding.path == ELENA_REVISION


def test_t210_and_t211_fire_once_their_deadlines_pass(repo):
    new_member(repo, "2026-10-01")
    member = "members/M-000900/member.yaml"
    assert found_intake(repo, "T210", "T211", today=date(2026, 10, 31)) == []  # 30 days: still in time
    finding = only(found_intake(repo, "T210", "T211", today=date(2026, 11, 1)), "T210")
    assert at(finding) == (member, *repo.locate(member, "2026-10-01"))
    assert "due by 2026-10-31" in finding.message and finding.due == date(2026, 10, 31)
    both = found_intake(repo, "T210", "T211", today=date(2026, 12, 1))
    t211 = only(both, "T211")
    assert at(t211) == (member, *repo.locate(member, "2026-10-01"))
    assert "due in effect by 2026-11-30" in t211.message


def test_t210_judges_todays_state_not_an_old_deadline(repo):
    # Elena's record begins with an assessment dated after the deadline: no finding, it exists today.
    repo.edit(ELENA_MEMBER, "enrolled_on: 2026-08-03", "enrolled_on: 2026-05-01")
    repo.edit(ELENA_MEMBER, "rights_explained_on: 2026-08-03", "rights_explained_on: 2026-05-01")
    assert found_intake(repo, "T210") == []


def test_t211_a_draft_is_not_a_plan_in_effect(repo):
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    finding = only(found_intake(repo, "T211"), "T211")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "signatures:"))
    assert "plan P1 has no signature of the member" in finding.message


def test_t211_a_plan_whose_period_ended(repo):
    finding = only(found_intake(repo, "T211", today=date(2027, 9, 3), paths=(ELENA,)), "T211")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "end: 2027-09-02", offset=5))
    assert "ended on 2027-09-02" in finding.message


def test_t211_a_guardians_missing_signature_leaves_no_plan_in_effect(repo):
    repo.edit(DANNY_PLAN, "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n", "")
    finding = only(found_intake(repo, "T211"), "T211")
    assert finding.path == DANNY_PLAN


def test_t210_t211_restart_with_a_new_episode(repo):
    reenroll_abdi(repo, on="2026-11-01")
    assert found_intake(repo, "T210", "T211", today=date(2026, 11, 22)) == []
    codes = sorted(f.code for f in found_intake(repo, "T210", "T211", today=date(2027, 1, 5)))
    assert codes == ["T210", "T211"]  # the old episode's assessment and plan do not count


def test_t212_change_not_reviewed_in_time(repo):
    path = change_assessment(repo, "2026-10-05")
    assert found_intake(repo, "T212", today=date(2026, 11, 4)) == []  # 30 days: still in time
    finding = only(found_intake(repo, "T212", today=date(2026, 11, 22)), "T212")
    assert at(finding) == (path, *repo.locate(path, "change_in_condition"))
    assert "due by 2026-11-04" in finding.message


@pytest.mark.parametrize("kind", ["change_in_condition", "member_request"])
def test_t212_a_review_after_the_change_answers_it(repo, kind):
    change_assessment(repo, "2026-10-05", kind)
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-10-20, by: cm-jlee, outcome: revise}")
    assert found_intake(repo, "T212") == []


def test_t212_a_late_review_is_still_a_finding_and_an_annual_assessment_is_no_change(repo):
    path = change_assessment(repo, "2026-10-05")
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-10, by: cm-jlee, outcome: revise}")
    assert "only on 2026-11-10" in only(found_intake(repo, "T212"), "T212").message
    repo.edit(path, "type: change_in_condition", "type: annual")
    assert found_intake(repo, "T212") == []


# ---------------------------------------------------------------- T213

def test_t213_a_draft_left_unsigned(repo):
    revision(repo, date_="2026-10-01", start="2026-10-01")
    assert found_intake(repo, "T213", today=date(2026, 10, 31)) == []
    finding = only(found_intake(repo, "T213", today=date(2026, 11, 22)), "T213")
    target = "members/M-000123/plan-2027-01-20.yaml"
    assert at(finding) == (target, *repo.locate(target, "signatures:"))
    assert finding.severity == "warning" and "52 days" in finding.message


def test_t213_a_signed_revision_is_not_flagged(repo):
    revision(repo, date_="2026-10-01", start="2026-10-01",
             signatures="  - {role: member, name: Elena, signed_on: 2026-11-20, method: wet}\n")
    assert found_intake(repo, "T213") == []


# ---------------------------------------------------------------- drafts never hide obligations (the issue's done-when)

def test_an_unsigned_revision_leaves_every_t205_finding_as_it_was_and_adds_its_own(repo):
    today = date(2027, 2, 10)
    before = [(f.code, f.path, f.line, f.column, f.message) for f in repo.check(ELENA, today=today)]
    assert [f for f in before if f[0] == "T205"], "Elena is overdue for contacts on 2027-02-10"
    revision(repo)  # plan-2027-01-20.yaml, signed only by the case manager
    after = [(f.code, f.path, f.line, f.column, f.message) for f in repo.check(ELENA, today=today)]
    assert [f for f in after if f[1] != ELENA_REVISION] == before
    own = sorted({f[0] for f in after if f[1] == ELENA_REVISION})
    # its own: content (L110: the need raised on 2026-10-29 is for this revision to take up); signatures
    # and copies wait for consent (DESIGN.md "Draft"), so no C301-C304 or C310 within signature_due_days
    assert "L110" in own and "T205" not in own and "T201" not in own
    assert not {"C301", "C302", "C303", "C304", "C310"} & set(own)


# ---------------------------------------------------------------- T206: a review dated before its plan

def test_t206_a_review_before_the_plans_own_date_belongs_to_an_older_plan(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-08-30, by: cm-jlee, outcome: continue}")
    finding = only(found_intake(repo, "T206"), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-08-30, by"))
    assert "before this plan's own date (2026-09-03)" in finding.message
    # and it does not count: the review is still due from the plan date
    t201 = only(found_intake(repo, "T201", today=date(2027, 3, 4), paths=(ELENA,)), "T201")
    assert "(plan date 2026-09-03 + 6 months)" in t201.message


ELENA_NOTE_NOV18 = "members/M-000123/notes/2026-11-18.yaml"

DANNY_NOTE_JUL16 = "members/M-000207/notes/2026-07-16.yaml"

DANNY_NOTE_OCT08 = "members/M-000207/notes/2026-10-08.yaml"

DANNY_NOTE_NOV05 = "members/M-000207/notes/2026-11-05.yaml"

ELENA_CONTACTS = "    - {type: face_to_face, every: 3 months}\n    - {type: phone, every: 1 month}\n"

NO_MEMBER = ("`with` does not name the member, and a contact with others only is collateral")


def t205(repo, *paths, today: date):
    return [f for f in repo.check(*paths, today=today, select=("T205",)) if f.code == "T205"]


def add_requirement(repo, path: str, line: str, after: str = "    - {type: phone, every: 1 month}\n") -> None:
    repo.edit(path, after, after + line)


def note(repo, member: str, day: str, contact: str, with_: str | None, like: str) -> str:
    """A new note of ``member`` on ``day``, copied from the note ``like`` (its goals and text)."""
    text = repo.read(like)
    old_day = text.split("\ndate: ", 1)[1].split("\n", 1)[0]
    old_contact = text.split("\ncontact: ", 1)[1].split("\n", 1)[0]
    old_with = "\nwith: " + text.split("\nwith: ", 1)[1].split("\n", 1)[0]
    text = text.replace(f"date: {old_day}", f"date: {day}").replace(f"contact: {old_contact}", f"contact: {contact}")
    text = text.replace(old_with, f"\nwith: {with_}" if with_ is not None else "")
    target = f"{member}/notes/{day}.yaml"
    repo.write(target, text)
    return target


# ---------------------------------------------------------------- item 11: who took part in a contact

def test_the_reference_notes_name_their_member_and_keep_counting(repo):
    # every reference note writes the preferred name (Elena, Danny, Abdi): all still meet their requirements
    assert t205(repo, today=date(2026, 12, 3)) == []
    # the exact name is what counts: an interpreter or a sister beside the member does not change it
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]", "with: [maria  ELENA ruiz (member)]")
    assert t205(repo, ELENA, today=date(2026, 12, 3)) == []
    repo.edit(ELENA_NOTE_NOV18, "with: [maria  ELENA ruiz (member)]", "with: [member]")
    assert t205(repo, ELENA, today=date(2026, 12, 3)) == []


def test_a_phone_call_with_the_sister_only_does_not_meet_the_monthly_phone_contact(repo):
    assert t205(repo, ELENA, today=date(2026, 11, 30)) == []  # the 11-18 call with Elena: phone due 12-18
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]", "with: [Rosa Ruiz]")
    assert t205(repo, ELENA, today=date(2026, 11, 29)) == []  # phone due 11-29 after the 10-29 visit
    finding = only(t205(repo, ELENA, today=date(2026, 11, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.message == (
        "no phone contact since the last face_to_face contact on 2026-10-29; one was due by 2026-11-29 under "
        "plan P1 (every 1 month) and none is recorded up to today (2026-11-30); the contact on 2026-11-18 does "
        f"not count: {NO_MEMBER}; make the contact and record it in a note")
    assert "Rosa" not in finding.message


def test_a_note_that_does_not_say_who_took_part_meets_no_member_contact(repo):
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]\n", "")
    finding = only(t205(repo, ELENA, today=date(2026, 11, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert "the contact on 2026-11-18 does not count" in finding.message


def test_a_guardian_only_call_is_collateral_and_the_next_visit_is_late(repo):
    """Danny's phone call of 10-08 was with his mother and guardian only: the phone contact due 10-10 (a month
    after the 09-10 call) came with the 11-05 visit, late."""
    repo.edit(DANNY_NOTE_OCT08, "with: [Danny]", "with: [Grace Kim]")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")  # a closed gap: at the phone entry
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        (DANNY_NOTE_NOV05, *repo.locate(DANNY_NOTE_NOV05, "date: 2026-11-05", offset=6))]
    assert finding.message == (
        "the phone contact due by 2026-10-10 under plan P1 (every 1 month since the last phone contact on "
        "2026-09-10) came late, on 2026-11-05; the contact on 2026-10-08 does not count: "
        f"{NO_MEMBER}; a closed gap, kept as history")


def test_a_collateral_requirement_is_never_met_by_contacts_with_the_member_alone(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))
    assert finding.message == (
        "no collateral contact since plan P1 took effect on 2026-05-20; one was due by 2026-08-20 under plan P1 "
        "(every 3 months) and none is recorded up to today (2026-11-22), 2 due dates missed (the latest "
        "2026-11-20); the contacts on 2026-06-18, 2026-07-16, "
        "2026-08-13 and 3 more do not count: `with` names no one but the member (an interpreter aside), and a "
        "collateral contact is with someone else on the member's behalf; make the contact and record it in a note")


def test_a_call_with_the_guardian_meets_collateral_and_a_visit_with_member_and_guardian_meets_both(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    repo.edit(DANNY_NOTE_JUL16, "with: [Danny]", "with: [Danny, Grace Kim]")  # phone and collateral, due 10-16
    repo.edit(DANNY_NOTE_OCT08, "with: [Danny]", "with: [Grace Kim]")  # collateral only, due 2027-01-08
    found = t205(repo, DANNY, today=date(2026, 11, 22))
    phone = (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: phone, every: 1 month}"))
    assert [(at(f), f.severity) for f in found] == [(phone, "warning")]  # closed by the 11-05 visit
    assert [r.path for r in found[0].related] == [DANNY_NOTE_NOV05]
    assert "the phone contact due by 2026-10-10" in found[0].message  # the guardian call is no phone contact
    # the guardian call met the collateral contact: the next is due 2027-01-08, a day later it is missed
    # (the phone contact is due 12-05, open by then: an error at the same entry as the closed gap)
    assert [(at(f), f.severity) for f in t205(repo, DANNY, today=date(2027, 1, 8))] == [
        (phone, "error"), (phone, "warning")]
    later = t205(repo, DANNY, today=date(2027, 1, 9))
    assert sorted(at(f) for f in later) == sorted([
        phone, phone, (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))])
    collateral = next(f for f in later if f.message.startswith("no collateral"))
    assert collateral.message.startswith("no collateral contact since the last collateral contact on 2026-10-08; "
                                         "one was due by 2027-01-08")


def test_a_collateral_note_counts_as_collateral_unless_it_was_with_the_member_alone(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    added = note(repo, DANNY, "2026-08-01", "collateral", None, DANNY_NOTE_OCT08)  # with no one named
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")  # due 11-01 now, none since
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))
    assert "since the last collateral contact on 2026-08-01; one was due by 2026-11-01" in finding.message
    repo.edit(added, "contact: collateral", "contact: collateral\nwith: [Danny]")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")
    assert "since plan P1 took effect on 2026-05-20; one was due by 2026-08-20" in finding.message


def test_an_interpreter_is_neither_the_member_nor_a_collateral_contact(repo):
    """Abdi's visits were all with his interpreter: they meet his face-to-face contacts, never a collateral one."""
    add_requirement(repo, ABDI_PLAN, "    - {type: collateral, every: 2 months}\n",
                    after="    - {type: face_to_face, every: 1 month}\n")
    finding = only(t205(repo, ABDI, today=date(2026, 11, 22)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: collateral, every: 2 months}"))
    assert finding.message.startswith("no collateral contact since plan P1 took effect on 2026-02-02; one was due "
                                      "by 2026-04-02 under plan P1 (every 2 months) and none is recorded up to the "
                                      "closure (2026-10-15)")
    # the interpreter alone is not the member either
    repo.edit("members/M-000301/notes/2026-09-28.yaml", "with: [Abdi, Hodan Ali (interpreter)]",
              "with: [Hodan Ali (interpreter)]")
    assert "the contact on 2026-09-28 does not count" in " ".join(f.message for f in t205(
        repo, ABDI, today=date(2026, 11, 22)))


def test_an_unsigned_draft_asking_for_collateral_changes_nothing(repo):
    revision(repo, contacts=ELENA_CONTACTS + "    - {type: collateral, every: 1 month}\n")
    assert t205(repo, ELENA, today=date(2027, 2, 10)) == t205(repo, ELENA_PLAN, today=date(2027, 2, 10))
    assert not any("collateral" in f.message for f in t205(repo, ELENA, today=date(2027, 2, 10)))


def test_across_a_revision_a_call_with_the_sister_only_does_not_stop_the_gap(repo):
    """P1's phone contact was due 12-18; the 12-15 call was with Rosa only. P2 (signed 2027-01-20) keeps
    the phone contact and adds a collateral one: the gap carries across and is reported at the 01-25 visit,
    under P1; Rosa's 02-01 call meets P2's collateral contact."""
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n",
             contacts=ELENA_CONTACTS + "    - {type: collateral, every: 1 month}\n")
    note(repo, ELENA, "2026-12-15", "phone", "[Rosa Ruiz]", ELENA_NOTE_NOV18)
    visit = note(repo, ELENA, "2027-01-25", "face_to_face", "[Elena]", ELENA_NOTE_NOV18)
    note(repo, ELENA, "2027-02-01", "phone", "[Rosa Ruiz]", ELENA_NOTE_NOV18)
    finding = only(t205(repo, ELENA, today=date(2027, 2, 21)), "T205")
    # closed: at the phone entry of P1, the plan the first missed due date was due under; the visit related
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [(visit, *repo.locate(visit, "2027-01-25"))]
    assert finding.message == (
        "the phone contact due by 2026-12-18 under plan P1 (every 1 month since the last phone contact on "
        "2026-11-18) came late, on 2027-01-25, 2 due dates missed (the latest 2027-01-18); the contact on "
        f"2026-12-15 does not count: {NO_MEMBER}; a closed gap, kept as history")
    # without Rosa's call P2's collateral contact, due a month after it took effect, is missed
    repo.path(f"{ELENA}/notes/2027-02-01.yaml").unlink()
    missed = [f for f in t205(repo, ELENA, today=date(2027, 2, 21)) if f != finding]
    assert [at(f) for f in missed] == [
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "{type: collateral, every: 1 month}"))]
    assert missed[0].message.startswith("no collateral contact since plan P2 took effect on 2027-01-20; one was "
                                        "due by 2027-02-20 under plan P2")


def test_a_hold_pauses_a_collateral_contact_too(repo):
    add_requirement(repo, ELENA_PLAN, "    - {type: collateral, every: 2 months}\n")
    note(repo, ELENA, "2026-12-17", "phone", "[Elena]", ELENA_NOTE_NOV18)  # phone: next due 2027-01-17
    # the 10-29 visit with Elena and Rosa met it: due 12-29
    assert t205(repo, ELENA, today=date(2026, 12, 29)) == []
    finding = only(t205(repo, ELENA, today=date(2026, 12, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: collateral, every: 2 months}"))
    assert finding.message.startswith("no collateral contact since the last collateral contact on 2026-10-29; "
                                      "one was due by 2026-12-29")
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, end: 2026-12-31, reason: Hospital "
              "stay.}\nstatus: active")
    # 31 days on hold: collateral due 2027-01-29 (phone 2027-02-01: the 12-17 call came during the hold)
    assert t205(repo, ELENA, today=date(2027, 1, 29)) == []
    finding = only(t205(repo, ELENA, today=date(2027, 1, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: collateral, every: 2 months}"))
    assert "one was due by 2027-01-29" in finding.message


# ---------------------------------------------------------------- item 12: T203 on revisions

A2 = "members/M-000123/assessment-2026-09-20.yaml"


def add_assessment(repo, day: str = "2026-09-20", id_: str = "A2", kind: str = "change_in_condition") -> None:
    repo.write(A2, repo.read(ELENA_ASSESSMENT).replace("id: A1", f"id: {id_}")
               .replace("date: 2026-08-20", f"date: {day}").replace("type: initial", f"type: {kind}"))


def t203(repo, today: date = date(2027, 2, 10)):
    return [f for f in repo.check(ELENA, today=today, select=("T203",)) if f.code == "T203"]


def test_t203_a_revision_keeping_the_assessment_of_the_plan_it_replaces_is_not_stale(repo):
    # P2 (a draft, 2027-01-20) revises P1 and keeps its assessment A1 of 2026-08-20: 153 days, not stale
    revision(repo)
    assert t203(repo) == []
    # consented and in effect, the same
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    assert t203(repo) == []


def test_t203_an_annual_plan_keeping_the_old_assessment_is_judged(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    finding = only(t203(repo), "T203")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "assessment: A1", offset=12))
    assert finding.message.startswith("assessment A1 is dated 2026-08-20, 153 days before this plan (at most 90)")


def test_t203_a_revision_based_on_a_new_assessment_is_judged(repo):
    add_assessment(repo)  # A2 of 2026-09-20: 122 days before P2
    revision(repo)
    repo.edit(ELENA_REVISION, "assessment: A1", "assessment: A2")
    finding = only(t203(repo), "T203")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "assessment: A2", offset=12))
    assert finding.message.startswith("assessment A2 is dated 2026-09-20, 122 days before this plan")


def test_t203_a_revision_replaces_the_consented_plan_not_another_draft(repo):
    """P2 (a draft on A2) is never in force: P3, a revision keeping A2, replaces P1 (on A1) and is judged."""
    add_assessment(repo, day="2026-11-01")
    revision(repo, date_="2026-11-10")
    repo.edit(ELENA_REVISION, "assessment: A1", "assessment: A2")
    third = "members/M-000123/plan-2027-03-01.yaml"
    revision(repo, date_="2027-03-01", target=third)
    repo.edit(third, "id: P2", "id: P3")
    repo.edit(third, "assessment: A1", "assessment: A2")
    finding = only(t203(repo, today=date(2027, 3, 10)), "T203")
    assert at(finding) == (third, *repo.locate(third, "assessment: A2", offset=12))
    assert "120 days before this plan" in finding.message


def test_t203_a_revision_in_a_new_episode_replaces_nothing_of_the_old_one(repo):
    """Abdi re-enrolled on 2026-11-02: a plan of the new episode marked as a revision of the closed episode's
    plan, on its 2026-01-20 assessment, is judged."""
    reenroll_abdi(repo)
    new = "members/M-000301/plan-2026-11-10.yaml"
    repo.write(new, repo.read(ABDI_PLAN).replace("id: P1", "id: P2").replace("date: 2026-02-02\ntype: initial",
                                                                             "date: 2026-11-10\ntype: revision"))
    findings = [f for f in repo.check(ABDI, select=("T203",)) if f.code == "T203"]
    assert [at(f) for f in findings] == [(new, *repo.locate(new, "assessment: A1", offset=12))]
    assert "294 days before this plan" in findings[0].message


def test_t203_initial_plans_are_judged_as_before(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-04")
    finding = only(repo.check(select=("T203",)), "T203")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))


# ---------------------------------------------------------------- item 14: T206 judges records, not plans

def t206(repo, *paths, today: date = date(2026, 11, 22)):
    return [f for f in repo.check(*paths, today=today, select=("T206",)) if f.code == "T206"]


def test_t206_a_planned_transfer_to_a_new_case_manager_is_no_finding(repo):
    repo.edit(DANNY_MEMBER, "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n",
              "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n    to: 2026-12-31\n"
              "  - staff: cm-jlee\n    from: 2027-01-01\n    assigned_by: sup-amartin\n    chosen_by_member: true\n"
              "    reason: Olu Bello leaves the agency; Danny chose his former coordinator.\n")
    assert t206(repo) == []
    assert [f.code for f in repo.check(DANNY) if f.code.startswith(("T", "A6"))] == []  # still one current assignment


def test_t206_planned_dates_of_a_plan_may_be_in_the_future(repo):
    # a support starting next month, a modification review, an exception's period, effective and target dates
    repo.edit(ELENA_PLAN, "    frequency: monthly\n    start: 2026-09-07\n", "    frequency: monthly\n    start: 2026-12-07\n")
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20", "    review_by: 2027-03-20")
    repo.edit(DANNY_PLAN, "exceptions: []", "exceptions:\n  - {rule: T204, reason: Goal paused while Danny is "
              "in respite care., documented_by: cm-obello, on: 2026-11-20, from: 2026-11-20, until: 2027-03-01}")
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2027-01-10, end: 2027-01-20, reason: Travel.}\n"
              "status: active")
    assert t206(repo) == []
    # the same exception documented next week is a record dated after today
    repo.edit(DANNY_PLAN, "on: 2026-11-20, from", "on: 2026-11-29, from")
    finding = only(t206(repo), "T206")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-29"))
    assert finding.message == ("`exceptions[0].on` is 2026-11-29, after today (2026-11-22); an event is recorded "
                               "when it has happened, with the date it happened")


def test_t206_a_draft_may_be_prepared_for_a_meeting_still_to_come(repo):
    revision(repo, date_="2026-12-10")
    text = repo.read(ELENA_REVISION)
    head, _, tail = text.partition("signatures:\n")
    repo.write(ELENA_REVISION, head + "signatures: []\ndistribution: []\n" + tail[tail.index("exceptions:"):])
    assert t206(repo, ELENA) == []
    # once anyone signs it, its date and meeting are records: a signature next month says they happened
    repo.edit(ELENA_REVISION, "signatures: []\n",
              "signatures:\n  - {role: member, name: Elena, signed_on: 2026-12-10, method: wet}\n")
    assert sorted(at(f) for f in t206(repo, ELENA)) == sorted([
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "\ndate: 2026-12-10", offset=7)),
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "  date: 2026-12-10\n  place", offset=8)),
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "signed_on: 2026-12-10", offset=11)),
    ])
    # on the day itself, all three have happened
    assert t206(repo, ELENA, today=date(2026, 12, 10)) == []


def test_t206_a_refusal_or_a_birth_date_after_today(repo):
    repo.edit(DANNY_PLAN, "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n",
              "  - {role: member, name: Danny, refused: true, refusal_reason: Wanted time to think., "
              "refused_on: 2026-12-02}\n")
    repo.edit(ELENA_MEMBER, "birth_date: 1961-04-09", "birth_date: 2061-04-09")
    assert sorted((at(f), f.message.split(" is ")[0]) for f in t206(repo)) == sorted([
        ((DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-12-02")), "`signatures[0].refused_on`"),
        ((ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "2061-04-09")), "`birth_date`"),
    ])


ELENA_NOTE_OCT29 = "members/M-000123/notes/2026-10-29.yaml"

DANNY_ASSESSMENT = "members/M-000207/assessment-2026-05-06.yaml"

ABDI_CLOSURE = "members/M-000301/closure.yaml"

ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"

ELENA_COPY_TIMELINESS = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10,"

ROSA_COPY = "{to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10,"

GRACE_COPY = "{to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28,"


def t(findings, code: str | None = None) -> list:
    return [f for f in findings if f.code.startswith(code or "T")]


def reopen_abdi(repo) -> None:
    """Abdi's case as if it had never closed."""
    repo.path(ABDI_CLOSURE).unlink()
    repo.edit(ABDI_MEMBER, "status: closed\n", "status: active\n")


def test_reference_members_have_no_timeliness_findings(repo):
    assert t(repo.check()) == []
    assert t(repo.check(today=date(2026, 12, 1))) == []  # the day before Elena's face-to-face visit is due


# T201 review-overdue

def test_t201_elena_review_overdue_from_the_plan_date(repo):
    finding = only(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))
    assert finding.severity == "error"
    assert "due on 2027-03-03 (plan date 2026-09-03 + 6 months)" in finding.message


def test_t201_not_yet_due(repo):
    assert t(repo.check(ELENA, today=date(2027, 3, 3), select=("T201",))) == []


def test_t201_counts_from_the_last_review_not_the_plan_date(repo):
    repo.edit(ELENA_PLAN, "reviews: []",
              "reviews:\n  - {date: 2026-12-10, by: cm-jlee, outcome: continue}\n"
              "  - {date: 2027-02-20, by: cm-jlee, outcome: continue}")
    assert t(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",))) == []  # due 2027-08-20
    finding = only(repo.check(ELENA, today=date(2027, 8, 21), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2027-02-20"))
    assert "due on 2027-08-20 (last review 2027-02-20 + 6 months)" in finding.message


def test_t201_danny_review_from_his_last_review(repo):
    findings = t(repo.check(today=date(2027, 2, 6), select=("T201",)))
    assert [at(f) for f in findings] == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-05, by"))]
    assert t(repo.check(today=date(2027, 2, 5), select=("T201",))) == []


def test_t201_without_review_every_uses_the_agency_interval(repo):
    repo.edit(ELENA_PLAN, "  review_every: 6 months\n", "")
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-10")  # T202's business, not T201's
    assert t(repo.check(ELENA, today=date(2027, 9, 3), select=("T201",))) == []  # due 2027-09-03
    finding = only(repo.check(ELENA, today=date(2027, 9, 4), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))
    assert "due on 2027-09-03 (plan date 2026-09-03 + 12 months" in finding.message
    assert "`monitoring.review_every` is missing or unreadable" in finding.message


def test_t201_counts_from_consent_when_the_member_signed_after_the_plan_date(repo):
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}",
              "  - {role: member, name: Elena, signed_on: 2026-09-12, method: wet}")
    assert t(repo.check(ELENA, today=date(2027, 3, 12), select=("T201",))) == []
    finding = only(repo.check(ELENA, today=date(2027, 3, 13), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: member, name: Elena"))
    assert "due on 2027-03-12 (consent 2026-09-12 + 6 months)" in finding.message


def test_t201_leaves_an_ended_plan_to_t211(repo):
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2026-11-20")
    assert t(repo.check(select=("T201",))) == []
    finding = only(repo.check(ELENA, select=("T201", "T211")), "T211")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2026-11-20", offset=8))


def test_t201_not_for_a_closed_member(repo):
    # Abdi's last review 2026-08-03 + 6 months = 2027-02-03: overdue by 2027-01-20, but his case is closed
    assert t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)), "T201") == []
    reopen_abdi(repo)
    findings = t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)))
    assert [at(f) for f in findings] == []  # 2027-02-03 not yet
    findings = t(repo.check(ABDI, today=date(2027, 2, 1), select=("T201",)))
    assert findings == []
    repo.edit(ABDI_PLAN, "2026-08-03, by", "2026-07-03, by")
    findings = t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)))
    assert [at(f) for f in findings] == [(ABDI_PLAN, *repo.locate(ABDI_PLAN, "2026-07-03, by"))]


def test_t201_not_for_a_member_whose_status_is_closed(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "status: closed\n")
    assert t(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",))) == []


# T202 review-interval-too-long

def test_t202_review_every_longer_than_12_months(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 18 months")
    finding = only(repo.check(), "T202")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "18 months"))
    assert "18 months" in finding.message and "12 months" in finding.message


def test_t202_review_every_of_12_months_or_53_weeks(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 12 months")
    assert "T202" not in repo.codes()
    repo.edit(ELENA_PLAN, "review_every: 12 months", "review_every: 53 weeks")
    assert at(only(repo.check(), "T202")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "53 weeks"))


def test_t202_effective_period_longer_than_12_months(repo):
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-04")
    finding = only(repo.check(), "T202")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2027-09-04", offset=8))
    assert "2026-09-03 to 2027-09-04" in finding.message


def test_t202_effective_period_of_exactly_12_months_passes(repo):
    # the reference's 2026-09-03 → 2027-09-02 passes (clean); so does the anniversary itself
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-03")
    assert "T202" not in repo.codes()


def test_t202_follows_the_agency_interval(repo):
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace("review_interval_months = 12",
                                                               "review_interval_months = 4"))
    findings = t(repo.check(), "T202")
    # Elena: 6 months and a 12-month period; Danny: a 12-month period (3 months is fine)
    assert sorted(at(f) for f in findings) == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "6 months")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2027-09-02", offset=8)),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "\n  end: 2027-05-19", offset=8)),
        (ABDI_PLAN, *repo.locate(ABDI_PLAN, "6 months")),
        (ABDI_PLAN, *repo.locate(ABDI_PLAN, "\n  end: 2027-02-01", offset=8)),
    ])


# T203 assessment-stale

def test_t203_assessment_older_than_90_days(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-04")
    finding = only(repo.check(), "T203")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))
    assert "A1" in finding.message and "91 days" in finding.message


def test_t203_exactly_90_days_passes(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-05")
    assert "T203" not in repo.codes()


# T204 target-date-passed

def test_t204_objective_target_date_passed(repo):
    findings = t(repo.check(today=date(2027, 1, 15)), "T204")
    assert sorted(at(f) for f in findings) == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "target_date: 2026-12-31", offset=13)),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "target_date: 2026-12-31", offset=13)),
    ])
    assert all(f.severity == "warning" and "G1.1" in f.message for f in findings)


def test_t204_goal_target_date_passed(repo):
    repo.edit(ELENA_PLAN, "target_date: 2027-03-31", "target_date: 2026-11-01")
    finding = only(repo.check(), "T204")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "target_date: 2026-11-01", offset=13))
    assert "G1" in finding.message and "2026-11-01" in finding.message


def test_t204_target_date_today_has_not_passed(repo):
    repo.edit(ELENA_PLAN, "target_date: 2027-03-31", "target_date: 2026-11-22")
    assert "T204" not in repo.codes()


def test_t204_achieved_goal_and_its_objectives_are_not_checked(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n",
              "    target_date: 2026-11-01\n    status: achieved\n")
    repo.edit(ELENA_PLAN, "        target_date: 2026-12-31\n", "        target_date: 2026-10-31\n")
    assert "T204" not in repo.codes()


def test_t204_achieved_objective_is_not_checked(repo):
    repo.edit(ELENA_PLAN, "        target_date: 2026-12-31\n",
              "        target_date: 2026-10-31\n        status: achieved\n")
    assert "T204" not in repo.codes()


def test_t204_not_for_a_closed_member(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "status: closed\n")
    assert [f.path for f in t(repo.check(today=date(2027, 1, 15)), "T204")] == [DANNY_PLAN]


# T205 contact-frequency-missed

def test_t205_reference_notes_meet_the_agreed_contacts(repo):
    # Elena: phone due 10-03 (10-01), 11-01 (10-29 face_to_face), 11-29 (11-18); face_to_face due 12-03 (10-29).
    # Danny: phone monthly from 05-20, face_to_face every 3 months; Abdi: face_to_face monthly until closure.
    assert t(repo.check(today=date(2026, 12, 3)), "T205") == []


def test_t205_a_face_to_face_visit_meets_a_phone_requirement(repo):
    # The 10-29 visit is what meets the phone contact due by 11-01; made a letter, it no longer counts.
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: written")
    finding = only(repo.check(), "T205")  # a closed gap: at the plan's phone entry, the late note related
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.severity == "warning"
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        (ELENA_NOTE_NOV18, *repo.locate(ELENA_NOTE_NOV18, "date: 2026-11-18", offset=6))]
    assert finding.message.startswith("the phone contact due by 2026-11-01 under plan P1 (every 1 month since the "
                                      "last phone contact on 2026-10-01) came late, on 2026-11-18")


def test_t205_a_video_contact_meets_a_phone_requirement(repo):
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: video")
    assert "T205" not in repo.codes()


def test_t205_first_contact_counted_from_the_plan_date(repo):
    repo.edit(ELENA_NOTE, "date: 2026-10-01", "date: 2026-10-05")
    finding = only(repo.check(), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [r.path for r in finding.related] == [ELENA_NOTE]
    assert "due by 2026-10-03 under plan P1 (every 1 month since plan P1 took effect on 2026-09-03" in finding.message


def test_t205_the_gap_up_to_today(repo):
    assert t(repo.check(ELENA, today=date(2026, 12, 18)), "T205") == []  # a contact on the due date would be on time
    finding = only(repo.check(ELENA, today=date(2026, 12, 19)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.message.startswith("no phone contact since the last phone contact on 2026-11-18; one was due by 2026-12-18")


def test_t205_face_to_face_gap(repo):
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: phone")
    finding = only(repo.check(today=date(2026, 12, 4)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: face_to_face, every: 3 months}"))
    assert "no face_to_face contact since plan P1 took effect on 2026-09-03; one was due by 2026-12-03 under plan P1" in finding.message


def test_t205_a_closed_case_stops_at_the_closure_date(repo):
    # Abdi's last visit 09-28, next due 10-28; the case closed 10-15.
    assert t(repo.check(ABDI, today=date(2027, 6, 1)), "T205") == []
    repo.edit(ABDI_CLOSURE, "date: 2026-10-15", "date: 2026-10-30")
    finding = only(repo.check(ABDI, select=("T205",)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert "due by 2026-10-28" in finding.message and "closure (2026-10-30)" in finding.message


def test_t205_closed_status_without_a_closure_date_checks_only_between_contacts(repo):
    repo.path(ABDI_CLOSURE).unlink()  # status: closed stays
    assert t(repo.check(ABDI, select=("T205",))) == []
    repo.edit("members/M-000301/notes/2026-08-31.yaml", "date: 2026-08-31", "date: 2026-09-10")
    finding = only(repo.check(ABDI, select=("T205",)), "T205")  # 09-10 came after the visit due by 09-03
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        ("members/M-000301/notes/2026-08-31.yaml", *repo.locate("members/M-000301/notes/2026-08-31.yaml",
                                                               "2026-09-10"))]


def test_t205_an_open_case_runs_to_today(repo):
    reopen_abdi(repo)
    finding = only(repo.check(select=("T205",)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert "due by 2026-10-28" in finding.message and "today (2026-11-22)" in finding.message


def test_t205_month_arithmetic_from_january_31(repo):
    """A plan dated 2027-01-31 with monthly phone contact: the first is due on 2027-02-28."""
    repo.edit(ELENA_PLAN, "\ndate: 2026-09-03", "\ndate: 2027-01-31")
    repo.edit(ELENA_PLAN, "start: 2026-09-03", "start: 2027-01-31")
    repo.edit(ELENA_PLAN, "signed_on: 2026-09-03", "signed_on: 2027-01-31", count=2)
    # earlier notes do not count, and none is due yet
    assert t(repo.check(ELENA, today=date(2027, 2, 28), select=("T205",))) == []
    finding = only(repo.check(ELENA, today=date(2027, 3, 1), select=("T205",)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert "since plan P1 took effect on 2027-01-31; one was due by 2027-02-28" in finding.message
    late = "members/M-000123/notes/2027-03-01.yaml"
    repo.write(late, repo.read(ELENA_NOTE).replace("date: 2026-10-01", "date: 2027-03-01"))
    finding = only(repo.check(ELENA, today=date(2027, 3, 2), select=("T205",)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [(late, *repo.locate(late, "2027-03-01"))]
    assert "due by 2027-02-28 under plan P1 (every 1 month since plan P1 took effect on 2027-01-31" in finding.message
    repo.write(late, repo.read(ELENA_NOTE).replace("date: 2026-10-01", "date: 2027-02-28"))
    assert t(repo.check(ELENA, today=date(2027, 3, 28), select=("T205",))) == []  # 2027-02-28 + 1 month


def test_t205_notes_before_the_plan_do_not_count(repo):
    """A new plan restarts the clock: a visit a week before it does not meet its first face-to-face due."""
    repo.edit(ELENA_NOTE_OCT29, "date: 2026-10-29", "date: 2026-08-27")
    findings = t(repo.check(), "T205")
    # phone: due 11-01 after the 10-01 call; the next is 11-18, late (a closed gap at the phone entry)
    assert [at(f) for f in findings] == [(ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))]
    assert [r.path for f in findings for r in f.related] == [ELENA_NOTE_NOV18]


# T206 chronology

def test_t206_a_signature_before_the_meeting(repo):
    repo.edit(ELENA_PLAN, "{role: member, name: Elena, signed_on: 2026-09-03",
              "{role: member, name: Elena, signed_on: 2026-09-01")
    finding = only(repo.check(), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-09-01"))
    assert "`meeting.date`" in finding.message and "2026-09-03" in finding.message


def test_t206_a_meeting_before_the_assessment(repo):
    repo.edit(ELENA_PLAN, "  date: 2026-09-03\n  place:", "  date: 2026-08-19\n  place:")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-08-19"))
    assert "assessment A1" in finding.message and "2026-08-20" in finding.message


def test_t206_a_copy_before_a_later_provider_signature_is_in_order(repo):
    # DESIGN.md "Copies": judged from consent (2026-09-03); a provider who signs later does not move them
    repo.edit(ELENA_PLAN, ELENA_COPY_TIMELINESS, ELENA_COPY_TIMELINESS.replace("2026-09-10", "2026-09-09"))
    assert [f for f in repo.check(select=("T206",)) if f.code == "T206"] == []


def test_t206_a_copy_before_consent(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY_TIMELINESS, ELENA_COPY_TIMELINESS.replace("2026-09-10", "2026-09-02"))
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-09-02"))
    assert "the plan's consent (2026-09-03, `signatures[0]`)" in finding.message


def test_t206_a_note_before_enrollment(repo):
    repo.edit(ELENA_NOTE, "date: 2026-10-01", "date: 2026-07-30")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "2026-07-30"))
    assert "2026-08-03" in finding.message and "`programs[0].enrolled_on`" in finding.message


def test_t206_a_plan_before_enrollment(repo):
    repo.edit(ELENA_MEMBER, "enrolled_on: 2026-08-03", "enrolled_on: 2026-09-05")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))


def test_t206_a_future_note_date(repo):
    repo.edit(ELENA_NOTE_NOV18, "date: 2026-11-18", "date: 2026-11-25")
    finding = only(repo.check(), "T206")
    assert at(finding) == (ELENA_NOTE_NOV18, *repo.locate(ELENA_NOTE_NOV18, "2026-11-25"))
    assert "after today (2026-11-22)" in finding.message
    assert t(repo.check(today=date(2026, 11, 25), select=("T206",))) == []


def test_t206_future_event_dates_in_every_kind(repo):
    repo.edit(DANNY_PLAN, "      on: 2026-05-20", "      on: 2026-12-01")
    repo.edit(DANNY_PLAN, "{date: 2026-11-05, by: cm-obello", "{date: 2026-11-30, by: cm-obello")
    repo.edit(DANNY_MEMBER, "choice_of_case_manager_offered_on: 2025-12-15",
              "choice_of_case_manager_offered_on: 2027-04-01")
    repo.edit(ABDI_CLOSURE, "for: Intermediate English classes, on: 2026-10-15",
              "for: Intermediate English classes, on: 2027-10-15")
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2027-08-20")
    findings = t(repo.check(select=("T206",)))
    assert sorted(at(f) for f in findings) == sorted([
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-12-01")),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-30")),
        (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "2027-04-01")),
        (ABDI_CLOSURE, *repo.locate(ABDI_CLOSURE, "2027-10-15")),
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "2027-08-20")),
        # and the meeting is now before its assessment
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "  date: 2026-09-03\n  place:", offset=8)),
    ])
    messages = {f.message.split(" is ")[0] for f in findings if "after today" in f.message}
    assert messages == {"`rights_modifications[0].consent.on`", "`reviews[1].date`",
                        "`choice_of_case_manager_offered_on`", "`referrals[1].on`", "`date`"}


def test_t206_planned_dates_may_be_in_the_future(repo):
    # target dates, effective.end, support ends and review_by are in 2027 in the reference
    assert t(repo.check(today=date(2026, 11, 22)), "T206") == []


# T207 copy-late

def test_t207_member_copy_given_30_days_after_consent(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY_TIMELINESS, ELENA_COPY_TIMELINESS.replace("2026-09-10", "2026-10-03"))  # consent: 2026-09-03
    finding = only(repo.check(), "T207")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-10-03"))
    assert "member's copy" in finding.message and "30 days" in finding.message and "15 days" in finding.message


def test_t207_within_15_days_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY_TIMELINESS, ELENA_COPY_TIMELINESS.replace("2026-09-10", "2026-09-18"))  # 15 days after consent
    assert "T207" not in repo.codes()


def test_t207_representative_copy(repo):
    repo.edit(DANNY_PLAN, GRACE_COPY, GRACE_COPY.replace("2026-05-28", "2026-07-01"))
    finding = only(repo.check(), "T207")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-07-01"))
    assert "representative's copy" in finding.message and "42 days" in finding.message  # guardian signed 05-20


def test_t207_supporters_and_copies_not_given_are_not_checked(repo):
    repo.edit(ELENA_PLAN, ROSA_COPY, ROSA_COPY.replace("2026-09-10", "2026-10-10"))
    repo.edit(DANNY_PLAN, GRACE_COPY, GRACE_COPY.replace("copy_given: true, given_on: 2026-05-28",
                                                         "copy_given: false, given_on: 2026-07-01"))
    assert "T207" not in [f.code for f in repo.check(select=("T207",))]


def test_t207_follows_the_agency_deadline(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY_TIMELINESS, ELENA_COPY_TIMELINESS.replace("2026-09-10", "2026-10-03"))
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace("copy_deadline_days = 15", "copy_deadline_days = 30"))
    assert "T207" not in repo.codes()


# T208 reassessment-due

def test_t208_an_old_assessment(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2025-10-01")
    finding = only(repo.check(select=("T208",)), "T208")
    assert at(finding) == (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "2025-10-01"))
    assert "A1" in finding.message and "due by 2026-10-01" in finding.message


def test_t208_danny_due_on_the_anniversary(repo):
    assert t(repo.check(today=date(2027, 5, 6)), "T208") == []
    finding = only(repo.check(today=date(2027, 5, 7), select=("T208",)), "T208")
    assert at(finding) == (DANNY_ASSESSMENT, *repo.locate(DANNY_ASSESSMENT, "2026-05-06"))


def test_t208_the_latest_assessment_counts(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2025-10-01")
    newer = "members/M-000123/assessment-2026-11-01.yaml"
    repo.write(newer, repo.read(ELENA_ASSESSMENT).replace("id: A1", "id: A2")
               .replace("date: 2025-10-01", "date: 2026-11-01").replace("type: initial", "type: annual"))
    assert t(repo.check(select=("T208",))) == []


def test_t208_not_for_a_closed_member(repo):
    # Abdi's assessment 2026-01-20 is more than 12 months old on 2027-06-01
    assert t(repo.check(ABDI, today=date(2027, 6, 1), select=("T208",))) == []
    reopen_abdi(repo)
    finding = only(repo.check(ABDI, today=date(2027, 6, 1), select=("T208",)), "T208")
    assert at(finding) == (ABDI_ASSESSMENT, *repo.locate(ABDI_ASSESSMENT, "2026-01-20"))


def test_t208_no_assessment_at_all(repo):
    repo.path(ELENA_ASSESSMENT).unlink()
    assert t(repo.check(ELENA, today=date(2027, 10, 1), select=("T208",))) == []



ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"


SIGNING_CODES = ("C301", "C302", "C303", "C304", "C310", "T207")









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
        repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "{role: member, name: Elena, refused") + (
        "plan P2, dated 2026-10-01, was refused by the member on 2026-11-12 (`signatures[0]`) and has no consent "
        "52 days later (at most 30); a refusal is not consent, so it stays a draft and the previous plan stays in "
        "effect: revise the plan with the member, or remove the draft",)]


def test_after_signature_due_days_t213_alone_tells_the_wait(repo):
    elena_revision(repo, "  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-11-10}\n",
                   date_="2026-11-10", unmet="  - {raised_on: 2026-10-29, goal: G3}\n")
    assert [f[:4] for f in found(repo, *SIGNING_CODES, "T213", today=date(2026, 12, 15))] == [
        ("T213",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "signatures:")]


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
    repo.edit(ELENA_REVISION_CONSENT_DRAFTS_COPIES, "  start: 2026-11-01", "  start: 2027-01-01")
    elena = life(repo, ELENA)
    assert elena.in_effect() is elena.plans[0]  # P1 is still in effect; P2 is consented and waits for its start
    assert found(repo, "T207") == [("T207",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "2026-11-20") + (
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


NOV18 = f"{ELENA}/notes/2026-11-18.yaml"

REVISION = f"{ELENA}/plan-2027-01-20.yaml"

PHONE = "{type: phone, every: 1 month}"

FACE = "{type: face_to_face, every: 3 months}"

TEXT = "text: Called Elena; the aide comes every morning and she is well.\n"


def t205_contacts_gaps(repo, today: date, *paths: str):
    return [f for f in repo.check(*(paths or (ELENA,)), today=today, select=("T205", "E008"))
            if f.code in ("T205", "E008")]


def phone(findings):
    return [f for f in findings if f.code == "T205" and "phone contact" in f.message]


def entry(repo, snippet: str = PHONE, plan: str = ELENA_PLAN) -> tuple:
    return (plan, *repo.locate(plan, snippet))


def add_note(repo, day: str, contact: str = "phone", with_: str | None = "[Elena]", text: str | None = TEXT) -> str:
    path = f"{ELENA}/notes/{day}.yaml"
    repo.write(path, f"kind: note\nversion: 1\nmember: M-000123\ndate: {day}\nstaff: cm-jlee\ncontact: {contact}\n"
               + (f"with: {with_}\n" if with_ is not None else "")
               + "progress:\n  - goal: G1\n    text: Takes her medicines every day.\n" + (text or ""))
    return path


def revise(repo, contacts: str, day: str = "2027-01-20") -> None:
    """P2, a revision consented (signed by Elena) on ``day``, asking for ``contacts``."""
    text = repo.read(ELENA_PLAN).replace("id: P1", "id: P2")
    text = text.replace("date: 2026-09-03\ntype: initial", f"date: {day}\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", f"  date: {day}\n  place")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", f"  start: {day}\n  end: 2028-01-19")
    text = text.replace("signed_on: 2026-09-03", f"signed_on: {day}")
    text = text.replace(f"    - {FACE}\n    - {PHONE}\n", contacts)
    repo.write(REVISION, text)


def document(repo, plan: str, *entries: str) -> None:
    repo.edit(plan, "exceptions: []\n", "exceptions:\n" + "".join(
        f"  - {{{e}, reason: Elena was away and could not be reached., documented_by: cm-jlee}}\n" for e in entries))


def cli(repo, *args: str):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


# ---------------------------------------------------------------- open gaps: errors at the plan in effect


def test_a_contact_on_its_due_date_is_on_time(repo):
    assert t205_contacts_gaps(repo, date(2026, 12, 18)) == []


def test_an_open_gap_is_an_error_at_the_monitoring_entry(repo):
    finding = only(t205_contacts_gaps(repo, date(2026, 12, 19)), "T205")
    assert (at(finding), finding.severity, finding.related) == (entry(repo), "error", ())
    assert (finding.due, finding.occurrences) == (date(2026, 12, 18), (date(2026, 12, 18),))
    assert finding.message == (
        "no phone contact since the last phone contact on 2026-11-18; one was due by 2026-12-18 under plan P1 "
        "(every 1 month) and none is recorded up to today (2026-12-19); make the contact and record it in a note")


def test_an_open_gap_counts_every_due_date_it_missed(repo):
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 3, 20))), "T205")
    assert at(finding) == entry(repo)
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18), date(2027, 2, 18), date(2027, 3, 18))
    assert finding.message == (
        "no phone contact since the last phone contact on 2026-11-18; one was due by 2026-12-18 under plan P1 "
        "(every 1 month) and none is recorded up to today (2027-03-20), 4 due dates missed (the latest "
        "2027-03-18); make the contact and record it in a note")


def test_an_open_gap_older_than_history_months_is_still_reported(repo):
    """Nobody has called Elena since 2026-11-18. On 2028-03-01 the gap began 15 months ago: its first due date
    is history, but the twelve due dates missed since 2027-03-01 are not, so it is still an error."""
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02", "  start: 2026-09-03\n  end: 2029-09-02")
    finding = only(phone(t205_contacts_gaps(repo, date(2028, 3, 1))), "T205")
    assert (at(finding), finding.severity) == (entry(repo), "error")
    assert finding.due == date(2027, 3, 18) and len(finding.occurrences) == 12
    assert "one was due by 2026-12-18 under plan P1" in finding.message
    assert "12 due dates missed in the last 12 months (the latest 2028-02-18)" in finding.message


def test_a_revision_during_a_gap_sets_the_frequency_of_the_due_dates_after_its_start(repo):
    """P2 (consented 2027-01-20) asks for a call every 2 weeks: after 12-18 and 01-18 under P1, the next
    due date is two weeks after 01-18 (02-01), then 02-15. The open gap is reported at P2's entry."""
    revise(repo, f"    - {FACE}\n    - {{type: phone, every: 2 weeks}}\n")
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 2, 20))), "T205")
    assert at(finding) == entry(repo, "{type: phone, every: 2 weeks}", REVISION)
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18), date(2027, 2, 1), date(2027, 2, 15))
    assert "one was due by 2026-12-18 under plan P1 (every 1 month)" in finding.message


def test_a_hold_inside_a_gap_moves_the_due_dates_after_it(repo):
    """Ten days on hold (2027-01-01 to 01-10): the due date after 12-18 is 01-28, not 01-18, then 02-28."""
    repo.edit("members/M-000123/member.yaml", "status: active",
              "holds:\n  - {start: 2027-01-01, end: 2027-01-10, reason: Hospital stay.}\nstatus: active")
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 3, 1))), "T205")
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 28), date(2027, 2, 28))


@pytest.mark.parametrize("hold", [False, True])
def test_a_long_gap_with_a_frequency_in_days_counts_exactly(repo, hold):
    """A call every 3 days, none since 11-18 (plan P1 running to 2029): on 2028-06-01 the due dates of the last
    12 months are every third day from 2026-11-21, moved by the five days of a hold in 2027-02 when there is
    one. (pcplan counts many days at once where no hold intervenes; the dates must be the same.)"""
    from datetime import timedelta

    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02", "  start: 2026-09-03\n  end: 2029-09-02")
    repo.edit(ELENA_PLAN, PHONE, "{type: phone, every: 3 days}")
    if hold:
        repo.edit("members/M-000123/member.yaml", "status: active",
                  "holds:\n  - {start: 2027-02-01, end: 2027-02-05, reason: Travel.}\nstatus: active")
    expected, day = [], date(2026, 11, 21)
    while day < date(2028, 6, 1):
        if day >= date(2027, 6, 1):
            expected.append(day)
        following = day + timedelta(days=3)
        day = following + timedelta(days=5) if hold and day < date(2027, 2, 1) <= following else following
    finding = only(phone(t205_contacts_gaps(repo, date(2028, 6, 1))), "T205")
    assert list(finding.occurrences) == expected and len(expected) > 100


def test_an_open_hold_stops_the_due_dates(repo):
    repo.edit("members/M-000123/member.yaml", "status: active",
              "holds:\n  - {start: 2027-01-10, reason: Hospital stay.}\nstatus: active")
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 3, 20))), "T205")
    assert finding.occurrences == (date(2026, 12, 18),)  # nothing falls due once the hold began


# ---------------------------------------------------------------- closed gaps: warnings, never on the note


def test_a_closed_gap_is_a_warning_at_the_entry_with_the_late_note_related(repo):
    late = add_note(repo, "2027-01-05")
    finding = only(t205_contacts_gaps(repo, date(2027, 1, 10)), "T205")
    assert (at(finding), finding.severity) == (entry(repo), "warning")
    assert [(r.path, r.line, r.column, r.message) for r in finding.related] == [
        (late, *repo.locate(late, "2027-01-05"), "the late phone contact, on 2027-01-05")]
    assert finding.message == (
        "the phone contact due by 2026-12-18 under plan P1 (every 1 month since the last phone contact on "
        "2026-11-18) came late, on 2027-01-05; a closed gap, kept as history")
    assert finding.hint.startswith("Nothing to edit: the late contact is recorded and closed the gap.")
    assert not [f for f in repo.check(today=date(2027, 1, 10)) if f.path == late]  # nothing at the note


def test_a_closed_gap_counts_its_missed_due_dates(repo):
    add_note(repo, "2027-02-20")
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 2, 21))), "T205")
    assert finding.severity == "warning"
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18), date(2027, 2, 18))
    assert "came late, on 2027-02-20, 3 due dates missed (the latest 2027-02-18)" in finding.message


def test_a_gap_closed_on_a_due_date_does_not_count_that_day(repo):
    add_note(repo, "2027-01-18")  # on time for the 01-18 due date, late for 12-18
    assert only(t205_contacts_gaps(repo, date(2027, 1, 20)), "T205").occurrences == (date(2026, 12, 18),)


def test_a_gap_closed_under_a_revision_is_reported_at_the_plan_it_was_due_under(repo):
    revise(repo, f"    - {FACE}\n    - {PHONE}\n")
    visit = add_note(repo, "2027-01-25", contact="face_to_face")
    findings = phone(t205_contacts_gaps(repo, date(2027, 2, 10)))
    assert [(at(f), f.severity) for f in findings] == [(entry(repo), "warning")]  # P1, superseded
    assert [r.path for r in findings[0].related] == [visit]


def test_a_closed_gap_whose_due_dates_are_all_history_is_not_reported(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02", "  start: 2026-09-03\n  end: 2029-09-02")
    late = add_note(repo, "2027-01-05")  # closed the gap of 2026-12-18 (its one missed due date)

    def closed(today: date) -> list:
        return [f for f in phone(t205_contacts_gaps(repo, today)) if f.related]

    assert [(f.severity, f.related[0].path) for f in closed(date(2027, 12, 18))] == [("warning", late)]
    assert closed(date(2027, 12, 19)) == []  # 2026-12-18 is more than 12 months ago: history


def test_the_catch_up_note_commits_its_check_passes_and_shows_the_warning(repo):
    late = add_note(repo, "2027-01-05")
    result = cli(repo, "check", late, "--today", "2027-01-10", "--select", "T205", "-f", "concise")
    line, column = repo.locate(ELENA_PLAN, PHONE)
    assert result.exit_code == 0, result.output  # a warning does not fail at the default --fail-on error
    assert f"{ELENA_PLAN}:{line}:{column}: T205 [warning] the phone contact due by 2026-12-18" in result.output
    assert f"{late}:" not in result.output


# ---------------------------------------------------------------- severity per finding, in every format


@pytest.fixture
def both(repo):
    """On 2027-03-01: the phone gap of 12-18, closed late by the 01-05 call (a warning), and the phone gap open
    since 02-05 (an error), both at P1's phone entry; and the face-to-face gap open since 01-29 (an error at
    its own entry: the 01-05 call is no visit)."""
    add_note(repo, "2027-01-05")
    return repo


def test_open_and_closed_gaps_carry_their_own_severity(both):
    findings = t205_contacts_gaps(both, date(2027, 3, 1))
    assert sorted((at(f), f.severity, f.message[:6]) for f in findings) == sorted([
        (entry(both), "error", "no pho"), (entry(both), "warning", "the ph"), (entry(both, FACE), "error", "no fac")])


def test_json_sarif_and_junit_carry_each_findings_severity(both):
    runs = {fmt: cli(both, "check", ELENA, "--today", "2027-03-01", "--select", "T205", "-f", fmt)
            for fmt in ("json", "sarif", "junit")}
    assert all(r.exit_code == 1 for r in runs.values()), {f: r.output for f, r in runs.items()}
    shown = json.loads(runs["json"].output)
    items = shown["findings"] if isinstance(shown, dict) else shown
    assert sorted((f["severity"], f["message"][:6]) for f in items) == [
        ("error", "no fac"), ("error", "no pho"), ("warning", "the ph")]
    closed = next(f for f in items if f["severity"] == "warning")
    assert [r["path"] for r in closed["related"]] == [f"{ELENA}/notes/2027-01-05.yaml"]
    results = json.loads(runs["sarif"].output)["runs"][0]["results"]
    assert sorted((r["level"], r["message"]["text"][:6]) for r in results) == [
        ("error", "no fac"), ("error", "no pho"), ("warning", "the ph")]
    assert sorted(re.findall(r'type="(error|warning)"', runs["junit"].output)) == ["error", "error", "warning"]


# ---------------------------------------------------------------- each missed due date is an occurrence


def test_an_exception_covering_every_due_date_of_the_gap_excepts_it(repo):
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-03-31, on: 2027-01-05")
    findings = phone(t205_contacts_gaps(repo, date(2027, 3, 20)))
    assert [(at(f), f.excepted) for f in findings] == [(entry(repo), True)]
    assert "E008" not in [f.code for f in t205_contacts_gaps(repo, date(2027, 3, 20))]


def test_a_due_date_after_the_exceptions_period_is_a_new_miss_inside_the_same_gap(repo):
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-02-28, on: 2027-01-05")
    findings = t205_contacts_gaps(repo, date(2027, 3, 20))
    finding = only(phone(findings), "T205")
    assert (at(finding), finding.excepted, finding.due) == (entry(repo), False, date(2027, 3, 18))
    assert finding.message.endswith(
        "; make the contact and record it in a note; documented exceptions cover 3 of the 4 due dates missed, "
        "but not 2027-03-18, which falls outside their periods")
    assert "E008" not in [f.code for f in findings]  # the exception covers three of them: in use, not stale


def test_an_exception_without_until_covers_only_what_was_due_by_its_on(repo):
    document(repo, ELENA_PLAN, "rule: T205, on: 2027-01-05")  # 12-18 was due; 01-18 was not yet
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 1, 20))), "T205")
    assert (finding.excepted, finding.due) == (False, date(2027, 1, 18))
    assert "cover 1 of the 2 due dates missed, but not 2027-01-18" in finding.message
    assert only(phone(t205_contacts_gaps(repo, date(2027, 1, 18))), "T205").excepted  # before 01-18 was missed


def test_two_exceptions_may_cover_the_due_dates_between_them(repo):
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-01-05",
             "rule: T205, from: 2027-02-01, until: 2027-03-31, on: 2027-02-05")
    assert [f.excepted for f in phone(t205_contacts_gaps(repo, date(2027, 3, 20)))] == [True]


def test_a_closed_gap_is_excepted_by_its_due_dates_too(repo):
    add_note(repo, "2027-02-20")
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-02-20")
    finding = only(phone(t205_contacts_gaps(repo, date(2027, 2, 21))), "T205")
    assert (finding.severity, finding.excepted, finding.due) == ("warning", False, date(2027, 2, 18))


def test_the_baseline_key_of_a_gap_does_not_change_as_it_grows(repo):
    keys = {key(only(phone(t205_contacts_gaps(repo, day)), "T205")) for day in (date(2026, 12, 19), date(2027, 3, 20))}
    assert len(keys) == 1


# ---------------------------------------------------------------- an empty note is no contact


@pytest.mark.parametrize("text", ["text: ...\n", "text: ''\n", "text: N/A\n", "text: <what happened>\n", ""])
def test_an_empty_note_does_not_meet_a_contact_frequency(repo, text):
    """The 11-18 call, emptied: the phone contact due 11-29 (a month after the 10-29 visit) is missed."""
    body = repo.read(NOV18)
    repo.write(NOV18, body[:body.index("text: Will add")] + text)
    finding = only(t205_contacts_gaps(repo, date(2026, 11, 30)), "T205")
    assert at(finding) == entry(repo)
    assert finding.message == (
        "no phone contact since the last face_to_face contact on 2026-10-29; one was due by 2026-11-29 under "
        "plan P1 (every 1 month) and none is recorded up to today (2026-11-30); the note of 2026-11-18 records "
        "nothing of what happened (N802), so it does not count; make the contact and record it in a note")


def test_a_written_note_counts_and_an_empty_one_does_not_close_a_gap(repo):
    empty = add_note(repo, "2027-01-05", text="text: TBD\n")
    finding = only(t205_contacts_gaps(repo, date(2027, 1, 10)), "T205")
    assert (finding.severity, finding.related) == ("error", ())  # still open: the empty note is no contact
    assert "the note of 2027-01-05 records nothing of what happened (N802)" in finding.message
    repo.edit(empty, "text: TBD\n", TEXT)
    assert only(t205_contacts_gaps(repo, date(2027, 1, 10)), "T205").severity == "warning"


def test_due_lists_the_contact_from_the_last_note_that_records_one(repo):
    def next_phone() -> str:
        result = cli(repo, "due", ELENA, "--today", "2026-11-22", "--output-format", "json")
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        rows = shown["obligations"] if isinstance(shown, dict) else shown
        return next(o["due"] for o in rows if o.get("kind") == "contact" and "phone" in json.dumps(o))

    assert next_phone() == "2026-12-18"
    body = repo.read(NOV18)
    repo.write(NOV18, body[:body.index("text: Will add")] + "text: ...\n")
    assert next_phone() == "2026-11-29"


SP2_DATES = "    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3"


def message(end_field: str, end: str, start_field: str, start: str, what: str, owner: str = "") -> str:
    return (f"`{end_field}`{owner} is {end}, before `{start_field}` {start}: {what} ends on or after the day it "
            "starts; correct the date that is wrong")


# ---------------------------------------------------------------- T206: every start/end pair

def test_the_reference_members_have_every_pair_in_order(repo):
    assert found(repo, "T206", "L112") == []


def test_t206_a_support_ending_before_it_starts(repo):
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-01\n  - id: SP3")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_PLAN, "2026-09-01\n  - id: SP3") + (
        message("supports[1].end", "2026-09-01", "supports[1].start", "2026-09-07", "a support",
                " of support SP2"),)]


def test_t206_a_support_of_one_day_is_in_order(repo):
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-07\n  - id: SP3")
    assert found(repo, "T206") == []


def test_t206_the_effective_period_ending_before_it_starts(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02\n", "  start: 2026-09-03\n  end: 2025-09-02\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_PLAN, "2025-09-02") + (
        message("effective.end", "2025-09-02", "effective.start", "2026-09-03", "the plan's effective period"),)]


def test_t206_an_exceptions_period_ending_before_it_starts(repo):
    repo.edit(DANNY_PLAN, "exceptions: []", "exceptions:\n  - {rule: T201, reason: The member moved., "
              "documented_by: cm-obello, on: 2026-11-20, from: 2026-11-20, until: 2026-11-01}")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_PLAN, "2026-11-01}") + (
        message("exceptions[0].until", "2026-11-01", "exceptions[0].from", "2026-11-20", "an exception's period"),)]


def test_t206_a_hold_ending_before_it_starts(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "holds:\n  - {start: 2026-10-10, end: 2026-10-01, reason: Hospital "
              "stay., recorded_by: cm-jlee}\nstatus: active\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_MEMBER, "2026-10-01, reason") + (
        message("holds[0].end", "2026-10-01", "holds[0].start", "2026-10-10", "a hold"),)]
    repo.edit(ELENA_MEMBER, "end: 2026-10-01", "end: 2026-10-10")  # a one-day hold
    assert found(repo, "T206") == []


def test_t206_an_assignment_ending_before_it_starts(repo):
    repo.edit(DANNY_MEMBER, "    to: 2026-03-31\n", "    to: 2025-12-01\n")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_MEMBER, "to: 2025-12-01", offset=4) + (
        message("case_managers[0].to", "2025-12-01", "case_managers[0].from", "2025-12-15",
                "a case-manager assignment"),)]


def test_t206_a_representatives_authority_ending_before_it_starts(repo):
    repo.edit(DANNY_MEMBER, "    authority: legal_guardian\n", "    authority: legal_guardian\n"
              "    authority_from: 2025-01-01\n    authority_until: 2024-12-31\n")
    assert found(repo, "T206") == [("T206",) + where(repo, DANNY_MEMBER, "2024-12-31") + (
        message("representatives[0].authority_until", "2024-12-31", "representatives[0].authority_from",
                "2025-01-01", "a representative's authority"),)]


def test_t206_an_enrollment_ending_before_it_starts(repo):
    repo.edit(ELENA_MEMBER, "    enrolled_on: 2026-08-03\n", "    enrolled_on: 2026-08-03\n    ended_on: 2026-07-01\n")
    assert found(repo, "T206") == [("T206",) + where(repo, ELENA_MEMBER, "2026-07-01") + (
        message("programs[0].ended_on", "2026-07-01", "programs[0].enrolled_on", "2026-08-03", "an enrollment"),)]


def test_t206_checks_the_pairs_of_a_superseded_plan_too(repo):
    # an impossible date stays impossible once a later plan is in force: Abdi's only plan, his case closed
    plan = "members/M-000301/plan-2026-02-02.yaml"
    text = repo.read(plan)
    start = text.index("  - id: SP1\n")
    end_at = text.index("    end: ", start)
    line_end = text.index("\n", end_at)
    repo.write(plan, text[:end_at] + "    end: 2001-01-01" + text[line_end:])
    (finding,) = found(repo, "T206")
    assert finding[1:4] == where(repo, plan, "2001-01-01")
    assert finding[4].startswith("`supports[0].end` of support SP1 is 2001-01-01, before `supports[0].start` ")


@pytest.mark.parametrize("old, new", [
    ("    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3", "    start: [2026-09-07]\n    end: 2026-01-01\n  - id: SP3"),
    ("    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3", "    start: 2026-09-07\n    end: {d: 1}\n  - id: SP3"),
    ("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective: [2026-09-03, 2025-01-01]\n"),
    ("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective:\n  start: 2026-02-30\n  end: 2026-01-01\n"),
    ("supports:\n  - id: SP1", "supports:\n  - 7\n  - id: SP1"),
])
def test_t206_pairs_of_the_wrong_shape_are_the_schemas_and_never_a_crash(repo, old, new):
    repo.edit(ELENA_PLAN, old, new)
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "T206" and "ends on or after the day it starts" in f.message]


def test_t206_member_pairs_of_the_wrong_shape_never_crash(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "holds: [3, {start: x, end: 2026-01-01}, {start: 2026-10-10, end: "
              "[2026-10-01]}]\nstatus: active\n")
    repo.edit(DANNY_MEMBER, "    to: 2026-03-31\n", "    to: {date: 2025-12-01}\n")
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "T206" and "ends on or after the day it starts" in f.message]


def hold(repo, entry: str, status: str = "on_hold", member: str = ELENA_MEMBER) -> None:
    """member.yaml records one hold (a flow mapping's inside) and ``status``."""
    repo.edit(member, "status: active", f"holds:\n  - {{{entry}}}\nstatus: {status}")


def review(repo, on: str, plan: str = ELENA_PLAN) -> None:
    repo.edit(plan, "reviews: []", f"reviews:\n  - {{date: {on}, by: cm-jlee, outcome: continue, "
                                   "member_view: Elena says it works.}")


def note_holds_episodes(repo, on: str, contact: str = "collateral", with_: str = "Rosa Ruiz (sister)",
         text: str = "Rosa says Elena is doing well and will be home soon.") -> str:
    path = f"{ELENA}/notes/{on}.yaml"
    repo.write(path, f"kind: note\nversion: 1\nmember: M-000123\ndate: {on}\nstaff: cm-jlee\ncontact: {contact}\n"
                     f"with: [{with_}]\nminutes: 10\ntext: {text}\n")
    return path


def findings(repo, code: str, today: date = TODAY, paths=(ELENA,)):
    return [f for f in repo.check(*paths, today=today, select=(code,)) if f.code == code]


# ---------------------------------------------------------------- the catalogue

def test_reference_members_have_none_of_these_findings(repo):
    assert found(repo, "T212", "T214", "C306", "C307", "X703") == []


def test_t214_is_documented_and_date_driven():
    from pcplan.exceptions import DATE_DRIVEN

    rule = RULES["T214"]
    assert (rule.name, rule.severity) == ("hold-unmonitored", "warning")
    assert rule.source == "42 CFR 441.301(c)(3); CMHPSM 13.003"
    assert rule.why and rule.fix and yaml.safe_load(rule.example)
    assert "T214" in DATE_DRIVEN


# ---------------------------------------------------------------- settings

def test_the_two_hold_settings_have_their_defaults_and_are_read(tmp_path):
    assert (Settings().hold_contact_days, Settings().max_hold_days) == (30, 90)
    (tmp_path / "pcplan.toml").write_text("[settings]\nhold_contact_days = 14\nmax_hold_days = 60\n")
    settings = load_config(tmp_path, set(RULES)).settings
    assert (settings.hold_contact_days, settings.max_hold_days) == (14, 60)


@pytest.mark.parametrize("line", ["hold_contact_days = 0", "max_hold_days = -5", 'max_hold_days = "90"',
                                  "hold_contact_days = 2.5", "hold_contact_day = 30"])
def test_bad_hold_settings_are_configuration_errors(tmp_path, line):
    (tmp_path / "pcplan.toml").write_text(f"[settings]\n{line}\n")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path, set(RULES))
    assert "settings.hold_contact_day" in str(error.value) or "settings.max_hold_days" in str(error.value)


def test_init_writes_the_hold_settings():
    import tomllib

    from pcplan.scaffold.texts import pcplan_toml

    written = tomllib.loads(pcplan_toml(None))["settings"]
    assert (written["hold_contact_days"], written["max_hold_days"]) == (30, 90)


# ---------------------------------------------------------------- T214: contact while on hold

def test_t214_an_open_hold_with_contacts_in_time_is_clean(repo):
    # Elena's calls of 2026-10-29 and 2026-11-18 fall within 30 days of the hold's start and of each other
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    assert findings(repo, "T214") == []


def test_t214_an_open_hold_with_nobody_in_touch(repo):
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    (finding,) = findings(repo, "T214", today=date(2026, 12, 20))
    assert (finding.path, finding.line, finding.column) == where(repo, ELENA_MEMBER, "{start: 2026-10-05")
    assert finding.severity == "warning" and finding.due == date(2026, 12, 18)
    assert finding.message == (
        "no contact since the contact of 2026-11-18 while the member is on hold; one was due by 2026-12-18 "
        "(every 30 days while a hold is open, collateral contacts count); contact the member or someone on their "
        "behalf and record it in a note")
    # on the due date itself nothing is missed yet
    assert findings(repo, "T214", today=date(2026, 12, 18)) == []


def test_t214_a_collateral_contact_counts(repo):
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    note_holds_episodes(repo, "2026-12-10")
    assert findings(repo, "T214", today=date(2026, 12, 20)) == []


def test_t214_a_note_without_a_narrative_is_no_contact(repo):
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    note_holds_episodes(repo, "2026-12-10", text='""')
    assert [f.due for f in findings(repo, "T214", today=date(2026, 12, 20))] == [date(2026, 12, 18)]


def test_t214_eleven_months_away_with_no_contact_and_no_decision(repo):
    """The issue's case: a hold open eleven months, nobody in touch, no finding before this rule."""
    hold(repo, "start: 2026-11-19, kind: travel, reason: Visiting family abroad.")
    later = findings(repo, "T214", today=date(2027, 10, 20))
    assert [(f.line, f.column) for f in later] == [
        where(repo, ELENA_MEMBER, "{start: 2026-11-19")[1:], where(repo, ELENA_MEMBER, "2026-11-19")[1:]]
    gap, length = later
    assert gap.due == date(2026, 12, 19) and len(gap.occurrences) == 11  # each missed due date an occurrence
    assert length.message == (
        "hold 1 has been open since 2026-11-19, 335 days since its start (at most 90); end it (`end:`), review the "
        "plan with the member, or close the case")
    assert length.due == date(2027, 2, 17)
    # two years on, the gap is still reported: its due dates of the last `history_months` are what is judged
    (gap,) = [f for f in findings(repo, "T214", today=date(2028, 11, 20)) if "no contact since" in f.message]
    assert "one was due by 2026-12-19" in gap.message
    assert gap.due == date(2027, 12, 14) and gap.occurrences[0] == gap.due and len(gap.occurrences) == 12


def test_t214_a_late_contact_closes_the_gap_as_history(repo):
    hold(repo, "start: 2026-08-25, kind: hospital, reason: Stroke.")
    (finding,) = findings(repo, "T214")
    note_path = f"{ELENA}/notes/2026-10-01.yaml"
    assert (finding.path, finding.line, finding.column) == where(repo, ELENA_MEMBER, "{start: 2026-08-25")
    assert finding.message == (
        "no contact while on hold from the start of hold 1 (2026-08-25) until 2026-10-01; one was due by "
        "2026-09-24 (every 30 days while a hold is open); a closed gap, kept as history")
    assert [(r.path, r.line) for r in finding.related] == [(note_path, where(repo, note_path, "2026-10-01")[1])]


def test_t214_a_hold_that_ended_without_contact(repo):
    hold(repo, "start: 2026-08-05, end: 2026-09-20, kind: travel, reason: Visiting her son.", status="active")
    (finding,) = findings(repo, "T214")
    assert finding.message == (
        "no contact from the start of hold 1 (2026-08-05) to the end of hold 1 (2026-09-20); one was due by "
        "2026-09-04 (every 30 days while a hold is open); a closed gap, kept as history")
    # older than `history_months`, history is no longer judged
    assert findings(repo, "T214", today=date(2027, 10, 1)) == []


def test_t214_a_long_hold_is_ended_reviewed_or_closed(repo):
    hold(repo, "start: 2026-09-05, kind: nursing_facility, reason: Rehab after a fall.")
    later = date(2026, 12, 10)  # in touch all along (calls of 10-01, 10-29, 11-18): only the length is at issue
    assert [(f.path, f.line, f.column, f.due, f.message) for f in findings(repo, "T214", today=later)] == [
        where(repo, ELENA_MEMBER, "2026-09-05") + (date(2026, 12, 4), (
            "hold 1 has been open since 2026-09-05, 96 days since its start (at most 90); end it (`end:`), review "
            "the plan with the member, or close the case"))]
    review(repo, "2026-11-01")  # a review since the hold began: the count starts again there
    assert findings(repo, "T214", today=later) == []
    assert [f.message for f in findings(repo, "T214", today=date(2027, 2, 1))
            if "has been open" in f.message] == [
        "hold 1 has been open since 2026-09-05, 92 days since the review of 2026-11-01 (at most 90); end it "
        "(`end:`), review the plan with the member, or close the case"]


def test_t214_a_plan_consented_during_the_hold_counts_as_its_review(repo):
    hold(repo, "start: 2026-08-15, kind: nursing_facility, reason: Rehab after a fall.")
    note_holds_episodes(repo, "2026-09-10")
    # Elena agreed to her plan on 2026-09-03, during the hold: 80 days ago
    assert findings(repo, "T214") == []


def test_t214_a_hold_with_an_end_is_judged_until_that_day(repo):
    hold(repo, "start: 2026-08-15, end: 2026-11-01, kind: hospital, reason: Rehab.", status="active")
    note_holds_episodes(repo, "2026-09-10")
    assert [f for f in findings(repo, "T214") if "has been open" in f.message] == []


def test_t214_settings_change_the_deadlines(repo):
    hold(repo, "start: 2026-08-15, kind: nursing_facility, reason: Rehab after a fall.")
    note_holds_episodes(repo, "2026-09-10")
    repo.write("pcplan.toml", repo.read("pcplan.toml") + "hold_contact_days = 14\nmax_hold_days = 120\n")
    assert sorted(f.message.split(";")[0] for f in findings(repo, "T214")) == [
        "no contact while on hold from the contact of 2026-09-10 until 2026-10-01",
        "no contact while on hold from the contact of 2026-10-01 until 2026-10-29",
        "no contact while on hold from the contact of 2026-10-29 until 2026-11-18",
        "no contact while on hold from the start of hold 1 (2026-08-15) until 2026-09-10"]


def test_t214_leaves_closed_cases_and_earlier_episodes_alone(repo):
    repo.edit(ABDI_MEMBER, "status: closed", "holds:\n  - {start: 2026-05-01, kind: travel, reason: Away.}\n"
              "status: closed")
    assert findings(repo, "T214", paths=(ABDI,)) == []
    # back after the closure: the old hold belongs to the closed episode
    repo.edit(ABDI_MEMBER, "    referral_source: Resettlement agency reception and placement team\n",
              "    referral_source: Resettlement agency reception and placement team\n"
              "  - program: RSS-CM\n    enrolled_on: 2026-11-02\n")
    repo.edit(ABDI_MEMBER, "status: closed", "status: active")
    assert findings(repo, "T214", paths=(ABDI,)) == []


def test_t214_wrong_types_never_crash(repo):
    repo.edit(ELENA_MEMBER, "status: active", "holds: on hold\nstatus: on_hold")
    assert found(repo, "E000") == [] and found(repo, "T214") == []
    repo.edit(ELENA_MEMBER, "holds: on hold", "holds:\n  - {start: soon, kind: 5, end: [x], reason: 3}\n  - x")
    assert found(repo, "E000") == [] and found(repo, "T214", "T212") == []
    repo.edit(ELENA_MEMBER, "  - x", "  - {start: 2026-10-05, kind: [hospital], end: 2026-10-20, reason: Away.}")
    note_holds_episodes(repo, "2026-10-10", contact="[phone]")
    assert found(repo, "E000") == [] and found(repo, "T212") == []  # a kind it cannot read is no discharge


def test_an_exception_covers_the_occurrences_of_its_period(repo):
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    repo.edit(ELENA_PLAN, "exceptions: []", "exceptions:\n  - {rule: T214, reason: The hospital allowed no calls., "
              "documented_by: cm-jlee, on: 2026-12-19, from: 2026-12-01, until: 2027-01-31}")
    (finding,) = findings(repo, "T214", today=date(2026, 12, 20))
    assert finding.excepted
    # still no contact after the period: the gap's occurrence of 2027-02-16 is a new miss
    (finding,) = [f for f in findings(repo, "T214", today=date(2027, 2, 20)) if "no contact since" in f.message]
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 17), date(2027, 2, 16))
    assert not finding.excepted


# ---------------------------------------------------------------- T212: the end of an institutional stay

def test_t212_a_discharge_needs_a_review(repo):
    hold(repo, "start: 2026-10-01, end: 2026-10-10, kind: hospital, reason: Pneumonia.", status="active")
    (finding,) = findings(repo, "T212")
    assert (finding.path, finding.line, finding.column) == where(repo, ELENA_MEMBER, "2026-10-10")
    assert finding.message == (
        "hold 1 (2026-10-10) records a discharge (the end of a hospital stay), and the plan has not been reviewed "
        "or revised since; a review or consented revision was due by 2026-11-09 (30 days)")
    assert finding.due == date(2026, 11, 9)
    assert findings(repo, "T212", today=date(2026, 11, 9)) == []  # still in time on the deadline


def test_t212_a_review_after_the_discharge_answers_it(repo):
    hold(repo, "start: 2026-10-01, end: 2026-10-10, kind: nursing_facility, reason: Rehab.", status="active")
    review(repo, "2026-10-20")
    assert findings(repo, "T212") == []


def test_t212_a_review_during_the_stay_does_not(repo):
    hold(repo, "start: 2026-10-01, end: 2026-10-10, kind: incarceration, reason: Jail.", status="active")
    review(repo, "2026-10-05")
    assert [f.due for f in findings(repo, "T212")] == [date(2026, 11, 9)]


def test_t212_a_late_review_is_reported_as_late(repo):
    hold(repo, "start: 2026-10-01, end: 2026-10-10, kind: hospital, reason: Pneumonia.", status="active")
    review(repo, "2026-11-15")
    (finding,) = findings(repo, "T212")
    assert finding.message == (
        "hold 1 (2026-10-10) records a discharge (the end of a hospital stay); the plan was reviewed or revised "
        "only on 2026-11-15, after 2026-11-09 (30 days)")


@pytest.mark.parametrize("entry", [
    "start: 2026-10-01, end: 2026-10-10, kind: travel, reason: Away.",  # not an institution
    "start: 2026-10-01, end: 2026-10-10, reason: Away.",  # kind not said: not a discharge
    "start: 2026-10-01, end: 2026-12-10, kind: hospital, reason: Still in.",  # the planned end is ahead
])
def test_t212_only_an_institutional_stay_that_has_ended_is_a_discharge(repo, entry):
    hold(repo, entry, status="active")
    assert findings(repo, "T212") == []


def test_due_lists_the_review_after_a_discharge(repo):
    from pcplan.facts.obligations import case_obligations
    from pcplan.model import Case, Document

    hold(repo, "start: 2026-11-01, end: 2026-11-10, kind: hospital, reason: Pneumonia.", status="active")
    folder = repo.path(ELENA)
    case = Case(folder, [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))])
    (review_due,) = [o for o in case_obligations(case, Settings(), TODAY) if o.kind == "change-review"]
    assert (review_due.due, review_due.subject, review_due.data_path) == \
        (date(2026, 12, 10), "discharge (hold 1)", ("holds", 0, "end"))


# ---------------------------------------------------------------- episodes: `new` proposes `initial`



def new_file(repo, *args: str) -> dict:
    result = run(repo.root, "new", *args, "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    return yaml.safe_load(repo.read(result.stdout.strip().splitlines()[-1]))


def test_new_assessment_after_a_closure_is_initial_and_within_an_episode_annual(repo):
    assert new_file(repo, "assessment", ABDI)["type"] == "initial"  # closed: the next episode's intake
    assert new_file(repo, "assessment", ELENA)["type"] == "annual"  # Elena's episode has one already


def test_new_plan_names_the_recommended_monitor(repo):
    plan = new_file(repo, "plan", ELENA)
    assert plan["monitoring"]["responsible"] == "case_manager"


# ---------------------------------------------------------------- X701 by reason

CLOSURE = "members/M-000301/closure.yaml"


def _bare_closure(repo, reason: str) -> None:
    text = repo.read(CLOSURE)
    repo.write(CLOSURE, text[:text.index("exit_interview:")].replace("reason: goals_met", f"reason: {reason}"))


def test_t206_an_attempt_dated_after_today_is_no_record(repo):
    _bare_closure(repo, "lost_contact")
    repo.write(CLOSURE, repo.read(CLOSURE) + "attempts:\n  - {on: 2026-12-01, method: visit}\n")
    assert found(repo, "T206") == [("T206",) + where(repo, CLOSURE, "2026-12-01") + (
        "`attempts[0].on` is 2026-12-01, after today (2026-11-22); an event is recorded when it has happened, "
        "with the date it happened",)]


def test_t209_still_wants_a_monitor_and_names_the_recommended_form(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "")
    assert found(repo, "T209") == [("T209",) + where(repo, ELENA_PLAN, "monitoring:") + (
        "the plan does not name who monitors it; add `monitoring.responsible: case_manager` (whoever is "
        "assigned) or a staff id",)]
