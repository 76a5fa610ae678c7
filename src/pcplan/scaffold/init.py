"""`pcplan init`: a new case repository, ready for the first member.

It writes pcplan.toml (every key, with its default and a comment), staff.yaml,
a fictional sample member, the JSON Schemas and editor settings, pre-commit and
GitHub Actions configuration, .gitattributes and a README for the agency.

A folder that is not empty is refused unless ``--force`` (a `.git` folder alone
does not count: `git init` first is fine). Even with ``--force`` an existing
file is never replaced: it is kept and reported as skipped. The sample member
is only added to a repository that has no member folder yet.

Outside a git work tree it runs `git init` (not with ``--no-git``), and it ends
with the next commands to run, written for the folder given.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from . import ScaffoldError, texts


@dataclass
class InitRequest:
    directory: Path
    today: date
    force: bool = False
    agency: str | None = None
    sample: bool = True
    git: bool = True  # `git init` when the folder is not in a git work tree yet


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # existed: kept as they were
    notes: list[str] = field(default_factory=list)
    next_commands: list[str] = field(default_factory=list)  # runnable, from the current folder, in order


# The sample staff and member are dated from about six years before the day to a year after it: a day
# nearer the calendar's ends (0001-01-01, 9999-12-31) dates them from the nearest day that leaves room.
SAMPLE_EARLIEST = date.min + timedelta(days=7 * 366)
SAMPLE_LATEST = date.max - timedelta(days=2 * 366)


def sample_day(today: date) -> date:
    """The day the sample staff and member are dated from: ``today``, unless it is too near an end of the
    calendar for records dated years before it and goals a year after it."""
    return min(max(today, SAMPLE_EARLIEST), SAMPLE_LATEST)


def planned_files(request: InitRequest, with_sample: bool) -> dict[str, str]:
    """Relative path → text of every file `init` writes."""
    from ..schema import KINDS, schema_for

    agency = request.agency.strip() if request.agency and request.agency.strip() else None
    day = sample_day(request.today)
    files = {
        "pcplan.toml": texts.pcplan_toml(agency),
        "staff.yaml": texts.staff_yaml(day, agency),
        "README.md": texts.readme(agency),
        ".gitattributes": texts.GITATTRIBUTES,
        ".pre-commit-config.yaml": texts.PRE_COMMIT,
        ".github/workflows/pcplan.yml": texts.ci_workflow(),
        ".vscode/settings.json": texts.vscode_settings(),
        ".vscode/extensions.json": texts.VSCODE_EXTENSIONS,
    }
    for kind in KINDS:
        files[f"{texts.SCHEMA_FOLDER}/{kind}.schema.json"] = json.dumps(schema_for(kind), indent=2,
                                                                        ensure_ascii=False) + "\n"
    if with_sample:
        files.update(texts.sample_member(day))
    return files


def init_repository(request: InitRequest) -> InitResult:
    from ..walk import walk

    root = _checked_root(request)
    result = InitResult(root)
    if sample_day(request.today) != request.today:
        result.notes.append(f"{request.today.isoformat()} is too near an end of the calendar (0001-01-01 to "
                            f"9999-12-31) to date sample records around it; the sample staff and member are "
                            f"dated from {sample_day(request.today).isoformat()} instead")
    with_sample = request.sample
    if with_sample and root.is_dir() and walk(root, root).cases:
        with_sample = False
        result.notes.append("the repository already has member folders; no sample member added")
    _write_missing(request, root, with_sample, result)
    if request.git:
        from .git import git_init, in_git_work_tree

        if not in_git_work_tree(root):
            result.notes.append(git_init(root, str(request.directory)))
    result.next_commands = next_commands(request.directory, Path.cwd().resolve())
    return result


def _checked_root(request: InitRequest) -> Path:
    """The repository's folder, resolved; a ScaffoldError when init must not write there."""
    from ..output import inside_git, links_out

    if request.agency and any("\ud800" <= ch <= "\udfff" for ch in request.agency):
        raise ScaffoldError("--agency: not valid text (the terminal passed bytes that are not UTF-8); set the "
                            "terminal to UTF-8 and type it again")
    problem = links_out(request.directory)  # DIR as typed: not through a link a repository holds out of it
    if problem:
        raise ScaffoldError(f"{request.directory}: {problem}")
    root = request.directory.resolve()
    if inside_git(root):  # before any folder is made there
        raise ScaffoldError(f"{request.directory}: refusing to write inside a .git folder")
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{request.directory}: is a file, not a folder")
    if root.is_dir():
        present = sorted(p.name for p in root.iterdir() if p.name != ".git")
        if present and not request.force:
            shown = ", ".join(present[:3]) + (", …" if len(present) > 3 else "")
            raise ScaffoldError(f"{request.directory}: not empty ({shown}); pass --force to add the missing "
                                "files (existing files are kept)")
    return root


def _write_missing(request: InitRequest, root: Path, with_sample: bool, result: InitResult) -> None:
    """Write each planned file that is not there yet (``result.written``); keep the others (``result.skipped``)."""
    from ..output import OutputError, make_folders, write_atomically

    try:
        root.mkdir(parents=True, exist_ok=True)
        for relative, content in planned_files(request, with_sample).items():
            target = root / relative
            if target.exists() or target.is_symlink():
                result.skipped.append(target)
                continue
            make_folders(target.parent, within=root)  # only through the repository's own folders, no link
            try:
                # Not B023's late binding: write_atomically calls the lambda at once, before the loop moves on.
                write_atomically(target, lambda stream: stream.write(content), within=root)  # noqa: B023
            except OutputError:
                if not (target.exists() or target.is_symlink()):
                    raise
                result.skipped.append(target)  # it appeared while init was writing: kept, like any other
                continue
            result.written.append(target)
    except OutputError as exc:
        raise ScaffoldError(str(exc)) from None
    except OSError as exc:
        raise ScaffoldError(f"{request.directory}: cannot write: {exc.strerror or exc}") from None


def next_commands(directory: Path, cwd: Path) -> list[str]:
    """The three commands that come next: into the repository, a first member, a check."""
    inside = directory.resolve() == cwd
    steps = [] if inside else [f"cd {_quoted(directory)}"]
    steps += ["pcplan new member", "pcplan check"]
    if inside:
        steps.append("pcplan due")  # no `cd` needed: the caseload calendar comes third
    return steps


def _quoted(path: Path) -> str:
    """``path`` as a shell reads it: POSIX quoting, or double quotes for Windows' cmd and PowerShell."""
    text = str(path)
    if os.name == "nt":
        return f'"{text}"' if any(c in text for c in " &()^;,'") else text
    return shlex.quote(text)
