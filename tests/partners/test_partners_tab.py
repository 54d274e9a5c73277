"""The admin page's Partner systems tab through AppTest: a key is shown once and stored hashed, a bad
name is refused beside its field with nothing saved, a revoked key is refused by the API."""
from __future__ import annotations

import pytest

from lib.core.config import load_settings
from lib.ops.startup import open_portal_database
from lib.partners import keys
from tests.staff.test_admin_page import errors, open_admin, quick_bcrypt  # noqa: F401

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL


def tables(at) -> list:
    """The page's tables that AppTest can read back (the Places tab's mixed column it cannot)."""
    found = []
    for d in at.dataframe:
        try:
            found.append(d.value)
        except Exception:  # noqa: BLE001
            continue
    return found


def table(at, column: str):
    return next(t for t in tables(at) if column in t.columns)


def texts(at) -> list[str]:
    return [e.value for kind in (at.markdown, at.caption, at.error, at.success, at.warning, at.code)
            for e in kind] + [t.to_csv() for t in tables(at)]


def db():
    from lib.ui import connection          # the app's own cached connection
    return connection()


def db_row(sql: str) -> tuple | None:
    with db().cursor() as cur:
        return cur.execute(sql).fetchone()


def shown_keys(at) -> list[str]:
    return [c.value for c in at.code if c.value.startswith(keys.KEY_PREFIX)]


def create(at, name: str):
    at.text_input(key="partner_name").input(name)
    at.button(key="partner_create_submit").click().run()
    assert not at.exception
    return at


@pytest.fixture
def admin(demo_users):
    return open_admin()


def test_a_new_key_is_shown_once_and_only_its_hash_is_kept(admin):
    create(admin, "cm_window")
    assert admin.success[0].value == "Partner system cm_window added."
    [shown] = shown_keys(admin)
    assert shown.startswith("rwr_")
    row = db_row("SELECT key_hash, key_prefix, created_by FROM partners WHERE name = 'cm_window'")
    assert row == (keys.key_hash(shown), shown[:keys.PREFIX_SHOWN], "admin_rewari")
    assert keys.partner_of_key(db(), shown).channel == "api:cm_window"
    listed = table(admin, "Channel").set_index("Name (short code)")
    assert listed.loc["cm_window", "Channel"] == "api:cm_window"
    assert listed.loc["cm_window", "Key begins"] == shown[:keys.PREFIX_SHOWN] + "…"
    admin.run()                                              # the next run: the key is gone for good
    assert shown_keys(admin) == []
    assert not any(shown in text for text in texts(admin))


def test_a_bad_or_taken_name_is_refused_and_nothing_is_saved(admin):
    create(admin, "Bad Name!")
    assert errors(admin) == ["Use 3 to 32 lower-case letters, digits or _, starting with a letter."]
    assert db_row("SELECT count(*) FROM partners") == (0,)
    create(admin, "csc_bawal")
    create(admin, "csc_bawal")
    assert errors(admin) == ["A partner system with this name exists already."]
    assert db_row("SELECT count(*) FROM partners") == (1,)


def test_revoking_a_key_refuses_it_and_is_audited(admin):
    create(admin, "csc_kosli")
    [key] = shown_keys(admin)
    admin.button(key="partner_revoke_submit").click().run()
    assert errors(admin) == ["Pick a partner system first."]
    partner_id = keys.partner_of_key(db(), key).id
    admin.selectbox(key="partner_revoke").set_value(partner_id).run()
    admin.button(key="partner_revoke_submit").click().run()
    assert not admin.exception
    assert "Key revoked: its next call is refused." in [s.value for s in admin.success]
    with pytest.raises(keys.KeyRefused):
        keys.partner_of_key(db(), key)
    assert table(admin, "Channel").set_index("Name (short code)").loc["csc_kosli", "Revoked"] != "—"
    assert admin.selectbox(key="partner_revoke").options == []
    audit = table(admin, "Action")
    assert {("partner.create", "csc_kosli"), ("partner.revoke", "csc_kosli")} <= set(
        audit[["Action", "On"]].itertuples(index=False, name=None))


def test_the_tab_speaks_hindi(demo_users):
    at = open_admin("hi")
    assert "सहयोगी प्रणालियाँ" in [tab.label for tab in at.tabs]
    create(at, "x")
    assert errors(at) == ["3 से 32 छोटे अंग्रेज़ी अक्षर, अंक या _ लिखें, पहला अक्षर हो।"]
