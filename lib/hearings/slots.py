"""Free slots: what a hearing officer's rules give on a day, less holidays, absences (a substitute's slots
instead), bookings and the time already past; which slot a citizen gets, whether they may book again,
and when their reminders go. Pure functions of the rules, the bookings and the time now."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from lib.casework import deadlines
from lib.hearings.rules import Absence, HearingOfficer, OfficeRules
from lib.core.i18n import t

IST = ZoneInfo("Asia/Kolkata")
MAX_NO_SHOWS = 2                    # a no-show may be rebooked once; after the second, no more hearings


class Reminder(StrEnum):
    """SMS templates sent ahead of a hearing, and how long ahead."""
    DAY_BEFORE = "reminder_day_before"
    THIRTY_MINUTES = "reminder_30_min"


REMINDER_LEAD = {Reminder.DAY_BEFORE: timedelta(days=1), Reminder.THIRTY_MINUTES: timedelta(minutes=30)}


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


# ---- slots ----

def is_hearing_day(rules: OfficeRules, day: date, local_holidays: Collection[date] = ()) -> bool:
    """A working day of the office (lib.casework.deadlines: no Sunday, no Haryana or local holiday) that is one
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


# ---- booking decisions ----

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
