"""Issue 13: L105 counts only supports in time, and L110 (an unmet need raised in a note is taken up by the
next review or revision), with the `unmet_needs` references L102 checks. Each rule has a passing case, a
failing case with the exact position and message, and the situations a caseload produces: revisions,
drafts, a guardian, a closed case and a member enrolled again."""

from __future__ import annotations

from datetime import date

import yaml

from conftest import DANNY_PLAN, ELENA_PLAN, at, where
from pcplan.rules import RULES
from test_lifecycle import ELENA_REVISION, reenroll_abdi, revision

ELENA_RAISED = "members/M-000123/notes/2026-10-29.yaml"  # raises one unmet need
DANNY_NOTE = "members/M-000207/notes/2026-10-08.yaml"
ABDI_NOTE = "members/M-000301/notes/2026-06-22.yaml"
ABDI_PLAN = "members/M-000301/plan-2026-02-02.yaml"
ELENA_SIGNED = "  - {role: member, name: Elena Martinez, signed_on: 2027-01-20, method: wet}\n"
TODAY = date(2026, 11, 22)


def found(repo, code, today=TODAY, paths=()):
    return [(f.path, f.line, f.column, f.message) for f in repo.check(*paths, today=today, select=(code,))
            if f.code == code]


def test_documentation_examples_parse_as_yaml():
    for code in ("L105", "L110"):
        assert yaml.safe_load(RULES[code].example), code
    assert RULES["L110"].severity == "warning" and RULES["L110"].source == "CMHPSM 13.003"
    assert RULES["L110"].name == "unmet-need-unplanned"


# ---------------------------------------------------------------- L105: supports in time

def test_reference_members_have_every_active_goal_supported(repo):
    assert found(repo, "L105") == []
    assert found(repo, "L105", today=date(2027, 1, 31)) == []


def test_a_goal_whose_only_support_ended_has_no_support(repo):
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-09-07\n    end: 2026-10-31\n  - id: SP3")
    assert found(repo, "L105") == [where(repo, ELENA_PLAN, "- id: G2", 2) + (
        "active goal G2's supports all ended by 2026-10-31; none works toward it now",)]
    assert found(repo, "L105", today=date(2026, 10, 31)) == []  # its last day still counts


def test_a_goal_past_its_target_date_whose_supports_ran_to_it_is_left_to_t204(repo):
    """Elena's G1 (target 2027-03-31) and SP1 (to 2027-03-31): in April the goal wants updating, not a support."""
    assert found(repo, "L105", today=date(2027, 4, 15)) == []
    assert "T204" in [f.code for f in repo.check(today=date(2027, 4, 15), select=("T204",))]
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n", "    target_date: 2027-06-30\n"
              "    status: active\n")
    assert found(repo, "L105", today=date(2027, 4, 15)) == [where(repo, ELENA_PLAN, "- id: G1", 2) + (
        "active goal G1's supports all ended by 2027-03-31; none works toward it now",)]


def test_a_goal_with_one_support_still_running_is_supported(repo):
    repo.edit(ELENA_PLAN, "    frequency: monthly\n    start: 2026-09-07\n    end: 2027-09-02\n",
              "    frequency: monthly\n    start: 2026-09-07\n    end: 2026-10-31\n")  # SP3 ended; SP4 (Rosa) runs
    assert found(repo, "L105") == []


def test_a_support_that_has_not_started_yet_counts(repo):
    """A support planned to start later in the plan's period is planned help, not a missing one."""
    repo.edit(ELENA_PLAN, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-12-01\n    end: 2027-09-02\n  - id: SP3")
    assert found(repo, "L105") == []


def test_a_draft_revision_is_judged_over_its_own_period(repo):
    """A revision whose period starts later: a support carried over that ends before it does not count."""
    revision(repo)  # an unsigned draft P2 for 2027-01-20 to 2028-01-19
    repo.edit(ELENA_REVISION, "    frequency: weekly\n    start: 2026-09-07\n    end: 2027-09-02\n  - id: SP3",
              "    frequency: weekly\n    start: 2026-09-07\n    end: 2026-12-31\n  - id: SP3")
    expected = [where(repo, ELENA_REVISION, "- id: G2", 2) + (
        "active goal G2 has no support running in the plan's period (2027-01-20 to 2028-01-19): its supports "
        "all end by 2026-12-31",)]
    assert found(repo, "L105", today=date(2026, 12, 15)) == expected  # the plan in effect is not blamed
    assert found(repo, "L105", today=date(2027, 2, 10), paths=("members/M-000123",)) == [expected[0][:3] + (
        "active goal G2's supports all ended by 2026-12-31; none works toward it now",)]


def test_a_plan_whose_period_is_over_is_judged_over_that_period(repo):
    """Checked after its end (no newer plan), a plan is not faulted for supports that ended with it."""
    assert found(repo, "L105", today=date(2027, 10, 1)) == []


def test_the_guardians_member_plan_is_judged_on_the_day_checked(repo):
    """Danny (his mother is his guardian): both supports of G2 end on 2027-01-31, the plan runs to May."""
    assert found(repo, "L105", today=date(2027, 2, 10)) == []  # G2's target date was 2027-01-31 too: T204's
    repo.edit(DANNY_PLAN, "    target_date: 2027-01-31\n", "    target_date: 2027-05-19\n")
    assert found(repo, "L105", today=date(2027, 1, 31)) == []
    assert found(repo, "L105", today=date(2027, 2, 10)) == [where(repo, DANNY_PLAN, "- id: G2", 2) + (
        "active goal G2's supports all ended by 2027-01-31; none works toward it now",)]


def test_a_goal_no_support_names_keeps_its_message(repo):
    repo.edit(ELENA_PLAN, "    goals: [G2]\n", "    goals: [G1]\n")
    assert found(repo, "L105") == [where(repo, ELENA_PLAN, "- id: G2", 2) + (
        "active goal G2 has no support working toward it",)]


# ---------------------------------------------------------------- L110: unmet needs taken up

REVIEW = "reviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue}\n"


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
    assert found(repo, "L110") == []
    review(repo, day="2026-10-20")  # a review before the note does not make it due either
    assert found(repo, "L110") == []


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
    assert found(repo, "L110") == []
    repo.edit(ELENA_PLAN, "referral: Spanish-language senior lunch at Our Lady of Peace.", "goal: G3")
    assert found(repo, "L110") == []
    repo.edit(ELENA_PLAN, "goal: G3", "deferred: Elena wants to try the lunch first.")
    assert found(repo, "L110") == []


def test_an_entry_that_only_names_the_note_takes_nothing_up(repo):
    review(repo, "      - {raised_on: 2026-10-29}\n")
    assert found(repo, "L110") == [where(repo, ELENA_RAISED, "- Would like", 2) + (UNTAKEN,)]


def test_a_later_review_may_take_it_up(repo):
    review(repo)
    repo.edit(ELENA_PLAN, "    outcome: continue\n", "    outcome: continue\n  - date: 2026-11-21\n    by: cm-jlee\n"
              "    unmet_needs:\n      - {raised_on: 2026-10-29, deferred: Elena will decide after the holidays.}\n")
    assert found(repo, "L110") == []


def test_each_need_of_a_note_that_raised_several(repo):
    repo.edit(ELENA_RAISED, "  - Would like a Spanish-speaking senior group on weekdays.\n",
              "  - Would like a Spanish-speaking senior group on weekdays.\n  - A ride to the senior lunch.\n")
    review(repo, "      - {raised_on: 2026-10-29, item: 2, goal: G3}\n")
    assert found(repo, "L110") == [where(repo, ELENA_RAISED, "- Would like", 2) + (
        UNTAKEN.replace("the unmet need raised in this note", "unmet need 1 of this note"),)]
    repo.edit(ELENA_PLAN, "item: 2, goal: G3", "goal: G3")  # without `item`: every need of that note
    assert found(repo, "L110") == []


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
    assert found(repo, "L110", today=today) == []


def test_an_annual_plan_is_a_replan_and_an_initial_plan_is_not(repo):
    """A new annual plan after the note must take it up; an initial plan answers its intake assessment."""
    revision(repo, signatures=ELENA_SIGNED)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    findings = [f for f in repo.check(today=date(2027, 2, 10), select=("L110",)) if f.code == "L110"]
    assert [f.message.split(" nor since")[0] for f in findings] == [
        "the unmet need raised in this note (2026-10-29) is not taken up by the next annual plan (2027-01-20)"]
    assert [r.message for r in findings[0].related] == ["the annual plan P2 of 2027-01-20"]
    repo.edit(ELENA_REVISION, "type: annual", "type: initial")
    assert found(repo, "L110", today=date(2027, 2, 10)) == []


def test_a_draft_revision_is_where_it_is_reported_and_may_take_it_up(repo):
    # DESIGN.md "Draft": L110 is reported on the draft revision, while fixing it costs no signature
    revision(repo)  # unsigned: the draft is the next revision after the note
    assert [f[:3] for f in found(repo, "L110", today=date(2027, 2, 10))] == [where(repo, ELENA_REVISION, "2027-01-20")]
    review(repo)  # the review on 2026-11-20 came first: reported at the note, as before ...
    assert [f[:3] for f in found(repo, "L110", today=date(2027, 2, 10))] == [
        where(repo, ELENA_RAISED, "- Would like", 2)]
    repo.edit(ELENA_REVISION, "deferred_needs: []\n",  # ... and the revision being signed takes it up
              "deferred_needs: []\nunmet_needs:\n  - {raised_on: 2026-10-29, goal: G3}\n")
    assert found(repo, "L110", today=date(2027, 2, 10)) == []


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
    assert [f[:3] for f in found(repo, "L110")] == [where(repo, ABDI_NOTE, "- Help to get", 2)]
    reenroll_abdi(repo)  # a new episode: the old one's notes and reviews are history
    assert found(repo, "L110") == []


def test_free_text_of_the_need_never_reaches_the_message(repo):
    review(repo)
    (finding,) = [f for f in repo.check(select=("L110",)) if f.code == "L110"]
    assert "Spanish" not in finding.message and all("Spanish" not in r.message for r in finding.related)


# ---------------------------------------------------------------- L102 on `unmet_needs` entries

def test_l102_unmet_need_entries_name_a_goal_of_the_plan_and_a_note_that_raised_it(repo):
    review(repo, "      - {raised_on: 2026-10-29, goal: G9}\n      - {raised_on: 2026-10-28, goal: G3}\n"
                 "      - {raised_on: 2026-10-29, item: 2, goal: G3}\n")
    assert found(repo, "L102") == [
        where(repo, ELENA_PLAN, "G9") + ("goal `G9` is not in this plan",),
        where(repo, ELENA_PLAN, "2026-10-28") + ("no note dated 2026-10-28 raises an unmet need (`unmet_needs`)",),
        where(repo, ELENA_PLAN, "2, goal") + ("the note of 2026-10-29 raises 1 unmet need; there is no item 2",),
    ]
