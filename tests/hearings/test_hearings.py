"""Hearing officers' rules and slots: the pure slot generation (with property tests over random rules and
dates), booking decisions, video rooms, and the rules as the admin keeps them."""
from __future__ import annotations

import inspect
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from lib.hearings import booking, officers, rooms
from lib.staff import signin
from lib.db.connect import transaction
from lib.casework.deadlines import is_working_day
from lib.hearings.rules import Absence, HearingOfficer, OfficeRules, TimeWindow, check_rules, parse_windows
from lib.hearings.slots import Slot, choose_slot, free_slots, may_book_again, reminders, sms_variables
from lib.core.problems import InvalidInput
from lib.core.states import HOLDING, HearingStatus
from tests.conftest import add_demo_accounts

IST = ZoneInfo("Asia/Kolkata")
MONDAY = date(2026, 12, 7)            # a plain working Monday; Tuesday the 8th is the no-meeting day
CHRISTMAS = date(2026, 12, 25)        # a Friday, a Haryana holiday
DC = HearingOfficer("dc_rewari", "Deputy Commissioner, Rewari", "उपायुक्त, रेवाड़ी")
XEN = HearingOfficer("officer_phed", "XEN PHED", "कार्यकारी अभियंता", OfficeRules(windows=(TimeWindow(time(10), time(11)),)))
OFFICERS = {o.username: o for o in (DC, XEN)}


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=IST)


def slots(username="dc_rewari", first_day=MONDAY, days=1, now=None, **kw) -> list[Slot]:
    return free_slots(OFFICERS if "officers" not in kw else kw.pop("officers"), username, first_day=first_day,
                      days=days, now=now or at(first_day - timedelta(days=1), 9), **kw)


# ---- the default rules, day by day ----

def test_a_monday_gives_twelve_ten_minute_video_slots_from_three_to_five():
    found = slots()
    assert [s.starts_at.strftime("%H:%M") for s in found] == [f"{h}:{m:02d}" for h in (15, 16) for m in range(0, 60, 10)]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=10) and s.officer == "dc_rewari" for s in found)
    assert found[0].starts_at.isoformat() == "2026-12-07T15:00:00+05:30"


@pytest.mark.parametrize("day, why", [
    (MONDAY + timedelta(days=1), "Tuesday is the no-meeting day"),
    (MONDAY + timedelta(days=6), "Sunday"),
    (CHRISTMAS, "a Haryana holiday"),
])
def test_no_slot_on_a_day_without_hearings(day, why):
    assert slots(first_day=day) == [], why


def test_no_slot_on_a_local_holiday_the_admin_added():
    assert slots(local_holidays={MONDAY}) == []
    assert slots(first_day=MONDAY + timedelta(days=2), local_holidays={MONDAY})     # Wednesday is unaffected


def test_the_public_hours_are_kept_free_even_inside_a_wide_window():
    wide = HearingOfficer("dc_rewari", "DC", "DC", OfficeRules(windows=(TimeWindow(time(10), time(17)),),
                                                               slot_minutes=25))
    found = slots(officers={"dc_rewari": wide})
    assert found and all(not (s.starts_at.time() < time(13) and s.ends_at.time() > time(11)) for s in found)
    # Slots start afresh when the public hours end, rather than skipping a misaligned one.
    assert [s.starts_at.strftime("%H:%M") for s in found][:4] == ["10:00", "10:25", "13:00", "13:25"]


def test_no_slot_that_has_started_by_now():
    found = slots(now=at(MONDAY, 15, 25))
    assert found[0].starts_at == at(MONDAY, 15, 30)
    assert slots(now=at(MONDAY, 17, 0)) == []


def test_taken_time_is_not_offered_even_by_a_booking_of_another_length():
    busy = [("dc_rewari", at(MONDAY, 15, 0), at(MONDAY, 15, 10)), ("dc_rewari", at(MONDAY, 15, 25), at(MONDAY, 15, 45)),
            ("officer_phed", at(MONDAY, 16, 0), at(MONDAY, 16, 10))]      # another officer's: no effect
    starts = [s.starts_at.strftime("%H:%M") for s in slots(busy=busy)]
    assert starts[:3] == ["15:10", "15:50", "16:00"]
    assert len(starts) == 12 - 1 - 3          # 15:25-15:45 blocks 15:20, 15:30 and 15:40


def test_on_days_away_the_substitute_holds_the_hearings():
    away = [Absence(1, "dc_rewari", MONDAY, MONDAY + timedelta(days=2), "officer_phed", "tour")]
    found = slots(days=3, absences=away)
    assert {s.officer for s in found} == {"officer_phed"} and {s.standing_in_for for s in found} == {"dc_rewari"}
    assert {s.starts_at.strftime("%H:%M") for s in found} == {f"10:{m:02d}" for m in range(0, 60, 10)}
    # The substitute's own bookings count; an absence without a substitute gives no slot at all.
    busy = [("officer_phed", at(MONDAY, 10, 0), at(MONDAY, 10, 10))]
    assert at(MONDAY, 10) not in [s.starts_at for s in slots(absences=away, busy=busy)]
    assert slots(absences=[Absence(2, "dc_rewari", MONDAY, MONDAY, None, "leave")]) == []


def test_an_inactive_officer_gives_no_slot():
    resting = HearingOfficer("dc_rewari", "DC", "DC", active=False)
    assert slots(officers={"dc_rewari": resting}) == []


# ---- property tests: no slot ever breaks a rule ----

minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def windows(draw, max_size=3):
    found = []
    for a, b in draw(st.lists(st.tuples(minutes, minutes), max_size=max_size)):
        low, high = sorted((a, b))
        if low < high:
            found.append(TimeWindow(time(low // 60, low % 60), time(high // 60, high % 60)))
    return tuple(found)


rules_strategy = st.builds(
    OfficeRules,
    working_days=st.frozensets(st.integers(0, 6)), no_meeting_days=st.frozensets(st.integers(0, 6)),
    windows=windows(), kept_free=windows(max_size=2), slot_minutes=st.integers(5, 60))
days_strategy = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=rules_strategy, first_day=days_strategy, days=st.integers(1, 21),
       now_offset=st.integers(-3 * 24 * 60, 25 * 24 * 60), data=st.data())
def test_no_slot_breaks_a_rule(rules, first_day, days, now_offset, data):
    now = datetime.combine(first_day, time(0), tzinfo=IST) + timedelta(minutes=now_offset)
    span = [first_day + timedelta(days=i) for i in range(days)]
    local = set(data.draw(st.lists(st.sampled_from(span), max_size=3)))
    bookings = data.draw(st.lists(st.tuples(st.sampled_from(span), minutes, st.integers(5, 90)), max_size=5))
    busy = [("dc_rewari", datetime.combine(d, time(0), tzinfo=IST) + timedelta(minutes=m),
             datetime.combine(d, time(0), tzinfo=IST) + timedelta(minutes=m + n)) for d, m, n in bookings]
    officer = HearingOfficer("dc_rewari", "DC", "DC", rules)
    found = free_slots({"dc_rewari": officer}, "dc_rewari", first_day=first_day, days=days, now=now, busy=busy,
                       local_holidays=local)
    assert found == sorted(set(found)), "in time order, each once"
    assert all(a.ends_at <= b.starts_at for a, b in zip(found, found[1:])), "slots never overlap"
    for slot in found:
        start, end = slot.starts_at.astimezone(IST), slot.ends_at.astimezone(IST)
        day = start.date()
        assert first_day <= day < first_day + timedelta(days=days)
        assert end - start == timedelta(minutes=rules.slot_minutes)
        assert start > now, "never in the past"
        assert is_working_day(day, local), "never on a Sunday or a holiday"
        assert day.weekday() in rules.working_days and day.weekday() not in rules.no_meeting_days
        assert end.date() == day or end.time() == time(0)
        first, last = start.hour * 60 + start.minute, (end - timedelta(minutes=1)).hour * 60 + (end - timedelta(minutes=1)).minute
        assert all(any(w.minutes()[0] <= m < w.minutes()[1] for w in rules.windows) for m in range(first, last + 1)), \
            "inside the hearing windows"
        assert not any(start.time() < w.end and w.start < end.time() for w in rules.kept_free), "not in kept-free time"
        assert not any(start < b_end and b_start < end for _, b_start, b_end in busy), "never taken"


@hypothesis_settings(max_examples=60, deadline=None)
@given(rules=rules_strategy, first_day=days_strategy)
def test_a_slot_given_back_is_offered_again(rules, first_day):
    officer = {"dc_rewari": HearingOfficer("dc_rewari", "DC", "DC", rules)}
    before = datetime.combine(first_day, time(0), tzinfo=IST) - timedelta(minutes=1)
    everything = free_slots(officer, "dc_rewari", first_day=first_day, days=7, now=before)
    if not everything:
        return
    taken = everything[len(everything) // 2]
    busy = [("dc_rewari", taken.starts_at, taken.ends_at)]
    assert free_slots(officer, "dc_rewari", first_day=first_day, days=7, now=before, busy=busy) == \
        [s for s in everything if s != taken]


# ---- booking decisions ----

def test_first_free_slot_prefers_the_citizens_dates_and_falls_back_to_the_first():
    found = slots(days=10)
    wednesday, friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
    choice = choose_slot(found, (friday, wednesday))
    assert choice.slot.starts_at == at(wednesday, 15) and choice.on_preferred_date
    fallback = choose_slot(found, (MONDAY + timedelta(days=1),))          # a Tuesday: never a slot
    assert fallback.slot.starts_at == at(MONDAY, 15) and not fallback.on_preferred_date
    assert choose_slot([], (wednesday,)) is None


def test_reminders_a_day_and_half_an_hour_before_unless_already_past():
    start = at(MONDAY, 15)
    assert reminders(start, at(MONDAY, 9)) == [("reminder_30_min", at(MONDAY, 14, 30))]
    assert reminders(start, at(MONDAY - timedelta(days=3), 9)) == [
        ("reminder_day_before", at(MONDAY - timedelta(days=1), 15)), ("reminder_30_min", at(MONDAY, 14, 30))]
    assert reminders(start, at(MONDAY, 14, 45)) == []


def test_a_no_show_may_be_rebooked_once():
    assert may_book_again(0) and may_book_again(1) and not may_book_again(2)


def test_hearing_sms_variables_are_in_ist():
    utc_start = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("UTC"))
    assert sms_variables(utc_start, "DC", "https://x/r") == {
        "date": "07-12-2026", "time": "15:00 IST", "officer": "DC", "join_url": "https://x/r"}


def test_slot_labels_name_the_day_the_substitute_and_the_citizens_date():
    slot = Slot(at(MONDAY, 15), at(MONDAY, 15, 10), "officer_phed", "dc_rewari")
    label = slot.label("en", {"officer_phed": "XEN PHED"}, preferred=(MONDAY,))
    assert label == "Monday 07-12-2026 15:00-15:10 IST · held by XEN PHED (substitute) · citizen's date"
    assert slot.label("hi").startswith("सोमवार 07-12-2026 15:00-15:10 IST")


# ---- rules as text, and their checks ----

def test_windows_are_read_from_what_the_admin_types():
    assert parse_windows("16:00-17:30, 9.30 - 11:00", "windows") == (
        TimeWindow(time(9, 30), time(11)), TimeWindow(time(16), time(17, 30)))
    with pytest.raises(InvalidInput) as bad:
        parse_windows("3pm to 5pm", "windows")
    assert bad.value.keys == {"hearing.window_invalid"}


@pytest.mark.parametrize("rules, key", [
    (OfficeRules(working_days=frozenset()), "hearing.working_days_required"),
    (OfficeRules(slot_minutes=3), "hearing.slot_minutes_range"),
    (OfficeRules(windows=()), "hearing.windows_required"),
    (OfficeRules(windows=(TimeWindow(time(17), time(15)),)), "hearing.window_order"),
    (OfficeRules(windows=(TimeWindow(time(15), time(17)), TimeWindow(time(16), time(18)))), "hearing.window_overlap"),
])
def test_bad_rules_are_named(rules, key):
    assert key in {p.key for p in check_rules(rules)}
    assert check_rules(OfficeRules()) == []


# ---- video rooms ----

def test_room_names_are_random_and_never_carry_the_complaint():
    assert not inspect.signature(rooms.new_room_name).parameters      # nothing of a complaint can go in
    names = {rooms.new_room_name() for _ in range(2000)}
    assert len(names) == 2000
    for name in list(names)[:50]:
        random_part = name.removeprefix(rooms.ROOM_PREFIX)
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", random_part)      # 24 bytes = 192 bits
    # The randomness is spread over the whole URL-safe alphabet (a hex name would use 16 symbols), and
    # names stay distinct even for a video server that ignores case.
    used = {c for name in names for c in name.removeprefix(rooms.ROOM_PREFIX)}
    assert len(used) >= 60
    assert len({name.lower() for name in names}) == 2000


def test_the_jitsi_server_is_configurable_and_checked():
    assert rooms.room_url("abc", {}) == "https://meet.jit.si/abc"
    assert rooms.room_url("abc", {"ESACHIVALAYA_JITSI_URL": "https://vc.rewari.gov.in/"}) == "https://vc.rewari.gov.in/abc"
    with pytest.raises(ValueError):
        rooms.jitsi_base_url({"ESACHIVALAYA_JITSI_URL": "javascript:alert(1)"})


# ---- the rules in the database ----

@pytest.fixture
def people(con):
    add_demo_accounts(con)
    return con


def audit_actions(con) -> list[tuple]:
    with con.cursor() as cur:
        return cur.execute("SELECT actor, action, target FROM audit_log ORDER BY id").fetchall()


@pytest.mark.engines
def test_the_demo_dc_gets_the_default_rules_once(people):
    con = people
    assert officers.ensure_default_rules(con) is True
    assert officers.ensure_default_rules(con) is False
    dc = officers.get_officer(con, "dc_rewari")
    assert dc.rules == OfficeRules() and dc.title("hi") == "उपायुक्त, रेवाड़ी"
    assert audit_actions(con) == [("system", "hearing_rules.edit", "dc_rewari")]
    found = booking.find_free_slots(con, "dc_rewari", now=at(MONDAY, 9), days=1)
    assert len(found) == 12


@pytest.mark.engines
def test_the_admin_changes_rules_and_they_take_effect(people):
    con = people
    rules = OfficeRules(working_days=frozenset({0, 2}), no_meeting_days=frozenset(),
                        windows=parse_windows("10:00-12:00", "windows"), kept_free=(), slot_minutes=30)
    officers.set_rules(con, "officer_phed", "XEN PHED", "कार्यकारी अभियंता", rules, "admin_rewari")
    found = booking.find_free_slots(con, "officer_phed", now=at(MONDAY, 9), days=7)
    assert {s.day.weekday() for s in found} == {0, 2}
    assert [s.starts_at.strftime("%H:%M") for s in found[:4]] == ["10:00", "10:30", "11:00", "11:30"]
    assert audit_actions(con)[-1] == ("admin_rewari", "hearing_rules.edit", "officer_phed")


@pytest.mark.engines
def test_rules_are_refused_with_every_problem_and_for_the_wrong_people(people):
    con = people
    with pytest.raises(InvalidInput) as bad:
        officers.set_rules(con, "officer_phed", "", "x" * 31, OfficeRules(slot_minutes=0), "admin_rewari")
    assert bad.value.keys == {"error.required", "error.too_long", "hearing.slot_minutes_range"}
    with pytest.raises(InvalidInput) as analyst:
        officers.set_rules(con, "analyst_rewari", "Analyst", "विश्लेषक", OfficeRules(), "admin_rewari")
    assert analyst.value.keys == {"hearing.not_an_officer"}
    assert officers.list_officers(con) == [] and audit_actions(con) == []


@pytest.mark.engines
def test_an_absence_hands_the_days_to_the_substitute(people):
    con = people
    officers.ensure_default_rules(con)
    officers.set_rules(con, "officer_phed", "XEN PHED", "कार्यकारी अभियंता", OfficeRules(), "admin_rewari")
    absence = officers.add_absence(con, "dc_rewari", MONDAY, MONDAY, "officer_phed", "Tour to Chandigarh",
                                   "admin_rewari")
    found = booking.find_free_slots(con, "dc_rewari", now=at(MONDAY, 9), days=3)
    assert {(s.day, s.officer) for s in found} == {(MONDAY, "officer_phed"), (MONDAY + timedelta(days=2), "dc_rewari")}
    with pytest.raises(InvalidInput) as bad:
        officers.add_absence(con, "dc_rewari", MONDAY, MONDAY - timedelta(days=1), "dc_rewari", "", "admin_rewari")
    assert bad.value.keys == {"hearing.absence_order", "hearing.substitute_self"}
    officers.remove_absence(con, absence, "admin_rewari")
    assert {s.officer for s in booking.find_free_slots(con, "dc_rewari", now=at(MONDAY, 9), days=1)} == {"dc_rewari"}
    assert [a[1] for a in audit_actions(con)][-2:] == ["hearing_absence.add", "hearing_absence.remove"]


def test_the_database_takes_every_hearing_status_and_refuses_anything_else(con):   # DuckDB's SELECT * REPLACE
    from tests.core.test_schema import bogus_values, values_the_database_takes

    with transaction(con) as cur:           # one booked hearing, as a migrated database holds it
        cur.execute("INSERT INTO hearings (id, complaint_id, officer, starts_at, ends_at, room, join_url, status,"
                    " booked_by, booked_at) VALUES (1, 1, 'dc_rewari', ?, ?, 'esachivalaya-room', 'https://x/r',"
                    " 'booked', 'dc_rewari', ?)", [at(MONDAY, 15), at(MONDAY, 15, 10), at(MONDAY, 9)])
    members = {s.value for s in HearingStatus}
    assert values_the_database_takes(con, "hearings", "status", [*members, *bogus_values(HearingStatus)]) == members


# ---- the admin's Hearing rules tab (AppTest) ----

@pytest.fixture
def admin_page(portal_env):
    from pathlib import Path

    import streamlit
    from streamlit.testing.v1 import AppTest

    from lib.core.config import load_settings
    from lib.ops.startup import open_portal_database

    streamlit.cache_resource.clear()
    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    officers.ensure_default_rules(con)
    con.close()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin_rewari"
    at.run()
    at.switch_page("pages/admin.py").run()
    at.radio(key="language_switch").set_value("en").run()
    assert not at.exception
    yield at
    streamlit.cache_resource.clear()


@pytest.mark.engines
def test_the_admin_changes_the_dcs_hearing_windows_and_adds_days_away(admin_page):
    from lib.ui import connection

    at = admin_page
    assert "Hearing rules" in [tab.label for tab in at.tabs]
    at.selectbox(key="hr_user").set_value("dc_rewari").run()
    at.text_input(key="hr_windows_dc_rewari").input("3pm to 5pm")
    at.button(key="hr_submit_dc_rewari").click().run()
    assert 'Write times like 15:00-17:00 (not "3pm to 5pm").' in [e.value for e in at.error]
    assert officers.get_officer(connection(), "dc_rewari").rules == OfficeRules()        # nothing saved
    at.text_input(key="hr_windows_dc_rewari").input("16:00-17:30")
    at.number_input(key="hr_slot_dc_rewari").set_value(15)
    at.button(key="hr_submit_dc_rewari").click().run()
    assert not at.exception
    assert "Hearing rules of dc_rewari saved." in [s.value for s in at.success]
    rules = officers.get_officer(connection(), "dc_rewari").rules
    assert (rules.windows, rules.slot_minutes) == ((TimeWindow(time(16), time(17, 30)),), 15)

    at.selectbox(key="ha_officer").set_value("dc_rewari")
    at.date_input(key="ha_first").set_value(MONDAY)
    at.date_input(key="ha_last").set_value(MONDAY + timedelta(days=4))
    at.text_input(key="ha_reason").input("Training at HIPA")
    at.button(key="ha_submit").click().run()
    assert not at.exception
    assert "Days away added." in [s.value for s in at.success]
    assert [(a.username, a.first_day, a.last_day, a.substitute) for a in officers.list_absences(connection(), MONDAY)] == [
        ("dc_rewari", MONDAY, MONDAY + timedelta(days=4), None)]
