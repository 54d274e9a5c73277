"""The Backup tab: copy the database and uploads now, list earlier copies, say how to restore."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.citizen.receipt import format_time
from lib.ops import backup
from lib.ui.admin import Desk


def render(desk: Desk) -> None:
    if ui.settings().db_url:
        # A backup here copies the DuckDB file; PostgreSQL's own tools back up its database (README).
        st.info(ui.tr("backup.on_postgres"), icon="ℹ️")
        st.caption(ui.tr("backup.on_postgres.uploads", path=str(ui.settings().uploads_dir)))
        st.warning(ui.tr("backup.keys"), icon="🔑")
        return
    # Inside the portal's own process: it holds the database, so only it can copy it while it runs.
    st.caption(ui.tr("backup.intro"))
    backup_folder = backup.backup_root(ui.settings())
    st.caption(ui.tr("backup.where", path=str(backup_folder)))
    if st.button(ui.tr("backup.now"), type="primary", key="backup_now"):
        try:
            with st.spinner(ui.tr("backup.running")):
                new_backup = backup.create_backup(desk.con, ui.settings(), backup_folder, actor=desk.admin.username)
        except Exception as exc:  # noqa: BLE001 - a full disk or a bad folder: say so, keep the page
            st.error(ui.tr("backup.failed", reason=getattr(exc, "strerror", None) or type(exc).__name__), icon="⚠️")
        else:
            st.success(ui.tr("backup.done", folder=new_backup.folder.name, complaints=new_backup.complaints,
                             uploads=len(new_backup.manifest.uploads)), icon="✅")
            if new_backup.manifest.missing_uploads:
                st.warning(ui.tr("backup.missing_uploads", count=len(new_backup.manifest.missing_uploads)),
                           icon="⚠️")
    st.warning(ui.tr("backup.keys"), icon="🔑")
    st.subheader(ui.tr("backup.list"))
    backups_so_far = backup.list_backups(backup_folder)
    if backups_so_far:
        st.dataframe(pd.DataFrame(
            [(b.folder.name, format_time(b.manifest.created_at), b.complaints, len(b.manifest.uploads),
              round(b.manifest.size_bytes / 1e6, 1)) for b in backups_so_far],
            columns=[ui.tr("backup.column.folder"), ui.tr("backup.column.created"),
                     ui.tr("backup.column.complaints"), ui.tr("backup.column.uploads"),
                     ui.tr("backup.column.size")]),
            hide_index=True, width="stretch")
    else:
        st.info(ui.tr("backup.none"))
    st.subheader(ui.tr("backup.restore"))
    st.caption(ui.tr("backup.restore.explain"))
    st.code(f"python -m lib.ops.cli restore {backup_folder / '<folder>'}", language="bash")
