"""`path:line:col: CODE [severity] message`, one finding a line, nothing else."""

from __future__ import annotations

from typing import TextIO

from . import ReportOptions, statistics


def write(result, stream: TextIO, options: ReportOptions) -> None:
    if options.statistics:
        for row in statistics(result):
            extra = f" (+{row['excepted']} excepted)" if row["excepted"] else ""
            stream.write(f"{row['count']:6d}  {row['code']}  {row['name']} [{row['severity']}]{extra}\n")
        return
    for f in result.findings:
        mark = " (excepted)" if f.excepted else ""
        stream.write(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}]{mark} {f.message}\n")
