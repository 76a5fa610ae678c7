"""The engine's side of the cache (pcplan.cache): a member folder whose files, staff, configuration, date and
pcplan are unchanged is answered from its entry; the findings are rebuilt with today's paths (relative to the
current folder). What an entry holds, and how, is pcplan.cache_codec's; the engine opens, looks up and stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache_codec import decode_entry
from ..config import Config
from ..model import Document, Repository
from ..model import file_names as _names
from ..result import CheckResult
from .discover import Item, folder_key
from .options import Options
from .run import Runner, Selection, deliver

if TYPE_CHECKING:
    from ..cache import Cache


def open_cache(root: Path, config: Config, selection: Selection, repo: Repository, options: Options,
               notices: list[str] | None) -> Cache | None:
    """The cache of ``root`` for this run, keyed on everything that shapes its output; None when it cannot be
    used (staff.yaml or providers.yaml not read whole, a cache folder that is not pcplan's)."""
    from .. import cache  # the cache's key reads pcplan's own files: only runs with the cache pay for it

    staff_key, providers_key = _root_file_key(repo.staff, "staff"), _root_file_key(repo.providers, "providers")
    if staff_key is None or providers_key is None:
        return None  # the file could not be read whole: what it holds cannot be keyed
    enabled = ",".join(sorted(selection.enabled))
    severity = ",".join(f"{code}={level}" for code, level in sorted(selection.severity.items()))
    key = cache.run_key(config=repr(replace(config, path=None)), staff=staff_key, providers=providers_key,
                        today=options.today.isoformat(), enabled=enabled,
                        severity=severity)  # cache.RUN_PARTS; run_key adds pcplan and CI
    opened = cache.open_cache(root, key, notices)
    if opened is not None:
        # The selection also names the entry: `check --select X` and `check` keep an entry each.
        opened.selection = f"{options.select!r}|{options.ignore!r}|"
    return opened


def _root_file_key(doc: Document | None, what: str) -> str | None:
    """staff.yaml's or providers.yaml's part of the run key: its name and a digest of its content; None when it
    could not be read whole."""
    if doc is None:
        return f"no {what} file"
    return f"{doc.path.name}:{doc.loaded.digest.hex()}" if doc.loaded.digest is not None else None


def answer_from_cache(items: Iterator[Item], runner: Runner, cache: Cache, cwd: Path,
                      result: CheckResult) -> Iterator[Item]:
    """Member folders the cache answers are reported here; the others are yielded, to be checked."""
    root = runner.ctx.repository.root
    record = runner.options.record_checked
    for item in items:
        order, folder, files = item
        names, displays = _names(folder, files, cwd)
        key = folder_key(folder, root)
        payload = cache.lookup(key, names, [str(f) for f in files])
        work = None
        if payload is not None:
            try:
                work = decode_entry(payload, key, files, names, displays, runner.options.caseload)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                work = None  # an entry of the right shape holding nonsense: checked again, and replaced
        if work is None:
            yield item
            continue
        found, summary, identity = work
        result.identities.append((order, key, *identity))
        if record:
            result.checked.extend(shown for f, shown in zip(files, displays, strict=True) if runner.targeted(f))
        result.files += len(files)
        result.members += 1
        deliver(order, folder, found, summary, runner, result)
