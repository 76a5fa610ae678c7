"""pcplan's FHIR definitions: a StructureDefinition for every extension, a CodeSystem for every code system and a
NamingSystem for every identifier system the export writes, as one FHIR package (``pcplan.definitions``).

Nothing here is written by hand: the StructureDefinitions come from the extension table
(pcplan.fhir.extensions.SPECS: context, value type, sub-extensions, description), the CodeSystems' codes from
the schemas' enums (or, for the few codes pcplan coins itself, the table below), so a definition can never say
other than the export does. ``pcplan export fhir --definitions DIR`` writes them, one JSON file each with a
``package.json`` (and ``.index.json``) so FHIR tooling loads the folder as a package; the same files are shipped
inside the wheel at ``pcplan/fhir/package/`` (tests/test_export_fhir_exchange.py keeps that copy equal to what
this module makes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import __version__
from ..resources import schema_text
from . import codes as c
from .extensions import REFERENCE_KINDS, SPECS, VALUE, Field, Spec

PACKAGE = "pcplan.definitions"
FHIR_VERSION = "4.0.1"
PUBLISHER = "pcplan"
# NamingSystem.date is required; the date these definitions were first published (not the export's --today,
# so that the package is the same bytes whoever writes it).
PUBLISHED = "2026-12-08"
EXTENSION = "http://hl7.org/fhir/StructureDefinition/Extension"
SHIPPED = Path(__file__).resolve().parent / "package"  # the copy inside the wheel

# A reference kind of the extension table → the resource it points at (pcplan.fhir.plan's and people's resolve).
TARGET = {"staff": "Practitioner", "need": "Condition", "goal": "Goal", "support": "ServiceRequest"}


@dataclass(frozen=True)
class CodeSystemSpec:
    name: str  # https://pcplan.dev/fhir/CodeSystem/NAME
    title: str
    description: str
    schema: tuple[str, tuple[str, ...]] | None = None  # (schema kind, path of property names to the enum)
    codes: tuple[tuple[str, str], ...] = ()  # (code, display) when pcplan coins the codes itself


CODE_SYSTEMS = (
    CodeSystemSpec("need-domain", "Need domains", "The domain of an assessed need (assessment needs[].domain).",
                   schema=("assessment", ("needs", "domain"))),
    CodeSystemSpec("plan-type", "Plan types", "Why a plan was written: initial, annual or revision (plan type).",
                   schema=("plan", ("type",))),
    CodeSystemSpec("setting-type", "Setting types", "The kind of setting the member lives in (plan setting.type).",
                   schema=("plan", ("setting", "type"))),
    CodeSystemSpec("representative-authority", "Representative authority",
                   "The authority a member's representative holds (member.yaml representatives[].authority).",
                   schema=("member", ("representatives", "authority"))),
    CodeSystemSpec("staff-role", "Staff roles", "A staff member's role at the agency (staff.yaml staff[].role).",
                   schema=("staff", ("staff", "role"))),
    CodeSystemSpec("observation-code", "Observation codes",
                   "Which field of the records an Observation of a preference was made from.",
                   codes=(("important-to-me", "What is important to the person (assessment important_to_me)"),
                          ("what-matters", "What matters to the person (plan what_matters)"))),
    CodeSystemSpec("encounter-type", "Encounter types", "The kind of Encounter pcplan writes.",
                   codes=(("planning-meeting", "Person-centered planning meeting"),)),
)

# pcplan's identifier systems, each a NamingSystem: every ``https://pcplan.dev/fhir/sid/...`` that
# pcplan.fhir.codes declares (found there, so a new one is never left out), described here.
SID = f"{c.PCPLAN}/sid/"
ABOUT_SID = {
    "member-id": "A member's id in the agency's repository (member.yaml id).",
    "plan-id": "A plan's id: MEMBER/PLAN.",
    "staff-id": "A staff member's id in the agency's staff.yaml.",
    "item-id": "A need, goal, objective, support or risk: MEMBER/ASSESSMENT-OR-PLAN/ITEM.",
    "content-fingerprint": "A plan file's content fingerprint (what `pcplan fingerprint` prints).",
    "provider-id": "A provider's id in the agency's providers.yaml.",
    "provider-medicaid-id": "A provider's Medicaid provider id as providers.yaml records it (the state's own "
                            "system is not known to pcplan).",
    "medicaid": "The member's Medicaid number as member.yaml records it (identifiers, system medicaid).",
    "state-id": "The member's state registry id as member.yaml records it (identifiers, system state).",
    "mrn": "The member's medical record number as member.yaml records it (identifiers, system mrn).",
    "ssn-last4": "The last four digits of the member's Social Security number (identifiers, system ssn-last4).",
}


def naming_systems() -> list[str]:
    """Every pcplan identifier system pcplan.fhir.codes declares, in the order found."""
    found: list[str] = []

    def visit(value: object) -> None:
        if isinstance(value, str) and value.startswith(SID) and value not in found:
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, tuple | list):
            for item in value:
                visit(item)

    for name in dir(c):
        if name.isupper():
            visit(getattr(c, name))
    return found


# ---------------------------------------------------------------- StructureDefinitions


def structure_definition(spec: Spec) -> dict:
    """The StructureDefinition of one extension: a constraint on Extension, its url fixed, its value or its
    sub-extensions as the table declares them."""
    root = {"id": "Extension", "path": "Extension", "short": _short(spec.description),
            "definition": spec.description}
    if spec.kind == "complex":
        elements = [root, *_complex("Extension", spec.fields), _url("Extension", spec.url), _no_value("Extension")]
    else:
        elements = [root, _no_extension("Extension"), _url("Extension", spec.url), _value("Extension", spec.kind)]
    return {"resourceType": "StructureDefinition", "id": spec.name, "url": spec.url, "version": __version__,
            "name": _pascal(spec.name), "title": f"pcplan {spec.name}", "status": "active", "publisher": PUBLISHER,
            "description": f"{spec.description} Carries `{spec.source}`.", "fhirVersion": FHIR_VERSION,
            "kind": "complex-type", "abstract": False,
            "context": [{"type": "element", "expression": spec.context}],
            "type": "Extension", "baseDefinition": EXTENSION, "derivation": "constraint",
            "differential": {"element": elements}}


def _complex(prefix: str, fields: tuple[Field, ...]) -> list[dict]:
    """Extension.extension sliced by url, a slice per field (nested for a complex field)."""
    path = _path(prefix)
    out: list[dict] = [{"id": f"{prefix}.extension", "path": f"{path}.extension",
                        "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}}]
    for field in fields:
        slice_id = f"{prefix}.extension:{field.name}"
        out.append({"id": slice_id, "path": f"{path}.extension", "sliceName": field.name, "min": 0,
                    "max": "*" if field.repeats else "1"})
        if field.kind == "complex":
            out += [*_complex(slice_id, field.fields), _url(slice_id, field.name), _no_value(slice_id)]
        else:
            out += [_no_extension(slice_id), _url(slice_id, field.name), _value(slice_id, field.kind)]
    return out


def _path(element_id: str) -> str:
    """An element id's path: its slice names dropped."""
    return ".".join(part.split(":")[0] for part in element_id.split("."))


def _url(prefix: str, url: str) -> dict:
    return {"id": f"{prefix}.url", "path": f"{_path(prefix)}.url", "fixedUri": url}


def _no_extension(prefix: str) -> dict:
    return {"id": f"{prefix}.extension", "path": f"{_path(prefix)}.extension", "max": "0"}


def _no_value(prefix: str) -> dict:
    return {"id": f"{prefix}.value[x]", "path": f"{_path(prefix)}.value[x]", "max": "0"}


def _value(prefix: str, kind: str) -> dict:
    if kind in REFERENCE_KINDS:
        kinds = [{"code": "Reference", "targetProfile": [f"http://hl7.org/fhir/StructureDefinition/{TARGET[kind]}"]}]
    else:
        code = VALUE[kind][len("value"):]
        kinds = [{"code": code[0].lower() + code[1:]}]
    return {"id": f"{prefix}.value[x]", "path": f"{_path(prefix)}.value[x]", "min": 1, "type": kinds}


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _short(description: str) -> str:
    first = description.split(": ")[0].split(" (")[0].rstrip(".")
    return first if len(first) <= 100 else first[:97] + "..."


# ---------------------------------------------------------------- CodeSystems and NamingSystems


def code_system(spec: CodeSystemSpec) -> dict:
    concepts = [{"code": code, "display": display} for code, display in _codes(spec)]
    return {"resourceType": "CodeSystem", "id": spec.name, "url": c.code_system(spec.name), "version": __version__,
            "name": _pascal(spec.name), "title": f"pcplan {spec.title.lower()}", "status": "active",
            "publisher": PUBLISHER, "description": spec.description, "caseSensitive": True,
            "content": "complete", "count": len(concepts), "concept": concepts}


def _codes(spec: CodeSystemSpec) -> list[tuple[str, str]]:
    if spec.schema is None:
        return list(spec.codes)
    kind, names = spec.schema
    node = json.loads(schema_text(kind))
    for name in names:
        node = node["properties"][name]
        if node.get("type") == "array" and "items" in node:
            node = node["items"]
    return [(code, code.replace("_", " ")) for code in node["enum"]]


def naming_system(uri: str) -> dict:
    name = uri[len(SID):]
    description = ABOUT_SID.get(name, f"pcplan's identifier system {name}.")
    return {"resourceType": "NamingSystem", "id": name, "name": _pascal(name), "status": "active",
            "kind": "identifier", "date": PUBLISHED, "publisher": PUBLISHER, "description": description,
            "uniqueId": [{"type": "uri", "value": uri, "preferred": True}]}


# ---------------------------------------------------------------- the package


def resources() -> Iterator[dict]:
    yield from (structure_definition(spec) for spec in SPECS.values())
    yield from (code_system(spec) for spec in CODE_SYSTEMS)
    yield from (naming_system(uri) for uri in naming_systems())


def files() -> dict[str, str]:
    """File name → text: one JSON file per resource, package.json and .index.json."""
    out: dict[str, str] = {}
    index = []
    for resource in resources():
        name = f"{resource['resourceType']}-{resource['id']}.json"
        out[name] = _dumps(resource)
        index.append({"filename": name, **{k: resource[k] for k in ("resourceType", "id", "url", "version", "kind",
                                                                    "type") if k in resource}})
    manifest = {"name": PACKAGE, "version": __version__, "description": "pcplan's extensions, code systems and "
                "identifier systems for the FHIR R4 export (pcplan export fhir)", "author": PUBLISHER,
                "canonical": c.PCPLAN, "fhirVersions": [FHIR_VERSION], "type": "fhir.ig",
                "dependencies": {"hl7.fhir.r4.core": FHIR_VERSION}}
    return {"package.json": _dumps(manifest), ".index.json": _dumps({"index-version": 1, "files": index}), **out}


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write(folder: Path, force: bool = False) -> list[Path]:
    """The package's files into ``folder`` (made if missing); every name is checked before any is written, and an
    existing file is replaced only with ``force``."""
    from ..output import check_target, make_folders, write_atomically

    make_folders(folder)
    texts = files()
    targets = {name: folder / name for name in texts}
    for target in targets.values():
        check_target(target, force)
    return [write_atomically(target, _writer(texts[name]), overwrite=force) for name, target in targets.items()]


def _writer(text: str) -> Callable[[IO[str]], object]:
    return lambda stream: stream.write(text)
