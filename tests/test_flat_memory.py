"""A statewide check holds a few thousand findings in memory, not all of them, and prints the same bytes.

Findings past ``SPILL_AT`` go to sorted runs in temporary files (pcplan.findings.FindingStore)
and the json, sarif and junit formats write a finding at a time. Here the threshold is a
handful, so the sample cases spill many times over: every format must print exactly what
it prints with everything in memory, and that must be what ``json.dump`` (or
``ET.indent``) makes of the whole document.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

import pcplan.findings as findings_module
from conftest import SAMPLE_CASES, TODAY
from pcplan.cli import app
from pcplan.engine import Options, check
from pcplan.findings import Finding, FindingStore, Related
from pcplan.report import ReportOptions, writer

FORMATS = ("concise", "full", "json", "sarif", "github", "junit")


def _finding(n: int, rng: random.Random) -> Finding:
    # Few distinct sort keys, so that many findings tie and only insertion order tells them apart.
    related = (Related("b.yaml", 1, 2, "need N1", file=Path("/r/b.yaml"), data_path=("needs", 0)),) if n % 3 else ()
    return Finding(rng.choice(["L101", "L104"]), "name", "error", rng.choice(["a.yaml", "b.yaml"]),
                   rng.randint(1, 3), 1, "message", member=f"M-{n:06d}", data_path=("goals", n),
                   file=Path("/r") / f"{n % 5}.yaml", related=related)


@pytest.fixture
def spill_at(monkeypatch):
    def set_to(count: int) -> None:
        monkeypatch.setattr(findings_module, "SPILL_AT", count)
    return set_to


def test_the_store_yields_what_a_stable_sort_gives(spill_at):
    spill_at(7)
    rng = random.Random(5)
    added = [_finding(n, rng) for n in range(300)]
    store = FindingStore()
    for finding in added[:100]:
        store.append(finding)
    store.extend(added[100:])
    assert store.spilled > 10 and len(store) == 300
    expected = sorted(added, key=lambda f: f.sort_key)
    # Equal findings with the same sort key differ by member: the order of ties is the order they were added.
    assert [(f.member, f.data_path, f.file, f.related) for f in store] == \
        [(f.member, f.data_path, f.file, f.related) for f in expected]
    assert list(store) == list(store) == expected and store == expected
    assert store[0] == expected[0] and store[-1] == expected[-1]


def test_reading_twice_at_once_and_after_merging_the_runs(spill_at, monkeypatch):
    spill_at(3)
    monkeypatch.setattr(findings_module, "MAX_RUNS", 4)  # runs merged into one every few spills
    rng = random.Random(9)
    added = [_finding(n, rng) for n in range(100)]
    store = FindingStore(added)
    assert 1 <= store.spilled <= 5
    expected = [f.member for f in sorted(added, key=lambda f: f.sort_key)]
    one, two = iter(store), iter(store)
    assert [(a.member, b.member) for a, b in zip(one, two)] == list(zip(expected, expected))
    assert [f.member for f in store] == expected


def test_a_small_store_stays_in_memory_and_counts_as_it_goes():
    store = FindingStore([_finding(n, random.Random(n)) for n in range(5)])
    assert store.spilled == 0 and len(store) == 5 and store.tally.severities[("error", False)] == 5
    assert FindingStore() == [] and not FindingStore()


def _open_in(folder: Path) -> list[str]:
    """The files this process has open in ``folder`` (deleted ones too)."""
    fds = Path("/proc/self/fd")
    opened = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            opened.append(target)
    return opened


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_spilled_runs_are_private_and_gone_with_the_store(spill_at, monkeypatch, tmp_path):
    spill_at(3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = FindingStore(_finding(n, random.Random(n)) for n in range(20))
    assert store.spilled and _open_in(tmp_path)
    assert all(os.fstat(run.fileno()).st_mode & 0o077 == 0 for run, _ in store._runs)
    assert list(os.listdir(tmp_path)) == []  # unlinked at once: no name to find, nothing left behind
    del store
    assert _open_in(tmp_path) == []

    result = check([SAMPLE_CASES], Options(today=TODAY), cwd=SAMPLE_CASES)
    assert result.findings.spilled
    for fmt in FORMATS:
        writer(fmt)(result, io.StringIO(), ReportOptions(show_source=False))
    del result
    assert _open_in(tmp_path) == [] and list(os.listdir(tmp_path)) == []


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    """The sample cases with a member folder whose name CI hides: hidden, it sorts last, not first."""
    root = tmp_path_factory.mktemp("flat") / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    shutil.copytree(root / "members" / "M-000530", root / "members" / "M 000100")
    return root


def _outputs(root: Path, jobs: int = 1) -> dict:
    result = check([root], Options(today=TODAY, record_checked=True, jobs=jobs), cwd=root)
    out = {}
    for fmt in FORMATS:
        for statistics in (False, True):
            for hide in (False, True):
                stream = io.StringIO()
                writer(fmt)(result, stream, ReportOptions(show_source=True, statistics=statistics, color=False,
                                                          width=100, hide_names=hide, baselined=2))
                out[fmt, statistics, hide] = stream.getvalue()
    return out


def test_every_format_prints_the_same_bytes_when_spilled(cases, spill_at):
    whole = _outputs(cases)
    shown = [line.split(":")[0] for line in whole["concise", False, True].splitlines()[:-1]]
    assert shown != sorted(shown) and any("name-not-shown" in path for path in shown)  # not vacuous
    spill_at(3)
    assert _outputs(cases) == whole


def test_parallel_workers_merge_into_a_spilled_store(cases, spill_at, monkeypatch):
    import pcplan.engine as engine

    whole = _outputs(cases)
    spill_at(2)
    monkeypatch.setattr(engine.parallel, "PARALLEL_FROM", 2)
    monkeypatch.setattr(engine.parallel, "CHUNK", 2)
    assert _outputs(cases, jobs=2) == whole


def test_streamed_json_and_xml_are_what_the_whole_document_gives(cases, spill_at):
    spill_at(3)
    for (fmt, _, _), text in _outputs(cases).items():
        if fmt in ("json", "sarif"):
            document = json.loads(text)
            assert document["findings" if fmt == "json" else "runs"]
            assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        elif fmt == "junit":
            head, body = text.split("\n", 1)
            root = ET.fromstring(body)
            ET.indent(root)
            assert body == ET.tostring(root, encoding="unicode") + "\n"
    result = check([cases], Options(today=TODAY, record_checked=True), cwd=cases)
    for hide in (False, True):
        options = ReportOptions(hide_names=hide)
        stream = io.StringIO()
        writer("junit")(result, stream, options)
        assert stream.getvalue() == _junit_as_one_tree(result, options)


def _junit_as_one_tree(result, options: ReportOptions) -> str:
    """JUnit as pcplan wrote it before it streamed: the whole tree built, indented and written at once."""
    from pcplan.report import place, said

    by_file: dict[str, list] = {}
    for finding in result.findings:
        by_file.setdefault(place(finding.path, options), []).append(finding)
    suites = ET.Element("testsuites", name="pcplan check")
    totals = [0, 0, 0]
    for path in sorted({place(path, options) for path in result.checked} | set(by_file)):
        found = by_file.get(path, [])
        suite = ET.SubElement(suites, "testsuite", name=path)
        failures = skipped = 0
        if not found:
            ET.SubElement(suite, "testcase", classname="pcplan", name=f"{path}: no findings", file=path)
        for f in found:
            case = ET.SubElement(suite, "testcase", classname=f.code, file=path, line=str(f.line),
                                 name=f"{path}:{f.line}:{f.column} {f.code} {f.name}")
            if f.excepted:
                skipped += 1
                ET.SubElement(case, "skipped", message=f"documented exception: {said(f.message)}")
            elif f.severity in ("error", "warning"):
                failures += 1
                failure = ET.SubElement(case, "failure", message=said(f.message), type=f.severity)
                failure.text = f"{path}:{f.line}:{f.column}: {f.code} [{f.severity}] {said(f.message)}" + "".join(
                    f"\n  related: {place(r.path, options)}:{r.line}:{r.column}: {said(r.message)}"
                    for r in f.related)
            else:
                ET.SubElement(case, "system-out").text = f"{f.code} [info] {said(f.message)}"
        for name, value in (("tests", max(len(found), 1)), ("failures", failures), ("errors", 0),
                            ("skipped", skipped)):
            suite.set(name, str(value))
        totals = [totals[0] + max(len(found), 1), totals[1] + failures, totals[2] + skipped]
    for name, value in (("tests", totals[0]), ("failures", totals[1]), ("errors", 0), ("skipped", totals[2])):
        suites.set(name, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def test_no_findings_prints_empty_lists(repo):
    root = repo.root  # the reference members: no findings
    result = check([root], Options(today=TODAY, record_checked=True), cwd=root)
    assert len(result.findings) == 0
    for fmt in ("json", "sarif"):
        stream = io.StringIO()
        writer(fmt)(result, stream, ReportOptions())
        assert stream.getvalue() == json.dumps(json.loads(stream.getvalue()), indent=2, ensure_ascii=False) + "\n"
        assert ": []" in stream.getvalue()
    empty = check([root / "members" / "M-000123" / "member.yaml"], Options(today=TODAY), cwd=root)
    stream = io.StringIO()
    writer("junit")(empty, stream, ReportOptions())
    assert stream.getvalue().endswith('skipped="0" />\n')  # no file recorded: an empty testsuites


def test_baselines_and_exit_codes_are_the_same_when_spilled(cases, spill_at, tmp_path, monkeypatch):
    monkeypatch.chdir(cases)
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, ["check", "--today", TODAY.isoformat(), "--no-cache", "--jobs", "1", *args],
                               catch_exceptions=False)
        return result.exit_code, result.stdout

    def both(name):
        outcome = {}
        for spill in (100_000, 2):
            spill_at(spill)
            target = tmp_path / f"{name}-{spill}.json"
            outcome[spill] = (run("--write-baseline", str(target)), target.read_text())
        return outcome

    written = both("baseline")
    assert written[2] == written[100_000]
    document = json.loads(written[2][1])
    document["findings"] = document["findings"][::2]  # half of today's findings are known
    known = tmp_path / "half.json"
    known.write_text(json.dumps(document))
    seen = {}
    for spill in (100_000, 2):
        spill_at(spill)
        seen[spill] = [run("--baseline", str(known), "-f", fmt) for fmt in ("concise", "json", "junit")] + \
            [run("--fail-on", "warning"), run("--fail-on", "info", "--baseline", str(known))]
    assert seen[2] == seen[100_000]
    assert seen[2][0][0] == 1 and "in the baseline" in seen[2][0][1]
