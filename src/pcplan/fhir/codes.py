"""Code systems, profile URLs and the code tables of the export, each with where it comes from.

The eLTSS guide's files are cited by path under its FSH sources (``fsh/...``) and by its element
mapping table (``pages/eLTSS_to_FHIR_R4_element.xml``); pcplan's own codes live under
``https://pcplan.dev/fhir`` (docs/fhir.md).
"""

from __future__ import annotations

# ---------------------------------------------------------------- canonical URLs

ELTSS = "http://hl7.org/fhir/us/eltss"  # the guide's canonical (fsh/examples/example.fsh: meta.profile)
PCPLAN = "https://pcplan.dev/fhir"  # pcplan's own canonical: extensions, code systems, identifier systems

PROFILE = {kind: f"{ELTSS}/StructureDefinition/{kind}-eltss" for kind in (
    "CarePlan", "Condition", "Contract", "EpisodeOfCare", "Goal", "Observation", "Patient", "Practitioner",
    "PractitionerRole", "QuestionnaireResponse", "Questionnaire", "RelatedPerson", "RiskAssessment",
    "ServiceRequest")}

# fsh/codesystems/ELTSS_Condition_Category_Codes.fsh (Id: eltss-condition-category-code, #assessed-need)
ELTSS_CONDITION_CATEGORY = f"{ELTSS}/CodeSystem/eltss-condition-category-code"
# fsh/codesystems/ELTSS_Observation_Codes.fsh (Id: eltss-observation-codes-temporary, #strength)
ELTSS_OBSERVATION_CODE = f"{ELTSS}/CodeSystem/eltss-observation-codes-temporary"
# fsh/profiles/ServiceRequest_eltss.fsh:13, fsh/profiles/Observation_eltss.fsh:19-20 (resource-pertainsToGoal)
PERTAINS_TO_GOAL = "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal"

US_CORE_CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONTRACT_SIGNER = "http://terminology.hl7.org/CodeSystem/contractsignertypecodes"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
PROVIDER_TAXONOMY = "http://nucc.org/provider-taxonomy"
BCP47 = "urn:ietf:bcp:47"
UCUM = "http://unitsofmeasure.org"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
LOINC = "http://loinc.org"
V2_0131 = "http://terminology.hl7.org/CodeSystem/v2-0131"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
PRONOUNS = "http://hl7.org/fhir/StructureDefinition/individual-pronouns"

# HCPCS, as the guide's examples code a service (fsh/examples/example.fsh:193, 232, 265: Level II and Level I
# codes alike) for the binding of ServiceRequest.code (fsh/profiles/ServiceRequest_eltss.fsh:32,
# v3-HealthCareCommonProcedureCodingSystem); a support's modifiers are coded in the same system.
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
# the guide's Self-Directed Service Indicator (fsh/extensions/Eltss_directedBy.fsh; example service1: text "self")
DIRECTED_BY = f"{ELTSS}/StructureDefinition/eltss-directedBy"
NPI = "http://hl7.org/fhir/sid/us-npi"  # US Core's NPI identifier system

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
# The US Core profile a resource claims when its eLTSS profile asks for what the records do not hold (name parts).
US_CORE_PROFILE = {kind: f"{US_CORE}/us-core-{kind.lower()}" for kind in (
    "Patient", "Organization", "ServiceRequest", "Practitioner", "PractitionerRole", "Coverage")}

# pcplan's identifier systems: ids are unique within one agency's repository.
MEMBER_ID = f"{PCPLAN}/sid/member-id"
PLAN_ID = f"{PCPLAN}/sid/plan-id"
STAFF_ID = f"{PCPLAN}/sid/staff-id"
ITEM_ID = f"{PCPLAN}/sid/item-id"  # a need, goal, objective, support or risk: MEMBER/ASSESSMENT-OR-PLAN/ITEM
CONTENT_FINGERPRINT = f"{PCPLAN}/sid/content-fingerprint"
PROVIDER_ID = f"{PCPLAN}/sid/provider-id"  # providers.yaml `id`
# Medicaid provider ids (providers.yaml `medicaid_id`): a state's own system is not known to pcplan.
PROVIDER_MEDICAID_ID = f"{PCPLAN}/sid/provider-medicaid-id"
# member.yaml `identifiers[].system` words → (identifier system, v2-0203 type code and display, or None). A URI
# is used as written. The state's own systems are not known to pcplan, so these are pcplan's (docs/fhir.md).
MEMBER_IDENTIFIER = {
    "medicaid": (f"{PCPLAN}/sid/medicaid", ("MA", "Patient Medicaid number")),
    "state": (f"{PCPLAN}/sid/state-id", ("SR", "State registry ID")),
    "mrn": (f"{PCPLAN}/sid/mrn", ("MR", "Medical record number")),
    "ssn-last4": (f"{PCPLAN}/sid/ssn-last4", None),  # four digits are not a Social Security number (v2 SS)
}
QUESTIONNAIRE = f"{PCPLAN}/Questionnaire/eltss-person-centered-planning"
# The guide's choice questionnaire (fsh/examples/example.fsh:762-795, questionnaire1: items q1-q7)
ELTSS_QUESTIONNAIRE = f"{ELTSS}/Questionnaire/questionnaire1"


def code_system(name: str) -> str:
    """One of pcplan's code systems (their codes are pcplan's schema values, listed in docs/fhir.md)."""
    return f"{PCPLAN}/CodeSystem/{name}"


def coding(system: str, code: str, display: str | None = None) -> dict:
    out = {"system": system, "code": " ".join(code.split())}  # FHIR's code: no outer or double spaces
    if display:
        out["display"] = display
    return out


def concept(system: str | None = None, code: str | None = None, display: str | None = None,
            text: str | None = None) -> dict:
    out: dict = {}
    if system and code:
        out["coding"] = [coding(system, code, display)]
    if text:
        out["text"] = text
    return out


# ---------------------------------------------------------------- statuses

# The plan's state (pcplan.facts.lifecycle) → CarePlan.status (RequestStatus, a required binding). The guide's
# useful-elements table lists draft, active, completed and cancelled (R4 renamed cancelled to revoked).
# A plan consented but not started yet is `active` with a period that has not begun.
CAREPLAN_STATUS = {
    "draft": "draft",
    "consented": "active",
    "in effect": "active",
    "superseded": "revoked",  # ended before its own period by a newer plan, which `replaces` it
    "expired": "completed",  # its period (or its episode) ran out with nothing newer
}
# Contract.status (ContractResourceStatusCodes, required): signed once consent was given, else offered.
CONTRACT_STATUS = {"draft": "offered"}  # every other state: executed

# goal `status` → Goal.lifecycleStatus (GoalLifecycleStatus, required) and achievementStatus
GOAL_STATUS = {"active": "active", "achieved": "completed", "discontinued": "cancelled", "on_hold": "on-hold"}
# objective `status` → Task.status (TaskStatus, required)
TASK_STATUS = {"active": "in-progress", "achieved": "completed", "discontinued": "cancelled", "on_hold": "on-hold"}

# risk `level` → RiskAssessment.prediction.qualitativeRisk (risk-probability)
RISK_LEVEL = {"low": ("low", "Low likelihood"), "medium": ("moderate", "Moderate likelihood"),
              "high": ("high", "High likelihood")}

# need `domain` → an extra US Core category where one fits (the guide's example need1: us-core-category#sdoh)
SDOH_DOMAINS = frozenset({"housing", "food", "income_and_benefits", "employment", "education", "transportation",
                          "social_connection", "safety", "legal"})

# ---------------------------------------------------------------- people

# representative `authority` → RelatedPerson.relationship (v3 RoleCode) where one fits
AUTHORITY_ROLE = {"legal_guardian": ("GUARD", "guardian"), "power_of_attorney": ("POWATT", "power of attorney")}

# The words people write for a relationship → v3 RoleCode (PatientRelationshipType, the guide's row 56).
RELATIONSHIP = {
    "mother": ("MTH", "mother"), "father": ("FTH", "father"), "parent": ("PRN", "parent"),
    "sister": ("SIS", "sister"), "brother": ("BRO", "brother"), "sibling": ("SIB", "sibling"),
    "daughter": ("DAU", "natural daughter"), "son": ("SON", "natural son"), "child": ("CHILD", "child"),
    "wife": ("WIFE", "wife"), "husband": ("HUSB", "husband"), "spouse": ("SPS", "spouse"),
    "partner": ("DOMPART", "domestic partner"), "domestic partner": ("DOMPART", "domestic partner"),
    "grandmother": ("GRMTH", "grandmother"), "grandfather": ("GRFTH", "grandfather"),
    "grandparent": ("GRPRN", "grandparent"), "aunt": ("AUNT", "aunt"), "uncle": ("UNCLE", "uncle"),
    "cousin": ("COUSN", "cousin"), "niece": ("NIECE", "niece"), "nephew": ("NEPHEW", "nephew"),
    "friend": ("FRND", "unrelated friend"), "neighbor": ("NBOR", "neighbor"), "neighbour": ("NBOR", "neighbor"),
    "roommate": ("ROOM", "roommate"), "guardian": ("GUARD", "guardian"),
}

# signature `role` → Contract.signer.type (contractsignertypecodes) and Signature.type (ASTM E1762-95).
# Member and legal representative: consent (.7), the guide's row 26; case manager: author (.1), row 32;
# providers: the guide's example contract1 (HPROV, .7).
CONSENT_SIGNATURE = ("1.2.840.10065.1.12.1.7", "Consent Signature")
SIGNER = {
    "member": (("PAT", "Patient"), CONSENT_SIGNATURE),
    "legal_guardian": (("GUARD", "Guardian"), CONSENT_SIGNATURE),
    "power_of_attorney": (("POWATT", "Power of Attorney"), CONSENT_SIGNATURE),
    "authorized_representative": (("AGNT", "Agent"), CONSENT_SIGNATURE),
    "representative": (("CONSWIT", "Consent Witness"), ("1.2.840.10065.1.12.1.11", "Consent Witness Signature")),
    "case_manager": (("AUT", "Author"), ("1.2.840.10065.1.12.1.1", "Author's Signature")),
    "supervisor": (("REVIEWER", "Reviewer"), ("1.2.840.10065.1.12.1.13", "Review Signature")),
    "provider": (("HPROV", "Healthcare Provider"), CONSENT_SIGNATURE),
    "other": (("COPART", "Co-Participant"), ("1.2.840.10065.1.12.1.3", "Co-participant's Signature")),
}

# emergency contact → Patient.contact.relationship (v2-0131, the guide's rows 7-9)
EMERGENCY_CONTACT = ("C", "Emergency Contact")
# administrative sex (member.yaml) as written is FHIR's AdministrativeGender
GENDERS = frozenset({"male", "female", "other", "unknown"})

# staff `role` → PractitionerRole.code (the guide's example PractitionerRole-1 uses NUCC 171M00000X)
STAFF_ROLE = {"case_manager": ("171M00000X", "Case Manager/Care Coordinator")}

# ---------------------------------------------------------------- services

# support `frequency` → the quantityRatio denominator (value, UCUM code, unit); the guide's units table
# (pages/eLTSS_to_FHIR_R4_element.xml, "Units table") writes "per week" as 1 wk.
PER = {"daily": (1, "d", "day"), "weekly": (1, "wk", "week"), "biweekly": (2, "wk", "week"),
       "monthly": (1, "mo", "month"), "quarterly": (3, "mo", "month"), "yearly": (1, "a", "year")}

# support `unit` (singular or plural, any case) → (system, code) for the numerator, from the units table.
UNITS = {
    "minute": (UCUM, "min"), "hour": (UCUM, "h"), "day": (UCUM, "d"), "week": (UCUM, "wk"), "month": (UCUM, "mo"),
    "quarter hour": (UCUM, "h/4"), "half day": (UCUM, "d/2"), "full day": (UCUM, "d"),
    "visit": (NCIT, "C25716"), "session": (NCIT, "C25716"), "meal": (NCIT, "C80248"), "mile": (NCIT, "C71183"),
    "trip": (NCIT, "C141286"), "dollar": (NCIT, "C173108"), "install": (NCIT, "C81906"),
    "installation": (NCIT, "C81906"),
}


def unit_code(unit: str) -> tuple[str, str] | None:
    word = " ".join(unit.casefold().split())
    if word in UNITS:
        return UNITS[word]
    if word.endswith("s") and word[:-1] in UNITS:
        return UNITS[word[:-1]]
    return None
