"""The portal's lighter copies of Streamlit's icon and Latin fonts (lib/ops/fonts.py): every icon Streamlit
or the portal can draw is in the copy (an icon left out would show its name in letters), and the
server answers Streamlit's font URLs with them. The first-visit figures are in the README."""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fontTools")
from fontTools.ttLib import TTFont  # noqa: E402

from lib.ops import fonts  # noqa: E402
from lib.ops.web import StaticGzipMiddleware  # noqa: E402


def test_every_icon_named_in_streamlits_code_or_the_portals_is_in_the_copy():
    everything = fonts.icon_names(TTFont(fonts.streamlit_font(fonts.ICONS[0])))
    words = fonts.words_in_code()
    named = {name for name in everything if name in words}
    kept = fonts.icon_names(TTFont(fonts.ICONS[1]))
    # Icons the citizen's form and officers' pages draw (the expander, the sidebar, the join button).
    assert {"keyboard_arrow_right", "keyboard_double_arrow_left", "videocam"} <= named
    assert named - set(kept) == set(), "Streamlit uses icons the copy lacks: run python -m lib.ops.fonts"
    assert len(kept) < len(everything) / 3


def test_the_latin_copy_has_every_letter_digit_and_the_rupee_of_a_hindi_page():
    cmap = TTFont(fonts.LATIN[1]).getBestCmap()
    assert [chr(c) for c in [*range(0x20, 0x7F), 0x20B9, 0xA0] if c not in cmap] == []
    assert "wght" in [axis.axisTag for axis in TTFont(fonts.LATIN[1])["fvar"].axes]    # every weight


def request(path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """The middleware's answer; Streamlit's app behind it answers 'streamlit'."""
    sent: list[dict] = []

    async def streamlit_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"streamlit"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [(b"accept-encoding", b"gzip")]}
    # In a thread of its own: after the browser tests, Playwright's event loop runs in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, StaticGzipMiddleware(streamlit_app)(scope, receive, send)).result()
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("prefix, copy", fonts.REPLACED)
def test_streamlits_font_url_gets_the_copy(prefix, copy):
    status, headers, body = request(f"/static/media/{fonts.streamlit_font(prefix).name}")
    assert status == 200 and body == copy.read_bytes()
    assert headers["content-type"] == "font/woff2" and int(headers["content-length"]) == len(body)
    assert "immutable" in headers["cache-control"]
    assert len(body) < fonts.streamlit_font(prefix).stat().st_size / 2


def test_other_files_and_methods_still_get_streamlits_answer():
    assert request("/static/media/SourceSansVF-Italic.ttf.Bt9VkdQ3.woff2")[2] == b"streamlit"
    assert request(f"/static/media/{fonts.streamlit_font(fonts.ICONS[0]).name}", method="HEAD")[2] == b"streamlit"
    assert request("/media/MaterialSymbols-Rounded.x.woff2")[2] == b"streamlit"


@pytest.mark.parametrize("base_path", ["", "portal", "/district/rewari/"])
def test_the_devanagari_font_the_pages_name_is_answered_and_cached_for_a_year(base_path):
    from lib.ui import frame

    url = re.search(r'url\("([^"]+)"\)', frame._font_face_css(base_path)).group(1)
    assert url.startswith("/" + base_path.strip("/") + "/static/media/" if base_path else "/static/media/")
    status, headers, body = request(url)
    assert status == 200 and body == fonts.DEVANAGARI.read_bytes()
    assert headers["content-type"] == "font/woff2" and "immutable" in headers["cache-control"]
    # Another version of the file gets another name: a browser's year-old copy is never the wrong font.
    assert fonts.devanagari_name() in url and request(url.replace(fonts.devanagari_name(), "PortalDevanagari.0.woff2"))[2] == b"streamlit"
