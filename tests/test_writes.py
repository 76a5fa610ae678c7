"""What pcplan writes (issue 14, item 8; DESIGN.md §6 "never loses data").

* ``-o``, ``--output`` and ``--write-baseline`` of every command refuse an existing
  file without ``--force`` (``check -o pcplan.toml`` included), before the work;
* nothing is written into a git directory, recognised by what it holds (HEAD,
  objects/, refs/), not only by the name ``.git``: a bare ``x.git``, a
  ``--separate-git-dir`` target, a linked work tree's git directory, at the
  target or any folder above it;
* the temporary file is ``.pcplan-tmp-<pid>-<random>-<name>`` beside the target;
  an exception, SIGINT or SIGTERM removes it, and one left by a killed run
  (kill -9) is removed by the next write into that folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import slow_except
from pcplan.cli import app
from pcplan.output import OutputError, write_atomically

AS_OF = ["--today", "2026-11-22"]
POSIX = pytest.mark.skipif(os.name != "posix", reason="signals and pids as POSIX has them")
PREVIOUS = b"the previous file, which must survive\n"


def _cli(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), env={"CI": None, "GITHUB_ACTIONS": None,
                                                         "PCPLAN_OUTPUT_FORMAT": None}, catch_exceptions=False)
    finally:
        os.chdir(old)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# Every command that writes a file, with {out} for a folder and the file name it writes there.
WRITERS = [
    (["check", *AS_OF, "-o", "{out}/findings.txt"], "findings.txt"),
    (["check", *AS_OF, "-f", "json", "-o", "{out}/findings.json"], "findings.json"),
    (["check", *AS_OF, "-o", "{out}/findings.sarif"], "findings.sarif"),
    (["check", *AS_OF, "--write-baseline", "{out}/baseline.json"], "baseline.json"),
    (["due", *AS_OF, "-o", "{out}/due.ics"], "due.ics"),
    (["report", *AS_OF, "-o", "{out}/report.html"], "report.html"),
    (["rules", "-o", "{out}/rules.json"], "rules.json"),
    (["rule", "L101", "-o", "{out}/L101.md"], "L101.md"),
    (["render", "members/M-000123", "-f", "md", "-o", "{out}/plan.md", *AS_OF], "plan.md"),
    (["schema", "-o", "{out}"], "plan.schema.json"),
]
_ids = [" ".join(a[:1] + [a[-1].rsplit("/", 1)[-1]]) for a, _ in WRITERS]


@pytest.mark.parametrize("args, name", WRITERS, ids=_ids)
def test_no_output_replaces_an_existing_file_without_force(repo, tmp_path, args, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(PREVIOUS)
    args = [a.format(out=out) for a in args]
    result = _cli(repo.root, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"pcplan: {out / name}: exists; use --force to replace it\n"
    assert result.stdout == ""
    assert _files(out) == {name: PREVIOUS}  # nothing beside it either: refused before the work
    forced = _cli(repo.root, *args, "--force")
    assert forced.exit_code in (0, 1), forced.output  # check exits 1: the reference repository has findings
    assert (out / name).read_bytes() != PREVIOUS


def test_check_o_pcplan_toml_is_refused(repo):
    before = (repo.root / "pcplan.toml").read_bytes()
    result = _cli(repo.root, "check", *AS_OF, "-o", "pcplan.toml")
    assert result.exit_code == 2
    assert result.stderr == "pcplan: pcplan.toml: exists; use --force to replace it\n"
    assert (repo.root / "pcplan.toml").read_bytes() == before
    result = _cli(repo.root, "check", *AS_OF, "-o", "staff.yaml", "--force")  # a case file: never, even forced
    assert result.exit_code == 2
    assert result.stderr == "pcplan: staff.yaml: exists and may be a case file; pcplan never writes over one\n"


def test_check_o_to_a_new_file_needs_no_force_and_reruns_need_it(repo, tmp_path):
    target = tmp_path / "findings.json"
    assert _cli(repo.root, "check", *AS_OF, "-o", str(target)).exit_code == 0
    first = target.read_bytes()
    assert json.loads(first)["summary"]["findings"] == 0
    assert _cli(repo.root, "check", *AS_OF, "-o", str(target)).exit_code == 2
    assert _cli(repo.root, "check", *AS_OF, "-o", str(target), "--force").exit_code == 0
    assert target.read_bytes() == first


# -- git directories, by what they hold ------------------------------------------------------------------------

def _bare(folder: Path) -> Path:
    """What `git init --bare` makes, as far as recognising it goes (no git needed)."""
    (folder / "objects").mkdir(parents=True)
    (folder / "refs" / "heads").mkdir(parents=True)
    (folder / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return folder


def _worktree_gitdir(folder: Path) -> Path:
    """A linked work tree's git directory (`git worktree add`): HEAD and commondir, no objects of its own."""
    folder.mkdir(parents=True)
    (folder / "HEAD").write_text("ref: refs/heads/feature\n", encoding="utf-8")
    (folder / "commondir").write_text("../..\n", encoding="utf-8")
    (folder / "gitdir").write_text("/somewhere/else/.git\n", encoding="utf-8")
    return folder


GIT_DIRS = {
    "bare x.git": lambda root: _bare(root / "archive.git"),
    "bare without .git": lambda root: _bare(root / "mirror"),
    "separate git dir": lambda root: _bare(root / "store" / "cases-git"),
    "linked work tree": lambda root: _worktree_gitdir(root / "main.git" / "worktrees" / "feature"),
}
GIT_WRITERS = [
    ["check", *AS_OF, "-o", "{git}/findings.txt"],
    ["check", *AS_OF, "-o", "{git}/refs/heads/findings.txt"],  # deeper: a folder above is the git directory
    ["check", *AS_OF, "--write-baseline", "{git}/baseline.json"],
    ["due", *AS_OF, "-o", "{git}/due.ics"],
    ["report", *AS_OF, "-o", "{git}/report.json"],
    ["rules", "-o", "{git}/rules.json"],
    ["rule", "L101", "-o", "{git}/L101.md"],
    ["render", "members/M-000123", "-f", "md", "-o", "{git}", *AS_OF],
    ["schema", "-o", "{git}/schemas"],
    ["init", "{git}/agency", *AS_OF],
]


@pytest.mark.parametrize("kind", list(GIT_DIRS))
@pytest.mark.parametrize("args", GIT_WRITERS, ids=lambda a: " ".join(a[:1] + a[-1:]))
def test_nothing_is_written_into_a_git_directory_whatever_its_name(repo, tmp_path, kind, args):
    git = GIT_DIRS[kind](tmp_path)
    if "refs/heads" in " ".join(args) and not (git / "refs").is_dir():
        pytest.skip("a linked work tree's git directory has no refs/ of its own")
    before = _files(tmp_path)
    result = _cli(repo.root, *[a.format(git=git) for a in args])
    assert result.exit_code == 2, result.output
    said = "refusing to write inside a .git folder" + ("" if args[0] == "init" else f" ({git.name} holds a git "
                                                                                     "repository)")
    assert said in result.stderr
    assert _files(tmp_path) == before
    assert not (git / "agency").exists() and not (git / "schemas").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_real_git_layouts_are_recognised(repo, tmp_path):
    """`git init --bare` and `git init --separate-git-dir`, as git makes them today."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "init", "--quiet", "--bare", str(tmp_path / "x.git")], check=True, env=env)
    subprocess.run(["git", "init", "--quiet", "--separate-git-dir", str(tmp_path / "kept"), str(tmp_path / "work")],
                   check=True, env=env)
    assert (tmp_path / "work" / ".git").is_file()  # a .git file pointing to the git directory
    for target, folder in ((tmp_path / "x.git" / "report.txt", "x.git"), (tmp_path / "kept" / "report.txt", "kept"),
                           (tmp_path / "kept" / "objects" / "report.txt", "kept")):
        result = _cli(repo.root, "check", *AS_OF, "-o", str(target))
        assert result.exit_code == 2
        assert f"refusing to write inside a .git folder ({folder} holds a git repository)" in result.stderr
        assert not target.exists()
    # The work tree itself is where reports go: that is allowed.
    assert _cli(repo.root, "check", *AS_OF, "-o", str(tmp_path / "work" / "report.txt")).exit_code == 0


def test_a_folder_named_like_git_parts_is_not_a_git_directory(repo, tmp_path):
    """HEAD alone, or objects/ and refs/ without HEAD, is somebody's folder, not git's."""
    (tmp_path / "notes" / "objects").mkdir(parents=True)
    (tmp_path / "notes" / "refs").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "HEAD").write_text("x\n", encoding="utf-8")
    assert _cli(repo.root, "check", *AS_OF, "-o", str(tmp_path / "notes" / "r.txt")).exit_code == 0
    assert _cli(repo.root, "check", *AS_OF, "-o", str(tmp_path / "head" / "r.txt")).exit_code == 0


# -- temporary files -------------------------------------------------------------------------------------------

TEMP = re.compile(r"\.pcplan-tmp-(\d+)-[0-9a-f]{8}-(.+)")


def test_the_temporary_file_is_named_recognisably(tmp_path):
    seen = []

    def produce(stream):
        seen.extend(p.name for p in tmp_path.iterdir())
        stream.write("text\n")

    write_atomically(tmp_path / "report.json", produce)
    assert len(seen) == 1
    found = TEMP.fullmatch(seen[0])
    assert found and found.group(1) == str(os.getpid()) and found.group(2) == "report.json"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_long_name_gives_a_temporary_name_the_file_system_takes(tmp_path):
    name = "é" * 120 + ".txt"  # 244 bytes: the name itself fits, a prefix on it whole would not
    write_atomically(tmp_path / name, lambda stream: stream.write("x"))
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("error", [RuntimeError("a bug while writing"), KeyboardInterrupt()],
                         ids=["exception", "ctrl-c"])
def test_a_write_interrupted_by_an_exception_leaves_nothing(tmp_path, error):
    def produce(stream):
        stream.write("Elena's plan, half written")
        raise error

    with pytest.raises(type(error)):
        write_atomically(tmp_path / "plan.html", produce)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "plan.html").write_bytes(PREVIOUS)
    with pytest.raises(type(error)):
        write_atomically(tmp_path / "plan.html", produce, overwrite=True)
    assert _files(tmp_path) == {"plan.html": PREVIOUS}


SIGNAL_DURING_WRITE = '''
import os, signal
_target, _signal = os.environ["PCPLAN_SIGNAL_AT"], getattr(signal, os.environ["PCPLAN_SIGNAL"])
_real = os.fsync
def fsync(fd):
    if os.readlink(f"/proc/self/fd/{fd}").endswith(_target):
        os.kill(os.getpid(), _signal)  # the run is stopped while the temporary file holds the member's plan
    return _real(fd)
os.fsync = fsync
'''


@POSIX
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see which file is synced")
@pytest.mark.parametrize("args, name, sig, status", slow_except([
    pytest.param(args, name, sig, status, id=f"{writer}-{sig}-{status}")
    for writer, args, name in [
        ("render", ["render", "members/M-000123", "-f", "md", "-o", "{out}/plan.md", "--force"], "plan.md"),
        ("baseline", ["check", "--write-baseline", "{out}/baseline.json", "--force"], "baseline.json")]
    for sig, status in [("SIGTERM", -signal.SIGTERM), ("SIGINT", 130)]  # 130: Ctrl-C, as typer ends
], "render-SIGINT-130"))
def test_a_signal_during_the_write_removes_the_temporary_file(repo, tmp_path, args, name, sig, status):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(PREVIOUS)
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(SIGNAL_DURING_WRITE, encoding="utf-8")
    env = {**os.environ, "PCPLAN_SIGNAL_AT": name, "PCPLAN_SIGNAL": sig, "CI": "",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(patch), os.environ.get("PYTHONPATH")]))}
    # A job a non-interactive shell starts in the background inherits SIGINT ignored, and Python then keeps
    # ignoring it: the child gets the default disposition, as a terminal gives it.
    process = subprocess.run([sys.executable, "-m", "pcplan", *[a.format(out=out) for a in args], *AS_OF],
                             cwd=repo.root, env=env, capture_output=True, text=True, timeout=120,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.returncode == status, process.stderr[-2000:]
    assert _files(out) == {name: PREVIOUS}  # the previous file, and no temporary one holding the plan


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftover(folder: Path, pid: int, name: str, age: float = 3600) -> Path:
    path = folder / f".pcplan-tmp-{pid}-0123abcd-{name}"
    path.write_text("Elena's plan, as far as it was written when the power went out\n", encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@POSIX
def test_the_next_run_removes_a_temporary_file_left_by_a_killed_run(repo, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    stale = _leftover(out, dead, "plan.md")
    stale_other = _leftover(out, dead, "report.json")
    alive = _leftover(out, os.getppid(), "plan.md")  # a run still going (its process is alive): kept
    # Another machine's run on a shared folder (its pid means nothing here) still writing: it holds the file's
    # lock, so the file is kept. A file of a run killed a moment ago holds no lock: removed, however recent.
    recent = _leftover(out, dead, "due.ics", age=0)
    import fcntl

    held = os.open(recent, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    just_killed = _leftover(out, dead, "rules.txt", age=0)
    foreign = out / ".plan.md.x1y2.tmp"  # not pcplan's name: never touched
    foreign.write_text("someone else's\n", encoding="utf-8")
    try:
        result = _cli(repo.root, "render", "members/M-000123", "-f", "md", "-o", str(out / "plan.md"), *AS_OF)
    finally:
        os.close(held)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and not stale_other.exists() and not just_killed.exists()
    assert alive.exists() and recent.exists() and foreign.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(["plan.md", alive.name, recent.name, foreign.name])


@POSIX
def test_a_run_killed_with_sigkill_leaves_a_temporary_file_the_next_run_removes(repo, tmp_path):
    """kill -9 runs no handler: the temporary file stays, hidden and named as pcplan's, until the next write."""
    out = tmp_path / "out"
    out.mkdir()
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(SIGNAL_DURING_WRITE, encoding="utf-8")
    env = {**os.environ, "PCPLAN_SIGNAL_AT": "plan.md", "PCPLAN_SIGNAL": "SIGKILL", "CI": "",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(patch), os.environ.get("PYTHONPATH")]))}
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc")
    process = subprocess.run([sys.executable, "-m", "pcplan", "render", "members/M-000123", "-f", "md", "-o",
                              str(out / "plan.md"), *AS_OF], cwd=repo.root, env=env, capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL
    left = [p for p in out.iterdir()]
    assert len(left) == 1 and TEMP.fullmatch(left[0].name) and TEMP.fullmatch(left[0].name).group(2) == "plan.md"
    then = time.time() - 3600
    os.utime(left[0], (then, then))
    assert _cli(repo.root, "render", "members/M-000123", "-f", "md", "-o", str(out / "plan.md"), *AS_OF).exit_code == 0
    assert [p.name for p in out.iterdir()] == ["plan.md"]


def test_a_write_refused_leaves_nothing_either(tmp_path):
    (tmp_path / "plan.md").write_bytes(PREVIOUS)
    with pytest.raises(OutputError, match="exists; use --force"):
        write_atomically(tmp_path / "plan.md", lambda stream: stream.write("new"))
    assert _files(tmp_path) == {"plan.md": PREVIOUS}


def test_check_refuses_the_output_before_checking(repo, tmp_path, monkeypatch):
    """A long check must not end in "exists; use --force": the target is looked at first."""
    import pcplan.engine

    def never(*args, **kwargs):
        raise AssertionError("the check ran although its output could not be written")

    monkeypatch.setattr(pcplan.engine, "check", never)
    (tmp_path / "findings.sarif").write_bytes(PREVIOUS)
    result = _cli(repo.root, "check", *AS_OF, "-o", str(tmp_path / "findings.sarif"))
    assert result.exit_code == 2 and "exists; use --force" in result.stderr
