"""A member folder pcplan cannot read (its path past PATH_MAX) is never skipped in silence: `check` reports it
as E005, and `due`, `report` and `export fhir` each say which place they could not read, so a caseload
calendar or a supervisor's report is never quietly short of members."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_CASES
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]


@pytest.fixture
def deep(repo):
    """A copy of Elena's folder (as M-000999) below a folder whose path is past PATH_MAX."""
    old = os.getcwd()
    os.chdir(repo.root / "members")
    try:
        for _ in range(25):  # 25 × 201 characters
            os.mkdir("d" * 200)
            os.chdir("d" * 200)
        shutil.copytree(SAMPLE_CASES / "members" / "M-000123", "M-000999")
        assert len(os.getcwd()) > 4096
    finally:
        os.chdir(old)
    return repo


def _run(repo, *args, ci=False):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return CliRunner().invoke(app, list(args), env={"CI": "true" if ci else None}, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_check_reports_the_place_it_could_not_read(deep):
    result = _run(deep, "check", "--no-cache", *AS_OF, "-f", "json")
    unread = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "E005"]
    assert len(unread) == 1 and unread[0]["path"].startswith("members/ddd")
    assert result.exit_code == 1


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_due_says_which_members_it_could_not_count(deep, fmt):
    result = _run(deep, "due", "--no-cache", *AS_OF, "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert "the members below it are not in this list" in result.stderr
    assert "File name too long" in result.stderr and "Traceback" not in result.stderr
    if fmt == "json":
        (entry,) = json.loads(result.stdout)["unread"]
        assert entry["path"].startswith("members/ddd") and "too long" in entry["reason"]


def test_report_says_which_members_it_could_not_count(deep):
    result = _run(deep, "report", "--no-cache", *AS_OF, "-f", "json")
    assert "the members below it are not in this report" in result.stderr
    (entry,) = json.loads(result.stdout)["unread"]
    assert entry["path"].startswith("members/ddd")


def test_a_readable_repository_reports_no_unread_place(repo):
    assert json.loads(_run(repo, "report", "--no-cache", *AS_OF, "-f", "json").stdout)["unread"] == []
    assert json.loads(_run(repo, "due", "--no-cache", *AS_OF, "-f", "json").stdout)["unread"] == []


def test_export_counts_the_place_as_not_exported(deep, tmp_path):
    result = _run(deep, "export", "fhir", ".", "--allow-incomplete", "-o", f"{tmp_path}/out/", *AS_OF)
    assert result.exit_code == 1, result.stderr
    assert "the members below it are not exported" in result.stderr
    assert "1 place not read" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "M-000123.fhir.json", "M-000207.fhir.json", "M-000301.fhir.json"]


def test_under_ci_the_unread_folder_name_is_not_shown_when_it_is_words(repo):
    folder = repo.root / "members" / "Elena Ruiz records"
    folder.mkdir()
    old = os.getcwd()
    os.chdir(folder)
    try:
        for _ in range(25):
            os.mkdir("d" * 200)
            os.chdir("d" * 200)
        shutil.copytree(SAMPLE_CASES / "members" / "M-000123", "M-000999")
    finally:
        os.chdir(old)
    result = _run(repo, "due", "--no-cache", *AS_OF, "-f", "json", ci=True)
    assert "Elena" not in result.stderr + result.stdout
    assert "not in this list" in result.stderr
