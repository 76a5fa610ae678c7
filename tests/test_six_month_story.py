"""Six months of one member's case, recorded truthfully and committed through the pre-commit hook.

Elena's case (the reference member M-000123) is lived from her plan's signing on 2026-09-03 to her
re-enrollment in April 2027, one commit per event, the way a case manager records it: a copy handed
over at the signing meeting, providers signing three weeks later, monthly calls, an unedited note, a
missed month and the catch-up call, her case manager leaving and a transfer, a hospital stay with a
collateral call and the review after discharge, a closure when she moves away and her return. The moments
recorded inside her files (the transfer, the hold and its end, the review, the re-enrollment and her case manager
again) are recorded with `pcplan new hold|transfer|review|enrollment --write`, and the closure is started with
`pcplan new closure`; only values already there (`status`, the new episode's dates) are changed by hand.

At every step the commit goes through the hook's own entry (`pcplan check --member-folders FILES`,
as `.pre-commit-hooks.yaml` runs it) with the day as `PCPLAN_TODAY`, and then the whole folder is
checked: where the practice was sound the check is clean, and where it was not (a month without a
call, a note left empty, a note written by someone who had left) the right finding stands at the right
place — and recording the late work is never refused. A transfer that ignores her standing request is
refused by `pcplan new transfer` before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_CASES
from pcplan.cli import app

MEMBER = "members/M-000123/member.yaml"
PLAN = "members/M-000123/plan-2026-09-03.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the story commits through git")


@dataclass
class Story:
    root: Path
    hook_said: str = ""  # what the last run of the hook printed (for a failing assertion's message)

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return relative

    def edit(self, relative: str, old: str, new: str) -> str:
        text = self.read(relative)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
        return self.write(relative, text.replace(old, new))

    def at(self, relative: str, snippet: str, offset: int = 0) -> tuple[str, int, int]:
        text = self.read(relative)
        index = text.index(snippet) + offset
        return relative, text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1

    def _cli(self, args: list[str], day: str):
        old = os.getcwd()
        os.chdir(self.root)
        try:
            return CliRunner().invoke(app, args, env={"PCPLAN_TODAY": day, "CI": None}, catch_exceptions=False)
        finally:
            os.chdir(old)

    def new(self, day: str, *args: str) -> str:
        """`pcplan new ARGS --write` as the case manager runs it that day; what it printed (the diff)."""
        result = self._cli(["new", *args, "--write"], day)
        assert result.exit_code == 0, result.output
        return result.stdout

    def commit(self, day: str, *changed: str) -> int:
        """Stage the files and run the hook's entry on them, as pre-commit does; commit when it passes."""
        _git(self.root, "add", *changed)
        hook = self._cli(["check", "--no-cache", "--member-folders", "-f", "concise", *changed], day)
        assert "Traceback" not in hook.output
        self.hook_said = hook.output
        if hook.exit_code == 0:
            _git(self.root, "commit", "-q", "-m", f"{day}: {', '.join(changed)}")
        else:
            _git(self.root, "reset", "-q")
        return hook.exit_code

    def findings(self, day: str) -> list[tuple]:
        """(code, severity, path, line, column) of every finding in Elena's folder, as of ``day``."""
        result = self._cli(["check", "--no-cache", "-f", "json", "members/M-000123"], day)
        assert result.exit_code in (0, 1), result.output
        return sorted((f["code"], f["severity"], f["path"], f["line"], f["column"])
                      for f in json.loads(result.stdout)["findings"])

    def related(self, day: str, code: str) -> list[tuple]:
        result = self._cli(["check", "--no-cache", "-f", "json", "members/M-000123"], day)
        return [(r["path"], r["line"], r["column"]) for f in json.loads(result.stdout)["findings"]
                if f["code"] == code for r in f.get("related", [])]


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "cm", "GIT_AUTHOR_EMAIL": "cm@example.org",
           "GIT_COMMITTER_NAME": "cm", "GIT_COMMITTER_EMAIL": "cm@example.org"}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env).stdout


def note(day: str, staff: str, contact: str, with_: str, text: str, goal: str = "G1") -> str:
    return (f"kind: note\nversion: 1\nmember: M-000123\ndate: {day}\nstaff: {staff}\ncontact: {contact}\n"
            f"with: [{with_}]\nminutes: 20\nprogress:\n  - goal: {goal}\n    text: {text}\n"
            f"unmet_needs: []\ntext: {text}\n")


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    """Elena's folder as it stood at the signing meeting: her record, her assessment and the signed plan."""
    root = tmp_path_factory.mktemp("story") / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    source = SAMPLE_CASES / "members" / "M-000123"
    (root / "members" / "M-000123").mkdir(parents=True)
    for name in ("member.yaml", "assessment-2026-08-20.yaml", "plan-2026-09-03.yaml"):
        shutil.copy(source / name, root / "members" / "M-000123" / name)
    told = Story(root)
    _git(root, "init", "-q")
    return told


def test_six_months_of_elena(story):
    s = story
    # --- 2026-09-03: the plan is signed at the meeting, and Elena and Rosa take their copies home that day.
    # The plan names no one person to monitor it: whoever is her case manager (the recommended form).
    # The providers have not signed yet, and their copies wait for their signatures.
    s.edit(PLAN, "  responsible: cm-jlee\n", "  responsible: case_manager\n")
    # (Her objectives run to their goals' targets, so no target passes during the story: T204 is not its subject.)
    text = s.read(PLAN)
    text = text.replace("        target_date: 2026-12-31\n", "        target_date: 2027-03-31\n")
    text = text.replace("        target_date: 2027-02-28\n", "        target_date: 2027-08-31\n")
    providers = [line for line in text.splitlines(True) if "role: provider" in line]
    assert len(providers) == 6  # three signatures, three copies
    for line in providers:
        text = text.replace(line, "")
    text = text.replace("given_on: 2026-09-10, format: large_print", "given_on: 2026-09-03, format: large_print")
    text = text.replace("given_on: 2026-09-10, format: print", "given_on: 2026-09-03, format: print")
    s.write(PLAN, text)
    assert s.commit("2026-09-03", MEMBER, PLAN, "members/M-000123/assessment-2026-08-20.yaml", "pcplan.toml",
                    "staff.yaml") == 0
    assert s.findings("2026-09-03") == []  # a provider's signature and copy are not late on the first day
    # The providers are slow: they sign on 2026-09-25, more than the 15 days the copy deadline allows after
    # Elena's signature. The copy given at the meeting is still on time: copies count from consent, and a
    # provider who signs later moves nothing.
    signed = [line.replace("2026-09-08", "2026-09-25").replace("2026-09-10", "2026-09-25")
              for line in providers if "signed_on" in line]
    copies = [line.replace("2026-09-10", "2026-09-25") for line in providers if "copy_given" in line]
    text = s.read(PLAN)
    text = text.replace("distribution:\n", "".join(signed) + "distribution:\n")
    text = text.replace("exceptions: []", "".join(copies) + "exceptions: []")
    s.write(PLAN, text)
    assert s.commit("2026-09-25", PLAN) == 0
    assert s.findings("2026-09-30") == []

    # --- October and November: a call, a home visit with Rosa, a call. Each commits and the folder is clean.
    calls = [("2026-10-01", "phone", "Elena", "Called Elena; no missed doses this month."),
             ("2026-10-29", "face_to_face", "Elena, Rosa Ruiz", "Home visit with Elena and Rosa; the aide comes on Saturdays now."),
             ("2026-11-18", "phone", "Elena", "Called Elena; the rides to the clinic went well.")]
    for day, contact, with_, said in calls:
        path = s.write(f"members/M-000123/notes/{day}.yaml", note(day, "cm-jlee", contact, with_, said))
        assert s.commit(day, path) == 0
        assert s.findings(day) == []

    # --- December passes with no call. On 2027-01-05 the gap is open: an error at the plan's monthly phone
    # requirement (not at any note), until a call is made.
    phone = s.at(PLAN, "{type: phone, every: 1 month}")
    assert s.findings("2027-01-05") == [("T205", "error", *phone)]

    # She starts the catch-up note with `pcplan new note` and commits it unedited: an empty note records
    # nothing, so it is N802 in the note (the hook refuses it) and it counts as no contact.
    new = s._cli(["new", "note", "members/M-000123", "--contact", "phone"], "2027-01-05")
    assert new.exit_code == 0, new.output
    empty = "members/M-000123/notes/2027-01-05.yaml"
    written = [line for line in s.read(empty).splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in written if "Elena" in line]  # `new` never says who took part
    assert s.commit("2027-01-05", empty) == 1
    assert sorted(code for code, *_ in s.findings("2027-01-05")) == ["N802", "T205"]
    assert ("T205", "error", *phone) in s.findings("2027-01-05")

    # She writes what happened (the call was the next day). The catch-up commits: the late call closes the
    # gap, which stays as history, a warning at the requirement with the call as its related location.
    os.remove(s.root / empty)
    late = s.write("members/M-000123/notes/2027-01-06.yaml",
                   note("2027-01-06", "cm-jlee", "phone", "Elena", "Called Elena after the holidays; all well."))
    assert s.commit("2027-01-06", late) == 0
    assert s.findings("2027-01-06") == [("T205", "warning", *phone)]
    assert s.related("2027-01-06", "T205") == [s.at(late, "date: 2027-01-06", 6)]

    # --- 2027-01-29: Jordan Lee's last day. She visits Elena, and the agency moves Elena to Olu Bello, who
    # does not speak Spanish. The first try at the transfer forgets Elena's standing request for a
    # Spanish-speaking case manager: C309, a warning, so the commit of the record is not refused.
    visit = s.write("members/M-000123/notes/2027-01-29.yaml",
                    note("2027-01-29", "cm-jlee", "face_to_face", "Elena", "Last visit with Elena; introduced Olu."))
    s.edit("staff.yaml", "    hire_date: 2024-05-01\n", "    hire_date: 2024-05-01\n    left_on: 2027-01-29\n")
    transfer = ["transfer", "M-000123", "--to", "cm-obello", "--from", "2027-01-30", "--assigned-by", "sup-amartin",
                "--reason", "Jordan Lee left the agency."]
    before = s.read(MEMBER)
    forgot = s._cli(["new", *transfer, "--write"], "2027-01-30")
    assert forgot.exit_code == 2 and s.read(MEMBER) == before
    assert forgot.stderr == ("pcplan: --preference-unmet-reason: the member needs an interpreter and prefers `es`, "
                             "and `cm-obello` does not speak it (staff.yaml `languages`); say why, as explained to "
                             "the member (C309)\n")
    # Recorded truthfully, with why the request could not be met, the transfer checks clean. Jordan's assignment
    # ends on her last day.
    diff = s.new("2027-01-30", *transfer, "--preference-unmet-reason",
                 "No Spanish-speaking case manager has room; an interpreter joins every contact.")
    assert "+    to: 2027-01-29\n" in diff and "+    chosen_by_member: false\n" in diff
    assert s.commit("2027-01-30", visit, "staff.yaml", MEMBER) == 0
    history = [("T205", "warning", *phone)]
    assert s.findings("2027-01-30") == history

    # A note dated after Jordan left, under her name, is A609 at the staff id; written by Olu it is clean.
    wrong = s.write("members/M-000123/notes/2027-02-03.yaml",
                    note("2027-02-03", "cm-jlee", "phone", "Elena", "Called Elena about the new case manager."))
    assert s.commit("2027-02-03", wrong) == 1
    assert ("A609", "error", *s.at(wrong, "staff: cm-jlee", 7)) in s.findings("2027-02-03")
    s.edit(wrong, "staff: cm-jlee", "staff: cm-obello")
    assert s.commit("2027-02-03", wrong) == 0
    assert s.findings("2027-02-03") == history

    # --- 2027-02-05 to 2027-02-19: a hospital stay. Contacts pause; a call with Rosa keeps in touch.
    diff = s.new("2027-02-05", "hold", "M-000123", "--kind", "hospital", "--start", "2027-02-05", "--reason",
                 "Hospital stay.")
    assert "+holds:\n+  - start: 2027-02-05\n+    kind: hospital\n+    reason: Hospital stay.\n" \
        "+    recorded_by: cm-obello\n" in diff
    s.edit(MEMBER, "status: active", "status: on_hold")  # a value already there: changed by hand, as pcplan says
    assert s.commit("2027-02-05", MEMBER) == 0
    rosa = s.write("members/M-000123/notes/2027-02-12.yaml",
                   note("2027-02-12", "cm-obello", "collateral", "Rosa Ruiz", "Rosa says Elena is recovering."))
    assert s.commit("2027-02-12", rosa) == 0
    assert s.findings("2027-02-12") == history
    # Discharge on 2027-02-19: a significant change, so a review is due within 30 days.
    assert "+    end: 2027-02-19\n" in s.new("2027-02-19", "hold", "M-000123", "--end", "2027-02-19")
    s.edit(MEMBER, "status: on_hold", "status: active")
    assert s.commit("2027-02-19", MEMBER) == 0
    call = s.write("members/M-000123/notes/2027-02-20.yaml",
                   note("2027-02-20", "cm-obello", "phone", "Elena, Hodan Ali (interpreter)", "Called Elena home from the hospital."))
    assert s.commit("2027-02-20", call) == 0
    t212 = s.findings("2027-03-22")  # no review 31 days after the discharge: T212 (and the six-month review)
    assert {f[0] for f in t212} >= {"T212", "T201"}
    # The review on 2027-03-01 with Elena, in her own words, answers both.
    s.new("2027-03-01", "review", "members/M-000123", "--date", "2027-03-01", "--by", "cm-obello", "--outcome",
          "continue", "--member-view", "I am glad to be home; I want the aide on Saturdays to stay.")
    assert "reviews:                           # periodic reviews held since the plan was signed\n" \
           "  - date: 2027-03-01\n    by: cm-obello\n    outcome: continue\n" \
           "    member_view: I am glad to be home; I want the aide on Saturdays to stay.\nsignatures:\n" in s.read(PLAN)
    assert s.commit("2027-03-01", PLAN) == 0
    assert s.findings("2027-03-02") == history

    # --- 2027-03-05: Elena moves to her daughter's in another county. The case closes.
    started = s._cli(["new", "closure", "members/M-000123", "--reason", "moved"], "2027-03-05")
    assert started.stdout == "members/M-000123/closure.yaml\n", started.output
    closure = "members/M-000123/closure.yaml"  # filled in with what happened at the exit interview
    s.edit(closure, "referrals: []", "exit_interview:\n  held_on: 2027-03-05\n  with: [Elena]\n"
           "  summary: Elena is moving to her daughter's in Larimer County.\n"
           "next_stage_plan: Her new county's case management agency takes the waiver case.\n"
           "referrals:\n  - {to: Larimer County case management agency, for: Her waiver case management, "
           "on: 2027-03-05}\n")
    s.edit(MEMBER, "status: active", "status: closed")
    assert s.commit("2027-03-05", closure, MEMBER) == 0, s.hook_said
    assert s.findings("2027-03-10") == history

    # --- 2027-04-12: she is back and enrolled again. The new episode starts afresh: rights explained and a
    # choice of case manager offered again, and the first assessment of the episode is an initial one.
    s.new("2027-04-12", "enrollment", "M-000123", "--program", "HCBS-EBD", "--date", "2027-04-12",
          "--determined-on", "2027-04-09", "--determined-by", "cm-obello", "--basis",
          "Level of care confirmed again on her return.", "--referral-source", "Elena called the agency herself.")
    # What is already there and changes with the new episode is changed by hand, as `new enrollment` says.
    s.edit(MEMBER, "rights_explained_on: 2026-08-03", "rights_explained_on: 2027-04-12")
    s.edit(MEMBER, "choice_of_case_manager_offered_on: 2026-08-03", "choice_of_case_manager_offered_on: 2027-04-12")
    s.edit(MEMBER, "status: closed", "status: active")
    # Her case manager again: Olu's earlier assignment ends with the closure of that episode.
    diff = s.new("2027-04-12", "transfer", "M-000123", "--to", "cm-obello", "--from", "2027-04-12",
                 "--assigned-by", "sup-amartin", "--chosen-by-member", "--preferences-met",
                 "--preference-unmet-reason", "Elena asked to keep Olu, with the interpreter.",
                 "--reason", "Re-enrollment.")
    assert "+    to: 2027-03-05\n" in diff
    assert s.commit("2027-04-12", MEMBER) == 0, s.hook_said
    assert s.findings("2027-04-20") == []  # the old episode's history stays with the old episode
    assessment = s._cli(["new", "assessment", "members/M-000123"], "2027-04-20")
    assert assessment.exit_code == 0, assessment.output
    written = s.read("members/M-000123/assessment-2027-04-20.yaml")
    assert "type: initial" in written
    # Nothing that did not happen is filled in: no participant is listed for her.
    assert "{name: Elena, role: member}" not in written.replace("# ", "#")
    # A month later with no assessment recorded, T210 says so.
    os.remove(s.root / "members/M-000123/assessment-2027-04-20.yaml")
    assert [f[0] for f in s.findings("2027-05-13")] == ["T210"]
