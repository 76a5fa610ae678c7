"""The delivery layout pcplan reads (docs/reconcile.md), and a state's column names mapped onto it."""

from __future__ import annotations

from collections.abc import Iterable

from ..config import DELIVERY_COLUMNS

# pcplan's names for the columns of a delivery file, one delivered service a row.
COLUMNS = DELIVERY_COLUMNS
# A row names its member one way or the other, and always the service, the day and the units.
MEMBER_COLUMNS = (("member_id",), ("member_identifier_system", "member_identifier"))
REQUIRED = ("service_code", "date_of_service", "units")
NOT_JUDGED = frozenset({"void", "denied"})  # claim_status of rows that are read and counted, never judged


def mapping(columns: dict[str, str]) -> dict[str, str]:
    """pcplan's column name -> the file's (``[reconcile.columns]`` over the plain layout's own names)."""
    return {name: columns.get(name, name) for name in COLUMNS}


def missing(header: Iterable[str], columns: dict[str, str]) -> list[str]:
    """The columns a file must have and does not (its header read case-insensitively), as the file names them."""
    have = {name.strip().lower() for name in header}
    names = mapping(columns)
    out = [names[c] for c in REQUIRED if names[c].lower() not in have]
    if not any(all(names[c].lower() in have for c in group) for group in MEMBER_COLUMNS):
        out.append(f"{names['member_id']} (or {names['member_identifier_system']} and "
                   f"{names['member_identifier']})")
    return out


def find(header: list[str], name: str) -> int | None:
    """The 0-based index of ``name`` in a header (case and surrounding spaces aside), or None."""
    wanted = name.strip().lower()
    return next((i for i, h in enumerate(header) if h.strip().lower() == wanted), None)
