"""Hindi names of the district's villages and towns, entered by the district's staff on the admin
page (LGD has none for 392 of Rewari's 393 villages): one at a time or from a CSV file, checked
whole, audited place by place."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from lib.core.problems import InvalidInput, Problem
from lib.db import reference as reference_db
from lib.db.connect import retrying, transaction
from lib.staff import audit
from lib.staff.administration import check_actor

CSV_COLUMNS = ("lgd_code", "name_en", "name_hi")
NAME_HI_MAX = 100
MAX_ROWS = 2000                 # the district has ~400 places; a bigger file is the wrong file
# Devanagari with the spaces, digits and marks village names use; no Latin letters.
HINDI_NAME = re.compile(r"[\u0900-\u097F0-9 .()\-]+")
DEVANAGARI_LETTER = re.compile(r"[\u0900-\u097F]")
# What is wrong with a name, said of a row of the file.
ROW_PROBLEM = {"admin.places.error.too_long": "admin.places.error.row_too_long",
               "admin.error.hindi_script": "admin.places.error.row_hindi_script"}


@dataclass(frozen=True)
class PlaceRow:
    """A place as the admin's list shows it."""
    lgd_code: int
    name_en: str
    name_hi: str | None
    kind: str
    tehsil_lgd: int
    subtehsil_lgd: int | None
    census2011_code: str | None
    in_district: bool


def list_places(con) -> list[PlaceRow]:
    with con.cursor() as cur:
        return [PlaceRow(*row) for row in reference_db.list_place_rows(cur)]


def check_name_hi(name_hi: str | None) -> tuple[str | None, str | None]:
    """(the cleaned name or None for "no Hindi name", the catalog key of what is wrong or None)."""
    name = " ".join((name_hi or "").split())
    if not name:
        return None, None
    if len(name) > NAME_HI_MAX:
        return None, "admin.places.error.too_long"
    if not HINDI_NAME.fullmatch(name) or not DEVANAGARI_LETTER.search(name):
        return None, "admin.error.hindi_script"
    return name, None


def set_name_hi(con, lgd_code: int, name_hi: str | None, actor: str, now: datetime | None = None) -> None:
    """Set (or, when empty, clear) one place's Hindi name. Audited: who, which place, when."""
    name, wrong = check_name_hi(name_hi)
    if wrong:
        raise InvalidInput(Problem("name_hi", wrong, {"max": NAME_HI_MAX}))

    def write() -> None:
        with transaction(con) as cur:
            check_actor(cur, actor)
            known = reference_db.place_names(cur)
            if lgd_code not in known:
                raise InvalidInput(Problem("place", "admin.places.error.unknown_place"))
            if known[lgd_code][1] == name:
                raise InvalidInput(Problem("name_hi", "admin.error.no_change"))
            reference_db.set_place_name_hi(cur, lgd_code, name)
            audit.record(cur, actor, "place.name_hi", str(lgd_code), "set" if name else "cleared",
                         now or datetime.now(timezone.utc))

    retrying(write)


def export_csv(con) -> bytes:
    """lgd_code, name_en, name_hi of every place, UTF-8 with a byte-order mark so spreadsheet programs
    show the Hindi."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for place in list_places(con):
        writer.writerow((place.lgd_code, place.name_en, place.name_hi or ""))
    return out.getvalue().encode("utf-8-sig")


def import_csv(con, data: bytes, actor: str, now: datetime | None = None) -> int:
    """Set the Hindi names a CSV file gives (an empty name_hi leaves the place as it is). Every row is
    checked first; one bad row refuses the whole file, each problem named by its row, and nothing is
    written. Returns how many places changed."""
    rows = _read_rows(data)

    def write() -> int:
        with transaction(con) as cur:
            check_actor(cur, actor)
            known = reference_db.place_names(cur)
            changes = _changes(rows, known)
            for lgd_code, name in changes:
                reference_db.set_place_name_hi(cur, lgd_code, name)
                audit.record(cur, actor, "place.name_hi", str(lgd_code), "set (import)",
                             now or datetime.now(timezone.utc))
            return len(changes)

    return retrying(write)


def _read_rows(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(Problem("file", "admin.places.error.not_utf8")) from None
    reader = csv.DictReader(io.StringIO(text))
    if [c.strip() for c in reader.fieldnames or []] != list(CSV_COLUMNS):
        raise InvalidInput(Problem("file", "admin.places.error.columns", {"columns": ", ".join(CSV_COLUMNS)}))
    rows = list(reader)
    if not rows:
        raise InvalidInput(Problem("file", "admin.places.error.empty"))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(Problem("file", "admin.places.error.too_many", {"max": MAX_ROWS}))
    return rows


def _changes(rows: list[dict], known: dict[int, tuple[str, str | None]]) -> list[tuple[int, str]]:
    """(lgd_code, new Hindi name) of the rows that change something; InvalidInput naming every bad row."""
    problems, changes, seen = [], [], set()
    for number, row in enumerate(rows, start=2):            # row 1 is the header, as a spreadsheet counts
        def bad(key: str, **params) -> None:
            problems.append(Problem("file", key, {"row": number, **params}))
        code_text = (row.get("lgd_code") or "").strip()
        if not code_text.isdigit() or int(code_text) not in known:
            bad("admin.places.error.row_unknown_code", code=code_text or "—")
            continue
        code = int(code_text)
        if code in seen:
            bad("admin.places.error.row_repeated", code=code)
            continue
        seen.add(code)
        name_en = known[code][0]
        # The English name guards against a sorted or shifted column putting names on the wrong places.
        if " ".join((row.get("name_en") or "").split()).casefold() != name_en.casefold():
            bad("admin.places.error.row_name_en", code=code, name_en=name_en)
            continue
        name, wrong = check_name_hi(row.get("name_hi"))
        if wrong:
            bad(ROW_PROBLEM[wrong], max=NAME_HI_MAX)
        elif name and name != known[code][1]:
            changes.append((code, name))
    if problems:
        raise InvalidInput(problems)
    return changes
