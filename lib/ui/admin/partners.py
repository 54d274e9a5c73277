"""The Partner systems tab: the systems that file complaints through the Open311 API (CM Window, CSC
operators), each with its own api_key. A new key is shown once, right after it is made; the portal
keeps only its hash. Revoking a key refuses its next call (HTTP 403)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.citizen.receipt import format_time
from lib.core.problems import InvalidInput, Problem
from lib.partners import keys
from lib.ui.admin import Desk, outcome, problems_of, show_form_problems, show_success

state = st.session_state
NEW_KEY = "partner_new_key"          # (name, key) of the key just made: shown on the next run only


def create_submitted(desk: Desk) -> None:
    try:
        partner, key = keys.create_partner(desk.con, state.get("partner_name", ""), desk.admin.username)
    except InvalidInput as exc:
        outcome("partner_create", exc.problems)
        return
    state[NEW_KEY] = (partner.name, key)
    state["partner_name"] = ""
    outcome("partner_create", success=("admin.partners.created", {"name": partner.name}))


def revoke_submitted(desk: Desk) -> None:
    picked = state.get("partner_revoke")
    if picked is None:
        outcome("partner_revoke", [Problem("revoke", "admin.partners.error.pick")])
        return
    try:
        keys.revoke_partner(desk.con, picked, desk.admin.username)
    except InvalidInput as exc:
        outcome("partner_revoke", exc.problems)
        return
    state["partner_revoke"] = None
    outcome("partner_revoke", success=("admin.partners.revoked", {}))


def render(desk: Desk) -> None:
    st.caption(ui.tr("admin.partners.intro"))
    partners = keys.list_partners(desk.con)
    st.dataframe(pd.DataFrame(
        [(p.name, f"api:{p.name}", p.key_prefix + "…", format_time(p.created_at), p.created_by,
          format_time(p.revoked_at) if p.revoked_at else "—", p.complaints) for p in partners],
        columns=[ui.tr("admin.partners.name"), ui.tr("admin.partners.channel"), ui.tr("admin.partners.key"),
                 ui.tr("admin.partners.created_at"), ui.tr("admin.partners.created_by"),
                 ui.tr("admin.partners.revoked_at"), ui.tr("admin.partners.complaints")]),
        hide_index=True, width="stretch")

    st.subheader(ui.tr("admin.partners.create"))
    show_success("partner_create")
    if NEW_KEY in state:
        name, key = state.pop(NEW_KEY)
        st.warning(ui.tr("admin.partners.key_once", name=name), icon="🔑")
        st.code(key, language=None)
    problems = problems_of("partner_create")
    show_form_problems("partner_create", ("partner_name",))
    with st.form("partner_create_form"):
        st.text_input(ui.tr("admin.partners.name"), key="partner_name", max_chars=32,
                      help=ui.tr("admin.partners.name.help"))
        ui.show_problems(problems, "partner_name")
        st.form_submit_button(ui.tr("admin.partners.create.submit"), type="primary", on_click=create_submitted,
                              args=(desk,), key="partner_create_submit")

    live = {p.id: p.name for p in partners if p.revoked_at is None}
    st.subheader(ui.tr("admin.partners.revoke"))
    show_success("partner_revoke")
    show_form_problems("partner_revoke", ())
    st.selectbox(ui.tr("admin.partners.pick"), options=list(live), index=None, key="partner_revoke",
                 format_func=lambda i: live.get(i, str(i)), placeholder=ui.tr("admin.pick"))
    st.button(ui.tr("admin.partners.revoke.submit"), on_click=revoke_submitted, args=(desk,),
              key="partner_revoke_submit")
