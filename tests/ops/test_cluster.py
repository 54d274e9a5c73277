"""`make run-cluster` (lib/ops/cluster.py): the nginx configuration it writes is valid and names every
portal, and SIGTERM stops the proxy, the portals and the throwaway PostgreSQL, leaving nothing behind.
The browser test across processes is tests/e2e/test_cluster.py."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from lib.core.config import PROJECT_DIR
from lib.ops.cluster import ROUTE_COOKIE, nginx_binary, nginx_config
from lib.ops.pg_server import postgres_bin
from tests.e2e.conftest import free_port

needs_nginx = pytest.mark.skipif(
    nginx_binary() is None, reason="nginx is not installed: `make nginx` (part of `make test`) installs Debian's nginx")


@needs_nginx
def test_the_written_configuration_is_valid_nginx_and_names_every_portal(tmp_path):
    text = nginx_config(8500, [8501, 8502, 8503], tmp_path)
    assert "@" not in re.sub(r"#.*", "", text)              # every placeholder filled in
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", text) == ["8501", "8502", "8503"]
    assert "hash $route consistent" in text and f"$cookie_{ROUTE_COOKIE}" in text
    (tmp_path / "nginx.conf").write_text(text, encoding="utf-8")
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@needs_nginx
@pytest.mark.skipif(os.environ.get("ESACHIVALAYA_TEST_PG") is None and postgres_bin() is None,
                    reason="no initdb: install Debian's postgresql (make test does)")
def test_sigterm_stops_the_proxy_the_portals_and_the_database(tmp_path):
    env = {**os.environ, "ESACHIVALAYA_DEMO": "0", "ESACHIVALAYA_SMS_DISPATCHER": "0"}
    env.pop("ESACHIVALAYA_DB", None)                       # a throwaway PostgreSQL server
    cluster = subprocess.Popen([sys.executable, "-m", "lib.ops.cluster", "--portals", "2", "--port", str(free_port())],
                               cwd=PROJECT_DIR, env=env, stderr=subprocess.PIPE, text=True)
    said = []
    try:
        for line in cluster.stderr:                        # until it says it is up (or ends)
            said.append(line)
            if "Ctrl-C stops everything" in line:
                break
        text = "".join(said)
        portal_pids = [int(pid) for pid in re.findall(r"ready \(pid (\d+)\)", text)]
        nginx_pid = int(re.search(r"nginx pid (\d+)", text).group(1))
        folder = Path(re.search(r"config (\S+)/nginx/nginx\.conf", text).group(1))
        database = Path(unquote(re.search(r"postgresql://postgres@([^/\s]+)/", text).group(1)))
        assert len(portal_pids) == 2 and all(map(alive, [*portal_pids, nginx_pid])) and database.is_dir(), text

        cluster.send_signal(signal.SIGTERM)
        assert cluster.wait(timeout=120) == 0
    finally:
        if cluster.poll() is None:         # a failed check: still stop it cleanly (its PostgreSQL too)
            cluster.terminate()
            try:
                cluster.wait(timeout=120)
            except subprocess.TimeoutExpired:
                cluster.kill()
    text += cluster.stderr.read()
    assert "stopped" in text
    assert not any(map(alive, [*portal_pids, nginx_pid])), text
    assert not folder.exists() and not database.exists()
