"""No member text in CI output, ever (issue 14, item 2; DESIGN.md §6 "Private").

A copy of the whole sample repository gets a unique marker (``Zq<n> …``) in every
place a person can type: every scalar string of every file of every kind (ids,
references, names, free text, enum values and dates alike), keys that are not
field names, YAML tags and ``%TAG`` directives, and the names of notes, plans,
assessments, closures and a member folder. Then every command runs as CI runs it
(``CI=true``) in every format it has, to stdout and with ``-o``, with
``--write-baseline``, ``--baseline``, ``--statistics``, the GitHub step summary,
and ``render --draft`` (whose output is for the member and is left out, but whose
messages are not): no marker may appear in stdout, stderr or any file pcplan
writes.

Two seedings: ``consistent`` gives the same words the same marker, keeps dates and
lower-case codes (``face_to_face``), so references still resolve and the rules
speak about goals, supports and plans by their (marker) ids; ``unique`` gives every
string its own marker, codes and dates too, so the schema stage speaks.
Not vacuous: outside CI, the ``full`` format's excerpt quotes the markers.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import MARK, SAMPLE_CASES, Planted, seed, slow_except
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]


@pytest.fixture(scope="module", params=["consistent", "unique"])
def seeded(request, tmp_path_factory) -> Planted:
    root = tmp_path_factory.mktemp(f"privacy-{request.param}") / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    return seed(root, request.param)


def _run(root: Path, args: list[str], ci: bool = True):
    env = {"CI": "true" if ci else None, "GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None, "COLUMNS": "120",
           "NO_COLOR": "1", "GITHUB_STEP_SUMMARY": None}
    if "--summary" in args:
        args = [a for a in args if a != "--summary"]
        env["GITHUB_STEP_SUMMARY"] = str(root.parent / "out" / "step-summary.md")
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


# (arguments, exit status). {out} is a folder beside the repository, emptied before each command.
CHECK = [["check", *AS_OF, "-f", fmt] for fmt in ("full", "concise", "json", "sarif", "github", "junit")]
COMMANDS = [
    *((args, 1) for args in CHECK),
    *(([*args, "--statistics"], 1) for args in CHECK),
    (["check", *AS_OF, "-f", "github", "--summary"], 1),
    *((["check", *AS_OF, "-o", f"{{out}}/findings.{ext}"], 1) for ext in ("txt", "json", "sarif", "xml")),
    (["check", *AS_OF, "-f", "full", "-o", "{out}/findings.log"], 1),
    (["check", *AS_OF, "--write-baseline", "{out}/baseline.json"], 0),
    (["check", *AS_OF, "--jobs", "2", "-f", "json"], 1),
    *((["due", *AS_OF, "--within", "all", "-f", fmt], 0) for fmt in ("table", "json", "csv", "ics")),
    *((["due", *AS_OF, "--within", "all", "-o", f"{{out}}/due.{ext}"], 0) for ext in ("json", "csv", "ics")),
    *((["report", *AS_OF, "-f", fmt], 0) for fmt in ("table", "json")),
    (["report", *AS_OF, "-o", "{out}/report.json"], 0),
    (["rules"], 0),
    (["rule", "L101"], 0),
]


def _outputs(result, out: Path) -> dict[str, str]:
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            texts[path.name] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def _assert_no_marker(texts: dict[str, str], what) -> None:
    for name, text in texts.items():
        found = MARK.search(text)
        assert found is None, (what, name, text[max(found.start() - 300, 0):found.end() + 100])


def test_markers_are_planted_everywhere(seeded):
    counts = seeded.counts
    assert counts["value"] > 700 and counts["key"] > 40, counts
    assert counts["file name"] >= 30, counts


def test_outside_ci_the_full_excerpt_quotes_the_markers(seeded):
    """The seeding is not vacuous: the markers are in the files, and the excerpt (left out in CI) shows them."""
    result = _run(seeded.root, ["check", *AS_OF, "-f", "full"], ci=False)
    assert result.exit_code == 1
    assert len(set(MARK.findall(result.stdout))) > 100


# Every command in every format and way of writing is marked slow; the quick run keeps one of each way output
# leaves pcplan (the excerpt, a machine format, the step summary, a file, a baseline) and one of each other command.
QUICK_COMMANDS = ("check -f full-1", "check -f json-1", "check -f github --summary-1", "check -o {out}/findings.sarif-1",
                  "check --write-baseline {out}/baseline.json-0", "due --within all -f table-0", "report -f table-0",
                  "rule-0")


@pytest.mark.parametrize("args, status", slow_except(
    [pytest.param(args, status, id=f"{' '.join(args[:1] + args[3:])}-{status}") for args, status in COMMANDS],
    *QUICK_COMMANDS))
def test_no_marker_in_any_output_under_ci(seeded, args, status):
    out = seeded.root.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    args = [a.format(out=out) for a in args]
    result = _run(seeded.root, args)
    assert result.exit_code == status, (args, result.stdout[-2000:], result.stderr[-2000:])
    texts = _outputs(result, out)
    assert "Traceback" not in result.stdout + result.stderr
    assert any(texts.values())
    _assert_no_marker(texts, args)


def test_baseline_read_back_and_fingerprint_under_ci(seeded):
    out = seeded.root.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    baseline = out / "baseline.json"
    assert _run(seeded.root, ["check", *AS_OF, "--write-baseline", str(baseline)]).exit_code == 0
    entries = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    assert len(entries) > 50
    again = _run(seeded.root, ["check", *AS_OF, "--baseline", str(baseline), "-f", "concise"])
    assert again.exit_code == 0, again.stdout[-2000:]
    assert "All checks passed: no findings" in again.stdout
    _assert_no_marker(_outputs(again, out), "check --baseline")
    plans = sorted(p for p in seeded.root.rglob("*.yaml") if "kind: plan" in p.read_text(encoding="utf-8"))
    assert plans
    for target in (plans[0], plans[0].parent):
        result = _run(seeded.root, ["fingerprint", str(target.relative_to(seeded.root)), *AS_OF])
        assert result.exit_code in (0, 2), result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        _assert_no_marker({"stdout": result.stdout, "stderr": result.stderr}, ["fingerprint", target.name])


def test_render_draft_messages_hold_no_marker(seeded):
    """The rendered plan is for the member and holds their words; what pcplan says about it does not."""
    out = seeded.root.parent / "render"
    out.mkdir(exist_ok=True)
    folders = sorted(p.parent for p in seeded.root.glob("members/*/member.yaml"))
    assert len(folders) == 9
    for folder in folders:
        for fmt in ("md", "html"):
            args = ["render", str(folder.relative_to(seeded.root)), "--draft", "-f", fmt, "-o", str(out),
                    "--force", *AS_OF]
            result = _run(seeded.root, args)
            assert result.exit_code in (0, 1, 2), (args, result.stderr)
            assert "Traceback" not in result.stdout + result.stderr
            _assert_no_marker({"stdout": result.stdout, "stderr": result.stderr}, args)


def _check_every_format(root: Path) -> None:
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    for fmt in ("concise", "json", "sarif", "github", "junit", "full"):
        result = _run(root, ["check", *AS_OF, "-f", fmt])
        assert result.exit_code == 1, result.stderr
        _assert_no_marker(_outputs(result, out), fmt)


def test_a_member_folder_named_in_words_never_leaves_check(tmp_path):
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    assert seed(root, "unique", folder=True).counts["folder name"] == 1
    _check_every_format(root)
    result = _run(root, ["check", *AS_OF, "-f", "concise"])
    assert "members/name-not-shown-" in result.stdout  # named by a stand-in, so the finding is still placed


# --- tags, plan file names, and the caseload views --------------------------------------------------------

def test_yaml_tags_are_never_repeated(tmp_path):
    """Tag text is typed by a person like any other: `!custom text`, `!!python/object:…`, a verbatim tag and a
    %TAG handle are each E005 at the tag, and the tag's words are not repeated."""
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    assert seed(root, "consistent", tags=True).counts["tag"] >= 10
    _check_every_format(root)


def test_yaml_anchor_and_alias_names_are_never_repeated(tmp_path):
    """An anchor's name is typed by a person like a tag (`&danny_meds`): an alias of a mapping or list is E005 at
    the alias, in every format, and neither the anchor's nor the alias's name is repeated."""
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    planted = Planted(root)
    files = sorted(p for p in root.rglob("*.yaml") if p.name != "staff.yaml")[::3]
    for path in files:
        name = planted.new("anchor").split()[0] + "_secret_words"
        path.write_text(path.read_text(encoding="utf-8")
                        + f"zq_anchor: &{name} {{a: 1}}\nzq_alias: *{name}\n", encoding="utf-8")
    assert planted.counts["anchor"] >= 10
    result = _run(root, ["check", *AS_OF, "-f", "concise"])
    assert result.stdout.count("repeats a mapping or list") == len(files)
    _check_every_format(root)


def test_plan_file_names_are_never_repeated(tmp_path):
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    seed(root, "consistent", plan_names=True)
    _check_every_format(root)


def test_due_and_report_show_only_what_looks_like_ids_and_names(tmp_path):
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root)
    seed(root, "consistent", programs=True, staff=True, folder=True)
    out = root.parent / "out"
    out.mkdir()
    for args in (["due", "-f", "json"], ["due", "-f", "csv"], ["due", "-f", "ics"], ["report", "-f", "json"]):
        result = _run(root, [*args, *AS_OF, *(["--within", "all"] if args[0] == "due" else [])])
        assert result.exit_code == 0, result.stderr
        _assert_no_marker(_outputs(result, out), args)
