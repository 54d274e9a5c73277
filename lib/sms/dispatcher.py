"""The SMS dispatcher: sends due outbox messages through the gateway, retries with backoff, never twice; and the admin's view of the outbox.

Never twice, in three layers:
- a sent message is never claimed again (only status queued is claimed);
- a claim is a lease (claimed_until) taken in a transaction, so two dispatchers, threads or
  rounds never hold the same message at once, and a dispatcher checks its claim just before sending;
- a dispatcher that dies between the gateway's "accepted" and marking the row sent leaves the row
  claimed; after the lease another dispatcher sends it again. Only the gateway can drop that
  duplicate, which is why every request carries the message's idempotency key (keep the gateway's
  key-based de-duplication switched on where it offers one).
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lib.staff import audit
from lib.core.roles import Role
from lib.db import sms as outbox_db
from lib.db.staff import users as users_db
from lib.db.connect import RETRYABLE, retrying, transaction
from lib.core.masking import mask_mobile
from lib.core.states import SmsStatus
from lib.sms.templates import sms_parts
from lib.core.problems import InvalidInput, Problem
from lib.sms.gateways import (Gateway, GatewayResult, PermanentFailure, SmsMessage, TemporaryFailure, gateway_from_secrets)

log = logging.getLogger(__name__)

DISPATCHER_ENV = "ESACHIVALAYA_SMS_DISPATCHER"      # "0" keeps the background dispatcher off (tests)


@dataclass(frozen=True)
class DispatchPolicy:
    max_attempts: int = 6           # then failed, for the admin to look at and resend
    backoff_base_s: float = 30      # the wait after the first failure, doubled after each one ...
    backoff_cap_s: float = 3600     # ... up to this
    lease_s: float = 300            # a claimed message is someone's for this long
    interval_s: float = 30          # the background dispatcher's pause between rounds
    batch: int = 50

    @classmethod
    def from_secrets(cls, secrets: Mapping | None) -> DispatchPolicy:
        sms = dict((secrets or {}).get("sms", {}) or {})
        defaults = cls()
        policy = cls(max_attempts=int(sms.get("max_attempts", defaults.max_attempts)),
                     backoff_base_s=float(sms.get("backoff_base_s", defaults.backoff_base_s)),
                     backoff_cap_s=float(sms.get("backoff_cap_s", defaults.backoff_cap_s)),
                     lease_s=float(sms.get("lease_s", defaults.lease_s)),
                     interval_s=float(sms.get("interval_s", defaults.interval_s)),
                     batch=int(sms.get("batch", defaults.batch)))
        if policy.max_attempts < 1 or policy.batch < 1 or policy.interval_s <= 0:
            raise ValueError("[sms] max_attempts and batch must be at least 1, interval_s above 0")
        return policy


DEFAULT_POLICY = DispatchPolicy()


def retry_delay(failed_before: int, policy: DispatchPolicy = DEFAULT_POLICY) -> timedelta:
    """How long to wait after a temporary failure, given the attempts that had failed before it:
    30 s, 1 min, 2 min, 4 min ... never more than the cap."""
    seconds = policy.backoff_base_s * 2 ** min(failed_before, 30)
    return timedelta(seconds=min(seconds, policy.backoff_cap_s))


@dataclass(frozen=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0               # a temporary failure; tried again after the backoff
    failed: int = 0                 # permanent failure, or out of attempts
    skipped: int = 0                # the claim was lost to another dispatcher before sending


def dispatch_due(con, gateway: Gateway, now: datetime | None = None, batch: int = DEFAULT_POLICY.batch,
                 policy: DispatchPolicy = DEFAULT_POLICY) -> DispatchReport:
    """Claim up to `batch` due messages, send each, and record what the gateway said."""
    now = now or datetime.now(timezone.utc)
    # The lease must outlast the whole batch, or a second dispatcher could take messages this one
    # still means to send.
    lease = max(policy.lease_s, batch * (float(getattr(gateway, "timeout_s", 0)) + 1) * 1.5)
    token = now + timedelta(seconds=lease)

    def claim() -> list[tuple]:
        with transaction(con) as cur:
            return outbox_db.claim_due(cur, now=now, claimed_until=token, limit=batch)

    try:
        rows = retrying(claim)
    except RETRYABLE:
        return DispatchReport()          # others keep claiming these very rows; the next round tries
    counts = dict(claimed=len(rows), sent=0, retrying=0, failed=0, skipped=0)
    for row in rows:
        message, attempts = SmsMessage(*row[:7]), row[7]
        counts[_send_one(con, gateway, message, attempts, token, now, policy)] += 1
    return DispatchReport(**counts)


def _send_one(con, gateway: Gateway, message: SmsMessage, attempts: int, token: datetime,
              now: datetime, policy: DispatchPolicy) -> str:
    """Send one claimed message; which count of the report it adds to."""
    with con.cursor() as cur:
        if not outbox_db.is_claimed_by(cur, message.id, token):
            return "skipped"
    who = f"SMS {message.id} ({message.template}) to {mask_mobile(message.mobile)}"
    try:
        result: GatewayResult = gateway.send(message)
    except PermanentFailure as exc:
        log.warning("%s refused: %s", who, exc.reason)
        return _record(con, outbox_db.mark_failed, message.id, claimed_until=token, error=exc.reason,
                       outcome="failed")
    except TemporaryFailure as exc:
        return _record_temporary(con, message, attempts, exc.reason, token, now, policy, who)
    except Exception as exc:        # an adapter's bug must not lose the message: retry like a timeout
        log.exception("%s: the gateway adapter failed", who)
        return _record_temporary(con, message, attempts, f"adapter error: {type(exc).__name__}",
                                 token, now, policy, who)
    log.info("%s sent, gateway id %s", who, result.message_id)
    # Not conditional on the claim: the message left, so it must never be claimed again.
    retrying(lambda: _in_transaction(con, outbox_db.mark_sent, message.id, sent_at=now,
                                     gateway_message_id=result.message_id))
    return "sent"


def _record_temporary(con, message: SmsMessage, attempts: int, reason: str, token: datetime,
                      now: datetime, policy: DispatchPolicy, who: str) -> str:
    if attempts + 1 >= policy.max_attempts:
        log.warning("%s failed for good after %d attempts: %s", who, attempts + 1, reason)
        error = f"gave up after {attempts + 1} attempts: {reason}"
        return _record(con, outbox_db.mark_failed, message.id, claimed_until=token, error=error,
                       outcome="failed")
    retry_at = now + retry_delay(attempts, policy)
    log.info("%s not sent (%s); trying again at %s", who, reason, retry_at.isoformat())
    return _record(con, outbox_db.schedule_retry, message.id, claimed_until=token,
                   next_attempt_at=retry_at, error=reason, outcome="retrying")


def _record(con, update, message_id: int, *, outcome: str, **values) -> str:
    """A failure is written only while the claim is still ours; else another dispatcher owns it."""
    return outcome if retrying(lambda: _in_transaction(con, update, message_id, **values)) else "skipped"


def _in_transaction(con, update, *args, **kwargs):
    with transaction(con) as cur:
        return update(cur, *args, **kwargs)


# ---- the dispatcher in the background of the portal's process ----

def run_dispatcher_forever(con_factory: Callable, gateway: Gateway, interval_s: float,
                           stop_event: threading.Event, policy: DispatchPolicy = DEFAULT_POLICY) -> None:
    """Rounds of dispatch_due until `stop_event` is set. A full batch is followed at once by the
    next; otherwise it waits `interval_s`. A failing round is logged and tried again later; a closed
    connection (the process is shutting down) ends the loop."""
    while not stop_event.wait(interval_s):
        while not stop_event.is_set():
            try:
                report = dispatch_due(con_factory(), gateway, batch=policy.batch, policy=policy)
            except outbox_db.ConnectionClosed:
                log.info("SMS dispatcher stops: the database connection is closed")
                return
            except Exception:
                log.exception("SMS dispatch round failed; trying again in %g s", interval_s)
                break
            if report.claimed < policy.batch:
                break


class DispatcherThread(threading.Thread):
    """The background dispatcher; `stop()` ends it after the message in hand."""

    def __init__(self, con_factory: Callable, gateway: Gateway, policy: DispatchPolicy):
        self.stop_event = threading.Event()
        super().__init__(name="sms-dispatcher", daemon=True, target=run_dispatcher_forever,
                         args=(con_factory, gateway, policy.interval_s, self.stop_event, policy))

    def stop(self, timeout_s: float | None = 5) -> None:
        self.stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout_s)


def start_background_dispatcher(con, secrets: Mapping | None,
                                env: Mapping[str, str] = os.environ) -> DispatcherThread | None:
    """Start the dispatcher thread of this process over its one connection (each round takes its
    own cursors). None when switched off: ESACHIVALAYA_SMS_DISPATCHER=0 or [sms] background = false.
    A mistake in [sms] raises ValueError here, at start-up."""
    gateway, policy = gateway_from_secrets(secrets), DispatchPolicy.from_secrets(secrets)
    background = ((secrets or {}).get("sms") or {}).get("background", True)
    if str(env.get(DISPATCHER_ENV, "1")).lower() in ("0", "false", "no") or background is False:
        log.info("SMS dispatcher is off; messages wait in the outbox")
        return None
    thread = DispatcherThread(lambda: con, gateway, policy)
    thread.start()
    log.info("SMS dispatcher started (%s, every %g s)", type(gateway).__name__, policy.interval_s)
    return thread


# ---- the admin's outbox page ----

@dataclass(frozen=True)
class OutboxEntry:
    """A message as the admin sees it: the mobile masked, and the text with its links and one-time
    codes blotted out (a hearing's SMS carries the video room's link, which would let its reader into
    the hearing; a track link or code would open the citizen's complaint). SMS carry no ID number."""
    id: int
    created_at: datetime
    template: str
    language: str
    masked_mobile: str
    status: SmsStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None
    parts: int                      # SMS parts it costs (Hindi goes as Unicode: 70 a part)
    text: str = ""


_LINK_RE = re.compile(r"https?://\S+")
_CODE_RE = re.compile(r"(?<![\w-])\d{4,8}(?![\w-])")      # a one-time code, not a tracking number's digits


def readable_text(body: str) -> str:
    """The message as the outbox page may show it: links and codes replaced by placeholders."""
    return _CODE_RE.sub("••••••", _LINK_RE.sub("[link]", body or ""))


def outbox_counts(con) -> dict[SmsStatus, int]:
    with con.cursor() as cur:
        found = outbox_db.count_by_status(cur)
    return {status: found.get(status, 0) for status in SmsStatus}


def list_outbox(con, status: str | None = None, limit: int = 200) -> list[OutboxEntry]:
    """The newest messages, optionally of one status."""
    status = SmsStatus(status) if status else None
    with con.cursor() as cur:
        rows = outbox_db.recent_messages(cur, status, limit)
    entries = []
    for row in rows:
        r = dict(zip(outbox_db.OUTBOX_COLUMNS, row))
        entries.append(OutboxEntry(
            id=r["id"], created_at=r["created_at"], template=r["template"], language=r["language"],
            masked_mobile=mask_mobile(r["mobile"]), status=SmsStatus(r["status"]), attempts=r["attempts"],
            last_error=r["last_error"], sent_at=r["sent_at"], next_attempt_at=r["next_attempt_at"],
            parts=sms_parts(r["body"]), text=readable_text(r["body"])))
    return entries


def resend(con, message_id: int, actor: str, now: datetime | None = None) -> None:
    """Put a failed message back in the queue with a fresh count of attempts; audited.

    A sent message cannot be resent (the citizen has it), nor one still queued.
    """
    def write() -> None:
        with transaction(con) as cur:
            user = users_db.get_user(cur, actor)
            if user is None or not user.active or user.role != Role.ADMIN:
                raise InvalidInput(Problem("message", "outbox.error.not_admin"))
            state = outbox_db.message_state(cur, message_id)
            if state is None:
                raise InvalidInput(Problem("message", "outbox.error.unknown"))
            status, attempts, last_error = state
            if status == SmsStatus.SENT:
                raise InvalidInput(Problem("message", "outbox.error.already_sent"))
            if status != SmsStatus.FAILED or not outbox_db.requeue_failed(cur, message_id):
                raise InvalidInput(Problem("message", "outbox.error.not_failed"))
            audit.record(cur, actor, "sms.resend", f"sms:{message_id}",
                         f"after {attempts} attempt(s); last error: {last_error or '-'}", now)

    retrying(write)
