"""Every rule of the catalogue, registered by importing its family module.

One module per family; to add a rule, add a decorated function to its family
(see ``registry.py`` for the docstring format that becomes ``pcplan rule CODE``).
"""

from . import linkage, structure  # noqa: F401 - registers the rules
from .registry import RULES, Rule, rule

__all__ = ["RULES", "Rule", "rule"]
