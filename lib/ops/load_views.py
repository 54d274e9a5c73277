"""A page view and a step of the load command, as measured."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class View:
    page: str
    seconds: float
    error: str | None = None
    ended_at: float = field(default_factory=time.monotonic)     # made as the view ends


@dataclass
class Step:
    citizens: int
    officers: int
    views: list[View] = field(default_factory=list)
    rss_mb: float = 0.0
    cpu_percent: float = 0.0
    wall_s: float = 0.0
    steady_from: float = 0.0         # time.monotonic() when the ramp ended
    steady_until: float = 0.0        # and when the step stopped starting views
    unix_offset: float = 0.0         # time.time() - time.monotonic(): to match stalls with the server's logs


class ViewFailed(Exception):
    pass
