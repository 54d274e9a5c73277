"""The calendar feed's route, /api/ical/<token>.ics, as portal.py mounts it (lib/ops/web.py `routes`), driven
through Starlette's own routing in this process: text/calendar a calendar app reads, a bare 404 for any
token that does not work, nothing cached. The running portal's answers are in tests/e2e/test_calendar_feed.py."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio
import icalendar
import pytest
from starlette.applications import Starlette

from lib.hearings import feeds
from lib.ops import startup, web
from lib.staff import administration, signin
from tests.conftest import add_demo_accounts

USERS = {u.username: u for u in signin.DEMO_USERS}


@pytest.fixture
def portal_con(settings):
    con = startup.portal_database(settings)
    add_demo_accounts(con)
    yield con
    startup.release_portal_database(con)


def get(settings, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One request through the portal's extra routes: (status, headers with lower-case names, body)."""
    app = Starlette(routes=web.routes(lambda: settings))
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"portal.test")], "client": ("10.0.0.9", 50000), "server": ("portal.test", 80)}
    # In a thread of its own: after the browser tests, Playwright's event loop runs in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(anyio.run, app, scope, receive, send).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_a_live_token_gets_its_hearings_as_text_calendar_and_nothing_is_cached(settings, portal_con):
    token = feeds.make_feed(portal_con, USERS["dc_rewari"], "en")
    status, headers, body = get(settings, f"/api/ical/{token}.ics")
    assert status == 200
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Hearings: Rewari district" and calendar.walk("VEVENT") == []
    assert portal_con.execute("SELECT actor, detail FROM audit_log WHERE action = 'calendar_feed.fetch'"
                              ).fetchall() == [("dc_rewari", "200")]


def test_every_token_that_does_not_work_is_the_same_bare_404(settings, portal_con):
    old = feeds.make_feed(portal_con, USERS["officer_phed"], "en")
    new = feeds.make_feed(portal_con, USERS["officer_phed"], "en")
    gone = feeds.make_feed(portal_con, USERS["officer_ulb"], "en")
    administration.set_user_active(portal_con, "officer_ulb", False, "admin_rewari")
    answers = [get(settings, f"/api/ical/{token}.ics") for token in (old, gone, "no-such-token", "x" * 300)]
    assert {(status, body) for status, _, body in answers} == {(404, b"")}
    assert get(settings, f"/api/ical/{new}.ics")[0] == 200
    assert get(settings, f"/api/ical/{new}.ics", "POST")[0] == 405
    assert get(settings, f"/api/ical/{new}")[0] == 404                          # the address ends in .ics
    audit = portal_con.execute("SELECT actor, detail FROM audit_log WHERE action = 'calendar_feed.fetch'"
                               " ORDER BY id").fetchall()
    assert audit == [("ical:refused", "404")] * 4 + [("officer_phed", "200")]
