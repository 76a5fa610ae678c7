"""`pcplan reconcile`: services delivered (EVV exports, claims, encounters) judged against the plans and notes.

columns.py names the delivery layout and reads `[reconcile.columns]`; facts.py turns the case files into rows
once (episodes, plans in effect, supports, holds, notes); engine.py reads the delivery files with DuckDB and
judges U901-U908 with set-based queries; rules.py turns the result rows into findings.
"""

from .engine import ReconcileRun, reconcile

__all__ = ["ReconcileRun", "reconcile"]
