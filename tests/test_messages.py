"""Messages that help (issue 11, items 5 and 6).

"Did you mean" for enum values and kinds (never repeating what was typed), tabs
named at the tab, one hint per E005 cause, an E004 hint from the field's own
description, T205 naming the contact as recorded, rule examples that parse, and
exceptions that name a rule pcplan does not have.
"""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from conftest import ELENA_NOTE, ELENA_PLAN, at, only
from pcplan.cli import app
from pcplan.load import MAX_FILE_BYTES, Problem, load_text
from pcplan.rules import RULES
from pcplan.schema import KINDS, _resolved, _suggest_value, describe, schema_for

runner = CliRunner()
TODAY = ["--today", "2026-11-22"]
NEW_NOTE = "members/M-000123/notes/2026-11-20.yaml"
CONTACTS = "face_to_face, video, phone, collateral, written"
MORE = "`pcplan rule E004` explains this check."


def run(repo, *args):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        # A fixed width: the layout must not depend on the developer's terminal.
        return runner.invoke(app, list(args), env={"COLUMNS": "200", "CI": None}, catch_exceptions=False)
    finally:
        os.chdir(old)


# --- did you mean: enum values ---------------------------------------------------------------

def test_misspelled_enum_value_gets_the_valid_one_suggested(repo):
    repo.edit(ELENA_NOTE, "contact: phone", "contact: phon")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "contact: phon", offset=9))
    assert finding.message == f"`contact` must be one of: {CONTACTS} (did you mean `phone`?)"
    assert "`phon`" not in finding.message


@pytest.mark.parametrize("typed, meant", [("Face to face", "face_to_face"), ("face-to-face", "face_to_face"),
                                          ("PHONE", "phone"), ("colateral", "collateral")])
def test_enum_suggestion_forgives_case_spaces_and_hyphens(repo, typed, meant):
    repo.edit(ELENA_NOTE, "contact: phone", f"contact: {typed}")
    assert only(repo.check(), "E004").message == f"`contact` must be one of: {CONTACTS} (did you mean `{meant}`?)"


def test_enum_value_that_is_not_an_identifier_is_never_repeated(repo):
    repo.edit(ELENA_NOTE, "contact: phone", "contact: Called Rosa at 555-0100 about the aide")
    assert only(repo.check(), "E004").message == f"`contact` must be one of: {CONTACTS}"


def test_enum_in_a_list_item_is_suggested_too(repo):
    repo.edit(ELENA_PLAN, "{role: member, name: Elena, signed_on: 2026-09-03",
              "{role: membr, name: Elena, signed_on: 2026-09-03")
    finding = only(repo.check(), "E004")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "role: membr", offset=6))
    assert finding.message == ("`role` must be one of: member, representative, case_manager, supervisor, provider, "
                               "other (did you mean `member`?)")


def _enums():
    """(kind, allowed values) for every enum in every schema."""
    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                yield node["enum"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    return [(kind, values) for kind in KINDS for values in walk(schema_for(kind))]


def test_every_enum_value_is_suggested_for_a_dropped_letter():
    enums = _enums()
    assert len(enums) >= 20
    for kind, values in enums:
        for value in values:
            if len(value) >= 4:
                assert _suggest_value(value[:-1], values) == f" (did you mean `{value}`?)", (kind, value)
            assert _suggest_value(value.upper(), values) == f" (did you mean `{value}`?)", (kind, value)


# --- did you mean: kind (E003) ---------------------------------------------------------------

@pytest.mark.parametrize("typed, meant", [("nots", "note"), ("Plan", "plan"), ("assesment", "assessment")])
def test_unknown_kind_gets_the_valid_one_suggested(repo, typed, meant):
    repo.edit(ELENA_NOTE, "kind: note", f"kind: {typed}")
    finding = only(repo.check(), "E003")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, f"kind: {typed}", offset=6))
    assert finding.message == ("unknown kind; pcplan knows member, assessment, plan, note, closure, staff, "
                               f"providers (did you mean `{meant}`?)")


@pytest.mark.parametrize("typed", ["Rosa's visit with Elena", "5", "[note]"])
def test_unknown_kind_text_is_never_repeated(repo, typed):
    repo.edit(ELENA_NOTE, "kind: note", f"kind: {typed}")
    assert only(repo.check(), "E003").message == "unknown kind; pcplan knows member, assessment, plan, note, " \
                                                 "closure, staff, providers"


# --- tabs ------------------------------------------------------------------------------------

TAB_MESSAGE = "tabs are not allowed for indentation; use spaces"
TAB_HINT = ("Replace the tab with spaces, as many as the lines around it use (most editors can be set to insert "
            "spaces when you press Tab).")


@pytest.mark.parametrize("old, new, snippet", [
    ("progress:\n  - goal: G1", "progress:\n\t- goal: G1", "\t- goal: G1"),  # a whole indent
    ("    text: Two rides", "  \t  text: Two rides", "\t  text: Two rides"),  # a tab after spaces
    ("  - goal: G3", "  -\tgoal: G3", "\tgoal: G3"),  # a tab after a list indicator
    ("with: [Elena]\n", "with:\n\t- Elena\n", "\t- Elena"),
])
def test_tab_in_indentation_is_named_at_the_tab(repo, old, new, snippet):
    repo.edit(ELENA_NOTE, old, new)
    finding = only(repo.check(), "E001")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, snippet))
    assert (finding.message, finding.hint) == (TAB_MESSAGE, TAB_HINT)


def test_tab_position_counts_crlf_lines():
    loaded = load_text("kind: note\r\nwith:\r\n  - Elena\r\n \t- Rosa\r\n")
    assert [(p.code, p.line, p.column, p.message) for p in loaded.problems] == [("E001", 4, 2, TAB_MESSAGE)]


def test_tab_that_yaml_allows_is_not_reported(repo):
    repo.edit(ELENA_NOTE, "minutes: 20", "minutes:\t20")
    assert repo.check() == []


def test_full_format_puts_the_caret_under_the_tab_and_says_what_to_do(repo):
    repo.edit(ELENA_NOTE, "progress:\n  - goal: G1", "progress:\n  \t- goal: G1")
    line, column = repo.locate(ELENA_NOTE, "\t- goal: G1")
    result = run(repo, "check", *TODAY, "-f", "full")
    lines = result.output.splitlines()
    assert lines[0] == f"error[E001] {TAB_MESSAGE}"
    assert lines[1].strip() == f"--> {ELENA_NOTE}:{line}:{column}"
    source = lines[3]
    assert source.startswith(f"{line} | ")
    caret = lines[4]
    assert caret.index("^") == source.index("| ") + 2 + column - 1
    assert lines[5] == f"   = hint: {TAB_HINT}"


# --- E005: one hint per cause ----------------------------------------------------------------

ENCODING = ("Save the file as UTF-8 text (in most editors: Save As, then choose the UTF-8 encoding); a scan or a "
            "word-processor document is not a case file.")
E005_CASES = {
    "utf-16": (lambda path: path.write_bytes("kind: note\nversion: 1\n".encode("utf-16")), ENCODING),
    "nul bytes": (lambda path: path.write_bytes(b"kind: note\x00\n"), ENCODING),
    "not utf-8": (lambda path: path.write_bytes(b"kind: note\ntext: caf\xe9\n"), ENCODING),
    "size": (lambda path: path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n"),
             "Split the file (one assessment, plan or note per file); scans and attachments belong outside the "
             "case repository."),
    "depth": (lambda path: path.write_text("kind: note\ntext: " + "[" * 80 + "]" * 80 + "\n"),
              "Flatten the structure: a case file needs only a few levels; look for a run of brackets or of "
              "indentation pasted by mistake."),
    "alias": (lambda path: path.write_text("kind: note\nwith: &people [Elena]\nalso: *people\n"),
              "Write the repeated list or mapping out in full where `*name` stands, and remove its `&name`."),
    "merge key": (lambda path: path.write_text("kind: note\nprogress:\n  <<: {goal: G1}\n"),
                  "Write the fields out in full instead of `<<: *name`."),
    "tag": (lambda path: path.write_text("kind: note\ntext: !!python/object/apply:os.system [echo]\n"),
            "Remove the `!tag` before the value: a case file holds only text, numbers, dates, lists and mappings."),
    "not a regular file": (os.mkfifo,  # (a link to a device is outside the repository: not read)
                           "Replace the link, pipe or device with the file itself, or leave it out of the check "
                           "with `exclude` in pcplan.toml."),
    "unreadable": (lambda path: path.symlink_to(path.name),  # a link to itself cannot be opened
                   "Check that the file or folder exists (a link may point nowhere, or to itself) and that the "
                   "account running pcplan may read it."),
}


@pytest.mark.skipif(os.name != "posix", reason="links to /dev/null and to themselves")
@pytest.mark.parametrize("cause", list(E005_CASES))
def test_each_e005_cause_has_its_own_hint(repo, cause):
    make, hint = E005_CASES[cause]
    make(repo.path(NEW_NOTE))
    finding = only(repo.check(), "E005")
    assert finding.path == NEW_NOTE
    assert finding.hint == hint


def test_e005_hints_differ_by_cause_and_cover_a_folder_pcplan_cannot_read():
    hints = {hint for _, hint in E005_CASES.values()}
    assert len(hints) == len(E005_CASES) - 2  # the three encoding causes share one remedy
    from pcplan.rules.structure import _e005_hint
    assert _e005_hint(Problem("E005", 1, 1, "cannot read the folder: Permission denied")) == \
        E005_CASES["unreadable"][1]


def test_full_format_prints_the_cause_s_hint(repo):
    E005_CASES["alias"][0](repo.path(NEW_NOTE))
    result = run(repo, "check", *TODAY, "-f", "full")
    assert f"= hint: {E005_CASES['alias'][1]}" in result.output


# --- E004: the field's own description -------------------------------------------------------

@pytest.mark.parametrize("old, new, hint", [
    ("contact: phone", "contact: phon",
     "`contact`: The kind of contact: face_to_face, video, phone, collateral or written"),
    ("date: 2026-10-01", "date: 2026-10-32", "`date`: The date of the contact, YYYY-MM-DD"),  # not $defs' text
    ("minutes: 20", "minuts: 20", "`minutes`: How long the contact lasted, in minutes"),  # the field meant
    ("staff: cm-jlee\n", "", "`staff`: The staff id of who made the contact"),  # the field missing
    ("with: [Elena]", "with: [5]", "`with` (each item): A person's name"),
    ("  - goal: G1\n", "  - goal: 1\n", "`goal`: The id of the goal, for example G1"),
])
def test_e004_hint_is_the_field_s_own_description(repo, old, new, hint):
    repo.edit(ELENA_NOTE, old, new)
    assert only(repo.check(), "E004").hint == f"{hint}. {MORE}"


def test_e004_hint_for_an_unknown_field_lists_the_fields_allowed(repo):
    repo.edit(ELENA_NOTE, "minutes: 20", "weather: 20")
    finding = only(repo.check(), "E004")
    assert finding.message == "unknown field `weather`"
    fields = ", ".join(f"`{name}`" for name in schema_for("note")["properties"])
    assert finding.hint == f"The fields allowed here are {fields}. {MORE}"


def test_every_schema_field_has_a_description_for_the_hint():
    def paths(root, node, path):
        node = _resolved(root, node)
        for key, child in node.get("properties", {}).items():
            yield path + (key,)
            yield from paths(root, child, path + (key,))
        if isinstance(node.get("items"), dict):
            yield path + (0,)
            yield from paths(root, node["items"], path + (0,))

    count = 0
    for kind in KINDS:
        root = schema_for(kind)
        for path in paths(root, root, ()):
            count += 1
            assert describe(kind, path), (kind, path)
    assert count > 200


def test_full_format_shows_the_e004_hint_and_pcplan_rule_e004_exists(repo):
    repo.edit(ELENA_NOTE, "contact: phone", "contact: phon")
    result = run(repo, "check", *TODAY, "-f", "full")
    assert ("= hint: `contact`: The kind of contact: face_to_face, video, phone, collateral or written. "
            f"{MORE}") in [line.strip() for line in result.output.splitlines()]
    assert "pcplan schema" not in result.output
    explained = runner.invoke(app, ["rule", "E004"])
    assert explained.exit_code == 0 and explained.output.startswith("# E004 schema")


# --- T205 names the contact as recorded ------------------------------------------------------

def test_t205_names_the_last_contact_by_its_recorded_type(repo):
    """The phone contact due by 11-29 counts from the 10-29 visit: that visit is a face-to-face contact."""
    repo.path("members/M-000123/notes/2026-11-18.yaml").unlink()
    finding = only(repo.check(today=date(2026, 12, 1), select=("T205",)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.message.startswith("no phone contact since the last face_to_face contact on 2026-10-29; "
                                      "one was due by 2026-11-29")
    assert "phone contact on 2026-10-29" not in finding.message


# --- every rule's example parses -------------------------------------------------------------

def test_every_rule_example_parses_as_pcplan_rule_shows_it():
    shown = 0
    for code in sorted(RULES):
        result = runner.invoke(app, ["rule", code])
        assert result.exit_code == 0, code
        fence = re.search(r"^```yaml\n(.*?)^```$", result.output, re.S | re.M)
        if fence is None:
            continue
        shown += 1
        loaded = load_text(fence.group(1))
        problems = [(p.code, p.line, p.message) for p in loaded.problems if p.code in ("E001", "E005")]
        assert loaded.ok and problems == [], f"{code}: {problems}"
        assert isinstance(loaded.data, (dict, list)), code
    assert shown >= 50


def test_an_example_keeps_its_own_indentation():
    assert RULES["L109"].example.splitlines()[:2] == [
        "- id: SP2", "  description: A personal care aide helps with bathing and housework."]
    assert RULES["A601"].example.splitlines()[:2] == ["case_managers:", "  - staff: cm-jlee"]


# --- an exception naming an unknown rule (E008) ----------------------------------------------

def _exception(rule: str, reason: str = "reason: Documented with the member., ") -> str:
    return f"exceptions:\n  - {{rule: {rule}, {reason}documented_by: cm-jlee, on: 2026-11-01}}\n"


UNKNOWN_TAIL = ", so it can never apply; correct its `rule` (`pcplan rules` lists the codes) or remove it"


@pytest.mark.parametrize("code, said", [
    ("X123", "names rule `X123`, which pcplan does not have"),
    ("C3011", "names rule `C3011`, which pcplan does not have (did you mean `C301`?)"),
    ("c301", "names rule `c301`, which pcplan does not have (did you mean `C301`?)"),
    ("E0001", "names rule `E0001`, which pcplan does not have (did you mean `E000` or `E001`?)"),
    ("L10", "names rule `L10`, which pcplan does not have"),  # nine codes are one letter away: no guess
])
def test_exception_naming_an_unknown_rule_is_e008_at_its_rule(repo, code, said):
    repo.edit(ELENA_PLAN, "exceptions: []\n", _exception(code))
    finding = only(repo.check(), "E008")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, f"rule: {code}", offset=6))
    assert finding.message == f"the exception {said}{UNKNOWN_TAIL}"


def test_exception_rule_that_is_not_a_code_is_never_repeated(repo):
    repo.edit(ELENA_PLAN, "exceptions: []\n", _exception("Danny refused to sign"))
    finding = only(repo.check(), "E008")
    assert finding.message == f"the exception does not name a rule by its code{UNKNOWN_TAIL}"


def test_exception_naming_an_unknown_rule_is_reported_even_without_a_reason(repo):
    repo.edit(ELENA_PLAN, "exceptions: []\n", _exception("X123", reason=""))
    assert only(repo.check(), "E008").message.startswith("the exception names rule `X123`")


def test_exception_naming_an_unknown_rule_is_not_reported_when_e008_is_off(repo):
    repo.edit(ELENA_PLAN, "exceptions: []\n", _exception("X123"))
    assert repo.check(ignore=("E008",)) == []
