"""How the portal is started: `python -m streamlit run portal.py` (Makefile, README, the browser tests).

Streamlit 1.67 sees the `st.App` below and serves app.py (the frame and router) through it, with the
portal's own routes and middleware added (lib/ops/web.py): `/api/health`, a readiness check that sees
the database, the Open311 GeoReport v2 API for partner systems (lib/ops/open311_api.py), and gzip for
Streamlit's static assets. Every `--server.*` flag and
`.streamlit/config.toml` apply as with `streamlit run app.py`, which still works, without those two."""
import logging
from contextlib import asynccontextmanager
from functools import cache

import streamlit as st

from lib.core.config import Settings, load_settings
from lib.ops import startup, web


@cache
def settings() -> Settings:
    """The same Settings lib/ui gives the pages: secrets.toml's keys, else the key file beside the database."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:               # no secrets.toml
        secrets = {}
    return load_settings(secrets)


@asynccontextmanager
async def stop_cleanly(_app):
    """When the server stops: stop the SMS dispatcher and close DuckDB (checkpointed, no leak dump).
    Here, not only at exit: after a SIGTERM uvicorn ends the process by the signal, and exit hooks
    never run."""
    yield
    st.cache_resource.clear()                    # the dispatcher thread, the pages' connection
    startup.release_all_portal_databases()       # one only the health check opened
    logging.getLogger("lib.ops.web").info("portal stopped: database closed")


app = st.App("app.py", routes=web.routes(settings), middleware=web.middleware(), lifespan=stop_cleanly)
