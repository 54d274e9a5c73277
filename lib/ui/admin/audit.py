"""The Audit trail tab: who did what, on what, and when."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.citizen.receipt import format_time
from lib.staff import administration
from lib.ui.admin import Desk


def render(desk: Desk) -> None:
    st.caption(ui.tr("admin.audit.intro"))
    st.dataframe(pd.DataFrame(
        [(format_time(e.happened_at), e.actor, e.action, e.target or "", e.detail or "")
         for e in administration.recent_audit(desk.con)],
        columns=[ui.tr("admin.audit.when"), ui.tr("admin.audit.who"), ui.tr("admin.audit.action"),
                 ui.tr("admin.audit.target"), ui.tr("admin.audit.detail")]),
        hide_index=True, width="stretch")
