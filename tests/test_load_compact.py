"""staff.yaml kept compactly for the whole run (LoadedFile.compact): every position answers as its node tree did."""

import pytest

from pcplan.load import load_text

TEXT = ("kind: staff\nversion: 1\nstaff:\n  - id: cm-a\n    trainings:\n"
        "      - {module: m1, completed_on: 2025-01-02}\n  - id: cm-b\n    left_on: 2026-01-01\n")


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


@pytest.mark.parametrize("text", [TEXT, TEXT.replace("\n", "\r\n"), TEXT.replace("cm-b", "\"cm\u2028b\"")])
def test_compact_answers_as_the_tree(text):
    tree, compact = load_text(text), load_text(text)
    compact.compact()
    assert compact.root is None and compact.spans is not None and compact.ok
    for path in _paths(tree.data):
        for extra in ((), ("missing",), (99,)):
            for at in ("value", "key"):
                assert compact.span(path + extra, at) == tree.span(path + extra, at)


def test_a_file_with_a_problem_keeps_its_tree():
    loaded = load_text("a: 1\na: 2\n")
    loaded.compact()
    assert loaded.root is not None and loaded.spans is None


def _streamed(text):
    from pathlib import Path

    from pcplan.load import LoadedFile, load_bytes
    return load_bytes(text.encode("utf-8"), LoadedFile(path=Path("<string>")), compact=True)


@pytest.mark.parametrize("text", [
    TEXT, TEXT.replace("\n", "\r\n"), TEXT.replace("cm-b", "\"cm\u2028b\""),
    "a: [1, {b: c}, []]\nd: {}\ne: |\n  text\nf: [\n  1,\n  2\n]\n",
    "- 1\n- 012\n- 1.5e3\n- .5\n- yes\n- ~\n- null\n- True\n- ''\n- \"12\"\n- +1\n- -0\n- 0x1f\n",
    "a: &x 1\nc:\n  - id: M-1\n  - {id: 5}\nid: top\n", "---\na: 1\n...\n", "plain text\n",
])
def test_loaded_compactly_from_events_as_from_the_tree(text):
    """compact=True reads libyaml's events without composing a tree: the same data, ids and positions."""
    tree, streamed = load_text(text), _streamed(text)
    tree.compact()
    assert streamed.root is None and streamed.spans is not None and streamed.ok
    assert repr(streamed.data) == repr(tree.data) and streamed.ids == tree.ids and streamed.problems == []
    for path in _paths(tree.data):
        for extra in ((), ("missing",), (99,)):
            for at in ("value", "key"):
                assert streamed.span(path + extra, at) == tree.span(path + extra, at)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: &x [1]\nb: *x\n", "a: &x 1\nb: *x\n", "<<: {a: 1}\n", "? [a]\n: 1\n", "a: !!str 1\n",
    "a: !x 1\n", "x: " + "9" * 5000 + "\n", "a: 1\n---\nb: 2\n", "# nothing\n", "", "a: [1, 2\n", "a: b: c\n",
    "x:\n" + "".join("  " * i + "- \n" for i in range(1, 70)), "x: " + "[" * 70 + "]" * 70 + "\n",
])
def test_a_file_with_a_problem_is_loaded_the_usual_way(text):
    """Anything the composing path reports or treats specially (repeated keys, aliases, tags, merge keys,
    numbers too long, depth, several documents, syntax) is loaded by that path, with its problems."""
    tree, streamed = load_text(text), _streamed(text)
    assert streamed.problems == tree.problems and repr(streamed.data) == repr(tree.data)
    assert streamed.spans is None or not tree.problems
