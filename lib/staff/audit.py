"""The audit trail: every officer action, admin change and ID-document opening is written down.

Call `record` with the cursor of the transaction that makes the change, so the change and its
audit entry are committed together or not at all.

The IT cell reads this trail, and the IT cell never reads complaint content (issue #10). An entry
about a complaint therefore names who, which action, which tracking number and when; its detail
keeps only the fixed codes the portal writes itself (a status move, a rejection or feedback code,
department codes, a hearing's number and time, a report-back date). Everything else a caller puts
there — an officer's remark, any other typed text — is dropped here, at the one door into the
table, so no caller can let it through by mistake.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from lib.core.complaints import Status
from lib.core.lifecycle import Feedback, RejectionReason
from lib.db.staff import audit as audit_db

# Actions whose target is a complaint (its tracking number).
COMPLAINT_ACTIONS = ("complaint.", "id_document.")
PART_SEPARATOR = "; "                       # how callers join the pieces of a detail
_LIFECYCLE_CODES = frozenset({*Status, *RejectionReason, *Feedback})
_STATUS_MOVE = re.compile(r"([a-z_]+) -> ([a-z_]+)")
_DEPARTMENTS = re.compile(r"(?:—|[A-Z][A-Z0-9_]{1,15})(?: -> [A-Z][A-Z0-9_]{1,15}|(?:, [A-Z][A-Z0-9_]{1,15})*)")
_FIXED_SHAPES = (
    re.compile(r"hearing #\d+: [a-z0-9_]{3,32} \d\d-\d\d-\d{4} \d\d:\d\d-\d\d:\d\d IST(?: \(was #\d+\))?"),
    re.compile(r"report by \d{4}-\d\d-\d\d"),
    re.compile(r"opened ID document #\d+"),
)


def record(cur, actor: str, action: str, target: str | None = None, detail: str | None = None,
           now: datetime | None = None) -> None:
    if action.startswith(COMPLAINT_ACTIONS):
        detail = fixed_codes(cur, detail)
    audit_db.write(cur, actor=actor, action=action, target=target, detail=detail,
                   now=now or datetime.now(timezone.utc))


def fixed_codes(cur, detail: str | None) -> str | None:
    """The pieces of a complaint entry's detail that are codes the portal wrote; None if none is."""
    if not detail:
        return None
    departments = None
    kept = []
    for part in detail.split(PART_SEPARATOR):
        move = _STATUS_MOVE.fullmatch(part)
        if move and {move[1], move[2]} <= _LIFECYCLE_CODES or part in _LIFECYCLE_CODES \
                or any(shape.fullmatch(part) for shape in _FIXED_SHAPES):
            kept.append(part)
        elif _DEPARTMENTS.fullmatch(part):
            # A one-word remark in capitals looks like a code: keep only codes the district has.
            departments = departments if departments is not None else audit_db.department_codes(cur)
            if set(re.findall(r"[A-Z][A-Z0-9_]+", part)) <= departments:
                kept.append(part)
    return PART_SEPARATOR.join(kept) or None
