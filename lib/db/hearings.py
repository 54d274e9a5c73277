"""SQL for hearings: hearing officers' rules and absences, bookings and their slot claims, reminders to
call off, and what the calendar, the DC's briefing and the citizen's track page read."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from lib.db.sms import CANCELLED_REASON

from lib.db.connect import fetch_one, fetch_value

OFFICER_COLUMNS = ("username, title_en, title_hi, working_days, no_meeting_days, windows, kept_free,"
                   " slot_minutes, active")
HEARING_COLUMNS = ("h.id, h.complaint_id, h.officer, h.standing_in_for, h.starts_at, h.ends_at, h.room,"
                   " h.join_url, h.status, h.booked_by, h.booked_at, h.replaces, h.reason, h.closed_by, h.closed_at")


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


# ---- hearing officers and their absences ----

def officer_rows(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    return cur.execute(f"SELECT {OFFICER_COLUMNS} FROM hearing_officers ORDER BY username").fetchall()


def upsert_officer(cur: duckdb.DuckDBPyConnection, username: str, title_en: str, title_hi: str,
                   working_days: list[int], no_meeting_days: list[int], windows: list[str], kept_free: list[str],
                   slot_minutes: int, active: bool, by: str, now: datetime) -> None:
    cur.execute(
        "INSERT INTO hearing_officers (username, title_en, title_hi, working_days, no_meeting_days,"
        " windows, kept_free, slot_minutes, active, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (username) DO UPDATE SET title_en = excluded.title_en, title_hi = excluded.title_hi,"
        " working_days = excluded.working_days, no_meeting_days = excluded.no_meeting_days,"
        " windows = excluded.windows, kept_free = excluded.kept_free, slot_minutes = excluded.slot_minutes,"
        " active = excluded.active, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        [username, title_en, title_hi, working_days, no_meeting_days, windows, kept_free, slot_minutes, active,
         by, now])


def absence_rows(cur: duckdb.DuckDBPyConnection, first_day: date, last_day: date) -> list[tuple]:
    """(id, username, first_day, last_day, substitute, reason) of absences touching the days, by start."""
    return cur.execute(
        "SELECT id, username, first_day, last_day, substitute, reason FROM hearing_absences"
        " WHERE first_day <= ? AND last_day >= ? ORDER BY first_day, id", [last_day, first_day]).fetchall()


def insert_absence(cur: duckdb.DuckDBPyConnection, username: str, first_day: date, last_day: date,
                   substitute: str | None, reason: str | None, by: str, now: datetime) -> int:
    return fetch_value(
        cur,
        "INSERT INTO hearing_absences (id, username, first_day, last_day, substitute, reason, added_by, added_at)"
        " VALUES (nextval('absence_seq'), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [username, first_day, last_day, substitute, reason, by, now])


def delete_absence(cur: duckdb.DuckDBPyConnection, absence_id: int) -> tuple | None:
    """Remove an absence; (username, first_day, last_day) of it, or None if there was none."""
    return fetch_one(cur, "DELETE FROM hearing_absences WHERE id = ? RETURNING username, first_day, last_day",
                     [absence_id])


# ---- bookings ----

def busy(cur: duckdb.DuckDBPyConnection, officers: list[str], start: datetime, end: datetime,
         holding: tuple[str, ...]) -> list[tuple[str, datetime, datetime]]:
    """(officer, start, end) of the officers' hearings that hold their slot and overlap [start, end)."""
    if not officers:
        return []
    return cur.execute(
        f"SELECT officer, starts_at, ends_at FROM hearings WHERE officer IN ({_marks(officers)})"
        f" AND status IN ({_marks(holding)}) AND starts_at < ? AND ends_at > ? ORDER BY starts_at",
        [*officers, *holding, end, start]).fetchall()


def preferred_dates(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> list[date]:
    """The complaint's preferred dates (the booking that follows checks the user's scope)."""
    return fetch_value(cur, "SELECT preferred_dates FROM complaints WHERE id = ?", [complaint_id]) or []


def is_claimed(cur: duckdb.DuckDBPyConnection, officer: str, starts_at: datetime) -> bool:
    return bool(fetch_value(cur, "SELECT count(*) FROM hearing_slot_claims WHERE officer = ? AND starts_at = ?",
                            [officer, starts_at]))


def insert_hearing(cur: duckdb.DuckDBPyConnection, *, complaint_id: int, officer: str, standing_in_for: str | None,
                   starts_at: datetime, ends_at: datetime, room: str, join_url: str, status: str, booked_by: str,
                   booked_at: datetime, replaces: int | None) -> int:
    """Write the booking and claim its slot. Raises ConstraintViolation (now, or at commit when another
    transaction claimed it first) if the slot is taken: the primary key is the guarantee."""
    hearing_id = fetch_value(
        cur,
        "INSERT INTO hearings (id, complaint_id, officer, standing_in_for, starts_at, ends_at, room, join_url,"
        " status, booked_by, booked_at, replaces) VALUES (nextval('hearing_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [complaint_id, officer, standing_in_for, starts_at, ends_at, room, join_url, status, booked_by, booked_at,
         replaces])
    cur.execute("INSERT INTO hearing_slot_claims (officer, starts_at, hearing_id) VALUES (?, ?, ?)",
                [officer, starts_at, hearing_id])
    return hearing_id


def active_hearing(cur: duckdb.DuckDBPyConnection, complaint_id: int, status: str) -> tuple | None:
    """The complaint's hearing in `status` (booked), latest first."""
    return fetch_one(cur, f"SELECT {HEARING_COLUMNS} FROM hearings h WHERE h.complaint_id = ? AND h.status = ?"
                          " ORDER BY h.starts_at DESC LIMIT 1", [complaint_id, status])


def close_hearing(cur: duckdb.DuckDBPyConnection, hearing_id: int, status: str, reason: str | None, by: str,
                  now: datetime, *, release: bool) -> None:
    """Set a booking's final status; `release` gives its slot back (cancelled or moved)."""
    cur.execute("UPDATE hearings SET status = ?, reason = ?, closed_by = ?, closed_at = ? WHERE id = ?",
                [status, reason, by, now, hearing_id])
    if release:
        cur.execute("DELETE FROM hearing_slot_claims WHERE hearing_id = ?", [hearing_id])


def count_with_status(cur: duckdb.DuckDBPyConnection, complaint_id: int, status: str) -> int:
    return fetch_value(cur, "SELECT count(*) FROM hearings WHERE complaint_id = ? AND status = ?",
                       [complaint_id, status])


def call_off_reminders(cur: duckdb.DuckDBPyConnection, keys: list[str], now: datetime) -> int:
    """Reminders of a booking that is no longer on: still-queued ones are marked failed with
    last_error 'cancelled' (kept, so the outbox shows what was never sent and why). Returns how many."""
    if not keys:
        return 0
    rows = cur.execute(
        f"UPDATE sms_outbox SET status = 'failed', last_error = '{CANCELLED_REASON}', next_attempt_at = NULL"
        f" WHERE idempotency_key IN ({_marks(keys)}) AND status = 'queued' RETURNING id", [*keys]).fetchall()
    return len(rows)


def complaint_hearings(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> list[tuple]:
    return cur.execute(f"SELECT {HEARING_COLUMNS} FROM hearings h WHERE h.complaint_id = ?"
                       " ORDER BY h.booked_at, h.id", [complaint_id]).fetchall()


# ---- what the calendar, the briefing and the track page read ----

def scheduled(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], officer: str | None, start: datetime,
              end: datetime) -> list[tuple]:
    """Hearings starting in [start, end) of complaints within `scope` (alias c), of one officer or all:
    the hearing's columns, then tracking number, complaint status, category and place."""
    scope_sql, scope_params = scope
    return cur.execute(
        f"SELECT {HEARING_COLUMNS}, c.tracking_no, c.status, c.category_code, c.place_lgd"
        " FROM hearings h JOIN complaints c ON c.id = h.complaint_id"
        f" WHERE h.starts_at >= ? AND h.starts_at < ? AND (?::VARCHAR IS NULL OR h.officer = ?) AND ({scope_sql})"
        " ORDER BY h.starts_at, h.officer, h.id",
        [start, end, officer, officer, *scope_params]).fetchall()


def upcoming_for_citizen(cur: duckdb.DuckDBPyConnection, complaint_id: int, now: datetime, status: str) -> tuple | None:
    """(starts_at, ends_at, join_url, officer, title_en, title_hi) of the complaint's booked hearing not
    yet over. Call only after the citizen's tracking number and mobile matched."""
    return fetch_one(
        cur,
        "SELECT h.starts_at, h.ends_at, h.join_url, h.officer, o.title_en, o.title_hi FROM hearings h"
        " LEFT JOIN hearing_officers o ON o.username = h.officer"
        " WHERE h.complaint_id = ? AND h.status = ? AND h.ends_at > ? ORDER BY h.starts_at LIMIT 1",
        [complaint_id, status, now])


def briefing_complaint(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], complaint_id: int) -> tuple | None:
    """(tracking_no, filed_at, status, category, department, place, ward, subject, description) in scope."""
    scope_sql, scope_params = scope
    return fetch_one(
        cur,
        "SELECT c.tracking_no, c.filed_at, c.status, c.category_code, c.department_code, c.place_lgd, c.ward,"
        f" c.subject, c.description FROM complaints c WHERE c.id = ? AND ({scope_sql})",
        [complaint_id, *scope_params])


def related_complaints(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], complaint_id: int,
                       limit: int) -> list[tuple]:
    """Earlier complaints of the same family ID, the same Aadhaar (by keyed hash, never read out), the same
    mobile or the same village, within `scope`: (id, tracking_no, filed_at, status, category, subject, same
    family, same person, same village, same mobile, resolved_at, the citizen's latest feedback), the
    citizen's own first, then newest first."""
    scope_sql, scope_params = scope
    own = ("(coalesce(c.ppp_id = me.ppp_id, false) OR coalesce(c.aadhaar_hmac = me.aadhaar_hmac, false)"
           " OR c.mobile = me.mobile)")
    return cur.execute(
        "WITH me AS (SELECT id, filed_at, ppp_id, aadhaar_hmac, place_lgd, mobile FROM complaints WHERE id = ?)"
        " SELECT c.id, c.tracking_no, c.filed_at, c.status, c.category_code, c.subject,"
        "  coalesce(c.ppp_id = me.ppp_id, false), coalesce(c.aadhaar_hmac = me.aadhaar_hmac, false),"
        "  c.place_lgd = me.place_lgd, c.mobile = me.mobile, c.resolved_at,"
        "  (SELECT f.answer FROM feedback f WHERE f.complaint_id = c.id ORDER BY f.given_at DESC LIMIT 1)"
        " FROM complaints c, me"
        " WHERE c.id <> me.id AND c.filed_at <= me.filed_at"
        f"  AND ({own} OR c.place_lgd = me.place_lgd)"
        f"  AND ({scope_sql})"
        f" ORDER BY {own} DESC, c.filed_at DESC LIMIT ?",
        [complaint_id, *scope_params, limit]).fetchall()


def reports_of(cur: duckdb.DuckDBPyConnection, complaint_ids: list[int]) -> list[tuple]:
    """(complaint_id, department, filed_at, report) of the complaints' action taken reports, newest first.
    The caller passes only complaints it found within the user's scope."""
    if not complaint_ids:
        return []
    return cur.execute(
        f"SELECT complaint_id, department_code, filed_at, report FROM action_reports"
        f" WHERE complaint_id IN ({_marks(complaint_ids)}) ORDER BY filed_at DESC, id DESC",
        [*complaint_ids]).fetchall()
