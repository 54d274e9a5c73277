"""Officers' sign-in in the browser: streamlit-authenticator draws the form and writes the cookie;
our rules (lib.staff.signin) decide who gets in, which cookie is believed and how long a session lasts."""
from __future__ import annotations

import importlib
import math
import os
from datetime import datetime, timezone

import extra_streamlit_components as stx
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_authenticator.models import cookie_model

from lib import ui
from lib.core.roles import User
from lib.staff import auth, signin
from lib.staff.auth import DEFAULT_SESSION_HOURS

ROLE_KEY = "role"                 # set only by restore_sign_in(); absent means a citizen
USER_KEY = "user"                 # the server-side User record of the signed-in officer
EXPIRES_KEY = "sign_in_expires"   # the sign-in cookie's expiry: what logout revokes
VERSION_KEY = "sign_in_version"   # the user's session version this sign-in began with
AUTHENTICATOR_KEY = "_authenticator"
OUTCOME_KEY = "sign_in_outcome"   # the last attempt's refusal (locked / paused), for the form
COOKIE_REFUSED_KEY = "_sign_in_cookie_refused"   # this session's cookie was judged and refused
COOKIE_TO_DELETE_KEY = "_sign_in_cookie_delete"  # ... and is to be removed from the browser
CHECKED_KEY = "_sign_in_checked"   # (this run, the user restore_sign_in() found): see current_user()
COOKIE_NAME = "esachivalaya_signin"
LIBRARY_KEYS = ("name", "username", "authentication_status", "email", "roles")


class _CookieWriter(stx.CookieManager):
    """The library's cookie manager, minus the cookie component it draws on every run of every page.

    We read the sign-in cookie from the connection (st.context.cookies, see read_cookie below), so
    the component is only needed to write or delete one. Drawn on every page, it sent the browser's
    cookies back after loading and so ran each page twice: a citizen's first visit cost two runs, and
    a click in the moment between them could be lost. Now it is drawn only at sign-in, sign-out and
    when a refused cookie is removed.
    """

    def __init__(self, key: str = "init"):
        # The component function itself (the package's name `CookieManager` is also the class's).
        self.cookie_manager = importlib.import_module("extra_streamlit_components.CookieManager")._component_func
        self.cookies: dict = {}

    def delete(self, cookie, key="delete"):
        if cookie:
            self.cookie_manager(method="delete", cookie=cookie, key=key, default=False)
            self.cookies.pop(cookie, None)


# streamlit-authenticator makes its cookie manager inside Authenticate(); this is the one place to swap it.
cookie_model.stx = type("CookieComponents", (), {"CookieManager": _CookieWriter})


def _socket_peer() -> str | None:
    """The connection's peer as the server saw it. Streamlit reports a loopback peer as None (and
    uvicorn has already replaced a loopback peer by the right-most X-Forwarded-For hop when the
    request carried one), so None here means this machine."""
    peer = st.context.ip_address
    if peer is None:
        return "127.0.0.1"
    return peer if isinstance(peer, str) else None


def client_address() -> str:
    """Who is signing in, for counting failures: the socket peer, or, when that peer is one of
    ESACHIVALAYA_TRUSTED_PROXIES, the right-most X-Forwarded-For hop it did not add itself."""
    return signin.client_from(_socket_peer(), st.context.headers.get_all("X-Forwarded-For"),
                              ui.settings().trusted_proxies)


def _authenticator() -> stauth.Authenticate:
    """A fresh authenticator each run, over the active users in the database, with our password
    rules, our cookie reader and our cookie contents in place of the library's.

    login_sleep_time=0: otherwise the cookie component's first rerun interrupts the run before
    st.navigation and a deep link lands on the default page (upstream issue #179).
    """
    con = ui.connection()
    key = ui.settings().cookie_key
    hours = float(os.environ.get("ESACHIVALAYA_SESSION_HOURS") or DEFAULT_SESSION_HOURS)
    credentials = signin.credentials(con)
    authenticator = stauth.Authenticate(credentials, COOKIE_NAME, key, cookie_expiry_days=hours / 24,
                                        auto_hash=False, login_sleep_time=0)
    model = authenticator.authentication_controller.authentication_model
    check_password = model.check_credentials

    def check_with_our_rules(username: str, password: str) -> bool:
        # The library's own lockout either never fires or locks forever; ours is a window per
        # username and client plus a capped pause per username, and unknown names cost a bcrypt.
        outcome = signin.check_sign_in(con, model.credentials, username, password, client_address(), check_password)
        if outcome is signin.Outcome.SIGNED_IN:
            # The version read with the password hash: a reset since then ends this sign-in.
            st.session_state[VERSION_KEY] = model.credentials["usernames"][username]["session_version"]
            st.session_state.pop(COOKIE_REFUSED_KEY, None)
        elif outcome is not signin.Outcome.FAILED:
            st.session_state[OUTCOME_KEY] = (str(outcome), username)
        return outcome is signin.Outcome.SIGNED_IN

    cookie = authenticator.cookie_controller.cookie_model

    def read_cookie() -> dict | None:
        """The library's cookie reader, made strict: a forged, damaged, expired, revoked or stale
        cookie, or one of a deactivated user, signs nobody in and raises nothing."""
        if st.session_state.get("logout") or st.session_state.get(COOKIE_REFUSED_KEY):
            return None
        raw = st.context.cookies.get(COOKIE_NAME)
        if not isinstance(raw, str):          # no cookie (or AppTest's stand-in for one)
            return None
        token = signin.read_token(raw, key)
        good = (token is not None and token.username in credentials["usernames"]
                and not signin.is_revoked(con, token.username, token.expires)
                and signin.session_user(con, token.username, token.version) is not None)
        if not good:
            # Cookies do not change within a session (they come with the connection): judge once.
            st.session_state[COOKIE_REFUSED_KEY] = True
            st.session_state[COOKIE_TO_DELETE_KEY] = True
            return None
        st.session_state[VERSION_KEY] = token.version
        st.session_state[EXPIRES_KEY] = token.expires
        return {"username": token.username, "exp_date": token.expires}

    def write_cookie() -> str:
        return signin.make_token(signin.Token(st.session_state["username"], cookie.exp_date,
                                              st.session_state[VERSION_KEY]), key)

    model.check_credentials = check_with_our_rules
    cookie.get_cookie = read_cookie
    cookie._token_encode = write_cookie
    return authenticator


def _forget_sign_in() -> None:
    for k in (*LIBRARY_KEYS, ROLE_KEY, USER_KEY, EXPIRES_KEY, VERSION_KEY, CHECKED_KEY):
        st.session_state.pop(k, None)
    st.session_state["logout"] = True            # no cookie restore again in this session


def _session_user(username: str | None) -> User | None:
    """The user this session is signed in as, if the sign-in still holds (active, same version)."""
    if not username:
        return None
    con = ui.connection()
    if VERSION_KEY not in st.session_state:
        # Every sign-in our code makes carries its version (the form or the cookie sets it). Tests
        # that place a user in the session directly get the version of that moment.
        st.session_state[VERSION_KEY] = signin.current_version(con, username)
    return signin.session_user(con, username, st.session_state[VERSION_KEY])


def _may_be_signed_in() -> bool:
    """Whether this run must judge a sign-in: the connection brought a sign-in cookie, or the
    session has signed in, tried to, or been signed out."""
    state = st.session_state
    return (isinstance(st.context.cookies.get(COOKIE_NAME), str) or state.get("authentication_status") is not None
            or any(k in state for k in (ROLE_KEY, USER_KEY, COOKIE_TO_DELETE_KEY, OUTCOME_KEY, "username")))


def restore_sign_in() -> stauth.Authenticate | None:
    """Called by app.py before st.navigation: sign in from the cookie, then decide the role from the
    server-side user record. A revoked cookie, a deactivated user or an older session version counts
    as signed out, and the visitor carries on as a citizen."""
    if not _may_be_signed_in():
        # A citizen: no sign-in cookie came with the connection and this session never signed in.
        # Reading every officer's credentials for them cost ~10 % of a citizen's page view under
        # load (py-spy, 1M complaints, 30 November 2026); the sign-in page makes its own.
        st.session_state.pop(AUTHENTICATOR_KEY, None)
        st.session_state.pop(ROLE_KEY, None)
        st.session_state.pop(USER_KEY, None)
        return None
    authenticator = _authenticator()
    authenticator.login(location="unrendered")
    username = st.session_state.get("username") if st.session_state.get("authentication_status") else None
    expires = st.session_state.get(EXPIRES_KEY)
    if username and expires and signin.is_revoked(ui.connection(), username, expires):
        username = None             # logged out in another tab with the same cookie
    user = _session_user(username)
    if user is None:
        if username or st.session_state.get(ROLE_KEY) or st.session_state.get("authentication_status"):
            _forget_sign_in()
            st.session_state[COOKIE_TO_DELETE_KEY] = True
        st.session_state.pop(ROLE_KEY, None)
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[ROLE_KEY] = user.role
        st.session_state[USER_KEY] = user
        st.session_state[CHECKED_KEY] = (_this_run(), user)
    st.session_state[AUTHENTICATOR_KEY] = authenticator
    return authenticator


def _this_run() -> object:
    """Something that is this script run's own: Streamlit gives each run (and each fragment run)
    new widget cursors, before it calls the run's widget callbacks."""
    ctx = get_script_run_ctx()
    return ctx.cursors if ctx is not None else object()


def delete_refused_cookie() -> None:
    """Remove a refused sign-in cookie from the browser. Called by the page guard, after
    st.navigation: the cookie component reruns the app once, which must not cost a deep link."""
    if st.session_state.pop(COOKIE_TO_DELETE_KEY, None) and AUTHENTICATOR_KEY in st.session_state:
        authenticator().cookie_controller.delete_cookie()


def authenticator() -> stauth.Authenticate:
    """This run's authenticator: made by restore_sign_in() in app.py when the run had a sign-in to
    judge, else here, for the sign-in page (over the users of this moment)."""
    if AUTHENTICATOR_KEY not in st.session_state:
        st.session_state[AUTHENTICATOR_KEY] = _authenticator()
    return st.session_state[AUTHENTICATOR_KEY]


def sign_out_button() -> None:
    user = current_user()
    if user is None:
        return
    st.sidebar.caption(ui.tr("signin.signed_in_as", name=user.display_name))
    if st.sidebar.button(ui.tr("signin.sign_out"), key="sign_out"):
        sign_out(authenticator())
        st.rerun()


def current_user() -> User | None:
    """The signed-in officer, re-read from the database on every call: a widget callback runs
    before app.py re-checks the account, and a deactivated, re-roled or reset user must not get
    one last action with the old record. Within the run that checked it (restore_sign_in(), after
    the callbacks), the record is that check's: an officer's page asked ~8 times a run (the router,
    the guard, the header), each a query (~6 % of a busy portal's time at 1M complaints)."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    checked = st.session_state.get(CHECKED_KEY)
    if checked is not None and checked[0] is _this_run() and checked[1] == user:
        return user
    fresh = _session_user(user.username)
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
        st.error(ui.tr("guard.not_allowed"))
        st.stop()
    return user


def sign_out(authenticator: stauth.Authenticate) -> None:
    """Revoke this cookie server-side, then let the library clear the session and the cookie."""
    user = current_user()
    expires = st.session_state.get(EXPIRES_KEY)
    if user and expires:
        signin.revoke(ui.connection(), user.username, expires)
    authenticator.logout(location="unrendered")
    _forget_sign_in()


def sign_in_form(authenticator: stauth.Authenticate) -> bool:
    """The library's form with our labels; True once signed in."""
    st.session_state.pop(OUTCOME_KEY, None)
    auth.dummy_hash()          # made before the first attempt, so that no attempt pays for it
    authenticator.login(location="main", key="sign_in_form", fields={
        "Form name": ui.tr("signin.title"), "Username": ui.tr("signin.username"),
        "Password": ui.tr("signin.password"), "Login": ui.tr("signin.submit"), "Captcha": "Captcha"})
    outcome, username = st.session_state.get(OUTCOME_KEY) or (None, None)
    if outcome == signin.Outcome.LOCKED:
        st.error(ui.tr("signin.locked"))
    elif outcome == signin.Outcome.PAUSED:
        until = signin.paused_until(ui.connection(), username, client_address())
        seconds = (until - datetime.now(timezone.utc)).total_seconds() if until else 0
        st.error(ui.tr("signin.paused", minutes=max(1, math.ceil(seconds / 60))))
    elif st.session_state.get("authentication_status") is False:
        st.error(ui.tr("signin.failed"))
    if not st.session_state.get("authentication_status"):
        return False
    # The cookie just set carries this expiry; logout revokes exactly it.
    st.session_state[EXPIRES_KEY] = authenticator.cookie_controller.cookie_model.exp_date
    return True
