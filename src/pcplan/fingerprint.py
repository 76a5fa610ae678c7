"""The content fingerprint of a plan (C305): a hash of its meaning, not its formatting.

Signatures, distribution, reviews, notices (C308) and exceptions are left out:
they record what happened to the plan, not what it says (a notice of a reduced
service may be given after the revision is signed). Key order, YAML style, line wrapping
inside text and `6` versus `6.0` do not change the fingerprint; any change of a
word, number, date or list order does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

EXCLUDED = ("signatures", "distribution", "reviews", "notices", "exceptions")
PREFIX = "sha256:"
LENGTH = 16  # hex digits shown; 64 bits is plenty to tell versions of one plan apart


def canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _digest(plan: dict) -> str:
    content = {key: value for key, value in plan.items() if key not in EXCLUDED}
    text = json.dumps(canonical(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(plan: dict) -> str:
    """``sha256:`` and the first 16 hex digits of the canonical content's hash."""
    return PREFIX + _digest(plan)[:LENGTH]


def matches(recorded: str, plan: dict) -> bool:
    """Whether a fingerprint recorded at signing (16 to 64 hex digits) is the plan's current one."""
    digits = recorded[len(PREFIX):] if recorded.startswith(PREFIX) else ""
    return len(digits) >= LENGTH and _digest(plan).startswith(digits)
