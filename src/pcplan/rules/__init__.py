"""Every rule of the catalogue, registered by importing the module of its code letter.

One module per code letter: E structure, L linkage, T timeliness, C consent, P person, H rights,
A staff, X closure, N notes. To add a rule, add a decorated function to the module of its letter
(see ``registry.py`` for the docstring format that becomes ``pcplan rule CODE``). A rule reads the
member folder and its ``CaseContext`` (``context.py``). Helpers that are not rules sit beside the
modules that use them (signatures.py, support_changes.py, interpreters.py, chronology.py) and in
``text/`` (reading grade, listed words, a document's text fields, names).
"""

from . import closure, consent, delivery, linkage, notes, person, rights, staff, structure, timeliness  # noqa: F401
from .registry import RULES, Rule, rule

__all__ = ["RULES", "Rule", "rule"]
