"""How personal numbers are shown: only ever masked."""
from __future__ import annotations

import re

from stdnum.in_ import aadhaar


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


def mask_ppp(ppp_id: str) -> str:
    """A Family ID shown like an Aadhaar: every character but the last four hidden ("XXXX1234",
    "XXXXX1234" for a temporary T... id)."""
    value = re.sub(r"\s", "", str(ppp_id or ""))
    return "X" * max(len(value) - 4, 4) + value[-4:] if len(value) > 4 else "XXXX"


# Twelve digits, ASCII or Devanagari, together or in groups of four split by a space or hyphen, with
# no digit right before or after. Candidates may overlap ("1111 2345 6789 0124" holds two), so each
# place a group can start is tried. Only numbers that pass Aadhaar's own check (Verhoeff, first digit
# 2-9, not a palindrome) are masked: phone numbers, amounts and dates stay as written, while a valid
# number inside a longer grouped one is masked all the same (hiding too much is the safe mistake).
_DIGIT = "[0-9\u0966-\u096f]"
_SEP = r"[ \u00a0-]?"
_CANDIDATE = re.compile(rf"(?<!{_DIGIT})(?=({_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}})(?!{_DIGIT}))")
_TO_ASCII = str.maketrans("\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f", "0123456789")


def mask_aadhaar_in_text(text: str | None) -> str | None:
    """The text with every valid Aadhaar number in it replaced by "XXXX XXXX 1234" (its last four
    digits): what a citizen or officer types into a description, remark or report is stored so."""
    if not text:
        return text
    parts, done = [], 0
    for match in _CANDIDATE.finditer(text):
        start, candidate = match.start(), match.group(1)
        if start < done:
            continue
        digits = re.sub(r"\D", "", candidate.translate(_TO_ASCII))
        if aadhaar.is_valid(digits):
            parts += [text[done:start], mask_aadhaar(digits)]
            done = start + len(candidate)
    return "".join(parts) + text[done:]
