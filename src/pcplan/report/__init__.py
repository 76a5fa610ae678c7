"""Output formats for `pcplan check`: one module per format, chosen by name; what they share is in common.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from .common import CheckResult, Hook, ReportOptions, blocking, place, said, shown_codes, statistics, summary

__all__ = ["CheckResult", "Hook", "ReportOptions", "blocking", "place", "said", "shown_codes", "statistics",
           "summary", "writer"]


def writer(name: str) -> Callable[[CheckResult, TextIO, ReportOptions], None]:
    """The writer of one format (each module is imported only when its format is asked for)."""
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
