"""One-time codes by SMS: the citizen proves they hold the complaint's mobile before seeing its details.

A code is 6 digits, good for CODE_LIFE and WRONG_TRIES mistakes, and only the newest code of a
complaint counts. At most CODES_PER_HOUR are sent per complaint, so nobody can flood the citizen's
phone or buy many guesses. Only a keyed hash of the code is stored; the SMS itself goes through
the outbox in the same transaction, like every SMS of the portal.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lib.citizen.track_guard import derived_key
from lib.core.config import Settings
from lib.core.masking import mask_mobile
from lib.db import sms as outbox_db, tracking as tracking_db
from lib.db.connect import retrying, transaction
from lib.sms.templates import render

CODE_LIFE = timedelta(minutes=10)
WRONG_TRIES = 3
CODES_PER_HOUR = 3
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class CodeSent:
    """A code is on its way (`to`: the masked mobile), or none was sent before `retry_at`."""
    to: str | None = None
    retry_at: datetime | None = None


class CodeCheck(StrEnum):
    """What became of a code the citizen typed."""
    ACCEPTED = "accepted"
    WRONG = "wrong"            # tries are left
    SPENT = "spent"            # too many wrong tries, or already used: ask for a new code
    EXPIRED = "expired"
    NONE_SENT = "none_sent"


def _hash(settings: Settings, code_id: int, code: str) -> str:
    return hmac.new(derived_key(settings, "track-code"), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(con, settings: Settings, complaint_id: int, now: datetime) -> CodeSent:
    """Queue a new code by SMS to the mobile the complaint was filed with."""
    def work() -> CodeSent:
        with transaction(con) as cur:
            sent, oldest = tracking_db.codes_since(cur, complaint_id, now - _HOUR)
            if sent >= CODES_PER_HOUR:
                return CodeSent(retry_at=oldest + _HOUR)
            tracking_no, mobile, language = tracking_db.contact_of(cur, complaint_id)
            code = f"{secrets.randbelow(10 ** 6):06d}"
            code_id = tracking_db.next_code_id(cur)
            tracking_db.add_code(cur, code_id, complaint_id, _hash(settings, code_id, code), now, now + CODE_LIFE)
            dlt_id, body = render("otp", language, tracking_no=tracking_no, code=code)
            outbox_db.queue_sms(cur, complaint_id=complaint_id, mobile=mobile, language=language,
                                template="otp", dlt_template_id=dlt_id, body=body,
                                idempotency_key=f"otp:{code_id}", created_at=now)
            return CodeSent(to=mask_mobile(mobile))
    return retrying(work)


def check_code(con, settings: Settings, complaint_id: int, typed: str, now: datetime) -> tuple[CodeCheck, int]:
    """(what became of the code, wrong tries left). A right code is spent at once."""
    code = "".join(ch for ch in str(typed or "") if not ch.isspace())

    def work() -> tuple[CodeCheck, int]:
        with transaction(con) as cur:
            row = tracking_db.latest_code(cur, complaint_id)
            if row is None:
                return CodeCheck.NONE_SENT, 0
            code_id, code_hash, expires_at, wrong, used_at = row
            if used_at is not None or wrong >= WRONG_TRIES:
                return CodeCheck.SPENT, 0
            if now >= expires_at:
                return CodeCheck.EXPIRED, 0
            if hmac.compare_digest(code_hash, _hash(settings, code_id, code)):
                return (CodeCheck.ACCEPTED, 0) if tracking_db.use_code(cur, code_id, now) else (CodeCheck.SPENT, 0)
            left = WRONG_TRIES - tracking_db.add_wrong_try(cur, code_id)
            return (CodeCheck.WRONG, left) if left > 0 else (CodeCheck.SPENT, 0)
    return retrying(work)
