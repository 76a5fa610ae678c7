"""An agency's pcplan.toml shapes the check: select/ignore, severity overrides, per-path ignores, exclude."""

from __future__ import annotations

from conftest import DANNY_PLAN, ELENA_PLAN


def configure(repo, rules_extra: str = "", top: str = "") -> None:
    text = repo.read("pcplan.toml")
    text = text.replace('locale = "en"\n', f'locale = "en"\n{top}')
    text = text.replace("ignore = []\n", f"ignore = []\n{rules_extra}")
    repo.write("pcplan.toml", text)


def break_both(repo) -> None:
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")  # L104 error + L105 warning
    repo.edit(DANNY_PLAN, "    goals: [G3]\n", "    goals: []\n")


def test_severity_override(repo):
    break_both(repo)
    configure(repo, 'severity = { L104 = "warning", L105 = "info" }\n')
    findings = repo.check()
    assert {(f.code, f.severity) for f in findings} == {("L104", "warning"), ("L105", "info")}


def test_per_path_ignores_with_globs(repo):
    break_both(repo)
    text = repo.read("pcplan.toml").replace('# "archive/**" = ["T201", "T208"]',
                                            '"members/M-0001*/**" = ["L104"]\n"**/plan-2026-05-*.yaml" = ["L105"]')
    repo.write("pcplan.toml", text)
    findings = repo.check()
    assert sorted((f.path, f.code) for f in findings) == [(ELENA_PLAN, "L105"), (DANNY_PLAN, "L104")]


def test_select_and_ignore_in_configuration(repo):
    break_both(repo)
    configure(repo)
    repo.write("pcplan.toml", repo.read("pcplan.toml").replace('select = ["ALL"]', 'select = ["L10"]')
               .replace("ignore = []", 'ignore = ["L105"]'))
    assert {f.code for f in repo.check()} == {"L104"}


def test_exclude_skips_paths(repo):
    break_both(repo)
    configure(repo, top='exclude = ["members/M-000207"]\n')
    assert {f.path for f in repo.check()} == {ELENA_PLAN}


def test_command_line_select_replaces_and_ignore_adds(repo):
    break_both(repo)
    configure(repo, 'severity = { L104 = "warning" }\n')
    assert {f.code for f in repo.check(select=("L105",))} == {"L105"}
    assert {f.code for f in repo.check(ignore=("L104",))} == {"L105"}
    assert {f.severity for f in repo.check(select=("L104",))} == {"warning"}  # the override still applies
