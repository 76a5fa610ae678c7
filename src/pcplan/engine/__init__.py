"""Run the rules over what the user named and collect positioned findings.

Member folders are loaded, checked and dropped one at a time, so memory follows the largest member folder,
not the repository. The modules, in the order a check goes through them:

- ``options``: what a check is asked to do, and the usage errors that stop it;
- ``discover``: repository roots for the paths named, their member folders as the walk completes them, shards;
- ``roots``: ``check``, each root in turn;
- ``cached``: member folders answered from the cache (pcplan.cache);
- ``run``: which rules run, and the runner calling them with each member's CaseContext, exceptions applied;
- ``parallel``: the worker processes;
- ``duplicates``: E007 across member folders, once the walk is done.

What a check produces is a :class:`pcplan.result.CheckResult`.
"""

from __future__ import annotations

from ..cache_codec import well_typed as _well_typed  # noqa: F401 - tests ask it of an entry
from ..result import CheckResult, MemberWork
from . import cached, discover, duplicates, options, parallel, roots, run  # noqa: F401 - tests patch them here
from .discover import case_repositories, in_shard, no_case_files, one_repository
from .options import NoCaseFiles, Options, SeveralRepositories, UsageError
from .roots import check
from .run import Selection

__all__ = ["CheckResult", "MemberWork", "NoCaseFiles", "Options", "Selection", "SeveralRepositories", "UsageError",
           "case_repositories", "check", "in_shard", "no_case_files", "one_repository"]
