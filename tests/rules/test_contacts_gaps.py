"""T205 contact gaps (DESIGN.md, "Open and closed gaps", "What counts as a contact", "Documented exceptions have
a period"): an open gap is an error at the plan's monitoring entry, a closed one a warning there with the late
note as a related location (never a finding on the note); each missed due date is an occurrence that an
exception covers or not; an empty note is no contact. Severity overrides and every machine format.

Elena (M-000123), plan P1 of 2026-09-03: a phone contact every month, a face-to-face one every 3 months. Her
last phone contact is 2026-11-18, so the next is due 2026-12-18; the last visit 2026-10-29 (next due
2027-01-29).
"""

from __future__ import annotations

import json
import os
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from conftest import ELENA_PLAN, at, only
from pcplan.baseline import key
from pcplan.cli import app

ELENA = "members/M-000123"
NOV18 = f"{ELENA}/notes/2026-11-18.yaml"
REVISION = f"{ELENA}/plan-2027-01-20.yaml"
PHONE = "{type: phone, every: 1 month}"
FACE = "{type: face_to_face, every: 3 months}"
TEXT = "text: Called Elena; the aide comes every morning and she is well.\n"


def t205(repo, today: date, *paths: str):
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
    assert t205(repo, date(2026, 12, 18)) == []


def test_an_open_gap_is_an_error_at_the_monitoring_entry(repo):
    finding = only(t205(repo, date(2026, 12, 19)), "T205")
    assert (at(finding), finding.severity, finding.related) == (entry(repo), "error", ())
    assert (finding.due, finding.occurrences) == (date(2026, 12, 18), (date(2026, 12, 18),))
    assert finding.message == (
        "no phone contact since the last phone contact on 2026-11-18; one was due by 2026-12-18 under plan P1 "
        "(every 1 month) and none is recorded up to today (2026-12-19); make the contact and record it in a note")


def test_an_open_gap_counts_every_due_date_it_missed(repo):
    finding = only(phone(t205(repo, date(2027, 3, 20))), "T205")
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
    finding = only(phone(t205(repo, date(2028, 3, 1))), "T205")
    assert (at(finding), finding.severity) == (entry(repo), "error")
    assert finding.due == date(2027, 3, 18) and len(finding.occurrences) == 12
    assert "one was due by 2026-12-18 under plan P1" in finding.message
    assert "12 due dates missed in the last 12 months (the latest 2028-02-18)" in finding.message


def test_a_revision_during_a_gap_sets_the_frequency_of_the_due_dates_after_its_start(repo):
    """P2 (consented 2027-01-20) asks for a call every 2 weeks: after 12-18 and 01-18 under P1, the next
    due date is two weeks after 01-18 (02-01), then 02-15. The open gap is reported at P2's entry."""
    revise(repo, f"    - {FACE}\n    - {{type: phone, every: 2 weeks}}\n")
    finding = only(phone(t205(repo, date(2027, 2, 20))), "T205")
    assert at(finding) == entry(repo, "{type: phone, every: 2 weeks}", REVISION)
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18), date(2027, 2, 1), date(2027, 2, 15))
    assert "one was due by 2026-12-18 under plan P1 (every 1 month)" in finding.message


def test_a_hold_inside_a_gap_moves_the_due_dates_after_it(repo):
    """Ten days on hold (2027-01-01 to 01-10): the due date after 12-18 is 01-28, not 01-18, then 02-28."""
    repo.edit("members/M-000123/member.yaml", "status: active",
              "holds:\n  - {start: 2027-01-01, end: 2027-01-10, reason: Hospital stay.}\nstatus: active")
    finding = only(phone(t205(repo, date(2027, 3, 1))), "T205")
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
    finding = only(phone(t205(repo, date(2028, 6, 1))), "T205")
    assert list(finding.occurrences) == expected and len(expected) > 100


def test_an_open_hold_stops_the_due_dates(repo):
    repo.edit("members/M-000123/member.yaml", "status: active",
              "holds:\n  - {start: 2027-01-10, reason: Hospital stay.}\nstatus: active")
    finding = only(phone(t205(repo, date(2027, 3, 20))), "T205")
    assert finding.occurrences == (date(2026, 12, 18),)  # nothing falls due once the hold began


# ---------------------------------------------------------------- closed gaps: warnings, never on the note


def test_a_closed_gap_is_a_warning_at_the_entry_with_the_late_note_related(repo):
    late = add_note(repo, "2027-01-05")
    finding = only(t205(repo, date(2027, 1, 10)), "T205")
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
    finding = only(phone(t205(repo, date(2027, 2, 21))), "T205")
    assert finding.severity == "warning"
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18), date(2027, 2, 18))
    assert "came late, on 2027-02-20, 3 due dates missed (the latest 2027-02-18)" in finding.message


def test_a_gap_closed_on_a_due_date_does_not_count_that_day(repo):
    add_note(repo, "2027-01-18")  # on time for the 01-18 due date, late for 12-18
    assert only(t205(repo, date(2027, 1, 20)), "T205").occurrences == (date(2026, 12, 18),)


def test_a_gap_closed_under_a_revision_is_reported_at_the_plan_it_was_due_under(repo):
    revise(repo, f"    - {FACE}\n    - {PHONE}\n")
    visit = add_note(repo, "2027-01-25", contact="face_to_face")
    findings = phone(t205(repo, date(2027, 2, 10)))
    assert [(at(f), f.severity) for f in findings] == [(entry(repo), "warning")]  # P1, superseded
    assert [r.path for r in findings[0].related] == [visit]


def test_a_closed_gap_whose_due_dates_are_all_history_is_not_reported(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02", "  start: 2026-09-03\n  end: 2029-09-02")
    late = add_note(repo, "2027-01-05")  # closed the gap of 2026-12-18 (its one missed due date)

    def closed(today: date) -> list:
        return [f for f in phone(t205(repo, today)) if f.related]

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
    findings = t205(both, date(2027, 3, 1))
    assert sorted((at(f), f.severity, f.message[:6]) for f in findings) == sorted([
        (entry(both), "error", "no pho"), (entry(both), "warning", "the ph"), (entry(both, FACE), "error", "no fac")])


@pytest.mark.parametrize("configured, open_, closed", [
    (None, "error", "warning"),
    ("warning", "warning", "warning"),  # an agency's lower severity applies to both
    ("info", "info", "info"),
    ("error", "error", "warning"),  # the rule's own lower severity for history stands
])
def test_a_severity_override_is_the_most_any_gap_gets(both, configured, open_, closed):
    if configured is not None:
        both.edit("pcplan.toml", '# severity = { P408 = "warning" }', f'severity = {{ T205 = "{configured}" }}')
    findings = phone(t205(both, date(2027, 3, 1)))
    assert sorted((f.message[:2], f.severity) for f in findings) == [("no", open_), ("th", closed)]


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
    findings = phone(t205(repo, date(2027, 3, 20)))
    assert [(at(f), f.excepted) for f in findings] == [(entry(repo), True)]
    assert "E008" not in [f.code for f in t205(repo, date(2027, 3, 20))]


def test_a_due_date_after_the_exceptions_period_is_a_new_miss_inside_the_same_gap(repo):
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-02-28, on: 2027-01-05")
    findings = t205(repo, date(2027, 3, 20))
    finding = only(phone(findings), "T205")
    assert (at(finding), finding.excepted, finding.due) == (entry(repo), False, date(2027, 3, 18))
    assert finding.message.endswith(
        "; make the contact and record it in a note; documented exceptions cover 3 of the 4 due dates missed, "
        "but not 2027-03-18, which falls outside their periods")
    assert "E008" not in [f.code for f in findings]  # the exception covers three of them: in use, not stale


def test_an_exception_without_until_covers_only_what_was_due_by_its_on(repo):
    document(repo, ELENA_PLAN, "rule: T205, on: 2027-01-05")  # 12-18 was due; 01-18 was not yet
    finding = only(phone(t205(repo, date(2027, 1, 20))), "T205")
    assert (finding.excepted, finding.due) == (False, date(2027, 1, 18))
    assert "cover 1 of the 2 due dates missed, but not 2027-01-18" in finding.message
    assert only(phone(t205(repo, date(2027, 1, 18))), "T205").excepted  # before 01-18 was missed


def test_two_exceptions_may_cover_the_due_dates_between_them(repo):
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-01-05",
             "rule: T205, from: 2027-02-01, until: 2027-03-31, on: 2027-02-05")
    assert [f.excepted for f in phone(t205(repo, date(2027, 3, 20)))] == [True]


def test_a_closed_gap_is_excepted_by_its_due_dates_too(repo):
    add_note(repo, "2027-02-20")
    document(repo, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-02-20")
    finding = only(phone(t205(repo, date(2027, 2, 21))), "T205")
    assert (finding.severity, finding.excepted, finding.due) == ("warning", False, date(2027, 2, 18))


def test_the_baseline_key_of_a_gap_does_not_change_as_it_grows(repo):
    keys = {key(only(phone(t205(repo, day)), "T205")) for day in (date(2026, 12, 19), date(2027, 3, 20))}
    assert len(keys) == 1


# ---------------------------------------------------------------- an empty note is no contact


@pytest.mark.parametrize("text", ["text: ...\n", "text: ''\n", "text: N/A\n", "text: <what happened>\n", ""])
def test_an_empty_note_does_not_meet_a_contact_frequency(repo, text):
    """The 11-18 call, emptied: the phone contact due 11-29 (a month after the 10-29 visit) is missed."""
    body = repo.read(NOV18)
    repo.write(NOV18, body[:body.index("text: Will add")] + text)
    finding = only(t205(repo, date(2026, 11, 30)), "T205")
    assert at(finding) == entry(repo)
    assert finding.message == (
        "no phone contact since the last face_to_face contact on 2026-10-29; one was due by 2026-11-29 under "
        "plan P1 (every 1 month) and none is recorded up to today (2026-11-30); the note of 2026-11-18 records "
        "nothing of what happened (N802), so it does not count; make the contact and record it in a note")


def test_a_written_note_counts_and_an_empty_one_does_not_close_a_gap(repo):
    empty = add_note(repo, "2027-01-05", text="text: TBD\n")
    finding = only(t205(repo, date(2027, 1, 10)), "T205")
    assert (finding.severity, finding.related) == ("error", ())  # still open: the empty note is no contact
    assert "the note of 2027-01-05 records nothing of what happened (N802)" in finding.message
    repo.edit(empty, "text: TBD\n", TEXT)
    assert only(t205(repo, date(2027, 1, 10)), "T205").severity == "warning"


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


@pytest.mark.parametrize("value", ["[1, 2]", "{a: b}", "12", "null"])
def test_a_text_of_the_wrong_type_is_no_contact_and_never_crashes(repo, value):
    body = repo.read(NOV18)
    repo.write(NOV18, body[:body.index("text: Will add")] + f"text: {value}\n")
    findings = repo.check(ELENA, today=date(2026, 11, 30))
    assert "E000" not in [f.code for f in findings]
    assert "the note of 2026-11-18 records nothing" in only(findings, "T205").message
