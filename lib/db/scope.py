"""Which complaints a signed-in user may see, as SQL decided from the server-side user record.

Every query that returns complaint rows to an officer adds this condition; hiding widgets is never
the protection. Use the alias `c` for the complaints table.
"""
from __future__ import annotations

from lib.core.roles import Role, User


def complaints_visible_to(user: User) -> tuple[str, list]:
    """(SQL condition, parameters). The DC's office sees the district; an officer sees complaints
    with their department or carrying a direction to it; analysts and admins see no complaint rows."""
    if user.role == Role.DC:
        return "TRUE", []
    if user.role == Role.OFFICER and user.department_code:
        return ("(c.department_code = ? OR EXISTS (SELECT 1 FROM directions d"
                " WHERE d.complaint_id = c.id AND d.department_code = ?))",
                [user.department_code, user.department_code])
    # ---- appeals (issue #15): the appellate officer sees the complaints appealed to them ----
    if user.role == Role.APPELLATE:
        return "EXISTS (SELECT 1 FROM appeals ap WHERE ap.complaint_id = c.id)", []
    return "FALSE", []
