"""Figures at most a minute old: the analytics page's cache, keyed by what the figures are about.

Why not keyed by the data: a district files a complaint every few seconds in office hours, so a
cache keyed by the data's version (as the page had) was recomputed by nearly every visitor, each
paying a pass over a year of complaints. Figures for planning do not need to be newer than a
minute; the page says "as of hh:mm IST", so nobody mistakes them for the live queue.

Why not st.cache_data(ttl=60): the page's tests and the benchmark need to move the clock (see
`now`) and to count how often the database is asked; and lib/ stays free of Streamlit. The page
keeps one MinuteCache per database connection (st.cache_resource), so clearing Streamlit's
resources or opening another database starts empty.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import TypeVar

from lib.casework import deadlines

T = TypeVar("T")
FRESH_FOR = timedelta(minutes=1)
MAX_ENTRIES = 64                   # filter sets kept; the least recently used goes first


def now() -> datetime:
    """The clock the cache reads (a function, so that tests can move it)."""
    return datetime.now(deadlines.IST)


class MinuteCache:
    """Values computed at most once per FRESH_FOR per key, shared by every session of the process.

    Two visitors asking for the same key at once compute it once: the second waits for the
    first (one lock per key), rather than both scanning the period's complaints."""

    def __init__(self, max_entries: int = MAX_ENTRIES, clock: Callable[[], datetime] | None = None):
        self._entries: OrderedDict[Hashable, tuple[datetime, object]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self._max = max_entries
        self._clock = clock

    def _now(self) -> datetime:
        return (self._clock or now)()

    def _fresh(self, key: Hashable, moment: datetime) -> tuple[datetime, object] | None:
        with self._guard:
            entry = self._entries.get(key)
            if entry is None or moment - entry[0] >= FRESH_FOR:
                return None
            self._entries.move_to_end(key)
            return entry

    def get(self, key: Hashable, compute: Callable[[datetime], T]) -> tuple[T, datetime]:
        """(value, the moment it was computed): the kept value while younger than FRESH_FOR, else
        compute(now) (once, whoever else asks meanwhile)."""
        entry = self._fresh(key, self._now())
        if entry is not None:
            return entry[1], entry[0]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            moment = self._now()
            entry = self._fresh(key, moment)      # computed while we waited for the lock
            if entry is not None:
                return entry[1], entry[0]
            value = compute(moment)
            with self._guard:
                self._entries[key] = (moment, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    old, _ = self._entries.popitem(last=False)
                    self._locks.pop(old, None)
            return value, moment

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._locks.clear()
