"""The load command's report: stalls (seconds in which no page view finished) are found where they are."""
from __future__ import annotations

import csv

from lib.ops import load_report
from lib.ops.load_views import Step, View


def step_with_ends(ends: list[float], *, steady_from: float = 100.0, steady_until: float = 160.0) -> Step:
    step = Step(citizens=10, officers=1, steady_from=steady_from, steady_until=steady_until)
    step.views = [View("track_complaint", 0.1, ended_at=end) for end in ends]
    return step


def test_a_gap_of_seconds_between_views_is_a_stall_and_the_longest_comes_first():
    # Views every half second, then nothing from 110.0 to 114.5, then again; another 2.5 s gap later.
    ends = [100.0 + i / 2 for i in range(21)] + [114.5 + i / 2 for i in range(21)] + [127.5, 128.0]
    step = step_with_ends(ends)
    assert load_report.stalls(step) == [{"at_s": 10.0, "s": 4.5}, {"at_s": 24.5, "s": 3.0}]
    summary = load_report.summarise(step, 60.0)
    assert summary["longest_stall_s"] == 4.5
    assert summary["stalls"][0] == {"at_s": 10.0, "s": 4.5}
    step.unix_offset = 1_764_500_000.0          # a stall at_s after steady_from_unix, on the wall clock
    assert load_report.summarise(step, 60.0)["steady_from_unix"] == 1_764_500_100.0


def test_steady_views_have_no_stall_and_the_ramp_and_failed_connections_do_not_count():
    ends = [100.0 + i / 2 for i in range(121)]                   # every half second, the whole minute
    step = step_with_ends([50.0, 60.0] + ends)                    # two views during the ramp: ignored
    step.views.append(View("connect", 0.0, "OSError: refused", ended_at=130.0))
    assert load_report.stalls(step) == []
    assert load_report.summarise(step, 60.0)["longest_stall_s"] == 0.0


def test_a_silent_start_is_a_stall_too():
    step = step_with_ends([103.0, 103.5, 104.0])
    assert load_report.stalls(step) == [{"at_s": 0.0, "s": 3.0}]


def test_every_view_can_be_written_out_with_when_it_ended_after_the_ramp(tmp_path):
    first = step_with_ends([99.0, 100.25])
    second = Step(citizens=20, officers=2, steady_from=200.0, steady_until=260.0)
    second.views = [View("queue", 1.5, ended_at=201.5), View("connect", 0.0, "OSError: refused", ended_at=200.5)]
    path = tmp_path / "views.csv"
    load_report.write_views([first, second], path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows == [["citizens", "page", "ms", "ended_s", "error"],
                    ["10", "track_complaint", "100.0", "-1.0", ""], ["10", "track_complaint", "100.0", "0.25", ""],
                    ["20", "connect", "0.0", "0.5", "OSError: refused"], ["20", "queue", "1500.0", "1.5", ""]]
