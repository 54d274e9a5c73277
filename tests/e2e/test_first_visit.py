"""A page load is one script run, and a citizen's page loads nothing only officers need: the sign-in
cookie component (an iframe of ~650 KB) used to be drawn on every page and to rerun it once more."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

COMPONENT = "cookie_manager"          # extra_streamlit_components' cookie component, by its URL


@pytest.fixture
def demo_users_portal(tmp_path, browser, monkeypatch):
    """A portal whose database has the demo accounts and no complaints."""
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    con.close()
    server = PortalServer(tmp_path).warm_up(browser)
    yield server
    server.stop()


def open_counting_requests(page, url: str) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    wait_for_app(page)
    page.wait_for_load_state("networkidle")      # whatever the page would still fetch has been asked for
    return requested


def test_the_citizen_form_is_one_run_without_the_cookie_component(portal, browser):
    page = browser.new_page()
    requested = open_counting_requests(page, f"{portal.url}/file_complaint")
    expect(page.get_by_role("heading", name=t("hi", "form.title"))).to_be_visible()
    assert [url for url in requested if COMPONENT in url] == []
    assert page.evaluate("() => window.__stRuns.started") == 1
    page.close()


def test_an_officer_stays_signed_in_across_pages_each_loaded_in_one_run(demo_users_portal, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, demo_users_portal.url, "dc_rewari")
    other = context.new_page()                      # a new tab: signed in from the cookie alone
    requested = open_counting_requests(other, f"{demo_users_portal.url}/queue")
    expect(other.get_by_role("button", name=t("hi", "signin.sign_out"))).to_be_visible()
    assert [url for url in requested if COMPONENT in url] == []
    assert other.evaluate("() => window.__stRuns.started") == 1
    context.close()
