"""The Open311 GeoReport v2 API on the portal's own server (mounted by lib/ops/web.py through st.App):

    GET  /api/open311/v2/services.json            the complaint categories
    GET  /api/open311/v2/services/{code}.json     the attributes a category needs
    POST /api/open311/v2/requests.json            file a complaint (api_key of a partner system)
    GET  /api/open311/v2/requests.json            requests by id, or the partner's own (api_key)
    GET  /api/open311/v2/requests/{id}.json       one request's status
    GET  /api/openapi.json                        the OpenAPI document of these routes

Each route also answers in GeoReport's XML when its path ends in .xml instead of .json.

Every call is counted against its rate-limit bucket (the key, or the client address without one),
answered 429 past the limit, and written to the audit trail (who, which call, the HTTP status and
problem codes, never what was sent). The work runs in a worker thread on the process's one DuckDB
connection (startup.portal_database). Like web.py, this module does not import lib.ui."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lib.citizen import filing
from lib.core.complaints import TRACKING_RE
from lib.core.config import Settings
from lib.core.i18n import t
from lib.core.problems import Problem
from lib.ops import startup
from lib.partners import intake, keys, open311, openapi, xml
from lib.staff.signin import client_from

PREFIX = "/api/open311/v2"
OPENAPI_PATH = "/api/openapi.json"
FORMATS = ("json", "xml")             # every route answers in either, by its ending
MAX_BODY_BYTES = 36 * 1024 * 1024      # a 25 MB ID document, base64-encoded, and the form around it
log = logging.getLogger(__name__)


class _Body(Exception):
    pass


async def _fields(request: Request) -> dict:
    """The query string, and for a POST its form-urlencoded or JSON body (at most MAX_BODY_BYTES)."""
    fields: dict = dict(request.query_params)
    if request.method != "POST":
        return fields
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Body()
        chunks.append(chunk)
    body = b"".join(chunks)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            parsed = json.loads(body or b"{}")
            if not isinstance(parsed, dict):
                raise _Body()
            fields.update({k: _text(v) for k, v in parsed.items()})
        else:
            fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        raise _Body() from None
    return fields


def _text(value):
    """A JSON value as a form would have sent it: text (numbers too); "attribute" an object of texts."""
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in value.items() if not isinstance(v, (dict, list))}
    if value is None or isinstance(value, (list, bool)):
        return "" if value is None or isinstance(value, list) else str(value).lower()
    return str(value)


def _answer(status: int, body, action: str, fmt: str, headers: dict | None = None) -> Response:
    headers = {"Cache-Control": "no-store", **(headers or {})}
    if fmt == "xml":
        return Response(xml.render(action if status == 200 else "errors", body), status_code=status,
                        media_type="application/xml", headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _count(con, partner, client: str) -> None:
    """Count the call against the key, or the client address without one (a refused key too)."""
    try:
        keys.count_call(con, f"key:{partner.id}" if partner else f"client:{client}",
                        keys.CALLS_PER_MINUTE if partner else keys.PUBLIC_CALLS_PER_MINUTE)
    except keys.RateLimited as exc:
        raise open311.ApiError(429, [Problem("api_key" if partner else "client", "api.error.rate",
                                             {"seconds": exc.retry_after_s})],
                               {"Retry-After": str(exc.retry_after_s)}) from None


def _call(settings: Settings, action: str, fields: dict, client: str, language: str,
          work: Callable) -> tuple[int, object, dict]:
    """Key, rate limit, the work itself, audit: (status, body, headers). Runs in a worker thread."""
    con = None
    actor, target, status, headers, problem_keys = "api:public", None, 200, {}, ""
    try:
        con = startup.portal_database(settings)
        open311.check_jurisdiction(fields.get("jurisdiction_id"))
        partner = None
        if fields.get("api_key") or action == "open311.requests.create":
            try:
                partner = keys.partner_of_key(con, fields.get("api_key"))
            except keys.KeyRefused:
                actor = "api:refused"
                _count(con, None, client)
                raise open311.ApiError(403, [Problem("api_key", "api.error.key")]) from None
            actor = partner.channel
        _count(con, partner, client)
        body, target = work(con, partner)
    except open311.ApiError as exc:
        status, body, headers = exc.status, exc.body(language), exc.headers
        problem_keys = " " + ",".join(sorted({p.key for p in exc.problems}))
    except Exception:                   # the details go to the log only: the answer is public
        log.exception("Open311 %s failed", action)
        status, problem_keys = 500, " api.error.internal"
        body = [{"code": 500, "description": t(language, "api.error.internal")}]
    if con is not None:
        try:
            keys.record_call(con, actor, action, target, f"{status}{problem_keys}")
        except Exception:               # an unwritable audit trail must not hide the answer itself
            log.exception("Open311 %s: the audit entry could not be written", action)
    return status, body, headers


def _audit_refusal(settings: Settings, action: str, error: open311.ApiError) -> None:
    """The audit entry of a call refused before its fields could be read (unknown format, bad body)."""
    try:
        keys.record_call(startup.portal_database(settings), "api:public", action, None,
                         f"{error.status} " + ",".join(sorted({p.key for p in error.problems})))
    except Exception:
        log.exception("Open311 %s: the audit entry could not be written", action)


async def _serve(request: Request, settings: Callable[[], Settings], action: str, work: Callable) -> Response:
    language = open311.api_language(request.headers.get("accept-language"))
    client = client_from(request.client.host if request.client else None,
                         request.headers.getlist("x-forwarded-for"), settings().trusted_proxies)
    fmt = request.path_params.get("fmt")
    error = None
    if fmt not in FORMATS:
        fmt, error = "json", open311.ApiError(404, [Problem("format", "api.error.format")])
    else:
        try:
            fields = await _fields(request)
        except _Body:
            error = open311.ApiError(400, [Problem("body", "api.error.body", {"max_mb": MAX_BODY_BYTES // 2**20})])
    if error is not None:
        await anyio.to_thread.run_sync(_audit_refusal, settings(), action, error)
        return _answer(error.status, error.body(language), action, fmt)
    status, body, headers = await anyio.to_thread.run_sync(
        _call, settings(), action, fields, client, language, partial(work, fields=fields, language=language,
                                                                     settings=settings, path=request.path_params))
    return _answer(status, body, action, fmt, headers)


def _choices(con) -> filing.FormChoices:
    return filing.load_form_choices(con)


def _services(con, partner, *, fields, language, settings, path):
    return open311.services(_choices(con)), None


def _definition(con, partner, *, fields, language, settings, path):
    # The audit names only a code the district has (a caller's path may hold anything).
    choices = _choices(con)
    known = path["code"] if path["code"] in choices.categories else None
    return open311.service_definition(choices, path["code"]), known


def _create(con, partner, *, fields, language, settings, path):
    body, tracking_no = intake.file_request(con, settings(), fields, partner, _choices(con), language=language)
    return body, tracking_no


def _list(con, partner, *, fields, language, settings, path):
    return open311.find_requests(con, fields, partner.channel if partner else None,
                                 datetime.now(timezone.utc)), None


def _one(con, partner, *, fields, language, settings, path):
    return open311.find_request(con, path["id"]), path["id"] if TRACKING_RE.match(path["id"]) else None


async def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(openapi.document(), headers={"Cache-Control": "no-cache"})


def routes(settings: Callable[[], Settings]) -> list[Route]:
    def route(path: str, action: str, work: Callable, method: str = "GET") -> Route:
        async def endpoint(request: Request) -> Response:
            return await _serve(request, settings, action, work)
        return Route(PREFIX + path, endpoint, methods=[method], name=action)

    return [
        route("/services.{fmt}", "open311.services.list", _services),
        route("/services/{code}.{fmt}", "open311.services.get", _definition),
        route("/requests.{fmt}", "open311.requests.create", _create, "POST"),
        route("/requests.{fmt}", "open311.requests.list", _list),
        route("/requests/{id}.{fmt}", "open311.requests.get", _one),
        Route(OPENAPI_PATH, openapi_document, methods=["GET"]),
    ]
