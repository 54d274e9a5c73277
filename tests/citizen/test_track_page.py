"""The track page through AppTest: number + mobile show the status only; the code from the SMS or the
signed link show the details; failures are counted across sessions (a reload forgets nothing)."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.core.i18n import t
from lib.citizen import track_guard
from lib.citizen.filing import file_complaint, load_form_choices
from tests.conftest import PROJECT_DIR, make_form, open_portal_as

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

MOBILE = "9812345678"
SUBJECT = "पानी की सप्लाई बंद"


@pytest.fixture(autouse=True)
def fresh_portal(portal_env, monkeypatch):
    # A long first wait, so a slow machine cannot let the wait run out between two runs of the page.
    monkeypatch.setattr(track_guard, "BASE_WAIT", timedelta(minutes=20))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def file_one():
    from lib.ui import connection, settings
    con = connection()
    return file_complaint(con, settings(), make_form(mobile=MOBILE, subject=SUBJECT), load_form_choices(con),
                          track_url=settings().track_url)


def outbox_body(template: str) -> str:
    from lib.ui import connection
    with connection().cursor() as cur:
        return cur.execute("SELECT body FROM sms_outbox WHERE template = ? ORDER BY id DESC LIMIT 1",
                           [template]).fetchall()[0][0]


def page_text(at: AppTest) -> str:
    """Everything the page shows, as text (tables included)."""
    def walk(node):
        value = getattr(node, "value", None)
        if hasattr(value, "to_csv"):
            yield value.to_csv()
        elif isinstance(value, str):
            yield value
        for label in ("label", "url"):
            if isinstance(getattr(node, label, None), str):
                yield getattr(node, label)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    text = "\n".join(walk(at.main))
    # The portal's header on every page names the office ("..., Rewari"); not the complaint's place.
    for language in ("hi", "en"):
        text = text.replace(t(language, "site.office"), "")
    return text


def track(at: AppTest, number: str, mobile: str) -> AppTest:
    at.text_input(key="track_no").input(number)
    at.text_input(key="track_mobile").input(mobile)
    at.button(key="track_submit").click().run()
    assert not at.exception
    return at


def new_track_session() -> AppTest:
    return open_portal_as(None, "pages/track_complaint.py")


def test_number_and_mobile_show_the_status_and_next_step_only():
    ack = file_one()
    at = track(new_track_session(), ack.tracking_no, "98123 45678")
    assert at.subheader[0].value == "स्थिति: प्राप्त"
    assert "आगे क्या होगा" in at.info[0].value
    shown = page_text(at)
    assert SUBJECT not in shown and "XXXX XXXX" not in shown and "रेवाड़ी" not in shown
    assert not at.dataframe and not at.get("link_button")
    assert at.button(key="send_code")


def test_the_code_from_the_sms_shows_the_details():
    ack = file_one()
    at = track(new_track_session(), ack.tracking_no, MOBILE)
    at.button(key="send_code").click().run()
    assert "+91 XXXXXX5678" in at.success[0].value
    code = re.search(r"कोड (\d{6})", outbox_body("otp")).group(1)
    at.text_input(key="track_code").input(code)
    at.button(key="track_code_submit").click().run()
    assert not at.exception
    shown = page_text(at)
    assert SUBJECT in shown and "XXXX XXXX" in shown
    assert at.subheader[0].value == "स्थिति: प्राप्त"


def test_a_wrong_code_shows_tries_left_and_no_details():
    ack = file_one()
    at = track(new_track_session(), ack.tracking_no, MOBILE)
    at.button(key="send_code").click().run()
    code = re.search(r"कोड (\d{6})", outbox_body("otp")).group(1)
    at.text_input(key="track_code").input(f"{(int(code) + 1) % 10 ** 6:06d}")
    at.button(key="track_code_submit").click().run()
    assert at.error[0].value == "यह कोड सही नहीं है। बचे प्रयास: 2।"
    assert SUBJECT not in page_text(at)


def link_params() -> dict[str, str]:
    url = re.search(r"http\S+track_complaint\?\S+", outbox_body("acknowledgement")).group(0)
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def open_link(params: dict[str, str]) -> AppTest:
    """The track page as the SMS link opens it (the page run in a framed session, as navigation would)."""
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / "track_complaint.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["_frame_ran"] = True
    at.query_params.update(params)
    at.run()
    assert not at.exception
    return at


def test_the_signed_link_fills_the_number_and_shows_the_details():
    ack = file_one()
    at = open_link(link_params())
    assert at.text_input(key="track_no").value == ack.tracking_no
    assert SUBJECT in page_text(at) and at.subheader[0].value == "स्थिति: प्राप्त"


def test_a_tampered_link_shows_nothing_of_the_complaint():
    file_one()
    params = link_params()
    params["sig"] = ("A" if params["sig"][0] != "A" else "B") + params["sig"][1:]
    at = open_link(params)
    assert at.error[0].value.startswith("यह लिंक मान्य नहीं है")
    assert SUBJECT not in page_text(at) and not at.subheader


def test_wrong_number_and_wrong_mobile_look_exactly_alike():
    ack = file_one()
    wrong_mobile = page_text(track(new_track_session(), ack.tracking_no, "9000000000"))
    wrong_number = page_text(track(new_track_session(), "RWR-2026-999999", MOBILE))
    # The typed values differ; everything else on the page must be the same.
    assert wrong_mobile.replace(ack.tracking_no, "N").replace("9000000000", "M") == \
        wrong_number.replace("RWR-2026-999999", "N").replace(MOBILE, "M")
    assert "इस ट्रैकिंग नंबर और मोबाइल नंबर से कोई शिकायत नहीं मिली" in wrong_number


def test_failures_survive_a_reload_and_the_sixth_for_a_mobile_is_refused():
    ack = file_one()
    first = new_track_session()
    for i in range(5):
        track(first, f"RWR-2026-99999{i}", MOBILE)
        assert first.error and not first.warning
    reloaded = track(new_track_session(), ack.tracking_no, MOBILE)      # a new session: the same count
    assert not reloaded.subheader
    assert re.search(r"कृपया \d\d-\d\d-\d{4} \d\d:\d\d IST के बाद फिर प्रयास करें \(लगभग 20 मिनट बाद\)",
                     reloaded.warning[0].value)
