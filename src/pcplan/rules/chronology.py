"""T206's helpers (timeliness.py), not rules: the dates of a member's record, in order and not ahead of today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..dates import parse_iso
from ..facts.lifecycle import PlanRecord
from ..findings import Hit
from ..model import Case, Document, get_in, label, named, shown_name


def date_at(data: object, *keys: str) -> date | None:
    """The date at ``keys`` in ``data``, if one is readable there."""
    return parse_iso(get_in(data, *keys))


# Fields that record something that has already happened. Planned dates are
# legitimately in the future and are not listed: a case-manager assignment's
# `from` and `to` (a planned transfer), `effective.start` and `.end`, goal and
# objective target dates, support `start` and `end`, a modification's
# `review_by`, an exception's `from` and `until`, a program's `ended_on`, holds.
_EVENT_FIELDS = {
    "assessment": (("date",),),
    "plan": (("signatures", "*", "signed_on"), ("signatures", "*", "refused_on"), ("signatures", "*", "declined_on"),
             ("distribution", "*", "given_on"), ("reviews", "*", "date"),
             ("rights_modifications", "*", "consent", "on"), ("exceptions", "*", "on"),
             *(("choices", choice, "on") for choice in ("setting", "services", "providers", "self_direction"))),
    "note": (("date",),),
    "closure": (("date",), ("exit_interview", "held_on"), ("referrals", "*", "on"), ("attempts", "*", "on")),
    "member": (("birth_date",), ("rights_explained_on",), ("choice_of_case_manager_offered_on",),
               ("programs", "*", "enrolled_on"), ("programs", "*", "eligibility", "determined_on")),
}


# A plan's own date and its meeting's: a record once anyone has signed (or refused to sign) the plan;
# before that, the meeting may be one still to come, with the draft prepared for it.
_PLAN_MADE = (("date",), ("meeting", "date"))


def _dates_at(data: object, pattern: tuple) -> Iterator[tuple[tuple, date]]:
    """(data path, date) for each readable date matching ``pattern`` (``"*"``: every list item)."""
    if not pattern:
        day = parse_iso(data)
        if day is not None:
            yield (), day
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                for path, day in _dates_at(item, rest):
                    yield (index, *path), day
    elif isinstance(data, dict) and step in data:
        for path, day in _dates_at(data[step], rest):
            yield (step, *path), day


def _field(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return f"`{out}`"


def _signed(plan: Document) -> bool:
    """Whether anyone has signed the plan, refused to sign it or declined to sign it, on a readable date."""
    return any(parse_iso(s.get("signed_on")) or parse_iso(s.get("refused_on")) or parse_iso(s.get("declined_on"))
               for _, s in plan.items("signatures"))


def plan_order(case: Case, plan: Document, record: PlanRecord) -> Iterator[Hit]:
    assessment = case.assessment_for(plan)
    earlier: tuple[date, str] | None = None  # the date the next stage must not precede, and its description
    if assessment is not None and assessment.date is not None:
        earlier = (assessment.date, f"the `date` of {named('assessment', assessment.id)} "
                                    f"({shown_name(assessment.path.name)})")
    meeting = date_at(plan.data, "meeting", "date")
    if meeting is not None:
        if earlier is not None and meeting < earlier[0]:
            yield Hit(plan, ("meeting", "date"), f"`meeting.date` {meeting.isoformat()} is before "
                      f"{earlier[1]}, {earlier[0].isoformat()}; the plan is made after the assessment")
        earlier = (meeting, "`meeting.date`")
    # a signature, or an agreement recorded without one (`declined_on`), comes at or after the meeting
    signed = [(day, index, key) for index, s in plan.items("signatures") for key in ("signed_on", "declined_on")
              if (day := parse_iso(s.get(key))) is not None]
    for day, index, key in signed:
        if earlier is not None and day < earlier[0]:
            yield Hit(plan, ("signatures", index, key),
                      f"this signature is dated {day.isoformat()}, before {earlier[1]}, "
                      f"{earlier[0].isoformat()}; a plan is signed at or after the "
                      f"{'meeting that made it' if meeting is not None else 'assessment it is based on'}")
    yield from _copies_before_consent(plan, record)


def consent_where(record: PlanRecord) -> str:
    """Where the plan's consent is recorded, for a message: `signatures[0]`."""
    if not record.consent_path:
        return "the plan's consent"
    return "`" + "".join(f"[{k}]" if isinstance(k, int) else k for k in record.consent_path) + "`"


def _copies_before_consent(plan: Document, record: PlanRecord) -> Iterator[Hit]:
    """Copies are judged from consent (DESIGN.md, "Copies"): none is given before it. Whoever signs later (a
    provider) does not matter, and a draft's copies wait for its consent."""
    consent = record.consent_on if record is not None else None
    if consent is None:
        return
    for index, entry in plan.items("distribution"):
        day = parse_iso(entry.get("given_on"))
        if day is not None and day < consent:
            yield Hit(plan, ("distribution", index, "given_on"),
                      f"this copy is dated {day.isoformat()}, before the plan's consent ({consent.isoformat()}, "
                      f"{consent_where(record)}); the copy given is the plan the member or their legal "
                      "representative agreed to: correct the date, or give the consented plan and record that day")


# Every start/end pair of a record (DESIGN.md, "Dates in order"): kind → (list, start key, end key, what it is).
_PAIRS = {
    "plan": ((None, ("effective", "start"), ("effective", "end"), "the plan's effective period"),
             ("supports", ("start",), ("end",), "a support"),
             ("exceptions", ("from",), ("until",), "an exception's period")),
    "member": (("holds", ("start",), ("end",), "a hold"),
               ("case_managers", ("from",), ("to",), "a case-manager assignment"),
               ("representatives", ("authority_from",), ("authority_until",), "a representative's authority"),
               ("programs", ("enrolled_on",), ("ended_on",), "an enrollment")),
}


def start_end_pairs(case: Case) -> Iterator[Hit]:
    """T206: every start/end pair ends on or after the day it starts; reported at the end, naming the start."""
    for doc in case.documents:
        for listed, start_key, end_key, what in _PAIRS.get(doc.kind or "", ()):  # no kind: no pairs
            entries = [((), doc.data)] if listed is None else [((listed, index), item)
                                                               for index, item in doc.items(listed)]
            for base, item in entries:
                start, end = date_at(item, *start_key), date_at(item, *end_key)
                if start is None or end is None or end >= start:
                    continue
                end_path, start_path = base + end_key, base + start_key
                owner = f" of {label(item, 'support')}" if listed == "supports" else ""
                yield Hit(doc, end_path, f"{_field(end_path)}{owner} is {end.isoformat()}, before "
                          f"{_field(start_path)} {start.isoformat()}: {what} ends on or after the day it "
                          "starts; correct the date that is wrong")


def before_enrollment(case: Case) -> Iterator[Hit]:
    if case.member is None:
        return
    enrolled = [(day, index) for index, program in case.member.items("programs")
                if (day := parse_iso(program.get("enrolled_on"))) is not None]
    if not enrolled:
        return
    first, index = min(enrolled)
    since = f"the member's enrollment on {first.isoformat()} (`programs[{index}].enrolled_on`)"
    for doc in (*case.plans, *case.notes):
        if doc.date is not None and doc.date < first:
            yield Hit(doc, ("date",), f"this {doc.kind} is dated {doc.date.isoformat()}, before {since}; "
                      "correct the date, or the enrollment date")


def recorded_after(case: Case, today: date) -> Iterator[Hit]:
    """T206: no record of something that happened (an assessment, a note, a signature, a copy given…) is dated
    after today; a plan's own date and its meeting's only once anyone has signed it."""
    for doc in case.documents:
        patterns = _EVENT_FIELDS.get(doc.kind or "", ())  # no kind: no event fields
        if doc.kind == "plan" and _signed(doc):
            patterns = _PLAN_MADE + patterns
        for pattern in patterns:
            for path, day in _dates_at(doc.data, pattern):
                if day > today:
                    yield Hit(doc, path, f"{_field(path)} is {day.isoformat()}, after today "
                              f"({today.isoformat()}); an event is recorded when it has happened, "
                              "with the date it happened")
