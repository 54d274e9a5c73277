"""Citizens filing for the benchmark: a realistic ID photo, valid forms from anywhere in the district,
filings one after another and many at once through lib.citizen.filing, and the check that every
acknowledged filing was stored exactly once and whole."""
from __future__ import annotations

import io
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import numpy as np
from PIL import Image
from stdnum import verhoeff

from lib.citizen.filing import Acknowledgement, ComplaintForm, FormChoices, UploadedFile, file_complaint
from lib.db.ops import bench as bench_db

def id_image(seed: int = 1) -> bytes:
    """A 1200×900 phone photo of an ID card, about 200 KB as JPEG: smooth colour with sensor
    noise, so that the encoder has real work (a flat image would be a few KB)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:900, 0:1200]
    base = np.stack([120 + 60 * np.sin(x / 90), 140 + 50 * np.cos(y / 70), 100 + 40 * np.sin((x + y) / 120)], -1)
    pixels = np.clip(base + rng.normal(0, 8, base.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85)
    return out.getvalue()


def citizen_form(rng: random.Random, choices: FormChoices, image: bytes, today: date) -> ComplaintForm:
    """A complete, valid complaint from a random place of the district."""
    place = rng.choice(list(choices.places.values()))
    category = rng.choice(list(choices.categories))
    aadhaar = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return ComplaintForm(
        language=rng.choice(("hi", "en")), name="सुनीता देवी", mobile=f"98{rng.randint(0, 99_999_999):08d}",
        id_type="aadhaar", id_number=aadhaar + verhoeff.calc_check_digit(aadhaar),
        id_document=UploadedFile("aadhaar.jpg", image), tehsil_lgd=place.tehsil_lgd, place_lgd=place.lgd_code,
        ward=rng.choice(place.ward_numbers()) if place.is_town else None, category_code=category,
        department_code=choices.categories[category][2], subject="पानी की सप्लाई बंद",
        description="हमारी गली में पिछले दस दिनों से पीने के पानी की सप्लाई बंद है।", consent=True,
        submission_token=uuid.uuid4().hex, preferred_dates=(today + timedelta(days=5),))


def time_filings(con, settings, choices: FormChoices, forms: list[ComplaintForm]) -> tuple[list[float], list]:
    """Each form filed in turn: (milliseconds per filing, acknowledgements)."""
    millis, acks = [], []
    for form in forms:
        started = time.perf_counter()
        acks.append(file_complaint(con, settings, form, choices, track_url=settings.track_url))
        millis.append((time.perf_counter() - started) * 1000)
    return millis, acks


def file_together(con, settings, choices: FormChoices, forms: list[ComplaintForm],
                  threads: int) -> tuple[float, list[Acknowledgement], list[str]]:
    """`threads` citizens at once, sharing the forms out: (seconds, acknowledgements, errors seen)."""
    acks: list[Acknowledgement] = []
    errors: list[str] = []

    def citizen(share: list[ComplaintForm]) -> None:
        for form in share:
            try:
                acks.append(file_complaint(con, settings, form, choices, track_url=settings.track_url))
            except Exception as exc:  # noqa: BLE001 - what the citizen would see; counted, not hidden
                errors.append(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(citizen, [forms[i::threads] for i in range(threads)]))
    return time.perf_counter() - started, acks, errors


def check_filings(con, acks: list[Acknowledgement]) -> dict[str, int]:
    """Every acknowledged tracking number must be in the database exactly once, with its event,
    SMS and ID document."""
    numbers = [a.tracking_no for a in acks]
    with con.cursor() as cur:
        stored = bench_db.stored_filings(cur, numbers)
    copies = stored["copies"]
    complete = (stored["filed_events"] > 0) & (stored["sms"] > 0) & (stored["id_documents"] > 0)
    return {"lost": int((copies == 0).sum()),
            "duplicated": len(numbers) - len(set(numbers)) + int((copies - 1).clip(lower=0).sum()),
            "incomplete": int(((copies > 0) & ~complete).sum())}
