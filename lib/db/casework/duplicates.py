"""SQL for likely duplicates: the complaints near a few given ones (same place and category, or the same
citizen), within the asking user's scope, and the complaint a merged one was joined to.

Kept cheap at a million complaints: the given complaints are a handful (one case, or the page of the queue
shown), every branch is an equality join on their place and category or on one identity column, and each
is bounded by a date window around them, which also bounds the whole scan by a constant range of filed_at
(DuckDB skips the row groups outside it)."""
from __future__ import annotations

from datetime import timedelta

import duckdb

from lib.core.complaints import Status
from lib.core.lifecycle import CaseEvent
from lib.db.connect import fetch_value


def _window(days: int) -> str:
    """c.filed_at within `days` of s.filed_at; `days` is the code's own constant, never a request's."""
    return (f"c.filed_at >= s.filed_at - INTERVAL '{int(days)} days'"
            f" AND c.filed_at <= s.filed_at + INTERVAL '{int(days)} days'")


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

    def branch(why: str, join: str, days: int) -> str:
        return (f"SELECT s.id AS source_id, c.id AS candidate_id, '{why}' AS why FROM s JOIN complaints c ON {join}"
                f" WHERE c.id <> s.id AND {_window(days)} AND c.filed_at >= ? AND c.filed_at <= ?")
    place = branch("place", "c.place_lgd = s.place_lgd AND c.category_code = s.category_code"
                            " AND c.ward IS NOT DISTINCT FROM s.ward", place_days)
    people = [branch("person", f"c.{column} = s.{column}", person_days)
              for column in ("aadhaar_hmac", "ppp_id", "mobile")]
    sql = f"""
        WITH s AS (SELECT c.id, c.filed_at, c.place_lgd, c.ward, c.category_code, c.aadhaar_hmac, c.ppp_id,
                          c.mobile, c.subject FROM {sources}),
        pairs AS ({" UNION ALL ".join([place, *people])})
        SELECT p.source_id, c.id, c.tracking_no, c.subject, c.place_lgd, c.ward, c.filed_at, c.status, c.version,
               bool_or(p.why = 'place'), bool_or(p.why = 'person'), s.subject
        FROM pairs p JOIN complaints c ON c.id = p.candidate_id JOIN s ON s.id = p.source_id
        WHERE c.status <> ? AND ({scope_sql})
        GROUP BY p.source_id, c.id, c.tracking_no, c.subject, c.place_lgd, c.ward, c.filed_at, c.status, c.version,
                 s.subject
        ORDER BY p.source_id, c.filed_at, c.id"""
    params = [*source_params, *([low, high] * 4), Status.REJECTED, *scope_params]
    return cur.execute(sql, params).fetchall()


def merged_into(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> str | None:
    """The tracking number of the complaint this one was joined to, if it was merged."""
    return fetch_value(cur, "SELECT remark FROM complaint_events WHERE complaint_id = ? AND event = ?"
                            " ORDER BY id DESC LIMIT 1", [complaint_id, CaseEvent.MERGED])
