"""`pcplan init` makes the new case repository a git repository: case files are kept in git.

Only outside an existing work tree (a `.git` here or in a folder above), so a
repository inside another one is never nested by accident. git is optional: when
it is not installed, init says so and the files are still written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Set by a hook or a wrapper, these point git at another repository than the folder given.
_REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")


def in_git_work_tree(folder: Path) -> bool:
    """Whether ``folder`` (or a folder above it) holds `.git`, as pcplan finds a repository root."""
    folder = folder.resolve()
    return any((candidate / ".git").exists() for candidate in (folder, *folder.parents))


def git_init(folder: Path, shown: str) -> str:
    """Run `git init` in ``folder``; the sentence to print about what happened (never raises)."""
    git = shutil.which("git")
    if git is None:
        return (f"git is not installed, so {shown} is not a git repository yet; install git, then run "
                f"`git init` there to keep the case files' history")
    env = {key: value for key, value in os.environ.items() if key not in _REDIRECTS}
    try:
        done = subprocess.run([git, "init", "--quiet"], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`git init` did not run in {shown} ({exc}); run it there yourself"
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        return f"`git init` failed in {shown} ({reason[-1] if reason else f'exit {done.returncode}'}); " \
               "run it there yourself"
    return f"initialized a git repository in {shown} (git init)"
