"""Regenerate docs/rules.md from the rule registry (the single source of every rule's text).

    python tools/update_docs.py          # rewrite docs/rules.md
    python tools/update_docs.py --check  # exit 1 if docs/rules.md is out of date (the tests do this)

`pcplan rules` and `pcplan rule CODE` print the same registry in the terminal,
so the page, the command and the code never disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

RULES_PAGE = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

INTRO = """\
# Rules

<!-- Generated from the rule registry by tools/update_docs.py: edit the rules' docstrings, not this file. -->

Schemas check the shape and types of each file; rules check what the files
mean together. Every rule names its source, and `pcplan rule CODE` prints the
same explanation in the terminal. The *default* severity can be changed per
agency in `pcplan.toml` (see [configuration](configuration.md)); a finding that
cannot be fixed is recorded as a documented exception (see
[checking](checking.md#when-a-rule-cannot-be-met-documented-exceptions)).

Families: **A** staff and assignments, **C** consent, signatures and copies,
**E** reading and validating files, **H** rights modifications, **L** links
between assessment and plan, **N** notes, **P** person-centered content,
**T** timeliness, **U** services delivered (judged by `pcplan reconcile` against
delivery files, see [reconcile](reconcile.md); `check` does not run them), **X** closure.
"""


def anchor(code: str, name: str) -> str:
    """The anchor GitHub gives the heading `### CODE name`."""
    return f"{code}-{name}".lower()


def rules_markdown() -> str:
    from pcplan.explain import rule_markdown
    from pcplan.rules import RULES

    rules = sorted(RULES.items())
    rows = ["| code | name | default | what must hold | source |", "|---|---|---|---|---|"]
    for code, rule in rules:
        rows.append(f"| [{code}](#{anchor(code, rule.name)}) | {rule.name} | {rule.severity} | {rule.summary} "
                    f"| {rule.source} |")
    details = "\n".join(rule_markdown(rule, heading="###") for _, rule in rules)
    return INTRO + "\n" + "\n".join(rows) + "\n\n## Every rule explained\n\n" + details


def main() -> int:
    new = rules_markdown()
    if "--check" in sys.argv:
        old = RULES_PAGE.read_text(encoding="utf-8") if RULES_PAGE.is_file() else ""
        if new != old:
            print("docs/rules.md is out of date with the rule registry: run python tools/update_docs.py",
                  file=sys.stderr)
            return 1
        return 0
    RULES_PAGE.parent.mkdir(exist_ok=True)
    RULES_PAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
