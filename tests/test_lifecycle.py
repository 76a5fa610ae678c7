"""The life of a case (pcplan.facts.lifecycle): consent, plan states, the plan in effect on any day, episodes,
holds and contact schedules across revisions, each on a one-edit copy of the reference members."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import (
    ABDI,
    DANNY,
    DANNY_PLAN,
    ELENA,
    ELENA_MEMBER,
    ELENA_PLAN,
    ELENA_REVISION,
    case_of,
    reenroll_abdi,
    revision,
)
from pcplan.facts.lifecycle import CONSENTED, DRAFT, EXPIRED, IN_EFFECT, SUPERSEDED, lifecycle


def life(repo, member: str, today: date):
    return lifecycle(case_of(repo, member), today)


# ---------------------------------------------------------------- consent and states

def test_reference_plans_are_in_effect_and_consented_on_their_signature(repo):
    elena = life(repo, ELENA, date(2026, 11, 22))
    (record,) = elena.plans
    assert (record.consent_on, record.consent_path) == (date(2026, 9, 3), ("signatures", 0))
    assert elena.state(record) == IN_EFFECT
    assert elena.in_effect() is record
    assert elena.state(record, date(2026, 9, 2)) == DRAFT  # before anyone signed
    assert elena.state(record, date(2027, 9, 3)) == EXPIRED  # its effective period is over
    assert elena.in_effect(date(2027, 9, 3)) is None


def test_an_unsigned_revision_is_a_draft_and_never_the_plan_in_effect(repo):
    revision(repo)
    elena = life(repo, ELENA, date(2027, 2, 10))
    first, draft = elena.plans
    assert elena.state(draft) == DRAFT and draft.consent_on is None
    assert elena.in_effect() is first
    assert elena.drafts() == [draft]
    assert [p.display_path for p in elena.plans_to_check()] == [ELENA_PLAN, ELENA_REVISION]


def test_a_consented_revision_supersedes_from_its_own_start(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-25, method: wet}\n",
             start="2027-02-01")
    before = life(repo, ELENA, date(2027, 1, 28))
    first, second = before.plans
    assert before.state(second) == CONSENTED  # signed, not started
    assert before.in_effect() is first
    later = life(repo, ELENA, date(2027, 2, 1))
    first, second = later.plans
    assert later.in_effect() is second
    assert later.state(first) == SUPERSEDED
    assert [p.display_path for p in later.plans_to_check()] == [ELENA_REVISION]


@pytest.mark.parametrize("signature, consented", [
    ("{role: provider, name: Sunrise Home Care, signed_on: 2027-01-25}", False),
    ("{role: representative, name: Jordan Lee, signed_on: 2027-01-25}", False),  # no such legal representative
    ("{role: representative, name: Rosa Ruiz, signed_on: 2027-01-25}", False),  # a supporter, not legal authority
    ("{role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2027-01-25}", False),
    # a refusal, documented or not, is never consent (DESIGN.md, Consent)
    ("{role: member, refused: true, refusal_reason: Wants to read it with Rosa first., refused_on: 2027-01-25}", False),
    ("{role: member, refused: true, signed_on: 2027-01-25}", False),
    # an agreement without a signature, with its reason and witness, is consent
    ("{role: member, declined_to_sign: true, declined_reason: Signs nothing., witnessed_by: cm-jlee, "
     "declined_on: 2027-01-25}", True),
    ("{role: member, name: Elena, signed_on: 2027-01-25}", True),
])
def test_who_may_consent(repo, signature, consented):
    revision(repo, signatures=f"  - {signature}\n")
    draft = life(repo, ELENA, date(2027, 2, 10)).plans[1]
    assert (draft.consent_on == date(2027, 1, 25)) is consented
    assert (draft.consent_on is None) is not consented


def test_a_power_of_attorney_named_in_member_yaml_consents_by_name(repo):
    repo.edit(ELENA_MEMBER, "authority: supporter", "authority: power_of_attorney")
    revision(repo, signatures="  - {role: representative, name: rosa  ruiz, signed_on: 2027-01-25}\n")
    assert life(repo, ELENA, date(2027, 2, 10)).plans[1].consent_on == date(2027, 1, 25)


def test_with_a_guardian_only_the_guardians_signature_is_consent(repo):
    repo.edit(DANNY_PLAN, "  - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}\n", "")
    danny = life(repo, DANNY, date(2026, 11, 22))
    assert danny.plans[0].consent_on is None  # Danny signed, his guardian did not
    assert danny.in_effect() is None
    repo.edit(DANNY_PLAN, "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n",
              "  - {role: member, name: Danny, signed_on: 2026-05-20, method: wet}\n"
              "  - {role: representative, name: Grace Kim, signed_on: 2026-05-26, method: wet}\n")
    assert life(repo, DANNY, date(2026, 11, 22)).plans[0].consent_on == date(2026, 5, 26)


# ---------------------------------------------------------------- reviews

def test_reviews_count_from_consent_and_a_review_before_the_plan_belongs_to_an_older_plan(repo):
    repo.edit(ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-08-01, by: cm-jlee, outcome: continue}")
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}",
              "  - {role: member, name: Elena, signed_on: 2026-09-10, method: wet}")
    elena = life(repo, ELENA, date(2026, 11, 22))
    record = elena.plans[0]
    assert elena.reviews_held(record) == []
    assert elena.stray_reviews(record) == [(date(2026, 8, 1), 0)]
    schedule = elena.review_schedule(record, 12)
    assert (schedule.base, schedule.since, schedule.due) == (date(2026, 9, 10), "consent", date(2027, 3, 10))


# ---------------------------------------------------------------- episodes

def test_closure_and_reenrollment_make_two_episodes(repo):
    reenroll_abdi(repo)
    abdi = life(repo, ABDI, date(2026, 11, 22))
    first, second = abdi.episodes
    assert (first.enrolled_on, first.closed_on, first.closed) == (date(2026, 1, 14), date(2026, 10, 15), True)
    assert (second.enrolled_on, second.closed, second.begins_after) == (date(2026, 11, 2), False, date(2026, 10, 15))
    assert abdi.current_episode is second and not abdi.closed
    assert abdi.in_effect() is None  # the old episode's plan does not carry into the new one
    assert abdi.state(abdi.plans[0]) == EXPIRED
    assert abdi.plans_to_check() == []


def test_a_closed_reference_case_is_closed_with_its_plan_expired(repo):
    abdi = life(repo, ABDI, date(2026, 11, 22))
    assert abdi.closed and abdi.closed_on == date(2026, 10, 15)
    assert abdi.state(abdi.plans[0]) == EXPIRED
    assert [p.display_path for p in abdi.plans_to_check()] == ["members/M-000301/plan-2026-02-02.yaml"]


# ---------------------------------------------------------------- contacts across revisions and holds

def misses(repo, member: str, today: date):
    found, upcoming = life(repo, member, today).contact_schedule()
    return ([(m.kind, m.due, m.under.plan.id, m.late_note.display_path if m.late_note else None, m.gap_end)
             for m in found], {u.kind: u.due for u in upcoming})


def test_reference_elena_schedule(repo):
    assert misses(repo, ELENA, date(2026, 11, 22)) == (
        [], {"face_to_face": date(2027, 1, 29), "phone": date(2026, 12, 18)})


def test_an_unsigned_draft_changes_no_contact_schedule(repo):
    before = misses(repo, ELENA, date(2027, 2, 10))
    assert [m[:3] for m in before[0]] == [("face_to_face", date(2027, 1, 29), "P1"), ("phone", date(2026, 12, 18), "P1")]
    revision(repo, contacts="    - {type: phone, every: 6 months}\n")
    assert misses(repo, ELENA, date(2027, 2, 10)) == before


def test_a_consented_revision_never_forgives_a_contact_already_missed(repo):
    # phone due 2026-12-18 under P1, missed; P2 from 2027-01-20 drops the phone requirement entirely
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n",
             contacts="    - {type: face_to_face, every: 3 months}\n")
    found, upcoming = misses(repo, ELENA, date(2027, 2, 10))
    assert ("phone", date(2026, 12, 18), "P1", None, date(2027, 1, 19)) in found
    assert "phone" not in upcoming


def test_a_late_contact_under_a_revision_names_the_plan_it_was_first_due_under(repo):
    revision(repo, signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    repo.write("members/M-000123/notes/2027-01-30.yaml", repo.read("members/M-000123/notes/2026-10-01.yaml")
               .replace("date: 2026-10-01", "date: 2027-01-30"))
    found, upcoming = misses(repo, ELENA, date(2027, 2, 10))
    assert ("phone", date(2026, 12, 18), "P1", "members/M-000123/notes/2027-01-30.yaml", date(2027, 1, 30)) in found
    assert upcoming["phone"] == date(2027, 2, 28)


def test_a_hold_pauses_contacts_for_its_length(repo):
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, end: 2026-12-31, reason: Hospital stay.}\n"
              "status: active")
    # phone was due 2026-12-18; 31 days on hold push it to 2027-01-18
    assert misses(repo, ELENA, date(2027, 1, 10)) == ([], {"face_to_face": date(2027, 3, 1), "phone": date(2027, 1, 18)})


def test_an_open_hold_means_no_contact_is_due(repo):
    repo.edit(ELENA_MEMBER, "status: active", "holds:\n  - {start: 2026-12-01, reason: Extended travel.}\n"
              "status: on_hold")
    elena = life(repo, ELENA, date(2027, 3, 1))
    assert elena.on_hold(date(2027, 3, 1))
    assert misses(repo, ELENA, date(2027, 3, 1)) == ([], {})


# ---------------------------------------------------------------- who took part in a contact

@pytest.mark.parametrize("with_line, contact, parties", [
    ("with: [Elena]", "phone", (True, False)),  # the preferred name, as the reference writes it
    ("with: [Maria Elena Ruiz]", "phone", (True, False)),  # the legal name
    ("with: [\"  elena \"]", "phone", (True, False)),  # case and spacing aside
    ("with: [member]", "phone", (True, False)),
    ("with: [Elena (member)]", "phone", (True, False)),  # a role in brackets
    ("with: [Ms. Ruiz (member)]", "phone", (True, False)),  # the role says it
    ("with: [Elena Ruiz]", "phone", (False, True)),  # matched as a name: not a name member.yaml gives
    ("with: [Maria]", "phone", (False, True)),
    ("with: [Rosa Ruiz]", "phone", (False, True)),  # her sister: collateral
    ("with: [Elena, Rosa Ruiz]", "face_to_face", (True, True)),
    ("with: [Hodan Ali (interpreter)]", "phone", (False, False)),  # an interpreter is neither
    ("with: [Elena, Hodan Ali (interpreter)]", "phone", (True, False)),
    ("with: []", "phone", (False, False)),
    ("with: []", "collateral", (False, True)),  # a collateral contact not saying with whom
    ("with: [Elena]", "collateral", (True, False)),  # with the member alone: never collateral
    ("with: Elena", "phone", (False, False)),  # not a list (E004): says nothing
])
def test_who_took_part_in_a_contact(repo, with_line, contact, parties):
    from pcplan.facts.lifecycle import contact_parties, member_names
    repo.edit("members/M-000123/notes/2026-10-01.yaml", "contact: phone\nwith: [Elena]",
              f"contact: {contact}\n{with_line}")
    case = case_of(repo, ELENA)
    (note,) = [n for n in case.notes if n.date == date(2026, 10, 1)]
    assert contact_parties(note, member_names(case.member)) == parties


def test_a_collateral_requirement_runs_from_the_last_contact_with_others(repo):
    repo.edit(ELENA_PLAN, "    - {type: phone, every: 1 month}\n",
              "    - {type: phone, every: 1 month}\n    - {type: collateral, every: 2 months}\n")
    # the 10-29 visit was with Elena and Rosa: it meets all three; the 11-18 call with Elena alone only phone
    assert misses(repo, ELENA, date(2026, 11, 22)) == (
        [], {"face_to_face": date(2027, 1, 29), "phone": date(2026, 12, 18), "collateral": date(2026, 12, 29)})
    repo.edit("members/M-000123/notes/2026-10-29.yaml", "with: [Elena, Rosa Ruiz]", "with: [Elena]")
    found, upcoming = misses(repo, ELENA, date(2026, 11, 22))
    assert found == [("collateral", date(2026, 11, 3), "P1", None, date(2026, 11, 22))]
    assert upcoming["collateral"] == date(2026, 11, 3)


def test_the_plan_a_plan_replaces_is_the_newest_consented_one_of_its_episode(repo):
    revision(repo)
    elena = life(repo, ELENA, date(2027, 2, 10))
    first, draft = elena.plans
    assert elena.replaces(draft) is first and elena.replaces(first) is None
    third = "members/M-000123/plan-2027-03-01.yaml"
    revision(repo, date_="2027-03-01", target=third)
    elena = life(repo, ELENA, date(2027, 3, 10))
    first, draft, later = elena.plans
    assert elena.replaces(later) is first  # a draft is never in force, so never replaced
    reenroll_abdi(repo)
    repo.write("members/M-000301/plan-2026-11-10.yaml", repo.read("members/M-000301/plan-2026-02-02.yaml")
               .replace("id: P1", "id: P2").replace("date: 2026-02-02\ntype: initial", "date: 2026-11-10\ntype: revision"))
    abdi = life(repo, ABDI, date(2026, 11, 22))
    assert abdi.replaces(abdi.plans[1]) is None  # the closed episode's plan is not replaced by the new one's
