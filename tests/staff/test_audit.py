"""The audit trail holds who did what to which complaint and when, never an officer's remark or other typed text."""
from __future__ import annotations

from datetime import datetime

import pytest

from lib.citizen.filing import file_complaint
from lib.core.lifecycle import RejectionReason
from lib.db.connect import transaction
from lib.staff import audit, signin
from lib.casework import actions
from tests.conftest import make_form

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

REMARK = "Sarpanch Ramkishan ne bataya ki pipeline toot gayi"     # distinctive, and ASCII like many remarks
DC = next(u for u in signin.DEMO_USERS if u.username == "dc_rewari")


def rows(con) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute("SELECT actor, action, target, detail FROM audit_log ORDER BY id").fetchall()


@pytest.fixture
def filed(con, settings, choices):
    signin.create_demo_users(con)
    return file_complaint(con, settings, make_form(), choices, track_url="http://x/track")


def test_an_officers_remark_never_reaches_the_audit_trail(con, filed):
    actions.start_scrutiny(con, DC, filed.complaint_id, 0, REMARK)
    actions.reject(con, DC, filed.complaint_id, 1, RejectionReason.COURT_MATTER, "URGENT; " + REMARK)
    assert rows(con) == [
        ("dc_rewari", "complaint.start_scrutiny", filed.tracking_no, "submitted -> under_scrutiny"),
        ("dc_rewari", "complaint.reject", filed.tracking_no, "under_scrutiny -> rejected; court_matter"),
    ]


@pytest.mark.parametrize("detail, kept", [
    ("with_department -> with_department; PHED -> PWD; " + REMARK, "with_department -> with_department; PHED -> PWD"),
    ("accepted -> hearing_scheduled; hearing #12: dc_rewari 07-12-2026 15:00-15:10 IST (was #9); call first",
     "accepted -> hearing_scheduled; hearing #12: dc_rewari 07-12-2026 15:00-15:10 IST (was #9)"),
    ("with_department -> with_department; report by 2026-12-07; OK", "with_department -> with_department; report by 2026-12-07"),
    ("resolved -> resolved; not_solved", "resolved -> resolved; not_solved"),
    ("opened ID document #3", "opened ID document #3"),
    ("PHED, PWD; NOBODY", "PHED, PWD"),                 # capitals that are no department's code are dropped
    ("a -> b; " + REMARK, None),                        # not statuses: nothing is kept
    ("", None),
])
def test_a_complaint_entry_keeps_only_the_codes_the_portal_writes(con, detail, kept):
    with transaction(con) as cur:
        audit.record(cur, "dc_rewari", "complaint.forward", "RWR-2026-000001", detail, datetime.now())
    assert rows(con)[-1][3] == kept


def test_other_entries_keep_their_detail(con):
    with transaction(con) as cur:
        audit.record(cur, "admin_rewari", "user.change_role", "officer_ulb", "role: officer → analyst")
    assert rows(con)[-1][3] == "role: officer → analyst"
