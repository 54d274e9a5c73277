"""A citizen's PDF turned into a picture on the server: its pages rendered by PDFium, stacked into one JPEG.

Only the rendered picture is ever stored or shown, so nothing inside the PDF (JavaScript, forms,
attachments, links, an HTML page wearing a %PDF- header) reaches the DC's browser or PDF reader.
PDFium runs no script here: scripts need a form environment (init_forms), which we never create.
"""
from __future__ import annotations

import ctypes
import io
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from lib.core.problems import InvalidInput, Problem

MAX_PDF_PAGES = 5
PAGE_LONG_SIDE = 1600               # pixels: an A4 page at ~190 dpi, readable and small
PAGE_GAP = 16                       # grey band between pages, so the DC sees where one ends
MAX_EMBEDDED_PIXELS = 25_000_000    # a picture inside the PDF claiming more is a decompression bomb
MAX_PAGE_POINTS = 14_400            # 200 inches, PDF's own largest page size
JPEG_QUALITY = 85

# PDFium is not thread-safe (pypdfium2's documentation): one document at a time per process.
# That also bounds memory: at most one PDF is being rendered, whatever the number of visitors.
_PDFIUM = threading.Lock()


def render_pdf(data: bytes, field: str) -> bytes:
    """The PDF's pages as one JPEG; InvalidInput for a broken, encrypted or too long PDF."""
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            # A password-protected file fails here too, but PDFium tells the two apart.
            if "password" in str(exc).lower():
                raise InvalidInput(Problem(field, "error.pdf_encrypted")) from None
            raise InvalidInput(Problem(field, "error.file_damaged")) from None
        try:
            return _render(doc, field)
        except InvalidInput:
            raise
        except Exception:  # noqa: BLE001 - any failure on hostile input means the file is unusable
            raise InvalidInput(Problem(field, "error.file_damaged")) from None
        finally:
            doc.close()


def _render(doc: pdfium.PdfDocument, field: str) -> bytes:
    # An encrypted PDF with an empty user password opens without asking; refuse it all the same:
    # we cannot tell what its owner meant to keep from being printed or copied.
    if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
        raise InvalidInput(Problem(field, "error.pdf_encrypted"))
    count = len(doc)
    if count == 0:
        raise InvalidInput(Problem(field, "error.file_damaged"))
    if count > MAX_PDF_PAGES:
        raise InvalidInput(Problem(field, "error.pdf_too_many_pages", {"max": MAX_PDF_PAGES}))
    pages = []
    for index in range(count):
        page = doc[index]
        try:
            pages.append(_render_page(page, field))
        finally:
            page.close()
    return _stack(pages)


def _render_page(page: pdfium.PdfPage, field: str) -> Image.Image:
    width, height = page.get_size()
    if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
        raise InvalidInput(Problem(field, "error.file_damaged"))
    # PDFium decodes every picture on the page at its full size while rendering, however small the
    # output: a 100 000 x 100 000 JPEG inside a 20 KB PDF would take gigabytes. Its size is in the
    # image's dictionary, so look before rendering.
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        w, h = ctypes.c_uint(), ctypes.c_uint()
        if not pdfium_c.FPDFImageObj_GetImagePixelSize(obj.raw, w, h) or w.value * h.value > MAX_EMBEDDED_PIXELS:
            raise InvalidInput(Problem(field, "error.image_too_big", {"max_mp": MAX_EMBEDDED_PIXELS // 1_000_000}))
    scale = PAGE_LONG_SIDE / max(width, height)
    # may_draw_forms=False: form fields are not drawn (they could hold what a script would fill in).
    bitmap = page.render(scale=scale, may_draw_forms=False, fill_color=(255, 255, 255, 255),
                         limit_image_cache=True)
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()


def _stack(pages: list[Image.Image]) -> bytes:
    width = max(p.width for p in pages)
    height = sum(p.height for p in pages) + PAGE_GAP * (len(pages) - 1)
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    top = 0
    for page in pages:
        sheet.paste(page, ((width - page.width) // 2, top))
        top += page.height + PAGE_GAP
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
