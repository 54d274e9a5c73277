"""The demo's SMS can be read (issue #12): the log gateway writes each message, masked mobile and full
text, to the server log once the portal has started."""
from __future__ import annotations

import io
import logging

import pytest

from lib.ops import startup
from lib.sms.gateways import LogGateway, SmsMessage


@pytest.fixture
def fresh_lib_logger():
    """The "lib" logger as a newly started process has it (other tests' portals configured it)."""
    ours = logging.getLogger("lib")
    saved = (ours.handlers[:], ours.level)
    ours.handlers[:] = [h for h in ours.handlers if not getattr(h, "esachivalaya", False)]
    ours.setLevel(logging.NOTSET)
    yield
    ours.handlers[:], _ = saved[0], ours.setLevel(saved[1])


def test_the_log_gateway_writes_the_text_and_a_masked_mobile_to_the_server_log(fresh_lib_logger):
    log = io.StringIO()
    startup.configure_logging(log)
    message = SmsMessage(id=7, mobile="+919812345678", language="hi", template="acknowledgement",
                         dlt_template_id="1107", body="आपकी शिकायत RWR-2026-000007 दर्ज हो गई है",
                         idempotency_key="ack:7")
    LogGateway().send(message)
    err = log.getvalue()
    assert "आपकी शिकायत RWR-2026-000007 दर्ज हो गई है" in err
    assert "+91 XXXXXX5678" in err and "9812345678" not in err


def test_without_the_portal_s_logging_our_info_lines_are_dropped(fresh_lib_logger):
    """Why configure_logging exists: below WARNING, Python drops our lines when no level is set."""
    assert not logging.getLogger("lib.sms.gateways").isEnabledFor(logging.INFO)


def test_configuring_twice_adds_one_handler(fresh_lib_logger):
    startup.configure_logging(io.StringIO())
    startup.configure_logging(io.StringIO())
    assert sum(getattr(h, "esachivalaya", False) for h in logging.getLogger("lib").handlers) == 1
