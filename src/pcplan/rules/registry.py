"""The rule registry: one decorated function per rule.

A rule's docstring *is* its explanation, written in four parts::

    One sentence: what must hold.

    Why it matters: ...

    How to fix: ...

    Example: (YAML, indented)

``pcplan rule CODE``, ``pcplan rules`` and docs/rules.md are all built
from it, so the explanation is written once. Adding a rule means adding one
function in the module of its code letter; nothing else changes. The pcplan.toml
settings a rule reads are declared with it (``settings=``): `pcplan rule` lists
them, and tests/rules/test_registry.py fails when a rule reads one it did not declare.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..codes import REDIRECTS, redirected
from ..config import Settings

if TYPE_CHECKING:
    from ..findings import Hit
    from ..model import Case, Document, Repository
    from .context import CaseContext, RepositoryContext

__all__ = ["REDIRECTS", "RULES", "Rule", "redirected", "rule"]

SCOPES = ("file", "case", "repository", "delivery")  # delivery: judged by `pcplan reconcile`, never by check
SETTINGS = tuple(f.name for f in fields(Settings))  # what `[settings]` in pcplan.toml may hold
_CODE = re.compile(r"^[A-Z][0-9]{3}$")
# Only spaces after the colon: the line break and the indentation of an example's first
# line are the example's own (eating them misaligned a first line less indented than the rest).
_SECTION = re.compile(r"^(Why it matters|How to fix|Example):[ \t]*", re.M)
_PACKAGE = Path(__file__).resolve().parents[1]  # src/pcplan: a rule's file is shown from the repository root

# What each scope's function is called with (see ``rule``).
FileCheck = Callable[["Document", Union["Case", None], "RepositoryContext"], Iterable["Hit"]]
CaseCheck = Callable[["Case", "CaseContext"], Iterable["Hit"]]
RepositoryCheck = Callable[["Repository", "RepositoryContext"], Iterable["Hit"]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    source: str
    scope: str
    check: Callable[..., Iterable]  # a FileCheck, CaseCheck or RepositoryCheck, as ``scope`` says
    summary: str
    why: str
    fix: str
    example: str
    settings: tuple[str, ...] = ()  # the pcplan.toml settings the rule reads
    defined_in: str = ""  # "src/pcplan/rules/linkage.py:44": where its function is, for `pcplan rule`

    @property
    def family(self) -> str:
        return self.code[0]


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str, source: str = "—", scope: str = "case",
         settings: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Register a rule function. ``scope`` says what it is called with:

    * ``file``: ``check(doc, case, ctx)`` for every loaded document (``case`` is
      None for files outside member folders; ``ctx`` a RepositoryContext);
    * ``case``: ``check(case, ctx)`` for every member folder (``ctx`` its CaseContext);
    * ``repository``: ``check(repo, ctx)`` once per repository (``ctx`` a RepositoryContext).

    ``settings`` names every pcplan.toml setting (``ctx.settings.NAME``) the rule reads.
    """
    if not _CODE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    if code in REDIRECTS:
        raise ValueError(f"rule code {code} was retired or renamed (codes.REDIRECTS): codes are never reused")
    if severity not in ("error", "warning", "info") or scope not in SCOPES:
        raise ValueError(f"{code}: bad severity or scope")
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown or isinstance(settings, str):
        raise ValueError(f"{code}: settings must be a tuple of names from config.Settings, not {unknown or settings!r}")

    def register(func: Callable) -> Callable:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        summary, why, fix, example = _parse_doc(code, inspect.getdoc(func) or "")
        RULES[code] = Rule(code, name, severity, source, scope, func, summary, why, fix, example,
                           tuple(settings), _defined_in(func))
        return func

    return register


def _defined_in(func: Callable) -> str:
    """``src/pcplan/rules/FILE.py:LINE`` of a rule function (the line of its ``@rule``), as in the repository."""
    code = getattr(func, "__code__", None)
    if code is None:
        return ""
    path = Path(code.co_filename).resolve()
    shown = f"src/pcplan/{path.relative_to(_PACKAGE).as_posix()}" if path.is_relative_to(_PACKAGE) else path.name
    return f"{shown}:{code.co_firstlineno}"


def _parse_doc(code: str, doc: str) -> tuple[str, str, str, str]:
    parts = _SECTION.split(doc)
    summary = " ".join(parts[0].split())
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if not summary or "Why it matters" not in sections or "How to fix" not in sections:
        raise ValueError(f"rule {code}: the docstring needs a summary, 'Why it matters:' and 'How to fix:'")
    why = _capitalized(" ".join(sections["Why it matters"].split()))
    fix = _capitalized(" ".join(sections["How to fix"].split()))
    example = inspect.cleandoc(sections.get("Example", "")).strip("\n")
    return summary, why, fix, example


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
