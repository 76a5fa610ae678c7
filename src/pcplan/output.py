"""Writing files pcplan creates: atomically, never over a case file, never inside a git directory.

A report, rendered plan or scaffolded file is written to a temporary file in the
same folder (``.pcplan-tmp-<pid>-…``) and renamed over the target, so an
interrupted run leaves the previous file intact; the temporary file is removed
on an exception or a signal, and one left by a killed run is removed by the next
write into that folder. An existing file is replaced only when the caller passes
``overwrite`` (the command's ``--force``), and a YAML file never. A git
directory is recognised by its content (``HEAD``, ``objects/``, ``refs/``), not
only by the name ``.git``, at the target or any folder above it.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import stat
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

from .shown import visible
from .walk import YAML_SUFFIXES



def terminal_safe(text: str) -> str:
    """Text from a case file as a terminal may show it: control characters (a terminal runs ESC sequences:
    clear the screen, set the title, write the clipboard, make a link), bidirectional overrides (text that
    displays in another order than it reads), zero-width characters and line separators shown escaped
    (``\\x1b``, ``\\u202e``). The one rule for every format: :func:`pcplan.shown.visible`."""
    return visible(text)


class OutputError(Exception):
    """The output cannot be written where asked; the CLI exits with 2."""


def is_git_dir(folder: Path) -> bool:
    """Whether ``folder`` is a git directory, by what it holds rather than its name: ``HEAD`` with ``objects/``
    and ``refs/`` (a work tree's ``.git``, a bare ``x.git``, a ``--separate-git-dir`` target), or ``HEAD``
    with ``commondir`` (a linked work tree's git directory)."""
    try:
        if not (folder / "HEAD").is_file():
            return False
        return ((folder / "objects").is_dir() and (folder / "refs").is_dir()) or (folder / "commondir").is_file()
    except OSError:
        return False


def git_dir_above(path: Path) -> Path | None:
    """The git directory ``path`` (resolved) is in or is, if any: a folder named .git (.GIT is .git on macOS and
    Windows) or one that holds a repository (:func:`is_git_dir`), at ``path`` or any folder above it."""
    target = path.resolve()
    for folder in (target, *target.parents):
        if folder.name.casefold() == ".git" or is_git_dir(folder):
            return folder
    return None


def inside_git(path: Path) -> bool:
    """Whether ``path`` is inside a git directory (or is one); pcplan never writes there."""
    return git_dir_above(path) is not None


def refuse_git(path: Path) -> None:
    """Raise OutputError when ``path`` is inside a git directory."""
    folder = git_dir_above(path)
    if folder is not None:
        why = "" if folder.name.casefold() == ".git" else f" ({visible(folder.name)} holds a git repository)"
        raise OutputError(f"{visible(path)}: refusing to write inside a .git folder{why}")


def check_target(path: Path, overwrite: bool, may_replace_yaml: bool = False) -> Path:
    target = path.resolve()
    refuse_git(path)
    shown = visible(path)
    if target.is_dir():
        raise OutputError(f"{shown}: is a folder; name a file")
    if target.exists() and not target.is_file():
        return target  # a device or pipe: written in place, nothing to overwrite
    if target.exists():
        if target.suffix in YAML_SUFFIXES and not may_replace_yaml:
            raise OutputError(f"{shown}: exists and may be a case file; pcplan never writes over one")
        if not overwrite:
            raise OutputError(f"{shown}: exists; use --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"{shown}: the folder {visible(target.parent)} does not exist")
    return target


# Temporary files: ``.pcplan-tmp-<pid>-<random>-<name>`` beside the target, so that one left by a run that was
# killed (kill -9, a power cut) is recognisable: a later write into the same folder removes it once its
# process is gone. One may hold a member's words (a rendered plan), so none is left behind on purpose:
# an exception, SIGINT, SIGTERM or SIGHUP removes it before the run ends.
TEMP_PREFIX = ".pcplan-tmp-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"([0-9]{1,10})-")
STALE_AFTER_SECONDS = 60  # and older than this: on a shared folder, another machine's live pid is not ours to see
_LIVE_TEMPORARIES: set[str] = set()


def temporary_name(target: Path) -> str:
    """``.pcplan-tmp-<pid>-<random>-<name>``; the target's name cut to 100 bytes (names are at most 255)."""
    name, size = [], 0
    for char in target.name:
        size += len(char.encode("utf-8", "surrogateescape"))
        if size > 100:
            break
        name.append(char)
    return f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{''.join(name)}"


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: assume alive, never remove
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process, or not a pid we can ask about: leave its file alone
    return True


def remove_stale_temporaries(folder: Path) -> list[str]:
    """Remove temporary files in ``folder`` left by pcplan runs that were killed; the names removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        found = _TEMP_NAME.match(entry.name)
        if found is None:
            continue
        pid = int(found.group(1))
        if pid == os.getpid() or _process_alive(pid):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER_SECONDS:
                continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass
    return removed


def _on_signal(signum, frame) -> None:  # noqa: ARG001 - the signal module's signature
    """SIGTERM or SIGHUP while a temporary file exists: remove it, then end as the signal would have."""
    for name in list(_LIVE_TEMPORARIES):
        try:
            os.unlink(name)
        except OSError:
            pass
    _LIVE_TEMPORARIES.clear()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextmanager
def _removed_on_signals() -> Iterator[set]:
    """While the block runs, SIGTERM and SIGHUP remove the temporary files added to the set it gives, then end
    the run as the signal would have (SIGINT raises KeyboardInterrupt, which the caller's ``except``
    handles). Only where the signal does what it does by default: a handler someone else installed is left
    to do its work."""
    installed = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) == signal.SIG_DFL:
                try:
                    signal.signal(number, _on_signal)
                    installed[number] = signal.SIG_DFL
                except (ValueError, OSError):
                    pass
    mine: set = set()
    try:
        yield _Registry(mine)
    finally:
        _LIVE_TEMPORARIES.difference_update(mine)
        for number, handler in installed.items():
            signal.signal(number, handler)


class _Registry:
    def __init__(self, mine: set) -> None:
        self.mine = mine

    def add(self, name: str) -> None:
        self.mine.add(name)
        _LIVE_TEMPORARIES.add(name)


def _open_temporary(target: Path, binary: bool) -> tuple[IO, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp_name = str(target.parent / temporary_name(target))
        try:
            fd = os.open(temp_name, flags, 0o600)
        except FileExistsError:
            continue
        return os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": "\n"})), \
            temp_name
    raise OutputError(f"{visible(target)}: cannot make a temporary file beside it")


def write_atomically(path: Path, produce: Callable[[IO], None], overwrite: bool = False,
                     binary: bool = False) -> Path:
    """Call ``produce(stream)`` into a temporary file, then rename it to ``path``.

    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``,
    a named pipe) is written directly: renaming over it would replace the device.
    The temporary file never outlives the call, whatever ends it (see ``TEMP_PREFIX``).
    """
    target = check_target(path, overwrite)
    if target.exists() and not target.is_file():
        with open(target, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as stream:
            produce(stream)
        return target
    remove_stale_temporaries(target.parent)
    with _removed_on_signals() as live:  # the handlers first, then the file they look after
        stream, temp_name = _open_temporary(target, binary)
        live.add(temp_name)
        try:
            with stream:
                produce(stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, _mode_for(target))  # made 0600; give the file its normal mode
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
        raise OutputError(f"{visible(shown)}: exists (it appeared while pcplan was writing); use --force to replace "
                          "it") from None
    except OSError:
        if os.path.lexists(target):
            raise OutputError(f"{visible(shown)}: exists (it appeared while pcplan was writing); use --force to "
                              "replace it") from None
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
