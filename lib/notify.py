"""SMS to citizens: DLT-registered templates in Hindi and English, safely filled and counted in SMS parts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from lib.i18n import Language


class SmsStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Template:
    name: str
    # TRAI's DLT rules: only registered templates may be sent, each under its id. These ids are
    # placeholders until the district registers its templates with the operator's DLT portal.
    dlt_template_id: dict[str, str]
    text: dict[str, str]


TEMPLATES: dict[str, Template] = {
    t.name: t for t in (
        Template(
            name="acknowledgement",
            dlt_template_id={"hi": "1107000000000000001", "en": "1107000000000000002"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} दर्ज हो गई है। "
                      "स्थिति देखें: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} is registered. "
                      "Track it at {track_url} -DC Office Rewari",
            },
        ),
    )
}

MAX_VARIABLE_CHARS = 30          # DLT variables ({#var#}) hold at most 30 characters
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def render(template_name: str, language: str, **variables: str) -> tuple[str, str]:
    """(DLT template id, message text) for the template in the language.

    Variables are stripped of control characters and cut to the DLT limit, so a citizen's input
    can never change the registered wording around it (a mismatch makes the operator drop it).
    """
    template = TEMPLATES[template_name]
    lang = Language(language)
    safe = {k: _UNSAFE.sub(" ", str(v)).strip()[:MAX_VARIABLE_CHARS] for k, v in variables.items()}
    # The portal's own link is part of the registered wording (DLT whitelists the URL), not a
    # {#var#}: it is never cut.
    safe["track_url"] = _UNSAFE.sub("", str(variables.get("track_url", "")))
    return template.dlt_template_id[lang], template.text[lang].format(**safe)


# GSM 03.38 basic character set; anything else (Devanagari included) forces UCS-2.
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_parts(text: str) -> int:
    """How many SMS a message costs: GSM-7 160 (153 per part when split), UCS-2 70 (67)."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)
