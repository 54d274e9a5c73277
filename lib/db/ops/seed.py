"""SQL for demo data: reserving ids from the sequences and writing seeded complaints, their history,
directions, reports, feedback, hearings and SMS in bulk.

A batch arrives as Arrow tables. DuckDB reads them where they are (registered as views); PostgreSQL
gets them as temporary tables filled with COPY, dropped at the end of the batch's transaction. Then
the same INSERT ... SELECT runs on both; the few expressions the engines spell differently (the
tracking number, the hash, the list of preferred dates) are kept side by side below.
"""
from __future__ import annotations

import re

import duckdb
import numpy as np
import pyarrow as pa

from lib.db import identity_keys
from lib.db.connect import dialect

SEQUENCES = frozenset({"complaint_seq", "event_seq", "sms_seq", "direction_seq", "report_seq", "hearing_seq"})

# The tracking number, composed in SQL for a whole batch at once. It must agree with
# lib.complaints.tracking_number: the filing year is the year in Rewari (IST), and the id is
# zero-padded to at least six digits (lpad would cut a seven-digit id, format does not).
_TRACKING_NO = {
    "duckdb": "format('{}-{:04d}-{:06d}', $district, year(timezone('Asia/Kolkata', b.filed_at)), b.id)",
    "postgres": "($district || '-' || lpad(extract(year FROM timezone('Asia/Kolkata', b.filed_at))::INT::TEXT, 4, '0')"
                " || '-' || lpad(b.id::TEXT, greatest(6, length(b.id::TEXT)), '0'))",
}
# A hash of a random salt and the id: looks like the real keyed hash (64 hex digits), matches no real number.
_FAKE_HASH = {
    "duckdb": "sha256($salt || b.id::VARCHAR)",
    "postgres": "encode(sha256(convert_to($salt || b.id::TEXT, 'UTF8')), 'hex')",
}
_PREFERRED_DATES = {
    "duckdb": "[timezone('Asia/Kolkata', b.filed_at)::DATE + b.preferred_in_days]",
    "postgres": "ARRAY[timezone('Asia/Kolkata', b.filed_at)::DATE + b.preferred_in_days::INT]",
}

# The identity keys (migration 022) are taken of the composed hash and mobile, so the row is composed
# first (x) and its keys made from it, as lib.db.identity_keys makes them for a filing.
_INSERT_COMPLAINTS = """
INSERT INTO complaints (id, tracking_no, filed_at, language, citizen_name, mobile, email, id_type,
    aadhaar_last4, aadhaar_hmac, ppp_id, tehsil_lgd, place_lgd, ward, locality, department_code,
    category_code, subject, description, hearing_mode, preferred_dates, consent_at, status, version,
    updated_at, submission_token, transfers, rejection_reason, accepted_at, resolved_at, updated_by,
    reopen_count, hearings_held, hearings_called_off, hearings_no_show, heard_at, feedback_solved,
    feedback_partly, feedback_not_solved, id_key, mobile_key)
SELECT x.*, {id_key}, {mobile_key}
FROM (SELECT b.id, {tracking_no}, b.filed_at, b.language, b.citizen_name, '+91' || b.mobile_digits AS mobile,
    NULL, b.id_type, lpad(b.aadhaar_last4::VARCHAR, 4, '0'),
    CASE WHEN b.aadhaar_last4 IS NOT NULL THEN {fake_hash} END AS aadhaar_hmac,
    b.ppp_id, b.tehsil_lgd, b.place_lgd, b.ward, b.locality, b.department_code, b.category_code,
    b.subject, replace(b.description, $place_marker, b.place_name), b.hearing_mode,
    CASE WHEN b.preferred_in_days IS NOT NULL THEN {preferred_dates} END,
    b.filed_at, b.status, b.version, b.updated_at, NULL, b.transfers, b.rejection_reason, b.accepted_at,
    b.resolved_at, b.updated_by, b.reopen_count, b.hearings_held, b.hearings_called_off, b.hearings_no_show,
    b.heard_at, coalesce(fb.solved, 0), coalesce(fb.partly, 0), coalesce(fb.not_solved, 0)
    FROM seed_complaints b LEFT JOIN (
        -- Each answer counted on its complaint's row (migration 023), as a filing's feedback is.
        SELECT complaint_id, count(*) FILTER (WHERE answer = 'solved') AS solved,
            count(*) FILTER (WHERE answer = 'partly') AS partly,
            count(*) FILTER (WHERE answer = 'not_solved') AS not_solved
        FROM seed_feedback GROUP BY complaint_id) fb ON fb.complaint_id = b.id) x
"""

_INSERT_EVENTS = """
INSERT INTO complaint_events (id, complaint_id, happened_at, actor, event, from_status, to_status, remark, public)
SELECT e.id, e.complaint_id, e.happened_at, e.actor, e.event, e.from_status, e.to_status, e.remark, true
FROM seed_events e
"""

# The message body was rendered once per language with a marker for the tracking number;
# swapping the marker here gives exactly what render() makes for each complaint.
_INSERT_SMS = """
INSERT INTO sms_outbox (id, complaint_id, mobile, language, template, dlt_template_id, body, status,
    attempts, idempotency_key, created_at, sent_at, last_error)
SELECT b.sms_id, b.id, '+91' || b.mobile_digits, b.language, $template, t.dlt_template_id,
    replace(t.body, $tracking_marker, {tracking_no}), $sms_status, 1,
    $key_prefix || {tracking_no}, b.filed_at, b.sms_sent_at, NULL
FROM seed_complaints b JOIN seed_sms_templates t ON t.language = b.language
"""

_INSERT_DIRECTIONS = """
INSERT INTO directions (id, complaint_id, department_code, instruction, report_by, given_by, given_at, reported_at)
SELECT id, complaint_id, department_code, instruction, report_by, $dc, given_at, reported_at FROM seed_directions
"""

_INSERT_REPORTS = """
INSERT INTO action_reports (id, complaint_id, department_code, report, document_id, filed_by, filed_at)
SELECT id, complaint_id, department_code, report, NULL, filed_by, filed_at FROM seed_reports
"""

_INSERT_FEEDBACK = "INSERT INTO feedback (complaint_id, answer, given_at) SELECT * FROM seed_feedback"

# The DC's office books, the DC holds (or the office calls off) every seeded hearing.
_INSERT_HEARINGS = """
INSERT INTO hearings (id, complaint_id, officer, standing_in_for, starts_at, ends_at, room, join_url, status,
    booked_by, booked_at, replaces, reason, closed_by, closed_at)
SELECT id, complaint_id, $dc, NULL, starts_at, ends_at, room, $video_url || '/' || room, status,
    $office, booked_at, NULL, reason, CASE WHEN closed_at IS NOT NULL THEN $dc END, closed_at
FROM seed_hearings
"""

# Hearings still to come hold their slot, as a real booking does. A district's worth of demo
# complaints books more hearings than one officer has slots: a slot already claimed stays with the
# first booking (the hearings page shows both, as the office would after a double booking).
_CLAIM_SLOTS = """
INSERT INTO hearing_slot_claims (officer, starts_at, hearing_id)
SELECT $dc, starts_at, id FROM seed_hearings WHERE status = $booked
ON CONFLICT DO NOTHING
"""


def reserve_ids(cur: duckdb.DuckDBPyConnection, sequence: str, count: int) -> np.ndarray:
    """`count` fresh values of a sequence, ascending, so that ids can follow filing order.

    Taken with nextval like every real filing, so seeded and real rows never share an id.
    """
    if sequence not in SEQUENCES:
        raise ValueError(f"not a seeded sequence: {sequence}")
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    result = cur.execute(f"SELECT nextval('{sequence}') AS v FROM generate_series(1, ?)", [count])
    if dialect(cur) == "postgres":
        values = np.fromiter((v for (v,) in result.fetchall()), dtype=np.int64, count=count)
    else:                                   # ten times faster than fetchall for a batch's million event ids
        values = result.fetchnumpy()["v"]
    return np.sort(np.asarray(values, dtype=np.int64))


def complaint_count(cur) -> int:
    return int(cur.execute("SELECT count(*) FROM complaints").fetchone()[0])


SEEDED_TABLES = ("complaints", "complaint_events", "directions", "action_reports", "feedback", "hearings",
                 "sms_outbox")


def refresh_statistics(cur) -> None:
    """After a bulk load on PostgreSQL, its planner's statistics (ANALYZE), so that the next query
    is planned for the rows now there, not for the empty tables of a minute ago, and its visibility
    map (VACUUM), so that counts answered from an index (the analysts' copy's open directions,
    lib/db/analytics_copy.py) need not visit the rows. Autovacuum would get there, but only some time later. Outside any
    transaction (VACUUM refuses one). DuckDB keeps its own as it writes: nothing to do."""
    if dialect(cur) == "postgres":
        cur.execute("VACUUM (ANALYZE) " + ", ".join(SEEDED_TABLES))


def insert_seed_batch(cur: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], *, district_code: str,
                      hmac_salt: str, place_marker: str, template: str, tracking_marker: str, sms_status: str,
                      key_prefix: str, dc: str, office: str, video_url: str, booked: str) -> None:
    """Write one batch: complaint rows, their history, directions, reports, feedback, hearings and
    acknowledgement SMS. `tables` holds the frames complaints, events, directions, reports, feedback,
    hearings and sms_templates.

    The frames carry integer ids and dictionary-encoded strings; the few composed strings
    (tracking number, mobile, hash, texts naming the place, SMS body, join link) are made here in SQL.
    """
    engine = dialect(cur)
    spelled = {"tracking_no": _TRACKING_NO[engine], "fake_hash": _FAKE_HASH[engine],
               "preferred_dates": _PREFERRED_DATES[engine],
               "id_key": identity_keys.key_sql(engine, "coalesce(x.aadhaar_hmac, x.ppp_id)"),
               "mobile_key": identity_keys.key_sql(engine, "x.mobile")}
    district = {"district": district_code}
    statements = [
        (_INSERT_COMPLAINTS, {**district, "salt": hmac_salt, "place_marker": place_marker}),
        (_INSERT_EVENTS, {}),
        (_INSERT_SMS, {**district, "template": template, "tracking_marker": tracking_marker,
                       "sms_status": sms_status, "key_prefix": key_prefix}),
        (_INSERT_DIRECTIONS, {"dc": dc}),
        (_INSERT_REPORTS, {}),
        (_INSERT_FEEDBACK, {}),
        (_INSERT_HEARINGS, {"dc": dc, "office": office, "video_url": video_url}),
        (_CLAIM_SLOTS, {"dc": dc, "booked": booked}),
    ]
    names = [f"seed_{name}" for name in tables]
    if engine == "postgres":
        for name, table in zip(names, tables.values()):
            _copy_to_temporary_table(cur, name, table)
    else:
        for name, table in zip(names, tables.values()):
            cur.register(name, table)
    try:
        for sql, params in statements:
            for name, spelling in spelled.items():
                sql = sql.replace("{" + name + "}", spelling)
            cur.execute(*_positional(sql, params))
    finally:
        if engine != "postgres":            # PostgreSQL's temporary tables go at the end of the transaction
            for name in names:
                cur.unregister(name)


_NAMED = re.compile(r"\$([a-z_]+)")


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """`$name` parameters as `?` with their values in order (both engines take `?`)."""
    values = [params[m] for m in _NAMED.findall(sql)]
    return _NAMED.sub("?", sql), values


def _postgres_type(kind: pa.DataType) -> str:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    for test, name in ((pa.types.is_int8, "SMALLINT"), (pa.types.is_int16, "SMALLINT"),
                       (pa.types.is_int32, "INTEGER"), (pa.types.is_int64, "BIGINT"),
                       (pa.types.is_floating, "DOUBLE PRECISION"), (pa.types.is_boolean, "BOOLEAN"),
                       (pa.types.is_date32, "DATE"), (pa.types.is_string, "TEXT"),
                       (pa.types.is_large_string, "TEXT"), (pa.types.is_null, "TEXT")):
        if test(kind):
            return name
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ" if kind.tz else "TIMESTAMP"
    raise TypeError(f"no PostgreSQL type for the seed column type {kind}")


def _copy_to_temporary_table(cur, name: str, table: pa.Table) -> None:
    """A temporary table shaped like the Arrow table, filled with COPY; gone at COMMIT or ROLLBACK."""
    columns = ", ".join(f'"{f.name}" {_postgres_type(f.type)}' for f in table.schema)
    cur.execute(f"CREATE TEMPORARY TABLE {name} ({columns}) ON COMMIT DROP")
    values = [column.to_pylist() for column in table.columns]
    cur.copy_rows(name, [f'"{f}"' for f in table.column_names], zip(*values))
