"""SQL for the SMS outbox: messages are queued here in the transaction that causes them."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.notify import SmsStatus


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
