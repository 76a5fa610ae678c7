"""pcplan: check, render and track person-centered case files kept as YAML in git."""

__version__ = "0.1.0"
