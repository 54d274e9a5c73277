"""The hearings calendar: which hearings a user sees, the DC's briefing on today's, and the same hearings as
FullCalendar events and as an iCalendar (.ics) file that calendar programs import."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from lib.core.roles import Role, User
from lib.db import hearings as hearings_db
from lib.db.scope import complaints_visible_to
from lib.core.states import HOLDING, HearingStatus
from lib.hearings.booking import IST, Hearing, hearing_from_row
from lib.core.i18n import t

# Hearings coloured by status (the calendar's legend uses the same).
STATUS_COLOURS = {
    HearingStatus.BOOKED: "#1565c0",
    HearingStatus.ATTENDED: "#2e7d32",
    HearingStatus.NO_SHOW: "#ef6c00",
    HearingStatus.CANCELLED: "#9e9e9e",
    HearingStatus.RESCHEDULED: "#bdbdbd",
}
# FullCalendar's MIT views only (resource and timeline views need a commercial licence).
VIEWS = ("dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek")
ICS_PRODID = "-//DC Office Rewari//e-Sachivalaya hearings//EN"
ICS_DOMAIN = "esachivalaya.rewari"


@dataclass(frozen=True)
class ScheduledHearing:
    """A hearing as the calendar shows it."""
    hearing: Hearing
    tracking_no: str
    complaint_status: str
    category_code: str
    place_lgd: int


@dataclass(frozen=True)
class RelatedComplaint:
    id: int
    tracking_no: str
    filed_at: datetime
    status: str
    category_code: str
    subject: str
    same_family: bool
    same_person: bool
    same_village: bool
    same_mobile: bool = False
    resolved_at: datetime | None = None
    feedback: str | None = None          # the citizen's latest answer (lifecycle.Feedback), if any

    @property
    def citizens_own(self) -> bool:
        """Filed by the same citizen: the same family ID, Aadhaar or mobile (not merely the village)."""
        return self.same_family or self.same_person or self.same_mobile


@dataclass(frozen=True)
class Briefing:
    """One of today's hearings for the DC: the complaint in short, earlier complaints of the same family,
    person or village, and what departments have reported on them."""
    scheduled: ScheduledHearing
    filed_at: datetime
    department_code: str | None
    ward: int | None
    subject: str
    description: str
    related: tuple[RelatedComplaint, ...]
    reports: tuple[tuple[str, str, datetime, str], ...]   # (tracking no, department, filed at, report)


# ---- reading ----

def _day_range(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first_day, time(0), tzinfo=IST),
            datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=IST))


def scheduled_hearings(con, user: User, first_day: date, last_day: date, officer: str | None = None
                       ) -> list[ScheduledHearing]:
    """Hearings on the days, within the user's scope: the DC's office sees every officer's (or the one
    asked for); a department officer only their own."""
    if user.role != Role.DC:
        officer = user.username
    with con.cursor() as cur:
        rows = hearings_db.scheduled(cur, complaints_visible_to(user), officer, *_day_range(first_day, last_day))
    return [ScheduledHearing(hearing_from_row(r), *r[15:19]) for r in rows]


def todays_briefing(con, user: User, day: date, *, related_limit: int = 8) -> list[Briefing]:
    """The day's hearings (not called off) with each complaint in short, earlier complaints of the same
    family ID, Aadhaar or village, and the departments' reports on all of them; all within scope."""
    on = [s for s in scheduled_hearings(con, user, day, day) if s.hearing.status in HOLDING]
    scope = complaints_visible_to(user)
    found = []
    with con.cursor() as cur:
        for s in on:
            row = hearings_db.briefing_complaint(cur, scope, s.hearing.complaint_id)
            if row is None:
                continue
            related = tuple(RelatedComplaint(*r) for r in
                            hearings_db.related_complaints(cur, scope, s.hearing.complaint_id, related_limit))
            numbers = {s.hearing.complaint_id: s.tracking_no, **{r.id: r.tracking_no for r in related}}
            reports = tuple((numbers[cid], dept, filed_at, text)
                            for cid, dept, filed_at, text in hearings_db.reports_of(cur, list(numbers)))
            found.append(Briefing(s, row[1], row[4], row[6], row[7], row[8], related, reports))
    return found


def earlier_complaints(con, user: User, complaint_id: int, limit: int = 20) -> list[RelatedComplaint]:
    """The citizen's own earlier complaints (same family ID, Aadhaar or mobile) with how each ended, within
    the user's scope: what the DC has beside the video room during the hearing."""
    with con.cursor() as cur:
        found = hearings_db.related_complaints(cur, complaints_visible_to(user), complaint_id, limit)
    return [r for r in (RelatedComplaint(*row) for row in found) if r.citizens_own]


# ---- FullCalendar (streamlit-calendar) ----

def calendar_events(hearings: Sequence[ScheduledHearing], language: str, place_names: Mapping[int, str]) -> list[dict]:
    """One event per hearing, with explicit +05:30 times (the component's callbacks speak UTC). The
    title is what the DC needs at a glance in a 10-minute slot: the tracking number and the place
    (the colour tells the status, the list below names the officer)."""
    events = []
    for s in hearings:
        h = s.hearing
        colour = STATUS_COLOURS[h.status]
        events.append({
            "id": str(h.id),
            "title": f"{s.tracking_no} · {place_names.get(s.place_lgd, '—')}",
            "start": h.starts_at.astimezone(IST).isoformat(), "end": h.ends_at.astimezone(IST).isoformat(),
            "backgroundColor": colour, "borderColor": colour,
        })
    return events


def calendar_options(language: str, initial_date: date, initial_view: str = "timeGridWeek") -> dict:
    clock = {"hour": "2-digit", "minute": "2-digit", "hour12": False}
    return {
        "initialView": initial_view if initial_view in VIEWS else "timeGridWeek",
        "initialDate": initial_date.isoformat(),
        "timeZone": "Asia/Kolkata",
        "headerToolbar": {"left": "prev,next today", "center": "title", "right": ",".join(VIEWS)},
        "buttonText": {"today": t(language, "agenda.today"), "month": t(language, "agenda.month"),
                       "week": t(language, "agenda.week"), "day": t(language, "agenda.day"),
                       "list": t(language, "agenda.list")},
        "firstDay": 1, "slotMinTime": "09:00:00", "slotMaxTime": "19:00:00", "allDaySlot": False,
        "eventTimeFormat": clock, "slotLabelFormat": clock, "height": 650, "navLinks": True,
        # The component bundles no FullCalendar locale files; a locale code alone makes FullCalendar
        # format dates with the browser's Intl in that language (Hindi month and day names).
        "locale": "hi-IN" if language == "hi" else "en-IN",
        "dayHeaderFormat": {"weekday": "short", "day": "2-digit", "month": "2-digit"},   # "सोम 07/12"
        "titleFormat": {"day": "2-digit", "month": "2-digit", "year": "numeric"},
        "displayEventEnd": False,        # "15:00 RWR-2026-000123 · Khursaid Nagar", not a cut-off title
    }


def opening_day(hearings: Sequence[ScheduledHearing], today: date) -> date:
    """Where the calendar opens: today if it has a booked hearing, else the next day that has one
    (a calendar opened on an empty week looks as if nothing were booked)."""
    days = sorted({s.hearing.starts_at.astimezone(IST).date() for s in hearings
                   if s.hearing.status == HearingStatus.BOOKED and s.hearing.starts_at.astimezone(IST).date() >= today})
    return days[0] if days else today


def clicked_hearing(state: Mapping | None) -> int | None:
    """The hearing id of an eventClick the component reported, if that is what it reported."""
    if not isinstance(state, Mapping) or state.get("callback") != "eventClick":
        return None
    try:
        return int(state["eventClick"]["event"]["id"])
    except (KeyError, TypeError, ValueError):
        return None


# ---- iCalendar (RFC 5545), written by hand: the icalendar package is only for the tests ----

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space, never splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _local(moment: datetime) -> str:
    return moment.astimezone(IST).strftime("%Y%m%dT%H%M%S")


def hearings_ics(hearings: Sequence[ScheduledHearing], calendar_name: str, language: str,
                 titles: Mapping[str, str], now: datetime) -> str:
    """An .ics of the hearings. Cancelled and moved ones stay in it as STATUS:CANCELLED under the same
    UID, so a calendar that imported them earlier drops them. Only the tracking number and the join
    link go in: no name, mobile or complaint text leaves the portal this way."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ICS_PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(calendar_name)}", "X-WR-TIMEZONE:Asia/Kolkata",
             "BEGIN:VTIMEZONE", "TZID:Asia/Kolkata", "BEGIN:STANDARD", "DTSTART:19700101T000000",
             "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "TZNAME:IST", "END:STANDARD", "END:VTIMEZONE"]
    for s in hearings:
        h = s.hearing
        called_off = h.status not in HOLDING
        description = t(language, "agenda.ics_description", tracking_no=s.tracking_no,
                        officer=titles.get(h.officer, h.officer), join_url=h.join_url)
        lines += ["BEGIN:VEVENT", f"UID:hearing-{h.id}@{ICS_DOMAIN}", f"DTSTAMP:{stamp}",
                  f"DTSTART;TZID=Asia/Kolkata:{_local(h.starts_at)}", f"DTEND;TZID=Asia/Kolkata:{_local(h.ends_at)}",
                  f"SUMMARY:{_escape(t(language, 'agenda.ics_summary', tracking_no=s.tracking_no))}",
                  f"DESCRIPTION:{_escape(description)}", f"LOCATION:{_escape(h.join_url)}", f"URL:{h.join_url}",
                  f"STATUS:{'CANCELLED' if called_off else 'CONFIRMED'}", f"SEQUENCE:{1 if called_off else 0}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
