"""`path:line:col: CODE [severity] message`, one finding a line, then a one-line summary (as ruff does).

The summary names the files checked even when nothing was found, so a run
that checked nothing cannot pass unnoticed: ``All checks passed: no findings
in 12 files.`` With ``--statistics`` the per-rule counts come first, then the
same summary.
"""

from __future__ import annotations

from typing import TextIO

from .common import CheckResult, ReportOptions, blocking, place, said, statistics, summary


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    if options.statistics:
        for row in statistics(result):
            extra = f" (+{row['excepted']} excepted)" if row["excepted"] else ""
            stream.write(f"{row['count']:6d}  {row['code']}  {row['name']} [{row['severity']}]{extra}\n")
    else:
        for f in result.findings:
            mark = " (excepted)" if f.excepted else "" if blocking(f, options) else " (not blocking)"
            stream.write(f"{place(f.path, options)}:{f.line}:{f.column}: {f.code} [{f.severity}]{mark} "
                         f"{said(f.message)}\n")
    stream.write(summary(result, options.baselined, hide_names=options.hide_names, hook=options.hook).text + "\n")
