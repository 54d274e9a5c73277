"""The admin page's tabs, one module each; this module holds what they share: the desk (who, which
database, which language, the accounts and departments of this run) and the forms' outcome memory.

Callbacks run before the page is drawn again, so a submit's problems are remembered in the session
and shown beside their fields on the rerun that follows.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib import ui
from lib.core.i18n import name_in, t
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import User
from lib.staff import administration

PROBLEMS = "admin_problems"        # form name -> the problems of its last submit
FLASH = "admin_flash"              # (form name, catalog key, params) of the last successful change


@dataclass(frozen=True)
class Desk:
    """What every tab of one run of the admin page works with."""
    admin: User
    con: object
    lang: str
    departments: tuple[administration.Department, ...]
    users: tuple[User, ...]

    @classmethod
    def open(cls) -> "Desk":
        con = ui.connection()
        return cls(ui.require_user(), con, ui.language(), tuple(administration.list_departments(con)),
                   tuple(administration.list_users(con)))

    @property
    def department_by_code(self) -> dict[str, administration.Department]:
        return {d.code: d for d in self.departments}

    @property
    def user_by_name(self) -> dict[str, User]:
        return {u.username: u for u in self.users}

    # Labels use the language of this run, not the session's at call time: format_func may be called
    # outside the script run (AppTest does), where the session cannot be read.
    def department_label(self, code: str | None) -> str:
        if code is None or code == ui.NO_CHOICE:
            return t(self.lang, "admin.no_department")
        d = self.department_by_code.get(code)
        return f"{name_in(self.lang, d.name_en, d.name_hi)} ({code})" if d else code

    def role_label(self, role: str) -> str:
        return t(self.lang, f"admin.role.{role}")

    def weekday_label(self, day: int) -> str:
        return t(self.lang, f"admin.weekday.{day}")


def problems_of(form: str) -> list:
    return st.session_state.get(PROBLEMS, {}).get(form, [])


def outcome(form: str, problems: list | None = None, success: tuple[str, dict] | None = None) -> None:
    """Remember what a submit did, for the rerun that follows it."""
    st.session_state[PROBLEMS] = {form: problems or []}      # a new submit makes older problems stale
    if success:
        st.session_state[FLASH] = (form, *success)


def show_success(*forms: str) -> None:
    """The last change's confirmation, beside the form that made it (the tabs keep it in view)."""
    if st.session_state.get(FLASH, ("",))[0] in forms:
        _, key, params = st.session_state.pop(FLASH)
        st.success(ui.tr(key, **params), icon="✅")


def show_form_problems(form: str, fields: tuple[str, ...]) -> None:
    """Problems not tied to a field drawn in the form (e.g. "nothing changed")."""
    for problem in problems_of(form):
        if problem.field not in fields:
            st.error(ui.tr(problem.key, **problem.params), icon="⚠️")


def remove_picked(desk: Desk, form: str, picker: str, missing: Problem, remove, done_key: str,
                  done_params) -> None:
    """Remove what the picker widget holds (a holiday, an absence); say beside `form` what was done,
    or why not."""
    picked = st.session_state.get(picker)
    if picked is None:
        outcome(form, [missing])
        return
    try:
        remove(desk.con, picked, desk.admin.username)
    except InvalidInput as exc:
        outcome(form, exc.problems)
        return
    st.session_state[picker] = None
    outcome(form, success=(done_key, done_params(picked)))
