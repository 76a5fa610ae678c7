"""docs/fhir.md's table of the 56 eLTSS data elements is generated from the export itself
(src/pcplan/fhir/elements.py), so it cannot drift from what `pcplan export fhir` writes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, SAMPLE_CASES, SHARED
from pcplan.cli import app
from pcplan.fhir.elements import ELEMENTS, current_table, export_sample_cases, found, load_bundles, status, table

DOC = PROJECT / "docs" / "fhir.md"
PAGE = SHARED / "vendor-schemas" / "eltss" / "pages" / "eLTSS_to_FHIR_R4_element.xml"
REGENERATE = "python -m pcplan.fhir.elements --write docs/fhir.md"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Every member of sample_cases through the real CLI (errors and missing service codes allowed: the table
    tells what the format carries into FHIR)."""
    out = tmp_path_factory.mktemp("elements")
    result = CliRunner().invoke(app, ["export", "fhir", str(SAMPLE_CASES), "-o", f"{out}/", "--today", "2026-11-22",
                                      "--allow-errors", "--allow-incomplete"])
    assert result.exit_code == 0, result.output
    return load_bundles(out)


def test_the_generator_exports_what_the_cli_exports(tmp_path: Path, bundles: list[dict]) -> None:
    assert load_bundles(export_sample_cases(tmp_path, SAMPLE_CASES)) == bundles


def test_the_table_in_docs_is_the_one_the_export_gives(bundles: list[dict]) -> None:
    written = current_table(DOC.read_text(encoding="utf-8"))
    assert written is not None, "docs/fhir.md lost the eltss-elements markers"
    assert written == table(bundles), f"docs/fhir.md's element table is stale: run `{REGENERATE}`"


def test_every_member_of_sample_cases_was_exported(bundles: list[dict]) -> None:
    members = sorted(p.name for p in (SAMPLE_CASES / "members").iterdir() if (p / "member.yaml").is_file())
    assert len(bundles) == len(members)


@pytest.mark.skipif(not PAGE.is_file(), reason="../shared (the eLTSS guide's pages) is not beside the project")
def test_the_elements_are_the_guides_56_in_its_order() -> None:
    text = PAGE.read_text(encoding="utf-8-sig")
    rows = re.findall(r"<tr\s*>(.*?)</tr>", re.search(r"<table.*?</table>", text, flags=re.S).group(0), flags=re.S)
    guide = []
    for row in rows[1:]:
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                 for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        guide.append((cells[0], cells[1]))
    assert [(e.group, e.name) for e in ELEMENTS] == guide
    assert len(ELEMENTS) == 56


def _bundle(*resources: dict) -> list[dict]:
    return [{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}]


def test_a_path_finds_values_through_lists_conditions_and_alternatives() -> None:
    patient = {"resourceType": "Patient", "telecom": [{"system": "email", "value": "a@b.c"},
                                                      {"system": "phone", "value": "555"}],
               "name": [{"text": "Ana Ruiz"}]}
    contract = {"resourceType": "Contract", "signer": [
        {"type": {"code": "POWATT"}, "signature": [{"when": "2026-01-02T12:00:00Z"}]}]}
    data = _bundle(patient, contract)
    assert found(data, "Patient.telecom.where(system = 'phone').value")
    assert not found(data, "Patient.telecom.where(system = 'fax').value")
    assert not found(data, "Patient.name.family")
    assert found(data, "Patient.name.family or Patient.name.text")
    assert found(data, "Contract.signer.where(type.code in %guardian).signature.when")
    assert not found(data, "Contract.signer.where(type.code = 'PAT').signature.when")
    assert found(data, "Patient.where(name).telecom")
    assert not found(data, "Claim.item.net.value")


def test_an_element_is_present_in_part_or_absent_by_its_paths() -> None:
    person_signature = next(e for e in ELEMENTS if e.name == "Person Signature")
    signer = {"type": {"code": "PAT"}, "signature": [{"type": [{"code": "1.2.840.10065.1.12.1.7"}],
                                                      "who": {"reference": "urn:uuid:1"}}]}
    assert status(_bundle({"resourceType": "Contract", "signer": [signer]}), person_signature) == (
        "in part", ["Contract.signer.where(type.code = 'PAT').signature.data"])
    signer["signature"][0]["data"] = "aGVsbG8="
    assert status(_bundle({"resourceType": "Contract", "signer": [signer]}), person_signature) == ("present", [])
    assert status(_bundle(), person_signature)[0] == "absent"


def test_the_table_rows_keep_the_five_columns_and_name_the_missing_paths(bundles: list[dict]) -> None:
    rows = [line for line in table(bundles).splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == 56
    for line in rows:
        cells = line.strip("|").split(" | ")
        assert len(cells) == 5, line
        assert re.match(r"\*\*(present|in part|absent)\*\*", cells[4].strip()), line


def test_the_generator_writes_the_table_between_the_markers(tmp_path: Path, bundles: list[dict]) -> None:
    from pcplan.fhir.elements import END, START, main

    folder = tmp_path / "bundles"
    folder.mkdir()
    for number, bundle in enumerate(bundles):
        (folder / f"M-{number:06}.fhir.json").write_text(json.dumps(bundle), encoding="utf-8")
    doc = tmp_path / "fhir.md"
    doc.write_text(f"# title\n\n{START}\nold\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--write", str(doc), "--from", str(folder)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# title\n\n") and text.endswith("\n\nafter\n")
    assert current_table(text) == table(bundles)
