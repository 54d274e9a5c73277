"""The citizen's track page: tracking number and mobile show the status and next step; the details
(subject, place, masked ID, history, the hearing's join link) only after a one-time code or the signed link."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lib.citizen import identity, track_guard, track_links
from lib.core.config import Settings
from lib.core.complaints import EventKind, IdType, Status, normalise_tracking_number
from lib.db.casework import appeals as appeals_db
from lib.db.casework import cases as casework_db, duplicates as duplicates_db
from lib.db import citizen as complaints_db, hearings as hearings_db, tracking as tracking_db
from lib.db.connect import retrying, transaction
from lib.core.states import HearingEvent, HearingStatus
from lib.core.i18n import name_in, t
from lib.core.lifecycle import CaseEvent, ComplaintState, Feedback, RejectionReason, can_give_feedback
from lib.core.problems import InvalidInput
from lib.core.masking import mask_aadhaar, mask_mobile, mask_ppp

IST = ZoneInfo("Asia/Kolkata")

# What the citizen should expect next, per status (catalog key: next.<status>).
NEXT_STEP_KEY = {status: f"next.{status}" for status in Status}


@dataclass(frozen=True)
class PublicEvent:
    happened_at: datetime
    event: str
    to_status: str | None
    code: str | None = None              # a department, rejection reason or feedback answer
    department_code: str | None = None   # of a direction given
    report_by: date | None = None        # of a direction given

    def label(self, language: str, departments: dict[str, tuple[str, str]]) -> str:
        return event_label(language, self.event, self.to_status, self.code, self.department_code,
                           self.report_by, departments)


def event_label(language: str, event: str, to_status: str | None, code: str | None = None,
                department_code: str | None = None, report_by: date | None = None,
                departments: dict[str, tuple[str, str]] | None = None) -> str:
    """What a history entry says, from the catalogs (event.<kind>). `departments`: code -> (en, hi)."""
    def department(c: str | None) -> str:
        en, hi = (departments or {}).get(c, (c, c))
        return name_in(language, en, hi) or "—"

    if event == EventKind.FILED:
        return t(language, "event.filed")
    if event == CaseEvent.REJECTED and code in tuple(RejectionReason):
        return t(language, "event.rejected", reason=t(language, f"rejection.{code}"))
    if event == CaseEvent.DIRECTIONS_GIVEN:
        if department_code and report_by:
            return t(language, "event.directions_given", department=department(department_code),
                     date=report_by.strftime("%d-%m-%Y"))
        return t(language, "event.directions_given_plain")
    if event in (CaseEvent.FORWARDED, CaseEvent.REPORT_FILED) and code:
        return t(language, f"event.{event}", department=department(code))
    if event == CaseEvent.FEEDBACK and code in tuple(Feedback):
        return t(language, "event.feedback", answer=t(language, f"feedback.{code}"))
    if event == CaseEvent.ESCALATED and code in ("department_head", "dc"):     # escalation.Level
        return t(language, "event.escalated", level=t(language, f"escalation.level.{code}"))
    if event == CaseEvent.MERGED and code:
        return t(language, "event.merged", tracking_no=code)
    if event in (CaseEvent.REOPENED, CaseEvent.REMARK, *HearingEvent,
                 CaseEvent.APPEALED, CaseEvent.APPEAL_SENT_BACK, CaseEvent.APPEAL_UPHELD):
        return t(language, f"event.{event}")
    return t(language, "event.status_changed", status=t(language, f"status.{to_status}"))


@dataclass(frozen=True)
class PublicHearing:
    """The citizen's next hearing: when, with whom, and the video room's join link."""
    starts_at: datetime
    ends_at: datetime
    join_url: str
    officer_en: str
    officer_hi: str

    def officer(self, language: str) -> str:
        return name_in(language, self.officer_en, self.officer_hi)


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
    # For the citizen's feedback after resolution (the track page's form).
    complaint_id: int = 0
    version: int = 0
    resolved_at: datetime | None = None
    feedback_open: bool = False          # resolved or closed, within 30 days, no answer yet
    hearing: PublicHearing | None = None   # booked and not yet over; only after the mobile check

    @property
    def next_step_key(self) -> str:
        return NEXT_STEP_KEY[Status(self.status)]


def citizen_proof(tracking_raw: str, mobile_raw: str) -> tuple[str, str] | None:
    """(tracking number, E.164 mobile) as the citizen typed them, normalised; None if malformed."""
    tracking_no = normalise_tracking_number(tracking_raw)
    try:
        mobile = identity.parse_mobile(mobile_raw)
    except InvalidInput:
        return None
    return (tracking_no, mobile) if tracking_no else None


def find_complaint(con, tracking_raw: str, mobile_raw: str, now: datetime | None = None) -> PublicComplaint | None:
    """The full view when tracking number and mobile match; None for any mismatch.

    Not for the track page: it neither counts failures nor asks for a code (use `look_up`, then
    `load_details` once `track_codes` or a signed link has proved the citizen). Kept for lib callers
    and tests that already hold the proof."""
    proof = citizen_proof(tracking_raw, mobile_raw)
    if proof is None:
        return None
    with con.cursor() as cur:
        return _public(cur, complaints_db.find_for_citizen(cur, *proof), now, with_hearing=True)


def load_public_complaint(con, complaint_id: int) -> PublicComplaint | None:
    """What the citizen may see of a complaint they have just filed."""
    with con.cursor() as cur:
        return _public(cur, complaints_db.find_public_by_id(cur, complaint_id))


def _public(cur, row: dict | None, now: datetime | None = None, *, with_hearing: bool = False
            ) -> PublicComplaint | None:
    if row is None:
        return None
    moment = now or datetime.now(IST)
    upcoming = hearings_db.upcoming_for_citizen(cur, row["id"], moment, HearingStatus.BOOKED) if with_hearing else None
    events = casework_db.public_timeline(cur, row["id"])
    snap = casework_db.snapshot_for_citizen(cur, row["id"], row["tracking_no"], row["mobile"])
    state = ComplaintState(Status(snap.status), snap.department_code, snap.transfers, snap.resolved_at)
    feedback_open = (can_give_feedback(state, moment)
                     and casework_db.feedback_since(cur, snap.id, snap.resolved_at) is None
                     and not appeals_db.is_upheld(cur, snap.id))      # appeals (issue #15): final
    masked = (mask_aadhaar(row["aadhaar_last4"]) if row["id_type"] == IdType.AADHAAR
              else mask_ppp(row["ppp_id"]))
    return PublicComplaint(
        tracking_no=row["tracking_no"], filed_at=row["filed_at"], status=row["status"],
        subject=row["subject"], category_code=row["category_code"],
        department_code=row["department_code"], place_lgd=row["place_lgd"], ward=row["ward"],
        masked_id=masked, masked_mobile=mask_mobile(row["mobile"]),
        events=tuple(PublicEvent(*e) for e in events),
        complaint_id=snap.id, version=snap.version, resolved_at=snap.resolved_at, feedback_open=feedback_open,
        hearing=_hearing(upcoming),
    )


def _hearing(row: tuple | None) -> PublicHearing | None:
    if row is None:
        return None
    starts_at, ends_at, join_url, officer, title_en, title_hi = row
    return PublicHearing(starts_at.astimezone(IST), ends_at.astimezone(IST), join_url, title_en or officer,
                         title_hi or title_en or officer)


# ---- the track page: a throttled look-up, then the details only for a proven citizen ----


@dataclass(frozen=True)
class TrackStatus:
    """All that tracking number + mobile show: the status and what happens next."""
    complaint_id: int
    tracking_no: str
    status: str
    joined_to: str | None = None       # merged as a duplicate: `status` is then the surviving complaint's

    @property
    def next_step_key(self) -> str:
        return NEXT_STEP_KEY[Status(self.status)]


@dataclass(frozen=True)
class Lookup:
    """A look-up's answer: the status, or nothing (one answer for every mismatch), or a refusal
    with the moment to try again."""
    found: TrackStatus | None = None
    retry_at: datetime | None = None


def look_up(con, settings: Settings, client: str, tracking_raw: str, mobile_raw: str,
            now: datetime | None = None) -> Lookup:
    """Tracking number + mobile -> the status, counted against the client and the mobile.

    A wrong number and a wrong mobile take the same path through the same queries (the check, the
    look-up, the failure written), so neither the answer nor its timing tells them apart.
    """
    moment = now or datetime.now(IST)
    proof = citizen_proof(tracking_raw, mobile_raw)
    try:
        typed_mobile = identity.parse_mobile(mobile_raw)
    except InvalidInput:
        typed_mobile = None
    asker = track_guard.Asker.of(settings, client, typed_mobile)
    tracking_no, mobile = proof or ("", "")

    def work() -> Lookup:
        with transaction(con) as cur:
            retry_at = track_guard.refused_until(cur, asker, moment)
            if retry_at is not None:
                return Lookup(retry_at=retry_at)
            row = complaints_db.find_for_citizen(cur, tracking_no, mobile)
            if row is None:
                track_guard.note_failure(cur, asker, moment)
                return Lookup()
            track_guard.note_success(cur, asker)
            return Lookup(found=TrackStatus(row["id"], row["tracking_no"], row["status"]))
    return retrying(work)


MAX_JOINS = 5                          # a survivor merged in turn is followed, this many steps at most


def current_status(con, complaint_id: int) -> TrackStatus | None:
    """The status again, for a later rerun of the page that already found the complaint. A complaint
    merged into another (as its duplicate) shows the surviving complaint's status and next step."""
    with con.cursor() as cur:
        row = tracking_db.status_of(cur, complaint_id)
        if row is None:
            return None
        tracking_no, status = row
        followed, joined_to = complaint_id, None
        for _ in range(MAX_JOINS):
            survivor_no = duplicates_db.merged_into(cur, followed) if status == Status.REJECTED else None
            survivor = tracking_db.find_by_tracking_no(cur, survivor_no) if survivor_no else None
            if survivor is None:
                break
            (followed, status), joined_to = survivor, survivor_no
    return TrackStatus(complaint_id, tracking_no, status, joined_to)


def open_link(con, settings: Settings, client: str, tracking_raw: str, signature: str,
              now: datetime | None = None) -> TrackStatus | None:
    """The complaint of a genuine, unexpired signed link; a bad link counts as the client's failure."""
    moment = now or datetime.now(IST)
    asker = track_guard.Asker.of(settings, client, None)

    def work() -> int | None:
        with transaction(con) as cur:
            complaint_id = track_links.open_signed_link(cur, settings, tracking_raw, signature, moment)
            if complaint_id is None:
                track_guard.note_failure(cur, asker, moment)
            return complaint_id
    complaint_id = retrying(work)
    return current_status(con, complaint_id) if complaint_id is not None else None


def load_details(con, complaint_id: int, now: datetime | None = None) -> PublicComplaint | None:
    """Everything the citizen may see, hearing included: only for a citizen proven by code or link."""
    with con.cursor() as cur:
        return _public(cur, complaints_db.find_public_by_id(cur, complaint_id), now, with_hearing=True)


def feedback_proof(con, complaint_id: int) -> tuple[str, str] | None:
    """(tracking number, mobile) of the complaint, for the feedback of a citizen proven by code or
    link (they may not have typed their mobile on this visit)."""
    with con.cursor() as cur:
        row = tracking_db.contact_of(cur, complaint_id)
    return (row[0], row[1]) if row else None
