"""`{"version": 1, "findings": [...], "summary": {...}}`, sorted, plain, reproducible."""

from __future__ import annotations

import json
from typing import TextIO

from . import ReportOptions, statistics, summary_counts


def write(result, stream: TextIO, options: ReportOptions) -> None:
    document = {
        "version": 1,
        "findings": [f.as_dict() for f in result.findings],
        "summary": summary_counts(result, options.baselined),
    }
    if options.statistics:
        document["statistics"] = statistics(result)
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
