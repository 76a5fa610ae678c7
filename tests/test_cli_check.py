"""`pcplan check` as a user and a CI job run it: exit codes, formats, flags, paths."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import DANNY_PLAN, ELENA_NOTE, ELENA_PLAN
from pcplan import __version__
from pcplan.cli import app

runner = CliRunner()
TODAY = ["--today", "2026-11-22"]


def run(repo, *args, env=None):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def broken(repo):
    """One error (L104: SP1 serves no goal) and so one warning (L105: G1 has no support)."""
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")
    return repo


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"pcplan {__version__} (case file schema version 1)\n"


def test_help_groups_commands_into_panels():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "Checking case files" in result.output and "Rules and schemas" in result.output


def test_clean_repository_exits_0_and_concise_says_what_it_checked(repo):
    result = run(repo, "check", *TODAY)
    assert (result.exit_code, result.output) == (
        0, "All checks passed: no findings in 29 files (repository: the current folder).\n")


def test_findings_exit_1_in_concise_format(broken):
    result = run(broken, "check", *TODAY)
    assert result.exit_code == 1
    line, column = broken.locate(ELENA_PLAN, "goals: []", offset=7)
    goal_line, goal_column = broken.locate(ELENA_PLAN, "id: G1")
    assert result.output.splitlines() == [
        f"{ELENA_PLAN}:{goal_line}:{goal_column}: L105 [warning] active goal G1 has no support working toward it",
        f"{ELENA_PLAN}:{line}:{column}: L104 [error] support SP1 serves no goal; add `goals: [G…]`",
        "Found 2 findings (1 error, 1 warning) in 29 files (repository: the current folder).",
    ]


def test_fail_on_and_exit_zero(broken):
    broken.edit(ELENA_PLAN, "    goals: []\n", "    goals: [G2]\n")  # only the L105 warning is left
    assert run(broken, "check", *TODAY).exit_code == 0
    assert run(broken, "check", *TODAY, "--fail-on", "warning").exit_code == 1
    assert run(broken, "check", *TODAY, "--fail-on", "warning", "--exit-zero").exit_code == 0


def test_json_shape_sorted_relative_forward_slash_paths(broken):
    result = run(broken, "check", *TODAY, "--output-format", "json")
    document = json.loads(result.output)
    assert document["version"] == 1
    error = document["findings"][1]
    assert set(error) >= {"code", "name", "severity", "path", "line", "column", "message", "member", "excepted"}
    assert (error["code"], error["name"], error["severity"]) == ("L104", "support-without-goal", "error")
    assert error["path"] == ELENA_PLAN and error["member"] == "M-000123" and error["excepted"] is False
    assert (error["line"], error["column"]) == broken.locate(ELENA_PLAN, "goals: []", offset=7)
    assert error["data_path"] == "supports[0].goals"
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in document["findings"]]
    assert keys == sorted(keys)
    assert document["summary"]["error"] == 1 and document["summary"]["warning"] == 1
    assert document["summary"]["members"] == 3


def test_paths_are_relative_to_the_current_folder(broken):
    old = os.getcwd()
    os.chdir(broken.root.parent)
    try:
        result = runner.invoke(app, ["check", *TODAY, "-f", "json", "cases/members/M-000123"])
    finally:
        os.chdir(old)
    paths = {f["path"] for f in json.loads(result.output)["findings"]}
    assert paths == {"cases/" + ELENA_PLAN}


def test_full_format_shows_the_line_a_caret_and_a_hint(broken):
    result = run(broken, "check", *TODAY, "-f", "full", "--select", "L104", env={"CI": None})
    line, column = broken.locate(ELENA_PLAN, "goals: []", offset=7)
    lines = result.output.splitlines()
    assert lines[0] == "error[L104] support SP1 serves no goal; add `goals: [G…]`"
    assert lines[1].strip() == f"--> {ELENA_PLAN}:{line}:{column}"
    source = next(text for text in lines if text.lstrip().startswith(f"{line} |"))
    caret = lines[lines.index(source) + 1]
    assert source.index("[]") == caret.index("^")
    assert any("= hint: Add the ids of the goals the support serves" in text for text in lines)
    assert "Found 1 finding (1 error)" in result.output


def test_full_format_quotes_no_case_text_in_ci(broken):
    result = run(broken, "check", *TODAY, "-f", "full", env={"CI": "true"})
    assert "goals: []" not in result.output and "--> " in result.output
    result = run(broken, "check", *TODAY, "-f", "full", "--no-source")
    assert "goals: []" not in result.output


def test_select_ignore_and_prefixes(broken):
    assert run(broken, "check", *TODAY, "--select", "L105").output.count("L10") == 1
    assert "L104" not in run(broken, "check", *TODAY, "--ignore", "L104").output
    assert run(broken, "check", *TODAY, "--select", "E,L1").output.count("L10") == 2
    assert run(broken, "check", *TODAY, "--select", "E").output.startswith("All checks passed: no findings")


def test_statistics(broken):
    result = run(broken, "check", *TODAY, "--statistics")
    assert result.output.splitlines() == [
        "     1  L104  support-without-goal [error]",
        "     1  L105  goal-without-support [warning]",
        "Found 2 findings (1 error, 1 warning) in 29 files (repository: the current folder).",
    ]


def test_output_file_and_byte_identical_runs(broken, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run(broken, "check", *TODAY, "-f", "json", "-o", str(first))
    run(broken, "check", *TODAY, "-f", "json", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text())["summary"]["findings"] == 2


def test_output_refuses_git_folder_and_case_files(broken):
    (broken.root / ".git").mkdir()
    assert run(broken, "check", *TODAY, "-o", ".git/report.txt").exit_code == 2
    result = run(broken, "check", *TODAY, "-o", ELENA_NOTE)
    assert result.exit_code == 2 and "never writes over" in result.output


def test_today_from_environment_and_bad_today(broken):
    assert run(broken, "check", env={"PCPLAN_TODAY": "2026-11-22"}).exit_code == 1
    result = run(broken, "check", "--today", "22/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_output_format_from_environment(broken):
    result = run(broken, "check", *TODAY, env={"PCPLAN_OUTPUT_FORMAT": "json"})
    assert json.loads(result.output)["version"] == 1


@pytest.mark.parametrize("args", [["check", "no-such-folder"], ["check", "--select", "Z999"],
                                  ["check", "--output-format", "xml"]])
def test_usage_errors_exit_2(repo, args):
    assert run(repo, *args, *TODAY).exit_code == 2


def test_configuration_error_exits_2_naming_key_and_file(repo):
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace("[settings]", "[settings]\nreview_intervall = 3"))
    result = run(repo, "check", *TODAY)
    assert result.exit_code == 2
    assert "pcplan.toml" in result.output and "settings.review_intervall" in result.output


def test_a_crashing_rule_is_an_internal_error_finding_and_exit_2(repo, monkeypatch):
    from pcplan.rules import RULES

    def explode(case, ctx):
        raise RuntimeError("boom")

    original = RULES["L105"]
    monkeypatch.setitem(RULES, "L105", type(original)(**{**original.__dict__, "check": explode}))
    repo.edit(DANNY_PLAN, "    goals: [G3]\n", "    goals: []\n")
    result = run(repo, "check", *TODAY)
    assert result.exit_code == 2
    assert "E000 [error] internal error in rule L105 (RuntimeError)" in result.output
    assert "L104" in result.output  # the other rules still ran


def _in_terminal(repo, *args, env_extra=None, columns=100):
    """Run pcplan attached to a pseudo-terminal, as a case manager would."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "FORCE_COLOR")}
    env.update({"COLUMNS": str(columns), "TERM": "xterm-256color", **(env_extra or {})})
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pcplan", *args], cwd=repo.root, stdout=follower,
                               stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    return process.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_terminal_defaults_to_full_with_colour_and_respects_no_color(broken):
    colour = re.compile(r"\x1b\[[0-9;]*;?3[0-9]m")
    code, output = _in_terminal(broken, "check", *TODAY)
    assert code == 1 and colour.search(output) and "hint:" in output
    code, output = _in_terminal(broken, "check", *TODAY, env_extra={"NO_COLOR": "1"})
    assert code == 1 and not colour.search(output) and "hint:" in output


def test_narrow_terminal_crops_source_and_keeps_the_caret_aligned(broken):
    broken.edit(ELENA_PLAN, "    goals: []\n",
                "    goals: []   # a very long trailing comment that will not fit in a narrow terminal window\n")
    code, output = _in_terminal(broken, "check", *TODAY, "--select", "L104", env_extra={"NO_COLOR": "1"},
                                columns=40)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", text) for text in output.splitlines()]
    # The location line is left to the terminal to wrap, so the path stays whole for copying.
    assert any(text.strip().startswith(f"--> {ELENA_PLAN}:") for text in lines)
    assert all(len(text) <= 40 for text in lines if "-->" not in text), lines
    source = next(text for text in lines if re.match(r"^\s*\d+ \| ", text))
    assert source.endswith("…")
    assert source.index("[]") == lines[lines.index(source) + 1].index("^")


def test_output_to_a_device_writes_through_and_keeps_the_device(broken, tmp_path):
    """`--output /dev/null` must not replace the device with a file (as root, a rename would)."""
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, encoding="utf-8").read()))
    reader.start()
    result = run(broken, "check", *TODAY, "-f", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 1
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["version"] == 1
    assert run(broken, "check", *TODAY, "-o", os.devnull).exit_code == 1
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
