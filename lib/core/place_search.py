"""Finding a village or town from what a citizen types, in Latin letters or in Devanagari.

Rewari's villages have English names only (LGD has no Hindi names for 392 of 393, see
data/reference/SOURCES.md), so a Hindi query is read aloud into Latin letters and compared by sound
with the English names: "खुरसैद" finds "Khursaid Nagar", "रेवाड़ी" finds "Rewari".

The Devanagari table below is hand-written rather than taken from a transliteration package: the
portal needs only a rough, sound-alike reading (the comparison is fuzzy anyway), the table is small
and never changes, and the project's pinned environment is shared, so a new dependency tree for it
is not worth its weight. It is never shown to anyone as a name (machine transliteration of village
names is often wrong, SOURCES.md); it only ranks candidates.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from lib.core.places import Place, place_label

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_VIRAMA, _NUKTA = "\u094d", "\u093c"
_VOWELS = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai",
           "ओ": "o", "औ": "au", "ऑ": "o"}
_MATRAS = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
           "ौ": "au", "ॉ": "o", "ॅ": "e"}
_CONSONANTS = {"क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh",
               "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d",
               "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r",
               "ल": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s", "ह": "h", "ळ": "l"}
# A dot below (nukta) changes the sound: ड़ is the r of "Rewari", ज़ is z.
_WITH_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_PRECOMPOSED = {"क़": "क" + _NUKTA, "ख़": "ख" + _NUKTA, "ग़": "ग" + _NUKTA, "ज़": "ज" + _NUKTA,
                "ड़": "ड" + _NUKTA, "ढ़": "ढ" + _NUKTA, "फ़": "फ" + _NUKTA, "य़": "य" + _NUKTA}
_SIGNS = {"ं": "n", "ँ": "n", "ः": "h", "।": " "}
# Spellings that sound the same in Rewari's English names: Rewari/Revari, Khursaid/Khursed, ...
_SOUND_ALIKE = (("ph", "f"), ("w", "v"), ("ee", "i"), ("oo", "u"), ("sh", "s"), ("q", "k"), ("z", "j"),
                ("ai", "e"), ("ay", "e"), ("au", "o"), ("y", "i"))
MATCH_CUTOFF = 0.78


def to_latin(text: str) -> str:
    """A rough Latin reading of Devanagari (other characters pass through)."""
    for composed, parts in _PRECOMPOSED.items():
        text = text.replace(composed, parts)
    out: list[str] = []
    pending_a = False                   # the consonant just written still carries its inherent "a"
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch in _CONSONANTS:
            if pending_a:
                out.append("a")
            nukta = i + 1 < len(chars) and chars[i + 1] == _NUKTA
            out.append(_WITH_NUKTA[ch] if nukta and ch in _WITH_NUKTA else _CONSONANTS[ch])
            pending_a = True
            continue
        if ch == _NUKTA:
            continue
        if ch in _MATRAS or ch == _VIRAMA:
            out.append(_MATRAS.get(ch, ""))
        else:
            if pending_a and ch in _SIGNS:
                out.append("a")
            out.append(_VOWELS.get(ch) or _SIGNS.get(ch) or ch)
        pending_a = False
    # Hindi drops the inherent "a" at the end of a word (नगर is "nagar"), so the reading does too.
    return "".join(out)


def sound_key(text: str) -> str:
    """Lowercase letters and digits only, with sound-alike spellings made one and doubled letters single."""
    key = re.sub(r"[^a-z0-9]", "", to_latin(text).lower())
    for spelling, sound in _SOUND_ALIKE:
        key = key.replace(spelling, sound)
    key = key.replace("aa", "a")
    return re.sub(r"(.)\1+", r"\1", key)


def _score(query_key: str, name: str) -> float:
    name_key = sound_key(name)
    if not query_key or not name_key:
        return 0.0
    if name_key.startswith(query_key):
        return 2.0
    if query_key in name_key:
        return 1.5
    # Compare with the whole name and with its beginning of the same length ("khursed" ~ "khursednagar").
    best = max(SequenceMatcher(None, query_key, candidate).ratio()
               for candidate in (name_key, name_key[:len(query_key)], name_key[:len(query_key) + 1]))
    words = [sound_key(w) for w in re.split(r"[\s\-()]+", name) if w]
    best = max([best, *(SequenceMatcher(None, query_key, w).ratio() for w in words if w)])
    return best if best >= MATCH_CUTOFF else 0.0


def match_places(query: str, places: list[Place], language: str) -> list[Place]:
    """Places whose name matches what was typed, best first; [] for an empty query.

    Latin letters: case-insensitive match on the English name, then by sound. Devanagari: the Hindi
    name when it is set, and the English name by sound through a rough Latin reading."""
    query = (query or "").strip()
    if not query:
        return []
    key = sound_key(query)
    hindi = bool(DEVANAGARI.search(query))
    scored = []
    for place in places:
        score = _score(key, place.name_en)
        if hindi and place.name_hi and query in place.name_hi:
            score = max(score, 3.0 if place.name_hi.startswith(query) else 2.5)
        elif not hindi and query.lower() in place.name_en.lower():
            score = max(score, 2.0)
        if score:
            scored.append((-score, place_label(place, language), place.lgd_code, place))
    return [place for *_, place in sorted(scored, key=lambda s: s[:3])]



def narrowed_places(query: str, places: list[Place], language: str,
                    chosen: int | None = None) -> tuple[list[int], int]:
    """What a place picker offers after a search: the LGD codes found, best first (every place when
    nothing was typed or nothing matched), with the citizen's current choice always kept; and how
    many were found."""
    found = match_places(query, places, language)
    codes = [p.lgd_code for p in (found or places)]
    if chosen is not None and chosen not in codes and any(p.lgd_code == chosen for p in places):
        codes.insert(0, chosen)
    return codes, len(found)
