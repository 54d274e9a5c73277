"""The portal's own HTTP additions to Streamlit's server (mounted by portal.py through st.App):
`/api/health`, a readiness check that sees the database, the Open311 API for partner systems
(`/api/open311/v2/...` and `/api/openapi.json`, lib/ops/open311_api.py), officers' calendar feeds
(`/api/ical/<token>.ics`, lib/ops/ical_api.py), gzip for Streamlit's static assets, and lighter copies
of its two web fonts (lib/ops/fonts.py).

Both run in Streamlit's own server process, beside the pages, so the health check uses the
process's one DuckDB connection (`startup.portal_database`, the one `ui.connection()` returns), never
a second one (DuckDB: one writer). It does not import lib.ui: components declared outside a page's run
(the sign-in cookie's) would never be registered with Streamlit's server."""
from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lib.core.config import Settings
from lib.db import connect as db
from lib.ops import fonts, ical_api, open311_api, startup

log = logging.getLogger(__name__)

HEALTH_PATH = "/api/health"
# Opening a brand-new demo database seeds it first (seconds); until then the check says 503.
HEALTH_TIMEOUT_S = 5.0
STATIC_PREFIX = "/static/"
FONT_PREFIX = fonts.MEDIA_URL
GZIP_MINIMUM_BYTES = 1000
GZIP_LEVEL = 6
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json",
                "image/svg+xml", "application/wasm")
FONT_HEADERS = {"content-type": "font/woff2", "cache-control": "public, immutable, max-age=31536000"}


def _schema_version(settings: Callable[[], Settings]) -> int:
    """The schema version, read through the process's connection (opened here if no page has yet)."""
    return db.schema_version(startup.portal_database(settings()))


async def health(request: Request, settings: Callable[[], Settings]) -> JSONResponse:
    """200 {"status": "ok", "schema_version": N} once the database answers a query; 503 otherwise
    (not opened yet, held by another process, failing, or slower than HEALTH_TIMEOUT_S)."""
    try:
        version = await asyncio.wait_for(
            anyio.to_thread.run_sync(_schema_version, settings), HEALTH_TIMEOUT_S)
    except asyncio.TimeoutError:
        return JSONResponse({"status": "unavailable", "reason": "database not answering yet"}, status_code=503)
    except Exception as exc:     # the reason goes to the log only: the answer is public
        log.warning("health check: the database does not answer: %s", exc)
        return JSONResponse({"status": "unavailable", "reason": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "schema_version": version},
                        headers={"Cache-Control": "no-store"})


class StaticGzipMiddleware:
    """Gzip Streamlit's static assets (JS, CSS, JSON under /static/), compressed once per asset.

    Streamlit 1.67's own gzip middleware deliberately skips /static/: it would compress the 4.7 MB
    plotly bundle again on every request. These files are content-hashed and never change while the
    process runs, so each is compressed once (in a worker thread) and kept; a citizen's first visit
    then downloads about a quarter of the bytes. Conditional and range requests, other methods and
    other paths pass through untouched (Streamlit's middleware still compresses its other answers).

    Streamlit's icon font and Latin font are answered with the portal's lighter copies (lib/ops/fonts.py;
    fonts are not gzipped: woff2 is compressed already)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cache: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        copy = font_copy(scope)
        if copy is not None:
            await self._send(send, *copy)
            return
        if scope["type"] != "http" or not self._wanted(scope):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path not in self._cache:
            status, headers, body = await self._capture(scope, receive)
            if not self._compressible(status, headers, body):
                await self._send(send, status, headers, body)
                return
            self._cache[path] = await anyio.to_thread.run_sync(self._compress, status, headers, body)
        await self._send(send, *self._cache[path])

    @staticmethod
    def _wanted(scope: Scope) -> bool:
        if scope["method"] != "GET" or not scope["path"].startswith(STATIC_PREFIX):
            return False
        headers = Headers(scope=scope)
        if any(h in headers for h in ("range", "if-none-match", "if-modified-since")):
            return False
        accepted = [part.split(";")[0].strip() for part in headers.get("accept-encoding", "").split(",")]
        return "gzip" in accepted

    async def _capture(self, scope: Scope, receive: Receive) -> tuple[int, list, bytes]:
        start: dict = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        return start["status"], list(start.get("headers", [])), b"".join(chunks)

    @staticmethod
    def _compressible(status: int, raw_headers: list, body: bytes) -> bool:
        headers = Headers(raw=raw_headers)
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        return (status == 200 and "content-encoding" not in headers and len(body) >= GZIP_MINIMUM_BYTES
                and media_type.startswith(COMPRESSIBLE))

    @staticmethod
    def _compress(status: int, raw_headers: list, body: bytes) -> tuple[int, list, bytes]:
        compressed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        headers = MutableHeaders(raw=list(raw_headers))
        headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(compressed))
        headers.add_vary_header("Accept-Encoding")
        if headers.get("etag", "").startswith('"'):      # another encoding of the same bytes (as nginx)
            headers["ETag"] = "W/" + headers["etag"]
        return status, headers.raw, compressed

    @staticmethod
    async def _send(send: Send, status: int, headers: list, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@functools.cache
def _font_answer(file: Path) -> tuple[int, list, bytes]:
    body = file.read_bytes()
    headers = MutableHeaders(headers={**FONT_HEADERS, "content-length": str(len(body)),
                                      "etag": f'"portal-{hashlib.sha256(body).hexdigest()[:32]}"'})
    return 200, headers.raw, body


def font_copy(scope: Scope) -> tuple[int, list, bytes] | None:
    """The answer with the portal's copy of the font a GET asks for, or None (another file, or no copy).
    Always the whole file: the name is content-hashed and cached for a year, so a browser holding the
    copy never asks again, and one holding Streamlit's original asks without a condition we could match.
    Under a `server.baseUrlPath` the media folder follows the base path."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    _, media, name = scope["path"].partition(FONT_PREFIX)
    if not media or "/" in name:
        return None
    if name == fonts.devanagari_name():
        return _font_answer(fonts.DEVANAGARI)
    for prefix, copy in fonts.REPLACED:
        if name.startswith(prefix) and name.endswith(".woff2") and copy.is_file():
            return _font_answer(copy)
    return None


def routes(settings: Callable[[], Settings]) -> list[Route]:
    """`settings` gives this process's Settings (portal.py reads them as lib/ui does)."""
    return [Route(HEALTH_PATH, partial(health, settings=settings), methods=["GET"]),
            *open311_api.routes(settings), *ical_api.routes(settings)]


def middleware() -> list[Middleware]:
    return [Middleware(StaticGzipMiddleware)]
