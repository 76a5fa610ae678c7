"""Documented exceptions with a period (DESIGN.md, "Documented exceptions have a period"): which plans'
exceptions apply, `from`/`until` for date-driven rules (the occurrence, `due`) and for the others (today),
and when an exception is stale (E008), each with a passing and a failing case and exact positions."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from conftest import (
    DANNY_PLAN,
    ELENA_PLAN,
    ELENA_REVISION,
    NEW_STAFF,
    STAFF,
    at,
    change_assessment,
    new_member,
    only,
    revision,
)
from pcplan.cli import app
from pcplan.exceptions import DATE_DRIVEN
from pcplan.rules import RULES

ELENA = "members/M-000123"
ELENA_NOTE_OCT29 = "members/M-000123/notes/2026-10-29.yaml"
LATE_VISIT = "members/M-000123/notes/2027-01-25.yaml"
FEB10 = date(2027, 2, 10)
MEMBER_SIGNS_P2 = "  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n"


def exceptions(*entries: str) -> str:
    """An `exceptions:` list; each entry names its rule, its dates and anything else it needs."""
    return "exceptions:\n" + "".join(
        f"  - {{{entry}, reason: Documented with the member., documented_by: cm-jlee}}\n" for entry in entries)


def document(repo, plan: str, *entries: str) -> None:
    repo.edit(plan, "exceptions: []\n", exceptions(*entries))


def found(repo, *codes, today=FEB10, paths=(ELENA,)):
    return [f for f in repo.check(*paths, today=today, select=codes) if f.code in codes]


def stale_at(repo, plan: str, snippet: str, occurrence: int = 1) -> tuple:
    """Where E008 points for the entry whose text holds ``snippet`` (``rule: T205``): the code."""
    return (plan, *repo.locate(plan, snippet, offset=snippet.index(":") + 2, occurrence=occurrence))


# ---------------------------------------------------------------- history: a miss under a superseded plan

@pytest.fixture
def history(repo):
    """Elena's phone contact due 2026-12-18 under P1 is missed, and the one due 2027-01-18; P2 (consented
    2027-01-20) takes over; a visit on 2027-01-25 ends the gap. On 2027-02-10 one T205 remains: a closed gap,
    a warning at P1's phone entry (due under P1), with the visit's note as a related location."""
    revision(repo, signatures=MEMBER_SIGNS_P2)
    repo.write(LATE_VISIT, repo.read(ELENA_NOTE_OCT29).replace("date: 2026-10-29", "date: 2027-01-25"))
    return repo


def test_a_contact_missed_under_a_superseded_plan_stays_a_finding(history):
    finding = only(found(history, "T205", "E008"), "T205")
    assert at(finding) == (ELENA_PLAN, *history.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        (LATE_VISIT, *history.locate(LATE_VISIT, "2027-01-25"))]
    assert finding.due == date(2026, 12, 18) and "under plan P1" in finding.message
    assert finding.occurrences == (date(2026, 12, 18), date(2027, 1, 18))
    assert not finding.excepted


def test_an_exception_with_a_period_in_the_revision_covers_it(history):
    document(history, ELENA_REVISION, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-02-01")
    findings = found(history, "T205", "E008")
    assert [(f.code, at(f), f.excepted) for f in findings] == [
        ("T205", (ELENA_PLAN, *history.locate(ELENA_PLAN, "{type: phone, every: 1 month}")), True)]
    old = os.getcwd()
    os.chdir(history.root)
    try:
        result = CliRunner().invoke(app, ["check", ELENA, "--today", "2027-02-10", "--select", "T205,E008"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    line, column = history.locate(ELENA_PLAN, "{type: phone, every: 1 month}")
    assert f"{ELENA_PLAN}:{line}:{column}: T205 [warning] (excepted) the phone contact due by 2026-12-18" \
        in result.output


def test_an_exception_without_until_documented_before_the_due_date_does_not_cover_it(history):
    document(history, ELENA_REVISION, "rule: T205, on: 2026-12-10")
    findings = found(history, "T205", "E008")
    assert not only(findings, "T205").excepted
    stale = only(findings, "E008")
    assert at(stale) == stale_at(history, ELENA_REVISION, "rule: T205")
    assert stale.message == (
        "the exception for T205 covers only what was already due when it was documented (2026-12-10), and the "
        "T205 finding fell due after that: a new miss. If it cannot be met either, document it with "
        "`from`/`until`; remove this exception, which covers nothing")


def test_an_exception_without_until_covers_what_was_due_when_it_was_documented(history):
    document(history, ELENA_REVISION, "rule: T205, on: 2027-02-01")
    assert [(f.code, f.excepted) for f in found(history, "T205", "E008")] == [("T205", True)]


@pytest.mark.parametrize("period, covered, stale", [
    ("from: 2026-12-18, until: 2027-01-18", True, False),  # both ends are inclusive
    ("until: 2027-01-18", True, False),
    ("from: 2026-12-01", True, False),  # no `until`: up to `on` (2027-02-01)
    ("from: 2026-12-19, until: 2027-01-31", False, False),  # covers 01-18, not 12-18: in use, not stale
    ("until: 2027-01-17", False, False),  # covers 12-18, not 01-18
    ("from: 2027-01-01", False, False),  # 12-18 is due before `from`
    ("from: 2027-01-19, until: 2027-01-31", False, True),  # covers neither due date
    ("until: 2026-12-17", False, True),
])
def test_the_occurrence_must_lie_within_the_period(history, period, covered, stale):
    """The gap missed two due dates (2026-12-18, 2027-01-18): the exception covers it only if it covers both."""
    document(history, ELENA_REVISION, f"rule: T205, {period}, on: 2027-02-01")
    findings = found(history, "T205", "E008")
    assert only(findings, "T205").excepted is covered
    assert [at(f) for f in findings if f.code == "E008"] == \
        ([stale_at(history, ELENA_REVISION, "rule: T205")] if stale else [])


def test_a_period_over_that_covers_nothing_is_stale(history):
    document(history, ELENA_REVISION, "rule: T205, from: 2027-01-19, until: 2027-01-31, on: 2027-02-01")
    stale = only(found(history, "T205", "E008"), "E008")
    assert at(stale) == stale_at(history, ELENA_REVISION, "rule: T205")
    assert stale.message == ("the exception for T205 (occurrences due from 2027-01-19 until 2027-01-31) matches "
                             "no finding and its period is over; remove it (or correct its `rule`/`about`/period)")


def test_a_period_still_running_is_not_stale_and_covers_the_misses_that_fall_in_it(history):
    document(history, ELENA_REVISION, "rule: T205, from: 2027-02-01, until: 2027-03-31, on: 2027-02-01")
    findings = found(history, "T205", "E008")
    assert [(f.code, f.due, f.excepted) for f in findings] == [("T205", date(2026, 12, 18), False)]
    # on 2027-04-05 the phone contact due 2027-02-25 (a month after the visit) is missed too: covered
    later = found(history, "T205", "E008", today=date(2027, 4, 5))
    assert sorted((f.code, f.due, f.excepted) for f in later) == [
        ("T205", date(2026, 12, 18), False), ("T205", date(2027, 2, 25), True)]
    # and after its period, covering that one, it is not stale either
    assert "E008" not in [f.code for f in found(history, "T205", "E008", today=date(2027, 5, 1))]


def test_a_period_not_begun_covers_nothing_and_is_not_stale(history):
    document(history, ELENA_REVISION, "rule: T205, from: 2027-03-01, until: 2027-03-31, on: 2027-02-01")
    assert [(f.code, f.excepted) for f in found(history, "T205", "E008")] == [("T205", False)]


def test_an_exception_in_the_superseded_plan_covers_nothing(history):
    document(history, ELENA_PLAN, "rule: T205, from: 2026-12-01, until: 2027-01-31, on: 2027-01-10")
    assert [(f.code, f.excepted) for f in found(history, "T205", "E008")] == [("T205", False)]


def test_a_later_miss_of_another_date_driven_rule_is_a_new_finding(repo):
    """H502: an exception documented after the review date covers that review; the next one missed is new."""
    document(repo, DANNY_PLAN, "rule: H502, about: RM1, on: 2027-02-25")
    findings = found(repo, "H502", "E008", today=date(2027, 3, 1), paths=())
    assert [(f.code, f.due, f.excepted) for f in findings] == [("H502", date(2027, 2, 20), True)]
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20\n", "    review_by: 2027-04-20\n")  # reviewed; next by 04-20
    findings = found(repo, "H502", "E008", today=date(2027, 5, 1), paths=())
    assert [(f.code, f.due, f.excepted) for f in findings] == [
        ("H502", date(2027, 4, 20), False), ("E008", None, False)]
    assert at(findings[1]) == stale_at(repo, DANNY_PLAN, "rule: H502")
    assert "fell due after that: a new miss" in findings[1].message


# ---------------------------------------------------------------- other rules: the days the exception applies

@pytest.fixture
def unquantified(repo):
    """SP1 has no frequency: an L109 error (a content rule, not date-driven)."""
    repo.edit(ELENA_PLAN, "    unit: visit\n    frequency: weekly\n", "    unit: visit\n")
    return repo


NOV22 = date(2026, 11, 22)


@pytest.mark.parametrize("period, covered", [
    ("from: 2026-11-01, until: 2026-12-31", True),
    ("from: 2026-11-22, until: 2026-11-22", True),  # today is within, both ends inclusive
    ("from: 2026-11-01", True),
    ("until: 2026-12-31", True),
    ("until: 2026-11-21", False),  # over: the problem is back, and the finding says so (no E008 too)
    ("from: 2026-11-23", False),  # not begun
])
def test_other_rules_apply_on_the_days_of_their_period(unquantified, period, covered):
    document(unquantified, ELENA_PLAN, f"rule: L109, about: SP1, {period}, on: 2026-11-01")
    findings = found(unquantified, "L109", "E008", today=NOV22)
    assert [(f.code, f.excepted) for f in findings] == [("L109", covered)]


def test_another_rules_period_over_with_nothing_to_cover_is_stale(repo):
    document(repo, ELENA_PLAN, "rule: L109, until: 2026-11-21, on: 2026-11-01")
    stale = only(found(repo, "L109", "E008", today=NOV22), "E008")
    assert at(stale) == stale_at(repo, ELENA_PLAN, "rule: L109")
    assert stale.message == ("the exception for L109 (days until 2026-11-21) matches no finding and its period "
                             "is over; remove it (or correct its `rule`/`about`/period)")


def test_another_rules_running_period_with_nothing_to_cover_is_not_stale(repo):
    document(repo, ELENA_PLAN, "rule: L109, from: 2026-11-01, until: 2026-12-31, on: 2026-11-01")
    assert found(repo, "L109", "E008", today=NOV22) == []


def test_a_from_after_the_until_is_reported_at_the_until_and_covers_nothing(unquantified):
    document(unquantified, ELENA_PLAN, "rule: L109, from: 2026-12-01, until: 2026-11-01, on: 2026-11-01")
    findings = found(unquantified, "L109", "E008", today=NOV22)
    assert not only(findings, "L109").excepted
    stale = only(findings, "E008")
    assert at(stale) == (ELENA_PLAN, *unquantified.locate(ELENA_PLAN, "2026-11-01, on"))
    assert stale.message == ("the exception for L109 runs from 2026-12-01 until 2026-11-01, an empty period, "
                             "so it can never apply; correct the dates")


# ---------------------------------------------------------------- which plans' exceptions apply

@pytest.fixture
def draft(repo):
    """An unsigned revision P2 (C301 in its own file: the member's signature has no date, so it is no consent);
    P1 stays in effect, with its T205 findings on 2027-02-10."""
    revision(repo, signatures="  - {role: member, name: Elena, method: wet}\n")
    return repo


C301_REFUSED = "rule: C301, on: 2027-01-20"


def test_a_drafts_own_exception_covers_a_finding_in_its_file(draft):
    assert [(f.path, f.excepted) for f in found(draft, "C301", "E008")] == [(ELENA_REVISION, False)]
    document(draft, ELENA_REVISION, C301_REFUSED)
    assert [(f.path, f.excepted) for f in found(draft, "C301", "E008")] == [(ELENA_REVISION, True)]


def test_a_drafts_exception_does_not_cover_findings_in_other_files(draft):
    before = [(at(f), f.excepted) for f in found(draft, "T205")]
    assert before and all(path == ELENA_PLAN and not excepted for (path, _, _), excepted in before)
    document(draft, ELENA_REVISION, "rule: T205, on: 2027-02-01")
    findings = found(draft, "T205", "E008")
    assert [(at(f), f.excepted) for f in findings if f.code == "T205"] == before
    stale = only(findings, "E008")
    assert at(stale) == stale_at(draft, ELENA_REVISION, "rule: T205")
    assert stale.message == (
        "the exception for T205 is in a plan not yet in effect, which covers only the findings in its own file, "
        "and the T205 finding is in another file; document it in the plan in effect, or remove it here")


def test_the_governing_plans_exception_covers_the_drafts_findings(draft):
    document(draft, ELENA_PLAN, C301_REFUSED)
    assert [(f.path, f.excepted) for f in found(draft, "C301", "E008")] == [(ELENA_REVISION, True)]


def test_a_draft_repeating_its_plans_exception_is_not_called_stale(draft):
    document(draft, ELENA_PLAN, C301_REFUSED)
    document(draft, ELENA_REVISION, C301_REFUSED)
    assert [(f.code, f.path, f.excepted) for f in found(draft, "C301", "E008")] == [("C301", ELENA_REVISION, True)]


def test_with_no_consented_plan_the_drafts_own_exceptions_still_apply(repo):
    # an undated signature: no consent, and a record C301 tells at once (a draft only waiting would be T213's)
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n",
              "  - {role: member, name: Elena, method: wet}\n")
    assert [(f.path, f.excepted) for f in found(repo, "C301", today=NOV22)] == [(ELENA_PLAN, False)]
    document(repo, ELENA_PLAN, "rule: C301, on: 2026-09-03")
    assert [(f.path, f.excepted) for f in found(repo, "C301", "E008", today=NOV22)] == [(ELENA_PLAN, True)]


# ---------------------------------------------------------------- one list of date-driven rules, each with `due`

def elena(repo):  # the reference record as it is
    return (ELENA,)


def copy_late(repo):
    repo.edit(ELENA_PLAN, "role: member, copy_given: true, given_on: 2026-09-10",
              "role: member, copy_given: true, given_on: 2026-09-30")
    return (ELENA,)


def enrolled_without_records(repo):
    new_member(repo, "2026-10-01")
    return ("members/M-000900",)


def changed(repo):
    change_assessment(repo, "2026-10-05")
    return (ELENA,)


def unsigned_revision(repo):
    revision(repo, date_="2026-10-01", start="2026-10-01")
    return (ELENA,)


def danny(repo):
    return ("members/M-000207",)


def new_staff(repo):
    repo.write(STAFF, repo.read(STAFF) + NEW_STAFF)
    return ()


def on_hold(repo):  # a hold open since 2026-11-19 with no contact since: one was due by 2026-12-19 (T214)
    repo.edit(f"{ELENA}/member.yaml", "status: active",
              "holds:\n  - {start: 2026-11-19, kind: hospital, reason: Surgery.}\nstatus: on_hold")
    return (ELENA,)


DUE = {  # rule: (how to make it fire, today, the occurrence it reports)
    "T201": (elena, date(2027, 3, 4), date(2027, 3, 3)),
    "T205": (elena, date(2026, 12, 19), date(2026, 12, 18)),
    "T207": (copy_late, NOV22, date(2026, 9, 18)),  # consent (the member's signature) 2026-09-03 + 15 days
    "T208": (elena, date(2027, 8, 21), date(2027, 8, 20)),
    "T210": (enrolled_without_records, date(2026, 11, 1), date(2026, 10, 31)),
    "T211": (elena, date(2027, 9, 3), date(2027, 9, 3)),  # the day after the plan's period ended
    "T212": (changed, NOV22, date(2026, 11, 4)),
    "T213": (unsigned_revision, NOV22, date(2026, 10, 31)),
    "T214": (on_hold, date(2026, 12, 20), date(2026, 12, 19)),
    "H502": (danny, date(2027, 3, 1), date(2027, 2, 20)),
    "A604": (new_staff, NOV22, date(2026, 9, 29)),
}


def test_every_date_driven_rule_is_listed_once_and_exists():
    assert set(DUE) == DATE_DRIVEN and set(RULES) >= DATE_DRIVEN


@pytest.mark.parametrize("code", sorted(DUE))
def test_every_date_driven_rule_reports_its_occurrence(repo, code):
    make, today, due = DUE[code]
    paths = make(repo)
    finding = only(found(repo, code, today=today, paths=paths), code)
    assert finding.due == due


def test_render_and_the_e008_documentation_use_the_one_list():
    from pcplan import render

    assert render.DATE_DRIVEN is DATE_DRIVEN
    listed = re.search(r"date-driven\s+rule \(([^)]*)\)", RULES["E008"].fix + RULES["E008"].why)
    assert set(re.findall(r"[A-Z][0-9]{3}", listed.group(1))) == DATE_DRIVEN
