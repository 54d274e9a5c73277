"""Schema versioning: a file made by an older version is upgraded in place without losing rows."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from lib.core.complaints import HearingMode, IdType, Status
from lib.db import connect as db
from lib.db.connect import MIGRATIONS_DIR
from lib.core.i18n import Language
from lib.core.states import SmsStatus
from lib.citizen.uploads import ContentType


def make_old_file(path, version: int = 1) -> None:
    """A database exactly as schema `version` left it (its migration files, applied by plain
    duckdb, not by the app's code), with a complaint in it."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
    for number, sql_file in db.migrations()[:version]:
        con.execute(sql_file.read_text())
        con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
    now = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    con.execute(
        "INSERT INTO complaints (id, tracking_no, filed_at, language, citizen_name, mobile, id_type,"
        " ppp_id, tehsil_lgd, place_lgd, category_code, subject, description, hearing_mode,"
        " consent_at, status, updated_at) VALUES (1, 'RWR-2026-000001', ?, 'hi', 'राम', '+919812345678',"
        " 'ppp', 'ABCD1234', 414, 248569, 'WATER', 'पानी', 'पानी नहीं आ रहा है कई दिनों से', 'video', ?,"
        " 'submitted', ?)", [now, now, now])
    con.execute("INSERT INTO complaint_events VALUES (1, 1, ?, 'citizen', 'filed', NULL, 'submitted', NULL, true)", [now])
    con.close()


@pytest.mark.parametrize("old_version", range(1, db.LATEST_VERSION))
def test_an_older_file_is_upgraded_in_place_and_keeps_its_rows(tmp_path, old_version):
    path = tmp_path / "old.duckdb"
    make_old_file(path, old_version)
    con = db.connect(path)
    assert db.schema_version(con) == db.LATEST_VERSION
    with con.cursor() as cur:
        assert cur.execute("SELECT tracking_no, citizen_name FROM complaints").fetchall() == [
            ("RWR-2026-000001", "राम")]
        assert cur.execute("SELECT count(*) FROM complaint_events").fetchall()[0][0] == 1
        # Version 2's column exists and its uniqueness holds.
        cur.execute("UPDATE complaints SET submission_token = 'abc' WHERE id = 1")
    con.close()
    # Opening again applies nothing twice.
    con = db.connect(path)
    with con.cursor() as cur:
        assert (cur.execute("SELECT list(version ORDER BY version) FROM schema_version").fetchall()[0][0]
                == list(range(1, db.LATEST_VERSION + 1)))
    con.close()


def test_submission_tokens_are_unique_after_upgrade(tmp_path):
    path = tmp_path / "old.duckdb"
    make_old_file(path)
    con = db.connect(path)
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET submission_token = 'same' WHERE id = 1")
        with pytest.raises(duckdb.ConstraintException):
            cur.execute("INSERT INTO complaints SELECT * REPLACE (2 AS id, 'RWR-2026-000002' AS tracking_no) FROM complaints")
    con.close()


def test_a_file_newer_than_the_app_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    con = db.connect(path)
    with con.cursor() as cur:
        cur.execute("INSERT INTO schema_version (version) VALUES (99)")
    con.close()
    with pytest.raises(RuntimeError, match="newer than this app"):
        db.connect(path)


def check_values(table: str, column: str) -> set[str]:
    """The values a CHECK (column IN (...)) of the schema allows."""
    import re
    sql = "\n".join(p.read_text() for p in sorted(MIGRATIONS_DIR.glob("*.sql")))
    block = sql[sql.index(f"CREATE TABLE IF NOT EXISTS {table} ("):]
    match = re.search(rf"CHECK \({column} IN \(([^)]*)\)\)", block)
    return set(re.findall(r"'([^']+)'", match.group(1)))


@pytest.mark.parametrize("table, column, enum", [
    ("complaints", "status", Status),
    ("complaints", "id_type", IdType),
    ("complaints", "hearing_mode", HearingMode),
    ("complaints", "language", Language),
    ("sms_outbox", "status", SmsStatus),
    ("documents", "content_type", ContentType),
])
def test_schema_checks_match_the_enums(table, column, enum):
    assert check_values(table, column) == {e.value for e in enum}
