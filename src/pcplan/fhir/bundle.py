"""One member's records as one FHIR R4 Bundle of type `collection`, and its bytes; or, with ``--bundle
transaction``, as transaction Bundles a FHIR server takes (``transactions``, at the end).

Why a collection: it is what the eLTSS guide exchanges (its example Bundle,
fsh/examples/bundleExample.fsh:18, is `type = #collection`). A `document` Bundle would need a
Composition attested as one immutable clinical document; the guide puts the plan's consent in a Contract's
signatures instead, and a member's export holds several plans with their states (draft, in effect,
superseded), which no one document attests.

The Bundle holds every plan of the member folder, each with the state the lifecycle gives it on --today,
the newer plan `replaces` the one it superseded. Entries are grouped by resource type, in the order the
records are read (pcplan.facts.lifecycle's order of plans), and serialized with json.dumps in the order their
keys were written: the same files and --today give the same bytes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..facts.lifecycle import PlanRecord, lifecycle
from ..model import Case
from . import codes as c
from .context import Context
from .episodes import episodes
from .ids import full_url, resource_id
from .people import patient, practitioner, representatives
from .plan import Assessed, assessment, item_key, plan

ORDER = ("Patient", "CarePlan", "Goal", "Task", "ServiceRequest", "Condition", "Observation", "RiskAssessment",
         "Contract", "QuestionnaireResponse", "Questionnaire", "EpisodeOfCare", "Encounter", "RelatedPerson",
         "Practitioner", "PractitionerRole", "Organization", "Device", "Provenance")


class NoMemberId(Exception):
    """member.yaml has no readable id: nothing to derive the resource ids from."""


def member_bundle(case: Case, root: Path, staff: dict[str, dict], organization: str, today: date) -> dict:
    member_id = case.member_id
    if member_id is None:
        raise NoMemberId(str(case.folder))
    life = lifecycle(case, today)
    ctx = Context(case, life, member_id, staff, organization, today)

    def resolve(kind: str, value: str) -> dict | None:
        return practitioner(ctx, value) if kind == "staff" else None

    patient(ctx, resolve)
    representatives(ctx, resolve)
    episode_refs = episodes(ctx, resolve)
    assessed: dict[int, Assessed] = {}
    keys = _plan_keys(life.plans)
    made: dict[int, dict] = {}
    for record in life.plans:
        source = case.assessment_for(record.plan)
        found = None
        if source is not None:
            if id(source) not in assessed:
                assessed[id(source)] = assessment(ctx, source, resolve)
            found = assessed[id(source)]
        episode = episode_refs.get((record.episode or life.current_episode).number)
        older = life.replaces(record)
        replaced = made.get(id(older.plan)) if older is not None else None
        result = plan(ctx, record, keys[id(record.plan)], found, episode, replaced, root, resolve)
        made[id(record.plan)] = result.careplan
    rank = {kind: index for index, kind in enumerate(ORDER)}
    resources = sorted(ctx.resources.values(), key=lambda r: rank.get(r["resourceType"], len(ORDER)))
    return {
        "resourceType": "Bundle",
        "id": resource_id("member", member_id, "bundle"),
        "identifier": {"system": c.MEMBER_ID, "value": member_id},
        "type": "collection",
        "entry": [{"fullUrl": full_url(r["id"]), "resource": r} for r in resources],
    }


def _plan_keys(records: list[PlanRecord]) -> dict[int, str]:
    """Each plan's key for ids (``P1@2026-09-03``); two plans with the same id and date fall back to file names."""
    keys = {id(r.plan): item_key(r.plan) for r in records}
    names = {id(r.plan): f"file:{r.plan.path.name}" for r in records}
    taken: dict[str, int] = {}
    for key in keys.values():
        taken[key] = taken.get(key, 0) + 1
    return {ident: key if taken[key] == 1 else names[ident] for ident, key in keys.items()}


def dumps(bundle: dict) -> str:
    """The Bundle as pretty JSON (one member's file)."""
    return json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"


def dumps_line(bundle: dict) -> str:
    """The Bundle on one line (NDJSON, several members to one stream)."""
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------- transaction Bundles (--bundle transaction)

MAX_ENTRIES = 500  # the default size past which a member's transaction is split


def transactions(bundle: dict, today: date, max_entries: int = MAX_ENTRIES) -> list[dict]:
    """The member's collection Bundle as transaction Bundles a FHIR server accepts and can take again.

    Each entry is ``PUT Type/id`` with the stable id (pcplan.fhir.ids): repeating the import updates the same
    resources and creates none. References become relative (``Patient/ID``) so that they resolve on the server
    whichever Bundle holds their target; ``fullUrl`` stays ``urn:uuid:`` and the same id. Entries are ordered
    so that what is referenced comes first (resources that reference each other stay together), and the
    Bundle is split past ``max_entries`` at such a boundary, so that Bundles POSTed in order never reference
    a resource a later one brings. ``timestamp`` is ``--today`` at midnight UTC: the same files and --today
    give the same bytes.
    """
    resources = [entry["resource"] for entry in bundle["entry"]]
    kinds = {r["id"]: r["resourceType"] for r in resources}
    rewritten = [_relative(r, kinds) for r in resources]
    member = bundle.get("identifier", {}).get("value", bundle["id"])
    parts = _chunks(_ordered(rewritten, kinds), max(1, max_entries))
    out = []
    for number, part in enumerate(parts, start=1):
        rid = bundle["id"] if len(parts) == 1 else resource_id("member", member, "bundle", "transaction", str(number))
        out.append({"resourceType": "Bundle", "id": rid, "type": "transaction",
                    "timestamp": f"{today.isoformat()}T00:00:00Z",
                    "entry": [{"fullUrl": full_url(r["id"]), "resource": r,
                               "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
                              for group in part for r in group]})
    return out


def _relative(node: object, kinds: dict[str, str]) -> object:
    """A copy of ``node`` with every ``urn:uuid:`` reference to an entry written ``Type/id``."""
    if isinstance(node, dict):
        out = {key: _relative(value, kinds) for key, value in node.items()}
        ref = node.get("reference")
        if isinstance(ref, str) and ref.startswith("urn:uuid:") and ref[len("urn:uuid:"):] in kinds:
            rid = ref[len("urn:uuid:"):]
            out["reference"] = f"{kinds[rid]}/{rid}"
        return out
    if isinstance(node, list):
        return [_relative(item, kinds) for item in node]
    return node


def _targets(node: object, kinds: dict[str, str], into: list[str]) -> list[str]:
    """The ids of the entries ``node`` references (relative references, as _relative writes them)."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str) and "/" in ref and ref.split("/", 1)[1] in kinds:
            into.append(ref.split("/", 1)[1])
        for value in node.values():
            _targets(value, kinds, into)
    elif isinstance(node, list):
        for item in node:
            _targets(item, kinds, into)
    return into


def _ordered(resources: list, kinds: dict[str, str]) -> list[list[dict]]:
    """The resources in groups that reference each other (strongly connected), each group after every group it
    references; ties keep the Bundle's order (Tarjan's algorithm, iterative, deterministic)."""
    by_id = {r["id"]: r for r in resources}
    position = {r["id"]: n for n, r in enumerate(resources)}
    edges = {rid: sorted(set(_targets(r, kinds, [])) - {rid}, key=position.__getitem__) for rid, r in by_id.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[dict]] = []
    for start in by_id:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, at = work.pop()
            if at == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if at < len(edges[node]):
                work.append((node, at + 1))
                nxt = edges[node][at]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append([by_id[m] for m in sorted(group, key=position.__getitem__)])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def _chunks(groups: list[list[dict]], size: int) -> list[list[list[dict]]]:
    """Groups packed in order into parts of at most ``size`` entries; a group is never split (one larger than
    ``size`` is a part of its own)."""
    parts: list[list[list[dict]]] = [[]]
    count = 0
    for group in groups:
        if count and count + len(group) > size:
            parts.append([])
            count = 0
        parts[-1].append(group)
        count += len(group)
    return parts
