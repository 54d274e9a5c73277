"""The appellate officer's appeals (issue #15): the queue, one complaint read-only with the citizen's reason,
and the decision: send it back to the department with directions, or uphold the disposal."""
from lib import ui

ui.guard("appeals")

from datetime import datetime, timedelta  # noqa: E402  (after the guard: nothing runs before it)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.casework import appeals, detail, steps  # noqa: E402
from lib.casework.actions import SEND_BACK_DAYS  # noqa: E402
from lib.casework.steps import IST  # noqa: E402
from lib.citizen.receipt import format_time  # noqa: E402
from lib.core.i18n import name_in  # noqa: E402
from lib.ui import case_page  # noqa: E402

FLASH_KEY = "appeals_flash"
LOADED_KEY = "appeals_loaded"         # (tracking no, version) the decision acts on

user = ui.require_user()
con = ui.connection()
lang = ui.language()
choices = ui.form_choices()
state = st.session_state


def department_name(code: str | None) -> str:
    if not code:
        return ui.tr("detail.no_department")
    return name_in(lang, *choices.departments.get(code, (code, code)))


st.title(ui.tr("appeals.title"))
st.caption(ui.tr("appeals.intro"))
flash = state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

# A toggle, not a radio of two labels: a choice widget's label would outlive a language switch.
show_all = st.toggle(ui.tr("appeals.show_all"), key="appeals_show_all")
lines = appeals.appeals_queue(con, user, pending_only=not show_all)
st.metric(ui.tr("appeals.count"), len(lines))
if not lines:
    st.info(ui.tr("appeals.none"))
else:
    st.dataframe(pd.DataFrame(
        [(a.tracking_no, format_time(a.filed_at), ui.tr(f"appeals.status.{a.status}"),
          ui.tr(f"status.{a.complaint_status}"), department_name(a.department_code), a.subject) for a in lines],
        columns=[ui.tr(f"appeals.col.{c}") for c in
                 ("tracking_no", "filed", "status", "complaint_status", "department", "subject")]),
        hide_index=True, width="stretch", key="appeals_table")

numbers = [a.tracking_no for a in lines]
if state.get("appeals_pick") not in numbers:
    state.pop("appeals_pick", None)
picked = st.selectbox(ui.tr("appeals.pick"), numbers, index=None, key="appeals_pick",
                      placeholder=ui.tr("admin.pick"))
case = detail.find_case(con, user, picked) if picked else None
if case is None:
    st.stop()
appeal = appeals.appeal_for(con, user, case.id)
if appeal is None:
    st.stop()

loaded = state.get(LOADED_KEY)
if not loaded or loaded[0] != case.tracking_no:
    loaded = state[LOADED_KEY] = (case.tracking_no, case.version)
if loaded[1] != case.version:
    st.warning(steps.StaleComplaint(case.tracking_no, case.updated_by, case.updated_at).message(lang))
    if st.button(ui.tr("detail.reload"), key="appeals_reload"):
        state[LOADED_KEY] = (case.tracking_no, case.version)
        st.rerun()

st.header(ui.tr("appeals.heading", tracking_no=case.tracking_no, status=ui.tr(f"appeals.status.{appeal.status}")))
st.caption(ui.tr("appeals.reason"))
st.text(appeal.reason)
if appeal.decided_at:
    st.caption(ui.tr("appeals.decided", date=format_time(appeal.decided_at), who=appeal.decided_by))

# ---- the complaint, read-only (no personal ID document: that stays with the DC's office) ----
category = choices.categories.get(case.category_code, (case.category_code, case.category_code, None))
case_page.facts([
    (ui.tr("summary.status"), ui.tr(f"status.{case.status}")),
    (ui.tr("summary.filed_at"), format_time(case.filed_at)),
    (ui.tr("summary.department"), department_name(case.department_code)),
    (ui.tr("summary.category"), name_in(lang, category[0], category[1])),
    (ui.tr("summary.subject"), case.subject),
    (ui.tr("detail.citizen"), case.citizen_name),
])
st.caption(ui.tr("detail.description"))
st.text(case.description)
st.subheader(ui.tr("detail.history"))
case_page.wrapped_table(detail.history_rows(case, lang, choices.departments),
                        [ui.tr("detail.col.when"), ui.tr("detail.col.who"), ui.tr("detail.col.what"),
                         ui.tr("detail.col.remark")], [2, 2, 3, 4])
if case.reports:
    st.subheader(ui.tr("detail.reports"))
    case_page.wrapped_table([(department_name(r.department_code), format_time(r.filed_at), r.report)
                             for r in case.reports],
                            [ui.tr("detail.col.department"), ui.tr("detail.col.when"), ui.tr("detail.col.report")],
                            [2, 2, 6])
if appeal.status != appeals.PENDING:
    st.stop()


def decided(message: str) -> None:
    state[FLASH_KEY] = message
    state.pop(LOADED_KEY, None)
    st.rerun()


today = datetime.now(IST).date()
left, right = st.columns(2)
with left, st.form("appeal_send_back", enter_to_submit=False):
    st.subheader(ui.tr("action.appeal_send_back"))
    st.caption(ui.tr("appeals.send_back.help", department=department_name(case.department_code)))
    directions = st.text_area(ui.tr("appeals.directions"), key="appeal_directions", max_chars=1000)
    report_by = st.date_input(ui.tr("appeals.report_by"), value=today + timedelta(days=SEND_BACK_DAYS),
                              key="appeal_report_by", format="DD-MM-YYYY")
    send = st.form_submit_button(ui.tr("action.appeal_send_back"), type="primary", key="appeal_send_back_submit")
with right, st.form("appeal_uphold", enter_to_submit=False):
    st.subheader(ui.tr("action.uphold"))
    st.caption(ui.tr("appeals.uphold.help"))
    remark = st.text_area(ui.tr("appeals.uphold_remark"), key="appeal_uphold_remark", max_chars=1000)
    hold = st.form_submit_button(ui.tr("action.uphold"), key="appeal_uphold_submit")
try:
    if send:
        done = appeals.send_back(con, user, case.id, loaded[1], directions, report_by, settings=ui.settings())
        decided(ui.tr("appeals.done.sent_back", tracking_no=done.tracking_no, date=report_by.strftime("%d-%m-%Y")))
    if hold:
        done = appeals.uphold(con, user, case.id, loaded[1], remark)
        decided(ui.tr("appeals.done.upheld", tracking_no=done.tracking_no))
except steps.REFUSALS as exc:
    st.error(steps.describe(exc, lang))
