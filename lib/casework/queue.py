"""The officers' queue: filters, sorting and pages over the complaints a user may see, CSV export and saved views."""
from __future__ import annotations

import io
import json
import math
import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

import pandas as pd

from lib.casework import deadlines
from lib.core.roles import User
from lib.core.complaints import Status
from lib.db.casework import queue as queue_db
from lib.db.connect import ConstraintViolation, transaction
from lib.db.casework.queue import UNASSIGNED
from lib.db.scope import complaints_visible_to
from lib.core.i18n import t
from lib.core.problems import InvalidInput, Problem

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
EXPORT_CAP = 100_000             # rows in one CSV: more is a report for the analysts, not an export
TEXT_MAX = 200
VIEW_NAME_MAX = 60
MAX_AGE_DAYS = 36_500
_CODE_RE = re.compile(r"^[A-Z0-9_]{1,40}$")
# The columns of a queue row, in order; each has a header in the catalog (queue.col.<name>).
COLUMNS = ("tracking_no", "filed_at", "status", "department", "place", "ward", "category", "subject",
           "age_days", "overdue", "channel")


class SortColumn(StrEnum):
    """The only orders the queue offers; anything else is refused before SQL is built."""
    FILED_AT = "filed_at"
    TRACKING_NO = "tracking_no"
    STATUS = "status"
    DEPARTMENT = "department"
    PLACE = "place"
    WARD = "ward"
    CATEGORY = "category"
    OVERDUE = "overdue"


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


class OverdueChoice(StrEnum):
    """The overdue filter as a picker offers it."""
    ALL = "all"
    YES = "yes"
    NO = "no"


_OVERDUE_VALUES = {OverdueChoice.ALL: None, OverdueChoice.YES: True, OverdueChoice.NO: False}


@dataclass(frozen=True)
class QueueFilters:
    """What the officer asked to see; checked on creation (InvalidInput with catalog keys)."""
    statuses: tuple[Status, ...] = ()
    department_code: str | None = None     # UNASSIGNED for complaints with no department yet
    tehsil_lgd: int | None = None
    place_lgd: int | None = None
    ward: int | None = None
    category_code: str | None = None
    overdue: bool | None = None            # None: both
    min_age_days: int | None = None
    max_age_days: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    text: str = ""
    sort: SortColumn = SortColumn.FILED_AT
    direction: SortDirection = SortDirection.DESC
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self):
        problems = []
        def set_(name, value):          # normalising a frozen dataclass's own fields
            object.__setattr__(self, name, value)

        try:
            set_("statuses", tuple(sorted({Status(s) for s in (self.statuses or ())}, key=list(Status).index)))
        except ValueError:
            problems.append(Problem("statuses", "queue.bad_filter"))
        try:
            set_("sort", SortColumn(self.sort))
            set_("direction", SortDirection(self.direction))
        except ValueError:
            problems.append(Problem("sort", "queue.bad_sort"))
        for name in ("department_code", "category_code"):
            value = getattr(self, name) or None
            set_(name, value)
            if value is not None and not (_CODE_RE.match(str(value)) or value == UNASSIGNED):
                problems.append(Problem(name, "queue.bad_filter"))
        for name, low, high in (("tehsil_lgd", 1, None), ("place_lgd", 1, None), ("ward", 1, 1000),
                                ("min_age_days", 0, MAX_AGE_DAYS), ("max_age_days", 0, MAX_AGE_DAYS),
                                ("page", 1, None)):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low \
                    or (high is not None and value > high):
                problems.append(Problem(name, "queue.bad_filter"))
        if self.page is None:
            set_("page", 1)
        if self.page_size not in PAGE_SIZES:
            problems.append(Problem("page_size", "queue.bad_filter"))
        if self.overdue not in (None, True, False):
            problems.append(Problem("overdue", "queue.bad_filter"))
        for name in ("filed_from", "filed_to"):
            value = getattr(self, name)
            if isinstance(value, datetime) or not (value is None or isinstance(value, date)):
                problems.append(Problem(name, "queue.bad_filter"))
        set_("text", " ".join(str(self.text or "").split()))
        if len(self.text) > TEXT_MAX:
            problems.append(Problem("text", "error.too_long", {"max": TEXT_MAX}))
        if not problems:
            if None not in (self.min_age_days, self.max_age_days) and self.min_age_days > self.max_age_days:
                problems.append(Problem("max_age_days", "queue.age_range"))
            if None not in (self.filed_from, self.filed_to) and self.filed_from > self.filed_to:
                problems.append(Problem("filed_to", "queue.date_range"))
        if problems:
            raise InvalidInput(problems)

    def first_page(self) -> QueueFilters:
        return replace(self, page=1)

    def to_json(self) -> str:
        values = asdict(self)
        for name in ("filed_from", "filed_to"):
            values[name] = values[name].isoformat() if values[name] else None
        values["statuses"] = [str(s) for s in self.statuses]
        return json.dumps(values, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> QueueFilters:
        """Filters saved earlier; unknown keys (from an older portal) are ignored."""
        try:
            raw = json.loads(text)
            known = {f.name for f in fields(cls)}
            values = {k: v for k, v in raw.items() if k in known}
            for name in ("filed_from", "filed_to"):
                if values.get(name):
                    values[name] = date.fromisoformat(values[name])
            values["statuses"] = tuple(values.get("statuses") or ())
        except (ValueError, TypeError, AttributeError) as exc:
            raise InvalidInput(Problem("filters", "queue.bad_filter")) from exc
        return cls(**values)


@dataclass(frozen=True)
class QueueRow:
    tracking_no: str
    filed_at: datetime
    status: Status
    department: str
    place: str
    ward: int | None
    category: str
    subject: str
    age_days: int
    overdue: bool
    complaint_id: int = 0                  # not shown: bulk actions act on (id, version as listed)
    version: int = 0
    channel: str = "web"                   # how it arrived: the form ("web") or "api:<partner>"


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int                             # complaints matching the filters, on every page
    status_counts: dict[str, int]          # per status, for the same filters; sums to total
    page: int                              # the page shown (moved back if the asked one is past the end)
    page_count: int


@dataclass(frozen=True)
class CsvExport:
    data: bytes
    rows: int
    capped: bool                           # more complaints matched than EXPORT_CAP


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    filters: QueueFilters
    created_at: datetime


# ---- Pure helpers ----

def page_count(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / page_size))


def search_pattern(text: str) -> str | None:
    """An ILIKE pattern finding `text` anywhere; the citizen's % and _ mean themselves."""
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Search:
    """What the queue's search box matches: words in the subject or description; a tracking number
    in any case, with or without hyphens or spaces ("rwr 2026 000123", "RWR2026000123", "000123");
    and, for 4 to 10 digits, the last digits of the citizen's mobile."""
    pattern: str | None
    tracking_compact: str | None      # LIKE pattern on the tracking number without hyphens, upper case
    mobile_tail: str | None           # LIKE pattern: the mobile ends with these digits


def search_terms(text: str) -> Search:
    # A NUL means nothing to a reader and PostgreSQL drops it from parameters: drop it on both engines.
    text = (text or "").replace("\x00", "")
    if not text:
        return Search(None, None, None)
    compact = re.sub(r"[\s\-_/]+", "", text).upper()
    tracking = f"%{compact}%" if re.fullmatch(r"[A-Z]{0,3}\d{3,}", compact) else None
    digits = re.sub(r"[\s\-]+", "", text)
    mobile = f"%{digits}" if re.fullmatch(r"\d{4,10}", digits) else None
    return Search(search_pattern(text), tracking, mobile)


def filed_window(filters: QueueFilters, today: date) -> tuple[datetime | None, datetime | None]:
    """The filed_at range [from, before) that the age and date filters together allow (IST days)."""
    lows, highs = [], []
    if filters.filed_from:
        lows.append(filters.filed_from)
    if filters.max_age_days is not None:
        lows.append(today - timedelta(days=filters.max_age_days))
    if filters.filed_to:
        highs.append(filters.filed_to + timedelta(days=1))
    if filters.min_age_days is not None:
        highs.append(today - timedelta(days=filters.min_age_days) + timedelta(days=1))
    return (deadlines.start_of_day(max(lows)) if lows else None,
            deadlines.start_of_day(min(highs)) if highs else None)


def format_filed_at(moment: datetime) -> str:
    return moment.astimezone(deadlines.IST).strftime("%d-%m-%Y %H:%M IST")


def rows_table(rows, language: str, duplicates: dict[int, int] | None = None) -> pd.DataFrame:
    """The rows as a table with headers and statuses in the language; citizen text stays plain.
    `duplicates`: complaint id -> how many likely duplicates (lib.casework.duplicates.counts_for, worked
    out for the rows shown only); given, a column shows the number where there are any."""
    flag = t(language, "queue.overdue_flag")
    data = [(r.tracking_no, format_filed_at(r.filed_at), t(language, f"status.{r.status}"), r.department,
             r.place, r.ward, r.category, r.subject, r.age_days, flag if r.overdue else "", r.channel) for r in rows]
    frame = pd.DataFrame(data, columns=[t(language, f"queue.col.{c}") for c in COLUMNS])
    frame[t(language, "queue.col.ward")] = frame[t(language, "queue.col.ward")].astype("Int64")
    if duplicates is not None:
        frame[t(language, "queue.col.duplicates")] = [str(duplicates.get(r.complaint_id) or "") for r in rows]
    return frame


def filters_from_choices(values, page: int = 1) -> QueueFilters:
    """Filters from a page's pickers, named like the fields (overdue as an OverdueChoice); an
    empty picker means "any"."""
    chosen = {f.name: values.get(f.name) for f in fields(QueueFilters)
              if f.name not in ("page", "overdue") and values.get(f.name) not in (None, "", [], ())}
    chosen["statuses"] = tuple(chosen.get("statuses", ()))
    chosen["overdue"] = _OVERDUE_VALUES[OverdueChoice(values.get("overdue") or OverdueChoice.ALL)]
    return QueueFilters(**chosen, page=page)


def choices_from_filters(filters: QueueFilters) -> dict:
    """What each picker shows for these filters (the inverse of filters_from_choices)."""
    values = {f.name: getattr(filters, f.name) for f in fields(QueueFilters) if f.name != "page"}
    values["statuses"] = list(filters.statuses)
    values["overdue"] = next(k for k, v in _OVERDUE_VALUES.items() if v is filters.overdue)
    return values


# ---- The queue in the database ----

def _prepare(con, cur, user: User, filters: QueueFilters, today: date):
    """The overdue condition and the WHERE clause (scope from the server-side user + filters)."""
    overdue = deadlines.overdue_condition(con, cur, deadlines.get_targets(con), today)
    where = queue_db.where_clause(complaints_visible_to(user), overdue, filters,
                                  filed_window(filters, today), search_terms(filters.text))
    return overdue, where


def load_queue(con, user: User, filters: QueueFilters, language: str, today: date | None = None) -> QueuePage:
    """One page of the complaints the user may see under the filters, with the counts."""
    today = today or deadlines.today_in_ist()
    with con.cursor() as cur:
        overdue, where = _prepare(con, cur, user, filters, today)
        counts = queue_db.count_by_status(cur, where)
        total = sum(counts.values())
        pages = page_count(total, filters.page_size)
        page = min(filters.page, pages)
        raw = queue_db.fetch_rows(cur, where, overdue, filters.sort, filters.direction, language, today,
                                  limit=filters.page_size, offset=(page - 1) * filters.page_size)
    return QueuePage(rows=tuple(_row(r, language) for r in raw), total=total, status_counts=counts,
                     page=page, page_count=pages)


def export_csv(con, user: User, filters: QueueFilters, language: str, today: date | None = None) -> CsvExport:
    """The filtered view (every page, same scope) as CSV, at most EXPORT_CAP rows. UTF-8 with a
    byte-order mark so that Excel shows Devanagari."""
    today = today or deadlines.today_in_ist()
    with con.cursor() as cur:
        overdue, where = _prepare(con, cur, user, filters, today)
        raw = queue_db.fetch_rows(cur, where, overdue, filters.sort, filters.direction, language, today,
                                  limit=EXPORT_CAP + 1, offset=0)
    capped = len(raw) > EXPORT_CAP
    raw = raw[:EXPORT_CAP]
    buffer = io.StringIO()
    rows_table([_row(r, language) for r in raw], language).map(_spreadsheet_safe).to_csv(buffer, index=False)
    return CsvExport(data=buffer.getvalue().encode("utf-8-sig"), rows=len(raw), capped=capped)


# A cell starting like a formula would run in Excel or LibreOffice when the CSV is opened
# (CSV injection): a leading apostrophe keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _row(raw: tuple, language: str) -> QueueRow:
    tracking_no, filed_at, status, department, place, ward, category, subject, age, overdue, cid, version, channel = raw
    return QueueRow(tracking_no, filed_at, Status(status),
                    department or t(language, "queue.no_department"), place or "", ward,
                    category or "", subject, age, bool(overdue), cid, version, channel or "web")


# ---- Saved views ----

def save_view(con, user: User, name: str, filters: QueueFilters) -> None:
    """Keep the filters under a name of the user's own (names are unique per user)."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(Problem("view_name", "error.required"))
    if len(name) > VIEW_NAME_MAX:
        raise InvalidInput(Problem("view_name", "error.too_long", {"max": VIEW_NAME_MAX}))
    try:
        with transaction(con) as cur:
            if queue_db.view_name_taken(cur, user.username, name):
                raise InvalidInput(Problem("view_name", "queue.view_name_taken"))
            queue_db.insert_view(cur, user.username, name, filters.first_page().to_json(), datetime.now(deadlines.IST))
    except ConstraintViolation as exc:        # the same name saved at the same moment elsewhere
        raise InvalidInput(Problem("view_name", "queue.view_name_taken")) from exc


def list_views(con, user: User) -> list[SavedView]:
    """The user's own saved views, by name; one saved by an older portal that no longer reads is left out."""
    with con.cursor() as cur:
        rows = queue_db.list_views(cur, user.username)
    views = []
    for view_id, name, filters, created_at in rows:
        try:
            views.append(SavedView(view_id, name, QueueFilters.from_json(filters), created_at))
        except InvalidInput:
            continue
    return views


def delete_view(con, user: User, view_id: int) -> bool:
    """Delete one of the user's views (another user's view is never touched)."""
    with transaction(con) as cur:
        return queue_db.delete_view(cur, user.username, view_id)
