"""One member's records as one FHIR R4 Bundle of type `collection`, and its bytes.

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
