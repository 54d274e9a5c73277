"""Escalation runs by itself: a background round in the portal's process, and the cron command."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from lib.casework import deadlines, escalation, escalation_job
from lib.citizen.filing import file_complaint
from lib.ops import cli
from tests.conftest import make_form

IST = deadlines.IST


@pytest.fixture
def late_complaint(con, settings, choices) -> int:
    """A complaint filed 30 days ago and never touched: far past every deadline."""
    filed = datetime.now(IST) - timedelta(days=30)
    form = make_form(preferred_dates=(filed.date() + timedelta(days=5),))
    return file_complaint(con, settings, form, choices, track_url="https://x/track", now=filed).complaint_id


def reached(con, cid) -> list[str]:
    with con.cursor() as cur:
        return sorted(r[0] for r in cur.execute("SELECT level FROM escalations WHERE complaint_id = ?", [cid]).fetchall())


def test_the_background_round_escalates_without_anyone_asking(con, late_complaint):
    thread = escalation_job.start_background_escalation(con, {"escalation": {"interval_s": 0.05}}, env={})
    try:
        deadline = time.monotonic() + 60
        while reached(con, late_complaint) != ["dc", "department_head"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
    assert reached(con, late_complaint) == ["dc", "department_head"]


def test_the_background_round_gives_way_between_batches_and_stops_in_a_pause(con, settings, choices, monkeypatch):
    """A backlog is escalated a batch at a time with pauses in between (page views get the process);
    stopping the portal during a pause stops the round at once, the rest left for the next round."""
    filed = datetime.now(IST) - timedelta(days=30)
    late = [file_complaint(con, settings, make_form(preferred_dates=(filed.date() + timedelta(days=5),)), choices,
                           track_url="https://x/track", now=filed).complaint_id for _ in range(2)]
    real = escalation.escalate_due
    monkeypatch.setattr(escalation, "escalate_due", lambda c, **kw: real(c, batch=1, **kw))
    monkeypatch.setattr(escalation_job, "YIELD_FACTOR", 10_000.0)      # a pause far longer than the test
    thread = escalation_job.start_background_escalation(con, {"escalation": {"interval_s": 0.05}}, env={})
    try:
        deadline = time.monotonic() + 60
        while not any(reached(con, cid) for cid in late) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(len(reached(con, cid)) for cid in late) == [0, 1]     # one batch, then the pause
    finally:
        stopped_at = time.monotonic()
        thread.stop(timeout_s=30)
    assert not thread.is_alive() and time.monotonic() - stopped_at < 5
    assert sorted(len(reached(con, cid)) for cid in late) == [0, 1]


@pytest.mark.parametrize("env, secrets", [({"ESACHIVALAYA_ESCALATION": "0"}, {}),
                                          ({}, {"escalation": {"background": False}})])
def test_the_background_round_can_be_switched_off(con, late_complaint, env, secrets):
    assert escalation_job.start_background_escalation(con, secrets, env=env) is None
    assert reached(con, late_complaint) == []


def test_a_bad_interval_is_refused_at_start(con):
    with pytest.raises(ValueError, match="interval_s"):
        escalation_job.start_background_escalation(con, {"escalation": {"interval_s": 0}}, env={})


@pytest.mark.engines
def test_the_cron_command_escalates_and_a_second_run_finds_nothing_new(con, late_complaint, capsys):
    con.close()                        # the command opens ESACHIVALAYA_DB itself, as cron would
    assert cli.main(["escalate"]) == 0
    assert capsys.readouterr().out.strip() == "escalated 1 complaint(s) to the department head and 1 to the DC"
    assert cli.main(["escalate"]) == 0
    assert capsys.readouterr().out.strip() == "escalated 0 complaint(s) to the department head and 0 to the DC"
