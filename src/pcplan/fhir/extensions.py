"""pcplan's own extensions: what the records hold that eLTSS has no element for, carried rather than dropped.

Each extension is declared once here (its name, where it sits, the pcplan field it carries, and its
sub-extensions), and the table in docs/fhir.md lists the same ones (tests/test_export_fhir.py compares
them); pcplan.fhir.definitions makes each one's StructureDefinition from this table. An extension's URL
is ``https://pcplan.dev/fhir/StructureDefinition/NAME``; a sub-extension's url
is its bare name, as FHIR has it for complex extensions.

A value of the wrong type (a schema error exported with ``--allow-errors``) is left out, never
guessed at; an extension left with nothing in it is not written (ext-1: an extension has a value or
sub-extensions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..dates import parse_iso
from .codes import PCPLAN

Resolver = Callable[[str, Any], "dict | None"]  # (kind, value) → a Reference, for kinds staff/need/goal/support


@dataclass(frozen=True)
class Field:
    key: str  # the record's key (one level)
    name: str  # the sub-extension's url
    kind: str  # string, text, date, boolean, code, integer, or a reference kind: staff, need, goal, support
    repeats: bool = False  # the record holds a list: one sub-extension per item
    fields: tuple[Field, ...] = ()  # kind "complex": the nested fields


@dataclass(frozen=True)
class Spec:
    name: str
    context: str  # the FHIR element it extends
    source: str  # the pcplan field it carries
    description: str
    kind: str = "complex"  # complex, or the value kind of a simple extension
    fields: tuple[Field, ...] = ()

    @property
    def url(self) -> str:
        return f"{PCPLAN}/StructureDefinition/{self.name}"


VALUE = {"string": "valueString", "text": "valueString", "date": "valueDate", "boolean": "valueBoolean",
         "code": "valueCode", "integer": "valueInteger"}
REFERENCE_KINDS = ("staff", "need", "goal", "support")

_INTERPRETER = (Field("name", "name", "string"), Field("agency", "agency", "string"),
                Field("language", "language", "code"), Field("declined", "declined", "boolean"),
                Field("declined_reason", "declinedReason", "text"))
_UNMET = (Field("raised_on", "raisedOn", "date"), Field("item", "item", "integer"), Field("goal", "goal", "goal"),
          Field("referral", "referral", "text"), Field("deferred", "deferred", "text"))

SPECS: dict[str, Spec] = {spec.name: spec for spec in (
    # Patient
    Spec("document-format", "Patient", "member.document_format",
         "The format the member reads documents in: print, large_print, braille or electronic.", "code"),
    Spec("identity-language", "Patient", "member.identity_language",
         "How the member wants to be described: person_first or identity_first.", "code"),
    Spec("rights-explained", "Patient", "member.rights_explained_on",
         "When rights and responsibilities, conflict-free case management included, were explained (C306).",
         "date"),
    Spec("case-manager-choice-offered", "Patient", "member.choice_of_case_manager_offered_on",
         "When the member was offered a choice of case manager (C307).", "date"),
    # EpisodeOfCare
    Spec("program", "EpisodeOfCare", "member.programs[]",
         "A program the member enrolled in during the episode, and how eligibility was determined (A607).",
         fields=(Field("program", "program", "string"), Field("determined_on", "determinedOn", "date"),
                 Field("determined_by", "determinedBy", "staff"), Field("basis", "basis", "text"),
                 Field("enrolled_on", "enrolledOn", "date"), Field("ended_on", "endedOn", "date"),
                 Field("referral_source", "referralSource", "text"))),
    Spec("case-manager-assignment", "EpisodeOfCare", "member.case_managers[]",
         "One case-manager assignment: who, from and to, who assigned, the member's choice and preferences, "
         "the reason (A601, A606, C309).",
         fields=(Field("staff", "staff", "staff"), Field("from", "from", "date"), Field("to", "to", "date"),
                 Field("assigned_by", "assignedBy", "staff"), Field("chosen_by_member", "chosenByMember", "boolean"),
                 Field("preferences", "preferences", "text"), Field("preferences_met", "preferencesMet", "boolean"),
                 Field("preference_unmet_reason", "preferenceUnmetReason", "text"),
                 Field("reason", "reason", "text"))),
    Spec("hold", "EpisodeOfCare", "member.holds[]",
         "A recorded pause of contact frequencies: start, end, reason, who recorded it.",
         fields=(Field("start", "start", "date"), Field("end", "end", "date"), Field("reason", "reason", "text"),
                 Field("recorded_by", "recordedBy", "staff"))),
    Spec("closure", "EpisodeOfCare", "closure*.yaml",
         "How the episode ended: reason, exit interview (or its decline), next-stage plan, referrals (X701).",
         fields=(Field("date", "date", "date"), Field("reason", "reason", "code"),
                 Field("exit_interview", "exitInterview", "complex", fields=(
                     Field("held_on", "heldOn", "date"), Field("with", "with", "string", repeats=True),
                     Field("summary", "summary", "text"), Field("declined", "declined", "boolean"),
                     Field("declined_reason", "declinedReason", "text"))),
                 Field("next_stage_plan", "nextStagePlan", "text"),
                 Field("referrals", "referral", "complex", repeats=True, fields=(
                     Field("to", "to", "string"), Field("for", "for", "text"), Field("on", "on", "date"))),
                 Field("agency_can_still_help", "agencyCanStillHelp", "text"),
                 Field("transferred_to", "transferredTo", "string"))),
    # Encounter (the planning meeting)
    Spec("planning-meeting", "Encounter", "plan.meeting",
         "The planning meeting as person-centered planning asks: the place, whether the member chose the time and "
         "place (P404), whether the member led it, every participant and whether the member invited them, and "
         "the interpreter (P410).",
         fields=(Field("place", "place", "text"), Field("chosen_by_member", "chosenByMember", "boolean"),
                 Field("facilitator", "facilitator", "code"),
                 Field("participants", "participant", "complex", repeats=True, fields=(
                     Field("name", "name", "string"), Field("role", "role", "string"), Field("staff", "staff", "staff"),
                     Field("invited_by_member", "invitedByMember", "boolean"))),
                 Field("interpreter", "interpreter", "complex", fields=_INTERPRETER))),
    # CarePlan
    Spec("lifecycle-state", "CarePlan", "pcplan.facts.lifecycle",
         "The plan's state as of --today: draft, consented, in-effect, superseded or expired "
         "(CarePlan.status says less: consented and in effect are both active).", "code"),
    Spec("consent-date", "CarePlan", "pcplan.facts.lifecycle (signatures)",
         "The day the member's or legal representative's consent was first on record.", "date"),
    Spec("assessment", "CarePlan", "assessment-*.yaml",
         "The assessment the plan is based on: id, date, type, assessor, sources, participants, interpreter "
         "(its needs, strengths and risks are Conditions, Observations and RiskAssessments).",
         fields=(Field("id", "id", "string"), Field("date", "date", "date"), Field("type", "type", "code"),
                 Field("assessor", "assessor", "staff"), Field("sources", "source", "code", repeats=True),
                 Field("participants", "participant", "complex", repeats=True, fields=(
                     Field("name", "name", "string"), Field("role", "role", "string"),
                     Field("staff", "staff", "staff"))),
                 Field("interpreter", "interpreter", "complex", fields=_INTERPRETER))),
    Spec("monitoring", "CarePlan", "plan.monitoring",
         "Who monitors the plan, the contact frequency of each contact type, and the review frequency (T209).",
         fields=(Field("responsible", "responsible", "staff"),
                 Field("contacts", "contact", "complex", repeats=True, fields=(
                     Field("type", "type", "code"), Field("every", "every", "string"))),
                 Field("review_every", "reviewEvery", "string"))),
    Spec("review", "CarePlan", "plan.reviews[]",
         "A periodic review held: date, by, outcome, summary, the member's own view, unmet needs (P411).",
         fields=(Field("date", "date", "date"), Field("by", "by", "staff"), Field("outcome", "outcome", "code"),
                 Field("summary", "summary", "text"), Field("member_view", "memberView", "text"),
                 Field("unmet_needs", "unmetNeed", "complex", repeats=True, fields=_UNMET))),
    Spec("deferred-need", "CarePlan", "plan.deferred_needs[]",
         "An assessed need the plan does not take up now, and why (L103).",
         fields=(Field("need", "need", "need"), Field("reason", "reason", "text"))),
    Spec("barrier", "CarePlan", "assessment.barriers[] and plan.strategies[]",
         "A barrier from the assessment, the needs it stands in the way of, and the plan's strategies for it "
         "(L107).",
         fields=(Field("id", "id", "string"), Field("text", "text", "text"),
                 Field("needs", "need", "need", repeats=True),
                 Field("strategies", "strategy", "text", repeats=True))),
    Spec("unmet-need", "CarePlan", "plan.unmet_needs[]",
         "An unmet need raised in a contact note and how this plan takes it up (L110).", fields=_UNMET),
    Spec("rights-modification", "CarePlan", "plan.rights_modifications[]",
         "A modification of a setting right with the eight elements 42 CFR 441.301(c)(4)(vi)(F) requires (H501).",
         fields=(Field("id", "id", "string"), Field("right", "right", "text"),
                 Field("assessed_need", "assessedNeed", "text"),
                 Field("prior_interventions", "priorInterventions", "text"),
                 Field("less_intrusive_methods", "lessIntrusiveMethods", "text"),
                 Field("condition", "condition", "text"), Field("data_collection", "dataCollection", "text"),
                 Field("review_every", "reviewEvery", "string"), Field("review_by", "reviewBy", "date"),
                 Field("consent", "consent", "complex", fields=(
                     Field("given_by", "givenBy", "string"), Field("on", "on", "date"))),
                 Field("no_harm_assurance", "noHarmAssurance", "text"))),
    Spec("distribution", "CarePlan", "plan.distribution[]",
         "Who received a copy of the plan, when, in what format and language, or declined it (C303, C304, C310).",
         fields=(Field("to", "to", "string"), Field("role", "role", "code"),
                 Field("copy_given", "copyGiven", "boolean"),
                 Field("given_on", "givenOn", "date"), Field("format", "format", "code"),
                 Field("language", "language", "code"), Field("declined", "declined", "boolean"),
                 Field("declined_reason", "declinedReason", "text"))),
    Spec("notice", "CarePlan", "plan.notices[]",
         "Advance notice to the member of a reduced or ended paid support (C308).",
         fields=(Field("support", "support", "support"), Field("given_on", "givenOn", "date"),
                 Field("method", "method", "code"), Field("requested_by_member", "requestedByMember", "boolean"))),
    Spec("documented-exception", "CarePlan", "plan.exceptions[]",
         "A rule that could not be met, with the reason, who documented it and when (DESIGN.md §2).",
         fields=(Field("rule", "rule", "code"), Field("about", "about", "string"), Field("reason", "reason", "text"),
                 Field("documented_by", "documentedBy", "staff"), Field("on", "on", "date"),
                 Field("from", "from", "date"), Field("until", "until", "date"))),
    # Task (an objective)
    Spec("measure", "Task", "plan.goals[].objectives[].measure",
         "How progress on the objective is measured (L112).", "text"),
    # ServiceRequest
    Spec("paid", "ServiceRequest", "plan.supports[].paid",
         "true for a paid service, false for an unpaid (natural) support.", "boolean"),
    Spec("responsible", "ServiceRequest", "plan.supports[].responsible",
         "Who is responsible for arranging the support.", "string"),
    Spec("funding", "ServiceRequest", "plan.supports[].authorization.funding",
         "Who pays for the support (a program of member.yaml, state_plan, state_funds, private or natural), "
         "when the Bundle has no Coverage for it: natural or private funding, or a member without a Medicaid id.",
         "string"),
    # Condition
    Spec("need-priority", "Condition", "assessment.needs[].priority", "The need's priority (1 first).", "integer"),
    # Contract.signer.signature
    Spec("signature-method", "Signature", "plan.signatures[].method",
         "How the signature was given: wet, electronic, verbal or mark.", "code"),
    Spec("signed-fingerprint", "Signature", "plan.signatures[].fingerprint",
         "The plan's content fingerprint recorded at signing (C305).", "string"),
    # Contract
    Spec("signature-exception", "Contract", "plan.signatures[] without a dated signature",
         "A signature line that is not a dated signature (Contract.signer needs one): a documented refusal with "
         "its reason, or a signature whose date is missing.",
         fields=(Field("role", "role", "code"), Field("name", "name", "string"), Field("staff", "staff", "staff"),
                 Field("refused", "refused", "boolean"), Field("refused_on", "refusedOn", "date"),
                 Field("refusal_reason", "refusalReason", "text"), Field("method", "method", "code"))),
)}


def build(name: str, data: Any, resolve: Resolver) -> dict | None:
    """The extension ``name`` carrying ``data`` (a mapping for a complex one, a value for a simple one)."""
    spec = SPECS[name]
    if spec.kind == "complex":
        parts = _fields(spec.fields, data, resolve)
        return {"url": spec.url, "extension": parts} if parts else None
    value = _value(spec.kind, data, resolve)
    return {"url": spec.url, **value} if value else None


def build_all(name: str, items: list, resolve: Resolver) -> list[dict]:
    return [ext for item in items if (ext := build(name, item, resolve)) is not None]


def _fields(fields: tuple[Field, ...], data: Any, resolve: Resolver) -> list[dict]:
    if not isinstance(data, dict):
        return []
    out: list[dict] = []
    for field in fields:
        raw = data.get(field.key)
        values = raw if field.repeats and isinstance(raw, list) else [] if field.repeats else [raw]
        for value in values:
            if field.kind == "complex":
                nested = _fields(field.fields, value, resolve)
                if nested:
                    out.append({"url": field.name, "extension": nested})
            elif (converted := _value(field.kind, value, resolve)):
                out.append({"url": field.name, **converted})
    return out


def _value(kind: str, value: Any, resolve: Resolver) -> dict | None:
    if kind in REFERENCE_KINDS:
        ref = resolve(kind, value) if isinstance(value, str) and value.strip() else None
        return {"valueReference": ref} if ref else None
    if kind == "date":
        day = parse_iso(value)
        return {"valueDate": day.isoformat()} if day else None
    if kind == "boolean":
        return {"valueBoolean": value} if isinstance(value, bool) else None
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool) and -2**31 <= value < 2**31
        return {"valueInteger": value} if ok else None
    if isinstance(value, str) and value.strip():
        return {VALUE[kind]: " ".join(value.split()) if kind == "code" else value}
    return None


def table() -> str:
    """The Markdown table of the extensions, as docs/fhir.md shows it (a test compares the two)."""
    def kinds(fields: tuple[Field, ...]) -> str:
        out = []
        for f in fields:
            mark = "*" if f.repeats else ""
            if f.kind == "complex":
                out.append(f"{f.name}{mark} ({kinds(f.fields)})")
            else:
                out.append(f"{f.name}{mark}: {_type(f.kind)}")
        return ", ".join(out)

    rows = ["| extension | on | carries | what it says | value, or sub-extensions (* repeats) |",
            "|---|---|---|---|---|"]
    for spec in SPECS.values():
        shape = kinds(spec.fields) if spec.kind == "complex" else f"value{_type(spec.kind)}"
        rows.append(f"| `{spec.name}` | {spec.context} | `{spec.source}` | {spec.description} | {shape} |")
    return "\n".join(rows) + "\n"


def _type(kind: str) -> str:
    return "Reference" if kind in REFERENCE_KINDS else VALUE[kind][len("value"):]
