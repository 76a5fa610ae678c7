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
* the run key: pcplan's version and a fingerprint of its own files, the
  configuration (as parsed), the staff file's content, the as-of date, and the
  rule selection (``--select``/``--ignore`` are keyed, not filtered after).

Layout: ``.pcplan_cache/`` at the repository root (or ``$PCPLAN_CACHE_DIR``),
holding ``CACHEDIR.TAG``, a ``.gitignore`` of ``*`` and ``v1/AA/REST``: one file
per member folder, named by a digest of the folder's path (and, under
``PCPLAN_CACHE_DIR``, of the repository's), and of the selection. The as-of
date and the rest of the run key are *inside* the entry, so tomorrow's run
replaces today's entry rather than adding one: the cache holds about one entry
per member folder (per selection), never one per day.

An entry is ``MAGIC``, a digest of its body, and the body as JSON (never
pickle: a damaged or planted entry can never run code). One that is truncated,
corrupted or of another format is ignored and rewritten, never trusted. Each is
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
write permission), pcplan checks without it, silently. A ``.pcplan_cache`` that
is not pcplan's (a file, a link, a folder without pcplan's tag) is never
touched: one notice on stderr, and the run goes on without a cache. It is never
placed inside a ``.git`` folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as _stat
import sys
import time
from pathlib import Path

CACHE_NAME = ".pcplan_cache"
ENV_DIR = "PCPLAN_CACHE_DIR"
FORMAT = "v1"
MAGIC = b"pcplan-cache 1\n"
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
_DIGEST = 16


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


_SOURCE: str | None = None


def source_fingerprint() -> str:
    """pcplan's version, and the name, size and modification time of each of its own files (code, schemas,
    data), the Python version and the YAML and schema libraries' versions: an edited rule in a development
    checkout invalidates the cache as a new release does."""
    global _SOURCE
    if _SOURCE is not None:
        return _SOURCE
    from . import __version__
    from .resources import data_dir

    h = hashlib.blake2b(digest_size=_DIGEST)
    h.update(f"{__version__}\0{sys.version}\0{sys.implementation.name}\n".encode())
    h.update("\0".join(_library_versions()).encode("utf-8", "surrogateescape"))
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
    jsonschema-rs), from their metadata folders' names: without importing them (jsonschema is imported
    only when a file fails validation)."""
    import yaml

    found = [f"yaml {getattr(yaml, '__version__', '?')}"]
    site = os.path.dirname(os.path.dirname(os.path.abspath(yaml.__file__)))
    try:
        names = os.listdir(site)
    except OSError:
        return found
    found += sorted(n for n in names if n.endswith(".dist-info")
                    and n.lower().replace("-", "_").startswith(("pyyaml_", "jsonschema_")))
    return found


def run_key(*parts: str) -> str:
    """The key every entry of a run must carry: a digest of ``parts`` (see the module's docstring)."""
    h = hashlib.blake2b(digest_size=_DIGEST)
    for part in (FORMAT, source_fingerprint(), *parts):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


class Cache:
    """One repository's cache for one run (one run key)."""

    def __init__(self, directory: Path, key: str, salt: str) -> None:
        self.directory = directory
        self.entries = os.path.join(str(directory), FORMAT)
        self.key = key
        self._salt = salt.encode("utf-8", "surrogateescape")
        self.writable = True
        self.selection = ""  # names entries apart by rule selection (set by the engine)
        self.now = time.time()
        self.hits = self.misses = self.refreshed = self.stored = 0

    # -- where -----------------------------------------------------------------------------------------------

    def entry_path(self, folder: str) -> str:
        address = f"{self.selection}\0{folder}".encode("utf-8", "surrogateescape")
        name = hashlib.blake2b(self._salt + address, digest_size=_DIGEST).hexdigest()
        return f"{self.entries}/{name[:2]}/{name[2:]}"

    # -- reading ---------------------------------------------------------------------------------------------

    def lookup(self, folder: str, names: list[str], paths: list[str]):
        """The payload stored for the member folder ``folder`` (its path from the repository root), if its
        run key, its file names and every file's content still match; else None."""
        where = self.entry_path(folder)
        body = self._read(where)
        if body is None:
            self.misses += 1
            return None
        try:
            key, listed, files, payload = body
            if key != self.key or listed != _names_digest(names):
                self.misses += 1
                return None
            fresh = _validate(files, paths, self.now)
        except (TypeError, ValueError, IndexError):  # a planted entry of the right shape but wrong content
            fresh = False
        if fresh is False:
            self.misses += 1
            return None
        self.hits += 1
        if fresh is not True:  # equal content under a new stat (a checkout): remember the new stat
            self.refreshed += 1
            self._write(where, [key, listed, fresh, payload])
        return payload

    def _read(self, where: str):
        try:
            fd = os.open(where, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not _stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY:
                return None
            data = os.read(fd, info.st_size + 1)
            while len(data) <= info.st_size:  # a short read (rare): read on
                more = os.read(fd, info.st_size + 1 - len(data))
                if not more:
                    break
                data += more
        except OSError:
            return None
        finally:
            os.close(fd)
        body = _unseal(data)
        if body is None:
            return None  # damaged: ignored, and replaced when this folder's work is stored again
        if self.writable and self.now - info.st_mtime > TOUCH_AFTER:
            try:
                os.utime(where)  # seen today: not evicted for another EVICT_DAYS
            except OSError:
                pass
        return body

    # -- writing ---------------------------------------------------------------------------------------------

    def store(self, folder: str, names: list[str], files: list[tuple], payload) -> None:
        """Record ``payload`` for ``folder``; ``files`` holds each file's (stat, digest) as read."""
        if not self.writable:
            return
        meta = _meta([stat for stat, _ in files], [raw for _, raw in files], time.time_ns())
        self._write(self.entry_path(folder), [self.key, _names_digest(names), meta, payload])
        self.stored += 1

    def _write(self, where: str, body) -> None:
        if not self.writable:
            return
        data = _seal(body)
        folder = os.path.dirname(where)
        temp = f"{folder}/.tmp-{os.getpid()}-{os.urandom(4).hex()}"
        for attempt in (1, 2):
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                break
            except FileNotFoundError:
                if attempt == 2 or not self._mkdir(folder):
                    return
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
            os.replace(temp, where)
        except OSError:
            self.writable = False
            try:
                os.unlink(temp)
            except OSError:
                pass

    def _mkdir(self, folder: str) -> bool:
        try:
            os.makedirs(folder, exist_ok=True)
            return True
        except OSError:
            self.writable = False
            return False

    # -- eviction --------------------------------------------------------------------------------------------

    def sweep(self, force: bool = False) -> int:
        """Remove entries unseen for EVICT_DAYS days and temporary files of runs that died; at most once a day
        (unless ``force``). Returns how many files were removed."""
        if not self.writable:
            return 0
        stamp = os.path.join(self.entries, ".swept")
        try:
            if not force and self.now - os.stat(stamp).st_mtime < SWEEP_EVERY:
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
            if not bucket.is_dir(follow_symlinks=False):
                continue
            try:
                files = list(os.scandir(bucket.path))
            except OSError:
                continue
            for entry in files:
                try:
                    info = entry.stat(follow_symlinks=False)
                    temp = entry.name.startswith(".tmp-")
                    if (temp and info.st_mtime < self.now - STALE_TEMP) or (not temp and info.st_mtime < limit):
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
        try:
            with open(stamp, "w", encoding="utf-8") as fh:
                fh.write("the last sweep of entries unseen for %d days\n" % EVICT_DAYS)
        except OSError:
            pass
        return removed


# ---------------------------------------------------------------------------------------------------------------
# Entries


def _seal(body) -> bytes:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return MAGIC + hashlib.blake2b(text, digest_size=_DIGEST).hexdigest().encode("ascii") + b"\n" + text


def _unseal(data: bytes):
    """The entry's body; None when it is not a whole, intact entry of this format."""
    head = len(MAGIC) + 2 * _DIGEST + 1
    if len(data) < head or not data.startswith(MAGIC) or data[head - 1:head] != b"\n":
        return None
    text = data[head:]
    if hashlib.blake2b(text, digest_size=_DIGEST).hexdigest().encode("ascii") != data[len(MAGIC):head - 1]:
        return None
    try:
        body = json.loads(text)
    except ValueError:
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


def _validate(meta: list, paths: list[str], now: float):
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
    for path, (size, *_) in zip(paths, stats):
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

    ``notices`` receives the one line to show when a folder in the cache's place is not pcplan's."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        directory = Path(configured).expanduser().absolute()
        salt = str(root) + "\0"  # several repositories may share it
    else:
        directory = root / CACHE_NAME
        salt = ""
    if _inside_git(directory):
        return None
    ready = _prepare(directory, external=bool(configured), notices=notices)
    return Cache(directory, key, salt) if ready else None


def _inside_git(directory: Path) -> bool:
    try:
        from .output import inside_git

        return inside_git(directory)
    except Exception:  # noqa: BLE001 - a folder we cannot judge is a folder we do not write to
        return True


def _prepare(directory: Path, external: bool, notices: list[str] | None) -> bool:
    """Whether ``directory`` is (now) pcplan's cache: made here, or holding pcplan's tag."""
    tag = directory / TAG_NAME
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        info = None
    except OSError:
        return False
    if info is not None:
        if _stat.S_ISDIR(info.st_mode):
            if _is_ours(tag):
                return True
            try:
                empty = all(_left_by_pcplan(entry) for entry in os.scandir(directory))
            except OSError:
                return False
            if empty:  # empty, or what a run killed while making it left (its .gitignore, a temporary file)
                return _adopt(directory)
        if notices is not None:
            from .shown import visible

            notices.append(f"{visible(str(directory))} is not pcplan's cache folder (no {TAG_NAME} of pcplan's); "
                           f"checking without a cache. Remove or rename it, or set {ENV_DIR}")
        return False
    parent = directory.parent
    try:
        if not external and not os.stat(parent).st_mode & _stat.S_IWUSR:
            return False  # a read-only checkout (write bits removed; root is not stopped by them): no cache
        if external:
            os.makedirs(parent, exist_ok=True)
        os.mkdir(directory)
    except FileExistsError:
        return _is_ours(tag)  # another run made it a moment ago
    except OSError:
        return False  # read-only file system, no permission: check without a cache
    return _adopt(directory)


def _adopt(directory: Path) -> bool:
    """Mark an empty folder as pcplan's cache: its tag and .gitignore, each written whole."""
    for name, text in ((".gitignore", GITIGNORE), (TAG_NAME, TAG)):
        target = directory / name
        temp = directory / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            with open(temp, "x", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(temp, target)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
            return _is_ours(directory / TAG_NAME)
    return True


def _left_by_pcplan(entry: os.DirEntry) -> bool:
    if entry.name.startswith(".tmp-"):
        return True
    if entry.name != ".gitignore" or not entry.is_file(follow_symlinks=False):
        return False
    try:
        with open(entry.path, "rb") as fh:
            return fh.read(len(GITIGNORE) + 1) == GITIGNORE.encode("utf-8")
    except OSError:
        return False


def _is_ours(tag: Path) -> bool:
    try:
        with open(tag, "rb") as fh:
            return fh.read(len(TAG) + 1) == TAG.encode("utf-8")
    except OSError:
        return False

