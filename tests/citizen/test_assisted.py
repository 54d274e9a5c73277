"""Assisted filing (issue #15), the data layer on both engines: a CSC operator's filing is confirmed
by a one-time code sent to the citizen's own mobile before anything is filed; the complaint records
the operator and the centre; the operator sees only their own filings; limits count per operator."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lib.citizen import assisted, limits, uploads
from lib.citizen.filing import file_complaint
from lib.citizen.one_time_codes import CODE_LIFE, CodeCheck
from lib.core.problems import InvalidInput
from lib.staff import administration, signin
from tests.conftest import make_form

pytestmark = pytest.mark.engines

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime.now(IST).replace(microsecond=0)
OPERATOR = "operator_csc"
CENTRE = "CSC Dharuhera"


@pytest.fixture
def desk(con, engine):
    signin.create_demo_users(con)
    return con


def rows(con, sql: str, params=()) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def complaints(con) -> int:
    return rows(con, "SELECT count(*) FROM complaints")[0][0]


def sent_code(con) -> str:
    """The code in the newest confirmation SMS, read from the outbox as the gateway would send it."""
    body = rows(con, "SELECT body FROM sms_outbox WHERE template = 'filing_code' ORDER BY id DESC LIMIT 1")[0][0]
    return re.search(r"\b(\d{6})\b", body)[1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def test_the_code_goes_to_the_citizens_mobile_and_only_then_the_complaint_is_filed(desk, settings, choices):
    form = make_form()
    sent = assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    assert sent.to == "+91 XXXXXX3210" and sent.retry_at is None
    [(mobile, template, complaint_id, body)] = rows(desk, "SELECT mobile, template, complaint_id, body FROM sms_outbox")
    assert (mobile, template, complaint_id) == ("+919876543210", "filing_code", None)
    assert CENTRE in body
    code = sent_code(desk)
    # Only a keyed hash of the code is kept; nothing is filed and nothing is stored on disk yet.
    [(code_hash,)] = rows(desk, "SELECT code_hash FROM filing_codes")
    assert code not in code_hash
    assert complaints(desk) == 0
    assert not list(settings.uploads_dir.glob("*")) if settings.uploads_dir.exists() else True

    result = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, f" {code} ",
                                       track_url="http://portal/track", now=NOW + timedelta(minutes=3))
    assert result.verdict == CodeCheck.ACCEPTED
    ack = result.acknowledgement
    [(channel, filed_by, centre, mobile)] = rows(
        desk, "SELECT channel, filed_by, centre, mobile FROM complaints WHERE id = ?", [ack.complaint_id])
    assert (channel, filed_by, centre, mobile) == (f"csc:{CENTRE}", OPERATOR, CENTRE, "+919876543210")
    assert rows(desk, "SELECT actor FROM complaint_events WHERE complaint_id = ?", [ack.complaint_id]) == [(OPERATOR,)]
    # The citizen gets the usual acknowledgement; the ID proof is stored as the public form stores it: encrypted.
    assert rows(desk, "SELECT template FROM sms_outbox WHERE complaint_id = ?", [ack.complaint_id]) == [
        ("acknowledgement",)]
    [(kind, stored_name)] = rows(desk, "SELECT kind, stored_name FROM documents WHERE complaint_id = ?",
                                 [ack.complaint_id])
    on_disk = (settings.uploads_dir / stored_name).read_bytes()
    assert kind == "id_proof" and b"JFIF" not in on_disk and not on_disk.startswith(b"\xff\xd8")
    store = uploads.UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
    assert store.load(stored_name).startswith(b"\xff\xd8")
    # The code is spent: a second confirmation of the same form hands back the same filing.
    again = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, code, track_url="x",
                                      now=NOW + timedelta(minutes=4))
    assert again.acknowledgement.tracking_no == ack.tracking_no and complaints(desk) == 1


def test_a_wrong_code_files_nothing_and_three_spend_it(desk, settings, choices):
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    code = sent_code(desk)
    for left in (2, 1):
        result = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, wrong(code), track_url="x", now=NOW)
        assert (result.verdict, result.tries_left, result.acknowledgement) == (CodeCheck.WRONG, left, None)
    result = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, wrong(code), track_url="x", now=NOW)
    assert result.verdict == CodeCheck.SPENT
    # Even the right code is refused now: a new code must be sent.
    result = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, code, track_url="x", now=NOW)
    assert result.verdict == CodeCheck.SPENT
    assert complaints(desk) == 0 and rows(desk, "SELECT count(*) FROM documents") == [(0,)]
    # A new code works, and only the newest.
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW + timedelta(minutes=1))
    newest = sent_code(desk)
    assert assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, newest, track_url="x",
                                     now=NOW + timedelta(minutes=2)).verdict == CodeCheck.ACCEPTED
    assert complaints(desk) == 1


def test_an_expired_code_files_nothing(desk, settings, choices):
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    result = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, sent_code(desk), track_url="x",
                                       now=NOW + CODE_LIFE)
    assert result.verdict == CodeCheck.EXPIRED and result.acknowledgement is None
    assert complaints(desk) == 0


def test_the_code_confirms_only_the_form_it_was_sent_for_by_its_operator(desk, settings, choices):
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    code = sent_code(desk)
    # The same form token with another mobile or another subject: the citizen did not confirm that.
    for changed in (dataclasses.replace(form, mobile="9812345678"), dataclasses.replace(form, subject="कुछ और बात")):
        result = assisted.confirm_and_file(desk, settings, changed, choices, OPERATOR, code, track_url="x", now=NOW)
        assert result.verdict == CodeCheck.NONE_SENT
    # Another operator cannot use this operator's code.
    administration.add_user(desk, administration.NewUser("operator_two", "Second operator", "operator", None,
                                                         "Operator@2026", centre="SARAL Kendra Bawal"),
                            administration.CONSOLE_ACTOR)
    result = assisted.confirm_and_file(desk, settings, form, choices, "operator_two", code, track_url="x", now=NOW)
    assert result.verdict == CodeCheck.NONE_SENT
    assert complaints(desk) == 0


def test_only_an_active_operator_with_a_centre_may_file_for_a_citizen(desk, settings, choices):
    for username in ("dc_rewari", "admin_rewari", "nobody_here"):
        with pytest.raises(InvalidInput) as refused:
            assisted.request_code(desk, settings, make_form(), choices, username, NOW)
        assert refused.value.problems[0].key == "assisted.error.not_operator"
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    administration.set_user_active(desk, OPERATOR, False, administration.CONSOLE_ACTOR)
    with pytest.raises(InvalidInput):
        assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, sent_code(desk), track_url="x", now=NOW)
    assert complaints(desk) == 0
    assert rows(desk, "SELECT count(*) FROM sms_outbox") == [(1,)]


def test_a_form_with_problems_sends_no_code(desk, settings, choices):
    with pytest.raises(InvalidInput) as refused:
        assisted.request_code(desk, settings, make_form(mobile="12345", id_document=None), choices, OPERATOR, NOW)
    assert {p.field for p in refused.value.problems} == {"mobile", "id_document"}
    assert rows(desk, "SELECT count(*) FROM sms_outbox") == [(0,)]
    assert rows(desk, "SELECT count(*) FROM filing_codes") == [(0,)]


def test_at_most_three_codes_an_hour_reach_one_mobile(desk, settings, choices):
    for minute in range(3):
        assert assisted.request_code(desk, settings, make_form(), choices, OPERATOR, NOW + timedelta(minutes=minute)).to
    sent = assisted.request_code(desk, settings, make_form(), choices, OPERATOR, NOW + timedelta(minutes=5))
    assert sent.to is None and sent.retry_at == NOW + timedelta(hours=1)
    assert rows(desk, "SELECT count(*) FROM sms_outbox") == [(3,)]


def test_an_operator_sees_only_their_own_filings(desk, settings, choices):
    public = file_complaint(desk, settings, make_form(mobile="9811111111"), choices, track_url="x", now=NOW)
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    ack = assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, sent_code(desk), track_url="x",
                                    now=NOW).acknowledgement
    filings, total = assisted.my_filings(desk, OPERATOR)
    assert total == 1 and [(f.tracking_no, f.status) for f in filings] == [(ack.tracking_no, "submitted")]
    assert not {"mobile", "citizen_name", "aadhaar_hmac", "stored_name"} & set(dataclasses.asdict(filings[0]))
    complaint, centre = assisted.receipt_complaint(desk, OPERATOR, ack.complaint_id)
    assert complaint.tracking_no == ack.tracking_no and centre == CENTRE
    assert complaint.masked_id.startswith("XXXX XXXX ")
    assert assisted.receipt_complaint(desk, OPERATOR, public.complaint_id) is None
    assert assisted.my_filings(desk, "dc_rewari") == ([], 0)


def test_filings_are_counted_per_operator_not_per_address(desk, settings, choices):
    """A CSC files for many citizens from one address: the public form's 10 an hour per address would
    stop it, so an operator's filings are counted per operator, 60 an hour."""
    assert limits.OPERATOR.per_hour == 60
    with desk.cursor() as cur:
        for i in range(limits.CLIENT_PER_HOUR + 1):
            cur.execute("INSERT INTO filing_attempts (client, attempted_at) VALUES (?, ?)",
                        [f"operator:{OPERATOR}", NOW - timedelta(minutes=30 - i)])
    form = make_form()
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    assert assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, sent_code(desk), track_url="x",
                                     now=NOW).verdict == CodeCheck.ACCEPTED
    with desk.cursor() as cur:
        for i in range(limits.OPERATOR_PER_HOUR):
            cur.execute("INSERT INTO filing_attempts (client, attempted_at) VALUES (?, ?)",
                        [f"operator:{OPERATOR}", NOW - timedelta(minutes=20)])
    form = make_form(mobile="9822222222")
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    with pytest.raises(InvalidInput) as refused:
        assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, sent_code(desk), track_url="x", now=NOW)
    assert refused.value.problems[0].key == "error.limit_operator"
    assert refused.value.problems[0].params == {"max": 60, "minutes": 30}
    assert complaints(desk) == 1


def test_an_unreadable_upload_files_nothing_and_keeps_the_code(desk, settings, choices):
    from lib.citizen.filing import UploadedFile

    # A damaged PDF passes the cheap checks (its first bytes) and fails only when rendered, at filing.
    broken = UploadedFile("id.pdf", b"%PDF-1.4\n<html><body>not a pdf</body></html>")
    form = make_form(id_document=broken)
    assisted.request_code(desk, settings, form, choices, OPERATOR, NOW)
    code = sent_code(desk)
    with pytest.raises(InvalidInput):
        assisted.confirm_and_file(desk, settings, form, choices, OPERATOR, code, track_url="x", now=NOW)
    assert complaints(desk) == 0
    assert rows(desk, "SELECT used_at FROM filing_codes") == [(None,)]


def test_the_admin_gives_operators_a_centre_and_nobody_else(desk):
    admin = "admin_rewari"
    new = administration.NewUser("csc_bawal", "CSC Bawal operator", "operator", None, "Operator@2026")
    with pytest.raises(InvalidInput) as refused:
        administration.add_user(desk, new, admin)
    assert [p.key for p in refused.value.problems] == ["admin.error.centre_required"]
    with pytest.raises(InvalidInput) as refused:
        administration.add_user(desk, dataclasses.replace(new, role="analyst", centre="CSC Bawal"), admin)
    assert [p.key for p in refused.value.problems] == ["admin.error.centre_not_allowed"]
    administration.add_user(desk, dataclasses.replace(new, centre=" CSC Bawal "), admin)
    assert administration.centres(desk)["csc_bawal"] == "CSC Bawal"
    administration.change_role(desk, "csc_bawal", "operator", None, admin, centre="SARAL Kendra Bawal")
    assert administration.centres(desk)["csc_bawal"] == "SARAL Kendra Bawal"
    administration.change_role(desk, "csc_bawal", "analyst", None, admin)
    assert "csc_bawal" not in administration.centres(desk)


def test_the_admins_outbox_page_never_shows_the_code(desk, settings, choices):
    from lib.sms.dispatcher import readable_text

    assisted.request_code(desk, settings, make_form(), choices, OPERATOR, NOW)
    [(body,)] = rows(desk, "SELECT body FROM sms_outbox")
    assert sent_code(desk) not in readable_text(body) and CENTRE in readable_text(body)
