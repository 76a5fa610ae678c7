"""Episodes (EpisodeOfCare, with the care manager) and planning meetings (Encounter).

The guide reaches the plan monitor through CarePlan.encounter → Encounter.episodeOfCare →
EpisodeOfCare.careManager (rows 17-18 of its mapping table); the encounter is the plan's planning meeting.
Which episode a record belongs to is the lifecycle's answer (pcplan.facts.lifecycle).
"""

from __future__ import annotations

from datetime import date

from ..dates import parse_iso
from ..facts.lifecycle import Episode
from ..model import Document, normalized_name
from . import codes as c
from .context import Context, text
from .extensions import Resolver, build, build_all
from .people import organization, practitioner, related_person


def episode_key(episode: Episode) -> str:
    return episode.enrolled_on.isoformat() if episode.enrolled_on else f"#{episode.number}"


def episodes(ctx: Context, resolve: Resolver) -> dict[int, dict]:
    """One EpisodeOfCare per episode of the member's record; episode number → reference."""
    life, member = ctx.life, ctx.case.member
    out: dict[int, dict] = {}
    by_episode: dict[int, dict[str, list]] = {e.number: {"program": [], "case-manager-assignment": [], "hold": []}
                                              for e in life.episodes}
    for field, name, day_key in (("programs", "program", "enrolled_on"),
                                 ("case_managers", "case-manager-assignment", "from"),
                                 ("holds", "hold", "start")):
        for _, item in member.items(field) if member is not None else []:
            episode = life.episode_of(parse_iso(item.get(day_key))) or life.current_episode
            by_episode[episode.number][name].append(item)
    for episode in life.episodes:
        status = _status(ctx, episode)
        resource: dict = {"resourceType": "EpisodeOfCare", "id": ctx.key("episode", episode_key(episode)),
                          "meta": {"profile": [c.PROFILE["EpisodeOfCare"]]}}
        gathered = by_episode[episode.number]
        extensions = [*build_all("program", gathered["program"], resolve),
                      *build_all("case-manager-assignment", gathered["case-manager-assignment"], resolve),
                      *build_all("hold", gathered["hold"], resolve)]
        if episode.closure is not None and (closure := build("closure", episode.closure.data, resolve)):
            extensions.append(closure)
        if extensions:
            resource["extension"] = extensions
        resource["status"] = status
        programs = [p for item in gathered["program"] if (p := text(item.get("program")))]
        if programs:
            resource["type"] = [{"text": p} for p in programs]
        resource["patient"] = ctx.patient
        if ctx.organization:
            resource["managingOrganization"] = organization(ctx, ctx.organization)
        period = {}
        if episode.enrolled_on:
            period["start"] = episode.enrolled_on.isoformat()
        if episode.closed_on:
            period["end"] = episode.closed_on.isoformat()
        if period:
            resource["period"] = period
        manager = _care_manager(ctx, episode, gathered["case-manager-assignment"])
        if manager:
            resource["careManager"] = practitioner(ctx, manager)
        out[episode.number] = ctx.add(resource)
    return out


def _status(ctx: Context, episode: Episode) -> str:
    """EpisodeOfCare.status (EpisodeOfCareStatus, a required binding)."""
    if episode.closed:
        return "finished"
    if episode is ctx.life.current_episode:
        return {"on_hold": "onhold", "referred": "planned", "closed": "finished"}.get(ctx.life.status or "", "active")
    return "finished"


def _care_manager(ctx: Context, episode: Episode, assignments: list[dict]) -> str | None:
    """The case manager of the episode: the assignment in force on its last day (its closure, else today), else
    the latest one that began in it."""
    last = min(ctx.today, episode.closed_on) if episode.closed_on else ctx.today
    dated = []
    for item in assignments:
        staff, start = text(item.get("staff")), parse_iso(item.get("from"))
        if staff is None:
            continue
        end = parse_iso(item.get("to"))
        dated.append((start or date.min, end, staff))
    current = [d for d in dated if d[0] <= last and (d[1] is None or d[1] >= last)]
    chosen = max(current or dated, key=lambda d: d[0], default=None)
    return chosen[2] if chosen else None


def meeting(ctx: Context, plan: Document, key: str, episode: dict | None, resolve: Resolver) -> dict:
    """The plan's planning meeting as an Encounter (status from its date and --today)."""
    data = plan.get("meeting") if isinstance(plan.get("meeting"), dict) else {}
    day = parse_iso(data.get("date"))
    status = "unknown" if day is None else ("finished" if day <= ctx.today else "planned")
    resource: dict = {"resourceType": "Encounter", "id": ctx.key("plan", key, "meeting")}
    if (ext := build("planning-meeting", data, resolve)) is not None:
        resource["extension"] = [ext]
    resource["status"] = status
    # Encounter.class is a required Coding; a planning meeting is none of ActEncounterCode's clinical classes.
    resource["class"] = c.coding(c.V3_NULL_FLAVOR, "UNK", "unknown")
    resource["type"] = [{"coding": [c.coding(c.code_system("encounter-type"), "planning-meeting")],
                         "text": "Person-centered planning meeting"}]
    resource["subject"] = ctx.patient
    if episode is not None:
        resource["episodeOfCare"] = [episode]
    participants = []
    facilitator = text(data.get("facilitator"))
    seen: set[str] = set()
    for _, person in plan.items("meeting", "participants"):
        staff = text(person.get("staff"))
        if staff:
            who = practitioner(ctx, staff)
        elif (name := text(person.get("name"))) and _is_related(ctx, name):
            who = related_person(ctx, name)
        else:
            continue
        if who["reference"] in seen:
            continue
        seen.add(who["reference"])
        kind = "PPRF" if staff and staff == facilitator else "PART"
        participants.append({"type": [c.concept(c.V3_PARTICIPATION, kind)], "individual": who})
    if facilitator and facilitator != "member":
        who = practitioner(ctx, facilitator)
        if who["reference"] not in seen:
            participants.insert(0, {"type": [c.concept(c.V3_PARTICIPATION, "PPRF")], "individual": who})
    if participants:
        resource["participant"] = participants
    if day is not None:
        resource["period"] = {"start": day.isoformat(), "end": day.isoformat()}
    if ctx.organization:
        resource["serviceProvider"] = organization(ctx, ctx.organization)
    return ctx.add(resource)


def _is_related(ctx: Context, name: str) -> bool:
    """Whether ``name`` is a representative (already a RelatedPerson): others at a meeting stay in the extension."""
    return (normalized_name(name) or "") in ctx.people

