"""The shipped JSON Schemas: valid 2020-12, documented for editors, closed, and inside the package."""

from __future__ import annotations

import json

import jsonschema
import pytest

from pcplan.resources import schema_path
from pcplan.schema import KINDS, schema_for


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12_with_a_versioned_id(kind):
    schema = schema_for(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://pcplan.dev/schemas/v1/{kind}.schema.json"
    assert schema["title"] and schema["description"]
    assert schema["properties"]["kind"] == {**schema["properties"]["kind"], "const": kind}


def _objects(node, where="#"):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}/{index}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_object_is_closed_and_every_field_described(kind):
    for where, obj in _objects(schema_for(kind)):
        assert obj.get("additionalProperties") is False, where
        for name, prop in obj.get("properties", {}).items():
            assert prop.get("description"), f"{where}/properties/{name} has no description"


def test_fields_with_rules_stay_optional():
    """DESIGN.md §3: a field a rule exists for is reported by that rule, not as a bare schema error."""
    plan = schema_for("plan")
    assert set(plan["required"]) <= {"kind", "version", "id", "member", "date", "type", "assessment"}
    goal = plan["properties"]["goals"]["items"]
    support = plan["properties"]["supports"]["items"]
    assert goal.get("required", []) == ["id"] and support.get("required", []) == ["id"]
    assert "strengths" not in schema_for("assessment").get("required", [])


def test_schemas_ship_with_the_package():
    for kind in KINDS:
        assert json.loads(schema_path(kind).read_text())["$id"].endswith(f"{kind}.schema.json")


def test_templates_folder_ships_with_the_package():
    from pcplan.resources import templates_dir

    assert (templates_dir() / "README.md").is_file()


def test_schema_command_prints_and_writes(tmp_path):
    from typer.testing import CliRunner

    from pcplan.cli import app

    runner = CliRunner()
    printed = json.loads(runner.invoke(app, ["schema", "plan"]).output)
    assert printed == schema_for("plan")
    everything = json.loads(runner.invoke(app, ["schema"]).output)
    assert set(everything) == set(KINDS)
    result = runner.invoke(app, ["schema", "--output", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)
    assert runner.invoke(app, ["schema", "--output", str(tmp_path)]).exit_code == 2  # never overwrites
    assert runner.invoke(app, ["schema", "--output", str(tmp_path), "--force"]).exit_code == 0
    assert runner.invoke(app, ["schema", "memo"]).exit_code == 2


def test_the_fast_validator_agrees_with_the_reference_one():
    """Messages must not depend on which validator ran: the fast one only says valid or not."""
    import copy

    from conftest import SAMPLE_CASES
    from pcplan.load import load_file
    from pcplan.schema import _fast_validator, _validator

    fast = _fast_validator("plan")
    if fast is None:
        pytest.skip("jsonschema-rs is not installed")
    plan = load_file(SAMPLE_CASES / "members" / "M-000123" / "plan-2026-09-03.yaml").data
    variants = [plan]
    for key, value in (("date", "2026-02-30"), ("date", "26-03-01"), ("type", "yearly"), ("extra", 1),
                       ("assessment", 7), ("goals", "none")):
        changed = copy.deepcopy(plan)
        changed[key] = value
        variants.append(changed)
    missing = copy.deepcopy(plan)
    del missing["supports"][0]["id"]
    variants.append(missing)
    for variant in variants:
        assert fast.is_valid(variant) == (not list(_validator("plan").iter_errors(variant)))
