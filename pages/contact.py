"""Contact: where the Deputy Commissioner's office is and when it hears citizens in person (GIGW 3.0 asks for it)."""
from lib import ui

ui.guard("contact")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

st.title(ui.tr("contact.title"))
st.markdown(ui.tr("contact.address"))
st.subheader(ui.tr("contact.hours.title"))
st.markdown(ui.tr("contact.hours"))
st.subheader(ui.tr("contact.portal.title"))
st.markdown(ui.tr("contact.portal"))
st.page_link("pages/help.py", label=ui.tr("nav.help"), icon="❓")
