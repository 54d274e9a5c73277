"""PostgreSQL only: the migrations on an empty database, and several portals starting at once."""
from __future__ import annotations

import threading

import psycopg
import pytest

from lib.db import connect as db


@pytest.fixture
def empty_database(pg_cluster):
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


def test_every_migration_runs_on_postgresql(empty_database):
    assert db.is_new_database(empty_database)
    con = db.connect(empty_database)
    try:
        assert db.schema_version(con) == db.LATEST_VERSION
        with con.cursor() as cur:
            # 003's PostgreSQL file: the cookie expiry is a double precision, as in DuckDB.
            assert cur.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'revoked_tokens'"
                               " AND column_name = 'expires'").fetchall() == [("double precision",)]
    finally:
        con.close()
    assert not db.is_new_database(empty_database)


def test_the_analytics_filters_use_an_index_and_no_jit(empty_database):
    """Migration 018: the period and a department within it are read through an index, not by
    reading every complaint; and no session compiles queries (JIT cost seconds per analytics query)."""
    con = db.connect(empty_database)
    try:
        with con.cursor() as cur:
            assert cur.execute("SHOW jit").fetchall() == [("off",)]
            cur.execute("SET enable_seqscan = off")       # an empty table: make the planner show what it could use
            for condition, index in (("filed_at >= now() - INTERVAL '1 year'", "complaints_filed_at"),
                                     ("department_code = 'PHED' AND filed_at >= now() - INTERVAL '1 year'",
                                      "complaints_department_filed_at"),
                                     ("tehsil_lgd = 414 AND filed_at >= now() - INTERVAL '1 year'",
                                      "complaints_tehsil_filed_at")):
                plan = "\n".join(r[0] for r in cur.execute(f"EXPLAIN SELECT count(*) FROM complaints WHERE {condition}")
                                  .fetchall())
                assert index in plan, plan
    finally:
        con.close()


def test_processes_starting_at_once_migrate_once(empty_database):
    """Each starter has its own pool (its own server sessions), as separate processes would."""
    errors, start = [], threading.Barrier(4)

    def starter():
        try:
            start.wait()
            db.connect(empty_database).close()
        except Exception as exc:            # collected, so the assertion shows what went wrong
            errors.append(exc)

    threads = [threading.Thread(target=starter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    con = db.connect(empty_database)
    try:
        with con.cursor() as cur:
            assert cur.execute("SELECT version, count(*) FROM schema_version GROUP BY version ORDER BY version"
                               ).fetchall() == [(v, 1) for v in range(1, db.LATEST_VERSION + 1)]
    finally:
        con.close()


def test_a_migration_that_fails_leaves_its_version_unapplied(empty_database, monkeypatch, tmp_path):
    """Bad SQL in a migration rolls that migration back whole and names the error; earlier ones stay."""
    broken = tmp_path / "003_broken.sql"
    broken.write_text("CREATE TABLE half_done (x INTEGER); SELECT no_such_function();")
    real = db.migrations
    monkeypatch.setattr(db, "migrations", lambda engine="duckdb": [
        (v, broken if v == 3 else p) for v, p in real(engine)])
    with pytest.raises(Exception, match="no_such_function"):
        db.connect(empty_database)
    monkeypatch.setattr(db, "migrations", real)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 2
        assert conn.execute("SELECT to_regclass('half_done')").fetchone()[0] is None


def test_a_new_demo_database_on_postgresql_is_seeded_once(empty_database, tmp_path):
    """As on DuckDB: a brand-new database gets the demo complaints and accounts, and opening it
    again never seeds it again."""
    from lib.core.config import load_settings
    from lib.ops.startup import DEMO_COMPLAINTS, open_portal_database

    env = {"ESACHIVALAYA_DB": empty_database, "ESACHIVALAYA_DATA_DIR": str(tmp_path), "ESACHIVALAYA_DEMO": "1"}
    for _ in range(2):
        con = open_portal_database(load_settings({}, env=env))
        try:
            with con.cursor() as cur:
                assert cur.execute("SELECT count(*) FROM complaints").fetchall() == [(DEMO_COMPLAINTS,)]
                assert cur.execute("SELECT count(*) FROM users WHERE username = 'dc_rewari'").fetchall() == [(1,)]
                assert cur.execute("SELECT count(*) FROM places").fetchall()[0][0] > 300
        finally:
            con.close()


@pytest.mark.engines
def test_frames_hold_numbers_on_both_engines_even_when_null_or_empty(con):
    """The analytics page rounds a median that is NULL when nothing was solved in the range: on
    PostgreSQL a frame of None and Decimal values would be an `object` column that `.round()` fails on."""
    with con.cursor() as cur:
        medians = cur.execute("SELECT CAST(NULL AS DOUBLE PRECISION) AS median, CAST(2.55 AS NUMERIC(10, 2)) AS amount,"
                              " CAST(NULL AS INTEGER) AS missing, CAST(7 AS BIGINT) AS count").df()
        empty = cur.execute("SELECT CAST(1.5 AS DOUBLE PRECISION) AS median, CAST(3 AS BIGINT) AS count"
                            " WHERE 1 = 0").df()
    assert medians["median"].round(1).isna().all() and medians["amount"].round(1)[0] == 2.6
    assert medians["missing"].isna().all() and medians["count"][0] == 7
    assert str(medians["median"].dtype) == str(empty["median"].dtype) == "float64"
    assert str(empty["count"].dtype) == "int64"
