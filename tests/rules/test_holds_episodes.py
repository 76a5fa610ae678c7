"""Holds and episodes (DESIGN.md, "Hold", "Episodes", "Significant change"): T214 (a hold is not a way to
lose someone), the end of an institutional stay as a significant change (T212), the hold `kind` and the
two settings, each episode starting afresh (C306, C307, `new` proposing `initial`), a member who is only
referred judged by nothing but the schema and A607, and X703.

Each behaviour has a passing case, a failing case at its exact file:line:column, and the situations a
caseload produces (a hospital stay, eleven months away with nobody in touch, a member back after a
closure, a referral waiting for eligibility)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ELENA_MEMBER, ELENA_PLAN, found, where
from pcplan.cli import app
from pcplan.config import ConfigError, Settings, load_config
from pcplan.rules import RULES

ELENA = "members/M-000123"
ABDI = "members/M-000301"
ABDI_MEMBER = "members/M-000301/member.yaml"
ABDI_PLAN = "members/M-000301/plan-2026-02-02.yaml"
ABDI_NEW_PLAN = "members/M-000301/plan-2026-11-10.yaml"
REFERRED = "members/M-000950"
TODAY = date(2026, 11, 22)


def hold(repo, entry: str, status: str = "on_hold", member: str = ELENA_MEMBER) -> None:
    """member.yaml records one hold (a flow mapping's inside) and ``status``."""
    repo.edit(member, "status: active", f"holds:\n  - {{{entry}}}\nstatus: {status}")


def review(repo, on: str, plan: str = ELENA_PLAN) -> None:
    repo.edit(plan, "reviews: []", f"reviews:\n  - {{date: {on}, by: cm-jlee, outcome: continue, "
                                   "member_view: Elena says it works.}")


def note(repo, on: str, contact: str = "collateral", with_: str = "Rosa Ruiz (sister)",
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


# ---------------------------------------------------------------- the hold's kind (schema)

@pytest.mark.parametrize("kind", ["hospital", "nursing_facility", "incarceration", "travel", "member_request",
                                  "other"])
def test_every_kind_of_hold_is_accepted(repo, kind):
    hold(repo, f"start: 2026-11-10, kind: {kind}, reason: Away., recorded_by: cm-jlee")
    assert found(repo, "E004") == []


def test_an_unknown_kind_is_a_schema_error_at_the_kind(repo):
    hold(repo, "start: 2026-11-10, kind: vacation, reason: Away.")
    assert [f[1:4] for f in found(repo, "E004")] == [where(repo, ELENA_MEMBER, "vacation")]


def test_a602_checks_who_recorded_a_hold(repo):
    hold(repo, "start: 2026-11-10, kind: travel, reason: Away., recorded_by: cm-nobody")
    assert [f[1:4] for f in found(repo, "A602")] == [where(repo, ELENA_MEMBER, "cm-nobody")]


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
    note(repo, "2026-12-10")
    assert findings(repo, "T214", today=date(2026, 12, 20)) == []


def test_t214_a_note_without_a_narrative_is_no_contact(repo):
    hold(repo, "start: 2026-10-05, kind: hospital, reason: Hip surgery, then rehab.")
    note(repo, "2026-12-10", text='""')
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
    note(repo, "2026-09-10")
    # Elena agreed to her plan on 2026-09-03, during the hold: 80 days ago
    assert findings(repo, "T214") == []


def test_t214_a_hold_with_an_end_is_judged_until_that_day(repo):
    hold(repo, "start: 2026-08-15, end: 2026-11-01, kind: hospital, reason: Rehab.", status="active")
    note(repo, "2026-09-10")
    assert [f for f in findings(repo, "T214") if "has been open" in f.message] == []


def test_t214_settings_change_the_deadlines(repo):
    hold(repo, "start: 2026-08-15, kind: nursing_facility, reason: Rehab after a fall.")
    note(repo, "2026-09-10")
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
    note(repo, "2026-10-10", contact="[phone]")
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
    from pcplan.caseload.obligations import case_obligations
    from pcplan.model import Case, Document

    hold(repo, "start: 2026-11-01, end: 2026-11-10, kind: hospital, reason: Pneumonia.", status="active")
    folder = repo.path(ELENA)
    case = Case(folder, [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))])
    (review_due,) = [o for o in case_obligations(case, Settings(), TODAY) if o.kind == "change-review"]
    assert (review_due.due, review_due.subject, review_due.data_path) == \
        (date(2026, 12, 10), "discharge (hold 1)", ("holds", 0, "end"))


# ---------------------------------------------------------------- episodes: C306, C307

def reenroll_abdi(repo, on: str = "2026-11-02") -> None:
    repo.edit(ABDI_MEMBER, "    referral_source: Resettlement agency reception and placement team\n",
              "    referral_source: Resettlement agency reception and placement team\n"
              f"  - program: RSS-CM\n    eligibility:\n      determined_on: {on}\n      determined_by: cm-jlee\n"
              f"      basis: Still eligible.\n    enrolled_on: {on}\n")
    repo.edit(ABDI_MEMBER, "status: closed", "  - staff: cm-jlee\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    reason: Abdi came back.\nstatus: active")


def abdi_second_plan(repo) -> None:
    """A consented plan of Abdi's second episode, dated 2026-11-10."""
    text = repo.read(ABDI_PLAN).replace("2026-02-02", "2026-11-10").replace("2027-02-01", "2027-11-09")
    repo.write(ABDI_NEW_PLAN, text)


def test_c307_the_choice_offered_in_the_closed_episode_does_not_carry_over(repo):
    reenroll_abdi(repo)
    assert found(repo, "C307") == []  # no plan agreed to yet in the new episode: not late
    abdi_second_plan(repo)
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

def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def new_file(repo, *args: str) -> dict:
    result = run(repo.root, "new", *args, "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    return yaml.safe_load(repo.read(result.stdout.strip().splitlines()[-1]))


def test_new_assessment_and_plan_after_reenrollment_are_initial(repo):
    reenroll_abdi(repo)
    assessment = new_file(repo, "assessment", ABDI)
    assert (assessment["id"], assessment["type"]) == ("A2", "initial")
    plan = new_file(repo, "plan", ABDI)
    assert (plan["assessment"], plan["type"]) == ("A2", "initial")


def test_new_assessment_after_a_closure_is_initial_and_within_an_episode_annual(repo):
    assert new_file(repo, "assessment", ABDI)["type"] == "initial"  # closed: the next episode's intake
    assert new_file(repo, "assessment", ELENA)["type"] == "annual"  # Elena's episode has one already


def test_new_plan_names_the_recommended_monitor(repo):
    plan = new_file(repo, "plan", ELENA)
    assert plan["monitoring"]["responsible"] == "case_manager"


# ---------------------------------------------------------------- a member who is only referred

def referral(repo, status: str = "referred", enrolled: str = "") -> None:
    repo.write(f"{REFERRED}/member.yaml", (
        "kind: member\nversion: 1\nid: M-000950\nname:\n  legal: Sam Ortiz\n  preferred: Sam\n"
        "programs:\n  - program: HCBS-EBD\n    eligibility:\n      determined_on: 2026-11-10\n"
        f"      determined_by: cm-jlee\n{enrolled}    referral_source: Hospital discharge planner\n"
        f"status: {status}\n"))
    repo.write(f"{REFERRED}/assessment-2026-11-12.yaml", (
        "kind: assessment\nversion: 1\nid: A1\nmember: M-000950\ndate: 2026-11-12\ntype: initial\n"
        "assessor: cm-jlee\nsources: [interview]\nneeds:\n  - {id: N1, domain: housing, text: A ramp., "
        "priority: 1}\n"))
    repo.write(f"{REFERRED}/notes/2026-11-12.yaml", (
        "kind: note\nversion: 1\nmember: M-000950\ndate: 2026-11-12\nstaff: cm-jlee\ncontact: phone\n"
        "with: [Sam]\nminutes: 10\ntext: Screening call.\n"))


def test_a_member_only_referred_is_judged_by_the_schema_and_a607_only(repo):
    referral(repo)
    codes = [f.code for f in repo.check(REFERRED)]
    assert codes == ["A607"]  # eligibility has no basis yet; nothing else is asked of a referral
    (finding,) = repo.check(REFERRED)
    assert (finding.path, finding.line, finding.column) == where(repo, f"{REFERRED}/member.yaml", "eligibility")


def test_once_enrolled_every_rule_judges_the_member(repo):
    referral(repo, status="active", enrolled="    enrolled_on: 2026-11-14\n")
    codes = {f.code for f in repo.check(REFERRED)}
    assert {"A607", "C306", "C307", "A601", "P403"} <= codes


def test_a_schema_error_of_a_referral_is_still_reported(repo):
    referral(repo)
    repo.edit(f"{REFERRED}/member.yaml", "status: referred", "status: referred\nfavourite_colour: blue")
    assert sorted(f.code for f in repo.check(REFERRED)) == ["A607", "E004"]


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
