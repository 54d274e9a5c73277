"""The analysts' copy: on PostgreSQL the analytics page's figures are computed in DuckDB, over a copy of
the columns they read, which each portal process keeps in step with the database.

Why: PostgreSQL reads whole rows, one after another. At a million complaints the page's queries took
~10 s of server time however they were written (indexes, a narrow table, JIT off, more work_mem;
README, "Benchmark on PostgreSQL"), against a goal of 1.5 s. DuckDB reads only the columns a query
names, in parallel, and computed the same figures in ~1.3 s on the same machine. So on PostgreSQL the
figures come from an in-memory DuckDB copy of those columns (lib.db.analytics_copy says which, and why
the copy is exact), and lib.db.analytics runs on it unchanged: the figures are the DuckDB backend's by
construction, and PostgreSQL is asked for what changed, not for every complaint of the period.

When: before each computation of the figures (at most once a minute per filter set,
lib.analytics.cache). PostgreSQL tells the copy when a commit changed anything it holds (NOTIFY,
migration 020), heard on a connection of its own with one round trip; only then does the copy look,
and copy the complaints changed since its last look and the small tables whose counts moved. Should
that connection be lost, the copy looks every time until it listens again. The first computation copies everything (a
few seconds at a million complaints), so the portal builds the copy when it starts (`warm_up`), in
the background. On DuckDB there is no copy: the figures read the portal's own file.
"""
from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

from lib.db import analytics_copy as copy_db
from lib.db.connect import dialect, transaction

log = logging.getLogger(__name__)
MEMORY_LIMIT = "1GB"
# How often the copy reads its listening connection when nobody views the figures. PostgreSQL keeps
# one notification queue for the whole server and moves it on only as every listener reads; a portal
# process whose analysts are away for days would otherwise fill its socket and then hold the queue.
DRAIN_EVERY_S = 60.0
# The small tables, copied whole when their counts move (copy_db.Signature).
SMALL_TABLES = {"directions": copy_db.export_open_directions, "appeals": copy_db.export_appeals}


class Replica:
    """One process's DuckDB copy of a PostgreSQL portal database's analytics columns."""

    def __init__(self, con):
        self._con = weakref.ref(con)      # the registry below is keyed by the pool: no cycle through it
        self._duck = copy_db.open_copy(MEMORY_LIMIT)
        self._lock = threading.Lock()
        self._snapshot: str | None = None     # the PostgreSQL snapshot the copy last read
        self._signature: copy_db.Signature | None = None      # and the small tables' counts in it
        self._closed = False
        self._listener = None                 # hears the commits that change the copy (migration 020)
        self._heard_meanwhile = False         # a commit heard between views (`drain`), not yet looked at
        self._stopped = threading.Event()
        self.refreshes = 0            # how often PostgreSQL was asked for changes (tests, the bench)
        self.built = threading.Event()        # set once the first refresh copied everything
        self.build_s: float | None = None     # how long that took (the bench reports it)
        self.copied = 0               # complaints copied in all (tests, the bench)
        self.drains_heard = 0         # drains that heard a commit (tests)
        threading.Thread(target=_drain_now_and_then, args=(weakref.ref(self), self._stopped),
                         name="analytics-copy-drain", daemon=True).start()

    def refresh(self) -> None:
        """Bring the copy to the database's present state (one snapshot of it); cheap when nothing changed."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the analytics copy was closed with its database connection")
            if not self._may_have_changed():
                return
            self._heard_meanwhile = False         # the look below sees everything committed so far
            try:
                with self._con().cursor() as pg, _scratch() as folder:
                    self._refresh_in_snapshot(pg, folder)
            except BaseException:
                self._heard_meanwhile = True      # what was heard is not in the copy: the next view looks
                raise

    def _may_have_changed(self) -> bool:
        """False only when the copy is known current: it listened before its last snapshot began and
        has heard of no commit since. Listening starts before the first look, so nothing committed
        after that look can go unheard; a lost connection means asking (True) until it listens again."""
        if self._listener is None:
            try:
                self._listener = copy_db.listen(self._con())
            except Exception:
                log.exception("analytics copy: cannot listen for changes; asking PostgreSQL every time")
            return True
        if self._snapshot is None:
            return True
        heard = self._hear()
        return heard is None or heard or self._heard_meanwhile

    def drain(self) -> None:
        """Read what the listening connection heard, and keep it for the next look (DRAIN_EVERY_S)."""
        with self._lock:
            if self._closed or self._listener is None:
                return
            if self._hear():
                self._heard_meanwhile = True
                self.drains_heard += 1

    def _hear(self) -> bool | None:
        """Whether the listening connection heard a commit since it was last read; None when it was
        lost: it is closed, and the next look asks PostgreSQL and listens again."""
        try:
            return self._listener.heard()
        except Exception:
            log.warning("analytics copy: the listening connection was lost; the next look asks PostgreSQL",
                        exc_info=True)
            self._stop_listening()
            return None

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.close()

    def _refresh_in_snapshot(self, pg, folder: Path) -> None:
        copy_db.begin_snapshot(pg)
        try:
            self._refresh(pg, folder)
        finally:
            copy_db.end_snapshot(pg)

    def _refresh(self, pg, folder: Path) -> None:
        self.refreshes += 1
        now = copy_db.snapshot(pg)
        counts = copy_db.signature(pg)
        first = self._snapshot is None
        started = time.perf_counter()
        path = folder / "complaints.csv"
        if first:
            _export(path, lambda f: copy_db.export_complaints(pg, f))
        else:
            _export(path, lambda f: copy_db.export_changed_complaints(pg, self._snapshot, f))
        # The small tables, whole, when their counts moved.
        moved = [table for table in SMALL_TABLES
                 if first or getattr(counts, table) != getattr(self._signature, table)]
        for table in moved:
            _export(folder / f"{table}.csv", lambda f, table=table: SMALL_TABLES[table](pg, f))
        copied = 0
        # A commit that changed none of the copied rows (a statement that matched nothing, say)
        # leaves the copy as it is: no DuckDB transaction at all.
        if first or moved or path.stat().st_size:
            with transaction(self._duck) as cur:      # readers see the copy before or after, never halfway
                if first:
                    copy_db.replace_all(cur, "complaints", path)
                    copied = cur.execute("SELECT count(*) FROM complaints").fetchone()[0]
                else:
                    copied = copy_db.replace_complaints(cur, path)
                for table in moved:
                    copy_db.replace_all(cur, table, folder / f"{table}.csv")
        self.copied += copied
        self._snapshot, self._signature = now, counts
        if first:
            self.build_s = time.perf_counter() - started
            self.built.set()
        log.info("analytics copy: %s complaints copied in %.2f s", copied, time.perf_counter() - started)

    def cursor(self) -> copy_db.Copy:
        return self._duck.cursor()

    def close(self) -> None:
        """After any refresh under way (the start-up build, say): the connection pool closes next."""
        with self._lock:
            self._closed = True
            self._stopped.set()
            self._stop_listening()
            self._duck.close()


def _drain_now_and_then(ref: weakref.ref, stopped: threading.Event) -> None:
    """The drain thread of one copy: ends when the copy is closed or gone (it holds no reference)."""
    while not stopped.wait(DRAIN_EVERY_S):
        kept = ref()
        if kept is None:
            return
        kept.drain()
        del kept


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    """A private folder for the CSV files of one refresh (codes and moments only), removed after it."""
    folder = Path(tempfile.mkdtemp(prefix="esachivalaya-copy-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _export(path: Path, write) -> None:
    with open(path, "wb") as f:
        write(f)


_replicas: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_replicas_lock = threading.Lock()


def replica_of(con) -> Replica:
    """The process's copy for this PostgreSQL connection pool (made, empty, on first use)."""
    with _replicas_lock:
        if con not in _replicas:
            _replicas[con] = Replica(con)
        return _replicas[con]


def close_replica_of(con) -> None:
    """Called before the pool closes (lib.ops.startup): waits for a refresh under way, then frees the copy."""
    with _replicas_lock:
        kept = _replicas.pop(con, None)
    if kept is not None:
        kept.close()


@contextlib.contextmanager
def figures_cursor(con) -> Iterator[copy_db.Copy]:
    """Where lib.db.analytics should run: the portal's own DuckDB, or on PostgreSQL the refreshed copy.
    Should the copy fail, PostgreSQL itself answers (slowly, but the analyst gets the figures)."""
    if dialect(con) != "postgres":
        with con.cursor() as cur:
            yield cur
        return
    kept = replica_of(con)
    try:
        kept.refresh()
    except Exception:
        log.exception("analytics copy: could not refresh it; these figures come from PostgreSQL itself")
        with con.cursor() as cur:
            yield cur
        return
    with kept.cursor() as cur:
        yield cur


def wait_until_built(con, timeout_s: float) -> float | None:
    """On PostgreSQL, wait for the start-up build and say how long it took (None on DuckDB)."""
    if dialect(con) != "postgres":
        return None
    kept = replica_of(con)
    if not kept.built.wait(timeout_s):
        raise TimeoutError(f"the analytics copy was not built within {timeout_s:.0f} s")
    return kept.build_s


def warm_up(con) -> None:
    """On PostgreSQL, build the copy in the background as the portal starts (nothing to do on DuckDB)."""
    if dialect(con) != "postgres":
        return
    kept = replica_of(con)

    def build() -> None:
        try:
            kept.refresh()
        except Exception:                 # the first figures will try again, and say what failed
            log.exception("analytics copy: could not build it at start")

    threading.Thread(target=build, name="analytics-copy", daemon=True).start()
