"""Filed by me: the complaints this CSC operator filed for citizens (tracking number, date, status),
and the citizen's receipt of any of them to print again. Nothing else of the complaint, ever."""
from lib import ui

ui.guard("filed_by_me")

import pandas as pd  # noqa: E402  (after the guard: nothing runs before it)
import streamlit as st  # noqa: E402

from lib.citizen import assisted  # noqa: E402
from lib.citizen.receipt import format_time, summary_rows  # noqa: E402
from lib.core.i18n import t  # noqa: E402
from lib.ui import assisted as assisted_ui  # noqa: E402

user = ui.require_user()
con = ui.connection()
lang = ui.language()
choices = ui.form_choices()

st.title(ui.tr("filed_by_me.title"))
filings, total = assisted.my_filings(con, user.username)
if not filings:
    st.info(ui.tr("filed_by_me.none"))
    st.stop()
st.caption(ui.tr("filed_by_me.count", count=total, shown=len(filings)))
st.dataframe(pd.DataFrame(
    [(f.tracking_no, format_time(f.filed_at), t(lang, f"status.{f.status}")) for f in filings],
    columns=[ui.tr("ack.tracking_no"), ui.tr("summary.filed_at"), ui.tr("summary.status")]),
    hide_index=True, width="stretch", key="filed_by_me_table")

by_id = {f.complaint_id: f for f in filings}
picked = st.selectbox(ui.tr("filed_by_me.receipt_for"), options=list(by_id), index=None, key="filed_by_me_pick",
                      placeholder=ui.tr("form.pick"), format_func=lambda i: by_id[i].tracking_no)
if picked is not None:
    found = assisted.receipt_complaint(con, user.username, picked)
    if found is not None:
        complaint, centre = found
        st.subheader(ui.tr("receipt.heading"))
        st.dataframe(pd.DataFrame(summary_rows(lang, complaint, choices, centre), columns=["", " "]),
                     hide_index=True, width="stretch")
        assisted_ui.receipt_downloads(lang, complaint, choices, centre, key=f"receipt_{picked}")
