"""SQL for the benchmark command: the tables a pandas dashboard reads whole, and the check that every acknowledged filing was stored once."""
from __future__ import annotations

import re

import duckdb
import pandas as pd

from lib.core.complaints import EventKind, Status
from lib.core.lifecycle import CaseEvent, Feedback
from lib.core.states import HearingEvent
from lib.db.connect import dialect

_CODE_RE = re.compile(r"[a-z_]{1,40}")


def table_rows(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in the tables the benchmark fills: complaints, their history, their SMS and documents."""
    row = cur.execute("SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM complaint_events),"
                      " (SELECT count(*) FROM sms_outbox), (SELECT count(*) FROM documents)").fetchall()[0]
    return dict(zip(("complaints", "events", "sms", "documents"), (int(v) for v in row)))


def database_bytes(cur) -> int:
    """The size of a PostgreSQL database on disk (tables, indexes, TOAST): DuckDB's is its file's."""
    return int(cur.execute("SELECT pg_database_size(current_database())").fetchall()[0][0])


def _enum(values) -> str:
    """DuckDB's ENUM type over these values (the lib's StrEnums, never user input)."""
    values = [str(v) for v in values]
    if not all(_CODE_RE.fullmatch(v) for v in values):
        raise ValueError(f"not plain codes: {values}")
    return "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")"


def read_tables_whole(cur: duckdb.DuckDBPyConnection, *, careful: bool = False) -> dict[str, pd.DataFrame]:
    """What a dashboard does before it groups: read the complaints, their whole history and the
    directions into pandas. Deliberately no WHERE and no GROUP BY: this is the baseline the portal's
    SQL is compared with, never a way the portal reads data.

    The common way (careful=False): `SELECT * FROM complaints` and the history's columns as they
    come, every string a Python string (~3 GB per million complaints at the peak). The careful way:
    only the columns the figures need, statuses and event kinds as pandas categoricals (fits ten
    million complaints in a few GB)."""
    if not careful:
        return {
            "complaints": cur.execute("SELECT * FROM complaints").df(),
            "events": cur.execute("SELECT complaint_id, happened_at, event, from_status, to_status"
                                  " FROM complaint_events").df(),
            "directions": cur.execute("SELECT complaint_id, report_by, reported_at FROM directions").df(),
            "feedback": cur.execute("SELECT complaint_id, answer FROM feedback").df(),
        }
    if dialect(cur) == "postgres":
        return _read_carefully_postgres(cur)
    statuses, kinds = _enum(Status), _enum([*EventKind, *CaseEvent, *HearingEvent])
    return {
        "complaints": cur.execute(
            f"SELECT id, filed_at, TRY_CAST(status AS {statuses}) AS status, tehsil_lgd, department_code,"
            " category_code, updated_at FROM complaints").df(),
        # TRY_CAST: a kind this list does not know reads as missing, which the figures never count.
        "events": cur.execute(f"SELECT complaint_id, happened_at, TRY_CAST(event AS {kinds}) AS event,"
                              f" TRY_CAST(from_status AS {statuses}) AS from_status,"
                              f" TRY_CAST(to_status AS {statuses}) AS to_status FROM complaint_events").df(),
        "directions": cur.execute("SELECT complaint_id, report_by, reported_at FROM directions").df(),
        "feedback": cur.execute(f"SELECT complaint_id, TRY_CAST(answer AS {_enum(Feedback)}) AS answer"
                                " FROM feedback").df(),
    }


def _read_carefully_postgres(cur) -> dict[str, pd.DataFrame]:
    """The careful read on PostgreSQL, which has no ad hoc ENUM: the same columns, made categoricals
    of the same values once read (a value not in the list is missing, as with DuckDB's TRY_CAST)."""
    statuses = pd.CategoricalDtype([str(v) for v in Status])
    kinds = pd.CategoricalDtype(list(dict.fromkeys(str(v) for v in [*EventKind, *CaseEvent, *HearingEvent])))
    complaints = cur.execute("SELECT id, filed_at, status, tehsil_lgd, department_code, category_code, updated_at"
                             " FROM complaints").df()
    complaints["status"] = complaints["status"].astype(statuses)
    events = cur.execute("SELECT complaint_id, happened_at, event, from_status, to_status FROM complaint_events").df()
    events = events.astype({"event": kinds, "from_status": statuses, "to_status": statuses})
    feedback = cur.execute("SELECT complaint_id, answer FROM feedback").df()
    feedback["answer"] = feedback["answer"].astype(pd.CategoricalDtype([str(v) for v in Feedback]))
    return {"complaints": complaints, "events": events, "feedback": feedback,
            "directions": cur.execute("SELECT complaint_id, report_by, reported_at FROM directions").df()}


def stored_filings(cur: duckdb.DuckDBPyConnection, tracking_numbers: list[str]) -> pd.DataFrame:
    """Per acknowledged tracking number (each once): how many complaints carry it, and whether they
    have their 'filed' event, acknowledgement SMS and ID document."""
    numbers = sorted(set(tracking_numbers))
    return cur.execute("""
        SELECT a.tracking_no,
               count(DISTINCT c.id) AS copies,
               count(DISTINCT e.id) AS filed_events,
               count(DISTINCT s.id) AS sms,
               count(DISTINCT d.id) FILTER (WHERE d.kind = 'id_proof') AS id_documents
        FROM (SELECT unnest(?::VARCHAR[]) AS tracking_no) a
        LEFT JOIN complaints c ON c.tracking_no = a.tracking_no
        LEFT JOIN complaint_events e ON e.complaint_id = c.id AND e.event = ?
        LEFT JOIN sms_outbox s ON s.complaint_id = c.id
        LEFT JOIN documents d ON d.complaint_id = c.id
        GROUP BY a.tracking_no""", [numbers, str(EventKind.FILED)]).df()
