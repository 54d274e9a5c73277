"""`make run-cluster`: PostgreSQL, N portal processes and nginx in front of them, on one machine,
started together and stopped together (Ctrl-C or SIGTERM).

    python -m lib.ops.cluster --portals 2 --port 8500

The database is ESACHIVALAYA_DB when that is a postgresql:// address; otherwise a throwaway
PostgreSQL server in a temporary folder (lib/ops/pg_server.py), gone when the cluster stops. The
portal processes listen on consecutive ports after the proxy's (8501, 8502, ...), with the file
watcher off, and share one uploads folder and one key file. nginx (Debian's; `make nginx`) runs in
the foreground on a configuration written from lib/ops/nginx.conf.template into the temporary
folder: sticky sessions by a cookie, WebSockets passed through, gzip, a dead process's clients moved
to a live one. Nothing outside that folder is changed.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from lib.core.config import PROJECT_DIR, db_url_from_env, load_settings
from lib.ops import pg_server

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
ROUTE_COOKIE = "esachivalaya_route"
READY_PATH = "/api/health"          # 200 only once the process's database answers (lib/ops/web.py)
START_TIMEOUT_S = 300.0             # a brand-new demo database is seeded by the first process
STOP_TIMEOUT_S = 15.0
_PR_SET_PDEATHSIG = 1


def nginx_binary() -> str | None:
    """Debian's nginx: on PATH, or in /usr/sbin (not on a normal user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def nginx_config(listen_port: int, portal_ports: list[int], prefix: Path, address: str = "127.0.0.1") -> str:
    """The template with this cluster's addresses and folder filled in."""
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in portal_ports)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {"UPSTREAMS": upstreams, "PREFIX": str(prefix), "ADDRESS": address,
                        "PORT": str(listen_port), "ROUTE_COOKIE": ROUTE_COOKIE}.items():
        text = text.replace(f"@{name}@", value)
    return text


def _die_with_parent() -> None:
    """In the child before exec: if the cluster's own process dies (even by SIGKILL), the kernel
    sends this child SIGTERM, so no portal or nginx outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    # Its own session: a Ctrl-C in the terminal reaches only the cluster, which stops the children
    # in order (proxy, portals, database) instead of all at once.
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)


def wait_until_ready(url: str, process: subprocess.Popen, timeout_s: float, path: str = READY_PATH,
                     sets_cookie: str | None = None) -> None:
    """Until `url + path` answers 200; an error if the process ends first or the time runs out.

    `sets_cookie`: the answer counts only if it sets that cookie. nginx sets the route cookie and a
    portal never does, so a portal (or anything else) already listening on the proxy's port, where
    nginx then fails to bind and exits, is not taken for the proxy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended (exit status {process.returncode}) before it was ready")
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=10) as answer:
                cookies = answer.headers.get_all("Set-Cookie") or []
                if answer.status == 200 and (sets_cookie is None
                                             or any(c.startswith(f"{sets_cookie}=") for c in cookies)):
                    return
        except OSError:
            pass
        try:                       # look again in half a second, or at once if the process ends
            process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
    raise RuntimeError(f"{url}{path} did not answer 200 within {timeout_s:g} s")


@dataclass
class Portal:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class PortalCluster:
    """N portal processes on one PostgreSQL database behind nginx. `start()` returns once the proxy
    and every process answer; `stop()` ends them all (the throwaway database too)."""
    portals: int = 2
    port: int = 8500
    address: str = "127.0.0.1"
    db_url: str | None = None            # None: a throwaway PostgreSQL server
    data_dir: Path | None = None         # keys and uploads (ESACHIVALAYA_DATA_DIR); None: data/, or temporary
    env: dict[str, str] = field(default_factory=dict)          # more environment for the portals
    streamlit_args: list[str] = field(default_factory=list)    # more `streamlit run` flags
    portal_ports: list[int] = field(default_factory=list)      # default: the ports after the proxy's
    folder: Path | None = None
    members: list[Portal] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    _server: pg_server.Cluster | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "nginx" / "access.log"

    def portal_env(self) -> dict[str, str]:
        env = {**os.environ, **self.env, "ESACHIVALAYA_DB": self.db_url,
               "ESACHIVALAYA_TRUSTED_PROXIES": "127.0.0.1"}
        if self.data_dir is not None:
            env["ESACHIVALAYA_DATA_DIR"] = str(self.data_dir)
        env.setdefault("ESACHIVALAYA_PUBLIC_URL", self.url)
        return env

    def start(self, say=lambda text: None) -> PortalCluster:
        ports = self.member_ports()
        if len({self.port, *ports}) != len(ports) + 1:
            raise ValueError(f"the proxy (port {self.port}) and every portal ({', '.join(map(str, ports))}) "
                             "need ports of their own")
        nginx = nginx_binary()
        if nginx is None:
            raise FileNotFoundError("no nginx: install Debian's nginx (make nginx does)")
        self.folder = Path(tempfile.mkdtemp(prefix="esachivalaya-cluster-"))
        try:
            self._start(nginx, ports, say)
        except BaseException:
            self.stop()
            raise
        return self

    def member_ports(self) -> list[int]:
        return self.portal_ports or [self.port + 1 + i for i in range(self.portals)]

    def _start(self, nginx: str, ports: list[int], say) -> None:
        if self.db_url is None:
            self._server = pg_server.Cluster.start()
            self.db_url = self._server.database()
            if self.data_dir is None:       # a throwaway database's keys and uploads go with it
                self.data_dir = self.folder / "data"
        env = self.portal_env()
        # Made once here, before any portal starts: every process then reads the same key file and
        # writes into the same uploads folder (a shared volume when the processes are on several machines).
        settings = load_settings({}, env=env)
        say(f"database {self.db_url}\nuploads  {settings.uploads_dir}\nkeys     {settings.db_path.with_suffix('.keys')}")
        # The first process alone creates the schema (and a new demo database's complaints): two
        # processes seeding a brand-new database at once would both seed it. The others follow.
        self._start_portal(ports[0], env)
        wait_until_ready(self.members[0].url, self.members[0].process, START_TIMEOUT_S)
        for port in ports[1:]:
            self._start_portal(port, env)
        for member in self.members:
            wait_until_ready(member.url, member.process, START_TIMEOUT_S)
            say(f"portal   {member.url} ready (pid {member.process.pid})")
        prefix = self.folder / "nginx"
        prefix.mkdir()
        (prefix / "nginx.conf").write_text(nginx_config(self.port, ports, prefix, self.address), encoding="utf-8")
        self.nginx = _spawn([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], dict(os.environ),
                            prefix / "nginx.out")
        try:
            wait_until_ready(self.url, self.nginx, 30, path="/_stcore/health", sets_cookie=ROUTE_COOKIE)
        except RuntimeError as exc:       # nginx says why (a port already taken, most often)
            said = (prefix / "nginx.out").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"{exc}\n{said}") from exc
        say(f"proxy    {self.url} (nginx pid {self.nginx.pid}, config {prefix / 'nginx.conf'})")

    def _start_portal(self, port: int, env: dict[str, str]) -> None:
        log = self.folder / f"portal-{port}.log"
        command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "portal.py"),
                   "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                   *self.streamlit_args]
        self.members.append(Portal(port, _spawn(command, env, log), log))

    def stop(self) -> None:
        """The proxy first (no new requests), then every portal (SIGTERM: each closes its database
        and stops its SMS sender), then the throwaway database and the temporary folder."""
        processes = ([self.nginx] if self.nginx else []) + [m.process for m in self.members]
        for process in processes:
            if process.poll() is None:
                # nginx's fast stop (SIGTERM): a graceful one would wait for every open WebSocket.
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def dead(self) -> list[Portal]:
        return [m for m in self.members if m.process.poll() is not None]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lib.ops.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", type=int, default=2, help="how many portal processes (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="the proxy's port; the portals take the next ones")
    parser.add_argument("--address", default="127.0.0.1", help="where the proxy listens (0.0.0.0: every interface)")
    args = parser.parse_args(argv)
    if args.portals < 1:
        parser.error("--portals must be at least 1")
    return args


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt        # SIGTERM (systemctl stop, kill) stops the cluster as Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)   # noqa: E731
    signal.signal(signal.SIGTERM, _interrupt)
    cluster = PortalCluster(args.portals, args.port, args.address, db_url=db_url_from_env())
    if cluster.db_url is None and os.environ.get("ESACHIVALAYA_DB"):
        say("ESACHIVALAYA_DB is not a postgresql:// address (one DuckDB file takes one process): "
            "using a throwaway PostgreSQL server")
    started = False
    try:
        # One try from the start: a SIGTERM at any moment after start() (even before the loop) must
        # stop what was started, not escape as a KeyboardInterrupt.
        try:
            cluster.start(say)      # stops what it started if it fails or is interrupted
        except (FileNotFoundError, RuntimeError) as exc:
            say(f"error: {exc}")
            return 1
        started = True
        say(f"open {cluster.url} ; Ctrl-C stops everything")
        reported: set[int] = set()
        # A dead portal is reported, not restarted: the proxy has moved its clients to the others.
        while cluster.nginx.poll() is None and len(reported) < len(cluster.members):
            for member in cluster.dead():
                if member.port not in reported:
                    reported.add(member.port)
                    say(f"portal {member.url} ended (exit status {member.process.returncode}); see {member.log}")
            time.sleep(1)
        say("the proxy or every portal ended")
    except KeyboardInterrupt:
        if not started:
            return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl-C must not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if started:
            say("stopping ...")
            cluster.stop()
            say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
