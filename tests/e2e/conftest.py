"""Browser tests: a real `streamlit run` on a free port with a temporary database, driven by Debian's Chromium."""
from __future__ import annotations

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortalServer:
    """`streamlit run app.py` as the README starts it, on its own database and port."""

    def __init__(self, db_dir: Path, demo: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = db_dir / "portal.duckdb"
        env = {**os.environ, "ESACHIVALAYA_DB": str(self.db_path), "ESACHIVALAYA_DEMO": "1" if demo else "0",
               "ESACHIVALAYA_PUBLIC_URL": self.url}
        # Output to a file, not a pipe: a full pipe would block the server.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"portal did not start:\n{self.log.read().decode(errors='replace')[-3000:]}")

    def warm_up(self, browser) -> "PortalServer":
        """The first request to a fresh server must go through the frame (see the deep-link
        test); after it, deep links work for everyone."""
        page = browser.new_page()
        page.goto(self.url)
        wait_for_app(page)
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
        yield b
        b.close()


@pytest.fixture
def portal(tmp_path):
    server = PortalServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def demo_portal(tmp_path, browser):
    """A portal on a new demo database (demo accounts, 3,000 complaints), warmed up."""
    server = PortalServer(tmp_path, demo=True).warm_up(browser)
    yield server
    server.stop()


def sign_in(page, url: str, username: str) -> None:
    """Sign in through the form in Hindi, and wait until the role's pages are there."""
    from playwright.sync_api import expect

    from lib.core.i18n import t
    from lib.staff.signin import DEMO_PASSWORD

    page.goto(f"{url}/sign_in")
    wait_for_app(page)
    page.get_by_label(t("hi", "signin.username"), exact=True).fill(username)
    page.get_by_label(t("hi", "signin.password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t("hi", "signin.submit")).click()
    wait_for_app(page)
    expect(page.get_by_role("button", name=t("hi", "signin.sign_out"))).to_be_visible()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="hi-IN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def wait_for_app(page) -> None:
    """Until the script run the last action caused has finished (Streamlit's own e2e recipe)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", state="attached")
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0")
