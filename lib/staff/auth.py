"""Officers' sign-in rules: password hashes, the failed-sign-in window per client, and the slow-down per username."""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt

from lib.core.roles import Role

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
DEFAULT_SESSION_HOURS = 9.0          # a working day; the sign-in cookie lives no longer

# Failures for one username from all clients together: past USERNAME_FREE_FAILURES inside the
# window, each further failure makes every client (but those the user signed in from lately) wait
# a doubling pause, at most USERNAME_MAX_PAUSE. Refused attempts do not count, so the pause never
# outlasts the attacker's last real attempt by more than USERNAME_MAX_PAUSE.
USERNAME_FREE_FAILURES = 10
USERNAME_FIRST_PAUSE = timedelta(seconds=30)
USERNAME_MAX_PAUSE = timedelta(minutes=5)
KNOWN_CLIENT_DAYS = timedelta(days=30)  # a client the user signed in from is exempt from the pause


def hash_password(password: str) -> str:
    """bcrypt, as streamlit-authenticator checks it. bcrypt reads at most 72 bytes: refuse longer."""
    encoded = password.encode("utf-8")
    if not (8 <= len(password) and len(encoded) <= 72):
        raise ValueError("a password needs 8 to 72 bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds=12)).decode()


@functools.cache
def dummy_hash() -> str:
    """A hash made once, the same way and cost as real ones, for usernames that do not exist."""
    return hash_password(secrets.token_urlsafe(24))


def spend_password_check(password: str) -> None:
    """Check the password against the dummy hash and throw the answer away: an unknown username
    then costs the same bcrypt time as a wrong password, so timing does not tell which usernames
    exist."""
    try:
        bcrypt.checkpw(password.encode("utf-8"), dummy_hash().encode())
    except ValueError:     # over 72 bytes: refused at once, as the library does for a real user
        pass


def username_pause_until(failures_in_window: int, last_failure: datetime | None) -> datetime | None:
    """Until when this username refuses new attempts (None: it does not)."""
    extra = failures_in_window - USERNAME_FREE_FAILURES
    if extra < 0 or last_failure is None:
        return None
    pause = min(USERNAME_FIRST_PAUSE * 2 ** min(extra, 20), USERNAME_MAX_PAUSE)
    return last_failure + pause


def is_locked(failures_in_window: int) -> bool:
    """Locked while MAX_FAILURES or more failures fall inside the window for this username and
    client: a stranger elsewhere cannot lock the DC out, and any lock ends by itself."""
    return failures_in_window >= MAX_FAILURES


def window_start(now: datetime) -> datetime:
    return now - FAILURE_WINDOW
