"""A filing process killed with SIGKILL loses no acknowledged complaint and leaves no orphaned upload."""
from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from PIL import Image

from lib.core.config import load_settings
from lib.ops.startup import open_portal_database, sweep_orphan_uploads
from lib.citizen.uploads import UploadStore

ROOT = Path(__file__).resolve().parents[2]
ACKNOWLEDGED_BEFORE_KILL = 30
TRACK_URL = "https://esachivalaya.example/track_complaint"


def id_card_photo(seed: int) -> bytes:
    """A phone photo of an ID card: real JPEG with noise, so it is re-encoded like a real upload."""
    rng = random.Random(seed)
    im = Image.frombytes("RGB", (480, 300), rng.randbytes(480 * 300 * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


def file_forever() -> None:
    """The child: file complaints one after another and say each tracking number as soon as it is
    acknowledged, exactly as a citizen's browser would be told."""
    from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
    from tests.conftest import make_form

    settings = load_settings({})
    con = open_portal_database(settings)
    choices = load_form_choices(con)
    photo = id_card_photo(1)
    n = 0
    while True:
        n += 1
        form = make_form(id_document=UploadedFile("aadhaar.jpg", photo), submission_token=uuid.uuid4().hex,
                         photos=(UploadedFile("drain.jpg", id_card_photo(n)),) if n % 3 == 0 else ())
        ack = file_complaint(con, settings, form, choices, track_url=TRACK_URL)
        print(ack.tracking_no, flush=True)


def test_every_acknowledged_complaint_survives_a_kill(portal_env):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", "from tests.ops.test_crash import file_forever; file_forever()"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged.append(line.strip())
    finally:
        child.send_signal(signal.SIGKILL)        # mid-stream: the child is busy filing the next one
        child.wait()
    assert len(acknowledged) == ACKNOWLEDGED_BEFORE_KILL, child.stderr.read()[-2000:]
    assert child.returncode == -signal.SIGKILL

    settings = load_settings({})
    con = open_portal_database(settings)
    try:
        with con.cursor() as cur:
            rows = cur.execute(
                "SELECT c.tracking_no,"
                " (SELECT count(*) FROM complaint_events e WHERE e.complaint_id = c.id AND e.event = 'filed'),"
                " (SELECT count(*) FROM sms_outbox s WHERE s.complaint_id = c.id"
                "   AND s.template = 'acknowledgement' AND strpos(s.body, c.tracking_no) > 0),"
                " (SELECT list(d.stored_name) FROM documents d WHERE d.complaint_id = c.id AND d.kind = 'id_proof')"
                " FROM complaints c").fetchall()
        found = {tracking_no: (events, sms, ids) for tracking_no, events, sms, ids in rows}
        store = UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
        for tracking_no in acknowledged:
            events, sms, ids = found[tracking_no]
            assert (events, sms, len(ids)) == (1, 1, 1), tracking_no
            assert store.load(ids[0]).startswith(b"\xff\xd8\xff")        # there, and decrypts to the JPEG

        # Whatever the kill caught half-way (a stored file whose transaction never committed) goes.
        sweep_orphan_uploads(con, settings, older_than_s=0)
        with con.cursor() as cur:
            referred = {r[0] for r in cur.execute("SELECT stored_name FROM documents").fetchall()}
        assert {p.name for p in settings.uploads_dir.iterdir()} == referred
    finally:
        con.close()
