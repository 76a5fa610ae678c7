"""Caseload views: what is due (`pcplan due`) and how the caseload stands (`pcplan report`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..config import Config, find_root, load_config
from ..engine import UsageError
from ..model import Case, Repository, display_path, load_case, load_repository
from ..rules import RULES
from ..walk import enclosing_member_folder, walk

T = TypeVar("T")  # what a command makes of its caseload (in_one_repository)


@dataclass
class Caseload:
    """A repository opened for reading member folders one at a time."""

    root: Path
    config: Config
    repo: Repository
    scope: Path  # the folder or member folder asked for
    cwd: Path

    def cases(self) -> Iterator[Case]:
        enclosing = enclosing_member_folder(self.scope, self.root)
        found = walk(enclosing or self.scope, self.root, self.config.exclude)
        for folder, files in found.cases:
            if enclosing is not None and folder != enclosing:
                continue
            yield load_case(folder, self.root, self.config, self.cwd, files)


def in_one_repository(path: Path, command: str, cwd: Path, run: Callable[[Caseload], tuple[T, list[str]]]) -> T:
    """What ``run`` makes of the one repository holding the case files under ``path``, in one pass.

    ``run`` checks its caseload with ``Options.one_repository`` and returns (its answer, the roots the
    check found case files in). The usual layout, ``path`` inside the repository, costs no walk but the
    check's own; a folder holding several repositories stops at the second, and ``path`` above the only
    repository is read again from that repository (its staff and configuration are the ones that count).
    """
    from ..engine import one_repository  # several repositories under path: refused, never merged

    caseload = open_caseload(path, cwd)
    try:
        answer, roots = run(caseload)
    except UsageError:
        one_repository(path, command, cwd)  # names every repository holding case files under path, or none
        raise
    if roots == [display_path(caseload.root, cwd)]:
        return answer
    return run(open_caseload(one_repository(path, command, cwd), cwd))[0]


def open_caseload(path: Path, cwd: Path | None = None) -> Caseload:
    """Open the repository holding ``path`` (a folder or a member folder); UsageError if it does not exist."""
    cwd = (cwd or Path.cwd()).resolve()
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    scope = path.resolve()
    if scope.is_file():
        scope = scope.parent
    root = find_root(scope)
    config = load_config(root, set(RULES))
    return Caseload(root, config, load_repository(root, config, cwd), scope, cwd)
