"""The tests' PostgreSQL server: a throwaway one (lib/ops/pg_server.py, shared with `make run-cluster`),
or ESACHIVALAYA_TEST_PG's when that is set."""
from __future__ import annotations

import os

from lib.ops import pg_server
from lib.ops.pg_server import postgres_bin  # noqa: F401  (tests find initdb through here)


class Cluster(pg_server.Cluster):
    @classmethod
    def start(cls, configured: str | None = None) -> Cluster:
        return super().start(configured or os.environ.get("ESACHIVALAYA_TEST_PG"))
