"""lib.analytics.drawn: a drawing is built once per set of figures and key, and every asker gets the same one."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from lib.analytics import drawn


@dataclass(frozen=True)
class Figures:              # frozen, like Dashboard and Flow
    received: int


def test_built_once_per_key_and_per_set_of_figures():
    built = []

    def build(label):
        return lambda: built.append(label) or [label]

    minute, next_minute = Figures(10), Figures(10)
    first = drawn.once(minute, ("hi", "chart"), build("hi"))
    assert drawn.once(minute, ("hi", "chart"), build("again")) is first
    assert drawn.once(minute, ("en", "chart"), build("en")) == ["en"]
    assert drawn.once(next_minute, ("hi", "chart"), build("next")) == ["next"]
    assert built == ["hi", "en", "next"]


def test_sessions_asking_at_once_are_shown_one_drawing():
    figures, start = Figures(5), threading.Barrier(8)
    shown = []

    def session(n):
        start.wait()
        shown.append(drawn.once(figures, "chart", lambda: object()))

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(shown) == 8 and len({id(s) for s in shown}) == 1
