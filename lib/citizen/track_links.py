"""The signed link in the citizen's own SMS: it opens the track page with the complaint's details.

The signature is an HMAC over the complaint's id under a key derived for this purpose only, cut to
128 bits: unguessable, and a link for one complaint never opens another. The link carries no
expiry of its own because the SMS that carries it is sent before anyone knows when the complaint
will close; the page checks that instead: a link works until LINK_LIFE after the complaint was
closed or rejected (a reopened complaint's link works again).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

from lib.citizen.track_guard import derived_key
from lib.core.complaints import normalise_tracking_number
from lib.core.config import Settings
from lib.db import tracking as tracking_db

LINK_LIFE = timedelta(days=30)
_LABEL = "track-link"


def link_signature(settings: Settings, complaint_id: int) -> str:
    mac = hmac.new(derived_key(settings, _LABEL), f"complaint:{complaint_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def signed_track_url(settings: Settings, track_url: str, complaint_id: int, tracking_no: str,
                     language: str | None = None) -> str:
    """The track page's address for this complaint: `?t=<tracking number>&sig=<signature>`, and
    `&lang=hi|en` when the citizen's language is given, so the page opens in the language they filed in."""
    params = {"t": tracking_no, "sig": link_signature(settings, complaint_id)}
    if language:
        params["lang"] = language
    return f"{track_url}?{urlencode(params)}"


def open_signed_link(cur, settings: Settings, tracking_raw: str, signature: str, now: datetime) -> int | None:
    """The complaint's id when the link is genuine and not expired; None otherwise (one answer for
    every way of being wrong)."""
    tracking_no = normalise_tracking_number(tracking_raw or "")
    row = tracking_db.find_by_tracking_no(cur, tracking_no or "")
    # Compare even when no complaint matched, so a wrong number costs what a wrong signature does.
    expected = link_signature(settings, row[0] if row else 0)
    genuine = hmac.compare_digest(expected.encode(), str(signature or "").encode())
    if row is None or not genuine:
        return None
    closed = tracking_db.closed_at(cur, row[0])
    if closed is not None and now >= closed + LINK_LIFE:
        return None
    return row[0]
