"""Documented exceptions: `exceptions:` entries in a member's plans.

An entry (rule, optional `about`, reason, documented_by, on, optional `from`
and `until`) turns the member's matching findings into *excepted* ones: still
listed, never failing the run.

* **Which plans.** The governing plan's entries (the plan in effect, else the
  newest consented one) cover the member's findings in any file; a plan being
  prepared (a draft, or a consented revision not yet in effect) covers the
  findings in its own file, so a refusal to sign can be documented in the
  revision it refuses. Superseded plans are history: their entries apply to
  nothing.
* **Periods** (DESIGN.md, "Documented exceptions have a period"). For a
  date-driven rule (``DATE_DRIVEN``) an entry covers a finding whose occurrence
  (``Finding.due``, when the missed thing was due) lies in [from, until]; with
  no `until`, only what was already due when it was documented (`on`): a later
  miss is a new finding. For any other rule, `from`/`until` bound the days the
  entry applies (today within them).
* **Occurrences.** A finding may stand for several occurrences
  (``Finding.occurrences``: each due date a T205 contact gap missed). It is
  excepted only when every one of them is covered, by one entry or several;
  otherwise it stays a finding (same place, same baseline key) whose message
  names the first due date no entry covers, and that date becomes its
  ``due``. An entry that covers some of them is in use, not stale.
* **Stale (E008).** An entry naming a rule pcplan does not have; one whose
  `from` is after its `until`; one that covers no finding, unless its period is
  still running or not begun (it was written for that period, so it is not
  nagged about). An entry of another rule whose period is over is called stale
  only when no finding it would have covered remains: when the problem is
  back, the failing finding itself is the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .codes import redirected
from .dates import parse_iso
from .facts.lifecycle import Lifecycle
from .findings import Finding, Hit
from .model import Case, Document, items, shown_id, text
from .rules import RULES

# Rules that judge what the case owes by a date: an exception covers the occurrences due in its period.
# The one list (DESIGN.md names it); render imports it too.
DATE_DRIVEN = frozenset({"T201", "T205", "T207", "T208", "T210", "T211", "T212", "T213", "T214", "H502", "A604"})
# Never excepted: an internal error, and the report on exceptions itself.
_NEVER_EXCEPTED = ("E000", "E008")

# Fields whose value names the item an entry is about (``risk: R1`` in risk_mitigations).
_REFERENCE_FIELDS = ("id", "risk", "barrier", "need", "goal")
# What may be repeated in a message as a rule code someone meant to type (`X123`, `c301`, `L1090`).
_CODE_LIKE = re.compile(r"^[A-Za-z]{1,2}[0-9]{1,4}$")


@dataclass(frozen=True, eq=False)  # compared by identity: two identical entries are two entries
class _Entry:
    """One usable `exceptions:` entry and where it may apply."""

    plan: Document
    index: int
    rule: str
    about: str | None
    start: date | None  # `from`
    until: date | None
    on: date | None
    own_file_only: bool  # a plan being prepared: only findings in its own file

    @property
    def date_driven(self) -> bool:
        return self.rule in DATE_DRIVEN

    @property
    def last_day(self) -> date | None:
        """The last day (of occurrences, for a date-driven rule) the entry covers; None: no end."""
        return self.until if self.until is not None or not self.date_driven else self.on

    def in_scope(self, finding: Finding, documents: dict, any_file: bool = False) -> bool:
        """The rule, the file and `about` match, whatever the period."""
        if finding.code != self.rule or finding.code in _NEVER_EXCEPTED:
            return False
        if self.own_file_only and not any_file and finding.file != self.plan.path:
            return False
        if self.about is None:
            return True
        # `about: N4` names the need of an L103 finding in the plan through its related location
        places = [(finding.file, finding.data_path), *((r.file, r.data_path) for r in finding.related)]
        return any(self.about in _names_along(documents[file], path) for file, path in places if file in documents)

    def covers(self, day: date) -> bool:
        """Whether the entry's period holds ``day``: an occurrence's due date (date-driven rules), else today."""
        if self.date_driven and self.last_day is None:
            return False  # no `until` and no readable `on`: what it covered cannot be told
        return (self.start is None or self.start <= day) and (self.last_day is None or day <= self.last_day)

    def waiting_or_running(self, today: date) -> bool:
        """Written for a period that has not begun, or has not ended: not stale for covering nothing yet."""
        return (self.start is not None and self.start > today) or (self.until is not None and self.until >= today)


def apply_exceptions(case: Case, findings: list[Finding], today: date, enabled: set[str], *,
                     life: Lifecycle) -> tuple[list[Finding], list[Hit]]:
    """Mark excepted findings; return them with hits for exceptions that are stale (E008). ``life``: the
    case's lifecycle as of ``today``, the one its rules read (computed once per member)."""
    governing = life.governing  # in effect, else the newest consented plan (a closed case's)
    plans = [(governing.plan, False)] if governing is not None else []
    plans += [(plan, True) for plan in life.plans_to_check() if governing is None or plan is not governing.plan]
    entries: list[_Entry] = []
    stale: list[Hit] = []
    for plan, own_file_only in plans:
        usable, problems = _entries(plan, own_file_only)
        entries += usable
        stale += problems
    if not entries:
        return findings, stale
    documents = {doc.path: doc for doc in case.documents}
    used: set[_Entry] = set()
    marked = []
    for finding in findings:
        in_scope = [e for e in entries if e.in_scope(finding, documents)]
        if not in_scope:
            marked.append(finding)
            continue
        days = _occurrences(finding, today)
        uncovered = []
        for day in days:
            covering = [e for e in in_scope if e.covers(day if e.date_driven else today)]
            # the first match of each plan is used, so a revision repeating its plan's entry is not called stale
            for plan_key in {id(e.plan) for e in covering}:
                used.add(next(e for e in covering if id(e.plan) == plan_key))
            if not covering:
                uncovered.append(day)
        if not uncovered:
            marked.append(replace(finding, excepted=True))
        elif len(uncovered) < len(days):  # partly covered: the first due date left uncovered is the finding's
            marked.append(replace(finding, due=uncovered[0], message=finding.message + _partly(days, uncovered)))
        else:
            marked.append(finding)
    for entry in entries:
        if entry in used or entry.rule not in enabled or entry.waiting_or_running(today):
            continue  # a rule switched off cannot show whether its exception is still needed
        its = [f for f in findings if entry.in_scope(f, documents)]
        if its and not entry.date_driven and entry.until is not None:
            continue  # its period is over and the problem is back: the finding, no longer excepted, says so
        last_day = entry.last_day
        later = last_day is not None and any(_occurrences(f, today)[-1] > last_day for f in its)
        elsewhere = entry.own_file_only and any(entry.in_scope(f, documents, any_file=True) for f in findings)
        stale.append(Hit(entry.plan, ("exceptions", entry.index, "rule"),
                         _stale_message(entry, bool(its), later, elsewhere)))
    return marked, stale


def _occurrences(finding: Finding, today: date) -> tuple:
    """The days a finding is judged on: its occurrences (due dates), its one due date, or today."""
    return tuple(finding.occurrences) or (finding.due or today,)


def _partly(days: tuple, uncovered: list) -> str:
    """What a finding adds when documented exceptions cover some of its due dates (dates only)."""
    covered = len(days) - len(uncovered)
    return (f"; documented exceptions cover {covered} of the {len(days)} due dates missed, but not "
            f"{uncovered[0].isoformat()}, which falls outside their periods")


def _entries(plan: Document, own_file_only: bool) -> tuple[list[_Entry], list[Hit]]:
    """The plan's usable entries, and E008 hits for those that can never apply."""
    usable: list[_Entry] = []
    problems: list[Hit] = []
    for index, entry in items(plan.data, "exceptions"):
        code = entry.get("rule")
        if not isinstance(code, str):
            continue
        code = redirected(code)  # a renamed code reads as its new one (codes.py)
        if code not in RULES:
            problems.append(Hit(plan, ("exceptions", index, "rule"), _unknown_rule(code)))
            continue
        if not text(entry, "reason"):
            continue  # an exception without its reason documents nothing (the schema reports it)
        start, until = parse_iso(entry.get("from")), parse_iso(entry.get("until"))
        if start is not None and until is not None and start > until:
            problems.append(Hit(plan, ("exceptions", index, "until"),
                                f"the exception for {_shown(code)} runs from {start.isoformat()} until "
                                f"{until.isoformat()}, an empty period, so it can never apply; correct the dates"))
            continue
        about = entry.get("about") if isinstance(entry.get("about"), str) else None
        usable.append(_Entry(plan, index, code, about, start, until, parse_iso(entry.get("on")), own_file_only))
    return usable, problems


def _stale_message(entry: _Entry, found: bool, later: bool, elsewhere: bool) -> str:
    """Why the entry covers nothing, in codes, ids and dates only (the reason is the member's text)."""
    said = f"the exception for {_shown(entry.rule)}" + (f" about {_shown(entry.about)}" if entry.about else "")
    if elsewhere and not found:
        return (f"{said} is in a plan not yet in effect, which covers only the findings in its own file, and the "
                f"{_shown(entry.rule)} finding is in another file; document it in the plan in effect, or remove "
                "it here")
    if entry.date_driven and entry.until is None and later and entry.on is not None:  # later: `on` is its end
        return (f"{said} covers only what was already due when it was documented ({entry.on.isoformat()}), and "
                f"the {_shown(entry.rule)} finding fell due after that: a new miss. If it cannot be met either, "
                "document it with `from`/`until`; remove this exception, which covers nothing")
    if entry.until is not None:
        period = (f"from {entry.start.isoformat()} " if entry.start is not None else "") + \
            f"until {entry.until.isoformat()}"
        what = "occurrences due" if entry.date_driven else "days"
        return (f"{said} ({what} {period}) matches no finding and its period is over; remove it (or correct "
                "its `rule`/`about`/period)")
    return f"{said} no longer matches any finding; remove it (or correct its `rule`/`about`)"


def _unknown_rule(code: str) -> str:
    """An exception naming no rule pcplan has: the code is repeated only if it looks like one."""
    said = f"names rule `{code}`, which pcplan does not have" if _CODE_LIKE.match(code) else \
        "does not name a rule by its code"
    close = _close_codes(code.strip().upper())
    suggestion = f" (did you mean {' or '.join(f'`{c}`' for c in close)}?)" if close else ""
    return f"the exception {said}{suggestion}, so it can never apply; correct its `rule` " \
        "(`pcplan rules` lists the codes) or remove it"


def _close_codes(code: str) -> list[str]:
    """Rule codes one typo away (a wrong, missing or extra character, or two swapped); none if more than two."""
    if code in RULES:
        return [code]  # the right code in the wrong case
    close = [known for known in sorted(RULES) if _one_typo(code, known)]
    return close if len(close) <= 2 else []  # `L10` could be any of nine: guessing would mislead


def _one_typo(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _shown(value: str) -> str:
    """A rule code or an id as the message shows it (words typed there are not repeated)."""
    return value if shown_id(value) != "(not an id)" else "(not an id)"


def _names_along(doc: Document, data_path: tuple) -> set[str]:
    """Ids and references of every item on the way to a node: ``goals[1].needs`` → {G2}."""
    names: set[str] = set()
    node: Any = doc.data
    for step in data_path:
        if isinstance(node, dict):
            node = node.get(step) if isinstance(step, str) else None
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            break
        if isinstance(node, dict):
            names.update(v for k, v in node.items() if k in _REFERENCE_FIELDS and isinstance(v, str))
        elif isinstance(node, str) and step in _REFERENCE_FIELDS:
            names.add(node)
    return names
