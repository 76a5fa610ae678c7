"""Translations of the rendered plan: the catalogues, the language picked, and an agency's own language."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from conftest import CLEAN_MEMBERS, PROJECT, SAMPLE_CASES
from pcplan.cli import app

runner = CliRunner()
TOOL = PROJECT / "tools" / "update_catalogues.py"
LOCALE = PROJECT / "templates" / "locale"
SPANISH = LOCALE / "es" / "LC_MESSAGES" / "pcplan.po"
ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"

# What Elena's plan must say in Spanish (the catalogue's choices for the English headings).
SPANISH_HEADINGS = ["Plan de Elena", "Lo que me importa", "Fortalezas de Elena", "Mis metas", "Meta 1",
                    "Lo que va a ayudar", "Cómo sabremos que está funcionando",
                    "Mis riesgos y mis planes de respaldo", "Mi equipo", "Cuándo vamos a revisar mi plan",
                    "Mis derechos", "Firmas y copias"]
ENGLISH_HEADINGS = ["Elena's plan", "What matters to me", "Elena's strengths", "My goals", "Goal 1", "What will help",
                    "How we will know it is working", "My risks and my backup plans", "My team",
                    "When we will review my plan", "My rights", "Signatures and copies"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?\w+>")


def _tool():
    spec = importlib.util.spec_from_file_location("update_catalogues", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    """A copy of the clean reference repository, rendered from by every test in this module."""
    root = tmp_path_factory.mktemp("i18n") / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return root


def render(root: Path, member: str, *args: str, fmt: str = "html"):
    """Run `pcplan render` from the repository root; (result, the text or bytes written)."""
    out = root / "out"
    out.mkdir(exist_ok=True)
    old = os.getcwd()
    os.chdir(root)
    try:
        result = runner.invoke(app, ["render", member, "-f", fmt, "--today", "2026-11-22", "--force",
                                     "--output", str(out), *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output + result.stderr
    path = root / result.stdout.strip()  # printed relative to where it ran
    return result, (path.read_bytes() if fmt == "pdf" else path.read_text(encoding="utf-8")), path


def text_of(markup: str) -> str:
    """The visible text of an HTML page, one space between words."""
    body = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def headings(markup: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", h)).split())
            for h in re.findall(r"(?s)<h[1-6][^>]*>(.*?)</h[1-6]>", markup)]


# --- the catalogues ---------------------------------------------------------------------------------

def test_catalogues_are_in_step_with_the_templates_and_complete():
    """templates, .pot and every .po in sync; every message translated; nothing fuzzy or obsolete."""
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr


def test_spanish_translates_every_message_of_the_templates():
    tool = _tool()
    wanted = {m.id for m in tool.extract() if m.id}
    with SPANISH.open("rb") as stream:
        catalog = read_po(stream, locale="es")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted <= set(translated), sorted(wanted - set(translated))
    assert translated["%(name)s's plan"] == "Plan de %(name)s"
    assert translated["DRAFT"] == "BORRADOR"
    assert (translated["Page"], translated["of"]) == ("Página", "de")
    assert translated["every week"] == "cada semana" and translated["unpaid"] == "sin pago"


def test_spanish_translations_keep_the_placeholders_and_markup():
    with SPANISH.open("rb") as stream:
        catalog = read_po(stream, locale="es")
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        # plural messages: every form keeps the placeholders of the English plural
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            english = ids[-1] if len(ids) > 1 else ids[0]
            assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(english)), message.id
            assert TAG.findall(string) == TAG.findall(english), message.id
            assert "%" not in PLACEHOLDER.sub("", string), message.id  # a stray % breaks newstyle gettext
        checked += bool(PLACEHOLDER.search(ids[0]))
    assert checked >= 10


def test_the_check_finds_every_kind_of_stale_catalogue(tmp_path):
    tool = _tool()
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copy(PROJECT / "babel.cfg", root / "babel.cfg")
    spanish = root / "templates" / "locale" / "es" / "LC_MESSAGES" / "pcplan.po"
    assert tool.check(root) == []

    po = spanish.read_text(encoding="utf-8")
    po = po.replace('msgstr "Mis metas"', 'msgstr ""')
    po = po.replace('msgid "My rights"', '#, fuzzy\nmsgid "My rights"')
    po = po.replace('msgstr "Meta %(number)s"', 'msgstr "Meta %(numero)s"')
    po += '\n#~ msgid "Gone"\n#~ msgstr "Ido"\n\nmsgid "Not in any template"\nmsgstr "En ninguna plantilla"\n'
    spanish.write_text(po, encoding="utf-8")
    template = root / "templates" / "plan.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "<main>", '<main>\n<p>{{ _("A new sentence") }}</p>', 1), encoding="utf-8")

    problems = "\n".join(tool.check(root))
    assert "pcplan.pot is out of date with the templates (1 new, 0 removed)" in problems
    assert "msgid 'My goals' has no translation" in problems
    assert "msgid 'My rights' is fuzzy" in problems
    assert "msgid 'Goal %(number)s'" in problems  # the placeholder was renamed
    assert "msgid 'Gone' is obsolete" in problems
    assert "msgid 'Not in any template' is not in the templates" in problems
    assert "msgid 'A new sentence' is missing" in problems

    # Updating adds the new text untranslated and marks the stray message obsolete; the check still fails
    # until someone translates it.
    tool.update(root)
    problems = "\n".join(tool.check(root))
    assert "pcplan.pot" not in problems
    assert "msgid 'A new sentence' has no translation" in problems
    assert "msgid 'Not in any template' is obsolete" in problems


def test_adding_a_language_is_copying_the_pot_and_running_the_script(tmp_path):
    tool = _tool()
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copy(PROJECT / "babel.cfg", root / "babel.cfg")
    german = root / "templates" / "locale" / "de" / "LC_MESSAGES" / "pcplan.po"
    german.parent.mkdir(parents=True)
    shutil.copy(root / "templates" / "locale" / "pcplan.pot", german)
    assert [p.name for p in tool.update(root)] == ["pcplan.po"]
    with german.open("rb") as stream:
        catalog = read_po(stream)
    assert str(catalog.locale) == "de" and not catalog.fuzzy
    assert any("has no translation" in p for p in tool.check(root))
    assert tool.update(root) == []  # nothing to change a second time


# --- the language of the rendered plan ---------------------------------------------------------------

def test_elena_renders_in_spanish_by_default(cases):
    result, page, path = render(cases, ELENA)
    assert path.name.endswith(".es.html")
    assert result.stderr == ""
    assert '<html lang="es">' in page
    assert "<title>Plan de Elena</title>" in page
    found = headings(page)
    for heading in SPANISH_HEADINGS:
        assert any(h.startswith(heading) for h in found), (heading, found)
    text = text_of(page)
    for english in ENGLISH_HEADINGS:
        assert english not in text
    assert "3 de septiembre de 2026" in text  # Babel's Spanish long date
    assert "del 3 de septiembre de 2026 al 2 de septiembre de 2027" in text
    assert "3 de marzo de 2027" in text  # the next review
    assert "cada semana" in text and "sin pago" in text
    assert re.search(r'"Página".*counter\(page\).*"de".*counter\(pages\)', page)  # the page footer


def test_no_english_template_text_is_left_in_a_spanish_plan(cases):
    """Every sentence of the templates reaches the member in Spanish, rights modification included."""
    tool = _tool()
    pages = [text_of(render(cases, member, "--lang", "es")[1]) for member in (ELENA, DANNY, ABDI)]
    assert "Límites a mis derechos" in pages[1] and "Quién estuvo de acuerdo" in pages[1]
    for message in tool.extract():
        if message.id and not isinstance(message.id, tuple) and len(message.id.split()) >= 3 \
                and not PLACEHOLDER.search(message.id) and not message.context:  # role words: also in members' text
            english = " ".join(TAG.sub("", message.id).split())
            for page in pages:
                assert english not in page


def test_lang_option_renders_elena_in_english(cases):
    result, page, path = render(cases, ELENA, "--lang", "en")
    assert path.name.endswith(".en.html")
    assert '<html lang="en">' in page
    found = headings(page)
    for heading in ENGLISH_HEADINGS:
        assert any(h.startswith(heading) for h in found), (heading, found)
    text = text_of(page)
    assert "September 3, 2026" in text and "septiembre" not in text
    assert "Lo que me importa" not in text


def test_a_language_without_a_catalogue_is_rendered_in_english_with_a_notice(cases):
    result, page, path = render(cases, ABDI)
    assert "no translation for `so`" in result.stderr and "rendered in English" in result.stderr
    assert "es" in result.stderr  # the notice lists what is available
    assert path.name.endswith(".en.html")
    assert '<html lang="en">' in page
    assert "What matters to me" in text_of(page)


def test_the_pdf_is_in_spanish(cases):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _, pdf, path = render(cases, ELENA, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    text = " ".join(text.decode("utf-8").split())
    for heading in SPANISH_HEADINGS:
        assert heading in text, heading
    assert "Página 1 de" in text
    assert "3 de septiembre de 2026" in text


def test_the_markdown_is_in_spanish(cases):
    _, markdown, path = render(cases, ELENA, fmt="md")
    assert path.name.endswith(".es.md")
    lines = markdown.splitlines()
    assert "# Plan de Elena" in lines
    for heading in ("Lo que me importa", "Fortalezas de Elena", "Mis metas", "Mis riesgos y mis planes de respaldo",
                    "Mi equipo", "Cuándo vamos a revisar mi plan", "Mis derechos", "Firmas y copias"):
        assert f"## {heading}" in lines, heading
    assert any(line.startswith("### Meta 1: ") for line in lines)
    assert "What matters to me" not in markdown


def test_the_draft_watermark_is_translated(cases):
    _, page, _ = render(cases, ELENA, "--draft")
    assert re.search(r'content:\s*"BORRADOR"', page)  # the watermark on every page
    assert "BORRADOR:" in text_of(page) and "DRAFT" not in text_of(page)


def test_an_agency_adds_a_language_with_a_catalogue_in_its_templates_folder(cases, tmp_path):
    root = tmp_path / "agency"
    shutil.copytree(cases, root, ignore=shutil.ignore_patterns("out"))
    config = root / "pcplan.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count('locale = "en"\n') == 1
    config.write_text(text.replace('locale = "en"\n', 'locale = "en"\ntemplates = "agency-templates"\n'),
                      encoding="utf-8")
    french = root / "agency-templates" / "locale" / "fr" / "LC_MESSAGES" / "pcplan.po"
    french.parent.mkdir(parents=True)
    french.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: fr\\n"\n\n'
                      'msgid "My goals"\nmsgstr "Mes objectifs"\n', encoding="utf-8")

    result, page, path = render(root, ELENA, "--lang", "fr")
    assert result.stderr == ""
    assert path.name.endswith(".fr.html")
    assert '<html lang="fr">' in page
    found = headings(page)
    assert "Mes objectifs" in found
    assert "My goals" not in found
    assert "What matters to me" in found  # not in the French catalogue: English
    assert "3 septembre 2026" in text_of(page)  # dates are French all the same

    # The shipped Spanish catalogue is still found behind the agency's folder.
    _, page, _ = render(root, ELENA)
    assert '<html lang="es">' in page and "Mis metas" in headings(page)
