"""Fixtures of the citizen's pages."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(portal_env):
    """A fresh app session on an empty database (caches cleared so no earlier test's database leaks in)."""
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.run()
    assert not at.exception
    yield at
    st.cache_resource.clear()
