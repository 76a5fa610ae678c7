"""A plan and the assessment it rests on, as the guide's resources.

CarePlan (status from the lifecycle), Condition per assessed need, Goal per goal (the member's own words as
its description), Task per objective (the guide's Step or Action), ServiceRequest per support, Observation
per strength and for what matters to the person, RiskAssessment per risk with the plan's mitigation, a
CarePlan per backup plan (partOf the plan), a Contract holding the signatures, a QuestionnaireResponse for
the setting choice, and a Provenance naming the content fingerprint. The guide's rows are cited by
element name (pages/eLTSS_to_FHIR_R4_element.xml) and its profiles by FSH file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..dates import parse_iso
from ..facts.lifecycle import LEGAL_AUTHORITIES, PlanRecord, member_names
from ..fingerprint import fingerprint, matches
from ..model import Document, get_in, items, normalized_name, shown_id, str_list
from . import codes as c
from .context import Context, noon, text
from .coverage import coverage, covered, location
from .episodes import meeting
from .extensions import SPECS, Resolver, build, build_all
from .ids import reference, resource_id
from .people import (
    device,
    organization,
    practitioner,
    practitioner_role,
    provider,
    provider_named,
    related_person,
    split_role,
)


@dataclass
class Assessed:
    """The resources made from one assessment (shared by the plans based on it)."""

    document: Document
    key: str
    needs: dict[str, dict] = field(default_factory=dict)  # need id → Condition reference
    strengths: dict[str, str] = field(default_factory=dict)  # strength id → Observation id
    important: dict | None = None  # the Observation of `important_to_me`


def item_key(doc: Document) -> str:
    """A record's key for ids: its id and date (``P1@2026-09-03``), else its file name."""
    ident = doc.id if shown_id(doc.id) != "(not an id)" else None
    day = doc.date.isoformat() if doc.date else ""
    return f"{ident}@{day}" if ident else f"file:{doc.path.name}"


def assessment(ctx: Context, doc: Document, resolve: Resolver) -> Assessed:
    """Conditions for the needs, Observations for the strengths and what is important to the person."""
    found = Assessed(doc, item_key(doc))
    day = doc.date.isoformat() if doc.date else None
    assessor = practitioner(ctx, doc.get("assessor")) if text(doc.get("assessor")) else None
    for _, need in doc.items("needs"):
        nid = text(need.get("id"))
        if nid is None:
            continue
        resource: dict = {"resourceType": "Condition", "id": ctx.key("assessment", found.key, "need", nid),
                          "meta": {"profile": [c.PROFILE["Condition"]]}}
        if (ext := build("need-priority", need.get("priority"), resolve)) is not None:
            resource["extension"] = [ext]
        resource["identifier"] = [_item_identifier(ctx, doc, nid)]
        # Condition_eltss.fsh:21-24: clinicalStatus and verificationStatus MS, required bindings
        resource["clinicalStatus"] = {"coding": [c.coding(c.CONDITION_CLINICAL, "active", "Active")]}
        resource["verificationStatus"] = {"coding": [c.coding(c.CONDITION_VERIFICATION, "confirmed", "Confirmed")]}
        categories = [c.concept(c.US_CORE_CONDITION_CATEGORY, "health-concern", "Health Concern"),
                      c.concept(c.ELTSS_CONDITION_CATEGORY, "assessed-need", "Assessed Need")]
        domain = text(need.get("domain"))
        if domain in c.SDOH_DOMAINS:
            categories.append(c.concept(c.US_CORE_CATEGORY, "sdoh", "SDOH"))
        elif domain == "daily_living":
            categories.append(c.concept(c.US_CORE_CATEGORY, "functional-status", "Functional Status"))
        if domain:
            categories.append(c.concept(c.code_system("need-domain"), domain))
        resource["category"] = categories
        resource["code"] = {"text": text(need.get("text")) or f"need {nid}"}  # row 14: Condition.code.text
        resource["subject"] = ctx.patient
        if day:
            resource["recordedDate"] = day
        if assessor:
            resource["recorder"] = assessor
        found.needs[nid] = ctx.add(resource)
    for _, strength in doc.items("strengths"):
        sid, words = text(strength.get("id")), text(strength.get("text"))
        if sid is None or words is None:
            continue
        rid = ctx.key("assessment", found.key, "strength", sid)
        resource = _observation(ctx, rid, c.concept(c.ELTSS_OBSERVATION_CODE, "strength", "Strength"), words, day,
                                assessor)
        resource["identifier"] = [_item_identifier(ctx, doc, sid)]
        ctx.add(resource)
        found.strengths[sid] = rid
    if (words := text(doc.get("important_to_me"))):
        code = _preference("important-to-me")
        rid = ctx.key("assessment", found.key, "important-to-me")
        found.important = ctx.add(_observation(ctx, rid, code, words, day, ctx.patient))
    return found


def _preference(kind: str) -> dict:
    """The guide's example pref1 codes a preference as LOINC 95541-9; pcplan says which field it was."""
    return {"coding": [c.coding(c.LOINC, "95541-9", "Care experience preference"),
                       c.coding(c.code_system("observation-code"), kind)]}


def _observation(ctx: Context, rid: str, code: dict, words: str, day: str | None, performer: dict | None) -> dict:
    resource: dict = {"resourceType": "Observation", "id": rid, "meta": {"profile": [c.PROFILE["Observation"]]},
                      "status": "final",
                      # Observation_eltss.fsh:41-42: category[us-core] 1..1 = observation-category#social-history
                      "category": [c.concept(c.OBSERVATION_CATEGORY, "social-history", "Social History")],
                      "code": code,
                      "subject": ctx.patient}  # Observation_eltss.fsh:24: subject 1..1 MS
    if day:
        resource["effectiveDateTime"] = day
    if performer:
        resource["performer"] = [performer]
    resource["valueString"] = words  # Observation_eltss.fsh:81: value[x] only CodeableConcept or string
    return resource


def _item_identifier(ctx: Context, doc: Document, item: str) -> dict:
    return {"system": c.ITEM_ID, "value": f"{ctx.member_id}/{plan_id(doc) or doc.path.name}/{item}"}


@dataclass
class Made:
    """What one plan became, for the Provenance and for references between its parts."""

    careplan: dict
    goals: dict[str, dict] = field(default_factory=dict)
    supports: dict[str, dict] = field(default_factory=dict)
    derived: list[dict] = field(default_factory=list)  # every resource made from the plan file


def plan(ctx: Context, record: PlanRecord, key: str, assessed: Assessed | None, episode: dict | None,
         replaces: dict | None, root: Path, staff_resolve: Resolver) -> Made:
    """The plan's CarePlan and every resource made from its file, added to ``ctx`` in the Bundle's order."""
    doc = record.plan
    state = ctx.life.state(record)
    status = c.CAREPLAN_STATUS[state]
    rid = ctx.key("plan", key)
    made = Made(reference(rid))
    resolve = _resolver(made, assessed, staff_resolve)
    encounter = meeting(ctx, doc, key, episode, resolve)
    made.derived.append(encounter)
    author = _author(ctx, doc)
    _name_parts(ctx, doc, key, made)

    goals = [_goal(ctx, doc, key, goal, assessed, state) for _, goal in doc.items("goals") if text(goal.get("id"))]
    tasks = [t for _, goal in doc.items("goals") if text(goal.get("id"))
             for t in _objectives(ctx, doc, key, goal, made, state)]
    services = [_support(ctx, doc, key, support, made, assessed, state, status)
                for _, support in doc.items("supports") if text(support.get("id"))]
    made.derived += goals + tasks + services

    supporting = _assessed_support(ctx, doc, key, assessed, made)
    supporting += _risks(ctx, doc, key, assessed, reference(rid), status, record, made)
    contract = _contract(ctx, doc, key, record, state, reference(rid), resolve)
    supporting.append(contract)
    made.derived.append(contract)
    for answers in _choices(ctx, record, key, author):
        supporting.append(answers)
        made.derived.append(answers)

    resource = _careplan_head(ctx, record, rid, state, assessed, resolve, replaces)
    resource["encounter"] = encounter
    if (period := _period(record)):
        resource["period"] = period  # CarePlan_eltss.fsh:37: period.start 1..1 MS
    if doc.date:
        resource["created"] = doc.date.isoformat()
    if author:
        resource["author"] = practitioner_role(ctx, author)  # CarePlan_eltss.fsh:39-43 (Support Planner)
    if assessed and assessed.needs:
        resource["addresses"] = list(assessed.needs.values())  # CarePlan_eltss.fsh:60-64
    resource["supportingInfo"] = supporting
    if made.goals:
        resource["goal"] = [made.goals[g] for g in made.goals]  # CarePlan_eltss.fsh:67-68
    activities = [{"reference": r} for r in services + tasks]  # CarePlan_eltss.fsh:76; detail 0..0 (line 96)
    if activities:
        resource["activity"] = activities
    ctx.add(resource)
    _backups(ctx, doc, key, record, status, reference(rid), made)
    _provenance(ctx, doc, key, made, author, root)
    return made


def _resolver(made: Made, assessed: Assessed | None, staff_resolve: Resolver) -> Resolver:
    """References by kind: the plan's own goals and supports, the assessment's needs, else staff and providers."""
    def resolve(kind: str, value: str) -> dict | None:
        if kind == "goal":
            return made.goals.get(value)
        if kind == "support":
            return made.supports.get(value)
        if kind == "need":
            return assessed.needs.get(value) if assessed else None
        return staff_resolve(kind, value)
    return resolve


def _name_parts(ctx: Context, doc: Document, key: str, made: Made) -> None:
    """The goals' and supports' references, made first: supports, objectives and extensions point at them."""
    for _, goal in doc.items("goals"):
        gid = text(goal.get("id"))
        if gid is not None:
            made.goals[gid] = reference(ctx.key("plan", key, "goal", gid))
    for _, support in doc.items("supports"):
        sid = text(support.get("id"))
        if sid is not None:
            made.supports[sid] = reference(ctx.key("plan", key, "support", sid))


def _assessed_support(ctx: Context, doc: Document, key: str, assessed: Assessed | None, made: Made) -> list[dict]:
    """The plan's supportingInfo from the assessment (strengths, what is important) and what matters to the person.

    A strength a goal builds on is marked as pertaining to that goal.
    """
    supporting: list[dict] = []
    if assessed is not None:
        for _, goal in doc.items("goals"):
            gid = text(goal.get("id"))
            for sid in str_list(goal, "strengths"):
                if gid and sid in assessed.strengths:
                    _pertains(ctx.resources[assessed.strengths[sid]], made.goals[gid])
        supporting += [reference(r) for r in assessed.strengths.values()]
        if assessed.important:
            supporting.append(assessed.important)
    if (words := text(doc.get("what_matters"))):
        day = doc.date.isoformat() if doc.date else None
        what = ctx.add(_observation(ctx, ctx.key("plan", key, "what-matters"), _preference("what-matters"), words,
                                    day, ctx.patient))
        supporting.append(what)
        made.derived.append(what)
    return supporting


def _careplan_head(ctx: Context, record: PlanRecord, rid: str, state: str, assessed: Assessed | None,
                   resolve: Resolver, replaces: dict | None) -> dict:
    """The CarePlan up to its subject: what the plan is (narrative, extensions, identifier, status, category)."""
    doc = record.plan
    resource: dict = {"resourceType": "CarePlan", "id": rid, "meta": {"profile": [c.PROFILE["CarePlan"]]}}
    if (lang := text(doc.get("language"))):
        resource["language"] = lang.strip()
    resource["text"] = _narrative(f"Person-centered plan {plan_id(doc)}".strip() + f": {state}"
                                  + _period_words(record) + ".")
    extensions = _careplan_extensions(ctx, doc, record, state, assessed, resolve)
    if extensions:
        resource["extension"] = extensions
    resource["identifier"] = [{"system": c.PLAN_ID, "value": f"{ctx.member_id}/{plan_id(doc) or doc.path.name}"}]
    if replaces:
        resource["replaces"] = [replaces]
    resource["status"] = c.CAREPLAN_STATUS[state]
    resource["intent"] = "plan"
    categories = [c.concept(c.US_CORE_CAREPLAN_CATEGORY, "assess-plan", "Assessment and Plan of Treatment")]
    if (kind := text(doc.get("type"))):
        categories.append(c.concept(c.code_system("plan-type"), kind))
    resource["category"] = categories
    resource["title"] = f"Person-centered plan {plan_id(doc)}".strip()
    resource["subject"] = ctx.patient
    return resource


def _narrative(words: str) -> dict:
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(words)}</p></div>'}


def _period(record: PlanRecord) -> dict:
    """The effective period; empty without a start (the profile's period.start is 1..1)."""
    if record.start is None:
        return {}
    period = {"start": record.start.isoformat()}
    if record.end:
        period["end"] = record.end.isoformat()
    return period


def plan_id(doc: Document) -> str:
    """The plan's id when it is one ("" when missing, or text typed where the id belongs)."""
    ident = doc.id
    return ident if ident is not None and shown_id(ident) != "(not an id)" else ""


def _period_words(record: PlanRecord) -> str:
    if record.start and record.end:
        return f", {record.start.isoformat()} to {record.end.isoformat()}"
    return f", from {record.start.isoformat()}" if record.start else ""


def _author(ctx: Context, doc: Document) -> str | None:
    """The plan's case manager: assigned on the plan's date, else the case manager who signed it, else the
    staff who monitors it, else who led the meeting."""
    day = doc.date
    member = ctx.case.member
    if day is not None and member is not None:
        for _, item in member.items("case_managers"):
            start, end = parse_iso(item.get("from")), parse_iso(item.get("to"))
            if text(item.get("staff")) and start and start <= day and (end is None or day <= end):
                return item["staff"]
    for _, signature in doc.items("signatures"):
        if signature.get("role") == "case_manager" and text(signature.get("staff")):
            return signature["staff"]
    for value in (get_in(doc.data, "monitoring", "responsible"), get_in(doc.data, "meeting", "facilitator")):
        if text(value) and value not in ("member", "case_manager"):  # `case_manager`: whoever is assigned, no id
            return value
    return None


def _careplan_extensions(ctx: Context, doc: Document, record: PlanRecord, state: str, assessed: Assessed | None,
                         resolve: Resolver) -> list[dict]:
    out = [build("lifecycle-state", state.replace(" ", "-"), resolve)]
    if record.consent_on:
        out.append(build("consent-date", record.consent_on.isoformat(), resolve))
    if assessed is not None:
        out.append(build("assessment", assessed.document.data, resolve))
        strategies: dict[str, list[str]] = {}
        for _, item in doc.items("strategies"):
            if text(item.get("barrier")) and text(item.get("text")):
                strategies.setdefault(item["barrier"], []).append(item["text"])
        barriers = [{**b, "strategies": strategies.get(b["id"], []) if text(b.get("id")) else []}
                    for _, b in assessed.document.items("barriers")]
        out += build_all("barrier", barriers, resolve)
    out.append(build("monitoring", doc.get("monitoring"), resolve))
    for name, field_name in (("review", "reviews"), ("deferred-need", "deferred_needs"), ("unmet-need", "unmet_needs"),
                             ("rights-modification", "rights_modifications"), ("distribution", "distribution"),
                             ("notice", "notices"), ("documented-exception", "exceptions")):
        out += build_all(name, [item for _, item in doc.items(field_name)], resolve)
    return [e for e in out if e is not None]


def _goal(ctx: Context, doc: Document, key: str, goal: dict, assessed: Assessed | None, state: str) -> dict:
    gid = goal["id"]
    own = text(goal.get("own_words"))
    restated = text(goal.get("restatement"))
    resource: dict = {"resourceType": "Goal", "id": ctx.key("plan", key, "goal", gid),
                      "meta": {"profile": [c.PROFILE["Goal"]]},
                      "identifier": [_item_identifier(ctx, doc, gid)]}
    recorded = text(goal.get("status")) or "active"
    lifecycle = c.GOAL_STATUS.get(recorded, "active")
    if state == "draft" and lifecycle == "active":
        lifecycle = "proposed"  # a goal of an unsigned plan is proposed to the member
    resource["lifecycleStatus"] = lifecycle
    if recorded == "achieved":
        resource["achievementStatus"] = c.concept(c.GOAL_ACHIEVEMENT, "achieved", "Achieved")
    # row 11 (Goal): description.text; pcplan: the member's own words, the restatement a note
    resource["description"] = {"text": own or restated or f"goal {gid}"}
    resource["subject"] = ctx.patient
    if (due := parse_iso(goal.get("target_date"))):
        resource["target"] = [{"dueDate": due.isoformat()}]
    if own:
        resource["expressedBy"] = ctx.patient
    needs = [assessed.needs[n] for n in str_list(goal, "needs") if assessed and n in assessed.needs]
    if needs:
        resource["addresses"] = needs
    if own and restated:
        resource["note"] = [{"text": restated}]
    return ctx.add(resource)


def _objectives(ctx: Context, doc: Document, key: str, goal: dict, made: Made, state: str) -> list[dict]:
    """Each objective as a Task: the guide's Step or Action (row 12), pertaining to its goal."""
    out = []
    gid = goal["id"]
    for _, objective in items(goal, "objectives"):
        oid = text(objective.get("id"))
        if oid is None:
            continue
        resource: dict = {"resourceType": "Task", "id": ctx.key("plan", key, "objective", oid)}
        extensions = [{"url": c.PERTAINS_TO_GOAL, "valueReference": made.goals[gid]}]
        if (measure := build("measure", objective.get("measure"), lambda *a: None)) is not None:
            extensions.append(measure)
        resource["extension"] = extensions
        resource["identifier"] = [_item_identifier(ctx, doc, oid)]
        resource["basedOn"] = [made.careplan]
        recorded = text(objective.get("status")) or "active"
        resource["status"] = "draft" if state == "draft" else c.TASK_STATUS.get(recorded, "in-progress")
        resource["intent"] = "plan"
        if (words := text(objective.get("text"))):
            resource["description"] = words
        resource["for"] = ctx.patient
        if (due := parse_iso(objective.get("target_date"))):
            resource["restriction"] = {"period": {"end": due.isoformat()}}
        out.append(ctx.add(resource))
    return out


def _support(ctx: Context, doc: Document, key: str, support: dict, made: Made, assessed: Assessed | None,
             state: str, status: str) -> dict:
    """A support as a ServiceRequest (rows 40-56): paid ones performed by an Organization, unpaid (natural)
    supports by a RelatedPerson, as the guide prescribes (row 54, note 2)."""
    sid = support["id"]
    service = _service(support, sid)
    resource: dict = {"resourceType": "ServiceRequest", "id": ctx.key("plan", key, "support", sid),
                      "meta": {"profile": [c.PROFILE["ServiceRequest"] if service.get("coding", [{}])[0].get(
                          "system") == c.HCPCS else c.US_CORE_PROFILE["ServiceRequest"]]}}
    if (extensions := _support_extensions(ctx, support, made)):
        resource["extension"] = extensions
    resource["identifier"] = [_item_identifier(ctx, doc, sid)]
    resource["basedOn"] = [made.careplan]
    resource["status"] = status
    resource["intent"] = "plan"
    resource["code"] = service  # row 40: the HCPCS code (or the state's), code.text the service's name
    if (modifiers := _modifiers(support)):
        resource["orderDetail"] = modifiers
    quantity = _quantity(support)
    resource.update(quantity)
    resource["subject"] = ctx.patient
    period = {}
    for end in ("start", "end"):
        if (day := parse_iso(support.get(end))):
            period[end] = day.isoformat()
    if period:
        resource["occurrencePeriod"] = period  # ServiceRequest_eltss.fsh:89 (a simple start and end)
    if support.get("frequency") == "as_needed":
        resource["asNeededBoolean"] = True
    performer = _performer(ctx, support)
    if performer:
        resource["performer"] = [performer]  # ServiceRequest_eltss.fsh:119 performer MS
    needs = []
    for g in str_list(support, "goals"):
        goal = next((item for _, item in doc.items("goals") if item.get("id") == g), None)
        for n in str_list(goal, "needs"):
            ref = assessed.needs.get(n) if assessed else None
            if ref and ref not in needs:
                needs.append(ref)
    if needs:
        resource["reasonReference"] = needs
    _authorization(ctx, resource, support)
    return ctx.add(resource)


def _service(support: dict, sid: str) -> dict:
    """ServiceRequest.code: the support's `service` code (system hcpcs, the default, is the guide's HCPCS; a URI
    as written) and its name: the description, else the service's display name."""
    service = _service_of(support)
    words = text(support.get("description")) or text(service.get("display")) or f"support {sid}"
    code = text(service.get("code"))
    if code is None:
        return {"text": words}
    return {"coding": [c.coding(_system(service), code.strip(), text(service.get("display")))], "text": words}


def _service_of(support: dict) -> dict:
    service = support.get("service")
    return service if isinstance(service, dict) else {}


def _system(service: dict) -> str:
    """The code system: `hcpcs` (the default) is the guide's HCPCS; a state's URI as written."""
    system = (text(service.get("system")) or "hcpcs").strip()
    return c.HCPCS if system == "hcpcs" else system


def _modifiers(support: dict) -> list[dict]:
    """The code's modifiers as orderDetail (R4's ServiceRequest has no modifier element, US Core and the guide
    name none; orderDetail is "additional details about how the service is to be delivered"), each coded in
    the service's own code system."""
    service = _service_of(support)
    if text(service.get("code")) is None:
        return []
    system = _system(service)
    return [{"coding": [c.coding(system, m.strip())], "text": f"modifier {m.strip()}"}
            for m in str_list(service, "modifiers") if text(m)]


def _support_extensions(ctx: Context, support: dict, made: Made) -> list[dict]:
    goals = [made.goals[g] for g in str_list(support, "goals") if g in made.goals]
    # ServiceRequest_eltss.fsh:13: extension contains resource-pertainsToGoal 0..* MS
    extensions = [{"url": c.PERTAINS_TO_GOAL, "valueReference": g} for g in goals]
    if get_in(support, "authorization", "self_directed") is True:  # row 41, the guide's example service1
        extensions.append({"url": c.DIRECTED_BY, "valueCodeableConcept": {"text": "self"}})
    for name in ("paid", "responsible"):
        if (ext := build(name, support.get(name), lambda *a: None)) is not None:
            extensions.append(ext)
    funding = text(get_in(support, "authorization", "funding"))
    if funding and not covered(ctx, funding):  # row 46 without a Coverage (pcplan.fhir.coverage)
        extensions.append({"url": SPECS["funding"].url, "valueString": funding.strip()})
    return extensions


def _authorization(ctx: Context, resource: dict, support: dict) -> None:
    """The authorization's funding (row 46: insurance → Coverage), delivery place (row 44: locationReference →
    Location, named as written) and comment (row 45: note)."""
    authorization = support.get("authorization")
    if not isinstance(authorization, dict):
        return
    if (where := text(authorization.get("where"))):
        resource["locationReference"] = [location(ctx, where)]
    if (funding := text(authorization.get("funding"))) and (paid_by := coverage(ctx, funding)) is not None:
        resource["insurance"] = [paid_by]
    if (comment := text(authorization.get("comment"))):
        resource["note"] = [{"text": comment}]


def _quantity(support: dict) -> dict:
    """Amount, unit and frequency as the guide's units table writes them (rows 47-49)."""
    amount = support.get("amount")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or not math.isfinite(amount):
        return {}
    amount = int(amount) if isinstance(amount, float) and amount.is_integer() else amount
    numerator: dict = {"value": amount}
    unit = text(support.get("unit"))
    if unit:
        numerator["unit"] = unit
        if (ucum := c.unit_code(unit)):
            numerator["system"], numerator["code"] = ucum
    frequency = support.get("frequency")
    if isinstance(frequency, str) and frequency in c.PER:
        value, code, word = c.PER[frequency]
        return {"quantityRatio": {"numerator": numerator,
                                  "denominator": {"value": value, "unit": word, "system": c.UCUM, "code": code}}}
    return {"quantityQuantity": numerator}


def _performer(ctx: Context, support: dict) -> dict | None:
    """providers.yaml's provider the support names by `provider_id` (a group of supporters too: an
    Organization, never a RelatedPerson); else, by the `provider` name, an Organization for a paid support and
    for an unpaid one the member or a RelatedPerson named as written."""
    if (pid := text(support.get("provider_id"))) and (listed := provider(ctx, pid)) is not None:
        return listed
    written = text(support.get("provider"))
    if written is None:
        return None
    if support.get("paid") is not False:
        return organization(ctx, written)
    name, relationship = split_role(written)
    if normalized_name(name) in member_names(ctx.case.member) or normalized_name(relationship) in ("member", "self"):
        return ctx.patient
    return related_person(ctx, name, relationship=relationship)


def _pertains(resource: dict, goal: dict) -> None:
    entry = {"url": c.PERTAINS_TO_GOAL, "valueReference": goal}
    extensions = resource.setdefault("extension", [])
    if entry not in extensions:
        extensions.append(entry)


def _risks(ctx: Context, doc: Document, key: str, assessed: Assessed | None, careplan: dict, status: str,
           record: PlanRecord, made: Made) -> list[dict]:
    """A RiskAssessment per assessed risk, with this plan's mitigation (rows 38-39)."""
    risks: dict[str, dict] = {}
    if assessed is not None:
        for _, risk in assessed.document.items("risks"):
            if text(risk.get("id")):
                risks.setdefault(risk["id"], {"risk": risk})
    for _, mitigation in doc.items("risk_mitigations"):
        if text(mitigation.get("risk")):
            risks.setdefault(mitigation["risk"], {})["mitigation"] = mitigation
    out = []
    day = assessed.document.date.isoformat() if assessed and assessed.document.date else None
    for risk_id, found in risks.items():
        risk, mitigation = found.get("risk", {}), found.get("mitigation", {})
        resource: dict = {"resourceType": "RiskAssessment", "id": ctx.key("plan", key, "risk", risk_id),
                          "meta": {"profile": [c.PROFILE["RiskAssessment"]]},
                          "identifier": [_item_identifier(ctx, assessed.document if assessed else doc, risk_id)],
                          "basedOn": careplan, "status": "final", "subject": ctx.patient}
        if day:
            resource["occurrenceDateTime"] = day
        if assessed and text(assessed.document.get("assessor")):
            resource["performer"] = practitioner(ctx, assessed.document.get("assessor"))
        prediction: dict = {"outcome": {"text": text(risk.get("text")) or f"risk {risk_id}"}}
        if (level := text(risk.get("level"))) in c.RISK_LEVEL:
            prediction["qualitativeRisk"] = c.concept(c.RISK_PROBABILITY, *c.RISK_LEVEL[level])
        resource["prediction"] = [prediction]
        if (words := text(mitigation.get("mitigation"))):
            resource["mitigation"] = words  # RiskAssessment_eltss.fsh:33: mitigation MS (Risk Management Plan)
        ref = ctx.add(resource)
        out.append(ref)
        made.derived.append(ref)
    return out


def _backups(ctx: Context, doc: Document, key: str, record: PlanRecord, status: str, careplan: dict,
             made: Made) -> None:
    """Each risk's backup plan as the guide's Emergency Backup Plan: a CarePlan partOf the plan (row 10,
    CarePlan_eltss.fsh:20-26), with the risk it answers as supporting information."""
    for _, mitigation in doc.items("risk_mitigations"):
        risk_id, words = text(mitigation.get("risk")), text(mitigation.get("backup_plan"))
        if not (risk_id and words):
            continue
        title = f"Emergency backup plan for risk {risk_id}"
        resource = {"resourceType": "CarePlan", "id": ctx.key("plan", key, "backup", risk_id),
                    "meta": {"profile": [c.PROFILE["CarePlan"]]},
                    "text": _narrative(title + (f" of plan {plan_id(doc)}" if plan_id(doc) else "") + "."),
                    "partOf": [careplan], "status": status, "intent": "plan",
                    "category": [c.concept(c.US_CORE_CAREPLAN_CATEGORY, "assess-plan",
                                           "Assessment and Plan of Treatment"),
                                 {"text": "Emergency Backup Plan"}],
                    "title": title, "description": words, "subject": ctx.patient}
        if (period := _period(record)):
            resource["period"] = period
        resource["supportingInfo"] = [reference(ctx.key("plan", key, "risk", risk_id))]
        made.derived.append(ctx.add(resource))


def _contract(ctx: Context, doc: Document, key: str, record: PlanRecord, state: str, careplan: dict,
              resolve: Resolver) -> dict:
    """The plan's signatures (rows 26-37): one signer per dated signature; a refusal or an undated signature
    goes in the `signature-exception` extension, since Contract.signer needs a signature with a date."""
    guardians = _representatives(ctx)
    signers, exceptions = [], []
    for _, signature in doc.items("signatures"):
        role = text(signature.get("role")) or "other"
        day = parse_iso(signature.get("signed_on"))
        party, kind = _party(ctx, signature, role, guardians)
        if signature.get("refused") is True or day is None or party is None:
            exceptions.append(signature)
            continue
        (signer_code, signer_display), (sig_code, sig_display) = c.SIGNER[kind]
        sig: dict = {}
        marks = [e for e in (build("signature-method", signature.get("method"), resolve),
                             build("signed-fingerprint", signature.get("fingerprint"), resolve)) if e]
        if marks:
            sig["extension"] = marks
        sig.update({"type": [c.coding(c.SIGNATURE_TYPE, sig_code, sig_display)], "when": noon(day), "who": party})
        # Contract_eltss.fsh:43-59: signer.type, signer.party and signature.who ("Must match signer.party")
        signers.append({"type": c.coding(c.CONTRACT_SIGNER, signer_code, signer_display), "party": party,
                        "signature": [sig]})
    resource: dict = {"resourceType": "Contract", "id": ctx.key("plan", key, "signatures"),
                      "meta": {"profile": [c.PROFILE["Contract"]]}}
    extensions = build_all("signature-exception", exceptions, resolve)
    if extensions:
        resource["extension"] = extensions
    resource["identifier"] = [{"system": c.PLAN_ID, "value": f"{ctx.member_id}/{plan_id(doc) or doc.path.name}"}]
    resource["status"] = c.CONTRACT_STATUS.get(state, "executed")
    if (period := _period(record)):
        resource["applies"] = period
    resource["subject"] = [ctx.patient]
    resource["topicReference"] = careplan
    if signers:
        resource["signer"] = signers
    return ctx.add(resource)


def _representatives(ctx: Context) -> dict[str, str]:
    """Representative name as matched → authority, from member.yaml."""
    member = ctx.case.member
    out: dict[str, str] = {}
    for _, rep in member.items("representatives") if member is not None else []:
        name = normalized_name(rep.get("name"))
        if name and text(rep.get("authority")):
            out.setdefault(name, rep["authority"])
    return out


def _party(ctx: Context, signature: dict, role: str, representatives: dict[str, str]) -> tuple[dict | None, str]:
    name = text(signature.get("name"))
    staff = text(signature.get("staff"))
    if role == "member":
        return ctx.patient, "member"
    if role in ("case_manager", "supervisor"):
        staff = staff or next((sid for sid, entry in ctx.staff.items()
                               if name and normalized_name(entry.get("name")) == normalized_name(name)), None)
        if staff:
            return practitioner(ctx, staff), role
        return (_named_practitioner(ctx, name), role) if name else (None, role)
    if name is None:
        return None, role
    if role == "provider":
        listed = provider_named(ctx, name)
        return (provider(ctx, listed) if listed else None) or organization(ctx, name), "provider"
    if role == "representative":
        authority = representatives.get(normalized_name(name) or "")
        kind = authority if authority in LEGAL_AUTHORITIES else "representative"
        return related_person(ctx, name), kind
    return related_person(ctx, name), "other"


def _named_practitioner(ctx: Context, name: str) -> dict:
    """Staff who signed by name only, without a staff id pcplan knows."""
    rid = resource_id("staff-name", normalized_name(name) or name)
    if not ctx.has(rid):
        from .people import human_name

        ctx.add({"resourceType": "Practitioner", "id": rid, "name": [human_name(name)]})
    return reference(rid)


# The guide's questionnaire1 (fsh/examples/example.fsh:775-795): linkId, question, type.
ELTSS_ITEMS = (
    ("q1", "Did you choose the setting in which you reside?", "boolean"),
    ("q2", "What alternative home and community-based settings were considered?", "string"),
    ("q3", "Were you given a choice of services outlined in the plan?", "boolean"),
    ("q4", "Did you participate in the selection of services outlined in the plan?", "boolean"),
    ("q5", "Do you agree to the services outlined in the plan?", "boolean"),
    ("q6", "Were you offered a choice of providers for each service?", "boolean"),
    ("q7", "Do you feel you made an informed choice in selecting the provider for each service?", "boolean"),
)
SETTING_TYPES = ("own_home", "family_home", "host_home", "group_home", "assisted_living", "supported_living",
                 "nursing_facility", "shelter", "other")
CHOICES = ("setting", "services", "providers", "self_direction")


def _choices(ctx: Context, record: PlanRecord, key: str, author: str | None) -> list[dict]:
    """The plan's choices (rows 15-16, 20-24): the guide's questionnaire answered where the plan records the
    answer, and pcplan's own for what the guide asks no question about (the kind of setting, the choice of
    self-direction, and the days each choice was offered)."""
    doc = record.plan
    setting = doc.get("setting") if isinstance(doc.get("setting"), dict) else {}
    choices = doc.get("choices") if isinstance(doc.get("choices"), dict) else {}
    answers: dict[str, dict] = {}
    if isinstance(setting.get("chosen_by_member"), bool):
        answers["q1"] = {"valueBoolean": setting["chosen_by_member"]}
    options = [" ".join(o.split()) for o in str_list(setting, "options_considered") if text(o)]
    if options:  # one answer: the guide's q2 does not repeat
        answers["q2"] = {"valueString": "; ".join(options)}
    for link, choice in (("q3", "services"), ("q6", "providers")):
        if isinstance(get_in(choices, choice, "offered"), bool):
            answers[link] = {"valueBoolean": choices[choice]["offered"]}
    if record.consent_on is not None:  # consent by the member or their legal representative (DESIGN.md)
        answers["q5"] = {"valueBoolean": True}
    out = []
    if answers:
        _questionnaire(ctx, c.ELTSS_QUESTIONNAIRE)
        items = [{"linkId": link, "answer": [answers[link]]} for link, _, _ in ELTSS_ITEMS if link in answers]
        out.append(_response(ctx, doc, ctx.key("plan", key, "setting"), c.ELTSS_QUESTIONNAIRE, items, author))
    own = _own_answers(setting, choices)
    if own:
        _questionnaire(ctx, c.QUESTIONNAIRE)
        out.append(_response(ctx, doc, ctx.key("plan", key, "choices"), c.QUESTIONNAIRE, own, author))
    return out


def _own_answers(setting: dict, choices: dict) -> list[dict]:
    items = []
    if (kind := text(setting.get("type"))):
        items.append({"linkId": "setting-type", "answer": [{"valueCoding": c.coding(c.code_system("setting-type"),
                                                                                    kind)}]})
    for choice in CHOICES:
        name = choice.replace("_", "-")
        if isinstance(get_in(choices, choice, "offered"), bool):
            items.append({"linkId": f"{name}-offered", "answer": [{"valueBoolean": choices[choice]["offered"]}]})
        if (day := parse_iso(get_in(choices, choice, "on"))) is not None:
            items.append({"linkId": f"{name}-offered-on", "answer": [{"valueDate": day.isoformat()}]})
    return items


def _response(ctx: Context, doc: Document, rid: str, questionnaire: str, answers: list[dict],
              author: str | None) -> dict:
    resource: dict = {"resourceType": "QuestionnaireResponse", "id": rid,
                      "meta": {"profile": [c.PROFILE["QuestionnaireResponse"]]},
                      "questionnaire": questionnaire, "status": "completed", "subject": ctx.patient}
    if doc.date:
        resource["authored"] = doc.date.isoformat()
    else:
        del resource["meta"]  # US Core's QuestionnaireResponse (under the guide's): authored 1..1
    if author:
        resource["author"] = practitioner(ctx, author)
    resource["item"] = answers
    return ctx.add(resource)


def _questionnaire(ctx: Context, url: str) -> None:
    """The guide's questionnaire1, as the guide writes it, or pcplan's own (the kind of setting, and each
    choice: offered and when), once per Bundle, so that every answer's question is in the Bundle."""
    guide = url == c.ELTSS_QUESTIONNAIRE
    rid = resource_id("questionnaire", "eltss-questionnaire1" if guide else "eltss-person-centered-planning")
    if ctx.has(rid):
        return
    if guide:
        ctx.add({"resourceType": "Questionnaire", "id": rid, "meta": {"profile": [c.PROFILE["Questionnaire"]]},
                 "url": url, "name": "Questionnaire1", "status": "active",
                 "item": [{"linkId": link, "text": words, "type": kind} for link, words, kind in ELTSS_ITEMS]})
        return
    items: list[dict] = [{"linkId": "setting-type", "text": "What kind of setting is it?", "type": "choice",
                          "answerOption": [{"valueCoding": c.coding(c.code_system("setting-type"), kind)}
                                           for kind in SETTING_TYPES]}]
    for choice in CHOICES:
        name, words = choice.replace("_", "-"), choice.replace("_", "-")
        items += [{"linkId": f"{name}-offered", "text": f"Was a choice of {words} offered?", "type": "boolean"},
                  {"linkId": f"{name}-offered-on", "text": f"When was the choice of {words} offered?",
                   "type": "date"}]
    ctx.add({"resourceType": "Questionnaire", "id": rid, "url": url, "name": "PcplanPlanningChoices",
             "title": "Person-centered planning: the setting and the choices offered", "status": "active",
             "item": items})


def _provenance(ctx: Context, doc: Document, key: str, made: Made, author: str | None, root: Path) -> None:
    """Which version of the plan file the resources were made from: its content fingerprint (pcplan
    fingerprint), with the signatures that recorded exactly that fingerprint (C305)."""
    content = fingerprint(doc.data)
    try:
        where = doc.path.resolve().relative_to(root).as_posix()
    except ValueError:
        where = doc.path.name
    agents = [{"type": c.concept(c.PROVENANCE_AGENT, "assembler", "Assembler"), "who": device(ctx)}]
    if author:
        agents.append({"type": c.concept(c.PROVENANCE_AGENT, "author", "Author"),
                       "who": practitioner_role(ctx, author)})
    signatures = []
    for _, signature in doc.items("signatures"):
        recorded, day = text(signature.get("fingerprint")), parse_iso(signature.get("signed_on"))
        if recorded and day and signature.get("refused") is not True and matches(recorded, doc.data):
            party, kind = _party(ctx, signature, text(signature.get("role")) or "other", _representatives(ctx))
            if party:
                code, display = c.SIGNER[kind][1]
                signatures.append({"type": [c.coding(c.SIGNATURE_TYPE, code, display)], "when": noon(day),
                                   "who": party})
    resource: dict = {"resourceType": "Provenance", "id": ctx.key("plan", key, "provenance"),
                      "target": [made.careplan, *made.derived], "recorded": noon(ctx.today), "agent": agents,
                      "entity": [{"role": "source", "what": {
                          "identifier": {"system": c.CONTENT_FINGERPRINT, "value": content},
                          "display": f"{where}, content fingerprint {content}"}}]}
    if signatures:
        resource["signature"] = signatures
    ctx.add(resource)
