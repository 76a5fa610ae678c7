"""The people and organizations of a case: the member (Patient), representatives and unpaid supporters
(RelatedPerson), staff (Practitioner, PractitionerRole), providers and the agency (Organization), and pcplan
itself (Device, the Provenance's assembler).
"""

from __future__ import annotations

import re

from .. import __version__
from ..dates import parse_iso
from ..model import get_in, normalized_name, str_list
from . import codes as c
from .context import Context, text
from .extensions import Resolver, build
from .ids import reference, resource_id

_NAME_ROLE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")  # "Rosa Ruiz (sister)"


def human_name(value: str, use: str | None = None, family: str | None = None) -> dict:
    """A HumanName from a name written as one string.

    ``text`` is the name as written. pcplan does not record which part is the family name, so the last word
    is taken as ``family`` and the words before it as ``given`` (the eLTSS Patient profile wants both,
    fsh/profiles/Patient_eltss.fsh:30-31); a one-word name is ``given`` alone, with ``family`` when one is
    passed in (a preferred first name takes the legal family name).
    """
    words = value.split()
    name: dict = {"use": use} if use else {}
    name["text"] = " ".join(words)
    if len(words) >= 2:
        name["family"] = words[-1]
        name["given"] = words[:-1]
    elif words:
        if family:
            name["family"] = family
        name["given"] = words
    return name


def split_role(value: str) -> tuple[str, str | None]:
    """("Rosa Ruiz", "sister") from "Rosa Ruiz (sister)"; the name alone when no role is written."""
    match = _NAME_ROLE.match(value)
    return (match.group(1).strip(), match.group(2).strip() or None) if match else (value.strip(), None)


def telecom(data: object) -> list[dict]:
    out = []
    if (phone := text(get_in(data, "phone"))):
        out.append({"system": "phone", "value": phone})
    if (email := text(get_in(data, "email"))):
        out.append({"system": "email", "value": email})
    return out


def language(code: str) -> dict:
    return {"coding": [c.coding(c.BCP47, code.strip())]}


def patient(ctx: Context, resolve: Resolver) -> dict:
    """The member: Beneficiary Demographics (rows 1-9 of the guide's mapping table)."""
    member = ctx.case.member
    data = member.data if member is not None else {}
    resource: dict = {"resourceType": "Patient", "id": ctx.key(), "meta": {"profile": [c.PROFILE["Patient"]]}}
    extensions = []
    pronouns = text(data.get("pronouns"))
    if pronouns:
        extensions.append({"url": c.PRONOUNS, "extension": [{"url": "value", "valueCodeableConcept": {
            "text": pronouns}}]})
    if isinstance(get_in(data, "language", "interpreter_needed"), bool):
        extensions.append({"url": c.INTERPRETER_REQUIRED, "valueBoolean": data["language"]["interpreter_needed"]})
    for name, key in (("document-format", "document_format"), ("identity-language", "identity_language"),
                      ("rights-explained", "rights_explained_on"),
                      ("case-manager-choice-offered", "choice_of_case_manager_offered_on")):
        if (ext := build(name, data.get(key), resolve)) is not None:
            extensions.append(ext)
    if extensions:
        resource["extension"] = extensions
    resource["identifier"] = [{"use": "usual", "type": c.concept(c.V2_0203, "PI", "Patient internal identifier",
                                                                  "pcplan member id"),
                               "system": c.MEMBER_ID, "value": ctx.member_id}]
    names = []
    legal = text(get_in(data, "name", "legal")) or text(data.get("name"))
    preferred = text(get_in(data, "name", "preferred"))
    if legal:
        names.append(human_name(legal, "official"))
    if preferred and normalized_name(preferred) != normalized_name(legal):
        names.append(human_name(preferred, "usual", names[0].get("family") if names else None))
    if names:
        resource["name"] = names
    if not names or any("family" not in n for n in names):
        del resource["meta"]  # US Core wants a name, the eLTSS profile a family name (Patient_eltss.fsh:30)
    if (contact := telecom(get_in(data, "contact"))):
        resource["telecom"] = contact
    # pcplan records pronouns, never a gender; US Core asks for one, so it says so.
    resource["gender"] = "unknown"
    if (born := parse_iso(data.get("birth_date"))) is not None:
        resource["birthDate"] = born.isoformat()
    if (address := text(get_in(data, "contact", "address"))):
        resource["address"] = [{"text": address}]
    if (code := text(get_in(data, "language", "preferred"))):
        resource["communication"] = [{"language": language(code), "preferred": True}]
    if (agency := _agency(ctx)) is not None:
        resource["managingOrganization"] = agency
    return ctx.add(resource)


def representatives(ctx: Context, resolve: Resolver) -> None:
    """Every representative of member.yaml as a RelatedPerson, its legal authority coded."""
    member = ctx.case.member
    for _, rep in member.items("representatives") if member is not None else []:
        name = text(rep.get("name"))
        if name is None:
            continue
        related_person(ctx, name, relationship=text(rep.get("relationship")),
                       authority=text(rep.get("authority")), contact=rep)


def related_person(ctx: Context, name: str, relationship: str | None = None, authority: str | None = None,
                   contact: dict | None = None) -> dict:
    """The RelatedPerson called ``name`` (one per name: a representative who also gives an unpaid support
    or signs is the same person)."""
    key = normalized_name(name) or name
    if key in ctx.people:
        return reference(ctx.people[key])
    rid = ctx.key("person", key)
    ctx.people[key] = rid
    relationships = []
    if authority:
        codings = []
        if authority in c.AUTHORITY_ROLE:
            code, display = c.AUTHORITY_ROLE[authority]
            codings.append(c.coding(c.V3_ROLE_CODE, code, display))
        codings.append(c.coding(c.code_system("representative-authority"), authority))
        relationships.append({"coding": codings, "text": authority.replace("_", " ")})
    if relationship:
        word = " ".join(relationship.casefold().split())
        if word in c.RELATIONSHIP:
            code, display = c.RELATIONSHIP[word]
            relationships.append({"coding": [c.coding(c.V3_ROLE_CODE, code, display)], "text": relationship})
        else:
            relationships.append({"text": relationship})
    resource: dict = {"resourceType": "RelatedPerson", "id": rid, "meta": {"profile": [c.PROFILE["RelatedPerson"]]},
                      "active": True, "patient": ctx.patient}
    if relationships:
        resource["relationship"] = relationships
    resource["name"] = [human_name(name)]
    if contact and (points := telecom(contact)):
        resource["telecom"] = points
    return ctx.add(resource)


def practitioner(ctx: Context, staff_id: str) -> dict:
    """The staff member ``staff_id`` (staff.yaml); one not listed there (A602) is named by its id alone."""
    rid = resource_id("staff", staff_id)
    if not ctx.has(rid):
        entry = ctx.staff.get(staff_id, {})
        resource: dict = {"resourceType": "Practitioner", "id": rid, "meta": {"profile": [c.PROFILE["Practitioner"]]},
                          "identifier": [{"system": c.STAFF_ID, "value": staff_id}]}
        if (name := text(entry.get("name"))):
            resource["name"] = [human_name(name)]
        languages = [lang for lang in str_list(entry, "languages") if text(lang)]
        if languages:
            resource["communication"] = [language(lang) for lang in languages]
        ctx.add(resource)
    return reference(rid)


def practitioner_role(ctx: Context, staff_id: str) -> dict:
    """The staff member in their role at the agency (PractitionerRole), for CarePlan.author."""
    rid = resource_id("staff-role", staff_id)
    if not ctx.has(rid):
        entry = ctx.staff.get(staff_id, {})
        resource: dict = {"resourceType": "PractitionerRole", "id": rid,
                          "meta": {"profile": [c.PROFILE["PractitionerRole"]]}, "active": True,
                          "practitioner": practitioner(ctx, staff_id)}
        organization = _agency(ctx, text(entry.get("organization")))
        if organization is not None:
            resource["organization"] = organization
        role = text(entry.get("role"))
        if role:
            resource["code"] = [{"coding": [c.coding(c.code_system("staff-role"), role)],
                                 "text": role.replace("_", " ")}]
            if role in c.STAFF_ROLE:
                resource["specialty"] = [c.concept(c.PROVIDER_TAXONOMY, *c.STAFF_ROLE[role])]
        ctx.add(resource)
    return reference(rid)


def organization(ctx: Context, name: str) -> dict:
    """An organization named in the records (a paid support's provider, the agency): by its name only."""
    key = normalized_name(name) or name
    rid = resource_id("organization", key)
    if not ctx.has(rid):
        ctx.add({"resourceType": "Organization", "id": rid, "active": True, "name": " ".join(name.split())})
    return reference(rid)


def _agency(ctx: Context, name: str | None = None) -> dict | None:
    chosen = name or ctx.organization
    return organization(ctx, chosen) if chosen else None


def device(ctx: Context) -> dict:
    """pcplan, the software that assembled the Bundle (Provenance.agent)."""
    rid = resource_id("device", "pcplan")
    if not ctx.has(rid):
        ctx.add({"resourceType": "Device", "id": rid,
                 "deviceName": [{"name": "pcplan", "type": "manufacturer-name"}],
                 "version": [{"value": __version__}]})
    return reference(rid)
