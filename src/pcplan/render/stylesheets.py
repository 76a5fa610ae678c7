"""A page's stylesheets come from its templates, whole: an `@import` or a linked stylesheet is refused.

pcplan fetches nothing while it makes a page (pcplan.render.fetching), so a stylesheet that imports another
(``@import "agency.css"``, ``@import url(https://…)``) or a ``<link rel="stylesheet" href="…">`` in an agency
template would print the plan without those rules, silently (and a browser opening the HTML would not load
them either: its Content-Security-Policy forbids it). WeasyPrint even stops with a traceback on an ``@import``
of a relative address. So the rendered page is read first and such a reference is one ``pcplan:`` line naming
the template that holds it, exit 2; the fix is to write the rules into the template's own ``<style>`` (an
agency stylesheet can be brought in with ``{% include "agency.css" %}``, as pcplan's own templates do).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..shown import visible

_STYLE = re.compile(r"<style\b[^>]*>(.*?)(?:</style\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
MAX_TEMPLATE_FILES = 1000  # files of an agency's templates folder searched for the line to name
MAX_TEMPLATE_BYTES = 1024 * 1024  # bytes of each read


def refused_stylesheet(html: str) -> tuple[str, str] | None:
    """The first stylesheet the page refers to instead of holding it: ("import" or "link", the address)."""
    import tinycss2

    for block in _STYLE.finditer(html):
        for rule in tinycss2.parse_stylesheet(block.group(1), skip_comments=True, skip_whitespace=True):
            if getattr(rule, "type", None) == "at-rule" and rule.lower_at_keyword == "import":
                return "import", _address(rule.prelude)
    for tag in _LINK.finditer(html):
        rel = _attribute(tag.group(0), "rel")
        if rel is not None and "stylesheet" in rel.lower().split():
            return "link", _attribute(tag.group(0), "href") or ""
    return None


def _address(prelude: list) -> str:
    for token in prelude:
        if token.type in ("string", "url"):
            return token.value
        if token.type == "function" and token.lower_name == "url":
            return next((t.value for t in token.arguments if t.type == "string"), "")
    return ""


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(_ATTRIBUTE.format(name=name), tag, re.IGNORECASE)
    return next((group for group in found.groups() if group is not None), None) if found else None


def stylesheet_message(kind: str, address: str, written: bool) -> str:
    """The one line that says what was refused; the address only when the template wrote it itself."""
    shown = visible(address if len(address) <= 100 else address[:97] + "...") if written else \
        "(a value from the record)"
    if kind == "import":
        return (f"the stylesheet imports another (`@import` of `{shown}`), which pcplan does not fetch: the page "
                "would print without its rules. Write them into this stylesheet, or bring a file of the templates "
                "folder in with {% include %} inside <style>")
    return (f"the page links a stylesheet (`<link rel=\"stylesheet\">` to `{shown}`), which pcplan does not "
            "fetch: the page would print without its rules. Put them in a <style> element, or bring a file of "
            "the templates folder in with {% include %} inside <style>")


def where_written(folders: list[Path], kind: str, address: str) -> tuple[Path | None, int | None, bool]:
    """The template file and line that hold the reference (the agency's folders searched, in order), and
    whether the address is written there; (None, None, False) when no file holds it (a template made it)."""
    needle = re.compile(r"@import" if kind == "import" else r"<link\b[^>]*stylesheet", re.IGNORECASE)
    for folder in folders:
        seen = 0
        for base, names, files in os.walk(folder):
            names[:] = sorted(n for n in names if not n.startswith("."))
            for name in sorted(files):
                seen += 1
                if seen > MAX_TEMPLATE_FILES:
                    break
                path = Path(base) / name
                text = _read(path)
                if text is None:
                    continue
                found = needle.search(text)
                if found:
                    line = text.count("\n", 0, found.start()) + 1
                    return path, line, bool(address) and address in text
    return None, None, False


def _read(path: Path) -> str | None:
    """A regular file's first MAX_TEMPLATE_BYTES (never a link, a pipe or a device)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as stream:
            return stream.read(MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
