"""The lighter copies of Streamlit's two web fonts that the portal serves in their place (issue #14).

    .venv/bin/python -m lib.ops.fonts        # after upgrading Streamlit: writes both into lib/ui/fonts

Streamlit's frontend loads its icon font (Material Symbols Rounded, 366 KiB: 4,309 icons) on every page
as soon as it starts, and its Latin font (Source Sans, 166 KiB: Latin, Greek, Cyrillic, Vietnamese) for
every digit and Latin letter on a Hindi page: together 40 % of a citizen's first visit. The copies:
- icons: only those whose names appear in Streamlit's frontend or Python code, and the portal's
  `:material/…:` icons (`:material/videocam:`); the letters stay, so an icon left out would show as its name;
  tests/ops/test_fonts.py fails when a Streamlit upgrade uses an icon the copy lacks;
- Latin: Basic Latin, Latin-1, punctuation, arrows and the rupee sign, every weight (the font is
  variable); any other character falls through to the phone's own sans-serif.
StaticGzipMiddleware (lib/ops/web.py) sends them at Streamlit's own URLs. Needs fonttools
(requirements-dev.txt); the portal itself only reads the two files.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "lib" / "ui" / "fonts"
# Where Streamlit is installed, found without importing it (only app.py, pages/ and lib/ui import it).
STREAMLIT_DIR = Path(importlib.util.find_spec("streamlit").origin).parent
STATIC_MEDIA = STREAMLIT_DIR / "static" / "static" / "media"
STATIC_JS = STREAMLIT_DIR / "static" / "static" / "js"
# Streamlit's file name up to its content hash -> the portal's copy.
ICONS = ("MaterialSymbols-Rounded.", FONT_DIR / "MaterialSymbols-Rounded.portal.woff2")
LATIN = ("SourceSansVF-Upright.ttf.", FONT_DIR / "SourceSansVF-Upright.latin.woff2")
REPLACED = (ICONS, LATIN)
# The portal's own Devanagari subset (lib/ui/frame.py names it in an @font-face): served beside
# Streamlit's media under a name carrying its content hash, so a browser keeps it for a year and a
# repeat visit does not fetch it again. Sent inline (base64 on the WebSocket) it went again with
# every new tab, 78 KiB of text, most of a repeat visit's bytes on a slow phone, and the server
# prepared and sent it in every new session.
DEVANAGARI = FONT_DIR / "NotoSansDevanagari-Regular.subset.woff2"
MEDIA_URL = "/static/media/"         # Streamlit's media folder on its server (after any base path)
LATIN_UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2000, 0x2070), *range(0x2190, 0x2194),
                  0x20B9, 0x2212]
WORD = re.compile(r"[a-z0-9_]+")
MATERIAL = re.compile(r":material/([a-z0-9_]+):")


@functools.cache
def devanagari_name() -> str:
    """The Devanagari font's file name at the portal's URL: changes whenever its bytes do."""
    return f"PortalDevanagari.{hashlib.sha256(DEVANAGARI.read_bytes()).hexdigest()[:16]}.woff2"


def streamlit_font(prefix: str) -> Path:
    """Streamlit's own file (its name carries a hash that changes between versions)."""
    found = sorted(STATIC_MEDIA.glob(f"{prefix}*.woff2"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {prefix}*.woff2 in {STATIC_MEDIA}, found {len(found)}")
    return found[0]


def words_in_code() -> set[str]:
    """Where an icon's name can come from: every lower-case word of Streamlit's frontend and Python
    code (they name icons as plain strings), and the portal's `:material/…:` icons."""
    # Not Streamlit's list of every icon's name (material_icon_names.py, for checking `:material/…:`).
    streamlit_files = [*STATIC_JS.glob("*.js"),
                       *(p for p in STREAMLIT_DIR.rglob("*.py") if p.name != "material_icon_names.py")]
    portal_files = [*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT.joinpath("app").with_suffix(".py")]
    words: set[str] = set()
    for file in streamlit_files:
        words |= set(WORD.findall(file.read_text(encoding="utf-8", errors="replace")))
    for file in portal_files:
        words |= set(MATERIAL.findall(file.read_text(encoding="utf-8")))
    return words


def _ligature_tables(font):
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            if table.LookupType == 7:                  # an extension: the real table is inside
                table = table.ExtSubTable
            if table.LookupType == 4:
                yield table


def icon_names(font) -> dict[str, str]:
    """Icon name -> its glyph: the font draws an icon for the ligature of its name's letters."""
    letter = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    names = {}
    for table in _ligature_tables(font):
        for first, ligatures in table.ligatures.items():
            for ligature in ligatures:
                names["".join(letter.get(g, "?") for g in (first, *ligature.Component))] = ligature.LigGlyph
    return names


def _subset(font, unicodes: list[int], glyphs: list[str] = ()) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes, glyphs=list(glyphs))
    subsetter.subset(font)


def write_icons(target: Path = ICONS[1]) -> int:
    """The icon font with only the icons named in code; returns how many."""
    from fontTools.ttLib import TTFont

    font = TTFont(streamlit_font(ICONS[0]))
    names = icon_names(font)
    words = words_in_code()
    keep = {glyph for name, glyph in names.items() if name in words}
    for table in _ligature_tables(font):        # the others go, or the subsetter would keep them all
        for first in list(table.ligatures):
            table.ligatures[first] = [lig for lig in table.ligatures[first] if lig.LigGlyph in keep]
            if not table.ligatures[first]:
                del table.ligatures[first]
    _subset(font, list(range(0x20, 0x7F)), sorted(keep))
    font.flavor = "woff2"
    font.save(target)
    return len(keep)


def write_latin(target: Path = LATIN[1]) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(streamlit_font(LATIN[0]))
    _subset(font, LATIN_UNICODES)
    # A modified font may not carry the Reserved Font Name "Source" (its SIL OFL 1.1); browsers know it
    # by the family name in Streamlit's @font-face, not by these.
    for record in font["name"].names:
        text = str(record)
        if "Source" in text and record.nameID != 0:
            font["name"].setName(text.replace("SourceSans3", "PortalLatin").replace("Source Sans 3", "Portal Latin")
                                 .replace("Source", "Portal"), record.nameID, record.platformID,
                                 record.platEncID, record.langID)
    font.flavor = "woff2"
    font.save(target)


def main() -> None:
    icons = write_icons()
    write_latin()
    for prefix, target in REPLACED:
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes "
              f"(Streamlit's {streamlit_font(prefix).name}: {streamlit_font(prefix).stat().st_size:,})")
    print(f"{icons} icons kept")


if __name__ == "__main__":
    main()
