"""`pcplan due` asks the lifecycle (DESIGN.md, "The life of a case"): drafts hide nothing and wait for a
signature, schedules carry across revisions and pause for holds, intake and significant-change deadlines
are dates to meet, episodes restart the calendar, copies count from consent. Each on a one-edit copy of
the reference members, every line asserted exactly."""

from __future__ import annotations

import json
import os
import re

from conftest import (
    ABDI_MEMBER,
    ABDI_PLAN,
    DANNY_PLAN,
    ELENA_MEMBER,
    ELENA_PLAN,
    ELENA_REVISION,
    reenroll_abdi,
    revision,
)
from conftest import run_due as run

ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"
ELENA_ASSESSMENT = "members/M-000123/assessment-2026-08-20.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"


def obligations(repo, member: str, today: str) -> list[dict]:
    result = run(repo, member, "--today", today, "--within", "all", "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["obligations"]


def lines(repo, member: str, today: str) -> list[tuple]:
    """(due, kind, description, path, data_path) of every line, in order."""
    return [(o["due"], o["kind"], o["description"], o["path"], o["data_path"])
            for o in obligations(repo, member, today)]


# ---------------------------------------------------------------- drafts

def test_an_unsigned_revision_hides_no_line_and_adds_its_own(repo):
    before = obligations(repo, ELENA, "2027-02-10")
    # not vacuous: the plan in effect has overdue lines a revision must not hide
    assert [(o["due"], o["description"]) for o in before if o["overdue"]] == [
        ("2026-12-18", "contact due: phone"), ("2026-12-31", "objective target date: objective G1.1"),
        ("2027-01-29", "contact due: face_to_face")]
    revision(repo)
    after = obligations(repo, ELENA, "2027-02-10")
    draft = {"due": "2027-02-19", "overdue": False, "days": 9, "kind": "signature",
             "description": "awaiting signature since 2027-01-20: plan P2", "member": "M-000123",
             "case_manager": "cm-jlee", "path": ELENA_REVISION, "data_path": "signatures"}
    assert after == before[:3] + [draft] + before[3:]


def test_the_draft_line_in_the_table_csv_and_calendar(repo):
    from icalendar import Calendar

    revision(repo)
    table = run(repo, ELENA, "--today", "2027-03-01", "--within", "all", env={"COLUMNS": "140"}).stdout
    assert re.search(r"2027-02-19\s+10 days overdue\s+M-000123\s+awaiting signature since 2027-01-20: plan P2\s+"
                     + re.escape(ELENA_REVISION), table)
    csv_text = run(repo, ELENA, "--today", "2027-03-01", "--within", "all", "-f", "csv").stdout_bytes.decode()
    assert ("2027-02-19,true,-10,signature,awaiting signature since 2027-01-20: plan P2,M-000123,cm-jlee,"
            f"{ELENA_REVISION},signatures\r\n") in csv_text
    ics = run(repo, ELENA, "--today", "2027-03-01", "--within", "all", "-f", "ics").stdout
    (event,) = [e for e in Calendar.from_ical(ics).walk("VEVENT") if "signature" in str(e["SUMMARY"])]
    assert str(event["SUMMARY"]) == "OVERDUE (due 2027-02-19): M-000123: awaiting signature"
    assert event.decoded("DTSTART").isoformat() == "2027-03-01"  # overdue: on today
    assert "Obligation: awaiting signature since 2027-01-20: plan P2" in str(event["DESCRIPTION"])
    assert [str(c) for c in event["CATEGORIES"].cats] == ["signature"]


def test_once_consented_the_revision_speaks_and_the_draft_line_goes(repo):
    # P2, dated 2027-01-20, signed and so in effect from 2027-01-25, drops the phone contact
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25, method: wet}\n",
             contacts="    - {type: face_to_face, every: 3 months}\n")
    found = lines(repo, ELENA, "2027-02-10")
    assert [row for row in found if row[1] in ("signature", "plan-review", "contact", "plan-renewal", "copy")] == [
        # the face-to-face contact missed under P1 stays overdue: a revision never forgives it
        ("2027-01-29", "contact", "contact due: face_to_face", ELENA_REVISION, "monitoring.contacts[0]"),
        # the review counts from P2's consent (later than its date), at the signature that gave it
        ("2027-07-25", "plan-review", "periodic plan review: plan P2", ELENA_REVISION, "signatures[0]"),
        ("2028-01-19", "plan-renewal", "plan renewal (the plan's effective period ends): plan P2", ELENA_REVISION,
         "effective.end"),
    ]
    assert not any(row[3] == ELENA_PLAN for row in found)  # the superseded plan asks nothing


def test_before_its_start_a_consented_revision_leaves_the_old_plan_in_charge_but_its_copy_is_due(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25, method: wet}\n",
             start="2027-03-01")
    repo.edit(ELENA_REVISION, "  - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, "
              "format: large_print, language: es}\n", "")
    found = lines(repo, ELENA, "2027-02-10")
    assert ("2027-03-03", "plan-review", "periodic plan review: plan P1", ELENA_PLAN, "date") in found
    assert [row for row in found if row[1] == "copy"] == [
        ("2027-02-09", "copy", "member's copy of the plan: plan P2", ELENA_REVISION, "distribution")]


def test_a_member_with_only_a_draft_has_its_signature_and_intake_lines_and_nothing_else(repo):
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    assert lines(repo, ELENA, "2026-11-22") == [
        ("2026-10-02", "intake-plan", "consented plan in effect after enrollment: enrolled 2026-08-03",
         ELENA_MEMBER, "programs[0].enrolled_on"),  # enrolled 2026-08-03 + 60 days
        ("2026-10-03", "signature", "awaiting signature since 2026-09-03: plan P1", ELENA_PLAN, "signatures"),
        ("2027-08-20", "reassessment", "reassessment: assessment A1", ELENA_ASSESSMENT, "date"),
    ]
    assert {o["case_manager"] for o in obligations(repo, ELENA, "2026-11-22")} == {"cm-jlee"}


# ---------------------------------------------------------------- the plan's period

def test_after_the_plan_ends_only_its_renewal_is_left_overdue(repo):
    assert lines(repo, ELENA, "2027-09-10") == [
        ("2027-08-20", "reassessment", "reassessment: assessment A1", ELENA_ASSESSMENT, "date"),
        ("2027-09-02", "plan-renewal", "plan renewal (the plan's effective period ends): plan P1", ELENA_PLAN,
         "effective.end"),
    ]


# ---------------------------------------------------------------- holds

def test_a_recorded_hold_pushes_contacts_back_and_nothing_else(repo):
    before = lines(repo, ELENA, "2027-01-10")
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, end: 2026-12-31, reason: Hospital "
              "stay.}\nstatus: active")
    after = lines(repo, ELENA, "2027-01-10")
    moved = {row[2]: row[0] for row in after if row[1] == "contact"}
    assert moved == {"contact due: phone": "2027-01-18", "contact due: face_to_face": "2027-03-01"}  # 31 days on
    assert [row for row in after if row[1] != "contact"] == [row for row in before if row[1] != "contact"]


def test_an_open_hold_has_no_contact_line_but_reviews_keep_running(repo):
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, reason: Extended travel.}\n"
              "status: on_hold")
    found = lines(repo, ELENA, "2027-03-10")
    assert [row for row in found if row[1] == "contact"] == []
    assert ("2027-03-03", "plan-review", "periodic plan review: plan P1", ELENA_PLAN, "date") in found


# ---------------------------------------------------------------- episodes and intake

def test_a_closed_case_has_no_line_even_without_a_closure_file(repo):
    repo.edit(ELENA_MEMBER, "status: active", "status: closed")
    assert lines(repo, ELENA, "2026-11-22") == []


def test_a_reenrolled_member_gets_intake_dates_from_the_new_episode(repo):
    reenroll_abdi(repo)  # closed 2026-10-15, enrolled again 2026-11-02
    found = obligations(repo, ABDI, "2026-11-22")
    # the old episode's assessment and plan count for nothing now
    assert [(o["due"], o["kind"], o["description"], o["path"], o["data_path"], o["case_manager"]) for o in found] == [
        ("2026-12-02", "intake-assessment", "assessment after enrollment: enrolled 2026-11-02", ABDI_MEMBER,
         "programs[1].enrolled_on", None),
        ("2027-01-01", "intake-plan", "consented plan in effect after enrollment: enrolled 2026-11-02", ABDI_MEMBER,
         "programs[1].enrolled_on", None),
    ]


def test_the_new_episodes_assessment_and_plan_replace_the_intake_lines(repo):
    reenroll_abdi(repo)
    repo.write("members/M-000301/assessment-2026-11-09.yaml", repo.read("members/M-000301/assessment-2026-01-20.yaml")
               .replace("id: A1", "id: A2").replace("date: 2026-01-20", "date: 2026-11-09"))
    assert lines(repo, ABDI, "2026-11-22") == [
        ("2027-01-01", "intake-plan", "consented plan in effect after enrollment: enrolled 2026-11-02", ABDI_MEMBER,
         "programs[1].enrolled_on"),
        ("2027-11-09", "reassessment", "reassessment: assessment A2", "members/M-000301/assessment-2026-11-09.yaml",
         "date"),
    ]
    new_plan = "members/M-000301/plan-2026-11-12.yaml"
    text = repo.read(ABDI_PLAN).replace("id: P1", "id: P2").replace("assessment: A1", "assessment: A2")
    text = text.replace("date: 2026-02-02", "date: 2026-11-12").replace("start: 2026-02-02\n  end: 2027-02-01",
                                                                      "start: 2026-11-12\n  end: 2027-11-11")
    text = text.replace("signed_on: 2026-02-02", "signed_on: 2026-11-12")
    repo.write(new_plan, text)
    found = lines(repo, ABDI, "2026-11-22")
    assert not [row for row in found if row[1].startswith("intake")]
    assert ("2026-12-12", "contact", "contact due: face_to_face", new_plan, "monitoring.contacts[0]") in found
    assert ("2027-05-12", "plan-review", "periodic plan review: plan P2", new_plan, "date") in found
    assert not [row for row in found if row[3] == ABDI_PLAN]


def test_a_new_member_has_the_intake_dates_to_meet(repo):
    # enrolled 2026-08-03; no assessment and no plan yet on 2026-08-10
    for name in ("assessment-2026-08-20.yaml", "plan-2026-09-03.yaml", "notes/2026-10-01.yaml",
                 "notes/2026-10-29.yaml", "notes/2026-11-18.yaml"):
        os.remove(repo.path(f"{ELENA}/{name}"))
    assert [(o["due"], o["overdue"], o["days"], o["kind"], o["description"], o["path"], o["data_path"],
             o["case_manager"]) for o in obligations(repo, ELENA, "2026-08-10")] == [
        ("2026-09-02", False, 23, "intake-assessment", "assessment after enrollment: enrolled 2026-08-03",
         ELENA_MEMBER, "programs[0].enrolled_on", "cm-jlee"),
        ("2026-10-02", False, 53, "intake-plan", "consented plan in effect after enrollment: enrolled 2026-08-03",
         ELENA_MEMBER, "programs[0].enrolled_on", "cm-jlee"),
    ]


# ---------------------------------------------------------------- significant change (T212)

CHANGE = "members/M-000123/assessment-2026-10-15.yaml"


def add_change(repo, day: str = "2026-10-15", kind: str = "change_in_condition") -> None:
    repo.write(f"members/M-000123/assessment-{day}.yaml", repo.read(ELENA_ASSESSMENT)
               .replace("id: A1", "id: A2").replace("date: 2026-08-20", f"date: {day}")
               .replace("type: initial", f"type: {kind}"))


def test_a_significant_change_asks_for_a_review_until_one_is_held(repo):
    add_change(repo)
    found = lines(repo, ELENA, "2026-11-22")
    line = ("2026-11-14", "change-review", "review after a significant change: assessment A2", CHANGE, "type")
    assert found[0] == line  # overdue, first
    findings = [f for f in repo.check(ELENA) if f.code == "T212"]
    assert len(findings) == 1 and "was due by 2026-11-14" in findings[0].message  # the same date as the rule
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue}")
    found = lines(repo, ELENA, "2026-11-22")
    assert line not in found and not [row for row in found if row[1] == "change-review"]
    assert ("2027-05-20", "plan-review", "periodic plan review: plan P1", ELENA_PLAN, "reviews[0].date") in found


def test_a_member_request_counts_and_a_change_before_consent_does_not(repo):
    add_change(repo, "2026-10-20", "member_request")
    assert [row[:3] for row in lines(repo, ELENA, "2026-10-25") if row[1] == "change-review"] == [
        ("2026-11-19", "change-review", "review after a significant change: assessment A2")]
    os.remove(repo.path("members/M-000123/assessment-2026-10-20.yaml"))
    add_change(repo, "2026-09-01")  # before the plan's consent (2026-09-03): the plan already answers it
    assert not [row for row in lines(repo, ELENA, "2026-10-25") if row[1] == "change-review"]


def test_a_consented_revision_answers_a_significant_change(repo):
    add_change(repo, "2027-01-05")
    assert [row[0] for row in lines(repo, ELENA, "2027-01-10") if row[1] == "change-review"] == ["2027-02-04"]
    revision(repo)  # a draft answers nothing
    assert [row[0] for row in lines(repo, ELENA, "2027-01-25") if row[1] == "change-review"] == ["2027-02-04"]
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-22, method: wet}\n")
    assert not [row for row in lines(repo, ELENA, "2027-01-25") if row[1] == "change-review"]


# ---------------------------------------------------------------- copies

def test_the_copy_counts_from_consent_not_from_the_last_signature(repo):
    # Danny's guardian consented on 2026-05-20; providers signed until 2026-05-28
    repo.edit(DANNY_PLAN, "  - {to: Danny, role: member, copy_given: true, given_on: 2026-05-28, format: print, "
              "language: en}\n", "")
    assert [row for row in lines(repo, DANNY, "2026-06-01") if row[1].endswith("copy")] == [
        ("2026-06-04", "copy", "member's copy of the plan: plan P1", DANNY_PLAN, "distribution")]


def test_the_legal_representatives_copy_is_an_obligation_too(repo):
    repo.edit(DANNY_PLAN, "  - {to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28, "
              "format: print, language: en}\n", "")
    found = obligations(repo, DANNY, "2026-06-01")
    copies = [(o["due"], o["kind"], o["description"]) for o in found if o["kind"].endswith("copy")]
    assert copies == [("2026-06-04", "representative-copy",
                       "legal representative's copy of the plan: plan P1 (representatives[0])")]
    assert "Grace" not in json.dumps(found)  # named by its place in member.yaml, never by name


def test_a_declined_copy_or_one_given_to_someone_else_is_read_as_c303_reads_it(repo):
    repo.edit(DANNY_PLAN, "{to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28,",
              "{to: Grace Kimball, role: representative, copy_given: true, given_on: 2026-05-28,")
    assert [o["kind"] for o in obligations(repo, DANNY, "2026-06-01") if o["kind"].endswith("copy")] \
        == ["representative-copy"]
    repo.edit(DANNY_PLAN, "{to: Grace Kimball, role: representative, copy_given: true, given_on: 2026-05-28,",
              "{to: Grace Kim, role: representative, declined: true, declined_reason: Keeps the one at home.,")
    assert not [o for o in obligations(repo, DANNY, "2026-06-01") if o["kind"].endswith("copy")]


def test_a_supporter_is_no_legal_representative(repo):
    # Elena's sister Rosa is a supporter: no copy is owed to her
    repo.edit(ELENA_PLAN, "  - {to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10, "
              "format: print, language: es}\n", "")
    assert not [o for o in obligations(repo, ELENA, "2026-09-05") if o["kind"].endswith("copy")]
    repo.edit(ELENA_MEMBER, "authority: supporter", "authority: power_of_attorney")
    assert [(o["due"], o["kind"]) for o in obligations(repo, ELENA, "2026-09-05") if o["kind"].endswith("copy")] \
        == [("2026-09-18", "representative-copy")]


# ---------------------------------------------------------------- who is responsible

def test_without_an_assignment_the_consented_plan_names_the_case_manager_never_a_draft(repo):
    repo.edit(ELENA_MEMBER, "  - staff: cm-jlee\n    from: 2026-08-03\n", "  - staff: cm-jlee\n    from: 2027-08-03\n")
    revision(repo)
    repo.edit(ELENA_REVISION, "  responsible: cm-jlee\n", "  responsible: cm-obello\n")
    assert {o["case_manager"] for o in obligations(repo, ELENA, "2027-02-10")} == {"cm-jlee"}  # P1's
    # with no consented plan at all, the newest draft is all there is to ask
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    assert {o["case_manager"] for o in obligations(repo, ELENA, "2027-02-10")} == {"cm-obello"}


# ---------------------------------------------------------------- who took part in a contact

DANNY_NOTE_NOV05 = "members/M-000207/notes/2026-11-05.yaml"


def contact_lines(repo, member: str, today: str) -> list[tuple]:
    return [row for row in lines(repo, member, today) if row[1] == "contact"]


def test_the_next_contact_counts_only_contacts_the_member_took_part_in(repo):
    repo.edit(DANNY_PLAN, "    - {type: phone, every: 1 month}\n",
              "    - {type: phone, every: 1 month}\n    - {type: collateral, every: 3 months}\n")
    # every reference note is with Danny alone: the collateral contact has been due since 2026-08-20
    assert contact_lines(repo, DANNY, "2026-11-22") == [
        ("2026-08-20", "contact", "contact due: collateral", DANNY_PLAN, "monitoring.contacts[2]"),
        ("2026-12-05", "contact", "contact due: phone", DANNY_PLAN, "monitoring.contacts[1]"),
        ("2027-02-05", "contact", "contact due: face_to_face", DANNY_PLAN, "monitoring.contacts[0]"),
    ]
    # the 11-05 visit was with his mother and guardian only: a collateral contact, no visit with Danny
    repo.edit(DANNY_NOTE_NOV05, "with: [Danny]", "with: [Grace Kim]")
    assert contact_lines(repo, DANNY, "2026-11-22") == [
        ("2026-11-08", "contact", "contact due: phone", DANNY_PLAN, "monitoring.contacts[1]"),  # 10-08 call + 1 month
        ("2026-11-13", "contact", "contact due: face_to_face", DANNY_PLAN, "monitoring.contacts[0]"),  # 08-13 visit
        ("2027-02-05", "contact", "contact due: collateral", DANNY_PLAN, "monitoring.contacts[2]"),
    ]
    # with Danny and his mother, it meets all three
    repo.edit(DANNY_NOTE_NOV05, "with: [Grace Kim]", "with: [Danny, Grace Kim]")
    assert [row[0] for row in contact_lines(repo, DANNY, "2026-11-22")] == ["2026-12-05", "2027-02-05", "2027-02-05"]
