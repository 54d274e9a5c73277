"""SQL for the SMS outbox: messages are queued here in the transaction that causes them."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.core.states import SmsStatus
from lib.db import postgres
from lib.db.connect import dialect


def queue_sms(cur: duckdb.DuckDBPyConnection, *, complaint_id: int | None, mobile: str, language: str,
              template: str, dlt_template_id: str, body: str, idempotency_key: str, created_at: datetime,
              send_after: datetime | None = None) -> None:
    """Queue one message; `send_after` holds it back until then (hearing reminders)."""
    cur.execute(
        "INSERT INTO sms_outbox (id, complaint_id, mobile, language, template, dlt_template_id, body,"
        " status, attempts, idempotency_key, created_at, send_after)"
        " VALUES (nextval('sms_seq'), ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [complaint_id, mobile, language, template, dlt_template_id, body, SmsStatus.QUEUED,
         idempotency_key, created_at, send_after],
    )


def messages_for(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT mobile, language, template, dlt_template_id, body, status, idempotency_key"
        " FROM sms_outbox WHERE complaint_id = ? ORDER BY id", [complaint_id]).fetchall()
    keys = ("mobile", "language", "template", "dlt_template_id", "body", "status", "idempotency_key")
    return [dict(zip(keys, r)) for r in rows]


# ---- the dispatcher's side: claim, then record what the gateway said ----

# Another thread of this process may have closed the connection (shutdown, a test's teardown):
# the background dispatcher then stops instead of failing every round.
ConnectionClosed = (duckdb.ConnectionException, *postgres.ConnectionClosed)

_MESSAGE_COLUMNS = "id, mobile, language, template, dlt_template_id, body, idempotency_key, attempts"


def claim_due(cur: duckdb.DuckDBPyConnection, *, now: datetime, claimed_until: datetime,
              limit: int) -> list[tuple]:
    """Mark up to `limit` due messages as being sent until `claimed_until`, oldest first, and
    return them (the columns of _MESSAGE_COLUMNS).

    Run it in a transaction: when two dispatchers pick the same rows, DuckDB refuses the second
    UPDATE (a write-write conflict), so a message is claimed by one of them only. On PostgreSQL the
    rows are locked as they are picked (FOR UPDATE SKIP LOCKED): a dispatcher in another process
    passes over the rows one is claiming and takes the next ones, and once that claim is committed
    its lease keeps them out. `claimed_until` doubles as the claim's token for the updates that follow.
    """
    lock = " FOR UPDATE SKIP LOCKED" if dialect(cur) == "postgres" else ""
    return cur.execute(
        "UPDATE sms_outbox SET claimed_until = ? WHERE id IN ("
        "  SELECT id FROM sms_outbox WHERE status = ?"
        "   AND (send_after IS NULL OR send_after <= ?)"
        "   AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        "   AND (claimed_until IS NULL OR claimed_until < ?)"
        f"  ORDER BY coalesce(next_attempt_at, send_after, created_at), id LIMIT ?{lock})"
        f" RETURNING {_MESSAGE_COLUMNS}",
        [claimed_until, SmsStatus.QUEUED, now, now, now, limit],
    ).fetchall()


def is_claimed_by(cur: duckdb.DuckDBPyConnection, message_id: int, claimed_until: datetime) -> bool:
    """Still queued and still this claim's: false once a lease ran out and another dispatcher took it."""
    rows = cur.execute("SELECT 1 FROM sms_outbox WHERE id = ? AND status = ? AND claimed_until = ?",
                       [message_id, SmsStatus.QUEUED, claimed_until]).fetchall()
    return bool(rows)


def mark_sent(cur: duckdb.DuckDBPyConnection, message_id: int, *, sent_at: datetime,
              gateway_message_id: str | None) -> bool:
    """The gateway took it. Not tied to the claim: a message that left is sent, even if this
    dispatcher's lease ran out meanwhile (that is what stops another dispatcher sending it again)."""
    rows = cur.execute(
        "UPDATE sms_outbox SET status = ?, sent_at = ?, gateway_message_id = ?, attempts = attempts + 1,"
        " last_error = NULL, next_attempt_at = NULL, claimed_until = NULL"
        " WHERE id = ? AND status <> ? RETURNING id",
        [SmsStatus.SENT, sent_at, gateway_message_id, message_id, SmsStatus.SENT]).fetchall()
    return bool(rows)


def schedule_retry(cur: duckdb.DuckDBPyConnection, message_id: int, *, claimed_until: datetime,
                   next_attempt_at: datetime, error: str) -> bool:
    rows = cur.execute(
        "UPDATE sms_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
        " claimed_until = NULL WHERE id = ? AND status = ? AND claimed_until = ? RETURNING id",
        [next_attempt_at, error, message_id, SmsStatus.QUEUED, claimed_until]).fetchall()
    return bool(rows)


def mark_failed(cur: duckdb.DuckDBPyConnection, message_id: int, *, claimed_until: datetime,
                error: str) -> bool:
    rows = cur.execute(
        "UPDATE sms_outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
        " next_attempt_at = NULL, claimed_until = NULL"
        " WHERE id = ? AND status = ? AND claimed_until = ? RETURNING id",
        [SmsStatus.FAILED, error, message_id, SmsStatus.QUEUED, claimed_until]).fetchall()
    return bool(rows)


# ---- the admin's outbox page ----

def count_by_status(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = cur.execute("SELECT status, count(*) FROM sms_outbox GROUP BY status").fetchall()
    return {status: count for status, count in rows}


OUTBOX_COLUMNS = ("id", "created_at", "template", "language", "mobile", "status", "attempts",
                  "last_error", "sent_at", "next_attempt_at", "body")


def recent_messages(cur: duckdb.DuckDBPyConnection, status: str | None, limit: int) -> list[tuple]:
    """Newest first, optionally of one status (the columns of OUTBOX_COLUMNS)."""
    return cur.execute(
        f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM sms_outbox"
        " WHERE (CAST(? AS VARCHAR) IS NULL OR status = ?) ORDER BY created_at DESC, id DESC LIMIT ?",
        [status, status, limit]).fetchall()


def message_state(cur: duckdb.DuckDBPyConnection, message_id: int) -> tuple | None:
    """(status, attempts, last_error) of one message."""
    rows = cur.execute("SELECT status, attempts, last_error FROM sms_outbox WHERE id = ?",
                       [message_id]).fetchall()
    return rows[0] if rows else None


# Reminders of a cancelled or moved hearing are kept as failed with this reason; resending one
# would call the citizen to a hearing that is not happening.
CANCELLED_REASON = "cancelled"


def requeue_failed(cur: duckdb.DuckDBPyConnection, message_id: int) -> bool:
    """A failed message back in the queue with a fresh count of attempts (and the same
    idempotency key, so a gateway that did take an earlier attempt drops this one).
    Never a message withdrawn because its hearing was cancelled."""
    rows = cur.execute(
        "UPDATE sms_outbox SET status = ?, attempts = 0, last_error = NULL, next_attempt_at = NULL,"
        " claimed_until = NULL WHERE id = ? AND status = ? AND coalesce(last_error, '') <> ? RETURNING id",
        [SmsStatus.QUEUED, message_id, SmsStatus.FAILED, CANCELLED_REASON]).fetchall()
    return bool(rows)
