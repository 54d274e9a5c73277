"""The Escalation tab: the days past the deadline before a complaint goes to the department head and to
the DC, and who heads each department with the mobiles escalation SMS go to."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.casework import escalation
from lib.core.masking import mask_mobile
from lib.core.problems import InvalidInput
from lib.ui.admin import Desk, outcome, problems_of, show_form_problems, show_success

state = st.session_state


def rules_submitted(desk: Desk) -> None:
    rules = escalation.EscalationRules(head_days=state.get("escalation_head_days"),
                                       dc_days=state.get("escalation_dc_days"))
    try:
        escalation.set_rules(desk.con, rules, desk.admin.username)
    except InvalidInput as exc:
        outcome("escalation_rules", exc.problems)
        return
    outcome("escalation_rules", success=("admin.done.escalation_saved", {}))


def contact_submitted(desk: Desk, username: str) -> None:
    try:
        escalation.set_officer_contact(desk.con, username, bool(state.get(f"escalation_head_{username}")),
                                       state.get(f"escalation_mobile_{username}", ""), desk.admin.username)
    except InvalidInput as exc:
        outcome("escalation_contact", exc.problems)
        return
    outcome("escalation_contact", success=("admin.done.escalation_contact", {"username": username}))


def render(desk: Desk) -> None:
    st.subheader(ui.tr("admin.escalation.rules"))
    st.caption(ui.tr("admin.escalation.intro"))
    show_success("escalation_rules")
    rules = escalation.get_rules(desk.con)
    problems = problems_of("escalation_rules")
    with st.form("escalation_rules_form"):
        for field, label in (("head_days", "admin.escalation.head_days"), ("dc_days", "admin.escalation.dc_days")):
            st.number_input(ui.tr(label), value=getattr(rules, field), min_value=1, max_value=escalation.MAX_DAYS,
                            step=1, key=f"escalation_{field}")
            ui.show_problems(problems, field)
        st.form_submit_button(ui.tr("admin.escalation.submit"), type="primary", on_click=rules_submitted,
                              args=(desk,), key="escalation_rules_submit")
    _contacts(desk)


def _contacts(desk: Desk) -> None:
    st.subheader(ui.tr("admin.escalation.contacts"))
    st.caption(ui.tr("admin.escalation.contacts_intro"))
    contacts = {c.username: c for c in escalation.officer_contacts(desk.con)}
    st.dataframe(pd.DataFrame(
        [(c.username, c.display_name, desk.role_label(c.role),
          desk.department_label(c.department_code) if c.department_code else "—",
          ui.tr("admin.yes") if c.is_head else "", mask_mobile(c.mobile) if c.mobile else "—")
         for c in contacts.values()],
        columns=[ui.tr("admin.username"), ui.tr("admin.display_name"), ui.tr("admin.role"), ui.tr("admin.department"),
                 ui.tr("admin.escalation.col.head"), ui.tr("admin.escalation.col.mobile")]),
        hide_index=True, width="stretch")
    picked = st.selectbox(ui.tr("admin.escalation.pick"), options=list(contacts), index=None,
                          key="escalation_contact_user", placeholder=ui.tr("admin.pick"),
                          format_func=lambda name: f"{name} — {contacts[name].display_name}")
    show_success("escalation_contact")
    if not picked:
        return
    contact = contacts[picked]
    problems = problems_of("escalation_contact")
    show_form_problems("escalation_contact", ("is_head", "mobile"))
    # Keyed by the officer, so the form opens with that officer's own values.
    with st.form(f"escalation_contact_form_{picked}"):
        st.checkbox(ui.tr("admin.escalation.is_head"), value=contact.is_head, key=f"escalation_head_{picked}")
        ui.show_problems(problems, "is_head")
        st.text_input(ui.tr("admin.escalation.mobile"), value=contact.mobile or "", max_chars=20,
                      key=f"escalation_mobile_{picked}", help=ui.tr("admin.escalation.mobile.help"))
        ui.show_problems(problems, "mobile")
        st.form_submit_button(ui.tr("admin.escalation.contact_submit"), on_click=contact_submitted,
                              args=(desk, picked), key=f"escalation_contact_submit_{picked}")
