"""Command line for the portal's operators: seed, reset-demo, add-user (see `python -m lib.cli --help`)."""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from lib.access import SIGNED_IN_ROLES
from lib.config import Settings, load_settings
from lib.i18n import t
from lib.problems import InvalidInput
from lib.db.connect import DatabaseBusy, connect, transaction
from lib.db.reference import load_reference_data

EXIT_BUSY = 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except DatabaseBusy as exc:
        # Expected while the portal runs: a plain message, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.cli",
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

    add_user = commands.add_parser("add-user", help="create an account (e.g. the first admin of a "
                                   "production database); asks for the password")
    add_user.add_argument("--username", required=True)
    add_user.add_argument("--name", required=True, help="display name")
    add_user.add_argument("--role", required=True, choices=[r.value for r in SIGNED_IN_ROLES])
    add_user.add_argument("--department", help="department code, for officers only (e.g. PHED)")
    add_user.set_defaults(run=run_add_user)
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
    from lib.seed import seed_complaints   # Faker is only needed here

    settings = load_settings()
    if args.fresh:
        delete_database(settings)
    con = connect(settings.db_path)
    try:
        with transaction(con) as cur:
            load_reference_data(cur)
        started = time.perf_counter()
        with tqdm(total=args.complaints, unit=" complaints", unit_scale=True, file=sys.stderr,
                  desc="seeding") as bar:
            added = seed_complaints(con, args.complaints, track_url=settings.track_url, progress=bar.update)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    print(f"seeded {added:,} complaints (with their history and SMS) into {settings.db_path}"
          f" in {seconds:.1f} s")
    return 0


def run_reset_demo(args: argparse.Namespace) -> int:
    from lib import startup

    settings = load_settings()
    delete_database(settings)
    demo = Settings(**{**settings.__dict__, "demo": True})
    startup.open_portal_database(demo).close()
    print(f"a fresh demo database is ready at {settings.db_path}")
    return 0


def run_add_user(args: argparse.Namespace) -> int:
    import getpass

    from lib import administration

    password = getpass.getpass("password for the new account: ")
    if password != getpass.getpass("the same password again: "):
        print("error: the two passwords differ; nothing was saved", file=sys.stderr)
        return 1
    settings = load_settings()
    con = connect(settings.db_path)
    try:
        administration.add_user(con, administration.NewUser(
            username=args.username, display_name=args.name, role=args.role,
            department_code=args.department, password=password), actor="cli")
    except InvalidInput as exc:
        for problem in exc.problems:
            print(f"error: {problem.field}: {t('en', problem.key, **problem.params)}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"created {args.role} account {args.username}")
    return 0


def delete_database(settings: Settings) -> None:
    """Remove the database, its write-ahead log and the uploads, keeping the keys.

    Deleting a file another process has open would succeed on Linux and pull the database
    out from under the running portal, so first prove nobody holds it (raises DatabaseBusy).
    """
    if settings.db_path.exists():
        connect(settings.db_path).close()
    wal = Path(f"{settings.db_path}.wal")
    for path in (settings.db_path, wal, settings.uploads_dir):
        if not path.exists():
            continue
        print(f"deleting {path}")
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


if __name__ == "__main__":
    sys.exit(main())
