"""The `pcplan` command: parses arguments and calls one function per command.

Heavy modules are imported inside the commands that use them, so `pcplan
--version` and `--help` start fast.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn, TextIO, cast

import typer

from . import __version__
from .clihelp import Command, Group
from .formats import FormatError, Formats, choose

if TYPE_CHECKING:
    from datetime import date

    from .caseload.report import Report
    from .report import ReportOptions
    from .result import CheckResult

app = typer.Typer(
    name="pcplan",
    cls=Group,
    help="Check, render and track person-centered case files kept as YAML in git.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion and --show-completion (bash, zsh, fish, PowerShell)
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

PANEL_CHECK = "Checking case files"
PANEL_RULES = "Rules and schemas"
PANEL_DOCUMENTS = "Documents for the member"
PANEL_CASELOAD = "Caseload"
PANEL_SCAFFOLD = "Starting records"


class CheckFormat(str, Enum):
    full = "full"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"


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


class BundleType(str, Enum):
    collection = "collection"
    transaction = "transaction"


def _formats(command: str, enum: type[Enum]) -> Formats:
    return Formats(command, tuple(member.value for member in enum))


CHECK_FORMATS = _formats("check", CheckFormat)
RENDER_FORMATS = _formats("render", RenderFormat)
RULES_FORMATS = _formats("rules", ListFormat)
RULE_FORMATS = Formats("rule", ("text", "json"), {".md": ("text",)})  # its text is Markdown


def _version(value: bool) -> None:
    if value:
        from .schema import VERSIONS  # the `version:` a case file may declare (the schemas' $id carry it: /v1/)

        plural = "s" if len(VERSIONS) > 1 else ""
        typer.echo(f"pcplan {__version__} (case file schema version{plural} {', '.join(map(str, VERSIONS))})")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print pcplan's version and the case file schema version it reads, and "
                                 "exit."),
) -> None:
    """Check, render and track person-centered case files kept as YAML in git."""


def _os_fault(exc: OSError) -> str:
    """An OSError as one line: the path it names and the reason (pcplan.output.describe)."""
    from .output import describe

    where = exc.filename if isinstance(exc.filename, (str, bytes)) else None
    return f"{os.fsdecode(where)}: {describe(exc)}" if where else describe(exc)


def _fail(message: str, code: int = 2) -> NoReturn:
    from .shown import visible

    typer.echo(f"pcplan: {visible(message)}", err=True)  # a path typed or found may hold control characters
    raise typer.Exit(code)


def _visible(value: object) -> str:
    """A path or word typed on the command line, as pcplan repeats it (control characters escaped)."""
    from .shown import visible

    return visible(value)


def _output_file(output: Path | None) -> Path | None:
    """The file ``-o`` names, or None for standard output: no ``-o``, or ``-o -`` (pcplan.output.is_stdout,
    the one test every command with -o/--output makes)."""
    from .output import is_stdout

    return None if is_stdout(output) else output


def _plural(count: int, noun: str) -> str:
    """``1 finding``, ``2 findings`` (pcplan.output.plural)."""
    from .output import plural

    return plural(count, noun)


def _shard(value: str) -> tuple[int, int]:
    """``"2/4"`` → (2, 4); a usage error otherwise."""
    from .engine import UsageError

    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise UsageError(f"--shard takes I/N such as 2/4, not {value!r}") from None
    if not 1 <= index <= count:
        raise UsageError(f"--shard {value}: I must be between 1 and N")
    return index, count


def _output_format(ctx: typer.Context, formats: Formats, value: Enum | None, output: Path | None,
                   default: str) -> str:
    """The format a command writes (`formats.choose`); exit 2 when -f and the -o file name disagree.

    A format from an environment variable (PCPLAN_OUTPUT_FORMAT) is a default: a file name
    that says otherwise (`-o findings.sarif`) wins over it.
    """
    asked: str | None = value.value if value is not None else None
    source = ctx.get_parameter_source("output_format")
    if asked is not None and source is not None and source.name == "ENVIRONMENT":
        default, asked = asked, None
    try:
        return choose(formats, asked, output, default)
    except FormatError as exc:
        _fail(str(exc))
        raise  # not reached: _fail exits


NO_CACHE_HELP = ("Neither read nor write the cache (.pcplan_cache/ at the repository root, or PCPLAN_CACHE_DIR) "
                 "that lets a re-check read only the member folders that changed.")


CASE_MANAGER_HELP = ("Only the members whose case manager is this staff id today (their assignment in member.yaml, "
                     "else the monitor their plan names).")


def _codes(values: list[str] | None, flag: str) -> tuple[str, ...]:
    """The rule codes or prefixes of ``--select``/``--ignore`` (comma-separated, any letter case, a rule's name
    read as its code); exit 2 naming the closest codes for one that is neither."""
    from .clihelp import did_you_mean, rule_code, rule_suggestions
    from .codes import REDIRECTS
    from .rules import RULES

    names = {code: rule.name for code, rule in RULES.items()}
    out: list[str] = []
    for value in (v.strip() for text in values or () for v in text.split(",")):
        if not value:
            continue
        code = rule_code(value, names) or value.upper()
        if code != "ALL" and code not in REDIRECTS and not any(known.startswith(code) for known in names):
            hint = did_you_mean(rule_suggestions(value, names))
            _fail(f"{flag} names `{value}`, which is not a pcplan rule code{hint}; `pcplan rules` lists them")
        out.append(code)
    return tuple(out)


@app.command(cls=Command, rich_help_panel=PANEL_CHECK)
def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, metavar="PATH", help="Files or folders to check (default: the "
                                       "current folder)."),
    output_format: CheckFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", envvar="PCPLAN_OUTPUT_FORMAT", case_sensitive=False,
        help="full (default in a terminal), concise (default otherwise), json, sarif, github (default "
             "under GitHub Actions) or junit; with --output, the file's extension picks it (.json, .sarif, "
             ".xml for junit, .txt for concise)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the report to this file (- for standard output)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="Check as of this date "
                                        "(YYYY-MM-DD); default PCPLAN_TODAY, else the real date."),
    select: list[str] | None = typer.Option(None, "--select", metavar="CODES", help="Only these rule codes "
                                               "or prefixes (comma-separated; replaces the configuration's)."),
    ignore: list[str] | None = typer.Option(None, "--ignore", metavar="CODES", help="Also skip these rule "
                                               "codes or prefixes (comma-separated)."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", metavar="SEVERITY", case_sensitive=False,
                                   help="Exit 1 when a finding is at or above this severity: error, warning "
                                   "or info."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the check ran."),
    statistics: bool = typer.Option(False, "--statistics", help="Count findings per rule instead of listing them."),
    no_source: bool = typer.Option(False, "--no-source", help="Do not quote case-file lines (automatic when CI is "
                                   "set)."),
    member_folders: bool = typer.Option(False, "--member-folders", help="The pre-commit hook's check of the changed "
                                        "files named: shows every finding of their member folders, but exits 1 only "
                                        "for findings located in the named files; a named staff.yaml, providers.yaml "
                                        "or pcplan.toml is checked against every member and exits 1 only for "
                                        "findings it introduces compared with git's HEAD."),
    shard: str | None = typer.Option(None, "--shard", metavar="I/N", help="Check only shard I of N of the "
                                        "member folders (a CI matrix); staff.yaml and loose files are in shard 1."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", metavar="N", min=1, help="Worker processes for "
                                       "member folders (default: the number of CPUs; 1 checks in this process)."),
    baseline: Path | None = typer.Option(None, "--baseline", metavar="FILE", help="Report only findings not "
                                            "recorded in this baseline file."),
    write_baseline: Path | None = typer.Option(None, "--write-baseline", metavar="FILE", help="Record today's "
                                                  "findings in this file (keyed on member, file, code and data "
                                                  "path) and exit 0."),
    force: bool = typer.Option(False, "--force", help="Let --output and --write-baseline replace an existing "
                               "file."),
    debug: bool = typer.Option(False, "--debug", help="Print tracebacks of internal errors."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
    case_manager: str | None = typer.Option(None, "--case-manager", metavar="ID", help=CASE_MANAGER_HELP),
) -> None:
    """Validate case files and run every rule; exit 0 clean, 1 findings, 2 usage or internal error."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .engine import Options, UsageError
    from .engine import check as run_check
    from .report import ReportOptions

    _debug_log(debug)
    output = _output_file(output)
    to_terminal = output is None and sys.stdout.isatty()
    fmt = _output_format(ctx, CHECK_FORMATS, output_format, output, _default_check_format(to_terminal))
    from .output import OutputError

    _check_targets((output, write_baseline), force)
    from . import baseline as baselines

    recorded = _read_baseline(baseline)
    try:
        options = Options(today=resolve_today(today), select=_codes(select, "--select") if select else None,
                          ignore=_codes(ignore, "--ignore"), debug=debug, member_folders=member_folders,
                          shard=_shard(shard) if shard else None, jobs=jobs or os.cpu_count() or 1,
                          record_checked=fmt == "junit", cache=not no_cache, case_manager=case_manager)
        notices: list[str] = []
        hook = None  # with --member-folders (the pre-commit hook): which findings block (pcplan.precommit)
        if member_folders:
            from .precommit import check_changed

            result, hook = check_changed(list(paths or [Path(".")]), options, fail_on.value, notices=notices)
        else:
            with _progress(fmt in ("full", "concise")) as progress:
                result = run_check(list(paths or [Path(".")]), options, notices=notices, progress=progress)
    except (ConfigError, UsageError, DateError) as exc:
        _fail(str(exc))
        return
    _notices(notices)

    from .output import write_atomically
    from .shown import visible

    if write_baseline is not None:
        try:
            write_atomically(write_baseline, lambda stream: baselines.write(stream, result.findings), overwrite=force)
        except OutputError as exc:
            _fail(str(exc))
        typer.echo(f"pcplan: wrote {_plural(len(result.findings), 'finding')} to the baseline "
                   f"{visible(write_baseline)}", err=True)
        raise typer.Exit(2 if _internal(result) else 0)
    hidden = 0
    if recorded is not None:
        result.findings, hidden = baselines.subtract(result.findings, recorded)
    blocking = hook.count(result.findings) if hook is not None else 0  # before writing: the summary says it

    report_options = ReportOptions(show_source=not no_source and not os.environ.get("CI"),
                                   statistics=statistics, color=None if to_terminal else False,
                                   baselined=hidden, hook=hook)
    _write_findings(result, fmt, output, force, report_options)

    if _internal(result):
        raise typer.Exit(2)
    failing = _failing(result, fail_on)
    if hook is not None:  # the pre-commit hook: only findings in the changed files, or that the change introduced
        failing = blocking > 0
    raise typer.Exit(0 if exit_zero or not failing else 1)


def _write_findings(result: CheckResult, fmt: str, output: Path | None, force: bool, options: ReportOptions) -> None:
    """`check`'s and `reconcile`'s findings in ``fmt``, to standard output or atomically to ``output``."""
    from .output import OutputError, write_atomically
    from .report import writer

    write = writer(fmt)
    if output is None:
        write(result, sys.stdout, options)
        return
    try:
        write_atomically(output, lambda stream: write(result, cast(TextIO, stream), options), overwrite=force)
    except OutputError as exc:
        _fail(str(exc))


def _failing(result: CheckResult, fail_on: FailOn) -> bool:
    """Whether a finding not excepted is at or above ``--fail-on``: from the counts the store keeps
    (pcplan.findings.Tally), no pass over a spilled store just for the exit code."""
    from .findings import at_or_above, tally

    return any(n and not excepted and at_or_above(severity, fail_on.value)
               for (severity, excepted), n in tally(result.findings).severities.items())


def _progress(human_format: bool) -> AbstractContextManager[Callable[[], None] | None]:
    """A progress line on stderr while member folders are checked (pcplan.progress: a terminal, a format for
    people, CI unset, a long run), or nothing."""
    from contextlib import nullcontext

    from .progress import MemberProgress, wanted

    return MemberProgress() if wanted(human_format) else nullcontext()


def _from_here(path: Path) -> str:
    """A path written, as the user standing here reads it: relative when it is below the current folder."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _default_check_format(to_terminal: bool) -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "full" if to_terminal else "concise"


def _check_targets(targets: tuple[Path | None, ...], force: bool) -> None:
    """Exit 2 when a file to write is in the way: before the work, not after it (never over a file without
    --force)."""
    from .output import OutputError, check_target

    try:
        for target in targets:
            if target is not None:
                check_target(target, force)
    except OutputError as exc:
        _fail(str(exc))


def _read_baseline(path: Path | None) -> Counter | None:
    """The baseline's records, read first: a bad baseline fails at once, not after a whole check."""
    from . import baseline as baselines

    if path is None:
        return None
    try:
        return baselines.load(path)
    except baselines.BaselineError as exc:
        _fail(str(exc))


def _notices(notices: list[str]) -> None:
    from .shown import visible

    for notice in dict.fromkeys(notices):  # once each, however many repositories said it
        typer.echo(f"pcplan: {visible(notice)}", err=True)


def _debug_log(debug: bool) -> None:
    """With --debug, tracebacks of internal errors while reading a file go to stderr (the logger "pcplan")."""
    import logging

    class Stderr(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            sys.stderr.write(self.format(record) + "\n")

    logger = logging.getLogger("pcplan")
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not any(type(h).__name__ == "Stderr" for h in logger.handlers):
        logger.addHandler(Stderr())


def _internal(result: CheckResult) -> bool:
    """An internal error happened: a rule raised, or reading a file did (an E000 finding)."""
    from .findings import tally

    return bool(result.internal_errors) or "E000" in tally(result.findings).rules


@app.command(cls=Command, rich_help_panel=PANEL_DOCUMENTS)
def render(
    ctx: typer.Context,
    path: Path = typer.Argument(..., metavar="PATH", help="A member folder (renders the plan in effect) or a "
                                "plan file."),
    output_format: RenderFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", case_sensitive=False,
        help="html (default; print-ready, accessible), pdf or md; with --output, the file's extension picks it."),
    legacy_format: RenderFormat | None = typer.Option(None, "--format", metavar="FORMAT", case_sensitive=False,
                                                         hidden=True, help="Deprecated: use --output-format."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="PATH", help="A file, a folder for the "
                                          "default name (MEMBER-PLAN.LANG.EXT), or - for standard output; "
                                          "default: printed/ at the repository root."),
    lang: str | None = typer.Option(None, "--lang", metavar="LANG", help="Language code (default: the "
                                       "member's preferred language; English when there is no translation)."),
    draft: bool = typer.Option(False, "--draft", help="Render even with error-level findings, with a DRAFT "
                               "watermark on every page."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="Check and date the plan as of "
                                        "this day (YYYY-MM-DD); default PCPLAN_TODAY, else the real date."),
    templates: Path | None = typer.Option(None, "--templates", metavar="DIR", help="An agency templates "
                                             "folder, used instead of pcplan.toml's `templates` (which must be "
                                             "inside the repository); this one may be anywhere."),
) -> None:
    """Render a member's plan for the member to read: HTML, PDF or Markdown, in their language and format."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .output import OutputError
    from .render import RenderError, RenderRequest
    from .render import render as render_plan
    from .shown import shown_path, visible

    if legacy_format is not None:  # the old name, kept for one release
        typer.echo("pcplan: --format is deprecated and will be removed in the next release; use "
                   "-f/--output-format", err=True)
        if output_format is not None and output_format != legacy_format:
            _fail(f"--format {legacy_format.value} and --output-format {output_format.value} disagree; "
                  "give only --output-format")
        output_format = output_format or legacy_format
    fmt = _output_format(ctx, RENDER_FORMATS, output_format, output, "html")
    try:
        rendered = render_plan(RenderRequest(target=path, fmt=fmt, output=output, lang=lang,
                                             draft=draft, force=force, today=resolve_today(today),
                                             templates=templates))
    except RenderError as exc:
        for finding in exc.findings:  # as `check -f concise` shows them (pcplan.shown)
            typer.echo(f"{shown_path(finding.path)}:{finding.line}:{finding.column}: {finding.code} "
                       f"[{finding.severity}] {visible(finding.message)}", err=True)
        _fail(str(exc), exc.exit_code)
        return
    except (ConfigError, DateError, OutputError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:  # a path the system refuses (a name too long): one line, never a traceback
        _fail(_os_fault(exc))
        return
    for notice in rendered.notices:
        typer.echo(f"pcplan: {visible(notice)}", err=True)
    if rendered.path is not None:  # None: the plan itself went to standard output (-o -)
        typer.echo(shown_path(_from_here(rendered.path)))


class DueFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


DUE_FORMATS = _formats("due", DueFormat)


@app.command(cls=Command, rich_help_panel=PANEL_CASELOAD)
def due(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), metavar="PATH", help="The repository (adds staff training "
                                "deadlines), a folder, or one member's folder (default: the current folder)."),
    within: str = typer.Option("30d", "--within", metavar="WINDOW", help="Show what is due within this window: N or Nd "
                               "(days), Nw (weeks), Nm (calendar months) or all. Overdue obligations are "
                               "always shown."),
    case_manager: str | None = typer.Option(None, "--case-manager", metavar="ID",
                                            help=CASE_MANAGER_HELP[:-1] + ", and this staff id's own training "
                                            "deadlines)."),
    output_format: DueFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", case_sensitive=False,
        help="table (default; plain text when not a terminal), json, csv or ics (an iCalendar file to subscribe "
        "to); with --output, the file's extension picks it."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to this file instead of stdout (- is stdout)."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file."),
    fail_on_overdue: bool = typer.Option(False, "--fail-on-overdue", help="Exit 1 when anything listed is overdue."),
    summary: bool = typer.Option(False, "--summary", help="One short block per case manager: the counts (overdue, "
                                 "due within the window) and the first 10 items, overdue first (table or json)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="As of this date (YYYY-MM-DD); "
                                        "default PCPLAN_TODAY, else the real date."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
) -> None:
    """What is due across the caseload: reviews, reassessments, targets, contacts, copies, training; overdue first."""
    from .caseload.due import DueError, DueOptions, collect, write
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .engine import UsageError
    from .output import OutputError, check_target, write_atomically

    output = _output_file(output)
    fmt = _output_format(ctx, DUE_FORMATS, output_format, output, "table")
    if summary and fmt not in ("table", "json"):
        _fail(f"--summary is for the table and json formats; {fmt} lists every obligation: leave out --summary")
    notices: list[str] = []
    try:
        if output is not None:
            check_target(output, force)  # before the work, not after it
        with _progress(fmt == "table") as progress:
            report = collect(path, DueOptions(today=resolve_today(today), within=within, case_manager=case_manager),
                             cache=not no_cache, jobs=os.cpu_count() or 1, notices=notices, progress=progress)
    except (ConfigError, DateError, DueError, OutputError, UsageError) as exc:
        _fail(str(exc))
        return
    _notices(notices)
    _unread(report.unread, "this list")
    if summary:  # a worklist per case manager
        from .caseload.worklists import write_summary as write
    if output is None:
        write(report, fmt, sys.stdout, color=None if sys.stdout.isatty() and fmt == "table" else False)
    else:
        try:
            write_atomically(output, lambda stream: write(report, fmt, cast(TextIO, stream), color=False),
                             overwrite=force)
        except OutputError as exc:
            _fail(str(exc))
        what = ("a summary of " if summary else "") + _plural(len(report.obligations), "obligation")
        typer.echo(f"pcplan: wrote {what}, {report.overdue} overdue, to {_visible(output)}", err=True)
    raise typer.Exit(1 if fail_on_overdue and report.overdue else 0)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"
    pdf = "pdf"
    csv = "csv"


REPORT_FORMATS = _formats("report", ReportFormat)


@app.command(cls=Command, rich_help_panel=PANEL_CASELOAD)
def report(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), metavar="PATH", help="The repository, a folder of member folders, "
                                "or one member's folder (default: the current folder)."),
    output_format: ReportFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", case_sensitive=False,
        help="table (default; plain text when not a terminal), json, html (one self-contained page with "
        "charts), pdf (that page printed; to a file, or piped) or csv (the quality measures and timeliness, a row "
        "per measure, month-end and group); with --output, the file's extension picks it."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to this file instead of stdout (- is stdout)."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="As of this date (YYYY-MM-DD); "
                                        "default PCPLAN_TODAY, else the real date."),
    no_cache: bool = typer.Option(False, "--no-cache", help=NO_CACHE_HELP),
    case_manager: str | None = typer.Option(None, "--case-manager", metavar="ID", help=CASE_MANAGER_HELP),
    months: int = typer.Option(12, "--months", metavar="N", min=0, max=36,
                               help="Trend the quality measures and timeliness over the last N month-ends "
                               "(0 to 36; default 12)."),
) -> None:
    """The supervisor's aggregate review: members, compliance, findings per rule and case manager, overdue work."""
    from .caseload.report import build_report, write_report
    from .caseload.report_pdf import PrintFailure
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .engine import UsageError
    from .output import OutputError, check_target, write_atomically
    from .render.templating import TemplateFailure

    to_terminal = output is None and sys.stdout.isatty()  # not `-o -`: standard output asked for by name
    output = _output_file(output)
    fmt = _output_format(ctx, REPORT_FORMATS, output_format, output, "table")
    if fmt == "pdf" and to_terminal:
        _fail("a PDF is not text and would garble the terminal; write it to a file with -o FILE (such as -o "
              "report.pdf) or pipe it (-o - writes it here anyway)")
    notices: list[str] = []
    try:
        if output is not None:
            check_target(output, force)  # before the work, not after it
        with _progress(fmt == "table") as progress:
            result = build_report(path, resolve_today(today), cache=not no_cache, jobs=os.cpu_count() or 1,
                                  notices=notices, case_manager=case_manager, progress=progress, months=months)
    except (ConfigError, DateError, OutputError, UsageError) as exc:
        _fail(str(exc))
        return
    _notices(notices)
    _unread([(entry["path"], entry["reason"]) for entry in result.data["unread"]], "this report")
    try:
        if fmt == "pdf":  # made whole first, then written as bytes (caseload.report_pdf)
            _report_pdf(result, output, force)
            if output is None:
                return
        elif output is None:
            if fmt == "html":  # rendered whole first: a refused template writes nothing
                sys.stdout.write(_rendered(lambda stream: write_report(result, fmt, stream)))
            else:
                write_report(result, fmt, sys.stdout, terminal=fmt == "table" and sys.stdout.isatty())
            return
        else:
            write_atomically(output, lambda stream: write_report(result, fmt, stream), overwrite=force)
    except TemplateFailure as exc:
        from .model import display_path
        from .shown import shown_path

        # named as render names a template (model.display_path), escaped like every path shown
        where = shown_path(display_path(exc.path, Path.cwd())) if exc.path else "a template"
        _fail(f"{where}{f':{exc.line}' if exc.line else ''}: {exc}")
    except (OutputError, PrintFailure) as exc:
        _fail(str(exc))
    typer.echo(f"pcplan: wrote the {fmt} report to {_visible(output)}", err=True)


def _report_pdf(report: Report, output: Path | None, force: bool) -> None:
    """The report printed (caseload.report_pdf), made whole, then written to ``output`` or standard output."""
    from .caseload.report_pdf import render_pdf
    from .output import to_stdout, write_atomically

    said: list[str] = []
    pdf = render_pdf(report, said)
    _notices(said)
    if output is None:
        to_stdout(pdf)
    else:
        write_atomically(output, lambda stream: stream.write(pdf), overwrite=force, binary=True)


def _unread(places: list[tuple[str, str]], what: str) -> None:
    """Say on stderr which places the walk could not read: the members below them are missing from ``what``
    (never silently; `pcplan check` reports each as E005)."""
    from .shown import shown_path, visible

    for path, reason in places:
        typer.echo(f"pcplan: {shown_path(path)}: {visible(reason)}; the members below it are not in {what}",
                   err=True)


def _rendered(produce: Callable[[IO[str]], None]) -> str:
    import io

    buffer = io.StringIO()
    produce(buffer)
    return buffer.getvalue()


@app.command(cls=Command, rich_help_panel=PANEL_SCAFFOLD)
def new(
    kind: str = typer.Argument(..., metavar="KIND", help="member, assessment, plan, note or closure (a new "
                               "file); hold, transfer, review or enrollment (an entry in member.yaml or the plan "
                               "in effect, shown as a diff and written with --write)."),
    path: Path | None = typer.Argument(None, metavar="PATH", help="assessment, plan, note, closure, hold, "
                                          "transfer, review, enrollment: the member folder (or a file in it), or "
                                          "the member's id; member: a folder of the repository (default: the "
                                          "current folder)."),
    member: str | None = typer.Option(None, "--member", metavar="ID", help="The member's id, instead of PATH."),
    from_previous: bool = typer.Option(False, "--from-previous", help="plan: a revision carrying the current "
                                       "plan's goals, supports, strategies, risk mitigations, setting and "
                                       "monitoring forward (signatures, copies and reviews start empty)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="The record's date (YYYY-MM-DD); "
                                        "default PCPLAN_TODAY, else the real date."),
    legal_name: str | None = typer.Option(None, "--legal-name", metavar="NAME", help="member: the legal name "
                                             "(asked in a terminal)."),
    preferred_name: str | None = typer.Option(None, "--preferred-name", metavar="NAME", help="member: the name "
                                                 "the member goes by (asked in a terminal)."),
    member_id: str | None = typer.Option(None, "--id", metavar="ID", help="member: the new id (default: the "
                                            "highest member id + 1, such as M-000302)."),
    language: str | None = typer.Option(None, "--language", metavar="LANG", help="member: preferred language "
                                           "code (en, es…)."),
    case_manager: str | None = typer.Option(None, "--case-manager", metavar="ID", help="member: the case "
                                               "manager's staff id (listed in staff.yaml), assigned today (asked "
                                               "in a terminal)."),
    program: str | None = typer.Option(None, "--program", metavar="PROGRAM", help="member: a program enrolled "
                                          "in today."),
    record_type: str | None = typer.Option(None, "--type", metavar="TYPE", help="assessment: initial, annual, "
                                              "change_in_condition or member_request; plan: initial, annual or "
                                              "revision (default: from the member's history)."),
    assessor: str | None = typer.Option(None, "--assessor", metavar="ID", help="assessment: staff id (default: "
                                           "the current case manager)."),
    assessment: str | None = typer.Option(None, "--assessment", metavar="ID", help="plan: the assessment it is "
                                             "based on (default: the latest)."),
    staff: str | None = typer.Option(None, "--staff", metavar="ID", help="note: who made the contact (default: "
                                        "the current case manager)."),
    contact: str | None = typer.Option(None, "--contact", metavar="CONTACT", help="note: face_to_face, video, "
                                          "phone, collateral or written (asked in a terminal)."),
    reason: str | None = typer.Option(None, "--reason", metavar="REASON", help="closure: goals_met, "
                                         "member_choice, moved, ineligible, transferred, deceased or lost_contact; "
                                         "hold, transfer: why, in words (asked in a terminal)."),
    write: bool = typer.Option(False, "--write", help="hold, transfer, review, enrollment: make the change shown "
                               "(without it, only the diff is printed)."),
    hold_kind: str | None = typer.Option(None, "--kind", metavar="KIND", help="hold: hospital, nursing_facility, "
                                            "incarceration, travel, member_request or other."),
    start: str | None = typer.Option(None, "--start", metavar="DATE", help="hold: its first day."),
    end: str | None = typer.Option(None, "--end", metavar="DATE", help="hold: its last day (alone: ends the "
                                      "open hold)."),
    to: str | None = typer.Option(None, "--to", metavar="STAFF", help="transfer: the new case manager."),
    from_: str | None = typer.Option(None, "--from", metavar="DATE", help="transfer: the new assignment's first "
                                        "day (the current one ends the day before)."),
    chosen_by_member: bool | None = typer.Option(None, "--chosen-by-member/--not-chosen-by-member",
                                                 help="transfer: whether the member chose the new case manager "
                                                 "(default: not chosen; asked in a terminal)."),
    preferences: str | None = typer.Option(None, "--preferences", metavar="WORDS", help="transfer: what the member "
                                              "asks for in a case manager."),
    preferences_met: bool | None = typer.Option(None, "--preferences-met/--preferences-not-met",
                                                help="transfer: whether the new case manager meets the member's "
                                                "standing preferences (C309)."),
    preference_unmet_reason: str | None = typer.Option(None, "--preference-unmet-reason", metavar="WORDS",
                                                          help="transfer: why the member's preferences could not "
                                                          "be met (C309)."),
    assigned_by: str | None = typer.Option(None, "--assigned-by", metavar="STAFF", help="transfer: who made the "
                                              "assignment."),
    on: str | None = typer.Option(None, "--date", metavar="DATE", help="review: the day it was held; "
                                     "enrollment: the day the member was enrolled."),
    by: str | None = typer.Option(None, "--by", metavar="STAFF", help="review: who held it; hold: who records it "
                                     "(default: the case manager)."),
    member_view: str | None = typer.Option(None, "--member-view", metavar="WORDS", help="review: how the member "
                                              "says the plan is working, in their words."),
    summary: str | None = typer.Option(None, "--summary", metavar="WORDS", help="review: a short summary."),
    outcome: str | None = typer.Option(None, "--outcome", metavar="OUTCOME", help="review: continue, revise, "
                                          "new_plan or close."),
    referral_source: str | None = typer.Option(None, "--referral-source", metavar="WORDS", help="enrollment: who "
                                                  "referred the member."),
    determined_on: str | None = typer.Option(None, "--determined-on", metavar="DATE", help="enrollment: when "
                                                "eligibility was determined."),
    determined_by: str | None = typer.Option(None, "--determined-by", metavar="WHO", help="enrollment: who "
                                                "determined eligibility (a staff id or the outside body)."),
    basis: str | None = typer.Option(None, "--basis", metavar="WORDS", help="enrollment: why the member is "
                                        "eligible."),
) -> None:
    """Start a case file with the next id, today's date and the right references; never overwrites. Or record a
    hold, a transfer, a review or an enrollment in an existing file: shown as a diff, written with --write."""
    from .dates import DateError, resolve_today
    from .scaffold import ScaffoldError
    from .scaffold.entries import KINDS as ENTRY_KINDS
    from .scaffold.entries import misplaced
    from .scaffold.new import OPTIONS, NewRequest, asker, new_file, shown

    values = {"legal_name": legal_name, "preferred_name": preferred_name, "id": member_id, "language": language,
              "case_manager": case_manager, "program": program, "type": record_type, "assessor": assessor,
              "assessment": assessment, "staff": staff, "contact": contact, "reason": reason}
    entry_values = {"kind": hold_kind, "start": start, "end": end, "to": to, "from": from_,
                    "chosen_by_member": chosen_by_member, "preferences": preferences,
                    "preferences_met": preferences_met, "preference_unmet_reason": preference_unmet_reason,
                    "assigned_by": assigned_by, "date": on, "by": by, "member_view": member_view,
                    "summary": summary, "outcome": outcome, "referral_source": referral_source,
                    "determined_on": determined_on, "determined_by": determined_by, "basis": basis}
    try:
        if kind in ENTRY_KINDS:
            _new_entry(kind, resolve_today(today), path, member, {**values, **entry_values}, write, from_previous)
            return
        if kind not in OPTIONS:
            _fail(f"cannot make a `{kind}`; pcplan new makes {', '.join(OPTIONS)} (a new file) and records "
                  f"{', '.join(ENTRY_KINDS)} (an entry in an existing file)")
        problem = misplaced(kind, {**values, **entry_values}, OPTIONS)
        if problem or write:
            _fail(problem or "--write is for `pcplan new hold / transfer / review / enrollment` (a new file is "
                  "always written)")
        request = NewRequest(kind=kind, today=resolve_today(today), target=path, member=member,
                             from_previous=from_previous, values=values)
        written = new_file(request, asker(sys.stdin.isatty()))
    except (DateError, ScaffoldError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:  # a path the system refuses (a name too long): one line, never a traceback
        _fail(_os_fault(exc))
        return
    typer.echo(shown(written))


def _new_entry(kind: str, today: date, path: Path | None, member: str | None, values: dict, write: bool,
               from_previous: bool) -> None:
    """`pcplan new hold|transfer|review|enrollment`: the diff on stdout, what is left to do on stderr, and the
    change written only with --write."""
    from .scaffold import ScaffoldError, entries
    from .scaffold.entries import EntryRequest, misplaced, propose, unified_diff
    from .scaffold.entries import write as write_entry
    from .scaffold.new import OPTIONS, asker, shown

    problem = misplaced(kind, values, OPTIONS) or ("--from-previous is for `pcplan new plan`" if from_previous
                                                   else None)
    if problem:
        raise ScaffoldError(problem)
    interactive = entries.in_terminal()
    request = EntryRequest(kind=kind, today=today, target=path, member=member,
                           values={k: v for k, v in values.items() if v is not None}, interactive=interactive)
    proposal = propose(request, asker(interactive))
    typer.echo(unified_diff(proposal), nl=False)
    for hint in proposal.hints:
        typer.echo(f"pcplan: {hint}", err=True)
    if not write:
        typer.echo(f"pcplan: nothing written; run again with --write to change {shown(proposal.path)}", err=True)
        return
    write_entry(proposal)
    typer.echo(f"pcplan: wrote {shown(proposal.path)}", err=True)


@app.command(cls=Command, rich_help_panel=PANEL_SCAFFOLD)
def init(
    directory: Path = typer.Argument(Path("."), metavar="DIR", help="Where to create the repository (default: "
                                     "the current folder; created if missing)."),
    force: bool = typer.Option(False, "--force", help="Add the missing files to a folder that is not empty; "
                               "existing files are kept, never replaced (a .gitignore that does not ignore "
                               "printed/ gains that one line)."),
    agency: str | None = typer.Option(None, "--agency", metavar="NAME", help="The agency's name (pcplan.toml, "
                                         "staff.yaml, README)."),
    no_sample: bool = typer.Option(False, "--no-sample", help="Leave out the fictional sample member."),
    no_git: bool = typer.Option(False, "--no-git", help="Do not run `git init` (by default it runs when DIR is "
                                "not in a git repository yet)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="Date the sample member and staff "
                                        "from this day (YYYY-MM-DD); default PCPLAN_TODAY, else the real date."),
) -> None:
    """Create a case repository: pcplan.toml, staff.yaml, a sample member, schemas, editor, pre-commit and CI (with
    the pcplan wheel it installs), a .gitignore for printed plans; `git init` when DIR is not in a git repository;
    then the next commands to run."""
    from .dates import DateError, resolve_today
    from .scaffold import ScaffoldError
    from .scaffold.init import InitRequest, init_repository
    from .scaffold.new import shown

    try:
        result = init_repository(InitRequest(directory=directory, today=resolve_today(today), force=force,
                                             agency=agency, sample=not no_sample, git=not no_git))
    except (DateError, ScaffoldError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:  # a path the system refuses (a name too long): one line, never a traceback
        _fail(_os_fault(exc))
        return
    for written in result.written:
        typer.echo(shown(written))
    for kept in result.skipped:
        typer.echo(f"pcplan: kept {shown(kept)} (it exists; init never replaces a file)", err=True)
    for note in result.notes:
        typer.echo(f"pcplan: {note}", err=True)
    typer.echo("Next steps:", err=True)
    for command in result.next_commands:
        typer.echo(f"  {command}", err=True)


@app.command(cls=Command, rich_help_panel=PANEL_RULES)
def rules(
    ctx: typer.Context,
    output_format: ListFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", case_sensitive=False,
        help="text (default) or json; with --output, the file's extension picks it (.json, .txt)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to this file instead of stdout (- is stdout)."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file."),
) -> None:
    """List every rule: code, name, default severity and source."""
    from .explain import print_rules

    output = _output_file(output)
    fmt = _output_format(ctx, RULES_FORMATS, output_format, output, "text")
    if output is None:
        print_rules(fmt)
        return
    _write_printed(output, force, lambda: print_rules(fmt))
    typer.echo(f"pcplan: wrote the rule list ({fmt}) to {_visible(output)}", err=True)


@app.command(cls=Command, rich_help_panel=PANEL_RULES)
def rule(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="A rule code, such as L101."),
    output_format: ListFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", case_sensitive=False,
        help="text (default; Markdown when not a terminal) or json; with --output, the file's extension picks it "
        "(.json, .md, .txt)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write to this file instead of stdout (- is stdout)."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file."),
) -> None:
    """Explain one rule: what it checks, why it matters, how to fix it, with an example."""
    from .explain import UnknownRule, print_rule

    output = _output_file(output)
    fmt = _output_format(ctx, RULE_FORMATS, output_format, output, "text")
    code = _rule_named(code)
    try:
        if output is None:
            print_rule(code, fmt)
            return
        _write_printed(output, force, lambda: print_rule(code, fmt))
    except UnknownRule as exc:
        _fail(str(exc))
    typer.echo(f"pcplan: wrote rule {_visible(code.strip().upper())} ({fmt}) to {_visible(output)}", err=True)


def _rule_named(typed: str) -> str:
    """The rule code ``pcplan rule`` was given: a code in any letter case, or a rule's name; exit 2 with the
    closest codes otherwise (``no rule `L1O1` (did you mean `L101`?)``)."""
    from .clihelp import did_you_mean, rule_code, rule_suggestions
    from .rules import RULES

    names = {code: rule.name for code, rule in RULES.items()}
    code = rule_code(typed, names)
    if code is None:
        _fail(f"no rule `{typed}`{did_you_mean(rule_suggestions(typed, names))}; `pcplan rules` lists them")
    return code


def _write_printed(output: Path, force: bool, show: Callable[[], None]) -> None:
    """Write to ``output`` what ``show()`` prints, as it prints it to a pipe (no colour, no table borders)."""
    from contextlib import redirect_stdout

    from .output import OutputError, write_atomically

    def produce(stream: IO[str]) -> None:
        with redirect_stdout(stream):
            show()

    try:
        write_atomically(output, produce, overwrite=force)
    except OutputError as exc:
        _fail(str(exc))


@app.command(cls=Command, rich_help_panel=PANEL_RULES)
def fingerprint(
    path: Path = typer.Argument(..., metavar="PATH", help="A plan file, or a member folder (its plan in effect)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="For a member folder: the plan in "
                                        "effect on this date (YYYY-MM-DD); default PCPLAN_TODAY, else the real "
                                        "date."),
) -> None:
    """Print the plan's content fingerprint (record it in a signature; C305 fires when the plan changes)."""
    from .dates import DateError, resolve_today
    from .fingerprint import fingerprint as content_fingerprint
    from .model import Document, display_path
    from .shown import shown_path

    plan = path
    if path.is_dir():
        try:
            day = resolve_today(today)
        except DateError as exc:
            _fail(str(exc))
            return
        plan, what = _plan_in_effect(path, day)
        # stdout stays the fingerprint alone (scripts read it); which file it is goes to stderr
        typer.echo(f"pcplan: fingerprinting {shown_path(display_path(plan, Path.cwd()))}, {what} on "
                   f"{day.isoformat()}", err=True)
    elif not path.is_file():
        _fail(f"{path}: no such file or folder")
    doc = Document.load(plan.resolve(), str(plan))
    blocking = [p for p in doc.problems if p.code in ("E001", "E002", "E003", "E005")]
    if blocking or doc.kind != "plan":
        reason = f"{blocking[0].code}: {blocking[0].message}" if blocking else \
            f"it is a {doc.kind or 'file of unknown kind'}, not a plan"
        _fail(f"{shown_path(display_path(plan.resolve(), Path.cwd()))}: cannot fingerprint: {reason}")
    typer.echo(content_fingerprint(doc.data))


def _plan_in_effect(folder: Path, day: date) -> tuple[Path, str]:
    """The plan in effect in a member folder on ``day`` (else the draft awaiting signature); exit 2 when none."""
    from .config import ConfigError, find_root, load_config
    from .facts.acting import TO_SIGN, acts_on
    from .facts.lifecycle import lifecycle
    from .model import load_case
    from .rules import RULES
    from .walk import is_member_folder

    target = folder.resolve()
    if not is_member_folder(target):
        _fail(f"{folder}: not a member folder (no member.yaml); name a plan file or a member's folder")
    root = find_root(target)
    try:
        config = load_config(root, set(RULES))
    except ConfigError as exc:
        _fail(str(exc))
    case = load_case(target, root, config, Path.cwd())
    life = lifecycle(case, day)
    record = acts_on(case, day, prefer=TO_SIGN, life=life)  # none in effect: the draft to sign
    if record is None:
        _fail(f"{folder}: this member has no plan to fingerprint")
    return record.plan.path, ("the plan in effect" if record is life.in_effect() else "the draft awaiting signature")


@app.command(cls=Command, rich_help_panel=PANEL_RULES)
def schema(
    kind: str | None = typer.Argument(None, metavar="KIND", help="member, assessment, plan, note, closure or "
                                         "staff (default: all, as one JSON object keyed by kind)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="DIR", help="Write KIND.schema.json "
                                          "files into this folder (created if missing) instead of printing (- "
                                          "prints)."),
    force: bool = typer.Option(False, "--force", help="Replace existing schema files in --output."),
) -> None:
    """Print or write the JSON Schemas of the case files, for editors and other tools."""
    import json

    from .output import OutputError, check_target, write_atomically
    from .schema import KINDS, schema_for

    output = _output_file(output)
    kinds = KINDS if kind is None else (kind,)
    if kind is not None and kind not in KINDS:
        _fail(f"no schema for `{kind}`; kinds are {', '.join(KINDS)}")
    if output is None:
        document = schema_for(kind) if kind else {k: schema_for(k) for k in KINDS}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    _schema_folder(output)
    targets = [output / f"{name}.schema.json" for name in kinds]
    try:
        for target in targets:  # every name checked before any is written: all files or none
            check_target(target, force)
    except OutputError as exc:
        _fail(str(exc))
    for name, target in zip(kinds, targets, strict=True):
        text = json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"
        try:
            write_atomically(target, _writes(text), overwrite=force)
        except OutputError as exc:
            _fail(str(exc))
        typer.echo(str(target))


def _writes(text: str) -> Callable[[IO[str]], object]:
    """What write_atomically calls to write ``text`` (bound here, not to a loop's variable)."""
    return lambda stream: stream.write(text)


def _schema_folder(output: Path) -> None:
    """Make sure ``schema --output`` names a folder, creating it; it writes several files, so never a file name."""
    from .output import OutputError, make_folders, refuse_git

    try:
        refuse_git(output)
    except OutputError as exc:
        _fail(str(exc))
    if os.path.isdir(output):
        return
    if os.path.islink(output):  # a link that leads nowhere: never followed to make a folder where it points
        _fail(f"{output}: is a symbolic link that leads to no folder; pcplan never writes through one")
    if os.path.lexists(output):
        _fail(f"{output}: is a file; --output takes a folder (schema writes one KIND.schema.json file per kind)")
    if output.suffix.lower() == ".json":
        _fail(f"{output}: --output takes a folder (schema writes one KIND.schema.json file per kind); to save one "
              f"schema as a file, use `pcplan schema KIND > {output.name}`")
    try:
        make_folders(output)  # never through a link a repository holds that leads out of it
    except OutputError as exc:
        _fail(str(exc))


PANEL_EXCHANGE = "Exchange with other systems"
export_app = typer.Typer(
    name="export", cls=Group, no_args_is_help=True, add_completion=False,
    help="Export member records for exchange with other systems (HL7 FHIR R4, the eLTSS guide).")
app.add_typer(export_app, name="export", rich_help_panel=PANEL_EXCHANGE)


@export_app.command("fhir", cls=Command)
def export_fhir(
    path: Path | None = typer.Argument(None, metavar="PATH", help="A member folder, or a folder (the repository) "
                                       "whose member folders are all exported, one Bundle each."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="PATH", help="Where the Bundles go "
                                         "(required: the export carries member text): a FILE for one member, a "
                                         "DIR/ for one MEMBER.fhir.json per member, a .ndjson file for one "
                                         "Bundle a line, or - for standard output."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files."),
    allow_errors: bool = typer.Option(False, "--allow-errors", help="Export member folders that have "
                                      "error-level findings too (they are listed on stderr either way)."),
    allow_incomplete: bool = typer.Option(False, "--allow-incomplete", help="Export member folders whose paid "
                                          "supports lack a service code too (not conformant: the eLTSS "
                                          "ServiceRequest wants its HCPCS code; listed on stderr either way)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="Plan states and episodes as of "
                                        "this date (YYYY-MM-DD); default PCPLAN_TODAY, else the real date."),
    bundle: BundleType = typer.Option(BundleType.collection, "--bundle", metavar="TYPE", case_sensitive=False,
                                      help="collection (the guide's exchange), or transaction: PUT Type/id entries "
                                      "a FHIR server's transaction endpoint takes, safe to repeat."),
    max_entries: int = typer.Option(500, "--max-entries", metavar="N", min=1, help="Split a transaction Bundle "
                                    "past N entries (MEMBER.2.fhir.json...); POST the parts in order."),
    definitions: Path | None = typer.Option(None, "--definitions", metavar="DIR", help="Write pcplan's FHIR "
                                            "definitions (StructureDefinitions, CodeSystems: a FHIR package) to DIR; "
                                            "PATH may then be left out."),
) -> None:
    """Each member's plans as an HL7 FHIR R4 Bundle following the eLTSS guide; exit 1 when one is held back."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .fhir.export import ExportError, ExportRequest, export
    from .output import OutputError
    from .shown import shown_path

    if definitions is not None:
        _export_definitions(definitions, force)
        if path is None:
            return
    if path is None:
        _fail("name a member folder or a folder of them (PATH), or --definitions DIR")
        return
    try:
        result = export(ExportRequest(target=path, output=output, today=resolve_today(today), force=force,
                                      allow_errors=allow_errors, allow_incomplete=allow_incomplete,
                                      bundle=bundle.value, max_entries=max_entries),
                        sys.stdout)
    except (ConfigError, DateError, ExportError, OutputError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:  # a path the system refuses (a name too long): one line, never a traceback
        _fail(_os_fault(exc))
        return
    # Names are shown as `check` shows them (pcplan.shown): escaped always, hidden under CI when they are words.
    for member in result.members:
        folder = shown_path(member.shown)
        for finding in member.blocking:  # codes and places only: never a message or a line of the record
            typer.echo(f"{shown_path(finding.path)}:{finding.line}:{finding.column}: {finding.code}", err=True)
        if member.bundle is None and member.member_id is None and (allow_errors or not member.blocking):
            typer.echo(f"pcplan: {folder}: not exported: member.yaml has no readable id", err=True)
        elif member.blocking:
            what = ("exported anyway" if member.bundle is not None else "allowed") + " (--allow-errors)" \
                if allow_errors else "not exported; fix them (`pcplan check`) or pass --allow-errors"
            typer.echo(f"pcplan: {folder}: {_plural(len(member.blocking), 'error-level finding')}; {what}", err=True)
        for gap in member.incomplete:  # ids and places only
            typer.echo(f"{shown_path(gap.path)}:{gap.line}:{gap.column}: {gap.what}", err=True)
        if member.incomplete:
            what = ("exported anyway" if member.bundle is not None else "allowed") + " (--allow-incomplete)" \
                if allow_incomplete else "not exported; add each one's service.code or pass --allow-incomplete"
            typer.echo(f"pcplan: {folder}: {_plural(len(member.incomplete), 'paid support')} without a service "
                       f"code; {what}", err=True)
    for place, why in result.unread:
        typer.echo(f"pcplan: {shown_path(place)}: {_visible(why)}; the members below it are not exported", err=True)
    for written in result.written:
        typer.echo(shown_path(written))
    held = len(result.held_back) + len(result.unread)
    typer.echo(f"pcplan: exported {len(result.exported)} of {_plural(len(result.members), 'member')}"
               + (f"; {len(result.held_back)} held back" if result.held_back else "")
               + (f"; {_plural(len(result.unread), 'place')} not read" if result.unread else ""), err=True)
    raise typer.Exit(1 if held else 0)


def _export_definitions(folder: Path, force: bool) -> None:
    """pcplan's FHIR definitions into ``folder``: the files written on stdout, a count on stderr."""
    from .fhir.definitions import write
    from .output import OutputError
    from .shown import shown_path

    try:
        written = write(folder, force)
    except OutputError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(_os_fault(exc))
        return
    for target in written:
        typer.echo(shown_path(target))
    typer.echo(f"pcplan: wrote {len(written)} definition files (package pcplan.definitions)", err=True)


@app.command(cls=Command, rich_help_panel=PANEL_CHECK)
def reconcile(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., metavar="PATHS", help="Delivery files (CSV or Parquet: "
                                       "EVV exports, claims, encounters), then the case repository or a folder "
                                       "in it (default: the current folder)."),
    output_format: CheckFormat | None = typer.Option(
        None, "--output-format", "-f", metavar="FORMAT", envvar="PCPLAN_OUTPUT_FORMAT", case_sensitive=False,
        help="full, concise, json, sarif, github or junit, as for check."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the report to this file (- for standard output)."),
    today: str | None = typer.Option(None, "--today", metavar="DATE", help="Judge as of this date (YYYY-MM-DD; "
                                        "only completed periods are judged for under-delivery)."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", metavar="SEVERITY", case_sensitive=False,
                                   help="Exit 1 when a finding is at or above this severity: error, warning "
                                   "or info."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Always exit 0 when the reconciliation ran."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file."),
) -> None:
    """Judge services delivered against the plans and notes (U901-U908); exit 0 clean, 1 findings, 2 error."""
    from .config import ConfigError
    from .dates import DateError, resolve_today
    from .engine import UsageError
    from .findings import FindingStore
    from .report import ReportOptions
    from .result import CheckResult
    from .shown import visible

    output = _output_file(output)
    to_terminal = output is None and sys.stdout.isatty()
    fmt = _output_format(ctx, CHECK_FORMATS, output_format, output, _default_check_format(to_terminal))
    _check_targets((output,), force)
    deliveries, scope = list(paths), Path(".")
    if len(deliveries) > 1 and deliveries[-1].is_dir():
        scope = deliveries.pop()
    for path in deliveries:
        if path.is_dir():
            _fail(f"{visible(path)}: a folder; name the delivery files first and the case repository last")
    try:
        from .reconcile.engine import reconcile as run_reconcile
        from .reconcile.facts import case_facts
        from .reconcile.rules import findings

        day = resolve_today(today)
        cwd = Path.cwd()
        facts = case_facts(scope, day, cwd)
        settings = facts.settings
        run = run_reconcile(deliveries, facts, settings, day, cwd)
        try:
            store = FindingStore(findings(run, facts, settings.columns))
        finally:
            run.close()
        result = CheckResult(findings=store, files=len(deliveries), members=len(facts.members),
                             checked=[f.shown for f in run.files],
                             roots=[_from_here(Path(root)) for root in facts.roots])
    except (ConfigError, UsageError, DateError) as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - the database's own failure (out of memory, disk): exit 2, no traceback
        if "duckdb" not in type(exc).__module__ and not isinstance(exc, (MemoryError, OSError)):
            raise
        _fail(f"reconcile: the delivery files could not be judged ({type(exc).__name__}: "
              f"{visible(str(exc).splitlines()[0] if str(exc) else '')})")
        return
    typer.echo(f"pcplan reconcile: {_plural(run.read, 'row')} read, {run.matched} matched, {run.judged} judged, "
               f"{run.rejected} rejected", err=True)
    report_options = ReportOptions(show_source=False, color=None if to_terminal else False)
    _write_findings(result, fmt, output, force, report_options)
    raise typer.Exit(0 if exit_zero or not _failing(result, fail_on) else 1)


@app.command(cls=Command, rich_help_panel=PANEL_CHECK)
def lsp(
    stdio: bool = typer.Option(False, "--stdio", help="Talk over standard input and output (the only way it "
                               "talks; accepted because some editors pass it)."),
) -> None:
    """Run the language server editors start: findings while you type, rule text on hover, quick fixes."""
    try:
        from .lsp.server import serve
    except ImportError as exc:
        _fail(f"the language server needs pygls and lsprotocol, which are not installed ({exc.name} is missing); "
              "reinstall pcplan (`python3 -m pip install --force-reinstall pcplan`) or install them with "
              "`python3 -m pip install 'pygls>=2' 'lsprotocol>=2025'`")
        return
    if sys.stdin.isatty():
        typer.echo("pcplan lsp: a language server; your editor starts it and talks to it over standard input and "
                   "output (docs/editors.md says how to set one up). Waiting for an editor; Ctrl-C to stop.", err=True)
    serve()


def main() -> None:
    """The `pcplan` command. A fault of its own standard output (a full disk or ``/dev/full``, an encoding
    such as ``PYTHONIOENCODING=ascii`` that cannot hold what is printed), or a file error no command
    caught, ends in one ``pcplan:`` line naming the place and the reason, exit 2, never a traceback
    (``--debug`` shows it). A broken pipe (``pcplan due | head``) ends quietly, as before. Named `pcplan`
    however started (`python -m pcplan` too), so help and shell completion say the command people type."""
    try:
        app(prog_name="pcplan")
    except SystemExit:
        _flush_standard_output()
        raise
    except (OSError, UnicodeEncodeError) as exc:
        if "--debug" in sys.argv[1:]:
            raise
        _stream_fault(exc)


def _flush_standard_output() -> None:
    """Flush what is left for standard output now, so that a fault is said here, not as a traceback at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_standard_output()
    except (OSError, ValueError) as exc:
        _stream_fault(exc)


def _stream_fault(exc: BaseException) -> None:
    from .output import describe
    from .shown import visible

    encoding = getattr(sys.stdout, "encoding", None) or "?"
    if isinstance(exc, UnicodeEncodeError):
        char = exc.object[exc.start] if isinstance(exc.object, str) and exc.start < len(exc.object) else "?"
        import codecs

        try:
            ours = codecs.lookup(exc.encoding).name == codecs.lookup(encoding).name
        except LookupError:
            ours = False
        message = (f"standard output: cannot write U+{ord(char):04X} in its encoding ({visible(encoding)}); set "
                   "PYTHONIOENCODING=utf-8 (or a UTF-8 locale), or write a file with -o FILE (always UTF-8)"
                   if ours else f"cannot write U+{ord(char):04X} as {visible(exc.encoding)}")
    elif isinstance(exc, BrokenPipeError):
        _silence_standard_output()
        raise SystemExit(1)  # what click does for a pipe closed early: no message
    elif isinstance(exc, OSError) and isinstance(exc.filename, str):
        message = f"{visible(exc.filename)}: {describe(exc)}"
    elif isinstance(exc, OSError):
        message = f"standard output: cannot write: {describe(exc)}"
    else:
        message = f"standard output: cannot write: {visible(str(exc))}"
    _silence_standard_output()
    try:
        sys.stderr.write(f"pcplan: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    raise SystemExit(2)


def _silence_standard_output() -> None:
    """Point standard output at the null device, so what is still buffered for it goes nowhere at exit
    instead of failing again there."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass
