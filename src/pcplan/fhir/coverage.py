"""Who pays for a support (Coverage) and where it is delivered (Location), from its authorization.

A support's `authorization.funding` names a program of member.yaml (`programs[].program`) or one of
`state_plan`, `state_funds`, `private`, `natural`. Each funding source a member's supports use is one Coverage
(the guide's row 46, Service Funding Source: ServiceRequest.insurance): the member the beneficiary, the payer
named (`payor.display`: pcplan has no payer directory), a program's enrolment its period and its id the
Coverage's `class` (plan). `natural` is nobody's money: no Coverage.

US Core's Coverage wants the member's id with the payer (us-core-15) and the subscriber's relationship (1..1).
The subscriber is the member (`relationship` self), and the id is the member's Medicaid id (member.yaml
`identifiers`, system `medicaid`) as `subscriberId` and as an `identifier` of type MB. A member without a
Medicaid id, and `private` funding (self-pay: no payer knows the member by an id), get no Coverage: the funding
is carried on the ServiceRequest in pcplan's `funding` extension, as `natural` is.
"""

from __future__ import annotations

from ..dates import parse_iso
from ..model import normalized_name
from . import codes as c
from .context import Context, text

PAYER = {"state_plan": "Medicaid state plan", "state_funds": "State funds"}


def covered(ctx: Context, funding: str) -> bool:
    """Whether ``funding`` has a Coverage in the member's Bundle (see the module's text)."""
    return funding.strip() not in ("natural", "private") and member_id(ctx) is not None


def member_id(ctx: Context) -> str | None:
    """The member's Medicaid id (member.yaml `identifiers`, system `medicaid`): their id with the payer."""
    member = ctx.case.member
    return next((value.strip() for _, item in (member.items("identifiers") if member is not None else [])
                 if text(item.get("system")) == "medicaid" and (value := text(item.get("value")))), None)


def coverage(ctx: Context, funding: str) -> dict | None:
    """The Coverage of ``funding`` (made once per member), or None when there is none (:func:`covered`)."""
    funding = funding.strip()
    subscriber = member_id(ctx)
    if not covered(ctx, funding) or subscriber is None:
        return None
    rid = ctx.key("coverage", funding)
    if ctx.has(rid):
        return {"reference": f"urn:uuid:{rid}"}
    system, kind = c.MEMBER_IDENTIFIER["medicaid"]
    resource: dict = {"resourceType": "Coverage", "id": rid, "meta": {"profile": [c.US_CORE_PROFILE["Coverage"]]},
                      "identifier": [{"type": c.concept(c.V2_0203, "MB", "Member Number"), "system": system,
                                      "value": subscriber}],
                      "status": "active"}
    program = _program(ctx, funding)
    if funding in PAYER:
        resource["type"] = {"text": PAYER[funding]}
    resource["subscriberId"] = subscriber
    resource["beneficiary"] = ctx.patient
    resource["relationship"] = c.concept(c.SUBSCRIBER_RELATIONSHIP, "self", "Self")
    if program is not None and (period := _period(program)):
        resource["period"] = period
    resource["payor"] = [{"display": PAYER.get(funding, funding)}]
    if funding not in PAYER:
        resource["class"] = [{"type": c.concept(c.COVERAGE_CLASS, "plan", "Plan"), "value": funding,
                              "name": funding}]
    return ctx.add(resource)


def _program(ctx: Context, funding: str) -> dict | None:
    member = ctx.case.member
    return next((p for _, p in (member.items("programs") if member is not None else [])
                 if text(p.get("program")) and p["program"].strip() == funding), None)


def _period(program: dict) -> dict:
    period = {}
    for key, end in (("enrolled_on", "start"), ("ended_on", "end")):
        if (day := parse_iso(program.get(key))) is not None:
            period[end] = day.isoformat()
    return period


def location(ctx: Context, where: str) -> dict:
    """The place a support is delivered, as written (Location-eltss: only for a place other than the person's
    home; pcplan keeps what the plan says)."""
    rid = ctx.key("location", normalized_name(where) or where)
    if not ctx.has(rid):
        ctx.add({"resourceType": "Location", "id": rid, "meta": {"profile": [f"{c.ELTSS}/StructureDefinition/"
                                                                              "Location-eltss"]},
                 "name": " ".join(where.split())})
    return {"reference": f"urn:uuid:{rid}"}
