"""Loading and reading the district's reference data: tehsils, villages and towns, departments, categories."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from lib.core.config import REFERENCE_DIR
from lib.db.connect import dialect, fetch_value
from lib.core.places import Place, Tehsil

DISTRICT_LGD = 72   # Rewari in the Local Government Directory


def load_reference_data(cur: duckdb.DuckDBPyConnection, reference_dir: Path = REFERENCE_DIR) -> None:
    """Fill the reference tables from data/reference/*.csv if they are empty (idempotent); in a
    database that has them, bring the places' LGD facts up to date (never their names)."""
    if fetch_value(cur, "SELECT count(*) FROM places"):
        refresh_place_facts(cur, reference_dir)
        return
    sub = pd.read_csv(reference_dir / "haryana_subdistricts.csv", dtype=str)
    sub = sub[sub["district_lgd"] == str(DISTRICT_LGD)]
    tehsils = pd.DataFrame({
        "lgd_code": sub["subdistrict_lgd"].astype(int),
        # LGD writes sub-tehsils as "Dahina ST"; the level column says so already.
        "name_en": sub["subdistrict"].str.removesuffix(" ST"),
        "name_hi": sub["name_hi"].where(sub["name_hi"].notna(), None),
        "level": sub["level"],
    })
    places = _places_frame(reference_dir)
    dep = pd.read_csv(reference_dir / "haryana_departments.csv", dtype=str)
    cat = pd.read_csv(reference_dir / "categories.csv", dtype=str)
    cat["position"] = range(1, len(cat) + 1)            # the file's order, which the form keeps
    if dialect(cur) == "postgres":
        cur.copy_frame("tehsils", ["lgd_code", "name_en", "name_hi", "level"], tehsils)
        cur.copy_frame("places", PLACE_COLUMNS, places[PLACE_COLUMNS])
        cur.copy_frame("departments", ["code", "name_en", "name_hi", "officer_title_en", "officer_title_hi"],
                       dep[["code", "name_en", "name_hi", "district_officer_title_en", "district_officer_title_hi"]])
        cur.copy_frame("categories", CATEGORY_COLUMNS, cat[CATEGORY_COLUMNS])
        return
    cur.register("tehsils_df", tehsils)
    cur.execute("INSERT INTO tehsils SELECT lgd_code, name_en, name_hi, level FROM tehsils_df")
    cur.register("places_df", places)
    cur.execute("INSERT INTO places (lgd_code, tehsil_lgd, kind, name_en, name_hi, wards, census2011_code,"
                " hadbast_no, subtehsil_lgd, in_district) SELECT lgd_code, tehsil_lgd, kind, name_en, name_hi,"
                " wards, census2011_code, hadbast_no, subtehsil_lgd, in_district FROM places_df")
    cur.register("departments_df", dep)
    cur.execute("INSERT INTO departments (code, name_en, name_hi, officer_title_en, officer_title_hi)"
                " SELECT code, name_en, name_hi, district_officer_title_en, district_officer_title_hi"
                " FROM departments_df")
    cur.register("categories_df", cat)
    cur.execute(f"INSERT INTO categories ({', '.join(CATEGORY_COLUMNS)})"
                f" SELECT {', '.join(CATEGORY_COLUMNS)} FROM categories_df")
    for name in ("tehsils_df", "places_df", "departments_df", "categories_df"):
        cur.unregister(name)


CATEGORY_COLUMNS = ["code", "name_en", "name_hi", "department_code", "position"]
PLACE_COLUMNS = ["lgd_code", "tehsil_lgd", "kind", "name_en", "name_hi", "wards", "census2011_code",
                 "hadbast_no", "subtehsil_lgd", "in_district"]
PLACE_FACTS_UPDATE = (
    "UPDATE places SET tehsil_lgd = ?, subtehsil_lgd = ?, census2011_code = ?, in_district = ?"
    " WHERE lgd_code = ? AND (tehsil_lgd IS DISTINCT FROM ? OR subtehsil_lgd IS DISTINCT FROM ?"
    " OR census2011_code IS DISTINCT FROM ? OR in_district IS DISTINCT FROM ?)")


def _places_frame(reference_dir: Path) -> pd.DataFrame:
    loc = pd.read_csv(reference_dir / "rewari_locations.csv", dtype=str)
    return pd.DataFrame({
        "lgd_code": loc["lgd_code"].astype(int),
        "tehsil_lgd": loc["subdistrict_lgd"].astype(int),
        "kind": loc["kind"],
        "name_en": loc["village_or_town"],
        "name_hi": loc["name_hi"].where(loc["name_hi"].notna(), None),
        "wards": pd.to_numeric(loc["wards"]).astype("Int64"),
        "census2011_code": loc["census2011_code"].where(loc["census2011_code"].notna(), None),
        "hadbast_no": loc["hadbast_no"].where(loc["hadbast_no"].notna(), None),
        "subtehsil_lgd": pd.to_numeric(loc["subtehsil_lgd"]).astype("Int64"),
        "in_district": loc["in_district"].str.lower() == "true",
    })


def refresh_place_facts(cur: duckdb.DuckDBPyConnection, reference_dir: Path = REFERENCE_DIR) -> None:
    """Tehsil, sub-tehsil, Census code and district membership from the reference file, for places the
    database already has. Names are left alone: the district's staff edit the Hindi ones."""
    if dialect(cur) == "postgres":
        facts = _places_frame(reference_dir)[["lgd_code", "tehsil_lgd", "subtehsil_lgd", "census2011_code", "in_district"]]
        facts = facts.astype(object).where(facts.notna(), None)
        cur.executemany(PLACE_FACTS_UPDATE, [(t, s, c, d, code, t, s, c, d)
                                             for code, t, s, c, d in facts.itertuples(index=False, name=None)])
        return
    cur.register("place_facts_df", _places_frame(reference_dir))
    try:
        cur.execute(
            "UPDATE places SET tehsil_lgd = f.tehsil_lgd, subtehsil_lgd = f.subtehsil_lgd,"
            " census2011_code = f.census2011_code, in_district = f.in_district FROM place_facts_df f"
            " WHERE places.lgd_code = f.lgd_code AND (places.tehsil_lgd IS DISTINCT FROM f.tehsil_lgd"
            " OR places.subtehsil_lgd IS DISTINCT FROM f.subtehsil_lgd"
            " OR places.census2011_code IS DISTINCT FROM f.census2011_code"
            " OR places.in_district IS DISTINCT FROM f.in_district)")
    finally:
        cur.unregister("place_facts_df")


def list_tehsils(cur: duckdb.DuckDBPyConnection) -> list[Tehsil]:
    """Tehsils and sub-tehsils that have at least one village or town of the district, by name."""
    rows = cur.execute(
        "SELECT t.lgd_code, t.name_en, t.name_hi, t.level FROM tehsils t"
        " WHERE EXISTS (SELECT 1 FROM places p WHERE p.tehsil_lgd = t.lgd_code AND p.in_district)"
        " ORDER BY t.name_en").fetchall()
    return [Tehsil(*r) for r in rows]


def list_places(cur: duckdb.DuckDBPyConnection, tehsil_lgd: int | None = None) -> list[Place]:
    """Villages and towns of the district (towns first, then villages by name), optionally of one
    tehsil. Places LGD puts in another district are left out: a new complaint cannot name them."""
    sql = ("SELECT lgd_code, tehsil_lgd, kind, name_en, name_hi, wards FROM places WHERE in_district"
           + (" AND tehsil_lgd = ?" if tehsil_lgd is not None else "")
           + " ORDER BY kind = 'village', name_en, lgd_code")
    rows = cur.execute(sql, [tehsil_lgd] if tehsil_lgd is not None else []).fetchall()
    return [Place(*r) for r in rows]


def list_departments(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(code, name_en, name_hi) of active departments, in English alphabetical order."""
    return cur.execute("SELECT code, name_en, name_hi FROM departments WHERE active ORDER BY name_en").fetchall()


def list_categories(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None]]:
    """(code, name_en, name_hi, usual department) in the reference file's order ("Something else" last)."""
    return cur.execute(
        "SELECT code, name_en, name_hi, department_code FROM categories"
        f" ORDER BY {CATEGORY_ORDER}").fetchall()


# The reference file's order of the categories (migration 013), "Something else" last.
CATEGORY_ORDER = "code = 'OTHER', position, code"


# ---- Hindi names of places, edited by the admin ----

PLACE_ROW = "lgd_code, name_en, name_hi, kind, tehsil_lgd, subtehsil_lgd, census2011_code, in_district"


def list_place_rows(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every place, those of other districts too, for the admin's list: ({PLACE_ROW})."""
    return cur.execute(f"SELECT {PLACE_ROW} FROM places ORDER BY kind = 'village', name_en, lgd_code").fetchall()


def place_names(cur: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str | None]]:
    """lgd_code -> (name_en, name_hi) of every place."""
    return {code: (en, hi) for code, en, hi in cur.execute("SELECT lgd_code, name_en, name_hi FROM places").fetchall()}


def set_place_name_hi(cur: duckdb.DuckDBPyConnection, lgd_code: int, name_hi: str | None) -> None:
    cur.execute("UPDATE places SET name_hi = ? WHERE lgd_code = ?", [name_hi, lgd_code])
