"""Where a run looks: nothing found is exit 2, and each repository is checked as itself.

A folder holding several case repositories (each with its own `pcplan.toml` or
`.git`) has each checked against its own staff.yaml and configuration; `due` and
`report` read one repository at a time and say so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from conftest import CLEAN_MEMBERS, SAMPLE_CASES, TODAY
from pcplan.cli import app
from pcplan.engine import Options, UsageError, check, in_shard
from pcplan.walk import walk

runner = CliRunner()
DAY = ["--today", TODAY.isoformat()]


def run(cwd: Path, *args: str, monkeypatch):
    monkeypatch.chdir(cwd)
    return runner.invoke(app, list(args), catch_exceptions=False)


def make_repository(folder: Path, marker: str = "pcplan.toml", members=CLEAN_MEMBERS) -> Path:
    """A copy of the clean sample repository, its root marked by pcplan.toml or by .git alone."""
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_CASES / "staff.yaml", folder / "staff.yaml")
    if marker == "pcplan.toml":
        shutil.copy(SAMPLE_CASES / "pcplan.toml", folder / "pcplan.toml")
    else:
        (folder / ".git").mkdir()
    for member in members:
        shutil.copytree(SAMPLE_CASES / "members" / member, folder / "members" / member)
    return folder


def rename_staff(folder: Path, old: str, new: str) -> None:
    staff = folder / "staff.yaml"
    text = staff.read_text(encoding="utf-8")
    assert text.count(f"id: {old}\n") == 1
    staff.write_text(text.replace(f"id: {old}\n", f"id: {new}\n"), encoding="utf-8")


def edit_config(folder: Path, old: str, new: str) -> None:
    config = folder / "pcplan.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count(old) == 1
    config.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Three repositories side by side; A602 (unknown staff id) tells whose staff.yaml and config judged a file.

    agency-a and agency-b both lack cm-obello in their staff.yaml, but agency-a's
    pcplan.toml ignores A602; agency-c (a .git root, default configuration) has its
    staff intact. So A602 belongs in agency-b alone.
    """
    ws = tmp_path / "ws"
    for name in ("agency-a", "agency-b"):
        make_repository(ws / name)
        rename_staff(ws / name, "cm-obello", "cm-oduya")
    edit_config(ws / "agency-a", "\nignore = []\n", '\nignore = ["A602"]\n')
    make_repository(ws / "agency-c", marker=".git")
    return ws


def findings_json(cwd: Path, *args: str, monkeypatch) -> dict:
    result = run(cwd, "check", "-f", "json", *DAY, *args, monkeypatch=monkeypatch)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# --- a run that checks nothing -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "due", "report"])
def test_an_empty_folder_is_exit_2_naming_where_pcplan_looked(tmp_path, monkeypatch, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty, command, *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stdout) == (2, "")
    # "." would tell the user nothing: the current folder is named by its full path.
    assert result.stderr == f"pcplan: no case files under {empty}\n"


@pytest.mark.parametrize("command", ["check", "due", "report"])
def test_a_folder_of_other_yaml_files_has_no_case_files(tmp_path, monkeypatch, command):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "mkdocs.yml").write_text("site_name: Agency handbook\n", encoding="utf-8")
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "ci.yml").write_text("kind: plan\n", encoding="utf-8")  # hidden: skipped
    result = run(project, command, "docs", *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (2, "pcplan: no case files under docs\n")


def test_naming_several_empty_folders_names_each(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    result = run(tmp_path, "check", "a", "b", "a", *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (2, "pcplan: no case files under a, b\n")


def test_a_folder_inside_a_repository_without_members_is_named(tmp_path, monkeypatch):
    repo = make_repository(tmp_path / "agency")
    (repo / "archive").mkdir()
    result = run(repo, "check", "archive", *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (2, "pcplan: no case files under archive\n")


def test_a_named_file_that_is_not_a_case_file_fails_rather_than_passing(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text("site_name: Agency handbook\n", encoding="utf-8")
    result = run(tmp_path, "check", "-f", "concise", "mkdocs.yml", *DAY, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.startswith("mkdocs.yml:1:1: E003 [error] missing `kind:`")


def test_the_pre_commit_hook_passes_a_commit_that_changes_no_case_file(tmp_path, monkeypatch):
    # The hook is handed every changed YAML file; a commit touching only these has nothing to check.
    repo = make_repository(tmp_path / "agency")
    (repo / "mkdocs.yml").write_text("site_name: Agency handbook\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    result = run(repo, "check", "--member-folders", "-f", "json", "mkdocs.yml", ".pre-commit-config.yaml",
                 *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["findings"] == []


def test_the_pre_commit_mode_still_refuses_an_empty_folder(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    result = run(tmp_path, "check", "--member-folders", "empty", *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (2, "pcplan: no case files under empty\n")


def test_a_repository_with_staff_and_no_members_yet_is_checked(tmp_path, monkeypatch):
    repo = make_repository(tmp_path / "agency", members=())
    summary = findings_json(repo, monkeypatch=monkeypatch)["summary"]
    assert (summary["files"], summary["members"], summary["roots"]) == (1, 0, ["."])


def test_a_shard_without_member_folders_of_its_own_is_not_an_empty_run(tmp_path):
    repo = make_repository(tmp_path / "agency")
    shards = 8  # three member folders: most shards hold none
    empty = [i for i in range(2, shards + 1)
             if not any(in_shard(f"members/{m}", (i, shards)) for m in CLEAN_MEMBERS)]
    assert empty, "the test needs a shard after the first with no member folder"
    members = 0
    for index in range(1, shards + 1):
        result = check([repo], Options(today=TODAY, shard=(index, shards)), cwd=repo)
        members += result.members
        assert result.roots == ["."]
    assert members == len(CLEAN_MEMBERS)


def test_the_engine_raises_a_usage_error_for_an_empty_folder(tmp_path):
    with pytest.raises(UsageError, match=r"^no case files under empty$"):
        (tmp_path / "empty").mkdir()
        check([tmp_path / "empty"], Options(today=TODAY), cwd=tmp_path)


# --- several repositories under one path ---------------------------------------------------------


def test_each_repository_is_checked_against_its_own_staff_and_configuration(workspace, monkeypatch):
    document = findings_json(workspace, monkeypatch=monkeypatch)
    assert document["summary"]["roots"] == ["agency-a", "agency-b", "agency-c"]
    assert document["summary"]["members"] == 3 * len(CLEAN_MEMBERS)
    a602 = {f["path"].split("/")[0] for f in document["findings"] if f["code"] == "A602"}
    assert a602 == {"agency-b"}
    assert {f["code"] for f in document["findings"]} == {"A602"}


def test_a_nested_repository_below_a_repository_is_checked_as_itself(workspace, monkeypatch):
    # agency-c (a .git root with its staff intact) holds agency-b in a sub-folder.
    shutil.move(workspace / "agency-b", workspace / "agency-c" / "partners" / "agency-b")
    document = findings_json(workspace / "agency-c", monkeypatch=monkeypatch)
    assert document["summary"]["roots"] == [".", "partners/agency-b"]
    assert {f["path"] for f in document["findings"]} == {
        f"partners/agency-b/members/M-000207/{name}" for name in (
            "assessment-2026-05-06.yaml", "member.yaml", "plan-2026-05-20.yaml", "notes/2026-06-18.yaml",
            "notes/2026-07-16.yaml", "notes/2026-08-13.yaml", "notes/2026-09-10.yaml", "notes/2026-10-08.yaml",
            "notes/2026-11-05.yaml")}


def test_a_file_and_the_folder_above_it_agree_on_its_repository(tmp_path, monkeypatch):
    """A .git below a pcplan.toml is not a root (pcplan.toml upward wins), so the walk enters it."""
    outer = make_repository(tmp_path / "agency", members=())
    inner = make_repository(outer / "vendored", marker=".git", members=("M-000207",))
    (inner / "staff.yaml").unlink()  # judged by the outer staff.yaml: cm-obello is known there
    from_above = findings_json(outer, monkeypatch=monkeypatch)
    named = findings_json(outer, "vendored/members/M-000207/member.yaml", monkeypatch=monkeypatch)
    assert from_above["summary"]["roots"] == named["summary"]["roots"] == ["."]
    assert from_above["summary"]["members"] == 1
    assert from_above["findings"] == named["findings"] == []


def test_a_pcplan_toml_below_a_git_root_is_a_root_of_its_own(tmp_path, monkeypatch):
    outer = make_repository(tmp_path / "project", marker=".git", members=())
    make_repository(outer / "cases")
    rename_staff(outer / "cases", "cm-obello", "cm-oduya")
    edit_config(outer / "cases", "\nignore = []\n", '\nignore = ["A602"]\n')
    document = findings_json(outer, monkeypatch=monkeypatch)
    assert document["summary"]["roots"] == [".", "cases"]
    assert document["findings"] == []  # cases/pcplan.toml's ignore applied to its own files


def test_a_broken_configuration_is_named_with_its_repository(workspace, monkeypatch):
    (workspace / "agency-c" / "pcplan.toml").write_text('agency = "C"\ncolour = "red"\n', encoding="utf-8")
    result = run(workspace, "check", *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (2, "pcplan: agency-c/pcplan.toml: unknown key `colour`\n")


def test_hidden_excluded_and_symlinked_repositories_are_not_entered(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    make_repository(ws / "agency-a")
    edit_config(ws / "agency-a", "\n[rules]\n", 'exclude = ["old/**"]\n\n[rules]\n')
    for ignored in (ws / ".archive" / "agency-x", ws / "agency-a" / "old" / "agency-y", tmp_path / "elsewhere"):
        make_repository(ignored)
        rename_staff(ignored, "cm-obello", "cm-oduya")  # A602 would show if it were checked
    (ws / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    document = findings_json(ws, monkeypatch=monkeypatch)
    assert document["summary"]["roots"] == ["agency-a"]
    assert document["findings"] == []


def test_a_repository_named_twice_is_checked_once(workspace, monkeypatch):
    once = findings_json(workspace, monkeypatch=monkeypatch)
    twice = findings_json(workspace, ".", "agency-b/members/M-000207/member.yaml", "agency-b",
                          monkeypatch=monkeypatch)
    assert twice == once


def test_the_walk_stops_at_a_nested_root_and_lists_it(workspace):
    found = walk(workspace, workspace)
    assert (found.cases, found.loose) == ([], [])
    assert found.nested == [workspace / "agency-a", workspace / "agency-b", workspace / "agency-c"]


def test_machine_formats_stay_valid_over_several_repositories(workspace, monkeypatch):
    sarif = run(workspace, "check", "-f", "sarif", *DAY, monkeypatch=monkeypatch)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[0]
            for r in json.loads(sarif.stdout)["runs"][0]["results"]}
    assert (sarif.exit_code, uris) == (1, {"agency-b"})
    junit = run(workspace, "check", "-f", "junit", *DAY, monkeypatch=monkeypatch)
    suites = {s.get("name").split("/")[0] for s in ET.fromstring(junit.stdout).iter("testsuite")}
    assert (junit.exit_code, suites) == (1, {"agency-a", "agency-b", "agency-c"})
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    github = run(workspace, "check", "-f", "github", *DAY, monkeypatch=monkeypatch)
    lines = github.stdout.splitlines()
    assert github.exit_code == 1 and lines and all(line.startswith("::") for line in lines)


# --- due and report: one repository at a time ----------------------------------------------------


@pytest.mark.parametrize("command", ["due", "report"])
def test_due_and_report_refuse_several_repositories_naming_them(workspace, monkeypatch, command):
    result = run(workspace, command, *DAY, monkeypatch=monkeypatch)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"pcplan: {workspace} holds 3 case repositories (agency-a, agency-b, agency-c), each with its own staff "
        f"and configuration; `pcplan {command}` reads one repository at a time: run it once per repository, "
        f"as in `pcplan {command} agency-a`\n")


@pytest.mark.parametrize("command", ["due", "report"])
def test_due_and_report_read_the_one_repository_below_the_folder_named(workspace, monkeypatch, command):
    shutil.rmtree(workspace / "agency-a")
    shutil.rmtree(workspace / "agency-c")
    (workspace / "notes.yaml").write_text("site_name: not a case file\n", encoding="utf-8")
    above = run(workspace, command, "-f", "json", *DAY, monkeypatch=monkeypatch)
    inside = run(workspace / "agency-b", command, "-f", "json", *DAY, monkeypatch=monkeypatch)
    assert above.exit_code == inside.exit_code == 0
    # The same repository, so the same counts; only the paths shown differ by the folder run from.
    assert json.loads(above.stdout.replace("agency-b/", "")) == json.loads(inside.stdout)


@pytest.mark.parametrize("command", ["due", "report"])
def test_due_and_report_in_one_repository_holding_another_refuse_too(workspace, monkeypatch, command):
    shutil.rmtree(workspace / "agency-a")
    shutil.move(workspace / "agency-b", workspace / "agency-c" / "partners")
    result = run(workspace / "agency-c", command, *DAY, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pcplan: {workspace / 'agency-c'} holds 2 case repositories (., partners), ")
