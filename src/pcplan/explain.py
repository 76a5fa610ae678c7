"""`pcplan rules` and `pcplan rule CODE`: the registry, shown to people and programs."""

from __future__ import annotations

import json
import sys

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
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pcplan rules", title_justify="left")
    for column in ("code", "name", "severity", "source", "what must hold"):
        table.add_column(column, overflow="fold")
    for code, r in sorted(RULES.items()):
        table.add_row(code, r.name, r.severity, r.source, r.summary)
    Console(highlight=False).print(table)


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
    """One rule as Markdown: used by `pcplan rule` and by the README's rule list."""
    parts = [f"{heading} {rule.code} {rule.name}\n",
             f"*{rule.severity}* · source: {rule.source}\n",
             f"{rule.summary}\n",
             f"**Why it matters.** {rule.why}\n",
             f"**How to fix.** {rule.fix}\n"]
    if rule.example:
        parts.append("```yaml\n" + rule.example + "\n```\n")
    return "\n".join(parts)
