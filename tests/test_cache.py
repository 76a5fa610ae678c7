"""The content-keyed cache (issue 15; DESIGN.md §6 "Fast"): right, safe, private, and skippable.

* **Right.** Output with the cache (cold, warm, partly warm) is byte-identical to
  output without it, for every format of `check`, `due` and `report`, over the
  sample cases and over a repository fuzzed round after round; and each part of
  the key invalidates: a file's content (even under an unchanged size and
  modification time), staff.yaml, pcplan.toml, `--today`, the rule selection
  and pcplan's version.
* **Safe.** A damaged, truncated or planted entry is ignored and rewritten,
  never trusted, and never runs code; concurrent runs and a run killed with
  SIGKILL leave a cache that still gives the right answer; a `.pcplan_cache`
  that is not pcplan's is never touched; a read-only repository is checked
  without a cache; nothing is written inside `.git`; old entries are evicted.
* **Private.** With a marker planted in every field of every file, no marker
  is found in any file of the cache.
* **Skippable.** `--no-cache` neither reads nor writes it.

No test here asserts a timing: speed is measured by benchmarks/run.py only.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ELENA_NOTE, ELENA_PLAN, SAMPLE_CASES, slow_except
from pcplan import cache as cache_module
from pcplan.cli import app

AS_OF = ["--today", "2026-11-22"]
CACHE = ".pcplan_cache"
ENV = {"CI": None, "GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None, "PCPLAN_CACHE_DIR": None,
       "GITHUB_STEP_SUMMARY": None, "NO_COLOR": "1", "COLUMNS": "120", "PCPLAN_TODAY": None}
HITS = re.compile(r"pcplan: cache .*: (\d+) hits? \((\d+) after hashing\), (\d+) miss(?:es)?")

CHECK_FORMATS = ("full", "concise", "json", "sarif", "github", "junit")
COMMANDS = [
    *(["check", *AS_OF, "-f", fmt, "--exit-zero"] for fmt in CHECK_FORMATS),
    ["check", *AS_OF, "--statistics", "--exit-zero"],
    *(["due", *AS_OF, "--within", "all", "-f", fmt] for fmt in ("table", "json", "csv", "ics")),
    ["due", *AS_OF],
    *(["report", *AS_OF, "-f", fmt] for fmt in ("table", "json", "html")),
]


def run(root: Path, *args: str, env: dict | None = None):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args), env={**ENV, **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(old)


def hits(root: Path, *args: str, env: dict | None = None) -> tuple[int, int, int, str]:
    """(hits, of which after hashing, misses, stdout) of a cached `check --debug`."""
    result = run(root, "check", *AS_OF, "-f", "json", "--exit-zero", "--debug", *args, env=env)
    found = HITS.search(result.stderr)
    assert found, result.stderr
    return int(found.group(1)), int(found.group(2)), int(found.group(3)), result.stdout


def uncached(root: Path, *args: str) -> str:
    return run(root, *args, "--no-cache").stdout


@pytest.fixture
def cases(tmp_path, monkeypatch) -> Path:
    """A copy of the whole sample repository, with files dated in the past.

    Dating them sets their ctime to now, and a stat that recent is not trusted for RACY_SECONDS (the file
    is hashed instead): in this process the margin is 0 so that hit counts say what the stat path does
    (test_a_stat_too_close_to_a_change_is_not_trusted covers the margin itself)."""
    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)
    monkeypatch.setattr(cache_module, "_SOURCE", None)  # pcplan's own files as they are now (subprocesses agree)
    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root, ignore=shutil.ignore_patterns(CACHE))
    _age(root)
    return root


def _age(root: Path, seconds: int = 3600) -> None:
    past = time.time() - seconds
    for path in root.rglob("*.yaml"):
        os.utime(path, (past, past))


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / CACHE / "v1").rglob("*") if p.is_file() and not p.name.startswith("."))


def _name(entry: Path) -> str:
    """An entry's name as its seal covers it: its place in v1 (``AA/REST``)."""
    return f"{entry.parent.name}/{entry.name}"


# -- right -----------------------------------------------------------------------------------------------------


# Every command and format is marked slow but one of each command.
@pytest.mark.parametrize("args", slow_except([pytest.param(a, id=" ".join(a[:1] + a[3:])) for a in COMMANDS],
                                             "check -f full --exit-zero", "due --within all -f json",
                                             "report -f json"))
def test_output_is_byte_identical_with_and_without_the_cache(cases, args):
    expected = run(cases, *args, "--no-cache")
    assert not (cases / CACHE).exists()  # --no-cache writes nothing
    cold = run(cases, *args)
    assert (cases / CACHE).is_dir()
    warm = run(cases, *args)
    for result in (cold, warm):
        assert result.exit_code == expected.exit_code
        assert result.stdout == expected.stdout
        assert result.stderr == expected.stderr


def test_each_command_fills_the_cache_for_the_others(cases):
    """One entry per member folder serves check, due and report alike (the same per-member work)."""
    run(cases, "report", *AS_OF, "-f", "json")
    entries = _entries(cases)
    assert len(entries) == 9  # the nine member folders
    found, _, missed, _ = hits(cases)
    assert (found, missed) == (9, 0)
    before = {p: p.read_bytes() for p in entries}
    assert run(cases, "due", *AS_OF, "-f", "json").exit_code == 0
    assert {p: p.read_bytes() for p in _entries(cases)} == before  # all hits: nothing rewritten


def test_the_walk_order_of_due_survives_parallel_workers_and_the_cache(tmp_path):
    """Forty member folders (parallel workers): `due` lists obligations in the same order, cold or warm."""
    root = tmp_path / "many"
    shutil.copytree(SAMPLE_CASES, root, ignore=shutil.ignore_patterns(CACHE, "members"))
    for n in range(40):
        source = SAMPLE_CASES / "members" / ("M-000123", "M-000207", "M-000301")[n % 3]
        shutil.copytree(source, root / "members" / f"copy-{n:02d}")
    _age(root)
    args = ["due", *AS_OF, "--within", "all", "-f", "csv"]
    expected = run(root, *args, "--no-cache").stdout
    assert run(root, *args).stdout == expected
    assert run(root, *args).stdout == expected
    check = ["check", *AS_OF, "-f", "json", "--exit-zero"]
    assert run(root, *check, "--jobs", "2").stdout == run(root, *check, "--no-cache").stdout


def _mutate(root: Path, rng: random.Random) -> list[str]:
    """Edit a few case files the way people and tools break them; return what was done."""
    files = sorted(p for p in root.rglob("*.yaml") if CACHE not in p.parts)
    done = []
    for path in rng.sample(files, 3):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        what = rng.choice(["drop", "repeat", "swap", "date", "id", "bytes", "truncate", "same-size"])
        i = rng.randrange(len(lines))
        if what == "drop":
            del lines[i]
        elif what == "repeat":
            lines.insert(i, lines[i])
        elif what == "swap" and len(lines) > 1:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif what == "date":
            lines = [re.sub(r"\d{4}-\d{2}-\d{2}", rng.choice(["2026-02-30", "2025-01-01", "2027-06-15"]), line, count=1)
                     if k == i else line for k, line in enumerate(lines)]
        elif what == "id":
            lines = [re.sub(r"\b([GNSBR]|SP)(\d+)\b", lambda m: m.group(1) + str(int(m.group(2)) + 1), line)
                     if k == i else line for k, line in enumerate(lines)]
        elif what == "truncate":
            lines = lines[:i]
        if what == "bytes":
            path.write_bytes(path.read_bytes()[: rng.randrange(1, 200)] + b"\xff\xfe: [\n")
        elif what == "same-size":
            # the same size and modification time: only the content (and the inode's ctime) tells
            info = path.stat()
            raw = bytearray(path.read_bytes())
            at = raw.find(b"20")
            raw[at:at + 2] = b"19" if raw[at:at + 2] != b"19" else b"20"
            path.write_bytes(bytes(raw))
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        else:
            path.write_text("\n".join(lines), encoding="utf-8")
        done.append(f"{what} {path.relative_to(root)}")
    return done


@pytest.mark.parametrize("rounds", slow_except([2, 8], 2))  # the quick run: the first two rounds of the eight
def test_a_fuzzed_repository_checks_the_same_cached_and_not(cases, rounds):
    """Round after round of edits: the cache, partly stale each time, never changes a byte of the output."""
    rng = random.Random(15)
    commands = [["check", *AS_OF, "-f", "json", "--exit-zero"], ["check", *AS_OF, "-f", "concise", "--exit-zero"],
                ["due", *AS_OF, "--within", "all", "-f", "json"], ["report", *AS_OF, "-f", "json"]]
    for args in commands:
        run(cases, *args)  # warm
    for round_ in range(rounds):
        done = _mutate(cases, rng)
        for args in commands:
            expected = run(cases, *args, "--no-cache")
            got = run(cases, *args)
            assert (got.exit_code, got.stdout, got.stderr) == (expected.exit_code, expected.stdout,
                                                               expected.stderr), (round_, done, args)


def test_a_content_change_under_the_same_stat_is_seen(cases):
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    path = cases / ELENA_PLAN
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "    goals: [G1]\n" in text
    path.write_text(text.replace("    goals: [G1]\n", "    goals: [G9]\n", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    found, hashed, missed, out = hits(cases)
    assert missed == 1 and found == 8
    assert out == uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert "G9" in out


def test_a_checkout_that_resets_every_stat_is_answered_by_hashing(cases):
    """A git checkout (or a CI cache restored into a fresh clone) gives every file a new stat, same content."""
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    for path in cases.rglob("*.yaml"):
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)  # a new inode and times
    _age(cases, 7200)
    found, hashed, missed, out = hits(cases)
    assert (found, hashed, missed) == (9, 9, 0)
    found, hashed, missed, _ = hits(cases)
    assert (found, hashed, missed) == (9, 0, 0)  # the new stats were recorded: no hashing the second time


@pytest.mark.parametrize("part", ["file", "staff", "config", "today", "version", "select", "added", "removed"])
def test_each_part_of_the_key_invalidates(cases, part, monkeypatch):
    base = ["check", "-f", "json", "--exit-zero"]
    run(cases, *base, *AS_OF)
    assert hits(cases)[:3] == (9, 0, 0)
    today = AS_OF
    extra: list[str] = []
    expect_missed = 9
    if part == "file":
        path = cases / ELENA_NOTE
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        expect_missed = 1
    elif part == "staff":
        path = cases / "staff.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("cm-jlee", "cm-jlee2"), encoding="utf-8")
    elif part == "config":
        path = cases / "pcplan.toml"
        text = path.read_text(encoding="utf-8")
        assert "plain_language_grade = 8\n" in text
        path.write_text(text.replace("plain_language_grade = 8\n", "plain_language_grade = 6\n"), encoding="utf-8")
    elif part == "today":
        today = ["--today", "2027-03-01"]
    elif part == "version":
        monkeypatch.setattr("pcplan.__version__", "99.0.0")
        monkeypatch.setattr(cache_module, "_SOURCE", None)
    elif part == "select":
        extra = ["--select", "L,T"]
    elif part == "added":
        shutil.copy(cases / ELENA_NOTE, cases / "members" / "M-000123" / "notes" / "2026-10-02.yaml")
        expect_missed = 1
    elif part == "removed":
        (cases / ELENA_NOTE).unlink()
        expect_missed = 1
    result = run(cases, *base, *today, *extra, "--debug")
    found = HITS.search(result.stderr)
    assert found and int(found.group(3)) == expect_missed, result.stderr
    assert int(found.group(1)) == 9 - expect_missed
    assert result.stdout == uncached(cases, *base, *today, *extra)
    again = run(cases, *base, *today, *extra, "--debug")
    assert HITS.search(again.stderr).group(3) == "0"
    assert again.stdout == result.stdout


def test_a_stat_too_close_to_a_change_is_not_trusted(tmp_path):
    """A file rewritten within the file system's timestamp resolution can keep its stat: a stat taken within
    RACY_SECONDS of the file's last change is recorded as untrusted, and the files are hashed next time."""
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"kind: plan\n")
    info = path.stat()
    stats = [(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)]
    now = time.time_ns()
    assert cache_module._meta(stats, [b"\0" * 16], now)[1] is False
    assert cache_module._meta(stats, [b"\0" * 16], now + 10 ** 10)[1] is True
    wrong = b"\1" * 16  # a digest the content does not have, under the file's exact stat
    untrusted = cache_module._meta(stats, [wrong], now)
    assert cache_module._validate(untrusted, [str(path)], time.time()) is False  # hashed: the change is seen
    trusted = cache_module._meta(stats, [wrong], now + 10 ** 10)
    assert cache_module._validate(trusted, [str(path)], time.time()) is True  # the stat path, as designed
    right = cache_module._meta(stats, [cache_module.digest(path.read_bytes())], now)
    refreshed = cache_module._validate(right, [str(path)], time.time())
    assert refreshed not in (True, False) and refreshed[2] == right[2]


def test_select_and_the_full_selection_keep_an_entry_each(cases):
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero", "--select", "T")
    assert len(_entries(cases)) == 18
    assert hits(cases)[:3] == (9, 0, 0)
    assert hits(cases, "--select", "T")[:3] == (9, 0, 0)


def test_shards_share_the_cache_and_add_up_to_the_whole(cases):
    whole = json.loads(uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero"))["findings"]
    for _ in range(2):  # cold, then warm
        parts = []
        for i in range(1, 4):
            parts += json.loads(run(cases, "check", *AS_OF, "-f", "json", "--exit-zero", "--shard",
                                    f"{i}/3").stdout)["findings"]
        key = lambda f: (f["path"], f["line"], f["column"], f["code"], f["message"])  # noqa: E731
        assert sorted(parts, key=key) == sorted(whole, key=key)


def test_a_member_folder_at_the_repository_root(tmp_path):
    root = tmp_path / "alone"
    shutil.copytree(SAMPLE_CASES / "members" / "M-000123", root)
    shutil.copy(SAMPLE_CASES / "staff.yaml", root / "staff.yaml")
    (root / "pcplan.toml").write_text("", encoding="utf-8")
    _age(root)
    expected = uncached(root, "check", *AS_OF, "-f", "json", "--exit-zero")
    run(root, "check", *AS_OF, "-f", "json", "--exit-zero")
    found, _, missed, out = hits(root)
    assert (found, missed) == (1, 0) and out == expected


# -- safe ------------------------------------------------------------------------------------------------------


def test_the_cache_folder_is_tagged_ignored_and_holds_one_entry_per_member(cases):
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    folder = cases / CACHE
    assert (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(_entries(cases)) == 9
    run(cases, "check", "--today", "2027-01-01", "-f", "json", "--exit-zero")
    assert len(_entries(cases)) == 9  # another day replaces the entries, it does not add to them
    assert not list(folder.rglob(".tmp-*"))


@pytest.mark.parametrize("damage", slow_except(["truncated", "garbled", "empty", "another format", "bad checksum",
                                                "nonsense body", "wrong shape", "pickle"], "pickle"))
def test_a_damaged_or_planted_entry_is_ignored_and_rewritten(cases, damage, tmp_path):
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    entries = _entries(cases)
    witness = tmp_path / "pickle-ran"
    for entry in entries:
        data = entry.read_bytes()
        if damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "garbled":
            data = data[:60] + bytes(b ^ 0x55 for b in data[60:120]) + data[120:]
        elif damage == "empty":
            data = b""
        elif damage == "another format":
            data = b"pcplan-cache 0\n" + data[15:]
        elif damage == "bad checksum":
            data = data[:15] + b"0" * 32 + data[47:]
        else:
            if damage == "nonsense body":
                body = json.loads(data[48:])
                body[3] = [[["Z999", "error", 99, "x", None]], None]  # a code pcplan has not, a file it has not
            elif damage == "wrong shape":
                body = json.loads(data[48:])
                body[2] = [[1, 2]]
            else:
                import pickle

                class Planted:
                    def __reduce__(self):
                        return (Path.write_text, (witness, "ran"))

                body = pickle.dumps(Planted()).decode("latin-1")
            # Sealed with this user's own key, as only pcplan could: what is inside is still not believed
            # (tests/test_cache_trust.py: any other seal is a miss before the body is read).
            data = cache_module._seal(body, _name(entry), cache_module.secret())
        entry.write_bytes(data)
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero", "--debug")
    assert result.stdout == expected
    assert "Traceback" not in result.stderr
    assert not witness.exists()
    found, _, missed, out = hits(cases)  # rewritten: whole again
    assert (found, missed) == (9, 0) and out == expected


def test_concurrent_runs_share_the_cache_safely(cases):
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    command = [sys.executable, "-m", "pcplan", "check", *AS_OF, "-f", "json", "--exit-zero", "--jobs", "1"]
    for _ in range(2):  # all cold at once, then all warm at once
        processes = [subprocess.Popen(command, cwd=cases, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(4)]
        outputs = [p.communicate(timeout=300) for p in processes]
        assert [out for out, _ in outputs] == [expected] * 4, [err for _, err in outputs]
    found, _, missed, _ = hits(cases)
    assert (found, missed) == (9, 0)
    assert not list((cases / CACHE).rglob(".tmp-*"))


def test_a_run_killed_mid_write_leaves_a_cache_that_is_still_right(cases, monkeypatch):
    """SIGKILL while entries are being written (made slow here): the next run gives the same answer."""
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    slow = cases.parent / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import os, time\n"
        "import pcplan.cache as c\n"
        "_write = os.write\n"
        "def write(fd, data):\n"
        "    n = _write(fd, bytes(data[:10]))\n"
        "    time.sleep(0.05)\n"
        "    return n\n"
        "c.os = type('os', (), {**{k: getattr(os, k) for k in dir(os) if not k.startswith('__')}, 'write': write})\n",
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(slow), os.environ.get("PYTHONPATH")]))
    process = subprocess.Popen([sys.executable, "-m", "pcplan", "check", *AS_OF, "-f", "json", "--exit-zero",
                                "--jobs", "1"], cwd=cases, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list((cases / CACHE).rglob(".tmp-*")):
        time.sleep(0.01)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert result.stdout == expected
    # The killed run's temporary files are swept once stale.
    for temp in (cases / CACHE).rglob(".tmp-*"):
        os.utime(temp, (time.time() - 2 * cache_module.STALE_TEMP,) * 2)
    swept = cache_module.Cache(cases / CACHE, "k", "")
    swept.sweep(force=True)
    assert not list((cases / CACHE).rglob(".tmp-*"))


def test_entries_unseen_for_30_days_are_evicted(cases):
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    entries = _entries(cases)
    old = time.time() - 31 * 86400
    for entry in entries[:4]:
        os.utime(entry, (old, old))
    recent = time.time() - 20 * 86400
    for entry in entries[4:6]:
        os.utime(entry, (recent, recent))
    assert cache_module.Cache(cases / CACHE, "k", "").sweep() == 0  # swept today already: not again
    stamp = cases / CACHE / "v1" / ".swept"
    os.utime(stamp, (old, old))
    run(cases, "check", "--today", "2027-01-01", "-f", "json", "--exit-zero", "--select", "E")  # other entries
    left = set(_entries(cases))
    assert not left & set(entries[:4])
    assert set(entries[4:]) <= left


def test_a_hit_keeps_an_entry_from_eviction(cases):
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    old = time.time() - 10 * 86400
    for entry in _entries(cases):
        os.utime(entry, (old, old))
    hits(cases)
    assert all(time.time() - entry.stat().st_mtime < 3600 for entry in _entries(cases))


def test_no_cache_neither_reads_nor_writes(cases):
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert not (cases / CACHE).exists()
    run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    # A planted entry that would hide every finding, sealed with this user's own key: --no-cache never reads it.
    for entry in _entries(cases):
        body = json.loads(entry.read_bytes()[48:])
        body[3][0] = []
        entry.write_bytes(cache_module._seal(body, _name(entry), cache_module.secret()))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in _entries(cases)}
    for args in (["check", *AS_OF, "-f", "json", "--exit-zero"], ["report", *AS_OF, "-f", "json"],
                 ["due", *AS_OF, "-f", "json"]):
        assert run(cases, *args, "--no-cache").stdout == run(cases, *args, "--no-cache").stdout
    assert uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero") == expected
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in _entries(cases)} == before


def test_a_read_only_repository_is_checked_without_a_cache(cases):
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    mode = cases.stat().st_mode
    cases.chmod(0o555)
    try:
        result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    finally:
        cases.chmod(mode)
    assert result.stdout == expected
    assert result.stderr == ""  # silent: a read-only checkout is not a problem to report
    assert not (cases / CACHE).exists()


@pytest.mark.parametrize("what", ["file", "folder", "link"])
def test_a_cache_folder_that_is_not_pcplans_is_never_touched(cases, what, tmp_path):
    target = cases / CACHE
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if what == "file":
        target.write_text("someone's notes\n", encoding="utf-8")
    elif what == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("someone's notes\n", encoding="utf-8")
    else:
        target.symlink_to(elsewhere, target_is_directory=True)
    before = sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else None)
                    for p in tmp_path.rglob("*") if CACHE not in p.parts or what != "link")
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert result.stdout == expected
    assert result.stderr.count("is not pcplan's cache folder") == 1, result.stderr
    after = sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else None)
                   for p in tmp_path.rglob("*") if CACHE not in p.parts or what != "link")
    assert after == before
    assert not list(elsewhere.iterdir())


def test_a_cache_folder_left_half_made_by_a_killed_run_is_taken_up(cases):
    folder = cases / CACHE
    folder.mkdir()
    (folder / ".gitignore").write_text(cache_module.GITIGNORE, encoding="utf-8")
    (folder / ".tmp-123-abcd").write_text("half", encoding="utf-8")
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    assert result.stderr == ""
    assert (folder / "CACHEDIR.TAG").is_file() and len(_entries(cases)) == 9


def test_pcplan_cache_dir_moves_the_cache_out_of_the_repository(cases, tmp_path):
    elsewhere = tmp_path / "ci-cache" / "pcplan"
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    env = {"PCPLAN_CACHE_DIR": str(elsewhere)}
    assert run(cases, "check", *AS_OF, "-f", "json", "--exit-zero", env=env).stdout == expected
    assert not (cases / CACHE).exists()
    assert (elsewhere / "CACHEDIR.TAG").is_file()
    found, _, missed, out = hits(cases, env=env)
    assert (found, missed) == (9, 0) and out == expected
    # A second repository shares the folder without mixing entries.
    other = tmp_path / "other"
    shutil.copytree(cases, other, ignore=shutil.ignore_patterns(CACHE))
    (other / ELENA_PLAN).write_text((other / ELENA_PLAN).read_text(encoding="utf-8").replace(
        "    goals: [G1]\n", "    goals: []\n", 1), encoding="utf-8")
    assert hits(other, env=env)[3] == uncached(other, "check", *AS_OF, "-f", "json", "--exit-zero")


def test_the_cache_is_never_written_inside_git(cases, tmp_path):
    git = tmp_path / "repo" / ".git"
    (git / "objects").mkdir(parents=True)
    (git / "refs").mkdir()
    (git / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    expected = uncached(cases, "check", *AS_OF, "-f", "json", "--exit-zero")
    result = run(cases, "check", *AS_OF, "-f", "json", "--exit-zero", env={"PCPLAN_CACHE_DIR": str(git / "cache")})
    assert result.stdout == expected
    assert not (git / "cache").exists()


# -- private ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", slow_except(["consistent", "unique"], "consistent"))
def test_the_cache_holds_no_member_text(tmp_path, mode):
    from conftest import MARK, seed

    root = tmp_path / "cases"
    shutil.copytree(SAMPLE_CASES, root, ignore=shutil.ignore_patterns(CACHE))
    planted = seed(root, mode, plan_names=True, folder=True)
    assert planted.markers > 700
    # Not vacuous: the findings and the caseload views speak about the planted ids and names.
    shown = run(root, "check", *AS_OF, "-f", "full", "--exit-zero").stdout
    assert MARK.search(shown)
    for args in (["check", *AS_OF, "-f", "json", "--exit-zero"], ["due", *AS_OF, "--within", "all", "-f", "json"],
                 ["report", *AS_OF, "-f", "json"]):
        assert run(root, *args).exit_code == 0
    entries = _entries(root)
    assert len(entries) >= 9
    for path in (root / CACHE).rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            found = MARK.search(text)
            assert found is None, (path.name, text[max(found.start() - 200, 0):found.end() + 50])
