"""What the complaint page and the calendar's briefing draw for one complaint: its facts as a static two-column
list, tables whose long text wraps (no inner scroll), the hearing's Join button with the citizen's earlier
complaints beside it, and the directions' fields. Citizens' and officers' words go through st.text only, so
they never render as markdown or HTML; labels are the portal's own catalog words."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import streamlit as st

from lib import ui
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
