"""`pcplan report -f pdf`: the report's HTML page, printed with WeasyPrint as `pcplan render` prints a plan.

The page is the HTML format's, charts (inline SVG) and rule notes included; its
print stylesheet (report.css, ``@media print``, and the ``@page`` rules of
report.html.j2) sets the paper (pcplan.toml ``paper``: letter or a4), the page
numbers in the footer, and keeps a chart, a table row and a heading with what
follows on one page. What makes printing safe is render's, reused:

* the page is made by ``render_html`` (the sandboxed, bounded template, in a
  child process), and the PDF in a child process of its own with the same
  bounds on CPU time and memory (pcplan.render.bounds.isolated);
* WeasyPrint fetches nothing: its URL fetcher (pcplan.render.fetching) answers
  only the ``data:`` URIs the page carries, so no network address or local
  file an agency template names reaches the PDF; fonts are the system's.

The same report gives the same bytes (WeasyPrint writes no date into the PDF).
"""

from __future__ import annotations

import sys

from .report import HTML_TEMPLATE, Report, render_html


class PrintFailure(Exception):
    """The PDF could not be made: WeasyPrint missing, stopped on the page, or past a bound (one line)."""


def render_pdf(report: Report, notices: list[str] | None = None) -> bytes:
    """The report as PDF bytes. TemplateFailure from the page's template, PrintFailure from printing it;
    what the PDF left out (a URL a template refers to) is added to ``notices``."""
    from ..render.bounds import Stopped, isolated

    page = render_html(report)
    _load_weasyprint()
    try:
        pdf, refused = isolated(lambda: _print(page))
    except Stopped as exc:
        raise PrintFailure(f"the PDF could not be made: {exc}; print a smaller part of the caseload "
                           "(a folder, or --case-manager ID), or write html") from None
    if refused and notices is not None:
        shown = ", ".join(refused[:3]) + (f" and {len(refused) - 3} more" if len(refused) > 3 else "")
        notices.append(f"the PDF leaves out what a template refers to outside the report ({shown}): pcplan "
                       "fetches nothing, from the network or from files")
    return pdf


def _print(page: str) -> tuple[bytes, list[str]]:
    """The PDF of ``page`` and the URLs it asked for and was refused (in the child process)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the system's Pango libraries are missing
        raise PrintFailure(f"PDF output needs WeasyPrint and its system libraries (Pango): {exc}") from None
    from ..render.bounds import TooMuch
    from ..render.fetching import LocalOnlyFetcher

    fetcher = LocalOnlyFetcher()
    try:
        pdf = HTML(string=page, url_fetcher=fetcher.for_weasyprint()).write_pdf()
    except (MemoryError, TooMuch):
        raise  # a bound of the render (pcplan.render.bounds) says so itself
    except Exception as exc:  # noqa: BLE001 - WeasyPrint's own failure on what a template made: one line
        raise PrintFailure(f"the PDF could not be made: WeasyPrint stopped on the page ({type(exc).__name__}); "
                           f"check the agency's {HTML_TEMPLATE} and report.css, or write html to see the "
                           "page") from None
    return pdf, list(fetcher.refused)


def _load_weasyprint() -> None:
    """On Linux, import WeasyPrint here, before the PDF is made in a forked child that then inherits it (as
    render does); not on macOS, where its libraries may start what a forked child cannot use."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pass  # said by _print, in one line
