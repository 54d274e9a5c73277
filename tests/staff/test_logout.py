"""Signing out through the portal's own button revokes that sign-in cookie on the server (AppTest)."""
from __future__ import annotations

from lib.staff import signin
from tests.conftest import PROJECT_DIR
import pytest

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

EXPIRES = 1767000000.5          # the expiry of the cookie this session was signed in with


def test_the_sign_out_button_revokes_the_sessions_cookie(demo_users):
    from streamlit.testing.v1 import AppTest

    from lib.ui import EXPIRES_KEY, connection

    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "dc_rewari"
    at.session_state[EXPIRES_KEY] = EXPIRES
    at.run()
    assert not at.exception
    assert not signin.is_revoked(connection(), "dc_rewari", EXPIRES)
    [button] = [b for b in at.button if b.label == "साइन आउट"]
    button.click().run()
    assert not at.exception
    assert "साइन आउट" not in [b.label for b in at.button]                 # signed out here ...
    assert signin.is_revoked(connection(), "dc_rewari", EXPIRES)          # ... and the copied cookie is dead
    assert not signin.is_revoked(connection(), "dc_rewari", EXPIRES + 1)  # only that cookie
