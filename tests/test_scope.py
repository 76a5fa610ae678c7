"""Scope (issue 22, item 3): `pcplan check` run inside a member's subfolder checks and reports the whole member
folder, with the repository's staff.yaml and pcplan.toml; paths print relative to where the user stands, each file
its shortest way (no `../notes/` detour); `--case-manager` on `check` and `report` means what it means on `due`.

Every test drives the real CLI from a current folder inside a copy of sample_cases (monkeypatch.chdir).
"""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_CASES
from pcplan.cli import app

runner = CliRunner()
DAY = ["--today", "2026-11-22"]

# M-000530's findings on 2026-11-22, as `check -f concise` words them after the path.
PLAN = "plan-2026-06-17.yaml"
M530 = [
    ("member.yaml", "24:22: E004 [error] `determined_on` is not a real date in the form YYYY-MM-DD"),
    (PLAN, "35:5: E002 [error] duplicate key `target_date` (first at line 33); keep one: pcplan reads the first, "
           "other YAML tools silently keep the last"),
    (PLAN, "52:5: L105 [warning] active goal G3 has no support working toward it"),
    (PLAN, "84:9: E007 [error] id `SP2` is used twice in this file (first at line 72)"),
    (PLAN, "94:1: L107 [warning] barrier B2 of assessment A1 has no strategy in this plan; add a `strategies` "
           "entry for it"),
    (PLAN, "98:5: L111 [error] risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who "
           "steps in and what they do when the usual support fails"),
    ("notes/2026-11-10.yaml", "3:9: E006 [error] `member: M-000123` does not match this folder's member.yaml "
                              "(`M-000530`)"),
    ("notes/2026-11-20.yaml", "25:7: N802 [error] this note's `text` is still the placeholder `pcplan new` wrote, "
                              "so it counts as no contact; write what happened and what comes next"),
]
SUMMARY = "Found 8 findings (6 errors, 2 warnings) in 8 files"  # with staff.yaml and providers.yaml


@pytest.fixture
def cases(tmp_path):
    if not SAMPLE_CASES.is_dir():
        pytest.skip("sample_cases is absent")
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    return root


def cli(*args: str, **env: str):
    return runner.invoke(app, list(args), env=env or None, catch_exceptions=False)


def lines_and_summary(result) -> tuple[list[str], str]:
    lines = result.stdout.splitlines()
    return lines[:-1], lines[-1]


def test_check_inside_notes_reports_the_whole_member_folder(cases, monkeypatch):
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    result = cli("check", *DAY, "--no-cache")
    found, summary = lines_and_summary(result)
    # Notes are named from where the user stands; the member folder's other files by their shortest way up.
    assert found == [f"{'' if path.startswith('notes/') else '../'}{path.removeprefix('notes/')}:{rest}"
                     for path, rest in M530]
    assert found[0] == "../member.yaml:24:22: E004 [error] `determined_on` is not a real date in the form YYYY-MM-DD"
    assert found[-1].startswith("2026-11-20.yaml:25:7: N802 ")
    assert summary.startswith(SUMMARY) and summary.endswith(" (repository: ../../..).")
    assert (result.exit_code, result.stderr) == (1, "")


def test_check_inside_notes_as_json_names_paths_from_the_current_folder(cases, monkeypatch):
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    result = cli("check", *DAY, "--no-cache", "-f", "json")
    data = json.loads(result.stdout)
    assert [f["path"] for f in data["findings"]] == [
        "../member.yaml", *["../" + PLAN] * 5, "2026-11-10.yaml", "2026-11-20.yaml"]
    assert {f["member"] for f in data["findings"]} == {"M-000530"}
    assert (data["summary"]["files"], data["summary"]["members"], data["summary"]["roots"]) == (8, 1, ["../../.."])


def test_a_folder_inside_a_member_folder_named_is_its_member_folder(cases, monkeypatch):
    monkeypatch.chdir(cases / "members" / "M-000530")
    named, whole = cli("check", *DAY, "--no-cache", "notes"), cli("check", *DAY, "--no-cache")
    assert named.stdout == whole.stdout
    found, summary = lines_and_summary(named)
    # sorted by path: member.yaml, the notes, then the plan
    assert found == [f"{path}:{rest}" for path, rest in sorted(M530, key=lambda entry: entry[0])]
    assert summary.startswith(SUMMARY) and summary.endswith(" (repository: ../..).")


def test_a_file_named_is_reported_alone(cases, monkeypatch):
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    result = cli("check", *DAY, "--no-cache", "2026-11-10.yaml")
    found, summary = lines_and_summary(result)
    assert found == [f"2026-11-10.yaml:{M530[6][1]}"]
    assert summary.startswith("Found 1 finding (1 error) in 8 files")


def test_the_cache_answers_with_paths_from_where_the_user_stands(cases, monkeypatch):
    monkeypatch.chdir(cases)
    cli("check", *DAY, "members/M-000530")  # fills the cache, paths named from the root
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    cached, fresh = cli("check", *DAY), cli("check", *DAY, "--no-cache")
    assert cached.stdout == fresh.stdout
    assert cached.stdout.splitlines()[-2].startswith("2026-11-20.yaml:25:7: N802 ")


def test_inside_a_member_folder_the_repository_staff_and_configuration_apply(cases, monkeypatch):
    # staff.yaml at the root: cm-tdiaz left on 2026-10-30, so her later note in M-000412 is A609
    monkeypatch.chdir(cases / "members" / "M-000412" / "notes")
    result = cli("check", *DAY, "--no-cache", "-f", "json")
    a609 = [(f["path"], f["line"]) for f in json.loads(result.stdout)["findings"] if f["code"] == "A609"]
    assert a609 == [("2026-11-19.yaml", 5)]
    # pcplan.toml at the root: an ignore there silences N802 inside the member folder too
    toml = cases / "pcplan.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("ignore = []", 'ignore = ["N802"]', 1), encoding="utf-8")
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    codes = [f["code"] for f in json.loads(cli("check", *DAY, "--no-cache", "-f", "json").stdout)["findings"]]
    assert codes == ["E004", "E002", "L105", "E007", "L107", "L111", "E006"]


# -- --case-manager: check and report as due --------------------------------------------------------------------

JLEE = {"M-000123", "M-000301", "M-000530", "M-000644", "M-000788"}  # cm-jlee's members on 2026-11-22


def test_check_case_manager_reports_only_their_members(cases, monkeypatch):
    monkeypatch.chdir(cases)
    data = json.loads(cli("check", *DAY, "--no-cache", "-f", "json", "--case-manager", "cm-jlee").stdout)
    assert {f["member"] for f in data["findings"]} == {"M-000530", "M-000644", "M-000788"}
    assert all(f["path"].split("/")[1] in JLEE for f in data["findings"])
    assert data["summary"]["members"] == len(JLEE)
    everyone = json.loads(cli("check", *DAY, "--no-cache", "-f", "json").stdout)
    theirs = [f for f in everyone["findings"] if f["path"].split("/")[1] in JLEE]
    assert data["findings"] == theirs


def test_check_case_manager_members_are_those_due_lists(cases, monkeypatch):
    monkeypatch.chdir(cases)
    due = cli("due", *DAY, "--no-cache", "--within", "all", "-f", "json", "--case-manager", "cm-jlee")
    listed = {o["member"] for o in json.loads(due.stdout)["obligations"] if o["member"]}
    # the closed member (M-000301) owes nothing, so due lists no obligation of theirs
    assert listed == JLEE - {"M-000301"}


def test_unknown_case_manager_is_refused_alike_by_check_report_and_due(cases, monkeypatch):
    monkeypatch.chdir(cases / "members" / "M-000530" / "notes")
    message = ("pcplan: --case-manager 'cm-nobody' is not a known staff id; known ids: cm-jlee, cm-obello, "
               "cm-tdiaz, sup-amartin\n")
    for command in ("check", "report", "due"):
        result = cli(command, *DAY, "--no-cache", "--case-manager", "cm-nobody")
        assert (command, result.exit_code, result.stdout, result.stderr) == (command, 2, "", message)


def test_report_case_manager_counts_only_their_members(cases, monkeypatch):
    monkeypatch.chdir(cases)
    data = json.loads(cli("report", *DAY, "--no-cache", "-f", "json", "--case-manager", "cm-jlee").stdout)
    assert data["members"]["total"] == len(JLEE)
    assert [row["case_manager"] for row in data["findings_by_case_manager"]] == ["cm-jlee"]
    assert [row["case_manager"] for row in data["overdue_by_case_manager"]] == ["cm-jlee"]
    assert data["findings"]["outside_member_folders"] == 0
    whole = json.loads(cli("report", *DAY, "--no-cache", "-f", "json").stdout)
    assert [row for row in whole["findings_by_case_manager"] if row["case_manager"] == "cm-jlee"] == \
        data["findings_by_case_manager"]


def test_case_manager_help_is_the_same_on_check_and_report():
    helps = {}
    for command in ("check", "report"):
        output = cli(command, "--help", COLUMNS="200").stdout
        helps[command] = next(" ".join(line.strip("│ ").split()) for line in output.splitlines()
                              if "--case-manager" in line)
    assert helps["check"] == helps["report"]
    assert "Only the members whose case manager is this staff id today" in helps["check"]
