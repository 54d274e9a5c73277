"""The Open311 GeoReport v2 API on a real `streamlit run portal.py`, driven by off-the-shelf clients
from PyPI used unchanged (civicbot 0.4.0's Open311Client: list services, read a definition, file a
request, read its status; georeport 0.3.1, read-only), refused calls that leave no complaint behind,
and the OpenAPI document."""
from __future__ import annotations

import base64
import json
import random
import urllib.error
import urllib.request

import pytest
from civicbot import Endpoint, HttpError, Open311Client
from georeport import GeoReport

from lib.core.config import load_settings
from lib.ops.startup import open_portal_database
from lib.partners import keys
from tests.conftest import REWARI_TEHSIL, REWARI_TOWN, jpeg_bytes, valid_aadhaar
from tests.e2e.conftest import PortalServer

JURISDICTION = "rewari.gov.in"
AADHAAR = valid_aadhaar(random.Random(11))


def request_fields(**overrides) -> dict:
    fields = dict(
        address_string="Gali 4, near the temple", first_name="Sunita", last_name="Devi", phone="9876543210",
        description="No drinking water in our lane for ten days now, please help.",
        attributes={"tehsil": str(REWARI_TEHSIL), "place": str(REWARI_TOWN), "ward": "7", "id_type": "aadhaar",
                    "id_number": AADHAAR, "id_document": base64.b64encode(jpeg_bytes()).decode(),
                    "consent": "true", "language": "en", "partner_ref": "CMW-2026-0001"})
    fields.update(overrides)
    return fields


@pytest.fixture
def portal_with_partner(tmp_path, monkeypatch):
    """A portal whose database already has a live partner key and a revoked one (made before the
    portal starts: it then holds the file)."""
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    settings = load_settings({})
    con = open_portal_database(settings)
    _, key = keys.create_partner(con, "cm_window", "admin_rewari")
    revoked, revoked_key = keys.create_partner(con, "old_kiosk", "admin_rewari")
    keys.revoke_partner(con, revoked.id, "admin_rewari")
    con.close()
    portal = PortalServer(tmp_path)
    yield portal, key, revoked_key
    portal.stop()


def client_for(portal) -> Open311Client:
    endpoint = Endpoint(id="rewari", name="e-Sachivalaya Rewari", base_url=f"{portal.url}/api/open311/v2",
                        write=True)
    return Open311Client(endpoint, jurisdiction_id=JURISDICTION)


def test_an_off_the_shelf_client_lists_services_files_a_request_and_reads_its_status(portal_with_partner):
    portal, key, _ = portal_with_partner
    client = client_for(portal)
    services = {s["service_code"]: s for s in client.list_services()}
    assert services["WATER"]["service_name"] == "Drinking water supply"
    assert services["WATER"]["service_name_hi"] == "पेयजल आपूर्ति"
    definition = client.get_service_definition("WATER")
    assert {a["code"] for a in definition["attributes"] if a["required"]} >= {"place", "id_document"}

    # validate_remote: the client checks the post against the live definition before sending it.
    sent = client.create_request("WATER", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
                                 **request_fields())
    [created] = sent.response
    tracking_no = created["service_request_id"]
    assert tracking_no.startswith("RWR-")

    shown = client.get_request(tracking_no)
    assert shown["service_request_id"] == tracking_no
    assert (shown["status"], shown["status_notes"], shown["service_code"]) == ("open", "Complaint filed", "WATER")
    assert shown["agency_responsible"] == "Office of the Deputy Commissioner, Rewari"
    for personal in ("Sunita", "9876543210", "Gali 4", AADHAAR[-4:]):
        assert personal not in json.dumps(shown)
    assert [r["service_request_id"] for r in client.list_requests(service_request_ids=[tracking_no])] == [tracking_no]

    # A second client from PyPI, read-only (georeport 0.3.1 cannot post), sees the same.
    reader = GeoReport(f"{portal.url}/api/open311/v2", jurisdiction=JURISDICTION)
    assert "WATER" in {s["service_code"] for s in reader.get_service_list()}
    assert reader.get_service_definition("WATER")["service_code"] == "WATER"
    assert reader.get_service_request(tracking_no)["status"] == "open"
    assert [r["service_request_id"] for r in reader.get_service_requests(service_request_id=tracking_no)] == [tracking_no]

    # And in GeoReport's XML, which older clients ask for.
    xml_reader = GeoReport(f"{portal.url}/api/open311/v2", jurisdiction=JURISDICTION, output_format="xml")
    assert "WATER" in {s["service_code"] for s in xml_reader.get_service_list()}
    assert xml_reader.get_service_request(tracking_no)["status"] == "open"
    attrs = xml_reader.get_service_definition("WATER")["attributes"]["attribute"]
    assert {a["code"] for a in attrs if a["required"] == "true"} >= {"place", "id_document"}

    # Posting the same partner_ref again (a retry after a timeout) files nothing new.
    again = client.create_request("WATER", dry_run=False, confirm="SEND", api_key=key, **request_fields())
    assert again.response[0]["service_request_id"] == tracking_no

    portal.stop()
    con = open_portal_database(load_settings({}))
    try:
        assert con.execute("SELECT tracking_no, channel FROM complaints").fetchall() == [(tracking_no, "api:cm_window")]
        audit = con.execute("SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'open311.%'"
                            " ORDER BY id").fetchall()
    finally:
        con.close()
    assert ("api:cm_window", "open311.requests.create", tracking_no, "200") in audit
    assert ("api:public", "open311.services.list", None, "200") in audit
    assert not any(p in repr(audit) for p in ("Sunita", "9876543210", AADHAAR[-4:], key))


def test_refused_calls_answer_in_georeport_errors_and_leave_no_complaint(portal_with_partner):
    portal, key, revoked_key = portal_with_partner
    client = client_for(portal)
    for wrong in ("rwr_not-a-key", revoked_key):
        with pytest.raises(HttpError) as refused:
            client.create_request("WATER", dry_run=False, confirm="SEND", api_key=wrong, **request_fields())
        assert refused.value.status == 403
        assert json.loads(refused.value.body) == [{"code": 403, "description": "api_key: api_key missing, unknown or revoked."}]

    fields = request_fields(phone=None)
    fields["attributes"] = {**fields["attributes"], "id_document": "%%% not base64"}
    with pytest.raises(HttpError) as refused:
        client.create_request("WATER", dry_run=False, confirm="SEND", api_key=key, **fields)
    assert refused.value.status == 400
    errors = json.loads(refused.value.body)
    assert {e["code"] for e in errors} == {400}
    assert {e["description"].split(":")[0] for e in errors} == {"phone", "attribute[id_document]"}

    with pytest.raises(HttpError) as unknown:
        client.get_request("RWR-2026-999999")
    assert unknown.value.status == 404 and json.loads(unknown.value.body)[0]["code"] == 404
    with pytest.raises(urllib.error.HTTPError) as in_xml:
        urllib.request.urlopen(f"{portal.url}/api/open311/v2/requests/RWR-2026-999999.xml", timeout=30)
    assert in_xml.value.code == 404
    assert in_xml.value.read().startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<errors><error><code>404</code>")
    with pytest.raises(urllib.error.HTTPError) as unknown_format:
        urllib.request.urlopen(f"{portal.url}/api/open311/v2/services.txt", timeout=30)
    assert unknown_format.value.code == 404
    assert json.loads(unknown_format.value.read()) == [{"code": 404, "description": "format: the format must be json or xml."}]

    # The listing of the partner's own requests (with its key) is empty: nothing was filed.
    assert client.http.get_json(f"{portal.url}/api/open311/v2/requests.json", {"api_key": key}) == []
    portal.stop()
    con = open_portal_database(load_settings({}))
    try:
        assert con.execute("SELECT count(*) FROM complaints").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        refusals = con.execute("SELECT actor, detail FROM audit_log WHERE action = 'open311.requests.create'"
                               " ORDER BY id").fetchall()
        formats = con.execute("SELECT actor, detail FROM audit_log WHERE action = 'open311.services.list'").fetchall()
    finally:
        con.close()
    assert refusals[:2] == [("api:refused", "403 api.error.key")] * 2
    assert formats == [("api:public", "404 api.error.format")]
    assert refusals[2][0] == "api:cm_window" and refusals[2][1].startswith("400 ")


def test_the_openapi_document_is_served_and_valid(portal_with_partner):
    from openapi_spec_validator import validate

    portal, _, _ = portal_with_partner
    with urllib.request.urlopen(f"{portal.url}/api/openapi.json", timeout=30) as response:
        document = json.loads(response.read())
    validate(document)
    assert {"/api/open311/v2/services.json", "/api/open311/v2/services/{service_code}.json",
            "/api/open311/v2/requests.json", "/api/open311/v2/requests/{service_request_id}.json"} == set(document["paths"])
