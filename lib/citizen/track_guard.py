"""The track page's guard against guessing: failed look-ups counted in the database per client and per mobile.

Counting in the database (not the browser session) means a reload, a new browser or a restart of
the portal forgets nothing. Each client gets CLIENT_FREE failures an hour and each mobile
MOBILE_FREE (typos happen); after that every further try waits, doubling from BASE_WAIT up to
MAX_WAIT after the latest failure. Failures older than WINDOW stop counting, so a stranger who
types someone's mobile on purpose can delay that citizen for at most an hour at a time, never
lock them out for good (and the signed link in their SMS keeps working meanwhile).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.core.config import Settings
from lib.db import tracking as tracking_db

WINDOW = timedelta(hours=1)
CLIENT_FREE = 10
MOBILE_FREE = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = WINDOW


def derived_key(settings: Settings, label: str) -> bytes:
    """A key for one purpose of the track page, derived from the Aadhaar HMAC secret under its own
    label: no new secret to back up, and a value made for one purpose never verifies for another.
    (Not the cookie key: rotating it to sign every officer out must not break citizens' links.)"""
    return hmac.new(settings.aadhaar_hmac_key, f"e-sachivalaya/{label}/v1".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Asker:
    """Who is looking, as the guard counts them: keyed hashes, never the address or number itself."""
    client_key: str
    mobile_key: str | None

    @classmethod
    def of(cls, settings: Settings, client: str, mobile: str | None) -> Asker:
        key = derived_key(settings, "track-guard")

        def digest(kind: str, value: str) -> str:
            return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

        return cls(digest("client", client or "unknown"), digest("mobile", mobile) if mobile else None)


def wait_after(failures: int, free: int, latest: datetime | None) -> datetime | None:
    """When the next try is allowed, given `failures` in the window; None when it is allowed now."""
    if latest is None or failures < free:
        return None
    return latest + min(MAX_WAIT, BASE_WAIT * 2 ** (failures - free))


def refused_until(cur, asker: Asker, now: datetime) -> datetime | None:
    """The moment this client (or anyone asking about this mobile) may try again, or None if now."""
    since = now - WINDOW
    tracking_db.forget_failures_before(cur, since)
    client_count, client_latest = tracking_db.failures_since(cur, "client_key", asker.client_key, since)
    mobile_count, mobile_latest = tracking_db.failures_since(cur, "mobile_key", asker.mobile_key, since)
    waits = [w for w in (wait_after(client_count, CLIENT_FREE, client_latest),
                         wait_after(mobile_count, MOBILE_FREE, mobile_latest)) if w and w > now]
    return max(waits) if waits else None


def note_failure(cur, asker: Asker, now: datetime) -> None:
    tracking_db.add_failure(cur, asker.client_key, asker.mobile_key, now)


def note_success(cur, asker: Asker) -> None:
    if asker.mobile_key:
        tracking_db.forget_pair(cur, asker.client_key, asker.mobile_key)
