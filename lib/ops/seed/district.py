"""The district as the seeder draws from it: places, categories, texts, names and actors, built once per
run as arrays and Arrow dictionaries, so that a batch of complaints is integer draws only."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from faker import Faker

from lib.core.complaints import Status
from lib.core.i18n import Language, name_in
from lib.db import reference as reference_db
from lib.ops.seed.texts import ACTORS, CATEGORY_WEIGHTS, LOCALITIES, REMARKS, TEXTS

IST_OFFSET_S = 19_800         # Asia/Kolkata is UTC+5:30 all year (no daylight saving)
DAY_S = 86_400
HINDI_NAMES, ENGLISH_NAMES = 3000, 1500
STATUSES = [s.value for s in Status]
LANGUAGES = [Language.HINDI.value, Language.ENGLISH.value]     # index 0 = hi, 1 = en


@dataclass(frozen=True)
class District:
    """Everything a batch draws from, built once: places, categories, texts, names, dictionaries."""
    place_lgd: np.ndarray
    place_tehsil: np.ndarray
    place_wards: np.ndarray          # 0 for villages
    town_idx: np.ndarray
    village_idx: np.ndarray
    town_p: np.ndarray
    village_p: np.ndarray
    place_names: pa.Array            # English names, then names in Hindi (English where unknown)
    category_codes: pa.Array
    category_p: np.ndarray           # (2, categories): town, village
    text_base: np.ndarray            # first template of each category
    text_count: np.ndarray
    text_department: np.ndarray      # per template: department index
    category_has_department: np.ndarray
    subjects: pa.Array               # all templates in Hindi, then in English
    descriptions: pa.Array
    departments: pa.Array
    names: pa.Array                  # Hindi-script names, then Latin-script names
    hindi_names: int
    localities: pa.Array
    actors: pa.Array
    actor_by_status: np.ndarray      # index into actors; -1: the officer of the department
    officer_base: int                # actors[officer_base + department index] is its officer
    remarks: pa.Array
    remark_base: np.ndarray          # (statuses, languages)
    remark_count: np.ndarray

def load_district(cur, rng: np.random.Generator) -> District:
    """The district as the seeder draws from it, from the reference tables and the texts above."""
    places = reference_db.list_places(cur)
    categories = [c for c in reference_db.list_categories(cur) if c[0] in TEXTS]
    departments = [d[0] for d in reference_db.list_departments(cur)]
    for code in ["REV"] + [c[3] for c in categories] + [t[0] for c in categories for t in TEXTS[c[0]]]:
        if code and code not in departments:
            departments.append(code)
    if not places or not categories:
        raise RuntimeError("load the reference data before seeding")
    dept_index = {code: i for i, code in enumerate(departments)}

    kinds = np.array([p.is_town for p in places])
    town_idx, village_idx = np.flatnonzero(kinds), np.flatnonzero(~kinds)
    wards = np.array([p.wards or 0 for p in places], dtype=np.int64)
    # Towns by their size in wards; villages by a fixed, uneven weight so some stand out on charts.
    village_w = rng.lognormal(0.0, 0.6, len(village_idx))

    cat_w = np.array([CATEGORY_WEIGHTS.get(c[0], (3, 3)) for c in categories], dtype=float).T
    counts = np.array([len(TEXTS[c[0]]) for c in categories])
    templates = [(c, t) for c in categories for t in TEXTS[c[0]]]
    officers = [f"{code.lower()}_officer" for code in departments]
    actors = ["citizen", *sorted({a for a in ACTORS.values() if not a.startswith("@")})]
    remark_lists = [REMARKS.get(Status(s), ([], [])) for s in STATUSES]
    remark_texts = [text for pair in remark_lists for lang_texts in (pair[1], pair[0]) for text in lang_texts]
    remark_count = np.array([[len(pair[1]), len(pair[0])] for pair in remark_lists])
    remark_base = np.cumsum(remark_count.ravel()).reshape(remark_count.shape) - remark_count
    names_hi, names_en = _name_pool(int(rng.integers(2**31)))
    return District(
        place_lgd=np.array([p.lgd_code for p in places]), place_tehsil=np.array([p.tehsil_lgd for p in places]),
        place_wards=wards, town_idx=town_idx, village_idx=village_idx,
        town_p=wards[town_idx] / wards[town_idx].sum(), village_p=village_w / village_w.sum(),
        place_names=pa.array([p.name_en for p in places] + [name_in("hi", p.name_en, p.name_hi) for p in places]),
        category_codes=pa.array([c[0] for c in categories]),
        category_p=cat_w / cat_w.sum(axis=1, keepdims=True),
        text_base=np.cumsum(counts) - counts, text_count=counts,
        # A complaint with no department of its own goes to Revenue, the DC's own office.
        text_department=np.array([dept_index[t[0] or c[3] or "REV"] for c, t in templates]),
        category_has_department=np.array([bool(c[3]) for c in categories]),
        subjects=pa.array([t[3] for _, t in templates] + [t[1] for _, t in templates]),
        descriptions=pa.array([t[4] for _, t in templates] + [t[2] for _, t in templates]),
        departments=pa.array(departments), names=pa.array(names_hi + names_en), hindi_names=len(names_hi),
        localities=pa.array(LOCALITIES[Language.HINDI] + LOCALITIES[Language.ENGLISH]),
        actors=pa.array(actors + officers), officer_base=len(actors),
        actor_by_status=np.array([actors.index(ACTORS[Status(s)]) if ACTORS.get(Status(s), "@")[0] != "@"
                                  else -1 for s in STATUSES]),
        remarks=pa.array(remark_texts or [""]), remark_base=remark_base, remark_count=remark_count,
    )


def _name_pool(seed: int) -> tuple[list[str], list[str]]:
    """Fictional names, made once: Faker per row would take minutes for a million complaints.
    Hindi complaints get names in Devanagari (hi_IN), English ones the Latin spelling (en_IN)."""
    pools = []
    for locale, size in (("hi_IN", HINDI_NAMES), ("en_IN", ENGLISH_NAMES)):
        fake = Faker(locale)
        fake.seed_instance(seed)
        # first + last name: Faker's name() adds odd honorific prefixes in hi_IN.
        pools.append([f"{fake.first_name()} {fake.last_name()}" for _ in range(size)])
    return pools[0], pools[1]


def dict_array(indices: np.ndarray, dictionary: pa.Array, mask: np.ndarray | None = None) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32), mask=mask), dictionary)


def timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, type=pa.timestamp("us", tz="UTC"))
