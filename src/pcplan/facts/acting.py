"""The plan a command acts on: one function, from the lifecycle's answers (DESIGN.md, "The life of a case").

A plan file named is that plan. Otherwise each command says, in ``prefer``, which plan of the current
episode comes first when several could answer:

* ``IN_EFFECT``: the consented plan in effect today;
* ``DRAFT``: the newest draft awaiting signature (newer than the plan that speaks for the episode);
* ``CONSENTED``: the newest consented plan of the episode (expired, or not yet started).

The orders the commands use are named below; where they differ, the command's purpose decides.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..model import Case
from .lifecycle import CONSENTED, DRAFT, IN_EFFECT, Lifecycle, PlanRecord, lifecycle

# `render`: what the member reads: the plan in effect, else the draft to sign, else the plan that last
# spoke for the episode (so an expired plan still prints).
TO_SHOW = (IN_EFFECT, DRAFT, CONSENTED)
# `fingerprint` of a member folder: a plan being signed or in force; an expired plan is not fingerprinted.
TO_SIGN = (IN_EFFECT, DRAFT)
# `new plan --from-previous` and the current case manager (`due`, `report`, `new`): the plan that speaks
# for the episode (in effect, else the newest consented), else the newest draft.
SPEAKS_FOR = (IN_EFFECT, CONSENTED, DRAFT)
# `new note`: only the plan in effect (its goals are the ones a contact works on).
IN_FORCE = (IN_EFFECT,)


def acts_on(case: Case, today: date, path: Path | None = None, prefer: tuple[str, ...] = TO_SHOW,
            life: Lifecycle | None = None) -> PlanRecord | None:
    """The plan a command acts on in ``case`` as of ``today``: the plan file ``path`` (resolved) when given
    (None when it is not one of the case's plans), else the first of ``prefer`` the case has; None when
    there is none. ``life``: the case's lifecycle when the caller has it."""
    life = life if life is not None else lifecycle(case, today)
    if path is not None:
        return next((record for record in life.plans if record.plan.path == path), None)
    for choice in prefer:
        if choice == IN_EFFECT:
            record = life.in_effect()
        elif choice == DRAFT:
            drafts = life.drafts()
            record = drafts[-1] if drafts else None
        elif choice == CONSENTED:
            record = life.governing  # in effect, else the newest consented plan of the current episode
        else:
            raise ValueError(f"acts_on: unknown preference {choice!r}")
        if record is not None:
            return record
    return None
