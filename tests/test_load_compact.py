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
