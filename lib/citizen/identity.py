"""Who the citizen is: Aadhaar, PPP Family ID, mobile and email, validated and stored safely."""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum.exceptions import ValidationError
from stdnum.in_ import aadhaar as stdnum_aadhaar

from lib.core.complaints import IdType
from lib.core.problems import InvalidInput, Problem
from lib.core.masking import mask_aadhaar

# Far longer than any real input; stops pathological strings before any parsing.
MAX_RAW_LENGTH = 64
MAX_EMAIL_LENGTH = 254

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
# ASCII only: str.isalnum() would also accept Devanagari digits and other scripts.
_PPP_RE = re.compile(r"[A-Z0-9]{8}|T[A-Z0-9]{8}", re.ASCII)
_EMAIL_LOCAL_RE = re.compile(r"[^\s@\x00-\x1f\x7f]+")
_EMAIL_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII)
_SEPARATORS_RE = re.compile(r"[\s\-]+")
# phonenumbers reads letters as a phone keypad ("98123abcde" would pass), so allow only what people type.
_MOBILE_CHARS_RE = re.compile(r"\+?[0-9 ()\-.]+", re.ASCII)


def _plain(raw: str | None) -> str:
    """Trimmed, any run of whitespace (no-break spaces from copy-paste too) as one space, and digits
    typed on a Hindi keyboard (Devanagari ०-९) as ASCII digits."""
    text = re.sub(r"\s+", " ", raw or "").strip()
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_mobile(raw: str) -> str:
    """An Indian mobile number as E.164 ("+919812345678"); landlines and foreign numbers are refused
    because the portal has to reach the citizen by SMS."""
    text = _plain(raw)
    if not text:
        raise InvalidInput(Problem("mobile", "error.required"))
    if len(text) > MAX_RAW_LENGTH or not _MOBILE_CHARS_RE.fullmatch(text):
        raise InvalidInput(Problem("mobile", "error.mobile_invalid"))
    try:
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        raise InvalidInput(Problem("mobile", "error.mobile_invalid")) from None
    if (number.country_code != 91 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) not in _MOBILE_TYPES):
        raise InvalidInput(Problem("mobile", "error.mobile_invalid"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(raw: str) -> str | None:
    """An optional email address, with the domain lowercased; None when left empty.

    Deliberately simple: the address only receives copies of notices, so a plausible shape is enough.
    """
    text = (raw or "").strip()
    if not text:
        return None
    local, at, domain = text.rpartition("@")
    if (len(text) > MAX_EMAIL_LENGTH or not at or "@" in local
            or not _EMAIL_LOCAL_RE.fullmatch(local) or len(local) > 64
            or not _EMAIL_DOMAIN_RE.fullmatch(domain.lower())):
        raise InvalidInput(Problem("email", "error.email_invalid"))
    return f"{local}@{domain.lower()}"


def parse_aadhaar(raw: str) -> str:
    """The 12 digits of a valid Aadhaar number (length, first digit, Verhoeff check digit)."""
    text = _plain(raw)
    if not text:
        raise InvalidInput(Problem("id_number", "error.required"))
    if len(text) > MAX_RAW_LENGTH:
        raise InvalidInput(Problem("id_number", "error.aadhaar_invalid"))
    try:
        return stdnum_aadhaar.validate(text)
    except ValidationError:
        raise InvalidInput(Problem("id_number", "error.aadhaar_invalid")) from None


def aadhaar_last4(number: str) -> str:
    return parse_aadhaar(number)[-4:]


def aadhaar_hmac(number: str, key: bytes) -> str:
    """A keyed hash of the 12 digits, only for spotting the same person filing again.

    Keyed (not a plain SHA-256) because the Aadhaar space is small enough to hash exhaustively; without
    the server secret the stored value cannot be turned back into the number.
    """
    if not key:
        raise ValueError("aadhaar_hmac needs a non-empty key")
    return hmac.new(key, parse_aadhaar(number).encode("ascii"), hashlib.sha256).hexdigest()


def parse_ppp(raw: str) -> str:
    """A Haryana Parivar Pehchan Patra Family ID: 8 characters, or 9 starting with T (temporary)."""
    text = _SEPARATORS_RE.sub("", _plain(raw)).upper()
    if not text:
        raise InvalidInput(Problem("id_number", "error.required"))
    if not _PPP_RE.fullmatch(text):
        raise InvalidInput(Problem("id_number", "error.ppp_invalid"))
    return text


@dataclass(frozen=True)
class IdentityProof:
    """What is kept of the citizen's ID: for Aadhaar only the last 4 digits and the keyed hash."""
    id_type: IdType
    aadhaar_last4: str | None
    aadhaar_hmac: str | None
    ppp_id: str | None

    @property
    def masked(self) -> str:
        if self.id_type == IdType.AADHAAR:
            return mask_aadhaar(self.aadhaar_last4)
        return self.ppp_id


def identity_proof(id_type: str, raw_number: str, hmac_key: bytes) -> IdentityProof:
    """The proof to store for the ID the citizen chose; the full Aadhaar number goes no further."""
    try:
        kind = IdType(id_type)
    except ValueError:
        raise InvalidInput(Problem("id_type", "error.required")) from None
    if kind == IdType.AADHAAR:
        number = parse_aadhaar(raw_number)
        return IdentityProof(kind, number[-4:], aadhaar_hmac(number, hmac_key), None)
    return IdentityProof(kind, None, None, parse_ppp(raw_number))
