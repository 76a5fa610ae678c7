"""X701–X702, N801: each rule fires at the exact node on a one-edit copy, and not on the clean one."""

from __future__ import annotations

from conftest import ABDI_PLAN, ELENA_NOTE, at, only

CLOSURE = "members/M-000301/closure.yaml"
EXIT_INTERVIEW = """exit_interview:
  held_on: 2026-10-15
  with: [Abdi, Hodan Ali (interpreter)]
  summary: Abdi works full time as an apprentice mechanic with health insurance and tests at an intermediate English level.
"""
NEXT_STAGE = ("next_stage_plan: Abdi continues evening English classes on his own and will apply for family "
              "reunification with help from the resettlement agency.\n")
ABDI_NOTE = """kind: note
version: 1
member: M-000301
date: {date}
staff: cm-jlee
contact: phone
with: [Abdi]
progress:
  - goal: G2
    text: Still attending English classes.
"""


def codes_of(findings, code):
    return [f for f in findings if f.code == code]


def _referrals_removed(repo):
    text = repo.read(CLOSURE)
    start = text.index("referrals:")
    repo.write(CLOSURE, text[:start] + text[text.index("agency_can_still_help:"):])


def test_reference_repository_has_none_of_these_findings(repo):
    assert [f for f in repo.check() if f.code in ("X701", "X702", "N801")] == []


# X701 closure-incomplete

def test_x701_no_exit_interview_points_at_the_root(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "exit interview" in finding.message


def test_x701_exit_interview_without_date(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n", "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "with: [Abdi"))
    assert "`exit_interview.held_on`" in finding.message


def test_x701_declined_without_reason(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n", "  declined: true\n")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "declined: true"))
    assert "`exit_interview.declined_reason`" in finding.message


def test_x701_declined_with_reason_is_enough(repo):
    repo.edit(CLOSURE, "  held_on: 2026-10-15\n",
              "  declined: true\n  declined_reason: Abdi said everything was already said at the last visit.\n")
    assert codes_of(repo.check(), "X701") == []


def test_x701_no_next_stage_plan(repo):
    repo.edit(CLOSURE, NEXT_STAGE, "")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "`next_stage_plan`" in finding.message


def test_x701_blank_next_stage_plan_points_at_it(repo):
    repo.edit(CLOSURE, NEXT_STAGE, "next_stage_plan: \" \"\n")
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, *repo.locate(CLOSURE, "next_stage_plan:", offset=17))


def test_x701_no_referrals(repo):
    _referrals_removed(repo)
    finding = only(repo.check(), "X701")
    assert at(finding) == (CLOSURE, 1, 1)
    assert "`referrals`" in finding.message


def test_x701_empty_referrals_points_at_the_list(repo):
    text = repo.read(CLOSURE)
    start = text.index("referrals:")
    repo.write(CLOSURE, text[:start] + "referrals: []\n" + text[text.index("agency_can_still_help:"):])
    assert at(only(repo.check(), "X701")) == (CLOSURE, *repo.locate(CLOSURE, "[]"))


def test_x701_each_missing_element_is_its_own_finding(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, NEXT_STAGE, "")
    _referrals_removed(repo)
    findings = codes_of(repo.check(), "X701")
    assert len(findings) == 3
    assert {at(f) for f in findings} == {(CLOSURE, 1, 1)}


def test_x701_deceased_needs_none(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, NEXT_STAGE, "")
    _referrals_removed(repo)
    repo.edit(CLOSURE, "reason: goals_met\n", "reason: deceased\n")
    assert codes_of(repo.check(), "X701") == []


def test_x701_lost_contact_needs_no_exit_interview_but_the_rest(repo):
    repo.edit(CLOSURE, EXIT_INTERVIEW, "")
    repo.edit(CLOSURE, "reason: goals_met\n", "reason: lost_contact\n")
    # DESIGN.md X701: a `lost_contact` closure records the attempts to reach the member instead
    assert "`attempts`" in only(repo.check(), "X701").message
    repo.edit(CLOSURE, "reason: lost_contact\n",
              "reason: lost_contact\nattempts:\n  - {on: 2026-10-01, method: phone}\n")
    assert codes_of(repo.check(), "X701") == []
    _referrals_removed(repo)
    finding = only(repo.check(), "X701")
    assert "`referrals`" in finding.message


# X702 activity-after-closure

def test_x702_note_after_closure(repo):
    note = "members/M-000301/notes/2026-11-02.yaml"
    repo.write(note, ABDI_NOTE.format(date="2026-11-02"))
    finding = only(repo.check(), "X702")
    assert at(finding) == (note, *repo.locate(note, "2026-11-02"))
    assert "2026-10-15" in finding.message


def test_x702_note_on_the_closure_date_is_fine(repo):
    note = "members/M-000301/notes/2026-10-15.yaml"
    repo.write(note, ABDI_NOTE.format(date="2026-10-15"))
    assert codes_of(repo.check(), "X702") == []


def test_x702_plan_after_closure(repo):
    later = "members/M-000301/plan-2026-11-01.yaml"
    repo.write(later, repo.read(ABDI_PLAN).replace("date: 2026-02-02\ntype: initial", "date: 2026-11-01\ntype: initial")
               .replace("id: P1\n", "id: P2\n"))
    finding = only(repo.check(), "X702")
    assert at(finding) == (later, *repo.locate(later, "2026-11-01\ntype"))
    assert "plan" in finding.message


# N801 note-without-goal

def test_n801_note_with_empty_progress(repo):
    text = repo.read(ELENA_NOTE)
    start = text.index("progress:")
    repo.write(ELENA_NOTE, text[:start] + "progress: []\n" + text[text.index("satisfaction:"):])
    finding = only(repo.check(), "N801")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "progress:"))
    assert "P1" in finding.message


def test_n801_note_without_progress_points_at_the_root(repo):
    text = repo.read(ELENA_NOTE)
    start = text.index("progress:")
    repo.write(ELENA_NOTE, text[:start] + text[text.index("satisfaction:"):])
    assert at(only(repo.check(), "N801")) == (ELENA_NOTE, 1, 1)


def test_n801_progress_entries_without_a_goal(repo):
    repo.edit(ELENA_NOTE, "  - goal: G1\n", "  - text: Checked in.\n")
    repo.edit(ELENA_NOTE, "  - goal: G3\n", "  - satisfaction: Fine.\n")
    assert at(only(repo.check(), "N801")) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "progress:"))


def test_n801_intake_note_before_any_plan_is_exempt(repo):
    note = "members/M-000123/notes/2026-08-10.yaml"
    repo.write(note, "kind: note\nversion: 1\nmember: M-000123\ndate: 2026-08-10\nstaff: cm-jlee\n"
               "contact: face_to_face\nwith: [Elena]\ntext: Intake visit at home.\n")
    assert codes_of(repo.check(), "N801") == []
