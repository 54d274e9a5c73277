"""Analytics: the district by department, village, ward and time, for analysts and the DC's office (aggregates only)."""
from lib import ui

ui.guard("analytics")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

from lib.analytics import cache, charts, drawn, figures
from lib.casework import deadlines  # noqa: E402
from lib.analytics.figures import AnalyticsFilters, Grain, PageState  # noqa: E402
from lib.core.i18n import name_in  # noqa: E402

con = ui.connection()
lang = ui.language()
tr = ui.tr
choices = ui.form_choices()
today = deadlines.today_in_ist()
DRILL, CHART_ROUND = "an_drill", "an_chart_round"     # drilled-into tehsil; bumped to forget a chart click


# Figures are computed at most once a minute per filter set and shared by every session (one
# cache per database connection): a filing every few seconds must not make each visitor pay a
# pass over the period's complaints. The page says how old they are.
@st.cache_resource(show_spinner=False)
def figure_cache(db_path: str) -> cache.MinuteCache:
    return cache.MinuteCache()


def show_table(table, key: str, file_name: str, owner=None, variant: tuple = ()) -> None:
    """The table and its CSV download; the CSV's bytes are made once per figures (`owner`, by
    default the board) and `variant` (what else the table depends on: a town, a sort order)."""
    st.dataframe(table, hide_index=True, key=key)
    csv = drawn.once(owner or board, (lang, "csv", key, *variant), lambda: figures.csv_bytes(table))
    st.download_button(tr("analytics.download_csv"), csv, file_name=f"{file_name}.csv",
                       mime="text/csv", key=f"{key}_csv", on_click="ignore")


def once(*key, build):
    """The chart or table `key` for this board in this language, built once (lib.analytics.drawn)."""
    return drawn.once(board, (lang, *key), build)


def show_chart(figure, key: str, **selection) -> object:
    return st.plotly_chart(figure, key=key, config=charts.png_config(key.removeprefix("an_")), **selection)


def names(pairs: dict, code) -> str:
    if code is None:
        return tr("analytics.filter.any")
    en, hi = pairs[code][:2]
    return name_in(lang, en, hi)


# ---- The state: from the URL on arrival, then from the pickers ----
towns_all = {p.lgd_code: p for p in choices.places.values() if p.is_town and p.wards}
known = figures.KnownCodes(tehsils=frozenset(choices.tehsils), departments=frozenset(choices.departments),
                             categories=frozenset(choices.categories), towns=frozenset(towns_all))
if "an_from" not in st.session_state:
    # First run of this page in the session (a shared link, or the page just opened).
    arrived = figures.state_from_params(st.query_params.to_dict(), today, known)
    f = arrived.filters
    st.session_state.update({"an_from": f.filed_from, "an_to": f.filed_to, "an_tehsil": f.tehsil_lgd,
                             "an_dept": f.department_code, "an_cat": f.category_code, "an_grain": arrived.grain,
                             DRILL: arrived.drill_tehsil})
    if arrived.town_lgd:
        st.session_state["an_town"] = arrived.town_lgd

st.title(tr("analytics.title"))
st.caption(tr("analytics.intro"))
cols = st.columns(5)
cols[0].date_input(tr("analytics.filter.from"), key="an_from", min_value=figures.EARLIEST_DAY, max_value=today,
                   format="DD-MM-YYYY")
cols[1].date_input(tr("analytics.filter.to"), key="an_to", min_value=figures.EARLIEST_DAY, max_value=today,
                   format="DD-MM-YYYY")
any_label = tr("analytics.filter.any")
tehsil_codes = sorted(choices.tehsils, key=lambda c: choices.tehsils[c].name_en)
# "All" is the option None; Streamlit shows a None value as the placeholder, so that says "All" too.
cols[2].selectbox(tr("analytics.filter.tehsil"), [None, *tehsil_codes], key="an_tehsil", placeholder=any_label,
                  format_func=lambda c: tr("analytics.filter.any") if c is None
                  else name_in(lang, choices.tehsils[c].name_en, choices.tehsils[c].name_hi))
cols[3].selectbox(tr("analytics.filter.department"), [None, *sorted(choices.departments)], key="an_dept",
                  placeholder=any_label,
                  format_func=lambda c: names(choices.departments, c))
cols[4].selectbox(tr("analytics.filter.category"), [None, *choices.categories], key="an_cat", placeholder=any_label,
                  format_func=lambda c: names(choices.categories, c))

default = figures.default_filters(today)
filters = AnalyticsFilters(filed_from=st.session_state["an_from"] or default.filed_from,
                           filed_to=st.session_state["an_to"] or default.filed_to,
                           tehsil_lgd=st.session_state["an_tehsil"], department_code=st.session_state["an_dept"],
                           category_code=st.session_state["an_cat"])
figures_cache = figure_cache(str(ui.settings().db_path))
board = figures.cached_dashboard(figures_cache, con, filters, today)
st.caption(tr("analytics.as_of", time=board.computed_at.strftime("%H:%M")) + " · " + tr("analytics.filter.share"))

# ---- Headline figures ----
h = board.headline


def percent(rate) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


metrics = [
    ("received", f"{h.received:,}"), ("disposed", f"{h.disposed:,}"), ("pending", f"{h.pending:,}"),
    ("disposal_rate", percent(h.disposal_rate)),
    ("median_days", "—" if h.median_days_to_resolve is None else f"{h.median_days_to_resolve:.1f}"),
    ("overdue", f"{h.overdue:,}"), ("reopen_rate", percent(h.reopen_rate)), ("on_time_rate", percent(h.on_time_rate)),
]
for row in (metrics[:4], metrics[4:]):
    for col, (name, value) in zip(st.columns(4), row):
        col.metric(tr(f"analytics.metric.{name}"), value, help=tr(f"analytics.help.{name}", days=board.resolve_days)
                   if name == "on_time_rate" else tr(f"analytics.help.{name}"))
# ---- appeals (issue #15): a headline figure of its own ----
st.columns(4)[0].metric(tr("analytics.metric.appeals"), f"{board.appeal_count:,}", help=tr("analytics.help.appeals"))
if h.received == 0:
    st.info(tr("analytics.no_data"))
st.caption(tr("analytics.download_png_hint"))

tab_departments, tab_places, tab_time, tab_people = st.tabs(
    [tr("analytics.tab.departments"), tr("analytics.tab.places"), tr("analytics.tab.time"), tr("analytics.tab.people")])

# ---- Departments ----
with tab_departments:
    departments = once("departments", build=lambda: figures.department_view(board, lang))
    if len(departments):
        # One under the other, full width: side by side, long department names squeezed the bars.
        show_chart(once("status", build=lambda: charts.department_status_chart(departments, lang)),
                   "an_department_status")
        show_chart(once("timeliness", build=lambda: charts.department_timeliness_chart(departments, lang)),
                   "an_department_timeliness")
        show_chart(once("ageing", build=lambda: charts.department_ageing_chart(departments, lang)),
                   "an_department_ageing")
        headers = {"name": tr("analytics.col.department"), "received": tr("analytics.col.received"),
                   "disposed": tr("analytics.col.disposed"), "pending": tr("analytics.col.pending"),
                   "overdue": tr("analytics.col.overdue"), "on_time_percent": tr("analytics.col.on_time_rate"),
                   "median_days": tr("analytics.col.median_days"),
                   **{c: tr(f"analytics.age.{i}") for i, c in enumerate(figures.AGE_COLUMNS)}}
        show_table(once("departments_table", build=lambda: figures.labelled(departments, headers)),
                   "an_departments_table", "departments")
    # ---- appeals (issue #15) ----
    if board.appeal_count:
        st.subheader(tr("analytics.appeals.title"))
        show_table(once("appeals_table", build=lambda: figures.labelled(figures.appeals_view(board, lang), {
            c: tr(f"analytics.appeals.{c}") for c in ("name", "appeals", "pending", "sent_back", "upheld")})),
            "an_appeals_table", "appeals")

# ---- Villages and wards ----
with tab_places:
    months = board.small_areas
    st.caption(tr("analytics.place.months", start=months.filed_from.strftime("%d-%m-%Y"),
                  end=months.filed_to.strftime("%d-%m-%Y")) + " " + tr("analytics.suppressed_note"))
    drill = filters.tehsil_lgd or st.session_state.get(DRILL)
    if drill not in choices.tehsils:
        drill = st.session_state[DRILL] = None
    round_ = st.session_state.setdefault(CHART_ROUND, 0)
    if drill is None:
        tehsils = once("tehsils", build=lambda: figures.tehsil_view(board, lang))
        chart_key = f"an_tehsils_{round_}"

        def drill_from_click(key=chart_key) -> None:
            points = st.session_state[key].selection.points
            if points:
                code = points[0].get("customdata")
                st.session_state[DRILL] = int(code[0] if isinstance(code, list) else code)

        st.caption(tr("analytics.place.drill_hint"))
        show_chart(once("tehsils_chart", build=lambda: charts.place_chart(
                       tehsils, lang, tr("analytics.chart.tehsils"), "tehsil_lgd")), chart_key,
                   on_select=drill_from_click, selection_mode="points")
        show_table(once("tehsils_table", build=lambda: figures.labelled(tehsils, {
                       "name": tr("analytics.col.tehsil"), "received": tr("analytics.col.received"),
                       "pending": tr("analytics.col.pending")})),
                   "an_tehsils_table", "tehsils")
    else:
        if filters.tehsil_lgd is None:
            def back() -> None:
                st.session_state[DRILL] = None
                st.session_state[CHART_ROUND] = st.session_state.get(CHART_ROUND, 0) + 1
            st.button(tr("analytics.place.back"), key="an_back", on_click=back, icon="⬅️")
        tehsil = choices.tehsils[drill]
        order = st.segmented_control(tr("analytics.place.sort"), ["received", "pending", "name"],
                                     key="an_village_order", required=True, default="received",
                                     format_func=lambda o: tr(f"analytics.place.sort.{o}")) or "received"
        title = tr("analytics.chart.villages", tehsil=name_in(lang, tehsil.name_en, tehsil.name_hi))
        show_chart(once("villages_chart", drill, order, build=lambda: charts.place_chart(
            figures.village_view(board, drill, lang, limit=figures.VILLAGE_BARS, order=order), lang, title,
            "place_lgd")), "an_villages")

        def village_table():
            villages = figures.village_view(board, drill, lang, order=order)
            villages["kind_name"] = [tr(f"analytics.kind.{k}") if k else "—" for k in villages["kind"]]
            return figures.labelled(villages, {"name": tr("analytics.col.place"), "kind_name": tr("analytics.col.kind"),
                                               "received": tr("analytics.col.received"),
                                               "pending": tr("analytics.col.pending")})

        show_table(once("villages_table", drill, order, build=village_table), "an_villages_table", "villages",
                   variant=(drill, order))

    top = once("top_villages", build=lambda: figures.top_villages(board, lang))
    if len(top):
        show_chart(once("top_villages_chart", build=lambda: charts.top_villages_chart(top, lang)), "an_top_villages")
        show_table(once("top_villages_table", build=lambda: figures.labelled(top, {
                       "name": tr("analytics.col.place"), "tehsil": tr("analytics.col.tehsil"),
                       "pending": tr("analytics.col.pending"), "received": tr("analytics.col.received")})),
                   "an_top_villages_table", "top_villages")

    town_list = once("towns", filters.tehsil_lgd, build=lambda: figures.towns(board, lang, filters.tehsil_lgd))
    if not town_list:
        st.info(tr("analytics.place.no_towns"))
    else:
        town_names = {code: name for code, name, _ in town_list}
        if st.session_state.get("an_town") not in town_names:
            # The biggest town first: most wards, most to see.
            st.session_state["an_town"] = max(town_list, key=lambda town: town[2])[0]
        town = st.selectbox(tr("analytics.place.town"), list(town_names), key="an_town", format_func=town_names.get)
        wards = towns_all[town].wards
        ward_table = once("wards", town, build=lambda: figures.ward_view(board, town, wards))
        show_chart(once("wards_chart", town, build=lambda: charts.ward_chart(ward_table, lang, town_names[town])),
                   "an_wards")
        heat = once("ward_categories", town, build=lambda: figures.ward_category_view(board, town, wards, lang))
        if len(heat):
            show_chart(once("ward_categories_chart", town, build=lambda: charts.ward_category_heatmap(
                heat, lang, town_names[town])), "an_ward_categories")
        show_table(once("wards_table", town, build=lambda: figures.labelled(ward_table, {
                       "ward": tr("analytics.col.ward"), "received": tr("analytics.col.received"),
                       "pending": tr("analytics.col.pending")})),
                   "an_wards_table", "wards", variant=(town,))
        if len(heat):
            show_table(once("ward_categories_table", town, build=lambda: figures.labelled(
                           heat.rename_axis(tr("analytics.col.category")).reset_index(),
                           {tr("analytics.col.category"): tr("analytics.col.category"),
                            **{w: str(w) for w in heat.columns}})),
                       "an_ward_categories_table", "ward_categories", variant=(town,))

# ---- Over time ----
with tab_time:
    grain = st.segmented_control(tr("analytics.filter.grain"), list(Grain), key="an_grain", required=True,
                                 format_func=lambda g: tr(f"analytics.grain.{g}")) or Grain.WEEK
    flows = figures.cached_flow(figures_cache, con, filters, Grain(grain))
    show_chart(drawn.once(flows, (lang, "flow_chart"), lambda: charts.flow_chart(flows, lang)), "an_flow")
    st.caption(tr("analytics.backlog_at_start", count=f"{flows.backlog_at_start:,}"))

    def flow_table():
        period = flows.buckets.copy()
        period["bucket"] = [d.strftime("%d-%m-%Y" if grain == Grain.WEEK else "%m-%Y") for d in period["bucket"]]
        return figures.labelled(period, {"bucket": tr(f"analytics.col.{grain}"),
                                         "received": tr("analytics.col.received"),
                                         "disposed": tr("analytics.col.disposed"),
                                         "backlog": tr("analytics.col.backlog")})

    show_table(drawn.once(flows, (lang, "flow_table"), flow_table), "an_flow_table", "flow", owner=flows)

# ---- Hearings and feedback ----
with tab_people:
    st.subheader(tr("analytics.hearings.title"))
    hearings = board.hearings
    for col, (key, value) in zip(st.columns(4), (
            ("held", f"{hearings.held:,}"), ("no_shows", f"{hearings.no_shows:,}"),
            ("called_off", f"{hearings.called_off:,}"),
            ("median_days", "—" if hearings.median_days_to_hearing is None
             else f"{hearings.median_days_to_hearing:.1f}"))):
        col.metric(tr(f"analytics.hearings.{key}"), value)
    st.subheader(tr("analytics.feedback.title"))
    answers = once("feedback", build=lambda: figures.feedback_view(board, lang))
    if answers.empty:
        st.info(tr("analytics.feedback.none"))
    else:
        show_chart(once("feedback_chart", build=lambda: charts.feedback_chart(answers, lang)), "an_feedback")
        headers = {"name": tr("analytics.col.department"),
                   **{a: tr(f"feedback.{a}") for a in ("solved", "partly", "not_solved")}}
        show_table(once("feedback_table", build=lambda: figures.labelled(answers, headers)),
                   "an_feedback_table", "feedback")
    if len(board.channels) > 1 or (len(board.channels) == 1 and board.channels["channel"].iloc[0] != "web"):
        # Only once a partner system files through the Open311 API: until then every complaint is "web".
        st.subheader(tr("analytics.channels.title"))
        show_table(once("channels_table", build=lambda: figures.labelled(board.channels, {
                       c: tr(f"analytics.channels.{c}") for c in ("channel", "received", "disposed", "pending")})),
                   "an_channels_table", "channels")

# The URL follows the view, so copying it shares exactly this page.
state = PageState(filters=filters, grain=Grain(grain),
                  drill_tehsil=None if filters.tehsil_lgd else st.session_state.get(DRILL),
                  town_lgd=st.session_state.get("an_town"))
# ?lang= stays: the frame writes it back on every run, and two writers would rerun each other.
params = {**figures.state_to_params(state), "lang": ui.language()}
if st.query_params.to_dict() != params:
    st.query_params.from_dict(params)
