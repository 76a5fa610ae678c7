"""The rule registry: one decorated function per rule.

A rule's docstring *is* its explanation, written in four parts::

    One sentence: what must hold.

    Why it matters: ...

    How to fix: ...

    Example: (YAML, indented)

``pcplan rule CODE``, ``pcplan rules`` and docs/rules.md are all built
from it, so the explanation is written once. Adding a rule means adding one
function in the family module; nothing else changes.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable, Iterable

SCOPES = ("file", "case", "repository")
_CODE = re.compile(r"^[A-Z][0-9]{3}$")
# Only spaces after the colon: the line break and the indentation of an example's first
# line are the example's own (eating them misaligned a first line less indented than the rest).
_SECTION = re.compile(r"^(Why it matters|How to fix|Example):[ \t]*", re.M)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    source: str
    scope: str
    check: Callable[..., Iterable]
    summary: str
    why: str
    fix: str
    example: str

    @property
    def family(self) -> str:
        return self.code[0]


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str, source: str = "—", scope: str = "case"):
    """Register a rule function. ``scope`` says what it is called with:

    * ``file``: ``check(doc, case, ctx)`` for every loaded document (``case`` is
      None for files outside member folders);
    * ``case``: ``check(case, ctx)`` for every member folder;
    * ``repository``: ``check(repo, ctx)`` once per repository.
    """
    if not _CODE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    if severity not in ("error", "warning", "info") or scope not in SCOPES:
        raise ValueError(f"{code}: bad severity or scope")

    def register(func: Callable) -> Callable:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        summary, why, fix, example = _parse_doc(code, inspect.getdoc(func) or "")
        RULES[code] = Rule(code, name, severity, source, scope, func, summary, why, fix, example)
        return func

    return register


def _parse_doc(code: str, doc: str) -> tuple[str, str, str, str]:
    parts = _SECTION.split(doc)
    summary = " ".join(parts[0].split())
    sections = dict(zip(parts[1::2], parts[2::2]))
    if not summary or "Why it matters" not in sections or "How to fix" not in sections:
        raise ValueError(f"rule {code}: the docstring needs a summary, 'Why it matters:' and 'How to fix:'")
    why = _capitalized(" ".join(sections["Why it matters"].split()))
    fix = _capitalized(" ".join(sections["How to fix"].split()))
    example = inspect.cleandoc(sections.get("Example", "")).strip("\n")
    return summary, why, fix, example


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
