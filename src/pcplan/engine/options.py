"""What a check is asked to do (Options), and the usage errors that stop it before it starts (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from ..config import Config


class CommittedFiles(Protocol):
    """What the pre-commit hook's comparison run reads instead of the disk (pcplan.precommit.Committed)."""

    @property
    def absent(self) -> frozenset:
        """The staff and providers files not in the commit."""

    def config(self, root: Path) -> Config: ...


@dataclass(frozen=True)
class Options:
    today: date
    select: tuple[str, ...] | None = None  # from the command line: replaces the configuration's
    ignore: tuple[str, ...] = ()  # from the command line: added to the configuration's
    debug: bool = False
    member_folders: bool = False  # report on the whole member folder of each file named (pre-commit)
    shard: tuple[int, int] | None = None  # (i, n): check only member folders in shard i of n (1-based)
    record_checked: bool = False  # list every file reported on (JUnit needs it; it grows with the repository)
    jobs: int = 1  # worker processes for member folders (the CLI defaults to the CPU count)
    cache: bool = False  # read and write the content-keyed cache (pcplan.cache); the CLI turns it on
    caseload: bool = False  # also summarize each member folder for `due` and `report` (MemberWork.summary)
    keep_findings: bool = True  # collect findings in the result (`due` needs none)
    one_repository: bool = False  # stop with SeveralRepositories at a second repository with case files
    case_manager: str | None = None  # report and count only this case manager's member folders (engine.assigned)
    # The pre-commit hook's comparison run (pcplan.precommit.Committed): each root's pcplan.toml and staff file
    # as committed in git, not as on disk. Never with the cache.
    committed: CommittedFiles | None = None


class UsageError(Exception):
    """Bad paths or options: exit 2."""


class NoCaseFiles(UsageError):
    """Nothing at all to check under the paths named (``no case files under PATH``)."""


class SeveralRepositories(UsageError):
    """With ``Options.one_repository``: the paths hold case files of more than one repository (the
    repositories found so far, as display paths; `one_repository` names them all)."""
