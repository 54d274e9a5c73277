"""POST requests.json: a partner system files a complaint for a citizen at its counter.

GeoReport's own fields carry what they name (service_code, description, first_name/last_name, phone,
email, address_string); the rest of what the public form asks travels as attributes
(attribute[tehsil], attribute[id_document], ...; see `service_definition`). The complaint then goes
through `lib.citizen.filing.file_complaint` exactly as the web form's does: the same checks, the
same identity proof, one transaction, the same acknowledgement SMS to the citizen, and with its
channel "api:<partner>". lat/long are accepted and not stored; media_url is not fetched (the portal
makes no outgoing requests on a caller's word): the ID document comes base64-encoded.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import replace
from datetime import datetime

from lib.citizen import filing, limits
from lib.core.complaints import HearingMode
from lib.core.i18n import Language, t
from lib.core.problems import InvalidInput, Problem
from lib.db import citizen as complaints_db
from lib.partners.keys import Partner
from lib.partners.open311 import ApiError, check_jurisdiction

MAX_PARTNER_REF = 64


def attribute(fields: dict[str, str], code: str) -> str:
    """attribute[code] of a form post (a JSON body may also nest them under "attribute")."""
    nested = fields.get("attribute")
    if isinstance(nested, dict) and code in nested:
        return str(nested[code] or "").strip()
    return str(fields.get(f"attribute[{code}]") or "").strip()


def _int(problems: list[Problem], field: str, text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(Problem(field, "api.error.integer"))
        return None


def _document(problems: list[Problem], text: str) -> filing.UploadedFile | None:
    if not text:
        return None
    if text.startswith("data:") and "," in text:           # a data: URL is base64 too
        text = text.split(",", 1)[1]
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        problems.append(Problem("id_document", "api.error.base64"))
        return None
    return filing.UploadedFile("id_document", data)


def to_form(fields: dict[str, str], partner: Partner) -> tuple[filing.ComplaintForm, list[Problem]]:
    """The complaint form a post describes, and the problems only the API can have (a number that is
    not one, a document that is not base64)."""
    problems: list[Problem] = []
    name = " ".join(part for part in (str(fields.get("first_name") or "").strip(),
                                       str(fields.get("last_name") or "").strip()) if part)
    ref = attribute(fields, "partner_ref")
    if len(ref) > MAX_PARTNER_REF:
        problems.append(Problem("partner_ref", "api.error.partner_ref", {"max": MAX_PARTNER_REF}))
    token = f"{partner.channel}:{ref}" if ref else f"{partner.channel}:{secrets.token_hex(16)}"
    language = attribute(fields, "language") or Language.HINDI
    if language not in tuple(Language):
        problems.append(Problem("language", "error.required"))
    category = str(fields.get("service_code") or "").strip() or None
    form = filing.ComplaintForm(
        language=language, name=name, mobile=str(fields.get("phone") or ""),
        email=str(fields.get("email") or ""), id_type=attribute(fields, "id_type") or None,
        id_number=attribute(fields, "id_number"),
        id_document=_document(problems, attribute(fields, "id_document")),
        tehsil_lgd=_int(problems, "tehsil", attribute(fields, "tehsil")),
        place_lgd=_int(problems, "place", attribute(fields, "place")),
        ward=_int(problems, "ward", attribute(fields, "ward")),
        category_code=category, department_code=attribute(fields, "department") or None,
        subject=attribute(fields, "subject"), description=str(fields.get("description") or ""),
        consent=attribute(fields, "consent").lower() in ("true", "1", "yes"),
        submission_token=token, locality=str(fields.get("address_string") or ""),
        hearing_mode=attribute(fields, "hearing_mode") or HearingMode.VIDEO, channel=partner.channel)
    return form, problems


def file_request(con, settings, fields: dict[str, str], partner: Partner, choices: filing.FormChoices,
                 now: datetime | None = None, language: str = Language.ENGLISH) -> tuple[list[dict], str]:
    """File the complaint; ([{"service_request_id", "service_notice", "account_id"}], tracking number),
    or ApiError(400) listing every problem, with nothing saved."""
    check_jurisdiction(fields.get("jurisdiction_id"))
    form, problems = to_form(fields, partner)
    if not form.subject and form.category_code in choices.categories:
        name_en, name_hi, _ = choices.categories[form.category_code]
        form = replace(form, subject=name_hi if form.language == Language.HINDI else name_en)
    moment = (now or datetime.now(filing.IST)).astimezone(filing.IST)
    checked = None
    try:
        checked = filing.check_fields(form, choices, settings.aadhaar_hmac_key, moment.date())
    except InvalidInput as exc:
        problems += [p for p in exc.problems if p.field not in {q.field for q in problems}]
    if problems:
        raise ApiError(400, problems)
    with con.cursor() as cur:
        retry = complaints_db.find_by_submission_token(cur, form.submission_token) is not None
    if not retry:                       # a retry of a filed request is answered, not counted again
        try:
            limits.mobile_has_room(con, checked["columns"]["mobile"], moment)
        except InvalidInput as exc:
            raise ApiError(400, exc.problems) from None
    try:
        ack = filing.file_complaint(con, settings, form, choices, track_url=settings.track_url, now=now)
    except InvalidInput as exc:               # a file that turned out unreadable when decoded
        raise ApiError(400, exc.problems) from None
    notice = t(language, "api.notice.duplicate" if ack.duplicate_submit else "api.notice.filed")
    return [{"service_request_id": ack.tracking_no, "service_notice": notice, "account_id": None}], ack.tracking_no

