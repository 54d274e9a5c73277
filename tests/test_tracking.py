"""The track page's lookup: only the right tracking number and mobile together show a complaint."""
from __future__ import annotations

import pytest

from lib.citizen.filing import file_complaint
from lib.citizen.tracking import FailureThrottle, find_complaint
from tests.conftest import make_form


@pytest.fixture
def filed(con, settings, choices):
    return file_complaint(con, settings, make_form(mobile="9812345678"), choices, track_url="http://x/track")


def test_right_pair_shows_the_complaint_with_masked_id(con, filed):
    found = find_complaint(con, filed.tracking_no, "+91 98123 45678")
    assert found.tracking_no == filed.tracking_no and found.status == "submitted"
    assert found.masked_id.startswith("XXXX XXXX ")
    assert [e.event for e in found.events] == ["filed"]


def test_tracking_number_is_forgiving_about_spacing_and_case(con, filed):
    year, number = filed.tracking_no.split("-")[1:]
    assert find_complaint(con, f" rwr {year} {int(number)} ", "9812345678") is not None


@pytest.mark.parametrize("tracking, mobile", [
    ("RIGHT", "9876500000"),              # another mobile
    ("RWR-2026-999999", "9812345678"),   # a number that does not exist
    ("not a number", "9812345678"),
    ("RIGHT", "12"),
    ("", ""),
])
def test_any_wrong_pair_gets_the_same_nothing(con, filed, tracking, mobile):
    tracking = filed.tracking_no if tracking == "RIGHT" else tracking
    assert find_complaint(con, tracking, mobile) is None


def test_internal_events_are_not_shown(con, filed):
    with con.cursor() as cur:
        cur.execute("INSERT INTO complaint_events VALUES (nextval('event_seq'), ?, now(), 'dc1',"
                    " 'status_changed', 'submitted', 'under_scrutiny', 'internal note', false)",
                    [filed.complaint_id])
    found = find_complaint(con, filed.tracking_no, "9812345678")
    assert [e.event for e in found.events] == ["filed"]


def test_throttle_lets_typos_pass_then_slows_down():
    throttle = FailureThrottle()
    now = 1000.0
    throttle.record_failure(now)
    throttle.record_failure(now)
    assert throttle.seconds_to_wait(now) == 0
    throttle.record_failure(now)
    assert throttle.seconds_to_wait(now) == 5
    throttle.record_failure(now + 5)
    assert throttle.seconds_to_wait(now + 5) == 10
    for _ in range(20):
        throttle.record_failure(now)
    assert throttle.seconds_to_wait(now) == 300
    throttle.record_success()
    assert throttle.seconds_to_wait(now) == 0
