"""One way through the house (issue 26): what is cached never depends on who is looking, and modules import
only downward.

1. A program name typed as words is member text: `report` shows it at a desk and hides it in CI
   (`(not an id)`). The hiding happens where the report is made, never in the member's summary, which
   the cache keeps; the cache's run key is built from one declared list of what shapes output.
2. The import graph of src/pcplan, read with ``ast`` (imports at the top and inside functions), has no
   cycle and never goes up a floor.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from conftest import TODAY, pcplan
from pcplan import cache as cache_module
from pcplan.engine import Options, check

MEMBER = "members/M-000123/member.yaml"
PROGRAM = "Home and community supports"  # typed as words where agency vocabulary (`HCBS-EBD`) belongs
REPORT = ("report", "--today", TODAY.isoformat(), "-f", "json")


def _programs(stdout: str) -> list:
    return [row["program"] for row in json.loads(stdout)["members"]["by_program"]]


# -- 1. the leak: hiding at output, the cache keyed on everything that shapes it ---------------------------------


def test_summaries_hold_the_program_as_typed_in_ci_too(repo, monkeypatch):
    """The summary is what the cache keeps: it holds the member's data, never what CI shows of it."""
    repo.edit(MEMBER, "  - program: HCBS-EBD\n", f"  - program: {PROGRAM}\n")
    monkeypatch.setenv("CI", "true")
    works = []
    check([repo.root], Options(today=TODAY, caseload=True), cwd=repo.root, on_member=works.append)
    programs = {p for work in works for p in work.summary.programs}
    as_typed = PROGRAM in programs and "(not an id)" not in programs
    assert as_typed, "a summary made in CI holds what CI shows, not the program as typed"


def test_report_in_ci_is_the_same_from_the_cache_as_without_it(repo):
    """After a run at a desk fills the cache, CI shows `(not an id)` from the cache as without it, and the
    desk still sees the name: each run's answer is what `--no-cache` gives, whichever ran before."""
    repo.edit(MEMBER, "  - program: HCBS-EBD\n", f"  - program: {PROGRAM}\n")
    desk = pcplan(repo.root, *REPORT)
    assert desk.returncode == 0 and PROGRAM in _programs(desk.stdout)
    for env in ({"CI": "true"}, {}, {"CI": "true"}, {}):
        cached = pcplan(repo.root, *REPORT, env=env)
        fresh = pcplan(repo.root, *REPORT, "--no-cache", env=env)
        same = cached.returncode == fresh.returncode == 0 and cached.stdout == fresh.stdout
        assert same, f"`report` with {env or 'no CI'} differs from the cache and without it"
        hidden = PROGRAM not in cached.stdout and "(not an id)" in _programs(cached.stdout)
        assert hidden if env else not hidden, f"`report` with {env or 'no CI'} shows the wrong program name"
    for entry in (repo.root / ".pcplan_cache").rglob("*"):
        if entry.is_file():
            kept = PROGRAM.encode() in entry.read_bytes()
            assert not kept, "a cache entry holds a program name typed as words"


def test_the_run_key_is_built_from_one_declared_list(monkeypatch):
    """Every input that shapes output is declared once (cache.OUTPUT_INPUTS), and the key follows each."""
    declared = {part.name for part in cache_module.OUTPUT_INPUTS}
    assert {"files", "staff", "config", "pcplan", "today", "selection", "enabled", "severity", "CI"} <= declared
    assert set(cache_module.RUN_PARTS) | set(cache_module.ENVIRONMENT) <= declared
    parts = {name: "x" for name in cache_module.RUN_PARTS}
    plain = cache_module.run_key(**parts)
    for name in cache_module.ENVIRONMENT:
        monkeypatch.setenv(name, "true")
        assert cache_module.run_key(**parts) != plain, name
        monkeypatch.delenv(name)
    assert cache_module.run_key(**parts) == plain


# -- 2. the floors: no cycle, no import up a floor, lazy or not -------------------------------------------------

SOURCE = Path(__file__).resolve().parents[1] / "src" / "pcplan"

# The house's floors, lowest first (ARCHITECTURE.md): a module imports from its own floor or a lower one, never
# from a higher one, at the top of the file or inside a function. A module is on the floor of the longest name
# listed that is it or a package holding it ("pcplan", the package's own __init__, matches itself only); a new
# module with no floor fails the test until it is given one.
FLOORS = (
    ("base", ("pcplan", "pcplan.baseline", "pcplan.codes", "pcplan.config", "pcplan.dates", "pcplan.findings",
              "pcplan.fingerprint", "pcplan.formats", "pcplan.layout", "pcplan.links", "pcplan.load",
              "pcplan.model", "pcplan.output", "pcplan.placeholders", "pcplan.resources", "pcplan.schema",
              "pcplan.shown", "pcplan.walk")),
    # Case facts: lifecycle, the plan a command acts on, status, obligations, the member's summary.
    ("facts", ("pcplan.facts",)),
    ("rules", ("pcplan.rules",)),
    # What a check produced (findings, counts, each member's work): what the formats read, below the engine.
    ("result", ("pcplan.result",)),
    # The run: walking, checking, documented exceptions, the cache and its entries.
    ("engine", ("pcplan.engine", "pcplan.exceptions", "pcplan.cache", "pcplan.cache_codec")),
    # What people see and do with a checked case: check's formats, due and report, render, FHIR, new and init,
    # the pre-commit hook, the language server, rule docs.
    ("rooms", ("pcplan.report", "pcplan.caseload", "pcplan.render", "pcplan.fhir", "pcplan.scaffold",
               "pcplan.precommit", "pcplan.lsp", "pcplan.explain", "pcplan.reconcile")),
    ("cli", ("pcplan.cli", "pcplan.clihelp", "pcplan.progress", "pcplan.__main__")),
)

# Exceptions to the layering, as (importer, imported): none. Kept as data so that a future one is written down
# where the next reader sees it (an entry no longer in the code fails, so the lists only shrink).
KNOWN_FROM_RULES: frozenset[tuple[str, str]] = frozenset()
KNOWN_CYCLE_EDGES: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of src/pcplan and the pcplan modules it imports anywhere in its file, relative imports
    resolved: ``from . import x`` names the module ``x`` when there is one, else the package."""
    files = {_module_name(path): path for path in SOURCE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                found.update(f"{target}.{alias.name}" if f"{target}.{alias.name}" in files else target
                             for alias in node.names)
        graph[name] = {target for target in found if target in files and target != name}
    return graph


def _floor(module: str) -> int | None:
    best, floor = -1, None
    for index, (_, names) in enumerate(FLOORS):
        for listed in names:
            if (module == listed or (listed != "pcplan" and module.startswith(listed + "."))) and len(listed) > best:
                best, floor = len(listed), index
    return floor


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_has_a_floor():
    assert [m for m in sorted(_imports()) if _floor(m) is None] == []


def test_no_module_imports_from_a_higher_floor():
    graph = _imports()
    upward = sorted((module, target, FLOORS[_floor(module)][0], FLOORS[_floor(target)][0])
                    for module, targets in graph.items() for target in targets
                    if _floor(module) is not None and _floor(target) is not None and _floor(target) > _floor(module)
                    and (module, target) not in KNOWN_FROM_RULES)
    assert upward == []


def test_the_import_graph_has_no_cycle():
    graph = _imports()
    allowed = KNOWN_FROM_RULES | KNOWN_CYCLE_EDGES
    assert _cycles({m: {t for t in targets if (m, t) not in allowed} for m, targets in graph.items()}) == []


def test_the_known_exceptions_are_still_in_the_code():
    """An entry fixed in the code leaves its list, so the lists only shrink."""
    graph = _imports()
    assert all(module.startswith("pcplan.rules") for module, _ in KNOWN_FROM_RULES)
    assert sorted(edge for edge in KNOWN_FROM_RULES | KNOWN_CYCLE_EDGES if edge[1] not in graph.get(edge[0], ())) == []
