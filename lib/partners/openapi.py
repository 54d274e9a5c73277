"""The OpenAPI 3.1 document of the Open311 routes (served at /api/openapi.json)."""
from __future__ import annotations

from lib.partners.open311 import JURISDICTION_ID

BASE = "/api/open311/v2"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    words = {400: "Invalid input: one entry per problem", 403: "api_key missing, unknown or revoked",
             404: "Unknown service, request or jurisdiction", 429: "Rate limit reached (see Retry-After)"}
    return {str(c): _json(_ref("Errors"), words[c]) for c in codes}


def _query(name: str, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string"}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


JURISDICTION = _query("jurisdiction_id", f"Optional; the only jurisdiction is {JURISDICTION_ID}")
API_KEY = _query("api_key", "A partner system's key (from the admin page's Partner systems tab)")

NULLABLE_STRING = {"type": ["string", "null"]}
SCHEMAS = {
    "Errors": {"type": "array", "items": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}},
    "Service": {"type": "object", "required": ["service_code", "service_name", "metadata", "type"], "properties": {
        "service_code": {"type": "string"}, "service_name": {"type": "string"},
        "service_name_hi": {"type": "string"}, "description": {"type": "string"},
        "metadata": {"type": "boolean"}, "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"}, "group": {"type": "string"},
        "department_code": NULLABLE_STRING, "department_name": {"type": "string"},
        "department_name_hi": {"type": "string"}}},
    "ServiceDefinition": {"type": "object", "required": ["service_code", "attributes"], "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": {"type": "object", "properties": {
            "variable": {"type": "boolean"}, "code": {"type": "string"},
            "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text",
                                                    "singlevaluelist", "multivaluelist"]},
            "required": {"type": "boolean"}, "datatype_description": NULLABLE_STRING,
            "order": {"type": "integer"}, "description": {"type": "string"},
            "values": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string"}, "name": {"type": "string"}}}}}}}}},
    "ServiceRequest": {"type": "object", "required": ["service_request_id", "status"], "properties": {
        "service_request_id": {"type": "string", "examples": ["RWR-2026-000123"]},
        "status": {"type": "string", "enum": ["open", "closed"]}, "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING, "service_code": {"type": "string"},
        "description": {"type": "null", "description": "never given: it may hold personal data"},
        "agency_responsible": {"type": "string"}, "service_notice": NULLABLE_STRING,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time"},
        "expected_datetime": NULLABLE_STRING, "address": {"type": "null"}, "address_id": {"type": "null"},
        "zipcode": {"type": "null"}, "lat": {"type": "null"}, "long": {"type": "null"},
        "media_url": {"type": "null"}}},
    "Created": {"type": "array", "items": {"type": "object", "required": ["service_request_id"], "properties": {
        "service_request_id": {"type": "string"}, "service_notice": {"type": "string"},
        "account_id": {"type": "null"}}}},
    "NewRequest": {"type": "object", "required": ["api_key", "service_code", "description", "first_name", "phone",
                                                  "attribute[tehsil]", "attribute[place]", "attribute[id_type]",
                                                  "attribute[id_number]", "attribute[id_document]",
                                                  "attribute[consent]"],
                   "properties": {
        "api_key": {"type": "string"}, "jurisdiction_id": {"type": "string"},
        "service_code": {"type": "string"}, "description": {"type": "string", "minLength": 20, "maxLength": 4000},
        "first_name": {"type": "string"}, "last_name": {"type": "string"},
        "phone": {"type": "string", "description": "Indian mobile number: it receives the SMS"},
        "email": {"type": "string"}, "address_string": {"type": "string", "maxLength": 200},
        "lat": {"type": "number", "description": "accepted, not stored"},
        "long": {"type": "number", "description": "accepted, not stored"},
        "attribute[tehsil]": {"type": "string", "description": "LGD code"},
        "attribute[place]": {"type": "string", "description": "LGD code of the village or town"},
        "attribute[ward]": {"type": "string", "description": "required for a town"},
        "attribute[id_type]": {"type": "string", "enum": ["aadhaar", "ppp"]},
        "attribute[id_number]": {"type": "string"},
        "attribute[id_document]": {"type": "string", "contentEncoding": "base64",
                                   "description": "JPEG, PNG or PDF, at most 25 MB before encoding"},
        "attribute[consent]": {"type": "string", "enum": ["true"]},
        "attribute[subject]": {"type": "string"}, "attribute[language]": {"type": "string", "enum": ["hi", "en"]},
        "attribute[hearing_mode]": {"type": "string", "enum": ["video", "in_person"]},
        "attribute[department]": {"type": "string"}, "attribute[partner_ref]": {"type": "string", "maxLength": 64}}},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "e-Sachivalaya Rewari: Open311 GeoReport v2", "version": "2.0.0",
                 "description": "Complaints to the Deputy Commissioner, Rewari, through the GeoReport v2 "
                                "specification (https://wiki.open311.org/GeoReport_v2/). See the README."},
        "servers": [{"url": "/"}],
        "components": {"schemas": SCHEMAS},
        "paths": {
            f"{BASE}/services.json": {"get": {
                "operationId": "listServices", "summary": "The complaint categories (Hindi and English)",
                "parameters": [JURISDICTION],
                "responses": {"200": _json({"type": "array", "items": _ref("Service")}, "Services"),
                              **_errors(404, 429)}}},
            f"{BASE}/services/{{service_code}}.json": {"get": {
                "operationId": "getServiceDefinition", "summary": "The attributes a category needs",
                "parameters": [_path("service_code", "A service_code from services.json"), JURISDICTION],
                "responses": {"200": _json(_ref("ServiceDefinition"), "Service definition"),
                              **_errors(404, 429)}}},
            f"{BASE}/requests.json": {
                "post": {
                    "operationId": "createRequest", "summary": "File a complaint for a citizen",
                    "requestBody": {"required": True, "content": {
                        "application/x-www-form-urlencoded": {"schema": _ref("NewRequest")},
                        "application/json": {"schema": _ref("NewRequest")}}},
                    "responses": {"200": _json(_ref("Created"), "Filed"), **_errors(400, 403, 404, 429)}},
                "get": {
                    "operationId": "listRequests",
                    "summary": "Requests by service_request_id, or the calling partner's own",
                    "parameters": [
                        _query("service_request_id", "Comma-separated tracking numbers"), API_KEY,
                        _query("service_code", "Comma-separated"), _query("status", "open, closed"),
                        _query("start_date", "W3C date-time"), _query("end_date", "W3C date-time"),
                        JURISDICTION],
                    "responses": {"200": _json({"type": "array", "items": _ref("ServiceRequest")}, "Requests"),
                                  **_errors(400, 403, 404, 429)}}},
            f"{BASE}/requests/{{service_request_id}}.json": {"get": {
                "operationId": "getRequest", "summary": "One request's status",
                "parameters": [_path("service_request_id", "Tracking number, e.g. RWR-2026-000123"), JURISDICTION],
                "responses": {"200": _json({"type": "array", "items": _ref("ServiceRequest")}, "The request"),
                              **_errors(404, 429)}}},
        },
    }
