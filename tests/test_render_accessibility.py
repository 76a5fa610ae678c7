"""Accessibility and print layout of the rendered plan.

* Structure, read with the standard library (always runs): a `lang`, one h1 then
  headings in order, every table with a caption and scoped header cells,
  landmarks, a self-contained page.
* axe-core in headless Chromium (WCAG 2.0/2.1 A and AA, and axe's best
  practices) on a test copy of the page: the Content-Security-Policy meta is
  removed so that the inlined axe.min.js and a small runner may execute; the
  runner writes its JSON result into the DOM, which ``--dump-dom`` prints. The
  same run measures the smallest text in large print (at least 18 pt).
* The PDF, read with pdftotext: page numbers, nothing beyond the page edges
  (long words and addresses wrap), a DRAFT mark on every page of a draft.

Tests that need Chromium, axe-core or pdftotext skip with the reason when it is
missing. CI installs them: ``apt-get install chromium poppler-utils`` and
``npm install --prefix tests/.node axe-core@4`` (or set ``PCPLAN_AXE_JS`` to an
``axe.min.js``).
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CLEAN_MEMBERS, DANNY_PLAN, SAMPLE_CASES, TODAY, CaseRepo, _describe, slow_except
from pcplan.render import RenderError, RenderRequest, render

ELENA = SAMPLE_CASES / "members" / "M-000123"  # Spanish, large print
DANNY = SAMPLE_CASES / "members" / "M-000207"  # English, a rights modification, a guardian
ABDI = SAMPLE_CASES / "members" / "M-000301"  # Somali (no catalogue: English), closed case

PAGES = ["elena-es-large-print", "danny-en", "danny-en-draft", "danny-en-logo", "abdi-en",
         "danny-en-for-signature", "elena-es-large-print-for-signature"]
AXE_PAGES = ["elena-es-large-print", "danny-en", "danny-en-draft", "danny-en-logo",
             "danny-en-for-signature", "elena-es-large-print-for-signature"]
LARGE_PRINT_PAGES = ["elena-es-large-print", "elena-es-large-print-for-signature"]


# ---------------------------------------------------------------------------
# Rendering


def _copy_repository(root: Path, members=CLEAN_MEMBERS) -> Path:
    root.mkdir(parents=True)
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    for member in members:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return root


def _png(width: int = 4, height: int = 2) -> bytes:
    """A small solid PNG (the agency logo), made without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _render(target: Path, out: Path, fmt: str = "html", **options) -> tuple[Path, str]:
    try:
        rendered = render(RenderRequest(target=target, fmt=fmt, output=out, today=TODAY, **options), cwd=out.parent)
    except RenderError as exc:
        if fmt == "pdf" and "WeasyPrint" in str(exc):
            pytest.skip(str(exc))
        raise
    return rendered.path, rendered.language


def _html(target: Path, out: Path, **options) -> tuple[str, str]:
    path, language = _render(target, out, **options)
    return path.read_text(encoding="utf-8"), language


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """The reference plans as HTML: (page, language) by name."""
    out = tmp_path_factory.mktemp("rendered")
    with_logo = _copy_repository(tmp_path_factory.mktemp("logo") / "cases", ["M-000207"])
    (with_logo / "logo.png").write_bytes(_png())
    toml = with_logo / "pcplan.toml"  # top-level keys go before the first [table]
    toml.write_text('logo = "logo.png"\npaper = "a4"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    # Copies for signature: a revision of Danny's plan awaiting signature, Elena's only plan unsigned.
    from conftest import DANNY_DRAFT, danny_draft, unsign_elena

    unsigned = CaseRepo(_copy_repository(tmp_path_factory.mktemp("unsigned") / "cases"))
    danny_draft(unsigned)
    unsign_elena(unsigned)
    return {
        "danny-en-for-signature": _html(unsigned.path(DANNY_DRAFT), out / "danny-sign.html"),
        "elena-es-large-print-for-signature": _html(unsigned.path("members/M-000123"), out / "elena-sign.html"),
        "elena-es-large-print": _html(ELENA, out / "elena.html", lang="es"),
        "danny-en": _html(DANNY, out / "danny.html"),
        "danny-en-draft": _html(DANNY, out / "danny-draft.html", draft=True),
        "danny-en-logo": _html(with_logo / "members" / "M-000207", out / "danny-logo.html"),
        "abdi-en": _html(ABDI, out / "abdi.html"),
    }


# ---------------------------------------------------------------------------
# Structure, read with the standard library


class _Outline(HTMLParser):
    """Headings, tables, images and landmarks of a page, as the parser meets them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.headings: list[int] = []
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self.landmarks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables.append({"caption": False, "th": 0, "th_without_scope": 0, "td": 0, "td_without_label": 0})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            if attributes.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                self.tables[-1]["th_without_scope"] += 1
        elif tag == "td" and self.tables:
            self.tables[-1]["td"] += 1
            if not attributes.get("data-label"):
                self.tables[-1]["td_without_label"] += 1
            self.tables[-1].setdefault("classes", attributes.get("class"))
        elif tag == "img":
            self.images.append(attributes)
        if tag in ("header", "main", "footer", "nav", "aside"):
            self.landmarks.append(tag)


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("name", PAGES)
def test_page_has_its_language_a_title_and_landmarks(pages, name):
    page, language = pages[name]
    outline = _outline(page)
    assert outline.html_lang == language
    assert outline.landmarks.count("main") == 1
    assert outline.landmarks.count("header") == 1 and outline.landmarks.count("footer") == 1
    assert re.search(r"<title>[^<]+</title>", page)


def test_spanish_member_gets_a_spanish_page(pages):
    assert pages["elena-es-large-print"][1] == "es"
    assert '<html lang="es">' in pages["elena-es-large-print"][0]


@pytest.mark.parametrize("name", PAGES)
def test_one_h1_then_headings_in_order(pages, name):
    levels = _outline(pages[name][0]).headings
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}: {levels}"


@pytest.mark.parametrize("name", PAGES)
def test_every_table_has_a_caption_and_scoped_header_cells(pages, name):
    tables = _outline(pages[name][0]).tables
    assert tables, "the plan has tables (supports, team, signatures)"
    for table in tables:
        assert table["caption"], table
        assert table["th"] > 0 and table["th_without_scope"] == 0, table


def test_stacked_tables_name_each_cell(pages):
    """Supports and risks become cards on narrow screens and in large print: each cell carries its column's name."""
    page = pages["danny-en"][0]
    for kind in ("supports", "risks"):
        bodies = re.findall(rf'<table class="{kind}">.*?</table>', page, re.DOTALL)
        assert bodies, kind
        for body in bodies:
            cells = re.findall(r"<td\b[^>]*>", body)
            assert cells and all('data-label="' in cell for cell in cells), cells
    assert 'data-label="How often"' in page and 'data-label="If that does not work"' in page


@pytest.mark.parametrize("name", ["danny-en-for-signature", "elena-es-large-print-for-signature"])
def test_signature_lines_name_each_cell(pages, name):
    """The lines to sign become cards on narrow screens and in large print: each cell carries its column's
    name, so an empty line to sign still says what it is for."""
    page = pages[name][0]
    (table,) = re.findall(r'<table class="signature-lines">.*?</table>', page, re.DOTALL)
    cells = re.findall(r"<td\b[^>]*>", table)
    assert len(cells) >= 8 and all('data-label="' in cell for cell in cells), cells


def test_logo_is_decorative_beside_the_agency_name(pages):
    """The agency's name is printed next to the logo, so a screen reader should not read it twice."""
    page = pages["danny-en-logo"][0]
    images = _outline(page).images
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")
    assert images[0]["alt"] == "" and "Riverside Case Management Agency" in page


def test_large_print_is_only_for_members_who_asked_for_it(pages):
    assert 'class="large-print' in pages["elena-es-large-print"][0]
    assert 'class="large-print' not in pages["danny-en"][0]


def test_draft_is_marked_in_text_and_watermarked(pages):
    draft, plain = pages["danny-en-draft"][0], pages["danny-en"][0]
    assert "draft" in re.search(r"<body[^>]*>", draft).group(0)
    assert "draft" not in re.search(r"<body[^>]*>", plain).group(0)
    # The notice is inside the header landmark, the watermark and the page-top mark are CSS.
    header = re.search(r"<header\b.*?</header>", draft, re.DOTALL).group(0)
    assert 'class="draft-notice"' in header
    assert re.search(r'body\.draft::before \{ content: "DRAFT"; \}', draft)
    assert re.search(r'@top-center \{ content: "DRAFT"; \}', draft)
    assert 'class="draft-notice"' not in plain and "@top-center { content" not in plain


def test_page_is_self_contained(pages):
    for page, _ in pages.values():
        assert 'http-equiv="Content-Security-Policy"' in page
        assert not re.search(r"<(script|link)\b", page, re.IGNORECASE)
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.IGNORECASE)
        assert "@import" not in page and "url(" not in page


# ---------------------------------------------------------------------------
# The PDF: page numbers, nothing off the page, the draft mark


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return found


def _pdf_words(pdf: Path) -> list[dict]:
    """Each page's size and words with their boxes, from `pdftotext -bbox`."""
    xhtml = subprocess.run([_pdftotext(), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    result = []
    for size, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xhtml, re.DOTALL):
        words = [(float(x0), float(y0), float(x1), float(y1), html.unescape(word)) for x0, y0, x1, y1, word in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                            body)]
        result.append({"width": float(size), "words": words, "text": " ".join(w[4] for w in words)})
    return result


LONG_ADDRESS = "https://www.pathways-supported-employment.example.org/programs/job-coaching/individual-placement"
LONG_NAME = "PathwaysSupportedEmploymentIncorporatedOfNorthRiverCounty"


@pytest.mark.parametrize("document_format, paper, width", slow_except(
    [pytest.param(document_format, paper, width, id=f"{document_format}-{paper}-{width}")
     for document_format in ("print", "large_print") for paper, width in (("letter", 612), ("a4", 595))],
    "large_print-a4-595"))
def test_pdf_pages_are_numbered_and_nothing_runs_off_the_page(repo, tmp_path, paper, width, document_format):
    _pdftotext()
    repo.edit("pcplan.toml", 'locale = "en"', f'locale = "en"\npaper = "{paper}"')
    repo.edit("members/M-000207/member.yaml", "document_format: print", f"document_format: {document_format}")
    repo.edit(DANNY_PLAN, "    description: Job coach to negotiate more hours and learn new tasks.",
              f'    description: "Job coach; details at {LONG_ADDRESS}"')
    repo.edit(DANNY_PLAN, "    provider: Pathways Supported Employment", f"    provider: {LONG_NAME}")
    repo.edit(DANNY_PLAN, "name: Pathways Supported Employment,", f"name: {LONG_NAME},")
    pdf, _ = _render(repo.path("members/M-000207"), tmp_path / "danny.pdf", fmt="pdf")
    pages = _pdf_words(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert round(page["width"]) == width, page["width"]
        assert f"Page {number} of {len(pages)}" in page["text"], page["text"][-200:]
        assert "Danny's plan" in page["text"]
        outside = [w for w in page["words"] if w[0] < 0 or w[2] > page["width"] + 0.5]
        assert not outside, f"page {number}: words beyond the page edge: {outside}"


def test_a_refused_plan_renders_as_a_draft_marked_on_every_page(repo, tmp_path):
    _pdftotext()
    repo.edit(DANNY_PLAN, "    needs: [N1]", "    needs: []")
    danny = repo.path("members/M-000207")
    with pytest.raises(RenderError):
        _render(danny, tmp_path / "refused.pdf", fmt="pdf")
    pdf, _ = _render(danny, tmp_path / "draft.pdf", fmt="pdf", draft=True)
    pages = _pdf_words(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        marks = [w for w in page["words"] if w[4] == "DRAFT"]
        assert marks, f"page {number} has no DRAFT mark: {page['text'][:200]}"
        assert min(w[1] for w in marks) < 60, "the DRAFT mark sits in the top margin"  # 60 pt from the top
    assert "this plan is not final" in pages[0]["text"]


# ---------------------------------------------------------------------------
# axe-core in headless Chromium


@pytest.mark.parametrize("width", [1200, 400])
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violation(pages, axe, name, width):
    result = axe(pages[name][0], width)
    assert result["violations"] == [], f"axe-core found violations in {name} at {width} px:\n" + _describe(
        result["violations"])


@pytest.mark.parametrize("width", [1200, 400])
@pytest.mark.parametrize("name", LARGE_PRINT_PAGES)
def test_large_print_has_no_text_under_18pt(pages, axe, name, width):
    smallest = axe(pages[name][0], width)["smallestText"]
    assert smallest["px"] * 0.75 >= 18, smallest  # 1 pt = 4/3 px

