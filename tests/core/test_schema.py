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


# Columns that must stay unique when a row is copied to try a value.
UNIQUE_COLUMNS = {"complaints": ("tracking_no", "submission_token"), "documents": ("stored_name",),
                  "sms_outbox": ("idempotency_key",), "hearings": ("room",)}


def values_the_database_takes(con, table: str, column: str, candidates) -> set[str]:
    """Which of `candidates` the migrated database lets into table.column: each is inserted as a copy
    of an existing row with only that value (and a new id and unique fields) changed, then rolled back."""
    fresh = ", ".join([f"(SELECT max(id) + 1 FROM {table}) AS id"]
                      + [f"gen_random_uuid()::VARCHAR AS {c}" for c in UNIQUE_COLUMNS.get(table, ())])
    taken = set()
    with con.cursor() as cur:
        assert cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0, f"no {table} row to copy"
        for value in candidates:
            cur.execute("BEGIN")
            try:
                cur.execute(f"INSERT INTO {table} SELECT * REPLACE (? AS {column}, {fresh}) FROM {table} LIMIT 1",
                            [value])
                taken.add(value)
            except duckdb.ConstraintException as refused:
                assert "CHECK constraint" in str(refused), refused      # refused by the CHECK, nothing else
            finally:
                cur.execute("ROLLBACK")
    return taken


def bogus_values(enum) -> list[str]:
    member = next(iter(enum)).value
    return ["bogus", "", member.upper(), f" {member}", f"{member}x"]


@pytest.fixture
def filed(con, settings, choices):
    """A migrated portal database with a complaint of each ID type: rows in complaints, documents and
    sms_outbox, as filing writes them."""
    from lib.citizen.filing import file_complaint
    from tests.conftest import make_form

    for form in (make_form(), make_form(id_type="ppp", id_number="ABCD1234", language="en",
                                        hearing_mode="in_person")):
        file_complaint(con, settings, form, choices, track_url="http://x/track")
    return con


@pytest.mark.parametrize("table, column, enum", [
    ("complaints", "status", Status),
    ("complaints", "hearing_mode", HearingMode),
    ("complaints", "language", Language),
    ("sms_outbox", "status", SmsStatus),
    ("sms_outbox", "language", Language),
    ("documents", "content_type", ContentType),
])
def test_the_database_takes_every_member_of_the_enum_and_refuses_anything_else(filed, table, column, enum):
    members = {e.value for e in enum}
    assert values_the_database_takes(filed, table, column, [*members, *bogus_values(enum)]) == members


def test_the_database_refuses_an_id_type_outside_the_enum(filed):
    # Both members are in already (filed above, through the app); a third kind of ID is refused.
    with filed.cursor() as cur:
        assert {r[0] for r in cur.execute("SELECT id_type FROM complaints").fetchall()} == {e.value for e in IdType}
    assert values_the_database_takes(filed, "complaints", "id_type", bogus_values(IdType)) == set()
