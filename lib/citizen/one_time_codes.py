"""One-time codes sent by SMS: what every code of the portal shares, whatever it proves.

A code is 6 digits, good for CODE_LIFE and WRONG_TRIES mistakes; only the newest code of its
subject counts, at most CODES_PER_HOUR are sent per subject, and only a keyed hash of it is stored
(the key derived for the code's own purpose, so a code made for one purpose never verifies for
another). Used by the track page (lib/citizen/track_codes.py: the citizen proves they hold the
complaint's mobile) and by assisted filing (lib/citizen/assisted.py: the citizen confirms a
complaint a CSC operator is about to file for them). Each keeps its codes in its own table.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable

from lib.citizen.track_guard import derived_key
from lib.core.config import Settings

CODE_LIFE = timedelta(minutes=10)
WRONG_TRIES = 3
CODES_PER_HOUR = 3
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class CodeSent:
    """A code is on its way (`to`: the masked mobile), or none was sent before `retry_at`."""
    to: str | None = None
    retry_at: datetime | None = None


class CodeCheck(StrEnum):
    """What became of a code the citizen typed."""
    ACCEPTED = "accepted"
    WRONG = "wrong"            # tries are left
    SPENT = "spent"            # too many wrong tries, or already used: ask for a new code
    EXPIRED = "expired"
    NONE_SENT = "none_sent"


@dataclass(frozen=True)
class StoredCode:
    """The newest code of a subject as its table holds it."""
    code_id: int
    code_hash: str
    expires_at: datetime
    wrong_tries: int
    used_at: datetime | None


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def code_hash(settings: Settings, purpose: str, code_id: int, code: str) -> str:
    return hmac.new(derived_key(settings, purpose), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def retry_at(sent: int, oldest: datetime | None) -> datetime | None:
    """When the next code may be sent, if CODES_PER_HOUR have been sent in the last hour."""
    return oldest + HOUR if sent >= CODES_PER_HOUR and oldest is not None else None


def judge(settings: Settings, purpose: str, stored: StoredCode | None, typed: str, now: datetime,
          add_wrong_try: Callable[[int], int]) -> tuple[CodeCheck, int]:
    """(what the typed code is, wrong tries left). A wrong code is counted through `add_wrong_try`
    (code id -> tries so far); ACCEPTED means right and unspent: the caller spends it, in the
    transaction whose work the code allows."""
    code = "".join(ch for ch in str(typed or "") if not ch.isspace())
    if stored is None:
        return CodeCheck.NONE_SENT, 0
    if stored.used_at is not None or stored.wrong_tries >= WRONG_TRIES:
        return CodeCheck.SPENT, 0
    if now >= stored.expires_at:
        return CodeCheck.EXPIRED, 0
    if hmac.compare_digest(stored.code_hash, code_hash(settings, purpose, stored.code_id, code)):
        return CodeCheck.ACCEPTED, 0
    left = WRONG_TRIES - add_wrong_try(stored.code_id)
    return (CodeCheck.WRONG, left) if left > 0 else (CodeCheck.SPENT, 0)
