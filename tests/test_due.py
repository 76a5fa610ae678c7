"""`pcplan due`: the caseload calendar, in every format, on the reference repository (today 2026-11-22)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
import yaml

from conftest import DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN
from conftest import run_due as run
from pcplan.caseload.due import FIELDS, DueError, parse_window

TODAY = ["--today", "2026-11-22"]
ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"


def due_json(repo, *args) -> dict:
    result = run(repo, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def listed(document: dict) -> list[tuple[str, str, str]]:
    return [(o["due"], o["member"], o["description"]) for o in document["obligations"]]


# ---------------------------------------------------------------- what is listed, in what order

ELENA_ALL = [
    ("2026-12-18", "M-000123", "contact due: phone"),  # phone on 2026-11-18 + 1 month
    ("2026-12-31", "M-000123", "objective target date: objective G1.1"),
    ("2027-01-29", "M-000123", "contact due: face_to_face"),  # face to face on 2026-10-29 + 3 months
    ("2027-02-28", "M-000123", "objective target date: objective G2.1"),
    ("2027-02-28", "M-000123", "objective target date: objective G3.1"),
    ("2027-03-03", "M-000123", "periodic plan review: plan P1"),  # plan 2026-09-03 + 6 months, no review yet
    ("2027-03-31", "M-000123", "goal target date: goal G1"),
    ("2027-08-20", "M-000123", "reassessment: assessment A1"),  # assessment 2026-08-20 + 12 months
    ("2027-08-31", "M-000123", "goal target date: goal G2"),
    ("2027-08-31", "M-000123", "goal target date: goal G3"),
    ("2027-09-02", "M-000123", "plan renewal (the plan's effective period ends): plan P1"),
]

DANNY_ALL = [
    ("2026-12-05", "M-000207", "contact due: phone"),  # note 2026-11-05 + 1 month
    ("2026-12-31", "M-000207", "objective target date: objective G1.1"),
    ("2027-01-31", "M-000207", "goal target date: goal G2"),
    ("2027-02-05", "M-000207", "contact due: face_to_face"),
    ("2027-02-05", "M-000207", "periodic plan review: plan P1"),  # last review 2026-11-05 + 3 months
    ("2027-02-20", "M-000207", "rights modification review: rights modification RM1"),  # review_by
    ("2027-05-06", "M-000207", "reassessment: assessment A1"),
    ("2027-05-19", "M-000207", "goal target date: goal G1"),
    ("2027-05-19", "M-000207", "goal target date: goal G3"),
    ("2027-05-19", "M-000207", "plan renewal (the plan's effective period ends): plan P1"),
]


def test_elena_every_obligation_in_order(repo):
    document = due_json(repo, ELENA, *TODAY, "--within", "all")
    assert listed(document) == ELENA_ALL
    assert {o["case_manager"] for o in document["obligations"]} == {"cm-jlee"}
    assert not any(o["overdue"] for o in document["obligations"])


def test_danny_every_obligation_in_order(repo):
    document = due_json(repo, DANNY, *TODAY, "--within", "all")
    assert listed(document) == DANNY_ALL
    first = document["obligations"][0]
    assert (first["kind"], first["days"], first["path"], first["data_path"]) == \
        ("contact", 13, DANNY_PLAN, "monitoring.contacts[1]")
    review = document["obligations"][5]
    assert (review["kind"], review["data_path"]) == ("modification-review", "rights_modifications[0]")


def test_a_closed_member_has_no_obligations(repo):
    assert due_json(repo, ABDI, *TODAY, "--within", "all")["obligations"] == []


def test_the_whole_repository_sorts_every_member_by_date(repo):
    document = due_json(repo, *TODAY, "--within", "all")
    assert sorted(listed(document), key=lambda row: (row[0], row[1], row[2])) == listed(document)
    assert sorted(listed(document)) == sorted(ELENA_ALL + DANNY_ALL)


def test_a_file_narrows_to_its_member(repo):
    assert listed(due_json(repo, ELENA_PLAN, *TODAY, "--within", "all")) == ELENA_ALL


# ---------------------------------------------------------------- overdue

def test_overdue_is_listed_first_and_marked(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 2 months")  # due 2026-11-03
    document = due_json(repo, *TODAY)
    first = document["obligations"][0]
    assert (first["due"], first["member"], first["kind"], first["overdue"], first["days"]) == \
        ("2026-11-03", "M-000123", "plan-review", True, -19)
    assert [o["overdue"] for o in document["obligations"]] == [True, False, False]

    table = run(repo, *TODAY, env={"COLUMNS": "120"}).stdout
    assert re.search(r"2026-11-03\s+19 days overdue\s+M-000123\s+periodic plan review: plan P1", table)
    assert table.index("19 days overdue") < table.index("2026-12-18")
    assert table.rstrip().splitlines()[-1].startswith("3 obligations, 1 overdue")


def test_everything_overdue_months_later_oldest_first(repo):
    document = due_json(repo, ELENA, "--today", "2027-06-01")
    rows = document["obligations"]
    overdue = [o for o in rows if o["overdue"]]
    assert [o["due"] for o in overdue] == sorted(o["due"] for o in overdue)
    assert rows[:len(overdue)] == overdue  # overdue first
    review = next(o for o in rows if o["kind"] == "plan-review")
    assert (review["due"], review["overdue"], review["days"]) == ("2027-03-03", True, -90)


def test_overdue_does_not_fail_the_run_unless_asked(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 2 months")
    assert run(repo, *TODAY).exit_code == 0
    assert run(repo, *TODAY, "--fail-on-overdue").exit_code == 1
    assert run(repo, DANNY, *TODAY, "--fail-on-overdue").exit_code == 0  # nothing of Danny's is overdue


def test_due_today_is_not_overdue(repo):
    document = due_json(repo, DANNY, "--today", "2026-12-05", "--within", "0d")
    assert [(o["due"], o["overdue"], o["days"]) for o in document["obligations"]] == [("2026-12-05", False, 0)]
    assert "today" in run(repo, DANNY, "--today", "2026-12-05", "--within", "0d").stdout


# ---------------------------------------------------------------- --within and --case-manager

def test_within_30_days_is_the_default(repo):
    expected = [("2026-12-05", "M-000207", "contact due: phone"), ("2026-12-18", "M-000123", "contact due: phone")]
    document = due_json(repo, *TODAY)
    assert (listed(document), document["within_days"]) == (expected, 30)
    assert listed(due_json(repo, *TODAY, "--within", "26d")) == expected  # 2026-12-18 is on the edge
    assert listed(due_json(repo, *TODAY, "--within", "25d")) == expected[:1]
    assert listed(due_json(repo, *TODAY, "--within", "2w")) == expected[:1]


def test_within_months_and_all(repo):
    three_months = due_json(repo, *TODAY, "--within", "3m")
    assert three_months["within_days"] == (date(2027, 2, 22) - date(2026, 11, 22)).days
    assert max(o["due"] for o in three_months["obligations"]) == "2027-02-20"  # Danny's RM1 review
    assert due_json(repo, *TODAY, "--within", "all")["within_days"] is None


def test_within_keeps_overdue_whatever_the_window(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 2 months")
    assert [o["due"] for o in due_json(repo, *TODAY, "--within", "0d")["obligations"]] == ["2026-11-03"]


@pytest.mark.parametrize("text, days", [("30d", 30), ("2w", 14), ("4W", 28), ("1m", 28), ("12m", 365),
                                        (" 7 d ", 7), ("ALL", None), ("3", 3), ("0", 0), (" 45 ", 45)])
def test_parse_window(text, days):
    assert parse_window(text, date(2026, 2, 1) if text != "1m" else date(2026, 1, 31)) == days


def test_a_bare_number_within_means_days(repo):
    # Danny's phone contact is due 2026-12-05, 13 days after today; Elena's on 2026-12-18, 26 days after.
    assert listed(due_json(repo, *TODAY, "--within", "13")) == [("2026-12-05", "M-000207", "contact due: phone")]
    assert due_json(repo, *TODAY, "--within", "26") == due_json(repo, *TODAY, "--within", "26d")
    assert due_json(repo, *TODAY, "--within", "3")["within_days"] == 3


@pytest.mark.parametrize("text", ["month", "-3d", "3y", "", "1.5m", "3 days", "12345", "d"])
def test_a_bad_window_is_a_usage_error_naming_the_accepted_forms(repo, text):
    with pytest.raises(DueError):
        parse_window(text, date(2026, 11, 22))
    result = run(repo, *TODAY, "--within", text)
    assert result.exit_code == 2
    assert result.stderr == (f"pcplan: --within takes a number of days (`3`), days, weeks or calendar months "
                             f"(`3d`, `2w`, `3m`), or `all`; got {text!r}\n")
    assert result.stdout == ""


def test_case_manager_filter(repo):
    assert {o["member"] for o in due_json(repo, *TODAY, "--within", "all", "--case-manager", "cm-jlee")
            ["obligations"]} == {"M-000123"}
    assert listed(due_json(repo, *TODAY, "--within", "all", "--case-manager", "cm-obello")) == DANNY_ALL
    assert due_json(repo, *TODAY, "--case-manager", "sup-amartin")["obligations"] == []


def test_unknown_case_manager_names_the_known_ids(repo):
    result = run(repo, *TODAY, "--case-manager", "cm-nobody")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cm-nobody" in result.stderr and "cm-jlee, cm-obello, sup-amartin" in result.stderr


def test_the_current_assignment_not_an_old_one_is_the_case_manager(repo):
    # Danny was cm-jlee's until 2026-03-31; as of 2026-03-15 he still was.
    document = due_json(repo, DANNY, "--today", "2026-03-15", "--within", "all")
    assert {o["case_manager"] for o in document["obligations"]} <= {"cm-jlee"}


# ---------------------------------------------------------------- staff training deadlines

NEW_HIRE = """  - id: cm-new
    name: Sam Rivera
    role: case_manager
    hire_date: 2026-09-01
    trainings:
      - {module: person-centered-support-planning, completed_on: 2026-10-01}
      - {module: member-rights, completed_on: 2027-01-15}
"""


def test_training_deadlines_at_the_repository_root_only(repo):
    repo.write("staff.yaml", repo.read("staff.yaml") + NEW_HIRE)
    document = due_json(repo, *TODAY, "--within", "all")
    training = [o for o in document["obligations"] if o["kind"] == "training"]
    # hired 2026-09-01 + 120 days; a completion dated after today does not count yet
    assert [(o["due"], o["member"], o["case_manager"], o["description"], o["path"], o["data_path"])
            for o in training] == [
        ("2026-12-30", None, "cm-new", f"staff training deadline: cm-new: module {module}", "staff.yaml", "staff[3]")
        for module in ("disability-and-cultural-competency", "hcbs-settings-and-rights-modifications",
                       "member-rights")]
    assert not [o for o in due_json(repo, ELENA, *TODAY, "--within", "all")["obligations"]
                if o["kind"] == "training"]
    mine = due_json(repo, *TODAY, "--within", "all", "--case-manager", "cm-new")["obligations"]
    assert {o["kind"] for o in mine} == {"training"}

    table = run(repo, *TODAY, "--within", "all", env={"COLUMNS": "140"}).stdout
    assert "Sam Rivera (cm-new) — 3 obligations" in table
    assert re.search(r"2026-12-30\s+in 38 days\s+\(staff\)\s+staff training deadline", table)


# ---------------------------------------------------------------- the table

def test_table_groups_by_case_manager_with_no_case_manager_last(repo):
    repo.edit(ELENA_MEMBER, "case_managers:\n  - staff: cm-jlee\n", "case_managers:\n  - staff: cm-gone\n")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "")
    repo.edit(ELENA_MEMBER, "  - staff: cm-gone\n    from: 2026-08-03\n", "  - staff: cm-gone\n    from: 2027-08-03\n")
    table = run(repo, *TODAY, "--within", "all", env={"COLUMNS": "120"}).stdout
    headings = [line for line in table.splitlines() if " — " in line]
    assert headings == ["Olu Bello (cm-obello) — 10 obligations", "No case manager — 11 obligations"]
    assert table.rstrip().splitlines()[-1] == (
        "21 obligations, 0 overdue (today 2026-11-22, all dates)")


@pytest.mark.parametrize("columns", [60, 120])
def test_table_stays_readable_in_narrow_and_wide_terminals(repo, columns):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 2 months")
    result = run(repo, *TODAY, "--within", "all", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "\x1b[" not in result.stdout  # not a terminal: plain text
    text = result.stdout
    assert "Jordan Lee (cm-jlee) — 11 obligations, 1 overdue" in text
    assert "Olu Bello (cm-obello) — 10 obligations" in text
    # every field of an obligation is there, unbroken, however narrow
    for needle in ("2026-11-03", "19 days overdue", "M-000123", "periodic plan review: plan P1", ELENA_PLAN,
                   "rights modification review:", "RM1", DANNY_PLAN):
        assert needle in text, needle
    if columns == 120:
        assert re.search(r"Due\s+Days\s+Member\s+What\s+File", text)
    assert lines[-1] == "21 obligations, 1 overdue (today 2026-11-22, all dates)"


def test_table_in_colour_marks_overdue_rows_in_red_and_in_words():
    from pcplan.caseload.due import DueReport, write_table
    from pcplan.facts.obligations import Obligation

    today = date(2026, 11, 22)
    report = DueReport(today, 30, [
        Obligation(date(2026, 11, 3), "plan-review", "M-000123", "cm-jlee", "plan P1", "p.yaml", ("date",)),
        Obligation(date(2026, 11, 30), "contact", "M-000123", "cm-jlee", "phone", "p.yaml", ()),
    ], {"cm-jlee": "Jordan Lee"})
    for width in (60, 120):
        out = io.StringIO()
        write_table(report, out, color=True, width=width)
        overdue_line = next(line for line in out.getvalue().splitlines() if "2026-11-03" in line)
        assert "\x1b[" in overdue_line and "31m" in overdue_line  # red
        assert "19 days overdue" in re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())


def test_an_empty_caseload_says_so(repo):
    result = run(repo, ABDI, *TODAY)
    assert (result.exit_code, result.stdout) == (0, "0 obligations, 0 overdue (today 2026-11-22, due by 2026-12-22)\n")


# ---------------------------------------------------------------- machine formats

def test_json_shape(repo):
    document = due_json(repo, *TODAY)
    assert list(document) == ["version", "today", "within_days", "obligations", "unread"]
    assert document["unread"] == []  # places the walk could not read (tests/test_unread_places.py)
    assert (document["version"], document["today"], document["within_days"]) == (1, "2026-11-22", 30)
    assert document["obligations"][0] == {
        "due": "2026-12-05", "overdue": False, "days": 13, "kind": "contact", "description": "contact due: phone",
        "member": "M-000207", "case_manager": "cm-obello", "path": DANNY_PLAN,
        "data_path": "monitoring.contacts[1]"}
    assert all(list(o) == list(FIELDS) for o in document["obligations"])


def test_csv_parses_back_to_the_json_rows(repo):
    result = run(repo, *TODAY, "--within", "all", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes.count(b"\r\n") == len(ELENA_ALL) + len(DANNY_ALL) + 1  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert tuple(rows[0]) == FIELDS
    expected = due_json(repo, *TODAY, "--within", "all")["obligations"]
    assert rows == [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
                     for k, v in o.items()} for o in expected]


def test_ics_parses_back_one_all_day_event_per_obligation(repo):
    from icalendar import Calendar

    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 2 months")
    expected = due_json(repo, *TODAY, "--within", "all")["obligations"]
    result = run(repo, *TODAY, "--within", "all", "-f", "ics")
    assert result.exit_code == 0
    calendar = Calendar.from_ical(result.stdout)
    assert str(calendar["PRODID"]) == "-//pcplan//due//EN"
    assert str(calendar["X-WR-CALNAME"]) == "pcplan: obligations"
    events = calendar.walk("VEVENT")
    assert len(events) == len(expected) == 21
    for event, o in zip(events, expected):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        day = "2026-11-22" if o["overdue"] else o["due"]  # an overdue one is on today, its due date said
        assert type(start) is date and start.isoformat() == day and end == start + timedelta(days=1)
        kind = {"contact": "contact due", "plan-review": "periodic plan review"}.get(o["kind"])
        if kind:
            prefix = f"OVERDUE (due {o['due']}): " if o["overdue"] else ""
            assert str(event["SUMMARY"]) == f"{prefix}{o['member']}: {kind}"
        description = str(event["DESCRIPTION"])
        for part in (o["member"], o["description"], o["case_manager"], o["path"]):
            assert part in description
        assert str(event["UID"]).endswith("@pcplan")
        assert event.decoded("DTSTAMP").isoformat() == "2026-11-22T00:00:00+00:00"
    assert str(events[0]["SUMMARY"]) == "OVERDUE (due 2026-11-03): M-000123: periodic plan review"
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_ics_uids_are_stable_when_other_things_change(repo):
    from icalendar import Calendar

    def uids(*args):
        result = run(repo, *args, "--within", "all", "-f", "ics")
        return {str(e["SUMMARY"]).split("): ", 1)[-1] + " " + str(e["DESCRIPTION"]).splitlines()[2][:15]:
                str(e["UID"]) for e in Calendar.from_ical(result.stdout).walk("VEVENT")}  # "Due: YYYY-MM-DD"

    before = uids(DANNY, *TODAY)
    after = uids(DANNY, "--today", "2026-11-23")  # another day: same obligations, same UIDs
    assert before == after


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "ics"])
def test_byte_identical_across_runs(repo, fmt):
    first = run(repo, *TODAY, "--within", "all", "-f", fmt, env={"COLUMNS": "100"})
    second = run(repo, *TODAY, "--within", "all", "-f", fmt, env={"COLUMNS": "100"})
    assert first.exit_code == 0 and first.stdout_bytes
    assert first.stdout_bytes == second.stdout_bytes


# ---------------------------------------------------------------- privacy

# Keys whose values are ids, dates, codes or enums: what makes obligations, and is not the member's words.
STRUCTURAL = {"kind", "id", "member", "type", "status", "role", "contact", "staff", "every", "review_every",
              "facilitator", "responsible", "assessment", "assessor", "by", "determined_by", "assigned_by",
              "domain", "level", "method", "format", "language", "authority", "goal", "need", "risk", "barrier",
              "unit", "frequency", "document_format", "identity_language", "outcome", "sources", "needs",
              "strengths", "goals", "program", "pronouns", "fingerprint"}
FREE_LISTS = {"with", "options_considered"}
MARK = "Zqxjkv"


def _seed(data, marks: dict, key=None, parent=None):
    """Every free-text string gets a mark; the same words the same mark, so a signature still matches the
    legal representative it names (consent depends on it) and the seeding changes nothing that is due."""
    if isinstance(data, dict):
        return {k: _seed(v, marks, k, key) for k, v in data.items()}
    if isinstance(data, list):
        if key in FREE_LISTS:
            return [_seed(v, marks, "free", key) for v in data]
        return [_seed(v, marks, None if isinstance(v, (dict, list)) else key, key) for v in data]
    if isinstance(data, str) and key not in STRUCTURAL and (parent, key) != ("language", "preferred"):
        marks["seeded"] = marks.get("seeded", 0) + 1
        words = marks.setdefault("words", {})
        return f"{data} {MARK}{words.setdefault(data, len(words) + 1)}"
    return data


def seed_member(repo, folder: str) -> int:
    marks: dict = {}
    for path in sorted(repo.path(folder).rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(_seed(data, marks), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return marks.get("seeded", 0)


def test_no_words_of_the_record_leave_pcplan(repo):
    outputs_before = {fmt: run(repo, *TODAY, "--within", "all", "-f", fmt).stdout for fmt in ("json", "csv")}
    seeded = seed_member(repo, ELENA) + seed_member(repo, DANNY)
    assert seeded > 100  # names, goals' own words, needs, strengths, risks, notes, places, modifications …
    assert MARK in repo.read(ELENA_PLAN) and MARK in repo.read(ELENA_MEMBER)
    for fmt in ("json", "csv", "ics", "table"):
        result = run(repo, *TODAY, "--within", "all", "-f", fmt, env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert MARK.lower() not in result.output.lower(), fmt
        for word in ("Elena", "Ruiz", "Danny", "Daniel", "Grace", "diabetes", "Prader", "Mass", "hunger"):
            assert word.lower() not in result.output.lower(), (fmt, word)
        if fmt in outputs_before:  # the seeding changed nothing that is due: the test is not vacuous
            assert result.stdout == outputs_before[fmt]


def test_text_typed_where_an_id_belongs_is_not_repeated(repo):
    repo.edit(ELENA_PLAN, "  - id: G1\n", "  - id: Elena wants her insulin right\n")
    repo.edit(ELENA_PLAN, "      - id: G2.1\n", "      - id: Afraid of falling again\n")
    document = due_json(repo, ELENA, *TODAY, "--within", "all")
    text = json.dumps(document)
    assert "insulin" not in text and "falling" not in text
    assert ("2027-03-31", "M-000123", "goal target date: goal #1") in listed(document)
    assert ("2027-02-28", "M-000123", "objective target date: objective #2.1") in listed(document)


# ---------------------------------------------------------------- --output and bad input

def test_output_never_overwrites_without_force(repo):
    target = repo.root / "due.ics"
    result = run(repo, *TODAY, "-f", "ics", "--output", "due.ics")
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote 2 obligations, 0 overdue, to due.ics" in result.stderr
    written = target.read_bytes()
    assert written.startswith(b"BEGIN:VCALENDAR\r\n")
    assert written == run(repo, *TODAY, "-f", "ics").stdout_bytes

    target.write_text("keep me")
    result = run(repo, *TODAY, "-f", "ics", "--output", "due.ics")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert target.read_text() == "keep me"
    assert run(repo, *TODAY, "-f", "ics", "--output", "due.ics", "--force").exit_code == 0
    assert target.read_bytes() == written

    result = run(repo, *TODAY, "-f", "json", "--output", ELENA_PLAN, "--force")
    assert result.exit_code == 2 and "case file" in result.stderr


def test_table_to_a_file_is_plain_text(repo):
    result = run(repo, *TODAY, "--output", "due.txt")
    assert result.exit_code == 0
    text = (repo.root / "due.txt").read_text()
    assert "\x1b[" not in text and "Olu Bello (cm-obello)" in text


def test_usage_errors_exit_2(repo):
    for args in (["no-such-folder", *TODAY], ["--today", "22/11/2026"], [*TODAY, "-f", "pdf"]):
        result = run(repo, *args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_malformed_case_files_do_not_crash(repo):
    repo.edit(ELENA_PLAN, "    - {type: phone, every: 1 month}", "    - {type: [phone], every: 1 month}")
    repo.write("members/M-000123/notes/2026-11-20.yaml",
               "kind: note\nversion: 1\nmember: M-000123\ndate: 2026-11-20\ncontact: {phone: yes}\n")
    repo.write("staff.yaml", repo.read("staff.yaml") + NEW_HIRE + "      - {module: [member-rights], "
               "completed_on: 2026-10-02}\n")
    repo.write(f"{DANNY}/plan-2026-05-20.yaml", "kind: plan\nversion: 1\ngoals: [\n")
    result = run(repo, *TODAY, "--within", "all", "-f", "json")
    assert result.exit_code == 0, result.output
    kinds = {(o["member"], o["kind"]) for o in json.loads(result.stdout)["obligations"]}
    assert ("M-000123", "plan-review") in kinds and (None, "training") in kinds
    assert ("M-000207", "reassessment") in kinds  # Danny's broken plan yields nothing, his assessment still does


def test_the_documented_example_is_real_output(repo):
    from conftest import PROJECT

    section = (PROJECT / "docs" / "due.md").read_text(encoding="utf-8")  # the README links to it
    example = section[section.index("```\nOlu Bello") + 4:]
    example = example[:example.index("```\n")]
    result = run(repo, DANNY, *TODAY, "--within", "3m", env={"COLUMNS": "110"})
    assert result.stdout == example
