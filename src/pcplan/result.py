"""What a check produced: its findings, the counts every format reports, each member folder's work.

The formats (pcplan.report), `due` and `report` (pcplan.caseload), the pre-commit hook and the
language server read a result; none of them needs the engine that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Finding, FindingStore

if TYPE_CHECKING:  # the summary's type only: a result holds what the engine hands it
    from .facts.summary import MemberSummary


@dataclass
class CheckResult:
    # Sorted as they are read, and spilled to a temporary file past a few thousand (findings.FindingStore):
    # a statewide check holds a few thousand findings in memory, not all of them.
    findings: FindingStore = field(default_factory=FindingStore)
    files: int = 0
    members: int = 0
    internal_errors: int = 0
    checked: list[str] = field(default_factory=list)  # display paths of the files reported on (JUnit)
    roots: list[str] = field(default_factory=list)  # repository roots with files checked, as display paths
    works: list[MemberWork] = field(default_factory=list)  # what a worker process hands back (Options.caseload)
    # Places the walk could not read (a folder past PATH_MAX, without permission): (display path, why). `check`
    # reports each as E005; `due`, `report` and `export fhir` say which members they could not count.
    unread: list[tuple[str, str]] = field(default_factory=list)
    # One (order, folder from the root, member file's name, member id, span of the id) per member folder checked
    # in the current root, from every path (this process, a worker, the cache): E007 compares member ids and
    # folder names across the repository once the walk is done (engine.duplicates). Ids and places only.
    identities: list[tuple] = field(default_factory=list)


@dataclass
class MemberWork:
    """What checking one member folder produced, handed to ``check``'s ``on_member`` in walk order's ``order``.

    Findings and a summary only: the member's Case is freed once its check is done."""

    order: int
    folder: Path
    findings: list[Finding]  # as the check reports them (those in or related to the paths named)
    summary: MemberSummary | None = None  # with Options.caseload
