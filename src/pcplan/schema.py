"""JSON Schema validation → problems with the exact node and a message that quotes no member text.

jsonschema's own messages repeat the offending value, which may be a member's
words (protected health information); ours name the field, the rule of the
schema and the expected form, never the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from typing import TYPE_CHECKING, Any, cast

from .dates import FREQUENCY_PATTERN, SUPPORT_FREQUENCY_PATTERN
from .load import MAX_PER_CODE, Problem, more_problems, shown_key
from .resources import schema_text

if TYPE_CHECKING:  # imported when first needed: most runs only ask the fast validator
    import jsonschema_rs
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

KINDS = ("member", "assessment", "plan", "note", "closure", "staff", "providers")
VERSIONS = (1,)

# Human names for the patterns the schemas use.
_PATTERN_NAMES = {
    FREQUENCY_PATTERN: "a frequency such as `weekly`, `1 month`, `3 months`, `2 weeks`, `30 days`, `3 times a week` "
                       "or `twice a month`",
    SUPPORT_FREQUENCY_PATTERN: "a frequency such as `weekly`, `3 times a week`, `twice a month` or `every 2 weeks`, "
                               "or `once` or `as_needed`",
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "a language code such as `en`, `es` or `pt-BR`",
    r"^[A-Z][0-9]{3}$": "a rule code such as `C301`",
    r"^sha256:[0-9a-f]{16,64}$": "a fingerprint printed by `pcplan fingerprint`, such as `sha256:3f2a…`",
    # Identity and services (DESIGN.md): the forms a state system and a claim read.
    r"^([A-Z][0-9]{4}|[0-9]{4}[0-9FTU])$": "an HCPCS code: one capital letter and four digits (Level II, such as "
                                           "`T1019`), or four digits then a digit, F, T or U (Level I/CPT, such as "
                                           "`99509`)",
    r"^[A-Z0-9]{2}$": "a modifier of two capital letters or digits, such as `U1`",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "a provider id of lowercase letters, digits and hyphens, such as "
                                 "`pv-sunrise-home-health`",
    r"^[0-9]{10}$": "an NPI of ten digits, in quotes, such as `\"1234567893\"`",
    r"^(medicaid|state|mrn|ssn-last4|[A-Za-z][A-Za-z0-9+.-]*:[^\s]+)$": "`medicaid`, `state`, `mrn`, `ssn-last4`, "
                                                                        "or a URI such as `urn:oid:2.16.840.1.113883`",
    r"^[0-9]{4}$": "the last four digits of the Social Security number, in quotes, such as `\"1234\"`",
}
_ID_PREFIX = {"A": "an assessment id such as A1", "P": "a plan id such as P1", "N": "a need id such as N1",
              "S": "a strength id such as S1", "B": "a barrier id such as B1", "R": "a risk id such as R1",
              "G": "a goal id such as G1", "SP": "a support id such as SP1",
              "RM": "a rights modification id such as RM1"}
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping of fields", "array": "a list", "null": "empty"}


@cache
def schema_for(kind: str) -> dict:
    return json.loads(schema_text(kind))


@cache
def _validator(kind: str) -> Validator:
    """The reference validator: slow, but its errors say exactly what and where."""
    import jsonschema

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"uniqueItems": _unique_items})
    return cls(schema_for(kind), format_checker=cls.FORMAT_CHECKER)


def _unique_items(validator: Validator, unique: bool, instance: Any,  # noqa: ARG001 - jsonschema's keyword
                  schema: dict) -> Iterator[ValidationError]:
    """``uniqueItems`` in linear time.

    jsonschema compares every pair of items it cannot sort (mappings, or text mixed
    with numbers): a list of 10,000 mappings took minutes. Items are compared here
    by a hashable canonical form with JSON Schema's equality (``1 == 1.0``, ``true != 1``).
    Its message repeats no value (ours never do).
    """
    from jsonschema.exceptions import ValidationError

    if unique and isinstance(instance, list):
        seen: set = set()
        for item in instance:
            canonical = _canonical(item)
            if canonical in seen:
                yield ValidationError("has non-unique elements")
                return
            seen.add(canonical)


def _canonical(value: Any) -> Any:
    """A hashable form of loaded data, equal exactly when JSON Schema calls two values equal."""
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        return (2, value)  # 1 and 1.0 are equal and hash alike, as JSON Schema wants
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, list):
        return (4, tuple(_canonical(item) for item in value))
    if isinstance(value, dict):
        return (5, frozenset((key, _canonical(item)) for key, item in value.items()))
    return (0, None) if value is None else (6, repr(value))


@cache
def _fast_validator(kind: str) -> jsonschema_rs.Validator | None:
    """A compiled validator (jsonschema-rs, ~200× faster) that only answers valid or not; None if unavailable."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.validator_for(schema_for(kind), validate_formats=True)


def identify(data: Any) -> tuple[str | None, list[Problem]]:
    """The document's kind, or an E003 problem saying why it has none we know."""
    if not isinstance(data, dict):
        return None, [
            Problem("E003", 1, 1, "a case file is a mapping of fields starting with `kind:` and `version: 1`")]
    kind, version = data.get("kind"), data.get("version")
    if "kind" not in data:
        return None, [Problem("E003", 1, 1, f"missing `kind:`; say which kind of file this is ({', '.join(KINDS)})")]
    if kind not in KINDS:
        return None, [Problem("E003", None, None,
                              f"unknown kind; pcplan knows {', '.join(KINDS)}{_suggest_value(kind, KINDS)}", ("kind",))]
    if "version" not in data:
        return None, [Problem("E003", 1, 1, "missing `version: 1`")]
    if version not in VERSIONS or isinstance(version, bool):
        return None, [Problem("E003", None, None, "unknown version; this pcplan reads `version: 1`", ("version",))]
    return kind, []


def _fast_valid(fast: jsonschema_rs.Validator | None, data: Any) -> bool:
    """The Rust validator's yes, when it can give one: older jsonschema-rs releases (0.23) raise on an
    integer wider than 64 bits instead of judging it, and then `jsonschema` decides."""
    if fast is None:
        return False
    try:
        return fast.is_valid(data)
    except (ValueError, OverflowError):
        return False


def validate(kind: str, data: Any) -> list[Problem]:
    """E004 problems, one per violation, positioned by data path; at most ``MAX_PER_CODE`` and a summary.

    Most documents are valid: the compiled validator says so in microseconds.
    Only a document it rejects is run through `jsonschema` for the detailed
    errors, so the messages are the same whichever validator is installed.

    A file with more violations (100,000 unknown keys pasted from a spreadsheet)
    lists the first ``MAX_PER_CODE`` in document order and one finding saying how
    many more there are, at the first not listed: thousands of lines with one
    cause help nobody, and each message (a "did you mean" among them) costs time.
    """
    if _fast_valid(_fast_validator(kind), data):
        return []
    found: list[tuple[tuple, Callable[[], Problem]]] = []
    for error in _validator(kind).iter_errors(data):
        found.extend(_violations(kind, error))
    if len(found) <= MAX_PER_CODE:
        return [make() for _, make in found]
    order = _DocumentOrder(data)
    found.sort(key=lambda violation: order.key(violation[0]))  # stable: one node's violations keep their order
    problems = [make() for _, make in found[:MAX_PER_CODE]]
    first_hidden = found[MAX_PER_CODE][1]()
    problems.append(more_problems("E004", len(found) - MAX_PER_CODE, "schema problems", first_hidden))
    return problems


class _DocumentOrder:
    """Sort keys that put data paths in the order their nodes appear in the file (mappings keep it)."""

    __slots__ = ("data", "indexes")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.indexes: dict[int, dict[str, int]] = {}  # a mapping's id → key → its place (built once each)

    def key(self, path: tuple) -> tuple:
        node, out = self.data, []
        for step in path:
            if isinstance(node, dict) and isinstance(step, str):
                index = self.indexes.get(id(node))
                if index is None:
                    index = self.indexes[id(node)] = {k: i for i, k in enumerate(node)}
                out.append(index.get(step, len(index)))
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int):
                out.append(step)
                node = node[step] if 0 <= step < len(node) else None
            else:
                out.append(0)
                node = None
        return tuple(out)


def _violations(kind: str, error: ValidationError) -> Iterator[tuple[tuple, Callable[[], Problem]]]:
    """(data path, a maker of its Problem) for each violation: messages are made only for those listed."""
    path = tuple(error.absolute_path)
    # A validator fills these in on every error it yields (jsonschema types them Unset until it does).
    keyword = cast(str, error.validator)
    value: Any = error.validator_value
    schema = cast(dict, error.schema)
    instance: Any = error.instance
    field = _field(path)
    if keyword == "additionalProperties" and isinstance(instance, dict):
        properties = schema.get("properties", {})
        for key in instance:
            if key not in properties:
                yield path + (key,), partial(_unknown_field, kind, path, key, properties)
        return
    if keyword == "required":
        match = re.match(r"^'(.+)' is a required property$", error.message)
        missing = [match.group(1)] if match else [k for k in value if k not in instance]
        for key in missing:
            yield path, partial(_missing_field, kind, path, key, field)
        return
    if keyword in ("anyOf", "oneOf") and error.context:
        import jsonschema

        yield from _violations(kind, jsonschema.exceptions.best_match(error.context))
        return
    yield path, partial(_schema_problem, kind, path, keyword, value, instance, field, schema)


def _unknown_field(kind: str, path: tuple, key: str, properties: dict) -> Problem:
    close = _closest(key, properties)
    suggestion = f" (did you mean `{close}`?)" if close else ""
    hint = (_field_hint(kind, path + (close,)) if close else
            f"The fields allowed here are {', '.join(f'`{k}`' for k in properties)}. {_MORE}")
    return _at(path + (key,), f"unknown field {shown_key(key)}{suggestion}", at="key", hint=hint)


def _missing_field(kind: str, path: tuple, key: str, field: str) -> Problem:
    where = f" in `{field}`" if field else ""
    return _at(path, f"missing required field `{key}`{where}", hint=_field_hint(kind, path + (key,)))


def _schema_problem(kind: str, path: tuple, keyword: str, value: Any, instance: Any, field: str,
                    schema: dict) -> Problem:
    return _at(path, _message(keyword, value, instance, field, schema), hint=_field_hint(kind, path))


def _message(keyword: str, value: Any, instance: Any, field: str, schema: dict) -> str:
    name = f"`{field}`" if field else "the file"
    if keyword == "type":
        expected = " or ".join(_TYPE_NAMES.get(t) or t for t in (value if isinstance(value, list) else [value]))
        return f"{name} must be {expected}, not {_kind_of(instance)}"
    if keyword == "enum":
        return f"{name} must be one of: {', '.join(str(v) for v in value)}{_suggest_value(instance, value)}"
    if keyword == "const":
        return f"{name} must be `{value}`"
    if keyword == "format" and value == "date":
        return f"{name} is not a real date in the form YYYY-MM-DD"
    if keyword == "pattern":
        return f"{name} must be {_pattern_name(value)}"
    if keyword == "minLength":
        return f"{name} is empty"
    if keyword == "maxLength":
        return f"{name} is longer than {value} characters"
    if keyword == "minItems":
        return f"{name} needs at least {value} item{'s' if value != 1 else ''}"
    if keyword == "uniqueItems":
        return f"{name} lists the same item more than once"
    if keyword == "minimum":
        return f"{name} must be at least {value}"
    if keyword == "exclusiveMinimum":
        return f"{name} must be greater than {value}"
    if keyword == "maximum":
        return f"{name} must be at most {value}"
    return f"{name} does not satisfy the schema's `{keyword}`"


def _pattern_name(pattern: str) -> str:
    if pattern in _PATTERN_NAMES:
        return _PATTERN_NAMES[pattern]
    prefix = re.match(r"^\^([A-Z]+)\[0-9\]\+", pattern)
    if prefix and prefix.group(1) in _ID_PREFIX:
        if r"\." in pattern:
            return "an objective id such as G1.1"
        return _ID_PREFIX[prefix.group(1)]
    return "an id made of letters, digits, dots, hyphens or underscores"


def _kind_of(instance: Any) -> str:
    if isinstance(instance, bool):
        return "true/false"
    if instance is None:
        return "empty"
    if isinstance(instance, int):
        return "a whole number"
    if isinstance(instance, float):
        return "a number"
    if isinstance(instance, str):
        return "text"
    if isinstance(instance, list):
        return "a list"
    return "a mapping"


def _field(path: tuple) -> str:
    """The nearest field name in a data path (list positions skipped)."""
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return ""


def _at(path: tuple, message: str, at: str = "value", hint: str | None = None) -> Problem:
    return Problem("E004", None, None, message, path, at, hint)


def _closest(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


def _suggest_value(instance: Any, values: Iterable[Any]) -> str:
    """`` (did you mean `phone`?)`` for a value close to one allowed; the value itself is never repeated.

    What was typed may be a member's words, so only the valid value is shown.
    Case, spaces and hyphens are forgiven first (`Face to face` → `face_to_face`).
    """
    if not isinstance(instance, str):
        return ""
    choices = [v for v in values if isinstance(v, str)]
    typed = re.sub(r"[\s-]+", "_", instance.strip()).casefold()
    close = next((v for v in choices if v.casefold() == typed), None) or _closest(typed, choices)
    return f" (did you mean `{close}`?)" if close else ""


# ---------------------------------------------------------------- hints

_MORE = "`pcplan rule E004` explains this check."


def _field_hint(kind: str, path: tuple) -> str:
    """The hint for an E004 problem: the field's own description from the schema, then where to read more."""
    description = describe(kind, path)
    field = _field(path)
    if not description or not field:
        return f"Compare the file with `pcplan schema {kind}`. {_MORE}"
    each = " (each item)" if path and isinstance(path[-1], int) else ""
    return f"`{field}`{each}: {description.rstrip('.')}. {_MORE}"


def describe(kind: str, path: tuple) -> str | None:
    """The schema's description of the node at a data path (a list position: its items' description)."""
    root = schema_for(kind)
    node: Any = root
    for step in path:
        node = _resolved(root, node)
        node = node.get("items") if isinstance(step, int) else node.get("properties", {}).get(step)
        if not isinstance(node, dict):
            return None
    # A property's own description is more specific than the shared definition it refers to.
    return node.get("description") or _resolved(root, node).get("description")


def _resolved(root: dict, node: dict) -> dict:
    """``{"$ref": "#/$defs/date"}`` → the definition (the schemas refer only within themselves)."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return target if isinstance(target, dict) else {}
