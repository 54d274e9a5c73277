"""Load command: many simulated browser tabs on Streamlit's WebSocket protocol against a running portal.

    python -m lib.ops.load --url http://127.0.0.1:8501 --sessions 50,100,200 --duration 60 --json load.json

A session is one tab. Citizens open the form, go to the track page and look up a tracking number;
officers sign in through the real form and then open the queue, a complaint and (the DC) analytics.
Between steps each tab thinks for 2–5 s. A page view counts as served only when its run finished and
its title (the page's h1, in Hindi as a new visitor gets it) arrived with no exception element: bytes
alone are not a page. Per step of N sessions and per page: page views/s, p50/p95/p99, errors, and the
RSS and CPU of every portal process (all `streamlit run` processes on this machine, or --pids).

Facts of Streamlit 1.67 this relies on (issue #14): the XSRF cookie comes from /_stcore/health; the
browser offers the subprotocols ["streamlit", <xsrf cookie>] with a same-origin Origin header; nothing
arrives until the client sends rerun_script (first load: page_script_hash "" and page_name = the URL
path); `home.py`'s st.switch_page ends a run early (FINISHED_EARLY_FOR_RERUN), so a view ends at the
final script_finished.

Not simulated: filing a complaint (its uploads go through a separate HTTP upload protocol); the
citizens' load is the form, the track page and look-ups, which is what most visits are.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import urllib.request
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse

from lib.core.i18n import t
from lib.ops.load_report import cpu_ticks, rss_mb, portal_pids, summarise, table, write_views
from lib.ops.load_views import Step, View, ViewFailed

DEMO_PASSWORD_ENV = "ESACHIVALAYA_LOAD_PASSWORD"
HINDI = "hi"


@dataclass(frozen=True)
class Options:
    url: str
    sessions: tuple[int, ...]
    duration_s: float
    ramp_s: float
    think_s: tuple[float, float]
    officer_share: float             # officers per citizen: 0.1 gives 200 citizens + 20 officers
    officers: tuple[str, ...]
    password: str
    pids: tuple[int, ...] = ()
    view_timeout_s: float = 30.0
    seed: int = 2026


def _title(page: str) -> str:
    """The fixed part of a page's h1 as a new (Hindi) visitor sees it."""
    key = {"file_complaint": "form.title", "track_complaint": "track.title", "sign_in": "signin.title",
           "queue": "queue.title", "complaint_detail": "nav.complaint_detail",
           "analytics": "analytics.title"}[page]
    text = t(HINDI, key)
    return text.split("{")[0].strip()


class Tab:
    """One browser tab: a WebSocket session with the portal, driven by BackMsgs like the frontend."""

    def __init__(self, options: Options):
        self.options = options
        self.ws = None
        self.pages: dict[str, str] = {}          # url path -> page_script_hash (from the navigation message)
        self.widgets: dict[str, tuple[str, str]] = {}    # label -> (widget id, kind) of the last run

    async def connect(self) -> None:
        import websockets

        parsed = urlparse(self.options.url)
        cookies = await asyncio.to_thread(_first_cookies, self.options.url)
        xsrf = cookies.get("_streamlit_xsrf")
        scheme = "wss" if parsed.scheme == "https" else "ws"
        headers = {"Origin": f"{parsed.scheme}://{parsed.netloc}"}
        if cookies:
            # Every cookie of the first answer goes back, as a browser's would: behind the cluster's
            # proxy that includes its sticky-session cookie, so the tab's WebSocket reaches the
            # process that answered it.
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.ws = await websockets.connect(f"{scheme}://{parsed.netloc}/_stcore/stream",
                                           subprotocols=["streamlit", xsrf or ""], additional_headers=headers,
                                           max_size=64 * 1024 * 1024, open_timeout=self.options.view_timeout_s)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def open(self, page: str, query: str = "", lands_on: str | None = None) -> View:
        """Navigate to a page (a first load when the tab has no pages yet); `lands_on` is the page a
        forwarding page (home, "") sends the visitor to."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        return await self._run(msg, lands_on or page)

    async def submit(self, page: str, values: dict[str, str], button: str) -> View:
        """Fill text inputs by label and press a form's submit button, as one rerun."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        states = msg.rerun_script.widget_states.widgets
        try:
            for label, value in values.items():
                widget_id, _ = self._widget(label)
                state = states.add()
                state.id, state.string_value = widget_id, value
            state = states.add()
            state.id, state.trigger_value = self._widget(button)[0], True
        except ViewFailed as error:
            return View(page, 0.0, f"ViewFailed: {error}")
        return await self._run(msg, page)

    def _widget(self, label: str) -> tuple[str, str]:
        if label not in self.widgets:
            raise ViewFailed(f"no widget labelled {label!r} on the page")
        return self.widgets[label]

    async def _run(self, back_msg, page: str) -> View:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        started = time.perf_counter()
        try:
            await self.ws.send(back_msg.SerializeToString())
            self.widgets = {}
            titles: list[str] = []
            while True:
                raw = await asyncio.wait_for(self.ws.recv(), self.options.view_timeout_s)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                elif kind == "page_not_found":
                    raise ViewFailed("page not found")
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._note_element(msg.delta.new_element, titles)
                elif kind == "script_finished":
                    if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        titles.clear()
                        continue
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        raise ViewFailed("compile error")
                    break
            expected = _title(page)
            if not any(expected in title for title in titles):
                raise ViewFailed(f"title {expected!r} did not arrive (got {titles[:3]})")
            return View(page, time.perf_counter() - started)
        except (ViewFailed, asyncio.TimeoutError, OSError) as error:
            return View(page, time.perf_counter() - started, f"{type(error).__name__}: {error}")
        except Exception as error:           # a closed socket, a protocol error: a failed view, not a crash
            return View(page, time.perf_counter() - started, f"{type(error).__name__}: {error}")

    def _note_element(self, element, titles: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            raise ViewFailed(f"exception on the page: {element.exception.type}")
        if kind == "heading":
            titles.append(element.heading.body)
        elif kind in ("text_input", "button"):
            widget = getattr(element, kind)
            self.widgets[widget.label] = (widget.id, kind)


def _first_cookies(url: str) -> dict[str, str]:
    """The cookies the portal (or its proxy) sets on a first request: Streamlit's XSRF cookie, and
    the proxy's sticky-session cookie behind `make run-cluster`."""
    cookies: dict[str, str] = {}
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or ():
            cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    return cookies


async def _think(options: Options, rng: random.Random, until: float) -> bool:
    pause = rng.uniform(*options.think_s)
    if time.monotonic() + pause >= until:
        return False
    await asyncio.sleep(pause)
    return True


async def citizen(options: Options, step: Step, rng: random.Random, until: float) -> None:
    """Open the form, then the track page and a look-up, again and again until the step ends."""
    while time.monotonic() < until:
        tab = Tab(options)
        try:
            await tab.connect()
            step.views.append(await tab.open("", lands_on="file_complaint"))   # "/" sends a citizen to the form
            if not await _think(options, rng, until):
                return
            step.views.append(await tab.open("track_complaint"))
            if not await _think(options, rng, until):
                return
            number = f"RWR-2026-{rng.randrange(1, 999999):06d}"
            step.views.append(await tab.submit("track_complaint", {
                t(HINDI, "track.tracking_no"): number, t(HINDI, "track.mobile"): f"98{rng.randrange(10**8):08d}"},
                t(HINDI, "track.submit")))
            if not await _think(options, rng, until):
                return
        except Exception as error:
            step.views.append(View("connect", 0.0, f"{type(error).__name__}: {error}"))
            await asyncio.sleep(1)
        finally:
            await tab.close()


async def officer(options: Options, username: str, step: Step, rng: random.Random, until: float) -> None:
    """Sign in through the real form, then queue → complaint → analytics (DC) until the step ends."""
    tab = Tab(options)
    try:
        await tab.connect()
        step.views.append(await tab.open("sign_in"))
        view = await tab.submit("sign_in", {t(HINDI, "signin.username"): username,
                                            t(HINDI, "signin.password"): options.password},
                                t(HINDI, "signin.submit"))
        step.views.append(view)
        while time.monotonic() < until:
            step.views.append(await tab.open("queue"))
            if not await _think(options, rng, until):
                return
            step.views.append(await tab.open("complaint_detail"))
            if not await _think(options, rng, until):
                return
            if username.startswith("dc"):
                step.views.append(await tab.open("analytics"))
                if not await _think(options, rng, until):
                    return
    except Exception as error:
        step.views.append(View("connect", 0.0, f"{type(error).__name__}: {error}"))
    finally:
        await tab.close()


async def run_step(options: Options, n: int, say) -> Step:
    officers = round(n * options.officer_share)
    step = Step(citizens=n, officers=officers)
    pids = list(options.pids) or portal_pids()
    rng = random.Random(options.seed + n)
    start = time.monotonic()
    until = start + options.ramp_s + options.duration_s
    step.steady_from, step.steady_until = start + options.ramp_s, until
    step.unix_offset = time.time() - time.monotonic()
    ticks = cpu_ticks(pids)
    # Officers spread among the citizens, so both kinds ramp up together.
    kinds = ["citizen"] * n + [f"officer:{options.officers[i % len(options.officers)]}" for i in range(officers)]
    rng.shuffle(kinds)
    tasks = []
    for kind in kinds:
        await asyncio.sleep(options.ramp_s / max(1, len(kinds)))
        child = random.Random(rng.random())
        if kind.startswith("officer:"):
            tasks.append(asyncio.create_task(officer(options, kind.split(":", 1)[1], step, child, until)))
        else:
            tasks.append(asyncio.create_task(citizen(options, step, child, until)))
    peak = 0.0
    while not all(task.done() for task in tasks):
        peak = max(peak, rss_mb(pids))
        await asyncio.sleep(1)
        say(f"\r  {n} citizens + {officers} officers: {len(step.views)} views, "
            f"{sum(1 for v in step.views if v.error)} errors, {time.monotonic() - start:.0f} s", end="")
    step.wall_s = time.monotonic() - start
    step.rss_mb = max(peak, rss_mb(pids))
    after = cpu_ticks(pids)
    used = sum(after[pid] - ticks[pid] for pid in after if pid in ticks)     # processes alive throughout
    step.cpu_percent = 100 * used / os.sysconf("SC_CLK_TCK") / max(step.wall_s, 1e-9)
    say("")
    return step


def parse_args(argv: list[str] | None) -> tuple[Options, Path | None, Path | None]:
    parser = argparse.ArgumentParser(prog="python -m lib.ops.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--sessions", default="50,100,200", help="citizens per step, comma-separated")
    parser.add_argument("--officer-share", type=float, default=0.1, help="officers per citizen (0.1: 20 per 200)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of steady load per step")
    parser.add_argument("--ramp", type=float, default=10, help="seconds to start a step's sessions")
    parser.add_argument("--think", default="2,5", help="think time between steps, min,max seconds")
    parser.add_argument("--officers", default="dc_rewari,officer_phed,officer_ulb,officer_pwd,officer_power,officer_dp")
    parser.add_argument("--pids", default="", help="portal process ids (default: every `streamlit run` here)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a page view may take before it fails")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--views", type=Path, help="and every page view here, as CSV (page, ms, when it ended)")
    args = parser.parse_args(argv)
    from lib.staff.signin import DEMO_PASSWORD

    think = tuple(float(x) for x in args.think.split(","))
    options = Options(url=args.url.rstrip("/"), sessions=tuple(int(x) for x in args.sessions.split(",")),
                      duration_s=args.duration, ramp_s=args.ramp, think_s=(think[0], think[-1]),
                      officer_share=args.officer_share, officers=tuple(args.officers.split(",")),
                      password=os.environ.get(DEMO_PASSWORD_ENV, DEMO_PASSWORD),
                      pids=tuple(int(p) for p in args.pids.split(",") if p), view_timeout_s=args.timeout)
    return options, args.json, args.views


async def warm_up(options: Options) -> View:
    """One tab opens the portal first and waits as long as it takes: a fresh server opens (and may
    create) its database on the first visit, which is start-up, not load."""
    tab = Tab(replace(options, view_timeout_s=600))
    try:
        await tab.connect()
        return await tab.open("", lands_on="file_complaint")
    finally:
        await tab.close()


def main(argv: list[str] | None = None) -> int:
    options, json_path, views_path = parse_args(argv)
    say = lambda text, end="\n": print(text, end=end, file=sys.stderr, flush=True)   # noqa: E731
    say(f"warming up {options.url} …")
    first = asyncio.run(warm_up(options))
    if first.error:
        say(f"the portal did not serve its first page: {first.error}")
        return 2
    results, steps = [], []
    for n in options.sessions:
        say(f"step: {n} citizens, {options.duration_s:g} s after a {options.ramp_s:g} s ramp")
        step = asyncio.run(run_step(options, n, say))
        steps.append(step)
        results.append(summarise(step, options.duration_s + options.ramp_s))
        r = results[-1]
        say(f"  {r['views_per_s']} views/s, citizens p95 {r['citizen_p95_ms']} ms, officers p95 "
            f"{r['officer_p95_ms']} ms, {r['errors']} errors, longest stall {r['longest_stall_s']} s, RSS {r['server_rss_mb']} MB, CPU {r['server_cpu_percent']} %")
    print(table(results))
    if json_path:
        json_path.write_text(json.dumps({"url": options.url, "steps": results}, indent=2, ensure_ascii=False))
    if views_path:
        write_views(steps, views_path)
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
