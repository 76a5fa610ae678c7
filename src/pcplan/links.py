"""Which links pcplan follows: the one rule for every file it reads in a repository (case files, staff.yaml,
providers.yaml, pcplan.toml, and what the language server opens).

A link whose target lies outside the repository, or in one of its hidden folders (``.git``), is never read:
a committed link must not make pcplan read (or quote) another user's files, another repository's
configuration, or a device.
"""

from __future__ import annotations

import os
from pathlib import Path

OUTSIDE = "symlink to outside the repository, not read: replace the link with the file itself"
HIDDEN = "symlink into a hidden folder of the repository (such as .git), not read: replace the link with the file"


def symlink_problem(path: Path, root: Path) -> str | None:
    """Why the file symlink ``path`` must not be read (its target lies outside ``root``, or in a hidden
    folder of it), or None for a regular file or a link pcplan may follow.

    The target is resolved without opening it: opening a device can have effects of its own.
    A link that points nowhere, or to itself, is left to the reader, which names the cause.
    """
    if not os.path.islink(path):
        return None
    target = os.path.realpath(path)
    base = os.path.realpath(root)
    try:
        inside = os.path.commonpath([target, base]) == base
    except ValueError:  # another drive (Windows)
        inside = False
    if not inside:
        return OUTSIDE
    if any(part.startswith(".") for part in Path(os.path.relpath(target, base)).parts):
        return HIDDEN
    return None
