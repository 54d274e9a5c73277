"""portal.py's additions to the server (lib/ops/web.py) without a server: what they import, which requests
the gzip copy answers. The running portal's answers are in tests/e2e/test_api_health.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lib.ops.web import StaticGzipMiddleware

ROOT = Path(__file__).resolve().parents[2]


def test_the_health_check_does_not_import_the_pages_components():
    """Imported outside a page's run, extra_streamlit_components would declare the sign-in cookie's
    component where Streamlit's server never registers it: sign-in would break for the whole process."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, portal; print(sorted(m for m in sys.modules if m.startswith("
         "('lib.ui', 'extra_streamlit_components', 'streamlit_authenticator'))))"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def scope(path="/static/js/index.js", method="GET", **headers) -> dict:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": method, "path": path, "headers": raw}


def test_only_plain_gets_of_static_assets_that_accept_gzip_get_the_gzip_copy():
    wanted = StaticGzipMiddleware._wanted
    assert wanted(scope(accept_encoding="gzip, deflate, br"))
    assert wanted(scope(accept_encoding="br;q=1.0, gzip;q=0.8"))
    assert not wanted(scope())                                            # no Accept-Encoding
    assert not wanted(scope(accept_encoding="br"))
    assert not wanted(scope(accept_encoding="gzip", range="bytes=0-9"))
    assert not wanted(scope(accept_encoding="gzip", if_none_match='"abc"'))
    assert not wanted(scope(accept_encoding="gzip", method="HEAD"))
    assert not wanted(scope("/api/health", accept_encoding="gzip"))
    assert not wanted(scope("/media/abc.jpg", accept_encoding="gzip"))
