"""Operator commands: reset-demo and add-user (seed has its own tests in test_seed.py)."""
from __future__ import annotations

import getpass

import pytest

from lib.ops import cli
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.db.connect import connect


def query(sql: str):
    con = connect(load_settings({}).database)
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


@pytest.mark.engines
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
@pytest.mark.engines
def test_add_user_refuses_bad_input_and_saves_nothing(portal_env, passwords, capsys, args, typed):
    passwords += typed
    assert cli.main(["add-user", *args]) == 1
    assert "error" in capsys.readouterr().err
    assert query("SELECT count(*) FROM users")[0][0] == 0


@pytest.mark.engines
def test_user_create_makes_a_dc_account_that_can_sign_in(portal_env, passwords, capsys):
    import bcrypt

    from lib.staff import signin

    passwords += ["Upayukt@2026", "Upayukt@2026"]
    assert cli.main(["user", "create", "--username", "dc_clerk", "--name", "DC office clerk", "--role", "dc"]) == 0
    con = connect(load_settings({}).database)
    try:
        stored = signin.credentials(con)["usernames"]["dc_clerk"]
        assert stored["roles"] == ["dc"]
        assert bcrypt.checkpw(b"Upayukt@2026", stored["password"].encode())
    finally:
        con.close()
    assert query("SELECT actor, action, target FROM audit_log") == [("cli", "user.add", "dc_clerk")]


@pytest.mark.engines
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


@pytest.mark.engines
def test_user_commands_refuse_an_unknown_account_and_take_no_password_argument(portal_env, capsys):
    assert cli.main(["user", "set-role", "--username", "nobody", "--role", "dc"]) == 1
    assert "This user does not exist." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["user", "reset-password", "--username", "nobody", "--password", "secret123"])


@pytest.mark.engines
def test_seed_adds_and_fresh_starts_over_keeping_the_keys(portal_env, engine, monkeypatch, capsys):
    if engine == "postgres":            # the test server lets anyone in; the password is only to be hidden
        url = load_settings({}).db_url
        monkeypatch.setenv("ESACHIVALAYA_DB", url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@"))
    settings = load_settings({})
    assert cli.main(["seed", "--complaints", "30"]) == 0
    assert cli.main(["seed", "--complaints", "20"]) == 0
    assert query("SELECT count(*) FROM complaints")[0][0] == 50
    keys = settings.db_path.with_suffix(".keys").read_text()
    assert cli.main(["user", "set-role", "--username", "nobody", "--role", "dc"]) == 1   # opens it as well
    capsys.readouterr()

    assert cli.main(["seed", "--complaints", "30", "--fresh"]) == 0
    out = capsys.readouterr().out
    assert "deleting" in out and "seeded 30 complaints" in out
    assert query("SELECT count(*) FROM complaints")[0][0] == 30
    assert settings.db_path.with_suffix(".keys").read_text() == keys
    if engine == "postgres":            # the address is shown, never its password
        assert settings.db_url.split("/")[-1] in out and "s3cret" in settings.db_url and "s3cret" not in out


def test_seed_gives_duckdb_memory_for_the_complaints_already_there_and_the_new(portal_env, monkeypatch):
    """A second ten million onto a first failed at the portal's 1 GB ("failed to pin block", 1 Dec
    2026): the limit must count the file's complaints as well as those being added."""
    import duckdb

    import lib.ops.seed
    from lib.ops.seed import memory

    assert cli.main(["seed", "--complaints", "30"]) == 0
    monkeypatch.setattr(memory, "SEED_MEMORY_MB_PER_MILLION", 140_000_000)   # 50 complaints: 7,000 MB
    limits, real = [], lib.ops.seed.seed_complaints

    def seeding(con, count, **kwargs):
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real(con, count, **kwargs)

    monkeypatch.setattr(lib.ops.seed, "seed_complaints", seeding)
    assert cli.main(["seed", "--complaints", "20"]) == 0
    expected = duckdb.connect().execute("SET memory_limit = '7000MB'; SELECT current_setting('memory_limit')")
    assert limits == [expected.fetchone()[0]]          # 30 there + 20 new; not 2,800 MB for the 20 alone
    assert query("SELECT count(*) FROM complaints")[0][0] == 50


@pytest.mark.engines
def test_slots_lists_the_dcs_free_slots_on_either_engine(portal_env, capsys):
    from lib.hearings import officers
    from lib.staff import signin

    con = connect(load_settings({}).database)
    try:
        signin.create_demo_users(con)
        officers.ensure_default_rules(con)
    finally:
        con.close()
    assert cli.main(["slots", "--officer", "dc_rewari", "--days", "14", "--json"]) == 0
    assert '"officer": "dc_rewari"' in capsys.readouterr().out


def test_on_postgresql_fresh_is_refused_while_another_session_is_connected(pg_cluster, pg_template, tmp_path,
                                                                            monkeypatch, capsys):
    """The running portal keeps sessions open: dropping its tables from under it would break every page."""
    import psycopg

    url = pg_cluster.database(template=pg_template)
    monkeypatch.setenv("ESACHIVALAYA_DB", url)
    monkeypatch.setenv("ESACHIVALAYA_DATA_DIR", str(tmp_path))
    try:
        assert cli.main(["seed", "--complaints", "5"]) == 0
        with psycopg.connect(url):                   # the portal, say
            assert cli.main(["seed", "--complaints", "5", "--fresh"]) == cli.EXIT_BUSY
            assert cli.main(["reset-demo"]) == cli.EXIT_BUSY
        err = capsys.readouterr().err
        assert "in use by another process" in err and "Traceback" not in err
        assert query("SELECT count(*) FROM complaints")[0][0] == 5
    finally:
        pg_cluster.drop(url)


def test_on_postgresql_backup_and_restore_refuse_rather_than_copy_a_stray_file(tmp_path, monkeypatch, capsys):
    """Backup and restore copy the DuckDB file; on PostgreSQL they must not make or copy one."""
    monkeypatch.setenv("ESACHIVALAYA_DB", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("ESACHIVALAYA_DATA_DIR", str(tmp_path))
    for command in (["backup"], ["restore", str(tmp_path / "none")]):
        assert cli.main(command) == 1
        assert "copy a DuckDB file only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    # A backup is refused too, and the operator is sent to PostgreSQL's own tools in the README.
    assert cli.main(["backup", str(tmp_path / "backups")]) == 1
    refusal = capsys.readouterr().err
    # The same words as the admin page's Backup tab on PostgreSQL: PostgreSQL's tools, the README section.
    assert t("en", "backup.on_postgres") in refusal
    assert "pg_dump" in refusal and "Backups on PostgreSQL" in refusal
    assert list(tmp_path.iterdir()) == []
