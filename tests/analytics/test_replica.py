"""Issue #13: on PostgreSQL the analytics page computes its figures in a DuckDB copy of the analytics
columns (lib.analytics.replica). After every kind of change the portal makes (a filing, an action, a
direction given and reported, a citizen's answer that changes no status, an appeal) the figures from
the copy equal the same queries run on PostgreSQL itself, and only the changed complaints were copied."""
from __future__ import annotations

import contextlib
import time
from datetime import timedelta

import pytest

from lib.analytics import figures, replica
from lib.casework import actions, appeals, deadlines
from lib.casework.steps import Citizen
from lib.core.lifecycle import Feedback
from tests.analytics.test_analytics_engines import plain
from tests.casework.test_casework import (  # noqa: F401  (people and file are fixtures)
    MOBILE, TRACK_URL, _tracking_no, file, people, to_department, version)

pytestmark = pytest.mark.parametrize("engine", ["postgres"], indirect=True)   # the copy is PostgreSQL's

TODAY = deadlines.today_in_ist()
LATER = TODAY + timedelta(days=6)       # past the report-by date to_department gives (5 days ahead)
FILTERS = figures.AnalyticsFilters(TODAY - timedelta(days=30), LATER)


def shown(board: figures.Dashboard, flow: figures.Flow) -> dict:
    """Everything the page shows, as plain values."""
    return {"headline": board.headline, "hearings": board.hearings, "departments": plain(board.departments),
            "feedback": plain(board.feedback), "places": plain(board.place_counts),
            "channels": plain(board.channels), "appeals": plain(board.appeals),
            "flow": plain(flow.buckets), "backlog": flow.backlog_at_start}


def from_copy(con) -> dict:
    return shown(figures.load_dashboard(con, FILTERS, LATER), figures.load_flow(con, FILTERS, figures.Grain.WEEK))


def from_postgresql(con, monkeypatch) -> dict:
    """The same figures, with lib.db.analytics run on PostgreSQL itself (its own SQL dialect)."""
    with monkeypatch.context() as patch:
        patch.setattr(replica, "figures_cursor", lambda c, **_: contextlib.closing(c.cursor()))
        return shown(figures.load_dashboard(con, FILTERS, LATER), figures.load_flow(con, FILTERS, figures.Grain.WEEK))


def copied(con) -> int:
    return replica.replica_of(con).copied


def test_the_copy_follows_every_kind_of_change(con, people, file, monkeypatch):
    first, second = file(), file()
    before = from_copy(con)
    assert before == from_postgresql(con, monkeypatch)
    assert before["headline"].received == 2 and copied(con) == 2          # the first refresh copies all

    to_department(con, people, first)           # accepted, directions to PHED due in 5 days
    after_direction = from_copy(con)
    assert after_direction == from_postgresql(con, monkeypatch)
    # Overdue on LATER: the second awaits verification too long, the first is late on its direction.
    assert after_direction["headline"].overdue == 2
    assert copied(con) == 3                      # only the complaint that changed

    actions.file_report(con, people["officer_phed"], first, version(con, first), "Pipeline repaired.")
    reported = from_copy(con)
    assert reported == from_postgresql(con, monkeypatch)
    assert reported["headline"].overdue == 1      # the direction was reported back

    done = actions.resolve(con, people["dc_rewari"], first, version(con, first), track_url=TRACK_URL)
    citizen = Citizen(_tracking_no(con, first), MOBILE)
    resolved = from_copy(con)
    copies = copied(con)
    # "Solved" changes no status and no version: the copy still sees the answer.
    actions.record_feedback(con, citizen, first, done.version, Feedback.SOLVED)
    answered = from_copy(con)
    assert answered == from_postgresql(con, monkeypatch)
    assert answered["feedback"] != resolved["feedback"] and copied(con) == copies

    to_department(con, people, second)
    actions.file_report(con, people["officer_phed"], second, version(con, second), "Pipeline repaired again.")
    done = actions.resolve(con, people["dc_rewari"], second, version(con, second), track_url=TRACK_URL)
    other = Citizen(_tracking_no(con, second), MOBILE)
    actions.record_feedback(con, other, second, done.version, Feedback.NOT_SOLVED)
    reopened = from_copy(con)
    # An appeal is filed without a version change either.
    appeals.file_appeal(con, other, second, "The supply stopped again after two days; nobody came back.")
    appealed = from_copy(con)
    assert appealed == from_postgresql(con, monkeypatch)
    assert appealed["appeals"] != reopened["appeals"]


def test_nothing_is_copied_when_nothing_changed(con, file):
    file()
    from_copy(con)
    kept = replica.replica_of(con)
    asked, copies = kept.refreshes, kept.copied
    from_copy(con)
    # Asked once (the flow reuses the figures' check of a moment before), copied nothing.
    assert kept.refreshes == asked + 1 and kept.copied == copies


def test_a_new_complaint_is_in_the_next_figures(con, file):
    file()
    assert from_copy(con)["headline"].received == 1
    file()
    assert from_copy(con)["headline"].received == 2


def test_the_portal_builds_the_copy_as_it_starts_and_frees_it_when_it_closes(con, file, settings):
    from lib.ops import startup
    file(), file(), file()
    opened = startup.portal_database(settings)          # as the server opens it: the copy is built at once
    kept = replica.replica_of(opened)
    try:
        deadline = time.monotonic() + 60
        while kept.copied < 3 and time.monotonic() < deadline:      # the background build's own progress
            time.sleep(0.05)
        assert kept.copied == 3 and kept.refreshes == 1
    finally:
        startup.release_portal_database(opened)
    with pytest.raises(RuntimeError, match="closed"):
        kept.refresh()


def test_a_change_made_by_hand_in_postgresql_reaches_the_figures(con, file):
    """A correction in psql that forgets the version: migration 019's trigger raises it anyway."""
    cid = file()
    assert plain(figures.load_dashboard(con, FILTERS, LATER).channels)[0]["channel"] == "web"
    with con.cursor() as cur:
        before = cur.execute("SELECT version FROM complaints WHERE id = ?", [cid]).fetchone()[0]
        cur.execute("UPDATE complaints SET channel = 'api:cm_window' WHERE id = ?", [cid])
        assert cur.execute("SELECT version FROM complaints WHERE id = ?", [cid]).fetchone()[0] == before + 1
    assert plain(figures.load_dashboard(con, FILTERS, LATER).channels)[0]["channel"] == "api:cm_window"


def test_should_the_copy_fail_postgresql_itself_gives_the_figures(con, file, monkeypatch, caplog):
    file(), file()
    expected = from_postgresql(con, monkeypatch)

    def broken(self, reuse_within_s=0.0):
        raise OSError("No space left on device")       # say, the scratch folder is full
    monkeypatch.setattr(replica.Replica, "refresh", broken)
    assert from_copy(con) == expected and expected["headline"].received == 2
    assert "could not refresh it" in caplog.text


def test_the_flow_alone_asks_again_once_the_figures_check_is_older_than_its_reuse(con, file, monkeypatch):
    file()
    week = figures.Grain.WEEK
    assert figures.load_flow(con, FILTERS, week).buckets["received"].sum() == 1
    file()
    monkeypatch.setattr(replica, "FLOW_REUSE_S", 0.0)      # as if the last check were long ago
    assert figures.load_flow(con, FILTERS, week).buckets["received"].sum() == 2
