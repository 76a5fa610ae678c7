"""Dated obligations and when they were met: what `report` counts as on time, as plain dates (docs/report.md).

:func:`timely_events` turns a case's history into :class:`Timely` records, each a due date and the day it
was met (None: not met by today). A record is *on time* when it was met on or before its due date; it
counts in a period once its due date has come. So `report` can say, as of today and as of each month-end
of a trend, how many contacts, plan reviews and member copies were on time, from facts taken once (the
member's summary, which the cache keeps): ids, codes and dates only, never a member's words.

* contacts (T205's schedule, the current episode): each contact that met a required contact type before
  its due date is on time (its due date counted as its own date); each due date a gap missed is a due date
  met late (by the contact that ended the gap) or not at all;
* plan reviews: for each consented plan, due a review frequency after its consent and after each review
  held; the plan in effect's next review is pending, a replaced plan's only while it governed;
* the member's copy of each consented plan: due the agency's copy deadline after consent; a copy declined
  with its reason recorded is no obligation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import Settings
from ..dates import add_period, parse_iso, plus_days, plus_months
from ..model import Case, text
from .lifecycle import Lifecycle, PlanRecord, meets

KINDS = ("contact", "review", "copy")
HISTORY_MONTHS = 48  # a contact gap's missed due dates kept this far back (a trend reaches 36 months)


@dataclass(frozen=True, slots=True)
class Timely:
    kind: str  # contact, review or copy
    due: date
    done: date | None  # None: not met (by the day the summary was made)

    def on_time(self) -> bool:
        return self.done is not None and self.done <= self.due


def timely_events(case: Case, settings: Settings, life: Lifecycle) -> tuple[Timely, ...]:
    """The case's contacts, plan reviews and member copies, each with its due date and the day it was met."""
    if case.member is None:
        return ()
    found = [*_contacts(life), *_reviews(life, settings), *_copies(life, settings)]
    return tuple(sorted(found, key=lambda t: (t.due, t.kind, t.done or date.max)))


def _contacts(life: Lifecycle) -> list[Timely]:
    misses, upcoming = life.contact_schedule()
    window = life.contact_window()
    if window is None:
        return []
    first = window[0]  # the window's end already bounds the lifecycle's contact notes
    since = plus_months(life.today, -HISTORY_MONTHS)
    out: list[Timely] = []
    late: set[tuple[str, int]] = set()
    for miss in misses:
        done = miss.late_note.date if miss.late_note is not None else None
        if miss.late_note is not None:
            late.add((miss.kind, id(miss.late_note)))
        out.extend(Timely("contact", day, done) for day in life.missed_dates(miss, since))
    kinds = sorted({m.kind for m in misses} | {u.kind for u in upcoming})
    for contact in life.contact_notes:  # classified once by the lifecycle, as T205 reads them
        if contact.day < first or not contact.records:
            continue
        for kind in kinds:
            if (kind, id(contact.note)) not in late and meets(contact.note, kind, contact.parties):
                out.append(Timely("contact", contact.day, contact.day))
    return out


def _reviews(life: Lifecycle, settings: Settings) -> list[Timely]:
    out: list[Timely] = []
    current = life.in_effect()
    consented = [r for r in life.plans if r.consent_on is not None]
    for record in consented:
        schedule = life.review_schedule(record, settings.review_interval_months)
        if schedule is None or record.consent_on is None:
            continue
        base = record.consent_on
        for day, _ in sorted(life.reviews_held(record)):
            if day < base:
                continue
            due = add_period(base, schedule.frequency)
            if due is None:
                break
            out.append(Timely("review", due, day))
            base = day
        due = add_period(base, schedule.frequency)
        if due is None:
            continue
        end = None if record is current else _governed_until(life, record, consented)
        if record is current or (end is not None and due < end):
            out.append(Timely("review", due, None))
    return out


def _governed_until(life: Lifecycle, record: PlanRecord, consented: list[PlanRecord]) -> date | None:
    """The day a plan no longer in effect stopped governing: the next consented plan of its episode took effect,
    its period ended, or its episode closed (None: unknown)."""
    ends = [r.effective_from for r in consented if r.episode is record.episode and r.order > record.order
            and r.effective_from is not None]
    if record.end is not None:
        ends.append(record.end)
    if record.episode is not None and record.episode.closed_on is not None:
        ends.append(record.episode.closed_on)
    if not ends and life.in_effect() is None and not life.closed:
        return life.today
    return min(ends) if ends else None


def _copies(life: Lifecycle, settings: Settings) -> list[Timely]:
    out: list[Timely] = []
    for record in life.plans:
        due = plus_days(record.consent_on, settings.copy_deadline_days) if record.consent_on is not None else None
        if due is None:
            continue
        entries = [entry for _, entry in record.plan.items("distribution") if entry.get("role") == "member"]
        if any(e.get("declined") is True and text(e, "declined_reason") is not None for e in entries):
            continue
        given = [day for e in entries if e.get("copy_given") is True and (day := parse_iso(e.get("given_on")))]
        out.append(Timely("copy", due, min(given) if given else None))
    return out
