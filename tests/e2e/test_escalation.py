"""Escalation in a real browser: the DC and a department head sign in and find the complaints past their
deadline in "Escalated to me", with each one's level and how long it has been theirs."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from lib.casework import deadlines, escalation
from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff import administration, signin
from tests.conftest import make_form
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

IST = deadlines.IST
AGO = 2                     # the round that escalated both complaints ran this many days ago


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


def filing_day_for_head_only(round_day):
    """A filing day whose complaint, on `round_day`, is past the head's delay but not yet the DC's."""
    rules, targets = escalation.DEFAULT_RULES, deadlines.DeadlineTargets()
    for back in range(2, 20):
        filed = round_day - timedelta(days=back)
        late = (round_day - deadlines.add_working_days(filed, targets.verify_working_days)).days
        if rules.head_days < late <= rules.dc_days:
            return filed
    raise AssertionError("no such filing day")


@pytest.fixture
def escalated_portal(tmp_path, browser, monkeypatch):
    """Demo accounts, PHED's head (signs in with the demo password), and two PHED complaints escalated
    two days ago: one all the way to the DC, one to the department head only. Then a portal on it."""
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    administration.add_user(con, administration.NewUser("head_phed", "SE, PHED Rewari", "officer", "PHED",
                                                        signin.DEMO_PASSWORD), administration.CONSOLE_ACTOR)
    escalation.set_officer_contact(con, "head_phed", True, "9812300001", administration.CONSOLE_ACTOR)
    round_day = deadlines.today_in_ist() - timedelta(days=AGO)
    numbers = []
    for i, filed_on in enumerate((round_day - timedelta(days=30), filing_day_for_head_only(round_day))):
        filed = datetime.combine(filed_on, time(11), tzinfo=IST)
        form = make_form(submission_token=f"escalation-{i}", preferred_dates=(filed_on + timedelta(days=5),))
        numbers.append(file_complaint(con, settings, form, load_form_choices(con), track_url="http://portal/track",
                                      now=filed).tracking_no)
    done = escalation.escalate_due(con, today=round_day, now=datetime.combine(round_day, time(9), tzinfo=IST))
    assert done == {escalation.Level.DEPARTMENT_HEAD: 2, escalation.Level.DC: 1}
    con.close()
    server = PortalServer(tmp_path).warm_up(browser)
    yield server, numbers
    server.stop()


def escalated_section(page):
    return page.locator(".st-key-escalated_to_me")


def test_the_dc_and_the_head_see_what_was_escalated_to_them(escalated_portal, browser):
    server, (to_dc, to_head) = escalated_portal
    age = hi("escalation.queue.age", count=AGO)

    dc = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    dc.set_default_timeout(30_000)
    sign_in(dc, server.url, "dc_rewari")            # lands on the queue
    section = escalated_section(dc)
    expect(section).to_contain_text(f"{hi('escalation.queue.title')} (1)", timeout=60_000)
    expect(section).to_contain_text(to_dc)
    expect(section).to_contain_text(hi("escalation.badge.dc"))
    expect(section).to_contain_text(age)
    expect(section).not_to_contain_text(to_head)    # not yet the DC's
    dc.context.close()

    head = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    head.set_default_timeout(30_000)
    sign_in(head, server.url, "head_phed")
    section = escalated_section(head)
    expect(section).to_contain_text(f"{hi('escalation.queue.title')} (2)", timeout=60_000)
    # Longest waiting first; both came up to the head two days ago, one has gone on to the DC.
    line_dc, line_head = (head.locator(f".st-key-escalated_case_{number}") for number in (to_dc, to_head))
    expect(line_dc).to_contain_text(hi("escalation.badge.dc"))
    expect(line_dc).to_contain_text(age)
    expect(line_head).to_contain_text(hi("escalation.badge.department_head"))
    expect(line_head).to_contain_text(age)

    # The complaint's own page shows the step in its history.
    section.get_by_role("button", name=hi("escalation.queue.open", tracking_no=to_head)).press("Enter")
    wait_for_app(head)
    expect(head.get_by_text(hi("event.escalated", level=hi("escalation.level.department_head")))).to_be_visible(
        timeout=60_000)
    head.context.close()
