"""The Users tab: every account, add one, and change a picked one's role, password or activity."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.core.problems import InvalidInput
from lib.staff import administration
from lib.ui.admin import Desk, outcome, problems_of, show_form_problems, show_success

state = st.session_state


def add_user_submitted(desk: Desk) -> None:
    new = administration.NewUser(
        username=state.get("new_username", ""), display_name=state.get("new_display_name", ""),
        role=state.get("new_role"), department_code=ui.or_none(state.get("new_department")),
        password=state.get("new_password", ""), centre=state.get("new_centre", ""))
    state["new_password"] = ""          # never kept in the session, whatever happens
    try:
        user = administration.add_user(desk.con, new, desk.admin.username)
    except InvalidInput as exc:
        outcome("add_user", exc.problems)
        return
    for key, empty in (("new_username", ""), ("new_display_name", ""), ("new_role", None), ("new_department", ui.NO_CHOICE),
                       ("new_centre", "")):
        state[key] = empty
    outcome("add_user", success=("admin.done.user_added", {"username": user.username}))


def role_submitted(desk: Desk, username: str) -> None:
    try:
        administration.change_role(desk.con, username, state.get(f"role_{username}"),
                                   ui.or_none(state.get(f"department_{username}")), desk.admin.username,
                                   centre=state.get(f"centre_{username}", ""))
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.role_changed", {"username": username}))


def password_submitted(desk: Desk, username: str) -> None:
    password = state.get(f"reset_password_{username}", "")
    state[f"reset_password_{username}"] = ""
    try:
        administration.reset_password(desk.con, username, password, desk.admin.username)
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.password_reset", {"username": username}))


def active_submitted(desk: Desk, username: str, active: bool) -> None:
    try:
        administration.set_user_active(desk.con, username, active, desk.admin.username)
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.reactivated" if active else "admin.done.deactivated",
                                     {"username": username}))


def render(desk: Desk) -> None:
    centres = administration.centres(desk.con)          # operators' centres (assisted filing)
    st.dataframe(pd.DataFrame(
        [(u.username, u.display_name, desk.role_label(u.role),
          desk.department_label(u.department_code) if u.department_code else "—", centres.get(u.username, "—"),
          ui.tr("admin.yes") if u.active else ui.tr("admin.no")) for u in desk.users],
        columns=[ui.tr("admin.username"), ui.tr("admin.display_name"), ui.tr("admin.role"),
                 ui.tr("admin.department"), ui.tr("admin.centre"), ui.tr("admin.active")]),
        hide_index=True, width="stretch")
    active_departments = [d.code for d in desk.departments if d.active]
    _add_user_form(desk, active_departments)
    _manage_user(desk, active_departments, centres)


def _add_user_form(desk: Desk, active_departments: list[str]) -> None:
    show_success("add_user")
    problems = problems_of("add_user")
    with st.form("add_user_form"):
        st.subheader(ui.tr("admin.add_user"))
        show_form_problems("add_user", ("username", "display_name", "role", "department", "centre", "password"))
        st.text_input(ui.tr("admin.username"), key="new_username", max_chars=32, help=ui.tr("admin.username.help"))
        ui.show_problems(problems, "username")
        st.text_input(ui.tr("admin.display_name"), key="new_display_name", max_chars=100)
        ui.show_problems(problems, "display_name")
        # dc accounts are made only from the server's command line; the server refuses them too.
        st.selectbox(ui.tr("admin.role"), options=list(administration.PAGE_ROLES), index=None, key="new_role",
                     format_func=desk.role_label, placeholder=ui.tr("admin.pick"))
        ui.show_problems(problems, "role")
        # A form does not rerun on a pick, so the department is always offered and checked on submit.
        st.selectbox(ui.tr("admin.department"), options=[ui.NO_CHOICE, *active_departments], key="new_department",
                     format_func=desk.department_label, help=ui.tr("admin.department.help"))
        ui.show_problems(problems, "department")
        st.text_input(ui.tr("admin.centre"), key="new_centre", max_chars=100, help=ui.tr("admin.centre.help"))
        ui.show_problems(problems, "centre")
        st.text_input(ui.tr("admin.password"), type="password", key="new_password", max_chars=72,
                      help=ui.tr("admin.password.help"))
        ui.show_problems(problems, "password")
        st.form_submit_button(ui.tr("admin.add_user.submit"), type="primary", on_click=add_user_submitted,
                              args=(desk,), key="add_user_submit")


def _manage_user(desk: Desk, active_departments: list[str], centres: dict[str, str]) -> None:
    user_by_name = desk.user_by_name
    st.subheader(ui.tr("admin.manage_user"))
    picked = st.selectbox(ui.tr("admin.pick_user"), options=list(user_by_name), index=None, key="manage_user",
                          placeholder=ui.tr("admin.pick"),
                          format_func=lambda name: f"{name} — {user_by_name[name].display_name}")
    show_success("manage_user")
    if not picked:
        return
    user = user_by_name[picked]
    problems = problems_of("manage_user")
    show_form_problems("manage_user", ("role", "department", "centre", "password"))
    # Forms are keyed by the user, so each opens with that user's own values.
    with st.form(f"role_form_{picked}"):
        st.markdown(f"**{ui.tr('admin.change_role')}**")
        roles = list(administration.PAGE_ROLES)
        if user.role not in roles:
            roles.insert(0, user.role)          # a dc account: shown as it is, never offered to others
        st.selectbox(ui.tr("admin.role"), options=roles, index=roles.index(user.role), key=f"role_{picked}",
                     format_func=desk.role_label)
        ui.show_problems(problems, "role")
        options = [ui.NO_CHOICE, *active_departments]
        if user.department_code and user.department_code not in options:
            options.append(user.department_code)
        st.selectbox(ui.tr("admin.department"), options=options,
                     index=options.index(user.department_code or ui.NO_CHOICE),
                     key=f"department_{picked}", format_func=desk.department_label,
                     help=ui.tr("admin.department.help"))
        ui.show_problems(problems, "department")
        st.text_input(ui.tr("admin.centre"), value=centres.get(picked, ""), key=f"centre_{picked}", max_chars=100,
                      help=ui.tr("admin.centre.help"))
        ui.show_problems(problems, "centre")
        st.form_submit_button(ui.tr("admin.change_role.submit"), on_click=role_submitted, args=(desk, picked),
                              key=f"role_submit_{picked}")
    if user.role in administration.CONSOLE_ONLY_ROLES:
        st.info(ui.tr("admin.dc_console_note"), icon="🔒")
    else:
        _password_form(picked, desk)
    if user.active:
        st.caption(ui.tr("admin.deactivate.help"))
        st.button(ui.tr("admin.deactivate"), key=f"deactivate_{picked}", on_click=active_submitted,
                  args=(desk, picked, False))
    else:
        st.caption(ui.tr("admin.inactive_note"))
        st.button(ui.tr("admin.reactivate"), key=f"reactivate_{picked}", on_click=active_submitted,
                  args=(desk, picked, True))


def _password_form(picked: str, desk: Desk) -> None:
    with st.form(f"password_form_{picked}"):
        st.markdown(f"**{ui.tr('admin.reset_password')}**")
        st.text_input(ui.tr("admin.new_password"), type="password", key=f"reset_password_{picked}",
                      max_chars=72, help=ui.tr("admin.password.help"))
        ui.show_problems(problems_of("manage_user"), "password")
        st.form_submit_button(ui.tr("admin.reset_password.submit"), on_click=password_submitted,
                              args=(desk, picked), key=f"password_submit_{picked}")
