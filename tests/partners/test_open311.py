"""The Open311 API's mapping onto complaints: services, definitions, filing with a partner's key
(same checks as the form, nothing saved on a refusal), public request views, keys and rate limits.
On DuckDB and on PostgreSQL (`engines`)."""
from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta, timezone

import pytest

from lib.core.problems import InvalidInput
from lib.db import citizen as complaints_db
from lib.partners import intake, keys, open311
from tests.conftest import REWARI_TEHSIL, REWARI_TOWN, jpeg_bytes, valid_aadhaar

pytestmark = pytest.mark.engines


def post_fields(**overrides) -> dict:
    """A complete, valid GeoReport POST, as a form-encoded body arrives."""
    fields = {
        "service_code": "WATER", "first_name": "Sunita", "last_name": "Devi", "phone": "9876543210",
        "description": "No drinking water in our lane for ten days now, please help.",
        "address_string": "Gali 4, near the temple", "lat": "28.19", "long": "76.62",
        "attribute[tehsil]": str(REWARI_TEHSIL), "attribute[place]": str(REWARI_TOWN), "attribute[ward]": "7",
        "attribute[id_type]": "aadhaar", "attribute[id_number]": valid_aadhaar(random.Random(3)),
        "attribute[id_document]": base64.b64encode(jpeg_bytes()).decode(), "attribute[consent]": "true",
        "attribute[language]": "en",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.fixture
def partner(con):
    made, key = keys.create_partner(con, "cm_window", "admin_rewari")
    return made


def query(con, sql, params=()) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def complaint_count(con) -> int:
    with con.cursor() as cur:
        return complaints_db.count_complaints(cur)


def test_services_are_the_categories_in_both_languages_with_their_department(choices):
    found = {s["service_code"]: s for s in open311.services(choices)}
    assert set(found) == set(choices.categories)
    water = found["WATER"]
    assert water["service_name"] == "Drinking water supply"
    assert water["service_name_hi"] == "पेयजल आपूर्ति"
    assert water["department_code"] == "PHED" and water["metadata"] is True and water["type"] == "realtime"


def test_a_definition_lists_the_attributes_a_complaint_needs(choices):
    definition = open311.service_definition(choices, "WATER")
    required = {a["code"] for a in definition["attributes"] if a["required"]}
    assert required == {"tehsil", "place", "id_type", "id_number", "id_document", "consent"}
    place = next(a for a in definition["attributes"] if a["code"] == "place")
    assert str(REWARI_TOWN) in {v["key"] for v in place["values"]}
    with pytest.raises(open311.ApiError) as refused:
        open311.service_definition(choices, "NOPE")
    assert refused.value.status == 404
    assert refused.value.body() == [{"code": 404, "description": "service_code: no service with service_code NOPE."}]


def test_a_valid_post_files_a_complaint_with_its_channel_and_identity_proof(con, settings, choices, partner):
    body, tracking_no = intake.file_request(con, settings, post_fields(), partner, choices)
    assert body == [{"service_request_id": tracking_no, "account_id": None,
                     "service_notice": "Filed; the citizen gets an SMS with the tracking number."}]
    row = query(con, "SELECT channel, citizen_name, mobile, aadhaar_last4, aadhaar_hmac IS NOT NULL, ward,"
                      " subject, language FROM complaints WHERE tracking_no = ?", [tracking_no])[0]
    assert row[0] == "api:cm_window"
    assert row[1:3] == ("Sunita Devi", "+919876543210")
    assert row[3] == post_fields()["attribute[id_number]"][-4:] and row[4] is True
    assert row[5] == 7
    assert row[6] == "Drinking water supply"           # no subject given: the category's name
    assert query(con, "SELECT count(*) FROM documents d JOIN complaints c ON c.id = d.complaint_id"
                       " WHERE c.tracking_no = ? AND d.kind = 'id_proof'", [tracking_no])[0] == (1,)
    assert query(con, "SELECT count(*) FROM sms_outbox WHERE idempotency_key = ?",
                       [f"ack:{tracking_no}"])[0] == (1,)


def test_the_same_partner_ref_posted_twice_files_once(con, settings, choices, partner):
    first, no1 = intake.file_request(con, settings, post_fields(**{"attribute[partner_ref]": "CMW-1"}), partner, choices)
    again, no2 = intake.file_request(con, settings, post_fields(**{"attribute[partner_ref]": "CMW-1"}), partner, choices)
    assert no1 == no2 and complaint_count(con) == 1
    assert "same request" in again[0]["service_notice"]


def test_a_bad_post_lists_every_problem_in_georeport_names_and_saves_nothing(con, settings, choices, partner):
    fields = post_fields(phone="12345", first_name=None, last_name=None, description="short",
                         **{"attribute[id_document]": "not base64!!", "attribute[ward]": "seven",
                            "attribute[consent]": None})
    with pytest.raises(open311.ApiError) as refused:
        intake.file_request(con, settings, fields, partner, choices)
    assert refused.value.status == 400
    body = refused.value.body()
    assert all(entry["code"] == 400 for entry in body)
    named = {entry["description"].split(":")[0] for entry in body}
    assert named == {"phone", "first_name", "description", "attribute[id_document]", "attribute[ward]",
                     "attribute[consent]"}
    assert complaint_count(con) == 0
    assert query(con, "SELECT count(*) FROM documents")[0] == (0,)
    assert not any(settings.uploads_dir.iterdir())


def test_a_missing_field_is_reported_in_hindi_when_asked(con, settings, choices, partner):
    with pytest.raises(open311.ApiError) as refused:
        intake.file_request(con, settings, post_fields(phone=None), partner, choices)
    assert refused.value.body("hi") == [{"code": 400, "description": "phone: यह भरना ज़रूरी है।"}]
    assert refused.value.body() == [{"code": 400, "description": "phone: This is required."}]


def test_another_jurisdiction_is_refused(con, settings, choices, partner):
    with pytest.raises(open311.ApiError) as refused:
        intake.file_request(con, settings, post_fields(jurisdiction_id="chicago.il.us"), partner, choices)
    assert refused.value.status == 404 and complaint_count(con) == 0


def test_a_request_shows_status_and_agency_but_no_personal_data(con, settings, choices, partner):
    _, tracking_no = intake.file_request(con, settings, post_fields(), partner, choices)
    [shown] = open311.find_request(con, tracking_no)
    assert shown["service_request_id"] == tracking_no and shown["status"] == "open"
    assert shown["status_notes"] == "Complaint filed"
    assert shown["agency_responsible"] == "Office of the Deputy Commissioner, Rewari"   # no department yet
    assert shown["requested_datetime"].endswith("+05:30")
    text = repr(shown)
    for personal in ("Sunita", "9876543210", "Gali 4", "No drinking water", post_fields()["attribute[id_number]"][-4:]):
        assert personal not in text
    with pytest.raises(open311.ApiError) as missing:
        open311.find_request(con, "RWR-2026-999999")
    assert missing.value.status == 404


def test_listing_needs_ids_or_a_key_and_shows_only_the_partners_own(con, settings, choices, partner):
    _, mine = intake.file_request(con, settings, post_fields(), partner, choices)
    other, _ = keys.create_partner(con, "csc_bawal", "admin_rewari")
    now = datetime.now(timezone.utc)
    assert [r["service_request_id"] for r in open311.find_requests(con, {}, partner.channel, now)] == [mine]
    assert open311.find_requests(con, {}, other.channel, now) == []
    assert [r["service_request_id"] for r in open311.find_requests(con, {"service_request_id": mine}, None, now)] == [mine]
    assert open311.find_requests(con, {"service_request_id": mine, "status": "closed"}, None, now) == []
    for params, status in (({}, 403), ({"status": "pending"}, 400), ({"start_date": "yesterday"}, 400)):
        with pytest.raises(open311.ApiError) as refused:
            open311.find_requests(con, params, None if status == 403 else partner.channel, now)
        assert refused.value.status == status


def test_keys_are_stored_hashed_and_a_revoked_key_is_refused(con, partner):
    made, key = keys.create_partner(con, "csc_kosli", "admin_rewari")
    assert key.startswith("rwr_") and len(key) > 40
    stored = query(con, "SELECT key_hash, key_prefix FROM partners WHERE name = 'csc_kosli'")[0]
    assert key not in stored and stored == (keys.key_hash(key), key[:keys.PREFIX_SHOWN])
    assert keys.partner_of_key(con, key) == made
    keys.revoke_partner(con, made.id, "admin_rewari")
    for wrong in (key, "rwr_guess", "", None):
        with pytest.raises(keys.KeyRefused):
            keys.partner_of_key(con, wrong)
    with pytest.raises(InvalidInput):
        keys.revoke_partner(con, made.id, "admin_rewari")        # revoked already
    with pytest.raises(InvalidInput):
        keys.create_partner(con, "csc_kosli", "admin_rewari")     # the name stays taken
    with pytest.raises(InvalidInput):
        keys.create_partner(con, "Bad Name!", "admin_rewari")
    actions = query(con, "SELECT action, target, detail FROM audit_log WHERE action LIKE 'partner.%'"
                          " ORDER BY id")
    assert ("partner.revoke", "csc_kosli", None) in actions and all(key not in repr(a) for a in actions)


def test_the_rate_limit_counts_per_bucket_and_tells_when_to_retry(con):
    now = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)
    for _ in range(3):
        keys.count_call(con, "key:1", 3, now)
    with pytest.raises(keys.RateLimited) as limited:
        keys.count_call(con, "key:1", 3, now)
    assert limited.value.retry_after_s == 60
    keys.count_call(con, "key:2", 3, now)                        # another key has its own count
    keys.count_call(con, "key:1", 3, now + timedelta(seconds=61))   # a minute later: counted again


def test_the_queue_shows_the_channel_a_complaint_came_by(con, settings, choices, partner):
    from lib.casework import queue
    from lib.casework.queue import QueueFilters
    from lib.citizen import filing
    from lib.staff.signin import DEMO_USERS
    from tests.conftest import make_form

    _, by_api = intake.file_request(con, settings, post_fields(), partner, choices)
    by_web = filing.file_complaint(con, settings, make_form(mobile="9812345670"), choices, track_url="http://x/t").tracking_no
    dc = next(u for u in DEMO_USERS if u.username == "dc_rewari")
    rows = {r.tracking_no: r.channel for r in queue.load_queue(con, dc, QueueFilters(), "en").rows}
    assert rows == {by_api: "api:cm_window", by_web: "web"}
    table = queue.rows_table(queue.load_queue(con, dc, QueueFilters(), "en").rows, "en")
    assert set(table["Channel"]) == {"api:cm_window", "web"}


def test_analytics_count_complaints_per_channel(con, settings, choices, partner):
    from lib.analytics import figures
    from lib.casework import deadlines
    from lib.citizen import filing
    from tests.conftest import make_form

    intake.file_request(con, settings, post_fields(), partner, choices)
    intake.file_request(con, settings, post_fields(phone="9812345671"), partner, choices)
    filing.file_complaint(con, settings, make_form(mobile="9812345670"), choices, track_url="http://x/t")
    today = deadlines.today_in_ist()      # the portal's day, not the machine's (UTC) one
    board = figures.load_dashboard(con, figures.AnalyticsFilters(today - timedelta(days=30), today))
    counts = board.channels.set_index("channel")
    assert counts["received"].to_dict() == {"api:cm_window": 2, "web": 1}
    assert counts["pending"].to_dict() == {"api:cm_window": 2, "web": 1}
    assert counts["disposed"].to_dict() == {"api:cm_window": 0, "web": 0}


def test_one_mobile_files_at_most_three_a_day_through_the_api_too_but_a_retry_is_answered(
        con, settings, choices, partner):
    filed = [intake.file_request(con, settings, post_fields(**{"attribute[partner_ref]": f"R{i}"}), partner,
                                 choices)[1] for i in range(3)]
    with pytest.raises(open311.ApiError) as refused:
        intake.file_request(con, settings, post_fields(**{"attribute[partner_ref]": "R4"}), partner, choices)
    assert refused.value.status == 400
    assert refused.value.body()[0]["description"].startswith("phone: This mobile number has already filed 3")
    assert complaint_count(con) == 3
    again = intake.file_request(con, settings, post_fields(**{"attribute[partner_ref]": "R2"}), partner, choices)
    assert again[1] == filed[2]
