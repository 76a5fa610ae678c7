"""Transfers and departures (DESIGN.md, "Transfers and departures"): `monitoring.responsible: case_manager`,
A608 (the plan in effect's monitor is the member's case manager), A609 (nothing is done by a staff member
after they left), an assignment ended by its staff member's departure (A601, A606), standing preferences
at every later transfer (C309), and the case manager a printed plan shows and gives a signature line.

Each behaviour has a passing case, a failing case at its exact file:line:column, and the situations a
caseload produces (a case manager who left three weeks ago, a Spanish speaker moved to an English-only
case manager, a plan printed after a transfer)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from conftest import DANNY_PLAN, ELENA_ASSESSMENT, ELENA_MEMBER, ELENA_PLAN, found, where
from pcplan.lifecycle import case_manager_on, lifecycle, monitor_on
from pcplan.model import Case, Document
from pcplan.rules import RULES

STAFF = "staff.yaml"
ELENA_NOTE_NOV18 = "members/M-000123/notes/2026-11-18.yaml"
HIRED = {"sup-amartin": "2019-08-12", "cm-jlee": "2024-05-01", "cm-obello": "2025-09-02"}
TODAY = date(2026, 11, 22)


def left(repo, staff_id: str, day: str) -> None:
    """staff.yaml: ``staff_id`` left the agency on ``day``."""
    hired = f"    hire_date: {HIRED[staff_id]}\n"
    repo.edit(STAFF, hired, hired + f"    left_on: {day}\n")


def transfer_elena(repo, to: str = "cm-obello", on: str = "2026-11-02", extra: str = "") -> None:
    """Elena's case moves from cm-jlee (ended the day before ``on``) to ``to``."""
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              f"    reason: Initial assignment.\n    to: {day_before(on)}\n  - staff: {to}\n    from: {on}\n"
              f"    assigned_by: sup-amartin\n    reason: Jordan Lee left the agency.\n{extra}status: active")


def day_before(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() - 1).isoformat()


def staff_by_id(repo) -> dict:
    """staff.yaml as pcplan reads it (dates kept as text)."""
    staff = Document.load(repo.path(STAFF), STAFF)
    return {person["id"]: person for _, person in staff.items("staff")}


def case_of(repo, member: str) -> Case:
    folder = repo.path(member)
    return Case(folder, [Document.load(p, p.relative_to(repo.root).as_posix())
                         for p in sorted(folder.rglob("*.yaml"))])


# ---------------------------------------------------------------- the reference records

def test_reference_members_have_none_of_these_findings(repo):
    assert found(repo, "A601", "A602", "A606", "A608", "A609", "C309", "T209") == []


@pytest.mark.parametrize("code", ["A608", "A609"])
def test_documentation_states_the_rule_and_its_example_parses(code):
    rule = RULES[code]
    assert rule.why and rule.fix and yaml.safe_load(rule.example)
    assert rule.source.startswith({"A608": "42 CFR 441.301(c)(2)(xi)", "A609": "CMHPSM"}[code])
    assert rule.severity == {"A608": "warning", "A609": "error"}[code]


# ---------------------------------------------------------------- monitoring.responsible: case_manager

def test_case_manager_is_accepted_as_the_monitor_by_the_schema_t209_a602_and_a608(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    assert found(repo, "E004", "T209", "A602", "A603", "A605", "A608", "A609") == []


def test_case_manager_means_whoever_is_assigned_that_day(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    transfer_elena(repo)
    case = case_of(repo, "members/M-000123")
    plan = lifecycle(case, TODAY).plan_in_effect
    assert monitor_on(plan, case.member, {}, date(2026, 10, 1)) == "cm-jlee"
    assert monitor_on(plan, case.member, {}, date(2026, 11, 2)) == "cm-obello"
    assert monitor_on(plan, case.member, {}, date(2026, 8, 2)) is None  # before any assignment


def test_t209_still_wants_a_monitor_and_names_the_recommended_form(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "")
    assert found(repo, "T209") == [("T209",) + where(repo, ELENA_PLAN, "monitoring:") + (
        "the plan does not name who monitors it; add `monitoring.responsible: case_manager` (whoever is "
        "assigned) or a staff id",)]


def test_a605_reads_case_manager_as_the_current_assignment(repo):
    repo.edit(STAFF, "    name: Jordan Lee\n", "    name: Jordan Lee\n    organization: Sunrise Home Care\n")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    provider = where(repo, ELENA_PLAN, "Sunrise Home Care", occurrence=1)
    assert [f[:4] for f in found(repo, "A605")] == [("A605",) + provider]
    transfer_elena(repo)  # cm-obello, with no such organization, is the case manager today
    assert found(repo, "A605") == []


# ---------------------------------------------------------------- A608 monitor-not-assigned

def test_a608_a_plan_naming_the_previous_case_manager_after_a_transfer(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")
    assert found(repo, "A608") == [("A608",) + where(repo, DANNY_PLAN, "cm-jlee", occurrence=1) + (
        "plan P1, in effect, names `cm-jlee` to monitor it, but the member's case manager on 2026-11-22 is "
        "`cm-obello`; write `responsible: case_manager` (whoever is assigned) or the current case manager's "
        "staff id",)]
    repo.edit(DANNY_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    assert found(repo, "A608") == []


def test_a608_elena_transferred_with_the_plan_unchanged(repo):
    transfer_elena(repo)
    assert [f[1:4] for f in found(repo, "A608")] == [where(repo, ELENA_PLAN, "responsible: cm-jlee", 13)]
    # before the transfer took effect, the named monitor was the case manager
    assert found(repo, "A608", today=date(2026, 11, 1)) == []


def test_a608_leaves_a_member_with_no_current_case_manager_to_a601(repo):
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\n", "    reason: Initial assignment.\n    to: 2026-11-01\n")
    assert found(repo, "A608") == []
    assert [f[0] for f in found(repo, "A601")] == ["A601"]


def test_a608_judges_only_the_plan_in_effect(repo):
    # a draft revision naming the previous case manager is not in effect: A608 waits for its consent
    text = repo.read(DANNY_PLAN).replace("id: P1", "id: P2").replace("responsible: cm-obello", "responsible: cm-jlee")
    head, _, tail = text.partition("signatures:\n")
    repo.write("members/M-000207/plan-2026-11-20.yaml",
               head.replace("date: 2026-05-20\ntype: initial", "date: 2026-11-20\ntype: revision")
               + "signatures: []\n" + tail[tail.index("distribution:"):])
    assert found(repo, "A608") == []


def test_a608_an_unknown_or_wrongly_typed_monitor_is_not_its_finding(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-nobody\n")
    assert found(repo, "A608") == [] and [f[0] for f in found(repo, "A602")] == ["A602"]
    repo.edit(DANNY_PLAN, "  responsible: cm-nobody\n", "  responsible: [cm-jlee]\n")
    assert found(repo, "A608", "A609", "E000") == []


# ---------------------------------------------------------------- departures: A601, A606

def test_a601_an_assignment_ends_the_day_its_case_manager_left(repo):
    left(repo, "cm-jlee", "2026-11-01")  # three weeks ago; nobody took over
    assert found(repo, "A601", paths=("members/M-000123",)) == [("A601",) + where(repo, ELENA_MEMBER, "staff: cm-jlee") + (
        "case-manager assignment 1 (`cm-jlee`) ended on 2026-11-01, when `cm-jlee` left the agency (staff.yaml "
        "`left_on`), and no assignment follows: the member is active but has no case manager on 2026-11-22; add "
        "the new assignment under `case_managers` (staff, from, reason)",)]
    # on the day she left she was still the case manager
    assert found(repo, "A601", today=date(2026, 11, 1), paths=("members/M-000123",)) == []


def test_a601_a_departure_followed_by_a_new_assignment_is_clean_and_needs_no_to(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              "    reason: Initial assignment.\n  - staff: cm-obello\n    from: 2026-11-02\n"
              "    assigned_by: sup-amartin\n    chosen_by_member: true\n"
              "    preference_unmet_reason: No Spanish-speaking case manager has an opening; an interpreter joins.\n"
              "    reason: Jordan Lee left the agency.\nstatus: active")
    assert found(repo, "A601", "A606", "C309", paths=("members/M-000123",)) == []


def test_a601_two_current_when_the_departure_comes_after_the_new_assignment(repo):
    left(repo, "cm-jlee", "2026-12-15")
    repo.edit(ELENA_MEMBER, "    reason: Initial assignment.\nstatus: active",
              "    reason: Initial assignment.\n  - staff: cm-obello\n    from: 2026-11-02\n"
              "    reason: Jordan Lee is leaving.\nstatus: active")
    assert [f[1:4] for f in found(repo, "A601", paths=("members/M-000123",))] == \
        [where(repo, ELENA_MEMBER, "staff: cm-obello")]
    assert [f[1:4] for f in found(repo, "A606", paths=("members/M-000123",))] == \
        [where(repo, ELENA_MEMBER, "staff: cm-jlee")]  # she left after cm-obello began: end her assignment
    assert found(repo, "A601", today=date(2026, 12, 16), paths=("members/M-000123",)) == []


def test_an_unreadable_left_on_is_the_schemas_finding_only(repo):
    repo.edit(STAFF, "    hire_date: 2024-05-01\n", "    hire_date: 2024-05-01\n    left_on: soon\n")
    codes = {f[0] for f in found(repo, "A601", "A608", "A609", "E000", "E004")}
    assert codes == {"E004"}


# ---------------------------------------------------------------- A609 staff-departed

def test_a609_notes_written_after_she_left(repo):
    left(repo, "cm-jlee", "2026-11-01")
    findings = found(repo, "A609", paths=("members/M-000123",))
    assert (("A609",) + where(repo, ELENA_NOTE_NOV18, "cm-jlee") + (
        "`cm-jlee` wrote this note of 2026-11-18, after leaving the agency on 2026-11-01 (staff.yaml `left_on`); "
        "correct the staff id to who did it, or `left_on` if it is wrong",)) in findings
    # the plan in effect still names her to monitor it
    assert (("A609",) + where(repo, ELENA_PLAN, "cm-jlee", occurrence=2) + (
        "plan P1, in effect, names `cm-jlee` to monitor it, who left the agency on 2026-11-01 (staff.yaml "
        "`left_on`); write `responsible: case_manager` (whoever is assigned) or the new case manager's staff id",
    )) in findings
    assert len(findings) == 2  # her notes of 2026-10-01 and 2026-10-29 were hers to write


def test_a609_the_day_she_left_is_her_last_day(repo):
    left(repo, "cm-jlee", "2026-11-18")
    assert found(repo, "A609", today=date(2026, 11, 18), paths=("members/M-000123",)) == []


def test_a609_a_monitor_written_as_case_manager_follows_the_transfer(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    repo.edit(ELENA_NOTE_NOV18, "staff: cm-jlee", "staff: cm-obello")
    transfer_elena(repo)
    assert found(repo, "A609", "A608", paths=("members/M-000123",)) == []


@pytest.mark.parametrize("path, old, new, snippet, offset, act, day", [
    (ELENA_ASSESSMENT, None, None, "assessor: cm-jlee", 10, "assessed the member on", "2026-08-20"),
    (ELENA_PLAN, None, None, "facilitator: cm-jlee", 13, "facilitated the planning meeting of", "2026-09-03"),
    (ELENA_PLAN, None, None, "staff: cm-jlee, signed_on", 7, "signed the plan on", "2026-09-03"),
    (ELENA_PLAN, "reviews: []", "reviews:\n  - {date: 2026-11-20, by: cm-jlee, outcome: continue}", "by: cm-jlee", 4,
     "held the review of", "2026-11-20"),
    (ELENA_PLAN, "exceptions: []", "exceptions:\n  - {rule: T207, reason: Late., documented_by: cm-jlee, "
     "on: 2026-11-20}", "documented_by: cm-jlee", 15, "documented the exception on", "2026-11-20"),
    (ELENA_PLAN, "    - {name: Elena, role: member}\n", "    - {name: Elena, role: member}\n"
     "    - {name: Jordan Lee, role: case manager, staff: cm-jlee}\n", "case manager, staff: cm-jlee", 21,
     "took part as staff in the planning meeting of", "2026-09-03"),
    (ELENA_MEMBER, None, None, "determined_by: cm-jlee", 15, "determined the member's eligibility on", "2026-07-28"),
    (ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n",
     "  - {role: member, name: Elena, declined_to_sign: true, declined_reason: Signs nothing., "
     "witnessed_by: cm-jlee, declined_on: 2026-09-03}\n", "witnessed_by: cm-jlee", 14,
     "witnessed an agreement to the plan without a signature on", "2026-09-03"),
])
def test_a609_every_kind_of_record_after_the_departure(repo, path, old, new, snippet, offset, act, day):
    """Each act dated after `left_on` is reported at its staff reference; the same act on the last day is not."""
    if old is not None:
        repo.edit(path, old, new)

    def hits():
        return [f for f in found(repo, "A609", paths=("members/M-000123",)) if f[1] == path and act in f[4]]

    left(repo, "cm-jlee", day)
    assert hits() == []
    repo.edit(STAFF, f"    left_on: {day}\n", f"    left_on: {day_before(day)}\n")
    assert hits() == [("A609",) + where(repo, path, snippet, offset) + (
        f"`cm-jlee` {act} {day}, after leaving the agency on {day_before(day)} (staff.yaml `left_on`); correct the "
        "staff id to who did it, or `left_on` if it is wrong",)]


def test_a609_an_assignment_beginning_after_she_left(repo):
    left(repo, "cm-obello", "2026-10-31")
    transfer_elena(repo, to="cm-obello", on="2026-11-02",
                   extra="    chosen_by_member: true\n    preference_unmet_reason: None had an opening.\n")
    assert [f[:4] for f in found(repo, "A609", paths=("members/M-000123",))] == [
        ("A609",) + where(repo, ELENA_MEMBER, "cm-obello", occurrence=1)]


def test_a609_a_closed_case_keeps_its_records_judged_but_not_its_monitor(repo):
    left(repo, "cm-jlee", "2026-09-01")  # Abdi's case closed on 2026-10-15; his plan named cm-jlee to monitor it
    note = "members/M-000301/notes/2026-09-28.yaml"
    assert [f[:4] for f in found(repo, "A609", paths=("members/M-000301",))] == [
        ("A609",) + where(repo, note, "cm-jlee")]


def test_a609_wrong_types_never_crash(repo):
    left(repo, "cm-jlee", "2026-11-01")
    repo.edit(ELENA_NOTE_NOV18, "staff: cm-jlee", "staff: [cm-jlee]")
    repo.edit(ELENA_PLAN, "reviews: []", "reviews: not a list")
    repo.edit(ELENA_MEMBER, "      determined_by: cm-jlee", "      determined_by: {id: cm-jlee}")
    assert found(repo, "E000") == []
    assert [f[1] for f in found(repo, "A609", paths=("members/M-000123",))] == [ELENA_PLAN]  # the monitor only


# ---------------------------------------------------------------- C309 standing preferences

def test_c309_a_spanish_speaker_moved_to_an_english_only_case_manager(repo):
    """The issue's case: the preference was voiced at the first assignment and is not typed again."""
    transfer_elena(repo, extra="    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, ELENA_MEMBER, "cm-obello") + (
        "the member needs an interpreter and prefers `es`, but the new case manager of case-manager assignment 2 "
        "(`cm-obello`) does not speak it (staff.yaml `languages`); add `preference_unmet_reason` saying why, or "
        "assign a case manager who speaks the member's language",)]


def test_c309_the_language_stands_even_when_the_member_chose(repo):
    transfer_elena(repo, extra="    chosen_by_member: true\n    preferences_met: true\n")
    assert [f[1:4] for f in found(repo, "C309")] == [where(repo, ELENA_MEMBER, "cm-obello")]
    repo.edit(ELENA_MEMBER, "    preferences_met: true\n",
              "    preference_unmet_reason: Elena chose Olu; an interpreter joins every visit.\n")
    assert found(repo, "C309") == []


def test_c309_a_case_manager_who_speaks_the_language_meets_it(repo):
    repo.edit(STAFF, "    languages: [en]\n    specialties: [developmental", "    languages: [en, es-MX]\n"
              "    specialties: [developmental")
    transfer_elena(repo, extra="    chosen_by_member: true\n")
    assert found(repo, "C309") == []


def test_c309_an_earlier_preference_stands_without_an_interpreter(repo):
    # Elena no longer needs an interpreter, but asked for a Spanish speaker at her first assignment
    repo.edit(ELENA_MEMBER, "  interpreter_needed: true", "  interpreter_needed: false")
    transfer_elena(repo, extra="    chosen_by_member: false\n")
    assert found(repo, "C309") == [("C309",) + where(repo, ELENA_MEMBER, "- staff: cm-obello", 2) + (
        "case-manager assignment 2 (`cm-obello`) was not the member's choice and does not say whether it meets "
        "the preferences the member voiced at case-manager assignment 1; add `preferences_met: true`, or "
        "`preference_unmet_reason` saying why they could not be met",)]
    repo.edit(ELENA_MEMBER, "    chosen_by_member: false\n", "    chosen_by_member: false\n    preferences_met: true\n")
    assert found(repo, "C309") == []


def test_c309_wrong_types_never_crash(repo):
    repo.edit(ELENA_MEMBER, "  interpreter_needed: true", "  interpreter_needed: [yes]")
    transfer_elena(repo, extra="    chosen_by_member: maybe\n    preferences: [Spanish]\n")
    repo.edit(STAFF, "    languages: [en]\n    specialties: [developmental", "    languages: en\n"
              "    specialties: [developmental")
    assert found(repo, "E000") == []
    assert found(repo, "C309") == []  # nothing it can read says a preference is unmet


# ---------------------------------------------------------------- who a printed plan shows

def test_the_case_manager_on_a_day_follows_assignments_and_departures(repo):
    left(repo, "cm-obello", "2026-11-15")
    case = case_of(repo, "members/M-000207")
    by_id = staff_by_id(repo)
    assert case_manager_on(case.member, by_id, date(2026, 3, 31)) == "cm-jlee"
    assert case_manager_on(case.member, by_id, date(2026, 4, 1)) == "cm-obello"
    assert case_manager_on(case.member, by_id, date(2026, 11, 15)) == "cm-obello"
    assert case_manager_on(case.member, by_id, date(2026, 11, 16)) is None


def _view(repo, member: str, today: date):
    """What `pcplan render` prints of the member's governing plan, as of ``today``."""
    from pcplan.render.view import build_view

    life = lifecycle(case_of(repo, member), today)
    return build_view(life, life.governing, staff_by_id(repo), "Riverside")


def test_render_prints_the_case_manager_assigned_on_the_day_of_printing(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")  # a stale monitor
    view = _view(repo, "members/M-000207", TODAY)
    assert view.case_manager.name == "Olu Bello"
    assert [line.name for line in view.signature_lines if line.role == "case_manager"] == ["Olu Bello"]


def test_render_gives_no_departed_case_manager_the_signature_line(repo):
    left(repo, "cm-jlee", "2026-11-01")
    view = _view(repo, "members/M-000123", TODAY)
    assert view.case_manager is None  # nobody is assigned today (A601 says so)
    lines = [(line.name, line.role, line.signed is not None) for line in view.signature_lines]
    assert ("Jordan Lee", "case_manager", True) in lines  # her recorded signature is kept, not a line to sign
    transfer_elena(repo)
    view = _view(repo, "members/M-000123", TODAY)
    assert view.case_manager.name == "Olu Bello"
    assert [(line.name, line.signed is None) for line in view.signature_lines if line.role == "case_manager"] == [
        ("Olu Bello", True), ("Jordan Lee", False)]


def test_render_end_to_end_after_a_transfer_names_the_new_case_manager(repo, monkeypatch):
    """`pcplan render` of Danny's plan, whose monitor still says cm-jlee: the page names Olu Bello, who is his
    case manager on the day of printing, and never Jordan Lee."""
    from typer.testing import CliRunner

    from pcplan.cli import app

    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: cm-jlee\n")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(app, ["render", "members/M-000207", "--today", "2026-11-22", "--lang", "en",
                                      "-f", "md", "-o", "danny.md"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = repo.read("danny.md")
    assert "Olu Bello" in page and "Jordan Lee" not in page


def test_an_editor_offers_case_manager_as_the_monitor():
    from types import SimpleNamespace

    from lsprotocol import types

    from pcplan.lsp.completion import complete

    class Text:
        def lsp(self, row: int, column: int) -> types.Position:
            return types.Position(line=row, character=column)

    lines = ["kind: plan", "monitoring:", "  responsible: "]
    offered = complete("plan", lines, 2, len(lines[2]), SimpleNamespace(doc=None, case=None, staff=None), Text(), True)
    assert [item.label for item in offered] == ["case_manager"]
    facilitator = ["kind: plan", "meeting:", "  facilitator: "]
    assert "case_manager" not in [item.label for item in complete(
        "plan", facilitator, 2, len(facilitator[2]), SimpleNamespace(doc=None, case=None, staff=None), Text(), True)]
