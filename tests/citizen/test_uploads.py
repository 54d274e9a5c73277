"""Uploads: type by magic bytes, images re-encoded upright and without EXIF, encrypted storage under safe names."""
from __future__ import annotations

import io
import os
import stat
import time

import pytest
from cryptography.fernet import Fernet, InvalidToken
from PIL import Image

from lib.core.problems import InvalidInput, Problem
from lib.citizen.pdf import MAX_PDF_PAGES, PAGE_GAP, PAGE_LONG_SIDE
from lib.citizen.uploads import (MAX_IMAGE_SIDE, MAX_UPLOAD_BYTES, ContentType, UploadStore, prepare_upload, sniff_content_type)
from tests.pdf_samples import encrypted_pdf, html_with_pdf_header, javascript_pdf, pages_pdf

MAKE, ORIENTATION, GPS_IFD = 0x010F, 0x0112, 0x8825
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
               b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
               b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def image_bytes(fmt: str = "JPEG", size=(800, 600), mode: str = "RGB", exif: Image.Exif | None = None,
                **save) -> bytes:
    im = Image.new(mode, size, "orange" if mode == "RGB" else 128)
    # A dark top-left corner shows which way the picture ended up.
    im.paste("black" if mode == "RGB" else 0, (0, 0, size[0] // 4, size[1] // 4))
    buf = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    im.save(buf, fmt, **save)
    return buf.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)          # Rewari: 28.19 N, 76.62 E
    gps.update({1: "N", 2: (28.0, 11.0, 24.0), 3: "E", 4: (76.0, 37.0, 12.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def problem_of(data: bytes, field: str = "id_document") -> Problem:
    with pytest.raises(InvalidInput) as exc:
        prepare_upload(data, field)
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def reopen(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# --- sniffing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    (b"\xff\xd8\xff\xe0rest", ContentType.JPEG),
    (b"\x89PNG\r\n\x1a\nrest", ContentType.PNG),
    (b"%PDF-1.7\n", ContentType.PDF),
    (b"<html><script>alert(1)</script>", None),
    (b"GIF89a....", None),
    (b" %PDF-1.7", None),                      # header must be at byte 0
    (b"\xff\xd8", None),
    (b"", None),
])
def test_sniff_content_type(data, expected):
    assert sniff_content_type(data) == expected


# --- accepted files --------------------------------------------------------------------------------

def test_jpeg_loses_exif_gps_and_comment():
    data = image_bytes("JPEG", exif=gps_exif(), comment=b"Ram Kumar, Dharuhera")
    assert b"Ram Kumar" in data
    before = reopen(data).getexif()
    assert before[MAKE] == "PhoneMaker" and before.get_ifd(GPS_IFD)[1] == "N"

    prepared = prepare_upload(data, "photos")
    after = reopen(prepared.data)
    assert prepared.content_type == ContentType.JPEG and after.format == "JPEG"
    assert "exif" not in after.info
    assert MAKE not in after.getexif() and not after.getexif().get_ifd(GPS_IFD)
    assert b"Exif\x00\x00" not in prepared.data and b"PhoneMaker" not in prepared.data
    assert b"Ram Kumar" not in prepared.data and "comment" not in after.info


def test_png_stays_png_and_loses_exif():
    data = image_bytes("PNG", size=(300, 200), exif=gps_exif())
    assert reopen(data).getexif()[MAKE] == "PhoneMaker"
    prepared = prepare_upload(data, "photos")
    after = reopen(prepared.data)
    assert prepared.content_type == ContentType.PNG and after.format == "PNG"
    assert after.size == (300, 200)
    assert not after.getexif() and b"eXIf" not in prepared.data and b"PhoneMaker" not in prepared.data


@pytest.mark.parametrize("fmt, size, expected", [
    ("JPEG", (4000, 3000), (2000, 1500)),
    ("JPEG", (3000, 4000), (1500, 2000)),
    ("JPEG", (2000, 2000), (2000, 2000)),
    ("JPEG", (640, 480), (640, 480)),              # small pictures are not enlarged
    ("PNG", (2500, 1000), (2000, 800)),
])
def test_long_side_is_at_most_2000(fmt, size, expected):
    prepared = prepare_upload(image_bytes(fmt, size=size), "photos")
    assert reopen(prepared.data).size == expected
    assert MAX_IMAGE_SIDE == 2000                   # the limit the expected sizes above are written for


def test_phone_photo_is_turned_upright():
    # Orientation 6: the camera stored it sideways; viewers rotate it 90 degrees clockwise.
    data = image_bytes("JPEG", size=(400, 200), exif=gps_exif(orientation=6))
    after = reopen(prepare_upload(data, "photos").data)
    assert after.size == (200, 400)
    assert ORIENTATION not in after.getexif()
    # The dark corner moved from top-left to top-right.
    assert after.convert("L").getpixel((190, 10)) < 60
    assert after.convert("L").getpixel((10, 10)) > 100


@pytest.mark.parametrize("mode, fmt", [
    ("CMYK", "JPEG"), ("L", "JPEG"), ("RGBA", "PNG"), ("P", "PNG"), ("LA", "PNG"),
])
def test_other_colour_modes(mode, fmt):
    im = Image.new(mode, (50, 40))
    buf = io.BytesIO()
    im.save(buf, fmt, **({"transparency": 0} if mode == "P" else {}))
    after = reopen(prepare_upload(buf.getvalue(), "photos").data)
    assert after.format == fmt and after.size == (50, 40)
    if mode == "P":
        assert after.info.get("transparency") == 0     # see-through stays see-through


def test_pdf_is_stored_only_as_a_picture_of_its_pages():
    one, five = (reopen(prepare_upload(pages_pdf(n), "id_document").data) for n in (1, 5))
    assert one.format == five.format == "JPEG"
    assert max(one.size) == PAGE_LONG_SIDE                       # an A4 page, long side 1600 px
    assert five.width == one.width and five.height == 5 * one.height + 4 * PAGE_GAP
    # The page's blue rectangle is in the picture: this is the document, not a blank sheet.
    r, g, b = one.convert("RGB").getpixel((one.width // 2, one.height // 2))
    assert b > 200 and r < 60 and g < 60


def test_sha256_and_size_describe_the_stored_bytes():
    import hashlib

    prepared = prepare_upload(image_bytes("JPEG"), "photos")
    assert prepared.sha256 == hashlib.sha256(prepared.data).hexdigest()
    assert prepared.size == len(prepared.data)


def test_a_phone_photo_of_exactly_the_limit_is_accepted_and_shrunk():
    # Camera files carry padding and thumbnails; whatever follows the picture is dropped.
    photo = image_bytes("JPEG", size=(4000, 3000))
    data = photo + b"\0" * (MAX_UPLOAD_BYTES - len(photo))
    assert len(data) == MAX_UPLOAD_BYTES == 25 * 1024 * 1024
    prepared = prepare_upload(data, "photos")
    assert reopen(prepared.data).size == (2000, 1500) and prepared.size < 1024 * 1024


# --- refused files ---------------------------------------------------------------------------------

JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")


@pytest.mark.parametrize("data, key", [
    (b"", "error.file_empty"),
    (b"%PDF-" + b"0" * (MAX_UPLOAD_BYTES - 5 + 1), "error.file_too_large"),
    (b"<html><script>alert(1)</script>", "error.file_type"),      # HTML renamed to .jpg
    (b"GIF89a" + b"\x00" * 100, "error.file_type"),
    (b"MZ\x90\x00" + b"\x00" * 100, "error.file_type"),           # a Windows program
    (b"%PDF-1.4\n<script>alert(1)</script>", "error.file_damaged"),
    (MINIMAL_PDF, "error.file_damaged"),                          # a PDF without a single page
    (pages_pdf(2)[:300], "error.file_damaged"),                   # truncated PDF
    (html_with_pdf_header(), "error.file_damaged"),               # a web page that says %PDF-
    (pages_pdf(MAX_PDF_PAGES + 1), "error.pdf_too_many_pages"),
    (encrypted_pdf(b"secret"), "error.pdf_encrypted"),            # asks for a password
    (encrypted_pdf(), "error.pdf_encrypted"),                     # opens without one, still encrypted
    (b"\xff\xd8\xff\xe0" + os.urandom(2000), "error.file_damaged"),   # JPEG header + garbage
    (JPEG[: len(JPEG) // 2], "error.file_damaged"),               # truncated JPEG
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, "error.file_damaged"),
    (PNG[: len(PNG) // 2], "error.file_damaged"),                 # truncated PNG
    (b"\x89PNG\r\n\x1a\n" + JPEG[8:], "error.file_damaged"),      # PNG magic on JPEG data
])
def test_refused(data, key):
    assert problem_of(data, "id_document") == Problem("id_document", key)


def test_too_large_says_the_limit_and_keeps_the_field():
    problem = problem_of(b"\x00" * (MAX_UPLOAD_BYTES + 1), "photos")
    assert problem == Problem("photos", "error.file_too_large")
    assert problem.params == {"max_mb": 25}


def bomb_png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (width, height)).save(buf, "PNG")   # compresses to almost nothing
    return buf.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("fmt, size", [
    ("PNG", (5100, 5000)),        # 25.5 MP: just past the bound
    ("PNG", (7000, 7000)),        # 49 MP
    ("PNG", (12000, 10000)),      # 120 MP: Pillow itself would refuse to open it
    ("JPEG", (7000, 7000)),
])
def test_too_many_pixels_are_refused_before_decoding(fmt, size, monkeypatch):
    data = bomb_png(*size) if fmt == "PNG" else image_bytes("JPEG", size=size, quality=10)
    assert len(data) < MAX_UPLOAD_BYTES
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or Image.Image.load(self))
    problem = problem_of(data)
    assert problem == Problem("id_document", "error.image_too_big") and problem.params == {"max_mp": 25}
    assert not decoded


def test_a_24_megapixel_photo_is_taken():
    assert reopen(prepare_upload(image_bytes("JPEG", size=(6000, 4000)), "photos").data).size == (2000, 1333)


def test_an_html_page_or_a_scripted_pdf_never_reaches_the_dc_as_a_pdf():
    prepared = prepare_upload(javascript_pdf(), "id_document")
    assert prepared.content_type == ContentType.JPEG and prepared.data.startswith(b"\xff\xd8\xff")
    assert b"JavaScript" not in prepared.data and b"evil.example" not in prepared.data
    assert reopen(prepared.data).format == "JPEG"


# --- encrypted store -------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    return UploadStore(tmp_path / "uploads", Fernet.generate_key())


def test_round_trip(store):
    plaintext = MINIMAL_PDF
    name = store.save(plaintext)
    assert store.exists(name)
    assert store.load(name) == plaintext
    store.delete(name)
    assert not store.exists(name)
    store.delete(name)                     # deleting twice is fine


def test_names_are_random_and_well_formed(store):
    names = {store.save(b"x") for _ in range(20)}
    assert len(names) == 20
    assert all(len(n) == 36 and n.endswith(".bin") and int(n[:32], 16) >= 0 for n in names)


def test_on_disk_encrypted_private_and_without_leftovers(store):
    plaintext = b"%PDF-1.4 Aadhaar 2345 6789 0124 Ram Kumar\n%%EOF"
    name = store.save(plaintext)
    path = store.root / name
    on_disk = path.read_bytes()
    assert plaintext not in on_disk and b"Ram Kumar" not in on_disk and b"%PDF" not in on_disk
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert sorted(os.listdir(store.root)) == [name]          # no temp file left behind


def test_wrong_key_or_tampering_cannot_be_read(store):
    name = store.save(b"secret")
    other = UploadStore(store.root, Fernet.generate_key())
    with pytest.raises(InvalidToken):
        other.load(name)
    path = store.root / name
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidToken):
        store.load(name)


BAD_NAMES = ["../x", "a.bin", "/etc/passwd", "../" + "a" * 32 + ".bin", "A" * 32 + ".bin",
             "a" * 32 + ".bin/", "a" * 32 + ".bin\n", "a" * 31 + ".bin", "a" * 32, "", None]


@pytest.mark.parametrize("method", ["load", "delete", "exists"])
@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused(store, method, name):
    with pytest.raises(ValueError):
        getattr(store, method)(name)


def test_load_of_a_missing_file(store):
    with pytest.raises(FileNotFoundError):
        store.load("0" * 32 + ".bin")


def test_sweep_removes_only_old_unknown_files(store):
    old = time.time() - 7200
    known_old = store.save(b"kept: a complaint refers to it")
    orphan_old = store.save(b"left by a crashed filing")
    orphan_new = store.save(b"a filing still in its transaction")
    stale_temp = store.root / ".tmp-abc.part"
    stale_temp.write_bytes(b"half written")
    subdir = store.root / "sub"
    subdir.mkdir()
    for name in (known_old, orphan_old, stale_temp.name, "sub"):
        os.utime(store.root / name, (old, old))

    removed = store.sweep_orphans({known_old}, older_than_s=3600)

    assert sorted(removed) == sorted([orphan_old, stale_temp.name])
    assert store.exists(known_old) and store.exists(orphan_new) and not store.exists(orphan_old)
    assert subdir.is_dir()
    assert store.sweep_orphans({known_old}, older_than_s=3600) == []


def test_store_creates_its_folder(tmp_path):
    root = tmp_path / "a" / "b" / "uploads"
    UploadStore(root, Fernet.generate_key())
    assert root.is_dir() and stat.S_IMODE(root.stat().st_mode) == 0o700


def test_bad_key_is_refused(tmp_path):
    with pytest.raises(ValueError):
        UploadStore(tmp_path, b"not a fernet key")
