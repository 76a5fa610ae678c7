"""What WeasyPrint may fetch while it makes a PDF: nothing outside the page.

Everything a plan shows is in its HTML: the stylesheets inline, the agency
logo as a ``data:`` URI (read, size-capped and confined to the repository by
``pcplan.render``). WeasyPrint would otherwise fetch whatever the page refers
to: an ``<image href="http://…">`` inside an SVG logo (a connection that tells
a stranger a plan was printed), ``file:///etc/passwd`` (a local file embedded
in a member's plan), a stylesheet ``@import`` or an attachment link in an
agency template. This fetcher answers only ``data:`` URIs, decoded in memory,
and refuses every other URL without touching the network or the disk; the
URLs it refused are kept so the render can say what the PDF left out.
"""

from __future__ import annotations

from typing import Any
from urllib.request import DataHandler, Request

# A data: URI inside the page is already in memory; the cap only bounds what decoding it may allocate.
DATA_MAX_CHARS = 8 * 1024 * 1024


class RefusedURL(ValueError):
    """A URL pcplan does not fetch (WeasyPrint leaves the resource out and carries on)."""


class LocalOnlyFetcher:
    def __init__(self) -> None:
        self.refused: list[str] = []  # each URL asked for and refused, once, in order (long ones shortened)

    def resolve(self, url: str) -> tuple[bytes, str]:
        """(content, MIME type) of a data: URI; RefusedURL for anything else."""
        if url[:5].lower() != "data:" or len(url) > DATA_MAX_CHARS:
            shown = url if len(url) <= 200 else url[:197] + "..."
            if shown not in self.refused:
                self.refused.append(shown)
            raise RefusedURL(f"pcplan fetches nothing outside the plan: {shown}")
        response = DataHandler().data_open(Request(url))
        return response.read(), response.headers.get_content_type()

    def for_weasyprint(self) -> Any:
        """A url_fetcher for WeasyPrint: a URLFetcher subclass (WeasyPrint 68 and later) or a function
        returning a dict (earlier versions)."""
        from weasyprint import urls

        base = getattr(urls, "URLFetcher", None)
        outer = self
        if base is None or not hasattr(urls, "URLFetcherResponse"):  # pragma: no cover (WeasyPrint < 68)
            def fetch(url: str) -> dict:
                content, mime = outer.resolve(url)
                return {"string": content, "mime_type": mime, "redirected_url": url}

            return fetch

        class Fetcher(base):  # type: ignore[misc, valid-type]
            def fetch(self, url: str, headers: object = None) -> Any:  # noqa: ARG002 (no request is ever sent)
                content, mime = outer.resolve(url)
                return urls.URLFetcherResponse(url, body=content, headers={"Content-Type": mime})

            def open(self, url: str | Request, data: object = None, timeout: object = None) -> Any:  # noqa: ARG002
                return self.fetch(url.full_url if isinstance(url, Request) else url)

        return Fetcher(allowed_protocols=("data",))


# Printing a page with this fetcher: what `pcplan render` (a plan) and `pcplan report -f pdf` share; each caller
# says a failure in its own words (its templates, its advice).


class WeasyPrintMissing(Exception):
    """WeasyPrint, or the system's Pango libraries it needs, cannot be imported (the reason is the message)."""


class WeasyPrintStopped(Exception):
    """WeasyPrint stopped on the page; the message is the name of its exception."""


def preload_weasyprint() -> None:
    """On Linux, import WeasyPrint before a PDF is made in a forked child, so that a process making many PDFs
    does not import it again for each (a missing library is said by ``print_pdf``). Not on macOS, where its
    libraries may start what a forked child cannot use: there the child imports it."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pass


def print_pdf(html: str) -> tuple[bytes, list[str]]:
    """The PDF of ``html``, fetching nothing but its ``data:`` URIs, and the URLs it asked for and was refused.
    A bound of the render (MemoryError, pcplan.render.bounds.TooMuch) passes through, saying so itself."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the system's Pango libraries are missing
        raise WeasyPrintMissing(str(exc)) from None
    from .bounds import TooMuch

    fetcher = LocalOnlyFetcher()
    try:
        pdf = HTML(string=html, url_fetcher=fetcher.for_weasyprint()).write_pdf()
    except (MemoryError, TooMuch):
        raise
    except Exception as exc:  # noqa: BLE001 - WeasyPrint's own failure on what a template made: one line
        raise WeasyPrintStopped(type(exc).__name__) from None
    return pdf, list(fetcher.refused)


def refused_summary(refused: list[str]) -> str:
    """The first three URLs a PDF left out, and how many more."""
    return ", ".join(refused[:3]) + (f" and {len(refused) - 3} more" if len(refused) > 3 else "")
