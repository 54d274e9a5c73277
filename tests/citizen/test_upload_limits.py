"""Uploads cannot exhaust the server: no decoding for a form with other problems, a pixel bound read
from the header, bounded memory under concurrent filings, and filing limits per connection and mobile."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from lib.citizen import limits, uploads
from lib.citizen.filing import UploadedFile, file_complaint
from lib.core.problems import InvalidInput
from tests.conftest import PROJECT_DIR, jpeg_bytes, make_form

TRACK_URL = "http://localhost:8501/track_complaint"
IST = ZoneInfo("Asia/Kolkata")
MEMORY_BOUND_MB = 400
# The form checks preferred dates against the filing day, so the tests file "today".
TEN_AM = datetime.now(IST).replace(hour=10, minute=0, second=0, microsecond=0)


def test_a_form_with_other_problems_decodes_no_file(settings, con, choices, monkeypatch):
    decoded = []
    monkeypatch.setattr(uploads, "convert_upload", lambda f: decoded.append(f))
    photos = tuple(UploadedFile(f"p{i}.jpg", jpeg_bytes(3000, 2000)) for i in range(3))
    with pytest.raises(InvalidInput) as exc:
        file_complaint(con, settings, make_form(subject="ab", photos=photos), choices, track_url=TRACK_URL)
    assert exc.value.keys == {"error.too_short"}
    assert decoded == []


def test_every_file_problem_is_still_shown_with_the_others(settings, con, choices):
    with pytest.raises(InvalidInput) as exc:
        file_complaint(con, settings, make_form(subject="ab", id_document=UploadedFile("id.pdf", b"GIF89a")),
                       choices, track_url=TRACK_URL)
    assert {(p.field, p.key) for p in exc.value.problems} == {("subject", "error.too_short"),
                                                              ("id_document", "error.file_type")}


def _file(con, settings, choices, now, client="203.0.113.7", **form):
    return file_complaint(con, settings, make_form(submission_token=uuid.uuid4().hex, **form), choices,
                          track_url=TRACK_URL, now=now, client=client)


@pytest.mark.engines
def test_a_mobile_files_three_complaints_a_day(settings, con, choices):
    now = TEN_AM
    for minutes in range(limits.MOBILE_PER_DAY):
        _file(con, settings, choices, now + timedelta(minutes=minutes), client=f"10.0.0.{minutes}")
    with pytest.raises(InvalidInput) as exc:
        _file(con, settings, choices, now + timedelta(hours=3), client="10.0.0.99")
    assert [(p.field, p.key, p.params) for p in exc.value.problems] == [
        ("submit", "error.limit_mobile", {"max": limits.MOBILE_PER_DAY})]
    # Another number is not affected, and the same one may file again a day later.
    _file(con, settings, choices, now + timedelta(hours=3), mobile="91234 56789")
    _file(con, settings, choices, now + timedelta(hours=24, minutes=1), client="10.0.0.98")


@pytest.mark.engines
def test_a_connection_starts_ten_filings_an_hour(settings, con, choices):
    now = TEN_AM
    for n in range(limits.CLIENT_PER_HOUR):
        _file(con, settings, choices, now + timedelta(minutes=n), mobile=f"98765 4{n:04d}")
    with pytest.raises(InvalidInput) as exc:
        _file(con, settings, choices, now + timedelta(minutes=30), mobile="91234 00000")
    problem = exc.value.problems[0]
    assert (problem.field, problem.key) == ("submit", "error.limit_client")
    assert problem.params == {"max": 10, "minutes": 30}           # the first attempt leaves the window at 11:00
    _file(con, settings, choices, now + timedelta(minutes=30), mobile="91234 00000", client="198.51.100.1")
    _file(con, settings, choices, now + timedelta(minutes=61), mobile="91234 00000")


@pytest.mark.engines
def test_a_refused_filing_stores_nothing_and_the_message_is_in_both_languages(settings, con, choices):
    from lib.core.i18n import t

    now = TEN_AM
    for n in range(limits.MOBILE_PER_DAY):
        _file(con, settings, choices, now, client=f"10.0.1.{n}")
    stored = set((settings.uploads_dir).iterdir())
    with pytest.raises(InvalidInput) as exc:
        _file(con, settings, choices, now)
    assert set(settings.uploads_dir.iterdir()) == stored
    problem = exc.value.problems[0]
    assert "24" in t("en", problem.key, **problem.params) and "24 घंटों" in t("hi", problem.key, **problem.params)


# ---- memory under 8 concurrent filings of big pictures ----

def huge_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but whose data is a few hundred bytes."""
    buf = io.BytesIO()
    Image.new("1", (width, height)).save(buf, "PNG")
    return buf.getvalue()


def solid_png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 140, 90)).save(buf, "PNG")
    return buf.getvalue()


def solid_jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buf, "JPEG", quality=50)
    return buf.getvalue()


CHILD = textwrap.dedent("""
    import json, os, resource, sys, threading, uuid
    sys.path.insert(0, {project!r})
    os.environ.update(ESACHIVALAYA_DB={db!r}, ESACHIVALAYA_DEMO="0", ESACHIVALAYA_SMS_DISPATCHER="0")
    import warnings; warnings.simplefilter("ignore")
    from lib.core.config import load_settings
    from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
    from lib.core.problems import InvalidInput
    from lib.ops.startup import open_portal_database
    from tests.conftest import make_form
    from pathlib import Path

    settings = load_settings({{}})
    con = open_portal_database(settings)
    choices = load_form_choices(con)
    # Made by the parent: making them here would raise the peak before it is measured.
    inputs = Path({inputs!r})
    bombs = [(inputs / "bomb.png").read_bytes(), (inputs / "bomb.jpg").read_bytes()]
    photos = [(inputs / "photo.jpg").read_bytes(), (inputs / "photo.png").read_bytes()]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = {{"refused": 0, "filed": 0}}

    def submit(n, files):
        form = make_form(mobile=f"9876{{n:06d}}", submission_token=uuid.uuid4().hex,
                         id_document=UploadedFile("id", files[0]),
                         photos=tuple(UploadedFile("p", f) for f in files[1:]))
        try:
            file_complaint(con, settings, form, choices, track_url="http://x", client=f"10.9.0.{{n}}")
            outcome["filed"] += 1
        except InvalidInput as exc:
            assert exc.keys == {{"error.image_too_big"}}, exc.keys
            outcome["refused"] += 1

    for batch in ([bombs * 2] * 8, [photos * 2] * 8):
        threads = [threading.Thread(target=submit, args=(n, files)) for n, files in enumerate(batch)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss       # kilobytes on Linux
    print(json.dumps({{**outcome, "growth_mb": (peak - base) / 1024}}))
""")


def test_eight_concurrent_filings_of_huge_pictures_stay_within_the_memory_bound(tmp_path):
    """Eight filings of four 49 MP pictures each (refused from the header), then eight of four
    24-25 MP pictures each (decoded, shrunk, stored), all at once: the process's peak memory grows
    by less than MEMORY_BOUND_MB. Unbounded, the second batch alone decodes 32 x ~100 MB."""
    (tmp_path / "bomb.png").write_bytes(huge_png(7000, 7000))      # 49 MP each, claimed in the header
    (tmp_path / "bomb.jpg").write_bytes(solid_jpeg(7000, 7000))
    (tmp_path / "photo.jpg").write_bytes(solid_jpeg(6000, 4000))    # 24 and 25 MP: decoded and shrunk
    (tmp_path / "photo.png").write_bytes(solid_png(5000, 5000))     # 75 MB once decoded
    script = CHILD.format(project=str(PROJECT_DIR), db=str(tmp_path / "portal.duckdb"), inputs=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_DIR,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["refused"] == 8 and result["filed"] == 8
    assert result["growth_mb"] < MEMORY_BOUND_MB, result
