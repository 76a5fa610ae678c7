"""Issue 13 (items 11, 12, 14): who took part in a contact (T205 and `due`), T203 on revisions, T206 judging
records of what happened and never planned dates. Each on a one-edit copy of the reference members."""

from __future__ import annotations

from datetime import date

from conftest import ABDI_PLAN, DANNY_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_PLAN, at, only
from test_lifecycle import ELENA_REVISION, reenroll_abdi, revision

ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"
ELENA_NOTE_NOV18 = "members/M-000123/notes/2026-11-18.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"
DANNY_NOTE_JUL16 = "members/M-000207/notes/2026-07-16.yaml"
DANNY_NOTE_OCT08 = "members/M-000207/notes/2026-10-08.yaml"
DANNY_NOTE_NOV05 = "members/M-000207/notes/2026-11-05.yaml"
ABDI_MEMBER = "members/M-000301/member.yaml"
ELENA_CONTACTS = "    - {type: face_to_face, every: 3 months}\n    - {type: phone, every: 1 month}\n"
NO_MEMBER = ("`with` does not name the member, and a contact with others only is collateral")


def t205(repo, *paths, today: date):
    return [f for f in repo.check(*paths, today=today, select=("T205",)) if f.code == "T205"]


def add_requirement(repo, path: str, line: str, after: str = "    - {type: phone, every: 1 month}\n") -> None:
    repo.edit(path, after, after + line)


def note(repo, member: str, day: str, contact: str, with_: str | None, like: str) -> str:
    """A new note of ``member`` on ``day``, copied from the note ``like`` (its goals and text)."""
    text = repo.read(like)
    old_day = text.split("\ndate: ", 1)[1].split("\n", 1)[0]
    old_contact = text.split("\ncontact: ", 1)[1].split("\n", 1)[0]
    old_with = "\nwith: " + text.split("\nwith: ", 1)[1].split("\n", 1)[0]
    text = text.replace(f"date: {old_day}", f"date: {day}").replace(f"contact: {old_contact}", f"contact: {contact}")
    text = text.replace(old_with, f"\nwith: {with_}" if with_ is not None else "")
    target = f"{member}/notes/{day}.yaml"
    repo.write(target, text)
    return target


# ---------------------------------------------------------------- item 11: who took part in a contact

def test_the_reference_notes_name_their_member_and_keep_counting(repo):
    # every reference note writes the preferred name (Elena, Danny, Abdi): all still meet their requirements
    assert t205(repo, today=date(2026, 12, 3)) == []
    # the exact name is what counts: an interpreter or a sister beside the member does not change it
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]", "with: [maria  ELENA ruiz (member)]")
    assert t205(repo, ELENA, today=date(2026, 12, 3)) == []
    repo.edit(ELENA_NOTE_NOV18, "with: [maria  ELENA ruiz (member)]", "with: [member]")
    assert t205(repo, ELENA, today=date(2026, 12, 3)) == []


def test_a_phone_call_with_the_sister_only_does_not_meet_the_monthly_phone_contact(repo):
    assert t205(repo, ELENA, today=date(2026, 11, 30)) == []  # the 11-18 call with Elena: phone due 12-18
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]", "with: [Rosa Ruiz]")
    assert t205(repo, ELENA, today=date(2026, 11, 29)) == []  # phone due 11-29 after the 10-29 visit
    finding = only(t205(repo, ELENA, today=date(2026, 11, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert finding.message == (
        "no phone contact since the last face_to_face contact on 2026-10-29; one was due by 2026-11-29 under "
        "plan P1 (every 1 month) and none is recorded up to today (2026-11-30); the contact on 2026-11-18 does "
        f"not count: {NO_MEMBER}; make the contact and record it in a note")
    assert "Rosa" not in finding.message


def test_a_note_that_does_not_say_who_took_part_meets_no_member_contact(repo):
    repo.edit(ELENA_NOTE_NOV18, "with: [Elena]\n", "")
    finding = only(t205(repo, ELENA, today=date(2026, 11, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert "the contact on 2026-11-18 does not count" in finding.message


def test_a_guardian_only_call_is_collateral_and_the_next_visit_is_late(repo):
    """Danny's phone call of 10-08 was with his mother and guardian only: the phone contact due 10-10 (a month
    after the 09-10 call) came with the 11-05 visit, late."""
    repo.edit(DANNY_NOTE_OCT08, "with: [Danny]", "with: [Grace Kim]")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")  # a closed gap: at the phone entry
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [
        (DANNY_NOTE_NOV05, *repo.locate(DANNY_NOTE_NOV05, "date: 2026-11-05", offset=6))]
    assert finding.message == (
        "the phone contact due by 2026-10-10 under plan P1 (every 1 month since the last phone contact on "
        "2026-09-10) came late, on 2026-11-05; the contact on 2026-10-08 does not count: "
        f"{NO_MEMBER}; a closed gap, kept as history")


def test_a_collateral_requirement_is_never_met_by_contacts_with_the_member_alone(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))
    assert finding.message == (
        "no collateral contact since plan P1 took effect on 2026-05-20; one was due by 2026-08-20 under plan P1 "
        "(every 3 months) and none is recorded up to today (2026-11-22), 2 due dates missed (the latest "
        "2026-11-20); the contacts on 2026-06-18, 2026-07-16, "
        "2026-08-13 and 3 more do not count: `with` names no one but the member (an interpreter aside), and a "
        "collateral contact is with someone else on the member's behalf; make the contact and record it in a note")


def test_a_call_with_the_guardian_meets_collateral_and_a_visit_with_member_and_guardian_meets_both(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    repo.edit(DANNY_NOTE_JUL16, "with: [Danny]", "with: [Danny, Grace Kim]")  # phone and collateral, due 10-16
    repo.edit(DANNY_NOTE_OCT08, "with: [Danny]", "with: [Grace Kim]")  # collateral only, due 2027-01-08
    found = t205(repo, DANNY, today=date(2026, 11, 22))
    phone = (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: phone, every: 1 month}"))
    assert [(at(f), f.severity) for f in found] == [(phone, "warning")]  # closed by the 11-05 visit
    assert [r.path for r in found[0].related] == [DANNY_NOTE_NOV05]
    assert "the phone contact due by 2026-10-10" in found[0].message  # the guardian call is no phone contact
    # the guardian call met the collateral contact: the next is due 2027-01-08, a day later it is missed
    # (the phone contact is due 12-05, open by then: an error at the same entry as the closed gap)
    assert [(at(f), f.severity) for f in t205(repo, DANNY, today=date(2027, 1, 8))] == [
        (phone, "error"), (phone, "warning")]
    later = t205(repo, DANNY, today=date(2027, 1, 9))
    assert sorted(at(f) for f in later) == sorted([
        phone, phone, (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))])
    collateral = next(f for f in later if f.message.startswith("no collateral"))
    assert collateral.message.startswith("no collateral contact since the last collateral contact on 2026-10-08; "
                                         "one was due by 2027-01-08")


def test_a_collateral_note_counts_as_collateral_unless_it_was_with_the_member_alone(repo):
    add_requirement(repo, DANNY_PLAN, "    - {type: collateral, every: 3 months}\n")
    added = note(repo, DANNY, "2026-08-01", "collateral", None, DANNY_NOTE_OCT08)  # with no one named
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")  # due 11-01 now, none since
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "{type: collateral, every: 3 months}"))
    assert "since the last collateral contact on 2026-08-01; one was due by 2026-11-01" in finding.message
    repo.edit(added, "contact: collateral", "contact: collateral\nwith: [Danny]")
    finding = only(t205(repo, DANNY, today=date(2026, 11, 22)), "T205")
    assert "since plan P1 took effect on 2026-05-20; one was due by 2026-08-20" in finding.message


def test_an_interpreter_is_neither_the_member_nor_a_collateral_contact(repo):
    """Abdi's visits were all with his interpreter: they meet his face-to-face contacts, never a collateral one."""
    add_requirement(repo, ABDI_PLAN, "    - {type: collateral, every: 2 months}\n",
                    after="    - {type: face_to_face, every: 1 month}\n")
    finding = only(t205(repo, ABDI, today=date(2026, 11, 22)), "T205")
    assert at(finding) == (ABDI_PLAN, *repo.locate(ABDI_PLAN, "{type: collateral, every: 2 months}"))
    assert finding.message.startswith("no collateral contact since plan P1 took effect on 2026-02-02; one was due "
                                      "by 2026-04-02 under plan P1 (every 2 months) and none is recorded up to the "
                                      "closure (2026-10-15)")
    # the interpreter alone is not the member either
    repo.edit("members/M-000301/notes/2026-09-28.yaml", "with: [Abdi, Hodan Ali (interpreter)]",
              "with: [Hodan Ali (interpreter)]")
    assert "the contact on 2026-09-28 does not count" in " ".join(f.message for f in t205(
        repo, ABDI, today=date(2026, 11, 22)))


def test_an_unsigned_draft_asking_for_collateral_changes_nothing(repo):
    revision(repo, contacts=ELENA_CONTACTS + "    - {type: collateral, every: 1 month}\n")
    assert t205(repo, ELENA, today=date(2027, 2, 10)) == t205(repo, ELENA_PLAN, today=date(2027, 2, 10))
    assert not any("collateral" in f.message for f in t205(repo, ELENA, today=date(2027, 2, 10)))


def test_across_a_revision_a_call_with_the_sister_only_does_not_stop_the_gap(repo):
    """P1's phone contact was due 12-18; the 12-15 call was with Rosa only. P2 (signed 2027-01-20) keeps
    the phone contact and adds a collateral one: the gap carries across and is reported at the 01-25 visit,
    under P1; Rosa's 02-01 call meets P2's collateral contact."""
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n",
             contacts=ELENA_CONTACTS + "    - {type: collateral, every: 1 month}\n")
    note(repo, ELENA, "2026-12-15", "phone", "[Rosa Ruiz]", ELENA_NOTE_NOV18)
    visit = note(repo, ELENA, "2027-01-25", "face_to_face", "[Elena]", ELENA_NOTE_NOV18)
    note(repo, ELENA, "2027-02-01", "phone", "[Rosa Ruiz]", ELENA_NOTE_NOV18)
    finding = only(t205(repo, ELENA, today=date(2027, 2, 21)), "T205")
    # closed: at the phone entry of P1, the plan the first missed due date was due under; the visit related
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: phone, every: 1 month}"))
    assert [(r.path, r.line, r.column) for r in finding.related] == [(visit, *repo.locate(visit, "2027-01-25"))]
    assert finding.message == (
        "the phone contact due by 2026-12-18 under plan P1 (every 1 month since the last phone contact on "
        "2026-11-18) came late, on 2027-01-25, 2 due dates missed (the latest 2027-01-18); the contact on "
        f"2026-12-15 does not count: {NO_MEMBER}; a closed gap, kept as history")
    # without Rosa's call P2's collateral contact, due a month after it took effect, is missed
    repo.path(f"{ELENA}/notes/2027-02-01.yaml").unlink()
    missed = [f for f in t205(repo, ELENA, today=date(2027, 2, 21)) if f != finding]
    assert [at(f) for f in missed] == [
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "{type: collateral, every: 1 month}"))]
    assert missed[0].message.startswith("no collateral contact since plan P2 took effect on 2027-01-20; one was "
                                        "due by 2027-02-20 under plan P2")


def test_a_hold_pauses_a_collateral_contact_too(repo):
    add_requirement(repo, ELENA_PLAN, "    - {type: collateral, every: 2 months}\n")
    note(repo, ELENA, "2026-12-17", "phone", "[Elena]", ELENA_NOTE_NOV18)  # phone: next due 2027-01-17
    # the 10-29 visit with Elena and Rosa met it: due 12-29
    assert t205(repo, ELENA, today=date(2026, 12, 29)) == []
    finding = only(t205(repo, ELENA, today=date(2026, 12, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: collateral, every: 2 months}"))
    assert finding.message.startswith("no collateral contact since the last collateral contact on 2026-10-29; "
                                      "one was due by 2026-12-29")
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, end: 2026-12-31, reason: Hospital "
              "stay.}\nstatus: active")
    # 31 days on hold: collateral due 2027-01-29 (phone 2027-02-01: the 12-17 call came during the hold)
    assert t205(repo, ELENA, today=date(2027, 1, 29)) == []
    finding = only(t205(repo, ELENA, today=date(2027, 1, 30)), "T205")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "{type: collateral, every: 2 months}"))
    assert "one was due by 2027-01-29" in finding.message


# ---------------------------------------------------------------- item 12: T203 on revisions

A2 = "members/M-000123/assessment-2026-09-20.yaml"


def add_assessment(repo, day: str = "2026-09-20", id_: str = "A2", kind: str = "change_in_condition") -> None:
    repo.write(A2, repo.read(ELENA_ASSESSMENT).replace("id: A1", f"id: {id_}")
               .replace("date: 2026-08-20", f"date: {day}").replace("type: initial", f"type: {kind}"))


def t203(repo, today: date = date(2027, 2, 10)):
    return [f for f in repo.check(ELENA, today=today, select=("T203",)) if f.code == "T203"]


def test_t203_a_revision_keeping_the_assessment_of_the_plan_it_replaces_is_not_stale(repo):
    # P2 (a draft, 2027-01-20) revises P1 and keeps its assessment A1 of 2026-08-20: 153 days, not stale
    revision(repo)
    assert t203(repo) == []
    # consented and in effect, the same
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    assert t203(repo) == []


def test_t203_an_annual_plan_keeping_the_old_assessment_is_judged(repo):
    revision(repo)
    repo.edit(ELENA_REVISION, "type: revision", "type: annual")
    finding = only(t203(repo), "T203")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "assessment: A1", offset=12))
    assert finding.message.startswith("assessment A1 is dated 2026-08-20, 153 days before this plan (at most 90)")


def test_t203_a_revision_based_on_a_new_assessment_is_judged(repo):
    add_assessment(repo)  # A2 of 2026-09-20: 122 days before P2
    revision(repo)
    repo.edit(ELENA_REVISION, "assessment: A1", "assessment: A2")
    finding = only(t203(repo), "T203")
    assert at(finding) == (ELENA_REVISION, *repo.locate(ELENA_REVISION, "assessment: A2", offset=12))
    assert finding.message.startswith("assessment A2 is dated 2026-09-20, 122 days before this plan")


def test_t203_a_revision_replaces_the_consented_plan_not_another_draft(repo):
    """P2 (a draft on A2) is never in force: P3, a revision keeping A2, replaces P1 (on A1) and is judged."""
    add_assessment(repo, day="2026-11-01")
    revision(repo, date_="2026-11-10")
    repo.edit(ELENA_REVISION, "assessment: A1", "assessment: A2")
    third = "members/M-000123/plan-2027-03-01.yaml"
    revision(repo, date_="2027-03-01", target=third)
    repo.edit(third, "id: P2", "id: P3")
    repo.edit(third, "assessment: A1", "assessment: A2")
    finding = only(t203(repo, today=date(2027, 3, 10)), "T203")
    assert at(finding) == (third, *repo.locate(third, "assessment: A2", offset=12))
    assert "120 days before this plan" in finding.message


def test_t203_a_revision_in_a_new_episode_replaces_nothing_of_the_old_one(repo):
    """Abdi re-enrolled on 2026-11-02: a plan of the new episode marked as a revision of the closed episode's
    plan, on its 2026-01-20 assessment, is judged."""
    reenroll_abdi(repo)
    new = "members/M-000301/plan-2026-11-10.yaml"
    repo.write(new, repo.read(ABDI_PLAN).replace("id: P1", "id: P2").replace("date: 2026-02-02\ntype: initial",
                                                                             "date: 2026-11-10\ntype: revision"))
    findings = [f for f in repo.check(ABDI, select=("T203",)) if f.code == "T203"]
    assert [at(f) for f in findings] == [(new, *repo.locate(new, "assessment: A1", offset=12))]
    assert "294 days before this plan" in findings[0].message


def test_t203_initial_plans_are_judged_as_before(repo):
    repo.edit(ELENA_ASSESSMENT, "date: 2026-08-20", "date: 2026-06-04")
    finding = only(repo.check(select=("T203",)), "T203")
    assert at(finding) == (ELENA_PLAN, *repo.locate(ELENA_PLAN, "assessment: A1", offset=12))


# ---------------------------------------------------------------- item 14: T206 judges records, not plans

def t206(repo, *paths, today: date = date(2026, 11, 22)):
    return [f for f in repo.check(*paths, today=today, select=("T206",)) if f.code == "T206"]


def test_t206_a_planned_transfer_to_a_new_case_manager_is_no_finding(repo):
    repo.edit(DANNY_MEMBER, "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n",
              "    reason: Danny asked for a change at his quarterly review; the transfer was discussed "
              "with him and his guardian.\n    to: 2026-12-31\n"
              "  - staff: cm-jlee\n    from: 2027-01-01\n    assigned_by: sup-amartin\n    chosen_by_member: true\n"
              "    reason: Olu Bello leaves the agency; Danny chose his former coordinator.\n")
    assert t206(repo) == []
    assert [f.code for f in repo.check(DANNY) if f.code.startswith(("T", "A6"))] == []  # still one current assignment


def test_t206_planned_dates_of_a_plan_may_be_in_the_future(repo):
    # a support starting next month, a modification review, an exception's period, effective and target dates
    repo.edit(ELENA_PLAN, "    frequency: monthly\n    start: 2026-09-07\n", "    frequency: monthly\n    start: 2026-12-07\n")
    repo.edit(DANNY_PLAN, "    review_by: 2027-02-20", "    review_by: 2027-03-20")
    repo.edit(DANNY_PLAN, "exceptions: []", "exceptions:\n  - {rule: T204, reason: Goal paused while Danny is "
              "in respite care., documented_by: cm-obello, on: 2026-11-20, from: 2026-11-20, until: 2027-03-01}")
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2027-01-10, end: 2027-01-20, reason: Travel.}\n"
              "status: active")
    assert t206(repo) == []
    # the same exception documented next week is a record dated after today
    repo.edit(DANNY_PLAN, "on: 2026-11-20, from", "on: 2026-11-29, from")
    finding = only(t206(repo), "T206")
    assert at(finding) == (DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-11-29"))
    assert finding.message == ("`exceptions[0].on` is 2026-11-29, after today (2026-11-22); an event is recorded "
                               "when it has happened, with the date it happened")


def test_t206_a_draft_may_be_prepared_for_a_meeting_still_to_come(repo):
    revision(repo, date_="2026-12-10")
    text = repo.read(ELENA_REVISION)
    head, _, tail = text.partition("signatures:\n")
    repo.write(ELENA_REVISION, head + "signatures: []\ndistribution: []\n" + tail[tail.index("exceptions:"):])
    assert t206(repo, ELENA) == []
    # once anyone signs it, its date and meeting are records: a signature next month says they happened
    repo.edit(ELENA_REVISION, "signatures: []\n",
              "signatures:\n  - {role: member, name: Elena, signed_on: 2026-12-10, method: wet}\n")
    assert sorted(at(f) for f in t206(repo, ELENA)) == sorted([
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "\ndate: 2026-12-10", offset=7)),
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "  date: 2026-12-10\n  place", offset=8)),
        (ELENA_REVISION, *repo.locate(ELENA_REVISION, "signed_on: 2026-12-10", offset=11)),
    ])
    # on the day itself, all three have happened
    assert t206(repo, ELENA, today=date(2026, 12, 10)) == []


def test_t206_a_refusal_or_a_birth_date_after_today(repo):
    repo.edit(DANNY_PLAN, "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n",
              "  - {role: member, name: Danny, refused: true, refusal_reason: Wanted time to think., "
              "refused_on: 2026-12-02}\n")
    repo.edit(ELENA_MEMBER, "birth_date: 1961-04-09", "birth_date: 2061-04-09")
    assert sorted((at(f), f.message.split(" is ")[0]) for f in t206(repo)) == sorted([
        ((DANNY_PLAN, *repo.locate(DANNY_PLAN, "2026-12-02")), "`signatures[0].refused_on`"),
        ((ELENA_MEMBER, *repo.locate(ELENA_MEMBER, "2061-04-09")), "`birth_date`"),
    ])
