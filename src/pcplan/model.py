"""The meaning of the files: documents, a member's case, and the repository.

Rules read documents through the small helpers here, which tolerate data of the
wrong shape (the schema has already reported it), so a broken field never
crashes a rule.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from .config import Config
from .dates import parse_iso
from .links import symlink_problem
from .load import LoadedFile, Problem, load_file
from .schema import identify, validate
from .shown import looks_like_id, plain_id, shown_name  # noqa: F401  (shown_name, plain_id: for rules)
from .walk import PROVIDER_FILES, STAFF_FILES, walk


@dataclass
class Document:
    loaded: LoadedFile
    display_path: str  # relative to the current folder, forward slashes
    kind: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, display_path: str, *, compact: bool = False) -> Document:
        """The file read, parsed and validated; a bug in pcplan while doing so is an E000 problem of
        this file (the traceback is logged for --debug), so the other files are still checked."""
        try:
            return cls._load(path, display_path, compact)
        except Exception as exc:  # noqa: BLE001 - whatever it was, it is pcplan's bug, not the file's
            import logging

            logging.getLogger("pcplan").debug("internal error while reading %s", display_path, exc_info=True)
            return cls(LoadedFile(path=path), display_path, problems=[Problem(
                "E000", 1, 1, f"internal error while reading this file ({type(exc).__name__}); the other files "
                "were still checked. Run with --debug for details and please report it")])

    @classmethod
    def _load(cls, path: Path, display_path: str, compact: bool = False) -> Document:
        if _not_utf8(display_path):
            # Bytes that are not UTF-8 in a file or folder name: git, CI and editors each show it differently,
            # and no report could name it. Reported (named with the bytes escaped), not read.
            return cls(LoadedFile(path=path), display_path, problems=[Problem(
                "E005", 1, 1, "the name of this file (or of a folder it is in) is not valid UTF-8 text; "
                "it was not read", hint="Rename the file or folder using letters, digits, `-` and `.` "
                "(such as 2026-10-01.yaml), then check again.")])
        loaded = load_file(path, compact=compact)
        doc = cls(loaded, display_path, problems=list(loaded.problems))
        if loaded.ok:
            doc.kind, kind_problems = identify(loaded.data)
            doc.problems.extend(kind_problems)
            if doc.kind:
                doc.problems.extend(validate(doc.kind, loaded.data))
        return doc

    @property
    def path(self) -> Path:
        return self.loaded.path

    @cached_property  # read by every rule, often in loops; a loaded document does not change
    def data(self) -> dict:
        """The document's fields; empty when it did not load as a mapping of a known kind."""
        return self.loaded.data if self.kind and isinstance(self.loaded.data, dict) else {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def member_ref(self) -> str | None:
        value = self.data.get("member")
        return value if isinstance(value, str) else None

    @cached_property  # read hundreds of times per case (sorting, episodes, schedules); a loaded file does not change
    def date(self) -> date | None:
        return parse_iso(self.data.get("date"))

    def items(self, *keys: str) -> list[tuple[int, dict]]:
        """``(index, item)`` for the mapping items of the list at ``keys``."""
        return items(self.data, *keys)

    def position(self, data_path: tuple, at: str = "value") -> tuple[int, int]:
        return self.loaded.position(data_path, at)


def _not_utf8(text: str) -> bool:
    """Whether a name decoded from the file system holds bytes that were not UTF-8 (surrogateescape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def display_path(path: Path, cwd: Path) -> str:
    """A path as findings show it: relative to the current folder, forward slashes."""
    return os.path.relpath(path, cwd).replace(os.sep, "/")


def items(data: Any, *keys: str) -> list[tuple[int, dict]]:
    """``(index, item)`` for each mapping in the list found by following ``keys``."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, list):
        return []
    return [(index, item) for index, item in enumerate(data) if isinstance(item, dict)]


def text(data: Any, key: str) -> str | None:
    """A non-blank string field, else None."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def str_list(data: Any, key: str) -> list[str]:
    value = data.get(key) if isinstance(data, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def ids(data: Any, *keys: str) -> dict[str, int]:
    """id → index for the items of a list."""
    return {item["id"]: index for index, item in items(data, *keys) if isinstance(item.get("id"), str)}


def get_in(data: Any, *keys: str) -> Any:
    """The value at ``keys`` through nested mappings, or None."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


# Messages show ids through these helpers only (pcplan.shown decides what looks like an id): text typed
# where an id belongs is a member's words, and it never travels into a finding, a CI log or a report.

def named(kind: str, value: Any) -> str:
    """``"goal G2"``; ``"this goal"`` when there is no id; ``"goal (not an id)"`` for text typed where the id
    belongs (never repeated)."""
    if not isinstance(value, str) or not value.strip():
        return f"this {kind}"
    return f"{kind} {plain_id(value)}"


def label(item: dict, kind: str) -> str:
    """``"goal G2"`` for messages, from the item's ``id`` (see :func:`named`)."""
    return named(kind, item.get("id") if isinstance(item, dict) else None)


def doc_name(doc: Document, kind: str | None = None) -> str:
    """``"plan P1"``, or ``"the plan in plan-2026-09-03.yaml"`` when its id is missing or not an id (the file
    name itself shown only when it looks like a file name)."""
    kind = kind or doc.kind or "file"
    value = doc.data.get("id") if isinstance(doc.data, dict) else None
    if looks_like_id(value):
        return f"{kind} {value}"
    return f"the {kind} in {shown_name(doc.path.name)}"


def plan_name(plan: Document) -> str:
    """``"plan P1"`` or ``"the plan in plan-2026-09-03.yaml"`` (:func:`doc_name`)."""
    return doc_name(plan, "plan")


def shown_id(value: Any) -> str:
    """An id as a message may show it: text typed where an id belongs is not repeated (privacy)."""
    return f"`{value}`" if looks_like_id(value) else "(not an id)"


def normalized_name(value: Any) -> str | None:
    """A name for comparison: case-insensitive, whitespace collapsed; None when not a name."""
    return " ".join(value.split()).casefold() if isinstance(value, str) and value.strip() else None


def is_active_goal(goal: dict) -> bool:
    return goal.get("status") in (None, "active")


@dataclass
class Case:
    """A member folder: member.yaml and every case file in and below it.

    Which plan is in force, its consent, episodes and holds are not decided here but in
    ``pcplan.facts.lifecycle`` (the one place DESIGN.md's "life of a case" is read).
    """

    folder: Path
    documents: list[Document]

    @cached_property
    def member(self) -> Document | None:
        return next((d for d in self.documents if d.kind == "member"), None)

    @property
    def member_id(self) -> str | None:
        """The member's id; None when member.yaml has none, or has text typed where the id belongs
        (a name, say: E004 reports it, and it must not travel into findings, due dates or reports)."""
        value = self.member.id if self.member else None
        return value if looks_like_id(value) else None

    def of_kind(self, kind: str) -> list[Document]:
        """Documents of one kind, oldest first (by date, then file name)."""
        docs = [d for d in self.documents if d.kind == kind]
        return sorted(docs, key=lambda d: (d.date or date.min, d.display_path))

    @cached_property
    def assessments(self) -> list[Document]:
        return self.of_kind("assessment")

    @cached_property
    def plans(self) -> list[Document]:
        return self.of_kind("plan")

    @cached_property
    def notes(self) -> list[Document]:
        return self.of_kind("note")

    def assessment_for(self, plan: Document) -> Document | None:
        wanted = plan.get("assessment")
        matches = [a for a in self.assessments if a.id == wanted]
        return matches[-1] if matches else None


@dataclass
class Repository:
    root: Path
    config: Config
    staff: Document | None = None
    loose: list[Document] = field(default_factory=list)  # case files outside any member folder
    providers: Document | None = None  # providers.yaml: the providers supports name by `provider_id`

    @cached_property
    def staff_by_id(self) -> dict[str, dict]:
        if self.staff is None:
            return {}
        return {s["id"]: s for _, s in self.staff.items("staff") if isinstance(s.get("id"), str)}

    @cached_property
    def providers_by_id(self) -> dict[str, dict]:
        if self.providers is None:
            return {}
        return {p["id"]: p for _, p in self.providers.items("providers") if isinstance(p.get("id"), str)}

    def root_files(self) -> list[Document]:
        """The files at the root every member is judged against: staff.yaml, then providers.yaml."""
        return [doc for doc in (self.staff, self.providers) if doc is not None]

    def documents(self) -> Iterator[Document]:
        yield from self.root_files()
        yield from self.loose


# ---------------------------------------------------------------------------------------------------------------
# Loading: the one way a member folder becomes a Case, and a repository's staff file its Repository


def file_names(folder: Path, files: Sequence[Path], cwd: Path) -> tuple[list[str], list[str]]:
    """The files' names inside the member folder (forward slashes) and as findings show them (what
    :func:`display_path` gives, made once per folder: relpath per file is the slow part of naming files)."""
    text, here = str(folder), str(cwd)
    cut = len(text) + 1
    names = [str(f)[cut:].replace(os.sep, "/") for f in files]
    if here.startswith(text + os.sep):
        # The current folder is inside this member folder (`notes/`): each file its own shortest way, so a note
        # is `2026-10-01.yaml` and the plan `../plan-2026-09-03.yaml`, never `../notes/2026-10-01.yaml`.
        return names, [display_path(f, cwd) for f in files]
    if text.startswith(here + os.sep) and here != os.sep:  # a folder below the current one needs no relpath
        base = text[len(here) + 1:].replace(os.sep, "/")
    else:
        base = display_path(folder, cwd)
    prefix = "" if base == "." else base + "/"
    return names, [prefix + name for name in names]


def member_files(folder: Path, root: Path, config: Config) -> list[Path]:
    """The case files of the member folder ``folder`` (resolved) as the walk finds them, in its order; none
    when ``folder`` is not a member folder the walk reaches (excluded, or inside a nested repository)."""
    return next((files for found, files in walk(folder, root, config.exclude).cases if found == folder), [])


def load_case(folder: Path, root: Path, config: Config, cwd: Path, files: Sequence[Path] | None = None, *,
              displays: Sequence[str] | None = None, show: Callable[[Path], str] | None = None) -> Case:
    """The member folder ``folder`` (resolved, in the repository at ``root``) loaded into a Case: each case file
    read, parsed and validated (Document.load), named as findings show it from ``cwd``.

    ``files``: the folder's files when the caller has walked already (the engine, `due` and `report`), else
    walked here; ``displays``: their names as shown, when the caller has them (the engine: file_names);
    ``show``: how a command that words paths its own way shows one (`new`)."""
    files = list(files) if files is not None else member_files(folder, root, config)
    if displays is None:
        displays = [show(f) for f in files] if show is not None else file_names(folder, files, cwd)[1]
    return Case(folder, [Document.load(f, shown) for f, shown in zip(files, displays, strict=True)])


def load_repository(root: Path, config: Config, cwd: Path, absent: frozenset = frozenset()) -> Repository:
    """The repository with its staff and providers files loaded (its case files are walked separately); a file
    in ``absent`` is taken as not there (the pre-commit hook's committed state, before the file was added)."""
    return Repository(root=root, config=config, staff=_root_file(root, STAFF_FILES, cwd, absent),
                      providers=_root_file(root, PROVIDER_FILES, cwd, absent))


def _root_file(root: Path, names: Sequence[str], cwd: Path, absent: frozenset) -> Document | None:
    """staff.yaml or providers.yaml (the first of ``names`` there), loaded and held compactly; one linked from
    outside the repository is not read (nor shown): reported as E005, and its contents taken as unknown."""
    path = next((root / n for n in names if (root / n).is_file() and root / n not in absent), None)
    if path is None:
        return None
    refused = symlink_problem(path, root)
    if refused is not None:
        doc = Document(loaded=LoadedFile(path=path), display_path=display_path(path, cwd))
        doc.problems.append(Problem("E005", 1, 1, refused))
        return doc
    doc = Document.load(path.resolve(), display_path(path.resolve(), cwd), compact=True)
    # Held for the whole run and as long as the caseload: its positions kept compactly, not its node tree.
    doc.loaded.compact()
    return doc
