"""Browser tests: a real `streamlit run` on a free port with a temporary database, driven by Debian's Chromium."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# How long Playwright's `expect` waits for the state it asserts (its default is 5 s). A bound, not a
# pause: a state already there passes at once. On a busy machine (two `make test` runs side by side)
# the queue's table, drawn by the browser after the run that sent it had finished, took longer than 5 s.
EXPECT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def patient_expect():
    from playwright.sync_api import expect
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# A text field the test typed into, still focused when it clicks elsewhere (the press of the click
# is what takes the focus away). Combo boxes are left alone: their open list of options is clicked.
BLUR_TYPED_FIELD_JS = """() => {
  const field = document.activeElement;
  const typed = field && (field.tagName === "TEXTAREA" || (field.tagName === "INPUT"
      && field.getAttribute("role") !== "combobox"
      && ["text", "password", "number", "email", "tel", "search"].includes(field.type)));
  if (typed) field.blur();
}"""


@pytest.fixture(scope="session", autouse=True)
def clicks_after_typing_land():
    """Every click first takes the focus from a text field the test typed into, as the press of a
    user's click does, and then clicks. Streamlit redraws a text field as it loses focus (its "Press
    Enter to apply" hint goes, the form's state changes); when that happened on the press of the click
    itself, a busy machine drew it between the press and the release, the button moved from under the
    pointer, no click event fired and no run started (streamlit#8725: clicks ignored while a text area
    has focus). Seen once, on an officer's report in test_hear_and_direct.py beside another `make test`:
    the run counter showed no run after the click for 90 s. Blurring first lets Playwright's own wait for
    a stable, hit-testable button see the page as it will be when it presses."""
    from playwright.sync_api import Locator

    click = Locator.click

    def click_after_typing(self, *args, **kwargs):
        self.page.evaluate(BLUR_TYPED_FIELD_JS)
        return click(self, *args, **kwargs)

    Locator.click = click_after_typing
    yield
    Locator.click = click


def free_ports(count: int) -> list[int]:
    """`count` different free ports. Each socket stays bound until all are picked: ports picked one at
    a time can repeat, and a proxy and a portal given one port once made the proxy fail to start."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


class PortalServer:
    """`streamlit run portal.py` as the README starts it (app.py behind st.App, with /api/health and
    gzipped static assets), on its own database and port."""

    def __init__(self, db_dir: Path, demo: bool = False, db_url: str | None = None):
        """`db_url`: a postgresql:// database instead of DuckDB's file (keys and uploads then in
        db_dir): a test can read it while the portal runs, which DuckDB's file lock forbids."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = db_dir / "portal.duckdb"
        env = {**os.environ, "ESACHIVALAYA_DB": db_url or str(self.db_path), "ESACHIVALAYA_DEMO": "1" if demo else "0",
               "ESACHIVALAYA_PUBLIC_URL": self.url}
        # Background escalation (issue #15) off unless a test asks for it: on a demo database its first
        # round escalates hundreds of complaints, work that would slow every other browser test.
        env.setdefault("ESACHIVALAYA_ESCALATION", "0")
        if db_url:
            env["ESACHIVALAYA_DATA_DIR"] = str(db_dir)
        # Output to a file, not a pipe: a full pipe would block the server.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "portal.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout_s: float = 180) -> None:     # a bound for a busy machine, not a wait
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                try:                           # poll again in 0.3 s, or at once if the server died
                    self.process.wait(timeout=0.3)
                except subprocess.TimeoutExpired:
                    pass
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"portal did not start:\n{self.log.read().decode(errors='replace')[-3000:]}")

    def warm_up(self, browser) -> "PortalServer":
        """The first request to a fresh server must go through the frame (see the deep-link
        test); after it, deep links work for everyone."""
        page = browser.new_page()
        page.set_default_timeout(120_000)      # the first run fills the caches; slow on a busy machine
        try:
            page.goto(self.url)
            wait_for_app(page)
        except BaseException:
            self.stop()                        # no server left behind when the fixture fails
            raise
        finally:
            page.close()
        return self

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield RunCountingBrowser(b)
        b.close()


@pytest.fixture
def portal(tmp_path, browser):
    """A portal on a new empty database, warmed up (its first run, slow on a busy machine, is done)."""
    server = PortalServer(tmp_path).warm_up(browser)
    yield server
    server.stop()


@pytest.fixture
def demo_portal(tmp_path, browser):
    """A portal on a new demo database (demo accounts, 3,000 complaints), warmed up."""
    server = PortalServer(tmp_path, demo=True).warm_up(browser)
    yield server
    server.stop()


def accepted_complaint(folder: Path):
    """The database a PortalServer in `folder` will open: the demo accounts, the DC as hearing officer with
    the default rules, and one accepted complaint whose citizen named no preferred date. Returns its
    acknowledgement."""
    from lib.casework import actions
    from lib.citizen.filing import file_complaint, load_form_choices
    from lib.core.config import load_settings
    from lib.hearings import officers
    from lib.ops.startup import open_portal_database
    from lib.staff import signin
    from tests.conftest import make_form

    settings = load_settings({}, env={"ESACHIVALAYA_DB": str(folder / "portal.duckdb"), "ESACHIVALAYA_DEMO": "0"})
    con = open_portal_database(settings)
    try:
        signin.create_demo_users(con)
        officers.ensure_default_rules(con)
        ack = file_complaint(con, settings, make_form(preferred_dates=()), load_form_choices(con),
                             track_url="http://127.0.0.1/track_complaint")
        dc = next(u for u in signin.DEMO_USERS if u.username == "dc_rewari")
        actions.start_scrutiny(con, dc, ack.complaint_id, 0)
        actions.accept(con, dc, ack.complaint_id, 1)
    finally:
        con.close()
    return ack


def sign_in(page, url: str, username: str) -> None:
    """Sign in through the form in Hindi, and wait until the role's pages are there."""
    from playwright.sync_api import expect

    from lib.core.i18n import t
    from lib.staff.signin import DEMO_PASSWORD
    from lib.ui.signin import COOKIE_NAME

    page.goto(f"{url}/sign_in")
    wait_for_app(page)
    page.get_by_label(t("hi", "signin.username"), exact=True).fill(username)
    page.get_by_label(t("hi", "signin.password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t("hi", "signin.submit")).click()
    wait_for_app(page)
    # Password hashing and the runs after it take long on a busy machine: a minute, not the default.
    expect(page.get_by_role("button", name=t("hi", "signin.sign_out"))).to_be_visible(timeout=60_000)
    # The cookie component writes the sign-in cookie after that run is drawn; a page opened before
    # it is written would be signed out.
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')", timeout=60_000)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="hi-IN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


# Installed in every document before Streamlit's own code. Counts the script runs from the server's
# own messages on the WebSocket (a ForwardMsg's top-level field 4 is new_session: a run started; field
# 6 is script_finished: a run ended, status 2 meaning "stopped early for a rerun"), so a fast run that
# React never draws as "running" is counted too; and notes how many runs had started, and not ended,
# when the user last acted (a key, a pointer, a typed or chosen value).
RUN_COUNTER_JS = """
(() => {
  if (window.__stRuns) return;
  // sent / sentAtAction: messages the page sent the server, in all and when the user last acted (a
  // failed wait says whether the action reached the server at all).
  const runs = window.__stRuns = {started: 0, ended: 0, waited: 0, action: 0, sent: 0, sentAtAction: 0};
  for (const type of ["pointerdown", "touchstart", "keydown", "input", "change"]) {
    // A run under way when the user acts may go on into the run the action asks for: it counts.
    window.addEventListener(type, () => {
      runs.action = runs.started - (runs.started > runs.ended ? 1 : 0);
      runs.sentAtAction = runs.sent;
    }, true);
  }
  const varint = (bytes, pos) => {
    let value = 0, scale = 1, byte;
    do { byte = bytes[pos++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
    return [value, pos];
  };
  const note = (data) => {
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    let pos = 0;
    while (pos < bytes.length) {
      let tag, skip;
      [tag, pos] = varint(bytes, pos);
      const field = Math.floor(tag / 8), wire = tag % 8;
      if (field === 4 && wire === 2) {
        // A run that a rerun request cut short may never send its script_finished: a new run
        // supersedes it, so it counts as ended.
        if (runs.started > runs.ended) runs.ended = runs.started;
        runs.started += 1;
        return;
      }
      if (field === 6 && wire === 0) {
        // FINISHED_EARLY_FOR_RERUN (2): st.rerun() or a newer request stopped this run, and the next
        // one starts at once; the page between them is not the action's answer, so it is not "ended".
        const [status] = varint(bytes, pos);
        if (status !== 2) runs.ended += 1;
        return;
      }
      if (wire === 0) [, pos] = varint(bytes, pos);
      else if (wire === 2) { [skip, pos] = varint(bytes, pos); pos += skip; }
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else return;
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => note(event.data));
    }
    send(data) {
      runs.sent += 1;
      return super.send(data);
    }
  };
})();
"""

# True once a run that started after the user's last action (and after the previous wait) has ended,
# none is under way, and the page says so; then that wait is "used up", so the next wait needs a new
# run: the old page's "notRunning", or a run that was over before the action, never counts.
RUN_FINISHED_JS = """() => {
  const runs = window.__stRuns;
  const app = document.querySelector("[data-testid='stApp']");
  if (runs.started > Math.max(runs.waited, runs.action) && runs.ended >= runs.started
      && app && app.getAttribute("data-test-script-state") === "notRunning") {
    runs.waited = runs.started;
    return true;
  }
  return false;
}"""

# Two animation frames: the messages that arrived with the end of the run are drawn.
DRAWN_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


class RunCountingBrowser:
    """The browser, with the run counter installed in every page it opens (contexts and pages)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(RUN_COUNTER_JS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.add_init_script(RUN_COUNTER_JS)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


RUN_TIMEOUT_MS = 90_000      # one script run on a busy 2-core machine can take half a minute


def wait_for_app(page, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Until a script run that the last action (a click, a key, a navigation) caused has finished and
    its page is drawn. Counted, not timed: the previous run's "notRunning" cannot pass for it, and an
    action that causes no run at all fails here instead of being waited for by luck."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", state="attached")
    if not page.evaluate("() => Boolean(window.__stRuns)"):
        raise AssertionError("this page has no run counter: open pages with the `browser` fixture")
    try:
        page.wait_for_function(RUN_FINISHED_JS, timeout=timeout)
    except PlaywrightTimeout:
        runs = page.evaluate("() => window.__stRuns")
        state = page.evaluate("() => document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state')")
        shot = Path(tempfile.mkdtemp(prefix="e2e-")) / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        sent = runs.get("sent", 0) - runs.get("sentAtAction", 0)
        reached = f"{sent} message(s)" if sent else "nothing (the action never reached the app)"
        raise AssertionError(f"no new script run finished since the last wait (runs: {runs}; since the last"
                             f" action the page sent the server {reached}; script state: "
                             f"{state}, url: {page.url}, screenshot: {shot})") from None
    page.evaluate(DRAWN_JS)
    # Web fonts (the Devanagari font swaps in and reflows the text) and images (a complaint's photos)
    # arrive after the run and move what is below them: a click aimed before they are in can land
    # beside its button on a busy machine. Loaded or failed counts.
    page.wait_for_function("() => document.fonts.status === 'loaded'"
                           " && Array.from(document.images).every(image => image.complete)")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0")
