"""pcplan's findings for one open file, as LSP diagnostics.

The check is ``pcplan check FILE`` with the editor's text in place of the file
(``pcplan.load.overlay``): the member folder, the staff file and pcplan.toml
are read from disk, so cross-file rules judge what the case manager is typing
against the rest of the record. Only this file's findings are published for it.
"""

from __future__ import annotations

import functools
import re
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
from .workspace import Place, read_text

SEVERITIES = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
              "info": types.DiagnosticSeverity.Information}
SOURCE = "pcplan"
# The link each diagnostic's code carries: `pcplan://rule/L101`, which the VS Code extension opens as the text
# of `pcplan rule L101`. An agency that publishes docs/rules.md sets `ruleUrl` (an initialization option)
# to a template such as `https://docs.example.org/pcplan/rules.html#{anchor}`.
DEFAULT_RULE_URL = "pcplan://rule/{code}"
# A repository's own editor settings can set `ruleUrl` (VS Code's `.vscode/settings.json`), so the template
# is untrusted: only the literal placeholders below are replaced (never `str.format`, whose `{code:>100000000}`
# made every diagnostic 100 MB), in an http(s) address of bounded length. An invalid one is not used.
MAX_RULE_URL = 2048  # characters; browsers and intranets handle far longer, no rule link needs more
RULE_URL_SCHEMES = ("https", "http")
_PLACEHOLDER = re.compile(r"\{(code|anchor)\}")



def anchor(code: str) -> str:
    """The heading anchor of a rule in docs/rules.md: ``l101-goal-without-need``."""
    rule = RULES.get(code)
    return f"{code.lower()}-{rule.name}" if rule is not None else code.lower()


def rule_template_problem(template: object) -> str | None:
    """Why ``template`` cannot be the ``ruleUrl`` option (said to the user, without repeating the value), or
    None: an http(s) address of at most MAX_RULE_URL characters, without spaces or control characters, whose
    only braces are the placeholders ``{code}`` and ``{anchor}``."""
    if not isinstance(template, str):
        return "it is not text"
    if template == DEFAULT_RULE_URL:
        return None
    if len(template) > MAX_RULE_URL:
        return f"it is longer than {MAX_RULE_URL:,} characters"
    return _template_problem(template)


@functools.lru_cache(maxsize=8)  # asked once per diagnostic, of the one template in use
def _template_problem(template: str) -> str | None:
    if any(c.isspace() or not c.isprintable() for c in template):
        return "it holds spaces or control characters"
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        return "its only placeholders can be {code} and {anchor}"
    scheme, _, after = template.partition(":")
    if scheme.lower() not in RULE_URL_SCHEMES or not after.startswith("//") or len(after) <= 2 \
            or after[2] in "/?#":
        return "it is not an https:// or http:// address"
    return None


def rule_url(code: str, template: str = DEFAULT_RULE_URL) -> str:
    """The link of rule ``code``: ``template`` with ``{code}`` and ``{anchor}`` replaced (the default when the
    template is not a valid ``ruleUrl``)."""
    if rule_template_problem(template) is not None:
        template = DEFAULT_RULE_URL
    values = {"code": code, "anchor": anchor(code)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


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
            raw = read_text(path, self.place.root, errors="replace")  # check's rules: no pipe, no link out
            self._texts[path] = Text(raw, self.text.encoding) if raw is not None else None
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
