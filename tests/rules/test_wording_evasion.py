"""Listed words are found as a reader reads them, whatever the encoding hides (issue 27, item 13): zero-width
characters, soft hyphens, accents, Cyrillic and Greek look-alikes and full-width forms once let P407 miss 5
of 9 spellings of one term, and H503 miss a `cur\\u200bfew`. The finding names the term as listed, never the
disguised text."""

from __future__ import annotations

import pytest

from conftest import ELENA_NOTE, ELENA_PLAN, found, where
from pcplan.rules.wording import normalized, terms

DEFICIT = " uses deficit language ({}); describe the person and what happened in respectful, person-first words"
SP2 = "description: A personal care aide helps with bathing and housework."

SPELLINGS = {
    "plain": "refuses",
    "zero-width space": "re\u200bfuses",
    "zero-width joiner": "ref\u200duses",
    "soft hyphen": "re\u00adfuses",
    "accent (precomposed)": "r\u00e9fuses",
    "accent (combining)": "re\u0301fuses",
    "Cyrillic e": "r\u0435fuses",
    "full-width": "\uff52\uff45\uff46\uff55\uff53\uff45\uff53",
    "word joiner and bidi mark": "refu\u2060s\u200ees",
}


@pytest.mark.parametrize("written", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_p407_finds_every_disguised_spelling_and_names_the_term_as_listed(repo, written):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written} today. Asked Sunrise Home Care")
    assert found(repo, "P407") == [("P407",) + where(repo, ELENA_NOTE, "Elena ", occurrence=2) + (
        "this note's `text`" + DEFICIT.format("`refuses`"),)]


@pytest.mark.parametrize("written", ["cur\u200bfew", "\u0441urfew", "CUR\u00adFEW", "\uff43\uff55\uff52\uff46\uff45\uff57"])
def test_h503_finds_a_disguised_restriction(repo, written):
    repo.edit(ELENA_PLAN, SP2, f"description: A personal care aide helps with bathing; a {written} at 9 pm.")
    (finding,) = found(repo, "H503")
    assert finding[:4] == ("H503",) + where(repo, ELENA_PLAN, "A personal care aide")
    assert "(`curfew`)" in finding[4] and written not in finding[4]


@pytest.mark.parametrize("written", ["has the right to refuse", "r\u00e9sum\u00e9 sent", "\u0440\u0435\u0444\u044c\u044e\u0437"])
def test_normalising_finds_nothing_that_is_not_there(repo, written):
    repo.edit(ELENA_NOTE, "text: Asked Sunrise Home Care", f"text: Elena {written}. Asked Sunrise Home Care")
    assert found(repo, "P407") == []


def test_terms_listed_with_accents_or_disguises_match_their_plain_spelling():
    assert terms(("r\u00e9fuses",)).found("She refuses") == ["r\u00e9fuses"]
    assert terms(("cur\u200bfew",)).found("a curfew") == ["cur\u200bfew"]


def test_plain_ascii_text_is_returned_unchanged():
    text = "Elena refuses nothing; she chose her aide."
    assert normalized(text) == text
