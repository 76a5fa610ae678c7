"""Listed words in staff-written text, found whole and in every form (P407 deficit language, H503 restrictions).

An agency lists a term once, as it would write it ("refuses", "non-compliant",
"supervised visit"); the matcher finds it

* **whole**: never inside another word ("low-functioning" is not found in
  "slow-functioning");
* **in any case**, with the parts of a term joined by a hyphen, by spaces or by
  nothing ("non-compliant", "non compliant", "noncompliant"; a single word
  that starts with "non" may be split there too);
* **in its other forms**: a verb listed inflected (refuses, refused, refusing,
  locked) finds its other inflected forms and its noun in -al (refusal); an
  adjective in -ant/-ent finds its nouns (non-compliance, dependency); an
  adjective in -ive its adverb (manipulatively); any other word its plural
  and inflections (curfews, restrictions).

Text is compared as it reads, not as it is encoded: before matching, both the
text and the terms are normalised (:func:`normalized`): compatibility forms
folded (NFKC: full-width letters, ligatures), invisible format characters
removed (zero-width spaces and joiners, soft hyphens, bidirectional marks: a
`cur\u200bfew` is a curfew), accents removed, and Cyrillic and Greek letters that
look like Latin ones read as those (a `rеfuses` typed with a Cyrillic е is
found). Findings name the term as listed and the field it is in, so nothing
of the normalised text is ever shown.

The plain form of a verb listed inflected is not found ("refuses" does not
find "refuse", "locked" does not find "lock"): rights are written with it
("the right to refuse", "a lock on the bedroom door"). List it to find it too.
Terms that are spellings or forms of each other ("non-compliant" and
"noncompliant") are one term, named as first listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ...dates import parse_iso
from ...model import Document, items, label, shown_id, text

# Between the parts of a term: a hyphen (with or without spaces around it), spaces, or nothing.
_HYPHENS = r"\-\u2010\u2011"


SEPARATOR = rf"(?:\s*[{_HYPHENS}]\s*|\s+)?"


_PARTS = re.compile(rf"[\s{_HYPHENS}]+")


_VOWELS = "aeiou"


# Cyrillic and Greek letters that look like Latin ones (Unicode's confusables, the letters a term could hide
# behind): mapped to the Latin letter they pass for.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝӏАВЕКМНОРСТХУІЈЅԜ"  # Cyrillic
    "αοονρτικχεΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",  # Greek
    "aeopcyxijsdqwlABEKMHOPCTXYIJSW"
    "aoovptikxeABEZHIKMNOPTYX")


def normalized(value: str) -> str:
    """``value`` as a reader sees it, for matching only: NFKC, format characters (Cf: zero-width, soft hyphen,
    bidi marks) removed, accents removed, Cyrillic and Greek look-alikes read as Latin letters."""
    folded = unicodedata.normalize("NFKC", value)
    if folded.isascii():
        return folded  # the usual case: nothing to fold
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded)
                     if unicodedata.category(c) not in ("Cf", "Mn", "Me"))
    return unicodedata.normalize("NFC", folded).translate(_LOOK_ALIKES)


def _alternatives(root: str, endings: list[str]) -> str:
    return re.escape(root) + "(?:" + "|".join(endings) + ")"


def _verb(root: str, agent: bool) -> str:
    """An inflected verb's other forms: -s/-es, -ed/-d, -ing, the noun in -al (refusal), and the agent noun
    in -er when the term was listed in -ing (attention-seeker). A final consonant may double (stopped)."""
    if len(root) >= 2 and root[-1] == root[-2] and root[-1] not in _VOWELS:
        root_pattern = re.escape(root[:-1]) + f"(?:{re.escape(root[-1])})?"
    else:
        root_pattern = re.escape(root)
    doubled = ""
    if len(root) >= 2 and root[-1] not in _VOWELS + "wxy" and root[-2] in _VOWELS:
        doubled = f"(?:{re.escape(root[-1])})?"
    endings = [f"{doubled}(?:ed|ing{'|ers?' if agent else ''})", "e?s", "als?"]
    return root_pattern + "(?:" + "|".join(endings) + ")"


def word_forms(word: str, last: bool = True) -> str:
    """A regular expression (without boundaries) for one word of a term and its other forms.

    ``last``: the term's last word. Only the last word of a term takes plain
    plural and verb endings ("wheelchair" in "wheelchair-bound" stays as it is);
    recognised inflections and derivations apply to every word ("suffers from").
    """
    w = word.casefold()
    if len(w) < 4 or not w.isalpha():
        return re.escape(w)
    for a in ("an", "en"):  # compliant, compliance, compliancy; dependent, dependence, dependency
        for suffix in (f"{a}ts", f"{a}t", f"{a}ces", f"{a}ce", f"{a}cy"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                return _alternatives(w[:-len(suffix)], [f"{a}ts?", f"{a}ces?", f"{a}cy", f"{a}cies"])
    for suffix in ("ies", "ied", "ying"):  # denies, denied, denying, denial
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            return _alternatives(w[:-len(suffix)], ["ies", "ied", "ying", "ials?"])
    if w.endswith("ive"):  # manipulative, manipulatively
        return _alternatives(w[:-3], ["ive", "ively", "iveness"])
    if w.endswith("ing") and len(w) >= 6:
        return _verb(w[:-3], agent=True)
    if w.endswith("ed") and len(w) >= 5:
        return _verb(w[:-2], agent=False)
    if w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return _verb(w[:-2], agent=False)
    if w.endswith("es") and len(w) >= 5 and w[-3] not in _VOWELS:  # refuses: refus(e)
        return _verb(w[:-2], agent=False)
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return _verb(w[:-1], agent=False)
    if not last:
        return re.escape(w)
    if w.endswith("e"):  # seclude, secludes, secluded, secluding
        return _alternatives(w[:-1], ["e", "es", "ed", "ing"])
    return re.escape(w) + "(?:s|es|ed|ing)?"


def _parts(term: str) -> list[str]:
    parts = [p for p in _PARTS.split(term.strip()) if p]
    if len(parts) == 1 and parts[0].casefold().startswith("non") and len(parts[0]) >= 7 and parts[0][3].isalpha():
        parts = [parts[0][:3], parts[0][3:]]  # noncompliant: non + compliant
    return parts


@lru_cache(maxsize=1024)
def term_body(term: str) -> str:
    """The regular expression for a term and its forms, without the whole-word boundaries."""
    parts = _parts(term)
    return SEPARATOR.join(word_forms(part, last=i == len(parts) - 1) for i, part in enumerate(parts))


def _whole(body: str) -> str:
    return rf"(?<!\w)(?:{body})(?!\w)"


def _leading_letters(body: str) -> str:
    """The letters and digits every match of ``body`` starts with (up to the first operator or optional
    character): "refus" for ``refus(?:…)``; empty when the body starts otherwise."""
    for end, char in enumerate(body):
        if not (char.isascii() and char.isalnum()) or body[end + 1:end + 2] in ("?", "*", "+", "{"):
            return body[:end]
    return body


class Terms:
    """A list of terms, ready to search text for.

    Most text uses none of them, so ``found`` first asks one question of it. ASCII text (nearly all) is
    lower-cased once, screened for the letters each term starts with ("refus", "curfew": a plain alternation
    the regular-expression engine skips through quickly), then searched without IGNORECASE: the same answer
    as the case-insensitive search whenever the terms' expressions are ASCII and lower-case themselves
    (lower-casing ASCII text is what IGNORECASE does to it). Other text, or terms with other letters, take
    the case-insensitive search."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        bodies: dict[str, str] = {}  # body → the term first listed with it
        for term in terms:
            if term.strip():
                bodies.setdefault(term_body(normalized(term)), term.strip())
        self.terms = [(term, re.compile(_whole(body), re.IGNORECASE)) for body, term in bodies.items()]
        self._any = re.compile(_whole("|".join(bodies)), re.IGNORECASE) if bodies else None
        self._ascii_any: re.Pattern | None = None
        self._screen: re.Pattern | None = None
        joined = "|".join(bodies)
        if bodies and joined.isascii() and joined == joined.lower():
            self._ascii_any = re.compile(_whole(joined))
            starts = {_leading_letters(body) for body in bodies}
            if "" not in starts:
                self._screen = re.compile("|".join(re.escape(start) for start in sorted(starts)))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def found(self, text: str) -> list[str]:
        """The listed terms (as listed) that ``text`` uses in any form, in list order."""
        if self._any is None:
            return []
        text = normalized(text)
        if self._ascii_any is not None and text.isascii():
            lowered = text.lower()
            if (self._screen is not None and self._screen.search(lowered) is None) \
                    or self._ascii_any.search(lowered) is None:
                return []  # the usual case: one or two quick searches instead of one per term
        elif not self._any.search(text):
            return []
        return [term for term, pattern in self.terms if pattern.search(text)]


@lru_cache(maxsize=16)
def terms(listed: tuple[str, ...]) -> Terms:
    """The matcher for a configured list of terms (cached: the list is the same for a whole run)."""
    return Terms(listed)


# ------------------------------------------------------------------ the text of a plan

# The text fields of a rights modification (H501's text elements and the right itself).
RIGHTS_FIELDS = ("right", "assessed_need", "prior_interventions", "less_intrusive_methods", "condition",
                 "data_collection", "no_harm_assurance")


Field = tuple[tuple, str, str]  # (data path, what the field is for messages, its text)


def field(item: object, key: str, base: tuple, what: str) -> Iterator[Field]:
    """The field ``key`` of ``item`` at ``base``, when it holds non-blank text."""
    value = text(item, key)
    if value is not None:
        yield base + (key,), what, value


@dataclass(frozen=True)
class PlanText:
    """The text fields staff write in one plan, found and named once (``plan_text``); the member's own words
    (`own_words`, `what_matters`) are not among them."""

    staff: tuple[Field, ...]  # for the member: goal restatements, objectives and measures, support descriptions,
    #                           strategies, mitigations and backup plans
    modifications: tuple[Field, ...]  # for the member too: the rights modifications
    record: tuple[Field, ...]  # for the record: the summaries of periodic reviews, the reasons needs are deferred

    def for_member(self, modifications: bool = True) -> tuple[Field, ...]:
        """Each non-blank field staff write *for the member*, rights modifications too unless ``modifications``
        is false."""
        return self.staff + self.modifications if modifications else self.staff


def plan_text(plan: Document) -> PlanText:
    """A plan's text fields. P402, P406, P407 and H503 each read all of them: they ask the member folder's
    context (``CaseContext.plan_text``), which finds and names them once per plan."""
    return PlanText(tuple(_staff_fields(plan)), tuple(_modification_fields(plan)), tuple(_record_fields(plan)))


def _staff_fields(plan: Document) -> Iterator[Field]:
    for g, goal in plan.items("goals"):
        yield from field(goal, "restatement", ("goals", g), f"the `restatement` of {label(goal, 'goal')}")
        for o, objective in items(goal, "objectives"):
            for key in ("text", "measure"):
                yield from field(objective, key, ("goals", g, "objectives", o),
                                 f"the `{key}` of {label(objective, 'objective')}")
    for index, support in plan.items("supports"):
        yield from field(support, "description", ("supports", index),
                         f"the `description` of {label(support, 'support')}")
    for index, strategy in plan.items("strategies"):
        barrier = strategy.get("barrier")
        owner = f"the strategy for barrier {barrier}" if isinstance(barrier, str) else "this strategy"
        yield from field(strategy, "text", ("strategies", index), f"the `text` of {owner}")
    for index, entry in plan.items("risk_mitigations"):
        risk = entry.get("risk")
        owner = f"risk {risk}" if isinstance(risk, str) else "this risk"
        for key in ("mitigation", "backup_plan"):
            yield from field(entry, key, ("risk_mitigations", index), f"the `{key}` for {owner}")


def _modification_fields(plan: Document) -> Iterator[Field]:
    for index, modification in plan.items("rights_modifications"):
        yield from modification_text(modification, index)


def modification_text(modification: dict, index: int) -> Iterator[Field]:
    """The text fields of one rights modification (at ``rights_modifications[index]``)."""
    for key in RIGHTS_FIELDS:
        yield from field(modification, key, ("rights_modifications", index),
                         f"the `{key}` of {label(modification, 'rights modification')}")


def _record_fields(plan: Document) -> Iterator[Field]:
    for index, review in plan.items("reviews"):
        day = parse_iso(review.get("date"))
        owner = f"the review of {day.isoformat()}" if day is not None else "this review"
        yield from field(review, "summary", ("reviews", index), f"the `summary` of {owner}")
    for index, entry in plan.items("deferred_needs"):
        need = entry.get("need")
        owner = f"deferring need {shown_id(need)}" if need is not None else "deferring this need"
        yield from field(entry, "reason", ("deferred_needs", index), f"the `reason` for {owner}")


def closure_text(closure: Document) -> Iterator[Field]:
    """The narrative fields of a closure: the exit interview's summary or reason for declining, the
    next-stage plan, what each referral is for, and how the member can come back."""
    interview = closure.get("exit_interview")
    for key in ("summary", "declined_reason"):
        yield from field(interview, key, ("exit_interview",), f"the exit interview's `{key}`")
    yield from field(closure.data, "next_stage_plan", (), "the `next_stage_plan`")
    for index, referral in closure.items("referrals"):
        yield from field(referral, "for", ("referrals", index), f"the `for` of referral {index + 1}")
    yield from field(closure.data, "agency_can_still_help", (), "the `agency_can_still_help`")


def assessment_text(assessment: Document) -> Iterator[Field]:
    """The `text` of an assessment's strengths, needs, barriers and risks (P407)."""
    for key, kind in (("strengths", "strength"), ("needs", "need"), ("barriers", "barrier"), ("risks", "risk")):
        for index, item in assessment.items(key):
            yield from field(item, "text", (key, index), f"the `text` of {label(item, kind)}")


def note_text(note: Document) -> Iterator[Field]:
    """A note's `text` and the `text` of its progress entries (P407)."""
    yield from field(note.data, "text", (), "this note's `text`")
    for index, entry in note.items("progress"):
        goal = entry.get("goal")
        owner = f"goal {goal}" if isinstance(goal, str) else "this goal"
        yield from field(entry, "text", ("progress", index), f"the progress `text` on {owner}")
