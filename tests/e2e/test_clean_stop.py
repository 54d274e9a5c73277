"""A quiet stop (issue #12): stopping the portal closes DuckDB and the SMS dispatcher cleanly, so the log
ends without DuckDB's "nanobind: leaked ..." dump.

Under `streamlit run portal.py` (st.App on uvicorn) the clean-up is the app's lifespan (portal.py): uvicorn
shuts down gracefully on SIGTERM and then ends the process by re-raising the signal, so the exit status is
"terminated by SIGTERM" (what systemd expects of a stopped service), and exit hooks never run."""
from __future__ import annotations

import signal

from playwright.sync_api import expect

from tests.e2e.conftest import PortalServer


def test_stopping_the_portal_leaves_no_leak_dump_in_the_log(tmp_path, browser):
    portal = PortalServer(tmp_path)
    try:
        page = browser.new_page()
        page.goto(portal.url)                       # the first page opens the database
        expect(page.locator("h1").first).to_be_visible(timeout=60_000)
        page.close()
    finally:
        portal.stop()
    portal.log.seek(0)
    log = portal.log.read().decode(errors="replace")
    assert portal.process.returncode in (0, -signal.SIGTERM), log[-2000:]    # stopped by terminate(), not killed
    assert "portal stopped: database closed" in log, log[-2000:]
    assert "nanobind" not in log and "leaked" not in log, log[-2000:]
    # DuckDB closed properly: its write-ahead log was checkpointed into the file and removed.
    assert not portal.db_path.with_name(portal.db_path.name + ".wal").exists()
