"""The README's main command on sample_cases/, and the reference repository in ../shared."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, SHARED
from pcplan.cli import app
from pcplan.engine import Options, check

EXPECTED = """\
sample_cases/members/M-000412/assessment-2026-08-05.yaml:33:5: L103 [error] need N4 is not addressed by any goal of plan P1 (plan-2026-08-19.yaml) nor deferred with a reason
sample_cases/members/M-000412/assessment-2026-08-05.yaml:45:5: L106 [error] risk R2 has no mitigation in plan P1 (plan-2026-08-19.yaml)
sample_cases/members/M-000412/notes/2026-10-14.yaml:8:1: E004 [error] unknown field `minuts` (did you mean `minutes`?)
sample_cases/members/M-000412/notes/2026-10-29.yaml:6:10: E004 [error] `contact` must be one of: face_to_face, video, phone, collateral, written
sample_cases/members/M-000412/plan-2026-08-19.yaml:63:13: L102 [error] need `N5` is not in assessment A1
sample_cases/members/M-000412/plan-2026-08-19.yaml:69:12: L101 [error] goal G5 cites no assessed need; add `needs: [N…]` from the assessment
sample_cases/members/M-000412/plan-2026-08-19.yaml:95:5: L109 [error] support SP3 does not say how often (`frequency`)
sample_cases/members/M-000412/plan-2026-08-19.yaml:95:5: L109 [error] support SP3 does not say when it ends (`end`)
sample_cases/members/M-000412/plan-2026-08-19.yaml:127:12: L104 [error] support SP6 serves no goal; add `goals: [G…]`
sample_cases/members/M-000530/assessment-2026-06-03.yaml:37:5: L107 [warning] barrier B2 has no strategy in plan P1 (plan-2026-06-17.yaml)
sample_cases/members/M-000530/member.yaml:24:22: E004 [error] `determined_on` is not a real date in the form YYYY-MM-DD
sample_cases/members/M-000530/notes/2026-11-10.yaml:3:9: E006 [error] `member: M-000123` does not match this folder's member.yaml (`M-000530`)
sample_cases/members/M-000530/plan-2026-06-17.yaml:35:5: E002 [error] duplicate key `target_date` (first at line 33); keep one: pcplan reads the first, other YAML tools silently keep the last
sample_cases/members/M-000530/plan-2026-06-17.yaml:52:5: L105 [warning] active goal G3 has no support working toward it
sample_cases/members/M-000530/plan-2026-06-17.yaml:80:9: E007 [error] id `SP2` is used twice in this file (first at line 70)
sample_cases/members/M-000644/member.yaml:40:5: A606 [error] case-manager assignment 2 (`cm-jlee`) changes the case manager without a reason; record why (`reason`), for example that the member asked for a change
sample_cases/members/M-000644/notes/2026-06-16.yaml:9:1: N801 [warning] this note records progress on no goal of plan P1 (in effect on 2026-06-16); add a `progress` entry naming the goal it relates to
sample_cases/members/M-000644/notes/2026-08-12.yaml:4:7: T205 [error] this contact came 2026-08-12, after the face_to_face contact due by 2026-05-08 under plan P1 (every 1 month since the last face_to_face contact on 2026-04-08, as the plan's monitoring agrees)
sample_cases/members/M-000644/notes/2026-09-09.yaml:16:7: P407 [warning] this note's `text` uses deficit language (`refuses`); describe the person and what happened in respectful, person-first words
sample_cases/members/M-000644/plan-2026-03-10.yaml:5:7: T201 [error] the next review was due on 2026-09-10 (plan date 2026-03-10 + 6 months); hold the review with the member and record it under `reviews`
sample_cases/members/M-000644/plan-2026-03-10.yaml:106:15: C302 [warning] the provider of support SP3 (a paid support) has not signed the plan; add a `role: provider` signature with its name and `signed_on`
sample_cases/members/M-000644/plan-2026-03-10.yaml:115:18: P402 [warning] the `description` of support SP4 calls the member by their legal first name; use the name they go by (`name.preferred` in member.yaml)
sample_cases/members/M-000644/plan-2026-03-10.yaml:138:5: H501 [error] rights modification RM1 does not document the less intrusive methods tried (`less_intrusive_methods`)
sample_cases/members/M-000644/plan-2026-03-10.yaml:161:58: T207 [warning] the member's copy was given on 2026-04-15, 30 days after the last signature (2026-03-16, `signatures[3].signed_on`); copies are due within 15 days
sample_cases/members/M-000644/plan-2026-03-10.yaml:161:95: C304 [warning] the member's copy is in `en` but the member prefers `es`; give a copy in the member's language
Found 25 findings (17 errors, 8 warnings) in 50 files (repository: sample_cases).
"""


def test_readme_main_command_on_sample_cases(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = CliRunner().invoke(app, ["check", "--today", "2026-11-22", "-f", "concise", "sample_cases"])
    assert result.exit_code == 1
    assert result.output == EXPECTED


def test_reference_repository_in_shared_checks_clean(monkeypatch, tmp_path):
    reference = SHARED / "examples" / "riverside"
    if not reference.is_dir():
        pytest.skip(f"{reference} is absent (it exists beside the project in the team's checkout and CI)")
    copy = tmp_path / "riverside"
    shutil.copytree(reference, copy)  # checked from a copy: pcplan never needs to write, but be sure
    result = check([copy], Options(today=date(2026, 11, 22)), cwd=copy)
    assert result.findings == [] and result.members == 3 and result.files == 29


def test_sample_cases_clean_members_match_the_reference():
    reference = SHARED / "examples" / "riverside"
    if not reference.is_dir():
        pytest.skip(f"{reference} is absent (it exists beside the project in the team's checkout and CI)")
    for folder, _, files in os.walk(reference):
        for name in files:
            source = os.path.join(folder, name)
            copy = PROJECT / "sample_cases" / os.path.relpath(source, reference)
            assert copy.read_bytes() == open(source, "rb").read(), copy
