"""Worklists (issue 23, item 4): per case manager, who is overdue on what and what falls due in the next 30 days,
in `pcplan report` (table, JSON, HTML: a printed page per case manager) and `pcplan due --summary`.

The expected items were worked out from `pcplan due --today 2026-11-22 sample_cases -f json` (and `--within all`):
cm-jlee has 1 obligation overdue (M-000644's review, due 2026-09-10) and 5 due by 2026-12-22; cm-obello 3 overdue
(M-000823's review, M-000715's signature and phone contact) and 4 due by 2026-12-22.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import SAMPLE_CASES
from pcplan.caseload.worklists import REPORT_LIMIT, SUMMARY_LIMIT
from pcplan.cli import app

runner = CliRunner()
AS_OF = ["--today", "2026-11-22"]

# (member, kind, due, days overdue), most overdue first
OVERDUE = {
    "cm-jlee": [("M-000644", "plan-review", "2026-09-10", 73)],
    "cm-obello": [("M-000823", "plan-review", "2026-10-06", 47), ("M-000715", "signature", "2026-11-14", 8),
                  ("M-000715", "contact", "2026-11-15", 7)],
}
# (member, kind, due, days left), soonest first
DUE_SOON = {
    "cm-jlee": [("M-000788", "contact", "2026-11-26", 4), ("M-000530", "contact", "2026-12-02", 10),
                ("M-000644", "contact", "2026-12-04", 12), ("M-000530", "plan-review", "2026-12-17", 25),
                ("M-000123", "contact", "2026-12-18", 26)],
    "cm-obello": [("M-000412", "objective-target", "2026-11-30", 8), ("M-000207", "contact", "2026-12-05", 13),
                  ("M-000412", "contact", "2026-12-16", 24), ("M-000412", "contact", "2026-12-19", 27)],
}
# `due --summary`'s lines at 160 columns (the same items, overdue first, with `due`'s descriptions)
SUMMARY_160 = """\
Jordan Lee (cm-jlee) — 1 overdue, 5 due within 30 days
 2026-09-10  73 days overdue  M-000644  periodic plan review: plan P1
 2026-11-26  in 4 days        M-000788  contact due: face_to_face
 2026-12-02  in 10 days       M-000530  contact due: face_to_face
 2026-12-04  in 12 days       M-000644  contact due: face_to_face
 2026-12-17  in 25 days       M-000530  periodic plan review: plan P1
 2026-12-18  in 26 days       M-000123  contact due: phone

Olu Bello (cm-obello) — 3 overdue, 4 due within 30 days
 2026-10-06  47 days overdue  M-000823  periodic plan review: plan P1
 2026-11-14  8 days overdue   M-000715  awaiting signature since 2026-10-15: plan P2
 2026-11-15  7 days overdue   M-000715  contact due: phone
 2026-11-30  in 8 days        M-000412  objective target date: objective G2.1
 2026-12-05  in 13 days       M-000207  contact due: phone
 2026-12-16  in 24 days       M-000412  contact due: face_to_face
 2026-12-19  in 27 days       M-000412  contact due: phone

2 case managers: 4 overdue, 9 due within 30 days (today 2026-11-22, due by 2026-12-22)
"""


def run(root: Path, *args: str, env: dict[str, str] | None = None):
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(app, list(args), env={"CI": "", "COLUMNS": "100", **(env or {})},
                             catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "sample_cases"
    shutil.copytree(SAMPLE_CASES, root)
    return root


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def report_rows(root: Path, *args: str) -> dict:
    document = json.loads(ok(run(root, "report", "-f", "json", *args)))
    return {row["case_manager"]: row for row in document["overdue_by_case_manager"]}


def due_json(root: Path, *args: str) -> dict:
    return json.loads(ok(run(root, "due", "-f", "json", *args)))


def member_names(root: Path) -> set[str]:
    """Every word of every member's legal and preferred name, from the files."""
    words = set()
    for member in (root / "members").glob("*/member.yaml"):
        name = yaml.load(member.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["name"]
        for value in (name.get("legal"), name.get("preferred")):
            words.update(value.split() if value else ())
    return words


# ---------------------------------------------------------------- pcplan report


def test_report_json_has_each_case_managers_worklist(samples):
    rows = report_rows(samples, *AS_OF)
    assert list(rows) == ["cm-jlee", "cm-obello"]
    for manager, row in rows.items():
        assert (row["overdue"], row["due_soon"], row["due_soon_until"]) == \
            (len(OVERDUE[manager]), len(DUE_SOON[manager]), "2026-12-22")
        assert [(i["member"], i["kind"], i["due"], i["days_overdue"]) for i in row["overdue_items"]] \
            == OVERDUE[manager]
        assert [(i["member"], i["kind"], i["due"], i["days_left"]) for i in row["due_soon_items"]] \
            == DUE_SOON[manager]
    # the model the report already had is extended, not replaced
    assert rows["cm-obello"]["by_kind"] == {"plan-review": 1, "contact": 1, "signature": 1}
    assert (rows["cm-obello"]["members"], rows["cm-obello"]["oldest_due"]) == (2, "2026-10-06")


def test_report_worklists_are_what_due_lists_in_its_default_window(samples):
    """The report's worklists and `pcplan due` (30 days, its default) count the same obligations."""
    listed = due_json(samples, *AS_OF)["obligations"]
    rows = report_rows(samples, *AS_OF)
    for manager, row in rows.items():
        mine = [o for o in listed if o["case_manager"] == manager]
        assert row["overdue"] == sum(o["overdue"] for o in mine)
        assert row["due_soon"] == sum(not o["overdue"] for o in mine)
        assert [(i["member"], i["kind"], i["due"]) for i in row["overdue_items"] + row["due_soon_items"]] \
            == [(o["member"], o["kind"], o["due"]) for o in mine]


def test_report_lists_at_most_ten_items_and_counts_the_rest(samples):
    """On 2027-06-01 cm-jlee has 20 obligations overdue, cm-obello 17 (`pcplan due --today 2027-06-01`)."""
    today = ["--today", "2027-06-01"]
    listed = due_json(samples, *today)["obligations"]
    rows = report_rows(samples, *today)
    assert REPORT_LIMIT == 10
    assert (rows["cm-jlee"]["overdue"], rows["cm-obello"]["overdue"]) == (20, 17)
    assert (rows["cm-jlee"]["due_soon"], rows["cm-obello"]["due_soon"]) == (3, 0)
    for manager, row in rows.items():
        late = [(o["member"], o["kind"], o["due"]) for o in listed if o["case_manager"] == manager and o["overdue"]]
        assert [(i["member"], i["kind"], i["due"]) for i in row["overdue_items"]] == late[:10]
        days = [i["days_overdue"] for i in row["overdue_items"]]
        assert days == sorted(days, reverse=True)  # most overdue first
    table = ok(run(samples, "report", *today))
    assert "and 10 more: `pcplan due --case-manager cm-jlee` lists every one" in table
    assert "and 7 more: `pcplan due --case-manager cm-obello` lists every one" in table
    page = ok(run(samples, "report", *today, "-f", "html"))
    assert "And 10 more overdue: <code>pcplan due --case-manager cm-jlee</code> lists every one." in page
    assert "Nothing falls due in the next 30 days." in page  # cm-obello: 0 due soon


def test_report_table_shows_a_worklist_per_case_manager(samples):
    for columns in ("60", "160"):  # not a terminal: 100 columns, whatever COLUMNS says
        out = ok(run(samples, "report", *AS_OF, env={"COLUMNS": columns}))
        assert max(len(line) for line in out.splitlines()) <= 100
        assert "Worklist of Jordan Lee (cm-jlee): 1 overdue, 5 due within 30 days" in out
        assert "Worklist of Olu Bello (cm-obello): 3 overdue, 4 due within 30 days" in out
        worklist = out[out.index("Worklist of Olu Bello"):]
        for member, kind, due, days in OVERDUE["cm-obello"] + DUE_SOON["cm-obello"]:
            assert re.search(rf"^\| {member} +\| {kind} +\| {due} \| +{days} \|$", worklist, re.M), member
        assert worklist.index("Overdue, most overdue first") < worklist.index("Due within 30 days (by 2026-12-22)")


def test_report_case_manager_gives_one_worklist(samples):
    rows = report_rows(samples, *AS_OF, "--case-manager", "cm-obello")
    assert list(rows) == ["cm-obello"]
    assert [(i["member"], i["days_overdue"]) for i in rows["cm-obello"]["overdue_items"]] \
        == [(m, d) for m, _, _, d in OVERDUE["cm-obello"]]
    out = ok(run(samples, "report", *AS_OF, "--case-manager", "cm-obello"))
    assert "Worklist of Olu Bello (cm-obello)" in out and "Worklist of Jordan" not in out
    page = ok(run(samples, "report", *AS_OF, "--case-manager", "cm-obello", "-f", "html"))
    assert len(_Worklists.of(page).sections) == 1


class _Worklists(HTMLParser):
    """The page's worklist sections: style, heading, counts, and each table's rows as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict] = []
        self.cell: list[str] | None = None
        self.table: list[list[str]] = []
        self.where = ""
        self.inside = False
        self.text: list[str] = []  # all the worklists' text

    @classmethod
    def of(cls, page: str) -> _Worklists:
        parser = cls()
        parser.feed(page)
        return parser

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.inside = "worklist" in (a.get("class") or "").split()
            if self.inside:
                self.sections.append({"style": a.get("style"), "title": "", "facts": [], "tables": {}})
        elif not self.inside:
            return
        elif tag == "h2":
            self.where = "title"
        elif tag in ("dt", "dd"):
            self.where = tag
            self.sections[-1]["facts"].append("")
        elif tag == "table":
            self.table = self.sections[-1]["tables"].setdefault(a["class"].split()[-1], [])
        elif tag == "tr":
            self.table.append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "section":
            self.inside = False
        elif tag in ("th", "td") and self.cell is not None:
            self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag in ("h2", "dt", "dd"):
            self.where = ""

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)
        elif self.where == "title":
            self.sections[-1]["title"] += data
        elif self.where in ("dt", "dd"):
            self.sections[-1]["facts"][-1] += data.strip()


def test_html_prints_each_worklist_on_its_own_page(samples):
    page = ok(run(samples, "report", *AS_OF, "-f", "html"))
    sections = _Worklists.of(page).sections
    assert [s["title"].split() for s in sections] == [["Worklist:", "Jordan", "Lee", "(cm-jlee)"],
                                                      ["Worklist:", "Olu", "Bello", "(cm-obello)"]]
    for section, manager in zip(sections, ("cm-jlee", "cm-obello"), strict=True):
        assert section["style"] == "break-before: page"
        facts = dict(zip(section["facts"][::2], section["facts"][1::2], strict=True))
        assert facts["Overdue"] == str(len(OVERDUE[manager]))
        assert facts["Due in the next 30 days"] == str(len(DUE_SOON[manager]))
        overdue, soon = section["tables"]["worklist-overdue"], section["tables"]["worklist-due-soon"]
        assert overdue[0] == ["Member", "Item", "Due", "Days overdue"]
        assert [(r[0], r[2], int(r[3])) for r in overdue[1:]] == [(m, d, n) for m, _, d, n in OVERDUE[manager]]
        assert [(r[0], r[2], int(r[3])) for r in soon[1:]] == [(m, d, n) for m, _, d, n in DUE_SOON[manager]]
    assert sections[1]["tables"]["worklist-overdue"][2][1] == "Awaiting signature"  # kinds in words
    assert sections[0]["tables"]["worklist-overdue"][1][1] == "Periodic plan review"
    # after the overdue counts, before the notes on rules
    assert page.index('id="overdue"') < page.index('class="worklist"')


def test_under_ci_worklists_show_ids_and_no_member_names(samples):
    names = member_names(samples)
    assert {"Elena", "Danny", "Lan"} <= names
    env = {"CI": "true"}
    table, document, page = (ok(run(samples, "report", *AS_OF, "-f", fmt, env=env)) for fmt in ("table", "json", "html"))
    # the worklists' part of each (the notes on rules quote made-up names as examples)
    outputs = [table[table.index("Worklist of"):], json.dumps(json.loads(document)["overdue_by_case_manager"]),
               " ".join("".join(_Worklists.of(page).text).split())]
    assert "Olu Bello (cm-obello)" in outputs[2]  # staff names are no member's
    outputs += [ok(run(samples, "due", "--summary", *AS_OF, *fmt, env=env)) for fmt in ([], ["-f", "json"])]
    for out in outputs:
        for member, *_ in OVERDUE["cm-jlee"] + OVERDUE["cm-obello"] + DUE_SOON["cm-obello"]:
            assert member in out  # a member id is an id: never hidden
        found = [w for w in names if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", out)]
        assert found == [], found


# ---------------------------------------------------------------- pcplan due --summary


def test_summary_is_one_short_block_per_case_manager(samples):
    out = ok(run(samples, "due", "--summary", *AS_OF, env={"COLUMNS": "160"}))
    assert out == SUMMARY_160
    full = ok(run(samples, "due", *AS_OF, env={"COLUMNS": "160"}))
    assert len(out.splitlines()) < len(full.splitlines())


def test_summary_in_a_60_column_terminal_keeps_lines_and_words_whole(samples):
    out = ok(run(samples, "due", "--summary", *AS_OF, env={"COLUMNS": "60"}))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "\x1b[" not in out
    assert lines[0] == "Jordan Lee (cm-jlee) — 1 overdue, 5 due within 30 days"
    # each item: date, days and member on one line, what is due whole on the next
    assert lines[1:3] == [" 2026-09-10  73 days overdue  M-000644", "    periodic plan review: plan P1"]
    at = lines.index(" 2026-11-14  8 days overdue   M-000715")
    assert lines[at + 1] == "    awaiting signature since 2026-10-15: plan P2"
    assert sum(1 for line in lines if re.match(r" \d{4}-\d\d-\d\d  ", line)) == 13


def test_summary_json_gives_counts_and_items(samples):
    document = json.loads(ok(run(samples, "due", "--summary", *AS_OF, "-f", "json")))
    assert (document["today"], document["within_days"], document["due_by"], document["limit"]) \
        == ("2026-11-22", 30, "2026-12-22", SUMMARY_LIMIT)
    assert (document["overdue"], document["due_soon"]) == (4, 9)
    blocks = {b["case_manager"]: b for b in document["case_managers"]}
    assert list(blocks) == ["cm-jlee", "cm-obello"]
    full = due_json(samples, *AS_OF)["obligations"]
    for manager, block in blocks.items():
        assert (block["overdue"], block["due_soon"], block["more"]) \
            == (len(OVERDUE[manager]), len(DUE_SOON[manager]), 0)
        assert block["obligations"] == [o for o in full if o["case_manager"] == manager]  # `due`'s own records
    assert document["unread"] == []


@pytest.mark.parametrize(("within", "more"), [("53", {"cm-jlee": None, "cm-obello": "1 more obligation"}),
                                              ("70", {"cm-jlee": "2 more obligations",
                                                      "cm-obello": "3 more obligations"})])
def test_summary_shows_ten_items_then_and_n_more(samples, within, more):
    """Within 53 days cm-jlee has 10 obligations, cm-obello 11; within 70 days 12 and 13 (`due --within all`)."""
    assert SUMMARY_LIMIT == 10
    out = ok(run(samples, "due", "--summary", *AS_OF, "--within", within, env={"COLUMNS": "160"}))
    blocks = out.split("\n\n")
    for block, manager in zip(blocks, ("cm-jlee", "cm-obello"), strict=False):
        assert f"({manager})" in block.splitlines()[0]
        items = [line for line in block.splitlines() if re.match(r" \d{4}-\d\d-\d\d  ", line)]
        assert len(items) == 10
        tail = block.splitlines()[-1]
        if more[manager] is None:
            assert "more" not in block
        else:
            assert tail == f" and {more[manager]} (without --summary, `pcplan due` lists every one)"
    document = json.loads(ok(run(samples, "due", "--summary", *AS_OF, "--within", within, "-f", "json")))
    got = {b["case_manager"]: (len(b["obligations"]), b["more"]) for b in document["case_managers"]}
    expected = {m: (10, int(text.split()[0]) if text else 0) for m, text in more.items()}
    assert got == expected


def test_summary_words_agree_in_number(samples):
    out = ok(run(samples, "due", "--summary", *AS_OF, "--within", "1", "--case-manager", "cm-obello"))
    assert out.splitlines()[0] == "Olu Bello (cm-obello) — 3 overdue, 0 due within 1 day"
    assert out.splitlines()[-1] == "1 case manager: 3 overdue, 0 due within 1 day (today 2026-11-22, due by 2026-11-23)"
    out = ok(run(samples, "due", "--summary", *AS_OF, "--within", "all", "--case-manager", "cm-jlee"))
    assert out.splitlines()[0] == "Jordan Lee (cm-jlee) — 1 overdue, 41 not yet due"
    assert " and 32 more obligations (without --summary, `pcplan due` lists every one)" in out.splitlines()
    out = ok(run(samples, "due", "--summary", *AS_OF, "members/M-000123", "--within", "3"))
    assert out == "Nothing is overdue or due within 3 days (today 2026-11-22, due by 2026-11-25).\n"


def test_summary_with_case_manager_is_that_one_block(samples):
    out = ok(run(samples, "due", "--summary", *AS_OF, "--case-manager", "cm-jlee", env={"COLUMNS": "160"}))
    assert out == SUMMARY_160.split("\n\n")[0] + "\n\n" + \
        "1 case manager: 1 overdue, 5 due within 30 days (today 2026-11-22, due by 2026-12-22)\n"


@pytest.mark.parametrize("args", [["-f", "csv"], ["-f", "ics"], ["-o", "due.csv"], ["-o", "due.ics"]])
def test_summary_with_csv_or_ics_is_a_usage_error(samples, args):
    result = run(samples, "due", "--summary", *AS_OF, *args)
    assert result.exit_code == 2
    fmt = "csv" if "csv" in args[-1] else "ics"
    assert result.stderr == f"pcplan: --summary is for the table and json formats; {fmt} lists every obligation: " \
                            "leave out --summary\n"
    assert result.stdout == "" and not (samples / "due.csv").exists() and not (samples / "due.ics").exists()


def test_summary_to_a_file_and_failing_on_overdue(samples):
    result = run(samples, "due", "--summary", *AS_OF, "-o", "summary.json", "--fail-on-overdue")
    assert result.exit_code == 1
    assert result.stderr == "pcplan: wrote a summary of 13 obligations, 4 overdue, to summary.json\n"
    document = json.loads((samples / "summary.json").read_text(encoding="utf-8"))
    assert [(b["case_manager"], b["overdue"], b["due_soon"]) for b in document["case_managers"]] \
        == [("cm-jlee", 1, 5), ("cm-obello", 3, 4)]


def test_staff_trainings_and_a_case_manager_typed_as_words(samples):
    """A new case manager's four trainings (hired 2026-01-05, due 120 days later: 2026-05-05) are on their worklist
    with no member; Danny's case manager typed as words is `(not an id)`, never repeated, and no
    `--case-manager` can name it."""
    staff = samples / "staff.yaml"
    staff.write_text(staff.read_text(encoding="utf-8") + "  - id: cm-new\n    name: Sam New\n    role: case_manager\n"
                     "    hire_date: 2026-01-05\n    languages: [en]\n", encoding="utf-8")
    member = samples / "members" / "M-000207" / "member.yaml"
    text = member.read_text(encoding="utf-8")
    assert "  - staff: cm-obello\n    from: 2026-04-01" in text
    member.write_text(text.replace("  - staff: cm-obello\n    from: 2026-04-01", "  - staff: Ms. Smith\n"
                                   "    from: 2026-04-01"), encoding="utf-8")
    rows = report_rows(samples, *AS_OF)
    assert list(rows) == ["(not an id)", "cm-jlee", "cm-new", "cm-obello"]
    assert rows["(not an id)"]["due_soon_items"] == [{"member": "M-000207", "kind": "contact", "due": "2026-12-05",
                                                      "days_left": 13}]
    assert rows["cm-new"]["overdue_items"] == [{"member": None, "kind": "training", "due": "2026-05-05",
                                                "days_overdue": 201}] * 4
    assert (rows["cm-obello"]["overdue"], rows["cm-obello"]["due_soon"]) == (3, 3)
    table = ok(run(samples, "report", *AS_OF))
    assert "Worklist of (not an id): 0 overdue, 1 due within 30 days" in table
    assert "Worklist of Sam New (cm-new): 4 overdue, 0 due within 30 days" in table
    assert len(re.findall(r"^\| \(staff\) \| training \| 2026-05-05 \| +201 \|$", table, re.M)) == 4
    summary = ok(run(samples, "due", "--summary", *AS_OF, env={"COLUMNS": "160"}))
    assert "(not an id) (not in staff.yaml) — 0 overdue, 1 due within 30 days\n" \
           " 2026-12-05  in 13 days  M-000207  contact due: phone\n" in summary
    assert " 2026-05-05  201 days overdue  (staff)  staff training deadline: cm-new: module member-rights\n" \
        in summary
    assert summary.endswith("4 case managers: 8 overdue, 9 due within 30 days (today 2026-11-22, due by 2026-12-22)\n")
    page = ok(run(samples, "report", *AS_OF, "-f", "html"))
    for out in (table, summary, page):
        assert "Smith" not in out
