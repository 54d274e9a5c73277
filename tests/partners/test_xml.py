"""GeoReport's XML answers: the specification's element names, text escaped, nothing lost."""
from __future__ import annotations

from xml.etree import ElementTree

from lib.partners import xml


def test_requests_and_errors_in_georeport_xml():
    root = ElementTree.fromstring(xml.render("open311.requests.get", [
        {"service_request_id": "RWR-2026-000001", "status": "open", "lat": None}]))
    assert root.tag == "service_requests"
    [request] = root
    assert (request.tag, request.findtext("service_request_id"), request.findtext("status")) == (
        "request", "RWR-2026-000001", "open")
    assert request.find("lat") is not None and request.findtext("lat") == ""
    errors = ElementTree.fromstring(xml.render("errors", [{"code": 400, "description": "phone: <&>"}]))
    assert [(e.findtext("code"), e.findtext("description")) for e in errors] == [("400", "phone: <&>")]


def test_a_definition_nests_attributes_and_values():
    root = ElementTree.fromstring(xml.render("open311.services.get", {
        "service_code": "WATER", "attributes": [{"code": "id_type", "required": True,
                                                 "values": [{"key": "aadhaar", "name": "Aadhaar"}]}]}))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("required") == "true"
    assert attribute.find("values/value").findtext("key") == "aadhaar"
