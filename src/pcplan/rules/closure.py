"""X-rules: the end of a case (ISED stage 6, termination).

A closure records how the case ended for the member, and nothing happens in the
file after it without the case being reopened.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import parse_iso
from ..findings import Hit
from ..model import Case, Document, plain_id, shown_name, text
from .context import CaseContext
from .registry import rule


@rule("X701", "closure-incomplete", "error", source="ISED")
def closure_incomplete(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A closure records the exit interview (or a documented decline), a next-stage plan, and referrals; a
    `lost_contact` closure records the attempts to reach the member instead of the interview; a `deceased`
    closure records the date only.

    Why it matters: termination is a stage of case management, not the
    absence of one. The exit interview is the member's chance to say what
    worked; the plan for the next stage and the referrals are what the member
    leaves with, so that the end of services is not the end of support.

    How to fix: record each missing element (each is its own finding): (a)
    the exit interview, `exit_interview.held_on`, or the member's decline,
    `exit_interview.declined: true` with a `declined_reason`; (b) what happens
    next for the member, `next_stage_plan`; (c) at least one entry under
    `referrals` for the referrals and resources given. When the closure's
    `reason` is `deceased`, the closure records its date (the schema asks
    for it) and nothing else: there is no one to interview and nothing to
    refer, and asking for them would only invite filler. When it is
    `lost_contact`, there is nobody to interview: instead of (a), the
    closure records the attempts made to reach the member (`attempts`, at
    least one with its date `on` and its `method`: phone, mail, visit,
    email, text or other), and (b) and (c) are still required: the
    next-stage plan says what the agency does if the member gets back in
    touch, and the referrals record what was sent to the last known
    address.

    Example:
        kind: closure
        reason: goals_met
        exit_interview:
          held_on: 2026-10-15          # or: declined: true + declined_reason
        next_stage_plan: Abdi continues English classes on his own.
        referrals:
          - {to: Aims Community College Adult Education, for: English classes, on: 2026-10-15}
    """
    for closure in case.of_kind("closure"):
        reason = closure.get("reason")
        if reason == "deceased":
            continue
        data = closure.data
        if reason == "lost_contact":
            yield from _attempts(closure, data)
        else:
            yield from _exit_interview(closure, data)
        if text(data, "next_stage_plan") is None:
            where = ("next_stage_plan",) if data.get("next_stage_plan") is not None else ()
            yield Hit(closure, where, "the closure has no plan for the member's next stage (`next_stage_plan`); "
                      "say what happens next for the member")
        referrals = data.get("referrals")
        if not (isinstance(referrals, list) and referrals):
            where = ("referrals",) if referrals is not None else ()
            yield Hit(closure, where, "the closure lists no referrals or resources given to the member "
                      "(`referrals`); record where the member can turn next")


def _attempts(closure: Document, data: dict) -> Iterator[Hit]:
    """X701 for a `lost_contact` closure: at least one dated attempt to reach the member."""
    attempts = data.get("attempts")
    if isinstance(attempts, list) and any(isinstance(a, dict) and parse_iso(a.get("on")) is not None
                                          for a in attempts):
        return
    where = ("attempts",) if attempts is not None else ()
    yield Hit(closure, where, "the case closed as `lost_contact`, but the closure records no dated attempt to "
              "reach the member (`attempts`, each with `on` and `method`); record the calls, letters and visits "
              "made before closing")


def _exit_interview(closure: Document, data: dict) -> Iterator[Hit]:
    interview = data.get("exit_interview")
    where: tuple
    if not isinstance(interview, dict):
        where = ("exit_interview",) if interview is not None else ()
        yield Hit(closure, where, "the closure records neither an exit interview (`exit_interview.held_on`) "
                  "nor the member's decline (`declined: true` with `declined_reason`)")
        return
    if parse_iso(interview.get("held_on")) is not None:
        return
    if interview.get("declined") is True:
        if text(interview, "declined_reason") is None:
            where = ("exit_interview", "declined_reason") if interview.get("declined_reason") is not None \
                else ("exit_interview",)
            yield Hit(closure, where, "the exit interview is marked declined without the reason "
                      "(`exit_interview.declined_reason`); record why the member declined")
        return
    where = ("exit_interview", "held_on") if interview.get("held_on") is not None else ("exit_interview",)
    yield Hit(closure, where, "the closure does not record when the exit interview was held "
              "(`exit_interview.held_on`, YYYY-MM-DD) nor the member's decline (`declined: true` with "
              "`declined_reason`)")


@rule("X702", "activity-after-closure", "error", source="ISED")
def activity_after_closure(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """No note or plan is dated after a closure and before the next enrollment.

    Why it matters: documentation is an unbroken chronological chain from
    engagement to termination. A contact or plan after the closure date is
    either a wrong date or services given to a member whose case is closed,
    and then the case should have been reopened, with the member's consent,
    before anything else was done.

    How to fix: correct the date if it is a mistake. If the member came back
    for services, reopen the case with the member's agreement: add the new
    enrollment to member.yaml (`programs[].enrolled_on`), which opens a new
    episode, then assess and plan anew. Each episode has its own closure file
    (for example `closure-2026-03-30.yaml`); activity is checked between a
    closure and the next enrollment only.

    Example:
        # closure.yaml: date: 2026-10-15
        # notes/2026-11-02.yaml
        date: 2026-11-02     # wrong: after the case closed
        date: 2026-10-02     # right, if that is when the contact happened
    """
    episodes = ctx.lifecycle.episodes
    for position, episode in enumerate(episodes):
        closure, closed_on = episode.closure, episode.closed_on
        if closure is None or closed_on is None:
            continue
        following = episodes[position + 1] if position + 1 < len(episodes) else None
        reopened = following.enrolled_on if following is not None else None
        for doc in (*case.plans, *case.notes):
            day = doc.date
            if day is not None and day > closed_on and (reopened is None or day < reopened):
                what = "note" if doc.kind == "note" else "plan"
                until = (f" and before the member was enrolled again on {reopened.isoformat()}"
                         if reopened is not None else "")
                yield Hit(doc, ("date",), f"this {what} is dated {day.isoformat()}, after the case closed on "
                          f"{closed_on.isoformat()} ({shown_name(closure.path.name)}){until}; "
                          f"correct the date, or "
                          "reopen the case with a new enrollment (`programs[].enrolled_on`) first")


@rule("X703", "status-mismatch", "error", source="ISED")
def status_mismatch(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """member.yaml's `status` agrees with the latest episode: closed only with a closure, active or on hold only
    without one after the latest enrollment.

    Why it matters: the status is what a supervisor's list, a caseload count
    and every deadline start from. A member marked closed with no closure on
    record left without an exit interview, a next-stage plan or referrals; a
    member marked active whose case was closed is counted, and chased for
    contacts, by nobody's intent.

    How to fix: when the case ends, add a closure file (`pcplan new closure`)
    and set `status: closed`; when a closed member comes back, add the new
    enrollment under `programs` and set `status: active` (`status: referred`
    while they wait to be enrolled again). `status: on_hold` needs a current
    hold under `holds` (start, kind, reason, and end once it is over). A
    member enrolled (an `enrolled_on` on or before today, with no closure
    after it) is no longer `referred`: set `status: active`.

    Example:
        # member.yaml, with no closure file in the folder
        status: closed       # wrong: nothing records how the case ended
        # right: add closure-2026-10-15.yaml (kind: closure), then
        status: closed
    """
    life = ctx.lifecycle
    member = case.member
    status = life.status
    if member is None or status is None:
        return
    episode = life.current_episode
    where = ("status",)
    if episode.closure is not None and status in ("active", "on_hold"):
        closed_on = episode.closed_on.isoformat() if episode.closed_on else "an unreadable date"
        yield Hit(member, where, f"`status: {plain_id(status)}` but the case was closed on {closed_on} "
                  f"({shown_name(episode.closure.path.name)}) and no enrollment follows; set `status: closed`, or "
                  f"record the "
                  "new enrollment under `programs`")
    elif not episode.closed and status == "closed":
        since = (f" after the latest enrollment ({episode.enrolled_on.isoformat()})"
                 if episode.enrolled_on is not None else "")
        yield Hit(member, where, f"`status: closed` but no closure is recorded{since}; add the closure file "
                  "(`pcplan new closure`) with the exit interview, next-stage plan and referrals")
    elif status == "referred" and not episode.closed and episode.enrolled_on is not None \
            and episode.enrolled_on <= ctx.today:
        yield Hit(member, where, f"`status: referred` but the member was enrolled on "
                  f"{episode.enrolled_on.isoformat()} and the case is open; set `status: active` (or `on_hold` "
                  "with the hold recorded)")
    elif status == "on_hold" and not life.on_hold(ctx.today):
        yield Hit(member, where, "`status: on_hold` but no hold covering today is recorded; add it under "
                  "`holds` (start, reason), or set `status: active` if the hold is over")
