"""The admin's changes to accounts and departments: valid ones are saved with their audit entry, invalid ones save nothing."""
from __future__ import annotations

import bcrypt
import pytest

from lib.staff import administration as adm, signin
from lib.core.roles import Role
from lib.staff.administration import DepartmentEdit, NewUser
from lib.core.problems import InvalidInput

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

ADMIN = "admin_rewari"


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    """Cheap bcrypt rounds keep the tests fast; the hash format and checks stay real."""
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


@pytest.fixture
def db(con):
    signin.create_demo_users(con)
    return con


def audit_rows(con) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.action, e.target) for e in adm.recent_audit(con)]


def password_works(con, username: str, password: str) -> bool:
    stored = signin.credentials(con)["usernames"][username]["password"]
    return bcrypt.checkpw(password.encode(), stored.encode())


def snapshot(con):
    """Everything an admin's change may touch, to prove a refused change touched nothing."""
    return adm.list_users(con), adm.list_departments(con), adm.recent_audit(con), signin.credentials(con)


def new_user(**overrides) -> NewUser:
    fields = dict(username="xen_irrigation", display_name="XEN, Irrigation Rewari", role="officer",
                  department_code="IRR", password="Nahar@2026")
    fields.update(overrides)
    return NewUser(**fields)


def refused(con, operation, *args, **kwargs) -> set[tuple[str, str]]:
    """Run an operation that must be refused; return its (field, key) problems and check nothing changed."""
    before = snapshot(con)
    with pytest.raises(InvalidInput) as exc:
        operation(con, *args, **kwargs)
    assert snapshot(con) == before
    return {(p.field, p.key) for p in exc.value.problems}


# ---- adding users ----

def test_add_officer_is_listed_can_sign_in_and_is_audited(db):
    user = adm.add_user(db, new_user(), ADMIN)
    assert user.role == Role.OFFICER and user.department_code == "IRR"
    assert user in adm.list_users(db)
    assert signin.active_user(db, "xen_irrigation") == user
    assert password_works(db, "xen_irrigation", "Nahar@2026")
    assert audit_rows(db)[0] == (ADMIN, "user.add", "xen_irrigation")
    assert "Nahar@2026" not in (adm.recent_audit(db)[0].detail or "")


def test_add_analyst_without_department(db):
    user = adm.add_user(db, new_user(username="analyst2", role="analyst", department_code=None), ADMIN)
    assert user.department_code is None and user.role == Role.ANALYST


@pytest.mark.parametrize("username", ["ab", "a" * 33, "Officer_PHED", "officer-phed", "officer phed", "", "अधिकारी"])
def test_bad_usernames_are_refused(db, username):
    assert refused(db, adm.add_user, new_user(username=username), ADMIN) == {("username", "admin.error.username_format")}


@pytest.mark.parametrize("username", ["cli", "system", "citizen"])
def test_names_the_histories_use_for_non_accounts_are_reserved(db, username):
    assert refused(db, adm.add_user, new_user(username=username), ADMIN) \
        == {("username", "admin.error.username_reserved")}


def test_the_command_line_may_add_the_first_admin(con):
    """`lib.ops.cli add-user` acts as "cli" on a database with no accounts yet."""
    user = adm.add_user(con, new_user(username="it_cell", role="admin", department_code=None), adm.CONSOLE_ACTOR)
    assert signin.active_user(con, "it_cell") == user
    assert audit_rows(con)[0] == ("cli", "user.add", "it_cell")


def test_longest_and_shortest_usernames_are_fine(db):
    adm.add_user(db, new_user(username="abc"), ADMIN)
    adm.add_user(db, new_user(username="a_1" * 10 + "zz"), ADMIN)     # 32 characters
    assert {"abc", "a_1" * 10 + "zz"} <= {u.username for u in adm.list_users(db)}


def test_duplicate_username_is_refused(db):
    assert refused(db, adm.add_user, new_user(username="officer_phed", department_code="PHED"), ADMIN) \
        == {("username", "admin.error.username_taken")}


def test_officer_without_department_is_refused(db):
    assert refused(db, adm.add_user, new_user(department_code=None), ADMIN) \
        == {("department", "admin.error.department_required")}


@pytest.mark.parametrize("role, actor", [("dc", adm.CONSOLE_ACTOR), ("analyst", ADMIN), ("admin", ADMIN)])
def test_non_officer_with_department_is_refused(db, role, actor):
    assert refused(db, adm.add_user, new_user(role=role), actor) \
        == {("department", "admin.error.department_not_allowed")}


@pytest.mark.parametrize("role", ["public", "", None, "superuser"])
def test_only_account_roles_are_accepted(db, role):
    assert ("role", "admin.error.role_invalid") in refused(db, adm.add_user, new_user(role=role), ADMIN)


def test_unknown_and_inactive_departments_are_refused(db):
    assert refused(db, adm.add_user, new_user(department_code="NOPE"), ADMIN) \
        == {("department", "admin.error.department_unknown")}
    irr = next(d for d in adm.list_departments(db) if d.code == "IRR")
    adm.edit_department(db, "IRR", DepartmentEdit(irr.name_en, irr.name_hi, irr.officer_title_en or "",
                                                  irr.officer_title_hi or "", active=False), ADMIN)
    assert refused(db, adm.add_user, new_user(), ADMIN) == {("department", "admin.error.department_unknown")}


@pytest.mark.parametrize("password, key", [
    ("", "error.required"),
    ("Short@1", "admin.error.password_short"),           # 7 characters
    ("पासवर्ड" * 4, "admin.error.password_long"),          # 28 characters but 84 bytes
    ("x" * 73, "admin.error.password_long"),
    (" Nahar@2026", "admin.error.password_spaces"),
])
def test_bad_passwords_are_refused(db, password, key):
    assert refused(db, adm.add_user, new_user(password=password), ADMIN) == {("password", key)}


def test_password_limits_are_inclusive(db):
    adm.add_user(db, new_user(username="eight", password="8chars!!"), ADMIN)
    adm.add_user(db, new_user(username="long72", password="y" * 72), ADMIN)
    assert password_works(db, "eight", "8chars!!") and password_works(db, "long72", "y" * 72)


def test_every_problem_is_reported_at_once(db):
    problems = refused(db, adm.add_user, NewUser("officer_phed", "", "officer", None, "short"), ADMIN)
    assert problems == {("username", "admin.error.username_taken"), ("display_name", "error.required"),
                        ("department", "admin.error.department_required"),
                        ("password", "admin.error.password_short")}


# ---- deactivation ----

def test_deactivate_and_reactivate(db):
    adm.set_user_active(db, "officer_pwd", False, ADMIN)
    assert signin.active_user(db, "officer_pwd") is None
    assert "officer_pwd" not in signin.credentials(db)["usernames"]        # cannot sign in either
    assert audit_rows(db)[0] == (ADMIN, "user.deactivate", "officer_pwd")
    adm.set_user_active(db, "officer_pwd", True, ADMIN)
    assert signin.active_user(db, "officer_pwd").department_code == "PWD"
    assert audit_rows(db)[0] == (ADMIN, "user.reactivate", "officer_pwd")


def test_an_admin_cannot_deactivate_themself(db):
    assert refused(db, adm.set_user_active, ADMIN, False, ADMIN) == {("user", "admin.error.self_deactivate")}
    assert signin.active_user(db, ADMIN) is not None


def test_deactivating_twice_or_an_unknown_user_is_refused(db):
    adm.set_user_active(db, "officer_pwd", False, ADMIN)
    assert refused(db, adm.set_user_active, "officer_pwd", False, ADMIN) == {("user", "admin.error.no_change")}
    assert refused(db, adm.set_user_active, "nobody", False, ADMIN) == {("user", "admin.error.user_unknown")}


def test_only_an_active_admin_may_change_anything(db):
    """Checked in the change's own transaction: a callback runs before app.py re-reads the user."""
    adm.add_user(db, new_user(username="it_head", role="admin", department_code=None), ADMIN)
    adm.set_user_active(db, ADMIN, False, "it_head")
    refusal = {("user", "admin.error.not_admin")}
    for actor in (ADMIN, "dc_rewari", "officer_phed", "nobody"):
        assert refused(db, adm.add_user, new_user(), actor) == refusal
        assert refused(db, adm.set_user_active, "officer_pwd", False, actor) == refusal
        assert refused(db, adm.reset_password, "officer_pwd", "Good@Password1", actor) == refusal
        assert refused(db, adm.change_role, "officer_pwd", "dc", None, actor) == refusal
        assert refused(db, adm.edit_department, "PHED", edit_of(db, "PHED", name_en="Water"), actor) == refusal


# ---- passwords ----

def test_reset_password_replaces_the_old_one(db):
    adm.reset_password(db, "officer_dp", "Gaon@Rewari1", ADMIN)
    assert password_works(db, "officer_dp", "Gaon@Rewari1")
    assert not password_works(db, "officer_dp", signin.DEMO_PASSWORD)
    entry = adm.recent_audit(db)[0]
    assert (entry.actor, entry.action, entry.target) == (ADMIN, "user.reset_password", "officer_dp")
    assert "Gaon@Rewari1" not in (entry.detail or "")


def test_reset_password_refuses_bad_passwords_and_unknown_users(db):
    assert refused(db, adm.reset_password, "officer_dp", "short", ADMIN) == {("password", "admin.error.password_short")}
    assert refused(db, adm.reset_password, "nobody", "Good@Password1", ADMIN) == {("user", "admin.error.user_unknown")}
    assert password_works(db, "officer_dp", signin.DEMO_PASSWORD)


# ---- roles and departments of users ----

def test_change_department_of_an_officer(db):
    user = adm.change_role(db, "officer_ulb", "officer", "TCP", ADMIN)
    assert user.department_code == "TCP"
    assert signin.active_user(db, "officer_ulb").department_code == "TCP"
    entry = adm.recent_audit(db)[0]
    assert (entry.action, entry.target) == ("user.change_role", "officer_ulb")
    assert "ULB → TCP" in entry.detail


def test_officer_promoted_to_dc_loses_the_department(db):
    adm.change_role(db, "officer_ulb", "dc", None, adm.CONSOLE_ACTOR)
    user = signin.active_user(db, "officer_ulb")
    assert (user.role, user.department_code) == (Role.DC, None)


def test_role_changes_follow_the_department_rules(db):
    assert refused(db, adm.change_role, "analyst_rewari", "officer", None, ADMIN) \
        == {("department", "admin.error.department_required")}
    assert refused(db, adm.change_role, "officer_ulb", "analyst", "ULB", ADMIN) \
        == {("department", "admin.error.department_not_allowed")}
    assert refused(db, adm.change_role, "officer_ulb", "officer", "ULB", ADMIN) == {("role", "admin.error.no_change")}
    assert refused(db, adm.change_role, "officer_ulb", "public", None, ADMIN) == {("role", "admin.error.role_invalid")}
    assert refused(db, adm.change_role, "nobody", "dc", None, ADMIN) == {("user", "admin.error.user_unknown")}


def test_an_admin_cannot_change_their_own_role(db):
    assert refused(db, adm.change_role, ADMIN, "analyst", None, ADMIN) == {("role", "admin.error.self_role")}


# ---- departments ----

def edit_of(con, code: str, **changes) -> DepartmentEdit:
    d = next(d for d in adm.list_departments(con) if d.code == code)
    fields = dict(name_en=d.name_en, name_hi=d.name_hi, officer_title_en=d.officer_title_en or "",
                  officer_title_hi=d.officer_title_hi or "", active=d.active)
    fields.update(changes)
    return DepartmentEdit(**fields)


def test_rename_and_set_titles_reach_the_filing_form(db):
    from lib.citizen.filing import load_form_choices
    adm.edit_department(db, "PHED", edit_of(db, "PHED", name_en="Public Health Engineering (Water)",
                                            name_hi="जन स्वास्थ्य अभियांत्रिकी (जल)",
                                            officer_title_en="XEN, PHED", officer_title_hi="कार्यकारी अभियंता"), ADMIN)
    assert load_form_choices(db).departments["PHED"] == ("Public Health Engineering (Water)",
                                                         "जन स्वास्थ्य अभियांत्रिकी (जल)")
    d = next(d for d in adm.list_departments(db) if d.code == "PHED")
    assert (d.officer_title_en, d.officer_title_hi) == ("XEN, PHED", "कार्यकारी अभियंता")
    entry = adm.recent_audit(db)[0]
    assert (entry.actor, entry.action, entry.target) == (ADMIN, "department.edit", "PHED")
    assert "name_en" in entry.detail and "active" not in entry.detail


def test_deactivated_department_leaves_the_form_and_comes_back(db):
    from lib.citizen.filing import load_form_choices
    adm.edit_department(db, "MINES", edit_of(db, "MINES", active=False), ADMIN)
    assert "MINES" not in load_form_choices(db).departments
    assert any(d.code == "MINES" and not d.active for d in adm.list_departments(db))   # still listed for the admin
    adm.edit_department(db, "MINES", edit_of(db, "MINES", active=True), ADMIN)
    assert "MINES" in load_form_choices(db).departments


@pytest.mark.parametrize("changes, problem", [
    ({"name_en": " "}, ("name_en", "error.required")),
    ({"name_en": "X"}, ("name_en", "error.too_short")),
    ({"name_hi": ""}, ("name_hi", "error.required")),
    ({"name_hi": "Public Health"}, ("name_hi", "admin.error.hindi_script")),
    ({"officer_title_hi": "XEN"}, ("officer_title_hi", "admin.error.hindi_script")),
    ({"officer_title_en": "x" * 201}, ("officer_title_en", "error.too_long")),
    ({"name_en": "public works (buildings and roads)"}, ("name_en", "admin.error.department_name_taken")),
    ({}, ("department", "admin.error.no_change")),
])
def test_bad_department_edits_are_refused(db, changes, problem):
    assert refused(db, adm.edit_department, "PHED", edit_of(db, "PHED", **changes), ADMIN) == {problem}


def test_unknown_department_is_refused(db):
    assert refused(db, adm.edit_department, "NOPE", edit_of(db, "PHED"), ADMIN) \
        == {("department", "admin.error.department_unknown")}


def test_an_optional_title_can_be_cleared(db):
    adm.edit_department(db, "PHED", edit_of(db, "PHED", officer_title_en="", officer_title_hi=""), ADMIN)
    d = next(d for d in adm.list_departments(db) if d.code == "PHED")
    assert (d.officer_title_en, d.officer_title_hi) == (None, None)


def test_audit_trail_is_newest_first(db):
    adm.set_user_active(db, "officer_pwd", False, ADMIN)
    adm.reset_password(db, "officer_dp", "Gaon@Rewari1", ADMIN)
    assert [a for _, a, _ in audit_rows(db)][:2] == ["user.reset_password", "user.deactivate"]


# ---- dc accounts: only from the server's command line (issue #10) ----

def test_the_admin_page_cannot_create_a_dc_account(db):
    assert refused(db, adm.add_user, new_user(username="dc_clerk", role="dc", department_code=None), ADMIN) \
        == {("role", "admin.error.dc_console_only")}


def test_the_admin_page_cannot_reset_a_dc_password(db):
    assert refused(db, adm.reset_password, "dc_rewari", "Taken@Over1", ADMIN) \
        == {("password", "admin.error.dc_console_only")}
    assert not password_works(db, "dc_rewari", "Taken@Over1")


@pytest.mark.parametrize("username", ["officer_phed", "analyst_rewari"])
def test_the_admin_page_cannot_make_anyone_dc(db, username):
    assert ("role", "admin.error.dc_console_only") in refused(db, adm.change_role, username, "dc", None, ADMIN)


def test_the_console_may_create_reset_and_grant_dc(db):
    adm.add_user(db, new_user(username="dc_clerk", role="dc", department_code=None), adm.CONSOLE_ACTOR)
    adm.reset_password(db, "dc_rewari", "Console@2026", adm.CONSOLE_ACTOR)
    adm.change_role(db, "analyst_rewari", "dc", None, adm.CONSOLE_ACTOR)
    assert password_works(db, "dc_rewari", "Console@2026")
    assert {u.username for u in adm.list_users(db) if u.role == Role.DC} == {"dc_rewari", "dc_clerk", "analyst_rewari"}
    assert audit_rows(db)[:3] == [("cli", "user.change_role", "analyst_rewari"),
                                  ("cli", "user.reset_password", "dc_rewari"), ("cli", "user.add", "dc_clerk")]
