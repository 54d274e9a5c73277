"""Partner systems' API keys: created and revoked by the IT cell, stored as hashes, each call counted.

A key is 32 random bytes (URL-safe text) shown once, when it is made; the database keeps its SHA-256
(a random 256-bit secret needs no slow hash) and its first characters, to tell keys apart on the admin
page. A revoked key stays in the table, so the complaints it filed still name their partner.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lib.core.problems import InvalidInput, Problem
from lib.db import partners as partners_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.staff import audit

KEY_PREFIX = "rwr_"
PREFIX_SHOWN = 10                     # "rwr_" and six characters of the secret
NAME_RE = re.compile(r"[a-z][a-z0-9_]{2,31}", re.ASCII)
# Calls a partner's key may make per minute, and calls without a key per client address.
CALLS_PER_MINUTE = 120
PUBLIC_CALLS_PER_MINUTE = 60
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Partner:
    id: int
    name: str

    @property
    def channel(self) -> str:
        """How its complaints are marked in the queue and analytics."""
        return f"api:{self.name}"


@dataclass(frozen=True)
class PartnerRow:
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None
    complaints: int


class KeyRefused(Exception):
    """No key, an unknown key or a revoked one (HTTP 403)."""


class RateLimited(Exception):
    def __init__(self, retry_after_s: int):
        super().__init__(f"rate limit reached; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_partner(con, name: str, actor: str, now: datetime | None = None) -> tuple[Partner, str]:
    """A new partner system and its key; the key is returned here and never again."""
    name = (name or "").strip().lower()
    if not NAME_RE.fullmatch(name):
        raise InvalidInput(Problem("partner_name", "admin.partners.error.name"))
    now = now or datetime.now(timezone.utc)
    key = KEY_PREFIX + secrets.token_urlsafe(32)

    def write() -> int:
        with transaction(con) as cur:
            if partners_db.partner_named(cur, name) is not None:
                raise InvalidInput(Problem("partner_name", "admin.partners.error.taken"))
            partner_id = partners_db.add_partner(cur, name, key_hash(key), key[:PREFIX_SHOWN], now, actor)
            audit.record(cur, actor, "partner.create", name, None, now)       # never the key
            return partner_id
    try:
        partner_id = retrying(write)
    except ConstraintViolation:
        raise InvalidInput(Problem("partner_name", "admin.partners.error.taken")) from None
    return Partner(partner_id, name), key


def list_partners(con) -> list[PartnerRow]:
    with con.cursor() as cur:
        return [PartnerRow(*row) for row in partners_db.list_partners(cur)]


def revoke_partner(con, partner_id: int, actor: str, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)

    def write() -> None:
        with transaction(con) as cur:
            row = next((r for r in partners_db.list_partners(cur) if r[0] == partner_id), None)
            if row is None or not partners_db.revoke_partner(cur, partner_id, now, actor):
                raise InvalidInput(Problem("revoke", "admin.partners.error.revoked"))
            audit.record(cur, actor, "partner.revoke", row[1], None, now)
    retrying(write)


def partner_of_key(con, key: str | None) -> Partner:
    """The partner holding this live key; KeyRefused otherwise."""
    if not key or not isinstance(key, str):
        raise KeyRefused("api_key missing")
    with con.cursor() as cur:
        row = partners_db.partner_by_key_hash(cur, key_hash(key.strip()))
    if row is None or row[2] is not None:
        raise KeyRefused("api_key unknown or revoked")
    return Partner(row[0], row[1])


def count_call(con, bucket: str, per_minute: int, now: datetime | None = None) -> None:
    """Count one call of `bucket` ("key:<id>" or "client:<address>"), or refuse it (RateLimited)."""
    now = now or datetime.now(timezone.utc)

    def work() -> None:
        with transaction(con) as cur:
            count, oldest = partners_db.count_calls(cur, bucket, now - MINUTE)
            if count >= per_minute:
                raise RateLimited(max(1, math.ceil((oldest + MINUTE - now).total_seconds())))
            partners_db.add_call(cur, bucket, now, now - MINUTE)
    retrying(work)


def record_call(con, actor: str, action: str, target: str | None, outcome: str,
                now: datetime | None = None) -> None:
    """The audit entry of one API call: who (api:<partner>), which call, on what, and its HTTP status
    with problem codes; never what was sent."""
    def write() -> None:
        with transaction(con) as cur:
            audit.record(cur, actor, action, target, outcome, now)
    retrying(write)
