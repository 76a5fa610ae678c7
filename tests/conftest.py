"""Shared fixtures: a clean case repository (the reference members) that a test edits once.

Tests assert exact positions. They find the expected line and column by
locating a snippet in the fixture text (``repo.locate``), which is independent
of the code under test and survives unrelated edits to the fixtures.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pcplan.engine import Options, check

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_CASES = PROJECT / "sample_cases"
CLEAN_MEMBERS = ("M-000123", "M-000207", "M-000301")  # the reference repository's members
SHARED = PROJECT.parent / "shared"
TODAY = date(2026, 11, 22)

# Files every test can name briefly.
ELENA_PLAN = "members/M-000123/plan-2026-09-03.yaml"
ELENA_ASSESSMENT = "members/M-000123/assessment-2026-08-20.yaml"
ELENA_MEMBER = "members/M-000123/member.yaml"
ELENA_NOTE = "members/M-000123/notes/2026-10-01.yaml"
DANNY_PLAN = "members/M-000207/plan-2026-05-20.yaml"
ABDI_PLAN = "members/M-000301/plan-2026-02-02.yaml"


# Variables a CI service or a user's shell sets that change what pcplan prints (CI hides member
# text, GITHUB_ACTIONS adds annotations, PCPLAN_* set defaults). Each test starts without them
# and sets the ones it is about, so the suite means the same on a laptop and in CI.
AMBIENT_ENVIRONMENT = ("CI", "GITHUB_ACTIONS", "PCPLAN_TODAY", "PCPLAN_OUTPUT_FORMAT", "PCPLAN_CACHE_DIR")


@pytest.fixture(autouse=True)
def _no_ambient_environment(monkeypatch, tmp_path_factory):
    for name in AMBIENT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    # The cache's key (pcplan.cache.secret) lives in the user's cache folder: the suite's in one of its own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@dataclass
class CaseRepo:
    root: Path

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def edit(self, relative: str, old: str, new: str, count: int = 1) -> None:
        """Replace a snippet that must occur exactly ``count`` times (guards against fixture drift)."""
        text = self.read(relative)
        assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {relative}"
        self.write(relative, text.replace(old, new))

    def locate(self, relative: str, snippet: str, offset: int = 0, occurrence: int = 1) -> tuple[int, int]:
        """1-based (line, column) of ``snippet`` (plus ``offset`` characters) in a file."""
        text = self.read(relative)
        index = -1
        for _ in range(occurrence):
            index = text.index(snippet, index + 1)
        index += offset
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return line, column

    def check(self, *paths: str, today: date = TODAY, **options):
        targets = [self.root / p for p in paths] or [self.root]
        return check(targets, Options(today=today, **options), cwd=self.root).findings

    def codes(self, *paths: str, **options) -> list[str]:
        return [f.code for f in self.check(*paths, **options)]


@pytest.fixture
def repo(tmp_path: Path) -> CaseRepo:
    root = tmp_path / "cases"
    root.mkdir()
    shutil.copy(SAMPLE_CASES / "pcplan.toml", root / "pcplan.toml")
    (root / "staff.yaml").write_text(reference_staff(), encoding="utf-8")
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return CaseRepo(root)


# sample_cases/staff.yaml is the reference's staff file, then (after this line) a case manager who has left,
# whom only the mistake members use (A609): the clean repository of the tests is the reference's.
SAMPLE_ONLY_STAFF = "  # Not in the reference repository"


def reference_staff() -> str:
    """The reference repository's staff.yaml, as sample_cases holds it before its sample-only staff."""
    text = (SAMPLE_CASES / "staff.yaml").read_text(encoding="utf-8")
    return text[:text.index(SAMPLE_ONLY_STAFF)] if SAMPLE_ONLY_STAFF in text else text


def only(findings, code: str):
    """The single finding with ``code``; fails with the whole list otherwise."""
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code}, got: " + "; ".join(
        f"{f.path}:{f.line}:{f.column} {f.code} {f.message}" for f in findings)
    return matching[0]


def at(finding) -> tuple[str, int, int]:
    return (finding.path, finding.line, finding.column)


def found(repo: CaseRepo, *codes: str, today: date = TODAY, paths=()) -> list[tuple]:
    """``(code, path, line, column, message)`` of each finding of ``codes``: what rule tests compare."""
    return [(f.code, f.path, f.line, f.column, f.message)
            for f in repo.check(*paths, today=today, select=codes) if f.code in codes]


def where(repo: CaseRepo, path: str, snippet: str, offset: int = 0, occurrence: int = 1) -> tuple:
    """``(path, line, column)`` of a snippet in a fixture file, the expected place of a finding."""
    return (path,) + repo.locate(path, snippet, offset, occurrence)
