"""What the DC's office sees of a citizen's ID document: a picture with the viewer, the time and the
purpose burned in, handed over as a data: URI so that no URL of it ever exists on the server.

st.image of bytes puts the file into Streamlit's media store, where anyone holding its /media/<hash>
URL can fetch it (no sign-in) until the session's next run; a data: URI string is passed through
untouched (streamlit/elements/lib/image_utils.py), so the bytes travel only inside the signed-in
DC's own websocket message and are gone from the server when the page is left.
"""
from __future__ import annotations

import base64
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from lib.citizen import pdf

IST = ZoneInfo("Asia/Kolkata")
PURPOSE = ("केवल शिकायत निवारण हेतु", "for grievance redressal only")
# Debian's fonts-noto-core / fonts-dejavu-core. Noto's Devanagari font has no Latin letters, and
# Pillow's own font no Devanagari, so each line is drawn with a font for its script.
DEVANAGARI_FONTS = (Path("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"),)
LATIN_FONTS = (Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
               Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
JPEG_QUALITY = 85


def watermark_lines(viewer: str, moment: datetime) -> tuple[str, ...]:
    when = moment.astimezone(IST).strftime("%d-%m-%Y %H:%M IST")
    return (f"{viewer} · {when}",) + PURPOSE


def watermarked_data_uri(data: bytes, content_type: str, viewer: str, moment: datetime) -> str:
    """The stored ID document (a picture, or a PDF kept from before PDFs were rendered at upload)
    as a JPEG data: URI with the watermark drawn across it."""
    if content_type == "application/pdf":
        data = pdf.render_pdf(data, "id_document")
    with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as im:
        picture = im.convert("RGB")
    return "data:image/jpeg;base64," + base64.b64encode(_burn_in(picture, watermark_lines(viewer, moment))).decode()


def _font(line: str, size: int) -> ImageFont.ImageFont:
    devanagari = any("\u0900" <= ch <= "\u097f" for ch in line)
    for path in DEVANAGARI_FONTS if devanagari else LATIN_FONTS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _burn_in(picture: Image.Image, lines: tuple[str, ...]) -> bytes:
    """Diagonal bands of the text over the whole picture, plus one solid strip along the bottom edge:
    cropping one band away leaves the others, and the strip stays readable on any background."""
    width, height = picture.size
    size = max(14, min(width, height) // 28)
    fonts = [_font(line, size) for line in lines]
    layer = Image.new("RGBA", (width * 2, height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    step = size * 4
    for row, y in enumerate(range(0, height * 2, step)):
        n = row % len(lines)
        draw.text((-(y % (step * 3)), y), (lines[n] + "        ") * 8, font=fonts[n], fill=(200, 0, 0, 100))
    layer = layer.rotate(30, resample=Image.Resampling.BICUBIC)
    left, top = (layer.width - width) // 2, (layer.height - height) // 2
    marked = Image.alpha_composite(picture.convert("RGBA"), layer.crop((left, top, left + width, top + height)))
    line_height = size + size // 2
    sheet = Image.new("RGB", (width, height + line_height * len(lines) + size // 2), (255, 255, 255))
    sheet.paste(marked.convert("RGB"), (0, 0))
    draw = ImageDraw.Draw(sheet)
    for n, line in enumerate(lines):
        draw.text((size // 2, height + size // 4 + n * line_height), line, font=fonts[n], fill=(150, 0, 0))
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
