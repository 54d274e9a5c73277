"""The first-visit command (lib/ops/first_visit.py) on a short unthrottled run against a real portal: it
reports what a citizen's first visit downloads and that the repeat visit comes from the cache, and a
page that never shows its title fails it. The slow-3G figures are a benchmark, in the README."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lib.core.i18n import t
from tests.e2e.conftest import ROOT, PortalServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path):
    portal = PortalServer(tmp_path)
    yield portal
    portal.stop()


def first_visit(url: str, out, *args: str) -> subprocess.CompletedProcess:
    # A process of its own: the command drives Playwright's sync API, which one thread runs only once.
    return subprocess.run([sys.executable, "-m", "lib.ops.first_visit", "--url", url, "--profile", "none",
                           "--json", str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_a_citizen_page_reports_its_first_and_repeat_visit(server, tmp_path):
    out = tmp_path / "first_visit.json"
    run = first_visit(server.url, out, "--pages", "/track_complaint", "--largest", "30")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "/track_complaint [none]: first visit" in run.stdout          # the progress line
    page = json.loads(out.read_text())["pages"][0]
    first, repeat = page["first"], page["repeat"]
    assert page["ok"] and page["title"] == t("hi", "track.title")
    assert first["requests"] > 10 and first["bytes"] > 100_000 and first["websocket_bytes"] > 0
    assert 0 < first["title_s"] <= first["quiet_s"] + 1
    assert repeat["bytes"] < first["bytes"] / 3                             # the static files came from the cache
    assert repeat["from_cache"] > repeat["requests"] / 2
    # The portal's font copies, not Streamlit's originals, went over the wire.
    icons = [n for path, n in first["largest"] if "MaterialSymbols" in path]
    assert icons and icons[0] < 100_000
    # The Devanagari font comes once by its own URL and then from the cache; the WebSocket carries
    # the page only (it used to carry the font, ~78 KB of base64, to every new tab).
    devanagari = [n for path, n in first["largest"] if "PortalDevanagari" in path]
    assert devanagari and devanagari[0] > 50_000
    assert [n for path, n in repeat["largest"] if "PortalDevanagari" in path and n > 0] == []
    assert first["websocket_bytes"] < 40_000 and repeat["websocket_bytes"] < 40_000


def test_a_page_that_never_shows_its_title_fails_the_run(server, tmp_path):
    """A citizen asking for the analytics page gets the form instead: no analytics title, exit 1."""
    out = tmp_path / "first_visit.json"
    run = first_visit(server.url, out, "--pages", "/track_complaint,/analytics", "--timeout", "30")
    assert run.returncode == 1, run.stdout + run.stderr
    pages = {p["path"]: p for p in json.loads(out.read_text())["pages"]}
    assert pages["/track_complaint"]["ok"]
    assert not pages["/analytics"]["ok"] and "not shown" in pages["/analytics"]["error"]
    assert "/analytics [none]: FAILED" in run.stdout
