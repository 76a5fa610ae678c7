"""The repository's providers (providers.yaml at its root), by id, as the export reads them.

Read here with pcplan.load (as staff.yaml is) until pcplan.model has a loader of its own; a providers.yaml
linked from outside the repository, or one that does not parse, gives no providers (``pcplan check``
reports the file). Read once per file version, whatever the number of members exported.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..config import find_root
from ..links import symlink_problem
from ..load import load_file

PROVIDER_FILES = ("providers.yaml", "providers.yml")


def providers_of(folder: Path) -> dict[str, dict]:
    """providers.yaml of the repository holding ``folder``: provider id → entry (empty when there is none)."""
    root = find_root(folder)
    found = next((root / name for name in PROVIDER_FILES if (root / name).is_file()), None)
    if found is None or symlink_problem(found, root) is not None:
        return {}
    info = found.stat()
    return _read(found.resolve(), info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=8)
def _read(path: Path, mtime: int, size: int) -> dict[str, dict]:  # noqa: ARG001 - the file version is the key
    loaded = load_file(path)
    data = loaded.data if loaded.ok and isinstance(loaded.data, dict) else {}
    entries = data.get("providers")
    return {e["id"]: e for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict) and isinstance(e.get("id"), str)}
