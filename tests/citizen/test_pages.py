"""The public pages through Streamlit's AppTest: filing with an upload, bad input, language (tracking: test_track_page.py)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import jpeg_bytes, valid_aadhaar

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL


def fill_valid_form(at: AppTest) -> None:
    at.text_input(key="name_0").input("कमला देवी")
    at.text_input(key="mobile_0").input("9876543210")
    at.text_input(key="id_number_0").input(valid_aadhaar())
    at.file_uploader(key="id_document_0").set_value(("aadhaar.jpg", jpeg_bytes(), "image/jpeg"))
    at.selectbox(key="tehsil_0").set_value(414)
    at.run()
    at.selectbox(key="place_414_0").set_value(248569)
    at.run()
    at.selectbox(key="ward_248569_0").set_value(12)
    at.selectbox(key="category_0").set_value("STREETLIGHT")
    at.run()
    at.text_input(key="subject_0").input("स्ट्रीट लाइट खराब")
    at.text_area(key="description_0").input("वार्ड 12 में मुख्य सड़क की सभी स्ट्रीट लाइटें दो हफ्ते से बंद हैं।")
    at.checkbox(key="consent_0").check()
    at.run()


def complaint_count() -> int:
    from lib.ui import connection          # the app's own cached connection, in this process
    with connection().cursor() as cur:
        return cur.execute("SELECT count(*) FROM complaints").fetchall()[0][0]


def test_form_opens_in_hindi_first(app):
    assert app.title[0].value == "शिकायत दर्ज करें"
    assert app.radio(key="language_switch").value == "hi"


def test_language_switch_changes_every_label(app):
    app.radio(key="language_switch").set_value("en").run()
    assert app.title[0].value == "File a complaint"
    assert app.text_input(key="name_0").label == "Your full name"
    assert app.button(key="submit_complaint").label == "Submit complaint"


def test_happy_path_with_an_upload_gives_a_tracking_number(app, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    downloads = []
    original_store = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        downloads.append({"data": path_or_data, "mimetype": mimetype, "filename": filename})
        return original_store(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    fill_valid_form(app)
    aadhaar = app.text_input(key="id_number_0").value
    assert app.selectbox(key="department_STREETLIGHT_0").value == "ULB"   # the usual department
    app.button(key="submit_complaint").click().run()
    assert not app.exception
    ack = app.session_state["acknowledgement"]
    assert any(ack.tracking_no in m.value for m in app.markdown)
    assert app.success[0].value == "आपकी शिकायत दर्ज हो गई है"
    assert complaint_count() == 1
    # The receipt is offered for download: in Hindi, with the tracking number, the masked ID, the
    # place and the department, and not the citizen's name, mobile or full number.
    assert app.get("download_button")
    receipt = downloads[-1]
    assert receipt["mimetype"].startswith("text/plain") and receipt["filename"] == f"{ack.tracking_no}.txt"
    text = receipt["data"].decode("utf-8")
    from lib.ui import connection
    with connection().cursor() as cur:
        place_hi, = cur.execute("SELECT name_hi FROM places WHERE lgd_code = 248569").fetchall()[0]
        department_hi, department_en = cur.execute(
            "SELECT name_hi, name_en FROM departments WHERE code = 'ULB'").fetchall()[0]
    assert text.splitlines()[0] == "ई-सचिवालय रेवाड़ी — शिकायत की रसीद"
    for line in (f"ट्रैकिंग नंबर: {ack.tracking_no}", f"स्थान: {place_hi}", f"विभाग: {department_hi}",
                 f"पहचान का प्रमाण: XXXX XXXX {aadhaar[-4:]}", "वार्ड: 12"):
        assert line in text.splitlines(), (line, text)
    assert department_en not in text and "कमला देवी" not in text and "9876543210" not in text
    assert aadhaar not in text
    app.button[0].click().run()              # "file another complaint"
    assert app.text_input(key="name_1").value == ""


def test_empty_form_shows_every_problem_and_saves_nothing(app):
    app.button(key="submit_complaint").click().run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert errors[0].startswith("कृपया नीचे चिह्नित")
    assert errors.count("यह भरना ज़रूरी है।") >= 6       # name, mobile, id number, document, tehsil, place...
    assert "कृपया सहमति दें ताकि हम आपकी शिकायत पर कार्रवाई कर सकें।" in errors
    assert complaint_count() == 0


def test_bad_values_are_named_in_english_too(app):
    app.radio(key="language_switch").set_value("en").run()
    fill_valid_form(app)
    app.text_input(key="mobile_0").input("12345")
    app.text_input(key="id_number_0").input("1234 5678 9012")
    app.file_uploader(key="id_document_0").set_value(("id.jpg", b"<html><script>x</script></html>", "image/jpeg"))
    app.run()
    app.button(key="submit_complaint").click().run()
    errors = [e.value for e in app.error]
    assert "Enter a valid 10-digit Indian mobile number." in errors
    assert "This is not a valid Aadhaar number. Check the 12 digits." in errors
    assert "Only JPG, PNG or PDF files are accepted." in errors
    assert complaint_count() == 0
    # What the citizen typed is kept, so they only fix the marked fields.
    assert app.text_input(key="name_0").value == "कमला देवी"


# The track page has its own file: tests/citizen/test_track_page.py.



def test_not_sure_of_the_department_files_it_for_the_dcs_office_to_decide(app):
    fill_valid_form(app)
    picker = app.selectbox(key="department_STREETLIGHT_0")
    picker.select_index(0).run()                       # "not sure", first in the list
    assert app.selectbox(key="department_STREETLIGHT_0").options[0] == "पता नहीं — उपायुक्त कार्यालय तय करे"
    app.button(key="submit_complaint").click().run()
    assert "acknowledgement" in app.session_state, [e.value for e in app.error]
    from lib.ui import connection
    with connection().cursor() as cur:
        assert cur.execute("SELECT department_code FROM complaints").fetchall() == [(None,)]


def test_typing_a_village_in_devanagari_lets_the_citizen_choose_its_latin_name(app):
    app.selectbox(key="tehsil_0").set_value(413).run()            # Kosli
    every_place = len(app.selectbox(key="place_413_0").options)
    app.text_input(key="place_search_413_0").input("खुरसैद").run()
    picker = app.selectbox(key="place_413_0")
    assert picker.options[0] == "Khursaid Nagar" and len(picker.options) < every_place
    picker.select_index(0).run()
    chosen = app.selectbox(key="place_413_0").value
    assert app.selectbox(key="place_413_0").format_func(chosen) == "Khursaid Nagar"
    # Another search keeps the choice made, and nothing alike says so and offers the full list.
    app.text_input(key="place_search_413_0").input("हैदराबाद").run()
    assert app.selectbox(key="place_413_0").value == chosen
    assert len(app.selectbox(key="place_413_0").options) == every_place
    assert any("हैदराबाद" in c.value for c in app.caption)


def test_the_problems_are_listed_again_right_above_the_submit_button(app):
    fill_valid_form(app)
    app.text_input(key="name_0").input("")
    app.checkbox(key="consent_0").uncheck()
    app.run()
    app.button(key="submit_complaint").click().run()
    # The last box before the button names each field with its problem, in the form's order.
    listed = app.error[-1].value
    assert listed.startswith("शिकायत भेजने से पहले ये 2 कमियाँ ठीक करें:")
    assert listed.index("**आपका पूरा नाम**: यह भरना ज़रूरी है।") < listed.index(
        "**सहमति**: कृपया सहमति दें ताकि हम आपकी शिकायत पर कार्रवाई कर सकें।")
    assert complaint_count() == 0
