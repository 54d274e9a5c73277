"""Overdue complaints by department, with how long they have waited and the oldest of each."""
from lib import ui

ui.guard("overdue")

import pandas as pd  # noqa: E402  (after the guard: nothing runs before it)
import streamlit as st  # noqa: E402

from lib.casework import deadlines, queue  # noqa: E402
from lib.core.roles import Role  # noqa: E402
from lib.core.i18n import name_in  # noqa: E402

user = ui.require_user()
con = ui.connection()
lang = ui.language()

if user.role == Role.OFFICER:
    en, hi = ui.form_choices().departments.get(user.department_code, (user.department_code,) * 2)
    st.title(ui.tr("overdue.title_department", department=name_in(lang, en, hi)))
else:
    st.title(ui.tr("overdue.title"))
targets = deadlines.get_targets(con)
st.caption(ui.tr("overdue.targets", verify=targets.verify_working_days, hearing=targets.hearing_working_days,
                 resolve=targets.resolve_days))

lines = deadlines.overdue_summary(con, user, lang)
st.metric(ui.tr("overdue.total"), f"{sum(line.count for line in lines):,}")
if not lines:
    st.success(ui.tr("overdue.none"))
    st.stop()

table = pd.DataFrame(
    [(line.department_name, line.count, *line.by_age, line.oldest_tracking_no, line.oldest_age_days)
     for line in lines],
    columns=[ui.tr("overdue.col.department"), ui.tr("overdue.col.count"),
             *(ui.tr(f"overdue.age.{i}") for i in range(len(deadlines.AGE_BUCKETS))),
             ui.tr("overdue.col.oldest"), ui.tr("overdue.col.oldest_age")])
st.dataframe(table, hide_index=True, key="overdue_table")

if st.button(ui.tr("overdue.open_queue"), key="overdue_open_queue"):
    # The queue's pickers read these keys: open it showing only the overdue complaints.
    st.session_state["q_overdue"] = queue.OverdueChoice.YES
    st.switch_page("pages/queue.py")
