"""Finding what to check: repository roots for the paths named, the member folders of each (as the walk
completes them), loose files and unreadable places, and which shard a member folder belongs to."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import find_root, load_config
from ..model import display_path as _display
from ..rules.registry import RULES
from ..walk import (
    PROVIDER_FILES,
    STAFF_FILES,
    LooseFile,
    MemberFolder,
    NestedRoot,
    Unreadable,
    enclosing_member_folder,
    iter_walk,
)
from .options import UsageError

# One member folder to check: (its place in walk order, the folder, its case files).
Item = tuple[int, Path, list[Path]]


def no_case_files(paths: list[Path], cwd: Path) -> str:
    """``no case files under PATH``, naming where pcplan looked."""
    shown = list(dict.fromkeys(_where(path, cwd) for path in paths))
    return f"no case files under {', '.join(shown)}"


def _where(path: Path, cwd: Path) -> str:
    """A folder as the user named it, relative to the current folder; that one by its full path ("." says nothing)."""
    text = _display(path.resolve(), cwd)
    return str(cwd) if text == "." else text


def case_repositories(path: Path) -> list[Path]:
    """The repository roots holding case files under ``path``: its own root, and those nested below it.

    A root counts when member folders lie under ``path`` in it, or when ``path``
    takes in the root itself and it has a staff file. Each root's walk honours its
    own ``exclude``, and a broken pcplan.toml is a ConfigError naming that file.
    """
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file or folder")
    scope = path.resolve()
    scope = scope if scope.is_dir() else scope.parent
    pending, roots = [(find_root(scope), scope)], []
    while pending:
        root, folder = pending.pop()
        config = load_config(root, set(RULES))
        start = enclosing_member_folder(folder, root) or folder
        members = 0
        for event in iter_walk(start, root, config.exclude, files=False):
            if isinstance(event, MemberFolder):
                members += 1
            elif isinstance(event, NestedRoot):
                pending.append((event.folder, event.folder))
        staff = folder == root and any((root / name).is_file() for name in (*STAFF_FILES, *PROVIDER_FILES))
        if members or staff:
            roots.append(root)
    return sorted(roots)


def one_repository(path: Path, command: str, cwd: Path | None = None) -> Path:
    """What a command that reads one repository at a time (`due`, `report`) should open for ``path``.

    ``path`` itself, or the one repository nested below it that holds its case files.
    UsageError when there are none, or when they belong to several repositories:
    their staff and configuration differ, so their counts must not be merged.
    """
    cwd = (cwd or Path.cwd()).resolve()
    roots = case_repositories(path)
    if not roots:
        raise UsageError(no_case_files([path], cwd))
    if len(roots) > 1:
        shown = ", ".join(_display(root, cwd) for root in roots)
        raise UsageError(
            f"{_where(path, cwd)} holds {len(roots)} case repositories ({shown}), each with its own staff and "
            f"configuration; `pcplan {command}` reads one repository at a time: run it once per repository, "
            f"as in `pcplan {command} {_display(roots[0], cwd)}`")
    scope = path.resolve()
    return roots[0] if scope in roots[0].parents else path


def group_by_root(paths: list[Path]) -> list[tuple[Path, list[Path]]]:
    """The paths named, grouped by the repository root each belongs to (roots sorted, targets covered)."""
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
        # A file symlink is named, not followed: its own folder decides where it belongs, and the walk
        # (or the loose-file check) judges the link, so a link out of the repository is never read.
        if path.is_symlink():
            resolved = path.parent.resolve() / path.name
            groups.setdefault(find_root(resolved.parent), []).append(resolved)
        else:
            resolved = path.resolve()
            groups.setdefault(find_root(resolved), []).append(resolved)
    return sorted((root, cover(targets)) for root, targets in groups.items())


def whole_member_folders(targets: list[Path], root: Path, files_too: bool = False) -> list[Path]:
    """The targets with each folder inside a member folder (`notes/`) standing for that member folder, and with
    ``files_too`` (the pre-commit hook) each file too: such a member folder is checked and reported whole.

    A file named without ``files_too`` stays a file (its findings, and those related to it, are reported);
    a folder symlink is named, not followed (the walk judges it)."""
    widened = []
    for target in targets:
        whole = files_too or (target.is_dir() and not target.is_symlink())
        widened.append((enclosing_member_folder(target, root) or target) if whole else target)
    return cover(widened)


def cover(targets: list[Path]) -> list[Path]:
    """The targets without those inside another target (each place is walked once)."""
    unique = set(targets)  # a pre-commit run can name thousands of files: look up ancestors, not pairs
    return sorted(t for t in unique if not any(parent in unique for parent in t.parents))


class RootWalk:
    """The member folders of one root's targets, yielded as the walk completes them (the repository is never
    held whole); what else the walk meets is kept: loose files, unreadable places, nested roots."""

    def __init__(self, root: Path, targets: list[Path], exclude: tuple[str, ...],
                 shard: tuple[int, int] | None, progress: Callable[[], None] | None = None) -> None:
        self.root, self.targets, self.exclude, self.shard = root, targets, exclude, shard
        self.progress = progress  # called as each member folder is found (a progress display counts them)
        self.loose: list[Path] = []
        self.errors: list[tuple[Path, str]] = []
        self.nested: list[Path] = []
        self.walked = 0  # member folders found, in every shard
        self._seen: set[Path] = set()  # member folders found through a file or folder inside them

    def __iter__(self) -> Iterator[Item]:
        order = 0
        for target in self.targets:
            for folder, files in self._member_folders(target):
                self.walked += 1
                if self.progress is not None:
                    self.progress()
                if self.shard is None or in_shard(relative_to(folder, self.root), self.shard):
                    yield order, folder, files
                    order += 1

    def _member_folders(self, target: Path) -> Iterator[tuple[Path, list[Path]]]:
        enclosing = enclosing_member_folder(target, self.root)
        if enclosing is not None:  # several targets may name one member folder: it is walked once
            if enclosing not in self._seen:
                self._seen.add(enclosing)
                yield from self._events(enclosing, only=enclosing)
        elif target.is_dir():
            # Targets never nest (cover) and a walk stops at member folders named through a file inside
            # them only by reaching them from above, which cover rules out: no folder is walked twice.
            yield from self._events(target)
        else:
            self.loose.append(target)

    def _events(self, start: Path, only: Path | None = None) -> Iterator[tuple[Path, list[Path]]]:
        """The walk from ``start``: member folders yielded (only ``only`` when given, whose walk has no loose
        files), the rest kept."""
        for event in iter_walk(start, self.root, self.exclude):
            if isinstance(event, MemberFolder):
                if only is None or event.folder == only:
                    yield event.folder, event.files
            elif isinstance(event, LooseFile):
                if only is None:
                    self.loose.append(event.path)
            elif isinstance(event, Unreadable):
                self.errors.append((event.path, event.why))
            else:
                self.nested.append(event.folder)


def in_shard(relative_folder: str, shard: tuple[int, int] | None) -> bool:
    """Whether a member folder belongs to shard i of n: a stable hash of its path, not Python's salted one."""
    if shard is None:
        return True
    index, count = shard
    digest = hashlib.sha256(relative_folder.encode("utf-8", "surrogateescape")).digest()  # a name not UTF-8 too
    return int.from_bytes(digest[:8], "big") % count == index - 1


def relative_to(path: Path, root: Path) -> str:
    """``path`` from ``root``, forward slashes; ``path`` itself (as posix) when it is not under ``root``."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def folder_key(folder: Path, root: Path) -> str:
    """The member folder's path from the repository root, forward slashes ("" for the root itself)."""
    text, top = str(folder), str(root)
    if text == top:
        return ""
    return text[len(top) + 1:].replace(os.sep, "/") if text.startswith(top + os.sep) else folder.as_posix()
