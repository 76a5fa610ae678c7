"""Checking a file takes time in proportion to its size: no loader, schema or position path is quadratic.

A 1 MB note with 100,000 unknown keys once took five minutes: each finding looked
its key up by scanning the whole mapping. jsonschema compared every pair of items
of a ``uniqueItems`` list it could not sort (minutes for 10,000 mappings). Each
shape below is a case file with n keys or items, n = 10^3, 10^4 and 10^5; what a
check does with one file (read, parse, validate, position every finding, and
E007 for repeated ids) is timed, and each tenfold step in n must cost well under
a hundredfold step in time: linear is ~10, quadratic ~100, the bound is 25.

Noise from other processes is kept out: CPU time of this process (not wall time),
the cyclic garbage collector paused as the engine pauses it, a warm-up run, and
the best of three (a 10^5 run is repeated only while its ratio is over the bound,
to keep the test short).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

import pcplan.rules  # noqa: F401 - registers the rules
from conftest import slow_except
from pcplan.load import MAX_PER_CODE, LoadedFile, load_text
from pcplan.model import Document
from pcplan.rules.registry import RULES

SIZES = (1_000, 10_000, 100_000)
MAX_RATIO = 25
RUNS = 3

NOTE = "kind: note\nversion: 1\nmember: M-000123\ndate: 2026-11-20\nstaff: cm-jlee\ncontact: phone\n"
ASSESSMENT = "kind: assessment\nversion: 1\nid: A1\nmember: M-000123\ndate: 2026-11-20\ntype: annual\n"


@dataclass(frozen=True)
class Shape:
    name: str
    text: Callable[[int], str]  # the file for n keys or items
    code: str  # what each key or item is reported as
    capped: bool = True  # at most MAX_PER_CODE findings and one that counts the rest


SHAPES = [
    Shape("unknown keys in a mapping", lambda n: NOTE + "".join(f"k{i}: 1\n" for i in range(n)), "E004"),
    Shape("duplicate keys", lambda n: NOTE + "text: a\n" * n, "E002"),
    Shape("list items with bad values, one long flow sequence",
          lambda n: NOTE + "with: [" + ", ".join(["1"] * n) + "]\n", "E004"),
    Shape("unique items that cannot be sorted",
          lambda n: ASSESSMENT + "sources:\n" + "".join(f"  - {{a: {i}}}\n" for i in range(n)), "E004"),
    Shape("ids repeated", lambda n: ASSESSMENT + "needs:\n" + "  - {id: N1, domain: health}\n" * n, "E007",
          capped=False),
]
# Timed at 10^3 and 10^4 only: at 10^5 (two schema errors an item, 200,000 in all) it alone would take
# seconds of the test's budget, and the flow sequence above already times list items at 10^5.
BLOCK_LIST = Shape("list items with bad values, a block list", lambda n: NOTE + "progress:\n" + "  - goal: 1\n" * n,
                   "E004")


def check_file(path: Path) -> list[tuple[str, str, tuple[int, int]]]:
    """What the engine does with one file: load, validate, E007, and the position of every finding."""
    doc = Document.load(path, path.name)
    found = [(p.code, p.message, (p.line, p.column) if p.line is not None else doc.position(p.data_path, p.at))
             for p in doc.problems]
    for hit in RULES["E007"].check(doc, None, None):
        found.append(("E007", hit.message, doc.position(hit.data_path, hit.at)))
    return found


def cpu_seconds(work: Callable[[], object]) -> float:
    gc.disable()
    try:
        start = time.process_time()
        work()
        return time.process_time() - start
    finally:
        gc.enable()
        gc.collect()


def assert_linear(name: str, work: dict[int, Callable[[], object]]) -> None:
    """Each tenfold step of n costs less than MAX_RATIO times as much CPU time (best of RUNS, after a warm-up)."""
    sizes = sorted(work)
    cpu_seconds(work[sizes[0]])  # warm-up: imports, compiled schemas, caches
    times: dict[int, float] = {}
    for smaller, n in zip(sizes, sizes[1:]):
        if smaller not in times:
            times[smaller] = min(cpu_seconds(work[smaller]) for _ in range(RUNS))
        best = float("inf")
        for _ in range(RUNS if n < SIZES[-1] else 1):
            best = min(best, cpu_seconds(work[n]))
        for _ in range(RUNS - 1 if n == SIZES[-1] else 0):  # the largest: repeat only while over the bound
            if best / max(times[smaller], 1e-4) < MAX_RATIO:
                break
            best = min(best, cpu_seconds(work[n]))
        times[n] = best
        ratio = times[n] / max(times[smaller], 1e-4)
        assert ratio < MAX_RATIO, (f"{name}: {n:,} took {times[n]:.3f} s, {smaller:,} took "
                                   f"{times[smaller]:.3f} s (×{ratio:.0f}; linear is ~10, quadratic ~100)")


# Each shape times three sizes several times: the quick run keeps the first (the five-minute note of old).
@pytest.mark.parametrize("shape", slow_except([pytest.param(s, id=s.name) for s in [*SHAPES, BLOCK_LIST]],
                                              "unknown keys in a mapping"))
def test_time_grows_linearly(shape, tmp_path):
    work = {}
    for n in SIZES if shape is not BLOCK_LIST else SIZES[:2]:
        path = tmp_path / f"{n}.yaml"
        path.write_text(shape.text(n), encoding="utf-8")
        work[n] = partial(check_file, path)
    assert_linear(shape.name, work)


def test_indented_merge_conflict_openings_without_an_end(tmp_path):
    """Indented markers are told from text by their order (`<<<<<<<`, `=======`, `>>>>>>>`): one pass, however many
    openings never close (a search from each opening would be quadratic)."""
    work = {}
    for n in SIZES:
        path = tmp_path / f"{n}.yaml"
        path.write_text(NOTE + "text: |\n" + "  <<<<<<< x\n  =======\n" * n, encoding="utf-8")
        work[n] = partial(check_file, path)
    assert [f[0] for f in work[SIZES[0]]() if f[0] == "E001"] == []
    assert_linear("indented conflict openings", work)


def test_the_position_of_every_key_of_a_large_mapping(tmp_path):
    """What a rule reporting on each key costs: every lookup once scanned the whole mapping."""
    def every_position(loaded: LoadedFile, keys: list[str]) -> None:
        for key in keys:
            loaded.position((key,), at="key")

    work = {}
    for n in SIZES:
        keys = [f"k{i}" for i in range(n)]
        loaded = load_text(NOTE + "".join(f"{key}: 1\n" for key in keys))
        assert loaded.position((keys[-1],), at="key") == (6 + n, 1)
        work[n] = partial(every_position, loaded, keys)
    assert_linear("the position of every key", work)


@pytest.mark.parametrize("shape", [*SHAPES, BLOCK_LIST], ids=lambda s: s.name)
def test_what_each_shape_reports(shape, tmp_path):
    """The findings themselves: the first 100 listed at their own lines, one more counting the rest."""
    n = 1_000
    path = tmp_path / "file.yaml"
    path.write_text(shape.text(n), encoding="utf-8")
    found = [f for f in check_file(path) if f[0] == shape.code]
    if not shape.capped:
        assert len(found) == n - 1
        assert found[0] == ("E007", "id `N1` is used twice in this file (first at line 8)", (9, 10))
        return
    assert len(found) == MAX_PER_CODE + 1
    *listed, summary = sorted(found, key=lambda f: (f[2], "more" in f[1]))
    assert all("more" not in f[1] for f in listed)
    assert "more" in summary[1] and f"(pcplan lists the first {MAX_PER_CODE} of a file)" in summary[1]
    assert summary[2] >= listed[-1][2]  # at the first not listed, after every one listed


def test_the_first_problems_in_the_file_are_the_ones_listed(tmp_path):
    """Schema problems of several kinds: the 100 listed are the first 100 in the file, whatever their kind."""
    path = tmp_path / "note.yaml"
    rows = [f"k{i}: 1" if i % 2 else f"w{i}: [1]" for i in range(150)]  # unknown keys only; then bad items
    path.write_text(NOTE + "".join(row + "\n" for row in rows) + "with: [" + ", ".join(["1"] * 50) + "]\n",
                    encoding="utf-8")
    found = sorted((f for f in check_file(path) if f[0] == "E004"), key=lambda f: f[2])
    assert len(found) == MAX_PER_CODE + 1
    lines = [f[2][0] for f in found if "more" not in f[1]]
    assert lines == list(range(7, 7 + MAX_PER_CODE))
    summary = next(f for f in found if "more" in f[1])
    assert summary[1].startswith("100 more schema problems in this file, from here on, are not listed")
    assert summary[2] == (7 + MAX_PER_CODE, 1)
