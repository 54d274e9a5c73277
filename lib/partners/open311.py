"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) over the portal's complaints: the
services (complaint categories), their definitions (the attributes a complaint needs), and the public
face of requests (status, agency, timestamps, the latest public history entry: never personal data).

Errors follow the specification: a list of {"code": <HTTP status>, "description": "..."}; the
descriptions come from the catalogs (lib/core/locales/<lang>/api.json and the form's own messages),
in English unless the caller asks for Hindi (Accept-Language: hi).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lib.citizen.filing import FormChoices
from lib.citizen.tracking import event_label
from lib.core.complaints import DISPOSED_STATUSES, HearingMode, IdType, Status
from lib.core.i18n import Language, t
from lib.core.problems import Problem
from lib.db import partners as partners_db

IST = ZoneInfo("Asia/Kolkata")
JURISDICTION_ID = "rewari.gov.in"          # the district: the only jurisdiction this endpoint serves
DC_OFFICE = "Office of the Deputy Commissioner, Rewari"
DEFAULT_WINDOW = timedelta(days=90)        # GET requests.json without dates: the last 90 days
MAX_REQUESTS = 1000

# The form's field names (lib/citizen/filing.py Problems) as a GeoReport client sends them.
GEOREPORT_FIELD = {
    "name": "first_name", "mobile": "phone", "email": "email", "description": "description",
    "category": "service_code", "locality": "address_string", "subject": "attribute[subject]",
    "tehsil": "attribute[tehsil]", "place": "attribute[place]", "ward": "attribute[ward]",
    "id_type": "attribute[id_type]", "id_number": "attribute[id_number]",
    "id_document": "attribute[id_document]", "department": "attribute[department]",
    "hearing_mode": "attribute[hearing_mode]", "consent": "attribute[consent]",
    "language": "attribute[language]", "partner_ref": "attribute[partner_ref]", "submit": "api_key",
}


@dataclass
class ApiError(Exception):
    """A refusal in GeoReport's words: HTTP `status`, and one entry per problem."""
    status: int
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, language: str = Language.ENGLISH) -> list[dict]:
        return [{"code": self.status, "description": describe(language, p)} for p in self.problems]


def describe(language: str, problem: Problem) -> str:
    """"phone: Enter a valid 10-digit Indian mobile number." — the field as the client named it."""
    name = GEOREPORT_FIELD.get(problem.field, problem.field)
    return f"{name}: {t(language, problem.key, **problem.params)}"


def api_language(accept_language: str | None) -> str:
    return Language.HINDI if (accept_language or "").strip().lower().startswith("hi") else Language.ENGLISH


def check_jurisdiction(value: str | None) -> None:
    if value not in (None, "", JURISDICTION_ID):
        raise ApiError(404, [Problem("jurisdiction_id", "api.error.jurisdiction", {"id": JURISDICTION_ID})])


# ---- services ----

def services(choices: FormChoices) -> list[dict]:
    """Every complaint category, in English and Hindi, with its usual department."""
    found = []
    for code, (name_en, name_hi, department) in sorted(choices.categories.items()):
        dept_en, dept_hi = choices.departments.get(department, (DC_OFFICE, DC_OFFICE)) if department else (DC_OFFICE, DC_OFFICE)
        found.append({
            "service_code": code, "service_name": name_en, "description": f"{name_hi} — {dept_en}",
            "metadata": True, "type": "realtime", "keywords": f"{name_en}, {name_hi}", "group": dept_en,
            "service_name_hi": name_hi, "department_code": department, "department_name": dept_en,
            "department_name_hi": dept_hi})
    return found


def _attribute(order: int, code: str, datatype: str, required: bool, description: str,
               values: list[tuple[str, str]] | None = None, datatype_description: str = "") -> dict:
    return {"variable": True, "code": code, "datatype": datatype, "required": required,
            "datatype_description": datatype_description or None, "order": order,
            "description": description,
            "values": [{"key": k, "name": n} for k, n in values] if values else []}


def service_definition(choices: FormChoices, code: str) -> dict:
    """The attributes a complaint of this category needs besides GeoReport's own fields."""
    if code not in choices.categories:
        raise ApiError(404, [Problem("service_code", "api.error.service_unknown", {"code": code})])
    tehsils = [(str(lgd), f"{t.name_en} / {t.name_hi or t.name_en}") for lgd, t in sorted(choices.tehsils.items())]
    places = [(str(p.lgd_code), f"{p.name_en} ({p.kind}, tehsil {p.tehsil_lgd}"
               + (f", wards 1-{p.wards})" if p.is_town else ")"))
              for p in sorted(choices.places.values(), key=lambda p: p.name_en)]
    departments = [(c, en) for c, (en, _) in sorted(choices.departments.items())]
    attrs = [
        ("tehsil", "singlevaluelist", True, "Tehsil or sub-tehsil (LGD code)", tehsils, ""),
        ("place", "singlevaluelist", True, "Village or town (LGD code); it must lie in the tehsil given",
         places, ""),
        ("ward", "number", False, "Ward number: required when the place is a town", None, "1..wards of the town"),
        ("id_type", "singlevaluelist", True, "The citizen's identity proof",
         [(IdType.AADHAAR, "Aadhaar"), (IdType.PPP, "Parivar Pehchan Patra (Family ID)")], ""),
        ("id_number", "string", True, "Aadhaar number (12 digits; only the last 4 are kept) or PPP Family ID",
         None, ""),
        ("id_document", "text", True, "Scan or photo of the ID proof: JPEG, PNG or PDF, base64-encoded, at most 25 MB",
         None, "base64"),
        ("consent", "singlevaluelist", True, "The citizen agreed to the portal's terms at the partner's counter",
         [("true", "yes")], ""),
        ("subject", "string", False, "Short subject, 3-150 characters (default: the category's name)", None, ""),
        ("language", "singlevaluelist", False, "The citizen's language for SMS (default hi)",
         [(Language.HINDI, "हिन्दी"), (Language.ENGLISH, "English")], ""),
        ("hearing_mode", "singlevaluelist", False, "Hearing by video (default) or in person",
         [(HearingMode.VIDEO, "video"), (HearingMode.IN_PERSON, "in person")], ""),
        ("department", "singlevaluelist", False, "Department, when known (default: the DC's office decides)",
         departments, ""),
        ("partner_ref", "string", False, "The partner's own reference: posting it again returns the same request",
         None, ""),
    ]
    return {"service_code": code,
            "attributes": [_attribute(i, *a) for i, a in enumerate(attrs, start=1)]}


# ---- requests as the public sees them ----

def w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(IST).isoformat(timespec="seconds") if moment else None


def present(cur, row: tuple) -> dict:
    """A complaint (partners_db.PUBLIC_REQUEST_COLUMNS) as a GeoReport service request."""
    complaint_id, tracking_no, status, category, category_en, _dept, dept_en, filed_at, updated_at, _ = row
    latest = partners_db.latest_public_event(cur, complaint_id)
    notes = event_label(Language.ENGLISH, latest[0], latest[1]) if latest else None
    return {
        "service_request_id": tracking_no, "status": "closed" if status in DISPOSED_STATUSES else "open",
        "status_notes": notes, "service_name": category_en, "service_code": category,
        "description": None, "agency_responsible": dept_en or DC_OFFICE, "service_notice": None,
        "requested_datetime": w3c(filed_at), "updated_datetime": w3c(updated_at),
        "expected_datetime": None, "address": None, "address_id": None, "zipcode": None,
        "lat": None, "long": None, "media_url": None,
    }


def _w3c_date(name: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, [Problem(name, "api.error.date")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=IST)


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def find_requests(con, params: dict[str, str], channel: str | None, now: datetime) -> list[dict]:
    """GET requests.json: by service_request_id (anyone: they know the numbers), or else the calling
    partner's own requests (`channel`), filtered by service_code, status and dates."""
    ids = _list(params.get("service_request_id"))
    statuses = _list(params.get("status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise ApiError(400, [Problem("status", "api.error.status")])
    start = _w3c_date("start_date", params.get("start_date"))
    end = _w3c_date("end_date", params.get("end_date"))
    if not ids and channel is None:
        raise ApiError(403, [Problem("api_key", "api.error.list_needs_key")])
    if not ids and start is None and end is None:
        start = now - DEFAULT_WINDOW
    wanted = [s for s in Status if ("closed" if s in DISPOSED_STATUSES else "open") in statuses] if statuses else None
    with con.cursor() as cur:
        rows = partners_db.public_requests(
            cur, tracking_nos=ids or None, channel=None if ids else channel,
            category_codes=_list(params.get("service_code")) or None, statuses=wanted,
            start=start, end=end, limit=MAX_REQUESTS)
        return [present(cur, row) for row in rows]


def find_request(con, tracking_no: str) -> list[dict]:
    """GET requests/{id}.json: a one-element list (the specification's shape), 404 if unknown."""
    with con.cursor() as cur:
        rows = partners_db.public_requests(cur, tracking_nos=[tracking_no], limit=1)
        if not rows:
            raise ApiError(404, [Problem("service_request_id", "api.error.request_unknown", {"id": tracking_no})])
        return [present(cur, rows[0])]
