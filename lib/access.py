"""Who may open which screen: the one table app.py's navigation and every page's guard both read."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"        # a citizen, no account
    DC = "dc"
    OFFICER = "officer"
    ANALYST = "analyst"
    ADMIN = "admin"


class PageName(StrEnum):
    """Page files are pages/<name>.py and their URL is /<name>, so a deep link names the file."""
    FILE_COMPLAINT = "file_complaint"
    TRACK_COMPLAINT = "track_complaint"


PUBLIC_PAGES = (PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT)

PAGES_BY_ROLE: dict[Role, tuple[PageName, ...]] = {
    Role.PUBLIC: PUBLIC_PAGES,
    Role.DC: PUBLIC_PAGES,
    Role.OFFICER: PUBLIC_PAGES,
    Role.ANALYST: PUBLIC_PAGES,
    Role.ADMIN: PUBLIC_PAGES,
}


def pages_for(role: str | None) -> tuple[PageName, ...]:
    try:
        return PAGES_BY_ROLE[Role(role or Role.PUBLIC)]
    except ValueError:
        return PAGES_BY_ROLE[Role.PUBLIC]


def can_open(role: str | None, page: str) -> bool:
    return page in pages_for(role)
