"""Who signs a plan printed for signature, and which of them already has.

A copy *for signature* (a draft: no consent yet) has one line for each person
whose signature the plan needs: the member; the legal representatives whose
signature is consent (DESIGN.md, "Consent": the guardians when member.yaml
names one, else every representative with legal authority); the case manager
assigned on the day of printing (never one who has left or been replaced:
their earlier signature, if any, is listed with the recorded ones); and each
provider of a paid support (C302). A signature the plan already records fills
its line; a recorded signature that belongs to no line (a supervisor, say) is
listed after them, so nothing recorded is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..facts.lifecycle import legal_representatives
from ..model import Document, normalized_name, text


@dataclass(frozen=True)
class Signer:
    name: str | None
    role: str  # member, representative, case_manager, provider (or a recorded signature's own role)
    authority: str | None  # a representative's legal authority (a LEGAL_AUTHORITIES key)
    signature: int | None  # index in the plan's `signatures` that fills this line, None: still to sign


def signers(plan: Document, member: Document | None, member_name: str,
            case_manager: tuple[str, str] | None) -> list[Signer]:
    """The lines to sign, in the order people usually sign: member, representatives, case manager, providers.

    ``case_manager`` is (staff id, name) of the case manager assigned on the day of printing, when known.
    """
    recorded = [(index, s) for index, s in plan.items("signatures")]
    used: set[int] = set()

    def take(role: str, name: str | None = None, staff: str | None = None) -> int | None:
        for index, signature in recorded:
            if index in used or signature.get("role") != role:
                continue
            same_name = name is not None and normalized_name(signature.get("name")) == normalized_name(name)
            same_staff = staff is not None and signature.get("staff") == staff
            if role == "member" or same_name or same_staff:
                used.add(index)
                return index
        return None

    lines = [Signer(member_name, "member", None, take("member"))]
    for name, authority in _consenting_representatives(member):
        lines.append(Signer(name, "representative", authority, take("representative", name)))
    if case_manager is not None:
        staff, name = case_manager
        lines.append(Signer(name, "case_manager", None, take("case_manager", name, staff)))
    seen: set[str] = set()
    for _, support in plan.items("supports"):
        provider = text(support, "provider")
        key = normalized_name(provider)
        if support.get("paid") is not True or provider is None or key is None or key in seen:
            continue
        seen.add(key)
        lines.append(Signer(provider, "provider", None, take("provider", provider)))
    for index, signature in recorded:
        if index not in used:
            role = signature.get("role")
            lines.append(Signer(text(signature, "name"), role if isinstance(role, str) else "other", None, index))
    return lines


def _consenting_representatives(member: Document | None) -> list[tuple[str, str]]:
    """(name as written, authority) of the representatives whose signature is consent."""
    if member is None:
        return []
    legal = [(name, rep["authority"]) for _, rep in legal_representatives(member) if (name := text(rep, "name"))]
    guardians = [entry for entry in legal if entry[1] == "legal_guardian"]
    return guardians or legal
