"""Track a complaint: tracking number + mobile -> status, next step and public history."""
from lib import ui

ui.guard("track_complaint")

import time  # noqa: E402  (after the guard: nothing runs before it)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.receipt import format_time, summary_rows  # noqa: E402
from lib.tracking import FailureThrottle, find_complaint  # noqa: E402

st.title(ui.tr("track.title"))
st.caption(ui.tr("track.intro"))
throttle: FailureThrottle = st.session_state.setdefault("track_throttle", FailureThrottle())

with st.form("track"):
    tracking_raw = st.text_input(ui.tr("track.tracking_no"), key="track_no", max_chars=30)
    mobile_raw = st.text_input(ui.tr("track.mobile"), key="track_mobile", max_chars=20)
    asked = st.form_submit_button(ui.tr("track.submit"), type="primary")

if asked:
    wait = throttle.seconds_to_wait(time.time())
    if wait:
        st.warning(ui.tr("track.wait", seconds=wait))
    else:
        complaint = find_complaint(ui.connection(), tracking_raw, mobile_raw)
        if complaint is None:
            throttle.record_failure(time.time())
            st.error(ui.tr("track.not_found"))
        else:
            throttle.record_success()
            lang = ui.language()
            st.subheader(f"{ui.tr('summary.status')}: {ui.tr(f'status.{complaint.status}')}")
            st.info(f"{ui.tr('track.next_step')}: {ui.tr(complaint.next_step_key)}")
            # Plain-text table: citizen text is never rendered as markdown or HTML.
            st.table(pd.DataFrame(summary_rows(lang, complaint, ui.form_choices()), columns=["", " "])
                     .set_index(""))
            st.subheader(ui.tr("track.timeline"))
            history = [
                (format_time(e.happened_at),
                 ui.tr("event.filed") if e.event == "filed"
                 else ui.tr("event.status_changed", status=ui.tr(f"status.{e.to_status}")))
                for e in complaint.events
            ]
            st.dataframe(pd.DataFrame(history, columns=[ui.tr("track.when"), ui.tr("track.what")]),
                         hide_index=True, width="stretch")
