"""How often the public form may be used: per client address and per mobile number.

Decoding uploads is the portal's most expensive work and the form needs no account, so one address
may start at most CLIENT_PER_HOUR filings an hour (counted once the form is otherwise valid, before
any file is decoded), and one mobile number may file at most MOBILE_PER_DAY complaints a day.
Both counts live in the database, so they hold across sessions, tabs and restarts.

A signed-in CSC operator (assisted filing, lib/citizen/assisted.py) files for many walk-in citizens
from one address: their filings are counted per operator instead, OPERATOR_PER_HOUR an hour.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.core.problems import InvalidInput, Problem
from lib.db import limits as limits_db
from lib.db.connect import retrying, transaction

CLIENT_PER_HOUR = 10
MOBILE_PER_DAY = 3
OPERATOR_PER_HOUR = 60
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class ClientLimit:
    """How many filings one client may start an hour, and the words that refuse one more."""
    per_hour: int
    refusal: str


PUBLIC_FORM = ClientLimit(CLIENT_PER_HOUR, "error.limit_client")
OPERATOR = ClientLimit(OPERATOR_PER_HOUR, "error.limit_operator")


def admit(con, client: str, mobile: str, now: datetime, limit: ClientLimit = PUBLIC_FORM) -> None:
    """Count this attempt, or refuse it with InvalidInput(Problem("submit", ...)) in the citizen's words.

    Two attempts at the very same moment may both pass the last free place; the limit is a brake on
    abuse, not an exact quota."""
    def work() -> None:
        with transaction(con) as cur:
            if limits_db.filings_since(cur, mobile, now - DAY) >= MOBILE_PER_DAY:
                raise InvalidInput(Problem("submit", "error.limit_mobile", {"max": MOBILE_PER_DAY}))
            count, oldest = limits_db.attempts_since(cur, client, now - HOUR)
            if count >= limit.per_hour:
                minutes = max(1, math.ceil((oldest + HOUR - now).total_seconds() / 60))
                raise InvalidInput(Problem("submit", limit.refusal, {"max": limit.per_hour, "minutes": minutes}))
            limits_db.record_attempt(cur, client, now, now - DAY)
    retrying(work)


def mobile_has_room(con, mobile: str, now: datetime) -> None:
    """The per-mobile limit alone (the Open311 API's filings: a partner's key has its own rate
    limit in place of the per-address one); InvalidInput(Problem("mobile", ...)) when reached."""
    with con.cursor() as cur:
        if limits_db.filings_since(cur, mobile, now - DAY) >= MOBILE_PER_DAY:
            raise InvalidInput(Problem("mobile", "error.limit_mobile", {"max": MOBILE_PER_DAY}))
