#!/usr/bin/env python3
"""Benchmark pcplan against the YAML parse floor, cold and warm, from 100 to 100,000 members.

    python benchmarks/run.py [--members 10000] [--series 100,1000,10000] [--statewide 100000]
                             [--runs 3] [--statewide-runs 1] [--shards 4] [--no-competitor]
                             [--out DIR] [--python PYTHON] [--markdown FILE]
    python benchmarks/run.py --quick          # smoke test: 200 members, statewide 400, a few minutes

Every figure is a ratio to the parse floor measured in the same run, on the same
generated files (benchmarks/generate.py, seeded), for each N of the series and
the statewide N (see docs/benchmarks.md for the method):

  (a) floor       read every .yaml file and parse it with PyYAML's C loader
                  (`yaml.load(text, Loader=yaml.CSafeLoader)`), nothing else;
  (b) cold check  `python -m pcplan check --today 2026-11-22 -f json --exit-zero .`
                  with `--jobs 1` and with the default, its cache emptied before
                  each run (and `--jobs 1 --no-cache`, what the cache costs cold);
  (e) warm check  the same with the cache filled: nothing changed, and one member
                  folder changed (a line appended to one member.yaml before each run);
  (f) due, report `due -f json` (the default 30 days) and `report -f json`, cold and warm;
  (c) check-jsonschema  validating the same files against pcplan's own schemas,
                  at --members only (slow: skip with --no-competitor);
  (d) start-up    a warm check of one member folder (the pre-commit case),
                  `python -m pcplan --version`, and `python -c pass`;
  shards          at --members, `check --shard I/N` for each I one after another,
                  each with its own cache, and their union against a whole run.

Peak memory (ru_maxrss of one process) is reported at every N. With
--statewide 0 (or when a full statewide series does not fit the machine's time)
the fit over the series extrapolates to 100,000 and 350,000 members.

Each command is started by a small launcher process that forks, execs it and
reads os.wait4's rusage. Runs go round-robin so that drift on a busy machine
hits every command alike; each cache variant has its own PCPLAN_CACHE_DIR under
--out. Not `--output /dev/null`: pcplan writes its report atomically (a
temporary file renamed over the target), which replaces /dev/null with a
regular file when run as root.

Repositories are generated into --out (default .bench-cache/ under this folder)
and cached by N, seed and the generator's own hash. check-jsonschema is used
from --python's environment when it is there, else installed with pip into a
separate virtual environment under --out; --no-install skips it instead.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402

TODAY = "2026-11-22"
KINDS = ("member", "assessment", "plan", "note", "closure", "staff")
ARG_BUDGET = 1_000_000  # bytes of file arguments per check-jsonschema invocation (ARG_MAX is usually 2 MiB)

FLOOR = r"""
import os, sys, yaml
root = sys.argv[1]
files = errors = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    for name in filenames:
        if name.endswith((".yaml", ".yml")) and not name.startswith("."):
            with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                text = fh.read()
            try:
                yaml.load(text, Loader=yaml.CSafeLoader)
            except (yaml.YAMLError, ValueError):  # the seeded defects include impossible dates
                errors += 1
            files += 1
print(files, errors, file=sys.stderr)
"""


# ---------------------------------------------------------------- measuring one process

def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _tree_rss(pid: int, page: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(p))
    return total


class Result:
    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.rss: list[int] = []      # bytes, ru_maxrss of the child (largest process in its tree)
        self.tree_rss = 0              # bytes, sampled sum over the process tree (warm-up run)
        self.error: str | None = None
        self.note: str | None = None

    def median(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    def spread(self) -> tuple[float, float]:
        return (min(self.wall), max(self.wall)) if self.wall else (float("nan"), float("nan"))

    def peak(self) -> int:
        return max(self.rss) if self.rss else 0


# Each command runs under this launcher, a bare interpreter (-I -S) that forks, execs the command and
# reports os.wait4's rusage. Spawning the command from run.py itself would inflate ru_maxrss: Linux
# records the pre-exec copy of the parent's memory in the child's peak, so every child would seem at
# least as large as run.py. The launcher is a few MiB, less than any Python process it starts.
LAUNCHER = r"""
import os, signal, sys, time
out, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, ru = os.wait4(pid, 0)
t1 = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, 0)
with open(out, "w") as fh:
    fh.write(repr((t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status))))
"""


def run_once(cmds: list[list[str]], cwd: str, sample_tree: bool, timeout: float,
             env: dict | None = None) -> tuple[float, float, int, int, str]:
    """Run ``cmds`` one after the other; (wall s, cpu s, max ru_maxrss bytes, max tree rss bytes, error)."""
    wall = cpu = 0.0
    maxrss = tree = 0
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    rss_unit = 1 if sys.platform == "darwin" else 1024
    for cmd in cmds:
        with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
            result = os.path.join(tmp, "result")
            proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, result, str(timeout), *cmd],
                                    cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    env=env)
            stop = threading.Event()
            peak = [0]
            if sample_tree and os.path.isdir("/proc"):
                def sample():
                    while not stop.is_set():
                        # the command's tree: the launcher's children (not the launcher itself)
                        peak[0] = max(peak[0], sum(_tree_rss(c, page) for c in _children(proc.pid)))
                        stop.wait(0.02)
                threading.Thread(target=sample, daemon=True).start()
            proc.wait()
            stop.set()
            try:
                with open(result) as fh:
                    seconds, cpu_s, rss, code = ast.literal_eval(fh.read())
            except (OSError, ValueError, SyntaxError):
                err.seek(0)
                return wall, cpu, maxrss, tree, "launcher failed: " + err.read().decode("utf-8", "replace")[-300:]
            wall += seconds
            cpu += cpu_s
            maxrss = max(maxrss, rss * rss_unit)
            tree = max(tree, peak[0])
            if code not in (0, 1):  # check-jsonschema exits 1 on the seeded defects
                err.seek(0)
                tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
                return wall, cpu, maxrss, tree, f"exit {code}: {' | '.join(tail)}"
    return wall, cpu, maxrss, tree, ""


class Cmd:
    """A command to time: ``cmds`` run one after the other, with ``env``; ``setup`` runs before each run,
    untimed (emptying a cold run's cache, filling a warm one's, editing a member folder); ``warm_up``: run
    once untimed first (file cache, bytecode)."""

    def __init__(self, cmds: list[list[str]], env: dict | None = None, setup=None, warm_up: bool = False):
        self.cmds, self.env, self.setup, self.warm_up = cmds, env, setup, warm_up


def measure_all(commands: dict, cwd_of: dict, runs: int, timeout: float, progress, warmup: bool = True,
                limits: dict | None = None) -> dict:
    """Warm up the commands that ask for it once (sampling their process tree's memory), then run all of them
    round-robin ``runs`` times, each after its setup.

    A command without a warm-up samples the tree's memory on its first timed run. ``limits`` caps the timed
    runs of slow commands (the competitor at 10,000 members takes minutes a run).
    """
    limits = limits or {}
    commands = {name: (c if isinstance(c, Cmd) or c is None else Cmd(c, warm_up=True)) for name, c in commands.items()}
    results = {name: Result() for name in commands}
    warmed = set()
    for name, cmd in commands.items():
        if cmd is None or not warmup or not cmd.warm_up or name in limits:
            continue
        progress(f"warm-up {name}")
        if cmd.setup:
            cmd.setup()
        _, _, _, tree, error = run_once(cmd.cmds, cwd_of[name], True, timeout, cmd.env)
        results[name].tree_rss = tree
        warmed.add(name)
        if error:
            results[name].error = error
    for r in range(runs):
        for name, cmd in commands.items():
            if cmd is None or results[name].error or r >= limits.get(name, runs):
                continue
            progress(f"run {r + 1}/{runs} {name}")
            if cmd.setup:
                cmd.setup()
            sample = name not in warmed and r == 0
            wall, cpu, rss, tree, error = run_once(cmd.cmds, cwd_of[name], sample, timeout, cmd.env)
            if sample:
                results[name].tree_rss = tree
            if error:
                results[name].error = error
                continue
            res = results[name]
            res.wall.append(wall)
            res.cpu.append(cpu)
            res.rss.append(rss)
    return results


def devnull_ok() -> bool:
    """Whether /dev/null is still the null device (a process writing a report atomically over it, as
    `pcplan check --output /dev/null` does when run as root, turns it into a regular file; every child whose
    output is discarded would then write into that file)."""
    import stat
    try:
        return os.name != "posix" or stat.S_ISCHR(os.stat(os.devnull).st_mode)
    except OSError:
        return False


# ---------------------------------------------------------------- the repository

def generator_hash() -> str:
    h = hashlib.sha256()
    for name in ("generate.py", "pools.py"):
        with open(os.path.join(HERE, name), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def ensure_repo(out: str, members: int, seed: int, progress) -> tuple[str, dict]:
    path = os.path.join(out, f"repo-n{members}-s{seed}")
    marker = os.path.join(path, ".bench-manifest.json")
    digest = generator_hash()
    if os.path.exists(marker):
        with open(marker, encoding="utf-8") as fh:
            manifest = json.load(fh)
        if manifest.get("generator") == digest:
            return path, manifest
    if os.path.exists(path):
        shutil.rmtree(path)
    progress(f"generating {members} members (seed {seed}) into {path}")
    tmp_manifest = os.path.join(out, f".manifest-n{members}-s{seed}.json")
    generate.generate(path, members, seed, os.cpu_count() or 1, tmp_manifest, quiet=True)
    with open(tmp_manifest, encoding="utf-8") as fh:
        manifest = json.load(fh)
    os.remove(tmp_manifest)
    manifest["generator"] = digest
    with open(marker, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh)
    return path, manifest


def files_by_kind(repo: str) -> dict[str, list[str]]:
    """Relative paths of the case files, by the `kind:` on their first line, in a stable order."""
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(".yaml") or name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            with open(full, encoding="utf-8") as fh:
                first = fh.readline().strip()
            kind = first.split(":", 1)[1].strip() if first.startswith("kind:") else None
            if kind in out:
                out[kind].append(os.path.relpath(full, repo))
    return out


def batches(files: list[str]) -> list[list[str]]:
    out, current, size = [], [], 0
    for f in files:
        if current and size + len(f) + 1 > ARG_BUDGET:
            out.append(current)
            current, size = [], 0
        current.append(f)
        size += len(f) + 1
    if current:
        out.append(current)
    return out


def pick_folder(manifest: dict) -> dict:
    """The clean member folder of median size: the typical pre-commit case."""
    clean = sorted((m for m in manifest["members"] if not m["defect"]), key=lambda m: (m["bytes"], m["id"]))
    return clean[len(clean) // 2]


# ---------------------------------------------------------------- tools

def probe(python: str, code: str) -> str | None:
    try:
        run = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def has_jobs_option(python: str) -> bool:
    run = subprocess.run([python, "-m", "pcplan", "check", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    return "--jobs" in run.stdout


def find_check_jsonschema(python: str, out: str, install: bool, progress) -> tuple[list[str] | None, str]:
    """The command that runs check-jsonschema, and how it was found (or why not)."""
    here = os.path.join(os.path.dirname(python), "check-jsonschema")
    if probe(python, "import check_jsonschema") is not None:
        return ([here] if os.path.exists(here) else [python, "-m", "check_jsonschema"]), "from --python's environment"
    venv = os.path.join(out, "tools", "check-jsonschema-venv")
    exe = os.path.join(venv, "bin", "check-jsonschema")
    if os.path.exists(exe):
        return [exe], f"from {venv}"
    if not install:
        return None, "not installed (--no-install)"
    progress(f"installing check-jsonschema into {venv}")
    try:
        subprocess.run([python, "-m", "venv", venv], check=True, capture_output=True)
        subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "check-jsonschema"],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"could not be installed ({detail.decode('utf-8', 'replace').strip()[-200:] or exc})"
    return [exe], f"installed with pip into {venv}"


def versions(python: str, cjs: list[str] | None) -> dict:
    code = r"""
import json, sys, importlib, importlib.metadata as md
out = {"python": sys.version.split()[0], "implementation": sys.implementation.name}
for dist in ("pcplan", "PyYAML", "jsonschema", "jsonschema-rs", "typer", "rich"):
    try:
        out[dist] = md.version(dist)
    except md.PackageNotFoundError:
        pass
if "pcplan" not in out:
    try:
        import pcplan
        out["pcplan"] = pcplan.__version__ + " (from " + pcplan.__file__.rsplit("/src/", 1)[0] + ")"
    except Exception:
        pass
try:
    import yaml
    out["libyaml"] = bool(yaml.__with_libyaml__) and yaml.CSafeLoader is not None
except Exception:
    pass
print(json.dumps(out))
"""
    info = json.loads(probe(python, code) or "{}")
    if cjs:
        run = subprocess.run(cjs + ["--version"], capture_output=True, text=True)
        info["check-jsonschema"] = (run.stdout.strip().split() or ["?"])[-1]
    return info


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    ram = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu,
            "cores": os.cpu_count(), "usable_cores": usable, "ram_bytes": ram,
            "load": os.getloadavg() if hasattr(os, "getloadavg") else None}


def command_line(argv, python: str) -> str:
    """The command that reproduces this run (with the PYTHONPATH it ran under, if any)."""
    args = list(argv if argv is not None else sys.argv[1:])
    if "--python" not in args and not any(a.startswith("--python=") for a in args):
        args += ["--python", python]
    env = f"PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])} " if os.environ.get("PYTHONPATH") else ""
    return f"{env}{shlex.quote(sys.executable)} benchmarks/run.py " + " ".join(shlex.quote(a) for a in args)


def source_revision(python: str) -> str | None:
    """`git describe` of the pcplan source tree, when pcplan runs from a git checkout."""
    where = probe(python, "import pcplan, os; print(os.path.dirname(os.path.abspath(pcplan.__file__)))")
    if not where:
        return None
    try:
        run = subprocess.run(["git", "-C", where, "describe", "--always", "--dirty", "--abbrev=12"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip() if run.returncode == 0 and run.stdout.strip() else None


# ---------------------------------------------------------------- formatting

def secs(x: float) -> str:
    if x != x:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n else "-"


def wall_text(res: Result) -> str:
    if res.error:
        return "failed"
    if res.note:
        return res.note
    lo, hi = res.spread()
    return f"{secs(res.median())} [{secs(lo)}-{secs(hi)}]" if len(res.wall) > 1 else secs(res.median())


def ratio(a: Result, b: Result) -> float:
    if not a.wall or not b.wall:
        return float("nan")
    return a.median() / b.median()


def fmt_ratio(x: float, suffix: str = "x") -> str:
    return "-" if x != x else f"{x:.2f}{suffix}"


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10000, help="N for the full comparison (default 10000)")
    parser.add_argument("--series", default="100,1000,10000",
                        help="comma-separated N to show how cost grows (default 100,1000,10000)")
    parser.add_argument("--statewide", type=int, default=100000,
                        help="N of the statewide run (default 100000; 0 skips it and extrapolates from the series)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--statewide-runs", type=int, default=1, help="timed runs at the statewide N (default 1)")
    parser.add_argument("--competitor-runs", type=int, default=None,
                        help="timed runs of check-jsonschema, with no warm-up (default: --runs); it is slow at 10,000")
    parser.add_argument("--no-competitor", action="store_true", help="skip check-jsonschema")
    parser.add_argument("--shards", type=int, default=4,
                        help="check the --members repository as N shards one after another (default 4; 0 skips)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(HERE, ".bench-cache"),
                        help="where generated repositories, caches and tools are kept")
    parser.add_argument("--python", default=sys.executable, help="the interpreter with pcplan installed")
    parser.add_argument("--markdown", help="also write a Markdown report to this file")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 200 members, series 100,200, statewide 400, 1 run, no warm-up")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the untimed first run of the floor and the start-up commands")
    parser.add_argument("--no-install", action="store_true", help="skip check-jsonschema when it is not installed")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one command may run (default 3600)")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.series, args.runs, args.warmup = 200, "100,200", 1, False
        args.statewide, args.shards = 400, 4
    series = sorted({int(x) for x in args.series.split(",") if x.strip()} | {args.members})
    python = os.path.abspath(args.python) if os.sep in args.python else (shutil.which(args.python) or args.python)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    started = time.perf_counter()

    def progress(msg: str):
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)

    if not devnull_ok():
        parser.error(f"{os.devnull} is not a character device (something replaced it); restore it first "
                     "(as root: mknod -m 666 /dev/null.new c 1 3 && mv -f /dev/null.new /dev/null)")
    if probe(python, "import pcplan") is None:
        parser.error(f"{python} cannot import pcplan (install it, or set PYTHONPATH)")
    if probe(python, "import yaml; assert yaml.__with_libyaml__; yaml.CSafeLoader") is None:
        parser.error(f"{python}'s PyYAML has no C loader (libyaml); the floor needs yaml.CSafeLoader")
    jobs = has_jobs_option(python)
    if args.no_competitor:
        cjs, cjs_how = None, "skipped (--no-competitor)"
    else:
        cjs, cjs_how = find_check_jsonschema(python, out, not args.no_install, progress)
    info = {"versions": versions(python, cjs), "machine": machine(), "revision": source_revision(python),
            "jobs_option": jobs, "check_jsonschema": cjs_how, "runs": args.runs, "statewide_runs": args.statewide_runs,
            "warmup": args.warmup, "seed": args.seed, "members": args.members, "statewide": args.statewide,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command_line(argv, python)}
    schemas = os.path.join(out, "schemas")
    shutil.rmtree(schemas, ignore_errors=True)
    os.makedirs(schemas)
    subprocess.run([python, "-m", "pcplan", "schema", "--output", schemas], check=True, capture_output=True)

    per_n: dict[int, dict] = {}
    sizes = series + ([args.statewide] if args.statewide and args.statewide not in series else [])
    for n in sizes:
        repo, manifest = ensure_repo(out, n, args.seed, progress)
        statewide = n == args.statewide and n not in series
        commands = cache_suite(python, repo, out, n, manifest, statewide=statewide)
        extra: dict = {}
        if n == args.members:
            kinds = files_by_kind(repo)
            if cjs:
                commands["check_jsonschema"] = [cjs + ["--schemafile", os.path.join(schemas, f"{kind}.schema.json")]
                                                + chunk for kind in KINDS for chunk in batches(kinds[kind])]
                extra["cjs_invocations"] = len(commands["check_jsonschema"])
            else:
                commands["check_jsonschema"] = None
            folder = pick_folder(manifest)
            extra["folder"] = folder
            commands["one_folder"] = Cmd([check_command(python) + [f"members/{folder['id']}"]],
                                         env=cache_env(os.path.join(out, "caches", f"n{n}", "one-folder")),
                                         warm_up=True)
            commands["version"] = [[python, "-m", "pcplan", "--version"]]
            commands["python_pass"] = [[python, "-c", "pass"]]
            extra["files_by_kind"] = {k: len(v) for k, v in kinds.items()}
        limits = {"check_jsonschema": args.competitor_runs} if args.competitor_runs else None
        results = measure_all(commands, {name: repo for name in commands},
                              args.statewide_runs if statewide else args.runs, args.timeout, progress,
                              args.warmup and not statewide, limits)  # statewide: the files were just written
        if "check_jsonschema" in results and cjs is None:
            results["check_jsonschema"].note = f"skipped: check-jsonschema {cjs_how}"
        per_n[n] = {"results": results, "summary": manifest["summary"], "repo": repo, "statewide": statewide,
                    **extra}
        if n == args.members and args.shards:
            per_n[n]["shards"] = measure_shards(python, repo, out, n, args.shards, args.timeout, progress)
        if not devnull_ok():
            progress(f"WARNING: {os.devnull} stopped being a device during the runs for N={n}; output that should "
                     "have been discarded was written to a file, so these timings are suspect")
            info.setdefault("warnings", []).append(f"{os.devnull} was replaced by a regular file during N={n}")
    info["load_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    report = render(info, per_n, args, series)
    print(report["text"])
    if args.markdown:
        os.makedirs(os.path.dirname(os.path.abspath(args.markdown)) or ".", exist_ok=True)
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(report["markdown"])
        progress(f"wrote {args.markdown}")
    with open(os.path.join(out, f"results-n{args.members}.json"), "w", encoding="utf-8") as fh:
        json.dump(report["data"], fh, indent=1)
    progress("done")
    return 0


# ---------------------------------------------------------------- the commands

def check_command(python: str) -> list[str]:
    # the report goes to stdout, which is discarded; never `--output /dev/null` (see the module docstring)
    return [python, "-m", "pcplan", "check", "--today", TODAY, "-f", "json", "--exit-zero"]


def cache_env(folder: str) -> dict:
    """The environment of a command with its own cache folder (PCPLAN_CACHE_DIR), so that the cold runs
    and the warm ones of the same repository never share entries."""
    return {**os.environ, "PCPLAN_CACHE_DIR": folder}


def wipe(folder: str):
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def fill(folder: str, cmd: list[str], cwd: str):
    """A warm cache: filled by one untimed run of ``cmd`` when it holds nothing yet."""
    def setup():
        if not os.path.exists(os.path.join(folder, "CACHEDIR.TAG")):
            subprocess.run(cmd, cwd=cwd, env=cache_env(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
    return setup


def cache_suite(python: str, repo: str, out: str, n: int, manifest: dict, statewide: bool = False) -> dict:
    """Every command the statewide comparison times, at one N (see the module's docstring).

    At the statewide N (one cold run there takes many minutes) the set is smaller: the floor, the cold check
    with one worker, the cold report, whose cache then serves the warm check, due and report; the cold check
    with default jobs, the cold due and the run without a cache come from the series' fit."""
    check = check_command(python)
    due = [python, "-m", "pcplan", "due", "--today", TODAY, "-f", "json", "."]  # the default window: 30 days
    report = [python, "-m", "pcplan", "report", "--today", TODAY, "-f", "json", "."]
    caches = os.path.join(out, "caches", f"n{n}")
    warm = os.path.join(caches, "warm")  # one entry per member folder serves check, due and report alike
    filled = fill(warm, report, repo)
    changed = pick_folder(manifest)["id"]
    counter = [0]

    def one_changed():
        """Fill, then change one file of one member folder (a line appended: new content every run)."""
        filled()
        counter[0] += 1
        with open(os.path.join(repo, "members", changed, "member.yaml"), "a", encoding="utf-8") as fh:
            fh.write(f"# benchmark edit {counter[0]}\n")

    def cold(name: str, cmd: list[str]) -> Cmd:
        folder = os.path.join(caches, name)
        return Cmd([cmd], env=cache_env(folder), setup=wipe(folder))

    if statewide:
        warm = os.path.join(caches, "report-cold")
        filled = fill(warm, report, repo)
    commands = {
        "floor": Cmd([[python, "-c", FLOOR, "."]], warm_up=True),
        "check_nocache_j1": Cmd([check + ["--jobs", "1", "--no-cache", "."]]) if not statewide else None,
        "check_cold_j1": cold("cold-j1", check + ["--jobs", "1", "."]),
        "check_cold": cold("cold", check + ["."]) if not statewide else None,
        "report_cold": cold("report-cold", report),
        "due_cold": cold("due-cold", due) if not statewide else None,
        "check_warm": Cmd([check + ["."]], env=cache_env(warm), setup=filled),
        "check_one_changed": Cmd([check + ["."]], env=cache_env(warm), setup=one_changed),
        "due_warm": Cmd([due], env=cache_env(warm), setup=filled),
        "report_warm": Cmd([report], env=cache_env(warm), setup=filled),
    }
    return {name: cmd for name, cmd in commands.items() if cmd is not None}


def measure_shards(python: str, repo: str, out: str, n: int, count: int, timeout: float, progress) -> dict:
    """`check --shard I/N` for each I, one after another, each cold with its own cache (as each job of a CI
    matrix restores its own); then their findings' union against one whole run."""
    check = check_command(python)
    caches = os.path.join(out, "caches", f"n{n}", "shards")
    shutil.rmtree(caches, ignore_errors=True)
    times, union = [], []
    for index in range(1, count + 1):
        folder = os.path.join(caches, f"{index}")
        cmd = check + ["--shard", f"{index}/{count}", "."]
        progress(f"shard {index}/{count} (cold)")
        wall, cpu, rss, _, error = run_once([cmd], repo, False, timeout, cache_env(folder))
        progress(f"shard {index}/{count} (warm)")
        warm_wall, _, _, _, _ = run_once([cmd], repo, False, timeout, cache_env(folder))
        found = subprocess.run(cmd, cwd=repo, env=cache_env(folder), capture_output=True, text=True)
        union += json.loads(found.stdout)["findings"]
        times.append({"shard": index, "wall": wall, "cpu": cpu, "rss": rss, "warm": warm_wall, "error": error,
                      "findings": len(json.loads(found.stdout)["findings"])})
    progress("the whole repository, for the union")
    whole = subprocess.run(check + ["--no-cache", "."], cwd=repo, capture_output=True, text=True)
    everything = json.loads(whole.stdout)["findings"]
    key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
    return {"count": count, "times": times, "union_equal": sorted(map(key, union)) == sorted(map(key, everything)),
            "findings": len(everything)}


# ---------------------------------------------------------------- the report

LABELS = {
    "floor": "(a) floor: read + yaml.CSafeLoader",
    "check_nocache_j1": "(b) check --jobs 1 --no-cache",
    "check_cold_j1": "(b) check --jobs 1, cold cache",
    "check_cold": "(b) check, cold cache (default jobs)",
    "check_warm": "(e) check, warm: nothing changed",
    "check_one_changed": "(e) check, warm: one member folder changed",
    "due_cold": "(f) due, cold",
    "due_warm": "(f) due, warm",
    "report_cold": "(f) report, cold",
    "report_warm": "(f) report, warm",
    "check_jsonschema": "(c) check-jsonschema",
    "one_folder": "(d) check one member folder, warm",
    "version": "(d) pcplan --version",
    "python_pass": "    python -c pass",
}
SUITE = ("check_nocache_j1", "check_cold_j1", "check_cold", "check_warm", "check_one_changed", "due_cold",
         "due_warm", "report_cold", "report_warm")
SHORT = {"check_nocache_j1": "no cache, j1", "check_cold_j1": "cold, j1", "check_cold": "cold",
         "check_warm": "warm", "check_one_changed": "1 changed", "due_cold": "due cold", "due_warm": "due warm",
         "report_cold": "report cold", "report_warm": "report warm"}


def linfit(xs, ys):
    pts = [(x, y) for x, y in zip(xs, ys) if y == y]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else float("nan")
    icpt = my - slope * mx
    ss_res = sum((y - (icpt + slope * x)) ** 2 for x, y in pts)
    ss_tot = sum((y - my) ** 2 for _, y in pts)
    return {"startup_s": icpt, "ms_per_member": slope * 1000, "r2": 1 - ss_res / ss_tot if ss_tot else float("nan"),
            "points": len(pts)}


def render(info: dict, per_n: dict, args, series: list[int]) -> dict:
    sizes = sorted(per_n)
    big = args.statewide if args.statewide in per_n else None
    m, v = info["machine"], info["versions"]

    def res(n, key):
        return per_n[n]["results"].get(key)

    def rel(n, key, base="floor"):
        a, b = res(n, key), res(n, base)
        return ratio(a, b) if a is not None and b is not None else float("nan")

    def peak(n, key):
        r = res(n, key)
        return r.peak() if r is not None else 0

    # targets
    def target(name, value, limit, note=""):
        if value != value:
            return (name, "-", f"<= {limit}x", "not measured" + (f" ({note})" if note else ""))
        return (name, fmt_ratio(value), f"<= {limit}x", ("met" if value <= limit else "NOT met")
                + (f" ({note})" if note else ""))

    targets = []
    for n in [args.members] + ([big] if big else []):
        targets += [
            target(f"N={n}: warm re-check, nothing changed / floor", rel(n, "check_warm"), 0.05),
            target(f"N={n}: re-check, one member folder changed / floor", rel(n, "check_one_changed"), 0.06),
            target(f"N={n}: cold check --jobs 1 / floor", rel(n, "check_cold_j1"), 1.0),
            target(f"N={n}: report / check (cold, default jobs)", rel(n, "report_cold", "check_cold"), 1.1),
            target(f"N={n}: report / check (warm)", rel(n, "report_warm", "check_warm"), 1.1),
        ]
    mem_sizes = [n for n in sizes if n >= 1000]
    if len(mem_sizes) >= 2 and peak(mem_sizes[0], "check_cold_j1") and peak(mem_sizes[-1], "check_cold_j1"):
        lo, hi = peak(mem_sizes[0], "check_cold_j1"), peak(mem_sizes[-1], "check_cold_j1")
        targets.append((f"peak memory N={mem_sizes[0]} -> {mem_sizes[-1]} (cold check --jobs 1)",
                        fmt_ratio(hi / lo), "<= 1.2x", f"{'met' if hi / lo <= 1.2 else 'NOT met'} "
                        f"({mb(lo)} -> {mb(hi)})"))

    # fits over every measured N, and extrapolation where the statewide run is missing
    fits = {}
    for key in ("floor",) + SUITE:
        xs = [n for n in sizes if res(n, key) is not None and res(n, key).wall]
        fits[key] = linfit(xs, [res(n, key).median() for n in xs])
    guesses = {}
    for n in (100000, 350000):
        guesses[n] = {key: (f["startup_s"] + f["ms_per_member"] * n / 1000) for key, f in fits.items() if f}

    lines, md = [], []
    lines.append(f"pcplan benchmark, {info['date']}: series {', '.join(map(str, series))}"
                 + (f", statewide {big}" if big else "") + f"; {info['runs']} timed run(s) "
                 f"({info['statewide_runs']} at the statewide N); wall = median [min-max]")
    lines.append(f"machine: {m['cpu']}, {m['usable_cores']} usable of {m['cores']} cores, "
                 f"{(m['ram_bytes'] or 0) / 2**30:.1f} GiB RAM; load {m.get('load')} -> {info.get('load_end')}; "
                 f"Python {v.get('python')}; pcplan {v.get('pcplan')}; PyYAML {v.get('PyYAML')}")
    md.append("# Benchmarks (generated)\n")
    md.append(f"Measured {info['date']} with `{info['command']}`.\n")
    md.append("### Machine\n")
    md.append("| | |\n|---|---|")
    md.append(f"| platform | {m['platform']} ({m['machine']}) |")
    md.append(f"| CPU | {m['cpu']} |")
    md.append(f"| cores | {m['usable_cores']} usable of {m['cores']} |")
    md.append(f"| RAM | {(m['ram_bytes'] or 0) / 2**30:.1f} GiB |")
    if m.get("load"):
        md.append(f"| load average at start | {', '.join(f'{x:.2f}' for x in m['load'])} |")
    if info.get("load_end"):
        md.append(f"| load average at the end | {', '.join(f'{x:.2f}' for x in info['load_end'])} |")
    for key in ("python", "pcplan", "PyYAML", "libyaml", "jsonschema", "jsonschema-rs", "check-jsonschema"):
        if key in v:
            md.append(f"| {key} | {v[key]} |")
    if info.get("revision"):
        md.append(f"| pcplan source | git {info['revision']} |")
    md.append("")

    md.append("### Targets\n")
    md.append("| target | measured | limit | |\n|---|---:|---:|---|")
    lines.append("")
    lines.append("targets:")
    for t in targets:
        md.append(f"| {t[0]} | {t[1]} | {t[2]} | {t[3]} |")
        lines.append(f"  {t[0]:62s} {t[1]:>8s}  {t[2]:<8} {t[3]}")
    md.append("")

    md.append("### Ratios to the parse floor, every N\n")
    md.append("Median wall time of each command divided by the floor's in the same run (cold: the cache emptied "
              "before each run; warm: filled once, untimed).\n")
    keys = [k for k in SUITE if any(res(n, k) is not None for n in sizes)]
    md.append("| N | files | floor | " + " | ".join(SHORT[k] for k in keys) + " |")
    md.append("|---:|---:|---:|" + "---:|" * len(keys))
    lines.append("")
    lines.append("ratios to the floor: " + ", ".join(SHORT[k] for k in keys))
    for n in sizes:
        cells = [fmt_ratio(rel(n, k)) if res(n, k) is not None else "-" for k in keys]
        md.append(f"| {n} | {per_n[n]['summary']['files']} | {secs(res(n, 'floor').median())} | " + " | ".join(cells)
                  + " |")
        lines.append(f"  N={n:>7} floor {secs(res(n, 'floor').median()):>9}  " + "  ".join(cells))
    md.append("")

    md.append("### Peak memory (one process, ru_maxrss)\n")
    md.append("| N | cold check --jobs 1 | cold check (largest worker) | warm check | report cold | due cold |\n"
              "|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        md.append(f"| {n} | {mb(peak(n, 'check_cold_j1'))} | {mb(peak(n, 'check_cold'))} | "
                  f"{mb(peak(n, 'check_warm'))} | {mb(peak(n, 'report_cold'))} | {mb(peak(n, 'due_cold'))} |")
    md.append("")

    for n in sizes:
        r = per_n[n]["results"]
        s = per_n[n]["summary"]
        md.append(f"### {n} members{' (statewide)' if n == big else ''}\n")
        md.append(f"{s['files']} files, {s['bytes'] / 1e6:.1f} MB, generated by `benchmarks/generate.py` (seed "
                  f"{args.seed}): {s['closed']} closed cases, {s['rights_modifications']} with a rights modification, "
                  f"{sum(s['defects'].values())} with a seeded defect. Member folders "
                  f"{s['folder_bytes']['min'] / 1e3:.1f}-{s['folder_bytes']['max'] / 1e3:.1f} KB (median "
                  f"{s['folder_bytes']['median'] / 1e3:.1f} KB).\n")
        md.append("| command | wall | ratio | CPU | peak RSS | tree RSS |\n|---|---:|---:|---:|---:|---:|")
        for key, label in LABELS.items():
            x = r.get(key)
            if x is None:
                continue
            base = r["python_pass"] if key in ("one_folder", "version") and "python_pass" in r else r["floor"]
            base_name = "python -c pass" if base is r.get("python_pass") else "floor"
            rr = "" if x is base or key == "python_pass" or x.note or x.error else \
                f"{fmt_ratio(ratio(x, base))} {base_name}"
            cpu = secs(statistics.median(x.cpu)) if x.cpu else "-"
            md.append(f"| {label.strip()} | {wall_text(x)} | {rr} | {cpu} | {mb(x.peak())} | {mb(x.tree_rss)} |")
        md.append("")
        if n == args.members and "folder" in per_n[n]:
            folder = per_n[n]["folder"]
            md.append(f"The one member folder is `members/{folder['id']}` ({folder['bytes'] / 1e3:.1f} KB, the median "
                      "clean folder); it is also the folder the *one member folder changed* runs edit (a comment "
                      "line appended to its member.yaml before each run). check-jsonschema: "
                      f"{info['check_jsonschema']}.\n")
        sh = per_n[n].get("shards")
        if sh:
            md.append(f"**{sh['count']} shards, one after another** (`check --shard I/{sh['count']}`, each with its "
                      "own cache as each job of a CI matrix would restore its own):\n")
            md.append("| shard | findings | cold wall | ratio | warm wall | peak RSS |\n|---:|---:|---:|---:|---:|---:|")
            floor = r["floor"].median()
            for t in sh["times"]:
                md.append(f"| {t['shard']}/{sh['count']} | {t['findings']} | {secs(t['wall'])} | "
                          f"{fmt_ratio(t['wall'] / floor)} | {secs(t['warm'])} | {mb(t['rss'])} |")
            total = sum(t["wall"] for t in sh["times"])
            slowest = max(t["wall"] for t in sh["times"])
            md.append(f"\nSum {secs(total)} ({fmt_ratio(total / floor)} floor), slowest shard {secs(slowest)} "
                      f"({fmt_ratio(slowest / floor)} floor: the wall time of a {sh['count']}-job matrix on "
                      f"{sh['count']} such machines). Union of the shards' findings equal to one whole run "
                      f"({sh['findings']} findings): **{'yes' if sh['union_equal'] else 'NO'}**.\n")
            lines.append(f"shards: {[secs(t['wall']) for t in sh['times']]}, union equal: {sh['union_equal']}")

    md.append("### Fit and extrapolation\n")
    md.append("Least-squares fit of median wall time against N over every measured N ("
              + ", ".join(map(str, sizes)) + "), and what it gives at 100,000 and 350,000 members.\n")
    md.append("| command | start-up | per member | R² | at 100,000 | at 350,000 |\n|---|---:|---:|---:|---:|---:|")
    for key, f in fits.items():
        if f:
            md.append(f"| {LABELS[key].strip()} | {secs(f['startup_s'])} | {f['ms_per_member']:.3f} ms | "
                      f"{f['r2']:.4f} | {secs(guesses[100000][key])} | {secs(guesses[350000][key])} |")
            lines.append(f"  fit {key}: {f['startup_s'] * 1000:.0f} ms + {f['ms_per_member']:.3f} ms/member "
                         f"(R^2 {f['r2']:.4f}); 100k {secs(guesses[100000][key])}, 350k {secs(guesses[350000][key])}")
    md.append("")
    md.append("### Method\n")
    md.append(
        "- **Floor**: a `python -c` script that walks the repository (skipping hidden folders), reads every "
        "`.yaml` file as UTF-8 and calls `yaml.load(text, Loader=yaml.CSafeLoader)`; nothing else.\n"
        f"- **pcplan**: `python -m pcplan check --today {TODAY} -f json --exit-zero .` (and `due -f json`, what "
        "is due within 30 days, and `report -f json`) from the repository root, stdout discarded. Each cache variant has its own "
        "`PCPLAN_CACHE_DIR` under the benchmark folder: *cold* empties it before every run (so a cold run "
        "also writes every entry), *warm* fills it once (an untimed `report`) and then measures; the warm "
        "check, due and report share one cache (one entry per member folder serves the three).\n"
        "- **One member folder changed**: before each run a comment line is appended to one member's "
        "member.yaml, so its content is new each time.\n"
        "- **Process**: each command is started by a launcher, a bare `python -I -S` that forks, execs the "
        "command and calls `os.wait4`: wall clock from fork to wait4; CPU is user+sys of the command and its "
        "waited-for children; *peak RSS* is ru_maxrss (the largest single process); *tree RSS* is the sum over "
        "the process tree sampled every 20 ms on the first run.\n"
        "- The timed runs go round-robin, so load from other work affects all commands alike; the floor and "
        "the start-up commands run once untimed first (page cache, bytecode).\n")
    errors = [(n, k, x.error) for n in sizes for k, x in per_n[n]["results"].items() if x.error]
    if errors:
        md.append("### Errors\n")
        for n, k, e in errors:
            md.append(f"- N={n} {k}: `{e}`")
            lines.append(f"ERROR N={n} {k}: {e}")
        md.append("")
    for warning in info.get("warnings", []):
        md.append(f"**Warning:** {warning}; the timings are suspect.\n")
    data = {"info": info, "targets": targets, "fits": fits, "extrapolated": guesses,
            "shards": {str(n): per_n[n].get("shards") for n in sizes if per_n[n].get("shards")},
            "results": {str(n): {k: {"wall": x.wall, "cpu": x.cpu, "rss": x.rss, "tree_rss": x.tree_rss,
                                     "error": x.error, "note": x.note}
                                 for k, x in per_n[n]["results"].items()} for n in sizes}}
    return {"text": "\n".join(lines), "markdown": "\n".join(md), "data": data}


if __name__ == "__main__":
    sys.exit(main())
