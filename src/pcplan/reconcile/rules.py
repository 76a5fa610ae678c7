"""The engine's result rows as pcplan findings: the delivery file's row as the location (line, and the column
of the field judged), the plan's support as a related location. Messages hold ids, codes, dates and units
only, never a member's name or free text from a delivery file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Finding, Related
from ..rules.registry import RULES
from .columns import mapping
from .engine import DeliveryFile, ReconcileRun
from .facts import CaseFacts, SupportPlace

# The column a finding points at, else the next one the row names the same thing by.
_ALTERNATIVES = {"provider_id": ("provider_id", "provider_npi", "provider_medicaid_id"),
                 "member_id": ("member_id", "member_identifier")}
# What of a delivery file's own text a message may repeat: a code-shaped service code and modifiers, a provider
# id providers.yaml knows. Anything else (a name typed in the wrong column, a formula, control characters) is not
# shown.
_CODE = re.compile(r"^[A-Z0-9]{1,10}( [A-Z0-9]{1,4}){0,8}$")
_PER = {"day": "day", "week": "week", "month": "month", "plan_period": "plan period"}


def findings(run: ReconcileRun, facts: CaseFacts, columns: dict[str, str]) -> Iterator[Finding]:
    names = mapping(columns)
    for f in run.files:
        if f.problem is not None:
            yield _finding("E005", f.shown, 1, 1, None, f"delivery file: {f.problem}")
    fields = {f.number: run.row_fields(f.number, {row[2] for row in run.rows if row[1] == f.number
                                                    and row[2] is not None})
              for f in run.files if f.kind == "csv" and f.problem is None}
    for code, file_no, rid, line, column, member, detail in run.rows:
        f = run.files[file_no]
        row = fields.get(file_no, {}).get(rid) if rid is not None else None
        col = _column(f, row, [names[c] for c in _ALTERNATIVES.get(column, (column,))] if column else [])
        message, related = _message(code, detail, facts)
        yield _finding(code, f.shown, line, col, member, message, related)
    for sup_no, member, start, end, authorized, delivered in run.period_rows:
        place = facts.places[sup_no]
        yield _finding("U905", place.path, place.line, place.column, member,
                       f"support {place.support_id}: {_units(delivered)} of {_units(authorized)} authorized units "
                       f"delivered {start.isoformat()}..{end.isoformat()}, and no note within the follow-up days "
                       "names it", file=place)


def _finding(code: str, path: str, line: int, column: int, member: str | None, message: str,
             related: tuple[Related, ...] = (), file: SupportPlace | None = None) -> Finding:
    rule = RULES[code]
    return Finding(code=code, name=rule.name, severity=rule.severity, path=path, line=line, column=column,
                   message=message, member=member, related=related,
                   file=file.file if file is not None else None)


def _column(f: DeliveryFile, row: list[str | None] | None, names: list[str]) -> int:
    """The 1-based character column of the first of the fields ``names`` the file has, in the row (1 for
    Parquet and whole rows)."""
    if f.kind != "csv" or row is None:
        return 1
    headers = [h.strip().lower() for h in f.header]
    index = next((headers.index(n.strip().lower()) for n in names if n.strip().lower() in headers), None)
    if index is None:
        return 1
    column = 1
    for value in row[:index]:
        text = value or ""
        quoted = any(ch in text for ch in (f.delimiter, '"', "\n", "\r"))
        column += len(text) + text.count('"') + (2 if quoted else 0) + len(f.delimiter)
    return column


def _units(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _related(place: SupportPlace) -> tuple[Related, ...]:
    return (Related(place.path, place.line, place.column, f"support {place.support_id} of the plan of "
                    f"{place.plan_date}", file=place.file),)


def _message(code: str, detail: str, facts: CaseFacts) -> tuple[str, tuple[Related, ...]]:  # noqa: C901
    if code == "E005":
        return "delivery row not readable (a field too many or too few, or not UTF-8 text): not judged", ()
    if code == "E004":
        return f"delivery row: {detail}; not judged", ()
    if code == "L102":
        return "delivery row: the member is not in this repository (no member id or identifier matches); " \
               "not judged", ()
    if code == "U907":
        return f"delivered {detail}, outside the member's episodes of service (before enrollment or after " \
               "a closure)", ()
    if code == "U901":
        return f"delivered {detail}, when no consented plan was in effect", ()
    if code == "U902":
        shown = f"service {detail}" if _CODE.match(detail) else "the service code"
        return f"{shown} is not a support of the plan in effect that day", ()
    if code == "U903":
        sup_no, provider = detail.split("|", 1)
        place = facts.places[int(sup_no)]
        known = {row[0] for row in facts.providers}
        who = "no provider" if provider == "" else f"provider {provider}" if provider in known \
            else "a provider not in providers.yaml"
        return f"delivered by {who}, not the provider of support {place.support_id}", _related(place)
    if code == "U904":
        sup_no, period, per, total, authorized = detail.split("|")
        place = facts.places[int(sup_no)]
        return (f"support {place.support_id}: {_units(float(total))} units delivered in the "
                f"{_PER.get(per, per)} from {period}, over the {_units(float(authorized))} authorized",
                _related(place))
    if code == "U906":
        day, kind = detail.split("|", 1)
        return f"delivered {day}, during a {kind.replace('_', ' ')} hold", ()
    if code == "U908":
        parts = detail.split("|")
        service, day, why = parts[0], parts[1], parts[2]
        if why == "none":
            return f"case management {service} on {day}: no note by a case manager that day", ()
        if why == "without":
            return f"case management {service} on {day} is a face-to-face code, but the member took part in no " \
                   "note of that day", ()
        return (f"case management {service} on {day}: {_units(float(parts[4]))} units, but the notes of that "
                f"day record {parts[3]} minutes"), ()
    return detail, ()
