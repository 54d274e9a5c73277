"""The track page's lookup: number + mobile show the status only, counted in the database against
guessing; the details need a one-time code by SMS or the signed link of the citizen's own SMS."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from lib.citizen import track_codes, track_guard, tracking
from lib.citizen.filing import file_complaint
from lib.citizen.track_codes import CodeCheck
from lib.citizen.tracking import Lookup, find_complaint, look_up, open_link
from lib.ops.startup import open_portal_database
from tests.conftest import make_form

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

NOW = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
MOBILE = "9812345678"


@pytest.fixture
def filed(con, settings, choices):
    return file_complaint(con, settings, form(mobile=MOBILE), choices, track_url="http://x/track", now=NOW)


def form(**fields):
    return make_form(preferred_dates=(NOW.date() + timedelta(days=5),), **fields)


def wrong_mobile(i: int) -> str:
    return f"90000{i:05d}"


# ---- what number + mobile show ----

def test_right_pair_shows_only_the_status_and_next_step(con, settings, filed):
    result = look_up(con, settings, "1.2.3.4", filed.tracking_no, "+91 98123 45678", now=NOW)
    assert result.found.tracking_no == filed.tracking_no and result.found.status == "submitted"
    assert result.found.next_step_key == "next.submitted"
    # Nothing else travels to the page: no subject, place, masked ID, history or hearing. (joined_to:
    # the tracking number of the complaint a merged one joined, as its SMS said; None here.)
    assert set(vars(result.found)) == {"complaint_id", "tracking_no", "status", "joined_to"}
    assert result.found.joined_to is None


def test_tracking_number_is_forgiving_about_spacing_and_case(con, settings, filed):
    year, number = filed.tracking_no.split("-")[1:]
    assert look_up(con, settings, "c", f" rwr {year} {int(number)} ", MOBILE, now=NOW).found is not None


@pytest.mark.parametrize("tracking, mobile", [
    ("RIGHT", "9876500000"),              # another mobile
    ("RWR-2026-999999", MOBILE),         # a number that does not exist
    ("not a number", MOBILE),
    ("RIGHT", "12"),
    ("", ""),
])
def test_any_wrong_pair_gets_the_same_nothing(con, settings, filed, tracking, mobile):
    tracking = filed.tracking_no if tracking == "RIGHT" else tracking
    assert look_up(con, settings, "c", tracking, mobile, now=NOW) == Lookup()


def test_wrong_number_and_wrong_mobile_do_the_same_work_and_get_the_same_answer(con, settings, filed, monkeypatch):
    calls: list[str] = []
    for module, names in ((tracking.complaints_db, ["find_for_citizen"]),
                          (track_guard.tracking_db, ["forget_failures_before", "failures_since", "add_failure",
                                                     "forget_pair"])):
        for name in names:
            real = getattr(module, name)
            monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: (calls.append(_name),
                                                                                          _real(*a, **k))[1])

    def trace(number, mobile, client):
        calls.clear()
        answer = look_up(con, settings, client, number, mobile, now=NOW)
        return answer, list(calls)

    wrong_number = trace("RWR-2026-999999", MOBILE, "a")
    wrong_mobile_ = trace(filed.tracking_no, "9000000001", "b")
    assert wrong_number == wrong_mobile_
    assert wrong_number[0] == tracking.Lookup() and "find_for_citizen" in wrong_number[1]


def test_internal_events_are_not_shown_in_the_details(con, filed):
    with con.cursor() as cur:
        cur.execute("INSERT INTO complaint_events VALUES (nextval('event_seq'), ?, now(), 'dc1',"
                    " 'status_changed', 'submitted', 'under_scrutiny', 'internal note', false)",
                    [filed.complaint_id])
    assert [e.event for e in tracking.load_details(con, filed.complaint_id).events] == ["filed"]
    assert [e.event for e in find_complaint(con, filed.tracking_no, MOBILE).events] == ["filed"]


# ---- failures counted in the database ----

def test_the_eleventh_failure_from_one_client_is_refused_then_waits_double(con, settings, filed):
    for i in range(10):                   # ten different mobiles: only the client's count grows
        assert look_up(con, settings, "guesser", "RWR-2026-999999", wrong_mobile(i), now=NOW).retry_at is None
    refused = look_up(con, settings, "guesser", filed.tracking_no, MOBILE, now=NOW)
    assert refused.found is None and refused.retry_at == NOW + track_guard.BASE_WAIT
    # Other clients are not slowed down by this one.
    assert look_up(con, settings, "neighbour", filed.tracking_no, MOBILE, now=NOW).found
    later = NOW + track_guard.BASE_WAIT
    assert look_up(con, settings, "guesser", "RWR-2026-999999", wrong_mobile(11), now=later).retry_at is None
    assert look_up(con, settings, "guesser", filed.tracking_no, MOBILE, now=later).retry_at == later + 2 * track_guard.BASE_WAIT
    # The window expires: an hour later the client starts afresh.
    assert look_up(con, settings, "guesser", filed.tracking_no, MOBILE, now=later + timedelta(hours=1)).found


def test_the_sixth_failure_for_one_mobile_is_refused_even_from_other_clients(con, settings, filed):
    for i in range(5):
        assert look_up(con, settings, f"client{i}", f"RWR-2026-99999{i}", MOBILE, now=NOW).retry_at is None
    assert look_up(con, settings, "client9", filed.tracking_no, MOBILE, now=NOW).retry_at == NOW + track_guard.BASE_WAIT
    # A stranger cannot lock the citizen out for good: the failures expire with the window.
    assert look_up(con, settings, "client9", filed.tracking_no, MOBILE, now=NOW + timedelta(minutes=61)).found


def test_counts_survive_a_restart(con, settings, filed):
    for i in range(5):
        look_up(con, settings, "c", f"RWR-2026-99999{i}", MOBILE, now=NOW)
    con.close()
    reopened = open_portal_database(settings)
    try:
        assert look_up(reopened, settings, "c", filed.tracking_no, MOBILE, now=NOW).retry_at is not None
    finally:
        reopened.close()


def test_a_success_for_one_pair_does_not_reset_another(con, settings, choices, filed):
    other = file_complaint(con, settings, form(mobile="9811111111"), choices, track_url="u", now=NOW)
    for i in range(5):                   # pair B: this client with the first citizen's mobile
        look_up(con, settings, "shared", f"RWR-2026-99999{i}", MOBILE, now=NOW)
    assert look_up(con, settings, "shared", other.tracking_no, "9811111111", now=NOW).found   # pair A
    assert look_up(con, settings, "shared", filed.tracking_no, MOBILE, now=NOW).retry_at is not None
    # ... nor the client's own count: five more mistakes and the client waits.
    for i in range(5):
        look_up(con, settings, "shared", "RWR-2026-999999", wrong_mobile(i), now=NOW)
    assert look_up(con, settings, "shared", other.tracking_no, "9811111111", now=NOW).retry_at is not None


def test_neither_address_nor_mobile_is_stored(con, settings, filed):
    look_up(con, settings, "203.0.113.9", filed.tracking_no, "9000000001", now=NOW)
    with con.cursor() as cur:
        row = cur.execute("SELECT * FROM track_failures").fetchall()
    assert len(row) == 1 and "203.0.113.9" not in str(row) and "9000000001" not in str(row)


# ---- one-time codes ----

def code_from_outbox(con, complaint_id: int) -> str:
    with con.cursor() as cur:
        body = cur.execute("SELECT body FROM sms_outbox WHERE complaint_id = ? AND template = 'otp'"
                           " ORDER BY id DESC LIMIT 1", [complaint_id]).fetchall()[0][0]
    return re.search(r"(?<![\d-])(\d{6})(?![\d-])", body).group(1)   # not the tracking number's digits


def test_the_code_from_the_sms_opens_the_details_once(con, settings, filed):
    sent = track_codes.send_code(con, settings, filed.complaint_id, NOW)
    assert sent.to == "+91 XXXXXX5678"
    code = code_from_outbox(con, filed.complaint_id)
    with con.cursor() as cur:
        stored = cur.execute("SELECT * FROM track_codes").fetchall()
        sms = cur.execute("SELECT mobile, language, status FROM sms_outbox WHERE template = 'otp'").fetchall()
    assert code not in str(stored)                 # only a keyed hash
    assert sms == [("+919812345678", "hi", "queued")]
    assert track_codes.check_code(con, settings, filed.complaint_id, f" {code[:3]} {code[3:]} ",
                                  NOW + timedelta(minutes=9)) == (CodeCheck.ACCEPTED, 0)
    assert track_codes.check_code(con, settings, filed.complaint_id, code, NOW)[0] == CodeCheck.SPENT


def test_three_wrong_codes_kill_it(con, settings, filed):
    track_codes.send_code(con, settings, filed.complaint_id, NOW)
    code = code_from_outbox(con, filed.complaint_id)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    results = [track_codes.check_code(con, settings, filed.complaint_id, wrong, NOW) for _ in range(3)]
    assert results == [(CodeCheck.WRONG, 2), (CodeCheck.WRONG, 1), (CodeCheck.SPENT, 0)]
    assert track_codes.check_code(con, settings, filed.complaint_id, code, NOW)[0] == CodeCheck.SPENT


def test_an_expired_code_is_refused(con, settings, filed):
    track_codes.send_code(con, settings, filed.complaint_id, NOW)
    code = code_from_outbox(con, filed.complaint_id)
    assert track_codes.check_code(con, settings, filed.complaint_id, code,
                                  NOW + track_codes.CODE_LIFE)[0] == CodeCheck.EXPIRED


def test_only_three_codes_an_hour_per_complaint(con, settings, filed):
    for minute in range(3):
        assert track_codes.send_code(con, settings, filed.complaint_id, NOW + timedelta(minutes=minute)).to
    refused = track_codes.send_code(con, settings, filed.complaint_id, NOW + timedelta(minutes=5))
    assert refused.to is None and refused.retry_at == NOW + timedelta(hours=1)
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM sms_outbox WHERE template = 'otp'").fetchall()[0][0] == 3
    assert track_codes.send_code(con, settings, filed.complaint_id, NOW + timedelta(hours=1)).to


def test_no_code_sent_means_none_accepted(con, settings, filed):
    assert track_codes.check_code(con, settings, filed.complaint_id, "123456", NOW)[0] == CodeCheck.NONE_SENT


# ---- the signed link ----

def link_in_ack_sms(con, complaint_id: int) -> dict[str, str]:
    with con.cursor() as cur:
        body = cur.execute("SELECT body FROM sms_outbox WHERE complaint_id = ? AND template = 'acknowledgement'",
                           [complaint_id]).fetchall()[0][0]
    url = re.search(r"http://x/track\?\S+", body).group(0)
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def close_complaint(con, complaint_id: int, at: datetime) -> None:
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET status = 'closed' WHERE id = ?", [complaint_id])
        cur.execute("INSERT INTO complaint_events VALUES (nextval('event_seq'), ?, ?, 'dc1', 'status_changed',"
                    " 'resolved', 'closed', NULL, true)", [complaint_id, at])


def test_the_signed_link_in_the_acknowledgement_opens_the_complaint(con, settings, filed):
    params = link_in_ack_sms(con, filed.complaint_id)
    assert params["t"] == filed.tracking_no and len(params["sig"]) >= 22
    assert open_link(con, settings, "c", params["t"], params["sig"], now=NOW).complaint_id == filed.complaint_id


def test_a_tampered_or_borrowed_link_opens_nothing_and_counts(con, settings, choices, filed):
    params = link_in_ack_sms(con, filed.complaint_id)
    other = file_complaint(con, settings, form(mobile="9811111111"), choices, track_url="http://x/track", now=NOW)
    flipped = ("A" if params["sig"][0] != "A" else "B") + params["sig"][1:]
    assert open_link(con, settings, "c", params["t"], flipped, now=NOW) is None
    assert open_link(con, settings, "c", other.tracking_no, params["sig"], now=NOW) is None
    assert open_link(con, settings, "c", params["t"], "", now=NOW) is None
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM track_failures").fetchall()[0][0] == 3


def test_the_link_expires_thirty_days_after_closure(con, settings, filed):
    params = link_in_ack_sms(con, filed.complaint_id)
    close_complaint(con, filed.complaint_id, NOW)
    assert open_link(con, settings, "c", params["t"], params["sig"], now=NOW + timedelta(days=29))
    assert open_link(con, settings, "c", params["t"], params["sig"], now=NOW + timedelta(days=30)) is None
