"""`make mutants` breaks the code on purpose in ten places; this keeps its snippets in step with the code
in every `make test`, so a move or rename shows up here and not as an "error" nobody runs into."""
from __future__ import annotations

from tests.mutants import MUTANTS, ROOT


def test_every_mutant_still_finds_its_snippet_once_and_its_tests():
    stale = []
    for mutant in MUTANTS:
        path = ROOT / mutant["file"]
        count = path.read_text().count(mutant["original"]) if path.exists() else 0
        missing = [t for t in mutant["tests"] if not (ROOT / t).exists()]
        if count != 1 or missing:
            stale.append((mutant["name"], count, missing))
    assert stale == []
