"""Tests of the N codes, the rules of notes: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ELENA, ELENA_NOTE, ELENA_PLAN, at, codes_of, found, only, where
from pcplan.cli import app
from pcplan.placeholders import TEMPLATE_TEXT, is_placeholder

# N801 note-without-goal

def test_n801_note_with_empty_progress(repo):
    text = repo.read(ELENA_NOTE)
    start = text.index("progress:")
    repo.write(ELENA_NOTE, text[:start] + "progress: []\n" + text[text.index("satisfaction:"):])
    finding = only(repo.check(), "N801")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "progress:"))
    assert "P1" in finding.message


def test_n801_note_without_progress_points_at_the_root(repo):
    text = repo.read(ELENA_NOTE)
    start = text.index("progress:")
    repo.write(ELENA_NOTE, text[:start] + text[text.index("satisfaction:"):])
    assert at(only(repo.check(), "N801")) == (ELENA_NOTE, 1, 1)


def test_n801_progress_entries_without_a_goal(repo):
    repo.edit(ELENA_NOTE, "  - goal: G1\n", "  - text: Checked in.\n")
    repo.edit(ELENA_NOTE, "  - goal: G3\n", "  - satisfaction: Fine.\n")
    assert at(only(repo.check(), "N801")) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "progress:"))


def test_n801_intake_note_before_any_plan_is_exempt(repo):
    note = "members/M-000123/notes/2026-08-10.yaml"
    repo.write(note, "kind: note\nversion: 1\nmember: M-000123\ndate: 2026-08-10\nstaff: cm-jlee\n"
               "contact: face_to_face\nwith: [Elena]\ntext: Intake visit at home.\n")
    assert codes_of(repo.check(), "N801") == []


NOV18 = f"{ELENA}/notes/2026-11-18.yaml"

NOV18_TEXT = "text: Will add a Wednesday ride to the senior lunch at the next plan review if Elena still wants it.\n"

NO_CONTACT = ", so it counts as no contact; write what happened and what comes next"


def set_text(repo, path: str = NOV18, text: str = "") -> None:
    """The 11-18 note's narrative replaced by ``text`` (a whole line, or nothing)."""
    repo.edit(path, NOV18_TEXT, text)


def run(repo, *args: str):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


# ---------------------------------------------------------------- N802


def test_notes_that_say_what_happened_are_clean(repo):
    assert found(repo, "N802") == []


def test_the_placeholder_pcplan_new_writes_is_reported_at_the_text(repo):
    set_text(repo, text="text: ...\n")
    assert found(repo, "N802") == [("N802",) + where(repo, NOV18, "...") + (
        "this note's `text` is still the placeholder `pcplan new` wrote" + NO_CONTACT,)]


def test_a_note_without_text_is_reported_at_the_note(repo):
    set_text(repo)
    assert found(repo, "N802") == [("N802", NOV18, 1, 1, "this note records no narrative (`text`), so it counts as "
                                    "no contact; write what happened and what comes next under `text`")]


@pytest.mark.parametrize("line, what", [
    ("text: ''\n", "is empty"),
    ("text: '   '\n", "is empty"),
    ("text: [Called Elena]\n", "is not text"),
    ("text: 42\n", "is not text"),
    ("text: N/A\n", "is a placeholder, not an account of what happened"),
    ("text: TBD.\n", "is a placeholder, not an account of what happened"),
    ("text: <what happened>\n", "is a placeholder, not an account of what happened"),
    ("text: 'TODO: write this up'\n", "is a placeholder, not an account of what happened"),
    ("text: …\n", "is a placeholder, not an account of what happened"),
    ("text: what happened and what comes next\n", "is a placeholder, not an account of what happened"),
])
def test_empty_wrong_typed_and_placeholder_texts(repo, line, what):
    set_text(repo, text=line)
    value = line.split(": ", 1)[1].strip()
    assert found(repo, "N802") == [("N802",) + where(repo, NOV18, "text: " + value, offset=6) + (
        f"this note's `text` {what}" + NO_CONTACT,)]


@pytest.mark.parametrize("value", ["Called; no answer, left a message.", "No show; rescheduled for Friday.",
                                   "Todd from the pharmacy called back.", "x-ray results reviewed with Elena."])
def test_a_short_true_account_is_a_narrative(repo, value):
    set_text(repo, text=f"text: {value}\n")
    assert found(repo, "N802") == []


def test_every_note_is_checked_whatever_its_date(repo):
    """A note of Abdi's closed case, and one dated before Elena's plan: both still need their narrative."""
    abdi = "members/M-000301/notes/2026-09-28.yaml"
    repo.write(abdi, "\n".join(kept for kept in repo.read(abdi).splitlines() if not kept.startswith("text:")) + "\n")
    old = f"{ELENA}/notes/2026-08-25.yaml"
    repo.write(old, repo.read(NOV18).replace("date: 2026-11-18", "date: 2026-08-25").replace(NOV18_TEXT, "text: '-'\n"))
    assert [f[1] for f in found(repo, "N802")] == [old, abdi]


# ---------------------------------------------------------------- what counts: N801, P411


def test_n801_an_empty_notes_progress_counts_for_no_goal(repo):
    set_text(repo, text="text: ...\n")
    assert found(repo, "N801") == [("N801",) + where(repo, NOV18, "progress:") + (
        "this note names goals of plan P1 under `progress` but records nothing of what happened (N802), so it "
        "shows progress on none; write what happened under `text`",)]
    repo.edit(NOV18, "text: ...\n", "")  # no text at all: the same
    assert [f[1:4] for f in found(repo, "N801")] == [where(repo, NOV18, "progress:")]
    repo.write(NOV18, repo.read(NOV18) + "text: Elena went to the senior lunch twice.\n")
    assert found(repo, "N801") == []


# ---------------------------------------------------------------- the one definition of a placeholder


@pytest.mark.parametrize("value", [None, 3, ["x"], "", "  ", TEMPLATE_TEXT, "…", "--", "?", "___", "N/A", "n/a.",
                                   "None", "TBD", "to be determined", "Pending", "see above", "per policy",
                                   "<what happened>", "{{ text }}", "TODO", "todo: call back", "FIXME later",
                                   "What changed, in plain words", "Full Name"])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["Called; no answer.", "Seen at home.", "No show; rescheduled.", "Todd called.",
                                   "Elena says <3 the new aide.", "Same time next week, she asked."])
def test_not_placeholders(value):
    assert not is_placeholder(value)


# ---------------------------------------------------------------- pcplan new fills in nothing that did not happen


def test_new_note_leaves_who_took_part_goals_and_text_to_the_case_manager(repo):
    result = run(repo, "new", "note", ELENA, "--contact", "phone", "--today", "2026-12-20")
    assert result.exit_code == 0, result.output
    path = f"{ELENA}/notes/2026-12-20.yaml"
    text = repo.read(path)
    data = yaml.safe_load(text)
    assert "with" not in data and data["progress"] == [] and "satisfaction" not in data
    assert data["text"] == TEMPLATE_TEXT
    assert "#   - Elena" in text and "#   - goal: G1" in text  # offered in comments, never filled in
    # the unedited note is N802, and the phone contact due 12-18 is still open: an error
    n802 = [f for f in found(repo, "N802", today=date(2026, 12, 20))]
    assert n802 == [("N802",) + where(repo, path, "\ntext: ...", offset=7) + (
        "this note's `text` is still the placeholder `pcplan new` wrote" + NO_CONTACT,)]
    t205 = only(repo.check(ELENA, today=date(2026, 12, 20), select=("T205",)), "T205")
    assert (t205.path, t205.severity) == (ELENA_PLAN, "error")
    # written up, with Elena named, it is the contact that closed the gap: a warning, never on the note
    repo.edit(path, "\ntext: ...\n", "\ntext: Elena says the aide came every day.\nwith: [Elena]\n")
    t205 = only(repo.check(ELENA, today=date(2026, 12, 20), select=("T205",)), "T205")
    assert (t205.path, t205.severity, [r.path for r in t205.related]) == (ELENA_PLAN, "warning", [path])


def test_new_assessment_names_no_participant(repo):
    result = run(repo, "new", "assessment", ELENA, "--today", "2026-12-20")
    assert result.exit_code == 0, result.output
    text = repo.read(f"{ELENA}/assessment-2026-12-20.yaml")
    assert yaml.safe_load(text)["participants"] == []
    assert "#   - name: Elena\n#     role: member" in text


def test_a_new_note_passes_the_schema(repo):
    assert run(repo, "new", "note", ELENA, "--contact", "collateral", "--today", "2026-12-20").exit_code == 0
    assert [f for f in repo.check(ELENA, today=date(2026, 12, 20)) if f.code.startswith("E")] == []
    assert Path(repo.path(f"{ELENA}/notes/2026-12-20.yaml")).read_text(encoding="utf-8").endswith("text: ...\n")


# ---------------------------------------------------------------- N801: collateral and incident notes

NOTE = """kind: note
version: 1
member: M-000123
date: 2026-11-20
staff: cm-jlee
contact: {contact}
with: [{with_}]
{extra}text: Rosa called. Elena was admitted to North Colorado Medical Center last night after a fall.
"""


ADMISSION = f"{ELENA}/notes/2026-11-20.yaml"


def test_n801_a_collateral_note_reporting_a_hospital_admission_needs_no_goal(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Rosa Ruiz (sister)", extra=""))
    assert found(repo, "N801") == []
    repo.write(ADMISSION, NOTE.format(contact="collateral", with_="Rosa Ruiz (sister)", extra=""))
    assert found(repo, "N801") == []


def test_n801_a_note_of_a_contact_with_the_member_relates_to_a_goal(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Elena", extra=""))
    assert found(repo, "N801") == [("N801", ADMISSION, 1, 1, "this note records progress on no goal of plan P1 "
                                    "(in effect on 2026-11-20); add a `progress` entry naming the goal it relates to")]


def test_n801_an_incident_note_needs_no_goal_even_with_the_member(repo):
    repo.write(ADMISSION, NOTE.format(contact="face_to_face", with_="Elena, Rosa Ruiz (sister)",
                                      extra="incident: true\n"))
    assert found(repo, "N801") == []


def test_n801_an_incident_flag_of_the_wrong_type_is_a_schema_finding(repo):
    repo.write(ADMISSION, NOTE.format(contact="phone", with_="Elena", extra="incident: yes please\n"))
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert only(findings, "E004").line == 8
    assert only(findings, "N801").path == ADMISSION
