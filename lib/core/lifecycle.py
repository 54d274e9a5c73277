"""The complaint's lifecycle as a pure state machine: which action may move which status, and who may take it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lib.core.roles import Role
from lib.core.complaints import Status

MAX_TRANSFERS = 3                     # after this many forwards only the DC can move a complaint
REOPEN_WITHIN = timedelta(days=30)    # a citizen may say "not solved" this long after resolution
CITIZEN = "citizen"                   # the actor of citizen actions (not a Role: no account)


class Action(StrEnum):
    START_SCRUTINY = "start_scrutiny"
    ACCEPT = "accept"
    REJECT = "reject"
    SCHEDULE_HEARING = "schedule_hearing"
    CANCEL_HEARING = "cancel_hearing"
    RECORD_HEARING = "record_hearing"
    SEND_TO_DEPARTMENT = "send_to_department"
    FORWARD = "forward"
    FILE_REPORT = "file_report"
    RESOLVE = "resolve"
    SEND_BACK = "send_back"
    CLOSE = "close"
    REOPEN = "reopen"
    # ---- appeals (issue #15): the appellate officer's two decisions ----
    APPEAL_SEND_BACK = "appeal_send_back"
    UPHOLD = "uphold"


class RejectionReason(StrEnum):
    COURT_MATTER = "court_matter"
    RTI = "rti"
    PERSONAL_DISPUTE = "personal_dispute"
    SERVICE_MATTER = "service_matter"
    DUPLICATE = "duplicate"
    INSUFFICIENT_INFORMATION = "insufficient_information"


class Feedback(StrEnum):
    SOLVED = "solved"
    PARTLY = "partly"
    NOT_SOLVED = "not_solved"


class CaseEvent(StrEnum):
    """History entries the lifecycle writes besides lib.complaints.EventKind's filed/status_changed
    (catalog key: event.<value>). On a public entry `remark` holds only a code from a fixed list
    (a department, a rejection reason, a feedback answer); an officer's own words are a separate
    internal REMARK entry, so the citizen's page can never show them."""
    REJECTED = "rejected"                  # remark: the RejectionReason
    DIRECTIONS_GIVEN = "directions_given"  # the directions themselves are rows of `directions`
    FORWARDED = "forwarded"                # remark: the receiving department's code
    REPORT_FILED = "report_filed"          # remark: the reporting department's code
    FEEDBACK = "feedback"                  # remark: the citizen's Feedback answer
    REOPENED = "reopened"
    MERGED = "merged"                      # remark: the tracking number of the complaint it was joined to
    REMARK = "remark"                      # internal: the officer's words on the action beside it
    ESCALATED = "escalated"                # internal, by "system": remark: the level reached (issue #15)
    # ---- appeals (issue #15): public, with no remark (the citizen's reason stays in `appeals`) ----
    APPEALED = "appealed"
    APPEAL_SENT_BACK = "appeal_sent_back"  # the directions themselves are rows of `directions`
    APPEAL_UPHELD = "appeal_upheld"


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    actors: frozenset[str]            # Role values, or CITIZEN


def _t(source, action, target, *actors) -> Transition:
    return Transition(source, action, target, frozenset(actors))


S, A, DC, OFFICER = Status, Action, Role.DC, Role.OFFICER
# ---- appeals (issue #15): where a complaint may stand when its appeal is decided ----
APPEALABLE = (S.WITH_DEPARTMENT, S.ACTION_REPORTED, S.RESOLVED, S.CLOSED)
APPEAL_WITHIN = timedelta(days=30)    # after the "not solved" answer, or after a later disposal
FORWARDABLE = (S.SUBMITTED, S.UNDER_SCRUTINY, S.ACCEPTED, S.HEARING_SCHEDULED, S.HEARD, S.WITH_DEPARTMENT)

# The whole lifecycle. Anything not listed here is refused.
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.SUBMITTED, A.START_SCRUTINY, S.UNDER_SCRUTINY, DC),
    _t(S.UNDER_SCRUTINY, A.ACCEPT, S.ACCEPTED, DC),
    _t(S.UNDER_SCRUTINY, A.REJECT, S.REJECTED, DC),
    _t(S.ACCEPTED, A.SCHEDULE_HEARING, S.HEARING_SCHEDULED, DC),
    _t(S.HEARING_SCHEDULED, A.CANCEL_HEARING, S.ACCEPTED, DC),
    _t(S.HEARING_SCHEDULED, A.RECORD_HEARING, S.HEARD, DC),
    # Directions go to departments at any time after acceptance: straight away when the matter needs no
    # hearing, after the hearing, or while one is booked. The last keeps the status: the hearing is
    # still ahead; recording it held (heard) then sends the complaint on to the directed departments in
    # the same transaction (lib.hearings.booking.record_hearing), so the history always shows "heard".
    _t(S.HEARD, A.SEND_TO_DEPARTMENT, S.WITH_DEPARTMENT, DC),
    _t(S.ACCEPTED, A.SEND_TO_DEPARTMENT, S.WITH_DEPARTMENT, DC),
    _t(S.HEARING_SCHEDULED, A.SEND_TO_DEPARTMENT, S.HEARING_SCHEDULED, DC),
    _t(S.WITH_DEPARTMENT, A.FILE_REPORT, S.ACTION_REPORTED, OFFICER),
    _t(S.ACTION_REPORTED, A.RESOLVE, S.RESOLVED, DC),
    _t(S.ACTION_REPORTED, A.SEND_BACK, S.WITH_DEPARTMENT, DC),
    _t(S.RESOLVED, A.CLOSE, S.CLOSED, DC),
    _t(S.RESOLVED, A.REOPEN, S.WITH_DEPARTMENT, CITIZEN),
    _t(S.CLOSED, A.REOPEN, S.WITH_DEPARTMENT, CITIZEN),
    # A forward changes the department, not the status. Officers forward only what is with them.
    *(_t(s, A.FORWARD, s, DC) for s in FORWARDABLE if s != S.WITH_DEPARTMENT),
    _t(S.WITH_DEPARTMENT, A.FORWARD, S.WITH_DEPARTMENT, DC, OFFICER),
    # ---- appeals (issue #15) ----
    # A "not solved" answer reopened the complaint; wherever it has got to since, the appellate
    # officer sends it back to the department or upholds the disposal, which closes it for good.
    *(_t(s, A.APPEAL_SEND_BACK, S.WITH_DEPARTMENT, Role.APPELLATE) for s in APPEALABLE),
    *(_t(s, A.UPHOLD, S.CLOSED, Role.APPELLATE) for s in APPEALABLE),
)
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}


class TransitionRefused(ValueError):
    """The action is not allowed now; `key` is a catalog key saying why."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


@dataclass(frozen=True)
class ComplaintState:
    """What the rules need to know about a complaint."""
    status: Status
    department_code: str | None
    transfers: int = 0
    resolved_at: datetime | None = None
    # Departments with a direction still waiting for their report. An officer of any of them may
    # report; with none open (sent back without a direction, or reopened) the complaint's own
    # department reports.
    open_directions: frozenset[str] = frozenset()

    def reporting_departments(self) -> frozenset[str]:
        if self.open_directions:
            return frozenset(self.open_directions)
        return frozenset({self.department_code}) if self.department_code else frozenset()


def next_status(state: ComplaintState, action: Action, actor_role: str,
                actor_department: str | None = None, now: datetime | None = None) -> Status:
    """The status the action leads to, or TransitionRefused with the reason."""
    transition = _BY_KEY.get((Status(state.status), Action(action)))
    if transition is None:
        raise TransitionRefused("lifecycle.not_now")
    if actor_role not in transition.actors:
        raise TransitionRefused("lifecycle.not_your_role")
    if actor_role == Role.OFFICER:
        allowed = (state.reporting_departments() if action == Action.FILE_REPORT
                   else {state.department_code})
        if actor_department is None or actor_department not in allowed:
            raise TransitionRefused("lifecycle.not_your_department")
    if action == Action.FORWARD and actor_role != Role.DC and state.transfers >= MAX_TRANSFERS:
        raise TransitionRefused("lifecycle.too_many_transfers")
    if action == Action.REOPEN:
        if state.resolved_at is None or now is None or now - state.resolved_at > REOPEN_WITHIN:
            raise TransitionRefused("lifecycle.reopen_expired")
    if action == Action.FILE_REPORT and state.open_directions - {actor_department}:
        # Other departments still owe their reports: the complaint stays with the departments.
        return Status.WITH_DEPARTMENT
    return transition.target


def can_give_feedback(state: ComplaintState, now: datetime) -> bool:
    """A citizen may say whether the problem is solved while the complaint is resolved or closed,
    within REOPEN_WITHIN of its resolution."""
    return (Status(state.status) in (Status.RESOLVED, Status.CLOSED) and state.resolved_at is not None
            and now - state.resolved_at <= REOPEN_WITHIN)


def can_transition(state: ComplaintState, action: Action, actor_role: str,
                   actor_department: str | None = None, now: datetime | None = None) -> bool:
    try:
        next_status(state, action, actor_role, actor_department, now)
    except TransitionRefused:
        return False
    return True


def actions_for(state: ComplaintState, actor_role: str, actor_department: str | None = None,
                now: datetime | None = None) -> list[Action]:
    """The actions this actor may take on the complaint now, in lifecycle order (for the buttons)."""
    return [a for a in Action if can_transition(state, a, actor_role, actor_department, now)]


# ---- appeals (issue #15) ----

def appeal_deadline(not_solved_at: datetime | None, resolved_at: datetime | None) -> datetime | None:
    """Until when a citizen may appeal: APPEAL_WITHIN after their "not solved" answer, or after a
    disposal that came later (the department resolved it again and the citizen has not answered yet).
    None: no "not solved" answer, so no appeal at all."""
    if not_solved_at is None:
        return None
    return max(not_solved_at, resolved_at or not_solved_at) + APPEAL_WITHIN
