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
_FREQUENCY = re.compile(r"^\s*([1-9][0-9]*)\s+(day|week|month|year)s?\s*$")

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


def parse_frequency(text: Any) -> tuple[int, str] | None:
    """``"3 months"`` → ``(3, "month")``; None when it cannot be read.

    A count written with more than 4,300 digits (more than Python reads) is taken as
    :data:`BEYOND`: past the end of any calendar, like every count that large.
    """
    if not isinstance(text, str):
        return None
    match = _FREQUENCY.match(text)
    if not match:
        return None
    digits = match.group(1)
    return (int(digits) if len(digits) <= MAX_INT_DIGITS else BEYOND), match.group(2)


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
        raise DateError(f"{start.isoformat()} {'+' if months >= 0 else '-'} {abs(months)} months falls outside "
                        "the calendar pcplan counts in (0001-01-01 to 9999-12-31); use an earlier --today")
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
