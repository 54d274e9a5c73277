"""Officers' calendar feeds on the portal's own server (mounted by lib/ops/web.py through st.App):

    GET /api/ical/<token>.ics     the officer's hearings, for a calendar app to subscribe to

The token is the whole of the access control (lib/hearings/feeds.py): an unknown, replaced or stopped
token, or one whose officer was deactivated or had their password reset, is a bare 404 that says
nothing about which. The work runs in a worker thread on the process's one DuckDB connection
(startup.portal_database). Like web.py, this module does not import lib.ui."""
from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.core.config import Settings
from lib.hearings import feeds
from lib.ops import startup

FEED_PATH = "/api/ical/{token}.ics"
MEDIA_TYPE = "text/calendar; charset=utf-8"
# The address is a secret: no cache keeps it, no search engine lists it, no link passes it on.
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
log = logging.getLogger(__name__)


def routes(settings: Callable[[], Settings]) -> list[Route]:
    async def feed(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            body = await anyio.to_thread.run_sync(
                lambda: feeds.serve_feed(startup.portal_database(settings()), token))
        except Exception:           # the details go to the log only: the answer is public
            log.exception("calendar feed: the fetch failed")      # the SQL only ever saw the token's hash
            return Response(status_code=503, headers=HEADERS)
        if body is None:
            return Response(status_code=404, headers=HEADERS)
        return Response(body.encode("utf-8"), media_type=MEDIA_TYPE,
                        headers={**HEADERS, "Content-Disposition": 'inline; filename="hearings.ics"'})

    return [Route(FEED_PATH, feed, methods=["GET"], name="calendar_feed")]
