"""Settings from the environment: the database's memory limit is applied, and a bad one refused."""
from __future__ import annotations

import pytest

from lib.core.config import load_settings
from lib.ops.startup import open_portal_database


def test_the_memory_limit_reaches_duckdb(portal_env, monkeypatch):
    monkeypatch.setenv("ESACHIVALAYA_DUCKDB_MEMORY", "256MB")
    con = open_portal_database(load_settings({}))
    try:
        with con.cursor() as cur:
            limit = cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()
    assert limit == "244.1 MiB"          # 256 MB (decimal) as DuckDB reports it


@pytest.mark.parametrize("bad", ["lots", "1GB'; DROP TABLE users; --", "-5GB", "12"])
def test_a_bad_memory_limit_is_refused_with_its_name(portal_env, monkeypatch, bad):
    monkeypatch.setenv("ESACHIVALAYA_DUCKDB_MEMORY", bad)
    with pytest.raises(ValueError, match="ESACHIVALAYA_DUCKDB_MEMORY"):
        load_settings({})


@pytest.mark.parametrize("url, shown", [
    ("postgresql://portal:s3cret@db.example:5432/esachivalaya", "postgresql://portal@db.example:5432/esachivalaya"),
    ("postgresql://portal@db.example/esachivalaya", "postgresql://portal@db.example/esachivalaya"),
    ("postgresql://portal:p%40ss@%2Ftmp%2Fpg/x", "postgresql://portal@%2Ftmp%2Fpg/x"),
])
def test_a_postgresql_address_is_shown_without_its_password(url, shown, tmp_path):
    settings = load_settings({}, env={"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(tmp_path)})
    assert settings.shown_database == shown
