"""The citizen on a phone, in Hindi: every public page opens as a fresh server's first request (the SMS link
after a restart), the chosen language holds across pages, reloads and the officers' queue, and <html lang> says it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib.citizen.filing import file_complaint, load_form_choices
from lib.citizen.track_links import signed_track_url
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff.access import PageName
from tests.conftest import make_form
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

GUARD_TEXT = t("hi", "guard.no_frame")
# The states of the portal's Devanagari font faces in the page ("loaded", "error", ...).
PORTAL_FONT_FACES = ("() => Array.from(document.fonts).filter(f => f.family.replace(/\"/g, '') === 'Portal Devanagari')"
                     ".map(f => f.status)")
# The heading each public page opens with.
HEADINGS = {PageName.FILE_COMPLAINT: "form.title", PageName.TRACK_COMPLAINT: "track.title",
            PageName.SIGN_IN: "signin.title", PageName.HELP: "help.title", PageName.CONTACT: "contact.title",
            PageName.ACCESSIBILITY: "a11y.title"}


def links(page):
    """The header's row of citizens' links."""
    return page.locator(".st-key-portal_links")


def heading(page, language: str, key: str):
    return page.get_by_role("heading", name=t(language, key), exact=True)


@pytest.mark.parametrize("page_name", list(HEADINGS))
def test_a_public_page_opens_as_the_first_request_after_a_restart(tmp_path, phone, page_name):
    server = PortalServer(tmp_path)
    try:
        phone.goto(f"{server.url}/{page_name}")
        wait_for_app(phone)
        expect(heading(phone, "hi", HEADINGS[page_name]).first).to_be_visible()
        expect(phone.get_by_text(GUARD_TEXT)).to_have_count(0)
        # The header: the portal's name and the citizens' links, all visible without a menu.
        expect(phone.locator(".st-key-portal_header")).to_contain_text(t("hi", "site.office"))
        for name in (PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT, PageName.SIGN_IN):
            expect(links(phone).get_by_role("link", name=t("hi", f"nav.{name}"), exact=True)).to_be_visible()
        expect(phone.locator("html")).to_have_attribute("lang", "hi")
        # The Hindi is drawn in the portal's font, fetched from its own URL (lib/ops/web.py), not a
        # missing file's fallback.
        phone.wait_for_function(f"() => ({PORTAL_FONT_FACES})().every(s => s !== 'loading' && s !== 'unloaded')")
        assert phone.evaluate(PORTAL_FONT_FACES) == ["loaded"]
    finally:
        server.stop()


def test_the_sms_link_as_a_fresh_servers_first_request_fills_the_number(tmp_path, phone):
    settings = load_settings({}, env={"ESACHIVALAYA_DB": str(tmp_path / "portal.duckdb"), "ESACHIVALAYA_DEMO": "0"})
    con = open_portal_database(settings)
    ack = file_complaint(con, settings, make_form(), load_form_choices(con), track_url="http://x/track_complaint")
    con.close()
    server = PortalServer(tmp_path)
    try:
        phone.goto(signed_track_url(settings, f"{server.url}/track_complaint", ack.complaint_id, ack.tracking_no))
        wait_for_app(phone)
        expect(phone.get_by_label(t("hi", "track.tracking_no"), exact=True)).to_have_value(ack.tracking_no)
        expect(phone.get_by_role("heading", name=f"{t('hi', 'summary.status')}: {t('hi', 'status.submitted')}")
               ).to_be_visible()
        expect(phone.get_by_text(GUARD_TEXT)).to_have_count(0)
    finally:
        server.stop()


def test_english_holds_across_pages_and_a_reload_and_the_page_says_so(portal, phone):
    phone.goto(portal.url)
    wait_for_app(phone)
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    phone.get_by_text("English", exact=True).tap()
    wait_for_app(phone)
    expect(heading(phone, "en", "form.title")).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone).to_have_url(re.compile(r"[?&]lang=en"))
    # The department picker keeps its choice ("not sure") and shows it in English, not empty.
    expect(phone.get_by_role("combobox", name=t("en", "form.department"), exact=True)).to_have_value(
        t("en", "form.department.not_sure"))

    for name in (PageName.TRACK_COMPLAINT, PageName.HELP, PageName.FILE_COMPLAINT):
        links(phone).get_by_role("link", name=t("en", f"nav.{name}"), exact=True).tap()
        wait_for_app(phone)
        expect(heading(phone, "en", HEADINGS[name])).to_be_visible()
        expect(phone.get_by_role("radio", name="English")).to_be_checked()
        expect(phone).to_have_url(re.compile(rf"/{name}\?(.*&)?lang=en"))

    phone.reload()
    wait_for_app(phone)
    expect(heading(phone, "en", "form.title")).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_switching_language_keeps_the_dcs_queue_sorted_and_filled(demo_portal, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(30_000)
    sign_in(page, demo_portal.url, "dc_rewari")
    page.goto(f"{demo_portal.url}/queue")
    wait_for_app(page)
    for language, other in (("en", "English"), ("hi", "हिन्दी"), ("en", "English")):
        page.get_by_text(other, exact=True).click()
        wait_for_app(page)
        expect(heading(page, language, "queue.title")).to_be_visible()
        expect(page.get_by_text(t(language, "queue.bad_sort"))).to_have_count(0)
        # Each choice shows its value in the new language, none an empty "Choose an option".
        expect(page.get_by_text("Choose an option")).to_have_count(0)
        expect(page.get_by_role("combobox", name=t(language, "queue.sort"), exact=True)).to_have_value(
            t(language, "queue.sort.filed_at"))
        expect(page.get_by_role("radio", name=t(language, "queue.direction.desc"))).to_be_checked()
        expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    # A change after the switches still sorts (the browser sends the new language's label).
    page.get_by_text(t("en", "queue.direction.asc"), exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(t("en", "queue.bad_sort"))).to_have_count(0)
    expect(page.get_by_role("radio", name=t("en", "queue.direction.asc"))).to_be_checked()
    page.close()
