"""The SMS dispatcher with stand-in gateways: backoff, giving up, leases, racing dispatchers, the admin's outbox view and resend."""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from lib.staff import signin
from lib.sms import dispatcher
from lib.db import sms as outbox_db
from lib.db.connect import transaction
from lib.core.states import SmsStatus
from lib.sms.templates import render
from lib.core.problems import InvalidInput
from lib.sms.dispatcher import DispatchPolicy, dispatch_due, retry_delay
from lib.sms.gateways import GatewayResult, LogGateway, PermanentFailure, TemporaryFailure

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
MOBILE = "+919812345678"


def queue_message(con, key: str, *, language: str = "hi", mobile: str = MOBILE, created_at: datetime = T0,
                  send_after: datetime | None = None) -> int:
    """One acknowledgement in the outbox, as filing queues it; its id."""
    dlt_id, body = render("acknowledgement", language, tracking_no=f"RWR-2026-{key[-6:]:0>6}",
                          track_url="https://esachivalaya.example/track_complaint")
    with transaction(con) as cur:
        outbox_db.queue_sms(cur, complaint_id=None, mobile=mobile, language=language, template="acknowledgement",
                            dlt_template_id=dlt_id, body=body, idempotency_key=key, created_at=created_at,
                            send_after=send_after)
        return cur.execute("SELECT id FROM sms_outbox WHERE idempotency_key = ?", [key]).fetchall()[0][0]


def row(con, message_id: int) -> dict:
    with con.cursor() as cur:
        values = cur.execute(
            "SELECT status, attempts, last_error, sent_at, next_attempt_at, gateway_message_id, claimed_until"
            " FROM sms_outbox WHERE id = ?", [message_id]).fetchall()[0]
    return dict(zip(("status", "attempts", "last_error", "sent_at", "next_attempt_at", "gateway_message_id",
                     "claimed_until"), values))


class ScriptedGateway:
    """Answers each send with the next step of a script: "ok", "temporary", "permanent" (then "ok")."""
    adapter, host, timeout_s = "test", "", 1.0

    def __init__(self, *script: str):
        self.script = list(script)
        self.sent: list[str] = []          # idempotency keys, in order
        self.lock = threading.Lock()

    def send(self, message):
        with self.lock:
            self.sent.append(message.idempotency_key)
            step = self.script.pop(0) if self.script else "ok"
        if step == "temporary":
            raise TemporaryFailure("HTTP 503: busy")
        if step == "permanent":
            raise PermanentFailure("HTTP 400: bad template")
        if step == "boom":
            raise RuntimeError("adapter bug")
        return GatewayResult(message_id=f"gw-{message.idempotency_key}")


# ---- backoff and giving up ----

@pytest.mark.parametrize("failed_before, seconds", [(0, 30), (1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600),
                                                    (12, 3600), (500, 3600)])
def test_backoff_doubles_from_30_seconds_and_is_capped_at_an_hour(failed_before, seconds):
    assert retry_delay(failed_before) == timedelta(seconds=seconds)


def test_a_temporary_failure_waits_for_its_backoff_then_sends(con):
    message = queue_message(con, "ack:1")
    gateway = ScriptedGateway("temporary")
    report = dispatch_due(con, gateway, now=T0)
    assert (report.claimed, report.retrying, report.sent) == (1, 1, 0)
    r = row(con, message)
    assert (r["status"], r["attempts"], r["last_error"]) == ("queued", 1, "HTTP 503: busy")
    assert r["next_attempt_at"] == T0 + timedelta(seconds=30)
    assert r["claimed_until"] is None
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=29)).claimed == 0     # not yet due
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=30)).sent == 1
    r = row(con, message)
    assert (r["status"], r["attempts"], r["last_error"]) == ("sent", 2, None)
    assert r["sent_at"] == T0 + timedelta(seconds=30) and r["gateway_message_id"] == "gw-ack:1"
    assert gateway.sent == ["ack:1", "ack:1"]


def test_backoff_is_capped_and_the_message_fails_after_max_attempts(con):
    policy = DispatchPolicy(max_attempts=5, backoff_base_s=30, backoff_cap_s=100)
    message = queue_message(con, "ack:2")
    gateway = ScriptedGateway(*["temporary"] * 10)
    now, waits = T0, []
    for _ in range(4):
        assert dispatch_due(con, gateway, now=now, policy=policy).retrying == 1
        retry_at = row(con, message)["next_attempt_at"]
        waits.append((retry_at - now).total_seconds())
        now = retry_at
    assert waits == [30, 60, 100, 100]
    report = dispatch_due(con, gateway, now=now, policy=policy)
    assert (report.failed, report.retrying) == (1, 0)
    r = row(con, message)
    assert (r["status"], r["attempts"]) == ("failed", 5)
    assert r["last_error"] == "gave up after 5 attempts: HTTP 503: busy"
    assert r["next_attempt_at"] is None
    assert dispatch_due(con, gateway, now=now + timedelta(days=1), policy=policy).claimed == 0
    assert len(gateway.sent) == 5


@pytest.mark.parametrize("secrets_file", [None, ".streamlit/secrets.toml.example"])
def test_the_production_policy_tries_a_failing_message_six_times_then_marks_it_failed(con, monkeypatch,
                                                                                     secrets_file):
    """No override: the policy is built as the portal builds it (from its secrets: none, or the example
    copied as the README says) and the background dispatcher's own loop runs on a fake clock."""
    import tomllib

    from tests.conftest import PROJECT_DIR

    secrets = tomllib.loads((PROJECT_DIR / secrets_file).read_text()) if secrets_file else {}
    policy = DispatchPolicy.from_secrets(secrets)            # what start_background_dispatcher uses
    clock = [T0]

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock[0].astimezone(tz)

    class FakeTicks:
        """The dispatcher's stop event: each pause moves the clock on instead of sleeping; stops after 2 h."""
        def wait(self, seconds):
            clock[0] += timedelta(seconds=seconds)
            return self.is_set()

        def is_set(self):
            return clock[0] >= T0 + timedelta(hours=2)

    class AlwaysBusy(ScriptedGateway):
        def send(self, message):
            attempts.append(clock[0])
            return super().send(message)

    attempts: list[datetime] = []
    monkeypatch.setattr(dispatcher, "datetime", FakeDatetime)
    message = queue_message(con, "ack:six")
    gateway = AlwaysBusy(*["temporary"] * 100)
    dispatcher.run_dispatcher_forever(lambda: con, gateway, policy.interval_s, FakeTicks(), policy)

    assert gateway.sent == ["ack:six"] * 6                      # exactly 6 attempts in 2 hours ...
    assert [(b - a).total_seconds() for a, b in zip(attempts, attempts[1:])] == [30, 60, 120, 240, 480]
    r = row(con, message)                                        # ... then failed, for the admin
    assert (r["status"], r["attempts"]) == ("failed", 6)
    assert r["last_error"] == "gave up after 6 attempts: HTTP 503: busy"
    assert dispatch_due(con, gateway, now=T0 + timedelta(days=1), policy=policy).claimed == 0
    assert len(gateway.sent) == 6


def test_a_permanent_failure_fails_at_once_and_is_never_retried(con):
    message = queue_message(con, "ack:3")
    gateway = ScriptedGateway("permanent")
    assert dispatch_due(con, gateway, now=T0).failed == 1
    r = row(con, message)
    assert (r["status"], r["attempts"], r["last_error"]) == ("failed", 1, "HTTP 400: bad template")
    assert dispatch_due(con, gateway, now=T0 + timedelta(days=1)).claimed == 0
    assert gateway.sent == ["ack:3"]


def test_an_adapter_bug_does_not_lose_the_message(con, caplog):
    message = queue_message(con, "ack:4")
    with caplog.at_level(logging.ERROR):
        assert dispatch_due(con, ScriptedGateway("boom"), now=T0).retrying == 1
    assert row(con, message)["last_error"] == "adapter error: RuntimeError"
    assert dispatch_due(con, ScriptedGateway(), now=T0 + timedelta(minutes=1)).sent == 1


# ---- never twice ----

def test_a_sent_message_is_never_claimed_again(con):
    queue_message(con, "ack:5")
    gateway = ScriptedGateway()
    assert dispatch_due(con, gateway, now=T0).sent == 1
    for later in (timedelta(0), timedelta(minutes=10), timedelta(days=30)):
        assert dispatch_due(con, gateway, now=T0 + later).claimed == 0
    assert gateway.sent == ["ack:5"]


def test_a_reminder_waits_for_its_send_after(con):
    message = queue_message(con, "reminder:1", send_after=T0 + timedelta(hours=20))
    gateway = ScriptedGateway()
    assert dispatch_due(con, gateway, now=T0 + timedelta(hours=19, minutes=59)).claimed == 0
    assert dispatch_due(con, gateway, now=T0 + timedelta(hours=20)).sent == 1
    assert row(con, message)["status"] == "sent"


def test_a_claim_of_a_dead_dispatcher_is_taken_over_after_its_lease(con):
    message = queue_message(con, "ack:6")
    with transaction(con) as cur:         # a dispatcher claims, then its process dies
        claimed = outbox_db.claim_due(cur, now=T0, claimed_until=T0 + timedelta(seconds=300), limit=10)
    assert [c[0] for c in claimed] == [message]
    gateway = ScriptedGateway()
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=299)).claimed == 0
    assert dispatch_due(con, gateway, now=T0 + timedelta(seconds=301)).sent == 1
    assert gateway.sent == ["ack:6"]


def test_a_failure_reported_after_losing_the_claim_does_not_overwrite_the_new_owner(con):
    message = queue_message(con, "ack:7")
    first, second = T0 + timedelta(seconds=300), T0 + timedelta(seconds=700)
    with transaction(con) as cur:
        outbox_db.claim_due(cur, now=T0, claimed_until=first, limit=10)
    with transaction(con) as cur:         # the lease ran out; another dispatcher holds it now
        outbox_db.claim_due(cur, now=first + timedelta(seconds=1), claimed_until=second, limit=10)
    with con.cursor() as cur:
        assert not outbox_db.is_claimed_by(cur, message, first)
        assert not outbox_db.mark_failed(cur, message, claimed_until=first, error="late")
        assert outbox_db.is_claimed_by(cur, message, second)
    assert row(con, message)["status"] == "queued"


def test_two_dispatchers_racing_send_each_message_exactly_once(con):
    keys = [f"race:{i}" for i in range(60)]
    for key in keys:
        queue_message(con, key)
    gateway = ScriptedGateway()
    reports: list = []

    def run_one_dispatcher():
        while True:
            report = dispatch_due(con, gateway, now=T0, batch=4)
            reports.append(report)
            if report.claimed == 0:
                return

    threads = [threading.Thread(target=run_one_dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert Counter(gateway.sent) == Counter(keys)            # each once, none missing
    assert sum(r.sent for r in reports) == len(keys)
    assert dispatcher.outbox_counts(con)[SmsStatus.SENT] == len(keys)


# ---- the background thread ----

def test_the_background_dispatcher_sends_and_stops(con, monkeypatch):
    monkeypatch.setenv(dispatcher.DISPATCHER_ENV, "1")
    message = queue_message(con, "ack:8", created_at=datetime.now(timezone.utc))
    thread = dispatcher.start_background_dispatcher(con, {"sms": {"adapter": "log", "interval_s": 0.05}})
    try:
        deadline = time.monotonic() + 60          # a bound for a busy machine; sent in ~0.05 s when idle
        while row(con, message)["status"] != "sent" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert row(con, message)["status"] == "sent"
    finally:
        thread.stop()
    assert not thread.is_alive()


def test_the_background_dispatcher_ends_when_the_connection_closes(settings):
    from lib.ops.startup import open_portal_database

    con = open_portal_database(settings)
    con.close()
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run_dispatcher_forever,
                              args=(lambda: con, LogGateway(), 0.01, stop))
    thread.start()
    thread.join(60)                             # returns as soon as the thread ends
    assert not thread.is_alive() and not stop.is_set()


@pytest.mark.parametrize("env, secrets", [({"ESACHIVALAYA_SMS_DISPATCHER": "0"}, {}),
                                          ({}, {"sms": {"background": False}})])
def test_the_background_dispatcher_can_be_switched_off(con, env, secrets):
    assert dispatcher.start_background_dispatcher(con, secrets, env=env) is None


def test_a_broken_sms_table_is_refused_at_start_up(con):
    with pytest.raises(ValueError, match="url"):
        dispatcher.start_background_dispatcher(con, {"sms": {"adapter": "http"}}, env={})
    with pytest.raises(ValueError):
        dispatcher.start_background_dispatcher(con, {"sms": {"adapter": "carrier-pigeon"}}, env={})


# ---- the admin's view and resend ----

@pytest.fixture
def admins(con):
    signin.create_demo_users(con)
    return con


def test_the_outbox_list_masks_mobiles_and_filters_by_status(con):
    queue_message(con, "ack:9", mobile="+919811122233")
    failed = queue_message(con, "ack:10", language="en", created_at=T0 + timedelta(minutes=1))
    dispatch_due(con, ScriptedGateway("ok", "permanent"), now=T0 + timedelta(minutes=2))
    entries = dispatcher.list_outbox(con)
    assert [e.masked_mobile for e in entries] == ["+91 XXXXXX5678", "+91 XXXXXX2233"]   # newest first
    assert "9811122233" not in repr(entries) and "9812345678" not in repr(entries)
    assert not hasattr(entries[0], "body")
    assert [e.id for e in dispatcher.list_outbox(con, "failed")] == [failed]
    assert entries[0].parts == 1 and entries[1].parts == 3          # Hindi goes as Unicode: 67 a part
    assert dispatcher.outbox_counts(con) == {SmsStatus.QUEUED: 0, SmsStatus.SENT: 1, SmsStatus.FAILED: 1}


def test_resend_puts_a_failed_message_back_with_fresh_attempts_and_is_audited(admins):
    con = admins
    message = queue_message(con, "ack:11")
    dispatch_due(con, ScriptedGateway("permanent"), now=T0)
    dispatcher.resend(con, message, "admin_rewari", now=T0 + timedelta(hours=1))
    r = row(con, message)
    assert (r["status"], r["attempts"], r["last_error"], r["next_attempt_at"]) == ("queued", 0, None, None)
    with con.cursor() as cur:
        audit = cur.execute("SELECT actor, action, target, detail FROM audit_log WHERE action = 'sms.resend'"
                            ).fetchall()
    assert audit == [("admin_rewari", "sms.resend", f"sms:{message}",
                      "after 1 attempt(s); last error: HTTP 400: bad template")]
    gateway = ScriptedGateway()
    assert dispatch_due(con, gateway, now=T0 + timedelta(hours=1)).sent == 1
    assert gateway.sent == ["ack:11"]                 # the same key: a gateway that had it drops it


@pytest.mark.parametrize("script, key", [(("ok",), "outbox.error.already_sent"), ((), "outbox.error.not_failed")])
def test_resend_refuses_a_sent_or_waiting_message(admins, script, key):
    con = admins
    message = queue_message(con, "ack:12")
    if script:
        dispatch_due(con, ScriptedGateway(*script), now=T0)
    with pytest.raises(InvalidInput) as refused:
        dispatcher.resend(con, message, "admin_rewari")
    assert refused.value.keys == {key}
    assert row(con, message)["status"] == ("sent" if script else "queued")


def test_resend_needs_an_admin(admins):
    con = admins
    message = queue_message(con, "ack:13")
    dispatch_due(con, ScriptedGateway("permanent"), now=T0)
    for actor in ("dc_rewari", "officer_phed", "nobody"):
        with pytest.raises(InvalidInput) as refused:
            dispatcher.resend(con, message, actor)
        assert refused.value.keys == {"outbox.error.not_admin"}
    assert row(con, message)["status"] == "failed"
    with pytest.raises(InvalidInput) as refused:
        dispatcher.resend(con, 999_999, "admin_rewari")
    assert refused.value.keys == {"outbox.error.unknown"}


def test_a_reminder_withdrawn_with_its_hearing_cannot_be_resent(admins):
    con = admins
    message = queue_message(con, "reminder:1")
    with con.cursor() as cur:          # as lib.db.hearings withdraws the reminders of a cancelled hearing
        cur.execute("UPDATE sms_outbox SET status = 'failed', last_error = 'cancelled' WHERE id = ?", [message])
    with pytest.raises(InvalidInput):
        dispatcher.resend(con, message, "admin_rewari")
    assert row(con, message)["status"] == "failed"
