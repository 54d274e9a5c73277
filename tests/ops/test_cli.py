"""Operator commands: reset-demo and add-user (seed has its own tests in test_seed.py)."""
from __future__ import annotations

import getpass

import pytest

from lib.ops import cli
from lib.core.config import load_settings
from lib.db.connect import connect


def query(sql: str):
    con = connect(load_settings({}).db_path)
    try:
        with con.cursor() as cur:
            return cur.execute(sql).fetchall()
    finally:
        con.close()


def test_reset_demo_builds_a_demo_database_with_accounts(portal_env, capsys):
    assert cli.main(["reset-demo"]) == 0
    assert query("SELECT count(*) FROM complaints")[0][0] == 3000
    assert ("dc_rewari",) in query("SELECT username FROM users")
    # Running it again starts over rather than adding to the old data.
    assert cli.main(["reset-demo"]) == 0
    assert query("SELECT count(*) FROM complaints")[0][0] == 3000


@pytest.fixture
def passwords(monkeypatch):
    answers: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    return answers


def test_add_user_creates_the_first_admin(portal_env, passwords, capsys):
    passwords += ["a long secret 1", "a long secret 1"]
    assert cli.main(["add-user", "--username", "it_cell", "--name", "IT Cell", "--role", "admin"]) == 0
    assert query("SELECT username, role, active FROM users") == [("it_cell", "admin", True)]


@pytest.mark.parametrize("args, typed", [
    (["--username", "it_cell", "--name", "IT Cell", "--role", "admin"], ["one password", "another one"]),
    (["--username", "it_cell", "--name", "IT Cell", "--role", "admin"], ["short", "short"]),
    (["--username", "Bad Name!", "--name", "IT Cell", "--role", "admin"], ["a long secret 1"] * 2),
    (["--username", "xen_phed", "--name", "XEN", "--role", "officer"], ["a long secret 1"] * 2),  # no department
])
def test_add_user_refuses_bad_input_and_saves_nothing(portal_env, passwords, capsys, args, typed):
    passwords += typed
    assert cli.main(["add-user", *args]) == 1
    assert "error" in capsys.readouterr().err
    assert query("SELECT count(*) FROM users")[0][0] == 0


def test_user_create_makes_a_dc_account_that_can_sign_in(portal_env, passwords, capsys):
    import bcrypt

    from lib.staff import signin

    passwords += ["Upayukt@2026", "Upayukt@2026"]
    assert cli.main(["user", "create", "--username", "dc_clerk", "--name", "DC office clerk", "--role", "dc"]) == 0
    con = connect(load_settings({}).db_path)
    try:
        stored = signin.credentials(con)["usernames"]["dc_clerk"]
        assert stored["roles"] == ["dc"]
        assert bcrypt.checkpw(b"Upayukt@2026", stored["password"].encode())
    finally:
        con.close()
    assert query("SELECT actor, action, target FROM audit_log") == [("cli", "user.add", "dc_clerk")]


def test_user_reset_password_and_set_role_read_the_password_from_stdin(portal_env, passwords, monkeypatch):
    import io

    import bcrypt

    passwords += ["a long secret 1", "a long secret 1"]
    assert cli.main(["user", "create", "--username", "planner", "--name", "Planner", "--role", "analyst"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Naya@Password9\n"))
    assert cli.main(["user", "reset-password", "--username", "planner", "--password-stdin"]) == 0
    assert cli.main(["user", "set-role", "--username", "planner", "--role", "dc"]) == 0
    [(role, stored)] = query("SELECT role, password_hash FROM users")
    assert role == "dc" and bcrypt.checkpw(b"Naya@Password9", stored.encode())
    assert [a for a, in query("SELECT action FROM audit_log ORDER BY id")] == [
        "user.add", "user.reset_password", "user.change_role"]


def test_user_commands_refuse_an_unknown_account_and_take_no_password_argument(portal_env, capsys):
    assert cli.main(["user", "set-role", "--username", "nobody", "--role", "dc"]) == 1
    assert "This user does not exist." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["user", "reset-password", "--username", "nobody", "--password", "secret123"])


def test_on_postgresql_the_commands_refuse_rather_than_open_a_stray_file(tmp_path, monkeypatch, capsys):
    """Until the command line is ported (issue #13) it must not write a DuckDB file beside the keys."""
    monkeypatch.setenv("ESACHIVALAYA_DB", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("ESACHIVALAYA_DATA_DIR", str(tmp_path))
    assert cli.main(["reset-demo"]) == 1
    assert "DuckDB file only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    # A backup is refused too, and the operator is sent to PostgreSQL's own tools in the README.
    assert cli.main(["backup", str(tmp_path / "backups")]) == 1
    refusal = capsys.readouterr().err
    assert "pg_dump" in refusal and "Scaling out" in refusal
    assert list(tmp_path.iterdir()) == []
