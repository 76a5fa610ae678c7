"""The people and organizations of a case: the member (Patient), representatives and unpaid supporters
(RelatedPerson), staff (Practitioner, PractitionerRole), providers and the agency (Organization), and pcplan
itself (Device, the Provenance's assembler).
"""

from __future__ import annotations

import re

from .. import __version__
from ..dates import parse_iso
from ..model import get_in, items, normalized_name, str_list
from . import codes as c
from .context import Context, text
from .extensions import Resolver, build
from .ids import reference, resource_id

_NAME_ROLE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")  # "Rosa Ruiz (sister)"


def human_name(written: str | None, use: str | None = None, given: str | None = None,
               family: str | None = None) -> dict:
    """A HumanName: ``text`` the name as written, ``given`` and ``family`` only when the record names them.

    pcplan never guesses which word of a name is the family name ("María Guadalupe Torres Reyes" has two;
    "Nguyễn Thị Lan" puts it first), so a name written as one string is ``text`` alone. A given name is kept as
    written, as one entry.
    """
    name: dict = {"use": use} if use else {}
    if written and written.split():
        name["text"] = " ".join(written.split())
    if family:
        name["family"] = family.strip()
    if given:
        name["given"] = [given.strip()]
    return name


def address(parts: object, written: str | None = None) -> dict | None:
    """An Address from ``address_parts`` (lines, city, state, postal_code, country) and the address as written."""
    out: dict = {"text": " ".join(written.split())} if written else {}
    lines = [line for line in str_list(parts, "lines") if text(line)]
    if lines:
        out["line"] = lines
    for key, element in (("city", "city"), ("state", "state"), ("postal_code", "postalCode"),
                         ("country", "country")):
        if (value := text(get_in(parts, key))):
            out[element] = value.strip()
    return out or None


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
    if (extensions := _patient_extensions(data, resolve)):
        resource["extension"] = extensions
    resource["identifier"] = [{"use": "usual", "type": c.concept(c.V2_0203, "PI", "Patient internal identifier",
                                                                  "pcplan member id"),
                               "system": c.MEMBER_ID, "value": ctx.member_id}, *_identifiers(data)]
    names = _patient_names(data)
    if names:
        resource["name"] = names
    if (contact := telecom(get_in(data, "contact"))):
        resource["telecom"] = contact
    # US Core (6.1) requires a gender: `unknown` when member.yaml records no administrative sex.
    sex = data.get("administrative_sex")
    resource["gender"] = sex if sex in c.GENDERS else "unknown"
    if (born := parse_iso(data.get("birth_date"))) is not None:
        resource["birthDate"] = born.isoformat()
    if (home := address(get_in(data, "contact", "address_parts"), text(get_in(data, "contact", "address")))):
        resource["address"] = [home]
    if (contacts := _emergency_contacts(data)):
        resource["contact"] = contacts
    if (code := text(get_in(data, "language", "preferred"))):
        resource["communication"] = [{"language": language(code), "preferred": True}]
    if (agency := _agency(ctx)) is not None:
        resource["managingOrganization"] = agency
    _patient_profile(resource)
    return ctx.add(resource)


def _patient_extensions(data: dict, resolve: Resolver) -> list[dict]:
    extensions = []
    if (pronouns := text(data.get("pronouns"))):
        extensions.append({"url": c.PRONOUNS, "extension": [{"url": "value", "valueCodeableConcept": {
            "text": pronouns}}]})
    if isinstance(get_in(data, "language", "interpreter_needed"), bool):
        extensions.append({"url": c.INTERPRETER_REQUIRED, "valueBoolean": data["language"]["interpreter_needed"]})
    for name, key in (("document-format", "document_format"), ("identity-language", "identity_language"),
                      ("rights-explained", "rights_explained_on"),
                      ("case-manager-choice-offered", "choice_of_case_manager_offered_on")):
        if (ext := build(name, data.get(key), resolve)) is not None:
            extensions.append(ext)
    return extensions


def _identifiers(data: dict) -> list[dict]:
    """member.yaml `identifiers`: a known word (medicaid, state, mrn, ssn-last4) as pcplan's system with its
    v2-0203 type, a URI as written."""
    out = []
    for _, item in items(data, "identifiers"):
        system, value = text(item.get("system")), text(item.get("value"))
        if system is None or value is None:
            continue
        identifier: dict = {}
        if system in c.MEMBER_IDENTIFIER:
            system, kind = c.MEMBER_IDENTIFIER[system]
            identifier["type"] = c.concept(c.V2_0203, *kind) if kind else {"text": "last four digits of the SSN"}
        identifier.update({"system": system.strip(), "value": value.strip()})
        out.append(identifier)
    return out


def _patient_names(data: dict) -> list[dict]:
    """The legal name (`official`: text, and the parts member.yaml writes) and a different preferred name
    (`usual`; a one-word preferred name is a first name, and takes the written family name)."""
    written = get_in(data, "name")
    legal = text(get_in(written, "legal")) or text(written)
    given, family = text(get_in(written, "given")), text(get_in(written, "family"))
    names = []
    if legal or given or family:
        names.append(human_name(legal, "official", given, family))
    preferred = text(get_in(written, "preferred"))
    if preferred and normalized_name(preferred) != normalized_name(legal):
        one_word = len(preferred.split()) == 1
        names.append(human_name(preferred, "usual", preferred if one_word and family else None,
                                family if one_word else None))
    for name in names:
        if "family" not in name and "given" not in name:  # US Core's us-core-6: parts, or why they are absent
            name["extension"] = [{"url": c.DATA_ABSENT_REASON, "valueCode": "unknown"}]
    return names


def _emergency_contacts(data: dict) -> list[dict]:
    """member.yaml `emergency_contacts` as Patient.contact: v2-0131 `C` and the relationship as written (coded
    in v3 RoleCode where pcplan knows the word), the name as written, the phone."""
    out = []
    for _, entry in items(data, "emergency_contacts"):
        contact: dict = {"relationship": [c.concept(c.V2_0131, *c.EMERGENCY_CONTACT)]}
        if (relationship := text(entry.get("relationship"))):
            contact["relationship"].append(_relationship(relationship))
        if (name := text(entry.get("name"))):
            contact["name"] = human_name(name)
        if (points := telecom(entry)):
            contact["telecom"] = points
        out.append(contact)
    return out


def _relationship(written: str) -> dict:
    word = " ".join(written.casefold().split())
    if word in c.RELATIONSHIP:
        code, display = c.RELATIONSHIP[word]
        return {"coding": [c.coding(c.V3_ROLE_CODE, code, display)], "text": written}
    return {"text": written}


def _patient_profile(resource: dict) -> None:
    """Patient-eltss wants a family and a given name in every name and contact (Patient_eltss.fsh: name.family
    1..1, name.given 1..*, contact.name.family 1..1); without them the Patient claims US Core's profile, which
    takes a name's text with a data-absent reason; without any name, none."""
    names = resource.get("name", [])
    parts = all("family" in n and "given" in n for n in names) and all(
        "family" in k.get("name", {}) and "given" in k.get("name", {}) for k in resource.get("contact", []))
    if names and parts:
        return
    if names:
        resource["meta"] = {"profile": [c.US_CORE_PROFILE["Patient"]]}
    else:
        del resource["meta"]


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
        relationships.append(_relationship(relationship))
    resource: dict = {"resourceType": "RelatedPerson", "id": rid, "meta": {"profile": [c.PROFILE["RelatedPerson"]]},
                      "active": True, "patient": ctx.patient}
    if relationships:
        resource["relationship"] = relationships
    resource["name"] = [human_name(name)]
    if contact and (points := telecom(contact)):
        resource["telecom"] = points
    return ctx.add(resource)


def practitioner(ctx: Context, staff_id: str) -> dict:
    """The staff member ``staff_id`` (staff.yaml); one not listed there (A602) is named by its id alone.

    staff.yaml writes a name as one string, so the Practitioner claims no profile: US Core's (under
    Practitioner-eltss) wants a family name, which pcplan does not guess."""
    rid = resource_id("staff", staff_id)
    if not ctx.has(rid):
        entry = ctx.staff.get(staff_id, {})
        resource: dict = {"resourceType": "Practitioner", "id": rid,
                          "identifier": [*_npi(entry), {"system": c.STAFF_ID, "value": staff_id}]}
        if (name := text(entry.get("name"))):
            resource["name"] = [human_name(name)]
        if (points := telecom(entry)):
            resource["telecom"] = points
        languages = [lang for lang in str_list(entry, "languages") if text(lang)]
        if languages:
            resource["communication"] = [language(lang) for lang in languages]
        ctx.add(resource)
    return reference(rid)


def practitioner_role(ctx: Context, staff_id: str) -> dict:
    """The staff member in their role at the agency (PractitionerRole-eltss), for CarePlan.author and the
    Provenance's author, when staff.yaml gives them a `phone`; else the Practitioner itself.

    US Core's pd-1 wants a PractitionerRole to have contact details or an endpoint, and pcplan knows no
    endpoint: a role without a phone could not be conformant, so it is not written. Every eLTSS profile that
    references the Support Planner (CarePlan.author, Contract.signer, ServiceRequest.requester and performer)
    takes a Practitioner as well as a PractitionerRole."""
    entry = ctx.staff.get(staff_id, {})
    points = telecom(entry)
    if not any(point["system"] == "phone" for point in points):
        return practitioner(ctx, staff_id)
    rid = resource_id("staff-role", staff_id)
    if not ctx.has(rid):
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
        resource["telecom"] = points
        ctx.add(resource)
    return reference(rid)


def _npi(entry: object) -> list[dict]:
    npi = text(get_in(entry, "npi"))
    return [{"type": c.concept(c.V2_0203, "NPI", "National provider identifier"), "system": c.NPI,
             "value": npi.strip()}] if npi else []


def provider(ctx: Context, provider_id: str) -> dict | None:
    """The provider ``provider_id`` of providers.yaml: an organization as a US Core Organization, an individual
    as a Practitioner (NPI, Medicaid provider id, phone, address); None when providers.yaml has no such id."""
    entry = ctx.providers.get(provider_id)
    if entry is None:
        return None
    rid = resource_id("provider", provider_id)
    if not ctx.has(rid):
        individual = entry.get("type") == "individual"
        resource: dict = {"resourceType": "Practitioner" if individual else "Organization", "id": rid}
        if not individual:
            resource["meta"] = {"profile": [c.US_CORE_PROFILE["Organization"]]}
        resource["identifier"] = [*_npi(entry), *_medicaid(entry), {"system": c.PROVIDER_ID, "value": provider_id}]
        resource["active"] = True
        if (name := text(entry.get("name"))):
            resource["name"] = [human_name(name)] if individual else " ".join(name.split())
        if (points := telecom(entry)):
            resource["telecom"] = points
        if (where := address(entry.get("address_parts"))):
            resource["address"] = [where]
        if "name" not in resource and not individual:
            resource.pop("meta")  # US Core Organization: name 1..1
        ctx.add(resource)
    return reference(rid)


def provider_named(ctx: Context, name: str | None) -> str | None:
    """The id of the provider of providers.yaml with exactly this name (as matched), when there is one."""
    key = normalized_name(name)
    return next((pid for pid, entry in ctx.providers.items() if key and normalized_name(entry.get("name")) == key),
                None)


def _medicaid(entry: dict) -> list[dict]:
    value = text(entry.get("medicaid_id"))
    return [{"type": c.concept(c.V2_0203, "MCD", "Practitioner Medicaid number"), "system": c.PROVIDER_MEDICAID_ID,
             "value": value.strip()}] if value else []


def organization(ctx: Context, name: str) -> dict:
    """An organization named in the records (a paid support's provider, the agency): by its name only, unless
    providers.yaml lists an organization of that name."""
    listed = provider_named(ctx, name)
    if listed is not None and ctx.providers[listed].get("type") != "individual":
        return provider(ctx, listed) or {}
    key = normalized_name(name) or name
    rid = resource_id("organization", key)
    if not ctx.has(rid):
        ctx.add({"resourceType": "Organization", "id": rid, "meta": {"profile": [c.US_CORE_PROFILE["Organization"]]},
                 "active": True, "name": " ".join(name.split())})
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
