"""Progress on stderr while a long run checks member folders (DESIGN.md §4: "Long runs show progress on stderr in
a terminal, never in machine formats or under CI").

Shown only when all hold: stderr is a terminal, the command writes a format meant for people (`check`'s full and
concise, `report`'s table), and ``CI`` is not set. Even then a short run shows nothing: the line appears once more
than SHOW_FROM_MEMBERS member folders have been found, or the run has lasted SHOW_AFTER_SECONDS. It is one
transient line (a spinner, the member folders found so far, the time taken), erased when the run ends, before
the command writes its output; it never holds a name, only a count. No thread draws it: it is redrawn as member
folders are found, at most REDRAW_SECONDS apart, so forking the workers never copies a drawing thread.
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any

SHOW_FROM_MEMBERS = 50  # more member folders than this: show the line
SHOW_AFTER_SECONDS = 1.0  # or a run this long
REDRAW_SECONDS = 0.1


def wanted(human_format: bool) -> bool:
    """Whether this run may show progress: a format for people, stderr a terminal, ``CI`` not set."""
    if not human_format or os.environ.get("CI"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


class MemberProgress:
    """Called once per member folder found (pcplan.engine.check's ``progress``); a context manager around the run
    that erases the line at its end, however it ends."""

    def __init__(self, what: str = "checking member folders") -> None:
        self.what = what
        self.count = 0
        self._started = time.monotonic()
        self._drawn = 0.0
        self._progress: Any = None  # rich.progress.Progress, once shown
        self._task: Any = None

    def __enter__(self) -> MemberProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __call__(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self._progress is None:
            if self.count <= SHOW_FROM_MEMBERS and now - self._started < SHOW_AFTER_SECONDS:
                return
            self._show()
        self._progress.update(self._task, completed=self.count)  # the last count is drawn when the line goes
        if now - self._drawn >= REDRAW_SECONDS:
            self._drawn = now
            self._progress.refresh()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=sys.stderr, highlight=False)
        self._progress = Progress(SpinnerColumn(), TextColumn(f"{self.what}: {{task.completed:,.0f}}"),
                                  TimeElapsedColumn(), console=console, transient=True, auto_refresh=False)
        self._task = self._progress.add_task(self.what, total=None, completed=self.count)
        self._progress.start()

    def close(self) -> None:
        """Erase the line (when it was shown)."""
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.stop()
