"""What a rule reads besides the documents it judges: one context per repository root, one per member folder.

Like ruff's ``Checker``, built once and handed to every rule: the engine builds a
:class:`RepositoryContext` per repository root and, from it, a :class:`CaseContext` per member
folder, with the member's lifecycle computed once for all the rules. What several rules derive
from the same data is derived once here, per repository (``index``: the staff's trainings) or per
member folder (``plan_text``: a plan's text fields), never in a process-wide memo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from ..config import Config, Settings
from ..facts.lifecycle import Lifecycle, lifecycle
from ..model import Case, Document, Repository
from .text.wording import PlanText, plan_text

T = TypeVar("T")


@dataclass(frozen=True, eq=False)  # a context is itself: compared and hashed by identity
class RepositoryContext:
    """What file and repository rules read besides the documents: the day, the configuration, the repository."""

    today: date
    config: Config
    repository: Repository
    _indexes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def index(self, build: Callable[[Repository], T]) -> T:
        """What ``build`` makes of the repository (its staff's trainings, say): built once per repository.

        A forked worker builds its own the first time it needs it."""
        found = self._indexes.get(build)
        if found is None:
            found = self._indexes[build] = build(self.repository)
        return found

    def for_case(self, case: Case) -> CaseContext:
        """The context of one member folder: built once, before its rules run."""
        return CaseContext(case, self.today, self.config, self.repository, lifecycle(case, self.today), self)


@dataclass(frozen=True, eq=False)  # a context is itself: compared and hashed by identity
class CaseContext:
    """What a case rule reads besides the member folder: the day, the configuration, the repository and the
    member's lifecycle (which plan is in effect, episodes, schedules: pcplan.facts.lifecycle), computed once."""

    case: Case
    today: date
    config: Config
    repository: Repository
    lifecycle: Lifecycle
    shared: RepositoryContext = field(repr=False, compare=False)
    _plan_texts: dict[Path, PlanText] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def index(self, build: Callable[[Repository], T]) -> T:
        """The repository's index made by ``build``, shared by every member folder (RepositoryContext.index)."""
        return self.shared.index(build)

    def plan_text(self, plan: Document) -> PlanText:
        """The text fields of one of the member's plans (P402, P406, P407 and H503 each read them all): found
        and named once per plan."""
        found = self._plan_texts.get(plan.path)
        if found is None:
            found = self._plan_texts[plan.path] = plan_text(plan)
        return found
