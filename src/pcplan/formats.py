"""Which format a command writes: `-f` if given, else what the `-o` file's extension says, else the default.

Every command that writes a format decides through `choose`, so `-o due.ics`,
`-o report.html` and `-o findings.sarif` mean the same thing everywhere, and a
name that contradicts `-f` (`-f json -o plan.pdf`) is a usage error, not a
mislabelled file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# What a file with this extension can hold, the preferred format first. SARIF is JSON, so a
# `.json` file may hold it; `.txt` holds any of the plain-text formats.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".json": ("json", "sarif"),
    ".sarif": ("sarif",),
    ".sarif.json": ("sarif",),
    ".xml": ("junit",),
    ".csv": ("csv",),
    ".ics": ("ics",),
    ".html": ("html",),
    ".htm": ("html",),
    ".pdf": ("pdf",),
    ".md": ("md",),
    ".markdown": ("md",),
    ".txt": ("concise", "full", "github", "table", "text"),
}


class FormatError(ValueError):
    """`-f` and `-o` disagree, or `-o` names a kind of file the command cannot write; exit 2."""


@dataclass(frozen=True)
class Formats:
    """The formats one command writes."""

    command: str  # as the user types it: "check", "rule"
    choices: tuple[str, ...]
    extensions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # this command's own additions

    def holds(self, suffix: str) -> tuple[str, ...] | None:
        """The formats a file with this suffix can hold, or None for a suffix that names no format."""
        return self.extensions.get(suffix, EXTENSIONS.get(suffix))


def suffix(path: Path) -> str:
    """``report.sarif.json`` → ``.sarif.json`` when that is a known extension, else the last suffix, lowercased."""
    double = "".join(path.suffixes[-2:]).lower()
    return double if double in EXTENSIONS else path.suffix.lower()


def choose(formats: Formats, asked: str | None, output: Path | None, default: str) -> str:
    """The format to write: ``asked`` (-f), checked against ``output``'s extension; else the extension's; else
    ``default``.

    An ``output`` that is an existing folder (render writes its default name there) has no extension to follow.
    """
    if output is None or os.path.isdir(output):  # (never raises: a name too long is refused when written)
        return asked or default
    ext = suffix(output)
    held = formats.holds(ext)
    if held is None:  # an extension that names no format (`.log`, none at all): it decides nothing
        return asked or default
    usable = tuple(fmt for fmt in held if fmt in formats.choices)
    if asked is not None:
        if asked not in held:
            raise FormatError(f"{output}: the file name says {_listed(usable or held)} ({ext}), but "
                              f"--output-format is {asked}; change the name or the format")
        return asked
    if not usable:
        raise FormatError(f"{output}: `pcplan {formats.command}` cannot write a {ext} file; it writes "
                          f"{_listed(formats.choices)} (choose one with -f/--output-format)")
    return usable[0]


def _listed(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
