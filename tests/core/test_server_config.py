"""The server is started without per-run waste (issue #14): no file watcher, no full GC after each run."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def streamlit_option(name: str) -> str:
    """The option as Streamlit itself reads it from .streamlit/config.toml, started from the project."""
    code = f"from streamlit import config; print(config.get_option({name!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_streamlit_runs_without_the_file_watcher():
    assert streamlit_option("server.fileWatcherType") == "none"


def test_streamlit_runs_without_a_full_collection_after_each_run():
    assert streamlit_option("runner.postScriptGC") == "False"


def test_only_make_dev_turns_the_file_watcher_on():
    """Every documented start command inherits config.toml; only the dev target asks for a watcher."""
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    watched = [line for line in (makefile + readme).splitlines() if "fileWatcherType" in line]
    assert watched and all("auto" in line or "none" in line for line in watched)
    dev_recipe = re.search(r"^dev:.*\n\t(.*)$", makefile, re.M)
    assert dev_recipe and "--server.fileWatcherType auto" in dev_recipe.group(1)
    run_recipe = re.search(r"^run:.*\n\t(.*)$", makefile, re.M)
    assert run_recipe and "fileWatcherType" not in run_recipe.group(1)


def test_the_server_runs_its_event_loop_on_uvloop():
    """Streamlit's uvicorn leaves the loop on "auto", which takes uvloop when it is installed: each
    element a page draws wakes the loop from the page's thread, and asyncio's own loop did that by a
    socket write that let go of the interpreter lock (~20 % of a loaded portal's samples)."""
    code = ("from streamlit.web.server.starlette import starlette_server as s; import uvicorn;"
            "kw = s._get_uvicorn_config_kwargs(); print(kw.get('loop', 'auto'));"
            "loop = uvicorn.Config(app=None, **kw).get_loop_factory()(); print(type(loop).__module__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["auto", "uvloop"]
