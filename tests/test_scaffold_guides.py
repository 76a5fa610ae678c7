"""Scaffolding that guides (issue 11): init makes a git repository and says what comes next; `new` refuses
what it cannot do with a message naming a real option or command, and asks for the case manager."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pcplan.cli import app
from pcplan.load import load_file
from pcplan.scaffold import ScaffoldError
from pcplan.scaffold.init import InitRequest, init_repository, next_commands
from pcplan.scaffold.new import OPTIONS, NewRequest, new_file
from pcplan.scaffold.staff import suggest

runner = CliRunner()
DAY = ["--today", "2026-11-22"]
TODAY = date(2026, 11, 22)
SCAFFOLD = Path(__file__).resolve().parents[1] / "src/pcplan/scaffold"
HAS_GIT = shutil.which("git") is not None
POSIX = os.name == "posix"


def run(cwd: Path, *args: str, input: str | None = None, env: dict | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def member_data(path: Path) -> dict:
    loaded = load_file(path)
    assert loaded.ok, loaded.problems
    return loaded.data


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def command_options(name: str) -> set[str]:
    """Every option string (`--force`, `-f`, hidden aliases too) the `pcplan NAME` command accepts."""
    command = typer.main.get_command(app).commands[name]
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}


@pytest.fixture
def interactive(monkeypatch):
    """`pcplan new` as in a terminal: CliRunner's stdin is not a TTY, so the asker is told it is."""
    import pcplan.scaffold.new as new

    real = new.asker
    monkeypatch.setattr(new, "asker", lambda _tty=None: real(True))


# ------------------------------------------------------------------ init: git and the next commands


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_init_outside_git_runs_git_init_and_ends_with_the_next_commands(tmp_path):
    result = run(tmp_path, "init", "cases", *DAY)
    assert result.exit_code == 0, result.output
    assert result.stderr == ("pcplan: initialized a git repository in cases (git init)\n"
                             "Next steps:\n"
                             "  cd cases\n"
                             "  pcplan new member\n"
                             "  pcplan check\n")
    inside = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=tmp_path / "cases", capture_output=True,
                            text=True, check=True).stdout.strip()
    assert Path(inside).resolve() == (tmp_path / "cases").resolve()
    assert "cases/pcplan.toml" in result.stdout.splitlines()  # stdout stays the list of files written


def test_init_no_git_leaves_git_alone(tmp_path):
    result = run(tmp_path, "init", "cases", "--no-git", *DAY)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "cases/.git").exists()
    assert result.stderr == "Next steps:\n  cd cases\n  pcplan new member\n  pcplan check\n"


def test_init_inside_a_git_work_tree_does_not_nest_another(tmp_path):
    (tmp_path / ".git").mkdir()  # the folder above is a repository already
    result = run(tmp_path, "init", "agency/cases", *DAY)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "agency/cases/.git").exists()
    assert "git init" not in result.stderr
    assert result.stderr.endswith("  cd agency/cases\n  pcplan new member\n  pcplan check\n")


def test_init_without_git_installed_says_so_and_continues(tmp_path):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    result = run(tmp_path, "init", "cases", *DAY, env={"PATH": str(empty)})
    assert result.exit_code == 0, result.output
    assert ("pcplan: git is not installed, so cases is not a git repository yet; install git, then run "
            "`git init` there to keep the case files' history\n") in result.stderr
    assert (tmp_path / "cases/pcplan.toml").is_file() and not (tmp_path / "cases/.git").exists()
    assert result.stderr.endswith("Next steps:\n  cd cases\n  pcplan new member\n  pcplan check\n")


@pytest.mark.skipif(not POSIX, reason="a shell script stands in for git")
def test_a_failing_git_init_is_reported_and_init_still_succeeds(tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "git"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot create the repository' >&2\nexit 128\n", encoding="utf-8")
    fake.chmod(0o755)
    result = run(tmp_path, "init", "cases", *DAY, env={"PATH": str(tools)})
    assert result.exit_code == 0, result.output
    assert ("pcplan: `git init` failed in cases (fatal: cannot create the repository); run it there yourself\n"
            in result.stderr)
    assert (tmp_path / "cases/staff.yaml").is_file()


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_init_ignores_a_git_dir_set_by_a_hook(tmp_path):
    elsewhere = tmp_path / "elsewhere.git"
    result = run(tmp_path, "init", "cases", *DAY, env={"GIT_DIR": str(elsewhere)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cases/.git").is_dir() and not elsewhere.exists()


def test_next_commands_are_written_for_the_folder_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    here = tmp_path.resolve()
    assert next_commands(Path("cases"), here) == ["cd cases", "pcplan new member", "pcplan check"]
    if POSIX:
        assert next_commands(Path("my cases"), here)[0] == "cd 'my cases'"
        assert next_commands(Path("it's/here"), here)[0] == "cd 'it'\"'\"'s/here'"
    # already there: no `cd`; the caseload calendar is the third command
    assert next_commands(Path("."), here) == ["pcplan new member", "pcplan check", "pcplan due"]
    assert next_commands(here, here) == ["pcplan new member", "pcplan check", "pcplan due"]


@pytest.mark.parametrize("directory", ["cases", "my cases", "agency/it's ours", "."])
def test_the_printed_next_commands_run_as_printed(tmp_path, directory, interactive):
    """Each line is taken literally: `cd` through a real shell (so the quoting is tested), then pcplan."""
    env = {"PCPLAN_TODAY": "2026-11-22"}
    result = run(tmp_path, "init", directory, "--no-git", env=env)
    assert result.exit_code == 0, result.output
    commands = [line[2:] for line in result.stderr.splitlines()[result.stderr.splitlines().index("Next steps:") + 1:]]
    assert len(commands) == 3
    cwd = tmp_path
    ran = []
    for command in commands:
        words = shlex.split(command)
        if words[0] == "cd":
            if POSIX:
                shell = subprocess.run(["sh", "-c", f"{command} && pwd -P"], cwd=cwd, capture_output=True, text=True)
                assert shell.returncode == 0, shell.stderr
                cwd = Path(shell.stdout.strip())
            else:
                cwd = cwd / words[1]
            continue
        assert words[0] == "pcplan"
        answers = "Lee Chan\nLee\ncm-mreyes\n" if words[1:3] == ["new", "member"] else None
        outcome = run(cwd, *words[1:], input=answers, env=env)
        assert outcome.exit_code in (0, 1), (command, outcome.output)  # 1: the new member's findings
        assert "Traceback" not in outcome.output
        ran.append(words[1])
    assert cwd.resolve() == (tmp_path / directory).resolve()
    assert (cwd / "members/M-000002/member.yaml").is_file()
    assert ran[:2] == ["new", "check"]


def test_init_counts_a_file_that_appears_while_it_writes_as_kept(tmp_path, monkeypatch):
    """Another process writes pcplan.toml between init's look and its rename: kept, never replaced, no --force."""
    import pcplan.output as output

    real_link = os.link

    def racing_link(source, target, *args, **kwargs):
        if Path(target).name == "pcplan.toml":
            Path(target).write_text('agency = "Theirs"\n', encoding="utf-8")
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(output.os, "link", racing_link)
    result = run(tmp_path, "init", "cases", "--no-git", *DAY)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cases/pcplan.toml").read_text(encoding="utf-8") == 'agency = "Theirs"\n'
    assert "pcplan: kept cases/pcplan.toml (it exists; init never replaces a file)\n" in result.stderr
    assert "--force" not in result.output
    assert not list((tmp_path / "cases").glob(".pcplan.toml.*.tmp"))


# ------------------------------------------------------------------ new member: only in a case repository


NOT_A_REPOSITORY = ("pcplan: not in a case repository: no pcplan.toml in the current folder or a folder above, "
                    "and no staff.yaml; start one with `pcplan init`, then run `pcplan new member` in it\n")


def test_new_member_outside_a_case_repository_refuses_naming_pcplan_init(tmp_path, interactive):
    result = run(tmp_path, "new", "member", *DAY, input="Lee Chan\nLee\n")
    assert result.exit_code == 2
    assert result.stderr == NOT_A_REPOSITORY  # refused before asking anything
    assert list(tmp_path.iterdir()) == []


def test_a_git_repository_without_pcplan_files_is_not_a_case_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    result = run(tmp_path, "new", "member", "src", "--legal-name", "A B", "--preferred-name", "A", *DAY)
    assert result.exit_code == 2
    assert result.stderr == ("pcplan: not in a case repository: no pcplan.toml in src or a folder above, and no "
                             "staff.yaml in .; start one with `pcplan init`, then run `pcplan new member` in it\n")
    assert not (tmp_path / "members").exists()


@pytest.mark.parametrize("marker", ["pcplan.toml", "staff.yaml", "members/M-000009/member.yaml"])
def test_pcplan_toml_staff_yaml_or_member_folders_make_a_case_repository(tmp_path, marker):
    text = {"pcplan.toml": "", "staff.yaml": "kind: staff\nversion: 1\nstaff: []\n",
            "members/M-000009/member.yaml": "kind: member\nversion: 1\nid: M-000009\n"}[marker]
    (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / marker).write_text(text, encoding="utf-8")
    result = run(tmp_path, "new", "member", "--legal-name", "A B", "--preferred-name", "A", *DAY)
    assert result.exit_code == 0, result.output
    expected = "M-000010" if marker.startswith("members") else "M-000001"
    assert result.stdout == f"members/{expected}/member.yaml\n"


def test_the_refusal_through_the_function(tmp_path):
    with pytest.raises(ScaffoldError, match=r"start one with `pcplan init`"):
        new_file(NewRequest(kind="member", today=TODAY, cwd=tmp_path,
                            values={"legal_name": "A B", "preferred_name": "A"}))


# ------------------------------------------------------------------ staff ids are checked against staff.yaml


@pytest.mark.parametrize("args, message", [
    (["member", "--legal-name", "A B", "--preferred-name", "A", "--case-manager", "cm-jle"],
     "--case-manager: `cm-jle` is not in staff.yaml; did you mean `cm-jlee`?"),
    (["member", "--legal-name", "A B", "--preferred-name", "A", "--case-manager", "CM-OBELLO"],
     "--case-manager: `CM-OBELLO` is not in staff.yaml; did you mean `cm-obello`?"),
    (["member", "--legal-name", "A B", "--preferred-name", "A", "--case-manager", "mreyes"],
     "--case-manager: `mreyes` is not in staff.yaml, which lists cm-jlee, cm-obello, sup-amartin; add the person "
     "there first"),
    (["assessment", "members/M-000123", "--assessor", "cm-obelo"],
     "--assessor: `cm-obelo` is not in staff.yaml; did you mean `cm-obello`?"),
    (["note", "members/M-000123", "--contact", "phone", "--staff", "sup-amrtin"],
     "--staff: `sup-amrtin` is not in staff.yaml; did you mean `sup-amartin`?"),
    (["note", "members/M-000123", "--contact", "phone", "--staff", "cm jlee"],
     "--staff: `cm jlee` is not a staff id (such as cm-jlee)"),
])
def test_an_unknown_staff_id_is_exit_2_with_did_you_mean(repo, args, message):
    before = files_under(repo.root)
    result = run(repo.root, "new", *args, *DAY)
    assert result.exit_code == 2
    assert result.stderr == f"pcplan: {message}\n"
    assert files_under(repo.root) == before


def test_a_staff_member_who_has_left_is_neither_offered_nor_accepted_for_a_later_record(repo):
    """A note of 2026-11-22 by someone who left on 2026-10-30 would be A609: `new` neither offers nor writes it."""
    repo.edit("staff.yaml", "    hire_date: 2025-09-02\n", "    hire_date: 2025-09-02\n    left_on: 2026-10-30\n")
    before = files_under(repo.root)
    result = run(repo.root, "new", "note", "members/M-000123", "--contact", "phone", "--staff", "cm-obello", *DAY)
    assert result.exit_code == 2
    assert result.stderr == ("pcplan: --staff: `cm-obello` left the agency on 2026-10-30 (staff.yaml `left_on`), "
                             "before this record's day; name who does it now\n")
    assert files_under(repo.root) == before
    unknown = run(repo.root, "new", "member", "--legal-name", "A B", "--preferred-name", "A", "--case-manager",
                  "mreyes", *DAY)
    assert "which lists cm-jlee, sup-amartin;" in unknown.stderr  # not offered either
    earlier = run(repo.root, "new", "note", "members/M-000123", "--contact", "phone", "--staff", "cm-obello",
                  "--today", "2026-10-30")  # her last day
    assert earlier.exit_code == 0, earlier.output


def test_a_known_staff_id_is_written(repo):
    result = run(repo.root, "new", "assessment", "members/M-000123", "--assessor", "cm-obello", *DAY)
    assert result.exit_code == 0, result.output
    assert member_data(repo.path("members/M-000123/assessment-2026-11-22.yaml"))["assessor"] == "cm-obello"


def test_a_staff_id_cannot_be_checked_without_a_readable_staff_yaml(repo):
    args = ["new", "member", "--legal-name", "A B", "--preferred-name", "A", "--case-manager", "cm-jlee", *DAY]
    repo.write("staff.yaml", "kind: staff\nstaff: [\n")
    result = run(repo.root, *args)
    assert (result.exit_code, result.stderr) == (2, "pcplan: --case-manager: cannot check `cm-jlee`: staff.yaml "
                                                    "does not load; fix it first (pcplan check staff.yaml)\n")
    repo.path("staff.yaml").unlink()
    result = run(repo.root, *args)
    assert (result.exit_code, result.stderr) == (2, "pcplan: --case-manager: cannot check `cm-jlee`: there is no "
                                                    "staff.yaml in . to check it against; add one listing the "
                                                    "agency's staff (`pcplan init` writes an example)\n")


@pytest.mark.parametrize("args, message", [
    (["note", "members/M-000123", "--contact", "phon"], "--contact must be one of face_to_face, video, phone, "
     "collateral, written, not `phon`; did you mean `phone`?"),
    (["closure", "members/M-000123", "--reason", "movd"], "--reason must be one of goals_met, member_choice, moved, "
     "ineligible, transferred, deceased, lost_contact, not `movd`; did you mean `moved`?"),
    (["plan", "members/M-000123", "--type", "Annual"], "--type must be one of initial, annual, revision, not "
     "`Annual`; did you mean `annual`?"),
    (["note", "members/M-000123", "--contact", "pigeon"], "--contact must be one of face_to_face, video, phone, "
     "collateral, written, not `pigeon`"),
])
def test_a_misspelled_choice_gets_did_you_mean(repo, args, message):
    result = run(repo.root, "new", *args, *DAY)
    assert (result.exit_code, result.stderr) == (2, f"pcplan: {message}\n")


def test_suggest_ignores_case_and_finds_nothing_far():
    assert suggest("CM-JLEE", ("cm-jlee", "cm-obello")) == "cm-jlee"
    assert suggest("cm-obelo", ("cm-jlee", "cm-obello")) == "cm-obello"
    assert suggest("zz", ("cm-jlee", "cm-obello")) is None


# ------------------------------------------------------------------ new member asks for the case manager


def test_in_a_terminal_new_member_asks_for_the_case_manager_offering_staff_ids(repo, interactive):
    result = run(repo.root, "new", "member", *DAY, input="Lee Chan\nLee\ncm-obelo\ncm-obello\n")
    assert result.exit_code == 0, result.output
    assert "Case manager (a staff id) (cm-jlee, cm-obello, sup-amartin; empty to fill in later):" in result.stderr
    assert "Please answer one of: cm-jlee, cm-obello, sup-amartin (did you mean `cm-obello`?)." in result.stderr
    member = member_data(repo.path("members/M-000302/member.yaml"))
    assert [(a["staff"], a["from"]) for a in member["case_managers"]] == [("cm-obello", "2026-11-22")]


def test_an_empty_answer_leaves_the_case_manager_to_fill_in(repo, interactive):
    result = run(repo.root, "new", "member", *DAY, input="Lee Chan\nLee\n\n")
    assert result.exit_code == 0, result.output
    assert member_data(repo.path("members/M-000302/member.yaml"))["case_managers"] == []


def test_the_case_manager_is_not_asked_when_given_or_not_in_a_terminal(repo, interactive):
    result = run(repo.root, "new", "member", "--case-manager", "cm-jlee", *DAY, input="Lee Chan\nLee\n")
    assert result.exit_code == 0, result.output
    assert "Case manager" not in result.stderr
    assert member_data(repo.path("members/M-000302/member.yaml"))["case_managers"][0]["staff"] == "cm-jlee"


def test_not_in_a_terminal_the_case_manager_stays_optional(repo):
    result = run(repo.root, "new", "member", "--legal-name", "Lee Chan", "--preferred-name", "Lee", *DAY)
    assert (result.exit_code, result.stderr) == (0, "")
    assert member_data(repo.path("members/M-000302/member.yaml"))["case_managers"] == []


def test_the_case_manager_question_through_the_function(repo):
    asked = []

    def ask(option, question, choices=None, required=True):
        asked.append((option, question, choices, required))
        return {"--legal-name": "Lee Chan", "--preferred-name": "Lee", "--case-manager": "cm-jlee"}[option]

    path = new_file(NewRequest(kind="member", today=TODAY, cwd=repo.root), ask)
    assert asked == [("--legal-name", "Legal name (as on official records)", None, True),
                     ("--preferred-name", "Preferred name (what the member wants to be called)", None, True),
                     ("--case-manager", "Case manager (a staff id)", ("cm-jlee", "cm-obello", "sup-amartin"), False)]
    assert member_data(path)["case_managers"][0]["staff"] == "cm-jlee"


def test_a_note_for_a_member_without_a_case_manager_asks_who_from_staff_yaml(repo):
    made = run(repo.root, "new", "member", "--legal-name", "Lee Chan", "--preferred-name", "Lee", *DAY)
    assert made.exit_code == 0, made.output
    result = run(repo.root, "new", "note", "members/M-000302", "--contact", "phone", *DAY)
    assert (result.exit_code, result.stderr) == (2, "pcplan: staff id of who made the contact (such as cm-jlee) is "
                                                    "required: pass --staff (cm-jlee, cm-obello, sup-amartin)\n")
    asked = []

    def ask(option, question, choices=None, required=True):
        asked.append((option, choices))
        return "cm-obelo"

    request = NewRequest(kind="note", today=TODAY, cwd=repo.root, target=Path("members/M-000302"),
                         values={"contact": "phone"})
    with pytest.raises(ScaffoldError) as raised:
        new_file(request, ask)
    assert str(raised.value) == ("--staff must be one of cm-jlee, cm-obello, sup-amartin, not `cm-obelo`; did you "
                                 "mean `cm-obello`?")
    assert asked == [("--staff", ("cm-jlee", "cm-obello", "sup-amartin"))]


def test_init_reports_git_and_the_next_commands_through_the_function(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = init_repository(InitRequest(directory=Path("cases"), today=TODAY, git=HAS_GIT))
    assert result.next_commands == ["cd cases", "pcplan new member", "pcplan check"]
    if HAS_GIT:
        assert result.notes == ["initialized a git repository in cases (git init)"]
        assert (tmp_path / "cases/.git").is_dir()


# ------------------------------------------------------------------ a losing concurrent run: the real next step


@pytest.mark.parametrize("args, target, step", [
    (["note", "members/M-000123", "--contact", "phone"], "members/M-000123/notes/2026-11-22.yaml",
     "run `pcplan new note` again for the next note of the day"),
    (["member", "--legal-name", "A B", "--preferred-name", "A"], "members/M-000302/member.yaml",
     "run `pcplan new member` again for the next member id"),
    (["assessment", "members/M-000123"], "members/M-000123/assessment-2026-11-22.yaml",
     "edit the existing assessment instead"),
    (["plan", "members/M-000123"], "members/M-000123/plan-2026-11-22.yaml", "edit the existing plan instead"),
])
def test_a_run_that_loses_a_race_names_the_real_next_step(repo, monkeypatch, args, target, step):
    import pcplan.output as output

    theirs = repo.read("members/M-000123/member.yaml").replace("M-000123", "M-000302") \
        if args[0] == "member" else f"kind: {args[0]}\n# written by the other run\n"
    real_link = os.link

    def racing_link(source, destination, *rest, **kwargs):
        Path(destination).write_text(theirs, encoding="utf-8")  # the other run renames first
        return real_link(source, destination, *rest, **kwargs)

    monkeypatch.setattr(output.os, "link", racing_link)
    result = run(repo.root, "new", *args, *DAY)
    assert result.exit_code == 2
    assert result.stderr == (f"pcplan: {target}: was created by another run while pcplan was writing; it is kept "
                             f"as it is: {step}\n")
    assert repo.read(target) == theirs
    monkeypatch.undo()
    if args[0] in ("note", "member"):  # the step named works
        again = run(repo.root, "new", *args, *DAY)
        assert again.exit_code == 0, again.output
        assert again.stdout.strip() == {"note": "members/M-000123/notes/2026-11-22-2.yaml",
                                        "member": "members/M-000303/member.yaml"}[args[0]]


def test_an_existing_file_names_the_next_step_too(repo):
    assert run(repo.root, "new", "assessment", "members/M-000123", *DAY).exit_code == 0
    again = run(repo.root, "new", "assessment", "members/M-000123", *DAY)
    assert again.exit_code == 2
    assert again.stderr == ("pcplan: members/M-000123/assessment-2026-11-22.yaml: exists; pcplan new never writes "
                            "over a file: edit the existing assessment instead\n")


# ------------------------------------------------------------------ every option a message names is real


_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*[a-z])")
# Which command's messages each scaffold module writes.
_MODULE_COMMAND = {"new.py": "new", "staff.py": "new", "entries.py": "new", "insert.py": "new", "init.py": "init",
                   "git.py": "init", "__init__.py": "new"}


def _string_parts(tree: ast.AST):
    """Every string literal (f-string parts too), except the words of an argv list such as git's."""
    argv = {id(e) for node in ast.walk(tree) if isinstance(node, ast.List) for e in node.elts}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in argv:
            yield node.lineno, node.value


def test_every_option_named_in_a_scaffold_message_is_an_option_of_that_command():
    assert sorted(p.name for p in SCAFFOLD.glob("*.py")) == sorted({*_MODULE_COMMAND, "texts.py", "yamltext.py",
                                                                                  "wheel.py"})  # pip's options
    wrong, checked = [], 0
    for module, command in _MODULE_COMMAND.items():
        real = command_options(command)
        tree = ast.parse((SCAFFOLD / module).read_text(encoding="utf-8"))
        for line, text in _string_parts(tree):
            wrong += [f"{module}:{line}: {option} is not an option of `pcplan {command}`"
                      for option in _OPTION.findall(text) if option not in real]
        # Messages built as f"--{name}" from a field name: each name a helper is called with.
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_required", "_choice", "_value",
                                                                                "_staff_id"):
                names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                for option in ["--" + names[0].replace("_", "-")] if names else []:  # (a variable: its callers)
                    if option not in real:
                        wrong.append(f"{module}:{node.lineno}: {option} is not an option of `pcplan {command}`")
                    checked += 1
    assert checked >= 10 and wrong == []  # (a count, so the scan cannot silently find nothing)


def test_every_per_kind_option_of_new_exists():
    real = command_options("new")
    assert sorted(o for names in OPTIONS.values() for o in ("--" + n.replace("_", "-") for n in names)
                  if o not in real) == []


def test_the_old_force_advice_is_gone_from_new_and_init():
    """`new` has no --force; `init --force` never replaces a file: no message may tell either to use it to."""
    for module in ("new.py", "init.py", "staff.py", "git.py"):
        text = (SCAFFOLD / module).read_text(encoding="utf-8")
        assert "use --force" not in text, module


def test_every_pcplan_command_in_the_files_init_writes_uses_real_options(tmp_path):
    init_repository(InitRequest(directory=tmp_path / "cases", today=TODAY, git=False))
    commands = typer.main.get_command(app).commands
    wrong, seen = [], 0
    for path in (tmp_path / "cases").rglob("*"):
        if not path.is_file() or path.suffix not in (".md", ".yml", ".yaml", ".toml"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(r"\bpcplan ([a-z]+)([^#`|\n]*)", line):
                if match.group(1) not in commands:
                    continue
                seen += 1
                real = command_options(match.group(1))
                wrong += [f"{path.name}:{number}: {option} is not an option of `pcplan {match.group(1)}`"
                          for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", match.group(2))
                          if option not in real]
    assert seen >= 10 and wrong == []


def test_the_options_init_and_new_document_exist():
    assert {"--no-git", "--no-sample", "--force", "--agency", "--today"} <= command_options("init")
    assert {"--case-manager", "--assessor", "--staff", "--member", "--id"} <= command_options("new")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
