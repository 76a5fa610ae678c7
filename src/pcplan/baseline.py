"""Baselines: adopt pcplan on years of records and block only new problems.

A baseline records today's findings keyed on member, file (from the repository
root), code and data path — not line numbers, which move with every edit. A
key seen N times in the baseline hides up to N findings with that key, so a
second identical problem in the same place still shows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .findings import Finding

VERSION = 1


class BaselineError(Exception):
    pass


def key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.member or "", finding.repo_path, finding.code, finding.dotted_path)


def baseline_document(findings: list[Finding]) -> dict:
    counts = Counter(key(f) for f in findings)
    entries = [{"member": m or None, "file": path, "code": code, "data_path": data_path, "count": n}
               for (m, path, code, data_path), n in sorted(counts.items())]
    return {"version": VERSION, "findings": entries}


def write(stream, findings: list[Finding]) -> None:
    json.dump(baseline_document(findings), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def load(path: Path) -> Counter:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a pcplan baseline (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION \
            or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a pcplan baseline (expected version {VERSION} with a findings list)")
    counts: Counter = Counter()
    for index, entry in enumerate(document["findings"]):
        try:
            counts[(entry["member"] or "", entry["file"], entry["code"], entry["data_path"])] += int(entry["count"])
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: entry {index + 1} of `findings` is not a baseline entry") from None
    return counts


def subtract(findings: list[Finding], baseline: Counter) -> tuple[list[Finding], int]:
    """The findings not covered by the baseline, and how many were covered."""
    remaining = Counter(baseline)
    kept, hidden = [], 0
    for finding in findings:
        k = key(finding)
        if remaining[k] > 0:
            remaining[k] -= 1
            hidden += 1
        else:
            kept.append(finding)
    return kept, hidden
