"""The officers' queue: the complaints the DC's office or a department may see, filtered, sorted, a page at a time."""
from lib import ui

ui.guard("queue")

import pandas as pd  # noqa: E402  (after the guard: nothing runs before it)
import streamlit as st  # noqa: E402

from lib.casework import actions, queue, steps  # noqa: E402
from lib.core.roles import Role  # noqa: E402
from lib.core.complaints import Status  # noqa: E402
from lib.core.i18n import name_in, t  # noqa: E402
from lib.core.problems import InvalidInput  # noqa: E402
from lib.ui import duplicate_counts, escalated  # noqa: E402

user = ui.require_user()
con = ui.connection()
choices = ui.form_choices()
lang = ui.language()
state = st.session_state
PAGE_KEY, SEEN_KEY, MESSAGE_KEY = "q_page", "q_seen", "q_message"
# Filters survive a trip to the complaint and back (widget state is otherwise dropped).
KEEP = "session"
# "All" is the option None; Streamlit shows a None value as the placeholder (after a language
# switch, say), so that says "All" too.
ANY = ui.tr("queue.filter.any")


def key(field: str) -> str:
    return f"q_{field}"


def department_name(code: str | None) -> str:
    if code is None:
        return ui.tr("queue.filter.any")
    if code == queue.UNASSIGNED:
        return ui.tr("queue.no_department")
    return name_in(lang, *choices.departments.get(code, (code, code)))


def any_or(name_of):
    return lambda value: ui.tr("queue.filter.any") if value is None else name_of(value)


def set_filters(filters: queue.QueueFilters) -> None:
    for field, value in queue.choices_from_filters(filters).items():
        state[key(field)] = value
    state[PAGE_KEY] = 1


def current_filters() -> queue.QueueFilters:
    values = {field: state.get(key(field)) for field in queue.choices_from_filters(queue.QueueFilters())}
    return queue.filters_from_choices(values, page=state.get(PAGE_KEY, 1))


def on_tehsil_change() -> None:
    state[key("place_lgd")] = None
    state[key("ward")] = None


def on_place_change() -> None:
    state[key("ward")] = None


def move_page(step: int) -> None:
    state[PAGE_KEY] = max(1, state.get(PAGE_KEY, 1) + step)


def save_view() -> None:
    try:
        queue.save_view(con, user, state.get("q_view_name", ""), current_filters())
    except InvalidInput as exc:
        state[MESSAGE_KEY] = ("error", exc.problems[0].key, exc.problems[0].params)
        return
    state[MESSAGE_KEY] = ("success", "queue.view_saved", {})
    state["q_view_name"] = ""


def apply_view(views: dict) -> None:
    view = views.get(state.get("q_view"))
    if view is not None:
        set_filters(view.filters)


def delete_view() -> None:
    if state.get("q_view") is not None and queue.delete_view(con, user, state["q_view"]):
        state["q_view"] = None
        state[MESSAGE_KEY] = ("success", "queue.view_deleted", {})


# Pickers start from the default filters; none passes its own default (their state is the truth).
for field_name, default in queue.choices_from_filters(queue.QueueFilters()).items():
    state.setdefault(key(field_name), default)

# ---- Filters and saved views (sidebar) ----
with st.sidebar:
    st.subheader(ui.tr("queue.filters"))
    st.multiselect(ui.tr("queue.filter.status"), options=list(Status), key=key("statuses"),
                   format_func=lambda s: t(lang, f"status.{s}"), placeholder=ui.tr("queue.filter.any"),
                   persist_state=KEEP)
    if user.role == Role.DC:
        st.selectbox(ui.tr("queue.filter.department"), options=[None, queue.UNASSIGNED, *choices.departments],
                     key=key("department_code"), format_func=department_name, persist_state=KEEP,
                     placeholder=ANY)
    tehsil = st.selectbox(ui.tr("queue.filter.tehsil"), options=[None, *choices.tehsils], key=key("tehsil_lgd"),
                          on_change=on_tehsil_change, persist_state=KEEP, placeholder=ANY, format_func=any_or(
                              lambda c: name_in(lang, choices.tehsils[c].name_en, choices.tehsils[c].name_hi)))
    places = choices.places_of(tehsil) if tehsil is not None else list(choices.places.values())
    place = st.selectbox(ui.tr("queue.filter.place"), options=[None, *(p.lgd_code for p in places)],
                         key=key("place_lgd"), on_change=on_place_change, persist_state=KEEP, placeholder=ANY, format_func=any_or(
                             lambda c: name_in(lang, choices.places[c].name_en, choices.places[c].name_hi)))
    if place is not None and choices.places[place].is_town:
        st.selectbox(ui.tr("queue.filter.ward"), options=[None, *choices.places[place].ward_numbers()],
                     key=key("ward"), format_func=any_or(str), persist_state=KEEP, placeholder=ANY)
    else:
        state[key("ward")] = None
    st.selectbox(ui.tr("queue.filter.category"), options=[None, *choices.categories], key=key("category_code"),
                 persist_state=KEEP, placeholder=ANY, format_func=any_or(lambda c: name_in(lang, *choices.categories[c][:2])))
    st.radio(ui.tr("queue.filter.overdue"), options=list(queue.OverdueChoice), key=key("overdue"),
             format_func=lambda c: t(lang, f"queue.overdue.{c}"), horizontal=True, persist_state=KEEP)
    low, high = st.columns(2)
    low.number_input(ui.tr("queue.filter.min_age"), min_value=0, max_value=queue.MAX_AGE_DAYS, value=None,
                     step=1, key=key("min_age_days"), persist_state=KEEP)
    high.number_input(ui.tr("queue.filter.max_age"), min_value=0, max_value=queue.MAX_AGE_DAYS, value=None,
                      step=1, key=key("max_age_days"), persist_state=KEEP)
    low.date_input(ui.tr("queue.filter.filed_from"), value=None, key=key("filed_from"), format="DD-MM-YYYY",
                   persist_state=KEEP)
    high.date_input(ui.tr("queue.filter.filed_to"), value=None, key=key("filed_to"), format="DD-MM-YYYY",
                    persist_state=KEEP)
    st.text_input(ui.tr("queue.filter.text"), key=key("text"), max_chars=queue.TEXT_MAX, persist_state=KEEP)
    st.button(ui.tr("queue.reset"), key="q_reset", on_click=set_filters, args=(queue.QueueFilters(),))

    st.subheader(ui.tr("queue.views"))
    views = {v.id: v for v in queue.list_views(con, user)}
    if views:
        st.selectbox(ui.tr("queue.view_pick"), options=list(views), key="q_view", index=None, placeholder=ui.tr("form.pick"),
                     format_func=lambda i: views[i].name if i in views else "")
        apply_col, delete_col = st.columns(2)
        apply_col.button(ui.tr("queue.view_apply"), key="q_view_apply", on_click=apply_view, args=(views,))
        delete_col.button(ui.tr("queue.view_delete"), key="q_view_delete", on_click=delete_view)
    else:
        st.caption(ui.tr("queue.no_views"))
    st.text_input(ui.tr("queue.view_name"), key="q_view_name", max_chars=queue.VIEW_NAME_MAX)
    st.button(ui.tr("queue.view_save"), key="q_view_save", on_click=save_view)
    if MESSAGE_KEY in state:
        kind, message, params = state.pop(MESSAGE_KEY)
        (st.success if kind == "success" else st.error)(ui.tr(message, **params))

def bulk_actions(picked) -> None:
    """One remark for every selected complaint, all or nothing (versions as listed on this page)."""
    items = [(r.complaint_id, r.version) for r in picked]
    with st.expander(ui.tr("queue.bulk.title", count=len(picked))):
        with st.form("q_bulk_forward"):
            to = st.selectbox(ui.tr("queue.bulk.forward_to"), options=sorted(ui.form_choices().departments),
                              format_func=department_name, key="q_bulk_department")
            remark = st.text_input(ui.tr("queue.bulk.remark"), key="q_bulk_forward_remark", max_chars=1000)
            if st.form_submit_button(ui.tr("queue.bulk.forward")):
                bulk_outcome(lambda: actions.bulk_forward(con, user, items, to, remark))
        if user.role == Role.DC:
            with st.form("q_bulk_duplicates"):
                original = st.text_input(ui.tr("queue.bulk.original"), key="q_bulk_original", max_chars=30)
                remark = st.text_input(ui.tr("queue.bulk.remark"), key="q_bulk_close_remark", max_chars=1000)
                if st.form_submit_button(ui.tr("queue.bulk.close_duplicates")):
                    bulk_outcome(lambda: actions.bulk_close_duplicates(con, user, items, original, remark))


def bulk_outcome(call) -> None:
    try:
        done = call()
    except steps.REFUSALS as exc:
        st.error(steps.describe(exc, lang))
        return
    duplicate_counts.forget()
    state[MESSAGE_KEY] = ("success", "queue.bulk.done", {"count": len(done)})
    st.rerun()


# ---- The page of complaints ----
if user.role == Role.OFFICER:
    st.title(ui.tr("queue.title_department", department=department_name(user.department_code)))
else:
    st.title(ui.tr("queue.title"))
escalated.render(con, user)          # issue #15: "Escalated to me", for department heads and the DC

sort_col, direction_col, size_col = st.columns([2, 2, 1])
sort_col.selectbox(ui.tr("queue.sort"), options=list(queue.SortColumn), key=key("sort"),
                   format_func=lambda c: t(lang, f"queue.sort.{c}"), persist_state=KEEP)
direction_col.radio(ui.tr("queue.direction"), options=list(queue.SortDirection), key=key("direction"),
                    horizontal=True, format_func=lambda d: t(lang, f"queue.direction.{d}"),
                    persist_state=KEEP)
size_col.selectbox(ui.tr("queue.page_size"), options=list(queue.PAGE_SIZES), key=key("page_size"),
                   persist_state=KEEP)

try:
    filters = current_filters()
except InvalidInput as exc:
    for problem in exc.problems:
        st.error(ui.tr(problem.key, **problem.params))
    st.stop()
# New filters start again at their first page.
if state.get(SEEN_KEY) != filters.first_page().to_json():
    state[SEEN_KEY] = filters.first_page().to_json()
    state[PAGE_KEY] = 1
    filters = filters.first_page()

result = queue.load_queue(con, user, filters, lang)
state[PAGE_KEY] = result.page

st.metric(ui.tr("queue.total"), f"{result.total:,}")
if result.status_counts:
    counts = pd.DataFrame([{t(lang, f"status.{s}"): result.status_counts[s]
                            for s in Status if s in result.status_counts}])
    st.dataframe(counts, hide_index=True, key="q_counts")

if not result.rows:
    st.info(ui.tr("queue.empty"))
else:
    st.caption(ui.tr("queue.select_hint"))
    # Duplicates (issue #15): counted for the rows of this page only, never for the whole table.
    likely = duplicate_counts.counts(con, user, [r.complaint_id for r in result.rows])
    event = st.dataframe(queue.rows_table(result.rows, lang, likely), key="queue_table", on_select="rerun",
                         selection_mode="multi-row", hide_index=True)
    picked = [result.rows[i] for i in (event.selection.rows if event else []) if i < len(result.rows)]
    if len(picked) == 1 and st.button(ui.tr("queue.open_selected", tracking_no=picked[0].tracking_no),
                                      key="q_open", type="primary"):
        st.switch_page("pages/complaint_detail.py", query_params={"no": picked[0].tracking_no})
    if picked:
        bulk_actions(picked)

previous_col, where_col, next_col = st.columns([1, 2, 1])
previous_col.button(ui.tr("queue.previous"), key="q_previous", on_click=move_page, args=(-1,),
                    disabled=result.page <= 1)
where_col.caption(ui.tr("queue.page_of", page=result.page, pages=result.page_count))
next_col.button(ui.tr("queue.next"), key="q_next", on_click=move_page, args=(1,),
                disabled=result.page >= result.page_count)

if result.total:
    # Made only when clicked (in its own thread): capture everything here, not session state.
    st.download_button(ui.tr("queue.download"), key="q_csv", on_click="ignore", mime="text/csv",
                       file_name="complaints.csv",
                       data=lambda: queue.export_csv(con, user, filters, lang).data)
    if result.total > queue.EXPORT_CAP:
        st.caption(ui.tr("queue.export_capped", cap=f"{queue.EXPORT_CAP:,}", total=f"{result.total:,}"))
