"""GitHub Actions workflow commands: an annotation per finding, and a step summary.

GitHub shows at most 10 annotations of each type per step; when there are more,
a notice says so and points to the step summary, which (with
``GITHUB_STEP_SUMMARY`` set) gets a Markdown table of findings per rule and per
member appended.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import TextIO

from . import ReportOptions, place, said, statistics, summary_counts

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
SHOWN_PER_TYPE = 10


def write(result, stream: TextIO, options: ReportOptions) -> None:
    per_type: Counter = Counter()
    for f in result.findings:
        if f.excepted:
            continue  # documented exceptions do not need attention in a pull request
        kind = COMMAND[f.severity]
        per_type[kind] += 1
        properties = ",".join([
            f"file={_property(place(f.path, options))}", f"line={f.line}", f"col={f.column}",
            f"endLine={max(f.end_line or f.line, f.line)}",
            *([f"endColumn={f.end_column}"] if (f.end_line or f.line) == f.line and f.end_column else []),
            f"title={_property(f'{f.code} {f.name}')}",
        ])
        stream.write(f"::{kind} {properties}::{_data(said(f.message))}\n")
    hidden = {kind: count - SHOWN_PER_TYPE for kind, count in per_type.items() if count > SHOWN_PER_TYPE}
    if hidden:
        more = ", ".join(f"{count} {kind}s" for kind, count in sorted(hidden.items()))
        notice = (f"GitHub shows 10 annotations of each type; {more} more are not shown here: "
                  "see the step summary and the log above")
        stream.write(f"::notice title=pcplan::{_data(notice)}\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as summary:
            summary.write(step_summary(result, options))


def step_summary(result, options: ReportOptions) -> str:
    counts = summary_counts(result, options.baselined)
    lines = ["## pcplan check", ""]
    if counts["findings"] == 0:
        lines += [f"No findings in {result.files} files of {result.members} member folders.", ""]
    else:
        lines += [f"{counts['findings']} findings ({counts['error']} errors, {counts['warning']} warnings, "
                  f"{counts['info']} info) in {result.files} files of {result.members} member folders; "
                  f"{counts['excepted']} covered by documented exceptions.", "",
                  "| rule | name | severity | findings | excepted |", "|---|---|---|---:|---:|"]
        lines += [f"| {r['code']} | {r['name']} | {r['severity']} | {r['count']} | {r['excepted']} |"
                  for r in statistics(result)]
        per_member = Counter(f.member or "(no member)" for f in result.findings if not f.excepted)
        lines += ["", "| member | findings |", "|---|---:|"]
        lines += [f"| {member} | {count} |" for member, count in sorted(per_member.items())]
        lines.append("")
    return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped, as GitHub's runner reads them back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property (``file=``, ``title=``): also ``:`` and ``,``, which end a property."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
