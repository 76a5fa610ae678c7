"""What a new user expects (issue 22, item 5): progress on stderr for long runs in a terminal (never in machine
formats or under CI), shell completion, `pcplan rule L1O1` suggesting L101 (and `--select`/`--ignore` alike),
`pcplan --version` naming the case file schema version, a CHANGELOG with upgrade notes.

Progress is tested through a real pseudo-terminal on stderr (pty), with the real command in its own process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, SAMPLE_CASES
from pcplan import __version__
from pcplan.cli import app
from pcplan.schema import KINDS, VERSIONS

runner = CliRunner()
DAY = ["--today", "2026-11-22"]
LINE = re.compile(rb"checking member folders: (\d+)")


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """sample_cases with 51 more copies of a clean member folder: 60 member folders, past the threshold (50)."""
    if not SAMPLE_CASES.is_dir():
        pytest.skip("sample_cases is absent")
    root = tmp_path_factory.mktemp("many") / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    for n in range(51):
        shutil.copytree(root / "members" / "M-000123", root / "members" / f"M-9{n:05d}")
    return root


def with_terminal_stderr(cwd: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """`pcplan ARGS` with stderr on a pseudo-terminal (stdout a pipe): the process and what reached the terminal."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cwd, stdout=subprocess.PIPE,
                                 stderr=follower, stdin=subprocess.DEVNULL, env={**os.environ, **env}, timeout=300)
    finally:
        os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: all was read
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process, seen


def test_a_long_run_shows_progress_on_a_terminal_and_erases_it(many):
    process, seen = with_terminal_stderr(many, "check", *DAY, "--no-cache")
    counts = [int(n) for n in LINE.findall(seen)]
    # It appears after 50 member folders or after a second, whichever comes first (a busy machine: earlier).
    assert counts and counts[-1] == 60 and counts == sorted(counts) and counts[0] >= 1
    assert seen.endswith(b"\x1b[2K")  # the line is erased at the end (transient)
    assert b"M-0" not in seen  # a count only, never a member's folder
    piped = subprocess.run([sys.executable, "-m", "pcplan", "check", *DAY, "--no-cache"], cwd=many,
                           capture_output=True, env=os.environ.copy(), timeout=300)
    assert (process.returncode, process.stdout) == (piped.returncode, piped.stdout)
    assert piped.stderr == b""


def test_report_table_shows_progress_too(many):
    _, seen = with_terminal_stderr(many, "report", *DAY, "--no-cache")
    assert [int(n) for n in LINE.findall(seen)][-1] == 60


@pytest.mark.parametrize(("args", "env"), [
    (["check", "-f", "json"], {}),
    (["check", "-f", "sarif"], {}),
    (["check", "-f", "junit"], {}),
    (["check"], {"CI": "true"}),
    (["check", "-f", "full"], {"CI": "1"}),
    (["report", "-f", "json"], {}),
])
def test_no_progress_in_machine_formats_or_under_ci(many, args, env):
    process, seen = with_terminal_stderr(many, *args, *DAY, "--no-cache", **env)
    assert process.returncode in (0, 1)
    assert seen == b""


# -- shell completion -------------------------------------------------------------------------------------------

def test_help_offers_completion():
    output = runner.invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout
    assert "--install-completion" in output and "--show-completion" in output


def completion(shell_var: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pcplan"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_PCPLAN_COMPLETE": shell_var, **env})


@pytest.mark.parametrize(("shell", "start"), [("bash", "_pcplan_completion() {"), ("zsh", "#compdef pcplan"),
                                             ("fish", "complete --command pcplan ")])
def test_the_completion_script_for_a_named_shell(shell, start):
    script = completion(f"source_{shell}")
    assert script.returncode == 0 and script.stderr == ""
    assert script.stdout.lstrip().startswith(start)


def test_completion_answers_commands_options_and_choices():
    def complete(words: str) -> list[str]:
        return completion("complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1)).stdout.split()

    assert complete("pcplan ch") == ["check"]
    assert complete("pcplan ru") == ["rules", "rule"]
    assert complete("pcplan check --case") == ["--case-manager"]
    assert complete("pcplan check -f ") == ["full", "concise", "json", "sarif", "github", "junit"]


def test_bash_completes_with_the_script_it_is_given(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    launcher = tmp_path / "pcplan"  # the command a user types, on PATH
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pcplan "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    script = completion("source_bash").stdout
    probe = 'COMP_WORDS=(pcplan rul); COMP_CWORD=1; _pcplan_completion pcplan; printf "%s\\n" "${COMPREPLY[@]}"'
    result = subprocess.run([bash, "--norc", "--noprofile", "-c", f"{script}\n{probe}"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert (result.returncode, result.stdout.split(), result.stderr) == (0, ["rules", "rule"], "")


# -- pcplan rule, --select and --ignore: close matches ----------------------------------------------------------

@pytest.mark.parametrize(("typed", "message"), [
    ("L1O1", "no rule `L1O1` (did you mean `L101`?); `pcplan rules` lists them"),
    ("l1o1", "no rule `l1o1` (did you mean `L101`?); `pcplan rules` lists them"),
    ("T2l4", "no rule `T2l4` (did you mean `T214`?); `pcplan rules` lists them"),
    ("noteempty", "no rule `noteempty` (did you mean `N802`?); `pcplan rules` lists them"),
    ("X123", "no rule `X123`; `pcplan rules` lists them"),
])
def test_rule_suggests_the_closest_code(typed, message):
    result = runner.invoke(app, ["rule", typed])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"pcplan: {message}\n")


@pytest.mark.parametrize("typed", ["l101", " L101 ", "goal-without-need"])
def test_rule_takes_any_letter_case_and_the_rule_name(typed):
    assert runner.invoke(app, ["rule", typed]).stdout == runner.invoke(app, ["rule", "L101"]).stdout


@pytest.mark.parametrize(("flag", "typed", "suggestion"), [
    ("--select", "L1O1", " (did you mean `L101`?)"),
    ("--ignore", "E004,noteempty", " (did you mean `N802`?)"),
    ("--select", "Q9", ""),
])
def test_select_and_ignore_suggest_the_closest_code(flag, typed, suggestion):
    bad = typed.split(",")[-1]
    result = runner.invoke(app, ["check", *DAY, str(SAMPLE_CASES), flag, typed])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", f"pcplan: {flag} names `{bad}`, which is not a pcplan rule code{suggestion}; `pcplan rules` lists them\n")


def test_select_takes_lowercase_codes_and_names():
    if not SAMPLE_CASES.is_dir():
        pytest.skip("sample_cases is absent")
    typed = runner.invoke(app, ["check", *DAY, "--no-cache", str(SAMPLE_CASES), "--select", "l101,note-empty"])
    upper = runner.invoke(app, ["check", *DAY, "--no-cache", str(SAMPLE_CASES), "--select", "L101,N802"])
    assert (typed.exit_code, typed.stdout) == (upper.exit_code, upper.stdout)
    assert [line.split(": ")[1].split()[0] for line in typed.stdout.splitlines()[:-1]] == ["L101", "N802"]


# -- version, changelog -----------------------------------------------------------------------------------------

def test_version_names_the_case_file_schema_version():
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"pcplan {__version__} (case file schema version 1)\n")
    assert VERSIONS == (1,)
    for kind in KINDS:  # the schemas say the same version in their $id
        schema = json.loads((PROJECT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert f"/v{VERSIONS[-1]}/" in schema["$id"], kind


def test_the_changelog_has_upgrade_notes_for_this_release():
    text = (PROJECT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == ["Unreleased", __version__]
    unreleased = text.split("\n## ")[1]
    assert "### Upgrading" in unreleased
    for named in ("`T214`", "`N802`", "`A608`", "`A609`", "`printed/`", "`-o -`", "--member-folders"):
        assert named in unreleased, named
