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
from lib.db import analytics_copy as copy_db
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
    # "Solved" changes no status and no version: the copy still sees the answer, counted on the
    # complaint's row (migration 023), by copying that one row again.
    actions.record_feedback(con, citizen, first, done.version, Feedback.SOLVED)
    assert version(con, first) == done.version
    answered = from_copy(con)
    assert answered == from_postgresql(con, monkeypatch)
    assert answered["feedback"] != resolved["feedback"] and copied(con) == copies + 1

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
    # Nothing committed since: PostgreSQL is not even asked (migration 020), and nothing is copied.
    assert kept.refreshes == asked and kept.copied == copies


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

    def broken(self):
        raise OSError("No space left on device")       # say, the scratch folder is full
    monkeypatch.setattr(replica.Replica, "refresh", broken)
    assert from_copy(con) == expected and expected["headline"].received == 2
    assert "could not refresh it" in caplog.text


def test_a_change_still_open_when_the_copy_looked_is_copied_once_committed(con, file):
    """A slow transaction: open while the copy looked (its change not yet visible), committed after.
    No clock decides what changed: its rows carry its transaction, which that look's snapshot had
    not seen committed, so the next look copies them."""
    cid = file()
    assert {r["channel"] for r in from_copy(con)["channels"]} == {"web"}
    with con.cursor() as slow:
        slow.execute("BEGIN TRANSACTION")
        slow.execute("UPDATE complaints SET channel = 'api:cm_window' WHERE id = ?", [cid])
        file()                                          # meanwhile another filing: the copy looks
        looked = from_copy(con)
        assert looked["headline"].received == 2 and {r["channel"] for r in looked["channels"]} == {"web"}
        slow.execute("COMMIT")
    assert {r["channel"] for r in from_copy(con)["channels"]} == {"web", "api:cm_window"}


def test_postgresql_is_asked_only_after_a_commit_changed_something(con, file):
    """Migration 020's NOTIFY: views of an unchanged database ask PostgreSQL nothing about the tables
    (the ask read every complaint's version); the first view after a filing asks once and shows it."""
    file()
    kept = replica.replica_of(con)
    assert from_copy(con)["headline"].received == 1
    asked = kept.refreshes
    from_copy(con), from_copy(con)
    assert kept.refreshes == asked                          # nothing committed: the copy is current
    file()
    assert from_copy(con)["headline"].received == 2
    assert kept.refreshes == asked + 1
    with con.cursor() as cur:                               # a change by hand in psql is heard as well
        cur.execute("UPDATE complaints SET channel = 'api:cm_window'")
    assert from_copy(con)["channels"][0]["channel"] == "api:cm_window"
    assert kept.refreshes == asked + 2


def test_a_lost_listening_connection_delays_no_change(con, file, caplog):
    """PostgreSQL restarted, or an operator ended the idle session: what was committed meanwhile
    still reaches the figures (the copy asks with the signature), and the copy listens again."""
    file()
    kept = replica.replica_of(con)
    assert from_copy(con)["headline"].received == 1
    with con.cursor() as cur:
        ended = cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name = 'esachivalaya: ' || ?", [copy_db.CHANNEL]).fetchall()
    assert ended == [(True,)]
    file()
    assert from_copy(con)["headline"].received == 2           # asked, though nothing could be heard
    assert "listening connection was lost" in caplog.text
    asked = kept.refreshes
    file()
    assert from_copy(con)["headline"].received == 3           # listening again: the filing was heard
    from_copy(con)
    assert kept.refreshes == asked + 1                         # the filing's look; then none


def test_a_commit_heard_while_nobody_looks_reaches_the_next_figures(con, file, monkeypatch):
    """The copy reads its listening connection now and then even when no analyst views the figures
    (so PostgreSQL's notification queue moves on); what it heard then is not lost for the next view."""
    monkeypatch.setattr(replica, "DRAIN_EVERY_S", 0.05)
    file()
    kept = replica.replica_of(con)
    assert from_copy(con)["headline"].received == 1
    file()
    deadline = time.monotonic() + 60
    while kept.drains_heard == 0 and time.monotonic() < deadline:      # the drain's own progress
        time.sleep(0.05)
    assert kept.drains_heard >= 1                                       # heard before the view
    assert from_copy(con)["headline"].received == 2


def test_after_a_failed_look_the_next_view_looks_again(con, file, monkeypatch):
    """A look that failed (PostgreSQL went away mid-copy, say) had already heard the commit: the
    next view must look again rather than take the copy for current."""
    file()
    assert from_copy(con)["headline"].received == 1
    file()
    with monkeypatch.context() as patch:
        def broken(*_args):
            raise OSError("server closed the connection unexpectedly")
        patch.setattr(copy_db, "export_changed_complaints", broken)
        assert from_copy(con)["headline"].received == 2          # PostgreSQL itself answered
    copies = replica.replica_of(con).copied
    assert from_copy(con)["headline"].received == 2              # from the copy, looked at again
    assert replica.replica_of(con).copied == copies + 1


def test_a_commit_that_changed_no_copied_row_leaves_the_copy_untouched(con, file, monkeypatch):
    """Migration 020's triggers fire per statement, even one that matched nothing: the copy looks,
    finds nothing to copy, and does not write to itself; the next real change is copied as usual."""
    cid = file()
    assert from_copy(con)["headline"].received == 1
    kept = replica.replica_of(con)
    asked = kept.refreshes
    written = []
    real = copy_db.replace_complaints
    monkeypatch.setattr(copy_db, "replace_complaints", lambda *a: written.append(1) or real(*a))
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET channel = 'api:cm_window' WHERE id = ?", [cid + 1000])
    assert from_copy(con)["channels"][0]["channel"] == "web"
    assert kept.refreshes == asked + 1 and written == []           # looked, and wrote nothing
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET channel = 'api:cm_window' WHERE id = ?", [cid])
    assert from_copy(con)["channels"][0]["channel"] == "api:cm_window"
    assert written == [1]
