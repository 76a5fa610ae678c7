"""Documented exceptions: `exceptions:` entries in the plan in effect.

An entry (rule, optional `about`, reason, documented_by, on) turns the member's
matching findings into *excepted* ones: still listed, never failing the run.
An entry that matches nothing is reported (E008), so stale exceptions do not
pile up and quietly cover a future problem; so is an entry naming a rule pcplan
does not have, which could never match anything.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from .findings import Finding, Hit
from .lifecycle import lifecycle
from .model import Case, Document, items, shown_id, text
from .rules import RULES

# Fields whose value names the item an entry is about (``risk: R1`` in risk_mitigations).
_REFERENCE_FIELDS = ("id", "risk", "barrier", "need", "goal")
# What may be repeated in a message as a rule code someone meant to type (`X123`, `c301`, `L1090`).
_CODE_LIKE = re.compile(r"^[A-Za-z]{1,2}[0-9]{1,4}$")


def apply_exceptions(case: Case, findings: list[Finding], today: date,
                     enabled: set[str]) -> tuple[list[Finding], list[Hit]]:
    """Mark excepted findings; return them with hits for exceptions that match nothing."""
    governing = lifecycle(case, today).governing  # in effect, else the newest consented plan (a closed case's)
    plan = governing.plan if governing is not None else None
    if plan is None:
        return findings, []
    named = [(index, entry) for index, entry in items(plan.data, "exceptions") if isinstance(entry.get("rule"), str)]
    unknown = [Hit(plan, ("exceptions", index, "rule"), _unknown_rule(entry["rule"]))
               for index, entry in named if entry["rule"] not in RULES]
    entries = [(index, entry) for index, entry in named if entry["rule"] in RULES and text(entry, "reason")]
    if not entries:
        return findings, unknown
    documents = {doc.path: doc for doc in case.documents}
    used: set[int] = set()
    marked = []
    for finding in findings:
        match = next((index for index, entry in entries if _covers(entry, finding, documents)), None)
        if match is not None and finding.code not in ("E000", "E008"):
            used.add(match)
            finding = replace(finding, excepted=True)
        marked.append(finding)
    stale = unknown
    for index, entry in entries:
        code = entry["rule"]
        if index in used or code not in enabled:
            continue  # a rule switched off cannot show whether its exception is still needed
        about = f" about {_shown(entry['about'])}" if isinstance(entry.get("about"), str) else ""
        stale.append(Hit(plan, ("exceptions", index, "rule"),
                         f"the exception for {_shown(code)}{about} no longer matches any finding; remove it "
                         "(or correct its `rule`/`about`)"))
    return marked, stale


def _unknown_rule(code: str) -> str:
    """An exception naming no rule pcplan has: the code is repeated only if it looks like one."""
    said = f"names rule `{code}`, which pcplan does not have" if _CODE_LIKE.match(code) else \
        "does not name a rule by its code"
    close = _close_codes(code.strip().upper())
    suggestion = f" (did you mean {' or '.join(f'`{c}`' for c in close)}?)" if close else ""
    return f"the exception {said}{suggestion}, so it can never apply; correct its `rule` " \
        "(`pcplan rules` lists the codes) or remove it"


def _close_codes(code: str) -> list[str]:
    """Rule codes one typo away (a wrong, missing or extra character, or two swapped); none if more than two."""
    if code in RULES:
        return [code]  # the right code in the wrong case
    close = [known for known in sorted(RULES) if _one_typo(code, known)]
    return close if len(close) <= 2 else []  # `L10` could be any of nine: guessing would mislead


def _one_typo(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _shown(value: str) -> str:
    """A rule code or an id as the message shows it (words typed there are not repeated)."""
    return value if shown_id(value) != "(not an id)" else "(not an id)"


def _covers(entry: dict, finding: Finding, documents: dict) -> bool:
    if finding.code != entry["rule"]:
        return False
    about = entry.get("about")
    if not isinstance(about, str):
        return True
    doc = documents.get(finding.file)
    return doc is not None and about in _names_along(doc, finding.data_path)


def _names_along(doc: Document, data_path: tuple) -> set[str]:
    """Ids and references of every item on the way to a node: ``goals[1].needs`` → {G2}."""
    names: set[str] = set()
    node: Any = doc.data
    for step in data_path:
        if isinstance(node, dict):
            node = node.get(step) if isinstance(step, str) else None
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            break
        if isinstance(node, dict):
            names.update(v for k, v in node.items() if k in _REFERENCE_FIELDS and isinstance(v, str))
        elif isinstance(node, str) and step in _REFERENCE_FIELDS:
            names.add(node)
    return names
