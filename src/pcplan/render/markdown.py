"""Words from a case file shown as written in a Markdown plan: escaped only where Markdown would misread them.

The Markdown plan is read as plain text too (in an email, by a screen reader), so a backslash before every
parenthesis (``López \\(hija\\)``) is noise a member sees. A value is escaped where CommonMark (and GitHub's
dialect) would take it for syntax *wherever a template puts it*: a value may start a line (a list item, the
agency's line), end a heading, sit inside ``**…**``, or stand next to another value on the same line, so its
own edges count as places where anything may follow. What is escaped:

* at the start: a heading (``# ``), a list item (``- ``, ``+ ``, ``* ``, ``1. ``, ``1) ``), a quote (``>``),
  a rule or underline (``---``, ``===``);
* at the end: a heading's closing ``#`` (``phone #``);
* anywhere: a backtick (a code span); ``*`` and ``_`` that could open or close emphasis (one between two
  spaces, or ``_`` inside a word, cannot), ``~`` when there are two (a strikethrough); ``]`` followed by ``(``,
  ``[`` or ``:`` (a link, an image, a reference or its definition: without that ``]`` no link can form, so
  ``[`` stays as written); ``<`` before a letter, ``/``, ``!`` or ``?`` (raw HTML, an autolink); a backslash
  before punctuation or at the end (it would escape what follows); an entity reference (``&amp;``).

Line breaks are folded into spaces, so a value is one line and never starts a block of its own.
Parentheses, brackets, ``#``, ``+``, ``!``, ``|`` and ``{}`` in the middle of words are text, left alone.
"""

from __future__ import annotations

import re
import string

_ENTITY = re.compile(r"&(#?\w+;)")
_PUNCTUATION = frozenset(string.punctuation)
# (the pattern at the start of a value, the group to escape)
_LINE_START = (
    re.compile(r"#{1,6}(?:\s|\Z)"),  # heading
    re.compile(r"[-+*](?:\s|\Z)"),  # bullet
    re.compile(r"\d{1,9}(?P<mark>[.)])(?:\s|\Z)"),  # numbered item: the `.` or `)` is escaped
    re.compile(r">"),  # quote
    re.compile(r"(?:[-=_*]\s*)+\Z"),  # thematic break or a setext heading's underline
)
_CLOSING_HASHES = re.compile(r"(?:(?<=\s)|\A)#+\Z")
_TAG_START = re.compile(r"[A-Za-z/!?]")


def markdown_text(value: str) -> str:
    """``value`` as one line of Markdown that shows exactly ``value`` (whitespace folded)."""
    folded = " ".join(value.split())
    marks = _escaped_positions(folded)
    escaped = "".join("\\" + ch if i in marks else ch for i, ch in enumerate(folded))
    return _ENTITY.sub(r"&amp;\1", escaped)


def _escaped_positions(text: str) -> set[int]:
    marks = {i for i, ch in enumerate(text) if _inline_syntax(text, i, ch)}
    for pattern in _LINE_START:
        found = pattern.match(text)
        if found:
            marks.add(found.start("mark") if "mark" in pattern.groupindex else 0)
            break
    closing = _CLOSING_HASHES.search(text)
    if closing:
        marks.add(closing.start())
    return marks


def _inline_syntax(text: str, i: int, ch: str) -> bool:
    """Whether the character at ``i`` would be read as inline syntax, wherever the value is placed."""
    before = text[i - 1] if i > 0 else None
    after = text[i + 1] if i + 1 < len(text) else None
    if ch == "`":
        return True
    if ch == "\\":
        return after is None or after in _PUNCTUATION
    if ch in "*_~":
        return _delimiter(text, ch, before, after)
    if ch == "]":
        return after is not None and after in "([:"
    if ch == "<":
        return after is None or _TAG_START.match(after) is not None
    return False


def _delimiter(text: str, ch: str, before: str | None, after: str | None) -> bool:
    """An emphasis (``*``, ``_``) or strikethrough (``~``) character that could open or close one, with a
    partner in this value or in a neighbouring one on the same line: not one between two spaces, nor ``_``
    inside a word; ``~`` only when the value has another (``~5 minutes`` is text)."""
    if before is not None and after is not None and before.isspace() and after.isspace():
        return False
    if ch == "_" and before is not None and after is not None and before.isalnum() and after.isalnum():
        return False
    return ch != "~" or text.count("~") > 1
