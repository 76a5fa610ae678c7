"""The reconcile benchmark's data (issue 25): benchmarks/deliveries.py and generate.py --coded.

Small and fast (50 members, 2,000 rows): the generator is deterministic, writes the shipped layout, seeds
every U code at rows its manifest names, and generate.py's default output is what it was before --coded.
No timing is asserted: benchmarks/reconcile_bench.py measures.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import duckdb
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
MEMBERS, ROWS = 50, 2000


def _deliveries():
    name = "pcplan_bench_deliveries"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "deliveries.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


D = _deliveries()
G = D.G


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    base = tmp_path_factory.mktemp("deliveries")
    repo = base / "repo"
    G.generate(str(repo), MEMBERS, seed=1, jobs=1, coded=True, quiet=True)
    manifest = D.build(str(repo), str(base / "a"), ROWS, seed=1, quiet=True)
    return base, repo, manifest


def test_default_output_is_unchanged_by_the_coded_option(tmp_path):
    """20 members, seed 1, without --coded: the same bytes as generate.py wrote before the option existed."""
    G.generate(str(tmp_path / "plain"), 20, seed=1, jobs=1, quiet=True)
    assert _digest(tmp_path / "plain") == "4546e080ee7b022ad586c6c0e4dca92c298e90de14619d40731f8ce96a4c5e16"
    assert not (tmp_path / "plain.facts.jsonl").exists()


def test_coded_only_adds_lines(tmp_path):
    """--coded adds fields (and providers.yaml, the facts beside the repository); every other line stays."""
    G.generate(str(tmp_path / "plain"), 20, seed=1, jobs=1, quiet=True)
    G.generate(str(tmp_path / "coded"), 20, seed=1, jobs=1, coded=True, quiet=True)
    plain = sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*.yaml"))
    coded = sorted(p.relative_to(tmp_path / "coded") for p in (tmp_path / "coded").rglob("*.yaml"))
    assert sorted(set(coded) - set(plain)) == [Path("providers.yaml")]
    for rel in plain:
        old = (tmp_path / "plain" / rel).read_text().splitlines()
        new = iter((tmp_path / "coded" / rel).read_text().splitlines())
        assert all(any(line == other for other in new) for line in old), rel  # old is a subsequence of new
    text = "".join(p.read_text() for p in (tmp_path / "coded" / "members").rglob("plan-*.yaml"))
    assert "service: {code: " in text and "provider_id: pv-" in text and "authorization: {units: " in text
    assert "{system: medicaid, value: K" in (tmp_path / "coded" / "members").joinpath(
        sorted(os.listdir(tmp_path / "coded" / "members"))[0], "member.yaml").read_text()
    assert (tmp_path / "coded.facts.jsonl").read_text().count("\n") == 20


def test_deterministic(made, tmp_path):
    base, repo, manifest = made
    again = D.build(str(repo), str(tmp_path / "b"), ROWS, seed=1, quiet=True)
    assert (base / "a" / "deliveries.csv").read_bytes() == (tmp_path / "b" / "deliveries.csv").read_bytes()
    con = duckdb.connect()
    rows = "SELECT * FROM read_parquet(?)"
    assert con.execute(rows, [str(base / "a" / "deliveries.parquet")]).fetchall() == \
        con.execute(rows, [str(tmp_path / "b" / "deliveries.parquet")]).fetchall()
    for key in ("seeded", "bad", "files", "rows"):
        assert manifest[key] == again[key]
    other = D.build(str(repo), str(tmp_path / "c"), ROWS, seed=2, quiet=True)
    assert (tmp_path / "c" / "deliveries.csv").read_bytes() != (tmp_path / "b" / "deliveries.csv").read_bytes()
    assert other["rows"] == ROWS


def test_layout_and_row_count(made):
    base, _, manifest = made
    with open(base / "a" / "deliveries.csv", newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == D.CSV_COLUMNS
        n_csv = sum(1 for _ in reader)
    con = duckdb.connect()
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(base / "a" / "deliveries.parquet")]).fetchall()
    assert [r[0] for r in described] == D.PARQUET_COLUMNS
    assert dict((r[0], r[1]) for r in described)["date_of_service"] == "DATE"
    n_pq = con.execute("SELECT count(*) FROM read_parquet(?)", [str(base / "a" / "deliveries.parquet")]).fetchone()[0]
    assert n_csv + n_pq == ROWS == manifest["rows"]
    assert manifest["files"] == [{"path": "deliveries.csv", "rows": n_csv}, {"path": "deliveries.parquet", "rows": n_pq}]


def test_every_code_is_seeded_and_bad_rows_of_each_kind(made):
    _, _, manifest = made
    assert {s["code"] for s in manifest["seeded"]} == set(D.CODES)
    assert {b["kind"] for b in manifest["bad"]} == {"date", "units", "member"}
    assert len({(s["file"], s["row"]) for s in manifest["seeded"] + manifest["bad"]}) == \
        len(manifest["seeded"]) + len(manifest["bad"])  # one defect a row
    assert len({s["member"] for s in manifest["seeded"]}) == len(manifest["seeded"])  # each on a member of its own


def _rows(base: Path) -> dict:
    with open(base / "deliveries.csv", newline="", encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    con = duckdb.connect()
    cur = con.execute("SELECT * FROM read_parquet(?)", [str(base / "deliveries.parquet")])
    names = [d[0] for d in cur.description]
    pq_rows = [dict(zip(names, r)) for r in cur.fetchall()]
    return {"deliveries.csv": csv_rows, "deliveries.parquet": pq_rows}


def test_manifest_names_the_rows_in_the_files(made):
    base, repo, manifest = made
    rows = _rows(base / "a")
    medicaid = {json.loads(line)["medicaid"]: json.loads(line)["id"]
                for line in open(G.facts_path(str(repo)), encoding="utf-8")}
    for s in manifest["seeded"]:
        row = rows[s["file"]][s["row"] - 1]
        if s["file"] == "deliveries.csv":
            assert s["line"] == s["row"] + 1
            member, day = row["member_id"], row["date_of_service"]
        else:
            assert s["line"] is None
            member, day = medicaid[row["member_identifier"]], str(row["date_of_service"])
        assert (member, row["service_code"], day) == (s["member"], s["service_code"], s["date_of_service"]), s
        assert (Path(repo) / s["plan"]).exists()
        if s["code"] == "U908":
            assert s["service_code"] == G.CASE_MANAGEMENT_CODE
    for b in manifest["bad"]:
        row = rows[b["file"]][b["row"] - 1]
        if b["kind"] == "date":
            assert b["file"] == "deliveries.csv" and row["date_of_service"] in ("2026-10-32", "10/15/2026")
        elif b["kind"] == "units":
            assert float(row["units"]) < 0
        else:
            assert (row.get("member_id") or row.get("member_identifier")) not in set(medicaid) | set(medicaid.values())


def test_clean_rows_stay_inside_october_and_the_authorization(made):
    """What is not seeded is October, positive units, and each support's day within its `daily` units."""
    base, repo, manifest = made
    marked = {(s["file"], s["row"]) for s in manifest["seeded"] + manifest["bad"]}
    rows = _rows(base / "a")["deliveries.csv"]
    daily, lean = {}, set()
    u905 = {(s["member"], s["support"]) for s in manifest["seeded"] if s["code"] == "U905"}
    for f in map(json.loads, open(G.facts_path(str(repo)), encoding="utf-8")):
        for p in f["plans"]:
            for s in p["supports"]:
                key = (f["id"], s["code"], " ".join(s["modifiers"]), s["provider_id"])
                daily[key] = s["daily"]
                if (f["id"], s["id"]) in u905:
                    lean.add(key)  # the under-delivered supports: one unit a day
    per_day: dict = {}
    for n, row in enumerate(rows, start=1):
        if ("deliveries.csv", n) in marked:
            continue
        assert row["date_of_service"].startswith("2026-10-") and int(row["units"]) > 0
        key = (row["member_id"], row["service_code"], row["modifiers"], row["provider_id"])
        if row["service_code"] != G.CASE_MANAGEMENT_CODE:
            per_day[key + (row["date_of_service"],)] = per_day.get(key + (row["date_of_service"],), 0) + int(row["units"])
            assert key in daily
    assert per_day and all(units == (1 if key[:4] in lean else daily[key[:4]]) for key, units in per_day.items())
    assert lean and any(key[:4] in lean for key in per_day)
