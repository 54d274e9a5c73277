"""Each analytics chart: a small table in, a plotly Figure out, with its data checked (wards as categories, quiet wards present, "<5" never revealing a count)."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.analytics import figures, charts
from lib.analytics.figures import AGE_COLUMNS, STATUS_COLUMNS, Flow, Grain
from lib.core.i18n import t


def figure_numbers(fig: go.Figure) -> set:
    """Every number anywhere in the figure's data, as the browser would receive it."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(value)
    walk(json.loads(fig.to_json())["data"])
    return found


def bars(fig: go.Figure) -> list:
    return [trace for trace in fig.data if trace.type == "bar"]


def test_ward_chart_has_every_ward_as_a_category_quiet_ones_at_zero_and_small_ones_hidden():
    counts = pd.DataFrame({"ward": range(1, 9), "received": [12, 0, 3, 40, 0, 1, 7, 5],
                           "pending": [2, 0, 1, 9, 0, 1, 3, 0]})
    fig = charts.ward_chart(figures.suppress_small(counts, ("received", "pending")), "en", "Rewari")
    assert fig.layout.xaxis.type == "category"
    bar = bars(fig)[0]
    assert list(bar.x) == list(range(1, 9))
    assert list(bar.y) == [12, 0, None, 40, 0, None, 7, 5]
    assert list(bar.customdata) == ["<5", "0", "<5", "9", "0", "<5", "<5", "0"]
    # Neither the suppressed received counts nor the small pending ones reach the browser.
    assert list(bar.text) == ["12", "0", "<5", "40", "0", "<5", "7", "5"]
    assert figure_numbers(fig) <= set(range(1, 9)) | {0, 12, 40}
    assert fig.layout.title.text == "Complaints by ward: Rewari"


def test_ward_chart_of_a_quiet_town_still_shows_all_its_wards():
    view = figures.suppress_small(pd.DataFrame({"ward": range(1, 33), "received": [0] * 32, "pending": [0] * 32}),
                                    ("received", "pending"))
    fig = charts.ward_chart(view, "hi", "रेवाड़ी")
    assert list(bars(fig)[0].x) == list(range(1, 33)) and list(bars(fig)[0].y) == [0] * 32
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.categoryarray) == list(range(1, 33))
    assert fig.layout.xaxis.title.text == t("hi", "analytics.axis.ward")


def test_heat_map_of_category_by_ward_hides_small_cells():
    table = pd.DataFrame([[0, 2, 30], [8, 0, 4]], index=["Water", "Roads"], columns=[1, 2, 3])
    fig = charts.ward_category_heatmap(figures.suppress_small(table, table.columns), "en", "Rewari")
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.x) == [1, 2, 3] and list(heat.y) == ["Water", "Roads"]
    assert [list(row) for row in heat.z] == [[0, None, 30], [8, 0, None]]
    assert [list(row) for row in heat.text] == [["0", "<5", "30"], ["8", "0", "<5"]]
    assert fig.layout.xaxis.type == "category"
    assert 4 not in figure_numbers(fig)


def test_village_bars_carry_their_code_for_the_drill_down_and_hide_small_villages():
    view = figures.suppress_small(pd.DataFrame({"place_lgd": [62502, 62455, 62400], "name": ["Pali", "Aulant", "Bas"],
                                                  "received": [70, 9, 2], "pending": [13, 1, 2]}), ("received", "pending"))
    fig = charts.place_chart(view, "en", "Villages of Rewari", "place_lgd")
    bar = bars(fig)[0]
    assert list(bar.x) == ["Pali", "Aulant", "Bas"] and list(bar.y) == [70, 9, None]
    assert [list(c) for c in bar.customdata] == [[62502, "13"], [62455, "<5"], [62400, "<5"]]
    assert fig.layout.xaxis.type == "category"
    assert list(bar.text) == ["70", "9", "<5"]                # the label stands where the bar would


def test_tehsil_bars_are_exact_and_clickable_by_code():
    view = pd.DataFrame({"tehsil_lgd": [414, 415], "name": ["Rewari", "Kosli"], "received": [300, 3], "pending": [40, 1]})
    fig = charts.place_chart(view, "hi", t("hi", "analytics.chart.tehsils"), "tehsil_lgd")
    assert list(bars(fig)[0].y) == [300, 3]                 # a tehsil is many villages: no "<5"
    assert [c[0] for c in bars(fig)[0].customdata] == [414, 415]
    assert len(fig.data) == 1 and fig.layout.title.text == "तहसील के अनुसार शिकायतें"


def test_top_villages_chart_lists_the_most_pending_first():
    view = figures.suppress_small(pd.DataFrame({"name": ["Pali", "Nathera"], "tehsil": ["Rewari", "Kosli"],
                                                  "pending": [20, 3], "received": [90, 10]}), ("pending", "received"))
    fig = charts.top_villages_chart(view, "en")
    bar = bars(fig)[0]
    assert list(bar.y) == ["Pali (Rewari)", "Nathera (Kosli)"] and list(bar.x) == [20, None]
    assert list(bar.text) == ["20", "<5"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert 3 not in figure_numbers(fig)


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
