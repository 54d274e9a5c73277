"""The citizen's track page: a complaint found only by tracking number and mobile together, shown without internal detail."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lib import identity
from lib.complaints import IdType, Status, normalise_tracking_number
from lib.db import complaints as complaints_db
from lib.problems import InvalidInput

# What the citizen should expect next, per status (catalog key: next.<status>).
NEXT_STEP_KEY = {status: f"next.{status}" for status in Status}


@dataclass(frozen=True)
class PublicEvent:
    happened_at: datetime
    event: str
    to_status: str | None


@dataclass(frozen=True)
class PublicComplaint:
    tracking_no: str
    filed_at: datetime
    status: str
    subject: str
    category_code: str
    department_code: str | None
    place_lgd: int
    ward: int | None
    masked_id: str
    masked_mobile: str
    events: tuple[PublicEvent, ...]

    @property
    def next_step_key(self) -> str:
        return NEXT_STEP_KEY[Status(self.status)]


def find_complaint(con, tracking_raw: str, mobile_raw: str) -> PublicComplaint | None:
    """The complaint when tracking number and mobile match; None for any mismatch, malformed input
    included, so the page can give one generic answer that does not reveal whether a number exists."""
    tracking_no = normalise_tracking_number(tracking_raw)
    try:
        mobile = identity.parse_mobile(mobile_raw)
    except InvalidInput:
        return None
    if tracking_no is None:
        return None
    with con.cursor() as cur:
        return _public(cur, complaints_db.find_for_citizen(cur, tracking_no, mobile))


def load_public_complaint(con, complaint_id: int) -> PublicComplaint | None:
    """What the citizen may see of a complaint they have just filed."""
    with con.cursor() as cur:
        return _public(cur, complaints_db.find_public_by_id(cur, complaint_id))


def _public(cur, row: dict | None) -> PublicComplaint | None:
    if row is None:
        return None
    events = complaints_db.public_events(cur, row["id"])
    masked = (identity.mask_aadhaar(row["aadhaar_last4"]) if row["id_type"] == IdType.AADHAAR
              else row["ppp_id"])
    return PublicComplaint(
        tracking_no=row["tracking_no"], filed_at=row["filed_at"], status=row["status"],
        subject=row["subject"], category_code=row["category_code"],
        department_code=row["department_code"], place_lgd=row["place_lgd"], ward=row["ward"],
        masked_id=masked, masked_mobile=identity.mask_mobile(row["mobile"]),
        events=tuple(PublicEvent(*e) for e in events),
    )


@dataclass
class FailureThrottle:
    """Slows down one browser session that keeps guessing tracking numbers.

    The first FREE_TRIES mistakes cost nothing (typos happen); after that each further mistake
    doubles the wait before the next try, up to MAX_WAIT_S. A success resets it.
    """
    FREE_TRIES = 3
    BASE_WAIT_S = 5.0
    MAX_WAIT_S = 300.0
    failures: int = 0
    blocked_until: float = field(default=0.0)

    def seconds_to_wait(self, now: float) -> int:
        return max(0, int(self.blocked_until - now + 0.999))

    def record_failure(self, now: float) -> None:
        self.failures += 1
        if self.failures >= self.FREE_TRIES:
            wait = min(self.MAX_WAIT_S, self.BASE_WAIT_S * 2 ** (self.failures - self.FREE_TRIES))
            self.blocked_until = now + wait

    def record_success(self) -> None:
        self.failures = 0
        self.blocked_until = 0.0
