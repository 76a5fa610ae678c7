"""The pre-commit hook's scope (DESIGN.md §4), through real git repositories.

"The pre-commit hook checks the member folders of the changed files and fails
only on findings located in the changed files; a change to `staff.yaml`,
`providers.yaml` or `pcplan.toml` is checked against every member and fails only
on findings it introduces (compared with the committed state)."

Each test commits the clean reference members, stages a change, and runs the
hook's own entry (`.pre-commit-hooks.yaml`: `pcplan check --member-folders`)
with the staged files, as pre-commit does: from the top of the work tree, with
paths relative to it. Dates are explicit: on 2026-11-22 the reference members
are clean; on 2027-04-15 Elena's (M-000123) review is overdue (T201 in her plan).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ELENA_ASSESSMENT, ELENA_PLAN, PROJECT, CaseRepo, reference_staff, where
from pcplan import precommit
from pcplan.cli import app

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CLEAN = "2026-11-22"  # the reference members check clean
BEHIND = "2027-04-15"  # Elena's review (plan P1) is overdue, and contacts are missing
ENTRY = shlex.split(yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]["entry"])
NOTE = "members/M-000123/notes/2027-04-10.yaml"
CATCH_UP_NOTE = """\
kind: note
version: 1
member: M-000123
date: 2027-04-10
staff: cm-jlee
contact: phone
with: [Elena]
minutes: 15
progress:
  - goal: G3
    text: Still going to the senior lunch on Wednesdays.
satisfaction: Satisfied.
unmet_needs: []
text: Phone check-in; review to be scheduled.
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "Case Manager", "GIT_AUTHOR_EMAIL": "cm@example.org",
           "GIT_COMMITTER_NAME": "Case Manager", "GIT_COMMITTER_EMAIL": "cm@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
runner = CliRunner()


def git(top: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=top, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(top: Path, message: str = "records") -> None:
    git(top, "add", "-A")
    git(top, "commit", "-q", "--no-verify", "-m", message)


def staged(top: Path) -> list[str]:
    """What pre-commit hands the hook: the staged files (added, copied, modified, renamed), from the top."""
    git(top, "add", "-A")
    out = git(top, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")
    return sorted(name for name in out.split("\0") if name)


def hook(top: Path, files: list[str], today: str, monkeypatch, *options: str):
    """The hook's entry as pre-commit runs it (entry, then the files), from the top of the work tree."""
    assert ENTRY[:3] == ["pcplan", "check", "--member-folders"]
    monkeypatch.chdir(top)
    return runner.invoke(app, [*ENTRY[1:], "--today", today, "-f", "concise", *options, *files],
                         catch_exceptions=False)


def lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]


@pytest.fixture
def committed(repo: CaseRepo, monkeypatch) -> CaseRepo:
    """The clean reference repository, committed as the work tree's only commit."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    git(repo.root, "init", "-q")
    commit(repo.root, "the reference members")
    return repo


# --- member folders: only findings located in the changed files block --------------------------------------


def test_a_catch_up_note_commits_while_the_overdue_review_sits_in_the_plan(committed, monkeypatch):
    committed.write(NOTE, CATCH_UP_NOTE)
    files = staged(committed.root)
    assert files == [NOTE]
    result = hook(committed.root, files, BEHIND, monkeypatch)
    assert result.exit_code == 0, result.stdout
    # Shown, so the case manager sees what is still owed, but marked: it is not in the note being committed.
    review = "{}:{}:{}: T201 [error] (not blocking) ".format(*where(committed, ELENA_PLAN, "2026-09-03\ntype"))
    assert any(line.startswith(review) for line in lines(result)), result.stdout
    assert all("(not blocking)" in line for line in lines(result))
    n = len(lines(result))
    assert result.stdout.splitlines()[-1].endswith(
        f" {n} of them are elsewhere in these member folders, not in the changed files, and do not block this "
        "commit.")


def test_an_error_in_the_changed_file_blocks_with_its_place(committed, monkeypatch):
    committed.write(NOTE, CATCH_UP_NOTE.replace("goal: G3", "goal: G9"))
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch)
    assert result.exit_code == 1
    path, line, column = where(committed, NOTE, "G9")
    blocking = [text for text in lines(result) if "(not blocking)" not in text]
    assert len(blocking) == 1 and blocking[0].startswith(f"{path}:{line}:{column}: L102 [error] "), result.stdout
    assert any(text.startswith(f"{ELENA_PLAN}:") and "T201" in text for text in lines(result))  # still shown


def test_a_warning_in_the_changed_file_blocks_only_at_fail_on_warning(committed, monkeypatch):
    committed.write(NOTE, CATCH_UP_NOTE.replace("minutes: 15\n", "minutes: 15\nunknown_field: 1\n"))
    errors = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    found = [text for text in lines(errors) if text.startswith(NOTE)]
    assert found, errors.stdout
    severity = re.search(r"\[(\w+)\]", found[0]).group(1)
    assert errors.exit_code == (1 if severity == "error" else 0)
    warnings = hook(committed.root, staged(committed.root), CLEAN, monkeypatch, "--fail-on", "info")
    assert warnings.exit_code == 1


def test_a_finding_in_another_file_of_the_folder_does_not_block_even_when_the_change_caused_it(
        committed, monkeypatch):
    """Located means its own path: a goal renamed in the plan leaves a note naming the old id (L102 in the
    note), and a need added to the assessment leaves the plan without a goal for it (L103 in the plan, the need
    a related location). Neither is in the changed file, so neither blocks."""
    committed.write(ELENA_PLAN, committed.read(ELENA_PLAN).replace("G3", "G5"))  # the whole plan says G5 now
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert any(" L102 [error] (not blocking) " in text for text in lines(result)), result.stdout
    assert not any(text.startswith(ELENA_PLAN) and "(not blocking)" not in text for text in lines(result))

    commit(committed.root)
    committed.edit(ELENA_ASSESSMENT, "barriers:\n", "  - id: N5\n    domain: housing\n    text: Rent went up.\n"
                   "    priority: 5\nbarriers:\n")
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    l103 = [text for text in lines(result) if " L103 " in text]
    assert l103 and all(text.startswith(ELENA_PLAN) and "(not blocking)" in text for text in l103), result.stdout
    assert result.exit_code == 0, result.stdout


def test_changed_files_in_two_members_each_block_only_in_themselves(committed, monkeypatch):
    committed.write(NOTE, CATCH_UP_NOTE)
    danny = "members/M-000207/notes/2027-04-12.yaml"
    committed.write(danny, CATCH_UP_NOTE.replace("M-000123", "M-000207").replace("cm-jlee", "cm-obello")
                    .replace("[Elena]", "[Danny]").replace("goal: G3", "goal: G7"))
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch, "-f", "json")
    report = json.loads(result.stdout)
    blocking = [(f["path"], f["code"]) for f in report["findings"] if f["blocking"]]
    assert blocking == [(danny, "L102")]
    assert result.exit_code == 1
    assert report["summary"]["not_blocking"] == sum(1 for f in report["findings"] if not f["blocking"]
                                                    and f["path"] != danny)
    assert report["summary"]["not_shown"] == 0


def test_a_commit_of_no_case_file_passes(committed, monkeypatch):
    committed.write("mkdocs.yml", "site_name: Agency handbook\n")
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch)
    assert (result.exit_code, lines(result)) == (0, [])


# --- staff.yaml, providers.yaml, pcplan.toml: every member, only what the change introduces ------------------


def test_a_staff_change_that_removes_a_training_blocks_on_what_it_introduces(committed, monkeypatch):
    committed.edit("staff.yaml", "      - {module: member-rights, completed_on: 2024-07-15}\n", "")
    files = staged(committed.root)
    assert files == ["staff.yaml"]
    result = hook(committed.root, files, CLEAN, monkeypatch)
    assert result.exit_code == 1
    shown = lines(result)
    overdue = "{}:{}:{}: A604 [error] staff member `cm-jlee`".format(*where(committed, "staff.yaml", "id: cm-jlee"))
    assert any(text.startswith(overdue) for text in shown), result.stdout
    # Every member Jordan Lee works with is checked, not only the folders of changed files (there are none).
    assign = "{}:{}:{}: A603 [error] case manager `cm-jlee`".format(
        *where(committed, "members/M-000301/member.yaml", "staff: cm-jlee", offset=len("staff: ")))
    assert any(text.startswith(assign) for text in shown), result.stdout
    assert not any("(not blocking)" in text for text in shown)


def test_a_staff_id_changed_blocks_on_every_record_naming_the_old_id(committed, monkeypatch):
    committed.edit("staff.yaml", "id: cm-obello\n", "id: cm-obello-2\n")
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 1
    place = "{}:{}:{}: A602 [error] ".format(*where(committed, "members/M-000207/member.yaml", "cm-obello"))
    assert any(text.startswith(place) for text in lines(result)), result.stdout
    assert {text.split("/")[1] for text in lines(result)} == {"M-000207"}


def test_a_staff_change_that_introduces_nothing_passes_while_members_have_findings(committed, monkeypatch):
    committed.edit("staff.yaml", "    languages: [en]\n    specialties: [developmental",
                   "    languages: [en, fr]\n    specialties: [developmental")
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert lines(result) == []  # the overdue reviews were there before: not this commit's, not listed
    before = runner.invoke(app, ["check", "--today", BEHIND, "-f", "json", "--no-cache", "."])
    total = json.loads(before.stdout)["summary"]["findings"]
    assert total > 0
    assert result.stdout.splitlines()[-1].endswith(
        f" {total} findings elsewhere in the repository were there before this change and are not shown.")


def test_a_staff_member_added_above_another_does_not_make_their_finding_new(committed, monkeypatch):
    """A finding's data path moves (staff[2] → staff[3]) when an entry is added above it: the same member, file,
    code and message is the same finding, so the commit that adds a new hire is not blocked by it."""
    committed.edit("staff.yaml", "      - {module: member-rights, completed_on: 2025-11-17}\n", "")
    commit(committed.root, "Olu Bello's record, a training missing")
    before = hook(committed.root, ["staff.yaml"], CLEAN, monkeypatch)  # named, but as committed
    assert before.exit_code == 0 and lines(before) and all("(not blocking)" in text for text in lines(before))
    committed.edit("staff.yaml", "staff:\n", "staff:\n  - id: cm-new\n    name: Sam New\n    role: case_manager\n"
                   "    hire_date: 2026-11-01\n    trainings: []\n    languages: [en]\n")
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 0, result.stdout
    overdue = [text for text in lines(result) if " A604 " in text]
    assert len(overdue) == 1 and "cm-obello" in overdue[0] and "(not blocking)" in overdue[0]


def test_configuration_change_blocks_on_findings_it_makes_fail(committed, monkeypatch):
    """Raising a rule's severity makes warnings that were there errors: they now fail, so the change introduced
    them. pcplan.toml itself is not a case file: it is never read as YAML."""
    committed.edit("pcplan.toml", '# severity = { P408 = "warning" }', 'severity = { T204 = "error" }')
    files = staged(committed.root)
    assert files == ["pcplan.toml"]
    result = hook(committed.root, files, BEHIND, monkeypatch)
    assert result.exit_code == 1
    shown = lines(result)
    assert shown and all(" T204 [error] " in text for text in shown), result.stdout
    assert place_of(committed, "members/M-000123/plan-2026-09-03.yaml", "2027-03-31", "T204") in shown_places(shown)
    assert not any(text.startswith("pcplan.toml") for text in shown)


def test_configuration_change_that_silences_or_changes_nothing_passes(committed, monkeypatch):
    committed.edit("pcplan.toml", "ignore = []", 'ignore = ["P408"]')
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert lines(result) == []


def test_a_configuration_change_that_adds_a_required_training_blocks(committed, monkeypatch):
    """Nobody has the new module: every staff member past the deadline now has a finding in staff.yaml."""
    committed.edit("pcplan.toml", "  \"member-rights\",\n", "  \"member-rights\",\n  \"accessibility\",\n")
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 1, result.output
    overdue = [text for text in lines(result) if " A604 " in text]
    assert overdue and all(text.startswith("staff.yaml:") and "(not blocking)" not in text for text in overdue)
    assert "{}:{}:{}: A604".format(*where(committed, "staff.yaml", "id: sup-amartin")) in shown_places(overdue)


def test_a_providers_file_change_is_checked_against_every_member(committed, monkeypatch):
    committed.write("providers.yaml", "kind: providers\nversion: 1\nproviders: []\n")
    commit(committed.root, "providers")
    committed.write("providers.yaml", "kind: providers\nversion: 1\nproviders: []\n# a comment\n")
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert "were there before this change and are not shown" in result.stdout


def test_a_change_to_staff_and_a_note_together(committed, monkeypatch):
    """The note's own findings block; the staff change's new findings block wherever they are; what was there
    before in the note's member folder is shown, not blocking."""
    committed.write(NOTE, CATCH_UP_NOTE.replace("staff: cm-jlee", "staff: cm-obello"))
    committed.edit("staff.yaml", "id: cm-obello\n", "id: cm-obello-2\n")
    result = hook(committed.root, staged(committed.root), BEHIND, monkeypatch, "-f", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    blocking = {(f["path"], f["code"]) for f in report["findings"] if f["blocking"]}
    assert (NOTE, "A602") in blocking and ("members/M-000207/member.yaml", "A602") in blocking
    assert not any(f["path"] == ELENA_PLAN and f["code"] == "T201" for f in report["findings"] if f["blocking"])
    assert any(f["path"] == ELENA_PLAN and f["code"] == "T201" for f in report["findings"])  # shown
    assert report["summary"]["not_shown"] > 0  # Danny's and Abdi's older findings


# --- no committed state: everything counts --------------------------------------------------------------------


def test_outside_git_every_finding_of_the_repository_counts(repo, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.root.parent))  # never the repository this runs in
    result = hook(repo.root, ["staff.yaml"], BEHIND, monkeypatch)
    assert result.exit_code == 1
    review = "{}:{}:{}: T201 [error] the next review".format(*where(repo, ELENA_PLAN, "2026-09-03\ntype"))
    assert any(text.startswith(review) for text in lines(result)), result.stdout
    assert not any("(not blocking)" in text for text in lines(result))
    clean = hook(repo.root, ["staff.yaml"], CLEAN, monkeypatch)
    assert clean.exit_code == 0, clean.stdout


def test_before_the_first_commit_every_finding_counts(repo, monkeypatch):
    git(repo.root, "init", "-q")
    result = hook(repo.root, staged(repo.root), BEHIND, monkeypatch)
    assert result.exit_code == 1
    assert any(" T201 [error] the next review" in text for text in lines(result)), result.stdout


def test_a_staff_file_added_by_this_commit_is_compared_with_none(repo, monkeypatch):
    """Without staff.yaml in HEAD, the committed state knew no staff; a new staff list blocks on what it brings
    (a training missing), not on the members' older findings."""
    staff = repo.read("staff.yaml")
    (repo.root / "staff.yaml").unlink()
    git(repo.root, "init", "-q")
    commit(repo.root, "members first")
    repo.write("staff.yaml", staff)
    assert hook(repo.root, staged(repo.root), BEHIND, monkeypatch).exit_code == 0
    repo.edit("staff.yaml", "      - {module: member-rights, completed_on: 2024-07-15}\n", "")
    result = hook(repo.root, staged(repo.root), BEHIND, monkeypatch)
    assert result.exit_code == 1
    assert any(text.startswith("staff.yaml:") and " A604 " in text for text in lines(result)), result.stdout
    assert not any(" T201 " in text for text in lines(result))


def test_a_staff_file_broken_by_the_change_blocks_at_the_error(committed, monkeypatch):
    committed.write("staff.yaml", "kind: staff\nversion: 1\nstaff: [\n")
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 1
    assert any(text.startswith("staff.yaml:4:1: E001 [error] ") for text in lines(result)), result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("broken_staff", [b"kind: staff\nversion: 1\nstaff: [\n", b"\xff\xfe\x00\x01 not text"])
def test_fixing_a_broken_committed_staff_file_or_configuration_is_not_blocked(committed, monkeypatch,
                                                                             broken_staff):
    good_staff, good_config = committed.read("staff.yaml"), committed.read("pcplan.toml")
    committed.path("staff.yaml").write_bytes(broken_staff)
    committed.write("pcplan.toml", good_config + "\nnot_a_setting = 1\n")
    commit(committed.root, "broken")
    committed.write("staff.yaml", good_staff)
    committed.write("pcplan.toml", good_config)
    result = hook(committed.root, staged(committed.root), CLEAN, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_a_commit_of_only_pcplan_toml_in_a_repository_without_case_files_passes(tmp_path, monkeypatch):
    (tmp_path / "pcplan.toml").write_text('agency = "New agency"\n', encoding="utf-8")
    git(tmp_path, "init", "-q")
    result = hook(tmp_path, staged(tmp_path), CLEAN, monkeypatch)
    assert (result.exit_code, lines(result)) == (0, []), result.output


def test_git_not_installed_means_no_committed_state(committed, monkeypatch):
    monkeypatch.setattr(precommit.shutil, "which", lambda name: None)
    assert precommit.committed_files(committed.root, ["staff.yaml"]) is None


def test_the_committed_files_are_read_from_head_not_the_index_nor_a_redirected_repository(committed,
                                                                                          monkeypatch, tmp_path):
    committed.edit("staff.yaml", "cm-obello", "cm-obello-2", count=1)
    git(committed.root, "add", "staff.yaml")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))  # as a wrapper may leave it; not this folder's
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "no-index"))
    files = precommit.committed_files(committed.root, ["staff.yaml", "pcplan.toml", "providers.yaml"])
    assert files["staff.yaml"] == reference_staff().encode("utf-8")
    assert files["pcplan.toml"] == (PROJECT / "sample_cases/pcplan.toml").read_bytes()
    assert files["providers.yaml"] is None


def test_a_repository_below_the_top_of_the_work_tree(tmp_path, monkeypatch):
    """pcplan.toml in a folder of a larger git repository: pre-commit names files from the top."""
    top = tmp_path / "agency"
    cases = CaseRepo(top / "cases")
    shutil.copytree(PROJECT / "sample_cases", cases.root, ignore=shutil.ignore_patterns("M-0004*", "M-0005*",
                                                                                        "M-0006*", "M-0007*",
                                                                                        "M-0008*"))
    git(top, "init", "-q")
    commit(top)
    cases.edit("staff.yaml", "id: cm-obello\n", "id: cm-obello-2\n")
    result = hook(top, staged(top), CLEAN, monkeypatch)
    assert result.exit_code == 1
    assert all(text.startswith("cases/members/M-000207/") for text in lines(result)), result.stdout
    cases.edit("staff.yaml", "id: cm-obello-2\n", "id: cm-obello\n")
    cases.edit("staff.yaml", "languages: [en, es]", "languages: [en, es, pt]")
    assert hook(top, staged(top), CLEAN, monkeypatch).exit_code == 0


# --- the cache, the entry and the help -----------------------------------------------------------------------


def test_the_comparison_run_leaves_the_cache_right(committed, monkeypatch):
    monkeypatch.setenv("PCPLAN_CACHE_DIR", str(committed.root.parent / "cache"))
    committed.edit("staff.yaml", "id: cm-obello\n", "id: cm-obello-2\n")
    assert hook(committed.root, staged(committed.root), CLEAN, monkeypatch).exit_code == 1
    cached = runner.invoke(app, ["check", "--today", CLEAN, "-f", "json", "."])
    fresh = runner.invoke(app, ["check", "--today", CLEAN, "-f", "json", "--no-cache", "."])
    assert cached.stdout == fresh.stdout and cached.exit_code == fresh.exit_code == 1


def test_the_exact_entry_in_a_subprocess(committed):
    """As pre-commit runs it: a process of its own, at the top of the work tree, the files appended."""
    committed.write(NOTE, CATCH_UP_NOTE)
    files = staged(committed.root)
    env = {**os.environ, "PCPLAN_TODAY": BEHIND, "PCPLAN_CACHE_DIR": str(committed.root.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "pcplan", *ENTRY[1:], *files], cwd=committed.root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(not blocking)" in done.stdout and "do not block this commit" in done.stdout
    committed.edit("staff.yaml", "id: cm-obello\n", "id: cm-obello-2\n")
    done = subprocess.run([sys.executable, "-m", "pcplan", *ENTRY[1:], *staged(committed.root)], cwd=committed.root,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1 and " A602 [error] " in done.stdout, done.stdout + done.stderr


def test_the_hook_definitions_pass_pcplan_toml_and_case_files():
    for text in ((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
                 __import__("pcplan.scaffold.texts", fromlist=["PRE_COMMIT"]).PRE_COMMIT):
        document = yaml.safe_load(text)
        hooks = document if isinstance(document, list) else document["repos"][0]["hooks"]
        pattern = hooks[0]["files"]
        for name in ("pcplan.toml", "cases/pcplan.toml", "staff.yaml", "providers.yaml",
                     "members/M-000123/notes/2026-10-01.yaml", "mkdocs.yml"):
            assert re.search(pattern, name), (pattern, name)
        for name in ("README.md", "pyproject.toml", "notpcplan.toml"):
            assert not re.search(pattern, name), (pattern, name)
        assert hooks[0]["entry"] == "pcplan check --member-folders"


def test_check_help_names_what_the_hook_blocks_on():
    result = runner.invoke(app, ["check", "--help"], terminal_width=100)
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "--member-folders" in text and "pre-commit" in text
    for words in ("located in the named files", "staff.yaml", "providers.yaml", "pcplan.toml", "HEAD"):
        assert words in text, words


@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_end_to_end_with_pre_commit(committed, tmp_path):
    """The real pre-commit, with the hook as pcplan's own `.pre-commit-hooks.yaml` declares it (a local repo)."""
    provided = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    local = {**provided, "language": "system",
             "entry": f"{shlex.quote(sys.executable)} -m pcplan {provided['entry'].split(' ', 1)[1]}"}
    local.pop("minimum_pre_commit_version", None)
    committed.write(".pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    commit(committed.root, "hook")
    env = {**os.environ, **GIT_ENV, "PCPLAN_TODAY": BEHIND, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PCPLAN_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(["pre-commit", "install"], cwd=committed.root, env=env, check=True, capture_output=True)
    committed.write(NOTE, CATCH_UP_NOTE)
    git(committed.root, "add", "-A")
    done = subprocess.run(["git", "commit", "-q", "-m", "catch-up note"], cwd=committed.root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    committed.write(NOTE.replace("04-10", "04-11"), CATCH_UP_NOTE.replace("goal: G3", "goal: G9"))
    git(committed.root, "add", "-A")
    done = subprocess.run(["git", "commit", "-q", "-m", "a note naming no goal"], cwd=committed.root, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0 and " L102 [error] " in done.stdout + done.stderr


def place_of(repo: CaseRepo, path: str, snippet: str, code: str) -> str:
    return "{}:{}:{}: {}".format(*where(repo, path, snippet), code)


def shown_places(shown: list[str]) -> set[str]:
    return {" ".join(text.split(" ")[:2]) for text in shown}
