"""One option, one name: -f/--output-format and -o/--output on every command that writes a format, the
format following the -o file's extension, and help that shows placeholders, never Python types."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import ELENA_PLAN
from pcplan.cli import app
from pcplan.formats import FormatError, Formats, choose

TODAY = ["--today", "2026-11-22"]
CHECK = Formats("check", ("full", "concise", "json", "sarif", "github", "junit"))
DUE = Formats("due", ("table", "json", "csv", "ics"))
RULE = Formats("rule", ("text", "json"), {".md": ("text",)})


def run(cwd: Path, *args: str, env: dict | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


# ---------------------------------------------------------------- the shared decision


@pytest.mark.parametrize("formats, asked, name, default, expected", [
    (CHECK, None, "findings.sarif", "concise", "sarif"),
    (CHECK, None, "findings.sarif.json", "concise", "sarif"),
    (CHECK, None, "findings.json", "concise", "json"),
    (CHECK, None, "FINDINGS.JSON", "concise", "json"),  # extensions are case-insensitive
    (CHECK, None, "junit.xml", "concise", "junit"),
    (CHECK, None, "findings.txt", "full", "concise"),  # .txt: the command's plain-text format
    (CHECK, "full", "findings.txt", "concise", "full"),
    (CHECK, "sarif", "findings.json", "concise", "sarif"),  # SARIF is JSON
    (CHECK, None, "findings.log", "concise", "concise"),  # an extension that names no format decides nothing
    (CHECK, "json", "findings.log", "concise", "json"),
    (CHECK, None, "findings", "github", "github"),
    (CHECK, "junit", None, "concise", "junit"),
    (DUE, None, "due.ics", "table", "ics"),
    (DUE, None, "due.csv", "table", "csv"),
    (DUE, None, "due.txt", "table", "table"),
    (RULE, None, "L101.md", "text", "text"),  # the command's own extension: its text is Markdown
])
def test_choose(formats, asked, name, default, expected):
    assert choose(formats, asked, Path(name) if name else None, default) == expected


@pytest.mark.parametrize("formats, asked, name, message", [
    (CHECK, "json", "out.xml", "out.xml: the file name says junit (.xml), but --output-format is json; change "
                               "the name or the format"),
    (CHECK, "json", "out.txt", "out.txt: the file name says concise, full or github (.txt), but --output-format "
                               "is json; change the name or the format"),
    (DUE, "json", "due.ics", "due.ics: the file name says ics (.ics), but --output-format is json; change the "
                             "name or the format"),
    (CHECK, None, "out.csv", "out.csv: `pcplan check` cannot write a .csv file; it writes full, concise, json, "
                             "sarif, github or junit (choose one with -f/--output-format)"),
])
def test_choose_refuses_a_contradiction(formats, asked, name, message):
    with pytest.raises(FormatError) as raised:
        choose(formats, asked, Path(name), "concise")
    assert str(raised.value) == message


def test_an_existing_folder_has_no_extension_to_follow(tmp_path):
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    assert choose(Formats("render", ("html", "pdf", "md")), None, folder, "html") == "html"


# ---------------------------------------------------------------- every command follows -o


@pytest.mark.parametrize("args, name, looks_like", [
    (["check", *TODAY], "findings.sarif", '"version": "2.1.0"'),
    (["check", *TODAY], "findings.xml", "<testsuites"),
    (["check", *TODAY], "findings.json", '"findings": []'),
    (["due", *TODAY, "--within", "all"], "due.ics", "BEGIN:VCALENDAR"),
    (["due", *TODAY, "--within", "all"], "due.csv", "due,overdue,days,kind,"),
    (["due", *TODAY, "--within", "all"], "due.json", '"obligations": ['),
    (["report", *TODAY], "caseload.json", '"members": '),
    (["report", *TODAY], "caseload.html", "<!DOCTYPE html>"),
    (["rules"], "rules.json", '"code": "A601"'),
    (["rule", "L101"], "L101.json", '"code": "L101"'),
    (["rule", "L101"], "L101.md", "# L101 goal-without-need"),
    (["render", "members/M-000123", *TODAY, "--lang", "en"], "plan.md", "# Elena's plan"),
])
def test_the_output_file_extension_picks_the_format(repo, args, name, looks_like):
    result = run(repo.root, *args, "-o", name)
    assert result.exit_code == 0, result.output
    assert looks_like in (repo.root / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("args, name, fmt", [
    (["check", *TODAY], "findings.sarif", "json"),
    (["due", *TODAY], "due.ics", "csv"),
    (["report", *TODAY], "caseload.html", "json"),
    (["rules"], "rules.json", "text"),
    (["rule", "L101"], "L101.json", "text"),
    (["render", "members/M-000123", *TODAY], "plan.pdf", "md"),
])
def test_an_extension_contradicting_the_format_is_exit_2_and_writes_nothing(repo, args, name, fmt):
    result = run(repo.root, *args, "-f", fmt, "-o", name)
    assert result.exit_code == 2
    said = name.rsplit(".", 1)[1]
    said = {"sarif": "sarif", "ics": "ics", "html": "html", "json": "json", "pdf": "pdf"}[said]
    assert result.stderr == (f"pcplan: {name}: the file name says {said} (.{name.rsplit('.', 1)[1]}), but "
                             f"--output-format is {fmt}; change the name or the format\n")
    assert not (repo.root / name).exists()


def test_an_unknown_extension_keeps_the_default_format(repo):
    repo.edit(ELENA_PLAN, "    goals: [G1]\n", "    goals: []\n")  # a finding, so concise has something to say
    assert run(repo.root, "due", *TODAY, "-o", "due.log").exit_code == 0
    table = run(repo.root, "due", *TODAY).stdout  # the table, as plain text (not a terminal)
    assert "2 obligations, 0 overdue" in table
    assert (repo.root / "due.log").read_text(encoding="utf-8") == table
    outside_ci = {"GITHUB_ACTIONS": None, "PCPLAN_OUTPUT_FORMAT": None}
    assert run(repo.root, "check", *TODAY, "-o", "findings.log", env=outside_ci).exit_code == 1
    concise = run(repo.root, "check", *TODAY, "-f", "concise", env=outside_ci).stdout
    assert "L104 [error]" in concise and (repo.root / "findings.log").read_text(encoding="utf-8") == concise


def test_a_format_from_the_environment_gives_way_to_the_file_name(repo):
    env = {"PCPLAN_OUTPUT_FORMAT": "json"}
    assert run(repo.root, "check", *TODAY, "-o", "findings.sarif", env=env).exit_code == 0
    assert json.loads((repo.root / "findings.sarif").read_text())["version"] == "2.1.0"
    assert run(repo.root, "check", *TODAY, "-o", "findings.log", env=env).exit_code == 0
    assert json.loads((repo.root / "findings.log").read_text())["version"] == 1


def test_rules_and_rule_output_never_overwrite_without_force(repo):
    (repo.root / "rules.json").write_text("mine\n", encoding="utf-8")
    result = run(repo.root, "rules", "-o", "rules.json")
    assert result.exit_code == 2 and "use --force" in result.stderr
    assert (repo.root / "rules.json").read_text() == "mine\n"
    assert run(repo.root, "rules", "-o", "rules.json", "--force").exit_code == 0
    assert isinstance(json.loads((repo.root / "rules.json").read_text()), list)

    result = run(repo.root, "rule", "X123", "-o", "X123.md")
    assert (result.exit_code, result.stderr) == (2, "pcplan: no rule `X123`; `pcplan rules` lists them\n")
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith((".X123", "X123"))) == []


def test_rules_to_a_file_is_what_a_pipe_gets(repo):
    assert run(repo.root, "rules", "-o", "rules.txt").exit_code == 0
    piped = run(repo.root, "rules").stdout
    assert (repo.root / "rules.txt").read_text(encoding="utf-8") == piped
    assert piped.splitlines()[0].split("\t")[0] == "A601" and "\x1b[" not in piped


# ---------------------------------------------------------------- render: -f, and --format for one release


def test_render_format_is_a_hidden_deprecated_alias(repo):
    result = run(repo.root, "render", "members/M-000123", *TODAY, "--lang", "en", "--format", "md", "-o", "a.md")
    assert result.exit_code == 0
    assert result.stderr == ("pcplan: --format is deprecated and will be removed in the next release; use "
                             "-f/--output-format\n")
    assert (repo.root / "a.md").read_text(encoding="utf-8").startswith("# Elena's plan")

    result = run(repo.root, "render", "members/M-000123", *TODAY, "--format", "md", "-f", "html")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("pcplan: --format md and --output-format html disagree; give only "
                                              "--output-format")
    assert "--format " not in run(repo.root, "render", "--help", env={"COLUMNS": "100"}).output


def test_render_f_is_the_documented_name(repo):
    result = run(repo.root, "render", "members/M-000123", *TODAY, "--lang", "en", "-f", "md")
    assert result.exit_code == 0 and result.stderr == ""
    assert Path(result.stdout.strip()).name == "M-000123-plan-2026-09-03.en.md"


# ---------------------------------------------------------------- schema --output DIR


def test_schema_output_creates_the_folder(tmp_path):
    target = tmp_path / "editor" / "schemas"
    result = run(tmp_path, "schema", "plan", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{target / 'plan.schema.json'}\n"
    assert json.loads((target / "plan.schema.json").read_text())["title"]


@pytest.mark.parametrize("name, message", [
    ("plan.schema.json", "plan.schema.json: --output takes a folder (schema writes one KIND.schema.json file per "
                         "kind); to save one schema as a file, use `pcplan schema KIND > plan.schema.json`"),
    ("notes.txt", "notes.txt: is a file; --output takes a folder (schema writes one KIND.schema.json file per "
                  "kind)"),
])
def test_schema_output_is_never_a_file(tmp_path, name, message):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run(tmp_path, "schema", "-o", name)
    assert (result.exit_code, result.stderr) == (2, f"pcplan: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_schema_output_writes_all_files_or_none(tmp_path):
    (tmp_path / "plan.schema.json").write_text("mine\n", encoding="utf-8")
    result = run(tmp_path, "schema", "-o", ".")
    assert result.exit_code == 2 and "plan.schema.json: exists; use --force" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.schema.json"]


# ---------------------------------------------------------------- fingerprint FOLDER


@pytest.fixture
def revised(repo):
    """Elena's plan revised on 2026-11-01: the plan in effect from then on."""
    text = repo.read(ELENA_PLAN).replace("id: P1\n", "id: P2\n", 1).replace("date: 2026-09-03\n", "date: 2026-11-01\n", 1)
    text = text.replace("type: initial\n", "type: revision\n", 1).replace("Elena's apartment", "the library")
    # signed and in effect from its own date (a copy signed in September would be in effect since then)
    text = text.replace("start: 2026-09-03", "start: 2026-11-01").replace("signed_on: 2026-09-03", "signed_on: 2026-11-01")
    repo.write("members/M-000123/plan-2026-11-01.yaml", text)
    return repo


def test_fingerprint_of_a_member_folder_is_its_plan_in_effect(revised):
    folder = run(revised.root, "fingerprint", "members/M-000123", *TODAY)
    newest = run(revised.root, "fingerprint", "members/M-000123/plan-2026-11-01.yaml")
    assert folder.exit_code == 0 and folder.stdout == newest.stdout
    assert re.fullmatch(r"sha256:[0-9a-f]{16}\n", folder.stdout)
    assert folder.stderr == ("pcplan: fingerprinting members/M-000123/plan-2026-11-01.yaml, the plan in effect on "
                             "2026-11-22\n")

    before = run(revised.root, "fingerprint", "members/M-000123", "--today", "2026-10-01")
    assert before.stdout == run(revised.root, "fingerprint", ELENA_PLAN).stdout != newest.stdout
    assert "plan-2026-09-03.yaml, the plan in effect on 2026-10-01" in before.stderr


@pytest.mark.parametrize("target, message", [
    ("members", "members: not a member folder (no member.yaml); name a plan file or a member's folder"),
    ("members/M-000999", "members/M-000999: no such file or folder"),
])
def test_fingerprint_of_a_folder_that_is_not_a_member(repo, target, message):
    result = run(repo.root, "fingerprint", target, *TODAY)
    assert (result.exit_code, result.stderr) == (2, f"pcplan: {message}\n")


def test_fingerprint_of_a_member_without_a_plan(repo):
    (repo.root / ELENA_PLAN).unlink()
    result = run(repo.root, "fingerprint", "members/M-000123", *TODAY)
    assert (result.exit_code, result.stderr) == (2, "pcplan: members/M-000123: this member has no plan to "
                                                    "fingerprint\n")


# ---------------------------------------------------------------- help: placeholders, never Python types

# typer's newer type column (<bool>, <list[Path]>, <int range>) and click's older one (TEXT, BOOLEAN, INTEGER)
PYTHON_TYPE = re.compile(r"(?i:<\s*(bool|str|int|float|path|list|tuple|dict|datetime|uuid|file)\b|list\[|"
                         r"<[a-z_]+ range>)|\b(TEXT|BOOLEAN|INTEGER|FLOAT|DIRECTORY|FILENAME)\b")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z]*(/[A-Z]+)?$")  # PATH, DATE, CODES, I/N


def _commands():
    group = typer.main.get_command(app)
    root = group.context_class(group, info_name="pcplan")
    yield pytest.param("pcplan", group, root, id="pcplan")
    for name, command in sorted(group.commands.items()):
        yield pytest.param(name, command, command.context_class(command, info_name=name, parent=root), id=name)


def _choices(param) -> tuple:
    """An enum option's choices, on click's `type` or (newer typer) its `type_descriptor`."""
    for holder in (getattr(param, "type", None), getattr(param, "type_descriptor", None)):
        if getattr(holder, "choices", None):
            return tuple(holder.choices)
    return ()


def _is_flag(param) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


@pytest.mark.parametrize("name, command, ctx", list(_commands()))
def test_every_parameter_shows_a_placeholder_and_every_flag_none(name, command, ctx):
    for param in command.get_params(ctx):
        label = f"{name} {param.opts[0]}"
        record = param.get_help_record(ctx)
        if param.hidden:
            assert record is None, label
            continue
        shown, help_text = record
        assert not PYTHON_TYPE.search(shown) and not PYTHON_TYPE.search(help_text), (label, shown)
        display = getattr(param, "display_type_rich", None)  # the type column of newer typer releases
        column = display(ctx) if display else None
        if _is_flag(param):
            names = set(re.split(r"\s*[,/;]\s*|\s+", shown.strip()))
            assert param.metavar is None and names == {*param.opts, *param.secondary_opts}, (label, shown)
            assert not column, (label, column)
            continue
        assert param.metavar and PLACEHOLDER.match(param.metavar), (label, param.metavar)
        if param.param_type_name == "option":
            assert shown.endswith(f" {param.metavar}"), (label, shown)
            assert column in (None, param.metavar), (label, column)
        elif display:  # (older typer's help for an argument is its rich table alone, checked below)
            assert shown.startswith(param.metavar) and not column, (label, shown, column)
        for choice in _choices(param):  # the placeholder hides the choices, so the help names each
            value = getattr(choice, "value", choice)
            assert re.search(rf"\b{re.escape(value)}\b", help_text), (label, value)


@pytest.mark.parametrize("columns", [60, 100])
@pytest.mark.parametrize("name", ["check", "render", "due", "report", "new", "init", "rules", "rule",
                                  "fingerprint", "schema", None])
def test_help_rendered_at_a_fixed_width_has_no_python_types(name, columns):
    result = CliRunner().invoke(app, [name, "--help"] if name else ["--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    assert not PYTHON_TYPE.search(result.output), result.output
    assert max(len(line) for line in result.output.splitlines()) <= columns


def test_help_rows_at_100_columns():
    output = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "100"}).output
    lines = [line.strip("│ ").rstrip() for line in output.splitlines()]
    assert "Usage: pcplan check [OPTIONS] [PATH]..." in lines
    assert any(re.fullmatch(r"--output-format\s+-f\s+FORMAT\s+full \(default in a terminal\).*", line)
               for line in lines), output
    assert any(re.fullmatch(r"--select\s+CODES\s+Only these rule codes.*", line) for line in lines), output
    assert any(re.fullmatch(r"--shard\s+I/N\s+Check only shard.*", line) for line in lines), output
    assert any(re.fullmatch(r"--exit-zero\s+Always exit 0 when the check ran\.", line) for line in lines), output
    assert any(re.fullmatch(r"PATH\s+Files or folders to check.*", line) for line in lines), output

    usage = {name: CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "100"}).output.split("\n\n")[0]
             for name in ("render", "new", "schema", "fingerprint")}
    assert [text.strip().splitlines()[0].strip() for text in usage.values()] == [
        "Usage: pcplan render [OPTIONS] PATH", "Usage: pcplan new [OPTIONS] KIND [PATH]",
        "Usage: pcplan schema [OPTIONS] [KIND]", "Usage: pcplan fingerprint [OPTIONS] PATH"]
