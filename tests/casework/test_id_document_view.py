"""The DC's view of an ID document: watermarked, never a /media URL, never downloadable, always audited."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from lib.citizen.id_view import watermark_lines, watermarked_data_uri
from tests.conftest import jpeg_bytes, open_portal_as
from tests.casework.test_detail_page import open_detail, portal, query  # noqa: F401 - the same portal fixture
from tests.pdf_samples import pages_pdf

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL


def picture_of(uri: str) -> Image.Image:
    head, _, body = uri.partition(",")
    assert head == "data:image/jpeg;base64"
    return Image.open(io.BytesIO(base64.b64decode(body)))


def test_the_watermark_is_burned_into_the_picture():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    original = Image.new("RGB", (800, 500), (255, 255, 255))
    buf = io.BytesIO()
    original.save(buf, "PNG")
    moment = datetime(2026, 3, 2, 15, 4, tzinfo=ZoneInfo("Asia/Kolkata"))
    shown = picture_of(watermarked_data_uri(buf.getvalue(), "image/png", "dc_rewari", moment)).convert("RGB")
    assert watermark_lines("dc_rewari", moment) == (
        "dc_rewari · 02-03-2026 15:04 IST", "केवल शिकायत निवारण हेतु", "for grievance redressal only")
    assert shown.width == 800 and shown.height > 500                   # the strip with the three lines
    # Across the document itself: red text over a white card.
    pixels = np.asarray(shown.crop((0, 0, 800, 500)), dtype=int)
    assert ((pixels[..., 0] - pixels[..., 1]) > 40).mean() > 0.005
    # A PDF stored before uploads were rendered is rendered now, never handed over as a PDF.
    assert picture_of(watermarked_data_uri(pages_pdf(1), "application/pdf", "dc_rewari", moment)).format == "JPEG"


def test_dc_sees_the_id_document_watermarked_with_no_media_url_and_the_view_is_audited(portal):  # noqa: F811
    at = open_detail(open_portal_as("dc_rewari"), portal["fresh"].tracking_no)
    at.button(key="open_id_document").click().run()
    assert not at.exception
    urls = [url for el in at.get("image") for url in el.value]
    id_urls = [u for u in urls if not u.startswith("/media/")]
    assert len(id_urls) == 1 and picture_of(id_urls[0]).format == "JPEG"
    assert not at.get("download_button")                   # only the watermarked picture leaves the server
    assert query("SELECT actor, action, target FROM audit_log WHERE action = 'id_document.opened'") == [
        ("dc_rewari", "id_document.opened", portal["fresh"].tracking_no)]
    # A data: URI is sent inside the DC's own websocket message: Streamlit puts it in no media store,
    # so there is no /media URL to fetch, and the next run (any click, leaving) shows it no more.
    at.run()
    assert not [url for el in at.get("image") for url in el.value if url.startswith("data:")]
