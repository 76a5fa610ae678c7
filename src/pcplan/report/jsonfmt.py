"""`{"version": 1, "findings": [...], "summary": {...}}`, sorted, plain, reproducible."""

from __future__ import annotations

import json
from typing import TextIO

from . import ReportOptions, statistics, summary_counts


def write(result, stream: TextIO, options: ReportOptions) -> None:
    document = {
        "version": 1,
        "findings": [f.as_dict() for f in result.findings],
        # The repository roots whose staff and configuration judged these files.
        "summary": {**summary_counts(result, options.baselined), "roots": list(result.roots)},
    }
    if options.statistics:
        document["statistics"] = statistics(result)
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
