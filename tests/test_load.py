"""The safe, positioned YAML loader (pcplan.load): every trap in the issue has a test."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from pcplan.load import MAX_DEPTH, MAX_FILE_BYTES, LoadedFile, Problem, load_bytes, load_file, load_text


def codes(loaded: LoadedFile) -> list[str]:
    return [p.code for p in loaded.problems]


def only(loaded: LoadedFile, code: str) -> Problem:
    """The single problem of ``code`` (and there must be no other kind)."""
    assert codes(loaded) == [code], loaded.problems
    return loaded.problems[0]


def at(problem: Problem) -> tuple[int | None, int | None]:
    return (problem.line, problem.column)


def from_bytes(raw: bytes) -> LoadedFile:
    return load_bytes(raw, LoadedFile(path=Path("x.yaml")))


# --- a clean file -------------------------------------------------------------------------

def test_clean_file_is_ok_with_plain_data():
    loaded = load_text("kind: plan\nversion: 1\n", path="x.yaml")
    assert loaded.ok
    assert loaded.problems == []
    assert loaded.data == {"kind": "plan", "version": 1}
    assert loaded.path == Path("x.yaml")


def test_constants_are_exported():
    assert MAX_FILE_BYTES == 4 * 1024 * 1024
    assert MAX_DEPTH == 64


# --- positions ----------------------------------------------------------------------------

NESTED = """\
kind: plan
person:
  name: Ana
  goals:
    - text: walk daily
      needs: [N1, N2]
    - text: cook
"""


def test_position_of_nested_mapping_value():
    assert load_text(NESTED).position(("person", "name")) == (3, 9)


def test_position_of_list_item():
    assert load_text(NESTED).position(("person", "goals", 1)) == (7, 7)


def test_position_of_value_inside_list_item():
    assert load_text(NESTED).position(("person", "goals", 1, "text")) == (7, 13)


def test_position_of_flow_list_item():
    assert load_text(NESTED).position(("person", "goals", 0, "needs", 1)) == (6, 19)


def test_position_of_key():
    assert load_text(NESTED).position(("person", "goals", 0, "needs"), at="key") == (6, 7)


def test_position_of_top_level_key_and_value():
    loaded = load_text(NESTED)
    assert loaded.position(("kind",), at="key") == (1, 1)
    assert loaded.position(("kind",)) == (1, 7)


def test_position_of_missing_key_is_its_deepest_existing_ancestor():
    assert load_text(NESTED).position(("person", "goals", 0, "nope", 3)) == (5, 7)


def test_position_of_out_of_range_index_is_the_list():
    assert load_text(NESTED).position(("person", "goals", 9)) == (5, 5)


def test_position_of_empty_path_is_document_start():
    assert load_text(NESTED).position(()) == (1, 1)


def test_position_without_a_document_is_1_1():
    assert load_text("").position(("kind",)) == (1, 1)


# --- duplicate keys -----------------------------------------------------------------------

def test_duplicate_top_level_key_is_E002_at_second_naming_first():
    problem = only(load_text("kind: plan\nversion: 1\nkind: other\n"), "E002")
    assert at(problem) == (3, 1)
    assert "kind" in problem.message
    assert "line 1" in problem.message


def test_duplicate_key_inside_list_item_is_E002():
    text = "people:\n  - name: Ana\n    role: aide\n    name: Bo\n"
    problem = only(load_text(text), "E002")
    assert at(problem) == (4, 5)
    assert "line 2" in problem.message
    assert problem.data_path == ("people", 0, "name")


def test_duplicate_key_does_not_make_file_unloadable():
    loaded = load_text("a: 1\na: 2\n")
    assert loaded.ok  # E002 is a finding, not a refusal
    assert loaded.data is not None


# --- scalars: YAML 1.2, restricted --------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("True", True), ("TRUE", True),
    ("false", False), ("False", False), ("FALSE", False),
    ("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
    ('"true"', "true"), ("'false'", "false"),
    ("012", "012"), ("1_000", "1_000"), ("0x1F", "0x1F"),
    ("12", 12), ("-3", -3), ("1.5", 1.5),
    ("~", None), ("null", None), ("", None),
    ("2026-03-05", "2026-03-05"),
    ("2026-03-05 10:00:00", "2026-03-05 10:00:00"),
])
def test_scalar_resolution(text, expected):
    loaded = load_text(f"v: {text}\n")
    assert loaded.problems == []
    value = loaded.data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_impossible_date_loads_as_string_without_problem():
    loaded = load_text("date: 2026-02-30\n")
    assert loaded.problems == []
    assert loaded.data == {"date": "2026-02-30"}


def test_standard_str_tag_keeps_leading_zero():
    loaded = load_text("v: !!str 012\n")
    assert loaded.problems == []
    assert loaded.data == {"v": "012"}


# --- aliases and merge keys ---------------------------------------------------------------

def test_alias_of_mapping_is_E005_at_alias_once_per_anchor():
    loaded = load_text("a: &x {k: 1}\nb: *x\nc: *x\n")
    problem = only(loaded, "E005")
    assert at(problem) == (2, 4)
    assert "this alias repeats a mapping or list (anchored at line 1)" in problem.message
    assert "*x" not in problem.message and "`x`" not in problem.message  # the anchor's name is not repeated
    assert not loaded.ok


def test_alias_of_sequence_is_E005_at_alias():
    problem = only(load_text("a: &x [1, 2]\nb:\n  - *x\n"), "E005")
    assert at(problem) == (3, 5)


def test_recursive_alias_is_E005_without_crash():
    problem = only(load_text("a: &x [*x]\n"), "E005")
    assert at(problem) == (1, 8)


def test_alias_of_scalar_is_allowed():
    loaded = load_text("a: &x 1\nb: *x\n")
    assert loaded.problems == []
    assert loaded.data == {"a": 1, "b": 1}


def test_alias_of_sequence_anchored_under_duplicate_key_is_E005():
    loaded = load_text("a: 1\na: &x [1]\nb: *x\n")
    assert "E005" in codes(loaded)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_fast_and_E005():
    text = billion_laughs()
    start = time.perf_counter()
    loaded = load_text(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert set(codes(loaded)) == {"E005"}
    assert len(loaded.problems) == 9  # one per aliased anchor
    assert at(loaded.problems[0]) == (2, 10)
    assert not loaded.ok


def test_merge_key_is_E005():
    loaded = load_text("base: &b {k: 1}\nplan:\n  <<: *b\n  x: 2\n")
    problem = only(loaded, "E005")
    assert at(problem) == (3, 3)
    assert "merge" in problem.message


# --- tags ---------------------------------------------------------------------------------

def test_python_object_apply_tag_is_E005_and_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    loaded = load_text(f'run: !!python/object/apply:os.system ["touch {marker}"]\n')
    problem = only(loaded, "E005")
    assert at(problem) == (1, 6)
    assert not marker.exists()
    assert loaded.data == {"run": None}


def test_python_name_tag_is_E005():
    problem = only(load_text("f: !!python/name:os.system\n"), "E005")
    assert at(problem) == (1, 4)


# --- size and depth guards ----------------------------------------------------------------

def test_file_over_size_cap_is_E005(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\nkind: plan\n")
    loaded = load_file(path)
    problem = only(loaded, "E005")
    assert at(problem) == (1, 1)
    assert "limit" in problem.message
    assert loaded.data is None


def test_bytes_over_size_cap_is_E005():
    problem = only(from_bytes(b"#" * (MAX_FILE_BYTES + 1)), "E005")
    assert at(problem) == (1, 1)


def test_flow_nesting_bomb_is_fast_E005():
    text = "[" * 100_000 + "]" * 100_000
    start = time.perf_counter()
    loaded = load_text(text)
    assert time.perf_counter() - start < 1.0
    problem = only(loaded, "E005")
    assert at(problem) == (1, 1)
    assert "nesting" in problem.message


def test_block_nesting_bomb_is_fast_E005():
    text = "- " * 30_000 + "x"
    start = time.perf_counter()
    loaded = load_text(text)
    assert time.perf_counter() - start < 1.0
    problem = only(loaded, "E005")
    assert at(problem) == (1, 1)


@pytest.mark.parametrize("where", ["event-walk", "composer"])
def test_a_limit_libyaml_enforces_is_pcplans_E005_whatever_the_release(monkeypatch, where):
    """libyaml 0.2.6 stops deep nesting itself; older releases do not. Either way: E005, our message."""
    import yaml.scanner
    from yaml.error import Mark

    import pcplan.load as loader

    def refuse(*_args, **_kwargs):
        mark = Mark("<text>", 40, 3, 7, None, None)
        raise yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)

    text = "kind: plan\nversion: 1\ndeep: " + "[" * 70 + "]" * 70 + "\n"
    if where == "composer":
        monkeypatch.setattr(loader, "_nesting_bound", lambda *_: (1, 1))  # our bound let it through
        monkeypatch.setattr(loader._Composer, "get_single_node", refuse)
    else:
        monkeypatch.setattr(loader, "CParser", type("Refusing", (), {"__init__": lambda self, _t: None,
                                                                     "get_event": refuse}))
    problem = only(load_text(text), "E005")
    assert at(problem) == (3, 1)
    assert problem.message == f"nesting is deeper than {MAX_DEPTH} levels; a case file never needs that"


def test_deep_flow_nesting_over_several_lines_is_reported_where_it_passes_the_limit():
    text = "kind: plan\nnote: '[[[ quoted, not nesting'\ndeep:\n" + "  [\n" * 200 + "]" * 200 + "\n"
    problem = only(load_text(text), "E005")
    assert problem.line == 3 + MAX_DEPTH  # the root mapping is level 1
    # The same line when libyaml's own limit is what stops the walk (libyaml 0.2.6 and later).
    import yaml.scanner
    from yaml.error import Mark

    import pcplan.load as loader

    mark = Mark("<text>", 0, 250, 0, None, None)
    error = yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
    assert loader._deep_flow_line(text, loader._Lines(None), error) == 3 + MAX_DEPTH


def test_nesting_just_over_limit_is_E005_at_its_line():
    text = "kind: plan\ndeep: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    problem = only(load_text(text), "E005")
    assert problem.line == 2


def test_many_flow_lists_are_not_a_false_positive():
    text = "".join(f"- id: N{i}\n  needs: [N{i}]\n" for i in range(200))
    loaded = load_text(text)
    assert loaded.problems == []
    assert len(loaded.data) == 200
    assert loaded.data[199] == {"id": "N199", "needs": ["N199"]}


def test_dashes_in_block_scalar_are_not_a_false_positive():
    line = "- " * 40  # 80 characters of dashes and spaces
    loaded = load_text(f"text: |\n  {line}\nkind: plan\n")
    assert loaded.problems == []
    assert loaded.data["text"] == line + "\n"


# --- encodings and unreadable files -------------------------------------------------------

def test_invalid_utf8_is_E005_naming_the_line():
    loaded = from_bytes(b"kind: plan\nname: Ren\xe9\n")
    problem = only(loaded, "E005")
    assert at(problem) == (2, 1)
    assert "UTF-8" in problem.message


def test_utf16_with_bom_is_E005():
    problem = only(from_bytes("kind: plan\n".encode("utf-16")), "E005")
    assert at(problem) == (1, 1)
    assert "UTF-16" in problem.message


def test_nul_byte_in_middle_is_E005_binary():
    problem = only(from_bytes(b"kind: plan\nna\x00me: x\n"), "E005")
    assert at(problem) == (2, 1)
    assert "binary" in problem.message


def test_utf8_bom_is_accepted_and_positions_unaffected():
    loaded = from_bytes(b"\xef\xbb\xbfkind: plan\nversion: 1\n")
    assert loaded.problems == []
    assert loaded.data == {"kind": "plan", "version": 1}
    assert loaded.position(("kind",), at="key") == (1, 1)
    assert loaded.position(("version",)) == (2, 10)


def test_crlf_line_endings_keep_line_numbers():
    loaded = from_bytes(b"kind: plan\r\nversion: 1\r\nneeds: [a, b]\r\n")
    assert loaded.problems == []
    assert loaded.data == {"kind": "plan", "version": 1, "needs": ["a", "b"]}
    assert loaded.position(("needs", 1)) == (3, 12)


def test_crlf_duplicate_key_line():
    problem = only(from_bytes(b"a: 1\r\nb: 2\r\na: 3\r\n"), "E002")
    assert at(problem) == (3, 1)
    assert "line 1" in problem.message


def test_load_file_on_directory_is_E005(tmp_path):
    loaded = load_file(tmp_path)
    problem = only(loaded, "E005")
    assert at(problem) == (1, 1)
    assert not loaded.ok


def test_load_file_missing_is_E005(tmp_path):
    loaded = load_file(tmp_path / "nope.yaml")
    problem = only(loaded, "E005")
    assert at(problem) == (1, 1)


def test_load_file_reads_a_real_file(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("kind: plan\n", encoding="utf-8")
    loaded = load_file(path)
    assert loaded.ok
    assert loaded.path == path
    assert loaded.data == {"kind": "plan"}


# --- syntax errors ------------------------------------------------------------------------

def test_syntax_error_is_E001_at_the_problem():
    loaded = load_text("kind: plan\nname: a: b\n")
    problem = only(loaded, "E001")
    assert at(problem) == (2, 8)
    assert not loaded.ok


def test_unclosed_flow_list_reports_the_bracket_not_where_libyaml_gave_up():
    problem = only(load_text("kind: plan\nneeds: [N1, N2\ngoals:\n  - x\n"), "E001")
    assert at(problem) == (2, 8)


def test_multiple_documents_is_E001():
    problem = only(load_text("kind: plan\n---\nkind: plan\n"), "E001")
    assert at(problem) == (2, 1)
    assert "more than one" in problem.message


def test_empty_file_is_E001():
    loaded = load_text("")
    assert at(only(loaded, "E001")) == (1, 1)
    assert not loaded.ok


def test_only_comments_is_E001():
    assert at(only(load_text("# nothing here\n\n# at all\n"), "E001")) == (1, 1)


@pytest.mark.parametrize("text, line, column", [
    # markers kept inside a block scalar: YAML reads both versions as one text
    ("kind: note\nversion: 1\ntext: |\n  Called Elena.\n  <<<<<<< HEAD\n  About Mass.\n  =======\n"
     "  About church.\n  >>>>>>> cm-obello/notes\n", 5, 3),
    # markers indented in a list: a schema error alone would not say why
    ("kind: plan\nversion: 1\ngoals:\n  <<<<<<< HEAD\n  - id: G1\n  =======\n  - id: G2\n  >>>>>>> b\n", 4, 3),
    # tabs, and diff3's base section between
    ("kind: note\nversion: 1\ntext: |\n\t<<<<<<< ours\n\ta\n\t||||||| base\n\tb\n\t=======\n\tc\n\t>>>>>>> theirs\n", 4, 2),
])
def test_indented_merge_conflict_markers_are_E001_at_the_opening_marker(text, line, column):
    problem = only(load_text(text), "E001")
    assert at(problem) == (line, column)
    assert "merge conflict" in problem.message


@pytest.mark.parametrize("text", [
    "kind: note\nversion: 1\ntext: |\n  Goals\n  =======\n  Work and rest.\n",  # an underline is text
    "kind: note\nversion: 1\ntext: |\n  >>>>>>> quoted from an email\n  <<<<<<< and back\n",  # out of order
])
def test_marker_like_lines_that_are_not_a_conflict_are_text(text):
    assert load_text(text).problems == []


def test_merge_conflict_markers_are_E001_at_first_marker():
    text = "kind: plan\n<<<<<<< HEAD\nname: Ana\n=======\nname: Bo\n>>>>>>> branch\n"
    problem = only(load_text(text), "E001")
    assert at(problem) == (2, 1)
    assert "merge conflict" in problem.message


def test_complex_key_is_E001():
    loaded = load_text("? [a, b]\n: 1\n")
    problem = only(loaded, "E001")
    assert at(problem) == (1, 3)
    assert not loaded.ok


# --- never raises -------------------------------------------------------------------------

NASTY = [
    bytes(random.Random(20260305).randrange(256) for _ in range(2000)),
    bytes(random.Random(7).randrange(1, 256) for _ in range(2000)),  # random, no NUL
    b"\x00",
    b"key: 'unclosed",
    b"{",
    b"- [\n",
    b"a: b: c",
    b"a:\n\tb: 1\n",
    b"k: " + b"x" * 100_000,
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"*undefined\n",
    b"&a\n",
    b"!!binary AAAA\n",
    b"--- !<tag:x> [a\n",
]


@pytest.mark.parametrize("raw", NASTY, ids=range(len(NASTY)))
def test_load_bytes_never_raises(raw):
    loaded = from_bytes(raw)
    assert isinstance(loaded, LoadedFile)
    assert loaded.ok or loaded.problems


@pytest.mark.parametrize("raw", NASTY, ids=range(len(NASTY)))
def test_load_text_never_raises(raw):
    loaded = load_text(raw.decode("utf-8", errors="replace"))
    assert isinstance(loaded, LoadedFile)
    assert loaded.ok or loaded.problems
