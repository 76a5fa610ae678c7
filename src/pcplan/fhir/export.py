"""`pcplan export fhir`: which member folders, whether each may go, and where the Bundles are written.

This is the one command whose purpose is to carry a member's words out of the repository, so it is
careful where they go: nothing is written unless ``-o`` names the place (a file, a folder, or ``-`` for
standard output: never a CI log by accident); files are written atomically and never over an existing
file without ``--force``; and a member folder with content errors is exported only with
``--allow-errors``. The findings that stop a member are listed as path, line, column and code, never
with a message or a line of the record.

What stops a member: an error-level finding (not excepted) of any rule but those the export states
instead of hiding. A draft goes out as a `draft` CarePlan, so a missing signature or copy (C301-C304,
T207, T213) does not stop it; and rules judged against a date (an overdue review, a missed contact:
pcplan.exceptions.DATE_DRIVEN) say what is due, not that the record is wrong. A member whose paid support
has no service code is held back too, unless ``--allow-incomplete`` (pcplan.fhir.complete): the export is
meant to be conformant.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from ..config import find_root, load_config
from ..engine import Options, case_repositories, check
from ..exceptions import DATE_DRIVEN
from ..findings import Finding
from ..model import display_path as _display
from ..model import load_case, load_repository
from ..output import check_target, inside_git, make_folders, write_atomically
from ..rules import RULES
from ..walk import enclosing_member_folder, walk
from .bundle import MAX_ENTRIES, NoMemberId, dumps, dumps_line, member_bundle, transactions
from .complete import Incomplete, incomplete

# Stated in the Bundle rather than hidden (see the module's docstring).
STATED = frozenset({"C301", "C302", "C303", "C304", "T207", "T213"}) | DATE_DRIVEN
SUFFIX = ".fhir.json"
STDOUT = "-"


class ExportError(Exception):
    """The export cannot run as asked: exit 2."""


@dataclass(frozen=True)
class ExportRequest:
    target: Path
    output: str | None  # a file, a folder, or "-" for standard output
    today: date
    force: bool = False
    allow_errors: bool = False
    allow_incomplete: bool = False  # export a member whose paid supports lack a service code (pcplan.fhir.complete)
    bundle: str = "collection"  # or "transaction" (pcplan.fhir.bundle.transactions)
    max_entries: int = MAX_ENTRIES  # a transaction Bundle's size past which it is split


@dataclass
class Member:
    folder: Path
    shown: str  # the folder as messages name it
    member_id: str | None
    blocking: list[Finding] = field(default_factory=list)
    bundle: dict | None = None
    incomplete: list[Incomplete] = field(default_factory=list)  # what a conformant export lacks (complete.py)


@dataclass
class Exported:
    members: list[Member] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)  # places the walk could not read: (shown, why)

    @property
    def exported(self) -> list[Member]:
        return [m for m in self.members if m.bundle is not None]

    @property
    def held_back(self) -> list[Member]:
        return [m for m in self.members if m.bundle is None]


def blocks(finding: Finding) -> bool:
    return finding.severity == "error" and not finding.excepted and finding.code not in STATED


def export(request: ExportRequest, stdout: IO[str], cwd: Path | None = None) -> Exported:
    cwd = (cwd or Path.cwd()).resolve()
    if not request.output:
        raise ExportError("the export carries the members' own words, so it is written only where you say: "
                          "-o FILE (one member), -o DIR (one FILE per member, named MEMBER.fhir.json) or -o - "
                          "(standard output)")
    if not os.path.lexists(request.target):
        raise ExportError(f"{request.target}: no such file or folder")
    unread: list[tuple[Path, str]] = []
    groups = _member_folders(request.target.resolve(), cwd, unread)
    if not groups and not unread:
        raise ExportError(f"{request.target}: no member folders (a folder holding a member.yaml) here or below")
    result = Exported(unread=[(_display(place, cwd), why) for place, why in unread])
    to_stdout = request.output == STDOUT
    mode = "stdout" if to_stdout else _mode(request.output, sum(len(f) for _, f in groups))
    if mode in ("file", "ndjson"):
        check_target(Path(request.output), request.force)  # before the work, not after it
    # Read once (the check's findings may be spilled to a temporary file), keeping only those that stop an export.
    blocking = [f for f in check([folder for _, folders in groups for folder in folders],
                                 Options(today=request.today, jobs=os.cpu_count() or 1), cwd=cwd).findings
                if blocks(f)]
    for root, folders in groups:
        config = load_config(root, set(RULES))
        repo = load_repository(root, config, cwd)
        organization = config.agency or _text(repo.staff.get("organization") if repo.staff else None)
        for folder in folders:
            case = load_case(folder, root, config, cwd)
            shown = _display(folder, cwd)
            entry = Member(folder, shown, case.member_id,
                           [f for f in blocking if _inside(f, folder)])
            result.members.append(entry)
            entry.incomplete = incomplete(case)
            if (entry.blocking and not request.allow_errors) or (entry.incomplete and not request.allow_incomplete):
                continue
            try:
                entry.bundle = member_bundle(case, root, repo.staff_by_id, organization, request.today)
            except NoMemberId:
                entry.member_id = None
    bundles = [(m, _parts(m.bundle, request)) for m in result.members if m.bundle is not None]
    if bundles:
        result.written = _write(bundles, request, mode, stdout, single=len(result.members) == 1)
    return result


def _parts(bundle: dict, request: ExportRequest) -> list[dict]:
    """The Bundles written for one member: its collection, or its transaction Bundles (split past --max-entries)."""
    if request.bundle == "transaction":
        return transactions(bundle, request.today, request.max_entries)
    return [bundle]


def _write(bundles: list[tuple[Member, list[dict]]], request: ExportRequest, mode: str, stdout: IO[str],
           single: bool) -> list[Path]:
    """Each member's Bundles where -o says; a Bundle split in parts is one file a part (``NAME.2.fhir.json``...),
    or one line a part."""
    assert request.output is not None
    if mode == "stdout":
        pretty = single and len(bundles[0][1]) == 1
        for _, parts in bundles:
            for part in parts:
                stdout.write(dumps(part) if pretty else dumps_line(part))
        stdout.flush()
        return []
    if mode == "folder":
        return _write_folder(Path(request.output), bundles, request.force)
    if mode == "file" and len(bundles[0][1]) > 1:
        return _write_files([_numbered(Path(request.output), n) for n in range(1, len(bundles[0][1]) + 1)],
                            bundles[0][1], request.force)
    text = dumps(bundles[0][1][0]) if mode == "file" else \
        "".join(dumps_line(part) for _, parts in bundles for part in parts)
    return [write_atomically(Path(request.output), _writes(text), overwrite=request.force)]


def _numbered(path: Path, number: int) -> Path:
    """The file of part ``number``: the name itself for the first, then ``M-1.2.fhir.json`` (or ``out.2.json``)."""
    if number == 1:
        return path
    name = path.name
    stem, suffix = (name[:-len(SUFFIX)], SUFFIX) if name.endswith(SUFFIX) else (path.stem, path.suffix)
    return path.with_name(f"{stem}.{number}{suffix}")


def _mode(named: str, members: int) -> str:
    """folder (one file per member), file (one member's Bundle) or ndjson (a Bundle a line)."""
    output = Path(named)
    if inside_git(output):
        raise ExportError(f"{output}: refusing to write inside a .git folder")
    if os.path.isdir(output) or named.endswith(("/", os.sep)):
        return "folder"
    if output.suffix.lower() == ".ndjson":
        return "ndjson"
    if members > 1:
        raise ExportError(f"{output}: {members} members are exported, one Bundle each: name a folder (-o DIR/, one "
                          f"MEMBER{SUFFIX} file per member) or an .ndjson file (one Bundle a line)")
    return "file"


def _writes(text: str) -> Callable[[IO[str]], object]:
    """What write_atomically calls to write ``text`` (bound here, not to a loop's variable)."""
    return lambda stream: stream.write(text)


def _write_folder(folder: Path, bundles: list[tuple[Member, list[dict]]], force: bool) -> list[Path]:
    """One MEMBER.fhir.json per member (MEMBER.2.fhir.json... for the further parts of a split transaction);
    every name is checked before any is written (all files or none)."""
    make_folders(folder)  # never through a link a repository holds that leads out of it (pcplan.output)
    targets = [_numbered(folder / f"{m.member_id}{SUFFIX}", n) for m, parts in bundles
               for n in range(1, len(parts) + 1)]
    # Names compared as a case-insensitive file system (macOS, Windows) does: `m-1` and `M-1` are one file there.
    names = [unicodedata.normalize("NFD", t.name.casefold()) for t in targets]
    if len(set(names)) < len(names):
        doubled = sorted({t.name for t, n in zip(targets, names, strict=True) if names.count(n) > 1})
        raise ExportError(f"{', '.join(doubled)}: member folders with the same member id (or ids that differ only "
                          "in letter case) would be written to one file; `pcplan check` reports each later one as "
                          "E007 at its member.yaml: give each member an id of their own, then export again")
    return _write_files(targets, [part for _, parts in bundles for part in parts], force)


def _write_files(targets: list[Path], bundles: list[dict], force: bool) -> list[Path]:
    for target in targets:
        check_target(target, force)
    return [write_atomically(target, _writes(dumps(bundle)), overwrite=force)
            for bundle, target in zip(bundles, targets, strict=True)]


def _member_folders(target: Path, cwd: Path, unread: list) -> list[tuple[Path, list[Path]]]:
    """(repository root, member folders) for what ``target`` names: its member folder, or every member folder
    below it, each repository with its own staff and configuration; places the walk could not read (a folder
    past PATH_MAX) are added to ``unread``, never skipped in silence."""
    from ..engine import UsageError

    root = find_root(target)
    enclosing = enclosing_member_folder(target, root)
    if enclosing is not None:
        return [(root, [enclosing])]
    if not target.is_dir():
        raise ExportError(f"{_display(target, cwd)}: not in a member folder; name a member folder or a folder of them")
    try:
        roots = case_repositories(target)
    except UsageError as exc:
        raise ExportError(str(exc)) from None
    out = []
    for inner in roots:
        config = load_config(inner, set(RULES))
        scope = target if inner in target.parents or inner == target else inner
        walked = walk(scope, inner, config.exclude)
        unread.extend(walked.errors)
        folders = sorted(folder for folder, _ in walked.cases)
        if folders:
            out.append((inner, folders))
    return out


def _inside(finding: Finding, folder: Path) -> bool:
    path = finding.file.resolve() if finding.file is not None else None
    return path is not None and (path == folder or folder in path.parents)


def _text(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else ""
