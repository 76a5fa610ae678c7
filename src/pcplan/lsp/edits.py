"""Text edits that add to a YAML case file without touching anything else in it.

Edits are computed on the file's node tree (``pcplan.load``), so they land
where the YAML says a mapping or list ends, with its own indentation; the
file's comments, order and formatting are kept. Nothing here writes a file:
the edits are proposed to the editor, which applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from yaml import MappingNode, Node, ScalarNode, SequenceNode

from ..load import LoadedFile, _Lines
from .positions import Text


@dataclass(frozen=True)
class Spot:
    """A node's start and end, 1-based lines and columns (end exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int


def spot(loaded: LoadedFile, node: Node) -> Spot:
    lines = _Lines(loaded.newlines)
    (line, column), (end_line, end_column) = lines.mark(node.start_mark), lines.mark(node.end_mark)
    return Spot(line, column, end_line, end_column)


def node_at(loaded: LoadedFile, data_path: tuple) -> tuple[Node | None, Node | None]:
    """(key node, value node) at ``data_path``; (None, None) when the path does not exist."""
    node, key = loaded.root, None
    for step in data_path:
        if isinstance(node, MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == step), None)
            if pair is None:
                return None, None
            key, node = pair
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            key, node = None, node.value[step]
        else:
            return None, None
    return key, node


def last_line(loaded: LoadedFile, node: Node) -> int:
    """The last line (1-based) holding the node's own text: a block collection's last child, not the
    blank lines and comments that follow it."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        if isinstance(node, MappingNode):
            key, value = last
            if isinstance(value, ScalarNode) and value.value == "" and not value.style:
                return spot(loaded, key).line  # `key:` with nothing after it
            return max(last_line(loaded, value), spot(loaded, key).line)
        return last_line(loaded, last)
    where = spot(loaded, node)
    if isinstance(node, ScalarNode) and node.style in ("|", ">") and where.end_column == 1:
        return max(where.line, where.end_line - 1)  # a block scalar ends at the start of the next line
    return where.end_line


def line_end(text: Text, line: int) -> types.Position:
    """The position at the end of a 1-based line (before its line break)."""
    row = min(max(line - 1, 0), len(text.lines) - 1)
    return text.lsp(row, len(text.line(row)))


def block_indent(loaded: LoadedFile, mapping: MappingNode) -> int:
    """The column (0-based) of a block mapping's keys."""
    return spot(loaded, mapping.value[0][0]).column - 1 if mapping.value else 0


def insert_after(text: Text, line: int, block: list[str]) -> types.TextEdit:
    """Insert the lines of ``block`` after a 1-based line, with the file's own line breaks."""
    at = line_end(text, line)
    newline = newline_of(text)
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=newline + newline.join(block))


def newline_of(text: Text) -> str:
    """The file's line break: CRLF when it has one, else LF."""
    return "\r\n" if "\r\n" in text.text else "\n"


def commented(keys: list[tuple[str, str, str]], indent: int) -> list[str]:
    """``key: value  # comment`` lines at ``indent``, the comments aligned."""
    width = max((len(key) + 1 + (len(value) + 1 if value else 0) for key, value, comment in keys if comment),
                default=0)
    out = []
    for key, value, comment in keys:
        head = f"{key}:" + (f" {value}" if value else "")
        out.append(" " * indent + (f"{head.ljust(width)}  # {comment}" if comment else head))
    return out
