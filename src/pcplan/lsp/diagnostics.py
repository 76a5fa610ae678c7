"""pcplan's findings for one open file, as LSP diagnostics.

The check is ``pcplan check FILE`` with the editor's text in place of the file
(``pcplan.load.overlay``): the member folder, the staff file and pcplan.toml
are read from disk, so cross-file rules judge what the case manager is typing
against the rest of the record. Only this file's findings are published for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from ..config import ConfigError
from ..engine import Options, UsageError, check
from ..findings import Finding
from ..load import overlay
from ..rules import RULES
from .positions import Text
from .workspace import Place

SEVERITIES = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
              "info": types.DiagnosticSeverity.Information}
SOURCE = "pcplan"
# The link each diagnostic's code carries: `pcplan://rule/L101`, which the VS Code extension opens as the text
# of `pcplan rule L101`. An agency that publishes docs/rules.md sets `ruleUrl` (an initialization option)
# to a template such as `https://docs.example.org/pcplan/rules.html#{anchor}`.
DEFAULT_RULE_URL = "pcplan://rule/{code}"



def anchor(code: str) -> str:
    """The heading anchor of a rule in docs/rules.md: ``l101-goal-without-need``."""
    rule = RULES.get(code)
    return f"{code.lower()}-{rule.name}" if rule is not None else code.lower()


def rule_url(code: str, template: str = DEFAULT_RULE_URL) -> str:
    try:
        return template.format(code=code, anchor=anchor(code))
    except (KeyError, IndexError, ValueError):
        return DEFAULT_RULE_URL.format(code=code)


@dataclass
class Outcome:
    """One check of one file: its findings, or why the check could not run (a broken pcplan.toml)."""

    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0


def check_text(place: Place, text: str, today: date) -> Outcome:
    """The findings in ``place.path`` with ``text`` as its content."""
    started = time.perf_counter()
    outcome = Outcome()
    with overlay({place.path: text}):
        try:
            # No content cache: what it keeps describes the files on disk, not an editor's text.
            result = check([place.path], Options(today=today, jobs=1, cache=False), cwd=place.root)
        except ConfigError as exc:
            outcome.problem = f"pcplan cannot check this file: {exc}"
        except UsageError:
            pass  # the file is gone from disk (deleted or renamed while open): nothing to check
        else:
            outcome.findings = [f for f in result.findings if f.file == place.path]
    outcome.seconds = time.perf_counter() - started
    return outcome


class Converter:
    """Findings → diagnostics, positions converted on the text each finding's file had when checked."""

    def __init__(self, place: Place, text: Text, template: str) -> None:
        self.place = place
        self.text = text
        self.template = template
        self._texts: dict[Path, Text | None] = {place.path: text}

    def _text_of(self, path: Path | None) -> Text | None:
        if path is None:
            return None
        if path not in self._texts:
            try:
                self._texts[path] = Text(path.read_text(encoding="utf-8", errors="replace"), self.text.encoding)
            except OSError:
                self._texts[path] = None
        return self._texts[path]

    def diagnostic(self, finding: Finding, number: int) -> types.Diagnostic:
        related = []
        for entry in finding.related:
            text = self._text_of(entry.file)
            if text is None or entry.file is None:
                continue
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=from_fs_path(str(entry.file)),
                                        range=text.range(entry.line, entry.column, entry.end_line, entry.end_column)),
                message=entry.message))
        message = finding.message
        if finding.excepted:
            message += " (excepted: a documented exception covers it)"
        return types.Diagnostic(
            range=self.text.range(finding.line, finding.column, finding.end_line, finding.end_column),
            message=message,
            severity=types.DiagnosticSeverity.Hint if finding.excepted else
            SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Error),
            code=finding.code,
            code_description=types.CodeDescription(href=rule_url(finding.code, self.template)),
            source=SOURCE,
            related_information=related or None,
            data={"finding": number},
        )

    def problem(self, message: str) -> types.Diagnostic:
        """A configuration problem, shown at the top of the file (it has no rule code)."""
        return types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                                  end=types.Position(line=0, character=0)),
                                message=message, severity=types.DiagnosticSeverity.Error, source=SOURCE)
