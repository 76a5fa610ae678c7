"""Rule codes are forever: a renamed or retired code redirects to the code that holds its rule now.

Like ruff's ``rule_redirects.rs``. Every place a person writes a code (pcplan.toml's select, ignore,
severity and per-path ignores; a documented exception's `rule`; a baseline's entries) reads it
through :func:`redirected`, so a configuration, exception or baseline written before a rename keeps
working, without a warning. The registry (``pcplan.rules.registry``) refuses to register a code
listed here: a retired code is never reused (DESIGN.md §3).

The table lives below the configuration and the registry because both read it: pcplan.toml is read
before any rule is loaded. No code has been renamed or retired yet (DESIGN.md §3, the git history
of src/pcplan/rules).
"""

from __future__ import annotations

REDIRECTS: dict[str, str] = {}  # old code → the code that holds its rule now


def redirected(code: str) -> str:
    """The code as the registry knows it: ``code`` itself, or the code it was renamed to."""
    return REDIRECTS.get(code, code)
