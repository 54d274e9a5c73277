"""PostgreSQL only: dispatchers in different processes share the outbox. A claim in progress is
passed over, not waited for (FOR UPDATE SKIP LOCKED), and every message is sent exactly once."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from lib.core.states import SmsStatus
from lib.db import sms as outbox_db
from lib.db.connect import transaction
from lib.sms import dispatcher
from tests.conftest import PROJECT_DIR
from tests.sms.test_sms_dispatch import T0, queue_message

pytestmark = pytest.mark.parametrize("engine", ["postgres"], indirect=True)


def test_a_claim_in_progress_is_passed_over_not_waited_for(con):
    ids = [queue_message(con, f"skip:{i}") for i in range(8)]
    lease = T0.replace(hour=11)
    with transaction(con) as first:
        mine = [r[0] for r in outbox_db.claim_due(first, now=T0, claimed_until=lease, limit=4)]
        with transaction(con) as second:             # another session, while the first is still open
            second.execute("SET LOCAL lock_timeout = '2s'")    # waiting would fail the test, not hang it
            theirs = [r[0] for r in outbox_db.claim_due(second, now=T0, claimed_until=lease, limit=4)]
    assert sorted(mine) == ids[:4] and sorted(theirs) == ids[4:]     # the oldest four, then the next
    with con.cursor() as cur:                          # both claims held after commit: nothing left due
        assert outbox_db.claim_due(cur, now=T0, claimed_until=lease, limit=10) == []


CHILD = """
import sys
sys.path.insert(0, {project!r})
from datetime import datetime, timezone
from pathlib import Path
from lib.db.connect import connect
from lib.sms.dispatcher import dispatch_due
from lib.sms.gateways import GatewayResult

class FileGateway:
    adapter, host, timeout_s = "test", "", 1.0
    def __init__(self, path):
        self.out = open(path, "a", encoding="utf-8")
    def send(self, message):
        self.out.write(message.idempotency_key + "\\n")
        self.out.flush()
        return GatewayResult(message_id="gw-" + message.idempotency_key)

con = connect({url!r})
gateway = FileGateway({sent!r})
print("ready", flush=True)
sys.stdin.readline()                       # both processes start dispatching together
now = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
while dispatch_due(con, gateway, now=now, batch=3).claimed:
    pass
con.close()
"""


def test_two_dispatcher_processes_send_each_message_exactly_once(con, settings, tmp_path):
    keys = [f"proc:{i}" for i in range(40)]
    for key in keys:
        queue_message(con, key)
    children = []
    for n in range(2):
        script = CHILD.format(project=str(PROJECT_DIR), url=settings.db_url, sent=str(tmp_path / f"sent{n}.txt"))
        children.append(subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True))
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        assert child.wait(120) == 0
    sent = [line for n in range(2) for line in (tmp_path / f"sent{n}.txt").read_text().splitlines()]
    assert Counter(sent) == Counter(keys)                   # each once, none missing
    assert dispatcher.outbox_counts(con)[SmsStatus.SENT] == len(keys)
