"""Placeholder: being built."""
from lib import ui

ui.guard("calendar")

import streamlit as st  # noqa: E402

st.title(ui.tr("nav.calendar"))
