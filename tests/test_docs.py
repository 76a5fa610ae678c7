"""The README's rule list is generated from the registry, never written twice."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT


def test_readme_rule_list_is_up_to_date():
    result = subprocess.run([sys.executable, str(PROJECT / "tools" / "update_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_rule_has_an_explanation():
    from pcplan.rules import RULES

    for code, rule in RULES.items():
        assert rule.summary and rule.why and rule.fix, code
        assert rule.source, code
