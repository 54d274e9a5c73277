"""How personal numbers are shown: only ever masked."""
from __future__ import annotations

import re


def mask_mobile(e164: str) -> str:
    """"+91 XXXXXX5678": enough for the citizen to recognise their number, not enough to call it."""
    digits = re.sub(r"\D", "", e164 or "")
    return f"+91 XXXXXX{digits[-4:]}" if len(digits) >= 4 else "XXXXXXXXXX"


def mask_aadhaar(last4: str) -> str:
    """"XXXX XXXX 1234", the only way an Aadhaar number is ever shown."""
    digits = re.sub(r"\D", "", str(last4 or ""))
    # A full number passed by mistake must still come out masked.
    if len(digits) not in (4, 12):
        raise ValueError("mask_aadhaar needs the last 4 digits")
    return f"XXXX XXXX {digits[-4:]}"
