"""One batch of demo complaints: where each is on its road through the lifecycle, drawn as integer arrays,
then turned into the Arrow frames of its complaint rows and history."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lib.core.complaints import HAPPY_PATH, EventKind, HearingMode, IdType, Status
from lib.core.i18n import Language
from lib.ops.seed.district import DAY_S, LANGUAGES, STATUSES, District, dict_array as _dict, timestamps as _timestamps
from lib.ops.seed.texts import LOCALITIES

# Time a complaint waits before each step of HAPPY_PATH (log-normal: median seconds, spread).
# A district office has a backlog: about two months from filing to closing is usual.
STEP_DELAYS = [(12 * 3600, 1.0), (2 * DAY_S, 0.8), (3 * DAY_S, 0.7), (9 * DAY_S, 0.5),
               (1 * DAY_S, 0.9), (18 * DAY_S, 0.7), (4 * DAY_S, 0.8), (8 * DAY_S, 0.6)]
# Where complaints end up, given time: (share, last step). Step 2 is rejection on the rejected
# path; a few stay with the department or at its report for months, as real ones do.
OUTCOMES = [(0.08, 2, True), (0.70, 8, False), (0.18, 7, False), (0.03, 5, False), (0.01, 6, False)]


@dataclass(frozen=True, eq=False)
class Batch:
    """One batch of complaints drawn as integer arrays (one entry per complaint, or per event
    for the remark draws); the Arrow frames are made once the ids are known."""
    filed: np.ndarray            # epoch seconds, ascending
    lang: np.ndarray             # index into LANGUAGES
    place: np.ndarray
    ward: np.ndarray             # 0 in villages
    cat: np.ndarray
    template: np.ndarray
    cum: np.ndarray              # (complaints, steps): seconds from filing to each step
    rejected: np.ndarray
    version: np.ndarray          # status changes so far = steps taken
    status: np.ndarray           # index into STATUSES
    department: np.ndarray
    not_sure: np.ndarray         # department left NULL
    name: np.ndarray
    mobile: np.ndarray
    aadhaar: np.ndarray
    last4: np.ndarray
    temporary: np.ndarray
    ppp: np.ndarray
    locality: np.ndarray
    no_locality: np.ndarray
    video: np.ndarray
    preferred: np.ndarray
    no_preferred: np.ndarray
    sms_sent: np.ndarray
    remark_pick: np.ndarray
    remark_none: np.ndarray

    @property
    def size(self) -> int:
        return len(self.filed)

    @property
    def event_count(self) -> int:
        return int(self.version.sum()) + self.size

    @classmethod
    def draw(cls, rng: np.random.Generator, d: District, filed: np.ndarray, now_s: int) -> Batch:
        n = len(filed)
        hindi = rng.random(n) < 0.70
        lang = np.where(hindi, 0, 1)
        town = rng.random(n) < 1 / 3
        place = np.where(town, rng.choice(d.town_idx, n, p=d.town_p), rng.choice(d.village_idx, n, p=d.village_p))
        ward = np.where(town, (rng.random(n) * d.place_wards[place]).astype(np.int64) + 1, 0)
        cat = np.where(town, rng.choice(len(d.text_base), n, p=d.category_p[0]),
                       rng.choice(len(d.text_base), n, p=d.category_p[1]))
        template = d.text_base[cat] + (rng.random(n) * d.text_count[cat]).astype(np.int64)

        # Progress along the path: each step waits its own time; a complaint has reached every
        # step whose time has come, up to where it is fated to stop.
        delays = np.stack([np.maximum(rng.lognormal(np.log(m), s, n), 300) for m, s in STEP_DELAYS], axis=1)
        cum = np.zeros((n, len(HAPPY_PATH)), dtype=np.int64)
        cum[:, 1:] = np.cumsum(np.minimum(delays, 120 * DAY_S).astype(np.int64), axis=1)
        outcome = rng.choice(len(OUTCOMES), n, p=[o[0] for o in OUTCOMES])
        last_step = np.array([o[1] for o in OUTCOMES])[outcome]
        rejected = np.array([o[2] for o in OUTCOMES])[outcome]
        reached = (cum[:, 1:] <= (now_s - filed)[:, None]).sum(axis=1)
        version = np.minimum(reached, last_step)

        happy = np.array([STATUSES.index(s) for s in HAPPY_PATH])
        status = happy[version]
        status[rejected & (version == 2)] = STATUSES.index(Status.REJECTED)
        early = version <= 1                     # submitted or under scrutiny: department may be unknown
        department = d.text_department[template].copy()
        # About 5% are "not sure"; most who chose "something else" have no department to name.
        not_sure = early & (rng.random(n) < np.where(d.category_has_department[cat], 0.05, 0.6))
        aadhaar = rng.random(n) < 0.60
        temporary = rng.random(n) < 0.05
        ppp = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype="S1")[
            rng.integers(0, 36, (n, 8))].view("S8").ravel()
        events = int(version.sum()) + n
        return cls(
            filed=filed, lang=lang, place=place, ward=ward, cat=cat, template=template, cum=cum,
            rejected=rejected, version=version, status=status, department=department, not_sure=not_sure,
            name=np.where(hindi, rng.integers(0, d.hindi_names, n),
                          rng.integers(d.hindi_names, len(d.names), n)),
            mobile=rng.choice([6, 7, 8, 9], n, p=[0.1, 0.25, 0.25, 0.4]) * 10**9 + rng.integers(0, 10**9, n),
            aadhaar=aadhaar, last4=rng.integers(0, 10_000, n), temporary=temporary, ppp=ppp,
            locality=rng.integers(0, len(LOCALITIES[Language.HINDI]), n) + lang * len(LOCALITIES[Language.HINDI]),
            no_locality=rng.random(n) < np.where(town, 0.3, 0.7),
            video=rng.random(n) < 0.85,
            preferred=rng.integers(3, 21, n), no_preferred=rng.random(n) < 0.4,
            sms_sent=np.minimum(filed + rng.integers(2, 90, n), now_s),
            remark_pick=rng.random(events), remark_none=rng.random(events) < 0.45,
        )

    def complaints(self, d: District, ids: np.ndarray, sms_ids: np.ndarray) -> pa.Table:
        n = self.size
        # PPP Family ID: 8 characters, or 9 starting with T for a temporary family.
        ppp = np.where(self.temporary, np.char.add(b"T", self.ppp), self.ppp)
        return pa.table({
            "id": ids, "sms_id": sms_ids,
            "filed_at": _timestamps(self.filed),
            "updated_at": _timestamps(self.filed + self.cum[np.arange(n), self.version]),
            "sms_sent_at": _timestamps(self.sms_sent),
            "language": _dict(self.lang, pa.array(LANGUAGES)),
            "citizen_name": _dict(self.name, d.names),
            "mobile_digits": self.mobile.astype(np.int64),
            "id_type": _dict(np.where(self.aadhaar, 0, 1), pa.array([IdType.AADHAAR.value, IdType.PPP.value])),
            "aadhaar_last4": pa.array(self.last4.astype(np.int16), mask=~self.aadhaar),
            "ppp_id": pa.array(ppp, mask=self.aadhaar).cast(pa.string()),
            "tehsil_lgd": d.place_tehsil[self.place].astype(np.int32),
            "place_lgd": d.place_lgd[self.place].astype(np.int32),
            "place_name": _dict(self.place + (self.lang == 0) * len(d.place_lgd), d.place_names),
            "ward": pa.array(self.ward.astype(np.int32), mask=self.ward == 0),
            "locality": _dict(self.locality, d.localities, self.no_locality),
            "department_code": _dict(self.department, d.departments, self.not_sure),
            "category_code": _dict(self.cat, d.category_codes),
            "subject": _dict(self.template + self.lang * len(d.text_department), d.subjects),
            "description": _dict(self.template + self.lang * len(d.text_department), d.descriptions),
            "hearing_mode": _dict(np.where(self.video, 0, 1),
                                  pa.array([HearingMode.VIDEO.value, HearingMode.IN_PERSON.value])),
            "preferred_in_days": pa.array(self.preferred.astype(np.int32), mask=self.no_preferred),
            "status": _dict(self.status, pa.array(STATUSES)),
            "version": self.version.astype(np.int32),
        })

    def events(self, d: District, ids: np.ndarray, event_ids: np.ndarray) -> pa.Table:
        """One 'filed' event per complaint, then one per status change, in time order."""
        counts = self.version + 1
        owner = np.repeat(np.arange(self.size), counts)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        happy = np.array([STATUSES.index(s) for s in HAPPY_PATH])
        to = happy[step]
        to[self.rejected[owner] & (step == 2)] = STATUSES.index(Status.REJECTED)
        first = step == 0
        frm = happy[np.maximum(step - 1, 0)]

        actor = d.actor_by_status[to]
        actor[first] = 0                                  # actors[0] is the citizen
        officer = actor < 0
        actor[officer] = d.officer_base + self.department[owner][officer]
        lang = self.lang[owner]
        count = d.remark_count[to, lang]
        remark = d.remark_base[to, lang] + (self.remark_pick * np.maximum(count, 1)).astype(np.int64)
        no_remark = first | (count == 0) | (self.remark_none & (to != STATUSES.index(Status.REJECTED)))
        return pa.table({
            "id": event_ids, "complaint_id": ids[owner],
            "happened_at": _timestamps(self.filed[owner] + self.cum[owner, step]),
            "actor": _dict(actor, d.actors),
            "event": _dict(np.where(first, 0, 1), pa.array([EventKind.FILED.value, EventKind.STATUS_CHANGED.value])),
            "from_status": _dict(frm, pa.array(STATUSES), first),
            "to_status": _dict(to, pa.array(STATUSES)),
            "remark": _dict(np.where(no_remark, 0, remark), d.remarks, no_remark),
        })
