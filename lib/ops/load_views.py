"""A page view and a step of the load command, as measured."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class View:
    page: str
    seconds: float
    error: str | None = None


@dataclass
class Step:
    citizens: int
    officers: int
    views: list[View] = field(default_factory=list)
    rss_mb: float = 0.0
    cpu_percent: float = 0.0
    wall_s: float = 0.0


class ViewFailed(Exception):
    pass
