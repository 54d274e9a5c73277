"""The process's shared connection (lib/ops/startup.py) belongs to one database, on either engine."""
from __future__ import annotations

from lib.core.config import load_settings
from lib.ops import startup


def test_two_postgresql_databases_with_one_data_folder_get_their_own_connections(pg_cluster, pg_template, tmp_path):
    """With PostgreSQL the keys' folder (db_path) may be the same for two databases; the address decides."""
    first, second = (pg_cluster.database(template=pg_template) for _ in range(2))
    try:
        opened = [startup.portal_database(load_settings({}, env={"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DEMO": "0",
                                                                 "ESACHIVALAYA_DATA_DIR": str(tmp_path)}))
                  for url in (first, second)]
        try:
            assert [con.url for con in opened] == [first, second]
        finally:
            for con in opened:
                startup.release_portal_database(con)
    finally:
        pg_cluster.drop(first)
        pg_cluster.drop(second)
