"""Every rule of the catalogue, registered by importing its family module.

One module per family; to add a rule, add a decorated function to its family
(see ``registry.py`` for the docstring format that becomes ``pcplan rule CODE``).
"""

from . import closure, completeness, consent, intake, linkage, notes, person, rights, staff, structure, timeliness  # noqa: F401
from .registry import RULES, Rule, rule

__all__ = ["RULES", "Rule", "rule"]
