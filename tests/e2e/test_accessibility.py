"""WCAG 2.1 AA in a real browser (axe-core, bundled by axe-playwright-python): every public page in both
languages on a phone, every officer page on a desktop. Any violation fails with its rule and elements."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from lib.core.roles import Role
from lib.staff.access import PAGES_BY_ROLE, PageName
from tests.e2e.conftest import PHONE, sign_in, wait_for_app

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
DESKTOP = {"width": 1440, "height": 900}
PUBLIC_PAGES = PAGES_BY_ROLE[Role.PUBLIC]
# Each officer page once, as a role that may open it.
OFFICER_PAGES = {"dc_rewari": (PageName.QUEUE, PageName.COMPLAINT_DETAIL, PageName.CALENDAR, PageName.OVERDUE),
                 "analyst_rewari": (PageName.ANALYTICS,),
                 "admin_rewari": (PageName.ADMIN, PageName.SMS_OUTBOX)}


def violations(page, where: str) -> list[str]:
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{where}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:5]}" for v in found]


def test_public_pages_on_a_phone_in_both_languages(portal, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    report = []
    for language in ("hi", "en"):
        for name in PUBLIC_PAGES:
            page.goto(f"{portal.url}/{name}?lang={language}")
            wait_for_app(page)
            report += violations(page, f"{name} ({language})")
    context.close()
    assert report == [], "\n".join(report)


def test_officer_pages_on_a_desktop(demo_portal, browser):
    report = []
    for username, names in OFFICER_PAGES.items():
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, demo_portal.url, username)
        for name in names:
            page.goto(f"{demo_portal.url}/{name}")
            wait_for_app(page)
            report += violations(page, f"{name} ({username})")
        context.close()
    assert report == [], "\n".join(report)
