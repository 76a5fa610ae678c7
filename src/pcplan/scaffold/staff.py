"""The staff ids `pcplan new` may write: those staff.yaml lists, checked before the file is written.

A staff id given on the command line (``--case-manager``, ``--assessor``,
``--staff``) that staff.yaml does not list would only come back as an S-rule
finding after the file exists; refusing it up front, with the nearest id, saves
a round trip. The same list is offered when pcplan asks in a terminal.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import ScaffoldError

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # member and staff ids, as the schemas say


@dataclass(frozen=True)
class StaffList:
    """The staff of one repository: ``ids`` in staff.yaml order, case managers first in ``choices``."""

    path: Path | None  # staff.yaml (or staff.yml) at the repository root; None when there is none
    ids: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    where: str = "staff.yaml"  # the file as pcplan prints it
    problem: str | None = None  # why no id can be checked: no staff.yaml, or one that does not load
    left: dict[str, date] = field(default_factory=dict)  # staff id -> `left_on`, of those who have left by the day

    @property
    def choices(self) -> tuple[str, ...]:
        """What a terminal prompt offers: case managers first, then everyone else staff.yaml lists, but no one who
        has left by the record's day (a record by them would be A609)."""
        present = [i for i in self.ids if i not in self.left]
        return tuple(sorted(present, key=lambda i: self.roles.get(i) != "case_manager"))

    def check(self, option: str, value: str) -> str:
        """``value`` when staff.yaml lists it; otherwise a ScaffoldError naming ``option`` and the nearest id."""
        if not ID.match(value):
            raise ScaffoldError(f"{option}: `{value}` is not a staff id (such as cm-jlee)")
        if self.problem is not None:
            raise ScaffoldError(f"{option}: cannot check `{value}`: {self.problem}")
        if value in self.left:
            raise ScaffoldError(f"{option}: `{value}` left the agency on {self.left[value].isoformat()} ({self.where} "
                                "`left_on`), before this record's day; name who does it now")
        if value in self.ids:
            return value
        close = suggest(value, self.ids)
        if close:
            raise ScaffoldError(f"{option}: `{value}` is not in {self.where}; did you mean `{close}`?")
        listed = ", ".join(self.choices[:10]) + (", …" if len(self.ids) > 10 else "")
        lists = f"which lists {listed}" if listed else "which lists nobody"
        raise ScaffoldError(f"{option}: `{value}` is not in {self.where}, {lists}; add the person there first")


def suggest(value: str, known: tuple[str, ...]) -> str | None:
    """The known id nearest to ``value`` (case ignored), or None when none is close."""
    folded = {k.casefold(): k for k in known}
    if value.casefold() in folded:
        return folded[value.casefold()]
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def staff_list(root: Path, shown: Callable[[Path], str], day: date | None = None) -> StaffList:
    """The staff of the repository at ``root``; ``shown(path)`` prints a path as the user sees it. Those who left
    before ``day`` (the record's date) are not offered, nor accepted."""
    from ..dates import parse_iso
    from ..model import Document
    from ..walk import STAFF_FILES

    path = next((root / n for n in STAFF_FILES if (root / n).is_file()), None)
    if path is None:
        return StaffList(None, problem=f"there is no staff.yaml in {shown(root) or '.'} to check it against; "
                         "add one listing the agency's staff (`pcplan init` writes an example)")
    where = shown(path)
    doc = Document.load(path.resolve(), where)
    if not doc.loaded.ok or doc.kind != "staff":
        return StaffList(path, where=where, problem=f"{where} does not load; fix it first (pcplan check {where})")
    people = [person for _, person in doc.items("staff") if isinstance(person.get("id"), str)]
    left = {p["id"]: gone for p in people
            if day is not None and (gone := parse_iso(p.get("left_on"))) is not None and gone < day}
    return StaffList(path, tuple(p["id"] for p in people),
                     {p["id"]: p["role"] for p in people if isinstance(p.get("role"), str)}, where, left=left)
