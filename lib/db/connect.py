"""Opening the portal's database: one connection per process, schema upgrades, transactions.

ESACHIVALAYA_DB is a file path (DuckDB, the default) or a postgresql:// address (PostgreSQL 15+,
lib/db/postgres.py). This module and postgres.py are the only ones that know which engine runs;
the other lib/db modules ask `dialect(cur)` where the two speak differently.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from lib.core.config import without_password
from lib.db import postgres

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Where PostgreSQL needs other SQL than DuckDB, NNN_name.postgres.sql stands beside NNN_name.sql.
POSTGRES_SUFFIX = ".postgres.sql"
# pg_advisory_xact_lock key: processes starting at once apply the migrations one after the other.
MIGRATION_LOCK = 0x65536163   # "eSac"

# Write-write conflicts (DuckDB's optimistic concurrency; PostgreSQL's serialization failures and
# deadlocks): the unit of work is safe to retry.
RETRYABLE = (duckdb.TransactionException, *postgres.RETRYABLE)
ConstraintViolation = (duckdb.ConstraintException, postgres.ConstraintViolation)


class DatabaseBusy(RuntimeError):
    """Another process (usually the running portal) holds the database file."""


def migrations(engine: str = "duckdb") -> list[tuple[int, Path]]:
    """The schema's versions in order: (version, sql file); 001_initial.sql is version 1. On
    PostgreSQL a version's .postgres.sql file, where there is one, replaces the shared one."""
    shared = [p for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql") if not p.name.endswith(POSTGRES_SUFFIX)]
    found = sorted((int(p.name.split("_", 1)[0]), p) for p in shared)
    versions = [v for v, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration files are not numbered 1..N: {versions}")
    if engine == "postgres":
        found = [(v, _postgres_file(p)) for v, p in found]
    return found


def _postgres_file(shared: Path) -> Path:
    """NNN_name.postgres.sql when it exists, else the shared NNN_name.sql."""
    own = shared.with_name(shared.name.removesuffix(".sql") + POSTGRES_SUFFIX)
    return own if own.exists() else shared


LATEST_VERSION = len(migrations())


def dialect(cur) -> str:
    """'duckdb' or 'postgres': which engine a connection or cursor talks to."""
    return getattr(cur, "dialect", "duckdb")


def is_database_url(target) -> bool:
    """True for a postgresql:// address (PostgreSQL), false for a file path (DuckDB)."""
    return postgres.is_url(target)


def is_new_database(target) -> bool:
    """No portal schema yet: the DuckDB file does not exist, or the PostgreSQL database is empty."""
    if is_database_url(target):
        return postgres.is_empty(str(target))
    return not Path(target).exists()


def connect(path: str | Path, *, memory_limit: str = "1GB"):
    """Open (creating if needed) the database and bring its schema up to date.

    Keep the returned connection for the life of the process and take `con.cursor()` for each
    unit of work: DuckDB 2.0 refuses concurrent calls on one connection object. For a postgresql://
    address the connection is a pool (lib/db/postgres.py) and each cursor holds one of its sessions.
    """
    if is_database_url(path):
        con = postgres.PgDatabase(str(path))
        try:
            upgrade(con)
        except BaseException:
            con.close()
            raise
        return con
    path = Path(path)
    keep_files_private()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    con = open_file(path, "Stop it first, or use the admin page inside the portal.")
    # A file made before this rule (or copied in by hand) is made private too.
    for made in (path, path.with_name(path.name + ".wal")):
        if made.exists():
            os.chmod(made, 0o600)
    # GLOBAL so that every cursor inherits it (a plain SET does not reach cursors).
    con.execute("SET GLOBAL TimeZone = 'Asia/Kolkata'")
    set_memory_limit(con, memory_limit)
    upgrade(con)
    return con


def set_memory_limit(con, limit: str) -> None:
    """DuckDB's memory limit for this process from now on: GLOBAL, so that every cursor has it (a plain
    SET does not reach cursors). `limit` is the code's own or the checked setting ("1GB"), never a
    request's. PostgreSQL's memory is its server's settings: nothing to do there."""
    if dialect(con) != "postgres":
        con.execute(f"SET GLOBAL memory_limit = '{limit}'")


def keep_files_private() -> None:
    """From now on this process creates owner-only files and folders (0600, 0700).

    DuckDB creates its files with the process's umask: the database, and its .wal, which it deletes
    at every checkpoint and makes again at the next write, so a chmod after opening would not last.
    Everything the portal's process writes (database, WAL, keys, uploads, backups) is personal data
    or guards it, so the umask is tightened for the whole process, never loosened."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def empty_database(url: str) -> None:
    """Make a PostgreSQL database as new (no portal tables), as `seed --fresh` and `reset-demo`
    delete a DuckDB file. Refused (DatabaseBusy) while another session is connected to it: tables
    dropped from under a running portal would break every page it serves."""
    if postgres.other_sessions(url):
        raise DatabaseBusy(f"{without_password(url)} is in use by another process (is the portal running?)."
                           " Stop it first.")
    postgres.drop_portal_objects(url)


def open_file(path: Path, what_to_do: str) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, with another process's lock on the file reported as DatabaseBusy."""
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusy(
                f"{path} is in use by another process (is the portal running?). {what_to_do}") from exc
        raise


def schema_version(con) -> int:
    with con.cursor() as cur:
        return _version(cur)


def _version(cur) -> int:
    exists = fetch_value(
        cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    if not exists:
        return 0
    return fetch_value(cur, "SELECT coalesce(max(version), 0) FROM schema_version")


def upgrade(con, *, to_version: int | None = None) -> int:
    """Apply the migrations the database has not seen yet, each in its own transaction.

    Existing rows are kept: migrations only add. Returns the version the database is at afterwards.
    On PostgreSQL each transaction first takes an advisory lock and reads the version again, so
    processes starting at the same time apply every migration exactly once.
    """
    target = LATEST_VERSION if to_version is None else to_version
    engine = dialect(con)
    with transaction(con) as cur:
        _lock_migrations(cur)
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        current = _version(cur)
    if current > LATEST_VERSION:
        raise RuntimeError(
            f"the database is at schema version {current}, newer than this app ({LATEST_VERSION}); "
            "upgrade the app instead"
        )
    for version, sql_file in migrations(engine):
        if version <= current or version > target:
            continue
        with transaction(con) as cur:
            _lock_migrations(cur)
            if _version(cur) >= version:        # another process applied it while we waited
                continue
            cur.execute(sql_file.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    return schema_version(con)


def _lock_migrations(cur) -> None:
    if dialect(cur) == "postgres":
        cur.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK]).fetchall()


@contextlib.contextmanager
def transaction(con) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor inside BEGIN … COMMIT; any exception rolls everything back."""
    with con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")


def retrying(work, *, attempts: int = 8, pause_s: float = 0.005, upsert: bool = False):
    """Run `work()` again when DuckDB reports a write-write conflict (another transaction won).

    `upsert`: the work's INSERT … ON CONFLICT may also lose to another transaction inserting the
    same key at the same moment, which DuckDB reports as a duplicate key (PostgreSQL waits instead);
    tried again, it finds the row and takes its ON CONFLICT branch."""
    retryable = (*RETRYABLE, duckdb.ConstraintException) if upsert else RETRYABLE
    for attempt in range(attempts):
        try:
            return work()
        except retryable:
            if attempt == attempts - 1:
                raise
            time.sleep(pause_s * (2**attempt))


# DuckDB 2.0 keeps a result "unfinished" until a fetch returns no rows, and an unfinished
# result blocks further work on that cursor; fetchone() alone leaves it unfinished. These
# helpers always drain the result.
def fetch_one(cur: duckdb.DuckDBPyConnection, sql: str, params=()) -> tuple | None:
    rows = cur.execute(sql, list(params)).fetchall()
    return rows[0] if rows else None


def fetch_value(cur: duckdb.DuckDBPyConnection, sql: str, params=()):
    row = fetch_one(cur, sql, params)
    return row[0] if row else None
