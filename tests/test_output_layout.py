"""Output that reads right: the closing summary, a caret always in view, whole words, no trailing blanks.

Widths are fixed here (a rich Console width or COLUMNS), never the developer's terminal.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from conftest import PROJECT, slow_except
from pcplan.caseload.due import DueOptions, DueReport, collect
from pcplan.caseload.due import write_table as write_due_table
from pcplan.caseload.report import build_report
from pcplan.caseload.report import write_table as write_report_table
from pcplan.cli import app
from pcplan.engine import CheckResult
from pcplan.explain import write_rules_table
from pcplan.facts.obligations import Obligation
from pcplan.findings import Finding
from pcplan.layout import strip_line_ends
from pcplan.report import ReportOptions, summary, writer
from pcplan.report.full import excerpt
from pcplan.rules import RULES

TODAY = date(2026, 11, 22)
AS_OF = ["--today", "2026-11-22"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PLAIN = ReportOptions(show_source=True, color=False, width=80)


def finding(code="L104", severity="error", line=1, column=1, excepted=False, file=None, path="case.yaml"):
    return Finding(code, RULES[code].name, severity, path, line, column, "a message", excepted=excepted, file=file)


def result(findings=(), files=3, members=0, roots=("cases",)) -> CheckResult:
    return CheckResult(findings=list(findings), files=files, members=members, roots=list(roots))


def written(fmt: str, res, options: ReportOptions = PLAIN) -> str:
    stream = io.StringIO()
    writer(fmt)(res, stream, options)
    return stream.getvalue()


# -- the summary line ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("res, expected", [
    (result(), "All checks passed: no findings in 3 files (repository: cases)."),
    (result([finding()], files=1), "Found 1 finding (1 error) in 1 file (repository: cases)."),
    (result([finding(), finding("L105", "warning"), finding("L105", "warning")]),
     "Found 3 findings (1 error, 2 warnings) in 3 files (repository: cases)."),
    (result([finding("L105", "warning"), finding("P407", "info"), finding("P407", "info")]),
     "Found 3 findings (1 warning, 2 info) in 3 files (repository: cases)."),
    (result(roots=(".",)), "All checks passed: no findings in 3 files (repository: the current folder)."),
    (result(roots=("north", "south")), "All checks passed: no findings in 3 files (repositories: north, south)."),
    (result(roots=()), "All checks passed: no findings in 3 files."),
    (result([finding(excepted=True)]),
     "All checks passed: no findings in 3 files (repository: cases). Not counted: 1 covered by documented "
     "exceptions."),
])
def test_summary_wording(res, expected):
    assert summary(res).text == expected


def test_summary_counts_baselined_and_excepted_and_works_before_roots_exist():
    before_roots = SimpleNamespace(findings=[finding(), finding(excepted=True), finding(excepted=True)],
                                   files=12, members=2)  # a result without `roots`
    assert summary(before_roots, baselined=4).text == (
        "Found 1 finding (1 error) in 12 files. Not counted: 2 covered by documented exceptions, "
        "4 in the baseline.")
    assert summary(before_roots, members=True).text.startswith("Found 1 finding (1 error) in 12 files in 2 member "
                                                               "folders.")


def test_concise_ends_with_the_summary_and_so_does_statistics():
    res = result([finding(line=4, column=7), finding("L105", "warning", line=9, column=3)], files=5)
    assert written("concise", res).splitlines() == [
        "case.yaml:4:7: L104 [error] a message",
        "case.yaml:9:3: L105 [warning] a message",
        "Found 2 findings (1 error, 1 warning) in 5 files (repository: cases).",
    ]
    assert written("concise", res, ReportOptions(statistics=True)).splitlines() == [
        "     1  L104  support-without-goal [error]",
        "     1  L105  goal-without-support [warning]",
        "Found 2 findings (1 error, 1 warning) in 5 files (repository: cases).",
    ]
    assert written("concise", result()) == "All checks passed: no findings in 3 files (repository: cases).\n"


def test_full_ends_with_the_summary_naming_member_folders_and_the_repository():
    res = result([finding()], files=4, members=1)
    lines = written("full", res).splitlines()
    assert lines[-2:] == ["Found 1 finding (1 error) in 4 files in 1 member folder (repository: cases).",
                          "Explain a rule: pcplan rule L104"]
    assert written("full", result(members=2), ReportOptions(color=False, width=100)).splitlines() == [
        "All checks passed: no findings in 3 files in 2 member folders (repository: cases)."]
    statistics = written("full", res, ReportOptions(statistics=True, color=False, width=80)).splitlines()
    assert statistics[-2] == "Found 1 finding (1 error) in 4 files in 1 member folder (repository: cases)."


def test_machine_formats_stay_pure(monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    runner = CliRunner()
    outputs = {fmt: runner.invoke(app, ["check", *AS_OF, "-f", fmt, "sample_cases"]).stdout
               for fmt in ("json", "sarif", "github", "junit")}
    assert json.loads(outputs["json"])["findings"] and json.loads(outputs["sarif"])["runs"]
    ET.fromstring(outputs["junit"])
    assert all(line.startswith("::") for line in outputs["github"].splitlines())
    assert not any("Found " in text or "All checks passed" in text for text in outputs.values())


# -- the caret is always in view -------------------------------------------------------------------------------

def _cell_char(text: str, cell: int) -> str | None:
    """The character that starts at ``cell`` of ``text`` (None: blank past the end or inside a wide one)."""
    position = 0
    for char in text:
        width = cell_len(char)
        if width == 0:
            continue
        if position == cell:
            return char
        position += width
    return None


LONG = "description: " + " ".join(f"word{n:03d}" for n in range(60))  # 13 + 60 * 8 - 1 = 492 characters
HUGE = "k: " + "".join("abcdefghij"[n % 10] for n in range(4996)) + "Z"  # 5,000 characters, Z the last
WIDE = "名前: " + "日本語のテキスト" * 30 + "X" + "漢字" * 20
COMBINING = "note: " + "e\u0301" * 100 + "Q" + "e\u0301" * 60
TABBED = "\tkey:\t" + "x" * 150 + "T" + "y" * 80


@pytest.mark.parametrize("line, column, char", [
    ("key: value", 1, "k"),  # at the start
    (LONG, 1, "d"),
    (LONG, LONG.index("word030") + 1, "w"),  # the middle of a long line
    (LONG, len(LONG), "9"),  # its last character
    (HUGE, 5000, "Z"),  # the end of a 5,000-character line
    (HUGE, 5001, None),  # just past its end (a missing value at the end of the line)
    (HUGE, 5040, None),  # far past it
    ("a: b", 30, None),  # past the end of a short line
    (WIDE, WIDE.index("X") + 1, "X"),  # wide characters before the column
    (COMBINING, COMBINING.index("Q") + 1, "Q"),  # combining marks before it
    (TABBED, TABBED.index("T") + 1, "T"),  # tabs before it
])
@pytest.mark.parametrize("width", [40, 60, 80, 160])
def test_the_caret_is_under_its_character_at_any_width(tmp_path, line, column, char, width):
    case = tmp_path / "case.yaml"
    case.write_text(f"kind: note\n{line}\n", encoding="utf-8")
    output = written("full", result([finding(line=2, column=column, file=case)]),
                     ReportOptions(show_source=True, color=False, width=width))
    lines = output.splitlines()
    source = next(text for text in lines if text.startswith("2 | "))
    caret = lines[lines.index(source) + 1]
    assert cell_len(source) <= width and cell_len(caret) <= width
    assert caret.rstrip().endswith("^") and caret.count("^") == 1
    at = caret.index("^")  # the prefix is ASCII: index == cell
    if char is not None:
        assert _cell_char(source, at) == char
    else:  # past the end: the caret sits just after the line's last character, which is shown
        assert source.endswith(line[-3:]) and at == cell_len(source)


def test_excerpt_cuts_with_an_ellipsis_on_each_cut_side():
    assert excerpt("short", 2, 20) == ("short", 1)
    text, caret = excerpt("0123456789" * 10, 3, 20)
    assert (text, caret) == ("0123456789012345678…", 2)
    text, caret = excerpt("0123456789" * 10, 100, 20)
    assert (text, caret) == ("…1234567890123456789", 19)
    text, caret = excerpt("0123456789" * 10, 50, 20)
    assert text.startswith("…") and text.endswith("…") and cell_len(text) == 20 and text[caret] == "9"
    text, caret = excerpt("ab日本", 1, 3)  # narrower than a wide character and its neighbours: never wider
    assert cell_len(text) <= 3


# -- whole words in tables -------------------------------------------------------------------------------------

WIDTHS = [60, 80, 160]


def assert_fits_with_whole_words(output: str, texts, width: int) -> None:
    lines = ANSI.sub("", output).splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, too_wide
    missing = [word for text in texts for word in str(text).split() if not any(word in line for line in lines)]
    assert not missing, f"split across lines at {width} columns: {missing[:10]}"


@pytest.mark.parametrize("width", WIDTHS)
def test_rules_table_keeps_words_whole(width):
    stream = io.StringIO()
    write_rules_table(stream, width=width, color=False)
    texts = [text for r in RULES.values() for text in (r.code, r.name, r.severity, r.source, r.summary)]
    assert_fits_with_whole_words(stream.getvalue(), texts, width)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "by_kind":
                yield from item  # the kinds are shown, as "plan-review 1"
            if key in ("quality_measures", "timeliness"):
                continue  # codes (`not_met`, `on_time`) the table shows as words; member lists it does not show
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("terminal", [True, False])
@pytest.mark.parametrize("width", WIDTHS)
def test_report_tables_keep_words_whole(width, terminal):
    report = build_report(PROJECT / "sample_cases", TODAY, cwd=PROJECT)
    stream = io.StringIO()
    write_report_table(report, stream, terminal=terminal, width=width)
    texts = [*_strings(report.data), *report.staff_names.values(), report.agency]
    assert_fits_with_whole_words(stream.getvalue(), texts, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_due_table_keeps_words_whole(width):
    report = collect(PROJECT / "sample_cases", DueOptions(today=TODAY, within="all"), cwd=PROJECT)
    stream = io.StringIO()
    write_due_table(report, stream, color=False, width=width)
    texts = [text for o in report.obligations for text in (o.description, o.member, o.path)]
    managers = [report.staff_names[o.case_manager] for o in report.obligations if o.case_manager in report.staff_names]
    assert managers and len(texts) > 20
    assert_fits_with_whole_words(stream.getvalue(), [*texts, *managers], width)


def test_due_table_with_a_long_id_never_cuts_it_at_any_width():
    """A 30-character goal id: the table is used only where "What" holds it whole."""
    long_id = "G-community-college-enrolment1"
    obligations = [Obligation(date(2026, 12, 1), "goal-target", "M-1", "cm-a", f"goal {long_id}", "m/p.yaml"),
                   Obligation(date(2026, 12, 2), "plan-review", "M-2", "cm-a", "plan P1", "m/q.yaml")]
    report = DueReport(TODAY, None, obligations, {"cm-a": "Ana Ruiz"})
    for width in range(40, 161):
        stream = io.StringIO()
        write_due_table(report, stream, color=False, width=width)
        assert_fits_with_whole_words(stream.getvalue(), [o.description for o in obligations], width)


# -- no trailing blanks, anywhere output goes ------------------------------------------------------------------

def _commands(out: Path) -> list[list[str]]:
    cases = "sample_cases"
    check = [["check", *AS_OF, "-f", fmt, cases] for fmt in ("full", "concise", "json", "sarif", "github", "junit")]
    check += [["check", *AS_OF, "-f", fmt, "--statistics", cases] for fmt in ("full", "concise")]
    check += [["check", *AS_OF, "-f", "full", cases, "-o", str(out / "check.txt")]]
    due = [["due", cases, *AS_OF, "--within", "all", "-f", fmt] for fmt in ("table", "json", "csv", "ics")]
    due += [["due", cases, *AS_OF, "--within", "all", "-o", str(out / "due.txt"), "-f", "table"]]
    report = [["report", cases, *AS_OF, "-f", fmt] for fmt in ("table", "json", "html")]
    report += [["report", cases, *AS_OF, "-f", "table", "-o", str(out / "report.txt")]]
    rules = [["rules"], ["rules", "-f", "json"], *(["rule", code, *fmt] for code in sorted(RULES)
                                                  for fmt in ([], ["-f", "json"]))]
    members = sorted(p.name for p in (PROJECT / cases / "members").iterdir() if p.is_dir())
    render = [["render", f"{cases}/members/{m}", *AS_OF, "--draft", "--force", "-f", fmt, "-o", str(out)]
              for m in members for fmt in ("md", "html")]
    return [*check, *due, *report, *rules, *render]


def _first_of_each(commands: list[list[str]]) -> list[list[str]]:
    """The first command of each kind (check, due, report, rules, rule, render): the quick run's."""
    firsts: dict[str, list[str]] = {}
    for args in commands:
        firsts.setdefault(args[0], args)
    return list(firsts.values())


# Every command in every format is marked slow; the quick run keeps the first of each command.
@pytest.mark.parametrize("every", slow_except([pytest.param(False, id="one of each command"),
                                               pytest.param(True, id="every command and format")],
                                              "one of each command"))
def test_no_line_ends_in_a_blank_in_any_command_or_format(monkeypatch, tmp_path, every):
    monkeypatch.chdir(PROJECT)
    for name in ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "out"
    out.mkdir()
    runner = CliRunner()
    offenders = []
    commands = _commands(out)
    for args in commands if every else _first_of_each(commands):
        before = {p: p.stat().st_mtime_ns for p in out.iterdir()}
        run = runner.invoke(app, args, env={"COLUMNS": "80"})
        assert run.exit_code in (0, 1), (args, run.output)
        texts = {"stdout": run.stdout}
        texts.update({p.name: p.read_text(encoding="utf-8") for p in out.iterdir()
                      if before.get(p) != p.stat().st_mtime_ns})
        for where, text in texts.items():
            assert text or where != "stdout" or "-o" in args, args
            for number, line in enumerate(text.split("\n"), 1):
                if line.removesuffix("\r") != line.removesuffix("\r").rstrip(" \t"):
                    offenders.append(f"{' '.join(args)} ({where}) line {number}: {line!r}")
    assert not offenders, "\n".join(offenders[:20])


def test_strip_line_ends_keeps_colour_codes_and_crlf_free_text():
    assert strip_line_ends("a  \nb\t\n") == "a\nb\n"
    assert strip_line_ends("\x1b[1mred  \x1b[0m  \nx") == "\x1b[1mred\x1b[0m\nx"
