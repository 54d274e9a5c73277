"""States of a hearing and of an SMS, and the hearing entries of a complaint's history."""
from __future__ import annotations

from enum import StrEnum


class HearingStatus(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


# A hearing in one of these keeps its slot: cancelled and moved ones give it back.
HOLDING = (HearingStatus.BOOKED, HearingStatus.ATTENDED, HearingStatus.NO_SHOW)


class HearingEvent(StrEnum):
    """History entries of hearings besides the lifecycle's status changes (catalog key: event.<value>).
    Public, with no remark: the reason stays internal."""
    CANCELLED = "hearing_cancelled"
    RESCHEDULED = "hearing_rescheduled"
    NO_SHOW = "hearing_no_show"


class SmsStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
