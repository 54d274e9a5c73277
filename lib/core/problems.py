"""Problems with what a citizen or officer entered, as catalog keys so each layer can show them in the user's language."""
from __future__ import annotations

from dataclasses import dataclass, field

import regex


@dataclass(frozen=True)
class Problem:
    field: str                      # the form field it belongs beside ("mobile", "id_document", ...)
    key: str                        # catalog key, e.g. "error.mobile_invalid"
    params: dict = field(default_factory=dict, compare=False, hash=False)


class InvalidInput(ValueError):
    """Raised with every problem found at once; nothing has been saved when it is raised."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(f"{p.field}: {p.key}" for p in self.problems))

    @property
    def keys(self) -> set[str]:
        return {p.key for p in self.problems}


def letters(text: str) -> int:
    """How many characters a reader sees: grapheme clusters, so "सड़क" is 3 (स, ड़, क) where
    len() counts 4 code points, and a conjunct such as "क्ष" is one."""
    return len(regex.findall(r"\X", text))


def check_text(problems: list[Problem], field: str, value: str | None, low: int, high: int) -> str:
    """The stripped text, adding a problem when it is missing (low > 0), shorter than `low`
    characters as a reader counts them (see `letters`), or longer than `high` code points (the
    storage limit, and what the browser's max_chars counts). A NUL character is dropped: invisible,
    and PostgreSQL's text cannot hold one, so both engines keep the same text."""
    value = (value or "").replace("\x00", "").strip()
    if low and not value:
        problems.append(Problem(field, "error.required"))
    elif letters(value) < low:
        problems.append(Problem(field, "error.too_short", {"min": low}))
    elif len(value) > high:
        problems.append(Problem(field, "error.too_long", {"max": high}))
    return value
