"""`pcplan export fhir`, the conformant export (issue 24): HCPCS-coded ServiceRequests (a member whose paid
support has no code held back unless --allow-incomplete), providers with NPI and phone, the member's
identifiers, name parts as written (never guessed), address parts and emergency contacts, groups of
supporters as Organizations, Coverage for funding, the guide's questionnaire items and its signatures.

Each test builds its member in a copy of the reference repository (the `repo` fixture), adding the fields
itself, and drives the real command.
"""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ELENA_MEMBER, ELENA_PLAN
from pcplan.cli import app
from pcplan.fhir import codes
from pcplan.fhir.ids import resource_id

ABSENT = [{"url": codes.DATA_ABSENT_REASON, "valueCode": "unknown"}]

PROVIDERS = """kind: providers
version: 1
providers:
  - id: pv-sunrise-home-care
    name: Sunrise Home Care
    type: organization
    npi: "1193847500"
    medicaid_id: "CO-004459"
    phone: "970-555-0302"
    address_parts: {lines: ["1010 8th Avenue"], city: Greeley, state: CO, postal_code: "80631"}
  - id: pv-new-hope
    name: Greater New Hope Baptist Church
    type: organization
    phone: "970-555-0388"
  - id: pv-ana-flores
    name: Ana Flores
    type: individual
    npi: "1508866209"
    phone: "970-555-0377"
"""

# SP1 and SP3 coded (HCPCS, and a state's own code system); SP2 coded, with a modifier and an authorization;
# SP4 (unpaid) given by a church named in providers.yaml.
CODES = (
    ("    provider: Sunrise Home Health\n",
     "    provider: Sunrise Home Health\n    service: {code: T1030, display: Nursing care in the home}\n"
     "    authorization: {units: 4, per: month, unit: visit, funding: state_plan}\n"),
    ("    provider: Sunrise Home Care\n",
     "    provider: Sunrise Home Care\n    provider_id: pv-sunrise-home-care\n"
     "    service: {system: hcpcs, code: T1019, modifiers: [U1], display: Personal care services}\n"
     "    authorization: {units: 24, per: month, unit: hour, funding: HCBS-EBD, rate: 6.5, self_directed: true,\n"
     "                    where: Sunrise adult day center, comment: Mornings before ten.}\n"),
    ("    provider: Weld Transit Non-Medical Transportation\n",
     "    provider: Weld Transit Non-Medical Transportation\n"
     "    service: {system: \"https://medicaid.example.gov/codes\", code: NMT-01}\n"),
    ("    provider: Rosa Ruiz (sister)\n",
     "    provider: Greater New Hope Baptist Church\n    provider_id: pv-new-hope\n"),
)


def run(cwd, *args: str, env: dict | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def export(repo, tmp_path, *extra: str, member: str = "members/M-000123"):
    out = tmp_path / "out.json"
    result = run(repo.root, "export", "fhir", member, "-o", str(out), "--force", "--today", "2026-11-22", *extra)
    return result, (json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None)


def of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def target(bundle: dict, ref: dict) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == ref["reference"])


def support(bundle: dict, sid: str) -> dict:
    return next(r for r in of(bundle, "ServiceRequest") if r["identifier"][0]["value"] == f"M-000123/P1/{sid}")


@pytest.fixture
def coded(repo):
    """Elena's plan with every paid support coded, providers.yaml, and staff with phone and NPI."""
    for old, new in CODES:
        repo.edit(ELENA_PLAN, old, new)
    repo.write("providers.yaml", PROVIDERS)
    repo.edit("staff.yaml", "  - id: cm-jlee\n    name: Jordan Lee\n",
              "  - id: cm-jlee\n    name: Jordan Lee\n    phone: \"970-555-0150\"\n    npi: \"1659432871\"\n")
    return repo


@pytest.fixture
def bundle(coded, tmp_path):
    result, exported = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    return exported


# ---------------------------------------------------------------- service codes, and the member held back


def test_a_coded_support_is_coded_with_hcpcs_and_its_modifiers(bundle):
    """ServiceRequest_eltss.fsh:32: code from v3-HealthCareCommonProcedureCodingSystem; HCPCS as the guide's
    examples write it (example.fsh:193)."""
    personal_care = support(bundle, "SP2")
    assert personal_care["meta"] == {"profile": [codes.PROFILE["ServiceRequest"]]}
    assert personal_care["code"] == {
        "coding": [{"system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "T1019",
                    "display": "Personal care services"}],
        "text": "A personal care aide helps with bathing and housework."}
    assert personal_care["orderDetail"] == [
        {"coding": [{"system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "U1"}],
         "text": "modifier U1"}]
    assert support(bundle, "SP1")["code"]["coding"] == [
        {"system": codes.HCPCS, "code": "T1030", "display": "Nursing care in the home"}]


def test_a_state_code_system_is_used_as_written(bundle):
    rides = support(bundle, "SP3")
    assert rides["code"] == {"coding": [{"system": "https://medicaid.example.gov/codes", "code": "NMT-01"}],
                             "text": "Rides to medical appointments."}
    # not HCPCS, so not the guide's binding: the ServiceRequest claims US Core's profile
    assert rides["meta"] == {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest"]}
    assert "orderDetail" not in rides


def test_a_paid_support_without_a_code_holds_the_member_back(repo, tmp_path):
    result, exported = export(repo, tmp_path)
    assert result.exit_code == 1 and exported is None
    places = [repo.locate(ELENA_PLAN, f"id: {sid}") for sid in ("SP1", "SP2", "SP3")]
    assert [line for line in result.stderr.splitlines() if "service code" in line and "pcplan:" not in line] == [
        f"members/M-000123/plan-2026-09-03.yaml:{line}:{column}: paid support {sid} has no service code "
        "(service.code): a conformant export codes every paid service"
        for (line, column), sid in zip(places, ("SP1", "SP2", "SP3"), strict=True)]  # SP4 is unpaid
    assert ("pcplan: members/M-000123: 3 paid supports without a service code; not exported; add each one's "
            "service.code or pass --allow-incomplete") in result.stderr
    assert "exported 0 of 1 member; 1 held back" in result.stderr


def test_allow_incomplete_exports_it_with_the_service_name_alone(repo, tmp_path):
    result, exported = export(repo, tmp_path, "--allow-incomplete")
    assert result.exit_code == 0 and exported is not None
    assert "3 paid supports without a service code; exported anyway (--allow-incomplete)" in result.stderr
    nursing = support(exported, "SP1")
    assert nursing["code"] == {"text": "A home health nurse sets up the weekly pill organizer and teaches the "
                                       "insulin routine."}
    assert nursing["meta"] == {"profile": [codes.US_CORE_PROFILE["ServiceRequest"]]}


def test_the_notice_names_ids_and_places_only_under_ci(repo, tmp_path):
    result, _ = export(repo, tmp_path)
    private = run(repo.root, "export", "fhir", "members/M-000123", "-o", str(tmp_path / "x.json"), "--today",
                  "2026-11-22", env={"CI": "true"})
    assert private.exit_code == 1
    assert "paid support SP1 has no service code" in private.stderr
    assert "home health nurse" not in private.stderr and "Sunrise" not in private.stderr


# ---------------------------------------------------------------- providers and staff


def test_a_listed_organization_is_a_us_core_organization_with_npi_medicaid_id_phone_and_address(bundle):
    provider = target(bundle, support(bundle, "SP2")["performer"][0])
    assert provider == {
        "resourceType": "Organization", "id": resource_id("provider", "pv-sunrise-home-care"),
        "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization"]},
        "identifier": [
            {"type": {"coding": [{"system": codes.V2_0203, "code": "NPI", "display": "National provider identifier"}]},
             "system": "http://hl7.org/fhir/sid/us-npi", "value": "1193847500"},
            {"type": {"coding": [{"system": codes.V2_0203, "code": "MCD",
                                  "display": "Practitioner Medicaid number"}]},
             "system": "https://pcplan.dev/fhir/sid/provider-medicaid-id", "value": "CO-004459"},
            {"system": "https://pcplan.dev/fhir/sid/provider-id", "value": "pv-sunrise-home-care"}],
        "active": True, "name": "Sunrise Home Care",
        "telecom": [{"system": "phone", "value": "970-555-0302"}],
        "address": [{"line": ["1010 8th Avenue"], "city": "Greeley", "state": "CO", "postalCode": "80631"}]}


def test_a_provider_who_signs_is_the_listed_provider(bundle):
    (contract,) = of(bundle, "Contract")
    signer = next(s for s in contract["signer"] if s["type"]["code"] == "HPROV"
                  and target(bundle, s["party"]).get("name") == "Sunrise Home Care")
    assert signer["party"] == {"reference": f"urn:uuid:{resource_id('provider', 'pv-sunrise-home-care')}"}
    # Contract_eltss.fsh: signature type, when, who (= party); no signature data: pcplan keeps none
    assert signer["signature"] == [{"extension": [{"url": "https://pcplan.dev/fhir/StructureDefinition/"
                                                          "signature-method", "valueCode": "electronic"}],
                                    "type": [{"system": "urn:iso-astm:E1762-95:2013",
                                              "code": "1.2.840.10065.1.12.1.7", "display": "Consent Signature"}],
                                    "when": "2026-09-08T12:00:00Z", "who": signer["party"]}]


def test_staff_phone_meets_pd_1_and_npi_identifies_the_practitioner(bundle):
    (plan,) = [r for r in of(bundle, "CarePlan") if "partOf" not in r]
    role = target(bundle, plan["author"])
    assert role["meta"] == {"profile": [codes.PROFILE["PractitionerRole"]]}
    assert role["telecom"] == [{"system": "phone", "value": "970-555-0150"}]  # US Core pd-1
    jordan = target(bundle, role["practitioner"])
    assert jordan["identifier"][0] == {
        "type": {"coding": [{"system": codes.V2_0203, "code": "NPI", "display": "National provider identifier"}]},
        "system": "http://hl7.org/fhir/sid/us-npi", "value": "1659432871"}
    assert jordan["telecom"] == [{"system": "phone", "value": "970-555-0150"}]
    assert jordan["name"] == [{"text": "Jordan Lee"}]  # staff.yaml writes one string: no guessed family name


def test_a_staff_member_without_a_phone_has_no_practitioner_role(coded, tmp_path):
    """US Core pd-1: a PractitionerRole has contact details or an endpoint. Without a phone the plan's author is
    the Practitioner itself (CarePlan_eltss.fsh:40 allows it), and no PractitionerRole is written."""
    coded.edit("staff.yaml", "    phone: \"970-555-0150\"\n", "")
    result, bundle = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert of(bundle, "PractitionerRole") == []
    (plan,) = [r for r in of(bundle, "CarePlan") if "partOf" not in r]
    assert target(bundle, plan["author"])["identifier"][-1] == {"system": "https://pcplan.dev/fhir/sid/staff-id",
                                                                "value": "cm-jlee"}


# ---------------------------------------------------------------- the member


MEMBER_IDENTITY = (
    ("  legal: Maria Elena Ruiz\n",
     "  legal: Maria Elena Ruiz\n  given: Maria Elena\n  family: Ruiz\n"),
    ("birth_date: 1961-04-09\n",
     "birth_date: 1961-04-09\nadministrative_sex: female\nidentifiers:\n  - {system: medicaid, value: A1234567}\n"
     "  - {system: ssn-last4, value: \"6789\"}\n  - {system: \"https://hcpf.example.gov/id\", value: CO-77}\n"),
    ("  address: 412 Aspen Court, Apt 3, Greeley, CO 80631\n",
     "  address: 412 Aspen Court, Apt 3, Greeley, CO 80631\n  address_parts: {lines: [412 Aspen Court, Apt 3], "
     "city: Greeley, state: CO, postal_code: \"80631\"}\nemergency_contacts:\n"
     "  - {name: Rosa Ruiz, relationship: sister, phone: \"970-555-0199\"}\n"
     "  - {name: Father Tomás, relationship: parish priest}\n"),
)


@pytest.fixture
def identified(coded, tmp_path):
    for old, new in MEMBER_IDENTITY:
        coded.edit(ELENA_MEMBER, old, new)
    result, exported = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    return of(exported, "Patient")[0]


def test_the_patient_carries_the_identifiers_as_written(identified):
    assert identified["identifier"][1:] == [
        {"type": {"coding": [{"system": codes.V2_0203, "code": "MA", "display": "Patient Medicaid number"}]},
         "system": "https://pcplan.dev/fhir/sid/medicaid", "value": "A1234567"},
        {"type": {"text": "last four digits of the SSN"}, "system": "https://pcplan.dev/fhir/sid/ssn-last4",
         "value": "6789"},
        {"system": "https://hcpf.example.gov/id", "value": "CO-77"}]


def test_name_parts_sex_and_address_parts_as_written(identified):
    assert identified["name"] == [
        {"use": "official", "text": "Maria Elena Ruiz", "family": "Ruiz", "given": ["Maria Elena"]},
        {"use": "usual", "text": "Elena", "family": "Ruiz", "given": ["Elena"]}]  # a first name: the family's
    assert identified["gender"] == "female"
    assert identified["address"] == [{"text": "412 Aspen Court, Apt 3, Greeley, CO 80631",
                                      "line": ["412 Aspen Court", "Apt 3"], "city": "Greeley", "state": "CO",
                                      "postalCode": "80631"}]


def test_emergency_contacts_are_patient_contacts(identified):
    assert identified["contact"] == [
        {"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C",
                                       "display": "Emergency Contact"}]},
                          {"coding": [{"system": codes.V3_ROLE_CODE, "code": "SIS", "display": "sister"}],
                           "text": "sister"}],
         "name": {"text": "Rosa Ruiz"}, "telecom": [{"system": "phone", "value": "970-555-0199"}]},
        {"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C",
                                       "display": "Emergency Contact"}]}, {"text": "parish priest"}],
         "name": {"text": "Father Tomás"}}]
    # a contact's name is one string: Patient-eltss wants its parts (contact.name.family 1..1), so US Core's
    assert identified["meta"] == {"profile": [codes.US_CORE_PROFILE["Patient"]]}


def test_name_parts_without_contacts_claim_the_eltss_profile(coded, tmp_path):
    coded.edit(ELENA_MEMBER, *MEMBER_IDENTITY[0])
    coded.edit(ELENA_MEMBER, "  preferred: Elena\n", "")
    result, exported = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert of(exported, "Patient")[0]["meta"] == {"profile": [codes.PROFILE["Patient"]]}


def test_a_family_name_is_never_guessed(coded, tmp_path):
    coded.edit(ELENA_MEMBER, "  legal: Maria Elena Ruiz\n", "  legal: María Guadalupe Torres Reyes\n")
    result, exported = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    patient = of(exported, "Patient")[0]
    assert patient["name"][0] == {"use": "official", "text": "María Guadalupe Torres Reyes", "extension": ABSENT}
    assert patient["gender"] == "unknown"  # no administrative sex recorded; US Core requires one
    assert patient["meta"] == {"profile": [codes.US_CORE_PROFILE["Patient"]]}
    names = [n for kind in ("Patient", "RelatedPerson", "Practitioner") for r in of(exported, kind)
             for n in r.get("name", [])]
    assert names and not [n for n in names if "family" in n]  # nobody's: the member's, a supporter's, staff's


# ---------------------------------------------------------------- supporters, funding, choices


def test_a_group_of_supporters_is_an_organization(bundle):
    church = target(bundle, support(bundle, "SP4")["performer"][0])
    assert church == {"resourceType": "Organization", "id": resource_id("provider", "pv-new-hope"),
                      "meta": {"profile": [codes.US_CORE_PROFILE["Organization"]]},
                      "identifier": [{"system": codes.PROVIDER_ID, "value": "pv-new-hope"}], "active": True,
                      "name": "Greater New Hope Baptist Church",
                      "telecom": [{"system": "phone", "value": "970-555-0388"}]}
    assert not [p for p in of(bundle, "RelatedPerson") if "Church" in json.dumps(p)]


def test_funding_is_coverage_and_the_authorization_its_place(coded, tmp_path):
    """US Core Coverage: the member is the subscriber (relationship self), their Medicaid id the member id
    (us-core-15: subscriberId, and an identifier of type MB)."""
    coded.edit(ELENA_MEMBER, "birth_date: 1961-04-09\n",
               "birth_date: 1961-04-09\nidentifiers:\n  - {system: medicaid, value: A1234567}\n")
    result, bundle = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    personal_care = support(bundle, "SP2")
    program = target(bundle, personal_care["insurance"][0])
    assert program == {"resourceType": "Coverage", "id": resource_id("member", "M-000123", "coverage", "HCBS-EBD"),
                       "meta": {"profile": [codes.US_CORE_PROFILE["Coverage"]]},
                       "identifier": [{"type": {"coding": [{"system": codes.V2_0203, "code": "MB",
                                                            "display": "Member Number"}]},
                                       "system": "https://pcplan.dev/fhir/sid/medicaid", "value": "A1234567"}],
                       "status": "active", "subscriberId": "A1234567",
                       "beneficiary": {"reference": f"urn:uuid:{of(bundle, 'Patient')[0]['id']}"},
                       "relationship": {"coding": [{"system": codes.SUBSCRIBER_RELATIONSHIP, "code": "self",
                                                    "display": "Self"}]},
                       "period": {"start": "2026-08-03"}, "payor": [{"display": "HCBS-EBD"}],
                       "class": [{"type": {"coding": [{"system": codes.COVERAGE_CLASS, "code": "plan",
                                                       "display": "Plan"}]},
                                  "value": "HCBS-EBD", "name": "HCBS-EBD"}]}
    state_plan = target(bundle, support(bundle, "SP1")["insurance"][0])
    assert state_plan["payor"] == [{"display": "Medicaid state plan"}]
    assert state_plan["type"] == {"text": "Medicaid state plan"}
    assert {"url": codes.DIRECTED_BY, "valueCodeableConcept": {"text": "self"}} in personal_care["extension"]
    assert personal_care["note"] == [{"text": "Mornings before ten."}]
    assert target(bundle, personal_care["locationReference"][0])["name"] == "Sunrise adult day center"
    assert "insurance" not in support(bundle, "SP3")  # no funding written
    assert not [e for e in personal_care["extension"] if e["url"].endswith("/funding")]


def test_without_a_member_id_the_funding_stays_on_the_service_request(bundle):
    """Elena's member.yaml has no Medicaid id: a Coverage could not name her member id (us-core-15), so there is
    none, and each support carries its funding in pcplan's `funding` extension."""
    assert of(bundle, "Coverage") == []
    funding = "https://pcplan.dev/fhir/StructureDefinition/funding"
    assert {"url": funding, "valueString": "HCBS-EBD"} in support(bundle, "SP2")["extension"]
    assert {"url": funding, "valueString": "state_plan"} in support(bundle, "SP1")["extension"]
    assert "insurance" not in support(bundle, "SP2")
    assert not [e for e in support(bundle, "SP3").get("extension", []) if e["url"] == funding]


def test_the_guides_questionnaire_is_answered_with_its_link_ids(coded, tmp_path):
    coded.edit(ELENA_PLAN, "setting:\n", "choices:\n  services: {offered: true, on: 2026-09-03}\n"
               "  providers: {offered: false}\n  self_direction: {offered: true, on: 2026-09-03}\nsetting:\n")
    result, exported = export(coded, tmp_path)
    assert result.exit_code == 0, result.stderr
    responses = {r["questionnaire"]: r for r in of(exported, "QuestionnaireResponse")}
    assert responses[codes.ELTSS_QUESTIONNAIRE]["item"] == [
        {"linkId": "q1", "answer": [{"valueBoolean": True}]},
        {"linkId": "q2", "answer": [{"valueString": "Own apartment with supports at home; Assisted living "
                                                    "residence"}]},
        {"linkId": "q3", "answer": [{"valueBoolean": True}]},
        {"linkId": "q5", "answer": [{"valueBoolean": True}]},  # consented
        {"linkId": "q6", "answer": [{"valueBoolean": False}]}]
    (guide,) = [q for q in of(exported, "Questionnaire") if q["url"] == codes.ELTSS_QUESTIONNAIRE]
    assert [i["linkId"] for i in guide["item"]] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    assert responses[codes.QUESTIONNAIRE]["item"] == [
        {"linkId": "setting-type", "answer": [{"valueCoding": {"system": codes.code_system("setting-type"),
                                                               "code": "own_home"}}]},
        {"linkId": "services-offered", "answer": [{"valueBoolean": True}]},
        {"linkId": "services-offered-on", "answer": [{"valueDate": "2026-09-03"}]},
        {"linkId": "providers-offered", "answer": [{"valueBoolean": False}]},
        {"linkId": "self-direction-offered", "answer": [{"valueBoolean": True}]},
        {"linkId": "self-direction-offered-on", "answer": [{"valueDate": "2026-09-03"}]}]
