"""Video rooms for hearings: an unguessable room name on a configurable Jitsi server, and its join link."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

JITSI_URL_VARIABLE = "ESACHIVALAYA_JITSI_URL"
# The public server is only the demo default; in real use the district runs its own Jitsi.
DEFAULT_JITSI_URL = "https://meet.jit.si"
ROOM_PREFIX = "esachivalaya-"
# 24 random bytes = 192 bits. Jitsi may fold room names to lower case, which leaves about 5.2 bits of
# each of the 32 url-safe characters, still well over 128 bits. Nothing about the complaint or the
# citizen goes into the name: knowing a tracking number must not let anyone walk into a hearing.
ROOM_RANDOM_BYTES = 24


def jitsi_base_url(env: Mapping[str, str] = os.environ) -> str:
    """The Jitsi server's address from ESACHIVALAYA_JITSI_URL, else the public demo server."""
    url = (env.get(JITSI_URL_VARIABLE) or DEFAULT_JITSI_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{JITSI_URL_VARIABLE} must be an http(s) address like https://meet.example.gov.in, not {url!r}")
    return url


def new_room_name() -> str:
    return ROOM_PREFIX + secrets.token_urlsafe(ROOM_RANDOM_BYTES)


def room_url(room: str, env: Mapping[str, str] = os.environ) -> str:
    return f"{jitsi_base_url(env)}/{room}"
