"""Booking a hearing: the booking as a record (its slot, its video room, how it ended), the free slots read
from the database, claiming a slot and closing a booking inside the caller's transaction; and the lifecycle
actions around a hearing (schedule, book, reschedule, cancel, no-show, held), each one step of
lib.casework.steps in which the status change and the booking go together or not at all."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lib.hearings import rooms
from lib.core.roles import Role, User
from lib.core.states import HOLDING, HearingEvent, HearingStatus
from lib.db.casework import cases as casework_db, deadlines as deadlines_db
from lib.db import hearings as hearings_db, sms as outbox_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.casework.actions import DirectionOrder, check_directions, directing
from lib.casework.steps import Done, Outcome, Plan, act, checked_text, now_in_ist, sms_only, step
from lib.citizen import track_links
from lib.core.complaints import Status
from lib.core.config import Settings
from lib.hearings.rules import Absence, HearingRefused
from lib.hearings.officers import officer_title, officers_in
from lib.hearings.slots import (Reminder, Slot, SlotTaken, choose_slot, free_slots, may_book_again, reminders,
                                sms_variables, when)
from lib.core.lifecycle import Action
from lib.core.problems import InvalidInput, Problem
from lib.sms.templates import departments_in_sms, render

IST = ZoneInfo("Asia/Kolkata")
BOOKING_HORIZON_DAYS = 30           # how far ahead "first free slot" looks
MAX_BOOKING_TRIES = 25              # "first free slot" moves on past slots others took meanwhile


@dataclass(frozen=True)
class Hearing:
    id: int
    complaint_id: int
    officer: str
    standing_in_for: str | None
    starts_at: datetime
    ends_at: datetime
    room: str
    join_url: str
    status: HearingStatus
    booked_by: str
    booked_at: datetime
    replaces: int | None = None
    reason: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None

    @property
    def slot(self) -> Slot:
        return Slot(self.starts_at, self.ends_at, self.officer, self.standing_in_for)

    def when(self) -> str:
        return when(self.starts_at, self.ends_at)


def hearing_from_row(row: Sequence) -> Hearing:
    values = list(row[:15])
    values[4], values[5] = values[4].astimezone(IST), values[5].astimezone(IST)
    values[8] = HearingStatus(values[8])
    return Hearing(*values)


# ---- free slots from the database ----

def _slot_inputs(cur, username: str, first_day: date, days: int) -> dict:
    last_day = first_day + timedelta(days=max(days, 1) - 1)
    absences = [Absence(*row) for row in hearings_db.absence_rows(cur, first_day, last_day)]
    people = sorted({username, *(a.substitute for a in absences if a.username == username and a.substitute)})
    start = datetime.combine(first_day, time(0), tzinfo=IST)
    return {"officers": officers_in(cur), "absences": absences,
            "busy": hearings_db.busy(cur, people, start, start + timedelta(days=days), tuple(HOLDING)),
            "local_holidays": {day for day, _ in deadlines_db.local_holidays(cur)}}


def slots_in(cur, username: str, *, now: datetime, days: int, first_day: date | None = None) -> list[Slot]:
    """Free slots of `username` read with an open cursor (the booking transaction checks with this)."""
    first_day = first_day or now.astimezone(IST).date()
    return free_slots(username=username, first_day=first_day, days=days, now=now,
                      **_slot_inputs(cur, username, first_day, days))


def find_free_slots(con, username: str, *, days: int = BOOKING_HORIZON_DAYS, now: datetime | None = None,
                    first_day: date | None = None) -> list[Slot]:
    """The free slots of a hearing officer over the next `days` days (substitutes' on days away)."""
    with con.cursor() as cur:
        return slots_in(cur, username, now=now_in_ist(now), days=days, first_day=first_day)


# ---- booking, inside the caller's transaction (the hearing actions below call these) ----

def claim_slot(cur, *, complaint_id: int, slot: Slot, by: str, now: datetime, replaces: int | None = None) -> Hearing:
    """Book `slot` for the complaint with a new video room. SlotTaken if another booking holds it (the
    claim's primary key decides a race, here or at commit); HearingRefused if the rules never offer it."""
    wanted = slot.standing_in_for or slot.officer
    inputs = _slot_inputs(cur, wanted, slot.day, 1)
    if slot not in free_slots(username=wanted, first_day=slot.day, days=1, now=now, **inputs):
        unbooked = free_slots(username=wanted, first_day=slot.day, days=1, now=now, **{**inputs, "busy": ()})
        if slot in unbooked:
            raise SlotTaken(slot)
        raise HearingRefused("hearing.slot_not_offered")
    room = rooms.new_room_name()
    join_url = rooms.room_url(room)
    try:
        hearing_id = hearings_db.insert_hearing(
            cur, complaint_id=complaint_id, officer=slot.officer, standing_in_for=slot.standing_in_for,
            starts_at=slot.starts_at, ends_at=slot.ends_at, room=room, join_url=join_url,
            status=HearingStatus.BOOKED, booked_by=by, booked_at=now, replaces=replaces)
    except ConstraintViolation:
        raise SlotTaken(slot) from None
    return Hearing(hearing_id, complaint_id, slot.officer, slot.standing_in_for, slot.starts_at, slot.ends_at,
                   room, join_url, HearingStatus.BOOKED, by, now, replaces)


def booked_hearing(cur, complaint_id: int) -> Hearing | None:
    row = hearings_db.active_hearing(cur, complaint_id, HearingStatus.BOOKED)
    return hearing_from_row(row) if row else None


def reminder_keys(hearing_id: int) -> list[str]:
    """The outbox idempotency keys of a hearing's reminders: one of each, ever."""
    return [f"{kind}:hearing:{hearing_id}" for kind in Reminder]


def close_booking(cur, hearing: Hearing, status: HearingStatus, reason: str | None, by: str, now: datetime) -> None:
    """End a booking: cancelled or moved ones give their slot back; every end calls off its reminders."""
    hearings_db.close_hearing(cur, hearing.id, status, reason, by, now,
                              release=status in (HearingStatus.CANCELLED, HearingStatus.RESCHEDULED))
    hearings_db.call_off_reminders(cur, reminder_keys(hearing.id), now)


def no_shows_of(cur, complaint_id: int) -> int:
    return hearings_db.count_with_status(cur, complaint_id, HearingStatus.NO_SHOW)


def preferred_dates(cur, complaint_id: int) -> tuple[date, ...]:
    """The dates that suit the citizen. Only ever used to choose a slot: the booking itself then finds
    the complaint within the user's scope, or refuses."""
    return tuple(hearings_db.preferred_dates(cur, complaint_id))


# ---- reading hearings ----

def hearings_of(con, complaint_id: int) -> list[Hearing]:
    """Every booking of a complaint the caller has already found within the user's scope (find_case)."""
    with con.cursor() as cur:
        return [hearing_from_row(r) for r in hearings_db.complaint_hearings(cur, complaint_id)]


def current(hearings: Iterable[Hearing]) -> Hearing | None:
    """The booking that is on, if any."""
    return next((h for h in reversed(list(hearings)) if h.status == HearingStatus.BOOKED), None)


def count_no_shows(hearings: Iterable[Hearing]) -> int:
    return sum(h.status == HearingStatus.NO_SHOW for h in hearings)


def room_to_show(hearings: Sequence[Hearing], today: date) -> Hearing | None:
    """The hearing whose video room the complaint page offers: the one booked, or one held today (the
    room stays on screen while the directions are given)."""
    return current(hearings) or next((h for h in reversed(hearings) if h.status == HearingStatus.ATTENDED
                                      and h.starts_at.astimezone(IST).date() == today), None)


def may_join(user, hearing: Hearing) -> bool:
    """The DC's office joins any hearing's room; a department officer only the ones they hold."""
    return user.role == Role.DC or user.username == hearing.officer


# ---- the hearing actions: the status change and the booking of its slot in one transaction ----

def _reminders(cur, snap, hearing: Hearing, variables: dict, moment: datetime) -> None:
    """The day-before and 30-minute reminders, held back in the outbox until their time."""
    keys = dict(zip(Reminder, reminder_keys(hearing.id)))
    for kind, send_after in reminders(hearing.starts_at, moment):
        dlt_id, body = render(kind, snap.language, tracking_no=snap.tracking_no, **variables)
        outbox_db.queue_sms(cur, complaint_id=snap.id, mobile=snap.mobile, language=snap.language, template=kind,
                            dlt_template_id=dlt_id, body=body, idempotency_key=keys[kind], created_at=moment,
                            send_after=send_after)


def _booking(slot: Slot, moment: datetime, *, moving: bool, reason: str = "") -> Plan:
    """Book `slot` (a new video room, the claim, the SMS and its reminders); when `moving`, the booking
    that was on is closed as rescheduled first and gives its slot back."""
    def plan(cur, snap, target, fresh) -> Outcome:
        old = booked_hearing(cur, snap.id)
        if moving and old is not None:
            close_booking(cur, old, HearingStatus.RESCHEDULED, reason, fresh.username, moment)
        elif old is not None:
            raise HearingRefused("hearing.already_booked")
        elif not may_book_again(no_shows_of(cur, snap.id)):
            raise HearingRefused("hearing.no_more_rebooking")
        new = claim_slot(cur, complaint_id=snap.id, slot=slot, by=fresh.username, now=moment,
                         replaces=old.id if old else None)
        variables = sms_variables(new.starts_at, officer_title(cur, new.officer, snap.language), new.join_url)
        _reminders(cur, snap, new, variables, moment)
        detail = f"hearing #{new.id}: {new.officer} {new.when()}" + (f" (was #{old.id})" if old else "")
        if moving:
            return Outcome(event=HearingEvent.RESCHEDULED, sms="hearing_rescheduled" if old else "hearing_booked",
                           sms_variables=variables, detail=detail)
        return Outcome(sms="hearing_booked", sms_variables=variables, detail=detail)
    return plan


def schedule_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                     slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Hearing scheduled. With a slot (the usual way, see book_hearing) the booking, its video room,
    the citizen's SMS with the join link and the two reminders go in the same transaction; SlotTaken
    if someone booked the slot first. Without one, only the status and a "time will follow" SMS."""
    moment = now_in_ist(now)
    plan = _booking(slot, moment, moving=False) if slot else sms_only("hearing_scheduled")
    return act(con, user, complaint_id, expected_version, Action.SCHEDULE_HEARING, moment, plan,
               checked_text(remark, "remark"))


def _next_offer(con, taken: Slot, moment: datetime) -> Slot | None:
    free = find_free_slots(con, taken.standing_in_for or taken.officer, now=moment)
    return next((s for s in free if s.starts_at >= taken.starts_at), free[0] if free else None)


def _first_free(con, complaint_id: int, officer: str, moment: datetime, book: Callable[[Slot], Done]) -> Done:
    """Book the first free slot of `officer` on one of the citizen's preferred dates (else the first
    free one), moving on to the next when someone else takes it first."""
    with con.cursor() as cur:
        preferred = preferred_dates(cur, complaint_id)
    lost: set[Slot] = set()
    for _ in range(MAX_BOOKING_TRIES):
        choice = choose_slot([s for s in find_free_slots(con, officer, now=moment) if s not in lost], preferred)
        if choice is None:
            raise HearingRefused("hearing.no_free_slot")
        try:
            return book(choice.slot)
        except SlotTaken:
            lost.add(choice.slot)
    raise HearingRefused("hearing.too_busy")


def _offering(con, slot: Slot, moment: datetime, book: Callable[[Slot], Done]) -> Done:
    try:
        return book(slot)
    except SlotTaken as taken:
        raise SlotTaken(slot, _next_offer(con, slot, moment)) from taken


def book_hearing(con, user: User, complaint_id: int, expected_version: int, officer: str, remark: str = "", *,
                 slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Book a hearing with `officer`: the chosen slot (SlotTaken with the next free slot as its offer if
    someone took it first), or else the first free slot respecting the citizen's preferred dates."""
    moment = now_in_ist(now)

    def book(chosen: Slot) -> Done:
        return schedule_hearing(con, user, complaint_id, expected_version, remark, slot=chosen, now=moment)
    if slot is not None:
        return _offering(con, slot, moment, book)
    return _first_free(con, complaint_id, officer, moment, book)


def reschedule_hearing(con, user: User, complaint_id: int, expected_version: int, reason: str, *,
                       officer: str | None = None, slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Move the hearing to the chosen slot or the first free one of `officer`, with the reason (internal).
    The status stays; the old booking is closed as rescheduled, its slot and reminders released, and the
    citizen gets the new time and a new join link. Allowed when cancelling the hearing is."""
    moment = now_in_ist(now)
    text = checked_text(reason, "remark", required=True)
    if slot is None and officer is None:
        raise InvalidInput(Problem("officer", "error.required"))

    def book(chosen: Slot) -> Done:
        return act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
                   _booking(chosen, moment, moving=True, reason=text), text, keep_status=True,
                   name="reschedule_hearing")
    if slot is not None:
        return _offering(con, slot, moment, book)
    return _first_free(con, complaint_id, officer, moment, book)


def _calling_off(status: HearingStatus, moment: datetime, reason: str) -> Plan:
    """Cancelled (with its reason and the citizen's SMS) or missed (no-show): the booking ends and its
    reminders are called off; a cancelled one gives its slot back. A complaint scheduled before slots
    were booked has no booking: only its status changes, as before."""
    def plan(cur, snap, target, fresh) -> Outcome:
        old = booked_hearing(cur, snap.id)
        # The complaint's facts (migration 008): a no-show, or a hearing called off by the office.
        fact = ({"hearings_no_show": snap.hearings_no_show + 1} if status == HearingStatus.NO_SHOW
                else {"hearings_called_off": snap.hearings_called_off + 1})
        if old is None:
            if status == HearingStatus.NO_SHOW:
                raise HearingRefused("hearing.none_booked")
            return Outcome(changes=fact)
        if status == HearingStatus.NO_SHOW and moment < old.starts_at:
            raise HearingRefused("hearing.not_started")
        if status == HearingStatus.CANCELLED and not reason:
            raise InvalidInput(Problem("remark", "hearing.reason_required"))
        close_booking(cur, old, status, reason or None, fresh.username, moment)
        detail = f"hearing #{old.id}: {old.officer} {old.when()}"
        if status == HearingStatus.NO_SHOW:
            return Outcome(event=HearingEvent.NO_SHOW, changes=fact, detail=detail)
        variables = sms_variables(old.starts_at, officer_title(cur, old.officer, snap.language), old.join_url)
        return Outcome(event=HearingEvent.CANCELLED, changes=fact, sms="hearing_cancelled", sms_variables=variables,
                       detail=detail)
    return plan


def cancel_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    """Call the hearing off; a booked one needs the reason (the remark). Back to accepted, to book again."""
    moment = now_in_ist(now)
    text = checked_text(remark, "remark")
    return act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
               _calling_off(HearingStatus.CANCELLED, moment, text), text)


def record_no_show(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    """The citizen did not join: back to accepted. One more hearing may be booked (may_book_again)."""
    moment = now_in_ist(now)
    text = checked_text(remark, "remark")
    return act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
               _calling_off(HearingStatus.NO_SHOW, moment, text), text, name="hearing_no_show")


def record_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "",
                   directions: Sequence[DirectionOrder | tuple] = (), *, settings: Settings | None = None,
                   track_url: str = "", now: datetime | None = None) -> Done:
    """The hearing was held, with its outcome (the remark, internal) and the directions given in it, in one
    transaction: heard (the booking, if any, attended; not before its start), then, when directions were
    given now or while it was booked, with the departments. The citizen gets one SMS: what was directed,
    to whom and by when (or that the next step will follow), with the signed track link when `settings`
    are given (else `track_url` as it is)."""
    moment = now_in_ist(now)
    text = checked_text(remark, "remark")
    orders = check_directions(list(directions), moment.date()) if directions else []

    def work() -> Done:
        with transaction(con) as cur:
            held = step(cur, user, complaint_id, expected_version, Action.RECORD_HEARING, moment,
                        _holding(moment, bool(orders), settings, track_url), text)
            if held.status == Status.HEARD and (orders or casework_db.open_directions_due(cur, complaint_id)):
                return step(cur, user, complaint_id, held.version, Action.SEND_TO_DEPARTMENT, moment,
                            _directed(orders, moment, settings, track_url))
            return held
    return retrying(work)


def _link(settings: Settings | None, track_url: str, snap) -> str:
    return (track_links.signed_track_url(settings, track_url, snap.id, snap.tracking_no, snap.language)
            if settings else track_url)


def _holding(moment: datetime, directing_now: bool, settings: Settings | None, track_url: str) -> Plan:
    def plan(cur, snap, target, fresh) -> Outcome:
        old = booked_hearing(cur, snap.id)
        if old is not None and moment < old.starts_at:
            raise HearingRefused("hearing.not_started")
        # The complaint's facts (migration 008): one more hearing held; heard_at is the first one's time.
        changes = {"hearings_held": snap.hearings_held + 1, "heard_at": snap.heard_at or moment}
        detail = None
        if old is not None:
            close_booking(cur, old, HearingStatus.ATTENDED, None, fresh.username, moment)
            detail = f"hearing #{old.id}: {old.officer} {old.when()}"
        if directing_now or snap.open_directions:
            return Outcome(changes=changes, detail=detail)     # the directions' step sends the SMS
        held_on = (old.starts_at if old else moment).astimezone(IST).strftime("%d-%m-%Y")
        return Outcome(changes=changes, detail=detail, sms="hearing_held_pending",
                       sms_variables={"date": held_on, "track_url": _link(settings, track_url, snap)})
    return plan


def _directed(orders, moment: datetime, settings: Settings | None, track_url: str) -> Plan:
    """The directions given in the hearing (and any given while it was booked) go to work; the citizen's
    SMS names the departments and the last report-back date."""
    def plan(cur, snap, target, fresh) -> Outcome:
        outcome = directing(orders, moment)(cur, snap, target, fresh)
        due = casework_db.open_directions_due(cur, snap.id)
        names = {code: (hi if snap.language == "hi" else en) or code for code, en, hi, _ in due}
        return replace(outcome, sms="hearing_held", sms_variables={
            "date": moment.strftime("%d-%m-%Y"), "departments": departments_in_sms(list(names.values()), list(names)),
            "report_by": max(d[3] for d in due).strftime("%d-%m-%Y"), "track_url": _link(settings, track_url, snap)})
    return plan

