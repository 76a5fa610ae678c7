"""Hover: a rule code explained (`pcplan rule CODE`), an id shown with what it names.

An id shows the member's own record (a need's text, a goal in the member's own
words, a staff member's name): it is shown in the editor of someone who has the
case file open, and never logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types

from ..explain import rule_markdown
from ..model import plan_name
from ..rules import RULES
from .positions import Text
from .references import NOUNS, Target, details_of, field_target, find, in_force_on, words_of
from .syntax import key_path, word_at
from .workspace import Record

CODE = re.compile(r"^[A-Z][0-9]{3}$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: str) -> str:
    """Member text inside Markdown: shown as written, never as formatting, links or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def rule_text(code: str) -> str | None:
    rule = RULES.get(code)
    return rule_markdown(rule, heading="###") if rule is not None else None


def rule_brief(code: str) -> str | None:
    """A rule in three lines, for the diagnostic under the cursor."""
    rule = RULES.get(code)
    if rule is None:
        return None
    return (f"**{rule.code} {rule.name}** · {rule.severity} · source: {rule.source}\n\n{rule.summary}\n\n"
            f"**How to fix.** {rule.fix}\n\n`pcplan rule {rule.code}` explains why it matters.")


def where(target: Target) -> str:
    doc = target.doc
    if target.kind == "staff":
        return "staff.yaml"
    ident = doc.id
    name = doc.path.name
    return f"{doc.kind} {ident} ({name})" if ident else name


def describe(target: Target) -> str:
    """An item as Markdown: what it is, where, and its own words."""
    words = words_of(target)
    noun = NOUNS.get(target.kind, target.kind)
    if target.kind == "staff":
        head = f"**{escape(target.id)}**" + (f": {escape(words)}" if words else "")
        parts = [head]
    else:
        parts = [f"**{noun} {escape(target.id)}** · {escape(where(target))}"]
        if words:
            lead = "In the member's own words:\n\n" if target.kind == "goal" else ""
            parts.append(f"{lead}> {escape(words)}")
    details = details_of(target)
    if details:
        parts.append(" · ".join(escape(d) for d in details))
    return "\n\n".join(parts)


def hover_markdown(lines: list[str], row: int, index: int, kind: str | None,
                   record: Record | Callable[[], Record] | None, diagnostics: list[str]) -> \
        tuple[str, tuple[int, int] | None] | None:
    """The hover at (row, index): Markdown and the character span it is about; None for nothing to say.

    ``record`` is loaded only when the word is an id in a field that holds ids; ``diagnostics`` are the codes
    of the findings under the cursor.
    """
    line = lines[row] if 0 <= row < len(lines) else ""
    word = word_at(line, index)
    parts: list[str] = []
    span = None
    if word is not None and CODE.match(word.text) and (known := rule_text(word.text)) is not None:  # in RULES
        parts.append(known)
        span = (word.start, word.end)
    elif word is not None:
        target_kind = field_target(kind, key_path(lines, row, word.start))
        if target_kind == "rule":
            pass
        elif target_kind is not None:
            loaded = record() if callable(record) else record
            target = find(target_kind, word.text, loaded.doc, loaded.case, loaded.staff) if loaded else None
            if target is not None:
                parts.append(describe(target))
                span = (word.start, word.end)
            elif loaded is not None and not (target_kind == "staff" and word.text == "member"):
                parts.append(_not_found(target_kind, word.text, loaded))
                span = (word.start, word.end)
    shown = {word.text} if word is not None else set()
    for code in dict.fromkeys(diagnostics):
        if code not in shown:
            brief = rule_brief(code)
            if brief:
                parts.append(brief)
    if not parts:
        return None
    return "\n\n---\n\n".join(parts), span


def _not_found(target_kind: str, ident: str, loaded: Record) -> str:
    """Where an id was looked for and not found: for a note's goal, the plan in effect on its date."""
    noun = NOUNS.get(target_kind, "item") if target_kind != "any" else "item"
    day = loaded.doc.date
    plan = in_force_on(loaded.case, day) if loaded.doc.kind == "note" and target_kind == "goal" else None
    if plan is not None and day is not None:
        named = plan_name(plan) + (f" ({plan.path.name})" if plan.id else "")
        return f"No {noun} `{escape(ident)}` in {escape(named)}, in effect on {day.isoformat()}, the note's date."
    return f"No {noun} `{escape(ident)}` in this member's record."


def plain(markdown: str) -> str:
    """Markdown as plain text, for a client that shows no Markdown."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return text.replace("**", "").replace("\n---\n", "\n")


def to_hover(markdown: str, span: tuple[int, int] | None, row: int, text: Text, markdown_ok: bool) -> types.Hover:
    contents = types.MarkupContent(kind=types.MarkupKind.Markdown if markdown_ok else types.MarkupKind.PlainText,
                                   value=markdown if markdown_ok else plain(markdown))
    rng = None
    if span is not None:
        rng = types.Range(start=text.lsp(row, span[0]), end=text.lsp(row, span[1]))
    return types.Hover(contents=contents, range=rng)
