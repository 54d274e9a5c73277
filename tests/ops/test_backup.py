"""Backup and restore round-trip every row and upload; damaged backups and a running portal stop a restore."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import bcrypt
import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.ops import backup, cli
from lib.staff import signin
from lib.core.config import load_settings
from lib.db.connect import LATEST_VERSION, upgrade
from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database
from lib.citizen.uploads import UploadStore
from tests.conftest import jpeg_bytes, make_form

ROOT = Path(__file__).resolve().parents[2]
TRACK_URL = "https://esachivalaya.example/track_complaint"


@pytest.fixture(autouse=True)
def quick_bcrypt(monkeypatch):
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=12, prefix=b"2b": real(4, prefix))


def file_with_photo(con, settings, choices, n: int):
    photo = UploadedFile("drain.jpg", jpeg_bytes(320 + n, 240))
    return file_complaint(con, settings, make_form(photos=(photo,), subject=f"नाली टूटी है {n}"), choices,
                          track_url=TRACK_URL)


@pytest.fixture
def portal(con, settings, choices):
    """A small demo district plus real filings with ID documents and photos."""
    seed_complaints(con, 200, random_seed=1, track_url=TRACK_URL)
    signin.create_demo_users(con)
    for n in range(3):
        file_with_photo(con, settings, choices, n)
    return con


def everything(db_path: Path) -> dict[str, list]:
    """Every row of every table, in a stable order."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def uploaded_bytes(settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in settings.uploads_dir.iterdir()}


def fingerprint(settings) -> tuple:
    """What a refused restore must leave exactly as it was."""
    files = sorted(settings.db_path.parent.rglob("*"))
    return (hashlib.sha256(settings.db_path.read_bytes()).hexdigest(), uploaded_bytes(settings),
            [p.name for p in files if p.is_file() and "backups" not in p.parts])


@pytest.fixture
def backed_up(portal, settings, tmp_path):
    """A backup of the portal, then the portal stopped (a restore needs the file free)."""
    made = backup.create_backup(portal, settings, tmp_path / "backups", actor="test")
    portal.close()
    return made


def test_round_trip_brings_back_every_row_and_every_upload_byte_for_byte(portal, settings, choices, tmp_path,
                                                                        capsys):
    portal.close()
    rows_then, files_then = everything(settings.db_path), uploaded_bytes(settings)
    assert len(files_then) == 6 and rows_then["complaints"] and rows_then["users"]
    con = open_portal_database(settings)
    made = backup.create_backup(con, settings, tmp_path / "backups", actor="test")
    # Life goes on after the backup: a new filing that the restore will take away again.
    later = file_with_photo(con, settings, choices, 99)
    con.close()

    assert cli.main(["restore", str(made.folder)]) == 0
    assert "restored 203 complaints and 6 uploads" in capsys.readouterr().out

    rows_now = everything(settings.db_path)
    audit_then = rows_then.pop("audit_log")
    # The backup's own audit entry is written after the copy, so the backup does not hold it.
    assert rows_now.pop("audit_log") == audit_then
    assert rows_now == rows_then
    assert uploaded_bytes(settings) == files_then
    assert settings.db_path.with_name(settings.db_path.name + ".before-restore").exists()

    con = open_portal_database(settings)
    try:
        with con.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM complaints WHERE tracking_no = ?",
                               [later.tracking_no]).fetchall() == [(0,)]
            stored = cur.execute("SELECT stored_name FROM documents WHERE kind = 'id_proof'").fetchall()
        store = UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
        assert all(store.load(name).startswith(b"\xff\xd8") for (name,) in stored)
        # The sequences carry on where the backup left them: new numbers, never reused ones.
        newest = max(r[0] for r in rows_then["complaints"])
        ack = file_with_photo(con, settings, load_form_choices(con), 100)
        assert ack.complaint_id > newest
        assert ack.tracking_no not in {r[1] for r in rows_then["complaints"]}
    finally:
        con.close()


def test_backup_command_makes_a_folder_named_by_ist_time_with_a_manifest(portal, settings, tmp_path, capsys):
    portal.close()
    assert cli.main(["backup", str(tmp_path / "backups")]) == 0
    out = capsys.readouterr().out
    assert "backed up 203 complaints and 6 uploads" in out and "keys" in out
    (folder,) = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_IST", folder.name)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == LATEST_VERSION
    assert manifest["tables"]["complaints"] == 203 and manifest["tables"]["users"] == len(signin.DEMO_USERS)
    assert manifest["created_at"].endswith("+05:30")
    for name, sha256 in manifest["uploads"].items():
        assert hashlib.sha256((folder / "uploads" / name).read_bytes()).hexdigest() == sha256
        assert (folder / "uploads" / name).read_bytes() == (settings.uploads_dir / name).read_bytes()
    # The keys stay out of the backup.
    assert not [p for p in folder.rglob("*") if p.suffix == ".keys"]
    assert backup.list_backups(tmp_path / "backups")[0].folder == folder


def test_a_backup_taken_while_citizens_file_is_consistent(con, settings, choices, tmp_path):
    """Each filing is wholly in the backup or wholly not: never a complaint without its event, SMS or file."""
    stop = threading.Event()
    errors = []

    def citizen():
        while not stop.is_set():
            try:
                file_complaint(con, settings, make_form(submission_token=uuid.uuid4().hex), choices,
                               track_url=TRACK_URL)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
                return

    threads = [threading.Thread(target=citizen) for _ in range(4)]
    for th in threads:
        th.start()
    try:
        while len(list(settings.uploads_dir.glob("*.bin"))) < 20 and not errors:
            time.sleep(0.01)
        made = backup.create_backup(con, settings, tmp_path / "backups", actor="test")
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert errors == []
    con.close()

    backup.restore_backup(settings, made.folder)
    restored = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        [(complaints, filed, acks, id_proofs)] = restored.execute(
            "SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM complaint_events WHERE event = 'filed'),"
            " (SELECT count(*) FROM sms_outbox), (SELECT count(*) FROM documents WHERE kind = 'id_proof')").fetchall()
        names = {r[0] for r in restored.execute("SELECT stored_name FROM documents").fetchall()}
    finally:
        restored.close()
    assert complaints >= 1 and complaints == filed == acks == id_proofs == made.complaints
    assert {p.name for p in settings.uploads_dir.iterdir()} == names


def flip_a_byte_of_an_upload(folder: Path) -> None:
    upload = sorted((folder / "uploads").iterdir())[0]
    data = bytearray(upload.read_bytes())
    data[len(data) // 2] ^= 0xFF
    upload.write_bytes(bytes(data))


def remove_an_upload(folder: Path) -> None:
    sorted((folder / "uploads").iterdir())[0].unlink()


def miscount_complaints(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["complaints"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


def delete_a_complaint_in_the_copy(folder: Path) -> None:
    con = duckdb.connect(str(folder / "database.duckdb"))
    con.execute("DELETE FROM sms_outbox WHERE id = (SELECT max(id) FROM sms_outbox)")
    con.close()


def claim_a_newer_schema(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = LATEST_VERSION + 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage, says", [
    (flip_a_byte_of_an_upload, "damaged or altered"),
    (remove_an_upload, "is missing from the backup"),
    (miscount_complaints, "table complaints has 203 rows, the manifest says 204"),
    (delete_a_complaint_in_the_copy, "database file is not the one the manifest describes"),
    (claim_a_newer_schema, "made by a newer version of the portal"),
], ids=lambda x: getattr(x, "__name__", "")[:30])
def test_a_damaged_backup_is_refused_and_nothing_changes(backed_up, settings, capsys, damage, says):
    before = fingerprint(settings)
    damage(backed_up.folder)
    assert cli.main(["restore", str(backed_up.folder)]) == 1
    err = capsys.readouterr().err
    assert says in err and "nothing was changed" in err
    assert fingerprint(settings) == before


def test_a_backup_without_the_matching_key_is_refused(backed_up, settings):
    before = fingerprint(settings)
    other = load_settings({"keys": {"uploads_fernet_key": "P" * 43 + "="}})
    with pytest.raises(backup.BackupRefused) as refused:
        backup.restore_backup(other, backed_up.folder)
    assert refused.value.key == "backup.refused.key_mismatch"
    assert fingerprint(settings) == before


def test_restore_waits_while_another_process_holds_the_database(backed_up, settings, capsys):
    before = fingerprint(settings)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', "
         "flush=True); time.sleep(60)", str(settings.db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert cli.main(["restore", str(backed_up.folder)]) == cli.EXIT_BUSY
        assert "in use by another process" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert fingerprint(settings) == before


def test_a_backup_of_an_older_schema_is_upgraded_on_restore(settings, tmp_path):
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    old.execute("SET GLOBAL TimeZone = 'Asia/Kolkata'")
    assert upgrade(old, to_version=3) == 3
    made = backup.create_backup(old, settings, tmp_path / "backups", actor="test")
    old.close()
    assert made.manifest.schema_version == 3

    backup.restore_backup(settings, made.folder)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [(LATEST_VERSION,)]
    finally:
        con.close()


# ---- the admin page ----

@pytest.fixture
def admin_page(portal_env, monkeypatch):
    monkeypatch.setenv("ESACHIVALAYA_BACKUP_DIR", str(portal_env / "offsite"))
    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    con.close()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin_rewari"
    at.session_state["language"] = "en"
    at.run()
    assert not at.exception
    yield at
    st.cache_resource.clear()


def test_admin_backs_up_from_the_page_while_the_portal_runs(admin_page, portal_env):
    at = admin_page
    assert "Backup" in [tab.label for tab in at.tabs]
    assert "No backups yet." in [i.value for i in at.info]
    # Restore is explained, with the command to run once the portal is stopped; no restore button.
    assert any("python -m lib.ops.cli restore" in c.value for c in at.code)
    assert not [b for b in at.button if "restore" in (b.key or "")]

    at.button(key="backup_now").click().run()
    assert not at.exception
    (folder,) = (portal_env / "offsite").iterdir()
    assert at.success[0].value.startswith(f"Backup saved in folder {folder.name}")
    listed = next(d.value for d in at.dataframe if "Folder" in d.value.columns)
    assert list(listed["Folder"]) == [folder.name]
    assert listed["Made at"][0].endswith("IST")
    assert backup.verify_backup(folder).row_counts["users"] == len(signin.DEMO_USERS)


def test_a_backup_that_cannot_be_written_says_so_and_the_page_carries_on(admin_page, portal_env):
    at = admin_page
    (portal_env / "offsite").write_text("a file where the backup folder should be")
    at.button(key="backup_now").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("The backup could not be made")
    assert "No backups yet." in [i.value for i in at.info]
