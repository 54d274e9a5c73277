"""Sign-in hardening: the failed-sign-in window per username and client, revoked cookies, the server-side user."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import bcrypt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.staff import administration, signin
from lib.staff.auth import FAILURE_WINDOW, MAX_FAILURES

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
OFFICE = "10.1.1.5"
STRANGER = "203.0.113.9"


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


def fail(con, times: int, username="dc_rewari", client=OFFICE, at=T0) -> None:
    for i in range(times):
        signin.note_failure(con, username, client, now=at + timedelta(seconds=i))


def test_five_failures_lock_that_username_on_that_client(con):
    fail(con, MAX_FAILURES - 1)
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=1))
    fail(con, 1, at=T0 + timedelta(seconds=30))
    assert signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=1))
    # The username is matched as the sign-in form sends it (lowercased, stripped).
    assert signin.is_locked(con, " DC_Rewari ", OFFICE, now=T0 + timedelta(minutes=1))


def test_a_stranger_cannot_lock_the_dc_out(con):
    fail(con, 20, client=STRANGER)
    now = T0 + timedelta(minutes=1)
    assert signin.is_locked(con, "dc_rewari", STRANGER, now=now)
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=now)        # the DC's own desk still works
    assert not signin.is_locked(con, "officer_phed", STRANGER, now=now)   # and it is per username too


def test_the_lock_ends_by_itself_after_the_window(con):
    fail(con, MAX_FAILURES)
    last_failure = T0 + timedelta(seconds=MAX_FAILURES - 1)
    assert signin.is_locked(con, "dc_rewari", OFFICE, now=last_failure + FAILURE_WINDOW - timedelta(seconds=5))
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=last_failure + FAILURE_WINDOW + timedelta(seconds=1))


def test_failures_spread_beyond_the_window_never_lock(con):
    for i in range(3 * MAX_FAILURES):
        at = T0 + i * timedelta(minutes=4)
        signin.note_failure(con, "dc_rewari", OFFICE, now=at)
        assert not signin.is_locked(con, "dc_rewari", OFFICE, now=at)


def test_success_clears_the_failures(con):
    fail(con, MAX_FAILURES - 1)
    signin.note_success(con, "dc_rewari", OFFICE)
    fail(con, MAX_FAILURES - 1, at=T0 + timedelta(minutes=1))
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=2))


def test_revoked_cookie_stays_revoked(con):
    assert not signin.is_revoked(con, "dc_rewari", 1767000000.5)
    signin.revoke(con, "dc_rewari", 1767000000.5)
    signin.revoke(con, "dc_rewari", 1767000000.5)         # a second logout of the same cookie is harmless
    assert signin.is_revoked(con, "dc_rewari", 1767000000.5)
    assert not signin.is_revoked(con, "dc_rewari", 1767000999.5)      # a later sign-in's cookie works
    assert not signin.is_revoked(con, "officer_phed", 1767000000.5)


def test_active_user_is_the_server_side_record(con):
    signin.create_demo_users(con)
    officer = signin.active_user(con, "officer_phed")
    assert (officer.role, officer.department_code) == ("officer", "PHED")
    assert signin.active_user(con, "nobody") is None
    assert signin.active_user(con, None) is None and signin.active_user(con, "") is None
    administration.set_user_active(con, "officer_phed", False, "admin_rewari")
    assert signin.active_user(con, "officer_phed") is None
    assert "officer_phed" not in signin.credentials(con)["usernames"]


def test_demo_users_are_created_once(con):
    signin.create_demo_users(con)
    first = administration.list_users(con)
    assert {u.username for u in first} == {u.username for u in signin.DEMO_USERS}
    administration.set_user_active(con, "officer_dp", False, "admin_rewari")
    signin.create_demo_users(con)
    again = administration.list_users(con)
    assert len(again) == len(first)
    # Running it again never brings back an account the admin switched off.
    assert signin.active_user(con, "officer_dp") is None


def test_demo_password_signs_in(con):
    signin.create_demo_users(con)
    stored = signin.credentials(con)["usernames"]["dc_rewari"]["password"]
    assert bcrypt.checkpw(signin.DEMO_PASSWORD.encode(), stored.encode())


# ---- the app re-reads the user on every run ----

@pytest.fixture
def demo_users(portal_env, settings):
    from lib.ops.startup import open_portal_database
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    con.close()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def app_with(state: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def state_of(at: AppTest, key: str):
    return at.session_state[key] if key in at.session_state else None


SESSION_KEYS = ("authentication_status", "username", "name", "role", "user", "language", "_frame_ran")


def test_deactivated_user_is_signed_out_at_the_next_run(demo_users):
    at = app_with({"authentication_status": True, "username": "admin_rewari", "language": "en"})
    assert not at.exception
    assert at.title[0].value == "Administration"
    # AppTest reruns only the page file after the first run (as a fresh server does for a deep
    # link), so "the next run" of this session is a new AppTest carrying the same session state.
    session = {k: at.session_state[k] for k in SESSION_KEYS if k in at.session_state}
    assert session["role"] == "admin"

    from lib.ui import connection
    administration.add_user(connection(), administration.NewUser("it_head", "IT Head", "admin", None, "Second@Admin1"),
                            "admin_rewari")
    administration.set_user_active(connection(), "admin_rewari", False, "it_head")
    at = app_with(session)
    assert not at.exception
    assert at.title[0].value == "File a complaint"            # only the public pages are left
    assert "role" not in at.session_state and "user" not in at.session_state
    assert not state_of(at, "authentication_status")
    with pytest.raises(ValueError):                           # the admin page is no longer registered
        at.switch_page("pages/admin.py")


def test_an_active_user_stays_signed_in_at_the_next_run(demo_users):
    at = app_with({"authentication_status": True, "username": "admin_rewari", "language": "en"})
    session = {k: at.session_state[k] for k in SESSION_KEYS if k in at.session_state}
    at = app_with(session)
    assert not at.exception
    assert at.title[0].value == "Administration"
    assert at.session_state["role"] == "admin"
