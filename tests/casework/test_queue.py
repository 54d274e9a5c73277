"""The officers' queue on a seeded database: every filter narrows correctly, pages cover every row once, departments never leak, saved views are personal."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from lib.casework import deadlines, queue
from lib.core.roles import Role, User
from lib.core.complaints import Status
from lib.core.config import load_settings
from lib.db.casework import queue as queue_db
from lib.casework.deadlines import DeadlineFacts, DeadlineTargets
from lib.core.i18n import t
from lib.core.problems import InvalidInput
from lib.casework.queue import QueueFilters
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 20)
IST = deadlines.IST
COUNT = 1200
REWARI_TOWN, REWARI_TEHSIL = 248569, 414
DC = User("dc_rewari", "DC Office", Role.DC, None)
PHED = User("officer_phed", "XEN PHED", Role.OFFICER, "PHED")
ULB = User("officer_ulb", "EO MC", Role.OFFICER, "ULB")
ANALYST = User("analyst_rewari", "Analyst", Role.ANALYST, None)
ADMIN = User("admin_rewari", "IT Cell", Role.ADMIN, None)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """One seeded database for the module (read-only tests), with a direction from a ULB
    complaint to PHED, and the complaints as plain Python dicts to check the SQL against."""
    path = tmp_path_factory.mktemp("queue") / "portal.duckdb"
    con = open_portal_database(load_settings({}, env={"ESACHIVALAYA_DB": str(path), "ESACHIVALAYA_DEMO": "0"}))
    seed_complaints(con, COUNT, now=NOW, random_seed=5)
    with con.cursor() as cur:
        ulb_id = cur.execute("SELECT min(id) FROM complaints WHERE department_code = 'ULB'"
                             " AND status = 'with_department'").fetchall()[0][0]
        # Citizens who did not know the department: a few complaints not yet accepted have none.
        cur.execute("UPDATE complaints SET department_code = NULL WHERE id IN (SELECT id FROM complaints"
                    " WHERE status IN ('submitted', 'under_scrutiny') ORDER BY id LIMIT 3)")
        cur.execute("INSERT INTO directions VALUES (nextval('direction_seq'), ?, 'PHED', 'Check the water line', DATE '2026-11-10',"
                    " 'dc_rewari', TIMESTAMPTZ '2026-11-01 10:00:00+05:30', NULL)", [ulb_id])
        rows = cur.execute(
            "SELECT c.id, c.tracking_no, c.filed_at, c.status, c.department_code, c.tehsil_lgd, c.place_lgd,"
            " c.ward, c.category_code, c.subject, c.description, coalesce(c.accepted_at, c.updated_at),"
            " list(d.report_by) FILTER (WHERE d.id IS NOT NULL AND d.reported_at IS NULL),"
            " list(d.department_code) FILTER (WHERE d.id IS NOT NULL)"
            " FROM complaints c LEFT JOIN directions d ON d.complaint_id = c.id GROUP BY ALL").fetchall()
    names = ("id", "tracking_no", "filed_at", "status", "department_code", "tehsil_lgd", "place_lgd", "ward",
             "category_code", "subject", "description", "accepted_at", "directions_due", "direction_departments")
    complaints = [dict(zip(names, r)) for r in rows]
    for c in complaints:
        c["age"] = (TODAY - c["filed_at"].astimezone(IST).date()).days
        c["overdue"] = deadlines.is_overdue(
            DeadlineFacts(Status(c["status"]), c["filed_at"].astimezone(IST).date(),
                          c["accepted_at"].astimezone(IST).date(), tuple(c["directions_due"] or ())),
            DeadlineTargets(), TODAY)
    yield con, complaints
    con.close()


def all_tracking_numbers(con, user, filters: QueueFilters, language="hi") -> list[str]:
    """Every row of the filtered view, walking the pages."""
    seen, page = [], 1
    while True:
        result = queue.load_queue(con, user, replace(filters, page=page, page_size=200), language, today=TODAY)
        seen += [r.tracking_no for r in result.rows]
        if page >= result.page_count:
            return seen
        page += 1


def visible_to(user: User, c: dict) -> bool:
    """The scope rule, written independently of lib.db.scope."""
    if user.role == Role.DC:
        return True
    if user.role == Role.OFFICER:
        return c["department_code"] == user.department_code or user.department_code in (c["direction_departments"] or [])
    return False


# Each filter and an independent Python predicate for it.
FILTER_CASES = {
    "status": (QueueFilters(statuses=(Status.WITH_DEPARTMENT, Status.ACCEPTED)),
               lambda c: c["status"] in ("with_department", "accepted")),
    "department": (QueueFilters(department_code="PHED"), lambda c: c["department_code"] == "PHED"),
    "other_department": (QueueFilters(department_code="ULB"), lambda c: c["department_code"] == "ULB"),
    "unassigned": (QueueFilters(department_code=queue.UNASSIGNED), lambda c: c["department_code"] is None),
    "tehsil": (QueueFilters(tehsil_lgd=REWARI_TEHSIL), lambda c: c["tehsil_lgd"] == REWARI_TEHSIL),
    "place": (QueueFilters(place_lgd=REWARI_TOWN), lambda c: c["place_lgd"] == REWARI_TOWN),
    "ward": (QueueFilters(place_lgd=REWARI_TOWN, ward=7), lambda c: c["place_lgd"] == REWARI_TOWN and c["ward"] == 7),
    "category": (QueueFilters(category_code="WATER"), lambda c: c["category_code"] == "WATER"),
    "overdue": (QueueFilters(overdue=True), lambda c: c["overdue"]),
    "not_overdue": (QueueFilters(overdue=False), lambda c: not c["overdue"]),
    "min_age": (QueueFilters(min_age_days=60), lambda c: c["age"] >= 60),
    "max_age": (QueueFilters(max_age_days=30), lambda c: c["age"] <= 30),
    "age_range": (QueueFilters(min_age_days=10, max_age_days=20), lambda c: 10 <= c["age"] <= 20),
    "dates": (QueueFilters(filed_from=date(2026, 1, 1), filed_to=date(2026, 1, 31)),
              lambda c: date(2026, 1, 1) <= c["filed_at"].astimezone(IST).date() <= date(2026, 1, 31)),
    "text_devanagari": (QueueFilters(text="पानी"),
                        lambda c: "पानी" in c["subject"] or "पानी" in c["description"]),
    "text_any_case": (QueueFilters(text="WATER"),
                      lambda c: "water" in c["subject"].lower() or "water" in c["description"].lower()),
    "combined": (QueueFilters(statuses=(Status.CLOSED,), tehsil_lgd=REWARI_TEHSIL, text="सड़क"),
                 lambda c: c["status"] == "closed" and c["tehsil_lgd"] == REWARI_TEHSIL
                 and ("सड़क" in c["subject"] or "सड़क" in c["description"])),
}


@pytest.mark.parametrize("case", FILTER_CASES, ids=str)
def test_each_filter_returns_exactly_the_matching_complaints(db, case):
    con, complaints = db
    filters, matches = FILTER_CASES[case]
    expected = {c["tracking_no"] for c in complaints if matches(c)}
    found = all_tracking_numbers(con, DC, filters)
    assert 0 < len(expected) < COUNT, "the seeded data must make this filter narrow"
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_a_percent_sign_in_the_search_means_itself(db):
    con, _ = db
    assert queue.load_queue(con, DC, QueueFilters(text="%"), "hi", today=TODAY).total == 0
    assert queue.load_queue(con, DC, QueueFilters(text="_"), "hi", today=TODAY).total == 0


@pytest.mark.parametrize("sort", list(queue.SortColumn))
@pytest.mark.parametrize("direction", list(queue.SortDirection))
def test_pages_cover_every_row_exactly_once_in_every_order(db, sort, direction):
    con, complaints = db
    found = all_tracking_numbers(con, DC, QueueFilters(sort=sort, direction=direction))
    assert len(found) == COUNT
    assert set(found) == {c["tracking_no"] for c in complaints}


def test_sorting_by_filing_time_orders_the_rows(db):
    con, _ = db
    rows = queue.load_queue(con, DC, QueueFilters(sort="filed_at", direction="asc", page_size=200), "en",
                            today=TODAY).rows
    assert [r.filed_at for r in rows] == sorted(r.filed_at for r in rows)
    newest = queue.load_queue(con, DC, QueueFilters(), "en", today=TODAY).rows
    assert newest[0].filed_at >= newest[-1].filed_at and newest[0].age_days <= newest[-1].age_days


def test_a_page_past_the_end_shows_the_last_page(db):
    con, _ = db
    result = queue.load_queue(con, DC, QueueFilters(page=999), "hi", today=TODAY)
    assert result.page == result.page_count == -(-COUNT // queue.DEFAULT_PAGE_SIZE)
    assert len(result.rows) == COUNT - (result.page_count - 1) * queue.DEFAULT_PAGE_SIZE


@pytest.mark.parametrize("injection", ["filed_at; DROP TABLE complaints", "c.mobile", "1", "filed_at DESC, (SELECT 1)"])
def test_the_sort_whitelist_refuses_anything_else(db, injection):
    con, _ = db
    with pytest.raises(InvalidInput) as caught:
        QueueFilters(sort=injection)
    assert caught.value.keys == {"queue.bad_sort"}
    with pytest.raises(InvalidInput):
        QueueFilters.from_json('{"sort": "%s"}' % injection.replace('"', ""))
    # The SQL layer has its own table and refuses too, even if handed the raw text.
    with con.cursor() as cur, pytest.raises(KeyError):
        queue_db.fetch_rows(cur, ("TRUE", []), ("FALSE", []), injection, "asc", "hi", TODAY, limit=1, offset=0)
    assert queue.load_queue(con, DC, QueueFilters(), "hi", today=TODAY).total == COUNT


def test_status_counts_sum_to_the_total_and_match_the_data(db):
    con, complaints = db
    for filters in (QueueFilters(), QueueFilters(tehsil_lgd=REWARI_TEHSIL), QueueFilters(overdue=True)):
        result = queue.load_queue(con, DC, filters, "hi", today=TODAY)
        assert sum(result.status_counts.values()) == result.total
    counts = queue.load_queue(con, DC, QueueFilters(), "hi", today=TODAY).status_counts
    for status in Status:
        assert counts.get(status, 0) == sum(c["status"] == status for c in complaints)


def test_rows_carry_the_queue_columns_and_no_identity_data(db):
    con, complaints = db
    by_number = {c["tracking_no"]: c for c in complaints}
    result = queue.load_queue(con, DC, QueueFilters(place_lgd=REWARI_TOWN), "en", today=TODAY)
    row = result.rows[0]
    assert row.place == "Rewari" and row.ward == by_number[row.tracking_no]["ward"]
    assert row.age_days == by_number[row.tracking_no]["age"]
    assert row.overdue == by_number[row.tracking_no]["overdue"]
    table = queue.rows_table(result.rows, "en")
    assert list(table.columns) == [t("en", f"queue.col.{c}") for c in queue.COLUMNS]
    assert table.iloc[0, 1].endswith(" IST")
    text = table.to_csv()
    assert "+91" not in text and not any(c in text for c in ("aadhaar", "ppp"))


def test_hindi_rows_use_hindi_names(db):
    con, _ = db
    row = queue.load_queue(con, DC, QueueFilters(place_lgd=REWARI_TOWN, department_code="PHED"), "hi",
                           today=TODAY).rows[0]
    assert row.place == "रेवाड़ी" and row.department == "जन स्वास्थ्य अभियांत्रिकी विभाग"


def test_the_csv_has_the_same_rows_as_the_pages(db):
    con, _ = db
    filters = QueueFilters(tehsil_lgd=REWARI_TEHSIL, sort="ward", direction="asc")
    export = queue.export_csv(con, DC, filters, "hi", today=TODAY)
    assert export.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert lines[0][0] == "ट्रैकिंग नंबर"
    assert [line[0] for line in lines[1:]] == all_tracking_numbers(con, DC, filters)
    assert export.rows == len(lines) - 1 and not export.capped


def test_the_csv_stops_at_the_cap_and_says_so(db, monkeypatch):
    con, _ = db
    monkeypatch.setattr(queue, "EXPORT_CAP", 25)
    export = queue.export_csv(con, DC, QueueFilters(), "en", today=TODAY)
    assert export.capped and export.rows == 25
    assert len(export.data.decode("utf-8-sig").strip().splitlines()) == 26


# ---- Departments never leak ----

OFFICER_FILTERS = {name: filters for name, (filters, _) in FILTER_CASES.items()}
OFFICER_FILTERS["everything"] = QueueFilters()
OFFICER_FILTERS["text_common_word"] = QueueFilters(text="में")


@pytest.mark.parametrize("name", OFFICER_FILTERS, ids=str)
@pytest.mark.parametrize("officer", [PHED, ULB], ids=lambda u: u.department_code)
def test_an_officer_gets_no_row_of_another_department(db, officer, name):
    con, complaints = db
    filters = OFFICER_FILTERS[name]
    allowed = {c["tracking_no"] for c in complaints if visible_to(officer, c)}
    found = set(all_tracking_numbers(con, officer, filters))
    assert found <= allowed
    export = queue.export_csv(con, officer, filters, "hi", today=TODAY)
    exported = {line[0] for line in list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))[1:]}
    assert exported == found
    counts = queue.load_queue(con, officer, filters, "hi", today=TODAY).status_counts
    assert sum(counts.values()) == len(found)


def test_an_officer_sees_their_department_and_directions_to_it(db):
    con, complaints = db
    found = set(all_tracking_numbers(con, PHED, QueueFilters()))
    assert found == {c["tracking_no"] for c in complaints if visible_to(PHED, c)}
    # ULB's complaints with a direction to PHED (the demo's, and the one the fixture added).
    directed = {c["tracking_no"] for c in complaints
                if c["department_code"] == "ULB" and "PHED" in (c["direction_departments"] or [])}
    assert directed and directed <= found
    # Asking for ULB's complaints gives a PHED officer only those directed to PHED.
    assert set(all_tracking_numbers(con, PHED, QueueFilters(department_code="ULB"))) == directed


@pytest.mark.parametrize("user", [ANALYST, ADMIN, User("officer_x", "No department", Role.OFFICER, None)],
                         ids=lambda u: u.username)
def test_analysts_admins_and_officers_without_a_department_get_no_rows(db, user):
    con, _ = db
    for filters in (QueueFilters(), QueueFilters(text="पानी"), QueueFilters(overdue=True)):
        result = queue.load_queue(con, user, filters, "hi", today=TODAY)
        assert (result.total, result.rows, result.status_counts) == (0, (), {})
        assert queue.export_csv(con, user, filters, "hi", today=TODAY).rows == 0
    assert deadlines.overdue_summary(con, user, "hi", today=TODAY) == []


# ---- The overdue view ----

def test_overdue_summary_matches_the_queue_and_the_rules(db):
    con, complaints = db
    lines = deadlines.overdue_summary(con, DC, "en", today=TODAY)
    overdue = [c for c in complaints if c["overdue"]]
    assert sum(line.count for line in lines) == len(overdue)
    assert [line.count for line in lines] == sorted((line.count for line in lines), reverse=True)
    for line in lines:
        mine = [c for c in overdue if c["department_code"] == line.department_code]
        assert line.count == len(mine) == sum(line.by_age)
        assert line.by_age == tuple(sum(deadlines.age_bucket(c["age"]) == i for c in mine) for i in range(4))
        oldest = min(mine, key=lambda c: c["filed_at"])
        assert (line.oldest_tracking_no, line.oldest_age_days) == (oldest["tracking_no"], oldest["age"])


def test_an_officer_sees_only_their_department_in_the_overdue_view(db):
    con, complaints = db
    lines = deadlines.overdue_summary(con, PHED, "en", today=TODAY)
    assert {line.department_code for line in lines} <= {"PHED", "ULB"}      # ULB: the one directed to PHED
    phed = next(line for line in lines if line.department_code == "PHED")
    assert phed.count == sum(c["overdue"] and c["department_code"] == "PHED" for c in complaints)


# ---- Filters, and saved views ----

def test_filters_round_trip_through_json():
    filters = QueueFilters(statuses=("accepted", "submitted"), department_code="PWD", tehsil_lgd=414,
                           place_lgd=REWARI_TOWN, ward=3, category_code="ROAD", overdue=False, min_age_days=2,
                           max_age_days=90, filed_from=date(2026, 1, 1), filed_to=date(2026, 3, 31),
                           text="  सड़क   टूटी ", sort="ward", direction="asc", page_size=100)
    assert filters.statuses == (Status.SUBMITTED, Status.ACCEPTED)       # lifecycle order, no repeats
    assert filters.text == "सड़क टूटी"
    assert QueueFilters.from_json(filters.to_json()) == filters
    assert queue.filters_from_choices(queue.choices_from_filters(filters)) == filters


@pytest.mark.parametrize("bad, key", [
    (dict(statuses=("lost",)), "queue.bad_filter"),
    (dict(page_size=7), "queue.bad_filter"),
    (dict(page=0), "queue.bad_filter"),
    (dict(ward=-1), "queue.bad_filter"),
    (dict(department_code="PHED' OR 1=1 --"), "queue.bad_filter"),
    (dict(min_age_days=30, max_age_days=10), "queue.age_range"),
    (dict(filed_from=date(2026, 2, 1), filed_to=date(2026, 1, 1)), "queue.date_range"),
    (dict(text="x" * 201), "error.too_long"),
])
def test_bad_filters_are_refused_with_a_reason(bad, key):
    with pytest.raises(InvalidInput) as caught:
        QueueFilters(**bad)
    assert key in caught.value.keys


def test_saved_views_round_trip_and_are_per_user(con):
    filters = QueueFilters(statuses=(Status.WITH_DEPARTMENT,), department_code="PWD", overdue=True, page=4)
    queue.save_view(con, DC, "Overdue with PWD", filters)
    queue.save_view(con, DC, "New today", QueueFilters(max_age_days=0))
    [first, second] = queue.list_views(con, DC)
    assert (first.name, second.name) == ("New today", "Overdue with PWD")
    assert second.filters == replace(filters, page=1)                 # a view opens at its first page
    assert queue.list_views(con, PHED) == []
    # Names are unique per user, not across users.
    with pytest.raises(InvalidInput) as caught:
        queue.save_view(con, DC, " Overdue  with PWD ", QueueFilters())
    assert caught.value.keys == {"queue.view_name_taken"}
    queue.save_view(con, PHED, "Overdue with PWD", QueueFilters())
    # Nobody deletes another user's view.
    assert queue.delete_view(con, PHED, second.id) is False
    assert len(queue.list_views(con, DC)) == 2
    assert queue.delete_view(con, DC, second.id) is True
    assert [v.name for v in queue.list_views(con, DC)] == ["New today"]
    assert [v.name for v in queue.list_views(con, PHED)] == ["Overdue with PWD"]


def test_a_view_needs_a_name(con):
    with pytest.raises(InvalidInput) as caught:
        queue.save_view(con, DC, "   ", QueueFilters())
    assert caught.value.keys == {"error.required"}


def test_filed_window_combines_age_and_dates():
    low, high = queue.filed_window(QueueFilters(min_age_days=2, max_age_days=5, filed_from=date(2026, 11, 16)),
                                   TODAY)
    assert low == datetime(2026, 11, 16, tzinfo=IST)                  # the later of the 15th and the 16th
    assert high == datetime(2026, 11, 19, tzinfo=IST)                 # filed on the 18th or before
    assert queue.filed_window(QueueFilters(), TODAY) == (None, None)
    assert queue.search_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_the_search_finds_a_tracking_number_however_it_is_typed(db):
    con, complaints = db
    wanted = complaints[7]["tracking_no"]                       # e.g. RWR-2025-000008
    year, number = wanted.split("-")[1:]
    for typed in (wanted, wanted.lower(), wanted.replace("-", ""), f"rwr {year} {number}", f" {wanted.lower()} "):
        found = all_tracking_numbers(con, DC, QueueFilters(text=typed.strip()))
        assert found == [wanted], typed
    # The number's last digits alone find it too (with whatever else ends the same way).
    assert wanted in all_tracking_numbers(con, DC, QueueFilters(text=number))


def test_the_search_finds_a_complaint_by_the_last_digits_of_the_mobile(db):
    con, complaints = db
    with con.cursor() as cur:
        mobiles = dict(cur.execute("SELECT tracking_no, mobile FROM complaints").fetchall())
    wanted = complaints[11]["tracking_no"]
    tail = mobiles[wanted][-6:]
    found = all_tracking_numbers(con, DC, QueueFilters(text=tail))
    assert wanted in found
    assert all(mobiles[t].endswith(tail) or tail in t for t in found)
    # Officers search only inside their own scope.
    phed = all_tracking_numbers(con, PHED, QueueFilters(text=tail))
    assert set(phed) <= set(found) and all(visible_to(PHED, c) for c in complaints if c["tracking_no"] in phed)


# ---- the orders on both engines (the module's `db` above is DuckDB's file) ----

@pytest.fixture
def seeded(con):
    """300 complaints, three of them not given a department; (id, tracking_no, filed_at) of each."""
    seed_complaints(con, 300, now=NOW, random_seed=5)
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET department_code = NULL WHERE id IN (7, 150, 299)")
        return con, cur.execute("SELECT id, tracking_no, filed_at FROM complaints").fetchall()


@pytest.mark.parametrize("direction", list(queue.SortDirection))
def test_complaints_without_a_department_come_last_whichever_way_departments_are_sorted(seeded, direction):
    # PostgreSQL puts NULLs first in a descending order unless told otherwise; DuckDB puts them last.
    con, _ = seeded
    departments = []
    for page in (1, 2):                        # 300 complaints, 200 a page
        filters = QueueFilters(sort="department", direction=direction, page_size=200, page=page)
        departments += [r.department for r in queue.load_queue(con, DC, filters, "en", today=TODAY).rows]
    assert len(departments) == 300
    none = t("en", "queue.no_department")
    named = [d for d in departments if d != none]
    assert len(named) == len(departments) - 3 > 0
    assert departments == named + [none] * 3
    assert named == sorted(named, reverse=str(direction) == "desc")


def test_the_queue_opens_on_the_newest_complaints(seeded):
    con, complaints = seeded
    newest = sorted(complaints, key=lambda c: (c[2], c[0]), reverse=True)[:queue.DEFAULT_PAGE_SIZE]
    rows = queue.load_queue(con, DC, QueueFilters(), "en", today=TODAY).rows
    assert [r.tracking_no for r in rows] == [tracking_no for _, tracking_no, _ in newest]


def test_an_officer_sees_their_departments_complaints_and_those_directed_to_it_on_either_engine(seeded):
    con, _ = seeded
    with con.cursor() as cur:
        departments = dict(cur.execute("SELECT tracking_no, department_code FROM complaints").fetchall())
        directed = {tracking_no for (tracking_no,) in cur.execute(
            "SELECT c.tracking_no FROM directions d JOIN complaints c ON c.id = d.complaint_id"
            " WHERE d.department_code = 'PHED'").fetchall()}
    expected = {n for n, department in departments.items() if department == "PHED"} | directed
    assert directed - {n for n, department in departments.items() if department == "PHED"}, \
        "the seed must direct some other department's complaint to PHED"
    found = all_tracking_numbers(con, PHED, QueueFilters())
    assert len(found) == len(set(found)) and set(found) == expected
