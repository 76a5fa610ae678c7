"""What a rule reports, and the order findings are shown in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
