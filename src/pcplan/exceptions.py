"""Documented exceptions: `exceptions:` entries in the plan in effect.

An entry (rule, optional `about`, reason, documented_by, on) turns the member's
matching findings into *excepted* ones: still listed, never failing the run.
An entry that matches nothing is reported (E008), so stale exceptions do not
pile up and quietly cover a future problem.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from .findings import Finding, Hit
from .model import Case, Document, items, shown_id, text

# Fields whose value names the item an entry is about (``risk: R1`` in risk_mitigations).
_REFERENCE_FIELDS = ("id", "risk", "barrier", "need", "goal")


def apply_exceptions(case: Case, findings: list[Finding], today: date,
                     enabled: set[str]) -> tuple[list[Finding], list[Hit]]:
    """Mark excepted findings; return them with hits for exceptions that match nothing."""
    plan = case.plan_in_effect(today)
    if plan is None:
        return findings, []
    entries = [(index, entry) for index, entry in items(plan.data, "exceptions")
               if isinstance(entry.get("rule"), str) and text(entry, "reason")]
    if not entries:
        return findings, []
    documents = {doc.path: doc for doc in case.documents}
    used: set[int] = set()
    marked = []
    for finding in findings:
        match = next((index for index, entry in entries if _covers(entry, finding, documents)), None)
        if match is not None and finding.code not in ("E000", "E008"):
            used.add(match)
            finding = replace(finding, excepted=True)
        marked.append(finding)
    stale = []
    for index, entry in entries:
        code = entry["rule"]
        if index in used or code not in enabled:
            continue  # a rule switched off cannot show whether its exception is still needed
        about = f" about {_shown(entry['about'])}" if isinstance(entry.get("about"), str) else ""
        stale.append(Hit(plan, ("exceptions", index, "rule"),
                         f"the exception for {_shown(code)}{about} no longer matches any finding; remove it "
                         "(or correct its `rule`/`about`)"))
    return marked, stale


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
