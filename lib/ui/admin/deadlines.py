"""The Deadlines & holidays tab: the working-day targets and the district's local holidays."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.casework import deadlines
from lib.core.problems import InvalidInput, Problem
from lib.ui.admin import Desk, outcome, problems_of, remove_picked, show_success

state = st.session_state


def targets_submitted(desk: Desk) -> None:
    targets = deadlines.DeadlineTargets(
        verify_working_days=int(state["target_verify"]), hearing_working_days=int(state["target_hearing"]),
        resolve_days=int(state["target_resolve"]))
    try:
        deadlines.set_targets(desk.con, targets, desk.admin.username)
    except InvalidInput as exc:
        outcome("targets", exc.problems)
        return
    outcome("targets", success=("admin.done.targets_saved", {}))


def holiday_added(desk: Desk) -> None:
    day, name = state.get("holiday_day"), state.get("holiday_name", "")
    try:
        deadlines.add_holiday(desk.con, day, name, desk.admin.username)
    except InvalidInput as exc:
        outcome("holiday", exc.problems)
        return
    state["holiday_day"], state["holiday_name"] = None, ""
    outcome("holiday", success=("admin.done.holiday_added", {"day": day.strftime("%d-%m-%Y")}))


def holiday_removed(desk: Desk) -> None:
    remove_picked(desk, "holiday_remove", "holiday_remove", Problem("day", "admin.error.holiday_day"),
                  deadlines.remove_holiday,
                  "admin.done.holiday_removed", lambda day: {"day": day.strftime("%d-%m-%Y")})


def render(desk: Desk) -> None:
    targets = deadlines.get_targets(desk.con)
    st.subheader(ui.tr("admin.targets"))
    show_success("targets")
    problems = problems_of("targets")
    with st.form("targets_form"):
        for field, label, key in (("verify_working_days", "admin.targets.verify", "target_verify"),
                                  ("hearing_working_days", "admin.targets.hearing", "target_hearing"),
                                  ("resolve_days", "admin.targets.resolve", "target_resolve")):
            st.number_input(ui.tr(label), value=getattr(targets, field), min_value=1,
                            max_value=deadlines.MAX_TARGET, step=1, key=key)
            ui.show_problems(problems, field)
        st.form_submit_button(ui.tr("admin.targets.submit"), type="primary", on_click=targets_submitted,
                              args=(desk,), key="targets_submit")
    _holidays(desk)


def _holidays(desk: Desk) -> None:
    st.subheader(ui.tr("admin.holidays"))
    st.caption(ui.tr("admin.holidays.intro"))
    show_success("holiday", "holiday_remove")
    this_year = deadlines.today_in_ist().year      # Haryana's year, not the server's (UTC) one
    year = st.selectbox(ui.tr("admin.holidays.year"), options=[this_year - 1, this_year, this_year + 1],
                        index=1, key="holiday_year")
    holidays = deadlines.list_holidays(desk.con, year)
    st.dataframe(pd.DataFrame(
        [(day.strftime("%d-%m-%Y"), ui.tr(f"admin.weekday.{day.weekday()}"), name,
          ui.tr(f"deadline.source.{source}"))
         for day, name, source in holidays],
        columns=[ui.tr("admin.holidays.day"), ui.tr("admin.holidays.weekday"), ui.tr("admin.holidays.name"),
                 ui.tr("admin.holidays.source")]),
        hide_index=True, width="stretch")
    problems = problems_of("holiday")
    with st.form("add_holiday_form"):
        st.date_input(ui.tr("admin.holidays.day"), value=None, key="holiday_day", format="DD-MM-YYYY")
        ui.show_problems(problems, "day")
        st.text_input(ui.tr("admin.holidays.name"), key="holiday_name", max_chars=deadlines.HOLIDAY_NAME_MAX)
        ui.show_problems(problems, "name")
        st.form_submit_button(ui.tr("admin.holidays.add"), on_click=holiday_added, args=(desk,),
                              key="holiday_add_submit")
    local_days = [day for day, _, source in holidays if source == deadlines.HolidaySource.LOCAL]
    if local_days:
        with st.form("remove_holiday_form"):
            names = {day: name for day, name, _ in holidays}
            st.selectbox(ui.tr("admin.holidays.remove_pick"), options=local_days, index=None, key="holiday_remove",
                         format_func=lambda day: f"{day.strftime('%d-%m-%Y')} — {names[day]}",
                         placeholder=ui.tr("admin.pick"))
            ui.show_problems(problems_of("holiday_remove"), "day")
            st.form_submit_button(ui.tr("admin.holidays.remove"), on_click=holiday_removed, args=(desk,),
                                  key="holiday_remove_submit")
