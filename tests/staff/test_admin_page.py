"""The admin page through AppTest: accounts, departments, deadlines and holidays, audit trail, who may open it."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import bcrypt
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.staff import signin
from lib.core.roles import Role
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from tests.conftest import make_form

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


def open_admin(language: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin_rewari"
    at.session_state["language"] = language
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def admin(demo_users) -> AppTest:
    return open_admin()


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(at: AppTest) -> list[str]:
    """Everything the page shows as text, tables included."""
    shown = [e.value for kind in (at.title, at.subheader, at.markdown, at.caption, at.error, at.success,
                                  at.info, at.warning) for e in kind]
    shown += [d.value.to_csv() for d in at.dataframe]
    shown += [str(o) for s in at.selectbox for o in s.options]
    return shown


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def connection():
    from lib.ui import connection as app_connection      # the app's own cached connection
    return app_connection()


def fill_new_user(at: AppTest, username="xen_irrigation", name="XEN, Irrigation Rewari", role="officer",
                  department="IRR", password="Nahar@2026") -> None:
    at.text_input(key="new_username").input(username)
    at.text_input(key="new_display_name").input(name)
    at.selectbox(key="new_role").set_value(role)
    at.selectbox(key="new_department").set_value(department)
    at.text_input(key="new_password").input(password)


# ---- users ----

def test_admin_sees_the_tabs_and_every_user_without_hashes(admin):
    assert [tab.label for tab in admin.tabs] == ["Users", "Departments", "Deadlines & holidays", "Audit trail",
                                                 t("en", "backup.tab"), "Hearing rules", "Places",
                                                 "Partner systems", "Escalation"]
    users = table(admin, "Username")
    assert set(users["Username"]) == {u.username for u in signin.DEMO_USERS}
    assert users.set_index("Username").loc["officer_phed", "Role"] == "Department officer"
    assert "$2b$" not in "".join(texts(admin))


def test_add_a_user_through_the_form_and_see_it_listed(admin):
    fill_new_user(admin)
    admin.button(key="add_user_submit").click().run()
    assert not admin.exception
    assert admin.success[0].value == "User xen_irrigation added."
    row = table(admin, "Username").set_index("Username").loc["xen_irrigation"]
    assert (row["Name shown in the portal"], row["Role"], row["Active"]) == ("XEN, Irrigation Rewari",
                                                                            "Department officer", "Yes")
    assert "Irrigation" in row["Department"]
    # The form is empty again for the next user, and the password is not kept in the session.
    assert admin.text_input(key="new_username").value == ""
    assert admin.text_input(key="new_password").value == ""
    # The new officer can sign in and is in the audit trail.
    assert signin.active_user(connection(), "xen_irrigation").department_code == "IRR"
    audit = table(admin, "Action")
    assert (audit.iloc[0]["Who"], audit.iloc[0]["Action"], audit.iloc[0]["On"]) == (
        "admin_rewari", "user.add", "xen_irrigation")


def test_bad_input_shows_each_problem_beside_its_field(admin):
    fill_new_user(admin, username="Bad Name", name="", role="analyst", department="PHED", password="short")
    admin.button(key="add_user_submit").click().run()
    assert not admin.exception
    assert errors(admin) == [
        "Use 3 to 32 characters: lowercase English letters, digits and _.",
        "This is required.",
        'Only department officers belong to a department; choose "— none —".',
        "The password needs at least 8 characters.",
    ]
    assert not admin.success
    assert "Bad Name" not in set(table(admin, "Username")["Username"])
    # What was typed is kept (except the password), so only the marked fields need fixing.
    assert admin.text_input(key="new_username").value == "Bad Name"
    assert admin.text_input(key="new_password").value == ""


def test_problems_are_shown_in_hindi_for_a_hindi_session(demo_users):
    at = open_admin("hi")
    fill_new_user(at, username="officer_phed", department=None)
    at.button(key="add_user_submit").click().run()
    assert errors(at) == ["यह यूज़रनेम पहले से लिया जा चुका है।", "विभागीय अधिकारी के लिए विभाग चुनना ज़रूरी है।"]
    assert at.tabs[0].label == "उपयोगकर्ता"


def test_deactivate_reactivate_and_reset_password(admin):
    admin.selectbox(key="manage_user").set_value("officer_pwd").run()
    admin.button(key="deactivate_officer_pwd").click().run()
    assert admin.success[0].value == "officer_pwd is deactivated and will be signed out."
    assert table(admin, "Username").set_index("Username").loc["officer_pwd", "Active"] == "No"
    assert signin.active_user(connection(), "officer_pwd") is None

    admin.button(key="reactivate_officer_pwd").click().run()
    assert signin.active_user(connection(), "officer_pwd") is not None

    admin.text_input(key="reset_password_officer_pwd").input("Sadak@2026")
    admin.button(key="password_submit_officer_pwd").click().run()
    assert admin.success[0].value == "New password set for officer_pwd."
    stored = signin.credentials(connection())["usernames"]["officer_pwd"]["password"]
    assert bcrypt.checkpw(b"Sadak@2026", stored.encode())


def test_the_admin_cannot_deactivate_themself(admin):
    admin.selectbox(key="manage_user").set_value("admin_rewari").run()
    admin.button(key="deactivate_admin_rewari").click().run()
    assert errors(admin) == ["You cannot deactivate your own account."]
    assert signin.active_user(connection(), "admin_rewari") is not None


def test_change_an_officers_department(admin):
    admin.selectbox(key="manage_user").set_value("officer_ulb").run()
    admin.selectbox(key="department_officer_ulb").set_value("TCP")
    admin.button(key="role_submit_officer_ulb").click().run()
    assert admin.success[0].value == "Role and department of officer_ulb saved."
    assert signin.active_user(connection(), "officer_ulb").department_code == "TCP"

    admin.selectbox(key="role_officer_ulb").set_value("analyst")
    admin.button(key="role_submit_officer_ulb").click().run()
    assert errors(admin) == ['Only department officers belong to a department; choose "— none —".']
    assert signin.active_user(connection(), "officer_ulb").role == Role.OFFICER


# ---- departments ----

def test_rename_a_department_reaches_the_filing_form(admin):
    from lib.ui import form_choices
    assert form_choices().departments["PHED"][0] == "Public Health Engineering"      # cached now
    admin.selectbox(key="edit_department").set_value("PHED").run()
    admin.text_input(key="dept_name_en_PHED").input("Public Health Engineering (Water Supply)")
    admin.text_input(key="dept_title_hi_PHED").input("कार्यकारी अभियंता, जन स्वास्थ्य")
    admin.button(key="department_submit_PHED").click().run()
    assert not admin.exception
    assert admin.success[0].value == "Department PHED saved."
    departments = table(admin, "Code").set_index("Code")
    assert departments.loc["PHED", "Name (English)"] == "Public Health Engineering (Water Supply)"
    assert form_choices().departments["PHED"][0] == "Public Health Engineering (Water Supply)"


def test_department_form_refuses_english_in_the_hindi_name(admin):
    admin.selectbox(key="edit_department").set_value("PHED").run()
    admin.text_input(key="dept_name_hi_PHED").input("Public Health")
    admin.button(key="department_submit_PHED").click().run()
    assert errors(admin) == ["Write this in Hindi (Devanagari script)."]
    assert table(admin, "Code").set_index("Code").loc["PHED", "Name (Hindi)"] == "जन स्वास्थ्य अभियांत्रिकी विभाग"


def test_deactivate_a_department(admin):
    from lib.ui import form_choices
    admin.selectbox(key="edit_department").set_value("MINES").run()
    admin.checkbox(key="dept_active_MINES").uncheck()
    admin.button(key="department_submit_MINES").click().run()
    assert table(admin, "Code").set_index("Code").loc["MINES", "Active"] == "No"
    assert "MINES" not in form_choices().departments
    assert "MINES" not in admin.selectbox(key="new_department").options


# ---- deadlines and holidays ----

def test_change_deadline_targets(admin):
    from lib.casework import deadlines
    assert admin.number_input(key="target_resolve").value == 21
    admin.number_input(key="target_resolve").set_value(15)
    admin.button(key="targets_submit").click().run()
    assert not admin.exception
    assert admin.success[0].value.startswith("Deadlines saved.")
    assert deadlines.get_targets(connection()).resolve_days == 15
    newest = table(admin, "Action").iloc[0]
    assert (newest["Who"], newest["On"]) == ("admin_rewari", "deadlines")         # audited


def test_add_and_remove_a_local_holiday(admin):
    from lib.casework import deadlines
    year = deadlines.today_in_ist().year
    day = date(year, 9, 15) if date(year, 9, 15).weekday() != 6 else date(year, 9, 16)
    admin.date_input(key="holiday_day").set_value(day)
    admin.text_input(key="holiday_name").input("Rewari Mela")
    admin.button(key="holiday_add_submit").click().run()
    assert not admin.exception
    assert admin.success[0].value == f"Holiday on {day.strftime('%d-%m-%Y')} added."
    holidays = table(admin, "Holiday")
    assert ((holidays["Date"] == day.strftime("%d-%m-%Y")) & (holidays["Holiday"] == "Rewari Mela")
            & (holidays["From"] == t("en", "deadline.source.local"))).any()
    assert (holidays["From"] == t("en", "deadline.source.haryana")).any()    # the package's holidays too

    # The same day twice is refused beside the date, and the form keeps what was typed.
    admin.date_input(key="holiday_day").set_value(day)
    admin.text_input(key="holiday_name").input("Rewari Mela again")
    admin.button(key="holiday_add_submit").click().run()
    assert not admin.exception
    assert errors(admin) == [t("en", "deadline.holiday_exists")]
    assert "Rewari Mela again" not in set(table(admin, "Holiday")["Holiday"])

    admin.selectbox(key="holiday_remove").set_value(day)
    admin.button(key="holiday_remove_submit").click().run()
    assert admin.success[0].value == f"Holiday on {day.strftime('%d-%m-%Y')} removed."
    assert "Rewari Mela" not in set(table(admin, "Holiday")["Holiday"])


def test_a_holiday_needs_a_date_and_a_name(admin):
    admin.button(key="holiday_add_submit").click().run()
    assert errors(admin) == ["This is required.", "This is required."]


# ---- backup: the portal's own on DuckDB, PostgreSQL's tools on PostgreSQL (issue #13) ----

@pytest.mark.parametrize("language", ["en", "hi"])
def test_back_up_now_on_duckdb_and_a_plain_note_on_postgresql(demo_users, engine, portal_env, monkeypatch,
                                                              language):
    monkeypatch.setenv("ESACHIVALAYA_BACKUP_DIR", str(portal_env / "offsite"))
    at = open_admin(language)
    backup_buttons = [b for b in at.button if b.key == "backup_now"]
    note = t(language, "backup.on_postgres")
    if engine == "duckdb":
        assert note not in [i.value for i in at.info]
        backup_buttons[0].click().run()
        assert not at.exception and not errors(at)
        (folder,) = (portal_env / "offsite").iterdir()
        assert at.success[0].value == t(language, "backup.done", folder=folder.name, complaints=0, uploads=0)
        assert folder.name in table(at, t(language, "backup.column.folder")).to_csv()
        return
    # PostgreSQL: nothing to press, nothing that looks like a failure, and where to look instead.
    assert not backup_buttons
    assert note in [i.value for i in at.info]
    assert "pg_dump" in note and "Backups on PostgreSQL" in note
    assert t(language, "backup.on_postgres.uploads", path=str(load_settings({}).uploads_dir)) in \
        [c.value for c in at.caption]
    assert not errors(at) and not at.exception
    assert not (portal_env / "offsite").exists()


# ---- privacy and access ----

def test_the_admin_never_sees_complaints(demo_users):
    from lib.citizen import filing
    con = open_portal_database(load_settings({}))
    form = make_form(name="गोपनीय नागरिक", subject="गोपनीय विषय की शिकायत", mobile="9812312345")
    filing.file_complaint(con, load_settings({}), form, filing.load_form_choices(con), track_url="http://x/track")
    con.close()
    at = open_admin()
    shown = "\n".join(texts(at))
    for secret in ("गोपनीय", "9812312345", "RWR-"):
        assert secret not in shown


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("role", [Role.DC, Role.OFFICER, Role.ANALYST, Role.PUBLIC])
def test_the_page_is_refused_to_every_other_role(demo_users, role):
    """The page file run on its own (as a deep link reaches it) refuses and shows nothing else."""
    at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["_frame_ran"] = True
    at.session_state["language"] = "en"
    if role != Role.PUBLIC:
        at.session_state["role"] = role
    at.run()
    assert not at.exception
    assert errors(at) == [t("en", "guard.not_allowed")]
    assert not at.tabs and not at.dataframe and not at.text_input and not at.title


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
def test_the_page_is_not_even_registered_for_the_dc(demo_users):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "dc_rewari"
    at.run()
    with pytest.raises(ValueError):
        at.switch_page("pages/admin.py")


# ---- the audit trail names the complaint, never its content (issue #10) ----

def test_the_audit_trail_shows_the_tracking_number_but_no_remark(demo_users):
    from lib.casework import actions
    from lib.citizen import filing
    remark = "Patwari Suresh ne moke par dekha, naali band hai"
    con = open_portal_database(load_settings({}))
    filed = filing.file_complaint(con, load_settings({}), make_form(), filing.load_form_choices(con),
                                  track_url="http://x/track")
    dc = next(u for u in signin.DEMO_USERS if u.username == "dc_rewari")
    actions.start_scrutiny(con, dc, filed.complaint_id, 0, remark)
    actions.accept(con, dc, filed.complaint_id, 1, remark)
    con.close()
    at = open_admin()
    audit = table(at, "Action")
    assert list(audit[["Who", "Action", "On"]].itertuples(index=False, name=None))[:2] == [
        ("dc_rewari", "complaint.accept", filed.tracking_no), ("dc_rewari", "complaint.start_scrutiny", filed.tracking_no)]
    shown = "\n".join(texts(at))
    assert "Patwari" not in shown and "naali" not in shown


def test_the_admin_page_offers_no_dc_role_and_no_dc_password_reset(admin):
    assert "dc" not in admin.selectbox(key="new_role").options
    admin.selectbox(key="manage_user").set_value("officer_phed").run()
    assert "dc" not in admin.selectbox(key="role_officer_phed").options
    admin.selectbox(key="manage_user").set_value("dc_rewari").run()
    assert not [t for t in admin.text_input if t.key == "reset_password_dc_rewari"]
    assert any("python -m lib.ops.cli user reset-password" in i.value for i in admin.info)


# ---- places: Hindi names (issue #11) ----

def test_the_admin_sets_a_village_hindi_name_and_it_is_audited(admin):
    from lib.ui import form_choices
    code = next(c for c, p in form_choices().places.items() if p.name_en == "Khursaid Nagar")
    admin.selectbox(key="edit_place").set_value(code).run()
    admin.text_input(key=f"place_name_hi_{code}").input("Khursaid")
    admin.button(key=f"place_submit_{code}").click().run()
    assert errors(admin) == ["Write this in Hindi (Devanagari script)."]
    admin.text_input(key=f"place_name_hi_{code}").input("खुरशैद नगर")
    admin.button(key=f"place_submit_{code}").click().run()
    assert not admin.exception
    assert admin.success[0].value == f"Hindi name of place {code} saved."
    assert table(admin, "LGD code").set_index("LGD code").loc[code, "Name (Hindi)"] == "खुरशैद नगर"
    assert form_choices().places[code].name_hi == "खुरशैद नगर"
    newest = table(admin, "Action").iloc[0]
    assert (newest["Who"], newest["Action"], newest["On"]) == ("admin_rewari", "place.name_hi", str(code))


def test_a_bad_hindi_names_file_is_refused_row_by_row(admin):
    admin.file_uploader(key="places_csv").set_value(
        ("names.csv", "lgd_code,name_en,name_hi\n248569,Rewari,रेवाड़ी शहर\n999999,Nowhere,कहीं\n".encode(), "text/csv"))
    admin.button(key="places_import_submit").click().run()
    assert not admin.exception
    assert errors(admin) == ["Row 3: there is no place with LGD code 999999."]
    assert table(admin, "LGD code").set_index("LGD code").loc[248569, "Name (Hindi)"] == "रेवाड़ी"
