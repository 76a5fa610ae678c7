"""`pcplan report`'s timeliness counts (docs/report.md, "Quality measures, trends and timeliness").

From each member's summary (facts taken in the check's one pass, kept by the cache): the days from an
enrollment to the first assessment and to the first consented plan of that episode (median and 90th
percentile, over the enrollments of the 12 months ending the day asked about), and how many contacts, plan
reviews and member copies due in those 12 months were on time (facts.timely). Per group: the agency, each
current case manager, each program (as the report shows it: hidden under CI).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from datetime import date

from ..facts.measures import MemberFacts, period_start
from ..facts.timely import KINDS, Timely

DAYS = ("to_first_assessment", "to_consented_plan")
DAYS_LABEL = {"to_first_assessment": "days from enrollment to the first assessment",
              "to_consented_plan": "days from enrollment to a consented plan"}
ON_TIME_LABEL = {"contact": "contacts made on time", "review": "plan reviews held on time",
                 "copy": "member's copies given on time"}
KEYS = {"contact": "contacts", "review": "reviews", "copy": "copies"}


def intake_days(facts: MemberFacts, first: date, last: date) -> list[tuple[int | None, int | None]]:
    """(days to the first assessment, days to the first consented plan) of each episode enrolled in
    [first, last]; None: none yet by ``last``."""
    out = []
    for episode in facts.episodes:
        enrolled = episode.enrolled_on
        if enrolled is None or not first <= enrolled <= last:
            continue
        assessed = [a.on for a in facts.assessments if a.episode == episode.number and a.on <= last]
        consented = [p.consent_on for p in facts.plans if p.episode == episode.number and p.consent_on is not None
                     and p.consent_on <= last]
        out.append((max(0, (min(assessed) - enrolled).days) if assessed else None,
                    max(0, (min(consented) - enrolled).days) if consented else None))
    return out


def days_summary(values: list[int | None]) -> dict:
    """How many, how many still waiting, the median and the 90th percentile (nearest rank) of the days."""
    known = sorted(v for v in values if v is not None)
    return {"enrollments": len(values), "pending": len(values) - len(known),
            "median": _number(statistics.median(known)) if known else None,
            "p90": known[math.ceil(0.9 * len(known)) - 1] if known else None}


def _number(value: float) -> float | int:
    return int(value) if value == int(value) else round(value, 1)


def on_time(events: Iterable[Timely], first: date, last: date) -> dict[str, list[int]]:
    """kind -> [due in [first, last], of them on time]."""
    counts = {kind: [0, 0] for kind in KINDS}
    for event in events:
        if first <= event.due <= last:
            counts[event.kind][0] += 1
            counts[event.kind][1] += event.on_time()
    return counts


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class Timeliness:
    """Each group's intake days and on-time counts, as of one day."""

    def __init__(self, as_of: date, days: bool = True) -> None:
        self.as_of = as_of
        self.count_days = days  # False: the on-time counts only (a trend's month-end)
        self.first = period_start(as_of)
        self.days: dict[tuple, dict[str, list[int | None]]] = {}
        self.due: dict[tuple, dict[str, list[int]]] = {}

    def add(self, groups: tuple[tuple, ...], facts: MemberFacts | None, events: tuple[Timely, ...]) -> None:
        intake = intake_days(facts, self.first, self.as_of) if facts is not None and self.count_days else []
        counted = on_time(events, self.first, self.as_of)
        for group in groups:
            days = self.days.setdefault(group, {key: [] for key in DAYS})
            for assessed, planned in intake:
                days["to_first_assessment"].append(assessed)
                days["to_consented_plan"].append(planned)
            due = self.due.setdefault(group, {kind: [0, 0] for kind in KINDS})
            for kind, (whole, part) in counted.items():
                due[kind][0] += whole
                due[kind][1] += part

    def rows(self, order: list[tuple]) -> list[dict]:
        out = []
        for group in order:
            days = self.days.get(group, {key: [] for key in DAYS})
            due = self.due.get(group, {kind: [0, 0] for kind in KINDS})
            row: dict = {"group_kind": group[0], "group": group[1]}
            row.update({key: days_summary(days[key]) for key in DAYS})
            row.update({KEYS[kind]: {"due": due[kind][0], "on_time": due[kind][1],
                                     "share": share(due[kind][1], due[kind][0])} for kind in KINDS})
            out.append(row)
        return out

    def series(self, order: list[tuple]) -> list[dict]:
        """The on-time counts as a trend's rows (docs/report.md): one per kind and group."""
        out: list[dict] = []
        for group in order:
            due = self.due.get(group, {kind: [0, 0] for kind in KINDS})
            out.extend({"kind": KEYS[kind], "period_end": self.as_of.isoformat(), "group_kind": group[0],
                        "group": group[1], "due": due[kind][0], "on_time": due[kind][1],
                        "share": share(due[kind][1], due[kind][0])} for kind in KINDS)
        return out
