"""The filing form on a phone: after Submit the problems are where the citizen is, and the page takes them to
the first one; and the whole form works with the keyboard alone."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from lib.core.i18n import t
from tests.conftest import jpeg_bytes, valid_aadhaar
from tests.e2e.conftest import wait_for_app
from tests.e2e.test_accessibility import violations


def test_after_submit_the_problems_are_in_view_and_the_page_jumps_to_the_first(portal, phone):
    phone.goto(portal.url)
    wait_for_app(phone)
    name = phone.get_by_label(t("hi", "form.name"), exact=True)
    submit = phone.get_by_role("button", name=t("hi", "form.submit"))
    submit.scroll_into_view_if_needed()
    expect(name).not_to_be_in_viewport()           # the name is far up the form, out of sight
    submit.tap()
    wait_for_app(phone)
    problems = phone.locator(".st-key-form_problem_list")
    expect(problems).to_contain_text(f"{t('hi', 'form.name')}: {t('hi', 'error.required')}")
    # Without the citizen scrolling: the list (right above the button) is on screen, and the first
    # problem's field has been brought into view and has the focus.
    expect(name).to_be_focused()
    expect(name).to_be_in_viewport()
    expect(problems).to_be_in_viewport()
    # A long list scrolls inside its box, which the keyboard can reach (axe: scrollable-region-focusable).
    assert violations(phone, "the form after Submit") == []


def focused(locator) -> bool:
    return locator.evaluate("e => e === document.activeElement")


def tab_to(page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus (the help icons and links between fields are passed by)."""
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def type_into(page, target, text: str) -> None:
    """Tab to a text field, type, and leave it with Tab (which sends the value: one run)."""
    tab_to(page, target)
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    wait_for_app(page)


def choose(page, label: str, typed: str, shown: str) -> None:
    """Tab to a picker, type to narrow its list, Enter takes the first option left: one run."""
    box = page.get_by_role("combobox", name=label, exact=True)
    tab_to(page, box)
    page.keyboard.type(typed)
    expect(page.get_by_role("option").first).to_have_text(shown)
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(box).to_have_value(shown)


def test_a_citizen_files_a_complaint_with_the_keyboard_alone(portal, phone):
    hi = lambda key, **params: t("hi", key, **params)  # noqa: E731
    phone.goto(portal.url)
    wait_for_app(phone)
    type_into(phone, phone.get_by_label(hi("form.name"), exact=True), "कमला देवी")
    type_into(phone, phone.get_by_label(hi("form.mobile"), exact=True), "9876543210")
    # Aadhaar is the ID type already chosen; the arrows would move between the two.
    expect(phone.get_by_role("radio", name=hi("id_type.aadhaar"))).to_be_checked()
    type_into(phone, phone.get_by_label(hi("form.id_number.aadhaar"), exact=True), valid_aadhaar())

    uploader = phone.get_by_test_id("stFileUploader").filter(has_text=hi("form.id_document"))
    browse = uploader.get_by_test_id("stBaseButton-secondary")       # its "browse" button
    tab_to(phone, browse)
    # Enter or Space on this button opens the phone's own file chooser, which is the system's screen and
    # not the page's; Playwright hands the file to the focused uploader's input instead.
    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    expect(uploader.get_by_text("aadhaar.jpg")).to_be_visible(timeout=15_000)
    wait_for_app(phone)

    choose(phone, hi("form.tehsil"), "कोसली", "कोसली")
    # The village has only an English name; the citizen types it in Devanagari and Enter searches.
    search = phone.get_by_label(hi("form.place_search"), exact=True)
    tab_to(phone, search)
    phone.keyboard.type("खुरसैद")
    phone.keyboard.press("Enter")
    wait_for_app(phone)
    place = phone.get_by_role("combobox", name=hi("form.place"), exact=True)
    tab_to(phone, place)
    phone.keyboard.press("ArrowDown")                 # opens the list, the best match first
    expect(phone.get_by_role("option").first).to_have_text("Khursaid Nagar")
    phone.keyboard.press("Enter")
    wait_for_app(phone)
    expect(place).to_have_value("Khursaid Nagar")

    choose(phone, hi("form.category"), "स्ट्रीट", "स्ट्रीट लाइट")
    type_into(phone, phone.get_by_label(hi("form.subject"), exact=True), "स्ट्रीट लाइट खराब")
    type_into(phone, phone.get_by_label(hi("form.description"), exact=True),
              "गाँव की मुख्य गली की सभी स्ट्रीट लाइटें दो हफ्ते से बंद हैं।")
    consent = phone.get_by_role("checkbox", name=hi("form.consent"))
    tab_to(phone, consent)
    phone.keyboard.press("Space")
    wait_for_app(phone)
    expect(consent).to_be_checked()

    tab_to(phone, phone.get_by_role("button", name=hi("form.submit")))
    phone.keyboard.press("Enter")
    wait_for_app(phone)
    expect(phone.get_by_text(hi("ack.title"))).to_be_visible()
    expect(phone.locator("code").first).to_contain_text(re.compile(r"RWR-\d{4}-\d{6,}"))
