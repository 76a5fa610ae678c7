"""A file lists at most 100 findings of one code, for every rule as for the loader and the schema: one
member.yaml of 3.7 MB once gave 66,101 findings, which buried everything else and every format's reader."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import ELENA_MEMBER, ELENA_PLAN
from pcplan.cli import app
from pcplan.load import MAX_PER_CODE


def _goals_without_needs(repo, count: int) -> None:
    goals = "".join(f"  - id: G{9 + i}\n    own_words: I want to try thing {i}.\n    needs: []\n"
                    for i in range(count))
    repo.edit(ELENA_PLAN, "goals:\n", "goals:\n" + goals)


def test_a_rule_lists_the_first_100_of_a_file_and_one_finding_counts_the_rest(repo):
    _goals_without_needs(repo, 250)
    l101 = [f for f in repo.check("members/M-000123", select=("L101",)) if f.code == "L101"]
    assert len(l101) == MAX_PER_CODE + 1
    summary = [f for f in l101 if "more L101 findings" in f.message]
    assert len(summary) == 1 and summary[0].path == ELENA_PLAN
    assert "150 more L101 findings in this file" in summary[0].message
    listed = sorted((f.line, f.column) for f in l101 if f is not summary[0])
    assert (summary[0].line, summary[0].column) > listed[-1]  # at the first one not listed


def test_at_the_cap_nothing_is_summarised(repo):
    _goals_without_needs(repo, MAX_PER_CODE)
    l101 = [f for f in repo.check("members/M-000123", select=("L101",)) if f.code == "L101"]
    assert len(l101) == MAX_PER_CODE and not [f for f in l101 if "more L101" in f.message]


def test_the_cap_is_per_file_and_per_code_in_the_json_output(repo, monkeypatch):
    _goals_without_needs(repo, 120)
    programs = "".join(f"  - program: P{i}\n    enrolled_on: 2026-01-0{1 + i % 9}\n" for i in range(130))
    repo.edit(ELENA_MEMBER, "programs:\n", "programs:\n" + programs)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(app, ["check", "--no-cache", "--today", "2026-11-22", "-f", "json",
                                      "--select", "L101,A607", "members/M-000123"])
    findings = json.loads(result.stdout)["findings"]
    by = {}
    for f in findings:
        by.setdefault((f["path"], f["code"]), []).append(f)
    assert len(by[(ELENA_PLAN, "L101")]) == MAX_PER_CODE + 1
    assert len(by[(ELENA_MEMBER, "A607")]) == MAX_PER_CODE + 1
