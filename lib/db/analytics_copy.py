"""SQL for the analysts' copy: on PostgreSQL, the analytics page reads a DuckDB copy of the few columns
its figures need, kept in step with the database (lib.analytics.replica says when and why).

What is copied is exactly what lib.db.analytics reads and nothing personal: per complaint its codes,
status, moments and the per-complaint facts, the counts of the citizens' answers among them (no
name, mobile, identity, subject or place text); the open directions (for the overdue rule); the
appeals' statuses. Not the answers themselves: since migration 023 the figures count them on the
complaint row, and the copy no longer takes the whole table again with every new answer.

How the copy stays exact without trusting any clock: every complaint row carries the transaction that
last wrote it (`changed_xid`, migration 020, set by default and by a trigger on any UPDATE), and the
copy remembers the snapshot it last read. The complaints whose transaction had not committed in that
snapshot are exactly those filed or changed since. Directions and appeals are only added or
marked (reported, decided), and nothing deletes them, so their counts say when they changed, and then
the small tables are copied whole (open directions only). Everything read for one refresh comes from
one REPEATABLE READ snapshot, so the copy is always a state the database was in.

The copy looks only when PostgreSQL said something changed: every statement that writes one of
those tables notifies a channel when its transaction commits (migration 020), and the copy
listens on a connection of its own (`listen`).
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import duckdb

from lib.db.postgres import Listener

Copy = duckdb.DuckDBPyConnection        # the copy, and a cursor on it (lib.analytics.replica holds one)

# (column, DuckDB type) of each copied table; the names are the portal's own, so lib.db.analytics
# runs on the copy unchanged.
COMPLAINT_COLUMNS = (
    ("id", "BIGINT"), ("version", "INTEGER"), ("filed_at", "TIMESTAMPTZ"), ("tehsil_lgd", "INTEGER"),
    ("place_lgd", "INTEGER"), ("ward", "INTEGER"), ("category_code", "VARCHAR"),
    ("department_code", "VARCHAR"), ("channel", "VARCHAR"), ("status", "VARCHAR"),
    ("resolved_at", "TIMESTAMPTZ"), ("updated_at", "TIMESTAMPTZ"), ("accepted_at", "TIMESTAMPTZ"),
    ("heard_at", "TIMESTAMPTZ"), ("reopen_count", "INTEGER"), ("hearings_held", "INTEGER"),
    ("hearings_called_off", "INTEGER"), ("hearings_no_show", "INTEGER"), ("feedback_solved", "INTEGER"),
    ("feedback_partly", "INTEGER"), ("feedback_not_solved", "INTEGER"))
DIRECTION_COLUMNS = (("complaint_id", "BIGINT"), ("report_by", "DATE"), ("reported_at", "TIMESTAMPTZ"))
APPEAL_COLUMNS = (("complaint_id", "BIGINT"), ("status", "VARCHAR"))
TABLES = {"complaints": COMPLAINT_COLUMNS, "directions": DIRECTION_COLUMNS,
          "appeals": APPEAL_COLUMNS}


def _names(columns) -> str:
    return ", ".join(name for name, _ in columns)


# ---- PostgreSQL side: what is read, in one snapshot ----

def begin_snapshot(pg) -> None:
    """Every read of this refresh sees the same committed state."""
    pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")


def end_snapshot(pg) -> None:
    pg.execute("COMMIT")


CHANNEL = "esachivalaya_analytics"       # migration 020's triggers notify it


def listen(con) -> Listener:
    """A connection that hears every commit changing what the copy holds (`Listener.heard`)."""
    return Listener(con.url, CHANNEL)


def snapshot(pg) -> str:
    """The snapshot this refresh reads, as text to keep (REPEATABLE READ: the transaction's own)."""
    return pg.execute("SELECT pg_current_snapshot()::text").fetchone()[0]


class Signature(NamedTuple):
    """The small tables' counts: when one moved, that table is copied again."""
    directions: tuple[int, int]       # the highest id given, how many still open
    appeals: tuple[int, int]          # filed, decided


def signature(pg) -> Signature:
    """The newest direction's id and how many are still open (indexes, not the ~900,000 rows at a
    million complaints: a direction is only ever added, with the next id, or reported), appeals
    filed and decided. Nothing is ever deleted."""
    n = [int(v) for v in pg.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM directions),"
        " (SELECT count(*) FROM directions WHERE reported_at IS NULL),"
        " (SELECT count(*) FROM appeals),"
        " (SELECT count(decided_at) FROM appeals)").fetchone()]
    return Signature((n[0], n[1]), (n[2], n[3]))


def export_complaints(pg, to) -> None:
    """The copied columns of every complaint (the first look)."""
    pg.copy_out_csv(f"SELECT {_names(COMPLAINT_COLUMNS)} FROM complaints", None, to)


def export_changed_complaints(pg, since: str, to) -> None:
    """The complaints filed or changed by transactions not yet committed in snapshot `since` (the last
    look's): an index range from that snapshot's oldest running transaction (migration 020)."""
    pg.copy_out_csv(f"SELECT {_names(COMPLAINT_COLUMNS)} FROM complaints"
                    " WHERE changed_xid >= pg_snapshot_xmin(?::pg_snapshot)"
                    " AND NOT pg_visible_in_snapshot(changed_xid, ?::pg_snapshot)", [since, since], to)


def export_open_directions(pg, to) -> None:
    """Directions not yet reported back: the only ones the overdue rule reads."""
    pg.copy_out_csv(f"SELECT {_names(DIRECTION_COLUMNS)} FROM directions WHERE reported_at IS NULL", None, to)


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


def replace_all(cur: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    cur.execute(f"DELETE FROM {table}")
    cur.execute(f"INSERT INTO {table} SELECT * FROM {_read(path, TABLES[table])}")


def replace_complaints(cur: duckdb.DuckDBPyConnection, complaints: Path) -> int:
    """The file's complaints as it has them now (new ones added); how many there were."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE changed AS SELECT * FROM {_read(complaints, COMPLAINT_COLUMNS)}")
    cur.execute("DELETE FROM complaints WHERE id IN (SELECT id FROM changed)")
    count = cur.execute("INSERT INTO complaints SELECT * FROM changed").fetchone()[0]
    cur.execute("DROP TABLE changed")
    return count
