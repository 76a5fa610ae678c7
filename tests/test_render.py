"""`pcplan render` as a case manager runs it: every reference member to HTML, PDF and
Markdown; what the member reads in each (read back from the PDF with pdftotext);
escaping of anything typed into a case file; refusal, drafts, never overwriting,
atomic writes, targets, agency configuration and reproducible output.

These tests hold whatever the stylesheet and markup look like: they read text,
not layout. English text is asserted only on plans rendered with ``--lang en``.
"""

from __future__ import annotations

import base64
import importlib
import os
import re
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import (
    CLEAN_MEMBERS,
    DANNY_PLAN,
    ELENA_PLAN,
    EN,
    PROJECT,
    SAMPLE_CASES,
    TODAY,
    CaseRepo,
    PdfText,
    html_text,
    markdown_html,
    norm,
    page_count,
    pdftotext,
    render_cli,
    slow_except,
    written,
)
from pcplan.render import RenderRequest, render

MEMBERS = {  # member id -> (preferred name, plan file inside the member folder)
    "M-000123": ("Elena", "plan-2026-09-03.yaml"),
    "M-000207": ("Danny", "plan-2026-05-20.yaml"),
    "M-000301": ("Abdi", "plan-2026-02-02.yaml"),
}
assert set(MEMBERS) == set(CLEAN_MEMBERS)

# The English words templates/vocabulary.j2 uses for each `frequency` of the plan schema.
FREQUENCY = {"once": "once", "daily": "every day", "weekly": "every week", "biweekly": "every two weeks",
             "monthly": "every month", "quarterly": "every three months", "yearly": "every year",
             "as_needed": "when needed"}

# The next review: Elena's plan of 2026-09-03 + 6 months (no review held yet);
# Danny's last review 2026-11-05 + 3 months.
NEXT_REVIEW = {"M-000123": "March 3, 2027", "M-000207": "February 5, 2027"}

# A 1x1 transparent PNG.
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


# --------------------------------------------------------------------------- helpers


def load(repo_root: Path, relative: str):
    return yaml.safe_load((repo_root / relative).read_text(encoding="utf-8"))


def yaml11_on(node):
    """PyYAML reads the key `on` (a rights modification's consent.on) as True: put it back."""
    if isinstance(node, dict):
        if True in node:
            node["on"] = node.pop(True)
        for value in node.values():
            yaml11_on(value)
    elif isinstance(node, list):
        for value in node:
            yaml11_on(value)
    return node


def expected_content(root: Path, member: str) -> dict:
    """What a member's plan must say, read from the case files (not from pcplan)."""
    folder = root / "members" / member
    person = load(folder, "member.yaml")
    plan = load(folder, MEMBERS[member][1])
    supports = [(s["description"], f"{s['amount']} {s['unit']}", FREQUENCY[s["frequency"]])
                for s in plan.get("supports") or []]
    return {
        "preferred": person["name"]["preferred"],
        "legal": person["name"]["legal"],
        "own_words": [g["own_words"] for g in plan["goals"]],
        "supports": supports,
        "next_review": NEXT_REVIEW.get(member),
    }


def new_files(folder: Path, before: set[str]) -> set[str]:
    return {p.name for p in folder.iterdir()} - before


# --------------------------------------------------------------------------- fixtures

def _reference_repo(base: Path) -> CaseRepo:
    """The clean reference repository, as conftest's ``repo`` builds it (shared by read-only tests)."""
    root = base / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return CaseRepo(root)


@pytest.fixture
def out(tmp_path) -> Path:
    """An empty output folder (``repo`` lives in tmp_path/cases)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> CaseRepo:
    return _reference_repo(tmp_path_factory.mktemp("reference"))


class _English(dict):
    """(member, format) -> the member's plan rendered in English, each rendered once, when a test first asks."""

    def __init__(self, reference: CaseRepo, out: Path) -> None:
        super().__init__()
        self.reference, self.out = reference, out

    def __missing__(self, key: tuple[str, str]) -> Path:
        member, fmt = key
        result = render_cli(self.reference.root, self.reference.path(f"members/{member}"), *EN, "-f", fmt,
                            "--output", str(self.out))
        self[key] = written(result)
        return self[key]


@pytest.fixture(scope="module")
def english(reference, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every reference member rendered in English in every format, once for the module."""
    return _English(reference, tmp_path_factory.mktemp("english"))


# Every member in every format is marked slow but Elena's (each format, and each reader's check of her plan).
EACH_MEMBER = slow_except(MEMBERS, "M-000123")


# --------------------------------------------------------------------------- 1. every member, every format

@pytest.mark.parametrize("fmt", ["html", "pdf", "md"])
@pytest.mark.parametrize("member", EACH_MEMBER)
def test_each_reference_member_renders(reference, tmp_path, member, fmt):
    """In the member's own language (or English with a notice), into the folder -o names (the default,
    printed/ at the root, is tests/test_outputs.py's)."""
    result = render_cli(tmp_path, reference.path(f"members/{member}"), "-f", fmt, "-o", str(tmp_path))
    path = written(result)
    assert path.is_file()
    assert path.parent == tmp_path.resolve()
    assert re.fullmatch(rf"{member}-{Path(MEMBERS[member][1]).stem}\.[a-z]{{2,3}}(-\w+)?\.{fmt}", path.name), path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing else, no temporary file
    data = path.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")
    elif fmt == "html":
        html = data.decode("utf-8")
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert re.search(r"<html\b[^>]*\blang=\"[a-z]{2,3}(-[A-Za-z0-9]+)?\"", html)
        assert "<head" in html and "<body" in html and html.rstrip().endswith("</html>")
        assert MEMBERS[member][0] in html_text(html)
    else:
        text = data.decode("utf-8")
        assert text.startswith("#") or text.startswith(">")  # a heading (or the draft notice) first
        assert MEMBERS[member][0] in text


def test_a_member_without_a_catalogue_gets_english_and_a_notice(reference, tmp_path):
    """Abdi prefers Somali; with no Somali catalogue the plan is English and stderr says so."""
    result = render_cli(tmp_path, reference.path("members/M-000301"), "-o", str(tmp_path))
    path = written(result)
    assert path.name == "M-000301-plan-2026-02-02.en.html"
    assert "so" in result.stderr and "English" in result.stderr
    assert "Abdi's plan" in html_text(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- 2. what the member reads

def _check_supports_row_by_row(html: str, expected: dict) -> None:
    """Each support's amount and frequency are in the same table row or list item as its description."""
    rows = [html_text(m.group(0)) for m in re.finditer(r"<(tr|li)\b.*?</\1>", html, re.S)]
    for description, amount, frequency in expected["supports"]:
        mine = [row for row in rows if norm(description) in row]
        if mine:  # (markup without rows or items is checked on the whole text only)
            assert any(amount in row and frequency in row for row in mine), (description, amount, frequency, mine)


def _check_content(text_has, text_lacks, expected: dict) -> None:
    assert text_has(expected["preferred"]), f"the preferred name {expected['preferred']!r} is missing"
    legal_first = expected["legal"].split()[0]
    if legal_first != expected["preferred"]:
        assert text_lacks(legal_first), f"the legal first name {legal_first!r} appears; use the preferred name"
    assert text_lacks(expected["legal"])
    for words in expected["own_words"]:
        assert text_has(words), f"goal in the member's own words missing: {words!r}"
    for description, amount, frequency in expected["supports"]:
        assert text_has(amount), f"support amount missing: {amount!r}"
        assert text_has(frequency), f"support frequency missing: {frequency!r}"
        assert text_has(description), f"support missing: {description!r}"
    if expected["next_review"]:
        assert text_has(expected["next_review"]), f"next review date missing: {expected['next_review']!r}"


@pytest.mark.parametrize("member", EACH_MEMBER)
def test_pdf_says_what_the_member_needs_to_read(reference, english, member):
    pdf = PdfText(english[member, "pdf"])
    _check_content(pdf.has, lambda phrase: not any(phrase in t for t in pdf.texts),
                   expected_content(reference.root, member))
    assert f"{MEMBERS[member][0]}'s plan" in pdf


@pytest.mark.parametrize("member", list(MEMBERS))
def test_html_says_what_the_member_needs_to_read(reference, english, member):
    html = english[member, "html"].read_text(encoding="utf-8")
    text = html_text(html)
    expected = expected_content(reference.root, member)
    _check_content(lambda phrase: norm(phrase) in text, lambda phrase: norm(phrase) not in text, expected)
    _check_supports_row_by_row(html, expected)
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and MEMBERS[member][0] in title.group(1)
    assert re.search(r"<h1\b", html)


@pytest.mark.parametrize("member", list(MEMBERS))
def test_markdown_says_what_the_member_needs_to_read(reference, english, member):
    md = english[member, "md"].read_text(encoding="utf-8")
    as_html = markdown_html(md)  # as a reader of the Markdown sees it (escapes resolved)
    text = html_text(as_html)
    expected = expected_content(reference.root, member)
    _check_content(lambda phrase: norm(phrase) in text, lambda phrase: norm(phrase) not in text, expected)
    _check_supports_row_by_row(as_html, expected)


def test_pdf_review_date_and_name_in_english(english):
    """Spot checks in plain words: the review promise and the heading addressed to the member."""
    elena = PdfText(english["M-000123", "pdf"])
    assert "Elena's plan" in elena
    assert "March 3, 2027" in elena
    danny = PdfText(english["M-000207", "pdf"])
    assert "Danny's plan" in danny
    assert "February 5, 2027" in danny


# --------------------------------------------------------------------------- 3. payloads

PAYLOAD = ('{marker} <script>alert(1)</script> <img src=x onerror=alert(2)> "><b>bold</b> {{{{ 7*7 }}}} '
           '[link](javascript:alert(3)) **bold**')

# Keys whose values are ids, references, dates, enums or schedules: kept so the case still checks.
KEEP_KEYS = {"kind", "id", "member", "date", "type", "assessment", "needs", "strengths", "goals", "risk", "barrier",
             "need", "staff", "by", "responsible", "facilitator", "status", "frequency", "method", "format",
             "authority", "domain", "sources", "outcome", "level", "document_format", "identity_language",
             "review_every", "every", "rule", "about", "program", "fingerprint", "assessor", "assigned_by",
             "determined_by", "language", "contact", "goal"}

# Fields the member's plan shows (dotted paths, list indexes as `N`).
SHOWN = [r"member\.name\.preferred", r"assessment\.important_to_me", r"assessment\.strengths\.N\.text",
         r"assessment\.risks\.N\.text", r"plan\.what_matters", r"plan\.meeting\.place",
         r"plan\.meeting\.participants\.N\.(name|role)", r"plan\.goals\.N\.own_words",
         r"plan\.goals\.N\.objectives\.N\.(text|measure)", r"plan\.supports\.N\.(description|provider|unit)",
         r"plan\.risk_mitigations\.N\.(mitigation|backup_plan)",
         r"plan\.rights_modifications\.N\.(right|assessed_need|prior_interventions|less_intrusive_methods|"
         r"condition|data_collection|no_harm_assurance)", r"plan\.rights_modifications\.N\.consent\.given_by",
         r"plan\.signatures\.N\.name", r"plan\.distribution\.N\.to"]


class Payloads:
    """Replace every free-text string with a payload; equal texts get the same payload (names cross-refer)."""

    def __init__(self) -> None:
        self.by_text: dict[str, str] = {}
        self.paths: dict[str, list[str]] = {}  # marker -> dotted paths

    def payload(self, original: str, path: str) -> str:
        if original not in self.by_text:
            marker = f"ZQ{len(self.by_text) + 1:03d}"
            self.by_text[original] = marker
            self.paths[marker] = []
        marker = self.by_text[original]
        self.paths[marker].append(path)
        return PAYLOAD.format(marker=marker)

    def walk(self, node, path: str):
        if isinstance(node, dict):
            for key, value in list(node.items()):
                here = f"{path}.{key}"
                if isinstance(value, str):
                    if key in KEEP_KEYS or path.endswith(".language") or (
                            key == "role" and (value == "member" or ".signatures" in path or ".distribution" in path)):
                        continue
                    node[key] = self.payload(value, here)
                else:
                    self.walk(value, here)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                here = f"{path}.{index}"
                if isinstance(value, str):
                    if path.rsplit(".", 1)[-1] in KEEP_KEYS:
                        continue
                    node[index] = self.payload(value, here)
                else:
                    self.walk(value, here)

    def shown(self, markdown: bool = False) -> dict[str, str]:
        """marker -> its payload, for the markers of fields the plan shows (the Markdown has no meeting place)."""
        patterns = [re.compile(p.replace(r"\.N\.", r"\.\d+\.") + r"\Z") for p in SHOWN
                    if not (markdown and "meeting" in p and "place" in p)]
        return {marker: PAYLOAD.format(marker=marker) for marker, paths in self.paths.items()
                if any(p.match(path) for p in patterns for path in paths)}


@pytest.fixture
def payload_repo(repo):
    """Danny's member file, assessment, plan and notes with a payload in every free-text field (the notes too,
    so their `with: [Danny]` still names him: a contact counts only when the member took part)."""
    payloads = Payloads()
    notes = sorted(p.relative_to(repo.root).as_posix() for p in repo.path("members/M-000207/notes").glob("*.yaml"))
    for kind, relative in (("member", "members/M-000207/member.yaml"),
                           ("assessment", "members/M-000207/assessment-2026-05-06.yaml"),
                           ("plan", DANNY_PLAN), *(("note", note) for note in notes)):
        data = load(repo.root, relative)
        payloads.walk(yaml11_on(data), kind)
        repo.write(relative, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000))
    errors = [f for f in repo.check("members/M-000207") if f.severity == "error"]
    draft = ["--draft"] if errors else []
    return repo, payloads, draft


def test_payload_fixture_keeps_the_case_valid(payload_repo):
    """The payloads went only into free text: ids, dates, enums and references still check."""
    repo, payloads, draft = payload_repo
    assert not draft, "the payload fixture broke the case"
    assert len(payloads.shown()) >= 30


def test_html_shows_every_payload_as_text(payload_repo, out):
    repo, payloads, draft = payload_repo
    html = written(render_cli(repo.root, repo.path("members/M-000207"), *EN, *draft,
                              "--output", str(out / "plan.html"))).read_text(encoding="utf-8")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>bold" not in lowered
    assert '"><b>' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"\son\w+\s*=", re.sub(r">[^<]*<", "><", html)), "an event handler attribute in a tag"
    assert "javascript:" not in " ".join(re.findall(r"<[^>]+>", html)), "javascript: inside a tag"
    text = html_text(html)
    for marker, payload in payloads.shown().items():
        assert norm(payload) in text, f"{marker} ({payloads.paths[marker]}) not shown as written"
    assert text.count("{{ 7*7 }}") >= len(payloads.shown())
    assert not re.search(r"\b49\b", text), "a template expression from a case file was evaluated"


def test_markdown_escapes_every_payload(payload_repo, out):
    repo, payloads, draft = payload_repo
    md = written(render_cli(repo.root, repo.path("members/M-000207"), *EN, *draft, "-f", "md",
                            "--output", str(out / "plan.md"))).read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(script|img|b>|/)", md), "raw HTML in the Markdown"
    assert "[link](javascript:" not in md
    assert "**bold**" not in md
    for marker in payloads.shown(markdown=True):
        assert marker in md, f"{marker} ({payloads.paths[marker]}) missing from the Markdown"
    as_html = markdown_html(md)
    for live in ("<script", "<img", "<b>", "<a ", 'href="javascript', "<strong>bold</strong>", "<em>bold"):
        assert live not in as_html, f"{live} became markup"
    text = html_text(as_html)
    assert text.count("{{ 7*7 }}") >= len(payloads.shown())
    assert not re.search(r"\b49\b", text)


def test_markdown_shows_text_inside_vocabulary_macros_as_written(repo, out):
    repo.edit(DANNY_PLAN, "    unit: sessions\n", "    unit: sessions (1 hour)\n")
    repo.edit(DANNY_PLAN, "role: host home provider,", "role: host home provider (Lydia's),")
    md = written(render_cli(repo.root, repo.path("members/M-000207"), *EN, "-f", "md",
                            "--output", str(out / "plan.md"))).read_text(encoding="utf-8")
    text = html_text(markdown_html(md))
    assert "2 sessions (1 hour)" in text
    assert "host home provider (Lydia's)" in text


@pytest.mark.parametrize("strength", ["1. Loves bowling and keeps score.", "- Loves bowling.", "---",
                                      "Calls it the R&amp;R hour."])
def test_markdown_shows_block_syntax_and_entities_as_text(repo, out, strength):
    repo.edit("members/M-000207/assessment-2026-05-06.yaml",
              "    text: Loves bowling and keeps track of league scores.",
              "    text: '" + strength.replace("'", "''") + "'")
    md = written(render_cli(repo.root, repo.path("members/M-000207"), *EN, "-f", "md",
                            "--output", str(out / "plan.md"))).read_text(encoding="utf-8")
    # the list under "Danny's strengths" (the same words also appear inline, after "Strengths this goal builds on:")
    section = markdown_html(md).split("<h2>Danny's strengths</h2>", 1)[1].split("<h2>", 1)[0]
    assert norm(strength) in html_text(section)


def test_pdf_page_footer_shows_the_name_as_written(repo, out):
    repo.edit("members/M-000207/member.yaml", "  preferred: Danny\n", "  preferred: \"D'Andre & Dee\"\n")
    pdf = written(render_cli(repo.root, repo.path("members/M-000207"), *EN, "-f", "pdf",
                             "--output", str(out / "plan.pdf")))
    for page in range(1, page_count(pdf) + 1):
        text = norm(pdftotext(pdf, page=page))
        assert "&#39;" not in text and "&amp;" not in text, f"page {page}: {text[-120:]}"
        assert "D'Andre & Dee's plan" in text, f"page {page}"


# --------------------------------------------------------------------------- 4. refusal and drafts

@pytest.fixture
def elena_with_error(repo):
    """L101: goal G1 cites no assessed need (an error)."""
    repo.edit(ELENA_PLAN, "    needs: [N1]\n", "    needs: []\n")
    assert "L101" in [f.code for f in repo.check("members/M-000123") if f.severity == "error"]
    return repo


@pytest.mark.parametrize("fmt", ["html", "pdf", "md"])
def test_a_plan_with_errors_is_refused(elena_with_error, out, fmt):
    repo = elena_with_error
    before_root = {p.name for p in repo.root.iterdir()}
    result = render_cli(repo.root, "members/M-000123", *EN, "-f", fmt)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    assert re.search(r"members/M-000123/plan-2026-09-03\.yaml:\d+:\d+: L101\b", result.stderr), result.stderr
    assert "--draft" in result.stderr
    assert new_files(repo.root, before_root) == set()
    assert not list(repo.root.rglob(f"*.{fmt}"))
    result = render_cli(repo.root, "members/M-000123", *EN, "-f", fmt, "--output", str(out))
    assert result.exit_code == 1
    assert list(out.iterdir()) == []


def test_draft_html_has_notice_and_class(elena_with_error, out):
    html = written(render_cli(elena_with_error.root, "members/M-000123", *EN, "--draft",
                              "--output", str(out))).read_text(encoding="utf-8")
    assert re.search(r"\bclass=\"[^\"]*\bdraft\b", html)
    assert "DRAFT" in html_text(html)


def test_draft_markdown_has_notice(elena_with_error, out):
    md = written(render_cli(elena_with_error.root, "members/M-000123", *EN, "--draft", "-f", "md",
                            "--output", str(out))).read_text(encoding="utf-8")
    assert "DRAFT" in md.split("\n## ")[0]  # before the first section


def test_draft_pdf_has_watermark_on_every_page(elena_with_error, out):
    pdf = written(render_cli(elena_with_error.root, "members/M-000123", *EN, "--draft", "-f", "pdf",
                             "--output", str(out)))
    pages = page_count(pdf)
    assert pages >= 2  # a real multi-page check
    for page in range(1, pages + 1):
        # -raw keeps the rotated watermark's letters in drawing order
        assert "DRAFT" in pdftotext(pdf, "-raw", page=page).replace(" ", ""), f"no DRAFT watermark on page {page}"


def test_a_clean_plan_has_no_draft_marks(english):
    html = english["M-000207", "html"].read_text(encoding="utf-8")
    assert "DRAFT" not in html_text(html)
    assert not re.search(r"\bclass=\"[^\"]*\bdraft\b", html)
    for page in range(1, page_count(english["M-000207", "pdf"]) + 1):
        assert "DRAFT" not in pdftotext(english["M-000207", "pdf"], "-raw", page=page).replace(" ", "")


# --------------------------------------------------------------------------- 5. output paths

def test_never_overwrites_without_force(repo, out):
    target = out / "danny.html"
    first = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(target)))
    assert first == target
    original = target.read_bytes()
    repo.edit(DANNY_PLAN, "what_matters: I want to work more,", "what_matters: I want to work much more,")

    again = render_cli(repo.root, "members/M-000207", *EN, "--output", str(target))
    assert again.exit_code == 2
    assert "--force" in again.stderr
    assert again.stdout == ""
    assert target.read_bytes() == original
    assert sorted(p.name for p in out.iterdir()) == ["danny.html"]

    forced = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(target), "--force"))
    assert forced == target
    assert target.read_bytes() != original
    assert "I want to work much more" in html_text(target.read_text(encoding="utf-8"))


def test_default_name_in_printed_is_not_overwritten_either(repo):
    path = written(render_cli(repo.root, "members/M-000123", *EN, "-f", "md"))
    assert path == repo.root.resolve() / "printed" / "M-000123-plan-2026-09-03.en.md"
    original = path.read_bytes()
    result = render_cli(repo.root, "members/M-000123", *EN, "-f", "md")
    assert result.exit_code == 2
    assert path.read_bytes() == original


def test_output_folder_gets_the_default_name(repo, out):
    path = written(render_cli(repo.root, "members/M-000123", *EN, "--output", str(out)))
    assert path == out / "M-000123-plan-2026-09-03.en.html"
    assert path.is_file()
    assert [p.name for p in out.iterdir()] == [path.name]


def test_output_file_is_written_as_named(repo, out):
    target = out / "for-elena.htm"
    path = written(render_cli(repo.root, "members/M-000123", *EN, "--output", str(target)))
    assert path == target and target.is_file()
    assert "Elena" in html_text(target.read_text(encoding="utf-8"))


def test_output_inside_git_is_refused(repo):
    (repo.root / ".git").mkdir()
    for output in (".git/plan.html", ".git"):
        result = render_cli(repo.root, "members/M-000123", *EN, "--output", output, "--force")
        assert result.exit_code == 2, output
        assert ".git" in result.stderr
    assert list((repo.root / ".git").iterdir()) == []


@pytest.mark.parametrize("existing", [DANNY_PLAN, "members/M-000207/member.yaml", "staff.yaml"])
def test_output_onto_a_case_file_is_refused_even_with_force(repo, existing):
    original = repo.path(existing).read_bytes()
    for force in ([], ["--force"]):
        result = render_cli(repo.root, "members/M-000207", *EN, "--output", existing, *force)
        assert result.exit_code == 2, result.stdout
        assert existing.rsplit("/", 1)[-1] in result.stderr
        assert repo.path(existing).read_bytes() == original


def test_output_into_a_missing_folder_is_refused(repo, out):
    result = render_cli(repo.root, "members/M-000207", *EN, "--output", str(out / "nope" / "plan.html"))
    assert result.exit_code == 2
    assert not (out / "nope").exists()


def test_written_file_has_normal_permissions(repo, out):
    old = os.umask(0o022)
    try:
        path = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(out)))
    finally:
        os.umask(old)
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode != 0o600
    assert mode == 0o644


def test_force_keeps_the_mode_of_the_file_it_replaces(repo, out):
    target = out / "plan.md"
    written(render_cli(repo.root, "members/M-000207", *EN, "-f", "md", "--output", str(target)))
    target.chmod(0o640)
    written(render_cli(repo.root, "members/M-000207", *EN, "-f", "md", "--output", str(target), "--force"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- 6. atomic writes

class Boom(RuntimeError):
    pass


def _boom(*args, **kwargs):
    raise Boom("interrupted")


@pytest.mark.parametrize("fmt, patch", slow_except([
    ("pdf", "pcplan.render._pdf"),                            # while making the PDF
    ("html", "pcplan.render.templating.render_template"),     # while filling the template
    ("md", "pcplan.render.templating.render_template"),
    ("html", "os.fsync"),                                     # after the new text is in the temporary file
    ("pdf", "os.replace"),                                    # at the very last step
], ("html", "os.fsync"), unpack=True))  # the quick run: once the temporary file holds the new text
def test_an_interrupted_render_leaves_the_previous_file(repo, out, monkeypatch, fmt, patch):
    target = out / f"plan.{fmt}"
    request = RenderRequest(target=repo.path("members/M-000207"), fmt=fmt, output=target, lang="en",
                            force=True, today=TODAY)
    render(request, cwd=repo.root)
    original = target.read_bytes()
    before = sorted(p.name for p in out.iterdir())
    repo.edit(DANNY_PLAN, "what_matters: I want to work more,", "what_matters: I want to work much more,")

    module, name = patch.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, _boom)
    with pytest.raises(Boom):
        render(request, cwd=repo.root)
    monkeypatch.undo()

    assert target.read_bytes() == original
    assert sorted(p.name for p in out.iterdir()) == before
    assert not list(out.glob(".*.tmp"))


# --------------------------------------------------------------------------- 7. what PATH may be

def test_a_plan_file_renders_that_plan(repo, out):
    path = written(render_cli(repo.root, DANNY_PLAN, *EN, "--output", str(out)))
    assert path.name == "M-000207-plan-2026-05-20.en.html"
    assert "I want to feel calm when my schedule changes." in html_text(path.read_text(encoding="utf-8"))


def test_a_plan_file_picks_that_plan_not_the_one_in_effect(repo, out):
    """With two plans, naming the older file renders the older plan (as a watermarked draft if need be)."""
    older = yaml11_on(load(repo.root, DANNY_PLAN))
    older.update(date=date(2025, 12, 20), type="initial", what_matters="My first plan: a job and my bowling league.")
    older["effective"] = {"start": date(2025, 12, 20), "end": date(2026, 5, 19)}
    older["meeting"]["date"] = date(2025, 12, 20)
    older["reviews"] = []
    repo.write("members/M-000207/plan-2025-12-20.yaml", yaml.safe_dump(older, sort_keys=False, width=1000))

    current = written(render_cli(repo.root, "members/M-000207", *EN, "--draft", "--output", str(out)))
    assert current.name == "M-000207-plan-2026-05-20.en.html"
    old = written(render_cli(repo.root, "members/M-000207/plan-2025-12-20.yaml", *EN, "--draft",
                             "--output", str(out)))
    assert old.name == "M-000207-plan-2025-12-20.en.html"
    assert "My first plan: a job and my bowling league." in html_text(old.read_text(encoding="utf-8"))
    assert "My first plan" not in html_text(current.read_text(encoding="utf-8"))


@pytest.mark.parametrize("target, message", [
    ("members/M-000207/member.yaml", "not a plan"),
    ("members/M-000207/assessment-2026-05-06.yaml", "not a plan"),
    ("members/M-000207/notes/2026-11-05.yaml", "not a plan"),
    ("members/M-000207/plan-1999-01-01.yaml", "no such file"),
    ("members", "not a member folder"),
    (".", "not a member folder"),
])
def test_paths_that_are_not_a_plan_are_refused(repo, target, message):
    before = {p.name for p in repo.root.iterdir()}
    result = render_cli(repo.root, target, *EN)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert message in result.stderr
    assert target.rsplit("/", 1)[-1] in result.stderr
    assert new_files(repo.root, before) == set()


def test_a_member_with_no_plan_is_refused(repo):
    repo.write("members/M-000999/member.yaml", "kind: member\nversion: 1\nid: M-000999\n"
               "name:\n  legal: Test Person\n  preferred: Tess\nstatus: referred\n")
    before = {p.name for p in repo.root.iterdir()}
    result = render_cli(repo.root, "members/M-000999", *EN)
    assert result.exit_code == 2
    assert "M-000999" in result.stderr and "no plan" in result.stderr
    assert new_files(repo.root, before) == set()


def test_a_path_outside_any_member_folder_is_refused(repo, out):
    elsewhere = out / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "plan-2026-05-20.yaml").write_text(repo.read(DANNY_PLAN), encoding="utf-8")
    for target in (elsewhere, elsewhere / "plan-2026-05-20.yaml"):
        result = render_cli(repo.root, str(target), *EN)
        assert result.exit_code == 2, target
        assert "member" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["plan-2026-05-20.yaml"]


# --------------------------------------------------------------------------- 8. agency configuration

AGENCY_LINE = 'agency = "Riverside Case Management Agency"\n'


def test_agency_name_from_configuration(repo, out):
    repo.edit("pcplan.toml", AGENCY_LINE, 'agency = "Northwind Supports & Services"\n')
    html = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(out))).read_text("utf-8")
    assert "Northwind Supports & Services" in html_text(html)
    assert "Northwind Supports &amp; Services" in html
    assert "Riverside Case Management Agency" not in html
    md = written(render_cli(repo.root, "members/M-000207", *EN, "-f", "md",
                            "--output", str(out))).read_text("utf-8")
    assert "Northwind Supports & Services" in html_text(markdown_html(md))


def test_agency_logo_is_embedded_as_a_data_uri(repo, out):
    (repo.root / "branding").mkdir()
    (repo.root / "branding" / "logo.png").write_bytes(PNG_1X1)
    repo.edit("pcplan.toml", AGENCY_LINE, AGENCY_LINE + 'logo = "branding/logo.png"\n')
    html = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(out))).read_text("utf-8")
    uri = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode("ascii")
    assert uri in html
    img = re.search(r"<img\b[^>]*>", html)
    assert img and uri in img.group(0) and 'alt=""' in img.group(0)  # decorative: the agency name is printed beside it
    # self-contained: every src is a data URI, no stylesheet or script is fetched, the file name is not referenced
    assert all(src.startswith("data:") for src in re.findall(r"\bsrc=\"([^\"]*)\"", html))
    assert not re.search(r"<link\b[^>]*stylesheet|@import|url\(\s*['\"]?(?!data:)", html)
    assert "logo.png" not in html


def test_agency_logo_that_is_not_an_image_is_refused(repo, out):
    repo.write("branding/logo.txt", "not an image")
    repo.edit("pcplan.toml", AGENCY_LINE, AGENCY_LINE + 'logo = "branding/logo.txt"\n')
    result = render_cli(repo.root, "members/M-000207", *EN, "--output", str(out))
    assert result.exit_code == 2
    assert "logo" in result.stderr
    assert list(out.iterdir()) == []


def test_agency_templates_folder_overrides_the_stylesheet(repo, out):
    repo.write("agency-templates/plan.css", ".agency-marker-7c1f { color: #123456; }\n")
    repo.edit("pcplan.toml", AGENCY_LINE, AGENCY_LINE + 'templates = "agency-templates"\n')
    html = written(render_cli(repo.root, "members/M-000207", *EN, "--output", str(out))).read_text("utf-8")
    assert ".agency-marker-7c1f { color: #123456; }" in html
    default_css = (PROJECT / "templates" / "plan.css").read_text(encoding="utf-8").strip()
    assert default_css not in html
    assert "Danny" in html_text(html)  # the rest of the plan still comes from pcplan's templates


# --------------------------------------------------------------------------- 9. reproducible output

@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("member", EACH_MEMBER)
def test_rendering_twice_gives_identical_bytes(reference, tmp_path, member, fmt):
    first = written(render_cli(reference.root, f"members/{member}", *EN, "-f", fmt,
                               "--output", str(tmp_path / f"a.{fmt}")))
    second = written(render_cli(reference.root, f"members/{member}", *EN, "-f", fmt,
                                "--output", str(tmp_path / f"b.{fmt}")))
    assert first.read_bytes() == second.read_bytes()
