"""Writing files pcplan creates: atomically, never over a case file, never inside a git directory, never
through a planted link.

A report, rendered plan or scaffolded file is written to a temporary file in the
same folder (``.pcplan-tmp-<pid>-…``) and renamed over the target, so an
interrupted run leaves the previous file intact; the temporary file is removed
on an exception or a signal, and one left by a killed run is removed by the next
write into that folder. An existing file is replaced only when the caller passes
``overwrite`` (the command's ``--force``), and a YAML file never. A git
directory is recognised by its content (``HEAD``, ``objects/``, ``refs/``), not
only by the name ``.git``, at the target or any folder above it.

Links (:func:`refuse_links`): the target itself is never a symbolic link, dangling or not, even with
``--force`` (only the names the system gives a process's own streams, ``/dev/stdout`` and the like, are
written through); a folder on the way that is a link a repository holds (at or below a folder with
pcplan.toml, else .git) and that leads outside that repository is refused, so a committed link cannot
send a plan or an export elsewhere; a folder the user names outside any repository is the user's choice.
Files pcplan makes inside a repository (``new``, ``init``: the ``within`` argument) go only through the
repository's own folders: no link at all between its root and the file.

Faults (a full disk, ``/dev/full``, a name too long, no permission) are an :class:`OutputError` naming
the path and the reason, after the temporary file is removed: the CLI prints it as one line and exits 2.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, Any

from .shown import visible
from .walk import YAML_SUFFIXES

try:
    import fcntl
except ImportError:  # Windows: no flock; a temporary file is then judged by its process and its age
    fcntl = None  # type: ignore[assignment]



def terminal_safe(text: str) -> str:
    """Text from a case file as a terminal may show it: control characters (a terminal runs ESC sequences:
    clear the screen, set the title, write the clipboard, make a link), bidirectional overrides (text that
    displays in another order than it reads), zero-width characters and line separators shown escaped
    (``\\x1b``, ``\\u202e``). The one rule for every format: :func:`pcplan.shown.visible`."""
    return visible(text)


class OutputError(Exception):
    """The output cannot be written where asked; the CLI exits with 2."""


STDOUT = "-"  # `-o -`: standard output, for every command that has -o/--output (DESIGN.md §4)


def is_stdout(path: Path | str | None) -> bool:
    """Whether an ``-o/--output`` value names standard output: ``-``, the one test every command makes.
    (A file named ``-`` is written by a longer name for it, such as ``$PWD/-``.)"""
    return path is not None and os.fspath(path) == STDOUT


def to_stdout(content: str | bytes) -> None:
    """Write ``content`` to standard output: text as text, bytes (a PDF) to the stream's bytes, after the text
    already written to it."""
    if isinstance(content, str):
        sys.stdout.write(content)
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        raise OutputError("standard output: cannot take bytes here; write the PDF to a file with -o FILE")
    buffer.write(content)
    buffer.flush()


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 warning``, ``2 warnings``, ``0 files``: a count and its noun, in the right number (English; the
    printed plan uses its catalogues' ngettext). ``many``: an irregular plural (``"entries"``, ``"info"``)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


# What a write fault means, in words; any other error is said as the system says it.
_REASONS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than the file system allows",
    errno.ENAMETOOLONG: "the name is too long for the file system (at most 255 bytes a name on most)",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files in the system",
    errno.EIO: "input/output error",
    errno.ETXTBSY: "the file is busy",
}


def describe(exc: OSError) -> str:
    """An OSError's reason in a few words, without the path (the message names it once, escaped)."""
    reason = _REASONS.get(exc.errno) if exc.errno is not None else None
    return reason or (exc.strerror or type(exc).__name__)


def write_fault(path: Path | str, exc: OSError) -> OutputError:
    """The OutputError for a write to ``path`` that failed with ``exc``: one line, the path and the reason.
    An error about another file (a template read while the output was produced) names that file."""
    other = exc.filename if isinstance(exc.filename, str) else None
    if other and os.path.basename(other).startswith(TEMP_PREFIX):
        other = None  # the temporary file is pcplan's own business: the target is what was asked for
    if other and os.path.abspath(other) != os.path.abspath(os.fspath(path)):
        return OutputError(f"{visible(other)}: {describe(exc)}")
    return OutputError(f"{visible(path)}: cannot write: {describe(exc)}")


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


def check_target(path: Path, overwrite: bool, may_replace_yaml: bool = False, *,
                 within: Path | None = None) -> Path:
    """Where ``path`` is written (resolved), or an OutputError saying why it must not be, before any work:
    inside a git directory, through a planted link (:func:`refuse_links`; ``within``: the repository the
    file is made in), a folder, a disk device, an existing file without ``overwrite`` (a YAML file never),
    a missing folder, or a name the file system cannot take."""
    shown = visible(path)
    if is_stdout(path):  # every command turns `-o -` into standard output first; a file named "-" is never made
        raise OutputError("-: means standard output, and this output is a file; name a file")
    try:
        refuse_git(path)
        if system_stream(path):
            return path  # /dev/stdout and the like: written in place (write_atomically)
        refuse_links(path, within=within)
        target = path.resolve()
        try:
            info = os.stat(target)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{shown}: is a folder; name a file")
        if info is not None and stat.S_ISBLK(info.st_mode):
            raise OutputError(f"{shown}: is a disk device; pcplan never writes to one")
        if info is not None and not stat.S_ISREG(info.st_mode):
            return target  # a terminal, /dev/null or a pipe: written in place, nothing to overwrite
        if info is not None:
            if target.suffix in YAML_SUFFIXES and not may_replace_yaml:
                raise OutputError(f"{shown}: exists and may be a case file; pcplan never writes over one")
            if not overwrite:
                raise OutputError(f"{shown}: exists; use --force to replace it")
        if not os.path.isdir(target.parent):
            raise OutputError(f"{shown}: the folder {visible(target.parent)} does not exist")
        _name_fits(target)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {describe(exc)}") from None
    return target


def _name_fits(target: Path) -> None:
    """Raise ENAMETOOLONG now, before the work, for a name the folder's file system cannot hold (the
    temporary file's name is shorter, so the rename at the end would be the first to fail)."""
    try:
        limit = os.pathconf(target.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not POSIX, or the system does not say
        limit = 255
    if len(os.fsencode(target.name)) > limit:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(target))


def system_stream(path: Path | str) -> bool:
    """Whether ``path`` is a name the system gives a process's own streams or devices (``/dev/stdout``,
    ``/dev/fd/1``, ``/proc/self/fd/1``): an existing name under /dev or /proc, as typed. Such a name is a
    link pcplan writes through, in place: it is never inside a repository, so never a planted one."""
    if os.name == "nt":
        return False
    typed = os.path.abspath(os.fspath(path))
    if not (typed.startswith(("/dev/", "/proc/")) and os.path.islink(typed)):
        return False
    try:
        mode = os.stat(typed).st_mode
    except (OSError, ValueError):
        return False
    # a stream: a terminal, a pipe, a socket, or the file the shell redirected it to; never a disk or a folder
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISREG(mode)


def refuse_links(path: Path, within: Path | None = None, shown: str | None = None) -> None:
    """Raise OutputError when writing ``path`` would go through a symbolic link pcplan must not follow:
    ``path`` itself a link (dangling or not); a folder on the way a link held by a repository (a folder
    with pcplan.toml, else .git, at or above the link) that leads outside it; with ``within`` (the
    repository a scaffold writes into), any link between ``within`` and ``path``. ``shown``: the path as the
    message names it (default: as given)."""
    problem = _link_problem(path, within, folder=False)
    if problem:
        raise OutputError(f"{shown if shown is not None else visible(path)}: {problem}")


def make_folders(folder: Path, within: Path | None = None) -> list[Path]:
    """Create ``folder`` and any missing folder above it, checked as a target's folders are: never inside a
    git directory, never through a link :func:`refuse_links` refuses; an OutputError otherwise. The folders
    made, outermost first (a caller whose write then fails removes them: :func:`remove_empty`)."""
    shown = visible(folder)
    refuse_git(folder)
    problem = _link_problem(folder, within, folder=True)
    if problem:
        raise OutputError(f"{shown}: {problem}")
    missing = []
    try:
        step = Path(os.path.abspath(folder))
        while not os.path.lexists(step) and step.parent != step:
            missing.append(step)
            step = step.parent
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{shown}: exists and is not a folder") from None
    except OSError as exc:
        remove_empty(missing[::-1])
        raise OutputError(f"{shown}: cannot create the folder: {describe(exc)}") from None
    return missing[::-1]


def remove_empty(folders: list[Path]) -> None:
    """Remove the folders :func:`make_folders` made, innermost first, each only if it is still empty."""
    for made in reversed(folders):
        try:
            os.rmdir(made)
        except OSError:
            return


def links_out(path: Path, cwd: Path | None = None) -> str | None:
    """Why going through ``path`` (relative to ``cwd``) would leave its repository by a link the repository
    holds, ``path`` itself included (a member folder that is a link to elsewhere); None when it would not.
    For a path named to find where to write (``pcplan new note PATH``), before it is resolved."""
    return _link_problem(path, None, folder=True, cwd=cwd)


def _link_problem(path: Path, within: Path | None, folder: bool, cwd: Path | None = None) -> str | None:
    """Why ``path`` must not be written through (see :func:`refuse_links`), or None. ``folder``: every part
    of ``path`` is a folder to pass through (:func:`make_folders`), the last one included.

    The path is followed part by part as the system follows it (``..`` after a link goes up from where the
    link leads), so what is checked is where the write would go."""
    typed = Path(os.fspath(path))
    parts = (typed if typed.is_absolute() else (cwd or Path.cwd()) / typed).parts  # cwd: a real path
    before = len(parts) - len(typed.parts)  # parts of the current folder, not typed
    base = Path(os.path.realpath(within)) if within is not None else None
    current = Path(parts[0])
    last = len(parts) if folder else len(parts) - 1
    for index in range(1, last):
        name = parts[index]
        if name == "..":
            current = current.parent
            continue
        step = current / name
        if not os.path.islink(step):
            current = step
            continue
        shown = visible(Path(*typed.parts[:index - before + 1]) if index >= before else step)
        if base is not None and _under(step, base) and step != base:
            return (f"the folder {shown} is a symbolic link; pcplan writes into a repository only through its own "
                    "folders (replace the link with the folder itself)")
        leads = Path(os.path.realpath(step))
        holder = _repository_holding(current)
        if holder is not None and not _under(leads, holder):
            return (f"the folder {shown} is a symbolic link out of the repository; pcplan never writes through one "
                    "(name the folder it leads to yourself, or remove the link)")
        current = leads
    if not folder and len(parts) > 1 and os.path.islink(current / parts[-1]):
        return ("is a symbolic link; pcplan never writes through one, even with --force (remove the link, or name "
                "another file)")
    return None


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _repository_holding(folder: Path) -> Path | None:
    """The repository ``folder`` (a real path) is in, as pcplan finds a root: the nearest folder at or above
    it with pcplan.toml, else with .git; None outside any."""
    chain = (folder, *folder.parents)
    for candidate in chain:
        if os.path.isfile(candidate / "pcplan.toml"):
            return candidate
    for candidate in chain:
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


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
    """Remove temporary files in ``folder`` left by pcplan runs that were killed; the names removed.

    A run holds a lock on its temporary file (``flock``) from making it until the rename; the system lets go of
    it when the process ends, however it ends (kill -9 included). So a file whose process is not running here
    and whose lock is free is left over, whatever its age, and goes at the next write into the folder, as
    promised. A run on another machine sharing the folder holds its lock there too, so its file is kept. On a
    file system without locks, a left-over file goes once it is older than STALE_AFTER_SECONDS.
    """
    removed = []
    now = time.time()
    try:
        with os.scandir(folder) as entries:  # one entry at a time: a folder of any size costs no memory
            for entry in entries:
                found = _TEMP_NAME.match(entry.name)
                if found is None:
                    continue
                pid = int(found.group(1))
                if pid == os.getpid() or _process_alive(pid):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and _remove_if_abandoned(entry.path, info, now):
                        removed.append(entry.name)
                except OSError:
                    pass
    except OSError:
        pass
    return removed


def _remove_if_abandoned(path: str, info: os.stat_result, now: float) -> bool:
    """Remove the temporary file ``path`` (whose process is not running here) when no run holds its lock."""
    if fcntl is None:
        return _remove_if_old(path, info, now)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not os.path.samestat(os.fstat(fd), info):
            return False  # replaced since the folder was read: look again at the next write
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a run (here or on another machine) is writing it
        except OSError:  # no locks on this file system (some network shares)
            return _remove_if_old(path, info, now)
        # Removed while the lock is held: a run that made this name in this instant finds its file gone when it
        # takes the lock, and makes another (_open_temporary).
        os.unlink(path)
        return True
    finally:
        os.close(fd)


def _remove_if_old(path: str, info: os.stat_result, now: float) -> bool:
    if now - info.st_mtime < STALE_AFTER_SECONDS:
        return False  # on a shared folder, maybe another machine's run still writing it
    os.unlink(path)
    return True


def _on_signal(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - the signal module's signature
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
def _removed_on_signals() -> Iterator[_Registry]:
    """While the block runs, SIGTERM and SIGHUP remove the temporary files added to the set it gives, then end
    the run as the signal would have (SIGINT raises KeyboardInterrupt, which the caller's ``except``
    handles). Only where the signal does what it does by default: a handler someone else installed is left
    to do its work."""
    installed: dict[int, signal.Handlers] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) == signal.SIG_DFL:
                try:
                    signal.signal(number, _on_signal)
                    installed[number] = signal.SIG_DFL
                except (ValueError, OSError):
                    pass
    mine: set[str] = set()
    try:
        yield _Registry(mine)
    finally:
        _LIVE_TEMPORARIES.difference_update(mine)
        for number, handler in installed.items():
            signal.signal(number, handler)


class _Registry:
    def __init__(self, mine: set[str]) -> None:
        self.mine = mine

    def add(self, name: str) -> None:
        self.mine.add(name)
        _LIVE_TEMPORARIES.add(name)


def _open_temporary(target: Path, binary: bool) -> tuple[IO, str, int | None]:
    """A new temporary file beside ``target``, locked (see remove_stale_temporaries): the stream, its name and
    the descriptor that holds the lock until the rename (None where the file system has no locks)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp_name = str(target.parent / temporary_name(target))
        try:
            fd = os.open(temp_name, flags, 0o600)
        except FileExistsError:
            continue
        lock = _hold(fd, temp_name)
        if lock is False:  # another run took it for a left-over between our open and our lock: a new name
            os.close(fd)
            continue
        try:
            stream: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        except BaseException:
            os.close(fd)
            _let_go(lock)
            raise
        return stream, temp_name, lock
    raise OutputError(f"{visible(target)}: cannot make a temporary file beside it")


def _hold(fd: int, name: str) -> int | bool | None:
    """Lock the new temporary file: a descriptor holding the lock past the stream's close; None without locks;
    False when the name no longer leads to our file (a cleaner removed it before we held the lock)."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a cleaner holds it an instant at most
    except OSError:
        return None
    try:
        ours = os.path.samestat(os.fstat(fd), os.stat(name, follow_symlinks=False))
    except OSError:
        ours = False
    return os.dup(fd) if ours else False


def _device(target: Path) -> bool:
    """Whether ``target`` exists and is not a regular file (check_target let through only terminals, /dev/null,
    pipes and the like)."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


def _let_go(lock: int | bool | None) -> None:
    if isinstance(lock, int) and not isinstance(lock, bool):
        try:
            os.close(lock)
        except OSError:
            pass


def write_atomically(path: Path, produce: Callable[[IO[Any]], object], overwrite: bool = False,
                     binary: bool = False, *, within: Path | None = None, may_replace_yaml: bool = False,
                     unchanged_from: bytes | None = None) -> Path:
    """Call ``produce(stream)`` into a temporary file, then rename it to ``path``.

    A target that exists and is not a regular file (``/dev/null``, a terminal, a named pipe, and the system's
    names for the process's streams such as ``/dev/stdout``) is written directly: renaming over it would
    replace the device. The temporary file never outlives the call, whatever ends it (see ``TEMP_PREFIX``).
    ``within``: the repository a file is made in (``new``, ``init``): no link between its root and ``path``.
    A fault while writing (a full disk, a name too long) is an OutputError naming ``path`` and the reason.
    ``may_replace_yaml`` with ``unchanged_from``: a case file changed at a person's request (``new hold`` …),
    replaced only if it still holds the bytes the change was made from (an editor may have saved meanwhile).
    """
    target = check_target(path, overwrite, may_replace_yaml, within=within)
    if system_stream(path) or _device(target):
        try:
            with open(target, "wb") if binary else open(target, "w", encoding="utf-8") as direct:
                produce(direct)
        except OSError as exc:
            raise write_fault(path, exc) from None
        return target
    remove_stale_temporaries(target.parent)
    with _removed_on_signals() as live:  # the handlers first, then the file they look after
        try:
            stream, temp_name, lock = _open_temporary(target, binary)
        except OSError as exc:
            raise write_fault(path, exc) from None
        live.add(temp_name)
        try:
            with stream:
                produce(stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, _mode_for(target))  # made 0600; give the file its normal mode
            if unchanged_from is not None and target.read_bytes() != unchanged_from:
                raise OutputError(f"{visible(path)}: changed while pcplan was working; nothing written, run the "
                                  "command again")
            if overwrite:
                os.replace(temp_name, target)
            else:
                _rename_new(temp_name, target, path)
        except BaseException as exc:
            try:
                os.unlink(temp_name)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise write_fault(path, exc) from None
            raise
        finally:
            _let_go(lock)
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
