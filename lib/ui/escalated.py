"""The queue's "Escalated to me" section: complaints past their deadline that came up to this officer's
level (a department head's, or the DC's office), each with its level badge and how long it has been theirs."""
from __future__ import annotations

import streamlit as st

from lib.casework import escalation
from lib.core.roles import User
from lib.ui.frame import tr

BADGE_COLOUR = {escalation.Level.DEPARTMENT_HEAD: "orange", escalation.Level.DC: "red"}
LINES = 15          # listed here, longest waiting first; the rest wait their turn (a line is a button)


def age_text(days_ago: int) -> str:
    return tr("escalation.queue.age_today") if days_ago == 0 else tr("escalation.queue.age", count=days_ago)


def render(con, user: User) -> None:
    """Nothing for an officer no escalation reaches; else the section, even when empty."""
    level = escalation.level_of(con, user)
    if level is None:
        return
    cases = escalation.escalated_to_me(con, user)
    with st.container(border=True, key="escalated_to_me"):
        many = "+" if len(cases) >= escalation.SHOWN_MAX else ""
        st.subheader(f"{tr('escalation.queue.title')} ({len(cases)}{many})")
        st.caption(tr("escalation.queue.intro", level=tr(f"escalation.level.{level}")))
        if not cases:
            st.caption(tr("escalation.queue.none"))
            return
        if len(cases) > LINES:
            st.caption(tr("escalation.queue.first", count=LINES))
        for case in cases[:LINES]:
            line = st.container(key=f"escalated_case_{case.tracking_no}")
            text_col, open_col = line.columns([5, 1], vertical_alignment="center")
            # Markdown: the subject is the citizen's text, so it is shown as plain text below the line.
            text_col.markdown(f"**{case.tracking_no}** :{BADGE_COLOUR[case.level]}-badge"
                              f"[{tr(f'escalation.badge.{case.level}')}] · {age_text(case.days_ago)}")
            text_col.text(case.subject)
            if open_col.button(tr("escalation.queue.open", tracking_no=case.tracking_no),
                               key=f"escalated_open_{case.tracking_no}"):
                st.switch_page("pages/complaint_detail.py", query_params={"no": case.tracking_no})
