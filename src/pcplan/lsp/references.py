"""Which fields hold ids, and the item each id names.

The fields are read from the JSON Schemas, so a new reference field is known
here as soon as the schema has it: a field whose pattern is an id of a kind
(``^N[0-9]+$`` is a need), a staff id (``$defs/staffId``) or a rule code. An id
is then looked up in the member's own files: a plan's needs in the assessment
it is based on, a note's goals in the plan in effect on the note's date (the
plan L102 checks them against; with none in effect, the newest plan dated on or
before the note, then the others), a staff id in staff.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from ..dates import parse_iso
from ..facts.acting import IN_FORCE, acts_on
from ..model import Case, Document
from ..schema import KINDS, schema_for

# Patterns of the schemas' id fields → what the id names.
_PATTERNS = {
    r"^N[0-9]+$": "need", r"^S[0-9]+$": "strength", r"^B[0-9]+$": "barrier", r"^R[0-9]+$": "risk",
    r"^G[0-9]+$": "goal", r"^G[0-9]+\.[0-9]+$": "objective", r"^SP[0-9]+$": "support",
    r"^RM[0-9]+$": "modification", r"^A[0-9]+$": "assessment", r"^P[0-9]+$": "plan",
    r"^[A-Z][0-9]{3}$": "rule",
}
# Fields the schema cannot tell apart by pattern.
_OVERRIDES: dict[str, dict[tuple[str, ...], str]] = {
    "plan": {("meeting", "facilitator"): "staff", ("exceptions", "about"): "any"},
}

# Where each kind of item is defined: (document kind, list key); objectives inside goals.
COLLECTIONS = {
    "need": ("assessment", ("needs",)), "strength": ("assessment", ("strengths",)),
    "barrier": ("assessment", ("barriers",)), "risk": ("assessment", ("risks",)),
    "goal": ("plan", ("goals",)), "support": ("plan", ("supports",)),
    "modification": ("plan", ("rights_modifications",)), "objective": ("plan", ("goals", "objectives")),
    "staff": ("staff", ("staff",)),
}
# An id's prefix → its kind, for `about:` (longest prefixes first: SP before S).
_PREFIXES = (("SP", "support"), ("RM", "modification"), ("N", "need"), ("S", "strength"), ("B", "barrier"),
             ("R", "risk"), ("A", "assessment"), ("P", "plan"))

COMPLETABLE = ("need", "strength", "barrier", "risk", "goal", "support", "objective", "modification", "staff",
               "assessment", "rule")

NOUNS = {"need": "need", "strength": "strength", "barrier": "barrier", "risk": "risk", "goal": "goal",
         "objective": "objective", "support": "support", "modification": "rights modification",
         "assessment": "assessment", "plan": "plan", "staff": "staff member", "rule": "rule"}


@cache
def reference_fields(kind: str) -> dict[tuple[str, ...], str]:
    """Key path (list levels left out) → what the id there names, for one kind of case file."""
    schema = schema_for(kind)
    out: dict[tuple[str, ...], str] = {}
    _walk(schema, schema, (), out, 0)
    out.update(_OVERRIDES.get(kind, {}))
    return out


def _walk(root: dict, node: Any, keys: tuple[str, ...], out: dict, depth: int) -> None:
    if not isinstance(node, dict) or depth > 12:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[1]
        if name == "staffId" and keys and keys[-1] != "id":
            out[keys] = "staff"
            return
        _walk(root, root.get("$defs", {}).get(name), keys, out, depth + 1)
    pattern = node.get("pattern")
    if isinstance(pattern, str) and pattern in _PATTERNS and keys and keys[-1] != "id":
        out[keys] = _PATTERNS[pattern]
    for key, value in (node.get("properties") or {}).items():
        _walk(root, value, keys + (key,), out, depth + 1)
    _walk(root, node.get("items"), keys, out, depth + 1)
    for combinator in ("anyOf", "oneOf", "allOf"):
        for option in node.get(combinator) or ():
            _walk(root, option, keys, out, depth + 1)


def field_target(kind: str | None, keys: tuple[str, ...]) -> str | None:
    """What an id at ``keys`` of a ``kind`` file names (``"need"``), or None when ids do not belong there."""
    if kind not in KINDS or not keys:
        return None
    return reference_fields(kind).get(keys)


def kind_of_id(ident: str) -> str | None:
    """The kind an id names by its form: ``G2.1`` an objective, ``SP3`` a support, ``N4`` a need."""
    head = ident.rstrip("0123456789")
    if "." in ident and ident.startswith("G"):
        return "objective"
    if head == "G":
        return "goal"
    return next((kind for prefix, kind in _PREFIXES if head == prefix), None)


@dataclass
class Target:
    """An item an id names: where it is and what it says."""

    kind: str
    id: str
    doc: Document
    data_path: tuple
    item: dict


def _items(doc: Document, keys: tuple[str, ...]) -> Iterator[tuple[tuple, dict]]:
    """(data path, item) for the items of the list at ``keys`` (``goals.objectives``: every goal's)."""
    if len(keys) == 1:
        for index, item in doc.items(keys[0]):
            yield (keys[0], index), item
        return
    for index, parent in doc.items(keys[0]):
        for inner, item in enumerate(parent.get(keys[1]) or () if isinstance(parent.get(keys[1]), list) else ()):
            if isinstance(item, dict):
                yield (keys[0], index, keys[1], inner), item


def _newest_first(docs: list[Document]) -> list[Document]:
    return sorted(docs, key=lambda d: (d.date or date.min, d.display_path), reverse=True)


def search_order(kind: str, doc: Document, case: Case | None, staff: Document | None) -> list[Document]:
    """The documents an id of ``kind`` written in ``doc`` is looked up in, the most likely first."""
    if kind == "staff":
        return [staff] if staff is not None else []
    where = COLLECTIONS.get(kind, (kind, ()))[0]
    if where == "plan" and kind != "plan" and doc.kind == "note":
        in_force = in_force_on(case, doc.date)
        if in_force is not None:  # a note's goals are those of the plan in effect that day, as L102 judges them
            return [in_force]
    docs = list(case.documents) if case is not None else [doc]
    mine = [d for d in docs if d.kind == where and d.path != doc.path]
    order: list[Document] = [doc] if doc.kind == where else []
    if where == "assessment" and doc.kind == "plan" and case is not None:
        based_on = [a for a in mine if a.id == doc.get("assessment")]
        order += _newest_first(based_on)
    if where == "plan" and doc.date is not None:
        order += [p for p in _newest_first(mine) if p.date is not None and p.date <= doc.date]
    order += _newest_first(mine)
    seen: set[int] = set()
    unique: list[Document] = []
    for d in order:  # each document once, where it first comes
        if id(d) not in seen:
            seen.add(id(d))
            unique.append(d)
    return unique


def in_force_on(case: Case | None, day: date | None) -> Document | None:
    """The plan in effect on ``day`` (a note's date), the one `pcplan new note` and L102 use; None without one."""
    if case is None or day is None:
        return None
    record = acts_on(case, day, prefer=IN_FORCE)
    return record.plan if record is not None else None


def targets(kind: str, doc: Document, case: Case | None, staff: Document | None) -> list[Target]:
    """Every item of ``kind`` from the first document (in search order) that has any: the ids to offer."""
    if kind in ("assessment", "plan"):
        docs = [d for d in search_order(kind, doc, case, staff) if d.path != doc.path]
        return [Target(kind, d.id, d, (), d.data) for d in _newest_first(docs) if d.id]
    collection = COLLECTIONS.get(kind)
    if collection is None:
        return []
    for source in search_order(kind, doc, case, staff):
        found = [Target(kind, item["id"], source, path, item) for path, item in _items(source, collection[1])
                 if isinstance(item.get("id"), str)]
        if found:
            return found
    return []


def find(kind: str, ident: str, doc: Document, case: Case | None, staff: Document | None) -> Target | None:
    """The item ``ident`` names, looked up in search order; ``kind`` ``"any"`` goes by the id's form."""
    if kind == "any":
        kind = kind_of_id(ident) or ("staff" if staff is not None else "")
    if kind in ("assessment", "plan"):
        match = [d for d in search_order(kind, doc, case, staff) if d.id == ident]
        return Target(kind, ident, match[0], (), match[0].data) if match else None
    collection = COLLECTIONS.get(kind)
    if collection is None:
        return None
    for source in search_order(kind, doc, case, staff):
        for path, item in _items(source, collection[1]):
            if item.get("id") == ident:
                return Target(kind, ident, source, path, item)
    return None


def words_of(target: Target) -> str | None:
    """What the item says, as the member's record has it (shown in the editor only)."""
    item = target.item
    field = {"need": "text", "strength": "text", "barrier": "text", "risk": "text", "goal": "own_words",
             "objective": "text", "support": "description", "modification": "right", "staff": "name"}.get(target.kind)
    value = item.get(field) if field else None
    return value if isinstance(value, str) and value.strip() else None


def details_of(target: Target) -> list[str]:
    """Short facts about the item (field: value) that are codes, dates or numbers, not free text."""
    item, out = target.item, []
    for key in ("domain", "priority", "level", "status", "target_date", "paid", "provider", "amount", "unit",
                "frequency", "start", "end", "role", "organization", "type", "date", "review_by"):
        value = item.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            out.append(f"{key.replace('_', ' ')}: {value}")
        elif isinstance(value, bool):
            out.append(f"{key}: {'yes' if value else 'no'}")
    if target.kind == "staff":
        languages = item.get("languages")
        if isinstance(languages, list) and languages:
            out.append("languages: " + ", ".join(str(v) for v in languages))
        left = parse_iso(item.get("left_on"))
        if left is not None:
            out.append(f"left on {left.isoformat()}")
    return out
