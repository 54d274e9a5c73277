"""Where the portal keeps its data and secrets: environment variables, secrets.toml, or keys made once on first run."""
from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB = PROJECT_DIR / "data" / "esachivalaya.duckdb"
REFERENCE_DIR = PROJECT_DIR / "data" / "reference"
DISTRICT_CODE = "RWR"          # the prefix of every tracking number (Rewari)

KEY_NAMES = ("uploads_fernet_key", "aadhaar_hmac_key", "cookie_key")


@dataclass(frozen=True)
class Settings:
    db_path: Path               # the DuckDB file; with PostgreSQL, the local name keys and uploads sit beside
    uploads_dir: Path
    uploads_fernet_key: bytes
    aadhaar_hmac_key: bytes
    cookie_key: str
    demo: bool                  # seed demo data into a brand-new database
    public_url: str             # where citizens reach the portal (used in SMS links)
    duckdb_memory: str = "1GB"  # DuckDB's memory limit for the portal process
    # Reverse proxies whose X-Forwarded-For is believed; none by default: the socket peer is the client.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    db_url: str | None = None   # a postgresql:// address: the portal runs on PostgreSQL, not on db_path

    @property
    def database(self) -> str | Path:
        """What lib.db.connect.connect opens: the PostgreSQL address, or else the DuckDB file."""
        return self.db_url or self.db_path

    @property
    def shown_database(self) -> str:
        """Where the database is, for messages and logs: the file, or the address without its password."""
        return without_password(self.db_url) if self.db_url else str(self.db_path)

    @property
    def track_url(self) -> str:
        return f"{self.public_url}/track_complaint"


def without_password(url: str) -> str:
    """A postgresql:// address as it may be shown or logged: its password left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}@{parts.netloc.rsplit('@', 1)[1]}"))


def db_url_from_env(env: Mapping[str, str] = os.environ) -> str | None:
    """ESACHIVALAYA_DB when it is a postgresql:// address (the portal then runs on PostgreSQL)."""
    value = (env.get("ESACHIVALAYA_DB") or "").strip()
    return value if value.startswith(("postgresql://", "postgres://")) else None


def db_path_from_env(env: Mapping[str, str] = os.environ) -> Path:
    """The DuckDB file. With a PostgreSQL address there is none: then <ESACHIVALAYA_DATA_DIR or
    data/>/postgres/database names the place its keys file and uploads folder go by default."""
    if db_url_from_env(env):
        return (Path(env.get("ESACHIVALAYA_DATA_DIR") or DEFAULT_DB.parent).expanduser() / "postgres" / "database").resolve()
    return Path(env.get("ESACHIVALAYA_DB") or DEFAULT_DB).expanduser().resolve()


def load_settings(secrets_: Mapping | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Settings for this process. Keys come from secrets.toml's [keys] table when set there;
    otherwise from a key file beside the database, generated once (owner-only) on first run."""
    db_path = db_path_from_env(env)
    uploads_dir = Path(env.get("ESACHIVALAYA_UPLOADS") or db_path.parent / "uploads").resolve()
    configured = dict((secrets_ or {}).get("keys", {}) or {})
    keys = {name: configured[name] for name in KEY_NAMES if configured.get(name)}
    if len(keys) < len(KEY_NAMES):
        generated = _key_file(db_path.with_suffix(".keys"))
        keys = {**generated, **keys}
    demo = str(env.get("ESACHIVALAYA_DEMO", "1")).lower() not in ("0", "false", "no")
    return Settings(
        db_path=db_path,
        uploads_dir=uploads_dir,
        uploads_fernet_key=str(keys["uploads_fernet_key"]).encode(),
        aadhaar_hmac_key=base64.urlsafe_b64decode(str(keys["aadhaar_hmac_key"])),
        cookie_key=str(keys["cookie_key"]),
        demo=demo,
        public_url=(env.get("ESACHIVALAYA_PUBLIC_URL") or "http://localhost:8501").rstrip("/"),
        duckdb_memory=_memory_limit(env.get("ESACHIVALAYA_DUCKDB_MEMORY") or "1GB"),
        trusted_proxies=trusted_proxies(env.get("ESACHIVALAYA_TRUSTED_PROXIES")),
        db_url=db_url_from_env(env),
    )


def trusted_proxies(text: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """ESACHIVALAYA_TRUSTED_PROXIES: comma-separated addresses or CIDR blocks (e.g. 127.0.0.1 or
    10.0.0.0/8). A typo is refused at start-up rather than silently trusting nobody or everybody."""
    networks = []
    for part in (text or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"ESACHIVALAYA_TRUSTED_PROXIES: {part.strip()!r} is not an address or CIDR block") from None
    return tuple(networks)


def _memory_limit(text: str) -> str:
    """A size DuckDB understands, like 512MB or 2GB; anything else is refused at start-up."""
    value = text.strip().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, flags=re.IGNORECASE):
        raise ValueError(f"ESACHIVALAYA_DUCKDB_MEMORY must be a size such as 512MB or 2GB, not {text!r}")
    return value


def _key_file(path: Path) -> dict[str, str]:
    """Read the generated key file, creating it (mode 0600) the first time.

    Losing this file makes stored uploads unreadable: back it up with the database.
    """
    if path.exists():
        os.chmod(path, 0o600)          # a copy restored by hand may have come back readable by all
        return json.loads(path.read_text(encoding="utf-8"))
    keys = {
        "uploads_fernet_key": Fernet.generate_key().decode(),
        "aadhaar_hmac_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "cookie_key": secrets.token_urlsafe(48),
    }
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write a private temporary file, then link it into place: the link fails if another
    # process won the race on first run, and then both use the winner's keys.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(keys, f)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return json.loads(path.read_text(encoding="utf-8"))
    finally:
        tmp.unlink()
    return keys
