"""The house rules of lib/ as a test: which layer may import which (README, "Layout").

    pages ─▶ ui ─▶ areas (citizen, casework, hearings, sms, analytics, staff) ─▶ db ─▶ core
    ops (tools around the product) may use everything; pages and ui may call ops (start-up, backup);
    no area imports ops or ui, db imports only core, core imports nothing of ours.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AREAS = {"citizen", "casework", "hearings", "sms", "analytics", "staff", "partners"}


def layer(module: str) -> str | None:
    """The layer a dotted module name of ours belongs to ('pages', 'ui', 'ops', an area, 'db', 'core')."""
    parts = module.split(".")
    if parts[0] == "pages" or module == "app":
        return "pages"
    if parts[0] != "lib" or len(parts) < 2:
        return None
    return parts[1]


# What each layer may import (besides itself and outside packages).
ALLOWED = {
    "core": {"core"},
    "db": {"core", "db"},
    **{area: {"core", "db", *AREAS} for area in AREAS},
    "ui": {"core", "db", "ops", *AREAS, "ui"},
    "ops": {"core", "db", "ops", "ui", *AREAS},
    "pages": {"core", "ui", "ops", *AREAS},
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("lib", "lib.db"):       # `from lib import ui`: the names are modules
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "lib").rglob("*.py"))]


def violations(path: Path) -> list[str]:
    own = layer(module_name(path))
    if own is None:
        return []
    bad = []
    for line, imported in imports_of(path):
        target = layer(imported)
        if target is None or target == own:
            continue
        if target not in ALLOWED.get(own, set()) or (target == "lib" and imported == "lib"):
            bad.append(f"{path.relative_to(ROOT)}:{line} imports {imported} ({own} may not import {target})")
    return bad


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path):
    assert violations(path) == []


def test_every_lib_module_is_in_a_layer():
    """A module dropped straight into lib/ would sit outside the rules."""
    loose = sorted(p.name for p in (ROOT / "lib").glob("*.py") if p.name != "__init__.py")
    assert loose == []


def test_the_rule_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself bites: db importing an area and an area importing ops are both named."""
    (tmp_path / "lib" / "db").mkdir(parents=True)
    (tmp_path / "lib" / "citizen").mkdir(parents=True)
    (tmp_path / "lib" / "db" / "x.py").write_text("from lib.casework import queue\n")
    (tmp_path / "lib" / "citizen" / "y.py").write_text("from lib.ops import seed\nfrom lib.core import config\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert violations(tmp_path / "lib" / "db" / "x.py") == [
        "lib/db/x.py:1 imports lib.casework (db may not import casework)"]
    assert violations(tmp_path / "lib" / "citizen" / "y.py") == [
        "lib/citizen/y.py:1 imports lib.ops (citizen may not import ops)"]


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in CODE if (n := len(p.read_text().splitlines())) > 420}
    assert long == {}
