"""The four LTSS case-management measures, judged as of a day from members' facts (docs/measures.md).

:func:`evaluate` takes the :class:`MemberFacts` of a caseload (taken once, pcplan.facts.measures.record) and a
day, and returns each measure's rates over the 12 months ending that day: numerator, denominator, exclusions
counted apart, or "not computable" with the reason, and each member in or out with a reason code. It reads
no file, so a trend asks it once per month-end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ...dates import plus_days, plus_months
from .record import AssessmentFact, EpisodeFact, MemberFacts, PlanFact, Stay
from .spec import (
    ADULT_AGE,
    ALL_ASSESSMENT,
    ALL_PLAN,
    DEFAULT_VARIANT,
    DISCHARGE_DAYS,
    EXCLUDED,
    MET,
    NEW_ASSESSMENT_DAYS,
    NEW_PLAN_DAYS,
    NOT_ELIGIBLE,
    NOT_MET,
    PLAN_AFTER_ASSESSMENT_DAYS,
    SHARE_DAYS,
    TITLES,
    UNREACHED_ATTEMPTS,
    UPDATE_MONTHS,
    VARIANTS,
)


@dataclass(frozen=True)
class MemberOutcome:
    """One member (LTSS-4: one discharge, ``event`` its date) for one rate: ``outcome`` and why."""

    member_id: str | None
    outcome: str  # met, not met, excluded, not eligible
    reason: str  # a code of spec.REASONS
    event: date | None = None


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: int
    denominator: int
    exclusions: tuple[tuple[str, int], ...]  # (reason, count), counted apart from the denominator
    members: tuple[MemberOutcome, ...]
    not_computable: str | None = None  # why the case files cannot give this rate; then the counts are 0

    @property
    def rate(self) -> float | None:
        """numerator / denominator; None when not computable or when the denominator is empty."""
        if self.not_computable is not None or not self.denominator:
            return None
        return self.numerator / self.denominator


@dataclass(frozen=True)
class MeasureResult:
    id: str
    title: str
    variant: str
    start: date  # the measurement period, both days included
    end: date
    rates: tuple[Rate, ...]


@dataclass(frozen=True)
class Window:
    """The member's stretch judged for LTSS-1/2: a new enrollee's first days, or an established one's year."""

    episode: EpisodeFact
    new: bool
    first: date
    last: date


Judge = Callable[[MemberFacts, Window], tuple[str, str]]


def evaluate(members: Iterable[MemberFacts], as_of: date, variant: str = DEFAULT_VARIANT) -> list[MeasureResult]:
    """LTSS-1 to LTSS-4 over the 12 months ending ``as_of``, for ``variant`` (ffs or mltss)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown measure variant {variant!r}: {', '.join(VARIANTS)}")
    facts = list(members)
    start = period_start(as_of)
    ctx = _Context(facts, as_of, start, variant)
    ltss2 = ctx.ltss2_core()
    return [
        MeasureResult("LTSS-1", TITLES["LTSS-1"], variant, start, as_of,
                      (ctx.ltss1_core(), _supplemental("Assessment of supplemental elements", "assessment"))),
        MeasureResult("LTSS-2", TITLES["LTSS-2"], variant, start, as_of,
                      (ltss2, _supplemental("Person-centered plan with supplemental elements", "plan"))),
        MeasureResult("LTSS-3", TITLES["LTSS-3"], variant, start, as_of, (ctx.ltss3(ltss2),)),
        MeasureResult("LTSS-4", TITLES["LTSS-4"], variant, start, as_of, ctx.ltss4()),
    ]


def period_start(as_of: date) -> date:
    """The first day of the 12 months ending ``as_of``."""
    back = plus_months(as_of, -12)
    return (back + timedelta(days=1)) if back is not None else date.min


def _supplemental(name: str, kind: str) -> Rate:
    return Rate(name, 0, 0, (), (), not_computable=f"the case files do not record the {kind}'s supplemental "
                                                   "elements")


def _rate(name: str, outcomes: list[MemberOutcome], not_computable: str | None = None) -> Rate:
    if not_computable is not None:
        return Rate(name, 0, 0, (), (), not_computable)
    counted = Counter(o.outcome for o in outcomes)
    exclusions = Counter(o.reason for o in outcomes if o.outcome == EXCLUDED)
    return Rate(name, counted[MET], counted[MET] + counted[NOT_MET], tuple(sorted(exclusions.items())),
                tuple(sorted(outcomes, key=lambda o: (o.member_id or "", o.event or date.min))))


class _Context:
    def __init__(self, facts: list[MemberFacts], as_of: date, start: date, variant: str):
        self.facts, self.as_of, self.start, self.mltss = facts, as_of, start, variant == "mltss"
        self.missing = {measure: self._missing(measure) for measure in ("LTSS-1", "LTSS-2", "LTSS-3")}
        self._windows: dict[tuple[int, int], Window | str] = {}  # (id of the member's facts, days): asked twice

    # ---------------------------------------------------------------- what the caseload records at all

    def _missing(self, measure: str) -> str | None:
        """Why a measure is not computable: no record anywhere in the caseload carries a field it needs."""
        assessments = [a for m in self.facts for a in m.assessments]
        plans = [p for m in self.facts for p in m.plans]
        needs = {
            "assessment": (lambda: any(a.elements is not None for a in assessments), "assessment `ltss_elements`"),
            "assessment_place": (lambda: not self.mltss or any(a.place is not None for a in assessments),
                                 "assessment `held.place` (MLTSS)"),
            "plan": (lambda: any(p.elements is not None for p in plans), "plan `ltss_elements`"),
            "plan_contact": (lambda: not self.mltss or any(p.contact is not None for p in plans),
                             "plan `meeting.contact` (MLTSS)"),
            "pcp": (lambda: any(p.pcp_recorded for p in plans), "plan `distribution[].primary_care`"),
        }
        wanted = {"LTSS-1": ("assessment", "assessment_place"), "LTSS-2": ("plan", "plan_contact"),
                  "LTSS-3": ("plan", "plan_contact", "pcp")}[measure]
        missing = [needs[key][1] for key in wanted if not needs[key][0]()]
        return f"missing {', '.join(missing)}: no record in the caseload has it" if missing else None

    # ---------------------------------------------------------------- LTSS-1 and LTSS-2

    def window(self, member: MemberFacts, days: int) -> Window | str:
        """The member's window for LTSS-1 (``days`` 90) or LTSS-2 (120), or why the member is not eligible."""
        key = (id(member), days)
        if key not in self._windows:
            self._windows[key] = self._window(member, days)
        return self._windows[key]

    def _window(self, member: MemberFacts, days: int) -> Window | str:
        age = _age(member.birth_date, self.as_of)
        if age is None:
            return "no_birth_date"
        if age < ADULT_AGE:
            return "under_18"
        new = [e for e in member.episodes if e.enrolled_on is not None and self.start <= e.enrolled_on <= self.as_of]
        if new:
            episode = new[-1]
            assert episode.enrolled_on is not None
            due = plus_days(episode.enrolled_on, days) or date.max
            if due > self.as_of:
                return "window_open"
            if episode.closed_on is not None and episode.closed_on < due:
                return "not_continuously_enrolled"
            return Window(episode, True, episode.enrolled_on, due)
        for episode in member.episodes:
            if episode.enrolled_on is not None and episode.enrolled_on < self.start:
                if episode.closed_on is None and not episode.closed:
                    return Window(episode, False, self.start, self.as_of)
                if episode.closed_on is not None and episode.closed_on >= self.as_of:
                    return Window(episode, False, self.start, self.as_of)
        enrolled_before = any(e.enrolled_on is not None and e.enrolled_on < self.start for e in member.episodes)
        return "not_continuously_enrolled" if enrolled_before else "not_enrolled"

    def judge_members(self, days: int, judge: Judge, purpose: str) -> list[MemberOutcome]:
        out = []
        for member in self.facts:
            window = self.window(member, days)
            if isinstance(window, str):
                out.append(MemberOutcome(member.member_id, NOT_ELIGIBLE, window))
                continue
            outcome, reason = judge(member, window)
            if outcome == NOT_MET:
                excluded = _exclusion(member, window, purpose)
                if excluded is not None:
                    outcome, reason = EXCLUDED, excluded
            out.append(MemberOutcome(member.member_id, outcome, reason))
        return out

    def ltss1_core(self) -> Rate:
        name = "Assessment of core elements"
        missing = self.missing["LTSS-1"]
        if missing is not None:
            return _rate(name, [], missing)
        return _rate(name, self.judge_members(NEW_ASSESSMENT_DAYS, self._assessed, "assessment"))

    def _assessed(self, member: MemberFacts, window: Window) -> tuple[str, str]:
        mine = [a for a in member.assessments if a.episode == window.episode.number and a.on <= window.last]
        candidates = mine if window.new else [a for a in mine if a.on >= window.first]
        if not candidates:
            later = any(a.episode == window.episode.number and a.on > window.last for a in member.assessments)
            return NOT_MET, "late" if later and window.new else "none_in_time"
        reasons = [self._assessment_fails(a, mine, window) for a in candidates]
        if None in reasons:
            return MET, "on_time"
        return NOT_MET, str(reasons[-1])

    def _assessment_fails(self, assessment: AssessmentFact, mine: list[AssessmentFact],
                          window: Window) -> str | None:
        if assessment.elements is None:
            return "elements_not_recorded"
        if assessment.elements != ALL_ASSESSMENT:
            return "elements_missing"
        if not window.new:
            before = [a.on for a in mine if a.on < assessment.on]
            if before and (plus_months(before[-1], UPDATE_MONTHS) or date.max) < assessment.on:
                return "late"
        if self.mltss and not _in_home(assessment):
            return "not_in_home"
        return None

    def ltss2_core(self) -> Rate:
        name = "Person-centered plan with core elements"
        missing = self.missing["LTSS-2"]
        if missing is not None:
            return _rate(name, [], missing)
        return _rate(name, self.judge_members(NEW_PLAN_DAYS, self._planned, "planning"))

    def _planned(self, member: MemberFacts, window: Window) -> tuple[str, str]:
        mine = [p for p in member.plans if p.episode == window.episode.number]
        consented = [p for p in mine if p.consent_on is not None and p.consent_on <= window.last
                     and (window.new or p.consent_on >= window.first)]
        if not consented:
            if window.new and any(p.consent_on is not None and p.consent_on > window.last for p in mine):
                return NOT_MET, "late"
            drafts = [p for p in mine if (p.made_on or date.min) <= window.last and p.consent_on is None]
            return NOT_MET, "not_consented" if drafts else "none_in_time"
        plan = max(consented, key=lambda p: (p.consent_on or date.min))  # the most recently updated plan (FAQ)
        failed = self._plan_fails(member, plan, mine, window)
        return (NOT_MET, failed) if failed is not None else (MET, "on_time")

    def _plan_fails(self, member: MemberFacts, plan: PlanFact, mine: list[PlanFact], window: Window) -> str | None:
        if plan.elements is None:
            return "elements_not_recorded"
        if plan.elements != ALL_PLAN:
            return "elements_missing"
        assert plan.consent_on is not None
        based_on = _assessment_of(member, plan)
        if based_on is not None and (plus_days(based_on, PLAN_AFTER_ASSESSMENT_DAYS) or date.max) < plan.consent_on:
            return "late"
        if not window.new:
            before = [p.consent_on for p in mine if p.consent_on is not None and p.consent_on < plan.consent_on]
            if before and (plus_months(max(before), UPDATE_MONTHS) or date.max) < plan.consent_on:
                return "late"
        if self.mltss and not _face_to_face(plan):
            return "not_face_to_face"
        return None

    # ---------------------------------------------------------------- LTSS-3

    def ltss3(self, ltss2: Rate) -> Rate:
        name = "Plan shared with the primary care provider within 30 days"
        missing = self.missing["LTSS-3"]
        if missing is not None:
            return _rate(name, [], missing)
        met = {o.member_id for o in ltss2.members if o.outcome == MET}
        out = []
        for member in self.facts:
            if member.member_id not in met:
                out.append(MemberOutcome(member.member_id, NOT_ELIGIBLE, "not_in_ltss2"))
                continue
            out.append(self._shared(member))
        return _rate(name, out)

    def _shared(self, member: MemberFacts) -> MemberOutcome:
        window = self.window(member, NEW_PLAN_DAYS)
        assert isinstance(window, Window)
        consented = [p for p in member.plans if p.episode == window.episode.number and p.consent_on is not None
                     and p.consent_on <= window.last and (window.new or p.consent_on >= window.first)]
        plan = max(consented, key=lambda p: (p.consent_on or date.min))
        assert plan.consent_on is not None
        due = plus_days(plan.consent_on, SHARE_DAYS) or date.max
        if any((plan.made_on or date.min) <= sent <= due for sent in plan.pcp_copies):
            return MemberOutcome(member.member_id, MET, "shared_on_time")
        if due > self.as_of:
            return MemberOutcome(member.member_id, NOT_ELIGIBLE, "window_open")
        return MemberOutcome(member.member_id, NOT_MET, "not_shared")

    # ---------------------------------------------------------------- LTSS-4

    def ltss4(self) -> tuple[Rate, Rate]:
        names = ("Reassessment after inpatient discharge",
                 "Reassessment and person-centered plan update after inpatient discharge")
        missing_assessment, missing_plan = self.missing["LTSS-1"], self.missing["LTSS-2"]
        first: list[MemberOutcome] = []
        second: list[MemberOutcome] = []
        for member in self.facts:
            for index, stay in enumerate(member.stays):
                judged = self._discharge(member, index, stay)
                if judged is not None:
                    first.append(judged[0])
                    second.append(judged[1])
        return (_rate(names[0], first, missing_assessment),
                _rate(names[1], second, missing_assessment or missing_plan))

    def _discharge(self, member: MemberFacts, index: int, stay: Stay) -> tuple[MemberOutcome, MemberOutcome] | None:
        end = stay.end
        if end is None or not self.start <= end <= self.as_of:
            return None
        due = plus_days(end, DISCHARGE_DAYS) or date.max

        def both(outcome: str, reason: str) -> tuple[MemberOutcome, MemberOutcome]:
            return (MemberOutcome(member.member_id, outcome, reason, end),
                    MemberOutcome(member.member_id, outcome, reason, end))

        ineligible = self._discharge_ineligible(member, index, stay, due)
        if ineligible is not None:
            return both(NOT_ELIGIBLE, ineligible)
        if stay.planned:
            return both(EXCLUDED, "planned_admission")
        reassessed = any(end <= a.on <= due and a.elements == ALL_ASSESSMENT
                         and (not self.mltss or _in_home(a)) for a in member.assessments)
        updated = any(p.made_on is not None and end <= p.made_on <= due and p.consent_on is not None
                      and p.consent_on <= self.as_of and p.elements == ALL_PLAN
                      and (not self.mltss or _face_to_face(p)) for p in member.plans)
        one = MemberOutcome(member.member_id, MET if reassessed else NOT_MET,
                            "on_time" if reassessed else "no_reassessment", end)
        two_met = reassessed and updated
        two = MemberOutcome(member.member_id, MET if two_met else NOT_MET,
                            "on_time" if two_met else ("no_plan_update" if reassessed else "no_reassessment"), end)
        return one, two

    def _discharge_ineligible(self, member: MemberFacts, index: int, stay: Stay, due: date) -> str | None:
        assert stay.end is not None
        age = _age(member.birth_date, stay.end)
        if age is None:
            return "no_birth_date"
        if age < ADULT_AGE:
            return "under_18"
        if due > self.as_of:
            return "window_open"
        if any(stay.end <= later.start <= due for later in member.stays[index + 1:]):
            return "readmitted"
        episode = member.episode_of(stay.end)
        if episode is None or episode.enrolled_on is None or episode.enrolled_on > stay.end:
            return "not_enrolled"
        if episode.closed_on is not None and episode.closed_on < due:
            return "not_continuously_enrolled"
        return None


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _in_home(assessment: AssessmentFact) -> bool:
    """MLTSS (CMS FAQ 89086): face-to-face in the home, unless the member declined that or was in a hospital or
    nursing facility."""
    if assessment.in_home_declined or assessment.place in ("hospital", "nursing_facility"):
        return True
    return assessment.place == "home" and assessment.contact == "face_to_face"


def _face_to_face(plan: PlanFact) -> bool:
    """MLTSS (CMS FAQ 89146): the planning meeting face-to-face, unless the member declined that."""
    return plan.in_person_declined or plan.contact == "face_to_face"


def _assessment_of(member: MemberFacts, plan: PlanFact) -> date | None:
    """The date of the assessment the plan is based on (its `assessment` id), else of the latest before it."""
    named = [a.on for a in member.assessments if plan.assessment is not None and a.id == plan.assessment
             and a.episode == plan.episode]
    if named:
        return named[-1]
    before = [a.on for a in member.assessments if a.episode == plan.episode and plan.consent_on is not None
              and a.on <= plan.consent_on]
    return before[-1] if before else None


def _exclusion(member: MemberFacts, window: Window, purpose: str) -> str | None:
    """Why a member not met is excluded: a documented refusal, or at least three documented attempts that did
    not reach them, within the window (CMS FAQs 89101, 89106; the exclusion rates are reported)."""
    attempts = [a for a in member.attempts if window.first <= a.on <= window.last
                and (a.purpose is None or a.purpose == purpose)]
    if any(a.outcome == "refused" and a.purpose == purpose for a in attempts):
        return "refused"
    if sum(1 for a in attempts if a.outcome == "not_reached") >= UNREACHED_ATTEMPTS:
        return "unable_to_reach"
    return None
