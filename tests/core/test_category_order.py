"""The categories keep the reference file's order ("Something else" last) on both engines, through
their `position` (migration 013): not through the rows' storage order, which an UPDATE changes on
PostgreSQL. A database from before the column gets its rows numbered in the order they were stored."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.core.config import REFERENCE_DIR
from lib.db import connect as db
from lib.db import postgres
from lib.db.reference import list_categories

pytestmark = pytest.mark.engines


def file_order() -> list[str]:
    codes = list(pd.read_csv(REFERENCE_DIR / "categories.csv", dtype=str)["code"])
    return [c for c in codes if c != "OTHER"] + ["OTHER"]


def codes(con) -> list[str]:
    with con.cursor() as cur:
        return [c[0] for c in list_categories(cur)]


def test_the_form_lists_the_categories_in_the_files_order(con, choices, engine):
    assert list(choices.categories) == file_order() == codes(con)


def test_an_edited_category_keeps_its_place(con, engine):
    first = codes(con)[0]
    with con.cursor() as cur:           # on PostgreSQL an UPDATE writes a new row version elsewhere
        cur.execute("UPDATE categories SET name_hi = name_hi || ' ' WHERE code = ?", [first])
        cur.execute("UPDATE categories SET name_en = name_en || ' ' WHERE code <> ?", [first])
    assert codes(con) == file_order()


@pytest.fixture
def at_version_12(engine, tmp_path, request):
    """A database at schema version 12 (before the column), opened without upgrading."""
    if engine == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.database()
        request.addfinalizer(lambda: cluster.drop(url))
        con = postgres.PgDatabase(url)
    else:
        con = db.open_file(tmp_path / "old.duckdb", "")
        con.execute("SET TimeZone = 'Asia/Kolkata'")
    assert db.upgrade(con, to_version=12) == 12
    yield con
    con.close()


def test_migration_13_numbers_the_rows_in_the_order_they_were_stored(at_version_12, engine):
    cat = pd.read_csv(REFERENCE_DIR / "categories.csv", dtype=str)
    with db.transaction(at_version_12) as cur:
        cur.executemany("INSERT INTO categories (code, name_en, name_hi, department_code) VALUES (?, ?, ?, ?)",
                        [[r.code, r.name_en, r.name_hi, r.department_code if pd.notna(r.department_code) else None]
                         for r in cat.itertuples()])
    assert db.upgrade(at_version_12) == db.LATEST_VERSION
    assert codes(at_version_12) == file_order()
    with at_version_12.cursor() as cur:
        positions = [p for (p,) in cur.execute("SELECT position FROM categories ORDER BY position").fetchall()]
    assert positions == list(range(1, len(cat) + 1))
