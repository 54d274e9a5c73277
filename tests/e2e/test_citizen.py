"""A citizen on a phone, in a real browser: deep links fail closed, filing in Hindi, then tracking (status by
number + mobile, details by the signed link of the SMS)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib.citizen.track_links import signed_track_url
from lib.core.config import load_settings
from lib.core.roles import Role
from lib.staff.access import PageName, can_open
from tests.conftest import jpeg_bytes, valid_aadhaar
from tests.e2e.conftest import PortalServer, wait_for_app

GUARD_TEXT = "यह पृष्ठ केवल पोर्टल के माध्यम से खुलता है।"


@pytest.mark.parametrize("page_name", [p.value for p in PageName if not can_open(Role.PUBLIC, p)])
def test_a_deep_link_to_an_officers_page_on_a_fresh_server_renders_no_page_content(tmp_path, phone, page_name):
    # The very first request to a new server runs pages/<page>.py alone, without app.py. A public
    # page does the frame's work itself (test_phone_language.py); an officer's page refuses.
    server = PortalServer(tmp_path)
    try:
        phone.goto(f"{server.url}/{page_name}")
        wait_for_app(phone)
        expect(phone.get_by_text(GUARD_TEXT, exact=False)).to_be_visible()
        expect(phone.locator("input, textarea")).to_have_count(0)
        # Through the frame, the same server serves the portal normally.
        phone.goto(f"{server.url}/")
        wait_for_app(phone)
        expect(phone.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()
    finally:
        server.stop()


def pick(page, label: str, option: str) -> None:
    """Choose from a Streamlit selectbox by its label and the visible option text."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.get_by_role("combobox").tap()          # a phone taps; the list opens on a tap, not a click
    page.keyboard.type(option)                 # long lists (32 wards) render only what is in view
    page.get_by_role("option", name=option, exact=True).tap()
    wait_for_app(page)


def test_citizen_files_in_hindi_on_a_phone_and_tracks_it(portal, phone):
    phone.goto(portal.url)
    wait_for_app(phone)
    expect(phone.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()

    phone.get_by_label("आपका पूरा नाम", exact=True).fill("कमला देवी")
    phone.get_by_label("मोबाइल नंबर", exact=True).fill("9876543210")
    phone.get_by_label("आधार नंबर (12 अंक)", exact=True).fill(valid_aadhaar())
    phone.get_by_label("आधार नंबर (12 अंक)", exact=True).press("Enter")
    wait_for_app(phone)
    uploader = phone.get_by_test_id("stFileUploader").filter(has_text="पहचान पत्र की फ़ोटो या PDF")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    expect(uploader.get_by_text("aadhaar.jpg")).to_be_visible(timeout=15_000)
    wait_for_app(phone)

    pick(phone, "तहसील", "रेवाड़ी")
    pick(phone, "गाँव या शहर", "रेवाड़ी (शहर)")
    pick(phone, "वार्ड नंबर", "12")
    pick(phone, "समस्या का प्रकार", "स्ट्रीट लाइट")
    phone.get_by_label("विषय (एक पंक्ति)", exact=True).fill("स्ट्रीट लाइट खराब")
    phone.get_by_label("समस्या का विवरण", exact=True).fill(
        "वार्ड 12 में मुख्य सड़क की सभी स्ट्रीट लाइटें दो हफ्ते से बंद हैं।")
    phone.get_by_text("मैं सहमति देता/देती हूँ", exact=False).click()
    wait_for_app(phone)
    phone.get_by_role("button", name="शिकायत भेजें").click()
    wait_for_app(phone)

    expect(phone.get_by_text("आपकी शिकायत दर्ज हो गई है")).to_be_visible()
    expect(phone.locator("code").first).to_contain_text(re.compile(r"RWR-\d{4}-\d{6,}"))
    tracking_no = re.search(r"RWR-\d{4}-\d{6,}", phone.locator("code").first.inner_text()).group(0)

    # The receipt's own link (the header has one too).
    phone.get_by_test_id("stPageLink").get_by_role("link", name="अपनी शिकायत देखें").last.tap()
    wait_for_app(phone)
    phone.get_by_label("ट्रैकिंग नंबर (जैसे RWR-2026-000123)", exact=True).fill(tracking_no)
    phone.get_by_label("मोबाइल नंबर", exact=True).fill("98765 43210")
    phone.get_by_role("button", name="स्थिति देखें").click()
    wait_for_app(phone)
    expect(phone.get_by_role("heading", name="स्थिति: प्राप्त")).to_be_visible()
    # Number and mobile show the status only: the details wait for the code or the SMS link.
    expect(phone.get_by_role("button", name="मुझे SMS से कोड भेजें")).to_be_visible()
    expect(phone.get_by_role("heading", name="इतिहास")).to_have_count(0)

    # The link of the acknowledgement SMS (made with the portal's own key file) opens the details.
    settings = load_settings({}, env={"ESACHIVALAYA_DB": str(portal.db_path)})
    complaint_id = int(tracking_no.rsplit("-", 1)[1])          # the number ends with the complaint's id
    phone.goto(signed_track_url(settings, f"{portal.url}/track_complaint", complaint_id, tracking_no))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", name="स्थिति: प्राप्त")).to_be_visible()
    # The summary and history tables (drawn on a canvas, so their cells are not page text).
    expect(phone.get_by_role("heading", name="इतिहास")).to_be_visible()
    expect(phone.get_by_test_id("stDataFrame")).to_have_count(2)
    expect(phone.get_by_label("ट्रैकिंग नंबर (जैसे RWR-2026-000123)", exact=True)).to_have_value(tracking_no)
