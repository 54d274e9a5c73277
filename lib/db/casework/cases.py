"""SQL for working on a complaint: what an action needs, version-checked updates, history, directions,
reports, feedback, and the case file an officer reads (always within lib.db.scope)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from lib.core.roles import User
from lib.core.complaints import IdType
from lib.db.connect import fetch_one, fetch_value
from lib.db.scope import complaints_visible_to
from lib.core.masking import mask_aadhaar, mask_aadhaar_in_text
from lib.core.lifecycle import CaseEvent, Feedback

# Public history entries whose remark is a code from a fixed list (see lifecycle.CaseEvent); any
# other entry's remark may be an officer's words and is never read for the citizen.
CODED_EVENTS = (CaseEvent.REJECTED, CaseEvent.FORWARDED, CaseEvent.REPORT_FILED, CaseEvent.FEEDBACK,
                CaseEvent.ESCALATED, CaseEvent.MERGED)


@dataclass(frozen=True)
class CaseSnapshot:
    """What an action needs to know about a complaint, read inside the action's transaction."""
    id: int
    tracking_no: str
    status: str
    department_code: str | None
    transfers: int
    resolved_at: datetime | None
    version: int
    updated_by: str | None
    updated_at: datetime
    mobile: str
    language: str
    open_directions: frozenset[str]
    # The complaint's facts (migration 008), which the actions keep by adding to them.
    reopen_count: int = 0
    hearings_held: int = 0
    hearings_called_off: int = 0
    hearings_no_show: int = 0
    heard_at: datetime | None = None


@dataclass(frozen=True)
class HistoryEntry:
    happened_at: datetime
    actor: str
    event: str
    from_status: str | None
    to_status: str | None
    remark: str | None
    public: bool


@dataclass(frozen=True)
class Direction:
    id: int
    department_code: str
    instruction: str
    report_by: date
    given_by: str
    given_at: datetime
    reported_at: datetime | None


@dataclass(frozen=True)
class ActionReport:
    id: int
    department_code: str
    report: str
    document_id: int | None
    filed_by: str
    filed_at: datetime


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    content_type: str
    size_bytes: int
    created_at: datetime
    stored_name: str              # random; only ever handed to UploadStore, never shown


@dataclass(frozen=True)
class Case:
    """Everything the complaint detail page shows. The Aadhaar number is only ever the masked form."""
    id: int
    tracking_no: str
    filed_at: datetime
    language: str
    citizen_name: str
    mobile: str
    email: str | None
    id_type: str
    masked_id: str
    tehsil_lgd: int
    place_lgd: int
    ward: int | None
    locality: str | None
    department_code: str | None
    category_code: str
    subject: str
    description: str
    hearing_mode: str
    preferred_dates: tuple[date, ...]
    status: str
    version: int
    transfers: int
    rejection_reason: str | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime
    updated_by: str | None
    history: tuple[HistoryEntry, ...]
    directions: tuple[Direction, ...]
    reports: tuple[ActionReport, ...]
    documents: tuple[DocumentInfo, ...]

    @property
    def open_directions(self) -> frozenset[str]:
        return frozenset(d.department_code for d in self.directions if d.reported_at is None)


def _where_ref(ref: int | str) -> tuple[str, list]:
    return ("c.id = ?", [ref]) if isinstance(ref, int) else ("c.tracking_no = ?", [ref])


# ---- what an action reads and writes ----

_SNAPSHOT_SQL = (
    "SELECT c.id, c.tracking_no, c.status, c.department_code, coalesce(c.transfers, 0), c.resolved_at,"
    " c.version, c.updated_by, c.updated_at, c.mobile, c.language,"
    " (SELECT array_agg(DISTINCT d.department_code) FROM directions d"
    "   WHERE d.complaint_id = c.id AND d.reported_at IS NULL),"
    " coalesce(c.reopen_count, 0), coalesce(c.hearings_held, 0), coalesce(c.hearings_called_off, 0),"
    " coalesce(c.hearings_no_show, 0), c.heard_at"
    " FROM complaints c WHERE {where}")


def _snapshot(cur, where: str, params: list) -> CaseSnapshot | None:
    row = fetch_one(cur, _SNAPSHOT_SQL.format(where=where), params)
    if row is None:
        return None
    return CaseSnapshot(*row[:11], frozenset(row[11] or ()), *row[12:17])


def snapshot_for_user(cur: duckdb.DuckDBPyConnection, user: User, ref: int | str) -> CaseSnapshot | None:
    """The complaint if this user may see it; None otherwise (as if it did not exist)."""
    scope, scope_params = complaints_visible_to(user)
    where, params = _where_ref(ref)
    return _snapshot(cur, f"{where} AND {scope}", params + scope_params)


def snapshot_for_citizen(cur: duckdb.DuckDBPyConnection, complaint_id: int, tracking_no: str,
                         mobile: str) -> CaseSnapshot | None:
    """The complaint only when the citizen's tracking number and mobile both match it."""
    return _snapshot(cur, "c.id = ? AND c.tracking_no = ? AND c.mobile = ?", [complaint_id, tracking_no, mobile])


def last_change(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple[str | None, datetime | None]:
    """(who, when) of the complaint's latest change."""
    row = fetch_one(cur, "SELECT updated_by, updated_at FROM complaints WHERE id = ?", [complaint_id])
    return (row[0], row[1]) if row else (None, None)


_UPDATABLE = frozenset({"status", "department_code", "transfers", "rejection_reason", "accepted_at", "resolved_at",
                        # the facts of migration 008
                        "reopen_count", "hearings_held", "hearings_called_off", "hearings_no_show", "heard_at"})


def update_if_unchanged(cur: duckdb.DuckDBPyConnection, complaint_id: int, expected_version: int,
                        changes: dict, by: str, now: datetime) -> int | None:
    """Apply `changes` only if the complaint is still at `expected_version` (compare-and-set in SQL).

    Returns the new version, or None when someone else changed the complaint first.
    """
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"not an updatable complaint column: {sorted(unknown)}")
    columns = sorted(changes)
    sets = "".join(f"{column} = ?, " for column in columns)
    rows = cur.execute(
        f"UPDATE complaints SET {sets}version = version + 1, updated_by = ?, updated_at = ?"
        " WHERE id = ? AND version = ? RETURNING version",
        [*(changes[c] for c in columns), by, now, complaint_id, expected_version]).fetchall()
    return rows[0][0] if rows else None


def add_event(cur: duckdb.DuckDBPyConnection, complaint_id: int, now: datetime, actor: str, event: str,
              from_status: str | None, to_status: str | None, remark: str | None, public: bool) -> int:
    """Append one history entry; returns its id."""
    return fetch_value(
        cur,
        "INSERT INTO complaint_events (id, complaint_id, happened_at, actor, event, from_status, to_status,"
        " remark, public) VALUES (nextval('event_seq'), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [complaint_id, now, actor, event, from_status, to_status, mask_aadhaar_in_text(remark), public])


def is_active_department(cur: duckdb.DuckDBPyConnection, code: str | None) -> bool:
    return bool(code) and bool(fetch_value(cur, "SELECT count(*) FROM departments WHERE code = ? AND active", [code]))


def add_direction(cur: duckdb.DuckDBPyConnection, complaint_id: int, department_code: str, instruction: str,
                  report_by: date, given_by: str, now: datetime) -> None:
    cur.execute(
        "INSERT INTO directions (id, complaint_id, department_code, instruction, report_by, given_by, given_at)"
        " VALUES (nextval('direction_seq'), ?, ?, ?, ?, ?, ?)",
        [complaint_id, department_code, mask_aadhaar_in_text(instruction), report_by, given_by, now])


def mark_directions_reported(cur: duckdb.DuckDBPyConnection, complaint_id: int, department_code: str,
                             now: datetime) -> None:
    cur.execute("UPDATE directions SET reported_at = ? WHERE complaint_id = ? AND department_code = ?"
                " AND reported_at IS NULL", [now, complaint_id, department_code])


def open_directions_due(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> list[tuple]:
    """(department code, name_en, name_hi, report_by) of the complaint's directions still waiting for a
    report, earliest first."""
    return cur.execute(
        "SELECT d.department_code, p.name_en, p.name_hi, d.report_by FROM directions d"
        " LEFT JOIN departments p ON p.code = d.department_code"
        " WHERE d.complaint_id = ? AND d.reported_at IS NULL ORDER BY d.report_by, d.id", [complaint_id]).fetchall()


def readdress_open_directions(cur: duckdb.DuckDBPyConnection, complaint_id: int, from_department: str | None,
                              to_department: str) -> None:
    """A forward hands the forwarding department's outstanding directions to the receiving one."""
    if from_department is None:
        return
    cur.execute("UPDATE directions SET department_code = ? WHERE complaint_id = ? AND department_code = ?"
                " AND reported_at IS NULL", [to_department, complaint_id, from_department])


def add_document(cur: duckdb.DuckDBPyConnection, complaint_id: int, kind: str, stored_name: str,
                 content_type: str, size_bytes: int, sha256: str, now: datetime) -> int:
    return fetch_value(
        cur,
        "INSERT INTO documents (id, complaint_id, kind, stored_name, content_type, size_bytes, sha256, created_at)"
        " VALUES (nextval('document_seq'), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [complaint_id, kind, stored_name, content_type, size_bytes, sha256, now])


def add_action_report(cur: duckdb.DuckDBPyConnection, complaint_id: int, department_code: str, report: str,
                      document_id: int | None, filed_by: str, now: datetime) -> None:
    cur.execute(
        "INSERT INTO action_reports (id, complaint_id, department_code, report, document_id, filed_by, filed_at)"
        " VALUES (nextval('report_seq'), ?, ?, ?, ?, ?, ?)",
        [complaint_id, department_code, mask_aadhaar_in_text(report), document_id, filed_by, now])


# The complaint row's count of each answer (migration 023), kept beside the answer itself.
_FEEDBACK_COUNT = {str(answer): f"feedback_{answer}" for answer in Feedback}


def add_feedback(cur: duckdb.DuckDBPyConnection, complaint_id: int, answer: str, now: datetime) -> None:
    """The answer, and one more of it on the complaint row (the analytics page counts those)."""
    column = _FEEDBACK_COUNT[str(answer)]            # a KeyError for an answer the portal does not know
    cur.execute("INSERT INTO feedback (complaint_id, answer, given_at) VALUES (?, ?, ?)", [complaint_id, answer, now])
    cur.execute(f"UPDATE complaints SET {column} = coalesce({column}, 0) + 1 WHERE id = ?", [complaint_id])


def feedback_since(cur: duckdb.DuckDBPyConnection, complaint_id: int, since: datetime | None) -> str | None:
    """The citizen's latest answer given at or after `since` (the resolution), if any."""
    if since is None:
        return None
    return fetch_value(cur, "SELECT answer FROM feedback WHERE complaint_id = ? AND given_at >= ?"
                            " ORDER BY given_at DESC LIMIT 1", [complaint_id, since])


# ---- reading the case file ----

_CASE_COLUMNS = (
    "c.id, c.tracking_no, c.filed_at, c.language, c.citizen_name, c.mobile, c.email, c.id_type,"
    " c.aadhaar_last4, c.ppp_id, c.tehsil_lgd, c.place_lgd, c.ward, c.locality, c.department_code,"
    " c.category_code, c.subject, c.description, c.hearing_mode, c.preferred_dates, c.status, c.version,"
    " coalesce(c.transfers, 0), c.rejection_reason, c.accepted_at, c.resolved_at, c.updated_at, c.updated_by")


def load_case(cur: duckdb.DuckDBPyConnection, user: User, ref: int | str) -> Case | None:
    """The whole case file by id or tracking number, only if `user` may see the complaint.

    None for a complaint outside the user's scope, exactly as for one that does not exist. The
    Aadhaar keyed hash is never read, and the last 4 digits leave this function only masked.
    """
    scope, scope_params = complaints_visible_to(user)
    where, params = _where_ref(ref)
    row = fetch_one(cur, f"SELECT {_CASE_COLUMNS} FROM complaints c WHERE {where} AND {scope}",
                    params + scope_params)
    if row is None:
        return None
    (cid, tracking_no, filed_at, language, name, mobile, email, id_type, last4, ppp_id, tehsil, place,
     ward, locality, department, category, subject, description, hearing_mode, preferred, status,
     version, transfers, rejection_reason, accepted_at, resolved_at, updated_at, updated_by) = row
    masked = mask_aadhaar(last4) if id_type == IdType.AADHAAR else (ppp_id or "")
    history = cur.execute(
        "SELECT happened_at, actor, event, from_status, to_status, remark, public FROM complaint_events"
        " WHERE complaint_id = ? ORDER BY happened_at, id", [cid]).fetchall()
    directions = cur.execute(
        "SELECT id, department_code, instruction, report_by, given_by, given_at, reported_at FROM directions"
        " WHERE complaint_id = ? ORDER BY given_at, id", [cid]).fetchall()
    reports = cur.execute(
        "SELECT id, department_code, report, document_id, filed_by, filed_at FROM action_reports"
        " WHERE complaint_id = ? ORDER BY filed_at, id", [cid]).fetchall()
    documents = cur.execute(
        "SELECT id, kind, content_type, size_bytes, created_at, stored_name FROM documents"
        " WHERE complaint_id = ? ORDER BY id", [cid]).fetchall()
    return Case(
        id=cid, tracking_no=tracking_no, filed_at=filed_at, language=language, citizen_name=name,
        mobile=mobile, email=email, id_type=id_type, masked_id=masked, tehsil_lgd=tehsil, place_lgd=place,
        ward=ward, locality=locality, department_code=department, category_code=category, subject=subject,
        description=description, hearing_mode=hearing_mode, preferred_dates=tuple(preferred or ()),
        status=status, version=version, transfers=transfers, rejection_reason=rejection_reason,
        accepted_at=accepted_at, resolved_at=resolved_at, updated_at=updated_at, updated_by=updated_by,
        history=tuple(HistoryEntry(*h) for h in history),
        directions=tuple(Direction(*d) for d in directions),
        reports=tuple(ActionReport(*r) for r in reports),
        documents=tuple(DocumentInfo(*d) for d in documents),
    )


def document_of(cur: duckdb.DuckDBPyConnection, user: User, complaint_id: int, document_id: int | None,
                kinds: tuple[str, ...]) -> DocumentInfo | None:
    """One document of a complaint the user may see, of one of `kinds` (the first such when
    `document_id` is None); None otherwise."""
    scope, scope_params = complaints_visible_to(user)
    kind_marks = ", ".join("?" for _ in kinds)
    row = fetch_one(
        cur,
        "SELECT d.id, d.kind, d.content_type, d.size_bytes, d.created_at, d.stored_name"
        " FROM documents d JOIN complaints c ON c.id = d.complaint_id"
        f" WHERE d.complaint_id = ? AND (?::BIGINT IS NULL OR d.id = ?) AND d.kind IN ({kind_marks}) AND {scope}"
        " ORDER BY d.id LIMIT 1",
        [complaint_id, document_id, document_id, *kinds, *scope_params])
    return DocumentInfo(*row) if row else None


def public_timeline(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> list[tuple]:
    """The citizen's history, oldest first: (when, event, to_status, code, department_code, report_by).

    Only public entries, never an actor or an officer's words: `code` is the fixed-list value a
    public entry carries (see lifecycle.CaseEvent). Directions are listed one per department with
    their report-back date, without the instruction.
    """
    coded = list(CODED_EVENTS)
    marks = ", ".join("?" for _ in coded)
    return cur.execute(
        f"SELECT e.happened_at, e.event, e.to_status, CASE WHEN e.event IN ({marks}) THEN e.remark END,"
        " d.department_code, d.report_by"
        " FROM complaint_events e"
        " LEFT JOIN directions d ON e.event = ? AND d.complaint_id = e.complaint_id"
        "  AND d.given_at = e.happened_at"
        " WHERE e.complaint_id = ? AND e.public ORDER BY e.happened_at, e.id, d.id",
        [*coded, CaseEvent.DIRECTIONS_GIVEN, complaint_id]).fetchall()
