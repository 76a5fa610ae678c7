"""Findings where the fix is made (issue 13): L103, L106, L107 and L111 are reported in the plan, with the
assessed need, risk or barrier as a related location, which every output format carries and which no member
text reaches. Checking either file alone (an editor, a pre-commit hook) reports them; documented exceptions
and baselines follow the finding to the plan."""

from __future__ import annotations

import io
import json
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from conftest import (
    DANNY_PLAN,
    ELENA_ASSESSMENT,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    SHARED,
    TODAY,
    at,
    reenroll_abdi,
    revision,
)
from pcplan.baseline import baseline_document
from pcplan.engine import Options, check
from pcplan.report import ReportOptions, writer

DANNY_ASSESSMENT = "members/M-000207/assessment-2026-05-06.yaml"
ABDI_PLAN = "members/M-000301/plan-2026-02-02.yaml"
ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"
N4_UNADDRESSED = ("need N4 of assessment A1 is not addressed by any goal of this plan nor deferred with a reason; "
                  "add it to a goal's `needs`, or to `deferred_needs` with the reason")
ELENA_BACKUP = "    backup_plan: If the aide cannot come, Rosa helps; Elena wears a medical alert pendant.\n"


def unaddress_n4(repo, plan: str = ELENA_PLAN) -> None:
    repo.edit(plan, "    needs: [N3, N4]\n", "    needs: [N3]\n")


def related(finding) -> list[tuple]:
    return [at(r) + (r.message,) for r in finding.related]


def one(findings, code):
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [(f.code, at(f), f.message) for f in findings]
    return matching[0]


def need_n4(repo):
    return (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: N4"), "need N4 in assessment A1")


def output(repo, fmt: str, **options) -> str:
    result = check([repo.root], Options(today=TODAY, record_checked=True), cwd=repo.root)
    stream = io.StringIO()
    writer(fmt)(result, stream, ReportOptions(**options))
    return stream.getvalue()


# ---------------------------------------------------------------- where the findings are

def test_l103_is_in_the_plan_with_the_need_as_related_location(repo):
    unaddress_n4(repo)
    finding = one(repo.check(), "L103")
    assert at(finding) + (finding.message,) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n"), N4_UNADDRESSED)
    assert related(finding) == [need_n4(repo)]
    assert finding.dotted_path == "goals"


def test_either_file_checked_alone_reports_it_but_not_an_unrelated_one(repo):
    """The engine keeps a finding when its file or a related file was named (the hook names changed files)."""
    unaddress_n4(repo)
    assert [(f.code, f.path) for f in repo.check(ELENA_PLAN)] == [("L103", ELENA_PLAN)]
    assert [(f.code, f.path) for f in repo.check(ELENA_ASSESSMENT)] == [("L103", ELENA_PLAN)]
    assert repo.check(ELENA_NOTE) == []


def test_a_plan_without_goals_is_reported_at_its_assessment_reference(repo):
    text = repo.read(ELENA_PLAN)
    repo.write(ELENA_PLAN, text[:text.index("goals:\n")] + text[text.index("deferred_needs:"):])
    findings = [f for f in repo.check(select=("L103",))]
    position = (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))
    assert [at(f) for f in findings] == [position] * 4
    assert [r.message for f in findings for r in f.related] == [
        f"need N{n} in assessment A1" for n in (1, 2, 3, 4)]


def test_a_deferral_without_reason_carries_the_need(repo):
    unaddress_n4(repo)
    repo.edit(ELENA_PLAN, "deferred_needs: []\n", "deferred_needs:\n  - need: N4\n")
    finding = one(repo.check(), "L103")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "need: N4"))
    assert related(finding) == [need_n4(repo)]


def test_l106_without_any_risk_mitigations_points_at_the_assessment_reference(repo):
    text = repo.read(ELENA_PLAN)
    repo.write(ELENA_PLAN, text[:text.index("risk_mitigations:")] + text[text.index("rights_modifications:"):])
    finding = one(repo.check(select=("L106",)), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))
    assert related(finding) == [(ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: R1"),
                                 "risk R1 in assessment A1")]


def test_l106_entry_without_mitigation_carries_the_risk(repo):
    repo.edit(ELENA_PLAN, "    mitigation: Grab bars and a shower chair are installed; the aide is present during "
              "bathing.\n", "")
    finding = one(repo.check(select=("L106",)), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "risk: R1"))
    assert [r.message for r in finding.related] == ["risk R1 in assessment A1"]


def test_l107_strategy_that_says_nothing_is_reported_at_its_entry(repo):
    repo.edit(ELENA_PLAN, "    text: The case manager asks the pharmacy for labels and instructions in Spanish.\n", "")
    finding = one(repo.check(select=("L107",)), "L107")
    assert at(finding) + (finding.message,) == (
        ELENA_PLAN, *repo.locate(ELENA_PLAN, "barrier: B1"),
        "the strategy for barrier B1 of assessment A1 does not say what will be done (`text`)")
    assert related(finding) == [(ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: B1"),
                                 "barrier B1 in assessment A1")]


def test_l107_in_the_plan_of_a_member_with_a_guardian(repo):
    repo.edit(DANNY_PLAN, "strategies:\n  - barrier: B1\n    text: Grace drives on two days; the job coach explores "
              "a ride share with a co-worker.\n", "strategies: []\n")
    finding = one(repo.check(select=("L107",)), "L107")
    assert at(finding) + (finding.message,) == (
        DANNY_PLAN, *repo.locate(DANNY_PLAN, "strategies: []"),
        "barrier B1 of assessment A1 has no strategy in this plan; add a `strategies` entry for it")
    assert related(finding) == [(DANNY_ASSESSMENT, *repo.locate(DANNY_ASSESSMENT, "id: B1"),
                                 "barrier B1 in assessment A1")]


def test_l111_carries_the_high_risk(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")
    finding = one(repo.check(select=("L111",)), "L111")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "- risk: R1", 2))
    assert related(finding) == [(ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: R1"),
                                 "risk R1, rated high, in assessment A1")]


def test_a_draft_revision_and_the_plan_in_effect_each_report_in_their_own_file(repo):
    revision(repo)  # an unsigned draft P2
    unaddress_n4(repo)
    unaddress_n4(repo, ELENA_REVISION)
    findings = [f for f in repo.check(today=date(2027, 2, 10), select=("L103",))]
    assert [at(f) for f in findings] == [(ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n")),
                                         (ELENA_REVISION, *repo.locate(ELENA_REVISION, "goals:\n"))]
    assert [related(f) for f in findings] == [[need_n4(repo)]] * 2
    # the draft documents its own exception: it now covers the draft's finding, which is in its own file
    repo.edit(ELENA_REVISION, "exceptions: []\n", "exceptions:\n  - {rule: L103, about: N4, reason: Elena will "
              "decide after the holidays., documented_by: cm-jlee, on: 2027-01-20}\n")
    findings = [f for f in repo.check(today=date(2027, 2, 10), select=("L103",))]
    assert [(f.path, f.excepted) for f in findings] == [(ELENA_PLAN, False), (ELENA_REVISION, True)]


def test_a_closed_case_keeps_its_plan_judged_until_the_member_is_enrolled_again(repo):
    repo.edit(ABDI_ASSESSMENT, "risks: []\n", "risks:\n  - id: R1\n    text: Works on cars alone at night.\n"
              "    level: medium\n")
    finding = one(repo.check(select=("L106",)), "L106")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "risk_mitigations: []"))
    assert related(finding) == [(ABDI_ASSESSMENT, *repo.locate(ABDI_ASSESSMENT, "id: R1"),
                                 "risk R1 in assessment A1")]
    reenroll_abdi(repo)
    assert repo.check(select=("L106",)) == []


# ---------------------------------------------------------------- exceptions and baselines

def exception(about: str) -> str:
    return ("exceptions:\n  - {rule: L103, about: " + about + ", reason: Elena wants to wait., documented_by: cm-jlee, "
            "on: 2026-11-01}\n")


def test_an_exception_about_the_need_covers_the_finding_through_its_related_location(repo):
    unaddress_n4(repo)
    repo.edit(ELENA_PLAN, "exceptions: []\n", exception("N4"))
    findings = repo.check()
    assert [(f.code, f.path, f.excepted) for f in findings] == [("L103", ELENA_PLAN, True)]


def test_an_exception_about_another_need_does_not_cover_it(repo):
    unaddress_n4(repo)
    repo.edit(ELENA_PLAN, "exceptions: []\n", exception("N3"))
    findings = repo.check()
    assert not one(findings, "L103").excepted
    assert "about N3" in one(findings, "E008").message


def test_the_baseline_keys_on_the_plan_and_the_data_path_there_with_the_need(repo):
    """Two needs the plan leaves out are two keys (and two SARIF alerts), though both sit at `goals`."""
    unaddress_n4(repo)
    repo.edit(ELENA_PLAN, "    needs: [N1]\n", "    needs: []\n")
    findings = repo.check(select=("L103",))
    assert baseline_document(findings)["findings"] == [
        {"member": "M-000123", "file": ELENA_PLAN, "code": "L103", "count": 1,
         "data_path": f"goals ({ELENA_ASSESSMENT}: needs[{n}])"} for n in (0, 3)]
    results = json.loads(output(repo, "sarif"))["runs"][0]["results"]
    assert len({r["partialFingerprints"]["pcplanFinding/v1"] for r in results if r["ruleId"] == "L103"}) == 2


# ---------------------------------------------------------------- output formats

def test_json_lists_related_locations_and_an_empty_list_otherwise(repo):
    unaddress_n4(repo)
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")  # L104, L105: no related location
    findings = json.loads(output(repo, "json"))["findings"]
    by_code = {f["code"]: f for f in findings}
    line, column = repo.locate(ELENA_ASSESSMENT, "id: N4")
    assert by_code["L103"]["related"] == [{"path": ELENA_ASSESSMENT, "line": line, "column": column,
                                           "message": "need N4 in assessment A1"}]
    assert by_code["L104"]["related"] == [] and by_code["L105"]["related"] == []


def test_sarif_related_locations_are_valid_and_positioned(repo):
    unaddress_n4(repo)
    document = json.loads(output(repo, "sarif"))
    (result,) = document["runs"][0]["results"]
    line, column = repo.locate(ELENA_ASSESSMENT, "id: N4")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ELENA_PLAN
    assert result["relatedLocations"] == [{
        "id": 1,
        "physicalLocation": {"artifactLocation": {"uri": ELENA_ASSESSMENT},
                             "region": {"startLine": line, "startColumn": column, "endLine": line,
                                        "endColumn": column + 1}},  # a block mapping: its first character
        "message": {"text": "need N4 in assessment A1"},
    }]
    schema_file = SHARED / "vendor-schemas" / "sarif-schema-2.1.0.json"
    if not schema_file.is_file():
        pytest.skip(f"{schema_file} is absent")
    import jsonschema

    jsonschema.Draft4Validator(json.loads(schema_file.read_text())).validate(document)


def test_full_format_shows_a_second_location_line(repo):
    unaddress_n4(repo)
    lines = output(repo, "full", color=False, width=200).splitlines()
    plan_line, _ = repo.locate(ELENA_PLAN, "goals:\n")
    need_line, need_column = repo.locate(ELENA_ASSESSMENT, "id: N4")
    assert (plan_line, need_line) == (27, 33)  # two digits each: a gutter of three
    assert [line.rstrip() for line in lines[1:10]] == [
        f"  --> {ELENA_PLAN}:{plan_line}:1",
        "   |",
        f"{plan_line} | goals:",
        "   | ^",
        f"  --> {ELENA_ASSESSMENT}:{need_line}:{need_column}",
        "   |",
        f"{need_line} |   - id: N4",
        "   |     -",
        "   = related: need N4 in assessment A1",
    ]
    quiet = output(repo, "full", color=False, width=200, show_source=False).splitlines()
    assert [line.rstrip() for line in quiet[1:4]] == [f"  --> {ELENA_PLAN}:{plan_line}:1",
                                                      f"  --> {ELENA_ASSESSMENT}:{need_line}:{need_column}",
                                                      "   = related: need N4 in assessment A1"]
    assert quiet[4].startswith("   = hint: ")
    # in a 60-column terminal the label wraps under itself instead of running off the edge
    narrow = output(repo, "full", color=False, width=60).splitlines()
    assert all(len(line) <= 60 for line in narrow if not line.lstrip().startswith("-->"))


def test_full_format_aligns_the_gutter_to_the_longest_line_number(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")  # L111 at line 10x of the plan, its risk at line 4x of the assessment
    lines = [line for line in output(repo, "full", color=False, width=200).splitlines() if "|" in line or "-->" in line]
    risk_line, _ = repo.locate(ELENA_ASSESSMENT, "id: R1")
    assert [line.rstrip() for line in lines[4:8]] == [f"   --> {ELENA_ASSESSMENT}:{risk_line}:5",
                                                      "    |", f" {risk_line} |   - id: R1", "    |     -"]


def test_junit_github_and_concise_report_at_the_plan(repo):
    unaddress_n4(repo)
    line, _ = repo.locate(ELENA_PLAN, "goals:\n")
    need_line, need_column = repo.locate(ELENA_ASSESSMENT, "id: N4")
    root = ET.fromstring(output(repo, "junit"))
    (failure,) = root.iter("failure")
    assert failure.text == (f"{ELENA_PLAN}:{line}:1: L103 [error] {N4_UNADDRESSED}\n"
                            f"  related: {ELENA_ASSESSMENT}:{need_line}:{need_column}: need N4 in assessment A1")
    (annotation,) = output(repo, "github").splitlines()
    assert annotation.startswith(f"::error file={ELENA_PLAN},line={line},col=1,")
    assert output(repo, "concise").splitlines()[0] == f"{ELENA_PLAN}:{line}:1: L103 [error] {N4_UNADDRESSED}"


def test_related_locations_carry_no_member_text(repo):
    """Text typed where a need's id belongs (E004 reports it) is never repeated, here or in the message."""
    repo.edit(ELENA_ASSESSMENT, "  - id: N4\n", "  - id: Elena feels lonely\n")
    finding = one(repo.check(select=("L103",)), "L103")
    assert related(finding) == [(ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: Elena"),
                                 "need (not an id) in assessment A1")]
    assert "lonely" not in finding.message
    for fmt in ("json", "sarif", "junit", "concise", "github"):
        assert "lonely" not in output(repo, fmt, show_source=False), fmt
