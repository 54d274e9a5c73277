"""Command line for the portal's operators: seed, reset-demo, user, backup, restore, slots, escalate (`python -m lib.ops.cli --help`)."""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from lib.core.config import Settings, db_url_from_env, load_settings
from lib.core.i18n import t
from lib.core.problems import InvalidInput
from lib.staff.access import SIGNED_IN_ROLES
from lib.db.connect import DatabaseBusy, connect, empty_database, is_new_database, set_memory_limit, transaction
from lib.db.reference import load_reference_data

EXIT_BUSY = 2
# Commands that copy the database file itself; every other one works on either engine.
DUCKDB_FILE_COMMANDS = ("backup", "restore")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if db_url_from_env() and args.command in DUCKDB_FILE_COMMANDS:
        # These copy the database file; on PostgreSQL they would copy a stray DuckDB file.
        # The admin page's Backup tab says the same (one catalog text), in the admin's language.
        print("error: backup and restore copy a DuckDB file only; ESACHIVALAYA_DB names a PostgreSQL"
              f" database. {t('en', 'backup.on_postgres')}", file=sys.stderr)
        return 1
    try:
        return args.run(args)
    except DatabaseBusy as exc:
        # Expected while the portal runs: a plain message, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.ops.cli",
        description="e-Sachivalaya Rewari: operator commands on the database named by ESACHIVALAYA_DB.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seed = commands.add_parser("seed", help="add fictional demo complaints (with history and SMS)")
    seed.add_argument("--complaints", type=positive_int, required=True, metavar="N",
                      help="how many complaints to add")
    seed.add_argument("--fresh", action="store_true",
                      help="delete the database and uploaded files first (the .keys file is kept)")
    seed.set_defaults(run=run_seed)

    reset = commands.add_parser("reset-demo", help="start again from a fresh demo database "
                                "(deletes the database and uploads; keeps the keys)")
    reset.set_defaults(run=run_reset_demo)

    add_user_commands(commands)

    backup = commands.add_parser("backup", help="copy the database and the encrypted uploads into a new "
                                 "folder named by the time (IST); not the keys, keep those separately")
    backup.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                        help="where to put the backup folder (default: ESACHIVALAYA_BACKUP_DIR, "
                        "else backups/ beside the database)")
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser("restore", help="replace the database and uploads with a backup folder, "
                                  "after checking it; only while the portal is stopped")
    restore.add_argument("dir", type=Path, metavar="DIR", help="the backup folder (the one with manifest.json)")
    restore.set_defaults(run=run_restore)

    slots = commands.add_parser("slots", help="the free hearing slots of an officer over the next days "
                                "(times in IST, +05:30)")
    slots.add_argument("--officer", required=True, metavar="USERNAME", help="a hearing officer, e.g. dc_rewari")
    slots.add_argument("--days", type=positive_int, default=7, metavar="N", help="how many days ahead (default 7)")
    slots.add_argument("--json", action="store_true", help="one JSON object per slot and line, for scripts")
    slots.set_defaults(run=run_slots)

    # ---- escalation (issue #15) ----
    escalate = commands.add_parser("escalate", help="escalate complaints past their deadline (department head, "
                                   "then DC) now; safe to run from cron beside the portal's own rounds")
    escalate.set_defaults(run=run_escalate)
    return parser


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def run_seed(args: argparse.Namespace) -> int:
    from tqdm import tqdm                  # only this command draws a progress bar
    from lib.db.ops import seed as seed_db
    from lib.ops.seed import seed_complaints   # Faker is only needed here
    from lib.ops.seed.memory import seed_memory_limit

    settings = load_settings()
    if args.fresh:
        delete_database(settings)
    con = connect(settings.database)
    try:
        with transaction(con) as cur:
            load_reference_data(cur)
            existing = seed_db.complaint_count(cur)
        # The keys' indexes of the whole file, old complaints and new, must fit at each commit.
        set_memory_limit(con, seed_memory_limit(existing + args.complaints))
        started = time.perf_counter()
        with tqdm(total=args.complaints, unit=" complaints", unit_scale=True, file=sys.stderr,
                  desc="seeding") as bar:
            added = seed_complaints(con, args.complaints, track_url=settings.track_url, progress=bar.update)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    print(f"seeded {added:,} complaints (with their history and SMS) into {settings.shown_database}"
          f" in {seconds:.1f} s")
    return 0


def run_reset_demo(args: argparse.Namespace) -> int:
    from lib.ops import startup

    settings = load_settings()
    delete_database(settings)
    demo = Settings(**{**settings.__dict__, "demo": True})
    startup.open_portal_database(demo).close()
    print(f"a fresh demo database is ready at {settings.shown_database}")
    return 0




# ---- accounts: the only way to make, reset or grant a dc account (the admin page refuses) ----

def add_user_commands(commands) -> None:
    user = commands.add_parser("user", help="create an account, reset its password or change its role "
                               "(dc accounts only here); the password is asked for, or read from stdin")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account, e.g. the first admin of a production database")
    # The older spelling of `user create`, kept for operators' notes and scripts.
    add_user = commands.add_parser("add-user", help="the same as `user create`")
    for parser in (create, add_user):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="display name")
        parser.add_argument("--role", required=True, choices=[r.value for r in SIGNED_IN_ROLES])
        parser.add_argument("--department", help="department code, for officers only (e.g. PHED)")
        parser.add_argument("--centre", help="the CSC / SARAL Kendra, for operators only (e.g. \"CSC Dharuhera\")")
    reset = actions.add_parser("reset-password", help="give an account a new password")
    reset.add_argument("--username", required=True)
    set_role = actions.add_parser("set-role", help="move an account to another role (and department)")
    set_role.add_argument("--username", required=True)
    set_role.add_argument("--role", required=True, choices=[r.value for r in SIGNED_IN_ROLES])
    set_role.add_argument("--department", help="department code, for officers only (e.g. PHED)")
    set_role.add_argument("--centre", help="the CSC / SARAL Kendra, for operators only")
    for action, run in ((create, run_user_create), (add_user, run_user_create), (reset, run_user_reset_password)):
        # Never on the command line: argv is visible to every user of the server (ps) and in shell history.
        action.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of stdin instead of asking twice")
        action.set_defaults(run=run)
    set_role.set_defaults(run=run_user_set_role)


def read_password(args: argparse.Namespace) -> str | None:
    """The new password: stdin's first line with --password-stdin, else typed twice without echo."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("new password: ")
    if password != getpass.getpass("the same password again: "):
        print("error: the two passwords differ; nothing was saved", file=sys.stderr)
        return None
    return password


def change_account(change) -> int:
    """Run one account change as the console (audited as `cli`); problems are printed, nothing is saved."""
    from lib.staff import administration

    con = connect(load_settings().database)
    try:
        change(administration, con)
    except InvalidInput as exc:
        for problem in exc.problems:
            print(f"error: {problem.field}: {t('en', problem.key, **problem.params)}", file=sys.stderr)
        print("nothing was saved", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def run_user_create(args: argparse.Namespace) -> int:
    password = read_password(args)
    if password is None:
        return 1
    failed = change_account(lambda adm, con: adm.add_user(con, adm.NewUser(
        username=args.username, display_name=args.name, role=args.role, department_code=args.department,
        password=password, centre=args.centre or ""), actor=adm.CONSOLE_ACTOR))
    if not failed:
        print(f"created {args.role} account {args.username}")
    return failed


def run_user_reset_password(args: argparse.Namespace) -> int:
    password = read_password(args)
    if password is None:
        return 1
    failed = change_account(lambda adm, con: adm.reset_password(con, args.username, password, adm.CONSOLE_ACTOR))
    if not failed:
        print(f"new password set for {args.username}")
    return failed


def run_user_set_role(args: argparse.Namespace) -> int:
    failed = change_account(lambda adm, con: adm.change_role(con, args.username, args.role, args.department,
                                                           adm.CONSOLE_ACTOR, centre=args.centre))
    if not failed:
        print(f"{args.username} is now {args.role}" + (f" of {args.department}" if args.department else ""))
    return failed


def run_backup(args: argparse.Namespace) -> int:
    from lib.ops import backup

    settings = load_settings()
    if not settings.db_path.exists():
        print(f"error: {t('en', 'backup.refused.no_database', path=settings.db_path)}", file=sys.stderr)
        return 1
    con = connect(settings.db_path)
    try:
        made = backup.create_backup(con, settings, args.dir, actor="cli")
    finally:
        con.close()
    manifest = made.manifest
    print(f"backed up {manifest.row_counts.get('complaints', 0):,} complaints and {len(manifest.uploads):,} "
          f"uploads into {made.folder}")
    if manifest.missing_uploads:
        print(f"warning: {t('en', 'backup.missing_uploads', count=len(manifest.missing_uploads))}",
              file=sys.stderr)
    print("the keys are not in the backup: keep the uploads_fernet_key (and the other keys) separately")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from lib.ops import backup

    settings = load_settings()
    try:
        manifest = backup.restore_backup(settings, args.dir)
    except backup.BackupRefused as exc:
        print(f"error: {exc.message('en')}", file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 1
    print(f"restored {manifest.row_counts.get('complaints', 0):,} complaints and {len(manifest.uploads):,} "
          f"uploads from {args.dir} (made {manifest.created_at:%d-%m-%Y %H:%M} IST) into {settings.db_path}")
    print(f"the previous database and uploads are kept as *{backup.BEFORE_RESTORE} beside them; "
          "delete them once the portal works")
    return 0


def open_existing_database():
    """ESACHIVALAYA_DB's database (a DuckDB file or PostgreSQL), or None after saying there is none.
    Raises DatabaseBusy while the portal holds a DuckDB file."""
    settings = load_settings()
    if is_new_database(settings.database):
        print(f"error: there is no database at {settings.shown_database}", file=sys.stderr)
        return None
    return connect(settings.database)


def run_slots(args: argparse.Namespace) -> int:
    import json

    from lib.hearings import booking, officers, slots

    con = open_existing_database()
    if con is None:
        return 1
    try:
        if officers.get_officer(con, args.officer) is None:
            print(f"error: {args.officer} is not a hearing officer", file=sys.stderr)
            return 1
        found = booking.find_free_slots(con, args.officer, days=args.days)
    finally:
        con.close()
    for slot in found:
        start, end = slot.starts_at.astimezone(slots.IST), slot.ends_at.astimezone(slots.IST)
        if args.json:
            print(json.dumps({"officer": slot.officer, "start": start.isoformat(), "end": end.isoformat(),
                              "standing_in_for": slot.standing_in_for}))
        else:
            print(f"{start:%a %d-%m-%Y %H:%M}-{end:%H:%M} IST  {slot.officer}"
                  + (f" (for {slot.standing_in_for})" if slot.standing_in_for else ""))
    if not args.json:
        print(f"{len(found)} free slots in the next {args.days} days", file=sys.stderr)
    return 0


def run_escalate(args: argparse.Namespace) -> int:
    from lib.casework import deadlines, escalation

    con = open_existing_database()
    if con is None:
        return 1
    try:
        deadlines.ensure_calendar(con)
        done = escalation.escalate_due(con)
    finally:
        con.close()
    print(f"escalated {done[escalation.Level.DEPARTMENT_HEAD]} complaint(s) to the department head and "
          f"{done[escalation.Level.DC]} to the DC")
    return 0


def delete_database(settings: Settings) -> None:
    """Remove the database, its write-ahead log and the uploads, keeping the keys. On PostgreSQL
    the database itself stays and its tables go (`empty_database`).

    Deleting a file another process has open would succeed on Linux and pull the database
    out from under the running portal, so first prove nobody holds it (raises DatabaseBusy).
    """
    if settings.db_url:
        if not is_new_database(settings.db_url):
            empty_database(settings.db_url)      # DatabaseBusy while anyone is connected
            print(f"deleting the tables of {settings.shown_database}")
    elif settings.db_path.exists():
        connect(settings.db_path).close()
    wal = Path(f"{settings.db_path}.wal")
    for path in ((settings.uploads_dir,) if settings.db_url else (settings.db_path, wal, settings.uploads_dir)):
        if not path.exists():
            continue
        print(f"deleting {path}")
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


if __name__ == "__main__":
    sys.exit(main())
