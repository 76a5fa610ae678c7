"""`pcplan render` of a draft: a copy *for signature*, and which plan a member folder prints.

A draft (a plan without consent, pcplan.facts.lifecycle) prints with no watermark, a line
to sign for the member, the legal representatives whose signature is consent, the
case manager and each paid provider, and the plan's content fingerprint on every
page. Missing signatures and copies, and deadlines, never stop printing; content
errors still do unless --draft. Read back from the HTML, the Markdown and the PDF
(pdftotext).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from conftest import (
    DANNY_DRAFT,
    DANNY_PLAN,
    ELENA_PLAN,
    EN,
    OLU,
    PdfText,
    danny_draft,
    html_text,
    markdown_html,
    norm,
    page_count,
    pdftotext,
    render_cli,
    run,
    unsign_elena,
    written,
)

DANNY, ELENA = "members/M-000207", "members/M-000123"
DANNY_MEMBER = "members/M-000207/member.yaml"

# Danny's draft: the member, his guardian, the case manager, then each paid provider (not Grace's unpaid rides).
DANNY_LINES = [("Danny", "You"), ("Grace Kim", "Your legal guardian"), ("Olu Bello", "Case manager"),
               ("Lydia Park Host Home", "Provider"), ("Pathways Supported Employment", "Provider"),
               ("North Range Behavioral Health", "Provider")]


def signature_rows(html: str) -> list[tuple[str, ...]]:
    """The rows of the table of lines to sign, as text per cell."""
    table = re.search(r'<table class="signature-lines">.*?</table>', html, re.S)
    assert table, "no signature lines"
    body = table.group(0).split("<tbody>", 1)[1]
    return [tuple(html_text(cell) for cell in re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S))
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def fingerprint_of(repo, relative: str) -> str:
    result = run(repo.root, "fingerprint", relative)
    assert result.exit_code == 0, result.stderr
    value = result.stdout.strip()
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", value)
    return value


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------- the copy for signature

def test_a_draft_prints_for_signature_without_a_watermark(repo, out):
    danny_draft(repo)
    html = written(render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out))).read_text("utf-8")
    body = re.search(r"<body[^>]*>", html).group(0)
    assert "draft" not in body and "DRAFT" not in html_text(html) and "@top-center { content" not in html
    header = re.search(r"<header\b.*?</header>", html, re.S).group(0)
    assert "For signature: please read your plan" in html_text(header)
    rows = signature_rows(html)
    assert [row[:2] for row in rows] == DANNY_LINES
    # Olu already signed: his line is filled; everyone else's is blank to sign.
    assert rows[2][2:] == ("Signed", "November 20, 2026")
    assert all(row[2:] == ("", "") for row in rows[:2] + rows[3:])
    assert "Grace Kim (mother)" not in [row[0] for row in rows]  # an unpaid support signs nothing
    assert "Planned dates" in html_text(html) and "counting from the day it is signed" in html_text(html)


def test_a_signature_already_given_fills_its_line(repo, out):
    danny_draft(repo, "  - {role: member, name: Danny, signed_on: 2026-11-20, method: wet}\n" + OLU)
    html = written(render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out))).read_text("utf-8")
    rows = signature_rows(html)
    assert rows[0] == ("Danny", "You", "Signed", "November 20, 2026")
    assert rows[1] == ("Grace Kim", "Your legal guardian", "", "")  # the guardian's signature is the consent


@pytest.mark.parametrize("representatives, lines", [
    # A power of attorney (no guardian): their signature is consent, so they get a line.
    ("  - {name: Sam Ortiz, relationship: friend, authority: power_of_attorney}\n",
     [("Danny", "You"), ("Sam Ortiz", "Your agent (power of attorney)")]),
    # With a guardian, only the guardian's signature is consent: no line for the power of attorney.
    ("  - {name: Grace Kim, relationship: mother, authority: legal_guardian}\n"
     "  - {name: Sam Ortiz, relationship: friend, authority: power_of_attorney}\n",
     [("Danny", "You"), ("Grace Kim", "Your legal guardian")]),
    # A supporter has no legal authority.
    ("  - {name: Sam Ortiz, relationship: friend, authority: supporter}\n", [("Danny", "You")]),
])
def test_lines_for_the_representatives_whose_signature_is_consent(repo, out, representatives, lines):
    text = repo.read(DANNY_MEMBER)
    start, end = text.index("representatives:\n"), text.index("programs:\n")
    repo.write(DANNY_MEMBER, text[:start] + "representatives:\n" + representatives + text[end:])
    danny_draft(repo)
    rows = signature_rows(written(render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out))).read_text("utf-8"))
    assert [row[:2] for row in rows[:len(lines)]] == lines
    assert rows[len(lines)][:2] == ("Olu Bello", "Case manager")


def test_a_consented_plan_still_shows_who_signed_and_who_got_a_copy(repo, out):
    html = written(render_cli(repo.root, DANNY, *EN, "--output", str(out))).read_text("utf-8")
    assert 'class="signature-lines"' not in html and "For signature" not in html_text(html)
    assert "Who signed this plan" in html_text(html) and "Who got a copy" in html_text(html)
    assert "In effect" in html_text(html) and "Planned dates" not in html_text(html)


# --------------------------------------------------------------------------- the fingerprint on every page

def test_every_pdf_page_names_the_plan_version_of_the_file(repo, out):
    danny_draft(repo)
    expected = fingerprint_of(repo, DANNY_DRAFT)
    pdf = written(render_cli(repo.root, DANNY_DRAFT, *EN, "-f", "pdf", "--output", str(out)))
    pages = page_count(pdf)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = norm(pdftotext(pdf, page=page))
        assert f"plan version {expected}" in text, f"page {page}: {text[-160:]}"
        assert "DRAFT" not in pdftotext(pdf, "-raw", page=page).replace(" ", "")
    assert "Please sign" in norm(pdftotext(pdf, page=pages))
    text = PdfText(pdf)
    for name, role in DANNY_LINES:
        assert text.has(name) and text.has(role), (name, role)


def test_the_fingerprint_follows_the_content(repo, out):
    """Another word in the plan, another version on the paper; the same word, the same version."""
    danny_draft(repo)
    first = written(render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out / "a.html"))).read_text("utf-8")
    repo.edit(DANNY_DRAFT, "what_matters: I want to work more,", "what_matters: I want to work much more,")
    second = written(render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out / "b.html"))).read_text("utf-8")
    versions = [re.findall(r"plan version (sha256:[0-9a-f]{16})", html_text(page)) for page in (first, second)]
    assert versions[1] == [fingerprint_of(repo, DANNY_DRAFT)]
    assert versions[0] != versions[1] and len(versions[0]) == 1


def test_a_consented_plan_carries_its_version_too(repo, out):
    """Decision: every printed plan names its version, so any paper copy can be matched to the file."""
    expected = fingerprint_of(repo, DANNY_PLAN)
    pdf = written(render_cli(repo.root, DANNY, *EN, "-f", "pdf", "--output", str(out)))
    for page in range(1, page_count(pdf) + 1):
        assert f"plan version {expected}" in norm(pdftotext(pdf, page=page)), page
    md = written(render_cli(repo.root, DANNY, *EN, "-f", "md", "--output", str(out))).read_text("utf-8")
    assert md.rstrip().endswith(f"plan version {expected}")


def test_markdown_has_blank_lines_to_sign(repo, out):
    danny_draft(repo)
    md = written(render_cli(repo.root, DANNY_DRAFT, *EN, "-f", "md", "--output", str(out))).read_text("utf-8")
    assert md.startswith("> **For signature:** please read your plan")
    section = md.split("## Signatures and copies\n", 1)[1]
    blank = "Signature ______________________________ Date ______________"
    assert f"- Danny (You): {blank}\n" in section
    assert f"- Grace Kim (Your legal guardian): {blank}\n" in section
    assert "- Olu Bello (Case manager): Signed, November 20, 2026\n" in section
    assert f"- North Range Behavioral Health (Provider): {blank}\n" in section
    assert "Grace Kim \\(mother\\)" not in section
    # a reader of the Markdown sees the lines as written (no emphasis, no rule)
    assert "<li>Danny (You): " + blank + "</li>" in markdown_html(md)
    assert md.rstrip().endswith(f"plan version {fingerprint_of(repo, DANNY_DRAFT)}")


# --------------------------------------------------------------------------- what blocks printing

def test_missing_signatures_copies_and_consent_never_block(repo, out):
    """Elena's only plan unsigned: T211 (error) and T213 fire (signatures and copies wait for consent, so no
    C301 or C303), and it prints for signature."""
    unsign_elena(repo)
    findings = repo.check(ELENA)
    codes = {(f.code, f.severity) for f in findings}
    assert {("T211", "error"), ("T213", "warning")} <= codes, codes
    assert not {"C301", "C303"} & {code for code, _ in codes}
    result = render_cli(repo.root, ELENA, *EN, "--output", str(out))
    html = written(result).read_text("utf-8")
    assert result.stderr == ""
    assert [row[:2] for row in signature_rows(html)] == [
        ("Elena", "You"), ("Jordan Lee", "Case manager"), ("Sunrise Home Health", "Provider"),
        ("Sunrise Home Care", "Provider"), ("Weld Transit Non-Medical Transportation", "Provider")]


def test_a_content_error_still_blocks_unless_draft(repo, out):
    danny_draft(repo)
    repo.edit(DANNY_DRAFT, "    needs: [N1]\n", "    needs: []\n")
    result = render_cli(repo.root, DANNY_DRAFT, *EN, "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    line, column = repo.locate(DANNY_DRAFT, "needs: []", offset=len("needs: "))
    assert f"{DANNY_DRAFT}:{line}:{column}: L101 [error]" in result.stderr, result.stderr
    assert "C301" not in result.stderr and "C303" not in result.stderr
    assert list(out.iterdir()) == []
    # --draft: the watermarked working copy, never one to sign
    html = written(render_cli(repo.root, DANNY_DRAFT, *EN, "--draft", "--output", str(out))).read_text("utf-8")
    assert 'class="draft-notice"' in html and 'class="signature-lines"' not in html
    assert "Nobody has signed" not in html_text(html) and "Olu Bello" in html_text(html)


# A support that serves no goal (L104): an error found in the plan's own file only.
NO_GOAL = ("    goals: [G3]\n", "    goals: []\n")


def test_a_content_error_in_another_plan_does_not_block(repo, out):
    """A draft being written must not stop the plan in effect from printing."""
    danny_draft(repo)
    repo.edit(DANNY_DRAFT, *NO_GOAL)
    assert [f.path for f in repo.check(DANNY) if f.code == "L104"] == [DANNY_DRAFT]
    current = written(render_cli(repo.root, DANNY, *EN, "--output", str(out / "current.html")))
    assert "Who signed this plan" in html_text(current.read_text("utf-8"))
    refused = run(repo.root, "render", DANNY_DRAFT, "--today", "2026-11-22", *EN, "--output", str(out / "d.html"))
    assert refused.exit_code == 1 and f"{DANNY_DRAFT}:" in refused.stderr


@pytest.mark.parametrize("code, severity, where, excepted, blocking", [
    ("L104", "error", "draft", False, True),  # the plan printed
    ("L104", "error", "other", False, False),  # another plan (the one in effect, a draft beside it)
    ("L103", "error", "assessment", False, True),  # a record the plan is printed from
    ("L104", "warning", "draft", False, False),
    ("L104", "error", "draft", True, False),  # a documented exception
    *[(code, "error", "draft", False, False) for code in ("C301", "C303", "T211", "T205", "T201", "T208", "T212")],
])
def test_what_blocks_printing(repo, code, severity, where, excepted, blocking):
    from pcplan.findings import Finding
    from pcplan.render import blocks

    danny_draft(repo)
    files = {"draft": DANNY_DRAFT, "other": DANNY_PLAN, "assessment": "members/M-000207/assessment-2026-05-06.yaml"}
    finding = Finding(code, "name", severity, files[where], 1, 1, "message", excepted=excepted,
                      file=repo.path(files[where]))
    assert blocks(finding, {repo.path(DANNY_PLAN).resolve()}) is blocking


def test_overdue_contacts_do_not_block_printing(repo, out):
    """T205 is a deadline the case missed, not something the plan says: the plan in effect and a new
    revision both print (the case manager who is behind still gets the revision signed)."""
    later = ["--today", "2027-02-10"]
    assert "T205" in [f.code for f in repo.check(ELENA, today=date(2027, 2, 10)) if f.severity == "error"]
    current = run(repo.root, "render", ELENA, *later, *EN, "--output", str(out / "current.html"))
    assert "Who signed this plan" in html_text(written(current).read_text("utf-8"))
    draft = "members/M-000123/plan-2027-02-05.yaml"
    text = repo.read(ELENA_PLAN).replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial",
                                                                      "date: 2027-02-05\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", "  date: 2027-02-05\n  place")
    repo.write(draft, text.partition("signatures:\n")[0] + "signatures: []\ndistribution: []\nexceptions: []\n")
    printed = run(repo.root, "render", draft, *later, *EN, "--output", str(out / "draft.html"))
    assert signature_rows(written(printed).read_text("utf-8"))[0] == ("Elena", "You", "", "")


# --------------------------------------------------------------------------- which plan a member folder prints

def test_the_folder_prints_the_plan_in_effect_and_names_the_newer_draft(repo, out):
    danny_draft(repo)
    result = render_cli(repo.root, DANNY, *EN, "--output", str(out))
    assert written(result).name == "M-000207-plan-2026-05-20.en.html"
    assert result.stderr == (f"pcplan: {DANNY_DRAFT} is a newer plan awaiting signature; this is the plan in "
                             f"effect. To print the draft for signature: pcplan render {DANNY_DRAFT}\n")


def test_the_draft_named_in_the_notice_renders_from_the_current_folder(repo, out):
    danny_draft(repo)
    member = repo.path(DANNY)
    result = run(member, "render", ".", "--today", "2026-11-22", *EN, "--output", str(out))
    command = re.search(r"pcplan render (\S+)$", result.stderr.strip()).group(1)
    assert command == "plan-2026-11-20.yaml"
    printed = run(member, "render", command, "--today", "2026-11-22", *EN, "--output", str(out))
    assert written(printed).name == "M-000207-plan-2026-11-20.en.html"


def test_with_no_plan_in_effect_the_folder_prints_the_newest_draft(repo, out):
    unsign_elena(repo)
    newer = "members/M-000123/plan-2026-11-01.yaml"
    text = repo.read(ELENA_PLAN).replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial",
                                                                      "date: 2026-11-01\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", "  date: 2026-11-01\n  place")
    repo.write(newer, text.partition("signatures:\n")[0] + "signatures: []\ndistribution: []\nexceptions: []\n")
    result = render_cli(repo.root, ELENA, *EN, "--output", str(out))
    assert written(result).name == "M-000123-plan-2026-11-01.en.html"
    assert result.stderr == ""


def test_a_consented_revision_not_yet_started_leaves_the_plan_in_effect_without_a_notice(repo, out):
    danny_draft(repo, "  - {role: representative, name: Grace Kim, signed_on: 2026-11-20, method: wet}\n" + OLU,
                 date_="2026-12-01")
    result = render_cli(repo.root, DANNY, *EN, "--output", str(out))
    assert written(result).name == "M-000207-plan-2026-05-20.en.html"
    assert result.stderr == ""


# --------------------------------------------------------------------------- Spanish

def test_spanish_copy_for_signature(repo, out):
    unsign_elena(repo)
    html = written(render_cli(repo.root, ELENA, "--output", str(out))).read_text("utf-8")
    text = html_text(html)
    assert '<html lang="es">' in html
    assert "Para firmar: lea su plan y pregunte lo que no le quede claro." in text
    assert "Fechas previstas" in text and "a partir del día en que se firme" in text
    assert "Su firma quiere decir que usted está de acuerdo con este plan" in text
    rows = signature_rows(html)
    assert rows[0] == ("Elena", "Usted", "", "") and rows[1] == ("Jordan Lee", "Administrador de casos", "Firmado",
                                                                 "3 de septiembre de 2026")
    assert f"versión del plan {fingerprint_of(repo, ELENA_PLAN)}" in text


def test_spanish_pdf_names_the_version_on_every_page(repo, out):
    unsign_elena(repo)
    expected = fingerprint_of(repo, ELENA_PLAN)
    pdf = written(render_cli(repo.root, ELENA, "-f", "pdf", "--output", str(out)))
    pages = page_count(pdf)
    for page in range(1, pages + 1):
        assert f"versión del plan {expected}" in norm(pdftotext(pdf, page=page)), page
    text = norm(pdftotext(pdf))
    assert "Por favor, firme aquí" in text and "Para firmar:" in text


def test_a_re_enrolled_member_without_a_new_plan(repo, out):
    """The old episode's plan is not the member's plan any more: the folder names no plan, the file still prints
    (as the record of an episode that closed)."""
    from conftest import reenroll_abdi

    reenroll_abdi(repo)
    result = render_cli(repo.root, "members/M-000301", *EN, "--output", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("pcplan: members/M-000301: this member has no plan to render in its current episode; "
                             "name a plan file to print an older one\n")
    # (--draft: the re-enrolled record still lacks its new case-manager assignment, A601)
    old = render_cli(repo.root, "members/M-000301/plan-2026-02-02.yaml", *EN, "--draft", "--output", str(out))
    text = html_text(written(old).read_text("utf-8"))
    assert "Your case was closed on October 15, 2026." in text and "For signature" not in text
