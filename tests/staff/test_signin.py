"""Sign-in hardening: the failed-sign-in window per username and client, revoked cookies, the server-side user."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bcrypt
import duckdb
import jwt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.core.config import load_settings, trusted_proxies
from lib.core.i18n import t
from lib.staff import administration, auth, signin
from lib.staff.auth import FAILURE_WINDOW, MAX_FAILURES

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.engines
def test_five_failures_lock_that_username_on_that_client(con):
    fail(con, MAX_FAILURES - 1)
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=1))
    fail(con, 1, at=T0 + timedelta(seconds=30))
    assert signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=1))
    # The username is matched as the sign-in form sends it (lowercased, stripped).
    assert signin.is_locked(con, " DC_Rewari ", OFFICE, now=T0 + timedelta(minutes=1))


@pytest.mark.engines
def test_a_stranger_cannot_lock_the_dc_out(con):
    fail(con, 20, client=STRANGER)
    now = T0 + timedelta(minutes=1)
    assert signin.is_locked(con, "dc_rewari", STRANGER, now=now)
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=now)        # the DC's own desk still works
    assert not signin.is_locked(con, "officer_phed", STRANGER, now=now)   # and it is per username too


@pytest.mark.engines
def test_the_lock_ends_by_itself_after_the_window(con):
    fail(con, MAX_FAILURES)
    last_failure = T0 + timedelta(seconds=MAX_FAILURES - 1)
    assert signin.is_locked(con, "dc_rewari", OFFICE, now=last_failure + FAILURE_WINDOW - timedelta(seconds=5))
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=last_failure + FAILURE_WINDOW + timedelta(seconds=1))


@pytest.mark.engines
def test_failures_spread_beyond_the_window_never_lock(con):
    for i in range(3 * MAX_FAILURES):
        at = T0 + i * timedelta(minutes=4)
        signin.note_failure(con, "dc_rewari", OFFICE, now=at)
        assert not signin.is_locked(con, "dc_rewari", OFFICE, now=at)


@pytest.mark.engines
def test_success_clears_the_failures(con):
    fail(con, MAX_FAILURES - 1)
    signin.note_success(con, "dc_rewari", OFFICE)
    fail(con, MAX_FAILURES - 1, at=T0 + timedelta(minutes=1))
    assert not signin.is_locked(con, "dc_rewari", OFFICE, now=T0 + timedelta(minutes=2))


@pytest.mark.engines
def test_one_officer_signing_in_from_one_desk_in_several_tabs_at_once_gets_in_everywhere(con):
    """Each success writes the same row (this desk, last signed in at), and failures' rows are cleared;
    on DuckDB two such transactions at once conflict. The loser is tried again, never shown an error
    page (a load run of 20 officers met "Conflict on update!" on the sign-in form, 2 December 2026)."""
    tabs, sign_ins = 6, 15
    start, errors = threading.Barrier(tabs), []

    def tab() -> None:
        start.wait()
        for _ in range(sign_ins):
            try:
                signin.note_success(con, "dc_rewari", OFFICE)
                signin.revoke(con, "dc_rewari", 1767000000.5)       # and signing out the same cookie twice
            except Exception as exc:  # noqa: BLE001 - any error is what the test looks for
                errors.append(repr(exc))
                return

    threads = [threading.Thread(target=tab) for _ in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert signin.paused_until(con, "dc_rewari", OFFICE) is None
    assert signin.is_revoked(con, "dc_rewari", 1767000000.5)


@pytest.mark.engines
def test_a_sign_in_that_loses_a_write_race_is_tried_again(con, monkeypatch):
    """The same, made certain: the first write of the desk's row reports DuckDB's conflict."""
    real, calls = signin.users_db.record_sign_in_client, []

    def conflicted_once(cur, username, client, now):
        calls.append(username)
        if len(calls) == 1:
            raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")
        real(cur, username, client, now)

    monkeypatch.setattr(signin.users_db, "record_sign_in_client", conflicted_once)
    fail(con, MAX_FAILURES - 1, at=datetime.now(timezone.utc))
    signin.note_success(con, "dc_rewari", OFFICE)
    assert calls == ["dc_rewari", "dc_rewari"]
    fail(con, 1, at=datetime.now(timezone.utc))      # the earlier failures were cleared, so not locked
    assert not signin.is_locked(con, "dc_rewari", OFFICE)


@pytest.mark.engines
def test_revoked_cookie_stays_revoked(con):
    assert not signin.is_revoked(con, "dc_rewari", 1767000000.5)
    signin.revoke(con, "dc_rewari", 1767000000.5)
    signin.revoke(con, "dc_rewari", 1767000000.5)         # a second logout of the same cookie is harmless
    assert signin.is_revoked(con, "dc_rewari", 1767000000.5)
    assert not signin.is_revoked(con, "dc_rewari", 1767000999.5)      # a later sign-in's cookie works
    assert not signin.is_revoked(con, "officer_phed", 1767000000.5)


@pytest.mark.engines
def test_active_user_is_the_server_side_record(con):
    signin.create_demo_users(con)
    officer = signin.active_user(con, "officer_phed")
    assert (officer.role, officer.department_code) == ("officer", "PHED")
    assert signin.active_user(con, "nobody") is None
    assert signin.active_user(con, None) is None and signin.active_user(con, "") is None
    administration.set_user_active(con, "officer_phed", False, "admin_rewari")
    assert signin.active_user(con, "officer_phed") is None
    assert "officer_phed" not in signin.credentials(con)["usernames"]


@pytest.mark.engines
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


@pytest.mark.engines
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


@pytest.mark.engines
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


@pytest.mark.engines
def test_an_active_user_stays_signed_in_at_the_next_run(demo_users):
    at = app_with({"authentication_status": True, "username": "admin_rewari", "language": "en"})
    session = {k: at.session_state[k] for k in SESSION_KEYS if k in at.session_state}
    at = app_with(session)
    assert not at.exception
    assert at.title[0].value == "Administration"
    assert at.session_state["role"] == "admin"


# ---- an admin's change ends every sign-in of that user (session version) ----

def _version(con, username="officer_phed"):
    return signin.current_version(con, username)


def _reset(con):
    administration.reset_password(con, "officer_phed", "Another@Pass9", "admin_rewari")


def _deactivate(con):
    administration.set_user_active(con, "officer_phed", False, "admin_rewari")


def _new_role(con):
    administration.change_role(con, "officer_phed", "analyst", None, "admin_rewari")


def _new_department(con):
    administration.change_role(con, "officer_phed", "officer", "PWD", "admin_rewari")


@pytest.mark.engines
@pytest.mark.parametrize("change", [_reset, _deactivate, _new_role, _new_department])
def test_an_admin_change_ends_every_sign_in_of_that_user(con, change):
    signin.create_demo_users(con)
    before = _version(con)
    assert signin.session_user(con, "officer_phed", before) is not None
    assert signin.session_user(con, "officer_ulb", _version(con, "officer_ulb")) is not None
    change(con)
    assert signin.session_user(con, "officer_phed", before) is None
    # Other users' sign-ins are untouched.
    assert signin.session_user(con, "officer_ulb", _version(con, "officer_ulb")) is not None


@pytest.mark.engines
def test_reactivation_revives_no_earlier_sign_in(con):
    signin.create_demo_users(con)
    before = _version(con)
    _deactivate(con)
    administration.set_user_active(con, "officer_phed", True, "admin_rewari")
    assert signin.session_user(con, "officer_phed", before) is None
    # A new sign-in (with the version of now) works again.
    assert signin.session_user(con, "officer_phed", _version(con)) is not None


@pytest.mark.engines
def test_a_new_display_name_keeps_the_sign_in(con):
    from lib.db.connect import transaction
    import traceback
    from lib.db.staff import users as users_db
    signin.create_demo_users(con)
    before = _version(con)
    with transaction(con) as cur:
        users_db.update_user(cur, "officer_phed", display_name="XEN PHED (Rewari)")
    assert signin.session_user(con, "officer_phed", before) is not None


# ---- the sign-in cookie's token: anything not ours is None, never an exception ----

KEY = "k" * 48


def _claims(**overrides):
    claims = {"username": "dc_rewari", "exp_date": T0.timestamp() + 3600, "ver": 1}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_our_token_reads_back():
    raw = signin.make_token(signin.Token("dc_rewari", T0.timestamp() + 3600, 3), KEY)
    assert signin.read_token(raw, KEY, now=T0) == signin.Token("dc_rewari", T0.timestamp() + 3600, 3)


@pytest.mark.parametrize("raw", [
    pytest.param(jwt.encode(_claims(), "another-key-" * 4, algorithm="HS256"), id="forged with another key"),
    pytest.param(jwt.encode(_claims(), None, algorithm="none"), id="alg none"),
    pytest.param(jwt.encode(_claims(), KEY, algorithm="HS512"), id="another algorithm"),
    pytest.param(jwt.encode(_claims(ver=None), KEY, algorithm="HS256"), id="stale: no session version"),
    pytest.param(jwt.encode(_claims(exp_date=T0.timestamp() - 1), KEY, algorithm="HS256"), id="expired"),
    pytest.param(jwt.encode(_claims(exp_date="tomorrow"), KEY, algorithm="HS256"), id="expiry not a number"),
    pytest.param(jwt.encode(_claims(ver="1"), KEY, algorithm="HS256"), id="version not a number"),
    pytest.param(jwt.encode(_claims(ver=True), KEY, algorithm="HS256"), id="version a boolean"),
    pytest.param(jwt.encode(_claims(username=["dc_rewari"]), KEY, algorithm="HS256"), id="username a list"),
    pytest.param(jwt.encode(_claims(exp=1), KEY, algorithm="HS256"), id="jwt exp claim in the past"),
    pytest.param("not-a-token", id="garbage"),
    pytest.param("a.b.c", id="three dots of garbage"),
    pytest.param("", id="empty"),
    pytest.param("x" * 10_000, id="huge"),
    pytest.param(None, id="none"),
    pytest.param(b"bytes", id="bytes"),
])
def test_anything_but_our_token_is_refused_quietly(raw):
    assert signin.read_token(raw, KEY, now=T0) is None


# ---- unknown usernames cost the same bcrypt as a wrong password ----

@pytest.fixture
def bcrypt_checks(monkeypatch):
    """Every bcrypt password check made, by the library or by us (the hash each one was against)."""
    checked = []
    real = bcrypt.checkpw

    def counting(password, hashed):
        checked.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    auth.dummy_hash.cache_clear()          # made under this test's bcrypt cost
    yield checked
    auth.dummy_hash.cache_clear()


def library_check(credentials):
    """What streamlit-authenticator 0.4.2 does for a username it knows."""
    import streamlit_authenticator as stauth
    return lambda username, password: stauth.Hasher.check_pw(password, credentials["usernames"][username]["password"])


@pytest.mark.engines
@pytest.mark.parametrize("username", ["dc_rewari", "nobody_here", "officer_dp"])
def test_every_refused_password_costs_one_bcrypt_check_of_the_same_cost(con, bcrypt_checks, username):
    signin.create_demo_users(con)
    administration.set_user_active(con, "officer_dp", False, "admin_rewari")    # deactivated: unknown
    credentials = signin.credentials(con)
    outcome = signin.check_sign_in(con, credentials, username, "wrong-password", OFFICE, library_check(credentials))
    assert outcome == signin.Outcome.FAILED
    assert len(bcrypt_checks) == 1
    real_hash = credentials["usernames"]["dc_rewari"]["password"].encode()
    assert bcrypt_checks[0][:7] == real_hash[:7]          # "$2b$NN$": same algorithm and cost
    # And the failure counts toward the lock whether the username exists or not.
    assert signin.is_locked(con, username, OFFICE) is False
    for _ in range(MAX_FAILURES - 1):
        signin.check_sign_in(con, credentials, username, "wrong-password", OFFICE, library_check(credentials))
    assert signin.is_locked(con, username, OFFICE)


@pytest.mark.engines
def test_the_right_password_signs_in_with_one_check(con, bcrypt_checks):
    signin.create_demo_users(con)
    credentials = signin.credentials(con)
    outcome = signin.check_sign_in(con, credentials, "dc_rewari", signin.DEMO_PASSWORD, OFFICE,
                                   library_check(credentials))
    assert outcome == signin.Outcome.SIGNED_IN and len(bcrypt_checks) == 1


# ---- failures per username from all clients: a capped, doubling pause ----

def test_the_username_pause_doubles_and_is_capped():
    last = T0
    assert auth.username_pause_until(auth.USERNAME_FREE_FAILURES - 1, last) is None
    pauses = [auth.username_pause_until(n, last) - last
              for n in range(auth.USERNAME_FREE_FAILURES, auth.USERNAME_FREE_FAILURES + 8)]
    assert pauses[0] == auth.USERNAME_FIRST_PAUSE
    assert pauses[1] == 2 * pauses[0] and pauses[2] == 2 * pauses[1]
    assert max(pauses) == auth.USERNAME_MAX_PAUSE <= timedelta(minutes=10)
    assert auth.username_pause_until(10_000, last) - last == auth.USERNAME_MAX_PAUSE


def fail_from_many_clients(con, count, at, username="dc_rewari"):
    for i in range(count):
        signin.note_failure(con, username, f"198.51.100.{i + 1}", now=at + timedelta(seconds=i))
    return at + timedelta(seconds=count - 1)


@pytest.mark.engines
def test_failures_from_many_clients_pause_the_username_everywhere_for_a_while(con):
    last = fail_from_many_clients(con, auth.USERNAME_FREE_FAILURES, T0)
    for client in (STRANGER, "192.0.2.77", "198.51.100.1"):
        assert signin.paused_until(con, "dc_rewari", client, now=last + timedelta(seconds=1)) is not None
    assert signin.paused_until(con, "officer_phed", STRANGER, now=last + timedelta(seconds=1)) is None
    # The pause ends by itself.
    assert signin.paused_until(con, "dc_rewari", STRANGER, now=last + auth.USERNAME_FIRST_PAUSE + timedelta(seconds=1)) is None


@pytest.mark.engines
def test_nine_failures_from_many_clients_do_not_pause(con):
    last = fail_from_many_clients(con, auth.USERNAME_FREE_FAILURES - 1, T0)
    assert signin.paused_until(con, "dc_rewari", STRANGER, now=last + timedelta(seconds=1)) is None


@pytest.mark.engines
def test_a_client_the_user_signed_in_from_is_not_paused_by_strangers(con):
    signin.note_success(con, "dc_rewari", OFFICE, now=T0 - timedelta(days=3))
    last = fail_from_many_clients(con, 40, T0)
    now = last + timedelta(seconds=1)
    assert signin.paused_until(con, "dc_rewari", STRANGER, now=now) is not None
    assert signin.paused_until(con, "dc_rewari", OFFICE, now=now) is None
    # "unknown" and this machine stand for everybody: never remembered as the user's own.
    signin.note_success(con, "dc_rewari", "unknown", now=T0 - timedelta(days=1))
    signin.note_success(con, "dc_rewari", "127.0.0.1", now=T0 - timedelta(days=1))
    assert signin.paused_until(con, "dc_rewari", "unknown", now=now) is not None
    assert signin.paused_until(con, "dc_rewari", "127.0.0.1", now=now) is not None


@pytest.mark.engines
def test_refused_attempts_do_not_make_the_pause_longer(con):
    signin.create_demo_users(con)
    credentials = signin.credentials(con)
    now = datetime.now(timezone.utc)
    last = fail_from_many_clients(con, auth.USERNAME_FREE_FAILURES, now - timedelta(seconds=12))
    paused = signin.paused_until(con, "dc_rewari", STRANGER)
    assert paused is not None and paused - last == auth.USERNAME_FIRST_PAUSE
    never = lambda u, p: pytest.fail("a paused attempt must not check the password")   # noqa: E731
    for _ in range(20):
        outcome = signin.check_sign_in(con, credentials, "dc_rewari", signin.DEMO_PASSWORD, STRANGER, never)
        assert outcome == signin.Outcome.PAUSED
    assert signin.paused_until(con, "dc_rewari", STRANGER) == paused


# ---- the client address: X-Forwarded-For only from trusted proxies ----

NGINX = trusted_proxies("127.0.0.1, 10.0.0.0/24")


@pytest.mark.parametrize("peer, forwarded, trusted, client", [
    ("203.0.113.9", [], (), "203.0.113.9"),
    ("203.0.113.9", ["10.1.1.5"], (), "203.0.113.9"),                  # nobody trusted: header ignored
    ("203.0.113.9", ["10.1.1.5"], NGINX, "203.0.113.9"),               # peer not a trusted proxy
    ("127.0.0.1", ["198.51.100.7"], NGINX, "198.51.100.7"),
    ("127.0.0.1", ["1.2.3.4, 198.51.100.7"], NGINX, "198.51.100.7"),   # the client wrote 1.2.3.4 itself
    ("127.0.0.1", ["1.2.3.4", "198.51.100.7, 10.0.0.3"], NGINX, "198.51.100.7"),   # two proxies, two headers
    ("127.0.0.1", [], NGINX, "127.0.0.1"),
    ("127.0.0.1", ["10.0.0.3"], NGINX, "127.0.0.1"),                   # only proxies: the peer
    ("127.0.0.1", ["not-an-address"], NGINX, "unknown"),
    ("::1", ["2001:db8::5"], trusted_proxies("::1"), "2001:db8::5"),
    (None, ["198.51.100.7"], NGINX, "unknown"),
])
def test_the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise(peer, forwarded, trusted, client):
    assert signin.client_from(peer, forwarded, trusted) == client


def test_trusted_proxies_come_from_the_environment(portal_env, monkeypatch):
    assert load_settings({}).trusted_proxies == ()
    monkeypatch.setenv("ESACHIVALAYA_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    assert [str(n) for n in load_settings({}).trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8"]
    monkeypatch.setenv("ESACHIVALAYA_TRUSTED_PROXIES", "127.0.0.1, nginx")
    with pytest.raises(ValueError, match="nginx"):
        load_settings({})


# ---- issue #14: an officer's page view checks the account once, and every run again ----

@pytest.mark.engines
def test_a_page_view_checks_the_account_once_and_the_next_run_checks_again(demo_users, monkeypatch):
    import inspect

    from lib.db.staff import users as users_db
    from lib.ui import connection
    checks = []                    # for each check of the account: the functions that asked for it
    real = users_db.get_user_session

    def counted(cur, name):
        checks.append({frame.function for frame in inspect.stack()})
        return real(cur, name)

    monkeypatch.setattr(users_db, "get_user_session", counted)
    at = app_with({"authentication_status": True, "username": "officer_phed", "language": "en"})
    assert not at.exception and at.title[0].value.startswith("Complaints")
    # Only the router's check at the start of each run; the router, the guard, the header and the
    # page then use it (before, each asked again: ~8 queries a run).
    assert checks and all("restore_sign_in" in asked for asked in checks)

    checks.clear()
    administration.set_user_active(connection(), "officer_phed", False, "admin_rewari")
    at.run()                       # the next run (AppTest runs the page alone): the account again
    assert checks and not at.exception
    assert "user" not in at.session_state
    assert not any(t.value.startswith("Complaints") for t in at.title)


@pytest.mark.engines
def test_the_router_makes_a_sessions_pages_once_until_its_language_or_role_changes(demo_users, monkeypatch):
    """Making an st.Page resolves its file on disk (~10 % of a citizen's view under load): a session
    makes them once, and again only in another language (their titles) or as another role."""
    from lib.ui.frame import SESSION_PAGES_KEY
    made = []
    real = st.Page
    monkeypatch.setattr(st, "Page", lambda *args, **kw: made.append(kw["url_path"]) or real(*args, **kw))

    def titles(at: AppTest) -> dict[str, str]:
        return {page.url_path: page.title for page in at.session_state[SESSION_PAGES_KEY][1]}

    at = app_with({"language": "en"})
    assert not at.exception and titles(at)["track_complaint"] == "Track your complaint"
    first = len(made)
    session = {k: at.session_state[k] for k in (*SESSION_KEYS, SESSION_PAGES_KEY) if k in at.session_state}
    at = app_with(session)                              # the session's next run: the same pages
    assert not at.exception and len(made) == first

    at = app_with({**session, "language": "hi"})        # another language: made again, Hindi titles
    assert len(made) == 2 * first and titles(at)["track_complaint"] == t("hi", "nav.track_complaint")

    at = app_with({**session, "authentication_status": True, "username": "dc_rewari"})   # another role
    assert len(made) > 2 * first and "queue" in titles(at)
