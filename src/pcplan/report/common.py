"""What every format of `pcplan check` shares: its options, how paths and messages are shown, the summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..findings import Finding, tally
from ..output import plural
from ..result import CheckResult  # what every writer reads; they import it from here
from ..shown import shown_path, visible


class Hook(Protocol):
    """What the formats ask the pre-commit hook (pcplan.precommit.HookView) about its findings."""

    not_blocking: int  # findings listed that do not block the commit
    not_shown: int  # findings elsewhere, there before the change, not listed

    def counts(self, finding: Finding) -> bool: ...

    def blocks(self, finding: Finding) -> bool: ...

    def note(self) -> str: ...


@dataclass(frozen=True)
class ReportOptions:
    show_source: bool = True  # the full format's excerpt quotes the file; off in CI and with --no-source
    statistics: bool = False
    color: bool | None = None  # None: decide from the stream and NO_COLOR
    width: int | None = None
    baselined: int = 0  # findings hidden by --baseline, for the summary
    # With --member-folders (the pre-commit hook): which findings block the commit (pcplan.precommit.HookView);
    # the others are marked `not blocking`, and the summary says how many.
    hook: Hook | None = None
    hide_names: bool | None = None  # names that do not look like names hidden; None: when CI is set


# Every format shows what came from a case file or a file name through these two (pcplan.shown): a message
# with its control characters escaped, a path escaped and, in CI, with names that are not names hidden.
def place(path: str, options: ReportOptions) -> str:
    """A finding's path as every format shows it."""
    return shown_path(path, options.hide_names)


def said(message: str) -> str:
    """A finding's (or related location's) message as every format shows it."""
    return visible(message)


def summary_counts(result: CheckResult, baselined: int = 0) -> dict:
    # From the tally the store keeps as findings come (pcplan.findings): no second pass over a spilled store.
    counted = tally(result.findings)
    counts = {"error": 0, "warning": 0, "info": 0}
    excepted = 0
    for (severity, was_excepted), n in counted.severities.items():
        if was_excepted:
            excepted += n
        else:
            counts[severity] += n
    return {"findings": sum(counts.values()), **counts, "excepted": excepted,
            "baselined": baselined, "files": result.files, "members": result.members}


@dataclass(frozen=True)
class Summary:
    """The closing line of `full` and `concise`, in parts so that `full` can colour them.

    ``Found 3 findings (2 errors, 1 warning) in 12 files (repository: cases).``
    ``All checks passed: no findings in 12 files (repository: the current folder).``
    followed, where not zero, by ``Not counted: 2 covered by documented
    exceptions, 4 in the baseline.``
    """

    passed: bool
    head: str  # "Found 3 findings" or "All checks passed:"
    body: str  # " (2 errors, 1 warning) in 12 files (repository: cases)."
    note: str  # "" or " Not counted: ..."

    @property
    def text(self) -> str:
        return self.head + self.body + self.note


def _plural(count: int, noun: str) -> str:
    return plural(count, noun, "info" if noun == "info" else None)


def summary(result: CheckResult, baselined: int = 0, members: bool = False, hide_names: bool | None = None,
            hook: Hook | None = None) -> Summary:
    """The summary line; ``members`` adds the member folders to the scope (`full` does)."""
    counts = summary_counts(result, baselined)
    scope = _plural(result.files, "file")
    if members and result.members:
        scope += f" in {_plural(result.members, 'member folder')}"
    roots = ["the current folder" if str(root) == "." else shown_path(str(root), hide_names)
             for root in getattr(result, "roots", None) or []]
    if roots:
        scope += f" ({'repository' if len(roots) == 1 else 'repositories'}: {', '.join(roots)})"
    if counts["findings"]:
        parts = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s])
        head, body, passed = f"Found {_plural(counts['findings'], 'finding')}", f" ({parts}) in {scope}.", False
    else:
        head, body, passed = "All checks passed:", f" no findings in {scope}.", True
    left_out = []
    if counts["excepted"]:
        left_out.append(f"{counts['excepted']} covered by documented exceptions")
    if baselined:
        left_out.append(f"{baselined} in the baseline")
    note = f" Not counted: {', '.join(left_out)}." if left_out else ""
    if hook is not None:  # the pre-commit hook: what does not block this commit
        note += hook.note()
    return Summary(passed, head, body, note)


def blocking(finding: Finding, options: ReportOptions) -> bool:
    """False for a finding the pre-commit hook shows but does not block on (outside the changed files, or
    there before a staff or configuration change); True otherwise."""
    return options.hook is None or finding.excepted or options.hook.counts(finding)


def statistics(result: CheckResult) -> list[dict]:
    """Findings per rule, most frequent first (excepted findings counted apart)."""
    rows = [{"code": code, "name": name, "severity": severity, "count": count, "excepted": excepted}
            for code, (count, excepted, _, name, severity) in tally(result.findings).rules.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["code"]))


def shown_codes(result: CheckResult) -> list[str]:
    """The codes of the findings counted (not excepted), sorted."""
    return sorted(code for code, row in tally(result.findings).rules.items() if row[0])
