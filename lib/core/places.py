"""Places of the district as the form and the charts use them: tehsils, villages, towns and their wards."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlaceKind(StrEnum):
    VILLAGE = "village"
    TOWN = "town"


@dataclass(frozen=True)
class Tehsil:
    lgd_code: int
    name_en: str
    name_hi: str | None
    level: str


@dataclass(frozen=True)
class Place:
    lgd_code: int
    tehsil_lgd: int
    kind: str
    name_en: str
    name_hi: str | None
    wards: int | None

    @property
    def is_town(self) -> bool:
        return self.kind == PlaceKind.TOWN

    def ward_numbers(self) -> list[int]:
        """Wards 1..N of a town; a village has none."""
        return list(range(1, (self.wards or 0) + 1)) if self.is_town else []


def place_label(place: Place, language: str) -> str:
    """The name to show: the Hindi name to Hindi readers when the district has entered one, else the
    English name (never blank)."""
    if language == "hi" and place.name_hi and place.name_hi.strip():
        return place.name_hi.strip()
    return place.name_en
