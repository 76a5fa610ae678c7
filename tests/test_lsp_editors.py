"""`pcplan lsp` in the editors people have, and what it offers in a note (issue 22, item 6).

* Each Neovim set-up of docs/editors.md, taken from the page itself (so the page cannot drift from what is
  tested), runs in a real headless Neovim on a copy of a member's plan, and pcplan's diagnostics must arrive
  in Neovim. Every Neovim found is tried with every snippet meant for its version: ``nvim`` on the PATH, and
  the programs named in ``PCPLAN_TEST_NVIM`` (paths separated by the system's path separator), so CI can add
  other versions. Without Neovim, or without one of a snippet's versions, the test skips and says so.
* In a note, completion, hover and definition of a goal use the plan in effect on the note's date (the plan
  L102 checks the note against), not the newest plan of the folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_lsp_hostile import Wire, where

from conftest import ELENA_PLAN, PROJECT, CaseRepo, revision

EDITORS = PROJECT / "docs" / "editors.md"
NVIM_TIMEOUT = 60  # seconds a headless Neovim may take to start pcplan and receive its diagnostics


# === Neovim ======================================================================================

def neovim_snippets() -> dict[str, str]:
    """The Lua blocks of the Neovim section of docs/editors.md, by the versions line just before each
    (``Neovim 0.11 and later``)."""
    text = EDITORS.read_text(encoding="utf-8")
    section = text[text.index("\n## Neovim\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"\n(Neovim [^\n]*?):?\n+```lua\n(.*?)```", section, re.S)
    return {heading: code for heading, code in blocks}


# The oldest Neovim each set-up runs on; each is tried on every Neovim here from that version on (the page says
# which to use: the 0.7 set-up runs on 0.11 too, deprecated there).
OLDEST = {"Neovim 0.11 and later, in `init.lua`": (0, 11), "Neovim 0.8 to 0.10": (0, 8),
          "Neovim 0.7 (Debian 12's)": (0, 7)}


def test_the_page_has_a_set_up_for_each_range_of_versions():
    assert list(neovim_snippets()) == list(OLDEST)


def _neovims() -> dict[tuple[int, int], str]:
    """Each Neovim this machine has, by its (major, minor) version."""
    found: dict[tuple[int, int], str] = {}
    candidates = [shutil.which("nvim")] + os.environ.get("PCPLAN_TEST_NVIM", "").split(os.pathsep)
    for program in filter(None, candidates):
        try:
            head = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        match = re.match(r"NVIM v(\d+)\.(\d+)", head)
        if match:
            found.setdefault((int(match[1]), int(match[2])), program)
    return found


NEOVIMS = _neovims()


def _runs(heading: str) -> list:
    """A (set-up, Neovim) case for each Neovim here the set-up runs on; a skipped case when there is none."""
    oldest = OLDEST[heading]
    name = heading.split(",")[0].split(" (")[0].replace(" ", "-")
    fitting = [(version, program) for version, program in sorted(NEOVIMS.items()) if version >= oldest]
    if not fitting:
        have = ", ".join(f"{v[0]}.{v[1]}" for v in sorted(NEOVIMS)) or "none"
        return [pytest.param(heading, None, id=f"{name}-no-neovim", marks=pytest.mark.skip(
            reason=f"no Neovim {oldest[0]}.{oldest[1]} or later here (found: {have}); name one in PCPLAN_TEST_NVIM"))]
    return [pytest.param(heading, program, id=f"{name}-on-{v[0]}.{v[1]}") for v, program in fitting]


# What Neovim runs after init.lua: open the plan, wait for pcplan's diagnostics, ask for a hover, and write what
# it saw to a file (filetype, servers attached, omnifunc, each diagnostic's code and place, the hover's first line).
PROBE = """
local out = assert(os.getenv('PCPLAN_PROBE_OUT'))
vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('PCPLAN_PROBE_FILE'))))
local function ours()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == 'pcplan' then table.insert(found, d) end
  end
  return found
end
local arrived = vim.wait(%(wait)d, function() return #ours() > 0 end, 50)
local clients = 0
for _ in pairs(vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = 0 }) or vim.lsp.buf_get_clients(0)) do
  clients = clients + 1
end
local lines = { 'filetype ' .. vim.bo.filetype, 'clients ' .. clients, 'omnifunc ' .. vim.bo.omnifunc }
for _, d in ipairs(ours()) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
  table.insert(lines, string.format('%%s %%d:%%d', code, d.lnum + 1, d.col + 1))
end
if not arrived then table.insert(lines, 'timeout') end
local params = { textDocument = { uri = vim.uri_from_bufnr(0) },
                 position = { line = %(line)d, character = %(character)d } }
local answers = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000) or {}
for _, answer in pairs(answers) do
  local result = answer.result
  if result and result.contents then
    table.insert(lines, 'hover ' .. vim.split(result.contents.value or '', '\\n')[1])
  end
end
vim.fn.writefile(lines, out)
vim.cmd('qall!')
"""


def _pcplan_on_path(tmp_path: Path) -> Path:
    """A folder with a `pcplan` that runs this checkout's pcplan with this Python, as an installed one would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "pcplan"
    script.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m pcplan \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


@pytest.mark.parametrize("heading, nvim", [run for heading in OLDEST for run in _runs(heading)])
def test_each_neovim_set_up_of_the_docs_shows_pcplans_diagnostics(heading, nvim, repo: CaseRepo, tmp_path):
    # A goal citing a need the assessment does not have (L102), and so need N1 addressed by no goal (L103),
    # where `pcplan check` puts them.
    repo.edit(ELENA_PLAN, "    needs: [N1]\n", "    needs: [N9]\n")
    line, column = repo.locate(ELENA_PLAN, "N9")
    goals = repo.locate(ELENA_PLAN, "\ngoals:", 1)
    config = tmp_path / "config" / "nvim"
    config.mkdir(parents=True)
    (config / "init.lua").write_text(neovim_snippets()[heading], encoding="utf-8")
    out = tmp_path / "probe.txt"
    probe = tmp_path / "probe.lua"
    probe.write_text(PROBE % {"wait": (NVIM_TIMEOUT - 20) * 1000, "line": line - 1, "character": column - 1},
                     encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PATH": os.pathsep.join([str(_pcplan_on_path(tmp_path)), os.environ.get("PATH", "")]),
           "PCPLAN_TODAY": "2026-11-22", "PCPLAN_PROBE_OUT": str(out), "PCPLAN_PROBE_FILE": str(repo.path(ELENA_PLAN))}
    # Neovim reads init.lua from its configuration folder as a person's does (no --clean, no -u), then the probe.
    result = subprocess.run([nvim, "--headless", "-c", f"luafile {probe}"], cwd=repo.root, env=env,
                            capture_output=True, text=True, timeout=NVIM_TIMEOUT, stdin=subprocess.DEVNULL)
    assert out.exists(), f"Neovim wrote no result (exit {result.returncode}): {result.stderr[-2000:]}"
    assert out.read_text(encoding="utf-8").splitlines() == [
        "filetype yaml", "clients 1", "omnifunc v:lua.vim.lsp.omnifunc", f"L103 {goals[0]}:{goals[1]}",
        f"L102 {line}:{column}",
        "hover No need `N9` in this member's record."], result.stderr[-2000:]


# === a note's goals: the plan in effect on the note's date =========================================

LATER = "2027-03-01"
NOTE_OF = "members/M-000123/notes/{day}.yaml"
NOTE = """kind: note
version: 1
member: M-000123
date: {day}
staff: cm-jlee
contact: phone
with: [Elena]
minutes: 20
progress:
  - goal: {goal}
    text: Talked about the week.
text: Called Elena.
"""


@pytest.fixture
def two_plans(repo: CaseRepo) -> CaseRepo:
    """Elena's P1 (in effect from 2026-09-03) and a revision P2 dated 2026-11-25 but signed by Elena, and so in
    effect, only from 2027-01-20. P2's third goal is G4 where P1 has G3."""
    revision(repo, date_="2026-11-25", start="2027-01-20",
             signatures="  - {role: member, name: Elena, signed_on: 2027-01-20, method: wet}\n")
    path = "members/M-000123/plan-2027-01-20.yaml"
    repo.write("members/M-000123/plan-2026-11-25.yaml", repo.read(path).replace("G3", "G4"))
    repo.path(path).unlink()
    return repo


def _note(repo: CaseRepo, day: str, goal: str) -> tuple[Path, str]:
    text = NOTE.format(day=day, goal=goal)
    return repo.write(NOTE_OF.format(day=day), text), text


def _session(repo: CaseRepo) -> Wire:
    wire = Wire(repo.root)
    wire.deadline += 10  # a whole member folder is read: more than the hostile tests' single requests
    wire.initialize(repo.root, options={"today": LATER})  # both notes written by then
    wire.notify("initialized", {})
    return wire


def _labels(answer: dict) -> list[str]:
    result = answer["result"] or {"items": []}
    return [item["label"] for item in result["items"]]


@pytest.mark.parametrize("day, offered, plan", [
    ("2026-12-15", ["G1", "G2", "G3"], "plan-2026-09-03.yaml"),  # P2 is dated before the note, not yet in effect
    ("2027-02-01", ["G1", "G2", "G4"], "plan-2026-11-25.yaml"),  # P2 in effect
])
def test_a_notes_goals_are_those_of_the_plan_in_effect_on_its_date(two_plans, day, offered, plan):
    path, text = _note(two_plans, day, "G1")
    wire = _session(two_plans)
    try:
        uri = wire.open(path)
        wire.diagnostics(uri)
        assert _labels(wire.at("textDocument/completion", uri, *where(text, "goal: G1", len("goal: ")))) == offered
        (target,) = wire.at("textDocument/definition", uri, *where(text, "G1"))["result"]
        assert target["uri"].endswith("/members/M-000123/" + plan)
        hover = wire.at("textDocument/hover", uri, *where(text, "G1"))["result"]["contents"]["value"]
        shown = plan.replace("-", "\\-").replace(".", "\\.")
        assert hover.startswith(f"**goal G1** · plan {'P1' if plan.endswith('09-03.yaml') else 'P2'} \\({shown}\\)")
        wire.still_answers()
    finally:
        wire.close()


def test_a_goal_of_a_later_plan_in_a_note_is_not_found_in_the_plan_in_effect(two_plans):
    # G4 is P2's, and P2 is not yet in effect on 2026-12-15: hover says where it looked, definition finds
    # nothing, and L102 reports it, as `pcplan check` does.
    path, text = _note(two_plans, "2026-12-15", "G4")
    wire = _session(two_plans)
    try:
        uri = wire.open(path)
        diagnostics = wire.diagnostics(uri)
        assert [(d["code"], d["message"]) for d in diagnostics] == [
            ("L102", "goal `G4` is not in plan P1, in effect on this date")]
        hover = wire.at("textDocument/hover", uri, *where(text, "G4"))["result"]["contents"]["value"]
        assert hover.startswith("No goal `G4` in plan P1 \\(plan\\-2026\\-09\\-03\\.yaml\\), in effect on 2026-12-15, "
                                "the note's date.\n\n---\n\n**L102 unknown-reference**")
        assert wire.at("textDocument/definition", uri, *where(text, "G4"))["result"] is None
        wire.still_answers()
    finally:
        wire.close()


def test_a_note_with_no_plan_in_effect_is_offered_the_newest_plan(two_plans):
    # Before P1 no plan is in effect (nor dated): the newest plan of the folder, P2, as before.
    path, text = _note(two_plans, "2026-09-01", "G1")
    wire = _session(two_plans)
    try:
        uri = wire.open(path)
        wire.diagnostics(uri)
        answer = wire.at("textDocument/completion", uri, *where(text, "goal: G1", len("goal: ")))
        assert _labels(answer) == ["G1", "G2", "G4"]
        wire.still_answers()
    finally:
        wire.close()
