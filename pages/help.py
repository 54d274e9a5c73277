"""Help for citizens: what to keep ready, how to file, how to follow the complaint (GIGW 3.0 asks for it)."""
from lib import ui

ui.guard("help")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

st.title(ui.tr("help.title"))
st.caption(ui.tr("help.intro"))
for question, answer in (("help.ready.q", "help.ready.a"), ("help.file.q", "help.file.a"),
                         ("help.track.q", "help.track.a"), ("help.hearing.q", "help.hearing.a"),
                         ("help.language.q", "help.language.a")):
    st.subheader(ui.tr(question))
    st.markdown(ui.tr(answer))
st.page_link("pages/file_complaint.py", label=ui.tr("nav.file_complaint"), icon="📝")
st.page_link("pages/track_complaint.py", label=ui.tr("nav.track_complaint"), icon="🔎")
