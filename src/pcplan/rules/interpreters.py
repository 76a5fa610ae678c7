"""Helpers of the P and C rules (P410, C309), not rules: the member's language, and who speaks it."""

from __future__ import annotations

import re
from datetime import date

from ..dates import parse_iso
from ..model import Case, Document, items, shown_id, text
from .context import CaseContext
from .text.readability import primary


def speaks(ctx: CaseContext, staff_id: object, language: str | None) -> bool:
    """Whether staff.yaml lists ``language`` (a primary subtag) among the languages of ``staff_id``."""
    if language is None or not isinstance(staff_id, str):
        return False
    person = ctx.repository.staff_by_id.get(staff_id)
    spoken = person.get("languages") if isinstance(person, dict) else None
    return isinstance(spoken, list) and any(primary(code) == language for code in spoken)


def case_manager_on(case: Case, day: date | None) -> str | None:
    """The staff id of the member's case manager on ``day`` (member.yaml `case_managers`), if one."""
    if case.member is None or day is None:
        return None
    for _, entry in case.member.items("case_managers"):
        start, end = parse_iso(entry.get("from")), parse_iso(entry.get("to"))
        if start is not None and start <= day and (end is None or end >= day) and isinstance(entry.get("staff"), str):
            return entry["staff"]
    return None


def named_or_this(kind: str, ident: object) -> str:
    """``"plan P1"``, or ``"this plan"`` when it has no id (or text where the id belongs, never repeated)."""
    return f"{kind} {ident}" if shown_id(ident) != "(not an id)" else f"this {kind}"


def interpreter_gap(ctx: CaseContext, holder: dict, base: tuple, lead: object, language: str | None,
                    what: str) -> tuple[tuple, str] | None:
    """None when a sitting (an assessment, a planning meeting) met the member's need for an interpreter,
    else ``(data path, message)``."""
    record = holder.get("interpreter")
    record = record if isinstance(record, dict) else None
    if record is not None and text(record, "name") is None and text(record, "agency") is None \
            and record.get("declined") is not True:
        record_kind = None  # an `interpreter:` naming nobody records nothing
    else:
        record_kind = None if record is None else ("declined" if record.get("declined") is True else "named")
    if record_kind == "named":
        assert record is not None  # a kind is given only to a record
        theirs = primary(record.get("language"))
        if theirs is None or language is None or theirs == language:
            return None
    if any(isinstance(p.get("role"), str) and re.search(r"\binterpret", p["role"], re.IGNORECASE)
           for _, p in items(holder, "participants")):
        return None
    if speaks(ctx, lead, language):
        return None
    if record_kind == "declined" and text(record, "declined_reason") is not None:
        return None
    in_language = f" in {shown_id(language)}" if language is not None else ""
    if record_kind == "declined":
        assert record is not None  # a kind is given only to a record
        key = "declined_reason" if "declined_reason" in record else "declined"
        return base + ("interpreter", key), (f"{what} records that the member went without an interpreter but not "
                                             "why; add `declined_reason` with the member's reason")
    if record_kind == "named":
        assert record is not None  # a kind is given only to a record
        return base + ("interpreter", "language"), (
            f"{what} records an interpreter for {shown_id(record.get('language'))}, but the member needs one"
            f"{in_language} (member.yaml `language`); record the interpreter who spoke with the member in "
            "their language")
    led = (f"; {shown_id(lead)}, who led it, does not speak {shown_id(language)} (staff.yaml `languages`)"
           if isinstance(lead, str) and language is not None else "")
    where = base + ("interpreter",) if "interpreter" in holder else base
    return where, (f"{what} records no interpreter, and the member needs one{in_language} (member.yaml "
                   f"`language`){led}: record who interpreted (`interpreter:` with `name` or `agency`, and "
                   "`language`; or a participant with `role: interpreter`), or the member's choice to go without "
                   "(`interpreter:` with `declined: true` and `declined_reason`)")


def interpreter_language(member: Document) -> str | None:
    """The member's preferred language (primary subtag) when they need an interpreter, else None."""
    language = member.get("language")
    if not isinstance(language, dict) or language.get("interpreter_needed") is not True:
        return None
    return primary(language.get("preferred"))


def speaks_language(person: dict, language: str) -> bool:
    """Whether staff.yaml lists ``language`` (a primary subtag) among a staff member's `languages`."""
    spoken = person.get("languages")
    return isinstance(spoken, list) and any(primary(code) == language for code in spoken)
