"""The portal's database on PostgreSQL (psycopg 3 with a connection pool), shaped like DuckDB's.

The lib/db modules were written against a DuckDB connection: `con.cursor()` as a context manager,
`cur.execute(sql, [params])` with `?` placeholders, then `fetchall()`, `fetchone()` or `df()`, and
transactions as plain `BEGIN TRANSACTION` / `COMMIT` / `ROLLBACK` statements. This module offers
exactly that on PostgreSQL, and nothing more: the placeholders are translated here, in one place.
A cursor holds one pooled connection (in autocommit mode, as DuckDB is) from `con.cursor()` until
it is closed, so a transaction's statements all run on the same server session.
"""
from __future__ import annotations

import pandas as pd
import psycopg
from psycopg import errors
from psycopg import sql as pgsql
from psycopg_pool import ConnectionPool, PoolClosed

TIME_ZONE = "Asia/Kolkata"

# Type codes (pg_type OIDs) of the columns DuckDB's `df()` turns into float64 (real, double
# precision, numeric) and into integers (smallint, integer, bigint).
FLOAT_TYPES = (700, 701, 1700)
INTEGER_TYPES = (21, 23, 20)

# Integrity errors (unique, check, not-null, foreign key) and the conflicts worth a retry.
ConstraintViolation = errors.IntegrityError
RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)
# The pool or its connection was closed (the process is shutting down).
ConnectionClosed = (PoolClosed, psycopg.InterfaceError)


def is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def is_empty(url: str) -> bool:
    """The database has no schema_version table yet (the portal never started on it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('schema_version') IS NULL").fetchone()[0]


def placeholders(sql: str) -> str:
    """DuckDB's `?` placeholders as psycopg's `%s`, and every literal `%` doubled (psycopg reads `%`
    everywhere in a query with parameters, string literals included). A `?` inside a string literal,
    a quoted name or a comment is left alone."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:      # '' or "" inside
                end = sql.find(ch, end + 2)
            end = n if end == -1 else end + 1
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        else:
            out.append("%s" if ch == "?" else "%%" if ch == "%" else ch)
            i += 1
    return "".join(out)


def other_sessions(url: str) -> int:
    """How many other client sessions are connected to this database (a running portal holds some)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()[0]


def drop_portal_objects(url: str) -> None:
    """Drop every table and sequence in the database's schema, in one transaction: the database is
    then as new (what deleting the DuckDB file does), and the next start migrates it again."""
    with psycopg.connect(url) as conn:
        schema = conn.execute("SELECT current_schema()").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])]
        for table in tables:
            conn.execute(pgsql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(pgsql.Identifier(schema, table)))
        sequences = [r[0] for r in conn.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", [schema])]
        for sequence in sequences:
            conn.execute(pgsql.SQL("DROP SEQUENCE IF EXISTS {}").format(pgsql.Identifier(schema, sequence)))


def storable(params) -> list:
    """The parameters as PostgreSQL can store them: its text cannot hold U+0000 (NUL), which DuckDB
    keeps, so a pasted NUL is dropped here rather than failing the whole statement (a citizen's
    filing, an officer's remark, a search). Nothing a reader sees changes: NUL is invisible.
    lib.core.problems.check_text drops it on both engines for the form fields it checks."""
    return [v.replace("\x00", "") if isinstance(v, str) and "\x00" in v else v for v in params]


class PgCursor:
    """One pooled connection, used like a DuckDB cursor; close it (or leave its `with`) to give it back."""

    dialect = "postgres"

    def __init__(self, pool: ConnectionPool):
        self._pool = pool
        self._conn = pool.getconn()
        self._cur = self._conn.cursor()

    def execute(self, sql: str, params=None) -> PgCursor:
        if params is None or (not params and "?" not in sql):
            self._cur.execute(sql)          # no parameters: the text goes as written (several statements allowed)
        else:
            self._cur.execute(placeholders(sql), storable(params))
        return self

    def executemany(self, sql: str, rows) -> PgCursor:
        self._cur.executemany(placeholders(sql), [storable(r) for r in rows])
        return self

    def copy_rows(self, table: str, columns: list[str], rows) -> None:
        """Many rows into a table at once (COPY): what DuckDB does by registering a data frame."""
        with self._cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:             # rows the portal made itself (seed, facts): no NUL, no check
                copy.write_row(row)

    def copy_frame(self, table: str, columns: list[str], frame: pd.DataFrame) -> None:
        """A data frame's rows into `columns` of `table` (pandas' missing values become NULL)."""
        values = frame.astype(object).where(frame.notna(), None)
        self.copy_rows(table, columns, values.itertuples(index=False, name=None))

    def copy_out_csv(self, sql: str, params, to) -> None:
        """A query's rows as CSV (PostgreSQL's: NULL an empty unquoted field) into the binary file `to`:
        many rows out at the speed of COPY, with no Python object per value."""
        with self._cur.copy(f"COPY ({placeholders(sql)}) TO STDOUT (FORMAT csv)", storable(params or [])) as copy:
            for chunk in copy:
                to.write(chunk)

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall() if self._cur.description else []

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone() if self._cur.description else None

    def df(self) -> pd.DataFrame:
        """The rows as DuckDB's `df()` gives them: numeric columns as numbers even where a value is
        NULL or no row came back (pandas would leave None and Decimal in an `object` column, which
        `.round()`, sums and charts then trip over)."""
        description = self._cur.description
        frame = pd.DataFrame(self._cur.fetchall(), columns=[d.name for d in description])
        for i, column in enumerate(description):
            if column.type_code in FLOAT_TYPES:
                frame.isetitem(i, frame.iloc[:, i].astype("float64"))
            elif column.type_code in INTEGER_TYPES and frame.iloc[:, i].dtype == object:
                frame.isetitem(i, frame.iloc[:, i].astype("Int64" if frame.iloc[:, i].isna().any() else "int64"))
        return frame

    @property
    def description(self):
        return self._cur.description

    def cursor(self) -> PgCursor:
        return PgCursor(self._pool)

    def close(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        self._cur.close()
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()             # never hand a half-done transaction to the next user
        self._pool.putconn(conn)

    def __enter__(self) -> PgCursor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PgDatabase:
    """What `connect()` returns for a postgresql:// address: the pool, handing out cursors."""

    dialect = "postgres"

    def __init__(self, url: str, *, max_size: int = 10):
        self.url = url
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=True, configure=_configure,
                                   kwargs={"autocommit": True}, name="esachivalaya")
        self.pool.wait(timeout=30)

    def cursor(self) -> PgCursor:
        return PgCursor(self.pool)

    def execute(self, sql: str, params=None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def close(self) -> None:
        self.pool.close()


LISTENER_TIMEOUT_S = 5       # to connect, and for an unanswered round trip (libpq's tcp_user_timeout)


class Listener:
    """A connection of its own that LISTENs on a channel, to learn that other transactions changed
    something without asking the tables (lib.analytics.replica, migration 020).

    PostgreSQL sends a notification to the listening session only after the notifying transaction
    commits, and before it answers that session's next query; so after `heard()`'s round trip every
    transaction committed before the call has been heard. Nothing is read between calls: the
    notifications wait in the socket (one short message per writing transaction)."""

    def __init__(self, url: str, channel: str):
        # Named, so that an operator reading pg_stat_activity knows what the idle session is. Bounded:
        # the copy asks it before each look and once a minute (under a lock the analysts' views wait
        # on), so an unreachable server must fail fast and let the copy ask the tables instead.
        self._conn = psycopg.connect(url, autocommit=True, application_name=f"esachivalaya: {channel}",
                                     connect_timeout=LISTENER_TIMEOUT_S,
                                     tcp_user_timeout=LISTENER_TIMEOUT_S * 1000)
        self._heard = False
        self._conn.add_notify_handler(self._note)
        self._conn.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel)))

    def _note(self, _notification: psycopg.Notify) -> None:
        self._heard = True

    def heard(self) -> bool:
        """Whether a notification arrived since the last call (or since LISTEN). Raises when the
        connection is lost: the caller can no longer tell, and must ask the tables."""
        self._conn.execute("SELECT 1")      # the round trip that delivers what is pending
        heard, self._heard = self._heard, False
        return heard

    def close(self) -> None:
        self._conn.close()


def _configure(conn: psycopg.Connection) -> None:
    conn.execute(f"SET TIME ZONE '{TIME_ZONE}'")
    # No JIT compilation: the analytics page's headline query (dozens of FILTER aggregates) looks
    # costly enough to the planner that PostgreSQL spent ~5 s compiling it for a ~1 s run
    # (EXPLAIN ANALYZE on a million seeded complaints); the portal's queries are all short.
    conn.execute("SET jit = off")
    # Room to sort and group a year of complaints in memory: with the default 4 MB the analytics
    # queries sorted on disk (external merge, ~30 MB at 400,000 complaints of the period) and spent
    # ~25% more server CPU. Per sort or hash step of a session; the page's figures are computed at
    # most once a minute per process (lib/analytics/cache.py), so few such steps run at once.
    conn.execute("SET work_mem = '64MB'")
