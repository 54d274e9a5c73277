"""Administration (IT cell): accounts, departments, deadlines and holidays, the audit trail; no complaint bodies."""
from lib import ui

ui.guard("admin")

from datetime import date  # noqa: E402  (after the guard: nothing runs before it)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.staff import administration
from lib.casework import deadlines  # noqa: E402
from lib.core.i18n import name_in, t  # noqa: E402
from lib.core.problems import InvalidInput, Problem  # noqa: E402
from lib.citizen.receipt import format_time  # noqa: E402
from lib.ops import backup  # noqa: E402
from lib.hearings import officers, rules as office_rules  # noqa: E402

admin = ui.require_user()
con = ui.connection()
lang = ui.language()
state = st.session_state
PROBLEMS = "admin_problems"        # form name -> the problems of its last submit
FLASH = "admin_flash"              # (form name, catalog key, params) of the last successful change

departments = administration.list_departments(con)
department_by_code = {d.code: d for d in departments}
users = administration.list_users(con)
user_by_name = {u.username: u for u in users}


# Labels use the language of this run, not the session's at call time: format_func may be called
# outside the script run (AppTest does), where the session cannot be read.
def department_label(code: str | None) -> str:
    if code is None:
        return t(lang, "admin.no_department")
    d = department_by_code.get(code)
    return f"{name_in(lang, d.name_en, d.name_hi)} ({code})" if d else code


def role_label(role: str) -> str:
    return t(lang, f"admin.role.{role}")


def problems_of(form: str) -> list:
    return state.get(PROBLEMS, {}).get(form, [])


def outcome(form: str, problems: list | None = None, success: tuple[str, dict] | None = None) -> None:
    """Remember what a submit did, for the rerun that follows it."""
    state[PROBLEMS] = {form: problems or []}      # a new submit makes older problems stale
    if success:
        state[FLASH] = (form, *success)


def show_success(*forms: str) -> None:
    """The last change's confirmation, beside the form that made it (the tabs keep it in view)."""
    if state.get(FLASH, ("",))[0] in forms:
        _, key, params = state.pop(FLASH)
        st.success(ui.tr(key, **params), icon="✅")


def show_form_problems(form: str, fields: tuple[str, ...]) -> None:
    """Problems not tied to a field drawn in the form (e.g. "nothing changed")."""
    for problem in problems_of(form):
        if problem.field not in fields:
            st.error(ui.tr(problem.key, **problem.params), icon="⚠️")


# ---- callbacks: they run before the page is drawn again, so problems appear beside their fields ----

def add_user_submitted() -> None:
    new = administration.NewUser(
        username=state.get("new_username", ""), display_name=state.get("new_display_name", ""),
        role=state.get("new_role"), department_code=state.get("new_department"),
        password=state.get("new_password", ""))
    state["new_password"] = ""          # never kept in the session, whatever happens
    try:
        user = administration.add_user(con, new, admin.username)
    except InvalidInput as exc:
        outcome("add_user", exc.problems)
        return
    for key, empty in (("new_username", ""), ("new_display_name", ""), ("new_role", None), ("new_department", None)):
        state[key] = empty
    outcome("add_user", success=("admin.done.user_added", {"username": user.username}))


def role_submitted(username: str) -> None:
    try:
        administration.change_role(con, username, state.get(f"role_{username}"),
                                   state.get(f"department_{username}"), admin.username)
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.role_changed", {"username": username}))


def password_submitted(username: str) -> None:
    password = state.get(f"reset_password_{username}", "")
    state[f"reset_password_{username}"] = ""
    try:
        administration.reset_password(con, username, password, admin.username)
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.password_reset", {"username": username}))


def active_submitted(username: str, active: bool) -> None:
    try:
        administration.set_user_active(con, username, active, admin.username)
    except InvalidInput as exc:
        outcome("manage_user", exc.problems)
        return
    outcome("manage_user", success=("admin.done.reactivated" if active else "admin.done.deactivated",
                                     {"username": username}))


def department_submitted(code: str) -> None:
    edit = administration.DepartmentEdit(
        name_en=state.get(f"dept_name_en_{code}", ""), name_hi=state.get(f"dept_name_hi_{code}", ""),
        officer_title_en=state.get(f"dept_title_en_{code}", ""),
        officer_title_hi=state.get(f"dept_title_hi_{code}", ""), active=bool(state.get(f"dept_active_{code}")))
    try:
        administration.edit_department(con, code, edit, admin.username)
    except InvalidInput as exc:
        outcome("department", exc.problems)
        return
    ui.form_choices.clear()             # the filing form and queues show the new names
    outcome("department", success=("admin.done.department_saved", {"code": code}))


def targets_submitted() -> None:
    targets = deadlines.DeadlineTargets(
        verify_working_days=int(state["target_verify"]), hearing_working_days=int(state["target_hearing"]),
        resolve_days=int(state["target_resolve"]))
    try:
        deadlines.set_targets(con, targets, admin.username)
    except InvalidInput as exc:
        outcome("targets", exc.problems)
        return
    outcome("targets", success=("admin.done.targets_saved", {}))


def holiday_added() -> None:
    day, name = state.get("holiday_day"), state.get("holiday_name", "")
    try:
        deadlines.add_holiday(con, day, name, admin.username)
    except InvalidInput as exc:
        outcome("holiday", exc.problems)
        return
    state["holiday_day"], state["holiday_name"] = None, ""
    outcome("holiday", success=("admin.done.holiday_added", {"day": day.strftime("%d-%m-%Y")}))


def remove_picked(form: str, picker: str, missing: Problem, remove, done_key: str, done_params) -> None:
    """Remove what the picker widget holds (a holiday, an absence); say beside `form` what was done,
    or why not."""
    picked = state.get(picker)
    if picked is None:
        outcome(form, [missing])
        return
    try:
        remove(con, picked, admin.username)
    except InvalidInput as exc:
        outcome(form, exc.problems)
        return
    state[picker] = None
    outcome(form, success=(done_key, done_params(picked)))


def holiday_removed() -> None:
    remove_picked("holiday_remove", "holiday_remove", Problem("day", "admin.error.holiday_day"),
                  deadlines.remove_holiday,
                  "admin.done.holiday_removed", lambda day: {"day": day.strftime("%d-%m-%Y")})


# ---- the page ----

st.title(ui.tr("nav.admin"))
st.caption(ui.tr("admin.intro"))

tab_users, tab_departments, tab_deadlines, tab_audit, tab_backup, tab_hearings = st.tabs(
    [ui.tr("admin.tab.users"), ui.tr("admin.tab.departments"), ui.tr("admin.tab.deadlines"),
     ui.tr("admin.tab.audit"), ui.tr("backup.tab"), ui.tr("admin.tab.hearings")])

with tab_users:
    st.dataframe(pd.DataFrame(
        [(u.username, u.display_name, role_label(u.role),
          department_label(u.department_code) if u.department_code else "—",
          ui.tr("admin.yes") if u.active else ui.tr("admin.no")) for u in users],
        columns=[ui.tr("admin.username"), ui.tr("admin.display_name"), ui.tr("admin.role"),
                 ui.tr("admin.department"), ui.tr("admin.active")]),
        hide_index=True, width="stretch")

    active_departments = [d.code for d in departments if d.active]
    show_success("add_user")
    problems = problems_of("add_user")
    with st.form("add_user_form"):
        st.subheader(ui.tr("admin.add_user"))
        show_form_problems("add_user", ("username", "display_name", "role", "department", "password"))
        st.text_input(ui.tr("admin.username"), key="new_username", max_chars=32, help=ui.tr("admin.username.help"))
        ui.show_problems(problems, "username")
        st.text_input(ui.tr("admin.display_name"), key="new_display_name", max_chars=100)
        ui.show_problems(problems, "display_name")
        st.selectbox(ui.tr("admin.role"), options=list(administration.ACCOUNT_ROLES), index=None, key="new_role",
                     format_func=role_label, placeholder=ui.tr("admin.pick"))
        ui.show_problems(problems, "role")
        # A form does not rerun on a pick, so the department is always offered and checked on submit.
        st.selectbox(ui.tr("admin.department"), options=[None, *active_departments], key="new_department",
                     format_func=department_label, help=ui.tr("admin.department.help"))
        ui.show_problems(problems, "department")
        st.text_input(ui.tr("admin.password"), type="password", key="new_password", max_chars=72,
                      help=ui.tr("admin.password.help"))
        ui.show_problems(problems, "password")
        st.form_submit_button(ui.tr("admin.add_user.submit"), type="primary", on_click=add_user_submitted,
                              key="add_user_submit")

    st.subheader(ui.tr("admin.manage_user"))
    picked = st.selectbox(ui.tr("admin.pick_user"), options=list(user_by_name), index=None, key="manage_user",
                          placeholder=ui.tr("admin.pick"),
                          format_func=lambda name: f"{name} — {user_by_name[name].display_name}")
    show_success("manage_user")
    if picked:
        user = user_by_name[picked]
        problems = problems_of("manage_user")
        show_form_problems("manage_user", ("role", "department", "password"))
        # Forms are keyed by the user, so each opens with that user's own values.
        with st.form(f"role_form_{picked}"):
            st.markdown(f"**{ui.tr('admin.change_role')}**")
            roles = list(administration.ACCOUNT_ROLES)
            st.selectbox(ui.tr("admin.role"), options=roles, index=roles.index(user.role), key=f"role_{picked}",
                         format_func=role_label)
            ui.show_problems(problems, "role")
            options = [None, *active_departments]
            if user.department_code and user.department_code not in options:
                options.append(user.department_code)
            st.selectbox(ui.tr("admin.department"), options=options, index=options.index(user.department_code),
                         key=f"department_{picked}", format_func=department_label,
                         help=ui.tr("admin.department.help"))
            ui.show_problems(problems, "department")
            st.form_submit_button(ui.tr("admin.change_role.submit"), on_click=role_submitted, args=(picked,),
                                  key=f"role_submit_{picked}")
        with st.form(f"password_form_{picked}"):
            st.markdown(f"**{ui.tr('admin.reset_password')}**")
            st.text_input(ui.tr("admin.new_password"), type="password", key=f"reset_password_{picked}",
                          max_chars=72, help=ui.tr("admin.password.help"))
            ui.show_problems(problems, "password")
            st.form_submit_button(ui.tr("admin.reset_password.submit"), on_click=password_submitted,
                                  args=(picked,), key=f"password_submit_{picked}")
        if user.active:
            st.caption(ui.tr("admin.deactivate.help"))
            st.button(ui.tr("admin.deactivate"), key=f"deactivate_{picked}", on_click=active_submitted,
                      args=(picked, False))
        else:
            st.caption(ui.tr("admin.inactive_note"))
            st.button(ui.tr("admin.reactivate"), key=f"reactivate_{picked}", on_click=active_submitted,
                      args=(picked, True))

with tab_departments:
    st.dataframe(pd.DataFrame(
        [(d.code, d.name_en, d.name_hi, d.officer_title_en or "—", d.officer_title_hi or "—",
          ui.tr("admin.yes") if d.active else ui.tr("admin.no")) for d in departments],
        columns=[ui.tr("admin.department.code"), ui.tr("admin.department.name_en"),
                 ui.tr("admin.department.name_hi"), ui.tr("admin.department.title_en"),
                 ui.tr("admin.department.title_hi"), ui.tr("admin.active")]),
        hide_index=True, width="stretch")
    code = st.selectbox(ui.tr("admin.pick_department"), options=list(department_by_code), index=None,
                        key="edit_department", format_func=department_label, placeholder=ui.tr("admin.pick"))
    show_success("department")
    if code:
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
                                  args=(code,), key=f"department_submit_{code}")

with tab_deadlines:
    targets = deadlines.get_targets(con)
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
                              key="targets_submit")

    st.subheader(ui.tr("admin.holidays"))
    st.caption(ui.tr("admin.holidays.intro"))
    show_success("holiday", "holiday_remove")
    this_year = date.today().year
    year = st.selectbox(ui.tr("admin.holidays.year"), options=[this_year - 1, this_year, this_year + 1],
                        index=1, key="holiday_year")
    holidays = deadlines.list_holidays(con, year)
    st.dataframe(pd.DataFrame(
        [(day.strftime("%d-%m-%Y"), ui.tr(f"admin.weekday.{day.weekday()}"), name,
          ui.tr(f"deadline.source.{source}"))
         for day, name, source in holidays],
        columns=[ui.tr("admin.holidays.day"), ui.tr("admin.holidays.weekday"), ui.tr("admin.holidays.name"),
                 ui.tr("admin.holidays.source")]),
        hide_index=True, width="stretch")
    problems = problems_of("holiday")
    with st.form("add_holiday_form"):
        st.date_input(ui.tr("admin.holidays.day"), value=None, key="holiday_day", format="DD/MM/YYYY")
        ui.show_problems(problems, "day")
        st.text_input(ui.tr("admin.holidays.name"), key="holiday_name", max_chars=deadlines.HOLIDAY_NAME_MAX)
        ui.show_problems(problems, "name")
        st.form_submit_button(ui.tr("admin.holidays.add"), on_click=holiday_added, key="holiday_add_submit")
    local_days = [day for day, _, source in holidays if source == deadlines.HolidaySource.LOCAL]
    if local_days:
        with st.form("remove_holiday_form"):
            names = {day: name for day, name, _ in holidays}
            st.selectbox(ui.tr("admin.holidays.remove_pick"), options=local_days, index=None, key="holiday_remove",
                         format_func=lambda day: f"{day.strftime('%d-%m-%Y')} — {names[day]}",
                         placeholder=ui.tr("admin.pick"))
            ui.show_problems(problems_of("holiday_remove"), "day")
            st.form_submit_button(ui.tr("admin.holidays.remove"), on_click=holiday_removed,
                                  key="holiday_remove_submit")

with tab_audit:
    st.caption(ui.tr("admin.audit.intro"))
    st.dataframe(pd.DataFrame(
        [(format_time(e.happened_at), e.actor, e.action, e.target or "", e.detail or "")
         for e in administration.recent_audit(con)],
        columns=[ui.tr("admin.audit.when"), ui.tr("admin.audit.who"), ui.tr("admin.audit.action"),
                 ui.tr("admin.audit.target"), ui.tr("admin.audit.detail")]),
        hide_index=True, width="stretch")


with tab_backup:
    # Inside the portal's own process: it holds the database, so only it can copy it while it runs.
    st.caption(ui.tr("backup.intro"))
    backup_folder = backup.backup_root(ui.settings())
    st.caption(ui.tr("backup.where", path=str(backup_folder)))
    if st.button(ui.tr("backup.now"), type="primary", key="backup_now"):
        try:
            with st.spinner(ui.tr("backup.running")):
                new_backup = backup.create_backup(con, ui.settings(), backup_folder, actor=admin.username)
        except Exception as exc:  # noqa: BLE001 - a full disk or a bad folder: say so, keep the page
            st.error(ui.tr("backup.failed", reason=getattr(exc, "strerror", None) or type(exc).__name__), icon="⚠️")
        else:
            st.success(ui.tr("backup.done", folder=new_backup.folder.name, complaints=new_backup.complaints,
                             uploads=len(new_backup.manifest.uploads)), icon="✅")
            if new_backup.manifest.missing_uploads:
                st.warning(ui.tr("backup.missing_uploads", count=len(new_backup.manifest.missing_uploads)),
                           icon="⚠️")
    st.warning(ui.tr("backup.keys"), icon="🔑")
    st.subheader(ui.tr("backup.list"))
    backups_so_far = backup.list_backups(backup_folder)
    if backups_so_far:
        st.dataframe(pd.DataFrame(
            [(b.folder.name, format_time(b.manifest.created_at), b.complaints, len(b.manifest.uploads),
              round(b.manifest.size_bytes / 1e6, 1)) for b in backups_so_far],
            columns=[ui.tr("backup.column.folder"), ui.tr("backup.column.created"),
                     ui.tr("backup.column.complaints"), ui.tr("backup.column.uploads"),
                     ui.tr("backup.column.size")]),
            hide_index=True, width="stretch")
    else:
        st.info(ui.tr("backup.none"))
    st.subheader(ui.tr("backup.restore"))
    st.caption(ui.tr("backup.restore.explain"))
    st.code(f"python -m lib.cli restore {backup_folder / '<folder>'}", language="bash")


# ---- hearing rules (issue 4): who holds hearings and when, and their days away ----

def weekday_label(day: int) -> str:
    return t(lang, f"admin.weekday.{day}")


def hearing_rules_submitted(username: str) -> None:
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
        officers.set_rules(con, username, state.get(f"hr_title_en_{username}", ""),
                           state.get(f"hr_title_hi_{username}", ""), rules, admin.username,
                           active=bool(state.get(f"hr_active_{username}")))
    except InvalidInput as exc:
        outcome("hearing_rules", exc.problems)
        return
    outcome("hearing_rules", success=("admin.hearings.saved", {"username": username}))


def absence_added() -> None:
    try:
        officers.add_absence(con, state.get("ha_officer"), state.get("ha_first"), state.get("ha_last"),
                             state.get("ha_substitute"), state.get("ha_reason", ""), admin.username)
    except InvalidInput as exc:
        outcome("absence", exc.problems)
        return
    for key, empty in (("ha_officer", None), ("ha_first", None), ("ha_last", None), ("ha_substitute", None),
                       ("ha_reason", "")):
        state[key] = empty
    outcome("absence", success=("admin.hearings.absence_added", {}))


def absence_removed() -> None:
    remove_picked("absence_remove", "ha_remove", Problem("absence", "error.required"), officers.remove_absence,
                  "admin.hearings.absence_removed", lambda _: {})


with tab_hearings:
    st.caption(ui.tr("admin.hearings.intro"))
    hearing_officers = officers.list_officers(con)
    officer_titles = officers.titles(hearing_officers, lang)
    if hearing_officers:
        st.dataframe(pd.DataFrame(
            [(o.username, o.title(lang), ", ".join(weekday_label(d) for d in sorted(o.rules.working_days)),
              ", ".join(weekday_label(d) for d in sorted(o.rules.no_meeting_days)) or "—",
              office_rules.format_windows(o.rules.windows), office_rules.format_windows(o.rules.kept_free) or "—",
              o.rules.slot_minutes, ui.tr("admin.yes") if o.active else ui.tr("admin.no")) for o in hearing_officers],
            columns=[ui.tr("admin.username"), ui.tr("admin.hearings.title"), ui.tr("admin.hearings.days"),
                     ui.tr("admin.hearings.no_meeting"), ui.tr("admin.hearings.windows"),
                     ui.tr("admin.hearings.kept_free"), ui.tr("admin.hearings.slot"), ui.tr("admin.active")]),
            hide_index=True, width="stretch")
    else:
        st.info(ui.tr("admin.hearings.none"))

    show_success("hearing_rules")
    candidates = [u.username for u in users if u.active and u.role in ("dc", "officer")]
    holder = st.selectbox(ui.tr("admin.hearings.pick"), candidates, index=None, key="hr_user",
                          placeholder=ui.tr("admin.pick"),
                          format_func=lambda name: f"{name} — {user_by_name[name].display_name}")
    if holder:
        known = next((o for o in hearing_officers if o.username == holder), None)
        base = known or office_rules.HearingOfficer(holder, user_by_name[holder].display_name[:officers.TITLE_MAX],
                                                    user_by_name[holder].display_name[:officers.TITLE_MAX])
        problems = problems_of("hearing_rules")
        show_form_problems("hearing_rules", ("title_en", "title_hi", "working_days", "no_meeting_days", "windows",
                                             "kept_free", "slot_minutes"))
        with st.form(f"hearing_rules_form_{holder}"):
            st.text_input(ui.tr("admin.hearings.title_en"), value=base.title_en, key=f"hr_title_en_{holder}",
                          max_chars=officers.TITLE_MAX, help=ui.tr("admin.hearings.title.help"))
            ui.show_problems(problems, "title_en")
            st.text_input(ui.tr("admin.hearings.title_hi"), value=base.title_hi, key=f"hr_title_hi_{holder}",
                          max_chars=officers.TITLE_MAX)
            ui.show_problems(problems, "title_hi")
            st.multiselect(ui.tr("admin.hearings.days"), list(range(7)), default=sorted(base.rules.working_days),
                           key=f"hr_days_{holder}", format_func=weekday_label)
            ui.show_problems(problems, "working_days")
            st.multiselect(ui.tr("admin.hearings.no_meeting"), list(range(7)),
                           default=sorted(base.rules.no_meeting_days), key=f"hr_no_meeting_{holder}",
                           format_func=weekday_label)
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
                                  args=(holder,), key=f"hr_submit_{holder}")

    st.subheader(ui.tr("admin.hearings.absences"))
    st.caption(ui.tr("admin.hearings.absences.intro"))
    absences = officers.list_absences(con, date.today())
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
    if hearing_officers:
        problems = problems_of("absence")
        show_form_problems("absence", ("username", "days", "substitute", "reason"))
        names = [o.username for o in hearing_officers]
        with st.form("absence_form"):
            st.selectbox(ui.tr("admin.hearings.officer"), names, index=None, key="ha_officer",
                         format_func=lambda n: officer_titles.get(n, n), placeholder=ui.tr("admin.pick"))
            ui.show_problems(problems, "username")
            st.date_input(ui.tr("admin.hearings.first_day"), value=None, key="ha_first", format="DD/MM/YYYY")
            st.date_input(ui.tr("admin.hearings.last_day"), value=None, key="ha_last", format="DD/MM/YYYY")
            ui.show_problems(problems, "days")
            st.selectbox(ui.tr("admin.hearings.substitute"), [None, *names], key="ha_substitute",
                         format_func=lambda n: t(lang, "admin.hearings.no_substitute") if n is None
                         else officer_titles.get(n, n))
            ui.show_problems(problems, "substitute")
            st.text_input(ui.tr("admin.hearings.reason"), key="ha_reason", max_chars=officers.REASON_MAX)
            ui.show_problems(problems, "reason")
            st.form_submit_button(ui.tr("admin.hearings.absence_add"), on_click=absence_added, key="ha_submit")
        if absences:
            with st.form("absence_remove_form"):
                by_id = {a.id: a for a in absences}
                st.selectbox(ui.tr("admin.hearings.absence_pick"), list(by_id), index=None, key="ha_remove",
                             placeholder=ui.tr("admin.pick"),
                             format_func=lambda i: f"{officer_titles.get(by_id[i].username, by_id[i].username)}: "
                                                   f"{by_id[i].first_day:%d-%m-%Y} – {by_id[i].last_day:%d-%m-%Y}")
                ui.show_problems(problems_of("absence_remove"), "absence")
                st.form_submit_button(ui.tr("admin.hearings.absence_remove"), on_click=absence_removed,
                                      key="ha_remove_submit")
