"""What the load command measures and prints: the portal processes' CPU and memory, and per-page figures."""
from __future__ import annotations

import csv
import math
import os
import statistics
from pathlib import Path

from lib.ops.load_views import Step, View


def portal_pids() -> list[int]:
    """Every `streamlit run` process on this machine (the portal's processes)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and b"run" in cmd and entry.name != str(os.getpid()):
                pids.append(int(entry.name))
    return pids


def cpu_ticks(pids) -> dict[int, int]:
    """User + system clock ticks so far, per process still alive."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return ticks


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]    # nearest rank


STALL_S = 2.0          # no page view finished for this long, with sessions waiting: a stall


def stalls(step: Step, at_least_s: float = STALL_S) -> list[dict]:
    """The gaps of the steady part of a step in which no page view finished, longest first:
    {"at_s": seconds after the ramp, "s": length}. With dozens of sessions a view ends every few
    hundred milliseconds; a gap of seconds is the server (or the machine) stopping for everyone."""
    ends = sorted(v.ended_at for v in step.views if v.page != "connect"
                  and step.steady_from <= v.ended_at <= step.steady_until)
    found, last = [], step.steady_from
    for end in ends:
        if end - last >= at_least_s:
            found.append({"at_s": round(last - step.steady_from, 1), "s": round(end - last, 2)})
        last = end
    return sorted(found, key=lambda gap: -gap["s"])


def summarise(step: Step, steady_s: float) -> dict:
    by_page: dict[str, list[View]] = {}
    for view in step.views:
        by_page.setdefault(view.page, []).append(view)
    pages = {}
    for page, views in sorted(by_page.items()):
        ok = [v.seconds for v in views if v.error is None]
        pages[page] = {"views": len(views), "errors": len(views) - len(ok),
                       "views_per_s": round(len(views) / steady_s, 2),
                       "p50_ms": round(1000 * (statistics.median(ok) if ok else 0), 1),
                       "p95_ms": round(1000 * percentile(ok, 95), 1), "p99_ms": round(1000 * percentile(ok, 99), 1),
                       "first_error": next((v.error for v in views if v.error), None)}
    gaps = stalls(step)
    citizens = [v.seconds for v in step.views if v.error is None and v.page in ("file_complaint", "track_complaint")]
    officers = [v.seconds for v in step.views if v.error is None and v.page not in
                ("file_complaint", "track_complaint", "connect")]
    return {"citizens": step.citizens, "officers": step.officers, "views": len(step.views),
            "errors": sum(1 for v in step.views if v.error), "views_per_s": round(len(step.views) / steady_s, 2),
            "citizen_p95_ms": round(1000 * percentile(citizens, 95), 1),
            "officer_p95_ms": round(1000 * percentile(officers, 95), 1),
            "server_rss_mb": round(step.rss_mb, 1), "server_cpu_percent": round(step.cpu_percent, 1),
            "longest_stall_s": gaps[0]["s"] if gaps else 0.0, "stalls": gaps[:20],
            "steady_from_unix": round(step.steady_from + step.unix_offset, 3), "pages": pages}


VIEW_COLUMNS = ("citizens", "page", "ms", "ended_s", "error")


def write_views(steps: list[Step], path: Path) -> None:
    """Every page view of every step, one CSV row each: ended_s is when it ended, in seconds after
    its step's ramp (negative: during the ramp). For what a p95 hides: pauses shorter than a stall,
    in which every view in flight waits together, show as seconds in which few views end."""
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(VIEW_COLUMNS)
        for step in steps:
            for view in sorted(step.views, key=lambda v: v.ended_at):
                rows.writerow([step.citizens, view.page, round(1000 * view.seconds, 1),
                               round(view.ended_at - step.steady_from, 3), view.error or ""])


def table(results: list[dict]) -> str:
    lines = ["| citizens + officers | views/s | citizen p95 | officer p95 | errors | longest stall | server RSS | server CPU |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['citizens']} + {r['officers']} | {r['views_per_s']} | {r['citizen_p95_ms']} ms | "
                     f"{r['officer_p95_ms']} ms | {r['errors']} | {r['longest_stall_s']} s | {r['server_rss_mb']} MB | {r['server_cpu_percent']} % |")
    return "\n".join(lines)
