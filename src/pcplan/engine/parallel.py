"""Member folders are independent: past a few, they are checked in forked worker processes, a chunk at a
time, and what each chunk found is merged here in walk order."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..result import CheckResult
from . import run
from .discover import Item
from .options import Options
from .run import Runner, Selection

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    from ..cache import Cache
    from ..rules.context import RepositoryContext

PARALLEL_FROM = 32  # member folders; below this, starting workers costs more than it saves
CHUNK = 16  # member folders handed to a worker at a time

# What a worker needs to check a chunk: set in the parent just before the workers fork, so they inherit it
# instead of re-reading it (selection, repository context, targets, options, current folder, cache).
WorkerState = tuple[Selection, "RepositoryContext", list[Path], Options, Path, "Cache | None"]
_WORKER_STATE: WorkerState | None = None


def check_cases(cases: Iterator[Item], runner: Runner, cwd: Path, result: CheckResult, jobs: int) -> None:
    """Check member folders in forked workers and merge what they found.

    The first PARALLEL_FROM folders are taken before deciding: a small repository is
    checked in this process, where starting workers would cost more than it saves.
    This process walks (and answers from the cache) while the workers check; at most
    ``2 * jobs`` chunks are in flight, so memory does not follow the repository.
    """
    import multiprocessing  # only a run with many member folders pays for it

    global _WORKER_STATE  # noqa: PLW0603 - inherited by the forked workers
    head = list(itertools.islice(cases, PARALLEL_FROM))
    if len(head) < PARALLEL_FROM:
        for item in head:
            run.check_case(item, runner, cwd, result)
        return
    for rule in runner.rules:  # e.g. a dictionary a rule needs, loaded once rather than in every worker
        warm_up = getattr(rule.check, "warm_up", None)
        if warm_up is not None:
            warm_up()
    _WORKER_STATE = (runner.selection, runner.ctx, runner.targets, runner.options, cwd, runner.cache)
    stream = itertools.chain(head, cases)
    chunks = iter(lambda: list(itertools.islice(stream, CHUNK)), [])
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            flying: deque[AsyncResult[CheckResult]] = deque()
            for chunk in chunks:  # taken in this thread: cache hits are merged here, in walk order
                flying.append(pool.apply_async(_check_chunk, (chunk,)))
                while flying and (len(flying) >= 2 * jobs or flying[0].ready()):
                    _merge(flying.popleft().get(), runner, result)
            while flying:
                _merge(flying.popleft().get(), runner, result)
    finally:
        _WORKER_STATE = None


def _merge(part: CheckResult, runner: Runner, result: CheckResult) -> None:
    """What a worker found, added to the run's result; its members' work handed on in the parent."""
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


def _check_chunk(chunk: list[Item]) -> CheckResult:
    """In a worker: check a chunk of member folders into a result of its own, handed back to the parent."""
    assert _WORKER_STATE is not None, "a worker is forked after the state is set"
    selection, ctx, targets, options, cwd, cache = _WORKER_STATE
    part = CheckResult()
    runner = Runner(selection, ctx, targets, options, part, cwd)
    runner.cache = cache
    for item in chunk:
        run.check_case(item, runner, cwd, part)
    return part
