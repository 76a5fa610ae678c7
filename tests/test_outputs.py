"""Outputs go where they say (issue 22, item 2): `-o -` is standard output for every command that has
-o/--output; `render` writes to printed/ at the repository root by default; overdue obligations are on
today's date in the calendar, under the UID they always had; a count and its noun agree ("1 warning")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import DAY, EN, SAMPLE_CASES, new_member, run, written
from pcplan.caseload.due import days_text
from pcplan.engine import CheckResult
from pcplan.output import OutputError, check_target, is_stdout, plural
from pcplan.report import ReportOptions, summary
from pcplan.report.github import step_summary

ELENA = "members/M-000123"
ELENA_HTML = "M-000123-plan-2026-09-03.en.html"


def _files(root: Path) -> set[str]:
    """Every file and folder under ``root`` (the cache aside), relative."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if ".pcplan_cache" not in p.parts}


# -- 1. `-o -` is standard output, for every command with -o ----------------------------------------------------

SAME_AS_WITHOUT = {
    "check": ["check", *DAY],
    "check json": ["check", "-f", "json", *DAY],
    "due": ["due", "--within", "all", *DAY],
    "due ics": ["due", "--within", "all", "-f", "ics", *DAY],
    "report": ["report", *DAY],
    "report html": ["report", "-f", "html", *DAY],
    "rules": ["rules"],
    "rule": ["rule", "L101"],
    "schema": ["schema", "plan"],
}


@pytest.mark.parametrize("args", SAME_AS_WITHOUT.values(), ids=SAME_AS_WITHOUT.keys())
def test_dash_is_standard_output(repo, args):
    before = _files(repo.root)
    plain = run(repo.root, *args)
    dashed = run(repo.root, *args, "-o", "-")
    assert dashed.exit_code == plain.exit_code and plain.exit_code in (0, 1), dashed.stderr
    assert dashed.stdout == plain.stdout and plain.stdout
    assert dashed.stderr == plain.stderr  # no "wrote … to -"
    assert _files(repo.root) == before  # no file named "-", nothing else either


@pytest.mark.parametrize("fmt, start, end", [("html", b"<!DOCTYPE html>", b"</html>\n"), ("md", b"# ", b"\n"),
                                             ("pdf", b"%PDF-", b"%%EOF\n")])
def test_render_dash_writes_the_plan_to_standard_output(repo, tmp_path, fmt, start, end):
    before = _files(repo.root)
    result = run(repo.root, "render", ELENA, *DAY, *EN, "-f", fmt, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(start) and result.stdout_bytes.endswith(end)
    assert result.stderr == ""  # no path said: the plan itself is the output
    assert _files(repo.root) == before  # no printed/, no file named "-"
    if fmt != "pdf":  # (a PDF carries the moment it was made)
        path = written(run(repo.root, "render", ELENA, *DAY, *EN, "-f", fmt, "-o", str(tmp_path)))
        assert result.stdout_bytes == path.read_bytes()


def test_export_fhir_dash_is_standard_output(repo):
    before = _files(repo.root)
    result = run(repo.root, "export", "fhir", ELENA, *DAY, "--allow-errors", "--allow-incomplete", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["resourceType"] == "Bundle"
    assert _files(repo.root) == before


def test_only_a_dash_is_standard_output():
    assert is_stdout("-") and is_stdout(Path("-"))
    assert not any(is_stdout(x) for x in (None, "--", "-.html", Path("/tmp/-"), "stdout"))
    with pytest.raises(OutputError, match="^-: means standard output"):  # the net under every writer
        check_target(Path("-"), overwrite=True)


# -- 2. render writes to printed/ at the repository root ----------------------------------------------------------

def test_render_writes_to_printed_at_the_root_wherever_it_is_run(repo):
    inside = repo.root / ELENA / "notes"
    path = written(run(inside, "render", "..", *DAY, *EN))
    assert path == repo.root.resolve() / "printed" / ELENA_HTML
    assert "Elena" in path.read_text(encoding="utf-8")
    assert sorted((repo.root / "printed").iterdir()) == [path]
    md = written(run(repo.root, "render", ELENA, *DAY, *EN, "-f", "md"))
    assert md == repo.root.resolve() / "printed" / "M-000123-plan-2026-09-03.en.md"


def test_render_to_printed_never_replaces_without_force(repo):
    path = written(run(repo.root, "render", ELENA, *DAY, *EN))
    path.write_text("kept", encoding="utf-8")
    again = run(repo.root, "render", ELENA, *DAY, *EN)
    assert again.exit_code == 2 and again.stdout == ""
    assert again.stderr == f"pcplan: {path}: exists; use --force to replace it\n"
    assert path.read_text(encoding="utf-8") == "kept"
    assert written(run(repo.root, "render", ELENA, *DAY, *EN, "--force")) == path
    assert path.read_text(encoding="utf-8") != "kept"


def test_render_outside_a_repository_writes_only_where_told(tmp_path):
    loose = tmp_path / "loose"
    shutil.copytree(SAMPLE_CASES / ELENA, loose / "M-000123")
    before = _files(tmp_path)
    result = run(loose, "render", "M-000123", *DAY, *EN, "--draft")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith(
        "pcplan: not inside a case repository (no pcplan.toml or .git above the plan), so there is no printed/ "
        "folder to write to; say where with -o FILE, -o FOLDER or -o - (standard output), or start a repository "
        "with `pcplan init`\n")
    assert _files(tmp_path) == before
    told = written(run(loose, "render", "M-000123", *DAY, *EN, "--draft", "-o", "elena.html"))
    assert told == loose.resolve() / "elena.html" and told.is_file()


def test_a_render_that_fails_leaves_no_printed_folder(repo, tmp_path):
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "plan.html.j2").write_text("{% for x in %}\n", encoding="utf-8")
    result = run(repo.root, "render", ELENA, *DAY, *EN, "--templates", str(broken))
    assert result.exit_code == 2, result.stderr
    assert not (repo.root / "printed").exists()


def test_render_warns_when_git_would_commit_the_printed_plan(repo):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(repo.root)], check=True)
    result = run(repo.root, "render", ELENA, *DAY, *EN)
    path = written(result)
    assert result.stderr == (
        f"pcplan: printed/{ELENA_HTML}: git does not ignore this file, and a printed plan holds "
        "the member's words: `git add -A` would commit it; add the line `printed/` to .gitignore and print there "
        "(the default)\n")
    (repo.root / ".gitignore").write_text("printed/\n", encoding="utf-8")
    again = run(repo.root, "render", ELENA, *DAY, *EN, "--force")
    assert written(again) == path and again.stderr == ""


# -- 3. the calendar: overdue on today, under the same UID ---------------------------------------------------------

def _review_overdue(repo) -> None:
    """Elena's plan reviewed every 2 months: its review falls due on 2026-11-03."""
    repo.edit("members/M-000123/plan-2026-09-03.yaml", "review_every: 6 months", "review_every: 2 months")


def _calendar(repo, today: str) -> dict[str, dict]:
    from icalendar import Calendar

    result = run(repo.root, "due", "--within", "all", "-f", "ics", "--today", today)
    assert result.exit_code == 0, result.stderr
    events = Calendar.from_ical(result.stdout).walk("VEVENT")
    found = {str(e["UID"]): {"start": e.decoded("DTSTART"), "end": e.decoded("DTEND"), "summary": str(e["SUMMARY"]),
                             "description": str(e["DESCRIPTION"]), "sequence": int(e.get("SEQUENCE", 0))}
             for e in events}
    assert len(found) == len(events)  # one event per obligation, never two under one UID
    return found


def test_overdue_obligations_are_on_today_with_their_due_date_said(repo):
    _review_overdue(repo)
    obligations = json.loads(run(repo.root, "due", "--within", "all", "-f", "json", *DAY).stdout)["obligations"]
    events = list(_calendar(repo, "2026-11-22").values())
    assert len(events) == len(obligations) and any(o["overdue"] for o in obligations)
    assert not all(o["overdue"] for o in obligations)
    for event, o in zip(events, obligations, strict=True):
        if o["overdue"]:
            assert event["start"] == date(2026, 11, 22) and event["end"] == date(2026, 11, 23)
            assert event["summary"].startswith(f"OVERDUE (due {o['due']}): {o['member'] or o['case_manager']}: ")
            assert (f"Due: {o['due']} (overdue; shown on 2026-11-22, the day of this calendar, until it is done)"
                    in event["description"].splitlines())
            assert event["sequence"] == -o["days"]  # days overdue: each day's move replaces the day before's
        else:
            assert event["start"].isoformat() == o["due"] and "OVERDUE" not in event["summary"]
            assert f"Due: {o['due']}" in event["description"].splitlines()


def test_an_event_keeps_its_uid_as_it_falls_overdue_and_moves_day_by_day(repo):
    _review_overdue(repo)
    early, today, tomorrow = (_calendar(repo, day) for day in ("2026-10-01", "2026-11-22", "2026-11-23"))
    assert set(today) == set(tomorrow)
    for uid, event in today.items():
        later = tomorrow[uid]
        if event["summary"].startswith("OVERDUE"):  # moved one day on, the same event, a later version
            assert later["start"] == date(2026, 11, 23) and later["sequence"] == event["sequence"] + 1
            assert later["summary"] == event["summary"]
        else:
            assert later == {**event, "start": later["start"]} and later["start"] == event["start"]
    fell_due = [uid for uid, event in today.items()
                if uid in early and event["summary"].startswith("OVERDUE") and "OVERDUE" not in early[uid]["summary"]]
    assert fell_due, "no obligation fell overdue between the two days: the test would prove nothing"
    for uid in fell_due:
        due = early[uid]["start"]
        assert today[uid]["summary"] == f"OVERDUE (due {due.isoformat()}): {early[uid]['summary']}"
        assert today[uid]["sequence"] > early[uid]["sequence"] == 0


# -- 4. singular and plural -------------------------------------------------------------------------------------------

def _setting(repo, key: str, value: int) -> None:
    text = re.sub(rf"(?m)^{key} = .*\n", "", repo.read("pcplan.toml"))
    repo.write("pcplan.toml", text.replace("[settings]\n", f"[settings]\n{key} = {value}\n"))


def _keep_members(repo, n: int) -> None:
    """Only the first ``n`` clean members (all active in the reference repository) stay."""
    for folder in sorted((repo.root / "members").iterdir())[n:]:
        shutil.rmtree(folder)


def _check_messages(repo, code: str) -> list[str]:
    return [f.message for f in repo.check(select=[code]) if f.code == code]


def _place(name: str, repo, n: int) -> str:  # noqa: C901 - one branch a place, read as a table
    """The text one place prints for the count ``n``."""
    s = "" if n == 1 else "s"
    if name == "plural":
        return plural(n, "warning")
    if name == "check summary":
        findings = [SimpleNamespace(severity="error", excepted=False, code="L104", name="x")] * n
        return summary(CheckResult(findings=findings, files=n, members=n), members=True).text
    if name == "github step summary":
        return step_summary(CheckResult(findings=[], files=n, members=n), ReportOptions()).splitlines()[2]
    if name == "due days":
        return f"{days_text(n)} / {days_text(-n)}"
    if name == "T207 copy deadline":
        _setting(repo, "copy_deadline_days", n)
        return _check_messages(repo, "T207")[0].rpartition("; ")[2]
    if name == "T210 assessment deadline":
        _setting(repo, "assessment_due_days", n)
        new_member(repo, "2026-11-01")
        return re.search(r"\([^()]* after enrollment\)", _check_messages(repo, "T210")[0]).group(0)
    if name == "export fhir":
        _keep_members(repo, n)
        return run(repo.root, "export", "fhir", ".", *DAY, "--allow-errors", "--allow-incomplete", "-o", "out/").stderr.splitlines()[-1]
    if name == "report compliance":
        _keep_members(repo, n)
        text = run(repo.root, "report", *DAY).stdout
        return re.search(r"Fully compliant: \d+ of [^(]*", text).group(0).strip()
    raise AssertionError(f"{name}? (s={s})")


PLACES = {
    "plural": ("1 warning", "2 warnings"),
    "check summary": ("Found 1 finding (1 error) in 1 file in 1 member folder.",
                      "Found 2 findings (2 errors) in 2 files in 2 member folders."),
    "github step summary": ("No findings in 1 file of 1 member folder.", "No findings in 2 files of 2 member folders."),
    "due days": ("in 1 day / 1 day overdue", "in 2 days / 2 days overdue"),
    "T207 copy deadline": ("copies are due within 1 day", "copies are due within 2 days"),
    "T210 assessment deadline": ("(1 day after enrollment)", "(2 days after enrollment)"),
    "export fhir": ("pcplan: exported 1 of 1 member", "pcplan: exported 2 of 2 members"),
    "report compliance": ("Fully compliant: 1 of 1 active member", "Fully compliant: 2 of 2 active members"),
}


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("name", PLACES)
def test_a_count_and_its_noun_agree(repo, name, n):
    assert _place(name, repo, n) == PLACES[name][n - 1]


NOUNS = ("finding", "error", "warning", "file", "member folder", "member", "day", "month", "obligation", "place",
         "member id")
ONE_WITH_PLURAL = re.compile(r"(?<![\d.,])1 (" + "|".join(sorted(NOUNS, key=len, reverse=True)) + r")s\b")


def test_no_output_says_one_of_a_plural_or_hedges_with_s_in_brackets(repo):
    """The whole class at once: every command's words, with settings that make the counts 1."""
    for key in ("copy_deadline_days", "assessment_due_days", "hold_contact_days"):
        _setting(repo, key, 1)
    new_member(repo, "2026-11-01")
    outputs = [run(repo.root, *args) for args in (
        ("check", *DAY), ("check", "-f", "full", "--no-source", *DAY), ("check", "members/M-000123", *DAY),
        ("due", "--within", "all", *DAY), ("due", "members/M-000123", *DAY, "-o", "due.json"),
        ("report", *DAY), ("report", "-f", "html", *DAY), ("export", "fhir", ELENA, *DAY, "--allow-incomplete", "-o", "elena.json"),
        ("render", ELENA, *DAY))]
    for result in outputs:
        for text in (result.stdout, result.stderr):
            assert not ONE_WITH_PLURAL.search(text), ONE_WITH_PLURAL.search(text).group(0)
            assert "(s)" not in text
