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

from .report import HTML_TEMPLATE, Report, render_html


class PrintFailure(Exception):
    """The PDF could not be made: WeasyPrint missing, stopped on the page, or past a bound (one line)."""


def render_pdf(report: Report, notices: list[str] | None = None) -> bytes:
    """The report as PDF bytes. TemplateFailure from the page's template, PrintFailure from printing it;
    what the PDF left out (a URL a template refers to) is added to ``notices``."""
    from ..render.bounds import Stopped, isolated
    from ..render.fetching import preload_weasyprint, refused_summary

    page = render_html(report)
    preload_weasyprint()
    try:
        pdf, refused = isolated(lambda: _print(page))
    except Stopped as exc:
        raise PrintFailure(f"the PDF could not be made: {exc}; print a smaller part of the caseload "
                           "(a folder, or --case-manager ID), or write html") from None
    if refused and notices is not None:
        notices.append(f"the PDF leaves out what a template refers to outside the report ({refused_summary(refused)})"
                       ": pcplan fetches nothing, from the network or from files")
    return pdf


def _print(page: str) -> tuple[bytes, list[str]]:
    """The PDF of ``page`` and the URLs it asked for and was refused (in the child process)."""
    from ..render.fetching import WeasyPrintMissing, WeasyPrintStopped, print_pdf

    try:
        return print_pdf(page)
    except WeasyPrintMissing as exc:
        raise PrintFailure(f"PDF output needs WeasyPrint and its system libraries (Pango): {exc}") from None
    except WeasyPrintStopped as exc:
        raise PrintFailure(f"the PDF could not be made: WeasyPrint stopped on the page ({exc}); check the agency's "
                           f"{HTML_TEMPLATE} and report.css, or write html to see the page") from None
