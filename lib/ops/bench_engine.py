"""The database the benchmark runs on: a DuckDB file in the run's folder (the default), or PostgreSQL.

On PostgreSQL the run uses a throwaway server started for it (lib/ops/pg_server.py, removed after),
or, with `--db postgresql://…`, an existing server's database, which must be empty (the portal never
started on it) and is emptied again afterwards. What PostgreSQL measures differently from DuckDB is
written into the result as `engine_notes` rather than papered over.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from lib.core.config import Settings
from lib.db.connect import empty_database, is_database_url, is_new_database
from lib.db.ops import bench as bench_db
from lib.ops import pg_server

DUCKDB, POSTGRESQL = "duckdb", "postgresql"
ENGINES = (DUCKDB, POSTGRESQL)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

NOTES = {
    "analytics_cold_s": "cold = a freshly opened connection pool and empty caches in the portal process;"
                        " PostgreSQL's own buffer cache (and the OS page cache) stay warm from the seeding;"
                        " the analysts' DuckDB copy (lib/analytics/replica.py) was built as the portal started"
                        " (analytics_copy_built_s), so the cold view is the first analyst's after that",
    "rss_mb": "the portal process only: PostgreSQL's server processes have their own memory"
              " (shared_buffers and per-backend work_mem), not counted here",
    "cpu_s": "this process only; the server's CPU seconds are in cpu_s.postgresql_server when the run"
             " started the server itself (not measurable for an existing server given with --db)",
    "seed_memory_limit": "DuckDB's memory limit does not apply: PostgreSQL's memory is its server's settings",
}


class UnusableDatabase(ValueError):
    """The --db address names a database the benchmark must not fill (it already holds a portal)."""


class BenchDatabase:
    """Where the run's portal database is (ESACHIVALAYA_DB's value), and the server's CPU clock when
    the run owns the server."""

    def __init__(self, engine: str, address: str, cluster: pg_server.Cluster | None = None):
        self.engine, self.address, self._cluster = engine, address, cluster

    def server_cpu_s(self) -> float | None:
        """CPU seconds PostgreSQL's processes spent so far (None: DuckDB, or a server not ours)."""
        if self._cluster is None or self._cluster.folder is None:
            return None
        return server_cpu_s(self._cluster.folder / "data")

    def size_mb(self, con, settings: Settings) -> float:
        """The database's size on disk: DuckDB's file, or what PostgreSQL reports for the database."""
        if self.engine == DUCKDB:
            return round(Path(settings.db_path).stat().st_size / 1e6, 1)
        with con.cursor() as cur:
            return round(bench_db.database_bytes(cur) / 1e6, 1)

    def describe(self) -> dict:
        """What the JSON says about the engine."""
        found = {"engine": self.engine}
        if self.engine == POSTGRESQL:
            found["postgresql_server"] = "throwaway (started for the run)" if self._cluster else "existing (--db)"
            found["engine_notes"] = dict(NOTES)
        return found


@contextlib.contextmanager
def database_for(engine: str, folder: Path, db_url: str | None = None) -> Iterator[BenchDatabase]:
    """The run's database: a file in `folder`, a database on a server started for the run (stopped
    and removed after), or the empty database `db_url` (emptied again after)."""
    if engine == DUCKDB:
        yield BenchDatabase(DUCKDB, str(folder / "portal.duckdb"))
        return
    if db_url:
        if not is_database_url(db_url):
            raise UnusableDatabase(f"--db must be a postgresql:// address, not {db_url!r}")
        if not is_new_database(db_url):
            raise UnusableDatabase("--db names a database that already holds a portal: give an empty one")
        try:
            yield BenchDatabase(POSTGRESQL, db_url)
        finally:
            empty_database(db_url)
        return
    cluster = pg_server.Cluster.start()
    try:
        yield BenchDatabase(POSTGRESQL, cluster.database(), cluster)
    finally:
        cluster.stop()


def server_cpu_s(data_dir: Path) -> float:
    """User and system CPU seconds of a local PostgreSQL server: the postmaster's own and its reaped
    children's (backends that have exited), plus those of the processes still running under it."""
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue                       # the process ended meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == postmaster or parent == postmaster:
            # utime, stime, cutime, cstime: fields 14-17 of /proc/<pid>/stat (after the name: 11-14)
            ticks += sum(int(v) for v in fields[11:15])
    return ticks / CLOCK_TICKS


class CpuSeconds(dict):
    """cpu_s in the JSON: this process's CPU seconds per measurement (every thread), and under
    "postgresql_server" the server's for the same measurements, where the run owns the server (on
    PostgreSQL much of the work is the server's, which this process's clock never sees)."""

    def __init__(self, server_clock=lambda: None):
        super().__init__()
        self._server_clock = server_clock

    @contextlib.contextmanager
    def counting(self, key: str) -> Iterator[None]:
        spent, server = time.process_time(), self._server_clock()
        try:
            yield
        finally:
            self[key] = time.process_time() - spent
            if server is not None:
                self.setdefault("postgresql_server", {})[key] = self._server_clock() - server
