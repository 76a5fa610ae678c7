"""The pre-commit hook's scope (DESIGN.md §4): `pcplan check --member-folders FILE...`.

pre-commit hands the hook the files staged for the commit. pcplan loads the
whole member folder of each (cross-file rules stay right) and shows every
finding of those folders, but only these *block* the commit (exit 1 when one is
at or above ``--fail-on`` and not covered by a documented exception):

* a finding located in a changed case file: its own path, not a related
  location (a plan's finding about an assessed need is the plan's);
* where the commit changes a repository's ``staff.yaml``, ``providers.yaml``
  or ``pcplan.toml`` (at its root): a finding that change introduces, anywhere
  in that repository. Every member is checked twice, as the files are and with
  those files as committed (git's ``HEAD``), and the two are compared keyed as
  a baseline is (:func:`pcplan.baseline.key`: member, file, code, data path;
  never line numbers). A finding counts as introduced when the committed state
  has none with its key, nor, failing that, one with the same member, file,
  code and message (an entry added to the staff list above another moves that
  one's data path, not its finding), or when the committed state had it below
  ``--fail-on`` and it is now at or above it (a severity raised in
  pcplan.toml).

So a case manager who is behind can commit a catch-up note while the review
that is overdue sits in the plan: that finding is shown, marked *not
blocking*. Findings elsewhere in the repository that were there before a
staff or configuration change are counted in the summary but not listed (a
statewide repository has thousands; they are not this commit's).

The committed state of a root file is read with ``git cat-file`` from ``HEAD``
(no network: a partial clone is not allowed to fetch). A root file that is not
in ``HEAD`` (added by this commit) is compared as absent: the defaults for
pcplan.toml, no staff list for staff.yaml. Where there is no committed state
at all (not a git repository, no commit yet, git not installed or unable to
read the repository), every finding in that repository counts as introduced.
A committed pcplan.toml that pcplan cannot read (invalid then, or from an
older pcplan) is compared as the defaults. The comparison run never reads or
writes the cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import engine
from .baseline import key as baseline_key
from .config import CONFIG_NAME, Config, ConfigError, find_root, load_config
from .engine import NoCaseFiles, Options, UsageError
from .findings import Finding, FindingStore, at_or_above
from .load import overlay
from .result import CheckResult
from .walk import PROVIDER_FILES, STAFF_FILES, enclosing_member_folder

# Files at a repository root that every member is judged against: a change to one is checked against them all.
ROOT_FILES = (CONFIG_NAME, *STAFF_FILES, *PROVIDER_FILES)
_ROOT_YAML = (*STAFF_FILES, *PROVIDER_FILES)

# Set by git for a hook or by a wrapper, these point git at another repository (or index) than the folder's own.
_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
              "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE")
GIT_TIMEOUT = 60


@dataclass
class HookView:
    """Which findings of a hook run block the commit, and what the summary says about the others."""

    fail_on: str = "error"
    changed: frozenset = frozenset()  # the changed case files (absolute paths): their findings block
    folders: frozenset = frozenset()  # folders named (a person's run, not pre-commit's): their files' findings block
    fresh: frozenset = frozenset()  # roots whose root files changed with no committed state: all their findings block
    introduced: set = field(default_factory=set)  # findings a root-file change introduced (compared with HEAD)
    root_change: bool = False  # a staff, providers or configuration file changed
    not_shown: int = 0  # findings elsewhere in the repository that were there before the change (not listed)
    not_blocking: int = 0  # findings listed that do not block (set by ``count``)

    def counts(self, finding: Finding) -> bool:
        """Whether ``finding`` can block the commit (it still must be at or above --fail-on, not excepted)."""
        if finding.file in self.changed or finding in self.introduced:
            return True
        return _root_of(finding, self.fresh) is not None or _root_of(finding, self.folders) is not None

    def blocks(self, finding: Finding) -> bool:
        return not finding.excepted and at_or_above(finding.severity, self.fail_on) and self.counts(finding)

    def count(self, findings: Iterable[Finding]) -> int:
        """How many of ``findings`` block; records how many listed ones do not (for the summary)."""
        blocking = self.not_blocking = 0
        for finding in findings:
            if self.blocks(finding):
                blocking += 1
            elif not finding.excepted and not self.counts(finding):
                self.not_blocking += 1
        return blocking

    def note(self) -> str:
        """The summary's words about what does not block (empty when everything listed can block)."""
        parts = []
        if self.not_blocking:
            n = self.not_blocking
            why = "not in the changed files, or there before this change" if self.root_change \
                else "elsewhere in these member folders, not in the changed files"
            parts.append(f" {n} of them {'is' if n == 1 else 'are'} {why}, and "
                         f"{'does' if n == 1 else 'do'} not block this commit.")
        if self.not_shown:
            n = self.not_shown
            parts.append(f" {n} {'finding' if n == 1 else 'findings'} elsewhere in the repository "
                         f"{'was' if n == 1 else 'were'} there before this change and {'is' if n == 1 else 'are'} "
                         "not shown.")
        return "".join(parts)


@dataclass(frozen=True)
class Committed:
    """The root files of some repositories as committed (``engine.Options.committed``): what the comparison run
    reads instead of the disk. ``configs`` maps a root to its committed pcplan.toml (None: not committed);
    ``absent`` holds the staff and providers files not in the commit. The committed YAML texts themselves are
    read through ``pcplan.load.overlay`` while the run lasts."""

    configs: dict
    absent: frozenset

    def config(self, root: Path) -> Config:
        if root not in self.configs:  # a repository nested in a changed one: unchanged, read from disk
            return load_config(root, _known())
        raw = self.configs[root]
        if raw is None:
            return Config()
        with tempfile.TemporaryDirectory(prefix="pcplan-committed-") as folder:
            (Path(folder) / CONFIG_NAME).write_bytes(raw)
            try:
                return replace(load_config(Path(folder), _known()), path=root / CONFIG_NAME)
            except ConfigError:
                return Config()  # the committed configuration could not be read: compared as the defaults


def _known() -> set[str]:
    from .rules.registry import RULES

    return set(RULES)


def check_changed(paths: list[Path], options: Options, fail_on: str = "error", cwd: Path | None = None,
                  notices: list[str] | None = None) -> tuple[CheckResult, HookView]:
    """Check the changed files ``paths`` as the pre-commit hook does; the findings to show, and which block."""
    cwd = (cwd or Path.cwd()).resolve()
    options = replace(options, member_folders=True)
    changed: set[Path] = set()
    targets: list[Path] = []
    wide: dict[Path, set[str]] = {}  # repository root → its root files that changed
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
        link = path.is_symlink()
        absolute = path.parent.resolve() / path.name if link else path.resolve()
        if not link and absolute.name in ROOT_FILES and absolute.is_file() \
                and find_root(absolute.parent) == absolute.parent:
            wide.setdefault(absolute.parent, set()).add(absolute.name)
            if absolute.name == CONFIG_NAME:
                continue  # not a case file: its repository is checked instead
        else:
            changed.add(absolute)
        targets.append(path)
    targets.extend(sorted(wide))
    view = HookView(fail_on=fail_on, changed=frozenset(p for p in changed if not p.is_dir()),
                    folders=frozenset(p for p in changed if p.is_dir()), root_change=bool(wide))
    try:
        result = engine.check(targets, options, cwd, notices=notices) if targets else CheckResult()
    except NoCaseFiles:
        if any(path.is_dir() for path in paths):
            raise
        return CheckResult(), view  # a commit of a configuration with no case files yet: nothing to check
    if not wide:
        return result, view

    # Only the root files named are read as committed: the comparison is with what this change changed.
    states = {root: committed_files(root, names) for root, names in wide.items()}
    view.fresh = frozenset(root for root, state in states.items() if state is None)
    known = {root: state for root, state in states.items() if state is not None}
    before = _committed_findings(known, options, cwd) if known else []
    scope = frozenset(known)
    view.introduced = _introduced((f for f in result.findings if _root_of(f, scope) is not None), before,
                                  scope, fail_on)
    # Shown whole: the member folders of the changed files (and any folder named).
    folders = {enclosing_member_folder(path, find_root(path.parent)) or (path if path.is_dir() else None)
               for path in changed}
    folders.discard(None)
    named = {*changed, *(root / name for root, names in wide.items() for name in names)}
    shown = FindingStore()
    for finding in result.findings:
        if finding.file in named or view.counts(finding) or _root_of(finding, folders) is not None \
                or _root_of(finding, scope) is None:
            shown.append(finding)
        elif not finding.excepted:  # counted as the summary counts findings (excepted ones apart)
            view.not_shown += 1
    result.findings = shown
    return result, view


def _root_of(finding: Finding, roots: frozenset | set) -> Path | None:
    """The nearest of ``roots`` (folders) holding the finding's file, or None."""
    path = finding.file
    if path is None or not roots:
        return None
    for parent in path.parents:
        if parent in roots:
            return parent
    return None


def _committed_findings(states: dict, options: Options, cwd: Path) -> list:
    """The findings of the repositories ``states`` names with their root files as committed (no cache)."""
    texts, configs, absent = {}, {}, set()
    for root, files in states.items():
        if CONFIG_NAME in files:
            configs[root] = files[CONFIG_NAME]
        for name in _ROOT_YAML:
            if name not in files:
                continue  # not changed: read from disk
            raw = files[name]
            if raw is None:
                absent.add(root / name)
            else:
                texts[root / name] = raw.decode("utf-8", "surrogateescape")
    committed = Committed(configs, frozenset(absent))
    run = replace(options, cache=False, committed=committed, record_checked=False)
    with overlay(texts):
        try:
            return list(engine.check(sorted(states), run, cwd).findings)
        except NoCaseFiles:
            return []


def _introduced(current: Iterable[Finding], before: list[Finding], roots: frozenset, fail_on: str) -> set:
    """The findings of ``current`` that ``before`` (the committed state) does not have, or had below
    ``fail_on`` while they are now at or above it: matched first on the baseline's key, then on the same
    member, file, code and message (a data path moved by an entry added above it)."""
    def failing(f: Finding) -> bool:
        return not f.excepted and at_or_above(f.severity, fail_on)

    def exact(f: Finding) -> tuple:
        return (_root_of(f, roots), *baseline_key(f))

    def moved(f: Finding) -> tuple:
        return (_root_of(f, roots), f.member or "", f.repo_path, f.code, f.message)

    by_key: dict[tuple, list[list[bool]]] = {}
    by_message: dict[tuple, list[list[bool]]] = {}
    for f in before:
        entry = [failing(f), False]  # failing in the committed state; matched yet
        by_key.setdefault(exact(f), []).append(entry)
        by_message.setdefault(moved(f), []).append(entry)
    introduced: set[Finding] = set()
    unmatched: list[Finding] = []
    for f in current:
        found = _take(by_key.get(exact(f)))
        if found is None:
            unmatched.append(f)
        elif failing(f) and not found[0]:
            introduced.add(f)
    for f in unmatched:  # after every exact match, so a moved finding never takes another's partner
        found = _take(by_message.get(moved(f)))
        if found is None or failing(f) and not found[0]:
            introduced.add(f)
    return introduced


def _take(entries: list[list[bool]] | None) -> list[bool] | None:
    """The first entry not matched yet, marked matched."""
    for entry in entries or ():
        if not entry[1]:
            entry[1] = True
            return entry
    return None


def committed_files(root: Path, names: Iterable[str]) -> dict[str, bytes | None] | None:
    """The files ``names`` of the folder ``root`` as committed in git's HEAD (None for one not in it); None
    when there is no committed state (git missing, not a git repository, no commit yet, or git failing)."""
    git = shutil.which("git")
    if git is None:
        return None
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTS}
    env.update(GIT_NO_LAZY_FETCH="1", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")

    def run(*args: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run([git, *args], cwd=root, env=env, capture_output=True, timeout=GIT_TIMEOUT,
                                  check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            return None

    head = run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if head is None or head.returncode != 0:
        return None
    names = sorted(set(names))
    # Paths relative to ``root`` (git's current folder), which may lie below the top of the work tree.
    listed = run("ls-tree", "-z", "HEAD", "--", *names)
    if listed is None or listed.returncode != 0:
        return None
    objects = {}
    for entry in listed.stdout.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[0] in (b"100644", b"100755") and parts[1] == b"blob":
            objects[os.fsdecode(name)] = parts[2].decode("ascii")
    out: dict[str, bytes | None] = {}
    for name in names:
        obj = objects.get(name)
        if obj is None:
            out[name] = None  # not committed (or not a plain file there: a link is not followed)
            continue
        blob = run("cat-file", "blob", obj)
        if blob is None or blob.returncode != 0:
            return None
        out[name] = blob.stdout
    return out
