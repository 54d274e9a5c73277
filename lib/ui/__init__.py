"""The only lib module that imports streamlit: the shared connection, the frame and page guards, and widgets every page uses."""
from __future__ import annotations

import atexit
import gc
import logging

import streamlit as st

from lib.staff import access
from lib.sms import dispatcher
from lib.ops import startup
from lib.core.config import Settings, load_settings
from lib.citizen.filing import FormChoices, load_form_choices
from lib.core.i18n import DEFAULT_LANGUAGE, Language, t
from lib.core.problems import Problem
from lib.core.roles import Role

FRAME_KEY = "_frame_ran"          # set by app.py; a page run without it was reached around the frame
LANGUAGE_KEY = "language"
LANGUAGE_NAMES = {Language.HINDI: "हिन्दी", Language.ENGLISH: "English"}


@atexit.register
def _release_at_exit() -> None:
    """Stop the SMS dispatcher and close DuckDB before the interpreter goes: a connection left to
    interpreter shutdown makes DuckDB's bindings print a "nanobind: leaked ..." dump on every stop."""
    st.cache_resource.clear()
    gc.collect()


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:               # no secrets.toml: keys are generated beside the database
        return {}


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings(_secrets())


@st.cache_resource(show_spinner="Preparing the database…", on_release=lambda con: con.close())
def connection():
    """One DuckDB connection per process; every unit of work takes its own cursor from it."""
    return startup.open_portal_database(settings())


@st.cache_resource(show_spinner=False, on_release=lambda thread: thread.stop() if thread else None)
def sms_dispatcher():
    """The process's one background SMS dispatcher over the cached connection (None when off)."""
    try:
        return dispatcher.start_background_dispatcher(connection(), _secrets())
    except ValueError:   # a bad [sms] table must not break the citizen's form; the outbox page shows it
        logging.getLogger(__name__).exception("SMS dispatcher not started")
        return None


@st.cache_resource(show_spinner=False)
def form_choices() -> FormChoices:
    return load_form_choices(connection())


def language() -> str:
    value = st.session_state.get(LANGUAGE_KEY)
    return value if value in tuple(Language) else DEFAULT_LANGUAGE


def tr(key: str, **params) -> str:
    """Text in the session's language."""
    return t(language(), key, **params)


def role() -> str:
    """The session's role, from the server-side user record (a citizen has none)."""
    user = current_user() if st.session_state.get(_signin.USER_KEY) else None
    return user.role if user else Role.PUBLIC


def start_frame() -> None:
    """Called by app.py first on every run: marks the session as framed (see `guard`)."""
    st.session_state[FRAME_KEY] = True
    if st.session_state.get(LANGUAGE_KEY) not in tuple(Language):
        st.session_state[LANGUAGE_KEY] = DEFAULT_LANGUAGE
    sms_dispatcher()                 # started once per process; sends what the outbox holds


def _language_switch() -> None:
    """Hindi / English, drawn by the guard at the top of every page. Not in app.py: on Streamlit
    1.67 a widget of the entrypoint loses the citizen's change (before st.navigation() in a
    browser, and anywhere in it under AppTest), while a page's own widgets keep theirs."""
    st.radio(
        t(language(), "lang.label"), options=list(Language), key=LANGUAGE_KEY,
        format_func=LANGUAGE_NAMES.get, horizontal=True, label_visibility="collapsed",
    )


def guard(page: str) -> None:
    """First line of every page: stop unless app.py ran in this session and the role may see the
    page; then draw the language switch.

    Streamlit runs pages/<page>.py on its own for the first deep link to a fresh server, without
    app.py; this guard is what keeps such a run from rendering anything.
    """
    if not st.session_state.get(FRAME_KEY):
        st.error(f"{t(Language.HINDI, 'guard.no_frame')} / {t(Language.ENGLISH, 'guard.no_frame')}")
        st.link_button(f"{t(Language.HINDI, 'guard.open_portal')} / {t(Language.ENGLISH, 'guard.open_portal')}", "/")
        st.stop()
    if not access.can_open(role(), page):
        st.error(tr("guard.not_allowed"))
        st.stop()
    _signin.delete_refused_cookie()
    _language_switch()
    _signin.sign_out_button()


def show_problems(problems: list[Problem], field: str) -> None:
    """The problems of one field, right beside it, in the session's language."""
    for problem in problems:
        if problem.field == field:
            st.error(tr(problem.key, **problem.params), icon="⚠️")


# Officers' sign-in lives in lib/ui/signin.py; pages and app.py keep calling it as ui.<name>.
from lib.ui.signin import (  # noqa: E402  (signin.py uses the connection and tr defined above)
    COOKIE_NAME, EXPIRES_KEY, ROLE_KEY, USER_KEY, authenticator, client_address, current_user, require_user,
    restore_sign_in, sign_in_form, sign_out,
)
from lib.ui import signin as _signin  # noqa: E402
