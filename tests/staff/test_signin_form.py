"""The real sign-in form and the sign-in cookie, driven through app.py under AppTest: the lockout per
username and client, and what a bad cookie does to a visitor (nothing but sign them out)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import bcrypt
import jwt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.core.config import load_settings
from lib.staff import administration, signin
from lib.staff.auth import MAX_FAILURES

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
OFFICE = "10.1.1.5"
STRANGER = "203.0.113.9"


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


@pytest.fixture
def peer(monkeypatch):
    """The socket peer each new session sees (AppTest has no real connection); set .address."""
    from lib.ui import signin as ui_signin

    class Peer:
        address = "unknown"

    monkeypatch.setattr(ui_signin, "_socket_peer", lambda: Peer.address)
    return Peer


@pytest.fixture
def browser_cookies(monkeypatch):
    """The cookies the browser sent with the connection (AppTest cannot send any)."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: jar))
    return jar


def session(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["language"] = "en"
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def submit(at: AppTest, username: str, password: str) -> AppTest:
    next(w for w in at.text_input if w.label == "Username").input(username)
    next(w for w in at.text_input if w.label == "Password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception
    return at


def messages(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def signed_in(at: AppTest) -> bool:
    return any(s.value == "You are signed in." for s in at.success)


# ---- issue #16: the lockout through the form ----

def test_five_wrong_passwords_lock_the_form_for_that_client_only(demo_users, peer):
    peer.address = STRANGER
    at = session("pages/sign_in.py")
    for _ in range(MAX_FAILURES):
        submit(at, "dc_rewari", "wrong-password")
        assert messages(at) == ["Username or password is incorrect."]
    submit(at, "dc_rewari", signin.DEMO_PASSWORD)
    assert not signed_in(at)
    assert messages(at) == ["Too many failed attempts from this device. Please wait 15 minutes and try again."]

    # The DC at their own desk is another client: the stranger's failures do not keep them out.
    peer.address = OFFICE
    at = session("pages/sign_in.py")
    submit(at, "dc_rewari", signin.DEMO_PASSWORD)
    assert signed_in(at) and not messages(at)


def test_the_lock_counts_what_the_form_was_given_not_a_constant(demo_users, peer):
    """Failures of another username, or from another client, do not add up to a lock."""
    peer.address = STRANGER
    at = session("pages/sign_in.py")
    for _ in range(MAX_FAILURES - 1):
        submit(at, "dc_rewari", "wrong-password")
    submit(at, "officer_phed", "wrong-password")
    peer.address = OFFICE
    submit(at, "dc_rewari", "wrong-password")
    submit(at, "dc_rewari", signin.DEMO_PASSWORD)
    assert signed_in(at)


# ---- issue #14: a citizen's page views do not pay for the officers' sign-in ----

def test_citizens_pages_read_no_credentials_and_the_form_still_signs_in(demo_users, peer, monkeypatch):
    """Under load every citizen view read all officers' credentials (~10 % of its time); now only a
    run with a sign-in to judge does, and the sign-in page makes its own, over the users of that moment."""
    reads = []
    real = signin.credentials
    monkeypatch.setattr(signin, "credentials", lambda con: reads.append(con) or real(con))
    peer.address = OFFICE
    at = session("pages/track_complaint.py")
    at.switch_page("pages/file_complaint.py").run()
    assert not at.exception and at.title[0].value != "Sign in"
    assert reads == []
    at.switch_page("pages/sign_in.py").run()
    assert len(reads) == 1
    submit(at, "dc_rewari", signin.DEMO_PASSWORD)
    assert signed_in(at) and not messages(at)


# ---- a bad cookie signs nobody in, and breaks no page ----

def cookie_key() -> str:
    return load_settings({}).cookie_key


def token(username="dc_rewari", version=1, hours=8.0, key=None, **extra) -> str:
    claims = {"username": username, "exp_date": (datetime.now(timezone.utc) + timedelta(hours=hours)).timestamp(),
              "ver": version, **extra}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key or cookie_key(), algorithm="HS256")


def test_our_own_cookie_signs_the_dc_in(demo_users, browser_cookies):
    """The control for the tests below: the cookie jar does reach the portal."""
    browser_cookies["esachivalaya_signin"] = token()
    at = session()
    assert at.session_state["role"] == "dc"
    assert at.title[0].value == "Complaints"


BAD_COOKIES = {
    "garbage": lambda: "definitely-not-a-token",
    "forged with another key": lambda: token(key="someone-elses-key-" * 3),
    "alg none": lambda: jwt.encode({"username": "dc_rewari", "exp_date": 4e9, "ver": 1}, None, algorithm="none"),
    "stale (no session version)": lambda: token(version=None),
    "expired": lambda: token(hours=-1),
    "unknown user": lambda: token(username="nobody"),
}


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("bad", list(BAD_COOKIES))
def test_a_bad_cookie_signs_nobody_in_and_shows_the_page_asked_for(demo_users, browser_cookies, bad):
    browser_cookies["esachivalaya_signin"] = BAD_COOKIES[bad]()
    at = session("pages/track_complaint.py")
    assert "role" not in at.session_state
    assert at.title[0].value == "Track your complaint"


@pytest.mark.parametrize("page, title", [
    (None, "File a complaint"),
    ("pages/file_complaint.py", "File a complaint"),
    ("pages/sign_in.py", "Sign in (officers)"),
])
@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
def test_every_public_page_survives_a_forged_cookie(demo_users, browser_cookies, page, title):
    browser_cookies["esachivalaya_signin"] = BAD_COOKIES["alg none"]()
    at = session(page)
    assert "role" not in at.session_state
    assert title in [t.value for t in at.title] + [h.value for h in at.subheader]


@pytest.mark.parametrize("change", ["deactivate", "reset password", "new role", "revoked by logout"])
def test_a_cookie_the_server_no_longer_honours_is_refused_without_an_error(demo_users, browser_cookies, change):
    from lib.ui import connection
    browser_cookies["esachivalaya_signin"] = cookie = token(username="officer_phed")
    actions = {
        "deactivate": lambda con: administration.set_user_active(con, "officer_phed", False, "admin_rewari"),
        "reset password": lambda con: administration.reset_password(con, "officer_phed", "Another@Pass9",
                                                                    "admin_rewari"),
        "new role": lambda con: administration.change_role(con, "officer_phed", "analyst", None, "admin_rewari"),
        "revoked by logout": lambda con: signin.revoke(con, "officer_phed", signin.read_token(cookie, cookie_key()).expires),
    }
    actions[change](connection())
    for page in (None, "pages/track_complaint.py"):
        at = session(page)
        assert "role" not in at.session_state
    assert at.title[0].value == "Track your complaint"


def test_reactivation_does_not_revive_the_old_cookie(demo_users, browser_cookies):
    from lib.ui import connection
    browser_cookies["esachivalaya_signin"] = token(username="officer_phed")
    administration.set_user_active(connection(), "officer_phed", False, "admin_rewari")
    administration.set_user_active(connection(), "officer_phed", True, "admin_rewari")
    at = session()
    assert "role" not in at.session_state


def test_a_password_reset_ends_a_session_already_open(demo_users, browser_cookies):
    """The officer's open session (signed in from the cookie) ends at its next action."""
    from lib.ui import connection
    browser_cookies["esachivalaya_signin"] = token(username="officer_phed")
    at = session("pages/queue.py")
    assert at.session_state["role"] == "officer"
    administration.reset_password(connection(), "officer_phed", "Another@Pass9", "admin_rewari")
    at.run()                                  # the next run of the same session
    assert not at.exception
    assert "role" not in at.session_state and "user" not in at.session_state
