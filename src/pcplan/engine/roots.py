"""``check``: each repository root named, in turn, against its own staff and configuration. Per root: the
member folders as the walk completes them (answered from the cache, checked here or in workers), E007 across
them, then the files outside member folders and the repository rules."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .. import rules as _rules  # noqa: F401 - importing registers every rule
from ..config import load_config
from ..load import LoadedFile, Problem
from ..model import Document, Repository, load_repository
from ..model import display_path as _display
from ..output import plural
from ..result import CheckResult, MemberWork
from ..rules.context import RepositoryContext
from ..rules.registry import RULES
from ..walk import symlink_problem
from . import parallel, run
from .assigned import OneCaseManager
from .cached import answer_from_cache, open_cache
from .discover import Item, RootWalk, cover, group_by_root, no_case_files, whole_member_folders
from .duplicates import repeated_members
from .options import NoCaseFiles, Options, SeveralRepositories
from .run import Runner, Selection


@dataclass
class _Hooks:
    """Who hears of the run as it goes: each member folder's work, notices, progress, a case manager's filter."""

    on_member: Callable[[MemberWork], None] | None = None
    notices: list[str] | None = None
    progress: Callable[[], None] | None = None
    assigned: OneCaseManager | None = None


def check(paths: list[Path], options: Options, cwd: Path | None = None,
          on_member: Callable[[MemberWork], None] | None = None, notices: list[str] | None = None,
          progress: Callable[[], None] | None = None) -> CheckResult:
    """Check what ``paths`` name, each repository root against its own staff and configuration.

    A folder holding further repositories (their own ``pcplan.toml`` or ``.git``) has
    each checked as itself: the walk stops at them and they join the queue. UsageError
    when nothing at all was found to check. ``on_member`` is called with each member
    folder's work (`due` and `report` count from it); ``notices`` receives what the CLI
    should say on stderr (a cache folder that is not pcplan's); ``progress`` is called
    as the walk finds each member folder (in every root).
    With ``Options.case_manager``, only that case manager's member folders are reported
    and counted (pcplan.engine.assigned).
    """
    cwd = (cwd or Path.cwd()).resolve()
    result = CheckResult()
    hooks = _Hooks(on_member, notices, progress)
    if options.case_manager is not None:
        hooks.assigned = OneCaseManager(options.case_manager, result, options.keep_findings, on_member)
        hooks.on_member = hooks.assigned.visit
        options = replace(options, caseload=True, keep_findings=False)  # each member's summary names its manager
    pending = dict(group_by_root(paths))
    found = 0
    with _without_cycle_collection():
        while pending:
            # Nested roots sort after the root that found them, so the smallest is never one already done.
            root = min(pending)
            targets = pending.pop(root)
            nested: list[Path] = []
            here = _check_root(root, targets, options, cwd, result, nested, hooks)
            if here:
                result.roots.append(_display(root, cwd))
                if options.one_repository and len(result.roots) > 1:
                    raise SeveralRepositories(result.roots)
            found += here
            for inner in nested:
                if any(t == inner or t in inner.parents for t in targets):
                    pending[inner] = cover([*pending.get(inner, []), inner])
    if not found and not (options.member_folders and all(not p.is_dir() for p in paths)):
        # The pre-commit hook is handed every changed YAML file (.pre-commit-config.yaml
        # too): there, naming no case file is nothing to do, not a mistake.
        raise NoCaseFiles(no_case_files(paths, cwd))
    if hooks.assigned is not None:
        hooks.assigned.confirm()
    result.checked.sort()  # the findings need no sorting: the store gives them sorted
    return result


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while checking.

    Loading makes over a thousand short-lived YAML nodes per case file; each batch
    of allocations sets off a collection that walks every live object, which
    doubled the time of a check. Nodes, plain data and documents hold no
    reference cycles, so reference counting frees them as each member folder is
    dropped; whatever cycles remain are collected once at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _check_root(root: Path, targets: list[Path], options: Options, cwd: Path, result: CheckResult,
                nested: list[Path], hooks: _Hooks) -> int:
    """Check ``targets`` under one repository root; nested repository roots met are added to ``nested``.

    Returns how many member folders and other files were found there, in every shard
    (a shard with no member folders of its own still belongs to a run that found some).
    """
    # A folder inside a member folder (`pcplan check` in `notes/`) is its member folder: the rules read the
    # folder whole, and so does the report. With --member-folders (the pre-commit hook) a changed file is
    # widened too: a changed note can break a rule whose finding sits in the plan.
    targets = whole_member_folders(targets, root, files_too=options.member_folders)
    runner, absent = _open_root(root, targets, options, cwd, result, hooks.notices)
    runner.visit = hooks.on_member
    repo = runner.ctx.repository
    explicit = set() if options.member_folders else {t for t in targets if not t.is_dir()}
    walk = RootWalk(root, targets, runner.ctx.config.exclude, options.shard, hooks.progress)
    _check_members(walk, runner, cwd, result, hooks.assigned)
    nested.extend(walk.nested)
    _add_loose_files(walk.loose, walk.errors, repo, explicit, absent, cwd)
    _add_unreadable(walk.errors, repo, cwd, result)
    found = walk.walked + len(repo.loose) + sum(1 for doc in repo.root_files() if runner.targeted(doc.path))
    if hooks.assigned is not None:
        hooks.assigned.known.update(repo.staff_by_id)
    if options.shard is not None and options.shard[0] != 1:
        return found  # files outside member folders, staff.yaml included, belong to the first shard
    if hooks.assigned is not None:  # one case manager's members: no file outside member folders is theirs
        return found
    result.files += len(repo.loose) + len(repo.root_files())
    if options.record_checked:
        result.checked.extend(d.display_path for d in repo.documents() if runner.targeted(d.path))
    runner.run_repository(repo)
    return found


def _open_root(root: Path, targets: list[Path], options: Options, cwd: Path, result: CheckResult,
               notices: list[str] | None) -> tuple[Runner, frozenset]:
    """The runner of one root (its configuration, staff, selection and cache), and the root files the
    pre-commit hook's comparison run leaves out (not in the commit)."""
    committed = options.committed  # the hook's comparison run: the root's files as committed
    config = load_config(root, set(RULES)) if committed is None else committed.config(root)
    selection = Selection(config, options)
    absent: frozenset = frozenset() if committed is None else committed.absent
    repo = load_repository(root, config, cwd, absent)
    runner = Runner(selection, RepositoryContext(options.today, config, repo), targets, options, result, cwd)
    runner.cache = open_cache(root, config, selection, repo, options, notices) if options.cache else None
    return runner, absent


def _check_members(walk: RootWalk, runner: Runner, cwd: Path, result: CheckResult,
                   assigned: OneCaseManager | None = None) -> None:
    """Every member folder of the walk: from the cache, in workers or here; then E007 across them."""
    options, cache, root = runner.options, runner.cache, runner.ctx.repository.root
    to_check: Iterator[Item] = iter(walk) if assigned is None else assigned.walked(iter(walk))
    if cache is not None:
        to_check = answer_from_cache(to_check, runner, cache, cwd, result)
    if options.jobs > 1:
        parallel.check_cases(to_check, runner, cwd, result, options.jobs)
    else:
        for item in to_check:
            run.check_case(item, runner, cwd, result)
    if "E007" in runner.selection.enabled and len(result.identities) > 1:
        repeated = runner.keep(repeated_members(result.identities, runner, root, cwd))
        result.findings.extend(repeated if assigned is None else assigned.in_mine(repeated))
    result.identities.clear()
    if cache is not None:
        cache.sweep()
        if options.debug:  # the parent's lookups; workers store what they checked
            print(f"pcplan: cache {cache.directory}: {plural(cache.hits, 'hit')} ({cache.refreshed} after hashing), "
                  f"{plural(cache.misses, 'miss', 'misses')}, {cache.stored} stored here", file=sys.stderr)


def _add_loose_files(loose: list[Path], errors: list[tuple[Path, str]], repo: Repository, explicit: set[Path],
                     absent: frozenset, cwd: Path) -> None:
    """The case files outside member folders, as documents of the repository; a link refused joins ``errors``."""
    root_files = {doc.path for doc in repo.root_files()}  # staff.yaml and providers.yaml: loaded already
    for path in sorted(set(loose)):
        if path in root_files or path in absent:
            continue
        refused = symlink_problem(path, repo.root)
        if refused is not None:
            errors.append((path, refused))
            continue
        doc = Document.load(path, _display(path, cwd))
        # Outside member folders, a YAML file without `kind` is not a case file
        # (mkdocs.yml and friends) unless the user named it.
        if path not in explicit and doc.loaded.ok and isinstance(doc.loaded.data, dict) \
                and "kind" not in doc.loaded.data:
            continue
        repo.loose.append(doc)


def _add_unreadable(errors: list[tuple[Path, str]], repo: Repository, cwd: Path, result: CheckResult) -> None:
    """Places the walk could not read: an E005 each, at a document of their own."""
    for path, message in errors:
        doc = Document(loaded=LoadedFile(path=path), display_path=_display(path, cwd))
        result.unread.append((doc.display_path, message))
        doc.problems.append(Problem("E005", 1, 1, message))
        repo.loose.append(doc)
