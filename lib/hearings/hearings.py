"""Hearings: each hearing officer's office rules, the free slots they give (a pure function of the rules,
the bookings and the time now), booking decisions, and the rules as the admin keeps them in the database."""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from lib.staff import audit
from lib.casework import deadlines
from lib.hearings import rooms
from lib.core.roles import Role
from lib.core.states import HOLDING, HearingEvent, HearingStatus
from lib.db.casework import deadlines as deadlines_db
from lib.db import hearings as hearings_db
from lib.db.staff import users as users_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.core.i18n import t
from lib.core.problems import InvalidInput, Problem

IST = ZoneInfo("Asia/Kolkata")
SLOT_MINUTES_RANGE = (5, 60)
MAX_WINDOWS = 4
TITLE_MAX = 30                      # the officer's title is an SMS variable (DLT: at most 30 characters)
REASON_MAX = 300
BOOKING_HORIZON_DAYS = 30           # how far ahead "first free slot" looks
MAX_NO_SHOWS = 2                    # a no-show may be rebooked once; after the second, no more hearings
DEMO_DC = "dc_rewari"


class Reminder(StrEnum):
    """SMS templates sent ahead of a hearing, and how long ahead."""
    DAY_BEFORE = "reminder_day_before"
    THIRTY_MINUTES = "reminder_30_min"


REMINDER_LEAD = {Reminder.DAY_BEFORE: timedelta(days=1), Reminder.THIRTY_MINUTES: timedelta(minutes=30)}


class HearingRefused(ValueError):
    """A booking the rules do not allow; `key` is a catalog key saying why."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


# ---- office rules (pure) ----

@dataclass(frozen=True, order=True)
class TimeWindow:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def minutes(self) -> tuple[int, int]:
        return self.start.hour * 60 + self.start.minute, self.end.hour * 60 + self.end.minute


@dataclass(frozen=True)
class OfficeRules:
    """When one officer holds hearings. Sundays and holidays never have hearings, whatever these say."""
    working_days: frozenset[int] = frozenset(range(6))     # Monday..Saturday: Haryana's offices work Saturdays
    no_meeting_days: frozenset[int] = frozenset({1})       # Tuesday
    windows: tuple[TimeWindow, ...] = (TimeWindow(time(15), time(17)),)
    kept_free: tuple[TimeWindow, ...] = (TimeWindow(time(11), time(13)),)  # the DC's in-person public hours
    slot_minutes: int = 10


DEFAULT_RULES = OfficeRules()


@dataclass(frozen=True)
class HearingOfficer:
    username: str
    title_en: str
    title_hi: str
    rules: OfficeRules = DEFAULT_RULES
    active: bool = True

    def title(self, language: str) -> str:
        return self.title_hi if language == "hi" else self.title_en


@dataclass(frozen=True)
class Absence:
    id: int
    username: str
    first_day: date
    last_day: date
    substitute: str | None = None
    reason: str | None = None

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    officer: str
    standing_in_for: str | None = None     # the officer away that day, whose hearing this substitute holds

    @property
    def day(self) -> date:
        return self.starts_at.astimezone(IST).date()

    def label(self, language: str, titles: Mapping[str, str] | None = None, preferred: Collection[date] = ()) -> str:
        """"Mon 07-12-2026 15:00-15:10 IST", with the officer when it is a substitute and a mark on the
        citizen's own dates. `titles`: username -> title in the language."""
        start, end = self.starts_at.astimezone(IST), self.ends_at.astimezone(IST)
        text = (f"{t(language, f'admin.weekday.{start.weekday()}')} {start:%d-%m-%Y} "
                f"{start:%H:%M}-{end:%H:%M} IST")
        if self.standing_in_for:
            text += " · " + t(language, "hearing.substitute", officer=(titles or {}).get(self.officer, self.officer))
        if self.day in preferred:
            text += " · " + t(language, "hearing.citizens_date")
        return text


@dataclass(frozen=True)
class Choice:
    slot: Slot
    on_preferred_date: bool


def parse_time(text: str) -> time:
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text or "")
    if not match:
        raise ValueError(text)
    return time(int(match.group(1)), int(match.group(2)))


def parse_windows(text: str, where: str) -> tuple[TimeWindow, ...]:
    """"15:00-17:00, 18:00-19:00" as windows, sorted; InvalidInput naming `where` if malformed."""
    windows = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]+", text or ""))):
        try:
            start, end = (parse_time(x) for x in re.split(r"\s*(?:-|–|to)\s*", part))
        except ValueError:
            raise InvalidInput(Problem(where, "hearing.window_invalid", {"text": part[:20]})) from None
        windows.append(TimeWindow(start, end))
    return tuple(sorted(windows))


def format_windows(windows: Iterable[TimeWindow]) -> str:
    return ", ".join(str(w) for w in windows)


def check_rules(rules: OfficeRules) -> list[Problem]:
    problems = []
    if not rules.working_days or not set(rules.working_days) <= set(range(7)):
        problems.append(Problem("working_days", "hearing.working_days_required"))
    if not set(rules.no_meeting_days) <= set(range(7)):
        problems.append(Problem("no_meeting_days", "hearing.working_days_required"))
    low, high = SLOT_MINUTES_RANGE
    if isinstance(rules.slot_minutes, bool) or not isinstance(rules.slot_minutes, int) \
            or not low <= rules.slot_minutes <= high:
        problems.append(Problem("slot_minutes", "hearing.slot_minutes_range", {"min": low, "max": high}))
    for name, windows in (("windows", rules.windows), ("kept_free", rules.kept_free)):
        if len(windows) > MAX_WINDOWS:
            problems.append(Problem(name, "hearing.too_many_windows", {"max": MAX_WINDOWS}))
        if any(w.start >= w.end for w in windows):
            problems.append(Problem(name, "hearing.window_order"))
        elif any(a.end > b.start for a, b in zip(sorted(windows), sorted(windows)[1:])):
            problems.append(Problem(name, "hearing.window_overlap"))
    if not rules.windows:
        problems.append(Problem("windows", "hearing.windows_required"))
    return problems


# ---- slots (pure) ----

def is_hearing_day(rules: OfficeRules, day: date, local_holidays: Collection[date] = ()) -> bool:
    """A working day of the office (lib.deadlines: no Sunday, no Haryana or local holiday) that is one
    of the officer's working days and not a no-meeting day."""
    return (day.weekday() in rules.working_days and day.weekday() not in rules.no_meeting_days
            and deadlines.is_working_day(day, local_holidays))


def open_periods(rules: OfficeRules) -> list[tuple[int, int]]:
    """The windows less the kept-free periods, as (first minute, end minute) of the day."""
    periods: list[tuple[int, int]] = []
    for start, end in sorted(w.minutes() for w in rules.windows if w.start < w.end):
        if periods and start <= periods[-1][1]:          # overlapping windows (refused by check_rules) merge
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    for free_start, free_end in (w.minutes() for w in rules.kept_free if w.start < w.end):
        cut = []
        for start, end in periods:
            if free_end <= start or free_start >= end:
                cut.append((start, end))
                continue
            if start < free_start:
                cut.append((start, free_start))
            if free_end < end:
                cut.append((free_end, end))
        periods = cut
    return periods


def day_slots(rules: OfficeRules, day: date) -> list[tuple[datetime, datetime]]:
    """Every slot the rules give on `day` (whether or not it is a hearing day), in order. Slots start
    at the beginning of each open period and fit inside it whole."""
    length = rules.slot_minutes
    midnight = datetime.combine(day, time(0), tzinfo=IST)
    slots = []
    for start, end in open_periods(rules):
        for minute in range(start, end - length + 1, length):
            first = midnight + timedelta(minutes=minute)
            slots.append((first, first + timedelta(minutes=length)))
    return sorted(slots)


def _overlaps(start: datetime, end: datetime, busy: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def free_slots(officers: Mapping[str, HearingOfficer], username: str, *, first_day: date, days: int,
               now: datetime, busy: Iterable[tuple[str, datetime, datetime]] = (),
               absences: Iterable[Absence] = (), local_holidays: Collection[date] = ()) -> list[Slot]:
    """The free slots of `username` on `days` days from `first_day`, in time order.

    Never a slot on a holiday or no-meeting day, outside a window or inside a kept-free period, that
    has started by `now`, or that overlaps a booking (`busy`: officer, start, end). On a day the
    officer is away their substitute's free slots are offered instead (none without a substitute).
    """
    by_officer: dict[str, list[tuple[datetime, datetime]]] = {}
    for officer, start, end in busy:
        by_officer.setdefault(officer, []).append((start, end))
    absences = list(absences)

    def away(person: str, day: date) -> Absence | None:
        return next((a for a in absences if a.username == person and a.covers(day)), None)

    found = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        holder, standing_in_for = username, None
        absence = away(username, day)
        if absence is not None:
            if not absence.substitute or away(absence.substitute, day):
                continue
            holder, standing_in_for = absence.substitute, username
        officer = officers.get(holder)
        if officer is None or not officer.active or not is_hearing_day(officer.rules, day, local_holidays):
            continue
        taken = by_officer.get(holder, [])
        found += [Slot(start, end, holder, standing_in_for) for start, end in day_slots(officer.rules, day)
                  if start > now and not _overlaps(start, end, taken)]
    return found


# ---- booking decisions (pure) ----

def choose_slot(slots: Sequence[Slot], preferred_dates: Collection[date]) -> Choice | None:
    """The first free slot on one of the citizen's preferred dates; failing that, the first free slot."""
    for slot in slots:
        if slot.day in preferred_dates:
            return Choice(slot, True)
    return Choice(slots[0], False) if slots else None


def may_book_again(no_shows: int) -> bool:
    """A citizen who missed a hearing gets one more; after MAX_NO_SHOWS missed, no further booking."""
    return no_shows < MAX_NO_SHOWS


def reminders(starts_at: datetime, now: datetime) -> list[tuple[Reminder, datetime]]:
    """(template, send after) of the reminders still worth sending for a hearing booked at `now`."""
    return [(kind, starts_at - lead) for kind, lead in REMINDER_LEAD.items() if starts_at - lead > now]


def sms_variables(starts_at: datetime, officer_title: str, join_url: str) -> dict[str, str]:
    """What the hearing SMS templates fill in: date and time in IST, the officer, the join link."""
    start = starts_at.astimezone(IST)
    return {"date": start.strftime("%d-%m-%Y"), "time": start.strftime("%H:%M IST"),
            "officer": officer_title, "join_url": join_url}


def when(starts_at: datetime, ends_at: datetime) -> str:
    """"07-12-2026 15:00-15:10 IST"."""
    return f"{starts_at.astimezone(IST):%d-%m-%Y %H:%M}-{ends_at.astimezone(IST):%H:%M} IST"


class SlotTaken(Exception):
    """Someone booked this slot first; `offer` is the next free slot, if there is one."""
    key = "hearing.slot_taken"

    def __init__(self, slot: Slot, offer: Slot | None = None):
        self.slot, self.offer = slot, offer
        super().__init__(f"{slot.officer} {slot.starts_at.isoformat()} is taken")

    def message(self, language: str) -> str:
        taken = self.slot.label(language)
        if self.offer is None:
            return t(language, "hearing.slot_taken_no_offer", slot=taken)
        return t(language, "hearing.slot_taken", slot=taken, offer=self.offer.label(language))


# ---- booked hearings (records) ----

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


# ---- the rules in the database (the admin page and start-up call these) ----

def _now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(IST)).astimezone(IST)


def _officer(row: Sequence) -> HearingOfficer:
    (username, title_en, title_hi, working, no_meeting, windows, kept_free, slot_minutes, active) = row
    rules = OfficeRules(frozenset(working or ()), frozenset(no_meeting or ()),
                        tuple(w for text in windows or () for w in parse_windows(text, "windows")),
                        tuple(w for text in kept_free or () for w in parse_windows(text, "kept_free")),
                        slot_minutes)
    return HearingOfficer(username, title_en, title_hi, rules, active)


def _officers(cur) -> dict[str, HearingOfficer]:
    return {row[0]: _officer(row) for row in hearings_db.officer_rows(cur)}


def list_officers(con, *, active_only: bool = False) -> list[HearingOfficer]:
    with con.cursor() as cur:
        found = list(_officers(cur).values())
    return [o for o in found if o.active or not active_only]


def get_officer(con, username: str) -> HearingOfficer | None:
    with con.cursor() as cur:
        return _officers(cur).get(username)


def _title(problems: list[Problem], name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        problems.append(Problem(name, "error.required"))
    elif len(value) > TITLE_MAX:
        problems.append(Problem(name, "error.too_long", {"max": TITLE_MAX}))
    return value


def set_rules(con, username: str, title_en: str, title_hi: str, rules: OfficeRules, actor: str, *,
              active: bool = True, now: datetime | None = None) -> HearingOfficer:
    """Make `username` (an active DC-office user or department officer) a hearing officer with these
    rules, or change theirs. Audited; InvalidInput with every problem, and nothing stored, otherwise.
    Hearings already booked stay as they are."""
    moment = _now(now)
    problems = check_rules(rules)
    officer = HearingOfficer(username, _title(problems, "title_en", title_en), _title(problems, "title_hi", title_hi),
                             rules, bool(active))
    if problems:
        raise InvalidInput(problems)

    def work() -> HearingOfficer:
        with transaction(con) as cur:
            user = users_db.get_user(cur, username)
            if user is None or not user.active or user.role not in (Role.DC, Role.OFFICER):
                raise InvalidInput(Problem("username", "hearing.not_an_officer"))
            before = _officers(cur).get(username)
            hearings_db.upsert_officer(
                cur, username, officer.title_en, officer.title_hi, sorted(rules.working_days),
                sorted(rules.no_meeting_days), [str(w) for w in rules.windows], [str(w) for w in rules.kept_free],
                rules.slot_minutes, officer.active, actor, moment)
            audit.record(cur, actor, "hearing_rules.edit", username, f"{_describe(before)} -> {_describe(officer)}",
                         moment)
        return officer
    return retrying(work)


def _describe(officer: HearingOfficer | None) -> str:
    if officer is None:
        return "none"
    r = officer.rules
    return (f"days {sorted(r.working_days)} no-meeting {sorted(r.no_meeting_days)} windows {format_windows(r.windows)}"
            f" kept free {format_windows(r.kept_free)} slot {r.slot_minutes} min active {officer.active}")


def ensure_default_rules(con, username: str = DEMO_DC, *, title_en: str = "Deputy Commissioner, Rewari",
                         title_hi: str = "उपायुक्त, रेवाड़ी") -> bool:
    """Make the DC a hearing officer with the default rules, unless they already are one (their rules are
    then left alone) or no such user exists. True if it added them. For demo databases."""
    with con.cursor() as cur:
        if username in _officers(cur) or users_db.get_user(cur, username) is None:
            return False
    set_rules(con, username, title_en, title_hi, DEFAULT_RULES, "system")
    return True


def list_absences(con, first_day: date, last_day: date | None = None) -> list[Absence]:
    with con.cursor() as cur:
        rows = hearings_db.absence_rows(cur, first_day, last_day or date.max)
    return [Absence(*row) for row in rows]


def add_absence(con, username: str, first_day: date | None, last_day: date | None, substitute: str | None,
                reason: str, actor: str, *, now: datetime | None = None) -> int:
    """Dates a hearing officer is away, with the officer who holds their hearings meanwhile (or none).
    Hearings already booked on those days are not moved: the DC's office moves them (see the calendar)."""
    moment = _now(now)
    problems = []
    if not isinstance(first_day, date) or not isinstance(last_day, date):
        problems.append(Problem("days", "error.required"))
    elif last_day < first_day:
        problems.append(Problem("days", "hearing.absence_order"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        problems.append(Problem("reason", "error.too_long", {"max": REASON_MAX}))
    if substitute == username:
        problems.append(Problem("substitute", "hearing.substitute_self"))
    if problems:
        raise InvalidInput(problems)
    with transaction(con) as cur:
        officers = _officers(cur)
        if username not in officers:
            raise InvalidInput(Problem("username", "hearing.not_an_officer"))
        if substitute and (substitute not in officers or not officers[substitute].active):
            raise InvalidInput(Problem("substitute", "hearing.substitute_not_officer"))
        absence_id = hearings_db.insert_absence(cur, username, first_day, last_day, substitute or None,
                                                reason or None, actor, moment)
        audit.record(cur, actor, "hearing_absence.add", username,
                     f"{first_day.isoformat()}..{last_day.isoformat()} substitute {substitute or 'none'}", moment)
    return absence_id


def remove_absence(con, absence_id: int, actor: str) -> None:
    with transaction(con) as cur:
        removed = hearings_db.delete_absence(cur, absence_id)
        if removed is None:
            raise InvalidInput(Problem("absence", "hearing.absence_not_found"))
        username, first_day, last_day = removed
        audit.record(cur, actor, "hearing_absence.remove", username, f"{first_day.isoformat()}..{last_day.isoformat()}")


# ---- free slots from the database ----

def _slot_inputs(cur, username: str, first_day: date, days: int) -> dict:
    last_day = first_day + timedelta(days=max(days, 1) - 1)
    absences = [Absence(*row) for row in hearings_db.absence_rows(cur, first_day, last_day)]
    people = sorted({username, *(a.substitute for a in absences if a.username == username and a.substitute)})
    start = datetime.combine(first_day, time(0), tzinfo=IST)
    return {"officers": _officers(cur), "absences": absences,
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
        return slots_in(cur, username, now=_now(now), days=days, first_day=first_day)


# ---- booking, inside the caller's transaction (lib.casework's actions call these) ----

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


def titles(officers: Iterable[HearingOfficer], language: str) -> dict[str, str]:
    return {o.username: o.title(language) for o in officers}


def officer_title(cur, username: str, language: str) -> str:
    officer = _officers(cur).get(username)
    return officer.title(language) if officer else username


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
