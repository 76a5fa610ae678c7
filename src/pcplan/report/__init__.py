"""Output formats for `pcplan check`: one module per format, chosen by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

from ..engine import CheckResult

@dataclass(frozen=True)
class ReportOptions:
    show_source: bool = True  # the full format's excerpt quotes the file; off in CI and with --no-source
    statistics: bool = False
    color: bool | None = None  # None: decide from the stream and NO_COLOR
    width: int | None = None
    baselined: int = 0  # findings hidden by --baseline, for the summary


def writer(name: str) -> Callable[[CheckResult, TextIO, ReportOptions], None]:
    if name == "full":
        from .full import write
    elif name == "concise":
        from .concise import write
    elif name == "json":
        from .jsonfmt import write
    elif name == "sarif":
        from .sarif import write
    elif name == "github":
        from .github import write
    elif name == "junit":
        from .junit import write
    else:
        raise ValueError(name)
    return write


def summary_counts(result: CheckResult, baselined: int = 0) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    excepted = 0
    for finding in result.findings:
        if finding.excepted:
            excepted += 1
        else:
            counts[finding.severity] += 1
    return {"findings": len(result.findings) - excepted, **counts, "excepted": excepted,
            "baselined": baselined, "files": result.files, "members": result.members}


def statistics(result: CheckResult) -> list[dict]:
    """Findings per rule, most frequent first (excepted findings counted apart)."""
    rows: dict[str, dict] = {}
    for f in result.findings:
        row = rows.setdefault(f.code, {"code": f.code, "name": f.name, "severity": f.severity,
                                       "count": 0, "excepted": 0})
        row["excepted" if f.excepted else "count"] += 1
    return sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))
