"""The gateway adapters: the log adapter, and the http adapter against a real HTTP server on 127.0.0.1 (success, 500, timeout, 400, restart)."""
from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.parse
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib.db import sms as outbox_db
from lib.db.connect import connect
from lib.sms.templates import render
from lib.sms.dispatcher import dispatch_due
from lib.sms.gateways import (LogGateway, PermanentFailure, SmsMessage, TemporaryFailure, gateway_from_secrets, needs_unicode)
from tests.sms.test_sms_dispatch import MOBILE, T0, queue_message, row

HINDI_DLT_ID, HINDI_BODY = render("acknowledgement", "hi", tracking_no="RWR-2026-000001",
                                  track_url="https://esachivalaya.example/track_complaint")


class FakeGateway(ThreadingHTTPServer):
    """An Indian-style SMS API: answers each request by the next step of `script` ("ok", "500",
    "429", "400", "sleep", "invalid"; "ok" once the script runs out). Like a real gateway with
    de-duplication, a second request with an idempotency key it already delivered is answered
    with the first message id and delivered no more."""
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: list[str] = []
        self.requests: list[dict] = []
        self.delivered: Counter = Counter()      # idempotency key -> SMS actually delivered
        self.sleep_s = 1.0
        self.release = threading.Event()          # answers a "sleep" step early when set
        self.slept: list[str] = []                # "sleep" steps whose handler has stopped waiting
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/send"

    def requests_per_key(self) -> Counter:
        return Counter(r["headers"].get("Idempotency-Key") for r in self.requests)


class Handler(BaseHTTPRequestHandler):
    server: FakeGateway

    def log_message(self, *args):           # keep the test output clean
        pass

    def do_GET(self):
        self.answer(urllib.parse.urlsplit(self.path).query)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "").startswith("application/json"):
            self.answer(None, json.loads(raw.decode("utf-8")))
        else:
            self.answer(raw.decode("ascii"))

    def answer(self, urlencoded: str | None, params: dict | None = None):
        if urlencoded is not None:
            params = {k: v[0] for k, v in urllib.parse.parse_qs(urlencoded, encoding="utf-8",
                                                                errors="strict").items()}
        key = self.headers.get("Idempotency-Key")
        with self.server.lock:
            self.server.requests.append({"method": self.command, "path": urllib.parse.urlsplit(self.path).path,
                                         "params": params, "headers": dict(self.headers)})
            step = self.server.script.pop(0) if self.server.script else "ok"
        if step == "sleep":
            self.server.release.wait(self.server.sleep_s)
            self.server.slept.append(key)
            return
        status, body = {
            "500": (500, {"status": "error", "message": "internal error"}),
            "429": (429, {"status": "error", "message": "too many requests"}),
            "400": (400, {"status": "error", "message": "DLT template id missing"}),
            "invalid": (200, {"status": "failure", "message": f"Invalid number {params.get('mobile')}"}),
        }.get(step, (200, None))
        if body is None:
            with self.server.lock:
                self.server.delivered[key] += 0 if self.server.delivered[key] else 1
            body = {"status": "success", "data": {"message_id": f"MSG-{key}"}}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    httpd = FakeGateway()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def http_secrets(server: FakeGateway, **overrides) -> dict:
    sms = {"adapter": "http", "url": server.url, "method": "POST", "api_key": "s3cret-key",
           "api_key_header": "X-Api-Key", "sender_id": "RWRDCO", "entity_id": "1101000000000000999",
           "timeout_s": 0.3, "message_id_field": "data.message_id", "status_field": "status",
           "params": {"to": "mobile", "message": "text", "template_id": "dlt_template_id",
                      "sender_id": "header", "entity_id": "pe_id", "unicode": "unicode",
                      "idempotency_key": "client_ref"}}
    sms.update(overrides)
    return {"sms": sms}


def message(key: str = "ack:RWR-2026-000001", body: str = HINDI_BODY) -> SmsMessage:
    return SmsMessage(id=1, mobile=MOBILE, language="hi", template="acknowledgement",
                      dlt_template_id=HINDI_DLT_ID, body=body, idempotency_key=key)


# ---- the http adapter on its own ----

def test_success_sends_the_dlt_parameters_and_hindi_as_utf8(server):
    result = gateway_from_secrets(http_secrets(server)).send(message())
    assert result.message_id == "MSG-ack:RWR-2026-000001"
    [request] = server.requests
    assert request["method"] == "POST" and request["path"] == "/api/send"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert request["params"] == {
        "mobile": "919812345678", "text": HINDI_BODY, "dlt_template_id": HINDI_DLT_ID, "header": "RWRDCO",
        "pe_id": "1101000000000000999", "unicode": "1", "client_ref": "ack:RWR-2026-000001"}
    assert "रेवाड़ी" in request["params"]["text"]
    assert request["headers"]["X-Api-Key"] == "s3cret-key"
    assert request["headers"]["Idempotency-Key"] == "ack:RWR-2026-000001"


def test_get_with_basic_auth_and_english_text_without_the_unicode_flag(server):
    _, english = render("acknowledgement", "en", tracking_no="RWR-2026-000002", track_url="https://x.example/t")
    gateway = gateway_from_secrets(http_secrets(server, method="GET", api_key="", username="rewari",
                                                password="pässwörd", number_format="10",
                                                extra_params={"route": "dlt"}))
    gateway.send(message(body=english))
    [request] = server.requests
    assert request["method"] == "GET"
    assert request["params"]["text"] == english and "unicode" not in request["params"]
    assert request["params"]["mobile"] == "9812345678" and request["params"]["route"] == "dlt"
    expected = base64.b64encode("rewari:pässwörd".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert "X-Api-Key" not in request["headers"]


def test_json_body_carries_hindi_as_utf8_and_the_api_key_as_a_parameter(server):
    gateway = gateway_from_secrets(http_secrets(server, body_format="json", api_key_param="apikey"))
    gateway.send(message())
    [request] = server.requests
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["params"]["text"] == HINDI_BODY and request["params"]["apikey"] == "s3cret-key"


@pytest.mark.parametrize("step, failure, words", [
    ("500", TemporaryFailure, "HTTP 500"),
    ("429", TemporaryFailure, "HTTP 429"),
    ("sleep", TemporaryFailure, "timeout after 0.3 s"),
    ("400", PermanentFailure, "HTTP 400"),
    ("invalid", PermanentFailure, "Invalid number"),
])
def test_failures_are_told_apart(server, step, failure, words):
    server.script = [step]
    server.sleep_s = 60                                    # "sleep": no answer until released
    with pytest.raises(failure) as raised:
        gateway_from_secrets(http_secrets(server)).send(message())
    assert words in raised.value.reason
    assert "9812345678" not in raised.value.reason        # the gateway's echo of the number is masked
    # The client's timeout decided: it gave up while the server was still holding the request.
    assert server.slept == [] and len(server.requests) == 1
    server.release.set()


def test_a_gateway_that_is_down_is_a_temporary_failure(server):
    url = server.url
    server.shutdown()
    server.server_close()
    with pytest.raises(TemporaryFailure, match="connection failed"):
        gateway_from_secrets(http_secrets(server, url=url)).send(message())


# ---- the dispatcher through the http adapter ----

def test_dispatch_success_marks_sent_with_the_gateways_id(con, server):
    message_id = queue_message(con, "ack:1")
    report = dispatch_due(con, gateway_from_secrets(http_secrets(server)), now=T0)
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    r = row(con, message_id)
    assert (r["status"], r["attempts"], r["gateway_message_id"]) == ("sent", 1, "MSG-ack:1")
    assert server.requests[0]["params"]["text"].startswith("ई-सचिवालय रेवाड़ी")


def test_a_500_is_retried_after_the_backoff_and_then_succeeds(con, server):
    message_id = queue_message(con, "ack:2")
    gateway = gateway_from_secrets(http_secrets(server))
    server.script = ["500"]
    assert dispatch_due(con, gateway, now=T0).retrying == 1
    r = row(con, message_id)
    assert r["status"] == "queued" and r["attempts"] == 1 and r["last_error"].startswith("HTTP 500")
    assert r["next_attempt_at"] == T0 + timedelta(seconds=30)
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=10)).claimed == 0
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=31)).sent == 1
    assert row(con, message_id)["status"] == "sent" and row(con, message_id)["attempts"] == 2
    # One request refused, one accepted; none after it (a second send would be a third request).
    assert server.requests_per_key() == Counter({"ack:2": 2})
    assert dispatch_due(con, gateway, now=T0 + timedelta(days=1)).claimed == 0
    assert server.requests_per_key() == Counter({"ack:2": 2})


def test_a_timeout_counts_as_temporary(con, server):
    message_id = queue_message(con, "ack:3")
    server.script = ["sleep"]
    assert dispatch_due(con, gateway_from_secrets(http_secrets(server)), now=T0).retrying == 1
    r = row(con, message_id)
    assert (r["status"], r["last_error"]) == ("queued", "timeout after 0.3 s")
    assert r["next_attempt_at"] == T0 + timedelta(seconds=30)


def test_a_400_fails_for_good(con, server):
    message_id = queue_message(con, "ack:4")
    server.script = ["400"]
    gateway = gateway_from_secrets(http_secrets(server))
    assert dispatch_due(con, gateway, now=T0).failed == 1
    r = row(con, message_id)
    assert r["status"] == "failed" and "DLT template id missing" in r["last_error"]
    assert dispatch_due(con, gateway, now=T0 + timedelta(days=1)).claimed == 0
    assert len(server.requests) == 1


def test_a_restarted_dispatcher_does_not_resend_what_was_sent(settings, server):
    con = connect(settings.db_path)
    keys = [f"ack:restart-{i}" for i in range(5)]
    for key in keys:
        queue_message(con, key)
    assert dispatch_due(con, gateway_from_secrets(http_secrets(server)), now=T0).sent == 5
    con.close()
    # The process restarts: a new connection to the file, a new gateway, a later clock.
    con = connect(settings.db_path)
    try:
        for later in (timedelta(0), timedelta(minutes=10), timedelta(days=2)):
            assert dispatch_due(con, gateway_from_secrets(http_secrets(server)), now=T0 + later).claimed == 0
    finally:
        con.close()
    assert server.requests_per_key() == Counter({key: 1 for key in keys})      # one request each, ever
    assert len(server.requests) == 5


def test_a_crash_after_the_gateway_accepted_is_covered_by_the_idempotency_key(con, server, monkeypatch):
    """The one window the database cannot close: the dispatcher dies between the gateway's answer
    and marking the row sent. After the lease the message goes again with the same key, and the
    gateway's de-duplication keeps the citizen from getting it twice."""
    message_id = queue_message(con, "ack:crash")
    gateway = gateway_from_secrets(http_secrets(server))

    class Crash(Exception):
        pass

    def die(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(outbox_db, "mark_sent", die)
        with pytest.raises(Crash):
            dispatch_due(con, gateway, now=T0)
    assert row(con, message_id)["status"] == "queued"
    assert dispatch_due(con, gateway, now=T0 + timedelta(minutes=2)).claimed == 0       # still leased
    assert dispatch_due(con, gateway, now=T0 + timedelta(minutes=20)).sent == 1
    # Two requests (the one before the crash, the one after the lease), never a third, and both carry
    # the same key, in the header and as the gateway's parameter: what its de-duplication goes by.
    assert dispatch_due(con, gateway, now=T0 + timedelta(days=1)).claimed == 0
    assert server.requests_per_key() == Counter({"ack:crash": 2})
    assert [r["params"]["client_ref"] for r in server.requests] == ["ack:crash", "ack:crash"]


# ---- the log adapter and the [sms] table ----

def test_the_log_adapter_masks_the_mobile_and_succeeds(caplog):
    with caplog.at_level(logging.INFO, logger="lib.sms.gateways"):
        result = LogGateway().send(message())
    assert result.message_id == "log:ack:RWR-2026-000001"
    assert "XXXXXX5678" in caplog.text and HINDI_BODY in caplog.text
    assert "9812345678" not in caplog.text


def test_the_log_adapter_is_the_default():
    assert isinstance(gateway_from_secrets({}), LogGateway)
    assert isinstance(gateway_from_secrets({"keys": {}, "sms": {"adapter": "log"}}), LogGateway)


@pytest.mark.parametrize("sms, words", [
    ({"adapter": "http"}, "url"),
    ({"adapter": "http", "url": "http://x", "method": "PUT"}, "GET or POST"),
    ({"adapter": "http", "url": "http://x", "params": {"phone": "to"}}, "unknown roles"),
    ({"adapter": "http", "url": "http://x", "body_format": "xml"}, "form or json"),
])
def test_a_wrong_sms_table_is_refused(sms, words):
    with pytest.raises(ValueError, match=words):
        gateway_from_secrets({"sms": sms})


@pytest.mark.parametrize("text, unicode", [(HINDI_BODY, True), ("Your complaint RWR-2026-000001", False),
                                           ("Reason: नाम", True)])
def test_unicode_is_flagged_for_anything_beyond_plain_text(text, unicode):
    assert needs_unicode(text) is unicode
