"""One-time codes by SMS: the citizen proves they hold the complaint's mobile before seeing its details.

The code machinery (6 digits, CODE_LIFE, WRONG_TRIES, CODES_PER_HOUR, keyed hashes) is
lib/citizen/one_time_codes.py; here a code's subject is the complaint, and its SMS goes through the
outbox in the same transaction, like every SMS of the portal.
"""
from __future__ import annotations

from datetime import datetime

from lib.citizen.one_time_codes import (  # noqa: F401  (CODE_LIFE, WRONG_TRIES: this module's API)
    CODE_LIFE, CODES_PER_HOUR, HOUR, WRONG_TRIES, CodeCheck, CodeSent, StoredCode, code_hash, judge, new_code,
    retry_at,
)
from lib.core.config import Settings
from lib.core.masking import mask_mobile
from lib.db import sms as outbox_db, tracking as tracking_db
from lib.db.connect import retrying, transaction
from lib.sms.templates import render

PURPOSE = "track-code"


def send_code(con, settings: Settings, complaint_id: int, now: datetime) -> CodeSent:
    """Queue a new code by SMS to the mobile the complaint was filed with."""
    def work() -> CodeSent:
        with transaction(con) as cur:
            wait_until = retry_at(*tracking_db.codes_since(cur, complaint_id, now - HOUR))
            if wait_until is not None:
                return CodeSent(retry_at=wait_until)
            tracking_no, mobile, language = tracking_db.contact_of(cur, complaint_id)
            code = new_code()
            code_id = tracking_db.next_code_id(cur)
            tracking_db.add_code(cur, code_id, complaint_id, code_hash(settings, PURPOSE, code_id, code),
                                 now, now + CODE_LIFE)
            dlt_id, body = render("otp", language, tracking_no=tracking_no, code=code)
            outbox_db.queue_sms(cur, complaint_id=complaint_id, mobile=mobile, language=language,
                                template="otp", dlt_template_id=dlt_id, body=body,
                                idempotency_key=f"otp:{code_id}", created_at=now)
            return CodeSent(to=mask_mobile(mobile))
    return retrying(work)


def check_code(con, settings: Settings, complaint_id: int, typed: str, now: datetime) -> tuple[CodeCheck, int]:
    """(what became of the code, wrong tries left). A right code is spent at once."""
    def work() -> tuple[CodeCheck, int]:
        with transaction(con) as cur:
            row = tracking_db.latest_code(cur, complaint_id)
            stored = StoredCode(*row) if row is not None else None
            verdict, left = judge(settings, PURPOSE, stored, typed, now,
                                  lambda code_id: tracking_db.add_wrong_try(cur, code_id))
            if verdict == CodeCheck.ACCEPTED and not tracking_db.use_code(cur, stored.code_id, now):
                return CodeCheck.SPENT, 0
            return verdict, left
    return retrying(work)
