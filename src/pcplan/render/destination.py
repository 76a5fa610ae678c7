"""Where `pcplan render` writes: standard output for ``-o -``, the file or folder ``-o`` names, else
``printed/`` at the repository root (DESIGN.md §4; docs/printing.md).

The default folder is at the root (the nearest folder above the plan with pcplan.toml, else .git), so a
plan printed from anywhere in the repository lands in one place that ``pcplan init`` keeps out of git.
Outside any repository there is no such place: render then writes only where ``-o`` says.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..config import CONFIG_NAME
from ..output import OutputError, is_stdout, make_folders

PRINTED = "printed"  # the folder at the repository root that holds printed plans


def file_name(member_id: str | None, plan: Path, language: str, fmt: str) -> str:
    """``M-000123-plan-2026-09-03.es.html``: member, plan, language and format, so a copy taken out of the
    folder (an attachment, a download) still says whose plan it is and which."""
    return f"{member_id or 'member'}-{plan.stem}.{language}.{fmt}"


def in_repository(root: Path) -> bool:
    """Whether ``root`` (config.find_root's answer) is a repository root: it holds pcplan.toml or .git.
    find_root answers the plan's own folder when there is neither above it."""
    return (root / CONFIG_NAME).is_file() or os.path.lexists(root / ".git")


def destination(output: Path | None, root: Path, name: str) -> tuple[Path | None, list[Path]]:
    """The file to write (None: standard output) and the folders made for it, outermost first (removed
    again, if still empty, when the render then fails: output.remove_empty)."""
    if is_stdout(output):
        return None, []
    if output is not None:
        return (output / name if os.path.isdir(output) else output), []
    if not in_repository(root):
        raise OutputError("not inside a case repository (no pcplan.toml or .git above the plan), so there is no "
                          f"{PRINTED}/ folder to write to; say where with -o FILE, -o FOLDER or -o - (standard "
                          "output), or start a repository with `pcplan init`")
    folder = root / PRINTED
    return folder / name, make_folders(folder, within=root)  # never through a link, even one to elsewhere inside


def unignored_notice(root: Path, path: Path, shown: str) -> str | None:
    """A warning when ``path`` (shown as ``shown``) is in a git work tree that does not ignore it: a member's
    plan must never be committed by ``git add -A`` (`pcplan init` writes ``printed/`` into .gitignore). None
    when git ignores it, when it is outside the work tree, when there is none, or when git cannot be asked."""
    if not os.path.lexists(root / ".git"):
        return None
    try:
        asked = subprocess.run(["git", "check-ignore", "-q", "--", str(path)], cwd=root, capture_output=True,
                               timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if asked.returncode != 1:  # 0: ignored; 128: git could not tell (outside the work tree, a broken index)
        return None
    return (f"{shown}: git does not ignore this file, and a printed plan holds the member's words: `git add -A` "
            f"would commit it; add the line `{PRINTED}/` to .gitignore and print there (the default)")
