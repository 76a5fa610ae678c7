"""Finding case files: member folders and loose files, in a stable order.

Hidden files and folders (``.git``, ``.github``, ``.pre-commit-config.yaml``)
are skipped, and so are folder symlinks (a symlink loop must not hang a CI run).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

YAML_SUFFIXES = (".yaml", ".yml")
MEMBER_FILES = ("member.yaml", "member.yml")
STAFF_FILES = ("staff.yaml", "staff.yml")


@dataclass
class Walk:
    """What a walk found: member folders (each with its files), loose files, and unreadable places."""

    cases: list[tuple[Path, list[Path]]] = field(default_factory=list)
    loose: list[Path] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)


def is_member_folder(folder: Path) -> bool:
    return any((folder / name).is_file() for name in MEMBER_FILES)


def enclosing_member_folder(path: Path, root: Path) -> Path | None:
    """The nearest member folder holding ``path`` (itself included), not looking above ``root``."""
    folder = path if path.is_dir() else path.parent
    while True:
        if is_member_folder(folder):
            return folder
        if folder == root or folder.parent == folder or root not in folder.parents:
            return None
        folder = folder.parent


def glob_regex(pattern: str) -> re.Pattern:
    """A ruff-style glob (``**`` crosses folders, ``*`` does not) as a regex on ``/`` paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"(?:/.*)?\Z")


def walk(directory: Path, root: Path, exclude: tuple[str, ...] = ()) -> Walk:
    """Everything below ``directory`` at once (small folders; the engine streams with ``iter_walk``)."""
    result = Walk()
    result.cases = list(iter_walk(directory, root, exclude, result.loose, result.errors))
    return result


def iter_walk(directory: Path, root: Path, exclude: tuple[str, ...], loose: list, errors: list
              ) -> Iterator[tuple[Path, list[Path]]]:
    """Member folders with their files, each yielded as soon as it is complete (memory stays flat).

    Files outside member folders are appended to ``loose`` and unreadable places to
    ``errors`` as the walk meets them.
    """
    excluded = [glob_regex(g) for g in exclude]
    yield from _walk(directory, root, excluded, loose, errors, member_files=None)


def _walk(folder: Path, root: Path, excluded: list, loose: list, errors: list,
          member_files: list | None) -> Iterator[tuple[Path, list[Path]]]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        errors.append((folder, f"cannot read the folder: {exc.strerror or exc}"))
        return
    names = {e.name for e in entries}
    starts_member = any(name in names for name in MEMBER_FILES)
    if starts_member:
        member_files = []  # a new member folder starts here, nested ones included
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if excluded and _is_excluded(path, root, excluded):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path, root, excluded, loose, errors, member_files)
            elif entry.name.endswith(YAML_SUFFIXES):
                (member_files if member_files is not None else loose).append(path)
        except OSError as exc:
            errors.append((path, f"cannot read: {exc.strerror or exc}"))
    if starts_member:
        yield folder, member_files


def _is_excluded(path: Path, root: Path, excluded: list) -> bool:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return False
    return any(rx.match(relative) for rx in excluded)
