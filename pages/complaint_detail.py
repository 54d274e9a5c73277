"""One complaint for the DC's office and department officers: every field (Aadhaar masked), photos, the ID
document (DC only, audited), the history, directions and reports, and the actions allowed now."""
from lib import ui

ui.guard("complaint_detail")

from datetime import datetime, timedelta  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib import casework  # noqa: E402
from lib.access import Role  # noqa: E402
from lib.casework import IST, MAX_DIRECTIONS, SEND_BACK_DAYS  # noqa: E402
from lib.i18n import name_in  # noqa: E402
from lib.lifecycle import Action, RejectionReason, actions_for  # noqa: E402
from lib.receipt import format_time  # noqa: E402

LOADED_KEY = "detail_loaded"          # (tracking no, version) this page loaded and acts on
FLASH_KEY = "detail_flash"

user = ui.require_user()
con = ui.connection()
lang = ui.language()
choices = ui.form_choices()
store = casework.upload_store(ui.settings())
now = datetime.now(IST)


def department_name(code: str | None) -> str:
    if not code:
        return ui.tr("detail.no_department")
    en, hi = choices.departments.get(code, (code, code))
    return name_in(lang, en, hi)


def table(rows: list, columns: list[str]) -> None:
    """Plain-text cells: officers' and citizens' words are never rendered as markdown."""
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")


st.title(ui.tr("nav.complaint_detail"))
ref = st.query_params.get("no") or st.text_input(ui.tr("detail.tracking_no"), key="detail_no", max_chars=30)
if not ref:
    st.stop()
case = casework.find_case(con, user, ref)
if case is None:
    # The same answer for a number that does not exist and one of another department.
    st.error(ui.tr("casework.not_found"))
    st.stop()

loaded = st.session_state.get(LOADED_KEY)
if not loaded or loaded[0] != case.tracking_no:         # another complaint opened: start from now
    loaded = st.session_state[LOADED_KEY] = (case.tracking_no, case.version)
loaded_version = loaded[1]
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)
if loaded_version != case.version:
    st.warning(casework.StaleComplaint(case.tracking_no, case.updated_by, case.updated_at).message(lang))
    if st.button(ui.tr("detail.reload"), key="detail_reload"):
        st.session_state[LOADED_KEY] = (case.tracking_no, case.version)
        st.rerun()

st.header(ui.tr("detail.heading", tracking_no=case.tracking_no, status=ui.tr(f"status.{case.status}")))

# ---- the complaint ----
place = choices.places.get(case.place_lgd)
tehsil = choices.tehsils.get(case.tehsil_lgd)
cat_en, cat_hi, _ = choices.categories.get(case.category_code, (case.category_code, case.category_code, None))
rows = [
    (ui.tr("summary.status"), ui.tr(f"status.{case.status}")),
    (ui.tr("summary.filed_at"), format_time(case.filed_at)),
    (ui.tr("summary.department"), department_name(case.department_code)),
    (ui.tr("detail.tehsil"), name_in(lang, tehsil.name_en, tehsil.name_hi) if tehsil else "—"),
    (ui.tr("summary.place"), name_in(lang, place.name_en, place.name_hi) if place else "—"),
    (ui.tr("summary.ward"), str(case.ward) if case.ward else "—"),
    (ui.tr("detail.locality"), case.locality or "—"),
    (ui.tr("summary.category"), name_in(lang, cat_en, cat_hi)),
    (ui.tr("summary.subject"), case.subject),
    (ui.tr("detail.citizen"), case.citizen_name),
    (ui.tr("detail.mobile"), case.mobile),
    (ui.tr("detail.email"), case.email or "—"),
    (ui.tr("summary.id"), case.masked_id),
    (ui.tr("detail.hearing_mode"), ui.tr(f"hearing_mode.{case.hearing_mode}")),
    (ui.tr("detail.preferred_dates"), ", ".join(d.strftime("%d-%m-%Y") for d in case.preferred_dates) or "—"),
    (ui.tr("detail.transfers"), str(case.transfers)),
]
if case.rejection_reason:
    rows.append((ui.tr("detail.rejection_reason"), ui.tr(f"rejection.{case.rejection_reason}")))
st.subheader(ui.tr("detail.details"))
table(rows, [ui.tr("detail.details"), " "])
st.caption(ui.tr("detail.description"))
st.text(case.description)

photos = [d for d in case.documents if d.kind == "photo"]
if photos:
    st.subheader(ui.tr("detail.photos"))
    for n, doc in enumerate(photos, start=1):
        found = casework.load_document(con, store, user, case.id, doc.id)
        if found:
            st.image(found[1], caption=ui.tr("detail.photo", n=n), width=360)

if user.role == Role.DC and any(d.kind == "id_proof" for d in case.documents):
    st.subheader(ui.tr("detail.id_document"))
    if st.button(ui.tr("detail.open_id_document"), key="open_id_document"):
        info, data = casework.open_id_document(con, store, user, case.id)
        if info.content_type.startswith("image/"):
            st.image(data, width=480)
        st.download_button(ui.tr("detail.download"), data, file_name=casework.download_name(f"{case.tracking_no}-id", info),
                           mime=info.content_type, key="download_id_document")

# ---- history, directions, reports ----
st.subheader(ui.tr("detail.history"))
table(casework.history_rows(case, lang, choices.departments),
      [ui.tr("detail.col.when"), ui.tr("detail.col.who"), ui.tr("detail.col.what"), ui.tr("detail.col.remark")])

st.subheader(ui.tr("detail.directions"))
if case.directions:
    today = now.date()
    table([(department_name(d.department_code), d.instruction, d.report_by.strftime("%d-%m-%Y"),
            format_time(d.reported_at) if d.reported_at else "",
            ui.tr("detail.overdue") if casework.is_overdue(d.report_by, d.reported_at, today) else "")
           for d in case.directions],
          [ui.tr("detail.col.department"), ui.tr("detail.col.instruction"), ui.tr("detail.col.report_by"),
           ui.tr("detail.col.reported"), ui.tr("detail.col.overdue")])
else:
    st.caption(ui.tr("detail.no_directions"))

st.subheader(ui.tr("detail.reports"))
if case.reports:
    table([(format_time(r.filed_at), department_name(r.department_code), r.filed_by, r.report)
           for r in case.reports],
          [ui.tr("detail.col.when"), ui.tr("detail.col.department"), ui.tr("detail.col.filed_by"),
           ui.tr("detail.col.report")])
    for n, r in enumerate(case.reports, start=1):
        if r.document_id is not None:
            found = casework.load_document(con, store, user, case.id, r.document_id)
            if found:
                st.download_button(ui.tr("detail.attachment", n=n), found[1], mime=found[0].content_type,
                                   file_name=casework.download_name(f"{case.tracking_no}-report-{n}", found[0]), key=f"download_report_{r.id}")
else:
    st.caption(ui.tr("detail.no_reports"))

# ---- actions ----
st.subheader(ui.tr("detail.actions"))
allowed = actions_for(casework.state_of(case), user.role, user.department_code, now)
if not allowed:
    st.caption(ui.tr("detail.no_actions"))
departments = sorted(choices.departments, key=department_name)


def run(action: Action, call) -> None:
    """Take the action with the version this page loaded; show why if it is refused."""
    try:
        done = call()
    except casework.REFUSALS as exc:
        st.error(casework.describe(exc, lang))
        return
    st.session_state[LOADED_KEY] = (case.tracking_no, done.version)
    st.session_state[FLASH_KEY] = ui.tr("detail.done", action=ui.tr(f"action.{action}"),
                                        status=ui.tr(f"status.{done.status}"))
    st.rerun()


SIMPLE = {
    Action.START_SCRUTINY: casework.start_scrutiny, Action.ACCEPT: casework.accept,
    Action.SCHEDULE_HEARING: casework.schedule_hearing, Action.CANCEL_HEARING: casework.cancel_hearing,
    Action.RECORD_HEARING: casework.record_hearing, Action.CLOSE: casework.close,
}
for action in allowed:
    with st.expander(ui.tr(f"action.{action}")), st.form(f"form_{action}"):
        args = (con, user, case.id, loaded_version)
        if action in SIMPLE:
            remark = st.text_area(ui.tr("detail.remark"), key=f"{action}_remark", max_chars=1000)
            if st.form_submit_button(ui.tr(f"action.{action}"), key=f"{action}_submit"):
                run(action, lambda: SIMPLE[action](*args, remark))
        elif action == Action.RESOLVE:
            remark = st.text_area(ui.tr("detail.remark"), key="resolve_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.resolve"), key="resolve_submit"):
                run(action, lambda: casework.resolve(*args, remark, track_url=ui.settings().track_url))
        elif action == Action.REJECT:
            reasons = {r: ui.tr(f"rejection.{r}") for r in RejectionReason}
            reason = st.selectbox(ui.tr("detail.reason"), list(reasons), key="reject_reason", format_func=reasons.get)
            remark = st.text_area(ui.tr("detail.remark"), key="reject_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.reject"), key="reject_submit"):
                run(action, lambda: casework.reject(*args, reason, remark))
        elif action == Action.SEND_TO_DEPARTMENT:
            st.caption(ui.tr("detail.direction_hint"))
            orders = []
            for i in range(MAX_DIRECTIONS):
                st.caption(ui.tr("detail.direction_n", n=i + 1))
                first = departments.index(case.department_code) if i == 0 and case.department_code in departments else 0
                dept = st.selectbox(ui.tr("detail.department"), departments, index=first, key=f"direction_{i}_department",
                                    format_func=department_name)
                instruction = st.text_input(ui.tr("detail.instruction"), key=f"direction_{i}_instruction",
                                            max_chars=1000)
                due = st.date_input(ui.tr("detail.report_by"), value=now.date() + timedelta(days=SEND_BACK_DAYS),
                                    key=f"direction_{i}_report_by", format="DD-MM-YYYY")
                if instruction.strip():
                    orders.append((dept, instruction, due))
            remark = st.text_area(ui.tr("detail.remark"), key="directions_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.send_to_department"), key="directions_submit"):
                run(action, lambda: casework.give_directions(*args, orders, remark))
        elif action == Action.FORWARD:
            others = [d for d in departments if d != case.department_code]
            to = st.selectbox(ui.tr("detail.forward_to"), others, key="forward_department", format_func=department_name)
            remark = st.text_area(ui.tr("detail.remark_required"), key="forward_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.forward"), key="forward_submit"):
                run(action, lambda: casework.forward(*args, to, remark))
        elif action == Action.FILE_REPORT:
            report = st.text_area(ui.tr("detail.report_text"), key="report_text", max_chars=4000)
            upload = st.file_uploader(ui.tr("detail.report_file"), type=["jpg", "jpeg", "png", "pdf"],
                                      key="report_file")
            if st.form_submit_button(ui.tr("action.file_report"), key="report_submit"):
                attachment = upload.getvalue() if upload else None
                run(action, lambda: casework.file_report(*args, report, attachment, store=store))
        elif action == Action.SEND_BACK:
            remark = st.text_area(ui.tr("detail.remark_required"), key="send_back_remark", max_chars=1000)
            due = st.date_input(ui.tr("detail.report_by"), value=now.date() + timedelta(days=SEND_BACK_DAYS),
                                key="send_back_report_by", format="DD-MM-YYYY")
            if st.form_submit_button(ui.tr("action.send_back"), key="send_back_submit"):
                run(action, lambda: casework.send_back(*args, remark, due))
