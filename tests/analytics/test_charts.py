"""Each analytics chart: a small table in, a plotly Figure out, with its data checked (wards as categories, quiet wards present, "<5" never revealing a count)."""
from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.analytics import charts, figures, suppression
from lib.analytics.figures import AGE_COLUMNS, STATUS_COLUMNS, Flow, Grain
from lib.core.i18n import t


def shown_numbers(fig: go.Figure | dict) -> list:
    """Every count the figure's data carries to the browser (a Figure, or the spec the page sent),
    as numbers or as digits in text, leaving out what only identifies: ward numbers on a category
    x axis and the place codes a bar carries for the drill-down (customdata[0]). "<5" and other
    words are not numbers."""
    spec = fig if isinstance(fig, dict) else json.loads(fig.to_json())
    wards_on_x = spec["layout"].get("xaxis", {}).get("type") == "category"
    found = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            found.extend(int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", value.replace(",", "")))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(value)

    for trace in spec["data"]:
        for key, value in trace.items():
            if key in ("type", "orientation", "name", "hovertemplate", "texttemplate", "marker", "colorscale",
                       "colorbar", "zmin", "zmax", "showscale", "textposition", "cliponaxis", "hoverongaps"):
                continue
            if key == "x" and wards_on_x and trace.get("orientation") != "h":
                continue
            if key == "customdata":
                value = [v[1:] if isinstance(v, list) else v for v in value]
            walk(value)
    return found


def small_numbers(fig: go.Figure | dict) -> list:
    """Counts of 1 to 4 in a figure: what "<5" exists to hide."""
    return [n for n in shown_numbers(fig) if 0 < n < 5]


def bars(fig: go.Figure) -> list:
    return [trace for trace in fig.data if trace.type == "bar"]


def test_the_leak_check_sees_small_counts_and_ignores_ward_numbers_and_codes():
    view = pd.DataFrame({"ward": range(1, 5), "received": [0, 10, 0, 5], "pending": [0, 5, 0, 0]})
    assert small_numbers(charts.ward_chart(view, "en", "Rewari")) == []
    leaky = view.assign(pending=[0, 3, 0, 0])                     # a raw count, as a careless chart would put it
    assert small_numbers(charts.ward_chart(leaky, "en", "Rewari")) == [3]
    places = pd.DataFrame({"place_lgd": [2, 0], "name": ["Pali", "Others"], "received": [10, "<5"],
                           "pending": [5, "<5"]})
    assert small_numbers(charts.place_chart(places, "en", "Villages", "place_lgd")) == []


def test_ward_chart_has_every_ward_as_a_category_quiet_ones_at_zero_and_small_ones_hidden():
    counts = pd.DataFrame({"ward": range(1, 9), "received": [12, 0, 3, 40, 0, 1, 7, 5],
                           "pending": [2, 0, 1, 9, 0, 1, 3, 0]})
    fig = charts.ward_chart(figures.suppress_small(counts, ("received", "pending")), "en", "Rewari")
    assert fig.layout.xaxis.type == "category"
    bar = bars(fig)[0]
    assert list(bar.x) == list(range(1, 9))
    # Rounded to the nearest 5, 1 to 4 as "<5": no count of 1 to 4, and no difference of two
    # shown counts that could be one.
    assert list(bar.y) == [10, 0, None, 40, 0, None, 5, 5]
    assert list(bar.customdata) == ["<5", "0", "<5", "10", "0", "<5", "<5", "0"]
    assert list(bar.text) == ["10", "0", "<5", "40", "0", "<5", "5", "5"]
    assert small_numbers(fig) == []
    assert all(n % 5 == 0 for n in shown_numbers(fig))
    assert fig.layout.title.text == "Complaints by ward: Rewari"


def test_ward_chart_of_a_quiet_town_still_shows_all_its_wards():
    view = figures.suppress_small(pd.DataFrame({"ward": range(1, 33), "received": [0] * 32, "pending": [0] * 32}),
                                    ("received", "pending"))
    fig = charts.ward_chart(view, "hi", "रेवाड़ी")
    assert list(bars(fig)[0].x) == list(range(1, 33)) and list(bars(fig)[0].y) == [0] * 32
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.categoryarray) == list(range(1, 33))
    assert fig.layout.xaxis.title.text == t("hi", "analytics.axis.ward")


def test_heat_map_counts_on_a_scale_from_zero_and_small_cells_in_their_own_grey():
    table = pd.DataFrame([[0, 2, 30], [8, 0, 4]], index=["Water", "Roads"], columns=[1, 2, 3])
    fig = charts.ward_category_heatmap(figures.suppress_small(table, table.columns), "en", "Rewari")
    counts, small, legend = fig.data
    assert counts.type == small.type == "heatmap" and list(counts.x) == [1, 2, 3]
    assert list(counts.y) == ["Water", "Roads"]
    assert [list(row) for row in counts.z] == [[0, None, 30], [10, 0, None]]
    # The count scale starts at 0, so an empty cell is the palest and more is darker.
    assert counts.zmin == 0 and counts.zmax == 30 and counts.colorscale[0][0] == 0
    assert counts.colorscale[0][1] != charts.SMALL_COLOUR
    # "<5" cells: exactly the hidden ones, all in the neutral grey, never on the count scale.
    assert [[v is not None for v in row] for row in small.z] == [[False, True, False], [False, False, True]]
    assert {c for _, c in small.colorscale} == {charts.SMALL_COLOUR} and small.showscale is False
    assert [list(row) for row in small.text] == [["", "<5", ""], ["", "", "<5"]]
    # The legend says what grey means.
    assert legend.showlegend and legend.marker.color == charts.SMALL_COLOUR
    assert legend.name == t("en", "analytics.chart.small_cell") and "<5" in legend.name
    assert fig.layout.xaxis.type == "category"
    assert small_numbers(fig) == []


def test_heat_map_of_a_quiet_town_keeps_a_scale_from_zero():
    table = figures.suppress_small(pd.DataFrame([[0, 0], [0, 3]], index=["Water", "Roads"], columns=[1, 2]), [1, 2])
    counts = charts.ward_category_heatmap(table, "hi", "रेवाड़ी").data[0]
    assert counts.zmin == 0 and counts.zmax >= 5                  # not a -0.4…0.4 scale read backwards


def village_counts(n: int) -> pd.DataFrame:
    """n villages with 1..n complaints each, exact, as lib.db.analytics returns them."""
    return pd.DataFrame({"place_lgd": range(1000, 1000 + n), "name": [f"Village {i:02}" for i in range(1, n + 1)],
                         "kind": "village", "received": range(1, n + 1), "pending": [i // 2 for i in range(1, n + 1)]})


def test_the_village_chart_names_the_top_twenty_and_puts_the_rest_under_others():
    view = suppression.fold_places(village_counts(40), "Others", limit=figures.VILLAGE_BARS)
    fig = charts.place_chart(view, "en", "Villages", "place_lgd")
    bar = bars(fig)[0]
    assert len(bar.y) == 21 and bar.y[-1] == "Others" and bar.customdata[-1][0] == 0
    assert bar.marker.color[-1] == charts.OTHERS_COLOUR and bar.marker.color[0] == charts.BAR_COLOUR
    # Chosen by the shown (rounded) count, names breaking ties: 38-40 show 40, ... and of the five
    # showing 20 (18-22), Village 18 and 19 come first by name. The rest: 1-17, 20-22: 216.
    assert bar.text[-1] == "215" and "Village 20" not in bar.y and "Village 18" in bar.y
    assert small_numbers(fig) == []
    assert fig.layout.yaxis.autorange == "reversed" and bar.orientation == "h"


@pytest.mark.parametrize("order, first", [("received", "Village 38"), ("pending", "Village 38"),
                                          ("name", "Village 18")])
def test_the_village_chart_can_be_ordered_and_others_stays_last(order, first):
    view = suppression.fold_places(village_counts(40), "Others", limit=figures.VILLAGE_BARS, order=order)
    assert view["name"].iloc[0] == first and view["name"].iloc[-1] == "Others"
    assert len(view) == 21


def test_tehsil_and_village_charts_have_the_same_size_so_a_drill_down_does_not_jump():
    tehsils = pd.DataFrame({"tehsil_lgd": [414, 415], "name": ["Rewari", "Kosli"], "received": [300, 3],
                            "pending": [40, 1]})
    villages = suppression.fold_places(village_counts(40), "Others", limit=figures.VILLAGE_BARS)
    one = charts.place_chart(tehsils, "en", "Tehsils", "tehsil_lgd").layout
    two = charts.place_chart(villages, "en", "Villages", "place_lgd").layout
    assert one.height == two.height and one.margin.l == two.margin.l and one.yaxis.automargin is False
    assert two.yaxis.automargin is False


def test_long_names_are_wrapped_on_horizontal_bars():
    view = department_view().assign(name=["Public Health Engineering Department (PHED)", "PWD"])
    for fig in (charts.department_status_chart(view, "en"), charts.department_timeliness_chart(view, "en"),
                charts.department_ageing_chart(view, "en")):
        assert fig.data[0].orientation == "h"
        long, short = fig.data[0].y
        assert long.replace("<br>", " ") == "Public Health Engineering Department (PHED)" and short == "PWD"
        assert "<br>" in long and all(len(line) <= charts.LABEL_CHARS for line in long.split("<br>"))
    table = pd.DataFrame([[5]], index=["Street lights and electricity poles"], columns=[1])
    assert list(charts.ward_category_heatmap(table, "en", "Rewari").data[0].y) == ["Street lights and<br>electricity poles"]


def test_village_bars_carry_their_code_for_the_drill_down_and_hide_small_villages():
    exact = pd.DataFrame({"place_lgd": [62502, 62455, 62400], "name": ["Pali", "Aulant", "Bas"], "kind": "village",
                          "received": [70, 9, 2], "pending": [13, 1, 2]})
    fig = charts.place_chart(suppression.fold_places(exact, "Others"), "en", "Villages of Rewari", "place_lgd")
    bar = bars(fig)[0]
    assert list(bar.y) == ["Pali", "Aulant", "Others"] and list(bar.x) == [70, 10, None]
    assert [list(c) for c in bar.customdata] == [[62502, "15"], [62455, "<5"], [0, "<5"]]
    assert fig.layout.yaxis.type == "category"
    assert list(bar.text) == ["70", "10", "<5"]                # the label stands where the bar would
    assert "Bas" not in json.dumps(fig.to_plotly_json()) and small_numbers(fig) == []


def test_tehsil_bars_are_exact_and_clickable_by_code():
    view = pd.DataFrame({"tehsil_lgd": [414, 415], "name": ["Rewari", "Kosli"], "received": [300, 3], "pending": [40, 1]})
    fig = charts.place_chart(view, "hi", t("hi", "analytics.chart.tehsils"), "tehsil_lgd")
    assert list(bars(fig)[0].x) == [300, 3]                 # a tehsil is many villages: exact
    assert [c[0] for c in bars(fig)[0].customdata] == [414, 415]
    assert len(fig.data) == 1 and fig.layout.title.text == "तहसील के अनुसार शिकायतें"


def test_top_villages_chart_lists_the_most_pending_first():
    view = figures.suppress_small(pd.DataFrame({"name": ["Pali", "Nathera"], "tehsil": ["Rewari", "Kosli"],
                                                  "pending": [20, 6], "received": [90, 10]}), ("pending", "received"))
    fig = charts.top_villages_chart(view, "en")
    bar = bars(fig)[0]
    assert list(bar.y) == ["Pali (Rewari)", "Nathera (Kosli)"] and list(bar.x) == [20, 5]
    assert list(bar.text) == ["20", "5"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert small_numbers(fig) == []


def department_view() -> pd.DataFrame:
    frame = pd.DataFrame({"name": ["PHED", "PWD"], "on_time_rate": [0.5, None], "median_days_to_resolve": [12.25, None]})
    for i, column in enumerate(STATUS_COLUMNS):
        frame[column] = [i, 2 * i]
    for i, column in enumerate(AGE_COLUMNS):
        frame[column] = [10 + i, 20 + i]
    return frame


def test_department_status_chart_stacks_one_trace_per_status_in_the_readers_language():
    fig = charts.department_status_chart(department_view(), "hi")
    assert fig.layout.barmode == "stack" and len(fig.data) == len(STATUS_COLUMNS)
    assert fig.data[0].name == t("hi", "status.submitted") and fig.data[-1].name == t("hi", "status.closed")
    assert list(fig.data[3].x) == [3, 6] and list(fig.data[3].y) == ["PHED", "PWD"]
    assert fig.layout.title.text == t("hi", "analytics.chart.department_status")


def test_department_ageing_and_timeliness_charts():
    ageing = charts.department_ageing_chart(department_view(), "en")
    assert [trace.name for trace in ageing.data] == ["0–7 days", "8–21 days", "22–60 days", "Over 60 days"]
    assert list(ageing.data[3].x) == [13, 23]
    timely = charts.department_timeliness_chart(department_view(), "en")
    assert list(timely.data[0].x) == [50.0, None]
    assert list(timely.data[0].text) == ["median 12.2 days", "median — days"]


def test_flow_chart_draws_received_and_disposed_bars_and_the_backlog_line_on_its_own_axis():
    buckets = pd.DataFrame({"bucket": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19"]),
                            "received": [10, 0, 7], "disposed": [4, 6, 0]})
    buckets["backlog"] = 100 + (buckets["received"] - buckets["disposed"]).cumsum()
    fig = charts.flow_chart(Flow(Grain.WEEK, 100, buckets), "en")
    received, disposed, backlog = fig.data
    assert (received.type, disposed.type, backlog.type) == ("bar", "bar", "scatter")
    assert list(received.y) == [10, 0, 7] and list(disposed.y) == [4, 6, 0] and list(backlog.y) == [106, 100, 107]
    assert backlog.yaxis == "y2" and fig.layout.yaxis2.overlaying == "y"
    assert fig.layout.title.text == "Received and disposed per week"
    monthly = charts.flow_chart(Flow(Grain.MONTH, 0, buckets), "hi")
    assert monthly.layout.title.text == t("hi", "analytics.flow.month")


def test_feedback_chart_stacks_the_three_answers():
    view = pd.DataFrame({"name": ["PHED"], "solved": [5], "partly": [2], "not_solved": [1]})
    fig = charts.feedback_chart(view, "en")
    assert [trace.name for trace in fig.data] == ["Solved", "Partly solved", "Not solved"]
    assert [list(trace.x) for trace in fig.data] == [[5], [2], [1]]


@pytest.mark.parametrize("name", ["wards", "flow"])
def test_every_chart_offers_a_png_download(name):
    config = charts.png_config(name)
    assert config["displayModeBar"] is True
    assert config["toImageButtonOptions"] == {"format": "png", "filename": name, "scale": 2}
