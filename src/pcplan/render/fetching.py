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
