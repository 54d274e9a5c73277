"""Appeals (issue #15): a citizen who answered "not solved" asks the appellate officer (role `appellate`,
e.g. the ADC) to look again, within APPEAL_WITHIN of that answer or of a later disposal, once per
complaint. The appellate officer sends the complaint back to its department with directions and a
report-back date (reopened), or upholds the disposal (closed for good). Each step is one transaction:
the appeal's row, a public history entry, the citizen's SMS through the outbox, and the audit trail
(codes only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lib.casework.actions import DIRECTION_WITHIN_DAYS, SEND_BACK_DAYS
from lib.casework.steps import (Citizen, ComplaintNotFound, Done, Outcome, act, checked_text, now_in_ist,
                                server_user)
from lib.citizen import track_links
from lib.citizen.receipt import format_time
from lib.core.complaints import Status
from lib.core.config import Settings
from lib.core.i18n import t
from lib.core.lifecycle import CITIZEN, Action, CaseEvent, Feedback, TransitionRefused, appeal_deadline
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import User
from lib.db import sms as outbox_db
from lib.db.casework import appeals as appeals_db
from lib.db.casework import cases as casework_db
from lib.db.casework.appeals import PENDING, SENT_BACK, UPHELD, Appeal, QueuedAppeal  # noqa: F401
from lib.db.connect import retrying, transaction
from lib.sms.templates import render
from lib.staff import audit

REASON_LIMITS = (10, 1000)          # characters of the citizen's reason


class AppealRefused(TransitionRefused):
    """No appeal now; `key` (appeal.*) says why, with `params` for its wording."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.params = params

    def message(self, language: str) -> str:
        return t(language, self.key, **self.params)


@dataclass(frozen=True)
class AppealChance:
    """What the track page offers: the appeal already made, or until when one may be made, or why not."""
    appeal: Appeal | None = None
    until: datetime | None = None           # set when an appeal may be filed now
    refusal: AppealRefused | None = None


def _chance(cur, complaint_id: int, resolved_at: datetime | None, now: datetime) -> AppealChance:
    appeal = appeals_db.appeal_of(cur, complaint_id)
    if appeal is not None:
        return AppealChance(appeal=appeal, refusal=AppealRefused("appeal.already_filed"))
    latest = appeals_db.latest_feedback(cur, complaint_id)
    if latest is None or latest[0] != Feedback.NOT_SOLVED:
        key = "appeal.answered_solved" if latest and latest[0] == Feedback.SOLVED else "appeal.not_eligible"
        return AppealChance(refusal=AppealRefused(key))
    until = appeal_deadline(latest[1], resolved_at)
    if now > until:
        return AppealChance(refusal=AppealRefused("appeal.expired", date=format_time(until)))
    return AppealChance(until=until)


def appeal_chance(con, complaint_id: int, resolved_at: datetime | None, *,
                 now: datetime | None = None) -> AppealChance:
    """For the track page of a citizen already proven (one-time code or signed link)."""
    with con.cursor() as cur:
        return _chance(cur, complaint_id, resolved_at, now_in_ist(now))


def checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    low, high = REASON_LIMITS
    if not text:
        raise InvalidInput(Problem("reason", "error.required"))
    if len(text) < low:
        raise InvalidInput(Problem("reason", "error.too_short", {"min": low}))
    if len(text) > high:
        raise InvalidInput(Problem("reason", "error.too_long", {"max": high}))
    return text


def file_appeal(con, citizen: Citizen, complaint_id: int, reason: str, *, now: datetime | None = None) -> Done:
    """The citizen's appeal, with their reason (Aadhaar numbers masked where it is stored)."""
    moment = now_in_ist(now)
    text = checked_reason(reason)

    def work() -> Done:
        with transaction(con) as cur:
            snap = casework_db.snapshot_for_citizen(cur, complaint_id, citizen.tracking_no, citizen.mobile)
            if snap is None:
                raise ComplaintNotFound(complaint_id)
            chance = _chance(cur, snap.id, snap.resolved_at, moment)
            if chance.until is None:
                raise chance.refusal
            appeals_db.add_appeal(cur, snap.id, text, moment)
            event_id = casework_db.add_event(cur, snap.id, moment, CITIZEN, CaseEvent.APPEALED, snap.status,
                                             snap.status, None, True)
            dlt_id, body = render("appeal_filed", snap.language, tracking_no=snap.tracking_no)
            outbox_db.queue_sms(cur, complaint_id=snap.id, mobile=snap.mobile, language=snap.language,
                                template="appeal_filed", dlt_template_id=dlt_id, body=body,
                                idempotency_key=f"appeal_filed:{event_id}", created_at=moment)
            audit.record(cur, CITIZEN, "complaint.appeal", snap.tracking_no, snap.status, moment)
            return Done(snap.tracking_no, snap.status, snap.version)
    return retrying(work)


# ---- the appellate officer ----

def appeals_queue(con, user: User, *, pending_only: bool = True) -> list[QueuedAppeal]:
    with con.cursor() as cur:
        return appeals_db.queue(cur, server_user(cur, user), pending_only)


def appeal_for(con, user: User, complaint_id: int) -> Appeal | None:
    """The complaint's appeal, if the user may see the complaint."""
    with con.cursor() as cur:
        if casework_db.snapshot_for_user(cur, server_user(cur, user), complaint_id) is None:
            return None
        return appeals_db.appeal_of(cur, complaint_id)


def _decide(cur, snap, fresh: User, status: str, moment: datetime) -> None:
    appeal = appeals_db.appeal_of(cur, snap.id)
    if appeal is None or not appeals_db.decide(cur, appeal.id, status, fresh.username, moment):
        raise AppealRefused("appeal.not_pending")


def send_back(con, user: User, complaint_id: int, expected_version: int, directions: str,
              report_by: date | None = None, *, settings: Settings, now: datetime | None = None) -> Done:
    """The appeal is allowed: the complaint is reopened and goes back to its department with the
    appellate officer's directions, due by `report_by` (SEND_BACK_DAYS from today unless given)."""
    moment = now_in_ist(now)
    text = checked_text(directions, "instruction", required=True)
    due = report_by or moment.date() + timedelta(days=SEND_BACK_DAYS)
    if not isinstance(due, date) or not moment.date() <= due <= moment.date() + timedelta(days=DIRECTION_WITHIN_DAYS):
        raise InvalidInput(Problem("report_by", "casework.report_by_range", {"days": DIRECTION_WITHIN_DAYS}))

    def plan(cur, snap, target, fresh) -> Outcome:
        if not casework_db.is_active_department(cur, snap.department_code):
            raise InvalidInput(Problem("department", "casework.department_required"))
        _decide(cur, snap, fresh, SENT_BACK, moment)
        casework_db.add_direction(cur, snap.id, snap.department_code, text, due, fresh.username, moment)
        reopened = snap.status in (Status.RESOLVED, Status.CLOSED)
        changes = {"resolved_at": None, "reopen_count": snap.reopen_count + 1} if reopened else {}
        link = track_links.signed_track_url(settings, settings.track_url, snap.id, snap.tracking_no, snap.language)
        return Outcome(event=CaseEvent.APPEAL_SENT_BACK, changes=changes, sms="appeal_sent_back",
                       sms_variables={"report_by": due.strftime("%d-%m-%Y"), "track_url": link},
                       detail=f"report by {due.isoformat()}")
    return act(con, user, complaint_id, expected_version, Action.APPEAL_SEND_BACK, moment, plan, text)


def uphold(con, user: User, complaint_id: int, expected_version: int, remark: str, *,
           now: datetime | None = None) -> Done:
    """The disposal stands: the complaint is closed, and no answer of the citizen reopens it again.
    The remark (the reasons of the order) stays internal."""
    moment = now_in_ist(now)
    text = checked_text(remark, "remark", required=True)

    def plan(cur, snap, target, fresh) -> Outcome:
        _decide(cur, snap, fresh, UPHELD, moment)
        return Outcome(event=CaseEvent.APPEAL_UPHELD, sms="appeal_upheld")
    return act(con, user, complaint_id, expected_version, Action.UPHOLD, moment, plan, text)

