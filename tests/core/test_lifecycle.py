"""The complaint's state machine, table-driven: every (status, action, role) is allowed exactly when the
issue's lifecycle lists it, plus the department, transfer-limit and reopen-window rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.roles import Role
from lib.core.complaints import Status
from lib.core.lifecycle import (CITIZEN, MAX_TRANSFERS, REOPEN_WITHIN, TRANSITIONS, Action, ComplaintState, TransitionRefused, actions_for, can_give_feedback, next_status)

S, A = Status, Action
DC, OFFICER, ANALYST, ADMIN = Role.DC, Role.OFFICER, Role.ANALYST, Role.ADMIN
APPELLATE = Role.APPELLATE  # appeals (issue #15)
ROLES = (DC, OFFICER, ANALYST, ADMIN, CITIZEN, APPELLATE)
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=timezone.utc)

# Written out from the issue, independently of lib/lifecycle.py: (from, action) -> (to, who may).
EXPECTED = {
    (S.SUBMITTED, A.START_SCRUTINY): (S.UNDER_SCRUTINY, {DC}),
    (S.UNDER_SCRUTINY, A.ACCEPT): (S.ACCEPTED, {DC}),
    (S.UNDER_SCRUTINY, A.REJECT): (S.REJECTED, {DC}),
    (S.ACCEPTED, A.SCHEDULE_HEARING): (S.HEARING_SCHEDULED, {DC}),
    (S.HEARING_SCHEDULED, A.CANCEL_HEARING): (S.ACCEPTED, {DC}),
    (S.HEARING_SCHEDULED, A.RECORD_HEARING): (S.HEARD, {DC}),
    (S.HEARD, A.SEND_TO_DEPARTMENT): (S.WITH_DEPARTMENT, {DC}),
    (S.ACCEPTED, A.SEND_TO_DEPARTMENT): (S.WITH_DEPARTMENT, {DC}),
    # Directions while a hearing is booked (issue #12): the hearing stays the next step.
    (S.HEARING_SCHEDULED, A.SEND_TO_DEPARTMENT): (S.HEARING_SCHEDULED, {DC}),
    (S.WITH_DEPARTMENT, A.FILE_REPORT): (S.ACTION_REPORTED, {OFFICER}),
    (S.ACTION_REPORTED, A.RESOLVE): (S.RESOLVED, {DC}),
    (S.ACTION_REPORTED, A.SEND_BACK): (S.WITH_DEPARTMENT, {DC}),
    (S.RESOLVED, A.CLOSE): (S.CLOSED, {DC}),
    (S.RESOLVED, A.REOPEN): (S.WITH_DEPARTMENT, {CITIZEN}),
    (S.CLOSED, A.REOPEN): (S.WITH_DEPARTMENT, {CITIZEN}),
    # A forward moves the department, not the status; officers only forward what is with them.
    (S.SUBMITTED, A.FORWARD): (S.SUBMITTED, {DC}),
    (S.UNDER_SCRUTINY, A.FORWARD): (S.UNDER_SCRUTINY, {DC}),
    (S.ACCEPTED, A.FORWARD): (S.ACCEPTED, {DC}),
    (S.HEARING_SCHEDULED, A.FORWARD): (S.HEARING_SCHEDULED, {DC}),
    (S.HEARD, A.FORWARD): (S.HEARD, {DC}),
    (S.WITH_DEPARTMENT, A.FORWARD): (S.WITH_DEPARTMENT, {DC, OFFICER}),
    # ---- appeals (issue #15): the appellate officer decides, wherever the reopened complaint got to ----
    **{(s, A.APPEAL_SEND_BACK): (S.WITH_DEPARTMENT, {APPELLATE})
       for s in (S.WITH_DEPARTMENT, S.ACTION_REPORTED, S.RESOLVED, S.CLOSED)},
    **{(s, A.UPHOLD): (S.CLOSED, {APPELLATE}) for s in (S.WITH_DEPARTMENT, S.ACTION_REPORTED, S.RESOLVED, S.CLOSED)},
}


def state(status, department="PHED", transfers=0, resolved_at=NOW - timedelta(days=1), open_directions=()):
    return ComplaintState(status, department, transfers, resolved_at, frozenset(open_directions))


def test_the_module_table_is_the_issues_table():
    assert {(t.source, t.action): (t.target, set(t.actors)) for t in TRANSITIONS} == EXPECTED
    assert len(TRANSITIONS) == len(EXPECTED)          # no (status, action) listed twice


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_every_status_action_role(status, action, role):
    department = "PHED" if role == OFFICER else None      # an officer of the complaint's own department
    listed = EXPECTED.get((status, action))
    if listed and role in listed[1]:
        assert next_status(state(status), action, role, department, NOW) == listed[0]
        assert action in actions_for(state(status), role, department, NOW)
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(state(status), action, role, department, NOW)
        assert refused.value.key == ("lifecycle.not_now" if listed is None else "lifecycle.not_your_role")
        assert action not in actions_for(state(status), role, department, NOW)


def test_analysts_and_admins_can_do_nothing_anywhere():
    for status in Status:
        assert actions_for(state(status), ANALYST, None, NOW) == []
        assert actions_for(state(status), ADMIN, None, NOW) == []


def test_what_each_role_is_offered_with_the_department():
    assert actions_for(state(S.WITH_DEPARTMENT), OFFICER, "PHED", NOW) == [A.FORWARD, A.FILE_REPORT]
    assert actions_for(state(S.UNDER_SCRUTINY), DC, None, NOW) == [A.ACCEPT, A.REJECT, A.FORWARD]
    assert actions_for(state(S.RESOLVED), DC, None, NOW) == [A.CLOSE]
    assert actions_for(state(S.RESOLVED), CITIZEN, None, NOW) == [A.REOPEN]


def test_directions_stay_offered_while_a_hearing_is_booked():
    assert actions_for(state(S.HEARING_SCHEDULED), DC, None, NOW) == [
        A.CANCEL_HEARING, A.RECORD_HEARING, A.SEND_TO_DEPARTMENT, A.FORWARD]


def test_directions_while_booked_leave_the_hearing_to_be_held_and_heard():
    directed = state(S.HEARING_SCHEDULED, "PHED", open_directions={"PHED", "PWD"})
    assert next_status(directed, A.SEND_TO_DEPARTMENT, DC, None, NOW) == S.HEARING_SCHEDULED
    # Recording it held is always "heard" (what analytics count); the departments come next.
    heard = next_status(directed, A.RECORD_HEARING, DC, None, NOW)
    assert heard == S.HEARD
    assert next_status(state(heard, open_directions={"PHED"}), A.SEND_TO_DEPARTMENT, DC, None, NOW) == S.WITH_DEPARTMENT


# ---- officers and departments ----

@pytest.mark.parametrize("action", [A.FILE_REPORT, A.FORWARD])
def test_an_officer_of_another_department_is_refused(action):
    with pytest.raises(TransitionRefused) as refused:
        next_status(state(S.WITH_DEPARTMENT, "PHED"), action, OFFICER, "PWD", NOW)
    assert refused.value.key == "lifecycle.not_your_department"
    with pytest.raises(TransitionRefused):
        next_status(state(S.WITH_DEPARTMENT, "PHED"), action, OFFICER, None, NOW)
    assert actions_for(state(S.WITH_DEPARTMENT, "PHED"), OFFICER, "PWD", NOW) == []


def test_an_officer_cannot_close_or_reject_what_is_not_theirs():
    # "Not our department" is never a way to close a complaint: only forward or report.
    for status in Status:
        offered = set(actions_for(state(status, "PHED"), OFFICER, "PHED", NOW))
        assert offered <= {A.FILE_REPORT, A.FORWARD}


def test_each_department_with_an_open_direction_reports_and_the_last_moves_it_on():
    two = state(S.WITH_DEPARTMENT, "PHED", open_directions={"PHED", "PWD"})
    assert next_status(two, A.FILE_REPORT, OFFICER, "PWD", NOW) == S.WITH_DEPARTMENT
    assert next_status(two, A.FILE_REPORT, OFFICER, "PHED", NOW) == S.WITH_DEPARTMENT
    only_pwd = state(S.WITH_DEPARTMENT, "PHED", open_directions={"PWD"})
    assert next_status(only_pwd, A.FILE_REPORT, OFFICER, "PWD", NOW) == S.ACTION_REPORTED
    with pytest.raises(TransitionRefused):         # PHED has reported already; only PWD owes one
        next_status(only_pwd, A.FILE_REPORT, OFFICER, "PHED", NOW)
    with pytest.raises(TransitionRefused):         # a direction lets PWD report, not forward
        next_status(only_pwd, A.FORWARD, OFFICER, "PWD", NOW)


@pytest.mark.parametrize("transfers, officer_may", [(0, True), (MAX_TRANSFERS - 1, True),
                                                    (MAX_TRANSFERS, False), (MAX_TRANSFERS + 2, False)])
def test_after_three_transfers_only_the_dc_moves_it(transfers, officer_may):
    complaint = state(S.WITH_DEPARTMENT, "PHED", transfers=transfers)
    assert next_status(complaint, A.FORWARD, DC, None, NOW) == S.WITH_DEPARTMENT
    if officer_may:
        assert next_status(complaint, A.FORWARD, OFFICER, "PHED", NOW) == S.WITH_DEPARTMENT
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(complaint, A.FORWARD, OFFICER, "PHED", NOW)
        assert refused.value.key == "lifecycle.too_many_transfers"


# ---- the citizen's reopening ----

@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED])
@pytest.mark.parametrize("age, allowed", [
    (timedelta(0), True), (timedelta(days=29, hours=23), True), (REOPEN_WITHIN, True),
    (REOPEN_WITHIN + timedelta(seconds=1), False), (timedelta(days=45), False)])
def test_reopen_only_within_30_days_of_resolution(status, age, allowed):
    complaint = state(status, resolved_at=NOW - age)
    assert can_give_feedback(complaint, NOW) is allowed
    if allowed:
        assert next_status(complaint, A.REOPEN, CITIZEN, None, NOW) == S.WITH_DEPARTMENT
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(complaint, A.REOPEN, CITIZEN, None, NOW)
        assert refused.value.key == "lifecycle.reopen_expired"


def test_reopen_needs_a_resolution_time_and_a_clock():
    with pytest.raises(TransitionRefused):
        next_status(state(S.RESOLVED, resolved_at=None), A.REOPEN, CITIZEN, None, NOW)
    with pytest.raises(TransitionRefused):
        next_status(state(S.RESOLVED), A.REOPEN, CITIZEN, None, None)
    assert not can_give_feedback(state(S.WITH_DEPARTMENT), NOW)


# ---- random walks ----

ACTORS = st.sampled_from([(DC, None), (OFFICER, "PHED"), (OFFICER, "PWD"), (ANALYST, None), (ADMIN, None),
                          (CITIZEN, None)])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_action_sequences_stay_inside_the_table(data):
    complaint = state(S.SUBMITTED, "PHED", resolved_at=None)
    clock = NOW
    seen = {complaint.status}
    for _ in range(data.draw(st.integers(0, 40))):
        # Mostly actions listed for the current status (so walks get deep), sometimes any action.
        listed_here = [a for (source, a) in EXPECTED if source == complaint.status]
        if listed_here and data.draw(st.booleans()):
            action = data.draw(st.sampled_from(listed_here))
            role = data.draw(st.sampled_from(sorted(EXPECTED[(complaint.status, action)][1])))
            department = complaint.department_code if role == OFFICER else None
        else:
            action = data.draw(st.sampled_from(list(Action)))
            role, department = data.draw(ACTORS)
        clock += timedelta(days=data.draw(st.integers(0, 40)))
        try:
            target = next_status(complaint, action, role, department, clock)
        except TransitionRefused:
            continue
        listed = EXPECTED[(complaint.status, action)]          # KeyError = a step outside the table
        assert role in listed[1]
        assert target in tuple(Status)
        assert target == listed[0]
        if role == OFFICER:
            assert department == complaint.department_code
        if action == A.REOPEN:
            assert clock - complaint.resolved_at <= REOPEN_WITHIN
        if role == OFFICER and action == A.FORWARD:
            assert complaint.transfers < MAX_TRANSFERS
        complaint = ComplaintState(
            target,
            ("PWD" if complaint.department_code == "PHED" else "PHED") if action == A.FORWARD
            else complaint.department_code,
            complaint.transfers + (action == A.FORWARD),
            clock if action == A.RESOLVE else (None if action == A.REOPEN else complaint.resolved_at))
        seen.add(target)
    assert seen <= set(Status)
    REACHED.update(seen)


REACHED: set[Status] = set()


def test_the_random_walks_reached_every_status():
    # Runs after the walks above (file order): they must have explored the whole lifecycle.
    if not REACHED:
        pytest.skip("run together with the random walks")
    assert REACHED == set(Status)
