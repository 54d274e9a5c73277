"""Escalation in the background of the portal's process, like the SMS dispatcher: a round at start and
then every few minutes. Each round is safe beside other processes and the cron command
(`python -m lib.ops.cli escalate`): a level is claimed once per complaint (lib.casework.escalation)."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping

from lib.casework import escalation
from lib.db import sms as outbox_db

log = logging.getLogger(__name__)

ESCALATION_ENV = "ESACHIVALAYA_ESCALATION"      # "0" keeps the background escalation off (tests, cron only)
DEFAULT_INTERVAL_S = 900.0                       # deadlines move by the day: a quarter of an hour is prompt
# Between two batches of a round the thread waits this many times as long as the batch took, so a
# big backlog (the first round on a district's years of complaints: hundreds of thousands overdue)
# takes at most a quarter of the process's time, and citizens' pages keep the rest. Profiled on
# 30 November 2026: without the pause the first round at 1M complaints took ~30 % of the samples of
# a portal under 100 citizens and their pages waited seconds.
YIELD_FACTOR = 3.0


def run_escalation_forever(con_factory: Callable, interval_s: float, stop_event: threading.Event) -> None:
    """Rounds of escalate_due, the first at once, until `stop_event` is set. A failing round is logged
    and tried again after the interval; a closed connection (the process is stopping) ends the loop."""
    def give_way(seconds: float) -> bool:
        return stop_event.wait(YIELD_FACTOR * seconds)

    while not stop_event.is_set():
        try:
            done = escalation.escalate_due(con_factory(), between_batches=give_way)
        except outbox_db.ConnectionClosed:
            log.info("escalation stops: the database connection is closed")
            return
        except Exception:
            log.exception("escalation round failed; trying again in %g s", interval_s)
        else:
            if any(done.values()):
                log.info("escalated %s", ", ".join(f"{n} to {level}" for level, n in done.items()))
        if stop_event.wait(interval_s):
            return


class EscalationThread(threading.Thread):
    def __init__(self, con_factory: Callable, interval_s: float):
        self.stop_event = threading.Event()
        super().__init__(name="escalation", daemon=True, target=run_escalation_forever,
                         args=(con_factory, interval_s, self.stop_event))

    def stop(self, timeout_s: float | None = 5) -> None:
        self.stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout_s)


def start_background_escalation(con, secrets: Mapping | None,
                                env: Mapping[str, str] = os.environ) -> EscalationThread | None:
    """Start this process's escalation thread over its one connection. None when switched off:
    ESACHIVALAYA_ESCALATION=0 or [escalation] background = false; [escalation] interval_s sets the pause.
    A bad interval raises ValueError here, at start-up."""
    table = dict((secrets or {}).get("escalation") or {})
    interval_s = float(table.get("interval_s", DEFAULT_INTERVAL_S))
    if interval_s <= 0:
        raise ValueError("[escalation] interval_s must be above 0")
    if str(env.get(ESCALATION_ENV, "1")).lower() in ("0", "false", "no") or table.get("background", True) is False:
        log.info("background escalation is off; run `python -m lib.ops.cli escalate` from cron")
        return None
    thread = EscalationThread(lambda: con, interval_s)
    thread.start()
    log.info("background escalation started (every %g s)", interval_s)
    return thread
