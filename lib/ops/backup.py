"""Backups: a one-snapshot copy of the database plus its encrypted uploads and a manifest a restore checks first."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet, InvalidToken

from lib.staff import audit
from lib.core.config import Settings
from lib.db.ops import backup as backup_db
from lib.db.connect import LATEST_VERSION, connect, transaction
from lib.core.i18n import t
from lib.citizen.uploads import STORED_NAME_RE

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
MANIFEST = "manifest.json"
DATABASE_FILE = "database.duckdb"
UPLOADS_FOLDER = "uploads"
FORMAT = 1                           # of the manifest; a restore refuses formats it does not know
FOLDER_TIME = "%Y-%m-%d_%H-%M-%S_IST"
BEFORE_RESTORE = ".before-restore"
STAGING = ".restoring"
CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """The backup cannot be made or restored; `key` and `params` say why (catalog backup.refused.*)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(f"{key} {params}" if params else key)

    def message(self, language: str) -> str:
        return t(language, self.key, **self.params)


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    schema_version: int
    row_counts: dict[str, int]
    uploads: dict[str, str]              # stored name -> sha256 of the stored (encrypted) bytes
    database_sha256: str
    missing_uploads: tuple[str, ...] = ()
    size_bytes: int = 0                  # the database file and the uploads together

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "created_at": self.created_at.isoformat(), "schema_version": self.schema_version,
            "tables": self.row_counts, "database_file": DATABASE_FILE, "database_sha256": self.database_sha256,
            "uploads": self.uploads, "missing_uploads": list(self.missing_uploads),
            "size_bytes": self.size_bytes,
        }, indent=1, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Backup:
    """One backup folder as the admin page and the command line list it."""
    folder: Path
    manifest: Manifest

    @property
    def complaints(self) -> int:
        return self.manifest.row_counts.get("complaints", 0)



def backup_root(settings: Settings, env: Mapping[str, str] = os.environ) -> Path:
    """Where backups go: ESACHIVALAYA_BACKUP_DIR, else a `backups` folder beside the database."""
    configured = env.get("ESACHIVALAYA_BACKUP_DIR")
    return Path(configured).expanduser().resolve() if configured else settings.db_path.parent / "backups"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_private(source: Path, target: Path) -> str:
    """Copy one file readable by its owner only (IDs and personal data); returns the copy's sha256."""
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()


def _new_folder(root: Path, now: datetime) -> Path:
    """Make the backup's folder, named by the time in IST; mkdir is atomic, so two backups started in
    the same second get different folders."""
    base = now.astimezone(IST).strftime(FOLDER_TIME)
    for n in range(1, 100):
        folder = root / (base if n == 1 else f"{base}_{n}")
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"too many backups at {base} in {root}")


def create_backup(con, settings: Settings, root: Path | None = None, *, actor: str,
                  now: datetime | None = None) -> Backup:
    """Back up the open database and its uploads into a new folder of `root`, named by the time (IST).

    Safe while citizens file and officers work. The manifest is written last, so a folder without
    one is an unfinished backup that is neither listed nor restored. The key file is not copied
    (keep it separately: without it the uploads are unreadable).
    """
    root = Path(root) if root is not None else backup_root(settings)
    now = (now or datetime.now(IST)).astimezone(IST)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)               # owner-only whatever the umask or whoever made it first
    folder = _new_folder(root, now)
    try:
        (folder / UPLOADS_FOLDER).mkdir(mode=0o700)
        facts = backup_db.copy_database(con, folder / DATABASE_FILE)
        os.chmod(folder / DATABASE_FILE, 0o600)
        uploads, missing = {}, []
        # Files are written before their row commits and never changed after, so every file the
        # snapshot refers to is complete on disk; copied as stored, still encrypted.
        for name in sorted(facts.stored_names):
            source = settings.uploads_dir / name
            if not STORED_NAME_RE.fullmatch(name) or not source.is_file():
                missing.append(name)
                continue
            uploads[name] = _copy_private(source, folder / UPLOADS_FOLDER / name)
        if missing:
            log.error("backup %s: %d upload(s) the database refers to are missing: %s",
                      folder.name, len(missing), missing[:10])
        size = sum(p.stat().st_size for p in (folder / UPLOADS_FOLDER).iterdir())
        size += (folder / DATABASE_FILE).stat().st_size
        manifest = Manifest(created_at=now, schema_version=facts.schema_version, row_counts=facts.row_counts,
                            uploads=uploads, database_sha256=_sha256_of(folder / DATABASE_FILE),
                            missing_uploads=tuple(missing), size_bytes=size)
        partial = folder / f".{MANIFEST}.part"
        partial.write_text(manifest.to_json(), encoding="utf-8")
        os.chmod(partial, 0o600)        # it names the uploads and counts the complaints
        os.replace(partial, folder / MANIFEST)
    except BaseException:
        log.exception("backup into %s failed; removing the unfinished folder", folder)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with transaction(con) as cur:
        audit.record(cur, actor, "database.backup", folder.name,
                     f"{facts.row_counts.get('complaints', 0)} complaints, {len(uploads)} uploads", now)
    return Backup(folder, manifest)


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupRefused("backup.refused.no_manifest", folder=str(folder))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError(f"unknown format {raw.get('format')!r}")
        return Manifest(
            created_at=datetime.fromisoformat(raw["created_at"]), schema_version=int(raw["schema_version"]),
            row_counts={str(k): int(v) for k, v in raw["tables"].items()},
            uploads={str(k): str(v) for k, v in raw["uploads"].items()},
            database_sha256=str(raw["database_sha256"]), missing_uploads=tuple(raw.get("missing_uploads", ())),
            size_bytes=int(raw.get("size_bytes", 0)))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupRefused("backup.refused.bad_manifest", folder=str(folder)) from exc


def list_backups(root: Path) -> list[Backup]:
    """The complete backups in `root`, newest first (a folder still being written is not listed)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            found.append(Backup(folder, read_manifest(folder)))
        except BackupRefused:
            continue
    return sorted(found, key=lambda b: b.manifest.created_at, reverse=True)


def _check_files(folder: Path, manifest: Manifest) -> None:
    """Refuse unless the database file and every upload are the bytes the manifest names."""
    if manifest.schema_version > LATEST_VERSION:
        raise BackupRefused("backup.refused.newer_schema", backup=manifest.schema_version, app=LATEST_VERSION)
    database = folder / DATABASE_FILE
    if not database.is_file():
        raise BackupRefused("backup.refused.database_missing")
    if _sha256_of(database) != manifest.database_sha256:
        raise BackupRefused("backup.refused.database_changed")
    for name, sha256 in sorted(manifest.uploads.items()):
        path = folder / UPLOADS_FOLDER / name
        if not STORED_NAME_RE.fullmatch(name) or not path.is_file():
            raise BackupRefused("backup.refused.upload_missing", name=name)
        if _sha256_of(path) != sha256:
            raise BackupRefused("backup.refused.upload_changed", name=name)


def _check_database(staged: Path, manifest: Manifest, folder: Path) -> None:
    facts = backup_db.describe_database(staged)
    for table in sorted(manifest.row_counts.keys() | facts.row_counts.keys()):
        expected, found = manifest.row_counts.get(table), facts.row_counts.get(table)
        if expected != found:
            raise BackupRefused("backup.refused.count_mismatch", table=table, expected=expected, found=found)
    if facts.schema_version != manifest.schema_version:
        raise BackupRefused("backup.refused.bad_manifest", folder=str(folder))
    if set(facts.stored_names) != set(manifest.uploads) | set(manifest.missing_uploads):
        raise BackupRefused("backup.refused.uploads_differ")


def _check_key(staged_uploads: Path, manifest: Manifest, fernet_key: bytes) -> None:
    """One upload is enough: every upload of a portal is encrypted with the same key."""
    if not manifest.uploads:
        return
    name = min(manifest.uploads)
    try:
        Fernet(fernet_key).decrypt((staged_uploads / name).read_bytes())
    except InvalidToken:
        raise BackupRefused("backup.refused.key_mismatch") from None


def verify_backup(folder: Path) -> Manifest:
    """The manifest, once the backup's files are proved to be what it lists (else BackupRefused)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    _check_files(folder, manifest)
    return manifest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def restore_backup(settings: Settings, folder: Path) -> Manifest:
    """Replace the database and the uploads folder with a backup; only while the portal is stopped.

    Everything is checked before anything is replaced: the manifest, every file's hash, the row
    counts of the copied database, the schema version, the uploads key. The old database and uploads
    stay beside the new ones as *.before-restore. An older schema is upgraded in place.
    Raises BackupRefused (nothing changed) or DatabaseBusy (the portal holds the file).
    """
    folder = Path(folder)
    manifest = verify_backup(folder)
    db_path, uploads_dir = settings.db_path, settings.uploads_dir
    backup_db.ensure_not_in_use(db_path)
    staged_db, staged_uploads = _beside(db_path, STAGING), _beside(uploads_dir, STAGING)
    for leftover in (staged_db, _beside(staged_db, ".wal"), staged_uploads):
        _remove(leftover)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        _copy_private(folder / DATABASE_FILE, staged_db)
        _check_database(staged_db, manifest, folder)
        staged_uploads.mkdir(mode=0o700, parents=True)
        for name, sha256 in manifest.uploads.items():
            if _copy_private(folder / UPLOADS_FOLDER / name, staged_uploads / name) != sha256:
                raise BackupRefused("backup.refused.upload_changed", name=name)
        _check_key(staged_uploads, manifest, settings.uploads_fernet_key)
        _swap_in(staged_db, staged_uploads, db_path, uploads_dir)
    finally:
        for leftover in (staged_db, staged_uploads):
            _remove(leftover)
    return manifest


def _swap_in(staged_db: Path, staged_uploads: Path, db_path: Path, uploads_dir: Path) -> None:
    """Renames within the same folders (atomic each); undone in reverse if any step fails."""
    wal = _beside(db_path, ".wal")
    moves = [(db_path, _beside(db_path, BEFORE_RESTORE)), (wal, _beside(wal, BEFORE_RESTORE)),
             (uploads_dir, _beside(uploads_dir, BEFORE_RESTORE))]
    for _, kept in moves:
        _remove(kept)                   # the safety copy of an earlier restore
    done: list[tuple[Path, Path]] = []
    try:
        for current, kept in moves:
            if current.exists():
                os.replace(current, kept)
                done.append((kept, current))
        os.replace(staged_uploads, uploads_dir)
        done.append((None, uploads_dir))
        os.replace(staged_db, db_path)
        done.append((None, db_path))
        connect(db_path).close()        # upgrades a backup of an older schema in place
    except BaseException:
        _remove(wal)                    # the restored database's, if opening it got that far
        for kept, current in reversed(done):
            _remove(current)
            if kept is not None:
                os.replace(kept, current)
        raise
