"""What a template leaves for a person to replace: one definition for `pcplan new` and for the rules.

`pcplan new` writes :data:`TEMPLATE_TEXT` where a person writes what happened (a
note's `text`, a progress entry's `text` in its comments); N802 and every count
of a note as a contact (``lifecycle.records_contact``) read :func:`is_placeholder`,
and L111 reads it for a backup plan. A value is a placeholder when it says
nothing about this person:

* empty, or only dots, dashes, underscores, question marks or an ellipsis
  (``...``, ``…``, ``--``, ``?``) — what the scaffold writes is one of these;
* a stand-in, whatever its case, spacing or final full stop: ``N/A``,
  ``none``, ``TBD``, ``to be determined``, ``pending``, ``see above``,
  ``per policy``, ``same``, ``x`` … (:data:`STAND_INS`);
* a prompt to fill in: the whole value in angle brackets (``<what happened>``)
  or double braces, one of the scaffold's own prompts (:data:`PROMPTS`), or a
  value that begins with ``TODO`` or ``FIXME``.

Words that describe what happened, however short ("Called; no answer."), are
not placeholders: whether they are enough is for a person to judge.
"""

from __future__ import annotations

import re

# What `pcplan new` writes where a person writes the text: it loads as a string and passes the schema, and
# every check reads it as nothing written.
TEMPLATE_TEXT = "..."

# Stand-ins that say nothing about the person (compared case-folded, spaces collapsed, a final full stop aside).
STAND_INS = frozenset({
    "n/a", "na", "none", "no", "nil", "null", "tbd", "tba", "to be determined", "pending", "see above",
    "same as above", "as above", "see mitigation", "same", "standard", "per policy", "per agency policy", "usual",
    "x", "todo", "fixme", "text", "note", "notes", "narrative",
})

# The guidance `pcplan new` writes in its comments, should one be uncommented as it is.
PROMPTS = frozenset({
    "what happened and what comes next", "what changed, in plain words", "what changed", "full name",
    "how satisfied the member is with their plan and supports, in their words",
})

_SPACE = re.compile(r"\s+")
_NOTHING = re.compile(r"^[\s.…\-–—_?*]*$")  # dots, an ellipsis, dashes, underscores, question marks, asterisks
_PROMPT = re.compile(r"^(<[^<>]*>|\{\{.*\}\})$", re.S)
_TODO = re.compile(r"^(todo|fixme)\b", re.I)


def is_placeholder(value: object) -> bool:
    """Whether a text field says nothing about the person: missing, empty, or what a template leaves.

    Anything that is not a string (a number, a list typed where text belongs) is not a record of what
    happened either, so it counts as a placeholder too."""
    if not isinstance(value, str):
        return True
    if _NOTHING.match(value):
        return True
    plain = _SPACE.sub(" ", value.strip()).rstrip(".").strip()
    folded = plain.casefold()
    return folded in STAND_INS or folded in PROMPTS or bool(_PROMPT.match(plain)) or bool(_TODO.match(plain))
