"""The `pcplan` command: parses arguments and calls one function per command.

Heavy modules are imported inside the commands that use them, so `pcplan
--version` and `--help` start fast.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

app = typer.Typer(
    name="pcplan",
    help="Check, render and track person-centered case files kept as YAML in git.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

PANEL_CHECK = "Checking case files"
PANEL_RULES = "Rules and schemas"
PANEL_DOCUMENTS = "Documents for the member"


class CheckFormat(str, Enum):
    full = "full"
    concise = "concise"
    json = "json"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class RenderFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    md = "md"


class ListFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pcplan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print pcplan's version and exit."),
) -> None:
    """Check, render and track person-centered case files kept as YAML in git."""


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"pcplan: {message}", err=True)
    raise typer.Exit(code)


def _codes(values: Optional[List[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


@app.command(rich_help_panel=PANEL_CHECK)
def check(
    paths: List[Path] = typer.Argument(None, help="Files or folders to check (default: the current folder)."),
    output_format: Optional[CheckFormat] = typer.Option(
        None, "--output-format", "-f", envvar="PCPLAN_OUTPUT_FORMAT", case_sensitive=False,
        help="full (default in a terminal), concise (default otherwise) or json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    today: Optional[str] = typer.Option(None, "--today", help="Check as of this date (YYYY-MM-DD); "
                                        "default PCPLAN_TODAY, else the real date."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rule codes or prefixes "
                                               "(comma-separated; replaces the configuration's)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Also skip these rule codes or prefixes."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", case_sensitive=False,
                                   help="Exit 1 when a finding is at or above this severity."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the check ran."),
    statistics: bool = typer.Option(False, "--statistics", help="Count findings per rule instead of listing them."),
    no_source: bool = typer.Option(False, "--no-source", help="Do not quote case-file lines (automatic when CI is set)."),
    member_folders: bool = typer.Option(False, "--member-folders", help="Check and report the whole member folder "
                                        "of each file named (what the pre-commit hook does)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Report only findings not recorded in "
                                            "this baseline file."),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Record today's findings "
                                                  "in this file (keyed on member, file, code and data path) and exit 0."),
    force: bool = typer.Option(False, "--force", help="Let --write-baseline replace an existing file."),
    debug: bool = typer.Option(False, "--debug", help="Print tracebacks of internal errors."),
) -> None:
    """Validate case files and run every rule; exit 0 clean, 1 findings, 2 usage or internal error."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .engine import Options, UsageError, check as run_check
    from .findings import at_or_above
    from .report import ReportOptions, writer

    try:
        options = Options(today=resolve_today(today), select=_codes(select) if select else None,
                          ignore=_codes(ignore), debug=debug, member_folders=member_folders)
        result = run_check(list(paths or [Path(".")]), options)
    except (ConfigError, UsageError, DateError) as exc:
        _fail(str(exc))
        return

    from . import baseline as baselines
    from .output import OutputError, write_atomically

    if write_baseline is not None:
        try:
            write_atomically(write_baseline, lambda stream: baselines.write(stream, result.findings), overwrite=force)
        except OutputError as exc:
            _fail(str(exc))
        typer.echo(f"pcplan: wrote {len(result.findings)} finding(s) to the baseline {write_baseline}", err=True)
        raise typer.Exit(2 if result.internal_errors else 0)
    hidden = 0
    if baseline is not None:
        try:
            result.findings, hidden = baselines.subtract(result.findings, baselines.load(baseline))
        except baselines.BaselineError as exc:
            _fail(str(exc))

    to_terminal = output is None and sys.stdout.isatty()
    fmt = (output_format.value if output_format else ("full" if to_terminal else "concise"))
    report_options = ReportOptions(show_source=not no_source and not os.environ.get("CI"),
                                   statistics=statistics, color=None if to_terminal else False,
                                   baselined=hidden)
    write = writer(fmt)
    if output is None:
        write(result, sys.stdout, report_options)
    else:
        try:
            write_atomically(output, lambda stream: write(result, stream, report_options), overwrite=True)
        except OutputError as exc:
            _fail(str(exc))

    if result.internal_errors:
        raise typer.Exit(2)
    failing = any(not f.excepted and at_or_above(f.severity, fail_on.value) for f in result.findings)
    raise typer.Exit(0 if exit_zero or not failing else 1)


@app.command(rich_help_panel=PANEL_DOCUMENTS)
def render(
    path: Path = typer.Argument(..., help="A member folder (renders the plan in effect) or a plan file."),
    output_format: RenderFormat = typer.Option(RenderFormat.html, "--format", case_sensitive=False,
                                               help="html (print-ready, accessible), pdf or md."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="A file, or a folder for the default "
                                          "name (MEMBER-PLAN.LANG.EXT); default: the current folder."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language code (default: the member's preferred "
                                       "language; English when there is no translation)."),
    draft: bool = typer.Option(False, "--draft", help="Render even with error-level findings, with a DRAFT "
                               "watermark on every page."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
    today: Optional[str] = typer.Option(None, "--today", help="Check and date the plan as of this day "
                                        "(YYYY-MM-DD); default PCPLAN_TODAY, else the real date."),
) -> None:
    """Render a member's plan for the member to read: HTML, PDF or Markdown, in their language and format."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .output import OutputError
    from .render import RenderError, RenderRequest, render as render_plan

    try:
        rendered = render_plan(RenderRequest(target=path, fmt=output_format.value, output=output, lang=lang,
                                             draft=draft, force=force, today=resolve_today(today)))
    except RenderError as exc:
        for finding in exc.findings:
            typer.echo(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} [{finding.severity}] "
                       f"{finding.message}", err=True)
        _fail(str(exc), exc.exit_code)
        return
    except (ConfigError, DateError, OutputError) as exc:
        _fail(str(exc))
        return
    for notice in rendered.notices:
        typer.echo(f"pcplan: {notice}", err=True)
    typer.echo(str(rendered.path))


@app.command(rich_help_panel=PANEL_RULES)
def rules(
    output_format: ListFormat = typer.Option(ListFormat.text, "--output-format", "-f", case_sensitive=False,
                                             help="text or json."),
) -> None:
    """List every rule: code, name, default severity and source."""
    from .explain import print_rules

    print_rules(output_format.value)


@app.command(rich_help_panel=PANEL_RULES)
def rule(
    code: str = typer.Argument(..., help="A rule code, such as L101."),
    output_format: ListFormat = typer.Option(ListFormat.text, "--output-format", "-f", case_sensitive=False,
                                             help="text or json."),
) -> None:
    """Explain one rule: what it checks, why it matters, how to fix it, with an example."""
    from .explain import UnknownRule, print_rule

    try:
        print_rule(code, output_format.value)
    except UnknownRule as exc:
        _fail(str(exc))


@app.command(rich_help_panel=PANEL_RULES)
def fingerprint(
    plan: Path = typer.Argument(..., help="A plan file."),
) -> None:
    """Print the plan's content fingerprint (record it in a signature; C305 fires when the plan changes)."""
    from .fingerprint import fingerprint as content_fingerprint
    from .model import Document

    if not plan.is_file():
        _fail(f"{plan}: no such file")
    doc = Document.load(plan.resolve(), str(plan))
    blocking = [p for p in doc.problems if p.code in ("E001", "E002", "E003", "E005")]
    if blocking or doc.kind != "plan":
        reason = blocking[0].message if blocking else f"it is a {doc.kind or 'file of unknown kind'}, not a plan"
        _fail(f"{plan}: cannot fingerprint: {reason}")
    typer.echo(content_fingerprint(doc.data))


@app.command(rich_help_panel=PANEL_RULES)
def schema(
    kind: Optional[str] = typer.Argument(None, help="member, assessment, plan, note, closure or staff "
                                         "(default: all, as one JSON object keyed by kind)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write KIND.schema.json files into "
                                          "this folder instead of printing."),
    force: bool = typer.Option(False, "--force", help="Replace existing schema files in --output."),
) -> None:
    """Print or write the JSON Schemas of the case files, for editors and other tools."""
    import json

    from .output import OutputError, write_atomically
    from .schema import KINDS, schema_for

    kinds = KINDS if kind is None else (kind,)
    if kind is not None and kind not in KINDS:
        _fail(f"no schema for `{kind}`; kinds are {', '.join(KINDS)}")
    if output is None:
        document = schema_for(kind) if kind else {k: schema_for(k) for k in KINDS}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if not output.is_dir():
        _fail(f"{output}: no such folder")
    for name in kinds:
        text = json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"
        try:
            write_atomically(output / f"{name}.schema.json", lambda stream: stream.write(text), overwrite=force)
        except OutputError as exc:
            _fail(str(exc))
        typer.echo(str(output / f"{name}.schema.json"))


def main() -> None:
    app()
