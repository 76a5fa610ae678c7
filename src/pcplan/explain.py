"""`pcplan rules` and `pcplan rule CODE`: the registry, shown to people and programs."""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from typing import TextIO

from .config import Settings
from .rules import RULES
from .rules.registry import Rule


class UnknownRule(Exception):
    pass


def rule_dict(rule: Rule) -> dict:
    return {"code": rule.code, "name": rule.name, "severity": rule.severity, "source": rule.source,
            "summary": rule.summary, "why": rule.why, "fix": rule.fix, "example": rule.example}


def print_rules(output_format: str) -> None:
    if output_format == "json":
        json.dump([rule_dict(r) for _, r in sorted(RULES.items())], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    if not sys.stdout.isatty():
        for code, r in sorted(RULES.items()):
            sys.stdout.write(f"{code}\t{r.name}\t{r.severity}\t{r.source}\n")
        return
    write_rules_table(sys.stdout)


def write_rules_table(stream: TextIO, width: int | None = None, color: bool | None = None) -> None:
    """The catalogue as a table that keeps words whole: five columns where they fit, else three.

    In the narrower form the name, what must hold and the source share one
    column, so an 80- or 60-column terminal still shows whole words.
    """
    from rich.table import Table
    from rich.text import Text

    from .layout import buffered_console, flush, print_table

    console = buffered_console(stream, width, color)
    rules = sorted(RULES.items())
    wide = Table(title="pcplan rules", title_justify="left")
    wide.add_column("code", no_wrap=True)
    wide.add_column("name", no_wrap=True)
    wide.add_column("severity", no_wrap=True)
    wide.add_column("source", no_wrap=True)
    wide.add_column("what must hold", overflow="fold")  # fold: only a word wider than the whole column
    narrow = Table(title="pcplan rules", title_justify="left")
    narrow.add_column("code", no_wrap=True)
    narrow.add_column("severity", no_wrap=True)
    narrow.add_column("rule: what must hold (source)", overflow="fold")
    for code, r in rules:
        wide.add_row(code, r.name, r.severity, r.source, r.summary)
        narrow.add_row(code, r.severity, Text.assemble((r.name, "bold"), "\n", r.summary, "\n",
                                                        (f"source: {r.source}", "dim")))
    print_table(console, wide, narrow)
    flush(console, stream)


def print_rule(code: str, output_format: str) -> None:
    """One rule explained, with the settings it reads and where it is defined."""
    rule = RULES.get(code.strip().upper())
    if rule is None:
        raise UnknownRule(f"no rule `{code}`; `pcplan rules` lists them")
    if output_format == "json":
        settings = [{"name": name, "default": _DEFAULTS[name]} for name in rule.settings]
        json.dump({**rule_dict(rule), "settings": settings, "defined_in": rule.defined_in}, sys.stdout, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return
    text = rule_markdown(rule, heading="#", where=True)
    if not sys.stdout.isatty():
        sys.stdout.write(text)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console(highlight=False).print(Markdown(text))


def rule_markdown(rule: Rule, heading: str = "###", where: bool = False) -> str:
    """One rule as Markdown: used by `pcplan rule` (``where``: with its file and line), docs/rules.md and the
    editor's hover."""
    parts = [f"{heading} {rule.code} {rule.name}\n",
             f"*{rule.severity}* · source: {rule.source}\n",
             f"{rule.summary}\n",
             f"**Why it matters.** {rule.why}\n",
             f"**How to fix.** {rule.fix}\n"]
    if rule.settings:
        read = ", ".join(f"`{name}` (default `{_toml(_DEFAULTS[name])}`)" for name in rule.settings)
        parts.append(f"**Settings** (`[settings]` in pcplan.toml): {read}.\n")
    if rule.example:
        parts.append("```yaml\n" + rule.example + "\n```\n")
    if where and rule.defined_in:
        parts.append(f"Defined in `{rule.defined_in}`.\n")
    return "\n".join(parts)


# Each setting's default, as pcplan.toml would write it (a list for a tuple).
_DEFAULTS = {f.name: list(value) if isinstance(value := getattr(Settings(), f.name), tuple) else value
             for f in fields(Settings)}


def _toml(value: object) -> str:
    """A default as written in pcplan.toml: ``30``, ``8.0``, ``["locked", "curfew"]``."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
