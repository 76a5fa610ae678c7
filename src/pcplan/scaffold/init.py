"""`pcplan init`: a new case repository, ready for the first member.

It writes pcplan.toml (every key, with its default and a comment), staff.yaml,
a fictional sample member, the JSON Schemas and editor settings, pre-commit and
GitHub Actions configuration, .gitattributes, a .gitignore that keeps printed
plans (``printed/``) out of git, the pcplan wheel CI installs
(:mod:`pcplan.scaffold.wheel`) and a README for the agency.

A folder that is not empty is refused unless ``--force`` (a `.git` folder alone
does not count: `git init` first is fine). Even with ``--force`` an existing
file is never replaced: it is kept and reported as skipped. One exception, the
change ``--force`` asks for: an existing .gitignore that does not ignore
``printed/`` gains that one line at its end, every other byte kept (a member's
plan must never be committed by `git add -A`). The sample member is only added
to a repository that has no member folder yet.

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
        ".gitignore": texts.GITIGNORE,
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
    from ..output import OutputError

    try:
        root.mkdir(parents=True, exist_ok=True)
        for relative, content in planned_files(request, with_sample).items():
            target = root / relative
            if relative == ".gitignore" and target.is_file() and not target.is_symlink():
                _complete_gitignore(request, root, target, result)
                continue
            _write_new(root, target, content, result)
        _keep_wheel(root, result)
    except OutputError as exc:
        raise ScaffoldError(str(exc)) from None
    except OSError as exc:
        raise ScaffoldError(f"{request.directory}: cannot write: {exc.strerror or exc}") from None


def _write_new(root: Path, target: Path, content: str | bytes, result: InitResult) -> None:
    """Write ``target`` unless it exists (or appears while init writes it): then it is kept, as it is."""
    from ..output import OutputError, make_folders, write_atomically

    if target.exists() or target.is_symlink():
        result.skipped.append(target)
        return
    make_folders(target.parent, within=root)  # only through the repository's own folders, no link
    try:
        write_atomically(target, lambda stream: stream.write(content), binary=isinstance(content, bytes),
                         within=root)
    except OutputError:
        if not (target.exists() or target.is_symlink()):
            raise
        result.skipped.append(target)  # it appeared while init was writing: kept, like any other
        return
    result.written.append(target)


def _keep_wheel(root: Path, result: InitResult) -> None:
    """The wheel of the running pcplan, which CI installs; when it cannot be made, the command that builds it."""
    from .new import shown
    from .wheel import WHEEL_PATH, NoWheel, build_command, installed_wheel

    target = root / WHEEL_PATH
    if target.exists() or target.is_symlink():
        result.skipped.append(target)
        return
    try:
        wheel = installed_wheel()
    except NoWheel as exc:
        result.notes.append(f"{shown(target)} is not written ({exc}), and CI installs pcplan from it: build it "
                            f"with `{build_command(shown(target.parent))}`")
        return
    _write_new(root, target, wheel, result)


# The lines that make git ignore the folder printed/ at the root (a .gitignore beside it), as people write them.
_PRINTED_LINES = {"printed", "printed/", "/printed", "/printed/", "printed/*", "printed/**", "/printed/*",
                  "/printed/**", "**/printed", "**/printed/"}


def printed_ignored(text: str) -> bool | None:
    """Whether a .gitignore ignores printed/: True, False (no line does), None (a later `!printed/` takes it back)."""
    state: bool | None = False
    for line in (raw.rstrip(" ") for raw in text.splitlines()):  # git ignores trailing blanks
        if line.removeprefix("!") in _PRINTED_LINES:
            state = None if line.startswith("!") else True
    return state


def _complete_gitignore(request: InitRequest, root: Path, target: Path, result: InitResult) -> None:
    """An existing .gitignore: kept when it ignores printed/; else, with --force, the line `printed/` is added at
    its end (the one change init makes to an existing file); without --force, the line to add is said."""
    from ..output import write_atomically
    from .new import shown

    old = target.read_bytes()
    state = printed_ignored(old.decode("utf-8", errors="replace"))
    line = texts.PRINTED_FOLDER
    if state is False and request.force:
        addition = (b"" if not old or old.endswith(b"\n") else b"\n") + f"{line}\n".encode()
        write_atomically(target, lambda stream: stream.write(old + addition), overwrite=True, binary=True,
                         within=root)
        result.notes.append(f"added the line `{line}` to {shown(target)}: printed plans hold members' information, "
                            "and git must never commit them")
        return
    result.skipped.append(target)
    if state is None:
        result.notes.append(f"{shown(target)} takes `{line}` back (`!{line}`): printed plans hold members' "
                            f"information and would be committed; remove that line")
    elif state is False:  # (a .gitignore that appeared while init ran: without --force, only said)
        result.notes.append(f"{shown(target)} does not ignore printed plans; add the line `{line}` to it (printed "
                            "plans hold members' information and must never be committed)")


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
