"""SQL for likely duplicates: the complaints near a few given ones (same place and category, or the same
citizen), within the asking user's scope, and the complaint a merged one was joined to.

Kept cheap at a million complaints: the given complaints are a handful (one case, or the page of the queue
shown); the complaints are read once, only within constant filed_at ranges around them (DuckDB skips the
row groups outside them), keeping those that share a place and category or an identity key with one of
them (semi-joins); the exact pairs and date windows are then worked out among these few."""
from __future__ import annotations

from datetime import timedelta

import duckdb

from lib.core.complaints import Status
from lib.core.lifecycle import CaseEvent
from lib.db.connect import fetch_value


IDENTITY_KEYS = ("id_key", "mobile_key")     # the ID document's and the mobile's (lib/db/identity_keys.py)


def _window(alias: str, days: int) -> str:
    """<alias>.filed_at within `days` of s.filed_at; `days` is the code's own constant, never a request's."""
    return (f"{alias}.filed_at >= s.filed_at - INTERVAL '{int(days)} days'"
            f" AND {alias}.filed_at <= s.filed_at + INTERVAL '{int(days)} days'")


def _pairs(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], source_ids: list[int], place_days: int,
           person_days: int) -> tuple[str, list] | None:
    """The CTEs `s` (the sources the scope lets its user see) and `pairs` (source_id, id, by_place,
    by_person: keys only, the real columns not yet compared) with their parameters; None when no
    source is visible. Rejected complaints are left out (done with, merged ones too)."""
    if not source_ids:
        return None
    marks = ", ".join("?" for _ in source_ids)
    scope_sql, scope_params = scope
    # Only sources the user may see themselves: nothing is said about the neighbours of any other.
    sources = f"complaints c WHERE c.id IN ({marks}) AND ({scope_sql})"
    source_params = [*source_ids, *scope_params]
    bounds = cur.execute(f"SELECT min(c.filed_at), max(c.filed_at) FROM {sources}", source_params).fetchone()
    if bounds is None or bounds[0] is None:
        return None
    place_low, place_high = bounds[0] - timedelta(days=place_days), bounds[1] + timedelta(days=place_days)
    person_low, person_high = bounds[0] - timedelta(days=person_days), bounds[1] + timedelta(days=person_days)

    # One pass over the complaints filed in the windows, keeping those that share a place and category
    # (within the place window) or an identity key (within the person window) with any source
    # (semi-joins), with only the columns the pairing needs; the exact pairs are then worked out
    # among these few, and the strings read for the pairs alone. The keys are integers (migration
    # 022): as strings, the Aadhaar hash, Family ID and mobile of the ~1.5 million complaints of
    # the window at ten million were most of the queue's time (0.26 s of its 0.4 s, 1 Dec 2026).
    shares_place = "(c.place_lgd, c.category_code) IN (SELECT s.place_lgd, s.category_code FROM s)"
    shares_person = " OR ".join(f"c.{key} IN (SELECT s.{key} FROM s)" for key in IDENTITY_KEYS)
    # The pairs by equality joins, one per reason, so both engines hash them: one join on "same place
    # OR same person" compared every source with every near complaint (PostgreSQL: 50 x 21,000 rows,
    # 0.65 s of a 0.77 s query for the DC's first queue page at a million, 30 Nov 2026).
    same_place = ("JOIN near n ON n.place_lgd = s.place_lgd AND n.category_code = s.category_code"
                  f" WHERE n.ward IS NOT DISTINCT FROM s.ward AND {_window('n', place_days)}")
    links = [f"SELECT s.id AS source_id, n.id, TRUE AS by_place, FALSE AS by_person FROM s {same_place}"
             " AND n.id <> s.id",
             *(f"SELECT s.id, n.id, FALSE, TRUE FROM s JOIN near n ON n.{key} = s.{key}"
               f" WHERE {_window('n', person_days)} AND n.id <> s.id" for key in IDENTITY_KEYS)]
    sql = f"""
        WITH s AS (SELECT c.id, c.filed_at, c.place_lgd, c.ward, c.category_code, c.id_key, c.mobile_key,
                          c.aadhaar_hmac, c.ppp_id, c.mobile, c.subject FROM {sources}),
        near AS (SELECT c.id, c.place_lgd, c.ward, c.category_code, c.filed_at, c.id_key, c.mobile_key
                 FROM complaints c
                 WHERE c.status <> ? AND ({scope_sql})
                   AND ((c.filed_at >= ? AND c.filed_at <= ? AND {shares_place})
                        OR (c.filed_at >= ? AND c.filed_at <= ? AND ({shares_person})))),
        links AS ({" UNION ALL ".join(links)}),
        pairs AS (SELECT source_id, id, bool_or(by_place) AS by_place, bool_or(by_person) AS by_person
                  FROM links GROUP BY source_id, id)"""
    return sql, [*source_params, Status.REJECTED, *scope_params, place_low, place_high, person_low, person_high]


# Two texts may share a key: the same citizen is decided by the real columns, pair by pair
# (n: the other complaint, s: the source, p: their pair).
_SAME_PERSON = ("p.by_person AND coalesce(n.aadhaar_hmac = s.aadhaar_hmac OR n.ppp_id = s.ppp_id"
                " OR n.mobile = s.mobile, FALSE)")


def candidates(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], source_ids: list[int],
               place_days: int, person_days: int) -> list[tuple]:
    """(source id, id, tracking_no, subject, place_lgd, ward, filed_at, status, version, same place,
    same citizen, the source's subject) for every complaint near one of `source_ids` that the scope
    lets its user see, rejected ones left out (a rejected complaint is done with, merged ones too).

    Near: same place (village or town, and ward when the source has one) and category, filed within
    `place_days`; or the same Aadhaar hash, Family ID or mobile, filed within `person_days` (whether
    the subjects are alike is decided in Python). Never a name, mobile or ID number in the answer."""
    pairs = _pairs(cur, scope, source_ids, place_days, person_days)
    if pairs is None:
        return []
    with_sql, params = pairs
    sql = f"""{with_sql},
        found AS (SELECT p.source_id, n.id, n.tracking_no, n.subject, n.place_lgd, n.ward, n.filed_at,
                         n.status, n.version, p.by_place, {_SAME_PERSON} AS by_person, s.subject AS source_subject
                  FROM pairs p JOIN complaints n ON n.id = p.id JOIN s ON s.id = p.source_id)
        SELECT * FROM found WHERE by_place OR by_person
        ORDER BY source_id, filed_at, id"""
    return cur.execute(sql, params).fetchall()


def counts(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], source_ids: list[int],
           place_days: int, person_days: int) -> tuple[dict[int, int], list[tuple[int, str, str]]]:
    """What the queue's counts need of `candidates`, without reading each pair's row: (source id ->
    how many complaints share its place and category, [(source id, its subject, the other's subject)]
    for the complaints of the same citizen that do not). A queue page at ten million has thousands of
    same-place pairs; reading their tracking numbers, subjects and dates was a third of its hints."""
    pairs = _pairs(cur, scope, source_ids, place_days, person_days)
    if pairs is None:
        return {}, []
    with_sql, params = pairs
    rows = cur.execute(
        f"""{with_sql}
        SELECT p.source_id, count(*), NULL, NULL FROM pairs p WHERE p.by_place GROUP BY p.source_id
        UNION ALL
        SELECT p.source_id, NULL, s.subject, n.subject
        FROM pairs p JOIN complaints n ON n.id = p.id JOIN s ON s.id = p.source_id
        WHERE NOT p.by_place AND {_SAME_PERSON}""", params).fetchall()
    by_place = {source: count for source, count, _, _ in rows if count is not None}
    return by_place, [(source, mine, theirs) for source, count, mine, theirs in rows if count is None]


def merged_into(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> str | None:
    """The tracking number of the complaint this one was joined to, if it was merged."""
    return fetch_value(cur, "SELECT remark FROM complaint_events WHERE complaint_id = ? AND event = ?"
                            " ORDER BY id DESC LIMIT 1", [complaint_id, CaseEvent.MERGED])
