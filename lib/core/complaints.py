"""The complaint as the portal knows it: its statuses, identity types, hearing modes and tracking number."""
from __future__ import annotations

import re
from enum import StrEnum

from lib.core.config import DISTRICT_CODE


class Status(StrEnum):
    SUBMITTED = "submitted"
    UNDER_SCRUTINY = "under_scrutiny"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HEARING_SCHEDULED = "hearing_scheduled"
    HEARD = "heard"
    WITH_DEPARTMENT = "with_department"
    ACTION_REPORTED = "action_reported"
    RESOLVED = "resolved"
    CLOSED = "closed"


# The usual road of a complaint that is accepted and solved; the demo data follows it.
HAPPY_PATH = (
    Status.SUBMITTED, Status.UNDER_SCRUTINY, Status.ACCEPTED, Status.HEARING_SCHEDULED,
    Status.HEARD, Status.WITH_DEPARTMENT, Status.ACTION_REPORTED, Status.RESOLVED, Status.CLOSED,
)
OPEN_STATUSES = frozenset(HAPPY_PATH[:-2])          # still waiting for the district to act
DISPOSED_STATUSES = frozenset({Status.REJECTED, Status.RESOLVED, Status.CLOSED})


class IdType(StrEnum):
    AADHAAR = "aadhaar"
    PPP = "ppp"


class HearingMode(StrEnum):
    VIDEO = "video"
    IN_PERSON = "in_person"


class EventKind(StrEnum):
    """What happened, for the history timeline (catalog key: event.<value>)."""
    FILED = "filed"
    STATUS_CHANGED = "status_changed"


TRACKING_RE = re.compile(rf"^{DISTRICT_CODE}-(\d{{4}})-(\d{{6,}})$")


def tracking_number(complaint_id: int, year: int) -> str:
    """RWR-2026-000123: district, filing year, and the never-reused complaint id."""
    return f"{DISTRICT_CODE}-{year:04d}-{complaint_id:06d}"


def normalise_tracking_number(raw: str) -> str | None:
    """What a citizen typed ("rwr 2026 123", " RWR-2026-000123 ") as a tracking number, or None."""
    cleaned = re.sub(r"[\s_/]+", "-", (raw or "").strip().upper())
    match = re.match(rf"^{DISTRICT_CODE}-?(\d{{4}})-?(\d+)$", cleaned)
    if not match:
        return None
    return tracking_number(int(match.group(2)), int(match.group(1)))
