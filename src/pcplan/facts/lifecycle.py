"""The life of a case, computed in one place (DESIGN.md, "The life of a case").

Every date rule, `due`, `report`, `render` and the exceptions ask this module
which plan is in force; none of them works it out on its own. Which plan a
command acts on (render, fingerprint, new, the case manager) is
``pcplan.facts.acts_on``, from these answers.

* **Episodes.** An enrollment (`programs[].enrolled_on` in member.yaml) opens
  an episode, a closure file closes it, a later enrollment opens the next.
  Time is cut at closure dates: a document dated after a closure belongs to the
  next episode (an intake assessment may come before the enrollment date).
* **Consent.** A plan is consented once the member, or a legal representative
  named in member.yaml (matched by name) who held that authority on the day
  (`authority_from` / `authority_until`; none given: always), has signed it, or
  agreed to it and declined to sign (`declined_to_sign: true` with
  `declined_reason` and `witnessed_by`); on a day a legal guardian holds
  authority, only a guardian's signature counts. Its consent date is the day
  that first held; a guardian appointed later does not undo it. A refusal
  (`refused: true`) is never consent: the plan stays a draft (its `refused_on`
  and `refusal_path` say so). A provider's or case manager's signature is
  never consent, whatever role it claims.
* **States.** As of a day a plan is a *draft* (no consent yet), *consented*
  (consent given, its start still ahead), *in effect*, *superseded* (a newer
  consented plan of the episode has started) or *expired* (its effective
  period or its episode ended, with nothing newer).
* **In effect on a day.** The consented plan of that day's episode that
  started last (consent date and `effective.start` both on or before the day),
  unless its `effective.end` is before the day: then none.
* **Holds.** `holds:` in member.yaml (start, `kind`, reason, optional end)
  pause contact frequencies for their period; nothing else stops. While a hold
  is open some contact is still due (T214), and the end of an institutional
  stay (hospital, nursing facility, incarceration) is a significant change.
* **Case managers.** An assignment ends at its `to`, or on the day its staff
  member left (staff.yaml `left_on`), whichever is first; a plan's
  `monitoring.responsible: case_manager` means whoever is assigned that day.
* **Schedules.** Reviews count from the later of the last review held under
  the plan and its consent date. Contacts are judged against the last
  qualifying contact, whichever plan was in force then; a revision changes the
  frequency from its start but never forgives a contact already missed.
* **Gaps.** A contact gap runs from the first due date it missed to the
  contact that ended it (*closed*), or, with none (*open*), up to today, the
  closure or the end of the requirement. Each due date it missed is an
  occurrence (``missed_dates``), what a documented exception covers.
* **What counts as a contact.** Only a note that records what happened: a
  `text` that is not empty and not a template's placeholder
  (``records_contact``, pcplan.placeholders). An empty note (N802) meets no
  contact frequency, holds no view of the member (P411) and no goal progress.
* **Who took part in a contact.** A note's `with` says who. A contact meets a
  requirement of a contact with the member (face_to_face > video > phone >
  written, a higher rank meeting a lower one) only when `with` names the member
  (legal or preferred name, or `member`). A contact with someone other than the
  member (family, guardian, provider, school), in any channel, is a collateral
  contact: it meets a `collateral` requirement, and a contact with the member
  alone never does. A contact with the member and others meets both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from ..dates import CONTACT_RANK, add_period, parse_frequency, parse_iso, plus_days
from ..model import Case, Document, get_in, normalized_name, plan_name, text
from ..placeholders import is_placeholder

# Representatives whose signature is consent (DESIGN.md: guardian, power of attorney, authorized representative).
LEGAL_AUTHORITIES = {
    "legal_guardian": "legal guardian",
    "power_of_attorney": "power of attorney",
    "authorized_representative": "authorized representative",
}

SIGNIFICANT_CHANGE = ("change_in_condition", "member_request")  # assessment types that ask for a review (T212)
# Holds that are stays in an institution (DESIGN.md, "Hold"): their end is a discharge, a significant change (T212).
INSTITUTIONAL_HOLDS = ("hospital", "nursing_facility", "incarceration")
# The only member-folder rules that judge a member who is only referred (DESIGN.md, "Episodes"); the schema and
# the other file rules (E0xx) judge every file.
ONLY_REFERRED_RULES = frozenset({"A607"})

DRAFT, CONSENTED, IN_EFFECT, SUPERSEDED, EXPIRED = "draft", "consented", "in effect", "superseded", "expired"


@dataclass(frozen=True, slots=True)
class ContactNote:
    """A note naming a contact channel, classified once (Lifecycle.contact_notes)."""

    day: date
    note: Document
    records: bool  # it records what happened (records_contact): only then is it a contact
    parties: tuple[bool, bool]  # contact_parties: (the member took part, someone else did)


@dataclass(frozen=True)
class Episode:
    """One enrollment-to-closure stretch of a member's record."""

    number: int  # 1-based, oldest first
    enrolled_on: date | None  # None: the record holds no enrollment date for it
    enrollment_path: tuple | None  # where in member.yaml, for findings
    closure: Document | None  # None while the episode is open
    begins_after: date | None  # the previous episode's closure date

    @property
    def closed(self) -> bool:
        return self.closure is not None

    @property
    def closed_on(self) -> date | None:
        return self.closure.date if self.closure is not None else None

    def holds(self, day: date) -> bool:
        """Whether a record dated ``day`` belongs to this episode."""
        if self.begins_after is not None and day <= self.begins_after:
            return False
        return self.closure is None or self.closed_on is None or day <= self.closed_on


@dataclass(frozen=True)
class Hold:
    """A recorded pause of contact frequencies (member.yaml `holds`)."""

    index: int
    start: date
    end: date | None  # None: still on hold
    kind: str | None = None  # hospital, nursing_facility, incarceration, travel, member_request, other; None: unsaid

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def institutional(self) -> bool:
        """A stay in an institution (hospital, nursing facility, jail or prison): its end is a discharge, a
        significant change (T212). A hold whose `kind` is missing or unknown is not one."""
        return self.kind in INSTITUTIONAL_HOLDS

    def open_on(self, day: date) -> bool:
        """Begun by ``day`` and not ended before it (a planned `end` still ahead leaves it open)."""
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class PlanRecord:
    """A plan with what the lifecycle knows of it."""

    plan: Document
    episode: Episode | None
    consent_on: date | None  # None: a draft
    consent_path: tuple | None  # the signature that gave consent
    start: date | None  # `effective.start`, else the plan's date
    end: date | None  # `effective.end`
    # The first refusal by someone who may consent (the member, a legal representative holding authority that
    # day): its day (`refused_on`, else `signed_on`, else the meeting's or plan's date) and where; None: none.
    # A refusal is never consent; a plan refused and never consented is a refused draft.
    refused_on: date | None = None
    refusal_path: tuple | None = None

    @property
    def refused(self) -> bool:
        """A draft the member or their legal representative refused (DESIGN.md: a refusal is not consent)."""
        return self.consent_on is None and self.refusal_path is not None

    @property
    def effective_from(self) -> date | None:
        """The first day the plan can be in effect: its start and its consent both reached."""
        if self.consent_on is None:
            return None
        return max(self.consent_on, self.start) if self.start is not None else self.consent_on

    @property
    def order(self) -> tuple:
        return (self.start or date.min, self.plan.date or date.min, self.plan.display_path)

    @property
    def label(self) -> str:
        return plan_name(self.plan)


@dataclass(frozen=True)
class ContactMiss:
    """A contact gap (T205): from the first due date it missed to the contact that ended it, if any.

    *Open* when no contact ended it (``late_note`` None: it runs up to today, the closure, or the day a
    revision stopped asking for the contact); *closed* when a contact came, late. Each due date the gap
    missed is an occurrence (``Lifecycle.missed_dates``): an exception covers the ones due in its period.
    """

    kind: str  # the contact type required
    due: date  # the first due date missed
    under: PlanRecord  # the plan it was due under
    requirement: int  # index in that plan's `monitoring.contacts`
    every: tuple[int, str]
    since: date  # the last qualifying contact, or when the requirement began
    since_contact: str | None  # the type of that last contact as recorded, None when the clock started at a plan
    late_note: Document | None  # the note that finally came, late; None: the gap runs to ``gap_end``
    gap_end: date
    current: PlanRecord | None  # the plan in effect at ``gap_end`` requiring this contact (open gaps)
    current_requirement: int | None
    # contacts of the gap that did not count for who took part: of the channel asked for without the member,
    # or (collateral) with the member alone
    not_counted: tuple[date, ...] = ()
    # notes of the gap that would have met the requirement but record nothing of what happened (N802)
    empty: tuple[date, ...] = ()
    # how the due dates of the gap follow one another: (the day a plan's frequency applies from, the frequency),
    # the first from the gap's first due date, one more for each revision that takes effect during the gap
    steps: tuple = ()
    through: date | None = None  # the last day on which a due date counts as missed (None: ``gap_end``)

    @property
    def closed(self) -> bool:
        """A contact came, late: history that no edit can fix."""
        return self.late_note is not None


@dataclass(frozen=True)
class NextContact:
    """The next contact of one type the plan in effect asks for (for `due`)."""

    kind: str
    due: date
    under: PlanRecord
    requirement: int


@dataclass
class Lifecycle:
    case: Case
    today: date

    # ------------------------------------------------------------ episodes

    @cached_property
    def episodes(self) -> list[Episode]:
        member = self.case.member
        enrollments = sorted(
            (day, ("programs", index, "enrolled_on"))
            for index, program in (member.items("programs") if member is not None else [])
            if (day := parse_iso(program.get("enrolled_on"))) is not None)
        closures = sorted((d for d in self.case.documents if d.kind == "closure"),
                          key=lambda d: (d.date is None, d.date or date.min, d.display_path))
        episodes: list[Episode] = []
        after: date | None = None
        for closure in closures:
            closed_on = closure.date
            opened = [e for e in enrollments if (after is None or e[0] > after)
                      and (closed_on is None or e[0] <= closed_on)]
            first = opened[0] if opened else (None, None)
            episodes.append(Episode(len(episodes) + 1, first[0], first[1], closure, after))
            if closed_on is None:
                return episodes  # an undated closure closes the record as it stands
            after = closed_on
        later = [e for e in enrollments if after is None or e[0] > after]
        if later or not episodes:
            first = later[0] if later else (None, None)
            episodes.append(Episode(len(episodes) + 1, first[0], first[1], None, after))
        return episodes

    @property
    def current_episode(self) -> Episode:
        return self.episodes[-1]

    def episode_of(self, day: date | None) -> Episode | None:
        if day is None:
            return None
        return next((e for e in self.episodes if e.holds(day)), None)

    @property
    def status(self) -> str | None:
        value = self.case.member.get("status") if self.case.member is not None else None
        return value if isinstance(value, str) else None

    @property
    def closed(self) -> bool:
        """The case is closed today: its latest episode has a closure, or member.yaml says so (X703 tells
        when the two disagree)."""
        return self.current_episode.closed or self.status == "closed"

    @property
    def closed_on(self) -> date | None:
        """When the current episode closed (None while open, or when the closure has no readable date)."""
        return self.current_episode.closed_on

    def in_current_episode(self, doc: Document) -> bool:
        return doc.date is not None and self.current_episode.holds(doc.date)

    # ------------------------------------------------------------ holds

    @cached_property
    def holds(self) -> list[Hold]:
        member = self.case.member
        if member is None:
            return []
        return [Hold(index, start, parse_iso(entry.get("end")),
                     entry.get("kind") if isinstance(entry.get("kind"), str) else None)
                for index, entry in member.items("holds")
                if (start := parse_iso(entry.get("start"))) is not None]

    def on_hold(self, day: date) -> bool:
        return any(hold.covers(day) for hold in self.holds)

    def holds_of_current_episode(self) -> list[Hold]:
        """The holds begun in the current episode (by today): an older episode's holds are history."""
        return [hold for hold in self.holds if hold.start <= self.today and self.current_episode.holds(hold.start)]

    @property
    def only_referred(self) -> bool:
        """A member who is only referred (DESIGN.md, "Episodes"): `status: referred` and no enrollment or
        closure in the record yet. Such a member is judged by nothing but the schema and A607. A member
        referred again after a closure is not: the closed episode is still on record."""
        if self.status != "referred":
            return False
        return all(e.enrolled_on is None and e.closure is None for e in self.episodes)

    def paused_until(self, since: date, due: date | None) -> date | None:
        """``due`` pushed back by the days spent on hold from ``since`` up to it (the clock stops during
        a hold, so a hold the pushed date reaches pushes it further); None when an open hold has begun by
        then (nothing is due while it lasts), or when ``due`` is None or pushed past the calendar's end
        (never due: a hold until 9999-12-31 is as good as an open one)."""
        if due is None:
            return None
        moved, counted = due, None  # counted: the last day on hold already added
        for start, end in sorted(((h.start, h.end) for h in self.holds), key=lambda span: span[0]):
            if start > moved:
                break  # holds are taken in order of their start: the rest begin later still
            if end is None:
                return None
            first = max(start, since)
            if counted is not None and first <= counted:  # overlapping holds: each day counts once
                if counted == date.max:
                    break
                first = counted + timedelta(days=1)
            if end < first:
                continue
            pushed = plus_days(moved, (end - first).days + 1)
            if pushed is None:
                return None
            moved, counted = pushed, end
        return moved

    # ------------------------------------------------------------ plans

    @cached_property
    def plans(self) -> list[PlanRecord]:
        legal = authorities(self.case.member)
        out = []
        for plan in self.case.plans:
            consent_on, consent_path = consent_of(plan, legal)
            refused_on, refusal_path = refusal_of(plan, legal)
            start = parse_iso(get_in(plan.data, "effective", "start")) or plan.date
            end = parse_iso(get_in(plan.data, "effective", "end"))
            out.append(PlanRecord(plan, self.episode_of(plan.date), consent_on, consent_path, start, end,
                                  refused_on, refusal_path))
        return sorted(out, key=lambda r: r.order)

    def record(self, plan: Document) -> PlanRecord:
        return next(r for r in self.plans if r.plan is plan)

    def consented(self, record: PlanRecord, day: date | None = None) -> bool:
        day = day or self.today
        return record.consent_on is not None and record.consent_on <= day

    def in_effect(self, day: date | None = None) -> PlanRecord | None:
        """The plan in effect on ``day`` (default today), or None."""
        day = day or self.today
        # Memoized per day: rules ask about the same few days (today, note dates) tens of times per case.
        # The memo lives on this Lifecycle, which the case never refers to (no reference cycle).
        try:
            return self._in_effect_on[day]
        except KeyError:
            found = self._in_effect_on[day] = self._find_in_effect(day)
            return found

    @cached_property
    def _in_effect_on(self) -> dict[date, PlanRecord | None]:
        return {}

    def _find_in_effect(self, day: date) -> PlanRecord | None:
        episode = self.episode_of(day)
        if episode is None:
            return None
        started = [r for r in self.plans if r.episode is episode and r.effective_from is not None
                   and r.effective_from <= day]
        if not started:
            return None
        latest = max(started, key=lambda r: r.order)
        if latest.end is not None and latest.end < day:
            return None
        if episode.closed and episode.closed_on is not None and day > episode.closed_on:
            return None
        return latest

    def plan_on(self, day: date | None) -> Document | None:
        """The plan in effect on ``day`` (a note's date, say), or None."""
        record = self.in_effect(day) if day is not None else None
        return record.plan if record is not None else None

    @property
    def plan_in_effect(self) -> Document | None:
        record = self.in_effect()
        return record.plan if record is not None else None

    def state(self, record: PlanRecord, day: date | None = None) -> str:
        day = day or self.today
        if not self.consented(record, day):
            return DRAFT
        current = self.in_effect(day)
        if current is record:
            return IN_EFFECT
        if record.effective_from is not None and record.effective_from > day:
            return CONSENTED
        newer = any(r is not record and r.episode is record.episode and r.order > record.order
                    and r.effective_from is not None and r.effective_from <= day for r in self.plans)
        return SUPERSEDED if newer else EXPIRED

    @cached_property  # asked by most plan rules; it depends only on the case and today
    def governing(self) -> PlanRecord | None:
        """The plan that speaks for the current episode: the one in effect, else the newest consented one
        (expired or not yet started)."""
        current = self.in_effect()
        if current is not None:
            return current
        consented = [r for r in self.plans if r.episode is self.current_episode and self.consented(r)]
        return max(consented, key=lambda r: r.order) if consented else None

    def plans_to_check(self) -> list[Document]:
        """Plans whose content is judged: the governing plan and every plan of the episode after it
        (drafts, revisions not yet in effect). Superseded plans and older drafts are history."""
        return list(self._plans_to_check)  # a copy: the caller may change its list

    @cached_property  # asked by dozens of rules per case
    def _plans_to_check(self) -> tuple[Document, ...]:
        episode = self.current_episode
        governing = self.governing
        mine = [r for r in self.plans if r.episode is episode]
        if governing is None:
            return tuple(r.plan for r in mine)
        return tuple(r.plan for r in mine if r is governing or r.order > governing.order)

    def replaces(self, record: PlanRecord) -> PlanRecord | None:
        """The plan ``record`` replaces: the newest plan of its episode before it (in order of start, date
        and path) consented by today. Drafts are never replaced, and a plan of another episode never is."""
        older = [r for r in self.plans if r is not record and r.episode is record.episode
                 and r.order < record.order and self.consented(r)]
        return max(older, key=lambda r: r.order) if older else None

    def drafts(self) -> list[PlanRecord]:
        """Unsigned plans of the current episode newer than the governing plan (awaiting signature)."""
        governing = self.governing
        return [r for r in self.plans if r.episode is self.current_episode and not self.consented(r)
                and (governing is None or r.order > governing.order)]

    # ------------------------------------------------------------ reviews

    def reviews_held(self, record: PlanRecord) -> list[tuple[date, int]]:
        """(date, index) of the reviews that count for this plan: dated on or after the plan's own date."""
        plan_date = record.plan.date
        return [(day, index) for index, review in record.plan.items("reviews")
                if (day := parse_iso(review.get("date"))) is not None
                and (plan_date is None or day >= plan_date)]

    def stray_reviews(self, record: PlanRecord) -> list[tuple[date, int]]:
        """Reviews dated before the plan's own date: they belong to an older plan (T206)."""
        plan_date = record.plan.date
        if plan_date is None:
            return []
        return [(day, index) for index, review in record.plan.items("reviews")
                if (day := parse_iso(review.get("date"))) is not None and day < plan_date]

    def review_schedule(self, record: PlanRecord, default_months: int) -> ReviewSchedule | None:
        """When the plan's next review is due; None when there is no date to count from, or when the
        next review falls past the calendar's end (9999-12-31): then no review is ever due."""
        read = parse_frequency(get_in(record.plan.data, "monitoring", "review_every"))
        default = read is None
        frequency = (default_months, "month") if read is None else read
        held = self.reviews_held(record)
        last = max(held) if held else None
        base_candidates = [d for d in (record.consent_on, last[0] if last else None) if d is not None]
        if not base_candidates:
            base_candidates = [record.plan.date] if record.plan.date is not None else []
        if not base_candidates:
            return None
        base = max(base_candidates)
        index = last[1] if last is not None and last[0] == base else None
        since = "last review" if index is not None else ("plan date" if base == record.plan.date else "consent")
        where: tuple
        if index is not None:
            where = ("reviews", index, "date")
        elif since == "consent" and record.consent_path is not None:
            where = record.consent_path
        else:
            where = ("date",)
        due = add_period(base, frequency)
        if due is None:
            return None
        return ReviewSchedule(base, index, frequency, default, due, since, where)

    # ------------------------------------------------------------ intake

    def intake_deadlines(self, assessment_days: int, plan_days: int) -> tuple[date | None, date | None]:
        """(assessment due, consented plan in effect due) for the current episode (T210, T211), each None
        once met, or when the case is closed or its enrollment date is unknown, or when the deadline falls
        past the calendar's end (never due). Both judge today's state."""
        episode = self.current_episode
        if self.closed or self.case.member is None or episode.enrolled_on is None:
            return None, None
        enrolled = episode.enrolled_on
        assessed = any(self.in_current_episode(a) for a in self.case.assessments)
        return (None if assessed else plus_days(enrolled, assessment_days),
                None if self.in_effect() is not None else plus_days(enrolled, plan_days))

    # ------------------------------------------------------------ significant change

    def significant_changes(self, limit_days: int) -> list[SignificantChange]:
        """The significant changes of the current episode (T212), each with its deadline and first answer.

        A change is a change-in-condition or member-request assessment, or the end of an institutional hold
        (hospital, nursing facility, incarceration) on or before today: a discharge. Only a change dated
        after the consent of the plan then in effect is a change to that plan; a review of any plan of that
        episode dated on or after it, or the consent of another plan on or after it (and by today), answers
        it. A change whose deadline falls past the calendar's end can never be late and is left out.
        """
        found = []
        changes: list[tuple[date, Document | None, Hold | None]] = [
            (assessment.date, assessment, None) for assessment in self.case.assessments
            if assessment.get("type") in SIGNIFICANT_CHANGE and assessment.date is not None
            and self.in_current_episode(assessment)]
        # The end of an institutional stay (a discharge) that has happened by today is a significant change too
        # (DESIGN.md, "Hold"); a planned end still ahead is not yet one.
        changes += [(hold.end, None, hold) for hold in self.holds
                    if hold.institutional and hold.end is not None and hold.end <= self.today
                    and self.current_episode.holds(hold.end)]
        for changed, assessment, hold in changes:
            deadline = plus_days(changed, limit_days)
            if deadline is None:  # past the calendar's end: never late
                continue
            under = self.in_effect(changed)
            if under is None or under.consent_on is None or under.consent_on >= changed:
                continue
            mine = [r for r in self.plans if r.episode is under.episode]
            answers = [day for r in mine for day, _ in self.reviews_held(r) if day >= changed]
            answers += [r.consent_on for r in mine if r is not under and r.consent_on is not None
                        and changed <= r.consent_on <= self.today]
            found.append(SignificantChange(assessment, deadline, min(answers) if answers else None, hold, changed))
        return found

    # ------------------------------------------------------------ contacts

    def _segments(self, first: date, last: date) -> list[tuple[PlanRecord | None, date, date]]:
        """(plan in effect, from, to) over [first, last], cut wherever the plan in effect changes."""
        points = {first}
        for r in self.plans:
            if r.effective_from is not None and first < r.effective_from <= last:
                points.add(r.effective_from)
            after = plus_days(r.end, 1) if r.end is not None else None  # None: it never ends (9999-12-31)
            if after is not None and first < after <= last:
                points.add(after)
        cuts = sorted(points)
        segments: list[tuple[PlanRecord | None, date, date]] = []
        for position, start in enumerate(cuts):
            # a cut is after ``first``, so the day before it is a day of the calendar
            stop = cuts[position + 1] - timedelta(days=1) if position + 1 < len(cuts) else last
            record = self.in_effect(start)
            if segments and segments[-1][0] is record:
                segments[-1] = (record, segments[-1][1], stop)
            else:
                segments.append((record, start, stop))
        return segments

    def contact_window(self) -> tuple[date, date, bool] | None:
        """(first day, last day, whether a gap running to the last day counts) for contact schedules."""
        episode = self.current_episode
        starts = [r.effective_from for r in self.plans if r.episode is episode and r.effective_from is not None]
        if not starts:
            return None
        first, last, open_gap = min(starts), self.today, True
        if self.closed:
            if self.closed_on is not None:
                last = min(last, self.closed_on)
            else:
                open_gap = False  # closed on an unknown day: only gaps between recorded contacts count
        return (first, last, open_gap) if first <= last else None

    def contact_schedule(self) -> tuple[list[ContactMiss], list[NextContact]]:
        """Every contact missed in the current episode, and the next contact due of each type."""
        misses, upcoming = self._contact_schedule
        return list(misses), list(upcoming)

    @cached_property
    def contact_notes(self) -> list[ContactNote]:
        """The notes of the current episode up to the end of the contact window that name a contact channel, in
        date order, each classified once (T205, `due` and the report's timeliness, pcplan.facts.timely, read
        them): whether it records what happened (DESIGN.md, "What counts as a contact") and who took part."""
        window = self.contact_window()
        if window is None:
            return []
        last = window[1]
        names = member_names(self.case.member)
        dated = sorted(((n.date, n.display_path, n) for n in self.case.notes
                        if n.date is not None and self.current_episode.holds(n.date) and n.date <= last
                        and isinstance(n.get("contact"), str) and n.get("contact") in CONTACT_RANK),
                       key=lambda entry: entry[:2])
        return [ContactNote(day, n, records_contact(n), contact_parties(n, names)) for day, _, n in dated]

    @cached_property
    def _contact_schedule(self) -> tuple[list[ContactMiss], list[NextContact]]:
        """Computed once per case and day: T205 and `due` (facts.obligations) both ask."""
        window = self.contact_window()
        if window is None:
            return [], []
        first, last, open_gap = window
        segments = self._segments(first, last)
        # only a note that records what happened is a contact (DESIGN.md, "What counts as a contact")
        notes = [(c.day, c.note.display_path, c.note) for c in self.contact_notes if c.records]
        blank = [(c.day, c.note.display_path, c.note) for c in self.contact_notes if not c.records]
        kinds = sorted({kind for record, _, _ in segments if record is not None
                        for kind, _, _ in _requirements(record.plan)}, key=lambda k: -CONTACT_RANK[k])
        parties = {id(c.note): c.parties for c in self.contact_notes}
        misses: list[ContactMiss] = []
        upcoming: list[NextContact] = []
        for kind in kinds:
            qualifying = [(day, note) for day, _, note in notes if meets(note, kind, parties[id(note)])]
            found_miss, next_due = self._walk(kind, segments, qualifying, last, open_gap)
            # the contacts that would have counted but for who took part, so a finding can say why
            if kind == COLLATERAL:
                uncounted = [day for day, _, note in notes if not parties[id(note)][1]]
            else:
                uncounted = [day for day, _, note in notes if _channel_meets(note, kind) and not parties[id(note)][0]]
            empty = [day for day, _, note in blank if meets(note, kind, parties[id(note)])]
            found_miss = [_not_counted(m, uncounted, empty) for m in found_miss]
            misses.extend(found_miss)
            if next_due is not None:
                upcoming.append(next_due)
        return misses, upcoming

    def _walk(self, kind: str, segments: list[tuple[PlanRecord | None, date, date]],
              qualifying: list[tuple[date, Document]], last: date,
              open_gap: bool) -> tuple[list[ContactMiss], NextContact | None]:
        """Walk one contact type through the plans in force: each gap longer than agreed is one miss.

        A gap is one miss, with the first due date it missed and the plan that date was due under, ended
        by the note that finally came (closed) or, when none came (open), by the end of the requirement (a
        revision that dropped it, the closure) or today. It keeps how its due dates follow one another
        (``steps``: a revision during the gap changes the frequency from its start), so each due date it
        missed can be told (``missed_dates``).
        """
        misses: list[ContactMiss] = []
        pending = list(qualifying)
        anchor: tuple[date, str | None] | None = None  # the last qualifying contact and its type as recorded
        run_start: date | None = None  # when the current unbroken stretch of this requirement began
        due: date | None = None
        gap: tuple | None = None  # (due, record, index, every, since, since_kind) of the first miss of a gap
        steps: list[tuple] = []  # the open gap's (from, every) under each plan in force during it
        upcoming: NextContact | None = None

        def since_of(start: date) -> tuple[date, str | None]:
            return anchor if anchor is not None and anchor[0] >= start else (start, None)

        for record, seg_start, seg_end in segments:
            wanted = next(((i, f) for k, i, f in _requirements(record.plan) if k == kind), None) \
                if record is not None else None
            while pending and pending[0][0] < seg_start:  # contacts while nothing was required still count
                anchor = (pending[0][0], _recorded_as(pending[0][1], kind))
                pending.pop(0)
            if wanted is None or record is None:  # (no plan in effect: nothing wanted)
                if gap is not None:  # the requirement ended with the gap still open
                    # (a gap is open only after a first segment, so ``seg_start`` is not the calendar's first day)
                    end = seg_start - timedelta(days=1)
                    misses.append(_miss(kind, gap, None, end, None, None, steps, end))
                    gap = None
                run_start, due = None, None
                continue
            index, every = wanted
            if run_start is None:  # the requirement begins: its clock starts with it
                run_start = seg_start
                due = self.paused_until(seg_start, add_period(seg_start, every))
            else:  # a revision: the new frequency runs from the last contact, but not before its start
                base = anchor[0] if anchor is not None and anchor[0] >= run_start else run_start
                reach = add_period(base, every)  # None: past the calendar's end, never due
                due = self.paused_until(base, max(reach, seg_start) if reach is not None else None)
                if gap is not None:  # the gap goes on under the revision's frequency
                    steps.append((seg_start, every))
            while pending and pending[0][0] <= seg_end:
                day, note = pending.pop(0)
                if gap is None and due is not None and day > due:
                    gap = (due, record, index, every) + since_of(run_start)
                    steps = [(due, every)]
                if gap is not None:
                    misses.append(_miss(kind, gap, note, day, record, index, steps, day - timedelta(days=1)))
                    gap = None
                anchor = (day, _recorded_as(note, kind))
                due = self.paused_until(day, add_period(day, every))
            final = seg_end >= last
            # a contact on its due date is on time, so today's due date is not missed yet
            if gap is None and due is not None and (due < seg_end or (due == seg_end and not final)):
                gap = (due, record, index, every) + since_of(run_start)
                steps = [(due, every)]
            if final:
                upcoming = NextContact(kind, due, record, index) if due is not None else None
                if gap is not None and open_gap:
                    misses.append(_miss(kind, gap, None, last, record, index, steps, last - timedelta(days=1)))
                gap = None
        return misses, upcoming

    def missed_dates(self, miss: ContactMiss, since: date | None = None) -> list[date]:
        """Each due date a contact gap missed, oldest first (DESIGN.md: each is an *occurrence*); with
        ``since``, only those on or after it.

        The first is the gap's ``due``; each next one is a frequency after the one before, as if the missed
        contact had come on its due date, the days on hold not counted and none while an open hold lasts. A
        revision that takes effect during the gap sets the frequency from its start: the next due date is its
        frequency after the last one missed, but not before the revision starts. A contact on a due date is
        on time, so the day the late contact came, or today, is not a missed due date.
        """
        steps = miss.steps or ((miss.due, miss.every),)
        through = miss.through or miss.gap_end
        out: list[date] = []
        day: date | None = miss.due
        position = 0
        while day is not None and day <= through:
            if since is None or day >= since:
                out.append(day)
            following = steps[position + 1][0] if position + 1 < len(steps) else None
            limit = since if following is None or since is None else min(since, following - timedelta(days=1))
            after = self._next_due(day, steps[position][1], limit)
            # a revision that takes effect by then: its frequency, from the last due date, not before its start
            while after is not None and position + 1 < len(steps) and steps[position + 1][0] <= after:
                position += 1
                start, every = steps[position]
                reach = add_period(day, every)
                after = self.paused_until(day, max(reach, start)) if reach is not None else None
            day = after
        return out

    def _next_due(self, day: date, every: tuple[int, str], limit: date | None) -> date | None:
        """The due date after ``day`` in a gap; up to ``limit``, days counted in whole frequencies at once
        where no hold intervenes (a daily frequency over decades is not walked day by day)."""
        count, unit = every
        count = count * 7 if unit == "week" else count
        if limit is not None and unit in ("day", "week") and 0 < count < (limit - day).days \
                and not any(h.start <= limit and (h.end is None or h.end >= day) for h in self.holds):
            return day + timedelta(days=(limit - day).days // count * count)  # on or before ``limit``
        return self.paused_until(day, add_period(day, every))


def _miss(kind: str, gap: tuple, note: Document | None, gap_end: date, current: PlanRecord | None,
          current_index: int | None, steps: list[tuple], through: date) -> ContactMiss:
    due, record, index, every, since, since_kind = gap
    return ContactMiss(kind, due, record, index, every, since, since_kind, note, gap_end, current, current_index,
                       steps=tuple(steps), through=through)


def _not_counted(miss: ContactMiss, days: list[date], empty: list[date]) -> ContactMiss:
    """The miss, with the contacts of its gap (after the last qualifying one, up to its end) that did not
    count for who took part in them, and those whose note records nothing of what happened (N802)."""
    inside = tuple(day for day in days if miss.since < day <= miss.gap_end)
    blank = tuple(day for day in empty if miss.since < day <= miss.gap_end)
    return replace(miss, not_counted=inside, empty=blank) if inside or blank else miss


# ---------------------------------------------------------------- who took part in a contact

COLLATERAL = "collateral"
MEMBER_WORDS = frozenset({"member", "the member"})  # `with: [member]` says the member took part
NOT_A_PARTY = frozenset({"interpreter", "translator"})  # helps the member talk; not someone on their behalf
_ANNOTATED = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")  # "Hodan Ali (interpreter)"


def member_names(member: Document | None) -> frozenset[str]:
    """The names a note's `with` may call the member by: member.yaml's legal and preferred names, as
    matched (case and spacing aside), and the word `member`."""
    names = set(MEMBER_WORDS)
    name = member.get("name") if member is not None else None
    if isinstance(name, dict):
        for key in ("legal", "preferred"):
            found = normalized_name(name.get(key))
            if found:
                names.add(found)
    elif (found := normalized_name(name)) is not None:
        names.add(found)
    return frozenset(names)


def records_contact(note: Document) -> bool:
    """Whether a note records what happened (DESIGN.md, "What counts as a contact"): a narrative (`text`)
    that is not empty and not a placeholder a template left (pcplan.placeholders).

    The one test of whether a note counts: toward contact frequencies (T205, the contact entries of `due`),
    a review's satisfaction (P411) and goal progress (N801). A note that fails it is N802's finding and
    counts as no contact, whatever its `contact`, `with` and `progress` say.
    """
    return not is_placeholder(note.get("text"))


def contact_parties(note: Document, names: frozenset[str]) -> tuple[bool, bool]:
    """(the member took part, someone else took part on the member's behalf) in a note's contact.

    `with` names the member by legal or preferred name or says `member`; an entry may carry a role in
    brackets ("Rosa Ruiz (sister)", "Elena (member)"). An interpreter or translator is neither the member
    nor a collateral contact. A `contact: collateral` note that does not say who it was with is with
    someone other than the member.
    """
    entries = note.get("with")
    entries = [e for e in entries if isinstance(e, str) and e.strip()] if isinstance(entries, list) else []
    member = others = False
    for entry in entries:
        annotated = _ANNOTATED.match(entry)
        name, role = (annotated.group(1), normalized_name(annotated.group(2))) if annotated else (entry, None)
        if normalized_name(name) in names or role in MEMBER_WORDS:
            member = True
        elif role not in NOT_A_PARTY and normalized_name(name) not in NOT_A_PARTY:
            others = True
    if not entries and note.get("contact") == COLLATERAL:
        others = True
    return member, others


def _channel_meets(note: Document, kind: str) -> bool:
    """The note's channel is of the rank a member-contact requirement asks for (collateral is no channel)."""
    contact = note.get("contact")
    return contact != COLLATERAL and CONTACT_RANK[contact] >= CONTACT_RANK[kind]


def meets(note: Document, kind: str, parties: tuple[bool, bool]) -> bool:
    """Whether a contact note meets a requirement of ``kind`` (DESIGN.md §2): a member contact of that
    rank or higher with the member taking part; a collateral contact in any channel with someone other
    than the member."""
    with_member, with_others = parties
    if kind == COLLATERAL:
        return with_others
    return with_member and _channel_meets(note, kind)


def _recorded_as(note: Document, kind: str) -> str | None:
    """How a qualifying contact is named in a message: its channel, or `collateral` for that requirement."""
    return COLLATERAL if kind == COLLATERAL else note.get("contact")


@dataclass(frozen=True)
class SignificantChange:
    """A change-in-condition or member-request assessment, or the end of an institutional hold (a
    discharge), that asks for a review or a revision (T212)."""

    assessment: Document | None  # None: a discharge (``hold``)
    deadline: date
    answered_on: date | None  # the first review or consented revision on or after it; None: not yet
    hold: Hold | None  # the institutional hold whose end is the change
    changed_on: date  # the assessment's date, or the discharge (the hold's `end`)


# ---------------------------------------------------------------- case managers (DESIGN.md, "Transfers and departures")

CASE_MANAGER = "case_manager"  # `monitoring.responsible: case_manager`: whoever is assigned that day


@dataclass(frozen=True)
class Assignment:
    """A case-manager assignment of member.yaml, with its end as the record defines it."""

    index: int  # in `case_managers`
    staff: str | None  # the staff id, when written as text
    start: date  # `from`
    to: date | None  # `to` as recorded
    left_on: date | None  # staff.yaml `left_on` of its staff member, when they have left

    @property
    def end(self) -> date | None:
        """The assignment's last day: its `to`, or the day its staff member left, whichever is first (an
        assignment whose staff member has left ends that day)."""
        ends = [day for day in (self.to, self.left_on) if day is not None]
        return min(ends) if ends else None

    @property
    def ended_by_departure(self) -> bool:
        return self.left_on is not None and (self.to is None or self.left_on < self.to)

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def staff_left_on(staff_by_id: dict, staff_id: object) -> date | None:
    """The day a staff member left the agency (staff.yaml `left_on`), or None (employed, unknown, unreadable)."""
    person = staff_by_id.get(staff_id) if isinstance(staff_id, str) else None
    return parse_iso(person.get("left_on")) if isinstance(person, dict) else None


def assignments(member: Document | None, staff_by_id: dict) -> tuple[list[Assignment], bool]:
    """The member's case-manager assignments with readable dates, in list order, and whether some
    assignment's dates could not be read (then the schema reports them; nothing is guessed)."""
    found, unreadable = [], False
    for index, entry in (member.items("case_managers") if member is not None else []):
        start, to_value = parse_iso(entry.get("from")), entry.get("to")
        to = parse_iso(to_value)
        if start is None or (to_value is not None and to is None):
            unreadable = True
            continue
        staff = entry.get("staff") if isinstance(entry.get("staff"), str) else None
        found.append(Assignment(index, staff, start, to, staff_left_on(staff_by_id, staff)))
    return found, unreadable


def case_managers_on(member: Document | None, staff_by_id: dict, day: date) -> list[Assignment]:
    """The assignments current on ``day`` (begun, not ended by `to` or by their staff member's departure)."""
    return [a for a in assignments(member, staff_by_id)[0] if a.covers(day)]


def case_manager_on(member: Document | None, staff_by_id: dict, day: date) -> str | None:
    """The staff id of the member's case manager on ``day``: the current assignment (the one begun last
    when several overlap), or None."""
    current = [a for a in case_managers_on(member, staff_by_id, day) if a.staff is not None]
    return max(current, key=lambda a: (a.start, a.index)).staff if current else None


def monitor_named(plan: Document) -> str | None:
    """A plan's `monitoring.responsible` as written, when it is text."""
    value = get_in(plan.data, "monitoring", "responsible")
    return value.strip() if isinstance(value, str) and value.strip() else None


def monitor_on(plan: Document, member: Document | None, staff_by_id: dict, day: date) -> str | None:
    """Who monitors ``plan`` on ``day``: its named staff id, or, for `case_manager`, the case manager
    assigned that day."""
    named = monitor_named(plan)
    return case_manager_on(member, staff_by_id, day) if named == CASE_MANAGER else named


@dataclass(frozen=True)
class ReviewSchedule:
    """When a plan's next review is due."""

    base: date
    last_review_index: int | None  # index in `reviews`, or None when counting from consent or the plan date
    frequency: tuple[int, str]
    default_frequency: bool  # `review_every` missing or unreadable: the agency's interval was used
    due: date
    since: str  # "last review", "consent" or "plan date"
    data_path: tuple  # where in the plan the count starts: the last review, the consent signature, or `date`


def _requirements(plan: Document) -> list[tuple[str, int, tuple[int, str]]]:
    """(contact type, index, frequency) of each readable `monitoring.contacts` entry."""
    out = []
    for index, entry in plan.items("monitoring", "contacts"):
        kind = entry.get("type")
        frequency = parse_frequency(entry.get("every"))
        if isinstance(kind, str) and kind in CONTACT_RANK and frequency is not None:
            out.append((kind, index, frequency))
    return out


@dataclass(frozen=True)
class Authority:
    """A representative's legal authority (member.yaml `representatives`) and when they held it."""

    index: int  # in member.yaml's `representatives`
    name: str  # as matched: case and spacing aside
    kind: str  # a LEGAL_AUTHORITIES key
    start: date | None  # `authority_from`; None (not given, or unreadable: E004 says so): held from always
    until: date | None  # `authority_until`; None: held still

    @property
    def guardian(self) -> bool:
        return self.kind == "legal_guardian"

    def holds(self, day: date) -> bool:
        """Whether they held this authority on ``day`` (a start after the end: never; T206 reports the pair)."""
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


def _authority(index: int, rep: dict) -> Authority:
    return Authority(index, normalized_name(rep.get("name")) or "", rep["authority"],
                     parse_iso(rep.get("authority_from")), parse_iso(rep.get("authority_until")))


def legal_representatives(member: Document | None, on: date | None = None) -> list[tuple[int, dict]]:
    """(index in member.yaml's `representatives`, entry) of each representative with legal authority; with
    ``on``, only those who held it that day (`authority_from` / `authority_until`; none given: always)."""
    if member is None:
        return []
    return [(index, rep) for index, rep in member.items("representatives")
            if isinstance(rep.get("authority"), str) and rep["authority"] in LEGAL_AUTHORITIES
            and (on is None or _authority(index, rep).holds(on))]


def authorities(member: Document | None) -> list[Authority]:
    """The legal representatives of member.yaml whose signature may be consent (those with a name)."""
    return [a for index, rep in legal_representatives(member) if (a := _authority(index, rep)).name]


def legal_names(member: Document | None, on: date | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """(legal guardians, all legal representatives) of member.yaml: name as matched → index in
    `representatives` (the first entry of a name); with ``on``, only those holding authority that day."""
    guardians: dict[str, int] = {}
    legal: dict[str, int] = {}
    for authority in authorities(member):
        if on is not None and not authority.holds(on):
            continue
        legal.setdefault(authority.name, authority.index)
        if authority.guardian:
            guardians.setdefault(authority.name, authority.index)
    return guardians, legal


def may_consent(signature: dict, legal: list[Authority], day: date) -> bool:
    """Whether this signer's signature (or documented decline) on ``day`` is consent (DESIGN.md: Consent):
    on a day a legal guardian holds authority, a guardian's only; else the member's, or a legal
    representative's who held authority that day. Never a provider's or case manager's, whatever the role."""
    role, name = signature.get("role"), normalized_name(signature.get("name"))
    holding = [a for a in legal if a.holds(day)]
    guardians = [a for a in holding if a.guardian]
    if guardians:
        return role == "representative" and any(a.name == name for a in guardians)
    return role == "member" or (role == "representative" and any(a.name == name for a in holding))


def documented_decline(signature: dict) -> bool:
    """An agreement without a signature, documented: `declined_to_sign: true` with `declined_reason` and the
    staff member who witnessed the agreement (`witnessed_by`). That is consent; a refusal is not."""
    return (signature.get("declined_to_sign") is True and signature.get("refused") is not True
            and text(signature, "declined_reason") is not None and text(signature, "witnessed_by") is not None)


def plan_made_on(plan: Document) -> date | None:
    """The day a plan was agreed at its meeting: `meeting.date`, else the plan's `date` (None: neither)."""
    return parse_iso(get_in(plan.data, "meeting", "date")) or plan.date


def consent_day(signature: dict, plan: Document) -> date | None:
    """The day a signature entry gives consent when its signer may: a signature's `signed_on`; a documented
    decline's `declined_on` (else the meeting's date, else the plan's); None for a refusal, an undocumented
    decline or a signature without a readable date."""
    if signature.get("refused") is True:
        return None
    if signature.get("declined_to_sign") is True:
        return (parse_iso(signature.get("declined_on")) or plan_made_on(plan)) if documented_decline(signature) \
            else None
    return parse_iso(signature.get("signed_on"))


def consent_of(plan: Document, legal: list[Authority]) -> tuple[date | None, tuple | None]:
    """The plan's consent date and the signature that gave it (DESIGN.md: Consent): the earliest day a
    signature or documented decline of someone who may consent that day was recorded."""
    best: tuple[date, tuple] | None = None
    for index, signature in plan.items("signatures"):
        day = consent_day(signature, plan)
        if day is None or not may_consent(signature, legal, day):
            continue
        if best is None or day < best[0]:
            best = (day, ("signatures", index))
    return best if best is not None else (None, None)


def refusal_day(signature: dict, plan: Document) -> date | None:
    """A refusal's day: `refused_on`, else `signed_on`, else the meeting's date, else the plan's."""
    return parse_iso(signature.get("refused_on")) or parse_iso(signature.get("signed_on")) or plan_made_on(plan)


def refusal_of(plan: Document, legal: list[Authority]) -> tuple[date | None, tuple | None]:
    """The first refusal (`refused: true`, with or without its reason) by the member or by a legal
    representative holding authority that day: its day and where. It is never consent."""
    found: list[tuple[date, int]] = []
    undated: list[int] = []
    for index, signature in plan.items("signatures"):
        if signature.get("refused") is not True:
            continue
        role, name = signature.get("role"), normalized_name(signature.get("name"))
        day = refusal_day(signature, plan)
        if role != "member" and not (role == "representative" and any(
                a.name == name and (day is None or a.holds(day)) for a in legal)):
            continue
        if day is None:
            undated.append(index)
        else:
            found.append((day, index))
    if found:
        day, index = min(found)
        return day, ("signatures", index)
    return (None, ("signatures", undated[0])) if undated else (None, None)


def refusal_text(record: PlanRecord, member: Document | None) -> str:
    """A refused plan's refusal as a message says it (a role, an index, a date; never a name):
    "refused by the legal guardian (representatives[0]) on 2026-05-20 (`signatures[1]`)"."""
    if record.refusal_path is None:
        return ""
    index = record.refusal_path[1]
    entries = record.plan.data.get("signatures") if isinstance(record.plan.data, dict) else None
    signature = entries[index] if isinstance(entries, list) and index < len(entries) else {}
    who = "the member"
    if isinstance(signature, dict) and signature.get("role") == "representative":
        name = normalized_name(signature.get("name"))
        mine = [a for a in authorities(member) if a.name == name]
        held = [a for a in mine if record.refused_on is None or a.holds(record.refused_on)] or mine
        if held:
            kind = "legal guardian" if held[0].guardian else f"legal representative ({LEGAL_AUTHORITIES[held[0].kind]})"
            who = f"the {kind} (representatives[{held[0].index}])"
        else:
            who = "a legal representative"
    when = f" on {record.refused_on.isoformat()}" if record.refused_on is not None else ""
    return f"refused by {who}{when} (`signatures[{index}]`)"


def lifecycle(case: Case, today: date) -> Lifecycle:
    """The case's lifecycle as of ``today``. Computed each time it is asked: a caller asks once per case and
    passes it along (the engine builds it once per member folder, in its CaseContext), so no memo is kept."""
    return Lifecycle(case, today)
