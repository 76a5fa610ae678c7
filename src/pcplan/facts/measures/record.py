"""What the LTSS quality measures need of one member folder, as plain data taken once (docs/measures.md).

:func:`measure_facts` reads a case through the lifecycle (episodes, consent dates: DESIGN.md, "The life of a
case") and keeps only ids, codes and dates, so that :func:`pcplan.facts.measures.evaluate` can judge a
caseload as of any day (each month-end of a trend) without reading a file again. No member text is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...dates import parse_iso
from ...model import Case, Document, get_in, str_list
from ...shown import looks_like_id
from ..lifecycle import Lifecycle, lifecycle, plan_made_on
from .spec import ASSESSMENT_ORDER, PLAN_ORDER

NOT_REACHED = frozenset({"no_answer", "left_message", "wrong_number", "unable_to_reach"})
# One date object per day across a caseload's facts (kept for many months by `report`: 100,000 members hold
# a million dates but a few thousand distinct days); cleared when it grows past a bound.
_DAYS: dict[date, date] = {}
_MAX_DAYS = 50_000


def _day(value: date | None) -> date | None:
    if value is None:
        return None
    if len(_DAYS) > _MAX_DAYS:
        _DAYS.clear()
    return _DAYS.setdefault(value, value)


@dataclass(frozen=True, slots=True)
class EpisodeFact:
    number: int
    enrolled_on: date | None
    closed_on: date | None  # None while open (or a closure without a readable date)
    closed: bool


@dataclass(frozen=True, slots=True)
class AssessmentFact:
    id: str | None
    on: date
    episode: int | None
    elements: int | None  # `ltss_elements` as a mask of spec.ASSESSMENT_ELEMENTS; None: not recorded
    contact: str | None  # `held.contact`
    place: str | None  # `held.place`
    in_home_declined: bool


@dataclass(frozen=True, slots=True)
class PlanFact:
    id: str | None
    assessment: str | None  # the id of the assessment it is based on
    made_on: date | None  # the meeting's date, else the plan's
    consent_on: date | None  # None: a draft
    episode: int | None
    elements: int | None  # `ltss_elements` as a mask of spec.PLAN_ELEMENTS; None: not recorded
    contact: str | None  # `meeting.contact`
    in_person_declined: bool
    pcp_copies: tuple[date, ...]  # `given_on` of copies marked `primary_care: true` and given
    pcp_recorded: bool  # some distribution entry says `primary_care` (true or false)


@dataclass(frozen=True, slots=True)
class Attempt:
    on: date
    purpose: str | None  # assessment, planning; None: a closure's attempt (any purpose)
    outcome: str  # not_reached, reached or refused


@dataclass(frozen=True, slots=True)
class Stay:
    start: date
    end: date | None
    planned: bool


@dataclass(frozen=True, slots=True)
class MemberFacts:
    member_id: str | None
    birth_date: date | None
    episodes: tuple[EpisodeFact, ...]
    assessments: tuple[AssessmentFact, ...]  # oldest first
    plans: tuple[PlanFact, ...]  # oldest first
    attempts: tuple[Attempt, ...]
    stays: tuple[Stay, ...]  # hospital holds

    def episode_of(self, day: date) -> EpisodeFact | None:
        """The episode a record dated ``day`` belongs to (cut at closure dates, as the lifecycle does)."""
        after: date | None = None
        for episode in self.episodes:
            if (after is None or day > after) and (episode.closed_on is None or day <= episode.closed_on):
                return episode
            after = episode.closed_on
        return None


def measure_facts(case: Case, today: date, life: Lifecycle | None = None) -> MemberFacts:
    """The facts the measures need of ``case``; ``life``: its lifecycle when the caller has it (``today`` only
    builds one when it is not given: the facts do not depend on the day, the evaluation does)."""
    life = life if life is not None else lifecycle(case, today)
    member = case.member
    episodes = tuple(EpisodeFact(e.number, _day(e.enrolled_on), _day(e.closed_on), e.closed) for e in life.episodes)

    def episode_number(day: date | None) -> int | None:
        found = life.episode_of(day)
        return found.number if found is not None else None

    assessments = tuple(_assessment(doc, episode_number(doc.date)) for doc in case.assessments
                        if doc.date is not None)
    plans = tuple(_plan(record.plan, record.consent_on, episode_number(record.plan.date))
                  for record in sorted(life.plans, key=lambda r: (r.plan.date or date.min, r.plan.display_path)))
    return MemberFacts(
        member_id=case.member_id,
        birth_date=_day(parse_iso(member.get("birth_date"))) if member is not None else None,
        episodes=episodes, assessments=assessments, plans=plans,
        attempts=_attempts(case), stays=_stays(member))


def _elements(data: dict, known: tuple[str, ...]) -> int | None:
    """The core elements recorded, as a bit mask of ``known`` (an int: a caseload's facts stay small)."""
    if not isinstance(data.get("ltss_elements"), list):
        return None
    listed = set(str_list(data, "ltss_elements"))
    return sum(1 << index for index, element in enumerate(known) if element in listed)


def _code(value: object) -> str | None:
    return value if isinstance(value, str) and looks_like_id(value) else None


def _assessment(doc: Document, episode: int | None) -> AssessmentFact:
    assert doc.date is not None
    return AssessmentFact(
        id=_code(doc.id), on=_day(doc.date) or doc.date, episode=episode,
        elements=_elements(doc.data, ASSESSMENT_ORDER),
        contact=_code(get_in(doc.data, "held", "contact")), place=_code(get_in(doc.data, "held", "place")),
        in_home_declined=get_in(doc.data, "held", "in_home_declined") is True)


def _plan(doc: Document, consent_on: date | None, episode: int | None) -> PlanFact:
    copies, recorded = [], False
    for _, entry in doc.items("distribution"):
        if "primary_care" in entry:
            recorded = True
        given = parse_iso(entry.get("given_on"))
        if entry.get("primary_care") is True and entry.get("copy_given") is not False and given is not None:
            copies.append(given)
    return PlanFact(
        id=_code(doc.id), assessment=_code(doc.get("assessment")), made_on=_day(plan_made_on(doc)),
        consent_on=_day(consent_on), episode=episode, elements=_elements(doc.data, PLAN_ORDER),
        contact=_code(get_in(doc.data, "meeting", "contact")),
        in_person_declined=get_in(doc.data, "meeting", "in_person_declined") is True,
        pcp_copies=tuple(sorted(d for d in map(_day, copies) if d is not None)), pcp_recorded=recorded)


def _attempts(case: Case) -> tuple[Attempt, ...]:
    out: list[Attempt] = []
    member = case.member
    for _, entry in member.items("outreach") if member is not None else []:
        on, outcome = parse_iso(entry.get("on")), entry.get("outcome")
        purpose = entry.get("for") if entry.get("for") in ("assessment", "planning") else None
        if on is None or purpose is None:
            continue
        if outcome in NOT_REACHED:
            out.append(Attempt(_day(on) or on, purpose, "not_reached"))
        elif outcome in ("reached", "refused"):
            out.append(Attempt(_day(on) or on, purpose, outcome))
    # A lost-contact closure's attempts (X701) are attempts to reach the member too, whatever they were for.
    for closure in (d for d in case.documents if d.kind == "closure" and d.get("reason") == "lost_contact"):
        out.extend(Attempt(on, None, "not_reached") for _, entry in closure.items("attempts")
                   if (on := parse_iso(entry.get("on"))) is not None)
    return tuple(sorted(out, key=lambda a: (a.on, a.purpose or "", a.outcome)))


def _stays(member: Document | None) -> tuple[Stay, ...]:
    if member is None:
        return ()
    return tuple(sorted(
        (Stay(_day(start) or start, _day(parse_iso(entry.get("end"))), entry.get("planned") is True)
         for _, entry in member.items("holds")
         if entry.get("kind") == "hospital" and (start := parse_iso(entry.get("start"))) is not None),
        key=lambda s: (s.start, s.end or date.max)))
