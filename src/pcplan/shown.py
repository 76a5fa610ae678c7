"""What pcplan may show of what it read: the one place that decides (DESIGN.md §6, "Private" and "Safe").

Everything a case file or a file name holds is untrusted: it may be a member's
words, and it may be bytes that drive a terminal or a CI log. Every output
format shows such text through these functions only:

* :func:`looks_like_id` / :func:`plain_id` — an id (``N3``, ``G2.1``,
  ``SP4``, ``cm-jlee``, ``M-000123``) is shown only when it has the shape of
  one; text typed where an id belongs (a name, a diagnosis) is never repeated.
* :func:`visible` — control characters (C0, DEL, C1), escape sequences, bidi
  overrides and isolates, zero-width characters, line and paragraph
  separators, newlines and bytes that are not UTF-8 are shown escaped
  (``\\x1b``, ``\\u202e``, ``\\n``, ``\\xff``), so nothing read can move the
  cursor, clear the screen, set a title, make a link, reorder a line or start a
  new log line.
* :func:`shown_path` — a path through :func:`visible`; in private mode (``CI``
  set) a file or folder name that does not look like a name (``2026-10-01.yaml``,
  ``M-000123``) is replaced by a stable ``name-not-shown-<hash>``.
* :func:`key_path` — a path for keys that are written down (baselines, SARIF
  fingerprints): names that do not look like names are always hashed, so a
  baseline holds no words and matches in CI and at a desk alike.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

ID_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z")
NAME_LIKE = re.compile(r"[A-Za-z0-9._-]{1,100}\Z")

# Characters that are not shown as themselves: Unicode's control (Cc), format (Cf: bidi marks, overrides and
# isolates, zero-width characters, the byte-order mark, interlinear annotation, tag characters), line and
# paragraph separators (Zl, Zp), surrogates (Cs: bytes that were not UTF-8, under surrogateescape) and the
# noncharacters U+FFFE and U+FFFF. tests/test_terminal_safety.py compares this with unicodedata.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: Any) -> str:
    """``text`` with every character that could act on a terminal or a log escaped visibly.

    Printable text (any script, emoji, combining marks) is unchanged; what is
    escaped is shown as Python writes it in a string (``\\x1b``, ``\\n``,
    ``\\u202e``), so the reader sees that it is there and where.
    """
    text = text if isinstance(text, str) else str(text)
    return _HIDDEN.sub(_escape, text)


def has_hidden(text: str) -> bool:
    """Whether :func:`visible` would change ``text``."""
    return _HIDDEN.search(text) is not None


def looks_like_id(value: Any) -> bool:
    """An id's shape: a letter or digit, then letters, digits, ``.``, ``_`` or ``-``; at most 40 characters."""
    return isinstance(value, str) and ID_LIKE.match(value) is not None


def plain_id(value: Any) -> str:
    """An id as running text shows it (``N4``), or ``(not an id)`` for text typed where an id belongs."""
    return value if looks_like_id(value) else "(not an id)"


def private() -> bool:
    """Private mode: ``CI`` is set (a CI log and what CI uploads hold no member text, DESIGN.md §6)."""
    return bool(os.environ.get("CI"))


def _looks_like_name(part: str) -> bool:
    return part in ("", ".", "..") or NAME_LIKE.match(part) is not None


def hidden_name(part: str) -> str:
    """A stable stand-in for a file or folder name that is not shown: ``name-not-shown-3fa2c1d0``."""
    digest = hashlib.sha256(part.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    suffix = os.path.splitext(part)[1]
    return f"name-not-shown-{digest}" + (suffix if suffix and NAME_LIKE.match(suffix) else "")


def key_path(path: str) -> str:
    """A path as keys that are written down hold it: names that do not look like names hashed."""
    return "/".join(part if _looks_like_name(part) else hidden_name(part) for part in path.split("/"))


def shown_path(path: Any, hide: bool | None = None) -> str:
    """A path (forward slashes) as output shows it: escaped by :func:`visible`; with ``hide`` (default:
    private mode), a name that does not look like a name is replaced as :func:`key_path` does."""
    path = path if isinstance(path, str) else str(path)
    if hide is None:
        hide = private()
    return visible(key_path(path) if hide else path)


def shown_name(name: Any) -> str:
    """A file name inside a message: shown when it looks like a name, else ``(a file whose name is not
    shown)``; messages are read in CI logs."""
    return name if isinstance(name, str) and NAME_LIKE.match(name) else "(a file whose name is not shown)"
