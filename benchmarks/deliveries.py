#!/usr/bin/env python3
"""Write delivery files (a statewide month of EVV visits and claims) for a repository made by generate.py --coded.

    python benchmarks/generate.py REPO --members 100000 --coded
    python benchmarks/deliveries.py REPO OUT_DIR --rows 10000000 [--seed 1]

OUT_DIR receives, in the layout pcplan ships (DESIGN.md, "Services delivered"):

* ``deliveries.csv`` — an EVV export: member_id, service_code, modifiers, provider_id, date_of_service,
  units, start_time, end_time, claim_id (the members in even positions);
* ``deliveries.parquet`` — a claims extract: member_identifier_system, member_identifier, service_code,
  modifiers, provider_npi, date_of_service (DATE), units, claim_id, claim_status (the members in odd positions);
* ``manifest.json`` — every seeded defect (file, row, CSV line, expected code, member, support) and every bad
  row (file, row, kind), so a benchmark can assert each is found.

``row`` is the 1-based data row; in the CSV ``line`` is row + 1 (the header is line 1).

The month is October 2026 and the files are judged ``--today 2026-11-22``. The clean rows: every paid support
of the plan in effect all month gets, on every day of October (but days of a hospital hold), visits whose units
add up to the support's ``daily`` units (generate.py --coded authorizes ``daily`` plus an eighth, per day, week
or month), so no clean row is over its authorization and no period wholly inside October is under 75%; the
case manager's face-to-face notes in October are billed as T1016 with their minutes in 15-minute units. Seeded
defects (``--defects`` per code and file, each on its own member): U901 a visit the day before the first plan
was consented; U902 a code the plan does not hold; U903 a planned code by another provider; U904 a late visit
that takes a week's or month's total over the authorization; U905 a monthly support delivered one unit a day
(no note in the 14 days after October); U906 a visit during a hospital hold; U907 a visit before enrollment or
after closure; U908 a T1016 unit on a day with no note. U901 and U907 go to members without October rows when
there are enough (an implementation may judge every period a member's rows span). Bad rows: unparseable dates
(CSV only: the Parquet column is a DATE), negative units, an unknown member (2 each per file).

Rows are made by DuckDB from a table of supports (one row per support, never one per delivery in Python):
the same seed, repository and --rows give the same files for the same DuckDB version.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from datetime import date, timedelta


def _sibling(name: str):
    """benchmarks/NAME.py as a module of its own name (tests/hostile has a generate.py too)."""
    import importlib.util

    full = f"pcplan_bench_{name}"
    if full not in sys.modules:
        here = os.path.dirname(os.path.abspath(__file__))
        if here not in sys.path:
            sys.path.insert(0, here)  # generate.py imports pools
        spec = importlib.util.spec_from_file_location(full, os.path.join(here, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
    return sys.modules[full]


G = _sibling("generate")

MONTH_START = date(2026, 10, 1)
MONTH_END = date(2026, 10, 31)
DAYS = 31
TODAY = G.TODAY
CODES = ("U901", "U902", "U903", "U904", "U905", "U906", "U907", "U908")
CSV_COLUMNS = ["member_id", "service_code", "modifiers", "provider_id", "date_of_service", "units",
               "start_time", "end_time", "claim_id"]
PARQUET_COLUMNS = ["member_identifier_system", "member_identifier", "service_code", "modifiers", "provider_npi",
                   "date_of_service", "units", "claim_id", "claim_status"]
FILES = ("deliveries.csv", "deliveries.parquet")
BAD_PER_KIND = 2
POOL = 64
MEMORY_LIMIT = "1.5GB"


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def providers_by_id(repo: str) -> dict:
    """id -> (npi, medicaid_id) from the generated providers.yaml (the same function wrote it)."""
    return {p["id"]: (p["npi"], p["medicaid_id"]) for p in G.providers_doc()["providers"]}


def plan_in_october(facts: dict) -> dict | None:
    """The plan in effect all of October 2026, consented by its first day; None when there is none."""
    plans = facts["plans"]
    if any(MONTH_START < d(p["date"]) <= MONTH_END for p in plans):
        return None
    before = [p for p in plans if d(p["date"]) <= MONTH_START]
    if not before:
        return None
    p = before[-1]
    if p["consent"] is None or d(p["consent"]) > MONTH_START or d(p["end"]) < MONTH_END:
        return None
    return p


def clean_member(facts: dict) -> tuple[dict | None, list]:
    """(plan in effect, its supports running all October) for a member whose October can be delivered clean."""
    if facts["defect"] is not None or d(facts["enrolled"]) > MONTH_START:
        return None, []
    if facts["closed"] and d(facts["end"]) <= MONTH_END + timedelta(days=1):
        return None, []
    plan = plan_in_october(facts)
    if plan is None:
        return None, []
    sups = [s for s in plan["supports"] if d(s["start"]) <= MONTH_START and d(s["end"]) >= MONTH_END]
    return plan, sups


def hold_days(facts: dict) -> set:
    if not facts["hold"]:
        return set()
    a, b = d(facts["hold"][0]), d(facts["hold"][1])
    return {(a + timedelta(days=i) - MONTH_START).days for i in range((b - a).days + 1)}


class Extra:
    """The rows made in Python: case-management visits, seeded defects, bad rows (a few thousand at most)."""

    def __init__(self):
        self.rows: list = []

    def add(self, file, order, member, medicaid, code, mods, pid, dos, units, start, end, claim, expect=None,
            support=None, plan=None, period=None):
        self.rows.append((file, order, member, medicaid, code, " ".join(mods), pid, dos, units, start, end, claim,
                          expect, support, plan, period))


def load(con, out: str, name: str, columns: str, rows) -> None:
    """A table from Python rows, through a temporary tab-separated file (executemany is slow for many rows)."""
    path = os.path.join(out, f".{name}.tsv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        for r in rows:
            writer.writerow(["\\N" if v is None else v for v in r])
    spec = ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in columns.split(", "))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_csv(?, delim = '\t', header = false, "
                f"quote = '\"', escape = '\"', nullstr = '\\N', columns = {{{spec}}})", [path])
    os.remove(path)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def build(repo: str, out: str, rows: int, seed: int = 1, defects: int = 3, quiet: bool = False) -> dict:
    t0 = time.perf_counter()
    facts_file = G.facts_path(repo)
    if not os.path.exists(facts_file):
        raise SystemExit(f"{facts_file} is missing: generate the repository with generate.py --coded")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(f"deliveries:{seed}")
    npi = providers_by_id(repo)
    extra, supports, pools, order = read_facts(facts_file, seed)
    cm_rows = len(extra.rows)
    cut, forced = seed_defects(pools, extra, supports, rng, defects, sorted(npi))
    seeded = len(extra.rows) - cm_rows + len(cut)
    add_bad_rows(extra, supports, rng)
    kept, base, rem = keep_supports(supports, cut, forced, rows, len(extra.rows), order, rng)
    counts, marked = write_files(out, seed, supports, kept, cut, npi, extra, base, rem)
    seeded_rows, bad_rows = [], []
    for file, rn, expect, member, support, plan, period, code, dos in marked:
        place = {"file": FILES[file], "row": rn, "line": rn + 1 if file == 0 else None}
        if expect.startswith("bad:"):
            bad_rows.append({**place, "kind": expect[4:]})
        else:
            seeded_rows.append({**place, "code": expect, "member": member, "support": support, "plan": plan,
                                "period": period, "service_code": code, "date_of_service": dos})
    elapsed = time.perf_counter() - t0
    manifest = {
        "repository": os.path.abspath(repo), "seed": seed, "rows": sum(counts.values()), "today": str(TODAY),
        "month": "2026-10", "files": [{"path": FILES[f], "rows": counts.get(f, 0)} for f in (0, 1)],
        "case_management_code": G.CASE_MANAGEMENT_CODE, "case_management_rows": cm_rows, "seeded_rows": seeded,
        "visits_per_day": [base, base + 1], "supports": len(kept), "members": order,
        "seconds": round(elapsed, 2), "seeded": seeded_rows, "bad": bad_rows,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    if not quiet:
        print(f"wrote {manifest['rows']} delivery rows ({counts.get(0, 0)} CSV, {counts.get(1, 0)} Parquet) for "
              f"{order} members to {out} in {elapsed:.1f} s; {len(seeded_rows)} seeded defects, "
              f"{len(bad_rows)} bad rows")
    return manifest


def read_facts(facts_file: str, seed: int) -> tuple:
    """One pass over the facts, a member at a time: the supports to deliver, the case-management visits, and
    a few candidate members for each seeded code."""
    extra = Extra()
    supports = []  # (sid, file, order, member, medicaid, code, mods, pid, daily, per, units, hold days, plan path)
    # candidate members for each seeded code (U901+ and U907+: the second choice, members with October rows)
    pools: dict = {f: {c: [0, []] for c in CODES + ("U901+", "U907+")} for f in (0, 1)}
    pick = random.Random(f"candidates:{seed}")

    def keep(pool: list, key) -> None:
        """Reservoir sampling: at most POOL candidates a code and file, whatever the number of members."""
        pool[0] += 1
        if len(pool[1]) < POOL:
            pool[1].append(key)
        else:
            j = pick.randrange(pool[0])
            if j < POOL:
                pool[1][j] = key
    order = 0
    with open(facts_file, encoding="utf-8") as fh:
        for line in fh:
            facts = json.loads(line)
            file = order % 2
            order += 1
            plan, sups = clean_member(facts)
            mid, mcd = facts["id"], facts["medicaid"]
            if plan is not None:
                holds = hold_days(facts)
                for s in sups:
                    supports.append([len(supports), file, order, mid, mcd, s["code"], s["modifiers"], s["provider_id"],
                                     s["daily"], s["per"], s["units"], holds, plan["path"], s["id"]])
                for day, contact, minutes, about in facts["notes"]:
                    if MONTH_START <= d(day) <= MONTH_END and contact == "face_to_face" and about == mid \
                            and minutes and minutes >= 15:
                        extra.add(file, order, mid, mcd, G.CASE_MANAGEMENT_CODE, [], G.AGENCY_PROVIDER_ID, day,
                                  minutes // 15, "10:00", hhmm(600 + minutes // 15 * 15), f"CM-{mid}-{day}")
                if sups:
                    key = (facts, plan, sups, holds, file, order)
                    for code in ("U902", "U903", "U904", "U905", "U908"):
                        keep(pools[file][code], key)
                    if holds:
                        keep(pools[file]["U906"], key)
            # U901 and U907 fall outside October: on members without October rows when there are enough, so that
            # few members' deliveries span months they are not delivered in (an implementation may judge every
            # period a member's rows span)
            if facts["defect"] is None and facts["plans"] and facts["plans"][-1]["supports"]:
                first = facts["plans"][0]
                key = (facts, None, facts["plans"][-1]["supports"], set(), file, order)
                mark = "" if plan is None else "+"
                if first["consent"] and d(first["consent"]) - timedelta(days=1) > d(facts["enrolled"]):
                    keep(pools[file]["U901" + mark], key)
                keep(pools[file]["U907" + mark], key)
    return extra, supports, pools, order


def seed_defects(pools: dict, extra: Extra, supports: list, rng: random.Random, defects: int,
                 other_providers: list) -> tuple:
    """Seed ``defects`` of each code in each file, each on a member of its own: (U905 cuts, supports forced whole)."""
    used: set = set()
    cut: dict = {}  # sid -> units a day, for the U905 victims
    forced: set = set()
    sid_of = {(s[3], s[13]): s[0] for s in supports}
    for file in (0, 1):
        for code in CODES:
            pool = [k for k in pools[file][code][1] if k[0]["id"] not in used]
            rng.shuffle(pool)
            if code + "+" in pools[file]:
                more = [k for k in pools[file][code + "+"][1] if k[0]["id"] not in used]
                rng.shuffle(more)
                pool += more
            n = 0
            for facts, plan, sups, holds, f, o in pool:
                if n >= defects:
                    break
                if seed_one(extra, code, facts, plan, sups, holds, f, o, rng, other_providers, cut, forced, sid_of):
                    used.add(facts["id"])
                    n += 1
            if n == 0:
                print(f"warning: no member fits a seeded {code} in {FILES[file]}", file=sys.stderr)
    return cut, forced


def keep_supports(supports: list, cut: dict, forced: set, rows: int, n_extra: int, order: int,
                  rng: random.Random) -> tuple:
    """The supports delivered (whole, in a seeded order, while their days fit) and the visits a day: base, or
    base + 1 for the first ``rem`` days in hash order."""
    budget = rows - n_extra
    order_s = list(range(len(supports)))
    rng.shuffle(order_s)
    must = [i for i in order_s if i in forced or i in cut]
    rest = [i for i in order_s if i not in forced and i not in cut]
    kept, pairs, lean = [], 0, 0  # lean: the days of the U905 supports, one visit each
    for i in must + rest:
        s = supports[i]
        n = DAYS - len(s[11])
        if pairs + lean + n > budget:
            if i in forced or i in cut:
                raise SystemExit(f"--rows {rows} is too few for the seeded defects of this repository")
            continue
        kept.append(i)
        if i in cut:
            lean += n
        else:
            pairs += n
    if budget < 0 or pairs == 0:
        raise SystemExit(f"--rows {rows} is too few for this repository")
    base, rem = divmod(budget - lean, pairs)
    if base >= 8:  # every support's daily units are 8 or more: more visits would split units below one
        raise SystemExit(f"--rows {rows} is too many for {order} members (at most {8 * pairs + n_extra})")
    return kept, base, rem


def write_files(out: str, seed: int, supports: list, kept: list, cut: dict, npi: dict, extra: Extra, base: int,
                rem: int) -> tuple:
    """Make the rows in DuckDB and copy them to the two files: (rows per file, the marked rows)."""
    import duckdb

    con = duckdb.connect(os.path.join(out, ".generate.duckdb"))
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")  # the rest spills to the database file beside it
        load(con, out, "sup", "sid INTEGER, file TINYINT, ord INTEGER, member VARCHAR, medicaid VARCHAR, "
             "code VARCHAR, mods VARCHAR, pid VARCHAR, daily INTEGER, last_day INTEGER, support VARCHAR, plan VARCHAR",
             ((s[0], s[1], s[2], s[3], s[4], s[5], " ".join(s[6]), s[7], cut.get(s[0], s[8]), DAYS - 1, s[13], s[12])
              for s in (supports[i] for i in kept)))
        load(con, out, "hold", "sid INTEGER, day INTEGER", ((i, x) for i in kept for x in supports[i][11]))
        load(con, out, "prov", "pid VARCHAR, npi VARCHAR, mpid VARCHAR", ((k, v[0], v[1]) for k, v in npi.items()))
        load(con, out, "extra", "file TINYINT, ord INTEGER, member VARCHAR, medicaid VARCHAR, code VARCHAR, "
             "mods VARCHAR, pid VARCHAR, dos VARCHAR, units INTEGER, start_time VARCHAR, end_time VARCHAR, "
             "claim VARCHAR, expect VARCHAR, support VARCHAR, plan VARCHAR, period VARCHAR", extra.rows)
        con.execute(f"""
            CREATE OR REPLACE TABLE pairs AS
            SELECT s.sid, s.file, s.ord, s.member, s.medicaid, s.code, s.mods, s.pid, s.daily, s.last_day,
                   s.support, s.plan, r.day,
                   row_number() OVER (ORDER BY s.daily = 1, hash({seed}, s.sid, r.day)) AS rk  -- U905's last
            FROM sup s, range({DAYS}) r(day)
            WHERE r.day <= s.last_day AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.sid = s.sid AND h.day = r.day)
        """)
        con.execute(f"""
            CREATE OR REPLACE TABLE allrows AS
            WITH v AS (
                SELECT *, least(daily, {base} + (rk <= {rem})::INTEGER) AS k FROM pairs
            ), x AS (
                SELECT *, unnest(range(k)) AS j FROM v
            ), y AS (
                SELECT *, (daily // k + (j < daily % k)::INTEGER) AS units, 420 + j * (840 // k) AS m FROM x
            )
            SELECT file, ord, member, medicaid, code, mods, pid,
                   strftime(DATE '{MONTH_START}' + day::INTEGER, '%Y-%m-%d') AS dos, units,
                   printf('%02d:%02d', m // 60, m % 60) AS start_time,
                   printf('%02d:%02d', (m + units * 15) // 60, (m + units * 15) % 60) AS end_time,
                   printf('V%d-%d-%d', sid, day, j) AS claim,
                   -- U905: the support's last visit of October stands for the under-delivered period
                   CASE WHEN u905 THEN 'U905' END AS expect, CASE WHEN u905 THEN support END AS support,
                   CASE WHEN u905 THEN plan END AS plan, CASE WHEN u905 THEN '2026-10' END AS period
            FROM (SELECT *, sid IN ({", ".join(str(i) for i in cut) or "-1"}) AND day = {DAYS - 1} AND j = k - 1 AS u905
                  FROM y)
            UNION ALL
            SELECT * FROM extra
        """)
        con.execute("""
            CREATE OR REPLACE TABLE numbered AS
            SELECT a.*, p.npi, p.mpid,
                   row_number() OVER (PARTITION BY file ORDER BY coalesce(try_cast(dos AS DATE), DATE '2026-10-15'),
                                      ord, start_time, claim) AS rn
            FROM allrows a LEFT JOIN prov p USING (pid)
        """)
        csv_path, pq_path = (os.path.join(out, f) for f in FILES)
        con.execute(f"""
            COPY (SELECT member AS member_id, code AS service_code, nullif(mods, '') AS modifiers, pid AS provider_id,
                         dos AS date_of_service, units, start_time, end_time, claim AS claim_id
                  FROM numbered WHERE file = 0 ORDER BY rn)
            TO '{csv_path}' (HEADER, DELIMITER ',')
        """)
        con.execute(f"""
            COPY (SELECT 'medicaid' AS member_identifier_system, medicaid AS member_identifier,
                         code AS service_code, nullif(mods, '') AS modifiers, npi AS provider_npi,
                         try_cast(dos AS DATE) AS date_of_service, units::DOUBLE AS units, claim AS claim_id,
                         'paid' AS claim_status
                  FROM numbered WHERE file = 1 ORDER BY rn)
            TO '{pq_path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
        """)
        counts = dict(con.execute("SELECT file, count(*) FROM numbered GROUP BY file").fetchall())
        marked = con.execute("SELECT file, rn, expect, member, support, plan, period, code, dos FROM numbered "
                             "WHERE expect IS NOT NULL ORDER BY file, rn").fetchall()
    finally:
        con.close()
        for suffix in ("", ".wal"):
            path = os.path.join(out, ".generate.duckdb" + suffix)
            if os.path.exists(path):
                os.remove(path)
    return counts, marked


def seed_one(extra, code, facts, plan, sups, holds, file, order, rng, others, cut, forced, sid_of) -> bool:
    """Add the row (or, for U905, the cut) that must produce ``code`` for this member; False when it cannot."""
    mid, mcd = facts["id"], facts["medicaid"]
    s = rng.choice(sups)
    path = plan["path"] if plan else facts["plans"][-1]["path"]

    def row(day, units=1, code_=None, pid=None, start=780, mods=None, sup=s):
        extra.add(file, order, mid, mcd, code_ or sup["code"], sup["modifiers"] if mods is None else mods,
                  pid or sup["provider_id"], str(day), units, hhmm(start), hhmm(start + units * 15),
                  f"S{code}-{mid}-{len(extra.rows)}", expect=code, support=sup["id"], plan=path,
                  period=str(day)[:7])

    if code == "U901":
        row(d(facts["plans"][0]["consent"]) - timedelta(days=1), sup=facts["plans"][0]["supports"][0]
            if facts["plans"][0]["supports"] else s)
    elif code == "U902":
        planned = {x["code"] for x in plan["supports"]}
        spare = [c for c, _ in sorted(set(G.SERVICE_CODES.values())) if c not in planned]
        row(MONTH_START + timedelta(days=rng.randint(0, DAYS - 1)), code_=spare[0], mods=[])
    elif code == "U903":
        others_ = [p for p in others if p not in {x["provider_id"] for x in plan["supports"]}
                   and p != G.AGENCY_PROVIDER_ID]
        day = rng.choice([x for x in range(DAYS) if x not in holds])
        row(MONTH_START + timedelta(days=day), pid=rng.choice(others_))
    elif code == "U904":
        weekly = [x for x in sups if x["per"] in ("week", "month")]
        if not weekly or holds:  # days on hold are not delivered: the period's total would fall short
            return False
        s = rng.choice(weekly)
        # every day of October delivers `daily`; the period is authorized (daily + slack) per day: go past it
        slack = (s["daily"] + -(-s["daily"] // 8)) - s["daily"]
        mult = 7 if s["per"] == "week" else DAYS
        day = date(2026, 10, 11) if s["per"] == "week" else MONTH_END  # a Sunday: the week Oct 5-11 is in October
        if (day - MONTH_START).days in holds:
            return False
        forced.add(sid_of[(mid, s["id"])])
        row(day, units=slack * mult + 4, start=1290, sup=s)
    elif code == "U905":
        if holds:
            return False
        monthly = [x for x in sups if x["per"] == "month"]
        follow_up = [n for n in facts["notes"] if "2026-11-01" <= n[0] <= "2026-11-14"]
        if not monthly or follow_up:  # a note within 14 days after October may name the support (by its goals)
            return False
        s = rng.choice(monthly)
        sid = sid_of[(mid, s["id"])]
        cut[sid] = 1  # one unit a day, every day: the member's deliveries still span the month (judged whole)
        return True
    elif code == "U906":
        row(MONTH_START + timedelta(days=sorted(holds)[1] if len(holds) > 1 else min(holds)))
    elif code == "U907":
        if facts["closed"] and d(facts["end"]) + timedelta(days=3) < TODAY:
            row(d(facts["end"]) + timedelta(days=2), sup=facts["plans"][-1]["supports"][0])
        else:
            row(d(facts["enrolled"]) - timedelta(days=2), sup=facts["plans"][-1]["supports"][0])
    elif code == "U908":
        noted = {x[0] for x in facts["notes"]}
        day = next(MONTH_START + timedelta(days=x) for x in range(3, DAYS)
                   if str(MONTH_START + timedelta(days=x)) not in noted)
        row(day, units=2, code_=G.CASE_MANAGEMENT_CODE, pid=G.AGENCY_PROVIDER_ID, mods=[], start=600)
    return True


def add_bad_rows(extra, supports, rng) -> None:
    """A few rows pcplan must reject, naming the file and row: unparseable dates, negative units, unknown members."""
    for file in (0, 1):
        mine = [s for s in supports if s[1] == file]
        if not mine:
            continue
        for kind in ("date", "units", "member"):
            if kind == "date" and file == 1:
                continue  # a Parquet DATE column cannot hold an unparseable date
            for n in range(BAD_PER_KIND):
                s = rng.choice(mine)
                dos = str(MONTH_START + timedelta(days=rng.randint(0, DAYS - 1)))
                units, member, medicaid = 1, s[3], s[4]
                if kind == "date":
                    dos = ["2026-10-32", "10/15/2026"][n % 2]
                elif kind == "units":
                    units = -4
                else:
                    member, medicaid = f"M-99999{n}", f"K999999{n}"
                extra.add(file, s[2], member, medicaid, s[5], s[6], s[7], dos, units, "12:00", "12:15",
                          f"B{kind}-{file}-{n}", expect=f"bad:{kind}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="a repository written by benchmarks/generate.py --coded")
    parser.add_argument("out", help="the folder to write deliveries.csv, deliveries.parquet and manifest.json into")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defects", type=int, default=3, help="seeded defects of each U code in each file")
    args = parser.parse_args(argv)
    build(args.repo, args.out, args.rows, args.seed, args.defects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
