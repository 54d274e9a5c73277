"""The benchmark's verdict and its summary: the goals each figure is held to, what makes a run fail
(slowness alone does not), and the lines printed after a run (lib/ops/bench.py)."""
from __future__ import annotations

# Goals of issues 5, 6 and 14, for one million complaints on the 2-core machine: (key, comparison, value).
GOALS = (("seed_s", "<", 60), ("analytics_cold_s", "<", 1.5), ("analytics_warm_s", "<", 0.3),
         ("analytics_recomputed_s", "<=", 0.3),
         ("queue_s", "<", 0.5), ("submit_p95_ms", "<", 50), ("lost", "==", 0), ("duplicated", "==", 0),
         ("speedup_vs_pandas", ">=", 20), ("rss_mb", "<", 1024))
# Issue 14's goals for ten million (the careful pandas way is the only one that fits there).
GOALS_10M = (("seed_s", "<=", 600), ("analytics_cold_s", "<=", 1.5), ("analytics_warm_s", "<=", 0.3),
             ("analytics_recomputed_s", "<=", 0.3), ("queue_s", "<=", 0.3), ("queue_unfiltered_s", "<=", 0.3),
             ("submit_p95_ms", "<=", 50), ("lost", "==", 0), ("duplicated", "==", 0),
             ("speedup_vs_careful_pandas", ">=", 10), ("rss_mb", "<=", 1536))
TEN_MILLION = 10_000_000


def goals_for(complaints: int) -> tuple:
    return GOALS_10M if complaints >= TEN_MILLION else GOALS


def goals_met(result: dict) -> dict[str, bool]:
    compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b,
               ">=": lambda a, b: a >= b}
    return {key: bool(compare[op](result[key], goal)) for key, op, goal in goals_for(result["complaints"])
            if key in result}


def problems(result: dict, differences: list[str], errors: list[str]) -> list[str]:
    """What makes the run fail (slowness alone does not)."""
    found = [f"a figure differs from the pandas baseline: {d}" for d in differences]
    for key in ("lost", "duplicated", "incomplete"):
        if result.get(key):
            found.append(f"{result[key]} acknowledged filing(s) {key}")
    found += [f"a citizen saw an error: {e}" for e in sorted(set(errors))[:5]]
    return found


def summary(result: dict) -> str:
    goals = {key: (op, goal) for key, op, goal in goals_for(result["complaints"])}
    units = {"_per_s": "/s", "_s": "s", "_ms": "ms", "_mb": "MB", "_pandas": "×"}
    lines = [f"benchmark: {result['complaints']:,} complaints on {result['engine']}, {result['cpus']} CPUs (goals for "
             f"{'10,000,000' if result['complaints'] >= TEN_MILLION else '1,000,000'})"]
    for key in ("seed_s", "analytics_copy_built_s", "analytics_cold_s", "analytics_warm_s", "analytics_recomputed_s", "analytics_refreshed_s",
                "queue_s", "queue_unfiltered_s",
                "submit_p50_ms", "submit_p95_ms", "submit_per_s", "lost", "duplicated", "headline_s",
                "baseline_pandas_s", "speedup_vs_pandas", "baseline_careful_s", "speedup_vs_careful_pandas",
                "rss_mb", "baseline_rss_mb"):
        value = result.get(key)
        if value is None:               # analytics_copy_built_s: PostgreSQL only
            continue
        unit = next((u for suffix, u in units.items() if key.endswith(suffix)), "")
        shown = f"{value:,.3f}" if isinstance(value, float) and value < 10 else (
            f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
        goal = ""
        if key in goals:
            op, target = goals[key]
            goal = f"goal {op} {target}  {'ok' if result['goals_met'][key] else 'MISSED'}"
        lines.append(f"  {key:<24} {shown:>12} {unit:<3} {goal}")
    lines.append(f"  figures equal to the pandas baselines: {'yes' if result['headline_equal'] else 'NO'}")
    if not result["analytics_recomputed_same_as_of"]:
        lines.append("  (the page after a filing showed other figures than before it: more than a minute passed)")
    if not result["baseline_common_way"]:
        lines.append("  (too many complaints to read the common way here: baseline_pandas_s is the careful way)")
    # The run itself keeps up to two cores busy; more than that at the end, or any load before it
    # began, is other work.
    start, end = result["load_average_1m_start"], result["load_average_1m_end"]
    busy = start > 1 or end > result["cpus"] + 1
    lines.append(f"  machine load (1-minute average) before: {start:.1f}, after: {end:.1f}, on {result['cpus']} CPUs"
                 + ("  (busy: wall times are inflated; cpu_s in the JSON is not)" if busy else ""))
    server = result["cpu_s"].get("postgresql_server")
    if server:
        lines.append(f"  PostgreSQL server CPU seconds: seed {server['seed']:,.1f}, analytics cold"
                     f" {server['analytics_cold']:.3f}, headline {server['headline']:.3f} (cpu_s.postgresql_server)")
    lines += [f"  note on {key}: {note}" for key, note in result.get("engine_notes", {}).items()]
    lines += [f"  FAILED: {p}" for p in result["problems"]]
    return "\n".join(lines)
