"""The CMS LTSS case-management measures (LTSS-1 to LTSS-4) from case files (docs/measures.md).

Each test builds a small caseload in tmp_path whose expected numerator and denominator were worked out by hand
from the specification; its docstring names the part of the specification it follows ("2019 manual": CMS,
Measures for Medicaid Managed Long Term Services and Supports Plans, Technical Specifications and Resource
Manual, May 2019; "FAQ": the CMS MLTSS measure FAQs on medicaid.gov, by FAQ id). The measurement period is the
12 months ending the day asked about: 2026-01-01 to 2026-12-31 for AS_OF.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pcplan.config import ConfigError, load_config
from pcplan.facts.measures import MemberFacts, evaluate, measure_facts, period_start
from pcplan.facts.measures.spec import ASSESSMENT_ELEMENTS, PLAN_ELEMENTS
from pcplan.model import Case, Document
from pcplan.rules import RULES

AS_OF = date(2026, 12, 31)
ALL_A = sorted(ASSESSMENT_ELEMENTS)
ALL_P = sorted(PLAN_ELEMENTS)


# ------------------------------------------------------------------ a caseload written by the test

class Caseload:
    def __init__(self, root: Path):
        self.root = root
        (root / "members").mkdir(parents=True, exist_ok=True)

    def _write(self, member: str, name: str, text: str) -> None:
        folder = self.root / "members" / member
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")

    def member(self, mid: str, enrolled: str, *, birth: str = "1950-01-01", extra: str = "") -> None:
        self._write(mid, "member.yaml", f"""kind: member
version: 1
id: {mid}
name: {{legal: Test Person {mid}, preferred: Pat}}
birth_date: {birth}
programs:
  - {{program: HCBS-EBD, enrolled_on: {enrolled}}}
status: active
{extra}""")

    def assessment(self, mid: str, aid: str, on: str, elements: list[str] | None = ALL_A, held: str = "") -> None:
        listed = f"ltss_elements: [{', '.join(elements)}]\n" if elements is not None else ""
        self._write(mid, f"assessment-{on}.yaml", f"""kind: assessment
version: 1
id: {aid}
member: {mid}
date: {on}
type: initial
assessor: cm-jlee
{listed}{held}""")

    def plan(self, mid: str, pid: str, on: str, *, assessment: str = "A1", signed: str | None = None,
             elements: list[str] | None = ALL_P, contact: str | None = None, pcp: str | None = None,
             no_pcp: bool = False) -> None:
        listed = f"ltss_elements: [{', '.join(elements)}]\n" if elements is not None else ""
        signature = (f"signatures:\n  - {{role: member, name: Pat, signed_on: {signed}, method: wet}}\n"
                     if signed else "")
        meeting = f"meeting: {{date: {on}, contact: {contact}}}\n" if contact else ""
        copies = []
        if pcp:
            copies.append(f"  - {{to: Valley Clinic, role: provider, primary_care: true, copy_given: true, "
                          f"given_on: {pcp}}}")
        if no_pcp:
            copies.append("  - {to: Valley Clinic, role: provider, primary_care: false}")
        distribution = ("distribution:\n" + "\n".join(copies) + "\n") if copies else ""
        self._write(mid, f"plan-{on}.yaml", f"""kind: plan
version: 1
id: {pid}
member: {mid}
date: {on}
type: initial
assessment: {assessment}
{meeting}effective: {{start: {on}}}
{listed}{signature}{distribution}""")

    def closure(self, mid: str, on: str) -> None:
        self._write(mid, "closure.yaml", f"kind: closure\nversion: 1\nmember: {mid}\ndate: {on}\nreason: moved\n")

    def facts(self, today: date = AS_OF) -> list[MemberFacts]:
        out = []
        for folder in sorted((self.root / "members").iterdir()):
            docs = [Document.load(p, p.relative_to(self.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
            bad = [p for d in docs for p in d.problems]
            assert bad == [], bad  # the caseload is valid against the schemas, new fields included
            out.append(measure_facts(Case(folder, docs), today))
        return out


def outreach(*entries: tuple[str, str, str]) -> str:
    return "outreach:\n" + "".join(f"  - {{on: {on}, for: {purpose}, method: phone, outcome: {outcome}}}\n"
                                   for on, purpose, outcome in entries)


def result(facts: list[MemberFacts], measure: str, as_of: date = AS_OF, variant: str = "ffs"):
    return next(m for m in evaluate(facts, as_of, variant) if m.id == measure)


def counts(rate) -> tuple:
    return rate.numerator, rate.denominator, dict(rate.exclusions), rate.not_computable


def who(rate) -> dict:
    return {(o.member_id, o.event.isoformat() if o.event else None): (o.outcome, o.reason) for o in rate.members}


@pytest.fixture
def cases(tmp_path) -> Caseload:
    return Caseload(tmp_path / "agency")


# ------------------------------------------------------------------ LTSS-1

def test_ltss1_new_enrollees_assessed_within_90_days_with_exclusions(cases):
    """2019 manual, LTSS-1 (MLTSS-1) numerator for new enrollees: a comprehensive assessment with every core
    element within 90 days of enrollment; exclusions (FAQ 89101, 89106): a documented refusal, or at least three
    documented attempts that did not reach the member, counted apart from the denominator; age 18 and older.

    By hand: M-1 assessed on day 45 with all elements (met); M-2 on day 122 (late); M-3 on day 19 without
    home_safety (not met); M-4 enrolled 2026-11-01, its 90 days end 2027-01-30 (not eligible yet); M-5 is 16
    (not eligible); M-6 three attempts not reached (excluded); M-7 refused (excluded); M-8 two attempts only and
    no assessment (not met). Numerator 1, denominator 4 (M-1, M-2, M-3, M-8), exclusions 1 + 1.
    """
    for mid in ("M-1", "M-2", "M-3", "M-6", "M-7", "M-8"):
        extra = {"M-6": outreach(("2026-03-05", "assessment", "no_answer"), ("2026-03-12", "assessment",
                                                                            "left_message"),
                                 ("2026-03-20", "assessment", "unable_to_reach")),
                 "M-7": outreach(("2026-03-05", "assessment", "refused")),
                 "M-8": outreach(("2026-03-05", "assessment", "no_answer"),
                                 ("2026-03-12", "assessment", "no_answer"))}.get(mid, "")
        cases.member(mid, "2026-03-01", extra=extra)
    cases.assessment("M-1", "A1", "2026-04-15")
    cases.assessment("M-2", "A1", "2026-07-01")
    cases.assessment("M-3", "A1", "2026-03-20", elements=[e for e in ALL_A if e != "home_safety"])
    cases.member("M-4", "2026-11-01")
    cases.member("M-5", "2026-03-01", birth="2010-05-01")
    core, supplemental = result(cases.facts(), "LTSS-1").rates
    assert counts(core) == (1, 4, {"refused": 1, "unable_to_reach": 1}, None)
    assert core.rate == 0.25
    assert who(core) == {
        ("M-1", None): ("met", "on_time"), ("M-2", None): ("not met", "late"),
        ("M-3", None): ("not met", "elements_missing"), ("M-4", None): ("not eligible", "window_open"),
        ("M-5", None): ("not eligible", "under_18"), ("M-6", None): ("excluded", "unable_to_reach"),
        ("M-7", None): ("excluded", "refused"), ("M-8", None): ("not met", "none_in_time")}
    assert supplemental.not_computable == "the case files do not record the assessment's supplemental elements"
    assert supplemental.rate is None


def test_ltss1_established_enrollees_updated_within_12_months(cases):
    """2019 manual, LTSS-1 numerator for established enrollees (enrolled before the measurement period and
    enrolled through it): a comprehensive assessment with every core element within 12 months of the previous one.

    By hand: E-1 assessed 2025-06-10 and 2026-05-20 (met); E-2 2025-06-10 and 2026-07-01, a month past
    2026-06-10 (late); E-3 closed 2026-09-30 (not continuously enrolled, not eligible); E-4 enrolled 2024 with
    its last assessment 2025-09-01 and none in the period (not met). Numerator 1, denominator 3.
    """
    for mid in ("E-1", "E-2", "E-3", "E-4"):
        cases.member(mid, "2025-06-01" if mid != "E-4" else "2024-02-01")
    cases.assessment("E-1", "A1", "2025-06-10")
    cases.assessment("E-1", "A2", "2026-05-20")
    cases.assessment("E-2", "A1", "2025-06-10")
    cases.assessment("E-2", "A2", "2026-07-01")
    cases.assessment("E-3", "A1", "2026-02-01")
    cases.closure("E-3", "2026-09-30")
    cases.assessment("E-4", "A1", "2025-09-01")
    core = result(cases.facts(), "LTSS-1").rates[0]
    assert counts(core) == (1, 3, {}, None)
    assert who(core) == {("E-1", None): ("met", "on_time"), ("E-2", None): ("not met", "late"),
                         ("E-3", None): ("not eligible", "not_continuously_enrolled"),
                         ("E-4", None): ("not met", "none_in_time")}


def test_ltss1_is_not_computable_when_no_assessment_records_its_core_elements(cases):
    """Issue #23 and docs/measures.md: a measure whose data the case files do not hold is "not computable:
    missing X", never a number. No assessment in the caseload has `ltss_elements`: LTSS-1, and LTSS-4, which
    asks the reassessment for the same core elements, are not computable; no plan marks a copy to the primary
    care provider: LTSS-3 is not computable."""
    cases.member("M-1", "2026-03-01")
    cases.assessment("M-1", "A1", "2026-04-15", elements=None)
    cases.plan("M-1", "P1", "2026-05-01", signed="2026-05-01")
    measures = {m.id: m for m in evaluate(cases.facts(), AS_OF)}
    core = measures["LTSS-1"].rates[0]
    assert counts(core) == (0, 0, {}, "missing assessment `ltss_elements`: no record in the caseload has it")
    assert core.members == () and core.rate is None
    assert measures["LTSS-3"].rates[0].not_computable == (
        "missing plan `distribution[].primary_care`: no record in the caseload has it")
    assert [r.not_computable for r in measures["LTSS-4"].rates] == [core.not_computable] * 2
    # LTSS-2 is computable: plans record their elements, and the plan was made within 30 days of its assessment
    assert counts(measures["LTSS-2"].rates[0]) == (1, 1, {}, None)


# ------------------------------------------------------------------ LTSS-2 and LTSS-3

def test_ltss2_plan_within_30_days_of_the_assessment_signed_with_core_elements(cases):
    """2019 manual, LTSS-2 (MLTSS-2): a person-centered plan with every core element within 30 days of the
    assessment (a new enrollee's within 120 days of enrollment), signed by the member (FAQ: the plan must be
    signed); the most recently updated plan is judged (FAQ 89151); a refusal of planning is excluded and counted
    apart (FAQ on refusals).

    By hand: P-1 assessed 2026-04-15, plan signed 2026-05-05 (met); P-2 signed 2026-05-30, 45 days after the
    assessment (late); P-3 a draft never signed (not met); P-4 signed in time without backup_plan (not met);
    P-5 refused planning (excluded). Numerator 1, denominator 4, refused 1.
    """
    for mid in ("P-1", "P-2", "P-3", "P-4", "P-5"):
        cases.member(mid, "2026-03-01", extra=outreach(("2026-04-20", "planning", "refused")) if mid == "P-5"
                     else "")
        cases.assessment(mid, "A1", "2026-04-15")
    cases.plan("P-1", "P1", "2026-05-01", signed="2026-05-05")
    cases.plan("P-2", "P1", "2026-05-30", signed="2026-05-30")
    cases.plan("P-3", "P1", "2026-05-01")
    cases.plan("P-4", "P1", "2026-05-01", signed="2026-05-01", elements=[e for e in ALL_P if e != "backup_plan"])
    core, supplemental = result(cases.facts(), "LTSS-2").rates
    assert counts(core) == (1, 4, {"refused": 1}, None)
    assert who(core) == {("P-1", None): ("met", "on_time"), ("P-2", None): ("not met", "late"),
                         ("P-3", None): ("not met", "not_consented"), ("P-4", None): ("not met", "elements_missing"),
                         ("P-5", None): ("excluded", "refused")}
    assert supplemental.not_computable == "the case files do not record the plan's supplemental elements"


def test_ltss3_plan_sent_to_the_primary_care_provider_within_30_days(cases):
    """2019 manual, LTSS-3 (MLTSS-3): of the members whose plan counts for LTSS-2, those whose plan was sent to
    their primary care provider within 30 days of its completion (pcplan: its consent).

    By hand: S-1 consented 2026-05-05, copy to the PCP 2026-05-20 (met); S-2 consented 2026-05-05, copy
    2026-07-01, 57 days later (not met); S-3's plan is late for LTSS-2 (not eligible). Numerator 1, denominator 2.
    """
    for mid in ("S-1", "S-2", "S-3"):
        cases.member(mid, "2026-03-01")
        cases.assessment(mid, "A1", "2026-04-15")
    cases.plan("S-1", "P1", "2026-05-01", signed="2026-05-05", pcp="2026-05-20")
    cases.plan("S-2", "P1", "2026-05-01", signed="2026-05-05", pcp="2026-07-01")
    cases.plan("S-3", "P1", "2026-06-30", signed="2026-06-30", pcp="2026-07-01")
    shared = result(cases.facts(), "LTSS-3").rates[0]
    assert counts(shared) == (1, 2, {}, None)
    assert who(shared) == {("S-1", None): ("met", "shared_on_time"), ("S-2", None): ("not met", "not_shared"),
                           ("S-3", None): ("not eligible", "not_in_ltss2")}


# ------------------------------------------------------------------ LTSS-4

def test_ltss4_reassessment_and_plan_update_within_30_days_of_discharge(cases):
    """2019 manual, LTSS-4 (MLTSS-4): the denominator is discharges, not members (a member may count more than
    once); rate 1, a reassessment with every core element on the discharge date or within 30 days after; rate 2,
    that and a plan update with every core element in the same 30 days; planned admissions are excluded; a
    discharge followed by a readmission within 30 days is not counted, the later one is.

    By hand (pcplan: a `hospital` hold's `end` is the discharge): H-1 discharged 05-10, reassessed 05-20 and
    plan updated 05-25 (both met); H-2 discharged 06-10, reassessed 06-20, no update (rate 1 only); H-3
    discharged 07-01, nothing (neither); H-4 a planned stay (excluded); H-5 discharged 08-01, readmitted 08-15
    (not eligible), discharged again 08-20 with nothing (neither); H-6 discharged 12-20, its 30 days are not
    over (not eligible). Rate 1: 2 of 4; rate 2: 1 of 4; planned admissions 1.
    """
    def stay(start: str, end: str, planned: bool = False) -> str:
        return f"  - {{start: {start}, end: {end}, kind: hospital, reason: stay{', planned: true' if planned else ''}}}\n"

    stays = {"H-1": [("2026-05-01", "2026-05-10")], "H-2": [("2026-06-01", "2026-06-10")],
             "H-3": [("2026-06-20", "2026-07-01")], "H-4": [("2026-04-01", "2026-04-05", True)],
             "H-5": [("2026-07-25", "2026-08-01"), ("2026-08-15", "2026-08-20")],
             "H-6": [("2026-12-10", "2026-12-20")]}
    for mid, entries in stays.items():
        cases.member(mid, "2025-01-01", extra="holds:\n" + "".join(stay(*e) for e in entries))
        cases.assessment(mid, "A1", "2025-01-20")
    cases.assessment("H-1", "A2", "2026-05-20")
    cases.plan("H-1", "P2", "2026-05-25", assessment="A2", signed="2026-05-25")
    cases.assessment("H-2", "A2", "2026-06-20")
    first, second = result(cases.facts(), "LTSS-4").rates
    assert counts(first) == (2, 4, {"planned_admission": 1}, None)
    assert counts(second) == (1, 4, {"planned_admission": 1}, None)
    assert who(first) == {
        ("H-1", "2026-05-10"): ("met", "on_time"), ("H-2", "2026-06-10"): ("met", "on_time"),
        ("H-3", "2026-07-01"): ("not met", "no_reassessment"), ("H-4", "2026-04-05"): ("excluded", "planned_admission"),
        ("H-5", "2026-08-01"): ("not eligible", "readmitted"), ("H-5", "2026-08-20"): ("not met", "no_reassessment"),
        ("H-6", "2026-12-20"): ("not eligible", "window_open")}
    assert who(second)[("H-2", "2026-06-10")] == ("not met", "no_plan_update")
    assert who(second)[("H-1", "2026-05-10")] == ("met", "on_time")


# ------------------------------------------------------------------ FFS and MLTSS

def test_mltss_asks_for_the_assessment_at_home_and_the_planning_meeting_face_to_face(cases):
    """FAQ 89086 (MLTSS): the LTSS-1 assessment is face-to-face in the member's home, unless the member declined
    that or was in a hospital or nursing facility; FAQ 89146 (MLTSS): the LTSS-2 plan is discussed face-to-face
    unless the member declined. The FFS LTSS text pcplan follows asks neither (docs/measures.md).

    By hand: V-1 assessed by phone at home, planned by video; V-2 assessed face-to-face at home, planned face to
    face; V-3 declined an assessment at home (by phone), planned by phone. FFS: LTSS-1 3 of 3, LTSS-2 3 of 3.
    MLTSS: LTSS-1 2 of 3 (V-1 not in the home), LTSS-2 1 of 3 (V-1 and V-3 not face-to-face).
    """
    held = {"V-1": "held: {contact: phone, place: home}\n", "V-2": "held: {contact: face_to_face, place: home}\n",
            "V-3": "held: {contact: phone, place: home, in_home_declined: true}\n"}
    contact = {"V-1": "video", "V-2": "face_to_face", "V-3": "phone"}
    for mid in held:
        cases.member(mid, "2026-03-01")
        cases.assessment(mid, "A1", "2026-04-15", held=held[mid])
        cases.plan(mid, "P1", "2026-05-01", signed="2026-05-01", contact=contact[mid])
    facts = cases.facts()
    assert counts(result(facts, "LTSS-1").rates[0]) == (3, 3, {}, None)
    assert counts(result(facts, "LTSS-2").rates[0]) == (3, 3, {}, None)
    mltss1, mltss2 = result(facts, "LTSS-1", variant="mltss"), result(facts, "LTSS-2", variant="mltss")
    assert (mltss1.variant, counts(mltss1.rates[0])) == ("mltss", (2, 3, {}, None))
    assert who(mltss1.rates[0])[("V-1", None)] == ("not met", "not_in_home")
    assert counts(mltss2.rates[0]) == (1, 3, {}, None)
    assert who(mltss2.rates[0])[("V-3", None)] == ("not met", "not_face_to_face")


def test_mltss_is_not_computable_when_no_record_says_where_or_how(cases):
    """docs/measures.md: the MLTSS variant needs `held.place` and `meeting.contact`; a caseload that records
    neither cannot give it, while the FFS variant of the same caseload can."""
    cases.member("M-1", "2026-03-01")
    cases.assessment("M-1", "A1", "2026-04-15")
    cases.plan("M-1", "P1", "2026-05-01", signed="2026-05-01")
    facts = cases.facts()
    assert result(facts, "LTSS-1", variant="mltss").rates[0].not_computable == (
        "missing assessment `held.place` (MLTSS): no record in the caseload has it")
    assert result(facts, "LTSS-2", variant="mltss").rates[0].not_computable == (
        "missing plan `meeting.contact` (MLTSS): no record in the caseload has it")
    assert counts(result(facts, "LTSS-1").rates[0]) == (1, 1, {}, None)
    with pytest.raises(ValueError, match="unknown measure variant"):
        evaluate(facts, AS_OF, "hmo")


# ------------------------------------------------------------------ as of any day

def test_measures_as_of_each_month_end_from_facts_taken_once(cases):
    """Issue #23 (trends): the measures as of each month-end, from the facts taken once; the period is the 12
    months ending that day, and a new enrollee counts once their 90 days are over (2019 manual, LTSS-1).

    By hand: T-1 enrolled 2026-03-01 and assessed 2026-04-15; its 90 days end 2026-05-30: as of 2026-04-30 it is
    not eligible yet, as of 2026-05-31 and 2026-06-30 met. T-2 (established) assessed 2024-06-10 and 2025-06-05,
    then no more: the 12 months ending 2026-04-30 and 2026-05-31 hold the 2025-06-05 assessment (met), those
    ending 2026-06-30 (from 2025-07-01) none (not met). LTSS-1: 1 of 1, 2 of 2, 1 of 2.
    """
    cases.member("T-1", "2026-03-01")
    cases.assessment("T-1", "A1", "2026-04-15")
    cases.member("T-2", "2024-06-01")
    cases.assessment("T-2", "A1", "2024-06-10")
    cases.assessment("T-2", "A2", "2025-06-05")
    facts = cases.facts(date(2026, 12, 31))
    assert period_start(date(2026, 6, 30)) == date(2025, 7, 1)
    assert period_start(date(2026, 2, 28)) == date(2025, 3, 1)
    series = {}
    for day in (date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)):
        core = result(facts, "LTSS-1", as_of=day).rates[0]
        series[day.isoformat()] = (counts(core)[:2], who(core))
    assert series == {
        "2026-04-30": ((1, 1), {("T-1", None): ("not eligible", "window_open"), ("T-2", None): ("met", "on_time")}),
        "2026-05-31": ((2, 2), {("T-1", None): ("met", "on_time"), ("T-2", None): ("met", "on_time")}),
        "2026-06-30": ((1, 2), {("T-1", None): ("met", "on_time"), ("T-2", None): ("not met", "none_in_time")}),
    }


def test_member_facts_hold_no_member_text(cases):
    """DESIGN.md §6 (privacy): the facts a report keeps for many months are ids, codes and dates, never a name."""
    cases.member("M-1", "2026-03-01", extra=outreach(("2026-03-05", "assessment", "no_answer")))
    cases.assessment("M-1", "A1", "2026-04-15")
    cases.plan("M-1", "P1", "2026-05-01", signed="2026-05-01", pcp="2026-05-02")
    (facts,) = cases.facts()
    assert "Test Person" not in repr(facts) and "Pat" not in repr(facts) and "Valley" not in repr(facts)
    assert facts.member_id == "M-1" and facts.plans[0].pcp_copies == (date(2026, 5, 2),)


# ------------------------------------------------------------------ the setting

def test_report_measures_setting(tmp_path):
    """docs/configuration.md: `[report] measures` is "ffs" by default, "mltss" when the agency says so, and
    anything else stops the run naming the key."""
    assert load_config(tmp_path, set(RULES)).measures == "ffs"
    (tmp_path / "pcplan.toml").write_text('[report]\nmeasures = "mltss"\n', encoding="utf-8")
    assert load_config(tmp_path, set(RULES)).measures == "mltss"
    (tmp_path / "pcplan.toml").write_text('[report]\nmeasures = "hmo"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'pcplan.toml: `report.measures` must be "ffs" or "mltss"'):
        load_config(tmp_path, set(RULES))
    (tmp_path / "pcplan.toml").write_text('[report]\nmeasure = "ffs"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key `report.measure` \(did you mean `measures`\?\)"):
        load_config(tmp_path, set(RULES))


# ------------------------------------------------------------------ the sample cases

def test_the_sample_caseload_as_of_2026_11_30():
    """The sample cases (read where they are, never written), as of 2026-11-30: the 12 months from 2025-12-01.

    By hand, LTSS-1 (90 days for the eight members enrolled in the period, 2019 manual): M-000412, M-000530,
    M-000715, M-000788 (its second episode, enrolled 2026-07-13) and M-000823 assessed in time with every core
    element; M-000644 without living_arrangement; M-000207 assessed on day 142; M-000123 and M-000301 (the
    reference members) record no elements: 5 of 9. LTSS-2 (120 days; 30 days from the assessment): M-000123's
    120 days end 2026-12-01 (not eligible yet); M-000530's plan lacks backup_plan; M-000207's plan came late,
    M-000301's records no elements: 5 of 8. LTSS-3: of those 5, M-000644's copy reached the clinic 36 days after
    consent and M-000788's plan went to no primary care provider: 3 of 5. LTSS-4: no hospital stay has ended.
    MLTSS: M-000412 was assessed in an office, not at home: LTSS-1 4 of 9.
    """
    from conftest import SAMPLE_CASES

    facts = []
    for folder in sorted((SAMPLE_CASES / "members").iterdir()):
        docs = [Document.load(p, p.relative_to(SAMPLE_CASES).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
        facts.append(measure_facts(Case(folder, docs), date(2026, 11, 22)))
    day = date(2026, 11, 30)
    measures = {m.id: m for m in evaluate(facts, day)}
    assert [counts(r)[:2] for m in measures.values() for r in m.rates if r.not_computable is None] == [
        (5, 9), (5, 8), (3, 5), (0, 0), (0, 0)]
    assert {k[0]: v for k, v in who(measures["LTSS-2"].rates[0]).items() if v[0] != "met"} == {
        "M-000123": ("not eligible", "window_open"), "M-000207": ("not met", "late"),
        "M-000301": ("not met", "elements_not_recorded"), "M-000530": ("not met", "elements_missing")}
    assert {k[0]: v for k, v in who(measures["LTSS-3"].rates[0]).items() if v[0] == "not met"} == {
        "M-000644": ("not met", "not_shared"), "M-000788": ("not met", "not_shared")}
    assert counts(result(facts, "LTSS-1", day, "mltss").rates[0])[:2] == (4, 9)
