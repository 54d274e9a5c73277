"""Everything the portal writes is owner-only (files 0600, folders 0700), even under a umask of 022."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.ops import backup
from lib.ops.startup import open_portal_database
from tests.conftest import make_form


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual login umask: without care, new files would be readable by every local user."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_database_wal_keys_uploads_and_backups_are_owner_only(portal_env, loose_umask):
    settings = load_settings({})
    keys = settings.db_path.with_suffix(".keys")
    con = open_portal_database(settings)
    try:
        ack = file_complaint(con, settings, make_form(), load_form_choices(con), track_url="http://x")
        wal = settings.db_path.with_name(settings.db_path.name + ".wal")
        # The filing is in the WAL until the next checkpoint (which deletes the file).
        assert mode(wal) == 0o600
        made = backup.create_backup(con, settings, portal_env / "backups", actor="admin_rewari")
    finally:
        con.close()
    files = [settings.db_path, keys, *(settings.uploads_dir / n for n in ack.documents),
             *(p for p in made.folder.rglob("*") if p.is_file())]
    folders = [settings.uploads_dir, portal_env / "backups", made.folder,
               *(p for p in made.folder.rglob("*") if p.is_dir())]
    assert len(files) >= 5 and len(folders) >= 4
    assert {str(p.relative_to(portal_env)): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p.relative_to(portal_env)): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_files_made_loose_before_are_tightened_on_opening(portal_env, loose_umask):
    settings = load_settings({})
    keys = settings.db_path.with_suffix(".keys")
    open_portal_database(settings).close()
    for path in (settings.db_path, keys):
        os.chmod(path, 0o644)
    os.umask(0o022)
    settings = load_settings({})
    open_portal_database(settings).close()
    assert mode(settings.db_path) == 0o600 and mode(keys) == 0o600
