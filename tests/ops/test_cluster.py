"""`make run-cluster` (lib/ops/cluster.py): the nginx configuration it writes is valid and names every
portal, and SIGTERM stops the proxy, the portals and the throwaway PostgreSQL, leaving nothing behind.
The browser test across processes is tests/e2e/test_cluster.py."""
from __future__ import annotations

import contextlib
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from lib.core.config import PROJECT_DIR
from lib.ops.cluster import ROUTE_COOKIE, PortalCluster, nginx_binary, nginx_config, wait_until_ready
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


# ---- the proxy's port: its own, and the answer nginx's ----

def test_a_portal_given_the_proxys_port_is_refused_before_anything_starts():
    port = free_port()
    portals = PortalCluster(portals=2, port=port, portal_ports=[port, port + 1], db_url="postgresql://unused/x")
    with pytest.raises(ValueError, match=f"the proxy \\(port {port}\\) and every portal .* need ports of their own"):
        portals.start()
    assert portals.folder is None and portals.members == [] and portals.nginx is None


@contextlib.contextmanager
def answering(cookie: str | None):
    """A plain HTTP server on a free port that answers 200, setting `cookie` or nothing."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            if cookie:
                self.send_header("Set-Cookie", f"{cookie}=abc; Path=/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_proxy_counts_as_ready_only_when_nginx_answers_with_its_route_cookie():
    # nginx that cannot bind its port retries, then exits; meanwhile another server on that port (once,
    # a portal given the same port) answers 200 without the route cookie and is not taken for nginx.
    exiting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    with answering(cookie=None) as url, pytest.raises(RuntimeError, match="ended .* before it was ready"):
        wait_until_ready(url, exiting, 60, path="/_stcore/health", sets_cookie=ROUTE_COOKIE)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with answering(cookie=ROUTE_COOKIE) as url:
            wait_until_ready(url, running, 60, path="/_stcore/health", sets_cookie=ROUTE_COOKIE)
    finally:
        running.kill()
        running.wait()
