"""Completion of ids where ids belong, from the member's own files.

A goal's `needs` offers the needs of the assessment the plan is based on, a
support's `goals` the plan's goals, `documented_by` and `responsible` the staff
in staff.yaml (`responsible` also `case_manager`: whoever is assigned), an
exception's `rule` pcplan's rule codes. The key is found from
the lines (``pcplan.lsp.syntax``), so completion works while the YAML is still
incomplete.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from ..rules import RULES
from .hover import describe, escape
from .positions import Text
from .references import NOUNS, details_of, field_target, targets, words_of
from .syntax import key_path, prefix_at
from .workspace import Record

TRIGGERS = ["[", ",", " "]
_ANY = ("goal", "support", "objective", "modification", "need", "strength", "barrier", "risk")


def completion_kind(kind: str | None, lines: list[str], row: int, index: int) -> str | None:
    """What the ids at the cursor name, or None when no id belongs there."""
    line = lines[row] if 0 <= row < len(lines) else ""
    start = prefix_at(line, index).start
    before = line[:start].rstrip()
    # Right after `key:`, `[`, `,` or `- `: a value is being typed (not a key of a mapping).
    if before and before[-1] not in ":[,-" and not before.endswith("- "):
        return None
    return field_target(kind, key_path(lines, row, start))


def complete(kind: str | None, lines: list[str], row: int, index: int,
             record: Record | Callable[[], Record] | None, text: Text, markdown_ok: bool) -> list[types.CompletionItem]:
    target_kind = completion_kind(kind, lines, row, index)
    if target_kind is None:
        return []
    word = prefix_at(lines[row], index)
    rng = types.Range(start=text.lsp(row, word.start), end=text.lsp(row, word.end))

    def item(label: str, detail: str, documentation: str | None, order: int) -> types.CompletionItem:
        doc = None
        if documentation:
            doc = types.MarkupContent(kind=types.MarkupKind.Markdown if markdown_ok else types.MarkupKind.PlainText,
                                      value=documentation if markdown_ok else documentation.replace("\\", ""))
        return types.CompletionItem(label=label, kind=types.CompletionItemKind.Reference, detail=detail,
                                    documentation=doc, sort_text=f"{order:05d}",
                                    text_edit=types.TextEdit(range=rng, new_text=label))

    if target_kind == "rule":
        return [item(code, f"{rule.name} ({rule.severity})", escape(rule.summary), n)
                for n, (code, rule) in enumerate(sorted(RULES.items()))]
    loaded = record() if callable(record) else record
    if loaded is None:
        return []
    kinds = _ANY if target_kind == "any" else (target_kind,)
    out: list[types.CompletionItem] = []
    for each in kinds:
        for found in targets(each, loaded.doc, loaded.case, loaded.staff):
            words = words_of(found)
            noun = NOUNS.get(found.kind, found.kind)
            detail = f"{words}" if found.kind == "staff" and words else noun
            if found.kind != "staff":
                facts = details_of(found)
                detail = noun + (f" · {facts[0]}" if facts else "")
            out.append(item(found.id, detail, describe(found), len(out)))
    if target_kind == "staff" and key_path(lines, row, word.start)[-1:] == ("facilitator",):
        out.append(item("member", "the member led the meeting", None, len(out)))
    if target_kind == "staff" and key_path(lines, row, word.start)[-2:] == ("monitoring", "responsible"):
        out.append(item("case_manager", "whoever is the member's case manager that day (recommended)", None,
                        len(out)))
    return out
