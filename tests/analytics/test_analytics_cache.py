"""The analytics page's minute cache on its own: how long a value is kept, which goes first, and one computation for many askers."""
from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from lib.analytics import cache
from lib.analytics.cache import MinuteCache
from lib.casework.deadlines import IST


def test_a_value_is_kept_for_a_minute_then_computed_again():
    clock = [datetime(2026, 11, 30, 10, 0, 30, tzinfo=IST)]
    store = MinuteCache(clock=lambda: clock[0])
    first, at = store.get("k", lambda moment: object())
    clock[0] += cache.FRESH_FOR - timedelta(microseconds=1)
    assert store.get("k", lambda moment: object()) == (first, at)
    clock[0] += timedelta(microseconds=1)
    again, later = store.get("k", lambda moment: object())
    assert again is not first and later == clock[0]


def test_the_default_clock_can_be_moved(monkeypatch):
    store = MinuteCache()
    first, at = store.get("k", lambda moment: object())
    assert store.get("k", lambda moment: object())[0] is first
    real = cache.now
    monkeypatch.setattr(cache, "now", lambda: real() + cache.FRESH_FOR)
    assert store.get("k", lambda moment: object())[0] is not first


def test_the_minute_cache_keeps_the_most_recently_used_and_computes_once_for_many_askers():
    clock = [datetime(2026, 11, 30, 10, 0, tzinfo=IST)]
    store = MinuteCache(max_entries=2, clock=lambda: clock[0])
    computed = Counter()

    def compute(key):
        def work(moment):
            computed.update([key])
            time.sleep(0.05)                             # long enough for the other threads to queue
            return key, moment
        return work

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: store.get("a", compute("a")), range(6)))
    assert computed["a"] == 1 and len({id(v) for v, _ in results}) == 1
    store.get("b", compute("b"))
    store.get("a", compute("a"))                         # used: "b" is now the oldest
    store.get("c", compute("c"))
    store.get("a", compute("a"))
    store.get("b", compute("b"))
    assert computed == {"a": 1, "b": 2, "c": 1}
