"""The complaint page's likely duplicates (AppTest): an officer sees those of their own department with their
tracking number, subject and status, never another citizen's name, mobile or ID; only the DC may merge."""
from __future__ import annotations

import random

from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from tests.casework.test_detail_page import every_text, open_detail, portal  # noqa: F401  (portal: a fixture)
from tests.conftest import make_form, open_portal_as, valid_aadhaar

OTHER_AADHAAR = valid_aadhaar(random.Random(900))


def test_an_officer_sees_the_likely_duplicates_of_their_department_without_personal_data(portal):
    from lib.ui import connection            # the app's own cached connection, in this process
    con = connection()
    neighbour = file_complaint(con, load_settings({}), make_form(
        name="रामपाल यादव", mobile="98111 22233", id_number=OTHER_AADHAAR, subject="नल में पानी नहीं",
        department_code="PHED"), load_form_choices(con), track_url="http://x/track")
    at = open_detail(open_portal_as("officer_phed"), portal["phed"].tracking_no)
    shown = every_text(at)
    assert "Likely duplicates" in [s.value for s in at.subheader]
    assert neighbour.tracking_no in shown and "नल में पानी नहीं" in shown
    assert "same place and category" in shown
    assert "रामपाल" not in shown and "98111" not in shown and OTHER_AADHAAR[-4:] not in shown
    assert portal["ulb"].tracking_no not in shown                  # another department's and category
    # Merging is the DC's: an officer gets neither form.
    assert not [e for e in at.expander if "Merge" in e.label]

    dc = open_detail(open_portal_as("dc_rewari"), portal["phed"].tracking_no)
    assert any("Merge duplicates into this complaint" == e.label for e in dc.expander)
