"""N-rules: contact notes tell how the member is progressing in relation to the plan."""

from __future__ import annotations

from typing import Iterator

from ..findings import Hit
from ..model import plan_name, text
from ..lifecycle import lifecycle
from .registry import rule


@rule("N801", "note-without-goal", "warning", source="ISED; CMHPSM 13.003")
def note_without_goal(case, ctx) -> Iterator[Hit]:
    """Every contact note relates to at least one goal of the plan in effect on its date.

    Why it matters: progress notes should describe how the member is
    progressing in relation to the plan, and the case manager documents
    progress and the member's satisfaction. A note tied to no goal records
    activity, not progress, and breaks the chain from plan to outcome.

    How to fix: add a `progress` entry naming the goal the contact was about
    and what changed. If the contact was about something new, consider whether
    the plan needs a new goal. Notes dated before the member's first plan
    (intake and engagement contacts) have no goals to relate to and are not
    checked.

    Example:
        progress:
          - goal: G1
            text: Elena has not missed a dose this month.
    """
    for note in case.notes:
        plan = lifecycle(case, ctx.today).plan_on(note.date)
        if plan is None:
            continue
        if any(text(entry, "goal") for _, entry in note.items("progress")):
            continue
        where = ("progress",) if "progress" in note.data else ()
        yield Hit(note, where, f"this note records progress on no goal of {plan_name(plan)} "
                  f"(in effect on {note.date.isoformat()}); add a `progress` entry naming the goal it relates to",
                  at="key")
