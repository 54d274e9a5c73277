"""What the analytics page is about: its filters, the period village and ward figures cover, and the page's state as a URL.

Kept apart from the figures so that a shared link can be read (and checked) without touching the database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from lib.casework import deadlines
from lib.db import analytics as analytics_db

DEFAULT_DAYS = 365                 # the default period: the last twelve months
EARLIEST_DAY = date(2015, 1, 1)    # no complaint is older than the portal's working calendar


class Grain(StrEnum):
    """How the time view groups days."""
    WEEK = "week"
    MONTH = "month"


# ---- Filters, and the page's state as URL query parameters ----

@dataclass(frozen=True)
class AnalyticsFilters:
    """Which complaints the figures are about: filed from `filed_from` to `filed_to` (days in
    Rewari, both included), optionally of one tehsil, department and category."""
    filed_from: date
    filed_to: date
    tehsil_lgd: int | None = None
    department_code: str | None = None
    category_code: str | None = None

    def __post_init__(self):
        if self.filed_from > self.filed_to:          # a reversed range means the same days
            start, end = self.filed_to, self.filed_from
            object.__setattr__(self, "filed_from", start)
            object.__setattr__(self, "filed_to", end)

    def window(self) -> tuple[datetime, datetime]:
        """[start, end) as moments in Rewari: midnight of the first day to midnight after the last."""
        return deadlines.start_of_day(self.filed_from), deadlines.start_of_day(self.filed_to + timedelta(days=1))

    def where(self) -> tuple[str, list]:
        return analytics_db.slice_condition(self.tehsil_lgd, self.department_code, self.category_code)


def default_filters(today: date) -> AnalyticsFilters:
    return AnalyticsFilters(filed_from=today - timedelta(days=DEFAULT_DAYS - 1), filed_to=today)


@dataclass(frozen=True)
class KnownCodes:
    """The reference codes a URL may name; anything else in a URL is ignored."""
    tehsils: frozenset[int] = frozenset()
    departments: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    towns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PageState:
    """Everything a shared link carries: the filters, the time grain, the tehsil the place view
    is drilled into and the town of the ward charts."""
    filters: AnalyticsFilters
    grain: Grain = Grain.WEEK
    drill_tehsil: int | None = None
    town_lgd: int | None = None


# Query parameter names (short: they end up in links people paste into messages).
PARAMS = {"filed_from": "from", "filed_to": "to", "tehsil_lgd": "tehsil", "department_code": "dept",
          "category_code": "cat", "grain": "by", "drill_tehsil": "drill", "town_lgd": "town"}


def state_to_params(state: PageState) -> dict[str, str]:
    """The page's state as query parameters. The period is always written out, so a link opened
    a month later shows the same days."""
    f = state.filters
    values = {"filed_from": f.filed_from.isoformat(), "filed_to": f.filed_to.isoformat(),
              "tehsil_lgd": f.tehsil_lgd, "department_code": f.department_code, "category_code": f.category_code,
              "grain": state.grain if state.grain != Grain.WEEK else None,
              "drill_tehsil": state.drill_tehsil, "town_lgd": state.town_lgd}
    return {PARAMS[k]: str(v) for k, v in values.items() if v is not None}


def _one(params: Mapping, name: str) -> str | None:
    value = params.get(PARAMS[name])
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return str(value).strip() if value is not None else None


def _day(text: str | None, today: date) -> date | None:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= today else None


def _number(text: str | None, allowed: frozenset[int]) -> int | None:
    try:
        number = int(text or "")
    except ValueError:
        return None
    return number if number in allowed else None


def state_from_params(params: Mapping, today: date, known: KnownCodes) -> PageState:
    """The page's state from a URL. Whatever is missing, malformed or unknown falls back to its
    default, so a damaged link still opens a sensible page."""
    default = default_filters(today)
    filed_to = _day(_one(params, "filed_to"), today) or default.filed_to
    filed_from = _day(_one(params, "filed_from"), today) or min(default.filed_from, filed_to)
    department = _one(params, "department_code")
    category = _one(params, "category_code")
    filters = AnalyticsFilters(
        filed_from=filed_from, filed_to=filed_to,
        tehsil_lgd=_number(_one(params, "tehsil_lgd"), known.tehsils),
        department_code=department if department in known.departments else None,
        category_code=category if category in known.categories else None)
    grain = _one(params, "grain")
    return PageState(filters=filters, grain=Grain(grain) if grain in tuple(Grain) else Grain.WEEK,
                     drill_tehsil=_number(_one(params, "drill_tehsil"), known.tehsils),
                     town_lgd=_number(_one(params, "town_lgd"), known.towns))


def whole_months(filters: AnalyticsFilters) -> AnalyticsFilters:
    """The same filters over whole calendar months: from the 1st of the first month to the last
    day of the last one. Village and ward figures are only ever computed over such a period
    (lib.analytics.suppression explains why)."""
    first = filters.filed_from.replace(day=1)
    after = (filters.filed_to.replace(day=1) + timedelta(days=32)).replace(day=1)
    return AnalyticsFilters(first, after - timedelta(days=1), filters.tehsil_lgd, filters.department_code,
                            filters.category_code)
