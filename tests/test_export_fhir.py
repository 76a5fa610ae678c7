"""`pcplan export fhir`: Bundles that parse as FHIR R4 (fhir.resources' R4B models), follow the eLTSS guide's
profiles where they matter, are the same bytes for the same files, and go only where they are sent.

Each test of a profile's constraint cites the FSH line it comes from and, when ../shared is present, checks
that the line says so (``fsh(...)``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import DANNY_PLAN, ELENA_PLAN, PROJECT, SAMPLE_CASES
from pcplan.cli import app
from pcplan.fhir import codes
from pcplan.fhir.bundle import dumps
from pcplan.fhir.export import ExportRequest, export
from pcplan.fhir.extensions import SPECS, table
from pcplan.fhir.ids import NAMESPACE, resource_id
from pcplan.fingerprint import fingerprint
from pcplan.load import load_file

SHARED = Path(__file__).resolve().parents[2] / "shared"
RIVERSIDE = SHARED / "examples" / "riverside"
ELTSS = SHARED / "vendor-schemas" / "eltss"
TODAY = date(2026, 11, 22)
needs_shared = pytest.mark.skipif(not RIVERSIDE.is_dir(), reason="../shared (the reference repository and the "
                                  "eLTSS guide) is not beside the project")


# ---------------------------------------------------------------- helpers


def parse(bundle: dict):
    """The Bundle through fhir.resources' R4B models (R4B: the nearest to R4 it ships; its default is R5)."""
    from fhir.resources.R4B.bundle import Bundle

    return Bundle.model_validate(bundle) if hasattr(Bundle, "model_validate") else Bundle.parse_obj(bundle)


def fsh(path: str, line: int, text: str) -> None:
    """The guide's FSH line ``line`` of ``path`` says ``text`` (checked when ../shared is here)."""
    source = ELTSS / "fsh" / path
    if source.is_file():
        lines = source.read_text(encoding="utf-8-sig").splitlines()
        assert lines[line - 1].strip() == text, (path, line, lines[line - 1])


def exported(target: Path, allow_errors: bool = False, today: date = TODAY) -> list[dict]:
    """The Bundles of ``target``; paid supports without a service code are allowed (the reference repository
    records none: tests/test_export_fhir_conformance.py holds the conformant export)."""
    result = export(ExportRequest(target=target, output="-", today=today, allow_errors=allow_errors,
                                  allow_incomplete=True), io.StringIO())
    return [json.loads(dumps(m.bundle)) for m in result.exported]


def of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def by_url(bundle: dict) -> dict[str, dict]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def target(bundle: dict, ref: dict) -> dict:
    return by_url(bundle)[ref["reference"]]


def member(bundles: list[dict], member_id: str) -> dict:
    return next(b for b in bundles if b["identifier"]["value"] == member_id)


def main_plans(bundle: dict) -> list[dict]:
    return [r for r in of(bundle, "CarePlan") if "partOf" not in r]


def ext(resource: dict, name: str) -> list[dict]:
    url = name if name.startswith("http") else f"{codes.PCPLAN}/StructureDefinition/{name}"
    return [e for e in resource.get("extension", []) if e["url"] == url]


def sub(extension: dict, name: str) -> list:
    return [next(v for k, v in e.items() if k.startswith("value")) if "extension" not in e else e
            for e in extension.get("extension", []) if e["url"] == name]


def references(value) -> list[str]:
    if isinstance(value, dict):
        return [ref for k, v in value.items()
                for ref in ([v] if k == "reference" and isinstance(v, str) else references(v))]
    if isinstance(value, list):
        return [ref for v in value for ref in references(v)]
    return []


def run(cwd: Path, *args: str):
    """The command in ``cwd``; `export fhir` with --allow-incomplete (the reference repository's paid supports
    have no service code; tests/test_export_fhir_conformance.py holds a member back for it)."""
    old = os.getcwd()
    os.chdir(cwd)
    extra = ["--allow-incomplete"] if args[:2] == ("export", "fhir") else []
    try:
        return CliRunner().invoke(app, [*args, *extra], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def riverside() -> list[dict]:
    if not RIVERSIDE.is_dir():
        pytest.skip("../shared (the reference repository) is not beside the project")
    return exported(RIVERSIDE)


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    return exported(SAMPLE_CASES, allow_errors=True)


@pytest.fixture(scope="module", params=["riverside", "sample_cases"])
def bundles(request) -> list[dict]:
    return request.getfixturevalue("riverside" if request.param == "riverside" else "samples")


# ---------------------------------------------------------------- FHIR R4 (R4B models), references, ids


def test_the_reference_repository_exports_every_member(riverside):
    assert sorted(b["identifier"]["value"] for b in riverside) == ["M-000123", "M-000207", "M-000301"]


def test_sample_cases_export_every_member_with_allow_errors(samples):
    assert len(samples) == len([p for p in (SAMPLE_CASES / "members").iterdir() if (p / "member.yaml").is_file()])


def test_every_bundle_parses_with_the_r4b_models(bundles):
    fsh("examples/bundleExample.fsh", 18, "* type = #collection")  # the guide exchanges a collection
    for bundle in bundles:
        parsed = parse(bundle)
        assert parsed.type == "collection"
        assert type(parsed).__module__.startswith("fhir.resources.R4B.")


def test_every_reference_resolves_inside_its_bundle(bundles):
    for bundle in bundles:
        urls = [e["fullUrl"] for e in bundle["entry"]]
        assert len(urls) == len(set(urls))
        assert all(url == f"urn:uuid:{e['resource']['id']}" for url, e in zip(urls, bundle["entry"]))
        assert set(references(bundle)) <= set(urls)


def test_ids_are_name_based_uuids_of_the_records_ids(samples):
    for bundle in samples:
        for entry in bundle["entry"]:
            assert uuid.UUID(entry["resource"]["id"]).version == 5
    elena = member(samples, "M-000123")
    assert of(elena, "Patient")[0]["id"] == resource_id("member", "M-000123") \
        == str(uuid.uuid5(NAMESPACE, "member/M-000123"))
    assert elena["id"] == resource_id("member", "M-000123", "bundle")
    goal = next(g for g in of(elena, "Goal") if g["identifier"][0]["value"] == "M-000123/P1/G1")
    assert goal["id"] == resource_id("member", "M-000123", "plan", "P1@2026-09-03", "goal", "G1")


def test_the_same_files_and_today_give_the_same_bytes(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = run(repo.root, "export", "fhir", ".", "-o", str(tmp_path / "a.ndjson"), "--today", "2026-11-22")
    second = run(elsewhere, "export", "fhir", str(repo.root), "-o", "b.ndjson", "--today", "2026-11-22")
    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr + second.stderr
    assert (tmp_path / "a.ndjson").read_bytes() == (elsewhere / "b.ndjson").read_bytes()
    later = run(repo.root, "export", "fhir", ".", "-o", str(tmp_path / "c.ndjson"), "--today", "2027-06-01")
    assert later.exit_code == 0
    assert (tmp_path / "c.ndjson").read_bytes() != (tmp_path / "a.ndjson").read_bytes()  # states move with today


# ---------------------------------------------------------------- the guide's profiles


def test_careplan_constraints(bundles):
    fsh("profiles/CarePlan_eltss.fsh", 28, "* subject only Reference(Patient_eltss)")
    fsh("profiles/CarePlan_eltss.fsh", 37, "* period.start 1..1 MS")
    fsh("profiles/CarePlan_eltss.fsh", 60, "* addresses only Reference(Condition_eltss)")
    fsh("profiles/CarePlan_eltss.fsh", 67, "* goal only Reference(Goal_eltss)")
    fsh("profiles/CarePlan_eltss.fsh", 96, "* activity.detail 0..0")
    for bundle in bundles:
        for plan in of(bundle, "CarePlan"):
            assert target(bundle, plan["subject"])["resourceType"] == "Patient"
            assert plan["period"]["start"]  # CarePlan_eltss.fsh:37
            assert plan["intent"] == "plan"
            # the useful-elements table, CarePlan Category (US Core): careplan-category#assess-plan
            assert plan["category"][0]["coding"][0] == {"system": codes.US_CORE_CAREPLAN_CATEGORY,
                                                        "code": "assess-plan",
                                                        "display": "Assessment and Plan of Treatment"}
            assert plan["text"]["status"] == "generated"  # the useful-elements table: text 1 (US Core)
            assert {target(bundle, r)["resourceType"] for r in plan.get("addresses", [])} <= {"Condition"}
            assert {target(bundle, r)["resourceType"] for r in plan.get("goal", [])} <= {"Goal"}
            for activity in plan.get("activity", []):
                assert "detail" not in activity  # CarePlan_eltss.fsh:96
                # CarePlan_eltss.fsh:77: activity.reference only Reference(... Task or ServiceRequest_eltss ...)
                assert target(bundle, activity["reference"])["resourceType"] in ("ServiceRequest", "Task")


def test_careplan_must_support_elements_present_when_pcplan_has_the_data(riverside):
    fsh("profiles/CarePlan_eltss.fsh", 32, "* encounter MS")
    fsh("profiles/CarePlan_eltss.fsh", 39, "* author MS")
    fsh("profiles/CarePlan_eltss.fsh", 61, "* addresses MS")
    fsh("profiles/CarePlan_eltss.fsh", 70, "* supportingInfo MS")
    for bundle in riverside:
        for plan in main_plans(bundle):
            assert target(bundle, plan["encounter"])["resourceType"] == "Encounter"
            # the case manager (Support Planner, rows 52-53): riverside's staff.yaml has no phones, so the
            # Practitioner itself (a PractitionerRole without contact details fails US Core pd-1)
            author = target(bundle, plan["author"])
            assert author["resourceType"] == "Practitioner"
            assert author["name"][0]["text"]
            assert plan["addresses"] and plan["goal"] and plan["activity"]
            kinds = {target(bundle, r)["resourceType"] for r in plan["supportingInfo"]}
            assert {"Observation", "Contract", "QuestionnaireResponse"} <= kinds


def test_backup_plans_are_part_of_the_plan(samples):
    fsh("profiles/CarePlan_eltss.fsh", 20, "* partOf only Reference(CarePlan_eltss)")
    fsh("profiles/CarePlan_eltss.fsh", 26, "* partOf ^mustSupport = true")
    danny = member(samples, "M-000207")
    backups = [p for p in of(danny, "CarePlan") if "partOf" in p]
    assert len(backups) == 1
    (backup,) = backups
    assert target(danny, backup["partOf"][0]) is main_plans(danny)[0]
    assert backup["description"] == ("If Danny gets food outside the plan, staff follow the choking protocol and "
                                     "call his guardian.")
    assert target(danny, backup["supportingInfo"][0])["resourceType"] == "RiskAssessment"
    assert backup["status"] == main_plans(danny)[0]["status"]


def test_patient_constraints(bundles):
    fsh("profiles/Patient_eltss.fsh", 23, "* identifier.type MS")
    fsh("profiles/Patient_eltss.fsh", 30, "* name.family 1..1")
    fsh("profiles/Patient_eltss.fsh", 31, "* name.given 1..*")
    for bundle in bundles:
        (patient,) = of(bundle, "Patient")
        assert patient["identifier"][0]["type"]["coding"][0]["code"] == "PI"
        assert patient["identifier"][0]["value"] == bundle["identifier"]["value"]
        if codes.PROFILE["Patient"] in patient.get("meta", {}).get("profile", []):
            for name in patient["name"]:
                assert name["family"] and name["given"]
        assert patient["gender"] in ("male", "female", "other", "unknown")  # AdministrativeGender, required


def test_the_patient_has_both_names_a_preferred_language_and_communication_needs(samples):
    patient = of(member(samples, "M-000123"), "Patient")[0]
    # member.yaml writes no name parts: the names as written, never a guessed family name (US Core's us-core-6:
    # a data-absent reason says why the parts are missing)
    absent = [{"url": codes.DATA_ABSENT_REASON, "valueCode": "unknown"}]
    assert patient["name"] == [{"use": "official", "text": "Maria Elena Ruiz", "extension": absent},
                               {"use": "usual", "text": "Elena", "extension": absent}]
    assert patient["birthDate"] == "1961-04-09"
    assert patient["communication"] == [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]},
                                         "preferred": True}]
    assert ext(patient, codes.INTERPRETER_REQUIRED) == [{"url": codes.INTERPRETER_REQUIRED, "valueBoolean": True}]
    assert ext(patient, "document-format")[0]["valueCode"] == "large_print"
    assert ext(patient, codes.PRONOUNS)[0]["extension"][0]["valueCodeableConcept"]["text"] == "she/her"


def test_condition_constraints(bundles):
    fsh("profiles/Condition_eltss.fsh", 22, "* clinicalStatus from $condition-clinical-values (required)")
    fsh("profiles/Condition_eltss.fsh", 24, "* verificationStatus from $condition-ver-status-values (required)")
    fsh("profiles/Condition_eltss.fsh", 32, "* category[assessed-need] = eltss-condition-category-code#assessed-need")
    fsh("profiles/Condition_eltss.fsh", 42, "* subject only Reference(Patient_eltss)")
    fsh("profiles/Condition_eltss.fsh", 54, "* recordedDate MS")
    fsh("codesystems/ELTSS_Condition_Category_Codes.fsh", 2, "Id: eltss-condition-category-code")
    for bundle in bundles:
        for condition in of(bundle, "Condition"):
            clinical = condition["clinicalStatus"]["coding"][0]
            assert clinical["system"] == codes.CONDITION_CLINICAL
            assert clinical["code"] in ("active", "recurrence", "relapse", "inactive", "remission", "resolved")
            verification = condition["verificationStatus"]["coding"][0]
            assert verification["system"] == codes.CONDITION_VERIFICATION
            assert verification["code"] in ("unconfirmed", "provisional", "differential", "confirmed", "refuted",
                                            "entered-in-error")
            assert {"system": codes.ELTSS_CONDITION_CATEGORY, "code": "assessed-need", "display": "Assessed Need"} \
                in [c for category in condition["category"] for c in category.get("coding", [])]
            assert target(bundle, condition["subject"])["resourceType"] == "Patient"
            assert condition["code"]["text"]  # row 14: Condition.code.text
            assert condition["recordedDate"]


def test_observation_constraints(bundles):
    fsh("profiles/Observation_eltss.fsh", 24, "* subject 1..1 MS")
    fsh("profiles/Observation_eltss.fsh", 42,
        "* category[us-core] = http://terminology.hl7.org/CodeSystem/observation-category#social-history")
    fsh("profiles/Observation_eltss.fsh", 81, "* value[x] only CodeableConcept or string")
    fsh("codesystems/ELTSS_Observation_Codes.fsh", 11, '* #strength "Strength" "A favorable attribute of oneself, '
        'his/her support network, environment and/or elements of his/her life."')
    for bundle in bundles:
        for observation in of(bundle, "Observation"):
            assert target(bundle, observation["subject"])["resourceType"] == "Patient"
            assert observation["category"] == [{"coding": [{"system": codes.OBSERVATION_CATEGORY,
                                                            "code": "social-history", "display": "Social History"}]}]
            assert [k for k in observation if k.startswith("value")] == ["valueString"]
            assert observation["status"] in ("registered", "preliminary", "final", "amended")


def test_strengths_pertain_to_the_goals_that_draw_on_them(samples):
    fsh("profiles/Observation_eltss.fsh", 20, "$resource-pertainsToGoal named resource-pertainsToGoal 0..* MS")
    elena = member(samples, "M-000123")
    strengths = {o["identifier"][0]["value"]: o for o in of(elena, "Observation")
                 if o["code"]["coding"][0]["code"] == "strength"}
    goals = {target(elena, e["valueReference"])["identifier"][0]["value"]
             for e in ext(strengths["M-000123/A1/S1"], codes.PERTAINS_TO_GOAL)}
    assert goals == {"M-000123/P1/G1", "M-000123/P1/G3"}  # plan G1 and G3 draw on S1


def test_goal_constraints_and_the_members_own_words(bundles):
    fsh("profiles/Goal_eltss.fsh", 14, "* subject only Reference(Patient_eltss)")
    fsh("profiles/Goal_eltss.fsh", 27, "* addresses only Reference(Condition_eltss or Observation_eltss or "
        "ServiceRequest_eltss or RiskAssessment_eltss or NutritionOrder or MedicationStatement)")
    for bundle in bundles:
        for goal in of(bundle, "Goal"):
            assert target(bundle, goal["subject"])["resourceType"] == "Patient"
            assert goal["description"]["text"]  # row 11: description.text 1
            assert goal["lifecycleStatus"] in ("proposed", "planned", "accepted", "active", "on-hold", "completed",
                                               "cancelled", "entered-in-error", "rejected")
            assert {target(bundle, r)["resourceType"] for r in goal.get("addresses", [])} <= {"Condition"}


def test_a_goal_is_the_members_own_words_and_the_restatement_a_note(repo):
    repo.edit(ELENA_PLAN, "    own_words: I want to take my medicines right so I don't go back to the hospital.\n",
              "    own_words: I want to take my medicines right so I don't go back to the hospital.\n"
              "    restatement: Elena manages her diabetes medicines to avoid readmission.\n")
    elena = exported(repo.root / "members" / "M-000123")[0]
    goal = next(g for g in of(elena, "Goal") if g["identifier"][0]["value"] == "M-000123/P1/G1")
    assert goal["description"] == {"text": "I want to take my medicines right so I don't go back to the hospital."}
    assert goal["note"] == [{"text": "Elena manages her diabetes medicines to avoid readmission."}]
    assert target(elena, goal["expressedBy"])["resourceType"] == "Patient"
    assert goal["target"] == [{"dueDate": "2027-03-31"}]


def test_objectives_are_steps_pertaining_to_their_goal(samples):
    elena = member(samples, "M-000123")
    task = next(t for t in of(elena, "Task") if t["identifier"][0]["value"] == "M-000123/P1/G1.1")
    assert target(elena, ext(task, codes.PERTAINS_TO_GOAL)[0]["valueReference"])["identifier"][0]["value"] == \
        "M-000123/P1/G1"
    assert task["description"].startswith("Elena takes her diabetes medicines")
    assert ext(task, "measure")[0]["valueString"] == "Weekly pill-organizer check by the home care aide."
    assert task["restriction"] == {"period": {"end": "2026-12-31"}}
    assert (task["status"], task["intent"]) == ("in-progress", "plan")


def test_service_request_constraints(bundles):
    fsh("profiles/ServiceRequest_eltss.fsh", 13, "* extension contains Eltss_directedBy named directedBy 0..* and "
        "$resource-pertainsToGoal named resource-pertainsToGoal 0..* MS")
    fsh("profiles/ServiceRequest_eltss.fsh", 35, "* code.text MS")
    fsh("profiles/ServiceRequest_eltss.fsh", 47, "* quantity[x] MS")
    fsh("profiles/ServiceRequest_eltss.fsh", 76, "* subject only Reference(Patient_eltss)")
    fsh("profiles/ServiceRequest_eltss.fsh", 89, "* occurrencePeriod MS")
    fsh("profiles/ServiceRequest_eltss.fsh", 119, "* performer MS")
    for bundle in bundles:
        for request in of(bundle, "ServiceRequest"):
            assert request["status"] in ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error",
                                         "unknown")  # RequestStatus, required
            assert request["intent"] == "plan"
            assert request["code"]["text"]
            assert target(bundle, request["subject"])["resourceType"] == "Patient"
            for goal in ext(request, codes.PERTAINS_TO_GOAL):
                assert target(bundle, goal["valueReference"])["resourceType"] == "Goal"
            for performer in request.get("performer", []):
                # an individual provider of providers.yaml is a Practitioner (ServiceRequest_eltss.fsh:120)
                assert target(bundle, performer)["resourceType"] in ("Organization", "RelatedPerson", "Patient",
                                                                     "Practitioner")
    for bundle in bundles:  # the reference repository's supports state all of it (L109): so must the export
        if bundle["identifier"]["value"] not in ("M-000123", "M-000207", "M-000301"):
            continue
        for request in of(bundle, "ServiceRequest"):
            assert ext(request, codes.PERTAINS_TO_GOAL) and request["performer"] and request["occurrencePeriod"]
            assert "quantityRatio" in request or "quantityQuantity" in request


def test_paid_and_unpaid_supports_as_the_guide_prescribes(samples):
    """Row 54, note 2: an Organization performs a paid service, a RelatedPerson a non-paid one; row 56: the
    non-paid provider's relationship."""
    elena = member(samples, "M-000123")
    supports = {r["identifier"][0]["value"]: r for r in of(elena, "ServiceRequest")}
    paid = supports["M-000123/P1/SP1"]  # a provider providers.yaml does not list: by its name
    assert target(elena, paid["performer"][0]) == {
        "resourceType": "Organization", "id": resource_id("organization", "sunrise home health"),
        "meta": {"profile": [codes.US_CORE_PROFILE["Organization"]]}, "active": True, "name": "Sunrise Home Health"}
    paid = supports["M-000123/P1/SP2"]  # one it lists, by the same name: that provider
    assert target(elena, paid["performer"][0])["id"] == resource_id("provider", "pv-sunrise-home-care")
    assert paid["quantityRatio"] == {
        "numerator": {"value": 6, "unit": "hours", "system": codes.UCUM, "code": "h"},
        "denominator": {"value": 1, "unit": "week", "system": codes.UCUM, "code": "wk"}}
    assert paid["occurrencePeriod"] == {"start": "2026-09-07", "end": "2027-09-02"}
    unpaid = supports["M-000123/P1/SP4"]
    rosa = target(elena, unpaid["performer"][0])
    assert rosa["resourceType"] == "RelatedPerson" and rosa["name"][0]["text"] == "Rosa Ruiz"
    assert ext(unpaid, "paid")[0]["valueBoolean"] is False
    # the same person as the representative of member.yaml (a supporter), with both relationships
    assert len([p for p in of(elena, "RelatedPerson") if p["name"][0]["text"] == "Rosa Ruiz"]) == 1
    assert [c["code"] for r in rosa["relationship"] for c in r.get("coding", [])] == ["supporter", "SIS"]


def test_risk_assessment_constraints(bundles):
    fsh("profiles/RiskAssessment_eltss.fsh", 19, "* subject only Reference(Patient_eltss)")
    fsh("profiles/RiskAssessment_eltss.fsh", 33, "* mitigation MS")
    for bundle in bundles:
        for risk in of(bundle, "RiskAssessment"):
            assert risk["status"] in ("registered", "preliminary", "final", "amended", "corrected", "cancelled",
                                      "entered-in-error", "unknown")  # ObservationStatus, required
            assert target(bundle, risk["subject"])["resourceType"] == "Patient"
            assert risk["prediction"][0]["outcome"]["text"]  # row 38


def test_a_risk_carries_its_level_and_the_plans_mitigation(samples):
    (risk,) = of(member(samples, "M-000207"), "RiskAssessment")
    assert risk["mitigation"].startswith("Food is stored in a locked pantry")  # row 39: Risk Management Plan
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "high"


def test_contract_constraints(bundles):
    fsh("profiles/Contract_eltss.fsh", 36, "* signer MS")
    fsh("profiles/Contract_eltss.fsh", 41, "* signer.type MS")
    fsh("profiles/Contract_eltss.fsh", 43, "* signer.party MS")
    fsh("profiles/Contract_eltss.fsh", 50, "* signer.signature.type MS")
    fsh("profiles/Contract_eltss.fsh", 52, "* signer.signature.when MS")
    fsh("profiles/Contract_eltss.fsh", 55, "* signer.signature.who MS")
    fsh("profiles/Contract_eltss.fsh", 59, '* signer.signature.who ^comment = "Must match signer.party."')
    for bundle in bundles:
        for contract in of(bundle, "Contract"):
            assert contract["status"] in ("offered", "executed")
            assert target(bundle, contract["topicReference"])["resourceType"] == "CarePlan"
            for signer in contract.get("signer", []):
                assert signer["type"]["system"] == codes.CONTRACT_SIGNER
                assert target(bundle, signer["party"])["resourceType"] in (
                    "Patient", "RelatedPerson", "Practitioner", "PractitionerRole", "Organization")
                for signature in signer["signature"]:
                    assert signature["who"] == signer["party"]
                    assert signature["type"][0]["system"] == codes.SIGNATURE_TYPE
                    assert re.fullmatch(r"\d{4}-\d\d-\d\dT12:00:00Z", signature["when"])


def test_signers_are_typed_by_role_and_legal_authority(samples):
    danny = member(samples, "M-000207")
    (contract,) = of(danny, "Contract")
    shown = [(s["type"]["code"], target(danny, s["party"])["resourceType"], s["signature"][0]["when"][:10])
             for s in contract["signer"]]
    assert shown == [("PAT", "Patient", "2026-05-20"), ("GUARD", "RelatedPerson", "2026-05-20"),
                     ("AUT", "Practitioner", "2026-05-20"), ("HPROV", "Organization", "2026-05-20"),
                     ("HPROV", "Organization", "2026-05-27"), ("HPROV", "Organization", "2026-05-28")]
    grace = target(danny, contract["signer"][1]["party"])
    assert [c["code"] for r in grace["relationship"] for c in r.get("coding", [])] == ["GUARD", "legal_guardian",
                                                                                      "MTH"]


def test_a_refusal_is_kept_as_a_signature_exception(repo):
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n",
              "  - {role: member, name: Elena, refused: true, refused_on: 2026-09-03, refusal_reason: Wants to "
              "read it with her sister first.}\n")
    elena = exported(repo.root / "members" / "M-000123", allow_errors=True)[0]
    (contract,) = of(elena, "Contract")
    assert "PAT" not in [s["type"]["code"] for s in contract["signer"]]
    (refusal,) = ext(contract, "signature-exception")
    assert sub(refusal, "refused") == [True] and sub(refusal, "refusedOn") == ["2026-09-03"]
    # a refusal is recorded but is not consent (DESIGN.md, Consent): the plan stays a draft, no consent date
    assert main_plans(elena)[0]["status"] == "draft"
    assert ext(main_plans(elena)[0], "consent-date") == []
    assert contract["status"] == "offered"


def test_episode_of_care_constraints(bundles):
    fsh("profiles/EpisodeOfCare_eltss.fsh", 22, "* patient only Reference(Patient_eltss)")
    fsh("profiles/EpisodeOfCare_eltss.fsh", 24, "* careManager MS")
    fsh("profiles/EpisodeOfCare_eltss.fsh", 25, "* careManager only Reference(Practitioner_eltss)")
    for bundle in bundles:
        for episode in of(bundle, "EpisodeOfCare"):
            assert episode["status"] in ("planned", "waitlist", "active", "onhold", "finished", "cancelled",
                                         "entered-in-error")  # EpisodeOfCareStatus, required
            assert target(bundle, episode["patient"])["resourceType"] == "Patient"
            if "careManager" in episode:
                assert target(bundle, episode["careManager"])["resourceType"] == "Practitioner"
        for encounter in of(bundle, "Encounter"):  # rows 17-18: CarePlan.encounter → Encounter.episodeOfCare
            assert target(bundle, encounter["episodeOfCare"][0])["resourceType"] == "EpisodeOfCare"
            assert encounter["status"] in ("planned", "finished", "unknown")


def test_the_care_manager_and_the_closed_episode(samples):
    abdi = member(samples, "M-000301")
    (episode,) = of(abdi, "EpisodeOfCare")
    assert (episode["status"], episode["period"]) == ("finished", {"start": "2026-01-14", "end": "2026-10-15"})
    assert target(abdi, episode["careManager"])["name"][0]["text"] == "Jordan Lee"
    (closure,) = ext(episode, "closure")
    assert sub(closure, "reason") == ["goals_met"] and len(sub(closure, "referral")) == 2
    assert main_plans(abdi)[0]["status"] == "completed"  # expired with its episode: nothing newer
    danny = member(samples, "M-000207")
    (episode,) = of(danny, "EpisodeOfCare")
    assert episode["status"] == "active"
    assert target(danny, episode["careManager"])["name"][0]["text"] == "Olu Bello"  # the assignment in force
    assert [sub(e, "staff") and target(danny, sub(e, "staff")[0])["name"][0]["text"]
            for e in ext(episode, "case-manager-assignment")] == ["Jordan Lee", "Olu Bello"]


def test_related_person_constraints(bundles):
    fsh("profiles/RelatedPerson_eltss.fsh", 8, "* active 1.. MS")
    fsh("profiles/RelatedPerson_eltss.fsh", 10, "* patient MS")
    fsh("profiles/RelatedPerson_eltss.fsh", 25, '//Description: "Either a name or a relationship SHALL be provided '
        '(or both)"')
    for bundle in bundles:
        for person in of(bundle, "RelatedPerson"):
            assert person["active"] is True
            assert target(bundle, person["patient"])["resourceType"] == "Patient"
            assert person.get("name") or person.get("relationship")


def test_practitioner_role_and_questionnaire_response_constraints(bundles):
    fsh("profiles/PractitionerRole_eltss.fsh", 14, "* practitioner only Reference(Practitioner_eltss)")
    fsh("profiles/QuestionnaireResponse_eltss.fsh", 15, "* questionnaire MS")
    fsh("profiles/QuestionnaireResponse_eltss.fsh", 17, "* status MS")
    fsh("profiles/QuestionnaireResponse_eltss.fsh", 19, "* subject only Reference(Patient_eltss)")
    for bundle in bundles:
        for role in of(bundle, "PractitionerRole"):
            assert target(bundle, role["practitioner"])["resourceType"] == "Practitioner"
        questions = {q["url"]: {i["linkId"] for i in q["item"]} for q in of(bundle, "Questionnaire")}
        for response in of(bundle, "QuestionnaireResponse"):  # the guide's questionnaire1, or pcplan's own
            assert response["questionnaire"] in (codes.ELTSS_QUESTIONNAIRE, codes.QUESTIONNAIRE)
            assert response["status"] == "completed"
            assert target(bundle, response["subject"])["resourceType"] == "Patient"
            assert {i["linkId"] for i in response["item"]} <= questions[response["questionnaire"]]


def test_the_setting_choice_answers_the_guides_questions(samples):
    """Rows 15-16: Person Setting Choice Indicator and Options, linkIds as the guide's questionnaire1."""
    fsh("examples/example.fsh", 776, '* item[=].text = "Did you choose the setting in which you reside?"')
    (response,) = [r for r in of(member(samples, "M-000207"), "QuestionnaireResponse")
                   if r["questionnaire"] == codes.ELTSS_QUESTIONNAIRE]
    assert response["item"][:2] == [  # the guide's q2 does not repeat: one answer naming every option
        {"linkId": "q1", "answer": [{"valueBoolean": True}]},
        {"linkId": "q2", "answer": [{"valueString": "Host home with Lydia Park; His own apartment with drop-in "
                                                    "support; Living with his mother"}]}]


def test_status_bindings_of_every_resource(bundles):
    """FHIR R4's required bindings on the statuses pcplan sets (fhir.resources does not check codes)."""
    allowed = {
        "CarePlan": ("status", {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}),
        "Task": ("status", {"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
                            "in-progress", "on-hold", "failed", "completed", "entered-in-error"}),
        "Encounter": ("status", {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
                                 "entered-in-error", "unknown"}),
        "QuestionnaireResponse": ("status", {"in-progress", "completed", "amended", "entered-in-error", "stopped"}),
        "Questionnaire": ("status", {"draft", "active", "retired", "unknown"}),
        "Provenance": (None, None),
    }
    for bundle in bundles:
        for entry in bundle["entry"]:
            resource = entry["resource"]
            field, codes_allowed = allowed.get(resource["resourceType"], (None, None))
            if field:
                assert resource[field] in codes_allowed, (resource["resourceType"], resource[field])
            if resource["resourceType"] == "Provenance":
                assert all(e["role"] in ("derivation", "revision", "quotation", "source", "removal")
                           for e in resource["entity"])


# ---------------------------------------------------------------- the lifecycle: status, replaces, consent


def _revision(repo, start: str, signed: bool) -> None:
    text = repo.read(DANNY_PLAN).replace("id: P1\n", "id: P2\n", 1).replace("date: 2026-05-20\n", f"date: {start}\n", 1)
    text = text.replace("  start: 2026-05-20\n", f"  start: {start}\n", 1)
    if not signed:
        text = text[:text.index("signatures:")] + "signatures: []\ndistribution: []\nexceptions: []\n"
    repo.write(DANNY_PLAN.replace("2026-05-20", start), text)


@pytest.mark.parametrize("signed, old_status, new_status", [(True, "revoked", "active"), (False, "active", "draft")])
def test_careplan_status_follows_the_lifecycle(repo, signed, old_status, new_status):
    _revision(repo, "2026-11-01", signed)
    danny = exported(repo.root / "members" / "M-000207", allow_errors=True)[0]
    plans = {p["identifier"][0]["value"]: p for p in main_plans(danny)}
    old, new = plans["M-000207/P1"], plans["M-000207/P2"]
    assert (old["status"], new["status"]) == (old_status, new_status)
    assert new["replaces"] == [{"reference": f"urn:uuid:{old['id']}"}]
    assert ext(old, "lifecycle-state")[0]["valueCode"] == ("superseded" if signed else "in-effect")
    assert ext(new, "lifecycle-state")[0]["valueCode"] == ("in-effect" if signed else "draft")
    assert bool(ext(new, "consent-date")) is signed
    # the same goal in two plans is two Goals, each its plan's
    assert len([g for g in of(danny, "Goal") if g["identifier"][0]["value"].endswith("/G1")]) == 2


def test_provenance_names_the_content_fingerprint_and_the_signatures_that_recorded_it(repo):
    plan_data = load_file(repo.path(ELENA_PLAN)).data
    content = fingerprint(plan_data)
    repo.edit(ELENA_PLAN, "  - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}\n",
              f"  - {{role: member, name: Elena, signed_on: 2026-09-03, method: wet, fingerprint: \"{content}\"}}\n")
    elena = exported(repo.root / "members" / "M-000123")[0]
    (provenance,) = of(elena, "Provenance")
    plan = main_plans(elena)[0]
    assert provenance["target"][0] == {"reference": f"urn:uuid:{plan['id']}"}
    assert provenance["entity"] == [{"role": "source", "what": {
        "identifier": {"system": codes.CONTENT_FINGERPRINT, "value": content},
        "display": f"members/M-000123/plan-2026-09-03.yaml, content fingerprint {content}"}}]
    assert [target(elena, s["who"])["resourceType"] for s in provenance["signature"]] == ["Patient"]
    assert provenance["recorded"] == "2026-11-22T12:00:00Z"
    assert target(elena, provenance["agent"][0]["who"])["resourceType"] == "Device"
    (contract,) = of(elena, "Contract")
    assert ext(contract["signer"][0]["signature"][0], "signed-fingerprint")[0]["valueString"] == content


# ---------------------------------------------------------------- what eLTSS does not model: extensions


def test_rights_modifications_keep_all_eight_elements(samples):
    danny = member(samples, "M-000207")
    (modification,) = ext(main_plans(danny)[0], "rights-modification")
    names = [e["url"] for e in modification["extension"]]
    assert names == ["id", "right", "assessedNeed", "priorInterventions", "lessIntrusiveMethods", "condition",
                     "dataCollection", "reviewEvery", "reviewBy", "consent", "noHarmAssurance"]
    assert sub(modification, "right") == ["Access to food at any time"]


def test_every_extension_in_a_bundle_is_declared(bundles):
    """pcplan's own extensions are the declared ones (docs/fhir.md lists them); the others are FHIR's."""
    used: set[str] = set()

    def walk(value):  # an extension's own sub-extensions are not walked: their urls are names
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "extension":
                    used.update(e["url"] for e in item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    for bundle in bundles:
        walk(bundle)
    assert {u for u in used if u.startswith(codes.PCPLAN)} <= {spec.url for spec in SPECS.values()}
    assert {u for u in used if not u.startswith(codes.PCPLAN)} <= {
        codes.PERTAINS_TO_GOAL, codes.INTERPRETER_REQUIRED, codes.PRONOUNS, codes.DATA_ABSENT_REASON,
        codes.DIRECTED_BY}


# ---------------------------------------------------------------- the command: privacy and safety


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_without_output_nothing_is_written_and_the_exit_is_2(repo):
    result = run(repo.root, "export", "fhir", ".", "--today", "2026-11-22")
    assert result.exit_code == 2 and result.stdout == ""
    assert "-o FILE" in result.stderr and "-o -" in result.stderr


def test_standard_output_only_when_asked(repo):
    result = run(repo.root, "export", "fhir", "members/M-000123", "-o", "-", "--today", "2026-11-22")
    assert result.exit_code == 0
    parse(json.loads(result.stdout))
    several = run(repo.root, "export", "fhir", ".", "-o", "-", "--today", "2026-11-22")
    lines = several.stdout.splitlines()
    assert len(lines) == 3 and [json.loads(line)["identifier"]["value"] for line in lines] == \
        ["M-000123", "M-000207", "M-000301"]


def test_files_are_never_overwritten_without_force_and_case_files_never_touched(repo, tmp_path):
    before = _hashes(repo.root)
    out = tmp_path / "elena.json"
    out.write_text("keep me", encoding="utf-8")
    refused = run(repo.root, "export", "fhir", "members/M-000123", "-o", str(out), "--today", "2026-11-22")
    assert refused.exit_code == 2 and "use --force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = run(repo.root, "export", "fhir", "members/M-000123", "-o", str(out), "--force", "--today", "2026-11-22")
    assert forced.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["type"] == "collection"
    onto_yaml = run(repo.root, "export", "fhir", "members/M-000123", "-o", ELENA_PLAN, "--force", "--today",
                    "2026-11-22")
    assert onto_yaml.exit_code == 2 and "never writes over one" in onto_yaml.stderr
    assert _hashes(repo.root) == before


def test_a_folder_gets_one_file_per_member_all_or_none(repo, tmp_path):
    out = tmp_path / "exchange"
    result = run(repo.root, "export", "fhir", ".", "-o", f"{out}/", "--today", "2026-11-22")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["M-000123.fhir.json", "M-000207.fhir.json",
                                                     "M-000301.fhir.json"]
    (out / "M-000207.fhir.json").write_text("keep me", encoding="utf-8")
    (out / "M-000123.fhir.json").unlink()
    again = run(repo.root, "export", "fhir", ".", "-o", str(out), "--today", "2026-11-22")
    assert again.exit_code == 2 and not (out / "M-000123.fhir.json").exists()
    assert (out / "M-000207.fhir.json").read_text(encoding="utf-8") == "keep me"
    one_file = run(repo.root, "export", "fhir", ".", "-o", str(tmp_path / "all.json"), "--today", "2026-11-22")
    assert one_file.exit_code == 2 and "name a folder" in one_file.stderr
    assert not (tmp_path / "all.json").exists()


def test_a_member_with_errors_is_held_back_and_its_findings_named_without_its_words(repo, tmp_path):
    repo.edit(ELENA_PLAN, "    needs: [N1]\n", "    needs: []\n")  # L101: a goal without a need
    result = run(repo.root, "export", "fhir", ".", "-o", f"{tmp_path}/out/", "--today", "2026-11-22")
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["M-000207.fhir.json", "M-000301.fhir.json"]
    lines = result.stderr.splitlines()
    # (the paid supports without a service code, listed though allowed, are tests/test_export_fhir_conformance.py's)
    findings = [line for line in lines if not line.startswith("pcplan: ") and "no service code" not in line]
    assert findings and all(re.fullmatch(r"members/M-000123/[\w./-]+:\d+:\d+: [A-Z]\d{3}", f) for f in findings)
    assert re.search(r"members/M-000123: \d+ error-level findings?; not exported", result.stderr)
    words = {line.split(":", 1)[1].strip() for line in repo.read(ELENA_PLAN).splitlines() if ": " in line}
    assert not [w for w in words if len(w) > 15 and w in result.stderr]
    allowed = run(repo.root, "export", "fhir", "members/M-000123", "-o", str(tmp_path / "elena.json"),
                  "--allow-errors", "--today", "2026-11-22")
    assert allowed.exit_code == 0 and (tmp_path / "elena.json").is_file()
    assert "exported anyway (--allow-errors)" in allowed.stderr


@pytest.mark.parametrize("ci", [False, True])
def test_held_back_folder_and_file_names_are_shown_as_check_shows_them(repo, tmp_path, monkeypatch, ci):
    """A folder or file named in words (a member's name) is hidden under CI, and a name holding terminal escapes is
    shown escaped everywhere: the export's messages go to CI logs like check's."""
    if ci:
        monkeypatch.setenv("CI", "true")
    (repo.root / "members" / "M-000123").rename(repo.root / "members" / "Elena Ruiz \x1b]0;owned\x07")
    folder = repo.root / "members" / "Elena Ruiz \x1b]0;owned\x07"
    (folder / "plan-2026-09-03.yaml").rename(folder / "Elena plan.yaml")
    text = (folder / "Elena plan.yaml").read_text(encoding="utf-8")
    (folder / "Elena plan.yaml").write_text(text.replace("    needs: [N1]\n", "    needs: []\n", 1), encoding="utf-8")
    result = run(repo.root, "export", "fhir", ".", "-o", f"{tmp_path}/out/", "--today", "2026-11-22")
    assert result.exit_code == 1, result.stderr
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr + result.stdout
    held = [line for line in result.stderr.splitlines() if re.search(r"\d+ error-level findings?;", line)]
    assert len(held) == 1
    assert ("Elena" in result.stderr) is (not ci)
    if ci:
        assert "name-not-shown-" in held[0]
    else:
        assert "Elena Ruiz \\x1b]0;owned\\x07" in held[0]


def test_overdue_dates_and_missing_copies_do_not_hold_a_member_back(repo, tmp_path):
    """An overdue review (T201) and a missing copy (C303) are stated, not hidden: the export goes."""
    result = run(repo.root, "export", "fhir", "members/M-000123", "-o", str(tmp_path / "late.json"),
                 "--today", "2028-01-01")
    assert result.exit_code == 0, result.stderr
    plan = main_plans(json.loads((tmp_path / "late.json").read_text(encoding="utf-8")))[0]
    assert plan["status"] == "completed"  # its period ended 2027-09-02


def test_broken_records_never_give_a_traceback(repo, tmp_path):
    repo.write("members/M-000123/member.yaml", "kind: member\nversion: 1\nid: [not, an, id]\nname: {legal: 3}\n")
    repo.write("members/M-000207/plan-2026-05-20.yaml", repo.read(DANNY_PLAN).replace(
        "goals:\n", "goals: not a list\nx_goals:\n", 1).replace("amount: 4", "amount: lots"))
    result = run(repo.root, "export", "fhir", ".", "-o", f"{tmp_path}/out/", "--allow-errors", "--today",
                 "2026-11-22")
    assert result.exit_code == 1  # Elena's folder has no member id to name a Bundle by
    assert "members/M-000123: not exported: member.yaml has no readable id" in result.stderr
    danny = json.loads((tmp_path / "out" / "M-000207.fhir.json").read_text(encoding="utf-8"))
    parse(danny)
    assert of(danny, "Goal") == []


def test_export_help_shows_placeholders():
    group = typer.main.get_command(app)
    export_group = group.commands["export"]
    command = export_group.commands["fhir"]
    ctx = command.context_class(command, info_name="fhir")
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) or param.name == "help":
            assert param.metavar is None
        else:
            assert param.metavar and re.fullmatch(r"[A-Z]+", param.metavar), param.name
    result = CliRunner().invoke(app, ["export", "fhir", "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0 and "Usage: pcplan export fhir [OPTIONS] [PATH]" in result.output  # [PATH]: not with --definitions


# ---------------------------------------------------------------- docs/fhir.md


def _eltss_elements() -> list[tuple[str, str]]:
    import html

    page = (ELTSS / "pages" / "eLTSS_to_FHIR_R4_element.xml").read_text(encoding="utf-8-sig")
    table_text = re.search(r"<table.*?</table>", page, flags=re.S).group(0)
    rows = re.findall(r"<tr\s*>(.*?)</tr>", table_text, flags=re.S)[1:]
    out = []
    for row in rows:
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        out.append((cells[0], cells[1]))
    return out


@needs_shared
def test_the_coverage_table_lists_all_56_elements():
    elements = _eltss_elements()
    assert len(elements) == 56
    text = (PROJECT / "docs" / "fhir.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, flags=re.M)
    assert [(int(n), g.strip(), e.strip()) for n, g, e, _, _ in rows] == [
        (n, g, e) for n, (g, e) in enumerate(elements, 1)]
    assert all(source.strip() and where.strip() for _, _, _, source, where in rows)


def test_the_extension_table_is_the_one_the_code_declares():
    text = (PROJECT / "docs" / "fhir.md").read_text(encoding="utf-8")
    assert table() in text


# ---------------------------------------------------------------- robustness


def _leaves(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, path + (index,))


@pytest.mark.parametrize("seed", range(12))
def test_values_of_the_wrong_type_still_give_a_bundle_that_parses(seed):
    """What --allow-errors lets through (a list where a date belongs, infinity as an amount) is left out, never a
    crash or an invalid Bundle."""
    import copy
    import random

    from pcplan.fhir.bundle import member_bundle
    from pcplan.load import LoadedFile
    from pcplan.model import Case, Document

    rng = random.Random(seed)
    folder = SAMPLE_CASES / "members" / ("M-000207", "M-000123", "M-000301")[seed % 3]
    docs = []
    for path in sorted(folder.rglob("*.yaml")):
        doc = Document.load(path.resolve(), path.name)
        data = copy.deepcopy(doc.loaded.data)
        for leaf in list(_leaves(data)):
            if leaf and leaf[0] not in ("kind", "version", "id", "member") and rng.random() < 0.15:
                holder = data
                try:
                    for key in leaf[:-1]:
                        holder = holder[key]
                    holder[leaf[-1]] = rng.choice([[], {}, 3, "x", None, [1, {"id": []}], float("inf"), True])
                except (KeyError, IndexError, TypeError):
                    continue  # an ancestor was replaced already
        mutated = Document(LoadedFile(path=doc.path), doc.display_path, kind=doc.kind)
        mutated.loaded.data = data
        docs.append(mutated)
    bundle = member_bundle(Case(folder.resolve(), docs), SAMPLE_CASES.resolve(), {}, "Agency", TODAY)
    parse(json.loads(dumps(bundle)))
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert set(references(bundle)) <= urls
