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
from lib.core.lifecycle import CITIZEN, Feedback, RejectionReason
from lib.ops.seed.texts import (CANCEL_REASONS, CATEGORY_WEIGHTS, FORWARD_TO, INSTRUCTIONS, LOCALITIES, REMARKS,
                                REPORT_DAYS, REPORTS, SEASONS, TEXTS, USUAL_REPORT_DAYS)

IST_OFFSET_S = 19_800         # Asia/Kolkata is UTC+5:30 all year (no daylight saving)
DAY_S = 86_400
HINDI_NAMES, ENGLISH_NAMES = 3000, 1500
STATUSES = [s.value for s in Status]
LANGUAGES = [Language.HINDI.value, Language.ENGLISH.value]     # index 0 = hi, 1 = en
DC_OFFICE, DC = "dc_office", "dc_rewari"     # the DC's clerks, and the DC who hears and directs
REASONS = list(RejectionReason)
ANSWERS = list(Feedback)


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
    category_p: np.ndarray           # (seasons, 2, categories): per season, town then village
    season_of_month: np.ndarray      # month (1-12) -> season index (0: no season)
    text_base: np.ndarray            # first template of each category
    text_count: np.ndarray
    text_department: np.ndarray      # per template: department index
    category_has_department: np.ndarray
    subjects: pa.Array               # all templates in Hindi, then in English
    descriptions: pa.Array
    departments: pa.Array
    forward_to: np.ndarray           # per department: the department it forwards to
    report_days: np.ndarray          # per department: median days to its report
    names: pa.Array                  # Hindi-script names, then Latin-script names
    hindi_names: int
    localities: pa.Array
    actors: pa.Array                 # people and offices, then one officer per department
    officer_base: int                # actors[officer_base + department index] is its officer
    remarks: pa.Array                # officers' words by status, then the codes of coded entries
    remark_base: np.ndarray          # (statuses, languages)
    remark_count: np.ndarray
    reason_base: int                 # remarks[reason_base + i] is lives.REASONS[i]
    department_code_base: int        # remarks[department_code_base + i] is departments[i]
    answer_base: int                 # remarks[answer_base + i] is lives.ANSWERS[i]
    instructions: pa.Array           # in Hindi, then in English (as many of each)
    reports: pa.Array
    cancel_reasons: pa.Array


def load_district(cur, rng: np.random.Generator) -> District:
    """The district as the seeder draws from it, from the reference tables and lib.ops.seed.texts."""
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
    seasonal = [cat_w] + [cat_w * np.array([more.get(c[0], 1.0) for c in categories]) for _, more, _ in SEASONS]
    season_of_month = np.zeros(13, dtype=np.int64)
    for i, (months, _, _) in enumerate(SEASONS, start=1):
        season_of_month[list(months)] = i
    counts = np.array([len(TEXTS[c[0]]) for c in categories])
    templates = [(c, t) for c in categories for t in TEXTS[c[0]]]
    # The demo's officer accounts are officer_<department> (lib.staff.signin).
    officers = [f"officer_{code.lower()}" for code in departments]
    actors = [CITIZEN, DC_OFFICE, DC]          # lives.FIXED_ACTORS
    remark_lists = [REMARKS.get(Status(s), ([], [])) for s in STATUSES]
    remark_texts = [text for pair in remark_lists for lang_texts in (pair[1], pair[0]) for text in lang_texts]
    remark_count = np.array([[len(pair[1]), len(pair[0])] for pair in remark_lists])
    remark_base = np.cumsum(remark_count.ravel()).reshape(remark_count.shape) - remark_count
    codes = [str(r) for r in REASONS] + departments + [str(a) for a in ANSWERS]
    names_hi, names_en = _name_pool(int(rng.integers(2**31)))
    return District(
        place_lgd=np.array([p.lgd_code for p in places]), place_tehsil=np.array([p.tehsil_lgd for p in places]),
        place_wards=wards, town_idx=town_idx, village_idx=village_idx,
        town_p=wards[town_idx] / wards[town_idx].sum(), village_p=village_w / village_w.sum(),
        place_names=pa.array([p.name_en for p in places] + [name_in("hi", p.name_en, p.name_hi) for p in places]),
        category_codes=pa.array([c[0] for c in categories]),
        category_p=np.stack([w / w.sum(axis=1, keepdims=True) for w in seasonal]),
        season_of_month=season_of_month,
        text_base=np.cumsum(counts) - counts, text_count=counts,
        # A complaint with no department of its own goes to Revenue, the DC's own office.
        text_department=np.array([dept_index[t[0] or c[3] or "REV"] for c, t in templates]),
        category_has_department=np.array([bool(c[3]) for c in categories]),
        subjects=pa.array([t[3] for _, t in templates] + [t[1] for _, t in templates]),
        descriptions=pa.array([t[4] for _, t in templates] + [t[2] for _, t in templates]),
        departments=pa.array(departments),
        forward_to=np.array([dept_index.get(FORWARD_TO.get(code, "REV"), i) for i, code in enumerate(departments)]),
        report_days=np.array([REPORT_DAYS.get(code, USUAL_REPORT_DAYS) for code in departments]),
        names=pa.array(names_hi + names_en), hindi_names=len(names_hi),
        localities=pa.array(LOCALITIES[Language.HINDI] + LOCALITIES[Language.ENGLISH]),
        actors=pa.array(actors + officers), officer_base=len(actors),
        remarks=pa.array(remark_texts + codes), remark_base=remark_base, remark_count=remark_count,
        reason_base=len(remark_texts), department_code_base=len(remark_texts) + len(REASONS),
        answer_base=len(remark_texts) + len(REASONS) + len(departments),
        instructions=pa.array(INSTRUCTIONS[1] + INSTRUCTIONS[0]), reports=pa.array(REPORTS[1] + REPORTS[0]),
        cancel_reasons=pa.array(CANCEL_REASONS),
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
