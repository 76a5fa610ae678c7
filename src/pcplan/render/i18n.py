"""Translations of the template text: gettext catalogues read with Babel.

Catalogues are plain ``.po`` files in ``templates/locale/<lang>/LC_MESSAGES/pcplan.po``
(an agency's templates folder may add its own). They are compiled in memory
when a plan is rendered, so there is no binary ``.mo`` to fall out of date, and
adding a language is adding one ``.po`` file. English is the source language.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

DOMAIN = "pcplan"
SOURCE_LANGUAGE = "en"


_CODE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*\Z")


def primary(code: str | None) -> str | None:
    """``es-MX`` → ``es``; None for anything that is not a language code."""
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        return None
    return code.strip().replace("_", "-").split("-")[0].lower()


def catalogue_path(lang: str, locale_dirs: list[Path]) -> Path | None:
    main = primary(lang)
    if main is None:  # a language from a case file names a folder: only a language code may
        return None
    lang = lang.strip()
    for folder in locale_dirs:
        for candidate in (lang, main):
            path = folder / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
            # a regular file inside the locale folder: never a link out of it (to a file the repository
            # does not hold), a pipe or a device
            if candidate and path.is_file() and path.resolve().is_relative_to(folder.resolve()):
                return path
    return None


def available_languages(locale_dirs: list[Path]) -> list[str]:
    found = {SOURCE_LANGUAGE}
    for folder in locale_dirs:
        if folder.is_dir():
            found.update(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return sorted(found)


def load_translations(lang: str, locale_dirs: list[Path]) -> gettext.NullTranslations | None:
    """The compiled catalogue for ``lang``; NullTranslations for English; None when there is none."""
    if primary(lang) == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue_path(lang, locale_dirs)
    if path is None:
        return None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as stream:
        catalog = read_po(stream, locale=primary(lang), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
