"""Identity and services (issue 24, DESIGN.md "Identity and services"): the format.

Member identifiers, name parts, administrative sex, address parts and emergency contacts; providers.yaml and a
support's `provider_id`; staff `phone` and `npi`; a support's `service` code (HCPCS by default) and its
`authorization`. Every field is optional and validates; a wrong value is a finding at its exact place; a
reference that resolves nowhere is L102; an authorization quantifies a support for L109; providers.yaml is part
of the cache's key. Everything runs through the real CLI (`pcplan check -f json`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DANNY_PLAN, SAMPLE_CASES, CaseRepo
from pcplan.cli import app
from pcplan.schema import schema_for

DANNY_MEMBER = "members/M-000207/member.yaml"
PROVIDERS = "providers.yaml"
STAFF = "staff.yaml"
ENV = {"CI": None, "GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None, "PCPLAN_CACHE_DIR": None,
       "GITHUB_STEP_SUMMARY": None, "NO_COLOR": "1", "COLUMNS": "120", "PCPLAN_TODAY": None}

PROVIDERS_YAML = """kind: providers
version: 1
providers:
  - id: pv-pathways
    name: Pathways Supported Employment
    type: organization
    npi: "1748520362"
    medicaid_id: "CO-007120"
    phone: "970-555-0390"
    address_parts: {lines: ["400 10th Street", "Suite 2"], city: Greeley, state: CO, postal_code: "80631"}
  - id: pv-lydia-park
    name: Lydia Park
    type: individual
"""
# Danny's SP2 with every new field of a support (his program is SLS-DD).
SP2 = "    provider: Pathways Supported Employment\n"
SP2_FULL = (SP2 + "    provider_id: pv-pathways\n"
            "    service: {code: H2023, modifiers: [U1, \"52\"], display: Supported employment}\n"
            "    authorization: {units: 16, per: week, unit: 15_minutes, funding: SLS-DD, rate: 13.25,\n"
            "                    self_directed: false, where: the print shop, comment: Reviewed monthly.}\n")
MEMBER_NAME = "  preferred: Danny\n"
MEMBER_NAME_FULL = MEMBER_NAME + "  given: Daniel\n  family: Kim\n"
MEMBER_ADDRESS = "  address: 88 Cottonwood Lane, Evans, CO 80620 (host home)\n"
MEMBER_ADDRESS_FULL = (MEMBER_ADDRESS + "  address_parts:\n    lines: [88 Cottonwood Lane]\n    city: Evans\n"
                       "    state: CO\n    postal_code: \"80620\"\n    country: US\n")
MEMBER_TAIL = ("administrative_sex: male\nidentifiers:\n  - {system: medicaid, value: \"K207001\"}\n"
               "  - {system: ssn-last4, value: \"0207\"}\n  - {system: \"urn:oid:2.16.840.1.113883.4.3.8\", value: A1}\n"
               "emergency_contacts:\n  - {name: Grace Kim, relationship: mother, phone: \"970-555-0320\"}\n")
STAFF_OLU = "  - id: cm-obello\n    name: Olu Bello\n"
STAFF_OLU_FULL = STAFF_OLU + "    phone: \"970-555-0101\"\n    npi: \"1582736496\"\n"


def check(root: Path, *args: str, env: dict | None = None) -> list[dict]:
    """The findings of `pcplan check -f json` in ``root`` (CliRunner, this process)."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, ["check", "--today", "2026-11-22", "-f", "json", "--exit-zero", *args],
                                    env={**ENV, **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["findings"]


def places(findings: list[dict], code: str) -> list[tuple[str, int, int]]:
    return [(f["path"], f["line"], f["column"]) for f in findings if f["code"] == code]


def full(repo: CaseRepo) -> CaseRepo:
    """The reference repository with every new field used once, valid."""
    repo.write(PROVIDERS, PROVIDERS_YAML)
    repo.edit(DANNY_PLAN, SP2, SP2_FULL)
    repo.edit(DANNY_MEMBER, MEMBER_NAME, MEMBER_NAME_FULL)
    repo.edit(DANNY_MEMBER, MEMBER_ADDRESS, MEMBER_ADDRESS_FULL)
    repo.write(DANNY_MEMBER, repo.read(DANNY_MEMBER) + MEMBER_TAIL)
    repo.edit(STAFF, STAFF_OLU, STAFF_OLU_FULL)
    return repo


# -- every new field validates -----------------------------------------------------------------------------

def test_every_new_field_validates_and_the_repository_stays_clean(repo):
    assert check(full(repo).root) == []


def test_the_schemas_describe_every_new_field_for_editors():
    member, plan, staff = schema_for("member")["properties"], schema_for("plan"), schema_for("staff")
    support = plan["properties"]["supports"]["items"]["properties"]
    for node in (member["administrative_sex"], member["identifiers"], member["emergency_contacts"],
                 member["name"]["properties"]["given"], member["name"]["properties"]["family"],
                 member["contact"]["properties"]["address_parts"], support["provider_id"], support["authorization"],
                 staff["properties"]["staff"]["items"]["properties"]["npi"],
                 staff["properties"]["staff"]["items"]["properties"]["phone"]):
        assert node["description"]
    assert member["administrative_sex"]["enum"] == ["male", "female", "other", "unknown"]
    authorization = support["authorization"]["properties"]
    assert authorization["per"]["enum"] == ["day", "week", "month", "plan_period"]
    assert authorization["unit"]["enum"] == ["15_minutes", "hour", "day", "visit", "mile", "item"]


def test_schema_command_prints_the_providers_schema():
    result = CliRunner().invoke(app, ["schema", "providers"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema_for("providers")


# -- a wrong value is a finding at its exact place ---------------------------------------------------------

WRONG = [
    # (file, what the full repository holds, what it is changed to, the snippet the finding points at, offset,
    #  words of the message)
    (DANNY_MEMBER, "administrative_sex: male", "administrative_sex: M", "administrative_sex: M", 20,
     "must be one of: male, female, other, unknown"),
    (DANNY_MEMBER, "{system: medicaid,", "{system: medicare,", "medicare", 0, "`medicaid`, `state`, `mrn`"),
    (DANNY_MEMBER, "value: \"0207\"", "value: \"20701\"", "\"20701\"", 0, "last four digits"),
    (DANNY_MEMBER, "    postal_code: \"80620\"\n", "    zip: \"80620\"\n", "zip", 0, "unknown field"),
    (DANNY_MEMBER, "phone: \"970-555-0320\"}", "phone: 9705550320}", "9705550320", 0, "must be text"),
    (DANNY_MEMBER, "  given: Daniel\n", "  given: \"\"\n", "\"\"\n  family", 0, "`given` is empty"),
    (STAFF, "npi: \"1582736496\"", "npi: \"15827\"", "\"15827\"", 0, "an NPI of ten digits"),
    (PROVIDERS, "npi: \"1748520362\"", "npi: \"17485203\"", "\"17485203\"", 0, "an NPI of ten digits"),
    (PROVIDERS, "type: individual", "type: person", "person", 0, "must be one of: organization, individual"),
    (PROVIDERS, "  - id: pv-lydia-park", "  - id: PV Lydia", "PV Lydia", 0, "a provider id of lowercase"),
    (DANNY_PLAN, "provider_id: pv-pathways", "provider_id: Pathways", "Pathways\n", 0, "a provider id"),
    (DANNY_PLAN, "per: week", "per: fortnight", "fortnight", 0, "must be one of: day, week, month, plan_period"),
    (DANNY_PLAN, "unit: 15_minutes", "unit: minutes", "minutes,", 0, "(did you mean `15_minutes`?)"),
    (DANNY_PLAN, "units: 16", "units: 0", "units: 0", 7, "must be greater than 0"),
    (DANNY_PLAN, "rate: 13.25", "rate: -1", "rate: -1", 6, "must be at least 0"),
    (DANNY_PLAN, "self_directed: false", "self_directed: \"no\"", "\"no\"", 0, "must be true or false"),
]


@pytest.mark.parametrize(("file", "old", "new", "snippet", "offset", "words"), WRONG,
                         ids=[f"{w[0].split('/')[-1]}-{w[2]}" for w in WRONG])
def test_a_wrong_value_is_a_schema_finding_at_its_place(repo, file, old, new, snippet, offset, words):
    full(repo).edit(file, old, new)
    findings = check(repo.root)
    assert [f["code"] for f in findings] == ["E004"], findings
    assert places(findings, "E004") == [(file, *repo.locate(file, snippet, offset))]
    assert words in findings[0]["message"]


# -- the forms of an HCPCS code and its modifiers ------------------------------------------------------------

@pytest.mark.parametrize(("code", "valid"), [("T1019", True), ("\"99509\"", True), ("\"0001F\"", True),
                                             ("S5130", True), ("T101", False), ("t1019x", False),
                                             ("\"12345678\"", False), ("t1019", False), ("\"9950A\"", False)])
def test_an_hcpcs_code_has_the_form_of_level_i_or_level_ii(repo, code, valid):
    full(repo).edit(DANNY_PLAN, "{code: H2023,", f"{{code: {code},")
    findings = check(repo.root)
    if valid:
        assert findings == []
        return
    assert places(findings, "E004") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, f"{{code: {code}", 7))]
    message = findings[0]["message"]
    assert "`code` must be an HCPCS code: one capital letter and four digits" in message
    assert "`T1019`" in message and "`99509`" in message


@pytest.mark.parametrize(("modifier", "valid"), [("U1", True), ("\"52\"", True), ("U10", False), ("u1", False)])
def test_a_modifier_is_two_capital_letters_or_digits(repo, modifier, valid):
    full(repo).edit(DANNY_PLAN, "modifiers: [U1,", f"modifiers: [{modifier},")
    findings = check(repo.root)
    if valid:
        assert findings == []
        return
    assert places(findings, "E004") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, f"[{modifier},", 1))]
    assert "a modifier of two capital letters or digits, such as `U1`" in findings[0]["message"]


def test_a_state_code_system_is_not_held_to_the_hcpcs_form(repo):
    full(repo).edit(DANNY_PLAN, "{code: H2023, modifiers: [U1, \"52\"],",
                    "{system: \"https://hcpf.colorado.gov/codes\", code: SE-15, modifiers: [HOURLY],")
    assert check(repo.root) == []


# -- providers.yaml and the references of a support (L102) ---------------------------------------------------

def test_a_provider_id_not_in_providers_yaml_is_l102_at_the_id(repo):
    full(repo).edit(DANNY_PLAN, "provider_id: pv-pathways", "provider_id: pv-pathway")
    findings = check(repo.root)
    assert places(findings, "L102") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "pv-pathway\n"))]
    assert [f["code"] for f in findings] == ["L102"]
    assert findings[0]["message"] == ("provider id `pv-pathway` is not in providers.yaml; correct the id or add the "
                                      "provider to providers.yaml")


def test_a_provider_id_without_providers_yaml_is_l102_saying_so(repo):
    full(repo).path(PROVIDERS).unlink()
    findings = check(repo.root)
    assert places(findings, "L102") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "pv-pathways\n"))]
    assert "there is no providers.yaml at the repository root" in findings[0]["message"]


def test_providers_yaml_is_checked_against_its_schema_and_counted(repo):
    full(repo).edit(PROVIDERS, "    type: individual\n", "    type: individual\n    fax: \"970-555-0000\"\n")
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        result = CliRunner().invoke(app, ["check", "--today", "2026-11-22", "-f", "json", "--exit-zero"], env=ENV)
    finally:
        os.chdir(old)
    report = json.loads(result.stdout)
    assert places(report["findings"], "E004") == [(PROVIDERS, *repo.locate(PROVIDERS, "fax"))]
    assert report["summary"]["files"] == 1 + 1 + sum(1 for _ in repo.root.glob("members/**/*.yaml"))


def test_a_providers_yaml_that_did_not_load_makes_no_id_look_unknown(repo):
    full(repo).write(PROVIDERS, "kind: providers\nversion: 1\nproviders: [\n")
    assert [f["code"] for f in check(repo.root)] == ["E001"]


@pytest.mark.parametrize("funding", ["SLS-DD", "state_plan", "state_funds", "private", "natural"])
def test_funding_is_a_program_of_the_member_or_a_named_source(repo, funding):
    full(repo).edit(DANNY_PLAN, "funding: SLS-DD", f"funding: {funding}")
    assert check(repo.root) == []


def test_funding_by_a_program_the_member_is_not_enrolled_in_is_l102_at_the_funding(repo):
    full(repo).edit(DANNY_PLAN, "funding: SLS-DD", "funding: HCBS-EBD")
    findings = check(repo.root)
    assert places(findings, "L102") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "HCBS-EBD"))]
    assert findings[0]["message"] == ("funding `HCBS-EBD` is not a program the member is enrolled in (member.yaml "
                                      "`programs`) nor one of state_plan, state_funds, private, natural")


# -- L109: an authorization quantifies a support ---------------------------------------------------------------

SP2_AMOUNT = "    amount: 4\n    unit: hours\n    frequency: weekly\n    start: 2026-06-01\n"


def test_a_support_quantified_only_by_its_authorization_is_not_l109(repo):
    full(repo).edit(DANNY_PLAN, SP2_AMOUNT, "    start: 2026-06-01\n")
    assert check(repo.root) == []


def test_an_authorization_without_its_period_still_leaves_the_frequency_unsaid(repo):
    full(repo).edit(DANNY_PLAN, SP2_AMOUNT, "    start: 2026-06-01\n")
    repo.edit(DANNY_PLAN, "per: week, ", "")
    findings = check(repo.root)
    assert places(findings, "L109") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "- id: SP2", 2))]
    assert findings[0]["message"] == "support SP2 does not say how often (`frequency`)"


def test_without_an_authorization_l109_is_as_before(repo):
    repo.edit(DANNY_PLAN, SP2_AMOUNT, "    start: 2026-06-01\n")
    findings = check(repo.root)
    assert sorted(f["message"] for f in findings if f["code"] == "L109") == [
        "support SP2 does not say how much (`amount`)", "support SP2 does not say how often (`frequency`)",
        "support SP2 does not say the unit of the amount (`unit`)"]


# -- the cache: providers.yaml is part of the key ----------------------------------------------------------------

def debug_check(root: Path) -> tuple[list[dict], int, int]:
    """The findings of a cached `check --debug`, with the cache's (hits, misses) of this run."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, ["check", "--today", "2026-11-22", "-f", "json", "--exit-zero", "--debug"],
                                    env=ENV, catch_exceptions=False)
    finally:
        os.chdir(old)
    counted = re.search(r"pcplan: cache .*: (\d+) hits? \((\d+) after hashing\), (\d+) miss(?:es)?", result.stderr)
    assert counted, result.stderr
    return json.loads(result.stdout)["findings"], int(counted.group(1)), int(counted.group(3))


def test_a_warm_check_after_editing_providers_yaml_judges_again(repo, monkeypatch):
    from pcplan import cache as cache_module

    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)  # files written just now: their stats are trusted
    full(repo)
    assert debug_check(repo.root) == ([], 0, 3)  # cold: the three member folders stored
    assert debug_check(repo.root) == ([], 3, 0)  # warm: all answered from the cache
    repo.edit(PROVIDERS, "  - id: pv-pathways\n", "  - id: pv-pathways-inc\n")
    findings, hits, misses = debug_check(repo.root)
    assert (hits, misses) == (0, 3)  # providers.yaml is in the run key: nothing answered from before
    assert places(findings, "L102") == [(DANNY_PLAN, *repo.locate(DANNY_PLAN, "pv-pathways\n"))]
    repo.edit(PROVIDERS, "  - id: pv-pathways-inc\n", "  - id: pv-pathways\n")
    assert debug_check(repo.root)[0] == []


# -- the sample cases use the new fields -----------------------------------------------------------------------

def test_the_sample_providers_have_npis_that_pass_the_check_digit():
    import yaml

    providers = yaml.safe_load((SAMPLE_CASES / PROVIDERS).read_text(encoding="utf-8"))["providers"]
    assert len(providers) >= 10
    for provider in providers:
        digits = "80840" + provider["npi"]
        total = sum(int(d) if i % 2 == 0 else sum(divmod(2 * int(d), 10)) for i, d in enumerate(reversed(digits)))
        assert total % 10 == 0, provider["id"]
    used = {line.split(":", 1)[1].strip() for path in (SAMPLE_CASES / "members").rglob("plan-*.yaml")
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("provider_id:")}
    assert used and used <= {p["id"] for p in providers}
