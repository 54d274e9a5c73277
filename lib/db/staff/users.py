"""SQL for officers' accounts, their sign-in session versions, failed sign-ins and revoked sign-in cookies."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.core.roles import Role, User
from lib.db.connect import fetch_one, fetch_value

USER_COLUMNS = "username, display_name, role, department_code, active"


def _user(row) -> User:
    return User(username=row[0], display_name=row[1], role=Role(row[2]), department_code=row[3], active=row[4])


def get_user(cur: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = fetch_one(cur, f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", [username])
    return _user(row) if row else None


def get_user_session(cur: duckdb.DuckDBPyConnection, username: str) -> tuple[User, int] | None:
    """The user and their session version, read together (one row, one moment)."""
    row = fetch_one(cur, f"SELECT {USER_COLUMNS}, session_version FROM users WHERE username = ?", [username])
    return (_user(row), row[5]) if row else None


def list_users(cur: duckdb.DuckDBPyConnection) -> list[User]:
    return [_user(r) for r in cur.execute(f"SELECT {USER_COLUMNS} FROM users ORDER BY role, username").fetchall()]


def sign_in_credentials(cur: duckdb.DuckDBPyConnection) -> dict:
    """Active users in the shape streamlit-authenticator reads (a fresh dict: it mutates it)."""
    rows = cur.execute(
        "SELECT username, display_name, role, password_hash, session_version FROM users WHERE active").fetchall()
    # session_version comes from the same row as the hash: a sign-in carries the version its
    # password was checked against, so a reset a moment later still ends it.
    return {"usernames": {u: {"name": name, "password": pw, "roles": [role], "email": None, "session_version": v}
                          for u, name, role, pw, v in rows}}


def add_user(cur: duckdb.DuckDBPyConnection, user: User, password_hash: str, now: datetime,
             centre: str | None = None) -> None:
    """`centre`: an operator's (assisted filing), required for them and for nobody else."""
    cur.execute(
        "INSERT INTO users (username, display_name, role, department_code, password_hash, active, created_at, centre)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [user.username, user.display_name, user.role, user.department_code, password_hash, user.active, now, centre])


def update_user(cur: duckdb.DuckDBPyConnection, username: str, *, display_name: str | None = None,
                role: str | None = None, department_code: str | None = None, active: bool | None = None,
                password_hash: str | None = None, centre: str | None = None) -> None:
    """Change some of a user's fields. department_code and centre are written whenever role is
    (officers need the one, operators the other).

    A new password, role, department or active state also raises the session version, which ends
    every sign-in of this user at once (their sessions and cookies carry the old version); a
    reactivated user starts afresh with none of the old ones.
    """
    sets, params = [], []
    for column, value in (("display_name", display_name), ("active", active), ("password_hash", password_hash)):
        if value is not None:
            sets.append(f"{column} = ?")
            params.append(value)
    if role is not None:
        sets += ["role = ?", "department_code = ?", "centre = ?"]
        params += [role, department_code, centre]
    if active is not None or password_hash is not None or role is not None:
        sets.append("session_version = session_version + 1")
    if sets:
        cur.execute(f"UPDATE users SET {', '.join(sets)} WHERE username = ?", [*params, username])


def count_failures(cur: duckdb.DuckDBPyConnection, key: str, since: datetime) -> int:
    return fetch_value(cur, "SELECT count(*) FROM login_failures WHERE attempt_key = ? AND failed_at >= ?", [key, since])


def username_failures(cur: duckdb.DuckDBPyConnection, username: str, since: datetime) -> tuple[int, datetime | None]:
    """Failures for this username from every client since `since`: (how many, the latest)."""
    return fetch_one(cur, "SELECT count(*), max(failed_at) FROM login_failures WHERE username = ? AND failed_at >= ?",
                     [username, since])


def record_failure(cur: duckdb.DuckDBPyConnection, key: str, username: str, now: datetime) -> None:
    cur.execute("INSERT INTO login_failures (attempt_key, username, failed_at) VALUES (?, ?, ?)", [key, username, now])


def record_sign_in_client(cur: duckdb.DuckDBPyConnection, username: str, client: str, now: datetime) -> None:
    cur.execute("INSERT INTO sign_in_clients (username, client, last_success_at) VALUES (?, ?, ?)"
                " ON CONFLICT (username, client) DO UPDATE SET last_success_at = excluded.last_success_at",
                [username, client, now])


def is_known_client(cur: duckdb.DuckDBPyConnection, username: str, client: str, since: datetime) -> bool:
    return bool(fetch_value(cur, "SELECT count(*) FROM sign_in_clients WHERE username = ? AND client = ?"
                                 " AND last_success_at >= ?", [username, client, since]))


def clear_failures(cur: duckdb.DuckDBPyConnection, key: str) -> None:
    cur.execute("DELETE FROM login_failures WHERE attempt_key = ?", [key])


def revoke_token(cur: duckdb.DuckDBPyConnection, username: str, expires: float, now: datetime) -> None:
    cur.execute("INSERT INTO revoked_tokens (username, expires, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [username, expires, now])


def is_token_revoked(cur: duckdb.DuckDBPyConnection, username: str, expires: float) -> bool:
    return bool(fetch_value(cur, "SELECT count(*) FROM revoked_tokens WHERE username = ? AND expires = ?",
                            [username, expires]))
