"""SQL for likely duplicates: the complaints near a few given ones (same place and category, or the same
citizen), within the asking user's scope, and the complaint a merged one was joined to.

Kept cheap at a million complaints: the given complaints are a handful (one case, or the page of the queue
shown); the complaints are read once, only within a constant filed_at range around them (DuckDB skips the
row groups outside it), keeping those that share a place and category or an identity with one of them
(semi-joins); the exact pairs and date windows are then worked out among these few."""
from __future__ import annotations

from datetime import timedelta

import duckdb

from lib.core.complaints import Status
from lib.core.lifecycle import CaseEvent
from lib.db.connect import fetch_value


def _window(alias: str, days: int) -> str:
    """<alias>.filed_at within `days` of s.filed_at; `days` is the code's own constant, never a request's."""
    return (f"{alias}.filed_at >= s.filed_at - INTERVAL '{int(days)} days'"
            f" AND {alias}.filed_at <= s.filed_at + INTERVAL '{int(days)} days'")


def candidates(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], source_ids: list[int],
               place_days: int, person_days: int) -> list[tuple]:
    """(source id, id, tracking_no, subject, place_lgd, ward, filed_at, status, version, same place,
    same citizen, the source's subject) for every complaint near one of `source_ids` that the scope
    lets its user see, rejected ones left out (a rejected complaint is done with, merged ones too).

    Near: same place (village or town, and ward when the source has one) and category, filed within
    `place_days`; or the same Aadhaar hash, Family ID or mobile, filed within `person_days` (whether
    the subjects are alike is decided in Python). Never a name, mobile or ID number in the answer."""
    if not source_ids:
        return []
    marks = ", ".join("?" for _ in source_ids)
    scope_sql, scope_params = scope
    # Only sources the user may see themselves: nothing is said about the neighbours of any other.
    sources = f"complaints c WHERE c.id IN ({marks}) AND ({scope_sql})"
    source_params = [*source_ids, *scope_params]
    bounds = cur.execute(f"SELECT min(c.filed_at), max(c.filed_at) FROM {sources}", source_params).fetchone()
    if bounds is None or bounds[0] is None:
        return []
    widest = timedelta(days=max(place_days, person_days))
    low, high = bounds[0] - widest, bounds[1] + widest

    identity = ("aadhaar_hmac", "ppp_id", "mobile")
    # One pass over the complaints filed in the window: those sharing a place and category or an identity
    # with any of the sources (semi-joins), then the exact pairs among these few.
    shares = " OR ".join(
        ["EXISTS (SELECT 1 FROM s WHERE s.place_lgd = c.place_lgd AND s.category_code = c.category_code)",
         *(f"c.{column} IN (SELECT s.{column} FROM s)" for column in identity)])
    # The pairs by equality joins, one per reason, so both engines hash them: one join on "same place
    # OR same person" compared every source with every near complaint (PostgreSQL: 50 x 21,000 rows,
    # 0.65 s of a 0.77 s query for the DC's first queue page at a million, 30 Nov 2026).
    same_place = ("JOIN near n ON n.place_lgd = s.place_lgd AND n.category_code = s.category_code"
                  f" WHERE n.ward IS NOT DISTINCT FROM s.ward AND {_window('n', place_days)}")
    links = [f"SELECT s.id AS source_id, n.id, TRUE AS by_place, FALSE AS by_person FROM s {same_place}"
             " AND n.id <> s.id",
             *(f"SELECT s.id, n.id, FALSE, TRUE FROM s JOIN near n ON n.{column} = s.{column}"
               f" WHERE {_window('n', person_days)} AND n.id <> s.id" for column in identity)]
    sql = f"""
        WITH s AS (SELECT c.id, c.filed_at, c.place_lgd, c.ward, c.category_code, c.aadhaar_hmac, c.ppp_id,
                          c.mobile, c.subject FROM {sources}),
        near AS (SELECT c.id, c.tracking_no, c.subject, c.place_lgd, c.ward, c.category_code, c.filed_at,
                        c.status, c.version, c.aadhaar_hmac, c.ppp_id, c.mobile
                 FROM complaints c
                 WHERE c.filed_at >= ? AND c.filed_at <= ? AND c.status <> ? AND ({scope_sql}) AND ({shares})),
        links AS ({" UNION ALL ".join(links)}),
        pairs AS (SELECT source_id, id, bool_or(by_place) AS by_place, bool_or(by_person) AS by_person
                  FROM links GROUP BY source_id, id)
        SELECT p.source_id, n.id, n.tracking_no, n.subject, n.place_lgd, n.ward, n.filed_at, n.status, n.version,
               p.by_place, p.by_person, s.subject
        FROM pairs p JOIN near n ON n.id = p.id JOIN s ON s.id = p.source_id
        ORDER BY p.source_id, n.filed_at, n.id"""
    params = [*source_params, low, high, Status.REJECTED, *scope_params]
    return cur.execute(sql, params).fetchall()


def merged_into(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> str | None:
    """The tracking number of the complaint this one was joined to, if it was merged."""
    return fetch_value(cur, "SELECT remark FROM complaint_events WHERE complaint_id = ? AND event = ?"
                            " ORDER BY id DESC LIMIT 1", [complaint_id, CaseEvent.MERGED])
