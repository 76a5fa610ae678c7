"""Tests of the X codes, the rules of closure: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from conftest import (
    ABDI_MEMBER,
    ABDI_PLAN,
    ELENA,
    ELENA_MEMBER,
    REFERRED,
    at,
    codes_of,
    found,
    only,
    reenroll_abdi,
    referral,
    run,
    where,
)
from pcplan.rules import RULES

CLOSURE = "members/M-000301/closure.yaml"

EXIT_INTERVIEW = """exit_interview:
  held_on: 2026-10-15
  with: [Abdi, Hodan Ali (interpreter)]
  summary: Abdi works full time as an apprentice mechanic with health insurance and tests at an intermediate English level.
"""

NEXT_STAGE = ("next_stage_plan: Abdi continues evening English classes on his own and will apply for family "
              "reunification with help from the resettlement agency.\n")

ABDI_NOTE = """kind: note
version: 1
member: M-000301
date: {date}
staff: cm-jlee
contact: phone
with: [Abdi]
progress:
  - goal: G2
    text: Still attending English classes.
"""



def _referrals_removed(repo):
    text = repo.read(CLOSURE)
    start = text.index("referrals:")
    repo.write(CLOSURE, text[:start] + text[text.index("agency_can_still_help:"):])


def test_reference_repository_has_none_of_these_findings(repo):
    assert [f for f in repo.check() if f.code in ("X701", "X702", "N801")] == []


# X701 closure-incomplete

def test_x701_no_exit_interview_points_at_the_root(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "exit interview" in finding.message


def test_x701_exit_interview_without_date(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n", "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "with: [Abdi"))
    assert "`exit_interview.held_on`" in finding.message


def test_x701_declined_without_reason(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n", "  declined: true\n")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "declined: true"))
    assert "`exit_interview.declined_reason`" in finding.message


def test_x701_declined_with_reason_is_enough(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n",
              "  declined: true\n  declined_reason: Abdi said everything was already said at the last visit.\n")
    assert codes_of(repo.check(), "X701") == []


def test_x701_no_next_stage_plan(repo):
    repo.edit(CLOSURE, NEXT_STAGE, "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "`next_stage_plan`" in finding.message


def test_x701_blank_next_stage_plan_points_at_it(repo):
    repo.edit(CLOSURE, NEXT_STAGE, "next_stage_plan: \" \"\n")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "next_stage_plan:", offset=17))


def test_x701_no_referrals(repo):
    _referrals_removed(repo)
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "`referrals`" in finding.message


def test_x701_empty_referrals_points_at_the_list(repo):
    text = repo.read(CLOSURE)
    start = text.index("referrals:")
    repo.write(CLOSURE, text[:start] + "referrals: []\n" + text[text.index("agency_can_still_help:"):])
    assert at(only(repo.check(), "X701")) == (CLOSURE, *repo.locate(CLOSURE, "[]"))


def test_x701_each_missing_element_is_its_own_finding(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, NEXT_STAGE, "")
    _referrals_removed(repo)
    findings = codes_of(repo.check(), "X701")
    assert len(findings) == 3
    assert {at(f) for f in findings} == {(CLOSURE, 1, 1)}


def test_x701_deceased_needs_none(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, NEXT_STAGE, "")
    _referrals_removed(repo)
    repo.edit(CLOSURE, "reason: goals_met\n", "reason: deceased\n")
    assert codes_of(repo.check(), "X701") == []


def test_x701_lost_contact_needs_no_exit_interview_but_the_rest(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, "reason: goals_met\n", "reason: lost_contact\n")
    # DESIGN.md X701: a `lost_contact` closure records the attempts to reach the member instead
    assert "`attempts`" in only(repo.check(), "X701").message
    repo.edit(CLOSURE, "reason: lost_contact\n",
              "reason: lost_contact\nattempts:\n  - {on: 2026-10-01, method: phone}\n")
    assert codes_of(repo.check(), "X701") == []
    _referrals_removed(repo)
    finding = only(repo.check(), "X701")
    assert "`referrals`" in finding.message


# X702 activity-after-closure

def test_x702_note_after_closure(repo):
    note = "members/M-000301/notes/2026-11-02.yaml"
    repo.write(note, ABDI_NOTE.format(date="2026-11-02"))
    finding = only(repo.check(), "X702")
    assert at(finding) == (note, *repo.locate(note, "2026-11-02"))
    assert "2026-10-15" in finding.message


def test_x702_note_on_the_closure_date_is_fine(repo):
    note = "members/M-000301/notes/2026-10-15.yaml"
    repo.write(note, ABDI_NOTE.format(date="2026-10-15"))
    assert codes_of(repo.check(), "X702") == []


def test_x702_plan_after_closure(repo):
    later = "members/M-000301/plan-2026-11-01.yaml"
    repo.write(later, repo.read(ABDI_PLAN).replace("date: 2026-02-02\ntype: initial", "date: 2026-11-01\ntype: initial")
               .replace("id: P1\n", "id: P2\n"))
    finding = only(repo.check(), "X702")
    assert at(finding) == (later, *repo.locate(later, "2026-11-01\ntype"))
    assert "plan" in finding.message


ABDI_CLOSURE = "members/M-000301/closure.yaml"


def found_intake(repo, *codes, today=date(2026, 11, 22), paths=()):
    return [f for f in repo.check(*paths, today=today, select=codes) if f.code in codes]


# ---------------------------------------------------------------- X702 / X703

def abdi_note(repo, on: str) -> str:
    path = f"members/M-000301/notes/{on}.yaml"
    repo.write(path, repo.read("members/M-000301/notes/2026-09-28.yaml").replace("date: 2026-09-28", f"date: {on}"))
    return path


def test_x702_only_between_a_closure_and_the_next_enrollment(repo):
    reenroll_abdi(repo, on="2026-11-02")
    stray = abdi_note(repo, "2026-10-20")
    after = abdi_note(repo, "2026-11-05")
    finding = only(found_intake(repo, "X702"), "X702")
    assert at(finding) == (stray, *repo.locate(stray, "2026-10-20"))
    assert "before the member was enrolled again on 2026-11-02" in finding.message
    assert all(f.path != after for f in found_intake(repo, "X702"))


def test_x702_without_a_reenrollment_every_later_note(repo):
    path = abdi_note(repo, "2026-11-05")
    finding = only(found_intake(repo, "X702"), "X702")
    assert at(finding) == (path, *repo.locate(path, "2026-11-05"))


def test_x703_closed_status_without_a_closure(repo):
    repo.edit(ELENA_MEMBER, "status: active", "status: closed")
    finding = only(found_intake(repo, "X703"), "X703")
    assert at(finding) == (ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "status: closed", offset=8))
    assert "no closure is recorded after the latest enrollment (2026-08-03)" in finding.message


def test_x703_active_status_after_a_closure(repo):
    repo.edit(ABDI_MEMBER, "status: closed", "status: active")
    finding = only(found_intake(repo, "X703"), "X703")
    assert "closed on 2026-10-15 (closure.yaml)" in finding.message


def test_x703_reenrolled_but_still_marked_closed(repo):
    reenroll_abdi(repo)
    repo.edit(ABDI_MEMBER, "status: active", "status: closed")
    assert "no closure is recorded after the latest enrollment (2026-11-02)" in only(found_intake(repo, "X703"), "X703").message


def test_x703_on_hold_needs_a_current_hold(repo):
    repo.edit(ELENA_MEMBER, "status: active", "status: on_hold")
    assert "no hold covering today" in only(found_intake(repo, "X703"), "X703").message
    repo.edit(ELENA_MEMBER, "status: on_hold", "holds:\n  - {start: 2026-11-01, reason: Hospital stay.}\nstatus: on_hold")
    assert found_intake(repo, "X703") == []


def test_two_closures_one_per_episode(repo):
    """Closed, re-enrolled, closed again: each closure closes its own episode."""
    reenroll_abdi(repo, on="2026-11-02")
    repo.write("members/M-000301/closure-2026-11-20.yaml", repo.read(ABDI_CLOSURE).replace("date: 2026-10-15",
               "date: 2026-11-20").replace("held_on: 2026-10-15", "held_on: 2026-11-20"))
    repo.edit(ABDI_MEMBER, "status: active", "status: closed")
    assert found_intake(repo, "X702", "X703", "T210", "T211") == []




def hold(repo, entry: str, status: str = "on_hold", member: str = ELENA_MEMBER) -> None:
    """member.yaml records one hold (a flow mapping's inside) and ``status``."""
    repo.edit(member, "status: active", f"holds:\n  - {{{entry}}}\nstatus: {status}")


# ---------------------------------------------------------------- a member who is only referred

# ---------------------------------------------------------------- X703

def test_x703_referred_after_a_closure_agrees_with_the_closed_episode(repo):
    repo.edit(ABDI_MEMBER, "status: closed", "status: referred")
    assert found(repo, "X703") == []
    repo.edit(ABDI_MEMBER, "status: referred", "status: active")
    assert [f[1:4] for f in found(repo, "X703")] == [where(repo, ABDI_MEMBER, "active")]


def test_x703_an_enrolled_member_is_no_longer_referred(repo):
    repo.edit(ELENA_MEMBER, "status: active", "status: referred")
    assert found(repo, "X703") == [("X703",) + where(repo, ELENA_MEMBER, "status: referred", 8) + (
        "`status: referred` but the member was enrolled on 2026-08-03 and the case is open; set `status: active` "
        "(or `on_hold` with the hold recorded)",)]


def test_x703_referred_with_the_enrollment_still_ahead_is_fine(repo):
    referral(repo, enrolled="    enrolled_on: 2026-12-01\n")
    assert found(repo, "X703", paths=(REFERRED,)) == []


def test_x703_on_hold_needs_a_hold_covering_today(repo):
    hold(repo, "start: 2026-10-01, end: 2026-10-10, kind: hospital, reason: Pneumonia.")
    assert [f[1:4] for f in found(repo, "X703")] == [where(repo, ELENA_MEMBER, "on_hold")]
    assert RULES["X703"].summary.startswith(
        "member.yaml's `status` agrees with the latest episode: closed only with a closure, active or on hold "
        "only without one after the latest enrollment")


runner = CliRunner()


def _bare_closure(repo, reason: str) -> None:
    text = repo.read(CLOSURE)
    repo.write(CLOSURE, text[:text.index("exit_interview:")].replace("reason: goals_met", f"reason: {reason}"))


def test_x701_a_deceased_closure_records_the_date_only(repo):
    _bare_closure(repo, "deceased")
    assert found(repo, "X701") == []


def test_x701_a_lost_contact_closure_records_the_attempts_instead_of_the_interview(repo):
    _bare_closure(repo, "lost_contact")
    repo.write(CLOSURE, repo.read(CLOSURE) + "next_stage_plan: Reopen when Abdi calls.\n"
               "referrals:\n  - {to: Resettlement agency, for: Help if he gets back in touch, on: 2026-10-15}\n")
    assert found(repo, "X701") == [("X701", CLOSURE, 1, 1, (
        "the case closed as `lost_contact`, but the closure records no dated attempt to reach the member "
        "(`attempts`, each with `on` and `method`); record the calls, letters and visits made before closing"))]
    repo.write(CLOSURE, repo.read(CLOSURE) + "attempts: []\n")
    assert found(repo, "X701") == [("X701",) + where(repo, CLOSURE, "[]", occurrence=1) + (
        "the case closed as `lost_contact`, but the closure records no dated attempt to reach the member "
        "(`attempts`, each with `on` and `method`); record the calls, letters and visits made before closing",)]
    repo.edit(CLOSURE, "attempts: []\n", "attempts:\n  - {on: 2026-10-01, method: phone, outcome: no answer}\n"
              "  - {on: 2026-10-08, method: mail}\n")
    assert found(repo, "X701") == []


def test_x701_attempts_of_the_wrong_shape_never_crash(repo):
    _bare_closure(repo, "lost_contact")
    repo.write(CLOSURE, repo.read(CLOSURE) + "attempts: [3, {on: [x]}, soon]\n")
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert [f.code for f in findings if f.code == "X701" and "`attempts`" in f.message] == ["X701"]


# ---------------------------------------------------------------- new plan / new closure



def written(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def test_new_closure_for_a_death_asks_for_no_exit_interview(repo):
    path = written(run(repo.root, "new", "closure", ELENA, "--reason", "deceased", "--today", "2026-11-22"))
    assert "exit_interview" not in (repo.root / path).read_text() and "referrals" not in (repo.root / path).read_text()
    assert not [f for f in repo.check(today=date(2026, 11, 22)) if f.code == "X701"]


def test_new_closure_for_lost_contact_asks_for_the_attempts(repo):
    path = written(run(repo.root, "new", "closure", ELENA, "--reason", "lost_contact", "--today", "2026-11-22"))
    text = (repo.root / path).read_text()
    assert "exit_interview" not in text and "attempts: []" in text
    (finding,) = [f for f in repo.check() if f.code == "X701" and "`attempts`" in f.message]
    assert (finding.path, finding.line) == (str(path), text[:text.index("attempts: []")].count("\n") + 1)
