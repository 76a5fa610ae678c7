"""Dates: today, ISO dates from case files, frequencies as people say them, and the one guarded home
of date arithmetic and of numbers shown in messages.

The calendar pcplan counts in is Python's: 0001-01-01 to 9999-12-31. A schema-valid
record may reach its ends (`9999-12-31` is a common "no end" placeholder; `99999
years` is a valid frequency), so every sum of a date and a period goes through
this module: :func:`plus_days`, :func:`plus_months` and :func:`add_period` answer
None when the result would fall outside the calendar, which callers read as
"never due" or "no end"; :func:`clamped_plus_days` stops at the calendar's ends
(a window, a horizon). :func:`add_months` is the one that raises (a
:class:`DateError` with a clear message), for scaffolding that must write a date.

Numbers from case files are shown through :func:`shown_number`, which never calls
``str()`` on an integer of more than 4,300 digits (Python refuses to) and never
prints hundreds of digits into a message.
"""

from __future__ import annotations

import calendar
import math
import os
import re
from datetime import date, timedelta
from typing import Any

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The one grammar of frequencies, for supports and monitoring alike (DESIGN.md §2: "written as people say
# them"): a word (daily, weekly, biweekly = every 2 weeks, monthly, quarterly, yearly, annually); an interval
# ("3 months", "every 2 weeks", "every month"); or a number of times in a period ("3 times a week", "twice a
# month", "once every 2 weeks"). Lower case, one space between words. The JSON Schemas use these patterns
# (plan.schema.json `$defs/frequency` and a support's `frequency`; a test keeps them equal), so what the
# schema accepts is exactly what pcplan reads.
_UNIT = "(day|week|month|year)"
_COUNT = "[1-9][0-9]*"
_FREQUENCY_BODY = (f"daily|weekly|biweekly|monthly|quarterly|yearly|annually|every {_UNIT}|(every )?{_COUNT} {_UNIT}s?"
                   f"|(once|twice|{_COUNT} times) (a|per|each|every) {_UNIT}"
                   f"|(once|twice|{_COUNT} times) every {_COUNT} {_UNIT}s?")
FREQUENCY_PATTERN = f"^({_FREQUENCY_BODY})$"
# A support may also be given once, or as needed: no schedule at all (they are not frequencies of contacts).
SUPPORT_FREQUENCY_PATTERN = f"^(once|as_needed|{_FREQUENCY_BODY})$"
NOT_RECURRING = ("once", "as_needed")
_FREQUENCY = re.compile(FREQUENCY_PATTERN)
_PARTS = re.compile(rf"^(?:every )?(?:(once|twice|({_COUNT}) times) (?:a|per|each|every) )?(?:({_COUNT}) )?{_UNIT}s?$")
_WORDS = {"daily": (1, 1, "day"), "weekly": (1, 1, "week"), "biweekly": (1, 2, "week"), "monthly": (1, 1, "month"),
          "quarterly": (1, 3, "month"), "yearly": (1, 1, "year"), "annually": (1, 1, "year")}
_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}

FIRST_DAY, LAST_DAY = date.min, date.max  # 0001-01-01 and 9999-12-31: the calendar pcplan counts in
MAX_INT_DIGITS = 4300  # Python's default limit for int ↔ str; a longer whole number is not read (pcplan.load)
BEYOND = 10 ** MAX_INT_DIGITS  # the count of a frequency written with more digits than that: past any calendar
AMOUNT_DIGITS = 15  # amounts up to 15 digits (exact as floats, and Babel formats them): see readable_amount
_AMOUNT_LIMIT = 10 ** AMOUNT_DIGITS
_SHOWN_LIMIT = 10 ** 15  # numbers below this are written out in messages; larger ones by their size

# A contact of a higher rank meets a requirement of a lower one (DESIGN.md §2).
CONTACT_RANK = {"written": 0, "collateral": 1, "phone": 2, "video": 3, "face_to_face": 4}


class DateError(ValueError):
    pass


def parse_iso(value: Any) -> date | None:
    """A date from a case file, or None when it is absent or not a real date.

    Invalid dates are the schema's finding (E004, with its position); rules just
    skip what they cannot read.
    """
    if isinstance(value, str) and _ISO.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def resolve_today(option: str | None) -> date:
    """``--today``, else ``PCPLAN_TODAY``, else the clock (so CI runs are reproducible).

    Any real date of the calendar works, 0001-01-01 and 9999-12-31 included: what would fall
    past the calendar's end is simply never due.
    """
    for source, value in (("--today", option), ("PCPLAN_TODAY", os.environ.get("PCPLAN_TODAY"))):
        if value:
            parsed = parse_iso(value.strip())
            if parsed is None:
                raise DateError(f"{source} must be a date in the form YYYY-MM-DD, from 0001-01-01 to "
                                f"9999-12-31, got {value!r}")
            return parsed
    return date.today()


def _count(digits: str) -> int:
    """A count as written; one of more than 4,300 digits (more than Python reads) is :data:`BEYOND`."""
    return int(digits) if len(digits) <= MAX_INT_DIGITS else BEYOND


def parse_rate(text: Any) -> tuple[int, int, str] | None:
    """A frequency as ``(times, count, unit)``: so many times in ``count`` units. ``"3 times a week"`` →
    ``(3, 1, "week")``, ``"every 2 weeks"`` and ``"biweekly"`` → ``(1, 2, "week")``, ``"twice a month"`` →
    ``(2, 1, "month")``; None when it is not a frequency of the grammar (``once`` and ``as_needed`` are none)."""
    if not isinstance(text, str) or not _FREQUENCY.match(text):
        return None
    if text in _WORDS:
        return _WORDS[text]
    match = _PARTS.match(text)
    if match is None:  # (the grammar and this reading are kept in step by the tests)
        return None
    word, times, count, unit = match.groups()
    return ({"once": 1, "twice": 2}.get(word or "") or (_count(times) if times else 1),
            _count(count) if count else 1, unit)


def parse_frequency(text: Any) -> tuple[int, str] | None:
    """How long from one occurrence to the next: ``"3 months"`` → ``(3, "month")``; None when it cannot be
    read.

    A number of times in a period is spread evenly over it: the interval is the period divided by the
    times, in whole months when they divide it (``"twice a year"`` → ``(6, "month")``), else in days
    rounded up, so that contacts spread that way always meet it (``"3 times a week"`` → ``(3, "day")``,
    ``"twice a week"`` → ``(4, "day")``, ``"twice a month"`` → ``(16, "day")``); never less than a day. A
    count written with more than 4,300 digits (more than Python reads) is taken as :data:`BEYOND`: past
    the end of any calendar, like every count that large.
    """
    rate = parse_rate(text)
    if rate is None:
        return None
    times, count, unit = rate
    if times == 1:
        return count, unit
    if count >= BEYOND or times >= BEYOND:
        return (count, unit) if count >= BEYOND else (1, "day")
    months = count * (12 if unit == "year" else 1) if unit in ("month", "year") else None
    if months is not None and months % times == 0:
        return months // times, "month"
    days = math.ceil(count * _UNIT_DAYS[unit] / times) if count < 10 ** 12 else BEYOND
    return max(days, 1), "day"


def per_day(text: Any) -> float | None:
    """How many times a day, on average, a frequency of the grammar comes (``"3 times a week"`` → 3/7);
    None when it is not one, or too rare or too frequent to tell apart from never or always."""
    rate = parse_rate(text)
    if rate is None:
        return None
    times, count, unit = rate
    if times >= BEYOND or count >= BEYOND or times > 10 ** 12 or count > 10 ** 12:
        return None
    return times / (count * _UNIT_DAYS[unit])


# ---------------------------------------------------------------- arithmetic (the one guarded home)

def plus_days(day: date, days: int) -> date | None:
    """``day`` + ``days`` (either sign); None when that falls outside 0001-01-01 … 9999-12-31."""
    try:
        return day + timedelta(days=days)
    except OverflowError:  # past the calendar's end (or before its start), or a count timedelta cannot hold
        return None


def clamped_plus_days(day: date, days: int) -> date:
    """``day`` + ``days``, stopping at the calendar's first or last day (a window's end, a horizon)."""
    moved = plus_days(day, days)
    if moved is not None:
        return moved
    return LAST_DAY if days > 0 else FIRST_DAY


def plus_months(day: date, months: int) -> date | None:
    """Calendar months: a month from Jan 31 is the last day of February; None outside the calendar."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_period(day: date, frequency: tuple[int, str], times: int = 1) -> date | None:
    """``day`` + ``times`` × ``frequency`` (``(3, "month")``), calendar arithmetic; None when it reaches past
    the calendar (read it as "never due": nothing can be due after 9999-12-31)."""
    count, unit = frequency
    count *= times
    if unit == "day":
        return plus_days(day, count)
    if unit == "week":
        return plus_days(day, count * 7) if count <= 10 ** 9 else None
    return plus_months(day, count * (12 if unit == "year" else 1))


def beyond_calendar(frequency: tuple[int, str]) -> bool:
    """Whether a frequency is longer than the whole calendar (from 0001-01-01 it passes 9999-12-31)."""
    return add_period(FIRST_DAY, frequency) is None


def add_months(start: date, months: int) -> date:
    """Calendar months, for scaffolding that must write a date: DateError (with a message for the command
    line) past the calendar's end. Everything that judges or lists dates uses :func:`plus_months`."""
    moved = plus_months(start, months)
    if moved is None:
        raise DateError(f"{start.isoformat()} {'+' if months >= 0 else '-'} {abs(months)} "
                        f"month{'' if abs(months) == 1 else 's'} falls outside the calendar pcplan counts in "
                        "(0001-01-01 to 9999-12-31); use an earlier --today")
    return moved


# ---------------------------------------------------------------- numbers as messages show them

def _digits(n: int) -> int:
    """How many decimal digits ``abs(n)`` has, without ``str()`` on a long number."""
    n = abs(n)
    if n < _SHOWN_LIMIT:
        return len(str(n))
    estimate = max(int(n.bit_length() * math.log10(2)), 1)  # within one of the truth
    if n >= 10 ** estimate:
        return estimate + 1
    return estimate if n >= 10 ** (estimate - 1) else estimate - 1


def shown_number(value: Any) -> str:
    """A number from a case file as a message shows it: written out when it is of a sane size, else by
    its size ("a number of 31 digits"); never ``str()`` of an integer Python refuses to convert."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "(not a number)"
    if isinstance(value, float):
        if math.isnan(value):
            return "(not a number)"
        if math.isinf(value):
            return "an infinite number"
        if abs(value) < _SHOWN_LIMIT:
            return f"{value:g}"
        return f"a number of {int(math.log10(abs(value))) + 1:,} digits"
    if abs(value) < _SHOWN_LIMIT:
        return str(value)
    if abs(value) >= BEYOND:
        return f"a number of more than {MAX_INT_DIGITS:,} digits"
    return f"a number of {_digits(value):,} digits"


def frequency_text(frequency: tuple[int, str]) -> str:
    """``(3, "month")`` → ``3 months``, for messages (a count of absurd size by its size)."""
    count, unit = frequency
    if count >= _SHOWN_LIMIT:
        return f"{shown_number(count)} of {unit}s"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def readable_amount(value: Any) -> int | float | None:
    """A support's `amount` as pcplan uses it (compared, printed on a plan), or None when it is not a
    number or not a finite one of at most 15 digits (E004 reports those)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if abs(value) < _AMOUNT_LIMIT else None
