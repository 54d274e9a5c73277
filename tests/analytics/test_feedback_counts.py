"""The citizens' answers counted on the complaint row (migration 023), which the analytics page's
feedback figures read: seeded complaints carry the counts of their own answers, and complaints
answered before the migration get theirs from it. (A citizen's answer through the lifecycle:
tests/casework/test_casework.py; the page's figures against pandas over the answers themselves:
tests/ops/test_bench.py.)"""
from __future__ import annotations

import pytest

from lib.db.connect import dialect, migrations, transaction
from lib.ops.seed import seed_complaints

pytestmark = pytest.mark.engines

COUNTS_VERSION = 23
# (complaints, complaints whose counts differ from their answers, answers of each kind in all)
COUNTS_AGAINST_ANSWERS = """
SELECT count(*),
       count(*) FILTER (WHERE coalesce(f.solved, 0) <> c.feedback_solved OR coalesce(f.partly, 0) <> c.feedback_partly
                        OR coalesce(f.not_solved, 0) <> c.feedback_not_solved),
       sum(c.feedback_solved), sum(c.feedback_partly), sum(c.feedback_not_solved)
FROM complaints c LEFT JOIN (
    SELECT complaint_id, count(*) FILTER (WHERE answer = 'solved') AS solved,
           count(*) FILTER (WHERE answer = 'partly') AS partly,
           count(*) FILTER (WHERE answer = 'not_solved') AS not_solved
    FROM feedback GROUP BY complaint_id) f ON f.complaint_id = c.id
"""


def counts_against_answers(con) -> tuple:
    with con.cursor() as cur:
        return tuple(int(v) for v in cur.execute(COUNTS_AGAINST_ANSWERS).fetchone())


def test_seeded_complaints_count_their_own_answers(con):
    seed_complaints(con, 400, random_seed=6)
    complaints, differing, solved, partly, not_solved = counts_against_answers(con)
    assert (complaints, differing) == (400, 0)
    assert min(solved, partly, not_solved) > 0                 # some answers of every kind


def test_the_migration_counts_the_answers_given_before_it(con):
    seed_complaints(con, 300, random_seed=7)
    with transaction(con) as cur:                              # as before version 23
        cur.execute("UPDATE complaints SET feedback_solved = 0, feedback_partly = 0, feedback_not_solved = 0")
    assert counts_against_answers(con)[1] > 0
    sql_file = dict(migrations(dialect(con)))[COUNTS_VERSION]
    with transaction(con) as cur:
        cur.execute(sql_file.read_text(encoding="utf-8"))
    complaints, differing, *_ = counts_against_answers(con)
    assert (complaints, differing) == (300, 0)
