"""Caseload views: what is due (`pcplan due`) and how the caseload stands (`pcplan report`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..config import Config, find_root, load_config
from ..engine import UsageError, load_repository
from ..model import Case, Document, Repository, display_path
from ..rules import RULES
from ..walk import enclosing_member_folder, walk


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
            yield Case(folder, [Document.load(f, display_path(f, self.cwd)) for f in files])


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
