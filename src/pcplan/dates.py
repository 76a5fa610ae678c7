"""Dates: today, ISO dates from case files, and frequencies as people say them."""

from __future__ import annotations

import calendar
import os
import re
from datetime import date, timedelta
from typing import Any

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FREQUENCY = re.compile(r"^\s*([1-9][0-9]*)\s+(day|week|month|year)s?\s*$")


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
    """``--today``, else ``PCPLAN_TODAY``, else the clock (so CI runs are reproducible)."""
    for source, value in (("--today", option), ("PCPLAN_TODAY", os.environ.get("PCPLAN_TODAY"))):
        if value:
            parsed = parse_iso(value.strip())
            if parsed is None:
                raise DateError(f"{source} must be a date in the form YYYY-MM-DD, got {value!r}")
            return parsed
    return date.today()


def parse_frequency(text: Any) -> tuple[int, str] | None:
    """``"3 months"`` → ``(3, "month")``; None when it cannot be read."""
    if not isinstance(text, str):
        return None
    match = _FREQUENCY.match(text)
    return (int(match.group(1)), match.group(2)) if match else None


def add_frequency(start: date, frequency: tuple[int, str], times: int = 1) -> date:
    """Calendar arithmetic: a month from Jan 31 is the last day of February."""
    count, unit = frequency
    count *= times
    if unit == "day":
        return start + timedelta(days=count)
    if unit == "week":
        return start + timedelta(weeks=count)
    months = count * (12 if unit == "year" else 1)
    return add_months(start, months)


def add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
