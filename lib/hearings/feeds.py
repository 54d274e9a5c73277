"""Calendar feeds: an officer's hearings at a secret address a calendar app subscribes to,
`/api/ical/<token>.ics` (served by lib/ops/ical_api.py).

The token is 32 random bytes (URL-safe text, 256 bits) shown once, when it is made; the database keeps
its SHA-256 (a random 256-bit secret needs no slow hash), as with partners' API keys. Each user has one
feed: making a new one replaces it, so the old address stops at once. A feed also stops when its user
is deactivated or their session version moves on (a password reset, a new role or department): the
same events that end their sign-ins.

The feed is calendar_export's .ics of the hearings the user's calendar page shows (a department officer
their own, the DC's office the district's), from 30 days back to a year ahead: the tracking number and
the video room, never the citizen's name, mobile or ID."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from lib.core.i18n import Language, t
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import Role, User
from lib.db import calendar_feeds as feeds_db
from lib.db.connect import retrying, transaction
from lib.db.staff import users as users_db
from lib.hearings import calendar_export, officers
from lib.hearings.booking import IST
from lib.staff import audit

FEED_ROLES = frozenset({Role.DC, Role.OFFICER})      # the roles with a hearings calendar page
TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 64                                  # longer is no token of ours: not even hashed
DAYS_BACK, DAYS_AHEAD = 30, 366                       # as the calendar page's .ics download
FETCH_ACTION = "calendar_feed.fetch"
REFUSED_ACTOR = "ical:refused"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_path(token: str) -> str:
    return f"/api/ical/{token}.ics"


def feed_url(public_url: str, token: str) -> str:
    """The address to paste into a calendar app, on the portal's public address."""
    return public_url.rstrip("/") + feed_path(token)


def make_feed(con, user: User, language: str, now: datetime | None = None) -> str:
    """A new feed for the user, replacing their old one; the token is returned here and never again."""
    if user.role not in FEED_ROLES:
        raise InvalidInput(Problem("calendar_feed", "agenda.feed.error.role"))
    now = now or datetime.now(timezone.utc)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    language = language if language in tuple(Language) else Language.HINDI

    def write() -> None:
        with transaction(con) as cur:
            found = users_db.get_user_session(cur, user.username)
            if found is None or not found[0].active or found[0].role not in FEED_ROLES:
                raise InvalidInput(Problem("calendar_feed", "agenda.feed.error.role"))
            feeds_db.save_feed(cur, user.username, token_hash(token), found[1], language, now)
            audit.record(cur, user.username, "calendar_feed.make", user.username, None, now)    # never the token
    retrying(write)
    return token


def stop_feed(con, user: User, now: datetime | None = None) -> bool:
    """Stop the user's feed; False if they had none."""
    now = now or datetime.now(timezone.utc)

    def write() -> bool:
        with transaction(con) as cur:
            stopped = feeds_db.delete_feed(cur, user.username)
            if stopped:
                audit.record(cur, user.username, "calendar_feed.stop", user.username, None, now)
            return stopped
    return retrying(write)


def live_feed_since(con, username: str) -> datetime | None:
    """When the user's working feed was made; None if they have none (or it has stopped)."""
    with con.cursor() as cur:
        return feeds_db.live_feed_since(cur, username)


def feed_owner(con, token: str | None) -> tuple[User, str] | None:
    """(the user, the feed's language) of a live feed with this token; None for any other token."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    with con.cursor() as cur:
        row = feeds_db.feed_owner(cur, token_hash(token))
    if row is None:
        return None
    user = User(username=row[0], display_name=row[1], role=Role(row[2]), department_code=row[3], active=row[4])
    return (user, row[5]) if user.role in FEED_ROLES else None


def feed_ics(con, user: User, language: str, now: datetime) -> str:
    """The user's hearings as an .ics: what their calendar page shows, the DC's office every officer's."""
    today = now.astimezone(IST).date()
    hearings = calendar_export.scheduled_hearings(con, user, today - timedelta(days=DAYS_BACK),
                                                  today + timedelta(days=DAYS_AHEAD))
    titles = officers.titles(officers.list_officers(con), language)
    name = (t(language, "agenda.feed.name_district") if user.role == Role.DC
            else t(language, "agenda.ics_name", officer=titles.get(user.username, user.display_name)))
    return calendar_export.hearings_ics(hearings, name, language, titles, now)


def serve_feed(con, token: str | None, now: datetime | None = None) -> str | None:
    """The .ics for a calendar app's fetch, or None (unknown, replaced or stopped token, or a user whose
    feed stopped). Every fetch is audited: the user (or ical:refused) and the answer's code, never the token."""
    now = now or datetime.now(timezone.utc)
    owner = feed_owner(con, token)
    body = feed_ics(con, owner[0], owner[1], now) if owner else None

    def write() -> None:
        with transaction(con) as cur:
            audit.record(cur, owner[0].username if owner else REFUSED_ACTOR, FETCH_ACTION, None,
                         "200" if owner else "404", now)
    retrying(write)
    return body
