"""Keep the translations of the plan templates in step with the templates.

    python tools/update_catalogues.py          # extract the .pot, update every .po
    python tools/update_catalogues.py --check  # exit 1 if anything is out of date (the tests do this)

The text of the templates (``templates/**.j2``, as ``babel.cfg`` says) is
extracted with Babel and Jinja's extractor into ``templates/locale/pcplan.pot``,
the template of every catalogue. Each catalogue,
``templates/locale/<lang>/LC_MESSAGES/pcplan.po``, is then updated from it the
way ``msgmerge`` does: new text is added untranslated, text that changed a
little keeps its old translation marked ``fuzzy`` (a guess to review), and text
that left the templates stays at the end of the file as an obsolete ``#~``
entry that a translator can reuse and then delete.

``--check`` changes nothing and exits 1 when the .pot does not match the
templates, or when a catalogue has a message with no translation, a ``fuzzy``
one, an obsolete one, or a translation whose ``%(name)s`` placeholders differ
from the English. pcplan reads the ``.po`` files directly (compiled in memory
when a plan is rendered), so there is no ``.mo`` file to build.

Locations in the .pot and .po files name the template but not the line, so
that editing the markup around a string does not make the catalogues stale.

Adding a language
-----------------
1. Copy ``templates/locale/pcplan.pot`` to
   ``templates/locale/<lang>/LC_MESSAGES/pcplan.po`` (``<lang>`` is the code
   used in member files' ``language.preferred``, e.g. ``vi`` or ``pt``).
2. Translate every ``msgstr`` in plain words a member understands. Keep every
   ``%(name)s`` placeholder and any markup such as ``<strong>`` exactly; move
   them where the language's word order needs them. Do not translate dates:
   pcplan writes them the language's way.
3. Run ``python tools/update_catalogues.py`` (it fills in the header and sorts
   the file like the others), then ``python tools/update_catalogues.py --check``.

An agency can also add a language without changing pcplan: put the catalogue in
its own templates folder (``templates = "agency-templates"`` in pcplan.toml) as
``agency-templates/locale/<lang>/LC_MESSAGES/pcplan.po``. Text it leaves
untranslated is printed in English.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "babel.cfg"
LOCALE = ROOT / "templates" / "locale"
DOMAIN = "pcplan"
POT = LOCALE / f"{DOMAIN}.pot"
COMMENT_TAGS = ("Translators:",)
WIDTH = 88
POT_HEADER = """\
# The text of pcplan's plan templates (templates/**.j2), to translate.
# Made by tools/update_catalogues.py from the templates: do not edit by hand.
# Adding a language: copy this file to templates/locale/<lang>/LC_MESSAGES/pcplan.po,
# translate it and run the script (see its docstring)."""
PO_HEADER = """\
# {language} translation of pcplan's plan templates, for members to read.
# Update with tools/update_catalogues.py; translate in plain words, keep the
# %(name)s placeholders and any <strong> markup as they are."""


def extract(root: Path = ROOT, config: Path = CONFIG) -> Catalog:
    """The template text as a catalogue (the would-be .pot)."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with config.open(encoding="utf-8") as stream:
        method_map, options_map = parse(stream)
    catalog = Catalog(project="pcplan", copyright_holder="pcplan developers", charset="utf-8", fuzzy=False,
                      header_comment=POT_HEADER)
    found = extract_from_dir(root, method_map, options_map, keywords=DEFAULT_KEYWORDS,
                             comment_tags=COMMENT_TAGS, strip_comment_tags=True, directory_filter=_wanted_folder)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(Path(filename).as_posix(), lineno)], auto_comments=comments, context=context)
    return catalog


def _wanted_folder(path: str) -> bool:
    name = os.path.basename(path)
    if name.startswith((".", "_")) or name in ("node_modules", "build", "dist"):
        return False
    return not os.path.exists(os.path.join(path, "pyvenv.cfg"))


def catalogues(locale: Path = LOCALE) -> list[Path]:
    return sorted(locale.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, locale=lang, domain=DOMAIN)


def serialise(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_lineno=False, ignore_obsolete=False)
    return out.getvalue()


def _files(message) -> tuple[str, ...]:
    return tuple(sorted({filename for filename, _ in message.locations}))


def _key(message) -> tuple:
    """What a message is, apart from line numbers and the header (which varies with the Babel version)."""
    return (message.id, message.context, _files(message), tuple(message.auto_comments),
            tuple(sorted(f for f in message.flags if f != "fuzzy")))


def _messages(catalog: Catalog) -> list[tuple]:
    return [_key(m) for m in catalog if m.id]


def pot_problems(extracted: Catalog, pot: Path = POT) -> list[str]:
    if not pot.is_file():
        return [f"{_show(pot)} is missing"]
    written = read(pot)
    if _messages(written) == _messages(extracted):
        return []
    old = {k[:2] for k in _messages(written)}
    new = {k[:2] for k in _messages(extracted)}
    added, removed = len(new - old), len(old - new)
    detail = f"{added} new, {removed} removed" if added or removed else "locations, comments or order changed"
    return [f"{_show(pot)} is out of date with the templates ({detail})"]


def catalogue_problems(path: Path, template: Catalog) -> list[str]:
    lang = path.parent.parent.name
    catalog = read(path, lang)
    problems = []
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    for message in catalog:
        if not message.id:
            continue
        label = _label(message)
        if (message.id if isinstance(message.id, str) else message.id[0], message.context) not in wanted:
            problems.append(f"{label} is not in the templates any more (run the script to mark it obsolete)")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings):
            problems.append(f"{label} has no translation")
        if message.fuzzy:
            problems.append(f"{label} is fuzzy (review the translation, then delete the `fuzzy` flag)")
    have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
    for message in template:
        if message.id and (message.id if isinstance(message.id, str) else message.id[0], message.context) not in have:
            problems.append(f"{_label(message)} is missing (run the script to add it)")
    for key in catalog.obsolete:
        problems.append(f"{_label(catalog.obsolete[key])} is obsolete (delete the `#~` entry)")
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{_label(message)}: {error}")
    return [f"{_show(path)}: {p}" for p in problems]


def _label(message) -> str:
    text = message.id if isinstance(message.id, str) else message.id[0]
    text = " ".join(text.split())
    return "msgid " + repr(text if len(text) <= 60 else text[:57] + "...")


def _show(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def check(root: Path = ROOT) -> list[str]:
    locale = root / "templates" / "locale"
    extracted = extract(root, root / "babel.cfg")
    problems = pot_problems(extracted, locale / f"{DOMAIN}.pot")
    for path in catalogues(locale):
        problems.extend(catalogue_problems(path, extracted))
    return problems


def update(root: Path = ROOT) -> list[Path]:
    """Rewrite the .pot and the .po files that need it; the files written."""
    locale = root / "templates" / "locale"
    pot = locale / f"{DOMAIN}.pot"
    template = extract(root, root / "babel.cfg")
    written = []
    if not pot.is_file() or _messages(read(pot)) != _messages(template):
        locale.mkdir(parents=True, exist_ok=True)
        pot.write_bytes(serialise(template))
        written.append(pot)
    template = read(pot)
    for path in catalogues(locale):
        lang = path.parent.parent.name
        catalog = read(path, lang)
        catalog.update(template, update_header_comment=False, keep_user_comments=True)
        catalog.fuzzy = False  # the header's flag (a fresh copy of the .pot has it)
        if catalog.header_comment.startswith(POT_HEADER.split("\n")[0]):
            catalog.header_comment = PO_HEADER.format(language=catalog.locale.english_name if catalog.locale else lang)
        if _content(read(path)) != _content(catalog):
            path.write_bytes(serialise(catalog))
            written.append(path)
    return written


def _content(catalog: Catalog) -> tuple:
    """Messages, translations, flags, obsolete entries and language: what an update can change.

    Not the rest of the header, which names the Babel version that wrote it.
    """
    current = tuple((_key(m), m.string if isinstance(m.string, str) else tuple(m.string), m.fuzzy,
                     tuple(m.user_comments)) for m in catalog if m.id)
    obsolete = tuple(sorted(str(k) for k in catalog.obsolete))
    return current, obsolete, catalog.fuzzy, str(catalog.locale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("translations are out of date: run python tools/update_catalogues.py and translate "
                  "what it reports", file=sys.stderr)
            return 1
        return 0
    for path in update():
        print(f"wrote {_show(path)}")
    problems = [p for p in check() if ".po:" in p]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
