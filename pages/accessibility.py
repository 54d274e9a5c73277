"""The accessibility statement (GIGW 3.0): the standard the portal meets, how, what is known not to work, whom to tell."""
from lib import ui

ui.guard("accessibility")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

st.title(ui.tr("a11y.title"))
st.markdown(ui.tr("a11y.commitment"))
st.subheader(ui.tr("a11y.features.title"))
st.markdown(ui.tr("a11y.features"))
st.subheader(ui.tr("a11y.limits.title"))
st.markdown(ui.tr("a11y.limits"))
st.subheader(ui.tr("a11y.report.title"))
st.markdown(ui.tr("a11y.report"))
st.page_link("pages/contact.py", label=ui.tr("nav.contact"), icon="📞")
st.caption(ui.tr("a11y.reviewed"))
