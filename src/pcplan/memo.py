"""Answers about the objects being checked, remembered for the few most recent ones.

Rules ask the same question about one member's documents many times (the plan in effect, a plan's text
fields, a staff member's trainings). The objects are dicts and documents, compared by identity: an
entry is keyed on ``id(obj)`` and keeps ``obj`` itself, so that id cannot be reused by a new object
while the entry lives. Bounded (oldest used first out): a check of 100,000 member folders keeps a few.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class RecentAnswers(Generic[T]):
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._entries: OrderedDict[tuple, tuple[object, T]] = OrderedDict()

    def get(self, obj: object, compute: Callable[[], T], *also: Hashable) -> T:
        """The answer for ``obj`` (and ``also``, such as a date), computed by ``compute`` when not remembered."""
        key = (id(obj), *also)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is obj:
            self._entries.move_to_end(key)
            return entry[1]
        answer = compute()
        self._entries[key] = (obj, answer)
        self._entries.move_to_end(key)
        while len(self._entries) > self.keep:
            self._entries.popitem(last=False)
        return answer
