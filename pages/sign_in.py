"""Sign in for the DC's office, department officers, analysts and admins."""
from lib import ui

ui.guard("sign_in")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

st.caption(ui.tr("signin.intro"))
if ui.sign_in_form(ui.authenticator()):
    # Rerun so app.py registers the pages of the new role, then land on its first page.
    st.rerun()
