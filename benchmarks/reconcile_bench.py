#!/usr/bin/env python3
"""The statewide reconcile benchmark: generated deliveries with seeded defects, the floor, the ratio.

    python benchmarks/reconcile_bench.py [--work /tmp/pcplan-reconcile] [--series 1000,10000,100000]
                                         [--rows-per-member 100] [--out reconcile-bench.md]

For each member count of the series it:

1. generates (or reuses, when WORK/N/ already holds them) a repository with ``generate.py --coded`` and a
   month of deliveries with ``deliveries.py`` (100 rows a member: 10,000,000 rows for 100,000 members);
2. measures the floor: what DuckDB alone takes to read the same files (``SELECT count(*) FROM read_csv(...)``
   with every column as text, as a reader that must judge each value itself does, and ``read_parquet``), best
   of three, in a fresh process;
3. runs ``pcplan reconcile deliveries.csv deliveries.parquet REPO -f json --exit-zero --today 2026-11-22``
   when ``pcplan reconcile --help`` works (skipped with a message otherwise), timing wall and CPU and peak
   RSS (of the child, from resource.getrusage);
4. checks that every seeded defect of the manifest is found: a finding of its code at its file and row (the
   CSV line, the Parquet row), or for U905 (a finding about a period, placed at the plan's support) a U905
   naming the member, the plan file and the support; and that every bad row has a finding at its row;
5. prints and writes a Markdown table: rows, generation time, floor, reconcile wall/CPU, ratio
   (reconcile / floor, target at most 3x), peak memory (target at most 2 GB), seeded defects found.

Exit status 1 when a seeded defect is missed. The files are PHI-free (generated) and are written under WORK,
never into a repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deliveries as D  # noqa: E402

G = D.G  # benchmarks/generate.py, loaded under a name of its own

TODAY = str(D.TODAY)
FLOOR_SCRIPT = r"""
import sys, time, duckdb
csv, pq = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
COUNT = ["SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)",
         "SELECT count(*) FROM read_parquet(?)"]
# every column decoded: what a reader that looks at each value cannot go under
EVERY = ["SELECT count(*), max(length(member_id || service_code || coalesce(modifiers, '') || provider_id || "
         "date_of_service || units || coalesce(start_time, '') || coalesce(end_time, '') || claim_id)) "
         "FROM read_csv(?, header = true, all_varchar = true)",
         "SELECT count(*), max(length(member_identifier || service_code || coalesce(modifiers, '') || "
         "provider_npi || claim_id || claim_status)), max(date_of_service), sum(units) FROM read_parquet(?)"]
out = []
for queries in (COUNT, EVERY):
    best = None
    for _ in range(3):
        t = time.perf_counter()
        for query, path in zip(queries, (csv, pq)):
            con.execute(query, [path]).fetchall()
        s = time.perf_counter() - t
        best = s if best is None else min(best, s)
    out.append(best)
print(out[0], out[1])
"""


def run_child(cmd: list, stdout) -> tuple:
    """Wall seconds, CPU seconds, peak RSS (MB) and exit status of one child, from os.wait4 (that child only)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, stderr


def generator_digest() -> str:
    """The generators' source: data made by another version is made again, not reused."""
    h = hashlib.sha256()
    for name in ("generate.py", "pools.py", "deliveries.py"):
        with open(os.path.join(HERE, name), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def ensure_data(work: str, members: int, rows: int, seed: int) -> dict:
    base = os.path.join(work, str(members))
    repo, out = os.path.join(base, "repo"), os.path.join(base, "deliveries")
    info_path = os.path.join(base, "generation.json")
    if os.path.exists(info_path) and os.path.exists(os.path.join(out, "manifest.json")):
        with open(info_path, encoding="utf-8") as fh:
            info = json.load(fh)
        if info.get("rows") == rows and info.get("seed") == seed and info.get("generator") == generator_digest():
            info["reused"] = True
            return info
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    t = time.perf_counter()
    G.generate(repo, members, seed, jobs=os.cpu_count() or 1, coded=True, quiet=True)
    repo_s = time.perf_counter() - t
    t = time.perf_counter()
    D.build(repo, out, rows, seed, quiet=True)
    rows_s = time.perf_counter() - t
    info = {"members": members, "rows": rows, "seed": seed, "generator": generator_digest(), "repo": repo, "out": out,
            "repository_seconds": round(repo_s, 1), "deliveries_seconds": round(rows_s, 1),
            "csv_bytes": os.path.getsize(os.path.join(out, D.FILES[0])),
            "parquet_bytes": os.path.getsize(os.path.join(out, D.FILES[1]))}
    with open(info_path, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=1)
    info["reused"] = False
    return info


def floor(info: dict) -> tuple[float, float]:
    """Best of three, in a fresh process: (count(*) of both files, every column of both files) in seconds."""
    csv, pq = (os.path.join(info["out"], f) for f in D.FILES)
    proc = subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, csv, pq], capture_output=True, text=True, check=True)
    count, every = proc.stdout.strip().splitlines()[-1].split()
    return float(count), float(every)


def pcplan_cmd() -> list | None:
    exe = shutil.which("pcplan", path=os.path.dirname(sys.executable)) or shutil.which("pcplan")
    if not exe:
        return None
    proc = subprocess.run([exe, "reconcile", "--help"], check=False, capture_output=True)
    return [exe] if proc.returncode == 0 else None


def found(manifest: dict, findings: list) -> tuple[list, list]:
    """The seeded defects and bad rows of the manifest that no finding reports."""
    at: dict = {}
    for f in findings:
        at.setdefault((os.path.basename(f.get("path", "")), f.get("line")), set()).add(f.get("code"))
    periods = {(f.get("member"), os.path.basename(f.get("path", "")), f.get("message", "").split(":")[0])
               for f in findings if f.get("code") == "U905"}
    missed = []
    for s in manifest["seeded"]:
        where = (s["file"], s["line"] if s["line"] is not None else s["row"])
        if s["code"] in at.get(where, set()):
            continue
        if s["code"] == "U905" and (s["member"], os.path.basename(s["plan"]), f"support {s['support']}") in periods:
            continue
        missed.append(s)
    bad = [b for b in manifest["bad"] if not at.get((b["file"], b["line"] if b["line"] is not None else b["row"]))]
    return missed, bad


def reconcile(info: dict, cmd: list) -> dict:
    out = info["out"]
    files = [os.path.join(out, f) for f in D.FILES]
    result_path = os.path.join(os.path.dirname(out), "reconcile.json")
    with open(result_path, "wb") as fh:
        wall, cpu, rss, code, stderr = run_child(
            cmd + ["reconcile", *files, info["repo"], "-f", "json", "--exit-zero", "--today", TODAY], fh)
    if code not in (0, 1):
        return {"error": stderr.decode(errors="replace")[-2000:]}
    with open(result_path, encoding="utf-8") as fh:
        result = json.load(fh)
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    missed, bad = found(manifest, result.get("findings", []))
    return {"wall": wall, "cpu": cpu, "rss_mb": rss, "findings": len(result.get("findings", [])),
            "seeded": len(manifest["seeded"]), "missed": missed, "bad_missed": bad,
            "summary": stderr.decode(errors="replace").strip().splitlines()[-1:]}


def table(rows: list) -> str:
    head = ("| members | rows | generate (repo + deliveries) | floor: count(*) (every column) | reconcile wall | "
            "reconcile CPU | reconcile / floor (≤ 3×) | peak RSS (≤ 2 GB) | seeded defects found |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = []
    for r in rows:
        rec = r.get("reconcile") or {}
        if "wall" in rec:
            ratio = f"{rec['wall'] / r['floor']:.1f}×"
            cells = [f"{rec['wall']:.1f} s", f"{rec['cpu']:.1f} s", ratio, f"{rec['rss_mb']:.0f} MB",
                     f"{rec['seeded'] - len(rec['missed'])} / {rec['seeded']}"]
        else:
            cells = ["—", "—", "—", "—", rec.get("error", "not run")[:60].replace("\n", " ")]
        lines.append("| " + " | ".join([f"{r['members']:,}", f"{r['rows']:,}",
                                        f"{r['repository_seconds']:.0f} s + {r['deliveries_seconds']:.0f} s",
                                        f"{r['floor']:.2f} s ({r['floor_every_column']:.2f} s)", *cells]) + " |")
    return head + "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="/tmp/pcplan-reconcile", help="where repositories and deliveries go")
    parser.add_argument("--series", default="1000,10000,100000", help="member counts, comma-separated")
    parser.add_argument("--rows-per-member", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-reconcile", action="store_true", help="generate and measure the floor only")
    parser.add_argument("--out", default="reconcile-bench.md", help="the Markdown table is written here")
    args = parser.parse_args(argv)
    cmd = None if args.no_reconcile else pcplan_cmd()
    if cmd is None and not args.no_reconcile:
        print("pcplan reconcile is not available (`pcplan reconcile --help` failed): measuring the floor only")
    rows, failed = [], False
    for members in (int(x) for x in args.series.split(",")):
        info = ensure_data(args.work, members, members * args.rows_per_member, args.seed)
        info["floor"], info["floor_every_column"] = floor(info)
        print(f"{members:>7} members, {info['rows']:>10,} rows: generated in {info['repository_seconds']} s + "
              f"{info['deliveries_seconds']} s{' (reused)' if info['reused'] else ''}; floor {info['floor']:.2f} s "
              f"(every column {info['floor_every_column']:.2f} s)",
              flush=True)
        if cmd is not None:
            rec = reconcile(info, cmd)
            info["reconcile"] = rec
            if "wall" in rec:
                print(f"         reconcile {rec['wall']:.1f} s wall, {rec['cpu']:.1f} s CPU, "
                      f"{rec['rss_mb']:.0f} MB peak; ratio {rec['wall'] / info['floor']:.1f}×; "
                      f"{rec['seeded'] - len(rec['missed'])}/{rec['seeded']} seeded defects found, "
                      f"{len(rec['bad_missed'])} bad rows without a finding", flush=True)
                for s in rec["missed"][:10]:
                    print(f"         missed {s['code']} at {s['file']} row {s['row']} ({s['member']} {s['support']})")
                failed |= bool(rec["missed"]) or bool(rec["bad_missed"])
            else:
                print(f"         reconcile failed: {rec['error'][-500:]}")
                failed = True
        rows.append(info)
    text = table(rows)
    print()
    print(text)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
