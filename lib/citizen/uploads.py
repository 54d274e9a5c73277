"""Citizens' files: checked by their leading bytes, images re-encoded without EXIF, PDFs rendered to a
picture, stored encrypted under random names.

Cheap checks come first and cost no decoding: size, type by leading bytes, and an image's pixel count
from its header. Decoding happens only after every other field of the form is valid (filing.py), at
most DECODE_SLOTS at a time in the process, and a JPEG is decoded straight at the stored size.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography.fernet import Fernet
from PIL import Image, ImageOps

from lib.citizen import pdf
from lib.core.problems import InvalidInput, Problem

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # a phone photo straight from the camera; .streamlit/config.toml says the same
MAX_IMAGE_SIDE = 2000
MAX_IMAGE_PIXELS = 25_000_000        # a 24 MP phone photo passes; a small file claiming more is a decompression bomb
JPEG_QUALITY = 85
DECODE_SLOTS = 2                     # full decodes at once in the process (2 cores); the rest wait

# Process-wide on purpose: Pillow then refuses (error above 2x) or warns about huge images everywhere.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# The largest decode is ~MAX_IMAGE_PIXELS x 4 bytes (a 25 MP RGBA PNG: 100 MB), so memory for
# pictures stays below DECODE_SLOTS times that, however many citizens upload at the same moment.
_DECODING = threading.BoundedSemaphore(DECODE_SLOTS)

STORED_NAME_RE = re.compile(r"[0-9a-f]{32}\.bin")


class ContentType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"


# What can be shown as a picture: a photo of the problem must be one of these, whatever its name says.
IMAGE_TYPES = frozenset({ContentType.JPEG, ContentType.PNG})

_MAGIC = (
    (b"\xff\xd8\xff", ContentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", ContentType.PNG),
    (b"%PDF-", ContentType.PDF),
)
_PIL_FORMAT = {ContentType.JPEG: "JPEG", ContentType.PNG: "PNG"}


def sniff_content_type(data: bytes) -> ContentType | None:
    """The type by the file's leading bytes only; the filename and the browser's MIME type are the
    sender's claims and are never trusted."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class PreparedFile:
    content_type: ContentType        # always a picture type: a PDF is stored as its rendered pages
    data: bytes                      # what gets stored: the re-encoded image or the rendered PDF
    sha256: str                      # hex digest of `data`
    size: int


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the cheap checks and is waiting to be decoded."""
    field: str
    content_type: ContentType
    data: bytes


def check_upload(data: bytes, field: str,
                 allowed: frozenset[ContentType] = frozenset(ContentType)) -> CheckedFile:
    """The checks that cost no decoding: size, type by the leading bytes, an image's pixel count
    from its header. Raises InvalidInput(Problem(field, ...))."""
    if not data:
        raise InvalidInput(Problem(field, "error.file_empty"))
    if len(data) > MAX_UPLOAD_BYTES:
        max_mb = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise InvalidInput(Problem(field, "error.file_too_large", {"max_mb": max_mb}))
    content_type = sniff_content_type(data)
    if content_type is None or content_type not in allowed:
        raise InvalidInput(Problem(field, "error.file_type"))
    if content_type != ContentType.PDF:
        _check_pixels(data, content_type, field)
    return CheckedFile(field, content_type, data)


def _check_pixels(data: bytes, content_type: ContentType, field: str) -> None:
    # Image.open reads the header only; nothing is decoded until load().
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[content_type]]) as im:
            too_big = im.size[0] * im.size[1] > MAX_IMAGE_PIXELS
    except Image.DecompressionBombError:          # Pillow's own refusal, above twice our bound
        too_big = True
    except Exception:  # noqa: BLE001 - a header Pillow cannot read is a damaged file
        raise InvalidInput(Problem(field, "error.file_damaged")) from None
    if too_big:
        raise InvalidInput(Problem(field, "error.image_too_big", {"max_mp": MAX_IMAGE_PIXELS // 1_000_000}))


def convert_upload(checked: CheckedFile) -> PreparedFile:
    """Decode and re-encode a checked file (a PDF: render it); InvalidInput if that fails."""
    if checked.content_type == ContentType.PDF:
        content_type, stored = ContentType.JPEG, pdf.render_pdf(checked.data, checked.field)
    else:
        content_type = checked.content_type
        with _DECODING:
            stored = _reencode_image(checked.data, content_type, checked.field)
    return PreparedFile(content_type, stored, hashlib.sha256(stored).hexdigest(), len(stored))


def prepare_upload(data: bytes, field: str,
                   allowed: frozenset[ContentType] = frozenset(ContentType)) -> PreparedFile:
    """Check one uploaded file and make it safe to keep; raises InvalidInput(Problem(field, ...)).
    `allowed`: the types this field takes (by the leading bytes, not the name)."""
    return convert_upload(check_upload(data, field, allowed))


def _reencode_image(data: bytes, content_type: ContentType, field: str) -> bytes:
    """Decode and encode again: this drops EXIF (GPS, camera serial), comments and anything hidden
    after the image data, and proves the file really is a picture."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[content_type]]) as im:
            width, height = im.size
            if width * height > MAX_IMAGE_PIXELS:        # checked already; never decode past it
                raise InvalidInput(Problem(field, "error.image_too_big",
                                           {"max_mp": MAX_IMAGE_PIXELS // 1_000_000}))
            # thumbnail() first puts a JPEG in draft mode for the size it will keep (reducing_gap=1):
            # libjpeg then decodes straight at 1/2, 1/4 or 1/8 size (a proper downscale, not a pixel
            # skip), so a 24 MP photo never exists in memory at full size. An explicit
            # draft((2000, 2000)) would be coarser: it ignores the aspect ratio. The box is square,
            # so shrinking before turning upright gives the same result.
            im.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), reducing_gap=1.0)
            ImageOps.exif_transpose(im, in_place=True)
            return _encode(im, content_type)
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 - any failure to decode hostile input means the file is unusable
        raise InvalidInput(Problem(field, "error.file_damaged")) from None


def _encode(im: Image.Image, content_type: ContentType) -> bytes:
    # Pillow copies some im.info entries (JPEG comment, PNG ICC profile) into the output by itself,
    # so clear them all and pass back only what changes how the picture looks.
    icc, transparency = im.info.get("icc_profile"), im.info.get("transparency")
    im.info = {}
    out = io.BytesIO()
    if content_type == ContentType.JPEG:
        if im.mode not in ("RGB", "L"):
            im, icc = im.convert("RGB"), None     # a CMYK profile would be wrong on the RGB result
        im.save(out, "JPEG", quality=JPEG_QUALITY, **({"icc_profile": icc} if icc else {}))
    else:
        extra = {k: v for k, v in (("icc_profile", icc), ("transparency", transparency)) if v is not None}
        im.save(out, "PNG", optimize=False, **extra)
    return out.getvalue()


def _check_name(stored_name: str) -> str:
    # Names come back from the database; anything else could point outside the store.
    if not isinstance(stored_name, str) or not STORED_NAME_RE.fullmatch(stored_name):
        raise ValueError("not a stored upload name")
    return stored_name


class UploadStore:
    """Encrypted files under random names in a private folder that Streamlit never serves."""

    def __init__(self, root: Path, fernet_key: bytes):
        self.root = Path(root)
        self._fernet = Fernet(fernet_key)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Owner-only whatever the umask was, or whoever made the folder before us.
        os.chmod(self.root, 0o700)

    def _path(self, stored_name: str) -> Path:
        return self.root / _check_name(stored_name)

    def save(self, prepared_bytes: bytes) -> str:
        """Encrypt and write the file; returns its new random name."""
        token = self._fernet.encrypt(prepared_bytes)
        stored_name = secrets.token_hex(16) + ".bin"
        # mkstemp creates the file 0600; a crash mid-write leaves only a temp file, never a torn upload.
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(token)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(stored_name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return stored_name

    def load(self, stored_name: str) -> bytes:
        """The decrypted file; cryptography.fernet.InvalidToken if it was altered or the key changed."""
        return self._fernet.decrypt(self._path(stored_name).read_bytes())

    def delete(self, stored_name: str) -> None:
        self._path(stored_name).unlink(missing_ok=True)

    def exists(self, stored_name: str) -> bool:
        return self._path(stored_name).is_file()

    def sweep_orphans(self, known_names: set[str], older_than_s: float = 3600) -> list[str]:
        """Delete files nothing refers to; recent ones stay because a filing may still be writing them."""
        cutoff = time.time() - older_than_s
        removed = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name in known_names or not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    continue
                removed.append(entry.name)
        return sorted(removed)
