"""Which open files are case files, and the member's record around one as the editor sees it.

A file counts when it lies in a member folder, is the repository's staff file,
or declares a case-file ``kind`` (so a Kubernetes manifest's ``kind: Service``,
or a CI workflow, is left alone). Its record is its member folder, the staff
file and the configuration read from disk, with the editor's unsaved text for
the file itself (``pcplan.load.overlay``). Files read from disk are kept while
their size and modification time stay the same.

What the server reads, it reads by ``pcplan check``'s rules: only inside the
repository of a folder the editor opened as its workspace (any repository when
the editor names none), only regular files (``pcplan.load.read_regular``: a pipe
or a device is refused without waiting), never more than a case file's size
limit, and never through a symlink that leads outside the repository or into a
hidden folder (``pcplan.walk.symlink_problem``), a linked ``staff.yaml`` included.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, ConfigError, find_root, load_config
from ..load import MAX_FILE_BYTES, NotRead, overlay, read_regular
from ..model import Case, Document, display_path
from ..rules import RULES
from ..schema import KINDS
from ..walk import STAFF_FILES, YAML_SUFFIXES, MemberFolder, enclosing_member_folder, iter_walk, symlink_problem
from .syntax import declared_kind


@dataclass(frozen=True)
class Place:
    """Where a case file sits: its repository root and member folder (None outside one)."""

    path: Path  # absolute, symlinks resolved (as pcplan names files)
    root: Path
    folder: Path | None
    staff_file: bool


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both absolute, symlinks resolved)."""
    try:
        return os.path.commonpath([path, folder]) == str(folder)
    except ValueError:  # another drive (Windows), or one path relative
        return False


def scopes_of(folders: list[Path]) -> tuple[Path, ...] | None:
    """The repositories the editor's workspace folders lie in (``find_root`` of each, symlinks resolved):
    the only places the server reads. None when the editor named no folder (a file opened on its own): each
    file is then read within its own repository, as ``pcplan check FILE`` reads it."""
    if not folders:
        return None
    return tuple(dict.fromkeys(find_root(Path(os.path.realpath(f))) for f in folders))


def link_refusal(path: Path) -> str | None:
    """Why the file at ``path`` (as the editor names it) must not be read: it is a symlink that leads outside
    its repository or into a hidden folder of it (``pcplan check`` refuses it too, with the same words)."""
    if not os.path.islink(path):
        return None
    return symlink_problem(path, find_root(Path(os.path.abspath(path)).parent))


def place_of(path: Path, text: str, scopes: tuple[Path, ...] | None = None) -> Place | None:
    """The place of a case file, or None when the file is not one pcplan checks: not YAML, hidden, a link
    pcplan does not follow, or outside the workspace's repositories (``scopes``, from ``scopes_of``)."""
    if not str(path).endswith(YAML_SUFFIXES) or link_refusal(path) is not None:
        return None
    path = Path(os.path.realpath(path))
    if not path.name.endswith(YAML_SUFFIXES):
        return None
    if scopes is not None and not any(inside(path, scope) for scope in scopes):
        return None  # another repository, or a file the workspace does not hold: nothing is read
    root = find_root(path.parent)
    if scopes is not None and not any(inside(root, scope) for scope in scopes):
        return None
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    if any(part.startswith(".") for part in relative.parts):
        return None  # .github/, .pre-commit-config.yaml: never case files
    folder = enclosing_member_folder(path, root) if path.parent.exists() else None
    staff = path.parent == root and path.name in STAFF_FILES
    if folder is None and not staff and declared_kind(text) not in KINDS:
        return None
    return Place(path, root, folder, staff)


@dataclass
class Record:
    """The open file and what surrounds it: its member's case, the staff file, the configuration."""

    place: Place
    doc: Document
    case: Case | None
    staff: Document | None
    config: Config | None


class Files:
    """Documents read from disk, kept while the file's size and modification time are unchanged."""

    def __init__(self, size: int = 64) -> None:  # a large member folder; each is a tree of YAML nodes
        self._kept: OrderedDict[Path, tuple[tuple, Document]] = OrderedDict()
        self._configs: dict[Path, tuple[tuple, Config | None]] = {}
        self._size = size

    def document(self, path: Path, root: Path) -> Document:
        try:
            info = os.stat(path)
            key = (info.st_size, info.st_mtime_ns, info.st_ino)
        except OSError:
            key = None
        kept = self._kept.get(path)
        if key is not None and kept is not None and kept[0] == key:
            self._kept.move_to_end(path)
            return kept[1]
        doc = Document.load(path, display_path(path, root))
        if key is not None:
            self._kept[path] = (key, doc)
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return doc

    def config(self, root: Path) -> Config | None:
        """The repository's configuration; None when pcplan.toml is broken (the check reports it)."""
        target = root / "pcplan.toml"
        try:
            info = os.stat(target)
            key: tuple = (info.st_size, info.st_mtime_ns)
        except OSError:
            key = ()
        kept = self._configs.get(root)
        if kept is not None and kept[0] == key:
            return kept[1]
        try:
            config = load_config(root, set(RULES))
        except (ConfigError, OSError):
            config = None
        self._configs[root] = (key, config)
        return config

    def forget(self, path: Path | None = None) -> None:
        if path is None:
            self._kept.clear()
            self._configs.clear()
        else:
            self._kept.pop(path, None)
            self._configs.pop(path.parent, None)

    def record(self, place: Place, text: str) -> Record:
        """The open file from its text, with its member folder, staff file and configuration from disk."""
        with overlay({place.path: text}):
            doc = Document.load(place.path, display_path(place.path, place.root))
        config = self.config(place.root)
        staff_path = next((place.root / n for n in STAFF_FILES if (place.root / n).is_file()), None)
        if staff_path is not None and symlink_problem(staff_path, place.root) is not None:
            staff_path = None  # linked from outside the repository (or from .git): not read, as `check` does
        if place.staff_file:
            staff = doc
        elif staff_path is not None:
            staff = self.document(Path(os.path.realpath(staff_path)), place.root)
        else:
            staff = None
        case = None
        if place.folder is not None:
            exclude = config.exclude if config is not None else ()
            files: list[Path] = []
            for event in iter_walk(place.folder, place.root, exclude):
                if isinstance(event, MemberFolder) and event.folder == place.folder:
                    files = event.files
                    break
            docs = [doc if f == place.path else self.document(f, place.root) for f in files]
            if place.path not in files:
                docs.append(doc)
            case = Case(place.folder, docs)
        return Record(place, doc, case, staff, config)


def read_text(path: Path, root: Path, errors: str = "strict") -> str | None:
    """A file's text from disk by ``pcplan check``'s rules, or None: ``path`` (symlinks resolved) lies in
    ``root``, is not reached through a link ``check`` refuses, is a regular file (a pipe is not waited on, a
    device not read) and holds at most a case file's size limit."""
    real = Path(os.path.realpath(path))
    if not inside(real, Path(os.path.realpath(root))) or symlink_problem(path, root) is not None:
        return None
    try:
        raw, _ = read_regular(real, MAX_FILE_BYTES)
    except NotRead:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    try:
        return raw.decode("utf-8", errors)
    except UnicodeDecodeError:
        return None
