"""Hindi as people read it: short words counted by the letters they see, and plurals that agree with the number."""
from __future__ import annotations

import pytest

from lib.citizen import filing
from lib.core.i18n import t
from lib.core.problems import InvalidInput, check_text, letters
from tests.conftest import make_form

TRACK = "http://localhost:8501/track_complaint"


@pytest.mark.parametrize("word, seen", [("सड़क", 3), ("क्षेत्र", 2), ("नल", 2), ("Road", 4)])
def test_letters_are_counted_as_a_reader_sees_them(word, seen):
    assert letters(word) == seen


def test_a_short_hindi_subject_is_accepted(con, settings, choices):
    ack = filing.file_complaint(con, settings, make_form(subject="सड़क"), choices, track_url=TRACK)
    assert ack.tracking_no.startswith("RWR-")


def test_too_short_still_counts_what_is_seen():
    problems = []
    check_text(problems, "subject", "नल", 3, 150)      # 2 letters, also 2 code points
    assert [p.key for p in problems] == ["error.too_short"]
    problems = []
    check_text(problems, "subject", "पड़", 3, 150)      # 3 code points, but 2 letters
    assert [p.key for p in problems] == ["error.too_short"]


def test_a_subject_too_short_in_letters_is_refused(con, settings, choices):
    with pytest.raises(InvalidInput) as refused:
        filing.file_complaint(con, settings, make_form(subject="पड़"), choices, track_url=TRACK)
    assert "error.too_short" in refused.value.keys


@pytest.mark.parametrize("language, count, text", [
    ("hi", 1, "कृपया नीचे चिह्नित कमी ठीक करें।"),
    ("hi", 10, "कृपया नीचे चिह्नित 10 कमियाँ ठीक करें।"),
    ("en", 1, "Please correct the problem marked below."),
    ("en", 2, "Please correct the 2 problems marked below."),
])
def test_the_problem_count_agrees_with_its_noun(language, count, text):
    assert t(language, "form.fix_problems", count=count).startswith(text)


def test_hindi_counts_zero_as_singular_and_english_as_plural():
    assert t("hi", "queue.bulk.done", count=0) == "0 शिकायत के लिए हो गया।"
    assert t("en", "queue.bulk.done", count=0) == "Done for 0 complaints."

