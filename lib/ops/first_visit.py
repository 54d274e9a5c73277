"""First-visit command: what a citizen's phone downloads, and how long it waits, on a slow connection.

    python -m lib.ops.first_visit --url http://127.0.0.1:8501 --profile slow3g --json first_visit.json

Each page is opened in a fresh browser context (an empty cache, no cookies) on a phone-sized Chromium
in Hindi, with Chromium's own network emulation through the DevTools protocol
(`Network.emulateNetworkConditions`; slow 3G = 400 kbit/s down and up, 400 ms round trip; `none` = no
throttle). Per page: bytes over the wire (the sum of `encodedDataLength` of every finished HTTP
request, plus the WebSocket's frames, which carry the page itself and the portal's font), requests,
seconds until the page's title (its h1, in Hindi as a new visitor sees it) is visible, and seconds
until the network is quiet. Then the same page again in the same context: the REPEAT visit, whose
static files come from the browser's cache. A page whose title never shows (within --timeout), or
that shows an exception, fails the run (exit 1).

A benchmark tool (Playwright with Debian's chromium), never used by the portal itself.
"""
from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from lib.core.i18n import t

HINDI = "hi"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Kilobits per second and round-trip milliseconds; CDP wants bytes per second.
PROFILES: dict[str, tuple[float, float] | None] = {"slow3g": (400.0, 400.0), "none": None}
DEFAULT_PAGES = ("/", "/track_complaint")
# The page a URL path shows a new (public) visitor, and its h1's catalog key. "/" forwards a citizen
# to the form (pages/home.py). Officers' pages are listed so that asking for one shows it is refused.
TITLE_KEYS = {"": "form.title", "file_complaint": "form.title", "track_complaint": "track.title",
              "sign_in": "signin.title", "queue": "queue.title", "analytics": "analytics.title"}
QUIET_TIMEOUT_S = 120.0            # after the title: how long to wait for the rest (fonts, pictures)
QUIET_S = 2.0                      # no HTTP request under way for this long: the page has all it asks for


class PageBroken(Exception):
    """The page showed no title, or an exception, within the timeout."""


@dataclass
class Visit:
    http_bytes: int = 0                # encodedDataLength: headers and (compressed) bodies
    websocket_bytes: int = 0           # frames received: the script run's elements, the font
    requests: int = 0                  # HTTP requests that went to the network or the cache
    from_cache: int = 0
    title_s: float = 0.0
    quiet_s: float = 0.0
    largest: list[tuple[str, int]] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.http_bytes + self.websocket_bytes


@dataclass
class PageReport:
    path: str
    title: str
    first: Visit | None = None
    repeat: Visit | None = None
    error: str | None = None


def title_for(path: str) -> str:
    """The fixed part of the page's h1 in Hindi (what lib/ops/load.py looks for too)."""
    name = path.strip("/")
    if name not in TITLE_KEYS:
        raise SystemExit(f"no known title for page {path!r}; known: {', '.join('/' + p for p in TITLE_KEYS)}")
    return t(HINDI, TITLE_KEYS[name]).split("{")[0].strip()


class Wire:
    """Counts what one tab receives, from the DevTools protocol's network events."""

    def __init__(self, cdp) -> None:
        self.urls: dict[str, str] = {}
        self.encoded: dict[str, int] = {}
        self.cached: set[str] = set()
        self.websocket_bytes = 0
        self.under_way: set[str] = set()
        self.last_change = time.perf_counter()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFailed", lambda e: self._done(e["requestId"]))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _sent(self, event: dict) -> None:
        url = event["request"]["url"]
        if not url.startswith("data:"):
            self.urls[event["requestId"]] = url
            self.under_way.add(event["requestId"])
            self.last_change = time.perf_counter()

    def _done(self, request_id: str) -> None:
        self.under_way.discard(request_id)
        self.last_change = time.perf_counter()

    def _response(self, event: dict) -> None:
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def _finished(self, event: dict) -> None:
        if event["requestId"] in self.urls:
            self.encoded[event["requestId"]] = int(event.get("encodedDataLength", 0))
        self._done(event["requestId"])

    def quiet(self) -> bool:
        return not self.under_way and time.perf_counter() - self.last_change >= QUIET_S

    def _frame(self, event: dict) -> None:
        frame = event["response"]
        data = frame.get("payloadData", "")
        # Binary frames (opcode 2, Streamlit's protobuf) come base64-encoded; text frames as they are.
        self.websocket_bytes += len(base64.b64decode(data)) if frame.get("opcode") == 2 else len(data.encode())

    def visit(self, title_s: float, quiet_s: float, largest: int) -> Visit:
        sizes = sorted(((urlparse(self.urls[r]).path, n) for r, n in self.encoded.items()),
                       key=lambda item: -item[1])
        return Visit(http_bytes=sum(self.encoded.values()), websocket_bytes=self.websocket_bytes,
                     requests=len(self.urls), from_cache=len(self.cached & set(self.urls)),
                     title_s=round(title_s, 2), quiet_s=round(quiet_s, 2), largest=sizes[:largest])


def open_once(context, url: str, title: str, profile: tuple[float, float] | None, timeout_s: float,
              largest: int) -> Visit:
    """One visit in a new tab of `context`: counted from the navigation until the network is quiet."""
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        wire = Wire(cdp)
        cdp.send("Network.enable")
        if profile is not None:
            kbit_s, rtt_ms = profile
            rate = kbit_s * 1000 / 8
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": rtt_ms,
                                                          "downloadThroughput": rate, "uploadThroughput": rate})
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        heading = page.locator("h1", has_text=title)
        shown = heading.or_(page.get_by_test_id("stException")).first
        try:
            shown.wait_for(state="visible", timeout=max(1.0, timeout_s - (time.perf_counter() - started)) * 1000)
        except Exception as error:        # Playwright's TimeoutError
            raise PageBroken(f"title {title!r} not shown within {timeout_s:.0f} s") from error
        if not heading.first.is_visible():
            raise PageBroken("the page shows an exception")
        title_s = time.perf_counter() - started
        # Chromium's own "network idle" may have come before the page's run asked for its chunks and
        # fonts: wait for a quiet spell after the title instead (CDP events arrive while Playwright waits).
        until = time.perf_counter() + QUIET_TIMEOUT_S
        while not wire.quiet() and time.perf_counter() < until:
            page.wait_for_timeout(100)
        quiet_s = min(time.perf_counter(), wire.last_change) - started
        return wire.visit(title_s, quiet_s, largest)
    finally:
        page.close()


def measure(url: str, paths: list[str], profile_name: str, timeout_s: float, largest: int = 8,
            progress=print) -> list[PageReport]:
    from playwright.sync_api import sync_playwright

    profile = PROFILES[profile_name]
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    reports: list[PageReport] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for path in paths:
                report = PageReport(path, title_for(path))
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="hi-IN")
                try:
                    page_url = url.rstrip("/") + "/" + path.lstrip("/")
                    report.first = open_once(context, page_url, report.title, profile, timeout_s, largest)
                    report.repeat = open_once(context, page_url, report.title, profile, timeout_s, largest)
                except PageBroken as error:
                    report.error = str(error)
                finally:
                    context.close()
                reports.append(report)
                progress(progress_line(report, profile_name))
        finally:
            browser.close()
    return reports


def progress_line(report: PageReport, profile_name: str) -> str:
    if report.error or report.first is None or report.repeat is None:
        return f"{report.path} [{profile_name}]: FAILED: {report.error}"
    first, repeat = report.first, report.repeat
    return (f"{report.path} [{profile_name}]: first visit {first.bytes / 1024:,.0f} KiB "
            f"({first.requests} requests, {first.websocket_bytes / 1024:,.0f} KiB of them on the WebSocket), "
            f"title after {first.title_s:.1f} s, quiet after {first.quiet_s:.1f} s; "
            f"repeat {repeat.bytes / 1024:,.0f} KiB ({repeat.from_cache}/{repeat.requests} from the cache), "
            f"title after {repeat.title_s:.1f} s")


def as_json(reports: list[PageReport], url: str, profile_name: str) -> dict:
    def visit(v: Visit | None) -> dict | None:
        return None if v is None else {**asdict(v), "bytes": v.bytes}

    return {"url": url, "profile": profile_name, "throttle": PROFILES[profile_name],
            "pages": [{"path": r.path, "title": r.title, "ok": r.error is None, "error": r.error,
                       "first": visit(r.first), "repeat": visit(r.repeat)} for r in reports]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.ops.first_visit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="slow3g")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="URL paths, comma-separated")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a page has to show its title")
    parser.add_argument("--largest", type=int, default=8, help="how many of the largest responses to list")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.pages.split(",") if p.strip()]
    for path in paths:
        title_for(path)                    # an unknown page is a usage error, before any browser starts
    reports = measure(args.url, paths, args.profile, args.timeout, args.largest,
                      progress=lambda line: print(line, flush=True))
    for report in reports:
        if report.first is not None:
            print(f"  largest on {report.path}: " + ", ".join(f"{p} {n / 1024:,.0f} KiB"
                                                           for p, n in report.first.largest), flush=True)
    if args.json:
        args.json.write_text(json.dumps(as_json(reports, args.url, args.profile), indent=2, ensure_ascii=False))
    return 1 if any(r.error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
