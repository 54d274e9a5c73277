"""The documented readiness check: /_stcore/health says "ok" once the portal is up, and fails once it stops."""
from __future__ import annotations

import shutil
import subprocess
import urllib.request

import pytest

from tests.e2e.conftest import PortalServer


def health(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
        return response.status, response.read()


def test_health_says_ok_once_the_portal_is_up_and_fails_once_it_stops(tmp_path):
    portal = PortalServer(tmp_path)        # waits for the health check itself; fails if it never comes
    try:
        assert health(portal.url) == (200, b"ok")
        if shutil.which("curl"):
            # The very line the README gives for a readiness probe.
            probe = subprocess.run(["curl", "-fsS", "--max-time", "5", f"{portal.url}/_stcore/health"],
                                   capture_output=True, text=True)
            assert (probe.returncode, probe.stdout) == (0, "ok")
    finally:
        portal.stop()
    with pytest.raises(OSError):           # stopped: the check fails, so an orchestrator notices
        health(portal.url)
