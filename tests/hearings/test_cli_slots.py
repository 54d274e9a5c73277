"""`python -m lib.ops.cli slots`: an officer's free hearing slots as JSON lines in IST, and a clear refusal while
another process (the running portal) holds the database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lib.ops import cli
from lib.hearings import booking, officers
from lib.staff import signin
from lib.core.config import load_settings
from lib.ops.startup import open_portal_database

ROOT = Path(__file__).resolve().parents[2]
IST = ZoneInfo("Asia/Kolkata")


FROZEN = datetime(2026, 12, 7, 15, 5, tzinfo=IST)     # a Monday, during the hearing window


@pytest.fixture
def database(portal_env, monkeypatch):
    """The expected slots at a frozen "now"; the command (in this process) sees the same clock, so a
    slot that starts between the two readings of a real clock cannot make them differ."""
    monkeypatch.setattr(booking, "now_in_ist", lambda now=None: (now or FROZEN).astimezone(IST))
    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    officers.ensure_default_rules(con)
    expected = booking.find_free_slots(con, "dc_rewari", days=14, now=FROZEN)
    con.close()
    return expected


def test_free_slots_are_printed_one_json_object_per_line_in_ist(database, capsys):
    assert cli.main(["slots", "--officer", "dc_rewari", "--days", "14", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    slots = [json.loads(line) for line in lines]
    assert len(slots) == len(database) > 0
    for slot, expected in zip(slots, database):
        assert set(slot) == {"officer", "start", "end", "standing_in_for"}
        assert slot["officer"] == "dc_rewari" and slot["standing_in_for"] is None
        assert slot["start"].endswith("+05:30") and slot["end"].endswith("+05:30")
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert start == expected.starts_at and (end - start).total_seconds() == 600
        assert "15:00" <= start.strftime("%H:%M") <= "16:50" and start.weekday() not in (1, 6)
        assert start > FROZEN
    assert slots[0]["start"] == "2026-12-07T15:10:00+05:30"      # today's 15:00 has started; 15:10 is next


def test_the_command_itself_runs_and_refuses_an_unknown_officer(database):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "lib.ops.cli", "slots", "--officer", "dc_rewari", "--days", "3", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(json.loads(line)["start"].endswith("+05:30") for line in done.stdout.splitlines())
    unknown = subprocess.run([sys.executable, "-m", "lib.ops.cli", "slots", "--officer", "analyst_rewari", "--json"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "analyst_rewari is not a hearing officer" in unknown.stderr
    assert unknown.stdout == ""


def test_slots_refuses_clearly_while_the_portal_holds_the_database(database, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from lib.db.connect import connect; c = connect(sys.argv[1]);"
                               " print('holding', flush=True); time.sleep(120)", str(load_settings({}).db_path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert cli.main(["slots", "--officer", "dc_rewari", "--days", "3", "--json"]) == cli.EXIT_BUSY
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "in use by another process" in captured.err and "Traceback" not in captured.err
    finally:
        holder.terminate()
        holder.wait(timeout=30)


def test_a_fresh_demo_database_has_the_dc_holding_hearings(portal_env, capsys):
    assert cli.main(["reset-demo"]) == 0
    capsys.readouterr()
    assert cli.main(["slots", "--officer", "dc_rewari", "--days", "10", "--json"]) == 0
    slots = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert slots and {s["officer"] for s in slots} == {"dc_rewari"}
