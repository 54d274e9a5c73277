"""The audit trail: every officer action, admin change and ID-document opening is written down.

Call `record` with the cursor of the transaction that makes the change, so the change and its
audit entry are committed together or not at all.
"""
from __future__ import annotations

from datetime import datetime, timezone

from lib.db.staff import audit as audit_db


def record(cur, actor: str, action: str, target: str | None = None, detail: str | None = None,
           now: datetime | None = None) -> None:
    audit_db.write(cur, actor=actor, action=action, target=target, detail=detail,
                   now=now or datetime.now(timezone.utc))
