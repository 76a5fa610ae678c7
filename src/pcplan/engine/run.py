"""Checking one member folder: which rules run (Selection), the runner that calls them with the member's
CaseContext and turns their hits into positioned findings, documented exceptions applied.

A member folder is loaded, checked and dropped: nothing here keeps its Case once its findings (and, for
`due` and `report`, its summary) are made, so memory follows the largest member folder, not the repository.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..cache_codec import encode_entry
from ..codes import redirected
from ..config import Config, ConfigError, check_code
from ..exceptions import apply_exceptions
from ..facts.lifecycle import ONLY_REFERRED_RULES
from ..facts.summary import MemberSummary, summarize
from ..findings import Finding, Hit, Related, finding_severity
from ..load import MAX_PER_CODE, LoadedFile
from ..model import Case, Document, Repository, load_case
from ..model import display_path as _display
from ..model import file_names as _names
from ..result import CheckResult, MemberWork
from ..rules.context import CaseContext, RepositoryContext
from ..rules.registry import RULES, Rule
from ..walk import MEMBER_FILES, STAFF_FILES, glob_regex
from .discover import Item, folder_key, relative_to
from .options import Options, UsageError

if TYPE_CHECKING:
    from ..cache import Cache


class Selection:
    """Which rules run, at what severity, where (``select``/``ignore``, severity overrides, per-path ignores)."""

    def __init__(self, config: Config, options: Options) -> None:
        known = set(RULES)
        # A renamed code on the command line reads as its new one, as in pcplan.toml (pcplan.codes).
        command_select = None if options.select is None else tuple(redirected(c) for c in options.select)
        command_ignore = tuple(redirected(c) for c in options.ignore)
        for code in (*(command_select or ()), *command_ignore):
            try:
                check_code(code, known, "the command line")
            except ConfigError as exc:
                raise UsageError(str(exc)) from None
        select = command_select if command_select is not None else config.select
        ignore = (*config.ignore, *command_ignore)
        self.enabled = {code for code in known if _matches(code, select) and not _matches(code, ignore)}
        self.severity = {code: config.severity.get(code, rule.severity) for code, rule in RULES.items()}
        self.path_ignores = [(glob_regex(g), codes) for g, codes in config.per_path_ignores.items()]

    def ignored_at(self, code: str, relative_path: str) -> bool:
        return any(rx.match(relative_path) and _matches(code, codes) for rx, codes in self.path_ignores)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in patterns)


class Runner:
    """Calls each enabled rule and converts its hits into findings."""

    def __init__(self, selection: Selection, ctx: RepositoryContext, targets: list[Path], options: Options,
                 result: CheckResult, cwd: Path) -> None:
        self.selection = selection
        self.ctx = ctx
        self.targets = targets
        self.options = options
        self.result = result
        self.rules = [r for code, r in sorted(RULES.items()) if code in selection.enabled]
        self._target_texts = [str(t) for t in targets]
        self._cwd = cwd
        self.cache: Cache | None = None  # with Options.cache
        self.visit: Callable[[MemberWork], None] | None = None  # check's on_member (in the parent process only)

    def run_case(self, case: Case, context: CaseContext) -> list[Finding]:
        """Every finding of the member folder, documented exceptions applied (``keep`` narrows them to the
        paths named)."""
        found: list[Finding | None] = []
        for doc in case.documents:
            self._file_rules(doc, case, case.member_id, found)
        # A member who is only referred is judged by nothing but the schema and A607 (DESIGN.md, "Episodes").
        referred = context.lifecycle.only_referred
        anchor = case.member or (case.documents[0] if case.documents else None)
        for rule in self.rules:
            if rule.scope == "case" and not (referred and rule.code not in ONLY_REFERRED_RULES):
                self._call(rule, partial(rule.check, case, context), case.member_id, anchor, found)
        # Exceptions see every finding of the member, before narrowing to the paths named.
        kept, stale = apply_exceptions(case, [f for f in found if f is not None], self.ctx.today,
                                       self.selection.enabled, life=context.lifecycle)
        if "E008" in self.selection.enabled:
            kept.extend(filter(None, (self.finding(RULES["E008"], hit, case.member_id) for hit in stale)))
        return kept

    def run_repository(self, repo: Repository) -> None:
        found: list[Finding | None] = []
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
                    found.append(self.finding(rule, hit, member))
                elif key in unlisted:
                    unlisted[key][1] += 1
                else:
                    unlisted[key] = [hit, 1]
        except Exception as exc:  # a bug in one rule must not stop the others
            self.result.internal_errors += 1
            if self.options.debug:
                traceback.print_exc()
            if anchor is not None:
                found.append(self.finding(RULES["E000"], Hit(
                    anchor, (), f"internal error in rule {rule.code} ({type(exc).__name__}); the other "
                    "rules still ran. Run with --debug for details and please report it"), member))
        for first, count in unlisted.values():
            found.append(self.finding(rule, Hit(
                first.doc, first.data_path, f"{count:,} more {rule.code} {'finding' if count == 1 else 'findings'} "
                f"in this file, from here on, {'is' if count == 1 else 'are'} not listed (pcplan lists the first "
                f"{MAX_PER_CODE} of a file)", first.at, first.line, first.column,
                hint="So many findings of one rule usually have one cause: fix that cause, then check again to "
                     "see any that remain."), member))

    def finding(self, rule: Rule, hit: Hit, member: str | None) -> Finding | None:
        """A positioned finding, or None where a per-path ignore silences the rule."""
        doc = cast(Document, hit.doc)  # findings.Hit types it loosely, to stay below the model
        path = doc.path  # already absolute: every path is resolved before loading
        root = self.ctx.repository.root
        relative = relative_to(path, root)
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
            hint=hit.hint, due=hit.due, related=tuple(_related(entry, root) for entry in hit.related),
            occurrences=hit.occurrences)

    def keep(self, found: Iterable[Finding]) -> list[Finding]:
        """The findings in the files named, and those related to a file named: a plan's finding about an
        assessed need shows when either file is checked (the edit to either can be what broke it)."""
        return [f for f in found if self.targeted(f.file)
                or any(r.file is not None and self.targeted(r.file) for r in f.related)]

    def targeted(self, path: Path | None) -> bool:
        text = str(path)
        return any(text == t or text.startswith(t + os.sep) for t in self._target_texts)


def _related(entry: tuple, root: Path) -> Related:
    """A Hit's ``(doc, data_path, message[, at])`` resolved to the position of its node."""
    doc, data_path, message, *rest = entry
    line, column, end_line, end_column = doc.loaded.span(data_path, rest[0] if rest else "value")
    return Related(doc.display_path, line, column, message, file=doc.path, data_path=tuple(data_path),
                   end_line=end_line, end_column=end_column, repo_path=relative_to(doc.path, root))


def check_case(item: Item, runner: Runner, cwd: Path, result: CheckResult) -> None:
    """Load one member folder, check it, store its entry in the cache and deliver its work. The Case and its
    context go when this returns: what is delivered holds findings and a summary, never a document."""
    order, folder, files = item
    names, displays = _names(folder, files, cwd)
    ctx = runner.ctx
    root = ctx.repository.root
    case = load_case(folder, root, ctx.config, cwd, files, displays=displays)
    if runner.options.record_checked:
        result.checked.extend(d.display_path for d in case.documents if runner.targeted(d.path))
    result.files += len(case.documents)
    result.members += 1
    errors = result.internal_errors
    context = ctx.for_case(case)  # once per member folder: its lifecycle is worked out once, for all
    found = runner.run_case(case, context)
    identity = _identity(case, names)
    result.identities.append((order, folder_key(folder, root), *identity))
    summary, cache = None, runner.cache
    if runner.options.caseload or cache is not None:
        try:  # the lifecycle the rules read: computed once per member
            summary = summarize(case, ctx.settings, ctx.today, life=context.lifecycle)
        except Exception:  # noqa: BLE001 - `due` and `report` say it; a check goes on without caching
            if runner.options.caseload:
                raise
            cache = None
    if cache is not None and result.internal_errors == errors:
        payload = encode_entry(case.documents, names, found, summary, identity)
        if payload is not None:
            cache.store(folder_key(folder, root), names,
                        [(d.loaded.stat, d.loaded.digest) for d in case.documents], payload)
    deliver(order, folder, found, summary if runner.options.caseload else None, runner, result)


def deliver(order: int, folder: Path, found: list[Finding], summary: MemberSummary | None, runner: Runner,
            result: CheckResult) -> None:
    """Keep a member folder's findings (those in or related to the paths named) and hand its work on."""
    kept = runner.keep(found)
    if runner.options.keep_findings:
        result.findings.extend(kept)
    if runner.options.caseload:
        work = MemberWork(order, folder, kept, summary)
        if runner.visit is not None:
            runner.visit(work)
        else:
            result.works.append(work)  # in a worker: handed back to the parent, which calls on_member


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
