"""`pcplan new hold|transfer|review|enrollment MEMBER`: the moments recorded inside existing case files.

pcplan proposes the entry, shows the change as a unified diff and writes it only when asked (``--write``),
adding the entry and leaving every other byte as it was (:mod:`pcplan.scaffold.insert`); it never changes
what is already there (DESIGN.md §4, §6):

* ``hold``: an entry at the end of member.yaml ``holds`` (start, end, kind, reason, recorded_by: ``--by``,
  else the case manager assigned today). With ``--end`` and no ``--start``, the open hold gets its ``end``.
* ``transfer``: a new ``case_managers`` entry (staff, from, assigned_by, chosen_by_member, preferences,
  preferences_met or preference_unmet_reason, reason), and ``to:`` on the assignment it ends (the day before
  the new one, or the day its case manager left, or the closure of its episode, whichever is first; an
  assignment with a ``to`` keeps it). Where C309 asks for it (a change within an episode whose member did
  not choose and voiced preferences, or who needs an interpreter the new case manager cannot replace), the
  entry records whether the preferences are met, or why not: asked in a terminal, else refused.
* ``review``: an entry at the end of ``reviews`` of the plan in effect on the review's date
  (:func:`pcplan.facts.acting.acts_on`), with the member's view in their words.
* ``enrollment``: an entry at the end of member.yaml ``programs`` (program, eligibility, enrolled_on,
  referral_source); eligibility not given is left as a comment to fill in (A607).

What these commands do not write, since it would change a value already there (``status``, a
re-enrollment's ``rights_explained_on`` and ``choice_of_case_manager_offered_on``), they say after the
diff, for the person to change.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..dates import parse_iso
from ..facts.acting import IN_FORCE, acts_on
from ..facts.lifecycle import Lifecycle, assignments, case_manager_on, lifecycle
from ..model import Case, Document, get_in, text
from . import ScaffoldError
from .insert import InsertError, Insertion, add_key, append_entry, apply
from .new import Ask, NewRequest, _enum, _not_one_of, _open_case, _shown, _typed
from .staff import ID, StaffList, staff_list

KINDS = ("hold", "transfer", "review", "enrollment")

# The options (without --) each kind takes besides MEMBER, --member, --today and --write.
OPTIONS = {
    "hold": ("kind", "start", "end", "reason", "by"),
    "transfer": ("to", "from", "reason", "chosen_by_member", "preferences", "preferences_met",
                 "preference_unmet_reason", "assigned_by"),
    "review": ("date", "by", "member_view", "summary", "outcome"),
    "enrollment": ("program", "date", "referral_source", "determined_on", "determined_by", "basis"),
}

_INSTITUTIONAL = ("hospital", "nursing_facility", "incarceration")


@dataclass
class EntryRequest:
    kind: str
    today: date
    target: Path | None = None  # MEMBER: a member folder (or a path in one)
    member: str | None = None  # MEMBER as an id, or --member
    values: dict[str, Any] = field(default_factory=dict)  # option name (without --) → value given
    interactive: bool = False  # in a terminal: a missing value is asked for
    cwd: Path | None = None


@dataclass
class Proposal:
    """The change to one file: its text before and after, and what the person still has to do by hand."""

    path: Path
    before: str
    after: str
    root: Path
    hints: list[str] = field(default_factory=list)


@dataclass
class _Setting:
    request: EntryRequest
    case: Case
    root: Path
    cwd: Path
    ask: Ask
    staff_by_id: dict

    @property
    def member(self) -> Document:
        assert self.case.member is not None  # checked by propose
        return self.case.member

    def staff(self, day: date) -> StaffList:
        return staff_list(self.root, lambda p: _shown(p, self.cwd), day)

    def shown(self, path: Path) -> str:
        return _shown(path, self.cwd)


def in_terminal() -> bool:
    """Whether a missing value is asked for (standard input is a terminal)."""
    return sys.stdin.isatty()


def misplaced(kind: str, values: dict[str, Any], file_options: dict[str, tuple[str, ...]]) -> str | None:
    """Why an option given does not belong to ``pcplan new KIND`` (naming the kinds it is for), or None."""
    table = {**file_options, **OPTIONS}
    for name, value in values.items():
        if value is None:
            continue
        if name not in table.get(kind, ()):
            users = [k for k, names in table.items() if name in names]
            flag = f"--{name.replace('_', '-')}"
            return f"{flag} is for `pcplan new {' / '.join(users)}`, not `{kind}`" if users else \
                f"{flag} is not for `pcplan new {kind}`"
    return None


def propose(request: EntryRequest, ask: Ask) -> Proposal:
    """The change ``request`` asks for, checked; ScaffoldError when it cannot be made."""
    if request.kind not in KINDS:
        raise ScaffoldError(f"cannot record a `{request.kind}`; pcplan new records {', '.join(KINDS)}")
    cwd = (request.cwd or Path.cwd()).resolve()
    target, member = request.target, request.member
    if target is not None and member is None and not (cwd / target).exists() and ID.match(str(target)):
        target, member = None, str(target)  # MEMBER given as an id
    case, _settings, root = _open_case(NewRequest(kind=request.kind, today=request.today, target=target,
                                                  member=member, cwd=cwd), cwd)
    if case.member is None or not case.member.loaded.ok or case.member.kind != "member":
        raise ScaffoldError(f"{_shown(case.folder / 'member.yaml', cwd)}: the member record does not load; fix it "
                            "first (pcplan check)")
    from ..model import load_repository

    repository = load_repository(root, _config(root), cwd)
    setting = _Setting(request, case, root, cwd, ask, repository.staff_by_id)
    make = {"hold": _hold, "transfer": _transfer, "review": _review, "enrollment": _enrollment}
    return make[request.kind](setting)


def _config(root: Path) -> Any:
    from ..config import load_config
    from ..rules import RULES

    return load_config(root, set(RULES))


# ---------------------------------------------------------------- asking


def _date(s: _Setting, name: str, question: str, required: bool = True) -> date | None:
    flag = "--" + name.replace("_", "-")
    value = _given(s.request, name)
    if value is None:
        value = s.ask(flag, f"{question} (YYYY-MM-DD; today is {s.request.today.isoformat()})", None,
                      required=required)
    if value is None or value == "":
        if required:
            raise ScaffoldError(f"{flag}: must not be empty")
        return None
    day = parse_iso(str(value).strip())
    if day is None:
        raise ScaffoldError(f"{flag}: `{value}` is not a date (YYYY-MM-DD, such as {s.request.today.isoformat()})")
    return day


def _given(request: EntryRequest, name: str) -> str | None:
    """The text given as ``--NAME`` (stripped), or None."""
    value = request.values.get(name)
    return (_typed(name, value.strip()) or None) if isinstance(value, str) else None


def _text(s: _Setting, name: str, question: str, required: bool = True, choices: tuple | None = None) -> str | None:
    """Text from ``--NAME``, else asked in a terminal (``required``: else refused), one of ``choices`` if given."""
    value = _given(s.request, name)
    if value is None:
        asked = s.ask(f"--{name.replace('_', '-')}", question, choices, required=required)
        value = _typed(name, asked.strip()) if isinstance(asked, str) else None
    if not value:
        if required:
            raise ScaffoldError(f"--{name.replace('_', '-')}: must not be empty")
        return None
    if choices and value not in choices:
        raise ScaffoldError(_not_one_of(name, choices, value))
    return value


def _staff(s: _Setting, name: str, question: str, day: date, default: str | None = None,
           required: bool = True) -> str | None:
    """A staff id from ``--NAME`` (or asked, offering staff.yaml's), checked: listed, and not gone by ``day``."""
    staff = s.staff(day)
    value = _given(s.request, name)
    if value is None and default is not None:
        return default
    if value is None:
        value = s.ask(f"--{name.replace('_', '-')}", question, staff.choices or None, required=required)
        if value is None:
            return None
    return staff.check(f"--{name.replace('_', '-')}", str(value).strip())


def _yes_no(s: _Setting, name: str, question: str) -> bool | None:
    """A flag given (True/False), else asked in a terminal (None when not in one)."""
    value = s.request.values.get(name)
    if isinstance(value, bool):
        return value
    if not s.request.interactive:
        return None
    return s.ask(f"--{name.replace('_', '-')}", question, ("yes", "no")) == "yes"


# ---------------------------------------------------------------- hold


def _hold(s: _Setting) -> Proposal:
    member = s.member
    open_holds = [(index, entry) for index, entry in member.items("holds")
                  if parse_iso(entry.get("start")) is not None and entry.get("end") is None]
    if open_holds and _given(s.request, "start") is None and _given(s.request, "end") is not None:
        return _end_hold(s, *open_holds[-1])
    if open_holds and _given(s.request, "start") is None and s.request.interactive \
            and not any(_given(s.request, n) for n in ("kind", "reason")):
        return _end_hold(s, *open_holds[-1])
    kinds = _enum("member", "holds", "[]", "kind")
    kind = _text(s, "kind", "Kind of hold", choices=kinds)
    start = _date(s, "start", "First day of the hold")
    assert start is not None
    for index, held in open_holds:
        began = parse_iso(held.get("start"))
        if began is not None and began <= start:
            raise ScaffoldError(f"{member.display_path}: hold {index + 1} (from {began.isoformat()}) is still "
                                f"open; end it first: pcplan new hold {_member_arg(s)} --end DATE")
    end = _date(s, "end", "Last day of the hold, if known", required=False)
    if end is not None and end < start:
        raise ScaffoldError(f"--end: {end.isoformat()} is before --start {start.isoformat()}")
    reason = _text(s, "reason", "Why services pause (for the record)")
    by = _staff(s, "by", "Who records the hold (a staff id)", s.request.today,
                default=case_manager_on(member, s.staff_by_id, s.request.today), required=False)
    entry: dict[str, Any] = {"start": start}
    if end is not None:
        entry["end"] = end
    entry.update({"kind": kind, "reason": reason})
    if by is not None:
        entry["recorded_by"] = by
    hints = []
    today = s.request.today
    if start <= today and (end is None or end >= today) and member.get("status") != "on_hold":
        hints.append("while the hold lasts, set `status: on_hold` in member.yaml (X703 accepts it with a hold "
                     "covering the day); pcplan new never changes a value already there")
    return _change(s, member, [_append(member, "holds", entry, _member_order())], hints)


def _end_hold(s: _Setting, index: int, entry: dict) -> Proposal:
    member = s.member
    start = parse_iso(entry.get("start"))
    assert start is not None
    end = _date(s, "end", f"Last day of the hold that began on {start.isoformat()}")
    assert end is not None
    if end < start:
        raise ScaffoldError(f"--end: {end.isoformat()} is before the hold's start, {start.isoformat()}")
    text_now = _read(member)
    try:
        insertions = add_key(text_now, "holds", index, "end", end, after="start")
    except InsertError as exc:
        raise ScaffoldError(f"{member.display_path}: {exc}") from None
    hints = []
    if entry.get("kind") in _INSTITUTIONAL:
        hints.append("the end of a stay in an institution is a significant change: a review (pcplan new review) or "
                     "a consented revision is due within `change_review_days` (T212)")
    if member.get("status") == "on_hold" and end <= s.request.today:
        hints.append("set `status: active` in member.yaml once the hold is over; pcplan new never changes a value "
                     "already there")
    return _proposal(s, member, text_now, insertions, hints)


def _member_arg(s: _Setting) -> str:
    return s.case.member_id or s.shown(s.case.folder)


# ---------------------------------------------------------------- transfer


def _transfer(s: _Setting) -> Proposal:
    member = s.member
    start = _date(s, "from", "First day of the new assignment")
    assert start is not None
    staff = _staff(s, "to", "New case manager (a staff id)", start)
    assert staff is not None
    found, unreadable = assignments(member, s.staff_by_id)
    if unreadable:
        raise ScaffoldError(f"{member.display_path}: a case-manager assignment's dates do not read; fix them first "
                            "(pcplan check)")
    for a in found:
        if a.start >= start:
            raise ScaffoldError(f"--from: case-manager assignment {a.index + 1} already begins on "
                                f"{a.start.isoformat()}, on or after {start.isoformat()}")
    life = lifecycle(s.case, max(start, s.request.today))
    episode = life.episode_of(start)
    same_episode = [a for a in found if life.episode_of(a.start) is episode]
    current = [a for a in same_episode if a.covers(start - timedelta(days=1))]
    if any(a.staff == staff for a in current):
        raise ScaffoldError(f"--to: `{staff}` is already the member's case manager on {start.isoformat()}")
    reason = _text(s, "reason", "Why the case manager changes (who asked, and how it was discussed)")
    chosen = _yes_no(s, "chosen_by_member", f"Did the member choose `{staff}`?") or False
    preferences = _text(s, "preferences", "What the member asks for in a case manager (empty if nothing)",
                        required=False)
    entry: dict[str, Any] = {"staff": staff, "from": start}
    assigned_by = _staff(s, "assigned_by", "Who made the assignment (a staff id)", start, required=False)
    if assigned_by is not None:
        entry["assigned_by"] = assigned_by
    entry["chosen_by_member"] = chosen
    if preferences:
        entry["preferences"] = preferences
    if same_episode:  # a change of case manager (C309); the first assignment of an episode is not
        entry.update(_standing_preferences(s, staff, chosen, bool(preferences), start))
    else:
        met = s.request.values.get("preferences_met")
        unmet = _given(s.request, "preference_unmet_reason")
        entry.update({k: v for k, v in (("preferences_met", met), ("preference_unmet_reason", unmet))
                      if v is not None})
    entry["reason"] = reason
    text_now = _read(member)
    try:
        insertions = append_entry(text_now, "case_managers", entry, _member_order())
        for a in found:
            if a.to is None:
                insertions += add_key(text_now, "case_managers", a.index, "to", _ends(a, start, life), after="from")
    except InsertError as exc:
        raise ScaffoldError(f"{member.display_path}: {exc}") from None
    return _proposal(s, member, text_now, insertions, _monitor_hints(s, life, start))


def _ends(a: Any, start: date, life: Lifecycle) -> date:
    """The last day of the assignment ``a`` that a new one from ``start`` follows: the day before, or the day its
    case manager left, or the closure of its episode, whichever is first."""
    ends = [start - timedelta(days=1)]
    if a.left_on is not None:
        ends.append(a.left_on)
    episode = life.episode_of(a.start)
    if episode is not None and episode.closed_on is not None:
        ends.append(episode.closed_on)
    return max(min(ends), a.start)


def _standing_preferences(s: _Setting, staff: str, chosen: bool, own: bool, start: date) -> dict[str, Any]:
    """`preferences_met` / `preference_unmet_reason` as C309 asks for them at a change of case manager."""
    from ..rules.interpreters import interpreter_language, speaks_language

    member = s.member
    met = s.request.values.get("preferences_met")
    unmet = _given(s.request, "preference_unmet_reason")
    language = interpreter_language(member)
    person = s.staff_by_id.get(staff)
    voiced = [index for index, entry in member.items("case_managers")
              if text(entry, "preferences") is not None and (parse_iso(entry.get("from")) or start) < start]
    if language is not None and isinstance(person, dict) and not speaks_language(person, language) \
            and unmet is None:
        unmet = _reason_unmet(s, f"the member needs an interpreter and prefers `{language}`, and `{staff}` does not "
                                 "speak it (staff.yaml `languages`)")
    if met is None and unmet is None and not chosen and (voiced or own):
        where = ("voiced preferences at case-manager assignment " + ", ".join(str(i + 1) for i in voiced)
                 if voiced else "voices preferences (--preferences)")
        said = "; ".join(t for i, e in member.items("case_managers") if i in voiced
                         and (t := text(e, "preferences")) is not None)
        met = _yes_no(s, "preferences_met", f"Does `{staff}` meet what the member asked for"
                      + (f" (“{said}”)" if said else "") + "?")
        if met is None:
            raise ScaffoldError(f"the member did not choose `{staff}` and {where}: pass --preferences-met when "
                                f"`{staff}` meets them, or --preference-unmet-reason with why not (C309)")
    if met is False and unmet is None:
        unmet = _reason_unmet(s, f"`{staff}` does not meet the member's preferences")
    out: dict[str, Any] = {}
    if met is not None:
        out["preferences_met"] = met
    if unmet is not None:
        out["preference_unmet_reason"] = unmet
    return out


def _reason_unmet(s: _Setting, why: str) -> str:
    if not s.request.interactive:
        raise ScaffoldError(f"--preference-unmet-reason: {why}; say why, as explained to the member (C309)")
    answer = s.ask("--preference-unmet-reason", f"{why[0].upper() + why[1:]}: why, as explained to the member")
    return _typed("preference_unmet_reason", str(answer).strip())


def _monitor_hints(s: _Setting, life: Lifecycle, start: date) -> list[str]:
    record = life.in_effect(start)
    named = get_in(record.plan.data, "monitoring", "responsible") if record is not None else None
    if isinstance(named, str) and named != "case_manager" and record is not None:
        return [f"{record.plan.display_path} names `{named}` to monitor it (`monitoring.responsible`); "
                "`case_manager` there follows every transfer (A608)"]
    return []


# ---------------------------------------------------------------- review


def _review(s: _Setting) -> Proposal:
    day = _date(s, "date", "Date of the review")
    assert day is not None
    if day > s.request.today:
        raise ScaffoldError(f"--date: {day.isoformat()} is after today ({s.request.today.isoformat()}); a review is "
                            "recorded once it is held")
    life = lifecycle(s.case, day)
    record = acts_on(s.case, day, prefer=IN_FORCE, life=life)
    if record is None:
        raise ScaffoldError(f"no plan of member {s.case.member_id} is in effect on {day.isoformat()}; a review is "
                            "recorded in the plan in effect that day (a consented plan whose period holds it)")
    plan = record.plan
    if not plan.loaded.ok or plan.kind != "plan":
        raise ScaffoldError(f"{plan.display_path}: the plan does not load; fix it first (pcplan check)")
    if any(entry.get("date") == day.isoformat() for _, entry in plan.items("reviews")):
        raise ScaffoldError(f"{plan.display_path}: a review of {day.isoformat()} is recorded already; pcplan new "
                            "never changes an entry")
    by = _staff(s, "by", "Who held the review (a staff id)", day)
    view = _text(s, "member_view", "How the member says the plan is working, in their words")
    outcome = _text(s, "outcome", "What was decided", required=False, choices=_enum("plan", "reviews", "[]",
                                                                                     "outcome"))
    summary = _text(s, "summary", "A short summary of the review", required=False)
    entry: dict[str, Any] = {"date": day, "by": by}
    if outcome:
        entry["outcome"] = outcome
    if summary:
        entry["summary"] = summary
    entry["member_view"] = view
    raised = _unmet_needs_since(s.case, plan, day)
    comments, hints = [], []
    if raised:
        comments = ["unmet_needs:  # how this review took up each need raised in a note since the last (L110):"]
        comments += [line for on in raised
                     for line in (f"  - raised_on: {on}", "    goal: G1  # or referral: where to, or deferred: why")]
        hints.append(f"notes since the last review raised unmet needs ({', '.join(raised)}); record under the "
                     "review's `unmet_needs` how it took up each (L110)")
    order = tuple(_schema_order("plan"))
    return _change(s, plan, [_append(plan, "reviews", entry, order, comments)], hints)


def _unmet_needs_since(case: Case, plan: Document, day: date) -> list[str]:
    """The dates of the notes that raised unmet needs after the plan's last review (or its date) up to ``day``."""
    held = [d for _, r in plan.items("reviews") if (d := parse_iso(r.get("date"))) is not None and d < day]
    since = max(held, default=plan.date or date.min)
    return sorted({note.date.isoformat() for note in case.notes if note.date is not None and since < note.date <= day
                   and isinstance(note.get("unmet_needs"), list) and note.get("unmet_needs")})


def _member_order() -> tuple[str, ...]:
    """Where a missing list of member.yaml goes: its top-level keys in the schema's order."""
    return tuple(_schema_order("member"))


def _schema_order(kind: str) -> list[str]:
    from ..schema import schema_for

    return list(schema_for(kind)["properties"])


# ---------------------------------------------------------------- enrollment


def _enrollment(s: _Setting) -> Proposal:
    member = s.member
    known = [p for _, e in member.items("programs") if isinstance(p := e.get("program"), str)]
    such = f" (such as {', '.join(dict.fromkeys(known))})" if known else " (such as HCBS-EBD)"
    program = _text(s, "program", "Program" + such)
    day = _date(s, "date", "Date of the enrollment")
    assert day is not None
    if any(e.get("program") == program and e.get("enrolled_on") == day.isoformat()
           for _, e in member.items("programs")):
        raise ScaffoldError(f"{member.display_path}: this enrollment ({day.isoformat()}) is recorded already")
    referral = _text(s, "referral_source", "Who referred the member (empty if not known)", required=False)
    determined_on = _date(s, "determined_on", "Date eligibility was determined (empty to fill in later)",
                          required=False)
    determined_by = _text(s, "determined_by", "Who determined eligibility: a staff id or the outside body (empty "
                          "to fill in later)", required=False)
    basis = _text(s, "basis", "Why the member is eligible (empty to fill in later)", required=False)
    eligibility = {k: v for k, v in (("determined_on", determined_on), ("determined_by", determined_by),
                                     ("basis", basis)) if v is not None}
    entry: dict[str, Any] = {"program": program}
    if eligibility:
        entry["eligibility"] = eligibility
    entry["enrolled_on"] = day
    if referral:
        entry["referral_source"] = referral
    comments = [] if eligibility else [
        "eligibility:  # how eligibility was determined (A607):",
        f"  determined_on: {day.isoformat()}",
        "  determined_by: cm-id  # a staff id, or the body that determined it",
        "  basis: why the member is eligible, in a sentence or two"]
    hints = [] if eligibility else ["record how eligibility was determined under the entry's `eligibility` "
                                    "(determined_on, determined_by, basis: A607)"]
    latest = lifecycle(s.case, max(day, s.request.today)).current_episode
    if latest.closed and latest.closed_on is not None and latest.closed_on < day:
        hints.append("a new episode begins: set `status: active` in member.yaml, record the day rights were "
                     "explained and a choice of case manager offered again (`rights_explained_on`, "
                     "`choice_of_case_manager_offered_on`: C306, C307), and the case manager with pcplan new "
                     "transfer; pcplan new never changes a value already there")
    return _change(s, member, [_append(member, "programs", entry, _member_order(), comments)], hints)


# ---------------------------------------------------------------- the change


@dataclass
class _Append:
    key: str
    entry: dict
    order: tuple
    comments: list[str]


def _append(doc: Document, key: str, entry: dict, order: tuple, comments: list[str] | None = None) -> _Append:
    return _Append(key, entry, order, comments or [])


def _read(doc: Document) -> str:
    try:
        raw = doc.path.read_bytes()
    except OSError as exc:
        from ..output import describe

        raise ScaffoldError(f"{doc.display_path}: cannot read: {describe(exc)}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScaffoldError(f"{doc.display_path}: not UTF-8 text; fix it first (pcplan check)") from None


def _change(s: _Setting, doc: Document, appends: list[_Append], hints: list[str]) -> Proposal:
    text_now = _read(doc)
    insertions: list[Insertion] = []
    try:
        for a in appends:
            insertions += append_entry(text_now, a.key, a.entry, a.order, a.comments)
    except InsertError as exc:
        raise ScaffoldError(f"{doc.display_path}: {exc}") from None
    return _proposal(s, doc, text_now, insertions, hints)


def _proposal(s: _Setting, doc: Document, before: str, insertions: list[Insertion], hints: list[str]) -> Proposal:
    after = apply(before, insertions)
    _verify(doc, before, after)
    return Proposal(doc.path, before, after, s.root, hints)


def _verify(doc: Document, before: str, after: str) -> None:
    """A last guard: the new text reads back, holds everything the old one held as it was, and brings no new
    schema problem."""
    from ..load import load_text
    from ..schema import validate

    old, new = load_text(before, doc.path), load_text(after, doc.path)
    ok = new.ok and not new.problems and isinstance(new.data, dict) and isinstance(old.data, dict) \
        and _kept(old.data, new.data) and len(validate(doc.kind or "", new.data)) <= len(validate(doc.kind or "",
                                                                                               old.data))
    if not ok:  # pragma: no cover - a bug in pcplan, not in the input
        raise ScaffoldError(f"{doc.display_path}: internal error: pcplan cannot add the entry without changing what "
                            "is there; add it by hand")


def _kept(old: Any, new: Any) -> bool:
    """Whether ``new`` holds ``old`` unchanged, with only keys and list entries added."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and _kept(v, new[k]) for k, v in old.items())
    if old is None and isinstance(new, list):  # `key:` with nothing after it, now with the entry
        return True
    if isinstance(old, list):
        return isinstance(new, list) and len(new) >= len(old) \
            and all(_kept(a, b) for a, b in zip(old, new[:len(old)], strict=True))
    return bool(old == new and type(old) is type(new))


def unified_diff(proposal: Proposal, cwd: Path | None = None) -> str:
    """The change as a unified diff, ``a/PATH`` and ``b/PATH`` relative to ``cwd``; every line's text shown as
    a terminal may show it (control characters escaped), its line end kept."""
    from ..shown import visible

    where = (cwd or Path.cwd()).resolve()
    try:
        shown = proposal.path.resolve().relative_to(where).as_posix()
    except ValueError:
        shown = Path(os.path.relpath(proposal.path.resolve(), where)).as_posix()
    out = []
    for line in difflib.unified_diff(_lines(proposal.before), _lines(proposal.after), f"a/{shown}", f"b/{shown}"):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        out.append(visible(body) + (end or "\n\\ No newline at end of file\n"))
    return "".join(out)


def _lines(text_: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text_)


def write(proposal: Proposal) -> None:
    """Replace the file with the changed text, atomically, only if it still holds what was read."""
    from .. import output

    try:
        output.write_atomically(proposal.path, lambda stream: stream.write(proposal.after.encode("utf-8")),
                                overwrite=True, binary=True, within=proposal.root, may_replace_yaml=True,
                                unchanged_from=proposal.before.encode("utf-8"))
    except output.OutputError as exc:
        raise ScaffoldError(str(exc)) from None


__all__ = ["KINDS", "OPTIONS", "EntryRequest", "Proposal", "in_terminal", "misplaced", "propose", "unified_diff",
           "write"]
