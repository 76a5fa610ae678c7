"""Delivery files read with DuckDB (in memory, spilling to a private temporary folder) and judged with
set-based queries against the case facts: U901-U908, and the bad rows (E004, E005, L102).

Nothing read from a delivery file is written into the repository or the cache: the database lives in memory,
and what it spills goes to a temporary folder outside the repository that is removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..config import ReconcileSettings
from .columns import COLUMNS, NOT_JUDGED, find, mapping, missing
from .facts import CaseFacts

MEMORY_LIMIT = os.environ.get("PCPLAN_RECONCILE_MEMORY", "1GB")
DELIMITERS = (",", "|", "\t", ";")
TIME_BASED_CASE_MANAGEMENT = frozenset({"T1016", "T1017"})  # billed per 15 minutes (U908 reads the duration)


@dataclass
class DeliveryFile:
    number: int
    path: Path
    shown: str  # relative to the current folder, forward slashes
    kind: str  # "csv" or "parquet"
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    problem: str | None = None  # the whole file could not be read (E005 at 1:1)


@dataclass
class ReconcileRun:
    """What the engine found: result rows for rules.py, and the counts of the summary line."""

    files: list[DeliveryFile]
    rows: list[tuple] = field(default_factory=list)  # (code, file_no, rid, line, column_name, member, detail)
    period_rows: list[tuple] = field(default_factory=list)  # U905: (sup_no, member, start, end, auth, delivered)
    read: int = 0
    matched: int = 0
    judged: int = 0
    rejected: int = 0
    con: Any = None
    temp: str = ""

    def row_fields(self, file_no: int, rids: set[int]) -> dict[int, list[str | None]]:
        """Every field of the rows ``rids`` of a CSV file, in the file's order (for the findings' columns)."""
        if not rids:
            return {}
        self.con.execute("CREATE OR REPLACE TEMP TABLE wanted (rid BIGINT)")
        insert(self.con, "wanted", [(rid,) for rid in sorted(rids)])
        rows = self.con.execute(f"SELECT rowid, * FROM f{file_no} WHERE rowid IN (SELECT rid FROM wanted)").fetchall()
        return {row[0]: list(row[1:]) for row in rows}

    def close(self) -> None:
        """Close the database and remove its temporary folder (the run's findings are made)."""
        if self.con is not None:
            self.con.close()
            self.con = None
        shutil.rmtree(self.temp, ignore_errors=True)


def reconcile(deliveries: list[Path], facts: CaseFacts, settings: ReconcileSettings, today: date,
              cwd: Path) -> ReconcileRun:
    import duckdb

    temp = tempfile.mkdtemp(prefix="pcplan-reconcile-")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": temp})
    con.execute("SET enable_progress_bar = false")  # standard output is the report's
    _cleanup(con, temp)
    if True:
        files = [_describe(n, path, cwd) for n, path in enumerate(deliveries)]
        run = ReconcileRun(files, con=con, temp=temp)
        _load_facts(con, facts)
        views = [view for f in files if (view := _load_file(con, f, settings, run)) is not None]
        if views:
            con.execute("CREATE TABLE d AS " + " UNION ALL ".join(views))
        else:
            con.execute("CREATE TABLE d AS SELECT 0 AS file_no, 0::BIGINT AS rid, 0::BIGINT AS line, "
                        + ", ".join(f"NULL::VARCHAR AS {c}" for c in COLUMNS) + " WHERE false")
        _judge(con, settings, today, run)
        return run


def _cleanup(con: Any, temp: str) -> None:
    # The connection stays open while findings are made (their columns read the rows; ReconcileRun.close);
    # should the run stop before, the temporary folder still goes when the process ends.
    import atexit

    def close() -> None:
        try:
            con.close()  # closing twice is harmless
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    atexit.register(close)


def _describe(number: int, path: Path, cwd: Path) -> DeliveryFile:
    try:
        shown = path.resolve().relative_to(cwd.resolve()).as_posix()
    except (ValueError, OSError):
        shown = path.as_posix()
    kind = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    return DeliveryFile(number, path, shown, kind)


def _load_facts(con: Any, facts: CaseFacts) -> None:
    tables = {
        "members": ("member_id VARCHAR", facts.members),
        "identifiers": ("system VARCHAR, value VARCHAR, member_id VARCHAR", facts.identifiers),
        "providers": ("provider_id VARCHAR, npi VARCHAR, medicaid_id VARCHAR", facts.providers),
        "episodes": ("member_id VARCHAR, enrolled_on DATE, closed_on DATE", facts.episodes),
        "periods": ("member_id VARCHAR, p_from DATE, p_to DATE, plan_no INTEGER", facts.periods),
        "supports": ("sup_no INTEGER, plan_no INTEGER, member_id VARCHAR, support_id VARCHAR, code VARCHAR, "
                     "mods VARCHAR, provider_id VARCHAR, auth_units DOUBLE, per VARCHAR, unit VARCHAR, "
                     "sup_start DATE, sup_end DATE", facts.supports),
        "holds": ("member_id VARCHAR, h_start DATE, h_end DATE, kind VARCHAR, institutional BOOLEAN", facts.holds),
        "notes": ("member_id VARCHAR, day DATE, by_cm BOOLEAN, with_member BOOLEAN, minutes DOUBLE", facts.notes),
        "note_supports": ("member_id VARCHAR, day DATE, sup_no INTEGER", facts.note_supports),
    }
    for name, (columns, rows) in tables.items():
        con.execute(f"CREATE TABLE {name} ({columns})")
        insert(con, name, rows)


def insert(con: Any, table: str, rows: list[tuple]) -> None:
    """Rows into a table in one statement: each column passed as a list and unnested (executemany is a
    statement a row)."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    unnested = ", ".join(f"unnest(?) AS c{i}" for i in range(len(columns)))
    con.execute(f"INSERT INTO {table} SELECT {unnested}", [list(column) for column in columns])


def _header(path: Path) -> tuple[str, list[str]]:
    """The delimiter (the most frequent of DELIMITERS in the first line) and the header's column names."""
    import csv

    with open(path, "rb") as handle:
        first = handle.readline(1 << 20).decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
    if not first.strip():
        raise ValueError("no header line")
    delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    return delimiter, next(csv.reader([first], delimiter=delimiter))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load_file(con: Any, f: DeliveryFile, settings: ReconcileSettings, run: ReconcileRun) -> str | None:
    """Read one delivery file into table f<N>; the SELECT giving its rows in pcplan's columns, or None."""
    import duckdb

    n = f.number
    source = _quoted(str(f.path))
    try:
        if f.kind == "parquet":
            con.execute(f"CREATE TABLE f{n} AS SELECT * FROM read_parquet({source}, file_row_number=true)")
            f.header = [row[0] for row in con.execute(f"DESCRIBE f{n}").fetchall()]
            f.header = [h for h in f.header if h != "file_row_number"]
            fields = [_ident(h) for h in f.header]
        else:
            f.delimiter, f.header = _header(f.path)
            fields = [f"c{i}" for i in range(len(f.header))]
            # The header is read here, and DuckDB told the columns: no sniffing (1.1 cannot store rejects
            # with it), every field text, a row with a field too many or too few a reject at its line.
            struct = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in fields) + "}"
            con.execute(
                f"CREATE TABLE f{n} AS SELECT * FROM read_csv({source}, header=false, skip=1, auto_detect=false, "
                f"columns={struct}, delim={_quoted(f.delimiter)}, quote='\"', escape='\"', store_rejects=true, "
                f"rejects_table='rej{n}', rejects_scan='scan{n}')")
    except (duckdb.Error, OSError, UnicodeError, ValueError) as exc:
        f.problem = _why(exc)
        return None
    absent = missing(f.header, settings.columns)
    total = con.execute(f"SELECT count(*) FROM f{n}").fetchone()[0]
    rejects: list[int] = []
    if f.kind == "csv":
        rejects = sorted({row[0] for row in con.execute(f"SELECT line FROM rej{n}").fetchall()})
    if absent:
        f.problem = f"the header has no column {', '.join(absent)}; no row of the file was judged"
        run.read += total + len(rejects)
        run.rejected += total + len(rejects)
        return None
    for rejected in rejects:
        run.rows.append(("E005", n, None, rejected, None, None, "ragged"))
    run.read += len(rejects)
    run.rejected += len(rejects)
    names = mapping(settings.columns)
    picked = []
    for column in COLUMNS:
        index = find(f.header, names[column])
        picked.append(f"CAST({fields[index]} AS VARCHAR) AS {column}" if index is not None
                      else f"NULL::VARCHAR AS {column}")
    if f.kind == "parquet":
        where = "file_row_number + 1"
    else:
        # A row's physical line: the header, the rows before it and the rejected lines before it.
        gaps = [rejected - 2 - j for j, rejected in enumerate(rejects)]
        con.execute(f"CREATE TABLE gap{n} (g BIGINT)")
        insert(con, f"gap{n}", [(g,) for g in gaps])
        where = f"rowid + 2 + (SELECT count(*) FROM gap{n} WHERE g <= f{n}.rowid)" if gaps else "rowid + 2"
    return f"SELECT {n} AS file_no, rowid AS rid, {where} AS line, {', '.join(picked)} FROM f{n}"


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No such file" in text or isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
        return "no header line"
    if "UTF" in text or "unicode" in text.lower() or "encoding" in text.lower():
        return "not readable as UTF-8 text"
    return f"not readable as {type(exc).__name__.replace('Exception', '').lower() or 'a delivery file'}"


def _codes(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quoted(v) for v in values) + "]::VARCHAR[]" if values else "[]::VARCHAR[]"


_ROWS = """
CREATE TABLE r AS
SELECT d.file_no, d.rid, d.line,
  NULLIF(trim(d.member_id), '') AS member_raw,
  NULLIF(trim(d.member_identifier), '') AS ident_raw,
  COALESCE(m.member_id, i.member_id) AS mid,
  NULLIF(upper(trim(d.service_code)), '') AS code,
  trim(regexp_replace(array_to_string(list_sort(list_distinct(
      string_split_regex(upper(trim(COALESCE(d.modifiers, ''))), '[\\s,]+'))), ' '), ' +', ' ', 'g')) AS mods,
  NULLIF(trim(d.date_of_service), '') AS dos_raw,
  TRY_CAST(TRY_STRPTIME(trim(d.date_of_service), '%Y-%m-%d') AS DATE) AS dos,
  NULLIF(trim(d.units), '') AS units_raw,
  TRY_CAST(trim(d.units) AS DOUBLE) AS units,
  COALESCE(NULLIF(trim(d.provider_id), ''), pn.provider_id, pm.provider_id) AS prov,
  COALESCE(NULLIF(trim(d.provider_id), ''), NULLIF(trim(d.provider_npi), ''),
           NULLIF(trim(d.provider_medicaid_id), '')) IS NOT NULL AS prov_given,
  lower(trim(COALESCE(d.claim_status, ''))) AS status
FROM d
LEFT JOIN members m ON m.member_id = trim(d.member_id)
LEFT JOIN (SELECT system, value, min(member_id) AS member_id FROM identifiers GROUP BY ALL) i
  ON NULLIF(trim(d.member_id), '') IS NULL AND i.system = lower(trim(d.member_identifier_system))
     AND i.value = trim(d.member_identifier)
LEFT JOIN (SELECT npi, min(provider_id) AS provider_id FROM providers WHERE npi IS NOT NULL GROUP BY ALL) pn
  ON pn.npi = trim(d.provider_npi)
LEFT JOIN (SELECT medicaid_id, min(provider_id) AS provider_id FROM providers
           WHERE medicaid_id IS NOT NULL GROUP BY ALL) pm
  ON pm.medicaid_id = trim(d.provider_medicaid_id)
"""

# One problem per bad row, the first in this order (the column it is in).
_BAD = """
SELECT CASE
    WHEN member_raw IS NULL AND ident_raw IS NULL THEN 'E004|member_id|no member'
    WHEN code IS NULL THEN 'E004|service_code|no service code'
    WHEN dos IS NULL THEN 'E004|date_of_service|' || CASE WHEN dos_raw IS NULL THEN 'no date of service'
                                                      ELSE 'date of service not a date (YYYY-MM-DD)' END
    WHEN units IS NULL OR NOT isfinite(units) THEN 'E004|units|' || CASE WHEN units_raw IS NULL THEN 'no units'
                                                                   ELSE 'units not a number' END
    WHEN units < 0 THEN 'E004|units|negative units'
    WHEN mid IS NULL THEN 'L102|' || CASE WHEN member_raw IS NULL THEN 'member_identifier' ELSE 'member_id' END
                          || '|unknown member'
  END AS problem, file_no, rid, line
FROM r
"""


def _judge(con: Any, settings: ReconcileSettings, today: date, run: ReconcileRun) -> None:
    con.execute(_ROWS)
    con.execute(f"CREATE TABLE bad AS SELECT * FROM ({_BAD}) WHERE problem IS NOT NULL")
    read, bad = con.execute("SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM bad)").fetchone()
    for problem, file_no, rid, line in con.execute("SELECT * FROM bad").fetchall():
        code, column, detail = problem.split("|", 2)
        run.rows.append((code, file_no, rid, line, column, None, detail))
    not_judged = ", ".join(_quoted(s) for s in sorted(NOT_JUDGED))
    con.execute(f"""
        CREATE TABLE j AS SELECT r.*, list_contains({_codes(settings.case_management_codes)}, code) AS cm,
          list_contains({_codes(settings.face_to_face_codes)}, code) AS f2f
        FROM r ANTI JOIN bad USING (file_no, rid) WHERE status NOT IN ({not_judged})""")
    run.read += read
    run.rejected += bad
    run.matched = read - bad
    run.judged = con.execute("SELECT count(*) FROM j").fetchone()[0]
    _judge_days(con, run)
    _judge_units(con, settings, today, run)


def _emit(con: Any, run: ReconcileRun, code: str, column: str, sql: str) -> None:
    for file_no, rid, line, member, detail in con.execute(sql).fetchall():
        run.rows.append((code, file_no, rid, line, column, member, detail))


def _judge_days(con: Any, run: ReconcileRun) -> None:
    """U907, U901, U902, U903, U906, U908: each row against its day."""
    con.execute("""
        CREATE TABLE jd AS SELECT j.*,
          EXISTS (SELECT 1 FROM episodes e WHERE e.member_id = j.mid AND e.enrolled_on <= j.dos
                  AND (e.closed_on IS NULL OR j.dos <= e.closed_on)) AS in_episode,
          (SELECT min(p.plan_no) FROM periods p WHERE p.member_id = j.mid AND p.p_from <= j.dos
                  AND (p.p_to IS NULL OR j.dos <= p.p_to)) AS plan_no
        FROM j""")
    _emit(con, run, "U907", "date_of_service",
          "SELECT file_no, rid, line, mid, dos::VARCHAR FROM jd WHERE NOT in_episode")
    _emit(con, run, "U901", "date_of_service",
          "SELECT file_no, rid, line, mid, dos::VARCHAR FROM jd WHERE in_episode AND plan_no IS NULL")
    con.execute("""
        CREATE TABLE jm AS SELECT jd.*,
          (SELECT min(s.sup_no) FROM supports s WHERE s.plan_no = jd.plan_no AND s.code = jd.code
                  AND s.mods = jd.mods) AS any_sup,
          (SELECT min(s.sup_no) FROM supports s WHERE s.plan_no = jd.plan_no AND s.code = jd.code
                  AND s.mods = jd.mods AND (s.provider_id IS NULL OR s.provider_id = jd.prov)) AS sup_no
        FROM jd WHERE in_episode AND plan_no IS NOT NULL AND NOT cm""")
    _emit(con, run, "U902", "service_code",
          "SELECT file_no, rid, line, mid, code || CASE WHEN mods <> '' THEN ' ' || mods ELSE '' END FROM jm "
          "WHERE any_sup IS NULL")
    _emit(con, run, "U903", "provider_id",
          "SELECT file_no, rid, line, mid, any_sup::VARCHAR || '|' || CASE WHEN NOT prov_given THEN '' "
          "WHEN prov IS NULL THEN '?' ELSE prov END FROM jm WHERE any_sup IS NOT NULL AND sup_no IS NULL")
    _emit(con, run, "U906", "date_of_service", """
        SELECT file_no, rid, line, mid, dos::VARCHAR || '|' || min(h.kind) FROM jd JOIN holds h
          ON h.member_id = jd.mid AND h.institutional AND h.h_start <= jd.dos AND (h.h_end IS NULL OR jd.dos <= h.h_end)
        WHERE NOT cm GROUP BY file_no, rid, line, mid, dos""")
    # U908: a case-management unit needs a note by a case manager that day (the member in it for a face-to-face
    # code) whose minutes cover the units (15 minutes a unit, at least 8 of the last: the 8-minute rule).
    timed = _codes(tuple(sorted(TIME_BASED_CASE_MANAGEMENT)))
    _emit(con, run, "U908", "service_code", f"""
        WITH cm AS (SELECT jd.*, list_contains({timed}, code) AS timed FROM jd WHERE cm),
        day_units AS (SELECT mid, dos, code, sum(units) AS units FROM cm GROUP BY ALL),
        covered AS (SELECT u.mid, u.dos, u.code, count(n.day) AS notes, sum(n.minutes) AS minutes,
                           bool_or(n.with_member) AS with_member
                    FROM day_units u LEFT JOIN notes n ON n.member_id = u.mid AND n.day = u.dos AND n.by_cm
                    GROUP BY ALL)
        SELECT file_no, rid, line, mid, code || '|' || dos::VARCHAR || '|' ||
            CASE WHEN c.notes = 0 THEN 'none'
                 WHEN f2f AND NOT c.with_member THEN 'without'
                 ELSE 'short|' || COALESCE(c.minutes, 0)::BIGINT::VARCHAR || '|' || u.units::VARCHAR END
        FROM cm JOIN covered c USING (mid, dos, code) JOIN day_units u USING (mid, dos, code)
        WHERE c.notes = 0 OR (f2f AND NOT c.with_member)
           OR (timed AND COALESCE(c.minutes, 0) < u.units * 15 - 7)
        QUALIFY row_number() OVER (PARTITION BY mid, dos, code ORDER BY file_no, line) = 1""")


_PERIOD = """CASE s.per WHEN 'day' THEN {d} WHEN 'week' THEN date_trunc('week', {d})::DATE
    WHEN 'month' THEN date_trunc('month', {d})::DATE ELSE NULL END"""


def _judge_units(con: Any, settings: ReconcileSettings, today: date, run: ReconcileRun) -> None:
    """U904 (units over the authorization in a period) and U905 (under-delivery in a completed period)."""
    con.execute(f"""
        CREATE TABLE used AS SELECT jm.file_no, jm.rid, jm.line, jm.mid, jm.dos, jm.units, s.sup_no, s.auth_units,
          s.per, COALESCE({_PERIOD.format(d='jm.dos')}, (SELECT min(p.p_from) FROM periods p
                                                         WHERE p.plan_no = s.plan_no)) AS period
        FROM jm JOIN supports s ON s.sup_no = jm.sup_no
        WHERE s.auth_units IS NOT NULL AND s.per IN ('day', 'week', 'month', 'plan_period')""")
    _emit(con, run, "U904", "units", """
        WITH running AS (SELECT *, sum(units) OVER (PARTITION BY sup_no, period ORDER BY dos, file_no, line
                                                    ROWS UNBOUNDED PRECEDING) AS so_far,
                                   sum(units) OVER (PARTITION BY sup_no, period) AS total
                         FROM used)
        SELECT file_no, rid, line, mid, sup_no::VARCHAR || '|' || period::VARCHAR || '|' || per || '|'
               || total::VARCHAR || '|' || auth_units::VARCHAR
        FROM running WHERE so_far > auth_units
        QUALIFY row_number() OVER (PARTITION BY sup_no, period ORDER BY dos, file_no, line) = 1""")
    percent, followup = settings.underdelivery_percent, settings.underdelivery_followup_days
    rows = con.execute(f"""
        WITH windows AS (SELECT mid, min(dos) AS lo, max(dos) AS hi FROM j GROUP BY mid),
        spans AS (SELECT s.sup_no, s.member_id, s.per, s.auth_units, s.plan_no,
                         greatest(min(p.p_from), COALESCE(s.sup_start, min(p.p_from)), w.lo) AS lo,
                         least(COALESCE(max(p.p_to), DATE '9999-12-30'), COALESCE(s.sup_end, DATE '9999-12-30'),
                               w.hi, ?::DATE - 1) AS hi
                  FROM supports s JOIN periods p USING (plan_no) JOIN windows w ON w.mid = s.member_id
                  WHERE s.auth_units IS NOT NULL AND s.auth_units > 0
                    AND s.per IN ('day', 'week', 'month', 'plan_period')
                  GROUP BY s.sup_no, s.member_id, s.per, s.auth_units, s.plan_no, s.sup_start, s.sup_end, w.lo, w.hi),
        starts AS (SELECT sp.*, unnest(CASE sp.per
                      WHEN 'day' THEN generate_series(sp.lo, sp.hi, INTERVAL 1 DAY)
                      WHEN 'week' THEN generate_series(date_trunc('week', sp.lo), sp.hi, INTERVAL 7 DAY)
                      WHEN 'month' THEN generate_series(date_trunc('month', sp.lo), sp.hi, INTERVAL 1 MONTH)
                      ELSE [sp.lo::TIMESTAMP] END)::DATE AS p_start
                   FROM spans sp WHERE sp.lo <= sp.hi),
        judged AS (SELECT st.*, CASE st.per WHEN 'day' THEN st.p_start
                        WHEN 'week' THEN st.p_start + 6
                        WHEN 'month' THEN (st.p_start + INTERVAL 1 MONTH)::DATE - 1
                        ELSE (SELECT max(p.p_to) FROM periods p WHERE p.plan_no = st.plan_no) END AS p_end
                   FROM starts st)
        SELECT jd.sup_no, jd.member_id, jd.p_start, jd.p_end, jd.auth_units,
               COALESCE((SELECT sum(u.units) FROM used u WHERE u.sup_no = jd.sup_no AND u.dos BETWEEN jd.p_start
                         AND jd.p_end), 0) AS delivered
        FROM judged jd
        WHERE jd.p_start >= jd.lo AND jd.p_end IS NOT NULL AND jd.p_end <= jd.hi
          AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.member_id = jd.member_id AND h.h_start <= jd.p_end
                          AND (h.h_end IS NULL OR h.h_end >= jd.p_start))
          AND COALESCE((SELECT sum(u.units) FROM used u WHERE u.sup_no = jd.sup_no AND u.dos BETWEEN jd.p_start
                        AND jd.p_end), 0) * 100 < jd.auth_units * {int(percent)}
          AND NOT EXISTS (SELECT 1 FROM note_supports n WHERE n.member_id = jd.member_id AND n.sup_no = jd.sup_no
                          AND n.day > jd.p_end AND n.day <= jd.p_end + {int(followup)})
        ORDER BY jd.sup_no, jd.p_start""", [today]).fetchall()
    run.period_rows.extend(rows)
