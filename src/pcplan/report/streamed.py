"""A JSON document whose one long list is written an item at a time, byte for byte as ``json.dump`` writes it.

The json and sarif formats hold every finding in one list: building that list whole
would hold every finding in memory at once, and a statewide check has 100,000s.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

# Stands in the document for the list written an item at a time. A NUL never reaches a format's strings (paths
# and messages are shown escaped), so its JSON text, "\u0000…", cannot occur anywhere else in the document.
STREAMED = "\x00streamed items\x00"


def dump(document: dict, items: Iterable[dict], stream: TextIO) -> None:
    """``json.dump(document, stream, indent=2, ensure_ascii=False)`` with the ``STREAMED`` value in ``document``
    replaced by the list of ``items``, each encoded and written as it comes."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    head, tail = text.split(json.dumps(STREAMED), 1)
    line = head[head.rfind("\n") + 1:]
    outer = " " * (len(line) - len(line.lstrip(" ")))  # the indentation of the line holding the list
    inner = "\n" + outer + "  "
    stream.write(head)
    before = "[" + inner
    for item in items:
        stream.write(before + json.dumps(item, indent=2, ensure_ascii=False).replace("\n", inner))
        before = "," + inner
    stream.write("[]" if before.startswith("[") else "\n" + outer + "]")
    stream.write(tail)
