"""Assisted filing through the pages (AppTest): a CSC operator fills the citizens' form, the citizen's
code is asked for before anything is filed, a wrong code files nothing and says so in the operator's
language, the right one files and shows the printable receipt; "Filed by me" lists only their own
filings; the admin creates an operator with a centre."""
from __future__ import annotations

import re

import bcrypt
import pytest

from lib.core.i18n import t
from tests.citizen.test_pages import fill_valid_form
from tests.conftest import open_portal_as

OPERATOR = "operator_csc"


def db_rows(sql: str, params=()) -> list[tuple]:
    from lib.ui import connection           # the app's own cached connection, in this process
    with connection().cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def sent_code() -> str:
    body = db_rows("SELECT body FROM sms_outbox WHERE template = 'filing_code' ORDER BY id DESC LIMIT 1")[0][0]
    return re.search(r"\b(\d{6})\b", body)[1]


def operator_form(language: str = "hi"):
    at = open_portal_as(OPERATOR, "pages/file_complaint.py")
    if language != "hi":
        at.radio(key="language_switch").set_value(language).run()
    return at


def send_code(at) -> None:
    fill_valid_form(at)
    at.button(key="submit_complaint").click().run()
    assert not at.exception


def test_the_operator_files_for_a_citizen_only_with_the_citizens_code(demo_users):
    at = operator_form()
    assert at.title[0].value == t("hi", "assisted.form.title")
    assert at.button(key="submit_complaint").label == t("hi", "assisted.form.submit")
    send_code(at)
    # The code went to the citizen's mobile through the outbox; nothing is filed yet.
    assert at.title[0].value == t("hi", "assisted.code.title")
    assert at.info[0].value == t("hi", "assisted.code.sent", to="+91 XXXXXX3210")
    assert db_rows("SELECT mobile FROM sms_outbox WHERE template = 'filing_code'") == [("+919876543210",)]
    assert db_rows("SELECT count(*) FROM complaints") == [(0,)]
    code = sent_code()

    at.text_input(key="assisted_code").input(f"{(int(code) + 1) % 10 ** 6:06d}")
    at.button(key="assisted_confirm").click().run()
    assert [e.value for e in at.error] == [t("hi", "assisted.code_wrong", left=2)]
    assert db_rows("SELECT count(*) FROM complaints") == [(0,)]

    at.text_input(key="assisted_code").input(code)
    at.button(key="assisted_confirm").click().run()
    assert not at.exception
    ack = at.session_state["acknowledgement"]
    assert at.success[0].value == t("hi", "ack.title")
    assert db_rows("SELECT filed_by, centre, channel FROM complaints WHERE id = ?", [ack.complaint_id]) == [
        (OPERATOR, "CSC Dharuhera", "csc:CSC Dharuhera")]
    summary = at.dataframe[0].value
    assert ack.tracking_no in summary.to_csv() and "CSC Dharuhera" in summary.to_csv()
    assert [b.label for b in at.get("download_button")] == [t("hi", "assisted.receipt.print"), t("hi", "ack.download")]

    # "Filed by me" lists it, and gives its receipt again; nothing of the citizen beyond the masked ID.
    at.switch_page("pages/filed_by_me.py").run()
    assert not at.exception
    listed = at.dataframe[0].value
    assert list(listed[t("hi", "ack.tracking_no")]) == [ack.tracking_no]
    at.selectbox(key="filed_by_me_pick").set_value(ack.complaint_id).run()
    shown = "".join(d.value.to_csv() for d in at.dataframe)
    assert "CSC Dharuhera" in shown and "कमला देवी" not in shown and "9876543210" not in shown
    assert len(at.get("download_button")) == 2


def test_a_wrong_code_is_refused_in_english_for_an_english_session(demo_users):
    at = operator_form("en")
    assert at.button(key="submit_complaint").label == "Send the code to the citizen's mobile"
    send_code(at)
    code = sent_code()
    at.text_input(key="assisted_code").input(f"{(int(code) + 5) % 10 ** 6:06d}")
    at.button(key="assisted_confirm").click().run()
    assert [e.value for e in at.error] == ["The code is wrong; nothing has been filed. Tries left: 2."]
    # Cancelling files nothing and gives an empty form.
    at.button(key="assisted_cancel").click().run()
    assert at.title[0].value == "File a complaint for a citizen"
    assert at.text_input(key="name_1").value == ""
    assert db_rows("SELECT count(*) FROM complaints") == [(0,)]


def test_a_form_with_problems_sends_no_code(demo_users):
    at = operator_form()
    at.button(key="submit_complaint").click().run()
    assert not at.exception
    assert at.title[0].value == t("hi", "assisted.form.title")          # still the form, problems shown
    assert at.error
    assert db_rows("SELECT count(*) FROM sms_outbox") == [(0,)]


def test_filed_by_me_is_empty_for_a_new_operator_and_lists_nobody_elses(demo_users):
    from lib.citizen.filing import file_complaint
    from lib.ui import connection, form_choices, settings
    from tests.conftest import make_form

    file_complaint(connection(), settings(), make_form(), form_choices(), track_url="x")     # a citizen's own
    at = open_portal_as(OPERATOR, "pages/filed_by_me.py")
    assert at.info[0].value == t("hi", "filed_by_me.none")
    assert not at.dataframe


@pytest.fixture
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


def test_the_admin_creates_an_operator_with_a_centre(demo_users, quick_bcrypt):
    at = open_portal_as("admin_rewari")
    at.text_input(key="new_username").input("csc_kosli")
    at.text_input(key="new_display_name").input("CSC Kosli operator")
    at.selectbox(key="new_role").set_value("operator")
    at.text_input(key="new_password").input("Kosli@2026")
    at.button(key="add_user_submit").click().run()
    assert t("hi", "admin.error.centre_required") in [e.value for e in at.error]
    at.text_input(key="new_password").input("Kosli@2026")
    at.text_input(key="new_centre").input("CSC Kosli")
    at.button(key="add_user_submit").click().run()
    assert not at.exception
    users = next(d.value for d in at.dataframe if t("hi", "admin.centre") in d.value.columns)
    row = users.set_index(t("hi", "admin.username")).loc["csc_kosli"]
    assert (row[t("hi", "admin.role")], row[t("hi", "admin.centre")]) == (t("hi", "admin.role.operator"), "CSC Kosli")
    assert db_rows("SELECT role, centre FROM users WHERE username = 'csc_kosli'") == [("operator", "CSC Kosli")]
