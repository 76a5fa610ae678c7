"""Helpers of the C rules (consent.py), not rules: who may consent, what a signature or a copy records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from ..dates import parse_iso
from ..facts.lifecycle import Authority, may_consent, plan_made_on
from ..findings import Hit
from ..model import Document, normalized_name, shown_id, text
from ..model import label as item_label
from .context import CaseContext


def paid_providers(plan: Document) -> Iterator[tuple[int, str, str]]:
    """(index in `supports`, provider name as matched, "support SP2") for the first paid support of each
    provider (C302 and C310 ask once per provider)."""
    seen: set[str] = set()
    for index, support in plan.items("supports"):
        provider = normalized_name(support.get("provider"))
        if support.get("paid") is not True or provider is None or provider in seen:
            continue
        seen.add(provider)
        yield index, provider, item_label(support, "support")


def field_value(key: str, value: object) -> str:
    """``key: value`` to write, as a message may show it (text typed where a code belongs is not repeated)."""
    return f"`{key}: {value}`" if shown_id(value) != "(not an id)" else f"`{key}:`"


def signature_dated(signature: dict) -> bool:
    """Signed on a readable date, and not a refusal."""
    return signature.get("refused") is not True and parse_iso(signature.get("signed_on")) is not None


def staff_names(ctx: CaseContext) -> set[str]:
    """The agency's staff as signatures name them (staff.yaml `name`)."""
    staff = ctx.repository.staff
    if staff is None:
        return set()
    return {name for _, person in staff.items("staff") if (name := normalized_name(person.get("name")))}


def representative(legal: list[Authority], name: str | None, day: date | None) -> Authority | None:
    """The legal authority of member.yaml a representative's signature names: one held on ``day`` first."""
    mine = [a for a in legal if a.name == name]
    held = [a for a in mine if day is not None and a.holds(day)]
    chosen = held or mine
    return chosen[0] if chosen else None


def signer(signature: dict, authority: Authority | None) -> str:
    if signature.get("role") == "member" or authority is None:
        return "the member"
    return "the legal guardian" if authority.guardian else "the legal representative"


def not_consent(plan: Document, index: int, signature: dict, name: str | None,
                legal: list[Authority]) -> Hit | None:
    """On a draft, the finding for a record of the member or a legal representative that is meant as consent
    and cannot be one as written; None when it is a wait (a refusal documented, the member's signature beside
    a guardian's still to come, a representative's beside a guardian's)."""
    base = ("signatures", index)
    if signature.get("refused") is True:
        if text(signature, "refusal_reason") is not None:
            return None  # a documented refusal: recorded, not consent; T213 tells the wait
        who = signer(signature, representative(legal, name, None))
        return Hit(plan, base, f"refusal recorded without a reason: {who} refused to sign; add `refusal_reason:` "
                   "saying why (a refusal is recorded but is never consent: the plan stays a draft)")
    if signature.get("declined_to_sign") is True:
        missing = [f"`{key}`" for key in ("declined_reason", "witnessed_by") if text(signature, key) is None]
        if missing:
            who = signer(signature, representative(legal, name, None))
            return Hit(plan, base, f"{who} agreed to the plan and declined to sign, but the record has no "
                       f"{' and no '.join(missing)}; record why (`declined_reason`) and the staff id of who "
                       "witnessed the agreement (`witnessed_by`): until then it is not consent")
        day, field = parse_iso(signature.get("declined_on")) or plan_made_on(plan), "declined_on"
        if day is None:
            return None  # no date anywhere to judge: the plan's own date is E004's or the schema's finding
    else:
        day, field = parse_iso(signature.get("signed_on")), "signed_on"
        if day is None:
            who = signer(signature, representative(legal, name, None))
            where = base + ("signed_on",) if "signed_on" in signature else base
            return Hit(plan, where, f"{who}'s signature has no valid `signed_on` date; record the date it was "
                       "signed (YYYY-MM-DD)")
    if signature["role"] == "member" or may_consent(signature, legal, day):
        return None  # the member's signature while a guardian holds authority: the guardian's is still to come
    authority = representative(legal, name, day)
    if authority is None or authority.holds(day):
        return None  # a representative holding authority beside a guardian: the guardian's is still to come
    held = " and ".join(part for part in (
        f"`authority_from: {authority.start.isoformat()}`" if authority.start else "",
        f"`authority_until: {authority.until.isoformat()}`" if authority.until else "") if part)
    what = "signed" if field == "signed_on" else "declined to sign"
    where = base + (field,) if field in signature else base
    return Hit(plan, where, f"{signer(signature, authority)} (representatives[{authority.index}] in member.yaml) "
               f"{what} on {day.isoformat()}, outside their authority ({held}); a representative's signature "
               "is consent only while they hold authority: correct the date or the authority dates if one is "
               "wrong, or have the member or a representative holding authority that day sign")


def is_provider(plan: Document, name: str) -> bool:
    """Whether ``name`` is one of this plan's providers (a support's, a provider signature's or copy's)."""
    names = {normalized_name(s.get("provider")) for _, s in plan.items("supports")}
    names |= {normalized_name(s.get("name")) for _, s in plan.items("signatures") if s.get("role") == "provider"}
    names |= {normalized_name(e.get("to")) for _, e in plan.items("distribution") if e.get("role") == "provider"}
    return name in names


def not_a_representative(plan: Document, index: int, signature: dict, name: str | None, staff: set[str]) -> Hit:
    """A `role: representative` signature by someone who may not consent for the member, and why."""
    case_managers = {normalized_name(s.get("name")) for _, s in plan.items("signatures")
                     if s.get("role") == "case_manager"}
    if "staff" in signature or (name is not None and name in staff | case_managers):
        who = "agency staff (a case manager); a case manager's signature"
    elif name is not None and is_provider(plan, name):
        who = "a provider of this plan; a provider's signature"
    else:
        who = ("someone member.yaml does not name as a legal representative (legal guardian, power of attorney or "
               "authorized representative); their signature")
    return Hit(plan, ("signatures", index), f"this `role: representative` signature is by {who} is never consent "
               "for the member; have the member or a legal representative named in member.yaml sign (with "
               "`role: representative` and `name:` as in member.yaml)")


def copy_recorded(entry: dict) -> bool:
    """A copy given on a date, or declined with the reason recorded."""
    given = entry.get("copy_given") is True and parse_iso(entry.get("given_on")) is not None
    declined = entry.get("declined") is True and text(entry, "declined_reason") is not None
    return given or declined


def incomplete_copy(plan: Document, entries: list[tuple[int, dict]], who: str) -> Hit | None:
    """A hit at the most specific wrong field of a distribution entry for ``who``, if there is one."""
    for index, entry in entries:
        base = ("distribution", index)
        if entry.get("declined") is True:
            return Hit(plan, base + (("declined_reason",) if "declined_reason" in entry else ()),
                       f"{who} declined a copy but no reason is recorded; add `declined_reason:`")
        if entry.get("copy_given") is False:
            return Hit(plan, base + ("copy_given",),
                       f"{who} has not been given a copy of the plan (`copy_given: false`); give one and record "
                       "`given_on`, or record `declined: true` with `declined_reason`")
        if entry.get("copy_given") is True:
            return Hit(plan, base + (("given_on",) if "given_on" in entry else ()),
                       f"{who}'s copy has no valid `given_on` date; record when it was given (YYYY-MM-DD)")
        return Hit(plan, base, f"{who}'s distribution entry does not say whether a copy was given; add "
                   "`copy_given: true` and `given_on`, or `declined: true` with `declined_reason`")
    return None


def primary_code(code: object) -> str | None:
    if not isinstance(code, str) or not code.strip():
        return None
    return code.strip().replace("_", "-").split("-")[0].casefold()


def fits(entry: dict, key: str, wanted: str | None, read: Callable[[object], str | None]) -> bool:
    """Whether a copy's ``key`` is what the member wants (nothing wanted or known: any will do)."""
    return wanted is None or read(entry.get(key)) == wanted
