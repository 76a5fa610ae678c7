"""E001–E007 through the whole engine: exact positions, and a broken file never stops the rest."""

from __future__ import annotations

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, at, only

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


def test_checking_one_file_loads_its_member_folder(repo):
    """A single file checked (as a pre-commit hook does) still sees the assessment next to it."""
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "    needs: [N9]\n")
    findings = repo.check(ELENA_PLAN)
    assert [f.code for f in findings] == ["L103", "L102"]  # L103 for N2 is in the plan, its need related
    assert [f.code for f in repo.check("members/M-000123")] == ["L103", "L102"]


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
