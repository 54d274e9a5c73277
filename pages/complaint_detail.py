"""One complaint for the DC's office and department officers: every field (Aadhaar masked), photos, the ID
document (DC only, audited), the history, directions and reports, the hearing with its video room, and the
actions allowed now."""
from lib import ui

ui.guard("complaint_detail")

from datetime import datetime, timedelta  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.casework import actions, detail, duplicates, steps  # noqa: E402
from lib.hearings import booking, calendar_export, officers, slots  # noqa: E402
from lib.ui import case_page, duplicate_counts  # noqa: E402
from lib.core.roles import Role  # noqa: E402
from lib.casework.actions import SEND_BACK_DAYS  # noqa: E402
from lib.casework.steps import IST  # noqa: E402
from lib.core.i18n import name_in  # noqa: E402
from lib.core.complaints import Status  # noqa: E402
from lib.core.lifecycle import Action, RejectionReason, actions_for  # noqa: E402
from lib.citizen import id_view  # noqa: E402
from lib.citizen.receipt import format_time  # noqa: E402

LOADED_KEY = "detail_loaded"          # (tracking no, version) this page loaded and acts on
FLASH_KEY = "detail_flash"
OFFER_KEY = "booking_offer"           # (tracking no, what, slot) offered after a lost race for a slot

user = ui.require_user()
con = ui.connection()
lang = ui.language()
choices = ui.form_choices()
store = actions.upload_store(ui.settings())
now = datetime.now(IST)


def department_name(code: str | None) -> str:
    if not code:
        return ui.tr("detail.no_department")
    en, hi = choices.departments.get(code, (code, code))
    return name_in(lang, en, hi)


def table(rows: list, columns: list[str]) -> None:
    """Plain-text cells: officers' and citizens' words are never rendered as markdown."""
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")


def category_name(code: str) -> str:
    en, hi, _ = choices.categories.get(code, (code, code, None))
    return name_in(lang, en, hi)


st.title(ui.tr("nav.complaint_detail"))
ref = st.query_params.get("no") or st.text_input(ui.tr("detail.tracking_no"), key="detail_no", max_chars=30)
if not ref:
    st.stop()
case = detail.find_case(con, user, ref)
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
    st.warning(steps.StaleComplaint(case.tracking_no, case.updated_by, case.updated_at).message(lang))
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
case_page.facts(rows)
st.caption(ui.tr("detail.description"))
st.text(case.description)

photos = [d for d in case.documents if d.kind == "photo"]
if photos:
    st.subheader(ui.tr("detail.photos"))
    for n, doc in enumerate(photos, start=1):
        found = detail.load_document(con, store, user, case.id, doc.id)
        if found:
            st.image(found[1], caption=ui.tr("detail.photo", n=n), width=360)

if user.role == Role.DC and any(d.kind == "id_proof" for d in case.documents):
    st.subheader(ui.tr("detail.id_document"))
    if st.button(ui.tr("detail.open_id_document"), key="open_id_document"):
        # Audited before the bytes are handed over; shown watermarked, as a data: URI (no /media URL
        # exists for it, see lib/citizen/id_view.py), and gone with the next run of this page.
        info, data = detail.open_id_document(con, store, user, case.id)
        st.image(id_view.watermarked_data_uri(data, info.content_type, user.username, datetime.now(IST)),
                 width=480)
        st.caption(ui.tr("detail.id_document_watermarked"))

# ---- history, directions, reports ----
st.subheader(ui.tr("detail.history"))
case_page.wrapped_table(detail.history_rows(case, lang, choices.departments),
                        [ui.tr("detail.col.when"), ui.tr("detail.col.who"), ui.tr("detail.col.what"),
                         ui.tr("detail.col.remark")], [2, 2, 3, 4])

st.subheader(ui.tr("detail.directions"))
if case.directions:
    today = now.date()
    case_page.wrapped_table(
        [(department_name(d.department_code), d.instruction, d.report_by.strftime("%d-%m-%Y"),
          format_time(d.reported_at) if d.reported_at else "",
          ui.tr("detail.overdue") if detail.is_overdue(d.report_by, d.reported_at, today) else "")
         for d in case.directions],
        [ui.tr("detail.col.department"), ui.tr("detail.col.instruction"), ui.tr("detail.col.report_by"),
         ui.tr("detail.col.reported"), ui.tr("detail.col.overdue")], [2, 5, 2, 2, 1])
else:
    st.caption(ui.tr("detail.no_directions"))

st.subheader(ui.tr("detail.reports"))
if case.reports:
    case_page.wrapped_table([(format_time(r.filed_at), department_name(r.department_code), r.filed_by, r.report)
                             for r in case.reports],
                            [ui.tr("detail.col.when"), ui.tr("detail.col.department"), ui.tr("detail.col.filed_by"),
                             ui.tr("detail.col.report")], [2, 2, 2, 6])
    for n, r in enumerate(case.reports, start=1):
        if r.document_id is not None:
            found = detail.load_document(con, store, user, case.id, r.document_id)
            if found:
                st.download_button(ui.tr("detail.attachment", n=n), found[1], mime=found[0].content_type,
                                   file_name=detail.download_name(f"{case.tracking_no}-report-{n}", found[0]), key=f"download_report_{r.id}")
else:
    st.caption(ui.tr("detail.no_reports"))

# ---- actions ----
allowed = actions_for(detail.state_of(case), user.role, user.department_code, now)
departments = sorted(choices.departments, key=department_name)


def run(action: Action, call, flash=None) -> None:
    """Take the action with the version this page loaded; show why if it is refused. `flash`: what to
    say when done (a callable is asked after the action), else the action and the new status."""
    try:
        done = call()
    except steps.REFUSALS as exc:
        st.error(steps.describe(exc, lang))
        if isinstance(exc, slots.SlotTaken) and exc.offer:
            st.session_state[OFFER_KEY] = (case.tracking_no, action, exc.offer)
        return
    st.session_state.pop(OFFER_KEY, None)
    st.session_state[LOADED_KEY] = (case.tracking_no, done.version)
    message = flash() if callable(flash) else flash
    st.session_state[FLASH_KEY] = message or ui.tr("detail.done", action=ui.tr(f"action.{action}"),
                                                   status=ui.tr(f"status.{done.status}"))
    st.rerun()


# ---- Duplicates (issue #15): likely duplicates in the user's scope; the DC merges them ----
def place_label(lgd: int, ward: int | None) -> str:
    found = choices.places.get(lgd)
    name = name_in(lang, found.name_en, found.name_hi) if found else str(lgd)
    return f"{name}, {ui.tr('summary.ward')} {ward}" if ward else name


def merge(items: list, into: str, remark: str, moves_this: bool) -> None:
    """Close `items` as duplicates of `into` (actions.bulk_close_duplicates), all or none."""
    try:
        done = actions.bulk_close_duplicates(con, user, items, into, remark)
    except steps.REFUSALS as exc:
        st.error(steps.describe(exc, lang))
        return
    duplicate_counts.forget()           # the queue's counts of this process count afresh
    if moves_this:
        st.session_state[LOADED_KEY] = (case.tracking_no, done[0].version)
    st.session_state[FLASH_KEY] = ui.tr("duplicates.merged", count=len(done), tracking_no=into)
    st.rerun()


likely = duplicates.suggestions_for(con, user, case.id)
case_page.duplicate_suggestions(likely, place_label)
if user.role == Role.DC and likely:
    case_page.merge_forms(case.tracking_no, case.id, case.status, loaded_version, likely, merge)
# ---- end of Duplicates ----


# ---- the hearing: its booking, the video room, and booking, moving or calling it off ----
booked = booking.hearings_of(con, case.id)
on = booking.current(booked)
hearing_officers = officers.list_officers(con)
titles = officers.titles(hearing_officers, lang)
holders = [o.username for o in hearing_officers if o.active]
room = booking.room_to_show(booked, now.date())
HEARING_ACTIONS = (Action.SCHEDULE_HEARING, Action.CANCEL_HEARING, Action.RECORD_HEARING)
args = (con, user, case.id, loaded_version)

st.subheader(ui.tr("hearing.heading"))
if on:
    st.info(ui.tr("hearing.booked_for", when=on.when(), officer=titles.get(on.officer, on.officer)))
    if st.button(ui.tr("hearing.show_on_calendar"), key="hearing_calendar"):
        st.switch_page("pages/calendar.py", query_params={"date": on.starts_at.date().isoformat()})
elif case.status == Status.HEARING_SCHEDULED:
    st.caption(ui.tr("hearing.no_slot_yet"))
elif not booked:
    st.caption(ui.tr("hearing.none"))
if room and booking.may_join(user, room):
    # Join beside the citizen's earlier complaints and how they ended: what the DC needs during the call.
    join, earlier = st.columns([1, 3])
    with join:
        case_page.join_button(room.join_url, "hearing_join")
        video_here = st.toggle(ui.tr("hearing.open_room_here"), key="hearing_video")
    with earlier:
        case_page.earlier_complaints(calendar_export.earlier_complaints(con, user, case.id), category_name)
    if video_here:
        st.iframe(room.join_url, height=560)          # the frame allows camera and microphone
        st.caption(ui.tr("hearing.video_hint"))
if booked:
    table([(h.when(), titles.get(h.officer, h.officer), ui.tr(f"hearing.status.{h.status}"), h.reason or "")
           for h in booked],
          [ui.tr("hearing.col.when"), ui.tr("hearing.col.officer"), ui.tr("hearing.col.status"),
           ui.tr("hearing.col.reason")])


def slot_picker(prefix: str, exclude: booking.Hearing | None = None):
    """Officer, then "first free slot" or one chosen from the free slots; (officer, slot or None)."""
    if not holders:
        st.warning(ui.tr("hearing.no_officers"))
        return None, None
    officer = st.selectbox(ui.tr("hearing.officer"), holders, key=f"{prefix}_officer",
                           format_func=lambda u: titles.get(u, u))
    modes = {"first": ui.tr("hearing.mode.first"), "choose": ui.tr("hearing.mode.choose")}
    mode = st.radio(ui.tr("hearing.mode"), list(modes), key=f"{prefix}_mode", format_func=modes.get, horizontal=True)
    if mode == "first":
        return officer, None
    free = [s for s in booking.find_free_slots(con, officer, days=booking.BOOKING_HORIZON_DAYS)
            if not exclude or s != exclude.slot]
    if not free:
        st.warning(ui.tr("hearing.no_free_slot"))
        return officer, None
    slot = st.selectbox(ui.tr("hearing.slot"), free, key=f"{prefix}_slot",
                        format_func=lambda s: s.label(lang, titles, case.preferred_dates))
    return officer, slot


def booked_flash(key: str) -> str:
    fresh = booking.current(booking.hearings_of(con, case.id))
    return ui.tr(key, when=fresh.when(), officer=titles.get(fresh.officer, fresh.officer)) if fresh else None


def held_flash(orders: list) -> str:
    if not orders:
        return ui.tr("hearing.done.held")
    names = ", ".join(dict.fromkeys(department_name(o[0]) for o in orders))
    return ui.tr("hearing.done.held_directed", departments=names)


offer = st.session_state.get(OFFER_KEY)
if offer and offer[0] == case.tracking_no and offer[1] in allowed:
    _, offered_for, offered = offer
    if st.button(ui.tr("hearing.take_offer", slot=offered.label(lang, titles)), key="booking_offer_accept"):
        if offered_for == Action.SCHEDULE_HEARING:
            run(offered_for, lambda: booking.book_hearing(*args, offered.officer, slot=offered),
                lambda: booked_flash("hearing.done.booked"))
        else:
            run(offered_for, lambda: booking.reschedule_hearing(
                *args, st.session_state.get("reschedule_reason", ""), slot=offered),
                lambda: booked_flash("hearing.done.moved"))

if Action.SCHEDULE_HEARING in allowed:
    with st.expander(ui.tr("action.schedule_hearing"), expanded=True):
        if not slots.may_book_again(booking.count_no_shows(booked)):
            st.warning(ui.tr("hearing.no_more_rebooking"))
        else:
            st.caption(ui.tr("hearing.booking_hint"))
            officer, slot = slot_picker("booking")
            remark = st.text_area(ui.tr("detail.remark"), key="booking_remark", max_chars=1000)
            if officer and st.button(ui.tr("hearing.book"), key="booking_submit", type="primary"):
                run(Action.SCHEDULE_HEARING, lambda: booking.book_hearing(*args, officer, remark, slot=slot),
                    lambda: booked_flash("hearing.done.booked"))
if Action.CANCEL_HEARING in allowed:
    with st.expander(ui.tr("hearing.reschedule")):
        officer, slot = slot_picker("reschedule", exclude=on)
        reason = st.text_area(ui.tr("hearing.reason"), key="reschedule_reason", max_chars=1000)
        if officer and st.button(ui.tr("hearing.reschedule"), key="reschedule_submit"):
            run(Action.CANCEL_HEARING, lambda: booking.reschedule_hearing(*args, reason, officer=officer, slot=slot),
                lambda: booked_flash("hearing.done.moved"))
    with st.expander(ui.tr("action.cancel_hearing")):
        reason = st.text_area(ui.tr("hearing.reason"), key="cancel_hearing_reason", max_chars=1000)
        if st.button(ui.tr("action.cancel_hearing"), key="cancel_hearing_submit"):
            run(Action.CANCEL_HEARING, lambda: booking.cancel_hearing(*args, reason),
                ui.tr("hearing.done.cancelled"))
    if on:
        with st.expander(ui.tr("hearing.no_show")):
            st.caption(ui.tr("hearing.no_show_hint"))
            remark = st.text_area(ui.tr("detail.remark"), key="no_show_remark", max_chars=1000)
            if st.button(ui.tr("hearing.no_show"), key="no_show_submit"):
                run(Action.CANCEL_HEARING, lambda: booking.record_no_show(*args, remark),
                    ui.tr("hearing.done.no_show"))
if Action.RECORD_HEARING in allowed:
    # Held, its outcome and the directions given in it: one step, from the hearing's start.
    with st.expander(ui.tr("hearing.record"), expanded=bool(on)):
        if on and now < on.starts_at:
            st.info(ui.tr("hearing.record_from", when=on.when()))
        else:
            with st.form("form_record_hearing", enter_to_submit=False):
                st.caption(ui.tr("hearing.record_hint"))
                outcome = st.text_area(ui.tr("hearing.outcome"), key="record_hearing_remark", max_chars=1000)
                held_orders = case_page.direction_fields("held_direction", departments, department_name,
                                                         case.department_code, now.date())
                if st.form_submit_button(ui.tr("hearing.record_submit"), key="record_hearing_submit",
                                         type="primary"):
                    run(Action.RECORD_HEARING, lambda: booking.record_hearing(
                        *args, outcome, held_orders, settings=ui.settings(), track_url=ui.settings().track_url),
                        lambda: held_flash(held_orders))

st.subheader(ui.tr("detail.actions"))
if not [a for a in allowed if a not in HEARING_ACTIONS]:
    st.caption(ui.tr("detail.no_actions"))

SIMPLE = {Action.START_SCRUTINY: actions.start_scrutiny, Action.ACCEPT: actions.accept, Action.CLOSE: actions.close}
for action in (a for a in allowed if a not in HEARING_ACTIONS):
    # No form submits on Enter: a half-typed instruction or remark is never sent by accident.
    with st.expander(ui.tr(f"action.{action}")), st.form(f"form_{action}", enter_to_submit=False):
        if action in SIMPLE:
            remark = st.text_area(ui.tr("detail.remark"), key=f"{action}_remark", max_chars=1000)
            if st.form_submit_button(ui.tr(f"action.{action}"), key=f"{action}_submit"):
                run(action, lambda: SIMPLE[action](*args, remark))
        elif action == Action.RESOLVE:
            remark = st.text_area(ui.tr("detail.remark"), key="resolve_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.resolve"), key="resolve_submit"):
                run(action, lambda: actions.resolve(*args, remark, track_url=ui.settings().track_url))
        elif action == Action.REJECT:
            reasons = {r: ui.tr(f"rejection.{r}") for r in RejectionReason}
            reason = st.selectbox(ui.tr("detail.reason"), list(reasons), key="reject_reason", format_func=reasons.get)
            remark = st.text_area(ui.tr("detail.remark"), key="reject_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.reject"), key="reject_submit"):
                run(action, lambda: actions.reject(*args, reason, remark))
        elif action == Action.SEND_TO_DEPARTMENT:
            st.caption(ui.tr("detail.direction_hint"))
            orders = case_page.direction_fields("direction", departments, department_name, case.department_code,
                                                now.date())
            remark = st.text_area(ui.tr("detail.remark"), key="directions_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.send_to_department"), key="directions_submit"):
                run(action, lambda: actions.give_directions(*args, orders, remark))
        elif action == Action.FORWARD:
            others = [d for d in departments if d != case.department_code]
            to = st.selectbox(ui.tr("detail.forward_to"), others, key="forward_department", format_func=department_name)
            remark = st.text_area(ui.tr("detail.remark_required"), key="forward_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("action.forward"), key="forward_submit"):
                run(action, lambda: actions.forward(*args, to, remark))
        elif action == Action.FILE_REPORT:
            report = st.text_area(ui.tr("detail.report_text"), key="report_text", max_chars=4000)
            upload = st.file_uploader(ui.tr("detail.report_file"), type=["jpg", "jpeg", "png", "pdf"],
                                      key="report_file")
            if st.form_submit_button(ui.tr("action.file_report"), key="report_submit"):
                attachment = upload.getvalue() if upload else None
                run(action, lambda: actions.file_report(*args, report, attachment, store=store))
        elif action == Action.SEND_BACK:
            remark = st.text_area(ui.tr("detail.remark_required"), key="send_back_remark", max_chars=1000)
            due = st.date_input(ui.tr("detail.report_by"), value=now.date() + timedelta(days=SEND_BACK_DAYS),
                                key="send_back_report_by", format="DD-MM-YYYY")
            if st.form_submit_button(ui.tr("action.send_back"), key="send_back_submit"):
                run(action, lambda: actions.send_back(*args, remark, due))
