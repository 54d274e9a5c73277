"""SQL for the analysts' copy: on PostgreSQL, the analytics page reads a DuckDB copy of the few columns
its figures need, kept in step with the database (lib.analytics.replica says when and why).

What is copied is exactly what lib.db.analytics reads and nothing personal: per complaint its codes,
status, moments and the per-complaint facts (no name, mobile, identity, subject or place text); the
open directions (for the overdue rule); the feedback answers; the appeals' statuses.

How the copy stays exact without trusting any clock: a complaint changes only through one UPDATE
(lib.db.casework.cases), which raises its `version`, and nothing deletes complaints, directions,
feedback or appeals. So (count, sum of versions) of the complaints changes with every change, and
the complaints whose (id, version) differ from the copy's are exactly the changed and new ones (on
PostgreSQL a trigger raises the version of any UPDATE that did not, migration 019). Directions,
feedback and appeals are only added or marked (reported, decided), so their counts say when they
changed, and then the small tables are copied whole (open directions only). Everything read for one
refresh comes from one REPEATABLE READ snapshot, so the copy is always a state the database was in.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import duckdb

Copy = duckdb.DuckDBPyConnection        # the copy, and a cursor on it (lib.analytics.replica holds one)

# (column, DuckDB type) of each copied table; the names are the portal's own, so lib.db.analytics
# runs on the copy unchanged.
COMPLAINT_COLUMNS = (
    ("id", "BIGINT"), ("version", "INTEGER"), ("filed_at", "TIMESTAMPTZ"), ("tehsil_lgd", "INTEGER"),
    ("place_lgd", "INTEGER"), ("ward", "INTEGER"), ("category_code", "VARCHAR"),
    ("department_code", "VARCHAR"), ("channel", "VARCHAR"), ("status", "VARCHAR"),
    ("resolved_at", "TIMESTAMPTZ"), ("updated_at", "TIMESTAMPTZ"), ("accepted_at", "TIMESTAMPTZ"),
    ("heard_at", "TIMESTAMPTZ"), ("reopen_count", "INTEGER"), ("hearings_held", "INTEGER"),
    ("hearings_called_off", "INTEGER"), ("hearings_no_show", "INTEGER"))
DIRECTION_COLUMNS = (("complaint_id", "BIGINT"), ("report_by", "DATE"), ("reported_at", "TIMESTAMPTZ"))
FEEDBACK_COLUMNS = (("complaint_id", "BIGINT"), ("answer", "VARCHAR"), ("given_at", "TIMESTAMPTZ"))
APPEAL_COLUMNS = (("complaint_id", "BIGINT"), ("status", "VARCHAR"))
VERSION_COLUMNS = (("id", "BIGINT"), ("version", "INTEGER"))
TABLES = {"complaints": COMPLAINT_COLUMNS, "directions": DIRECTION_COLUMNS,
          "feedback": FEEDBACK_COLUMNS, "appeals": APPEAL_COLUMNS}


def _names(columns) -> str:
    return ", ".join(name for name, _ in columns)


# ---- PostgreSQL side: what is read, in one snapshot ----

def begin_snapshot(pg) -> None:
    """Every read of this refresh sees the same committed state."""
    pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")


def end_snapshot(pg) -> None:
    pg.execute("COMMIT")


class Signature(NamedTuple):
    complaints: int
    versions: int
    directions: tuple[int, int]       # the highest id given, how many still open
    feedback: int
    appeals: tuple[int, int]          # filed, decided


def signature(pg) -> Signature:
    """Numbers that any change moves: complaints and the sum of their versions (one pass over migration
    019's index), the newest direction's id and how many are still open (indexes, not the ~900,000 rows
    at a million complaints: a direction is only ever added, with the next id, or reported; the
    portal does both in an action that raises its complaint's version too), feedback answers, appeals
    filed and decided. Nothing is ever deleted and versions only rise."""
    row = pg.execute("SELECT c.n, c.versions, (SELECT coalesce(max(id), 0) FROM directions),"
                     " (SELECT count(*) FROM directions WHERE reported_at IS NULL),"
                     " (SELECT count(*) FROM feedback),"
                     " (SELECT count(*) FROM appeals), (SELECT count(decided_at) FROM appeals)"
                     " FROM (SELECT count(*) AS n, coalesce(sum(version), 0) AS versions FROM complaints) c").fetchone()
    n = [int(v) for v in row]
    return Signature(n[0], n[1], (n[2], n[3]), n[4], (n[5], n[6]))


def export_versions(pg, to) -> None:
    pg.copy_out_csv(f"SELECT {_names(VERSION_COLUMNS)} FROM complaints", None, to)


def export_complaints(pg, ids: list[int] | None, to) -> None:
    """The copied columns of the given complaints (every complaint for None)."""
    sql = f"SELECT {_names(COMPLAINT_COLUMNS)} FROM complaints"
    pg.copy_out_csv(sql if ids is None else sql + " WHERE id = ANY(?)", None if ids is None else [ids], to)


def export_open_directions(pg, to) -> None:
    """Directions not yet reported back: the only ones the overdue rule reads."""
    pg.copy_out_csv(f"SELECT {_names(DIRECTION_COLUMNS)} FROM directions WHERE reported_at IS NULL", None, to)


def export_feedback(pg, to) -> None:
    pg.copy_out_csv(f"SELECT {_names(FEEDBACK_COLUMNS)} FROM feedback", None, to)


def export_appeals(pg, to) -> None:
    pg.copy_out_csv(f"SELECT {_names(APPEAL_COLUMNS)} FROM appeals", None, to)


# ---- The copy (DuckDB) ----

def open_copy(memory_limit: str) -> duckdb.DuckDBPyConnection:
    """An empty in-memory copy; moments in Rewari's time, as on the portal's own DuckDB."""
    duck = duckdb.connect(":memory:")
    duck.execute("SET TimeZone = 'Asia/Kolkata'")
    duck.execute(f"SET memory_limit = '{memory_limit}'")
    for table, columns in TABLES.items():
        duck.execute(f"CREATE TABLE {table} (" + ", ".join(f"{name} {kind}" for name, kind in columns) + ")")
    return duck


def _read(path: Path, columns) -> str:
    """A read_csv of a file PostgreSQL wrote, with the types given (nothing guessed from the data).
    An empty file (no rows) is read as none, which read_csv itself refuses."""
    if path.stat().st_size == 0:
        return "(SELECT " + ", ".join(f"NULL::{kind} AS {name}" for name, kind in columns) + " WHERE false)"
    types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns)
    return f"read_csv('{path}', header = false, columns = {{{types}}}, quote = '\"', escape = '\"')"


def changed_ids(cur: duckdb.DuckDBPyConnection, versions: Path) -> list[int]:
    """Complaints whose version in the database (the file) is not the copy's: changed or new."""
    rows = cur.execute(f"SELECT v.id FROM {_read(versions, VERSION_COLUMNS)} v"
                       " LEFT JOIN complaints c ON c.id = v.id"
                       " WHERE c.id IS NULL OR c.version <> v.version").fetchall()
    return [r[0] for r in rows]


def replace_all(cur: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    cur.execute(f"DELETE FROM {table}")
    cur.execute(f"INSERT INTO {table} SELECT * FROM {_read(path, TABLES[table])}")


def replace_complaints(cur: duckdb.DuckDBPyConnection, ids: list[int], complaints: Path) -> None:
    """The given complaints as the file has them now."""
    cur.execute("CREATE OR REPLACE TEMP TABLE changed (id BIGINT)")
    cur.executemany("INSERT INTO changed VALUES (?)", [[i] for i in ids])
    cur.execute("DELETE FROM complaints WHERE id IN (SELECT id FROM changed)")
    cur.execute(f"INSERT INTO complaints SELECT * FROM {_read(complaints, COMPLAINT_COLUMNS)}")
    cur.execute("DROP TABLE changed")
