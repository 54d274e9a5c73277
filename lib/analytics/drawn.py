"""Charts and tables drawn once per set of figures, shared by every analyst who sees that set.

The figures are kept for a minute (lib.analytics.cache), and in that minute every visitor with the
same filters is shown the same charts and tables. Building them (pandas views, labelled frames,
plotly figures, CSV bytes) cost about 0.4 CPU s per page view whatever the data's size (profiled
on 30 November 2026 with py-spy: ~85 % of a warm analytics page), more than the page's whole goal
(0.3 s warm). So each is built the first time it is asked of a Dashboard or Flow and kept on it;
it goes when the figures go.

What is kept must not be changed afterwards: the page only hands it to Streamlit, which reads it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_KEPT = "_drawn"                 # the attribute on the figures object that holds its drawings
_GUARD = threading.Lock()


def once(figures: object, key: Hashable, build: Callable[[], T]) -> T:
    """build() the first time `key` is asked of `figures`, the kept value afterwards.

    Two sessions asking at once may both build; the first kept value wins, so every session
    shows the same drawing. `key` must name everything the drawing depends on besides the figures
    (the language, a sort order, a town)."""
    kept = figures.__dict__.get(_KEPT)
    if kept is None:
        with _GUARD:
            kept = figures.__dict__.setdefault(_KEPT, {})
    if key in kept:
        return kept[key]
    value = build()
    with _GUARD:
        return kept.setdefault(key, value)
