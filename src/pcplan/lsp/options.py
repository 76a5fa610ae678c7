"""The initialization options an editor passes (docs/editors.md, "Options"), each checked before it is used.

The options can come from a repository's own files (VS Code reads `pcplan.ruleUrl`
and `pcplan.debounceMs` from `.vscode/settings.json`), so they are untrusted like
a case file: a value of the wrong type, out of range or malformed is not used
(the default stands) and is named in one message to the user, which says what
is wrong without repeating the value. A problem with one option leaves the
others in force. Unknown options are ignored: an editor may pass settings of its
own or of a newer pcplan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..dates import parse_iso
from .diagnostics import rule_template_problem

MAX_DEBOUNCE_MS = 10_000


@dataclass
class Options:
    """What the editor asked for; None where it asked for nothing usable (the server's default stands)."""

    debounce: float | None = None  # seconds
    rule_template: str | None = None
    today: date | None = None
    problems: list[str] = field(default_factory=list)  # one sentence per option not used


def read_options(options: Any) -> Options:
    """The options in ``options`` (InitializeParams.initializationOptions), checked one by one; an option
    given as null counts as not given (an editor's unset setting)."""
    chosen = Options()
    if options is None:
        return chosen
    if not isinstance(options, dict):
        chosen.problems.append("the initialization options are not an object of named options")
        return chosen
    debounce = options.get("debounceMs")
    if debounce is not None:
        if isinstance(debounce, (int, float)) and not isinstance(debounce, bool) and math.isfinite(debounce) \
                and 0 <= debounce <= MAX_DEBOUNCE_MS:
            chosen.debounce = debounce / 1000
        else:
            chosen.problems.append(f"debounceMs must be a number of milliseconds from 0 to {MAX_DEBOUNCE_MS:,}")
    template = options.get("ruleUrl")
    if isinstance(template, str):
        template = template.strip()
    if template is not None and template != "":  # empty: the default, as the extension's empty setting means
        problem = rule_template_problem(template)
        if problem is None:
            chosen.rule_template = template
        else:
            chosen.problems.append(f"ruleUrl is not used: {problem}; rule codes link to pcplan's own "
                                   "explanation (pcplan://rule/CODE) instead")
    today = options.get("today")
    if today is not None:
        parsed = parse_iso(today.strip()) if isinstance(today, str) and len(today) <= 40 else None
        if parsed is None:
            chosen.problems.append("today must be a date written YYYY-MM-DD, from 0001-01-01 to 9999-12-31; "
                                   "files are checked as of PCPLAN_TODAY or the real date instead")
        else:
            chosen.today = parsed
    return chosen


def message(problems: list[str]) -> str:
    """One message to the user for every option not used."""
    return "pcplan: " + "; ".join(problems) + "."
