"""Filing a complaint: check everything the citizen entered, store the uploads, and write the complaint,
its first event, its documents and the acknowledgement SMS in one transaction."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lib.citizen import identity, limits, track_links, uploads
from lib.core.complaints import HearingMode, IdType
from lib.core.config import Settings
from lib.db import citizen as complaints_db, reference as reference_db, sms as outbox_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.core.i18n import Language
from lib.core.places import Place, Tehsil
from lib.sms.templates import render
from lib.core.masking import mask_aadhaar_in_text
from lib.core.problems import InvalidInput, Problem, check_text

IST = ZoneInfo("Asia/Kolkata")

# Limits a citizen meets on the form: the minimum in letters as a reader counts them (grapheme
# clusters, lib/core/problems.letters), the maximum in code points (what the browser counts).
# The description allows a full page of Devanagari.
TEXT_LIMITS = {
    "name": (2, 100),
    "locality": (0, 200),
    "subject": (3, 150),       # counted as a reader sees them: "सड़क" (road) is 3
    "description": (20, 4000),
}
MAX_PHOTOS = 3
MAX_PREFERRED_DATES = 3
PREFERRED_DATES_WITHIN_DAYS = 60


@dataclass(frozen=True)
class UploadedFile:
    """A file as the browser sent it. `name` is shown back to the citizen only, never used as a path."""
    name: str
    data: bytes


@dataclass(frozen=True)
class ComplaintForm:
    """What the citizen entered, unchecked."""
    language: str
    name: str
    mobile: str
    id_type: str | None
    id_number: str
    id_document: UploadedFile | None
    tehsil_lgd: int | None
    place_lgd: int | None
    ward: int | None
    category_code: str | None
    department_code: str | None          # None: "not sure", the DC's office will decide
    subject: str
    description: str
    consent: bool
    submission_token: str
    email: str = ""
    locality: str = ""
    photos: tuple[UploadedFile, ...] = ()
    hearing_mode: str = HearingMode.VIDEO
    preferred_dates: tuple[date, ...] = ()
    channel: str = "web"                 # how it arrived: the form, "api:<partner>" (lib/partners) or "csc:<centre>"
    # Assisted filing (lib/citizen/assisted.py): the operator who filed it for the citizen, and their centre.
    filed_by: str | None = None
    centre: str | None = None


@dataclass(frozen=True)
class FormChoices:
    """The reference data the form offers, to check the citizen's picks against."""
    places: dict[int, Place]
    tehsils: dict[int, Tehsil]
    departments: dict[str, tuple[str, str]]                  # code -> (English, Hindi)
    categories: dict[str, tuple[str, str, str | None]]       # code -> (English, Hindi, usual department)

    def places_of(self, tehsil_lgd: int) -> list[Place]:
        return [p for p in self.places.values() if p.tehsil_lgd == tehsil_lgd]


@dataclass(frozen=True)
class Acknowledgement:
    tracking_no: str
    complaint_id: int
    filed_at: datetime
    duplicate_submit: bool = False       # True when this same form had already been filed
    documents: tuple[str, ...] = field(default=(), repr=False)


def load_form_choices(con) -> FormChoices:
    with con.cursor() as cur:
        return FormChoices(
            places={p.lgd_code: p for p in reference_db.list_places(cur)},
            tehsils={t.lgd_code: t for t in reference_db.list_tehsils(cur)},
            departments={code: (en, hi) for code, en, hi in reference_db.list_departments(cur)},
            categories={code: (en, hi, dept) for code, en, hi, dept in reference_db.list_categories(cur)},
        )


def _text(problems: list[Problem], field_name: str, value: str) -> str:
    return check_text(problems, field_name, value, *TEXT_LIMITS[field_name])


def _collect(problems: list[Problem], check, *args):
    """Run one validator, keeping its problems instead of stopping at the first."""
    try:
        return check(*args)
    except InvalidInput as exc:
        problems.extend(exc.problems)
        return None


def check_form(form: ComplaintForm, choices: FormChoices, hmac_key: bytes, today: date) -> dict:
    """Every problem at once (InvalidInput), or the complaint's columns plus its prepared files."""
    return prepare_files(check_fields(form, choices, hmac_key, today))


def check_fields(form: ComplaintForm, choices: FormChoices, hmac_key: bytes, today: date) -> dict:
    """Every problem at once (InvalidInput), decoding no file: the uploads get only the checks that
    cost nothing (size, type, pixel count in the header), so a form with any problem is cheap."""
    problems: list[Problem] = []
    language = form.language if form.language in tuple(Language) else Language.HINDI
    name = _text(problems, "name", form.name)
    mobile = _collect(problems, identity.parse_mobile, form.mobile)
    email = _collect(problems, identity.parse_email, form.email)
    proof = None
    if form.id_type not in tuple(IdType):
        problems.append(Problem("id_type", "error.required"))
    else:
        proof = _collect(problems, identity.identity_proof, form.id_type, form.id_number, hmac_key)

    id_document = None
    if form.id_document is None:
        problems.append(Problem("id_document", "error.required"))
    else:
        id_document = _collect(problems, uploads.check_upload, form.id_document.data, "id_document")

    place = choices.places.get(form.place_lgd) if form.place_lgd is not None else None
    if form.tehsil_lgd is None:
        problems.append(Problem("tehsil", "error.required"))
    if place is None or (form.tehsil_lgd is not None and place.tehsil_lgd != form.tehsil_lgd):
        problems.append(Problem("place", "error.required"))
    ward = None
    if place is not None and place.is_town:
        if form.ward not in place.ward_numbers():
            problems.append(Problem("ward", "error.required"))
        else:
            ward = form.ward
    locality = mask_aadhaar_in_text(_text(problems, "locality", form.locality))

    if form.category_code not in choices.categories:
        problems.append(Problem("category", "error.required"))
    if form.department_code is not None and form.department_code not in choices.departments:
        problems.append(Problem("department", "error.required"))
    # An Aadhaar number typed into the text is kept as its last four digits only (Aadhaar Act s.29).
    subject = mask_aadhaar_in_text(_text(problems, "subject", form.subject))
    description = mask_aadhaar_in_text(_text(problems, "description", form.description))

    if len(form.photos) > MAX_PHOTOS:
        problems.append(Problem("photos", "error.too_many_photos", {"max": MAX_PHOTOS}))
    # A PDF renamed .jpg would pass the page's extension check; the officers' page shows photos as pictures.
    photos = [_collect(problems, uploads.check_upload, p.data, "photos", uploads.IMAGE_TYPES)
              for p in form.photos[:MAX_PHOTOS]]

    if form.hearing_mode not in tuple(HearingMode):
        problems.append(Problem("hearing_mode", "error.required"))
    dates = sorted(set(form.preferred_dates))
    if len(dates) > MAX_PREFERRED_DATES:
        problems.append(Problem("preferred_dates", "error.too_many_dates", {"max": MAX_PREFERRED_DATES}))
    last_allowed = today + timedelta(days=PREFERRED_DATES_WITHIN_DAYS)
    if any(d <= today or d > last_allowed for d in dates):
        problems.append(Problem("preferred_dates", "error.date_range", {"days": PREFERRED_DATES_WITHIN_DAYS}))
    if not form.consent:
        problems.append(Problem("consent", "error.consent_required"))

    if problems:
        raise InvalidInput(problems)
    return {
        "columns": {
            "language": language, "citizen_name": name, "mobile": mobile, "email": email,
            "id_type": proof.id_type, "aadhaar_last4": proof.aadhaar_last4,
            "aadhaar_hmac": proof.aadhaar_hmac, "ppp_id": proof.ppp_id,
            "tehsil_lgd": place.tehsil_lgd, "place_lgd": place.lgd_code, "ward": ward,
            "locality": locality or None, "department_code": form.department_code,
            "category_code": form.category_code, "subject": subject, "description": description,
            "hearing_mode": form.hearing_mode, "preferred_dates": dates or None,
            "submission_token": form.submission_token, "channel": form.channel,
            "filed_by": form.filed_by, "centre": form.centre,
        },
        "files": [("id_proof", id_document)] + [("photo", p) for p in photos],
    }


def prepare_files(checked: dict) -> dict:
    """Decode and re-encode the uploads of a form whose fields are all valid (InvalidInput if one
    turns out unreadable): the expensive step, last."""
    problems: list[Problem] = []
    files = [(kind, _collect(problems, uploads.convert_upload, f)) for kind, f in checked["files"]]
    if problems:
        raise InvalidInput(problems)
    return {**checked, "files": files}


def file_complaint(con, settings: Settings, form: ComplaintForm, choices: FormChoices, *,
                   track_url: str, now: datetime | None = None, client: str | None = None,
                   client_limit: limits.ClientLimit = limits.PUBLIC_FORM, within=None,
                   _between_writes=None) -> Acknowledgement:
    """File the complaint, or return the one this same form already filed (double click, resubmit).

    Nothing is saved unless everything is valid, and the stored uploads are removed again if the
    transaction fails, so a failed filing leaves no trace. `client`: the browser's address (or an
    operator's, lib/citizen/assisted.py); when given (the public form always gives it) the filing
    limits apply (lib/citizen/limits.py), `client_limit` saying how many an hour. `within(cur)`
    runs first inside the filing's transaction and may refuse it by raising (assisted filing spends
    the citizen's one-time code there). `_between_writes` lets tests inject a failure inside the
    transaction.
    """
    now = (now or datetime.now(IST)).astimezone(IST)
    earlier = earlier_filing(con, form.submission_token)
    if earlier:
        return earlier
    checked = check_fields(form, choices, settings.aadhaar_hmac_key, now.date())
    if client is not None:
        limits.admit(con, client, checked["columns"]["mobile"], now, client_limit)
    checked = prepare_files(checked)
    store = uploads.UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
    stored: list[str] = []
    try:
        for _, prepared in checked["files"]:
            stored.append(store.save(prepared.data))
        # The acknowledgement carries the signed link that opens the complaint's details (track_links).
        link = partial(track_links.signed_track_url, settings, track_url)
        ack = retrying(lambda: _write(con, checked, stored, now, link, _between_writes, within))
    except ConstraintViolation:
        # Two submits of the same form raced: the other one won; hand back its tracking number.
        for name in stored:
            store.delete(name)
        # DuckDB may report the clash while the winner's transaction is still open: give it a moment
        # to commit rather than show this citizen an error for their own double click.
        for _ in range(40):
            earlier = earlier_filing(con, form.submission_token)
            if earlier:
                return earlier
            time.sleep(0.05)
        raise
    except BaseException:
        for name in stored:
            store.delete(name)
        raise
    return ack


def earlier_filing(con, token: str) -> Acknowledgement | None:
    """The complaint an earlier submit of this same form (its submission token) filed, if any."""
    with con.cursor() as cur:
        row = complaints_db.find_by_submission_token(cur, token)
    if row is None:
        return None
    return Acknowledgement(tracking_no=row[1], complaint_id=row[0], filed_at=row[2], duplicate_submit=True)


def _write(con, checked: dict, stored: list[str], now: datetime, track_link, between, within) -> Acknowledgement:
    columns = checked["columns"]
    with transaction(con) as cur:
        if within:
            within(cur)
        complaint_id = complaints_db.next_complaint_id(cur)
        tracking_no = complaints_db.insert_complaint(cur, complaint_id, now, columns)
        for (kind, prepared), stored_name in zip(checked["files"], stored):
            complaints_db.insert_document(cur, complaint_id, kind, stored_name, prepared.content_type,
                                          prepared.size, prepared.sha256, now)
        if between:
            between(cur)
        dlt_id, body = render("acknowledgement", columns["language"], tracking_no=tracking_no,
                              track_url=track_link(complaint_id, tracking_no, columns["language"]))
        outbox_db.queue_sms(cur, complaint_id=complaint_id, mobile=columns["mobile"],
                            language=columns["language"], template="acknowledgement",
                            dlt_template_id=dlt_id, body=body, idempotency_key=f"ack:{tracking_no}",
                            created_at=now)
    return Acknowledgement(tracking_no=tracking_no, complaint_id=complaint_id, filed_at=now,
                           documents=tuple(stored))
