"""Issue #13: a DuckDB and a PostgreSQL database seeded with the same rows give the very same
analytics figures: the headline, hearings, every department's row, feedback, the counts per tehsil,
village, ward and category, the channels, and the flow over weeks and months."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from lib.analytics import figures
from lib.analytics.figures import AnalyticsFilters, Grain
from lib.casework import deadlines
from lib.core.config import load_settings
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database
from tests.conftest import REWARI_TEHSIL, REWARI_TOWN

NOW = datetime.now(timezone.utc).replace(microsecond=0)
TODAY = NOW.astimezone(deadlines.IST).date()
FILTER_SETS = {
    "twelve months": figures.default_filters(TODAY),
    "two years": AnalyticsFilters(TODAY - timedelta(days=729), TODAY),
    "a tehsil and a category": AnalyticsFilters(TODAY - timedelta(days=400), TODAY, REWARI_TEHSIL, None, "WATER"),
    "a department, last 90 days": AnalyticsFilters(TODAY - timedelta(days=89), TODAY, None, "PHED", None),
    "nothing filed": AnalyticsFilters(TODAY.replace(year=2015), TODAY.replace(year=2015)),
}


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_cluster, pg_template):
    """(DuckDB, PostgreSQL): each seeded with the same 1500 complaints as of NOW."""
    url = pg_cluster.database(template=pg_template)
    opened = []
    try:
        for target in (None, url):
            folder = tmp_path_factory.mktemp("engine")
            env = {"ESACHIVALAYA_DB": target or str(folder / "portal.duckdb"), "ESACHIVALAYA_DATA_DIR": str(folder),
                   "ESACHIVALAYA_DEMO": "0"}
            con = open_portal_database(load_settings({}, env=env))
            opened.append(con)
            seed_complaints(con, 1500, now=NOW, random_seed=5)
        yield tuple(opened)
    finally:
        for con in opened:
            con.close()
        pg_cluster.drop(url)


def plain(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as plain Python values in a fixed order (None for missing), whatever the dtypes."""
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            return None
        return v.item() if hasattr(v, "item") else v
    records = [{k: cell(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]
    return sorted(records, key=lambda r: [(v is None, str(v)) for v in r.values()])


def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    left, right = plain(a), plain(b)
    assert len(left) == len(right)
    for x, y in zip(left, right):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], float) or isinstance(y[key], float):
                assert x[key] == pytest.approx(y[key], rel=1e-12, abs=1e-12), key     # medians: float rounding only
            else:
                assert x[key] == y[key], key


@pytest.mark.parametrize("name", FILTER_SETS)
def test_every_figure_is_the_same_on_both_engines(both, name):
    duck, pg = both
    f = FILTER_SETS[name]
    a, b = figures.load_dashboard(duck, f, TODAY, NOW), figures.load_dashboard(pg, f, TODAY, NOW)
    if name != "nothing filed":
        assert a.headline.received > 0 and a.headline.solved > 0 and a.headline.overdue > 0
        assert len(a.departments) >= 1 and len(a.place_counts) > 10 and len(a.feedback) > 0
    for x, y in ((a.headline, b.headline), (a.hearings, b.hearings)):
        for field, value in vars(x).items():
            other = getattr(y, field)
            assert value == (pytest.approx(other, rel=1e-12) if isinstance(value, float) else other), field
    assert a.resolve_days == b.resolve_days and a.small_areas == b.small_areas
    for part in ("departments", "feedback", "place_counts", "channels"):
        same_rows(getattr(a, part), getattr(b, part))
    for key in a.names:
        same_rows(a.names[key], b.names[key])
    # Categories keep the reference file's order on both.
    assert list(a.names["categories"]["category_code"]) == list(b.names["categories"]["category_code"])


@pytest.mark.parametrize("grain", list(Grain))
def test_the_flow_over_time_is_the_same_on_both_engines(both, grain):
    duck, pg = both
    for f in FILTER_SETS.values():
        a, b = figures.load_flow(duck, f, grain), figures.load_flow(pg, f, grain)
        assert a.backlog_at_start == b.backlog_at_start
        same_rows(a.buckets, b.buckets)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_table_the_page_shows_is_the_same_on_both_engines(both, language):
    """The views the page draws from the figures (pandas over each engine's frames) agree too."""
    duck, pg = both
    f = FILTER_SETS["two years"]
    a, b = figures.load_dashboard(duck, f, TODAY, NOW), figures.load_dashboard(pg, f, TODAY, NOW)
    views = [
        lambda d: figures.department_view(d, language), lambda d: figures.tehsil_view(d, language),
        lambda d: figures.village_view(d, REWARI_TEHSIL, language), lambda d: figures.top_villages(d, language),
        lambda d: figures.ward_view(d, REWARI_TOWN, 32), lambda d: figures.feedback_view(d, language),
        lambda d: figures.ward_category_view(d, REWARI_TOWN, 32, language).reset_index(),
    ]
    for view in views:
        same_rows(view(a), view(b))
    assert figures.towns(a, language) == figures.towns(b, language)
