"""`pcplan report`: the LTSS quality measures, their trends, and timeliness, in every format (docs/report.md).

The expected numbers are worked out by hand from the sample case files (the measures' own rules are
tested in test_measures.py, each against its specification section); here, what the report makes of
them: per group, per month-end, members in and out and why, hidden under CI, and the same bytes from a
warm cache as from a cold one.

Sample caseload as of 2026-11-22 (the 12 months from 2025-11-23), FFS LTSS:

* LTSS-1 5 of 9: M-000412, M-000530, M-000715, M-000788 (its second episode, enrolled 2026-07-13) and
  M-000823 assessed within 90 days with every core element; M-000644 without living_arrangement
  (elements_missing); M-000207 assessed on day 142 (late); M-000123 and M-000301 record no elements.
  Per case manager (the current one): cm-jlee M-000123, -301, -530, -644, -788: 2 of 5; cm-obello
  M-000207, -412, -715, -823: 3 of 4.
* LTSS-2 5 of 8: M-000123's 120 days end 2026-12-01 (window_open); M-000530 lacks backup_plan, M-000207's
  plan came late, M-000301's records no elements. cm-jlee 2 of 4 (M-000644, M-000788 met).
* LTSS-3 3 of 5: of LTSS-2's five, M-000644's copy reached the clinic 36 days after consent and
  M-000788's plan went to no primary care provider (both cm-jlee: 0 of 2; cm-obello 3 of 3).
* LTSS-4: no hospital stay has ended: 0 of 0.

At the month-ends (--months 3), the windows still open decide the changes: on 2026-08-31 and 2026-09-30,
M-000123 (enrolled 2026-08-03), M-000412 (2026-07-20) and M-000788 (2026-07-13) are within their 90 days:
LTSS-1 3 of 6; by 2026-10-31 M-000412 and M-000788 are judged (met): 5 of 8. LTSS-2 (120 days): 3 of 5 on
2026-08-31, and 3 of 6 from 2026-09-30 when M-000530's 120 days (enrolled 2026-05-26) are over (not met).
LTSS-3: 2 of 3 at each (M-000644 not shared).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_CASES
from pcplan import cache as cache_module
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]
CACHE = ".pcplan_cache"
ENV = {"CI": None, "GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None, "PCPLAN_CACHE_DIR": None,
       "PCPLAN_TODAY": None}
MONTH_ENDS = ["2026-08-31", "2026-09-30", "2026-10-31"]


def run(root: Path, *args: str, ci: bool = False):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["report", *AS_OF, *args], env={**ENV, "CI": "true" if ci else None},
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def report(root: Path, *args: str, ci: bool = False) -> dict:
    result = run(root, "-f", "json", "--months", "3", *args, ci=ci)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def samples(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the sample repository, its files dated an hour ago (so a cached run trusts their stat)."""
    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)
    monkeypatch.setattr(cache_module, "_SOURCE", None)
    root = tmp_path / "sample_cases"
    shutil.copytree(SAMPLE_CASES, root, ignore=shutil.ignore_patterns(CACHE))
    past = time.time() - 3600
    for path in root.rglob("*.yaml"):
        os.utime(path, (past, past))
    return root


def rates(data: dict) -> dict[tuple[str, str], tuple]:
    return {(m["id"], r["rate"]): (r["numerator"], r["denominator"], r["excluded"], r["not_computable"])
            for m in data["quality_measures"]["measures"] for r in m["rates"]}


def series(data: dict, kind: str = "agency", group: str | None = None) -> dict[tuple[str, str, str], tuple]:
    return {(r["measure"], r["rate"], r["period_end"]): (r["numerator"], r["denominator"], r["excluded"])
            for r in data["quality_measures"]["series"] if r["group_kind"] == kind and r["group"] == group}


# -- the measures ------------------------------------------------------------------------------------------------


def test_each_measure_as_of_today_with_what_cannot_be_computed(samples):
    data = report(samples)
    q = data["quality_measures"]
    assert (q["variant"], q["as_of"], q["period"]) == ("ffs", "2026-11-22",
                                                       {"start": "2025-11-23", "end": "2026-11-22"})
    assert rates(data) == {
        ("LTSS-1", "core"): (5, 9, 0, None),
        ("LTSS-1", "supplemental"): (0, 0, 0, ["assessment.supplemental_elements"]),
        ("LTSS-2", "core"): (5, 8, 0, None),
        ("LTSS-2", "supplemental"): (0, 0, 0, ["plan.supplemental_elements"]),
        ("LTSS-3", "shared"): (3, 5, 0, None),
        ("LTSS-4", "reassessment"): (0, 0, 0, None),
        ("LTSS-4", "reassessment_and_plan_update"): (0, 0, 0, None)}
    ltss1 = q["measures"][0]["rates"][0]
    assert ltss1["share"] == 0.5556
    assert ltss1["by_reason"] == [
        {"outcome": "met", "reason": "on_time", "count": 5},
        {"outcome": "not_met", "reason": "elements_missing", "count": 1},
        {"outcome": "not_met", "reason": "elements_not_recorded", "count": 2},
        {"outcome": "not_met", "reason": "late", "count": 1}]


def test_members_in_and_out_and_why_with_their_case_manager(samples):
    q = report(samples)["quality_measures"]
    assert q["members_listed"] is True
    ltss2 = {m["member"]: (m["case_manager"], m["outcome"], m["reason"]) for m in q["measures"][1]["rates"][0]["members"]}
    assert {k: v for k, v in ltss2.items() if v[1] != "met"} == {
        "M-000123": ("cm-jlee", "not_eligible", "window_open"), "M-000207": ("cm-obello", "not_met", "late"),
        "M-000301": ("cm-jlee", "not_met", "elements_not_recorded"),
        "M-000530": ("cm-jlee", "not_met", "elements_missing")}
    assert sorted(k for k, v in ltss2.items() if v[1] == "met") == [
        "M-000412", "M-000644", "M-000715", "M-000788", "M-000823"]
    ltss3 = q["measures"][2]["rates"][0]["members"]
    assert [(m["member"], m["reason"]) for m in ltss3 if m["outcome"] == "not_met"] == [
        ("M-000644", "not_shared"), ("M-000788", "not_shared")]


def test_the_trend_at_each_month_end_per_group(samples):
    data = report(samples)
    q = data["quality_measures"]
    assert q["month_ends"] == MONTH_ENDS
    agency = series(data)
    assert [agency[("LTSS-1", "core", day)][:2] for day in [*MONTH_ENDS, "2026-11-22"]] == [
        (3, 6), (3, 6), (5, 8), (5, 9)]
    assert [agency[("LTSS-2", "core", day)][:2] for day in [*MONTH_ENDS, "2026-11-22"]] == [
        (3, 5), (3, 6), (3, 6), (5, 8)]
    assert [agency[("LTSS-3", "shared", day)][:2] for day in [*MONTH_ENDS, "2026-11-22"]] == [
        (2, 3), (2, 3), (2, 3), (3, 5)]
    assert series(data, "case_manager", "cm-jlee")[("LTSS-1", "core", "2026-11-22")] == (2, 5, 0)
    assert series(data, "case_manager", "cm-obello")[("LTSS-1", "core", "2026-11-22")] == (3, 4, 0)
    assert series(data, "case_manager", "cm-jlee")[("LTSS-3", "shared", "2026-11-22")] == (0, 2, 0)
    assert series(data, "case_manager", "cm-obello")[("LTSS-3", "shared", "2026-11-22")] == (3, 3, 0)
    # M-000207 (SLS-DD, late) and M-000644 (SLS-DD, elements missing): 0 of 2
    assert series(data, "program", "SLS-DD")[("LTSS-1", "core", "2026-11-22")] == (0, 2, 0)
    # (3 month-ends and today) x 7 rates x (the agency, 2 case managers, 5 programs)
    assert len(q["series"]) == 4 * 7 * 8


def test_an_exclusion_counts_apart_from_the_denominator(samples):
    """M-000207, enrolled 2025-12-15 and assessed on day 142, with three documented attempts in its 90 days that
    did not reach him (CMS FAQ 89106): excluded from LTSS-1, not a miss: 5 of 8, 1 excluded."""
    member = samples / "members" / "M-000207" / "member.yaml"
    member.write_text(member.read_text(encoding="utf-8") + (
        "outreach:\n"
        "  - {on: 2026-01-05, for: assessment, method: phone, outcome: no_answer, by: cm-obello}\n"
        "  - {on: 2026-01-20, for: assessment, method: phone, outcome: left_message, by: cm-obello}\n"
        "  - {on: 2026-02-10, for: assessment, method: letter, outcome: unable_to_reach, by: cm-obello}\n"),
        encoding="utf-8")
    data = report(samples)
    assert rates(data)[("LTSS-1", "core")] == (5, 8, 1, None)
    ltss1 = data["quality_measures"]["measures"][0]["rates"][0]
    assert ltss1["exclusions"] == [{"reason": "unable_to_reach", "count": 1}]
    assert ("M-000207", "excluded", "unable_to_reach") in [(m["member"], m["outcome"], m["reason"])
                                                           for m in ltss1["members"]]
    assert series(data, "case_manager", "cm-obello")[("LTSS-1", "core", "2026-11-22")] == (3, 3, 1)
    rows = list(csv.DictReader(io.StringIO(run(samples, "-f", "csv", "--months", "3").stdout)))
    row = next(r for r in rows if r["measure"] == "LTSS-1" and r["rate"] == "Assessment of core elements"
               and r["period_end"] == "2026-11-22" and r["group_kind"] == "agency")
    assert (row["numerator"], row["denominator"], row["excluded"], row["rate_percent"]) == ("5", "8", "1", "62.5")


def test_a_measure_no_record_can_give_is_not_computable_never_a_number(samples):
    """No assessment records `ltss_elements` (CMS's core elements): LTSS-1 and LTSS-4 are not computable, and
    say what is missing, in every format; LTSS-2 and LTSS-3 (plans) still are."""
    for path in (samples / "members").rglob("assessment-*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("ltss_elements:")) + "\n",
                        encoding="utf-8")
    data = report(samples)
    found = rates(data)
    assert found[("LTSS-1", "core")] == (0, 0, 0, ["assessment.ltss_elements"])
    assert found[("LTSS-4", "reassessment")] == (0, 0, 0, ["assessment.ltss_elements"])
    assert found[("LTSS-2", "core")] == (5, 8, 0, None)
    assert {r["rate_percent"] for r in data["quality_measures"]["series"] if r["measure"] == "LTSS-1"} == {None}
    assert "LTSS-1 Assessment of core elements: not computable: missing assessment.ltss_elements" in run(
        samples, "--months", "3").stdout
    page = run(samples, "-f", "html", "--months", "3").stdout
    assert "Not computable: missing assessment.ltss_elements (no record in the caseload has it)" in page
    assert 'id="chart-trend-ltss-1"' not in page and 'id="chart-trend-ltss-2"' in page
    rows = list(csv.reader(io.StringIO(run(samples, "-f", "csv", "--months", "3").stdout)))
    assert ["LTSS-1", "Assessment of core elements", "2026-11-22", "case_manager", "cm-jlee", "0", "0", "0", "",
            "missing assessment.ltss_elements", ""] in rows


def test_mltss_from_pcplan_toml(samples):
    """MLTSS asks for the assessment at home: M-000412 was assessed in an office (test_measures.py): 4 of 9."""
    toml = samples / "pcplan.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('measures = "ffs"', 'measures = "mltss"') if 'measures = "ffs"' in text
                    else text + '\n[report]\nmeasures = "mltss"\n', encoding="utf-8")
    data = report(samples)
    assert data["quality_measures"]["variant"] == "mltss"
    assert rates(data)[("LTSS-1", "core")][:2] == (4, 9)


# -- timeliness --------------------------------------------------------------------------------------------------


def test_timeliness_per_case_manager_and_program(samples):
    """By hand, due from 2025-11-23 to 2026-11-22: reviews: M-000207 two on time, M-000715 one on time,
    M-000301 a day late, M-000644 and M-000823 none: 3 of 6. Member's copies: nine, M-000644's given 21 days
    after its due date: 8 of 9. Contacts: M-000644 missed four due dates, M-000715 one: 47 of 52. Nine
    enrollments in the period; M-000207 was assessed on day 142, the longest wait."""
    t = report(samples)["timeliness"]
    groups = {(g["group_kind"], g["group"]): g for g in t["groups"]}
    agency = groups[("agency", None)]
    assert (agency["contacts"], agency["reviews"], agency["copies"]) == (
        {"due": 52, "on_time": 47, "share": 0.9038}, {"due": 6, "on_time": 3, "share": 0.5},
        {"due": 9, "on_time": 8, "share": 0.8889})
    assert agency["to_first_assessment"] == {"enrollments": 9, "pending": 0, "median": 8, "p90": 142}
    assert agency["to_consented_plan"] == {"enrollments": 9, "pending": 0, "median": 22, "p90": 156}
    jlee = groups[("case_manager", "cm-jlee")]
    assert (jlee["contacts"]["on_time"], jlee["contacts"]["due"], jlee["reviews"]["on_time"], jlee["reviews"]["due"],
            jlee["copies"]["on_time"], jlee["copies"]["due"]) == (22, 26, 0, 2, 4, 5)
    assert [g["group"] for g in t["groups"]] == [None, "cm-jlee", "cm-obello", "CMH-SC", "HCBS-BI", "HCBS-EBD",
                                                 "RSS-CM", "SLS-DD"]
    trend = {(r["kind"], r["period_end"]): (r["on_time"], r["due"]) for r in t["series"]
             if r["group_kind"] == "agency"}
    # 2026-10-31: reviews from 2025-11-01: M-000207 (2026-08-20) and M-000715 on time; M-000301, -644, -823 not
    assert trend[("reviews", "2026-10-31")] == (2, 5)
    assert trend[("copies", "2026-10-31")] == (9, 10)
    assert trend[("contacts", "2026-10-31")] == (41, 45)


# -- formats -----------------------------------------------------------------------------------------------------


def test_csv_one_row_per_measure_period_and_group(samples):
    result = run(samples, "-f", "csv", "--months", "3")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["measure", "rate", "period_end", "group_kind", "group", "numerator", "denominator", "excluded",
                       "rate_percent", "not_computable", "days"]
    assert ["LTSS-1", "Assessment of core elements", "2026-10-31", "agency", "(all members)", "5", "8", "0", "62.5",
            "", ""] in rows
    assert ["LTSS-3", "Plan shared with the primary care provider within 30 days", "2026-11-22", "case_manager",
            "cm-jlee", "0", "2", "0", "0.0", "", ""] in rows
    assert ["LTSS-1", "Assessment of supplemental elements", "2026-08-31", "agency", "(all members)", "0", "0", "0",
            "", "missing assessment.supplemental_elements", ""] in rows
    assert ["timeliness", "plan reviews held on time", "2026-11-22", "agency", "(all members)", "3", "6", "", "50.0",
            "", ""] in rows
    assert ["timeliness", "days from enrollment to the first assessment (90th percentile)", "2026-11-22", "agency",
            "(all members)", "", "9", "", "", "", "142"] in rows
    # measures (4 periods x 7 rates x 8 groups), on-time counts (4 x 3 kinds x 8), days (8 groups x 2 x 2)
    assert len(rows) == 1 + 224 + 96 + 32
    # the extension picks the format
    assert run(samples, "-o", "out.csv", "--months", "3").exit_code == 0
    assert (samples / "out.csv").read_text(encoding="utf-8") == result.stdout


def test_the_table_shows_the_measures_the_trend_and_timeliness(samples):
    out = run(samples, "--months", "3").stdout
    assert "Quality measures (FFS LTSS), 12 months ending 2026-11-22" in out
    assert "| LTSS-1  | Assessment of core elements               |         5 |           9 | 55.6% |        0 |" in out
    assert "| 2026-10-31 | 5/8 62.5% |  3/6 50% | 2/3 66.7% |    0/0 — |    0/0 — |" in out
    assert "LTSS-2 Person-centered plan with supplemental elements: not computable: missing" in out
    assert "| Jordan Lee (cm-jlee)  |          8/43 |     22/57 | 22/26 84.6% |    0/2 0% |   4/5 80% |" in out


def test_html_has_a_chart_per_measure_and_the_members(samples):
    page = run(samples, "-f", "html", "--months", "3").stdout
    for measure in ("ltss-1", "ltss-2", "ltss-3"):
        assert f'<svg id="chart-trend-{measure}"' in page
    assert 'id="chart-trend-ltss-4"' not in page  # no discharge at any month-end: nothing to draw
    assert "LTSS-4: no chart" in page
    assert "<title>Assessment of core elements, 2026-10-31: 5 of 8 (62.5%)</title>" in page
    assert page.count('<rect class="column"') == 3 * 3
    assert 'id="members-ltss-2-core"' in page and "M-000530" in page
    assert "<td>5 of 8 (62.5%)</td>" in page  # the trend table under the charts
    assert 'id="timeliness-table"' in page


def test_under_ci_members_are_counted_never_listed(samples):
    data = report(samples, ci=True)
    q = data["quality_measures"]
    assert q["members_listed"] is False
    assert all(r["members"] is None for m in q["measures"] for r in m["rates"])
    assert rates(data)[("LTSS-1", "core")] == (5, 9, 0, None)  # the counts stay
    page = run(samples, "-f", "html", "--months", "3", ci=True).stdout
    assert 'id="members-ltss-1-core"' not in page and 'id="measures-reasons"' in page


def test_months_zero_and_out_of_range(samples):
    data = report(samples, "--months", "0")
    assert data["quality_measures"]["month_ends"] == []
    assert {r["period_end"] for r in data["quality_measures"]["series"]} == {"2026-11-22"}
    assert "chart-trend" not in run(samples, "-f", "html", "--months", "0").stdout
    result = run(samples, "--months", "37")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--months" in result.output


def test_a_month_end_today_is_the_last_month_end_counted_once(samples):
    old = os.getcwd()
    os.chdir(samples)
    try:
        result = CliRunner().invoke(app, ["report", "--today", "2026-10-31", "-f", "json", "--months", "2"], env=ENV)
    finally:
        os.chdir(old)
    q = json.loads(result.stdout)["quality_measures"]
    assert q["month_ends"] == ["2026-09-30", "2026-10-31"]
    assert sorted({r["period_end"] for r in q["series"]}) == ["2026-09-30", "2026-10-31"]
    assert series({"quality_measures": q})[("LTSS-1", "core", "2026-10-31")] == (5, 8, 0)


def test_default_months_is_twelve(samples):
    q = report(samples, "--months", "12")["quality_measures"]
    assert q["month_ends"][0] == "2025-11-30" and q["month_ends"][-1] == "2026-10-31" and len(q["month_ends"]) == 12
    assert run(samples, "-f", "json").stdout == run(samples, "-f", "json", "--months", "12").stdout


# -- the cache ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "html", "table"])
def test_a_warm_cache_gives_the_bytes_of_a_cold_run(samples, fmt):
    expected = run(samples, "-f", fmt, "--months", "3", "--no-cache").stdout
    assert not (samples / CACHE).exists()
    cold = run(samples, "-f", fmt, "--months", "3").stdout
    assert (samples / CACHE).is_dir()
    warm = run(samples, "-f", fmt, "--months", "3").stdout
    assert cold == expected and warm == expected


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / CACHE / "v1").rglob("*") if p.is_file() and not p.name.startswith("."))


def test_an_entry_of_the_previous_version_is_a_miss(samples):
    """An entry sealed by pcplan before the measures came (a summary of nine values) is checked again and
    rewritten: the report is the same as without the cache, never a traceback."""
    expected = run(samples, "-f", "json", "--months", "3", "--no-cache").stdout
    run(samples, "-f", "json", "--months", "3")
    entries = _entries(samples)
    assert len(entries) == 9
    for entry in entries:
        data = entry.read_bytes()
        body = json.loads(data[48:])
        assert len(body[3][1]) == 11  # [..., obligations, measures, timely]
        body[3][1] = body[3][1][:9]
        entry.write_bytes(cache_module._seal(body, f"{entry.parent.name}/{entry.name}", cache_module.secret()))
    result = run(samples, "-f", "json", "--months", "3")
    assert result.stdout == expected and "Traceback" not in result.output
    assert all(len(json.loads(e.read_bytes()[48:])[3][1]) == 11 for e in _entries(samples))  # rewritten
