"""E007 across the member folders of one root (rules/structure.py, duplicate_id), once the walk is done: it
depends on every folder, so it is never cached. Compared from ids and places only (CheckResult.identities)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from ..findings import Finding, Hit, Related
from ..load import LoadedFile
from ..model import Document
from ..model import display_path as _display
from ..rules.registry import RULES
from ..shown import shown_path
from .run import Runner

# What each first use keeps: (folder from the root, member file's name, member id, span of the id).
First = tuple[str, str, str, tuple]


def repeated_members(identities: list[tuple], runner: Runner, root: Path, cwd: Path) -> list[Finding]:
    """A member id used by an earlier folder (in walk order), compared without regard to letter case, reported
    at the later folder's id; and a folder whose path from the root is an earlier one's but for letter case or
    Unicode normalization (NFC/NFD: one folder on macOS and Windows), reported at its member file."""
    by_id: dict[str, First] = {}
    by_folder: dict[str, tuple[str, str]] = {}
    found: list[Finding] = []
    identities.sort(key=lambda entry: entry[0])
    for _order, key, name, member_id, span in identities:
        if member_id is not None:
            first = by_id.setdefault(member_id.casefold(), (key, name, member_id, span))
            if first[0] != key:
                found.extend(_same_id(runner, root, cwd, (key, name, member_id, span), first))
        earlier = by_folder.setdefault(_folded(key), (key, name))
        if earlier[0] != key:
            other = _display(root / earlier[0], cwd)
            finding = runner.finding(RULES["E007"], Hit(
                _document(root, cwd, key, name), (), f"this member folder's path differs from "
                f"{shown_path(other)} only in letter case or Unicode form (NFC/NFD): on macOS and Windows the two "
                "are one folder, and a clone there mixes two members' files; rename one of them", line=1,
                column=1), member_id)
            if finding is not None:
                found.append(finding)
    return found


def _folded(key: str) -> str:
    """NFD of the case-folded NFD, as Unicode's caseless matching asks (ASCII, the usual name, needs neither)."""
    return key.lower() if key.isascii() else unicodedata.normalize("NFD", unicodedata.normalize("NFD", key).casefold())


def _member_file(root: Path, key: str, name: str) -> Path:
    return root / key / name if key else root / name


def _document(root: Path, cwd: Path, key: str, name: str) -> Document:
    """The member file as a document to report at (made only for a folder reported: rare)."""
    file = _member_file(root, key, name)
    return Document(loaded=LoadedFile(path=file), display_path=_display(file, cwd))


def _same_id(runner: Runner, root: Path, cwd: Path, later: First, first: First) -> list[Finding]:
    """The later folder's E007 for a member id ``first`` used already, related to that first use."""
    key, name, member_id, span = later
    other = _display(_member_file(root, first[0], first[1]), cwd)
    case = "" if first[2] == member_id else f" (as `{first[2]}`: ids that differ only in letter case " \
                                            "are one id, as the files named after them are)"
    finding = runner.finding(RULES["E007"], Hit(
        _document(root, cwd, key, name), ("id",), f"member id `{member_id}` is also used by {shown_path(other)}"
        f"{case}; each member has one folder and an id of their own", line=span[0], column=span[1]), member_id)
    if finding is None:
        return []
    return [replace(finding, end_line=span[2], end_column=span[3], related=(Related(
        other, first[3][0], first[3][1], "the same member id, first used here",
        file=_member_file(root, first[0], first[1]), data_path=("id",), end_line=first[3][2],
        end_column=first[3][3], repo_path=f"{first[0]}/{first[1]}" if first[0] else first[1]),))]
