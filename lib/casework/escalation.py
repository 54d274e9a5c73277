"""Escalation: a complaint past its deadline goes up, level by level (department officer -> department
head -> DC), each step once, with an event in its history and an SMS to the officers of the new level.

"Past its deadline by N days" builds on lib.casework.deadlines: the complaint is overdue today, and was
already overdue N days ago by the same rules (its current step's target, or a direction's report-by
date). The office rules (the two delays) are settings the admin edits; the officers' mobiles and who
heads a department are on their accounts (users.mobile, users.head_of), also set by the admin.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from lib.casework import deadlines
from lib.citizen.identity import parse_mobile
from lib.core.complaints import OPEN_STATUSES, Status
from lib.core.i18n import DEFAULT_LANGUAGE, t
from lib.core.lifecycle import CaseEvent
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import Role, User
from lib.db import settings as settings_db, sms as outbox_db
from lib.db.casework import cases as cases_db, escalation as escalation_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.db.scope import complaints_visible_to
from lib.sms import templates
from lib.staff import administration, audit

SYSTEM_ACTOR = "system"
MAX_DAYS = 365
BATCH = 200                      # complaints claimed per transaction
LOST_RACES_MAX = 5               # claims lost to rounds running beside this one, before leaving it to them
SMS_TEMPLATE = "escalated"
SHOWN_MAX = 200                  # escalated complaints listed to one officer


class Level(StrEnum):
    """The levels above the department officer, lowest first (escalations.level)."""
    DEPARTMENT_HEAD = "department_head"
    DC = "dc"


@dataclass(frozen=True)
class EscalationRules:
    """Days past the deadline before a complaint goes to the department head, and to the DC."""
    head_days: int = 3
    dc_days: int = 7


DEFAULT_RULES = EscalationRules()
SETTING_KEYS = {f.name: f"escalation.{f.name}" for f in fields(EscalationRules)}


@dataclass(frozen=True)
class EscalatedCase:
    """A line of an officer's "Escalated to me": the level it is at now, and how long it has been theirs."""
    tracking_no: str
    subject: str
    status: Status
    department_code: str | None
    level: Level                 # the highest level reached (a head's complaint may have gone on to the DC)
    escalated_at: datetime       # when it reached the viewer's level
    days_ago: int


@dataclass(frozen=True)
class OfficerContact:
    username: str
    display_name: str
    role: Role
    department_code: str | None
    is_head: bool
    mobile: str | None


# ---- The office rules (pure checks, then the settings table) ----

def check_rules(rules: EscalationRules) -> list[Problem]:
    problems = []
    for name, value in asdict(rules).items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DAYS:
            problems.append(Problem(name, "escalation.error.days_invalid", {"max": MAX_DAYS}))
    if not problems and rules.dc_days <= rules.head_days:
        problems.append(Problem("dc_days", "escalation.error.dc_after_head"))
    return problems


def rules_from_settings(values: dict[str, str | None]) -> EscalationRules:
    """The rules from stored values; damaged or contradictory values give the defaults."""
    try:
        rules = EscalationRules(**{name: int(values.get(key) or "") for name, key in SETTING_KEYS.items()})
    except ValueError:
        return DEFAULT_RULES
    return DEFAULT_RULES if check_rules(rules) else rules


def get_rules(con) -> EscalationRules:
    with con.cursor() as cur:
        return rules_from_settings({key: settings_db.get(cur, key) for key in SETTING_KEYS.values()})


def set_rules(con, rules: EscalationRules, actor: str) -> None:
    """Store new delays with their audit entry; InvalidInput (nothing stored) unless each is a whole
    number of days from 1 to 365 and the DC's is later than the head's."""
    problems = check_rules(rules)
    if problems:
        raise InvalidInput(problems)

    def write() -> None:
        with transaction(con) as cur:
            administration.check_actor(cur, actor)
            before = rules_from_settings({key: settings_db.get(cur, key) for key in SETTING_KEYS.values()})
            for name, key in SETTING_KEYS.items():
                settings_db.put(cur, key, str(getattr(rules, name)))
            audit.record(cur, actor, "escalation_rules.edit", "escalation", f"{asdict(before)} -> {asdict(rules)}")

    retrying(write)


# ---- Officers' mobiles and department heads (the admin's Escalation tab) ----

def officer_contacts(con) -> list[OfficerContact]:
    with con.cursor() as cur:
        return [OfficerContact(u, n, Role(r), d, bool(h), m) for u, n, r, d, h, m in escalation_db.officer_contacts(cur)]


def set_officer_contact(con, username: str, is_head: bool, mobile_raw: str | None, actor: str) -> None:
    """Mark an officer as the head of their department (or not) and set the mobile escalation SMS go to
    (empty: none). Only officers head a department; DC-office accounts take a mobile only. Audited
    without the number."""
    problems = []
    mobile = None
    if (mobile_raw or "").strip():
        try:
            mobile = parse_mobile(mobile_raw)
        except InvalidInput as exc:
            problems += exc.problems

    def write() -> None:
        with transaction(con) as cur:
            administration.check_actor(cur, actor)
            found = list(problems)
            row = escalation_db.officer_contact(cur, username)
            if row is None or row[0] not in (Role.OFFICER, Role.DC):
                raise InvalidInput(Problem("user", "escalation.error.not_officer"))
            role, department, head_of, old_mobile = row
            if is_head and role != Role.OFFICER:
                found.append(Problem("is_head", "escalation.error.head_officer_only"))
            new_head_of = department if is_head and role == Role.OFFICER else None
            was_head = head_of is not None and head_of == department
            if not found and (bool(is_head), mobile) == (was_head, old_mobile):
                found.append(Problem("user", "admin.error.no_change"))
            if found:
                raise InvalidInput(found)
            escalation_db.set_officer_contact(cur, username, new_head_of, mobile)
            audit.record(cur, actor, "user.escalation_contact", username,
                         f"head_of={new_head_of or '-'}; mobile={'set' if mobile else 'none'}")

    retrying(write)


# ---- The escalation round ----

def escalate_due(con, today: date | None = None, now: datetime | None = None,
                 batch: int = BATCH, between_batches: Callable[[float], bool] | None = None) -> dict[Level, int]:
    """Escalate every open complaint that is far enough past its deadline, the head's level first so
    that one very late complaint goes through both levels in one round. Returns how many complaints
    reached each level in this call. Safe to run in several processes at once (see `_escalate_batch`).

    `between_batches(seconds the batch took)` is called after each full batch; it may pause (the
    portal's background round gives way to page views that way) and returns True to stop the round."""
    now = now or datetime.now(timezone.utc)
    today = today or deadlines.today_in_ist(now)
    targets, rules = deadlines.get_targets(con), get_rules(con)
    done = {}
    for level, days, needs_department, after in ((Level.DEPARTMENT_HEAD, rules.head_days, True, None),
                                                 (Level.DC, rules.dc_days, False, Level.DEPARTMENT_HEAD)):
        with con.cursor() as cur:
            overdue = deadlines.overdue_condition(con, cur, targets, today - timedelta(days=days))
        done[level] = 0
        lost = 0
        while lost < LOST_RACES_MAX:
            started = time.monotonic()
            try:
                reached = retrying(lambda: _escalate_batch(con, level, overdue, now, needs_department, after, batch))
            except ConstraintViolation:
                # DuckDB finds two transactions claiming the same complaint only when the second
                # commits: that one wrote nothing, and its next try skips what the other claimed.
                lost += 1
                continue
            done[level] += reached
            if reached < batch:
                break
            if between_batches is not None and between_batches(time.monotonic() - started):
                return done
    return done


def _escalate_batch(con, level: Level, overdue: tuple[str, list], now: datetime, needs_department: bool,
                    after: Level | None, batch: int) -> int:
    """One transaction: claim up to `batch` complaints for the level (a row of `escalations` each,
    unique per complaint and level, so each is claimed once whatever runs beside this), and write each
    one's event and SMS. Everything or nothing."""
    with transaction(con) as cur:
        claimed = escalation_db.claim_due(cur, overdue, level, now, needs_department=needs_department,
                                          after_level=after, limit=batch)
        officers_of: dict[str | None, list] = {}
        language = DEFAULT_LANGUAGE
        level_name = t(language, f"escalation.sms_level.{level}")
        for complaint_id, tracking_no, department in claimed:
            cases_db.add_event(cur, complaint_id, now, SYSTEM_ACTOR, CaseEvent.ESCALATED, None, None, level, False)
            if department not in officers_of:
                officers_of[department] = (escalation_db.department_heads(cur, department)
                                           if level == Level.DEPARTMENT_HEAD else escalation_db.dc_office(cur))
            for username, mobile in officers_of[department]:
                if not mobile:
                    continue    # the admin has not given this officer a mobile: the queue still shows it
                dlt_id, body = templates.render(SMS_TEMPLATE, language, tracking_no=tracking_no, level=level_name)
                outbox_db.queue_sms(cur, complaint_id=complaint_id, mobile=mobile, language=language,
                                    template=SMS_TEMPLATE, dlt_template_id=dlt_id, body=body,
                                    idempotency_key=f"escalated:{complaint_id}:{level}:{username}",
                                    created_at=now)
        return len(claimed)


# ---- What an officer sees: "Escalated to me" ----

def level_of(con, user: User) -> Level | None:
    """The level whose escalations reach this user: the DC's office, a department's head, or none.
    Read from the users table, not the session (the admin may have changed it a moment ago)."""
    if user.role == Role.DC:
        return Level.DC
    if user.role != Role.OFFICER:
        return None
    with con.cursor() as cur:
        row = escalation_db.officer_contact(cur, user.username)
    if row and row[0] == Role.OFFICER and row[1] and row[2] == row[1]:
        return Level.DEPARTMENT_HEAD
    return None


def escalated_to_me(con, user: User, today: date | None = None) -> list[EscalatedCase]:
    """Open complaints escalated to the user's level (a head: of their department), longest waiting first."""
    level = level_of(con, user)
    if level is None:
        return []
    today = today or deadlines.today_in_ist()
    department = user.department_code if level == Level.DEPARTMENT_HEAD else None
    with con.cursor() as cur:
        rows = escalation_db.escalated_to(cur, level, Level.DC, complaints_visible_to(user), department,
                                          OPEN_STATUSES, SHOWN_MAX)
    return [EscalatedCase(no, subject, Status(status), dept, Level(top), at,
                          max(0, (today - at.astimezone(deadlines.IST).date()).days))
            for no, subject, status, dept, top, at in rows]
