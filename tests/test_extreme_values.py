"""Extreme values never crash anything (issue 14, item 1).

A schema-valid value at the edge of what a date or a number can hold is still a
value a case file may carry: `9999-12-31` (a common "no end"), `0001-01-01`,
a frequency of `3000000 weeks` or `99999 years`, a 31-digit `amount`, a whole
number of more than 4,300 digits (more than Python reads), and `--today` on the
calendar's first or last day. For each, in a copy of the reference repository
(``repo``), `check`, `due` (every format), `report` (every format) and `render`
(HTML and Markdown) run as a case manager runs them (typer's CliRunner): never a
traceback, never E000, the documented exit status, and every other member still
checked, listed and reported exactly as before.

A value no date or number pcplan handles can hold is an E004 finding at its node
(``dates.py`` is the one guarded home of date arithmetic and of numbers shown in
messages); a date past the calendar's end is "never due". The table ``FIELDS``
names every date, frequency and number field of every kind; a test keeps it
complete against the JSON Schemas.

``tests/hostile/extreme/`` holds whole files made of such values (see its
README); each goes into a copy of Elena's folder and is checked, listed,
reported and rendered with the rest of the repository.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CLEAN_MEMBERS, DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, PROJECT, TODAY, slow_except
from pcplan.cli import app
from pcplan.schema import KINDS, schema_for

runner = CliRunner()
AS_OF = ["--today", TODAY.isoformat()]
ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"
DANNY_MEMBER = f"{DANNY}/member.yaml"
DANNY_ASSESSMENT = f"{DANNY}/assessment-2026-05-06.yaml"
ABDI_CLOSURE = f"{ABDI}/closure.yaml"
ELENA_NOTE = f"{ELENA}/notes/2026-10-29.yaml"  # her note with the most fields
STAFF = "staff.yaml"
CORPUS = PROJECT / "tests" / "hostile" / "extreme"

HUGE = "9" * 5000  # more digits than Python turns into a whole number (4,300)
DATES = {"9999-12-31": "9999-12-31", "0001-01-01": "0001-01-01"}
FREQUENCIES = {"3000000-weeks": "3000000 weeks", "99999-years": "99999 years", "5000-digit-days": f"{HUGE} days"}
AMOUNTS = {"31-digits": "9" * 31, "infinite": "1.0e+400", "5000-digits": HUGE}
WHOLE_NUMBERS = {"5000-digits": HUGE}


@dataclass(frozen=True)
class Field:
    """Where a field of a kind is in the reference repository: ``old`` in ``file`` becomes ``new``, whose
    ``{X}`` is the extreme value (the reference files hold no such field where ``old`` adds one)."""

    kind: str
    path: str  # as the schema names it, `*` for a list item
    file: str
    old: str
    new: str
    values: dict  # label -> the value written, as YAML text

    @property
    def member(self) -> str:
        """The member folder the field is in (the staff file: Danny, whose case manager it names)."""
        return "/".join(self.file.split("/")[:2]) if self.file.startswith("members/") else DANNY


def date_field(kind, path, file, old, new) -> Field:
    return Field(kind, path, file, old, new, DATES)


FIELDS = [
    # -- assessment ------------------------------------------------------------------------------------------
    date_field("assessment", "date", DANNY_ASSESSMENT, "\ndate: 2026-05-06\n", "\ndate: {X}\n"),
    Field("assessment", "needs.*.priority", DANNY_ASSESSMENT, "    priority: 2\n", "    priority: {X}\n",
          WHOLE_NUMBERS),
    # -- closure ---------------------------------------------------------------------------------------------
    date_field("closure", "date", ABDI_CLOSURE, "\ndate: 2026-10-15\n", "\ndate: {X}\n"),
    date_field("closure", "exit_interview.held_on", ABDI_CLOSURE, "held_on: 2026-10-15", "held_on: {X}"),
    date_field("closure", "referrals.*.on", ABDI_CLOSURE, "join him, on: 2026-10-15}", "join him, on: {X}}"),
    date_field("closure", "attempts.*.on", ABDI_CLOSURE, "\nnext_stage_plan:",
               "\nattempts:\n  - {on: {X}, method: phone}\nnext_stage_plan:"),
    # -- member ----------------------------------------------------------------------------------------------
    date_field("member", "birth_date", DANNY_MEMBER, "birth_date: 1998-11-30", "birth_date: {X}"),
    date_field("member", "programs.*.eligibility.determined_on", DANNY_MEMBER, "determined_on: 2025-12-01",
               "determined_on: {X}"),
    date_field("member", "programs.*.enrolled_on", DANNY_MEMBER, "enrolled_on: 2025-12-15", "enrolled_on: {X}"),
    date_field("member", "programs.*.ended_on", DANNY_MEMBER, "    enrolled_on: 2025-12-15\n",
               "    enrolled_on: 2025-12-15\n    ended_on: {X}\n"),
    date_field("member", "rights_explained_on", DANNY_MEMBER, "rights_explained_on: 2025-12-15",
               "rights_explained_on: {X}"),
    date_field("member", "choice_of_case_manager_offered_on", DANNY_MEMBER,
               "choice_of_case_manager_offered_on: 2025-12-15", "choice_of_case_manager_offered_on: {X}"),
    date_field("member", "case_managers.*.from", DANNY_MEMBER, "from: 2026-04-01", "from: {X}"),
    date_field("member", "case_managers.*.to", DANNY_MEMBER, "to: 2026-03-31", "to: {X}"),
    date_field("member", "representatives.*.authority_from", DANNY_MEMBER, "    authority: legal_guardian\n",
               "    authority: legal_guardian\n    authority_from: {X}\n"),
    date_field("member", "representatives.*.authority_until", DANNY_MEMBER, "    authority: legal_guardian\n",
               "    authority: legal_guardian\n    authority_until: {X}\n"),
    # Elena's contacts are paused by a hold that starts or ends at an edge of the calendar.
    date_field("member", "holds.*.start", ELENA_MEMBER, "status: active\n",
               "holds:\n  - {start: {X}, reason: Hospital stay., recorded_by: cm-jlee}\nstatus: active\n"),
    date_field("member", "holds.*.end", ELENA_MEMBER, "status: active\n",
               "holds:\n  - {start: 2026-09-20, end: {X}, reason: Hospital stay., recorded_by: cm-jlee}\n"
               "status: active\n"),
    # An attempt to reach her for planning (the LTSS measures), on any day of the calendar.
    date_field("member", "outreach.*.on", ELENA_MEMBER, "status: active\n",
               "outreach:\n  - {on: {X}, for: planning, method: phone, outcome: no_answer, by: cm-jlee}\n"
               "status: active\n"),
    # -- note ------------------------------------------------------------------------------------------------
    date_field("note", "date", ELENA_NOTE, "date: 2026-10-29", "date: {X}"),
    Field("note", "minutes", ELENA_NOTE, "minutes: 50", "minutes: {X}", WHOLE_NUMBERS),
    # -- plan ------------------------------------------------------------------------------------------------
    date_field("plan", "date", DANNY_PLAN, "\ndate: 2026-05-20\n", "\ndate: {X}\n"),
    date_field("plan", "meeting.date", DANNY_PLAN, "  date: 2026-05-20\n  place:", "  date: {X}\n  place:"),
    date_field("plan", "effective.start", DANNY_PLAN, "effective:\n  start: 2026-05-20",
               "effective:\n  start: {X}"),
    date_field("plan", "choices.setting.on", DANNY_PLAN, "effective:\n  start: 2026-05-20",
               "choices:\n  setting: {offered: true, on: {X}}\neffective:\n  start: 2026-05-20"),
    date_field("plan", "choices.services.on", DANNY_PLAN, "effective:\n  start: 2026-05-20",
               "choices:\n  services: {offered: true, on: {X}}\neffective:\n  start: 2026-05-20"),
    date_field("plan", "choices.providers.on", DANNY_PLAN, "effective:\n  start: 2026-05-20",
               "choices:\n  providers: {offered: true, on: {X}}\neffective:\n  start: 2026-05-20"),
    date_field("plan", "choices.self_direction.on", DANNY_PLAN, "effective:\n  start: 2026-05-20",
               "choices:\n  self_direction: {offered: true, on: {X}}\neffective:\n  start: 2026-05-20"),
    date_field("plan", "effective.end", DANNY_PLAN, "  end: 2027-05-19\nwhat_matters", "  end: {X}\nwhat_matters"),
    date_field("plan", "goals.*.target_date", DANNY_PLAN, "target_date: 2027-01-31", "target_date: {X}"),
    date_field("plan", "goals.*.objectives.*.target_date", DANNY_PLAN, "target_date: 2026-12-31",
               "target_date: {X}"),
    date_field("plan", "unmet_needs.*.raised_on", ELENA_PLAN, "\nmonitoring:\n",
               "\nunmet_needs:\n  - {raised_on: {X}, item: 1, goal: G1}\nmonitoring:\n"),
    Field("plan", "unmet_needs.*.item", ELENA_PLAN, "\nmonitoring:\n",
          "\nunmet_needs:\n  - {raised_on: 2026-10-29, item: {X}, goal: G1}\nmonitoring:\n", WHOLE_NUMBERS),
    Field("plan", "supports.*.amount", DANNY_PLAN, "amount: 4\n", "amount: {X}\n", AMOUNTS),
    Field("plan", "supports.*.authorization.units", DANNY_PLAN, "amount: 4\n",
          "amount: 4\n    authorization: {units: {X}, per: week, unit: hour}\n", AMOUNTS),
    Field("plan", "supports.*.authorization.rate", DANNY_PLAN, "amount: 4\n",
          "amount: 4\n    authorization: {units: 16, per: week, unit: 15_minutes, rate: {X}}\n", AMOUNTS),
    Field("plan", "supports.*.frequency", DANNY_PLAN, "frequency: daily", "frequency: {X}", FREQUENCIES),
    date_field("plan", "supports.*.start", DANNY_PLAN, "    start: 2026-05-20\n    end: 2027-05-19\n  - id: SP2",
               "    start: {X}\n    end: 2027-05-19\n  - id: SP2"),
    date_field("plan", "supports.*.end", DANNY_PLAN, "    end: 2027-05-19\n  - id: SP2", "    end: {X}\n  - id: SP2"),
    Field("plan", "rights_modifications.*.review_every", DANNY_PLAN, "    review_every: 3 months\n    review_by",
          "    review_every: {X}\n    review_by", FREQUENCIES),
    date_field("plan", "rights_modifications.*.review_by", DANNY_PLAN, "review_by: 2027-02-20", "review_by: {X}"),
    date_field("plan", "rights_modifications.*.consent.on", DANNY_PLAN, "      on: 2026-05-20", "      on: {X}"),
    Field("plan", "monitoring.contacts.*.every", DANNY_PLAN, "{type: phone, every: 1 month}",
          "{type: phone, every: {X}}", FREQUENCIES),
    Field("plan", "monitoring.review_every", DANNY_PLAN, "  review_every: 3 months\nreviews:",
          "  review_every: {X}\nreviews:", FREQUENCIES),
    date_field("plan", "reviews.*.date", DANNY_PLAN, "{date: 2026-11-05, by: cm-obello",
               "{date: {X}, by: cm-obello"),
    date_field("plan", "reviews.*.unmet_needs.*.raised_on", ELENA_PLAN, "\nreviews: []",
               "\nreviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue, "
               "unmet_needs: [{raised_on: {X}, item: 1, goal: G1}]}\n#"),
    Field("plan", "reviews.*.unmet_needs.*.item", ELENA_PLAN, "\nreviews: []",
          "\nreviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue, "
          "unmet_needs: [{raised_on: 2026-10-29, item: {X}, goal: G1}]}\n#", WHOLE_NUMBERS),
    date_field("plan", "signatures.*.signed_on", DANNY_PLAN, "{role: member, name: Danny, signed_on: 2026-05-20",
               "{role: member, name: Danny, signed_on: {X}"),
    date_field("plan", "signatures.*.refused_on", DANNY_PLAN,
               "{role: member, name: Danny, signed_on: 2026-05-20, method: wet}",
               "{role: member, name: Danny, refused: true, refusal_reason: He wants to think it over., "
               "refused_on: {X}}"),
    date_field("plan", "signatures.*.declined_on", DANNY_PLAN,
               "{role: member, name: Danny, signed_on: 2026-05-20, method: wet}",
               "{role: member, name: Danny, declined_to_sign: true, declined_reason: He agreed aloud., "
               "witnessed_by: cm-obello, declined_on: {X}}"),
    date_field("plan", "distribution.*.given_on", DANNY_PLAN, "{to: Danny, role: member, copy_given: true, "
               "given_on: 2026-05-28", "{to: Danny, role: member, copy_given: true, given_on: {X}"),
    date_field("plan", "notices.*.given_on", DANNY_PLAN, "\nmonitoring:\n",
               "\nnotices:\n  - {support: SP2, given_on: {X}}\nmonitoring:\n"),
    date_field("plan", "exceptions.*.on", DANNY_PLAN, "exceptions: []",
               "exceptions:\n  - {rule: T201, reason: Moved at the family's request., documented_by: cm-obello, "
               "on: {X}}"),
    date_field("plan", "exceptions.*.from", DANNY_PLAN, "exceptions: []",
               "exceptions:\n  - {rule: T201, reason: Moved at the family's request., documented_by: cm-obello, "
               "on: 2026-11-20, from: {X}}"),
    date_field("plan", "exceptions.*.until", DANNY_PLAN, "exceptions: []",
               "exceptions:\n  - {rule: T201, reason: Moved at the family's request., documented_by: cm-obello, "
               "on: 2026-11-20, until: {X}}"),
    # -- staff -----------------------------------------------------------------------------------------------
    date_field("staff", "staff.*.hire_date", STAFF, "hire_date: 2025-09-02", "hire_date: {X}"),
    date_field("staff", "staff.*.left_on", STAFF, "    hire_date: 2025-09-02\n",
               "    hire_date: 2025-09-02\n    left_on: {X}\n"),
    date_field("staff", "staff.*.trainings.*.completed_on", STAFF, "completed_on: 2025-10-06",
               "completed_on: {X}"),
]

# What pcplan must say at the node, for a value no date or number it handles can hold (code, words).
BEYOND = ("E004", "reaches past the year 9999 from any date")
EXPECTED_AT_NODE = {
    **{(path, label): BEYOND for path in ("rights_modifications.*.review_every", "monitoring.contacts.*.every",
                                          "monitoring.review_every", "supports.*.frequency") for label in FREQUENCIES},
    ("supports.*.amount", "31-digits"): ("E004", "`amount` is a number of 31 digits, more than pcplan can count"),
    ("supports.*.amount", "infinite"): ("E004", "`amount` is an infinite number, more than pcplan can count"),
    **{(path, "5000-digits"): ("E004", f"`{path.rsplit('.', 1)[-1]}` is a whole number of 5,000 digits, more than "
                                       "pcplan reads (at most 4,300)")
       for path in ("supports.*.amount", "needs.*.priority", "minutes", "unmet_needs.*.item",
                    "reviews.*.unmet_needs.*.item", "supports.*.authorization.units",
                    "supports.*.authorization.rate")},
}
CASES = [pytest.param(field, label, value, id=f"{field.kind}.{field.path}={label}")
         for field in FIELDS for label, value in field.values.items()]
# The quick run's representatives: each kind of outcome (a date at either end of the calendar, in a member's file and
# in staff.yaml; an amount no number holds; a whole number of 5,000 digits); every case is marked slow.
QUICK_CASES = ("plan.effective.end=9999-12-31", "staff.staff.*.left_on=0001-01-01", "plan.supports.*.amount=infinite",
               "note.minutes=5000-digits")


# ------------------------------------------------------------------------------------------------ helpers

def run(cwd: Path, *args: str):
    """A pcplan command as a case manager types it, in ``cwd``; an exception escaping it fails the test."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args), env={"COLUMNS": "120", "CI": ""})
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"pcplan {' '.join(a[:40] for a in args)} raised {result.exception!r}"
    assert "Traceback" not in result.output, result.output[-3000:]
    return result


def check_json(root: Path, *args: str, today: list[str] = AS_OF) -> tuple[int, dict]:
    result = run(root, "check", *today, "-f", "json", "--jobs", "1", *args)
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr[-2000:])  # 2 would be an internal error
    report = json.loads(result.stdout)
    internal = [f for f in report["findings"] if f["code"] == "E000"]
    assert not internal, internal
    return result.exit_code, report


def due_json(root: Path, today: list[str] = AS_OF) -> list[dict]:
    result = run(root, "due", *today, "--within", "all", "-f", "json")
    assert result.exit_code == 0, result.stderr[-2000:]
    obligations = json.loads(result.stdout)["obligations"]
    assert all(date.fromisoformat(o["due"]) for o in obligations)  # every due date is a date of the calendar
    return obligations


def other_formats_survive(root: Path, today: list[str] = AS_OF) -> None:
    """due as a table, CSV and a calendar; report as a table and a web page: exit 0 and some output."""
    for args in (["due", "-f", "table"], ["due", "--within", "all", "-f", "table"], ["due", "-f", "csv"],
                 ["due", "--within", "all", "-f", "ics"], ["report", "-f", "table"], ["report", "-f", "html"]):
        result = run(root, *args, *today)
        assert result.exit_code == 0, (args, result.stderr[-2000:])
        assert result.stdout.strip(), args
    calendar = run(root, "due", "--within", "all", "-f", "ics", *today).stdout
    for event in calendar.split("BEGIN:VEVENT")[1:]:  # each all-day event says how long it is
        assert "DTEND;VALUE=DATE:" in event or "DURATION:P1D" in event, event


def report_json(root: Path, today: list[str] = AS_OF) -> dict:
    result = run(root, "report", *today, "-f", "json")
    assert result.exit_code == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def render(root: Path, member: str, fmt: str, out: Path, today: list[str] = AS_OF, draft: bool = True) -> str:
    """The member's plan rendered (``--draft``: whatever its findings); the text written."""
    out.mkdir(exist_ok=True)
    result = run(root, "render", member, *today, "--lang", "en", "-f", fmt, "--output", str(out), "--force",
                 *(["--draft"] if draft else []))
    assert result.exit_code == 0, (member, fmt, result.stderr[-2000:])
    written = Path(result.stdout.strip().splitlines()[-1])
    return written.read_text(encoding="utf-8")


def by_member(obligations: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for o in obligations:
        found.setdefault(o["member"], []).append(o)
    return found


@pytest.fixture(scope="module")
def reference_outputs(tmp_path_factory) -> dict:
    """What the untouched reference repository gives: per member, its obligations and finding count."""
    root = tmp_path_factory.mktemp("reference") / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(PROJECT / "sample_cases" / name, root / name)
    for member in CLEAN_MEMBERS:
        shutil.copytree(PROJECT / "sample_cases" / "members" / member, root / "members" / member)
    code, report = check_json(root)
    assert code == 0 and report["findings"] == []
    return {"obligations": by_member(due_json(root)), "files": report["summary"]["files"]}


# ------------------------------------------------------------------------------------------------ the table

def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        target = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _paths(schema: dict, node: dict | None = None, path: tuple = ()):
    node = _resolve(schema, schema if node is None else node)
    if path:
        yield path, node
    for key, sub in node.get("properties", {}).items():
        yield from _paths(schema, sub, path + (key,))
    if isinstance(node.get("items"), dict):
        yield from _paths(schema, node["items"], path + ("*",))


def extreme_fields() -> set[tuple[str, str]]:
    """Every date, frequency and number field of every kind, from the JSON Schemas."""
    found = set()
    for kind in KINDS:
        schema = schema_for(kind)
        for path, node in _paths(schema):
            kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
            if node.get("format") == "date" or path[-1] in ("every", "review_every", "frequency") \
                    or {"integer", "number"} & set(kinds):
                found.add((kind, ".".join(path)))
    return found


def test_the_table_names_every_date_frequency_and_number_field_of_every_kind():
    assert {(f.kind, f.path) for f in FIELDS} == extreme_fields()
    assert len(CASES) >= 90


# ------------------------------------------------------------------------------------------------ the class

class TestExtremeValues:
    """One extreme value in one field of the reference repository; every command, every format."""

    @pytest.mark.parametrize("field, label, value", slow_except(CASES, *QUICK_CASES))
    def test_check_due_report_and_render_survive(self, repo, reference_outputs, field, label, value):
        before, _, after = field.new.partition("{X}")
        repo.edit(field.file, field.old, before + value + after)
        line, column = repo.locate(field.file, before + value + after, offset=len(before))

        # check: no internal error, the exit status documented, every member folder and file checked
        code, report = check_json(repo.root)
        assert report["summary"]["members"] == len(CLEAN_MEMBERS)
        assert report["summary"]["files"] == reference_outputs["files"]
        expected = EXPECTED_AT_NODE.get((field.path, label))
        at_node = [f for f in report["findings"] if (f["path"], f["line"], f["column"]) == (field.file, line, column)]
        if expected is not None:
            wanted, words = expected
            assert code == 1
            assert [f for f in at_node if f["code"] == wanted and words in f["message"]], at_node
            assert HUGE not in json.dumps(report)  # no message repeats thousands of digits
        else:
            assert not [f for f in at_node if "reaches past" in f["message"] or "more than pcplan" in f["message"]]
        # the other members are exactly as clean as in the reference repository
        others = [m for m in CLEAN_MEMBERS if f"members/{m}" != field.member]
        if field.file != STAFF:
            assert not [f for f in report["findings"] if f["member"] in others], report["findings"]

        # due: every format; the other members' obligations (every member's, for staff.yaml) are as they were
        listed = by_member(due_json(repo.root))
        for member in CLEAN_MEMBERS if field.file == STAFF else others:
            assert listed.get(member, []) == reference_outputs["obligations"].get(member, []), member
        other_formats_survive(repo.root)

        # report: every member counted
        assert report_json(repo.root)["members"]["total"] == len(CLEAN_MEMBERS)

        # render: the member's plan, to HTML and Markdown
        for fmt in ("html", "md"):
            render(repo.root, field.member, fmt, repo.root.parent / "out")

    def test_a_goal_target_of_9999_12_31_works_everywhere(self, repo, reference_outputs):
        """The common "no end" placeholder: clean, listed on its day, counted, printed."""
        repo.edit(DANNY_PLAN, "target_date: 2027-01-31", "target_date: 9999-12-31")
        code, report = check_json(repo.root)
        assert (code, report["findings"]) == (0, [])
        goals = [o for o in due_json(repo.root) if o["kind"] == "goal-target" and o["member"] == "M-000207"
                 and o["description"].endswith("G2")]
        assert [(o["due"], o["member"], o["overdue"]) for o in goals] == [("9999-12-31", "M-000207", False)]
        calendar = run(repo.root, "due", "--within", "all", "-f", "ics", *AS_OF).stdout
        event = next(e for e in calendar.split("BEGIN:VEVENT")[1:] if "DTSTART;VALUE=DATE:99991231" in e)
        assert "DURATION:P1D" in event and "DTEND" not in event  # 9999-12-31 + 1 day is past the calendar
        csv_text = run(repo.root, "due", "--within", "all", "-f", "csv", *AS_OF).stdout
        assert "9999-12-31" in csv_text
        assert report_json(repo.root)["members"]["total"] == len(CLEAN_MEMBERS)
        html = render(repo.root, DANNY, "html", repo.root.parent / "out", draft=False)
        assert "December 31, 9999" in html
        md = render(repo.root, DANNY, "md", repo.root.parent / "out", draft=False)
        assert "December 31, 9999" in md
        pdf = run(repo.root, "render", DANNY, *AS_OF, "-f", "pdf", "--output", str(repo.root.parent / "danny.pdf"))
        assert pdf.exit_code == 0 and (repo.root.parent / "danny.pdf").read_bytes().startswith(b"%PDF-")

    def test_a_frequency_past_the_calendar_is_never_due(self, repo, reference_outputs):
        """`every: 3000000 weeks`: one E004 at the node; the contact is never listed as due, and the plan
        still renders as a draft without the impossible count."""
        repo.edit(DANNY_PLAN, "{type: phone, every: 1 month}", "{type: phone, every: 3000000 weeks}")
        line, column = repo.locate(DANNY_PLAN, "3000000 weeks")
        code, report = check_json(repo.root)
        assert code == 1
        assert [(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in report["findings"]] == [
            ("E004", DANNY_PLAN, line, column, "`every: 3000000 weeks` reaches past the year 9999 from any date, so "
             "nothing could ever fall due by it; write how often the contacts are agreed in days, weeks or months")]
        danny = by_member(due_json(repo.root))["M-000207"]
        contacts = [o["description"] for o in danny if o["kind"] == "contact"]
        assert contacts == ["contact due: face_to_face"]  # the phone contact is never due
        expected = [o for o in reference_outputs["obligations"]["M-000207"] if o["description"] != "contact due: phone"]
        assert danny == expected
        assert "3000000" not in render(repo.root, DANNY, "md", repo.root.parent / "out")

    def test_an_amount_of_31_digits_is_a_finding_and_a_draft_prints_no_wrong_number(self, repo):
        repo.edit(DANNY_PLAN, "amount: 4\n", f"amount: {'9' * 31}\n")
        line, column = repo.locate(DANNY_PLAN, "9" * 31)
        code, report = check_json(repo.root)
        assert code == 1
        assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("E004", line, column)]
        refused = run(repo.root, "render", DANNY, *AS_OF, "-f", "md", "--output", str(repo.root.parent / "out"))
        assert refused.exit_code == 1 and f"{DANNY_PLAN}:{line}:{column}: E004" in refused.stderr
        md = render(repo.root, DANNY, "md", repo.root.parent / "out")
        assert "9" * 16 not in md and "Pathways Supported Employment" in md

    @pytest.mark.parametrize("day", slow_except(["9999-12-31", "0001-01-01"], "9999-12-31"))
    def test_today_on_the_calendars_first_and_last_day(self, repo, day):
        """`--today` at either end of the calendar works: what would be due past it never is."""
        today = ["--today", day]
        code, report = check_json(repo.root, today=today)
        assert report["summary"]["members"] == len(CLEAN_MEMBERS)
        obligations = due_json(repo.root, today=today)
        assert {o["member"] for o in obligations} >= {"M-000123", "M-000207"}
        assert all(o["overdue"] == (o["due"] < day) for o in obligations)
        for window in ("30", "3m", "2w"):  # a window reaching past the calendar ends on its last day
            result = run(repo.root, "due", "--within", window, *today)
            assert result.exit_code == 0, result.stderr
        other_formats_survive(repo.root, today=today)
        assert report_json(repo.root, today=today)["members"]["total"] == len(CLEAN_MEMBERS)
        for member in (ELENA, DANNY, ABDI):
            for fmt in ("html", "md"):
                render(repo.root, member, fmt, repo.root.parent / "out", today=today)

    @pytest.mark.parametrize("day", ["10000-01-01", "0000-01-01", "9999-12-32"])
    def test_a_today_outside_the_calendar_is_a_usage_error(self, repo, day):
        for command in ("check", "due", "report"):
            result = run(repo.root, command, "--today", day)
            assert result.exit_code == 2, (command, result.output)
            assert f"--today must be a date in the form YYYY-MM-DD, from 0001-01-01 to 9999-12-31, got '{day}'" \
                in result.stderr

    def test_a_new_plan_that_would_end_past_the_calendar_is_a_usage_error(self, repo):
        """`pcplan new plan` writes an effective period of 12 months: on 9999-12-31 it cannot, and says so."""
        result = run(repo.root, "new", "plan", ELENA, "--today", "9999-12-31")
        assert result.exit_code == 2
        assert "9999-12-31 + 12 months falls outside the calendar pcplan counts in (0001-01-01 to 9999-12-31)" \
            in result.stderr
        assert not list(repo.path(ELENA).glob("plan-9999-*.yaml"))

    def test_a_configuration_number_of_5000_digits_is_a_configuration_error(self, repo):
        repo.edit("pcplan.toml", "review_interval_months = 12", f"review_interval_months = {HUGE}")
        for command in ("check", "due", "report"):
            result = run(repo.root, command, *AS_OF)
            assert result.exit_code == 2, (command, result.output[-500:])
            assert "pcplan.toml: not valid TOML: Exceeds the limit (4300 digits)" in result.stderr

    def test_a_long_hold_stops_the_contact_clock_for_all_its_days(self, repo):
        """A hold of four months (2026-10-30 to 2027-02-28, 122 days): the clock stops for every day of it.
        Her monthly phone contact, due 2026-12-18 (the call of 2026-11-18 + 1 month), moves on by the 103 days
        on hold from that call; the face-to-face visit, due 2027-01-29, by all 122. (Pushing a date by the
        hold days it reached, a fixed few times over, stopped short: 2027-03-21 for the call.)"""
        repo.edit(ELENA_MEMBER, "status: active\n", "holds:\n  - {start: 2026-10-30, end: 2027-02-28, reason: "
                  "Staying with her daughter., recorded_by: cm-jlee}\nstatus: active\n")
        elena = [o for o in due_json(repo.root) if o["member"] == "M-000123" and o["kind"] == "contact"]
        assert {o["description"]: o["due"] for o in elena} == {"contact due: phone": "2027-03-31",
                                                               "contact due: face_to_face": "2027-05-31"}

    @pytest.mark.parametrize("day", slow_except(["9999-12-31", "0001-01-01"], "0001-01-01"))
    def test_init_at_either_end_of_the_calendar(self, tmp_path, day):
        """The sample staff and member are dated from the nearest day with room, and say so; the new
        repository checks, lists, reports and renders."""
        result = run(tmp_path, "init", "cases", "--no-git", "--today", day)
        assert result.exit_code == 0, result.output
        assert f"{day} is too near an end of the calendar" in result.output
        root = tmp_path / "cases"
        code, report = check_json(root, today=["--today", day])
        assert report["summary"]["members"] == 1
        assert due_json(root, today=["--today", day])
        other_formats_survive(root, today=["--today", day])
        assert report_json(root, today=["--today", day])["members"]["total"] == 1
        member = next(p for p in (root / "members").iterdir() if p.is_dir())
        render(root, f"members/{member.name}", "html", tmp_path / "out", today=["--today", day])


# ------------------------------------------------------------------------------------------------ the corpus

CORPUS_EXPECTED = {  # file -> (where it goes in a copy of Elena's folder, findings at nodes: code, snippet, words)
    "plan-beyond-the-calendar.yaml": ("plan-2026-09-03.yaml", (
        ("E004", "every: 3000000 weeks", "`every: 3000000 weeks` reaches past the year 9999"),
        ("E004", "every: 99999 years", "`every: 99999 years` reaches past the year 9999"),
        ("E004", "review_every: 999", "`review_every:` (a count of 4,400 digits of days) reaches past the year 9999"),
        ("E004", "review_every: 1000000 months", "`review_every: 1000000 months` reaches past the year 9999"),
        ("E004", "amount: 999", "`amount` is a number of 31 digits"),
        ("E004", "amount: 1.0e+400", "`amount` is an infinite number"),
        ("E004", "amount: 888", "`amount` is a whole number of 5,000 digits"),
    )),
    "plan-no-end.yaml": ("plan-2026-09-03.yaml", ()),
    "note-huge-numbers.yaml": ("notes/2026-10-29.yaml", (
        ("E004", "minutes: 777", "`minutes` is a whole number of 4,301 digits"),
    )),
    "member-on-hold-forever.yaml": ("member.yaml", ()),
}


def test_the_corpus_is_what_the_table_expects():
    assert {p.name for p in CORPUS.glob("*.yaml")} == set(CORPUS_EXPECTED)


def test_the_extreme_corpus_checked_listed_reported_and_rendered_with_the_repository(repo, reference_outputs):
    placed = {}
    for index, (name, (target, _)) in enumerate(sorted(CORPUS_EXPECTED.items())):
        folder = f"members/X{index:03d}-{name.removesuffix('.yaml')}"
        shutil.copytree(repo.path(ELENA), repo.path(folder))
        shutil.copy(CORPUS / name, repo.path(f"{folder}/{target}"))
        placed[name] = f"{folder}/{target}"
    code, report = check_json(repo.root)
    assert code == 1
    assert report["summary"]["members"] == len(CLEAN_MEMBERS) + len(CORPUS_EXPECTED)
    for name, (_, expected) in CORPUS_EXPECTED.items():
        path = placed[name]
        found = {(f["code"], f["line"], f["column"]): f["message"] for f in report["findings"] if f["path"] == path}
        for code_, snippet, words in expected:
            line, column = repo.locate(path, snippet, offset=snippet.index(": ") + 2)
            assert (code_, line, column) in found, (name, snippet, sorted(found))
            assert words in found[(code_, line, column)], found[(code_, line, column)]
        if not expected:  # nothing out of range: no finding says so
            assert not [m for m in found.values() if "reaches past" in m or "more than pcplan" in m], found
    assert HUGE not in json.dumps(report)
    assert not [f for f in report["findings"] if f["path"].startswith(("members/M-000123/", "members/M-000207/",
                                                                         "members/M-000301/"))]
    listed = due_json(repo.root)  # (the copies of Elena's folder carry her id: told apart by their path)
    for member in ("M-000123", "M-000207"):
        assert [o for o in listed if o["path"].startswith(f"members/{member}/")] \
            == reference_outputs["obligations"][member]
    never = [o for o in listed if o["path"] == placed["plan-beyond-the-calendar.yaml"]]
    assert never and not [o for o in never if o["kind"] in ("contact", "plan-review", "modification-review")]
    no_end = [o for o in listed if o["path"] == placed["plan-no-end.yaml"]]
    assert sorted((o["kind"], o["description"]) for o in no_end if o["due"] == "9999-12-31") == [
        ("goal-target", "goal target date: goal G1"), ("modification-review", "rights modification review: rights "
         "modification RM1"), ("objective-target", "objective target date: objective G1.1"),
        ("plan-renewal", "plan renewal (the plan's effective period ends): plan P1")]
    on_hold = [o for o in listed if o["path"].startswith(placed["member-on-hold-forever.yaml"].rsplit("/", 1)[0])]
    assert on_hold and not [o for o in on_hold if o["kind"] == "contact"]
    other_formats_survive(repo.root)
    assert report_json(repo.root)["members"]["total"] == len(CLEAN_MEMBERS) + len(CORPUS_EXPECTED)
    for path in placed.values():
        for fmt in ("html", "md"):
            render(repo.root, "/".join(path.split("/")[:2]), fmt, repo.root.parent / "out")
