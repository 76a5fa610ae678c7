"""Baselines: adopt pcplan on years of records and block only new problems.

A baseline records today's findings keyed on member, file (from the repository
root), code and data path — not line numbers, which move with every edit. A
finding with related locations adds them to its data path (``goals
(members/M-000123/assessment-2026-08-20.yaml: needs[3])``). A
key seen N times in the baseline hides up to N findings with that key, so a
second identical problem in the same place still shows.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from .codes import redirected
from .findings import Finding, FindingStore
from .shown import key_path

VERSION = 1
# A baseline entry is ~170 bytes: 256 MB holds ~1.5 million, enough for a statewide agency adopting pcplan
# on years of records, and still far below what would exhaust memory. A committed file is input like any other.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


class BaselineError(Exception):
    pass


def key(finding: Finding) -> tuple[str, str, str, str]:
    """(member, file, code, data path); a finding about a second place too (the plan's L103 about the
    assessment's need) adds that place to the data path, so two needs a plan leaves out stay two keys.

    A file or folder name that does not look like a name (words, control characters, bytes that are not
    UTF-8) is hashed (pcplan.shown.key_path): a baseline is a file pcplan writes, and holds no member text."""
    data_path = finding.dotted_path + "".join(f" ({key_path(r.repo_path)}: {r.dotted_path})" for r in finding.related)
    return (finding.member or "", key_path(finding.repo_path), finding.code, data_path)


def baseline_document(findings: Iterable[Finding]) -> dict:
    # A key per distinct finding is held while counting: the file written holds as many entries anyway.
    counts = Counter(key(f) for f in findings)
    entries = [{"member": m or None, "file": path, "code": code, "data_path": data_path, "count": n}
               for (m, path, code, data_path), n in sorted(counts.items())]
    return {"version": VERSION, "findings": entries}


def write(stream: IO[str], findings: Iterable[Finding]) -> None:
    json.dump(baseline_document(findings), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def _read(path: Path) -> bytes:
    """The baseline's bytes: a regular file within the size limit (never a pipe, a device or a folder)."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise BaselineError(f"{path}: not a regular file ({kind}); a baseline is the JSON file "
                                "`--write-baseline` writes")
        chunks, size = [], 0
        while size <= MAX_BASELINE_BYTES:  # never more than the limit, even if the file grows while we read
            chunk = os.read(fd, min(MAX_BASELINE_BYTES + 1 - size, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: the baseline is over the {MAX_BASELINE_BYTES:,}-byte limit; write one "
                            "baseline per part of the repository (`pcplan check PART --write-baseline FILE`)")
    return b"".join(chunks)


def load(path: Path) -> Counter:
    raw = _read(path)
    try:
        document = json.loads(raw.decode("utf-8"))
    except RecursionError:  # JSON nested thousands deep; a baseline is three levels deep
        raise BaselineError(f"{path}: not a pcplan baseline (JSON nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a pcplan baseline (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION \
            or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a pcplan baseline (expected version {VERSION} with a findings list)")
    counts: Counter = Counter()
    for index, entry in enumerate(document["findings"]):
        try:
            key = (entry["member"] or "", entry["file"], redirected(entry["code"]), entry["data_path"])  # codes.py
            counts[key] += int(entry["count"])
        except (KeyError, TypeError, ValueError, OverflowError):
            raise BaselineError(f"{path}: entry {index + 1} of `findings` is not a baseline entry") from None
    return counts


def subtract(findings: Iterable[Finding], baseline: Counter) -> tuple[FindingStore, int]:
    """The findings not covered by the baseline, and how many were covered (read in the order shown)."""
    remaining = Counter(baseline)
    kept, hidden = FindingStore(), 0  # a store like the check's: spilled, not held whole, at scale
    for finding in findings:
        k = key(finding)
        if remaining[k] > 0:
            remaining[k] -= 1
            hidden += 1
        else:
            kept.append(finding)
    return kept, hidden
