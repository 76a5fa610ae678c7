"""T201–T208: each rule fires at the exact node on a one-edit copy of the reference (or on a chosen
today), and not on the clean one."""

from __future__ import annotations

from datetime import date

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_NOTE, ELENA_PLAN, at, only

ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"
ELENA_NOTE_OCT29 = "members/M-000123/notes/2026-10-29.yaml"
ELENA_NOTE_NOV18 = "members/M-000123/notes/2026-11-18.yaml"
DANNY_ASSESSMENT = "members/M-000207/assessment-2026-05-06.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"
ABDI_MEMBER = "members/M-000301/member.yaml"
ABDI_CLOSURE = "members/M-000301/closure.yaml"
ABDI_ASSESSMENT = "members/M-000301/assessment-2026-01-20.yaml"

ELENA_COPY = "{to: Elena, role: member, copy_given: true, given_on: 2026-09-10,"
ROSA_COPY = "{to: Rosa Ruiz, role: supporter, copy_given: true, given_on: 2026-09-10,"
GRACE_COPY = "{to: Grace Kim, role: representative, copy_given: true, given_on: 2026-05-28,"


def t(findings, code: str | None = None) -> list:
    return [f for f in findings if f.code.startswith(code or "T")]


def reopen_abdi(repo) -> None:
    """Abdi's case as if it had never closed."""
    repo.path(ABDI_CLOSURE).unlink()
    repo.edit(ABDI_MEMBER, "status: closed\n", "status: active\n")


def test_reference_members_have_no_timeliness_findings(repo):
    assert t(repo.check()) == []
    assert t(repo.check(today=date(2026, 12, 1))) == []  # the day before Elena's face-to-face visit is due


# T201 review-overdue

def test_t201_elena_review_overdue_from_the_plan_date(repo):
    finding = only(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))
    assert finding.severity == "error"
    assert "due on 2027-03-03 (plan date 2026-09-03 + 6 months)" in finding.message


def test_t201_not_yet_due(repo):
    assert t(repo.check(ELENA, today=date(2027, 3, 3), select=("T201",))) == []


def test_t201_counts_from_the_last_review_not_the_plan_date(repo):
    repo.edit(ELENA_PLAN, "reviews: []",
              "reviews:\n  - {date: 2026-12-10, by: cm-jlee, outcome: continue}\n"
              "  - {date: 2027-02-20, by: cm-jlee, outcome: continue}")
    assert t(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",))) == []  # due 2027-08-20
    finding = only(repo.check(ELENA, today=date(2027, 8, 21), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2027-02-20"))
    assert "due on 2027-08-20 (last review 2027-02-20 + 6 months)" in finding.message


def test_t201_danny_review_from_his_last_review(repo):
    findings = t(repo.check(today=date(2027, 2, 6), select=("T201",)))
    assert [at(f) for f in findings] == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-05, by"))]
    assert t(repo.check(today=date(2027, 2, 5), select=("T201",))) == []


def test_t201_without_review_every_uses_the_agency_interval(repo):
    repo.edit(ELENA_PLAN, "  review_every: 6 months\n", "")
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-10")  # T202's business, not T201's
    assert t(repo.check(ELENA, today=date(2027, 9, 3), select=("T201",))) == []  # due 2027-09-03
    finding = only(repo.check(ELENA, today=date(2027, 9, 4), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))
    assert "due on 2027-09-03 (plan date 2026-09-03 + 12 months" in finding.message
    assert "`monitoring.review_every` is missing or unreadable" in finding.message


def test_t201_counts_from_consent_when_the_member_signed_after_the_plan_date(repo):
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}",
              "  - {role: member, name: Elena, signed_on: 2026-09-12, method: wet}")
    assert t(repo.check(ELENA, today=date(2027, 3, 12), select=("T201",))) == []
    finding = only(repo.check(ELENA, today=date(2027, 3, 13), select=("T201",)), "T201")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{role: member, name: Elena"))
    assert "due on 2027-03-12 (consent 2026-09-12 + 6 months)" in finding.message


def test_t201_leaves_an_ended_plan_to_t211(repo):
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2026-11-20")
    assert t(repo.check(select=("T201",))) == []
    finding = only(repo.check(ELENA, select=("T201", "T211")), "T211")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2026-11-20", offset=8))


def test_t201_not_for_a_closed_member(repo):
    # Abdi's last review 2026-08-03 + 6 months = 2027-02-03: overdue by 2027-01-20, but his case is closed
    assert t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)), "T201") == []
    reopen_abdi(repo)
    findings = t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)))
    assert [at(f) for f in findings] == []  # 2027-02-03 not yet
    findings = t(repo.check(ABDI, today=date(2027, 2, 1), select=("T201",)))
    assert findings == []
    repo.edit(ABDI_PLAN, "2026-08-03, by", "2026-07-03, by")
    findings = t(repo.check(ABDI, today=date(2027, 1, 20), select=("T201",)))
    assert [at(f) for f in findings] == [(ABDI_PLAN, *repo.locate(ABDI_PLAN, "2026-07-03, by"))]


def test_t201_not_for_a_member_whose_status_is_closed(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "status: closed\n")
    assert t(repo.check(ELENA, today=date(2027, 6, 1), select=("T201",))) == []


# T202 review-interval-too-long

def test_t202_review_every_longer_than_12_months(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 18 months")
    finding = only(repo.check(), "T202")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "18 months"))
    assert "18 months" in finding.message and "12 months" in finding.message


def test_t202_review_every_of_12_months_or_53_weeks(repo):
    repo.edit(ELENA_PLAN, "review_every: 6 months", "review_every: 12 months")
    assert "T202" not in repo.codes()
    repo.edit(ELENA_PLAN, "review_every: 12 months", "review_every: 53 weeks")
    assert at(only(repo.check(), "T202")) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "53 weeks"))


def test_t202_effective_period_longer_than_12_months(repo):
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-04")
    finding = only(repo.check(), "T202")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2027-09-04", offset=8))
    assert "2026-09-03 to 2027-09-04" in finding.message


def test_t202_effective_period_of_exactly_12_months_passes(repo):
    # the reference's 2026-09-03 → 2027-09-02 passes (clean); so does the anniversary itself
    repo.edit(ELENA_PLAN, "\n  end: 2027-09-02", "\n  end: 2027-09-03")
    assert "T202" not in repo.codes()


def test_t202_follows_the_agency_interval(repo):
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace("review_interval_months = 12",
                                                               "review_interval_months = 4"))
    findings = t(repo.check(), "T202")
    # Elena: 6 months and a 12-month period; Danny: a 12-month period (3 months is fine)
    assert sorted(at(f) for f in findings) == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "6 months")),
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\n  end: 2027-09-02", offset=8)),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "\n  end: 2027-05-19", offset=8)),
        (ABDI_PLAN, *repo.locate(ABDI_PLAN, "6 months")),
        (ABDI_PLAN, *repo.locate(ABDI_PLAN, "\n  end: 2027-02-01", offset=8)),
    ])


# T203 assessment-stale

def test_t203_assessment_older_than_90_days(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-04")
    finding = only(repo.check(), "T203")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))
    assert "A1" in finding.message and "91 days" in finding.message


def test_t203_exactly_90_days_passes(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-05")
    assert "T203" not in repo.codes()


# T204 target-date-passed

def test_t204_objective_target_date_passed(repo):
    findings = t(repo.check(today=date(2027, 1, 15)), "T204")
    assert sorted(at(f) for f in findings) == sorted([
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "target_date: 2026-12-31", offset=13)),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "target_date: 2026-12-31", offset=13)),
    ])
    assert all(f.severity == "warning" and "G1.1" in f.message for f in findings)


def test_t204_goal_target_date_passed(repo):
    repo.edit(ELENA_PLAN, "target_date: 2027-03-31", "target_date: 2026-11-01")
    finding = only(repo.check(), "T204")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "target_date: 2026-11-01", offset=13))
    assert "G1" in finding.message and "2026-11-01" in finding.message


def test_t204_target_date_today_has_not_passed(repo):
    repo.edit(ELENA_PLAN, "target_date: 2027-03-31", "target_date: 2026-11-22")
    assert "T204" not in repo.codes()


def test_t204_achieved_goal_and_its_objectives_are_not_checked(repo):
    repo.edit(ELENA_PLAN, "    target_date: 2027-03-31\n    status: active\n",
              "    target_date: 2026-11-01\n    status: achieved\n")
    repo.edit(ELENA_PLAN, "        target_date: 2026-12-31\n", "        target_date: 2026-10-31\n")
    assert "T204" not in repo.codes()


def test_t204_achieved_objective_is_not_checked(repo):
    repo.edit(ELENA_PLAN, "        target_date: 2026-12-31\n",
              "        target_date: 2026-10-31\n        status: achieved\n")
    assert "T204" not in repo.codes()


def test_t204_not_for_a_closed_member(repo):
    repo.edit(ELENA_MEMBER, "status: active\n", "status: closed\n")
    assert [f.path for f in t(repo.check(today=date(2027, 1, 15)), "T204")] == [DANNY_PLAN]


# T205 contact-frequency-missed

def test_t205_reference_notes_meet_the_agreed_contacts(repo):
    # Elena: phone due 10-03 (10-01), 11-01 (10-29 face_to_face), 11-29 (11-18); face_to_face due 12-03 (10-29).
    # Danny: phone monthly from 05-20, face_to_face every 3 months; Abdi: face_to_face monthly until closure.
    assert t(repo.check(today=date(2026, 12, 3)), "T205") == []


def test_t205_a_face_to_face_visit_meets_a_phone_requirement(repo):
    # The 10-29 visit is what meets the phone contact due by 11-01; made a letter, it no longer counts.
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: written")
    finding = only(repo.check(), "T205")  # a closed gap: at the plan's phone entry, the late note related
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.severity == "warning"
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        (ELENA_NOTE_NOV18, *repo.locate(ELENA_NOTE_NOV18, "date: 2026-11-18", offset=6))]
    assert finding.message.startswith("the phone contact due by 2026-11-01 under plan P1 (every 1 month since the "
                                      "last phone contact on 2026-10-01) came late, on 2026-11-18")


def test_t205_a_video_contact_meets_a_phone_requirement(repo):
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: video")
    assert "T205" not in repo.codes()


def test_t205_first_contact_counted_from_the_plan_date(repo):
    repo.edit(ELENA_NOTE, "date: 2026-10-01", "date: 2026-10-05")
    finding = only(repo.check(), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [r.path for r in finding.related] == [ELENA_NOTE]
    assert "due by 2026-10-03 under plan P1 (every 1 month since plan P1 took effect on 2026-09-03" in finding.message


def test_t205_the_gap_up_to_today(repo):
    assert t(repo.check(ELENA, today=date(2026, 12, 18)), "T205") == []  # a contact on the due date would be on time
    finding = only(repo.check(ELENA, today=date(2026, 12, 19)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.message.startswith("no phone contact since the last phone contact on 2026-11-18; one was due by 2026-12-18")


def test_t205_face_to_face_gap(repo):
    repo.edit(ELENA_NOTE_OCT29, "contact: face_to_face", "contact: phone")
    finding = only(repo.check(today=date(2026, 12, 4)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: face_to_face, every: 3 months}"))
    assert "no face_to_face contact since plan P1 took effect on 2026-09-03; one was due by 2026-12-03 under plan P1" in finding.message


def test_t205_a_closed_case_stops_at_the_closure_date(repo):
    # Abdi's last visit 09-28, next due 10-28; the case closed 10-15.
    assert t(repo.check(ABDI, today=date(2027, 6, 1)), "T205") == []
    repo.edit(ABDI_CLOSURE, "date: 2026-10-15", "date: 2026-10-30")
    finding = only(repo.check(ABDI, select=("T205",)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert "due by 2026-10-28" in finding.message and "closure (2026-10-30)" in finding.message


def test_t205_closed_status_without_a_closure_date_checks_only_between_contacts(repo):
    repo.path(ABDI_CLOSURE).unlink()  # status: closed stays
    assert t(repo.check(ABDI, select=("T205",))) == []
    repo.edit("members/M-000301/notes/2026-08-31.yaml", "date: 2026-08-31", "date: 2026-09-10")
    finding = only(repo.check(ABDI, select=("T205",)), "T205")  # 09-10 came after the visit due by 09-03
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        ("members/M-000301/notes/2026-08-31.yaml", *repo.locate("members/M-000301/notes/2026-08-31.yaml",
                                                               "2026-09-10"))]


def test_t205_an_open_case_runs_to_today(repo):
    reopen_abdi(repo)
    finding = only(repo.check(select=("T205",)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: face_to_face, every: 1 month}"))
    assert "due by 2026-10-28" in finding.message and "today (2026-11-22)" in finding.message


def test_t205_month_arithmetic_from_january_31(repo):
    """A plan dated 2027-01-31 with monthly phone contact: the first is due on 2027-02-28."""
    repo.edit(ELENA_PLAN, "\ndate: 2026-09-03", "\ndate: 2027-01-31")
    repo.edit(ELENA_PLAN, "start: 2026-09-03", "start: 2027-01-31")
    repo.edit(ELENA_PLAN, "signed_on: 2026-09-03", "signed_on: 2027-01-31", count=2)
    # earlier notes do not count, and none is due yet
    assert t(repo.check(ELENA, today=date(2027, 2, 28), select=("T205",))) == []
    finding = only(repo.check(ELENA, today=date(2027, 3, 1), select=("T205",)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert "since plan P1 took effect on 2027-01-31; one was due by 2027-02-28" in finding.message
    late = "members/M-000123/notes/2027-03-01.yaml"
    repo.write(late, repo.read(ELENA_NOTE).replace("date: 2026-10-01", "date: 2027-03-01"))
    finding = only(repo.check(ELENA, today=date(2027, 3, 2), select=("T205",)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [(late, *repo.locate(late, "2027-03-01"))]
    assert "due by 2027-02-28 under plan P1 (every 1 month since plan P1 took effect on 2027-01-31" in finding.message
    repo.write(late, repo.read(ELENA_NOTE).replace("date: 2026-10-01", "date: 2027-02-28"))
    assert t(repo.check(ELENA, today=date(2027, 3, 28), select=("T205",))) == []  # 2027-02-28 + 1 month


def test_t205_notes_before_the_plan_do_not_count(repo):
    """A new plan restarts the clock: a visit a week before it does not meet its first face-to-face due."""
    repo.edit(ELENA_NOTE_OCT29, "date: 2026-10-29", "date: 2026-08-27")
    findings = t(repo.check(), "T205")
    # phone: due 11-01 after the 10-01 call; the next is 11-18, late (a closed gap at the phone entry)
    assert [at(f) for f in findings] == [(ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))]
    assert [r.path for f in findings for r in f.related] == [ELENA_NOTE_NOV18]


# T206 chronology

def test_t206_a_signature_before_the_meeting(repo):
    repo.edit(ELENA_PLAN, "{role: member, name: Elena, signed_on: 2026-09-03",
              "{role: member, name: Elena, signed_on: 2026-09-01")
    finding = only(repo.check(), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-09-01"))
    assert "`meeting.date`" in finding.message and "2026-09-03" in finding.message


def test_t206_a_meeting_before_the_assessment(repo):
    repo.edit(ELENA_PLAN, "  date: 2026-09-03\n  place:", "  date: 2026-08-19\n  place:")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-08-19"))
    assert "assessment A1" in finding.message and "2026-08-20" in finding.message


def test_t206_a_copy_before_a_later_provider_signature_is_in_order(repo):
    # DESIGN.md "Copies": judged from consent (2026-09-03); a provider who signs later does not move them
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-09"))
    assert [f for f in repo.check(select=("T206",)) if f.code == "T206"] == []


def test_t206_a_copy_before_consent(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-02"))
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-09-02"))
    assert "the plan's consent (2026-09-03, `signatures[0]`)" in finding.message


def test_t206_a_note_before_enrollment(repo):
    repo.edit(ELENA_NOTE, "date: 2026-10-01", "date: 2026-07-30")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_NOTE, *repo.locate(ELENA_NOTE, "2026-07-30"))
    assert "2026-08-03" in finding.message and "`programs[0].enrolled_on`" in finding.message


def test_t206_a_plan_before_enrollment(repo):
    repo.edit(ELENA_MEMBER, "enrolled_on: 2026-08-03", "enrolled_on: 2026-09-05")
    finding = only(repo.check(select=("T206",)), "T206")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "\ndate: 2026-09-03", offset=7))


def test_t206_a_future_note_date(repo):
    repo.edit(ELENA_NOTE_NOV18, "date: 2026-11-18", "date: 2026-11-25")
    finding = only(repo.check(), "T206")
    assert at(finding) == (ELENA_NOTE_NOV18, *repo.locate(ELENA_NOTE_NOV18, "2026-11-25"))
    assert "after today (2026-11-22)" in finding.message
    assert t(repo.check(today=date(2026, 11, 25), select=("T206",))) == []


def test_t206_future_event_dates_in_every_kind(repo):
    repo.edit(DANNY_PLAN, "      on: 2026-05-20", "      on: 2026-12-01")
    repo.edit(DANNY_PLAN, "{date: 2026-11-05, by: cm-obello", "{date: 2026-11-30, by: cm-obello")
    repo.edit(DANNY_MEMBER, "choice_of_case_manager_offered_on: 2025-12-15",
              "choice_of_case_manager_offered_on: 2027-04-01")
    repo.edit(ABDI_CLOSURE, "for: Intermediate English classes, on: 2026-10-15",
              "for: Intermediate English classes, on: 2027-10-15")
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2027-08-20")
    findings = t(repo.check(select=("T206",)))
    assert sorted(at(f) for f in findings) == sorted([
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-12-01")),
        (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-30")),
        (DANNY_MEMBER, *repo.locate(DANNY_MEMBER, "2027-04-01")),
        (ABDI_CLOSURE, *repo.locate(ABDI_CLOSURE, "2027-10-15")),
        (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "2027-08-20")),
        # and the meeting is now before its assessment
        (ELENA_PLAN, *repo.locate(ELENA_PLAN, "  date: 2026-09-03\n  place:", offset=8)),
    ])
    messages = {f.message.split(" is ")[0] for f in findings if "after today" in f.message}
    assert messages == {"`rights_modifications[0].consent.on`", "`reviews[1].date`",
                        "`choice_of_case_manager_offered_on`", "`referrals[1].on`", "`date`"}


def test_t206_planned_dates_may_be_in_the_future(repo):
    # target dates, effective.end, support ends and review_by are in 2027 in the reference
    assert t(repo.check(today=date(2026, 11, 22)), "T206") == []


# T207 copy-late

def test_t207_member_copy_given_30_days_after_consent(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-10-03"))  # consent: 2026-09-03
    finding = only(repo.check(), "T207")
    assert finding.severity == "warning"
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "2026-10-03"))
    assert "member's copy" in finding.message and "30 days" in finding.message and "15 days" in finding.message


def test_t207_within_15_days_passes(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-09-18"))  # 15 days after consent
    assert "T207" not in repo.codes()


def test_t207_representative_copy(repo):
    repo.edit(DANNY_PLAN, GRACE_COPY, GRACE_COPY.replace("2026-05-28", "2026-07-01"))
    finding = only(repo.check(), "T207")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-07-01"))
    assert "representative's copy" in finding.message and "42 days" in finding.message  # guardian signed 05-20


def test_t207_supporters_and_copies_not_given_are_not_checked(repo):
    repo.edit(ELENA_PLAN, ROSA_COPY, ROSA_COPY.replace("2026-09-10", "2026-10-10"))
    repo.edit(DANNY_PLAN, GRACE_COPY, GRACE_COPY.replace("copy_given: true, given_on: 2026-05-28",
                                                         "copy_given: false, given_on: 2026-07-01"))
    assert "T207" not in [f.code for f in repo.check(select=("T207",))]


def test_t207_follows_the_agency_deadline(repo):
    repo.edit(ELENA_PLAN, ELENA_COPY, ELENA_COPY.replace("2026-09-10", "2026-10-03"))
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace("copy_deadline_days = 15", "copy_deadline_days = 30"))
    assert "T207" not in repo.codes()


# T208 reassessment-due

def test_t208_an_old_assessment(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2025-10-01")
    finding = only(repo.check(select=("T208",)), "T208")
    assert at(finding) == (ELENA_ASSESSMENT, *repo.locate(ELENA_ASSESSMENT, "2025-10-01"))
    assert "A1" in finding.message and "due by 2026-10-01" in finding.message


def test_t208_danny_due_on_the_anniversary(repo):
    assert t(repo.check(today=date(2027, 5, 6)), "T208") == []
    finding = only(repo.check(today=date(2027, 5, 7), select=("T208",)), "T208")
    assert at(finding) == (DANNY_ASSESSMENT, *repo.locate(DANNY_ASSESSMENT, "2026-05-06"))


def test_t208_the_latest_assessment_counts(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2025-10-01")
    newer = "members/M-000123/assessment-2026-11-01.yaml"
    repo.write(newer, repo.read(ELENA_ASSESSMENT).replace("id: A1", "id: A2")
               .replace("date: 2025-10-01", "date: 2026-11-01").replace("type: initial", "type: annual"))
    assert t(repo.check(select=("T208",))) == []


def test_t208_not_for_a_closed_member(repo):
    # Abdi's assessment 2026-01-20 is more than 12 months old on 2027-06-01
    assert t(repo.check(ABDI, today=date(2027, 6, 1), select=("T208",))) == []
    reopen_abdi(repo)
    finding = only(repo.check(ABDI, today=date(2027, 6, 1), select=("T208",)), "T208")
    assert at(finding) == (ABDI_ASSESSMENT, *repo.locate(ABDI_ASSESSMENT, "2026-01-20"))


def test_t208_no_assessment_at_all(repo):
    repo.path(ELENA_ASSESSMENT).unlink()
    assert t(repo.check(ELENA, today=date(2027, 10, 1), select=("T208",))) == []


# Data of the wrong shape (the schema reports it) never crashes a T-rule

def test_wrong_shapes_never_crash(repo):
    text = repo.read(ELENA_PLAN)
    text = text.replace("monitoring:\n  responsible: cm-jlee\n", "monitoring:\n  responsible: [cm-jlee]\n")
    text = text.replace("    - {type: phone, every: 1 month}\n", "    - {type: [phone], every: {n: 1}}\n    - 7\n")
    text = text.replace("reviews: []", "reviews: [3, {date: [2026-10-01]}, {date: 2026-02-30}]")
    text = text.replace("effective:\n  start: 2026-09-03\n  end: 2027-09-02\n", "effective: [2026-09-03]\n")
    text = text.replace("    target_date: 2027-03-31\n", "    target_date: {d: 1}\n    objectives: 5\n", 1)
    text = text.replace("meeting:\n  date: 2026-09-03\n", "meeting:\n  date: [2026-09-03]\n")
    text = text.replace("exceptions: []", "exceptions: {on: 2030-01-01}")
    text = text.replace("distribution:\n",
                        "distribution:\n  - {role: [member], copy_given: true, given_on: 2030-01-01}\n")
    repo.write(ELENA_PLAN, text)
    repo.edit(ELENA_MEMBER, "status: active\n", "status: [active]\n")
    repo.edit(ELENA_MEMBER, "    enrolled_on: 2026-08-03\n", "    enrolled_on: {date: 2026-08-03}\n")
    repo.edit(ELENA_NOTE, "contact: phone", "contact: [phone]")
    repo.edit(ABDI_CLOSURE, "exit_interview:\n  held_on: 2026-10-15\n", "exit_interview:\n  held_on: [1]\n")
    repo.edit(ABDI_CLOSURE, "referrals:\n", "referrals:\n  - 12\n  - {on: 2099-01-01}\n")
    repo.write("members/M-000207/notes/2026-12-01.yaml", "kind: note\nversion: 1\nmember: M-000207\ndate: [x]\n")
    for day in (date(2026, 11, 22), date(2028, 1, 1)):
        findings = repo.check(today=day)
        assert "E000" not in [f.code for f in findings]
    assert "T206" in [f.code for f in repo.check()]  # the 2030 copy and the 2099 referral
