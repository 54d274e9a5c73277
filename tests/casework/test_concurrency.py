"""16 citizens filing and 8 officers acting at once: no error shown, nothing lost or written twice."""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter, defaultdict

import bcrypt
import pytest

from lib.casework import actions, detail
from lib.staff import signin
from lib.casework.steps import StaleComplaint
from lib.core.complaints import Status
from lib.citizen.filing import UploadedFile, file_complaint
from tests.conftest import jpeg_bytes, make_form

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

FILERS, OFFICERS, SECONDS = 16, 8, 3.0
HOT_COMPLAINTS = 12                  # filed first; officers crowd on them so their edits collide
DEPARTMENTS = ("PHED", "ULB", "PWD", "POWER")
TRACK_URL = "https://esachivalaya.example/track_complaint"


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


def new_form(photo: bytes):
    return make_form(id_document=UploadedFile("aadhaar.jpg", photo), submission_token=uuid.uuid4().hex)


def next_step(con, dc, case):
    """What the DC's office does next with a complaint: scrutiny, acceptance, then forwards."""
    if case.status == Status.SUBMITTED:
        return "start_scrutiny", lambda: actions.start_scrutiny(con, dc, case.id, case.version)
    if case.status == Status.UNDER_SCRUTINY:
        return "accept", lambda: actions.accept(con, dc, case.id, case.version)
    to = random.choice([d for d in DEPARTMENTS if d != case.department_code])
    return "forward", lambda: actions.forward(con, dc, case.id, case.version, to, "जाँच हेतु भेजा गया")


def test_filing_and_casework_at_once_lose_nothing_and_show_no_error(con, settings, choices):
    signin.create_demo_users(con)
    dc = signin.active_user(con, "dc_rewari")
    photo = jpeg_bytes(200, 150)
    hot = [file_complaint(con, settings, new_form(photo), choices, track_url=TRACK_URL) for _ in range(HOT_COMPLAINTS)]

    lock = threading.Lock()
    acknowledged, done, errors = [], defaultdict(list), []   # done: complaint id -> [(version, status, action)]
    stale_retries = 0
    start = threading.Barrier(FILERS + OFFICERS)

    def citizen() -> None:
        start.wait()
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            try:
                ack = file_complaint(con, settings, new_form(photo), choices, track_url=TRACK_URL)
            except Exception as exc:  # noqa: BLE001 - any error is what the test looks for
                with lock:
                    errors.append(f"filing: {exc!r}")
                return
            with lock:
                acknowledged.append(ack)

    def officer(seed: int) -> None:
        nonlocal stale_retries
        rng = random.Random(seed)
        start.wait()
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            with lock:
                pool = hot if rng.random() < 0.8 or not acknowledged else acknowledged
                complaint_id = rng.choice(pool).complaint_id
            action = "find_case"
            try:
                while True:                      # what the detail page does after "someone else changed it"
                    case = detail.find_case(con, dc, complaint_id)
                    action, act = next_step(con, dc, case)
                    try:
                        result = act()
                    except StaleComplaint:
                        with lock:
                            stale_retries += 1
                        continue
                    with lock:
                        done[complaint_id].append((result.version, result.status, action))
                    break
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"{action} on {complaint_id}: {exc!r}")
                return

    threads = [threading.Thread(target=citizen) for _ in range(FILERS)]
    threads += [threading.Thread(target=officer, args=(i,)) for i in range(OFFICERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=SECONDS + 60)
    assert not any(th.is_alive() for th in threads)

    assert errors == []
    assert len(acknowledged) > FILERS and sum(map(len, done.values())) > OFFICERS
    assert stale_retries > 0, "the officers never collided: the test proved nothing about stale edits"

    with con.cursor() as cur:
        complaints = cur.execute("SELECT id, tracking_no, version, status FROM complaints").fetchall()
        events = cur.execute("SELECT complaint_id, event, to_status FROM complaint_events ORDER BY id").fetchall()
        sms = Counter(cur.execute("SELECT complaint_id, template FROM sms_outbox").fetchall())
        id_proofs = Counter(r[0] for r in cur.execute(
            "SELECT complaint_id FROM documents WHERE kind = 'id_proof'").fetchall())
        audited = Counter(r[0] for r in cur.execute(
            "SELECT target FROM audit_log WHERE action LIKE 'complaint.%'").fetchall())

    # Every acknowledged filing is there exactly once, with its first event, SMS and ID document.
    filed = [*hot, *acknowledged]
    assert sorted(r[1] for r in complaints) == sorted(a.tracking_no for a in filed)
    assert len({a.tracking_no for a in filed}) == len(filed)
    filed_events = Counter(cid for cid, event, _ in events if event == "filed")
    for ack in filed:
        assert (filed_events[ack.complaint_id], sms[(ack.complaint_id, "acknowledgement")],
                id_proofs[ack.complaint_id]) == (1, 1, 1)

    # Every successful action is in the history exactly once and in order; versions count the actions.
    history = defaultdict(list)
    remarks = Counter()
    for cid, event, to_status in events:
        if event == "remark":
            remarks[cid] += 1
        elif event != "filed":
            history[cid].append(to_status)
    for cid, tracking_no, version, status in complaints:
        actions = sorted(done.get(cid, []))
        assert [v for v, _, _ in actions] == list(range(1, version + 1)), tracking_no
        assert history[cid] == [s for _, s, _ in actions], tracking_no
        assert status == (actions[-1][1] if actions else Status.SUBMITTED)
        kinds = Counter(a for _, _, a in actions)
        assert remarks[cid] == kinds["forward"]
        assert (sms[(cid, "accepted")], sms[(cid, "forwarded")]) == (kinds["accept"], kinds["forward"])
        assert audited[tracking_no] == len(actions)
