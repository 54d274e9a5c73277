"""What the complaint page reads: the case file (if the user may see it), its state and timeline, and its
documents; opening the citizen's ID document is the DC office's alone and always audited."""
from __future__ import annotations

from datetime import date, datetime

from lib.staff import audit
from lib.citizen import uploads
from lib.core.roles import Role, User
from lib.core.complaints import Status, normalise_tracking_number
from lib.db.casework import cases as casework_db
from lib.db.staff import users as users_db
from lib.db.casework.cases import Case, DocumentInfo
from lib.db.connect import transaction
from lib.casework.steps import ComplaintNotFound, NotAllowed, now_in_ist
from lib.core.i18n import t
from lib.core.lifecycle import CITIZEN, CaseEvent, ComplaintState
from lib.citizen.receipt import format_time
from lib.citizen.tracking import event_label


def find_case(con, user: User, ref: int | str) -> Case | None:
    """The case file by id or tracking number (as typed), if this user may see it."""
    if isinstance(ref, str):
        ref = normalise_tracking_number(ref)
        if ref is None:
            return None
    with con.cursor() as cur:
        return casework_db.load_case(cur, user, ref)


def state_of(case: Case) -> ComplaintState:
    return ComplaintState(Status(case.status), case.department_code, case.transfers, case.resolved_at,
                          case.open_directions)


def history_rows(case: Case, language: str, departments: dict[str, tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """(when, who, what, remark) for the officers' timeline: the full internal history, an action's
    remark shown on the action's own line."""
    rows: list[list[str]] = []
    last_key = None
    for h in case.history:
        key = (h.happened_at, h.actor)
        if h.event == CaseEvent.REMARK and rows and key == last_key and not rows[-1][3]:
            rows[-1][3] = h.remark or ""
            continue
        coded = h.event in casework_db.CODED_EVENTS
        who = t(language, "casework.actor_citizen") if h.actor == CITIZEN else h.actor
        rows.append([format_time(h.happened_at), who,
                     event_label(language, h.event, h.to_status, h.remark if coded else None, departments=departments),
                     "" if coded else (h.remark or "")])
        last_key = key
    return [tuple(r) for r in rows]


def is_overdue(report_by: date, reported_at: datetime | None, today: date) -> bool:
    """A direction is overdue once its report-back date has passed without a report."""
    return reported_at is None and report_by < today


def load_document(con, store: uploads.UploadStore, user: User, complaint_id: int,
                  document_id: int) -> tuple[DocumentInfo, bytes] | None:
    """A photo or an action taken report's attachment, decrypted, if the user may see the complaint."""
    with con.cursor() as cur:
        info = casework_db.document_of(cur, user, complaint_id, document_id, ("photo", "atr"))
    return (info, store.load(info.stored_name)) if info else None


_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def download_name(stem: str, info: DocumentInfo) -> str:
    """A name for a downloaded copy: ours, never the uploader's filename."""
    return f"{stem}.{_EXTENSIONS.get(info.content_type, 'bin')}"


def open_id_document(con, store: uploads.UploadStore, user: User, complaint_id: int, *,
                     now: datetime | None = None) -> tuple[DocumentInfo, bytes]:
    """The citizen's ID document, for the DC's office only; every opening is written to the audit trail
    in the same call, before the file is handed over."""
    moment = now_in_ist(now)
    with transaction(con) as cur:
        fresh = users_db.get_user(cur, user.username)
        if fresh is None or not fresh.active or fresh.role != Role.DC:
            raise NotAllowed("casework.id_document_dc_only")
        info = casework_db.document_of(cur, fresh, complaint_id, None, ("id_proof",))
        if info is None:
            raise ComplaintNotFound(complaint_id)
        data = store.load(info.stored_name)
        tracking_no = casework_db.snapshot_for_user(cur, fresh, complaint_id).tracking_no
        audit.record(cur, fresh.username, "id_document.opened", tracking_no,
                     f"opened ID document #{info.id}", moment)
    return info, data
