"""The filing form on a phone: after Submit the problems are where the citizen is, and the page takes them to
the first one; and the whole form works with the keyboard alone."""
from __future__ import annotations

from playwright.sync_api import expect

from lib.core.i18n import t
from tests.e2e.conftest import wait_for_app


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

