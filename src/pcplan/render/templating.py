"""Jinja2 environments for the plan templates.

* HTML templates are autoescaped: any text from a case file, `<script>` included,
  appears as text, never as markup.
* Markdown templates pass every value through a finalizer that escapes
  Markdown's syntax characters and folds line breaks, so a member's text can
  neither become a link, raw HTML nor break the layout.
* ``StrictUndefined``: a template naming a field the view does not have is an
  error when developing, never a silent blank in a member's plan.
* Template text is translated with the i18n extension (``{% trans %}``, ``_()``);
  dates and numbers are written the render language's way by Babel.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def render_template(dirs: list[Path], name: str, context: dict, translations, language: str) -> str:
    env = _environment(dirs, markdown=name.endswith(".md.j2"), language=language)
    env.install_gettext_translations(translations, newstyle=True)
    return env.get_template(name).render(**context)


def _environment(dirs: list[Path], markdown: bool, language: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=not markdown,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_markdown_text if markdown else None,
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


def _markdown_text(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    folded = " ".join(value.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", folded)


def _long_date(value: date | None, language: str) -> str:
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, format="long", locale=language)


def _number(value: Any, language: str) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=language)


def _language_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(language) or code
    except (UnknownLocaleError, ValueError):
        return code
