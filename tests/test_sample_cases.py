"""The README's main command on sample_cases/, and the reference repository in ../shared."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, SHARED
from pcplan.cli import app
from pcplan.engine import Options, check

EXPECTED = """\
sample_cases/members/M-000412/notes/2026-10-14.yaml:8:1: E004 [error] unknown field `minuts` (did you mean `minutes`?)
sample_cases/members/M-000412/notes/2026-10-29.yaml:6:10: E004 [error] `contact` must be one of: face_to_face, video, phone, collateral, written
sample_cases/members/M-000412/notes/2026-11-19.yaml:5:8: A609 [error] `cm-tdiaz` wrote this note of 2026-11-19, after leaving the agency on 2026-10-30 (staff.yaml `left_on`); correct the staff id to who did it, or `left_on` if it is wrong
sample_cases/members/M-000412/plan-2026-08-19.yaml:27:1: L103 [error] need N4 of assessment A1 is not addressed by any goal of this plan nor deferred with a reason; add it to a goal's `needs`, or to `deferred_needs` with the reason
sample_cases/members/M-000412/plan-2026-08-19.yaml:63:13: L102 [error] need `N5` is not in assessment A1
sample_cases/members/M-000412/plan-2026-08-19.yaml:69:12: L101 [error] goal G5 cites no assessed need; add `needs: [N…]` from the assessment
sample_cases/members/M-000412/plan-2026-08-19.yaml:99:5: L109 [error] support SP3 does not say how often (`frequency`)
sample_cases/members/M-000412/plan-2026-08-19.yaml:99:5: L109 [error] support SP3 does not say when it ends (`end`)
sample_cases/members/M-000412/plan-2026-08-19.yaml:137:12: L104 [error] support SP6 serves no goal; add `goals: [G…]`
sample_cases/members/M-000412/plan-2026-08-19.yaml:156:1: L106 [error] risk R2 of assessment A1 has no mitigation in this plan; add a `risk_mitigations` entry for it
sample_cases/members/M-000530/member.yaml:24:22: E004 [error] `determined_on` is not a real date in the form YYYY-MM-DD
sample_cases/members/M-000530/notes/2026-11-10.yaml:3:9: E006 [error] `member: M-000123` does not match this folder's member.yaml (`M-000530`)
sample_cases/members/M-000530/notes/2026-11-20.yaml:25:7: N802 [error] this note's `text` is still the placeholder `pcplan new` wrote, so it counts as no contact; write what happened and what comes next
sample_cases/members/M-000530/plan-2026-06-17.yaml:35:5: E002 [error] duplicate key `target_date` (first at line 33); keep one: pcplan reads the first, other YAML tools silently keep the last
sample_cases/members/M-000530/plan-2026-06-17.yaml:52:5: L105 [warning] active goal G3 has no support working toward it
sample_cases/members/M-000530/plan-2026-06-17.yaml:84:9: E007 [error] id `SP2` is used twice in this file (first at line 72)
sample_cases/members/M-000530/plan-2026-06-17.yaml:94:1: L107 [warning] barrier B2 of assessment A1 has no strategy in this plan; add a `strategies` entry for it
sample_cases/members/M-000530/plan-2026-06-17.yaml:98:5: L111 [error] risk R1, rated high in assessment A1, has no backup plan (`backup_plan`); say who steps in and what they do when the usual support fails
sample_cases/members/M-000644/assessment-2026-02-24.yaml:1:1: P410 [error] assessment A1 records no interpreter, and the member needs one in `es` (member.yaml `language`); `cm-obello`, who led it, does not speak `es` (staff.yaml `languages`): record who interpreted (`interpreter:` with `name` or `agency`, and `language`; or a participant with `role: interpreter`), or the member's choice to go without (`interpreter:` with `declined: true` and `declined_reason`)
sample_cases/members/M-000644/member.yaml:40:5: A606 [error] case-manager assignment 2 (`cm-jlee`) changes the case manager without a reason; record why (`reason`), for example that the member asked for a change
sample_cases/members/M-000644/member.yaml:40:5: C309 [warning] case-manager assignment 2 (`cm-jlee`) was not the member's choice and does not say whether it meets the preferences the member voiced; add `preferences_met: true`, or `preference_unmet_reason` saying why they could not be met
sample_cases/members/M-000644/notes/2026-06-16.yaml:9:1: N801 [warning] this note records progress on no goal of plan P1 (in effect on 2026-06-16); add a `progress` entry naming the goal it relates to
sample_cases/members/M-000644/notes/2026-09-09.yaml:16:7: P407 [warning] this note's `text` uses deficit language (`refuses`); describe the person and what happened in respectful, person-first words
sample_cases/members/M-000644/plan-2026-03-10.yaml:5:7: T201 [error] the next review was due on 2026-09-10 (plan date 2026-03-10 + 6 months); hold the review with the member and record it under `reviews`
sample_cases/members/M-000644/plan-2026-03-10.yaml:110:15: C302 [warning] the provider of support SP3 (a paid support) has not signed the plan; add a `role: provider` signature with its name and `signed_on`
sample_cases/members/M-000644/plan-2026-03-10.yaml:121:18: P402 [warning] the `description` of support SP4 calls the member by their legal first name; use the name they go by (`name.preferred` in member.yaml)
sample_cases/members/M-000644/plan-2026-03-10.yaml:144:5: H501 [error] rights modification RM1 does not document the less intrusive methods tried (`less_intrusive_methods`)
sample_cases/members/M-000644/plan-2026-03-10.yaml:156:16: A608 [warning] plan P1, in effect, names `cm-obello` to monitor it, but the member's case manager on 2026-11-22 is `cm-jlee`; write `responsible: case_manager` (whoever is assigned) or the current case manager's staff id
sample_cases/members/M-000644/plan-2026-03-10.yaml:158:7: T205 [warning] the face_to_face contact due by 2026-05-08 under plan P1 (every 1 month since the last face_to_face contact on 2026-04-08) came late, on 2026-08-12, 4 due dates missed (the latest 2026-08-08); a closed gap, kept as history
sample_cases/members/M-000644/plan-2026-03-10.yaml:167:58: T207 [warning] the member's copy was given on 2026-04-15, 36 days after consent (2026-03-10, `signatures[0]`); copies are due within 15 days
sample_cases/members/M-000644/plan-2026-03-10.yaml:167:95: C304 [warning] the member's copy is in `en` but the member prefers `es`; give a copy in the member's language
sample_cases/members/M-000715/notes/2026-10-05.yaml:13:5: L110 [warning] the unmet need raised in this note (2026-10-05) is not taken up by the next review (2026-10-15) nor since; add to that review's `unmet_needs` an entry with `raised_on: 2026-10-05` and a `goal`, a `referral` or the reason it is `deferred`
sample_cases/members/M-000715/plan-2026-03-24.yaml:109:7: T205 [error] no phone contact since the last face_to_face contact on 2026-10-15; one was due by 2026-11-15 under plan P1 (every 1 month) and none is recorded up to today (2026-11-22); make the contact and record it in a note
sample_cases/members/M-000715/plan-2026-03-24.yaml:112:5: P411 [warning] the review of 2026-09-10 does not record the member's own view of how the plan is working; add `member_view:` with what they said, or record `satisfaction` in the note of that day's contact with them
sample_cases/members/M-000715/plan-2026-10-15.yaml:51:5: L105 [warning] active goal G3's supports all ended by 2026-10-31; none works toward it now
sample_cases/members/M-000715/plan-2026-10-15.yaml:88:5: C308 [error] plan P2 reduces paid support `SP2` of plan P1 on 2026-10-15: it ends earlier (2027-01-31, was 2027-03-23); no notice to the member is recorded, and it was due by 2026-10-05 (10 days before the change): record it under `notices` (`support: SP2`, `given_on`, `method`), or `requested_by_member: true` if the member asked for the change
sample_cases/members/M-000715/plan-2026-10-15.yaml:157:1: T213 [warning] plan P2, dated 2026-10-15, has been awaiting the signature of the member or a legal representative for 38 days (at most 30); until it is signed the older plan stays in effect
sample_cases/members/M-000788/notes/2026-06-24.yaml:4:7: X702 [error] this note is dated 2026-06-24, after the case closed on 2026-03-30 (closure-2026-03-30.yaml) and before the member was enrolled again on 2026-07-13; correct the date, or reopen the case with a new enrollment (`programs[].enrolled_on`) first
sample_cases/members/M-000823/member.yaml:23:5: A607 [error] the enrollment in program `HCBS-EBD` (programs entry 1) does not record on what basis (`basis`)
sample_cases/members/M-000823/member.yaml:38:5: T214 [warning] no contact since the contact of 2026-10-21 while the member is on hold; one was due by 2026-11-20 (every 30 days while a hold is open, collateral contacts count); contact the member or someone on their behalf and record it in a note
sample_cases/members/M-000823/member.yaml:38:5: T214 [warning] no contact while on hold from the contact of 2026-09-16 until 2026-10-21; one was due by 2026-10-16 (every 30 days while a hold is open); a closed gap, kept as history
sample_cases/members/M-000823/plan-2026-04-06.yaml:5:7: T201 [error] the next review was due on 2026-10-06 (plan date 2026-04-06 + 6 months); hold the review with the member and record it under `reviews`
sample_cases/members/M-000823/plan-2026-04-06.yaml:47:9: L112 [warning] objective G2.1 of goal G2 does not say how progress is measured (`measure`)
sample_cases/members/M-000823/plan-2026-04-06.yaml:71:18: H503 [warning] the `description` of support SP2 describes a restriction (`locked`) that no rights modification of this plan documents; document the limit under `rights_modifications` and name its id here, or say it in other words if no right is limited
Found 44 findings (25 errors, 19 warnings) in 96 files (repository: sample_cases).
"""


def test_readme_main_command_on_sample_cases(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = CliRunner().invoke(app, ["check", "--today", "2026-11-22", "-f", "concise", "sample_cases"])
    assert result.exit_code == 1
    assert result.output == EXPECTED


def test_reference_repository_in_shared_checks_clean(monkeypatch, tmp_path):
    reference = SHARED / "examples" / "riverside"
    if not reference.is_dir():
        pytest.skip(f"{reference} is absent (it exists beside the project in the team's checkout and CI)")
    copy = tmp_path / "riverside"
    shutil.copytree(reference, copy)  # checked from a copy: pcplan never needs to write, but be sure
    result = check([copy], Options(today=date(2026, 11, 22)), cwd=copy)
    assert result.findings == [] and result.members == 3 and result.files == 29


def test_sample_cases_clean_members_match_the_reference():
    reference = SHARED / "examples" / "riverside"
    if not reference.is_dir():
        pytest.skip(f"{reference} is absent (it exists beside the project in the team's checkout and CI)")
    for folder, _, files in os.walk(reference):
        for name in files:
            source = os.path.join(folder, name)
            copy = PROJECT / "sample_cases" / os.path.relpath(source, reference)
            if copy == PROJECT / "sample_cases" / "staff.yaml":
                # the reference's staff, then one case manager who has left (A609 in M-000412)
                assert copy.read_bytes().startswith(Path(source).read_bytes()), copy
                continue
            assert copy.read_bytes() == Path(source).read_bytes(), copy


# -- what the lifecycle samples demonstrate (README, sample section) ---------------------------------------------

SAMPLE_TODAY = date(2026, 11, 22)


def sample_case(member: str, *, leave_out: str | None = None, root=None):
    """A sample member's folder as a Case (``leave_out``: a file name to read the folder without)."""
    from pcplan.model import Case, Document

    base = root if root is not None else PROJECT / "sample_cases"
    folder = base / "members" / member
    return Case(folder, [Document.load(p, p.relative_to(base).as_posix()) for p in sorted(folder.rglob("*.yaml"))
                         if p.name != leave_out])


def contacts(life) -> tuple[list[tuple], dict]:
    misses, upcoming = life.contact_schedule()
    return ([(m.kind, m.due, m.under.plan.id, m.late_note, m.gap_end) for m in misses],
            {u.kind: (u.due, u.under.plan.id) for u in upcoming})


def sample_findings(member: str) -> list[tuple[str, str]]:
    result = check([PROJECT / "sample_cases" / "members" / member], Options(today=SAMPLE_TODAY), cwd=PROJECT)
    return sorted((f.code, f.path.rsplit("/", 1)[-1]) for f in result.findings)


def test_m000715_an_unsigned_revision_hides_nothing_the_plan_in_effect_asks():
    from pcplan.facts.lifecycle import DRAFT, IN_EFFECT, lifecycle

    life = lifecycle(sample_case("M-000715"), SAMPLE_TODAY)
    first, draft = life.plans
    assert (first.plan.id, life.state(first), first.consent_on) == ("P1", IN_EFFECT, date(2026, 3, 24))
    assert (draft.plan.id, life.state(draft), draft.consent_on) == ("P2", DRAFT, None)
    assert life.in_effect() is first and life.drafts() == [draft]
    # The phone contact P1 asks for every month is overdue, and the draft's own schedule (every 2 weeks) is not
    # in force: the contacts are exactly what they are with the draft left out of the folder.
    expected = ([("phone", date(2026, 11, 15), "P1", None, SAMPLE_TODAY)],
                {"face_to_face": (date(2027, 1, 15), "P1"), "phone": (date(2026, 11, 15), "P1")})
    assert contacts(life) == expected
    assert contacts(lifecycle(sample_case("M-000715", leave_out="plan-2026-10-15.yaml"), SAMPLE_TODAY)) == expected
    # The change in condition (assessment A2) was answered by the review held under P1 on the day of the draft.
    (change,) = life.significant_changes(30)
    assert (change.assessment.id, change.answered_on) == ("A2", date(2026, 10, 15))
    # Besides: the draft shortens a paid support without notice (C308), its goal G3 has no support left (L105),
    # the need raised on 2026-10-05 was not taken up at the review (L110), which lacks Lan's own view (P411).
    # Its signatures and copies wait for consent (C301-C304, C310): T213 alone says it has waited too long.
    assert sample_findings("M-000715") == [
        ("C308", "plan-2026-10-15.yaml"),
        ("L105", "plan-2026-10-15.yaml"), ("L110", "2026-10-05.yaml"), ("P411", "plan-2026-03-24.yaml"),
        ("T205", "plan-2026-03-24.yaml"), ("T213", "plan-2026-10-15.yaml")]


def test_m000788_closed_and_re_enrolled_is_judged_in_its_second_episode():
    from pcplan.facts.lifecycle import EXPIRED, IN_EFFECT, lifecycle

    life = lifecycle(sample_case("M-000788"), SAMPLE_TODAY)
    first, second = life.episodes
    assert (first.enrolled_on, first.closed_on, first.closure.path.name) == \
        (date(2025, 10, 6), date(2026, 3, 30), "closure-2026-03-30.yaml")
    assert (second.enrolled_on, second.closed, second.begins_after) == (date(2026, 7, 13), False, date(2026, 3, 30))
    assert life.current_episode is second and not life.closed
    old, new = life.plans
    assert (old.plan.id, old.episode, life.state(old)) == ("P1", first, EXPIRED)
    assert (new.plan.id, new.episode, life.state(new)) == ("P2", second, IN_EFFECT)
    assert life.in_effect() is new
    assert contacts(life) == ([], {"face_to_face": (date(2026, 11, 26), "P2")})
    # Its one mistake: the call logged between the closure and the new enrollment.
    assert sample_findings("M-000788") == [("X702", "2026-06-24.yaml")]


def test_m000823_on_hold_pauses_contacts_but_not_the_review(tmp_path):
    from pcplan.facts.lifecycle import IN_EFFECT, lifecycle

    life = lifecycle(sample_case("M-000823"), SAMPLE_TODAY)
    (hold,) = life.holds
    assert (life.status, hold.start, hold.end, life.on_hold(SAMPLE_TODAY)) == \
        ("on_hold", date(2026, 9, 14), None, True)
    record = life.in_effect()
    assert (record.plan.id, life.state(record)) == ("P1", IN_EFFECT)
    # The last phone or visit was on 2026-08-26, yet nothing is missed and nothing is due while the hold lasts.
    assert max(n.date for n in life.case.notes if n.get("contact") in ("phone", "face_to_face")) == date(2026, 8, 26)
    assert contacts(life) == ([], {})
    # The review keeps running: due 2026-10-06, overdue today.
    assert life.review_schedule(record, 12).due == date(2026, 10, 6)
    # But a hold is not a way to lose someone (T214): some contact, collateral counting, is due every 30 days
    # while it lasts; the call of 2026-10-21 came 35 days after the one of 2026-09-16 (a closed gap, history),
    # and nothing since was due by 2026-11-20. His hospital stay is an institutional hold (`kind: hospital`).
    assert (hold.kind, hold.institutional) == ("hospital", True)
    # Besides: no eligibility basis (A607), an objective without a measure (L112), a restriction with no rights
    # modification (H503).
    assert sample_findings("M-000823") == [("A607", "member.yaml"), ("H503", "plan-2026-04-06.yaml"),
                                           ("L112", "plan-2026-04-06.yaml"), ("T201", "plan-2026-04-06.yaml"),
                                           ("T214", "member.yaml"), ("T214", "member.yaml")]
    # Without the hold the same notes miss the monthly phone contact (so the hold is what pauses it).
    copy = tmp_path / "sample_cases"
    shutil.copytree(PROJECT / "sample_cases" / "members" / "M-000823", copy / "members" / "M-000823")
    member = copy / "members" / "M-000823" / "member.yaml"
    text = member.read_text(encoding="utf-8")
    member.write_text(text[:text.index("holds:\n")] + "status: active\n", encoding="utf-8")
    unpaused = lifecycle(sample_case("M-000823", root=copy), SAMPLE_TODAY)
    assert [(m.kind, m.due) for m in unpaused.contact_schedule()[0]] == \
        [("face_to_face", date(2026, 10, 1)), ("phone", date(2026, 9, 26))]
