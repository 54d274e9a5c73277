"""SQL for demo data: reserving ids from the sequences and writing seeded complaints, their history,
directions, reports, feedback, hearings and SMS in bulk."""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

SEQUENCES = frozenset({"complaint_seq", "event_seq", "sms_seq", "direction_seq", "report_seq", "hearing_seq"})

# The tracking number, composed in SQL for a whole batch at once. It must agree with
# lib.complaints.tracking_number: the filing year is the year in Rewari (IST), and the id is
# zero-padded to at least six digits (lpad would cut a seven-digit id, format does not).
_TRACKING_NO = "format('{}-{:04d}-{:06d}', $district, year(timezone('Asia/Kolkata', b.filed_at)), b.id)"

_INSERT_COMPLAINTS = f"""
INSERT INTO complaints (id, tracking_no, filed_at, language, citizen_name, mobile, email, id_type,
    aadhaar_last4, aadhaar_hmac, ppp_id, tehsil_lgd, place_lgd, ward, locality, department_code,
    category_code, subject, description, hearing_mode, preferred_dates, consent_at, status, version,
    updated_at, submission_token, transfers, rejection_reason, accepted_at, resolved_at, updated_by,
    reopen_count, hearings_held, hearings_called_off, hearings_no_show, heard_at)
SELECT b.id, {_TRACKING_NO}, b.filed_at, b.language, b.citizen_name, '+91' || b.mobile_digits, NULL,
    b.id_type, lpad(b.aadhaar_last4::VARCHAR, 4, '0'),
    -- A hash of a random salt and the id: looks like the real keyed hash, matches no real number.
    CASE WHEN b.aadhaar_last4 IS NOT NULL THEN sha256($salt || b.id::VARCHAR) END,
    b.ppp_id, b.tehsil_lgd, b.place_lgd, b.ward, b.locality, b.department_code, b.category_code,
    b.subject, replace(b.description, $place_marker, b.place_name), b.hearing_mode,
    CASE WHEN b.preferred_in_days IS NOT NULL
         THEN [timezone('Asia/Kolkata', b.filed_at)::DATE + b.preferred_in_days] END,
    b.filed_at, b.status, b.version, b.updated_at, NULL, b.transfers, b.rejection_reason, b.accepted_at,
    b.resolved_at, b.updated_by, b.reopen_count, b.hearings_held, b.hearings_called_off, b.hearings_no_show,
    b.heard_at
FROM seed_complaints b
"""

_INSERT_EVENTS = """
INSERT INTO complaint_events (id, complaint_id, happened_at, actor, event, from_status, to_status, remark, public)
SELECT e.id, e.complaint_id, e.happened_at, e.actor, e.event, e.from_status, e.to_status, e.remark, true
FROM seed_events e
"""

# The message body was rendered once per language with a marker for the tracking number;
# swapping the marker here gives exactly what render() makes for each complaint.
_INSERT_SMS = f"""
INSERT INTO sms_outbox (id, complaint_id, mobile, language, template, dlt_template_id, body, status,
    attempts, idempotency_key, created_at, sent_at, last_error)
SELECT b.sms_id, b.id, '+91' || b.mobile_digits, b.language, $template, t.dlt_template_id,
    replace(t.body, $tracking_marker, {_TRACKING_NO}), $sms_status, 1,
    $key_prefix || {_TRACKING_NO}, b.filed_at, b.sms_sent_at, NULL
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
    values = cur.execute(f"SELECT nextval('{sequence}') AS v FROM range(?)", [count]).fetchnumpy()["v"]
    return np.sort(np.asarray(values, dtype=np.int64))


def insert_seed_batch(cur: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table], *, district_code: str,
                      hmac_salt: str, place_marker: str, template: str, tracking_marker: str, sms_status: str,
                      key_prefix: str, dc: str, office: str, video_url: str, booked: str) -> None:
    """Write one batch: complaint rows, their history, directions, reports, feedback, hearings and
    acknowledgement SMS. `tables` holds the frames complaints, events, directions, reports, feedback,
    hearings and sms_templates.

    The frames carry integer ids and dictionary-encoded strings; the few composed strings
    (tracking number, mobile, hash, texts naming the place, SMS body, join link) are made here in SQL.
    """
    names = [f"seed_{name}" for name in tables]
    for name, table in zip(names, tables.values()):
        cur.register(name, table)
    try:
        district = {"district": district_code}
        cur.execute(_INSERT_COMPLAINTS, {**district, "salt": hmac_salt, "place_marker": place_marker})
        cur.execute(_INSERT_EVENTS)
        cur.execute(_INSERT_SMS, {**district, "template": template, "tracking_marker": tracking_marker,
                                  "sms_status": sms_status, "key_prefix": key_prefix})
        cur.execute(_INSERT_DIRECTIONS, {"dc": dc})
        cur.execute(_INSERT_REPORTS)
        cur.execute(_INSERT_FEEDBACK)
        cur.execute(_INSERT_HEARINGS, {"dc": dc, "office": office, "video_url": video_url})
        cur.execute(_CLAIM_SLOTS, {"dc": dc, "booked": booked})
    finally:
        for name in names:
            cur.unregister(name)
