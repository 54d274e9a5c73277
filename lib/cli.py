"""Command line for the portal's operators: `python -m lib.cli seed --complaints N [--fresh]`."""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from lib.config import Settings, load_settings
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
