"""A person's name in text (P402): a legal first name used as a name, not as a word or a date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# P402: a legal first name that is also a month ("May", "June", "April") is a date, not a name, right after
# these words or right before a number ("in May", "May 3").
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_BEFORE_A_DATE = re.compile(r"(?:\b(?:in|by|since|until|till|before|after|through|during|next|last|early|late|mid|"
                            r"this|each|every|(?:end|middle|beginning|start|rest) of)[\s-]+)$", re.IGNORECASE)
_AFTER_A_DATE = re.compile(r"^\s*\d")


def unaccented(value: str) -> str:
    """``value`` without accents ("María" → "Maria"): a name is the same name however it was typed."""
    return "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))


def name_matches(first: str) -> Callable[[str], bool]:
    """Whether a text calls someone ``first``: the word whole, with or without its accents, capitalised as a
    name (any letters after the first may be capitals), and for a month's name not where it is a date."""
    first = unaccented(first)
    pattern = re.compile(rf"(?<!\w){re.escape(first)}(?!\w)", re.IGNORECASE)
    month = first.casefold() in MONTHS

    def calls(value: str) -> bool:
        value = unaccented(value)
        for match in pattern.finditer(value):
            if not match.group()[:1].isupper():
                continue  # "may", "grace", "will": a word, not a name
            if month and (_BEFORE_A_DATE.search(value, 0, match.start())
                          or _AFTER_A_DATE.match(value[match.end():])):
                continue
            return True
        return False

    return calls
