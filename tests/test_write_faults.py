"""Hostile input, third pass: writes and faults (issue 27, items 3, 6, 10, 17, 19, 23).

Each attack is made as an attacker (or a broken machine) would make it, end to end through the CLI:

* a link planted in the repository at the name a command writes (dangling or not, with and without
  --force), or as a folder on the way (`-o exports/…`, `export fhir -o exports/`, `new note` into a
  member folder, `notes/` or a note name that is a link), never sends the file out of the repository;
* /dev/full, a full disk (a tiny tmpfs, where mounting one is allowed), a name of 300 characters,
  `PYTHONIOENCODING=ascii` and standard output on /dev/full end in one `pcplan:` line naming the place
  and the reason, exit 2, no partial file and no traceback;
* GITHUB_STEP_SUMMARY naming a case file, a folder, a device or a missing folder;
* a template error never quotes the member's words; a run killed with SIGKILL leaves a temporary file
  that the very next write into the folder removes;
* the findings store spilling to a full TMPDIR or past the open-file limit keeps the findings in memory;
* `new member` ids that collide on Windows or macOS, and names YAML would read as something else.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import slow_except
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]
POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links, devices and signals as POSIX has them")
LONG = "a" * 300  # a name no common file system takes (255 bytes at most)
AMBIENT = ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PCPLAN_OUTPUT_FORMAT", "PCPLAN_TODAY", "PCPLAN_CACHE_DIR",
           "PCPLAN_SPILL_AT", "PYTHONIOENCODING")


def cli(cwd: Path, *args: str, env: dict | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), env={**{name: None for name in AMBIENT}, **(env or {})})
    finally:
        os.chdir(old)


def run(cwd: Path, *args: str, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    """`python -m pcplan ARGS` in a process of its own (the console entry point, as a user runs it)."""
    environment = {k: v for k, v in os.environ.items() if k not in AMBIENT}
    environment.update(env or {})
    options.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cwd, env=environment, stderr=subprocess.PIPE,
                          text=True, timeout=300, **options)


def one_line(result, code: int = 2) -> str:
    """The one `pcplan:` line a refused or failed write prints; fails on a traceback, another exit code or
    more lines."""
    exception = getattr(result, "exception", None)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    code_seen = result.exit_code if hasattr(result, "exit_code") else result.returncode
    output = (result.stdout or "") + (result.stderr or "")
    assert code_seen == code, output
    assert "Traceback" not in output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcplan: "), result.stderr
    return lines[0]


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".pcplan-tmp-*")]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the repository: where a planted link points. Nothing may appear in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


# Every command that writes a file the user names with -o (or --write-baseline), with the file name it writes.
WRITERS = {
    "check -o": (["check", *AS_OF, "--no-cache", "-o", "{t}"], "findings.txt"),
    "check --write-baseline": (["check", *AS_OF, "--no-cache", "--write-baseline", "{t}"], "baseline.json"),
    "render": (["render", "members/M-000207", "-f", "md", *AS_OF, "-o", "{t}"], "plan.md"),
    "due": (["due", *AS_OF, "--no-cache", "-o", "{t}"], "due.ics"),
    "report": (["report", *AS_OF, "--no-cache", "-o", "{t}"], "report.json"),
    "rules": (["rules", "-o", "{t}"], "rules.txt"),
    "rule": (["rule", "L101", "-o", "{t}"], "L101.md"),
    "export fhir": (["export", "fhir", "members/M-000207", *AS_OF, "--allow-incomplete", "-o", "{t}"], "M-000207.fhir.json"),
}


def writer(name: str, target: str) -> list[str]:
    args, _ = WRITERS[name]
    return [a.format(t=target) for a in args]


# ------------------------------------------------------------------------------------------ 3. planted links

@POSIX
@pytest.mark.parametrize("force", [False, True], ids=["", "--force"])
@pytest.mark.parametrize("command", list(WRITERS))
def test_a_dangling_link_planted_at_the_output_name_is_refused(repo, outside, command, force):
    name = WRITERS[command][1]
    (repo.root / name).symlink_to(outside / name)  # committed: the file would appear wherever it points
    result = cli(repo.root, *writer(command, name), *(["--force"] if force else []))
    assert one_line(result) == (f"pcplan: {name}: is a symbolic link; pcplan never writes through one, even with "
                                "--force (remove the link, or name another file)")
    assert files(outside) == []
    assert os.readlink(repo.root / name) == str(outside / name)  # the link itself left as it was
    assert temporaries(repo.root) == []


@POSIX
@pytest.mark.parametrize("command", list(WRITERS))
def test_a_link_to_an_existing_file_is_not_replaced_through_even_with_force(repo, outside, command):
    name = WRITERS[command][1]
    (outside / name).write_text("someone else's file\n", encoding="utf-8")
    (repo.root / name).symlink_to(outside / name)
    result = cli(repo.root, *writer(command, name), "--force")
    assert "is a symbolic link; pcplan never writes through one" in one_line(result)
    assert (outside / name).read_text(encoding="utf-8") == "someone else's file\n"
    assert (repo.root / name).is_symlink()


@POSIX
@pytest.mark.parametrize("command", list(WRITERS))
def test_a_planted_link_folder_on_the_way_is_refused(repo, outside, command):
    (repo.root / "exports").symlink_to(outside, target_is_directory=True)  # `-o exports/…`, as the README says
    name = WRITERS[command][1]
    result = cli(repo.root, *writer(command, f"exports/{name}"))
    line = one_line(result)
    assert line == (f"pcplan: exports/{name}: the folder exports is a symbolic link out of the repository; pcplan "
                    "never writes through one (name the folder it leads to yourself, or remove the link)")
    assert files(outside) == []


@POSIX
@pytest.mark.parametrize("args", [["export", "fhir", "members/M-000207", *AS_OF, "--allow-incomplete", "-o", "exports/"],
                                  ["export", "fhir", "members", *AS_OF, "--allow-incomplete", "-o", "exports/"],
                                  ["export", "fhir", "members", *AS_OF, "--allow-incomplete", "-o", "exports/deeper/"],
                                  ["render", "members/M-000207", *AS_OF, "-o", "exports"],
                                  ["schema", "-o", "exports"],
                                  ["schema", "-o", "exports/deeper"]],
                         ids=["export one", "export all", "export new folder", "render folder", "schema",
                              "schema new folder"])
def test_folder_outputs_through_a_planted_link_are_refused(repo, outside, args):
    (repo.root / "exports").symlink_to(outside, target_is_directory=True)
    result = cli(repo.root, *args)
    assert "the folder exports is a symbolic link out of the repository" in one_line(result)
    assert files(outside) == []  # not even an empty folder made through it


@POSIX
def test_a_deeper_link_and_dot_dot_after_a_link_are_followed_as_the_system_follows_them(repo, outside):
    """`printed/../x` after `printed` links out goes to the link's parent there, not back into the repository."""
    (outside / "sub").mkdir()
    (repo.root / "printed").symlink_to(outside / "sub", target_is_directory=True)
    result = cli(repo.root, "rules", "-o", "printed/../rules.txt")
    assert "the folder printed is a symbolic link out of the repository" in one_line(result)
    (repo.root / "reports" / "2026").mkdir(parents=True)
    (repo.root / "reports" / "2026" / "latest").symlink_to(outside, target_is_directory=True)
    result = cli(repo.root, "rules", "-o", str(repo.root / "reports" / "2026" / "latest" / "rules.txt"))
    assert f"the folder {repo.root}/reports/2026/latest is a symbolic link out of the repository" in one_line(result)
    assert files(outside) == ["sub"]


@POSIX
def test_links_the_user_owns_outside_any_repository_and_links_within_it_are_written_through(repo, tmp_path):
    """The attack is a link the repository holds: a folder the user names outside any repository, reached by
    the user's own link, is the user's choice; a link inside the repository to one of its own folders is too."""
    real = tmp_path / "real-reports"
    real.mkdir()
    (tmp_path / "my-reports").symlink_to(real, target_is_directory=True)
    result = cli(repo.root, "rules", "-o", str(tmp_path / "my-reports" / "rules.txt"))
    assert result.exit_code == 0, result.output
    assert (real / "rules.txt").is_file()
    (repo.root / "printed").mkdir()
    (repo.root / "latest").symlink_to(repo.root / "printed", target_is_directory=True)
    result = cli(repo.root, "rules", "-o", "latest/rules.txt")
    assert result.exit_code == 0, result.output
    assert (repo.root / "printed" / "rules.txt").is_file()


@POSIX
def test_the_system_names_of_standard_output_are_written_in_place(repo, tmp_path):
    """`-o /dev/stdout` is a link, but one the system gives the process: written through, never renamed over."""
    done = run(repo.root, "rules", "-o", "/dev/stdout")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("A601\t")
    with open(tmp_path / "redirected.txt", "w", encoding="utf-8") as stream:
        done = run(repo.root, "rule", "L101", "-o", "/dev/stdout", stdout=stream)
    assert done.returncode == 0, done.stderr
    assert "L101" in (tmp_path / "redirected.txt").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pcplan-tmp")] == []


# new note, new member, init: files made inside the repository go only through its own folders.

@POSIX
def test_new_note_into_a_member_folder_that_links_out_is_refused(repo, outside):
    shutil.copytree(repo.root / "members" / "M-000123", outside / "M-000999")
    (repo.root / "members" / "M-000999").symlink_to(outside / "M-000999", target_is_directory=True)
    before = files(outside)
    result = cli(repo.root, "new", "note", "members/M-000999", "--contact", "phone", *AS_OF)
    assert one_line(result) == ("pcplan: members/M-000999: the folder members/M-000999 is a symbolic link out of "
                                "the repository; pcplan never writes through one (name the folder it leads to "
                                "yourself, or remove the link)")
    assert files(outside) == before


@POSIX
@pytest.mark.parametrize("inside", [False, True], ids=["notes links out", "notes links to another member"])
def test_new_note_into_a_notes_folder_that_is_a_link_is_refused(repo, outside, inside):
    notes = repo.root / "members" / "M-000123" / "notes"
    shutil.rmtree(notes)
    elsewhere = repo.root / "members" / "M-000207" / "notes" if inside else outside / "notes"
    elsewhere.mkdir(exist_ok=True)
    before = files(elsewhere)
    notes.symlink_to(elsewhere, target_is_directory=True)
    result = cli(repo.root, "new", "note", "members/M-000123", "--contact", "phone", *AS_OF)
    line = one_line(result)
    assert "the folder" in line and "notes is a symbolic link" in line, line
    assert files(elsewhere) == before  # Elena's note is not written into Danny's folder, nor outside


@POSIX
def test_new_note_whose_name_is_a_planted_dangling_link_is_refused(repo, outside):
    (repo.root / "members" / "M-000123" / "notes" / "2026-11-22.yaml").symlink_to(outside / "note.yaml")
    result = cli(repo.root, "new", "note", "members/M-000123", "--contact", "phone", *AS_OF)
    assert one_line(result) == ("pcplan: members/M-000123/notes/2026-11-22.yaml: is a symbolic link; pcplan never "
                                "writes through one, even with --force (remove the link, or name another file)")
    assert files(outside) == []


@POSIX
@pytest.mark.parametrize("planted", ["folder", "members"])
def test_new_member_through_a_planted_link_is_refused(repo, outside, planted):
    if planted == "folder":  # the next member's folder, planted ahead as a dangling link
        (repo.root / "members" / "M-000302").symlink_to(outside / "M-000302", target_is_directory=True)
    else:  # the members folder itself
        shutil.move(repo.root / "members", outside / "members")
        (repo.root / "members").symlink_to(outside / "members", target_is_directory=True)
    before = files(outside)
    result = cli(repo.root, "new", "member", "--legal-name", "Lee Chan", "--preferred-name", "Lee", *AS_OF)
    assert "is a symbolic link" in one_line(result)
    assert files(outside) == before


@POSIX
def test_init_into_a_folder_with_a_planted_link_makes_nothing_through_it(tmp_path, outside):
    agency = tmp_path / "agency"
    agency.mkdir()
    (agency / ".github").symlink_to(outside, target_is_directory=True)  # a clone holding a planted link
    result = cli(tmp_path, "init", "agency", "--force", "--no-git", *AS_OF)
    assert "the folder" in one_line(result) and ".github is a symbolic link" in result.stderr
    assert files(outside) == []


# ------------------------------------------------------------------------------------ 17. write faults

@POSIX
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", list(WRITERS))
def test_dev_full_is_one_line(repo, command):
    result = cli(repo.root, *writer(command, "/dev/full"))
    assert one_line(result) == "pcplan: /dev/full: cannot write: no space left on the device (the disk is full)"
    assert temporaries(repo.root) == []


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_300_character_output_name_is_one_line_before_the_work(repo, command):
    ext = WRITERS[command][1].split(".", 1)[1]
    before = files(repo.root)
    result = cli(repo.root, *writer(command, f"{LONG}.{ext}"))
    assert one_line(result) == (f"pcplan: {LONG}.{ext}: cannot write: the name is too long for the file system (at "
                                "most 255 bytes a name on most)")
    assert files(repo.root) == before


@pytest.mark.parametrize("args", [["schema", "-o", LONG], ["export", "fhir", "members", *AS_OF, "--allow-incomplete", "-o", f"{LONG}/"],
                                  ["render", "members/M-000207", *AS_OF, "-o", f"{LONG}/"],
                                  ["new", "note", LONG, "--contact", "phone", *AS_OF],
                                  ["init", f"{LONG}/agency", "--no-git", *AS_OF]],
                         ids=["schema", "export folder", "render folder", "new note PATH", "init"])
def test_a_300_character_folder_name_is_one_line(repo, args):
    before = files(repo.root)
    line = one_line(cli(repo.root, *args))
    assert LONG in line and "the name is too long for the file system" in line, line
    assert files(repo.root) == before


def test_a_300_character_member_id_is_refused(repo):
    result = cli(repo.root, "new", "member", "--id", LONG, "--legal-name", "Lee Chan", "--preferred-name", "Lee",
                 *AS_OF)
    assert one_line(result) == (f"pcplan: --id: `{LONG}` is longer than 64 characters (it names the member's "
                                "folder)")
    assert not (repo.root / "members" / LONG[:200]).exists()


@POSIX
@pytest.mark.parametrize("args, env", slow_except([
    pytest.param(["due", *AS_OF, "--no-cache"], {"PYTHONIOENCODING": "ascii"}, id="due"),
    pytest.param(["rule", "L101"], {"PYTHONIOENCODING": "ascii"}, id="rule"),
    pytest.param(["rules"], {"PYTHONIOENCODING": "ascii"}, id="rules"),
], "due"))
def test_an_encoding_standard_output_cannot_hold_is_one_line(repo, args, env):
    done = run(repo.root, *args, env=env)
    line = one_line(done)
    assert re.fullmatch(r"pcplan: standard output: cannot write U\+[0-9A-F]{4,6} in its encoding \(ascii\); set "
                        r"PYTHONIOENCODING=utf-8 \(or a UTF-8 locale\), or write a file with -o FILE \(always "
                        r"UTF-8\)", line), line
    # with -o the file is UTF-8 whatever the terminal: the same command works
    written = run(repo.root, *args, "-o", "out.txt", env=env)
    assert written.returncode == 0 and "Traceback" not in written.stderr, written.stderr
    assert (repo.root / "out.txt").read_text(encoding="utf-8")


@POSIX
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", slow_except([pytest.param(a, id=a[0]) for a in [
    ["due", *AS_OF, "--no-cache"], ["rules"], ["rule", "L101"], ["check", *AS_OF, "--no-cache", "-f", "json"],
    ["report", *AS_OF, "--no-cache"]]], "check"))
def test_standard_output_on_dev_full_is_one_line(repo, args):
    with open("/dev/full", "w") as full:
        done = run(repo.root, *args, stdout=full)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr == "pcplan: standard output: cannot write: no space left on the device (the disk is full)\n"


# A full disk: a tiny tmpfs, filled. Mounting needs root (or a user namespace): skipped where it is not allowed.

def _fill(folder: Path) -> None:
    fd = os.open(folder / "fill", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


@pytest.fixture
def full_disk(tmp_path: Path):
    if os.name != "posix" or shutil.which("mount") is None:
        pytest.skip("needs mount")
    folder = tmp_path / "tiny"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root, or not permitted)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_full_disk_leaves_no_partial_file(repo, full_disk, command):
    name = WRITERS[command][1]
    (full_disk / name).write_text("the previous file\n", encoding="utf-8")
    _fill(full_disk)
    result = cli(repo.root, *writer(command, str(full_disk / name)), "--force")
    assert one_line(result) == (f"pcplan: {full_disk / name}: cannot write: no space left on the device (the disk "
                                "is full)")
    assert sorted(p.name for p in full_disk.iterdir()) == sorted(["fill", name])  # no temporary file left
    assert (full_disk / name).read_text(encoding="utf-8") == "the previous file\n"  # and the old one whole


def test_new_member_on_a_full_disk_leaves_no_member_folder_behind(repo, full_disk):
    root = full_disk / "cases"
    root.mkdir()
    shutil.copy(repo.root / "pcplan.toml", root)
    shutil.copy(repo.root / "staff.yaml", root)
    _fill(full_disk)
    result = cli(root, "new", "member", "--id", "M-000001", "--legal-name", "Lee Chan", "--preferred-name", "Lee",
                 *AS_OF)
    line = one_line(result)
    assert line.endswith("member.yaml: cannot write: no space left on the device (the disk is full)"), line
    assert sorted(p.name for p in root.iterdir()) == ["pcplan.toml", "staff.yaml"]  # the next try is not blocked


# ------------------------------------------------------------------------- 6. GITHUB_STEP_SUMMARY

def _github(repo, summary: str, tmp_path: Path):
    return cli(repo.root, "check", *AS_OF, "--no-cache", "-f", "github",
               env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary})


@pytest.mark.parametrize("summary, why", [
    ("members/M-000123/member.yaml", "a case file or pcplan's configuration, never written by a check"),
    ("pcplan.toml", "a case file or pcplan's configuration, never written by a check"),
    ("staff.yml", "a case file or pcplan's configuration, never written by a check"),
    ("README.md", "inside the repository being checked; the runner's summary file is outside it"),
    ("{tmp}", "not a regular file (a folder, a device or a pipe)"),
    ("{tmp}/missing/summary.md", "no such file or folder"),
])
def test_a_step_summary_that_must_not_or_cannot_be_written_is_one_notice(repo, tmp_path, summary, why):
    before = {p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file()}
    target = summary.format(tmp=tmp_path)
    result = _github(repo, target, tmp_path)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output  # the check's own exit code: the reference members are clean
    assert result.stderr == f"pcplan: GITHUB_STEP_SUMMARY ({target}): not written: {why}\n"
    assert {p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "missing").exists()


@POSIX
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_step_summary_on_a_device_or_a_link_is_one_notice(repo, tmp_path, outside):
    result = _github(repo, "/dev/full", tmp_path)
    assert result.exit_code == 0
    assert result.stderr == ("pcplan: GITHUB_STEP_SUMMARY (/dev/full): not written: not a regular file (a folder, a "
                             "device or a pipe)\n")
    (tmp_path / "summary.md").symlink_to(outside / "summary.md")
    result = _github(repo, str(tmp_path / "summary.md"), tmp_path)
    assert result.exit_code == 0
    assert "not written: a symbolic link; pcplan never writes through one" in result.stderr
    assert files(outside) == []


def test_a_step_summary_is_appended_to_the_runners_file(repo, tmp_path):
    summary = tmp_path / "step_summary_1"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    result = _github(repo, str(summary), tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    assert summary.read_text(encoding="utf-8").startswith("## an earlier step\n## pcplan check\n")


def test_a_step_summary_on_a_full_disk_is_undone(repo, full_disk):
    summary = full_disk / "step_summary_1"
    summary.write_bytes(b"x" * 4096)  # a whole page: the table needs a new one, which the full disk refuses
    _fill(full_disk)
    result = cli(repo.root, "check", *AS_OF, "--no-cache", "-f", "github",
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0
    assert result.stderr == (f"pcplan: GITHUB_STEP_SUMMARY ({summary}): not written: no space left on the device "
                             "(the disk is full)\n")
    assert summary.read_bytes() == b"x" * 4096  # no half table


# ------------------------------------------------------------------------------ 10. templates, SIGKILL

DANNY = "members/M-000207"


def _agency_template(repo, text: str) -> None:
    repo.write("agency-templates/plan.md.j2", text)
    repo.write("pcplan.toml", 'templates = "agency-templates"\n' + repo.read("pcplan.toml"))


@pytest.mark.parametrize("template, said", [
    ("{% include plan.preferred_name %}", "template not found: a name the template made from the record (not shown)"),
    ('{% include [plan.preferred_name, "other.md.j2"] %}',
     "template not found: a name the template made from the record (not shown)"),
    ('{% extends plan.preferred_name ~ ".md.j2" %}',
     "template not found: a name the template made from the record (not shown)"),
    ('{{ {"a": 1}[plan.preferred_name] }}', "template error: 'dict object' has no attribute (a value from the record)"),
    ("{{ plan[plan.preferred_name] }}",
     "template error: 'pcplan.render.view.PlanView object' has no attribute (a value from the record)"),
    ('{% include "missing.md.j2" %}', "template not found: missing.md.j2"),  # the template's own words: named
    ("{{ plan.no_such_field }}", "template error: 'pcplan.render.view.PlanView object' has no attribute "
                                 "'no_such_field'"),
], ids=["include", "include list", "extends", "dict key", "attribute", "literal name", "field name"])
def test_a_template_error_never_quotes_the_member(repo, tmp_path, template, said):
    _agency_template(repo, "# Plan\n" + template + "\n")
    result = cli(repo.root, "render", DANNY, "-f", "md", "--lang", "en", *AS_OF, "-o", str(tmp_path / "plan.md"))
    assert one_line(result) == f"pcplan: agency-templates/plan.md.j2:2: {said}"
    assert "Danny" not in result.output
    assert not (tmp_path / "plan.md").exists()


KILL_AT_FSYNC = '''
import os, signal
_real = os.fsync
def fsync(fd):
    if os.readlink(f"/proc/self/fd/{fd}").endswith(os.environ["PCPLAN_KILL_AT"]):
        os.kill(os.getpid(), signal.SIGKILL)  # the member's plan is in the temporary file, nothing renamed yet
    return _real(fd)
os.fsync = fsync
'''


@POSIX
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see which file is synced")
def test_a_render_killed_with_sigkill_leaves_a_file_the_very_next_write_removes(repo, tmp_path):
    out = tmp_path / "printed"
    out.mkdir()
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(KILL_AT_FSYNC, encoding="utf-8")
    env = {"PCPLAN_KILL_AT": "plan.md",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(patch), os.environ.get("PYTHONPATH")]))}
    killed = run(repo.root, "render", DANNY, "-f", "md", *AS_OF, "-o", str(out / "plan.md"), env=env)
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(".pcplan-tmp-") and left[0].endswith("-plan.md")
    assert "Danny" in (out / left[0]).read_text(encoding="utf-8")  # why it must not stay: the member's plan
    # At once (no waiting a minute), any write into the folder removes it: its process is gone, its lock free.
    result = cli(repo.root, "rules", "-o", str(out / "rules.txt"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["rules.txt"]


@POSIX
def test_a_temporary_file_another_run_is_writing_is_kept(tmp_path):
    """On a shared folder, another machine's run (its pid unknown here) holds its file's lock: never removed."""
    import fcntl

    from pcplan.output import remove_stale_temporaries

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    writing = tmp_path / f".pcplan-tmp-{child.pid}-0123abcd-plan.html"
    writing.write_text("half a plan\n", encoding="utf-8")
    left = tmp_path / f".pcplan-tmp-{child.pid}-4567cdef-plan.html"
    left.write_text("half a plan\n", encoding="utf-8")
    holder = os.open(writing, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert remove_stale_temporaries(tmp_path) == [left.name]
    finally:
        os.close(holder)
    assert writing.exists() and not left.exists()
    then = time.time() - 3600
    os.utime(writing, (then, then))
    assert remove_stale_temporaries(tmp_path) == [writing.name]  # its lock let go: gone, whatever its age


# --------------------------------------------------------------------------------- 19. the spill store

def _concise(repo, env=None, **options) -> subprocess.CompletedProcess:
    return run(repo.root.parent, "check", *AS_OF, "--no-cache", "-f", "concise", "-j", "1", str(SAMPLES),
               env={"PCPLAN_SPILL_AT": "3", **(env or {})}, **options)


SAMPLES = Path(__file__).resolve().parents[1] / "sample_cases"
LIMIT_FILES = '''
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv.pop(1)),) * 2)
sys.argv[0] = "pcplan"
runpy.run_module("pcplan", run_name="__main__")
'''


@POSIX
def test_the_spill_store_on_a_full_tmpdir_keeps_the_findings_in_memory(repo, full_disk):
    expected = _concise(repo)
    assert expected.returncode == 1 and expected.stderr == ""
    (full_disk / "room").write_bytes(b"x" * 4096)  # a page: the probe that picks the folder still fits
    _fill(full_disk)
    os.unlink(full_disk / "room")
    done = _concise(repo, env={"TMPDIR": str(full_disk)})
    assert done.returncode == 1, done.stderr
    assert done.stdout == expected.stdout  # the same findings, the same order
    assert done.stderr == (f"pcplan: {full_disk}: cannot write findings to a temporary file there: no space left "
                           "on the device (the disk is full); keeping them in memory (set TMPDIR to a folder "
                           "with room)\n")


@POSIX
def test_the_spill_store_past_the_open_file_limit_keeps_the_findings_in_memory(repo, tmp_path):
    expected = _concise(repo)
    script = tmp_path / "limited.py"
    script.write_text(LIMIT_FILES, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "24", "check", *AS_OF, "--no-cache", "-f", "concise", "-j",
                           "1", str(SAMPLES)], cwd=repo.root.parent, capture_output=True, text=True, timeout=300,
                          env={**{k: v for k, v in os.environ.items() if k not in AMBIENT}, "PCPLAN_SPILL_AT": "1"})
    assert done.returncode == 1, done.stderr
    assert done.stdout == expected.stdout
    assert "Traceback" not in done.stderr
    assert re.fullmatch(r"pcplan: \S+: cannot write findings to a temporary file there: too many open files; "
                        r"keeping them in memory \(set TMPDIR to a folder with room\)\n", done.stderr), done.stderr


def test_the_spill_store_keeps_its_order_when_a_spill_fails(monkeypatch):
    import tempfile

    from pcplan import findings as store_module
    from pcplan.findings import Finding, FindingStore

    monkeypatch.setattr(store_module, "SPILL_AT", 2)
    monkeypatch.setattr(store_module, "_SAID", [])
    made = [Finding("E001", "x", "error", f"f{n % 5}.yaml", n % 7 + 1, 1, "m") for n in range(23)]
    calls = {"n": 0}
    real = tempfile.TemporaryFile

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:  # three runs on disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(store_module.tempfile, "TemporaryFile", failing)
    kept = FindingStore(made)
    assert kept.spilled == 0  # the three runs were read back into memory and closed
    assert list(kept) == sorted(made, key=lambda f: f.sort_key)
    assert len(store_module._SAID) == 1


# ------------------------------------------------------------------------- 23. ids and names new member writes

@pytest.mark.parametrize("member_id, why", [
    ("m-000123", "differs from the member id `M-000123` (M-000123) only in capitals or Unicode form: Windows and "
                 "macOS would take them for the same folder"),
    ("CON", "is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, with any extension): "
            "staff who clone the repository on Windows could not open the folder"),
    ("con.txt", None), ("Aux", None), ("NUL.tar.gz", None), ("COM1", None), ("lpt9", None), ("PRN.x", None),
    ("M-1.yaml", "ends in .yaml, the name of a case file, not a folder; give the id without it"),
    ("M-1.YML", "ends in .yaml, the name of a case file, not a folder; give the id without it"),
    ("M-1.", "ends in a dot, which Windows drops from a folder name; give the id without it"),
    ("M-" + "1" * 63, "is longer than 64 characters (it names the member's folder)"),
])
def test_new_member_refuses_ids_other_file_systems_cannot_keep_apart(repo, member_id, why):
    before = files(repo.root)
    result = cli(repo.root, "new", "member", "--id", member_id, "--legal-name", "Lee Chan", "--preferred-name", "Lee",
                 *AS_OF)
    line = one_line(result)
    if why is None:
        why = ("is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, with any extension): "
               "staff who clone the repository on Windows could not open the folder")
    assert line == f"pcplan: --id: `{member_id}` {why}"
    assert files(repo.root) == before


def test_new_member_refuses_an_id_that_a_folder_name_matches_after_normalization(repo):
    (repo.root / "members" / "Ｍ-000400").mkdir()  # a fullwidth M: the same name once normalized
    result = cli(repo.root, "new", "member", "--id", "m-000400", "--legal-name", "Lee", "--preferred-name", "Lee",
                 *AS_OF)
    assert one_line(result) == ("pcplan: --id: `m-000400` differs from the name `Ｍ-000400` in members only in "
                                "capitals or Unicode form: Windows and macOS would take them for the same folder")


def test_the_next_member_id_is_checked_too(repo):
    repo.edit("members/M-000123/member.yaml", "id: M-000123", "id: COM7")  # an agency numbering COM1, COM2…
    repo.edit("members/M-000207/member.yaml", "id: M-000207", "id: COM8")
    result = cli(repo.root, "new", "member", "--legal-name", "Lee", "--preferred-name", "Lee", *AS_OF)
    assert one_line(result).startswith("pcplan: the next member id, `COM9`, is a name Windows keeps for a device")
    ok = cli(repo.root, "new", "member", "--id", "M-000302", "--legal-name", "Lee", "--preferred-name", "Lee", *AS_OF)
    assert ok.exit_code == 0, ok.output


YAML_LOOKALIKES = ["2026-01-01", "2026-01-01T10:00:00Z", "yes", "No", "on", "OFF", "y", "N", "~", "null", "true",
                   "012", "0o17", "0x1F", "1e3", "1_000", "1:20", ".inf", "-.5", "<<", "=", "- x", "#1", "@x"]


@pytest.mark.parametrize("text", YAML_LOOKALIKES)
def test_new_member_writes_what_was_typed_as_text(repo, text):
    from pcplan.load import load_text

    result = cli(repo.root, "new", "member", "--id", "M-000400", "--legal-name", text, "--preferred-name", text,
                 "--program", text, *AS_OF)
    assert result.exit_code == 0, result.output
    written = repo.read("members/M-000400/member.yaml")
    for data in (yaml.safe_load(written), load_text(written).data):  # a YAML 1.1 tool, and pcplan's reader
        assert data["name"] == {"legal": text, "preferred": text}
        assert data["programs"][0]["program"] == text
    assert "\n  legal: 2026" not in written  # never a plain date
    # the scaffold's own dates stay plain, as case managers write them (a date to a YAML 1.1 tool)
    assert "    enrolled_on: 2026-11-22" in written
    assert yaml.safe_load(written)["programs"][0]["enrolled_on"] == date(2026, 11, 22)


def test_init_writes_an_agency_name_that_looks_like_a_date_as_text(tmp_path):
    result = cli(tmp_path, "init", "agency", "--agency", "2026-01-01", "--no-git", *AS_OF)
    assert result.exit_code == 0, result.output
    staff = (tmp_path / "agency" / "staff.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(staff)["organization"] == "2026-01-01"


def test_a_plan_carried_forward_keeps_its_dates_plain_and_its_words_text(repo):
    result = cli(repo.root, "new", "plan", "members/M-000123", "--from-previous", *AS_OF)
    assert result.exit_code == 0, result.output
    text = repo.read("members/M-000123/plan-2026-11-22.yaml")
    assert "    target_date: 2027-03-31\n" in text  # carried dates: plain, as in the plan they came from
    assert "'2027-03-31'" not in text


def test_the_scaffold_date_fields_come_from_the_schemas():
    from pcplan.scaffold.yamltext import date_fields, dump, scalar

    fields = date_fields()
    assert {"date", "start", "end", "target_date", "enrolled_on", "from", "signed_on"} <= fields
    assert "to" not in fields  # a date in one place (case_managers) and a person in another (distribution)
    assert dump({"legal": "2026-01-01", "from": "2026-11-22", "end": "2026-02-30", "d": date(2026, 1, 2)}) == (
        "legal: '2026-01-01'\nfrom: 2026-11-22\nend: '2026-02-30'\nd: 2026-01-02\n")
    assert scalar("2026-01-01") == "'2026-01-01'" and scalar("Lee") == "Lee"


def test_the_reference_repository_writes_as_before(repo, tmp_path):
    """What every command writes into an ordinary folder is unchanged: atomically, and nothing left beside it."""
    out = tmp_path / "out"
    out.mkdir()
    for command in WRITERS:
        name = WRITERS[command][1]
        result = cli(repo.root, *writer(command, str(out / name)))
        assert result.exit_code in (0, 1), (command, result.output)
    assert sorted(p.name for p in out.iterdir()) == sorted(name for _, name in WRITERS.values())
    json.loads((out / "baseline.json").read_text(encoding="utf-8"))
