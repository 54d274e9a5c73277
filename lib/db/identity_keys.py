"""The citizen's identity as numbers on the complaint row (migration 022): `id_key` for the ID document
(the Aadhaar hash, or the Family ID) and `mobile_key` for the mobile.

Why: the likely-duplicate hints look for complaints of the same citizen among the ~1.5 million filed in
their window at ten million complaints; comparing integers there is several times cheaper than comparing
strings. A key is the first 15 hex digits of the text's MD5 (60 bits, never negative), the same in
Python here, in the migration's SQL and in the seeder's, on both engines (tests/casework/test_identity_keys.py).
MD5 is used as a fixed, well-spread function, not for secrecy: the Aadhaar hash it is taken of is already
keyed. Two texts may share a key, so a key only narrows the search; the real columns decide."""
from __future__ import annotations

import hashlib

HEX_DIGITS = 15


def key_of(text: str | None) -> int | None:
    if text is None:
        return None
    return int(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:HEX_DIGITS], 16)


def keys(aadhaar_hmac: str | None, ppp_id: str | None, mobile: str) -> tuple[int | None, int | None]:
    """(id_key, mobile_key) of a complaint."""
    return key_of(aadhaar_hmac if aadhaar_hmac is not None else ppp_id), key_of(mobile)


# The same in SQL, for rows written in bulk (the seeder); `{}` is the text's SQL expression.
KEY_SQL = {
    "duckdb": f"('0x' || substr(md5({{}}), 1, {HEX_DIGITS}))::BIGINT",
    "postgres": f"('x' || '0' || substr(md5({{}}), 1, {HEX_DIGITS}))::BIT(64)::BIGINT",
}


def key_sql(dialect: str, expression: str) -> str:
    return KEY_SQL[dialect].format(expression)
