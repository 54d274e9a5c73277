"""The Hearing rules tab: who holds hearings and when, and their days away with a substitute."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.casework import deadlines
from lib.core.i18n import t
from lib.core.problems import InvalidInput, Problem
from lib.ui.admin import Desk, outcome, problems_of, remove_picked, show_form_problems, show_success
from lib.hearings import officers as hearing_officers_mod, rules as office_rules

state = st.session_state


def hearing_rules_submitted(desk: Desk, username: str) -> None:
    problems: list = []

    def windows_of(field: str) -> tuple:
        try:
            return office_rules.parse_windows(state.get(f"hr_{field}_{username}", ""), field)
        except InvalidInput as exc:
            problems.extend(exc.problems)
            return ()
    windows, kept_free = windows_of("windows"), windows_of("kept_free")
    if problems:
        outcome("hearing_rules", problems)
        return
    rules = office_rules.OfficeRules(
        working_days=frozenset(state.get(f"hr_days_{username}") or ()),
        no_meeting_days=frozenset(state.get(f"hr_no_meeting_{username}") or ()),
        windows=windows, kept_free=kept_free, slot_minutes=int(state.get(f"hr_slot_{username}") or 0))
    try:
        hearing_officers_mod.set_rules(desk.con, username, state.get(f"hr_title_en_{username}", ""),
                           state.get(f"hr_title_hi_{username}", ""), rules, desk.admin.username,
                           active=bool(state.get(f"hr_active_{username}")))
    except InvalidInput as exc:
        outcome("hearing_rules", exc.problems)
        return
    outcome("hearing_rules", success=("admin.hearings.saved", {"username": username}))


def absence_added(desk: Desk) -> None:
    try:
        hearing_officers_mod.add_absence(desk.con, state.get("ha_officer"), state.get("ha_first"), state.get("ha_last"),
                             ui.or_none(state.get("ha_substitute")), state.get("ha_reason", ""), desk.admin.username)
    except InvalidInput as exc:
        outcome("absence", exc.problems)
        return
    for key, empty in (("ha_officer", None), ("ha_first", None), ("ha_last", None), ("ha_substitute", ui.NO_CHOICE),
                       ("ha_reason", "")):
        state[key] = empty
    outcome("absence", success=("admin.hearings.absence_added", {}))


def absence_removed(desk: Desk) -> None:
    remove_picked(desk, "absence_remove", "ha_remove", Problem("absence", "error.required"),
                  hearing_officers_mod.remove_absence, "admin.hearings.absence_removed", lambda _: {})


def render(desk: Desk) -> None:
    st.caption(ui.tr("admin.hearings.intro"))
    hearing_officers = hearing_officers_mod.list_officers(desk.con)
    if hearing_officers:
        st.dataframe(pd.DataFrame(
            [(o.username, o.title(desk.lang),
              ", ".join(desk.weekday_label(d) for d in sorted(o.rules.working_days)),
              ", ".join(desk.weekday_label(d) for d in sorted(o.rules.no_meeting_days)) or "—",
              office_rules.format_windows(o.rules.windows), office_rules.format_windows(o.rules.kept_free) or "—",
              o.rules.slot_minutes, ui.tr("admin.yes") if o.active else ui.tr("admin.no")) for o in hearing_officers],
            columns=[ui.tr("admin.username"), ui.tr("admin.hearings.title"), ui.tr("admin.hearings.days"),
                     ui.tr("admin.hearings.no_meeting"), ui.tr("admin.hearings.windows"),
                     ui.tr("admin.hearings.kept_free"), ui.tr("admin.hearings.slot"), ui.tr("admin.active")]),
            hide_index=True, width="stretch")
    else:
        st.info(ui.tr("admin.hearings.none"))
    _rules_form(desk, hearing_officers)
    _absences(desk, hearing_officers)


def _rules_form(desk: Desk, hearing_officers: list) -> None:
    user_by_name = desk.user_by_name
    show_success("hearing_rules")
    candidates = [u.username for u in desk.users if u.active and u.role in ("dc", "officer")]
    holder = st.selectbox(ui.tr("admin.hearings.pick"), candidates, index=None, key="hr_user",
                          placeholder=ui.tr("admin.pick"),
                          format_func=lambda name: f"{name} — {user_by_name[name].display_name}")
    if not holder:
        return
    known = next((o for o in hearing_officers if o.username == holder), None)
    base = known or office_rules.HearingOfficer(holder, user_by_name[holder].display_name[:hearing_officers_mod.TITLE_MAX],
                                            user_by_name[holder].display_name[:hearing_officers_mod.TITLE_MAX])
    problems = problems_of("hearing_rules")
    show_form_problems("hearing_rules", ("title_en", "title_hi", "working_days", "no_meeting_days", "windows",
                                         "kept_free", "slot_minutes"))
    with st.form(f"hearing_rules_form_{holder}"):
        st.text_input(ui.tr("admin.hearings.title_en"), value=base.title_en, key=f"hr_title_en_{holder}",
                      max_chars=hearing_officers_mod.TITLE_MAX, help=ui.tr("admin.hearings.title.help"))
        ui.show_problems(problems, "title_en")
        st.text_input(ui.tr("admin.hearings.title_hi"), value=base.title_hi, key=f"hr_title_hi_{holder}",
                      max_chars=hearing_officers_mod.TITLE_MAX)
        ui.show_problems(problems, "title_hi")
        st.multiselect(ui.tr("admin.hearings.days"), list(range(7)), default=sorted(base.rules.working_days),
                       key=f"hr_days_{holder}", format_func=desk.weekday_label)
        ui.show_problems(problems, "working_days")
        st.multiselect(ui.tr("admin.hearings.no_meeting"), list(range(7)),
                       default=sorted(base.rules.no_meeting_days), key=f"hr_no_meeting_{holder}",
                       format_func=desk.weekday_label)
        st.text_input(ui.tr("admin.hearings.windows"), value=office_rules.format_windows(base.rules.windows),
                      key=f"hr_windows_{holder}", help=ui.tr("admin.hearings.windows.help"))
        ui.show_problems(problems, "windows")
        st.text_input(ui.tr("admin.hearings.kept_free"), value=office_rules.format_windows(base.rules.kept_free),
                      key=f"hr_kept_free_{holder}", help=ui.tr("admin.hearings.kept_free.help"))
        ui.show_problems(problems, "kept_free")
        low, high = office_rules.SLOT_MINUTES_RANGE
        st.number_input(ui.tr("admin.hearings.slot"), min_value=low, max_value=high, step=5,
                        value=base.rules.slot_minutes, key=f"hr_slot_{holder}")
        ui.show_problems(problems, "slot_minutes")
        st.checkbox(ui.tr("admin.hearings.active"), value=base.active, key=f"hr_active_{holder}")
        st.form_submit_button(ui.tr("admin.hearings.submit"), type="primary", on_click=hearing_rules_submitted,
                              args=(desk, holder), key=f"hr_submit_{holder}")


def _absences(desk: Desk, hearing_officers: list) -> None:
    lang = desk.lang
    officer_titles = hearing_officers_mod.titles(hearing_officers, lang)
    st.subheader(ui.tr("admin.hearings.absences"))
    st.caption(ui.tr("admin.hearings.absences.intro"))
    absences = hearing_officers_mod.list_absences(desk.con, deadlines.today_in_ist())
    if absences:
        st.dataframe(pd.DataFrame(
            [(officer_titles.get(a.username, a.username), a.first_day.strftime("%d-%m-%Y"),
              a.last_day.strftime("%d-%m-%Y"), officer_titles.get(a.substitute, a.substitute or "—"), a.reason or "")
             for a in absences],
            columns=[ui.tr("admin.hearings.officer"), ui.tr("admin.hearings.first_day"),
                     ui.tr("admin.hearings.last_day"), ui.tr("admin.hearings.substitute"),
                     ui.tr("admin.hearings.reason")]),
            hide_index=True, width="stretch")
    show_success("absence", "absence_remove")
    if not hearing_officers:
        return
    problems = problems_of("absence")
    show_form_problems("absence", ("username", "days", "substitute", "reason"))
    names = [o.username for o in hearing_officers]
    with st.form("absence_form"):
        st.selectbox(ui.tr("admin.hearings.officer"), names, index=None, key="ha_officer",
                     format_func=lambda n: officer_titles.get(n, n), placeholder=ui.tr("admin.pick"))
        ui.show_problems(problems, "username")
        st.date_input(ui.tr("admin.hearings.first_day"), value=None, key="ha_first", format="DD-MM-YYYY")
        st.date_input(ui.tr("admin.hearings.last_day"), value=None, key="ha_last", format="DD-MM-YYYY")
        ui.show_problems(problems, "days")
        st.selectbox(ui.tr("admin.hearings.substitute"), [ui.NO_CHOICE, *names], key="ha_substitute",
                     format_func=lambda n: t(lang, "admin.hearings.no_substitute") if n == ui.NO_CHOICE
                     else officer_titles.get(n, n))
        ui.show_problems(problems, "substitute")
        st.text_input(ui.tr("admin.hearings.reason"), key="ha_reason", max_chars=hearing_officers_mod.REASON_MAX)
        ui.show_problems(problems, "reason")
        st.form_submit_button(ui.tr("admin.hearings.absence_add"), on_click=absence_added, args=(desk,),
                              key="ha_submit")
    if absences:
        with st.form("absence_remove_form"):
            by_id = {a.id: a for a in absences}
            st.selectbox(ui.tr("admin.hearings.absence_pick"), list(by_id), index=None, key="ha_remove",
                         placeholder=ui.tr("admin.pick"),
                         format_func=lambda i: f"{officer_titles.get(by_id[i].username, by_id[i].username)}: "
                                               f"{by_id[i].first_day:%d-%m-%Y} – {by_id[i].last_day:%d-%m-%Y}")
            ui.show_problems(problems_of("absence_remove"), "absence")
            st.form_submit_button(ui.tr("admin.hearings.absence_remove"), on_click=absence_removed,
                                  args=(desk,), key="ha_remove_submit")
