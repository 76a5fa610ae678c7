"""Smaller hostile inputs (issue 14, item 9): a committed baseline that is a device, a pipe or nested JSON;
names with line separators written by `pcplan new`; a NUL in a configured path; file symlinks that lead out
of the repository.

Each must end in a clear finding or a clear exit-2 message naming the file or the setting, never a
traceback, a hang or a corrupted file; where a finding is the answer, the rest of the repository is still
checked.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import AS_OF, ELENA, build_reference, no_traceback, pcplan, seed_known_finding, slow_except
from pcplan.baseline import BaselineError
from pcplan.cli import app
from pcplan.load import load_file

POSIX = pytest.mark.skipif(os.name != "posix", reason="symlinks, pipes and devices as POSIX has them")
MEMORY = 2 * 1024 ** 3  # a run that reads /dev/zero into memory fails here, instead of taking the machine down


def limited(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``pcplan ARGS`` in a subprocess with a bounded address space and time."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    process = subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cwd, capture_output=True, text=True,
                             timeout=timeout, preexec_fn=limit, encoding="utf-8", errors="replace")
    no_traceback(process)
    return process


@pytest.fixture
def reference(tmp_path) -> Path:
    return build_reference(tmp_path / "cases")


# -- (a) the baseline `--baseline` reads ---------------------------------------------------------------------

def _zero(path: Path) -> None:
    os.symlink("/dev/zero", path)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _deep(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def _folder(path: Path) -> None:
    path.mkdir()


BASELINES = {
    "a symlink to /dev/zero": (_zero, "not a regular file (a device, pipe or socket)"),
    "a named pipe": (_fifo, "not a regular file (a device, pipe or socket)"),
    "JSON nested 200,000 deep": (_deep, "not a pcplan baseline (JSON nested too deeply)"),
    "a folder": (_folder, "not a regular file (a folder)"),
}


@POSIX
@pytest.mark.parametrize("name", slow_except(BASELINES, "a named pipe"))
def test_a_hostile_baseline_is_exit_2_with_a_message(reference, name):
    make, words = BASELINES[name]
    make(reference / "baseline.json")
    process = limited(reference, "check", *AS_OF, "-f", "concise", "--baseline", "baseline.json")
    assert process.returncode == 2, process.stderr
    assert process.stderr.startswith(f"pcplan: baseline.json: {words}"), process.stderr
    assert process.stdout == ""


def test_a_bad_baseline_fails_before_the_check_runs(reference, monkeypatch):
    """The baseline is read first: a broken one costs no whole-repository check before it is reported."""
    import pcplan.engine as engine

    (reference / "baseline.json").write_text("{not json", encoding="utf-8")
    ran = []
    monkeypatch.setattr(engine.roots, "_check_root", lambda *args, **kwargs: ran.append(args) or 0)
    monkeypatch.chdir(reference)
    result = CliRunner().invoke(app, ["check", *AS_OF, "-f", "concise", "--baseline", "baseline.json"])
    assert result.exit_code == 2 and result.stderr.startswith("pcplan: baseline.json: ")
    assert ran == []


def test_a_baseline_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    import pcplan.baseline as baseline

    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"version": 1, "findings": []}) + " " * 2000, encoding="utf-8")
    monkeypatch.setattr(baseline, "MAX_BASELINE_BYTES", 1000)
    with pytest.raises(BaselineError, match=r"baseline.json: the baseline is over the 1,000-byte limit"):
        baseline.load(path)
    monkeypatch.setattr(baseline, "MAX_BASELINE_BYTES", 10_000)
    assert baseline.load(path) == {}


def test_a_baseline_with_an_infinite_count_is_refused(tmp_path):
    import pcplan.baseline as baseline

    path = tmp_path / "baseline.json"
    path.write_text('{"version": 1, "findings": [{"member": null, "file": "a.yaml", "code": "E004", '
                    '"data_path": "", "count": Infinity}]}', encoding="utf-8")
    with pytest.raises(BaselineError, match="entry 1 of `findings` is not a baseline entry"):
        baseline.load(path)


# -- (b) names with line separators and control characters, written by `pcplan new` -------------------------

runner = CliRunner()
# Characters YAML 1.1 readers (libyaml among them) take for line ends, other controls, and format characters.
ODD = {"NEL": "\x85", "LS": "\u2028", "PS": "\u2029", "VT": "\x0b", "FF": "\x0c", "CR": "\r", "TAB": "\t",
       "ESC": "\x1b", "DEL": "\x7f", "C1": "\x9b", "FS": "\x1c", "GS": "\x1d", "RS": "\x1e", "US": "\x1f",
       "BOM": "\ufeff", "NBSP": "\xa0", "ZWSP": "\u200b", "RLO": "\u202e", "LF": "\n"}


def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("name", slow_except(ODD, "NEL"), ids=str)
def test_a_name_with_a_line_separator_reads_back_exactly(reference, name):
    char = ODD[name]
    legal, preferred = f"Ana{char}María López", f"Ana{char}Lu"
    result = run(reference, "new", "member", "--legal-name", legal, "--preferred-name", preferred, *AS_OF)
    assert result.exit_code == 0, result.output
    member = Path(result.stdout.strip().splitlines()[-1])
    loaded = load_file(reference / member)
    assert loaded.ok and not loaded.problems, loaded.problems
    assert loaded.data["name"] == {"legal": legal, "preferred": preferred}
    for line in (reference / member).read_text(encoding="utf-8").split("\n"):  # no line broken in an editor
        assert not any(c in line for c in "\r\x85\u2028\u2029"), line
    # The preferred name is written into the files scaffolded for the member, in data and in comments.
    for kind, more in (("assessment", ()), ("plan", ()), ("note", ("--staff", "cm-jlee", "--contact", "phone"))):
        made = run(reference, "new", kind, str(member.parent), *more, *AS_OF)
        assert made.exit_code == 0, made.output
        written = reference / made.stdout.strip().splitlines()[-1]
        loaded = load_file(written)
        assert loaded.ok and not loaded.problems, (kind, loaded.problems)
        for line in written.read_text(encoding="utf-8").split("\n"):  # in comments too, no line broken
            assert not any(c in line for c in "\r\x85\u2028\u2029"), (kind, line)
        if kind == "assessment":  # who took part is never filled in (DESIGN.md): offered in a comment
            assert loaded.data["participants"] == []


@POSIX
def test_a_name_that_is_not_utf8_is_refused(reference):
    """A terminal in another encoding passes bytes that are not UTF-8: refused, naming the option."""
    process = subprocess.run([sys.executable, "-m", "pcplan", "new", "member", "--legal-name", b"Jos\xe9 Ruiz",
                              "--preferred-name", "Jose", *AS_OF], cwd=reference, capture_output=True, timeout=60)
    assert process.returncode == 2, process.stderr
    assert b"Traceback" not in process.stderr
    assert b"--legal-name: not valid text (the terminal passed bytes that are not UTF-8)" in process.stderr
    assert not list((reference / "members").glob("M-000302"))


@pytest.mark.parametrize("name", ["DEL", "LS", "NEL", "ESC", "C1", "BOM"], ids=str)
def test_an_agency_name_with_a_control_character_is_written_readable(tmp_path, name):
    """`pcplan init --agency`: pcplan.toml (TOML forbids a raw DEL) and staff.yaml read back exactly."""
    import tomllib

    agency = f"Riverside{ODD[name]}Agency"
    result = run(tmp_path, "init", "cases", "--agency", agency, "--no-git", *AS_OF)
    assert result.exit_code == 0, result.output
    root = tmp_path / "cases"
    assert tomllib.loads((root / "pcplan.toml").read_text(encoding="utf-8"))["agency"] == agency
    assert load_file(root / "staff.yaml").data["organization"] == agency
    assert (root / "README.md").read_text(encoding="utf-8").startswith("# Riverside Agency: case files\n")
    assert run(root, "check", *AS_OF).exit_code == 0


@POSIX
def test_an_agency_name_that_is_not_utf8_is_refused(tmp_path):
    process = subprocess.run([sys.executable, "-m", "pcplan", "init", "cases", "--agency", b"Jos\xe9", *AS_OF],
                             cwd=tmp_path, capture_output=True, timeout=60)
    assert process.returncode == 2 and b"Traceback" not in process.stderr
    assert b"--agency: not valid text" in process.stderr
    assert not (tmp_path / "cases").exists()


# -- (c) a NUL in a configured path ------------------------------------------------------------------------

@pytest.mark.parametrize("setting, what", [("logo", "a file path"), ("templates", "a folder path")])
@pytest.mark.parametrize("command", [["check"], ["render", f"{ELENA}", "--draft", "-f", "html", "--output", "out"],
                                     ["report", "-f", "html"], ["due"]], ids=lambda c: c[0])
def test_a_nul_in_a_path_setting_is_exit_2_naming_it(reference, setting, what, command):
    config = reference / "pcplan.toml"
    config.write_text(f'{setting} = "a\\u0000b"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    (reference / "out").mkdir()
    result = run(reference, *command, *AS_OF)
    assert result.exit_code == 2, result.output
    assert f"pcplan.toml: `{setting}` must be {what} (text without a NUL character)" in result.stderr
    assert not list((reference / "out").iterdir())


# -- (d) file symlinks in a member folder ----------------------------------------------------------------------

SECRET = "kind: note  # SECRET-FIRST-LINE token=hunter2\n"
OUTSIDE = "E005 [error] symlink to outside the repository, not read: replace the link with the file itself"


@pytest.fixture
def linked(reference, tmp_path) -> Path:
    """Elena's folder with a note linked to a file outside the repository, and the known L104 seeded."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET, encoding="utf-8")
    os.symlink(secret, reference / ELENA / "notes" / "evil.yaml")
    return reference


@POSIX
def test_a_symlink_out_of_the_repository_is_not_read(linked):
    seeded, line, column = seed_known_finding(linked)
    process = pcplan(linked, "check", *AS_OF, "-f", "concise")
    no_traceback(process)
    assert process.returncode == 1
    lines = process.stdout.splitlines()
    assert f"{ELENA}/notes/evil.yaml:1:1: {OUTSIDE}" in lines  # the link is named, not its target
    assert f"{seeded}:{line}:{column}: L104 [error] support SP4 serves no goal; add `goals: [G…]`" in lines
    assert "SECRET" not in process.stdout and "secret" not in process.stdout
    report = json.loads(pcplan(linked, "check", *AS_OF, "-f", "json").stdout)
    assert report["summary"]["members"] == 3 and report["summary"]["files"] == 30  # 29 + the link
    assert [f["code"] for f in report["findings"] if f["path"] == f"{ELENA}/notes/evil.yaml"] == ["E005"]


@POSIX
def test_the_full_format_never_shows_a_line_of_a_file_outside_the_repository(linked):
    process = pcplan(linked, "check", *AS_OF, "-f", "full", env={"CI": ""})
    no_traceback(process)
    assert process.returncode == 1 and "symlink to outside the repository" in process.stdout
    assert "SECRET" not in process.stdout


@POSIX
@pytest.mark.parametrize("how", ["named", "member-folders"])
def test_a_symlink_named_on_the_command_line_is_not_followed(linked, how):
    """The pre-commit hook names changed files (`--member-folders FILE`): naming the link must not read it."""
    options = ["--member-folders"] if how == "member-folders" else []
    process = pcplan(linked, "check", *AS_OF, "-f", "full", *options, f"{ELENA}/notes/evil.yaml", env={"CI": ""})
    no_traceback(process)
    assert process.returncode == 1
    assert f"{ELENA}/notes/evil.yaml:1:1" in process.stdout and "symlink to outside the repository" in process.stdout
    assert "SECRET" not in process.stdout
    assert "(repository: the current folder)" in " ".join(process.stdout.split())  # the link's own repository


@POSIX
def test_a_loose_file_and_staff_yaml_linked_from_outside_are_not_read(reference, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET, encoding="utf-8")
    os.symlink(secret, reference / "loose.yaml")
    named = pcplan(reference, "check", *AS_OF, "-f", "concise", "loose.yaml")
    no_traceback(named)
    assert named.stdout.splitlines()[0] == f"loose.yaml:1:1: {OUTSIDE}" and "SECRET" not in named.stdout
    (reference / "staff.yaml").rename(tmp_path / "staff.yaml")
    os.symlink(tmp_path / "staff.yaml", reference / "staff.yaml")
    process = pcplan(reference, "check", *AS_OF, "-f", "concise")
    no_traceback(process)
    assert f"staff.yaml:1:1: {OUTSIDE}" in process.stdout.splitlines()
    assert "Jordan Lee" not in process.stdout  # nothing of the outside file is shown


@POSIX
def test_symlinks_into_hidden_folders_and_member_records_outside_are_not_read(reference, tmp_path):
    git = reference / ".git"
    git.mkdir()
    (git / "config").write_text("[remote]\n  url = https://token@example.org/cases\n", encoding="utf-8")
    os.symlink("../../../.git/config", reference / ELENA / "notes" / "git.yaml")
    abdi = reference / "members" / "M-000301"
    outside = tmp_path / "member.yaml"
    outside.write_bytes((abdi / "member.yaml").read_bytes())
    (abdi / "member.yaml").unlink()
    os.symlink(outside, abdi / "member.yaml")
    process = pcplan(reference, "check", *AS_OF, "-f", "concise")
    no_traceback(process)
    lines = process.stdout.splitlines()
    assert (f"{ELENA}/notes/git.yaml:1:1: E005 [error] symlink into a hidden folder of the repository (such as "
            ".git), not read: replace the link with the file") in lines
    assert f"members/M-000301/member.yaml:1:1: {OUTSIDE}" in lines
    assert "token" not in process.stdout
    # Abdi's other files are still checked: with his member record unread, they have no member to match.
    assert any(line.startswith("members/M-000301/plan-") for line in lines)


@POSIX
def test_a_symlink_within_the_repository_is_read(reference):
    """Decision: a link to a file in the repository is read (its content is in the repository anyway)."""
    note = reference / ELENA / "notes" / "2026-10-29.yaml"
    os.symlink("2026-10-29.yaml", note.parent / "same.yaml")
    result = json.loads(pcplan(reference, "check", *AS_OF, "-f", "json").stdout)
    assert result["summary"]["files"] == 30
    assert not [f for f in result["findings"] if f["path"].startswith(ELENA)]


def test_symlink_problem_names_why(tmp_path):
    from pcplan.walk import HIDDEN, symlink_problem
    from pcplan.walk import OUTSIDE as OUT

    root = tmp_path / "root"
    (root / ".git").mkdir(parents=True)
    (root / "a.yaml").write_text("kind: note\n", encoding="utf-8")
    (root / ".git" / "config").write_text("x\n", encoding="utf-8")
    (tmp_path / "out.yaml").write_text("x\n", encoding="utf-8")
    cases = {"in.yaml": "a.yaml", "out.yaml": "../out.yaml", "git.yaml": ".git/config", "nowhere.yaml": "none.yaml",
             "gone.yaml": "/nonexistent/x.yaml", "loop.yaml": "loop.yaml"}
    for name, target in cases.items():
        os.symlink(target, root / name)
    assert symlink_problem(root / "a.yaml", root) is None  # not a link
    assert {name: symlink_problem(root / name, root) for name in cases} == {
        "in.yaml": None, "out.yaml": OUT, "git.yaml": HIDDEN, "nowhere.yaml": None, "gone.yaml": OUT,
        "loop.yaml": None}  # a dangling link or a loop inside is left to the reader, which says why
