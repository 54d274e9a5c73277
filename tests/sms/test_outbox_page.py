"""The SMS outbox page through AppTest: counts, the table, resending a failed message, sending now; refused to everyone but the admin."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.staff import signin
from lib.core.roles import Role
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.sms.dispatcher import dispatch_due
from tests.sms.test_sms_dispatch import ScriptedGateway, queue_message

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc)


@pytest.fixture
def outbox(portal_env, monkeypatch):
    """Demo users and three messages: one sent, one failed (gateway refused it), one waiting."""
    monkeypatch.setenv("ESACHIVALAYA_SMS_DISPATCHER", "0")
    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    ids = {"sent": queue_message(con, "ack:sent", mobile="+919811100001", created_at=NOW - timedelta(minutes=3)),
           "failed": queue_message(con, "ack:failed", mobile="+919811100002", language="en",
                                   created_at=NOW - timedelta(minutes=2))}
    dispatch_due(con, ScriptedGateway("ok", "permanent"), now=NOW - timedelta(minutes=1))
    ids["queued"] = queue_message(con, "ack:queued", mobile="+919811100003", created_at=NOW)
    con.close()
    st.cache_resource.clear()
    yield ids
    st.cache_resource.clear()


def open_outbox(username: str = "admin_rewari") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.secrets["sms"] = {"adapter": "log"}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["language"] = "en"
    at.run()
    assert not at.exception
    at.switch_page("pages/sms_outbox.py").run()
    assert not at.exception
    return at


def counts(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def status_of(message_id: int) -> tuple:
    from lib.ui import connection          # the app's own cached connection
    with connection().cursor() as cur:
        return cur.execute("SELECT status, attempts FROM sms_outbox WHERE id = ?", [message_id]).fetchall()[0]


def test_the_admin_sees_counts_and_a_masked_table(outbox):
    at = open_outbox()
    assert at.title[0].value == "SMS outbox"
    assert counts(at) == {"Waiting": "1", "Sent": "1", "Failed": "1"}
    table = at.dataframe[0].value
    assert list(table["No."]) == [outbox["queued"], outbox["failed"], outbox["sent"]]
    assert list(table["Status"]) == ["Waiting", "Failed", "Sent"]
    assert list(table["Mobile"]) == ["+91 XXXXXX0003", "+91 XXXXXX0002", "+91 XXXXXX0001"]
    assert table.set_index("No.").loc[outbox["failed"], "Last error"] == "HTTP 400: bad template"
    assert table.set_index("No.").loc[outbox["sent"], "Sent at"].endswith("IST")
    shown = table.to_csv()
    assert "98111000" not in shown                                   # no full mobile
    # The text is there to read, with its links blotted out (a join or track link opens the case).
    sent_text = table.set_index("No.").loc[outbox["sent"], "Text (links and codes hidden)"]
    assert "RWR-2026-" in sent_text and "आपकी शिकायत" in sent_text and "[link]" in sent_text
    assert "https://" not in shown and "esachivalaya.example" not in shown
    assert "log only" in at.info[0].value                              # the admin knows nothing leaves


def test_one_time_codes_and_join_links_never_reach_the_outbox_page():
    from lib.sms.dispatcher import readable_text

    body = "RWR-2026-000123: आपका कोड 482913 है। सुनवाई https://meet.example/esachivalaya-abc?x=1 पर"
    shown = readable_text(body)
    assert "482913" not in shown and "https://" not in shown and "esachivalaya-abc" not in shown
    assert "RWR-2026-000123" in shown and "आपका कोड" in shown


def test_the_status_filter_shows_only_that_status(outbox):
    at = open_outbox()
    at.selectbox(key="outbox_status").set_value("failed").run()
    assert list(at.dataframe[0].value["No."]) == [outbox["failed"]]


def test_resend_puts_the_failed_message_back_in_the_queue(outbox):
    at = open_outbox()
    assert at.selectbox(key="resend_pick").options == [f"#{outbox['failed']} · acknowledgement · "
                                                       f"+91 XXXXXX0002 · {at.dataframe[0].value['Queued at'][1]}"]
    at.button(key="resend").click().run()
    assert not at.exception
    assert at.success[0].value == f"Message {outbox['failed']} is back in the queue."
    assert counts(at) == {"Waiting": "2", "Sent": "1", "Failed": "0"}
    assert status_of(outbox["failed"]) == ("queued", 0)
    assert "No failed messages." in [c.value for c in at.caption]
    assert not at.get("selectbox") or all(s.key != "resend_pick" for s in at.selectbox)
    from lib.ui import connection
    with connection().cursor() as cur:
        audit = cur.execute("SELECT actor, target FROM audit_log WHERE action = 'sms.resend'").fetchall()
    assert audit == [("admin_rewari", f"sms:{outbox['failed']}")]


def test_send_now_dispatches_the_due_messages_with_the_configured_gateway(outbox):
    at = open_outbox()
    at.button(key="resend").click().run()
    at.button(key="send_now").click().run()
    assert not at.exception
    assert at.success[0].value == "Sent 2; to be tried again later 0; failed 0."
    assert counts(at) == {"Waiting": "0", "Sent": "3", "Failed": "0"}
    assert status_of(outbox["failed"]) == ("sent", 1) and status_of(outbox["queued"]) == ("sent", 1)


def test_the_page_speaks_hindi(outbox):
    at = open_outbox()
    at.radio(key="language_switch").set_value("hi").run()
    assert at.title[0].value == "एसएमएस आउटबॉक्स"
    assert counts(at) == {"प्रतीक्षा में": "1", "भेजे गए": "1", "विफल": "1"}


def test_a_broken_sms_table_is_shown_not_crashed(outbox):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.secrets["sms"] = {"adapter": "http"}             # no url
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin_rewari"
    at.session_state["language"] = "en"
    at.run()
    at.switch_page("pages/sms_outbox.py").run()
    assert not at.exception
    assert at.error[0].value == t("en", "outbox.error.gateway_config")
    assert at.button(key="send_now").disabled
    assert counts(at)["Failed"] == "1"                  # the outbox itself is still visible


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("username", ["dc_rewari", "officer_phed"])
def test_the_page_is_not_registered_for_the_dc_or_an_officer(outbox, username):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/sms_outbox.py")


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("role, username", [(Role.DC, "dc_rewari"), (Role.OFFICER, "officer_phed")])
def test_the_page_file_alone_refuses_the_dc_and_an_officer(outbox, role, username):
    """As a deep link to a fresh server runs it: the guard refuses and nothing else is drawn."""
    at = AppTest.from_file(str(ROOT / "pages" / "sms_outbox.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["_frame_ran"] = True
    at.session_state["language"] = "en"
    at.session_state["role"] = role
    at.session_state["user"] = next(u for u in signin.DEMO_USERS if u.username == username)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("en", "guard.not_allowed")]
    assert not at.title and not at.dataframe and not at.metric and not at.button
