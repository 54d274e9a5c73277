"""Placeholder: being built."""
from lib import ui

ui.guard("sms_outbox")

import streamlit as st  # noqa: E402

st.title(ui.tr("nav.sms_outbox"))
