"""Hearing officers and their absences as the admin keeps them in the database: who holds hearings, under
which office rules (lib.hearings.rules), with which title in the SMS, and who stands in on days away."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lib.staff import audit
from lib.core.roles import Role
from lib.db import hearings as hearings_db
from lib.db.staff import users as users_db
from lib.db.connect import retrying, transaction
from lib.hearings.rules import (DEFAULT_RULES, Absence, HearingOfficer, OfficeRules, check_rules, format_windows,
                                parse_windows)
from lib.core.problems import InvalidInput, Problem

IST = ZoneInfo("Asia/Kolkata")
TITLE_MAX = 30                      # the officer's title is an SMS variable (DLT: at most 30 characters)
REASON_MAX = 300
DEMO_DC = "dc_rewari"


def _now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(IST)).astimezone(IST)


def _officer(row: Sequence) -> HearingOfficer:
    (username, title_en, title_hi, working, no_meeting, windows, kept_free, slot_minutes, active) = row
    rules = OfficeRules(frozenset(working or ()), frozenset(no_meeting or ()),
                        tuple(w for text in windows or () for w in parse_windows(text, "windows")),
                        tuple(w for text in kept_free or () for w in parse_windows(text, "kept_free")),
                        slot_minutes)
    return HearingOfficer(username, title_en, title_hi, rules, active)


def officers_in(cur) -> dict[str, HearingOfficer]:
    """Every hearing officer by username, read with the caller's open cursor (a booking checks with it)."""
    return {row[0]: _officer(row) for row in hearings_db.officer_rows(cur)}


def list_officers(con, *, active_only: bool = False) -> list[HearingOfficer]:
    with con.cursor() as cur:
        found = list(officers_in(cur).values())
    return [o for o in found if o.active or not active_only]


def get_officer(con, username: str) -> HearingOfficer | None:
    with con.cursor() as cur:
        return officers_in(cur).get(username)


def _title(problems: list[Problem], name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        problems.append(Problem(name, "error.required"))
    elif len(value) > TITLE_MAX:
        problems.append(Problem(name, "error.too_long", {"max": TITLE_MAX}))
    return value


def set_rules(con, username: str, title_en: str, title_hi: str, rules: OfficeRules, actor: str, *,
              active: bool = True, now: datetime | None = None) -> HearingOfficer:
    """Make `username` (an active DC-office user or department officer) a hearing officer with these
    rules, or change theirs. Audited; InvalidInput with every problem, and nothing stored, otherwise.
    Hearings already booked stay as they are."""
    moment = _now(now)
    problems = check_rules(rules)
    officer = HearingOfficer(username, _title(problems, "title_en", title_en), _title(problems, "title_hi", title_hi),
                             rules, bool(active))
    if problems:
        raise InvalidInput(problems)

    def work() -> HearingOfficer:
        with transaction(con) as cur:
            user = users_db.get_user(cur, username)
            if user is None or not user.active or user.role not in (Role.DC, Role.OFFICER):
                raise InvalidInput(Problem("username", "hearing.not_an_officer"))
            before = officers_in(cur).get(username)
            hearings_db.upsert_officer(
                cur, username, officer.title_en, officer.title_hi, sorted(rules.working_days),
                sorted(rules.no_meeting_days), [str(w) for w in rules.windows], [str(w) for w in rules.kept_free],
                rules.slot_minutes, officer.active, actor, moment)
            audit.record(cur, actor, "hearing_rules.edit", username, f"{_describe(before)} -> {_describe(officer)}",
                         moment)
        return officer
    return retrying(work)


def _describe(officer: HearingOfficer | None) -> str:
    if officer is None:
        return "none"
    r = officer.rules
    return (f"days {sorted(r.working_days)} no-meeting {sorted(r.no_meeting_days)} windows {format_windows(r.windows)}"
            f" kept free {format_windows(r.kept_free)} slot {r.slot_minutes} min active {officer.active}")


def ensure_default_rules(con, username: str = DEMO_DC, *, title_en: str = "Deputy Commissioner, Rewari",
                         title_hi: str = "उपायुक्त, रेवाड़ी") -> bool:
    """Make the DC a hearing officer with the default rules, unless they already are one (their rules are
    then left alone) or no such user exists. True if it added them. For demo databases."""
    with con.cursor() as cur:
        if username in officers_in(cur) or users_db.get_user(cur, username) is None:
            return False
    set_rules(con, username, title_en, title_hi, DEFAULT_RULES, "system")
    return True


def list_absences(con, first_day: date, last_day: date | None = None) -> list[Absence]:
    with con.cursor() as cur:
        rows = hearings_db.absence_rows(cur, first_day, last_day or date.max)
    return [Absence(*row) for row in rows]


def add_absence(con, username: str, first_day: date | None, last_day: date | None, substitute: str | None,
                reason: str, actor: str, *, now: datetime | None = None) -> int:
    """Dates a hearing officer is away, with the officer who holds their hearings meanwhile (or none).
    Hearings already booked on those days are not moved: the DC's office moves them (see the calendar)."""
    moment = _now(now)
    problems = []
    if not isinstance(first_day, date) or not isinstance(last_day, date):
        problems.append(Problem("days", "error.required"))
    elif last_day < first_day:
        problems.append(Problem("days", "hearing.absence_order"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        problems.append(Problem("reason", "error.too_long", {"max": REASON_MAX}))
    if substitute == username:
        problems.append(Problem("substitute", "hearing.substitute_self"))
    if problems:
        raise InvalidInput(problems)
    with transaction(con) as cur:
        officers = officers_in(cur)
        if username not in officers:
            raise InvalidInput(Problem("username", "hearing.not_an_officer"))
        if substitute and (substitute not in officers or not officers[substitute].active):
            raise InvalidInput(Problem("substitute", "hearing.substitute_not_officer"))
        absence_id = hearings_db.insert_absence(cur, username, first_day, last_day, substitute or None,
                                                reason or None, actor, moment)
        audit.record(cur, actor, "hearing_absence.add", username,
                     f"{first_day.isoformat()}..{last_day.isoformat()} substitute {substitute or 'none'}", moment)
    return absence_id


def remove_absence(con, absence_id: int, actor: str) -> None:
    with transaction(con) as cur:
        removed = hearings_db.delete_absence(cur, absence_id)
        if removed is None:
            raise InvalidInput(Problem("absence", "hearing.absence_not_found"))
        username, first_day, last_day = removed
        audit.record(cur, actor, "hearing_absence.remove", username, f"{first_day.isoformat()}..{last_day.isoformat()}")


def titles(officers: Iterable[HearingOfficer], language: str) -> dict[str, str]:
    return {o.username: o.title(language) for o in officers}


def officer_title(cur, username: str, language: str) -> str:
    officer = officers_in(cur).get(username)
    return officer.title(language) if officer else username
