"""Deadlines: working days skip Sundays and holidays, the admin's targets are checked and audited, and SQL and Python agree on what is overdue."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from lib.casework import deadlines
from lib.core.complaints import Status
from lib.casework.deadlines import DeadlineFacts, DeadlineTargets, HolidaySource
from lib.citizen.filing import file_complaint
from lib.core.problems import InvalidInput
from tests.conftest import make_form

SATURDAY, SUNDAY, MONDAY = date(2026, 10, 17), date(2026, 10, 18), date(2026, 10, 19)
DUSSEHRA = date(2026, 10, 20)           # a Haryana holiday in the holidays package, on a Tuesday
IST = deadlines.IST


def audit_rows(con) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute("SELECT actor, action, target, detail FROM audit_log ORDER BY id").fetchall()


# ---- Working days ----

def test_the_package_knows_dussehra_2026_as_a_haryana_holiday():
    assert deadlines.haryana_holidays(2026)[DUSSEHRA] == "Dussehra"
    assert deadlines.haryana_holidays(2026)[date(2026, 11, 1)] == "Haryana Day"


def test_sunday_is_skipped():
    assert not deadlines.is_working_day(SUNDAY)
    assert deadlines.is_working_day(SATURDAY)            # Haryana's offices work on Saturdays
    assert deadlines.add_working_days(SATURDAY, 1) == MONDAY


def test_a_haryana_holiday_is_skipped():
    assert not deadlines.is_working_day(DUSSEHRA)
    assert deadlines.add_working_days(MONDAY, 1) == date(2026, 10, 21)
    # Sunday and Dussehra both skipped: Saturday + 2 working days is Wednesday.
    assert deadlines.add_working_days(SATURDAY, 2) == date(2026, 10, 21)


def test_a_local_holiday_is_skipped():
    local = {date(2026, 10, 21)}
    assert not deadlines.is_working_day(date(2026, 10, 21), local)
    assert deadlines.add_working_days(MONDAY, 1, local) == date(2026, 10, 22)


def test_working_days_between_counts_after_the_first_day_up_to_the_last():
    assert deadlines.working_days_between(SATURDAY, date(2026, 10, 22)) == 3     # Mon, Wed, Thu
    assert deadlines.working_days_between(SATURDAY, SATURDAY) == 0
    assert deadlines.working_days_between(MONDAY, SATURDAY) == 0


@hsettings(max_examples=60, deadline=None)
@given(start=st.dates(date(2024, 1, 1), date(2030, 12, 31)), n=st.integers(0, 40))
def test_adding_and_counting_working_days_agree(start, n):
    due = deadlines.add_working_days(start, n)
    assert deadlines.working_days_between(start, due) == n
    assert n == 0 or deadlines.is_working_day(due)


def test_calendar_rows_keep_a_running_count_of_working_days():
    rows = deadlines.calendar_rows(SATURDAY, date(2026, 10, 21))
    assert rows == [(SATURDAY, True, 1), (SUNDAY, False, 1), (MONDAY, True, 2), (DUSSEHRA, False, 2),
                    (date(2026, 10, 21), True, 3)]


@pytest.mark.parametrize("facts, today, overdue", [
    # Verification: one working day after filing; Saturday's complaint is due Monday.
    (DeadlineFacts(Status.SUBMITTED, SATURDAY), MONDAY, False),
    (DeadlineFacts(Status.SUBMITTED, SATURDAY), DUSSEHRA, True),
    # Monday's complaint is due Wednesday (Dussehra skipped), overdue only on Thursday.
    (DeadlineFacts(Status.UNDER_SCRUTINY, MONDAY), date(2026, 10, 21), False),
    (DeadlineFacts(Status.UNDER_SCRUTINY, MONDAY), date(2026, 10, 22), True),
    # Hearing: three working days after acceptance.
    (DeadlineFacts(Status.ACCEPTED, date(2026, 10, 10), accepted_on=SATURDAY), date(2026, 10, 22), False),
    (DeadlineFacts(Status.ACCEPTED, date(2026, 10, 10), accepted_on=SATURDAY), date(2026, 10, 23), True),
    # Resolution: 21 calendar days from filing, for any open status.
    (DeadlineFacts(Status.WITH_DEPARTMENT, date(2026, 10, 1)), date(2026, 10, 22), False),
    (DeadlineFacts(Status.WITH_DEPARTMENT, date(2026, 10, 1)), date(2026, 10, 23), True),
    # A direction past its report-back date.
    (DeadlineFacts(Status.WITH_DEPARTMENT, date(2026, 10, 15), directions_due=(MONDAY,)), MONDAY, False),
    (DeadlineFacts(Status.WITH_DEPARTMENT, date(2026, 10, 15), directions_due=(MONDAY,)), DUSSEHRA, True),
    # Disposed complaints are never overdue.
    (DeadlineFacts(Status.CLOSED, date(2025, 1, 1)), MONDAY, False),
    (DeadlineFacts(Status.REJECTED, date(2025, 1, 1), directions_due=(date(2025, 2, 1),)), MONDAY, False),
])
def test_is_overdue(facts, today, overdue):
    assert deadlines.is_overdue(facts, DeadlineTargets(), today) is overdue


def test_age_buckets():
    assert [deadlines.age_bucket(a) for a in (0, 7, 8, 21, 22, 60, 61, 900)] == [0, 0, 1, 1, 2, 2, 3, 3]


# ---- Targets ----

@pytest.mark.engines
def test_targets_default_to_the_issue_and_cpgrams_limits(con):
    assert deadlines.get_targets(con) == DeadlineTargets(1, 3, 21)


@pytest.mark.engines
def test_set_targets_stores_them_and_writes_the_audit_trail(con):
    deadlines.set_targets(con, DeadlineTargets(2, 5, 30), actor="admin_rewari")
    assert deadlines.get_targets(con) == DeadlineTargets(2, 5, 30)
    [(actor, action, target, detail)] = audit_rows(con)
    assert (actor, action, target) == ("admin_rewari", "deadlines.edit", "deadlines")
    assert "'resolve_days': 21" in detail and "'resolve_days': 30" in detail


@pytest.mark.engines
@pytest.mark.parametrize("bad", [0, -1, 366, 1.5, "3", True, None])
def test_set_targets_refuses_bad_values_and_stores_nothing(con, bad):
    with pytest.raises(InvalidInput) as caught:
        deadlines.set_targets(con, DeadlineTargets(verify_working_days=bad), actor="admin_rewari")
    assert caught.value.keys == {"deadline.target_invalid"}
    assert [p.field for p in caught.value.problems] == ["verify_working_days"]
    assert deadlines.get_targets(con) == DeadlineTargets()
    assert audit_rows(con) == []


@pytest.mark.engines
def test_the_largest_allowed_target_is_accepted(con):
    deadlines.set_targets(con, DeadlineTargets(365, 365, 365), actor="admin_rewari")
    assert deadlines.get_targets(con) == DeadlineTargets(365, 365, 365)


def test_a_damaged_stored_target_falls_back_to_its_default():
    assert deadlines.targets_from_settings({"deadline.verify_working_days": "abc",
                                            "deadline.resolve_days": "30"}) == DeadlineTargets(1, 3, 30)


# ---- Holidays and the calendar ----

def calendar_day(con, day: date) -> tuple[bool, int]:
    with con.cursor() as cur:
        return tuple(cur.execute("SELECT is_working, working_seq FROM working_calendar WHERE day = ?",
                                 [day]).fetchall()[0])


@pytest.mark.engines
def test_list_holidays_has_the_package_and_local_ones(con):
    deadlines.add_holiday(con, date(2026, 10, 21), "बाबा खेतानाथ मेला", actor="admin_rewari")
    listed = deadlines.list_holidays(con, 2026)
    assert (DUSSEHRA, "Dussehra", HolidaySource.HARYANA) in listed
    assert (date(2026, 10, 21), "बाबा खेतानाथ मेला", HolidaySource.LOCAL) in listed
    assert [h.day for h in listed] == sorted(h.day for h in listed)
    assert all(h.day.year == 2026 for h in listed)


@pytest.mark.engines
def test_adding_a_local_holiday_is_audited_and_changes_the_calendar(con):
    deadlines.ensure_calendar(con)
    before = calendar_day(con, date(2026, 10, 22))
    assert calendar_day(con, date(2026, 10, 21))[0] is True
    deadlines.add_holiday(con, date(2026, 10, 21), "Local fair", actor="admin_rewari")
    assert calendar_day(con, date(2026, 10, 21))[0] is False
    assert calendar_day(con, date(2026, 10, 22)) == (True, before[1] - 1)
    assert audit_rows(con)[-1] == ("admin_rewari", "holiday.add", "2026-10-21", "Local fair")
    assert deadlines.ensure_calendar(con) is False          # already current


@pytest.mark.engines
def test_a_second_local_holiday_on_the_same_day_is_refused(con):
    deadlines.add_holiday(con, date(2026, 10, 21), "Local fair", actor="admin_rewari")
    with pytest.raises(InvalidInput) as caught:
        deadlines.add_holiday(con, date(2026, 10, 21), "Again", actor="admin_rewari")
    assert caught.value.keys == {"deadline.holiday_exists"}


@pytest.mark.engines
def test_a_holiday_needs_a_name(con):
    with pytest.raises(InvalidInput) as caught:
        deadlines.add_holiday(con, date(2026, 10, 21), "  ", actor="admin_rewari")
    assert caught.value.keys == {"error.required"}
    assert deadlines.list_holidays(con, 2026)[0].source == HolidaySource.HARYANA


@pytest.mark.engines
def test_removing_a_local_holiday_is_audited_and_restores_the_working_day(con):
    deadlines.add_holiday(con, date(2026, 10, 21), "Local fair", actor="admin_rewari")
    deadlines.remove_holiday(con, date(2026, 10, 21), actor="admin_rewari")
    assert calendar_day(con, date(2026, 10, 21))[0] is True
    assert audit_rows(con)[-1] == ("admin_rewari", "holiday.remove", "2026-10-21", "Local fair")
    assert all(h.source == HolidaySource.HARYANA for h in deadlines.list_holidays(con, 2026))


@pytest.mark.engines
def test_a_haryana_holiday_cannot_be_removed(con):
    with pytest.raises(InvalidInput) as caught:
        deadlines.remove_holiday(con, DUSSEHRA, actor="admin_rewari")
    assert caught.value.keys == {"deadline.holiday_not_local"}
    assert audit_rows(con) == []


@pytest.mark.engines
def test_ensure_calendar_builds_a_missing_calendar_and_notices_outside_edits(con):
    # Opening the portal built it already; nothing to do until something changes.
    assert deadlines.ensure_calendar(con) is False
    with con.cursor() as cur:          # as in a database from before the calendar existed
        cur.execute("DELETE FROM working_calendar")
        cur.execute("DELETE FROM settings WHERE key = ?", [deadlines.CALENDAR_STAMP_KEY])
    assert deadlines.ensure_calendar(con) is True
    assert deadlines.ensure_calendar(con) is False
    assert calendar_day(con, SUNDAY)[0] is False and calendar_day(con, DUSSEHRA)[0] is False
    with con.cursor() as cur:          # a holiday written without the portal (e.g. a restore)
        cur.execute("INSERT INTO holidays VALUES ('2026-10-21', 'x', 'someone')")
    assert deadlines.ensure_calendar(con) is True
    assert calendar_day(con, date(2026, 10, 21))[0] is False


# ---- The overdue condition in SQL against the rules in Python ----

def add_complaints(con, template_id: int, rows: list[dict]) -> None:
    """Copies of a filed complaint with the given id, tracking_no, status, filed_at, accepted_at."""
    given = ("id", "tracking_no", "status", "filed_at", "accepted_at", "updated_at")
    with con.cursor() as cur:
        columns = [r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns"
                                             " WHERE table_name = 'complaints' ORDER BY ordinal_position").fetchall()]
        picks = ["?" if c in given else "NULL" if c == "submission_token" else f"t.{c}" for c in columns]
        order = [c for c in columns if c in given]
        cur.executemany(f"INSERT INTO complaints ({', '.join(columns)}) SELECT {', '.join(picks)}"
                        " FROM complaints t WHERE t.id = ?",
                        [[row[c] for c in order] + [template_id] for row in rows])


@pytest.fixture
def sample(con, settings, choices):
    """Complaints of every status filed 0..40 days before mid-October 2026, early and late in
    the day, some accepted on other days, some with directions reported or not."""
    ack = file_complaint(con, settings, make_form(), choices, track_url="http://x/track")
    rows, next_id = [], 1000
    for status in Status:
        for days_ago in [*range(0, 26), 30, 40]:
            for hour, minute in ((0, 5), (9, 30), (23, 55)):
                filed = datetime.combine(date(2026, 10, 23) - timedelta(days=days_ago), time(hour, minute), IST)
                accepted = filed + timedelta(days=days_ago % 4, hours=5) if status == Status.ACCEPTED else None
                rows.append(dict(id=next_id, tracking_no=f"T-{next_id}", status=str(status), filed_at=filed,
                                 accepted_at=None if days_ago % 5 == 0 else accepted,
                                 updated_at=filed + timedelta(days=days_ago % 3, hours=2)))
                next_id += 1
    add_complaints(con, ack.complaint_id, rows)
    with con.cursor() as cur:
        for i, row in enumerate(rows[::7]):
            report_by = date(2026, 10, 14) + timedelta(days=i % 10)
            reported = datetime(2026, 10, 12, tzinfo=IST) if i % 3 == 0 else None
            cur.execute("INSERT INTO directions VALUES (?, ?, 'PHED', 'Report', ?, 'dc_rewari', ?, ?)",
                        [i + 1, row["id"], report_by, row["filed_at"], reported])
    return rows


def overdue_in_python(con, targets, today, local) -> set[str]:
    with con.cursor() as cur:
        rows = cur.execute(
            "SELECT c.tracking_no, c.status, c.filed_at, coalesce(c.accepted_at, c.updated_at), d.report_by"
            " FROM complaints c LEFT JOIN directions d ON d.complaint_id = c.id AND d.reported_at IS NULL"
            " ORDER BY c.id").fetchall()
    complaints, due = {}, {}
    for tracking_no, status, filed_at, accepted_at, report_by in rows:
        complaints[tracking_no] = (status, filed_at, accepted_at)
        if report_by is not None:
            due.setdefault(tracking_no, []).append(report_by)
    found = set()
    for tracking_no, (status, filed_at, accepted_at) in complaints.items():
        facts = DeadlineFacts(Status(status), filed_at.astimezone(IST).date(), accepted_at.astimezone(IST).date(),
                              tuple(due.get(tracking_no, ())))
        if deadlines.is_overdue(facts, targets, today, local):
            found.add(tracking_no)
    return found


def overdue_in_sql(con, targets, today) -> set[str]:
    with con.cursor() as cur:
        sql, params = deadlines.overdue_condition(con, cur, targets, today)
        return {r[0] for r in cur.execute(f"SELECT c.tracking_no FROM complaints c WHERE {sql}", params).fetchall()}


@pytest.mark.engines
@pytest.mark.parametrize("today", [SUNDAY, MONDAY, DUSSEHRA, date(2026, 10, 21), date(2026, 10, 23)])
@pytest.mark.parametrize("targets", [DeadlineTargets(), DeadlineTargets(2, 5, 10)])
def test_sql_and_python_agree_on_what_is_overdue(con, sample, today, targets):
    deadlines.add_holiday(con, date(2026, 10, 16), "Local holiday", actor="admin_rewari")
    in_sql = overdue_in_sql(con, targets, today)
    assert in_sql == overdue_in_python(con, targets, today, {date(2026, 10, 16)})
    assert 0 < len(in_sql) < len(sample)                   # the sample really has both kinds


@pytest.mark.engines
def test_a_local_holiday_moves_a_verification_deadline(con, sample):
    # Filed Thursday 15 October: due Friday 16th, overdue from Saturday 17th...
    filed_thursday = {r["tracking_no"] for r in sample if r["status"] == Status.SUBMITTED
                      and r["filed_at"].date() == date(2026, 10, 15)}
    assert filed_thursday <= overdue_in_sql(con, DeadlineTargets(), SATURDAY)
    # ...but when Friday is a local holiday it is due Saturday, overdue from Sunday.
    deadlines.add_holiday(con, date(2026, 10, 16), "Local holiday", actor="admin_rewari")
    assert len(filed_thursday) == 3
    assert not filed_thursday & overdue_in_sql(con, DeadlineTargets(), SATURDAY)
    assert filed_thursday <= overdue_in_sql(con, DeadlineTargets(), SUNDAY)
