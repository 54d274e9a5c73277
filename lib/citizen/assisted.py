"""Assisted filing (issue #15): a CSC / Antyodaya SARAL Kendra operator files for a walk-in citizen.

The operator fills the citizens' own form (pages/file_complaint.py in its assisted mode; the same
checks, the same upload handling, the same one transaction: lib/citizen/filing.py). Nothing is filed
until the citizen confirms: `request_code` checks the form and sends a one-time code by SMS (through
the outbox) to the mobile typed in it, the citizen's own; `confirm_and_file` takes the code the
citizen reads out and files the complaint, spending the code in the filing's own transaction. A
code belongs to one form as it was when the code was sent (its digest), to the operator who asked
for it, and to nothing else (lib/citizen/one_time_codes.py: 6 digits, 10 minutes, 3 tries, hashed).

The complaint records the operator (filed_by), their centre, and its channel "csc:<centre>". An
operator sees only what they filed, as tracking number, date and status (`my_filings`), and the
citizen's receipt of one of them (`receipt_complaint`): never an ID document, never the Aadhaar hash.
Filing limits count per operator, not per address (lib/citizen/limits.OPERATOR).
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lib.citizen import filing, limits
from lib.citizen.filing import Acknowledgement, ComplaintForm, FormChoices, UploadedFile
from lib.citizen.one_time_codes import (
    CODE_LIFE, HOUR, CodeCheck, CodeSent, StoredCode, code_hash, judge, new_code, retry_at,
)
from lib.citizen.tracking import PublicComplaint, load_public_complaint
from lib.core.config import Settings
from lib.core.masking import mask_mobile
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import Role
from lib.db import assisted as assisted_db, sms as outbox_db
from lib.db.connect import retrying, transaction
from lib.sms.templates import render

IST = ZoneInfo("Asia/Kolkata")
PURPOSE = "filing-code"
CHANNEL_PREFIX = "csc:"
MY_FILINGS_SHOWN = 200


@dataclass(frozen=True)
class Operator:
    """An active operator account and the centre it files at, as the users table says now."""
    username: str
    centre: str


@dataclass(frozen=True)
class Confirmation:
    """What became of the code the citizen read out; `acknowledgement` once the complaint is filed."""
    verdict: CodeCheck
    tries_left: int = 0
    acknowledgement: Acknowledgement | None = None


@dataclass(frozen=True)
class Filing:
    """One line of an operator's "Filed by me" list: nothing about the citizen."""
    complaint_id: int
    tracking_no: str
    filed_at: datetime
    status: str


class _CodeSpentMeanwhile(Exception):
    """Another confirmation spent the code between the check and the filing: nothing is filed."""


def _operator(cur, username: str) -> Operator:
    row = assisted_db.operator_of(cur, username)
    if row is None or row[0] != Role.OPERATOR or not row[1] or not row[2]:
        raise InvalidInput(Problem("submit", "assisted.error.not_operator"))
    return Operator(username, row[2])


def operator(con, username: str) -> Operator:
    """The operator and their centre, or InvalidInput when the account is not (or no longer) one."""
    with con.cursor() as cur:
        return _operator(cur, username)


def for_operator(form: ComplaintForm, op: Operator) -> ComplaintForm:
    """The form as the operator's filing: who filed it and where come from the account, never the browser."""
    return dataclasses.replace(form, channel=f"{CHANNEL_PREFIX}{op.centre}", filed_by=op.username, centre=op.centre)


def form_digest(form: ComplaintForm) -> str:
    """A fingerprint of everything the form says (the files by their SHA-256): the code confirms this form only."""
    def plain(value):
        if isinstance(value, UploadedFile):
            return hashlib.sha256(value.data).hexdigest()
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        return value
    text = "\n".join(f"{f.name}={plain(getattr(form, f.name))!r}" for f in dataclasses.fields(form))
    return hashlib.sha256(text.encode()).hexdigest()


def request_code(con, settings: Settings, form: ComplaintForm, choices: FormChoices, username: str,
                 now: datetime | None = None) -> CodeSent:
    """Check the form (InvalidInput: every problem, as on the public form) and queue a code by SMS
    to the mobile in it. At most CODES_PER_HOUR codes an hour go to one mobile (CodeSent.retry_at)."""
    now = (now or datetime.now(IST)).astimezone(IST)
    op = operator(con, username)
    form = for_operator(form, op)
    mobile = filing.check_fields(form, choices, settings.aadhaar_hmac_key, now.date())["columns"]["mobile"]
    limits.mobile_has_room(con, mobile, now)
    digest = form_digest(form)

    def work() -> CodeSent:
        with transaction(con) as cur:
            _operator(cur, username)
            wait_until = retry_at(*assisted_db.codes_since(cur, mobile, now - HOUR))
            if wait_until is not None:
                return CodeSent(retry_at=wait_until)
            code = new_code()
            code_id = assisted_db.next_code_id(cur)
            assisted_db.add_code(cur, code_id, token=form.submission_token, operator=username, mobile=mobile,
                                 form_digest=digest, code_hash=code_hash(settings, PURPOSE, code_id, code),
                                 created_at=now, expires_at=now + CODE_LIFE)
            dlt_id, body = render("filing_code", form.language, centre=op.centre, code=code)
            outbox_db.queue_sms(cur, complaint_id=None, mobile=mobile, language=form.language,
                                template="filing_code", dlt_template_id=dlt_id, body=body,
                                idempotency_key=f"filing_code:{code_id}", created_at=now)
            return CodeSent(to=mask_mobile(mobile))
    return retrying(work)


def confirm_and_file(con, settings: Settings, form: ComplaintForm, choices: FormChoices, username: str,
                     typed: str, *, track_url: str, now: datetime | None = None) -> Confirmation:
    """File the form if `typed` is the citizen's newest code for exactly this form; otherwise file
    nothing (a wrong code costs one of its tries). InvalidInput as on the public form when the
    filing itself is refused (limits, an unreadable upload): nothing filed, the code still good."""
    now = (now or datetime.now(IST)).astimezone(IST)
    op = operator(con, username)
    form = for_operator(form, op)
    earlier = filing.earlier_filing(con, form.submission_token)
    if earlier is not None:                    # a second click on "confirm": the filing is done
        with con.cursor() as cur:
            filer = assisted_db.filer_of(cur, earlier.complaint_id)
        if filer and filer[0] == username:
            return Confirmation(CodeCheck.ACCEPTED, acknowledgement=earlier)
        return Confirmation(CodeCheck.NONE_SENT)
    digest = form_digest(form)

    def check() -> tuple[CodeCheck, int, int | None]:
        with transaction(con) as cur:
            row = assisted_db.latest_code(cur, form.submission_token)
            if row is None or row[5] != username or row[6] != digest:
                return CodeCheck.NONE_SENT, 0, None
            stored = StoredCode(*row[:5])
            verdict, left = judge(settings, PURPOSE, stored, typed, now,
                                  lambda code_id: assisted_db.add_wrong_try(cur, code_id))
            return verdict, left, stored.code_id
    verdict, left, code_id = retrying(check)
    if verdict != CodeCheck.ACCEPTED:
        return Confirmation(verdict, left)

    def spend(cur) -> None:
        _operator(cur, username)               # still an active operator when the complaint is written
        if not assisted_db.use_code(cur, code_id, now):
            raise _CodeSpentMeanwhile
    try:
        ack = filing.file_complaint(con, settings, form, choices, track_url=track_url, now=now,
                                    client=f"operator:{username}", client_limit=limits.OPERATOR, within=spend)
    except _CodeSpentMeanwhile:
        return Confirmation(CodeCheck.SPENT)
    return Confirmation(CodeCheck.ACCEPTED, acknowledgement=ack)


def my_filings(con, username: str, limit: int = MY_FILINGS_SHOWN) -> tuple[list[Filing], int]:
    """(the newest `limit` complaints this operator filed, how many they filed in all)."""
    with con.cursor() as cur:
        rows = assisted_db.filed_by(cur, username, limit)
        total = assisted_db.filed_by_count(cur, username)
    return [Filing(*row) for row in rows], total


def receipt_complaint(con, username: str, complaint_id: int) -> tuple[PublicComplaint, str] | None:
    """(what the citizen's receipt shows, the centre) of a complaint this operator filed; None for any other."""
    with con.cursor() as cur:
        filer = assisted_db.filer_of(cur, complaint_id)
    if filer is None or filer[0] != username:
        return None
    complaint = load_public_complaint(con, complaint_id)
    return (complaint, filer[1]) if complaint else None
