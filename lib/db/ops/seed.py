"""SQL for demo data: reserving ids from the sequences and writing seeded complaints, events and SMS in bulk."""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

SEQUENCES = frozenset({"complaint_seq", "event_seq", "sms_seq"})

# The tracking number, composed in SQL for a whole batch at once. It must agree with
# lib.complaints.tracking_number: the filing year is the year in Rewari (IST), and the id is
# zero-padded to at least six digits (lpad would cut a seven-digit id, format does not).
_TRACKING_NO = "format('{}-{:04d}-{:06d}', $district, year(timezone('Asia/Kolkata', b.filed_at)), b.id)"

_INSERT_COMPLAINTS = f"""
INSERT INTO complaints (id, tracking_no, filed_at, language, citizen_name, mobile, email, id_type,
    aadhaar_last4, aadhaar_hmac, ppp_id, tehsil_lgd, place_lgd, ward, locality, department_code,
    category_code, subject, description, hearing_mode, preferred_dates, consent_at, status, version,
    updated_at, submission_token)
SELECT b.id, {_TRACKING_NO}, b.filed_at, b.language, b.citizen_name, '+91' || b.mobile_digits, NULL,
    b.id_type, lpad(b.aadhaar_last4::VARCHAR, 4, '0'),
    -- A hash of a random salt and the id: looks like the real keyed hash, matches no real number.
    CASE WHEN b.aadhaar_last4 IS NOT NULL THEN sha256($salt || b.id::VARCHAR) END,
    b.ppp_id, b.tehsil_lgd, b.place_lgd, b.ward, b.locality, b.department_code, b.category_code,
    b.subject, replace(b.description, $place_marker, b.place_name), b.hearing_mode,
    CASE WHEN b.preferred_in_days IS NOT NULL
         THEN [timezone('Asia/Kolkata', b.filed_at)::DATE + b.preferred_in_days] END,
    b.filed_at, b.status, b.version, b.updated_at, NULL
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


def reserve_ids(cur: duckdb.DuckDBPyConnection, sequence: str, count: int) -> np.ndarray:
    """`count` fresh values of a sequence, ascending, so that ids can follow filing order.

    Taken with nextval like every real filing, so seeded and real rows never share an id.
    """
    if sequence not in SEQUENCES:
        raise ValueError(f"not a seeded sequence: {sequence}")
    values = cur.execute(f"SELECT nextval('{sequence}') AS v FROM range(?)", [count]).fetchnumpy()["v"]
    return np.sort(np.asarray(values, dtype=np.int64))


def insert_seed_batch(cur: duckdb.DuckDBPyConnection, complaints: pa.Table, events: pa.Table,
                      sms_templates: pa.Table, *, district_code: str, hmac_salt: str, place_marker: str,
                      template: str, tracking_marker: str, sms_status: str, key_prefix: str) -> None:
    """Write one batch: complaint rows, their history and their acknowledgement SMS.

    The frames carry integer ids and dictionary-encoded strings; the few composed strings
    (tracking number, mobile, hash, texts naming the place, SMS body) are made here in SQL.
    """
    cur.register("seed_complaints", complaints)
    cur.register("seed_events", events)
    cur.register("seed_sms_templates", sms_templates)
    try:
        cur.execute(_INSERT_COMPLAINTS, {"district": district_code, "salt": hmac_salt,
                                         "place_marker": place_marker})
        cur.execute(_INSERT_EVENTS)
        cur.execute(_INSERT_SMS, {"district": district_code, "template": template,
                                  "tracking_marker": tracking_marker, "sms_status": sms_status,
                                  "key_prefix": key_prefix})
    finally:
        for name in ("seed_complaints", "seed_events", "seed_sms_templates"):
            cur.unregister(name)
