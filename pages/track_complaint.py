"""Track a complaint: tracking number + mobile -> status, next step, the booked hearing with its join link, and public
history; after resolution, the citizen's answer."""
from lib import ui

ui.guard("track_complaint")

import time  # noqa: E402  (after the guard: nothing runs before it)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.casework import actions, steps  # noqa: E402
from lib.hearings import slots  # noqa: E402
from lib.core.lifecycle import Feedback  # noqa: E402
from lib.citizen.receipt import format_time, summary_rows  # noqa: E402
from lib.citizen.tracking import FailureThrottle, citizen_proof, find_complaint  # noqa: E402

FOUND_KEY = "track_found"       # the (tracking number, mobile) pair that matched, for later reruns
FLASH_KEY = "track_flash"

st.title(ui.tr("track.title"))
st.caption(ui.tr("track.intro"))
throttle: FailureThrottle = st.session_state.setdefault("track_throttle", FailureThrottle())

with st.form("track"):
    tracking_raw = st.text_input(ui.tr("track.tracking_no"), key="track_no", max_chars=30)
    mobile_raw = st.text_input(ui.tr("track.mobile"), key="track_mobile", max_chars=20)
    asked = st.form_submit_button(ui.tr("track.submit"), type="primary")

complaint = None
if asked:
    st.session_state.pop(FOUND_KEY, None)
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
            st.session_state[FOUND_KEY] = (tracking_raw, mobile_raw)
elif st.session_state.get(FOUND_KEY):
    # A rerun after the lookup (the feedback form): the pair already matched in this session.
    complaint = find_complaint(ui.connection(), *st.session_state[FOUND_KEY])

if complaint is not None:
    lang = ui.language()
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    st.subheader(f"{ui.tr('summary.status')}: {ui.tr(f'status.{complaint.status}')}")
    st.info(f"{ui.tr('track.next_step')}: {ui.tr(complaint.next_step_key)}")
    if complaint.hearing:           # only ever set after the tracking number and mobile matched
        hearing = complaint.hearing
        st.subheader(ui.tr("track.hearing_title"))
        st.success(ui.tr("track.hearing_when", when=slots.when(hearing.starts_at, hearing.ends_at),
                         officer=hearing.officer(lang)))
        st.link_button(ui.tr("track.hearing_join"), hearing.join_url, type="primary")
        st.code(hearing.join_url, language=None)
        st.caption(ui.tr("track.hearing_hint"))
    # Plain-text cells: citizen text is never rendered as markdown or HTML (st.table would).
    st.dataframe(pd.DataFrame(summary_rows(lang, complaint, ui.form_choices()), columns=[" ", "  "]),
                 hide_index=True, width="stretch")
    st.subheader(ui.tr("track.timeline"))
    departments = ui.form_choices().departments
    history = [(format_time(e.happened_at), e.label(lang, departments)) for e in complaint.events]
    st.dataframe(pd.DataFrame(history, columns=[ui.tr("track.when"), ui.tr("track.what")]),
                 hide_index=True, width="stretch")

    if complaint.feedback_open:
        st.subheader(ui.tr("track.feedback_title"))
        st.caption(ui.tr("track.feedback_intro"))
        with st.form("feedback"):
            answers = {a: ui.tr(f"feedback.{a}") for a in Feedback}
            answer = st.radio(ui.tr("track.feedback_answer"), list(answers), index=None, key="feedback_answer",
                              format_func=answers.get)
            sent = st.form_submit_button(ui.tr("track.feedback_submit"), key="feedback_submit")
        if sent:
            proof = citizen_proof(*st.session_state[FOUND_KEY])
            try:
                actions.record_feedback(ui.connection(), steps.Citizen(*proof), complaint.complaint_id,
                                        complaint.version, answer)
            except steps.REFUSALS as exc:
                st.error(steps.describe(exc, lang))
            else:
                st.session_state[FLASH_KEY] = ui.tr(
                    "track.feedback_reopened" if answer == Feedback.NOT_SOLVED else "track.feedback_thanks")
                st.rerun()
