"""The identity keys on the complaint row (migration 022): every way a complaint is written gives the keys
of its own identity, on both engines; complaints filed before the migration get theirs from it; and a
key two different citizens happen to share does not make their complaints the same citizen's."""
from __future__ import annotations

import random

import pytest

from lib.casework import duplicates
from lib.citizen.filing import file_complaint
from lib.db import identity_keys
from lib.db.connect import dialect, migrations, transaction
from lib.ops.seed import seed_complaints
from tests.casework.test_casework import people  # noqa: F401  (a fixture)
from tests.casework.test_duplicates import file, number, suggested  # noqa: F401  (file: a fixture)
from tests.conftest import make_form

pytestmark = pytest.mark.engines

KEYS_VERSION = 22


@pytest.fixture
def file_with_family_id(con, settings, choices):
    def _file(family_id: str) -> int:
        form = make_form(mobile="98111 22334", id_type="ppp", id_number=family_id)
        return file_complaint(con, settings, form, choices, track_url="https://x.example/t").complaint_id
    return _file


def keys_as_stored(con) -> list[tuple]:
    """(id_key, mobile_key, the keys of the row's own identity in Python) of every complaint."""
    with con.cursor() as cur:
        rows = cur.execute("SELECT id_key, mobile_key, aadhaar_hmac, ppp_id, mobile FROM complaints"
                           " ORDER BY id").fetchall()
    return [(id_key, mobile_key, identity_keys.keys(aadhaar, ppp, mobile)) for id_key, mobile_key, aadhaar, ppp, mobile in rows]


def test_seeded_and_filed_complaints_carry_the_keys_of_their_own_identity(con, file, file_with_family_id):
    seed_complaints(con, 40, random_seed=3)
    file(who=1)                                                    # Aadhaar
    file_with_family_id("AB12CD34")
    stored = keys_as_stored(con)
    assert len(stored) == 42
    with con.cursor() as cur:
        kinds = cur.execute("SELECT count(*) FILTER (WHERE aadhaar_hmac IS NOT NULL),"
                            " count(*) FILTER (WHERE ppp_id IS NOT NULL) FROM complaints").fetchone()
    assert min(kinds) > 0                                         # both kinds of ID are among them
    for id_key, mobile_key, (expected_id, expected_mobile) in stored:
        assert id_key is not None and mobile_key is not None
        assert (id_key, mobile_key) == (expected_id, expected_mobile)
    assert len({mobile_key for _, mobile_key, _ in stored}) > 30   # keys of different mobiles differ


def test_the_migration_gives_complaints_filed_before_it_their_keys(con, file, file_with_family_id):
    seed_complaints(con, 20, random_seed=4)
    file(who=1)
    file_with_family_id("T12AB34CD")
    with transaction(con) as cur:                                  # as before version 22
        cur.execute("UPDATE complaints SET id_key = NULL, mobile_key = NULL")
    sql_file = dict(migrations(dialect(con)))[KEYS_VERSION]
    with transaction(con) as cur:
        cur.execute(sql_file.read_text(encoding="utf-8"))
    stored = keys_as_stored(con)
    assert len(stored) == 22
    assert all((id_key, mobile_key) == expected for id_key, mobile_key, expected in stored)


def test_a_key_two_citizens_share_by_chance_does_not_make_them_one(con, people, file):
    subject = "हैंडपंप खराब है पानी नहीं आता"
    shown = file(who=1, subject=subject)
    # Another citizen, somewhere else, about the same thing: no reason to suggest it ...
    other = file(days_ago=3, who=2, subject=subject, ward=8, category_code="ROAD")
    same_citizen = file(days_ago=4, who=1, subject=subject, ward=9, category_code="ROAD")
    dc = people["dc_rewari"]
    assert suggested(con, dc, shown) == [number(con, same_citizen)]
    # ... even when both of their keys equal the first citizen's: the real columns decide.
    with transaction(con) as cur:
        cur.execute("UPDATE complaints SET id_key = (SELECT id_key FROM complaints WHERE id = ?),"
                    " mobile_key = (SELECT mobile_key FROM complaints WHERE id = ?) WHERE id = ?",
                    [shown, shown, other])
    assert suggested(con, dc, shown) == [number(con, same_citizen)]
    assert duplicates.counts_for(con, dc, [shown]) == {shown: 1}


def test_the_key_is_the_same_number_in_python_and_in_either_engines_sql(con):
    texts = ["+919876543210", "AB12CD34", "f" * 64, "अ"]
    expressions = ", ".join(identity_keys.key_sql(dialect(con), "?") for _ in texts)
    with con.cursor() as cur:
        from_sql = cur.execute(f"SELECT {expressions}", texts).fetchone()
    assert list(from_sql) == [identity_keys.key_of(t) for t in texts]
    assert all(0 <= k < 2 ** 60 for k in from_sql)
    assert identity_keys.key_of(None) is None
    assert len({identity_keys.key_of(str(random.Random(5).random() + i)) for i in range(1000)}) == 1000
