"""SQL of backups: copying the open database into a new file from one snapshot, and describing a copy."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lib.db.connect import fetch_value, open_file


@dataclass(frozen=True)
class DatabaseFacts:
    """What a backup's manifest promises about its database file."""
    schema_version: int
    row_counts: dict[str, int]          # table -> rows
    stored_names: frozenset[str]        # the uploads its documents table refers to


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _facts(cur: duckdb.DuckDBPyConnection, catalog: str) -> DatabaseFacts:
    tables = [r[0] for r in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'"
        " ORDER BY table_name", [catalog]).fetchall()]
    prefix = f"{_quote(catalog)}.main."
    # Table names come from the catalog itself, never from a user; identifiers cannot be parameters.
    counts = {t: fetch_value(cur, f"SELECT count(*) FROM {prefix}{_quote(t)}") for t in tables}
    version = fetch_value(cur, f"SELECT coalesce(max(version), 0) FROM {prefix}schema_version") \
        if "schema_version" in counts else 0
    names = frozenset(r[0] for r in cur.execute(f"SELECT stored_name FROM {prefix}documents").fetchall()) \
        if "documents" in counts else frozenset()
    return DatabaseFacts(version, counts, names)


def copy_database(con: duckdb.DuckDBPyConnection, target: Path) -> DatabaseFacts:
    """Copy every table (with its constraints) and every sequence's position into a new file,
    while the portal keeps working; returns the facts of the copy.

    The copy runs inside one transaction, so it is one consistent snapshot: a filing committed
    during the copy is either wholly in it or wholly not.
    """
    # ATTACH names are shared by every cursor of the process: a unique alias lets two backups run at once.
    alias = f"backup_{secrets.token_hex(8)}"
    with con.cursor() as cur:
        source = fetch_value(cur, "SELECT current_database()")
        cur.execute(f"ATTACH ? AS {alias}", [str(target)])
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(f"COPY FROM DATABASE {_quote(source)} TO {alias}")
                facts = _facts(cur, alias)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            # Everything into the file itself, so the backup is one self-contained file without a WAL.
            cur.execute(f"CHECKPOINT {alias}")
        finally:
            cur.execute(f"DETACH {alias}")
    return facts


def describe_database(path: Path) -> DatabaseFacts:
    """The facts of a database file no one else has open (a backup, or a restore being staged)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        with con.cursor() as cur:
            return _facts(cur, fetch_value(cur, "SELECT current_database()"))
    finally:
        con.close()


def ensure_not_in_use(path: Path) -> None:
    """Raise DatabaseBusy while another process (the running portal) holds the file.

    Opening and closing it also folds a leftover write-ahead log into the file, so no WAL is left
    to be replayed onto whatever replaces it.
    """
    if not Path(path).exists():
        return
    open_file(Path(path), "Stop the portal first: a restore replaces the database file.").close()
