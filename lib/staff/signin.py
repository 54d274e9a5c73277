"""Signing officers in and out: the failed-sign-in window, revoked cookies, and the server-side user record."""
from __future__ import annotations

from datetime import datetime, timezone

from lib.staff import auth
from lib.core.roles import Role
from lib.core.roles import User
from lib.db.staff import users as users_db
from lib.db.connect import transaction


def _now() -> datetime:
    return datetime.now(timezone.utc)


def attempt_key(username: str, client: str | None) -> str:
    """Failures are counted per username *and* client, so nobody elsewhere can lock the DC out."""
    return f"{(username or '').strip().lower()}|{client or 'unknown'}"


def is_locked(con, username: str, client: str | None, now: datetime | None = None) -> bool:
    now = now or _now()
    with con.cursor() as cur:
        failures = users_db.count_failures(cur, attempt_key(username, client), auth.window_start(now))
    return auth.is_locked(failures)


def note_failure(con, username: str, client: str | None, now: datetime | None = None) -> None:
    with transaction(con) as cur:
        users_db.record_failure(cur, attempt_key(username, client), now or _now())


def note_success(con, username: str, client: str | None) -> None:
    with transaction(con) as cur:
        users_db.clear_failures(cur, attempt_key(username, client))


def revoke(con, username: str, expires: float) -> None:
    """Logout: the cookie with this expiry never signs anyone in again, even if it was copied."""
    with transaction(con) as cur:
        users_db.revoke_token(cur, username, expires, _now())


def is_revoked(con, username: str, expires: float) -> bool:
    with con.cursor() as cur:
        return users_db.is_token_revoked(cur, username, expires)


def active_user(con, username: str | None) -> User | None:
    """The server-side record that decides role and department; None if unknown or deactivated."""
    if not username:
        return None
    with con.cursor() as cur:
        user = users_db.get_user(cur, username)
    return user if user is not None and user.active else None


def credentials(con) -> dict:
    with con.cursor() as cur:
        return users_db.sign_in_credentials(cur)


# Demo accounts: created only in a demo database, listed in the README. Never in production.
DEMO_PASSWORD = "Rewari@2026"
DEMO_USERS = (
    User("dc_rewari", "उपायुक्त कार्यालय रेवाड़ी (DC Office)", Role.DC, None),
    User("officer_phed", "XEN, PHED Rewari", Role.OFFICER, "PHED"),
    User("officer_ulb", "Executive Officer, MC Rewari", Role.OFFICER, "ULB"),
    User("officer_pwd", "XEN, PWD (B&R) Rewari", Role.OFFICER, "PWD"),
    User("officer_power", "XEN, DHBVN Rewari", Role.OFFICER, "POWER"),
    User("officer_dp", "DDPO Rewari", Role.OFFICER, "DP"),
    User("analyst_rewari", "District Planning Analyst", Role.ANALYST, None),
    User("admin_rewari", "IT Cell Rewari", Role.ADMIN, None),
)


def create_demo_users(con) -> None:
    password_hash = auth.hash_password(DEMO_PASSWORD)     # one bcrypt for all: start-up stays quick
    with transaction(con) as cur:
        for user in DEMO_USERS:
            if users_db.get_user(cur, user.username) is None:
                users_db.add_user(cur, user, password_hash, _now())
