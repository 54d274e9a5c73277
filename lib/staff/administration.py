"""The IT cell's work: officers' accounts and departments, each change checked and written with its audit entry."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from lib.staff import audit, auth
from lib.core.roles import Role, User
from lib.db import assisted as assisted_db
from lib.db.staff import administration as admin_db, audit as audit_db, users as users_db
from lib.db.connect import ConstraintViolation, retrying, transaction
from lib.core.problems import InvalidInput, Problem, check_text

# The sign-in form lowercases what is typed, so only lowercase usernames can ever sign in.
USERNAME_PATTERN = re.compile(r"[a-z0-9_]{3,32}")
# Actors the histories already use for people without an account; no account may take these names.
CONSOLE_ACTOR = "cli"            # `python -m lib.ops.cli user ...`: whoever holds the database file
RESERVED_USERNAMES = frozenset({CONSOLE_ACTOR, "system", "citizen"})
DISPLAY_NAME_LIMITS = (2, 100)
PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_BYTES = 72          # bcrypt reads no further; lib.auth.hash_password refuses longer
DEPARTMENT_NAME_LIMITS = (2, 150)
CENTRE_NAME_LIMITS = (2, 100)    # an operator's centre, e.g. "CSC Dharuhera" (assisted filing)
OFFICER_TITLE_MAX = 200
ACCOUNT_ROLES = tuple(r for r in Role if r != Role.PUBLIC)
# A dc account opens every complaint and every ID document of the district. It is made, given a
# password or granted only by whoever holds the server (`python -m lib.ops.cli user ...`), so a
# stolen admin session cannot make itself one (issue #10).
CONSOLE_ONLY_ROLES = frozenset({Role.DC})
PAGE_ROLES = tuple(r for r in ACCOUNT_ROLES if r not in CONSOLE_ONLY_ROLES)
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@dataclass(frozen=True)
class NewUser:
    """What the admin typed into the add-user form, unchecked."""
    username: str
    display_name: str
    role: str | None
    department_code: str | None
    password: str
    centre: str = ""                 # operators only: the CSC / SARAL Kendra they file at


@dataclass(frozen=True)
class Department:
    code: str
    name_en: str
    name_hi: str
    officer_title_en: str | None
    officer_title_hi: str | None
    active: bool


@dataclass(frozen=True)
class DepartmentEdit:
    """The department form as submitted: every editable field, unchecked."""
    name_en: str
    name_hi: str
    officer_title_en: str
    officer_title_hi: str
    active: bool


@dataclass(frozen=True)
class AuditEntry:
    happened_at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---- checks (each adds Problems instead of stopping at the first) ----

_text = check_text


def check_password(password: str | None) -> list[Problem]:
    password = password or ""
    if not password:
        return [Problem("password", "error.required")]
    if len(password) < PASSWORD_MIN_CHARS:
        return [Problem("password", "admin.error.password_short", {"min": PASSWORD_MIN_CHARS})]
    if len(password.encode("utf-8")) > PASSWORD_MAX_BYTES:
        return [Problem("password", "admin.error.password_long", {"max": PASSWORD_MAX_BYTES})]
    if password != password.strip():
        # The sign-in form strips what is typed, so such a password could never be used.
        return [Problem("password", "admin.error.password_spaces")]
    return []


def _role(problems: list[Problem], role: str | None) -> Role | None:
    if role not in tuple(ACCOUNT_ROLES):
        problems.append(Problem("role", "admin.error.role_invalid"))
        return None
    return Role(role)


def _department_for_role(problems: list[Problem], cur, role: Role | None, code: str | None) -> str | None:
    """Officers work for exactly one active department; nobody else belongs to one."""
    code = code or None
    if role is None:
        return code
    if role != Role.OFFICER:
        if code is not None:
            problems.append(Problem("department", "admin.error.department_not_allowed"))
        return None
    if code is None:
        problems.append(Problem("department", "admin.error.department_required"))
        return None
    row = admin_db.get_department(cur, code)
    if row is None or not _department(row).active:
        problems.append(Problem("department", "admin.error.department_unknown"))
    return code


# -- assisted filing (issue #15): an operator files at exactly one centre; nobody else has one --
def _centre_for_role(problems: list[Problem], role: Role | None, centre: str | None) -> str | None:
    centre = (centre or "").strip()
    if role is None:
        return centre or None
    if role != Role.OPERATOR:
        if centre:
            problems.append(Problem("centre", "admin.error.centre_not_allowed"))
        return None
    if not centre:
        problems.append(Problem("centre", "admin.error.centre_required"))
        return None
    return _text(problems, "centre", centre, *CENTRE_NAME_LIMITS)


def centres(con) -> dict[str, str]:
    """username -> centre of every operator."""
    with con.cursor() as cur:
        return assisted_db.centres(cur)
# -- end assisted filing --


def check_actor(cur, actor: str) -> None:
    """Only an active admin changes accounts or departments, decided from the users table in the
    change's own transaction: a widget's callback runs before app.py re-reads the user, so an admin
    deactivated a moment ago could otherwise still make one last change."""
    if actor == CONSOLE_ACTOR:
        return
    user = users_db.get_user(cur, actor)
    if user is None or not user.active or user.role != Role.ADMIN:
        raise InvalidInput(Problem("user", "admin.error.not_admin"))


def _console_only(actor: str, role: Role | None, field: str = "role") -> list[Problem]:
    if role in CONSOLE_ONLY_ROLES and actor != CONSOLE_ACTOR:
        return [Problem(field, "admin.error.dc_console_only")]
    return []


def _existing_user(cur, username: str) -> User:
    user = users_db.get_user(cur, username)
    if user is None:
        raise InvalidInput(Problem("user", "admin.error.user_unknown"))
    return user


# ---- users ----

def list_users(con) -> list[User]:
    """Every account, without password hashes (the User record has none)."""
    with con.cursor() as cur:
        return users_db.list_users(cur)


def add_user(con, new: NewUser, actor: str, now: datetime | None = None) -> User:
    """Create an account; InvalidInput lists every problem and nothing is written."""
    problems: list[Problem] = []
    username = (new.username or "").strip()
    if not USERNAME_PATTERN.fullmatch(username):
        problems.append(Problem("username", "admin.error.username_format"))
    elif username in RESERVED_USERNAMES:
        problems.append(Problem("username", "admin.error.username_reserved"))
    display_name = _text(problems, "display_name", new.display_name, *DISPLAY_NAME_LIMITS)
    role = _role(problems, new.role)
    problems += _console_only(actor, role)
    centre = _centre_for_role(problems, role, new.centre)
    password_problems = check_password(new.password)
    problems += password_problems
    # bcrypt is slow on purpose: hash only a password that will be kept, and outside the transaction.
    password_hash = None if problems else auth.hash_password(new.password)

    def write() -> User:
        with transaction(con) as cur:
            check_actor(cur, actor)
            found = list(problems)
            department = _department_for_role(found, cur, role, new.department_code)
            if USERNAME_PATTERN.fullmatch(username) and users_db.get_user(cur, username) is not None:
                found.append(Problem("username", "admin.error.username_taken"))
            if found:
                raise InvalidInput(found)
            user = User(username, display_name, role, department)
            users_db.add_user(cur, user, password_hash, now or _now(), centre)
            audit.record(cur, actor, "user.add", username, f"role={role}; department={department or '-'}", now)
            return user

    try:
        return retrying(write)
    except ConstraintViolation as exc:
        if "duplicate key" not in str(exc).lower():
            raise
        # Another admin added the same username between our check and the insert.
        raise InvalidInput(Problem("username", "admin.error.username_taken")) from None


def set_user_active(con, username: str, active: bool, actor: str, now: datetime | None = None) -> None:
    """Deactivate or reactivate an account. A deactivated user is signed out at their next page
    load, because app.py re-reads the user record on every run."""
    if not active and username == actor:
        # Also keeps the portal from losing its last admin: only an admin can deactivate anyone.
        raise InvalidInput(Problem("user", "admin.error.self_deactivate"))

    def write() -> None:
        with transaction(con) as cur:
            check_actor(cur, actor)
            user = _existing_user(cur, username)
            if user.active == active:
                raise InvalidInput(Problem("user", "admin.error.no_change"))
            users_db.update_user(cur, username, active=active)
            audit.record(cur, actor, "user.reactivate" if active else "user.deactivate", username, None, now)

    retrying(write)


def reset_password(con, username: str, password: str, actor: str, now: datetime | None = None) -> None:
    """Give an account a new password (the old one stops working at once)."""
    problems = check_password(password)
    if problems:
        raise InvalidInput(problems)
    password_hash = auth.hash_password(password)

    def write() -> None:
        with transaction(con) as cur:
            check_actor(cur, actor)
            refused = _console_only(actor, _existing_user(cur, username).role, "password")
            if refused:
                raise InvalidInput(refused)
            users_db.update_user(cur, username, password_hash=password_hash)
            audit.record(cur, actor, "user.reset_password", username, None, now)    # never the password

    retrying(write)


def change_role(con, username: str, role: str | None, department_code: str | None, actor: str,
                now: datetime | None = None, centre: str | None = None) -> User:
    """Move an account to another role, department or (operators) centre."""
    if username == actor:
        # An admin who demoted themself could not undo it, and the portal might be left without one.
        raise InvalidInput(Problem("role", "admin.error.self_role"))

    def write() -> User:
        with transaction(con) as cur:
            check_actor(cur, actor)
            user = _existing_user(cur, username)
            problems: list[Problem] = []
            new_role = _role(problems, role)
            problems += _console_only(actor, new_role)
            department = _department_for_role(problems, cur, new_role, department_code)
            new_centre = _centre_for_role(problems, new_role, centre)
            old_centre = assisted_db.centres(cur).get(username)
            if not problems and (new_role, department, new_centre) == (user.role, user.department_code, old_centre):
                problems.append(Problem("role", "admin.error.no_change"))
            if problems:
                raise InvalidInput(problems)
            users_db.update_user(cur, username, role=new_role, department_code=department, centre=new_centre)
            audit.record(cur, actor, "user.change_role", username,
                         f"role: {user.role} → {new_role}; department: "
                         f"{user.department_code or '-'} → {department or '-'}", now)
            return User(username, user.display_name, new_role, department, user.active)

    return retrying(write)


# ---- departments ----

def _department(row) -> Department:
    return Department(*row[:5], active=bool(row[5]))


def list_departments(con) -> list[Department]:
    """All departments, inactive ones too, by English name."""
    with con.cursor() as cur:
        return [_department(r) for r in admin_db.list_all_departments(cur)]


def edit_department(con, code: str, edit: DepartmentEdit, actor: str,
                    now: datetime | None = None) -> Department:
    """Rename, set Hindi names and the district officer's title, or (de)activate a department.
    An inactive department disappears from the filing form and takes no new officers."""
    problems: list[Problem] = []
    name_en = _text(problems, "name_en", edit.name_en, *DEPARTMENT_NAME_LIMITS)
    name_hi = _text(problems, "name_hi", edit.name_hi, *DEPARTMENT_NAME_LIMITS)
    title_en = _text(problems, "officer_title_en", edit.officer_title_en, 0, OFFICER_TITLE_MAX) or None
    title_hi = _text(problems, "officer_title_hi", edit.officer_title_hi, 0, OFFICER_TITLE_MAX) or None
    # Hindi fields hold what Hindi readers see: an English name typed there by mistake is refused.
    for field, value in (("name_hi", name_hi), ("officer_title_hi", title_hi)):
        if value and not any(p.field == field for p in problems) and not DEVANAGARI.search(value):
            problems.append(Problem(field, "admin.error.hindi_script"))
    updated = Department(code, name_en, name_hi, title_en, title_hi, bool(edit.active))

    def write() -> Department:
        with transaction(con) as cur:
            check_actor(cur, actor)
            row = admin_db.get_department(cur, code)
            if row is None:
                raise InvalidInput(Problem("department", "admin.error.department_unknown"))
            found = list(problems)
            if name_en and admin_db.department_named(cur, name_en, code):
                found.append(Problem("name_en", "admin.error.department_name_taken"))
            before = _department(row)
            # The trail names the fields changed, not what was typed into them (codes only, no free text).
            changes = [field for field in ("name_en", "name_hi", "officer_title_en", "officer_title_hi", "active")
                       if getattr(before, field) != getattr(updated, field)]
            if not found and not changes:
                found.append(Problem("department", "admin.error.no_change"))
            if found:
                raise InvalidInput(found)
            admin_db.update_department(cur, code, name_en=name_en, name_hi=name_hi, officer_title_en=title_en,
                                       officer_title_hi=title_hi, active=updated.active)
            audit.record(cur, actor, "department.edit", code, "changed: " + ", ".join(changes), now)
            return updated

    return retrying(write)


# ---- audit trail ----

def recent_audit(con, limit: int = 200) -> list[AuditEntry]:
    """The newest entries of the audit trail, newest first."""
    with con.cursor() as cur:
        return [AuditEntry(*row) for row in audit_db.recent(cur, limit)]
