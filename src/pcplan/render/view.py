"""What a printed plan shows, computed from the case: plain data for the templates.

Templates never read raw YAML: every value they need is prepared here, so a
missing field is a visible gap (``None``) handled in one place, not a
template crash, and the same view feeds HTML, PDF and Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..dates import beyond_calendar, parse_frequency, parse_iso, readable_amount
from ..facts.lifecycle import (
    CASE_MANAGER,
    DRAFT,
    Lifecycle,
    PlanRecord,
    assignments,
    case_manager_on,
    monitor_named,
    staff_left_on,
)
from ..fingerprint import fingerprint
from ..model import Document, get_in, ids, items, text
from .roles import role_code
from .signing import signers

# Marks a field holding a code (an enum value, an id), not words someone wrote:
# templates look codes up in their vocabulary. Codes are escaped like every value
# (a draft's codes have not passed the schema); Markdown leaves a plain code as it
# is so the vocabulary still finds it (see templating.escaped_for_markdown).
CODE = {"code": True}

# Units of a support's amount that templates say in the member's language
# (singular form as the key); any other unit is shown as written.
KNOWN_UNITS = {"hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "minute": "minute", "minutes": "minute",
               "visit": "visit", "visits": "visit", "trip": "trip", "trips": "trip", "ride": "ride", "rides": "ride",
               "session": "session", "sessions": "session", "day": "day", "days": "day", "call": "call",
               "calls": "call", "meal": "meal", "meals": "meal", "class": "class", "classes": "class",
               "appointment": "appointment", "appointments": "appointment"}


@dataclass
class Support:
    id: str = field(metadata=CODE)
    description: str | None
    paid: bool | None
    provider: str | None
    amount: Any
    unit: str | None  # as written
    unit_key: str | None = field(metadata=CODE)  # a KNOWN_UNITS value, or None
    frequency: str | None = field(metadata=CODE)
    start: date | None
    end: date | None


@dataclass
class Objective:
    id: str = field(metadata=CODE)
    text: str | None
    measure: str | None
    target_date: date | None


@dataclass
class Goal:
    id: str = field(metadata=CODE)
    own_words: str | None
    restatement: str | None
    status: str = field(metadata=CODE)
    target_date: date | None
    needs: list[str]  # the assessed needs' texts
    strengths: list[str]  # the strengths' texts
    objectives: list[Objective]
    supports: list[Support]


@dataclass
class Risk:
    id: str = field(metadata=CODE)
    text: str | None
    level: str | None = field(metadata=CODE)
    mitigation: str | None
    backup_plan: str | None


@dataclass
class Interval:
    """A frequency such as "3 months", split so templates can say it in any language."""

    count: int
    unit: str = field(metadata=CODE)  # day, week, month or year


@dataclass
class RightsModification:
    id: str = field(metadata=CODE)
    right: str | None
    assessed_need: str | None
    prior_interventions: str | None
    less_intrusive_methods: str | None
    condition: str | None
    data_collection: str | None
    review_every: Interval | None
    review_by: date | None
    consent_given_by: str | None
    consent_on: date | None
    no_harm_assurance: str | None


@dataclass
class Person:
    name: str
    role: str | None  # as written in the plan (a meeting participant's role), or None
    kind: str = field(metadata=CODE)  # participant, provider, natural_support or case_manager
    role_key: str | None = field(default=None, metadata=CODE)  # the role as a code (roles.ROLES), or None


@dataclass
class Signature:
    role: str | None = field(metadata=CODE)
    name: str | None
    signed_on: date | None
    method: str | None = field(metadata=CODE)
    refused: bool
    refusal_reason: str | None


@dataclass
class SignatureLine:
    """A line of a copy for signature: who signs, and what the plan already records for them."""

    name: str | None
    role: str = field(metadata=CODE)  # member, representative, case_manager, provider, …
    authority: str | None = field(metadata=CODE)  # a representative's legal authority
    signed: Signature | None  # None: a blank line to sign


@dataclass
class Copy:
    to: str | None
    role: str | None = field(metadata=CODE)
    given_on: date | None
    format: str | None = field(metadata=CODE)
    language: str | None = field(metadata=CODE)
    declined: bool


@dataclass
class PlanView:
    member_id: str = field(metadata=CODE)
    preferred_name: str
    pronouns: str | None
    member_language: str | None = field(metadata=CODE)
    document_format: str = field(metadata=CODE)
    closed: bool
    closed_on: date | None
    plan_id: str | None = field(metadata=CODE)
    plan_type: str | None = field(metadata=CODE)
    plan_date: date | None
    effective_start: date | None
    effective_end: date | None
    what_matters: str | None
    important_to_me: str | None
    strengths: list[str]
    goals: list[Goal]
    other_supports: list[Support]  # supports serving no goal listed in this plan
    deferred_needs: list[tuple[str, str | None]]
    risks: list[Risk]
    rights_modifications: list[RightsModification]
    team: list[Person]
    case_manager: Person | None
    review_every: Interval | None
    next_review: date | None
    last_review: date | None
    signatures: list[Signature]
    copies: list[Copy]
    agency: str
    setting_type: str | None = field(default=None, metadata=CODE)
    meeting_place: str | None = None
    meeting_date: date | None = None
    fingerprint: str = field(default="", metadata=CODE)  # the content fingerprint: which version was printed
    awaiting_signature: bool = False  # a draft: no consent yet (DESIGN.md, "The life of a case")
    signature_lines: list[SignatureLine] = field(default_factory=list)  # drafts: who signs, filled or blank


def build_view(life: Lifecycle, record: PlanRecord, staff_by_id: dict[str, dict], agency: str,
               review_interval_months: int = 12) -> PlanView:
    case, plan = life.case, record.plan
    member = case.member.data if case.member is not None else {}
    assessment = case.assessment_for(plan)
    assessed = assessment.data if assessment is not None else {}
    need_text = {item["id"]: text(item, "text")
                 for _, item in items(assessed, "needs") if isinstance(item.get("id"), str)}
    strength_text = {item["id"]: text(item, "text")
                     for _, item in items(assessed, "strengths") if isinstance(item.get("id"), str)}
    # (the goals a support serves, the support)
    supports = [(set(_strings(raw.get("goals"))), _support(raw))
                for _, raw in plan.items("supports") if isinstance(raw.get("id"), str)]
    goal_ids = set(ids(plan.data, "goals"))
    goals = []
    for _, goal in plan.items("goals"):
        if not isinstance(goal.get("id"), str):
            continue
        goals.append(Goal(
            id=goal["id"], own_words=text(goal, "own_words"), restatement=text(goal, "restatement"),
            status=status if isinstance(status := goal.get("status"), str) else "active",
            target_date=parse_iso(goal.get("target_date")),
            needs=[shown for n in _strings(goal.get("needs")) if (shown := need_text.get(n))],
            strengths=[shown for s in _strings(goal.get("strengths")) if (shown := strength_text.get(s))],
            objectives=[Objective(o["id"], text(o, "text"), text(o, "measure"), parse_iso(o.get("target_date")))
                        for _, o in items(goal, "objectives") if isinstance(o.get("id"), str)],
            supports=[support for served, support in supports if goal["id"] in served]))
    other_supports = [support for served, support in supports if not served & goal_ids]
    mitigations = {m["risk"]: m for _, m in plan.items("risk_mitigations") if isinstance(m.get("risk"), str)}
    risks = [Risk(r["id"], text(r, "text"), r.get("level") if isinstance(r.get("level"), str) else None,
                  text(mitigations.get(r["id"], {}), "mitigation"), text(mitigations.get(r["id"], {}), "backup_plan"))
             for _, r in items(assessed, "risks") if isinstance(r.get("id"), str)]
    responsible = _case_manager_today(life, plan, staff_by_id)
    case_manager = _staff_person(staff_by_id.get(responsible)) if responsible is not None else None
    awaiting = life.state(record) == DRAFT
    # A draft's reviews count from a consent it does not have yet: its page says how often instead.
    schedule = None if awaiting else life.review_schedule(record, review_interval_months)
    held = [d for _, r in plan.items("reviews") if (d := parse_iso(r.get("date")))]
    name = member.get("name") if isinstance(member.get("name"), dict) else {}
    preferred = text(name, "preferred") or text(name, "legal") or (case.member_id or "")
    signatures = [Signature(text(s, "role"), text(s, "name"), parse_iso(s.get("signed_on")), text(s, "method"),
                            s.get("refused") is True, text(s, "refusal_reason"))
                  for _, s in plan.items("signatures")]
    by_index = dict(zip((index for index, _ in plan.items("signatures")), signatures, strict=True))
    lines = [SignatureLine(who.name, who.role, who.authority,
                           by_index.get(who.signature) if who.signature is not None else None)
             for who in signers(plan, case.member, preferred,
                                (responsible, case_manager.name) if case_manager and responsible else None)]
    # The plan's own episode says whether the case closed after it (a re-enrolled member's old plan).
    episode = record.episode if record.episode is not None else life.current_episode
    closed = life.closed if episode is life.current_episode else episode.closed
    return PlanView(
        member_id=case.member_id or "",
        preferred_name=preferred,
        pronouns=text(member, "pronouns"),
        member_language=_str(get_in(member, "language", "preferred")),
        document_format=fmt if isinstance(fmt := member.get("document_format"), str) else "print",
        closed=closed,
        closed_on=episode.closed_on,
        plan_id=plan.id, plan_type=_str(plan.get("type")), plan_date=plan.date,
        effective_start=parse_iso(get_in(plan.data, "effective", "start")),
        effective_end=parse_iso(get_in(plan.data, "effective", "end")),
        what_matters=text(plan.data, "what_matters"),
        important_to_me=text(assessed, "important_to_me"),
        strengths=[t for t in strength_text.values() if t],
        goals=goals, other_supports=other_supports,
        deferred_needs=[(need_text.get(_str(d.get("need"))) or str(d.get("need")), text(d, "reason"))
                        for _, d in plan.items("deferred_needs")],
        risks=risks,
        rights_modifications=[_modification(m) for _, m in plan.items("rights_modifications")],
        team=_team(plan, [support for _, support in supports], case_manager),
        case_manager=case_manager,
        review_every=_interval(get_in(plan.data, "monitoring", "review_every")),
        next_review=schedule.due if schedule else None, last_review=max(held) if held else None,
        signatures=signatures,
        copies=[Copy(text(c, "to"), text(c, "role"), parse_iso(c.get("given_on")), text(c, "format"),
                     text(c, "language"), c.get("declined") is True)
                for _, c in plan.items("distribution")],
        agency=agency,
        setting_type=_str(get_in(plan.data, "setting", "type")),
        meeting_place=text(plan.data.get("meeting") or {}, "place"),
        meeting_date=parse_iso(get_in(plan.data, "meeting", "date")),
        fingerprint=fingerprint(plan.data),
        awaiting_signature=awaiting,
        signature_lines=lines,
    )


def _case_manager_today(life: Lifecycle, plan: Document, staff_by_id: dict[str, dict]) -> str | None:
    """The staff id of the case manager a printed plan shows and gives a signature line (DESIGN.md,
    "Transfers and departures"): the one assigned on the day of printing (member.yaml `case_managers`, an
    assignment ending at its `to` or when its staff member left), whatever the plan's `monitoring.responsible`
    says. A record with no assignments at all falls back to the plan's named monitor, unless they have left
    the agency; a member with assignments but none current that day (a closed case, a gap) shows none."""
    member = life.case.member
    current = case_manager_on(member, staff_by_id, life.today)
    if current is not None or assignments(member, staff_by_id)[0]:
        return current
    named = monitor_named(plan)
    if named is None or named == CASE_MANAGER:
        return None
    left = staff_left_on(staff_by_id, named)
    return None if left is not None and left < life.today else named


def _str(value: Any) -> str | None:
    """A value that must be text to be used (as a key, a code, a language); None otherwise."""
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _support(raw: dict) -> Support:
    amount = raw.get("amount")
    return Support(
        id=raw["id"], description=text(raw, "description"),
        paid=raw.get("paid") if isinstance(raw.get("paid"), bool) else None,
        provider=text(raw, "provider"),
        amount=readable_amount(amount),  # None past 15 digits or not finite (E004): never a wrong number printed
        unit=text(raw, "unit"), unit_key=KNOWN_UNITS.get((text(raw, "unit") or "").strip().casefold()),
        frequency=text(raw, "frequency"),
        start=parse_iso(raw.get("start")), end=parse_iso(raw.get("end")))


def _modification(raw: dict) -> RightsModification:
    consent = consent if isinstance(consent := raw.get("consent"), dict) else {}
    return RightsModification(
        id=found if isinstance(found := raw.get("id"), str) else "",
        right=text(raw, "right"), assessed_need=text(raw, "assessed_need"),
        prior_interventions=text(raw, "prior_interventions"),
        less_intrusive_methods=text(raw, "less_intrusive_methods"), condition=text(raw, "condition"),
        data_collection=text(raw, "data_collection"), review_every=_interval(raw.get("review_every")),
        review_by=parse_iso(raw.get("review_by")), consent_given_by=text(consent, "given_by"),
        consent_on=parse_iso(consent.get("on")), no_harm_assurance=text(raw, "no_harm_assurance"))


def _interval(value: Any) -> Interval | None:
    frequency = parse_frequency(value)
    # longer than the calendar (E004): no count of that size is printed on a plan
    return Interval(*frequency) if frequency and not beyond_calendar(frequency) else None


def _staff_person(staff: dict | None) -> Person | None:
    if not staff or not text(staff, "name"):
        return None
    return Person(staff["name"], None, "case_manager")


def _team(plan: Document, supports: list[Support], case_manager: Person | None) -> list[Person]:
    """Who was at the meeting, then the providers of the supports, each once (the case manager apart)."""
    team: list[Person] = []
    seen: set[str] = {case_manager.name.casefold()} if case_manager else set()
    for _, participant in plan.items("meeting", "participants"):
        name = text(participant, "name")
        if name and name.casefold() not in seen and participant.get("role") != "member":
            seen.add(name.casefold())
            role = text(participant, "role")
            team.append(Person(name, role, "participant", role_code(role)))
    for support in supports:
        if support.provider and support.provider.casefold() not in seen:
            seen.add(support.provider.casefold())
            team.append(Person(support.provider, None, "provider" if support.paid else "natural_support"))
    return team
