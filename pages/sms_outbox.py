"""SMS outbox (IT cell): what was sent, what waits and what failed and why; resend a failed message, send due ones now."""
from lib import ui

ui.guard("sms_outbox")

import pandas as pd  # noqa: E402  (after the guard: nothing runs before it)
import streamlit as st  # noqa: E402

from lib.sms import dispatcher, gateways  # noqa: E402
from lib.core.i18n import Language, t  # noqa: E402
from lib.core.states import SmsStatus  # noqa: E402
from lib.core.problems import InvalidInput  # noqa: E402
from lib.citizen.receipt import format_time  # noqa: E402

admin = ui.require_user()
con = ui.connection()
lang = ui.language()
state = st.session_state
FLASH = "outbox_flash"          # (kind, catalog key, params) of the last action, for the rerun after it
ALL = "all"
SHOWN = 200                     # newest messages in the table

# TODO(lead): a cached ui.sms_gateway() would save reading secrets on every run.
secrets = ui._secrets()
try:
    gateway = gateways.gateway_from_secrets(secrets)
    policy = dispatcher.DispatchPolicy.from_secrets(secrets)
    config_error = None
except ValueError as exc:       # the admin must see a broken [sms] table, not a crash
    gateway, policy, config_error = None, None, str(exc)


def when(moment) -> str:
    return format_time(moment) if moment is not None else "—"


def status_label(status: str) -> str:
    return t(lang, f"outbox.status.{status}")


# ---- callbacks: they run before the page is drawn again ----

def send_now() -> None:
    report = dispatcher.dispatch_due(con, gateway, batch=policy.batch, policy=policy)
    state[FLASH] = ("success", "outbox.done.dispatched",
                    {"sent": report.sent, "retrying": report.retrying, "failed": report.failed})


def resend_clicked() -> None:
    message_id = state.get("resend_pick")
    if message_id is None:
        return
    try:
        dispatcher.resend(con, message_id, admin.username)
    except InvalidInput as exc:
        state[FLASH] = ("error", exc.problems[0].key, {})
        return
    state[FLASH] = ("success", "outbox.done.resent", {"id": message_id})


# ---- the page ----

st.title(ui.tr("nav.sms_outbox"))
st.caption(ui.tr("outbox.intro"))

if config_error:
    st.error(ui.tr("outbox.error.gateway_config"), icon="⚠️")
    st.code(config_error)
elif gateway.adapter == gateways.Adapter.LOG:
    st.info(ui.tr("outbox.gateway.log"))
else:
    st.caption(ui.tr("outbox.gateway.http", host=gateway.host))

if FLASH in state:
    kind, key, params = state.pop(FLASH)
    if kind == "success":
        st.success(ui.tr(key, **params), icon="✅")
    else:
        st.error(ui.tr(key, **params), icon="⚠️")

counts = dispatcher.outbox_counts(con)
for column, status in zip(st.columns(len(SmsStatus)), SmsStatus):
    column.metric(status_label(status), counts[status])

st.button(ui.tr("outbox.send_now"), key="send_now", on_click=send_now, disabled=gateway is None,
          help=ui.tr("outbox.send_now.help"))

st.subheader(ui.tr("outbox.recent"))
picked = st.selectbox(ui.tr("outbox.filter"), options=[ALL, *SmsStatus], key="outbox_status",
                      format_func=status_label)
entries = dispatcher.list_outbox(con, None if picked == ALL else picked, limit=SHOWN)
if entries:
    st.dataframe(pd.DataFrame(
        [(e.id, when(e.created_at), e.template, ui.LANGUAGE_NAMES[Language(e.language)], e.masked_mobile,
          status_label(e.status), e.attempts, e.last_error or "—", when(e.sent_at),
          when(e.next_attempt_at) if e.status == SmsStatus.QUEUED else "—", e.parts, e.text) for e in entries],
        columns=[ui.tr(f"outbox.col.{c}") for c in (
            "id", "created", "template", "language", "mobile", "status", "attempts", "last_error",
            "sent_at", "next_attempt", "parts", "text")]),
        hide_index=True, width="stretch")
else:
    st.info(ui.tr("outbox.empty"))

st.subheader(ui.tr("outbox.resend.title"))
failed = {e.id: e for e in dispatcher.list_outbox(con, SmsStatus.FAILED, limit=SHOWN)}
if failed:
    st.selectbox(ui.tr("outbox.resend.pick"), options=list(failed), key="resend_pick",
                 format_func=lambda i: f"#{i} · {failed[i].template} · {failed[i].masked_mobile}"
                                       f" · {when(failed[i].created_at)}" if i in failed else f"#{i}")
    st.button(ui.tr("outbox.resend.submit"), key="resend", on_click=resend_clicked,
              help=ui.tr("outbox.resend.help"))
else:
    st.caption(ui.tr("outbox.resend.none"))
