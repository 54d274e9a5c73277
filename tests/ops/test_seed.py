"""Demo data: seeded complaints are consistent with their history, SMS, places and sequences; the CLI seeds."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from lib.ops import cli
from lib.core.complaints import Status, tracking_number
from lib.core.lifecycle import TRANSITIONS
from lib.db.connect import connect, fetch_value, transaction
from lib.db.reference import load_reference_data
from lib.sms.templates import render
from lib.ops.seed import seed_complaints

NOW = datetime(2026, 3, 15, 10, 30, tzinfo=timezone.utc)
COUNT = 2000
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def open_database(path):
    con = connect(path)
    with transaction(con) as cur:
        load_reference_data(cur)
    return con


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    con = open_database(tmp_path_factory.mktemp("seed") / "seed.duckdb")
    reported = []
    added = seed_complaints(con, COUNT, now=NOW, random_seed=11, progress=reported.append)
    assert added == COUNT and sum(reported) == COUNT
    yield con
    con.close()


def rows(con, sql, params=()):
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def value(con, sql, params=()):
    with con.cursor() as cur:
        return fetch_value(cur, sql, params)


def test_counts(seeded):
    assert value(seeded, "SELECT count(*) FROM complaints") == COUNT
    assert value(seeded, "SELECT count(*) FROM sms_outbox") == COUNT
    # Every action changes the version once; filing and feedback leave it as it is.
    events = value(seeded, "SELECT count(*) FROM complaint_events")
    feedback = value(seeded, "SELECT count(*) FROM feedback")
    assert events == value(seeded, "SELECT sum(version + 1) FROM complaints") + feedback
    assert value(seeded, "SELECT count(*) FROM complaints WHERE submission_token IS NOT NULL") == 0


def test_history_matches_status(seeded):
    # Exactly one 'filed' event, first; the last event's to_status is the status; the last change
    # (feedback changes nothing) is updated_at; version counts the changes.
    bad = rows(seeded, """
        WITH h AS (
            SELECT complaint_id, count(*) FILTER (WHERE event = 'filed') AS filed,
                   min(happened_at) FILTER (WHERE event = 'filed') AS filed_at,
                   arg_min(event, id) AS first_event,
                   arg_max(to_status, id) AS last_status,
                   max(happened_at) FILTER (WHERE event <> 'feedback') AS last_at,
                   count(*) FILTER (WHERE event NOT IN ('filed', 'feedback')) AS changes
            FROM complaint_events GROUP BY complaint_id)
        SELECT c.id FROM complaints c LEFT JOIN h ON h.complaint_id = c.id
        WHERE h.filed IS DISTINCT FROM 1 OR h.filed_at <> c.filed_at OR h.first_event <> 'filed' OR h.last_status <> c.status
           OR h.last_at <> c.updated_at OR h.changes <> c.version""")
    assert bad == []
    assert value(seeded, "SELECT count(*) FROM complaint_events WHERE event = 'filed' AND"
                         " (actor <> 'citizen' OR from_status IS NOT NULL OR to_status <> 'submitted')") == 0


def test_every_step_follows_the_state_machine(seeded):
    # Each entry is a step lib.core.lifecycle allows, or the citizen's feedback beside it.
    allowed = {(t.source.value, t.target.value) for t in TRANSITIONS}
    allowed |= {(s.value, s.value) for s in (Status.RESOLVED, Status.CLOSED)}
    steps = set(rows(seeded, "SELECT DISTINCT from_status, to_status FROM complaint_events WHERE event <> 'filed'"))
    assert steps <= allowed
    # And each follows the one before it: from_status is where the complaint was.
    assert value(seeded, """
        SELECT count(*) FROM (SELECT from_status, event,
                                     lag(to_status) OVER (PARTITION BY complaint_id ORDER BY id) AS before
                              FROM complaint_events) WHERE event <> 'filed' AND from_status <> before""") == 0


def test_event_times_between_filing_and_now(seeded):
    assert value(seeded, """
        SELECT count(*) FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
        WHERE e.happened_at < c.filed_at OR e.happened_at > ?""", [NOW]) == 0
    # Within a complaint, each step comes after the one before ("not solved" reopens in the same moment).
    assert value(seeded, """
        SELECT count(*) FROM (SELECT event, happened_at,
                                     lag(happened_at) OVER (PARTITION BY complaint_id ORDER BY id) AS prev
                              FROM complaint_events)
        WHERE happened_at < prev OR (happened_at = prev AND event <> 'reopened')""") == 0
    oldest, newest = rows(seeded, "SELECT min(filed_at), max(filed_at) FROM complaints")[0]
    assert NOW - timedelta(days=731) <= oldest and newest <= NOW
    assert value(seeded, "SELECT count(*) FROM complaints WHERE consent_at <> filed_at") == 0


def test_tracking_numbers(seeded):
    found = rows(seeded, "SELECT id, year(timezone('Asia/Kolkata', filed_at)), tracking_no FROM complaints")
    assert all(t == tracking_number(i, y) for i, y, t in found)
    assert len({t for _, _, t in found}) == COUNT
    # Ids follow filing order.
    assert value(seeded, "SELECT count(*) FROM (SELECT filed_at, lag(filed_at) OVER (ORDER BY id) AS prev"
                         " FROM complaints) WHERE filed_at < prev") == 0


def test_places_and_wards(seeded):
    assert value(seeded, """
        SELECT count(*) FROM complaints c JOIN places p ON p.lgd_code = c.place_lgd
        WHERE c.tehsil_lgd <> p.tehsil_lgd
           OR (p.kind = 'village' AND c.ward IS NOT NULL)
           OR (p.kind = 'town' AND (c.ward IS NULL OR c.ward NOT BETWEEN 1 AND p.wards))""") == 0
    in_towns = value(seeded, "SELECT avg((ward IS NOT NULL)::INT) FROM complaints")
    assert 0.25 < in_towns < 0.42
    assert value(seeded, "SELECT count(DISTINCT place_lgd) FROM complaints") > 200


def test_departments_and_categories(seeded):
    assert value(seeded, "SELECT count(*) FROM complaints WHERE department_code IS NULL"
                         " AND status NOT IN ('submitted', 'under_scrutiny')") == 0
    # The category's department has the complaint, unless it forwarded it.
    assert value(seeded, """
        SELECT count(*) FROM complaints c JOIN categories k ON k.code = c.category_code
        WHERE c.department_code IS NOT NULL AND k.department_code IS NOT NULL AND c.transfers = 0
          AND c.department_code <> k.department_code""") == 0
    assert value(seeded, """
        SELECT count(*) FROM complaints c JOIN complaint_events e ON e.complaint_id = c.id AND e.event = 'forwarded'
        WHERE e.remark <> c.department_code OR c.transfers <> 1""") == 0
    assert value(seeded, "SELECT count(*) FROM complaints c LEFT JOIN departments d ON d.code = c.department_code"
                         " WHERE c.department_code IS NOT NULL AND d.code IS NULL") == 0
    assert value(seeded, "SELECT count(DISTINCT category_code) FROM complaints") >= 15


def test_statuses_languages_and_texts(seeded):
    statuses = dict(rows(seeded, "SELECT status, count(*) FROM complaints GROUP BY status"))
    assert len(statuses) >= 5
    assert 0.04 < statuses.get("rejected", 0) / COUNT < 0.12
    languages = dict(rows(seeded, "SELECT language, count(*) FROM complaints GROUP BY language"))
    assert set(languages) == {"hi", "en"} and 0.6 < languages["hi"] / COUNT < 0.8
    for subject, description, name in rows(seeded, "SELECT subject, description, citizen_name FROM complaints"
                                                   " WHERE language = 'hi' LIMIT 200"):
        assert DEVANAGARI.search(subject) and DEVANAGARI.search(description) and DEVANAGARI.search(name)
    assert value(seeded, "SELECT count(*) FROM complaints WHERE description LIKE '%{place}%'") == 0
    # Old complaints are mostly disposed of.
    old = dict(rows(seeded, "SELECT status IN ('closed', 'resolved', 'rejected'), count(*) FROM complaints"
                            " WHERE filed_at < ? GROUP BY ALL", [NOW - timedelta(days=365)]))
    assert old[True] / (old[True] + old.get(False, 0)) > 0.9


def test_identity_and_mobile(seeded):
    assert value(seeded, r"SELECT count(*) FROM complaints WHERE NOT regexp_full_match(mobile, '\+91[6-9]\d{9}')") == 0
    assert value(seeded, """
        SELECT count(*) FROM complaints WHERE NOT (
            (id_type = 'aadhaar' AND regexp_full_match(aadhaar_last4, '\\d{4}')
                 AND regexp_full_match(aadhaar_hmac, '[0-9a-f]{64}') AND ppp_id IS NULL)
         OR (id_type = 'ppp' AND regexp_full_match(ppp_id, '[A-Z0-9]{8}|T[A-Z0-9]{8}')
                 AND aadhaar_hmac IS NULL AND aadhaar_last4 IS NULL))""") == 0
    share = value(seeded, "SELECT avg((id_type = 'aadhaar')::INT) FROM complaints")
    assert 0.5 < share < 0.7
    # Nothing shaped like a full 12-digit Aadhaar number is stored anywhere in a complaint.
    assert value(seeded, "SELECT count(*) FROM complaints WHERE regexp_matches(concat_ws('|', citizen_name,"
                         " subject, description, locality, ppp_id), '\\d{12}')") == 0


def test_acknowledgement_sms(seeded):
    sms = rows(seeded, """
        SELECT c.tracking_no, c.language, c.mobile, s.mobile, s.body, s.dlt_template_id, s.status, s.attempts,
               s.idempotency_key, s.created_at = c.filed_at, s.sent_at BETWEEN c.filed_at AND ?
        FROM sms_outbox s JOIN complaints c ON c.id = s.complaint_id ORDER BY random() LIMIT 300""", [NOW])
    for tracking_no, lang, mobile, sms_mobile, body, dlt, status, attempts, key, created_ok, sent_ok in sms:
        assert (dlt, body) == render("acknowledgement", lang, tracking_no=tracking_no,
                                     track_url="http://localhost:8501/track_complaint")
        assert (sms_mobile, status, attempts, key) == (mobile, "sent", 1, f"ack:{tracking_no}")
        assert created_ok and sent_ok


def test_seeding_again_adds_without_collisions(tmp_path):
    con = open_database(tmp_path / "again.duckdb")
    try:
        seed_complaints(con, 300, now=NOW, random_seed=1)
        seed_complaints(con, 500, now=NOW, random_seed=1)     # same seed: ids must still differ
        assert value(con, "SELECT count(*) FROM complaints") == 800
        assert value(con, "SELECT count(DISTINCT tracking_no) FROM complaints") == 800
        assert value(con, "SELECT count(*) FROM sms_outbox") == 800
        top = value(con, "SELECT max(id) FROM complaints")
        assert value(con, "SELECT nextval('complaint_seq')") > top
        assert value(con, "SELECT nextval('event_seq')") > value(con, "SELECT max(id) FROM complaint_events")
        assert value(con, "SELECT nextval('sms_seq')") > value(con, "SELECT max(id) FROM sms_outbox")
    finally:
        con.close()


def test_seven_digit_ids_keep_every_digit(tmp_path):
    con = open_database(tmp_path / "big.duckdb")
    try:
        value(con, "SELECT max(nextval('complaint_seq')) FROM range(999_998)")
        seed_complaints(con, 5, now=NOW, random_seed=2)
        found = rows(con, "SELECT id, year(timezone('Asia/Kolkata', filed_at)), tracking_no FROM complaints")
        assert max(i for i, _, _ in found) >= 1_000_000
        assert all(t == tracking_number(i, y) for i, y, t in found)
    finally:
        con.close()


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("ESACHIVALAYA_DB", str(path))
    return path


def count_in(path):
    con = connect(path)
    try:
        return value(con, "SELECT count(*) FROM complaints")
    finally:
        con.close()


def test_cli_seeds_and_fresh_starts_over(db_env, capsys):
    assert cli.main(["seed", "--complaints", "300"]) == 0
    assert cli.main(["seed", "--complaints", "200"]) == 0
    assert count_in(db_env) == 500
    uploads = db_env.parent / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / "old.bin").write_bytes(b"x")
    keys = db_env.with_suffix(".keys").read_text()
    capsys.readouterr()

    assert cli.main(["seed", "--complaints", "300", "--fresh"]) == 0
    out = capsys.readouterr().out
    assert f"deleting {db_env}" in out and "seeded 300 complaints" in out
    assert count_in(db_env) == 300
    assert not uploads.exists()
    assert db_env.with_suffix(".keys").read_text() == keys


@pytest.mark.parametrize("bad", ["0", "-5", "many"])
def test_cli_refuses_a_bad_count(db_env, bad, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["seed", "--complaints", bad])
    assert exited.value.code == 2
    assert "--complaints" in capsys.readouterr().err


HOLD_THE_FILE = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("fresh", [False, True])
def test_cli_exits_2_while_another_process_holds_the_database(db_env, capsys, fresh):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_FILE, str(db_env)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        code = cli.main(["seed", "--complaints", "10", *(["--fresh"] if fresh else [])])
        err = capsys.readouterr().err
        assert code == 2
        assert "in use by another process" in err and "Traceback" not in err
        assert db_env.exists()          # --fresh never deletes a file someone has open
    finally:
        holder.kill()
        holder.wait()


# ---- A demo that looks like a district (issue #12) and its per-complaint facts (issue #14) ----

DEMO = 3000


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A fresh demo database of the size the portal seeds, as of NOW."""
    con = open_database(tmp_path_factory.mktemp("district") / "district.duckdb")
    seed_complaints(con, DEMO, now=NOW, random_seed=12)
    yield con
    con.close()


def test_the_demo_has_every_part_of_the_lifecycle(district):
    events = dict(rows(district, "SELECT event, count(*) FROM complaint_events GROUP BY ALL"))
    for kind in ("rejected", "directions_given", "forwarded", "report_filed", "feedback", "reopened",
                 "hearing_no_show", "hearing_cancelled"):
        assert events.get(kind, 0) >= 10, kind
    hearings = dict(rows(district, "SELECT status, count(*) FROM hearings GROUP BY ALL"))
    assert {"attended", "no_show", "cancelled", "booked"} <= set(hearings)
    assert hearings["attended"] > 10 * hearings["booked"]
    answers = dict(rows(district, "SELECT answer, count(*) FROM feedback GROUP BY ALL"))
    assert set(answers) == {"solved", "partly", "not_solved"} and answers["solved"] > answers["not_solved"]
    # "Not solved" reopens: one reopening per such answer.
    assert events["reopened"] == answers["not_solved"]
    assert value(district, "SELECT count(*) FROM action_reports") >= value(district, "SELECT count(*) FROM"
                                                                           " directions WHERE reported_at IS NOT NULL")


def test_some_reports_come_late_and_some_directions_are_overdue(district):
    late, on_time, waiting_past_date = rows(district, """
        SELECT count(*) FILTER (WHERE timezone('Asia/Kolkata', reported_at)::DATE > report_by),
               count(*) FILTER (WHERE timezone('Asia/Kolkata', reported_at)::DATE <= report_by),
               count(*) FILTER (WHERE reported_at IS NULL AND report_by < ?)
        FROM directions""", [NOW.date()])[0]
    assert late > 50 and on_time > late and waiting_past_date > 10
    # A direction is given the moment its history entry says, and reported when the first report came.
    assert value(district, """
        SELECT count(*) FROM directions d
        LEFT JOIN complaint_events e ON e.complaint_id = d.complaint_id AND e.event = 'directions_given'
                                     AND e.happened_at = d.given_at
        LEFT JOIN (SELECT complaint_id, min(filed_at) AS first FROM action_reports GROUP BY ALL) r
               ON r.complaint_id = d.complaint_id
        WHERE e.id IS NULL OR d.reported_at IS DISTINCT FROM r.first
           OR d.report_by < timezone('Asia/Kolkata', d.given_at)::DATE""") == 0


def test_departments_range_from_late_to_prompt_and_most_are_solved_in_time(district):
    # On time: solved within 21 days of filing (the resolution target), per department with enough cases.
    rates = [r[1] for r in rows(district, """
        SELECT department_code, avg((timezone('Asia/Kolkata', resolved_at)::DATE
                                     - timezone('Asia/Kolkata', filed_at)::DATE <= 21)::INT)
        FROM complaints WHERE status IN ('resolved', 'closed') GROUP BY ALL HAVING count(*) >= 60""")]
    assert len(rates) >= 8
    assert min(rates) <= 0.6 and max(rates) >= 0.85
    median = value(district, "SELECT median(epoch(resolved_at - filed_at) / 86400) FROM complaints"
                             " WHERE status IN ('resolved', 'closed')")
    assert median <= 21


def test_monsoon_and_summer_peaks(district):
    share = dict(rows(district, """
        SELECT CASE WHEN month(timezone('Asia/Kolkata', filed_at)) IN (7, 8, 9) THEN 'monsoon'
                    WHEN month(timezone('Asia/Kolkata', filed_at)) IN (4, 5, 6) THEN 'summer' ELSE 'rest' END,
               avg((category_code IN ('SEWER', 'SANITATION'))::INT) - avg((category_code IN ('WATER', 'ELECTRICITY'))::INT)
        FROM complaints GROUP BY ALL"""))
    # Drains and garbage lead in the monsoon, water and power in the summer.
    assert share["monsoon"] > share["rest"] > share["summer"]


def test_every_queue_view_has_something_to_show(district):
    # Awaiting verification, with the department, reported, and overdue for each reason.
    statuses = dict(rows(district, "SELECT status, count(*) FROM complaints GROUP BY ALL"))
    for status in ("submitted", "under_scrutiny", "accepted", "hearing_scheduled", "with_department",
                   "action_reported", "resolved", "closed", "rejected"):
        assert statuses.get(status, 0) > 0, status
    assert value(district, "SELECT count(*) FROM complaints WHERE status NOT IN ('resolved', 'closed', 'rejected')"
                           " AND filed_at < ?", [NOW - timedelta(days=22)]) > 20
    # Hearings still to come hold their slot.
    assert value(district, "SELECT count(*) FROM hearings h JOIN hearing_slot_claims s ON s.hearing_id = h.id"
                           " WHERE h.status = 'booked' AND h.starts_at > ?", [NOW]) > 0


FACTS_FROM_HISTORY = """
    SELECT c.id, c.reopen_count, c.hearings_held, c.hearings_called_off, c.hearings_no_show, c.heard_at,
           c.accepted_at, c.resolved_at,
           count(e.id) FILTER (WHERE e.event = 'reopened'),
           count(e.id) FILTER (WHERE e.from_status = 'hearing_scheduled' AND e.to_status = 'heard'),
           count(e.id) FILTER (WHERE e.event = 'hearing_cancelled'),
           count(e.id) FILTER (WHERE e.event = 'hearing_no_show'),
           min(e.happened_at) FILTER (WHERE e.to_status = 'heard'),
           min(e.happened_at) FILTER (WHERE e.to_status = 'accepted' AND e.from_status = 'under_scrutiny'),
           CASE WHEN c.status IN ('resolved', 'closed') THEN max(e.happened_at) FILTER (WHERE e.to_status = 'resolved'
                AND e.from_status = 'action_reported') END
    FROM complaints c JOIN complaint_events e ON e.complaint_id = c.id
    GROUP BY c.id, c.status, c.reopen_count, c.hearings_held, c.hearings_called_off, c.hearings_no_show,
             c.heard_at, c.accepted_at, c.resolved_at
    ORDER BY c.id"""


def test_the_fact_columns_agree_with_the_history(district):
    found = rows(district, FACTS_FROM_HISTORY)
    assert len(found) == DEMO
    disagree = [r for r in found if tuple(r[1:8]) != tuple(r[8:])]
    assert disagree == []
    # And the hearings table says the same as the history.
    assert value(district, """
        SELECT count(*) FROM complaints c LEFT JOIN (
            SELECT complaint_id, count(*) FILTER (WHERE status = 'attended') AS held,
                   count(*) FILTER (WHERE status = 'cancelled') AS called_off,
                   count(*) FILTER (WHERE status = 'no_show') AS no_show
            FROM hearings GROUP BY ALL) h ON h.complaint_id = c.id
        WHERE coalesce(h.held, 0) <> c.hearings_held OR coalesce(h.called_off, 0) <> c.hearings_called_off
           OR coalesce(h.no_show, 0) <> c.hearings_no_show""") == 0


def test_migration_8_fills_the_facts_of_an_older_database(tmp_path):
    """A database at version 7 holding complaints that went through hearings (held, missed, called
    off), reopenings and resolutions, upgraded: the new columns say what the history says."""
    from lib.db import connect as db

    seeded = open_database(tmp_path / "seeded.duckdb")
    seed_complaints(seeded, 400, now=NOW, random_seed=8)
    seeded.close()
    con = db.open_file(tmp_path / "old.duckdb", "")
    con.execute("SET TimeZone = 'Asia/Kolkata'")
    assert db.upgrade(con, to_version=7) == 7
    with con.cursor() as cur:
        # The rows as version 7 kept them: its columns only, copied from the seeded file.
        old_columns = [r[0] for r in cur.execute("SELECT column_name FROM information_schema.columns"
                                                 " WHERE table_name = 'complaints' ORDER BY ordinal_position").fetchall()]
        assert "reopen_count" not in old_columns and "heard_at" not in old_columns
        cur.execute(f"ATTACH '{tmp_path / 'seeded.duckdb'}' AS seeded (READ_ONLY)")
        cur.execute(f"INSERT INTO complaints SELECT {', '.join(old_columns)} FROM seeded.complaints")
        cur.execute("INSERT INTO complaint_events SELECT * FROM seeded.complaint_events")
        cur.execute("DETACH seeded")
        # Rows of the old live code may lack accepted_at and resolved_at.
        cur.execute("UPDATE complaints SET accepted_at = NULL WHERE id % 2 = 0")
        cur.execute("UPDATE complaints SET resolved_at = NULL WHERE id % 3 = 0")
        # An officer's internal remark beside a cancellation must not count as a second one.
        cur.execute("""INSERT INTO complaint_events SELECT nextval('event_seq') + 1000000, complaint_id, happened_at,
                       actor, 'remark', from_status, to_status, 'Officer on tour', false
                       FROM complaint_events WHERE event = 'hearing_cancelled'""")
    assert db.upgrade(con) == db.LATEST_VERSION
    found = rows(con, FACTS_FROM_HISTORY)
    assert len(found) == 400
    assert [r[1:8] for r in found] == [r[8:] for r in found]
    for column in (1, 2, 3, 4):         # reopenings, hearings held, called off, missed: some of each
        assert sum(r[column] for r in found) > 0
    con.close()
