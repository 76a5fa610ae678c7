"""The rule registry: settings declared, `pcplan rule` naming them and the rule's file, renamed codes
redirected, one context per member folder, one module per code letter."""

from __future__ import annotations

import ast
import inspect
import json
import sys
import textwrap
import types
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ELENA_PLAN, PROJECT, SAMPLE_CASES, TODAY, run
from pcplan.engine import Options, check
from pcplan.facts.lifecycle import Lifecycle
from pcplan.rules import RULES, registry
from pcplan.rules.context import CaseContext, RepositoryContext

RULES_DIR = Path(registry.__file__).parent  # the rules that run: the source tree, or an installed copy in CI
DAY = ["--today", TODAY.isoformat()]
LETTERS = {"E": "structure", "L": "linkage", "T": "timeliness", "C": "consent", "P": "person", "H": "rights",
           "A": "staff", "X": "closure", "N": "notes", "U": "delivery"}


# --- one module per code letter, and where each rule is defined -------------------------------

def test_each_rule_lives_in_the_module_of_its_code_letter_at_the_line_pcplan_rule_names():
    for code, rule in RULES.items():
        path, line = rule.defined_in.rsplit(":", 1)
        assert path == f"src/pcplan/rules/{LETTERS[code[0]]}.py", code
        # `pcplan rule` names the file as it is in the repository; read the copy that runs
        source = (RULES_DIR / Path(path).name).read_text(encoding="utf-8").splitlines()
        assert source[int(line) - 1].startswith(f'@rule("{code}"'), code


# --- settings declared ------------------------------------------------------------------------

def _is_settings(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "settings") or \
        (isinstance(node, ast.Name) and node.id == "settings")


def settings_read(func, within: tuple[str, ...] = ("pcplan.rules.",)) -> tuple[set[str], list[str]]:
    """The settings a rule function reads (``….settings.NAME``) there and in every function of the modules
    ``within`` (the rule modules) it names, transitively; and where the settings are used whole (which no one
    could check)."""
    found: set[str] = set()
    whole: list[str] = []
    seen: set = set()
    stack = [func]
    while stack:
        function = stack.pop()
        if function in seen:
            continue
        seen.add(function)
        module = sys.modules[function.__module__]
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                node.decorator_list = []  # `@rule(…, settings=…)` declares; it does not read
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            parent = parents.get(node)
            if _is_settings(node):
                if isinstance(parent, ast.Attribute):  # `ctx.settings.NAME`
                    found.add(parent.attr)
                else:  # the settings handed on, or read by name (getattr): nothing could check what is read
                    whole.append(function.__qualname__)
            target = None
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                target = module.__dict__.get(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    isinstance(module.__dict__.get(node.value.id), types.ModuleType):
                target = getattr(module.__dict__[node.value.id], node.attr, None)
            if inspect.isfunction(target) and target.__module__.startswith(within) and \
                    target.__module__ not in ("pcplan.rules.registry", "pcplan.rules.context"):
                stack.append(target)
    return found, whole


def test_every_setting_a_rule_reads_is_declared_and_every_declared_one_is_read():
    """Read from the code: the rule's function and every rule-module function it names, transitively."""
    wrong = {}
    for code, rule in sorted(RULES.items()):
        found, whole = settings_read(rule.check)
        if whole or found != set(rule.settings):
            wrong[code] = (sorted(found), sorted(rule.settings), whole)
    assert wrong == {}


def _undeclared_read(case, ctx):  # what a rule must not do: read a setting through a helper, undeclared
    return _helper_reading(ctx)


def _helper_reading(ctx):
    return ctx.settings.notice_days


def _settings_whole(case, ctx):
    return vars(ctx.settings)


def test_the_settings_check_sees_a_read_through_a_helper_and_settings_used_whole():
    assert settings_read(_undeclared_read, within=(__name__,)) == ({"notice_days"}, [])
    assert settings_read(_settings_whole, within=(__name__,))[1] == ["_settings_whole"]


@pytest.fixture
def undeclared(monkeypatch) -> list[tuple[str, str]]:
    """While a rule runs, its context's settings refuse what it did not declare: (code, setting) is noted."""
    running: list = []
    noted: list[tuple[str, str]] = []

    class Guarded:
        def __init__(self, settings) -> None:
            self._settings = settings

        def __getattr__(self, name: str):
            if running and name not in running[-1].settings:
                noted.append((running[-1].code, name))
            return getattr(self._settings, name)

    guarded = property(lambda ctx: Guarded(ctx.config.settings))
    monkeypatch.setattr(CaseContext, "settings", guarded)
    monkeypatch.setattr(RepositoryContext, "settings", guarded)
    for code, rule in list(RULES.items()):
        def check_(*args, _rule=rule):
            running.append(_rule)
            try:
                yield from _rule.check(*args)
            finally:
                running.pop()

        monkeypatch.setitem(RULES, code, replace(rule, check=check_))
    return noted


def test_no_rule_reads_an_undeclared_setting_while_checking_the_sample_cases(undeclared):
    result = check([SAMPLE_CASES], Options(today=TODAY, jobs=1))
    assert result.members > 5 and result.internal_errors == 0
    assert undeclared == []


def test_a_rule_reading_an_undeclared_setting_is_noted(repo, monkeypatch, request):
    rule = RULES["L101"]

    def reads(case, ctx):
        ctx.settings.notice_days  # noqa: B018 - the read is the point
        yield from rule.check(case, ctx)

    monkeypatch.setitem(RULES, "L101", replace(rule, check=reads))
    undeclared = request.getfixturevalue("undeclared")  # guards the rule as replaced
    check([repo.root], Options(today=TODAY, jobs=1))
    assert set(undeclared) == {("L101", "notice_days")}


def test_registering_an_unknown_setting_or_a_misspelt_tuple_is_refused():
    with pytest.raises(ValueError, match="settings"):
        registry.rule("Z998", "z", "error", settings=("notice_dayz",))
    with pytest.raises(ValueError, match="settings"):
        registry.rule("Z998", "z", "error", settings="notice_days")  # a string, not a tuple of names
    assert "Z998" not in RULES


# --- `pcplan rule` lists settings, defaults and the defining file ------------------------------

def test_rule_lists_its_settings_with_defaults_and_its_file_and_line(repo):
    text = run(repo.root, "rule", "T214").output
    assert "**Settings** (`[settings]` in pcplan.toml): `hold_contact_days` (default `30`), `max_hold_days` " \
           "(default `90`), `history_months` (default `12`).\n" in text
    assert text.endswith(f"Defined in `{RULES['T214'].defined_in}`.\n")
    assert RULES["T214"].defined_in.startswith("src/pcplan/rules/timeliness.py:")
    assert "**Settings**" not in run(repo.root, "rule", "L101").output
    listed = run(repo.root, "rule", "P407").output
    assert '`deficit_terms` (default `["non-compliant", "noncompliant", "refuses"' in listed


def test_rule_json_lists_settings_and_where_it_is_defined(repo):
    document = json.loads(run(repo.root, "rule", "A604", "-f", "json").output)
    assert document["settings"] == [{"name": "required_trainings", "default": []},
                                    {"name": "training_deadline_days", "default": 120}]
    assert document["defined_in"] == RULES["A604"].defined_in
    assert json.loads(run(repo.root, "rule", "L101", "-f", "json").output)["settings"] == []


def test_the_rules_page_names_each_rules_settings_but_not_its_line():
    page = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "`review_interval_months` (default `12`)" in page
    assert "Defined in" not in page  # a line number would change the page with every edit above a rule


# --- renamed codes redirect ---------------------------------------------------------------------

@pytest.fixture
def renamed(monkeypatch, repo):
    """As if L109 had once been called L199: old configurations, exceptions and baselines say L199. SP1 has no
    frequency, an L109 finding."""
    monkeypatch.setitem(registry.REDIRECTS, "L199", "L109")
    repo.edit(ELENA_PLAN, "    unit: visit\n    frequency: weekly\n", "    unit: visit\n")
    return repo


def _l109(repo):
    return [f for f in repo.check() if f.code == "L109"]


def test_a_renamed_code_in_pcplan_toml_reads_as_its_new_code(renamed):
    toml = renamed.read("pcplan.toml")
    renamed.write("pcplan.toml", toml.replace('ignore = []\n# severity = { P408 = "warning" }\n',
                                              'ignore = []\nseverity = { L199 = "warning" }\n'))
    assert [f.severity for f in _l109(renamed)] == ["warning"]
    renamed.write("pcplan.toml", toml.replace("ignore = []\n", 'ignore = ["L199"]\n'))
    assert _l109(renamed) == []
    renamed.write("pcplan.toml", toml.replace('# "archive/**" = ["T201", "T208"]', '"members/**" = ["L199"]'))
    assert _l109(renamed) == []
    renamed.write("pcplan.toml", toml.replace('select = ["ALL"]', 'select = ["L199"]'))
    assert {f.code for f in renamed.check()} == {"L109"}
    result = run(renamed.root, "check", *DAY, "--exit-zero")
    assert result.exit_code == 0 and "L199" not in result.output + result.stderr  # no warning about it


def test_a_documented_exception_naming_a_renamed_code_still_covers_the_finding(renamed):
    renamed.edit(ELENA_PLAN, "exceptions: []\n", "exceptions:\n  - {rule: L199, about: SP1, reason: Documented "
                 "with the member., documented_by: cm-jlee, on: 2026-11-01}\n")
    findings = renamed.check()
    assert [f.excepted for f in findings if f.code == "L109"] == [True]
    assert "E008" not in {f.code for f in findings}


def test_a_baseline_naming_a_renamed_code_still_hides_the_finding(renamed, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run(renamed.root, "check", *DAY, "--write-baseline", str(baseline)).exit_code == 0
    document = json.loads(baseline.read_text(encoding="utf-8"))
    old = [entry for entry in document["findings"] if entry["code"] == "L109"]
    assert len(old) == 1
    old[0]["code"] = "L199"
    baseline.write_text(json.dumps(document), encoding="utf-8")
    result = run(renamed.root, "check", *DAY, "-f", "json", "--baseline", str(baseline))
    assert "L109" not in {f["code"] for f in json.loads(result.output)["findings"]}


def test_a_retired_code_is_never_registered_again(monkeypatch):
    monkeypatch.setitem(registry.REDIRECTS, "L199", "L109")
    with pytest.raises(ValueError, match="never reused"):
        registry.rule("L199", "a-new-rule", "error")
    assert "L199" not in RULES
    assert not set(registry.REDIRECTS) & set(RULES)  # the real table too


# --- one context per member folder --------------------------------------------------------------

def test_each_member_folder_gets_one_context_and_one_lifecycle(repo, monkeypatch):
    built: Counter = Counter()
    for_case, init = RepositoryContext.for_case, Lifecycle.__init__

    def counted_for_case(self, case):
        built["context"] += 1
        return for_case(self, case)

    def counted_init(self, *args, **kwargs):
        built["lifecycle"] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(RepositoryContext, "for_case", counted_for_case)
    monkeypatch.setattr(Lifecycle, "__init__", counted_init)
    result = check([repo.root], Options(today=TODAY, jobs=1))
    assert result.members == 3 and built == {"context": 3, "lifecycle": 3}


def test_rules_ask_their_context_for_the_lifecycle_and_keep_no_process_wide_memo():
    for path in sorted(RULES_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "lifecycle"]
        assert path.name == "context.py" or not calls, path
        imported = {alias.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for alias in n.names}
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "RecentAnswers" not in imported and "memo" not in modules, path


def test_a_renamed_code_on_the_command_line_reads_as_its_new_code(renamed):
    """`--select`/`--ignore` read codes through the redirects, as pcplan.toml does: no usage error, same rule."""
    selected = check([renamed.root], Options(today=TODAY, select=("L199",)), cwd=renamed.root)
    assert {f.code for f in selected.findings} == {"L109"}
    ignored = check([renamed.root], Options(today=TODAY, ignore=("L199",)), cwd=renamed.root)
    assert "L109" not in {f.code for f in ignored.findings}
    result = run(renamed.root, "check", *DAY, "-f", "json", "--select", "L199", "--exit-zero")
    assert result.exit_code == 0 and {f["code"] for f in json.loads(result.output)["findings"]} == {"L109"}


def test_the_lifecycle_is_computed_once_per_member_for_rules_exceptions_and_summary(repo, monkeypatch):
    """The rules, the documented exceptions and the summary `due`/`report` (and the cache) keep all read the
    one lifecycle of the member's CaseContext: no memo, no second computation."""
    built: Counter = Counter()
    init = Lifecycle.__init__

    def counted_init(self, *args, **kwargs):
        built["lifecycle"] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(Lifecycle, "__init__", counted_init)
    works = []
    result = check([repo.root], Options(today=TODAY, jobs=1, caseload=True), cwd=repo.root, on_member=works.append)
    assert result.members == len(works) == 3 and built == {"lifecycle": 3}
    assert all(work.summary is not None for work in works)
