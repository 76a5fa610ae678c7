"""Jinja2 environments for the plan templates.

* HTML templates are autoescaped: any text from a case file, `<script>` included,
  appears as text, never as markup.
* Markdown templates get a copy of the view whose words (never its codes) are
  escaped once: Markdown's syntax characters, a leading list or heading
  marker, entity references, and line breaks folded, so a member's text can
  neither become a link, raw HTML, a list nor break the layout.
* ``StrictUndefined``: a template naming a field the view does not have is an
  error when developing, never a silent blank in a member's plan.
* Template text is translated with the i18n extension (``{% trans %}``, ``_()``);
  dates and numbers are written the render language's way by Babel.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_ENTITY = re.compile(r"&(#?\w+;)")
_BLOCK_START = re.compile(r"^(\d*)([.)=-])")


def render_template(dirs: list[Path], name: str, context: dict, translations, language: str) -> str:
    markdown = name.endswith(".md.j2")
    env = _environment(dirs, markdown=markdown, language=language)
    env.install_gettext_translations(translations, newstyle=True)
    if markdown:
        context = {**context, "plan": escaped_for_markdown(context["plan"])}
    return env.get_template(name).render(**context)


def escaped_for_markdown(value: Any) -> Any:
    """A copy of a view with every string escaped for Markdown, except fields marked as codes."""
    if isinstance(value, str):
        return markdown_text(value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: getattr(value, f.name) if f.metadata.get("code")
                                 else escaped_for_markdown(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, (list, tuple)):
        return type(value)(escaped_for_markdown(item) for item in value)
    return value


def _environment(dirs: list[Path], markdown: bool, language: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=not markdown,
        undefined=StrictUndefined,
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


def markdown_text(value: str) -> str:
    """Words shown as written in Markdown: one line, no syntax, no entity references."""
    folded = " ".join(value.split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", folded)
    escaped = _ENTITY.sub(r"&amp;\1", escaped)
    return _BLOCK_START.sub(r"\1\\\2", escaped)  # "1. x" → "1\. x", "- x" → "\- x"


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
