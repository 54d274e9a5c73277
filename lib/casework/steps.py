"""The one way any step in a complaint's life is taken: one transaction that checks the rules, changes the
complaint only if nobody else did first, writes the history, the citizen's SMS and the audit trail, or
changes nothing at all. The actions (lib.casework.actions, lib.hearings.booking) each say only what their
step writes besides the status (a Plan); the refusals they may raise, and their wording, are here too."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from lib.staff import audit
from lib.core.roles import User
from lib.core.complaints import EventKind, Status
from lib.db.casework import cases as casework_db
from lib.db import sms as outbox_db
from lib.db.staff import users as users_db
from lib.db.casework.cases import CaseSnapshot
from lib.db.connect import retrying, transaction
from lib.hearings.rules import HearingRefused
from lib.hearings.slots import SlotTaken
from lib.core.i18n import t
from lib.core.lifecycle import CITIZEN, Action, CaseEvent, ComplaintState, TransitionRefused, next_status
from lib.sms.templates import render
from lib.core.problems import InvalidInput, Problem
from lib.citizen.receipt import format_time

IST = ZoneInfo("Asia/Kolkata")

TEXT_LIMITS = {"remark": (0, 1000), "instruction": (5, 1000), "report": (10, 4000)}


class StaleComplaint(Exception):
    """Someone else changed the complaint after this user loaded it; nothing was written."""
    key = "lifecycle.stale"

    def __init__(self, tracking_no: str, changed_by: str | None, changed_at: datetime | None):
        self.tracking_no, self.changed_by, self.changed_at = tracking_no, changed_by, changed_at
        super().__init__(f"{tracking_no} changed by {changed_by} at {changed_at}")

    def message(self, language: str) -> str:
        who = t(language, "casework.actor_citizen") if self.changed_by == CITIZEN else (self.changed_by or "—")
        when = format_time(self.changed_at) if self.changed_at else "—"
        return t(language, self.key, who=who, when=when)


class ComplaintNotFound(LookupError):
    """No such complaint for this user: it does not exist, or it is not theirs to see."""
    key = "casework.not_found"


class NotAllowed(PermissionError):
    """The user's role may not do this (say, open an ID document)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


class BulkRefused(Exception):
    """One complaint of a bulk action was refused, so none was changed. `cause` says why."""
    key = "casework.bulk_refused"

    def __init__(self, complaint: str, cause: Exception):
        self.complaint, self.cause = complaint, cause
        super().__init__(f"{complaint}: {cause}")

    def message(self, language: str) -> str:
        return t(language, self.key, complaint=self.complaint, reason=describe(self.cause, language))


def describe(error: Exception, language: str) -> str:
    """Any refusal of an action, in the user's language."""
    if callable(getattr(error, "message", None)):       # StaleComplaint, BulkRefused, SlotTaken, AppealRefused
        return error.message(language)
    if isinstance(error, InvalidInput):
        return " ".join(t(language, p.key, **p.params) for p in error.problems)
    return t(language, getattr(error, "key", "casework.failed"))


# Everything an action may refuse with; each carries a catalog key (or problems) for the page.
REFUSALS = (TransitionRefused, StaleComplaint, ComplaintNotFound, NotAllowed, BulkRefused, InvalidInput,
            SlotTaken, HearingRefused)


@dataclass(frozen=True)
class Citizen:
    """A citizen as the track page proved them: the tracking number and mobile they typed (normalised)."""
    tracking_no: str
    mobile: str


@dataclass(frozen=True)
class Done:
    """What an action left behind: the complaint's new status and version."""
    tracking_no: str
    status: str
    version: int


@dataclass(frozen=True)
class Outcome:
    """What one action writes besides the status, decided inside its transaction."""
    event: str = EventKind.STATUS_CHANGED
    code: str | None = None                  # the fixed-list value a public history entry carries
    changes: dict = field(default_factory=dict)
    sms: str | None = None                   # template name
    sms_variables: dict = field(default_factory=dict)
    detail: str | None = None                # for the audit trail


def now_in_ist(now: datetime | None) -> datetime:
    """`now` as given (tests pin it), else the clock; in IST either way."""
    return (now or datetime.now(IST)).astimezone(IST)


def checked_text(value: str | None, name: str, *, required: bool = False) -> str:
    """A remark, instruction or report, trimmed, within TEXT_LIMITS[name]; InvalidInput otherwise."""
    text = (value or "").strip()
    low, high = TEXT_LIMITS[name]
    if required and not text:
        raise InvalidInput(Problem(name, "error.required"))
    if text and len(text) < low:
        raise InvalidInput(Problem(name, "error.too_short", {"min": low}))
    if len(text) > high:
        raise InvalidInput(Problem(name, "error.too_long", {"max": high}))
    return text


# ---- the one way any action is taken ----

Plan = Callable[[object, CaseSnapshot, Status, User | None], Outcome]


def server_user(cur, user: User) -> User:
    """Role and department as the users table says now, not as the session remembers them."""
    fresh = users_db.get_user(cur, user.username)
    if fresh is None or not fresh.active:
        raise TransitionRefused("lifecycle.not_your_role")
    return fresh


def step(cur, actor: User | Citizen, complaint_id: int, expected_version: int, action: Action,
         now: datetime, plan: Plan, remark: str = "", *, keep_status: bool = False, name: str | None = None) -> Done:
    """`keep_status`: a change allowed exactly when `action` is, that leaves the status as it is (moving a
    hearing is allowed when cancelling it is); `name` is then what the audit trail calls it."""
    if isinstance(actor, Citizen):
        fresh, role, department, actor_name = None, CITIZEN, None, CITIZEN
        snap = casework_db.snapshot_for_citizen(cur, complaint_id, actor.tracking_no, actor.mobile)
    else:
        fresh = server_user(cur, actor)
        role, department, actor_name = fresh.role, fresh.department_code, fresh.username
        snap = casework_db.snapshot_for_user(cur, fresh, complaint_id)
    if snap is None:
        raise ComplaintNotFound(complaint_id)
    if snap.version != expected_version:
        raise StaleComplaint(snap.tracking_no, snap.updated_by, snap.updated_at)
    state = ComplaintState(Status(snap.status), snap.department_code, snap.transfers, snap.resolved_at,
                           snap.open_directions)
    target = next_status(state, action, role, department, now)
    if keep_status:
        target = Status(snap.status)
    outcome = plan(cur, snap, target, fresh)
    new_version = casework_db.update_if_unchanged(cur, snap.id, expected_version,
                                                  {"status": target, **outcome.changes}, actor_name, now)
    if new_version is None:
        raise StaleComplaint(snap.tracking_no, *casework_db.last_change(cur, snap.id))
    event_id = casework_db.add_event(cur, snap.id, now, actor_name, outcome.event, snap.status, target,
                                     outcome.code, True)
    if remark:
        casework_db.add_event(cur, snap.id, now, actor_name, CaseEvent.REMARK, snap.status, target, remark, False)
    if outcome.sms:
        dlt_id, body = render(outcome.sms, snap.language, tracking_no=snap.tracking_no, **outcome.sms_variables)
        outbox_db.queue_sms(cur, complaint_id=snap.id, mobile=snap.mobile, language=snap.language,
                            template=outcome.sms, dlt_template_id=dlt_id, body=body,
                            idempotency_key=f"{outcome.sms}:{event_id}", created_at=now)
    audit.record(cur, actor_name, f"complaint.{name or action}", snap.tracking_no,
                 "; ".join(x for x in (f"{snap.status} -> {target}", outcome.detail, remark) if x), now)
    return Done(snap.tracking_no, target, new_version)


def act(con, actor, complaint_id: int, expected_version: int, action: Action, now: datetime | None,
        plan: Plan | None = None, remark: str = "", **options) -> Done:
    """One step in its own transaction (step), retried on a write-write conflict."""
    moment = now_in_ist(now)

    def work() -> Done:
        with transaction(con) as cur:
            return step(cur, actor, complaint_id, expected_version, action, moment, plan or plain, remark,
                        **options)
    # Safe to repeat: a write-write conflict rolled everything back, and the version check
    # then turns the lost race into StaleComplaint.
    return retrying(work)


def plain(cur, snap, target, user) -> Outcome:
    return Outcome()


def sms_only(template: str) -> Plan:
    return lambda cur, snap, target, user: Outcome(sms=template)
