"""Hindi names of places: one at a time or from a CSV file, checked whole, audited; and the LGD
corrections of the reference data (sub-tehsils, Census codes, the two Jhajjar villages)."""
from __future__ import annotations

import pytest

from lib.core.problems import InvalidInput
from lib.db import reference as reference_db
from lib.staff import place_names, signin

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

ADMIN = "admin_rewari"


@pytest.fixture
def db(con):
    signin.create_demo_users(con)
    return con


def names(con) -> dict[int, str | None]:
    return {p.lgd_code: p.name_hi for p in place_names.list_places(con)}


def audit(con) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute("SELECT actor, action, target FROM audit_log ORDER BY id").fetchall()


def csv_of(*rows: str, header: str = "lgd_code,name_en,name_hi") -> bytes:
    return "\n".join([header, *rows]).encode()


def khursaid_code(con) -> int:
    return next(p.lgd_code for p in place_names.list_places(con) if p.name_en == "Khursaid Nagar")


def test_set_a_hindi_name_and_it_reaches_the_form_and_the_audit(db):
    code = khursaid_code(db)
    place_names.set_name_hi(db, code, "  खुरशैद   नगर ", ADMIN)
    assert names(db)[code] == "खुरशैद नगर"
    with db.cursor() as cur:
        assert next(p for p in reference_db.list_places(cur) if p.lgd_code == code).name_hi == "खुरशैद नगर"
    assert audit(db) == [(ADMIN, "place.name_hi", str(code))]


@pytest.mark.parametrize("typed, key", [("Khursaid Nagar", "admin.error.hindi_script"),
                                        ("खुरशैद Nagar", "admin.error.hindi_script"),
                                        ("न" * 101, "admin.places.error.too_long")])
def test_a_name_that_is_not_hindi_is_refused(db, typed, key):
    code = khursaid_code(db)
    with pytest.raises(InvalidInput) as exc:
        place_names.set_name_hi(db, code, typed, ADMIN)
    assert exc.value.keys == {key}
    assert names(db)[code] is None and audit(db) == []


def test_only_an_admin_sets_names(db):
    with pytest.raises(InvalidInput) as exc:
        place_names.set_name_hi(db, khursaid_code(db), "खुरशैद नगर", "officer_phed")
    assert exc.value.keys == {"admin.error.not_admin"}


def test_export_then_import_round_trip(db):
    code = khursaid_code(db)
    exported = place_names.export_csv(db).decode("utf-8-sig").splitlines()
    assert exported[0] == "lgd_code,name_en,name_hi"
    assert "248569,Rewari,रेवाड़ी" in exported and f"{code},Khursaid Nagar," in exported
    edited = [line + "खुरशैद नगर" if line == f"{code},Khursaid Nagar," else line for line in exported]
    assert place_names.import_csv(db, "\r\n".join(edited).encode("utf-8-sig"), ADMIN) == 1
    assert names(db)[code] == "खुरशैद नगर" and names(db)[248569] == "रेवाड़ी"
    assert audit(db) == [(ADMIN, "place.name_hi", str(code))]


def test_a_file_with_bad_rows_names_each_and_writes_nothing(db):
    code = khursaid_code(db)
    data = csv_of(f"{code},Khursaid Nagar,खुरशैद नगर",        # good, but the file is refused whole
                  "999999,Nowhere,कहीं नहीं",
                  f"{code},Khursaid Nagar,खुरशैद",
                  "248571,Rewari,बावल",
                  "248568,Dharuhera,Dharuhera")
    with pytest.raises(InvalidInput) as exc:
        place_names.import_csv(db, data, ADMIN)
    assert [(p.key, p.params.get("row")) for p in exc.value.problems] == [
        ("admin.places.error.row_unknown_code", 3), ("admin.places.error.row_repeated", 4),
        ("admin.places.error.row_name_en", 5), ("admin.places.error.row_hindi_script", 6)]
    assert names(db)[code] is None and audit(db) == []


@pytest.mark.parametrize("data, key", [
    (csv_of("1,a,b", header="code,name,hindi"), "admin.places.error.columns"),
    (csv_of(), "admin.places.error.empty"),
    ("lgd_code,name_en,name_hi\n1,a,\xe0".encode("latin-1"), "admin.places.error.not_utf8"),
])
def test_a_file_that_is_not_the_list_is_refused(db, data, key):
    with pytest.raises(InvalidInput) as exc:
        place_names.import_csv(db, data, ADMIN)
    assert exc.value.keys == {key}


# ---- the reference data as LGD 2022 has it ----

def test_villages_know_their_lgd_sub_tehsil_and_census_code(db):
    rows = {p.lgd_code: p for p in place_names.list_places(db)}
    assert rows[62439].tehsil_lgd == 414 and rows[62439].subtehsil_lgd == 6418       # Shadipur (254), Palhawas ST
    assert rows[62383].tehsil_lgd == 413 and rows[62383].subtehsil_lgd is None       # Shadipur (178), Kosli
    assert rows[62722].census2011_code == "062722"
    assert rows[934393].census2011_code is None                                      # formed after 2011
    assert {p.subtehsil_lgd for p in rows.values()} == {None, 6418, 6463, 6464, 6465, 6466}


def test_the_jhajjar_villages_are_kept_but_not_offered(db):
    rows = {p.lgd_code: p for p in place_names.list_places(db)}
    assert not rows[61902].in_district and not rows[61903].in_district
    with db.cursor() as cur:
        offered = {p.lgd_code for p in reference_db.list_places(cur)}
    assert 61902 not in offered and 61903 not in offered and 62439 in offered


def test_an_older_database_gets_the_corrections_on_start(db):
    with db.cursor() as cur:
        cur.execute("UPDATE places SET subtehsil_lgd = NULL, tehsil_lgd = 413, in_district = true,"
                    " name_hi = 'शादीपुर' WHERE lgd_code = 62439")
        reference_db.load_reference_data(cur)
    row = next(p for p in place_names.list_places(db) if p.lgd_code == 62439)
    assert (row.tehsil_lgd, row.subtehsil_lgd, row.name_hi) == (414, 6418, "शादीपुर")   # the name is the staff's
