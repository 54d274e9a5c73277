"""Demo data for Rewari: fictional citizens and complaints, generated in bulk.

texts: the words; district: what a batch draws from; lives: each complaint's road through the
lifecycle; batch: the people, places and complaint rows; history: the events, directions, reports,
feedback and hearings; here: the run, in batches of one transaction each (lib.db.ops.seed writes)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from lib.core.config import DISTRICT_CODE
from lib.core.states import HearingStatus, SmsStatus
from lib.db.connect import transaction
from lib.db.ops import seed as seed_db
from lib.hearings.rooms import jitsi_base_url
from lib.ops.seed import history
from lib.ops.seed.batch import Batch
from lib.ops.seed.district import DAY_S, DC, DC_OFFICE, IST_OFFSET_S, LANGUAGES, load_district
from lib.ops.seed.texts import PLACE, SEASONS
from lib.sms.templates import render

BATCH_SIZE = 200_000          # one transaction each: big enough for speed, small enough to show progress
HISTORY_DAYS = 730            # complaints are spread over the two years before `now`
TRACKING_MARKER = "@@TRACKING_NO@@"
ACK_KEY_PREFIX = "ack:"       # the idempotency key lib.filing gives the acknowledgement SMS


def seed_complaints(con, count: int, *, now: datetime | None = None, random_seed: int | None = None,
                    track_url: str = "http://localhost:8501/track_complaint",
                    progress: Callable[[int], None] | None = None) -> int:
    """Add `count` demo complaints filed over the two years before `now`, with their history,
    directions, reports, feedback, hearings and acknowledgement SMS, in batches of one transaction
    each. Returns the complaints added."""
    if count <= 0:
        return 0
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_s = int(now.timestamp())
    rng = np.random.default_rng(random_seed)
    with con.cursor() as cur:
        district = load_district(cur, rng)
    sms_templates = _sms_templates(track_url)
    hmac_salt = rng.bytes(16).hex()
    video_url = jitsi_base_url()
    filed = _filing_times(rng, count, now_s)
    added = 0
    for start in range(0, count, BATCH_SIZE):
        batch = Batch.draw(rng, district, filed[start:start + BATCH_SIZE], now_s)
        rows = history.counts(batch)
        with transaction(con) as cur:
            ids = seed_db.reserve_ids(cur, "complaint_seq", batch.size)
            reserve = {name: seed_db.reserve_ids(cur, sequence, count) for name, sequence, count in (
                ("events", "event_seq", batch.event_count), ("sms", "sms_seq", batch.size),
                ("directions", "direction_seq", rows["directions"]), ("reports", "report_seq", rows["reports"]),
                ("hearings", "hearing_seq", rows["hearings"]))}
            tables = {
                "complaints": batch.complaints(district, ids, reserve["sms"]),
                "events": history.events(batch, district, ids, reserve["events"]),
                "directions": history.directions(batch, district, ids, reserve["directions"]),
                "reports": history.reports(batch, district, ids, reserve["reports"]),
                "feedback": history.feedback(batch, ids),
                "hearings": history.hearings(batch, district, ids, reserve["hearings"]),
                "sms_templates": sms_templates,
            }
            seed_db.insert_seed_batch(
                cur, tables, district_code=DISTRICT_CODE, hmac_salt=hmac_salt, place_marker=PLACE,
                template="acknowledgement", tracking_marker=TRACKING_MARKER, sms_status=SmsStatus.SENT,
                key_prefix=ACK_KEY_PREFIX, dc=DC, office=DC_OFFICE, video_url=video_url,
                booked=HearingStatus.BOOKED)
        added += batch.size
        if progress:
            progress(batch.size)
    with con.cursor() as cur:
        seed_db.refresh_statistics(cur)
    return added


def _sms_templates(track_url: str) -> pa.Table:
    """The acknowledgement rendered once per language, with a marker where the tracking number goes."""
    rows = [(lang, *render("acknowledgement", lang, tracking_no=TRACKING_MARKER, track_url=track_url))
            for lang in LANGUAGES]
    for _, _, body in rows:
        assert body.count(TRACKING_MARKER) == 1, "the SMS template must show the tracking number once"
    return pa.table({"language": [r[0] for r in rows], "dlt_template_id": [r[1] for r in rows],
                     "body": [r[2] for r in rows]})


def _filing_times(rng: np.random.Generator, count: int, now_s: int) -> np.ndarray:
    """Filing times (epoch seconds, ascending) over the last two years: later months are busier, so
    are the summer and the monsoon (texts.SEASONS), Sundays are quiet, and people file in the
    morning or after work (hours of Rewari, IST)."""
    today = (now_s + IST_OFFSET_S) // DAY_S
    days = np.arange(today - HISTORY_DAYS + 1, today + 1)
    weight = 1.0 + 1.5 * np.linspace(0.0, 1.0, HISTORY_DAYS)
    weekday = (days + 3) % 7                       # 1970-01-01 was a Thursday; Monday = 0
    weight *= np.where(weekday == 6, 0.45, np.where(weekday == 5, 0.8, 1.0))
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    for months, _, busier in SEASONS:
        weight[np.isin(month, months)] *= busier
    day = rng.choice(days, size=count, p=weight / weight.sum())
    evening = rng.random(count) < 0.35
    hour = np.where(evening, rng.normal(19.5, 1.5, count), rng.normal(11.5, 2.2, count))
    # Phones file at any hour: a few at night, and no pile-up at the ends of the day.
    night = (rng.random(count) < 0.04) | (hour < 5.5) | (hour >= 24)
    hour[night] = rng.uniform(0, 24, int(night.sum()))
    second = (hour * 3600).astype(np.int64)
    filed = day * DAY_S - IST_OFFSET_S + second
    future = filed >= now_s                        # later today: move to the hours just gone
    filed[future] = now_s - rng.integers(60, 4 * 3600, int(future.sum()))
    return np.sort(filed)
