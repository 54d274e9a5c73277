"""SQL for complaints: filing one (complaint, first event, documents, SMS in one transaction) and reading them back."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.core.complaints import EventKind, Status, tracking_number
from lib.core.masking import mask_aadhaar_in_text
from lib.db import identity_keys
from lib.db.connect import fetch_one, fetch_value

PUBLIC_COLUMNS = (
    "c.id, c.tracking_no, c.filed_at, c.language, c.status, c.subject, c.category_code,"
    " c.department_code, c.place_lgd, c.ward, c.tehsil_lgd, c.id_type, c.aadhaar_last4, c.ppp_id, c.mobile"
)


def next_complaint_id(cur: duckdb.DuckDBPyConnection) -> int:
    return fetch_value(cur, "SELECT nextval('complaint_seq')")


def insert_complaint(cur: duckdb.DuckDBPyConnection, complaint_id: int, filed_at: datetime, c: dict) -> str:
    """Write the complaint row and its 'filed' event; returns the tracking number."""
    tracking_no = tracking_number(complaint_id, filed_at.year)
    cur.execute(
        """INSERT INTO complaints (id, tracking_no, filed_at, language, citizen_name, mobile, email,
               id_type, aadhaar_last4, aadhaar_hmac, ppp_id, tehsil_lgd, place_lgd, ward, locality,
               department_code, category_code, subject, description, hearing_mode, preferred_dates,
               consent_at, status, version, updated_at, submission_token, channel, filed_by, centre,
               id_key, mobile_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)""",
        [complaint_id, tracking_no, filed_at, c["language"], c["citizen_name"], c["mobile"], c["email"],
         c["id_type"], c["aadhaar_last4"], c["aadhaar_hmac"], c["ppp_id"], c["tehsil_lgd"],
         c["place_lgd"], c["ward"], mask_aadhaar_in_text(c["locality"]), c["department_code"], c["category_code"],
         mask_aadhaar_in_text(c["subject"]), mask_aadhaar_in_text(c["description"]), c["hearing_mode"], c["preferred_dates"], filed_at,
         Status.SUBMITTED, filed_at, c["submission_token"], c.get("channel") or "web", c.get("filed_by"),
         c.get("centre"), *identity_keys.keys(c["aadhaar_hmac"], c["ppp_id"], c["mobile"])],
    )
    # An assisted filing's first event names the operator who filed it (the citizen confirmed by code).
    cur.execute(
        "INSERT INTO complaint_events (id, complaint_id, happened_at, actor, event, from_status, to_status, public)"
        " VALUES (nextval('event_seq'), ?, ?, ?, ?, NULL, ?, true)",
        [complaint_id, filed_at, c.get("filed_by") or "citizen", EventKind.FILED, Status.SUBMITTED],
    )
    return tracking_no


def insert_document(cur: duckdb.DuckDBPyConnection, complaint_id: int, kind: str, stored_name: str,
                    content_type: str, size_bytes: int, sha256: str, created_at: datetime) -> None:
    cur.execute(
        "INSERT INTO documents (id, complaint_id, kind, stored_name, content_type, size_bytes, sha256, created_at)"
        " VALUES (nextval('document_seq'), ?, ?, ?, ?, ?, ?, ?)",
        [complaint_id, kind, stored_name, content_type, size_bytes, sha256, created_at],
    )


def find_by_submission_token(cur: duckdb.DuckDBPyConnection, token: str) -> tuple | None:
    """(id, tracking_no, filed_at) of the complaint an earlier submit of this same form created."""
    return fetch_one(cur, "SELECT id, tracking_no, filed_at FROM complaints WHERE submission_token = ?", [token])


def find_for_citizen(cur: duckdb.DuckDBPyConnection, tracking_no: str, mobile: str) -> dict | None:
    """The complaint only when both the tracking number and the mobile it was filed with match."""
    return _public_row(cur, "c.tracking_no = ? AND c.mobile = ?", [tracking_no, mobile])


def find_public_by_id(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> dict | None:
    """The citizen-visible columns of one complaint (for the acknowledgement screen)."""
    return _public_row(cur, "c.id = ?", [complaint_id])


def _public_row(cur: duckdb.DuckDBPyConnection, where: str, params: list) -> dict | None:
    row = fetch_one(cur, f"SELECT {PUBLIC_COLUMNS} FROM complaints c WHERE {where}", params)
    if row is None:
        return None
    names = [col.strip().removeprefix("c.") for col in PUBLIC_COLUMNS.split(",")]
    return dict(zip(names, row))


def stored_document_names(cur: duckdb.DuckDBPyConnection) -> set[str]:
    """Every upload the database refers to, for sweeping files a crashed filing left behind."""
    return {r[0] for r in cur.execute("SELECT stored_name FROM documents").fetchall()}


def count_complaints(cur: duckdb.DuckDBPyConnection) -> int:
    return fetch_value(cur, "SELECT count(*) FROM complaints")
