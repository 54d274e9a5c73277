"""The only lib module that imports streamlit: the shared connection, the frame and page guards, and widgets every page uses."""
from __future__ import annotations

import atexit
import gc
import logging
import os

import streamlit as st
import streamlit_authenticator as stauth

from lib.staff import access, signin
from lib.sms import dispatcher
from lib.ops import startup
from lib.staff.auth import DEFAULT_SESSION_HOURS
from lib.core.roles import User
from lib.core.config import Settings, load_settings
from lib.citizen.filing import FormChoices, load_form_choices
from lib.core.i18n import Language, t
from lib.ui import frame
from lib.ui.frame import LANGUAGE_KEY, LANGUAGE_NAMES, language, tr  # noqa: F401  (the pages' API)
from lib.core.problems import Problem
from lib.core.roles import Role

FRAME_KEY = "_frame_ran"          # set by app.py; a page run without it was reached around the frame
ROLE_KEY = "role"                 # set only by restore_sign_in(); absent means a citizen
USER_KEY = "user"                 # the server-side User record of the signed-in officer
EXPIRES_KEY = "sign_in_expires"   # the sign-in cookie's expiry: what logout revokes
AUTHENTICATOR_KEY = "_authenticator"
COOKIE_NAME = "esachivalaya_signin"
PAGE_TITLE = "ई-सचिवालय रेवाड़ी / e-Sachivalaya Rewari"   # both scripts: the tab shows it before any choice


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


def role() -> str:
    """The session's role, from the server-side user record (a citizen has none)."""
    user = current_user() if st.session_state.get(USER_KEY) else None
    return user.role if user else Role.PUBLIC


def start_frame() -> None:
    """Called by app.py first on every run (and by the guard for a public page reached without
    it): marks the session as framed (see `guard`) and settles its language."""
    st.session_state[FRAME_KEY] = True
    frame.remember_language()
    sms_dispatcher()                 # started once per process; sends what the outbox holds


def _frame_a_public_page(page: str) -> bool:
    """The very first request to a freshly started server runs pages/<page>.py alone, without
    app.py (Streamlit 1.67 serves the pages/ folder until some session has run st.navigation).
    A citizen's page does here what app.py would, so the SMS link works after a restart; an
    officer's page is refused as before."""
    if not access.can_open(Role.PUBLIC, page):
        return False
    st.set_page_config(page_title=PAGE_TITLE, page_icon="🏛️", layout="centered")
    start_frame()
    restore_sign_in()                # the sign-in page needs this run's authenticator
    return True


def guard(page: str) -> None:
    """First line of every page: stop unless app.py ran in this session (or the page is public
    and the frame's work is done here) and the role may see the page; then draw the header."""
    if not st.session_state.get(FRAME_KEY) and not _frame_a_public_page(page):
        st.error(f"{t(Language.HINDI, 'guard.no_frame')} / {t(Language.ENGLISH, 'guard.no_frame')}")
        st.link_button(f"{t(Language.HINDI, 'guard.open_portal')} / {t(Language.ENGLISH, 'guard.open_portal')}", "/")
        st.stop()
    if not access.can_open(role(), page):
        st.error(tr("guard.not_allowed"))
        st.stop()
    if page != access.PageName.HOME:         # home only sends the visitor on
        frame.header(page, role())
    _sign_out_button()


def show_problems(problems: list[Problem], field: str) -> None:
    """The problems of one field, right beside it, in the session's language."""
    for problem in problems:
        if problem.field == field:
            st.error(tr(problem.key, **problem.params), icon="⚠️")


# ---- Officers' sign-in (streamlit-authenticator for the form and cookie; our own rules on top) ----

def client_address() -> str:
    """The browser's address for counting failed sign-ins: the first X-Forwarded-For hop set by
    our reverse proxy, else the socket's peer."""
    forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    return forwarded or (st.context.ip_address or "unknown")


def _authenticator() -> stauth.Authenticate:
    """A fresh authenticator each run, over the active users in the database.

    login_sleep_time=0: otherwise the cookie component's first rerun interrupts the run before
    st.navigation and a deep link lands on the default page (upstream issue #179).
    """
    con = connection()
    hours = float(os.environ.get("ESACHIVALAYA_SESSION_HOURS") or DEFAULT_SESSION_HOURS)
    authenticator = stauth.Authenticate(signin.credentials(con), COOKIE_NAME, settings().cookie_key,
                                        cookie_expiry_days=hours / 24, auto_hash=False, login_sleep_time=0)
    model = authenticator.authentication_controller.authentication_model
    check_password = model.check_credentials

    def check_with_our_window(username: str, password: str) -> bool:
        # The library's own lockout either never fires or locks forever; ours is a sliding window
        # per username and client.
        client = client_address()
        if signin.is_locked(con, username, client):
            st.session_state["sign_in_locked"] = True
            return False
        if check_password(username, password):
            signin.note_success(con, username, client)
            return True
        signin.note_failure(con, username, client)
        return False

    model.check_credentials = check_with_our_window
    return authenticator


def _forget_sign_in() -> None:
    for key in ("name", "username", "authentication_status", "email", "roles", ROLE_KEY, USER_KEY, EXPIRES_KEY):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True            # no cookie restore again in this session


def restore_sign_in() -> stauth.Authenticate:
    """Called by app.py before st.navigation: sign in from the cookie, then decide the role from the
    server-side user record. A revoked cookie or a deactivated user counts as signed out."""
    authenticator = _authenticator()
    authenticator.login(location="unrendered")
    username = st.session_state.get("username") if st.session_state.get("authentication_status") else None
    token = authenticator.cookie_controller.get_cookie() if username else None
    if token:
        if signin.is_revoked(connection(), token["username"], token["exp_date"]):
            username = None
        else:
            st.session_state[EXPIRES_KEY] = token["exp_date"]
    user = signin.active_user(connection(), username)
    if user is None:
        if username or st.session_state.get(ROLE_KEY):
            _forget_sign_in()
        st.session_state.pop(ROLE_KEY, None)
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[ROLE_KEY] = user.role
        st.session_state[USER_KEY] = user
    st.session_state[AUTHENTICATOR_KEY] = authenticator
    return authenticator


def authenticator() -> stauth.Authenticate:
    """This run's authenticator, made by restore_sign_in() in app.py."""
    return st.session_state[AUTHENTICATOR_KEY]


def _sign_out_button() -> None:
    user = current_user()
    if user is None:
        return
    st.sidebar.caption(tr("signin.signed_in_as", name=user.display_name))
    if st.sidebar.button(tr("signin.sign_out"), key="sign_out"):
        sign_out(authenticator())
        st.rerun()


def current_user() -> User | None:
    """The signed-in officer, re-read from the database on every call: a widget callback runs
    before app.py re-checks the account, and a deactivated or re-roled user must not get one
    last action with the old record."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    fresh = signin.active_user(connection(), user.username)
    if fresh is None:
        _forget_sign_in()
        return None
    if fresh != user:
        st.session_state[USER_KEY] = fresh
        st.session_state[ROLE_KEY] = fresh.role
    return fresh


def require_user() -> User:
    """The signed-in officer (pages that need one are only registered for signed-in roles)."""
    user = current_user()
    if user is None:
        st.error(tr("guard.not_allowed"))
        st.stop()
    return user


def sign_out(authenticator: stauth.Authenticate) -> None:
    """Revoke this cookie server-side, then let the library clear the session and the cookie."""
    user = current_user()
    expires = st.session_state.get(EXPIRES_KEY)
    if user and expires:
        signin.revoke(connection(), user.username, expires)
    authenticator.logout(location="unrendered")
    _forget_sign_in()


def sign_in_form(authenticator: stauth.Authenticate) -> bool:
    """The library's form with our labels; True once signed in."""
    st.session_state.pop("sign_in_locked", None)
    authenticator.login(location="main", key="sign_in_form", fields={
        "Form name": tr("signin.title"), "Username": tr("signin.username"),
        "Password": tr("signin.password"), "Login": tr("signin.submit"), "Captcha": "Captcha"})
    if st.session_state.get("sign_in_locked"):
        st.error(tr("signin.locked"))
    elif st.session_state.get("authentication_status") is False:
        st.error(tr("signin.failed"))
    if not st.session_state.get("authentication_status"):
        return False
    # The cookie just set carries this expiry; logout revokes exactly it.
    st.session_state[EXPIRES_KEY] = authenticator.cookie_controller.cookie_model.exp_date
    return True
