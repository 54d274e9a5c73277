"""The demo's SMS can be read (issue #12): the log gateway writes each message, masked mobile and full
text, to the server log once the portal has started."""
from __future__ import annotations

import logging

import pytest

from lib.ops import startup
from lib.sms.gateways import LogGateway, SmsMessage


@pytest.fixture
def fresh_lib_logger():
    ours = logging.getLogger("lib")
    saved = (ours.handlers[:], ours.level, ours.propagate)
    ours.handlers.clear()
    yield
    ours.handlers[:], ours.level, ours.propagate = saved[0], saved[1], saved[2]


def test_the_log_gateway_writes_the_text_and_a_masked_mobile_to_the_server_log(fresh_lib_logger, capfd):
    startup.configure_logging()
    message = SmsMessage(id=7, mobile="+919812345678", language="hi", template="acknowledgement",
                         dlt_template_id="1107", body="आपकी शिकायत RWR-2026-000007 दर्ज हो गई है",
                         idempotency_key="ack:7")
    LogGateway().send(message)
    err = capfd.readouterr().err
    assert "आपकी शिकायत RWR-2026-000007 दर्ज हो गई है" in err
    assert "+91 XXXXXX5678" in err and "9812345678" not in err


def test_without_the_portal_s_logging_nothing_reaches_the_server_log(fresh_lib_logger, capfd):
    """Why configure_logging exists: below WARNING, Python drops our lines when no handler is set."""
    LogGateway().send(SmsMessage(7, "+919812345678", "hi", "acknowledgement", "1107", "text here", "k"))
    assert "text here" not in capfd.readouterr().err


def test_configuring_twice_adds_one_handler(fresh_lib_logger):
    startup.configure_logging()
    startup.configure_logging()
    assert len(logging.getLogger("lib").handlers) == 1
