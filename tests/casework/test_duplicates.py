"""Likely duplicates: suggested by place and category within 30 days or by the same citizen with a similar
(Hindi) subject, only within the officer's scope, without another citizen's personal data; merged by the
DC through close-as-duplicates, one SMS per merged citizen, their track page following the survivor;
bad merges refused with nothing written."""
from __future__ import annotations

import random
from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lib.casework import actions, duplicates, queue
from lib.casework.steps import BulkRefused
from lib.citizen import tracking
from lib.citizen.filing import file_complaint
from lib.core.problems import InvalidInput
from tests.casework.test_casework import facts, people  # noqa: F401  (people: a fixture)
from tests.conftest import make_form, valid_aadhaar

pytestmark = pytest.mark.engines

IST = ZoneInfo("Asia/Kolkata")
TRACK_URL = "https://grievance.example/track_complaint"
NOW = datetime.now(IST).replace(microsecond=0)
DHARUHERA = 248568              # another town of Rewari tehsil (18 wards)


@pytest.fixture
def file(con, settings, choices):
    """File a complaint `days_ago`, by citizen number `who` (own mobile and Aadhaar), else as make_form."""
    def _file(days_ago: int = 0, who: int = 1, **overrides) -> int:
        when = NOW - timedelta(days=days_ago)
        form = make_form(mobile=f"98765 {43210 + who:05d}", id_number=valid_aadhaar(random.Random(100 + who)),
                         preferred_dates=(when.date() + timedelta(days=5),), **overrides)
        return file_complaint(con, settings, form, choices, track_url=TRACK_URL, now=when).complaint_id
    return _file


def number(con, cid: int) -> str:
    with con.cursor() as cur:
        return cur.execute("SELECT tracking_no FROM complaints WHERE id = ?", [cid]).fetchone()[0]


def suggested(con, user, cid) -> list[str]:
    return [s.tracking_no for s in duplicates.suggestions_for(con, user, cid)]


def sms_of(con, cid) -> list[tuple[str, str]]:
    with con.cursor() as cur:
        return cur.execute("SELECT template, body FROM sms_outbox WHERE complaint_id = ? ORDER BY id",
                           [cid]).fetchall()


# ---- suggestions ----

def test_same_place_and_category_within_30_days_is_suggested_and_not_after(con, people, file):
    shown = file(who=1, subject="नाली जाम है")
    within = file(days_ago=29, who=2, subject="गली में गंदा पानी भरा")
    too_old = file(days_ago=31, who=3, subject="गली में गंदा पानी भरा")
    other_ward = file(days_ago=2, who=4, ward=8)
    other_category = file(days_ago=2, who=5, category_code="ROAD")
    dc = people["dc_rewari"]
    assert suggested(con, dc, shown) == [number(con, within)]
    found = duplicates.suggestions_for(con, dc, shown)[0]
    assert (found.same_place, found.same_citizen, found.reason) == (True, False, "place")
    # No personal data of the other citizen travels with a suggestion.
    assert {f.name for f in fields(found)}.isdisjoint({"mobile", "citizen_name", "aadhaar_last4", "ppp_id", "email"})
    assert "98765" not in repr(found)
    # Within 30 days either way: the newer complaint sees the older one and the other way round.
    assert number(con, shown) in suggested(con, dc, within)
    assert number(con, shown) not in suggested(con, dc, too_old)
    assert other_ward not in [s.complaint_id for s in duplicates.suggestions_for(con, dc, shown)]
    assert other_category not in [s.complaint_id for s in duplicates.suggestions_for(con, dc, shown)]


def test_an_officer_sees_suggestions_of_their_own_department_only(con, people, file):
    shown = file(who=1, department_code="PHED")
    same_department = file(days_ago=3, who=2, department_code="PHED")
    elsewhere = file(days_ago=4, who=3, department_code="ULB")
    assert suggested(con, people["dc_rewari"], shown) == [number(con, elsewhere), number(con, same_department)]
    assert suggested(con, people["officer_phed"], shown) == [number(con, same_department)]
    # Nothing about a complaint outside the officer's department, not even its neighbours in theirs.
    assert suggested(con, people["officer_ulb"], shown) == []
    assert duplicates.counts_for(con, people["officer_ulb"], [shown]) == {shown: 0}


def test_the_same_citizen_with_a_similar_hindi_subject_is_suggested_a_different_one_not(con, people, file):
    shown = file(who=1, subject="गाँव में पीने के पानी की सप्लाई बंद है")
    # Same citizen, another place and category, weeks apart: only the subject says it is the same matter
    # (written with anusvara for candrabindu, other words around it).
    alike = file(days_ago=40, who=1, place_lgd=DHARUHERA, ward=3, category_code="ROAD",
                 subject="गांव मे पीने का पानी नहीं, सप्लाई बंद")
    unlike = file(days_ago=20, who=1, ward=4, category_code="SCHOOL", subject="स्कूल में अध्यापक नहीं आते")
    stranger = file(days_ago=10, who=2, ward=5, category_code="ROAD", subject="गाँव में पीने के पानी की सप्लाई बंद है")
    found = duplicates.suggestions_for(con, people["dc_rewari"], shown)
    assert [s.tracking_no for s in found] == [number(con, alike)]
    assert (found[0].same_place, found[0].same_citizen) == (False, True)
    assert unlike not in [s.complaint_id for s in found] and stranger not in [s.complaint_id for s in found]


@pytest.mark.parametrize(("a", "b"), [
    ("गाँव में पानी की सप्लाई बंद", "पानी की सप्लाई गांव में बंद है"),       # order, candrabindu, little words
    ("\u095bमीन पर कब्\u095bा", "जमीन पर कब्जा"),                           # ज़ as one code point, nukta left off
    ("स\u095cक पर गड्ढे", "सड\u093cक पर गड्ढे"),                             # ड़ composed and decomposed
    ("बिजली का बिल गलत आया।", "बिजली बिल गलत"),                             # danda, fewer words
])
def test_hindi_subjects_that_say_the_same_are_the_same(a, b):
    assert duplicates.similarity(a, b) == 100
    assert duplicates.similar(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("पानी की सप्लाई बंद", "स्कूल में अध्यापक नहीं आते"),
    ("सड़क टूटी हुई है", "बिजली का खंभा गिरा"),
    ("पानी नहीं आ रहा", "बिजली नहीं आ रही"),          # the same little words, another matter
    ("में की है", "में की है"),                      # nothing but little words says nothing
])
def test_hindi_subjects_about_different_things_are_not_similar(a, b):
    assert not duplicates.similar(a, b)


def test_the_queue_counts_duplicates_for_the_rows_shown(con, people, file):
    one, two = file(who=1), file(days_ago=1, who=2)
    alone = file(who=3, category_code="ROAD")
    dc = people["dc_rewari"]
    page = queue.load_queue(con, dc, queue.QueueFilters(page_size=25), "en")
    counts = duplicates.counts_for(con, dc, [r.complaint_id for r in page.rows])
    assert counts == {one: 1, two: 1, alone: 0}
    table = queue.rows_table(page.rows, "en", counts)
    shown = dict(zip(table["Tracking number"], table["Likely duplicates"]))
    assert shown == {number(con, one): "1", number(con, two): "1", number(con, alone): ""}


def test_the_queue_counts_what_the_complaints_page_would_list(con, people, file):
    """The counts are worked out apart from the suggestions (no row of each pair is read): the same
    number for each complaint, whatever the reasons (place, citizen, both, a citizen with another
    matter), and for an officer within their scope."""
    water = "गाँव में पीने के पानी की सप्लाई बंद है"
    ids = [file(who=1, subject=water),
           file(days_ago=2, who=2, subject="नाली जाम है"),                                    # same place
           file(days_ago=5, who=1, subject=water),                                          # both reasons
           file(days_ago=40, who=1, place_lgd=DHARUHERA, ward=3, category_code="ROAD",
                subject="गांव मे पीने का पानी नहीं, सप्लाई बंद"),                               # same citizen
           file(days_ago=20, who=1, ward=4, category_code="SCHOOL", subject="स्कूल में अध्यापक नहीं आते"),
           file(days_ago=3, who=3, ward=4, category_code="SCHOOL", department_code="PHED"),
           file(days_ago=1, who=4, category_code="ROAD")]                                  # alone
    for user in (people["dc_rewari"], people["officer_phed"]):
        listed = {cid: len(duplicates.suggestions_for(con, user, cid)) for cid in ids}
        assert duplicates.counts_for(con, user, ids) == listed
    assert duplicates.counts_for(con, people["dc_rewari"], ids[:1]) == {ids[0]: 3}


# ---- merging ----

def test_merge_sends_one_sms_per_merged_citizen_and_their_track_page_follows_the_survivor(con, people, file):
    dc = people["dc_rewari"]
    survivor, first, second = file(days_ago=3, who=1), file(days_ago=2, who=2), file(days_ago=1, who=3)
    actions.start_scrutiny(con, dc, second, 0)
    survivor_no = number(con, survivor)
    done = actions.bulk_close_duplicates(con, dc, [(first, 0), (second, 1)], survivor_no, "same choked drain")
    assert [d.status for d in done] == ["rejected", "rejected"]
    for merged in (first, second):
        merged_sms = [body for template, body in sms_of(con, merged) if template == "merged"]
        assert len(merged_sms) == 1 and survivor_no in merged_sms[0] and number(con, merged) in merged_sms[0]
        assert [t for t, _ in sms_of(con, merged) if t == "rejected"] == []
    assert [t for t, _ in sms_of(con, survivor)] == ["acknowledgement"]

    # The merged citizen's track page shows the survivor's status and next step, and says so.
    status = tracking.current_status(con, first)
    assert (status.tracking_no, status.status, status.joined_to) == (number(con, first), "submitted", survivor_no)
    actions.start_scrutiny(con, dc, survivor, 0)
    actions.accept(con, dc, survivor, 1)
    status = tracking.current_status(con, second)
    assert (status.status, status.next_step_key, status.joined_to) == ("accepted", "next.accepted", survivor_no)
    details = tracking.load_details(con, first)
    assert f"Joined to complaint {survivor_no} about the same problem" in [e.label("en", {}) for e in details.events]
    # The survivor itself is followed by nobody.
    assert tracking.current_status(con, survivor).joined_to is None


def test_a_merged_survivor_merged_again_is_followed_to_the_end(con, people, file):
    dc = people["dc_rewari"]
    last, middle, first = file(days_ago=3, who=1), file(days_ago=2, who=2), file(days_ago=1, who=3)
    actions.bulk_close_duplicates(con, dc, [(first, 0)], number(con, middle))
    actions.bulk_close_duplicates(con, dc, [(middle, 0)], number(con, last))
    status = tracking.current_status(con, first)
    assert (status.status, status.joined_to) == ("submitted", number(con, last))


@pytest.mark.parametrize("case", ["itself", "rejected", "closed_elsewhere", "unknown", "stale_second"])
def test_a_bad_merge_is_refused_and_writes_nothing(con, people, file, case):
    dc = people["dc_rewari"]
    survivor, first, second = file(days_ago=3, who=1), file(days_ago=2, who=2), file(days_ago=1, who=3)
    items, into, key = [(first, 0), (second, 0)], number(con, survivor), None
    if case == "itself":
        items, key = [(first, 0), (survivor, 0)], "casework.duplicate_of_itself"
    elif case == "rejected":
        actions.start_scrutiny(con, dc, survivor, 0)
        actions.reject(con, dc, survivor, 1, "insufficient_information")
        key = "casework.original_finished"
    elif case == "closed_elsewhere":               # the survivor was itself merged into another
        other = file(days_ago=4, who=4)
        actions.bulk_close_duplicates(con, dc, [(survivor, 0)], number(con, other))
        key = "casework.original_finished"
    elif case == "unknown":
        into, key = "RWR-2026-999999", "casework.original_not_found"
    else:
        items = [(first, 0), (second, 7)]          # someone changed the second one since it was listed
    before = {cid: (facts(con, cid), sms_of(con, cid)) for cid in (survivor, first, second)}
    with pytest.raises(BulkRefused) as refused:
        actions.bulk_close_duplicates(con, dc, items, into)
    if key:
        assert isinstance(refused.value.cause, InvalidInput)
        assert [p.key for p in refused.value.cause.problems] == [key]
    assert {cid: (facts(con, cid), sms_of(con, cid)) for cid in (survivor, first, second)} == before
    assert tracking.current_status(con, first).joined_to is None


def test_an_officer_cannot_merge(con, people, file):
    survivor, first = file(days_ago=2, who=1, department_code="PHED"), file(days_ago=1, who=2, department_code="PHED")
    before = facts(con, first)
    with pytest.raises(BulkRefused):
        actions.bulk_close_duplicates(con, people["officer_phed"], [(first, 0)], number(con, survivor))
    assert facts(con, first) == before
