"""Signing officers in and out: the failed-sign-in rules, the sign-in cookie's token, session versions, and the server-side user record."""
from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum

import jwt

from lib.staff import auth
from lib.core.roles import Role, User
from lib.db.staff import users as users_db
from lib.db.connect import retrying, transaction

UNKNOWN_CLIENT = "unknown"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _username(username: str | None) -> str:
    return (username or "").strip().lower()           # as the sign-in form sends it


def attempt_key(username: str, client: str | None) -> str:
    """Failures are counted per username *and* client, so nobody elsewhere can lock the DC out."""
    return f"{_username(username)}|{client or UNKNOWN_CLIENT}"


def is_locked(con, username: str, client: str | None, now: datetime | None = None) -> bool:
    now = now or _now()
    with con.cursor() as cur:
        failures = users_db.count_failures(cur, attempt_key(username, client), auth.window_start(now))
    return auth.is_locked(failures)


def paused_until(con, username: str, client: str | None, now: datetime | None = None) -> datetime | None:
    """Until when attempts for this username are refused from this client because of failures from
    all clients together (None: not refused). A client the user signed in from lately is exempt."""
    now = now or _now()
    name = _username(username)
    with con.cursor() as cur:
        if _rememberable(client) and users_db.is_known_client(cur, name, client, now - auth.KNOWN_CLIENT_DAYS):
            return None
        failures, last = users_db.username_failures(cur, name, auth.window_start(now))
    until = auth.username_pause_until(failures, last)
    return until if until is not None and until > now else None


# The same officer may sign in (or out) from one desk in several tabs at once, and each attempt
# writes the same rows: the loser of such a race is tried again rather than shown an error page.

def note_failure(con, username: str, client: str | None, now: datetime | None = None) -> None:
    def write() -> None:
        with transaction(con) as cur:
            users_db.record_failure(cur, attempt_key(username, client), _username(username), now or _now())
    retrying(write)


def note_success(con, username: str, client: str | None, now: datetime | None = None) -> None:
    def write() -> None:
        with transaction(con) as cur:
            users_db.clear_failures(cur, attempt_key(username, client))
            if _rememberable(client):
                users_db.record_sign_in_client(cur, _username(username), client, now or _now())
    retrying(write, upsert=True)


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    FAILED = "failed"            # wrong username or password (never says which)
    LOCKED = "locked"            # too many failures from this client
    PAUSED = "paused"            # too many failures for this username from everywhere


def check_sign_in(con, credentials: dict, username: str, password: str, client: str | None,
                  check_password) -> Outcome:
    """One attempt at the form. `check_password(username, password)` is the library's bcrypt check
    of a user in `credentials`; an unknown username gets a check of the same cost."""
    if is_locked(con, username, client):
        return Outcome.LOCKED
    if paused_until(con, username, client) is not None:
        return Outcome.PAUSED
    if username in credentials["usernames"]:
        good = check_password(username, password) is True
    else:
        auth.spend_password_check(password)
        good = False
    if good:
        note_success(con, username, client)
        return Outcome.SIGNED_IN
    note_failure(con, username, client)
    return Outcome.FAILED


# ---- where a sign-in comes from ----

def _is_in(address: str, networks: Sequence) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_from(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence) -> str:
    """The client of a connection: the socket peer, unless that peer is a trusted proxy; then the
    right-most X-Forwarded-For hop that is not itself a trusted proxy (hops to its left were written
    by the client and prove nothing)."""
    if not peer:
        return UNKNOWN_CLIENT
    if not _is_in(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop if _is_ip(hop) else UNKNOWN_CLIENT
    return peer


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _rememberable(client: str | None) -> bool:
    """Only a real remote address can be a known client: "unknown" or a loopback peer (a proxy on
    this machine that we were not told to trust) stands for everybody."""
    try:
        return not ipaddress.ip_address(client or "").is_loopback
    except ValueError:
        return False


# ---- the sign-in cookie ----

@dataclass(frozen=True)
class Token:
    username: str
    expires: float               # unix seconds; logout revokes (username, expires)
    version: int                 # the user's session version when this sign-in began


def make_token(token: Token, key: str) -> str:
    return jwt.encode({"username": token.username, "exp_date": token.expires, "ver": token.version},
                      key, algorithm="HS256")


def read_token(raw: object, key: str, now: datetime | None = None) -> Token | None:
    """The cookie's token if it is ours, well formed and unexpired; None for anything else (forged,
    damaged, from an older release without a session version, or expired) - never an exception."""
    if not isinstance(raw, str) or not raw or len(raw) > 4096:
        return None
    try:
        claims = jwt.decode(raw, key, algorithms=["HS256"], options={"require": ["username", "exp_date", "ver"]})
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    username, expires, version = claims.get("username"), claims.get("exp_date"), claims.get("ver")
    if not (isinstance(username, str) and username and isinstance(version, int) and not isinstance(version, bool)
            and isinstance(expires, (int, float)) and not isinstance(expires, bool) and math.isfinite(expires)):
        return None
    if expires <= (now or _now()).timestamp():
        return None
    return Token(username, float(expires), version)


def session_user(con, username: str | None, version: int | None) -> User | None:
    """The server-side record of a signed-in session: None if the user is unknown or deactivated,
    or if their session version moved on (password reset, deactivation, new role or department)."""
    if not username or version is None:
        return None
    with con.cursor() as cur:
        found = users_db.get_user_session(cur, username)
    if found is None or not found[0].active or found[1] != version:
        return None
    return found[0]


def current_version(con, username: str) -> int | None:
    """The session version a session signed in without one adopts (see lib.ui.signin)."""
    with con.cursor() as cur:
        found = users_db.get_user_session(cur, username)
    return found[1] if found else None


def revoke(con, username: str, expires: float) -> None:
    """Logout: the cookie with this expiry never signs anyone in again, even if it was copied."""
    def write() -> None:
        with transaction(con) as cur:
            users_db.revoke_token(cur, username, expires, _now())
    retrying(write, upsert=True)


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
    # -- assisted filing (issue #15) --
    User("operator_csc", "CSC Operator, Dharuhera", Role.OPERATOR, None),
    # ---- appeals (issue #15) ----
    User("adc_rewari", "अतिरिक्त उपायुक्त रेवाड़ी (ADC, appellate officer)", Role.APPELLATE, None),
)
DEMO_CENTRES = {"operator_csc": "CSC Dharuhera"}     # an operator's centre (assisted filing)


def create_demo_users(con) -> None:
    password_hash = auth.hash_password(DEMO_PASSWORD)     # one bcrypt for all: start-up stays quick
    with transaction(con) as cur:
        for user in DEMO_USERS:
            if users_db.get_user(cur, user.username) is None:
                users_db.add_user(cur, user, password_hash, _now(), DEMO_CENTRES.get(user.username))
