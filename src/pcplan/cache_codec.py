"""What a cache entry holds (pcplan.cache keeps it): one member folder's work as JSON-able lists, and back.

An entry's body is ``[findings, summary, identity]``:

* findings: each as findings.finding_row writes it (the conversion the spill store uses too), its file named
  by its place in the folder's sorted list of files, a key typed as words masked (:func:`masked`), the due
  date as ISO text;
* summary: the facts.summary.MemberSummary `due` and `report` read (:func:`summary_to_plain`: with the
  facts the quality measures and the timeliness counts need, ids, codes and dates), or None when it cannot
  be kept (a program name typed as words: the cache holds no member text); an entry of an earlier pcplan,
  without those facts, is a miss;
* identity: what E007 compares across folders (engine._identity): the member file's place, the member id
  and the (line, column, end line, end column) of its value.

:func:`encode_entry` writes it; :func:`decode_entry` reads it with the paths of this run, after
:func:`well_typed` has found every value of the types pcplan writes (an entry holding anything else is a
miss: the folder is checked again, and its entry replaced).
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import cast

from .facts.measures.record import AssessmentFact, Attempt, EpisodeFact, MemberFacts, PlanFact, Stay
from .facts.obligations import KINDS, Obligation
from .facts.status import STATUSES
from .facts.summary import MemberSummary
from .facts.timely import KINDS as TIMELY_KINDS
from .facts.timely import Timely
from .findings import SEVERITY_RANK, Finding, dotted, finding_from_row, finding_row
from .rules.registry import RULES
from .shown import looks_like_id
from .walk import MEMBER_FILES


def encode_entry(documents: list, names: list[str], found: list[Finding], summary: MemberSummary | None,
                 identity: tuple) -> list | None:
    """The member folder's findings (and summary, and identity: engine._identity) as JSON-able lists; None when
    something in them cannot be written that way (the folder is then simply not cached). ``documents``: the
    case's, in the order of ``names``."""
    if any(d.loaded.digest is None or d.loaded.stat is None for d in documents):
        return None  # a file that was not read whole (unreadable, too large, a name not UTF-8)
    index = {d.path: i for i, d in enumerate(documents)}
    out = []
    for f in found:
        if f.file not in index or f.name != RULES[f.code].name or not _plain_path(f.data_path) \
                or not (f.due is None or isinstance(f.due, date)):
            return None
        if any(r.file not in index or not _plain_path(r.data_path) for r in f.related):
            return None
        out.append(finding_row(f, lambda item: index[item.file], masked, _iso))
    plain = None
    if summary is not None:
        # None when the summary cannot be kept (a program name that is not id-shaped): `check` is still
        # answered from the entry, `due` and `report` check such a folder again
        plain = summary_to_plain(summary, {d.display_path: i for i, d in enumerate(documents)})
    name, member_id, span = identity
    return [out, plain, [names.index(name) if name in names else -1, member_id, list(span) if span else None]]


def decode_entry(payload: list, key: str, files: list[Path], names: list[str], displays: list[str],
                 caseload: bool) -> tuple[list[Finding], MemberSummary | None, tuple] | None:
    """An entry's findings, summary (with ``caseload``, else None) and identity, with the paths of this run
    (``key``: the folder from the root); None for an entry whose values do not have the types pcplan writes,
    or that holds no summary when one is wanted (a miss: checked again, and replaced)."""
    if not well_typed(payload, len(files)):
        return None
    repo_paths = [f"{key}/{name}" if key else name for name in names] if payload[0] else []

    def at(where: int) -> tuple:
        return displays[where], files[where], repo_paths[where]

    found = [finding_from_row(row, at, RULES[row[0]].name, _day) for row in payload[0]]
    summary = None
    if caseload:
        if payload[1] is None:
            return None
        summary = summary_from_plain(payload[1], displays)
    where, member_id, span = payload[2]
    return found, summary, (names[where] if where >= 0 else MEMBER_FILES[0], member_id,
                            tuple(span) if span is not None else None)


def well_typed(payload: object, count: int) -> bool:
    """Whether ``payload`` is ``[findings, summary, identity]`` with every finding (and related place) of the
    types encode_entry writes, naming a rule pcplan has, a severity and one of the folder's ``count`` files, and
    an identity naming one of them (or none), an id-shaped member id (or none) and its place."""

    def number(value: object, maybe: bool = False) -> bool:
        return type(value) is int or (maybe and value is None)

    def text(value: object, maybe: bool = False) -> bool:
        return type(value) is str or (maybe and value is None)

    def place(value: object) -> bool:
        return type(value) is int and 0 <= value < count

    def steps(value: object) -> bool:
        return type(value) is list and all(type(step) in (str, int) for step in value)

    if type(payload) is not list or len(payload) != 3 or type(payload[0]) is not list:
        return False
    identity = payload[2]
    if not (type(identity) is list and len(identity) == 3 and type(identity[0]) is int and -1 <= identity[0] < count
            and (identity[1] is None or looks_like_id(identity[1]))
            and (identity[2] is None if identity[1] is None else
                 type(identity[2]) is list and len(identity[2]) == 4 and all(number(n) for n in identity[2]))):
        return False
    for row in payload[0]:
        if type(row) is not list or len(row) != 14:
            return False
        code, severity, where, line, column, end_line, end_column, message, member, path, excepted, hint, due, \
            related = row
        if not (text(code) and code in RULES and text(severity) and severity in SEVERITY_RANK and place(where)
                and number(line) and number(column) and number(end_line, True) and number(end_column, True)
                and text(message) and text(member, True) and steps(path) and type(excepted) is bool
                and text(hint, True) and text(due, True) and type(related) is list):
            return False
        for other in related:
            if not (type(other) is list and len(other) == 7 and place(other[0]) and number(other[1])
                    and number(other[2]) and text(other[3]) and steps(other[4]) and number(other[5], True)
                    and number(other[6], True)):
                return False
    return True


def _iso(day: date) -> str:
    return day.isoformat()


def _day(text: object) -> date:
    """A due date as the entry holds it (well_typed found ISO text there)."""
    if not isinstance(text, str):
        raise TypeError("a due date is ISO text")
    return date.fromisoformat(text)


def masked(data_path: tuple) -> list:
    """A data path as the cache keeps it: a key that is not a field name (words typed as a key) is what every
    output shows in its place, ``?`` (findings.dotted), with a digest so that two such keys stay apart."""
    out = []
    for step in data_path:
        if isinstance(step, str) and dotted((step,)) == "?":
            out.append("?" + hashlib.blake2b(step.encode("utf-8", "surrogateescape"), digest_size=6).hexdigest())
        else:
            out.append(step)
    return out


# ---------------------------------------------------------------------------------------------------------------
# The member's summary (facts.summary.MemberSummary)


def summary_to_plain(summary: MemberSummary, place: dict[str, int]) -> list | None:
    """The summary as JSON-able lists; obligations name their file by its place in the folder (``place``:
    display path → index). None when something in it cannot be written that way (it is then not cached)."""
    obligations = []
    for o in summary.due_by():  # every one (a summary read from the cache holds them as rows)
        where = -1 if o.path == "" else place.get(o.path)
        if where is None or not _plain_path(o.data_path) or not isinstance(o.due, date) \
                or not (o.since is None or isinstance(o.since, date)):
            return None
        obligations.append([o.due.isoformat(), o.kind, o.member, o.case_manager, o.subject, where,
                            list(o.data_path), o.since.isoformat() if o.since is not None else None])
    if not all(_storable_program(p) for p in summary.programs):
        return None  # a program name typed as words: never written to the cache (the folder is checked again)
    return [summary.status, summary.closed, summary.on_hold, summary.in_effect, summary.drafts, summary.manager,
            list(summary.programs), summary.member_id, obligations,
            _facts_to_plain(summary.measures) if summary.measures is not None else None,
            [[t.kind, t.due.isoformat(), _iso_or_none(t.done)] for t in summary.timely]]


def summary_from_plain(data: list, displays: list[str]) -> MemberSummary:
    """The MemberSummary summary_to_plain wrote; its obligations stay as the entry holds them
    (:class:`StoredObligations`) until asked for. ValueError: not a summary pcplan wrote."""
    if type(data) is not list or len(data) != 11:  # an entry of an earlier pcplan (no measures): a miss
        raise ValueError("not a summary pcplan wrote")
    status, closed, on_hold, in_effect, drafts, manager, programs, member_id, obligations, measures, timely = data
    if status not in STATUSES or not all(type(x) is bool for x in (closed, on_hold, in_effect)) \
            or type(drafts) is not int or not all(x is None or isinstance(x, str) for x in (manager, member_id)) \
            or type(programs) is not list or not all(_storable_program(p) for p in programs) \
            or type(obligations) is not list or not all(_plain_obligation(o, len(displays)) for o in obligations):
        raise ValueError("not a summary pcplan wrote")
    return MemberSummary(status, closed, on_hold, in_effect, drafts, manager, tuple(programs), member_id,
                         StoredObligations(tuple(obligations), tuple(displays)),
                         measures=_facts_from_plain(measures) if measures is not None else None,
                         timely=_timely_from_plain(timely))


class StoredObligations:
    """A member's obligations as the cache holds them, decoded only when asked for (a caseload of 100,000
    members holds over a million obligations, and `due` shows the few within its window)."""

    __slots__ = ("rows", "displays")

    def __init__(self, rows: tuple, displays: tuple) -> None:
        self.rows = rows
        self.displays = displays  # the folder's files as shown, which the rows name by index

    def __len__(self) -> int:
        return len(self.rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredObligations):
            return NotImplemented
        return self.rows == other.rows and self.displays == other.displays

    __hash__ = None  # type: ignore[assignment]  # rows are lists

    def due_by(self, last: date | None = None, strictly: bool = False) -> list:
        """The obligations due on or before ``last`` (before it, ``strictly``); every one when None."""
        chosen: tuple | list
        if last is None:
            chosen = self.rows
        else:
            bound = last.isoformat()  # ISO dates (four-digit years) sort as the dates do
            chosen = [o for o in self.rows
                      if isinstance(o[0], str) and (o[0] < bound if strictly else o[0] <= bound)]
        return [found for found in (_obligation(o, self.displays) for o in chosen) if found is not None]

    def case_managers(self) -> set[str]:
        """The case managers the obligations name."""
        return {o[3] for o in self.rows if isinstance(o[3], str) and o[3]}


def _obligation(plain: list, displays: tuple) -> Obligation | None:
    """One obligation as the cache holds it, decoded; None for one no check could have written (the entry's
    checksum was right, so it was planted, not damaged: it is left out, and nothing else is believed less)."""
    due, kind, member, cm, subject, where, path, since = plain
    try:
        return Obligation(date.fromisoformat(due), kind, member, cm, subject,
                          "" if where == -1 else displays[where], tuple(path),
                          date.fromisoformat(since) if since is not None else None)
    except (TypeError, ValueError, IndexError):
        return None


def _plain_obligation(plain: object, files: int) -> bool:
    """Whether ``plain`` is an obligation as summary_to_plain writes it (an entry holding any other is a miss,
    and the member folder is checked again: never a count that differs from an uncached run)."""
    if type(plain) is not list or len(plain) != 8:
        return False
    due, kind, member, cm, subject, where, path, since = plain
    try:
        date.fromisoformat(due)
        if since is not None:
            date.fromisoformat(since)
    except (TypeError, ValueError):
        return False
    return type(kind) is str and kind in KINDS and (member is None or type(member) is str) \
        and (cm is None or type(cm) is str) and type(subject) is str and type(where) is int \
        and -1 <= where < files and type(path) is list and all(type(step) in (str, int) for step in path)


def _storable_program(name: object) -> bool:
    """What the cache may hold of a program: an id-shaped name (agency vocabulary, `HCBS-EBD`) or None (no
    program); never a name typed as words, which is member text (a summary holding one is not kept: `due` and
    `report` read that member folder again, and show or hide the name as they print)."""
    return name is None or looks_like_id(name)


def _plain_path(path: object) -> bool:
    return isinstance(path, tuple) and all(type(step) in (str, int) for step in path)


# ---------------------------------------------------------------------------------------------------------------
# What the quality measures and the timeliness counts need (facts.measures.MemberFacts, facts.timely.Timely):
# ids (id-shaped, else None), codes, numbers, booleans and ISO dates; never a member's words.


def _iso_or_none(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _facts_to_plain(facts: MemberFacts) -> list:
    iso = _iso_or_none
    return [
        facts.member_id, iso(facts.birth_date),
        [[e.number, iso(e.enrolled_on), iso(e.closed_on), e.closed] for e in facts.episodes],
        [[a.id, a.on.isoformat(), a.episode, a.elements, a.contact, a.place, a.in_home_declined]
         for a in facts.assessments],
        [[p.id, p.assessment, iso(p.made_on), iso(p.consent_on), p.episode, p.elements, p.contact,
          p.in_person_declined, [d.isoformat() for d in p.pcp_copies], p.pcp_recorded] for p in facts.plans],
        [[a.on.isoformat(), a.purpose, a.outcome] for a in facts.attempts],
        [[s.start.isoformat(), iso(s.end), s.planned] for s in facts.stays],
    ]


class _Reader:
    """Values of a plain entry, each checked to be of the type pcplan writes (ValueError: it is not)."""

    def __init__(self) -> None:
        self.days: dict[str, date] = {}  # one date object per day (a caseload's facts hold many of each)

    def day(self, value: object, maybe: bool = False) -> date | None:
        if value is None and maybe:
            return None
        if type(value) is not str:
            raise ValueError("not a date")
        found = self.days.get(value)
        if found is None:
            found = self.days.setdefault(value, date.fromisoformat(value))
        return found

    def sure_day(self, value: object) -> date:
        found = self.day(value)
        assert found is not None
        return found

    @staticmethod
    def code(value: object, among: tuple | frozenset | None = None) -> str | None:
        """An id-shaped text (or one of ``among``), or None: no member text is read from the cache."""
        if value is None:
            return None
        if type(value) is not str or not (value in among if among is not None else looks_like_id(value)):
            raise ValueError("not a code")
        return value

    @staticmethod
    def number(value: object, maybe: bool = False) -> int | None:
        if value is None and maybe:
            return None
        if type(value) is int:
            return value
        raise ValueError("not a number")

    @staticmethod
    def flag(value: object) -> bool:
        if type(value) is not bool:
            raise ValueError("not a boolean")
        return value

    @staticmethod
    def rows(value: object, width: int) -> list[list]:
        if type(value) is not list or not all(type(row) is list and len(row) == width for row in value):
            raise ValueError("not rows")
        return cast(list[list], value)


_READER = _Reader()
_PURPOSES = ("assessment", "planning")
_OUTCOMES = ("not_reached", "reached", "refused")


def _facts_from_plain(plain: object) -> MemberFacts:
    r = _READER
    if type(plain) is not list or len(plain) != 7:
        raise ValueError("not measure facts")
    member_id, birth, episodes, assessments, plans, attempts, stays = plain
    return MemberFacts(
        member_id=r.code(member_id), birth_date=r.day(birth, True),
        episodes=tuple(EpisodeFact(cast(int, r.number(n)), r.day(on, True), r.day(off, True), r.flag(closed))
                       for n, on, off, closed in r.rows(episodes, 4)),
        assessments=tuple(AssessmentFact(r.code(i), r.sure_day(on), r.number(ep, True), r.number(el, True),
                                         r.code(contact), r.code(place), r.flag(declined))
                          for i, on, ep, el, contact, place, declined in r.rows(assessments, 7)),
        plans=tuple(_plan_from_plain(row) for row in r.rows(plans, 10)),
        attempts=tuple(Attempt(r.sure_day(on), r.code(purpose, _PURPOSES), cast(str, r.code(outcome, _OUTCOMES)))
                       for on, purpose, outcome in r.rows(attempts, 3)),
        stays=tuple(Stay(r.sure_day(start), r.day(end, True), r.flag(planned))
                    for start, end, planned in r.rows(stays, 3)))


def _plan_from_plain(row: list) -> PlanFact:
    r = _READER
    i, assessment, made, consent, episode, elements, contact, declined, copies, recorded = row
    if type(copies) is not list:
        raise ValueError("not dates")
    return PlanFact(r.code(i), r.code(assessment), r.day(made, True), r.day(consent, True), r.number(episode, True),
                    r.number(elements, True), r.code(contact), r.flag(declined),
                    tuple(r.sure_day(d) for d in copies), r.flag(recorded))


def _timely_from_plain(plain: object) -> tuple[Timely, ...]:
    r = _READER
    return tuple(Timely(cast(str, r.code(kind, TIMELY_KINDS)), r.sure_day(due), r.day(done, True))
                 for kind, due, done in r.rows(plain, 3))
