"""Track a complaint: tracking number + mobile -> status and next step; the signed link of the citizen's SMS or a
one-time code -> the details, the booked hearing with its join link, the public history and, after resolution, the
citizen's answer."""
from lib import ui

ui.guard("track_complaint")

from datetime import datetime  # noqa: E402  (after the guard: nothing runs before it)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.core.lifecycle import Feedback  # noqa: E402
from lib.citizen import track_codes, tracking  # noqa: E402
from lib.citizen.receipt import format_time, summary_rows  # noqa: E402
from lib.casework import actions, appeals, steps  # noqa: E402
from lib.hearings import slots  # noqa: E402

FOUND_KEY = "track_found"       # id of the complaint whose number and mobile matched (or whose link was opened)
PROVEN_KEY = "track_proven"     # id of the complaint whose details this session may see (code or signed link)
LINK_KEY = "track_link_seen"    # the link already checked in this session: a rerun does not count it again
FLASH_KEY = "track_flash"
CODE_REFUSALS = {track_codes.CodeCheck.WRONG: "track.code_wrong", track_codes.CodeCheck.SPENT: "track.code_spent",
                 track_codes.CodeCheck.EXPIRED: "track.code_expired",
                 track_codes.CodeCheck.NONE_SENT: "track.code_none_sent"}


def when(moment: datetime) -> tuple[str, int]:
    """(the time to try again, in IST, and about how many minutes that is from now)."""
    minutes = max(1, -(-int((moment - datetime.now(tracking.IST)).total_seconds()) // 60))
    return format_time(moment), minutes


st.title(ui.tr("track.title"))
st.caption(ui.tr("track.intro"))
con, settings = ui.connection(), ui.settings()

# The signed link in the citizen's SMS: ?t=<tracking number>&sig=<signature>.
link = (st.query_params.get("t"), st.query_params.get("sig"))
if link[0] and link[1] and st.session_state.get(LINK_KEY) != link:
    st.session_state[LINK_KEY] = link
    st.session_state.setdefault("track_no", link[0])       # the number filled in, before its widget
    opened = tracking.open_link(con, settings, ui.client_address(), *link)
    if opened is None:
        st.error(ui.tr("track.link_invalid"))
    else:
        st.session_state[FOUND_KEY] = st.session_state[PROVEN_KEY] = opened.complaint_id

if link[0] and st.session_state.get("track_no", link[0]) == link[0]:
    # Sent again on every run while the link's number stands: the sign-in cookie's rerun can
    # overtake the first run, and the browser would then show an empty field.
    st.session_state["track_no"] = link[0]

with st.form("track"):
    tracking_raw = st.text_input(ui.tr("track.tracking_no"), key="track_no", max_chars=30)
    mobile_raw = st.text_input(ui.tr("track.mobile"), key="track_mobile", max_chars=20)
    asked = st.form_submit_button(ui.tr("track.submit"), type="primary", key="track_submit")

if asked:
    st.session_state.pop(FOUND_KEY, None)
    st.session_state.pop(PROVEN_KEY, None)
    result = tracking.look_up(con, settings, ui.client_address(), tracking_raw, mobile_raw)
    if result.retry_at is not None:
        time_text, minutes = when(result.retry_at)
        st.warning(ui.tr("track.wait", time=time_text, minutes=minutes))
    elif result.found is None:
        st.error(ui.tr("track.not_found"))
    else:
        st.session_state[FOUND_KEY] = result.found.complaint_id

found_id = st.session_state.get(FOUND_KEY)
status = tracking.current_status(con, found_id) if found_id else None
if status is not None:
    lang = ui.language()
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    if status.joined_to:
        # Duplicates (issue #15): merged into another complaint, whose status and next step follow.
        st.info(ui.tr("track.joined", tracking_no=status.joined_to))
    st.subheader(f"{ui.tr('summary.status')}: {ui.tr(f'status.{status.status}')}")
    st.info(f"{ui.tr('track.next_step')}: {ui.tr(status.next_step_key)}")
    complaint = (tracking.load_details(con, found_id) if st.session_state.get(PROVEN_KEY) == found_id
                 else None)

    if complaint is None:
        # Number and mobile alone show no more: both can be guessed or known by others.
        st.subheader(ui.tr("track.details_title"))
        st.caption(ui.tr("track.details_locked"))
        if st.button(ui.tr("track.send_code"), key="send_code"):
            sent = track_codes.send_code(con, settings, found_id, datetime.now(tracking.IST))
            if sent.retry_at is not None:
                st.warning(ui.tr("track.code_limit", time=when(sent.retry_at)[0]))
            else:
                st.success(ui.tr("track.code_sent", mobile=sent.to))
        with st.form("track_code"):
            typed = st.text_input(ui.tr("track.code"), key="track_code", max_chars=8)
            checked = st.form_submit_button(ui.tr("track.code_submit"), key="track_code_submit")
        if checked:
            verdict, left = track_codes.check_code(con, settings, found_id, typed, datetime.now(tracking.IST))
            if verdict == track_codes.CodeCheck.ACCEPTED:
                st.session_state[PROVEN_KEY] = found_id
                st.rerun()
            st.error(ui.tr(CODE_REFUSALS[verdict], left=left))
    else:
        if complaint.hearing:
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
                proof = tracking.feedback_proof(con, complaint.complaint_id)
                try:
                    actions.record_feedback(con, steps.Citizen(*proof), complaint.complaint_id,
                                             complaint.version, answer)
                except steps.REFUSALS as exc:
                    st.error(steps.describe(exc, lang))
                else:
                    st.session_state[FLASH_KEY] = ui.tr(
                        "track.feedback_reopened" if answer == Feedback.NOT_SOLVED else "track.feedback_thanks")
                    st.rerun()

        # ---- appeals (issue #15): once, within 30 days of the "not solved" answer ----
        chance = appeals.appeal_chance(con, complaint.complaint_id, complaint.resolved_at)
        if chance.appeal is not None:
            appeal = chance.appeal
            st.subheader(ui.tr("appeal.title"))
            moment = appeal.decided_at or appeal.filed_at
            st.info(ui.tr(f"appeal.status.{appeal.status}", date=format_time(moment)))
        elif chance.until is not None:
            st.subheader(ui.tr("appeal.title"))
            st.caption(ui.tr("appeal.intro", date=format_time(chance.until)))
            with st.form("appeal"):
                reason = st.text_area(ui.tr("appeal.reason"), key="appeal_reason", max_chars=appeals.REASON_LIMITS[1])
                appealed = st.form_submit_button(ui.tr("appeal.submit"), type="primary", key="appeal_submit")
            if appealed:
                proof = tracking.feedback_proof(con, complaint.complaint_id)
                try:
                    appeals.file_appeal(con, steps.Citizen(*proof), complaint.complaint_id, reason)
                except steps.REFUSALS as exc:
                    st.error(steps.describe(exc, lang))
                else:
                    st.session_state[FLASH_KEY] = ui.tr("appeal.filed")
                    st.rerun()
        elif chance.refusal is not None and chance.refusal.key == "appeal.expired":
            st.subheader(ui.tr("appeal.title"))
            st.warning(chance.refusal.message(lang))
