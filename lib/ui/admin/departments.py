"""The Departments tab: names in both languages, the district officer's title, active or not."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.core.problems import InvalidInput
from lib.staff import administration
from lib.ui.admin import Desk, outcome, problems_of, show_form_problems, show_success

state = st.session_state


def department_submitted(desk: Desk, code: str) -> None:
    edit = administration.DepartmentEdit(
        name_en=state.get(f"dept_name_en_{code}", ""), name_hi=state.get(f"dept_name_hi_{code}", ""),
        officer_title_en=state.get(f"dept_title_en_{code}", ""),
        officer_title_hi=state.get(f"dept_title_hi_{code}", ""), active=bool(state.get(f"dept_active_{code}")))
    try:
        administration.edit_department(desk.con, code, edit, desk.admin.username)
    except InvalidInput as exc:
        outcome("department", exc.problems)
        return
    ui.form_choices.clear()             # the filing form and queues show the new names
    outcome("department", success=("admin.done.department_saved", {"code": code}))


def render(desk: Desk) -> None:
    st.dataframe(pd.DataFrame(
        [(d.code, d.name_en, d.name_hi, d.officer_title_en or "—", d.officer_title_hi or "—",
          ui.tr("admin.yes") if d.active else ui.tr("admin.no")) for d in desk.departments],
        columns=[ui.tr("admin.department.code"), ui.tr("admin.department.name_en"),
                 ui.tr("admin.department.name_hi"), ui.tr("admin.department.title_en"),
                 ui.tr("admin.department.title_hi"), ui.tr("admin.active")]),
        hide_index=True, width="stretch")
    department_by_code = desk.department_by_code
    code = st.selectbox(ui.tr("admin.pick_department"), options=list(department_by_code), index=None,
                        key="edit_department", format_func=desk.department_label, placeholder=ui.tr("admin.pick"))
    show_success("department")
    if not code:
        return
    d = department_by_code[code]
    problems = problems_of("department")
    show_form_problems("department", ("name_en", "name_hi", "officer_title_en", "officer_title_hi"))
    with st.form(f"department_form_{code}"):
        st.text_input(ui.tr("admin.department.name_en"), value=d.name_en, key=f"dept_name_en_{code}",
                      max_chars=150)
        ui.show_problems(problems, "name_en")
        st.text_input(ui.tr("admin.department.name_hi"), value=d.name_hi, key=f"dept_name_hi_{code}",
                      max_chars=150)
        ui.show_problems(problems, "name_hi")
        st.text_input(ui.tr("admin.department.title_en"), value=d.officer_title_en or "",
                      key=f"dept_title_en_{code}", max_chars=200)
        ui.show_problems(problems, "officer_title_en")
        st.text_input(ui.tr("admin.department.title_hi"), value=d.officer_title_hi or "",
                      key=f"dept_title_hi_{code}", max_chars=200)
        ui.show_problems(problems, "officer_title_hi")
        st.checkbox(ui.tr("admin.department.active"), value=d.active, key=f"dept_active_{code}",
                    help=ui.tr("admin.department.active.help"))
        st.form_submit_button(ui.tr("admin.department.submit"), type="primary", on_click=department_submitted,
                              args=(desk, code), key=f"department_submit_{code}")
