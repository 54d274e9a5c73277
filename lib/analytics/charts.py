"""The analytics charts: a small table of aggregates in, a plotly Figure out, titles and axes in the reader's language.

Counts that lib.analytics has replaced with "<5" are drawn as no bar with the label "<5" where it
would stand; the exact number is never in the figure (its JSON goes to the browser). No map tiles:
everything draws offline.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.analytics.figures import AGE_COLUMNS, STATUS_COLUMNS, SUPPRESSED, Flow
from lib.core.complaints import Status
from lib.core.lifecycle import Feedback
from lib.core.i18n import t

HEIGHT = 380
ROW_HEIGHT = 28          # per bar of a horizontal chart, so long department lists stay readable


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


def department_status_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Complaints per department, stacked by where they stand now."""
    fig = go.Figure()
    for status, column in zip(Status, STATUS_COLUMNS):
        fig.add_trace(go.Bar(y=view["name"], x=view[column], name=t(language, f"status.{status}"), orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.department_status"), t(language, "analytics.axis.complaints"),
                   "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def department_ageing_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Pending complaints per department by how long ago they were filed."""
    fig = go.Figure()
    for i, column in enumerate(AGE_COLUMNS):
        fig.add_trace(go.Bar(y=view["name"], x=view[column], name=t(language, f"analytics.age.{i}"), orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.department_ageing"), t(language, "analytics.axis.pending"),
                   "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def department_timeliness_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """Each department's on-time rate (bars, %) with its median days to resolve (labels)."""
    rate = [None if pd.isna(r) else round(100 * r, 1) for r in view["on_time_rate"]]
    days = ["—" if pd.isna(d) else f"{d:.1f}" for d in view["median_days_to_resolve"]]
    fig = go.Figure(go.Bar(
        y=view["name"], x=rate, orientation="h", name=t(language, "analytics.metric.on_time_rate"),
        text=[t(language, "analytics.chart.median_label", days=d) for d in days], textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x}%<br>%{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100])
    return _layout(fig, t(language, "analytics.chart.department_timeliness"),
                   t(language, "analytics.axis.on_time_percent"), "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))


def place_chart(view: pd.DataFrame, language: str, title: str, code_column: str) -> go.Figure:
    """Complaints received per tehsil or per village (bars, in the view's order); the pending
    count is in the hover, and each bar carries its place's code for a click to drill down."""
    x = list(view["name"])
    fig = go.Figure(go.Bar(
        x=x, y=_numbers(view["received"]), name=t(language, "analytics.metric.received"),
        customdata=[[int(code), str(p)] for code, p in zip(view[code_column], view["pending"])],
        text=_labels(view["received"]), textposition="outside",
        hovertemplate="%{x}<br>" + t(language, "analytics.metric.received") + ": %{text}<br>"
                      + t(language, "analytics.metric.pending") + ": %{customdata[1]}<extra></extra>"))
    fig.update_xaxes(type="category")
    return _layout(fig, title, "", t(language, "analytics.axis.complaints"))


def top_villages_chart(view: pd.DataFrame, language: str) -> go.Figure:
    """The villages with the most pending complaints, most first."""
    y = [f"{name} ({tehsil})" for name, tehsil in zip(view["name"], view["tehsil"])]
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
    """Complaints per category (rows) and ward (columns, every ward) of a town; "<5" cells are blank, with the label."""
    wards = [int(w) for w in table.columns]
    z = [_numbers(row) for row in table.itertuples(index=False)]
    text = [_labels(row) for row in table.itertuples(index=False)]
    fig = go.Figure(go.Heatmap(
        z=z, x=wards, y=list(table.index), text=text, texttemplate="%{text}", colorscale="Blues",
        hovertemplate="%{y}<br>" + t(language, "analytics.axis.ward") + " %{x}: %{text}<extra></extra>",
        colorbar={"title": {"text": t(language, "analytics.axis.complaints")}}))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=wards)
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, t(language, "analytics.chart.ward_categories", town=town), t(language, "analytics.axis.ward"),
                   "", height=max(HEIGHT, 120 + ROW_HEIGHT * len(table)))


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
        fig.add_trace(go.Bar(y=view["name"], x=view[answer.value], name=t(language, f"feedback.{answer}"),
                             orientation="h"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(language, "analytics.chart.feedback"), t(language, "analytics.axis.answers"), "",
                   height=max(HEIGHT, 120 + ROW_HEIGHT * len(view)))
