"""The whole life of each demo complaint, drawn for a batch at once: verification, acceptance or
rejection, hearings held, missed or called off, the DC's direction, a forward, the department's
report (late or not), resolution, the citizen's feedback, a reopening after "not solved", closing.

Every complaint follows the same list of possible steps (STEPS); a draw decides which steps its
life has and when each happens; the complaint has reached every step whose time has come, and a
few stop for good at some step (the backlog an office carries). All of it is integer arrays of
shape (complaints, steps), so a million complaints take seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.core.complaints import EventKind, Status
from lib.core.lifecycle import CITIZEN, CaseEvent, Feedback
from lib.core.states import HearingEvent
from lib.ops.seed.district import ANSWERS, DAY_S, DC, DC_OFFICE, IST_OFFSET_S, REASONS, District

OFFICER = "@department"                      # the officer of the complaint's department then
FIXED_ACTORS = (CITIZEN, DC_OFFICE, DC)      # the first actors of District.actors, in this order


@dataclass(frozen=True)
class Step:
    event: str
    source: Status | None
    target: Status
    actor: str
    versioned: bool = True                   # the action changes the complaint row (its version)


S = Status
(FILED, SCRUTINY, REJECT, ACCEPT, BOOK_1, CALL_OFF, BOOK_2, HEAR, DIRECT, FORWARD, REPORT_1, RESOLVE_1,
 FEEDBACK_1, REOPEN, REPORT_2, RESOLVE_2, FEEDBACK_2, CLOSE) = range(18)
# In the order a life runs; the same actions, events and statuses lib.casework writes.
STEPS = (
    Step(EventKind.FILED, None, S.SUBMITTED, CITIZEN, versioned=False),
    Step(EventKind.STATUS_CHANGED, S.SUBMITTED, S.UNDER_SCRUTINY, DC_OFFICE),
    Step(CaseEvent.REJECTED, S.UNDER_SCRUTINY, S.REJECTED, DC_OFFICE),
    Step(EventKind.STATUS_CHANGED, S.UNDER_SCRUTINY, S.ACCEPTED, DC_OFFICE),
    Step(EventKind.STATUS_CHANGED, S.ACCEPTED, S.HEARING_SCHEDULED, DC_OFFICE),
    Step(HearingEvent.NO_SHOW, S.HEARING_SCHEDULED, S.ACCEPTED, DC),     # or CANCELLED, per complaint
    Step(EventKind.STATUS_CHANGED, S.ACCEPTED, S.HEARING_SCHEDULED, DC_OFFICE),
    Step(EventKind.STATUS_CHANGED, S.HEARING_SCHEDULED, S.HEARD, DC),
    Step(CaseEvent.DIRECTIONS_GIVEN, S.HEARD, S.WITH_DEPARTMENT, DC),  # from ACCEPTED without a hearing
    Step(CaseEvent.FORWARDED, S.WITH_DEPARTMENT, S.WITH_DEPARTMENT, OFFICER),
    Step(CaseEvent.REPORT_FILED, S.WITH_DEPARTMENT, S.ACTION_REPORTED, OFFICER),
    Step(EventKind.STATUS_CHANGED, S.ACTION_REPORTED, S.RESOLVED, DC_OFFICE),
    Step(CaseEvent.FEEDBACK, S.RESOLVED, S.RESOLVED, CITIZEN, versioned=False),
    Step(CaseEvent.REOPENED, S.RESOLVED, S.WITH_DEPARTMENT, CITIZEN),
    Step(CaseEvent.REPORT_FILED, S.WITH_DEPARTMENT, S.ACTION_REPORTED, OFFICER),
    Step(EventKind.STATUS_CHANGED, S.ACTION_REPORTED, S.RESOLVED, DC_OFFICE),
    Step(CaseEvent.FEEDBACK, S.RESOLVED, S.RESOLVED, CITIZEN, versioned=False),
    Step(EventKind.STATUS_CHANGED, S.RESOLVED, S.CLOSED, DC_OFFICE),
)
K = len(STEPS)
VERSIONED = np.array([s.versioned for s in STEPS])

# Days a complaint waits before a step (log-normal: median days, spread). Hearings, reports and
# reopenings have their own rules below. The DC's office verifies within a day or two.
WAIT_DAYS = {SCRUTINY: (0.25, 1.0), REJECT: (1.0, 0.8), ACCEPT: (1.0, 0.8), BOOK_1: (0.8, 0.8),
             BOOK_2: (1.0, 0.7), DIRECT: (0.3, 1.0), FORWARD: (1.5, 0.8), RESOLVE_1: (1.2, 0.8),
             FEEDBACK_1: (3.0, 1.0), RESOLVE_2: (1.2, 0.8), FEEDBACK_2: (3.0, 1.0), CLOSE: (8.0, 0.5)}
REPORT_SPREAD = 0.6
HEARING_DAYS = (4.0, 0.5)            # from booking to the hearing
HEARING_SLOTS, SLOT_S = 12, 600      # 15:00 to 17:00 in 10-minute slots (lib.hearings' default rules)
HEARING_FROM_S = 15 * 3600
NO_HEARING_DAYS = (1, 6)             # Tuesday and Sunday (Monday = 0): no hearings
REPORT_BY_DAYS = ([7, 10, 15], [0.5, 0.3, 0.2])   # the DC's report-back date, days after the direction
FEEDBACK_WITHIN_DAYS = 29            # the citizen may answer for 30 days after resolution

# Shares. A few complaints stop for good at a step: (share, first step they never reach).
REJECTED, HEARD_FIRST, FIRST_HEARING_FAILS, NO_SHOW_OF_FAILED, FORWARDED, CLOSED = 0.08, 0.62, 0.22, 0.45, 0.10, 0.85
STOPS = ((0.006, REJECT), (0.015, BOOK_1), (0.045, REPORT_1), (0.012, RESOLVE_1))
FEEDBACK_GIVEN = 0.5
FIRST_ANSWERS = ([Feedback.SOLVED, Feedback.PARTLY, Feedback.NOT_SOLVED], [0.55, 0.27, 0.18])
SECOND_ANSWERS = ([Feedback.SOLVED, Feedback.PARTLY], [0.6, 0.4])


@dataclass(frozen=True, eq=False)
class Lives:
    """Per complaint and step: whether its life has the step, when, and whether it has come yet."""
    has: np.ndarray              # (n, K) bool
    at: np.ndarray               # (n, K) epoch seconds (carried over from the step before where absent)
    reached: np.ndarray          # (n, K) bool: has, and happened by now
    no_show: np.ndarray          # the failed first hearing was missed (else called off by the office)
    heard_first: np.ndarray      # a hearing before the direction (else direction straight after acceptance)
    starts_1: np.ndarray         # slots of the first and second hearing (epoch seconds)
    starts_2: np.ndarray
    department_0: np.ndarray     # the department first in charge (the category's), index
    department_1: np.ndarray     # after a forward (= department_0 without one)
    reason: np.ndarray           # index into REASONS
    answer_1: np.ndarray         # index into ANSWERS
    answer_2: np.ndarray
    report_by: np.ndarray        # day number (IST) of the direction's report-back date

    @property
    def last(self) -> np.ndarray:
        """Per complaint, the last step reached (FILED at least)."""
        return K - 1 - np.argmax(self.reached[:, ::-1], axis=1)

    def last_versioned(self) -> np.ndarray:
        """Per complaint, the last step reached that changed the complaint row (FILED if none)."""
        hit = self.reached & VERSIONED
        return np.where(hit.any(axis=1), K - 1 - np.argmax(hit[:, ::-1], axis=1), FILED)

    def department_now(self) -> np.ndarray:
        return np.where(self.reached[:, FORWARD], self.department_1, self.department_0)


def actor_index(d: District, lives: Lives, step: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Index into d.actors of who took each (complaint row, step): a person or office, or the officer
    of the department then in charge (the forwarding one for a forward, the reporting one for a report)."""
    fixed = np.array([d.officer_base if s.actor == OFFICER else FIXED_ACTORS.index(s.actor) for s in STEPS])
    actor = fixed[step]
    officer = np.array([s.actor == OFFICER for s in STEPS])[step]
    department = np.where(step == FORWARD, lives.department_0[row], lives.department_1[row])
    return np.where(officer, d.officer_base + department, actor)


def _wait(rng: np.random.Generator, n: int, median_days: float, spread: float) -> np.ndarray:
    return np.maximum(rng.lognormal(np.log(median_days * DAY_S), spread, n), 300).astype(np.int64)


def _hearing_slot(rng: np.random.Generator, booked_at: np.ndarray) -> np.ndarray:
    """A slot some days after the booking, on a day with hearings, 15:00-17:00 in Rewari."""
    n = len(booked_at)
    day = (booked_at + IST_OFFSET_S) // DAY_S + np.maximum(
        1, np.rint(rng.lognormal(np.log(HEARING_DAYS[0]), HEARING_DAYS[1], n))).astype(np.int64)
    weekday = (day + 3) % 7                    # 1970-01-01 was a Thursday; Monday = 0
    day += np.isin(weekday, NO_HEARING_DAYS)   # Tuesday -> Wednesday, Sunday -> Monday
    return day * DAY_S - IST_OFFSET_S + HEARING_FROM_S + rng.integers(0, HEARING_SLOTS, n) * SLOT_S


def draw_lives(rng: np.random.Generator, d: District, filed: np.ndarray, department: np.ndarray,
               now_s: int) -> Lives:
    n = len(filed)
    u = lambda: rng.random(n)                  # noqa: E731 - one fresh uniform per complaint
    rejected = u() < REJECTED
    heard_first = u() < HEARD_FIRST
    fails = u() < FIRST_HEARING_FAILS
    no_show = u() < NO_SHOW_OF_FAILED
    forwarded = u() < FORWARDED
    answer_1 = rng.choice([ANSWERS.index(a) for a in FIRST_ANSWERS[0]], n, p=FIRST_ANSWERS[1])
    answer_2 = rng.choice([ANSWERS.index(a) for a in SECOND_ANSWERS[0]], n, p=SECOND_ANSWERS[1])
    feedback_1, feedback_2 = u() < FEEDBACK_GIVEN, u() < FEEDBACK_GIVEN
    reopened = feedback_1 & (answer_1 == ANSWERS.index(Feedback.NOT_SOLVED))

    has = np.ones((n, K), dtype=bool)
    has[:, REJECT] = rejected
    has[rejected, ACCEPT:] = False
    has[:, BOOK_1] &= heard_first
    has[:, HEAR] &= heard_first
    has[:, CALL_OFF] &= heard_first & fails
    has[:, BOOK_2] &= heard_first & fails
    has[:, FORWARD] &= forwarded
    has[:, FEEDBACK_1] &= feedback_1
    for step in (REOPEN, REPORT_2, RESOLVE_2):
        has[:, step] &= reopened
    has[:, FEEDBACK_2] &= reopened & feedback_2
    has[:, CLOSE] &= u() < CLOSED
    stop_draw = u()
    low = 0.0
    for share, first_missed in STOPS:
        stopped = (stop_draw >= low) & (stop_draw < low + share)
        has[stopped, first_missed:] = False
        low += share

    department_1 = np.where(forwarded, d.forward_to[department], department)
    report_days = d.report_days[department_1]
    at = np.zeros((n, K), dtype=np.int64)
    at[:, FILED] = t = filed.astype(np.int64)
    starts_1 = starts_2 = np.zeros(n, dtype=np.int64)
    for step in range(1, K):
        if step in WAIT_DAYS:
            nxt = t + _wait(rng, n, *WAIT_DAYS[step])
        elif step == CALL_OFF:
            # Missed: marked just after the slot. Called off: some time between booking and slot.
            nxt = np.where(no_show, starts_1 + rng.integers(900, 2400, n),
                           t + ((starts_1 - t) * rng.uniform(0.2, 0.9, n)).astype(np.int64))
        elif step == HEAR:
            nxt = np.where(has[:, BOOK_2], starts_2, starts_1) + rng.integers(900, 2400, n)
        elif step in (REPORT_1, REPORT_2):
            nxt = t + np.maximum(rng.lognormal(np.log(report_days * DAY_S), REPORT_SPREAD), 3600).astype(np.int64)
        elif step == REOPEN:
            nxt = t                            # the "not solved" answer reopens in the same moment
        else:
            raise AssertionError(step)
        if step in (FEEDBACK_1, FEEDBACK_2):
            nxt = np.minimum(nxt, t + FEEDBACK_WITHIN_DAYS * DAY_S)
        t = np.where(has[:, step], nxt, t)
        at[:, step] = t
        if step == BOOK_1:
            starts_1 = _hearing_slot(rng, t)
        elif step == BOOK_2:
            starts_2 = _hearing_slot(rng, t)
    given_day = (at[:, DIRECT] + IST_OFFSET_S) // DAY_S
    return Lives(
        has=has, at=at, reached=has & (at <= now_s), no_show=no_show, heard_first=heard_first,
        starts_1=starts_1, starts_2=starts_2, department_0=department, department_1=department_1,
        reason=rng.integers(0, len(REASONS), n), answer_1=answer_1, answer_2=answer_2,
        report_by=given_day + rng.choice(REPORT_BY_DAYS[0], n, p=REPORT_BY_DAYS[1]))
