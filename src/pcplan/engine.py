"""Run the rules over what the user named and collect positioned findings.

Member folders are loaded, checked and dropped one at a time, so memory follows
the largest member folder, not the repository.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import rules as _rules  # noqa: F401 - importing registers every rule
from .cache_codec import decode_entry, encode_entry
from .cache_codec import well_typed as _well_typed  # noqa: F401 - tests ask it of an entry
from .config import Config, ConfigError, check_code, find_root, load_config
from .exceptions import apply_exceptions
from .facts.lifecycle import ONLY_REFERRED_RULES, lifecycle
from .facts.summary import summarize
from .findings import Finding, FindingStore, Hit, Related, finding_severity
from .load import MAX_PER_CODE, LoadedFile, Problem
from .model import Case, Document, Repository, load_case, load_repository
from .model import display_path as _display
from .model import file_names as _names
from .rules.context import RepositoryContext
from .rules.registry import RULES, Rule
from .shown import shown_path
from .walk import MEMBER_FILES, STAFF_FILES, enclosing_member_folder, glob_regex, iter_walk, symlink_problem


@dataclass(frozen=True)
class Options:
    today: date
    select: tuple[str, ...] | None = None  # from the command line: replaces the configuration's
    ignore: tuple[str, ...] = ()  # from the command line: added to the configuration's
    debug: bool = False
    member_folders: bool = False  # report on the whole member folder of each file named (pre-commit)
    shard: tuple[int, int] | None = None  # (i, n): check only member folders in shard i of n (1-based)
    record_checked: bool = False  # list every file reported on (JUnit needs it; it grows with the repository)
    jobs: int = 1  # worker processes for member folders (the CLI defaults to the CPU count)
    cache: bool = False  # read and write the content-keyed cache (pcplan.cache); the CLI turns it on
    caseload: bool = False  # also summarize each member folder for `due` and `report` (MemberWork.summary)
    keep_findings: bool = True  # collect findings in the result (`due` needs none)
    one_repository: bool = False  # stop with SeveralRepositories at a second repository with case files
    # The pre-commit hook's comparison run (pcplan.precommit.Committed): each root's pcplan.toml and staff file
    # as committed in git, not as on disk. Never with the cache.
    committed: object | None = None


# What the rules of one repository root read besides its documents (pcplan.rules.context): the day, the
# configuration, the repository. _Runner.run_case builds each member folder's CaseContext from it, once.
Context = RepositoryContext


@dataclass
class CheckResult:
    # Sorted as they are read, and spilled to a temporary file past a few thousand (findings.FindingStore):
    # a statewide check holds a few thousand findings in memory, not all of them.
    findings: FindingStore = field(default_factory=FindingStore)
    files: int = 0
    members: int = 0
    internal_errors: int = 0
    checked: list[str] = field(default_factory=list)  # display paths of the files reported on (JUnit)
    roots: list[str] = field(default_factory=list)  # repository roots with files checked, as display paths
    works: list = field(default_factory=list)  # MemberWork a worker process hands back (Options.caseload)
    # Places the walk could not read (a folder past PATH_MAX, without permission): (display path, why). `check`
    # reports each as E005; `due`, `report` and `export fhir` say which members they could not count.
    unread: list[tuple[str, str]] = field(default_factory=list)
    # One (order, folder from the root, member file's name, member id, span of the id) per member folder checked
    # in the current root, from every path (this process, a worker, the cache): E007 compares member ids and
    # folder names across the repository once the walk is done (_repeated_members). Ids and places only.
    identities: list[tuple] = field(default_factory=list)


@dataclass
class MemberWork:
    """What checking one member folder produced, handed to ``check``'s ``on_member`` in walk order's ``order``."""

    order: int
    folder: Path
    findings: list[Finding]  # as the check reports them (those in or related to the paths named)
    summary: object | None = None  # facts.summary.MemberSummary, with Options.caseload


class UsageError(Exception):
    """Bad paths or options: exit 2."""


class NoCaseFiles(UsageError):
    """Nothing at all to check under the paths named (``no case files under PATH``)."""


class SeveralRepositories(UsageError):
    """With ``Options.one_repository``: the paths hold case files of more than one repository (the
    repositories found so far, as display paths; `one_repository` names them all)."""


def check(paths: list[Path], options: Options, cwd: Path | None = None,
          on_member: Callable[[MemberWork], None] | None = None, notices: list[str] | None = None) -> CheckResult:
    """Check what ``paths`` name, each repository root against its own staff and configuration.

    A folder holding further repositories (their own ``pcplan.toml`` or ``.git``) has
    each checked as itself: the walk stops at them and they join the queue. UsageError
    when nothing at all was found to check. ``on_member`` is called with each member
    folder's work (`due` and `report` count from it); ``notices`` receives what the CLI
    should say on stderr (a cache folder that is not pcplan's).
    """
    cwd = (cwd or Path.cwd()).resolve()
    result = CheckResult()
    pending = dict(_group_by_root(paths))
    found = 0
    with _without_cycle_collection():
        while pending:
            # Nested roots sort after the root that found them, so the smallest is never one already done.
            root = min(pending)
            targets = pending.pop(root)
            nested: list[Path] = []
            here = _check_root(root, targets, options, cwd, result, nested, on_member, notices)
            if here:
                result.roots.append(_display(root, cwd))
                if options.one_repository and len(result.roots) > 1:
                    raise SeveralRepositories(result.roots)
            found += here
            for inner in nested:
                if any(t == inner or t in inner.parents for t in targets):
                    pending[inner] = _cover([*pending.get(inner, []), inner])
    if not found and not (options.member_folders and all(not p.is_dir() for p in paths)):
        # The pre-commit hook is handed every changed YAML file (.pre-commit-config.yaml
        # too): there, naming no case file is nothing to do, not a mistake.
        raise NoCaseFiles(no_case_files(paths, cwd))
    result.checked.sort()  # the findings need no sorting: the store gives them sorted
    return result


def no_case_files(paths: list[Path], cwd: Path) -> str:
    """``no case files under PATH``, naming where pcplan looked."""
    shown = list(dict.fromkeys(_where(path, cwd) for path in paths))
    return f"no case files under {', '.join(shown)}"


def _where(path: Path, cwd: Path) -> str:
    """A folder as the user named it, relative to the current folder; that one by its full path ("." says nothing)."""
    text = _display(path.resolve(), cwd)
    return str(cwd) if text == "." else text


def case_repositories(path: Path) -> list[Path]:
    """The repository roots holding case files under ``path``: its own root, and those nested below it.

    A root counts when member folders lie under ``path`` in it, or when ``path``
    takes in the root itself and it has a staff file. Each root's walk honours its
    own ``exclude``, and a broken pcplan.toml is a ConfigError naming that file.
    """
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file or folder")
    scope = path.resolve()
    scope = scope if scope.is_dir() else scope.parent
    pending, roots = [(find_root(scope), scope)], []
    while pending:
        root, folder = pending.pop()
        config = load_config(root, set(RULES))
        nested: list[Path] = []
        start = enclosing_member_folder(folder, root) or folder
        members = sum(1 for _ in iter_walk(start, root, config.exclude, [], [], nested, files=False))
        staff = folder == root and any((root / name).is_file() for name in STAFF_FILES)
        if members or staff:
            roots.append(root)
        pending.extend((inner, inner) for inner in nested)
    return sorted(roots)


def one_repository(path: Path, command: str, cwd: Path | None = None) -> Path:
    """What a command that reads one repository at a time (`due`, `report`) should open for ``path``.

    ``path`` itself, or the one repository nested below it that holds its case files.
    UsageError when there are none, or when they belong to several repositories:
    their staff and configuration differ, so their counts must not be merged.
    """
    cwd = (cwd or Path.cwd()).resolve()
    roots = case_repositories(path)
    if not roots:
        raise UsageError(no_case_files([path], cwd))
    if len(roots) > 1:
        shown = ", ".join(_display(root, cwd) for root in roots)
        raise UsageError(
            f"{_where(path, cwd)} holds {len(roots)} case repositories ({shown}), each with its own staff and "
            f"configuration; `pcplan {command}` reads one repository at a time: run it once per repository, "
            f"as in `pcplan {command} {_display(roots[0], cwd)}`")
    scope = path.resolve()
    return roots[0] if scope in roots[0].parents else path


@contextmanager
def _without_cycle_collection():
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


def _group_by_root(paths: list[Path]) -> list[tuple[Path, list[Path]]]:
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
        # A file symlink is named, not followed: its own folder decides where it belongs, and the walk
        # (or the loose-file check) judges the link, so a link out of the repository is never read.
        if path.is_symlink():
            resolved = path.parent.resolve() / path.name
            groups.setdefault(find_root(resolved.parent), []).append(resolved)
        else:
            resolved = path.resolve()
            groups.setdefault(find_root(resolved), []).append(resolved)
    return sorted((root, _cover(targets)) for root, targets in groups.items())


def _cover(targets: list[Path]) -> list[Path]:
    """The targets without those inside another target (each place is walked once)."""
    unique = set(targets)  # a pre-commit run can name thousands of files: look up ancestors, not pairs
    return sorted(t for t in unique if not any(parent in unique for parent in t.parents))


def _check_root(root: Path, targets: list[Path], options: Options, cwd: Path, result: CheckResult,
                nested: list[Path], on_member: Callable | None = None, notices: list[str] | None = None) -> int:
    """Check ``targets`` under one repository root.

    Returns how many member folders and other files were found there, in every shard
    (a shard with no member folders of its own still belongs to a run that found some).
    """
    if options.member_folders:
        # A changed note can break a rule whose finding sits in the plan: widen each file
        # to its member folder, so cross-file findings are reported too.
        targets = sorted({enclosing_member_folder(t, root) or t for t in targets})
    committed = options.committed  # the hook's comparison run: the root's files as committed
    config = load_config(root, set(RULES)) if committed is None else committed.config(root)
    selection = Selection(config, options)
    absent = frozenset() if committed is None else committed.absent  # root files not in the commit
    repo = load_repository(root, config, cwd, absent)
    staff_file = repo.staff.path if repo.staff is not None else None
    ctx = Context(options.today, config, repo)
    runner = _Runner(selection, ctx, targets, options, result, cwd)
    runner.visit = on_member
    runner.cache = _open_cache(root, config, selection, repo, options, notices) if options.cache else None

    loose: list[Path] = []
    errors: list[tuple[Path, str]] = []
    seen: set[Path] = set()  # member folders found through a file or folder inside them (several may name one)
    walked = [0]  # member folders found, in every shard

    def member_folders():
        """Member folders as the walk completes them: the repository is never held whole."""
        order = 0
        for target in targets:
            enclosing = enclosing_member_folder(target, root)
            if enclosing is not None:
                if enclosing in seen:
                    continue
                seen.add(enclosing)
                found = (c for c in iter_walk(enclosing, root, config.exclude, [], errors, nested)
                         if c[0] == enclosing)
            elif target.is_dir():
                # Targets never nest (_cover) and a walk stops at member folders named through a file inside
                # them only by reaching them from above, which _cover rules out: no folder is walked twice.
                found = iter_walk(target, root, config.exclude, loose, errors, nested)
            else:
                loose.append(target)
                continue
            for folder, files in found:
                walked[0] += 1
                if options.shard is None or in_shard(_relative_to(folder, root), options.shard):
                    yield order, folder, files
                    order += 1

    explicit = set() if options.member_folders else {t for t in targets if not t.is_dir()}

    to_check = member_folders()
    if runner.cache is not None:
        to_check = _answer_from_cache(to_check, runner, cwd, result)
    if options.jobs > 1:
        _check_cases_in_parallel(to_check, runner, cwd, result, options.jobs)
    else:
        for item in to_check:
            _check_case(item, runner, cwd, result)
    if "E007" in selection.enabled and len(result.identities) > 1:
        result.findings.extend(runner.keep(_repeated_members(result.identities, runner, root, cwd)))
    result.identities.clear()
    if runner.cache is not None:
        runner.cache.sweep()
        if options.debug:  # the parent's lookups; workers store what they checked
            c = runner.cache
            print(f"pcplan: cache {c.directory}: {c.hits} hit(s) ({c.refreshed} after hashing), {c.misses} "
                  f"miss(es), {c.stored} stored here", file=sys.stderr)

    for path in sorted(set(loose)):
        if staff_file is not None and path == staff_file or path in absent:
            continue
        refused = symlink_problem(path, root)
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
    for path, message in errors:
        doc = Document(loaded=LoadedFile(path=path), display_path=_display(path, cwd))
        result.unread.append((doc.display_path, message))
        doc.problems.append(Problem("E005", 1, 1, message))
        repo.loose.append(doc)
    found = walked[0] + len(repo.loose) + (1 if staff_file is not None and runner.targeted(staff_file) else 0)
    if options.shard is not None and options.shard[0] != 1:
        return found  # files outside member folders, staff.yaml included, belong to the first shard
    result.files += len(repo.loose) + (1 if repo.staff else 0)
    if options.record_checked:
        result.checked.extend(d.display_path for d in repo.documents() if runner.targeted(d.path))
    runner.run_repository(repo)
    return found


def _identity(case: Case, names: list[str]) -> tuple[str, str | None, tuple | None]:
    """What E007 compares across member folders: the member file's name in the folder, the member id (None when
    missing or not id-shaped: E004's) and the (line, column, end line, end column) of its value."""
    member, member_id = case.member, case.member_id
    if member is not None:
        name = names[next(i for i, doc in enumerate(case.documents) if doc is member)]
    else:  # member.yaml does not parse: the file the walk found (its folder's name is still compared)
        name = next((n for n in MEMBER_FILES if n in names), MEMBER_FILES[0])
    span = member.loaded.span(("id",), "value") if member is not None and member_id is not None else None
    return name, (member_id if span is not None else None), span


def _repeated_members(identities: list[tuple], runner: "_Runner", root: Path, cwd: Path) -> list[Finding]:
    """E007 across the member folders of one root (rules/structure.py, duplicate_id): a member id used by an
    earlier folder (in walk order), compared without regard to letter case, reported at the later folder's id;
    and a folder whose path from the root is an earlier one's but for letter case or Unicode normalization
    (NFC/NFD: one folder on macOS and Windows), reported at its member file. Not cached: it depends on the
    other folders."""
    import unicodedata

    rule = RULES["E007"]
    by_id: dict[str, tuple] = {}
    by_folder: dict[str, tuple] = {}
    found: list[Finding] = []

    def member_file(key: str, name: str) -> Path:
        return root / key / name if key else root / name

    def document(key: str, name: str) -> Document:  # made only for a folder reported (rare)
        file = member_file(key, name)
        return Document(loaded=LoadedFile(path=file), display_path=_display(file, cwd))

    identities.sort(key=lambda entry: entry[0])
    for order, key, name, member_id, span in identities:
        if member_id is not None:
            first = by_id.setdefault(member_id.casefold(), (key, name, member_id, span))
            if first[0] != key:
                other = _display(member_file(first[0], first[1]), cwd)
                case = "" if first[2] == member_id else f" (as `{first[2]}`: ids that differ only in letter case " \
                                                        "are one id, as the files named after them are)"
                finding = runner._finding(rule, Hit(
                    document(key, name), ("id",), f"member id `{member_id}` is also used by {shown_path(other)}"
                    f"{case}; each member has one folder and an id of their own", line=span[0], column=span[1]),
                    member_id)
                if finding is not None:
                    found.append(replace(finding, end_line=span[2], end_column=span[3], related=(Related(
                        other, first[3][0], first[3][1], "the same member id, first used here",
                        file=member_file(first[0], first[1]), data_path=("id",), end_line=first[3][2],
                        end_column=first[3][3], repo_path=f"{first[0]}/{first[1]}" if first[0] else first[1]),)))
        # NFD of the case-folded NFD, as Unicode's caseless matching asks (ASCII, the usual name, needs neither)
        folded = key.lower() if key.isascii() else \
            unicodedata.normalize("NFD", unicodedata.normalize("NFD", key).casefold())
        first = by_folder.setdefault(folded, (key, name))
        if first[0] != key:
            other = _display(root / first[0], cwd)
            finding = runner._finding(rule, Hit(
                document(key, name), (), f"this member folder's path differs from {shown_path(other)} only in "
                "letter case or Unicode form (NFC/NFD): on macOS and Windows the two are one folder, and a clone "
                "there mixes two members' files; rename one of them", line=1, column=1), member_id)
            if finding is not None:
                found.append(finding)
    return found


PARALLEL_FROM = 32  # member folders; below this, starting workers costs more than it saves
CHUNK = 16  # member folders handed to a worker at a time


def _check_case(item: tuple, runner: "_Runner", cwd: Path, result: CheckResult) -> None:
    order, folder, files = item
    names, displays = _names(folder, files, cwd)
    ctx = runner.ctx
    case = load_case(folder, ctx.repo.root, ctx.config, cwd, files, displays=displays)
    if runner.options.record_checked:
        result.checked.extend(d.display_path for d in case.documents if runner.targeted(d.path))
    result.files += len(case.documents)
    result.members += 1
    errors = result.internal_errors
    found = runner.run_case(case)
    identity = _identity(case, names)
    result.identities.append((order, _folder_key(folder, runner.ctx.repo.root), *identity))
    summary = None
    cache = runner.cache
    if runner.options.caseload or cache is not None:
        try:  # the lifecycle the rules asked for (remembered for the folder being checked): built once
            summary = summarize(case, ctx.settings, ctx.today, lifecycle(case, ctx.today))
        except Exception:  # noqa: BLE001 - `due` and `report` say it; a check goes on without caching
            if runner.options.caseload:
                raise
            cache = None
    if cache is not None and result.internal_errors == errors:
        payload = encode_entry(case.documents, names, found, summary, identity)
        if payload is not None:
            cache.store(_folder_key(folder, runner.ctx.repo.root), names,
                        [(d.loaded.stat, d.loaded.digest) for d in case.documents], payload)
    _deliver(order, folder, found, summary if runner.options.caseload else None, runner, result)


def _deliver(order: int, folder: Path, found: list, summary, runner: "_Runner", result: CheckResult) -> None:
    kept = runner.keep(found)
    if runner.options.keep_findings:
        result.findings.extend(kept)
    if runner.options.caseload:
        work = MemberWork(order, folder, kept, summary)
        if runner.visit is not None:
            runner.visit(work)
        else:
            result.works.append(work)  # in a worker: handed back to the parent, which calls on_member


# ---------------------------------------------------------------------------------------------------------------
# The cache (pcplan.cache): a member folder whose files, staff, configuration, date and pcplan are unchanged
# is answered from its entry; the findings are rebuilt with today's paths (relative to the current folder).
# What an entry holds, and how, is pcplan.cache_codec's; the engine stores and looks up.


def _open_cache(root: Path, config: Config, selection: "Selection", repo: Repository, options: Options,
                notices: list[str] | None):
    from . import cache
    from dataclasses import replace

    staff = repo.staff
    if staff is None:
        staff_key = "no staff file"
    elif staff.loaded.digest is not None:
        staff_key = f"{staff.path.name}:{staff.loaded.digest.hex()}"
    else:
        return None  # staff.yaml could not be read whole: what it holds cannot be keyed
    enabled = ",".join(sorted(selection.enabled))
    severity = ",".join(f"{code}={level}" for code, level in sorted(selection.severity.items()))
    key = cache.run_key(config=repr(replace(config, path=None)), staff=staff_key, today=options.today.isoformat(),
                        enabled=enabled, severity=severity)  # cache.RUN_PARTS; run_key adds pcplan and CI
    opened = cache.open_cache(root, key, notices)
    if opened is not None:
        # The selection also names the entry: `check --select X` and `check` keep an entry each.
        opened.selection = f"{options.select!r}|{options.ignore!r}|"
    return opened


def _folder_key(folder: Path, root: Path) -> str:
    """The member folder's path from the repository root, forward slashes ("" for the root itself)."""
    text, top = str(folder), str(root)
    if text == top:
        return ""
    return text[len(top) + 1:].replace(os.sep, "/") if text.startswith(top + os.sep) else folder.as_posix()


def _answer_from_cache(items: Iterator, runner: "_Runner", cwd: Path, result: CheckResult) -> Iterator:
    """Member folders the cache answers are reported here; the others are yielded, to be checked."""
    cache, root = runner.cache, runner.ctx.repo.root
    record = runner.options.record_checked
    for item in items:
        order, folder, files = item
        names, displays = _names(folder, files, cwd)
        key = _folder_key(folder, root)
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
            result.checked.extend(shown for f, shown in zip(files, displays) if runner.targeted(f))
        result.files += len(files)
        result.members += 1
        _deliver(order, folder, found, summary, runner, result)


# Set in the parent just before the workers fork, so they inherit it instead of re-reading it.
_WORKER_STATE: tuple | None = None


def _check_cases_in_parallel(cases: Iterator, runner: "_Runner", cwd: Path, result: CheckResult, jobs: int) -> None:
    """Member folders are independent: check them in forked workers and merge what they found.

    The first PARALLEL_FROM folders are taken before deciding: a small repository is
    checked in this process, where starting workers would cost more than it saves.
    This process walks (and answers from the cache) while the workers check; at most
    ``2 * jobs`` chunks are in flight, so memory does not follow the repository.
    """
    import itertools
    import multiprocessing
    from collections import deque

    global _WORKER_STATE
    head = list(itertools.islice(cases, PARALLEL_FROM))
    if len(head) < PARALLEL_FROM:
        for item in head:
            _check_case(item, runner, cwd, result)
        return
    for rule in runner.rules:  # e.g. a dictionary a rule needs, loaded once rather than in every worker
        warm_up = getattr(rule.check, "warm_up", None)
        if warm_up is not None:
            warm_up()
    _WORKER_STATE = (runner.selection, runner.ctx, runner.targets, runner.options, cwd, runner.cache)
    stream = itertools.chain(head, cases)
    chunks = iter(lambda: list(itertools.islice(stream, CHUNK)), [])

    def merge(part: CheckResult) -> None:
        result.findings.extend(part.findings)
        result.checked.extend(part.checked)
        result.files += part.files
        result.members += part.members
        result.internal_errors += part.internal_errors
        result.identities.extend(part.identities)
        for work in part.works:
            if runner.visit is not None:
                runner.visit(work)
            else:
                result.works.append(work)

    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            flying: deque = deque()
            for chunk in chunks:  # taken in this thread: cache hits are merged here, in walk order
                flying.append(pool.apply_async(_check_chunk, (chunk,)))
                while flying and (len(flying) >= 2 * jobs or flying[0].ready()):
                    merge(flying.popleft().get())
            while flying:
                merge(flying.popleft().get())
    finally:
        _WORKER_STATE = None


def _check_chunk(chunk: list) -> CheckResult:
    selection, ctx, targets, options, cwd, cache = _WORKER_STATE
    part = CheckResult()
    runner = _Runner(selection, ctx, targets, options, part, cwd)
    runner.cache = cache
    for item in chunk:
        _check_case(item, runner, cwd, part)
    return part


class Selection:
    """Which rules run, at what severity, where (``select``/``ignore``, severity overrides, per-path ignores)."""

    def __init__(self, config: Config, options: Options) -> None:
        known = set(RULES)
        for code in (*(options.select or ()), *options.ignore):
            try:
                check_code(code, known, "the command line")
            except ConfigError as exc:
                raise UsageError(str(exc)) from None
        select = options.select if options.select is not None else config.select
        ignore = (*config.ignore, *options.ignore)
        self.enabled = {code for code in known if _matches(code, select) and not _matches(code, ignore)}
        self.severity = {code: config.severity.get(code, rule.severity) for code, rule in RULES.items()}
        self.path_ignores = [(glob_regex(g), codes) for g, codes in config.per_path_ignores.items()]

    def ignored_at(self, code: str, relative_path: str) -> bool:
        return any(rx.match(relative_path) and _matches(code, codes) for rx, codes in self.path_ignores)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in patterns)


class _Runner:
    """Calls each enabled rule and converts its hits into findings."""

    def __init__(self, selection: Selection, ctx: Context, targets: list[Path], options: Options,
                 result: CheckResult, cwd: Path) -> None:
        self.selection = selection
        self.ctx = ctx
        self.targets = targets
        self.options = options
        self.result = result
        self.rules = [r for code, r in sorted(RULES.items()) if code in selection.enabled]
        self._target_texts = [str(t) for t in targets]
        self._cwd = cwd
        self.cache = None  # pcplan.cache.Cache, with Options.cache
        self.visit: Callable | None = None  # check's on_member (in the parent process only)

    def run_case(self, case: Case) -> list[Finding]:
        """Every finding of the member folder, documented exceptions applied (``keep`` narrows them to the
        paths named)."""
        found: list[Finding] = []
        for doc in case.documents:
            self._file_rules(doc, case, case.member_id, found)
        context = self.ctx.for_case(case)  # once per member folder: its lifecycle is worked out once, for all
        # A member who is only referred is judged by nothing but the schema and A607 (DESIGN.md, "Episodes").
        referred = context.lifecycle.only_referred
        anchor = case.member or (case.documents[0] if case.documents else None)
        for rule in self.rules:
            if rule.scope == "case" and not (referred and rule.code not in ONLY_REFERRED_RULES):
                self._call(rule, partial(rule.check, case, context), case.member_id, anchor, found)
        # Exceptions see every finding of the member, before narrowing to the paths named.
        found, stale = apply_exceptions(case, found, self.ctx.today, self.selection.enabled)
        if "E008" in self.selection.enabled:
            found.extend(filter(None, (self._finding(RULES["E008"], hit, case.member_id) for hit in stale)))
        return [f for f in found if f is not None]

    def run_repository(self, repo: Repository) -> None:
        found: list[Finding] = []
        for doc in repo.documents():
            self._file_rules(doc, None, None, found)
        # An internal error in a repository rule is reported at staff.yaml, or where it would be.
        anchor = repo.staff or Document(LoadedFile(path=repo.root / STAFF_FILES[0]),
                                        _display(repo.root / STAFF_FILES[0], self._cwd))
        for rule in self.rules:
            if rule.scope == "repository":
                self._call(rule, partial(rule.check, repo, self.ctx), None, anchor, found)
        self.result.findings.extend(self.keep(f for f in found if f is not None))

    def _file_rules(self, doc: Document, case: Case | None, member: str | None, found: list) -> None:
        for rule in self.rules:
            if rule.scope == "file":
                self._call(rule, partial(rule.check, doc, case, self.ctx), member, doc, found)

    def _call(self, rule: Rule, produce: Callable[[], Iterable[Hit]], member: str | None,
              anchor: Document | None, found: list) -> None:
        listed: dict[int, int] = {}  # per file (by its document): the hits listed so far
        unlisted: dict[int, list] = {}  # per file: [the first hit not listed, how many were not]
        try:
            for hit in produce():
                key = id(hit.doc)
                if listed.get(key, 0) < MAX_PER_CODE:  # the loader's and the schema's cap, for every rule
                    listed[key] = listed.get(key, 0) + 1
                    found.append(self._finding(rule, hit, member))
                elif key in unlisted:
                    unlisted[key][1] += 1
                else:
                    unlisted[key] = [hit, 1]
        except Exception as exc:  # a bug in one rule must not stop the others
            self.result.internal_errors += 1
            if self.options.debug:
                traceback.print_exc()
            if anchor is not None:
                found.append(self._finding(RULES["E000"], Hit(
                    anchor, (), f"internal error in rule {rule.code} ({type(exc).__name__}); the other "
                    "rules still ran. Run with --debug for details and please report it"), member))
        for first, count in unlisted.values():
            found.append(self._finding(rule, Hit(
                first.doc, first.data_path, f"{count:,} more {rule.code} findings in this file, from here on, are "
                f"not listed (pcplan lists the first {MAX_PER_CODE} of a file)", first.at, first.line, first.column,
                hint="So many findings of one rule usually have one cause: fix that cause, then check again to "
                     "see any that remain."), member))

    def _finding(self, rule: Rule, hit: Hit, member: str | None) -> Finding | None:
        """A positioned finding, or None where a per-path ignore silences the rule."""
        doc = hit.doc
        path = doc.path  # already absolute: every path is resolved before loading
        relative = _relative_to(path, self.ctx.repo.root)
        if rule.code != "E000" and self.selection.ignored_at(rule.code, relative):
            return None
        if hit.line is not None:
            line, column = hit.line, hit.column or 1
            end_line, end_column = line, column + 1
        else:
            line, column, end_line, end_column = doc.loaded.span(hit.data_path, hit.at)
        return Finding(
            code=rule.code, name=rule.name,
            severity=finding_severity(self.selection.severity.get(rule.code, rule.severity), hit.severity),
            path=doc.display_path, line=line, column=column, message=hit.message, member=member,
            data_path=hit.data_path, file=path, repo_path=relative, end_line=end_line, end_column=end_column,
            hint=hit.hint, due=hit.due, related=tuple(_related(entry, self.ctx.repo.root) for entry in hit.related),
            occurrences=hit.occurrences)

    def keep(self, found: Iterable[Finding]) -> list[Finding]:
        """The findings in the files named, and those related to a file named: a plan's finding about an
        assessed need shows when either file is checked (the edit to either can be what broke it)."""
        return [f for f in found if self.targeted(f.file)
                or any(r.file is not None and self.targeted(r.file) for r in f.related)]

    def targeted(self, path: Path) -> bool:
        text = str(path)
        return any(text == t or text.startswith(t + os.sep) for t in self._target_texts)


def _related(entry: tuple, root: Path) -> Related:
    """A Hit's ``(doc, data_path, message[, at])`` resolved to the position of its node."""
    doc, data_path, message, *rest = entry
    line, column, end_line, end_column = doc.loaded.span(data_path, rest[0] if rest else "value")
    return Related(doc.display_path, line, column, message, file=doc.path, data_path=tuple(data_path),
                   end_line=end_line, end_column=end_column, repo_path=_relative_to(doc.path, root))


def in_shard(relative_folder: str, shard: tuple[int, int] | None) -> bool:
    """Whether a member folder belongs to shard i of n: a stable hash of its path, not Python's salted one."""
    if shard is None:
        return True
    index, count = shard
    digest = hashlib.sha256(relative_folder.encode("utf-8", "surrogateescape")).digest()  # a name not UTF-8 too
    return int.from_bytes(digest[:8], "big") % count == index - 1


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
