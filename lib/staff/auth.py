"""Officers' sign-in rules: who a user is, password hashes, and the failed-sign-in window."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt

from lib.core.roles import Role

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
DEFAULT_SESSION_HOURS = 9.0          # a working day; the sign-in cookie lives no longer


def hash_password(password: str) -> str:
    """bcrypt, as streamlit-authenticator checks it. bcrypt reads at most 72 bytes: refuse longer."""
    encoded = password.encode("utf-8")
    if not (8 <= len(password) and len(encoded) <= 72):
        raise ValueError("a password needs 8 to 72 bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds=12)).decode()


def is_locked(failures_in_window: int) -> bool:
    """Locked while MAX_FAILURES or more failures fall inside the window for this username and
    client: a stranger elsewhere cannot lock the DC out, and any lock ends by itself."""
    return failures_in_window >= MAX_FAILURES


def window_start(now: datetime) -> datetime:
    return now - FAILURE_WINDOW
