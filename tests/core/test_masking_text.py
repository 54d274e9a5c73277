"""Aadhaar numbers typed into free text are stored masked; the Family ID is shown masked too."""
from __future__ import annotations

import random
import uuid

import pytest
from stdnum import verhoeff

from lib.citizen.filing import file_complaint
from lib.citizen.tracking import find_complaint, load_public_complaint
from lib.core.masking import mask_aadhaar_in_text, mask_ppp
from lib.db.casework import cases as cases_db
from lib.db.connect import transaction
from tests.conftest import make_form, valid_aadhaar

AADHAAR = valid_aadhaar(random.Random(11))
LAST4 = AADHAAR[-4:]
MASKED = f"XXXX XXXX {LAST4}"
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def grouped(number: str, sep: str) -> str:
    return sep.join((number[:4], number[4:8], number[8:]))


@pytest.mark.parametrize("written", [
    AADHAAR, grouped(AADHAAR, " "), grouped(AADHAAR, "-"), grouped(AADHAAR, "\u00a0"),
    AADHAAR.translate(DEVANAGARI), grouped(AADHAAR, " ").translate(DEVANAGARI),
])
def test_a_valid_aadhaar_anywhere_in_the_text_keeps_only_its_last_four_digits(written):
    text = f"मेरा आधार {written}, पानी नहीं आ रहा (Aadhaar: {written})."
    assert mask_aadhaar_in_text(text) == f"मेरा आधार {MASKED}, पानी नहीं आ रहा (Aadhaar: {MASKED})."


@pytest.mark.parametrize("text", [
    "मोबाइल 9876543210 पर फ़ोन करें",                     # a phone number
    AADHAAR[:-1] + str((int(AADHAAR[-1]) + 1) % 10),      # wrong check digit
    "1" + AADHAAR,                                        # 13 digits: not an Aadhaar number
    "Rs 1,20,000 on 12-03-2026, khasra 1234/5678",
    "",
])
def test_other_numbers_stay_as_written(text):
    assert mask_aadhaar_in_text(text) == text


def test_a_valid_number_inside_a_longer_grouped_one_is_masked_all_the_same():
    assert mask_aadhaar_in_text(f"card 1111 {grouped(AADHAAR, ' ')}") == f"card 1111 {MASKED}"


def test_a_complaint_stores_the_description_locality_and_subject_masked(con, settings, choices):
    form = make_form(description=f"मेरा आधार नंबर {grouped(AADHAAR, ' ')} है, दस दिन से पानी नहीं।",
                     locality=f"गली 4, आधार {AADHAAR.translate(DEVANAGARI)}",
                     subject=f"आधार {grouped(AADHAAR, '-')} वाला")
    ack = file_complaint(con, settings, form, choices, track_url="http://x")
    with con.cursor() as cur:
        row = cur.execute("SELECT description, locality, subject FROM complaints WHERE id = ?",
                          [ack.complaint_id]).fetchall()[0]
    assert all(MASKED in value for value in row)
    stored = "".join(row).translate(str.maketrans("०१२३४५६७८९", "0123456789")).replace(" ", "").replace("-", "")
    assert AADHAAR not in stored


def test_remarks_directions_and_reports_are_stored_masked_whatever_path_writes_them(con, settings, choices):
    ack = file_complaint(con, settings, make_form(), choices, track_url="http://x")
    text = f"citizen's Aadhaar {grouped(AADHAAR, ' ')} checked"
    with transaction(con) as cur:
        cases_db.add_event(cur, ack.complaint_id, ack.filed_at, "dc_rewari", "scrutiny_started", None, None, text, False)
        cases_db.add_direction(cur, ack.complaint_id, "PHED", text, ack.filed_at.date(), "dc_rewari", ack.filed_at)
        cases_db.add_action_report(cur, ack.complaint_id, "PHED", text, None, "officer_phed", ack.filed_at)
    with con.cursor() as cur:
        stored = [cur.execute(sql, [ack.complaint_id]).fetchall()[0][0] for sql in (
            "SELECT remark FROM complaint_events WHERE complaint_id = ? AND remark IS NOT NULL",
            "SELECT instruction FROM directions WHERE complaint_id = ?",
            "SELECT report FROM action_reports WHERE complaint_id = ?")]
    assert stored == [f"citizen's Aadhaar {MASKED} checked"] * 3


def test_the_family_id_is_masked_on_the_receipt_and_the_track_page(con, settings, choices):
    assert (mask_ppp("AB12CD34"), mask_ppp("T1234X678")) == ("XXXXCD34", "XXXXXX678")
    form = make_form(id_type="ppp", id_number="AB12CD34", mobile="98765 43210", submission_token=uuid.uuid4().hex)
    ack = file_complaint(con, settings, form, choices, track_url="http://x")
    assert load_public_complaint(con, ack.complaint_id).masked_id == "XXXXCD34"
    assert find_complaint(con, ack.tracking_no, "9876543210").masked_id == "XXXXCD34"
