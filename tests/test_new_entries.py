"""`pcplan new hold|transfer|review|enrollment MEMBER`: the entry proposed as a diff, written only with --write,
every other byte of the file kept; made this way where the practice was sound, the folder checks clean."""

from __future__ import annotations

import difflib
import json

import pytest
from typer.testing import CliRunner

from conftest import run
from pcplan.cli import app
from pcplan.load import load_file
from pcplan.scaffold import entries, new

ELENA = "members/M-000123/member.yaml"
ELENA_PLAN = "members/M-000123/plan-2026-09-03.yaml"
DANNY = "members/M-000207/member.yaml"
DANNY_PLAN = "members/M-000207/plan-2026-05-20.yaml"
DAY = ("--today", "2026-11-22")
HOLD = ("new", "hold", "M-000123", "--kind", "hospital", "--start", "2026-11-20", "--reason", "Hospital stay.", *DAY)


def pcplan_new(repo, *args: str):
    return run(repo.root, "new", *args, *DAY)


def added_lines(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails when any line of ``before`` changed or went."""
    old, new_ = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new_, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), f"{tag}: {old[i1:i2]!r} -> {new_[j1:j2]!r}"
        if tag == "insert":
            added += new_[j1:j2]
    return added


def clean(repo, member: str = "members/M-000123", today: str = "2026-11-22") -> list:
    result = run(repo.root, "check", "--no-cache", "-f", "json", "--today", today, member)
    assert result.exit_code == 0, result.stdout
    return [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


# ---------------------------------------------------------------- a hold


def test_a_hold_is_shown_as_a_diff_and_written_only_with_write(repo):
    before = repo.read(ELENA)
    shown = run(repo.root, *HOLD)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == (
        "--- a/members/M-000123/member.yaml\n"
        "+++ b/members/M-000123/member.yaml\n"
        "@@ -35,4 +35,9 @@\n"
        "     chosen_by_member: true\n"
        "     preferences: Asked for a case manager who speaks Spanish.\n"
        "     reason: Initial assignment.\n"
        "+holds:\n"
        "+  - start: 2026-11-20\n"
        "+    kind: hospital\n"
        "+    reason: Hospital stay.\n"
        "+    recorded_by: cm-jlee\n"
        " status: active\n")
    assert shown.stderr == (
        "pcplan: while the hold lasts, set `status: on_hold` in member.yaml (X703 accepts it with a hold covering the "
        "day); pcplan new never changes a value already there\n"
        "pcplan: nothing written; run again with --write to change members/M-000123/member.yaml\n")
    assert repo.read(ELENA) == before

    done = run(repo.root, *HOLD, "--write")
    assert done.exit_code == 0 and done.stdout == shown.stdout
    assert done.stderr.endswith("pcplan: wrote members/M-000123/member.yaml\n")
    assert added_lines(before, repo.read(ELENA)) == [
        "holds:\n", "  - start: 2026-11-20\n", "    kind: hospital\n", "    reason: Hospital stay.\n",
        "    recorded_by: cm-jlee\n"]
    assert load_file(repo.path(ELENA)).data["holds"] == [
        {"start": "2026-11-20", "kind": "hospital", "reason": "Hospital stay.", "recorded_by": "cm-jlee"}]
    assert clean(repo) == []

    # The discharge: `--end` alone ends the open hold, adding `end:` after its `start`.
    ended = run(repo.root, "new", "hold", "M-000123", "--end", "2026-11-21", "--write", *DAY)
    assert ended.exit_code == 0, ended.stderr
    assert "+    end: 2026-11-21\n" in ended.stdout
    assert ended.stderr.startswith("pcplan: the end of a stay in an institution is a significant change: a review "
                                   "(pcplan new review) or a consented revision is due within `change_review_days` "
                                   "(T212)\n")
    assert load_file(repo.path(ELENA)).data["holds"][0]["end"] == "2026-11-21"
    assert clean(repo) == []


def test_a_new_hold_while_one_is_open_is_refused(repo):
    assert run(repo.root, *HOLD, "--write").exit_code == 0
    before = repo.read(ELENA)
    again = run(repo.root, "new", "hold", "M-000123", "--kind", "travel", "--start", "2026-11-21", "--reason",
                "Trip.", *DAY)
    assert again.exit_code == 2 and again.stdout == ""
    assert again.stderr == ("pcplan: members/M-000123/member.yaml: hold 1 (from 2026-11-20) is still open; end it "
                            "first: pcplan new hold M-000123 --end DATE\n")
    assert repo.read(ELENA) == before


# ---------------------------------------------------------------- the file's own layout


STATUS = "status: active\n"


@pytest.mark.parametrize(("holds", "after"), [
    # a flow list gets `, entry` in flow style
    ("holds: [{start: 2026-10-01, end: 2026-10-03, kind: travel, reason: Visiting family.}]\n",
     "holds: [{start: 2026-10-01, end: 2026-10-03, kind: travel, reason: Visiting family.}, {start: 2026-11-20, "
     "kind: hospital, reason: Hospital stay., recorded_by: cm-jlee}]\n"),
    # an empty list becomes a block list; the comment keeps its column
    ("holds: []     # none yet\n",
     "holds:        # none yet\n  - start: 2026-11-20\n    kind: hospital\n    reason: Hospital stay.\n"
     "    recorded_by: cm-jlee\n"),
    ("holds: []\n",
     "holds:\n  - start: 2026-11-20\n    kind: hospital\n    reason: Hospital stay.\n    recorded_by: cm-jlee\n"),
    # a key with nothing after it gets the list under it
    ("holds:   # stays\n",
     "holds:   # stays\n  - start: 2026-11-20\n    kind: hospital\n    reason: Hospital stay.\n"
     "    recorded_by: cm-jlee\n"),
    # entries written in braces, one a line: the new one too
    ("holds:\n  - {start: 2026-10-01, end: 2026-10-03, kind: travel, reason: Trip.}\n",
     "holds:\n  - {start: 2026-10-01, end: 2026-10-03, kind: travel, reason: Trip.}\n"
     "  - {start: 2026-11-20, kind: hospital, reason: Hospital stay., recorded_by: cm-jlee}\n"),
    # a list not indented under its key, and a comment after it that stays after it
    ("holds:\n- start: 2026-10-01\n  end: 2026-10-03   # home again\n  reason: 'Trip: family'\n# the status\n",
     "holds:\n- start: 2026-10-01\n  end: 2026-10-03   # home again\n  reason: 'Trip: family'\n"
     "- start: 2026-11-20\n  kind: hospital\n  reason: Hospital stay.\n  recorded_by: cm-jlee\n# the status\n"),
])
def test_the_entry_fits_the_layout_of_the_list(repo, holds, after):
    text = repo.read(ELENA).replace(STATUS, holds + STATUS)
    repo.write(ELENA, text)
    done = run(repo.root, *HOLD, "--write")
    assert done.exit_code == 0, done.stderr
    assert repo.read(ELENA) == text.replace(holds, after)
    assert load_file(repo.path(ELENA)).data["holds"][-1]["start"] == "2026-11-20"


def test_crlf_and_a_missing_last_line_end_are_kept(repo):
    text = repo.read(ELENA).replace(STATUS, "holds:\n  - start: 2026-10-01\n    end: 2026-10-03\n    reason: Trip.")
    text = (STATUS + text).replace("\n", "\r\n")  # `holds` last, with no line end after it
    repo.path(ELENA).write_bytes(text.encode("utf-8"))
    done = run(repo.root, *HOLD, "--write")
    assert done.exit_code == 0, done.stderr
    assert done.stdout_bytes.endswith(b"-    reason: Trip.\n\\ No newline at end of file\n+    reason: Trip.\r\n"
                                      b"+  - start: 2026-11-20\r\n+    kind: hospital\r\n+    reason: Hospital stay.\r\n"
                                      b"+    recorded_by: cm-jlee\r\n")
    assert repo.path(ELENA).read_bytes() == (text + "\r\n  - start: 2026-11-20\r\n    kind: hospital\r\n    reason: "
                                             "Hospital stay.\r\n    recorded_by: cm-jlee\r\n").encode("utf-8")


def test_a_missing_key_with_nothing_after_it_goes_at_the_end(repo):
    text = repo.read(ELENA).replace(STATUS, "").rstrip("\n")  # no `status`, no line end at the end
    repo.write(ELENA, text)
    assert run(repo.root, *HOLD, "--write").exit_code == 0
    assert repo.read(ELENA) == text + ("\nholds:\n  - start: 2026-11-20\n    kind: hospital\n    reason: Hospital stay.\n"
                                       "    recorded_by: cm-jlee\n")


def test_a_missing_key_goes_above_the_comment_that_introduces_the_next_key(repo):
    text = repo.read(ELENA).replace(STATUS, "#   - staff: cm-id     (an example of the list above)\n\n"
                                            "# Her status:\n" + STATUS)
    repo.write(ELENA, text)
    assert run(repo.root, *HOLD, "--write").exit_code == 0
    assert repo.read(ELENA) == text.replace("\n\n# Her status:\n", "\n\nholds:\n  - start: 2026-11-20\n    kind: "
                                            "hospital\n    reason: Hospital stay.\n    recorded_by: cm-jlee\n"
                                            "# Her status:\n")


def test_a_transfer_in_a_list_in_braces_ends_the_entry_in_braces(repo):
    text = repo.read(ELENA)
    text = text[:text.index("case_managers:")] + ("case_managers: [{staff: cm-jlee, from: 2026-08-03, reason: Initial "
                                                   "assignment.}]  # one line\nstatus: active")
    repo.write(ELENA, text)
    done = pcplan_new(repo, "transfer", "M-000123", "--to", "cm-obello", "--from", "2026-11-21", "--reason",
                      "Left, again.", "--preference-unmet-reason", "None free.", "--write")
    assert done.exit_code == 0, done.stderr
    assert repo.read(ELENA) == text.replace(
        "from: 2026-08-03, reason: Initial assignment.}]",
        "from: 2026-08-03, to: 2026-11-20, reason: Initial assignment.}, {staff: cm-obello, from: 2026-11-21, "
        "chosen_by_member: false, preference_unmet_reason: None free., reason: 'Left, again.'}]")


# ---------------------------------------------------------------- a review


def test_a_review_goes_into_the_plan_in_effect_and_checks_clean(repo):
    before = repo.read(ELENA_PLAN)
    done = pcplan_new(repo, "review", "members/M-000123", "--date", "2026-10-15", "--by", "cm-jlee", "--outcome",
                      "continue", "--member-view", "Me gusta el plan; the aide is kind.", "--write")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == (
        "--- a/members/M-000123/plan-2026-09-03.yaml\n"
        "+++ b/members/M-000123/plan-2026-09-03.yaml\n"
        "@@ -114,7 +114,11 @@\n"
        "     - {type: face_to_face, every: 3 months}\n"
        "     - {type: phone, every: 1 month}\n"
        "   review_every: 6 months\n"
        "-reviews: []                        # periodic reviews held since the plan was signed\n"
        "+reviews:                           # periodic reviews held since the plan was signed\n"
        "+  - date: 2026-10-15\n"
        "+    by: cm-jlee\n"
        "+    outcome: continue\n"
        "+    member_view: Me gusta el plan; the aide is kind.\n"
        " signatures:\n"
        "   - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n"
        "   - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03, method: wet}\n")
    assert done.stderr == "pcplan: wrote members/M-000123/plan-2026-09-03.yaml\n"
    after = repo.read(ELENA_PLAN)
    assert added_lines(before.replace("reviews: []", "reviews:   "), after) == [
        "  - date: 2026-10-15\n", "    by: cm-jlee\n", "    outcome: continue\n",
        "    member_view: Me gusta el plan; the aide is kind.\n"]
    assert clean(repo) == []


def test_a_review_after_a_note_that_raised_an_unmet_need_says_so(repo):
    done = pcplan_new(repo, "review", "M-000123", "--date", "2026-11-20", "--by", "cm-jlee", "--member-view",
                      "Bien.")
    assert done.exit_code == 0, done.stderr
    assert "+    # unmet_needs:  # how this review took up each need raised in a note since the last (L110):\n" \
           "+    #   - raised_on: 2026-10-29\n" \
           "+    #     goal: G1  # or referral: where to, or deferred: why\n" in done.stdout
    assert done.stderr.startswith("pcplan: notes since the last review raised unmet needs (2026-10-29); record under "
                                  "the review's `unmet_needs` how it took up each (L110)\n")


def test_a_review_in_a_list_of_entries_in_braces_is_one_too(repo):
    before = repo.read(DANNY_PLAN)
    done = pcplan_new(repo, "review", "M-000207", "--date", "2026-11-20", "--by", "cm-obello", "--member-view",
                      "Danny says: fine, all good [mostly].", "--write")
    assert done.exit_code == 0, done.stderr
    assert added_lines(before, repo.read(DANNY_PLAN)) == [
        "  - {date: 2026-11-20, by: cm-obello, member_view: 'Danny says: fine, all good [mostly].'}\n"]
    assert clean(repo, "members/M-000207") == []


# ---------------------------------------------------------------- a transfer


def test_a_transfer_ends_the_assignment_records_the_choice_and_checks_clean(repo):
    repo.edit(ELENA_PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    before = repo.read(ELENA)
    args = ("transfer", "M-000123", "--to", "cm-obello", "--from", "2026-11-21", "--reason", "Jordan Lee left.",
            "--assigned-by", "sup-amartin")
    refused = pcplan_new(repo, *args)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (
        "pcplan: --preference-unmet-reason: the member needs an interpreter and prefers `es`, and `cm-obello` does "
        "not speak it (staff.yaml `languages`); say why, as explained to the member (C309)\n")
    done = pcplan_new(repo, *args, "--preference-unmet-reason", "No Spanish-speaking case manager has room; an "
                      "interpreter joins every contact.", "--write")
    assert done.exit_code == 0, done.stderr
    assert added_lines(before, repo.read(ELENA)) == [
        "    to: 2026-11-20\n",
        "  - staff: cm-obello\n", "    from: 2026-11-21\n", "    assigned_by: sup-amartin\n",
        "    chosen_by_member: false\n",
        "    preference_unmet_reason: No Spanish-speaking case manager has room; an interpreter joins every contact.\n",
        "    reason: Jordan Lee left.\n"]
    assert clean(repo) == []


def test_standing_preferences_are_asked_for_at_a_transfer(repo):
    repo.edit(DANNY_PLAN, "  responsible: cm-obello\n", "  responsible: case_manager\n")
    args = ("transfer", "members/M-000207", "--to", "cm-jlee", "--from", "2026-11-21", "--reason",
            "Olu Bello moved to another team.")
    refused = pcplan_new(repo, *args)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "pcplan: the member did not choose `cm-jlee` and voiced preferences at case-manager assignment 2: pass "
        "--preferences-met when `cm-jlee` meets them, or --preference-unmet-reason with why not (C309)\n")
    done = pcplan_new(repo, *args, "--preferences-met", "--write")
    assert done.exit_code == 0, done.stderr
    assert "+    to: 2026-11-20\n" in done.stdout
    assert "+    chosen_by_member: false\n+    preferences_met: true\n+    reason: Olu Bello moved to another team.\n" \
        in done.stdout
    assert clean(repo, "members/M-000207") == []


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(("args", "message"), [
    (("review", "M-000123", "--date", "2026-11-20", "--by", "cm-jle", "--member-view", "Bien."),
     "--by: `cm-jle` is not in staff.yaml; did you mean `cm-jlee`?"),
    (("review", "M-000123", "--date", "2026-11-20", "--by", "nobody", "--member-view", "Bien."),
     "--by: `nobody` is not in staff.yaml, which lists cm-jlee, cm-obello, sup-amartin; add the person there first"),
    (("transfer", "M-000123", "--to", "cm-gone", "--from", "2026-11-21", "--reason", "Left."),
     "--to: `cm-gone` left the agency on 2026-11-01 (staff.yaml `left_on`), before this record's day; name who "
     "does it now"),
    (("review", "M-000123", "--date", "2026-13-01", "--by", "cm-jlee", "--member-view", "Bien."),
     "--date: `2026-13-01` is not a date (YYYY-MM-DD, such as 2026-11-22)"),
    (("review", "M-000123", "--date", "2026-08-25", "--by", "cm-jlee", "--member-view", "Bien."),
     "no plan of member M-000123 is in effect on 2026-08-25; a review is recorded in the plan in effect that day "
     "(a consented plan whose period holds it)"),
    (("review", "M-000123", "--date", "2026-11-25", "--by", "cm-jlee", "--member-view", "Bien."),
     "--date: 2026-11-25 is after today (2026-11-22); a review is recorded once it is held"),
    (("hold", "M-000123", "--kind", "hospitl", "--start", "2026-11-20", "--reason", "Stay."),
     "--kind must be one of hospital, nursing_facility, incarceration, travel, member_request, other, not "
     "`hospitl`; did you mean `hospital`?"),
    (("hold", "members", "--kind", "hospital", "--start", "2026-11-20", "--reason", "Stay."),
     "members: not in a member folder (a folder holding member.yaml); name one, or pass --member ID"),
    (("hold", "M-000999", "--kind", "hospital", "--start", "2026-11-20", "--reason", "Stay."),
     "no member.yaml under . has the id `M-000999`"),
    (("transfer", "M-000123", "--to", "cm-jlee", "--from", "2026-11-21", "--reason", "Again."),
     "--to: `cm-jlee` is already the member's case manager on 2026-11-21"),
    (("hold", "M-000123", "--to", "cm-jlee"), "--to is for `pcplan new transfer`, not `hold`"),
    (("note", "M-000123", "--start", "2026-11-20"), "--start is for `pcplan new hold`, not `note`"),
    (("note", "members/M-000123", "--write"),
     "--write is for `pcplan new hold / transfer / review / enrollment` (a new file is always written)"),
])
def test_what_cannot_be_recorded_is_refused_in_one_line(repo, args, message):
    repo.write("staff.yaml", repo.read("staff.yaml") + "  - {id: cm-gone, name: Gone, role: case_manager, "
               "hire_date: 2020-01-01, left_on: 2026-11-01}\n")
    before = {p: repo.read(p) for p in (ELENA, ELENA_PLAN)}
    result = pcplan_new(repo, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"pcplan: {message}\n")
    assert {p: repo.read(p) for p in before} == before


# ---------------------------------------------------------------- in a terminal


@pytest.fixture
def terminal(monkeypatch):
    real = new.asker
    monkeypatch.setattr(new, "asker", lambda _tty=None: real(True))
    monkeypatch.setattr(entries, "in_terminal", lambda: True)


def test_in_a_terminal_what_is_missing_is_asked_offering_what_is_known(repo, terminal):
    result = CliRunner().invoke(app, ["new", "hold", str(repo.root / "members/M-000123"), *DAY],
                                input="hospitl\nhospital\n2026-11-20\n\nHospital stay.\n", catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Kind of hold (hospital, nursing_facility, incarceration, travel, member_request, other):" in result.stderr
    assert "Please answer one of: hospital, nursing_facility, incarceration, travel, member_request, other (did " \
        "you mean `hospital`?)." in result.stderr
    assert "First day of the hold (YYYY-MM-DD; today is 2026-11-22):" in result.stderr
    assert "+  - start: 2026-11-20\n+    kind: hospital\n+    reason: Hospital stay.\n" in result.stdout

    transfer = CliRunner().invoke(app, ["new", "transfer", str(repo.root / "members/M-000123"), *DAY],
                                  input="2026-11-21\ncm-obello\nJordan Lee left.\nno\n\n\nNobody speaks Spanish.\n",
                                  catch_exceptions=False)
    assert transfer.exit_code == 0, transfer.stderr
    assert "New case manager (a staff id) (cm-jlee, cm-obello, sup-amartin):" in transfer.stderr
    assert "Did the member choose `cm-obello`? (yes, no):" in transfer.stderr
    assert "The member needs an interpreter and prefers `es`, and `cm-obello` does not speak it (staff.yaml " \
        "`languages`): why, as explained to the member:" in transfer.stderr
    assert "+    chosen_by_member: false\n+    preference_unmet_reason: Nobody speaks Spanish.\n" in transfer.stdout


# ---------------------------------------------------------------- episodes: enrollment and a later closure


def test_a_second_episode_has_its_enrollment_and_its_own_closure(repo):
    first = run(repo.root, "new", "closure", "members/M-000123", "--reason", "moved", "--today", "2026-11-25")
    assert (first.exit_code, first.stdout) == (0, "members/M-000123/closure.yaml\n")
    again = run(repo.root, "new", "closure", "members/M-000123", "--reason", "moved", "--today", "2026-12-01")
    assert again.exit_code == 2
    assert again.stderr == ("pcplan: members/M-000123/closure.yaml: the case is already closed; a member who comes "
                            "back is re-enrolled (a new `programs` entry with `enrolled_on`) before a new closure\n")
    before = repo.read(ELENA)
    enrolled = run(repo.root, "new", "enrollment", "M-000123", "--program", "HCBS-EBD", "--date", "2026-12-10",
                   "--referral-source", "Elena called the agency herself.", "--determined-on", "2026-12-08",
                   "--determined-by", "cm-jlee", "--basis", "Level of care confirmed again.", "--write",
                   "--today", "2026-12-10")
    assert enrolled.exit_code == 0, enrolled.stderr
    assert added_lines(before, repo.read(ELENA)) == [
        "  - program: HCBS-EBD\n", "    eligibility:\n", "      determined_on: 2026-12-08\n",
        "      determined_by: cm-jlee\n", "      basis: Level of care confirmed again.\n",
        "    enrolled_on: 2026-12-10\n", "    referral_source: Elena called the agency herself.\n"]
    assert enrolled.stderr == (
        "pcplan: a new episode begins: set `status: active` in member.yaml, record the day rights were explained and "
        "a choice of case manager offered again (`rights_explained_on`, `choice_of_case_manager_offered_on`: C306, "
        "C307), and the case manager with pcplan new transfer; pcplan new never changes a value already there\n"
        "pcplan: wrote members/M-000123/member.yaml\n")
    second = run(repo.root, "new", "closure", "members/M-000123", "--reason", "goals_met", "--today", "2027-01-15")
    assert (second.exit_code, second.stdout) == (0, "members/M-000123/closure-2027-01-15.yaml\n")


def test_an_enrollment_without_eligibility_leaves_it_to_fill_in(repo):
    done = pcplan_new(repo, "enrollment", "M-000123", "--program", "OAA-III", "--date", "2026-11-22")
    assert done.exit_code == 0, done.stderr
    assert ("+  - program: OAA-III\n+    enrolled_on: 2026-11-22\n"
            "+    # eligibility:  # how eligibility was determined (A607):\n"
            "+    #   determined_on: 2026-11-22\n"
            "+    #   determined_by: cm-id  # a staff id, or the body that determined it\n"
            "+    #   basis: why the member is eligible, in a sentence or two\n") in done.stdout
    assert done.stderr.startswith("pcplan: record how eligibility was determined under the entry's `eligibility` "
                                  "(determined_on, determined_by, basis: A607)\n")


def test_the_diff_names_the_file_from_where_the_user_stands(repo):
    result = run(repo.root / "members", *HOLD[:2], "M-000123/member.yaml", *HOLD[3:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("--- a/M-000123/member.yaml\n+++ b/M-000123/member.yaml\n")
