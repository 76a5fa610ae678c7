"""Tests of the L codes, the rules of linkage: most on a one-edit copy of the reference members,
each finding asserted at its exact place; a test about several codes lives with its main one."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import (
    ABDI_PLAN,
    DANNY_PLAN,
    ELENA_ASSESSMENT,
    ELENA_NOTE,
    ELENA_PLAN,
    ELENA_REVISION,
    ELENA_REVISION_CONSENT_DRAFTS_COPIES,
    TODAY,
    at,
    elena_revision,
    found,
    only,
    reenroll_abdi,
    revision,
    where,
)
from pcplan.placeholders import TEMPLATE_TEXT
from pcplan.rules import RULES


def test_reference_repository_is_clean(repo):
    assert repo.check() == []


# L101 goal-without-need

def test_l101_empty_needs_points_at_the_list(repo):
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "    needs: []\n")
    finding = only(repo.check(), "L101")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "needs: []", offset=7))
    assert "G2" in finding.message


def test_l101_missing_needs_points_at_the_goal(repo):
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "")
    findings = repo.check()
    assert at(only(findings, "L101")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G2"))


# L102 unknown-reference

def test_l102_goal_need_that_is_not_assessed(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3, N9]\n")
    findings = repo.check()
    finding = only(findings, "L102")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "N9"))
    assert "N9" in finding.message and "assessment A1" in finding.message


def test_l102_every_kind_of_reference(repo):
    repo.edit(ELENA_PLAN, "    strengths: [S1, S3]\n", "    strengths: [S1, S7]\n")
    repo.edit(ELENA_PLAN, "    goals: [G3]\n    amount: 4\n", "    goals: [G8]\n    amount: 4\n")
    repo.edit(ELENA_PLAN, "  - barrier: B1\n", "  - barrier: B4\n")
    repo.edit(ELENA_PLAN, "  - risk: R1\n", "  - risk: R5\n")
    repo.edit(ELENA_NOTE, "  - goal: G3\n", "  - goal: G6\n")
    repo.edit(ELENA_ASSESSMENT, "    needs: [N1]\n", "    needs: [N8]\n")
    l102 = sorted(at(f) for f in repo.check() if f.code == "L102")
    expected = sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "S7")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "G8")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "B4")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "R5")),
        (ELENA_NOTE, *repo.locate(ELENA_NOTE, "G6")),
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "N8")),
    ])
    assert l102 == expected


def test_l102_plan_names_an_assessment_that_does_not_exist(repo):
    repo.edit(ELENA_PLAN, "assessment: A1\n", "assessment: A2\n")
    finding = only(repo.check(), "L102")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "A2"))


# L103 need-unaddressed

def test_l103_need_no_goal_addresses(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    finding = only(repo.check(), "L103")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n"))  # in the plan, where the fix is made
    assert finding.message == ("need N4 of assessment A1 is not addressed by any goal of this plan nor deferred "
                               "with a reason; add it to a goal's `needs`, or to `deferred_needs` with the reason")
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: N4"), "need N4 in assessment A1")]


def test_l103_deferred_need_with_reason_is_addressed(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    repo.edit(ELENA_PLAN, "deferred_needs: []\n",
              "deferred_needs:\n  - need: N4\n    reason: Elena wants to wait until spring.\n")
    assert repo.check() == []


def test_l103_deferred_need_without_reason(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3]\n")
    repo.edit(ELENA_PLAN, "deferred_needs: []\n", "deferred_needs:\n  - need: N4\n")
    finding = only(repo.check(), "L103")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "need: N4"))


# L104 support-without-goal

def test_l104_support_with_no_goals(repo):
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")
    findings = repo.check()
    assert at(only(findings, "L104")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals: []", offset=7))


# L105 goal-without-support

def test_l105_active_goal_without_support(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    finding = only(repo.check(), "L105")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: G2"))


def test_l105_achieved_goal_needs_no_support(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2027-08-31\n    status: achieved\n    objectives:\n      - id: G2.1")
    assert "L105" not in repo.codes()


# L106 risk-unmitigated

def test_l106_assessed_risk_without_mitigation(repo):
    text = repo.read(ELENA_PLAN)
    start = text.index("risk_mitigations:")
    end = text.index("rights_modifications:")
    repo.write(ELENA_PLAN, text[:start] + "risk_mitigations: []\n" + text[end:])
    finding = only(repo.check(), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "risk_mitigations: []"))
    assert finding.message == "risk R1 of assessment A1 has no mitigation in this plan; add a `risk_mitigations` " \
        "entry for it"
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: R1"), "risk R1 in assessment A1")]


def test_l106_entry_without_mitigation_text(repo):
    repo.edit(ELENA_PLAN, "    mitigation: Grab bars and a shower chair are installed; the aide is present during bathing.\n", "")
    finding = only(repo.check(), "L106")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "risk: R1"))


# L107 barrier-without-strategy

def test_l107_barrier_without_strategy(repo):
    repo.edit(ELENA_PLAN, "strategies:\n  - barrier: B1\n    text: The case manager asks the pharmacy for labels and instructions in Spanish.\n",
              "strategies: []\n")
    finding = only(repo.check(), "L107")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "strategies: []"))
    assert [at(r) + (r.message,) for r in finding.related] == [
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "id: B1"), "barrier B1 in assessment A1")]


# L108 strengths-unused

def test_l108_no_goal_draws_on_a_strength(repo):
    for old in ("    strengths: [S1]\n", "    strengths: [S2]\n", "    strengths: [S1, S3]\n"):
        repo.edit(ELENA_PLAN, old, "")
    finding = only(repo.check(), "L108")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "goals:\n"))


# L109 support-unquantified

def test_l109_each_missing_quantity_is_its_own_finding(repo):
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-03-31\n",
              "    start: 2026-09-07\n")
    findings = [f for f in repo.check() if f.code == "L109"]
    assert len(findings) == 2
    position = (ELENA_PLAN, *repo.locate(ELENA_PLAN, "id: SP1"))
    assert {at(f) for f in findings} == {position}
    assert sorted(f.message for f in findings) == [
        "support SP1 does not say how often (`frequency`)",
        "support SP1 does not say when it ends (`end`)",
    ]


def test_linkage_rules_ignore_superseded_plans(repo):
    """An older plan is history: only the plan in effect (and newer drafts) is judged."""
    old = repo.read(ELENA_PLAN).replace("date: 2026-09-03\ntype: initial", "date: 2026-08-25\ntype: initial")
    old = old.replace("id: P1\n", "id: P0\n").replace("    needs: [N2]\n", "    needs: []\n")
    repo.write("members/M-000123/plan-2026-08-25.yaml", old)
    assert "L101" not in repo.codes()


def test_l102_never_repeats_free_text_typed_where_an_id_belongs(repo):
    repo.edit(ELENA_PLAN, "    needs: [N3, N4]\n", "    needs: [N3, N4, Elena's loneliness on weekdays]\n")
    messages = [f.message for f in repo.check() if f.code == "L102"]
    assert messages == ["need (not an id) is not in assessment A1"]


ELENA_RAISED = "members/M-000123/notes/2026-10-29.yaml"  # raises one unmet need

DANNY_NOTE = "members/M-000207/notes/2026-10-08.yaml"

ABDI_NOTE = "members/M-000301/notes/2026-06-22.yaml"

ELENA_SIGNED = "  - {role: member, name: Elena Martinez, signed_on: 2027-01-20, method: wet}\n"


def found_linkage_13(repo, code, today=TODAY, paths=()):
    return [(f.path, f.line, f.column, f.message) for f in repo.check(*paths, today=today, select=(code,))
            if f.code == code]


def test_documentation_examples_parse_as_yaml():
    for code in ("L105", "L110"):
        assert yaml.safe_load(RULES[code].example), code
    assert RULES["L110"].severity == "warning" and RULES["L110"].source == "CMHPSM 13.003"
    assert RULES["L110"].name == "unmet-need-unplanned"


# ---------------------------------------------------------------- L105: supports in time

def test_reference_members_have_every_active_goal_supported(repo):
    assert found_linkage_13(repo, "L105") == []
    assert found_linkage_13(repo, "L105", today=date(2027, 1, 31)) == []


def test_a_goal_whose_only_support_ended_has_no_support(repo):
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-09-07\n    end: 2026-10-31\n  - id: SP3")
    assert found_linkage_13(repo, "L105") == [where(repo, ELENA_PLAN, "- id: G2", 2) + (
        "active goal G2's supports all ended by 2026-10-31; none works toward it now",)]
    assert found_linkage_13(repo, "L105", today=date(2026, 10, 31)) == []  # its last day still counts


def test_a_goal_past_its_target_date_whose_supports_ran_to_it_is_left_to_t204(repo):
    """Elena's G1 (target 2027-03-31) and SP1 (to 2027-03-31): in April the goal wants updating, not a support."""
    assert found_linkage_13(repo, "L105", today=date(2027, 4, 15)) == []
    assert "T204" in [f.code for f in repo.check(today=date(2027, 4, 15), select=("T204",))]
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "    target_date: 2027-06-30\n"
              "    status: active\n")
    assert found_linkage_13(repo, "L105", today=date(2027, 4, 15)) == [where(repo, ELENA_PLAN, "- id: G1", 2) + (
        "active goal G1's supports all ended by 2027-03-31; none works toward it now",)]


def test_a_goal_with_one_support_still_running_is_supported(repo):
    repo.edit(ELENA_PLAN, "    frequency: monthly\n    start: 2026-09-07\n    end: 2027-09-02\n",
              "    frequency: monthly\n    start: 2026-09-07\n    end: 2026-10-31\n")  # SP3 ended; SP4 (Rosa) runs
    assert found_linkage_13(repo, "L105") == []


def test_a_support_that_has_not_started_yet_counts(repo):
    """A support planned to start later in the plan's period is planned help, not a missing one."""
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-12-01\n    end: 2027-09-02\n  - id: SP3")
    assert found_linkage_13(repo, "L105") == []


def test_a_draft_revision_is_judged_over_its_own_period(repo):
    """A revision whose period starts later: a support carried over that ends before it does not count."""
    revision(repo)  # an unsigned draft P2 for 2027-01-20 to 2028-01-19
    repo.edit(ELENA_REVISION, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-09-07\n    end: 2026-12-31\n  - id: SP3")
    expected = [where(repo, ELENA_REVISION, "- id: G2", 2) + (
        "active goal G2 has no support running in the plan's period (2027-01-20 to 2028-01-19): its supports "
        "all end by 2026-12-31",)]
    assert found_linkage_13(repo, "L105", today=date(2026, 12, 15)) == expected  # the plan in effect is not blamed
    assert found_linkage_13(repo, "L105", today=date(2027, 2, 10), paths=("members/M-000123",)) == [expected[0][:3] + (
        "active goal G2's supports all ended by 2026-12-31; none works toward it now",)]


def test_a_plan_whose_period_is_over_is_judged_over_that_period(repo):
    """Checked after its end (no newer plan), a plan is not faulted for supports that ended with it."""
    assert found_linkage_13(repo, "L105", today=date(2027, 10, 1)) == []


def test_the_guardians_member_plan_is_judged_on_the_day_checked(repo):
    """Danny (his mother is his guardian): both supports of G2 end on 2027-01-31, the plan runs to May."""
    assert found_linkage_13(repo, "L105", today=date(2027, 2, 10)) == []  # G2's target date was 2027-01-31 too: T204's
    repo.edit(DANNY_PLAN, "    target_date: 2027-01-31\n", "    target_date: 2027-05-19\n")
    assert found_linkage_13(repo, "L105", today=date(2027, 1, 31)) == []
    assert found_linkage_13(repo, "L105", today=date(2027, 2, 10)) == [where(repo, DANNY_PLAN, "- id: G2", 2) + (
        "active goal G2's supports all ended by 2027-01-31; none works toward it now",)]


def test_a_goal_no_support_names_keeps_its_message(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    assert found_linkage_13(repo, "L105") == [where(repo, ELENA_PLAN, "- id: G2", 2) + (
        "active goal G2 has no support working toward it",)]


def review(repo, entries: str = "", day: str = "2026-11-20", plan: str = ELENA_PLAN) -> None:
    """A periodic review of Elena's plan on ``day``, with ``entries`` under its `unmet_needs`."""
    body = f"  - date: {day}\n    by: cm-jlee\n    outcome: continue\n"
    if entries:
        body += "    unmet_needs:\n" + entries
    repo.edit(plan, "reviews: []                        # periodic reviews held since the plan was signed\n",
              "reviews:\n" + body)


UNTAKEN = ("the unmet need raised in this note (2026-10-29) is not taken up by the next review (2026-11-20) nor "
           "since; add to that review's `unmet_needs` an entry with `raised_on: 2026-10-29` and a `goal`, a "
           "`referral` or the reason it is `deferred`")


def test_no_review_since_the_note_is_not_due_yet(repo):
    """The reference: Elena raised a need on 2026-10-29 and no review has been held since."""
    assert found_linkage_13(repo, "L110") == []
    review(repo, day="2026-10-20")  # a review before the note does not make it due either
    assert found_linkage_13(repo, "L110") == []


def test_a_review_that_does_not_take_the_need_up(repo):
    review(repo)
    findings = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert [at(f) + (f.message, f.severity) for f in findings] == [
        where(repo, ELENA_RAISED, "- Would like", 2) + (UNTAKEN, "warning")]
    assert [at(r) + (r.message,) for r in findings[0].related] == [
        where(repo, ELENA_PLAN, "- date: 2026-11-20", 2) + ("the review of 2026-11-20 in plan P1",)]
    # the plan, where the review was recorded, reports it when checked alone (an editor, a pre-commit hook)
    assert [f.code for f in repo.check(ELENA_PLAN, select=("L110",))] == ["L110"]


def test_a_referral_goal_or_reasoned_deferral_takes_it_up(repo):
    review(repo, "      - {raised_on: 2026-10-29, referral: Spanish-language senior lunch at Our Lady of Peace.}\n")
    assert found_linkage_13(repo, "L110") == []
    repo.edit(ELENA_PLAN, "referral: Spanish-language senior lunch at Our Lady of Peace.", "goal: G3")
    assert found_linkage_13(repo, "L110") == []
    repo.edit(ELENA_PLAN, "goal: G3", "deferred: Elena wants to try the lunch first.")
    assert found_linkage_13(repo, "L110") == []


def test_an_entry_that_only_names_the_note_takes_nothing_up(repo):
    review(repo, "      - {raised_on: 2026-10-29}\n")
    assert found_linkage_13(repo, "L110") == [where(repo, ELENA_RAISED, "- Would like", 2) + (UNTAKEN,)]


def test_a_later_review_may_take_it_up(repo):
    review(repo)
    repo.edit(ELENA_PLAN, "    outcome: continue\n", "    outcome: continue\n  - date: 2026-11-21\n    by: cm-jlee\n"
              "    unmet_needs:\n      - {raised_on: 2026-10-29, deferred: Elena will decide after the holidays.}\n")
    assert found_linkage_13(repo, "L110") == []


def test_each_need_of_a_note_that_raised_several(repo):
    repo.edit(ELENA_RAISED, "  - Would like a Spanish-speaking senior group on weekdays.\n",
              "  - Would like a Spanish-speaking senior group on weekdays.\n  - A ride to the senior lunch.\n")
    review(repo, "      - {raised_on: 2026-10-29, item: 2, goal: G3}\n")
    assert found_linkage_13(repo, "L110") == [where(repo, ELENA_RAISED, "- Would like", 2) + (
        UNTAKEN.replace("the unmet need raised in this note", "unmet need 1 of this note"),)]
    repo.edit(ELENA_PLAN, "item: 2, goal: G3", "goal: G3")  # without `item`: every need of that note
    assert found_linkage_13(repo, "L110") == []


def test_a_consented_revision_after_the_note_must_take_it_up(repo):
    revision(repo, signatures=ELENA_SIGNED)
    today = date(2027, 2, 10)
    findings = [f for f in repo.check(today=today, select=("L110",)) if f.code == "L110"]
    assert [at(f) + (f.message,) for f in findings] == [where(repo, ELENA_RAISED, "- Would like", 2) + (
        "the unmet need raised in this note (2026-10-29) is not taken up by the next revision (2027-01-20) nor "
        "since; add to its `unmet_needs` an entry with `raised_on: 2026-10-29` and a `goal`, a `referral` or the "
        "reason it is `deferred`",)]
    assert [at(r) + (r.message,) for r in findings[0].related] == [
        where(repo, ELENA_REVISION, "2027-01-20") + ("the revision plan P2 of 2027-01-20",)]
    repo.edit(ELENA_REVISION, "deferred_needs: []\n",
              "deferred_needs: []\nunmet_needs:\n  - raised_on: 2026-10-29\n    goal: G3\n")
    assert found_linkage_13(repo, "L110", today=today) == []


def test_an_annual_plan_is_a_replan_and_an_initial_plan_is_not(repo):
    """A new annual plan after the note must take it up; an initial plan answers its intake assessment."""
    revision(repo, signatures=ELENA_SIGNED)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    findings = [f for f in repo.check(today=date(2027, 2, 10), select=("L110",)) if f.code == "L110"]
    assert [f.message.split(" nor since")[0] for f in findings] == [
        "the unmet need raised in this note (2026-10-29) is not taken up by the next annual plan (2027-01-20)"]
    assert [r.message for r in findings[0].related] == ["the annual plan P2 of 2027-01-20"]
    repo.edit(ELENA_REVISION, "type: annual", "type: initial")
    assert found_linkage_13(repo, "L110", today=date(2027, 2, 10)) == []


def test_a_draft_revision_is_where_it_is_reported_and_may_take_it_up(repo):
    # DESIGN.md "Draft": L110 is reported on the draft revision, while fixing it costs no signature
    revision(repo)  # unsigned: the draft is the next revision after the note
    assert [f[:3] for f in found_linkage_13(repo, "L110", today=date(2027, 2, 10))] == [where(repo, ELENA_REVISION, "2027-01-20")]
    review(repo)  # the review on 2026-11-20 came first: reported at the note, as before ...
    assert [f[:3] for f in found_linkage_13(repo, "L110", today=date(2027, 2, 10))] == [
        where(repo, ELENA_RAISED, "- Would like", 2)]
    repo.edit(ELENA_REVISION, "deferred_needs: []\n",  # ... and the revision being signed takes it up
              "deferred_needs: []\nunmet_needs:\n  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found_linkage_13(repo, "L110", today=date(2027, 2, 10)) == []


def test_the_guardians_member_at_the_next_review(repo):
    """Danny (his mother is his guardian): a need raised on 2026-10-08, reviews on 2026-08-13 and 2026-11-05."""
    repo.edit(DANNY_NOTE, "unmet_needs: []\n", "unmet_needs:\n  - A bus pass for Saturdays.\n")
    findings = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert [at(f) for f in findings] == [where(repo, DANNY_NOTE, "- A bus pass", 2)]
    assert "the next review (2026-11-05)" in findings[0].message
    assert [at(r) + (r.message,) for r in findings[0].related] == [
        where(repo, DANNY_PLAN, "{date: 2026-11-05") + ("the review of 2026-11-05 in plan P1",)]


def test_a_closed_case_is_judged_until_the_member_is_enrolled_again(repo):
    """Abdi's case closed in October; his need raised in June came before the August review."""
    repo.edit(ABDI_NOTE, "unmet_needs: []\n", "unmet_needs:\n  - Help to get a driver's license.\n")
    assert [f[:3] for f in found_linkage_13(repo, "L110")] == [where(repo, ABDI_NOTE, "- Help to get", 2)]
    reenroll_abdi(repo)  # a new episode: the old one's notes and reviews are history
    assert found_linkage_13(repo, "L110") == []


def test_free_text_of_the_need_never_reaches_the_message(repo):
    review(repo)
    (finding,) = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert "Spanish" not in finding.message and all("Spanish" not in r.message for r in finding.related)


# ---------------------------------------------------------------- L102 on `unmet_needs` entries

def test_l102_unmet_need_entries_name_a_goal_of_the_plan_and_a_note_that_raised_it(repo):
    review(repo, "      - {raised_on: 2026-10-29, goal: G9}\n      - {raised_on: 2026-10-28, goal: G3}\n"
                 "      - {raised_on: 2026-10-29, item: 2, goal: G3}\n")
    assert found_linkage_13(repo, "L102") == [
        where(repo, ELENA_PLAN, "G9") + ("goal `G9` is not in this plan",),
        where(repo, ELENA_PLAN, "2026-10-28") + ("no note dated 2026-10-28 raises an unmet need (`unmet_needs`)",),
        where(repo, ELENA_PLAN, "2, goal") + ("the note of 2026-10-29 raises 1 unmet need; there is no item 2",),
    ]


ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"

CODES = ("L111", "L112", "A607")

ELENA_BACKUP = "    backup_plan: If the aide cannot come, Rosa helps; Elena wears a medical alert pendant.\n"


def test_reference_members_have_none_of_the_new_findings(repo):
    assert found(repo, *CODES) == []
    assert found(repo, *CODES, today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("code", CODES)
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


# ---------------------------------------------------------------- L111

def test_high_risk_without_backup_plan_is_reported_at_its_mitigation_entry(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")
    assert found(repo, "L111") == [
        ("L111",) + where(repo, ELENA_PLAN, "- risk: R1", 2) +
        ("risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who steps in and what "
         "they do when the usual support fails",)]
    # the plan file alone (an editor, a pre-commit hook) reports it
    assert [f.code for f in repo.check(ELENA_PLAN, select=("L111",))] == ["L111"]


@pytest.mark.parametrize("backup", ["N/A", "none.", "'  TBD '", "See above",
                                    "Grab bars and a shower chair are installed; the aide is present during bathing."])
def test_placeholder_or_repeated_mitigation_is_not_an_individualized_backup_plan(repo, backup):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, f"    backup_plan: {backup}\n")
    (finding,) = [f for f in repo.check(select=("L111",)) if f.code == "L111"]
    assert at(finding) == where(repo, ELENA_PLAN, "backup_plan:", 13)
    assert "placeholder, or the mitigation repeated" in finding.message
    assert backup.strip() not in finding.message  # machine outputs carry no member text


def test_high_risk_with_no_entry_points_at_risk_mitigations_or_the_assessment_reference(repo):
    text = repo.read(ELENA_PLAN)
    start = text.index("  - risk: R1\n")
    repo.write(ELENA_PLAN, text[:start].replace("risk_mitigations:\n", "risk_mitigations: []\n")
               + text[text.index("rights_modifications:"):])
    message = ("risk R1, rated high in assessment A1, has no `risk_mitigations` entry with a backup plan; "
               "add one (`risk`, `mitigation`, `backup_plan`)")
    assert found(repo, "L111") == [("L111",) + where(repo, ELENA_PLAN, "risk_mitigations: []") + (message,)]
    assert "L106" in [f.code for f in repo.check()]  # the missing mitigation stays L106's finding
    repo.edit(ELENA_PLAN, "risk_mitigations: []\n", "")
    assert found(repo, "L111") == [("L111",) + where(repo, ELENA_PLAN, "assessment: A1", 12) + (message,)]


def test_only_risks_rated_high_need_a_backup_plan(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")
    repo.edit(ELENA_ASSESSMENT, "    level: high\n", "    level: medium\n")
    assert found(repo, "L111") == []


def test_a_second_entry_for_the_same_risk_may_carry_the_backup_plan(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "  - risk: R1\n    mitigation: A medical alert pendant.\n"
              "    backup_plan: If the aide cannot come, Rosa helps.\n")
    assert found(repo, "L111") == []


def test_a_draft_revision_is_judged_and_the_plan_in_effect_is_not_blamed_for_it(repo):
    revision(repo)  # an unsigned draft P2 dated 2027-01-20
    repo.edit(ELENA_REVISION, ELENA_BACKUP, "")
    assert [(c, p) for c, p, *_ in found(repo, "L111", today=date(2027, 2, 10))] == [("L111", ELENA_REVISION)]


def test_a_superseded_plan_is_history_and_not_rejudged(repo):
    repo.edit(ELENA_PLAN, ELENA_BACKUP, "")  # the old plan lacked it; the consented revision fixed it
    revision(repo, signatures="  - {role: member, name: Elena Martinez, signed_on: 2027-01-20, method: wet}\n")
    repo.edit(ELENA_REVISION, "    mitigation: Grab bars and a shower chair are installed; the aide is present "
              "during bathing.\n", "    mitigation: Grab bars and a shower chair are installed; the aide is "
              "present during bathing.\n" + ELENA_BACKUP)
    assert found(repo, "L111", today=date(2027, 2, 10)) == []
    assert [p for _, p, *_ in found(repo, "L111", today=date(2026, 11, 22))] == [ELENA_PLAN]


def test_a_closed_case_keeps_its_last_plan_judged_until_a_new_episode_begins(repo):
    repo.edit(ABDI_ASSESSMENT, "risks: []\n", "risks:\n  - id: R1\n    text: Works on cars alone at night.\n"
              "    level: high\n")
    repo.edit(ABDI_PLAN, "risk_mitigations: []\n",
              "risk_mitigations:\n  - risk: R1\n    mitigation: He works with a partner.\n")
    assert found(repo, "L111") == [("L111",) + where(repo, ABDI_PLAN, "- risk: R1", 2) + (
        "risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who steps in and what "
        "they do when the usual support fails",)]
    reenroll_abdi(repo)  # the old episode's plan is history in the new episode
    assert found(repo, "L111") == []


# ---------------------------------------------------------------- L112

def test_active_goal_without_target_date(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n", "")
    assert found(repo, "L112") == [("L112",) + where(repo, ELENA_PLAN, "- id: G1\n", 2) + (
        "active goal G1 has no target date (`target_date`); say by when it should be reached",)]


def test_objective_without_measure_or_target_date_one_finding_each(repo):
    repo.edit(ELENA_PLAN, "        measure: Weekly pill-organizer check by the home care aide.\n"
              "        target_date: 2026-12-31\n", "")
    position = where(repo, ELENA_PLAN, "- id: G1.1", 2)
    assert found(repo, "L112") == [
        ("L112",) + position + ("objective G1.1 of goal G1 does not say how progress is measured (`measure`)",),
        ("L112",) + position + ("objective G1.1 of goal G1 has no target date (`target_date`)",)]


def test_a_blank_measure_is_no_measure(repo):
    repo.edit(ELENA_PLAN, "        measure: Weekly pill-organizer check by the home care aide.\n",
              "        measure: '  '\n")
    assert [m for *_, m in found(repo, "L112")] == [
        "objective G1.1 of goal G1 does not say how progress is measured (`measure`)"]


def test_goals_and_objectives_no_longer_active_are_not_judged(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "    status: achieved\n")
    repo.edit(ELENA_PLAN, "        measure: Aide visit log and monthly call with Elena.\n"
              "        target_date: 2027-02-28\n", "        status: achieved\n")
    assert found(repo, "L112") == []


def test_a_goal_without_status_is_active_and_may_have_no_objectives(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "")
    text = repo.read(ELENA_PLAN)
    repo.write(ELENA_PLAN, text[:text.index("    objectives:\n      - id: G1.1")]
               + text[text.index("  - id: G2\n"):])
    assert [m for *_, m in found(repo, "L112")] == [
        "active goal G1 has no target date (`target_date`); say by when it should be reached"]


def test_l112_judges_a_draft_revision_and_a_closed_case_plan(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "        measure: Ride log and Elena's own report.\n", "")
    assert [(p, m) for _, p, *_, m in found(repo, "L112", today=date(2027, 2, 10))] == [
        # the revision (from 2027-01-20) carries G1.1 forward with its old date: outside its period (DESIGN L112)
        (ELENA_REVISION, "objective G1.1 of goal G1 is due 2026-12-31, outside the plan's effective period "
                         "(2027-01-20 to 2028-01-19); an objective is a step of this plan: set its date within the "
                         "period (a goal may reach beyond it)"),
        (ELENA_REVISION, "objective G3.1 of goal G3 does not say how progress is measured (`measure`)")]
    repo.edit(ABDI_PLAN, "    status: achieved\n", "    status: active\n", count=2)
    repo.edit(ABDI_PLAN, "    target_date: 2026-12-31\n", "")
    assert found(repo, "L112", paths=(ABDI_PLAN,)) == [("L112",) + where(repo, ABDI_PLAN, "- id: G2\n", 2) + (
        "active goal G2 has no target date (`target_date`); say by when it should be reached",)]


def test_checking_one_file_loads_its_member_folder(repo):
    """A single file checked (as a pre-commit hook does) still sees the assessment next to it."""
    repo.edit(ELENA_PLAN, "    needs: [N2]\n", "    needs: [N9]\n")
    findings = repo.check(ELENA_PLAN)
    assert [f.code for f in findings] == ["L103", "L102"]  # L103 for N2 is in the plan, its need related
    assert [f.code for f in repo.check("members/M-000123")] == ["L103", "L102"]






# ---------------------------------------------------------------- L110 on the draft revision

def test_a_draft_revision_reports_the_unmet_need_it_does_not_take_up(repo):
    elena_revision(repo, "", date_="2026-11-10", unmet="  - {raised_on: 2026-09-30, goal: G3}\n")
    assert [(f[:4], f[4]) for f in found(repo, "L110")] == [(
        ("L110",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "unmet_needs:"),
        "the unmet need raised in the note of 2026-10-29 (2026-10-29.yaml) is not taken up by this revision, "
        "which awaits signature; add to its `unmet_needs` an entry with `raised_on: 2026-10-29` and a `goal`, a "
        "`referral` or the reason it is `deferred`, before it is signed")]
    (finding,) = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert [(r.path, r.line, r.column, r.message) for r in finding.related] == [
        where(repo, ELENA_RAISED, "- Would like", 2) + ("the unmet need raised in the note of 2026-10-29",)]
    repo.edit(ELENA_REVISION_CONSENT_DRAFTS_COPIES, "raised_on: 2026-09-30", "raised_on: 2026-10-29")
    assert found(repo, "L110") == []


def test_a_draft_without_unmet_needs_is_told_at_its_date(repo):
    elena_revision(repo, "", date_="2026-11-10")
    assert [f[:4] for f in found(repo, "L110")] == [("L110",) + where(repo, ELENA_REVISION_CONSENT_DRAFTS_COPIES, "2026-11-10")]


def test_a_review_before_the_draft_keeps_the_finding_at_the_note(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-05, by: cm-jlee, outcome: revise, "
              "member_view: She wants a Spanish group.}")
    elena_revision(repo, "", date_="2026-11-10")
    assert [f[:4] for f in found(repo, "L110")] == [("L110",) + where(repo, ELENA_RAISED, "- Would like", 2)]


def test_an_initial_draft_is_no_occasion(repo):
    elena_revision(repo, "", date_="2026-11-10")
    repo.edit(ELENA_REVISION_CONSENT_DRAFTS_COPIES, "type: revision", "type: initial")
    assert found(repo, "L110") == []


SP2_DATES = "    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3"


def test_l105_leaves_a_support_ending_before_it_starts_to_t206(repo):
    # SP2 is G2's only support: with its dates reversed it is T206's error, not "no support" for G2 as well
    repo.edit(ELENA_PLAN, SP2_DATES, "    start: 2026-09-07\n    end: 2026-09-01\n  - id: SP3")
    assert [code for code, *_ in found(repo, "T206", "L105")] == ["T206"]


# ---------------------------------------------------------------- L112: an objective within its goal and plan

OBJECTIVE_G1 = "        target_date: 2026-12-31\n  - id: G2"


def test_l112_an_objective_due_after_its_goal(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-04-15\n  - id: G2")
    assert found(repo, "L112") == [("L112",) + where(repo, ELENA_PLAN, "2027-04-15") + (
        "objective G1.1 of goal G1 is due 2027-04-15, after its goal's target date (2027-03-31); an objective is a "
        "step toward its goal: set it on or before the goal's date, or move the goal's",)]


def test_l112_an_objective_on_its_goals_date_and_the_plans_last_day_is_in_order(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-03-31\n  - id: G2")
    assert found(repo, "L112") == []
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2027-09-02\n    status: active\n    objectives:\n      - id: G2.1")
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2027-09-02\n  - id: G3")
    assert found(repo, "L112") == []


def test_l112_an_objective_due_after_its_goal_and_after_the_plans_end_is_two_findings(repo):
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2027-09-30\n  - id: G3")
    at = where(repo, ELENA_PLAN, "2027-09-30")
    assert found(repo, "L112") == [
        ("L112",) + at + ("objective G2.1 of goal G2 is due 2027-09-30, after its goal's target date (2027-08-31); "
                          "an objective is a step toward its goal: set it on or before the goal's date, or move the "
                          "goal's",),
        ("L112",) + at + ("objective G2.1 of goal G2 is due 2027-09-30, outside the plan's effective period "
                          "(2026-09-03 to 2027-09-02); an objective is a step of this plan: set its date within the "
                          "period (a goal may reach beyond it)",)]


def test_l112_an_objective_due_before_the_plan_starts(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2026-08-31\n  - id: G2")
    (finding,) = found(repo, "L112")
    assert finding[1:4] == where(repo, ELENA_PLAN, "2026-08-31")
    assert "outside the plan's effective period (2026-09-03 to 2027-09-02)" in finding[4]


def test_l112_a_goal_may_reach_beyond_the_plan_year(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G3.1",
              "    target_date: 2028-06-30\n    status: active\n    objectives:\n      - id: G3.1")
    assert found(repo, "L112", "T206", "T202") == []


def test_l112_an_objective_already_achieved_or_of_a_goal_on_hold_is_not_judged(repo):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, "        target_date: 2027-04-15\n        status: achieved\n  - id: G2")
    assert found(repo, "L112") == []
    repo.edit(ELENA_PLAN, "        status: achieved\n", "")
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n",
              "    target_date: 2027-03-31\n    status: on_hold\n")
    assert found(repo, "L112") == []


def test_l112_without_an_effective_end_only_the_start_bounds_an_objective(repo):
    repo.edit(ELENA_PLAN, "  start: 2026-09-03\n  end: 2027-09-02\n", "  start: 2026-09-03\n")
    repo.edit(ELENA_PLAN, "    target_date: 2027-08-31\n    status: active\n    objectives:\n      - id: G2.1",
              "    target_date: 2028-08-31\n    status: active\n    objectives:\n      - id: G2.1")
    repo.edit(ELENA_PLAN, "        target_date: 2027-02-28\n  - id: G3", "        target_date: 2028-02-28\n  - id: G3")
    assert found(repo, "L112") == []


def test_l112_a_revision_judges_objectives_against_its_own_period(repo):
    # a draft revision starting 2027-01-20: G1.1 (2026-12-31) is before it starts, carried forward unchanged
    revision = "members/M-000123/plan-2027-01-20.yaml"
    text = repo.read(ELENA_PLAN).replace("id: P1", "id: P2")
    text = text.replace("date: 2026-09-03\ntype: initial", "date: 2027-01-20\ntype: revision")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", "  start: 2027-01-20\n  end: 2028-01-19")
    repo.write(revision, text)
    assert [(f[1],) + f[2:4] for f in found(repo, "L112", today=date(2027, 1, 10))] == [
        where(repo, revision, "2026-12-31")]


@pytest.mark.parametrize("new", ["        target_date: [2027-04-15]\n  - id: G2",
                                 "        target_date: 2027-02-30\n  - id: G2",
                                 "        target_date: 20270415\n  - id: G2"])
def test_l112_a_target_of_the_wrong_shape_is_the_schemas_and_never_a_crash(repo, new):
    repo.edit(ELENA_PLAN, OBJECTIVE_G1, new)
    findings = repo.check()
    assert "E000" not in [f.code for f in findings]
    assert not [f for f in findings if f.code == "L112" and "is due" in f.message]


def test_l111_reads_the_same_definition(repo):
    """A high risk's backup plan left as the scaffold's placeholder is no backup plan."""
    from pcplan.rules import linkage as completeness  # L111, L112 live in linkage.py

    assert completeness._placeholder(TEMPLATE_TEXT) and completeness._placeholder("per policy")
