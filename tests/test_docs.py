"""The documentation stays true: the README's commands run, docs/rules.md is generated from the
registry, every link lands, and the configuration page names every key pcplan accepts."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

README = PROJECT / "README.md"
DOCS = PROJECT / "docs"

# The README's two commands, exactly as a newcomer copies them (.ci/run runs the second verbatim).
TRY_IT = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/pcplan check --today 2026-11-22 sample_cases"
RUN_TESTS = "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/python -m pytest"


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of the same level."""
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    level = heading.split(" ", 1)[0]
    match = re.search(rf"^{level} ", text[start:], flags=re.M)
    return text[start:start + match.start()] if match else text[start:]


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def outside_code(text: str) -> str:
    """The Markdown with fenced code blocks removed (a `# comment` in a shell block is not a heading)."""
    return re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.S | re.M)


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", outside_code(path.read_text(encoding="utf-8")), flags=re.M):
        found.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return found


def markdown_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


# --- the README ---------------------------------------------------------------------------------

def test_readme_keeps_its_two_commands_verbatim():
    text = README.read_text(encoding="utf-8")
    assert sh_blocks(section(text, "## Try it")) == [TRY_IT + "\n"]
    assert sh_blocks(section(text, "## Run the tests")) == [RUN_TESTS + "\n"]


def test_ci_runs_the_readme_test_command_verbatim():
    lines = (PROJECT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert RUN_TESTS in lines


def test_readme_is_a_front_door_not_a_manual():
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 30 * 1024
    headings = re.findall(r"^## (.+)$", outside_code(text), flags=re.M)
    order = ["Try it", "Run the tests", "Start your agency's repository", "Daily use", "CI and pre-commit"]
    assert [h for h in headings if h in order] == order
    assert "](docs/rules.md)" in text


def test_start_your_agencys_repository_runs_as_written(tmp_path):
    """Every command of the walkthrough, in order, in a fresh folder: only `check` finds work to do."""
    block = sh_blocks(section(README.read_text(encoding="utf-8"), "## Start your agency's repository"))[0]
    env = {**os.environ, "PCPLAN_TODAY": "2026-11-22", "COLUMNS": "100"}
    env.pop("CI", None)
    cwd, codes = tmp_path, []
    for line in block.splitlines():
        args = shlex.split(line, comments=True)
        if args[0] == "cd":
            cwd = cwd / args[1]
            continue
        assert args[0] == "pcplan", line
        result = subprocess.run([sys.executable, "-m", "pcplan", *args[1:]], cwd=cwd, env=env,
                                capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert "Traceback" not in result.stderr, (line, result.stderr)
        codes.append((args[1], result.returncode))
    assert codes == [("init", 0), ("new", 0), ("new", 0), ("new", 0), ("check", 1), ("render", 0), ("due", 0)]
    member = cwd / "members" / "M-000002"
    assert (member / "member.yaml").is_file()
    assert (member / "assessment-2026-11-22.yaml").is_file() and (member / "plan-2026-11-22.yaml").is_file()
    assert (cwd / "printed" / "M-000002-plan-2026-11-22.es.html").is_file()  # Ana's copy, in Spanish


# --- links --------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: p.name)
def test_every_relative_link_lands(page):
    text = outside_code(page.read_text(encoding="utf-8"))
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        destination = (page.parent / file).resolve() if file else page
        if not destination.exists() or PROJECT.resolve() not in destination.parents or anchor and anchor not in anchors(destination):
            broken.append(target)
    assert broken == []


def test_readme_links_every_page_in_docs():
    text = README.read_text(encoding="utf-8")
    assert [p.name for p in sorted(DOCS.glob("*.md")) if f"](docs/{p.name})" not in text] == []


# --- docs/rules.md ------------------------------------------------------------------------------

def test_rules_page_is_up_to_date():
    result = subprocess.run([sys.executable, str(PROJECT / "tools" / "update_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_rules_page_explains_every_rule_and_names_every_family():
    from pcplan.rules import RULES

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    page_anchors = anchors(DOCS / "rules.md")
    for code, rule in RULES.items():
        assert f"{code}-{rule.name}".lower() in page_anchors, code
        assert f"**{code[0]}**" in text, f"family {code[0]} is not described"


def test_every_rule_has_an_explanation():
    from pcplan.rules import RULES

    for code, rule in RULES.items():
        assert rule.summary and rule.why and rule.fix, code
        assert rule.source, code


# --- docs/configuration.md ----------------------------------------------------------------------

def test_configuration_page_names_every_key():
    from pcplan import config

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    keys = [*config._TOP, *config._RULES, "severity", "per-path-ignores", *config._SETTINGS]
    assert [key for key in keys if f"| `{key}` |" not in text] == []


def test_configuration_page_example_is_accepted(tmp_path):
    from pcplan.config import load_config
    from pcplan.rules import RULES

    example = re.search(r"```toml\n(.*?)```", (DOCS / "configuration.md").read_text(encoding="utf-8"), flags=re.S)
    (tmp_path / "pcplan.toml").write_text(example.group(1), encoding="utf-8")
    config = load_config(tmp_path, set(RULES))
    assert config.agency == "Riverside Case Management Agency" and config.severity == {"P408": "warning"}
