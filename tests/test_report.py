"""`pcplan report`: the supervisor's aggregate review, as a table, JSON and one self-contained HTML page.

Expected numbers come from `pcplan check -f json` and from the case files, not from report.py's own
counting, so a miscount in the report cannot agree with itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DANNY_PLAN, ELENA_PLAN, SAMPLE_CASES, TODAY
from pcplan.cli import app

runner = CliRunner()
AS_OF = ["--today", "2026-11-22"]
KEYS = {"version", "today", "scope", "unread", "members", "compliance", "findings", "findings_by_rule",
        "findings_by_case_manager", "top_rules", "overdue_by_case_manager", "quality_measures", "timeliness"}
CHARTS = ("chart-compliance", "chart-findings-by-rule", "chart-findings-by-case-manager",
          "chart-overdue-by-case-manager", "chart-trend-ltss-1", "chart-trend-ltss-2", "chart-trend-ltss-3")
# The current case manager of each sample member, read from the files by hand (M-000301 is closed: its
# last assignment ended, so the plan's `monitoring.responsible` counts; M-000644 changed case manager;
# M-000788 was closed and re-enrolled, with cm-jlee both times).
SAMPLE_MANAGERS = {"M-000123": "cm-jlee", "M-000207": "cm-obello", "M-000301": "cm-jlee",
                   "M-000412": "cm-obello", "M-000530": "cm-jlee", "M-000644": "cm-jlee",
                   "M-000715": "cm-obello", "M-000788": "cm-jlee", "M-000823": "cm-obello"}


def run(root: Path, *args: str):
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def report_json(root: Path, *args: str) -> dict:
    result = run(root, "report", *AS_OF, "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def report_html(root: Path, *args: str) -> str:
    result = run(root, "report", *AS_OF, "-f", "html", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "sample_cases"
    shutil.copytree(SAMPLE_CASES, root)
    return root


def check_findings(root: Path) -> list[dict]:
    result = run(root, "check", *AS_OF, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def statuses(root: Path) -> dict[str, str]:
    """member id -> status, read from member.yaml (a closure file closes the case)."""
    found = {}
    for member in sorted((root / "members").iterdir()):
        text = (member / "member.yaml").read_text(encoding="utf-8")
        status = re.search(r"^status: (\w+)", text, re.M).group(1)
        found[member.name] = "closed" if (member / "closure.yaml").exists() else status
    return found


# -- the reference repository ---------------------------------------------------------------------------------


def test_reference_repository_counts(repo):
    report = report_json(repo.root)
    assert set(report) == KEYS
    assert report["version"] == 1 and report["today"] == "2026-11-22" and report["scope"] == "."
    members = report["members"]
    assert members["total"] == 3
    assert members["by_status"] == {"active": 2, "on_hold": 0, "referred": 0, "closed": 1, "unknown": 0}
    assert [(p["program"], p["total"], p["by_status"]["active"], p["by_status"]["closed"])
            for p in members["by_program"]] == [("HCBS-EBD", 1, 1, 0), ("RSS-CM", 1, 0, 1), ("SLS-DD", 1, 1, 0)]
    compliance = report["compliance"]
    assert (compliance["active_members"], compliance["compliant_members"], compliance["share"]) == (2, 2, 1.0)
    assert compliance["not_compliant"] == []
    assert [(m["case_manager"], m["active_members"], m["compliant_members"]) for m in compliance["by_case_manager"]] \
        == [("cm-jlee", 1, 1), ("cm-obello", 1, 1)]
    assert report["findings_by_rule"] == [] and report["top_rules"] == []
    assert report["findings"] == {"total": 0, "error": 0, "warning": 0, "info": 0, "excepted": 0,
                                  "outside_member_folders": 0}
    assert [(m["case_manager"], m["members"], m["findings"]) for m in report["findings_by_case_manager"]] \
        == [("cm-jlee", 2, 0), ("cm-obello", 1, 0)]
    assert [(m["case_manager"], m["overdue"]) for m in report["overdue_by_case_manager"]] \
        == [("cm-jlee", 0), ("cm-obello", 0)]
    assert list(members) == ["total", "by_status", "by_program", "by_lifecycle",  # new keys only after the old
                             "repeated_ids", "folder_name_clashes"]
    assert (members["repeated_ids"], members["folder_name_clashes"]) == ([], 0)
    assert members["by_lifecycle"] == {"open": 2, "on_hold": 0, "closed": 1, "with_plan_in_effect": 2,
                                       "without_plan_in_effect": 0, "drafts_awaiting_signature": 0,
                                       "members_with_drafts": 0}


def test_reference_repository_html_says_100_percent(repo):
    html = report_html(repo.root)
    assert "100%" in html and "No open findings" in html
    assert 'id="chart-compliance"' in html
    for empty in ("chart-findings-by-rule", "chart-findings-by-case-manager", "chart-overdue-by-case-manager"):
        assert f'id="{empty}"' not in html  # nothing to draw, no empty chart
    assert "No open findings in any member's folder." in html and "Nothing is overdue." in html
    assert "<caption>Findings per case manager</caption>" in html  # the table still lists each one


def test_one_member_folder(repo):
    report = report_json(repo.root, "members/M-000207")
    assert report["scope"] == "members/M-000207"
    assert report["members"]["total"] == 1
    assert [m["case_manager"] for m in report["findings_by_case_manager"]] == ["cm-obello"]


# -- what counts against compliance ---------------------------------------------------------------------------


def test_an_error_makes_the_member_not_compliant(repo):
    repo.edit(ELENA_PLAN, "    unit: visit\n    frequency: weekly\n", "    unit: visit\n")  # L109 error
    report = report_json(repo.root)
    compliance = report["compliance"]
    assert (compliance["active_members"], compliance["compliant_members"], compliance["share"]) == (2, 1, 0.5)
    assert compliance["not_compliant"] == [{"member": "M-000123", "case_manager": "cm-jlee", "errors": 1}]
    assert [(r["code"], r["count"], r["excepted"], r["members"]) for r in report["findings_by_rule"]] \
        == [("L109", 1, 0, 1)]
    assert report["top_rules"] == [{"rank": 1, "code": "L109", "name": "support-unquantified",
                                    "severity": "error", "count": 1, "members": 1}]
    jlee = report["findings_by_case_manager"][0]
    assert (jlee["case_manager"], jlee["error"], jlee["findings"]) == ("cm-jlee", 1, 1)


def test_an_excepted_error_does_not(repo):
    repo.edit(ELENA_PLAN, "    unit: visit\n    frequency: weekly\n", "    unit: visit\n")
    repo.edit(ELENA_PLAN, "exceptions: []\n", "exceptions:\n  - {rule: L109, about: SP1, reason: Documented "
              "with the member., documented_by: cm-jlee, on: 2026-11-01}\n")
    report = report_json(repo.root)
    assert report["compliance"]["compliant_members"] == 2
    assert [(r["code"], r["count"], r["excepted"]) for r in report["findings_by_rule"]] == [("L109", 0, 1)]
    assert report["top_rules"] == []
    assert report["findings"]["excepted"] == 1 and report["findings"]["total"] == 0


OVERDUE_KEYS = ("case_manager", "overdue", "members", "by_kind", "oldest_due")  # the worklist's keys: test_worklists


def test_a_warning_does_not(repo):
    repo.edit(DANNY_PLAN, "    target_date: 2027-01-31\n", "    target_date: 2026-10-31\n")  # T204 warning
    report = report_json(repo.root)
    assert report["compliance"]["compliant_members"] == 2
    assert [(r["code"], r["severity"], r["count"]) for r in report["findings_by_rule"]] == [("T204", "warning", 1)]
    obello = report["overdue_by_case_manager"][1]
    assert {k: obello[k] for k in OVERDUE_KEYS} == {"case_manager": "cm-obello", "overdue": 1, "members": 1,
                                                    "by_kind": {"goal-target": 1}, "oldest_due": "2026-10-31"}
    assert obello["overdue_items"] == [{"member": "M-000207", "kind": "goal-target", "due": "2026-10-31",
                                        "days_overdue": 22}]


def test_members_on_hold_are_not_active(repo):
    repo.edit("members/M-000207/member.yaml", "status: active\n", "status: on_hold\n")
    report = report_json(repo.root)
    assert report["members"]["by_status"]["on_hold"] == 1
    assert report["compliance"]["active_members"] == 1


def test_staff_findings_and_training_deadlines_count_apart(repo):
    text = repo.read("staff.yaml")
    repo.write("staff.yaml", text + "  - id: cm-new\n    name: Sam New\n    role: case_manager\n"
               "    hire_date: 2026-01-05\n    languages: [en]\n")
    report = report_json(repo.root)
    assert report["findings"]["outside_member_folders"] == sum(
        1 for f in check_findings(repo.root) if f["member"] is None and not f["excepted"]) > 0
    new = [m for m in report["overdue_by_case_manager"] if m["case_manager"] == "cm-new"]
    assert [{k: m[k] for k in OVERDUE_KEYS} for m in new] == [
        {"case_manager": "cm-new", "overdue": 4, "members": 0, "by_kind": {"training": 4}, "oldest_due": "2026-05-05"}]
    assert new[0]["overdue_items"] == [{"member": None, "kind": "training", "due": "2026-05-05",
                                        "days_overdue": 201}] * 4
    assert (new[0]["due_soon"], new[0]["due_soon_until"], new[0]["due_soon_items"]) == (0, "2026-12-22", [])
    assert report["compliance"]["compliant_members"] == 2  # staff.yaml is no member's folder


# -- the state of each case, as the lifecycle decides it ------------------------------------------------------


LIFECYCLE_ROWS = ("open", "on hold (a recorded hold covers today)", "closed",
                  "not closed, with a consented plan in effect", "not closed, with no plan in effect",
                  "drafts awaiting signature (plans)", "members with a draft awaiting signature")


def test_a_draft_revision_is_counted_as_awaiting_signature_and_the_plan_in_effect_stays(repo):
    from conftest import revision

    revision(repo)  # Elena's unsigned revision, dated 2027-01-20
    report = report_json(repo.root, "--today", "2027-02-10")
    assert report["members"]["by_lifecycle"] == {"open": 2, "on_hold": 0, "closed": 1, "with_plan_in_effect": 2,
                                                 "without_plan_in_effect": 0, "drafts_awaiting_signature": 1,
                                                 "members_with_drafts": 1}
    # past signature_due_days (30) the draft is overdue for its case manager, beside what P1 still asks
    later = report_json(repo.root, "--today", "2027-03-01")
    jlee = next(m for m in later["overdue_by_case_manager"] if m["case_manager"] == "cm-jlee")
    assert jlee["by_kind"] == {"objective-target": 3, "contact": 2, "signature": 1}


def test_a_reenrolled_member_is_open_again_with_no_plan_in_effect(repo):
    from conftest import reenroll_abdi

    reenroll_abdi(repo)  # closure.yaml stays; a later enrollment opens a new episode
    members = report_json(repo.root)["members"]
    assert members["by_status"] == {"active": 3, "on_hold": 0, "referred": 0, "closed": 0, "unknown": 0}
    assert members["by_lifecycle"] == {"open": 3, "on_hold": 0, "closed": 0, "with_plan_in_effect": 2,
                                       "without_plan_in_effect": 1, "drafts_awaiting_signature": 0,
                                       "members_with_drafts": 0}


def test_a_recorded_hold_counts_as_on_hold_and_a_status_alone_closes_a_case(repo):
    repo.edit("members/M-000123/member.yaml", "status: active",
              "holds:\n  - {start: 2026-11-01, reason: Hospital stay.}\nstatus: on_hold")
    repo.edit("members/M-000207/member.yaml", "status: active", "status: closed")
    members = report_json(repo.root)["members"]
    assert members["by_lifecycle"] == {"open": 0, "on_hold": 1, "closed": 2, "with_plan_in_effect": 1,
                                       "without_plan_in_effect": 0, "drafts_awaiting_signature": 0,
                                       "members_with_drafts": 0}


def test_the_table_and_the_page_add_the_state_rows(repo):
    from conftest import revision

    revision(repo)
    table = run(repo.root, "report", "--today", "2027-02-10").stdout
    section = table[table.index("Members by the state of their case"):]
    rows = [re.match(r"\| (.+?) +\| +(\d+) \|", line).groups() for line in section.splitlines()[4:11]]
    assert rows == list(zip(LIFECYCLE_ROWS, ("2", "0", "1", "2", "0", "1", "1")))
    assert table.index("Members by program and status") < table.index("Members by the state of their case") \
        < table.index("Fully compliant:")
    html = run(repo.root, "report", "--today", "2027-02-10", "-f", "html").stdout
    assert "<caption>Members by the state of their case</caption>" in html
    cells = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>',
                       html[html.index('id="members-by-lifecycle"'):])[:7]
    assert cells == [(label[0].upper() + label[1:], n) for label, n in
                     zip(LIFECYCLE_ROWS, ("2", "0", "1", "2", "0", "1", "1"))]


# -- the sample cases, against `pcplan check -f json` ---------------------------------------------------------


def test_sample_cases_counts_agree_with_check(samples):
    findings = check_findings(samples)
    report = report_json(samples)
    open_findings = [f for f in findings if not f["excepted"]]

    per_rule = Counter(f["code"] for f in open_findings)
    assert {r["code"]: r["count"] for r in report["findings_by_rule"]} == dict(per_rule)
    members_per_rule = {code: len({f["member"] for f in open_findings if f["code"] == code}) for code in per_rule}
    assert {r["code"]: r["members"] for r in report["findings_by_rule"]} == members_per_rule
    assert [r["code"] for r in report["findings_by_rule"]] == sorted(per_rule)

    ranked = sorted(per_rule.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [(r["code"], r["count"]) for r in report["top_rules"]] == ranked
    assert [r["rank"] for r in report["top_rules"]] == list(range(1, len(ranked) + 1))
    # E004 leads with 3 (M-000715's draft no longer counts C302: signatures wait for consent).
    assert [(r["code"], r["count"]) for r in report["top_rules"][:1]] == [("E004", 3)]

    status = statuses(samples)
    assert report["members"]["total"] == len(status) == 9
    assert report["members"]["by_status"] == {**dict.fromkeys(("active", "on_hold", "referred", "closed",
                                                                 "unknown"), 0), **Counter(status.values())}
    active = {m for m, s in status.items() if s == "active"}
    with_errors = {f["member"] for f in open_findings if f["severity"] == "error"}
    compliance = report["compliance"]
    assert compliance["active_members"] == len(active) == 7  # M-000823 is on hold, M-000301 closed
    assert compliance["compliant_members"] == len(active - with_errors) == 2
    assert compliance["share"] == 0.2857
    errors = Counter(f["member"] for f in open_findings if f["severity"] == "error")
    assert compliance["not_compliant"] == [{"member": m, "case_manager": SAMPLE_MANAGERS[m], "errors": errors[m]}
                                           for m in sorted(active & with_errors)]

    expected = {}
    for f in open_findings:
        row = expected.setdefault(SAMPLE_MANAGERS[f["member"]], Counter())
        row[f["severity"]] += 1
        row["findings"] += 1
    got = {m["case_manager"]: m for m in report["findings_by_case_manager"]}
    assert set(got) == set(SAMPLE_MANAGERS.values())
    for manager, counts in expected.items():
        assert (got[manager]["findings"], got[manager]["error"], got[manager]["warning"], got[manager]["info"]) \
            == (counts["findings"], counts["error"], counts["warning"], counts["info"])
    assert sum(m["findings"] for m in got.values()) == len(open_findings) == report["findings"]["total"]
    assert got["cm-jlee"]["members"] == 5 and got["cm-obello"]["members"] == 4


def test_sample_cases_overdue_per_case_manager(samples):
    """Overdue obligations from the caseload module, counted here per case manager."""
    from pcplan.caseload import open_caseload
    from pcplan.facts.obligations import case_obligations, staff_obligations

    caseload = open_caseload(samples, samples)
    overdue = Counter()
    for case in caseload.cases():
        overdue.update(o.case_manager for o in case_obligations(case, caseload.config.settings, TODAY)
                       if o.overdue(TODAY))
    overdue.update(o.case_manager for o in staff_obligations(caseload.repo, caseload.config.settings, TODAY)
                   if o.overdue(TODAY))
    report = report_json(samples)
    assert {m["case_manager"]: m["overdue"] for m in report["overdue_by_case_manager"] if m["overdue"]} \
        == dict(overdue)
    # M-000644's review was due 2026-09-10 (T201 says so too).
    jlee = next(m for m in report["overdue_by_case_manager"] if m["case_manager"] == "cm-jlee")
    assert jlee["by_kind"].get("plan-review") == 1 and jlee["oldest_due"] <= "2026-09-10"


def test_json_carries_no_member_text(samples):
    text = run(samples, "report", *AS_OF, "-f", "json").stdout
    for words in ("Elena", "Danny", "Jordan Lee", "Olu Bello", "Nursing-facility", "Riverside"):
        assert words not in text
    report = json.loads(text)

    def strings(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, str):
            yield value

    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", s) for s in strings(report)), \
        [s for s in strings(report) if not re.fullmatch(r"[A-Za-z0-9._-]+", s)]


# -- the table -------------------------------------------------------------------------------------------------


def test_table_is_plain_text_when_piped(samples):
    result = run(samples, "report", *AS_OF)
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out
    for title in ("Members by program and status", "Compliance per case manager", "Rules most often broken",
                  "Findings per rule", "Findings per case manager", "Overdue obligations per case manager"):
        assert title in out
    assert "Fully compliant: 2 of 7 active members (28.6%)" in out
    assert re.search(r"\| M-000412 +\| Olu Bello \(cm-obello\) +\| +10 \|", out)
    assert all(line == line.rstrip() for line in out.splitlines())


def test_table_shows_file_values_literally(repo):
    repo.edit("members/M-000123/member.yaml", "  - program: HCBS-EBD\n", "  - program: \"[/bold] [red]x\"\n")
    result = run(repo.root, "report", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "[/bold] [red]x" in result.stdout


# -- the HTML page ---------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects the charts' bars and the document's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter = Counter()
        self.svg: str | None = None
        self.bars: dict[str, list[dict]] = {}
        self.svgs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] += 1
        if tag == "svg" and "chart" in (attributes.get("class") or "").split():
            self.svg = attributes["id"]
            self.svgs[self.svg] = attributes
            self.bars[self.svg] = []
        elif tag == "rect" and self.svg and "bar" in (attributes.get("class") or "").split():
            self.bars[self.svg].append(attributes)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_html_is_one_self_contained_accessible_file(samples):
    html = report_html(samples)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert not re.search(r"https?:|//[a-z]", html.replace("http-equiv", "")), "a network reference"
    assert "src=" not in html and "<script" not in html.lower()
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'style-src \'unsafe-inline\'; img-src data:">') in html
    page = parse(html)
    assert page.tags["h1"] == 1 and page.tags["h2"] >= 6
    assert set(page.svgs) == set(CHARTS)
    for chart, attributes in page.svgs.items():
        assert attributes["role"] == "img"
        assert attributes["aria-labelledby"] == f"{chart}-title {chart}-desc"
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert page.tags["table"] >= 6 and page.tags["th"] > 20 and page.tags["caption"] == page.tags["table"]
    # The numbers of each chart are in a table too.
    assert "<caption>Findings per rule" in html and "<caption>Findings per case manager</caption>" in html
    assert "<caption>Overdue obligations per case manager, by kind</caption>" in html
    assert "<caption>Fully compliant active members, overall and per case manager</caption>" in html
    assert "@page" in html and "break-inside: avoid" in html
    assert "Jordan Lee" in html  # staff names, for people; never a member's name
    # (the rule notes quote pcplan's own words, whose examples use the name "Elena": tests/test_report_formats.py)
    outside_notes = re.sub(r'<section class="rule-notes".*?</section>', "", html, flags=re.S)
    assert "Elena" not in outside_notes and "Nursing-facility" not in html


def test_html_output_is_written_to_a_file_by_its_name(samples, tmp_path):
    target = tmp_path / "caseload.html"
    result = run(samples, "report", *AS_OF, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    target = tmp_path / "caseload.json"
    assert run(samples, "report", *AS_OF, "--output", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == 1


def test_findings_per_rule_chart_has_one_bar_per_rule_proportional_to_its_count(samples):
    report = report_json(samples)
    page = parse(report_html(samples))
    bars = page.bars["chart-findings-by-rule"]
    rules = sorted((r for r in report["findings_by_rule"] if r["count"]), key=lambda r: (-r["count"], r["code"]))
    assert len(bars) == len(rules) == 37  # one per rule that fires in sample_cases (C301, C303, C310: not on a draft)
    assert [int(b["data-value"]) for b in bars] == [r["count"] for r in rules]
    per_finding = {round(float(b["width"]) / r["count"], 1) for b, r in zip(bars, rules)}
    assert len(per_finding) == 1 and per_finding.pop() > 0
    assert {b["fill"] for b, r in zip(bars, rules) if r["severity"] == "error"} == {"#b42318"}
    ys = [float(b["y"]) for b in bars]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one row each, in order
    # The case-manager chart stacks severities; the compliance chart's bar is the compliant share.
    stacks = Counter()
    for bar in page.bars["chart-findings-by-case-manager"]:
        stacks[bar["y"]] += int(bar["data-value"])
    assert sorted(stacks.values()) == sorted(m["findings"] for m in report["findings_by_case_manager"])
    compliance = page.bars["chart-compliance"]
    assert [int(b["data-value"]) for b in compliance] == [2, 1, 1]  # all, cm-jlee, cm-obello


def test_staff_names_and_ids_from_files_are_escaped(samples):
    staff = samples / "staff.yaml"
    staff.write_text(staff.read_text(encoding="utf-8").replace("name: Jordan Lee",
                                                               'name: "<script>alert(1)</script>"'),
                     encoding="utf-8")
    member = samples / "members" / "M-000123" / "member.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace(
        "  - program: HCBS-EBD\n", "  - program: \"<img src=x onerror=alert(2)>&amp;\"\n"), encoding="utf-8")
    html = report_html(samples)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;&amp;amp;" in html
    page = parse(html)
    assert page.tags["script"] == 0 and page.tags["img"] == 0


def test_agency_templates_override_the_stylesheet(repo):
    repo.edit("pcplan.toml", 'locale = "en"\n', 'locale = "en"\ntemplates = "agency-templates"\n')
    repo.write("agency-templates/report.css", "/* agency look */ body { color: #000; }\n")
    html = report_html(repo.root)
    assert "/* agency look */" in html and "--accent" not in html


# -- files, errors, reproducibility ----------------------------------------------------------------------------


def test_output_is_never_replaced_without_force(repo, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("keep me\n", encoding="utf-8")
    result = run(repo.root, "report", *AS_OF, "--output", str(target))
    assert result.exit_code == 2
    assert "exists; use --force" in result.output
    assert target.read_text(encoding="utf-8") == "keep me\n"
    result = run(repo.root, "report", *AS_OF, "--output", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert "Members by program and status" in target.read_text(encoding="utf-8")


def test_output_never_replaces_a_case_file(repo):
    result = run(repo.root, "report", *AS_OF, "-f", "json", "--output", "members/M-000123/member.yaml", "--force")
    assert result.exit_code == 2 and "case file" in result.output


def test_usage_errors_exit_2(repo):
    result = run(repo.root, "report", *AS_OF, "no-such-folder")
    assert result.exit_code == 2 and "pcplan: no-such-folder: no such file or folder" in result.output
    result = run(repo.root, "report", "--today", "2026-02-30")
    assert result.exit_code == 2 and result.output.startswith("pcplan: ")
    result = run(repo.root, "report", *AS_OF, "-f", "docx")  # (pdf is a format: tests/test_report_formats.py)
    assert result.exit_code == 2


@pytest.mark.parametrize("fmt", ["table", "json", "html"])
def test_same_input_same_output(samples, tmp_path, fmt):
    first, second = tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"
    for target in (first, second):
        assert run(samples, "report", *AS_OF, "-f", fmt, "--output", str(target)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert str(samples) not in first.read_text(encoding="utf-8")


def test_today_comes_from_the_environment(repo, monkeypatch):
    monkeypatch.setenv("PCPLAN_TODAY", "2026-11-22")
    result = run(repo.root, "report", "-f", "json")
    assert json.loads(result.stdout)["today"] == "2026-11-22"


# -- axe-core in headless Chromium (skips when Chromium or axe-core is missing; CI installs both) -----------

from conftest import _describe  # noqa: E402 - the report of axe (its fixture is conftest's)


@pytest.mark.parametrize("width", [1200, 400])
def test_axe_finds_no_violation(samples, axe, width):  # noqa: F811 - the imported fixture
    result = axe(report_html(samples), width)
    assert result["violations"] == [], f"axe-core found violations at {width} px:\n" + _describe(
        result["violations"])
