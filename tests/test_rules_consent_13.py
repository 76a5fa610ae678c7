"""C306 (rights explained on or before the first plan's consent), C308 (notice before a revision ends or
reduces a paid support) and C309 (choice at every change of case manager): a passing case, a failing case
and the situations a caseload produces (revisions, drafts, guardians, transfers, re-enrollment), each with
the exact position of the finding."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_MEMBER, ELENA_PLAN, found, where
from pcplan.rules import RULES
from test_lifecycle import ABDI_MEMBER, DANNY_MEMBER, ELENA_REVISION, reenroll_abdi, revision

CODES = ("C306", "C308", "C309")
ABDI_NEW_PLAN = "members/M-000301/plan-2026-11-10.yaml"
SIGNED = "  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n"
AFTER = date(2027, 2, 10)  # a day the revision of 2027-01-20 is in effect
SP2_AMOUNT = "    amount: 6\n    unit: hours\n    frequency: weekly\n"
SP3_AMOUNT = "    amount: 4\n    unit: trips\n    frequency: monthly\n"


def notices(repo, *entries: str, target: str = ELENA_REVISION) -> None:
    repo.edit(target, "exceptions: []", "notices:\n" + "".join(f"  - {e}\n" for e in entries) + "exceptions: []")


def test_reference_members_have_none_of_the_new_findings(repo):
    assert found(repo, *CODES) == []
    assert found(repo, *CODES, today=date(2027, 2, 10)) == []


@pytest.mark.parametrize("code", CODES)
def test_documentation_example_parses_as_yaml(code):
    rule = RULES[code]
    assert yaml.safe_load(rule.example)
    assert rule.why and rule.fix


def test_the_new_fields_are_accepted_by_the_schemas(repo):
    revision(repo, signatures=SIGNED)
    notices(repo, "{support: SP2, given_on: 2027-01-05, method: mail}", "{support: SP3, requested_by_member: true}")
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n    preferences_met: false\n"
              "    preference_unmet_reason: Nobody with both specialties had an opening.\n")
    assert [f for f in repo.check(today=AFTER) if f.code == "E004"] == []
    repo.edit(ELENA_REVISION, "method: mail", "method: carrier pigeon")
    (error,) = [f for f in repo.check(ELENA_REVISION, today=AFTER) if f.code == "E004"]
    assert (error.line, error.column) == repo.locate(ELENA_REVISION, "carrier pigeon")


# ---------------------------------------------------------------- C306

RIGHTS = "rights_explained_on: 2026-08-03 "


def test_c306_rights_explained_after_the_first_consent_is_reported_at_the_date(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-09-10 ")
    assert found(repo, "C306") == [("C306",) + where(repo, ELENA_MEMBER, "2026-09-10") + (
        "`rights_explained_on` is 2026-09-10, after the member agreed to the first plan (plan P1, consented on "
        "2026-09-03); rights and responsibilities must be explained on or before that consent: correct the date "
        "if they were explained earlier, or document an exception",)]
    repo.edit(ELENA_MEMBER, "rights_explained_on: 2026-09-10 ", "rights_explained_on: 2026-09-03 ")
    assert found(repo, "C306") == []  # on the day of consent is in time


def test_c306_a_draft_is_no_consent_yet(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-09-10 ")
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n", "")
    assert found(repo, "C306") == []


def test_c306_a_later_revision_does_not_move_the_deadline(repo):
    repo.edit(ELENA_MEMBER, RIGHTS, "rights_explained_on: 2026-10-01 ")
    revision(repo, signatures=SIGNED)
    assert [f[1:4] for f in found(repo, "C306", today=AFTER)] == [where(repo, ELENA_MEMBER, "2026-10-01")]


def test_c306_with_a_guardian_the_guardians_signature_is_the_consent(repo):
    # Danny signed on 2026-05-20, his guardian on 2026-05-26: rights explained on 2026-05-24 are in time
    repo.edit(DANNY_PLAN, "name: Grace Kim, signed_on: 2026-05-20", "name: Grace Kim, signed_on: 2026-05-26")
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2025-12-15", "rights_explained_on: 2026-05-24")
    assert found(repo, "C306") == []
    repo.edit(DANNY_MEMBER, "rights_explained_on: 2026-05-24", "rights_explained_on: 2026-05-27")
    (finding,) = found(repo, "C306")
    assert finding[1:4] == where(repo, DANNY_MEMBER, "2026-05-27") and "consented on 2026-05-26" in finding[4]


def abdi_second_plan(repo, kind: str = "initial") -> None:
    """A consented plan of Abdi's second episode (enrolled again on 2026-11-02), dated 2026-11-10."""
    text = repo.read(ABDI_PLAN).replace("2026-02-02", "2026-11-10").replace("2027-02-01", "2027-11-09")
    repo.write(ABDI_NEW_PLAN, text.replace("type: initial", f"type: {kind}"))


def test_c306_a_reenrolled_member_has_rights_explained_again(repo):
    reenroll_abdi(repo, on="2026-11-02")
    assert found(repo, "C306") == []  # no plan agreed to yet in the new episode: not late
    abdi_second_plan(repo)
    assert found(repo, "C306") == [("C306",) + where(repo, ABDI_MEMBER, "rights_explained_on: 2026-01-14", 21) + (
        "`rights_explained_on` is 2026-01-14, in an earlier episode (the case closed on 2026-10-15); the member "
        "was enrolled again and agreed to plan P1 on 2026-11-10: explain the rights again and record the new date",)]
    repo.edit(ABDI_MEMBER, "rights_explained_on: 2026-01-14", "rights_explained_on: 2026-11-02")
    assert found(repo, "C306") == []


# ---------------------------------------------------------------- C308

def reduce_sp2(repo, to: str = "    amount: 4\n    unit: hours\n    frequency: weekly\n") -> None:
    repo.edit(ELENA_REVISION, SP2_AMOUNT, to)


SP2_REDUCED = ("plan P2 reduces paid support `SP2` of plan P1 on 2027-01-20: a lower amount (6 → 4, `weekly`); ")


def test_c308_a_reduced_support_without_notice_is_reported_at_the_revisions_support(repo):
    revision(repo, signatures=SIGNED)
    assert found(repo, "C308", today=AFTER) == []  # the same supports: nothing changed
    reduce_sp2(repo)
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "id: SP2") + (
        SP2_REDUCED + "no notice to the member is recorded, and it was due by 2027-01-10 (10 days before the "
        "change): record it under `notices` (`support: SP2`, `given_on`, `method`), or `requested_by_member: "
        "true` if the member asked for the change",)]


def test_c308_notice_on_the_last_day_is_in_time_and_a_day_late_is_reported_at_its_date(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-10, method: mail}")
    assert found(repo, "C308", today=AFTER) == []
    repo.edit(ELENA_REVISION, "given_on: 2027-01-10, method: mail", "given_on: 2027-01-11, method: mail")
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "2027-01-11, method") + (
        SP2_REDUCED + "the member's notice was given on 2027-01-11, 9 days before the change, but at least 10 days "
        "are required (by 2027-01-10): give notice again and move the change date, or record "
        "`requested_by_member: true` if the member asked for it",)]


def test_c308_a_notice_after_the_change_says_so(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-25, method: phone}", "{support: SP2, given_on: 2027-01-21}")
    (finding,) = found(repo, "C308", today=AFTER)
    # the earliest notice is judged
    assert finding[1:4] == where(repo, ELENA_REVISION, "2027-01-21}")
    assert "the member's notice was given on 2027-01-21, after the change, but at least 10 days" in finding[4]


def test_c308_a_change_the_member_asked_for_needs_no_notice(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, requested_by_member: true}")
    assert found(repo, "C308", today=AFTER) == []


def test_c308_notice_days_is_the_agencys_setting(repo):
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    notices(repo, "{support: SP2, given_on: 2027-01-10, method: in_person}")
    repo.edit("pcplan.toml", "[settings]\n", "[settings]\nnotice_days = 14\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert "at least 14 days are required (by 2027-01-06)" in finding[4]


def test_c308_an_ended_support_is_reported_at_the_supports_key_and_an_unpaid_one_is_not_judged(repo):
    revision(repo, signatures=SIGNED)
    text = repo.read(ELENA_REVISION)
    sp3, sp4 = text.index("  - id: SP3\n"), text.index("  - id: SP4\n")
    repo.write(ELENA_REVISION, text[:sp3] + text[sp4:text.index("strategies:")] + text[text.index("strategies:"):])
    assert found(repo, "C308", today=AFTER) == [("C308",) + where(repo, ELENA_REVISION, "supports:") + (
        "plan P2 ends paid support `SP3` of plan P1 on 2027-01-20 (not continued in this plan: no support has its "
        "id or service code); no notice to the member "
        "is recorded, and it was due by 2027-01-10 (10 days before the change): record it under `notices` "
        "(`support: SP3`, `given_on`, `method`), or `requested_by_member: true` if the member asked for the "
        "change",)]
    text = repo.read(ELENA_REVISION)
    start = text.index("  - id: SP4\n")
    repo.write(ELENA_REVISION, text[:start] + text[text.index("strategies:"):])  # SP4 is unpaid
    assert len(found(repo, "C308", today=AFTER)) == 1


def test_c308_a_support_no_longer_paid_is_ended(repo):
    revision(repo, signatures=SIGNED)
    text = repo.read(ELENA_REVISION)
    at_sp3 = text.index("  - id: SP3\n")
    repo.write(ELENA_REVISION, text[:at_sp3] + text[at_sp3:].replace("    paid: true\n", "    paid: false\n", 1))
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP3")
    assert finding[4].startswith("plan P2 ends paid support `SP3` of plan P1 on 2027-01-20 (no longer paid); ")


@pytest.mark.parametrize("new, how", [
    ("    amount: 4\n    unit: trips\n    frequency: quarterly\n", None),
    ("    amount: 1\n    unit: trips\n    frequency: biweekly\n",
     "a lower amount for the time (4 `monthly` → 1 `biweekly`)"),
    ("    amount: 1\n    unit: trips\n    frequency: weekly\n", None),  # about 4.3 a month: more, not less
    ("    amount: 3\n    unit: Trip\n    frequency: monthly\n", "a lower amount (4 → 3, `monthly`)"),
    ("    amount: 4\n    unit: rides\n    frequency: quarterly\n", "given less often (`monthly` → `quarterly`)"),
    ("    amount: 4\n    unit: trips\n    frequency: as_needed\n",
     "no longer on a schedule (`monthly` → `as_needed`)"),
    ("    amount: 2\n    unit: trips\n    frequency: biweekly\n", None),  # about 4.3 a month: more, not less
    ("    amount: 5\n    unit: rides\n    frequency: monthly\n", None),  # another unit: amounts not comparable
])
def test_c308_what_reduces_a_support(repo, new, how):
    revision(repo, signatures=SIGNED)
    repo.edit(ELENA_REVISION, SP3_AMOUNT, new)
    if how is None and "quarterly" in new:
        how = "a lower amount for the time (4 `monthly` → 4 `quarterly`)"
    messages = [m for *_, m in found(repo, "C308", today=AFTER)]
    assert messages == ([f"plan P2 reduces paid support `SP3` of plan P1 on 2027-01-20: {how}; no notice to the "
                         "member is recorded, and it was due by 2027-01-10 (10 days before the change): record it "
                         "under `notices` (`support: SP3`, `given_on`, `method`), or `requested_by_member: true` if "
                         "the member asked for the change"] if how else [])


def test_c308_an_earlier_end_is_a_reduction_dated_by_the_earlier_of_start_and_end(repo):
    revision(repo, signatures=SIGNED)
    repo.edit(ELENA_REVISION, "    start: 2026-09-07\n    end: 2027-03-31\n",
              "    start: 2026-09-07\n    end: 2027-03-01\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP1")
    assert "on 2027-01-20: it ends earlier (2027-03-01, was 2027-03-31)" in finding[4]
    repo.edit(ELENA_REVISION, "    end: 2027-03-01\n", "    end: 2027-01-15\n")
    (finding,) = found(repo, "C308", today=AFTER)
    assert "on 2027-01-15: it ends earlier (2027-01-15, was 2027-03-31)" in finding[4]
    assert "due by 2027-01-05" in finding[4]


def test_c308_a_support_that_had_already_ended_was_not_taken_away(repo):
    # SP1 of plan P1 ended on 2027-03-31; a revision starting 2027-04-10 without it ends nothing
    revision(repo, date_="2027-04-10", signatures=SIGNED.replace("2027-01-20", "2027-04-10"))
    text = repo.read(ELENA_REVISION)
    repo.write(ELENA_REVISION, text[:text.index("  - id: SP1\n")] + text[text.index("  - id: SP2\n"):])
    assert found(repo, "C308", today=date(2027, 4, 20)) == []


def test_c308_a_draft_is_judged_once_the_notice_is_due(repo):
    revision(repo)  # a draft dated and starting 2027-01-20
    reduce_sp2(repo)
    assert found(repo, "C308", today=date(2027, 1, 10)) == []  # notice can still be given today
    (finding,) = found(repo, "C308", today=date(2027, 1, 11))
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP2") and finding[4].startswith(SP2_REDUCED)


def test_c308_an_annual_renewal_is_compared_with_the_plan_it_follows_like_a_revision(repo):
    # DESIGN.md C308: "a plan (revision or annual renewal)"; whatever its `type`, the same finding
    revision(repo, signatures=SIGNED)
    reduce_sp2(repo)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    (finding,) = found(repo, "C308", today=AFTER)
    assert finding[1:4] == where(repo, ELENA_REVISION, "id: SP2") and finding[4].startswith(SP2_REDUCED)


def test_c308_a_reenrolled_members_first_plan_replaces_nothing(repo):
    reenroll_abdi(repo, on="2026-11-02")
    abdi_second_plan(repo, kind="revision")
    text = repo.read(ABDI_NEW_PLAN)
    repo.write(ABDI_NEW_PLAN, text[:text.index("supports:")] + "supports: []\n" + text[text.index("strategies:"):])
    assert found(repo, "C308") == []  # the old episode's plan is not the plan it replaces


# ---------------------------------------------------------------- C309

def test_c309_a_change_of_case_manager_without_the_members_choice_recorded(repo):
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) changes the case manager but does not record whether the member "
        "chose the new one; add `chosen_by_member: true`, or `false` with the `reason`",)]
    # the first assignment is the initial one, not a change
    repo.edit(DANNY_MEMBER, "    chosen_by_member: false\n", "")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, DANNY_MEMBER, "staff: cm-obello")]


def test_c309_a_preference_not_met_needs_its_reason(repo):
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) was not the member's choice and does not say whether it meets the "
        "preferences the member voiced; add `preferences_met: true`, or `preference_unmet_reason` saying why they "
        "could not be met",)]
    repo.edit(DANNY_MEMBER, "    chosen_by_member: false\n    preferences:",
              "    chosen_by_member: false\n    preferences_met: true\n    preferences:")
    assert found(repo, "C309") == []
    repo.edit(DANNY_MEMBER, "    preferences_met: true\n", "    preferences_met: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, DANNY_MEMBER, "staff: cm-obello") + (
        "case-manager assignment 2 (`cm-obello`) does not meet the preferences the member voiced "
        "(`preferences_met: false`) and does not say why; add `preference_unmet_reason`",)]
    repo.edit(DANNY_MEMBER, "    preferences_met: false\n", "    preferences_met: false\n"
              "    preference_unmet_reason: Nobody with both specialties had an opening.\n")
    assert found(repo, "C309") == []


def test_c309_the_members_choice_or_no_preference_needs_nothing_more(repo):
    repo.edit(DANNY_MEMBER, "    preferences: Wanted a supports coordinator experienced with both developmental "
              "disability and mental health.\n", "")
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "    chosen_by_member: false\n")
    assert found(repo, "C309") == []  # no preference voiced: nothing could go unmet


def test_c309_changes_are_taken_in_order_of_their_start(repo):
    text = repo.read(DANNY_MEMBER)
    first, second = text.index("  - staff: cm-jlee\n"), text.index("  - staff: cm-obello\n")
    end = text.index("status:")
    repo.write(DANNY_MEMBER, text[:first] + text[second:end] + text[first:second] + text[end:])  # newest first
    repo.edit(DANNY_MEMBER, "    chosen_by_member: true\n", "")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, DANNY_MEMBER, "staff: cm-obello")]
    assert "assignment 1 (`cm-obello`)" in found(repo, "C309")[0][4]


def test_c309_the_first_assignment_after_reenrollment_is_not_a_change_but_a_later_one_is(repo):
    reenroll_abdi(repo, on="2026-11-02")
    repo.edit(ABDI_MEMBER, "status: active", "  - staff: cm-obello\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    reason: Abdi came back after his move fell through.\nstatus: active")
    assert found(repo, "C309") == []
    repo.edit(ABDI_MEMBER, "status: active", "  - staff: cm-jlee\n    from: 2026-11-16\n    assigned_by: sup-amartin\n"
              "    reason: Abdi asked for Jordan Lee again.\nstatus: active")
    repo.edit(ABDI_MEMBER, "    reason: Abdi came back after his move fell through.\n",
              "    reason: Abdi came back after his move fell through.\n    to: 2026-11-15\n")
    # the change records no choice; and Abdi needs a Somali interpreter, which cm-jlee does not speak, with no
    # reason recorded (DESIGN.md: a standing preference stands at every later transfer)
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, ABDI_MEMBER, "staff: cm-jlee", occurrence=2),
                                                     where(repo, ABDI_MEMBER, "cm-jlee", occurrence=3)]
