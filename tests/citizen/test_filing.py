"""Filing a complaint: the complaint, its event, documents and SMS are written together or not at all."""
from __future__ import annotations

import logging
import re
import threading
from datetime import date, timedelta

import duckdb
import pytest

from lib.citizen import filing
from lib.core.complaints import TRACKING_RE
from lib.citizen.filing import UploadedFile, file_complaint
from lib.core.problems import InvalidInput
from lib.citizen.uploads import UploadStore
from tests.conftest import jpeg_bytes, make_form, valid_aadhaar

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

TRACK_URL = "https://esachivalaya.example/track_complaint"


def counts(con) -> dict[str, int]:
    with con.cursor() as cur:
        return {table: cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                for table in ("complaints", "complaint_events", "documents", "sms_outbox")}


def stored_files(settings) -> list:
    return sorted(settings.uploads_dir.glob("*")) if settings.uploads_dir.exists() else []


def test_a_complaint_is_filed_with_its_event_document_and_sms(con, settings, choices):
    photo = UploadedFile("drain.png", jpeg_bytes(300, 200))
    ack = file_complaint(con, settings, make_form(photos=(photo,)), choices, track_url=TRACK_URL)

    assert TRACKING_RE.match(ack.tracking_no)
    assert counts(con) == {"complaints": 1, "complaint_events": 1, "documents": 2, "sms_outbox": 1}
    with con.cursor() as cur:
        status, mobile, ward, last4 = cur.execute(
            "SELECT status, mobile, ward, aadhaar_last4 FROM complaints").fetchall()[0]
        event = cur.execute("SELECT event, to_status, actor FROM complaint_events").fetchall()[0]
        sms = cur.execute("SELECT language, body, status, template FROM sms_outbox").fetchall()[0]
        kinds = sorted(r[0] for r in cur.execute("SELECT kind FROM documents").fetchall())
    assert (status, mobile, ward) == ("submitted", "+919876543210", 7)
    assert len(last4) == 4
    assert event == ("filed", "submitted", "citizen")
    assert sms[0] == "hi" and ack.tracking_no in sms[1] and "शिकायत" in sms[1]
    assert sms[2:] == ("queued", "acknowledgement")
    assert kinds == ["id_proof", "photo"]
    # Stored encrypted: two files, neither holds the JPEG's bytes.
    files = stored_files(settings)
    assert len(files) == 2
    assert all(not f.read_bytes().startswith(b"\xff\xd8") for f in files)


def test_english_citizen_gets_english_sms(con, settings, choices):
    file_complaint(con, settings, make_form(language="en"), choices, track_url=TRACK_URL)
    with con.cursor() as cur:
        body = cur.execute("SELECT body FROM sms_outbox").fetchall()[0][0]
    assert body.startswith("e-Sachivalaya Rewari: your complaint RWR-")


@pytest.mark.parametrize("language", ["hi", "en"])
def test_the_sms_link_opens_the_track_page_in_the_citizens_language(con, settings, choices, language):
    from datetime import datetime
    from urllib.parse import parse_qs, urlsplit

    from lib.citizen.track_links import open_signed_link

    ack = file_complaint(con, settings, make_form(language=language), choices, track_url=TRACK_URL)
    with con.cursor() as cur:
        body = cur.execute("SELECT body FROM sms_outbox").fetchall()[0][0]
    link = re.search(re.escape(TRACK_URL) + r"\S+", body).group(0)
    query = parse_qs(urlsplit(link).query)
    assert query["lang"] == [language]
    with con.cursor() as cur:                 # and the link still opens this complaint
        assert open_signed_link(cur, settings, query["t"][0], query["sig"][0], datetime.now()) == ack.complaint_id


DEVANAGARI_DIGITS = "०१२३४५६७८९"


def full_number_pattern(number: str) -> re.Pattern:
    """The 12 digits in any spelling: each ASCII or Devanagari, any spaces or hyphens between them."""
    return re.compile(r"[\s\-]*".join(f"[{d}{DEVANAGARI_DIGITS[int(d)]}]" for d in number))


def everything_stored(con, settings) -> dict[str, str]:
    """Every column of every table and view as text, and the database file, its WAL and every upload
    as bytes read as UTF-8: what a copy of the server would give away. (On PostgreSQL the server's own
    files are not read; its catalogue is left out, as DuckDB's is.)"""
    found = {}
    with con.cursor() as cur:
        columns = cur.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns"
                              " WHERE table_catalog = current_database()"
                              " AND table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
        own = cur.execute("SELECT current_schema()").fetchall()[0][0]
        for schema, table, column in columns:
            values = cur.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{schema}"."{table}"').fetchall()
            found[f"{schema}.{table}.{column}"] = "\n".join(str(v[0]) for v in values)
    assert len(columns) > 50 and f"{own}.complaints.aadhaar_hmac" in found      # the scan sees the schema
    files = [settings.db_path, settings.db_path.with_name(settings.db_path.name + ".wal"), *stored_files(settings)]
    for path in files:
        if path.exists():
            found[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return found


@pytest.mark.parametrize("spelling", ["spaced", "hyphenated", "devanagari"])
def test_full_aadhaar_number_is_never_stored(con, settings, choices, caplog, capfd, spelling):
    number = valid_aadhaar()
    typed = {"spaced": f"{number[:4]} {number[4:8]} {number[8:]}",
             "hyphenated": f"{number[:4]}-{number[4:8]}-{number[8:]}",
             "devanagari": " ".join(("".join(DEVANAGARI_DIGITS[int(d)] for d in number[i:i + 4]))
                                    for i in (0, 4, 8))}[spelling]
    pattern = full_number_pattern(number)
    assert pattern.search(typed) and pattern.search(number)            # the scan would see it, typed so
    caplog.set_level(logging.DEBUG)
    ack = file_complaint(con, settings, make_form(id_number=typed, photos=(UploadedFile("p.jpg", jpeg_bytes()),)),
                         choices, track_url=TRACK_URL)
    with con.cursor() as cur:
        last4, digest = cur.execute("SELECT aadhaar_last4, aadhaar_hmac FROM complaints WHERE tracking_no = ?",
                                    [ack.tracking_no]).fetchall()[0]
    assert last4 == number[-4:] and re.fullmatch(r"[0-9a-f]{64}", digest)   # what is kept instead
    stored = everything_stored(con, settings)
    out, err = capfd.readouterr()
    stored.update(log=caplog.text, stdout=out, stderr=err)
    assert [where for where, text in stored.items() if pattern.search(text)] == []


def test_every_problem_is_reported_at_once_and_nothing_is_saved(con, settings, choices):
    bad = make_form(mobile="12345", id_number="1234 5678 9012", consent=False, place_lgd=None,
                    subject="", id_document=UploadedFile("id.jpg", b"<html><script>alert(1)</script>"))
    with pytest.raises(InvalidInput) as caught:
        file_complaint(con, settings, bad, choices, track_url=TRACK_URL)
    assert {p.field for p in caught.value.problems} >= {
        "mobile", "id_number", "consent", "place", "subject", "id_document"}
    assert counts(con) == {"complaints": 0, "complaint_events": 0, "documents": 0, "sms_outbox": 0}
    assert stored_files(settings) == []


def test_a_failure_inside_the_transaction_leaves_nothing_behind(con, settings, choices):
    def fail(_cur):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        file_complaint(con, settings, make_form(photos=(UploadedFile("p.jpg", jpeg_bytes()),)), choices,
                       track_url=TRACK_URL, _between_writes=fail)
    assert counts(con) == {"complaints": 0, "complaint_events": 0, "documents": 0, "sms_outbox": 0}
    assert stored_files(settings) == []
    # The portal still works afterwards.
    file_complaint(con, settings, make_form(), choices, track_url=TRACK_URL)
    assert counts(con)["complaints"] == 1


def test_resubmitting_the_same_form_files_one_complaint(con, settings, choices):
    form = make_form()
    first = file_complaint(con, settings, form, choices, track_url=TRACK_URL)
    second = file_complaint(con, settings, form, choices, track_url=TRACK_URL)
    assert second.tracking_no == first.tracking_no and second.duplicate_submit
    assert counts(con)["complaints"] == 1
    assert len(stored_files(settings)) == 1


def test_tracking_numbers_stay_unique_under_16_threads(con, settings, choices):
    results, errors = [], []

    def citizen():
        try:
            results.append(file_complaint(con, settings, make_form(), choices, track_url=TRACK_URL))
        except Exception as exc:          # collected, so the assertion shows what went wrong
            errors.append(exc)

    threads = [threading.Thread(target=citizen) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({a.tracking_no for a in results}) == 16
    assert counts(con) == {"complaints": 16, "complaint_events": 16, "documents": 16, "sms_outbox": 16}


def test_concurrent_double_submit_of_one_form_files_one_complaint(con, settings, choices):
    form = make_form()
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        file_complaint(con, settings, form, choices, track_url=TRACK_URL))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({a.tracking_no for a in results}) == 1 and len(results) == 4
    assert counts(con)["complaints"] == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize("overrides, field, key", [
    ({"name": "A"}, "name", "error.too_short"),
    ({"name": "x" * 101}, "name", "error.too_long"),
    ({"subject": "ab"}, "subject", "error.too_short"),
    ({"subject": "x" * 151}, "subject", "error.too_long"),
    ({"description": "too short"}, "description", "error.too_short"),
    ({"description": "क" * 4001}, "description", "error.too_long"),
    ({"locality": "x" * 201}, "locality", "error.too_long"),
    ({"ward": None}, "ward", "error.required"),
    ({"ward": 33}, "ward", "error.required"),                 # Rewari has 32 wards
    ({"tehsil_lgd": 413}, "place", "error.required"),         # Rewari town is not in Kosli tehsil
    ({"category_code": "NOPE"}, "category", "error.required"),
    ({"department_code": "NOPE"}, "department", "error.required"),
    ({"id_type": None}, "id_type", "error.required"),
    ({"id_type": "ppp", "id_number": "AB12"}, "id_number", "error.ppp_invalid"),
    ({"id_document": None}, "id_document", "error.required"),
    ({"id_document": UploadedFile("id.pdf", b"")}, "id_document", "error.file_empty"),
    ({"photos": tuple(UploadedFile(f"{i}.jpg", jpeg_bytes(50, 50)) for i in range(4))},
     "photos", "error.too_many_photos"),
    ({"preferred_dates": (date.today(),)}, "preferred_dates", "error.date_range"),
    ({"preferred_dates": (date.today() + timedelta(days=61),)}, "preferred_dates", "error.date_range"),
    ({"preferred_dates": tuple(date.today() + timedelta(days=d) for d in (1, 2, 3, 4))},
     "preferred_dates", "error.too_many_dates"),
    ({"consent": False}, "consent", "error.consent_required"),
    ({"email": "not-an-email"}, "email", "error.email_invalid"),
])
def test_bad_input_is_refused_beside_its_field(choices, settings, overrides, field, key):
    with pytest.raises(InvalidInput) as caught:
        filing.check_form(make_form(**overrides), choices, settings.aadhaar_hmac_key, date.today())
    assert (field, key) in {(p.field, p.key) for p in caught.value.problems}


@pytest.mark.parametrize("overrides", [
    {},
    {"department_code": None},                                        # "not sure"
    {"tehsil_lgd": 413, "place_lgd": 62381, "ward": None},            # a village of Kosli: no ward
    {"id_type": "ppp", "id_number": "t1234abcd"},
    {"description": "क" * 4000, "preferred_dates": ()},
    {"email": "citizen@example.in", "locality": "गली नं. 4, मॉडल टाउन"},
])
def test_valid_variants_are_accepted(choices, settings, overrides):
    checked = filing.check_form(make_form(**overrides), choices, settings.aadhaar_hmac_key, date.today())
    assert checked["columns"]["mobile"] == "+919876543210"


def test_a_village_ignores_a_stray_ward(choices, settings):
    checked = filing.check_form(make_form(tehsil_lgd=413, place_lgd=62381, ward=5), choices,
                                settings.aadhaar_hmac_key, date.today())
    assert checked["columns"]["ward"] is None
