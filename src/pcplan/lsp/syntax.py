"""Where the cursor is in a case file, read from the lines themselves.

Hover, go to definition and completion must work while a case manager types,
when the YAML is often not valid yet (`needs: [N` has no closing bracket). So
the field the cursor is in is worked out from indentation and the keys on the
lines above, as a person reads the file, never from a parse that may fail.
The answer is a key path without list indices: the `needs` of a goal is
``("goals", "needs")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?=[ \t]|$)")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_KIND = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z_]+)", re.M)
_DASHES = re.compile(r"(?:-[ \t]+)*")


def declared_kind(text: str) -> str | None:
    """The value of the document's top-level ``kind:``, if it has one."""
    match = _KIND.search(text)
    return match.group(1) if match else None


def without_comment(line: str) -> str:
    """The line up to a ``#`` comment (a ``#`` inside quotes, or not after a space, is text)."""
    quote = ""
    for index, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # character index in the line
    end: int


def word_at(line: str, index: int) -> Word | None:
    """The id-like word (letters, digits, ``.``, ``_``, ``-``) under or just before ``index``."""
    for match in _WORD.finditer(line):
        if match.start() <= index <= match.end():
            return Word(match.group(), match.start(), match.end())
        if match.start() > index:
            break
    return None


def prefix_at(line: str, index: int) -> Word:
    """The part of an id typed before ``index`` (empty when the cursor follows a space, ``[`` or ``,``)."""
    start = index
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "._-"):
        start -= 1
    while start < index and not line[start].isalnum():  # an id starts with a letter or digit (not `-` of a list)
        start += 1
    end = index
    while end < len(line) and (line[end].isalnum() or line[end] in "._-"):
        end += 1
    return Word(line[start:index], start, end)


def _first_column(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_key(line: str) -> tuple[str | None, int, str]:
    """(key, its column, the rest of the line after ``key:``) for a block line like ``  - needs: [N1]``."""
    start = _first_column(line)
    dashes = _DASHES.match(line, start)  # always matches, if only the empty string
    start = dashes.end() if dashes else start
    match = _KEY.match(line, start)
    if match is None:
        return None, start, ""
    return match.group(1), start, without_comment(line[match.end():]).strip()


def _open_keys(prefix: str) -> list[str]:
    """The keys on this line whose value the end of ``prefix`` is still in: ``meeting: {facilitator: cm-j`` →
    ``["meeting", "facilitator"]``; ``{name: Danny, ro`` → ``[]`` (the cursor is on a key)."""
    text = without_comment(prefix)
    keys: list[str] = []
    for match in _KEY.finditer(text):
        if _inside_quotes(text, match.start()):
            continue
        depth, inside = 0, True
        for ch in text[match.end():]:
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth < 0:
                    inside = False
                    break
            elif ch == "," and depth == 0:
                inside = False
                break
        if inside and depth >= 0:
            keys.append(match.group(1))
    # A key whose value holds another open key is its parent; keep the order they were written in.
    return keys


def _inside_quotes(text: str, index: int) -> bool:
    quote = ""
    for ch in text[:index]:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
    return bool(quote)


def key_path(lines: list[str], row: int, index: int) -> tuple[str, ...]:
    """The keys leading to the value at (``row``, ``index``), outermost first, list levels left out.

    ``("goals", "needs")`` for a need id in a goal; ``("monitoring", "responsible")``;
    ``()`` at the top level or on a key itself.
    """
    line = lines[row] if 0 <= row < len(lines) else ""
    here = _open_keys(line[:index])
    # a new, empty line: its indentation is where the cursor is
    threshold = _first_column(line) if line.strip() else index
    parents: list[str] = []
    for above in range(row - 1, -1, -1):
        if threshold == 0:
            break
        text = lines[above]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        column = _first_column(text)
        if column >= threshold:
            continue
        key, key_column, rest = _block_key(text)
        if key is not None and key_column < threshold:
            parents.append(key)
        threshold = column
    return tuple(reversed(parents)) + tuple(here)
