"""Every date a person types or picks reads DD-MM-YYYY, as Indian forms do (issue #11): Streamlit's
date picker defaults to YYYY/MM/DD, so each call must say so. Checked on the source, every page."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def date_fields() -> list[tuple[str, int, str | None]]:
    found = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("lib/ui/**/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "date_input":
                fmt = next((k.value.value for k in node.keywords
                            if k.arg == "format" and isinstance(k.value, ast.Constant)), None)
                found.append((str(path.relative_to(ROOT)), node.lineno, fmt))
    return found


def test_every_date_field_reads_day_month_year():
    fields = date_fields()
    assert len(fields) >= 8                        # the form, queue, casework, analytics and admin
    wrong = [f"{path}:{line} format={fmt!r}" for path, line, fmt in fields if fmt != "DD-MM-YYYY"]
    assert wrong == []
