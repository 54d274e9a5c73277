"""The browser tests' wait: it waits for a script run the last action caused, never for the old page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_app


def test_the_wait_needs_a_new_run_and_the_old_pages_state_does_not_pass_for_one(portal, browser):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(portal.url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()
    # An action that runs nothing (a key press on the page): the page says "notRunning", as it did
    # before the action, and that is not a run the action caused.
    page.wait_for_function("() => window.__stRuns.started === window.__stRuns.ended")    # no run under way
    page.locator("body").press("Shift")
    with pytest.raises(AssertionError, match=r"no new script run finished.* sent the server nothing \(the action never"):
        wait_for_app(page, timeout=5_000)
    # An action that runs the script: the wait returns once that run is over, and its page is there.
    page.get_by_text("English", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="File a complaint")).to_be_visible()
    page.close()


def test_a_click_after_typing_takes_the_focus_from_the_field_before_it_presses(portal, browser):
    """The clicks of these tests land on a busy machine: the field typed into loses its focus (and
    Streamlit redraws it) before the press, not during it (conftest.clicks_after_typing_land)."""
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(portal.url)
    wait_for_app(page)
    page.evaluate("() => window.addEventListener('pointerdown',"
                  " () => { window.__focusAtPress = document.activeElement.tagName; }, true)")
    description = page.locator("textarea").first
    description.fill("हमारी गली में पानी नहीं आ रहा")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.get_by_role("heading", name="शिकायत दर्ज करें").click()
    assert page.evaluate("() => window.__focusAtPress") == "BODY"
    expect(description).to_have_value("हमारी गली में पानी नहीं आ रहा")     # what was typed stays
    page.close()
