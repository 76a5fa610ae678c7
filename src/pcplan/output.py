"""Writing files pcplan creates: atomically, never over a case file, never inside .git.

A report, rendered plan or scaffolded file is written to a temporary file in the
same folder and renamed over the target, so an interrupted run leaves the
previous file intact.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Callable, IO

from .walk import YAML_SUFFIXES

# Control characters (a terminal runs ESC sequences: clear the screen, set the title, write the
# clipboard) and bidirectional overrides (text that displays in another order than it reads).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text from a case file as a terminal may show it: every control character becomes U+FFFD."""
    return _UNPRINTABLE.sub("\ufffd", text)


class OutputError(Exception):
    """The output cannot be written where asked; the CLI exits with 2."""


def inside_git(path: Path) -> bool:
    """Whether ``path`` (resolved) is in a .git folder; .GIT is .git on macOS and Windows."""
    return any(part.casefold() == ".git" for part in path.resolve().parts)


def check_target(path: Path, overwrite: bool, may_replace_yaml: bool = False) -> Path:
    target = path.resolve()
    if inside_git(target):
        raise OutputError(f"{path}: refusing to write inside a .git folder")
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; name a file")
    if target.exists() and not target.is_file():
        return target  # a device or pipe: written in place, nothing to overwrite
    if target.exists():
        if target.suffix in YAML_SUFFIXES and not may_replace_yaml:
            raise OutputError(f"{path}: exists and may be a case file; pcplan never writes over one")
        if not overwrite:
            raise OutputError(f"{path}: exists; use --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: the folder {target.parent} does not exist")
    return target


def write_atomically(path: Path, produce: Callable[[IO], None], overwrite: bool = False,
                     binary: bool = False) -> Path:
    """Call ``produce(stream)`` into a temporary file, then rename it to ``path``.

    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``,
    a named pipe) is written directly: renaming over it would replace the device.
    """
    target = check_target(path, overwrite)
    if target.exists() and not target.is_file():
        with open(target, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as stream:
            produce(stream)
        return target
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": "\n"})) as stream:
            produce(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, _mode_for(target))  # mkstemp makes 0600; give the file its normal mode
        if overwrite:
            os.replace(temp_name, target)
        else:
            _rename_new(temp_name, target, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    return target


def _rename_new(temp_name: str, target: Path, shown: Path) -> None:
    """Rename without replacing: a file that appeared since ``check_target`` (another pcplan, an editor) is kept.

    A hard link fails if the name is taken, atomically; where the file system has no hard links,
    look once more and rename (the window is then a few microseconds, not the whole write).
    """
    try:
        os.link(temp_name, target)
    except FileExistsError:
        raise OutputError(f"{shown}: exists (it appeared while pcplan was writing); use --force to replace it") \
            from None
    except OSError:
        if os.path.lexists(target):
            raise OutputError(f"{shown}: exists (it appeared while pcplan was writing); use --force to replace "
                              "it") from None
        os.replace(temp_name, target)
        return
    os.unlink(temp_name)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
