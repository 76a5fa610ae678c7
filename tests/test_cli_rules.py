"""`pcplan rules` and `pcplan rule CODE`: the registry shown to people and programs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcplan.cli import app
from pcplan.rules import RULES

runner = CliRunner()

CATALOGUE = (  # noqa: SIM905 - the codes as DESIGN.md §3 lists them, one line per family
             "E001 E002 E003 E004 E005 E006 E007 L101 L102 L103 L104 L105 L106 L107 L108 L109 "
             "T201 T202 T203 T204 T205 T206 T207 T208 C301 C302 C303 C304 C305 C306 C307 "
             "P401 P402 P403 P404 P405 P406 P407 P408 P409 H501 H502 A601 A602 A603 A604 A605 A606 "
             "X701 X702 N801 E008 T209 T210 T211 T212 T213 X703 "
             # issue 13's additions (DESIGN.md §3)
             "L110 L111 L112 P410 P411 H503 C308 C309 C310 A607 "
             # issue 21's additions (a true record checks clean)
             "T214 N802 A608 A609").split()
# The U family judges services delivered and arrives with `pcplan reconcile` (issue 25): until that
# command exists, DESIGN.md's U rows are not expected to be registered; from then on they are binding.
DELIVERY_CODES = tuple(f"U{n}" for n in range(901, 909))
DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"
_DESIGN_ROW = re.compile(r"^\| ([A-Z][0-9]{3}) \| ([a-z0-9-]+) \| (error|warning|info) \|", re.M)


def test_rules_lists_every_registered_rule_plainly_when_piped():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert [row[0] for row in rows] == sorted(RULES)
    assert ["L101", "goal-without-need", "error", "ISED; 42 CFR 441.301(c)(2)"] in rows


def test_rules_json():
    document = json.loads(runner.invoke(app, ["rules", "--output-format", "json"]).output)
    assert {entry["code"] for entry in document} == set(RULES)
    assert set(document[0]) == {"code", "name", "severity", "source", "summary", "why", "fix", "example"}


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_explains_each_code(code):
    result = runner.invoke(app, ["rule", code.lower()])
    assert result.exit_code == 0
    text = result.output
    assert text.startswith(f"# {code} {RULES[code].name}\n")
    assert "**Why it matters.**" in text and "**How to fix.**" in text
    assert "\x1b[" not in text  # plain when piped


def test_every_catalogue_code_is_registered_with_an_example():
    missing = [code for code in CATALOGUE if code not in RULES]
    assert missing == [], f"not yet implemented: {missing}"
    for code in CATALOGUE:
        assert RULES[code].example, f"{code} has no example"
        assert re.search(r"\S", RULES[code].why), code


@pytest.mark.skipif(not DESIGN.is_file(), reason="../shared/DESIGN.md is absent (a lone clone of this repository)")
def test_rules_lists_every_code_of_design_with_its_name_and_default_severity():
    """DESIGN.md §3 is binding: every catalogue row is a registered rule with the same name and severity."""
    rows = _DESIGN_ROW.findall(DESIGN.read_text(encoding="utf-8"))
    if not _reconcile_exists():
        rows = [row for row in rows if row[0] not in DELIVERY_CODES]
    assert len(rows) >= len(CATALOGUE)
    listed = {line.split("\t")[0]: line.split("\t")[1:3] for line in runner.invoke(app, ["rules"]).output.splitlines()}
    assert {code: [name, severity] for code, name, severity in rows} == {
        code: listed.get(code) for code, _, _ in rows}
    assert {code for code, _, _ in rows} <= set(CATALOGUE) | set(DELIVERY_CODES)


def _reconcile_exists() -> bool:
    """Whether `pcplan reconcile` is a command yet (then the U rules of DESIGN.md §3 are binding)."""
    return runner.invoke(app, ["reconcile", "--help"]).exit_code == 0


def test_rule_json_and_unknown_code():
    assert json.loads(runner.invoke(app, ["rule", "L109", "-f", "json"]).output)["name"] == "support-unquantified"
    result = runner.invoke(app, ["rule", "Z999"])
    assert result.exit_code == 2 and "pcplan rules" in result.output
