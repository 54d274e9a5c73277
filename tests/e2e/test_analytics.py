"""The analytics page in a real browser: the analyst signs in, filters, drills from a tehsil to its villages, and the URL carries the view."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_for_app

TEHSIL_CHART = "[data-testid='stPlotlyChart']"


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.get_by_role("combobox").click()
    page.keyboard.type(option)                 # a long list renders only what is in view
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_the_analyst_filters_drills_into_a_tehsil_and_shares_the_view(demo_portal, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_portal.url, "analyst_rewari")           # the analyst lands on analytics
    expect(page.get_by_role("heading", name="विश्लेषण").first).to_be_visible()
    page.wait_for_url(re.compile(r"[?&]to="))                  # the period is in the URL from the start
    wait_for_app(page)
    received = page.locator("[data-testid='stMetric']").filter(has_text="प्राप्त").first
    before = received.locator("[data-testid='stMetricValue']").inner_text()

    # A filter changes the figures and goes into the URL.
    choose(page, "श्रेणी", "पेयजल आपूर्ति")
    expect(received.locator("[data-testid='stMetricValue']")).not_to_have_text(before)
    expect(page).to_have_url(re.compile(r"[?&]cat=WATER(&|$)"))

    # Click a tehsil's bar: one level down, to its villages and towns.
    page.get_by_role("tab", name="गाँव और वार्ड").click()
    chart = page.locator(TEHSIL_CHART).filter(has_text="तहसील के अनुसार शिकायतें")
    expect(chart).to_be_visible()
    # Plotly's drag layer lies over the bars and turns a click at a bar into a point selection.
    # The place chart is tall (room for 20 villages and "Others"): bring the bar into view first.
    bar = chart.locator(".bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    expect(page.get_by_role("button", name="सभी तहसीलों पर वापस")).to_be_visible()
    expect(page.locator(TEHSIL_CHART).filter(has_text=re.compile("गाँव और शहर के अनुसार शिकायतें"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]drill=\d+(&|$)"))
    params = query(page)
    assert params["cat"] == "WATER" and params["drill"].isdigit()

    # The link opens the same view for whoever it is shared with (here: a new tab of the analyst).
    shared = context.new_page()
    shared.goto(page.url)
    wait_for_app(shared)
    category = shared.get_by_test_id("stSelectbox").filter(has=shared.get_by_text("श्रेणी", exact=True))
    expect(category.get_by_role("combobox")).to_have_value("पेयजल आपूर्ति")
    shared.get_by_role("tab", name="गाँव और वार्ड").click()
    expect(shared.get_by_role("button", name="सभी तहसीलों पर वापस")).to_be_visible()

    # Back to all tehsils: the drill leaves the URL, the filter stays.
    page.get_by_role("button", name="सभी तहसीलों पर वापस").click()
    wait_for_app(page)
    expect(page.locator(TEHSIL_CHART).filter(has_text="तहसील के अनुसार शिकायतें")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"[?&]drill="))      # the drill was in it just before
    assert query(page)["cat"] == "WATER"
    context.close()
