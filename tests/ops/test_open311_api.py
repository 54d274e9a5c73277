"""The Open311 routes' envelope (lib/ops/open311_api.py `_call`): key, rate limit (429 with
Retry-After), audit of every call, on the process's connection."""
from __future__ import annotations

import pytest

from lib.ops import open311_api, startup
from lib.partners import keys


@pytest.fixture
def portal_con(settings):
    con = startup.portal_database(settings)
    yield con
    startup.release_portal_database(con)


def services(con, partner, **_):
    return [{"service_code": "X"}], None


def test_past_the_limit_a_key_gets_429_with_retry_after_and_every_call_is_audited(settings, portal_con, monkeypatch):
    monkeypatch.setattr(keys, "CALLS_PER_MINUTE", 2)
    _, key = keys.create_partner(portal_con, "csc_bawal", "admin_rewari")
    answers = [open311_api._call(settings, "open311.services.list", {"api_key": key}, "10.0.0.9", "en", services)
               for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 429]
    status, body, headers = answers[2]
    assert body[0]["code"] == 429 and body[0]["description"].startswith("api_key: too many calls")
    assert 1 <= int(headers["Retry-After"]) <= 60
    # Without a key the client address has its own count.
    assert open311_api._call(settings, "open311.services.list", {}, "10.0.0.9", "en", services)[0] == 200
    audit = portal_con.execute("SELECT actor, detail FROM audit_log WHERE action = 'open311.services.list'"
                               " ORDER BY id").fetchall()
    assert audit == [("api:csc_bawal", "200"), ("api:csc_bawal", "200"), ("api:csc_bawal", "429 api.error.rate"),
                     ("api:public", "200")]


def test_a_key_is_required_to_file_and_another_jurisdiction_is_404(settings, portal_con):
    status, body, _ = open311_api._call(settings, "open311.requests.create", {}, "10.0.0.9", "hi", services)
    assert status == 403 and body[0]["code"] == 403
    status, body, _ = open311_api._call(settings, "open311.services.list", {"jurisdiction_id": "nyc.gov"},
                                        "10.0.0.9", "en", services)
    assert (status, body[0]["code"]) == (404, 404)


def test_refused_keys_are_counted_per_address_so_a_flood_meets_429(settings, portal_con, monkeypatch):
    monkeypatch.setattr(keys, "PUBLIC_CALLS_PER_MINUTE", 2)
    statuses = [open311_api._call(settings, "open311.requests.create", {"api_key": f"rwr_guess{i}"},
                                  "10.0.0.7", "en", services)[0] for i in range(3)]
    assert statuses == [403, 403, 429]


def test_an_unexpected_failure_is_a_georeport_500_without_details_and_is_audited(settings, portal_con):
    def broken(con, partner, **_):
        raise RuntimeError("/secret/path/portal.duckdb is broken")

    status, body, _ = open311_api._call(settings, "open311.services.list", {}, "10.0.0.9", "en", broken)
    assert (status, body) == (500, [{"code": 500, "description": "the portal could not answer; try again later."}])
    assert portal_con.execute("SELECT actor, detail FROM audit_log WHERE action = 'open311.services.list'").fetchall() \
        == [("api:public", "500 api.error.internal")]


def test_a_json_body_arrives_as_a_form_would():
    assert open311_api._text(7) == "7" and open311_api._text(None) == "" and open311_api._text(True) == "true"
    assert open311_api._text(["a"]) == ""
    assert open311_api._text({"ward": 7, "x": {"deep": 1}}) == {"ward": "7"}
    # A key that is not text is simply no key.
    with pytest.raises(keys.KeyRefused):
        keys.partner_of_key(None, {"a": 1})


def test_the_audit_names_only_codes_the_portal_knows_never_what_a_path_held(settings, portal_con):
    for code in ("WATER", "9876543210"):
        open311_api._call(settings, "open311.services.get", {}, "10.0.0.9", "en",
                          lambda con, partner, code=code: open311_api._definition(
                              con, partner, fields={}, language="en", settings=None, path={"code": code}))
    assert portal_con.execute("SELECT target, detail FROM audit_log WHERE action = 'open311.services.get'"
                              " ORDER BY id").fetchall() == [("WATER", "200"), (None, "404 api.error.service_unknown")]
