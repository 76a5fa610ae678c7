"""Finding case files: member folders and loose files, in a stable order.

Hidden files and folders (``.git``, ``.github``, ``.pre-commit-config.yaml``)
are skipped, and so are folder symlinks (a symlink loop must not hang a CI run).
A file symlink whose target lies outside the repository is not read (it is an
E005 naming the link): a case repository is shared through git, and a link to
``~/.ssh/id_rsa`` or ``/etc/passwd`` must not have its lines printed in a
finding's excerpt or its contents judged. A file symlink within the repository
is read like the file it points to (the file is checked in its own place too),
unless it points into a hidden folder such as ``.git``, which pcplan never reads.
A walk stops at a nested repository root (a folder ``find_root`` would name, with
its own ``pcplan.toml`` or ``.git``): its files are checked against its own staff
and configuration, never the outer repository's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_NAME, find_root
from .links import HIDDEN, OUTSIDE, symlink_problem  # noqa: F401 - the walk's rule, named here too

YAML_SUFFIXES = (".yaml", ".yml")
MEMBER_FILES = ("member.yaml", "member.yml")
STAFF_FILES = ("staff.yaml", "staff.yml")
PROVIDER_FILES = ("providers.yaml", "providers.yml")  # the providers supports name by `provider_id`


@dataclass(frozen=True, slots=True)
class MemberFolder:
    """A member folder and its case files, in walk order: yielded once the folder is complete."""

    folder: Path
    files: list[Path]


@dataclass(frozen=True, slots=True)
class LooseFile:
    """A YAML file outside every member folder (staff.yaml, providers.yaml, a stray plan, mkdocs.yml)."""

    path: Path


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A place the walk could not read, or a link it refuses to follow, and why (reported as E005)."""

    path: Path
    why: str


@dataclass(frozen=True, slots=True)
class NestedRoot:
    """A repository root below the walk's start, not walked: it is checked as itself."""

    folder: Path


WalkEvent = MemberFolder | LooseFile | Unreadable | NestedRoot


@dataclass
class Walk:
    """What a walk found: member folders (each with its files), loose files, and unreadable places."""

    cases: list[tuple[Path, list[Path]]] = field(default_factory=list)
    loose: list[Path] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)
    nested: list[Path] = field(default_factory=list)  # repository roots below, not walked


ROOT_MARKERS = (CONFIG_NAME, ".git")


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


def glob_regex(pattern: str) -> re.Pattern[str]:
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
    for event in iter_walk(directory, root, exclude):
        if isinstance(event, MemberFolder):
            result.cases.append((event.folder, event.files))
        elif isinstance(event, LooseFile):
            result.loose.append(event.path)
        elif isinstance(event, Unreadable):
            result.errors.append((event.path, event.why))
        else:
            result.nested.append(event.folder)
    return result


def iter_walk(directory: Path, root: Path, exclude: tuple[str, ...], files: bool = True) -> Iterator[WalkEvent]:
    """What the walk meets, in order: each member folder with its files as soon as it is complete (memory
    stays flat), files outside member folders, unreadable places and nested repository roots (not walked).

    ``files=False``: only the folders (member folders, with no files listed, and nested roots are what is
    counted).
    """
    excluded = [glob_regex(g) for g in exclude]
    yield from _walk(directory, root, excluded, member_files=None, start=True, files=files)


def _walk(folder: Path, root: Path, excluded: list[re.Pattern[str]], member_files: list[Path] | None,
          start: bool = False, files: bool = True) -> Iterator[WalkEvent]:
    try:
        names, others, markers = _scan(folder)
    except OSError as exc:
        yield Unreadable(folder, f"cannot read the folder: {exc.strerror or exc}")
        return
    # Two set lookups rule out almost every folder before find_root climbs to the top.
    if not start and (CONFIG_NAME in markers or ".git" in markers) and is_nested_root(folder, markers):
        yield NestedRoot(folder)
        return
    own: list[Path] | None = [] if any(name in markers for name in MEMBER_FILES) else None
    if own is not None:
        member_files = own  # a new member folder starts here, nested ones included
    child = getattr(folder, "_make_child_relpath", folder.joinpath)  # a name needs no parsing: 7x faster
    for name in names:
        kind = others.get(name, _FOLDER)
        if name.startswith(".") or not (files or kind is _FOLDER or isinstance(kind, OSError)):
            continue  # `files=False`: only the folders (member folders and nested roots are what is counted)
        path = child(name)
        if excluded and _is_excluded(path, root, excluded):
            continue
        if isinstance(kind, OSError):
            yield Unreadable(path, f"cannot read: {kind.strerror or kind}")
        elif kind is _FOLDER:
            yield from _walk(path, root, excluded, member_files, files=files)
        elif name.endswith(YAML_SUFFIXES):
            refused = symlink_problem(path, root) if kind is _LINK else None
            if refused:
                yield Unreadable(path, refused)
            elif member_files is not None:
                member_files.append(path)
            else:
                yield LooseFile(path)
    if own is not None:
        yield MemberFolder(folder, own)


_FOLDER, _FILE, _LINK = "folder", "file", "link"
_MARKERS = frozenset((CONFIG_NAME, ".git", *MEMBER_FILES))  # the names that say what a folder is


def _scan(folder: Path) -> tuple[list[str], dict[str, str | OSError], set[str]]:
    """The folder's names, sorted; the kind of each that is not a plain folder; the names that mark a folder."""
    # Only the names are kept, sorted, with what is not a plain folder on the side: a `members/` folder of
    # 100,000 member folders is then 100,000 short strings while its walk lasts, not 100,000 DirEntry objects.
    names: list[str] = []
    others: dict[str, str | OSError] = {}  # name -> _FILE, _LINK or the OSError met asking what it is
    markers: set[str] = set()
    with os.scandir(folder) as scan:
        for entry in scan:
            name = entry.name
            names.append(name)
            kind = _kind(entry)
            if kind is not _FOLDER:
                others[name] = kind
            if name in _MARKERS:
                markers.add(name)
    names.sort()
    return names, others, markers


def _kind(entry: os.DirEntry[str]) -> str | OSError:
    """_FOLDER, _FILE or _LINK (a symlink, not followed), or the OSError met asking (reported by the walk)."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return _FOLDER
        return _LINK if entry.is_symlink() else _FILE
    except OSError as exc:
        return exc


def is_nested_root(folder: Path, names: set[str]) -> bool:
    """Whether ``folder`` (holding ``names``) is a repository root of its own: exactly when
    ``find_root`` would name it, so checking a file there and checking a folder above agree."""
    return any(marker in names for marker in ROOT_MARKERS) and find_root(folder) == folder.resolve()


def _is_excluded(path: Path, root: Path, excluded: list[re.Pattern[str]]) -> bool:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return False
    return any(rx.match(relative) for rx in excluded)
