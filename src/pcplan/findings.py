"""What a rule reports, and the order findings are shown in."""

from __future__ import annotations

import heapq
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, overload

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule function yields: where (document + data path) and what.

    The engine turns a Hit into a Finding, adding the rule's code, severity and
    the exact line and column of the node, so rules never deal with positions.
    """

    doc: object  # model.Document; typed loosely to keep this module dependency-free
    data_path: tuple
    message: str
    at: str = "value"  # "value" (the node), or "key" (the mapping key naming it)
    line: int | None = None  # set only when the loader already knows the position
    column: int | None = None
    hint: str | None = None  # what to do about this finding; None: the rule's own "How to fix"
    due: date | None = None  # date-driven rules: when what was missed was due (the occurrence exceptions cover)
    # Other places the finding is about, each ``(doc, data_path, message)`` or ``(doc, data_path, message, at)``:
    # the assessment's need when a plan leaves it unaddressed. The message is built from ids only.
    related: tuple = ()
    # This finding's severity when it is lower than the rule's (a closed T205 gap is a warning); None: the rule's.
    # The engine reports the lower of it and the rule's severity as configured, so an agency's severity for the
    # rule still lowers every finding of it, and raising the rule never raises what the rule itself lowered.
    severity: str | None = None
    # Every occurrence a finding stands for (the due dates a contact gap missed), first = ``due``; empty: ``due``
    # alone. A documented exception covers the finding only when it covers every one of them.
    occurrences: tuple = ()


@dataclass(frozen=True, slots=True)
class Related:
    """A second position a finding is about (SARIF ``relatedLocations``), resolved like the main one."""

    path: str  # relative to the current folder, forward slashes
    line: int
    column: int
    message: str  # ids, codes and field names only: "need N4 in assessment A1"
    file: Path | None = field(default=None, compare=False)  # absolute
    data_path: tuple = field(default=(), compare=False)
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)
    repo_path: str = field(default="", compare=False)  # relative to the repository root (baselines)

    @property
    def dotted_path(self) -> str:
        return dotted(self.data_path)

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: str
    path: str  # relative to the current folder, forward slashes
    line: int
    column: int
    message: str
    member: str | None = None
    data_path: tuple = ()
    excepted: bool = False
    file: Path | None = field(default=None, compare=False)  # absolute, for excerpts
    repo_path: str = field(default="", compare=False)  # relative to the repository root (baselines)
    end_line: int | None = field(default=None, compare=False)  # end of the node (SARIF, annotations)
    end_column: int | None = field(default=None, compare=False)
    hint: str | None = field(default=None, compare=False)  # this finding's own hint (terminal output only)
    due: date | None = field(default=None, compare=False)  # the occurrence of a date-driven rule (exceptions)
    related: tuple[Related, ...] = ()  # other places the finding is about (the assessed need a plan leaves out)
    # the due dates the finding stands for (Hit.occurrences): read by documented exceptions before output, not
    # shown and not cached
    occurrences: tuple = field(default=(), compare=False)

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)

    @property
    def dotted_path(self) -> str:
        """The data path as ``goals[1].needs`` (stable across line moves)."""
        return dotted(self.data_path)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "member": self.member,
            "data_path": self.dotted_path,
            "excepted": self.excepted,
            "related": [r.as_dict() for r in self.related],
        }


def dotted(data_path: tuple) -> str:
    """A data path as ``goals[1].needs``.

    A key that is not a field name (free text typed as a key) is shown as ``?``:
    machine outputs carry no member text.
    """
    out = ""
    for step in data_path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            name = step if isinstance(step, str) and _FIELD_NAME.match(step) else "?"
            out += f".{name}" if out else name
    return out


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def finding_severity(configured: str, own: str | None) -> str:
    """A finding's severity: the rule's as configured, or the hit's own when that is lower (``Hit.severity``)."""
    if own is None or own not in SEVERITY_RANK or SEVERITY_RANK[own] >= SEVERITY_RANK[configured]:
        return configured
    return own


# Findings kept in memory before a sorted run of them goes to a temporary file: a statewide check (100,000
# members, ~120,000 findings) then holds a few thousand, not all of them. PCPLAN_SPILL_AT overrides it (tests).
def _spill_at(default: int = 4000) -> int:
    try:
        return max(1, int(os.environ.get("PCPLAN_SPILL_AT") or default))
    except ValueError:
        return default


SPILL_AT = _spill_at()
MAX_RUNS = 64  # runs on disk before they are merged into one (open files stay few at any scale)


def _sort_key(finding: Finding) -> tuple:
    return finding.sort_key


class Tally:
    """How many findings there are of each severity and each rule, counted as they come: the summary line,
    ``--statistics`` and the exit code read it rather than reading every finding again.

    ``rules`` maps a code to ``[count, excepted, sort key, name, severity]``, the name and severity of its first
    finding in the order they are shown: the lowest sort key (``by_key``, for a store that sorts what it is
    given), or simply the first one added (a list, shown in its own order).
    """

    def __init__(self, by_key: bool = False) -> None:
        self.by_key = by_key
        self.severities: Counter = Counter()  # (severity, excepted) -> count
        self.rules: dict[str, list] = {}

    def add(self, finding: Finding) -> None:
        self.severities[finding.severity, finding.excepted] += 1
        row = self.rules.get(finding.code)
        if row is None:
            row = self.rules[finding.code] = [0, 0, None, finding.name, finding.severity]
            if self.by_key:
                row[2] = finding.sort_key
        elif self.by_key:
            key = finding.sort_key
            if key < row[2]:  # strictly lower: of equal keys the first added is shown first
                row[2:] = [key, finding.name, finding.severity]
        row[1 if finding.excepted else 0] += 1


def tally(findings: Iterable[Finding]) -> Tally:
    """The store's own tally, or one counted now (a plain list, as tests and the language server pass)."""
    kept = getattr(findings, "tally", None)
    if kept is not None:
        return kept
    counted = Tally()
    for finding in findings:
        counted.add(finding)
    return counted


class FindingStore(Sequence[Finding]):
    """Findings in ``sort_key`` order, ties in the order they were added (as ``list.sort`` leaves them).

    A small check keeps them in a list, sorted when first read. Past SPILL_AT, each full batch is sorted and
    pickled to an anonymous temporary file (unlinked, private to this process, so unpickling it is safe), and
    reading merges the runs a finding at a time: memory stays flat however many findings there are. Reading
    may be repeated; indexing and ``==`` read everything into a list (tests and small results use them).
    """

    def __init__(self, findings: Iterable[Finding] = (), key: Callable[[Finding], Any] = _sort_key,
                 tally: bool = True) -> None:
        self._key = key
        self.tally = Tally(by_key=True) if tally else None
        self._batch: list[Finding] = []
        self._sorted = True
        self._runs: list[tuple[IO[bytes], int]] = []  # (temporary file, bytes written), oldest first
        self._count = 0
        self._in_memory = False  # True once a temporary file could not be written (_keep_in_memory)
        self.extend(findings)

    def append(self, finding: Finding) -> None:
        self._batch.append(finding)
        self._count += 1
        if self.tally is not None:
            self.tally.add(finding)
        self._sorted = False
        if len(self._batch) >= SPILL_AT:
            self._spill()

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Finding]:
        self._sort_batch()
        if not self._runs:
            return iter(self._batch)
        # heapq.merge breaks ties by the order of its inputs: older runs first, the batch last (stable).
        return iter(heapq.merge(*(_read(run, size) for run, size in self._runs), self._batch, key=self._key))

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if not self._runs:
            self._sort_batch()
            return self._batch[index]
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, FindingStore)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, as a list: == compares the findings

    def __repr__(self) -> str:
        return f"FindingStore({list(self)!r})"

    def __reduce__(self) -> tuple[type[FindingStore], tuple[list[Finding]]]:
        # A worker process hands its part back pickled: as the plain list (a chunk of member folders is small).
        return (FindingStore, (list(self),))

    @property
    def spilled(self) -> int:
        """How many runs are on disk (tests)."""
        return len(self._runs)

    def close(self) -> None:
        """Close (and so delete) the temporary files now rather than when the store is collected."""
        for run, _ in self._runs:
            run.close()
        self._runs = []
        self._batch, self._count, self.tally = [], 0, Tally(by_key=True) if self.tally is not None else None

    def __del__(self) -> None:
        for run, _ in getattr(self, "_runs", ()):
            run.close()

    def _sort_batch(self) -> None:
        if not self._sorted:
            self._batch.sort(key=self._key)  # stable: ties keep the order they were added in
            self._sorted = True

    def _spill(self) -> None:
        if self._in_memory:
            return
        self._sort_batch()
        try:
            run = _write(self._batch)
        except OSError as exc:  # a full TMPDIR, no temporary folder, too many open files: keep them in memory
            self._keep_in_memory(exc)
            return
        self._runs.append(run)
        self._batch = []
        if len(self._runs) > MAX_RUNS:
            try:
                run = _write(heapq.merge(*(_read(r, size) for r, size in self._runs), key=self._key))
            except OSError as exc:  # the runs are whole: keep them, stop adding more
                self._keep_in_memory(exc)
                return
            for old, _ in self._runs:
                old.close()
            self._runs = [run]

    def _keep_in_memory(self, exc: OSError) -> None:
        """No temporary file can be written: from now on the findings stay in memory, those already on disk
        read back (the output is the same; only the memory a very large check takes grows), and the run says
        so once on stderr."""
        self._in_memory = True
        if self._runs:  # read the runs back and close them: their open files and disk space are given back
            self._sort_batch()
            try:
                merged = list(heapq.merge(*(_read(run, size) for run, size in self._runs), self._batch,
                                          key=self._key))
            except OSError:
                merged = None  # they cannot be read back now: kept as they are, and read when the store is
            if merged is not None:
                for run, _ in self._runs:
                    run.close()
                self._runs, self._batch, self._sorted = [], merged, True
        _said_in_memory(exc)


def _write(findings: Iterable[Finding]) -> tuple[IO[bytes], int]:
    """A sorted run in a new temporary file (tempfile: unlinked at once where the system allows, mode 0600).
    Flushed before it is counted: a full disk fails here (the file is closed and gone), never when it is read."""
    run = tempfile.TemporaryFile(prefix="pcplan-findings-")  # noqa: SIM115 - returned open, read back at the merge
    try:
        for finding in findings:
            run.write(pickle.dumps(_plain(finding), pickle.HIGHEST_PROTOCOL))
        run.flush()
        return run, run.tell()
    except BaseException:
        run.close()
        raise


_SAID: list[str] = []  # the notice, once a run


def _said_in_memory(exc: OSError) -> None:
    if _SAID:
        return
    import logging

    from .output import describe
    from .shown import visible

    folder = visible(os.path.dirname(exc.filename)) if isinstance(exc.filename, str) else \
        visible(tempfile.tempdir or "the temporary folder")
    _SAID.append(f"pcplan: {folder}: cannot write findings to a temporary file there: {describe(exc)}; "
                 "keeping them in memory (set TMPDIR to a folder with room)")
    logging.getLogger("pcplan").warning(_SAID[0])


def _read(run: IO[bytes], size: int) -> Iterator[Finding]:
    """A run's findings one at a time; each reader keeps its own position, so reads may interleave."""
    position = 0
    paths: dict[tuple, tuple] = {}
    while position < size:
        run.seek(position)
        values = pickle.load(run)
        position = run.tell()
        if len(paths) > 64:
            paths.clear()
        yield _rebuilt(values, paths)


# A finding as a list and back: one conversion, used by the spill store here (the whole finding, files as text)
# and by the cache (pcplan.cache_codec: files by their place in the member folder, keys typed as words masked,
# due dates as ISO text). A list, not the dataclass: pickling Path and dataclass objects took four times as long,
# and JSON holds lists.


def finding_row(finding: Finding, place: Callable[[Finding | Related], object],
                steps: Callable[[tuple], object] = tuple, when: Callable[[date], object] | None = None) -> list:
    """``finding`` as ``[code, severity, place, line, column, end line, end column, message, member, data path,
    excepted, hint, due, related]``, each related place as ``[place, line, column, message, data path, end line,
    end column]``. ``place`` writes where a finding or related place is (its path shown, file and path from the
    root: finding_from_row's ``at`` reads it back), ``steps`` a data path and ``when`` a due date (None: as is).
    Not written: the rule's name and the occurrences (the cache has them from the rule and never shows them;
    the spill store adds them)."""
    due = finding.due
    return [finding.code, finding.severity, place(finding), finding.line, finding.column, finding.end_line,
            finding.end_column, finding.message, finding.member, steps(finding.data_path), finding.excepted,
            finding.hint, when(due) if when is not None and due is not None else due,
            [[place(r), r.line, r.column, r.message, steps(r.data_path), r.end_line, r.end_column]
             for r in finding.related]]


def finding_from_row(row: list, at: Callable[[Any], tuple], name: str,
                     when: Callable[[object], date] | None = None, occurrences: tuple = ()) -> Finding:
    """The Finding finding_row wrote: ``at`` turns a place back into (path shown, file, path from the root),
    ``when`` a due date (None: as is); ``name`` is the rule's."""
    code, severity, where, line, column, end_line, end_column, message, member, data_path, excepted, hint, due, \
        related = row
    path, file, repo_path = at(where)
    return Finding(
        code=code, name=name, severity=severity, path=path, line=line, column=column, message=message,
        member=member, data_path=tuple(data_path), excepted=excepted, file=file, repo_path=repo_path,
        end_line=end_line, end_column=end_column, hint=hint,
        due=when(due) if when is not None and due is not None else due,
        related=tuple(_related_from_row(r, at) for r in related), occurrences=occurrences)


def _related_from_row(row: list, at: Callable[[Any], tuple]) -> Related:
    where, line, column, message, data_path, end_line, end_column = row
    path, file, repo_path = at(where)
    return Related(path, line, column, message, file=file, data_path=tuple(data_path), end_line=end_line,
                   end_column=end_column, repo_path=repo_path)


def _spill_place(item: Finding | Related) -> tuple:
    return item.path, (str(item.file) if item.file is not None else None), item.repo_path


def _plain(finding: Finding) -> list:
    """A finding as a run holds it: finding_row, then the rule's name and the occurrences."""
    row = finding_row(finding, _spill_place)
    row.append(finding.name)
    row.append(finding.occurrences)
    return row


def _rebuilt(values: list, paths: dict) -> Finding:
    """A finding _plain wrote; a sorted run names the same few files over and over (``paths`` rebuilds each
    place once)."""
    return finding_from_row(values[:14], lambda place: _place(place, paths), values[14], occurrences=values[15])


def _place(place: tuple, paths: dict) -> tuple:
    found = paths.get(place)
    if found is None:
        path, file, repo_path = place
        found = paths[place] = (path, Path(file) if file is not None else None, repo_path)
    return found
