"""The rules a caseload report names, explained in the page itself.

Each rule code the report's HTML shows links to a note at the end of the page
(``<a href="#rule-T205">``): the rule's name, its source, what must hold, why it
matters and how to fix a finding, the words of ``pcplan rule CODE`` (the
registry, pcplan.rules). The page stays one self-contained file, and the links
work in the printed PDF too (WeasyPrint makes them internal links).

Which codes: every ``"code"`` the report's data carries that is a rule of the
registry (the findings per rule, the rules most often broken, and whatever a
section adds under that key), so a code the page shows always has its note.
The notes hold pcplan's own words, never a member's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..rules import RULES

ANCHOR = "rule-"  # a note's id: "rule-T205"
# A code span (`monitoring.contacts`) and an emphasis (*gap*) in a rule's text: the only Markdown it uses.
_CODE_SPAN = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"(?<![*\w])\*([^*\s][^*]*?)\*(?![*\w])")
_MENTION = re.compile(r"\b[A-Z][0-9]{3}\b")  # a rule code in a rule's text


@dataclass(frozen=True)
class RuleNote:
    code: str
    name: str
    source: str
    summary: Markup
    why: Markup
    fix: Markup

    @property
    def anchor(self) -> str:
        return ANCHOR + self.code


def rule_notes(data: dict) -> list[RuleNote]:
    """A note for each rule the report's data names, by code; a code another note mentions (``(N802)``)
    links to its note when the report has one."""
    codes = sorted(set(_codes(data)))
    return [_note(code, set(codes) - {code}) for code in codes]


def _codes(value: object) -> Iterator[str]:
    """The rule codes under a ``"code"`` key anywhere in ``value`` (the report's JSON data)."""
    if isinstance(value, dict):
        code = value.get("code")
        if isinstance(code, str) and code in RULES:
            yield code
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from _codes(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                yield from _codes(item)


def _note(code: str, others: set[str]) -> RuleNote:
    rule = RULES[code]
    source = rule.source if rule.source.strip(" -—") else ""  # "—": pcplan's own rules (E…) cite none
    return RuleNote(code, rule.name, source, *(_linked(inline(text), others)
                                                    for text in (rule.summary, rule.why, rule.fix)))


def _linked(html: Markup, codes: set[str]) -> Markup:
    """``N802`` in a note's text as a link to N802's note, for the codes in ``codes``."""
    return Markup(_MENTION.sub(lambda m: f'<a href="#{ANCHOR}{m[0]}">{m[0]}</a>' if m[0] in codes else m[0],
                               str(html)))


def inline(text: str) -> Markup:
    """A rule's text as HTML: escaped, with its code spans as ``<code>`` and its emphasis as ``<em>``."""
    parts = []
    for index, piece in enumerate(_CODE_SPAN.split(text)):
        if index % 2:
            parts.append(Markup("<code>{}</code>").format(piece))
        else:
            parts.append(Markup(_EMPHASIS.sub(r"<em>\1</em>", str(escape(piece)))))
    return Markup("").join(parts)
