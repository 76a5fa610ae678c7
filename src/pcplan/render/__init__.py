"""`pcplan render`: a printable plan the member can read, as HTML, PDF or Markdown.

The plan belongs to the member: it is written to them, by their preferred name,
in their language where a catalogue exists, in large print when they asked for
it. Which plan a member folder prints, and whether it is a draft, is the
lifecycle's answer (pcplan.facts.lifecycle). A draft (no consent yet) prints as a
copy *for signature*: a line for each person who signs, no watermark. Every
page carries the plan's content fingerprint, so a paper copy names the file
version it shows. A plan with content errors is refused unless ``--draft``,
which watermarks every page; missing signatures and copies, and the deadlines
the case has to meet, never stop a plan from printing (see ``blocks``).
Every value from a case file is escaped; the HTML is self-contained (inline
styles, the logo as a data URI, no scripts allowed). Templates run sandboxed
(see ``templating``) and bounded in what they make, how long and how much
memory the whole render takes (see ``bounds``: the page and the PDF are made
in a child process), and come from inside the repository unless the user names
a folder with ``--templates``. A stylesheet ``@import`` or linked stylesheet is
refused in one line (``stylesheets``). Rendering never fetches: the PDF is made with a
URL fetcher that refuses everything but the data URIs the page carries (the
logo), so neither a network address nor a local file named in a logo or a
template reaches the PDF.
"""

from __future__ import annotations

import base64
import gettext
import mimetypes
import os
import shlex
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import find_root, load_config
from ..engine import Options, check
from ..exceptions import DATE_DRIVEN
from ..facts.acting import TO_SHOW, acts_on
from ..facts.lifecycle import Lifecycle, PlanRecord, lifecycle
from ..findings import Finding
from ..model import Case, Document, load_case, load_repository
from ..model import display_path as _display
from ..output import check_target, plural, remove_empty, to_stdout, write_atomically
from ..resources import templates_dir
from ..rules import RULES
from ..walk import enclosing_member_folder
from .destination import destination, file_name, unignored_notice
from .i18n import SOURCE_LANGUAGE, available_languages, load_translations, primary
from .view import build_view

FORMATS = ("html", "pdf", "md")


class RenderError(Exception):
    """The plan cannot be rendered; ``exit_code`` 1 for findings, 2 for usage problems."""

    def __init__(self, message: str, exit_code: int = 2, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.findings = findings or []


@dataclass
class Rendered:
    path: Path | None  # None: written to standard output (`-o -`)
    language: str
    notices: list[str] = field(default_factory=list)
    draft: bool = False
    for_signature: bool = False


@dataclass(frozen=True)
class RenderRequest:
    target: Path
    fmt: str = "html"
    output: Path | None = None
    lang: str | None = None
    draft: bool = False
    force: bool = False
    today: date = field(default_factory=date.today)
    templates: Path | None = None  # --templates: a folder the user named, used instead of pcplan.toml's


def render(request: RenderRequest, cwd: Path | None = None) -> Rendered:
    cwd = (cwd or Path.cwd()).resolve()
    if request.fmt not in FORMATS:
        raise RenderError(f"unknown format `{request.fmt}`; choose html, pdf or md")
    target = request.target.resolve()
    if not target.exists():
        raise RenderError(f"{request.target}: no such file or folder")
    root = find_root(target)
    folder = enclosing_member_folder(target, root)
    if folder is None:
        raise RenderError(f"{request.target}: not a member folder or a file inside one (no member.yaml)")
    config = load_config(root, set(RULES))
    case = load_case(folder, root, config, cwd)
    life = lifecycle(case, request.today)
    notices: list[str] = []
    record = _plan(case, life, target, request, cwd, notices)
    plan = record.plan

    errors = _blocking_findings(folder, case, plan, request.today, cwd)
    if errors and not request.draft:
        raise RenderError(f"{_display(folder, cwd)}: the plan has {plural(len(errors), 'error-level finding')}; "
                          "fix them (`pcplan check`) or render a watermarked draft with --draft", 1, errors)

    repo = load_repository(root, config, cwd)
    view = build_view(life, record, repo.staff_by_id, config.agency,
                      config.settings.review_interval_months)
    # --draft is a working copy with problems still to fix: never one to sign.
    for_signature = view.awaiting_signature and not request.draft

    dirs = _template_dirs(root, config.templates, request.templates, cwd)
    locale_dirs = [d / "locale" for d in dirs]
    wanted = request.lang or view.member_language or config.locale or SOURCE_LANGUAGE
    translations = load_translations(wanted, locale_dirs)
    language = primary(wanted) or SOURCE_LANGUAGE
    if translations is None:
        shown = f"`{wanted}`" if primary(wanted) else "the member's language (not a language code)"
        notices.append(f"no translation for {shown} (available: {', '.join(available_languages(locale_dirs))}); "
                       "rendered in English")
        translations = gettext.NullTranslations()  # English, the templates' own words (as load_translations says)
        language = SOURCE_LANGUAGE

    # Refuse a bad output path before spending time on rendering (None: standard output, `-o -`).
    path, made = destination(request.output, root, file_name(view.member_id, plan.path, language, request.fmt))
    try:
        out = check_target(path, request.force) if path is not None else None
        context = {
            "plan": view,
            "lang": language,
            "draft": request.draft,
            "for_signature": for_signature,
            "large_print": view.document_format == "large_print",
            "logo": _logo(root, config.logo),
            "today": request.today,
            "paper": config.paper,
        }
        content = _page(request, dirs, context, translations, language, notices, cwd)
        if out is None:
            to_stdout(content)
        else:
            write_atomically(out, lambda stream: stream.write(content), overwrite=request.force,
                             binary=isinstance(content, bytes))
    except BaseException:
        remove_empty(made)  # the printed/ folder made for this plan, still empty: gone again
        raise
    shown = (_display(out, cwd) if out.is_relative_to(cwd) else str(out)) if out is not None else ""
    warning = unignored_notice(root, out, shown) if out is not None else None
    notices.extend([warning] if warning else [])
    return Rendered(path=out, language=language, notices=notices, draft=request.draft, for_signature=for_signature)


def _page(request: RenderRequest, dirs: list[Path], context: dict, translations: gettext.NullTranslations,
          language: str, notices: list[str], cwd: Path) -> str | bytes:
    """The page (HTML or Markdown text, PDF bytes), made in a child process bounded in time and memory
    (bounds); what it says about itself is added to ``notices``."""
    from .bounds import Stopped, isolated, template_file
    from .fetching import preload_weasyprint
    from .templating import TemplateFailure, render_template

    name = "plan.md.j2" if request.fmt == "md" else "plan.html.j2"

    def make() -> tuple[str | bytes, list[str]]:
        said: list[str] = []
        page = render_template(dirs, name, context, translations, language)
        if request.fmt == "md":
            return page, said
        refuse_linked_stylesheets(page, dirs)
        return (page if request.fmt == "html" else _pdf(page, said)), said

    if request.fmt == "pdf":
        preload_weasyprint()  # here, once: the child that makes the page inherits it
    try:
        content, said = isolated(make)
    except TemplateFailure as exc:
        where = _display(exc.path, cwd) + (f":{exc.line}" if exc.line else "") if exc.path else "a template"
        raise RenderError(f"{where}: {exc}") from None
    except Stopped as exc:
        chosen = template_file(dirs, name)
        raise RenderError(f"{_display(chosen, cwd) if chosen else 'a template'}: {exc}") from None
    notices.extend(said)
    return content


def _plan(case: Case, life: Lifecycle, target: Path, request: RenderRequest, cwd: Path,
          notices: list[str]) -> PlanRecord:
    """The plan file named, else the member's plan (facts.acting.TO_SHOW): the one in effect; if none, the
    newest draft (to sign); if none, the plan that last spoke for the episode (expired, closed, or consented
    and not yet started)."""
    named = target if target.is_file() else None
    record = acts_on(case, request.today, named, prefer=TO_SHOW, life=life)
    if named is not None:
        if record is None:
            raise RenderError(f"{request.target}: not a plan (kind: plan)")
        return record
    if record is None:
        older = " in its current episode; name a plan file to print an older one" if life.plans else ""
        raise RenderError(f"{request.target}: this member has no plan to render{older}")
    drafts = life.drafts()
    if record is life.in_effect() and drafts and drafts[-1].order > record.order:
        shown = _display(drafts[-1].plan.path, cwd)
        notices.append(f"{shown} is a newer plan awaiting signature; this is the plan in effect. "
                       f"To print the draft for signature: pcplan render {shlex.quote(shown)}")
    return record


# Never a reason to refuse printing: signatures and copies are what printing is for, and a draft is
# unsigned and so not in effect (DESIGN.md, `pcplan render`: "missing signatures and copies never block
# printing").
SIGNING = frozenset({"C301", "C302", "C303", "C304", "T207", "T211", "T213"})
# The date-driven rules (DATE_DRIVEN, imported) judge what the case owes by a date (a review, a contact,
# a reassessment), not what the plan says: a member whose contact is overdue still gets their plan, and a
# revision can still be printed to sign.


def blocks(finding: Finding, other_plans: set[Path]) -> bool:
    """Whether a finding of the member folder stops a plan from printing (without --draft): a content
    error of the plan or of the records it is printed from, never one of another plan (a draft being
    written must not stop the plan in effect from printing, nor the other way round)."""
    if finding.severity != "error" or finding.excepted or finding.code in SIGNING | DATE_DRIVEN:
        return False
    return finding.file is None or finding.file.resolve() not in other_plans


def _blocking_findings(folder: Path, case: Case, plan: Document, today: date, cwd: Path) -> list[Finding]:
    result = check([folder], Options(today=today), cwd=cwd)
    others = {p.path.resolve() for p in case.plans if p is not plan}
    return [f for f in result.findings if blocks(f, others)]


def _template_dirs(root: Path, agency_templates: str | None, named: Path | None = None,
                   cwd: Path | None = None) -> list[Path]:
    """The agency's templates folder first (it overrides any file), then pcplan's own.

    The folder named with --templates is the user's choice and may be anywhere; the one in pcplan.toml
    must be inside the repository: a configuration file travels with the repository (a pull request can
    change it), so it must not point the render at files the repository does not hold.
    """
    from .templating import TemplateFailure, agency_folder

    dirs = []
    if named is not None:
        folder = ((cwd or Path.cwd()) / named).resolve()
        if not folder.is_dir():
            raise RenderError(f"--templates {named}: no such folder")
        dirs.append(folder)
    elif agency_templates:
        try:
            dirs.append(agency_folder(root, agency_templates))
        except TemplateFailure as exc:
            raise RenderError(str(exc)) from None
    dirs.append(templates_dir())
    return dirs


LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp")
# A logo is a small image printed a few centimetres wide; 2 MB holds a print-quality PNG or SVG many times
# over. The logo is read whole, copied as base64 (a third larger) into every HTML plan and decoded again for
# every PDF, so a cap keeps a mistaken or hostile file (a photo archive, /dev/zero behind a name) from
# exhausting memory or bloating every member's plan.
LOGO_MAX_BYTES = 2 * 1024 * 1024


def _logo(root: Path, logo: str | None) -> str | None:
    """The agency logo as a data URI, so the HTML stays one self-contained file.

    Only a regular file inside the repository, at most LOGO_MAX_BYTES: a pipe or a device is refused
    before it is read (opened non-blocking and checked again once open, so swapping the file in between
    changes nothing).
    """
    if not logo:
        return None
    path = (root / logo).resolve()
    if not path.is_relative_to(root.resolve()):
        raise RenderError(f"pcplan.toml: `logo` ({logo}) is outside the repository; keep the logo in the "
                          "repository")
    mime = mimetypes.guess_type(path.name)[0]
    if mime not in LOGO_TYPES:
        raise RenderError(f"pcplan.toml: `logo` must be a PNG, JPEG, GIF, WebP or SVG image, not {path.name}")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise RenderError(f"pcplan.toml: `logo` ({logo}) is not a regular file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise RenderError(f"pcplan.toml: `logo` ({logo}) is not a regular file")
            if info.st_size > LOGO_MAX_BYTES:
                raise RenderError(f"pcplan.toml: `logo` ({logo}) is {info.st_size:,} bytes, over the "
                                  f"{LOGO_MAX_BYTES:,}-byte limit for a logo")
            data = stream.read(LOGO_MAX_BYTES + 1)
    except OSError as exc:
        raise RenderError(f"pcplan.toml: `logo`: cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > LOGO_MAX_BYTES:  # grew after the check
        raise RenderError(f"pcplan.toml: `logo` ({logo}) is over the {LOGO_MAX_BYTES:,}-byte limit for a logo")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _pdf(html: str, notices: list[str] | None = None) -> bytes:
    from .fetching import WeasyPrintMissing, WeasyPrintStopped, print_pdf, refused_summary

    try:
        pdf, refused = print_pdf(html)
    except WeasyPrintMissing as exc:
        raise RenderError(f"PDF output needs WeasyPrint and its system libraries (Pango): {exc}") from None
    except WeasyPrintStopped as exc:
        raise RenderError(f"the PDF could not be made: WeasyPrint stopped on the page ({exc}); "
                          "check the agency's templates and stylesheets, or render html to see the page") from None
    if refused and notices is not None:
        notices.append(f"the PDF leaves out what the logo or a template refers to outside the plan "
                       f"({refused_summary(refused)}): pcplan fetches nothing, from the network or from files")
    return pdf


def refuse_linked_stylesheets(html: str, dirs: list[Path], name: str = "plan.html.j2") -> None:
    """A TemplateFailure naming the template and line when the page imports or links a stylesheet instead of
    holding it (pcplan.render.stylesheets): one line, never a PDF silently without the agency's rules."""
    from .bounds import template_file
    from .stylesheets import refused_stylesheet, stylesheet_message, where_written
    from .templating import TemplateFailure

    refused = refused_stylesheet(html)
    if refused is None:
        return
    kind, address = refused
    path, line, written = where_written(dirs[:-1], kind, address)  # the agency's folders (pcplan's own is last)
    raise TemplateFailure(stylesheet_message(kind, address, written), path or template_file(dirs, name), line)
