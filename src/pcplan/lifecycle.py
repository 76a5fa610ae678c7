"""The life of a case, computed in one place (DESIGN.md, "The life of a case").

Every date rule, `due`, `report`, `render` and the exceptions ask this module
which plan is in force; none of them works it out on its own.

* **Episodes.** An enrollment (`programs[].enrolled_on` in member.yaml) opens
  an episode, a closure file closes it, a later enrollment opens the next.
  Time is cut at closure dates: a document dated after a closure belongs to the
  next episode (an intake assessment may come before the enrollment date).
* **Consent.** A plan is consented once the member, a legal representative
  named in member.yaml (matched by name) or, when member.yaml names a legal
  guardian, that guardian has signed it or refused to sign with a reason. Its
  consent date is the day that first held. A provider's or case manager's
  signature is never consent, whatever role it claims.
* **States.** As of a day a plan is a *draft* (no consent yet), *consented*
  (consent given, its start still ahead), *in effect*, *superseded* (a newer
  consented plan of the episode has started) or *expired* (its effective
  period or its episode ended, with nothing newer).
* **In effect on a day.** The consented plan of that day's episode that
  started last (consent date and `effective.start` both on or before the day),
  unless its `effective.end` is before the day: then none.
* **Holds.** `holds:` in member.yaml (start, reason, optional end) pause
  contact frequencies for their period; nothing else stops.
* **Schedules.** Reviews count from the later of the last review held under
  the plan and its consent date. Contacts are judged against the last
  qualifying contact, whichever plan was in force then; a revision changes the
  frequency from its start but never forgives a contact already missed.
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

from .dates import CONTACT_RANK, add_period, parse_frequency, parse_iso, plus_days
from .memo import RecentAnswers
from .model import Case, Document, get_in, normalized_name, text

# Representatives whose signature is consent (DESIGN.md: guardian, power of attorney, authorized representative).
LEGAL_AUTHORITIES = {
    "legal_guardian": "legal guardian",
    "power_of_attorney": "power of attorney",
    "authorized_representative": "authorized representative",
}

SIGNIFICANT_CHANGE = ("change_in_condition", "member_request")  # assessment types that ask for a review (T212)

DRAFT, CONSENTED, IN_EFFECT, SUPERSEDED, EXPIRED = "draft", "consented", "in effect", "superseded", "expired"


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

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class PlanRecord:
    """A plan with what the lifecycle knows of it."""

    plan: Document
    episode: Episode | None
    consent_on: date | None  # None: a draft
    consent_path: tuple | None  # the signature that gave consent
    start: date | None  # `effective.start`, else the plan's date
    end: date | None  # `effective.end`

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
        from .model import plan_name

        return plan_name(self.plan)


@dataclass(frozen=True)
class ContactMiss:
    """A contact that was due and did not come on time (T205)."""

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
        return [Hold(index, start, parse_iso(entry.get("end")))
                for index, entry in member.items("holds")
                if (start := parse_iso(entry.get("start"))) is not None]

    def on_hold(self, day: date) -> bool:
        return any(hold.covers(day) for hold in self.holds)

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
            moved = plus_days(moved, (end - first).days + 1)
            if moved is None:
                return None
            counted = end
        return moved

    # ------------------------------------------------------------ plans

    @cached_property
    def plans(self) -> list[PlanRecord]:
        guardians, legal = legal_names(self.case.member)
        out = []
        for plan in self.case.plans:
            consent_on, consent_path = consent_of(plan, guardians, legal)
            start = parse_iso(get_in(plan.data, "effective", "start")) or plan.date
            end = parse_iso(get_in(plan.data, "effective", "end"))
            out.append(PlanRecord(plan, self.episode_of(plan.date), consent_on, consent_path, start, end))
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

    def review_schedule(self, record: PlanRecord, default_months: int) -> "ReviewSchedule | None":
        """When the plan's next review is due; None when there is no date to count from, or when the
        next review falls past the calendar's end (9999-12-31): then no review is ever due."""
        frequency = parse_frequency(get_in(record.plan.data, "monitoring", "review_every"))
        default = frequency is None
        if default:
            frequency = (default_months, "month")
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

    def significant_changes(self, limit_days: int) -> list["SignificantChange"]:
        """The significant changes of the current episode (T212), each with its deadline and first answer.

        Only an assessment dated after the consent of the plan then in effect is a change to that plan;
        a review of any plan of that episode dated on or after it, or the consent of another plan on or
        after it (and by today), answers it. A change whose deadline falls past the calendar's end can
        never be late and is left out.
        """
        found = []
        for assessment in self.case.assessments:
            if assessment.get("type") not in SIGNIFICANT_CHANGE or assessment.date is None \
                    or not self.in_current_episode(assessment):
                continue
            changed = assessment.date
            deadline = plus_days(changed, limit_days)
            under = self.in_effect(changed) if deadline is not None else None
            if under is None or under.consent_on is None or under.consent_on >= changed:
                continue
            mine = [r for r in self.plans if r.episode is under.episode]
            answers = [day for r in mine for day, _ in self.reviews_held(r) if day >= changed]
            answers += [r.consent_on for r in mine if r is not under and r.consent_on is not None
                        and changed <= r.consent_on <= self.today]
            found.append(SignificantChange(assessment, deadline, min(answers) if answers else None))
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
    def _contact_schedule(self) -> tuple[list[ContactMiss], list[NextContact]]:
        """Computed once per case and day: T205 and `due` (caseload.obligations) both ask."""
        window = self.contact_window()
        if window is None:
            return [], []
        first, last, open_gap = window
        segments = self._segments(first, last)
        notes = sorted(((n.date, n.display_path, n) for n in self.case.notes
                        if n.date is not None and self.current_episode.holds(n.date) and n.date <= last
                        and isinstance(n.get("contact"), str) and n.get("contact") in CONTACT_RANK),
                       key=lambda entry: entry[:2])
        kinds = sorted({kind for record, _, _ in segments if record is not None
                        for kind, _, _ in _requirements(record.plan)}, key=lambda k: -CONTACT_RANK[k])
        names = member_names(self.case.member)
        parties = {id(note): contact_parties(note, names) for _, _, note in notes}
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
            found_miss = [_not_counted(m, uncounted) for m in found_miss]
            misses.extend(found_miss)
            if next_due is not None:
                upcoming.append(next_due)
        return misses, upcoming

    def _walk(self, kind: str, segments, qualifying, last: date, open_gap: bool):
        """Walk one contact type through the plans in force: each gap longer than agreed is one miss.

        A gap is reported once, with the first due date it missed and the plan that date was due
        under: at the note that finally came, or, when none came, at the end of the requirement (a
        revision that dropped it, the closure) or up to today.
        """
        misses: list[ContactMiss] = []
        pending = list(qualifying)
        anchor: tuple[date, str | None] | None = None  # the last qualifying contact and its type as recorded
        run_start: date | None = None  # when the current unbroken stretch of this requirement began
        due: date | None = None
        gap: tuple | None = None  # (due, record, index, every, since, since_kind) of the first miss of a gap
        upcoming: NextContact | None = None

        def since_of(start: date) -> tuple[date, str | None]:
            return anchor if anchor is not None and anchor[0] >= start else (start, None)

        for record, seg_start, seg_end in segments:
            wanted = next(((i, f) for k, i, f in _requirements(record.plan) if k == kind), None) \
                if record is not None else None
            while pending and pending[0][0] < seg_start:  # contacts while nothing was required still count
                anchor = (pending[0][0], _recorded_as(pending[0][1], kind))
                pending.pop(0)
            if wanted is None:
                if gap is not None:  # the requirement ended with the gap still open
                    # (a gap is open only after a first segment, so ``seg_start`` is not the calendar's first day)
                    misses.append(_miss(kind, gap, None, seg_start - timedelta(days=1), None, None))
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
            while pending and pending[0][0] <= seg_end:
                day, note = pending.pop(0)
                if gap is None and due is not None and day > due:
                    gap = (due, record, index, every) + since_of(run_start)
                if gap is not None:
                    misses.append(_miss(kind, gap, note, day, record, index))
                    gap = None
                anchor = (day, _recorded_as(note, kind))
                due = self.paused_until(day, add_period(day, every))
            final = seg_end >= last
            # a contact on its due date is on time, so today's due date is not missed yet
            if gap is None and due is not None and (due < seg_end or (due == seg_end and not final)):
                gap = (due, record, index, every) + since_of(run_start)
            if final:
                upcoming = NextContact(kind, due, record, index) if due is not None else None
                if gap is not None and open_gap:
                    misses.append(_miss(kind, gap, None, last, record, index))
                gap = None
        return misses, upcoming


def _miss(kind: str, gap: tuple, note, gap_end: date, current, current_index) -> ContactMiss:
    due, record, index, every, since, since_kind = gap
    return ContactMiss(kind, due, record, index, every, since, since_kind, note, gap_end, current, current_index)


def _not_counted(miss: ContactMiss, days: list[date]) -> ContactMiss:
    """The miss, with the contacts of its gap (after the last qualifying one, up to its end) that did not
    count for who took part in them."""
    inside = tuple(day for day in days if miss.since < day <= miss.gap_end)
    return replace(miss, not_counted=inside) if inside else miss


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
    """A change-in-condition or member-request assessment that asks for a review or a revision (T212)."""

    assessment: Document
    deadline: date
    answered_on: date | None  # the first review or consented revision on or after it; None: not yet


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


def legal_representatives(member: Document | None) -> list[tuple[int, dict]]:
    """(index in member.yaml's `representatives`, entry) of each representative with legal authority."""
    if member is None:
        return []
    return [(index, rep) for index, rep in member.items("representatives")
            if isinstance(rep.get("authority"), str) and rep["authority"] in LEGAL_AUTHORITIES]


def legal_names(member: Document | None) -> tuple[dict[str, int], dict[str, int]]:
    """(legal guardians, all legal representatives) of member.yaml: name as matched → index in
    `representatives` (the first entry of a name)."""
    guardians: dict[str, int] = {}
    legal: dict[str, int] = {}
    for index, rep in legal_representatives(member):
        name = normalized_name(rep.get("name"))
        if name:
            legal.setdefault(name, index)
            if rep["authority"] == "legal_guardian":
                guardians.setdefault(name, index)
    return guardians, legal


def consent_of(plan: Document, guardians, legal) -> tuple[date | None, tuple | None]:
    """The plan's consent date and the signature that gave it (DESIGN.md: Consent)."""
    fallback = parse_iso(get_in(plan.data, "meeting", "date")) or plan.date
    best: tuple[date, tuple] | None = None
    for index, signature in plan.items("signatures"):
        role = signature.get("role")
        name = normalized_name(signature.get("name"))
        if guardians:
            counts = role == "representative" and name in guardians
        else:
            counts = role == "member" or (role == "representative" and name in legal)
        if not counts:
            continue
        if signature.get("refused") is True:
            if text(signature, "refusal_reason") is None:
                continue  # a refusal without its reason is not documented (C301)
            day = parse_iso(signature.get("refused_on")) or parse_iso(signature.get("signed_on")) or fallback
        else:
            day = parse_iso(signature.get("signed_on"))
        if day is not None and (best is None or day < best[0]):
            best = (day, ("signatures", index))
    return best if best is not None else (None, None)


def lifecycle(case: Case, today: date) -> Lifecycle:
    """The case's lifecycle as of ``today`` (computed once per case and day).

    The few most recent are kept here rather than on the case: a lifecycle refers to its case, and a
    cache on the case would make a reference cycle, which a check (run with the cyclic collector
    paused) would keep alive for every member folder of the repository.
    """
    return _RECENT.get(case, lambda: Lifecycle(case, today), today)


# Rules ask about the member folder being checked; a few entries cover the engine's order.
_RECENT: "RecentAnswers[Lifecycle]" = RecentAnswers(8)
