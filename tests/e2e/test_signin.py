"""Officers' sign-in in a real browser: the cookie survives a refresh, and dies with logout."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.core.i18n import t
from lib.staff.signin import DEMO_PASSWORD
from tests.e2e.conftest import sign_in, wait_for_app


def test_sign_in_survives_refresh_and_a_copied_cookie_fails_after_logout(demo_portal, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_portal.url, "dc_rewari")
    # A bookmark of the DC's first page opens it directly, without a "Page not found" detour.
    page.goto(f"{demo_portal.url}/queue")
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name=t("hi", "queue.title")).first).to_be_visible()

    # A refresh on a deep link keeps the officer signed in (cookie restore before st.navigation).
    page.goto(f"{demo_portal.url}/overdue")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=t("hi", "overdue.title")).first).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)          # no "Page not found" on the way
    cookies = [c for c in context.cookies() if c["name"] == "esachivalaya_signin"]
    assert cookies, "the sign-in cookie was not set"

    page.get_by_role("button", name="साइन आउट").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="साइन आउट")).to_have_count(0)
    context.close()

    # Someone who copied the cookie before logout gets nothing from it.
    thief = browser.new_context()
    thief.add_cookies(cookies)
    stolen = thief.new_page()
    stolen.goto(f"{demo_portal.url}/queue")
    wait_for_app(stolen)
    expect(stolen.get_by_role("heading", name="शिकायत दर्ज करें")).to_be_visible()
    expect(stolen.get_by_role("heading", name=t("hi", "queue.title"))).to_have_count(0)
    thief.close()


def test_wrong_password_is_refused_in_the_users_language(demo_portal, browser):
    page = browser.new_page()
    page.goto(f"{demo_portal.url}/sign_in")
    wait_for_app(page)
    page.get_by_label("यूज़रनेम", exact=True).fill("dc_rewari")
    page.get_by_label("पासवर्ड", exact=True).fill("wrong-password")
    page.get_by_role("button", name="साइन इन करें").click()
    wait_for_app(page)
    expect(page.get_by_text("यूज़रनेम या पासवर्ड गलत है।")).to_be_visible()
    page.close()


def _cookie_key(portal) -> str:
    import json
    return json.loads(portal.db_path.with_suffix(".keys").read_text())["cookie_key"]


def test_a_bad_cookie_is_removed_and_the_visitor_gets_the_page_they_asked_for(demo_portal, browser):
    import time

    import jwt

    later = time.time() + 3600
    bad_cookies = {
        "forged": jwt.encode({"username": "dc_rewari", "exp_date": later, "ver": 1}, None, algorithm="none"),
        # What this portal wrote before session versions: our key, but no version in it.
        "stale": jwt.encode({"username": "dc_rewari", "exp_date": later}, _cookie_key(demo_portal), algorithm="HS256"),
    }
    for kind, value in bad_cookies.items():
        context = browser.new_context()
        context.add_cookies([{"name": "esachivalaya_signin", "value": value, "url": demo_portal.url}])
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{demo_portal.url}/track_complaint")          # a deep link to a citizen's page
        wait_for_app(page)
        expect(page.get_by_role("heading", name=t("hi", "track.title")).first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_role("button", name=t("hi", "signin.sign_out"))).to_have_count(0)
        # The portal deletes the refused cookie from the browser.
        page.wait_for_function("!document.cookie.includes('esachivalaya_signin=')")
        assert not [c for c in context.cookies() if c["name"] == "esachivalaya_signin"], kind
        context.close()
