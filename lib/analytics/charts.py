"""The analytics charts: a small table of aggregates in, a plotly Figure out, titles and axes in the reader's language.

Counts that lib.analytics has replaced with "<5" are drawn as no bar with the label "<5" where it
would stand; the exact number is never in the figure (its JSON goes to the browser). Names go on
the vertical axis of horizontal bars, wrapped, because department, category and village names are
long. No map tiles: everything draws offline.
"""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from lib.analytics.figures import AGE_COLUMNS, STATUS_COLUMNS, SUPPRESSED, VILLAGE_BARS, Flow
from lib.core.complaints import Status
from lib.core.lifecycle import Feedback
from lib.core.i18n import t

HEIGHT = 380
ROW_HEIGHT = 28          # per bar of a horizontal chart, so long department lists stay readable
LABEL_CHARS = 24         # a name longer than this is wrapped onto a second line
# The tehsil chart and a tehsil's village chart share one size and one label margin, so the chart
# does not change shape under the reader's mouse when a click drills down (or back up).
PLACE_HEIGHT = 120 + ROW_HEIGHT * (VILLAGE_BARS + 1)
PLACE_LABEL_MARGIN = 190
SMALL_COLOUR = "#bdbdbd"  # "<5" cells of the heat map: a neutral grey outside the blue count scale
OTHERS_COLOUR = "#9e9e9e"
BAR_COLOUR = "#1f77b4"


def png_config(filename: str) -> dict:
    """Plotly's toolbar, always shown, whose camera button saves the chart as a PNG file."""
    return {"displayModeBar": True, "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(title={"text": title}, height=height, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "y": -0.15},
                      xaxis_title_text=x_title, yaxis_title_text=y_title)   # not a second axis's title
    return fig


def _numbers(values) -> list[int | None]:
    """Shown counts as bar heights: None where the count is "<5"."""
    return [None if v == SUPPRESSED else int(v) for v in values]


def _labels(values) -> list[str]:
    return [str(v) for v in values]


def wrap(name: str, width: int = LABEL_CHARS) -> str:
    """A long name on two or more lines (plotly breaks lines at <br>)."""
    return "<br>".join(textwrap.wrap(str(name), width)) or str(name)


def _wrapped(names) -> list[str]:
    return [wrap(n) for n in names]


def department_status_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Complaints per department, stacked by where they stand now."""
    fig = go.Figure()
    for status, column in zip(Status, STATUS_COLUMNS):
        fig.add_trace(go.Bar(y=_wrapped(view["name"]), x=view[column], name=t(language, f"status.{status}"),
                             orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.department_status"), t(language, "analytics.axis.complaints"),
                   "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def department_ageing_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Pending complaints per department by how long ago they were filed."""
    fig = go.Figure()
    for i, column in enumerate(AGE_COLUMNS):
        fig.add_trace(go.Bar(y=_wrapped(view["name"]), x=view[column], name=t(language, f"analytics.age.{i}"),
                             orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.department_ageing"), t(language, "analytics.axis.pending"),
                   "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def department_timeliness_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Each department's on-time rate (bars, %) with its median days to resolve (labels)."""
    rate = [None if pd.isna(r) else round(100 * r, 1) for r in view["on_time_rate"]]
    days = ["—" if pd.isna(d) else f"{d:.1f}" for d in view["median_days_to_resolve"]]
    fig = go.Figure(go.Bar(
        y=_wrapped(view["name"]), x=rate, orientation="h", name=t(language, "analytics.metric.on_time_rate"),
        text=[t(language, "analytics.chart.median_label", days=d) for d in days], textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x}%<br>%{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100])
    return _layout(fig, t(language, "analytics.chart.department_timeliness"),
                   t(language, "analytics.axis.on_time_percent"), "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def place_chart(view: pd.DataFrame, language: str, title: str, code_column: str) -> go.Figure:
    """Complaints received per tehsil or per village (horizontal bars, in the view's order; an
    "Others" row, code 0, in grey); the pending count is in the hover, and each bar carries its
    place's code for a click to drill down. Same size and margins for tehsils and villages."""
    codes = [int(code) for code in view[code_column]]
    fig = go.Figure(go.Bar(
        y=_wrapped(view["name"]), x=_numbers(view["received"]), orientation="h",
        name=t(language, "analytics.metric.received"),
        marker={"color": [OTHERS_COLOUR if code == 0 else BAR_COLOUR for code in codes]},
        customdata=[[code, str(p)] for code, p in zip(codes, view["pending"])],
        text=_labels(view["received"]), textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + t(language, "analytics.metric.received") + ": %{text}<br>"
                      + t(language, "analytics.metric.pending") + ": %{customdata[1]}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed", automargin=False)
    _layout(fig, title, t(language, "analytics.axis.complaints"), "", height=PLACE_HEIGHT)
    fig.update_layout(margin={"l": PLACE_LABEL_MARGIN}, bargap=0.3)
    return fig


def top_villages_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """The villages with the most pending complaints, most first."""
    y = [wrap(f"{name} ({tehsil})") for name, tehsil in zip(view["name"], view["tehsil"])]
    fig = go.Figure(go.Bar(y=y, x=_numbers(view["pending"]), orientation="h",
                           text=_labels(view["pending"]), textposition="outside", cliponaxis=False,
                           name=t(language, "analytics.metric.pending"),
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, t(language, "analytics.chart.top_villages"), t(language, "analytics.axis.pending"), "")


def ward_chart(view: pd.DataFrame, language: str, town: str) -> go.Figure:
    """Complaints received per ward of a town: every ward 1..N as a category, quiet ones at 0."""
    wards = [int(w) for w in view["ward"]]
    fig = go.Figure(go.Bar(
        x=wards, y=_numbers(view["received"]), name=t(language, "analytics.metric.received"),
        customdata=[str(p) for p in view["pending"]], text=_labels(view["received"]), textposition="outside",
        hovertemplate=t(language, "analytics.axis.ward") + " %{x}<br>" + t(language, "analytics.metric.received")
                      + ": %{text}<br>" + t(language, "analytics.metric.pending") + ": %{customdata}<extra></extra>"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=wards)
    return _layout(fig, t(language, "analytics.chart.wards", town=town), t(language, "analytics.axis.ward"),
                   t(language, "analytics.axis.complaints"))


def ward_category_heatmap(table: pd.DataFrame, language: str, town: str) -> go.Figure:
    """Complaints per category (rows) and ward (columns, every ward) of a town. Counts on one blue
    scale from 0 (pale) upwards; "<5" cells in a neutral grey of their own, off the scale, with a
    legend entry saying what they are, so that a hidden cell never reads as a count."""
    wards = [int(w) for w in table.columns]
    rows = _wrapped(table.index)
    cells = [list(row) for row in table.itertuples(index=False)]
    counts = [[None if v == SUPPRESSED else int(v) for v in row] for row in cells]
    top = max([v for row in counts for v in row if v is not None] + [5])
    small_label = t(language, "analytics.chart.small_cell")
    fig = go.Figure([
        go.Heatmap(z=counts, x=wards, y=rows, text=[_labels(row) for row in cells], texttemplate="%{text}",
                   colorscale="Blues", zmin=0, zmax=top, hoverongaps=False,
                   hovertemplate="%{y}<br>" + t(language, "analytics.axis.ward") + " %{x}: %{text}<extra></extra>",
                   colorbar={"title": {"text": t(language, "analytics.axis.complaints")}}),
        # The "<5" cells: a single-colour layer over the gaps the counts leave.
        go.Heatmap(z=[[0 if v == SUPPRESSED else None for v in row] for row in cells], x=wards, y=rows,
                   text=[[SUPPRESSED if v == SUPPRESSED else "" for v in row] for row in cells],
                   texttemplate="%{text}", colorscale=[[0, SMALL_COLOUR], [1, SMALL_COLOUR]], zmin=0, zmax=1, showscale=False,
                   hoverongaps=False, name=small_label,
                   hovertemplate="%{y}<br>" + t(language, "analytics.axis.ward") + " %{x}: "
                                 + SUPPRESSED + "<extra></extra>"),
        # Heat maps have no legend entry of their own: a grey square that explains the grey cells.
        go.Scatter(x=[None], y=[None], mode="markers", name=small_label, showlegend=True,
                   marker={"symbol": "square", "size": 14, "color": SMALL_COLOUR}),
    ])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=wards)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(showlegend=True)
    return _layout(fig, t(language, "analytics.chart.ward_categories", town=town), t(language, "analytics.axis.ward"),
                   "", height=max(HEIGHT, 160 + ROW_HEIGHT * len(table)))


def flow_chart(flow: Flow, language: str) -> go.Figure:
    """Received and disposed per week or month (bars), and the backlog at the end of each (line, right axis)."""
    frame = flow.buckets
    x = [d.date() for d in pd.to_datetime(frame["bucket"])]
    fig = go.Figure([
        go.Bar(x=x, y=frame["received"], name=t(language, "analytics.metric.received")),
        go.Bar(x=x, y=frame["disposed"], name=t(language, "analytics.metric.disposed")),
        go.Scatter(x=x, y=frame["backlog"], name=t(language, "analytics.chart.backlog"), mode="lines+markers",
                   yaxis="y2"),
    ])
    fig.update_layout(barmode="group", yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero",
                                               "title": {"text": t(language, "analytics.chart.backlog")},
                                               "showgrid": False})
    return _layout(fig, t(language, f"analytics.flow.{flow.grain}"), t(language, f"analytics.grain.{flow.grain}"),
                   t(language, "analytics.axis.complaints"))


def feedback_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Citizens' answers per department, stacked: solved, partly solved, not solved."""
    fig = go.Figure()
    for answer in Feedback:
        fig.add_trace(go.Bar(y=_wrapped(view["name"]), x=view[answer.value], name=t(language, f"feedback.{answer}"),
                             orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.feedback"), t(language, "analytics.axis.answers"), "",
                   height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))
