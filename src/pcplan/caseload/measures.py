"""`pcplan report`'s quality measures, their trends and the timeliness counts (docs/report.md).

The check's one pass gives each member's summary, which carries what the CMS LTSS measures need
(facts.measures.MemberFacts) and the dated contacts, reviews and copies (facts.timely): :class:`Quality`
keeps them as the report counts each member folder, and :func:`quality_data` judges them as of the day
asked about and as of each of the last months' ends (facts.measures.evaluate), reading no file again. The
counts go per group: the agency, each current case manager, each program (as the report shows programs:
typed as words, hidden under CI). Each member counted in or out of a measure, and why, is listed for the
supervisor, never under CI (then the counts by reason only). The same rows make the CSV format.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import IO, Any

from ..facts.measures import REASONS, MeasureResult, MemberFacts, Rate, evaluate, period_start
from ..facts.measures.spec import TITLES
from ..facts.summary import MemberSummary
from ..facts.timely import Timely
from ..result import MemberWork
from ..shown import looks_like_id, shown_path
from .timeliness import DAYS, DAYS_LABEL, KEYS, ON_TIME_LABEL, Timeliness

DEFAULT_MONTHS = 12
MAX_MONTHS = 36
AGENCY, CASE_MANAGER, PROGRAM = "agency", "case_manager", "program"
OUTCOMES = ("met", "not_met", "excluded", "not_eligible")  # facts.measures' outcomes, as codes
OUTCOME_WORDS = {"met": "met", "not_met": "not met", "excluded": "excluded", "not_eligible": "not eligible"}
# Each rate by a code (JSON and CSV carry codes and numbers only; these are the words people read).
RATE_KEYS = {"Assessment of core elements": "core", "Assessment of supplemental elements": "supplemental",
             "Person-centered plan with core elements": "core",
             "Person-centered plan with supplemental elements": "supplemental",
             "Plan shared with the primary care provider within 30 days": "shared",
             "Reassessment after inpatient discharge": "reassessment",
             "Reassessment and person-centered plan update after inpatient discharge": "reassessment_and_plan_update"}
RATE_NAMES = {("LTSS-1", "core"): "Assessment of core elements",
              ("LTSS-1", "supplemental"): "Assessment of supplemental elements",
              ("LTSS-2", "core"): "Person-centered plan with core elements",
              ("LTSS-2", "supplemental"): "Person-centered plan with supplemental elements",
              ("LTSS-3", "shared"): "Plan shared with the primary care provider within 30 days",
              ("LTSS-4", "reassessment"): "Reassessment after inpatient discharge",
              ("LTSS-4", "reassessment_and_plan_update"): "Reassessment and person-centered plan update after "
                                                          "inpatient discharge"}
CSV_COLUMNS = ("measure", "rate", "period_end", "group_kind", "group", "numerator", "denominator", "excluded",
               "rate_percent", "not_computable", "days")


class Quality:
    """What the measures and the timeliness counts need of each member folder, kept as the check delivers it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.facts: list[MemberFacts] = []  # member ids replaced by their place here: each outcome names its folder
        self.labels: list[str] = []  # how each member is named in the lists (its id, else its folder)
        self.groups: list[tuple[tuple, ...]] = []
        self.managers: list[str | None] = []
        self.timely: list[tuple[Timely, ...]] = []

    def add(self, work: MemberWork, summary: MemberSummary, manager: str | None, programs: tuple) -> None:
        facts = summary.measures
        if facts is None:  # (a summary always carries them; an empty record stands in, never a crash)
            facts = MemberFacts(summary.member_id, None, (), (), (), (), ())
        place = len(self.facts)
        self.facts.append(replace(facts, member_id=str(place)))
        if looks_like_id(summary.member_id):
            self.labels.append(str(summary.member_id))
        else:
            try:
                relative = work.folder.relative_to(self.root).as_posix()
            except ValueError:
                relative = work.folder.as_posix()
            self.labels.append(shown_path(relative))
        self.groups.append(((AGENCY, None), (CASE_MANAGER, manager), *((PROGRAM, p) for p in programs)))
        self.managers.append(manager)
        self.timely.append(summary.timely)


def month_ends(today: date, months: int) -> list[date]:
    """The last ``months`` month-ends on or before ``today``, oldest first."""
    out: list[date] = []
    year, month = today.year, today.month
    if today.day != calendar.monthrange(year, month)[1]:  # this month has not ended: the one before
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    while len(out) < months and year >= 1:  # (none before the calendar's first day)
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def quality_data(quality: Quality, today: date, months: int, variant: str, hide: bool) -> dict:
    """The report's `quality_measures` and `timeliness` (JSON carries exactly these)."""
    ends = month_ends(today, months)
    periods = ends + ([today] if not ends or ends[-1] != today else [])
    order = _group_order(quality.groups)
    series: list[dict] = []
    timely_series: list[dict] = []
    current: list[MeasureResult] = []
    timeliness = Timeliness(today)
    for day in periods:
        results = evaluate(quality.facts, day, variant)
        series.extend(_rows(results, day, quality.groups, order))
        counted = Timeliness(day, days=day == today)
        for index, groups in enumerate(quality.groups):
            counted.add(groups, quality.facts[index], quality.timely[index])
        timely_series.extend(counted.series(order))
        if day == today:
            current, timeliness = results, counted
    return {
        "quality_measures": {
            "variant": variant, "as_of": today.isoformat(),
            "period": {"start": period_start(today).isoformat(), "end": today.isoformat()},
            "members_listed": not hide,
            "measures": [_measure(m, quality, hide) for m in current],
            "month_ends": [day.isoformat() for day in ends],
            "series": series,
        },
        "timeliness": {
            "as_of": today.isoformat(),
            "period": {"start": period_start(today).isoformat(), "end": today.isoformat()},
            "groups": timeliness.rows(order),
            "series": timely_series,
        },
    }


def _group_order(groups: list[tuple[tuple, ...]]) -> list[tuple]:
    seen = {group for member in groups for group in member}
    kinds = (AGENCY, CASE_MANAGER, PROGRAM)
    return sorted(seen | {(AGENCY, None)}, key=lambda g: (kinds.index(g[0]), g[1] is None, g[1] or ""))


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rows(results: list[MeasureResult], day: date, groups: list[tuple[tuple, ...]], order: list[tuple]) -> list[dict]:
    """One row per measure, rate and group as of ``day`` (the CSV's rows)."""
    out = []
    for measure in results:
        for rate in measure.rates:
            counts: dict[tuple, Counter] = {group: Counter() for group in order}
            for outcome in rate.members:
                for group in groups[int(outcome.member_id or 0)]:
                    counts[group][outcome.outcome] += 1
            missing = _missing(rate)
            for group in order:
                c = counts[group]
                met, denominator = c["met"], c["met"] + c["not met"]
                out.append({"measure": measure.id, "rate": rate_key(rate.name), "period_end": day.isoformat(),
                            "group_kind": group[0], "group": group[1], "numerator": met, "denominator": denominator,
                            "excluded": c["excluded"], "rate_percent": _percent(met, denominator),
                            "not_computable": missing})
    return out


def rate_key(name: str) -> str:
    return RATE_KEYS.get(name) or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _missing(rate: Rate) -> list[str] | None:
    """What the case files lack for a rate, as field codes (``plan.ltss_elements``); None: computable."""
    text = rate.not_computable
    if text is None:
        return None
    found = [f"{kind}.{field.replace('[]', '')}" for kind, field in re.findall(r"(assessment|plan) `([^`]+)`", text)]
    if not found and "supplemental" in text:
        found = [f"{'assessment' if 'assessment' in text else 'plan'}.supplemental_elements"]
    return found or ["unknown"]


def _code(outcome: str) -> str:
    return outcome.replace(" ", "_")


def _measure(measure: MeasureResult, quality: Quality, hide: bool) -> dict:
    rates = []
    for rate in measure.rates:
        reasons = Counter((_code(o.outcome), o.reason) for o in rate.members)
        row: dict[str, Any] = {
            "rate": rate_key(rate.name), "numerator": rate.numerator, "denominator": rate.denominator,
            "share": round(rate.rate, 4) if rate.rate is not None else None,
            "excluded": sum(count for _, count in rate.exclusions),
            "exclusions": [{"reason": r, "count": n} for r, n in rate.exclusions],
            "not_computable": _missing(rate),
            "by_reason": [{"outcome": o, "reason": r, "count": reasons[(o, r)]}
                          for o, r in sorted(reasons, key=lambda k: (OUTCOMES.index(k[0]), k[1]))],
        }
        if hide:
            row["members"] = None  # CI: counts only (docs/report.md)
        else:
            members = [{"member": quality.labels[int(o.member_id or 0)],
                        "case_manager": quality.managers[int(o.member_id or 0)], "outcome": _code(o.outcome),
                        "reason": o.reason, "event": o.event.isoformat() if o.event is not None else None}
                       for o in rate.members]
            row["members"] = sorted(members, key=lambda m: (OUTCOMES.index(m["outcome"]), m["member"],
                                                             m["event"] or ""))
        rates.append(row)
    return {"id": measure.id, "rates": rates}


# -- formats -------------------------------------------------------------------------------------------------


def group_label(kind: str, group: str | None) -> str:
    if kind == AGENCY:
        return "(all members)"
    if group is None:
        return "(no case manager)" if kind == CASE_MANAGER else "(no program)"
    return group


def rate_name(measure: str, key: str) -> str:
    return RATE_NAMES.get((measure, key), key)


def missing_words(missing: list[str] | None) -> str | None:
    return f"missing {', '.join(missing)}" if missing else None


def _cell(value: object) -> object:
    """A CSV cell; text a spreadsheet would take for a formula is quoted with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def write_csv(data: dict, stream: IO) -> None:
    """One row per measure × rate × period × group, then the timeliness rows (docs/report.md lists the columns)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in data["quality_measures"]["series"]:
        writer.writerow([_cell(v) for v in (
            row["measure"], rate_name(row["measure"], row["rate"]), row["period_end"], row["group_kind"],
            group_label(row["group_kind"], row["group"]), row["numerator"], row["denominator"], row["excluded"],
            row["rate_percent"], missing_words(row["not_computable"]), None)])
    for row in data["timeliness"]["series"]:
        kind = next(k for k, v in KEYS.items() if v == row["kind"])
        writer.writerow([_cell(v) for v in (
            "timeliness", ON_TIME_LABEL[kind], row["period_end"], row["group_kind"],
            group_label(row["group_kind"], row["group"]), row["on_time"], row["due"], None,
            _percent(row["on_time"], row["due"]), None, None)])
    t = data["timeliness"]
    for group in t["groups"]:
        for key in DAYS:
            for stat in ("median", "p90"):
                writer.writerow([_cell(v) for v in (
                    "timeliness", f"{DAYS_LABEL[key]} ({'median' if stat == 'median' else '90th percentile'})",
                    t["as_of"], group["group_kind"], group_label(group["group_kind"], group["group"]),
                    None, group[key]["enrollments"] - group[key]["pending"], None, None, None, group[key][stat])])


def measure_tables(tables: Any, percent: Callable[[float | None], str]) -> None:
    """The report's terminal tables for the measures, their trend and timeliness (report._Tables)."""
    q, t = tables.report.data["quality_measures"], tables.report.data["timeliness"]
    title = f"Quality measures ({q['variant'].upper()} LTSS), 12 months ending {q['as_of']}"
    table = tables.table(title, "measure", "rate", ">numerator", ">denominator", ">rate", ">excluded")
    notes = [title] if all(r["not_computable"] for m in q["measures"] for r in m["rates"]) else []
    for measure in q["measures"]:
        for rate in measure["rates"]:
            name = rate_name(measure["id"], rate["rate"])
            if rate["not_computable"] is not None:
                notes.append(f"{measure['id']} {name}: not computable: {missing_words(rate['not_computable'])}")
                continue
            table.add_row(measure["id"], name, str(rate["numerator"]), str(rate["denominator"]),
                          percent(rate["share"]), str(rate["excluded"]))
    if not notes or notes[0] != title:
        tables.show(table)
    for note in notes:
        tables.console.print(note)
    if notes:
        tables.console.print()
    trend = [(m["id"], r["rate"], f"{m['id']}/{n}" if len(m["rates"]) > 1 else m["id"])
             for m in q["measures"] for n, r in enumerate(m["rates"], 1) if r["not_computable"] is None]
    if q["month_ends"] and trend:
        table = tables.table("Quality measures at each month-end (numerator/denominator, rate; X/2: the second "
                             "rate of X)", "month-end", *(f">{short}" for _, _, short in trend))
        cells = {(r["measure"], r["rate"], r["period_end"]): r for r in q["series"] if r["group_kind"] == AGENCY}
        for day in q["month_ends"]:
            table.add_row(day, *(_fraction(cells[(m, name, day)]) for m, name, _ in trend))
        tables.show(table)
    _timeliness_table(tables, t, percent)


def _fraction(row: dict) -> str:
    shown = f"{row['rate_percent']:g}%" if row["rate_percent"] is not None else "—"
    return f"{row['numerator']}/{row['denominator']} {shown}"


def _timeliness_table(tables: Any, t: dict, percent: Callable[[float | None], str]) -> None:
    tables.console.print(f"Timeliness, 12 months ending {t['as_of']}: days from enrollment to the first assessment "
                         "and to a consented plan (median/90th percentile; waiting: none yet), and contacts, plan "
                         "reviews and member's copies on time (on time/due).")
    table = tables.table("", "group", ">to assessment", ">to plan", ">contacts", ">reviews", ">copies")
    for group in t["groups"]:
        kind = group["group_kind"]
        label = tables.manager(group["group"]) if kind == CASE_MANAGER else \
            group_label(kind, group["group"]) if kind == AGENCY else f"program {group_label(kind, group['group'])}"
        table.add_row(label, *(_days(group[key]) for key in DAYS),
                      *(f"{group[k]['on_time']}/{group[k]['due']} {percent(group[k]['share'])}"
                        for k in ("contacts", "reviews", "copies")))
    tables.show(table)


def _days(stats: dict) -> str:
    if stats["median"] is None:
        return f"— ({stats['pending']} waiting)" if stats["pending"] else "—"
    waiting = f", {stats['pending']} waiting" if stats["pending"] else ""
    return f"{stats['median']:g}/{stats['p90']}{waiting}"


# -- HTML: a column chart per measure over the month-ends (inline SVG, every coordinate computed here) ----------

WIDTH, LEFT, RIGHT, TOP, PLOT = 760, 52, 12, 14, 130
RATE_COLOURS = ("#1e7b34", "#1d4ed8")


@dataclass(frozen=True)
class Column:
    x: str
    y: str
    width: str
    height: str
    fill: str
    title: str
    label: str  # written above the column ("" when there is no room)
    label_x: str
    label_y: str


@dataclass(frozen=True)
class TrendChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    axis_y: int
    columns: tuple[Column, ...]
    months: tuple[tuple[str, str, str], ...]  # (x, month, year)
    ticks: tuple[tuple[str, str], ...]  # (y, label)
    legend: tuple[tuple[str, str], ...]  # (colour, rate)


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


_MONTH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def trend_charts(q: dict) -> list[TrendChart]:
    """A column chart per measure with a computable rate: its rates at each month-end (agency)."""
    ends = q["month_ends"]
    if not ends:
        return []
    cells = {(r["measure"], r["rate"], r["period_end"]): r for r in q["series"] if r["group_kind"] == AGENCY}
    charts = []
    for measure in q["measures"]:
        rates = [r["rate"] for r in measure["rates"] if r["not_computable"] is None]
        # a measure no member entered at any month-end (LTSS-4 without a discharge) has nothing to draw
        if any(cells[(measure["id"], name, day)]["denominator"] for name in rates for day in ends):
            charts.append(_chart(measure, rates, ends, cells))
    return charts


def _chart(measure: dict, rates: list[str], ends: list[str], cells: dict) -> TrendChart:
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / len(ends)
    width = slot * 0.76 / len(rates)
    axis = TOP + PLOT
    columns, said = [], []
    for position, day in enumerate(ends):
        for which, name in enumerate(rates):
            row = cells[(measure["id"], name, day)]
            share = row["rate_percent"]
            x = LEFT + position * slot + slot * 0.12 + which * width
            counted = f"{row['numerator']} of {row['denominator']} ({share:g}%)" if share is not None \
                else "no member in the denominator"
            words = f"{rate_name(measure['id'], name)}, {day}: {counted}"
            said.append(words)
            height = PLOT * (share or 0) / 100
            label = f"{share:g}%" if share is not None else "—"
            columns.append(Column(_n(x), _n(axis - height), _n(width), _n(height), RATE_COLOURS[which % 2], words,
                                  label if width >= 24 else "", _n(x + width / 2), _n(axis - height - 3)))
    months = tuple((_n(LEFT + (i + 0.5) * slot), _MONTH[date.fromisoformat(d).month - 1], d[:4])
                   for i, d in enumerate(ends))
    ticks = tuple((_n(axis - PLOT * p / 100), f"{p}%") for p in (0, 25, 50, 75, 100))
    legend = tuple((RATE_COLOURS[i % 2], rate_name(measure["id"], name)) for i, name in enumerate(rates))
    title = f"{measure['id']} {TITLES.get(measure['id'], '')}: at each month-end"
    return TrendChart(f"chart-trend-{measure['id'].lower()}", title,
                      "; ".join(said) + ".", WIDTH, axis + 40, LEFT, WIDTH - RIGHT, axis, tuple(columns), months,
                      ticks, legend)


def html_context(data: dict) -> dict:
    """What templates/report_measures.html.j2 reads besides the report's data."""
    q, t = data["quality_measures"], data["timeliness"]
    shown = [(m["id"], r["rate"], f"{m['id']}/{n}" if len(m["rates"]) > 1 else m["id"])
             for m in q["measures"] for n, r in enumerate(m["rates"], 1) if r["not_computable"] is None]
    cells = {(r["measure"], r["rate"], r["period_end"]): r for r in q["series"] if r["group_kind"] == AGENCY}
    timely = {(r["kind"], r["period_end"]): r for r in t["series"] if r["group_kind"] == AGENCY}
    return {"trend_charts": trend_charts(q), "reason_words": REASONS, "on_time_label": ON_TIME_LABEL,
            "days_keys": DAYS, "timely_keys": tuple(KEYS.items()), "measure_titles": TITLES,
            "rate_names": RATE_NAMES, "outcome_words": OUTCOME_WORDS, "missing_words": missing_words,
            "trend_columns": [(rate_name(m, key), short) for m, key, short in shown],
            "trend_rows": [(day, [cells[(m, name, day)] for m, name, _ in shown]) for day in q["month_ends"]],
            "timely_rows": [(day, [timely[(key, day)] for key in KEYS.values()]) for day in q["month_ends"]]}


def html_allowance(data: dict) -> int:
    """Characters the page may grow by for these sections: a bounded amount per member listed and per row."""
    q = data["quality_measures"]
    listed = sum(len(r["members"] or ()) for m in q["measures"] for r in m["rates"])
    return 512 * (listed + len(q["series"]) + len(data["timeliness"]["groups"])) + 65536
