"""Case facts: what a member folder says about the member's case, below the rules and the engine.

* ``lifecycle``: episodes, consent, the plan in effect, contacts, reviews, holds (DESIGN.md, "The life of
  a case");
* ``acting``: :func:`acts_on`, the plan a command acts on;
* ``status``: the member's status, programs and current case manager;
* ``obligations``: every dated obligation (`due`);
* ``summary``: what `due` and `report` need of one member folder, which the cache keeps.

Facts hold what the files say; hiding member text is output's job (pcplan.shown), never done here.
"""

from __future__ import annotations

from .acting import acts_on

__all__ = ["acts_on"]
