"""Adding to a YAML file and leaving every other byte as it was: an entry at the end of a top-level list, or
one key in a list's entry.

`pcplan new hold|transfer|review|enrollment` change a case file a person wrote (DESIGN.md §6: "by adding the
entry and leaving every other byte as it was"). The places come from the node positions of ``yaml.compose``
(the pure-Python composer, whose positions count characters of the text), so comments, order, quoting and
layout around the new text stay as they were:

* a block list gets the new entry after its last entry (after that entry's last line, so a comment after the
  list stays where it is), with the same indentation; when its last entry is a mapping written on one line
  in braces (``- {start: …, kind: …}``), the new one is written the same way;
* a flow list (``[a, b]``) gets ``, entry`` after its last entry, in flow style;
* an empty list (``holds: []``) becomes a block list: the ``[]`` is the only text taken away (blanked when
  a comment follows on the line, so the comment stays in its column), and a key with no value
  (``holds:``) gets the list under it;
* a key that is not there is added before the first top-level key the schema orders after it (with the
  lead-in comment lines just above that key), else at the end of the file;
* one key added to a list entry goes after the key it belongs with (``to:`` after ``from:``).

Line ends follow the file (LF or CRLF); a file that ends without a line end still does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .yamltext import dump

WIDTH = 4096  # one entry in braces stays on one line


class InsertError(Exception):
    """The file's layout leaves no place to add the entry without changing what is there."""


@dataclass(frozen=True)
class Insertion:
    """The text to put at ``index`` (a character index of the file's text); ``end``: text from ``index`` to
    ``end`` is taken away first (only the ``[]`` of an empty list)."""

    index: int
    text: str
    end: int | None = None


def newline_of(text: str) -> str:
    """The file's line end: CRLF when its first line ends so, else LF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def apply(text: str, insertions: Sequence[Insertion]) -> str:
    """``text`` with the insertions made; two at the same place go in the order listed."""
    for _, change in sorted(enumerate(insertions), key=lambda pair: (pair[1].index, pair[0]), reverse=True):
        text = text[:change.index] + change.text + text[change.end if change.end is not None else change.index:]
    return text


def compose(text: str) -> MappingNode:
    """The file's top-level mapping (block style), or InsertError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise InsertError("the file does not read as YAML; fix it first (pcplan check)") from None
    if not isinstance(root, MappingNode) or root.flow_style:
        raise InsertError("the file is not a mapping written line by line (`key: value`); add the entry by hand")
    return root


def _key_of(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for key_node, value in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value
    return None


def append_entry(text: str, key: str, entry: dict, order: Sequence[str],
                 comments: Sequence[str] = ()) -> list[Insertion]:
    """Where and what to insert so that the top-level list ``key`` ends with ``entry``. ``order``: the schema's
    order of the top-level keys (where a missing ``key`` goes); ``comments``: lines written as comments after
    the entry's fields in block style (what a person may still fill in)."""
    root = compose(text)
    nl = newline_of(text)
    found = _key_of(root, key)
    if found is None:
        return [_new_key(text, root, key, entry, order, comments, nl)]
    key_node, value = found
    if isinstance(value, SequenceNode) and value.flow_style:
        if value.value:
            return [Insertion(value.value[-1].end_mark.index, ", " + flow(entry))]
        return _open_empty(text, key_node, value, entry, comments, nl, root)
    if isinstance(value, SequenceNode):
        last = value.value[-1]
        dash = value.start_mark.column
        as_flow = isinstance(last, MappingNode) and last.flow_style and last.start_mark.line == last.end_mark.line
        lines = [" " * dash + "- " + flow(entry)] if as_flow else \
            block_entry(entry, dash, _key_column(last), comments)
        index, lead = _after_line(text, _last_end(last), nl)
        return [Insertion(index, lead + "".join(line + nl for line in lines))]
    if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:null" and value.value == "":
        lines = block_entry(entry, key_node.start_mark.column + _indent(root), None, comments)
        index, lead = _after_line(text, key_node.end_mark.index, nl)
        return [Insertion(index, lead + "".join(line + nl for line in lines))]
    raise InsertError(f"`{key}` is not a list; add the entry by hand")


def add_key(text: str, key: str, position: int, new_key: str, value: Any, after: str) -> list[Insertion]:
    """Where and what to insert so that entry ``position`` of the top-level list ``key`` gets ``new_key: value``,
    written after its ``after`` key (else after its last key)."""
    root = compose(text)
    nl = newline_of(text)
    found = _key_of(root, key)
    if found is None or not isinstance(found[1], SequenceNode) or position >= len(found[1].value):
        raise InsertError(f"`{key}` has no entry {position + 1}")
    item = found[1].value[position]
    if not isinstance(item, MappingNode) or not item.value:
        raise InsertError(f"`{key}` entry {position + 1} is not a mapping; add `{new_key}` by hand")
    anchor = _key_of(item, after)
    last = anchor[1] if anchor is not None else item.value[-1][1]
    if item.flow_style:
        pair = flow({new_key: value})[1:-1]
        return [Insertion(last.end_mark.index, ", " + pair)]
    line = " " * item.start_mark.column + dump({new_key: value}).rstrip("\n")
    index, lead = _after_line(text, _last_end(last), nl)
    return [Insertion(index, lead + line + nl)]


# ---------------------------------------------------------------- writing an entry


def flow(value: Any) -> str:
    """``value`` in flow style on one line (``{start: 2027-02-05, kind: hospital}``), dates plain."""
    from .yamltext import _Dumper  # the scaffolds' dumper: block-style defaults, dates plain, look-alikes quoted

    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, sort_keys=False, allow_unicode=True,
                     width=WIDTH)
    text = text[:-4] if text.endswith("\n...\n") else text
    return text.rstrip("\n")


def block_entry(entry: dict, dash: int, key_column: int | None, comments: Sequence[str] = ()) -> list[str]:
    """The lines of ``- key: value …`` with the dash at ``dash`` and the keys at ``key_column`` (dash + 2)."""
    column = key_column if key_column is not None and key_column > dash else dash + 2
    body = dump(entry).rstrip("\n").split("\n")
    pad = " " * column
    lines = [" " * dash + "-" + " " * (column - dash - 1) + body[0]]
    lines += [pad + line if line else line for line in body[1:]]
    lines += [pad + "# " + line for line in comments]
    return lines


# ---------------------------------------------------------------- places


def _last_end(node: Node) -> int:
    """The character index where the last text of ``node`` ends (its last block entry's, recursively): a
    block collection's own end lies beyond the comments after it."""
    while True:
        if isinstance(node, SequenceNode) and not node.flow_style and node.value:
            node = node.value[-1]
        elif isinstance(node, MappingNode) and not node.flow_style and node.value:
            node = node.value[-1][1]
        else:
            return node.end_mark.index


def _after_line(text: str, index: int, nl: str) -> tuple[int, str]:
    """The start of the line after the one holding ``index``, and the line end to put first when that line is
    the last and has none."""
    if index > 0 and text[index - 1] == "\n":  # already at a line's start (a block scalar's end)
        return index, ""
    end = text.find("\n", index)
    if end < 0:
        return len(text), nl
    return end + 1, ""


def _key_column(item: Node) -> int | None:
    """The column of the keys of a list entry written as a block mapping (None for any other entry)."""
    return item.start_mark.column if isinstance(item, MappingNode) and not item.flow_style else None


def _indent(root: MappingNode) -> int:
    """How far this file indents a block list under its key: as its first block list does (0 or 2, …), else 2."""
    for key_node, value in root.value:
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            return max(0, value.start_mark.column - key_node.start_mark.column)
    return 2


_LEAD_IN = re.compile(r"#( [^ \r\n].*)?\r?\n?\Z")  # `# Text`: a comment introducing the key below it


def _new_key(text: str, root: MappingNode, key: str, entry: dict, order: Sequence[str],
             comments: Sequence[str], nl: str) -> Insertion:
    rank = {name: number for number, name in enumerate(order)}
    mine = rank.get(key, len(order))
    later = [k for k, _ in root.value if isinstance(k, ScalarNode) and rank.get(k.value, -1) > mine]
    lines = [f"{key}:", *block_entry(entry, _indent(root), None, comments)]
    block = "".join(line + nl for line in lines)
    if later:
        return Insertion(_lead_in_start(text, later[0].start_mark.index), block)
    index, lead = _after_line(text, _last_end(root), nl)
    return Insertion(index, lead + block)


def _lead_in_start(text: str, index: int) -> int:
    """The start of the comment lines just above the key at ``index`` that introduce it (``# Text`` at the
    key's column, no blank line between); a commented example of the list above (``#   - staff: …``) stays
    with that list."""
    start = text.rfind("\n", 0, index) + 1
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        if not _LEAD_IN.match(text[previous:start]):
            break
        start = previous
    return start


def _open_empty(text: str, key_node: ScalarNode, value: SequenceNode, entry: dict, comments: Sequence[str],
                nl: str, root: MappingNode) -> list[Insertion]:
    """``key: []`` becomes ``key:`` with the entry under it; a comment after the ``[]`` stays in its column."""
    start, end = value.start_mark.index, value.end_mark.index
    if value.start_mark.line != value.end_mark.line or text[start:end].strip("[] ") != "":
        raise InsertError("the empty list spans lines; add the entry by hand")
    line_end = text.find("\n", end)
    rest = text[end:line_end if line_end >= 0 else len(text)].rstrip("\r")
    if rest.strip():  # a comment follows: blank the brackets so it keeps its column
        blank = Insertion(start, " " * (end - start), end)
    else:  # nothing follows: take the brackets and the spaces before them
        left = start
        while left > key_node.end_mark.index and text[left - 1] == " ":
            left -= 1
        blank = Insertion(left, "", end + len(rest))
    lines = block_entry(entry, key_node.start_mark.column + _indent(root), None, comments)
    index, lead = _after_line(text, end, nl)
    return [blank, Insertion(index, lead + "".join(line + nl for line in lines))]
