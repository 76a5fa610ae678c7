"""C308's helpers (consent.py), not rules: how a plan continues, reduces or ends the paid supports of the
plan it follows, and the notice owed to the member for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..dates import NOT_RECURRING, clamped_plus_days, parse_iso, per_day, plus_days, readable_amount
from ..facts.lifecycle import PlanRecord
from ..findings import Hit
from ..model import Document, normalized_name, shown_id
from ..output import plural
from .signatures import field_value

Supports = list[tuple[int, dict]]  # (index in `supports` or `notices`, the entry)


def _unit(value: object) -> str | None:
    """A support's unit for comparison: case and a plural "s" aside (hours = Hour)."""
    name = normalized_name(value)
    return name[:-1] if name is not None and name.endswith("s") and len(name) > 1 else name


def _amount(value: object) -> float | None:
    """A positive amount as a float; None when not a number, or beyond what pcplan reads (E004 says so)."""
    amount = readable_amount(value)
    return float(amount) if amount is not None and amount > 0 else None


def _every(value: object) -> str:
    """A support's `frequency` as a message shows it (text only when it is a frequency pcplan reads)."""
    return f"`{value}`" if per_day(value) is not None or value in NOT_RECURRING else "(unreadable)"


def _reduction(old: dict, new: dict) -> str | None:
    """How a support continued in a later plan gives the member less than before, in words for a message
    (ids, codes, numbers and dates only), or None.

    Less means: a lower amount of the same unit per the same time, frequencies read as people say them
    (4 hours weekly → 6 hours every 2 weeks is less, → 10 hours every 2 weeks is not; 2 hours 3 times a
    week → 4 hours twice a week is less); given less often when the amounts cannot be compared; a
    recurring support made `once` or `as_needed`; or an earlier end.
    """
    old_every, new_every = old.get("frequency"), new.get("frequency")
    old_times, new_times = per_day(old_every), per_day(new_every)
    old_amount, new_amount = _amount(old.get("amount")), _amount(new.get("amount"))
    same_unit = _unit(old.get("unit")) is not None and _unit(old.get("unit")) == _unit(new.get("unit"))
    # (old, new) times a day when both are schedules, else None
    times = (old_times, new_times) if old_times is not None and new_times is not None else None
    if same_unit and old_amount is not None and new_amount is not None and \
            (old_every == new_every or times is not None):
        old_rate = old_amount * (times[0] if times is not None else 1.0)
        new_rate = new_amount * (times[1] if times is not None else 1.0)
        if new_rate < old_rate * (1 - 1e-9):
            return (f"a lower amount for the time ({old_amount:g} {_every(old_every)} → {new_amount:g} "
                    f"{_every(new_every)})" if old_every != new_every else
                    f"a lower amount ({old_amount:g} → {new_amount:g}, {_every(new_every)})")
    elif times is not None and times[1] < times[0] * (1 - 1e-9):
        return f"given less often ({_every(old_every)} → {_every(new_every)})"
    if old_times is not None and new_every in NOT_RECURRING:
        return f"no longer on a schedule ({_every(old_every)} → {_every(new_every)})"
    old_end, new_end = parse_iso(old.get("end")), parse_iso(new.get("end"))
    if new_end is not None and (old_end is None or new_end < old_end):
        was = f"was {old_end.isoformat()}" if old_end is not None else "it had no end date"
        return f"it ends earlier ({new_end.isoformat()}, {was})"
    return None


def _total_reduction(old: list[dict], new: list[dict]) -> str | None:
    """How the supports of one service code in a later plan give the member less than the earlier plan's
    supports of that code (a support split in two, or two merged), compared in total; None when they do
    not, or when they cannot be compared (another unit, a frequency that is no schedule)."""
    def total(supports: list[dict]) -> tuple[float, str] | None:
        units = {_unit(s.get("unit")) for s in supports}
        unit = units.pop() if len(units) == 1 else None
        rates = [(a, t) for s in supports
                 if (a := _amount(s.get("amount"))) is not None and (t := per_day(s.get("frequency"))) is not None]
        if unit is None or len(rates) != len(supports):  # another unit, or an amount or schedule unread
            return None
        return sum(a * t for a, t in rates), unit
    before, after = total(old), total(new)
    if before is None or after is None or before[1] != after[1] or after[0] >= before[0] * (1 - 1e-9):
        return None
    return (f"a lower amount for the time in total ({before[0] * 7:.3g} → {after[0] * 7:.3g} a week, across the "
            "supports of its service code)")


def service_code(support: dict) -> tuple[str, str] | None:
    """(code system, code) of a support's `service`, case aside (`system` hcpcs when not given); None when it
    names no readable code."""
    service = support.get("service")
    if not isinstance(service, dict):
        return None
    code = service.get("code")
    if not isinstance(code, str) or not code.strip():
        return None
    system = service.get("system")
    system = system.strip().casefold() if isinstance(system, str) and system.strip() else "hcpcs"
    return system, code.strip().casefold()


def _ran_to_the_end(old: dict, replaced: PlanRecord, on: date) -> bool:
    """Whether a support of the earlier plan was still running when that plan's time was up: no `end`, an
    end on or after the earlier plan's `effective.end`, or on or after the day before the change. A
    support that ended earlier than that ended as planned: nothing is taken away."""
    end = parse_iso(old.get("end"))
    if end is None or (replaced.end is not None and end >= replaced.end):
        return True
    return (after := plus_days(end, 1)) is None or after >= on


def continued_supports(replaced_plan: Document, plan: Document) -> Iterator[tuple[Supports, Supports]]:
    """The earlier plan's paid supports, each with what continues it in the later plan: (old supports, new
    supports), matched by id, else by service code (all the unmatched supports of one code on each side
    together: a support split in two, or two merged into one). An empty second list: not continued."""
    kept: dict[str, tuple[int, dict]] = {}
    for index, support in plan.items("supports"):
        if isinstance(support.get("id"), str):
            kept.setdefault(support["id"], (index, support))
    old_ids = {s["id"] for _, s in replaced_plan.items("supports") if isinstance(s.get("id"), str)}
    by_code: dict[tuple, list[tuple[int, dict]]] = {}  # the later plan's supports that continue no id
    for index, support in plan.items("supports"):
        code = service_code(support)
        if code is not None and not (isinstance(support.get("id"), str) and support["id"] in old_ids):
            by_code.setdefault(code, []).append((index, support))
    unmatched: dict[tuple, list[tuple[int, dict]]] = {}
    for index, old in replaced_plan.items("supports"):
        support_id = old.get("id")
        if old.get("paid") is not True or not isinstance(support_id, str):
            continue
        if support_id in kept:
            yield [(index, old)], [kept[support_id]]
            continue
        code = service_code(old)
        if code is None or code not in by_code:
            yield [(index, old)], []
        else:
            unmatched.setdefault(code, []).append((index, old))
    for code, olds in unmatched.items():
        yield olds, by_code[code]


def notices_by_support(plan: Document) -> dict[str, Supports]:
    """The revision's `notices`, by support id."""
    found: dict[str, list[tuple[int, dict]]] = {}
    for index, entry in plan.items("notices"):
        if isinstance(entry.get("support"), str):
            found.setdefault(entry["support"], []).append((index, entry))
    return found


def support_change(olds: Supports, news: Supports, record: PlanRecord,
                   replaced: PlanRecord) -> tuple[tuple, str, tuple[str, str], date] | None:
    """(where, at, (verb, detail), change date) of how the later plan ends or reduces the earlier plan's
    supports ``olds``, continued by ``news``; None when it takes nothing away."""
    start = record.start
    assert start is not None  # C308 compares only a plan with a start (effective.start, else its date)
    paid = [(i, s) for i, s in news if s.get("paid") is not False]
    if not paid:
        on = start
        running = [s for _, s in olds if s.get("frequency") != "once" and _ran_to_the_end(s, replaced, on)]
        if not running:
            return None  # it had ended as planned, or was given once: nothing is taken away
        if news:
            return ("supports", news[0][0]), "value", ("ends", " (no longer paid)"), on
        return (("supports",), "key",
                ("ends", " (not continued in this plan: no support has its id or service code)"), on)
    (index, new), (_, old) = paid[0], olds[0]
    if len(olds) == 1 and len(paid) == 1:
        how = _reduction(old, new)
        new_end = parse_iso(new.get("end"))
    else:
        how = _total_reduction([s for _, s in olds], [s for _, s in paid])
        new_end = None
    if how is None:
        return None
    on = min(start, new_end) if new_end is not None else start
    if not any(_ran_to_the_end(s, replaced, on) for _, s in olds):
        return None  # it had ended as planned before the change
    if new.get("id") != old.get("id") or len(paid) > 1:
        shown = ", ".join(shown_id(s.get("id")) for _, s in paid)
        how += f"; continued by service code as {shown}"
    return ("supports", index), "value", ("reduces", f": {how}"), on


def judge_notice(plan: Document, where: tuple, at: str, notices: Supports, support_id: object,
                 change: tuple[str, str], on: date, days: int, replaced: str, label: str,
                 today: date) -> Iterator[Hit]:
    """The finding, if any, for one ended or reduced paid support (C308)."""
    if any(entry.get("requested_by_member") is True for _, entry in notices):
        return
    due = clamped_plus_days(on, -days)  # a change in the calendar's first days: notice was due on its first
    verb, detail = change
    what = f"{label} {verb} paid support {shown_id(support_id)} of {replaced} on {on.isoformat()}{detail}"
    given = sorted((day, index) for index, entry in notices if (day := parse_iso(entry.get("given_on"))) is not None)
    if given:
        day, index = given[0]
        if day > due:
            gap = (on - day).days
            when = (f"{plural(gap, 'day')} before the change" if gap > 0 else
                    "on the day of the change" if gap == 0 else "after the change")
            yield Hit(plan, ("notices", index, "given_on"),
                      f"{what}; the member's notice was given on {day.isoformat()}, "
                      f"{when}, but at least {plural(days, 'day')} {'is' if days == 1 else 'are'} required "
                      f"(by {due.isoformat()}): give notice again and move the change date, or record "
                      "`requested_by_member: true` if the member asked for it", due=due)
        return
    if today <= due:
        return  # notice can still be given in time
    yield Hit(plan, where, f"{what}; no notice to the member is recorded, and it was due by {due.isoformat()} "
              f"({plural(days, 'day')} before the change): record it under `notices` "
              f"({field_value('support', support_id)}, `given_on`, `method`), or `requested_by_member: true` if the "
              "member asked for the change",
              at=at, due=due)
