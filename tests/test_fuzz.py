"""Property-based fuzzing: mutated reference documents never crash check, render, due or report.

Hypothesis takes one document of the reference repository, mutates its data
(drops, duplicates, retypes and reorders nodes, inserts random keys and values,
truncates text, swaps in ids and dates from elsewhere in the repository), writes
it back as YAML (sometimes with raw edits to the text and its bytes: a hostile
snippet, a deleted range, a repeated line, CRLF, stray bytes) and runs:

* ``check`` on the member folder (in process, for speed): no exception, no
  internal error (E000), every finding positioned, every output format written;
* ``render`` (Markdown or HTML, ``draft=True``): a plan or a RenderError, nothing else;
* ``due`` (every format) and ``report`` (JSON, sometimes HTML): no exception.

The quick run tries a handful of examples (``QUICK_EXAMPLES``); CI, which runs the tests marked slow too,
a modest number (``PCPLAN_FUZZ_EXAMPLES``, default 60). The long run:
``PCPLAN_FUZZ_EXAMPLES=100000 python -m pytest -m slow tests/test_fuzz.py``.
``PCPLAN_FUZZ_KEEP_GOING=DIR`` records each distinct crash in DIR (the file
that caused it and the traceback) and goes on, instead of stopping at the
first, so one long run finds them all.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import traceback
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CLEAN_MEMBERS, SAMPLE_CASES, SLOW, TODAY
from pcplan.load import load_file
from pcplan.schema import KINDS, schema_for

EXAMPLES = int(os.environ.get("PCPLAN_FUZZ_EXAMPLES", "60"))
QUICK_EXAMPLES = 8  # the quick run's (derandomized: the same every run)
KEEP_GOING = os.environ.get("PCPLAN_FUZZ_KEEP_GOING")
RUN = {"examples": 0, "crashes": 0}

# -- the reference documents and what they are made of ------------------------------------------------------

REFERENCE = {path.relative_to(SAMPLE_CASES).as_posix(): load_file(path).data
             for member in CLEAN_MEMBERS for path in sorted((SAMPLE_CASES / "members" / member).rglob("*.yaml"))}
REFERENCE["staff.yaml"] = load_file(SAMPLE_CASES / "staff.yaml").data
DOCUMENTS = sorted(REFERENCE)


def _walk(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, path + (index,))


def _schema_keys(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found.update(value)
            found |= _schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schema_keys(value)
    return found


FIELD_NAMES = sorted(set().union(*(_schema_keys(schema_for(kind)) for kind in KINDS)))
# Every scalar of the reference repository: ids, dates, codes and words, to swap in where they do not belong.
SCALARS = sorted({v for data in REFERENCE.values() for _, v in _walk(data)
                  if isinstance(v, (str, int, float, bool)) and not isinstance(v, str) or
                  (isinstance(v, str) and len(v) < 40)}, key=repr)
DATES = ["2026-02-30", "26-03-01", "2026-13-01", "0000-01-01", "9999-12-31", "0001-01-01", "1900-01-01",
         "2026-11-22", "2026-11-23", "2027-02-29", "2024-02-29", "2026-1-1", "2026-11-22T10:00:00", ""]
SNIPPETS = ["&a [1, 2]", "*a", "<<: *a", "!!python/object/apply:os.system [echo]", "!!binary aGk=", "\t", "---\n",
            "...\n", "<<<<<<< HEAD\n", "=======\n", ">>>>>>> other\n", "{", "[", "}", "]", "'", '"', "#", ": ",
            "- ", "? ", "|", ">", "%YAML 1.1\n", "\ufeff", "\u2028", "\x85", "\r", "\r\n", "\x1b[2J", "\x00", "~",
            "key: value\n", "  nested: [x]\n", "- id: G1\n", "kind: note\n", "version: 2\n", "&b {x: *b}"]

# Schema-valid values at the edge of what a date or a number holds (tests/test_extreme_values.py): frequencies
# past the calendar, amounts of 31 digits, and, written in by marker after dumping (PyYAML cannot write them),
# a whole number of 5,000 digits and an infinite float.
HUGE_INT, HUGE_FLOAT = "PCPLAN_FUZZ_HUGE_INT", "PCPLAN_FUZZ_HUGE_FLOAT"
EXTREMES = ["9999-12-31", "0001-01-01", "3000000 weeks", "99999 years", "1000000 months", "9" * 400 + " days",
            10 ** 30, -10 ** 30, 1e300, HUGE_INT, HUGE_FLOAT]
MARKERS = {HUGE_INT: "9" * 5000, HUGE_FLOAT: "1.0e+400"}


def _extreme_keys(node) -> set[str]:
    """The names of the date, frequency and number fields of the schemas (where extreme values go)."""
    found = set()
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            if isinstance(value, dict) and (value.get("format") == "date" or str(value.get("$ref", "")).endswith(
                    "/date") or value.get("type") in ("integer", "number") or key in ("every", "review_every",
                                                                                        "frequency")):
                found.add(key)
        for value in node.values():
            found |= _extreme_keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= _extreme_keys(value)
    return found


EXTREME_KEYS = set().union(*(_extreme_keys(schema_for(kind)) for kind in KINDS))

scalars = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=True)
           | st.text(max_size=30) | st.sampled_from(SCALARS) | st.sampled_from(DATES))
keys = st.sampled_from(FIELD_NAMES) | st.text(min_size=1, max_size=12)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=8)


# -- mutations --------------------------------------------------------------------------------------------------

def _parent(data, path):
    for step in path[:-1]:
        data = data[step]
    return data


def _replace(data, path, value):
    if not path:
        return value
    _parent(data, path)[path[-1]] = value
    return data


def mutate(draw, data):
    """One mutation of the tree at a node hypothesis picks; returns the new tree."""
    path, node = draw(st.sampled_from(list(_walk(data))))
    operation = draw(st.sampled_from(["drop", "duplicate", "retype", "reorder", "insert", "truncate", "unicode",
                                      "swap", "date", "empty", "nest", "extreme"]))
    if operation == "drop" and path:
        del _parent(data, path)[path[-1]]
    elif operation == "duplicate" and path and isinstance(_parent(data, path), list):
        _parent(data, path).insert(path[-1], json.loads(json.dumps(node)))
    elif operation == "duplicate" and isinstance(node, list) and node:
        node.append(json.loads(json.dumps(node[draw(st.integers(0, len(node) - 1))])))
    elif operation == "retype":
        data = _replace(data, path, draw(values.filter(lambda v: type(v) is not type(node))))
    elif operation == "reorder" and isinstance(node, dict) and node:
        order = draw(st.permutations(list(node)))
        data = _replace(data, path, {k: node[k] for k in order})
    elif operation == "reorder" and isinstance(node, list) and node:
        data = _replace(data, path, draw(st.permutations(node)))
    elif operation == "insert" and isinstance(node, dict):
        node[draw(keys)] = draw(values)
    elif operation == "insert" and isinstance(node, list):
        node.insert(draw(st.integers(0, len(node))), draw(values))
    elif operation == "truncate" and isinstance(node, str):
        data = _replace(data, path, node[:draw(st.integers(0, len(node)))])
    elif operation == "unicode":
        data = _replace(data, path, draw(st.text(max_size=60)))
    elif operation == "swap":
        data = _replace(data, path, draw(st.sampled_from(SCALARS)))
    elif operation == "extreme":  # mostly where such values belong: a date, a frequency, a number
        fields = [p for p, _ in _walk(data) if p and p[-1] in EXTREME_KEYS]
        where = draw(st.sampled_from(fields)) if fields and draw(st.integers(0, 3)) else path
        data = _replace(data, where, draw(st.sampled_from(EXTREMES)))
    elif operation == "date":
        data = _replace(data, path, draw(st.sampled_from(DATES)))
    elif operation == "empty":
        data = _replace(data, path, draw(st.sampled_from([None, "", [], {}, " ", "\n"])))
    elif operation == "nest":
        data = _replace(data, path, [node] if draw(st.booleans()) else {draw(keys): node})
    return data


def text_edit(draw, text: str) -> str:
    """A raw edit of the YAML text, as a hand, a merge tool or a copy and paste makes them."""
    lines = text.split("\n")
    operation = draw(st.sampled_from(["snippet", "delete", "repeat", "swap", "crlf", "indent", "random"]))
    at = draw(st.integers(0, len(text)))
    if operation == "snippet":
        return text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at:]
    if operation == "delete":
        return text[:at] + text[at + draw(st.integers(1, 40)):]
    if operation == "repeat" and lines:
        index = draw(st.integers(0, len(lines) - 1))
        return "\n".join(lines[:index + 1] + [lines[index]] + lines[index + 1:])
    if operation == "swap" and len(lines) > 1:
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if operation == "crlf":
        return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\r\r\n", "\n\n"])))
    if operation == "indent" and lines:
        index = draw(st.integers(0, len(lines) - 1))
        lines[index] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + lines[index]
        return "\n".join(lines)
    return text[:at] + draw(st.text(max_size=10)) + text[at:]


@st.composite
def mutated_documents(draw):
    """(the document's path in the repository, the bytes to write there)."""
    name = draw(st.sampled_from(DOCUMENTS))
    data = json.loads(json.dumps(REFERENCE[name]))
    for _ in range(draw(st.integers(1, 6))):
        data = mutate(draw, data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                          default_flow_style=draw(st.sampled_from([False, None, True])))
    for marker, literal in MARKERS.items():
        text = text.replace(marker, literal)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        text = text_edit(draw, text)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # stray bytes: a bad transfer, another encoding
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return name, raw


# -- the runs ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    out = base / "out"
    out.mkdir()
    yield root, out
    if KEEP_GOING:
        _progress()
        print(f"\nfuzz: {RUN['examples']} examples, {RUN['crashes']} crashing (distinct crashes in {KEEP_GOING})")


def _progress() -> None:
    folder = Path(KEEP_GOING)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "progress.txt", "a", encoding="utf-8") as log:
        log.write(f"{RUN['examples']} examples, {RUN['crashes']} crashing, "
                  f"{len(list(folder.glob('*.txt'))) - 1} distinct\n")


def exercise(root: Path, out: Path, name: str, fmt: str, report_html: bool) -> None:
    """check, every output format, render, due and report on the member folder holding ``name``."""
    from pcplan.caseload.due import DueOptions, collect, write
    from pcplan.caseload.report import build_report, write_report
    from pcplan.engine import Options, check
    from pcplan.render import RenderError, RenderRequest, render
    from pcplan.report import ReportOptions, writer

    folder = root / "/".join(name.split("/")[:2]) if name.startswith("members/") else root / "members" / "M-000123"
    scope = folder if name.startswith("members/") else root
    result = check([scope], Options(today=TODAY), cwd=root)
    internal = [f for f in result.findings if f.code == "E000"]
    assert result.internal_errors == 0 and not internal, [f.message for f in internal]
    assert all(f.line >= 1 and f.column >= 1 for f in result.findings)
    for output in ("full", "concise", "json", "sarif", "github", "junit"):
        writer(output)(result, io.StringIO(), ReportOptions(show_source=True, color=False, width=100))
    try:
        render(RenderRequest(target=folder, fmt=fmt, output=out, draft=True, force=True, today=TODAY), cwd=root)
    except RenderError:
        pass  # refused with a message (no plan, not a member folder…): fine
    due = collect(scope, DueOptions(today=TODAY, within="all"), cwd=root)
    for output in ("table", "json", "csv", "ics"):
        write(due, output, io.StringIO(), color=False, width=100)
    report = build_report(scope, TODAY, cwd=root)
    write_report(report, "json", io.StringIO())
    if report_html:
        write_report(report, "html", io.StringIO())


def _record(name: str, raw: bytes, exc: BaseException) -> None:
    """Keep-going mode: one file per distinct crash (its last frame and exception type)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(frames) if "/pcplan/" in f.filename), frames[-1] if frames else None)
    signature = f"{type(exc).__name__} {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else repr(exc)
    digest = hashlib.sha256(signature.encode()).hexdigest()[:12]
    folder = Path(KEEP_GOING)
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / f"{digest}.txt"
    if not report.exists():
        (folder / f"{digest}.yaml").write_bytes(raw)
        report.write_text(f"{signature}\ndocument: {name}\n\n" + "".join(traceback.format_exception(exc)),
                          encoding="utf-8")
    RUN["crashes"] += 1


HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]


@settings(max_examples=QUICK_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=HEALTH)
@given(document=mutated_documents(), fmt=st.sampled_from(["md", "html"]), report_html=st.booleans())
def test_a_few_mutated_documents_never_crash_check_render_due_or_report(workspace, document, fmt, report_html):
    fuzz(workspace, document, fmt, report_html)


@SLOW
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not KEEP_GOING and EXAMPLES <= 200,
          suppress_health_check=HEALTH)
@given(document=mutated_documents(), fmt=st.sampled_from(["md", "html"]), report_html=st.booleans())
def test_mutated_documents_never_crash_check_render_due_or_report(workspace, document, fmt, report_html):
    fuzz(workspace, document, fmt, report_html)


def fuzz(workspace, document, fmt: str, report_html: bool) -> None:
    """One mutated document in place of its original, through every command; the original back after."""
    root, out = workspace
    name, raw = document
    target = root / name
    original = target.read_bytes()
    RUN["examples"] += 1
    if KEEP_GOING and RUN["examples"] % 250 == 0:  # a long run says how far it got, even if it is killed
        _progress()
    try:
        target.write_bytes(raw)
        exercise(root, out, name, fmt, report_html)
    except Exception as exc:  # noqa: BLE001 - any escape is the bug this test looks for
        if not KEEP_GOING:
            raise
        _record(name, raw, exc)
    finally:
        target.write_bytes(original)


def test_the_reference_repository_is_the_fuzzers_starting_point(workspace):
    """Not vacuous: the unmutated repository is clean, so every finding the fuzzer sees comes from a mutation."""
    from pcplan.engine import Options, check

    root, _ = workspace
    result = check([root], Options(today=TODAY), cwd=root)
    assert result.findings == [] and result.files == len(DOCUMENTS)
