"""`pcplan rules` and `pcplan rule CODE`: the registry, shown to people and programs."""

from __future__ import annotations

import json
import sys
from typing import TextIO

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
    rule = RULES.get(code.strip().upper())
    if rule is None:
        raise UnknownRule(f"no rule `{code}`; `pcplan rules` lists them")
    if output_format == "json":
        json.dump(rule_dict(rule), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    sys.stdout.write(rule_markdown(rule, heading="#") if not sys.stdout.isatty() else "")
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console(highlight=False).print(Markdown(rule_markdown(rule, heading="#")))


def rule_markdown(rule: Rule, heading: str = "###") -> str:
    """One rule as Markdown: used by `pcplan rule` and by docs/rules.md."""
    parts = [f"{heading} {rule.code} {rule.name}\n",
             f"*{rule.severity}* · source: {rule.source}\n",
             f"{rule.summary}\n",
             f"**Why it matters.** {rule.why}\n",
             f"**How to fix.** {rule.fix}\n"]
    if rule.example:
        parts.append("```yaml\n" + rule.example + "\n```\n")
    return "\n".join(parts)
