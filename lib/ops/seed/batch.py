"""One batch of demo complaints: where each is on its road through the lifecycle, drawn as integer arrays,
then turned into the Arrow frames of its complaint rows and history."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lib.core.complaints import HearingMode, IdType, Status
from lib.core.i18n import Language
from lib.ops.seed import lives as life
from lib.ops.seed.district import (DAY_S, IST_OFFSET_S, LANGUAGES, STATUSES, District, dict_array as _dict,
                                   timestamps as _timestamps)
from lib.ops.seed.lives import Lives
from lib.ops.seed.texts import LOCALITIES

TARGETS = np.array([STATUSES.index(s.target) for s in life.STEPS])
SOLVED = np.array([STATUSES.index(Status.RESOLVED), STATUSES.index(Status.CLOSED)])


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
    lives: Lives
    department: np.ndarray       # now (after a forward, if it came), index into departments
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
    room_bits: np.ndarray        # (complaints, 2 hearings, 32): the video rooms' random characters

    @property
    def size(self) -> int:
        return len(self.filed)

    @property
    def event_count(self) -> int:
        return int(self.lives.reached.sum())

    @classmethod
    def draw(cls, rng: np.random.Generator, d: District, filed: np.ndarray, now_s: int) -> Batch:
        n = len(filed)
        hindi = rng.random(n) < 0.70
        lang = np.where(hindi, 0, 1)
        town = rng.random(n) < 1 / 3
        place = np.where(town, rng.choice(d.town_idx, n, p=d.town_p), rng.choice(d.village_idx, n, p=d.village_p))
        ward = np.where(town, (rng.random(n) * d.place_wards[place]).astype(np.int64) + 1, 0)
        # Categories by season: the monsoon's drains, the summer's water and power.
        days = ((filed + IST_OFFSET_S) // DAY_S).astype("datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
        season = d.season_of_month[month]
        cat = np.zeros(n, dtype=np.int64)
        for s_i in range(len(d.category_p)):
            for kind, where in ((0, town), (1, ~town)):
                pick = where & (season == s_i)
                cat[pick] = rng.choice(len(d.text_base), int(pick.sum()), p=d.category_p[s_i, kind])
        template = d.text_base[cat] + (rng.random(n) * d.text_count[cat]).astype(np.int64)
        lives = life.draw_lives(rng, d, filed, d.text_department[template], now_s)
        # Before acceptance the department may be unknown: about 5% are "not sure", and most who
        # chose "something else" have no department to name.
        early = lives.last <= life.SCRUTINY
        not_sure = early & (rng.random(n) < np.where(d.category_has_department[cat], 0.05, 0.6))
        aadhaar = rng.random(n) < 0.60
        temporary = rng.random(n) < 0.05
        ppp = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype="S1")[
            rng.integers(0, 36, (n, 8))].view("S8").ravel()
        events = int(lives.reached.sum())
        return cls(
            filed=filed, lang=lang, place=place, ward=ward, cat=cat, template=template, lives=lives,
            department=lives.department_now(), not_sure=not_sure,
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
            room_bits=rng.integers(0, 64, (n, 2, 32), dtype=np.uint8),
        )

    def complaints(self, d: District, ids: np.ndarray, sms_ids: np.ndarray) -> pa.Table:
        """The complaint rows, with the facts their history implies (status, version, last change,
        acceptance, resolution, forwards, reopenings, hearings)."""
        n, lv, rows = self.size, self.lives, np.arange(self.size)
        reached, at = lv.reached, lv.at
        # PPP Family ID: 8 characters, or 9 starting with T for a temporary family.
        ppp = np.where(self.temporary, np.char.add(b"T", self.ppp), self.ppp)
        status = TARGETS[lv.last]
        changed = lv.last_versioned()
        solved = np.isin(status, SOLVED)
        resolved_at = np.where(reached[:, life.RESOLVE_2], at[:, life.RESOLVE_2], at[:, life.RESOLVE_1])
        called_off = reached[:, life.CALL_OFF]

        def moment(step: int, when: np.ndarray | None = None) -> pa.Array:
            seconds = at[:, step] if when is None else when
            return pa.array(seconds * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=~reached[:, step])

        return pa.table({
            "id": ids, "sms_id": sms_ids,
            "filed_at": _timestamps(self.filed),
            "updated_at": _timestamps(at[rows, changed]),
            "updated_by": _dict(life.actor_index(d, lv, changed, rows), d.actors, changed == life.FILED),
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
            "status": _dict(status, pa.array(STATUSES)),
            "version": (reached & life.VERSIONED).sum(axis=1).astype(np.int32),
            "transfers": reached[:, life.FORWARD].astype(np.int32),
            "rejection_reason": _dict(lv.reason, pa.array([str(r) for r in life.REASONS]), ~reached[:, life.REJECT]),
            "accepted_at": moment(life.ACCEPT),
            "resolved_at": pa.array(resolved_at * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=~solved),
            "reopen_count": reached[:, life.REOPEN].astype(np.int32),
            "hearings_held": reached[:, life.HEAR].astype(np.int32),
            "hearings_called_off": (called_off & ~lv.no_show).astype(np.int32),
            "hearings_no_show": (called_off & lv.no_show).astype(np.int32),
            "heard_at": moment(life.HEAR),
        })
