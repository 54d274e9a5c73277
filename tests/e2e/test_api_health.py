"""The portal's own additions to Streamlit's server (portal.py, lib/ops/web.py), on a real `streamlit run
portal.py`: /api/health sees the database; static JavaScript is sent gzipped to browsers that accept it."""
from __future__ import annotations

import gzip
import json
import re
import time
import urllib.error
import urllib.request

from lib.db import connect as db
from tests.e2e.conftest import PortalServer


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Status, headers (lower-case names) and the body exactly as sent (urllib never decompresses)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def health_once_opened(url: str, bound_s: float = 180) -> tuple[int, dict, bytes]:
    """/api/health's first answer that is not "database not answering yet": the check gives the opening
    of a new database 5 s (lib/ops/web.py), which a busy machine can exceed; the opening goes on
    meanwhile, so a later ask finds it done. `bound_s` only bounds a portal that never opens it."""
    deadline = time.monotonic() + bound_s
    while True:
        status, headers, body = get(f"{url}/api/health")
        waiting = status == 503 and json.loads(body).get("reason") == "database not answering yet"
        if not waiting or time.monotonic() > deadline:
            return status, headers, body
        time.sleep(0.2)


def test_health_answers_ok_with_the_schema_version_of_the_running_portal(tmp_path):
    portal = PortalServer(tmp_path)
    try:
        status, headers, body = health_once_opened(portal.url)
        assert status == 200
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body) == {"status": "ok", "schema_version": db.LATEST_VERSION}
        # The portal's own connection: the file stays locked to this one process.
        assert portal.process.poll() is None
    finally:
        portal.stop()


def test_health_answers_503_while_the_database_is_unavailable_and_ok_once_it_is_back(tmp_path):
    held = db.connect(tmp_path / "portal.duckdb")    # another process's lock, as a CLI command would hold it
    portal = PortalServer(tmp_path)                  # Streamlit's own /_stcore/health says ok regardless
    try:
        status, headers, body = health_once_opened(portal.url)
        assert status == 503
        assert headers["content-type"].startswith("application/json")
        answer = json.loads(body)
        assert answer["status"] == "unavailable"
        assert str(tmp_path) not in body.decode()     # the public answer names no path
        held.close()
        status, _, body = health_once_opened(portal.url)
        assert (status, json.loads(body)) == (200, {"status": "ok", "schema_version": db.LATEST_VERSION})
    finally:
        held.close()
        portal.stop()


def test_static_javascript_is_gzipped_when_the_browser_accepts_gzip(tmp_path):
    portal = PortalServer(tmp_path)
    try:
        _, _, index = get(f"{portal.url}/")
        script = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', index).group(1).decode()
        status, plain_headers, plain = get(f"{portal.url}/{script}")
        assert status == 200 and "content-encoding" not in plain_headers
        for _ in range(2):                           # compressed once, then served from the kept copy
            status, headers, body = get(f"{portal.url}/{script}", {"Accept-Encoding": "gzip, deflate, br"})
            assert status == 200
            assert headers["content-encoding"] == "gzip"
            assert "accept-encoding" in headers["vary"].lower()
            assert int(headers["content-length"]) == len(body) < len(plain) / 2
            assert gzip.decompress(body) == plain
        print(f"\n{script}: {len(plain)} bytes plain, {len(body)} gzipped")
        # A browser revalidating, or asking for a range, gets Streamlit's own answer, not the gzip copy.
        status, headers, _ = get(f"{portal.url}/{script}", {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
        assert status == 206 and "content-encoding" not in headers
    finally:
        portal.stop()
