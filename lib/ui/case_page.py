"""What the complaint page and the calendar's briefing draw for one complaint: its facts as a static two-column
list, tables whose long text wraps (no inner scroll), the hearing's Join button with the citizen's earlier
complaints beside it, and the directions' fields. Citizens' and officers' words go through st.text only, so
they never render as markdown or HTML; labels are the portal's own catalog words."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import streamlit as st

from lib import ui
from lib.casework import duplicates
from lib.casework.actions import MAX_DIRECTIONS, SEND_BACK_DAYS
from lib.citizen.receipt import format_time


def facts(rows: Sequence[tuple[str, str]]) -> None:
    """Label and value side by side, every row visible at once (a dataframe would scroll inside)."""
    for label, value in rows:
        left, right = st.columns([1, 3], vertical_alignment="top")
        left.markdown(f"**{label}**")
        right.text(value or "—")


def wrapped_table(rows: Sequence[Sequence[str]], columns: Sequence[str], widths: Sequence[int] | None = None) -> None:
    """A table whose cells wrap: one row of columns per line, headers as captions."""
    spec = list(widths or [1] * len(columns))
    for cell, name in zip(st.columns(spec), columns):
        cell.caption(name)
    for row in rows:
        with st.container(border=True):
            for cell, value in zip(st.columns(spec), row):
                cell.text(value or "")


def join_button(url: str, key: str) -> None:
    """The same room URL the citizen's SMS carries."""
    st.link_button(ui.tr("hearing.join"), url, type="primary", icon=":material/videocam:", key=key)


def earlier_complaints(related: Sequence, category_name: Callable[[str], str]) -> None:
    """The citizen's own earlier complaints (calendar_export.earlier_complaints) and how each ended."""
    st.caption(ui.tr("hearing.earlier"))
    if not related:
        st.caption(ui.tr("hearing.earlier_none"))
        return
    yes, no = ui.tr("hearing.yes"), ui.tr("hearing.no")
    wrapped_table([(r.tracking_no, format_time(r.filed_at), category_name(r.category_code), r.subject,
                    ui.tr(f"status.{r.status}"), yes if r.resolved_at else no,
                    ui.tr(f"feedback.{r.feedback}") if r.feedback else "—") for r in related],
                  [ui.tr("agenda.col.tracking_no"), ui.tr("agenda.col.filed"), ui.tr("agenda.col.category"),
                   ui.tr("agenda.col.subject"), ui.tr("agenda.col.complaint_status"), ui.tr("hearing.col.resolved"),
                   ui.tr("hearing.col.feedback")], [3, 2, 2, 3, 2, 1, 2])


def direction_fields(prefix: str, departments: list[str], department_name: Callable[[str], str],
                     first: str | None, today: date) -> list[tuple]:
    """Up to MAX_DIRECTIONS rows of department, instruction (a text area: Enter is a new line, never a
    submit) and report-back date, inside the caller's form; the rows with an instruction."""
    orders = []
    for i in range(MAX_DIRECTIONS):
        st.caption(ui.tr("detail.direction_n", n=i + 1))
        dept_col, due_col = st.columns([3, 1])
        index = departments.index(first) if i == 0 and first in departments else 0
        dept = dept_col.selectbox(ui.tr("detail.department"), departments, index=index,
                                  key=f"{prefix}_{i}_department", format_func=department_name)
        due = due_col.date_input(ui.tr("detail.report_by"), value=today + timedelta(days=SEND_BACK_DAYS),
                                 key=f"{prefix}_{i}_report_by", format="DD-MM-YYYY")
        instruction = st.text_area(ui.tr("detail.instruction"), key=f"{prefix}_{i}_instruction", max_chars=1000)
        if instruction.strip():
            orders.append((dept, instruction, due))
    return orders


# ---- Duplicates (issue #15) ----

def duplicate_suggestions(found: Sequence, place_name: Callable[[int, int | None], str]) -> None:
    """The likely duplicates (lib.casework.duplicates.Suggestion): tracking number, subject, place, date,
    status and why; never their citizens' names, numbers or IDs."""
    st.subheader(ui.tr("duplicates.heading"))
    st.caption(ui.tr("duplicates.hint"))
    if not found:
        st.caption(ui.tr("duplicates.none"))
        return
    wrapped_table([(s.tracking_no, s.subject, place_name(s.place_lgd, s.ward), format_time(s.filed_at),
                    ui.tr(f"status.{s.status}"), ui.tr(f"duplicates.why.{s.reason}")) for s in found],
                  [ui.tr(f"duplicates.col.{c}") for c in ("tracking_no", "subject", "place", "filed", "status", "why")],
                  [3, 4, 3, 2, 2, 3])


def merge_forms(tracking_no: str, complaint_id: int, status: str, loaded_version: int, likely: Sequence,
                merge: Callable[[list, str, str, bool], None]) -> None:
    """The DC's two ways to merge: the mergeable suggestions into this complaint, or this complaint into
    an open suggestion. `merge(items, survivor's tracking number, remark, moves this complaint)`."""
    takers = [s for s in likely if s.mergeable]
    if status not in duplicates.FINISHED:
        with st.expander(ui.tr("duplicates.merge_here")):
            st.caption(ui.tr("duplicates.merge_help"))
            if not takers:
                st.caption(ui.tr("duplicates.nothing_mergeable"))
            else:
                with st.form("form_merge_here", enter_to_submit=False):
                    picked = st.multiselect(ui.tr("duplicates.merge_pick", tracking_no=tracking_no),
                                            [s.tracking_no for s in takers], key="merge_here_pick")
                    remark = st.text_area(ui.tr("detail.remark"), key="merge_here_remark", max_chars=1000)
                    if st.form_submit_button(ui.tr("duplicates.merge_submit"), key="merge_here_submit"):
                        merge([(s.complaint_id, s.version) for s in takers if s.tracking_no in picked],
                              tracking_no, remark, False)
    keepers = [s.tracking_no for s in likely if s.status not in duplicates.FINISHED]
    if status in duplicates.MERGEABLE and keepers:
        with st.expander(ui.tr("duplicates.merge_into")):
            st.caption(ui.tr("duplicates.merge_help"))
            with st.form("form_merge_into", enter_to_submit=False):
                keep = st.selectbox(ui.tr("duplicates.merge_into_pick"), keepers, key="merge_into_pick")
                remark = st.text_area(ui.tr("detail.remark"), key="merge_into_remark", max_chars=1000)
                if st.form_submit_button(ui.tr("duplicates.merge_into_submit"), key="merge_into_submit"):
                    merge([(complaint_id, loaded_version)], keep, remark, True)
