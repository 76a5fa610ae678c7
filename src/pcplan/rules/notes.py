"""N-rules: contact notes tell how the member is progressing in relation to the plan."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.lifecycle import contact_parties, member_names, records_contact
from ..findings import Hit
from ..model import Case, plan_name, text
from ..placeholders import TEMPLATE_TEXT, is_placeholder
from .context import CaseContext
from .registry import rule


@rule("N801", "note-without-goal", "warning", source="ISED; CMHPSM 13.003")
def note_without_goal(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every note of a contact the member took part in relates to at least one goal of the plan in effect on
    its date (collateral and incident notes need not).

    Why it matters: progress notes should describe how the member is
    progressing in relation to the plan, and the case manager documents
    progress and the member's satisfaction. A note tied to no goal records
    activity, not progress, and breaks the chain from plan to outcome.

    How to fix: add a `progress` entry naming the goal the contact was about
    and what changed. If the contact was about something new, consider whether
    the plan needs a new goal. Progress counts only in a note that records
    what happened (a `text` that is not empty or a template's placeholder):
    the `progress` entries of an empty note (N802) show progress on no goal.
    Notes dated before the member's first plan
    (intake and engagement contacts) have no goals to relate to and are not
    checked. Only notes of a contact the member took part in are checked
    (`with` names them by their legal or preferred name, or says `member`):
    a collateral note (a call with the guardian, a provider, the hospital),
    in any channel, reports on the member's behalf and need not relate to a
    goal. Nor need an incident note: mark a note that records an incident
    (a fall, a hospital admission, an arrest, a report of abuse or neglect)
    with `incident: true`, even when the member was there.

    Example:
        progress:
          - goal: G1
            text: Elena has not missed a dose this month.
        # or, for a visit about a fall that sent her to the emergency room:
        incident: true
    """
    names = member_names(case.member)
    for note in case.notes:
        plan = ctx.lifecycle.plan_on(note.date)
        if plan is None or note.date is None:  # (an undated note has no plan in effect)
            continue
        if note.get("incident") is True or not contact_parties(note, names)[0]:
            continue  # an incident note, or a contact the member did not take part in (collateral)
        named = any(text(entry, "goal") for _, entry in note.items("progress"))
        if named and records_contact(note):
            continue
        where = ("progress",) if "progress" in note.data else ()
        if named:  # an empty note's progress entries count for nothing (DESIGN.md, "What counts as a contact")
            yield Hit(note, where, f"this note names goals of {plan_name(plan)} under `progress` but records "
                      "nothing of what happened (N802), so it shows progress on none; write what happened under "
                      "`text`", at="key")
            continue
        yield Hit(note, where, f"this note records progress on no goal of {plan_name(plan)} "
                  f"(in effect on {note.date.isoformat()}); add a `progress` entry naming the goal it relates to",
                  at="key")


@rule("N802", "note-empty", "error", source="ISED (documentation); CMHPSM 13.003")
def note_empty(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A note records what happened: a narrative (`text`) that is not empty and not a template's placeholder (an empty
    note counts as no contact).

    Why it matters: a note is the record that a contact took place and what
    came of it. A note with a date, a contact type and the member's name but
    no account of what happened documents nothing a reviewer or the next case
    manager can use, and it would let an unwritten visit meet the plan's
    contact frequency. Until it says what happened it counts as no contact:
    not toward the plan's contact frequencies (T205, `pcplan due`), not as the
    member's view at a review (P411), and not as progress on a goal (N801).

    How to fix: write under `text` what happened and what comes next, in
    plain words. `pcplan new note` writes `text: ...` where the narrative
    goes; it never fills in who took part, what was discussed or progress on
    a goal. A placeholder is not a narrative: a missing or empty `text`, or
    one that only holds dots, dashes or question marks (`...`, `--`), a
    stand-in (`N/A`, `none`, `TBD`, `pending`, `see above`, `per policy`,
    `TODO …`), a prompt in angle brackets (`<what happened>`) or a prompt
    `pcplan new` writes in its comments. A short true account ("Called; no
    answer, left a message.") is a narrative. Every note of the member
    folder is checked, whatever its date; if a contact did not happen, delete
    its note rather than leaving it empty.

    Example:
        # wrong: the note `pcplan new note` wrote, unedited
        contact: phone
        text: ...
        # right
        contact: phone
        with: [Elena]
        text: Elena says the aide came every day this week; she asked about a ride to the clinic.
    """
    for note in case.notes:
        value = note.get("text")
        if not is_placeholder(value):
            continue
        if "text" not in note.data:
            yield Hit(note, (), "this note records no narrative (`text`), so it counts as no contact; write what "
                      "happened and what comes next under `text`")
            continue
        if not isinstance(value, str):
            what = "is not text"
        elif not value.strip():
            what = "is empty"
        elif value.strip() == TEMPLATE_TEXT:
            what = "is still the placeholder `pcplan new` wrote"
        else:
            what = "is a placeholder, not an account of what happened"
        yield Hit(note, ("text",), f"this note's `text` {what}, so it counts as no contact; write what happened "
                  "and what comes next")
