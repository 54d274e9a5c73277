"""Who may open which screen: the one table app.py's navigation and every page's guard both read."""
from __future__ import annotations

from enum import StrEnum

from lib.core.roles import Role

class PageName(StrEnum):
    """Page files are pages/<name>.py and their URL is /<name>, so a deep link names the file."""
    HOME = "home"
    FILE_COMPLAINT = "file_complaint"
    TRACK_COMPLAINT = "track_complaint"
    SIGN_IN = "sign_in"
    QUEUE = "queue"
    COMPLAINT_DETAIL = "complaint_detail"
    OVERDUE = "overdue"
    ADMIN = "admin"
    ANALYTICS = "analytics"
    CALENDAR = "calendar"
    SMS_OUTBOX = "sms_outbox"
    HELP = "help"
    CONTACT = "contact"
    ACCESSIBILITY = "accessibility"
    FILED_BY_ME = "filed_by_me"      # the CSC operator's filings (issue #15)
    APPEALS = "appeals"              # the appellate officer's queue (issue #15)


# The first page of each role is where `home` and signing in send it.
PAGES_BY_ROLE: dict[Role, tuple[PageName, ...]] = {
    Role.PUBLIC: (PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT, PageName.SIGN_IN),
    # The DC's office also files complaints for citizens who walk in.
    Role.DC: (PageName.QUEUE, PageName.COMPLAINT_DETAIL, PageName.CALENDAR, PageName.OVERDUE,
              PageName.ANALYTICS, PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT),
    Role.OFFICER: (PageName.QUEUE, PageName.COMPLAINT_DETAIL, PageName.CALENDAR, PageName.OVERDUE),
    Role.ANALYST: (PageName.ANALYTICS,),
    Role.ADMIN: (PageName.ADMIN, PageName.SMS_OUTBOX),
    # A CSC operator files on the citizens' form (in its assisted mode) and sees only what they filed;
    # never the queue, a complaint's page or its ID document (issue #15).
    Role.OPERATOR: (PageName.FILE_COMPLAINT, PageName.FILED_BY_ME),
    # The appellate officer decides appeals, reading each complaint there (issue #15).
    Role.APPELLATE: (PageName.APPEALS,),
}
SIGNED_IN_ROLES = (Role.DC, Role.OFFICER, Role.ANALYST, Role.ADMIN, Role.OPERATOR,
                   Role.APPELLATE)  # operator and appellate: issue #15
# Help, contact and the accessibility statement (GIGW 3.0) are for everyone, signed in or not.
EVERYONES_PAGES = (PageName.HELP, PageName.CONTACT, PageName.ACCESSIBILITY)
PAGES_BY_ROLE = {role: pages + EVERYONES_PAGES for role, pages in PAGES_BY_ROLE.items()}
# Hidden from the menu but reachable. `home` is every role's default page, served at "/": it only
# sends the user on to their first page. (Streamlit serves the default page at "/" alone, so a
# bookmark of the default page's own URL would say "Page not found"; with `home` as the default,
# every real page keeps a working URL.) Signed-in roles also keep the sign-in page: the run right
# after signing in is still on it, and it sends the officer on to their first page.
HIDDEN_PAGES = {Role.PUBLIC: (PageName.HOME,),
                **{role: (PageName.HOME, PageName.SIGN_IN) for role in SIGNED_IN_ROLES}}


def hidden_pages_for(role: str | None) -> tuple[PageName, ...]:
    try:
        return HIDDEN_PAGES.get(Role(role or Role.PUBLIC), ())
    except ValueError:
        return ()


def pages_for(role: str | None) -> tuple[PageName, ...]:
    try:
        return PAGES_BY_ROLE[Role(role or Role.PUBLIC)]
    except ValueError:
        return PAGES_BY_ROLE[Role.PUBLIC]


def can_open(role: str | None, page: str) -> bool:
    return page in pages_for(role) or page in hidden_pages_for(role)
