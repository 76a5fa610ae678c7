"""`pcplan report -f pdf` and the rule notes of the report's page (issue 23, item 5).

The PDF is the HTML page printed with WeasyPrint, through render's machinery (a bounded child process, a
URL fetcher that fetches nothing): its text holds the page's headings and numbers, every page its number in
the footer, and its links go to the rule notes. In the HTML, every rule code shown links to a note at the
end of the page that explains the rule as `pcplan rule CODE` does. Expected values come from the report's
JSON, the rule registry and the HTML page, never from the code that prints.
"""

from __future__ import annotations

import html as html_module
import json
import os
import re
import select
import shutil
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_no_network import attempts, offline  # noqa: F401 - offline: the fixture, used by name
from typer.testing import CliRunner

from conftest import SAMPLE_CASES, PdfText, norm, page_count, pdftotext
from pcplan.cli import app
from pcplan.rules import RULES

runner = CliRunner()
AS_OF = ["--today", "2026-11-22"]
CODE = re.compile(r"^[A-Z][0-9]{3}$")


def run(root: Path, *args: str, env: dict | None = None):
    """`pcplan ARGS` in ``root``, with CI unset unless ``env`` sets it: the module's fixture runs outside the
    per-test environment (conftest), and a report under CI lists no members, so pages would differ."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(app, list(args), env={"CI": None, **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(old)


def pdfinfo(pdf: Path, *options: str) -> str:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    return subprocess.run(["pdfinfo", *options, str(pdf)], capture_output=True, check=True, text=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """sample_cases (a copy), its report as JSON and HTML, and as PDF chosen by the file name alone."""
    root = tmp_path_factory.mktemp("formats") / "sample_cases"
    shutil.copytree(SAMPLE_CASES, root)
    pdf = root.parent / "caseload.pdf"
    result = run(root, "report", *AS_OF, "-o", str(pdf))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"pcplan: wrote the pdf report to {pdf}\n"
    data = json.loads(run(root, "report", *AS_OF, "-f", "json").stdout)
    page = run(root, "report", *AS_OF, "-f", "html").stdout
    return root, pdf, data, page


class _Page(HTMLParser):
    """The page's ids, its in-page links, its headings, and each rule code written in a ``<code>`` element
    outside the charts (an image) with the link it is in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.headings: list[str] = []
        self.codes: list[tuple[str, str | None]] = []  # (code, the href of the <a> around it, or the note's id)
        self._href: list[str | None] = []
        self._svg = 0
        self._code: list[str] | None = None
        self._heading: list[str] | None = None
        self._heading_id: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "svg":
            self._svg += 1
        elif tag == "a":
            self._href.append(a.get("href"))
            if (a.get("href") or "").startswith("#"):
                self.links.append(a["href"][1:])
        elif tag == "code" and not self._svg:
            self._code = []
        elif tag in ("h1", "h2", "h3"):
            self._heading = []
            self._heading_id = a.get("id")

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
        elif tag == "a":
            self._href.pop()
        elif tag == "code" and self._code is not None:
            text = "".join(self._code).strip()
            if CODE.match(text):  # in a link, or the heading of its own note
                self.codes.append((text, self._href[-1] if self._href else f"#{self._heading_id}"))
            self._code = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(norm("".join(self._heading)))
            self._heading = None

    def handle_data(self, data):
        for part in (self._code, self._heading):
            if part is not None:
                part.append(data)


def parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


def member_names(root: Path) -> list[tuple[str, str]]:
    """(legal, preferred) of each member of the repository, read from member.yaml."""
    found = []
    for member in sorted((root / "members").glob("*/member.yaml")):
        text = member.read_text(encoding="utf-8")
        found.append((re.search(r"^  legal: (.+)$", text, re.M)[1], re.search(r"^  preferred: (.+)$", text, re.M)[1]))
    return found


def pdf_link_targets(pdf: Path) -> list[str]:
    """The named destinations the PDF's links go to (``/Dest (rule-T205)``), read from its streams."""
    data = pdf.read_bytes()
    found: list[str] = []
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            text = zlib.decompressobj().decompress(data[match.end():match.end() + 4_000_000])
        except zlib.error:
            continue
        if b"/Link" in text:
            found += [m.decode() for m in re.findall(rb"/Dest \(([^)]*)\)", text)]
    return found


# -- the PDF ----------------------------------------------------------------------------------------------------


def test_the_pdf_is_the_html_page_printed(printed):
    root, pdf, data, page = printed
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    pages = page_count(pdf)
    assert pages == EXPECTED_PAGES
    assert re.search(r"^Page size:\s+612 x 792 pts \(letter\)", pdfinfo(pdf), re.M)  # pcplan.toml: no paper
    for number in range(1, pages + 1):  # the footer of every page: the report's date and the page number
        text = norm(pdftotext(pdf, page=number))
        assert f"Page {number} of {pages}" in text and "Caseload report, 2026-11-22" in text, number
    text = PdfText(pdf)
    headings = parse(page).headings
    assert headings[0] == "Caseload report" and "The rules in this report" in headings
    missing = [heading for heading in headings if not text.has(heading)]
    assert not missing, missing
    c = data["compliance"]
    assert (c["compliant_members"], c["active_members"], data["findings"]["total"], data["findings"]["error"]) \
        == (2, 7, 44, 25)
    for phrase in ("Riverside Case Management Agency", "Aggregate review of client services as of 22 November 2026",
                   "28.6% (2 of 7)", "44 (25 errors)", "Jordan Lee (cm-jlee)", "Olu Bello (cm-obello)"):
        assert text.has(phrase), phrase
    assert "Nursing-facility" not in text  # ids and counts, never a member's words
    notes = next(n for n in range(1, pages + 1) if "The rules in this report" in pdftotext(pdf, page=n))
    before_notes = norm(" ".join(pdftotext(pdf, page=n) for n in range(1, notes)))
    for legal, preferred in member_names(root):  # (the notes are pcplan's words: "Elena (member)", an example)
        assert legal not in " ".join(text.texts) and not re.search(rf"\b{re.escape(preferred)}\b", before_notes)


def test_the_rule_notes_begin_on_a_page_of_their_own(printed):
    _, pdf, _, _ = printed
    first = next(n for n in range(1, page_count(pdf) + 1) if "The rules in this report" in pdftotext(pdf, page=n))
    assert norm(pdftotext(pdf, page=first)).startswith("The rules in this report What each rule named above")


def test_pdf_links_go_to_the_rule_notes(printed):
    _, pdf, data, page = printed
    shown = {row["code"] for row in data["findings_by_rule"]}
    destinations = set(re.findall(r'"([^"]+)"$', pdfinfo(pdf, "-dests"), re.M))
    assert {f"rule-{code}" for code in shown} <= destinations
    targets = pdf_link_targets(pdf)
    assert targets and set(targets) <= destinations
    # The page's links, each a link of the PDF (the tables' codes, and a note's mention of another rule).
    assert set(targets) == set(parse(page).links)
    assert {t for t in targets if t.startswith("rule-")} == {f"rule-{code}" for code in shown}


def test_the_same_report_gives_the_same_bytes_to_stdout(printed):
    root, pdf, _, _ = printed
    for args in (["-o", "-"], []):  # `-o -`, and no -o where standard output is not a terminal (a pipe)
        result = run(root, "report", *AS_OF, "-f", "pdf", *args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout_bytes == pdf.read_bytes()
        assert result.stderr == ""


def test_a_terminal_gets_no_pdf(tmp_path):
    """Without -o, a PDF is not written to a terminal: exit 2 and a message asking for -o (the bytes would
    garble the terminal); nothing is written to it."""
    if not hasattr(os, "openpty"):
        pytest.skip("no pseudo-terminals here")
    main, terminal = os.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "pcplan", "report", *AS_OF, "-f", "pdf"], cwd=SAMPLE_CASES,
                                 stdout=terminal, stderr=subprocess.PIPE, text=True, timeout=120)
        ready, _, _ = select.select([main], [], [], 0.5)
        written = os.read(main, 65536) if ready else b""
    finally:
        os.close(main)
        os.close(terminal)
    assert process.returncode == 2
    assert process.stderr == ("pcplan: a PDF is not text and would garble the terminal; write it to a file with -o "
                              "FILE (such as -o report.pdf) or pipe it (-o - writes it here anyway)\n")
    assert written == b""


def test_paper_follows_pcplan_toml_and_a_clean_caseload_has_no_notes(repo, tmp_path):
    repo.edit("pcplan.toml", 'locale = "en"\n', 'locale = "en"\npaper = "a4"\n')
    pdf = tmp_path / "caseload.pdf"
    result = run(repo.root, "report", *AS_OF, "-f", "pdf", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", pdfinfo(pdf), re.M)
    text = PdfText(pdf)
    assert "No open findings: no rule is broken." in text and "The rules in this report" not in text
    assert pdf_link_targets(pdf) == []
    page = run(repo.root, "report", *AS_OF, "-f", "html").stdout
    assert 'href="#rule-' not in page and 'id="rules-explained"' not in page


def test_the_name_and_the_format_must_agree(printed, tmp_path):
    root, _, _, _ = printed
    result = run(root, "report", *AS_OF, "-f", "pdf", "-o", str(tmp_path / "caseload.html"))
    assert result.exit_code == 2 and "--output-format is pdf" in result.stderr
    assert not (tmp_path / "caseload.html").exists()


def test_a_print_that_fails_says_so_in_one_line(printed, tmp_path, monkeypatch):
    """The PDF is made in a child process (pcplan.render.bounds.isolated): a child that dies (as one stopped
    at a bound does) leaves one line, exit 2 and no file."""
    from pcplan.caseload import report_pdf

    root, _, _, _ = printed
    monkeypatch.setattr(report_pdf, "_print", lambda page: os.kill(os.getpid(), 9))
    target = tmp_path / "caseload.pdf"
    result = run(root, "report", *AS_OF, "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == ("pcplan: the PDF could not be made: making the page went past pcplan's bounds (60 "
                             "seconds of CPU time, 1,024 MB of memory) and was stopped; print a smaller part of the "
                             "caseload (a folder, or --case-manager ID), or write html\n")
    assert not target.exists() and result.stdout == ""


def test_an_agency_template_past_a_bound_prints_nothing(repo, tmp_path):
    """The page is made by the same bounded sandbox as the html format: one line naming the template."""
    repo.write("agency/report.html.j2", "<p>{{ 9 ** 99999999 }}</p>\n")
    repo.edit("pcplan.toml", 'locale = "en"\n', 'locale = "en"\ntemplates = "agency"\n')
    target = tmp_path / "caseload.pdf"
    result = run(repo.root, "report", *AS_OF, "-o", str(target))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("pcplan: agency/report.html.j2:1: stopped by pcplan's template bounds: `**` "
                                    "would make") and result.stderr.count("\n") == 1
    assert not target.exists()


def test_printing_reaches_no_network_and_no_file(printed, tmp_path, offline):  # noqa: F811 - the fixture
    """In a Python whose sockets refuse to connect: the PDF is made, and an agency stylesheet's addresses (a
    web image, a local file) are left out and named, never fetched."""
    root, _, _, _ = printed
    agency = tmp_path / "agency"
    shutil.copytree(root, agency)
    (agency / "pcplan.toml").write_text((agency / "pcplan.toml").read_text(encoding="utf-8").replace(
        'locale = "en"\n', 'locale = "en"\ntemplates = "look"\n'), encoding="utf-8")
    (agency / "look").mkdir()
    (agency / "look" / "report.css").write_text(
        'body { background-image: url("http://192.0.2.1/tracker.png"); }\n'
        'h1 { background-image: url("file:///etc/hostname"); }\n', encoding="utf-8")
    folder, log, env = offline
    target = tmp_path / "caseload.pdf"
    commands = [[str(agency), ["report", *AS_OF, "-o", str(target)]]]
    process = subprocess.run([sys.executable, str(folder / "driver.py"), json.dumps(commands)], capture_output=True,
                             text=True, env=env, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    [outcome] = json.loads(process.stdout)
    assert outcome["code"] == 0, outcome["stderr"]
    assert target.read_bytes().startswith(b"%PDF")
    assert len(attempts(log)) == 3, attempts(log)  # the driver's own probes, and nothing after them
    assert ("pcplan: the PDF leaves out what a template refers to outside the report (file:///etc/hostname, "
            "http://192.0.2.1/tracker.png): pcplan fetches nothing, from the network or from files\n") in outcome["stderr"]


# -- rule codes link to their notes -------------------------------------------------------------------------


def test_every_rule_code_shown_links_to_its_note(printed):
    _, _, data, page = printed
    parsed = parse(page)
    dangling = [target for target in parsed.links if target not in parsed.ids]
    assert not dangling, dangling
    unlinked = [(code, href) for code, href in parsed.codes if href != f"#rule-{code}"]
    assert not unlinked, unlinked  # (a note's heading counts as its own anchor)
    notes = {i[len("rule-"):] for i in parsed.ids if i.startswith("rule-") and CODE.match(i[len("rule-"):])}
    assert notes == {code for code, _ in parsed.codes}  # a note for each rule code the page shows, and no other
    shown = {row["code"] for row in data["findings_by_rule"]}
    assert len(shown) == 37 and {row["code"] for row in data["top_rules"]} <= shown <= notes
    # Each row of "Findings per rule" and of the top ten links its code, and each note's heading shows it.
    for code in shown:
        linked = sum(1 for c, href in parsed.codes if c == code and href == f"#rule-{code}")
        assert linked == 2 + any(row["code"] == code for row in data["top_rules"]), code


def test_a_note_says_what_pcplan_rule_says(printed):
    _, _, _, page = printed
    start = page.index('<h3 id="rule-T205">')
    note = page[start:page.index("</div>", start)]
    words = norm(html_module.unescape(re.sub(r"<[^>]+>", "", note)))
    rule = RULES["T205"]
    assert words.startswith(f"T205 {rule.name} Source: {rule.source} {norm(rule.summary.replace('`', ''))}")
    assert f"Why it matters. {norm(rule.why.replace('`', ''))}" in words
    assert f"How to fix. {norm(rule.fix.replace('`', '').replace('*', ''))}" in words
    # Its code spans are code, its mention of another rule the report names (N802) a link to that note.
    assert "<code>monitoring.contacts</code>" in note and '<a href="#rule-N802">N802</a>' in note
    assert "`" not in note


def test_rule_text_is_escaped():
    """A rule's words are pcplan's, but they are escaped like everything else the page writes."""
    from pcplan.caseload.report_rules import inline

    assert str(inline("a <b> & `x < y` *gap* 2*3")) == \
        "a &lt;b&gt; &amp; <code>x &lt; y</code> <em>gap</em> 2*3"


# sample_cases as of 2026-11-22 on Letter: the report's sections (measures, trends, timeliness, findings,
# overdue work), a worklist page per case manager (2), and the rule notes (9 pages in two columns). A section
# added to the page changes it: look at the pages (docs/report.md, "PDF") and set the new count.
EXPECTED_PAGES = 21
