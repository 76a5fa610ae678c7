"""Documented exceptions, stale exceptions (E008), baselines and the content fingerprint."""

from __future__ import annotations

import json
import os
import re

import pytest
from typer.testing import CliRunner

from conftest import ELENA_ASSESSMENT, ELENA_NOTE, ELENA_PLAN, at, only
from pcplan.cli import app

runner = CliRunner()
TODAY = ["--today", "2026-11-22"]


def run(repo, *args):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def exceptions(*entries: str) -> str:
    body = "".join(f"  - {{{entry}, reason: Documented with the member., documented_by: cm-jlee, on: 2026-11-01}}\n"
                   for entry in entries)
    return "exceptions:\n" + body


@pytest.fixture
def unquantified(repo):
    """SP1 has no frequency: an L109 error."""
    repo.edit(ELENA_PLAN, "    unit: visit\n    frequency: weekly\n", "    unit: visit\n")
    return repo


def test_exception_turns_the_finding_into_an_excepted_one_that_does_not_fail(unquantified):
    unquantified.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L109, about: SP1"))
    finding = only(unquantified.check(), "L109")
    assert finding.excepted
    result = run(unquantified, "check", *TODAY)
    assert result.exit_code == 0
    assert "L109 [error] (excepted) support SP1" in result.output
    document = json.loads(run(unquantified, "check", *TODAY, "-f", "json").output)
    assert document["findings"][0]["excepted"] is True
    assert document["summary"]["findings"] == 0 and document["summary"]["excepted"] == 1


def test_exception_about_another_item_does_not_cover_and_is_stale(unquantified):
    unquantified.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L109, about: SP2"))
    findings = unquantified.check()
    assert not only(findings, "L109").excepted
    stale = only(findings, "E008")
    assert at(stale) == (ELENA_PLAN, *unquantified.locate(ELENA_PLAN, "rule: L109", offset=6))
    assert stale.severity == "warning" and "about SP2" in stale.message


def test_exception_without_about_covers_every_finding_of_the_rule(unquantified):
    unquantified.edit(ELENA_PLAN, "    unit: hours\n    frequency: weekly\n", "    unit: hours\n")
    unquantified.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L109"))
    findings = unquantified.check()
    assert [f.excepted for f in findings if f.code == "L109"] == [True, True]
    assert "E008" not in [f.code for f in findings]


def test_exception_covers_findings_in_other_files_of_the_member(repo):
    # (L103 is reported in the plan itself since issue 13: a note's finding stands for "another file" here)
    repo.edit(ELENA_NOTE, "  - goal: G3\n", "  - goal: G6\n")
    repo.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L102, about: G6"))
    finding = only(repo.check(), "L102")
    assert finding.path == ELENA_NOTE and finding.excepted


def test_stale_exception_for_a_rule_that_no_longer_fires(repo):
    repo.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L101"))
    stale = only(repo.check(), "E008")
    assert at(stale) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "rule: L101", offset=6))


def test_exception_for_a_rule_switched_off_is_not_called_stale(repo):
    repo.edit(ELENA_PLAN, "exceptions: []\n", exceptions("rule: L101"))
    assert repo.check(ignore=("L101",)) == []


def test_exception_in_a_superseded_plan_does_not_apply(unquantified):
    old = unquantified.read(ELENA_PLAN).replace("date: 2026-09-03\ntype: initial", "date: 2026-08-25\ntype: initial")
    old = old.replace("id: P1\n", "id: P0\n").replace("exceptions: []\n", exceptions("rule: L109"))
    unquantified.write("members/M-000123/plan-2026-08-25.yaml", old)
    assert not only(unquantified.check(), "L109").excepted


# --- baseline -------------------------------------------------------------------------------

def test_baseline_hides_known_findings_even_when_lines_move(unquantified, tmp_path):
    baseline = tmp_path / "baseline.json"
    result = run(unquantified, "check", *TODAY, "--write-baseline", str(baseline))
    assert result.exit_code == 0
    entries = json.loads(baseline.read_text())["findings"]
    assert entries == [{"member": "M-000123", "file": ELENA_PLAN, "code": "L109",
                        "data_path": "supports[0]", "count": 1}]
    unquantified.edit(ELENA_PLAN, "what_matters:", "# a comment pushing every line down\nwhat_matters:")
    result = run(unquantified, "check", *TODAY, "--baseline", str(baseline))
    assert (result.exit_code, result.output) == (0, "All checks passed: no findings in 29 files (repository: the "
                                                    "current folder). Not counted: 1 in the baseline.\n")
    document = json.loads(run(unquantified, "check", *TODAY, "-f", "json", "--baseline", str(baseline)).output)
    assert document["summary"]["baselined"] == 1


def test_baseline_still_reports_new_findings(unquantified, tmp_path):
    baseline = tmp_path / "baseline.json"
    run(unquantified, "check", *TODAY, "--write-baseline", str(baseline))
    unquantified.edit(ELENA_PLAN, "    needs: [N2]\n", "    needs: [N9]\n")
    result = run(unquantified, "check", *TODAY, "--baseline", str(baseline))
    assert result.exit_code == 1
    *findings, summary = result.output.splitlines()
    assert [line.split(": ")[1].split()[0] for line in findings] == ["L103", "L102"]
    assert summary.endswith(" Not counted: 1 in the baseline.")


def test_baseline_counts_repeated_keys(unquantified, tmp_path):
    """Two identical problems in one place: a baseline of one hides only one."""
    baseline = tmp_path / "baseline.json"
    run(unquantified, "check", *TODAY, "--write-baseline", str(baseline))
    unquantified.edit(ELENA_PLAN, "    start: 2026-09-07\n    end: 2027-03-31\n", "    start: 2026-09-07\n")
    result = run(unquantified, "check", *TODAY, "--baseline", str(baseline))
    assert result.output.count("L109") == 1


def test_write_baseline_never_overwrites_without_force(unquantified, tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text("{}")
    result = run(unquantified, "check", *TODAY, "--write-baseline", str(baseline))
    assert result.exit_code == 2 and baseline.read_text() == "{}"
    assert run(unquantified, "check", *TODAY, "--write-baseline", str(baseline), "--force").exit_code == 0


def test_bad_baseline_file_is_exit_2(repo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    result = run(repo, "check", *TODAY, "--baseline", str(bad))
    assert result.exit_code == 2 and "not a pcplan baseline" in result.output


# --- fingerprint ----------------------------------------------------------------------------

def fingerprint_of(repo, path=ELENA_PLAN):
    result = run(repo, "fingerprint", path)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_fingerprint_format_and_stability(repo):
    first = fingerprint_of(repo)
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", first)
    # key order, flow vs block style, quoting and line wrapping do not change the meaning
    repo.edit(ELENA_PLAN, "id: P1\nmember: M-000123\n", "member: \"M-000123\"\nid: P1\n")
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs:\n      - N3\n      - N4\n")
    repo.edit(ELENA_PLAN, "what_matters: I want to stay in my own home, keep cooking for my family, and see my friends at church.",
              "what_matters: >-\n  I want to stay in my own home, keep cooking for my family,\n  and see my friends at church.")
    # nor do signatures, distribution, reviews, notices and exceptions
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue}")
    assert fingerprint_of(repo) == first
    # a notice of a reduced service (C308) given after signing is a record, not content
    repo.edit(ELENA_PLAN, "reviews:\n", "notices:\n  - {support: SP1, given_on: 2026-11-21, method: mail}\nreviews:\n")
    assert fingerprint_of(repo) == first


def test_fingerprint_changes_with_content(repo):
    first = fingerprint_of(repo)
    repo.edit(ELENA_PLAN, "    amount: 6\n", "    amount: 8\n")
    assert fingerprint_of(repo) != first


def test_fingerprint_refuses_what_is_not_a_plan(repo):
    result = run(repo, "fingerprint", ELENA_ASSESSMENT)
    assert result.exit_code == 2 and "not a plan" in result.output
    assert run(repo, "fingerprint", "nope.yaml").exit_code == 2
