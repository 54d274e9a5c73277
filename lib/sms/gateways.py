"""SMS gateway adapters: how an outbox message leaves the portal (the log by default, or an Indian HTTP gateway)."""
from __future__ import annotations

import base64
import json
import logging
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from lib.core.masking import mask_mobile

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 300      # what last_error keeps of a gateway's answer


@dataclass(frozen=True)
class SmsMessage:
    """One outbox message as a gateway sees it."""
    id: int
    mobile: str                 # E.164, "+919812345678"
    language: str
    template: str
    dlt_template_id: str
    body: str
    idempotency_key: str


@dataclass(frozen=True)
class GatewayResult:
    message_id: str | None      # the gateway's id, for tracing a complaint about a missing SMS


class GatewayFailure(Exception):
    """The message did not leave; `reason` is safe to store and show to the admin (mobile masked)."""

    def __init__(self, reason: str):
        self.reason = reason[:MAX_REASON_CHARS]
        super().__init__(self.reason)


class TemporaryFailure(GatewayFailure):
    """Worth trying again later: timeouts, connection errors, HTTP 5xx and 429."""


class PermanentFailure(GatewayFailure):
    """Trying again cannot help: the gateway refused the request (HTTP 4xx) or the number."""


class Gateway(Protocol):
    adapter: str
    timeout_s: float
    host: str                   # where messages go, for the admin page ("" for the log)

    def send(self, message: SmsMessage) -> GatewayResult: ...


class Adapter(StrEnum):
    LOG = "log"
    HTTP = "http"


class NumberFormat(StrEnum):
    E164 = "e164"               # +919812345678
    COUNTRY = "91"              # 919812345678 (most Indian gateways)
    NATIONAL = "10"             # 9812345678


def needs_unicode(text: str) -> bool:
    """True when the text must go as Unicode (UCS-2) SMS: Hindi, and to be safe anything not plain
    ASCII. Sending a GSM-7 text as Unicode costs more parts; the reverse garbles it."""
    return not text.isascii()


class LogGateway:
    """The default: writes each message to the Python log and reports it sent. For demos and
    development, where no SMS may leave the machine."""
    adapter = Adapter.LOG
    timeout_s = 0.0
    host = ""

    def send(self, message: SmsMessage) -> GatewayResult:
        log.info("SMS %s to %s [%s, DLT %s, key %s]: %s", message.id, mask_mobile(message.mobile),
                 message.template, message.dlt_template_id, message.idempotency_key, message.body)
        return GatewayResult(message_id=f"log:{message.idempotency_key}")


# Roles of the request's parameters; each gateway names them differently (secrets [sms.params]).
PARAM_ROLES = ("to", "message", "template_id", "sender_id", "entity_id", "unicode", "idempotency_key")
DEFAULT_PARAMS = {"to": "to", "message": "message", "template_id": "template_id",
                  "sender_id": "sender_id", "entity_id": "entity_id", "unicode": "unicode"}


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    method: str = "POST"
    body_format: str = "form"               # POST body: "form" (urlencoded) or "json"
    params: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    extra_params: Mapping[str, str] = field(default_factory=dict)   # fixed ones, e.g. route = "dlt"
    api_key: str = field(default="", repr=False)      # never in a log line
    api_key_header: str = "Authorization"   # used unless api_key_param is set
    api_key_prefix: str = ""                # e.g. "Bearer "
    api_key_param: str = ""
    username: str = ""                      # basic auth when set
    password: str = field(default="", repr=False)
    sender_id: str = ""                     # DLT header, e.g. "RWRDCO"
    entity_id: str = ""                     # DLT principal entity id
    number_format: NumberFormat = NumberFormat.COUNTRY
    unicode_value: str = "1"                # sent in the "unicode" parameter for Hindi text
    idempotency_header: str = "Idempotency-Key"
    timeout_s: float = 10.0
    message_id_field: str = ""              # dotted path in a JSON answer, e.g. "data.message_id"
    status_field: str = ""                  # dotted path of a status in a 2xx JSON answer ...
    ok_values: tuple[str, ...] = ("success", "ok", "true", "accepted", "submitted")
    # ... and words in a refusal that mean the number (or template) is wrong: no retry.
    permanent_markers: tuple[str, ...] = ("invalid number", "invalid mobile", "invalid_number", "dnd",
                                          "template mismatch", "invalid template")


class HttpGateway:
    """A gateway reached by one HTTP request per message (the usual Indian SMS API shape), with
    the standard library only. Text goes as UTF-8 so Hindi arrives intact."""

    adapter = Adapter.HTTP

    def __init__(self, config: HttpGatewayConfig):
        self.config = config
        self.timeout_s = config.timeout_s
        self.host = urllib.parse.urlsplit(config.url).hostname or ""

    def send(self, message: SmsMessage) -> GatewayResult:
        request = self._request(message)
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as response:
                status, text = response.status, _read_text(response)
        except urllib.error.HTTPError as exc:
            text = _mask(_read_text(exc), message.mobile)
            reason = f"HTTP {exc.code}: {text}".strip()
            if exc.code == 429 or exc.code >= 500:
                raise TemporaryFailure(reason) from None
            raise PermanentFailure(reason) from None
        except (TimeoutError, socket.timeout):
            raise TemporaryFailure(f"timeout after {self.config.timeout_s:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise TemporaryFailure(f"timeout after {self.config.timeout_s:g} s") from None
            raise TemporaryFailure(f"connection failed: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:     # reset mid-answer, and the like
            raise TemporaryFailure(f"connection failed: {exc}") from None
        return self._result(status, text, message)

    def _request(self, message: SmsMessage) -> urllib.request.Request:
        c = self.config
        names = {**DEFAULT_PARAMS, **c.params}
        values = {
            "to": format_number(message.mobile, c.number_format),
            "message": message.body,
            "template_id": message.dlt_template_id,
            "sender_id": c.sender_id,
            "entity_id": c.entity_id,
            "unicode": c.unicode_value if needs_unicode(message.body) else "",
            "idempotency_key": message.idempotency_key,
        }
        # A role left without a name, or without a value, is not sent at all.
        data = {names[role]: value for role, value in values.items() if names.get(role) and value}
        data.update(c.extra_params)
        headers = {"Accept": "application/json, text/plain;q=0.9"}
        if c.idempotency_header:
            headers[c.idempotency_header] = message.idempotency_key
        if c.api_key and c.api_key_param:
            data[c.api_key_param] = c.api_key
        elif c.api_key:
            headers[c.api_key_header] = f"{c.api_key_prefix}{c.api_key}"
        if c.username:
            token = base64.b64encode(f"{c.username}:{c.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        if c.method == "GET":
            separator = "&" if urllib.parse.urlsplit(c.url).query else "?"
            url = c.url + separator + urllib.parse.urlencode(data, encoding="utf-8")
            return urllib.request.Request(url, headers=headers, method="GET")
        if c.body_format == "json":
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            body = urllib.parse.urlencode(data, encoding="utf-8").encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        return urllib.request.Request(c.url, data=body, headers=headers, method="POST")

    def _result(self, status: int, text: str, message: SmsMessage) -> GatewayResult:
        c = self.config
        answer = _json(text)
        if c.status_field:
            value = str(_dig(answer, c.status_field)).strip().lower()
            if value not in c.ok_values:
                reason = f"HTTP {status}, gateway said: {_mask(text, message.mobile)}"
                if any(marker in text.lower() for marker in c.permanent_markers):
                    raise PermanentFailure(reason)
                raise TemporaryFailure(reason)
        if c.message_id_field:
            found = _dig(answer, c.message_id_field)
            return GatewayResult(message_id=None if found is None else str(found))
        return GatewayResult(message_id=text.strip()[:100] or None)


def format_number(e164: str, number_format: str) -> str:
    digits = re.sub(r"\D", "", e164)
    national = digits[-10:]
    return {NumberFormat.E164: f"+91{national}", NumberFormat.COUNTRY: f"91{national}"}.get(
        NumberFormat(number_format), national)


def _read_text(response) -> str:
    try:
        return response.read(4096).decode("utf-8", errors="replace")
    except Exception:                # an answer cut off mid-way still tells us the status
        return ""


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _dig(answer, path: str):
    """The value at a dotted path ("data.0.id") of a JSON answer, or None."""
    for part in path.split("."):
        if isinstance(answer, list) and part.isdigit() and int(part) < len(answer):
            answer = answer[int(part)]
        elif isinstance(answer, dict):
            answer = answer.get(part)
        else:
            return None
    return answer


def _mask(text: str, mobile: str) -> str:
    """A gateway's answer may echo the number; last_error is shown to the admin, so mask it."""
    national = re.sub(r"\D", "", mobile)[-10:]
    if len(national) == 10:
        text = text.replace(national, f"XXXXXX{national[-4:]}")
    return " ".join(text.split())


def gateway_from_secrets(secrets: Mapping | None) -> Gateway:
    """The adapter secrets.toml's [sms] table asks for; the log adapter when there is none.

    A mistake in the table raises ValueError at start-up rather than losing messages later.
    """
    sms = dict((secrets or {}).get("sms", {}) or {})
    adapter = Adapter(str(sms.get("adapter", Adapter.LOG)).lower())
    if adapter == Adapter.LOG:
        return LogGateway()
    if not sms.get("url"):
        raise ValueError("[sms] adapter = 'http' needs url")
    method = str(sms.get("method", "POST")).upper()
    if method not in ("GET", "POST"):
        raise ValueError("[sms] method must be GET or POST")
    params = dict(sms.get("params", {}) or {})
    unknown = set(params) - set(PARAM_ROLES)
    if unknown:
        raise ValueError(f"[sms.params] has unknown roles {sorted(unknown)}; known: {PARAM_ROLES}")
    body_format = str(sms.get("body_format", "form")).lower()
    if body_format not in ("form", "json"):
        raise ValueError("[sms] body_format must be form or json")
    defaults = HttpGatewayConfig(url="")
    config = HttpGatewayConfig(
        url=str(sms["url"]), method=method, body_format=body_format,
        params={**DEFAULT_PARAMS, **{k: str(v) for k, v in params.items()}},
        extra_params={str(k): str(v) for k, v in (sms.get("extra_params", {}) or {}).items()},
        number_format=NumberFormat(str(sms.get("number_format", defaults.number_format))),
        timeout_s=float(sms.get("timeout_s", defaults.timeout_s)),
        ok_values=tuple(str(v).lower() for v in sms.get("ok_values", defaults.ok_values)),
        permanent_markers=tuple(str(v).lower() for v in sms.get("permanent_markers",
                                                                  defaults.permanent_markers)),
        **{name: str(sms.get(name, getattr(defaults, name))) for name in (
            "api_key", "api_key_header", "api_key_prefix", "api_key_param", "username", "password",
            "sender_id", "entity_id", "unicode_value", "idempotency_header", "message_id_field",
            "status_field")},
    )
    return HttpGateway(config)
