"""Identity checks: Aadhaar (Verhoeff), PPP Family ID, mobile, email, and what is kept of an Aadhaar number."""
from __future__ import annotations

import pytest
from stdnum import verhoeff

from lib.citizen import identity
from lib.core.complaints import IdType
from lib.core.problems import InvalidInput, Problem
from lib.core import masking

KEY = b"test-hmac-key-0123456789abcdef"


DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def with_check_digit(first11: str) -> str:
    return first11 + verhoeff.calc_check_digit(first11)


VALID = with_check_digit("23456789012")               # 2345 6789 012x
OTHER_VALID = with_check_digit("98765432109")
WRONG_CHECK = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)


def problem_of(call, *args) -> Problem:
    with pytest.raises(InvalidInput) as exc:
        call(*args)
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


# --- Aadhaar ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (VALID, VALID),
    (f"{VALID[:4]} {VALID[4:8]} {VALID[8:]}", VALID),
    (f"{VALID[:4]}-{VALID[4:8]}-{VALID[8:]}", VALID),
    (f"  {VALID}\n", VALID),
    (f"{VALID[:4]}\u00a0{VALID[4:8]}\u00a0{VALID[8:]}", VALID),    # no-break spaces from copy-paste
    (VALID.translate(DEVANAGARI), VALID),                            # typed on a Hindi keyboard
    (OTHER_VALID, OTHER_VALID),
])
def test_valid_aadhaar_gives_the_12_digits(raw, expected):
    assert identity.parse_aadhaar(raw) == expected


@pytest.mark.parametrize("raw, key", [
    ("", "error.required"),
    ("   ", "error.required"),
    (None, "error.required"),
    (WRONG_CHECK, "error.aadhaar_invalid"),
    (VALID[:11], "error.aadhaar_invalid"),                  # 11 digits
    (VALID + "0", "error.aadhaar_invalid"),                 # 13 digits
    ("2345 6789 01AB", "error.aadhaar_invalid"),            # letters
    ("abcdefghijkl", "error.aadhaar_invalid"),
    (with_check_digit("03456789012"), "error.aadhaar_invalid"),   # cannot start with 0
    (with_check_digit("13456789012"), "error.aadhaar_invalid"),   # nor with 1
    ("2" * 5000, "error.aadhaar_invalid"),
])
def test_invalid_aadhaar(raw, key):
    assert problem_of(identity.parse_aadhaar, raw) == Problem("id_number", key)


# Known answers, computed once outside the portal: HMAC-SHA256 with KEY over the 12 ASCII digits
# (python -c "import hmac, hashlib; print(hmac.new(KEY, b'234567890124', hashlib.sha256).hexdigest())").
KNOWN_HMAC = {"234567890124": "8a02afca80e255e80bd6b4a88169f9ed1d9eaa9691272b22d2a1b072a5e217cc",
              "987654321096": "d6b526d5c8f9308d8620c4b02e7544ede22694eb4e698ec1aee3d124f9b8451a"}


@pytest.mark.parametrize("typed, number", [
    ("234567890124", "234567890124"),
    ("2345 6789 0124", "234567890124"),
    ("2345-6789-0124", "234567890124"),
    ("२३४५ ६७८९ ०१२४", "234567890124"),
    (" 9876\u00a05432 1096 ", "987654321096"),
])
def test_hmac_matches_the_known_answer_for_the_normalised_number(typed, number):
    assert (VALID, OTHER_VALID) == ("234567890124", "987654321096")
    assert identity.aadhaar_hmac(typed, KEY) == KNOWN_HMAC[number]


def test_hmac_is_stable_keyed_and_does_not_reveal_the_number():
    spaced = f"{VALID[:4]} {VALID[4:8]} {VALID[8:]}"
    digest = identity.aadhaar_hmac(VALID, KEY)
    assert digest == KNOWN_HMAC[VALID] == identity.aadhaar_hmac(spaced, KEY)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != identity.aadhaar_hmac(VALID, b"another-key")
    assert digest != identity.aadhaar_hmac(OTHER_VALID, KEY)
    assert VALID not in digest


def test_hmac_refuses_an_empty_key():
    with pytest.raises(ValueError):
        identity.aadhaar_hmac(VALID, b"")


@pytest.mark.parametrize("last4, masked", [
    ("1234", "XXXX XXXX 1234"),
    ("0007", "XXXX XXXX 0007"),
    (VALID, f"XXXX XXXX {VALID[-4:]}"),        # a full number passed by mistake still comes out masked
])
def test_mask_aadhaar(last4, masked):
    assert masking.mask_aadhaar(last4) == masked


@pytest.mark.parametrize("bad", ["", None, "123", "12345"])
def test_mask_aadhaar_refuses_what_is_not_last4(bad):
    with pytest.raises(ValueError):
        masking.mask_aadhaar(bad)


def test_aadhaar_last4():
    assert identity.aadhaar_last4(f"{VALID[:4]} {VALID[4:8]} {VALID[8:]}") == VALID[-4:]


# --- PPP Family ID ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("ABCD1234", "ABCD1234"),
    ("abcd1234", "ABCD1234"),
    ("ab cd-12 34", "ABCD1234"),
    ("12345678", "12345678"),
    ("T1234ABCD", "T1234ABCD"),
    ("t1234abcd", "T1234ABCD"),
    ("TABCD123", "TABCD123"),                   # 8 characters may begin with T too
    ("ABCD१२३४", "ABCD1234"),                   # Devanagari digits
])
def test_valid_ppp(raw, expected):
    assert identity.parse_ppp(raw) == expected


@pytest.mark.parametrize("raw, key", [
    ("", "error.required"),
    (" - ", "error.required"),
    (None, "error.required"),
    ("A1234ABCD", "error.ppp_invalid"),         # 9 characters not starting with T
    ("ABC1234", "error.ppp_invalid"),           # 7 characters
    ("T1234ABCDE", "error.ppp_invalid"),        # 10 characters
    ("ABCD/234", "error.ppp_invalid"),          # symbols
    ("ABCD_234", "error.ppp_invalid"),
    ("ABCDÉ234", "error.ppp_invalid"),          # non-ASCII letters
])
def test_invalid_ppp(raw, key):
    assert problem_of(identity.parse_ppp, raw) == Problem("id_number", key)


# --- identity proof --------------------------------------------------------------------------------

def test_aadhaar_proof_keeps_only_last4_and_hmac():
    proof = identity.identity_proof("aadhaar", f"{VALID[:4]} {VALID[4:8]} {VALID[8:]}", KEY)
    assert proof == identity.IdentityProof(IdType.AADHAAR, VALID[-4:], KNOWN_HMAC[VALID], None)
    assert proof.masked == f"XXXX XXXX {VALID[-4:]}"
    assert VALID not in repr(proof)


def test_ppp_proof():
    proof = identity.identity_proof(IdType.PPP, "t1234abcd", KEY)
    assert proof == identity.IdentityProof(IdType.PPP, None, None, "T1234ABCD")
    assert proof.masked == "T1234ABCD"


@pytest.mark.parametrize("id_type, number, expected", [
    ("passport", VALID, Problem("id_type", "error.required")),
    ("", VALID, Problem("id_type", "error.required")),
    (None, VALID, Problem("id_type", "error.required")),
    ("aadhaar", WRONG_CHECK, Problem("id_number", "error.aadhaar_invalid")),
    ("aadhaar", "", Problem("id_number", "error.required")),
    ("ppp", "ABC", Problem("id_number", "error.ppp_invalid")),
    ("ppp", VALID, Problem("id_number", "error.ppp_invalid")),
])
def test_identity_proof_problems(id_type, number, expected):
    assert problem_of(identity.identity_proof, id_type, number, KEY) == expected


def test_identity_proof_is_frozen():
    proof = identity.identity_proof("ppp", "ABCD1234", KEY)
    with pytest.raises(AttributeError):
        proof.ppp_id = "X"


# --- mobile ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "9812345678",
    "+91 98123 45678",
    "+91-98123-45678",
    "09812345678",
    "98123 45678",
    "981-234-5678",
    "919812345678",
    " +919812345678 ",
    "9812345678".translate(DEVANAGARI),
    "98123\u00a045678",
])
def test_valid_mobile_becomes_e164(raw):
    assert identity.parse_mobile(raw) == "+919812345678"


@pytest.mark.parametrize("raw, e164", [
    ("6012345678", "+916012345678"),
    ("7012345678", "+917012345678"),
    ("8012345678", "+918012345678"),
])
def test_mobiles_starting_6_to_9(raw, e164):
    assert identity.parse_mobile(raw) == e164


@pytest.mark.parametrize("raw, key", [
    ("", "error.required"),
    ("   ", "error.required"),
    (None, "error.required"),
    ("01274 222222", "error.mobile_invalid"),       # Rewari landline (STD 01274)
    ("+91 1274 222222", "error.mobile_invalid"),
    ("12345", "error.mobile_invalid"),
    ("98123456789", "error.mobile_invalid"),        # 11 digits
    ("abcdefghij", "error.mobile_invalid"),
    ("98123abcde", "error.mobile_invalid"),
    ("+1 650 253 0000", "error.mobile_invalid"),    # foreign
    ("+44 7911 123456", "error.mobile_invalid"),    # foreign mobile
    ("9" * 500, "error.mobile_invalid"),
])
def test_invalid_mobile(raw, key):
    assert problem_of(identity.parse_mobile, raw) == Problem("mobile", key)


def test_mask_mobile():
    assert masking.mask_mobile("+919812345678") == "+91 XXXXXX5678"


# --- email -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("citizen@example.com", "citizen@example.com"),
    ("  Ram.Kumar+rti@Gmail.COM ", "Ram.Kumar+rti@gmail.com"),   # only the domain is lowercased
    ("a@rewari.gov.in", "a@rewari.gov.in"),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_email(raw, expected):
    assert identity.parse_email(raw) == expected


@pytest.mark.parametrize("raw", [
    "plainaddress",
    "two@@example.com",
    "a@b@example.com",
    "@example.com",
    "user@",
    "user@localhost",
    "user@example",
    "user@.example.com",
    "user@example..com",
    "user@-example.com",
    "us er@example.com",
    "user@exa mple.com",
    "user\n@example.com",
    "a" * 250 + "@example.com",                     # over 254 characters
])
def test_invalid_email(raw):
    assert problem_of(identity.parse_email, raw) == Problem("email", "error.email_invalid")
