"""Starting records: `pcplan new` (one case file) and `pcplan init` (a whole case repository).

Both write only files that do not exist yet, atomically
(:func:`pcplan.output.write_atomically`). The text of what they write lives in
Python: the case files are assembled by :mod:`pcplan.scaffold.new` with
:mod:`pcplan.scaffold.yamltext` (data through PyYAML, comments around it), and
the repository files of `init` (pcplan.toml, README, CI and pre-commit
configuration, editor settings, staff list, sample member) are string
constants and small generators in :mod:`pcplan.scaffold.texts`, so they ship
inside the package and an agency's `templates` folder (which overrides the
rendered plan) never changes them.
"""

from __future__ import annotations


class ScaffoldError(Exception):
    """A request `new` or `init` cannot carry out; the CLI prints it and exits with 2."""
