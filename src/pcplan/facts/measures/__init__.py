"""The CMS LTSS case-management measures (LTSS-1 to LTSS-4), computed from the case files (docs/measures.md).

* ``record``: :func:`measure_facts`, what the measures need of one member folder, taken once;
* ``compute``: :func:`evaluate`, the measures as of any day from those facts (no file read);
* ``spec``: the measures' fixed terms (titles, core elements, windows, reason codes).
"""

from __future__ import annotations

from .compute import MeasureResult, MemberOutcome, Rate, evaluate, period_start
from .record import MemberFacts, measure_facts
from .spec import DEFAULT_VARIANT, REASONS, VARIANTS

__all__ = ["DEFAULT_VARIANT", "REASONS", "VARIANTS", "MeasureResult", "MemberFacts", "MemberOutcome", "Rate",
           "evaluate", "measure_facts", "period_start"]
