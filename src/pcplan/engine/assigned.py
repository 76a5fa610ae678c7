"""A check narrowed to one case manager's members (``--case-manager STAFF`` on `check` and `report`).

A member folder belongs to STAFF when STAFF is its case manager today: the member's current `case_managers`
assignment, else the monitor of the plan that speaks for the current episode (facts.status.case_manager_of),
the meaning `due` gives the flag. Every member folder is still checked (E007 compares member ids across them
all); only STAFF's are reported and counted, and the files outside member folders (staff.yaml, loose files)
are left out. An id that is neither in staff.yaml nor anyone's case manager is a usage error, worded as `due`
words it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..findings import Finding
from ..result import CheckResult, MemberWork
from .discover import Item
from .options import UsageError


def unknown_case_manager(staff_id: str, known: Iterable[str]) -> str:
    """The message for ``--case-manager`` naming nobody pcplan knows (`due`, `check` and `report` alike)."""
    listed = ", ".join(sorted(set(known))) or "none (no staff.yaml and no assignment)"
    return f"--case-manager {staff_id!r} is not a known staff id; known ids: {listed}"


class OneCaseManager:
    """Keeps the work of STAFF's member folders and takes the others out of the run's counts."""

    def __init__(self, staff_id: str, result: CheckResult, keep_findings: bool,
                 on_member: Callable[[MemberWork], None] | None) -> None:
        self.staff_id = staff_id
        self.result = result
        self.keep_findings = keep_findings
        self.on_member = on_member
        self.known: set[str] = set()  # staff ids of the repositories checked, and every case manager met
        self.mine: set[Path] = set()  # STAFF's member folders
        self._files: dict[Path, int] = {}  # member folders walked and not yet done: how many files each holds

    def walked(self, items: Iterator[Item]) -> Iterator[Item]:
        """The walk's member folders, passed on; each one's number of files noted, to uncount it if not STAFF's."""
        for item in items:
            self._files[item[1]] = len(item[2])
            yield item

    def visit(self, work: MemberWork) -> None:
        """One member folder done (the check's ``on_member``, with Options.caseload)."""
        summary = work.summary
        files = self._files.pop(work.folder, 0)
        manager = summary.manager if summary is not None else None
        if summary is not None:
            self.known.update(summary.case_managers())
        if manager is not None:
            self.known.add(manager)
        if manager != self.staff_id:
            self.result.files -= files
            self.result.members -= 1
            return
        self.mine.add(work.folder)
        if self.keep_findings:
            self.result.findings.extend(work.findings)
        if self.on_member is not None:
            self.on_member(work)

    def in_mine(self, found: Iterable[Finding]) -> list[Finding]:
        """The findings located in STAFF's member folders (E007 across member folders)."""
        return [f for f in found if f.file is not None and any(p in self.mine for p in f.file.parents)]

    def confirm(self) -> None:
        """UsageError when STAFF is neither in a staff file checked nor anyone's case manager."""
        if self.staff_id not in self.known:
            raise UsageError(unknown_case_manager(self.staff_id, self.known))
