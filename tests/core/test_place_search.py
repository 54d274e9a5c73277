"""What a citizen types, in either script, finds the village or town from the real reference data."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.core.config import REFERENCE_DIR
from lib.core.place_search import match_places, narrowed_places
from lib.core.places import Place, place_label


def reference_places() -> list[Place]:
    loc = pd.read_csv(REFERENCE_DIR / "rewari_locations.csv", dtype=str, keep_default_na=False)
    return [Place(int(r.lgd_code), int(r.subdistrict_lgd), r.kind, r.village_or_town, r.name_hi or None,
                  int(r.wards) if r.wards else None) for r in loc.itertuples()]


PLACES = reference_places()


@pytest.mark.parametrize("typed, expected", [
    ("खुरसैद", "Khursaid Nagar"),
    ("खुरसैद नगर", "Khursaid Nagar"),
    ("रेवाड़ी", "Rewari"),
    ("रेवाडी", "Rewari"),             # ड without the dot, as many phones type it
    ("धारूहेड़ा", "Dharuhera"),
    ("कोसली", "Kosli"),
    ("मनेठी", "Manethi"),
    ("पाल्हावास", "Palhawas"),
    ("डहीना", "Dahina"),
    ("गुरावड़ा", "Gurawara"),
    ("बुड़ौली", "Buroli"),
    ("गोकलगढ़", "Gokalgarh"),
    ("सहारनवास", "Saharanwas"),
    ("rewari", "Rewari"),
    ("REWARI", "Rewari"),
    ("khursaid", "Khursaid Nagar"),
    ("Revari", "Rewari"),             # by sound
    ("dharuhera", "Dharuhera"),
])
def test_either_script_finds_the_place_first(typed, expected):
    found = match_places(typed, PLACES, "hi")
    assert found and found[0].name_en == expected


def test_a_hindi_name_entered_by_the_district_is_matched_directly():
    places = [Place(1, 414, "village", "Kanwali", "कनवाली", None), Place(2, 414, "village", "Kalaka", None, None)]
    assert match_places("कनवा", places, "hi") == [places[0]]


def test_nothing_typed_or_nothing_alike_finds_nothing():
    assert match_places("", PLACES, "hi") == []
    assert match_places("   ", PLACES, "en") == []
    assert match_places("हैदराबाद", PLACES, "hi") == []
    assert match_places("Bengaluru", PLACES, "en") == []


def test_a_town_and_the_village_of_the_same_name_both_come_back():
    assert {p.kind for p in match_places("रेवाड़ी", PLACES, "hi") if p.name_en == "Rewari"} == {"town", "village"}


def test_a_search_narrows_the_picker_but_keeps_the_place_already_chosen():
    kosli = [p for p in PLACES if p.tehsil_lgd == 413]
    khursaid = next(p.lgd_code for p in kosli if p.name_en == "Khursaid Nagar")
    kosli_town = next(p.lgd_code for p in kosli if p.name_en == "Kosli")
    codes, found = narrowed_places("खुरसैद", kosli, "hi")
    assert codes[0] == khursaid and found == len(codes) < len(kosli)
    codes, _ = narrowed_places("खुरसैद", kosli, "hi", chosen=kosli_town)
    assert codes[0] == kosli_town and khursaid in codes
    assert narrowed_places("", kosli, "hi") == ([p.lgd_code for p in kosli], 0)


@pytest.mark.parametrize("name_hi, language, label", [
    ("रेवाड़ी", "hi", "रेवाड़ी"),
    ("रेवाड़ी", "en", "Rewari"),
    (None, "hi", "Rewari"),
    ("  ", "hi", "Rewari"),           # never blank
])
def test_place_label(name_hi, language, label):
    assert place_label(Place(248569, 414, "town", "Rewari", name_hi, 32), language) == label
