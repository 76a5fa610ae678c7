"""GitHub Actions workflow commands: an annotation per finding, and a step summary.

GitHub shows at most 10 annotations of each type per step; when there are more,
a notice says so and points to the step summary, which (with
``GITHUB_STEP_SUMMARY`` set) gets a Markdown table of findings per rule and per
member appended.

The variable names a file the runner made for the summary; pcplan appends only to
a regular file that is not a link, not a YAML file or pcplan.toml, not inside a
repository being checked and not inside a git directory. Otherwise, or when the
append fails (a full disk, a missing folder), one ``pcplan:`` notice on stderr
says why and the summary is left out: the annotations are the check's output,
and its exit code stays what the findings make it. A failed append is undone
(the file is cut back to its size before), so no half table is left.
"""

from __future__ import annotations

import os
import stat
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..output import plural
from .common import CheckResult, ReportOptions, blocking, place, said, statistics, summary_counts

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
SHOWN_PER_TYPE = 10


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    per_type: Counter = Counter()
    for f in result.findings:
        if f.excepted:
            continue  # documented exceptions do not need attention in a pull request
        # The pre-commit hook's findings that do not block the commit are notices, not errors on the change.
        kind = COMMAND[f.severity] if blocking(f, options) else "notice"
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
        more = ", ".join(plural(count, kind) for kind, count in sorted(hidden.items()))
        notice = (f"GitHub shows 10 annotations of each type; {more} more are not shown here: "
                  "see the step summary and the log above")
        stream.write(f"::notice title=pcplan::{_data(notice)}\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        problem = append_step_summary(summary_file, step_summary(result, options), getattr(result, "roots", ()))
        if problem:
            from ..shown import visible

            sys.stderr.write(f"pcplan: GITHUB_STEP_SUMMARY ({visible(summary_file)}): not written: {problem}\n")


def append_step_summary(name: str, text: str, roots: Iterable[str | os.PathLike[str]] = ()) -> str | None:
    """Append ``text`` to the step summary file ``name``; why it was not, or None when it was."""
    from ..output import describe, inside_git
    from ..walk import YAML_SUFFIXES

    path = Path(name)
    if path.suffix.lower() in YAML_SUFFIXES or path.name.lower() == "pcplan.toml":
        return "a case file or pcplan's configuration, never written by a check"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return describe(exc)
    if info is not None and stat.S_ISLNK(info.st_mode):
        return "a symbolic link; pcplan never writes through one"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return "not a regular file (a folder, a device or a pipe)"
    real = Path(os.path.realpath(path))
    for root in roots:
        base = Path(os.path.realpath(root))
        if real == base or base in real.parents:
            return "inside the repository being checked; the runner's summary file is outside it"
    if inside_git(real):
        return "inside a git directory"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        return describe(exc)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            return "not a regular file (a folder, a device or a pipe)"
        data = memoryview(text.encode("utf-8"))
        try:
            while data:
                data = data[os.write(fd, data):]
        except OSError as exc:
            try:
                os.ftruncate(fd, before.st_size)  # no half table: the file as it was
            except OSError:
                pass
            return describe(exc)
    finally:
        os.close(fd)
    return None


def step_summary(result: CheckResult, options: ReportOptions) -> str:
    counts = summary_counts(result, options.baselined)
    lines = ["## pcplan check", ""]
    if counts["findings"] == 0:
        lines += [f"No findings in {plural(result.files, 'file')} of {plural(result.members, 'member folder')}.", ""]
    else:
        lines += [f"{plural(counts['findings'], 'finding')} ({plural(counts['error'], 'error')}, "
                  f"{plural(counts['warning'], 'warning')}, {counts['info']} info) in {plural(result.files, 'file')} "
                  f"of {plural(result.members, 'member folder')}; {counts['excepted']} covered by documented "
                  "exceptions.", "",
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
