"""The pcplan wheel a case repository keeps, so CI and every computer install the same pcplan without an index.

pcplan is not on the Python package index: a fresh CI runner cannot `pip install pcplan`. `pcplan init`
writes ``.pcplan/pcplan-VERSION-py3-none-any.whl`` (:data:`WHEEL_PATH`), the pcplan that ran it, and the
workflow installs that file. It is made from the installation itself: the files its ``RECORD`` lists
(the package and its metadata), each checked against the hash recorded when it was installed, zipped in a
fixed order with fixed times, so one pcplan always gives the same bytes. An editable install (a developer's
source folder) records only its metadata: its package is taken as it is in the source folder, with the
schemas and templates the build maps into it (pyproject.toml's ``force-include``), as the running pcplan
finds them (:func:`pcplan.resources.data_dir`).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import __version__

WHEEL_NAME = f"pcplan-{__version__}-py3-none-any.whl"
WHEEL_PATH = f".pcplan/{WHEEL_NAME}"
_DIST_INFO = f"pcplan-{__version__}.dist-info"
_LEFT_OUT = {f"{_DIST_INFO}/{name}" for name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")}
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip holds: the same bytes whenever the wheel is made


class NoWheel(Exception):
    """Why the running pcplan cannot be packed as a wheel."""


def build_command(folder: str) -> str:
    """The documented command that builds the wheel into ``folder`` from pcplan's source (a folder, a git URL)."""
    return f"python -m pip wheel --no-deps -w {folder} <pcplan's source folder or git URL>"


@lru_cache(maxsize=1)
def installed_wheel() -> bytes:
    """The running pcplan as a wheel; :class:`NoWheel` when its installation cannot give one."""
    try:
        dist = metadata.distribution("pcplan")
    except metadata.PackageNotFoundError:
        raise NoWheel("pcplan's installation has no metadata") from None
    return wheel_of(dist)


def wheel_of(dist: metadata.Distribution) -> bytes:
    """``dist`` (an installed pcplan) as wheel bytes, from the files its RECORD lists."""
    if dist.version != __version__:
        raise NoWheel(f"the installed metadata says pcplan {dist.version}, but pcplan {__version__} is running; "
                      "reinstall pcplan")
    if _editable(dist):
        contents = {**_source_files(), **_checked_files(dist, (_DIST_INFO,))}
    else:
        contents = _checked_files(dist, ("pcplan", _DIST_INFO))
    names = set(contents)
    if "pcplan/__init__.py" not in names or f"{_DIST_INFO}/METADATA" not in names \
            or f"{_DIST_INFO}/WHEEL" not in names:
        raise NoWheel("pcplan's installation lacks its package or metadata files; reinstall pcplan")
    return _zipped(contents)


def _editable(dist: metadata.Distribution) -> bool:
    """Whether ``dist`` is an editable install (as pip records it in direct_url.json)."""
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except json.JSONDecodeError:
        return False
    return isinstance(direct, dict) and isinstance(direct.get("dir_info"), dict) \
        and bool(direct["dir_info"].get("editable"))


def _source_files() -> dict[str, bytes]:
    """An editable install's package as it is in the source folder, with the schemas and templates mapped into it."""
    from ..resources import data_dir

    contents = _tree(Path(__file__).resolve().parents[1], "pcplan")
    for name in ("schemas", "templates"):
        contents.update(_tree(data_dir(name), f"pcplan/{name}"))
    return contents


def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """Path in the wheel → bytes of each file below ``folder``, without compiled files and hidden ones."""
    contents = {}
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and "__pycache__" not in parts and path.suffix != ".pyc" \
                and not any(part.startswith(".") for part in parts):
            contents[f"{prefix}/{'/'.join(parts)}"] = path.read_bytes()
    return contents


def _checked_files(dist: metadata.Distribution, tops: tuple[str, ...]) -> dict[str, bytes]:
    """Path in the wheel → bytes of each file RECORD lists below ``tops``, each as it was installed."""
    contents: dict[str, bytes] = {}
    for entry in dist.files or ():
        name = entry.as_posix()
        top = name.split("/", 1)[0]
        if top not in tops or name in _LEFT_OUT or "__pycache__" in name.split("/"):
            continue  # scripts made at install time (../bin), compiled files, the installer's own records
        try:
            data = entry.read_binary()
        except OSError as exc:
            raise NoWheel(f"cannot read pcplan's installed file {name} ({exc.strerror or exc}); reinstall pcplan") \
                from None
        if entry.hash is None or entry.hash.mode != "sha256" or entry.hash.value != _digest(data):
            raise NoWheel(f"pcplan's installed file {name} is not as it was installed; reinstall pcplan")
        contents[name] = data
    return contents


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _zipped(contents: dict[str, bytes]) -> bytes:
    """The wheel: package files, then metadata, then a RECORD of them all (the wheel format's order)."""
    ordered = sorted(contents, key=lambda name: (name.startswith(_DIST_INFO), name))
    record = io.StringIO()
    rows = csv.writer(record, lineterminator="\n")
    for name in ordered:
        rows.writerow([name, f"sha256={_digest(contents[name])}", len(contents[name])])
    rows.writerow([f"{_DIST_INFO}/RECORD", "", ""])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*((n, contents[n]) for n in ordered), (f"{_DIST_INFO}/RECORD", record.getvalue().encode())]:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
