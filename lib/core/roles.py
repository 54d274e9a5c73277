"""Who acts in the portal: the roles, and a signed-in user as the server knows them."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"        # a citizen, no account
    DC = "dc"
    OFFICER = "officer"
    ANALYST = "analyst"
    ADMIN = "admin"
    # -- assisted filing (issue #15): files for walk-in citizens at a CSC / SARAL Kendra --
    OPERATOR = "operator"
    # ---- appeals (issue #15) ----
    APPELLATE = "appellate"  # the appellate officer (e.g. the ADC): decides citizens' appeals


@dataclass(frozen=True)
class User:
    """A signed-in officer as the server knows them (from the users table, never from the browser)."""
    username: str
    display_name: str
    role: Role
    department_code: str | None      # set for officers only: the one department they work for
    active: bool = True

    @property
    def is_district_wide(self) -> bool:
        return self.role == Role.DC
