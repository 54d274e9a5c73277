"""Escalation: a complaint past its deadline goes to the department head, then to the DC, each level once,
with an event and an SMS to the officers of the new level; the admin's delays are checked and take effect."""
from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest

from lib.casework import actions, deadlines, escalation
from lib.casework.escalation import EscalationRules, Level
from lib.citizen.filing import file_complaint
from lib.core.i18n import t
from lib.core.problems import InvalidInput
from lib.core.roles import Role, User
from lib.db.casework import escalation as escalation_db
from lib.staff import administration, signin
from tests.conftest import add_demo_accounts, make_form

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

IST = deadlines.IST
TRACK_URL = "https://grievance.example/track_complaint"
FILED = datetime(2026, 10, 5, 10, 0, tzinfo=IST)      # a Monday
HEAD = User("head_phed", "SE, PHED Rewari", Role.OFFICER, "PHED")
HEAD_MOBILE, DC_MOBILE = "+919812300001", "+919812300002"
ADMIN = "admin_rewari"


@pytest.fixture
def people(con):
    """The demo accounts and PHED's head; the head and the DC have mobiles (the plain officer has none)."""
    add_demo_accounts(con, HEAD)
    escalation.set_officer_contact(con, HEAD.username, True, "98123 00001", ADMIN)
    escalation.set_officer_contact(con, "dc_rewari", False, "9812300002", ADMIN)
    return {u.username: u for u in (*signin.DEMO_USERS, HEAD)}


@pytest.fixture
def file(con, settings, choices):
    def _file(**overrides) -> int:
        overrides.setdefault("preferred_dates", (FILED.date() + timedelta(days=5),))
        return file_complaint(con, settings, make_form(**overrides), choices, track_url=TRACK_URL,
                              now=FILED).complaint_id
    return _file


def due_day(con) -> date:
    """The last day of a new complaint's verification target: overdue from the next day."""
    return deadlines.add_working_days(FILED.date(), deadlines.get_targets(con).verify_working_days)


def escalate(con, days_past: int) -> dict:
    today = due_day(con) + timedelta(days=days_past)
    return escalation.escalate_due(con, today=today, now=datetime.combine(today, time(9), tzinfo=IST))


def rows(con, sql, params=()):
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def levels(con, cid) -> list[str]:
    return [r[0] for r in rows(con, "SELECT level FROM escalations WHERE complaint_id = ? ORDER BY escalated_at, level", [cid])]


def escalation_events(con, cid) -> list[tuple]:
    return rows(con, "SELECT actor, remark, public FROM complaint_events WHERE complaint_id = ? AND event = 'escalated'"
                     " ORDER BY id", [cid])


def escalation_sms(con, cid) -> list[tuple]:
    return rows(con, "SELECT mobile, template, body FROM sms_outbox WHERE complaint_id = ? AND template = 'escalated'"
                     " ORDER BY id", [cid])


def version(con, cid) -> int:
    return rows(con, "SELECT version FROM complaints WHERE id = ?", [cid])[0][0]


# ---- level by level ----

def test_three_days_past_the_deadline_nothing_happens_and_the_fourth_it_goes_to_the_head(con, people, file):
    cid = file()
    assert escalate(con, 3) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 0}
    assert levels(con, cid) == [] and escalation_events(con, cid) == [] and escalation_sms(con, cid) == []

    assert escalate(con, 4) == {Level.DEPARTMENT_HEAD: 1, Level.DC: 0}
    assert levels(con, cid) == ["department_head"]
    assert escalation_events(con, cid) == [("system", "department_head", False)]
    (mobile, template, body), = escalation_sms(con, cid)        # one SMS: to the head, the only one with a mobile
    tracking_no = rows(con, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]
    assert mobile == HEAD_MOBILE and tracking_no in body and "विभागाध्यक्ष" in body


def test_past_seven_days_it_goes_on_to_the_dc(con, people, file):
    cid = file()
    escalate(con, 4)
    assert escalate(con, 7)[Level.DC] == 0
    assert escalate(con, 8) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 1}
    assert levels(con, cid) == ["department_head", "dc"]
    assert [e[1] for e in escalation_events(con, cid)] == ["department_head", "dc"]
    assert [s[0] for s in escalation_sms(con, cid)] == [HEAD_MOBILE, DC_MOBILE]


def test_a_very_late_complaint_climbs_both_levels_in_one_round(con, people, file):
    cid = file()
    assert escalate(con, 30) == {Level.DEPARTMENT_HEAD: 1, Level.DC: 1}
    assert levels(con, cid) == ["department_head", "dc"] or sorted(levels(con, cid)) == ["dc", "department_head"]
    assert len(escalation_events(con, cid)) == 2 and len(escalation_sms(con, cid)) == 2


def test_a_round_over_a_backlog_pauses_between_batches_and_can_stop_there(con, people, file):
    """The portal's background round gives way to page views between batches (lib.casework.escalation_job);
    told to stop at a pause, it leaves the rest for the next round, which carries on without doubles."""
    complaints = [file() for _ in range(5)]
    today = due_day(con) + timedelta(days=4)
    now = datetime.combine(today, time(9), tzinfo=IST)
    pauses = []

    def stop_after_first(seconds: float) -> bool:
        pauses.append(seconds)
        return True

    assert escalation.escalate_due(con, today=today, now=now, batch=2, between_batches=stop_after_first) \
        == {Level.DEPARTMENT_HEAD: 2}
    assert len(pauses) == 1 and pauses[0] > 0
    assert sum(levels(con, cid) == ["department_head"] for cid in complaints) == 2

    pauses.clear()
    assert escalation.escalate_due(con, today=today, now=now, batch=2, between_batches=lambda s: pauses.append(s)) \
        == {Level.DEPARTMENT_HEAD: 3, Level.DC: 0}
    assert len(pauses) == 1                     # after the full batch of two; the last batch of one ends the level
    assert all(levels(con, cid) == ["department_head"] for cid in complaints)
    assert all(len(escalation_events(con, cid)) == 1 for cid in complaints)


def test_running_twice_makes_no_duplicates(con, people, file):
    cid = file()
    escalate(con, 30)
    before = (levels(con, cid), escalation_events(con, cid), escalation_sms(con, cid))
    assert escalate(con, 30) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 0}
    assert escalate(con, 31) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 0}
    assert (levels(con, cid), escalation_events(con, cid), escalation_sms(con, cid)) == before


@pytest.mark.parametrize("with_mobiles", [True, False], ids=["sms", "no-sms"])
def test_rounds_running_at_once_escalate_each_level_once(con, people, file, monkeypatch, with_mobiles):
    if not with_mobiles:        # no SMS key to collide on: the claim alone keeps each level single
        escalation.set_officer_contact(con, HEAD.username, True, "", ADMIN)
        escalation.set_officer_contact(con, "dc_rewari", False, "", ADMIN)
    ids = [file(submission_token=f"token-{i}") for i in range(4)]
    errors = []
    # Every round has begun its claiming transaction before any of them claims: a true race, every time.
    rounds = 3
    claiming_together = threading.Barrier(rounds)
    first_call = threading.local()
    claim_due = escalation_db.claim_due

    def wait_then_claim(*args, **kwargs):
        if not getattr(first_call, "done", False):
            first_call.done = True
            claiming_together.wait(timeout=60)
        return claim_due(*args, **kwargs)

    monkeypatch.setattr(escalation_db, "claim_due", wait_then_claim)

    def round_() -> None:
        try:
            escalate(con, 30)
        except Exception as exc:        # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=round_) for _ in range(rounds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for cid in ids:
        assert sorted(levels(con, cid)) == ["dc", "department_head"]
        assert len(escalation_events(con, cid)) == 2
        assert len(escalation_sms(con, cid)) == (2 if with_mobiles else 0)


def test_a_complaint_without_a_department_goes_to_the_dc_only(con, people, file):
    cid = file(department_code=None)
    assert escalate(con, 4) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 0}
    assert escalate(con, 8) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 1}
    assert levels(con, cid) == ["dc"] and [s[0] for s in escalation_sms(con, cid)] == [DC_MOBILE]


def test_resolved_and_rejected_complaints_never_escalate(con, people, file):
    dc, phed = people["dc_rewari"], people["officer_phed"]
    resolved, rejected = file(), file(submission_token="second")
    actions.start_scrutiny(con, dc, resolved, version(con, resolved))
    actions.accept(con, dc, resolved, version(con, resolved))
    report_by = datetime.now(IST).date() + timedelta(days=5)
    actions.give_directions(con, dc, resolved, version(con, resolved), [("PHED", "Restore the supply", report_by)])
    actions.file_report(con, phed, resolved, version(con, resolved), "Pipeline repaired, supply restored.")
    actions.resolve(con, dc, resolved, version(con, resolved), track_url=TRACK_URL)
    actions.start_scrutiny(con, dc, rejected, version(con, rejected))
    actions.reject(con, dc, rejected, version(con, rejected), "court_matter")
    assert escalate(con, 60) == {Level.DEPARTMENT_HEAD: 0, Level.DC: 0}
    assert levels(con, resolved) == levels(con, rejected) == []


# ---- the office rules ----

def test_new_delays_take_effect_on_the_next_round(con, people, file):
    cid = file()
    escalation.set_rules(con, EscalationRules(head_days=10, dc_days=20), ADMIN)
    assert escalation.get_rules(con) == EscalationRules(10, 20)
    assert escalate(con, 4)[Level.DEPARTMENT_HEAD] == 0
    assert escalate(con, 11) == {Level.DEPARTMENT_HEAD: 1, Level.DC: 0}
    assert escalate(con, 20)[Level.DC] == 0
    assert escalate(con, 21)[Level.DC] == 1
    assert rows(con, "SELECT action, detail FROM audit_log WHERE action = 'escalation_rules.edit'") == [
        ("escalation_rules.edit", "{'head_days': 3, 'dc_days': 7} -> {'head_days': 10, 'dc_days': 20}")]


@pytest.mark.parametrize("rules, field, key", [
    (EscalationRules(0, 7), "head_days", "escalation.error.days_invalid"),
    (EscalationRules(3, 366), "dc_days", "escalation.error.days_invalid"),
    (EscalationRules("3", 7), "head_days", "escalation.error.days_invalid"),
    (EscalationRules(5, 5), "dc_days", "escalation.error.dc_after_head"),
    (EscalationRules(8, 7), "dc_days", "escalation.error.dc_after_head"),
])
def test_bad_delays_are_refused_with_a_clear_error_and_nothing_is_stored(con, people, rules, field, key):
    with pytest.raises(InvalidInput) as refused:
        escalation.set_rules(con, rules, ADMIN)
    assert [(p.field, p.key) for p in refused.value.problems] == [(field, key)]
    for language in ("hi", "en"):
        assert t(language, key, max=escalation.MAX_DAYS).strip()
    assert escalation.get_rules(con) == escalation.DEFAULT_RULES
    assert rows(con, "SELECT count(*) FROM settings WHERE key LIKE 'escalation.%'") == [(0,)]


def test_only_an_admin_changes_the_rules(con, people):
    with pytest.raises(InvalidInput):
        escalation.set_rules(con, EscalationRules(4, 8), "officer_phed")
    assert escalation.get_rules(con) == escalation.DEFAULT_RULES


# ---- heads and mobiles ----

def test_bad_contacts_are_refused_and_nothing_changes(con, people):
    before = escalation.officer_contacts(con)
    for username, is_head, mobile, key in (("officer_phed", False, "12345", "error.mobile_invalid"),
                                           ("dc_rewari", True, "", "escalation.error.head_officer_only"),
                                           ("analyst_rewari", False, "9812300009", "escalation.error.not_officer"),
                                           ("head_phed", True, "9812300001", "admin.error.no_change")):
        with pytest.raises(InvalidInput) as refused:
            escalation.set_officer_contact(con, username, is_head, mobile, ADMIN)
        assert key in [p.key for p in refused.value.problems]
    assert escalation.officer_contacts(con) == before


def test_moving_a_head_to_another_department_ends_the_headship(con, people, file):
    cid = file()
    administration.change_role(con, HEAD.username, "officer", "PWD", ADMIN)
    escalate(con, 4)
    assert levels(con, cid) == ["department_head"] and escalation_sms(con, cid) == []
    moved = User(HEAD.username, HEAD.display_name, Role.OFFICER, "PWD")
    assert escalation.level_of(con, moved) is None


# ---- what each level sees ----

def test_the_head_and_the_dc_see_it_escalated_to_them_with_its_level_and_age(con, people, file):
    cid = file()
    tracking_no = rows(con, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]
    escalate(con, 4)
    head_day = due_day(con) + timedelta(days=4)
    (seen,) = escalation.escalated_to_me(con, HEAD, today=head_day + timedelta(days=3))
    assert (seen.tracking_no, seen.level, seen.days_ago) == (tracking_no, Level.DEPARTMENT_HEAD, 3)
    assert escalation.escalated_to_me(con, people["dc_rewari"]) == []
    assert escalation.escalated_to_me(con, people["officer_phed"]) == []       # not the head
    assert escalation.level_of(con, people["officer_phed"]) is None

    escalate(con, 8)
    (seen,) = escalation.escalated_to_me(con, HEAD, today=head_day + timedelta(days=4))
    assert (seen.level, seen.days_ago) == (Level.DC, 4)       # still the head's, now also with the DC
    (seen,) = escalation.escalated_to_me(con, people["dc_rewari"], today=head_day + timedelta(days=4))
    assert (seen.tracking_no, seen.level, seen.days_ago) == (tracking_no, Level.DC, 0)


def test_a_head_sees_only_their_own_departments_escalations(con, people, file):
    file(department_code="PWD", category_code="ROAD")
    escalate(con, 30)
    assert escalation.escalated_to_me(con, HEAD) == []
