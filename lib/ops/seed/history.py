"""What a batch of demo lives leaves behind besides the complaint rows: the history entries, the DC's
directions with their report-back dates, the departments' action taken reports, the citizens'
feedback and the hearings, as Arrow frames with the ids reserved for them."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from lib.core.complaints import EventKind, Status
from lib.core.states import HearingEvent, HearingStatus
from lib.hearings.rooms import ROOM_PREFIX
from lib.ops.seed import lives as life
from lib.ops.seed.batch import TARGETS, Batch
from lib.ops.seed.district import STATUSES, District, dict_array as _dict, timestamps as _timestamps

EVENTS = [str(k) for k in dict.fromkeys(s.event for s in life.STEPS)] + [str(HearingEvent.CANCELLED)]
EVENT_OF_STEP = np.array([EVENTS.index(str(s.event)) for s in life.STEPS])
SOURCE_OF_STEP = np.array([STATUSES.index(s.source) if s.source else -1 for s in life.STEPS])
HEARING_STATUSES = [str(s) for s in HearingStatus]
ROOM_ALPHABET = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", dtype="S1")
ROOM_CHARS = 32                        # as secrets.token_urlsafe(24), the rooms lib.hearings makes


def _moments(seconds: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=missing)


def counts(b: Batch) -> dict[str, int]:
    """Rows each side table gets from the batch (to reserve their ids)."""
    r = b.lives.reached
    return {"directions": int(r[:, life.DIRECT].sum()),
            "reports": int(r[:, life.REPORT_1].sum() + r[:, life.REPORT_2].sum()),
            "hearings": int(r[:, life.BOOK_1].sum() + r[:, life.BOOK_2].sum())}


def events(b: Batch, d: District, ids: np.ndarray, event_ids: np.ndarray) -> pa.Table:
    """Every step reached, in time order per complaint. Public entries carry only a code from a fixed
    list (reason, department, answer); plain status changes sometimes an officer's short remark."""
    lv = b.lives
    row, step = np.nonzero(lv.reached)            # row-major: each complaint's steps in order
    event = EVENT_OF_STEP[step]
    event[(step == life.CALL_OFF) & ~lv.no_show[row]] = EVENTS.index(str(HearingEvent.CANCELLED))
    source = SOURCE_OF_STEP[step]
    source[(step == life.DIRECT) & ~lv.heard_first[row]] = STATUSES.index(Status.ACCEPTED)
    target = TARGETS[step]

    lang = b.lang[row]
    count = d.remark_count[target, lang]
    remark = np.full(len(row), -1, dtype=np.int64)
    plain = (event == EVENTS.index(str(EventKind.STATUS_CHANGED))) & (count > 0) & ~b.remark_none
    remark[plain] = (d.remark_base[target, lang] + (b.remark_pick * np.maximum(count, 1)).astype(np.int64))[plain]
    for steps, code in (((life.REJECT,), d.reason_base + lv.reason),
                        ((life.FORWARD, life.REPORT_1, life.REPORT_2), d.department_code_base + lv.department_1),
                        ((life.FEEDBACK_1,), d.answer_base + lv.answer_1),
                        ((life.FEEDBACK_2,), d.answer_base + lv.answer_2)):
        coded = np.isin(step, steps)
        remark[coded] = code[row[coded]]
    return pa.table({
        "id": event_ids, "complaint_id": ids[row],
        "happened_at": _timestamps(lv.at[row, step]),
        "actor": _dict(life.actor_index(d, lv, step, row), d.actors),
        "event": _dict(event, pa.array(EVENTS)),
        "from_status": _dict(np.maximum(source, 0), pa.array(STATUSES), source < 0),
        "to_status": _dict(target, pa.array(STATUSES)),
        "remark": _dict(np.maximum(remark, 0), d.remarks, remark < 0),
    })


def directions(b: Batch, d: District, ids: np.ndarray, direction_ids: np.ndarray) -> pa.Table:
    """One direction per complaint sent to a department, to the department that has it now (a forward
    hands the open direction on), reported when its first report came."""
    lv = b.lives
    row = np.flatnonzero(lv.reached[:, life.DIRECT])
    texts = len(d.instructions) // 2
    return pa.table({
        "id": direction_ids, "complaint_id": ids[row],
        "department_code": _dict(lv.department_now()[row], d.departments),
        "instruction": _dict(b.lang[row] * texts + ids[row] % texts, d.instructions),
        "report_by": pa.array(lv.report_by[row].astype(np.int32), type=pa.date32()),
        "given_at": _timestamps(lv.at[row, life.DIRECT]),
        "reported_at": _moments(lv.at[row, life.REPORT_1], ~lv.reached[row, life.REPORT_1]),
    })


def reports(b: Batch, d: District, ids: np.ndarray, report_ids: np.ndarray) -> pa.Table:
    """The action taken reports: the first, and another after a reopening."""
    lv = b.lives
    row = np.concatenate([np.flatnonzero(lv.reached[:, s]) for s in (life.REPORT_1, life.REPORT_2)])
    step = np.repeat([life.REPORT_1, life.REPORT_2], [lv.reached[:, life.REPORT_1].sum(),
                                                       lv.reached[:, life.REPORT_2].sum()])
    texts = len(d.reports) // 2
    order = np.lexsort((step, row))               # ids follow the complaint, then time
    row, step = row[order], step[order]
    return pa.table({
        "id": report_ids, "complaint_id": ids[row],
        "department_code": _dict(lv.department_1[row], d.departments),
        "report": _dict(b.lang[row] * texts + (ids[row] + step) % texts, d.reports),
        "filed_by": _dict(d.officer_base + lv.department_1[row], d.actors),
        "filed_at": _timestamps(lv.at[row, step]),
    })


def feedback(b: Batch, ids: np.ndarray) -> pa.Table:
    lv = b.lives
    first, second = lv.reached[:, life.FEEDBACK_1], lv.reached[:, life.FEEDBACK_2]
    return pa.table({
        "complaint_id": np.concatenate([ids[first], ids[second]]),
        "answer": _dict(np.concatenate([lv.answer_1[first], lv.answer_2[second]]),
                        pa.array([str(a) for a in life.ANSWERS])),
        "given_at": _timestamps(np.concatenate([lv.at[first, life.FEEDBACK_1], lv.at[second, life.FEEDBACK_2]])),
    })


def hearings(b: Batch, d: District, ids: np.ndarray, hearing_ids: np.ndarray) -> pa.Table:
    """The bookings: a first hearing held, missed or called off, a second after a failed first, and
    those still to come (booked). Each has its own random video room, as lib.hearings makes them."""
    lv = b.lives
    r, has = lv.reached, lv.has
    first, second = np.flatnonzero(r[:, life.BOOK_1]), np.flatnonzero(r[:, life.BOOK_2])
    booked, attended, no_show, cancelled = (HEARING_STATUSES.index(s) for s in (
        HearingStatus.BOOKED, HearingStatus.ATTENDED, HearingStatus.NO_SHOW, HearingStatus.CANCELLED))
    failed = has[first, life.CALL_OFF]
    first_closed = np.where(failed, r[first, life.CALL_OFF], r[first, life.HEAR])
    first_status = np.where(~first_closed, booked, np.where(~failed, attended,
                                                             np.where(lv.no_show[first], no_show, cancelled)))
    row = np.concatenate([first, second])
    which = np.repeat([0, 1], [len(first), len(second)])
    status = np.concatenate([first_status, np.where(r[second, life.HEAR], attended, booked)])
    booked_at = np.concatenate([lv.at[first, life.BOOK_1], lv.at[second, life.BOOK_2]])
    starts = np.concatenate([lv.starts_1[first], lv.starts_2[second]])
    closed_at = np.concatenate([np.where(failed, lv.at[first, life.CALL_OFF], lv.at[first, life.HEAR]),
                                lv.at[second, life.HEAR]])
    order = np.lexsort((which, row))              # ids follow the complaint, then the booking
    row, which, status, booked_at, starts, closed_at = (
        a[order] for a in (row, which, status, booked_at, starts, closed_at))
    rooms = np.ascontiguousarray(ROOM_ALPHABET[b.room_bits[row, which]]).view(f"S{ROOM_CHARS}").ravel()
    return pa.table({
        "id": hearing_ids, "complaint_id": ids[row],
        "starts_at": _timestamps(starts), "ends_at": _timestamps(starts + life.SLOT_S),
        "room": pa.array(np.char.add(ROOM_PREFIX.encode(), rooms)).cast(pa.string()),
        "status": _dict(status, pa.array(HEARING_STATUSES)),
        "booked_at": _timestamps(booked_at),
        "reason": _dict(ids[row] % len(d.cancel_reasons), d.cancel_reasons, status != cancelled),
        "closed_at": _moments(closed_at, status == booked),
    })
