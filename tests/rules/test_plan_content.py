"""What a plan says, and what its neighbours say about it (issue items 11, 12 and 14).

C308 compares every plan with the one it follows (an annual renewal as well as a revision), following a
support by its id, else by its service code; P411 takes the member's view only from a contact the member
took part in; H503 covers a restriction only by a modification that describes it; P410 reads every
assessment; N801 leaves collateral and incident notes alone; X701 asks a `deceased` closure for its date
only and a `lost_contact` one for the attempts to reach the member; `new plan --from-previous` carries the
plan's language, choices and monitoring; a support's `frequency` is written in the grammar monitoring uses.
Each case is a passing and a failing edit of the reference members, with the exact position asserted.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, found, only, where
from pcplan.cli import app
from pcplan.dates import FREQUENCY_PATTERN, SUPPORT_FREQUENCY_PATTERN, parse_frequency, parse_rate, per_day
from pcplan.load import load_file
from pcplan.schema import schema_for

ELENA = "members/M-000123"
DANNY = "members/M-000207"
RENEWAL = f"{ELENA}/plan-2027-09-03.yaml"
AFTER_RENEWAL = date(2027, 9, 20)  # the annual plan of 2027-09-03 is in effect
DANNY_NOTE = f"{DANNY}/notes/2026-11-05.yaml"
SP2_HOURS = "    amount: 6\n    unit: hours\n    frequency: weekly\n"
runner = CliRunner()


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


def notices(repo, *entries: str) -> None:
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
    notices(repo, "{support: SP2, given_on: 2027-08-24, method: mail}")  # 10 days before: in time
    assert c308(repo) == []


def test_c308_a_support_that_ran_to_the_old_plans_end_and_is_not_continued_is_ended(repo):
    # SP3 ran to P1's last day (2027-09-02); the renewal drops it: the member loses the rides
    renewal(repo)
    drop_support(repo, RENEWAL, "SP3")
    assert c308(repo) == [("C308",) + where(repo, RENEWAL, "supports:") + (
        "plan P2 ends paid support `SP3` of plan P1 on 2027-09-03 (not continued in this plan: no support has its "
        "id or service code); " + NO_NOTICE.format("SP3"),)]
    notices(repo, "{support: SP3, requested_by_member: true}")
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
    notices(repo, "{support: SP7, given_on: 2027-08-20, method: mail}")  # the notice may name the new id
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


# ---------------------------------------------------------------- P411: the member's own view

def test_p411_a_same_day_note_of_a_contact_with_the_member_records_their_view(repo):
    # the reference: Danny's review of 2026-11-05 has no member_view; his visit that day records it
    assert found(repo, "P411") == []


def test_p411_a_same_day_call_with_the_guardian_alone_does_not(repo):
    repo.edit(DANNY_NOTE, "contact: face_to_face\nwith: [Danny]", "contact: phone\nwith: [Grace Kim (guardian)]")
    assert found(repo, "P411") == [("P411",) + where(repo, DANNY_PLAN, "{date: 2026-11-05") + (
        "the review of 2026-11-05 does not record the member's own view of how the plan is working; add "
        "`member_view:` with what they said, or record `satisfaction` in the note of that day's contact with them",)]
    repo.edit(DANNY_NOTE, "with: [Grace Kim (guardian)]", "with: [Grace Kim (guardian), Danny]")
    assert found(repo, "P411") == []


def test_p411_a_note_that_does_not_say_who_took_part_does_not(repo):
    repo.edit(DANNY_NOTE, "with: [Danny]\n", "")
    assert [at for _, *at, _ in found(repo, "P411")] == [list(where(repo, DANNY_PLAN, "{date: 2026-11-05"))]


def test_p411_a_note_that_records_nothing_of_what_happened_does_not(repo):
    repo.edit(DANNY_NOTE, "text: Reviewed the rights modification log; it is still needed and Danny agrees.",
              "text: ...")
    assert [at for _, *at, _ in found(repo, "P411")] == [list(where(repo, DANNY_PLAN, "{date: 2026-11-05"))]


def test_p411_the_reviews_own_member_view_is_always_enough(repo):
    repo.edit(DANNY_NOTE, "contact: face_to_face\nwith: [Danny]", "contact: phone\nwith: [Grace Kim (guardian)]")
    repo.edit(DANNY_PLAN, "summary: Weight down 6 pounds; Danny wants to keep the plan as it is.}",
              "summary: Weight down 6 pounds., member_view: Danny wants to keep the plan as it is.}")
    assert found(repo, "P411") == []


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


# ---------------------------------------------------------------- P410: every assessment

REASSESSMENT = f"{ELENA}/assessment-2026-11-15.yaml"


def reassessment(repo, assessor: str = "cm-obello", extra: str = "") -> None:
    text = repo.read(f"{ELENA}/assessment-2026-08-20.yaml")
    text = text.replace("id: A1", "id: A2").replace("date: 2026-08-20", "date: 2026-11-15")
    text = text.replace("type: initial", "type: change_in_condition").replace("assessor: cm-jlee",
                                                                            f"assessor: {assessor}{extra}")
    repo.write(REASSESSMENT, text)


def test_p410_a_reassessment_no_plan_uses_yet_records_its_interpreter(repo):
    reassessment(repo)
    assert found(repo, "P410") == [("P410", REASSESSMENT, 1, 1, (
        "assessment A2 records no interpreter, and the member needs one in `es` (member.yaml `language`); "
        "`cm-obello`, who led it, does not speak `es` (staff.yaml `languages`): record who interpreted "
        "(`interpreter:` with `name` or `agency`, and `language`; or a participant with `role: interpreter`), or "
        "the member's choice to go without (`interpreter:` with `declined: true` and `declined_reason`)"))]


def test_p410_a_reassessment_with_an_interpreter_or_led_in_the_members_language_is_fine(repo):
    reassessment(repo, extra="\ninterpreter: {name: Lucia Perez, agency: Language Line, language: es}")
    assert found(repo, "P410") == []
    reassessment(repo, assessor="cm-jlee")  # speaks es
    assert found(repo, "P410") == []


def test_p410_an_assessment_older_than_the_plans_is_history(repo):
    reassessment(repo)
    repo.edit(REASSESSMENT, "date: 2026-11-15", "date: 2026-08-10")
    assert found(repo, "P410") == []


# ---------------------------------------------------------------- N801: collateral and incident notes

NOTE = """kind: note
version: 1
member: M-000123
date: 2026-11-20
staff: cm-jlee
contact: {contact}
with: [{with_}]
{extra}text: Rosa called. Elena was admitted to North Colorado Medical Center last night after a fall.
"""
ADMISSION = f"{ELENA}/notes/2026-11-20.yaml"


def test_n801_a_collateral_note_reporting_a_hospital_admission_needs_no_goal(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Rosa Ruiz (sister)", extra=""))
    assert found(repo, "N801") == []
    repo.write(ADMISSION, NOTE.format(contact="collateral", with_="Rosa Ruiz (sister)", extra=""))
    assert found(repo, "N801") == []


def test_n801_a_note_of_a_contact_with_the_member_relates_to_a_goal(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Elena", extra=""))
    assert found(repo, "N801") == [("N801", ADMISSION, 1, 1, "this note records progress on no goal of plan P1 "
                                    "(in effect on 2026-11-20); add a `progress` entry naming the goal it relates to")]


def test_n801_an_incident_note_needs_no_goal_even_with_the_member(repo):
    repo.write(ADMISSION, NOTE.format(contact="face_to_face", with_="Elena, Rosa Ruiz (sister)",
                                      extra="incident: true\n"))
    assert found(repo, "N801") == []


def test_n801_an_incident_flag_of_the_wrong_type_is_a_schema_finding(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Elena", extra="incident: yes please\n"))
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert only(findings, "E004").line == 8
    assert only(findings, "N801").path == ADMISSION


# ---------------------------------------------------------------- X701 by reason

CLOSURE = "members/M-000301/closure.yaml"


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


def test_t206_an_attempt_dated_after_today_is_no_record(repo):
    _bare_closure(repo, "lost_contact")
    repo.write(CLOSURE, repo.read(CLOSURE) + "attempts:\n  - {on: 2026-12-01, method: visit}\n")
    assert found(repo, "T206") == [("T206",) + where(repo, CLOSURE, "2026-12-01") + (
        "`attempts[0].on` is 2026-12-01, after today (2026-11-22); an event is recorded when it has happened, "
        "with the date it happened",)]


# ---------------------------------------------------------------- new plan / new closure

def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def written(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


CHOICES = ("choices:\n  setting: {offered: true, on: 2026-09-03}\n  services: {offered: true, on: 2026-09-03}\n"
           "  providers: {offered: true, on: 2026-09-03}\n  self_direction: {offered: false}\n")


def test_new_plan_from_previous_carries_its_language_choices_and_monitoring(repo):
    repo.edit(ELENA_PLAN, "effective:\n", CHOICES + "effective:\n")
    repo.edit(ELENA_PLAN, "what_matters:", "language: es\nwhat_matters:")
    path = written(run(repo.root, "new", "plan", ELENA, "--from-previous", "--today", "2026-11-22"))
    new, old = load_file(repo.root / path).data, load_file(repo.path(ELENA_PLAN)).data
    assert new["type"] == "revision"
    assert (new["language"], new["choices"], new["monitoring"]) == (old["language"], old["choices"],
                                                                    old["monitoring"])
    assert new["language"] == "es" and new["choices"]["setting"] == {"offered": True, "on": "2026-09-03"}
    assert new["monitoring"]["contacts"] == [{"type": "face_to_face", "every": "3 months"},
                                             {"type": "phone", "every": "1 month"}]
    assert not [f for f in repo.check(str(path)) if f.code in ("E004", "E000")]


def test_new_plan_from_previous_without_a_language_writes_none(repo):
    path = written(run(repo.root, "new", "plan", ELENA, "--from-previous", "--today", "2026-11-22"))
    assert "language" not in load_file(repo.root / path).data and "choices" not in load_file(repo.root / path).data


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


# ---------------------------------------------------------------- one grammar of frequencies

SAID = ["daily", "weekly", "biweekly", "monthly", "quarterly", "yearly", "annually", "1 month", "3 months",
        "2 weeks", "30 days", "1 year", "3 times a week", "twice a month", "every 2 weeks", "every month",
        "once a week", "twice a year", "4 times per month", "twice every 3 months", "once every 2 weeks"]
NOT_SAID = ["", "3", "weekly ", " 3 months", "3  months", "Weekly", "0 days", "every 0 weeks", "3 times",
            "three times a week", "3 times weekly", "twice", "every other week", "as needed", "1.5 months",
            "-1 weeks", "3 fortnights", "once every week day"]


def test_the_schema_and_the_parser_share_one_grammar():
    plan = schema_for("plan")
    assert plan["$defs"]["frequency"]["pattern"] == FREQUENCY_PATTERN
    assert plan["properties"]["supports"]["items"]["properties"]["frequency"]["pattern"] == \
        SUPPORT_FREQUENCY_PATTERN
    monitoring = jsonschema.Draft202012Validator({"pattern": FREQUENCY_PATTERN})
    support = jsonschema.Draft202012Validator({"pattern": SUPPORT_FREQUENCY_PATTERN})
    for said in SAID:
        assert monitoring.is_valid(said) and support.is_valid(said), said
        assert parse_rate(said) is not None and parse_frequency(said) is not None and per_day(said) > 0, said
    for said in NOT_SAID:
        assert not monitoring.is_valid(said) and not support.is_valid(said), said
        assert parse_rate(said) is None and parse_frequency(said) is None, said
    for said in ("once", "as_needed"):  # a support may be given once or as needed; no contact is
        assert support.is_valid(said) and not monitoring.is_valid(said)
        assert parse_frequency(said) is None and per_day(said) is None


@pytest.mark.parametrize("said, rate, interval", [
    ("weekly", (1, 1, "week"), (1, "week")),
    ("biweekly", (1, 2, "week"), (2, "week")),
    ("quarterly", (1, 3, "month"), (3, "month")),
    ("every 2 weeks", (1, 2, "week"), (2, "week")),
    ("30 days", (1, 30, "day"), (30, "day")),
    ("3 times a week", (3, 1, "week"), (3, "day")),  # Mon, Wed, Fri: never more than 3 days apart
    ("twice a week", (2, 1, "week"), (4, "day")),
    ("twice a month", (2, 1, "month"), (16, "day")),
    ("twice a year", (2, 1, "year"), (6, "month")),
    ("3 times a year", (3, 1, "year"), (4, "month")),
    ("twice every 3 months", (2, 3, "month"), (46, "day")),
    ("5 times a day", (5, 1, "day"), (1, "day")),
])
def test_a_frequency_is_read_as_people_mean_it(said, rate, interval):
    assert parse_rate(said) == rate and parse_frequency(said) == interval


def test_a_support_said_three_times_a_week_checks_clean(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 2\n    unit: hours\n    frequency: 3 times a week\n")
    repo.edit(ELENA_PLAN, "    amount: 4\n    unit: trips\n    frequency: monthly\n",
              "    amount: 2\n    unit: trips\n    frequency: twice a month\n")
    assert repo.check() == []


def test_a_support_frequency_outside_the_grammar_is_an_e004_that_names_it(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 2\n    unit: hours\n    frequency: 3 times weekly\n")
    (finding,) = found(repo, "E004")
    assert finding[1:4] == where(repo, ELENA_PLAN, "3 times weekly")
    assert "`3 times a week`" in finding[4] and "`as_needed`" in finding[4]


def test_monitoring_said_in_words_is_read_like_a_number_and_a_unit(repo):
    # `every: monthly` is `every: 1 month`: the same contacts due, the same findings (none)
    repo.edit(ELENA_PLAN, "{type: phone, every: 1 month}", "{type: phone, every: monthly}")
    assert repo.check() == []
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: twice a year")
    assert repo.check() == []


def test_a_support_frequency_past_the_calendar_is_an_e004(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 6\n    unit: hours\n    frequency: every 99999 years\n")
    assert found(repo, "E004") == [("E004",) + where(repo, ELENA_PLAN, "every 99999 years") + (
        "`frequency: every 99999 years` reaches past the year 9999 from any date, so nothing could ever fall due "
        "by it; write how often the support is given in days, weeks or months",)]
