"""The load command (issue #14) on a small run: real tabs on Streamlit's WebSocket against a running
portal, every view checked for its page title; a broken page fails the run."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib.ops import load_report
from tests.e2e import conftest
from tests.e2e.conftest import PortalServer

# A generous view timeout: the suite runs on a busy 2-core machine; speed is the load command's job, not the test's.
def load_command(*args: str) -> int:
    """The command as an operator runs it: in its own process (this one runs Playwright's event loop)."""
    return subprocess.run([sys.executable, "-m", "lib.ops.load", *args], cwd=PROJECT, timeout=600).returncode


PROJECT = Path(__file__).resolve().parents[2]
SMALL = ["--timeout", "120", "--sessions", "2", "--officer-share", "0.5", "--duration", "6", "--ramp", "1", "--think", "0.5,1"]


def test_a_small_run_serves_citizens_and_officers_and_reports_each_page(tmp_path):
    portal = PortalServer(tmp_path, demo=True)
    try:
        out, views = tmp_path / "load.json", tmp_path / "views.csv"
        code = load_command("--url", portal.url, "--pids", str(portal.process.pid), *SMALL, "--json", str(out),
                            "--views", str(views))
    finally:
        portal.stop()
    step = json.loads(out.read_text())["steps"][0]
    assert (code, step["errors"]) == (0, 0), step
    # Every view is in the CSV too, with its page and how long it took.
    rows = list(csv.DictReader(views.open(encoding="utf-8")))
    assert len(rows) == step["views"]
    assert {r["page"] for r in rows} == set(step["pages"]) and all(float(r["ms"]) >= 0 for r in rows)
    assert (step["citizens"], step["officers"]) == (2, 1)
    # Citizens reached the form and the track page (with a look-up); the officer signed in and saw the queue.
    assert {"file_complaint", "track_complaint", "sign_in", "queue"} <= set(step["pages"])
    assert step["pages"]["track_complaint"]["views"] >= 2          # the page, then the look-up
    assert step["server_rss_mb"] > 50 and step["citizen_p95_ms"] > 0


def test_a_page_that_breaks_fails_the_run(tmp_path, monkeypatch):
    """A copy of the portal whose track page raises: the command counts errors and exits non-zero."""
    copy = tmp_path / "portal"
    shutil.copytree(conftest.ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "tests", "*.duckdb", "*.wal", "uploads", "backups", "__pycache__", "*.keys"))
    (copy / ".venv").symlink_to(conftest.ROOT / ".venv")
    page = copy / "pages" / "track_complaint.py"
    page.write_text(page.read_text().replace('st.title(ui.tr("track.title"))',
                                             'st.title(ui.tr("track.title"))\nraise RuntimeError("broken")'))
    monkeypatch.setattr(conftest, "ROOT", copy)
    (tmp_path / "db").mkdir()
    portal = PortalServer(tmp_path / "db")
    try:
        out = tmp_path / "load.json"
        code = load_command("--url", portal.url, "--pids", str(portal.process.pid), "--timeout", "120",
                            "--sessions", "2", "--officer-share", "0", "--duration", "4", "--ramp", "1",
                            "--think", "0.5,1", "--json", str(out))
    finally:
        portal.stop()
    step = json.loads(out.read_text())["steps"][0]
    assert code == 1
    assert step["pages"]["track_complaint"]["errors"] >= 1
    assert step["pages"]["file_complaint"]["errors"] == 0      # the other page still counts as served


@pytest.mark.parametrize("values,q,expected", [([1.0, 2.0, 3.0, 4.0], 50, 2.0), ([5.0], 95, 5.0),
                                                ([float(i) for i in range(1, 101)], 95, 95.0)])
def test_percentiles_are_nearest_rank(values, q, expected):
    assert load_report.percentile(values, q) == expected
