"""`{"version": 1, "findings": [...], "summary": {...}}`, sorted, plain, reproducible."""

from __future__ import annotations

from typing import TextIO

from ..findings import Finding
from .common import CheckResult, ReportOptions, place, said, statistics, summary_counts
from .streamed import STREAMED, dump


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    document: dict = {
        "version": 1,
        "findings": STREAMED,  # written a finding at a time (report.streamed)
        # The repository roots whose staff and configuration judged these files.
        "summary": {**summary_counts(result, options.baselined),
                    "roots": [place(str(root), options) for root in result.roots]},
    }
    if options.hook is not None:  # the pre-commit hook: what does not block this commit
        document["summary"].update(not_blocking=options.hook.not_blocking, not_shown=options.hook.not_shown)
    if options.statistics:
        document["statistics"] = statistics(result)
    dump(document, (_shown(f.as_dict(), options, f) for f in result.findings), stream)
    stream.write("\n")


def _shown(finding: dict, options: ReportOptions, original: Finding | None = None) -> dict:
    """A finding's paths and messages as every format shows them (pcplan.shown); with the pre-commit hook,
    whether it blocks the commit (``blocking``)."""
    if options.hook is not None and original is not None:
        finding["blocking"] = options.hook.blocks(original)  # at or above --fail-on too: it fails the commit
    finding["path"], finding["message"] = place(finding["path"], options), said(finding["message"])
    for related in finding["related"]:
        related["path"], related["message"] = place(related["path"], options), said(related["message"])
    return finding
