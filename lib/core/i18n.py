"""Hindi and English text: every visible string comes from the catalogs in lib/locales/<lang>/*.json by key."""
from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"


class Language(StrEnum):
    HINDI = "hi"
    ENGLISH = "en"


DEFAULT_LANGUAGE = Language.HINDI     # Hindi first: most citizens of Rewari read it best


@cache
def catalog(language: str) -> dict[str, str]:
    """All keys of a language. Each screen area keeps its own file (citizen.json, queue.json, ...)
    so that work on one area does not touch another's; a key defined twice is an error."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / Language(language)).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"{path.name} defines keys defined elsewhere: {sorted(clash)}")
        merged.update(part)
    return merged


def plural_form(language: str, count: int) -> str:
    """CLDR's plural category: "one" or "other". Hindi uses the singular for 0 and 1 ("0 कमी",
    "1 कमी", "2 कमियाँ"); English only for 1."""
    if language == Language.HINDI:
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


def t(language: str, key: str, **params) -> str:
    """The text for `key` in `language`, with {placeholders} filled.

    With a whole-number `count`, a text that changes with the number has its singular under
    "<key>.one" and the plural (and every other number) under "<key>" itself, so the code always
    names the plain key. A missing key raises KeyError: tests check both catalogs hold the same
    keys, so this only fires for a typo in code, and loudly rather than showing a raw key.
    """
    texts = catalog(language)
    text = texts[key]
    count = params.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and plural_form(language, count) == "one":
        text = texts.get(f"{key}.one", text)
    return text.format(**params) if params else text


def name_in(language: str, name_en: str | None, name_hi: str | None) -> str:
    """A place's or department's name in the language, falling back to English where no Hindi name is known."""
    if language == Language.HINDI and name_hi:
        return name_hi
    return name_en or name_hi or ""
