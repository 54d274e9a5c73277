"""The Escalation tab of the admin page and the queue's "Escalated to me", through AppTest."""
from __future__ import annotations

from datetime import datetime, timedelta

from lib.casework import deadlines, escalation
from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from tests.conftest import make_form, open_portal_as
from tests.staff.test_admin_page import admin, connection, quick_bcrypt  # noqa: F401  (fixtures)

IST = deadlines.IST


def test_the_admin_changes_the_delays_and_a_wrong_pair_is_refused_beside_its_field(admin):
    assert admin.number_input(key="escalation_head_days").value == 3
    assert admin.number_input(key="escalation_dc_days").value == 7
    admin.number_input(key="escalation_head_days").set_value(9)
    admin.button(key="escalation_rules_submit").click().run()
    assert not admin.exception
    assert t("en", "escalation.error.dc_after_head") in [e.value for e in admin.error]
    assert escalation.get_rules(connection()) == escalation.DEFAULT_RULES          # nothing stored

    admin.number_input(key="escalation_head_days").set_value(5)
    admin.number_input(key="escalation_dc_days").set_value(12)
    admin.button(key="escalation_rules_submit").click().run()
    assert not admin.exception
    assert t("en", "admin.done.escalation_saved") in [s.value for s in admin.success]
    assert escalation.get_rules(connection()) == escalation.EscalationRules(5, 12)


def test_the_admin_makes_an_officer_head_with_a_mobile_and_a_bad_mobile_is_refused(admin):
    admin.selectbox(key="escalation_contact_user").set_value("officer_phed").run()
    admin.checkbox(key="escalation_head_officer_phed").check()
    admin.text_input(key="escalation_mobile_officer_phed").input("12345")
    admin.button(key="escalation_contact_submit_officer_phed").click().run()
    assert not admin.exception
    assert t("en", "error.mobile_invalid") in [e.value for e in admin.error]
    assert not next(c for c in escalation.officer_contacts(connection()) if c.username == "officer_phed").is_head

    admin.text_input(key="escalation_mobile_officer_phed").input("98123 00001")
    admin.button(key="escalation_contact_submit_officer_phed").click().run()
    assert not admin.exception
    phed = next(c for c in escalation.officer_contacts(connection()) if c.username == "officer_phed")
    assert (phed.is_head, phed.mobile) == (True, "+919812300001")


def test_the_queue_shows_escalated_to_me_to_the_dc_and_not_to_a_plain_officer(demo_users):
    settings = load_settings({})
    con = open_portal_database(settings)
    filed = datetime.now(IST) - timedelta(days=30)
    ack = file_complaint(con, settings, make_form(preferred_dates=(filed.date() + timedelta(days=5),)),
                         load_form_choices(con), track_url="https://x/track", now=filed)
    escalation.escalate_due(con, now=datetime.now(IST) - timedelta(days=1))
    con.close()
    dc = open_portal_as("dc_rewari", "pages/queue.py")
    shown = " ".join(m.value for m in dc.markdown)
    assert ack.tracking_no in shown and t("hi", "escalation.badge.dc") in shown
    assert t("hi", "escalation.queue.age", count=1) in shown
    officer = open_portal_as("officer_phed", "pages/queue.py")
    assert t("hi", "escalation.queue.title") not in " ".join(s.value for s in officer.subheader)
