"""The CI recipes in docs/ci.md work: the workflow and pre-commit snippets parse and name real commands."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml

from conftest import PROJECT, SAMPLE_CASES

CI_PAGE = (PROJECT / "docs" / "ci.md").read_text(encoding="utf-8")  # the README links to it


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", CI_PAGE, flags=re.S)


def yaml_block(top_key: str):
    """The page's one YAML example whose top level holds ``top_key`` (the examples are found by what they
    are, not by their order on the page)."""
    found = [block for block in map(yaml.safe_load, yaml_blocks()) if isinstance(block, dict) and top_key in block]
    assert len(found) == 1, f"{len(found)} examples with `{top_key}:` in docs/ci.md"
    return found[0]


def pcplan_commands(node) -> list[str]:
    if isinstance(node, dict):
        return [c for value in node.values() for c in pcplan_commands(value)]
    if isinstance(node, list):
        return [c for value in node for c in pcplan_commands(value)]
    return [node] if isinstance(node, str) and node.startswith("pcplan ") else []


def test_workflow_parses_and_every_pcplan_step_runs(tmp_path):
    workflow = yaml_block("jobs")
    steps = workflow["jobs"]["check"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    commands = pcplan_commands(workflow)
    assert commands == ["pcplan check", "pcplan check --output-format sarif --output pcplan.sarif --exit-zero"]
    cases = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, cases)
    env = {**os.environ, "PCPLAN_TODAY": "2026-11-22", "GITHUB_ACTIONS": "true", "CI": "true",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    codes = []
    for command in commands:
        args = shlex.split(command)[1:]
        result = subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cases, env=env,
                                capture_output=True, text=True)
        codes.append(result.returncode)
        if command == commands[0]:
            assert result.stdout.startswith("::error file=members/")  # auto-selected under GitHub Actions
    assert codes == [1, 0]  # the sample cases have errors; --exit-zero keeps the SARIF step green
    sarif = json.loads((cases / "pcplan.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "## pcplan check" in (tmp_path / "summary.md").read_text()


def test_shard_matrix_snippet_names_a_real_option(tmp_path):
    matrix = yaml_block("strategy")
    assert matrix["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    command = matrix["steps"][0]["run"].replace("${{ matrix.shard }}", "2")
    result = subprocess.run([sys.executable, "-m", "pcplan", *shlex.split(command)[1:], "--exit-zero"],
                            cwd=SAMPLE_CASES, capture_output=True, text=True,
                            env={**os.environ, "PCPLAN_TODAY": "2026-11-22"})
    assert result.returncode == 0, result.stderr


def test_pre_commit_snippet_uses_the_real_hook():
    config = yaml_block("repos")
    hook = config["repos"][0]["hooks"][0]
    provided = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == provided[0]["id"] == "pcplan-check"
    assert hook["entry"] == provided[0]["entry"] == "pcplan check --member-folders"
    assert re.search(hook["files"], "members/M-000123/plan-2026-09-03.yaml")
    assert not re.search(hook["files"], "README.md")


def test_pre_commit_hook_checks_whole_member_folders_of_changed_files(repo):
    """As pre-commit calls it: the changed plan is passed; the finding it causes in a note is reported."""
    repo.edit("members/M-000123/plan-2026-09-03.yaml", "  - id: G3\n", "  - id: G5\n")  # notes still name G3
    repo.write(".pre-commit-config.yaml", "repos: []\n")
    result = subprocess.run([sys.executable, "-m", "pcplan", "check", "--member-folders", "--today", "2026-11-22",
                             "members/M-000123/plan-2026-09-03.yaml", ".pre-commit-config.yaml"],
                            cwd=repo.root, capture_output=True, text=True)
    assert result.returncode == 1
    assert "members/M-000123/notes/2026-10-01.yaml:12:11: L102" in result.stdout
    assert ".pre-commit-config" not in result.stdout


def test_junit_from_the_command_line_parses(tmp_path):
    from xml.etree import ElementTree as ET

    out = tmp_path / "report.xml"
    subprocess.run([sys.executable, "-m", "pcplan", "check", "-f", "junit", "-o", str(out), "--exit-zero",
                    "--today", "2026-11-22", str(SAMPLE_CASES)], check=True)
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and int(root.get("failures")) > 0
