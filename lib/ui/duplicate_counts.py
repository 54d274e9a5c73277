"""The queue's likely-duplicate counts, kept a minute per officer and page of rows.

Why: counting them reads the complaints filed around every row of the page (lib.db.casework.duplicates);
at a million complaints that was about half of the CPU of a queue view (py-spy under the load command,
30 November 2026), paid again by every officer on every refresh, and twenty officers saturated the
process. The counts are a hint beside each row, so a minute old is fresh enough (like the analytics
figures, lib.analytics.cache); a merge or bulk action in this process forgets them at once, and the
complaint's own page always works its duplicates out afresh.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib import ui
from lib.analytics.cache import MinuteCache
from lib.casework import duplicates
from lib.core.roles import User

MAX_PAGES = 256           # pages of rows kept (per officer and filter); the least recently used goes first


@st.cache_resource(show_spinner=False)
def _kept(database: str) -> MinuteCache:
    return MinuteCache(max_entries=MAX_PAGES)


def counts(con, user: User, complaint_ids: Sequence[int]) -> dict[int, int]:
    """complaint id -> how many likely duplicates it has, for this page of the user's queue."""
    ids = tuple(complaint_ids)
    found, _ = _kept(str(ui.settings().db_path)).get((user, ids), lambda _: duplicates.counts_for(con, user, ids))
    return found


def forget() -> None:
    """After a merge or a bulk action: the next queue view counts afresh."""
    _kept(str(ui.settings().db_path)).clear()
