"""The benchmark command at a small size, on DuckDB and on PostgreSQL: every figure present and sane, nothing lost, the page's headline equal to the pandas baseline, and a disagreeing baseline or a lost filing makes it fail."""
from __future__ import annotations

import io
import json
import random
from dataclasses import replace
from datetime import timedelta

import pytest
from PIL import Image

from lib.analytics import figures
from lib.db.connect import is_new_database
from lib.ops import baseline, bench, bench_engine, filings, pg_server
from lib.casework import deadlines
from lib.core.complaints import Status
from lib.citizen.filing import Acknowledgement
from lib.ops.seed import seed_complaints

SMALL = ["--complaints", "2000", "--filings", "10", "--together", "24", "--threads", "8", "--quiet"]
TODAY = deadlines.today_in_ist()


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def run(request, tmp_path_factory):
    """One small benchmark run per engine: (exit status, the JSON it wrote). On PostgreSQL, on an
    empty database of the tests' server (--db), which the run leaves empty again."""
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    engine = []
    if request.param == "postgres":
        url = request.getfixturevalue("pg_cluster").database()
        engine = ["--db", url]
    status = bench.main([*SMALL, *engine, "--json", str(path)])
    if engine:
        assert is_new_database(url), "the benchmark left its complaints in the database it was given"
        request.getfixturevalue("pg_cluster").drop(url)
    return status, json.loads(path.read_text(encoding="utf-8"))


def test_a_small_run_succeeds_and_reports_every_figure(run):
    status, result = run
    assert status == 0 and result["problems"] == []
    assert result["complaints"] == 2000
    for key in ("seed_s", "analytics_cold_s", "analytics_warm_s", "analytics_recomputed_s", "analytics_refreshed_s",
                "queue_s", "headline_s", "baseline_pandas_s", "baseline_careful_s"):
        assert 0 < result[key] < 120, key
        assert result["cpu_s"][key.removesuffix("_s")] > 0, key
    assert 0 < result["submit_p50_ms"] <= result["submit_p95_ms"] < 10_000
    assert result["submit_threads"] == 8 and result["submit_per_s"] > 0
    assert result["baseline_common_way"] is True          # 2000 complaints fit in memory either way
    assert result["speedup_vs_pandas"] == pytest.approx(result["baseline_pandas_s"] / result["headline_s"])
    assert result["speedup_vs_careful_pandas"] == pytest.approx(result["baseline_careful_s"] / result["headline_s"])
    assert 50 < result["rss_mb"] <= result["baseline_rss_mb"]
    assert set(result["goals_met"]) == {key for key, _, _ in bench.GOALS}
    assert result["database_mb"] > 0


def test_the_run_names_its_engine_and_what_it_measures_differently(run):
    _, result = run
    text = bench.summary(result)
    if result["engine"] == "duckdb":
        assert "on duckdb" in text and "engine_notes" not in result
        assert result["duckdb_memory_limit_seed"] == "512MB"
        return
    assert result["engine"] == "postgresql" and "on postgresql" in text
    assert result["postgresql_server"] == "existing (--db)" and result["duckdb_memory_limit_seed"] is None
    # Cold means the portal's caches, not the server's: said in the JSON and the summary.
    assert "buffer cache" in result["engine_notes"]["analytics_cold_s"] and "buffer cache" in text
    # A server the run did not start: its CPU seconds are not claimed.
    assert "postgresql_server" not in result["cpu_s"]
    # After a filing the page shows the figures of the minute, not a recomputation.
    assert result["analytics_recomputed_same_as_of"] is True
    assert (result["analytics_recomputed_loads"], result["analytics_refreshed_loads"]) == (0, 1)


def test_every_acknowledged_filing_is_stored_once(run):
    _, result = run
    assert (result["lost"], result["duplicated"], result["incomplete"], result["submit_errors"]) == (0, 0, 0, 0)
    # Seeded rows plus every filing of both rounds and the one between two analytics page loads,
    # each with its SMS and its ID document.
    assert result["rows"]["complaints"] == 2000 + 10 + 24 + 1
    assert result["rows"]["sms"] == result["rows"]["complaints"]
    assert result["rows"]["documents"] == 10 + 24 + 1


def test_the_page_and_pandas_agree_on_the_headline(run):
    _, result = run
    assert result["headline_equal"] is True
    figures = result["headline"]["headline"]
    assert figures["received"] > 1000 and figures["received"] == figures["disposed"] + figures["pending"]
    flow = result["headline"]["flow"]
    assert flow["backlog_at_start"] > 0 and sum(n for _, n in flow["received"]) == figures["received"]
    assert result["headline"]["hearings"]["held"] > 0


def test_the_summary_names_each_figure_and_its_goal(run):
    _, result = run
    text = bench.summary(result)
    assert "analytics_cold_s" in text and "goal < 1.5" in text
    assert "figures equal to the pandas baselines: yes" in text


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_a_baseline_that_disagrees_fails_the_run(engine, tmp_path, monkeypatch, capsys):
    """On PostgreSQL on a throwaway server the run starts (and removes) itself, whose CPU seconds it counts."""
    if engine == "postgresql" and pg_server.postgres_bin() is None:
        pytest.skip("no initdb: Debian's postgresql is not installed")
    honest = baseline.baseline_figures

    def off_by_one(con, filters, today, **options):
        figures = honest(con, filters, today, **options)
        return replace(figures, headline=replace(figures.headline, received=figures.headline.received + 1))

    monkeypatch.setattr(baseline, "baseline_figures", off_by_one)
    path = tmp_path / "bench.json"
    started = []
    real_start = pg_server.Cluster.start
    monkeypatch.setattr(pg_server.Cluster, "start", classmethod(lambda cls: started.append(real_start()) or started[-1]))
    assert bench.main(["--complaints", "300", "--filings", "2", "--together", "8", "--quiet",
                       "--engine", engine, "--json", str(path)]) == 1
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["engine"] == engine and result["headline_equal"] is False
    if engine == "postgresql":
        assert result["postgresql_server"].startswith("throwaway") and result["cpu_s"]["postgresql_server"]["seed"] > 0
        assert len(started) == 1 and not started[0].folder.exists(), "the throwaway server was not removed"
    for name in ("baseline_pandas", "baseline_careful"):
        assert result[f"headline_{name}"]["headline"]["received"] == result["headline"]["headline"]["received"] + 1
    assert "received" in capsys.readouterr().err


def test_a_database_that_already_holds_a_portal_is_refused_and_left_alone(pg_template, tmp_path, capsys):
    """--db must name an empty database: the run fills it and empties it after, so never a real portal's."""
    assert bench.main([*SMALL, "--db", pg_template, "--json", str(tmp_path / "bench.json")]) == 1
    assert "already holds a portal" in capsys.readouterr().err
    assert not is_new_database(pg_template) and not (tmp_path / "bench.json").exists()


def test_a_bigger_run_gets_room_to_seed_and_the_flag_still_decides():
    """At a fixed 512 MB a ten-million seed failed half way ("failed to pin block", 30 November 2026)."""
    assert bench.parse_args(["--complaints", "2000"])[0].seed_memory_limit == "512MB"
    assert bench.parse_args(["--complaints", "10000000"])[0].seed_memory_limit == "4000MB"
    assert bench.parse_args(["--complaints", "10000000", "--memory-limit", "6GB"])[0].seed_memory_limit == "6GB"


def test_db_is_only_for_postgresql(capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--engine", "duckdb", "--db", "postgresql://nobody@localhost/portal"])
    assert "--db" in capsys.readouterr().err
    options, _ = bench.parse_args(["--db", "postgresql://nobody@localhost/portal"])
    assert options.engine == bench_engine.POSTGRESQL


@pytest.mark.engines
def test_a_filing_missing_or_doubled_in_the_database_is_found(con, settings, choices):
    image = filings.id_image()
    rng = random.Random(5)
    _, acks = filings.time_filings(con, settings, choices, [filings.citizen_form(rng, choices, image, TODAY)
                                                          for _ in range(2)])
    assert filings.check_filings(con, acks) == {"lost": 0, "duplicated": 0, "incomplete": 0}
    ghost = Acknowledgement(tracking_no="RWR-2026-999999", complaint_id=999_999, filed_at=acks[0].filed_at)
    assert filings.check_filings(con, [*acks, ghost])["lost"] == 1
    assert filings.check_filings(con, [*acks, acks[0]])["duplicated"] == 1


@pytest.mark.engines
def test_filings_from_many_threads_all_arrive(con, settings, choices):
    rng = random.Random(6)
    image = filings.id_image()
    forms = [filings.citizen_form(rng, choices, image, TODAY) for _ in range(16)]
    _, acks, errors = filings.file_together(con, settings, choices, forms, threads=8)
    assert errors == [] and len({a.tracking_no for a in acks}) == 16
    assert filings.check_filings(con, acks) == {"lost": 0, "duplicated": 0, "incomplete": 0}


def test_the_id_image_is_a_200_kb_photo():
    data = filings.id_image()
    assert 150_000 < len(data) < 260_000
    with Image.open(io.BytesIO(data)) as im:
        assert (im.format, im.size) == ("JPEG", (1200, 900))


def _page_and_pandas_agree(con, filters) -> None:
    for careful in (False, True):
        theirs = baseline.baseline_figures(con, filters, TODAY, careful=careful)
        assert baseline.differences(baseline.figures_as_the_page(con, filters, TODAY), theirs) == []


@pytest.mark.engines
def test_the_pandas_baseline_derives_the_facts_from_the_history_and_counts_late_directions(con):
    """Seeded data has reopenings, hearings, directions and resolutions; add a reopening and a late
    direction the way the lifecycle writes them (history entry and facts together), and every
    figure still agrees with pandas, which reads the history, never the facts."""
    seed_complaints(con, 600, random_seed=4)
    filters = figures.AnalyticsFilters(TODAY - timedelta(days=729), TODAY)
    before = baseline.figures_as_the_page(con, filters, TODAY)
    with con.cursor() as cur:
        closed = [r[0] for r in cur.execute("SELECT id FROM complaints WHERE status = ? AND reopen_count = 0"
                                            " ORDER BY id LIMIT 3",
                                            [str(Status.CLOSED)]).fetchall()]
        for cid in closed:
            cur.execute("INSERT INTO complaint_events (id, complaint_id, happened_at, actor, event, from_status,"
                        " to_status, public) VALUES (nextval('event_seq'), ?, now(), 'citizen', 'reopened',"
                        " 'closed', 'with_department', true)", [cid])
            cur.execute("UPDATE complaints SET status = 'with_department', updated_at = now(), resolved_at = NULL,"
                        " reopen_count = reopen_count + 1 WHERE id = ?", [cid])
        # A direction past its report-by date on a young complaint: overdue only because of it.
        young = cur.execute("SELECT id FROM complaints WHERE status = 'with_department' ORDER BY filed_at DESC"
                            " LIMIT 1").fetchall()[0][0]
        cur.execute("INSERT INTO directions VALUES (nextval('direction_seq'), ?, 'PHED', 'Report on the pipe',"
                    " ?, 'dc_rewari', now(), NULL)", [young, TODAY - timedelta(days=2)])
    ours = baseline.figures_as_the_page(con, filters, TODAY)
    assert ours.headline.reopened == before.headline.reopened + 3
    assert ours.headline.overdue > 0 and ours.headline.solved_on_time > 0 and ours.hearings.held > 0
    _page_and_pandas_agree(con, filters)
    _page_and_pandas_agree(con, replace(filters, department_code="PHED", tehsil_lgd=414))


# (change, which complaints): each moves a figure, if the baseline really reads the history.
OUT_OF_STEP = {
    "reopen_count": ("reopen_count = 1", "reopen_count = 0"),
    "hearings_held": ("hearings_held = hearings_held + 1", "TRUE"),
    "hearings_called_off": ("hearings_called_off = hearings_called_off + 1", "TRUE"),
    "hearings_no_show": ("hearings_no_show = hearings_no_show + 1", "TRUE"),
    "feedback_solved": ("feedback_solved = feedback_solved + 1", "TRUE"),
    "feedback_not_solved": ("feedback_not_solved = 0", "feedback_not_solved > 0"),
    "resolved_at": ("resolved_at = NULL", "status IN ('resolved', 'closed')"),
    # The quickest hearings made the slowest, and the slowest the quickest: the median moves.
    "heard_at": ("heard_at = heard_at + INTERVAL '1000 days'", "heard_at IS NOT NULL ORDER BY heard_at - accepted_at"),
    "accepted_at": ("accepted_at = heard_at", "heard_at IS NOT NULL ORDER BY heard_at - accepted_at DESC"),
}


@pytest.mark.engines
@pytest.mark.parametrize("fact", OUT_OF_STEP)
def test_a_fact_out_of_step_with_the_history_is_caught(con, fact):
    """The check is worth something: a fact the lifecycle failed to keep makes the figures differ."""
    seed_complaints(con, 300, random_seed=5)
    filters = figures.AnalyticsFilters(TODAY - timedelta(days=729), TODAY)
    change, which = OUT_OF_STEP[fact]
    order = "" if "ORDER BY" in which else " ORDER BY id"
    with con.cursor() as cur:
        cur.execute(f"UPDATE complaints SET {change} WHERE id IN (SELECT id FROM complaints WHERE filed_at >= ?"
                    f" AND {which}{order} LIMIT 3)", [filters.window()[0]])
    found = baseline.differences(baseline.figures_as_the_page(con, filters, TODAY),
                                 baseline.baseline_figures(con, filters, TODAY, careful=True))
    assert found


def test_the_timed_pages_share_one_component_registry_as_the_servers_visitors_do(monkeypatch):
    # The server discovers the installed components once, as it starts; a fresh AppTest would read
    # every installed package's metadata again inside the timed cold view.
    from streamlit.components.v2.component_manager import BidiComponentManager
    from lib.ops import bench_pages

    discoveries = []
    real = BidiComponentManager.discover_and_register_components
    monkeypatch.setattr(BidiComponentManager, "discover_and_register_components",
                        lambda self, **kwargs: discoveries.append(self) or real(self, **kwargs))
    with bench_pages.compiled_once():
        analyst, dc = bench_pages._app(bench_pages.ANALYST), bench_pages._app(bench_pages.DC)
    assert len(discoveries) == 1
    assert analyst._bidi_component_manager is dc._bidi_component_manager is discoveries[0]
    assert bench_pages._app()._bidi_component_manager is None        # outside a run: AppTest's own
