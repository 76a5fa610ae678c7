"""The language server's parts that need no server: the field under the cursor read from the lines, position
conversion, the reference fields read from the schemas, rule links, and the overlay of unsaved text."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from conftest import PROJECT
from pcplan.load import load_file, overlaid, overlay
from pcplan.lsp.diagnostics import anchor, rule_url
from pcplan.lsp.positions import UTF8, UTF16, UTF32, Text, index_of, units
from pcplan.lsp.references import field_target, kind_of_id, reference_fields
from pcplan.lsp.syntax import declared_kind, key_path, prefix_at, word_at
from pcplan.rules import RULES

PLAN = """\
kind: plan
goals:
  - id: G1
    own_words: I want to cook again. # a comment: needs
    needs: [N1, N2]
    strengths:
      - S1
      -\x20
    objectives:
      - {id: G1.1, text: x}
supports:
  - id: SP1
    goals: [G1]
meeting:
  facilitator: cm-jlee
  participants:
    - {name: Ana, staff: cm-jlee, role: aide}
exceptions:
  - rule: L101
    documented_by:\x20
"""


def at(text: str, snippet: str, offset: int = 0) -> tuple[list[str], int, int]:
    lines = text.split("\n")
    index = text.index(snippet) + offset
    row = text.count("\n", 0, index)
    return lines, row, index - (text.rfind("\n", 0, index) + 1)


@pytest.mark.parametrize("snippet, offset, expected", [
    ("needs: [N1, N2]", len("needs: [N1, "), ("goals", "needs")),
    ("      - S1", len("      - "), ("goals", "strengths")),
    ("      -\x20\n", len("      - "), ("goals", "strengths")),  # an empty item being typed
    ("goals: [G1]", len("goals: ["), ("supports", "goals")),
    ("facilitator: cm", len("facilitator: "), ("meeting", "facilitator")),
    ("staff: cm-jlee, role", len("staff: "), ("meeting", "participants", "staff")),
    ("{name: Ana", len("{name: A"), ("meeting", "participants", "name")),
    ("  - rule: L101", len("  - rule: "), ("exceptions", "rule")),
    ("documented_by: ", len("documented_by: "), ("exceptions", "documented_by")),
    ("kind: plan", len("kind: "), ("kind",)),
    ("own_words: I want", len("own_words: I "), ("goals", "own_words")),
])
def test_key_path_reads_the_field_from_the_lines(snippet, offset, expected):
    lines, row, index = at(PLAN, snippet, offset)
    assert key_path(lines, row, index) == expected


def test_key_path_on_a_key_or_in_broken_yaml():
    lines, row, index = at(PLAN, "{name: Ana, staff", len("{name: Ana, st"))
    assert key_path(lines, row, index) == ("meeting", "participants")  # on a key: no field value here
    broken = "kind: plan\ngoals:\n  - id: G1\n    needs: [N1, \n"
    lines, row, index = at(broken, "needs: [N1, ", len("needs: [N1, "))
    assert key_path(lines, row, index) == ("goals", "needs")


def test_words_and_prefixes():
    assert word_at("    needs: [N1, N23]", 17).text == "N23"
    assert word_at("    responsible: cm-jlee  # x", 22).text == "cm-jlee"
    assert prefix_at("    needs: [N1, N2", 18).text == "N2"
    assert prefix_at("      - ", 8).text == ""
    assert declared_kind("# a plan\nkind: plan\n") == "plan" and declared_kind("apiVersion: v1\n") is None


def test_reference_fields_come_from_the_schemas():
    plan = reference_fields("plan")
    assert plan[("goals", "needs")] == "need" and plan[("supports", "goals")] == "goal"
    assert plan[("monitoring", "responsible")] == "staff" and plan[("exceptions", "rule")] == "rule"
    assert ("goals", "id") not in plan  # a definition, not a reference
    assert field_target("note", ("progress", "goal")) == "goal"
    assert field_target("assessment", ("barriers", "needs")) == "need"
    assert field_target("plan", ("goals", "own_words")) is None and field_target("Service", ("spec",)) is None
    assert [kind_of_id(i) for i in ("N4", "SP2", "S1", "G2.1", "RM1", "R3", "cm-jlee")] == \
        ["need", "support", "strength", "objective", "modification", "risk", None]


def test_positions_count_code_units_of_the_agreed_encoding():
    line = "  text: Martínez 🌻 x"
    emoji = line.index("🌻")
    assert (units(line[:emoji + 1], UTF16), units(line[:emoji + 1], UTF8), units(line[:emoji + 1], UTF32)) == \
        (emoji + 2, emoji + 5, emoji + 1)
    assert index_of(line, emoji + 2, UTF16) == emoji + 1
    text = Text("kind: plan\r\n" + line + "\r\n", UTF16)
    position = text.position(2, emoji + 2)  # 1-based column of the character after the emoji
    assert (position.line, position.character) == (1, emoji + 2)
    assert text.index(position) == (1, emoji + 1)
    bom = Text("\ufeffkind: plan\n")
    assert bom.position(1, 1).character == 1  # pcplan counts after the byte-order mark; the editor before it


def test_rule_links_name_the_rule_and_its_docs_heading():
    assert rule_url("L101") == "pcplan://rule/L101"
    assert rule_url("L101", "https://docs.example.org/rules.html#{anchor}") == \
        "https://docs.example.org/rules.html#l101-goal-without-need"
    assert rule_url("L101", "https://bad/{nope}") == "pcplan://rule/L101"
    # The anchor is the heading GitHub gives each rule in docs/rules.md.
    headings = re.findall(r"^### (.+)$", (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8"), re.M)
    anchors = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
    assert {anchor(code) for code in RULES} <= anchors


def test_overlay_replaces_one_files_text_only_while_active(tmp_path: Path):
    target = tmp_path / "plan.yaml"
    target.write_text("kind: plan\nversion: 1\n", encoding="utf-8")
    assert not overlaid()
    seen_in_thread = []
    with overlay({target: "kind: note\nversion: 1\n"}):
        assert overlaid() and load_file(target).data["kind"] == "note"
        worker = threading.Thread(target=lambda: seen_in_thread.append(load_file(target).data["kind"]))
        worker.start()
        worker.join()
    assert seen_in_thread == ["plan"]  # another thread reads the disk
    assert not overlaid() and load_file(target).data["kind"] == "plan"
    assert target.read_text(encoding="utf-8") == "kind: plan\nversion: 1\n"
    with overlay({target: "kind: [\n"}):
        assert load_file(target).problems[0].code == "E001"
