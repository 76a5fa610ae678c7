"""Tests of the E codes, the rules of structure: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import (
    ABDI_PLAN,
    DANNY_MEMBER,
    DANNY_PLAN,
    ELENA,
    ELENA_MEMBER,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    at,
    found,
    only,
    revision,
    run,
    where,
)
from pcplan.dates import FREQUENCY_PATTERN, SUPPORT_FREQUENCY_PATTERN, parse_frequency, parse_rate, per_day
from pcplan.load import load_file
from pcplan.schema import schema_for


def cut(repo, relative: str, start: str, end: str) -> None:
    """Remove the text from ``start`` up to (not including) ``end``."""
    text = repo.read(relative)
    begin = text.index(start)
    repo.write(relative, text[:begin] + text[text.index(end, begin):])


# wrong shapes are the schema's findings; the consent rules must not crash on them

def test_wrong_shapes_do_not_crash(repo):
    repo.edit(DANNY_MEMBER, "language:\n  preferred: en\n  interpreter_needed: false\n", "language: en\n")
    repo.edit(DANNY_MEMBER, "document_format: print\n", "document_format: [print]\n")
    cut(repo, DANNY_MEMBER, "representatives:\n", "programs:\n")
    repo.edit(DANNY_MEMBER, "programs:\n", "representatives: [Grace, {authority: legal_guardian, name: 7}]\nprograms:\n")
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2025-12-15\n", "rights_explained_on: [2025-12-15]\n")
    cut(repo, DANNY_PLAN, "signatures:\n", "exceptions:")
    repo.edit(DANNY_PLAN, "exceptions:", "signatures: [1, {role: member, name: 3, refused: yes, fingerprint: 12}]\n"
              "distribution:\n  - [x]\n  - {role: member, copy_given: true, given_on: 5, format: 7, language: 8}\n"
              "exceptions:")
    repo.edit(DANNY_PLAN, "    paid: true\n    provider: Lydia Park Host Home\n", "    paid: true\n    provider: [x]\n")
    codes = repo.codes()
    assert "E000" not in codes
    # the plan has no consent: a draft, whose copies wait (no C303); its undated member entry is C301's
    assert {"C301", "C306", "T213"} <= set(codes) and "C303" not in codes


SIGNED = "  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n"

AFTER = date(2027, 2, 10)  # a day the revision of 2027-01-20 is in effect


def notices(repo, *entries: str, target: str = ELENA_REVISION) -> None:
    repo.edit(target, "exceptions: []", "notices:\n" + "".join(f"  - {e}\n" for e in entries) + "exceptions: []")


def test_the_new_fields_are_accepted_by_the_schemas(repo):
    revision(repo, signatures=SIGNED)
    notices(repo, "{support: SP2, given_on: 2027-01-05, method: mail}", "{support: SP3, requested_by_member: true}")
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n    preferences_met: false\n"
              "    preference_unmet_reason: Nobody with both specialties had an opening.\n")
    assert [f for f in repo.check(today=AFTER) if f.code == "E004"] == []
    repo.edit(ELENA_REVISION, "method: mail", "method: carrier pigeon")
    (error,) = [f for f in repo.check(ELENA_REVISION, today=AFTER) if f.code == "E004"]
    assert (error.line, error.column) == repo.locate(ELENA_REVISION, "carrier pigeon")


NOTE_PATH = "members/M-000123/notes/2026-11-30.yaml"

VALID_NOTE = """kind: note
version: 1
member: M-000123
date: 2026-11-20
staff: cm-jlee
contact: phone
with: [Elena]
progress:
  - goal: G1
    text: Checked in.
"""


def test_e001_syntax_error_with_position_and_the_rest_still_checked(repo):
    repo.write(NOTE_PATH, "kind: note\nversion: 1\nwith: [Elena\n")
    repo.edit(DANNY_PLAN, "    needs: [N2]\n", "    needs: []\n")  # a defect in another member
    findings = repo.check()
    assert at(only(findings, "E001")) == (NOTE_PATH, 3, 7)  # the bracket never closed
    assert only(findings, "L101").path == DANNY_PLAN


def test_e001_merge_conflict_markers(repo):
    text = repo.read(ELENA_NOTE).replace(
        "minutes: 20\n", "<<<<<<< HEAD\nminutes: 20\n=======\nminutes: 25\n>>>>>>> feature\n")
    repo.write(ELENA_NOTE, text)
    finding = only(repo.check(), "E001")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "<<<<<<<"))
    assert "merge conflict" in finding.message


def test_e002_duplicate_key_names_both_lines(repo):
    repo.edit(ELENA_NOTE, "minutes: 20\n", "minutes: 20\nminutes: 25\n")
    finding = only(repo.check(), "E002")
    first_line, _ = repo.locate(ELENA_NOTE, "minutes: 20")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "minutes: 25"))
    assert f"line {first_line}" in finding.message


def test_e002_nested_duplicate_key(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n",
              "    target_date: 2027-03-31\n    target_date: 2027-04-30\n    status: active\n")
    finding = only(repo.check(), "E002")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "target_date: 2027-04-30"))


def test_e003_missing_unknown_kind_and_version(repo):
    repo.write("members/M-000123/notes/a.yaml", "version: 1\nmember: M-000123\n")
    repo.write("members/M-000123/notes/b.yaml", "kind: memo\nversion: 1\n")
    repo.write("members/M-000123/notes/c.yaml", "kind: note\nversion: 2\n")
    found = sorted(at(f) for f in repo.check() if f.code == "E003")
    assert found == [("members/M-000123/notes/a.yaml", 1, 1), ("members/M-000123/notes/b.yaml", 1, 7),
                     ("members/M-000123/notes/c.yaml", 2, 10)]


def test_e004_unknown_key_at_the_key(repo):
    repo.edit(ELENA_NOTE, "minutes: 20\n", "minuts: 20\n")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "minuts"))
    assert "did you mean `minutes`" in finding.message


def test_e004_missing_required_field_at_its_parent_mapping(repo):
    repo.edit(ELENA_PLAN, "  - id: SP2\n", "  - description: x\n    goals: [G2]\n  - id: SP2\n")
    repo.edit(ELENA_PLAN, "  - description: x\n", "  - description: A second aide.\n")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "description: A second aide."))
    assert finding.message == "missing required field `id` in `supports`"


def test_e004_wrong_value_at_the_value(repo):
    repo.edit(ELENA_NOTE, "contact: phone\n", "contact: in person\n")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "in person"))
    assert "face_to_face" in finding.message
    assert "in person" not in finding.message  # messages never quote what the member's file says


def test_e004_impossible_date_is_a_finding_not_a_crash(repo):
    repo.edit(ELENA_NOTE, "date: 2026-10-01\n", "date: 2026-02-30\n")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "2026-02-30"))
    assert "real date" in finding.message


def test_e004_yes_no_stay_text_so_a_boolean_field_reports_them(repo):
    repo.edit(ELENA_MEMBER, "  interpreter_needed: true\n", "  interpreter_needed: yes\n")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "yes"))
    assert finding.message == "`interpreter_needed` must be true or false, not text"


def test_e005_binary_and_encoding_problems(repo):
    repo.path("members/M-000123/notes/scan.yaml").write_bytes(b"kind: note\n\x00\x01\x02binary")
    repo.path("members/M-000123/notes/latin1.yaml").write_bytes(
        "kind: note\nversion: 1\ntext: caf\xe9\n".encode("latin-1"))
    repo.path("members/M-000123/notes/utf16.yaml").write_bytes("kind: note\n".encode("utf-16"))
    found = sorted(at(f) for f in repo.check() if f.code == "E005")
    assert found == [("members/M-000123/notes/latin1.yaml", 3, 1),
                     ("members/M-000123/notes/scan.yaml", 2, 1),
                     ("members/M-000123/notes/utf16.yaml", 1, 1)]


def test_e005_alias_of_a_list_at_the_alias(repo):
    repo.write(NOTE_PATH, VALID_NOTE + "unmet_needs: &u [a]\nwith_again: *u\n")
    findings = repo.check()
    finding = only(findings, "E005")
    assert at(finding) == (NOTE_PATH, *repo.locate(NOTE_PATH, "*u"))


def test_e006_note_of_another_member(repo):
    repo.write(NOTE_PATH, VALID_NOTE.replace("member: M-000123", "member: M-000207"))
    finding = only(repo.check(), "E006")
    assert at(finding) == (NOTE_PATH, *repo.locate(NOTE_PATH, "M-000207"))
    assert "M-000123" in finding.message


def test_e006_case_file_outside_any_member_folder(repo):
    repo.write("stray/note.yaml", VALID_NOTE)
    finding = only(repo.check(), "E006")
    assert at(finding) == ("stray/note.yaml", 1, 1)


def test_yaml_without_kind_outside_member_folders_is_not_a_case_file(repo):
    repo.write("mkdocs.yml", "site_name: Agency handbook\n")
    assert repo.check() == []
    # ...unless named explicitly
    assert [f.code for f in repo.check("mkdocs.yml")] == ["E003"]


def test_e007_duplicate_id_within_a_file(repo):
    repo.edit(ELENA_PLAN, "  - id: SP3\n", "  - id: SP2\n")
    finding = only(repo.check(), "E007")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "SP2", occurrence=2))
    first_line, _ = repo.locate(ELENA_PLAN, "id: SP2")
    assert f"first at line {first_line}" in finding.message


def test_e007_two_plans_with_one_id_in_a_member_folder(repo):
    text = repo.read(ABDI_PLAN).replace("date: 2026-02-02\ntype: initial", "date: 2026-01-30\ntype: initial")
    repo.write("members/M-000301/plan-2026-01-30.yaml", text)
    finding = only(repo.check(), "E007")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "P1"))


def test_member_folders_option_reports_the_whole_folder_of_a_file(repo):
    """What the pre-commit hook does: a changed plan can break a rule whose finding sits in a note."""
    repo.edit(ELENA_PLAN, "  - id: G3\n", "  - id: G5\n")  # the notes' progress on G3 now names no goal
    assert {f.path for f in repo.check(ELENA_PLAN)} == {ELENA_PLAN}
    assert ELENA_NOTE in {f.path for f in repo.check(ELENA_PLAN, member_folders=True)}


def test_member_folders_option_skips_yaml_that_is_not_a_case_file(repo):
    """pre-commit passes .pre-commit-config.yaml or mkdocs.yml too: not case files, not findings."""
    repo.write("mkdocs.yml", "site_name: Agency handbook\n")
    assert repo.check("mkdocs.yml", member_folders=True) == []
    assert [f.code for f in repo.check("mkdocs.yml")] == ["E003"]  # named by a person: checked


ABDI_CLOSURE = "members/M-000301/closure.yaml"


# Data of the wrong shape (the schema reports it) never crashes a T-rule

def test_wrong_shapes_never_crash(repo):
    text = repo.read(ELENA_PLAN)
    text = text.replace("monitoring:\n  responsible: cm-jlee\n", "monitoring:\n  responsible: [cm-jlee]\n")
    text = text.replace("    - {type: phone, every: 1 month}\n", "    - {type: [phone], every: {n: 1}}\n    - 7\n")
    text = text.replace("reviews: []", "reviews: [3, {date: [2026-10-01]}, {date: 2026-02-30}]")
    text = text.replace("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective: [2026-09-03]\n")
    text = text.replace("    target_date: 2027-03-31\n", "    target_date: {d: 1}\n    objectives: 5\n", 1)
    text = text.replace("meeting:\n  date: 2026-09-03\n", "meeting:\n  date: [2026-09-03]\n")
    text = text.replace("exceptions: []", "exceptions: {on: 2030-01-01}")
    text = text.replace("distribution:\n",
                        "distribution:\n  - {role: [member], copy_given: true, given_on: 2030-01-01}\n")
    repo.write(ELENA_PLAN, text)
    repo.edit(ELENA_MEMBER, "status: active\n", "status: [active]\n")
    repo.edit(ELENA_MEMBER, "    enrolled_on: 2026-08-03\n", "    enrolled_on: {date: 2026-08-03}\n")
    repo.edit(ELENA_NOTE, "contact: phone", "contact: [phone]")
    repo.edit(ABDI_CLOSURE, "exit_interview:\n  held_on: 2026-10-15\n", "exit_interview:\n  held_on: [1]\n")
    repo.edit(ABDI_CLOSURE, "referrals:\n", "referrals:\n  - 12\n  - {on: 2099-01-01}\n")
    repo.write("members/M-000207/notes/2026-12-01.yaml", "kind: note\nversion: 1\nmember: M-000207\ndate: [x]\n")
    for day in (date(2026, 11, 22), date(2028, 1, 1)):
        findings = repo.check(today=day)
        assert "E000" not in [f.code for f in findings]
    assert "T206" in [f.code for f in repo.check()]  # the 2030 copy and the 2099 referral


ELENA_SIGNATURE = "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"

GRACE_SIGNATURE = "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n"

ROSA = "    authority: supporter "


# ---------------------------------------------------------------- bad input never tracebacks

def test_wrong_types_in_the_new_fields_are_schema_findings_never_a_crash(repo):
    repo.edit(ELENA_MEMBER, ROSA, "    authority: legal_guardian\n    authority_from: [2026]\n"
              "    authority_until: {d: 1} ")
    repo.edit(ELENA_PLAN, ELENA_SIGNATURE, "  - {role: member, name: Elena, declined_to_sign: yes, "
              "declined_reason: [x], witnessed_by: 7, declined_on: 2026-13-01, refused: 1}\n"
              "  - {role: representative, name: [Rosa], refused: true, refused_on: {x: 1}}\n"
              "  - 12\n")
    repo.edit(DANNY_PLAN, "rights_modifications:\n", "rights_modifications:\n  - 5\n")
    repo.edit(DANNY_PLAN, GRACE_SIGNATURE, "  - {role: representative, name: Grace Kim, refused: true}\n")
    findings = repo.check()
    assert "E000" not in {f.code for f in findings}
    schema = {(f.path, f.line, f.column) for f in findings if f.code == "E004"}
    assert where(repo, ELENA_MEMBER, "[2026]") in schema and where(repo, ELENA_PLAN, "2026-13-01") in schema


NOV18 = f"{ELENA}/notes/2026-11-18.yaml"


@pytest.mark.parametrize("value", ["[1, 2]", "{a: b}", "12", "null"])
def test_a_text_of_the_wrong_type_is_no_contact_and_never_crashes(repo, value):
    body = repo.read(NOV18)
    repo.write(NOV18, body[:body.index("text: Will add")] + f"text: {value}\n")
    findings = repo.check(ELENA, today=date(2026, 11, 30))
    assert "E000" not in [f.code for f in findings]
    assert "the note of 2026-11-18 records nothing" in only(findings, "T205").message


def hold(repo, entry: str, status: str = "on_hold", member: str = ELENA_MEMBER) -> None:
    """member.yaml records one hold (a flow mapping's inside) and ``status``."""
    repo.edit(member, "status: active", f"holds:\n  - {{{entry}}}\nstatus: {status}")


# ---------------------------------------------------------------- the hold's kind (schema)

@pytest.mark.parametrize("kind", ["hospital", "nursing_facility", "incarceration", "travel", "member_request",
                                  "other"])
def test_every_kind_of_hold_is_accepted(repo, kind):
    hold(repo, f"start: 2026-11-10, kind: {kind}, reason: Away., recorded_by: cm-jlee")
    assert found(repo, "E004") == []


def test_an_unknown_kind_is_a_schema_error_at_the_kind(repo):
    hold(repo, "start: 2026-11-10, kind: vacation, reason: Away.")
    assert [f[1:4] for f in found(repo, "E004")] == [where(repo, ELENA_MEMBER, "vacation")]


SP2_HOURS = "    amount: 6\n    unit: hours\n    frequency: weekly\n"

runner = CliRunner()


# ---------------------------------------------------------------- new plan / new closure



def written(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


CHOICES = ("choices:\n  setting: {offered: true, on: 2026-09-03}\n  services: {offered: true, on: 2026-09-03}\n"
           "  providers: {offered: true, on: 2026-09-03}\n  self_direction: {offered: false}\n")


def test_new_plan_from_previous_carries_its_language_choices_and_monitoring(repo):
    repo.edit(ELENA_PLAN, "effective:\n", CHOICES + "effective:\n")
    repo.edit(ELENA_PLAN, "what_matters:", "language: es\nwhat_matters:")
    path = written(run(repo.root, "new", "plan", ELENA, "--from-previous", "--today", "2026-11-22"))
    new, old = load_file(repo.root / path).data, load_file(repo.path(ELENA_PLAN)).data
    assert new["type"] == "revision"
    assert (new["language"], new["choices"], new["monitoring"]) == (old["language"], old["choices"],
                                                                    old["monitoring"])
    assert new["language"] == "es" and new["choices"]["setting"] == {"offered": True, "on": "2026-09-03"}
    assert new["monitoring"]["contacts"] == [{"type": "face_to_face", "every": "3 months"},
                                             {"type": "phone", "every": "1 month"}]
    assert not [f for f in repo.check(str(path)) if f.code in ("E004", "E000")]


def test_new_plan_from_previous_without_a_language_writes_none(repo):
    path = written(run(repo.root, "new", "plan", ELENA, "--from-previous", "--today", "2026-11-22"))
    assert "language" not in load_file(repo.root / path).data and "choices" not in load_file(repo.root / path).data


# ---------------------------------------------------------------- one grammar of frequencies

SAID = ["daily", "weekly", "biweekly", "monthly", "quarterly", "yearly", "annually", "1 month", "3 months",
        "2 weeks", "30 days", "1 year", "3 times a week", "twice a month", "every 2 weeks", "every month",
        "once a week", "twice a year", "4 times per month", "twice every 3 months", "once every 2 weeks"]


NOT_SAID = ["", "3", "weekly ", " 3 months", "3  months", "Weekly", "0 days", "every 0 weeks", "3 times",
            "three times a week", "3 times weekly", "twice", "every other week", "as needed", "1.5 months",
            "-1 weeks", "3 fortnights", "once every week day"]


def test_the_schema_and_the_parser_share_one_grammar():
    plan = schema_for("plan")
    assert plan["$defs"]["frequency"]["pattern"] == FREQUENCY_PATTERN
    assert plan["properties"]["supports"]["items"]["properties"]["frequency"]["pattern"] == \
        SUPPORT_FREQUENCY_PATTERN
    monitoring = jsonschema.Draft202012Validator({"pattern": FREQUENCY_PATTERN})
    support = jsonschema.Draft202012Validator({"pattern": SUPPORT_FREQUENCY_PATTERN})
    for said in SAID:
        assert monitoring.is_valid(said) and support.is_valid(said), said
        assert parse_rate(said) is not None and parse_frequency(said) is not None and per_day(said) > 0, said
    for said in NOT_SAID:
        assert not monitoring.is_valid(said) and not support.is_valid(said), said
        assert parse_rate(said) is None and parse_frequency(said) is None, said
    for said in ("once", "as_needed"):  # a support may be given once or as needed; no contact is
        assert support.is_valid(said) and not monitoring.is_valid(said)
        assert parse_frequency(said) is None and per_day(said) is None


@pytest.mark.parametrize("said, rate, interval", [
    ("weekly", (1, 1, "week"), (1, "week")),
    ("biweekly", (1, 2, "week"), (2, "week")),
    ("quarterly", (1, 3, "month"), (3, "month")),
    ("every 2 weeks", (1, 2, "week"), (2, "week")),
    ("30 days", (1, 30, "day"), (30, "day")),
    ("3 times a week", (3, 1, "week"), (3, "day")),  # Mon, Wed, Fri: never more than 3 days apart
    ("twice a week", (2, 1, "week"), (4, "day")),
    ("twice a month", (2, 1, "month"), (16, "day")),
    ("twice a year", (2, 1, "year"), (6, "month")),
    ("3 times a year", (3, 1, "year"), (4, "month")),
    ("twice every 3 months", (2, 3, "month"), (46, "day")),
    ("5 times a day", (5, 1, "day"), (1, "day")),
])
def test_a_frequency_is_read_as_people_mean_it(said, rate, interval):
    assert parse_rate(said) == rate and parse_frequency(said) == interval


def test_a_support_said_three_times_a_week_checks_clean(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 2\n    unit: hours\n    frequency: 3 times a week\n")
    repo.edit(ELENA_PLAN, "    amount: 4\n    unit: trips\n    frequency: monthly\n",
              "    amount: 2\n    unit: trips\n    frequency: twice a month\n")
    assert repo.check() == []


def test_a_support_frequency_outside_the_grammar_is_an_e004_that_names_it(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 2\n    unit: hours\n    frequency: 3 times weekly\n")
    (finding,) = found(repo, "E004")
    assert finding[1:4] == where(repo, ELENA_PLAN, "3 times weekly")
    assert "`3 times a week`" in finding[4] and "`as_needed`" in finding[4]


def test_monitoring_said_in_words_is_read_like_a_number_and_a_unit(repo):
    # `every: monthly` is `every: 1 month`: the same contacts due, the same findings (none)
    repo.edit(ELENA_PLAN, "{type: phone, every: 1 month}", "{type: phone, every: monthly}")
    assert repo.check() == []
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: twice a year")
    assert repo.check() == []


def test_a_support_frequency_past_the_calendar_is_an_e004(repo):
    repo.edit(ELENA_PLAN, SP2_HOURS, "    amount: 6\n    unit: hours\n    frequency: every 99999 years\n")
    assert found(repo, "E004") == [("E004",) + where(repo, ELENA_PLAN, "every 99999 years") + (
        "`frequency: every 99999 years` reaches past the year 9999 from any date, so nothing could ever fall due "
        "by it; write how often the support is given in days, weeks or months",)]


# ---------------------------------------------------------------- monitoring.responsible: case_manager

def test_case_manager_is_accepted_as_the_monitor_by_the_schema_t209_a602_and_a608(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    assert found(repo, "E004", "T209", "A602", "A603", "A605", "A608", "A609") == []
