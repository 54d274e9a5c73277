"""Assisted filing at a CSC, end to end in a real browser (issue #15): the operator signs in, fills the
citizens' form for a walk-in citizen with an ID proof, the code SMS to the citizen's own mobile appears
in the outbox, a wrong code files nothing, the right one files the complaint with the operator and the
centre, the printable receipt is given, "Filed by me" lists it, and its ID document is out of reach.

The portal runs on PostgreSQL here, so that the test can read the outbox while the portal holds the
database (DuckDB's file lock would need a restart, and a restart loses the operator's session)."""
from __future__ import annotations

import re

import psycopg
import pytest
from playwright.sync_api import expect

from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import jpeg_bytes, valid_aadhaar
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


def sql(url: str, statement: str, params=()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as con:
        return con.execute(statement.replace("?", "%s"), list(params)).fetchall()


@pytest.fixture
def pg_portal(tmp_path, browser, pg_cluster, pg_template):
    """A portal on a new PostgreSQL database with the demo accounts (operator_csc at "CSC Dharuhera")."""
    url = pg_cluster.database(template=pg_template)
    settings = load_settings({}, env={"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(tmp_path),
                                      "ESACHIVALAYA_DEMO": "0"})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    con.close()
    server = PortalServer(tmp_path, db_url=url).warm_up(browser)
    yield server, url
    server.stop()
    pg_cluster.drop(url)


def pick(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.get_by_role("combobox").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def type_and_enter(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_for_app(page)


def test_an_operator_files_for_a_walk_in_citizen_confirmed_by_the_citizens_code(pg_portal, browser):
    server, url = pg_portal
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="hi-IN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server.url, "operator_csc")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=hi("assisted.form.title"))).to_be_visible(timeout=60_000)

    aadhaar = valid_aadhaar()
    type_and_enter(page, hi("form.name"), "रामकली")
    type_and_enter(page, hi("form.mobile"), "9876543210")
    type_and_enter(page, hi("form.id_number.aadhaar"), aadhaar)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=hi("form.id_document"))
    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    expect(uploader.get_by_text("aadhaar.jpg")).to_be_visible(timeout=15_000)
    wait_for_app(page)
    pick(page, hi("form.tehsil"), "रेवाड़ी")
    pick(page, hi("form.place"), "रेवाड़ी (शहर)")
    pick(page, hi("form.ward"), "12")
    pick(page, hi("form.category"), "स्ट्रीट लाइट")
    type_and_enter(page, hi("form.subject"), "स्ट्रीट लाइट खराब")
    page.get_by_label(hi("form.description"), exact=True).fill(
        "वार्ड 12 में मुख्य सड़क की सभी स्ट्रीट लाइटें दो हफ्ते से बंद हैं।")
    page.get_by_text(hi("form.consent")[:20], exact=False).click()
    wait_for_app(page)
    page.get_by_role("button", name=hi("assisted.form.submit")).press("Enter")
    wait_for_app(page)

    # The code goes to the citizen's own mobile, through the outbox; nothing is filed yet.
    expect(page.get_by_role("heading", name=hi("assisted.code.title"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(hi("assisted.code.sent", to="+91 XXXXXX3210"))).to_be_visible()
    [(mobile, body)] = sql(url, "SELECT mobile, body FROM sms_outbox WHERE template = 'filing_code'")
    assert mobile == "+919876543210" and "CSC Dharuhera" in body
    code = re.search(r"\b(\d{6})\b", body)[1]
    assert sql(url, "SELECT count(*) FROM complaints") == [(0,)]

    # A wrong code: told so in Hindi, nothing filed.
    type_and_enter(page, hi("assisted.code.label"), f"{(int(code) + 1) % 10 ** 6:06d}")
    page.get_by_role("button", name=hi("assisted.code.confirm")).press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(hi("assisted.code_wrong", left=2))).to_be_visible(timeout=60_000)
    assert sql(url, "SELECT count(*) FROM complaints") == [(0,)]

    # The citizen's code files it, with the operator and the centre.
    type_and_enter(page, hi("assisted.code.label"), code)
    page.get_by_role("button", name=hi("assisted.code.confirm")).press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(hi("ack.title"))).to_be_visible(timeout=60_000)
    tracking_no = re.search(r"RWR-\d{4}-\d{6,}", page.locator("code").first.inner_text())[0]
    [(complaint_id, filed_by, centre, channel)] = sql(
        url, "SELECT id, filed_by, centre, channel FROM complaints WHERE tracking_no = ?", [tracking_no])
    assert (filed_by, centre, channel) == ("operator_csc", "CSC Dharuhera", "csc:CSC Dharuhera")
    assert sql(url, "SELECT kind FROM documents WHERE complaint_id = ?", [complaint_id]) == [("id_proof",)]

    # The printable receipt for the citizen: tracking number, centre, the masked ID only.
    with page.expect_download() as download:
        page.get_by_role("button", name=hi("assisted.receipt.print")).click()
    receipt = open(download.value.path(), encoding="utf-8").read()
    assert tracking_no in receipt and "CSC Dharuhera" in receipt and f"XXXX XXXX {aadhaar[-4:]}" in receipt
    assert aadhaar not in receipt and "9876543210" not in receipt

    # "Filed by me" lists it (and gives its receipt again).
    page.goto(f"{server.url}/filed_by_me")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=hi("filed_by_me.title"))).to_be_visible()
    expect(page.get_by_text(hi("filed_by_me.count", count=1, shown=1))).to_be_visible()
    pick(page, hi("filed_by_me.receipt_for"), tracking_no)
    expect(page.get_by_role("button", name=hi("assisted.receipt.print"))).to_be_visible()

    # The complaint's page (where the DC opens ID documents) does not exist for an operator.
    page.goto(f"{server.url}/complaint_detail?no={tracking_no}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile(re.escape(tracking_no)))).to_have_count(0)
    expect(page.get_by_role("button", name=hi("detail.open_id_document"))).to_have_count(0)
    expect(page.get_by_test_id("stImage")).to_have_count(0)
    context.close()
