"""A throwaway PostgreSQL server, for the tests and for `make run-cluster`: initdb in a temporary
folder, a unix socket only, no fsync (nothing in it outlives the run). PostgreSQL refuses to run as
root, so under root the server runs as the unprivileged user `nobody`. Given the address of a server
to use instead (the tests' ESACHIVALAYA_TEST_PG: a user allowed to CREATE DATABASE), nothing is
started here.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg


def postgres_bin() -> Path | None:
    """Debian's newest /usr/lib/postgresql/<version>/bin, or the folder of an initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A server the tests may create databases on; `database()` gives the address of a fresh one."""

    def __init__(self, admin_url: str, folder: Path | None = None, run_as: list[str] | None = None):
        self.admin_url, self.folder, self.run_as = admin_url, folder, run_as or []

    @classmethod
    def start(cls, configured: str | None = None) -> Cluster:
        """A new server in a temporary folder, or the `configured` one (a postgresql:// address)."""
        if configured:
            return cls(configured)
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise FileNotFoundError("no initdb: install Debian's postgresql (make test does) or set ESACHIVALAYA_TEST_PG")
        folder = Path(tempfile.mkdtemp(prefix="esachivalaya-pg-"))
        run_as = []
        if os.geteuid() == 0:
            shutil.chown(folder, "nobody", "nogroup")
            run_as = ["runuser", "-u", "nobody", "--"]
        data = folder / "data"
        subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
        options = (f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                        "-o", options, "-w", "start"], check=True, capture_output=True)
        return cls(f"postgresql://postgres@{quote(str(folder), safe='')}/postgres", folder, run_as)

    def database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of `template` (the address of another one, which nobody
        may be connected to); its postgresql:// address."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        copy = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}" STRATEGY FILE_COPY' if template else ""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.folder is None:
            return
        bin_dir = postgres_bin()
        subprocess.run([*self.run_as, str(bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
