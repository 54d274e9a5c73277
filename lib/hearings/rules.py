"""Office rules: when each hearing officer holds hearings (working days, no-meeting days, windows, the
periods kept free, the slot length), how the admin writes them ("15:00-17:00, 18:00-19:00") and what
makes them valid. Pure: the rules as kept in the database are lib.hearings.officers."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from lib.core.problems import InvalidInput, Problem

SLOT_MINUTES_RANGE = (5, 60)
MAX_WINDOWS = 4


class HearingRefused(ValueError):
    """A booking the rules do not allow; `key` is a catalog key saying why."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


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
