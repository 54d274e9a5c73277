"""Deadlines: the admin's targets, working days (Sundays and Haryana's holidays skipped), and when a complaint is overdue."""
from __future__ import annotations

import hashlib
import warnings
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

from lib.staff import audit
from lib.core.roles import User
from lib.core.complaints import OPEN_STATUSES, Status
from lib.db.casework import deadlines as deadlines_db
from lib.db import settings as settings_db
from lib.db.connect import retrying, transaction
from lib.db.scope import complaints_visible_to
from lib.core.i18n import name_in, t
from lib.core.problems import InvalidInput, Problem

IST = ZoneInfo("Asia/Kolkata")
SUNDAY = 6                       # date.weekday(); Haryana's offices work on Saturdays
MAX_TARGET = 365
HOLIDAY_NAME_MAX = 100
# The calendar table covers complaints from well before the portal and hearings years ahead;
# start-up extends it when "today" comes near its end.
CALENDAR_FIRST_DAY = date(2015, 1, 1)
CALENDAR_LAST_YEAR = 2040
CALENDAR_STAMP_KEY = "calendar.built_from"
# Age buckets of the overdue view, in days since filing: (first, last); None = no upper end.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 21), (22, 60), (61, None))
AWAITING_VERIFICATION = frozenset({Status.SUBMITTED, Status.UNDER_SCRUTINY})


@dataclass(frozen=True)
class DeadlineTargets:
    """What the district promises: verify within N working days of filing, hear within N working
    days of acceptance, resolve within N calendar days of filing (CPGRAMS' limit is 21)."""
    verify_working_days: int = 1
    hearing_working_days: int = 3
    resolve_days: int = 21


DEFAULT_TARGETS = DeadlineTargets()
SETTING_KEYS = {f.name: f"deadline.{f.name}" for f in fields(DeadlineTargets)}


class HolidaySource(StrEnum):
    HARYANA = "haryana"          # the holidays package: India, subdivision HR
    LOCAL = "local"              # added by the admin (local holidays, declared closures)


class Holiday(NamedTuple):
    """A tuple (day, name, source), as the admin page lists it."""
    day: date
    name: str
    source: HolidaySource


@dataclass(frozen=True)
class DeadlineFacts:
    """What the overdue rules need to know about one complaint."""
    status: Status
    filed_on: date                         # in IST
    accepted_on: date | None = None        # in IST; for rows from before accepted_at was kept, the last change
    directions_due: tuple[date, ...] = ()  # report-back dates of directions not yet reported


@dataclass(frozen=True)
class DepartmentOverdue:
    """One line of the overdue view."""
    department_code: str | None
    department_name: str
    count: int
    by_age: tuple[int, ...]                # one count per AGE_BUCKETS entry
    oldest_tracking_no: str
    oldest_age_days: int


# ---- Working days (pure) ----

@cache
def haryana_holidays(year: int) -> dict[date, str]:
    """Gazetted holidays of Haryana for one year, from the holidays package.

    The package knows India's lunar-calendar festivals only for 2001-2035 and warns for other
    years; the fixed-date ones (and every Sunday) still count, and the admin adds the rest.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return dict(holidays.country_holidays("IN", subdiv="HR", years=year))


def is_working_day(day: date, local_holidays: Collection[date] = ()) -> bool:
    return (day.weekday() != SUNDAY and day not in haryana_holidays(day.year)
            and day not in local_holidays)


def add_working_days(start: date, n: int, local_holidays: Collection[date] = ()) -> date:
    """The n-th working day after `start` (start itself is not counted; n = 0 gives start)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, local_holidays):
            n -= 1
    return day


def working_days_between(a: date, b: date, local_holidays: Collection[date] = ()) -> int:
    """Working days after `a` up to and including `b`; 0 when b is not after a."""
    return sum(is_working_day(a + timedelta(days=i), local_holidays) for i in range(1, (b - a).days + 1))


def is_overdue(facts: DeadlineFacts, targets: DeadlineTargets, today: date,
               local_holidays: Collection[date] = ()) -> bool:
    """A complaint still open whose current step missed its target: due on day D means overdue
    from D + 1. A complaint that is rejected, resolved or closed is never overdue."""
    if facts.status not in OPEN_STATUSES:
        return False
    if facts.status in AWAITING_VERIFICATION and today > add_working_days(
            facts.filed_on, targets.verify_working_days, local_holidays):
        return True
    if facts.status == Status.ACCEPTED and facts.accepted_on is not None and today > add_working_days(
            facts.accepted_on, targets.hearing_working_days, local_holidays):
        return True
    if today > facts.filed_on + timedelta(days=targets.resolve_days):
        return True
    return any(due < today for due in facts.directions_due)


def age_bucket(age_days: int) -> int:
    """The index in AGE_BUCKETS of an age in days."""
    for i, (first, last) in enumerate(AGE_BUCKETS):
        if age_days >= first and (last is None or age_days <= last):
            return i
    return 0


def today_in_ist(now: datetime | None = None) -> date:
    return (now or datetime.now(IST)).astimezone(IST).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in Rewari, as an aware timestamp (for comparing with filed_at)."""
    return datetime.combine(day, time(0), tzinfo=IST)


def calendar_rows(first: date, last: date, local_holidays: Collection[date] = ()) -> list[tuple[date, bool, int]]:
    """(day, is_working, working days so far including this day) for every day first..last."""
    rows, seq = [], 0
    for i in range((last - first).days + 1):
        day = first + timedelta(days=i)
        working = is_working_day(day, local_holidays)
        seq += working
        rows.append((day, working, seq))
    return rows


def check_targets(targets: DeadlineTargets) -> list[Problem]:
    problems = []
    for name, value in asdict(targets).items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TARGET:
            problems.append(Problem(name, "deadline.target_invalid", {"max": MAX_TARGET}))
    return problems


def targets_from_settings(values: dict[str, str | None]) -> DeadlineTargets:
    """Targets from stored setting values; a missing or damaged value falls back to its default."""
    chosen = {}
    for name, key in SETTING_KEYS.items():
        try:
            number = int(values.get(key) or "")
        except ValueError:
            continue
        if 0 < number <= MAX_TARGET:
            chosen[name] = number
    return DeadlineTargets(**chosen)


def _calendar_last_day(today: date) -> date:
    return date(max(CALENDAR_LAST_YEAR, today.year + 5), 12, 31)


def _calendar_stamp(local: Iterable[date], last: date) -> str:
    """What the calendar was built from: a different stamp means it must be rebuilt."""
    digest = hashlib.sha256(",".join(sorted(d.isoformat() for d in local)).encode()).hexdigest()[:16]
    return f"holidays {holidays.__version__}|{CALENDAR_FIRST_DAY}..{last}|local {digest}"


# ---- Targets, holidays and the calendar in the database (the admin page calls these) ----

def get_targets(con) -> DeadlineTargets:
    with con.cursor() as cur:
        return targets_from_settings({key: settings_db.get(cur, key) for key in SETTING_KEYS.values()})


def set_targets(con, targets: DeadlineTargets, actor: str) -> None:
    """Store new targets and their audit entry in one transaction; InvalidInput if any is not a
    whole number of days from 1 to 365 (nothing is stored then)."""
    problems = check_targets(targets)
    if problems:
        raise InvalidInput(problems)
    with transaction(con) as cur:
        before = targets_from_settings({key: settings_db.get(cur, key) for key in SETTING_KEYS.values()})
        for name, key in SETTING_KEYS.items():
            settings_db.put(cur, key, str(getattr(targets, name)))
        audit.record(cur, actor, "deadlines.edit", "deadlines",
                     f"{asdict(before)} -> {asdict(targets)}")


def list_holidays(con, year: int) -> list[Holiday]:
    """Haryana's holidays from the package and the admin's local ones, by day."""
    with con.cursor() as cur:
        local = deadlines_db.local_holidays(cur, year)
    found = [Holiday(day, name, HolidaySource.HARYANA) for day, name in haryana_holidays(year).items()]
    found += [Holiday(day, name, HolidaySource.LOCAL) for day, name in local]
    return sorted(found, key=lambda h: (h.day, h.source))


def add_holiday(con, day: date, name: str, actor: str) -> None:
    """A local holiday: no deadline counts it as a working day from now on. Audited."""
    name = (name or "").strip()
    problems = []
    if not isinstance(day, date):
        problems.append(Problem("day", "error.required"))
    if not name:
        problems.append(Problem("name", "error.required"))
    elif len(name) > HOLIDAY_NAME_MAX:
        problems.append(Problem("name", "error.too_long", {"max": HOLIDAY_NAME_MAX}))
    if problems:
        raise InvalidInput(problems)
    with transaction(con) as cur:
        if deadlines_db.has_local_holiday(cur, day):
            raise InvalidInput(Problem("day", "deadline.holiday_exists"))
        deadlines_db.insert_holiday(cur, day, name, actor)
        audit.record(cur, actor, "holiday.add", day.isoformat(), name)
        _rebuild(cur, today_in_ist())


def remove_holiday(con, day: date, actor: str) -> None:
    """Remove a local holiday (the package's Haryana holidays cannot be removed). Audited."""
    with transaction(con) as cur:
        name = deadlines_db.delete_holiday(cur, day)
        if name is None:
            raise InvalidInput(Problem("day", "deadline.holiday_not_local"))
        audit.record(cur, actor, "holiday.remove", day.isoformat(), name)
        _rebuild(cur, today_in_ist())


def rebuild_calendar(con, today: date | None = None) -> None:
    """Recompute the working calendar from the package and the local holidays. Two sessions
    rebuilding at once conflict in DuckDB; the loser simply rebuilds again."""
    def rebuild() -> None:
        with transaction(con) as cur:
            _rebuild(cur, today or today_in_ist())
    retrying(rebuild)


def ensure_calendar(con, today: date | None = None) -> bool:
    """Rebuild the calendar when it is missing or was built from other holidays (a new package
    version, local holidays edited outside the portal) or ends too soon. True if it rebuilt."""
    today = today or today_in_ist()
    with con.cursor() as cur:
        local = [d for d, _ in deadlines_db.local_holidays(cur)]
        stored = settings_db.get(cur, CALENDAR_STAMP_KEY)
    if stored == _calendar_stamp(local, _calendar_last_day(today)):
        return False
    rebuild_calendar(con, today)
    return True


def _rebuild(cur, today: date) -> None:
    local = {d for d, _ in deadlines_db.local_holidays(cur)}
    last = _calendar_last_day(today)
    deadlines_db.replace_calendar(cur, calendar_rows(CALENDAR_FIRST_DAY, last, local))
    settings_db.put(cur, CALENDAR_STAMP_KEY, _calendar_stamp(local, last))


def overdue_condition(con, cur, targets: DeadlineTargets, today: date) -> tuple[str, list]:
    """The SQL condition (alias c) for "overdue today", rebuilding a missing calendar first."""
    try:
        return deadlines_db.overdue_condition(cur, targets, today)
    except deadlines_db.CalendarMissing:
        rebuild_calendar(con, today)
        return deadlines_db.overdue_condition(cur, targets, today)


def overdue_summary(con, user: User, language: str, today: date | None = None) -> list[DepartmentOverdue]:
    """Overdue complaints the user may see, per department (most overdue first), with age buckets
    and the oldest one. Scope comes from the server-side user, in SQL."""
    today = today or today_in_ist()
    targets = get_targets(con)
    scope = complaints_visible_to(user)
    with con.cursor() as cur:
        overdue = overdue_condition(con, cur, targets, today)
        rows = deadlines_db.overdue_by_department(cur, scope, overdue, today, AGE_BUCKETS)
    return [DepartmentOverdue(
        department_code=code,
        department_name=name_in(language, name_en, name_hi) if code else t(language, "queue.no_department"),
        count=count, by_age=tuple(by_age), oldest_tracking_no=oldest, oldest_age_days=oldest_age)
        for code, name_en, name_hi, count, by_age, oldest, oldest_age in rows]
