"""Administration (IT cell): accounts, departments, deadlines and holidays, places, partner systems' API keys, escalation rules, the audit trail; no complaint bodies."""
from lib import ui

ui.guard("admin")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

from lib.ui.admin import (Desk, audit, backup, deadlines, departments, hearings, partners, places,  # noqa: E402
                          users)
from lib.ui.admin import escalation  # noqa: E402  (issue #15)

desk = Desk.open()

st.title(ui.tr("nav.admin"))
st.caption(ui.tr("admin.intro"))

# One module per tab under lib/ui/admin/, each drawing its tab from this run's desk.
TABS = ((users, "admin.tab.users"), (departments, "admin.tab.departments"), (deadlines, "admin.tab.deadlines"),
        (audit, "admin.tab.audit"), (backup, "backup.tab"), (hearings, "admin.tab.hearings"),
        (places, "admin.tab.places"), (partners, "admin.tab.partners"),
        (escalation, "admin.tab.escalation"))

for tab, (module, label) in zip(st.tabs([ui.tr(label) for _, label in TABS]), TABS):
    with tab:
        module.render(desk)
