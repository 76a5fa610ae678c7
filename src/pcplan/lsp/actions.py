"""Quick fixes where the fix is certain, proposed as edits the editor applies (never written by pcplan).

* A documented-exception skeleton for a finding: the rule, the item it is
  about, today's date, and empty `reason` and `documented_by` for the case
  manager to write (until they do, the schema reports them and the finding
  stays: an exception without its reason documents nothing).
* The fields L109 misses in a support (`amount`, `unit`, `frequency`, `start`,
  `end`), empty, each with a comment saying what goes there.
* After the plan was signed again (C305): the plan's current content
  fingerprint and today's date as the signature's `signed_on`, together (not
  marked preferred: the person at the keyboard confirms the signing and its day).

Nothing here writes the member's words: only codes, ids, dates and field names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from yaml import MappingNode, ScalarNode, SequenceNode

from ..facts.lifecycle import Lifecycle, lifecycle
from ..findings import Finding
from ..fingerprint import fingerprint
from ..load import LoadedFile, load_text
from ..model import Case, Document
from ..rules.linkage import QUANTITIES
from ..schema import schema_for
from ..shown import looks_like_id
from .edits import block_indent, commented, insert_after, last_line, node_at, spot
from .positions import Text

BLOCKING = ("E001", "E002", "E003", "E005")  # what `pcplan fingerprint` refuses, too


def _description(kind: str, *keys: str) -> str:
    """A field's description from the schema (the comment beside an empty field)."""
    node: Any = schema_for(kind)
    for key in keys:
        node = node.get("properties", {}).get(key, {}) if key != "*" else node.get("items", {})
    text = node.get("description", "") if isinstance(node, dict) else ""
    return " ".join(text.split())


def _about(doc: Document, data_path: tuple) -> str | None:
    """The id of the innermost item on the way to a finding's node (``goals[1].needs`` → G2)."""
    about = None
    node: Any = doc.data
    for step in data_path:
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            break
        if isinstance(node, dict) and looks_like_id(node.get("id")):
            about = node["id"]
    return about


def exception_action(finding: Finding, doc: Document, case: Case | None, today: date,
                     text_of: Callable[[Path], str | None], life: Lifecycle | None = None) -> types.CodeAction | None:
    """Add a documented-exception skeleton for ``finding`` to the plan whose exceptions would cover it:
    the plan itself for a finding in a plan, else the member's governing plan."""
    if finding.excepted or finding.code.startswith("E"):
        return None
    plan: Document | None
    if doc.kind == "plan":
        plan = doc
    else:
        if case is not None and life is None:
            life = lifecycle(case, today)
        governing = life.governing if life is not None else None
        plan = governing.plan if governing is not None else None
    if plan is None:
        return None
    raw = text_of(plan.path)
    if raw is None:
        return None
    loaded = load_text(raw, plan.path)
    root = loaded.root
    if not loaded.ok or not isinstance(root, MappingNode):
        return None
    about = _about(doc, finding.data_path) if doc.data else None
    if about is None and case is not None:
        by_path = {d.path: d for d in case.documents}
        for entry in finding.related:
            if entry.file in by_path:
                about = _about(by_path[entry.file], entry.data_path)
                if about:
                    break
    fields = [("rule", finding.code, "")]
    if about:
        fields.append(("about", about, ""))
    fields += [("reason", "", _description("plan", "exceptions", "*", "reason")),
               ("documented_by", "", _description("plan", "exceptions", "*", "documented_by")),
               ("on", today.isoformat(), "")]
    edits = _append_exception(loaded, root, Text(raw), fields)
    if edits is None:
        return None
    where = "this plan" if plan.path == doc.path else f"the plan in effect ({plan.path.name})"
    return types.CodeAction(
        title=f"Document an exception to {finding.code}" + (f" about {about}" if about else "") + f" in {where}",
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={from_fs_path(str(plan.path)): edits}),
    )


def _append_exception(loaded: LoadedFile, root: MappingNode, text: Text, fields: list[tuple[str, str, str]]) -> \
        list[types.TextEdit] | None:
    key, node = node_at(loaded, ("exceptions",))
    if key is None:  # no `exceptions:` yet: at the end of the file
        indent = block_indent(loaded, root)
        block = [" " * indent + "exceptions:"] + _item(fields, indent + 2)
        return [insert_after(text, last_line(loaded, root), block)]
    key_spot = spot(loaded, key)
    indent = key_spot.column - 1
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        dash = spot(loaded, node).column - 1
        return [insert_after(text, last_line(loaded, node), _item(fields, dash))]
    if isinstance(node, SequenceNode) and node.flow_style and node.value:
        where = spot(loaded, node)
        end = text.position(where.end_line, where.end_column - 1)  # before the closing `]`
        item = ", ".join(f"{k}: {v}" if v else f"{k}: " for k, v, _ in fields).replace(": ,", ":,")
        return [types.TextEdit(range=types.Range(start=end, end=end), new_text=", {" + item + "}")]
    if isinstance(node, ScalarNode) and node.value == "" and not node.style:  # `exceptions:` and nothing
        return [insert_after(text, key_spot.line, _item(fields, indent + 2))]
    if isinstance(node, SequenceNode):  # `exceptions: []` becomes a block list of one item
        where = spot(loaded, node)
        row = key_spot.line - 1
        line = text.line(row)
        colon = line.find(":", key_spot.end_column - 1)
        if where.end_line != key_spot.line or colon < 0:
            return None
        rest = line[where.end_column - 1:]  # a comment after `[]` stays on the key's line
        newline = "\r\n" if "\r\n" in text.text else "\n"
        item_lines = newline.join(_item(fields, indent + 2))
        return [types.TextEdit(range=types.Range(start=text.lsp(row, colon + 1), end=text.lsp(row, len(line))),
                               new_text=rest + newline + item_lines)]
    return None  # `exceptions:` holds something that is not a list (the schema reports it)


def _item(fields: list[tuple[str, str, str]], dash: int) -> list[str]:
    lines = commented(fields, dash + 2)
    return [" " * dash + "- " + lines[0].lstrip(" "), *lines[1:]]


def quantities_action(finding: Finding, doc: Document, text: Text) -> types.CodeAction | None:
    """L109: the support's missing quantity fields, empty, each with its description as a comment."""
    path = finding.data_path
    if finding.code != "L109" or len(path) != 2 or path[0] != "supports":
        return None
    supports = doc.data.get("supports")
    if not isinstance(supports, list) or not isinstance(path[1], int) or path[1] >= len(supports):
        return None
    support = supports[path[1]]
    if not isinstance(support, dict):
        return None
    absent = [key for key, _ in QUANTITIES if key not in support]
    _, node = node_at(doc.loaded, path)
    if not absent or not isinstance(node, MappingNode) or node.flow_style or not node.value:
        return None
    fields = [(key, "", _description("plan", "supports", "*", key)) for key in absent]
    edit = insert_after(text, last_line(doc.loaded, node), commented(fields, block_indent(doc.loaded, node)))
    ident = support.get("id") if looks_like_id(support.get("id")) else None
    return types.CodeAction(
        title=f"Add the missing fields of support {ident or ''}: {', '.join(absent)}".replace("  ", " "),
        kind=types.CodeActionKind.QuickFix, edit=types.WorkspaceEdit(changes={_uri(doc): [edit]}),
        is_preferred=True)


def _uri(doc: Document) -> str:
    return from_fs_path(str(doc.path))


def _fingerprintable(doc: Document) -> bool:
    return doc.kind == "plan" and doc.loaded.ok and not any(p.code in BLOCKING for p in doc.problems)


def fingerprint_action(finding: Finding, doc: Document, text: Text, today: date) -> types.CodeAction | None:
    """C305, after the plan was signed again: the signature's fingerprint becomes the plan's current one and its
    `signed_on` today's date, in one edit (as the rule's fix says). A new fingerprint beside the old date would
    claim the person signed this version on that day. Not marked preferred: only the person at the keyboard
    knows the plan was signed again, and on which day (they change the date when it was not today)."""
    path = finding.data_path
    if finding.code != "C305" or not _fingerprintable(doc) or path[-1:] != ("fingerprint",):
        return None
    _, node = node_at(doc.loaded, path)
    _, signed = node_at(doc.loaded, path[:-1] + ("signed_on",))
    if not isinstance(node, ScalarNode) or not isinstance(signed, ScalarNode) or signed.value == "":
        return None  # no signing date to change: the schema reports the signature first
    current = fingerprint(doc.data)
    edits = [_replace(doc, text, node, f'"{current}"'), _replace(doc, text, signed, today.isoformat())]
    return types.CodeAction(
        title=f"Signed again today: record signed_on {today.isoformat()} and the current fingerprint {current} "
              "in this signature",
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={_uri(doc): sorted(edits, key=lambda e: (e.range.start.line,
                                                                                 e.range.start.character))}))


def _replace(doc: Document, text: Text, node: ScalarNode, new_text: str) -> types.TextEdit:
    where = spot(doc.loaded, node)
    return types.TextEdit(range=types.Range(start=text.position(where.line, where.column),
                                            end=text.position(where.end_line, where.end_column)), new_text=new_text)


def signature_actions(doc: Document, text: Text, row: int) -> list[types.CodeAction]:
    """On a signature that records no fingerprint: record the plan's current one (C305 can then tell)."""
    if not _fingerprintable(doc):
        return []
    _, signatures = node_at(doc.loaded, ("signatures",))
    if not isinstance(signatures, SequenceNode):
        return []
    out = []
    for node in signatures.value:
        if not isinstance(node, MappingNode) or not node.value:
            continue
        where = spot(doc.loaded, node)
        if not where.line - 1 <= row <= last_line(doc.loaded, node) - 1:
            continue
        keys = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
        if "fingerprint" in keys or "signed_on" not in keys:
            continue
        current = fingerprint(doc.data)
        if node.flow_style:
            if text.line(where.end_line - 1)[where.end_column - 2:where.end_column - 1] != "}":
                continue
            at = text.position(where.end_line, where.end_column - 1)
            edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=f', fingerprint: "{current}"')
        else:
            edit = insert_after(text, last_line(doc.loaded, node),
                                [" " * block_indent(doc.loaded, node) + f'fingerprint: "{current}"'])
        out.append(types.CodeAction(
            title=f"Record the plan's current fingerprint {current} in this signature",
            kind=types.CodeActionKind.RefactorRewrite,
            edit=types.WorkspaceEdit(changes={_uri(doc): [edit]})))
    return out
