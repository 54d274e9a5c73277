"""Bringing the portal's database up: schema, reference data, and demo data only for a brand-new file."""
from __future__ import annotations

import atexit
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from lib.analytics import replica
from lib.core.config import Settings
from lib.db import citizen as complaints_db, connect as db, reference as reference_db, settings as settings_db
from lib.casework import deadlines
from lib.hearings import officers
from lib.staff import signin
from lib.citizen import uploads

log = logging.getLogger(__name__)

DEMO_COMPLAINTS = 3000
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(stream=None) -> None:
    """Our own INFO lines (the log gateway's SMS, the dispatcher starting) reach the server log.
    Streamlit configures only its own loggers; without a handler ours would go nowhere below WARNING.
    Added once per process (marked), and still propagating, so whatever the root logger collects
    (a test's log capture, a deployment's handler) sees them too."""
    ours = logging.getLogger("lib")
    if any(getattr(h, "esachivalaya", False) for h in ours.handlers):
        return
    handler = logging.StreamHandler(stream)
    handler.esachivalaya = True
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)


def open_portal_database(settings: Settings):
    """Connect (upgrading the schema in place), load reference data, seed a new demo database once,
    and remove uploads a crashed filing left without their complaint."""
    configure_logging()
    is_new = db.is_new_database(settings.database)
    con = db.connect(settings.database, memory_limit=settings.duckdb_memory)
    with db.transaction(con) as cur:
        reference_db.load_reference_data(cur)
    deadlines.ensure_calendar(con)      # working days for every deadline; rebuilt only when stale
    # Decided by a marker in the file itself, not by the file being new alone, so that an
    # existing database is never reseeded, even if it happens to hold no complaints.
    with con.cursor() as cur:
        seeded_before = settings_db.get(cur, "demo_seeded_at") is not None
    if settings.demo and is_new and not seeded_before:
        from lib.ops.seed import seed_complaints   # Faker is only needed for a demo database

        log.info("new database %s: seeding %d demo complaints", settings.shown_database, DEMO_COMPLAINTS)
        seed_complaints(con, DEMO_COMPLAINTS, track_url=settings.track_url)
        signin.create_demo_users(con)
        officers.ensure_default_rules(con)       # the DC holds hearings under the default office rules
        with db.transaction(con) as cur:
            settings_db.put(cur, "demo_seeded_at", datetime.now(timezone.utc).isoformat())
    sweep_orphan_uploads(con, settings)
    return con


# The process's one connection per database file, shared by the pages (lib/ui `connection()`) and
# the HTTP health check (lib/ops/web.py), whichever asks first; DuckDB lets one process write a file.
_held: dict[Path | str, object] = {}
_held_lock = threading.Lock()


def portal_database(settings: Settings):
    """This process's connection to the portal's database, opened (`open_portal_database`) on first use."""
    # On PostgreSQL db_path only names where the keys go, which two databases may share: the address decides.
    key = settings.db_url or settings.db_path.resolve()
    with _held_lock:
        if key not in _held:
            _held[key] = open_portal_database(settings)
            # On PostgreSQL the analysts' DuckDB copy is built now, in the background, not by the first analyst.
            replica.warm_up(_held[key])
        return _held[key]


def release_portal_database(con) -> None:
    """Close a connection `portal_database` handed out; the next call opens the file again."""
    with _held_lock:
        for key in [k for k, held in _held.items() if held is con]:
            del _held[key]
    replica.close_replica_of(con)        # after a build or refresh under way, before the pool closes
    con.close()


@atexit.register
def release_all_portal_databases() -> None:
    """Close every connection `portal_database` handed out (at exit, or when the server stops): a
    connection left to interpreter shutdown makes DuckDB print a "nanobind: leaked" dump."""
    for con in list(_held.values()):
        release_portal_database(con)


def sweep_orphan_uploads(con, settings: Settings, older_than_s: float = 3600) -> list[str]:
    """Delete stored files no document row refers to (left by a filing killed mid-way).

    Only files older than `older_than_s` go, so a filing in flight keeps its files.
    """
    store = uploads.UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
    with con.cursor() as cur:
        known = complaints_db.stored_document_names(cur)
    removed = store.sweep_orphans(known, older_than_s=older_than_s)
    if removed:
        log.warning("removed %d orphaned upload(s)", len(removed))
    return removed
