"""The benchmark command: a fresh database of N complaints, then the portal's speed, memory and safety under load, measured in one run.

    python -m lib.ops.bench --complaints 1000000 --json bench.json
    python -m lib.ops.bench --engine postgresql --complaints 1000000 --json bench-pg.json

Everything happens in a temporary folder (ESACHIVALAYA_DB points there for the run, or at a database on
a throwaway PostgreSQL server, or at the empty one given with --db; lib/ops/bench_engine.py) and in this one
process, the way the Streamlit server would do it: the pages run through AppTest on the app's own
cached connection, and citizens' filings go through lib.citizen.filing on that same connection. Exits 1 if
the pandas baseline disagrees with the page's figures (headline, hearings, weekly flow), or an acknowledged filing is missing,
doubled or incomplete, or a citizen was shown an error.

This module drives the real pages, so, like the tests, it imports streamlit (AppTest).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import streamlit as st
import streamlit.logger

from lib import ui
from lib.analytics import figures
from lib.casework import deadlines
from lib.core.config import PROJECT_DIR, load_settings
from lib.db.connect import connect, transaction
from lib.db.ops import bench as bench_db
from lib.db.reference import load_reference_data
from lib.ops import baseline, bench_engine, filings
from lib.ops.bench_engine import CpuSeconds
from lib.ops.bench_pages import BenchmarkFailed, compiled_once, time_pages
from lib.ops.bench_report import GOALS, goals_met, problems, summary  # noqa: F401  (bench.GOALS is read)
from lib.ops.seed.memory import seed_memory_limit

STREAMLIT_LOG_LEVEL = "STREAMLIT_LOGGER_LEVEL"


@dataclass(frozen=True)
class BenchOptions:
    complaints: int = 1_000_000
    filings: int = 200                    # one after another, for p50 / p95
    together: int = 2_000                 # filed by `threads` citizens at once
    threads: int = 8
    memory_limit: str | None = None       # None: seed_memory_limit(complaints)
    random_seed: int = 1
    progress: bool = True
    engine: str = bench_engine.DUCKDB
    db_url: str | None = None             # an existing PostgreSQL server's empty database

    @property
    def seed_memory_limit(self) -> str:
        return self.memory_limit or seed_memory_limit(self.complaints)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _say(options: BenchOptions, text: str) -> None:
    if options.progress:
        print(f"· {text}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def portal_in(folder: Path, database: bench_engine.BenchDatabase):
    """Point the portal at the run's database, its keys and uploads in `folder` (no demo data, no
    background SMS sender or escalation), with Streamlit's process-wide caches empty before and after."""
    values = {"ESACHIVALAYA_DB": database.address, "ESACHIVALAYA_DATA_DIR": str(folder),
              "ESACHIVALAYA_UPLOADS": str(folder / "uploads"), "ESACHIVALAYA_DEMO": "0",
              "ESACHIVALAYA_SMS_DISPATCHER": "0",
              "ESACHIVALAYA_ESCALATION": "0"}     # nor the escalation round (issue #15): it would skew the timings
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# ---- Building the database ----

def build_database(options: BenchOptions, cpu: CpuSeconds) -> float:
    """Schema, reference data, the demo accounts and `options.complaints` seeded complaints, written
    by a child process as `python -m lib.ops.cli seed` would be: the portal never seeds, so the
    seeder's memory (~1.2 GB at a million) must not count as the portal's peak (`rss_mb`). The wall
    seconds seeding took; its CPU seconds (the child's, and the server's on PostgreSQL) into `cpu`."""
    # A new interpreter, not multiprocessing: after AppTest has run app.py, a spawned child would
    # re-run app.py as its __main__.
    code = ("import json, sys; from lib.ops.bench import BenchOptions, _seed_database;"
            " _seed_database(BenchOptions(**json.loads(sys.argv[1])))")
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with cpu.counting("seed"):
        child = subprocess.run([sys.executable, "-c", code, json.dumps(asdict(options))], cwd=PROJECT_DIR)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["seed"] += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if child.returncode != 0:
        raise BenchmarkFailed(f"seeding failed (exit status {child.returncode})")
    return time.perf_counter() - started


def _seed_database(options: BenchOptions) -> None:
    """In the child process: the database `portal_in` named (the environment is inherited)."""
    from tqdm import tqdm
    from lib.ops.seed import seed_complaints
    from lib.staff.signin import create_demo_users

    settings = load_settings({})
    con = connect(settings.database, memory_limit=options.seed_memory_limit)
    try:
        with transaction(con) as cur:
            load_reference_data(cur)
        create_demo_users(con)
        with tqdm(total=options.complaints, unit=" complaints", unit_scale=True, file=sys.stderr, desc="seeding",
                  disable=not options.progress) as bar:
            seed_complaints(con, options.complaints, random_seed=options.random_seed,
                            track_url=settings.track_url, progress=bar.update)
    finally:
        con.close()


def _timed(work, cpu: CpuSeconds, key: str):
    """(value, wall seconds) of work(); `cpu[key]` gets the process's CPU seconds meanwhile."""
    started = time.perf_counter()
    with cpu.counting(key):
        value = work()
    return value, time.perf_counter() - started


# ---- The run ----

def run_benchmark(options: BenchOptions) -> dict:
    """Build, measure and check; the result as one dict (see the module docstring)."""
    # Other work on the machine slows every figure: the load before we start is all someone else's.
    result: dict = {"complaints": options.complaints, "load_average_1m_start": os.getloadavg()[0]}
    with (tempfile.TemporaryDirectory(prefix="esachivalaya-bench-") as folder,
          bench_engine.database_for(options.engine, Path(folder), options.db_url) as database,
          portal_in(Path(folder), database)):
        result.update(database.describe())
        # CPU seconds of the whole process (every thread) per measurement: what the work costs
        # whatever else the machine is doing; wall time on an idle 2-core machine is about half.
        result["cpu_s"] = CpuSeconds(database.server_cpu_s)
        result["seed_s"] = build_database(options, result["cpu_s"])
        result["rss_by_phase_mb"] = {"seed": peak_rss_mb()}
        _say(options, "pages: analytics as the analyst (cold, warm), the queue as the DC")
        try:
            # streamlit-authenticator prints cookie-decoding notes; keep stdout for the summary.
            with contextlib.redirect_stdout(sys.stderr), compiled_once():
                result.update(time_pages(result["cpu_s"]))
            result["rss_by_phase_mb"]["pages"] = peak_rss_mb()
            con = ui.connection()            # the app's own: DuckDB lets one process hold the file
            differences, errors = measure_on(con, options, result)
            result["database_mb"] = database.size_mb(con, ui.settings())
        finally:
            ui.connection().close()
    result.update({"load_average_1m_end": os.getloadavg()[0], "cpus": os.cpu_count(),
                   "duckdb_memory_limit_seed": options.seed_memory_limit if options.engine == bench_engine.DUCKDB else None,
                   "python": platform.python_version(), "measured_at": datetime.now().astimezone().isoformat()})
    result["goals_met"] = goals_met(result)
    result["problems"] = problems(result, differences, errors)
    return result


def measure_on(con, options: BenchOptions, result: dict) -> tuple[list[str], list[str]]:
    """Filings, then the headline figures both ways, on the app's connection; fills `result` and
    returns (headline differences, errors citizens saw)."""
    settings, choices = ui.settings(), ui.form_choices()
    today = deadlines.today_in_ist()
    rng = random.Random(options.random_seed)
    image = filings.id_image(options.random_seed)
    _say(options, f"{options.filings} filings one after another, each with a {len(image) // 1024} KB ID image")
    forms = [filings.citizen_form(rng, choices, image, today) for _ in range(options.filings)]
    (millis, acks), _ = _timed(lambda: filings.time_filings(con, settings, choices, forms), result["cpu_s"], "filings")
    _say(options, f"{options.together} filings by {options.threads} citizens at once")
    forms = [filings.citizen_form(rng, choices, image, today) for _ in range(options.together)]
    (seconds, together, errors), _ = _timed(
        lambda: filings.file_together(con, settings, choices, forms, options.threads), result["cpu_s"],
        "filings_together")
    result.update({
        "submit_p50_ms": float(np.percentile(millis, 50)), "submit_p95_ms": float(np.percentile(millis, 95)),
        "submit_image_kb": len(image) // 1024, "submit_threads": options.threads,
        "submit_together": options.together, "submit_per_s": len(together) / seconds,
        "submit_errors": len(errors), **filings.check_filings(con, acks + together)})
    result["submit_cpu_mean_ms"] = result["cpu_s"]["filings"] / len(millis) * 1000
    result["rss_by_phase_mb"]["filings"] = peak_rss_mb()

    _say(options, "the page's figures (headline, hearings, weekly flow): its SQL, then pandas over whole tables")
    filters = figures.default_filters(today)
    ours, result["headline_s"] = _timed(lambda: baseline.figures_as_the_page(con, filters, today), result["cpu_s"],
                                        "headline")
    # The portal's own peak, before the baselines load whole tables into this process.
    result["rss_mb"] = result["rss_by_phase_mb"]["headline"] = peak_rss_mb()
    differences, cpu = [], result["cpu_s"]
    for careful in (True, False):
        if not careful and not baseline.fits_the_common_way(options.complaints):
            continue                         # ten million complaints would not fit in memory that way
        name, timings = "baseline_careful" if careful else "baseline_pandas", {}
        theirs, result[f"{name}_s"] = _timed(
            lambda c=careful, t=timings: baseline.baseline_figures(con, filters, today, careful=c, timings=t),
            cpu, name)
        result.update({f"{name}_read_s": timings["read_s"], f"{name}_group_s": timings["group_s"]})
        result["baseline_rss_mb"] = peak_rss_mb()
        found = baseline.differences(ours, theirs)
        if found:
            result[f"headline_{name}"] = asdict(theirs)
            differences += [f"{name}: {d}" for d in found]
    result["baseline_common_way"] = "baseline_pandas_s" in result
    if not result["baseline_common_way"]:
        result["baseline_pandas_s"] = result["baseline_careful_s"]
    result["speedup_vs_pandas"] = result["baseline_pandas_s"] / result["headline_s"]
    result["speedup_vs_careful_pandas"] = result["baseline_careful_s"] / result["headline_s"]
    result.update({"headline_equal": not differences, "headline": asdict(ours)})
    with con.cursor() as cur:
        result["rows"] = bench_db.table_rows(cur)
    return differences, errors


def parse_args(argv: list[str] | None) -> tuple[BenchOptions, Path | None]:
    parser = argparse.ArgumentParser(prog="python -m lib.ops.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=BenchOptions.complaints)
    parser.add_argument("--json", type=Path, help="write the result here as one JSON object")
    parser.add_argument("--filings", type=int, default=BenchOptions.filings, help="timed one by one (p50, p95)")
    parser.add_argument("--together", type=int, default=BenchOptions.together, help="filed by --threads at once")
    parser.add_argument("--threads", type=int, default=BenchOptions.threads)
    parser.add_argument("--memory-limit", help="DuckDB's limit while seeding (default: 512MB, and 400MB"
                        " per million complaints above 1.28 million)")
    parser.add_argument("--seed", type=int, default=BenchOptions.random_seed)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--engine", choices=bench_engine.ENGINES, help="default duckdb; postgresql starts a"
                        " throwaway server for the run unless --db is given")
    parser.add_argument("--db", metavar="postgresql://…", help="an EMPTY database on an existing PostgreSQL"
                        " server (emptied again after the run); implies --engine postgresql")
    args = parser.parse_args(argv)
    if args.complaints < 1 or args.filings < 1 or args.together < args.threads or args.threads < 1:
        parser.error("need at least one complaint and one filing, and --together >= --threads >= 1")
    if args.db and args.engine == bench_engine.DUCKDB:
        parser.error("--db is a PostgreSQL database: use it with --engine postgresql (or alone)")
    engine = args.engine or (bench_engine.POSTGRESQL if args.db else bench_engine.DUCKDB)
    return BenchOptions(complaints=args.complaints, filings=args.filings, together=args.together,
                        threads=args.threads, memory_limit=args.memory_limit, random_seed=args.seed,
                        progress=not args.quiet, engine=engine, db_url=args.db), args.json


def main(argv: list[str] | None = None) -> int:
    options, json_path = parse_args(argv)
    # Quiet Streamlit's "no runtime" warnings about the cached resources used between page runs.
    saved_level = os.environ.get(STREAMLIT_LOG_LEVEL)
    os.environ[STREAMLIT_LOG_LEVEL] = "error"
    streamlit.logger.set_log_level("error")
    try:
        result = run_benchmark(options)
    except (BenchmarkFailed, bench_engine.UnusableDatabase) as exc:
        print(f"benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if saved_level is None:
            os.environ.pop(STREAMLIT_LOG_LEVEL, None)
        else:
            os.environ[STREAMLIT_LOG_LEVEL] = saved_level
    if json_path:
        json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(summary(result))
    if result["problems"]:
        print("benchmark FAILED: " + "; ".join(result["problems"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
