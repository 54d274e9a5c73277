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


def t(language: str, key: str, **params) -> str:
    """The text for `key` in `language`, with {placeholders} filled.

    A missing key raises KeyError: tests check both catalogs hold the same keys, so this only
    fires for a typo in code, and loudly rather than showing a raw key to a citizen.
    """
    text = catalog(language)[key]
    return text.format(**params) if params else text


def name_in(language: str, name_en: str | None, name_hi: str | None) -> str:
    """A place's or department's name in the language, falling back to English where no Hindi name is known."""
    if language == Language.HINDI and name_hi:
        return name_hi
    return name_en or name_hi or ""
