"""Likely duplicates of a complaint: the same place and category within 30 days, or the same citizen (Aadhaar
hash, Family ID or mobile) with a similar subject. Suggested on the complaint's page and counted for the
queue's page of rows; merged by the DC through actions.bulk_close_duplicates. Only what the user may see
is suggested, and a suggestion carries no personal data (tracking number, subject, place, date, status)."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import regex
from rapidfuzz import fuzz

from lib.core.complaints import Status
from lib.core.roles import User
from lib.db.casework import duplicates as duplicates_db
from lib.db.scope import complaints_visible_to

PLACE_WINDOW_DAYS = 30          # same place and category: filed within this many days of each other
PERSON_WINDOW_DAYS = 90         # same citizen: a complaint filed again after a month or two is still the same
SIMILAR_AT = 80                 # token_set_ratio (0-100) from which two subjects count as the same matter
# Complaints that may still be closed as a duplicate (the lifecycle rejects only from scrutiny; a
# submitted one is taken into scrutiny first), and those that can no longer take others in.
MERGEABLE = (Status.SUBMITTED, Status.UNDER_SCRUTINY)
FINISHED = (Status.REJECTED, Status.CLOSED)

# Words that say nothing about the matter: two subjects sharing only these are not alike.
_STOPWORDS = frozenset(
    "में मे की का के है हैं था थी थे से को पर और भी ही तो हो रहा रही रहे नहीं नही ना न एक यह वह इस उस "
    "हमारे हमारी हमारा मेरे मेरी मेरा बहुत कोई कुछ लिए तक द्वारा संबंधी बारे "
    "the a an of in on at to for is are was not no and or my our from with by about".split())
# Spellings that vary from writer to writer: candrabindu written as anusvara, the nukta left off
# (क़ and क are the same letter to most readers), the danda as punctuation.
_VARIANTS = str.maketrans({"\u0901": "\u0902", "\u093c": None, "\u0964": " ", "\u0965": " "})
_WORD = regex.compile(r"\w+")            # regex's \w keeps the vowel signs (matras) inside the word


def subject_words(text: str) -> list[str]:
    """The subject's meaningful words, Unicode-normalised, with the common spelling variants folded.
    Decomposed first (NFD), so that a nukta letter typed as one code point (क़ U+0958) loses its nukta
    like one typed as two (क + ़), then composed again (NFC) so equal text is equal code points."""
    decomposed = unicodedata.normalize("NFD", text or "").translate(_VARIANTS)
    folded = unicodedata.normalize("NFC", decomposed).casefold()
    return [w for w in _WORD.findall(folded) if w not in _STOPWORDS]


def similarity(a: str, b: str) -> float:
    """0-100: how alike two subjects are, word by word, in any order (rapidfuzz's token_set_ratio
    over the meaningful words); 0 when either has none."""
    words_a, words_b = subject_words(a), subject_words(b)
    if not words_a or not words_b:
        return 0.0
    return fuzz.token_set_ratio(" ".join(words_a), " ".join(words_b))


def similar(a: str, b: str) -> bool:
    return similarity(a, b) >= SIMILAR_AT


@dataclass(frozen=True)
class Suggestion:
    """A likely duplicate as an officer may see it: no name, mobile or ID of its citizen."""
    tracking_no: str
    subject: str
    place_lgd: int
    ward: int | None
    filed_at: datetime
    status: str
    same_place: bool              # same place and category within PLACE_WINDOW_DAYS
    same_citizen: bool            # same citizen with a similar subject
    complaint_id: int             # not shown: the merge acts on (id, version as listed)
    version: int

    @property
    def mergeable(self) -> bool:
        return self.status in MERGEABLE

    @property
    def reason(self) -> str:
        """Why it is suggested (catalog key duplicates.why.<reason>)."""
        if self.same_place and self.same_citizen:
            return "both"
        return "place" if self.same_place else "citizen"


def _suggestions(con, user: User, source_ids: Iterable[int]) -> dict[int, list[Suggestion]]:
    ids = sorted(set(source_ids))
    with con.cursor() as cur:
        rows = duplicates_db.candidates(cur, complaints_visible_to(user), ids, PLACE_WINDOW_DAYS,
                                        PERSON_WINDOW_DAYS)
    found: dict[int, list[Suggestion]] = {i: [] for i in ids}
    for (source, cid, tracking_no, subject, place, ward, filed_at, status, version, same_place, same_person,
         source_subject) in rows:
        same_citizen = bool(same_person) and similar(source_subject, subject)
        if same_place or same_citizen:
            found[source].append(Suggestion(tracking_no, subject, place, ward, filed_at, status, bool(same_place),
                                            same_citizen, cid, version))
    return found


def suggestions_for(con, user: User, complaint_id: int) -> list[Suggestion]:
    """The likely duplicates of one complaint the user may see, oldest first."""
    return _suggestions(con, user, [complaint_id])[complaint_id]


def counts_for(con, user: User, complaint_ids: Iterable[int]) -> dict[int, int]:
    """How many likely duplicates each of the given complaints has (the queue's page of rows, never the
    whole table): as many as suggestions_for would list, without making them."""
    ids = sorted(set(complaint_ids))
    with con.cursor() as cur:
        by_place, same_citizen = duplicates_db.counts(cur, complaints_visible_to(user), ids, PLACE_WINDOW_DAYS,
                                                      PERSON_WINDOW_DAYS)
    found = {i: by_place.get(i, 0) for i in ids}
    for source, source_subject, subject in same_citizen:
        found[source] += similar(source_subject, subject)
    return found
