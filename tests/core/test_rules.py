"""Rules that keep the code easy to change: who may import what, guards on pages, catalogs complete."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lib.staff.access import PageName
from lib.core.complaints import Status
from lib.core.i18n import LOCALES_DIR, Language, catalog

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "lib").rglob("*.py"))]
# lib/ops/bench.py and bench_pages.py render the real pages through AppTest, as the tests do; the app
# never imports them.
BENCH = {ROOT / "lib" / "ops" / "bench.py", ROOT / "lib" / "ops" / "bench_pages.py"}
# lib/ops/load.py speaks Streamlit's wire protocol (streamlit.proto) to a running portal, as a browser does.
LOAD = ROOT / "lib" / "ops" / "load.py"
STREAMLIT_ALLOWED = {ROOT / "app.py", *BENCH, LOAD, *(ROOT / "lib" / "ui").rglob("*.py"), 
                     *(ROOT / "pages").glob("*.py")}


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_streamlit_and_duckdb_stay_in_their_layers(path):
    modules = imported_modules(path)
    if path not in STREAMLIT_ALLOWED:
        assert not modules & {"streamlit", "streamlit_authenticator", "streamlit_calendar"}, \
            "streamlit may be imported only in app.py, pages/ and lib/ui.py"
    if path not in BENCH:
        assert not any(n.startswith("lib.ops.bench") or n == "lib.ops.bench" for n in _imported_names(path)), \
            "the app never imports lib.ops.bench"
    if (ROOT / "lib" / "db") not in path.parents:
        assert "duckdb" not in modules, "duckdb may be imported only in lib/db/"


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_every_page_starts_with_its_guard(path):
    body = [n for n in ast.parse(path.read_text(encoding="utf-8")).body
            if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]   # docstring
    first, second = body[0], body[1]
    assert ast.unparse(first) == "from lib import ui"
    assert ast.unparse(second) == f"ui.guard('{path.stem}')"


def test_every_page_file_is_a_named_page():
    assert {p.stem for p in (ROOT / "pages").glob("*.py")} == {p.value for p in PageName}


def catalogs() -> dict[str, dict[str, str]]:
    return {lang: catalog(lang) for lang in Language}


def test_each_area_has_its_catalog_in_both_languages():
    assert ({p.name for p in (LOCALES_DIR / "hi").glob("*.json")}
            == {p.name for p in (LOCALES_DIR / "en").glob("*.json")})


def test_both_catalogs_have_the_same_keys_and_no_empty_text():
    hi, en = catalogs()["hi"], catalogs()["en"]
    assert set(hi) - set(en) == set(), "keys missing in English"
    assert set(en) - set(hi) == set(), "keys missing in Hindi"
    assert [k for k, v in {**hi, **en}.items() if not v.strip()] == []


def test_hindi_catalog_is_in_hindi():
    hi = catalogs()["hi"]
    devanagari = re.compile(r"[\u0900-\u097F]")
    assert sum(bool(devanagari.search(v)) for v in hi.values()) / len(hi) > 0.95


def literal_keys_in_code(prefixes: set[str]) -> set[str]:
    """Catalog keys written literally in the code, e.g. tr("track.title") or Problem(f, "error.required"):
    every string literal shaped like a key whose first part is one the catalogs use."""
    keys = set()
    for path in APP_CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"[a-z_]+\.[a-z0-9_.]*[a-z0-9_]", node.value)
                    and node.value.split(".")[0] in prefixes):
                keys.add(node.value)
    return keys


def test_every_key_the_code_uses_is_in_the_catalogs():
    en = catalogs()["en"]
    prefixes = {k.split(".")[0] for k in en}
    used = literal_keys_in_code(prefixes)
    assert "track.title" in used                       # the scan itself works
    missing = sorted(k for k in used if k not in en)
    assert missing == []


def test_every_status_has_a_label_and_a_next_step():
    en = catalogs()["en"]
    for status in Status:
        assert f"status.{status}" in en and f"next.{status}" in en
