"""The calendar page's "Subscribe in your calendar app": make, remake or stop the officer's secret feed
address (lib/hearings/feeds.py). The address is shown once, on the run right after it is made; the
portal keeps only its hash, so a lost address is replaced, never shown again."""
from __future__ import annotations

import streamlit as st

from lib import ui
from lib.citizen.receipt import format_time
from lib.core.problems import InvalidInput
from lib.core.roles import Role, User
from lib.hearings import feeds

NEW_URL = "calendar_feed_new_url"        # the address just made: shown on the next run only
STOPPED = "calendar_feed_stopped"
PROBLEMS = "calendar_feed_problems"


def _make(con, user: User) -> None:
    try:
        token = feeds.make_feed(con, user, ui.language())
    except InvalidInput as exc:
        st.session_state[PROBLEMS] = exc.problems
        return
    st.session_state[NEW_URL] = feeds.feed_url(ui.settings().public_url, token)


def _stop(con, user: User) -> None:
    st.session_state[STOPPED] = feeds.stop_feed(con, user)


def subscribe_section(con, user: User) -> None:
    st.subheader(ui.tr("agenda.feed.title"))
    st.caption(ui.tr("agenda.feed.intro_district" if user.role == Role.DC else "agenda.feed.intro"))
    for problem in st.session_state.pop(PROBLEMS, []):
        st.error(ui.tr(problem.key, **problem.params), icon="⚠️")
    if st.session_state.pop(STOPPED, None):
        st.success(ui.tr("agenda.feed.stopped"))
    since = feeds.live_feed_since(con, user.username)
    new_url = st.session_state.pop(NEW_URL, None)
    if new_url:
        st.warning(ui.tr("agenda.feed.once"), icon="🔑")
        st.code(new_url, language=None)
    elif since:
        st.caption(ui.tr("agenda.feed.active", since=format_time(since)))
    else:
        st.caption(ui.tr("agenda.feed.none"))
    make, stop = st.columns(2)
    make.button(ui.tr("agenda.feed.remake" if since else "agenda.feed.make"), key="calendar_feed_make",
                on_click=_make, args=(con, user))
    if since:
        stop.button(ui.tr("agenda.feed.stop"), key="calendar_feed_stop", on_click=_stop, args=(con, user))
