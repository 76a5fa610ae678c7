"""Jinja2 environments for the plan templates.

* HTML templates are autoescaped: any text from a case file, `<script>` included,
  appears as text, never as markup.
* Markdown templates get a copy of the view in which every value is escaped
  once, codes included, where Markdown would misread it (pcplan.render.markdown:
  a leading list or heading marker, emphasis, a link, raw HTML, entity
  references; line breaks folded), so a member's text can neither become a
  link, raw HTML, a list nor break the layout, and reads as written where it is
  plain (``López (hija)``, not ``López \\(hija\\)``). A code that is
  a plain word (letters and digits, `_` or `-` only between them: inert in
  Markdown) is left as it is, so the vocabulary still finds it; any other is
  escaped like words (a draft's codes have not passed the schema).
* Every template, pcplan's own and an agency's, runs in Jinja's immutable
  sandbox: a template cannot reach Python's internals (``__class__``,
  ``__globals__``, …), call a method that changes data, or read a file outside
  its templates folder (a link out of it, a pipe or a device is refused). A
  template that tries is a :class:`TemplateFailure` naming its file and line.
* Every template is bounded (:mod:`pcplan.render.bounds`): numbers, texts and
  lists it makes, its loops, what it writes and how long it runs; past a bound
  it stops with a :class:`TemplateFailure` naming the bound, its file and line.
* ``StrictUndefined``: a template naming a field the view does not have is an
  error when developing, never a silent blank in a member's plan.
* Template text is translated with the i18n extension (``{% trans %}``, ``_()``);
  dates and numbers are written the render language's way by Babel.
"""

from __future__ import annotations

import gettext
import os
import re
import stat
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
)
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing
from markupsafe import Markup

from .bounds import MAX_CHARS, BoundedSandbox, TooMuch, out_of_memory, render_bounded
from .markdown import markdown_text

# A code Markdown shows as it is: letters and digits, with `_` or `-` only between them (never at an edge,
# so never a list marker, emphasis, a link or a tag). `as_needed`, `legal_guardian`, `M-000207`, `es-MX`.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*\Z")


class TemplateFailure(Exception):
    """A template could not be rendered: refused by the sandbox, broken, or outside its folder.

    ``path`` and ``line`` name the template (None when unknown); the message never
    quotes a value from a case file.
    """

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def render_template(dirs: list[Path], name: str, context: dict, translations: gettext.NullTranslations,
                    language: str) -> str:
    markdown = name.endswith(".md.j2")
    env = _environment(dirs, markdown=markdown, language=language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n
    if markdown:
        context = {**context, "plan": escaped_for_markdown(context["plan"])}
    return render_safely(env, dirs, name, context)


def render_safely(env: Environment, dirs: list[Path], name: str, context: dict, max_chars: int = MAX_CHARS) -> str:
    """Render one template; any failure becomes a TemplateFailure naming the template file and line. What it
    may make is bounded (pcplan.render.bounds): past ``max_chars`` characters written, or any other bound, it
    stops there."""
    try:
        return render_bounded(env.get_template(name), context, max_chars)
    except TemplateFailure:
        raise
    except (TooMuch, MemoryError) as exc:  # an agency template's loop, number or text past pcplan's bounds
        path, line = _template_frame(exc.__traceback__, dirs)
        template = getattr(exc, "template", None)
        if path is None and template:
            path = Path(template)  # what it wrote, counted outside its code: the template, without a line
        said = exc if isinstance(exc, TooMuch) else out_of_memory()
        raise TemplateFailure(f"stopped by pcplan's template bounds: {said}", path, line) from None
    except SecurityError as exc:
        path, line = _template_frame(exc.__traceback__, dirs)
        raise TemplateFailure(f"refused by pcplan's template sandbox, which lets no template reach Python's "
                              f"internals or change data ({_without_values(str(exc), path)})", path, line) from None
    except TemplateNotFound as exc:
        path, line = _template_frame(exc.__traceback__, dirs)
        names = exc.templates if len(getattr(exc, "templates", ())) > 1 else [exc.name]
        shown = [str(name) for name in names if _written_in(path, str(name))]
        if path is None or len(shown) == len(names):  # names pcplan asked for, or the template wrote
            raise TemplateFailure(f"template not found: {', '.join(map(str, names))}", path, line) from None
        # A name the template computed from the record (`{% include plan.preferred_name %}`) is member text.
        raise TemplateFailure("template not found: a name the template made from the record (not shown)",
                              path, line) from None
    except TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else None
        raise TemplateFailure(f"template syntax error: {exc.message}", path, exc.lineno) from None
    except TemplateError as exc:
        path, line = _template_frame(exc.__traceback__, dirs)
        said = _without_values(exc.message, path) if exc.message else type(exc).__name__
        raise TemplateFailure(f"template error: {said}", path, line) from None
    except Exception as exc:
        # A failure inside an agency's template (its own expression, not pcplan's code) is the agency's to
        # fix: named by file and line, never quoting the exception's text (it may hold a member's words).
        path, line = _template_frame(exc.__traceback__, dirs)
        if path is None or _shipped(path, dirs):
            raise
        raise TemplateFailure(f"template error ({type(exc).__name__})", path, line) from None


# A quoted piece of a Jinja message: 'name', or a type 'dict object' / 'str' object (never a member's words).
_QUOTED = re.compile(r"'([^'\n]*)'( object)?")
MAX_TEMPLATE_SOURCE = 1024 * 1024  # bytes of a template read to see what it writes itself (templates are small)


def _without_values(message: str, path: Path | None) -> str:
    """Jinja's message with every quoted piece that the template does not write itself (a key or attribute it
    looked up with a value from the record: ``'dict object' has no attribute 'Danny'``) shown as
    ``(a value from the record)``: messages name templates, fields and types, never a member's words."""
    def piece(found: re.Match) -> str:
        text = found.group(1)
        if found.group(2) or text.endswith(" object") or _written_in(path, text):
            return found.group(0)
        return "(a value from the record)"

    return _QUOTED.sub(piece, message)


def _written_in(path: Path | None, text: str) -> bool:
    """Whether the template at ``path`` has ``text`` in its own source, whole (a name it wrote, not one it
    computed from the record: `Al` is not written by a template that says `Always`)."""
    source = _source(path)
    if not text or source is None:
        return False
    return re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", source) is not None


def _source(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with open(path, "rb") as stream:
            return stream.read(MAX_TEMPLATE_SOURCE).decode("utf-8", "replace")
    except OSError:
        return None


def _template_frame(tb: TracebackType | None, dirs: list[Path]) -> tuple[Path | None, int | None]:
    """The innermost frame of the traceback that runs a template file (Jinja gives those the template's
    file name and line)."""
    found: tuple[Path | None, int | None] = (None, None)
    folders = [d.resolve() for d in dirs]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename and not filename.startswith("<"):
            path = Path(filename)
            if any(path.is_relative_to(folder) for folder in folders):
                found = (path, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _shipped(path: Path, dirs: list[Path]) -> bool:
    return path.is_relative_to(dirs[-1].resolve())  # pcplan's own templates come last


def escaped_for_markdown(value: Any) -> Any:
    """A copy of a view with every value escaped for Markdown: words as text, codes as plain codes."""
    if isinstance(value, str):
        return markdown_text(value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _markdown_code(getattr(value, f.name)) if f.metadata.get("code")
                                 else escaped_for_markdown(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, (list, tuple)):
        return type(value)(escaped_for_markdown(item) for item in value)
    if value is None or isinstance(value, (bool, int, float, date)):
        return value
    return markdown_text(str(value))  # nothing else is expected in a view; whatever it is, it is text


def _markdown_code(value: Any) -> Any:
    """A code for Markdown: a plain code as it is (the vocabulary looks it up), anything else escaped."""
    if isinstance(value, str) and _PLAIN_CODE.match(value):
        return value
    return escaped_for_markdown(value)


class _Undefined(StrictUndefined):
    """StrictUndefined that keeps a sandbox refusal: what a template reaches through something the sandbox
    refused (``()|attr('__class__')|attr('__base__')``) is refused too, not merely undefined, so the
    message says why."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None,
                 exc: type[TemplateRuntimeError] = UndefinedError) -> None:
        if isinstance(obj, Undefined) and obj._undefined_exception is SecurityError:
            hint, exc = obj._undefined_hint, SecurityError
        super().__init__(hint, obj, name, exc)


class _FolderLoader(FileSystemLoader):
    """One templates folder, confined: a name that resolves outside it (a symbolic link out, or a folder
    linked in from elsewhere) or to anything but a regular file (a pipe, a device) is refused before it
    is opened. Jinja itself refuses `..` in a name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        super().__init__(str(self.folder))

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        candidate = self.folder.joinpath(*split_template_path(template))
        if os.path.lexists(candidate):
            real = candidate.resolve()
            if not real.is_relative_to(self.folder):
                raise TemplateFailure("a link to a file outside its templates folder; pcplan reads templates "
                                      "only from inside the folder", candidate)
            try:
                mode = os.stat(real).st_mode
            except OSError as exc:
                raise TemplateFailure(f"cannot read the template: {exc.strerror or exc}", candidate) from None
            if not stat.S_ISREG(mode):
                raise TemplateFailure("not a regular file (a pipe, a device or a folder)", candidate)
        try:
            return super().get_source(environment, template)
        except TemplateNotFound:
            raise  # (an OSError too) the next folder may have it
        except UnicodeDecodeError:
            raise TemplateFailure("not UTF-8 text", candidate) from None
        except OSError as exc:
            raise TemplateFailure(f"cannot read the template: {exc.strerror or exc}", candidate) from None


def sandboxed_environment(dirs: list[Path], **options: Any) -> ImmutableSandboxedEnvironment:
    """The one way pcplan makes a Jinja environment: sandboxed, strict about undefined names, reading
    the folders in order (the agency's first), each confined to itself."""
    loaders: list[BaseLoader] = [_FolderLoader(d) for d in dirs]
    return BoundedSandbox(loader=ChoiceLoader(loaders), undefined=_Undefined, **options)


def agency_folder(root: Path, setting: str) -> Path:
    """The folder pcplan.toml's `templates` names, which must be inside the repository: a configuration
    file travels with the repository (a pull request can change it), so it must not send pcplan to files
    the repository does not hold. A folder outside it can only be named on the command line."""
    folder = (root / setting).resolve()
    if not folder.is_relative_to(root.resolve()):
        raise TemplateFailure(f"pcplan.toml: `templates` ({setting}) is outside the repository; keep the agency's "
                              "templates in a folder inside it, or name a folder with --templates DIR")
    return folder


def _environment(dirs: list[Path], markdown: bool, language: str) -> Environment:
    env = sandboxed_environment(
        dirs,
        autoescape=not markdown,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = lambda value: _long_date(value, language)
    env.filters["number"] = lambda value: _number(value, language)
    env.filters["language_name"] = lambda code: _language_name(code, language)
    env.filters["css_string"] = _css_string
    return env


def _css_string(value: str) -> Markup:
    """A quoted CSS string (for translated text in `content:`), safe inside <style>.

    Inside <style>, HTML entities are not decoded, so text that autoescaping or
    gettext already escaped (`D&#39;Andre`) is unescaped first; `<` and `>` are
    dropped so nothing can close the style element.
    """
    if isinstance(value, Markup):
        value = value.unescape()
    cleaned = "".join(ch for ch in str(value) if ch.isprintable() and ch not in "<>")
    return Markup('"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _long_date(value: date | None, language: str) -> str:
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, format="long", locale=language)


def _number(value: Any, language: str) -> str:
    if value is None:
        return ""
    from decimal import InvalidOperation

    from babel.numbers import format_decimal

    try:
        return format_decimal(value, locale=language)
    except (InvalidOperation, ValueError, OverflowError):  # a second line of defence: the view already guards amounts
        from ..dates import shown_number

        return shown_number(value)


def _language_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(language) or code
    except (UnknownLocaleError, ValueError):
        return code
